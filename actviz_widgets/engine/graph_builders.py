"""Ready-made computational graphs: one neuron, and a few teaching expressions.

:func:`neuron_graph` builds the neuron of the one-neuron widget, with the
same numbers as :class:`~actviz_widgets.engine.MLP` ``([2, 1])``:
``z = w₁x₁ + w₂x₂ + b``, ``a = f(z)`` and the loss of one sample,
``(a − y)²`` (``mse``) or binary cross-entropy (``bce``).

:func:`expression_graph` builds the small expressions the usual backprop
material works through by hand (see :data:`EXPRESSIONS`), among them values
used twice, whose gradients add up over their paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .activations import ACTIVATION_NAMES, get_activation
from .graph import Graph, Value, binary_cross_entropy, squared_error, total
from .graph_ops import check_real
from .validation import check_choice

__all__ = ["neuron_graph", "expression_graph", "EXPRESSIONS", "EXPRESSION_NAMES",
           "NEURON_LOSSES"]

#: Losses of :func:`neuron_graph` (``None``: the graph ends at the activation a).
NEURON_LOSSES: tuple[str, ...] = ("mse", "bce")


def _pair(name: str, value) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{name} must be a pair of two numbers (for inputs 1 and 2); "
                         f"got {value!r}")
    return check_real(f"{name}[0]", value[0]), check_real(f"{name}[1]", value[1])


def neuron_graph(x: Sequence[float] = (1.0, 2.0), w: Sequence[float] = (0.5, -0.3),
                 b: float = 0.1, activation: str = "sigmoid", loss: str | None = "mse",
                 target: float = 1.0, input_grads: bool = False) -> Graph:
    """The graph of a 2-input neuron and its loss, as the one-neuron widget computes it.

    Nodes: leaves ``x1, x2`` (inputs), ``w1, w2, b`` (weights), ``y``
    (target); ops ``w1x1 = w₁ · x₁``, ``w2x2 = w₂ · x₂``,
    ``z = w₁x₁ + w₂x₂ + b``, ``a = f(z)`` and ``L``.  The numbers are those of
    an :class:`~actviz_widgets.engine.MLP` ``([2, 1], activation=[],
    output_activation=activation, loss=loss)`` with these weights, for the
    one sample ``[[x₁, x₂]]`` with target ``[[y]]``.

    Parameters
    ----------
    x : (float, float), default (1.0, 2.0)
        Inputs x₁, x₂.
    w : (float, float), default (0.5, -0.3)
        Weights w₁, w₂.
    b : float, default 0.1
        Bias.
    activation : str, default "sigmoid"
        One of :data:`~actviz_widgets.engine.ACTIVATION_NAMES`.
    loss : {"mse", "bce"} or None, default "mse"
        ``mse``: L = (a − y)²; ``bce``: binary cross-entropy (needs sigmoid
        and 0 ≤ y ≤ 1); ``None``: no loss, the output is a.
    target : float, default 1.0
        y.
    input_grads : bool, default False
        Also compute ∂L/∂x₁ and ∂L/∂x₂ (what a layer below would receive);
        off by default because nothing trains the inputs.

    Returns
    -------
    Graph

    Examples
    --------
    >>> g = neuron_graph()
    >>> g.backward()
    >>> sorted(g.gradients())
    ['b', 'w1', 'w2']
    """
    x1, x2 = _pair("x", x)
    w1, w2 = _pair("w", w)
    b = check_real("b", b)
    activation = check_choice("activation", activation, ACTIVATION_NAMES)
    if loss is not None:
        loss = check_choice("loss", loss, NEURON_LOSSES)
    y = check_real("target", target)
    if not isinstance(input_grads, bool):
        raise TypeError(f"input_grads must be True or False; got {input_grads!r}")
    if loss == "bce":
        if activation != "sigmoid":
            raise ValueError(
                f"the bce loss (binary cross-entropy) needs the sigmoid activation, because a "
                f"must be a probability between 0 and 1; "
                f"{get_activation(activation).display_name} is not. Pick sigmoid, or the mse "
                "loss.")
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"target for the bce loss must be between 0 and 1; got {target!r}")

    nx1 = Value(x1, "x1", kind="input", requires_grad=input_grads)
    nx2 = Value(x2, "x2", kind="input", requires_grad=input_grads)
    nw1 = Value(w1, "w1", kind="weight")
    nw2 = Value(w2, "w2", kind="weight")
    nb = Value(b, "b", kind="weight")
    z = total((nw1 * nx1).named("w1x1", "w₁x₁"), (nw2 * nx2).named("w2x2", "w₂x₂"), nb,
              name="z")
    a = z.activation(activation).named("a")
    f = "σ" if activation == "sigmoid" else get_activation(activation).name
    if loss is None:
        return Graph(a, title=f"one neuron: a = {f}(w₁x₁ + w₂x₂ + b)")
    ny = Value(y, "y", kind="target", requires_grad=False)
    if loss == "mse":
        out = squared_error(a, ny)
        title = f"one neuron and its loss: L = ({f}(w₁x₁ + w₂x₂ + b) − y)²"
    else:
        out = binary_cross_entropy(a, ny)
        title = "one neuron and its loss: L = bce(σ(w₁x₁ + w₂x₂ + b), y)"
    return Graph(out, title=title)


# -- teaching expressions ---------------------------------------------------------------------

def _chain(v):
    a, b, c, f = (Value(v[k], k) for k in "abcf")
    e = (a * b).named("e")
    d = (e + c).named("d")
    return (d * f).named("L")


def _sum_times(v):
    x, y, z = (Value(v[k], k) for k in "xyz")
    q = (x + y).named("q")
    return (q * z).named("f")


def _reuse(v):
    a, b = Value(v["a"], "a"), Value(v["b"], "b")
    return ((a * b).named("ab", "a·b") + a).named("f")


def _square(v):
    x = Value(v["x"], "x")
    return (x * x).named("f")


def _shared(v):
    a, b, c = (Value(v[k], k) for k in "abc")
    q = (a * b).named("q")
    return ((q * c).named("u") + q).named("f")


def _quotient(v):
    a, b = Value(v["a"], "a"), Value(v["b"], "b")
    return ((a + b).named("s") / (a - b).named("d")).named("f")


def _logsumexp(v):
    a, b = Value(v["a"], "a"), Value(v["b"], "b")
    return (a.exp().named("ea", "eᵃ") + b.exp().named("eb", "eᵇ")).named("s").log().named("f")


def _tanh_neuron(v):
    x1, x2 = Value(v["x1"], "x1"), Value(v["x2"], "x2")
    w1, w2, b = (Value(v[k], k, kind="weight") for k in ("w1", "w2", "b"))
    n = total((x1 * w1).named("x1w1", "x₁w₁"), (x2 * w2).named("x2w2", "x₂w₂"), b, name="n")
    return n.tanh().named("o")


# name -> (what it shows, builder, default leaf values, title)
_EXPRESSIONS: dict[str, tuple[str, Callable, dict[str, float], str]] = {
    "chain": ("a chain of + and ×: the gradient is a product of local derivatives",
              _chain, {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}, "L = (a·b + c)·f"),
    "sum_times": ("a sum then a product: + passes the gradient on unchanged",
                  _sum_times, {"x": -2.0, "y": 5.0, "z": -4.0}, "f = (x + y)·z"),
    "reuse": ("a used twice: its gradient is the sum over both paths",
              _reuse, {"a": 2.0, "b": -3.0}, "f = a·b + a"),
    "square": ("x times itself: two paths into x, 3 + 3 = 6 = 2x",
               _square, {"x": 3.0}, "f = x·x"),
    "shared": ("an intermediate q used twice: its gradient must be complete before it "
               "flows on, so the order matters", _shared, {"a": 2.0, "b": -1.0, "c": 3.0},
               "f = q·c + q with q = a·b"),
    "quotient": ("a and b both used twice, in a quotient",
                 _quotient, {"a": 3.0, "b": 1.0}, "f = (a + b) / (a − b)"),
    "logsumexp": ("ln(eᵃ + eᵇ): its gradient is the softmax of (a, b)",
                  _logsumexp, {"a": 1.0, "b": 2.0}, "f = ln(eᵃ + eᵇ)"),
    "tanh_neuron": ("a tanh neuron, o = tanh(x₁w₁ + x₂w₂ + b)",
                    _tanh_neuron, {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0,
                                   "b": 6.8813735870195432}, "o = tanh(x₁w₁ + x₂w₂ + b)"),
}

#: The teaching expressions by name, with what each one shows.
EXPRESSIONS: dict[str, str] = {name: spec[0] for name, spec in _EXPRESSIONS.items()}
#: Names of :data:`EXPRESSIONS`.
EXPRESSION_NAMES: tuple[str, ...] = tuple(_EXPRESSIONS)


def expression_graph(name: str, **values: float) -> Graph:
    """One of the teaching expressions of :data:`EXPRESSIONS` as a graph.

    Parameters
    ----------
    name : str
        One of :data:`EXPRESSION_NAMES`.
    **values : float
        Leaf values other than the defaults, by leaf name.

    Returns
    -------
    Graph

    Examples
    --------
    >>> g = expression_graph("reuse", a=2.0, b=-3.0)   # f = a·b + a
    >>> g.backward(); g.gradients()
    {'a': -2.0, 'b': 2.0}
    """
    name = check_choice("name", name, _EXPRESSIONS)
    _what, build, defaults, title = _EXPRESSIONS[name]
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ValueError(f"expression {name!r} has no leaf {unknown[0]!r}; its leaves are "
                         f"{sorted(defaults)}")
    leaf = {k: check_real(k, values.get(k, d)) for k, d in defaults.items()}
    return Graph(build(leaf), title=title)
