"""Gradient checking, drawn: backprop against a central difference, and why ε matters.

:class:`GradientCheckView` shows the network with the checked weight
highlighted, the numbers (the weight, ∂L/∂w from backpropagation, the
central difference (L(w+ε) − L(w−ε)) / 2ε with the two losses it subtracts,
and their relative error) and, on log–log axes, the relative error against
ε (:class:`ErrorCurvePanel`).  Large ε: *truncation error* (the difference
quotient of a curved loss is not its slope; it shrinks like ε²).  Tiny ε:
*rounding error* (L(w+ε) and L(w−ε) agree in almost every digit, and their
difference keeps only the last few; it grows like 1/ε).

Every number is given to the view by the caller (the widget reads them from
the engine); the view only formats and draws them.  The axes limits are
fixed, so every frame is blitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from ..engine.validation import check_array
from ..i18n import tr
from .base import FigureView
from .network_diagram import NetworkDiagram
from .readability import polyline_crosses
from .text import PathText, fmt, fmt_short, short_log_ticks

__all__ = ["GradientCheckView", "GradientCheckState", "ErrorCurvePanel", "EPS_RANGE",
           "ERROR_FLOOR", "PASS_MARK", "neuron_name"]

#: The ε axis spans this range (the widget's slider range).
EPS_RANGE = (1e-12, 1e-1)
#: Relative errors below this (in practice: exactly 0) are drawn on the floor of the plot.
ERROR_FLOOR = 1e-17
#: A common pass mark for a gradient check in float64.
PASS_MARK = 1e-7
#: float64 machine epsilon: the spacing of numbers just above 1.
MACHINE_EPS = float(np.finfo(np.float64).eps)
#: A region is labelled only if the error at its far end is this many times the minimum.
_RISE = 30.0
ROUNDING_COLOR = "#56B4E9"   # Okabe–Ito sky blue
TRUNCATION_COLOR = "#E69F00"  # Okabe–Ito orange
CURVE_COLOR = "#0072B2"
CURRENT_COLOR = "#D55E00"
CHOSEN_COLOR = "#E69F00"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def neuron_name(sizes, layer: int, neuron: int, language: str | None = None) -> str:
    """A neuron of layer ``layer`` (0 = input) as a learner reads it, in ``language``.

    Inputs are numbered from 1 as in the lessons (x₁, x₂); other neurons by
    their 0-based index, as in ``weights[l][i, j]``.

    >>> neuron_name([2, 4, 1], 0, 1), neuron_name([2, 4, 1], 1, 2), neuron_name([2, 4, 1], 2, 0)
    ('input x₂', 'hidden-1 neuron 2', 'output')
    """
    L = len(sizes) - 1
    if layer == 0:
        return tr("gradcheck.neuron.input", language, index=str(neuron + 1).translate(_SUB))
    if layer == L:
        return (tr("gradcheck.neuron.output", language) if sizes[-1] == 1
                else tr("gradcheck.neuron.output_k", language, k=neuron))
    return tr("gradcheck.neuron.hidden", language, layer=layer, k=neuron)


def _g(value: float, digits: int) -> str:
    """``value`` in ``digits`` significant digits, true minus signs (for long mantissas)."""
    value = float(value)
    if not math.isfinite(value):
        return fmt(value)
    return f"{value:.{digits}g}".replace("-", "−")


@dataclass(frozen=True)
class GradientCheckState:
    """Everything the gradient-check view shows (all numbers come from the engine).

    Attributes
    ----------
    sizes : list of int
        The network's layer sizes.
    activations : list of str
        Activation names of layers 1..L.
    weights : list of numpy.ndarray
        The network's weights (edges of the diagram).
    mean_activations : list of numpy.ndarray
        Mean activation of every neuron over the data, per layer (input first).
    layer, i, j : int
        The checked weight is ``weights[layer][i, j]``.
    w : float
        Its value.
    loss : float
        The mean loss L(w).
    backprop : float
        ∂L/∂w from backpropagation.
    eps : float
        The current ε.
    loss_plus, loss_minus : float
        L(w + ε) and L(w − ε).
    numeric : float
        (L(w + ε) − L(w − ε)) / 2ε.
    rel_error : float
        |backprop − numeric| / (|backprop| + |numeric|).
    eps_grid, errors : numpy.ndarray
        The relative error at each ε of the curve.
    n_samples : int
        Samples the loss is averaged over.
    """

    sizes: list
    activations: list
    weights: list
    mean_activations: list
    layer: int
    i: int
    j: int
    w: float
    loss: float
    backprop: float
    eps: float
    loss_plus: float
    loss_minus: float
    numeric: float
    rel_error: float
    eps_grid: np.ndarray
    errors: np.ndarray
    n_samples: int


class ErrorCurvePanel:
    """Relative error of a central difference against ε, log–log, with its two regions.

    The curve's lowest stretch splits the ε axis: left of it the error is
    labelled *rounding error*, right of it *truncation error*.  Rounding
    makes the curve jagged (some ε even give an exact 0), so the split and
    the rises are read from its upper envelope, the largest of each point
    and its two neighbours; a region is labelled only where that envelope
    rises by a factor 30 or more above its minimum.  Where the minimum is a
    plateau (e.g. exact zeros until a ReLU's kink comes within ±ε), the
    regions start at its two ends and the dashed line marks its middle.  (The loss of a linear
    model with squared error is quadratic in each weight, so its central
    difference has no truncation error: that curve only falls.)

    Parameters
    ----------
    view : FigureView
    ax : matplotlib.axes.Axes
    eps_range : (float, float), default :data:`EPS_RANGE`

    Attributes
    ----------
    line : matplotlib.lines.Line2D
        The curve; y values below :data:`ERROR_FLOOR` are drawn at the floor.
    current_point : matplotlib.lines.Line2D
        The error at the current ε.
    current_line : matplotlib.lines.Line2D
        Vertical line at the current ε.
    current_label : PathText
        "ε = …, relative error = …" next to the point.
    best_line : matplotlib.lines.Line2D
        Vertical dashed line at ``best_eps``, from the bottom up to the curve's lowest
        point.
    rounding_span, truncation_span : matplotlib.patches.Rectangle
        Shading of the two regions (x in data, y across the axes).
    rounding_label, truncation_label : PathText
        The regions' names (hidden when the curve does not rise there).
    best_eps : float
        The ε of the smallest error on the curve (the geometric middle of
        the lowest stretch of its envelope).
    eps, errors : numpy.ndarray
        The data drawn (``errors`` unclipped).
    """

    def __init__(self, view: FigureView, ax, eps_range: tuple[float, float] = EPS_RANGE) -> None:
        self.view, self.ax = view, ax
        lo, hi = eps_range
        ax.set_xscale("log")
        ax.set_yscale("log")
        short_log_ticks(ax.xaxis)
        ax.set_xlim(lo / 2, hi * 2)
        ax.set_ylim(ERROR_FLOOR / 3, 3.0)
        ax.set_xlabel(view.tr("gradcheck.curve.xlabel"), fontsize=8.5)
        # close to the axis: the diagram's colour bar label is just left of it
        ax.set_ylabel(view.tr("gradcheck.curve.ylabel"), fontsize=8.5, labelpad=2)
        ax.set_title(view.tr("gradcheck.curve.title"), fontsize=10)
        ax.tick_params(labelsize=8)
        ax.tick_params(axis="y", pad=2)
        ax.grid(True, which="major", color="0.92", lw=0.6)
        # the floor is where exact zeros are drawn: its tick says so
        ax.set_yticks([ERROR_FLOOR] + [10.0 ** k for k in range(-16, 1, 2)],
                      labels=["0"] + [fmt_short(10.0 ** k) for k in range(-16, 1, 2)])
        ax.minorticks_off()
        ax.set_xticks([10.0 ** k for k in range(-12, 0, 2)])
        full_height = blended_transform_factory(ax.transData, ax.transAxes)
        # static references: the pass mark and machine precision
        ax.axhline(PASS_MARK, color="#009E73", lw=1.0, ls=":", zorder=1)
        margin = blended_transform_factory(ax.transAxes, ax.transData)
        ax.text(1.02, PASS_MARK, view.tr("gradcheck.curve.pass_mark"), ha="left", va="center", fontsize=8,
                color="#007a5a", transform=margin)
        ax.axhline(MACHINE_EPS, color="0.45", lw=0.8, ls=":", zorder=1)
        ax.text(1.02, MACHINE_EPS, view.tr("gradcheck.curve.precision"), ha="left", va="center", fontsize=8,
                color="0.4", transform=margin)
        self.rounding_span = view.dynamic(Rectangle((lo, 0), 0, 1, transform=full_height,
                                                    facecolor=ROUNDING_COLOR, alpha=0.13,
                                                    edgecolor="none", zorder=0))
        self.truncation_span = view.dynamic(Rectangle((lo, 0), 0, 1, transform=full_height,
                                                      facecolor=TRUNCATION_COLOR, alpha=0.13,
                                                      edgecolor="none", zorder=0))
        ax.add_patch(self.rounding_span)
        ax.add_patch(self.truncation_span)
        self.rounding_label = view.dynamic(PathText(
            ax, lo, 0.97, "", transform=full_height, ha="center", va="top", fontsize=8,
            color="#1f5f87", linespacing=1.15))
        self.truncation_label = view.dynamic(PathText(
            ax, hi, 0.97, "", transform=full_height, ha="center", va="top", fontsize=8,
            color="#8a5a00", linespacing=1.15))
        self.best_line = view.dynamic(ax.axvline(lo, color="0.35", lw=1.0, ls="--", zorder=2))
        self.line = view.dynamic(ax.plot([], [], color=CURVE_COLOR, lw=1.5, marker="o", ms=3,
                                         zorder=3)[0])
        self.current_line = view.dynamic(ax.axvline(lo, color=CURRENT_COLOR, lw=1.2, zorder=4))
        self.current_point = view.dynamic(ax.plot([], [], "o", color=CURRENT_COLOR, ms=8,
                                                  mec="white", mew=1.2, zorder=5)[0])
        self.current_label = view.dynamic(PathText(
            ax, lo, 0.03, "", transform=full_height, fontsize=8, color=CURRENT_COLOR,
            weight="bold", va="bottom"))
        self.best_eps = float("nan")
        self.eps = np.empty(0)
        self.errors = np.empty(0)
        self._range = (lo, hi)

    def _place_region_labels(self) -> None:
        """Keep each region's label where the curve and the best-ε line do not run:
        at the top of its region, else at its bottom, else where it was first put."""
        lines = _polylines((self.line, self.best_line, self.current_line))
        lo, hi = self._range
        # 4 px inside the axes (xlim lo/2 .. 2 hi): text flush on the frame reads as cut off
        for label, edge, edge_ha in ((self.rounding_label, lo / 1.3, "left"),
                                     (self.truncation_label, hi * 1.3, "right")):
            if not label.get_text():
                continue
            x = label.get_position()[0]
            spots = [(x, "center", y, va) for y, va in ((0.97, "top"), (0.5, "center"),
                                                         (0.2, "bottom"))]
            spots += [(edge, edge_ha, y, va) for y, va in ((0.97, "top"), (0.5, "center"),
                                                          (0.2, "bottom"))]
            # a region too narrow for the explanation keeps just its name
            full = label.get_text()
            for text in (full, full.split("\n")[0].split()[0]):
                label.set_text(text)
                for px, ha, py, va in spots:
                    label.set_alignment(ha=ha, va=va)
                    label.set_position((px, py))
                    if _clear_of(label, lines):
                        break
                else:
                    continue
                break
            else:
                label.set_text(full)
                label.set_alignment(ha="center", va="top")
                label.set_position((x, 0.97))

    def update(self, eps, errors, current_eps: float, current_error: float) -> None:
        """Draw the curve ``errors`` against ``eps`` and mark the current ε.

        Parameters
        ----------
        eps, errors : array_like
            1-D, same length, ``eps`` increasing; NaN errors leave gaps.
        current_eps, current_error : float
            The current ε and the relative error there.
        """
        eps = check_array("eps", eps, ndim=1)
        errors = check_array("errors", errors, ndim=1, finite=False)
        if eps.shape != errors.shape:
            raise ValueError(f"errors must have {len(eps)} values like eps; got {len(errors)}")
        self.eps, self.errors = eps, errors
        shown = np.where(np.isnan(errors), np.nan, np.maximum(errors, ERROR_FLOOR))
        self.line.set_data(eps, shown)
        lo, hi = self._range
        self.best_eps, first, last, rounding, truncation = _regions(eps, errors)
        if not math.isfinite(self.best_eps):
            first = last = math.sqrt(lo * hi)
        left, right = lo / 2, hi * 2
        self.rounding_span.set_x(left)
        self.rounding_span.set_width(first - left)
        self.truncation_span.set_x(last)
        self.truncation_span.set_width(right - last)
        self.rounding_span.set_visible(rounding)
        self.truncation_span.set_visible(truncation)
        best = self.best_eps if math.isfinite(self.best_eps) else first
        self.best_line.set_xdata([best, best])
        # from the bottom up to the curve's lowest point: it marks where that point is,
        # and labels higher up stay clear of it
        low = float(np.nanmin(shown)) if np.isfinite(shown).any() else ERROR_FLOOR
        y0, y1 = (math.log10(v) for v in self.ax.get_ylim())
        self.best_line.set_ydata([0.0, min(max((math.log10(low) - y0) / (y1 - y0), 0.0), 1.0)])
        self.best_line.set_visible(rounding or truncation)
        # labels centred on their region, but kept inside the axes (about 3.5 decades wide)
        inside = (left * 10 ** 1.8, right / 10 ** 1.8)
        self.rounding_label.set_position((min(max(math.sqrt(left * first), inside[0]),
                                              inside[1]), 0.97))
        self.rounding_label.set_text(self.view.tr("gradcheck.curve.rounding") if rounding
                                     else "")
        self.truncation_label.set_position((min(max(math.sqrt(last * right), inside[0]),
                                                inside[1]), 0.97))
        self.truncation_label.set_text(self.view.tr("gradcheck.curve.truncation") if truncation
                                       else "")
        ce = float(current_error)
        y = max(ce, ERROR_FLOOR) if math.isfinite(ce) else np.nan
        self.current_point.set_data([current_eps], [y])
        self.current_line.set_xdata([current_eps, current_eps])
        self._place_region_labels()
        # the label sits on the side of the line away from the dashed best-ε line, unless
        # it would leave the axes there
        self.current_label.set_text(self.view.tr("gradcheck.curve.current",
                                                 eps=fmt(current_eps, 2), error=fmt(ce, 2)))
        away = "left" if current_eps > best or not self.best_line.get_visible() else "right"
        other = "right" if away == "left" else "left"
        box = self.ax.bbox
        lines = _polylines((self.line, self.best_line, self.current_point))
        labels = [b for t in (self.rounding_label, self.truncation_label)
                  for _, b in t.line_extents()]
        first = None
        for side, ly, va in ((away, 0.03, "bottom"), (other, 0.03, "bottom"),
                             (away, 0.5, "center"), (other, 0.5, "center"),
                             (away, 0.75, "center"), (other, 0.75, "center")):
            self.current_label.set_alignment(ha=side, va=va)
            self.current_label.set_position(
                (current_eps * (1.6 if side == "left" else 1 / 1.6), ly))
            ext = [b for _, b in self.current_label.line_extents()]
            if not all(box.x0 <= b.x0 and b.x1 <= box.x1 for b in ext):
                continue
            first = first or (side, ly, va)
            if _clear_of(self.current_label, lines, labels):
                break
        else:
            side, ly, va = first or (away, 0.03, "bottom")
            self.current_label.set_alignment(ha=side, va=va)
            self.current_label.set_position(
                (current_eps * (1.6 if side == "left" else 1 / 1.6), ly))


def _polylines(lines) -> list[np.ndarray]:
    """The visible ``lines`` in canvas pixels (once per placement: the log axes' transform
    of a long curve costs more than the crossing tests)."""
    return [line.get_transform().transform(line.get_xydata())
            for line in lines if line.get_visible()]


def _clear_of(text, polys, others=()) -> bool:
    """Whether ``text`` keeps 2 px clear of the polylines ``polys`` and the boxes ``others``."""
    boxes = [b.padded(2.0) for _, b in text.line_extents()]
    return not any(polyline_crosses(p, b) for p in polys for b in boxes) and \
        not any(b.overlaps(o) for b in boxes for o in others)


def _regions(eps: np.ndarray, errors: np.ndarray) -> tuple[float, float, float, bool, bool]:
    """Where the regions of :class:`ErrorCurvePanel` end and whether they show.

    Returns
    -------
    best, left, right : float
        The ε in the middle of the lowest stretch of the envelope, and the
        first and last ε of that stretch (rounding is left of ``left``,
        truncation right of ``right``).
    rounding, truncation : bool
        Whether the envelope rises by :data:`_RISE` or more on each side.
    """
    finite = np.isfinite(errors)
    if not finite.any():
        return float("nan"), float("nan"), float("nan"), False, False
    e = np.where(finite, np.maximum(errors, ERROR_FLOOR), np.nan)
    padded = np.concatenate([[np.nan], e, [np.nan]])
    envelope = np.nanmax(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    low = np.nanmin(envelope)
    ties = np.flatnonzero(envelope == low)
    first, last = int(ties[0]), int(ties[-1])
    rounding = bool(np.nanmax(envelope[:first + 1]) >= _RISE * low)
    truncation = bool(np.nanmax(envelope[last:]) >= _RISE * low)
    best = math.sqrt(eps[first] * eps[last])
    return best, float(eps[first]), float(eps[last]), rounding, truncation


class GradientCheckView(FigureView):
    """The network with the checked weight, the numbers, and the error-vs-ε curve.

    Parameters
    ----------
    sizes : sequence of int
        The network's layer sizes (the diagram's structure).
    activations : sequence of str
        Activation names of layers 1..L.
    figsize : (float, float), default (8.3, 5.6)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the picture's texts (default: the current one).

    Attributes
    ----------
    ax_diagram, ax_numbers, ax_curve : matplotlib.axes.Axes
    diagram : NetworkDiagram
        Edges = weights; neurons coloured by their mean activation over the data.
    chosen_edge : matplotlib.lines.Line2D
        The checked weight's edge, drawn thick on top (hidden if not drawn
        in the diagram).
    numbers : PathText
        The numbers: weight, backprop, numeric (with L(w ± ε)), relative error.
    verdict : PathText
        Whether the relative error is below :data:`PASS_MARK`.
    curve : ErrorCurvePanel
    state : GradientCheckState or None
        What is drawn.
    """

    def __init__(self, sizes, activations, figsize: tuple[float, float] = (8.3, 5.6),
                 dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
        fig = self.figure
        # left: the diagram over the numbers; right: the error curve, its reference
        # lines named in the right margin (a label inside would meet the moving ε line)
        self.ax_diagram = fig.add_axes([0.01, 0.50, 0.45, 0.35])
        self.ax_numbers = fig.add_axes([0.015, 0.02, 0.50, 0.43])
        self.ax_numbers.set_axis_off()
        self.ax_curve = fig.add_axes([0.615, 0.10, 0.30, 0.78])
        # The activation is named in the (dynamic) note above the diagram, not in the
        # layer titles: titles are static, and a new one would redraw the whole figure.
        self.diagram = NetworkDiagram(self, self.ax_diagram, list(sizes), max_neurons=8,
                                      show_values=False,
                                      cax=self.ax_diagram.inset_axes([1.0, 0.2, 0.02, 0.6]))
        self.chosen_edge = self.dynamic(self.ax_diagram.plot(
            [], [], color=CHOSEN_COLOR, lw=5.0, solid_capstyle="round", zorder=3, alpha=0.9)[0])
        fig.text(0.015, 0.975, self.tr("gradcheck.title"), fontsize=11, weight="bold", va="top")
        self.ax_numbers.text(0.0, 1.0, self.tr("gradcheck.numbers.title"),
                             transform=self.ax_numbers.transAxes, fontsize=9.5, weight="bold",
                             color="0.2", va="top")
        # (high and tight enough that a three-line verdict below stays clear of the last line)
        self.numbers = self.dynamic(PathText(self.ax_numbers, 0.0, 0.915, "", fontsize=8,
                                             family="DejaVu Sans Mono", va="top",
                                             linespacing=1.2))
        self.verdict = self.dynamic(PathText(self.ax_numbers, 0.0, 0.0, "", fontsize=9,
                                             weight="bold", va="bottom"))
        self.curve = ErrorCurvePanel(self, self.ax_curve)
        self.state: GradientCheckState | None = None

    def update(self, state: GradientCheckState) -> None:
        """Draw ``state``."""
        if list(state.sizes) != self.diagram.sizes:
            self.diagram.set_structure(list(state.sizes))
        self.diagram.set_weights(state.weights)
        samples = self.tr("gradcheck.samples.one" if state.n_samples == 1
                          else "gradcheck.samples.many", n=state.n_samples)
        acts = state.activations
        layers = (self.tr("gradcheck.layers.hidden", hidden=acts[0], output=acts[-1])
                  if len(acts) > 1 else self.tr("gradcheck.layers.output", output=acts[-1]))
        self.diagram.set_node_values(state.mean_activations, self.tr("gradcheck.node_label"),
                                     note=self.tr("gradcheck.node_note", layers=layers,
                                                  samples=samples))
        l, i, j = state.layer, state.i, state.j
        shown = self.diagram.shown
        if i < shown[l] and j < shown[l + 1]:
            p, q = self.diagram.positions[l][i], self.diagram.positions[l + 1][j]
            self.chosen_edge.set_data([p[0], q[0]], [p[1], q[1]])
            self.chosen_edge.set_visible(True)
        else:
            self.chosen_edge.set_visible(False)
        self.diagram.set_edge_note(self.tr("gradcheck.edge_note"))
        src = neuron_name(state.sizes, l, i, self.language)
        dst = neuron_name(state.sizes, l + 1, j, self.language)
        # One template of the catalogue: its spaces line the numbers up in the
        # monospaced font (a Chinese character is about 1.66 columns wide).
        self.numbers.set_text(self.tr(
            "gradcheck.numbers", l=l, i=i, j=j, w=_g(state.w, 6), source=src, target=dst,
            loss=_g(state.loss, 16), samples=samples, backprop=_g(state.backprop, 10),
            numeric=_g(state.numeric, 10), eps=fmt(state.eps, 3),
            plus=_g(state.loss_plus, 16), minus=_g(state.loss_minus, 16),
            error=fmt(state.rel_error, 3)))
        err = state.rel_error
        if not math.isfinite(err):
            text, color = self.tr("gradcheck.verdict.nan"), "#b00020"
        elif state.backprop == 0 and state.numeric == 0:
            text, color = self.tr("gradcheck.verdict.zero"), "0.3"
        elif err <= PASS_MARK:
            text, color = self.tr("gradcheck.verdict.pass"), "#007a5a"
        else:
            text, color = self.tr("gradcheck.verdict.fail"), "#b00020"
        self.verdict.set_text(text)
        self.verdict.set_color(color)
        self.curve.update(state.eps_grid, state.errors, state.eps, err)
        self.state = state
