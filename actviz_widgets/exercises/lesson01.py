"""Checkers for lesson 1, "Activation functions": derivatives and saturation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.activations import get_activation
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
            Mistake(a, "that is σ(2) = f(z), the sigmoid's value. The question asks for its "
                       "derivative f′(z) = σ(z)(1 − σ(z))."),
            Mistake(z * (1 - z), "you put z = 2 into a(1 − a). That shortcut needs "
                                 "a = σ(z) ≈ 0.881, the neuron's output, not z."),
            Mistake(1 - a * a, "1 − a² is the rule for tanh. For the sigmoid it is a(1 − a)."),
            Mistake(float(_SIGMOID.grad(0.0)), "0.25 is σ′(0), the largest slope the sigmoid "
                                               "has. At z = 2 the curve is flatter."),
        ],
        praise="σ′(2) = σ(2)(1 − σ(2)) ≈ 0.881 × 0.119 ≈ 0.105.",
        otherwise="first compute a = σ(2) = 1 / (1 + e^(−2)), then a(1 − a).")


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
            Mistake(sig, "your function returns σ(z) = f(z), the sigmoid itself. Return its "
                         "derivative σ(z)(1 − σ(z))."),
            Mistake(lambda z: z * (1 - z),
                    "your function computes z(1 − z): it applies a(1 − a) to z. First compute "
                    "a = σ(z), then return a * (1 - a)."),
            Mistake(lambda z: 1 - sig(z) ** 2, "1 − σ(z)² follows tanh's rule 1 − a². The "
                                               "sigmoid's is a(1 − a)."),
            Mistake(lambda z: _TANH.grad(z), "that is tanh's derivative. The exercise asks for "
                                             "the sigmoid's."),
        ],
        praise="It matches the engine's σ′(z) at 33 points from −8 to 8.",
        otherwise="compute a = 1 / (1 + np.exp(-z)), then return a * (1 - a).")


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
            Mistake(float(_SIGMOID(0.0)) ** n, "you multiplied σ(0) = 0.5, the sigmoid's value. "
                                               "The chain rule multiplies derivatives: σ′(0) = "
                                               "0.25 per layer."),
            Mistake(n * d0, "the chain rule multiplies the factors of the layers; it does not "
                            "add them."),
            Mistake(d0, "0.25 is the factor of one layer. There are five."),
            Mistake(d0 ** (n - 1), "that is four factors; there are five layers."),
            Mistake(float(_TANH.grad(0.0)) ** n, "tanh′(0) = 1, so tanh gives 1. The question "
                                                 "is about the sigmoid."),
        ],
        praise="0.25⁵ ≈ 0.000977: after five sigmoid layers less than a thousandth of the "
               "gradient is left, even at the sigmoid's steepest point.",
        otherwise="find σ′(0) (the slope at z = 0) and multiply it by itself once per layer.")
