"""The gradient-health picture: per-layer gradient norms now and over training.

:class:`GradientHealthView` composes:

* left: a :class:`~.network_diagram.NetworkDiagram` whose neurons are
  coloured by their mean |δ| = |∂L/∂z| over the training set (white: almost
  no gradient arrives), with the connections drawn as thin static lines (the
  deep nets here have hundreds; their weights are not what this picture is
  about, and redrawing them every frame would cost most of the frame);
* right, top: a :class:`LogBarPanel` of ‖δ_l‖ and ‖∂L/∂W_l‖ per layer on a
  log scale, with the numbers printed above;
* right, bottom: two :class:`~.linechart.LineChartPanel` charts of the same
  norms over the training steps, one line per layer, on the same fixed log
  scale as the bars;
* a title (network, step, loss) and a verdict line (vanishing / exploding /
  healthy, with the factor).

The log scale is fixed (:data:`NORM_RANGE`) so that bars and curves of
different networks compare at a glance and no control change redraws the
background; values beyond it are clipped and marked ▲/▼ (their numbers are
printed exactly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from ..engine.validation import check_array, check_int
from ..i18n import tr
from .base import FigureView, PartialRedrawView
from .linechart import LineChartPanel, key_texts
from .network_diagram import NetworkDiagram
from .text import PathText, fmt, fmt_short

__all__ = ["GradientHealthView", "GradientHealthState", "LogBarPanel",
           "CompactNetworkDiagram",
           "NORM_RANGE", "DIAGRAM_LABEL", "relative_delta", "DELTA_COLOR", "WEIGHT_GRAD_COLOR",
           "layer_colors", "MAX_LAYERS", "log_axis", "log10_or_nan"]

#: The fixed log range of every norm axis.
NORM_RANGE = (1e-10, 1e4)
#: Most weight layers drawn (10 hidden layers and the output).
MAX_LAYERS = 11
#: Okabe–Ito vermilion and blue: ‖δ‖ and ‖∂L/∂W‖.
DELTA_COLOR = "#D55E00"
WEIGHT_GRAD_COLOR = "#0072B2"
_VERDICT_COLORS = {"vanishing": "#0072B2", "exploding": "#B2182B", "healthy": "#007A55",
                   "no gradient": "#555555"}


def layer_colors(n: int = MAX_LAYERS) -> list:
    """Colours of layers 1..n-1 (dark → light along the depth) and black for the output."""
    cmap = colormaps["viridis"]
    hidden = [cmap(0.9 * i / max(n - 2, 1)) for i in range(n - 1)]
    return hidden + [(0.0, 0.0, 0.0, 1.0)]


#: The part of the figure (left, bottom, width, height) holding the diagram, up to its colour bar.
DIAGRAM_REGION = (0.0, 0.0, 0.433, 0.84)
#: The band holding the layer key (its labels show and hide with the depth).
KEY_REGION = (0.56, 0.0, 0.44, 0.034)
#: Colour-bar label of the diagram (in English; a view writes its own language's).
DIAGRAM_LABEL = tr("health.diagram_label", "en")


def relative_delta(neuron_delta: Sequence) -> list:
    """Per-neuron ``log₁₀(mean|δ| / mean|δ| of the output)``: the diagram's colours.

    0 is as strong as the output (white), −6 a million times weaker (blue:
    vanished), +3 a thousand times stronger (red: exploded); a neuron with
    |δ| = 0 is −∞ (darkest blue).  Everything is ``None`` (grey, unknown)
    when the output's |δ| is 0 or not finite.

    Returns
    -------
    list of (numpy.ndarray or None)
        One entry per layer, like ``neuron_delta``.
    """
    ref = float(np.mean(neuron_delta[-1]))
    if not (ref > 0 and math.isfinite(ref)):
        return [None] * len(neuron_delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [None if d is None else np.log10(np.asarray(d, dtype=float) / ref)
                for d in neuron_delta]


class CompactNetworkDiagram(NetworkDiagram):
    """A :class:`NetworkDiagram` of the structure only, readable up to 10 hidden layers.

    * Connections are thin grey static lines (:attr:`connections`), not the
      weight-coloured edges: with hundreds of them, redrawing the edges on
      every frame would cost most of the frame, and these pictures are about
      the neurons.
    * With more than :attr:`COMPACT_AFTER` weight layers the titles
      ``"hidden 1"``… would overlap; they become ``"in"``, ``"1"``, …, ``"out"``.

    Attributes
    ----------
    connections : matplotlib.collections.LineCollection
        One segment per drawn connection, static.
    """

    #: Use the compact titles above this many weight layers.
    COMPACT_AFTER = 5

    def __init__(self, view: FigureView, ax: Axes, sizes: Sequence[int], **kwargs) -> None:
        self.connections = ax.add_collection(LineCollection(
            [], colors="#c8c8c8", linewidths=0.5, zorder=0.5, antialiased=False))
        super().__init__(view, ax, sizes, **kwargs)

    def set_structure(self, sizes: Sequence[int], activations: Sequence[str] | None = None) -> None:
        """As :meth:`NetworkDiagram.set_structure`, with the static connections."""
        super().set_structure(sizes, activations)
        self.edges.set_visible(False)
        pos = self.positions
        self.connections.set_segments(np.concatenate(
            [np.stack([np.repeat(p, len(q), axis=0), np.tile(q, (len(p), 1))], axis=1)
             for p, q in zip(pos[:-1], pos[1:])]))

    def layer_title(self, l: int) -> str:
        """``"in"``, the hidden layer's number or ``"out"`` for deep nets; else as the base."""
        L = len(self.sizes) - 1
        if L <= self.COMPACT_AFTER:
            return super().layer_title(l)
        name = (self.view.tr("health.layer.in") if l == 0
                else self.view.tr("health.layer.out") if l == L else str(l))
        hidden = self.sizes[l] - self.shown[l]
        return name + (f"\n+{hidden}" if hidden else "")


def log_axis(ax: Axes, ylim: tuple[float, float], step: int = 2) -> None:
    """Fixed y limits ``log10(ylim)`` with ticks at every ``step``-th power of ten.

    Drawing ``log10`` of the values on a linear axis looks like a log axis and
    saves the non-affine log transform on every frame.
    """
    lo, hi = round(math.log10(ylim[0])), round(math.log10(ylim[1]))
    ticks = list(range(lo, hi + 1, step))
    ax.set_ylim(lo, hi)
    # 1e−4, 0.01, 1, 1e4 as on every log axis (views.text.short_log_ticks): a
    # superscript exponent would be drawn at about 60 % of the label's size
    ax.set_yticks(ticks, labels=[fmt_short(10.0 ** k) for k in ticks])


def log10_or_nan(values) -> np.ndarray:
    """``log10`` of the positive values; NaN (not drawn) for 0, negatives and NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


class LogBarPanel:
    """Groups of bars on a fixed log scale, one group per layer, numbers printed above.

    The axes are linear in ``log10`` units (:func:`log_axis`); the bars of a
    series are one ``PolyCollection``.

    Parameters
    ----------
    view : FigureView
    ax : matplotlib.axes.Axes
    series : list of str
        One bar per series in each group (e.g. ``["‖δ‖", "‖∂L/∂W‖"]``).
    colors : list of colors
        One per series.
    max_groups : int, default 11
        Most groups ever shown.
    ylim : (float, float), default NORM_RANGE
        The fixed range (powers of ten).
    ylabel : str, optional

    Attributes
    ----------
    bars : list of matplotlib.collections.PolyCollection
        ``bars[s]`` holds series ``s``'s bars, one rectangle per group, from
        the bottom of the range up to ``log10(value)`` (clipped to the range).
    value_texts : list of list of PathText
        The printed values, ``value_texts[s][g]``, one row per series above the axes.
    label_texts : list of PathText
        Group labels under the axes.
    clip_marks : list of list of PathText
        ``clip_marks[s][g]``: a white ▲ at the top of a bar clipped at the top
        of the range, a ▼ for a value under the range (or 0).
    values : numpy.ndarray or None
        ``(n_groups, n_series)`` values drawn.
    title : PathText
    """

    def __init__(self, view: FigureView, ax: Axes, series: Sequence[str], colors: Sequence,
                 max_groups: int = MAX_LAYERS, ylim: tuple[float, float] = NORM_RANGE,
                 ylabel: str = "") -> None:
        self.view, self.ax = view, ax
        self.series = [str(s) for s in series]
        self.max_groups = check_int("max_groups", max_groups, minimum=1)
        ns = len(self.series)
        if len(colors) != ns:
            raise ValueError(f"colors must have one entry per series ({ns}); got {len(colors)}")
        log_axis(ax, ylim)
        self.ylim = ax.get_ylim()  # in log10 units
        self._colors = list(colors)
        ax.set_xlim(0.0, 1.0)
        ax.set_xticks([])
        ax.tick_params(labelsize=8)
        ax.grid(axis="y", color="#e6e6e6", lw=0.6)
        ax.set_axisbelow(True)
        if ylabel:
            ax.set_ylabel(ylabel, fontsize=8)
        self.bars = [view.dynamic(ax.add_collection(PolyCollection(
            [], facecolors=c, edgecolors="#333333", linewidths=0.5), autolim=False))
            for c in colors]
        above = blended_transform_factory(ax.transData, ax.transAxes)
        self.value_texts = [[view.dynamic(PathText(ax, 0.0, 1.0, "", transform=above,
                                                   ha="center", va="bottom", fontsize=8,
                                                   color=c, offset=(0.0, 3.0 + 11.0 * (ns - 1 - s))))
                             for _ in range(self.max_groups)] for s, c in enumerate(colors)]
        self.clip_marks = [[view.dynamic(PathText(ax, 0.0, 0.0, "", transform=ax.transData,
                                                  ha="center", va="center", fontsize=8,
                                                  color=c))
                            for _ in range(self.max_groups)] for c in colors]
        self.label_texts = [view.dynamic(PathText(ax, 0.0, 0.0, "", transform=above, ha="center",
                                                  va="top", fontsize=8, offset=(0.0, -3.0)))
                            for _ in range(self.max_groups)]
        self.title = view.dynamic(PathText(ax, 0.5, 1.0, "", ha="center", va="bottom",
                                           fontsize=8.5, offset=(0.0, 5.0 + 11.0 * ns)))
        self.row_names = [view.dynamic(PathText(ax, 0.0, 1.0, name, ha="right", va="bottom",
                                                fontsize=8, color=c,
                                                offset=(-3.0, 3.0 + 11.0 * (ns - 1 - s))))
                          for s, (name, c) in enumerate(zip(self.series, colors))]
        self.values: np.ndarray | None = None
        self.numbers_shown = True
        self._n = 0  # groups laid out
        self.update(None)

    def set_title(self, title: str) -> None:
        """Set the title above the printed values."""
        self.title.set_text(title)

    def update(self, values, labels: Sequence[str] | None = None) -> None:
        """Draw ``values`` of shape ``(n_groups, n_series)`` (``None``: nothing).

        Values are norms (>= 0): 0 and values under the range get no bar and a
        ▼, values over it a full bar and a ▲; NaN gets no bar.  The printed
        numbers are always the exact values.
        """
        if values is None:
            self.values = None
            for artist in self._all():
                artist.set_visible(False)
            return
        values = check_array("values", values, ndim=2, finite=False)
        n, ns = values.shape
        if ns != len(self.series) or not 1 <= n <= self.max_groups:
            raise ValueError(f"values must have shape (n_groups <= {self.max_groups}, "
                             f"{len(self.series)}); got {values.shape}")
        labels = [str(s) for s in labels] if labels is not None else [
            str(g + 1) for g in range(n)]
        if len(labels) != n:
            raise ValueError(f"labels must have one entry per group ({n}); got {len(labels)}")
        self.values = values
        lo, hi = self.ylim
        heights = np.clip(log10_or_nan(values), lo, hi)
        width = 1.0 / n
        bar_w = 0.8 * width / ns
        centres = (np.arange(n) + 0.5) * width
        relayout = n != self._n  # positions only move with the number of groups
        self._n = n
        for g, text in enumerate(self.label_texts):
            text.set_visible(g < n)
            if g < n:
                if relayout:
                    text.set_position((centres[g], 0.0))
                text.set_text(labels[g])
        for s in range(ns):
            left = centres + (s - ns / 2) * bar_w
            top = heights[:, s]
            ok = np.isfinite(top)
            self.bars[s].set_verts([[(x, lo), (x + bar_w, lo), (x + bar_w, t), (x, t)]
                                    for x, t in zip(left[ok], top[ok])])
            self.bars[s].set_visible(True)
            for g in range(self.max_groups):
                text, mark = self.value_texts[s][g], self.clip_marks[s][g]
                text.set_visible(g < n)
                mark.set_visible(False)
                if g >= n:
                    continue
                v = float(values[g, s])
                if relayout:
                    text.set_position((centres[g], 1.0))
                text.set_text(fmt_short(v))
                if v == v and (v <= 10.0 ** lo or v > 10.0 ** hi):
                    high = v > 10.0 ** hi
                    mark.set_text("▲" if high else "▼")
                    # white inside the (full) bar, the series' colour on the background
                    mark.set_color("white" if high else self._colors[s])
                    mark.set_position((left[g] + bar_w / 2, hi - 0.5 if high else lo + 0.5))
                    mark.set_visible(True)
        # The exact numbers only where they fit above their group; else the log axis
        # (and the title's note) speak for them.
        slot = self.ax.bbox.width / n
        widest = max((box.width for row in self.value_texts for text in row[:n]
                      for _, box in text.line_extents()), default=0.0)
        self.numbers_shown = widest <= slot - 4.0
        for row in self.value_texts:
            for text in row[:n]:
                text.set_visible(self.numbers_shown)

    def _all(self):
        yield from self.bars
        for row in (*self.value_texts, *self.clip_marks):
            yield from row
        yield from self.label_texts


@dataclass(frozen=True)
class GradientHealthState:
    """Everything the gradient-health view shows (numbers from the engine).

    Attributes
    ----------
    sizes : list of int
        Layer sizes, input first.
    activation : str
        Name of the hidden layers' activation.
    init : str
        Display name of the initialiser, e.g. ``"Xavier × 1"``.
    step : int
        Training steps taken.
    loss : float
        Training-set loss at the current weights.
    accuracy : float or None
        Training-set accuracy.
    neuron_delta : list of (numpy.ndarray or None)
        Mean |δ| per neuron, input first (``None`` for the input).
    delta_norms, weight_norms : numpy.ndarray
        ``‖δ_l‖`` and ``‖∂L/∂W_l‖`` for l = 1..L at the current weights.
    verdict : str
        ``"vanishing"``, ``"exploding"``, ``"healthy"`` or ``"no gradient"``.
    ratio : float
        ``‖δ_1‖ / ‖δ_L‖``.
    steps : numpy.ndarray
        Steps of the history rows.
    history_delta, history_weight : numpy.ndarray
        ``(n_rows, L)`` norms over training.
    n_samples : int
        Training samples the current values are measured on.
    note : str
        An extra line (e.g. why training stopped), or ``""``.
    """

    sizes: list
    activation: str
    init: str
    step: int
    loss: float
    accuracy: float | None
    neuron_delta: list
    delta_norms: np.ndarray
    weight_norms: np.ndarray
    verdict: str
    ratio: float
    steps: np.ndarray
    history_delta: np.ndarray
    history_weight: np.ndarray
    n_samples: int
    note: str = ""


def verdict_text(state: GradientHealthState, language: str | None = None) -> str:
    """The verdict line, e.g. ``"Vanishing gradients: ‖δ₁‖ is 1.4e−6 × ‖δ at the output‖ …"``,
    in ``language`` (default: the current one)."""
    L = len(state.sizes) - 1
    r = state.ratio
    if state.verdict == "no gradient":
        return tr("health.verdict.none", language)
    per_layer = r ** (1.0 / (L - 1)) if L > 1 and r > 0 else r
    key = {"vanishing": "health.verdict.vanishing", "exploding": "health.verdict.exploding",
           "healthy": "health.verdict.healthy"}[state.verdict]
    return tr(key, language, ratio=fmt_short(r), per_layer=fmt(per_layer, 2))


class GradientHealthView(PartialRedrawView):
    """Diagram of per-neuron |δ|, log bars of per-layer norms, and norms over training.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes of the first network (the view adapts to later ones).
    figsize : (float, float), default (8.3, 6.2)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the picture's texts (default: the current one).

    Attributes
    ----------
    diagram : CompactNetworkDiagram
    bars : LogBarPanel
        Series ``"‖δ‖"`` and ``"‖∂L/∂W‖"``; group ``l - 1`` is layer ``l``.
    delta_chart, weight_chart : LineChartPanel
        ‖δ_l‖ and ‖∂L/∂W_l‖ over the steps; series ``layer_names`` (layers 1..10
        and the output), the lines of missing layers hidden.
    layer_key : list of matplotlib.text.Text
        The coloured layer names under the charts (their legend; static).
    title, verdict : PathText
    layer_names : list of str
        ``"layer 1"``, …, ``"layer 10"``, ``"output"``.
    """

    def __init__(self, sizes: Sequence[int], figsize: tuple[float, float] = (8.3, 6.2),
                 dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
        fig = self.figure
        self.title = self.dynamic(PathText(fig, 0.01, 0.975, "", fontsize=11.5, weight="bold",
                                           va="top"))
        self.verdict = self.dynamic(PathText(fig, 0.01, 0.925, "", fontsize=9, va="top"))
        self.note = self.dynamic(PathText(fig, 0.01, 0.89, "", fontsize=8.5, va="top",
                                          color="#8a4b00"))
        ax_net = fig.add_axes([0.005, 0.0, 0.43, 0.835])
        self.diagram = CompactNetworkDiagram(self, ax_net, list(sizes), max_neurons=8,
                                             show_values=False)

        # the panels start far enough right that their y labels stay clear of the
        # diagram's colour-bar label
        ax_bars = fig.add_axes([0.595, 0.55, 0.39, 0.25])
        self.bars = LogBarPanel(self, ax_bars, ["‖δ‖", "‖∂L/∂W‖"],
                                [DELTA_COLOR, WEIGHT_GRAD_COLOR],
                                ylabel=self.tr("health.norm_axis"))
        # (wider than the bars: it ends where they end, short of the picture's edge)
        self.bars.title.set_alignment(ha="right")
        self.bars.title.set_position((1.0, 1.0))
        self.layer_names = [f"layer {l}" for l in range(1, MAX_LAYERS)] + ["output"]
        colors = layer_colors()
        charts = []
        for left, ylabel, title in ((0.595, "‖δ_l‖", self.tr("health.chart.delta")),
                                    (0.80, "", self.tr("health.chart.weight"))):
            ax = fig.add_axes([left, 0.13, 0.185, 0.27])
            # few whole steps: the last label of one chart and the first of the next
            # must not meet across the gap between them
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10], integer=True))
            # log10 of the norms on a linear axis labelled in powers of ten: a log
            # scale without the cost of the log transform on every frame
            chart = LineChartPanel(self, ax, self.layer_names, colors=colors,
                                   xlabel=self.tr("health.chart.step"), ylabel=ylabel, title=title,
                                   ylim=tuple(np.log10(NORM_RANGE)), legend=False)
            log_axis(ax, NORM_RANGE)
            charts.append(chart)
        self.delta_chart, self.weight_chart = charts
        self.weight_chart.ax.tick_params(labelleft=False)
        # The key is static: each layer keeps its colour whatever the depth. Its
        # labels belong to an axes of their own, so that a new depth repaints
        # only their band (redraw_region), not the whole picture.
        fig.text(0.575, 0.045, self.tr("health.chart.key"), fontsize=8, color="#444444")
        self.ax_key = fig.add_axes(KEY_REGION)
        self.ax_key.set_axis_off()
        self.layer_key = key_texts(fig, 0.575, 0.015,
                                   [str(l) for l in range(1, MAX_LAYERS)]
                                   + [self.tr("health.layer.out")], colors, parent=self.ax_key)

    # -- structure -------------------------------------------------------------------------

    # -- update ----------------------------------------------------------------------------
    def update(self, state: GradientHealthState) -> None:
        """Draw ``state`` (see :class:`GradientHealthState`)."""
        sizes = list(state.sizes)
        L = len(sizes) - 1
        if not 2 <= L <= MAX_LAYERS:
            raise ValueError(f"the network must have 1 to {MAX_LAYERS - 1} hidden layers; "
                             f"got sizes {sizes}")
        if sizes != self.diagram.sizes:
            self.redraw_region(DIAGRAM_REGION, self.diagram.ax,
                               lambda: self.diagram.set_structure(sizes), key=tuple(sizes))
        self.diagram.set_node_values(relative_delta(state.neuron_delta),
                                     self.tr("health.diagram_label"),
                                     blank=[True] + [False] * L,
                                     note=self.tr("health.diagram_note", n=state.n_samples))
        self.diagram.set_outlined([None] + [np.asarray(d) == 0 for d in state.neuron_delta[1:]])
        # the key lists the layers drawn: 1 … L−1 and the output
        keep = [i < L - 1 or i == len(self.layer_key) - 1 for i in range(len(self.layer_key))]
        if keep != [t.get_visible() for t in self.layer_key]:
            def show_layers():
                for text, on in zip(self.layer_key, keep):
                    text.set_visible(on)
                self.invalidate()
            self.redraw_region(KEY_REGION, self.ax_key, show_layers, key=tuple(keep))
        labels = [str(l) for l in range(1, L)] + [self.tr("health.layer.out")]
        self.bars.update(np.column_stack([state.delta_norms, state.weight_norms]), labels)
        self.bars.set_title(self.tr("health.bars_title", step=state.step))
        names = self.layer_names[:L - 1] + ["output"]
        for chart, hist in ((self.delta_chart, state.history_delta),
                            (self.weight_chart, state.history_weight)):
            chart.update(state.steps, {name: log10_or_nan(hist[:, l])
                                       for l, name in enumerate(names)})
        hidden = L - 1
        acc = ("" if state.accuracy is None
               else self.tr("health.title.accuracy", accuracy=f"{state.accuracy:.0%}"))
        details = self.tr("health.title.one" if hidden == 1 else "health.title.many",
                          hidden=hidden, activation=state.activation, init=state.init,
                          loss=fmt(state.loss)) + acc
        self.title.set_text(self.tr("health.title", details=details))
        # (the step is in the bars' title) the widget's name gives way to the settings
        # where they would not fit: 10 leaky_relu layers, plain N(0, 1) init × 0.112, …
        right = self.figure.bbox.width * 0.99
        if any(box.x1 > right for _, box in self.title.line_extents()):
            self.title.set_text(details)
        self.verdict.set_text(verdict_text(state, self.language))
        self.verdict.set_color(_VERDICT_COLORS[state.verdict])
        self.note.set_text(state.note)
