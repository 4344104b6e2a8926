"""Checkers for lesson 0, "Start here": reading numbers off a widget."""

from __future__ import annotations

from typing import Any

from ..engine.activations import get_activation
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["READ_Z", "check_sigmoid_at_zero", "check_tanh_reading",
           "compare_guess", "grading"]

#: The z to set on the explorer's slider for :func:`check_tanh_reading`.
READ_Z = 2.0
_START_Z = 1.0  # where the lesson's explorer starts


def _f(name: str, z: float) -> float:
    return float(get_activation(name)(z))


def _df(name: str, z: float) -> float:
    return float(get_activation(name).grad(z))


def check_sigmoid_at_zero(answer: Any) -> bool:
    """Check σ(0), the sigmoid's value at z = 0.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    return check_number(
        answer, _f("sigmoid", 0.0),
        mistakes=[
            Mistake(0.0, "0 is what tanh and ReLU give at z = 0. The sigmoid is "
                         "1 / (1 + e^(−z)), and e⁰ = 1."),
            Mistake(1.0, "e⁰ = 1, so σ(0) = 1 / (1 + 1). Divide once more."),
            Mistake(_df("sigmoid", 0.0), "0.25 is the sigmoid's slope at 0, its derivative "
                                         "σ′(0). The question asks for its value σ(0)."),
        ],
        praise="σ(0) = 1 / (1 + e⁰) = 1/2: the sigmoid sits halfway between 0 and 1.",
        otherwise="put z = 0 into σ(z) = 1 / (1 + e^(−z)).")


def check_tanh_reading(answer: Any) -> bool:
    """Check tanh(z) at z = :data:`READ_Z`, read from the explorer's table.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = READ_Z
    return check_number(
        answer, _f("tanh", z),
        mistakes=[
            Mistake(_f("tanh", _START_Z), "that is tanh at z = 1, where the slider started. "
                                          "Move z to 2 first."),
            Mistake(_df("tanh", z), "that is f′(z), the activation function's derivative "
                                    "(the f′(z) column). The question asks for f(z)."),
            Mistake(_f("sigmoid", z), "that is the sigmoid's row. Read the tanh row."),
            Mistake(_f("relu", z), "that is ReLU's row (ReLU(2) = 2). Read the tanh row."),
        ],
        praise="tanh(2) is already close to its ceiling of 1.",
        otherwise="set z to 2.0, then read f(z) in the tanh row of the table.")
