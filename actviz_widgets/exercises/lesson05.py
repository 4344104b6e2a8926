"""Checkers for lesson 5, "Backpropagation": δ per neuron, ∂L/∂W per edge, a gradient check.

Uses the network of lesson 4 (:func:`actviz_widgets.exercises.lesson04.network`)
with its one sample ``X``, ``Y`` and its batch ``X_BATCH``, ``Y_BATCH``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import tr as _t
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
            Mistake(dl_da1, _t("lesson05.delta1.hint_1")),
            Mistake(dl_da1 * a1 * (1 - a1), _t("lesson05.delta1.hint_2")),
            Mistake(dl_da1 * a1, _t("lesson05.delta1.hint_3")),
            Mistake(dl_da1 * (1 - z1 ** 2), _t("lesson05.delta1.hint_4")),
            Mistake(-g.delta[1], _t("lesson05.delta1.hint_5")),
        ],
        praise=_t("lesson05.delta1.praise"),
        otherwise=_t("lesson05.delta1.otherwise"),
        shape_hint=_t("lesson05.delta1.shape_hint"))


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
            Mistake(d2.T @ a1, _t("lesson05.dW2.hint_1")),
            Mistake(z1.T @ d2, _t("lesson05.dW2.hint_2")),
            Mistake(a1.T @ d3, _t("lesson05.dW2.hint_3")),
            Mistake(tr.a[2].T @ d2, _t("lesson05.dW2.hint_4")),
            Mistake(a1.T @ g.dL_da[2], _t("lesson05.dW2.hint_5")),
        ],
        praise=_t("lesson05.dW2.praise"),
        otherwise=_t("lesson05.dW2.otherwise"),
        shape_hint=_t("lesson05.dW2.shape_hint"))


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
            Mistake(2 * exact, _t("lesson05.numeric_gradient.hint_1")),
            Mistake(exact / 2, _t("lesson05.numeric_gradient.hint_2")),
            Mistake(-exact, _t("lesson05.numeric_gradient.hint_3")),
        ],
        praise=_t("lesson05.numeric_gradient.praise"),
        otherwise=_t("lesson05.numeric_gradient.otherwise"),
        rtol=1e-4)
