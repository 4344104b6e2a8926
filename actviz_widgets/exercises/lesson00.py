"""Checkers for lesson 0, "Start here": reading numbers off a widget."""

from __future__ import annotations

from typing import Any

from ..engine.activations import get_activation
from ..i18n import tr as _t
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
            Mistake(0.0, _t("lesson00.sigmoid_at_zero.hint_1")),
            Mistake(1.0, _t("lesson00.sigmoid_at_zero.hint_2")),
            Mistake(_df("sigmoid", 0.0), _t("lesson00.sigmoid_at_zero.hint_3")),
        ],
        praise=_t("lesson00.sigmoid_at_zero.praise"),
        otherwise=_t("lesson00.sigmoid_at_zero.otherwise"))


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
            Mistake(_f("tanh", _START_Z), _t("lesson00.tanh_reading.hint_1")),
            Mistake(_df("tanh", z), _t("lesson00.tanh_reading.hint_2")),
            Mistake(_f("sigmoid", z), _t("lesson00.tanh_reading.hint_3")),
            Mistake(_f("relu", z), _t("lesson00.tanh_reading.hint_4")),
        ],
        praise=_t("lesson00.tanh_reading.praise"),
        otherwise=_t("lesson00.tanh_reading.otherwise"))
