"""A scalar computational graph and reverse-mode differentiation, one step at a time.

:class:`Value` is a number that remembers how it was computed (micrograd's
idea): ``a * b + c`` builds a graph of nodes, each holding its value, its
gradient, its op, its parents and the local derivative with respect to each
parent.  :class:`Graph` collects the nodes under one output in topological
order (every node after its parents) and runs

* the forward pass: each node's value, in topological order;
* the backward pass: start with ∂L/∂L = 1 at the output, then for each node
  in *reverse* topological order and each of its parents, add
  ``local derivative × the node's gradient`` into the parent's gradient.

:meth:`Graph.trace` records both passes as a list of immutable
:class:`GraphStep` records (one per computed node, then one per edge), each
with the chain rule written out with the real numbers, for a picture to step
through.  Each step's words are kept as catalogue keys and values
(:class:`StepText`, area ``graphsteps``), so a picture can write them in any
language; the step's ``title``, ``detail`` and ``note`` are the English ones.
Three things learners most often ask about are made visible:

* a value used twice receives a gradient from each use, and they add up
  (:attr:`GraphStep.contributions`);
* gradients accumulate: :meth:`Graph.backward` *adds* into the leaves'
  ``grad``, so two passes without :meth:`Graph.zero_grad` give twice the
  gradient (``trace(accumulate=True)`` shows the second pass adding to the
  first);
* the order matters: ``trace(order=...)`` runs the backward pass in any
  order and flags each step where a node passes its gradient on before all
  of it has arrived (:meth:`Graph.wrong_order` gives such an order).

As in PyTorch (and unlike micrograd, where intermediate gradients pile up as
well), an intermediate node's gradient is recomputed from zero on every pass;
only the leaves (inputs, weights) keep accumulating.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..i18n import resolve_language, tr
from .activations import ACTIVATION_NAMES
from .graph_ops import Op, check_real, fmt_num, get_op, subscript_digits, wrap
from .validation import check_choice, check_positive

__all__ = ["Value", "Graph", "GraphNode", "GraphEdge", "GraphStructure", "GraphStep",
           "GraphTrace", "StepText", "StepList", "NODE_KINDS", "STEP_PHASES", "total",
           "squared_error", "binary_cross_entropy"]

#: What a node is: a leaf (input, weight, target, constant) or an operation.
NODE_KINDS: tuple[str, ...] = ("input", "weight", "target", "constant", "operation")
#: The phases of a trace, in order.
STEP_PHASES: tuple[str, ...] = ("start", "forward", "seed", "backward", "done")


def _check_name(name, what: str = "name") -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} must be a Python identifier such as 'w1' or 'x'; "
                         f"got {name!r}")
    return name


# -- the node ----------------------------------------------------------------------------------

class Value:
    """A scalar that remembers how it was computed.

    Arithmetic with ``+ − × ÷ **`` and the methods :meth:`exp`, :meth:`log`,
    :meth:`tanh`, :meth:`sigmoid`, :meth:`relu`, :meth:`activation` build new
    nodes; plain numbers become constant nodes (no gradient).

    Parameters
    ----------
    data : float
        The value.
    name : str, optional
        An identifier (``"w1"``) to set the value by (:meth:`Graph.set`) and
        to read its gradient by (:meth:`Graph.gradients`).
    label : str, optional
        How it is written (default: ``name`` with subscript digits, ``"w₁"``).
    kind : {"input", "weight", "target", "constant"}, default "input"
        What the leaf is; a picture colours it by this.
    requires_grad : bool, default True
        Whether the backward pass computes its gradient (False for targets
        and constants, which nothing trains).

    Attributes
    ----------
    data : float
        The value (recomputed by :meth:`Graph.forward`).
    grad : float
        ∂output/∂(this node) after :meth:`backward`; a leaf's accumulates.
    op : Op or None
        The operation that made this node (``None`` for a leaf).
    param : float or str or None
        The op's parameter (exponent of ``pow``, activation of ``act``).
    parents : tuple of Value
        The op's arguments, in order (one node may appear twice: ``x * x``).
    local : tuple of float
        ∂(this node)/∂(parent) for each parent, from the last forward pass.

    Examples
    --------
    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> f = a * b + a
    >>> f.backward()
    >>> a.grad, b.grad      # a is used twice: b + 1
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "op", "param", "parents", "local", "name", "label", "kind",
                 "requires_grad")

    def __init__(self, data: float, name: str | None = None, *, label: str | None = None,
                 kind: str = "input", requires_grad: bool = True) -> None:
        self.data = check_real("data", data)
        self.name = _check_name(name)
        self.label = self._default_label(label)
        kind = check_choice("kind", kind, NODE_KINDS)
        if kind == "operation":
            raise ValueError("kind 'operation' is for nodes made by an op; a Value made "
                             "directly is a leaf: 'input', 'weight', 'target' or 'constant'")
        self.kind = kind
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be True or False; got {requires_grad!r}")
        self.requires_grad = bool(requires_grad)
        self.grad = 0.0
        self.op: Op | None = None
        self.param = None
        self.parents: tuple[Value, ...] = ()
        self.local: tuple[float, ...] = ()

    def _default_label(self, label: str | None) -> str | None:
        if label is not None:
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"label must be a non-empty string; got {label!r}")
            return label
        return subscript_digits(self.name) if self.name else None

    @classmethod
    def _make(cls, op_name: str, parents: Sequence, param=None) -> Value:
        node = cls.__new__(cls)
        node.parents = tuple(v if isinstance(v, Value) else _constant(v, f"operand of {op_name}")
                             for v in parents)
        node.op, node.param = get_op(op_name), param
        node.name = node.label = None
        node.kind = "operation"
        node.requires_grad = any(p.requires_grad for p in node.parents)
        node.grad = 0.0
        node.data, node.local = 0.0, ()
        node._compute()
        return node

    def _compute(self) -> None:
        """Recompute value and local derivatives from the parents' current values."""
        logit = None
        if self.op.name == "bce":
            pred = self.parents[0]
            if pred.op is not None and (pred.op.name == "sigmoid"
                                        or (pred.op.name == "act" and pred.param == "sigmoid")):
                logit = pred.parents[0].data
        self.data, self.local = self.op.forward(tuple(p.data for p in self.parents),
                                                self.param, logit)

    # -- naming ----------------------------------------------------------------------------
    def named(self, name: str, label: str | None = None) -> Value:
        """Give this node a name (and label); returns the node, for chaining.

        >>> z = (w * x).named("z")   # doctest: +SKIP
        """
        self.name = _check_name(name)
        self.label = self._default_label(label)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for a node no op made (an input, weight, target or constant)."""
        return self.op is None

    # -- arithmetic --------------------------------------------------------------------------
    def __add__(self, other) -> Value:
        return Value._make("add", (self, other))

    def __radd__(self, other) -> Value:
        return Value._make("add", (other, self))

    def __sub__(self, other) -> Value:
        return Value._make("sub", (self, other))

    def __rsub__(self, other) -> Value:
        return Value._make("sub", (other, self))

    def __mul__(self, other) -> Value:
        return Value._make("mul", (self, other))

    def __rmul__(self, other) -> Value:
        return Value._make("mul", (other, self))

    def __truediv__(self, other) -> Value:
        return Value._make("div", (self, other))

    def __rtruediv__(self, other) -> Value:
        return Value._make("div", (other, self))

    def __neg__(self) -> Value:
        return Value._make("neg", (self,))

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("the exponent must be a constant number (x ** 2), not a Value: "
                            "write exp(b * log(a)) for a power with a variable exponent")
        return Value._make("pow", (self,), check_real("exponent", exponent))

    def exp(self) -> Value:
        """e to the power of this node."""
        return Value._make("exp", (self,))

    def log(self) -> Value:
        """The natural logarithm of this node (needs a value > 0)."""
        return Value._make("log", (self,))

    def tanh(self) -> Value:
        """tanh of this node."""
        return Value._make("tanh", (self,))

    def sigmoid(self) -> Value:
        """σ of this node, 1 / (1 + e^−x)."""
        return Value._make("sigmoid", (self,))

    def relu(self) -> Value:
        """max(0, x) of this node (derivative 0 at exactly 0)."""
        return Value._make("relu", (self,))

    def activation(self, name: str) -> Value:
        """Any activation of the engine (``"softplus"``, ``"gelu"``, ...) of this node.

        ``"sigmoid"``, ``"tanh"`` and ``"relu"`` give the same nodes as
        :meth:`sigmoid`, :meth:`tanh`, :meth:`relu`.
        """
        name = check_choice("activation", name, ACTIVATION_NAMES)
        if name in ("sigmoid", "tanh", "relu"):
            return Value._make(name, (self,))
        return Value._make("act", (self,), name)

    # -- gradients ---------------------------------------------------------------------------
    def backward(self) -> None:
        """Backpropagate from this node: see :meth:`Graph.backward` (leaf gradients add up)."""
        Graph(self).backward()

    def zero_grad(self) -> None:
        """Set the gradient of every node under this one to 0 (see :meth:`Graph.zero_grad`)."""
        Graph(self).zero_grad()

    def __repr__(self) -> str:
        who = f"{self.name!r}, " if self.name else ""
        what = f"op={self.op.name!r}, " if self.op else ""
        return f"Value({who}{what}data={self.data:.6g}, grad={self.grad:.6g})"


def _constant(value, what: str) -> Value:
    number = check_real(what, value)
    return Value(number, label=fmt_num(number, 4), kind="constant", requires_grad=False)


def total(*terms, name: str | None = None, label: str | None = None) -> Value:
    """One sum node of several terms: ``total(w1 * x1, w2 * x2, b)`` is ``w₁x₁ + w₂x₂ + b``.

    One node with many parents (rather than a chain of two-term sums) is how
    the weighted sum of a neuron is usually drawn.
    """
    if len(terms) == 1 and isinstance(terms[0], (list, tuple)):
        terms = tuple(terms[0])
    if not terms:
        raise ValueError("total needs at least one term; got none")
    node = Value._make("add", terms)
    return node.named(name, label) if name else node


def squared_error(prediction, target, name: str | None = "L",
                  label: str | None = None) -> Value:
    """The loss (a − y)² of one prediction a against a target y, as one node.

    The same number as :class:`~actviz_widgets.engine.MLP`'s ``mse`` loss for
    one sample and one output; its local derivative is ∂L/∂a = 2(a − y).
    """
    node = Value._make("mse", (prediction, target))
    return node.named(name, label) if name else node


def binary_cross_entropy(prediction, target, name: str | None = "L",
                         label: str | None = None) -> Value:
    """The loss −[y ln a + (1 − y) ln(1 − a)] of a prediction a in (0, 1), as one node.

    When a is a σ node, the loss and ∂L/∂a are computed from σ's input z, as
    :class:`~actviz_widgets.engine.MLP`'s ``bce`` loss does (finite and exact
    even when a rounds to 0 or 1).
    """
    node = Value._make("bce", (prediction, target))
    return node.named(name, label) if name else node


# -- structure records ---------------------------------------------------------------------------

@dataclass(frozen=True)
class GraphNode:
    """One node of a graph's structure (no numbers: those change, this does not).

    Attributes
    ----------
    index : int
        Position in topological order.
    name : str
        Identifier (given, or ``v1``, ``v2``, ... for unnamed ops, ``c1``, ... for constants).
    label : str
        How the node is written in formulas (``"w₁"``, ``"w₁x₁"``, ``"0.5"``).
    kind : str
        One of :data:`NODE_KINDS`.
    op : str or None
        Op name (``"mul"``, ...); ``None`` for a leaf.
    symbol : str
        What the op badge shows (``"×"``, ``"σ"``, ``"x²"``); ``""`` for a leaf.
    expression : str
        The op applied to the parents' labels (``"w₁ · x₁"``); ``""`` for a leaf.
    parents : tuple of int
        Parent node indices, in argument order (repeats allowed: ``x · x``).
    requires_grad : bool
        Whether the backward pass computes this node's gradient.
    depth : int
        Longest path from a leaf (0 for leaves).
    """

    index: int
    name: str
    label: str
    kind: str
    op: str | None
    symbol: str
    expression: str
    parents: tuple[int, ...]
    requires_grad: bool
    depth: int


@dataclass(frozen=True)
class GraphEdge:
    """One edge, from a parent (an argument) into the node computed from it.

    Attributes
    ----------
    index : int
        Position in :attr:`GraphStructure.edges` (child by child in topological
        order, then argument by argument).
    parent, child : int
        Node indices.
    slot : int
        Which argument of the child's op the parent is (0, 1, ...).
    local_text : str
        The local derivative ∂child/∂parent with symbols (``"x₁"``, ``"1"``).
    carries_grad : bool
        Whether the backward pass sends a gradient along it (the parent
        requires one).
    """

    index: int
    parent: int
    child: int
    slot: int
    local_text: str
    carries_grad: bool


@dataclass(frozen=True)
class GraphStructure:
    """The shape of a graph: nodes in topological order and edges, without numbers.

    Equal structures draw the same picture, so a view builds its layout once
    per structure and only updates numbers afterwards.

    Attributes
    ----------
    nodes : tuple of GraphNode
    edges : tuple of GraphEdge
    output : int
        Index of the output node (the last one).
    title : str
        What the graph computes, for a heading.
    """

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    output: int
    title: str

    def in_edges(self, node: int) -> tuple[int, ...]:
        """Indices of the edges into ``node`` (from its parents), in argument order."""
        return tuple(e.index for e in self.edges if e.child == node)

    def out_edges(self, node: int) -> tuple[int, ...]:
        """Indices of the edges out of ``node`` (to the nodes that use it)."""
        return tuple(e.index for e in self.edges if e.parent == node)

    def index_of(self, name: str) -> int:
        """The index of the node called ``name``."""
        for node in self.nodes:
            if node.name == name:
                return node.index
        raise ValueError(f"no node called {name!r}; the nodes are "
                         f"{[n.name for n in self.nodes]}")

    def grad_symbol(self, node: int) -> str:
        """``∂L/∂w₁``: the gradient of the output with respect to ``node``, written out."""
        return f"∂{self.nodes[self.output].label}/∂{wrap(self.nodes[node].label)}"

    def local_symbol(self, edge: int) -> str:
        """``∂z/∂w₁``: the local derivative along ``edge``, written out."""
        e = self.edges[edge]
        return f"∂{wrap(self.nodes[e.child].label)}/∂{wrap(self.nodes[e.parent].label)}"


# -- the words of a step -------------------------------------------------------------------------

@dataclass(frozen=True)
class StepText:
    """A sentence of a step in no language yet: a catalogue key and its placeholders' values.

    A value is a string or a number (symbols, formulas and numbers read the
    same in every language), another :class:`StepText` (a rule, a list) or a
    :class:`StepList`; :meth:`text` writes them all in one language.

    Attributes
    ----------
    key : str
        A key of the ``graphsteps`` catalogue area.
    values : tuple of (str, object)
        The placeholders' values, by name.
    """

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str | None = None) -> str:
        """The sentence in ``language`` (``"en"`` or ``"zh"``; default the current one)."""
        lang = resolve_language(language)
        return tr(self.key, lang, **{name: _in(value, lang) for name, value in self.values})


@dataclass(frozen=True)
class StepList:
    """Items written one after another with the separator of catalogue key ``separator``
    (``", "`` in English; ``"，"`` or ``"、"`` in Chinese)."""

    separator: str
    items: tuple[object, ...]

    def text(self, language: str | None = None) -> str:
        """The items joined in ``language``."""
        lang = resolve_language(language)
        return tr(self.separator, lang).join(_in(item, lang) for item in self.items)


def _in(value, language: str):
    """A placeholder's value written in ``language`` (strings and numbers as they are)."""
    return value.text(language) if isinstance(value, (StepText, StepList)) else value


def _say(key: str, **values) -> StepText:
    return StepText(f"graphsteps.{key}", tuple(values.items()))


def _sentences(parts: Sequence[StepText]) -> StepText | None:
    """Several sentences as one text (a space between them in English, none in Chinese)."""
    if not parts:
        return None
    joined = parts[0]
    for part in parts[1:]:
        joined = _say("join", first=joined, second=part)
    return joined


# -- the trace ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GraphStep:
    """What is known after one step of the forward-then-backward trace.

    Tuples are indexed like :attr:`GraphStructure.nodes` (per node) or
    :attr:`GraphStructure.edges` (per edge); NaN means "not computed yet".

    Attributes
    ----------
    graph : GraphStructure
        The graph this step belongs to.
    index, n_steps : int
        Position in the trace and the trace's length.
    phase : str
        One of :data:`STEP_PHASES`: ``start`` (the leaves' values are set),
        ``forward`` (one node computed), ``seed`` (∂L/∂L = 1), ``backward``
        (one edge processed), ``done``.
    node : int or None
        The node computed (forward, seed) or receiving a gradient (backward).
    edge : int or None
        The edge processed (backward).
    title : str
        A short heading, e.g. ``"Backward 3 of 7: z → w₁x₁"``.
    formula : str
        The formula with the numbers, e.g.
        ``"∂L/∂w₁ = ∂L/∂(w₁x₁) · ∂(w₁x₁)/∂w₁ = −0.124 × 1 = −0.124"``.
    detail : str
        Where the local derivative comes from, or what the forward step keeps
        for the backward pass.
    note : str
        What to notice: paths adding up, a stale gradient, a gradient used
        before it was complete; ``""`` if nothing.
    values : tuple of float
        Node values known so far.
    local : tuple of float
        Per edge: ∂child/∂parent, known once the child is computed.
    grads : tuple of float
        Per node: the gradient accumulated so far (NaN until something arrives;
        always NaN for a node that needs none).
    contributions : tuple of tuple of float
        Per node: the gradient each processed edge out of it sent back, in the
        order they arrived; their sum (plus ``leftover``) is ``grads``.
    leftover : tuple of float
        Per node: a gradient left from an earlier pass that was never reset
        (NaN if none).
    flow : tuple of float
        Per edge: the gradient sent back along it (NaN until sent).
    premature : bool
        True if this step passes on a gradient that is not complete yet.
    warning : bool
        True if :attr:`note` describes a mistake (a gradient used too early
        or too late, gradients not reset, wrong results).
    title_message, detail_message, note_message : StepText or None
        :attr:`title`, :attr:`detail` and :attr:`note` in no language yet
        (``None`` for an empty note, or for a step made without them);
        :meth:`text` writes them in a language.
    """

    graph: GraphStructure
    index: int
    n_steps: int
    phase: str
    node: int | None
    edge: int | None
    title: str
    formula: str
    detail: str
    note: str
    values: tuple[float, ...]
    local: tuple[float, ...]
    grads: tuple[float, ...]
    contributions: tuple[tuple[float, ...], ...]
    leftover: tuple[float, ...]
    flow: tuple[float, ...]
    premature: bool = False
    warning: bool = False
    title_message: StepText | None = None
    detail_message: StepText | None = None
    note_message: StepText | None = None

    def text(self, part: str, language: str | None = None) -> str:
        """The step's ``"title"``, ``"detail"`` or ``"note"`` in ``language``.

        Parameters
        ----------
        part : {"title", "detail", "note"}
        language : str, optional
            ``"en"`` or ``"zh"``; default the current language.  A step made
            without messages gives its own (English) text in every language.
        """
        part = check_choice("part", part, ("title", "detail", "note"))
        message = getattr(self, f"{part}_message")
        if message is None:
            resolve_language(language)  # a bad language is refused all the same
            return getattr(self, part)
        return message.text(language)

    def value_text(self, node: int) -> str:
        """Node ``node``'s value as written everywhere: 3 significant digits, ``"?"``
        if not computed yet, ``0`` for a sum whose terms cancel up to rounding."""
        value = self.values[node]
        if math.isnan(value):
            return "?"
        n = self.graph.nodes[node]
        if n.op in ("add", "sub"):
            value = _clean(value, [self.values[p] for p in n.parents])
        return fmt_num(value)

    def grad_text(self, node: int) -> str:
        """Node ``node``'s gradient as written everywhere: ``"?"`` if nothing has
        arrived yet, ``"—"`` if it needs none, ``0`` for paths that cancel."""
        if not self.graph.nodes[node].requires_grad:
            return "—"
        grad = self.grads[node]
        if math.isnan(grad):
            return "?"
        return fmt_num(_clean(grad, [*self.contributions[node], self.leftover[node]]))

    def value(self, name: str) -> float:
        """The value of the node called ``name`` at this step (NaN if not computed yet)."""
        return self.values[self.graph.index_of(name)]

    def grad(self, name: str) -> float:
        """The gradient of the node called ``name`` at this step (NaN if none yet)."""
        return self.grads[self.graph.index_of(name)]


@dataclass(frozen=True)
class GraphTrace(Sequence):
    """The forward pass then the backward pass of a graph, step by step.

    A sequence of :class:`GraphStep`: ``trace[k]`` is the state after step k.

    Attributes
    ----------
    graph : GraphStructure
    steps : tuple of GraphStep
    order : tuple of int
        The backward order: the nodes that passed their gradient on, in turn.
    accumulate : bool
        Whether the pass added to gradients left from an earlier pass.
    correct : tuple of float
        Per node: the right gradient of this pass alone (a correct backward
        pass from zero), to compare with :attr:`final`.
    """

    graph: GraphStructure
    steps: tuple[GraphStep, ...]
    order: tuple[int, ...]
    accumulate: bool
    correct: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, k):
        return self.steps[k]

    def __iter__(self) -> Iterator[GraphStep]:
        return iter(self.steps)

    @property
    def final(self) -> GraphStep:
        """The last step: every value and gradient."""
        return self.steps[-1]

    def first(self, phase: str) -> int:
        """The index of the first step of ``phase`` (one of :data:`STEP_PHASES`)."""
        phase = check_choice("phase", phase, STEP_PHASES)
        return next(s.index for s in self.steps if s.phase == phase)

    @property
    def premature_steps(self) -> tuple[int, ...]:
        """Indices of the steps that passed on an incomplete gradient."""
        return tuple(s.index for s in self.steps if s.premature)

    def gradients(self) -> dict[str, float]:
        """The final gradient of every node that has one, by name."""
        return {n.name: self.final.grads[n.index] for n in self.graph.nodes if n.requires_grad}

    def wrong(self, rtol: float = 1e-9) -> dict[str, tuple[float, float]]:
        """Nodes whose final gradient is not this pass's true gradient: name → (got, true).

        Empty for a correct pass from zero; a pass in a wrong order or on top
        of stale gradients lists what it got wrong.
        """
        out = {}
        for n in self.graph.nodes:
            if not n.requires_grad:
                continue
            got, true = self.final.grads[n.index], self.correct[n.index]
            if not math.isclose(got, true, rel_tol=rtol, abs_tol=1e-300):
                out[n.name] = (got, true)
        return out


# -- the graph -------------------------------------------------------------------------------------

class Graph:
    """The nodes under one output, in topological order, with forward and backward passes.

    Parameters
    ----------
    output : Value
        The node to differentiate (the loss, or an expression's result).
    title : str, optional
        What the graph computes, for a heading.

    Attributes
    ----------
    output : Value
    nodes : tuple of Value
        Every node under ``output`` in topological order (parents first).
    structure : GraphStructure
        The numbers-free shape of the graph (what a picture lays out).

    Examples
    --------
    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> g = Graph(a * b + a)
    >>> g.backward(); g.gradients()
    {'a': -2.0, 'b': 2.0}
    >>> g.backward(); g.gradients()        # not reset: twice the gradient
    {'a': -4.0, 'b': 4.0}
    >>> g.zero_grad(); g.backward(); g.gradients()
    {'a': -2.0, 'b': 2.0}
    """

    def __init__(self, output: Value, title: str = "") -> None:
        if not isinstance(output, Value):
            raise TypeError(f"output must be a Value; got {type(output).__name__}")
        if not isinstance(title, str):
            raise TypeError(f"title must be a string; got {title!r}")
        self.output = output
        self.nodes: tuple[Value, ...] = tuple(_topological(output))
        self._index = {id(v): i for i, v in enumerate(self.nodes)}
        self.structure = self._build_structure(title)
        self._by_name = {n.name: self.nodes[n.index] for n in self.structure.nodes}

    # -- structure -------------------------------------------------------------------------
    def _build_structure(self, title: str) -> GraphStructure:
        taken = {v.name for v in self.nodes if v.name}
        seen: dict[str, Value] = {}
        for v in self.nodes:
            if v.name and seen.setdefault(v.name, v) is not v:
                raise ValueError(f"two different nodes are called {v.name!r}; names must be "
                                 "unique in a graph")
        names, labels, counters = [], [], {"v": 0, "c": 0}
        for v in self.nodes:
            name = v.name
            if name is None:
                prefix = "c" if v.kind == "constant" else "v"
                while True:
                    counters[prefix] += 1
                    name = f"{prefix}{counters[prefix]}"
                    if name not in taken:
                        break
                taken.add(name)
            names.append(name)
            labels.append(v.label or subscript_digits(name))
        depth: list[int] = []
        nodes, edges = [], []
        for i, v in enumerate(self.nodes):
            parents = tuple(self._index[id(p)] for p in v.parents)
            depth.append(1 + max(depth[p] for p in parents) if parents else 0)
            if v.op is None:
                symbol = expression = ""
            else:
                symbol = v.op.symbol_for(v.param)
                expression = v.op.expression([labels[p] for p in parents], v.param)
            nodes.append(GraphNode(i, names[i], labels[i], v.kind,
                                   v.op.name if v.op else None, symbol, expression, parents,
                                   v.requires_grad, depth[i]))
            for slot, p in enumerate(parents):
                text = v.op.local_text([labels[q] for q in parents], slot, labels[i], v.param)
                edges.append(GraphEdge(len(edges), p, i, slot, text,
                                       self.nodes[p].requires_grad))
        return GraphStructure(tuple(nodes), tuple(edges), len(nodes) - 1,
                              title or nodes[-1].label)

    def __getitem__(self, name: str) -> Value:
        """The node called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node called {name!r}; the nodes are "
                           f"{list(self._by_name)}") from None

    @property
    def leaves(self) -> dict[str, Value]:
        """The leaves that are not constants (what :meth:`set` sets), by name."""
        return {n.name: self.nodes[n.index] for n in self.structure.nodes
                if n.op is None and n.kind != "constant"}

    # -- forward ---------------------------------------------------------------------------
    def set(self, **values: float) -> float:
        """Set leaves by name and recompute the forward pass; returns the output's value.

        Nothing changes if a name or a value is bad, or if the new values make
        an op undefined (the old values are put back and the error raised).

        >>> g.set(w1=0.7, x1=-1.0)   # doctest: +SKIP
        """
        leaves = self.leaves
        checked = {}
        for name, value in values.items():
            if name not in leaves:
                raise ValueError(f"no leaf called {name!r} to set; the leaves are "
                                 f"{sorted(leaves)}")
            checked[name] = check_real(name, value)
        old = {name: leaves[name].data for name in checked}
        for name, value in checked.items():
            leaves[name].data = value
        try:
            return self.forward()
        except ValueError:
            for name, value in old.items():
                leaves[name].data = value
            self.forward()
            raise

    def forward(self) -> float:
        """Recompute every op node's value and local derivatives, in topological order.

        Returns
        -------
        float
            The output's value.
        """
        for v in self.nodes:
            if v.op is not None:
                v._compute()
        return self.output.data

    def values(self) -> dict[str, float]:
        """Every node's value, by name."""
        return {n.name: self.nodes[n.index].data for n in self.structure.nodes}

    # -- backward --------------------------------------------------------------------------
    def _fresh_grads(self) -> list[float]:
        """This pass's gradients from zero, in reverse topological order (no side effects)."""
        grads = [0.0] * len(self.nodes)
        grads[-1] = 1.0
        s = self.structure
        for i in range(len(self.nodes) - 1, -1, -1):
            v = self.nodes[i]
            for slot, p in enumerate(s.nodes[i].parents):
                if s.nodes[p].requires_grad:
                    grads[p] += v.local[slot] * grads[i]
        return grads

    def backward(self) -> None:
        """Backpropagate from the output: ∂output/∂node for every node.

        Starts from ∂out/∂out = 1 and goes through the nodes in reverse
        topological order, adding ``local derivative × gradient`` into each
        parent.  Leaves *add* this pass's gradient to their ``grad`` (as in
        PyTorch): call :meth:`zero_grad` before each pass, or two passes give
        twice the gradient.  Op nodes hold this pass's gradient only.
        """
        if not self.output.requires_grad:
            raise ValueError("the output depends on no node that requires a gradient; "
                             "nothing to backpropagate")
        grads = self._fresh_grads()
        for v, g in zip(self.nodes, grads):
            if not v.requires_grad:
                continue
            if v.op is None:
                v.grad += g
            else:
                v.grad = g

    def zero_grad(self) -> None:
        """Set every node's gradient to 0."""
        for v in self.nodes:
            v.grad = 0.0

    def gradients(self) -> dict[str, float]:
        """The current ``grad`` of every leaf that requires one, by name."""
        return {n.name: self.nodes[n.index].grad for n in self.structure.nodes
                if n.op is None and n.requires_grad}

    def numeric_gradient(self, name: str, eps: float = 1e-6) -> float:
        """∂output/∂(leaf ``name``) by central finite differences.

        (f(x + ε) − f(x − ε)) / 2ε, with the leaf put back afterwards.
        """
        eps = check_positive("eps", eps)
        leaf = self.leaves.get(name)
        if leaf is None:
            raise ValueError(f"no leaf called {name!r}; the leaves are {sorted(self.leaves)}")
        x = leaf.data
        try:
            leaf.data = x + eps
            up = self.forward()
            leaf.data = x - eps
            down = self.forward()
        finally:
            leaf.data = x
            self.forward()
        return (up - down) / (2.0 * eps)

    # -- orders ----------------------------------------------------------------------------
    def backward_order(self) -> tuple[str, ...]:
        """A right backward order: the op nodes that need a gradient, output first.

        A reverse topological order: each node comes after every node that
        uses it.  Among the nodes ready at a time, the one computed first on
        the forward pass goes first, so ``w₁x₁`` is processed before ``w₂x₂``.
        """
        s = self.structure
        needed = {n.index for n in s.nodes if n.op is not None and n.requires_grad}
        waiting = {i: len({s.edges[e].child for e in s.out_edges(i)}) for i in needed}
        ready, order = [s.output], []
        while ready:
            i = min(ready)
            ready.remove(i)
            order.append(i)
            for p in set(s.nodes[i].parents):
                if p in needed:
                    waiting[p] -= 1
                    if waiting[p] == 0:
                        ready.append(p)
        return tuple(s.nodes[i].name for i in order)

    def wrong_order(self) -> tuple[str, ...]:
        """A backward order in which some node passes its gradient on too early.

        If a node is used by two others, it is moved right after the first of
        them: it passes on the gradient from that use only, before the other
        use's gradient has arrived, so everything below it gets too little.
        Otherwise the first node after the output is moved in front of the
        output, and passes on a gradient of 0.

        Raises
        ------
        ValueError
            For a graph with a single op (``x · x``), where every order is right.
        """
        order = list(self.backward_order())
        s = self.structure
        pos = {name: k for k, name in enumerate(order)}
        for name in order:
            i = s.index_of(name)
            users = {s.edges[e].child for e in s.out_edges(i)}
            if len(users) > 1:
                first = min(pos[s.nodes[u].name] for u in users)
                order.remove(name)
                order.insert(first + 1, name)
                return tuple(order)
        if len(order) < 2:
            raise ValueError("this graph has a single op: there is no wrong order")
        order[0], order[1] = order[1], order[0]
        return tuple(order)

    def _check_order(self, order) -> tuple[int, ...]:
        s = self.structure
        needed = [n.index for n in s.nodes if n.op is not None and n.requires_grad]
        if isinstance(order, str) or not isinstance(order, Sequence):
            raise TypeError(f"order must be a sequence of node names; got {order!r}")
        indices = []
        for item in order:
            name = item.name if isinstance(item, Value) else item
            if not isinstance(name, str):
                raise TypeError(f"order must hold node names or Values; got {item!r}")
            indices.append(s.index_of(name) if name in self._by_name else -1)
            if indices[-1] < 0:
                raise ValueError(f"order names a node {name!r} that is not in the graph")
        if sorted(indices) != sorted(needed):
            want = [s.nodes[i].name for i in needed]
            raise ValueError(f"order must list each op node that needs a gradient exactly "
                             f"once, e.g. {want}; got {[s.nodes[i].name for i in indices]}")
        return tuple(indices)

    # -- the trace ---------------------------------------------------------------------------
    def trace(self, order: Sequence[str] | None = None, accumulate: bool = False) -> GraphTrace:
        """The forward pass then the backward pass, as a list of steps.

        Parameters
        ----------
        order : sequence of str, optional
            The backward order (names of the op nodes that need a gradient,
            each once); default :meth:`backward_order`, the right one.  Steps
            that pass on an incomplete gradient are flagged ``premature``.
        accumulate : bool, default False
            Start from the leaves' current ``grad`` (left by an earlier
            :meth:`backward` and never reset) instead of from zero: the pass
            adds to it, as :meth:`backward` does.

        Returns
        -------
        GraphTrace
            1 start step, one forward step per op node, 1 seed step, one
            backward step per edge that carries a gradient, 1 done step.

        Notes
        -----
        The nodes' values and gradients are not changed.
        """
        if not self.output.requires_grad:
            raise ValueError("the output depends on no node that requires a gradient; "
                             "nothing to backpropagate")
        if not isinstance(accumulate, (bool, np.bool_)):
            raise TypeError(f"accumulate must be True or False; got {accumulate!r}")
        order_idx = (tuple(self.structure.index_of(n) for n in self.backward_order())
                     if order is None else self._check_order(order))
        return _build_trace(self, order_idx, bool(accumulate))

    def __repr__(self) -> str:
        return (f"Graph({self.structure.title!r}: {len(self.nodes)} nodes, "
                f"{len(self.structure.edges)} edges, output={self.output.data:.6g})")


def _topological(output: Value) -> list[Value]:
    """Nodes under ``output``, each after its parents (iterative depth-first post-order)."""
    order, seen = [], set()
    stack: list[tuple[Value, int]] = [(output, 0)]
    while stack:
        node, k = stack.pop()
        if k == 0:
            if id(node) in seen:
                continue
            seen.add(id(node))
        if k < len(node.parents):
            stack.append((node, k + 1))
            parent = node.parents[k]
            if id(parent) not in seen:
                stack.append((parent, 0))
        else:
            order.append(node)
    return order


# -- building the trace ------------------------------------------------------------------------

def _clean(value: float, terms: Sequence[float]) -> float:
    """0.0 for a sum that is only the rounding error of its terms (0.5 − 0.6 + 0.1)."""
    scale = max((abs(t) for t in terms if not math.isnan(t)), default=0.0)
    return 0.0 if abs(value) <= 1e-12 * scale else value


def _is(text: str, value: float) -> str:
    """``text = value``, or just the value when the text is that number already."""
    number = fmt_num(value)
    return number if text == number else f"{text} = {number}"


def _times(a: float, b: float) -> str:
    return f"{fmt_num(a)} × {wrap(fmt_num(b))}"


def _plus(terms: Sequence[float]) -> str:
    return " + ".join([fmt_num(terms[0]), *[wrap(fmt_num(t)) for t in terms[1:]]])


def _build_trace(graph: Graph, order: tuple[int, ...], accumulate: bool) -> GraphTrace:
    s = graph.structure
    nodes = graph.nodes
    n, n_edges = len(s.nodes), len(s.edges)
    nan = math.nan
    values = [nan] * n
    local = [nan] * n_edges
    grads = [nan] * n
    contributions: list[tuple[float, ...]] = [()] * n
    leftover = [nan] * n
    flow = [nan] * n_edges
    raw: list[dict] = []

    def record(phase, node, edge, title: StepText, formula, detail: StepText,
               note: StepText | None = None, premature=False, warning=False):
        raw.append(dict(phase=phase, node=node, edge=edge, title=title.text("en"),
                        formula=formula, detail=detail.text("en"),
                        note="" if note is None else note.text("en"), values=tuple(values),
                        local=tuple(local), grads=tuple(grads),
                        contributions=tuple(contributions), leftover=tuple(leftover),
                        flow=tuple(flow), premature=premature, warning=warning,
                        title_message=title, detail_message=detail, note_message=note))

    def local_text(e: int):
        """The local derivative along edge ``e`` with symbols (ReLU's has words)."""
        edge = s.edges[e]
        if s.nodes[edge.child].op == "relu":
            return _say("local.relu", input=s.nodes[edge.parent].label)
        return edge.local_text

    def local_is(e: int):
        """``∂z/∂w₁ = x₁ = 1``: the local derivative along ``e``, with symbols and its value."""
        text, number = local_text(e), fmt_num(local[e])
        if isinstance(text, str):
            return f"{s.local_symbol(e)} = {_is(text, local[e])}"
        return _say("local.is", symbol=s.local_symbol(e), text=text, value=number)

    def vtext(i: int) -> str:
        value = values[i]
        if s.nodes[i].op in ("add", "sub"):
            value = _clean(value, [values[p] for p in s.nodes[i].parents])
        return fmt_num(value)

    # start: the leaves
    leaves = [i for i in range(n) if s.nodes[i].op is None]
    for i in leaves:
        values[i] = nodes[i].data
        if accumulate and s.nodes[i].requires_grad and nodes[i].grad != 0.0:
            leftover[i] = grads[i] = nodes[i].grad
    shown = [i for i in leaves if s.nodes[i].kind != "constant"]
    note = None
    if any(not math.isnan(v) for v in leftover):
        stale = StepList("graphsteps.sep.list", tuple(
            f"{s.grad_symbol(i)} = {fmt_num(leftover[i])}" for i in leaves
            if not math.isnan(leftover[i])))
        note = _say("start.stale", stale=stale)
    record("start", None, None, _say("start.title"),
           ", ".join(f"{s.nodes[i].label} = {fmt_num(values[i])}" for i in shown),
           _say("start.detail"), note, warning=note is not None)

    # forward
    ops = [i for i in range(n) if s.nodes[i].op is not None]
    for k, i in enumerate(ops, 1):
        node, v = s.nodes[i], nodes[i]
        values[i] = v.data
        ins = s.in_edges(i)
        for e, d in zip(ins, v.local):
            local[e] = d
        op = v.op
        numbers = op.expression([vtext(p) for p in node.parents], v.param)
        formula = f"{node.label} = {node.expression} = {numbers} = {vtext(i)}"
        kept = [local_is(e) for e in ins if s.edges[e].carries_grad]
        detail = (_say("forward.kept", kept=StepList("graphsteps.sep.kept", tuple(kept)))
                  if kept else _say("forward.none"))
        record("forward", i, None, _say("forward.title", k=k, n=len(ops), label=node.label,
                                        expression=node.expression), formula, detail)

    # seed
    out = s.output
    out_label = s.nodes[out].label
    grads[out] = 1.0
    record("seed", out, None, _say("seed.title", output=out_label),
           f"∂{out_label}/∂{wrap(out_label)} = 1", _say("seed.detail", output=out_label))

    # backward
    correct = graph._fresh_grads()
    for i in range(n):
        if not s.nodes[i].requires_grad:
            correct[i] = nan
    n_back = sum(1 for e in s.edges if e.carries_grad)
    done: set[int] = set()
    k = 0
    for i in order:
        node = s.nodes[i]
        users = {s.edges[e].child for e in s.out_edges(i)}
        missing = [u for u in sorted(users) if u not in done]
        upstream = 0.0 if math.isnan(grads[i]) else grads[i]
        premature = bool(missing) and i != out
        for e in s.in_edges(i):
            edge = s.edges[e]
            if not edge.carries_grad:
                continue
            k += 1
            p = edge.parent
            r = local[e] * upstream
            before = contributions[p]
            had = grads[p]
            contributions[p] = before + (r,)
            grads[p] = r if math.isnan(had) else had + r
            flow[e] = r
            gp, gi = s.grad_symbol(p), s.grad_symbol(i)
            chain = f"{gi} · {s.local_symbol(e)} = {_times(upstream, local[e])} = {fmt_num(r)}"
            twice = sum(1 for f in s.in_edges(i) if s.edges[f].parent == p) > 1
            rule = StepText(nodes[i].op.rule_key)
            detail = (_say("backward.detail.argument", slot=edge.slot + 1,
                           expression=node.expression, local=local_is(e), rule=rule)
                      if twice else _say("backward.detail", local=local_is(e), rule=rule))
            notes, warning = [], premature or p in done
            if math.isnan(had):
                formula = f"{gp} = {chain}"
            else:
                formula = f"{gp} += {chain}"
                terms = ([leftover[p]] if not math.isnan(leftover[p]) else []) + list(
                    contributions[p])
                total_text = fmt_num(_clean(grads[p], terms))
                if not math.isnan(leftover[p]) and not before:
                    warning = True
                    notes.append(_say("backward.stale", grad=gp, old=fmt_num(leftover[p]),
                                      terms=_plus(terms), total=total_text))
                else:
                    notes.append(_say("backward.reuse", label=s.nodes[p].label,
                                      terms=_plus(terms), total=total_text))
            if premature:
                names = StepList("graphsteps.sep.names",
                                 tuple(s.nodes[u].label for u in missing))
                notes.append(_say("backward.early", grad=gi, names=names,
                                  used=fmt_num(upstream), full=fmt_num(correct[i])))
            if p in done:
                notes.append(_say("backward.late", label=s.nodes[p].label))
            title = _say("backward.title", k=k, n=n_back, node=node.label,
                         parent=s.nodes[p].label)
            record("backward", p, e, title, formula, detail, _sentences(notes), premature,
                   warning)
        done.add(i)

    # done
    targets = [j for j in range(n) if s.nodes[j].op is None and s.nodes[j].requires_grad]
    summary = ", ".join(f"{s.grad_symbol(j)} = {fmt_num(grads[j])}" for j in targets)
    wrong = [j for j in targets
             if not math.isclose(grads[j], correct[j], rel_tol=1e-9, abs_tol=1e-300)]
    listed = StepList("graphsteps.sep.wrong", tuple(
        _say("wrong.item", grad=s.grad_symbol(j), got=fmt_num(grads[j]),
             want=fmt_num(correct[j])) for j in wrong[:3]))
    if len(wrong) > 3:
        listed = _say("wrong.more", items=listed, n=len(wrong) - 3)
    if accumulate and wrong:
        note = _say("done.accumulate", listed=listed)
    elif wrong:
        note = _say("done.wrong", listed=listed)
    else:
        note = None
    record("done", None, None, _say("done.title"), summary, _say("done.detail"), note,
           warning=bool(wrong))

    steps = tuple(GraphStep(graph=s, index=j, n_steps=len(raw), **fields)
                  for j, fields in enumerate(raw))
    return GraphTrace(graph=s, steps=steps, order=order, accumulate=accumulate,
                      correct=tuple(correct))
