"""Checkers for lesson 3, "The computational graph": a value used twice, the backward order,
the chain rule through it, and gradients that accumulate.

The exercise graph is

    q = a · b,   r = q + c,   f = r · q        (q is used twice: by r and by f)

with the leaves of :data:`LEAVES`.  The right answers come from the engine's
:class:`~actviz_widgets.engine.Graph` (:func:`exercise_graph`, :func:`solution`).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from ..engine.graph import Graph, Value
from ._check import Mistake, check_number, compare_guess, grading, not_answered, verdict

__all__ = ["LEAVES", "exercise_graph", "solution", "check_dq", "check_order", "check_da",
           "check_twice", "compare_guess", "grading"]

#: The exercise graph's leaves.
LEAVES = MappingProxyType({"a": 2.0, "b": -1.5, "c": 1.0})
#: The op nodes that pass a gradient on, and the nodes that use each of them.
_USERS = {"f": (), "r": ("f",), "q": ("r", "f")}


def exercise_graph() -> Graph:
    """A new engine graph of the exercise: q = a·b, r = q + c, f = r·q."""
    a, b, c = (Value(LEAVES[k], k) for k in "abc")
    q = (a * b).named("q")
    r = (q + c).named("r")
    return Graph((r * q).named("f"), title="f = r·q with q = a·b, r = q + c")


def solution() -> dict[str, Any]:
    """Every answer, from the engine.

    Returns
    -------
    dict
        ``values`` (every node's value), ``grads`` (∂f/∂node for every node,
        one pass), ``order`` (the right backward order) and ``twice`` (the
        leaves' ``grad`` after two ``backward()`` calls without ``zero_grad()``).
    """
    g = exercise_graph()
    trace = g.trace()
    grads = {n.name: trace.final.grads[n.index] for n in trace.graph.nodes}
    g.backward()
    g.backward()
    return {"values": g.values(), "grads": grads, "order": g.backward_order(),
            "twice": g.gradients()}


def check_dq(answer: Any) -> bool:
    """Check ∂f/∂q, the gradient of a value used twice (the sum over its two paths)."""
    s = solution()
    v, g = s["values"], s["grads"]
    return check_number(
        answer, g["q"],
        mistakes=[
            Mistake(v["r"], "that is only the direct path f = r·q, which gives ∂f/∂q = r. q "
                            "is also used by r: add the path through r, ∂f/∂r · ∂r/∂q."),
            Mistake(g["r"], "that is only the path through r (∂f/∂r · 1). q is also used "
                            "directly by f = r·q, which adds ∂f/∂q = r."),
            Mistake(g["r"] * v["r"], "the two paths add, they do not multiply: "
                                     "∂f/∂q = r + ∂f/∂r · 1."),
            Mistake(-g["q"], "check the signs: r = −2 and ∂f/∂r = q = −3."),
        ],
        praise="∂f/∂q = r + ∂f/∂r · ∂r/∂q = −2 + (−3) · 1 = −5: one share from each use.",
        otherwise="q is used twice. Compute the share from each use (f = r·q directly, and "
                  "through r = q + c), then add them.")


def check_order(answer: Any) -> bool:
    """Check a backward order: the op nodes f, r, q, each after every node that uses it."""
    right = list(solution()["order"])
    if answer is ... or answer is None:
        return not_answered("start at the output, then take a node only when every node "
                            "that uses it is done.")
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return verdict(False, f"give the order as a list of node names, e.g. {right[::-1]!r} "
                              f"(that one is wrong); got {answer!r}")
    names = [str(x).strip() for x in answer]
    if sorted(names) != sorted(right):
        return verdict(False, f"list each of the nodes {sorted(right)} exactly once (the "
                              f"leaves a, b, c pass nothing on); got {names!r}")
    if names[0] != "f":
        return verdict(False, "start at the output f: ∂f/∂f = 1 is the only gradient known "
                              "at first.")
    for k, name in enumerate(names):
        late = [u for u in _USERS[name] if u not in names[:k]]
        if late:
            return verdict(False, f"{name} comes before {late[0]}, which uses it: {name} "
                                  f"would pass its gradient on before {late[0]}'s share "
                                  "has arrived, and everything below it gets too little.")
    return verdict(True, "f, then r, then q: q waits until both its users, r and f, have "
                         "sent their shares. That is a reverse topological order.")


def check_da(answer: Any) -> bool:
    """Check ∂f/∂a = ∂f/∂q · ∂q/∂a = ∂f/∂q · b."""
    s = solution()
    v, g = s["values"], s["grads"]
    return check_number(
        answer, g["a"],
        mistakes=[
            Mistake(g["q"], "that is ∂f/∂q. Go one edge further: ∂q/∂a = b, so multiply by b."),
            Mistake(g["q"] * v["a"], "∂q/∂a for q = a·b is b, the other factor, not a."),
            Mistake(v["r"] * v["b"], "that uses only the direct path into q (∂f/∂q = r). "
                                     "∂f/∂q = −5 has two shares; then multiply by b."),
            Mistake(g["r"] * v["b"], "that uses only the path through r (∂f/∂q = −3). "
                                     "∂f/∂q = −5 has two shares; then multiply by b."),
            Mistake(2 * g["a"], "that is twice the gradient, what two backward passes "
                                "without zero_grad give. One pass: ∂f/∂q · b."),
        ],
        praise="∂f/∂a = ∂f/∂q · b = (−5) × (−1.5) = 7.5.",
        otherwise="multiply the complete ∂f/∂q (both paths) by the local derivative "
                  "∂q/∂a = b.")


def check_twice(answer: Any) -> bool:
    """Check ``a.grad`` after two ``backward()`` calls without ``zero_grad()``."""
    s = solution()
    g = s["grads"]
    return check_number(
        answer, s["twice"]["a"],
        mistakes=[
            Mistake(g["a"], "that is one pass's gradient. backward() adds into .grad; "
                            "without zero_grad() in between, the second pass adds the same "
                            "number again."),
            Mistake(g["a"] ** 2, "the passes add, they do not multiply."),
            Mistake(0.0, "backward() does not reset the gradient; zero_grad() does."),
        ],
        praise="7.5 + 7.5 = 15: a gradient step would now move a twice as far as it should. "
               "Call zero_grad() before every backward pass.",
        otherwise="backward() adds this pass's ∂f/∂a into a.grad. What is there after two "
                  "passes?")
