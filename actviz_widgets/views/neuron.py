"""One neuron, its forward pass and the chain rule with every number written out.

:class:`NeuronView` draws a 2-input neuron (inputs x₁, x₂ and a bias input
on the left, edges w₁, w₂, b whose width and colour follow the weights, the
neuron Σ → f, its output a, the target y and the loss), the chain rule
from the loss back to each weight with the numbers plugged in
(:func:`chain_rule_lines`), the activation's curve with the neuron's z and
the tangent there (an :class:`~actviz_widgets.views.activation_plot.ActivationCurvePanel`),
and the loss over the gradient steps taken.

Every number is given to the view by the caller (the widget reads them from
the engine); the view only formats and draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Circle

from ..engine.activations import Activation, get_activation
from ..engine.losses import get_loss
from ..i18n import tr
from .activation_plot import DF_COLOR, ActivationCurvePanel
from .base import FigureView
from .network_diagram import EDGE_HIT_PX
from .text import PathText

__all__ = ["NeuronView", "NeuronState", "chain_rule_lines", "num"]

#: Colour map of the edges: sign by hue, centred at 0.
EDGE_CMAP = colormaps["RdBu_r"]
#: Weights of this size or more get the strongest colour and the widest edge.
EDGE_MAX = 2.0
GRAD_COLOR = DF_COLOR


def num(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, trailing zeros kept, true minus sign."""
    text = f"{float(value):#.{digits}g}".replace("-", "−").replace("e+0", "e").replace("e+", "e")
    text = text.replace("e−0", "e−")
    return text.replace(".e", "e").rstrip(".")  # "491." → "491"


def _p(value: float, digits: int = 3) -> str:
    """:func:`num` in parentheses (a factor of a product)."""
    return f"({num(value, digits)})"


def _fix(value: float) -> str:
    """A control's value: three decimals, true minus sign."""
    value = float(value)
    return f"{0.0 if abs(value) < 5e-4 else value:.3f}".replace("-", "−")


def _mono(container, x: float, y: float, text: str = "", **kwargs) -> PathText:
    """A fast monospace text artist (numbers line up)."""
    kwargs.setdefault("va", "top")
    return PathText(container, x, y, text, family="DejaVu Sans Mono", **kwargs)


def _pf(value: float) -> str:
    return f"({_fix(value)})"


@dataclass(frozen=True)
class NeuronState:
    """Everything the neuron view shows (all numbers come from the engine).

    Attributes
    ----------
    x : (float, float)
        Inputs x₁, x₂.
    w : (float, float)
        Weights w₁, w₂.
    b, y : float
        Bias and target.
    z, a : float
        Pre-activation and activation.
    loss : float
        L for this one sample.
    dL_da : float
        ∂L/∂a, the gradient of the loss with respect to the activation.
    dadz : float
        f′(z), the activation function's derivative at z.
    delta : float
        δ = ∂L/∂z.
    dL_dw : (float, float)
        ∂L/∂w₁, ∂L/∂w₂.
    dL_db : float
        ∂L/∂b.
    activation : str
        Registry name of f.
    loss_name : str
        ``"mse"`` or ``"bce"``.
    lr : float
        Learning rate of the next step.
    """

    x: tuple[float, float]
    w: tuple[float, float]
    b: float
    y: float
    z: float
    a: float
    loss: float
    dL_da: float
    dadz: float
    delta: float
    dL_dw: tuple[float, float]
    dL_db: float
    activation: str
    loss_name: str
    lr: float


def _z_text(s: NeuronState) -> str:
    """z, written as 0 when it is only the rounding error of its terms (0.5 − 0.6 + 0.1)."""
    scale = max(abs(s.w[0] * s.x[0]), abs(s.w[1] * s.x[1]), abs(s.b))
    return num(0.0 if abs(s.z) <= 1e-12 * scale else s.z)


def chain_rule_lines(s: NeuronState, language: str | None = None) -> list[tuple[str, str]]:
    """The forward pass and the chain rule with ``s``'s numbers plugged in.

    Parameters
    ----------
    s : NeuronState
        The numbers.
    language : str, optional
        Of the comments, ``"en"`` or ``"zh"``; default: the current language.

    Returns
    -------
    list of (str, str)
        ``(equation, comment)`` per line.
    """
    def t(key: str) -> str:
        return tr("neuron.chain." + key, language)

    act = get_activation(s.activation)
    (x1, x2), (w1, w2) = s.x, s.w
    (g1, g2) = s.dL_dw
    z = _z_text(s)
    lines = [
        (f"z = w₁x₁ + w₂x₂ + b = {_pf(w1)}{_pf(x1)} + {_pf(w2)}{_pf(x2)} + {_fix(s.b)} "
         f"= {z}", t("z")),
        (f"a = f(z) = {act.name}({z}) = {num(s.a)}", t("a")),
    ]
    if s.loss_name == "bce":
        lines += [
            (f"L = −[y ln a + (1 − y) ln(1 − a)] = {num(s.loss)}", t("bce")),
            (f"∂L/∂a = (a − y) / (a(1 − a)) = {num(s.dL_da)}", t("dL_da")),
            (f"f′(z) = {num(s.dadz)}", t("dadz")),
            (f"∂L/∂z = δ = a − y = {num(s.a)} − {_fix(s.y)} = {num(s.delta)}", t("delta_bce")),
        ]
    else:
        lines += [
            (f"L = (a − y)² = ({num(s.a)} − {_fix(s.y)})² = {num(s.loss)}", t("mse")),
            (f"∂L/∂a = 2(a − y) = 2({num(s.a)} − {_fix(s.y)}) = {num(s.dL_da)}", t("dL_da")),
            (f"f′(z) = {num(s.dadz)}", t("dadz")),
            (f"∂L/∂z = δ = ∂L/∂a · f′(z) = {_p(s.dL_da)}{_p(s.dadz)} = {num(s.delta)}",
             t("delta")),
        ]
    lines += [
        (f"∂L/∂w₁ = δ · x₁ = {_p(s.delta)}{_pf(x1)} = {num(g1)}", t("w1")),
        (f"∂L/∂w₂ = δ · x₂ = {_p(s.delta)}{_pf(x2)} = {num(g2)}", t("w2")),
        (f"∂L/∂b  = δ = {num(s.dL_db)}", t("b")),
        (tr("neuron.chain.step_line", language, lr=num(s.lr), w1=num(w1 - s.lr * g1),
            w2=num(w2 - s.lr * g2), b=num(s.b - s.lr * s.dL_db)), "w ← w − lr·∂L/∂w"),
    ]
    return lines


class NeuronView(FigureView):
    """A neuron diagram, the chain rule with numbers, f(z) with z marked, the loss history.

    Parameters
    ----------
    z_range : (float, float), default (-6, 6)
        Plotted z range of the activation panel.
    figsize : (float, float), default (8.3, 6.2)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).

    Attributes
    ----------
    ax_diagram, ax_curve, ax_loss, ax_chain : matplotlib.axes.Axes
        The neuron; f(z); the loss history; the chain-rule text.
    curve : ActivationCurvePanel
        f(z) and f′(z) with the neuron's z marked (``curve.scatter_f``) and the
        tangent at z (``curve.tangent``).
    edges : dict of str -> matplotlib.lines.Line2D
        ``"w1"``, ``"w2"``, ``"b"``: width and colour follow the value.
    edge_labels : dict of str -> PathText
        The weight and its gradient on each edge.
    input_labels : dict of str -> PathText
        ``"x1"``, ``"x2"`` values in the input circles.
    neuron_label : PathText
        z and a in the neuron.
    output_label : PathText
        a, the target y and the loss L.
    activation_label : matplotlib.text.Text
        Names f under the neuron (static).
    chain_text : PathText
        The chain-rule equations, one per line.
    chain_notes : PathText
        In grey, what each line is (static: it changes only with the loss).
    loss_line : matplotlib.lines.Line2D
        Loss after 0, 1, 2, ... steps (y-limits: the next power of two above
        the largest loss).
    loss_last : matplotlib.lines.Line2D
        The current loss marked.
    state : NeuronState or None
        What is drawn.
    """

    def __init__(self, z_range: tuple[float, float] = (-6.0, 6.0),
                 figsize: tuple[float, float] = (8.3, 6.2), dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
        fig = self.figure
        grid = GridSpec(2, 3, figure=fig, height_ratios=[1.45, 1.0], width_ratios=[1.55, 1, 0.62],
                        left=0.005, right=0.985, top=0.94, bottom=0.0, wspace=0.22, hspace=0.5)
        self.ax_diagram = fig.add_subplot(grid[0, 0])
        self.ax_curve = fig.add_subplot(grid[0, 1])
        self.ax_loss = fig.add_subplot(grid[0, 2])
        self.ax_chain = fig.add_subplot(grid[1, :])
        self.ax_chain.set_axis_off()
        self.state: NeuronState | None = None
        self._norm = Normalize(-EDGE_MAX, EDGE_MAX)
        self._build_diagram()
        self.curve = ActivationCurvePanel(
            self, self.ax_curve, z_range=z_range,
            legend_kwargs=dict(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                               fontsize=8, frameon=False, columnspacing=1.0))
        self.ax_curve.tick_params(labelsize=8)
        self._build_loss()
        self.ax_chain.text(0.0, 1.0, self.tr("neuron.chain_title"),
                           transform=self.ax_chain.transAxes, va="top", fontsize=9.5,
                           weight="bold", color="0.2")
        self.chain_text = self.dynamic(_mono(self.ax_chain, 0.0, 0.89, fontsize=8.5,
                                             linespacing=1.18))
        # same line pitch as the equations, in a smaller font; static (they change
        # only with the loss), so they live in the cached background
        # right-aligned at the picture's edge: a long equation meets a short note
        self.chain_notes = _mono(self.ax_chain, 1.0, 0.89, fontsize=8, color="0.45",
                                 linespacing=1.18 * 8.5 / 8, ha="right")

    # -- construction ----------------------------------------------------------------------
    def _build_diagram(self) -> None:
        ax = self.ax_diagram
        ax.set_xlim(-0.3, 14.9)
        ax.set_ylim(-0.2, 10.0)
        ax.set_aspect("equal")  # round circles; the axes box shrinks to fit
        ax.set_axis_off()
        ax.set_title(self.tr("neuron.title"), fontsize=10)
        self._inputs = {"x1": (0.9, 8.6), "x2": (0.9, 4.7), "b": (0.9, 0.8)}
        neuron, r_in, r_n = (9.4, 4.7), 0.55, 0.95
        self._neuron_xy, self._r_in, self._r_n = neuron, r_in, r_n
        self.edges, self.edge_labels, self.input_labels = {}, {}, {}
        # Each edge's label sits beside it near the input, where the edges are far
        # apart: w₁ above its edge (it falls away to the right), w₂ above its level
        # edge (its long ∂L/∂w₂ line next to it, the short w₂ line higher, where w₁'s
        # edge has fallen less), b below its edge (it rises away). No edge crosses a
        # label: below w₂'s edge, b's rising edge would meet the long line's end.
        label_side = {"x1": ("bottom", 5.0), "x2": ("bottom", 5.0), "b": ("top", -5.0)}
        for key, (x, y) in self._inputs.items():
            dx, dy = neuron[0] - x, neuron[1] - y
            length = np.hypot(dx, dy)
            start = (x + dx / length * r_in, y + dy / length * r_in)
            end = (neuron[0] - dx / length * r_n, neuron[1] - dy / length * r_n)
            # a thin grey line under each edge keeps a zero weight visible
            ax.plot([start[0], end[0]], [start[1], end[1]], color="0.8", lw=0.8, zorder=1)
            self.edges[key] = self.dynamic(ax.plot([start[0], end[0]], [start[1], end[1]],
                                                   solid_capstyle="butt", zorder=2)[0])
            va, dy_pt = label_side[key]
            self.edge_labels[key] = self.dynamic(_mono(
                ax, x + r_in, y, fontsize=8, ha="left", va=va, transform=ax.transData,
                linespacing=1.05, offset=(8.0, dy_pt)))
            is_bias = key == "b"
            ax.add_patch(Circle((x, y), r_in, fc="0.93" if is_bias else "#F2F6FA",
                                ec="0.5" if is_bias else "0.2", lw=1.0, zorder=3))
            ax.text(x - r_in - 0.12, y, {"x1": "x₁", "x2": "x₂", "b": "1"}[key], ha="right",
                    va="center", fontsize=10, color="0.2")
            if not is_bias:
                self.input_labels[key] = self.dynamic(_mono(
                    ax, x, y + r_in + 0.1, fontsize=8, ha="center", va="bottom",
                    transform=ax.transData))
        ax.text(0.9, 0.8 - r_in - 0.05, self.tr("neuron.bias"), ha="center", va="top", fontsize=8,
                color="0.4")
        ax.text(14.9, -0.2, self.tr("neuron.edge_key"), ha="right",
                va="bottom", fontsize=8, color="0.4")
        ax.add_patch(Circle(neuron, r_n, fc="#FFF7E6", ec="0.2", lw=1.2, zorder=3))
        ax.text(neuron[0], neuron[1], "Σ → f", ha="center", va="center", fontsize=10,
                zorder=4)
        self.activation_label = ax.text(neuron[0], neuron[1] + r_n + 0.4, "",
                                        ha="center", va="bottom", fontsize=8, color="0.3")
        # z and a above the output arrow, a with the target and the loss below it
        self.neuron_label = self.dynamic(_mono(ax, neuron[0] + r_n + 0.1, neuron[1],
                                               fontsize=8, ha="left", va="bottom",
                                               transform=ax.transData, linespacing=1.05,
                                               offset=(0.0, 5.0)))
        ax.annotate("", xy=(14.7, neuron[1]), xytext=(neuron[0] + r_n, neuron[1]),
                    arrowprops=dict(arrowstyle="-|>", color="0.2", lw=1.2))
        self.output_label = self.dynamic(_mono(ax, neuron[0] + r_n + 0.1, neuron[1],
                                               fontsize=8, va="top", ha="left",
                                               transform=ax.transData, linespacing=1.3,
                                               offset=(0.0, -5.0)))

    def _build_loss(self) -> None:
        ax = self.ax_loss
        self._loss_ymax = 0.5
        ax.set_ylim(0.0, self._loss_ymax)
        self._loss_xmax = 10
        ax.set_xlim(-0.5, self._loss_xmax + 0.5)
        ax.set_title(self.tr("neuron.loss_title"), fontsize=10)
        ax.set_xlabel(self.tr("neuron.loss_xlabel"), fontsize=8.5, labelpad=1)
        ax.tick_params(labelsize=8)
        ax.grid(True, color="0.93", lw=0.6)
        self.loss_line = self.dynamic(ax.plot([], [], color="0.25", lw=1.4, marker="o", ms=2.5,
                                              zorder=3)[0])
        self.loss_last = self.dynamic(ax.plot([], [], "o", color=GRAD_COLOR, ms=6, zorder=4)[0])

    # -- where things are, for the page ---------------------------------------------------
    #: Region id of each edge and input (the ids of a network's picture, see
    #: :func:`~actviz_widgets.views.network_diagram.parse_region_id`: the neuron is
    #: neuron 0 of layer 1, the inputs are layer 0).
    EDGE_IDS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"x1": "edge:0:0:0", "x2": "edge:0:1:0", "b": "bias:1:0"})
    INPUT_IDS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"x1": "neuron:0:0", "x2": "neuron:0:1"})
    NEURON_ID = "neuron:1:0"

    def regions(self) -> list[dict]:
        """Where the inputs, the edges w₁, w₂, b and the neuron lie in the shown picture (CSS px).

        Returns
        -------
        list of dict
            Edges first (``"shape": "segment"``, ids :attr:`EDGE_IDS`, with a hit
            ``width`` of at least
            :data:`~actviz_widgets.views.network_diagram.EDGE_HIT_PX`), then the
            inputs x₁, x₂ (ids :attr:`INPUT_IDS`) and the neuron
            (:attr:`NEURON_ID`) as circles.  Each has a ``"title"`` and ``"rows"``
            (``[label, value text]``, numbers as the picture writes them): an
            edge its weight and ∂L/∂w, an input its value, the neuron z, a,
            f′(z), ∂L/∂a, δ, its bias and the loss.  ``[]`` before the first
            :meth:`update`.  Valid for the picture as last drawn.
        """
        st = self.state
        if st is None:
            return []
        tips = {
            "x1": (self.tr("neuron.tip.edge", w="w₁", x="x₁"),
                   [["w₁", _fix(st.w[0])], ["∂L/∂w₁", num(st.dL_dw[0])]]),
            "x2": (self.tr("neuron.tip.edge", w="w₂", x="x₂"),
                   [["w₂", _fix(st.w[1])], ["∂L/∂w₂", num(st.dL_dw[1])]]),
            "b": (self.tr("neuron.tip.bias"), [["b", _fix(st.b)], ["∂L/∂b", num(st.dL_db)]]),
        }
        inputs = {"x1": (self.tr("neuron.tip.input", x="x₁"), [["x₁", _fix(st.x[0])]]),
                  "x2": (self.tr("neuron.tip.input", x="x₂"), [["x₂", _fix(st.x[1])]])}
        ax = self.ax_diagram
        ax.apply_aspect()  # the equal-aspect box settles where it is drawn
        regions: list[dict] = []
        for key, line in self.edges.items():
            (x0, y0), (x1, y1) = self.css_points(np.column_stack(line.get_data()), ax.transData)
            regions.append({"id": self.EDGE_IDS[key], "shape": "segment",
                            "x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1),
                            "width": max(EDGE_HIT_PX, self.css_length(line.get_linewidth())),
                            "title": tips[key][0], "rows": tips[key][1]})
        scale = self._css_per_unit()
        for key, region_id in self.INPUT_IDS.items():
            x, y = self.css_points(self._inputs[key], ax.transData)
            regions.append({"id": region_id, "shape": "circle", "x": float(x), "y": float(y),
                            "r": self._r_in * scale, "title": inputs[key][0],
                            "rows": inputs[key][1]})
        x, y = self.css_points(self._neuron_xy, ax.transData)
        rows = [["z", _z_text(st)], ["a = f(z)", num(st.a)], ["f′(z)", num(st.dadz)],
                ["∂L/∂a", num(st.dL_da)], ["δ = ∂L/∂z", num(st.delta)],
                [self.tr("neuron.tip.bias_row"), _fix(st.b)], ["L", num(st.loss)]]
        regions.append({"id": self.NEURON_ID, "shape": "circle", "x": float(x), "y": float(y),
                        "r": self._r_n * scale,
                        "title": self.tr("neuron.tip.neuron", act=st.activation), "rows": rows})
        return regions

    def _css_per_unit(self) -> float:
        """CSS px per data unit of the diagram (the same both ways: equal aspect)."""
        (x0, _), (x1, _) = self.css_points([[0.0, 0.0], [1.0, 0.0]], self.ax_diagram.transData)
        return float(x1 - x0)

    # -- updates ---------------------------------------------------------------------------
    def set_activation(self, activation: str | Activation) -> None:
        """Show another activation f (static parts change: the background is redrawn)."""
        act = get_activation(activation)
        self.curve.set_activation(act)
        text = f"f = {act.display_name}"
        if self.activation_label.get_text() != text:
            self.activation_label.set_text(text)
            self.invalidate()

    def update(self, state: NeuronState, history: Sequence[float] = ()) -> None:
        """Draw ``state`` and the loss ``history`` (loss after 0, 1, ... steps).

        Parameters
        ----------
        state : NeuronState
            All the neuron's numbers, from the engine.
        history : sequence of float
            Losses after each step taken (the last one is the current loss).
        """
        self.set_activation(state.activation)
        values = {"x1": state.w[0], "x2": state.w[1], "b": state.b}
        grads = {"x1": state.dL_dw[0], "x2": state.dL_dw[1], "b": state.dL_db}
        names = {"x1": "w₁", "x2": "w₂", "b": "b"}
        for key, edge in self.edges.items():
            v = values[key]
            edge.set_color(EDGE_CMAP(self._norm(v)))
            edge.set_linewidth(0.6 + 6.0 * min(abs(v), EDGE_MAX) / EDGE_MAX)
            self.edge_labels[key].set_text(f"{names[key]} = {_fix(v)}\n"
                                           f"∂L/∂{names[key]} = {num(grads[key])}")
        for key, label in self.input_labels.items():
            label.set_text(_fix(state.x[0 if key == "x1" else 1]))
        self.neuron_label.set_text(f"z = {_z_text(state)}\na = {num(state.a)}")
        loss = get_loss(state.loss_name)
        self.output_label.set_text(self.tr("neuron.output", a=num(state.a), y=_fix(state.y),
                                           loss=num(state.loss), name=loss.name))

        self.curve.set_tangent(state.z)  # first: the point's label keeps clear of it
        self.curve.set_points([state.z], labels=[f"z = {_z_text(state)}"])

        lines = chain_rule_lines(state, self.language)
        self.chain_text.set_text("\n".join(eq for eq, _ in lines))
        notes = "\n".join(note for _, note in lines)
        if notes != self.chain_notes.get_text():
            self.chain_notes.set_text(notes)
            self.invalidate()

        hist = np.asarray(history, dtype=float)
        steps = np.arange(len(hist))
        # Limits move in powers of two, so the background is redrawn only now and then.
        xmax = 10
        while len(hist) - 1 > xmax:
            xmax *= 2
        top = float(np.nanmax(hist, initial=0.0)) * 1.05
        ymax = 2.0 ** np.clip(np.ceil(np.log2(max(top, 2.0 ** -10))), -10, 60)
        if len(hist) <= 1:
            # a hand-moved control (one point): the limits only grow, so dragging a
            # slider blits; steps fit them to the history again
            ymax = max(ymax, self._loss_ymax)
        if (xmax, ymax) != (self._loss_xmax, self._loss_ymax):
            self._loss_xmax, self._loss_ymax = xmax, ymax
            self.ax_loss.set_xlim(-0.5, xmax + 0.5)
            self.ax_loss.set_ylim(0.0, ymax)
            self.invalidate()
        self.loss_line.set_data(steps, hist)
        self.loss_last.set_data(steps[-1:], hist[-1:])
        self.state = state
