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
            Mistake(s["z"] - n["b"], "you forgot the bias: z = w₁x₁ + w₂x₂ + b."),
            Mistake(s["a"], "that is a = σ(z), the neuron's output. The question asks for z, "
                            "the weighted sum before the activation."),
            Mistake(n["w1"] * n["x1"] - n["w2"] * n["x2"] + n["b"],
                    "check the sign of w₂x₂: x₂ is negative, so w₂x₂ = 0.3 × (−2.0) = −0.6."),
        ],
        praise="z = 1.2 − 0.6 − 0.3 = 0.3.",
        otherwise="multiply each input by its weight, add the products, then add b.")


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
            Mistake(s["a"] - n["y"], "L = (a − y)², so its derivative is 2(a − y): keep the "
                                     "factor 2."),
            Mistake(-s["dL_da"], "the sign is flipped: ∂L/∂a = 2(a − y), with a first. Here "
                                 "a < y, so it is negative."),
            Mistake(s["dadz"], "that is f′(z), the activation function's derivative. ∂L/∂a is "
                               "the gradient of the loss with respect to the activation: "
                               "2(a − y)."),
            Mistake(s["loss"], "that is the loss L itself. The question asks how fast L "
                               "changes with a: 2(a − y)."),
        ],
        praise="∂L/∂a is negative: raising a would lower the loss.",
        otherwise="compute a = σ(z) with z from exercise 1, then 2(a − y).")


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
            Mistake(s["dL_da"] * n["x1"], "you left out f′(z), the activation function's "
                                          "derivative. The chain has three links: "
                                          "∂L/∂a · f′(z) · x₁."),
            Mistake(s["delta"], "that is δ = ∂L/∂z. Multiply by x₁: ∂z/∂w₁ = x₁."),
            Mistake(s["dL_da"] * s["a"] * n["x1"],
                    "you used f(z) = a where f′(z) belongs. For the sigmoid, f′(z) = a(1 − a)."),
            Mistake(s["dadz"] * n["x1"], "you left out ∂L/∂a, the gradient of the loss with "
                                         "respect to the activation (f′(z) is a different "
                                         "number)."),
            Mistake(-s["dL_dw1"], "the sign is flipped. Check the sign of ∂L/∂a = 2(a − y)."),
            Mistake(s["dL_dw2"], "that is ∂L/∂w₂ (it uses x₂). For w₁ use x₁."),
        ],
        praise="∂L/∂w₁ < 0, so increasing w₁ lowers the loss.",
        otherwise="multiply the three links: ∂L/∂a = 2(a − y), f′(z) = a(1 − a) and x₁.")


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
            Mistake(n["w1"] + step, "sign error: gradient descent subtracts the gradient, "
                                    "w₁ − lr·∂L/∂w₁, to go downhill."),
            Mistake(n["w1"] - s["dL_dw1"], "you forgot the learning rate: w₁ − lr·∂L/∂w₁ with "
                                           "lr = 0.5."),
            Mistake(-step, "that is the change of w₁. Add it to the old w₁."),
            Mistake(n["w1"] - n["lr"] * s["delta"], "you used δ = ∂L/∂z instead of ∂L/∂w₁ "
                                                    "(δ still needs the factor x₁)."),
        ],
        praise="w₁ grew, because ∂L/∂w₁ is negative.",
        otherwise="new w₁ = w₁ − lr · ∂L/∂w₁, with ∂L/∂w₁ from exercise 3.")
