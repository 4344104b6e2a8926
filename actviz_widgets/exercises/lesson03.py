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
from ..i18n import tr as _t
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
            Mistake(v["r"], _t("lesson03.dq.hint_1")),
            Mistake(g["r"], _t("lesson03.dq.hint_2")),
            Mistake(g["r"] * v["r"], _t("lesson03.dq.hint_3")),
            Mistake(-g["q"], _t("lesson03.dq.hint_4")),
        ],
        praise=_t("lesson03.dq.praise"),
        otherwise=_t("lesson03.dq.otherwise"))


def check_order(answer: Any) -> bool:
    """Check a backward order: the op nodes f, r, q, each after every node that uses it."""
    right = list(solution()["order"])
    if answer is ... or answer is None:
        return not_answered(_t("lesson03.order.start"))
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return verdict(False, _t("lesson03.order.verdict_1", example=right[::-1], answer=answer))
    names = [str(x).strip() for x in answer]
    if sorted(names) != sorted(right):
        return verdict(False, _t("lesson03.order.verdict_2", nodes=sorted(right), names=names))
    if names[0] != "f":
        return verdict(False, _t("lesson03.order.verdict_3"))
    for k, name in enumerate(names):
        late = [u for u in _USERS[name] if u not in names[:k]]
        if late:
            return verdict(False, _t("lesson03.order.verdict_4", name=name, user=late[0]))
    return verdict(True, _t("lesson03.order.verdict_5"))


def check_da(answer: Any) -> bool:
    """Check ∂f/∂a = ∂f/∂q · ∂q/∂a = ∂f/∂q · b."""
    s = solution()
    v, g = s["values"], s["grads"]
    return check_number(
        answer, g["a"],
        mistakes=[
            Mistake(g["q"], _t("lesson03.da.hint_1")),
            Mistake(g["q"] * v["a"], _t("lesson03.da.hint_2")),
            Mistake(v["r"] * v["b"], _t("lesson03.da.hint_3")),
            Mistake(g["r"] * v["b"], _t("lesson03.da.hint_4")),
            Mistake(2 * g["a"], _t("lesson03.da.hint_5")),
        ],
        praise=_t("lesson03.da.praise"),
        otherwise=_t("lesson03.da.otherwise"))


def check_twice(answer: Any) -> bool:
    """Check ``a.grad`` after two ``backward()`` calls without ``zero_grad()``."""
    s = solution()
    g = s["grads"]
    return check_number(
        answer, s["twice"]["a"],
        mistakes=[
            Mistake(g["a"], _t("lesson03.twice.hint_1")),
            Mistake(g["a"] ** 2, _t("lesson03.twice.hint_2")),
            Mistake(0.0, _t("lesson03.twice.hint_3")),
        ],
        praise=_t("lesson03.twice.praise"),
        otherwise=_t("lesson03.twice.otherwise"))
