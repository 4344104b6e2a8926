"""The training playground's picture: network, neuron heatmaps, boundary, curves.

:class:`PlaygroundView` composes the reusable panels:

* left: the :class:`~.network_diagram.NetworkDiagram` (edges coloured by the
  weight's sign and sized by ``|w|``) with, on every hidden neuron, a small
  heatmap of its output over the input plane (:class:`~.heatmap.HeatmapTiles`,
  one shared colour scale, the diagram's colour bar); with one input (the
  sine set) each tile is a colour strip along x with the neuron's curve
  drawn on it. The optional gradient overlay puts beside every hidden and
  output neuron a bar and the number of its mean ``|δ|`` over the training
  set (``δ = ∂L/∂z``);
* right, top: the output over the input plane with the ``ŷ = 0.5`` decision
  boundary and the training (●) and test (▲) points
  (:class:`~.heatmap.HeatmapPanel`), or for regression the curve ``ŷ(x)``
  over the points;
* right, bottom: training and test loss (log scale) and, for
  classification, accuracy against epochs (:class:`~.linechart.LineChartPanel`);
* a title with the epoch and step, a line of current numbers and a status
  line (history view, divergence).

Every number comes in through :meth:`PlaygroundView.update` (a
:class:`~actviz_widgets.engine.grid.GridField` from one batched forward
pass, the weights, the history curves): the view computes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.transforms import IdentityTransform

from ..engine.grid import GridField
from .base import FigureView
from .heatmap import HeatmapPanel, HeatmapTiles
from .linechart import LineChartPanel
from .network_diagram import NetworkDiagram, nice_limit
from .palette import SEQUENTIAL_CMAP, SIGNED_CMAP, is_nonnegative
from .text import PathText, fmt, fmt_short, wrap_text

__all__ = ["BACKGROUND_CACHE", "GRAD_COLOR", "PlaygroundView"]

#: Distinct colours of the heatmaps: fewer than 256 keeps frames under 200 KB.
TILE_LEVELS = 32
#: How many static backgrounds (about 3 MB each) the view keeps.
BACKGROUND_CACHE = 6

#: Colour of the gradient bars (Okabe–Ito bluish green: apart from the map's red/blue).
GRAD_COLOR = "#009E73"
_NOTE_COLOR = "#333333"
_ERROR_COLOR = "#b00020"
_FONT = "DejaVu Sans"


class PlaygroundView(FigureView):
    """Network with neuron heatmaps, output over the plane, loss and accuracy curves.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes, input first: 1 or 2 inputs, one output.
    activations : sequence of str
        Activation names of layers 1..L.
    extent : tuple of float
        ``(x0, x1, y0, y1)`` for two inputs, ``(x0, x1)`` for one: the grid's span.
    classification : bool, default True
        Binary classification (output in [0, 1], boundary at 0.5, accuracy
        chart) or regression (curve ŷ(x), no accuracy).
    grid_n : int, default 40
        Grid points per axis of the fields given to :meth:`update`.
    figsize : (float, float), default (8.3, 6.4)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : {"en", "zh"}, optional
        Of the picture's texts (catalogue area ``playground``); default the
        current language.

    Attributes
    ----------
    diagram : NetworkDiagram
    tiles : HeatmapTiles
        One tile per hidden neuron, layer by layer (``tile_index``).
    tile_index : list of (int, int)
        ``(layer, neuron)`` of each tile.
    boundary : HeatmapPanel or None
        The output over the plane (two inputs).
    curve_line : matplotlib.lines.Line2D or None
        ŷ(x) (one input); ``train_points``/``test_points`` the data there.
    tile_curves : matplotlib.collections.LineCollection
        The neurons' curves on their tiles (one input).
    loss_chart, acc_chart : LineChartPanel
        ``acc_chart`` is None for regression.
    grad_bars : matplotlib.collections.PolyCollection
        The gradient bars (``grad_values`` are their values, NaN where none).
    grad_texts : list of PathText
        One per layer 1..L: the numbers beside the bars, one line per neuron.
    title, subtitle, status : PathText
    tile_scale : float
        The hidden tiles show ``[-tile_scale, tile_scale]`` (the colour bar's range),
        or ``[0, tile_scale]`` when :attr:`tiles_nonnegative`.
    tiles_nonnegative : bool
        The hidden activations are never negative (ReLU, sigmoid): the tiles use the
        sequential map from 0, else the diverging map centred at 0.
    """

    background_cache = BACKGROUND_CACHE

    def __init__(self, sizes: Sequence[int], activations: Sequence[str],
                 extent: Sequence[float] = (-1.4, 1.4, -1.4, 1.4), classification: bool = True,
                 grid_n: int = 40, figsize: tuple[float, float] = (8.3, 6.4),
                 dpi: float = 100, pixel_ratio: float | None = None,
                 language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language=language)
        sizes = list(sizes)
        if sizes[0] not in (1, 2) or sizes[-1] != 1:
            raise ValueError(f"sizes must have 1 or 2 inputs and 1 output; got {sizes}")
        extent = tuple(float(e) for e in extent)
        if len(extent) != 2 * sizes[0]:
            raise ValueError(f"extent must hold {2 * sizes[0]} numbers for {sizes[0]} input(s); "
                             f"got {extent}")
        self.n_inputs = sizes[0]
        self.extent = extent
        self.classification = bool(classification)
        self.grid_n = int(grid_n)
        fig = self.figure
        plane = self.n_inputs == 2

        self.title = self.dynamic(PathText(fig, 0.012, 0.975, "", fontsize=12, weight="bold",
                                           va="top"))
        self.subtitle = self.dynamic(PathText(fig, 0.012, 0.937, "", fontsize=8.5, va="top",
                                              color=_NOTE_COLOR))
        self.status = self.dynamic(PathText(fig, 0.645, 0.975, "", fontsize=8.5, va="top",
                                            color=_NOTE_COLOR))

        ax_net = fig.add_axes([0.005, 0.02, 0.50, 0.79])
        # The diagram's colour bar shows the tiles' scale (the neurons themselves are
        # covered by the tiles); its tick numbers are written by _write_ticks.
        cax = fig.add_axes([0.515, 0.2, 0.009, 0.45])
        self.diagram = NetworkDiagram(self, ax_net, sizes, activations=activations,
                                      show_values=False, cax=cax)
        self.diagram.colorbar.set_label(self.tr("playground.view.tile_label"), fontsize=8,
                                        labelpad=24)
        self.grad_note = self.dynamic(PathText(ax_net, 0.0, 1.0, "", fontsize=8,
                                               color="#00573f", va="bottom", offset=(0.0, 14.0)))
        self.tiles = HeatmapTiles(self, ax_net, zorder=3, levels=TILE_LEVELS)
        self.tile_curves = self.dynamic(LineCollection([], colors="#111111", linewidths=1.0,
                                                       zorder=4))
        ax_net.add_collection(self.tile_curves, autolim=False)
        self.grad_bars = self.dynamic(PolyCollection([], facecolors=GRAD_COLOR,
                                                     edgecolors="none", zorder=4))
        ax_net.add_collection(self.grad_bars, autolim=False)
        self.grad_texts: list[PathText] = []
        self.grad_values = np.empty(0)

        self.boundary: HeatmapPanel | None = None
        self.curve_line = self.train_points = self.test_points = None
        if plane:
            ax_b = fig.add_axes([0.645, 0.38, 0.28, 0.485])
            cax = fig.add_axes([0.935, 0.38, 0.011, 0.485])
            self.boundary = HeatmapPanel(self, ax_b, extent=extent, shape=(grid_n, grid_n),
                                         vmin=0.0, vmax=1.0, colorbar=cax, pale=0.45,
                                         levels=TILE_LEVELS,
                                         colorbar_label=self.tr("playground.view.output"),
                                         xlabel="x₁", ylabel="x₂")
            self.boundary.set_level(0.5)
            self.boundary.set_title(self.tr("playground.view.boundary_title"))
            self.scaled_axes = ax_b
            ax_b.tick_params(labelsize=8, pad=2)
        else:
            ax_c = fig.add_axes([0.645, 0.38, 0.335, 0.485])
            ax_c.set_xlim(extent[0], extent[1])
            ax_c.set_ylim(-2.0, 2.0)
            ax_c.set_xlabel("x", fontsize=8)
            ax_c.set_ylabel("y", fontsize=8)
            self.scaled_axes = ax_c
            ax_c.tick_params(labelsize=8)
            ax_c.grid(True, color="0.92", lw=0.6)
            (self.curve_line,) = ax_c.plot([], [], color="#111111", lw=2.0,
                                           label=self.tr("playground.view.prediction"))
            self.dynamic(self.curve_line)
            self.train_points = self.dynamic(ax_c.scatter([], [], s=14, color="#0072B2",
                                                          edgecolors="white", linewidths=0.5,
                                                          label=self.tr("playground.view.train_data"),
                                                          zorder=3))
            self.test_points = self.dynamic(ax_c.scatter([], [], s=16, marker="^",
                                                         color="#D55E00", edgecolors="black",
                                                         linewidths=0.5,
                                                         label=self.tr("playground.view.test_data"),
                                                         zorder=3))
            ax_c.legend(loc="upper right", fontsize=8, framealpha=1.0)
            self.curve_title = self.dynamic(PathText(ax_c, 0.5, 1.0,
                                                     self.tr("playground.view.curve_title"),
                                                     ha="center", va="bottom", fontsize=8.5,
                                                     offset=(0.0, 4.0)))

        if self.classification:
            ax_l = fig.add_axes([0.645, 0.075, 0.15, 0.21])
            ax_a = fig.add_axes([0.845, 0.075, 0.135, 0.21])
        else:
            ax_l = fig.add_axes([0.645, 0.075, 0.335, 0.21])
        # the series' names are their legend labels
        self._series = (self.tr("playground.view.train"), self.tr("playground.view.test"))
        self.loss_chart = LineChartPanel(self, ax_l, list(self._series), logy=True,
                                         xlabel=self.tr("playground.view.epoch"),
                                         title=self.tr("playground.view.loss"),
                                         legend="upper right")
        self.acc_chart = None
        if self.classification:
            self.acc_chart = LineChartPanel(self, ax_a, list(self._series),
                                            xlabel=self.tr("playground.view.epoch"),
                                            title=self.tr("playground.view.accuracy"),
                                            ylim=(0.0, 1.05), legend="lower right")
        self.tile_scale = 1.0
        self._grad_on = False
        self.set_structure(sizes, activations)

    # -- structure -------------------------------------------------------------------------
    def set_structure(self, sizes: Sequence[int], activations: Sequence[str]) -> None:
        """Lay out another architecture (same number of inputs): diagram, tiles, bars."""
        sizes = list(sizes)
        if sizes[0] != self.n_inputs or sizes[-1] != 1:
            raise ValueError(f"sizes must keep {self.n_inputs} input(s) and 1 output; got {sizes}")
        structure = (sizes, [str(a) for a in activations])
        if structure == getattr(self, "_structure", None):
            # the same architecture (new data or weights): the layout stands, and laying
            # it out again would cost a full redraw (a third of a click on "noise")
            self.reset_scale()
            return
        d = self.diagram
        d.set_structure(sizes, activations)
        L = len(sizes) - 1
        # every neuron white (the hidden ones are covered by their tiles)
        if L > 1:
            note = self.tr("playground.view.tiles_plane" if self.n_inputs == 2
                           else "playground.view.tiles_line")
        else:
            note = self.tr("playground.view.no_hidden_class" if self.classification
                           else "playground.view.no_hidden_reg")
        d.set_node_values([None] * (L + 1), d.label, blank=[True] * (L + 1), note=note)
        # the tiles' colour bar only when there are tiles
        d.colorbar.ax.set_visible(L > 1)
        for text in d.tick_texts:
            text.set_visible(L > 1)
        self.tile_index = [(l, k) for l in range(1, L) for k in range(d.shown[l])]
        # hidden outputs that are never negative (ReLU, sigmoid) on a sequential map
        # from 0; signed ones (tanh) on the diverging map centred at 0
        self.tiles_nonnegative = L > 1 and all(is_nonnegative(a) for a in activations[:L - 1])
        cmap = SEQUENTIAL_CMAP if self.tiles_nonnegative else SIGNED_CMAP
        self.tiles.set_cmap(cmap)
        self.tile_scale = 1.0  # a new network starts on the scale a fresh view has
        kind = "nonnegative" if self.tiles_nonnegative else "signed"
        if getattr(self, "_scale", None) != (kind, cmap):  # (a new map redraws the bar: 8 ms)
            d.set_color_scale(kind, cmap=cmap)
            self._scale = (kind, cmap)
        self._write_ticks()
        self._layout()
        self._structure = structure

    def _layout(self) -> None:
        """Place tiles, gradient bars and numbers (they shrink to make room for the numbers)."""
        d = self.diagram
        L = len(d.sizes) - 1
        # with the overlay, room on the right for the output neuron's bar and number
        d.ax.set_xlim(-0.6, L + (1.0 if self._grad_on else 0.6))
        p = d.ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
        to_pt = 72.0 / self.figure.dpi
        self._pitch_pt = per_x, per_y = ((p[1, 0] - p[0, 0]) * to_pt, (p[1, 1] - p[0, 1]) * to_pt)
        centers = (np.array([d.positions[l][k] for l, k in self.tile_index])
                   if self.tile_index else np.empty((0, 2)))
        self.tile_pt = float(min(0.66 * per_y, (0.4 if self._grad_on else 0.5) * per_x, 60.0))
        rows = 1 if self.n_inputs == 1 else self.grid_n
        self.tiles.set_layout(centers, self.tile_pt, (rows, self.grid_n), cell_px=2)
        self._tile_half = (self.tile_pt / 2 / per_x, self.tile_pt / 2 / per_y)
        self.tile_curves.set_segments([])
        # gradient numbers: one multi-line text per layer, its line pitch = the neuron pitch
        font = get_font(findfont(FontProperties(family=_FONT)))
        size = 8.0
        spacing = per_y / (font.height / font.units_per_EM * size)
        # the numbers ("2.9e−1", ~30 pt) only where they fit between the layers and
        # their lines do not crowd; the bars and the note's "tallest" speak alone otherwise
        gap_pt = per_x - self.tile_pt - 5.0 - 6.0
        self._grad_numbers = gap_pt >= 32.0 and per_y >= 1.3 * size
        for text in self.grad_texts:
            self.forget(text)
        self._bar = (1.5 / per_x, 3.5 / per_x)  # gap and width, data units
        self._out_shift = 0.1 + 11.0 / per_x  # the output's bar goes right of its "ŷ" label
        self.grad_texts = []
        for l in range(1, L + 1):
            x = l + self._half(l)[0] + sum(self._bar) + (self._out_shift if l == L else 0.0)
            y = float(d.positions[l][:, 1].mean())
            text = PathText(d.ax, x, y, "", transform=d.ax.transData, fontsize=size,
                            linespacing=spacing, va="center", color="#00573f",
                            offset=(1.5, 0.0), zorder=5)
            # a white halo keeps the numbers readable over the edges
            text.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])
            self.grad_texts.append(self.dynamic(text))
        self.grad_bars.set_verts([])
        self.grad_values = np.full(sum(d.shown[1:]), np.nan)
        self.invalidate()

    def _half(self, l: int) -> tuple[float, float]:
        """Half the size (data units) of layer ``l``'s neurons: tiles, or the output circle."""
        if l < len(self.diagram.sizes) - 1:
            return self._tile_half
        r = self.diagram.diameter / 2
        return (r / self._pitch_pt[0], r / self._pitch_pt[1])

    def set_data(self, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                 y_test: np.ndarray) -> None:
        """Draw the training (●) and test (▲) points."""
        if self.boundary is not None:
            self.boundary.set_points(X_train, np.asarray(y_train).ravel(), marker="o",
                                     name="train", size=20)
            self.boundary.set_points(X_test, np.asarray(y_test).ravel(), marker="^",
                                     name="test", size=22, edgecolor="black")
        else:
            self.train_points.set_offsets(np.column_stack([np.ravel(X_train), np.ravel(y_train)]))
            self.test_points.set_offsets(np.column_stack([np.ravel(X_test), np.ravel(y_test)]))

    def set_scaling(self, labels: Sequence[str] | None) -> None:
        """Say under the data panel how the learner's data were scaled (``None``: plain x₁, x₂).

        ``labels`` holds one text per scaled quantity: ``x₁`` and ``x₂`` (two
        inputs), or ``x`` and ``y`` (regression), e.g. ``"x₁ scaled: (x₁ − 3.2) / 1.7"``;
        they become the x axis's label (two lines under the plane; one line,
        joined by " · ", under the regression curve).
        """
        ax = self.scaled_axes
        plain = ("x₁", "x₂") if self.n_inputs == 2 else ("x", "y")
        # both lines under the panel: a long label up its left side would run into the
        # tiles' colour bar
        # (the regression panel's label is one line: the loss chart's title sits close below)
        joint = "\n" if self.n_inputs == 2 else " · "
        xlabel, ylabel = plain if labels is None else (joint.join(labels), plain[1])
        if (ax.get_xlabel(), ax.get_ylabel()) != (xlabel, ylabel):
            ax.set_xlabel(xlabel, fontsize=8)
            ax.set_ylabel(ylabel, fontsize=8)
            self.invalidate()

    def show_test(self, visible: bool) -> None:
        """Show or hide the test points."""
        if self.boundary is not None:
            self.boundary.points["test"].set_visible(bool(visible))
        else:
            self.test_points.set_visible(bool(visible))

    # -- where things are, for the page ---------------------------------------------------
    def regions(self) -> list[dict]:
        """Where the edges and neurons lie in the shown picture, in CSS px (top-left origin).

        Edges (``"edge:<l>:<i>:<j>"``, segments) and the input and output
        neurons (``"neuron:<l>:<j>"``, circles) as the diagram draws them; each
        hidden neuron (same id) is its heatmap tile, a ``"rect"`` whose
        ``"zoom"`` is the same box (the page shows the tile enlarged). Only
        geometry: the widget adds the numbers. Valid for the frame last drawn.
        """
        drawn = self.diagram.regions()
        out = [r for r in drawn if r["id"].startswith("edge:")]
        boxes = self.tiles.pixel_boxes()  # display pixels: (x0, y0) bottom left
        corners = self.css_points(boxes.reshape(-1, 2), IdentityTransform()).reshape(-1, 4)
        tiles = {}
        for (l, j), (x0, y1, x1, y0) in zip(self.tile_index, corners.tolist()):
            rect = {"x0": x0, "y0": y0, "x1": x1, "y1": y1}  # (CSS: y grows downwards)
            tiles[f"neuron:{l}:{j}"] = {"shape": "rect", **rect, "zoom": dict(rect)}
        for r in drawn:
            if r["id"].startswith("neuron:"):
                tile = tiles.get(r["id"])
                out.append(r if tile is None else {"id": r["id"], **tile})
        return out

    # -- rendering -------------------------------------------------------------------------
    def static_key(self) -> tuple:
        """Everything drawn in the static background (equal keys, equal backgrounds)."""
        charts = [self.loss_chart] + ([self.acc_chart] if self.acc_chart else [])
        return (tuple(self.diagram.sizes), tuple(self.diagram.activations or ()),
                self._grad_on, tuple((c.xlim, c.ylim) for c in charts),
                self.scaled_axes.get_xlabel(), self.scaled_axes.get_ylabel())

    # -- update ----------------------------------------------------------------------------
    def update(self, field: GridField, weights: Sequence[np.ndarray],
               curves: Mapping[str, np.ndarray | None], title: str, subtitle: str,
               grad: Sequence[np.ndarray] | None = None, marker: float | None = None,
               whole: Mapping[str, np.ndarray | None] | None = None, status: str = "",
               error: bool = False) -> None:
        """Draw one state of the network.

        Parameters
        ----------
        field : GridField
            The network's activations over the grid (one batched forward pass).
        weights : list of numpy.ndarray
            Drawn on the edges.
        curves : dict
            ``epoch`` (x of the charts), ``train_loss``, ``test_loss``,
            ``train_acc``, ``test_acc`` (arrays or None).
        title, subtitle : str
        grad : list of numpy.ndarray, optional
            Mean |δ| per neuron of layers 1..L (``grad[l - 1]``); ``None``
            hides the gradient overlay.
        marker : float, optional
            An epoch marked on the charts (the history step shown).
        whole : dict, optional
            The whole run's curves (same keys as ``curves``) when ``curves``
            shows only its beginning (a history step): the charts keep the
            axes of the whole run.
        status : str
            Status line (history view, divergence); ``error`` draws it red.
        """
        d = self.diagram
        if (grad is not None) != self._grad_on:
            self._grad_on = grad is not None
            self._layout()
        if self.tile_index:
            values = np.stack([field.layers[l][k] for l, k in self.tile_index])
            if self.n_inputs == 1:
                values = values[:, None, :]
            self._rescale_tiles(values)
            low = 0.0 if self.tiles_nonnegative else -self.tile_scale
            self.tiles.update(values, low, self.tile_scale)
            if self.n_inputs == 1:
                self._draw_tile_curves(values[:, 0, :])
        d.set_weights(weights)

        if self.boundary is not None:
            self.boundary.update(field.output)
        else:
            self.curve_line.set_data(field.X[:, 0], field.output)

        x = curves.get("epoch")
        x = np.empty(0) if x is None else x
        xmax = None
        if whole is not None and whole.get("epoch") is not None and len(whole["epoch"]):
            xmax = float(whole["epoch"][-1])
        for chart, names in ((self.loss_chart, ("train_loss", "test_loss")),
                             (self.acc_chart, ("train_acc", "test_acc"))):
            if chart is None:
                continue
            later = None if whole is None else {"train": whole.get(names[0]),
                                                "test": whole.get(names[1])}
            train, test = self._series
            if later is not None:
                later = {train: later["train"], test: later["test"]}
            chart.update(x, {train: curves.get(names[0]), test: curves.get(names[1])},
                         xmax=xmax, scale_ys=later)
            chart.set_ghost(None if whole is None else whole["epoch"], later)
            chart.set_marker(marker)

        self._draw_grad(grad)
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        # as wide as the room right of the title, in the language's own letters
        room = (1.0 - self.status.get_position()[0] - 0.01) * self.figure.get_figwidth() * 72
        self.status.set_text("\n".join(wrap_text(status, self.status.fontsize, room)))
        self.status.set_color(_ERROR_COLOR if error else _NOTE_COLOR)

    def reset_scale(self) -> None:
        """Back to the tiles' starting scale (±1): training starts again, the picture as at first."""
        if self.tile_scale != 1.0:
            self.tile_scale = 1.0
            self._write_ticks()

    def _rescale_tiles(self, values: np.ndarray) -> None:
        """One symmetric scale for all tiles, from the typical (median) neuron's peak |a|.

        Bounded activations get ±1 (or ±0.5 while the outputs are small); for
        unbounded ones (ReLU) a few large neurons saturate rather than wash
        every other tile out. Hysteresis: it grows when the median peak
        exceeds it and shrinks only below a quarter of it.
        """
        peaks = np.abs(values).reshape(len(values), -1).max(axis=1)
        peaks = peaks[np.isfinite(peaks)]
        typical = float(np.median(peaks)) if peaks.size else 0.0
        if typical <= 0:
            return
        target = nice_limit(typical)
        if target > self.tile_scale or target < self.tile_scale / 4:
            self.tile_scale = target
            self._write_ticks()

    def _write_ticks(self) -> None:
        low = 0.0 if getattr(self, "tiles_nonnegative", False) else -self.tile_scale
        for t, text in zip((-1.0, -0.5, 0.0, 0.5, 1.0), self.diagram.tick_texts):
            text.set_text(fmt_short(low + (t + 1.0) / 2.0 * (self.tile_scale - low)))

    def _draw_tile_curves(self, values: np.ndarray) -> None:
        """One input: each neuron's curve a(x) across its tile (scaled like the colours)."""
        hx, hy = self._tile_half
        u = np.linspace(-hx, hx, values.shape[1]) * 0.9
        v = np.clip(values / self.tile_scale, -1, 1) * hy * 0.9
        centers = self.tiles.centers
        segs = np.stack([u[None, :] + centers[:, :1], v + centers[:, 1:]], axis=-1)
        self.tile_curves.set_segments(list(segs))

    def _draw_grad(self, grad: Sequence[np.ndarray] | None) -> None:
        d = self.diagram
        L = len(d.sizes) - 1
        if grad is None:
            self.grad_bars.set_visible(False)
            for text in self.grad_texts:
                text.set_visible(False)
            self.grad_values = np.full(sum(d.shown[1:]), np.nan)
            self.grad_note.set_text("")
            return
        values = np.concatenate([np.asarray(grad[l - 1], dtype=float)[:d.shown[l]]
                                 for l in range(1, L + 1)])
        self.grad_values = values
        finite = values[np.isfinite(values)]
        peak = float(finite.max()) if finite.size else 0.0
        verts = []
        i = 0
        gap, width = self._bar
        for l in range(1, L + 1):
            hx, hy = self._half(l)
            lines = []
            for k in range(d.shown[l]):
                v = values[i]
                i += 1
                x0 = l + hx + gap + (self._out_shift if l == L else 0.0)
                y0 = d.positions[l][k, 1] - hy
                h = 2 * hy * (v / peak if peak > 0 and np.isfinite(v) else 0.0)
                verts.append([(x0, y0), (x0 + width, y0), (x0 + width, y0 + h), (x0, y0 + h)])
                lines.append(_fmt_grad(v))
            self.grad_texts[l - 1].set_text("\n".join(lines))
            self.grad_texts[l - 1].set_visible(self._grad_numbers)
        self.grad_bars.set_verts(verts)
        self.grad_bars.set_visible(True)
        self.grad_note.set_text(self.tr("playground.view.grad_numbers" if self._grad_numbers
                                        else "playground.view.grad_bars", peak=fmt(peak)))




def _fmt_grad(value: float) -> str:
    """2 significant digits in scientific notation (``4.7e−3``), to compare magnitudes."""
    if not np.isfinite(value) or value == 0:
        return fmt(value)
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")
