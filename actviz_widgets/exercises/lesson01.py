"""Checkers for lesson 1, "Activation functions": derivatives and saturation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.activations import get_activation
from ..i18n import tr as _t
from ._check import Mistake, check_function, check_number, compare_guess, grading

__all__ = ["DERIV_Z", "CHAIN_DEPTH", "check_sigmoid_derivative", "check_sigmoid_prime",
           "check_chain_factor",
           "compare_guess", "grading"]

#: The z of :func:`check_sigmoid_derivative`.
DERIV_Z = 2.0
#: Number of sigmoid layers in :func:`check_chain_factor`.
CHAIN_DEPTH = 5

_SIGMOID = get_activation("sigmoid")
_TANH = get_activation("tanh")
#: Where a learner's sigmoid_prime is evaluated: both tails and the middle.
_GRID = np.linspace(-8.0, 8.0, 33)


def check_sigmoid_derivative(answer: Any) -> bool:
    """Check σ′(z) at z = :data:`DERIV_Z`, the sigmoid's derivative.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = DERIV_Z
    a = float(_SIGMOID(z))
    return check_number(
        answer, float(_SIGMOID.grad(z)),
        mistakes=[
            Mistake(a, _t("lesson01.sigmoid_derivative.hint_1")),
            Mistake(z * (1 - z), _t("lesson01.sigmoid_derivative.hint_2")),
            Mistake(1 - a * a, _t("lesson01.sigmoid_derivative.hint_3")),
            Mistake(float(_SIGMOID.grad(0.0)), _t("lesson01.sigmoid_derivative.hint_4")),
        ],
        praise=_t("lesson01.sigmoid_derivative.praise"),
        otherwise=_t("lesson01.sigmoid_derivative.otherwise"))


def check_sigmoid_prime(fn: Any) -> bool:
    """Check a learner's function ``sigmoid_prime(z)`` on an array of z in [−8, 8].

    Parameters
    ----------
    fn : callable
        The learner's function of a NumPy array of z values.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    sig = _SIGMOID.value
    return check_function(
        fn, _SIGMOID.grad, _GRID,
        mistakes=[
            Mistake(sig, _t("lesson01.sigmoid_prime.hint_1")),
            Mistake(lambda z: z * (1 - z),
                    _t("lesson01.sigmoid_prime.hint_2")),
            Mistake(lambda z: 1 - sig(z) ** 2, _t("lesson01.sigmoid_prime.hint_3")),
            Mistake(lambda z: _TANH.grad(z), _t("lesson01.sigmoid_prime.hint_4")),
        ],
        praise=_t("lesson01.sigmoid_prime.praise"),
        otherwise=_t("lesson01.sigmoid_prime.otherwise"))


def check_chain_factor(answer: Any) -> bool:
    """Check σ′(0)ⁿ for n = :data:`CHAIN_DEPTH`: the gradient factor of n sigmoid layers
    whose pre-activations are all 0 (weights set aside).

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n = CHAIN_DEPTH
    d0 = float(_SIGMOID.grad(0.0))
    return check_number(
        answer, d0 ** n,
        mistakes=[
            Mistake(float(_SIGMOID(0.0)) ** n, _t("lesson01.chain_factor.hint_1")),
            Mistake(n * d0, _t("lesson01.chain_factor.hint_2")),
            Mistake(d0, _t("lesson01.chain_factor.hint_3")),
            Mistake(d0 ** (n - 1), _t("lesson01.chain_factor.hint_4")),
            Mistake(float(_TANH.grad(0.0)) ** n, _t("lesson01.chain_factor.hint_5")),
        ],
        praise=_t("lesson01.chain_factor.praise"),
        otherwise=_t("lesson01.chain_factor.otherwise"))
