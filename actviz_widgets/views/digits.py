"""The digits case study, drawn: what a trained 64-32-10 network's hidden layer does.

:class:`DigitsView` lays out, for a network trained on the 8×8 digits:

* top: the hidden layer's activations for every test digit (columns, sorted
  by class, classes 0–9 marked) and every hidden neuron (rows), next to the
  mean activation of each neuron for each class;
* middle: the chosen neuron's activation across the same digits (one row of
  the heatmap as a curve), next to its 64 incoming weights drawn as an 8×8
  image (the input pattern that excites it most);
* bottom, for the chosen digit: its pixels, the output probabilities, the
  gradient of its loss with respect to each hidden neuron's pre-activation
  (δ = ∂L/∂z), and the confusion matrix of the whole test split with the
  digit's cell outlined.

What depends only on the network (the two heatmaps, the confusion matrix,
titles, colour scales) is set by :meth:`DigitsView.set_network`, which
redraws the background; choosing a digit or a neuron
(:meth:`DigitsView.update`) only moves dynamic artists, so it is blitted.
Every number comes from the caller (the widget reads them from the engine).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from ..engine.validation import check_array, check_int
from .base import FigureView
from .heatmap import HeatmapPanel
from .network_diagram import NEGATIVE_COLOR, POSITIVE_COLOR, nice_limit
from .palette import SEQUENTIAL_CMAP, SIGNED_CMAP
from .text import PathText, fmt, fmt_short

__all__ = ["DigitsView", "PREDICTED_COLOR", "SELECTED_COLOR", "colour_limit", "bar_verts",
           "bar_heights"]

#: Bars of the output probabilities (Okabe–Ito blue).
PREDICTED_COLOR = "#0072B2"
#: Outline of the chosen neuron / digit everywhere (Okabe–Ito orange).
SELECTED_COLOR = "#E69F00"
# δ axis ticks, as fractions of the limit
_DELTA_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)
_POSITIVE, _NEGATIVE = np.array(POSITIVE_COLOR), np.array(NEGATIVE_COLOR)
_SELECTED, _EDGE = np.array(to_rgba(SELECTED_COLOR)), np.array(to_rgba("#333333"))


def bar_verts(heights, width: float) -> np.ndarray:
    """Corners of bars ``k = 0, 1, ...`` centred at x = k, from 0 to ``heights[k]``.

    One ``PolyCollection`` of these costs one draw call where as many
    ``Rectangle`` patches cost one each (a tenth of a millisecond apiece).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 4, 2)``.
    """
    h = np.asarray(heights, dtype=float)
    x = np.arange(len(h), dtype=float)
    left, right = x - width / 2, x + width / 2
    zero = np.zeros_like(h)
    return np.stack([np.stack([left, zero], -1), np.stack([left, h], -1),
                     np.stack([right, h], -1), np.stack([right, zero], -1)], axis=1)


def bar_heights(bars: PolyCollection) -> np.ndarray:
    """The heights of bars drawn with :func:`bar_verts` (their second corner's y)."""
    return np.array([path.vertices[1, 1] for path in bars.get_paths()])


def colour_limit(values) -> float:
    """A symmetric colour limit for ``values``: their 99.5th percentile of ``|v|``, rounded
    up to one significant digit (the rare larger values saturate; 1 if all are 0)."""
    magnitude = np.abs(np.asarray(values, dtype=float))
    peak = float(np.nanpercentile(magnitude, 99.5)) if magnitude.size else 0.0
    if not peak > 0:
        peak = float(np.nanmax(magnitude, initial=0.0))
    if not peak > 0:
        return 1.0
    unit = 10.0 ** np.floor(np.log10(peak))
    return float(np.ceil(peak / unit - 1e-9) * unit)


class DigitsView(FigureView):
    """Hidden activations across the test digits, one neuron, one digit, the confusion matrix.

    Parameters
    ----------
    class_starts : sequence of int
        ``n_classes + 1`` positions: class ``c`` occupies columns
        ``class_starts[c]:class_starts[c + 1]`` of the sorted test digits.
    n_hidden : int, default 32
        Hidden neurons.
    image_shape : (int, int), default (8, 8)
        Shape of an input image.
    figsize : (float, float), default (8.3, 7.2)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    ax_hidden, ax_means, ax_neuron, ax_weights, ax_digit, ax_probs, ax_delta, ax_confusion :
        matplotlib.axes.Axes
    hidden : HeatmapPanel
        Activations a, neurons (rows) × sorted test digits (columns).
    means : HeatmapPanel
        Mean activation per neuron (rows) and class (columns).
    neuron_line : matplotlib.lines.Line2D
        The chosen neuron's activation across the sorted digits (one y scale
        for all neurons of a network, fixed by :meth:`set_network`).
    neuron_marker, neuron_dot : matplotlib.lines.Line2D
        The chosen digit on that curve.
    neuron_title : PathText
    weights : HeatmapPanel
        The chosen neuron's incoming weights as an 8×8 image, divided by
        their largest magnitude (scale ±1).
    digit : HeatmapPanel
        The chosen digit's pixels (0 = blank, 1 = full ink).
    prob_bars : matplotlib.collections.PolyCollection
        Output probability of each class: bar ``c`` spans ``c ± 0.35`` from 0
        to the probability (:func:`bar_heights` reads them back); the true
        class is outlined.
    prob_title : PathText
    delta_bars : matplotlib.collections.PolyCollection
        δ = ∂L/∂z of each hidden neuron for the chosen digit's loss, drawn as
        ``δ / delta_limit`` on fixed axes [-1, 1] (the chosen neuron outlined).
    delta_limit : float
        The 1-2-5 value at the top of the δ axis (``max |δ|`` rounded up).
    delta_ticks : list of PathText
        The δ axis's numbers: −limit, −limit/2, 0, limit/2, limit.
    confusion : HeatmapPanel
        Counts, true class (rows) × predicted class (columns), printed in the cells.
    neuron_row, neuron_row_means : Rectangle
        Outline of the chosen neuron's row in ``hidden`` and ``means``.
    sample_line : matplotlib.lines.Line2D
        The chosen digit's column in ``hidden``.
    confusion_cell : Rectangle
        The chosen digit's (true, predicted) cell.
    title : matplotlib.text.Text
        The figure title (network, accuracy).
    selection : tuple of int or None
        ``(position, neuron)`` drawn by the last :meth:`update`.
    """

    def __init__(self, class_starts: Sequence[int], n_hidden: int = 32,
                 image_shape: tuple[int, int] = (8, 8),
                 figsize: tuple[float, float] = (8.3, 7.2), dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language=language)
        starts = np.asarray(class_starts, dtype=int)
        if starts.ndim != 1 or len(starts) < 2 or np.any(np.diff(starts) < 0) or starts[0] != 0:
            raise ValueError("class_starts must be increasing positions starting at 0, one per "
                             f"class plus the end; got {list(starts)}")
        self.class_starts = starts
        self.n_samples = int(starts[-1])
        self.n_classes = len(starts) - 1
        self.n_hidden = check_int("n_hidden", n_hidden, minimum=1)
        self.image_shape = tuple(image_shape)
        self.selection: tuple[int, int] | None = None
        fig = self.figure
        self.title = fig.text(0.01, 0.985, "", fontsize=11, weight="bold", va="top")

        top = GridSpec(2, 2, figure=fig, width_ratios=[3.3, 1.0], height_ratios=[1.5, 1.0],
                       left=0.065, right=0.9, top=0.9, bottom=0.42, wspace=0.22,
                       hspace=0.5)
        bottom = GridSpec(1, 4, figure=fig, width_ratios=[0.8, 1.1, 1.35, 1.05], left=0.03,
                          right=0.975, top=0.315, bottom=0.06, wspace=0.36)
        self.ax_hidden = fig.add_subplot(top[0, 0])
        self.ax_means = fig.add_subplot(top[0, 1])
        self.ax_neuron = fig.add_subplot(top[1, 0])
        self.ax_weights = fig.add_subplot(top[1, 1])
        self.ax_digit = fig.add_subplot(bottom[0, 0])
        self.ax_probs = fig.add_subplot(bottom[0, 1])
        self.ax_delta = fig.add_subplot(bottom[0, 2])
        self.ax_confusion = fig.add_subplot(bottom[0, 3])
        centres = (starts[:-1] + starts[1:] - 1) / 2
        classes = [str(c) for c in range(self.n_classes)]
        neuron_ticks = list(range(0, self.n_hidden, 4))

        # hidden activations: neurons × sorted digits, class blocks marked
        self.hidden = HeatmapPanel(self, self.ax_hidden, shape=(self.n_hidden, self.n_samples),
                                   aspect="auto", ylabel=self.tr("digits.hidden_neuron"),
                                   colorbar=True, colorbar_label=self.tr("digits.activation_a"))
        ax = self.ax_hidden
        ax.set_xticks(centres, labels=classes)
        ax.set_yticks(neuron_ticks)
        ax.tick_params(labelsize=8, length=2)
        ax.set_xlabel(self.tr("digits.hidden_xlabel", n=self.n_samples), fontsize=8, labelpad=2)
        for s in starts[1:-1]:
            ax.axvline(s - 0.5, color="black", lw=0.6)
        self.hidden.set_title(self.tr("digits.hidden_title"))
        self.sample_line = self.dynamic(ax.axvline(0.0, color=SELECTED_COLOR, lw=1.6))
        self.neuron_row = self.dynamic(Rectangle((-0.5, -0.5), self.n_samples, 1.0, fill=False,
                                                 edgecolor=SELECTED_COLOR, lw=1.6))
        ax.add_patch(self.neuron_row)

        # mean per class: means are smaller than single activations, hence their own scale
        self.means = HeatmapPanel(self, self.ax_means, shape=(self.n_hidden, self.n_classes),
                                  aspect="auto", colorbar=True,
                                  colorbar_label=self.tr("digits.means_colorbar"),
                                  xticklabels=classes)
        self.ax_means.set_yticks(neuron_ticks)
        self.ax_means.tick_params(labelsize=8, length=2)
        self.means.set_title(self.tr("digits.means_title"))
        self.neuron_row_means = self.dynamic(Rectangle((-0.5, -0.5), self.n_classes, 1.0,
                                                       fill=False, edgecolor=SELECTED_COLOR,
                                                       lw=1.6))
        self.ax_means.add_patch(self.neuron_row_means)

        # One neuron across the digits: the heatmap's row as a curve.  Every neuron of
        # a network is drawn on the same y scale (set by set_network), so neurons
        # compare at a glance and choosing one never redraws the background.
        ax = self.ax_neuron
        ax.set_xlim(-0.5, self.n_samples - 0.5)
        ax.set_xticks(centres, labels=classes)
        ax.tick_params(labelsize=8, length=2)
        ax.set_ylabel(self.tr("digits.activation_a"), fontsize=8)
        ax.grid(axis="y", color="0.92", lw=0.6)
        for s in starts[1:-1]:
            ax.axvline(s - 0.5, color="0.6", lw=0.6)
        ax.axhline(0.0, color="0.5", lw=0.6)
        self.neuron_line = self.dynamic(ax.plot([], [], color="#333333", lw=0.9)[0])
        self.neuron_marker = self.dynamic(ax.axvline(0.0, color=SELECTED_COLOR, lw=1.2,
                                                     ls=":"))
        self.neuron_dot = self.dynamic(ax.plot([], [], "o", color=SELECTED_COLOR, ms=6,
                                               mec="black", mew=0.6, zorder=5)[0])
        self.neuron_title = self.dynamic(PathText(ax, 0.5, 1.0, "", ha="center", va="bottom",
                                                  fontsize=8.5, offset=(0.0, 4.0)))

        # what excites the neuron: its incoming weights as an image
        self.weights = HeatmapPanel(self, self.ax_weights, shape=self.image_shape,
                                    colorbar=True,
                                    colorbar_label=self.tr("digits.weights_colorbar"), ticks=False)

        # the chosen digit
        self.digit = HeatmapPanel(self, self.ax_digit, shape=self.image_shape, cmap="Greys",
                                  vmin=0.0, vmax=1.0, ticks=False)
        ax = self.ax_probs
        self.prob_bars = self.dynamic(PolyCollection(
            bar_verts(np.zeros(self.n_classes), 0.7), facecolors=PREDICTED_COLOR,
            edgecolors="black", linewidths=0.0))
        ax.add_collection(self.prob_bars, autolim=False)
        ax.set_ylim(0.0, 1.0)
        ax.set_xlim(-0.6, self.n_classes - 0.4)
        ax.set_xticks(np.arange(self.n_classes), labels=classes)
        ax.set_yticks([0, 0.5, 1.0])
        ax.tick_params(labelsize=8, length=2)
        ax.set_xlabel(self.tr("digits.probs_xlabel"), fontsize=8, labelpad=2)
        ax.grid(axis="y", color="0.92", lw=0.6)
        ax.set_axisbelow(True)
        self.prob_title = self.dynamic(PathText(ax, 0.5, 1.0, "", ha="center", va="bottom",
                                                fontsize=8.5, offset=(0.0, 4.0)))
        # δ spans orders of magnitude from digit to digit (tiny for a confident right
        # answer): the axes stay fixed at ±1, bars are drawn as δ / limit and the
        # tick numbers (dynamic text) say what ±limit is, so nothing redraws.
        ax = self.ax_delta
        ax.set_xlim(-0.7, self.n_hidden - 0.3)
        ax.set_ylim(-1.0, 1.0)
        ax.set_xticks(neuron_ticks)
        ax.set_yticks(_DELTA_TICKS, labels=[""] * len(_DELTA_TICKS))
        ax.tick_params(labelsize=8, length=2)
        ax.axhline(0.0, color="#333333", lw=0.8)
        ax.grid(axis="y", color="0.92", lw=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel(self.tr("digits.hidden_neuron"), fontsize=8, labelpad=2)
        ax.set_ylabel("δ = ∂L/∂z", fontsize=8, labelpad=24)
        self.delta_bars = self.dynamic(PolyCollection(
            bar_verts(np.zeros(self.n_hidden), 0.75), facecolors=POSITIVE_COLOR,
            edgecolors="#333333", linewidths=0.4))
        ax.add_collection(self.delta_bars, autolim=False)
        left = blended_transform_factory(ax.transAxes, ax.transData)
        self.delta_ticks = [self.dynamic(PathText(ax, 0.0, t, transform=left, ha="right",
                                                  va="center", fontsize=8, offset=(-4.0, 0.0)))
                            for t in _DELTA_TICKS]
        ax.text(0.5, 1.0, self.tr("digits.delta_title"), transform=ax.transAxes,
                ha="center", va="bottom", fontsize=8.5,
                transform_rotates_text=False).set_y(1.06)
        self.delta_limit = 1.0
        self.confusion = HeatmapPanel(self, self.ax_confusion, shape=(self.n_classes,) * 2,
                                      cmap="Blues", vmin=0.0, vmax=1.0, annotate=True,
                                      xticklabels=classes, yticklabels=classes,
                                      xlabel=self.tr("digits.predicted_class"),
                                      ylabel=self.tr("digits.true_class"))
        self.confusion_cell = self.dynamic(Rectangle((-0.5, -0.5), 1.0, 1.0, fill=False,
                                                     edgecolor=SELECTED_COLOR, lw=2.2))
        self.ax_confusion.add_patch(self.confusion_cell)
        # What changes only with the network joins the cached background: redrawing
        # these images and labels on every frame would cost more than the rest.
        self.freeze([self.hidden.image, self.hidden.title, self.means.image, self.means.title,
                      self.confusion.image, self.confusion.title])
        # no level lines here: the panels' (empty) ones need not be drawn at all
        self.freeze(panel.level_line for panel in (self.hidden, self.means, self.weights,
                                                    self.digit, self.confusion))

    # -- the network -----------------------------------------------------------------------
    def set_network(self, hidden: np.ndarray, class_means: np.ndarray, confusion: np.ndarray,
                    accuracy: float, activation: str) -> None:
        """Show a (newly) trained network: the heatmaps, the confusion matrix, the title.

        Parameters
        ----------
        hidden : numpy.ndarray
            ``(n_samples, n_hidden)`` activations of the sorted test digits.
        class_means : numpy.ndarray
            ``(n_classes, n_hidden)`` mean activation per class.
        confusion : numpy.ndarray
            ``(n_classes, n_classes)`` counts, true × predicted.
        accuracy : float
            Test accuracy in [0, 1].
        activation : str
            The hidden activation's display name.
        """
        hidden = check_array("hidden", hidden, shape=(self.n_samples, self.n_hidden))
        class_means = check_array("class_means", class_means,
                                  shape=(self.n_classes, self.n_hidden), finite=False)
        confusion = check_array("confusion", confusion, shape=(self.n_classes, self.n_classes))
        # activations that are never negative (ReLU) on a sequential scale from 0; signed
        # ones on the diverging scale centred at 0
        nonneg = bool(hidden.min() >= 0)
        for panel, values in ((self.hidden, hidden), (self.means, class_means)):
            top = colour_limit(values)
            panel.set_cmap(SEQUENTIAL_CMAP if nonneg else SIGNED_CMAP)
            panel.set_limits(0.0 if nonneg else -top, top)
        self.hidden.update(hidden.T)
        top = colour_limit([np.abs(hidden).max()])  # the largest, rounded up: nothing clipped
        self.ax_neuron.set_ylim(-top if hidden.min() < 0 else -0.03 * top, top)
        self.means.update(class_means.T)
        self.confusion.set_limits(0.0, max(float(confusion.max()), 1.0))
        self.confusion.update(confusion)
        self.freeze(self.confusion.cell_texts)  # (made by the first update)
        percent = f"{100 * accuracy:.1f}"
        self.confusion.set_title(self.tr("digits.confusion_title", accuracy=percent))
        # no training time here: the status above the picture says it, and a
        # time would make the same network's picture differ from run to run
        self.title.set_text(self.tr("digits.title", activation=activation, accuracy=percent,
                                    n=self.n_samples))
        self.invalidate()

    # -- the chosen digit and neuron -------------------------------------------------------
    def update(self, position: int, neuron: int, image: np.ndarray, label: int,
               probabilities: np.ndarray, delta: np.ndarray, neuron_activations: np.ndarray,
               incoming: np.ndarray) -> None:
        """Show the chosen digit and neuron.

        Parameters
        ----------
        position : int
            The digit's column among the sorted test digits.
        neuron : int
            The hidden neuron (0-based).
        image : numpy.ndarray
            The digit's pixels, ``image_shape``, in [0, 1].
        label : int
            Its true class.
        probabilities : numpy.ndarray
            ``(n_classes,)`` output probabilities.
        delta : numpy.ndarray
            ``(n_hidden,)`` δ = ∂L/∂z of the hidden neurons for this digit's loss.
        neuron_activations : numpy.ndarray
            ``(n_samples,)`` the neuron's activation for every sorted digit.
        incoming : numpy.ndarray
            ``(n_inputs,)`` the neuron's incoming weights.
        """
        position = check_int("position", position, minimum=0, maximum=self.n_samples - 1)
        neuron = check_int("neuron", neuron, minimum=0, maximum=self.n_hidden - 1)
        probabilities = check_array("probabilities", probabilities, shape=(self.n_classes,))
        predicted = int(np.argmax(probabilities))
        self.digit.update(np.reshape(image, self.image_shape))
        verdict = self.tr("digits.right" if predicted == label else "digits.wrong")
        self.digit.set_title(self.tr("digits.digit_title", position=position, label=label))
        self.prob_bars.set_verts(bar_verts(probabilities, 0.7))
        self.prob_bars.set_linewidths([1.8 if c == label else 0.0
                                       for c in range(self.n_classes)])
        self.prob_title.set_text(self.tr("digits.probs_title", predicted=predicted,
                                         p=f"{probabilities[predicted]:.4f}", verdict=verdict))
        delta = check_array("delta", delta, shape=(self.n_hidden,))
        peak = float(np.abs(delta).max())
        self.delta_limit = limit = nice_limit(peak) if peak > 0 else 1.0
        for t, text in zip(_DELTA_TICKS, self.delta_ticks):
            text.set_text(fmt_short(t * limit))
        self.delta_bars.set_verts(bar_verts(delta / limit, 0.75))
        self.delta_bars.set_facecolor(np.where((delta >= 0)[:, None], _POSITIVE, _NEGATIVE))
        chosen = np.arange(self.n_hidden) == neuron
        self.delta_bars.set_edgecolor(np.where(chosen[:, None], _SELECTED, _EDGE))
        self.delta_bars.set_linewidths(np.where(chosen, 1.8, 0.4))
        self.sample_line.set_xdata([position, position])
        self.neuron_row.set_y(neuron - 0.5)
        self.neuron_row_means.set_y(neuron - 0.5)
        self.confusion_cell.set_xy((predicted - 0.5, label - 0.5))
        acts = check_array("neuron_activations", neuron_activations, shape=(self.n_samples,))
        self.neuron_line.set_data(np.arange(self.n_samples), acts)
        self.neuron_marker.set_xdata([position, position])
        self.neuron_dot.set_data([position], [acts[position]])
        self.neuron_title.set_text(self.tr("digits.neuron_title", neuron=neuron))
        incoming = check_array("incoming", incoming, ndim=1)
        peak = float(np.abs(incoming).max())
        self.weights.update(np.reshape(incoming / peak if peak > 0 else incoming,
                                       self.image_shape))
        self.weights.set_title(self.tr("digits.weights_title", neuron=neuron, peak=fmt(peak)))
        self.selection = (position, neuron)
