"""Checkers for lesson 5, "Backpropagation": δ per neuron, ∂L/∂W per edge, a gradient check.

Uses the network of lesson 4 (:func:`actviz_widgets.exercises.lesson04.network`)
with its one sample ``X``, ``Y`` and its batch ``X_BATCH``, ``Y_BATCH``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._check import Mistake, check_array, check_number, compare_guess, grading
from .lesson04 import X_BATCH, Y_BATCH, X, Y, network

__all__ = ["X", "Y", "X_BATCH", "Y_BATCH", "network", "CHECKED_WEIGHT", "check_delta1",
           "check_dW2", "check_numeric_gradient",
           "compare_guess", "grading"]

#: ``(layer, i, j)``: the weight ``weights[0][1, 2]`` of :func:`check_numeric_gradient`.
CHECKED_WEIGHT = (0, 1, 2)


def _pass(X_, Y_):
    net = network()
    tr = net.forward(np.array(X_))
    return net, tr, net.backward(tr, np.array(Y_))


def check_delta1(answer: Any) -> bool:
    """Check δ¹ = ∂L/∂z¹ of the one sample: (δ² (W²)ᵀ) ⊙ f′(z¹), with tanh′(z¹) = 1 − (a¹)².

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    net, tr, g = _pass(X, Y)
    dl_da1 = g.delta[2] @ net.weights[1].T
    a1, z1 = tr.a[1], tr.z[1]
    return check_array(
        answer, g.delta[1],
        mistakes=[
            Mistake(dl_da1, "that is ∂L/∂a¹, the gradient of the loss with respect to the "
                            "activations. Multiply by f′(z¹), the activation function's "
                            "derivative, to get δ¹ = ∂L/∂z¹."),
            Mistake(dl_da1 * a1 * (1 - a1), "a(1 − a) is the sigmoid's derivative. Layer 1 "
                                            "uses tanh: f′(z) = 1 − a²."),
            Mistake(dl_da1 * a1, "you multiplied by a¹ = f(z¹). The chain rule needs the "
                                 "derivative f′(z¹) = 1 − (a¹)²."),
            Mistake(dl_da1 * (1 - z1 ** 2), "1 − a² must be computed from a¹ = tanh(z¹), "
                                            "not from z¹."),
            Mistake(-g.delta[1], "the sign is flipped. Start from δ² as the engine gives it."),
        ],
        praise="δ¹ = ∂L/∂a¹ ⊙ f′(z¹): the gradient of the loss with respect to the "
               "activation, times the activation function's derivative.",
        otherwise="compute dL_da1 = delta2 @ W2.T, then multiply it, entry by entry, by "
                  "1 - a1**2.",
        shape_hint="δ¹ has one row per sample and one column per neuron of layer 1.")


def check_dW2(answer: Any) -> bool:
    """Check ∂L/∂W² = (a¹)ᵀ δ² of the one sample (shape (3, 2), like W²).

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    _, tr, g = _pass(X, Y)
    a1, z1, d2, d3 = tr.a[1], tr.z[1], g.delta[2], g.delta[3]
    return check_array(
        answer, g.dW[1],
        mistakes=[
            Mistake(d2.T @ a1, "your array is the transpose. ∂L/∂W² has the shape of W²: "
                               "row i is the neuron the edge leaves, column j the neuron it "
                               "enters. Compute a1.T @ delta2."),
            Mistake(z1.T @ d2, "you used z¹. An edge carries its neuron's output a¹ = "
                               "tanh(z¹), so ∂z²/∂W² = a¹."),
            Mistake(a1.T @ d3, "you used δ³. W² feeds layer 2, so its gradient uses δ²."),
            Mistake(tr.a[2].T @ d2, "you used a². W² leaves layer 1, so use a¹."),
            Mistake(a1.T @ g.dL_da[2], "you used ∂L/∂a² where δ² = ∂L/∂z² belongs (it "
                                       "still lacks f′(z²))."),
        ],
        praise="Each edge's gradient is (activation it leaves) × (δ of the neuron it enters).",
        otherwise="compute a1.T @ delta2: a column of a¹ times a row of δ².",
        shape_hint="∂L/∂W² has the shape of W²: (neurons in layer 1, neurons in layer 2).")


def check_numeric_gradient(answer: Any) -> bool:
    """Check a central-difference estimate of ∂L/∂W¹[1, 2] (weights[0][1, 2]) on the batch.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    layer, i, j = CHECKED_WEIGHT
    g = _pass(X_BATCH, Y_BATCH)[2]
    exact = float(g.dW[layer][i, j])
    return check_number(
        answer, exact,
        mistakes=[
            Mistake(2 * exact, "twice too big: divide by 2ε, the distance between w − ε and "
                               "w + ε."),
            Mistake(exact / 2, "half too small: the two points w − ε and w + ε are 2ε apart, "
                               "not 4ε."),
            Mistake(-exact, "the sign is flipped: compute (L(w + ε) − L(w − ε)) / 2ε."),
        ],
        praise="Finite differences agree with backpropagation. This is a gradient check.",
        otherwise="change only weights[0][1, 2], by +ε then −ε, compute the loss on the batch "
                  "each time, and put the weight back.",
        rtol=1e-4)
