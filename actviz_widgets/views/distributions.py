"""The distributions picture: histograms of one layer's weights, pre-activations and
activations over training, TensorBoard-style, with the activation's saturation drawn
under the pre-activations.

:class:`DistributionsView` composes three :class:`RidgelinePanel` panels side by
side (weights W into the layer, pre-activations z, activations a = f(z)):
one histogram ("ridge") per recorded step, the oldest at the back (top), the
newest in front (bottom), and the step chosen with the time slider drawn on
top as a dark outline.  Under the z histograms: the activation f(z) (dashed,
scaled to the panel) and grey bands where it is saturated, |f′(z)| < 0.05,
so a learner sees where the pre-activations land.  Under the three panels, a
:class:`~.linechart.LineChartPanel` of the saturated share of every layer's
pre-activations over training, with a marker at the chosen step.

Every axes is fixed: the panels' x axes span [0, 1] and their data are drawn
through a transform from the current value range, with dynamic tick
numbers (as :class:`~.bars.BarPanel` does for its y axis), so a new range,
layer, activation or step never redraws the background.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.transforms import Affine2D, Bbox, blended_transform_factory

from ..engine.activations import get_activation
from ..engine.diagnostics import SATURATION_THRESHOLD
from ..engine.validation import check_array, check_choice, check_int
from ..i18n import has_key
from .activation_plot import saturated_intervals
from .base import FigureView, PartialRedrawView
from .gradient_health import layer_colors
from .linechart import LineChartPanel, key_texts
from .network_diagram import nice_limit
from .text import PathText, fmt, fmt_short

__all__ = ["DistributionsView", "DistributionsState", "RidgelinePanel", "display_range",
           "MAX_RIDGES", "BINS", "MAX_LAYERS", "HIGHLIGHT_COLOR"]

#: Most ridges (recorded steps) drawn per panel.
MAX_RIDGES = 10
#: Histogram bins.
BINS = 30
#: Most weight layers (5 hidden layers and the output).
MAX_LAYERS = 6
#: Outline of the chosen step's histogram (Okabe–Ito blue).
HIGHLIGHT_COLOR = "#0072B2"
_RIDGE_CMAP = colormaps["Oranges"]
_SHADE = "0.86"
# Ridge geometry in axes fractions: baselines from _FRONT (newest) up to
# _FRONT + _SPAN (oldest); the tallest bin of any ridge is _PEAK high.
_FRONT, _SPAN, _PEAK = 0.03, 0.66, 0.25
_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def display_range(values: np.ndarray, kind: str,
                  bounds: tuple[float, float] = (-math.inf, math.inf)) -> tuple[float, float]:
    """The x range a histogram panel shows.

    Parameters
    ----------
    values : numpy.ndarray
        Every value to show (all ridges).
    kind : {"symmetric", "bounded"}
        ``symmetric``: ±(1-2-5 value >= max |value|), so 0 is centred (weights,
        pre-activations). ``bounded``: the activation's output range where it
        is finite, else a 1-2-5 value beyond the data (activations).
    bounds : (float, float)
        The activation's output range, for ``bounded``.

    Returns
    -------
    (float, float)
    """
    kind = check_choice("kind", kind, ("symmetric", "bounded"))
    values = np.asarray(values, dtype=float).ravel()
    finite = values[np.isfinite(values)]
    if kind == "symmetric":
        peak = float(np.abs(finite).max()) if finite.size else 1.0
        limit = nice_limit(peak) if peak > 0 else 1.0
        return -limit, limit
    lo_data = float(finite.min()) if finite.size else 0.0
    hi_data = float(finite.max()) if finite.size else 1.0
    lo = bounds[0] if math.isfinite(bounds[0]) else (
        -nice_limit(-lo_data) if lo_data < 0 else 0.0)
    hi = bounds[1] if math.isfinite(bounds[1]) else (
        nice_limit(hi_data) if hi_data > 0 else 1.0)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


class RidgelinePanel:
    """Histograms of one quantity over training, stacked as ridges on fixed axes.

    Parameters
    ----------
    view : FigureView
    ax : matplotlib.axes.Axes
    title : str
        Shown above the panel (dynamic).
    xlabel : str
        Static label under the tick numbers.
    max_ridges : int, default MAX_RIDGES
    bins : int, default BINS

    Attributes
    ----------
    ridges : matplotlib.collections.PolyCollection
        One filled polygon per ridge, oldest first (drawn first, at the back).
    highlight : matplotlib.lines.Line2D
        The chosen step's histogram outline.
    steps : numpy.ndarray
        The step of each ridge, oldest first.
    fractions : numpy.ndarray
        ``(n_ridges, bins)`` shares of the values per bin, as given.
    highlight_fractions : numpy.ndarray or None
    selected : int or None
        The step outlined.
    xrange : (float, float)
        The values spanned by the x axis.
    tick_texts : list of PathText
        Numbers under the x ticks.
    step_texts : list of PathText
        Step labels at the left of the ridges.
    title : PathText
    """

    def __init__(self, view: FigureView, ax: Axes, title: str = "", xlabel: str = "",
                 max_ridges: int = MAX_RIDGES, bins: int = BINS) -> None:
        self.view, self.ax = view, ax
        self.max_ridges = check_int("max_ridges", max_ridges, minimum=1)
        self.bins = check_int("bins", bins, minimum=1)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.0)
        ax.set_xticks(list(_TICKS), labels=[""] * len(_TICKS))
        ax.set_yticks([])
        ax.tick_params(length=3)
        ax.grid(axis="x", color="#eeeeee", lw=0.6)
        ax.set_axisbelow(True)
        if xlabel:
            ax.set_xlabel(xlabel, fontsize=8, labelpad=12)
        # values -> axes x fraction; y stays in axes fractions
        self._scale = Affine2D()
        self.data_transform = self._scale + ax.transAxes
        self.ridges = view.dynamic(ax.add_collection(PolyCollection(
            [], edgecolors="#6b3300", linewidths=0.7, transform=self.data_transform, zorder=2),
            autolim=False))
        (self.highlight,) = ax.plot([], [], color=HIGHLIGHT_COLOR, lw=1.8, zorder=3,
                                    transform=self.data_transform)
        view.dynamic(self.highlight)
        below = blended_transform_factory(ax.transAxes, ax.transAxes)
        self.tick_texts = [view.dynamic(PathText(ax, t, 0.0, "", transform=below, ha="center",
                                                 va="top", fontsize=8, offset=(0.0, -4.0)))
                           for t in _TICKS]
        self.step_texts = [view.dynamic(PathText(ax, 0.0, 0.0, "", ha="right", va="baseline",
                                                 fontsize=8, color="#555555",
                                                 offset=(-3.0, 0.0)))
                           for _ in range(self.max_ridges + 1)]
        self.title = view.dynamic(PathText(ax, 0.5, 1.0, title, ha="center", va="bottom",
                                           fontsize=8.5, offset=(0.0, 4.0)))
        self.steps = np.empty(0)
        self.fractions = np.empty((0, self.bins))
        self.highlight_fractions: np.ndarray | None = None
        self.selected: int | None = None
        self.xrange = (0.0, 1.0)
        self.set_range(-1.0, 1.0)

    def set_range(self, lo: float, hi: float) -> None:
        """Let the x axis span the values ``[lo, hi]`` (tick numbers follow)."""
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"the range must be finite with lo < hi; got ({lo}, {hi})")
        self.xrange = (lo, hi)
        self._scale.clear().translate(-lo, 0.0).scale(1.0 / (hi - lo), 1.0)
        for t, text in zip(_TICKS, self.tick_texts):
            text.set_text(fmt_short(lo + t * (hi - lo)))

    def baseline(self, step: float, last_step: float) -> float:
        """The axes-fraction y of the ridge of ``step`` (newest at the front/bottom)."""
        if last_step <= 0:
            return _FRONT
        return _FRONT + _SPAN * (1.0 - step / last_step)

    def update(self, steps, fractions, selected: int | None = None,
               selected_fractions=None, last_step: int | None = None) -> None:
        """Draw ridges of ``fractions`` (``(n_ridges, bins)``, oldest first) for ``steps``.

        Parameters
        ----------
        steps : array_like of int
            Step of each ridge, increasing.
        fractions : array_like
            Share of the values in each of the ``bins`` equal bins of ``xrange``.
        selected : int, optional
            A step to outline, with ``selected_fractions`` (its histogram).
        last_step : int, optional
            The newest step (the front); default ``steps[-1]``.
        """
        steps = check_array("steps", steps, ndim=1)
        fractions = check_array("fractions", fractions, ndim=2)
        n = len(steps)
        if fractions.shape != (n, self.bins) or not 1 <= n <= self.max_ridges:
            raise ValueError(f"fractions must have shape (n_ridges <= {self.max_ridges}, "
                             f"{self.bins}) with one row per step; got {fractions.shape} for "
                             f"{n} steps")
        last = float(steps[-1]) if last_step is None else float(last_step)
        peak = float(fractions.max())
        if selected_fractions is not None:
            selected_fractions = check_array("selected_fractions", selected_fractions,
                                             shape=(self.bins,))
            peak = max(peak, float(selected_fractions.max()))
        height = _PEAK / peak if peak > 0 else 0.0
        lo, hi = self.xrange
        # the outline joins the bins' centres, down to the baseline at both ends
        width = (hi - lo) / self.bins
        x_poly = np.concatenate([[lo], lo + width * (np.arange(self.bins) + 0.5), [hi]])
        polys, colors = [], []
        for k, (s, f) in enumerate(zip(steps, fractions)):
            y0 = self.baseline(s, last)
            polys.append(np.column_stack([x_poly, np.concatenate([[y0], y0 + height * f,
                                                                  [y0]])]))
            colors.append(_RIDGE_CMAP(0.2 + 0.55 * (k + 1) / n))
        self.ridges.set_verts(polys)
        self.ridges.set_facecolors(colors)
        self.steps, self.fractions = steps, fractions
        self.selected = selected
        self.highlight_fractions = selected_fractions
        if selected is not None and selected_fractions is not None:
            y0 = self.baseline(selected, last)
            self.highlight.set_data(x_poly, np.concatenate(
                [[y0], y0 + height * selected_fractions, [y0]]))
            self.highlight.set_visible(True)
        else:
            self.highlight.set_visible(False)
        # step labels: the oldest, the newest, the selected, and a few between
        shown = sorted({0, n - 1, *range(0, n, max(1, n // 4))})
        for i, text in enumerate(self.step_texts):
            if i < len(shown):
                s = steps[shown[i]]
                text.set_position((0.0, self.baseline(s, last)))
                text.set_text(f"{int(s)}")
                text.set_color("#555555")
                text.set_visible(True)
            elif i == len(shown) and selected is not None and selected not in steps[shown]:
                text.set_position((0.0, self.baseline(selected, last)))
                text.set_text(f"{int(selected)}")
                text.set_color(HIGHLIGHT_COLOR)
                text.set_visible(True)
            else:
                text.set_visible(False)


@dataclass(frozen=True)
class DistributionsState:
    """Everything the distributions view shows (numbers from the engine).

    Attributes
    ----------
    layer : int
        The layer shown (1..L).
    n_layers : int
        L, weight layers of the network.
    activation : str
        Registry name of the layer's activation.
    steps : numpy.ndarray
        Steps of the ridges, increasing.
    selected : int
        The step outlined.
    last_step : int
        The newest recorded step.
    ranges : dict of str to (float, float)
        ``"W"``, ``"z"``, ``"a"``: the values each panel spans.
    fractions : dict of str to numpy.ndarray
        Per panel, ``(n_ridges, bins)`` histogram shares.
    selected_fractions : dict of str to numpy.ndarray
        Per panel, the selected step's histogram.
    beyond : dict of str to float
        Share of the selected step's values outside the panel's range.
    saturated : float
        Share of the layer's pre-activations with |f′(z)| < threshold at the selected step.
    mean_abs_a : float
        Mean |a| of the layer at the selected step.
    sat_steps : numpy.ndarray
        Steps of the saturation chart.
    sat_history : numpy.ndarray
        ``(n, L)`` saturated shares per layer.
    n_samples : int
    init : str
        E.g. ``"Xavier × 1"``.
    loss : float
        Training loss at the selected step.
    note : str
    """

    layer: int
    n_layers: int
    activation: str
    steps: np.ndarray
    selected: int
    last_step: int
    ranges: dict
    fractions: dict
    selected_fractions: dict
    beyond: dict
    saturated: float
    mean_abs_a: float
    sat_steps: np.ndarray
    sat_history: np.ndarray
    n_samples: int
    init: str
    loss: float
    note: str = ""


class DistributionsView(PartialRedrawView):
    """Ridgelines of W, z and a of one layer over training, and saturation per layer.

    Parameters
    ----------
    figsize : (float, float), default (8.3, 6.2)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    panels : dict of str to RidgelinePanel
        ``"W"``, ``"z"``, ``"a"``.
    f_line : matplotlib.lines.Line2D
        f(z) under the z histograms, in the z panel's value coordinates
        (x) and axes fractions (y, the curve scaled to the panel height).
    shade : matplotlib.collections.PolyCollection
        The saturated intervals of the z axis (|f′(z)| < threshold).
    range_lines : matplotlib.collections.PolyCollection
        Grey bands outside the activation's output range in the a panel.
    chart : LineChartPanel
        Saturated share of each layer's pre-activations over training;
        series ``layer_names``.
    layer_names : list of str
        The chart's series names (its keys; not drawn).
    title, subtitle, note : PathText
    """

    def __init__(self, figsize: tuple[float, float] = (8.3, 6.2), dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language=language)
        threshold = f"{SATURATION_THRESHOLD:g}"
        fig = self.figure
        self.title = self.dynamic(PathText(fig, 0.01, 0.975, "", fontsize=11, weight="bold",
                                           va="top"))
        self.subtitle = self.dynamic(PathText(fig, 0.01, 0.93, "", fontsize=9, va="top"))
        self.note = self.dynamic(PathText(fig, 0.99, 0.015, "", fontsize=8.5, ha="right",
                                          color="#8a4b00"))
        lefts = {"W": 0.05, "z": 0.375, "a": 0.70}
        self.panels = {key: RidgelinePanel(
            self, fig.add_axes([left, 0.4, 0.28, 0.415]),
            title=self.tr(f"distributions.panel_title.{key}", threshold=threshold),
            xlabel=self.tr(f"distributions.panel_xlabel.{key}"))
            for key, left in lefts.items()}
        zp = self.panels["z"]
        band = blended_transform_factory(zp.data_transform, zp.ax.transAxes)
        self.shade = self.dynamic(zp.ax.add_collection(PolyCollection(
            [], facecolors=_SHADE, edgecolors="none", transform=band, zorder=0.5),
            autolim=False))
        (self.f_line,) = zp.ax.plot([], [], color="#222222", lw=1.3, ls="--", zorder=4,
                                    transform=band)
        self.dynamic(self.f_line)
        ap = self.panels["a"]
        self.range_lines = self.dynamic(ap.ax.add_collection(PolyCollection(
            [], facecolors="0.93", edgecolors="none", zorder=0.5,
            transform=blended_transform_factory(ap.data_transform, ap.ax.transAxes)),
            autolim=False))
        self.beyond_texts = {key: self.dynamic(PathText(p.ax, 1.0, 1.0, "", ha="right", va="top",
                                                        fontsize=8, color="#8a4b00",
                                                        offset=(-2.0, -2.0)))
                             for key, p in self.panels.items()}
        self.layer_names = [f"layer {l}" for l in range(1, MAX_LAYERS)] + ["output"]
        colors = layer_colors(MAX_LAYERS)
        self.chart = LineChartPanel(self, fig.add_axes([0.05, 0.07, 0.52, 0.19]),
                                    self.layer_names, colors=colors,
                                    xlabel=self.tr("distributions.xlabel"),
                                    ylabel=self.tr("distributions.chart_ylabel"),
                                    ylim=(0.0, 1.0), legend=False)
        # (a vertical Chinese label is wider than a Latin one: keep it inside the picture)
        self.chart.ax.yaxis.labelpad = 2.0
        x = 0.6
        fig.text(x, 0.235, self.tr("distributions.key_saturated", threshold=threshold),
                 fontsize=8, color="#333333")
        fig.text(x, 0.205, self.tr("distributions.key_no_gradient"), fontsize=8,
                 color="#333333")
        lines = fig.text(x, 0.165, self.tr("distributions.key_lines"), fontsize=8,
                         color="#333333")
        renderer = self.canvas.get_renderer()
        start = x + (lines.get_window_extent(renderer).width + 6) / fig.bbox.width
        # The key's labels belong to an axes of their own over just their band,
        # so that a new depth (which shows or hides some) repaints only that band.
        self.ax_key = fig.add_axes((start, 0.165, 0.01, 0.01))
        self.ax_key.set_axis_off()
        self.layer_key = key_texts(fig, start, 0.165,
                                   [str(l) for l in range(1, MAX_LAYERS)]
                                   + [self.tr("distributions.key_output")], colors,
                                   parent=self.ax_key)
        band = Bbox.union([t.get_window_extent(renderer) for t in self.layer_key]).padded(2.0)
        self.key_region = tuple(band.transformed(fig.transFigure.inverted()).bounds)
        self.ax_key.set_position(self.key_region)
        for k, line in enumerate(self.tr("distributions.key_ridges").split("\n")):
            fig.text(x, 0.115 - 0.03 * k, line, fontsize=8, color="#333333")

    def update(self, state: DistributionsState) -> None:
        """Draw ``state`` (see :class:`DistributionsState`)."""
        L = state.n_layers
        if not 1 <= state.layer <= L <= MAX_LAYERS:
            raise ValueError(f"layer must be in 1..{L} for a network of {L} <= {MAX_LAYERS} "
                             f"weight layers; got layer {state.layer}")
        act = get_activation(state.activation)
        for key, panel in self.panels.items():
            panel.set_range(*state.ranges[key])
            panel.update(state.steps, state.fractions[key], state.selected,
                         state.selected_fractions[key], state.last_step)
            share = state.beyond[key]
            self.beyond_texts[key].set_text(
                self.tr("distributions.beyond", share=f"{share:.0%}") if share > 0 else "")
        self._draw_activation(act, state.ranges["z"], state.ranges["a"])
        name = self.activation_name(state.activation)
        where = (self.tr("distributions.output_layer") if state.layer == L else
                 self.tr("distributions.hidden_layer", layer=state.layer))
        self.panels["W"].title.set_text(self.tr("distributions.w_title", where=where))
        self.panels["a"].title.set_text(self.tr("distributions.a_title", name=name))
        names = self.layer_names[:L - 1] + ["output"]
        # the key lists the layers drawn: 1 … L−1 and the output
        keep = [i < L - 1 or i == len(self.layer_key) - 1 for i in range(len(self.layer_key))]
        if keep != [t.get_visible() for t in self.layer_key]:
            def show_layers():
                for text, on in zip(self.layer_key, keep):
                    text.set_visible(on)
                self.invalidate()
            self.redraw_region(self.key_region, self.ax_key, show_layers, key=tuple(keep))
        self.chart.update(state.sat_steps, {name: state.sat_history[:, l]
                                            for l, name in enumerate(names)})
        self.chart.set_marker(state.selected)
        self.chart.set_title(self.tr("distributions.chart_title",
                                     threshold=f"{SATURATION_THRESHOLD:g}"))
        details = self.tr("distributions.title_details", where=where, hidden=L - 1,
                          activation=name, init=state.init, step=state.selected,
                          last=state.last_step, loss=fmt(state.loss))
        self.title.set_text(self.tr("distributions.title", details=details))
        # the widget's name gives way to the settings where they would not fit
        # (GELU (tanh approx.), a diverged loss of 1.2e+12, …)
        right = self.figure.bbox.width * 0.99
        if any(box.x1 > right for _, box in self.title.line_extents()):
            self.title.set_text(details)
        self.subtitle.set_text(self.tr("distributions.subtitle", step=state.selected,
                                       share=f"{state.saturated:.0%}", n=state.n_samples,
                                       mean=fmt(state.mean_abs_a)))
        self.note.set_text(state.note)

    def activation_name(self, name: str) -> str:
        """Activation ``name`` as the picture writes it, in the picture's language."""
        key = f"distributions.act.{name}"  # only names holding words have a key
        return self.tr(key) if has_key(key, "en") else get_activation(name).display_name

    def _draw_activation(self, act, z_range: tuple[float, float],
                         a_range: tuple[float, float]) -> None:
        z = np.linspace(z_range[0], z_range[1], 241)
        f = act(z)
        df = act.grad(z, f)
        lo, hi = float(f.min()), float(f.max())
        span = hi - lo if hi > lo else 1.0
        self.f_line.set_data(z, 0.05 + 0.9 * (f - lo) / span)
        self.shade.set_verts([[(a, 0.0), (b, 0.0), (b, 1.0), (a, 1.0)]
                              for a, b in saturated_intervals(z, df, SATURATION_THRESHOLD)])
        # the a panel: grey outside the activation's output range
        out_lo, out_hi = act.output_range
        bands = []
        if math.isfinite(out_lo) and out_lo > a_range[0]:
            bands.append([(a_range[0], 0.0), (out_lo, 0.0), (out_lo, 1.0), (a_range[0], 1.0)])
        if math.isfinite(out_hi) and out_hi < a_range[1]:
            bands.append([(out_hi, 0.0), (a_range[1], 0.0), (a_range[1], 1.0), (out_hi, 1.0)])
        self.range_lines.set_verts(bands)
