"""Checkers for lesson 2, "One neuron": forward pass, chain rule and one step by hand.

The exercise neuron is a = σ(w₁x₁ + w₂x₂ + b) with the loss L = (a − y)²;
its numbers are in :data:`NEURON`.  The right answers come from the
engine: a 2-input, 1-output :class:`~actviz_widgets.engine.MLP` with these
weights, its forward pass and its backward pass.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["NEURON", "solution", "check_weighted_sum", "check_dL_da", "check_dL_dw1",
           "check_new_w1",
           "compare_guess", "grading"]

#: The exercise neuron: inputs, weights, bias, target and learning rate.
NEURON = MappingProxyType({"x1": 1.5, "x2": -2.0, "w1": 0.8, "w2": 0.3, "b": -0.3, "y": 1.0,
                           "lr": 0.5})


def solution() -> dict[str, float]:
    """Every quantity of the exercise neuron, computed by the engine.

    Returns
    -------
    dict
        ``z``, ``a``, ``loss``, ``dL_da`` (∂L/∂a, the gradient of the loss with
        respect to the activation), ``dadz`` (f′(z), the activation function's
        derivative), ``delta`` (∂L/∂z), ``dL_dw1``, ``dL_dw2``, ``dL_db`` and
        ``new_w1`` (w₁ after one gradient step).
    """
    n = NEURON
    net = MLP([2, 1], activation=[], output_activation="sigmoid", loss="mse")
    net.set_params([np.array([[n["w1"]], [n["w2"]]])], [np.array([n["b"]])])
    tr = net.forward(np.array([[n["x1"], n["x2"]]]))
    g = net.backward(tr, np.array([[n["y"]]]))
    net.step(g, lr=n["lr"])
    return {"z": float(tr.z[1][0, 0]), "a": float(tr.a[1][0, 0]), "loss": g.loss,
            "dL_da": float(g.dL_da[1][0, 0]), "dadz": float(tr.dadz[1][0, 0]),
            "delta": float(g.delta[1][0, 0]), "dL_dw1": float(g.dW[0][0, 0]),
            "dL_dw2": float(g.dW[0][1, 0]), "dL_db": float(g.db[0][0]),
            "new_w1": float(net.weights[0][0, 0])}


def check_weighted_sum(answer: Any) -> bool:
    """Check z = w₁x₁ + w₂x₂ + b of the exercise neuron.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n, s = NEURON, solution()
    return check_number(
        answer, s["z"],
        mistakes=[
            Mistake(s["z"] - n["b"], _t("lesson02.weighted_sum.hint_1")),
            Mistake(s["a"], _t("lesson02.weighted_sum.hint_2")),
            Mistake(n["w1"] * n["x1"] - n["w2"] * n["x2"] + n["b"],
                    _t("lesson02.weighted_sum.hint_3")),
        ],
        praise=_t("lesson02.weighted_sum.praise"),
        otherwise=_t("lesson02.weighted_sum.otherwise"))


def check_dL_da(answer: Any) -> bool:
    """Check ∂L/∂a = 2(a − y), the gradient of the loss with respect to the activation.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n, s = NEURON, solution()
    return check_number(
        answer, s["dL_da"],
        mistakes=[
            Mistake(s["a"] - n["y"], _t("lesson02.dL_da.hint_1")),
            Mistake(-s["dL_da"], _t("lesson02.dL_da.hint_2")),
            Mistake(s["dadz"], _t("lesson02.dL_da.hint_3")),
            Mistake(s["loss"], _t("lesson02.dL_da.hint_4")),
        ],
        praise=_t("lesson02.dL_da.praise"),
        otherwise=_t("lesson02.dL_da.otherwise"))


def check_dL_dw1(answer: Any) -> bool:
    """Check ∂L/∂w₁ = ∂L/∂a · f′(z) · x₁.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n, s = NEURON, solution()
    return check_number(
        answer, s["dL_dw1"],
        mistakes=[
            Mistake(s["dL_da"] * n["x1"], _t("lesson02.dL_dw1.hint_1")),
            Mistake(s["delta"], _t("lesson02.dL_dw1.hint_2")),
            Mistake(s["dL_da"] * s["a"] * n["x1"],
                    _t("lesson02.dL_dw1.hint_3")),
            Mistake(s["dadz"] * n["x1"], _t("lesson02.dL_dw1.hint_4")),
            Mistake(-s["dL_dw1"], _t("lesson02.dL_dw1.hint_5")),
            Mistake(s["dL_dw2"], _t("lesson02.dL_dw1.hint_6")),
        ],
        praise=_t("lesson02.dL_dw1.praise"),
        otherwise=_t("lesson02.dL_dw1.otherwise"))


def check_new_w1(answer: Any) -> bool:
    """Check w₁ after one gradient step, w₁ − lr · ∂L/∂w₁.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n, s = NEURON, solution()
    step = n["lr"] * s["dL_dw1"]
    return check_number(
        answer, s["new_w1"],
        mistakes=[
            Mistake(n["w1"] + step, _t("lesson02.new_w1.hint_1")),
            Mistake(n["w1"] - s["dL_dw1"], _t("lesson02.new_w1.hint_2")),
            Mistake(-step, _t("lesson02.new_w1.hint_3")),
            Mistake(n["w1"] - n["lr"] * s["delta"], _t("lesson02.new_w1.hint_4")),
        ],
        praise=_t("lesson02.new_w1.praise"),
        otherwise=_t("lesson02.new_w1.otherwise"))
