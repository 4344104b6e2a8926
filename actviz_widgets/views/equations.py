"""The selected neuron's equations with the engine's numbers plugged in.

:func:`equation_text` writes, for one neuron at the current step of a
:class:`~actviz_widgets.engine.stepper.PassStepper`, what the pass computes
for it: the forward sum z = Σ wᵢaᵢ + b term by term and a = f(z); the loss;
the backward chain ∂L/∂a (the gradient of the loss with respect to the
activation) = Σ w δ_next, f′(z) (the activation function's derivative),
δ = ∂L/∂a · f′(z) and the weight gradients; and the update
w ← w − lr·∂L/∂w.  Every number comes from the stepper's state (or, for one
sample's loss, from the engine's loss function): nothing is re-derived here.

:class:`EquationPanel` shows that text in one monospace text artist.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ..engine.stepper import PassStepper
from ..engine.validation import check_int
from ..i18n import has_key, resolve_language, tr
from .base import FigureView
from .text import PathText, fmt

__all__ = ["EquationPanel", "equation_text", "MAX_TERMS"]

#: Sums with more terms than this are abbreviated with "…".
MAX_TERMS = 8
#: Gradient and update lines listed per neuron before "…".
MAX_ROWS = 4
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _p(value: float, digits: int = 3) -> str:
    """Like :func:`fmt`, in parentheses when negative (for products)."""
    text = fmt(value, digits)
    return f"({text})" if text.startswith("−") else text


def _sub(n: int) -> str:
    return str(n).translate(_SUB)


def _wrap(head: str, terms: list[str], width: int, indent: str = "   ") -> list[str]:
    """``head`` followed by ``terms`` joined by " + ", wrapped at ``width`` characters."""
    lines, line = [], head
    for k, term in enumerate(terms):
        piece = term if k == 0 else " + " + term
        if len(line) + len(piece) > width and line.strip() not in ("", head.strip()):
            lines.append(line)
            line = indent + "+ " + term
        else:
            line += piece
    lines.append(line)
    return lines


def _sum_terms(ws: np.ndarray, xs: np.ndarray, lang: str) -> list[str]:
    """``w·x`` terms, the first and last few only when there are more than MAX_TERMS."""
    return _abbreviate([f"{_p(w)}·{_p(x)}" for w, x in zip(ws, xs)], lang)


def _abbreviate(terms: list[str], lang: str) -> list[str]:
    """The first three and the last term, with "…" between, beyond MAX_TERMS terms."""
    if len(terms) > MAX_TERMS:
        return terms[:3] + [tr("equations.more_terms", lang, n=len(terms) - 4)] + terms[-1:]
    return terms


def equation_text(stepper: PassStepper, layer: int, neuron: int, sample: int = 0,
                  width: int = 64, language: str | None = None,
                  nodes_show_mean: bool = False) -> str:
    """The equations of one neuron at the stepper's current step, numbers plugged in.

    Parameters
    ----------
    stepper : PassStepper
        Its ``state`` says what is known; its ``net`` gives the weights and
        activations, ``y`` the targets and ``lr`` the learning rate.
    layer : int
        Layer number 0..L of the neuron (0 = input).
    neuron : int
        Index of the neuron in its layer (0-based; written 1-based).
    sample : int, default 0
        Which sample of the batch the per-sample numbers are for.
    width : int, default 64
        Wrap long sums at this many characters.
    language : str, optional
        ``"en"`` or ``"zh"`` (:mod:`actviz_widgets.i18n`); default: the current language.
    nodes_show_mean : bool, default False
        Say in the heading that the diagram's neurons show the batch mean
        (while these equations are for one sample).

    Returns
    -------
    str
        Several lines; quantities not computed yet say so.
    """
    lang = resolve_language(language)

    def t(key: str, **values) -> str:
        return tr("equations." + key, lang, **values)

    net = stepper.net
    state = stepper.state
    L = state.n_layers
    layer = check_int("layer", layer, minimum=0, maximum=L)
    neuron = check_int("neuron", neuron, minimum=0, maximum=net.sizes[layer] - 1)
    n = state.n_samples
    sample = check_int("sample", sample, minimum=0, maximum=n - 1)
    l, j, s = layer, neuron, sample
    phase = state.phase
    act = net.activations[l - 1] if l > 0 else None
    role = t("role." + ("input" if l == 0 else "output" if l == L else "hidden"))
    head = (t("head_act", l=l, j=j, role=role, act=act.name) if act else
            t("head", l=l, j=j, role=role))
    if n > 1:
        head += t("head_sample", s=s, n=n)
        if nodes_show_mean:
            head += t("head_nodes_mean")
    lines = [head]

    if l == 0:
        lines.append(t("input_value", x=f"x{_sub(j + 1)}", value=fmt(state.a[0][s, j])))
        if phase == "update":
            lines.append(t("input_update"))
        elif phase == "backward":
            lines.append(t("input_backward_1"))
            lines.append(t("input_backward_2"))
        return "\n".join(lines)

    W, b = net.weights[l - 1], net.biases[l - 1]
    known_z = state.known("z", l)
    if not known_z:
        lines.append(t("forward_not_yet", step=l))
        return "\n".join(lines)
    z = state.z[l][s, j]
    a = state.a[l][s, j]
    dadz = state.dadz[l][s, j]
    a_prev = state.a[l - 1][s]
    prev_name = t("prev_inputs") if l == 1 else t("prev_layer", l=l - 1)
    if phase == "forward" or phase == "input":
        lines.append(t("forward_head", prev=prev_name))
        lines += _wrap(" z = ", _abbreviate([f"w{_sub(i + 1)}·a{_sub(i + 1)}"
                                             for i in range(len(a_prev))], lang) + ["b"], width)
        lines += _wrap("   = ", _sum_terms(W[:, j], a_prev, lang) + [fmt(b[j])], width)
        lines.append(f"   = {fmt(z)}")
        lines.append(f" a = {act.name}(z) = {act.name}({fmt(z)}) = {fmt(a)}")
        lines.append(t("forward_dadz_1", value=fmt(dadz)))
        lines.append(t("forward_dadz_2"))
        return "\n".join(lines)

    lines.append(t("forward_done", z=fmt(z), act=act.name, a=fmt(a), dadz=fmt(dadz)))
    if phase == "loss" or (l == L and phase in ("backward", "update")):
        lines += [""] + _loss_lines(stepper, s, l == L and phase == "loss", t)

    known_delta = state.known("delta", l)
    if phase == "loss":
        return "\n".join(lines)
    if not known_delta:
        step = L + 1 + (L - l + 1)
        lines += ["", t("backward_not_yet", step=step)]
        return "\n".join(lines)
    delta = state.delta[l][s, j]
    dL_da = state.dL_da[l][s, j]
    lines.append("")
    if phase == "backward":
        lines += _backward_lines(stepper, l, j, s, dL_da, dadz, delta, width, t, lang)
    else:
        lines.append(t("backward_done", dL_da=fmt(dL_da), delta=fmt(delta)))
    lines.append("")
    dW, db = state.dW[l - 1][:, j], state.db[l - 1][j]
    rows = min(len(dW), MAX_ROWS)
    if phase == "backward":
        if n == 1:
            lines.append(t("incoming_one"))
            for i in range(rows):
                lines.append(f" ∂L/∂w{_sub(i + 1)} = {_p(a_prev[i])}·{_p(delta)} = {fmt(dW[i])}")
        else:
            lines.append(t("incoming_batch", n=n))
            for i in range(rows):
                lines.append(f" ∂L/∂w{_sub(i + 1)} = {fmt(dW[i])}")
        if len(dW) > rows:
            lines.append(t("more_rows", n=len(dW) - rows))
        lines.append(f" ∂L/∂b = {'δ' if n == 1 else 'Σ δ'} = {fmt(db)}")
        return "\n".join(lines)

    # update step
    new_w, new_b = state.new_weights[l - 1][:, j], state.new_biases[l - 1][j]
    lr = stepper.lr
    lines.append(t("update_head", lr=f"{lr:g}"))
    for i in range(rows):
        lines.append(f" w{_sub(i + 1)} ← {fmt(W[i, j], 4)} − {lr:g}·{_p(dW[i])} = "
                     f"{fmt(new_w[i], 4)}")
    if len(dW) > rows:
        lines.append(t("more_rows", n=len(dW) - rows))
    lines.append(f" b ← {fmt(b[j], 4)} − {lr:g}·{_p(db)} = {fmt(new_b, 4)}")
    return "\n".join(lines)


def _divisor(stepper: PassStepper, t) -> tuple[int, str]:
    """The N that the output δ is divided by (the loss is a mean), and its name."""
    n, k = stepper.X.shape[0], stepper.net.sizes[-1]
    if stepper.net.loss.name == "cross_entropy":
        return n, t("divisor_n")
    return n * k, t("divisor_nk") if k > 1 else t("divisor_n")


def _loss_lines(stepper: PassStepper, s: int, full: bool, t) -> list[str]:
    """The loss with numbers: this sample's term, then the mean over the batch."""
    net, state = stepper.net, stepper.state
    L = state.n_layers
    y = stepper.y
    z_out, a_out = state.z[L][s:s + 1], state.a[L][s:s + 1]
    one = net.loss.value(z_out, a_out, y[s:s + 1])  # this sample's loss, by the engine
    n = state.n_samples
    name = net.loss.name
    key = f"equations.loss.{net.loss.name}"
    lines = [t("loss_head", loss=t(key[10:]) if has_key(key) else net.loss.display_name)]
    if name == "cross_entropy":
        label = int(y[s]) if y.ndim == 1 else int(np.argmax(y[s]))
        p = state.prediction[s, label]
        lines.append(t("loss_ce", p=fmt(p), value=fmt(one), label=label))
    elif net.sizes[-1] == 1:
        yv, a = y[s, 0], a_out[0, 0]
        if name == "bce":
            lines.append(" L = −[y·ln ŷ + (1 − y)·ln(1 − ŷ)]")
            lines.append(f"   = −[{fmt(yv)}·ln {fmt(a)} + {fmt(1 - yv)}·ln {fmt(1 - a)}]"
                         f" = {fmt(one)}")
        else:
            lines.append(f" L = (ŷ − y)² = ({fmt(a)} − {fmt(yv)})² = {fmt(one)}")
    else:
        lines.append(t("loss_mse_outputs" if name == "mse" else "loss_bce_outputs",
                       k=net.sizes[-1], value=fmt(one)))
    if n > 1:
        lines.append(t("loss_mean", n=n, value=fmt(state.loss)))
    elif full:
        lines.append(t("loss_one", value=fmt(state.loss)))
    return lines


def _backward_lines(stepper: PassStepper, l: int, j: int, s: int, dL_da: float, dadz: float,
                    delta: float, width: int, t, lang: str) -> list[str]:
    net, state = stepper.net, stepper.state
    L = state.n_layers
    name = net.loss.name
    if l < L:
        W_next = net.weights[l][j]  # weights from this neuron to layer l+1
        d_next = state.delta[l + 1][s]
        lines = [t("hidden_1"), t("hidden_2", next=l + 1)]
        lines += _wrap(" ∂L/∂a = ", _sum_terms(W_next, d_next, lang), width)
        lines.append(f"       = {fmt(dL_da)}")
        lines.append(t("dadz_line", value=fmt(dadz)))
        lines.append(f" δ = ∂L/∂a · f′(z) = {_p(dL_da)}·{_p(dadz)} = {fmt(delta)}")
        return lines
    N, n_name = _divisor(stepper, t)
    a_hat = state.a[L][s, j]
    if name == "cross_entropy":
        y = stepper.y
        p = state.prediction[s, j]
        yj = (1.0 if int(y[s]) == j else 0.0) if y.ndim == 1 else y[s, j]
        return [t("out_ce_head", name=n_name, N=N),
                f" δ = ∂L/∂z = (softmax(z)ⱼ − yⱼ)/N = ({fmt(p)} − {fmt(yj)})/{N} = {fmt(delta)}",
                t("out_ce_1"), t("out_ce_2")]
    yv = stepper.y[s, j]
    if name == "bce":
        return [t("out_bce_head", name=n_name, N=N),
                f" ∂L/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))/N = {fmt(dL_da)}",
                t("out_dyhat"),
                t("out_bce_dadz", value=fmt(dadz)),
                t("out_bce_cancel"),
                f" δ = (ŷ − y)/N = ({fmt(a_hat)} − {fmt(yv)})/{N} = {fmt(delta)}",
                t("out_bce_stable_1"), t("out_bce_stable_2")]
    return [t("out_mse_head", act=net.activations[-1].name, name=n_name, N=N),
            f" ∂L/∂ŷ = 2(ŷ − y)/N = 2·({fmt(a_hat)} − {fmt(yv)})/{N} = {fmt(dL_da)}",
            t("out_dyhat"),
            t("dadz_line", value=fmt(dadz)),
            f" δ = ∂L/∂ŷ · f′(z) = {_p(dL_da)}·{_p(dadz)} = {fmt(delta)}"]


class EquationPanel:
    """A text panel with the selected neuron's equations (see :func:`equation_text`).

    Parameters
    ----------
    view : FigureView
        The figure (the text is a dynamic artist).
    ax : matplotlib.axes.Axes
        The axes to write in; its frame and ticks are hidden.
    fontsize : float, default 8
        Monospace font size.
    width : int, default 64
        Wrap sums at this many characters.
    columns : int, default 1
        Columns side by side: lines that do not fit the axes' height go on in
        the next one.

    Attributes
    ----------
    text : PathText
        The equations; ``text.get_text()`` is what is shown.
    """

    def __init__(self, view: FigureView, ax: Axes, fontsize: float = 8.0, width: int = 64,
                 columns: int = 1) -> None:
        self.view = view
        self.ax = ax
        self.width = check_int("width", width, minimum=20)
        columns = check_int("columns", columns, minimum=1)
        ax.set_axis_off()
        # lines that do not fit the axes' height continue in the next column
        height_pt = ax.get_position().height * view.figure.get_size_inches()[1] * 72
        width_pt = ax.get_position().width * view.figure.get_size_inches()[0] * 72
        pitch = fontsize * 1.17 * 1.05  # DejaVu Sans Mono's line height × spacing
        rows = max(int(height_pt // pitch), 1) if columns > 1 else None
        self.text = view.dynamic(PathText(ax, 0.0, 1.0, "", va="top", family="DejaVu Sans Mono",
                                          fontsize=fontsize, linespacing=1.05,
                                          column_rows=rows, column_width=width_pt / columns))

    def update(self, stepper: PassStepper, layer: int, neuron: int, sample: int = 0,
               nodes_show_mean: bool = False) -> None:
        """Show the equations of neuron ``neuron`` of ``layer`` at the current step
        (in the view's language; see :func:`equation_text`)."""
        self.text.set_text(equation_text(stepper, layer, neuron, sample, self.width,
                                         self.view.language, nodes_show_mean))

    def set_text(self, text: str) -> None:
        """Show arbitrary text (e.g. a message when nothing is selected)."""
        self.text.set_text(text)
