"""Pictures of the 784-128-10 digit classifier: weights, activations, training time, mistakes.

Four views, each one figure built once whose artists are updated in place,
each at most 830 px wide with text of at least 11 px at 1×, so a thin
widget can drive them with a slider or two:

:class:`WeightImagesView`
    Each hidden neuron's 784 incoming weights as a 28×28 image, a page of
    neurons at a time, on one colour scale centred at 0 (red: the pixel
    excites the neuron, blue: it inhibits it).
:class:`HiddenActivityView`
    The hidden activations of many test digits (neurons × digits, digits
    sorted by class, classes marked) and, under it, the chosen neuron's
    activation for each of those digits with its mean per class.
:class:`NeuronTimelineView`
    The activation map and the gradient map over training time (neurons ×
    training steps, on a true step axis) under the probe batch's loss and
    accuracy: neurons that specialise, saturate or die show as rows that
    change, stay pale or go dark.
:class:`MisclassifiedView`
    Wrongly classified digits with the network's ten output probabilities,
    the predicted class and the true class coloured.

The colour rule of the package: a signed quantity (a weight, a tanh
activation) gets the diverging :data:`SIGNED_CMAP` centred at 0, a
non-negative one (a ReLU activation, |∂L/∂z|) the sequential
:data:`SEQUENTIAL_CMAP`.  Every number comes from the caller (the engine's
:mod:`~actviz_widgets.engine.mnist` computes them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm, Normalize
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Rectangle

from ..engine.validation import check_array, check_int
from .base import FigureView
from .digits import colour_limit
from .network_diagram import nice_limit
from .text import PathText, fmt, short_log_ticks

__all__ = ["WeightImagesView", "HiddenActivityView", "NeuronTimelineView",
           "MisclassifiedView", "SIGNED_CMAP", "SEQUENTIAL_CMAP", "PREDICTED_COLOR",
           "TRUE_COLOR", "SELECTED_COLOR"]

#: Diverging map of signed quantities, centred at 0 (red positive, blue negative).
SIGNED_CMAP = "RdBu_r"
#: Sequential map of non-negative quantities.
SEQUENTIAL_CMAP = "viridis"
#: The class the network chose, when it is wrong (Okabe–Ito vermillion).
PREDICTED_COLOR = "#D55E00"
#: The true class (Okabe–Ito blue).
TRUE_COLOR = "#0072B2"
#: The chosen neuron or step (Okabe–Ito orange).
SELECTED_COLOR = "#E69F00"
_OTHER_COLOR = "#bbbbbb"
# Font sizes in points; at 100 dpi 8 pt is 11.1 px, the smallest readable text.
_SMALL, _LABEL, _TITLE = 8.0, 8.5, 10.0


def _signed_or_not(values: np.ndarray, signed: bool | None) -> bool:
    return bool(np.nanmin(values) < 0) if signed is None else bool(signed)


def _scale_for(values: np.ndarray, signed: bool) -> tuple[float, float]:
    """Colour limits: symmetric for a signed quantity, from 0 otherwise."""
    limit = colour_limit(values)
    return (-limit, limit) if signed else (0.0, limit)


def _check_starts(class_starts) -> np.ndarray:
    starts = np.asarray(class_starts)
    if (starts.ndim != 1 or len(starts) < 2 or not np.issubdtype(starts.dtype, np.integer)
            or starts[0] != 0 or np.any(np.diff(starts) < 0) or starts[-1] < 1):
        raise ValueError("class_starts must be increasing integer positions starting at 0, one "
                         f"per class plus the end; got {starts.tolist()}")
    return starts.astype(np.int64)


def _bare(ax) -> None:
    """An image axes without ticks, with a thin grey frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)
        spine.set_color("#888888")


# ---------------------------------------------------------------------------
# (a) incoming weights as images
# ---------------------------------------------------------------------------

class WeightImagesView(FigureView):
    """A page of hidden neurons' incoming weights, each drawn as a 28×28 image.

    Parameters
    ----------
    n_tiles : int, default 32
        Neurons per page (tiles), >= 1.
    columns : int, default 8
        Tiles per row.
    image_shape : (int, int), default (28, 28)
    figsize : (float, float), optional
        Default: 8.6 inches wide, tall enough for the rows.
    dpi : float, default 100
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    tile_axes : list of matplotlib.axes.Axes
    images : list of matplotlib.image.AxesImage
        ``images[k].get_array()`` is the k-th shown neuron's weights,
        ``W[:, neuron].reshape(image_shape)``.
    labels : list of PathText
        "neuron j" above each tile.
    neurons : numpy.ndarray
        The neurons shown, in tile order.
    norm : matplotlib.colors.Normalize
        The shared colour scale, symmetric about 0.
    colorbar : matplotlib.colorbar.Colorbar
    title : matplotlib.text.Text
    """

    def __init__(self, n_tiles: int = 32, columns: int = 8,
                 image_shape: tuple[int, int] = (28, 28),
                 figsize: tuple[float, float] | None = None, dpi: float = 100,
                 language: str | None = None) -> None:
        self.n_tiles = check_int("n_tiles", n_tiles, minimum=1)
        self.columns = min(check_int("columns", columns, minimum=1), self.n_tiles)
        self.image_shape = (check_int("image_shape[0]", image_shape[0], minimum=1),
                            check_int("image_shape[1]", image_shape[1], minimum=1))
        rows = -(-self.n_tiles // self.columns)
        if figsize is None:
            figsize = (8.3, 0.95 + 0.98 * rows)
        super().__init__(figsize, dpi, language=language)
        fig = self.figure
        height = fig.get_figheight()
        self.title = fig.text(0.01, 1 - 0.1 / height, "", fontsize=_TITLE, weight="bold",
                              va="top")
        self.subtitle = fig.text(0.01, 1 - 0.36 / height, self.tr("mnist.weights_subtitle"),
                                 fontsize=_LABEL, va="top", color="#333333")
        grid = GridSpec(rows, self.columns, figure=fig, left=0.01, right=0.86,
                        top=1 - 0.85 / height, bottom=0.1 / height, wspace=0.1,
                        hspace=0.32)
        self.norm = Normalize(-1.0, 1.0)
        cmap = colormaps[SIGNED_CMAP]
        self.tile_axes, self.images, self.labels = [], [], []
        blank = np.zeros(self.image_shape)
        for k in range(self.n_tiles):
            ax = fig.add_subplot(grid[k // self.columns, k % self.columns])
            _bare(ax)
            self.tile_axes.append(ax)
            self.images.append(self.dynamic(ax.imshow(blank, cmap=cmap, norm=self.norm,
                                                      interpolation="nearest")))
            self.labels.append(self.dynamic(PathText(ax, 0.5, 1.0, "", ha="center",
                                                     va="bottom", fontsize=_SMALL,
                                                     offset=(0.0, 2.0))))
        cax = fig.add_axes((0.885, 0.1 / height + 0.05, 0.018, 1 - 1.05 / height - 0.1))
        self.colorbar = fig.colorbar(self.images[0], cax=cax)
        self.colorbar.ax.tick_params(labelsize=_SMALL)
        self.colorbar.set_label(self.tr("mnist.weights_colorbar"), fontsize=_LABEL)
        self.neurons = np.zeros(0, dtype=np.int64)

    def update(self, weights, neurons: Sequence[int], limit: float | None = None) -> None:
        """Show the incoming weights of ``neurons``.

        Parameters
        ----------
        weights : array_like
            ``(n_inputs, n_hidden)``: the first layer's weight matrix
            (``net.weights[0]``), ``n_inputs`` = the pixels of an image.
        neurons : sequence of int
            At most ``n_tiles`` neuron indices; tiles beyond them are hidden.
        limit : float, optional
            The colour scale is ``[-limit, limit]``; default: from all of
            ``weights`` (99.5th percentile of |w|, rounded up), so every
            page of one network is on the same scale.
        """
        rows, cols = self.image_shape
        weights = check_array("weights", weights, ndim=2)
        if weights.shape[0] != rows * cols:
            raise ValueError(f"weights must have {rows * cols} rows (one per pixel of a "
                             f"{rows}×{cols} image); got shape {weights.shape}")
        ids = np.asarray(neurons)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise TypeError(f"neurons must be a list of neuron indices; got {neurons!r}")
        if ids.size > self.n_tiles:
            raise ValueError(f"neurons must list at most {self.n_tiles} neurons (the tiles of a "
                             f"page); got {ids.size}")
        if ids.size and (ids.min() < 0 or ids.max() >= weights.shape[1]):
            raise ValueError(f"neurons must lie in 0..{weights.shape[1] - 1}; got "
                             f"{ids.tolist()}")
        if limit is None:
            limit = colour_limit(weights)
        else:
            limit = float(check_array("limit", [limit], shape=(1,))[0])
            if not limit > 0:
                raise ValueError(f"limit must be > 0; got {limit!r}")
        if (self.norm.vmin, self.norm.vmax) != (-limit, limit):
            self.norm.vmin, self.norm.vmax = -limit, limit
            self.invalidate()  # the colour bar's numbers change
        self.neurons = ids.astype(np.int64)
        for k, (image, label, ax) in enumerate(zip(self.images, self.labels, self.tile_axes)):
            shown = k < ids.size
            if ax.get_visible() != shown:
                ax.set_visible(shown)
                self.invalidate()
            if shown:
                image.set_data(weights[:, ids[k]].reshape(rows, cols))
                label.set_text(self.tr("mnist.tile_label", neuron=ids[k]))
        self.title.set_text(self._describe(ids, weights.shape[1]))

    def _describe(self, ids: np.ndarray, n_hidden: int) -> str:
        if not ids.size:
            return self.tr("mnist.weights_title_empty")
        if np.array_equal(ids, np.arange(ids[0], ids[0] + ids.size)):
            which = (self.tr("mnist.which_range", first=ids[0], last=ids[-1]) if ids.size > 1
                     else self.tr("mnist.which_one", neuron=ids[0]))
        else:
            which = self.tr("mnist.which_chosen", count=ids.size)
        return self.tr("mnist.weights_title", which=which, n=n_hidden)

    def set_title(self, title: str) -> None:
        """Replace the title (redrawn with the next frame's background)."""
        self.title.set_text(title)
        self.invalidate()


# ---------------------------------------------------------------------------
# (b) hidden activations across samples, (c) one neuron across samples
# ---------------------------------------------------------------------------

class HiddenActivityView(FigureView):
    """Hidden activations across test digits sorted by class, and one neuron's row.

    Parameters
    ----------
    class_starts : sequence of int
        ``n_classes + 1`` positions: class ``c`` occupies columns
        ``class_starts[c]:class_starts[c + 1]`` of the sorted digits
        (:func:`~actviz_widgets.engine.case_study.sort_by_class`).
    n_hidden : int, default 128
    figsize : (float, float), default (8.3, 6.4)
    dpi : float, default 100
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    ax_map, ax_neuron : matplotlib.axes.Axes
    image : matplotlib.image.AxesImage
        ``get_array()[r, s]`` is the activation of neuron ``order[r]`` for
        sorted digit ``s``.
    values : numpy.ndarray
        ``(n_hidden, n_samples)``: what the heat map shows.
    order : numpy.ndarray
        The neuron shown in each row.
    colorbar : matplotlib.colorbar.Colorbar
    row_box : matplotlib.patches.Rectangle
        Outline of the chosen neuron's row.
    dots : matplotlib.lines.Line2D
        The chosen neuron's activation for each sorted digit (x = column).
    means : matplotlib.collections.LineCollection
        Its mean over each class, one segment across each class's columns.
    neuron_title : PathText
    neuron : int or None
        The chosen neuron.
    """

    def __init__(self, class_starts: Sequence[int], n_hidden: int = 128,
                 figsize: tuple[float, float] = (8.3, 6.4), dpi: float = 100,
                 language: str | None = None) -> None:
        super().__init__(figsize, dpi, language=language)
        self.class_starts = starts = _check_starts(class_starts)
        self.n_samples = int(starts[-1])
        self.n_classes = len(starts) - 1
        self.n_hidden = check_int("n_hidden", n_hidden, minimum=1)
        self.neuron: int | None = None
        self.order = np.arange(self.n_hidden)
        self.values = np.full((self.n_hidden, self.n_samples), np.nan)
        self.signed = False
        self.class_mean = np.full(self.n_classes, np.nan)
        fig = self.figure
        self.title = fig.text(0.01, 0.985, "", fontsize=_TITLE, weight="bold", va="top")
        grid = GridSpec(2, 2, figure=fig, width_ratios=[1.0, 0.025], height_ratios=[1.6, 1.0],
                        left=0.085, right=0.905, top=0.93, bottom=0.075, wspace=0.03,
                        hspace=0.36)
        self.ax_map = ax = fig.add_subplot(grid[0, 0])
        centres = (starts[:-1] + starts[1:] - 1) / 2
        classes = [str(c) for c in range(self.n_classes)]
        # Many digits per pixel column: "antialiased" averages them instead of dropping some.
        self.norm = Normalize(0.0, 1.0)
        self.image = ax.imshow(self.values, cmap=SEQUENTIAL_CMAP, norm=self.norm,
                               aspect="auto", interpolation="antialiased",
                               extent=(-0.5, self.n_samples - 0.5, self.n_hidden - 0.5, -0.5))
        ax.set_xticks(centres, labels=classes)
        ax.tick_params(labelsize=_SMALL, length=2)
        ax.set_ylabel(self.tr("mnist.hidden_neuron"), fontsize=_LABEL)
        ax.set_xlabel(self.tr("mnist.activity_xlabel"), fontsize=_LABEL, labelpad=2)
        for s in starts[1:-1]:
            ax.axvline(s - 0.5, color="white", lw=1.2)
        self.colorbar = fig.colorbar(self.image, cax=fig.add_subplot(grid[0, 1]))
        self.colorbar.ax.tick_params(labelsize=_SMALL)
        self.colorbar.set_label(self.tr("mnist.activation_a"), fontsize=_LABEL)
        self.row_box = self.dynamic(Rectangle((-0.5, -0.5), self.n_samples, 1.0, fill=False,
                                              edgecolor=SELECTED_COLOR, lw=1.6))
        ax.add_patch(self.row_box)

        self.ax_neuron = ax = fig.add_subplot(grid[1, 0], sharex=self.ax_map)
        ax.tick_params(labelsize=_SMALL, length=2)
        ax.set_ylabel(self.tr("mnist.activation_a"), fontsize=_LABEL)
        ax.set_xlabel(self.tr("mnist.neuron_xlabel"), fontsize=_LABEL, labelpad=2)
        ax.grid(axis="y", color="0.92", lw=0.6)
        for s in starts[1:-1]:
            ax.axvline(s - 0.5, color="0.75", lw=0.6)
        self.dots = self.dynamic(ax.plot([], [], ".", color="#555555", ms=2.5, mew=0)[0])
        self.means = self.dynamic(LineCollection(np.zeros((self.n_classes, 2, 2)),
                                                 colors=SELECTED_COLOR, linewidths=2.4))
        ax.add_collection(self.means, autolim=False)
        self.neuron_title = self.dynamic(PathText(ax, 0.0, 1.0, "", ha="left", va="bottom",
                                                  fontsize=_LABEL, offset=(0.0, 4.0)))

    def set_activations(self, hidden, order: Sequence[int] | None = None,
                        signed: bool | None = None, title: str | None = None) -> None:
        """Show the hidden activations of the sorted digits (redraws the background).

        Parameters
        ----------
        hidden : array_like
            ``(n_samples, n_hidden)``: activations of the digits in sorted
            order (``hidden_activations(net, X_test)[sort_order]``).
        order : sequence of int, optional
            The neuron of each row, top down (e.g. ``neuron_order``);
            default: 0, 1, 2, ...
        signed : bool, optional
            Diverging map centred at 0 (True) or sequential from 0 (False);
            default: signed if any activation is negative.
        title : str, optional
            The figure title.
        """
        hidden = check_array("hidden", hidden, shape=(self.n_samples, self.n_hidden))
        order = np.arange(self.n_hidden) if order is None else np.asarray(order)
        if order.shape != (self.n_hidden,) or not np.array_equal(np.sort(order),
                                                                 np.arange(self.n_hidden)):
            raise ValueError(f"order must be a permutation of the {self.n_hidden} neurons; "
                             f"got {np.asarray(order).tolist()[:10]}...")
        self.order = order.astype(np.int64)
        self.values = hidden.T[self.order].copy()
        signed = _signed_or_not(hidden, signed)
        self.signed = signed
        lo, hi = _scale_for(hidden, signed)
        self.norm.vmin, self.norm.vmax = lo, hi
        self.image.set_cmap(SIGNED_CMAP if signed else SEQUENTIAL_CMAP)
        self.image.set_data(self.values)
        top = colour_limit([np.abs(hidden).max()])  # the largest, rounded up: none clipped
        self.ax_neuron.set_ylim(-top if signed else -0.04 * top, top)
        if order is not None and not np.array_equal(self.order, np.arange(self.n_hidden)):
            self.ax_map.set_ylabel(self.tr("mnist.hidden_neuron_regrouped"), fontsize=_LABEL)
        self.ax_map.set_yticks([])
        if title is not None:
            self.title.set_text(title)
        self.invalidate()
        if self.neuron is not None:
            self.select(self.neuron)

    def select(self, neuron: int) -> None:
        """Outline ``neuron``'s row and draw its activations below (blitted)."""
        neuron = check_int("neuron", neuron, minimum=0, maximum=self.n_hidden - 1)
        self.neuron = neuron
        row = int(np.flatnonzero(self.order == neuron)[0])
        self.row_box.set_y(row - 0.5)
        acts = self.values[row]
        self.dots.set_data(np.arange(self.n_samples), acts)
        starts = self.class_starts
        segs = np.zeros((self.n_classes, 2, 2))
        with np.errstate(invalid="ignore"):
            for c in range(self.n_classes):
                part = acts[starts[c]:starts[c + 1]]
                mean = part.mean() if part.size else np.nan
                segs[c] = [[starts[c] - 0.5, mean], [starts[c + 1] - 0.5, mean]]
        self.class_mean = segs[:, 0, 1].copy()
        self.means.set_segments(segs)
        if not np.isfinite(self.class_mean).any():
            self.neuron_title.set_text(self.tr("mnist.neuron_nothing_yet", neuron=neuron))
            return
        best = int(np.nanargmax(self.class_mean))
        active = float(np.mean(acts > 0)) if not self.signed else None
        extra = "" if active is None else self.tr("mnist.neuron_active",
                                                  share=f"{100 * active:.0f}")
        self.neuron_title.set_text(self.tr("mnist.neuron_title", neuron=neuron, best=best,
                                           extra=extra))


def _sqrt(x):
    """The step axis's scale: square root, 0 below 0 (matplotlib probes outside the limits)."""
    return np.sqrt(np.maximum(x, 0.0))


def _step_ticks(total: int, per_epoch: int | None = None) -> list[int]:
    """Step ticks for a square-root axis from 0 to ``total``: 0, a fifth of an epoch,
    1, 2, 4, 6, 8, 12, ... epochs (a tenth of the run if ``per_epoch`` is unknown)."""
    per = per_epoch or max(total / 10, 1)
    multiples = (0.2, 1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
    ticks = sorted({0, total} | {int(round(m * per)) for m in multiples if m * per < total})
    # keep ticks at least 7 % of the width apart on the axis (labels would touch)
    kept = [0]
    for t in ticks[1:]:
        if _sqrt(t) - _sqrt(kept[-1]) > 0.07 * _sqrt(total):
            kept.append(t)
        elif t == total:
            kept[-1] = t
    return kept


# ---------------------------------------------------------------------------
# (d) activation map and gradient map over training time
# ---------------------------------------------------------------------------

class NeuronTimelineView(FigureView):
    """Per-neuron activation map and gradient map over training steps.

    The maps are drawn on a true step axis: column ``k`` spans from the
    midpoint with the previous recorded step to the midpoint with the next.
    The axis is scaled by the square root of the step, because neurons
    change most in the first few hundred steps: the first tenth of
    training takes about a third of the width.

    Parameters
    ----------
    steps : sequence of int
        The steps that are (or will be) recorded, increasing; columns not
        recorded yet are left blank, so a widget can draw while training.
    n_hidden : int, default 128
    steps_per_epoch : int, optional
        Named in the step axis's label.
    figsize : (float, float), default (8.3, 7.0)
    dpi : float, default 100
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    ax_curve, ax_act, ax_grad : matplotlib.axes.Axes
    act_mesh, grad_mesh : matplotlib.collections.QuadMesh
        ``get_array()`` is ``(n_hidden, n_records)`` in row order (masked where
        nothing is recorded; the gradient map also where it is exactly 0).
    edges : numpy.ndarray
        The columns' step edges, ``n_records + 1``.
    order : numpy.ndarray
        The neuron of each row, top down.
    loss_line, acc_line : matplotlib.lines.Line2D
    cursor_lines : list of matplotlib.lines.Line2D
        The chosen step in the three panels.
    row_boxes : list of Rectangle
        The chosen neuron's row in the two maps.
    readout : PathText
        The chosen neuron's numbers at the chosen step.
    """

    def __init__(self, steps: Sequence[int], n_hidden: int = 128,
                 steps_per_epoch: int | None = None,
                 figsize: tuple[float, float] = (8.3, 7.0), dpi: float = 100,
                 language: str | None = None) -> None:
        super().__init__(figsize, dpi, language=language)
        steps = np.asarray(steps)
        if (steps.ndim != 1 or steps.size < 2 or not np.issubdtype(steps.dtype, np.integer)
                or steps[0] < 0 or np.any(np.diff(steps) <= 0)):
            raise ValueError("steps must be at least two increasing non-negative integer steps; "
                             f"got {steps.tolist()}")
        self.steps = steps.astype(np.int64)
        self.n_hidden = check_int("n_hidden", n_hidden, minimum=1)
        self.n_records = self.steps.size
        mid = (self.steps[:-1] + self.steps[1:]) / 2
        self.edges = np.concatenate([[self.steps[0]], mid, [self.steps[-1]]]).astype(float)
        self.order = np.arange(self.n_hidden)
        self.neuron: int | None = None
        self.record: int | None = None
        self.count = 0
        fig = self.figure
        self.title = fig.text(0.01, 0.988, "", fontsize=_TITLE, weight="bold", va="top")
        grid = GridSpec(3, 2, figure=fig, width_ratios=[1.0, 0.025],
                        height_ratios=[0.55, 1.0, 1.0], left=0.085, right=0.87, top=0.895,
                        bottom=0.075, wspace=0.03, hspace=0.3)
        x0, x1 = self.edges[0], self.edges[-1]
        rows = np.arange(self.n_hidden + 1) - 0.5
        blank = np.ma.masked_all((self.n_hidden, self.n_records))

        # probe loss and accuracy: what the neurons' changes add up to
        self.ax_curve = ax = fig.add_subplot(grid[0, 0])
        ax.set_xscale("function", functions=(_sqrt, np.square))
        ax.set_xlim(x0, x1)
        ax.set_xticks(_step_ticks(int(x1), steps_per_epoch))
        ax.set_ylim(0.0, 1.0)
        ax.tick_params(labelsize=_SMALL, length=2, labelbottom=False)
        ax.set_ylabel(self.tr("mnist.accuracy"), fontsize=_LABEL, color=TRUE_COLOR)
        ax.grid(axis="y", color="0.92", lw=0.6)
        self.acc_line = self.dynamic(ax.plot([], [], color=TRUE_COLOR, lw=1.4)[0])
        self.ax_loss = twin = ax.twinx()
        twin.set_ylim(0.0, 3.0)
        twin.tick_params(labelsize=_SMALL, length=2)
        twin.set_ylabel(self.tr("mnist.loss"), fontsize=_LABEL, color=PREDICTED_COLOR)
        self.loss_line = self.dynamic(twin.plot([], [], color=PREDICTED_COLOR, lw=1.4)[0])
        ax.set_title(self.tr("mnist.curve_title"), fontsize=_LABEL, loc="left", pad=3)
        xlabel = self.tr("mnist.step_xlabel")
        if steps_per_epoch is not None:
            per = check_int("steps_per_epoch", steps_per_epoch, minimum=1)
            xlabel = self.tr("mnist.step_xlabel_epoch", per=per)

        self.act_norm = Normalize(0.0, 1.0)
        self.ax_act = ax = fig.add_subplot(grid[1, 0], sharex=self.ax_curve)
        self.act_mesh = self.dynamic(ax.pcolormesh(self.edges, rows, blank, cmap=SEQUENTIAL_CMAP,
                                                   norm=self.act_norm, shading="flat"))
        ax.set_ylim(self.n_hidden - 0.5, -0.5)
        ax.tick_params(labelsize=_SMALL, length=2, labelbottom=False)
        ax.set_ylabel(self.tr("mnist.hidden_neuron"), fontsize=_LABEL)
        ax.set_title(self.tr("mnist.act_map_title"), fontsize=_LABEL, loc="left", pad=3)
        self.act_bar = fig.colorbar(self.act_mesh, cax=fig.add_subplot(grid[1, 1]))
        self.act_bar.ax.tick_params(labelsize=_SMALL)
        self.act_bar.set_label(self.tr("mnist.act_colorbar"), fontsize=_LABEL)

        grad_cmap = colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#d9d9d9")
        self.grad_norm = LogNorm(1e-4, 1.0, clip=True)
        self.ax_grad = ax = fig.add_subplot(grid[2, 0], sharex=self.ax_curve)
        self.grad_mesh = self.dynamic(ax.pcolormesh(self.edges, rows, blank, cmap=grad_cmap,
                                                    norm=self.grad_norm, shading="flat"))
        ax.set_ylim(self.n_hidden - 0.5, -0.5)
        ax.tick_params(labelsize=_SMALL, length=2)
        ax.set_ylabel(self.tr("mnist.hidden_neuron"), fontsize=_LABEL)
        ax.set_xlabel(xlabel, fontsize=_LABEL, labelpad=2)
        ax.set_title(self.tr("mnist.grad_map_title"), fontsize=_LABEL, loc="left", pad=3)
        self.grad_bar = fig.colorbar(self.grad_mesh, cax=fig.add_subplot(grid[2, 1]))
        self.grad_bar.ax.tick_params(labelsize=_SMALL)
        short_log_ticks(self.grad_bar)
        self.grad_bar.set_label(self.tr("mnist.grad_colorbar"), fontsize=_LABEL)
        for a in (self.ax_act, self.ax_grad):
            a.set_yticks([])

        self.cursor_lines = [self.dynamic(a.axvline(x0, color=SELECTED_COLOR, lw=1.2))
                             for a in (self.ax_curve, self.ax_act, self.ax_grad)]
        self.row_boxes = []
        for a in (self.ax_act, self.ax_grad):
            box = self.dynamic(Rectangle((x0, -0.5), x1 - x0, 1.0, fill=False,
                                         edgecolor=SELECTED_COLOR, lw=1.4))
            a.add_patch(box)
            self.row_boxes.append(box)
        for artist in self.cursor_lines + self.row_boxes:
            artist.set_visible(False)
        self.readout = self.dynamic(PathText(fig, 0.01, 0.952, "", ha="left", va="top",
                                             fontsize=_LABEL))
        self.activation = np.full((self.n_hidden, self.n_records), np.nan)
        self.gradient = np.full((self.n_hidden, self.n_records), np.nan)

    def set_timeline(self, steps, activation, gradient, loss, accuracy,
                     order: Sequence[int] | None = None, signed: bool | None = None,
                     title: str | None = None) -> None:
        """Show the records made so far (a prefix of the view's ``steps``).

        Parameters
        ----------
        steps : array_like of int
            ``(k,)``: the recorded steps, equal to the first ``k`` of the view's.
        activation, gradient : array_like
            ``(n_hidden, k)``: mean activation and mean |∂L/∂z| per neuron and record.
        loss, accuracy : array_like
            ``(k,)`` on the probe batch.
        order : sequence of int, optional
            The neuron of each row, top down; default 0, 1, 2, ...
        signed : bool, optional
            Activation colours: diverging at 0 (True) or sequential from 0
            (False); default: signed if any value is negative.
        title : str, optional
        """
        steps = np.asarray(steps)
        k = steps.size
        if k > self.n_records or not np.array_equal(steps, self.steps[:k]):
            raise ValueError(f"steps must be the first records of {self.steps.tolist()[:6]}...; "
                             f"got {steps.tolist()[:6]}...")
        activation = check_array("activation", activation, shape=(self.n_hidden, k))
        gradient = check_array("gradient", gradient, shape=(self.n_hidden, k))
        loss = check_array("loss", loss, shape=(k,))
        accuracy = check_array("accuracy", accuracy, shape=(k,))
        if np.any(gradient < 0):
            raise ValueError("gradient must hold magnitudes (>= 0)")
        order = np.arange(self.n_hidden) if order is None else np.asarray(order)
        if order.shape != (self.n_hidden,) or not np.array_equal(np.sort(order),
                                                                 np.arange(self.n_hidden)):
            raise ValueError(f"order must be a permutation of the {self.n_hidden} neurons")
        self.order = order.astype(np.int64)
        self.count = k
        self.activation[:] = np.nan
        self.gradient[:] = np.nan
        self.activation[:, :k] = activation[self.order]
        self.gradient[:, :k] = gradient[self.order]
        act = np.ma.masked_invalid(self.activation)
        grad = np.ma.masked_where(~(self.gradient > 0), self.gradient)
        self.act_mesh.set_array(act)
        self.grad_mesh.set_array(grad)
        before = self._scales()
        if k:
            signed = _signed_or_not(activation, signed)
            lo, hi = _scale_for(activation, signed)
            self.act_norm.vmin, self.act_norm.vmax = lo, hi
            self.act_mesh.set_cmap(SIGNED_CMAP if signed else SEQUENTIAL_CMAP)
            positive = gradient[gradient > 0]
            top = nice_limit(float(positive.max())) if positive.size else 1.0
            self.grad_norm.vmin, self.grad_norm.vmax = top * 1e-4, top
            self.ax_loss.set_ylim(0.0, colour_limit([loss.max()]))
        x = self.steps[:k]
        self.loss_line.set_data(x, loss)
        self.acc_line.set_data(x, accuracy)
        if title is not None and title != self.title.get_text():
            self.title.set_text(title)
            self.invalidate()
        # While records arrive the maps are blitted (a new record rarely moves a rounded
        # limit, so the background stays); once complete they join the background, so
        # choosing a neuron or a step redraws only the marks.
        live = k < self.n_records
        if self.act_mesh.get_animated() != live:
            for mesh in (self.act_mesh, self.grad_mesh):
                if live:
                    self.dynamic(mesh)
                else:
                    self.freeze([mesh])
            self.invalidate()
        if self._scales() != before or not live:
            self.invalidate()
        if self.neuron is not None and self.record is not None:
            self.select(self.neuron, min(self.record, max(k - 1, 0)))

    def _scales(self) -> tuple:
        """Everything of the background that the data sets: colour scales, map, loss axis."""
        return (self.act_norm.vmin, self.act_norm.vmax, self.act_mesh.get_cmap().name,
                self.grad_norm.vmin, self.grad_norm.vmax, self.ax_loss.get_ylim())

    def select(self, neuron: int, record: int) -> None:
        """Outline ``neuron``'s rows, mark record ``record``'s step, print its numbers."""
        neuron = check_int("neuron", neuron, minimum=0, maximum=self.n_hidden - 1)
        record = check_int("record", record, minimum=0, maximum=self.n_records - 1)
        self.neuron, self.record = neuron, record
        row = int(np.flatnonzero(self.order == neuron)[0])
        step = self.steps[record]
        for line in self.cursor_lines:
            line.set_xdata([step, step])
            line.set_visible(True)
        for box in self.row_boxes:
            box.set_y(row - 0.5)
            box.set_visible(True)
        if record < self.count:
            a, g = self.activation[row, record], self.gradient[row, record]
            self.readout.set_text(self.tr("mnist.readout", neuron=neuron, step=step, a=fmt(a),
                                          g=fmt(g)))
        else:
            self.readout.set_text(self.tr("mnist.readout_not_yet", neuron=neuron, step=step))


# ---------------------------------------------------------------------------
# (e) misclassified digits with the network's probabilities
# ---------------------------------------------------------------------------

class MisclassifiedView(FigureView):
    """Wrongly classified digits, each above a bar chart of its ten output probabilities.

    Parameters
    ----------
    n_tiles : int, default 12
    columns : int, default 6
    n_classes : int, default 10
    image_shape : (int, int), default (28, 28)
    figsize : (float, float), optional
        Default: 8.6 inches wide, tall enough for the rows.
    dpi : float, default 100
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    images : list of matplotlib.image.AxesImage
        ``images[k].get_array()`` is the k-th digit's pixels (0 = paper, 1 = ink).
    bars : list of list of matplotlib.patches.Rectangle
        ``bars[k][c].get_height()`` is the k-th digit's probability of class ``c``.
    captions : list of PathText
        "true 4, said 9".
    shown : int
        Tiles in use.
    """

    def __init__(self, n_tiles: int = 12, columns: int = 6, n_classes: int = 10,
                 image_shape: tuple[int, int] = (28, 28),
                 figsize: tuple[float, float] | None = None, dpi: float = 100,
                 language: str | None = None) -> None:
        self.n_tiles = check_int("n_tiles", n_tiles, minimum=1)
        self.columns = min(check_int("columns", columns, minimum=1), self.n_tiles)
        self.n_classes = check_int("n_classes", n_classes, minimum=2)
        self.image_shape = tuple(image_shape)
        rows = -(-self.n_tiles // self.columns)
        if figsize is None:
            figsize = (8.3, 0.75 + 2.45 * rows)
        super().__init__(figsize, dpi, language=language)
        fig = self.figure
        height = fig.get_figheight()
        self.title = fig.text(0.01, 1 - 0.08 / height, "", fontsize=_TITLE, weight="bold",
                              va="top")
        fig.text(0.01, 1 - 0.34 / height, self.tr("mnist.mistakes_subtitle"), fontsize=_LABEL,
                 va="top", color="#333333")
        outer = GridSpec(rows, self.columns, figure=fig, left=0.065, right=0.99,
                         top=1 - 0.72 / height, bottom=0.3 / height, wspace=0.28, hspace=0.3)
        self.image_axes, self.bar_axes, self.images, self.bars, self.captions = [], [], [], [], []
        classes = np.arange(self.n_classes)
        for k in range(self.n_tiles):
            cell = outer[k // self.columns, k % self.columns].subgridspec(
                2, 1, height_ratios=[1.45, 1.0], hspace=0.08)
            ax = fig.add_subplot(cell[0])
            _bare(ax)
            self.image_axes.append(ax)
            self.images.append(self.dynamic(ax.imshow(np.zeros(self.image_shape), cmap="Greys",
                                                      vmin=0.0, vmax=1.0,
                                                      interpolation="nearest")))
            self.captions.append(self.dynamic(PathText(ax, 0.5, 1.0, "", ha="center",
                                                       va="bottom", fontsize=_LABEL,
                                                       offset=(0.0, 2.0))))
            bx = fig.add_subplot(cell[1])
            bars = bx.bar(classes, np.zeros(self.n_classes), width=0.75, color=_OTHER_COLOR)
            self.bars.append([self.dynamic(bar) for bar in bars])
            bx.set_ylim(0.0, 1.0)
            bx.set_xlim(-0.6, self.n_classes - 0.4)
            bx.set_xticks(classes if self.n_classes <= 10 else classes[::2])
            bx.tick_params(labelsize=_SMALL, length=2, pad=1)
            bx.set_yticks([0.0, 0.5, 1.0], labels=["0", "0.5", "1"] if k % self.columns == 0
                          else [])
            bx.grid(axis="y", color="0.9", lw=0.6)
            bx.set_axisbelow(True)
            if k % self.columns == 0:
                bx.set_ylabel("p", fontsize=_LABEL, labelpad=4)
            self.bar_axes.append(bx)
        self.shown = 0

    def update(self, images, labels, probabilities, title: str | None = None) -> None:
        """Show up to ``n_tiles`` digits (fewer: the other tiles are hidden).

        Parameters
        ----------
        images : array_like
            ``(k, rows · cols)`` or ``(k, rows, cols)`` pixels in [0, 1].
        labels : array_like of int
            ``(k,)`` true classes.
        probabilities : array_like
            ``(k, n_classes)`` the network's outputs.
        title : str, optional
        """
        probabilities = check_array("probabilities", probabilities, ndim=2)
        k = probabilities.shape[0]
        if k > self.n_tiles or probabilities.shape[1] != self.n_classes:
            raise ValueError(f"probabilities must have shape (k, {self.n_classes}) with k <= "
                             f"{self.n_tiles}; got {probabilities.shape}")
        images = check_array("images", images).reshape(k, *self.image_shape) if k else \
            np.zeros((0, *self.image_shape))
        labels = np.asarray(labels)
        if labels.shape != (k,) or (k and (labels.min() < 0 or labels.max() >= self.n_classes)):
            raise ValueError(f"labels must hold {k} classes in 0..{self.n_classes - 1}; got "
                             f"{labels.tolist()}")
        for t in range(self.n_tiles):
            shown = t < k
            for ax in (self.image_axes[t], self.bar_axes[t]):
                if ax.get_visible() != shown:
                    ax.set_visible(shown)
                    self.invalidate()
            if not shown:
                continue
            p = probabilities[t]
            said, true = int(np.argmax(p)), int(labels[t])
            self.images[t].set_data(images[t])
            for c, bar in enumerate(self.bars[t]):
                bar.set_height(p[c])
                bar.set_color(PREDICTED_COLOR if c == said and said != true else
                              TRUE_COLOR if c == true else _OTHER_COLOR)
            self.captions[t].set_text(self.tr("mnist.caption", true=true, said=said))
        self.shown = k
        if title is not None:
            self.title.set_text(title)
            self.invalidate()
