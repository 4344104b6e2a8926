"""The dead-neurons picture: which ReLU units never fire, and what brings them back.

:class:`DeadNeuronsView` composes:

* left: a :class:`~.gradient_health.CompactNetworkDiagram` whose neurons are
  coloured by the share of training samples on which they fire (z > 0), the
  dead ones (z ≤ 0 for every sample) outlined in black;
* right, top: a :class:`FractionBarPanel` of the dead units per hidden layer;
* right, bottom: two :class:`~.linechart.LineChartPanel` charts over the
  training steps: the number of dead units (and of those that pass no
  gradient at all), and the training loss; a dotted marker shows when the
  activation was switched.

A unit dead under ReLU passes no gradient (f′(z) = 0 on every sample), so
its own weights stop learning (it can revive only if earlier layers change
its inputs; a dead unit of the first hidden layer never can); under leaky ReLU the same unit still passes 1 % of
the gradient: the two lines of the count chart part when the activation is
switched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from ..engine.activations import get_activation
from ..engine.validation import check_array, check_int
from ..i18n import tr
from .base import FigureView, PartialRedrawView
from .gradient_health import CompactNetworkDiagram
from .linechart import LineChartPanel
from .text import PathText, fmt, fmt_short

__all__ = ["DeadNeuronsView", "DeadNeuronsState", "FractionBarPanel", "DEAD_COLOR",
           "NO_GRADIENT_COLOR", "LOSS_COLOR", "MAX_HIDDEN"]

#: Most hidden layers drawn.
MAX_HIDDEN = 4
#: Okabe–Ito colours of the count chart's lines and the loss.
DEAD_COLOR = "#000000"
NO_GRADIENT_COLOR = "#D55E00"
LOSS_COLOR = "#0072B2"
_BAR_COLOR = "#999999"
#: Figure region of the diagram up to its colour bar (left, bottom, width, height).
DIAGRAM_REGION = (0.0, 0.0, 0.453, 0.81)


class FractionBarPanel:
    """Bars of fractions in [0, 1] (fixed axis), with a label such as ``"3/8"`` above each.

    Parameters
    ----------
    view : FigureView
    ax : matplotlib.axes.Axes
    max_bars : int
    color : color, default grey
    ylabel : str, optional

    Attributes
    ----------
    bars : matplotlib.collections.PolyCollection
        One rectangle per shown bar, from 0 to its fraction.
    value_texts, label_texts : list of PathText
        Above and under the bars.
    title : PathText
    fractions : numpy.ndarray or None
        The fractions drawn.
    """

    def __init__(self, view: FigureView, ax: Axes, max_bars: int, color=_BAR_COLOR,
                 ylabel: str = "") -> None:
        self.view, self.ax = view, ax
        self.max_bars = check_int("max_bars", max_bars, minimum=1)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.15)
        ax.set_xticks([])
        ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0], labels=["0", "25%", "50%", "75%", "100%"])
        ax.tick_params(labelsize=8)
        ax.grid(axis="y", color="#e6e6e6", lw=0.6)
        ax.set_axisbelow(True)
        if ylabel:
            ax.set_ylabel(ylabel, fontsize=8)
        self.bars = view.dynamic(ax.add_collection(PolyCollection(
            [], facecolors=color, edgecolors="#333333", linewidths=0.6), autolim=False))
        below = blended_transform_factory(ax.transData, ax.transAxes)
        self.value_texts = [view.dynamic(PathText(ax, 0.0, 0.0, "", transform=ax.transData,
                                                  ha="center", va="bottom", fontsize=8,
                                                  offset=(0.0, 2.0)))
                            for _ in range(self.max_bars)]
        self.label_texts = [view.dynamic(PathText(ax, 0.0, 0.0, "", transform=below,
                                                  ha="center", va="top", fontsize=8,
                                                  offset=(0.0, -3.0)))
                            for _ in range(self.max_bars)]
        self.title = view.dynamic(PathText(ax, 0.5, 1.0, "", ha="center", va="bottom",
                                           fontsize=8.5, offset=(0.0, 4.0)))
        self.fractions: np.ndarray | None = None

    def update(self, fractions, labels: Sequence[str], texts: Sequence[str]) -> None:
        """Draw one bar per fraction, ``labels`` under them and ``texts`` above them."""
        fractions = check_array("fractions", fractions, ndim=1)
        n = len(fractions)
        if not 1 <= n <= self.max_bars or len(labels) != n or len(texts) != n:
            raise ValueError(f"fractions, labels and texts need 1 to {self.max_bars} entries "
                             f"each; got {n}, {len(labels)}, {len(texts)}")
        self.fractions = fractions
        width = 1.0 / n
        heights = np.clip(fractions, 0.0, 1.0)
        lefts = (np.arange(n) + 0.2) * width
        self.bars.set_verts([[(x, 0.0), (x + 0.6 * width, 0.0), (x + 0.6 * width, h), (x, h)]
                             for x, h in zip(lefts, heights)])
        for i in range(self.max_bars):
            shown = i < n
            self.value_texts[i].set_visible(shown)
            self.label_texts[i].set_visible(shown)
            if shown:
                centre = (i + 0.5) * width
                self.value_texts[i].set_position((centre, heights[i]))
                self.value_texts[i].set_text(texts[i])
                self.label_texts[i].set_position((centre, 0.0))
                self.label_texts[i].set_text(labels[i])


@dataclass(frozen=True)
class DeadNeuronsState:
    """Everything the dead-neurons view shows (numbers from the engine).

    Attributes
    ----------
    sizes : list of int
        Layer sizes, input first.
    activations : list of str
        Activation names of layers 1..L now (the hidden ones share one).
    step : int
        Training steps taken.
    loss : float
        Training-set loss at the current weights.
    accuracy : float or None
    active_share : list of numpy.ndarray
        Per hidden layer, each unit's share of samples with z > 0.
    dead : list of numpy.ndarray
        Per hidden layer, the dead-unit masks (z ≤ 0 on every sample).
    no_gradient : list of numpy.ndarray
        Per hidden layer, the masks of units passing no gradient (f′ = 0 on every sample).
    negative_slope : float
        Largest f′(z) of the dead units (0 for ReLU, 0.01 for leaky ReLU; 0 if none).
    steps : numpy.ndarray
        Steps of the history (0 first), then the current step again for the
        current values (which differ from the last row's after a switch).
    dead_counts, no_gradient_counts, losses : numpy.ndarray
        Per history step: dead units, units passing no gradient, training loss.
    switch_step : int or None
        Step at which the activation was last switched (``None``: never).
    n_samples : int
        Training samples.
    note : str
        Extra line (e.g. training diverged), or ``""``.
    """

    sizes: list
    activations: list
    step: int
    loss: float
    accuracy: float | None
    active_share: list
    dead: list
    no_gradient: list
    negative_slope: float
    steps: np.ndarray
    dead_counts: np.ndarray
    no_gradient_counts: np.ndarray
    losses: np.ndarray
    switch_step: int | None
    n_samples: int
    note: str = ""


def verdict_text(state: DeadNeuronsState, language: str | None = None) -> str:
    """The verdict line under the title, in ``language`` (default: the current one)."""
    dead = int(sum(m.sum() for m in state.dead))
    silent = int(sum(m.sum() for m in state.no_gradient))
    total = sum(state.sizes[1:-1])
    if dead == 0:
        return tr("dead.verdict.none", language, total=total)
    line = tr("dead.verdict.one" if dead == 1 else "dead.verdict.many", language, dead=dead,
              total=total, n=state.n_samples)
    if silent == dead:
        return line + "\n" + tr("dead.verdict.stuck", language)
    name = get_activation(state.activations[0]).display_name
    return line + "\n" + tr("dead.verdict.leaky", language, name=name,
                            slope=fmt(state.negative_slope))


class DeadNeuronsView(PartialRedrawView):
    """Diagram with dead units outlined, dead share per layer, counts and loss over training.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes of the first network (the view adapts to later ones).
    figsize : (float, float), default (8.3, 5.9)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    diagram : CompactNetworkDiagram
        Node values: each unit's share of samples with z > 0 (hidden layers
        only); outlined: dead.
    bars : FractionBarPanel
        Dead share per hidden layer.
    count_chart : LineChartPanel
        Series ``"dead"`` and ``"no gradient"``: numbers of units per step.
    loss_chart : LineChartPanel
        Series ``"training loss"``.
    switch_label : PathText
        Names the activation switch at the charts' marker.
    title, verdict, note : PathText
    """

    def __init__(self, sizes: Sequence[int], figsize: tuple[float, float] = (8.3, 5.9),
                 dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language=language)
        fig = self.figure
        self.title = self.dynamic(PathText(fig, 0.01, 0.975, "", fontsize=11.5, weight="bold",
                                           va="top"))
        self.verdict = self.dynamic(PathText(fig, 0.01, 0.93, "", fontsize=9, va="top"))
        self.note = self.dynamic(PathText(fig, 0.99, 0.93, "", fontsize=8.5, va="top", ha="right",
                                          color="#8a4b00"))
        ax_net = fig.add_axes([0.005, 0.0, 0.45, 0.81])
        self.diagram = CompactNetworkDiagram(self, ax_net, list(sizes), max_neurons=8,
                                             show_values=False)
        # a share is a non-negative quantity: a sequential scale from 0 to 1
        self.diagram.set_color_scale("nonnegative", vmax=1.0)
        self.bars = FractionBarPanel(self, fig.add_axes([0.6, 0.57, 0.38, 0.2]), MAX_HIDDEN,
                                     ylabel=self.tr("dead.bars_ylabel"))
        self.count_chart = LineChartPanel(
            self, fig.add_axes([0.6, 0.14, 0.17, 0.29]), ["dead", "no gradient"],
            colors=[DEAD_COLOR, NO_GRADIENT_COLOR], styles=["-", "--"],
            xlabel=self.tr("dead.xlabel"), ylabel=self.tr("dead.count_ylabel"), legend=False)
        self.loss_chart = LineChartPanel(
            self, fig.add_axes([0.82, 0.14, 0.16, 0.29]), ["training loss"], colors=[LOSS_COLOR],
            xlabel=self.tr("dead.xlabel"), legend=False)
        # few losses, in short numbers: a diverged run's 1e12 on its tick (not as an axis
        # multiplier above the axes, where the title is), and narrow enough for the gap
        # between the charts
        self.loss_chart.ax.yaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10]))
        self.loss_chart.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_short(v)))
        self.switch_label = self.dynamic(PathText(
            self.count_chart.ax, 0.0, 1.0, "", fontsize=8,
            transform=blended_transform_factory(self.count_chart.ax.transData,
                                                self.count_chart.ax.transAxes),
            va="top", color="#555555", offset=(0.0, -3.0)))
        fig.text(0.6, 0.035, self.tr("dead.key_dead"), color=DEAD_COLOR, fontsize=8)
        fig.text(0.6, 0.01, self.tr("dead.key_no_gradient"), color=NO_GRADIENT_COLOR,
                 fontsize=8)

    def update(self, state: DeadNeuronsState) -> None:
        """Draw ``state`` (see :class:`DeadNeuronsState`)."""
        sizes = list(state.sizes)
        L = len(sizes) - 1
        if not 2 <= L <= MAX_HIDDEN + 1:
            raise ValueError(f"the network must have 1 to {MAX_HIDDEN} hidden layers; "
                             f"got sizes {sizes}")
        acts = [get_activation(a).display_name for a in state.activations]
        d = self.diagram
        # (no activation names under the layers: the title says them, and a switch
        # then changes nothing static)
        if sizes != d.sizes:
            self.redraw_region(DIAGRAM_REGION, d.ax, lambda: d.set_structure(sizes),
                               key=tuple(sizes))
        d.set_node_values([None, *state.active_share, None], self.tr("dead.diagram_label"),
                          blank=[True] + [False] * (L - 1) + [True],
                          note=self.tr("dead.diagram_note", n=state.n_samples))
        d.set_outlined([None, *state.dead, None])
        n_dead = [int(m.sum()) for m in state.dead]
        self.bars.update([m.mean() for m in state.dead],
                         [self.tr("dead.bar_label", layer=l) for l in range(1, L)],
                         [f"{k}/{len(m)}" for k, m in zip(n_dead, state.dead)])
        self.bars.title.set_text(self.tr("dead.bars_title", step=state.step))
        self.count_chart.update(state.steps, {"dead": state.dead_counts,
                                              "no gradient": state.no_gradient_counts})
        self.loss_chart.update(state.steps, {"training loss": state.losses})
        later = "" if state.step else self.tr("dead.press_train")
        self.count_chart.set_title(self.tr("dead.count_title") + later)
        self.loss_chart.set_title(self.tr("dead.loss_title") + later)
        for chart in (self.count_chart, self.loss_chart):
            chart.set_marker(state.switch_step)
        self.switch_label.set_visible(state.switch_step is not None)
        if state.switch_step is not None:
            # the label sits right of the marker, or left of it near the right edge
            x0, x1 = self.count_chart.xlim
            right = state.switch_step > x0 + 0.55 * (x1 - x0)
            pad = 0.02 * (x1 - x0)
            self.switch_label.set_alignment(ha="right" if right else "left")
            self.switch_label.set_position((state.switch_step + (-pad if right else pad), 1.0))
            self.switch_label.set_text(f"{acts[0]} →" if right else f"→ {acts[0]}")
        acc = "" if state.accuracy is None else self.tr("dead.accuracy",
                                                         accuracy=f"{state.accuracy:.0%}")
        hidden = L - 1
        self.title.set_text(self.tr("dead.title_many" if hidden > 1 else "dead.title_one",
                                    hidden=hidden, activation=acts[0], step=state.step,
                                    loss=fmt(state.loss), accuracy=acc))
        self.verdict.set_text(verdict_text(state, self.language))
        self.note.set_text(state.note)
