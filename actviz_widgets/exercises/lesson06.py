"""Checkers for lesson 6, "Softmax and cross-entropy": probabilities, the loss, its gradient
and the stable log-sum-exp.

The lesson's worked example is :data:`EXAMPLE_Z`.  The exercises use one
sample's logits :data:`Z` with the label :data:`LABEL`,
the large logits :data:`Z_BIG` (naive exponentials overflow) and the far-apart
logits :data:`Z_FAR` with the label :data:`FAR_LABEL` (a naive probability
underflows to 0).  The lesson's network is :func:`network`, with one sample
``X``, ``Y`` and a batch ``X_BATCH``, ``Y_BATCH``.  Every expected value
comes from the engine's :func:`~actviz_widgets.engine.losses.softmax` and
softmax cross-entropy loss.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.losses import get_loss, softmax
from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import Mistake, check_array, check_number, compare_guess, grading, verdict

__all__ = ["EXAMPLE_Z", "Z", "LABEL", "Z_BIG", "Z_FAR", "FAR_LABEL", "X", "Y", "X_BATCH", "Y_BATCH",
           "network", "check_softmax", "check_loss", "check_gradient", "check_logsumexp",
           "check_stable_loss", "compare_guess", "grading"]

#: Logits of the lesson's worked example, three classes (0, 1, 2).
EXAMPLE_Z = (2.0, 1.0, 0.1)
#: Logits of the exercises' sample, four classes (0, 1, 2, 3).
Z = (0.5, 2.0, -1.0, 1.0)
#: Its label: class 2 (counted from 0), not the class with the largest logit.
LABEL = 2
#: Logits whose exponentials overflow a float64 (e^709.8 is the largest finite one).
Z_BIG = (1000.0, 1001.0, 1002.0)
#: Logits so far apart that the probability of class 0 underflows to 0.
Z_FAR = (-400.0, 0.0, 400.0)
#: The label of :data:`Z_FAR`: the class the logits rate least likely.
FAR_LABEL = 0

#: One sample for the lesson's network (two inputs) and its label.
X = ((0.5, -1.0),)
Y = (2,)
#: A batch of four samples and their labels.
X_BATCH = ((0.5, -1.0), (-0.3, 0.8), (1.2, 0.4), (-0.9, -0.6))
Y_BATCH = (2, 0, 1, 1)


def network() -> MLP:
    """A fresh copy of the lesson's network: 2 inputs, 3 tanh neurons, 3 logits.

    Returns
    -------
    MLP
        ``MLP([2, 3, 3], activation="tanh", loss="cross_entropy", seed=0)``:
        the output layer is linear (it gives the logits z) and the loss applies
        the softmax.
    """
    return MLP([2, 3, 3], activation="tanh", loss="cross_entropy", seed=0)


def _probabilities(z) -> np.ndarray:
    """The engine's softmax of one row of logits, as a 1-D array."""
    return softmax(np.asarray(z, dtype=float).reshape(1, -1))[0]


def _loss(z, label: int) -> float:
    """The engine's softmax cross-entropy of one sample (stable)."""
    z = np.asarray(z, dtype=float).reshape(1, -1)
    return get_loss("cross_entropy").value(z, z, np.array([label]))


def _onehot(label: int, n: int) -> np.ndarray:
    row = np.zeros(n)
    row[label] = 1.0
    return row


def _not_finite(answer: Any) -> float | None:
    """The answer if it is a single number that is inf or nan, else ``None``."""
    if isinstance(answer, (str, bool, np.bool_)) or answer is None or answer is ...:
        return None
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.size != 1:
        return None
    value = float(arr.reshape(()))
    return None if math.isfinite(value) else value


def check_softmax(answer: Any) -> bool:
    """Check ŷ = softmax(z) of :data:`Z`: e^{z_k} / Σ_j e^{z_j}.

    Parameters
    ----------
    answer : array_like
        The learner's three probabilities.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = np.asarray(Z)
    p = _probabilities(z)
    e = np.exp(z)
    return check_array(
        answer, p,
        mistakes=[
            Mistake(e, _t("lesson06.softmax.hint_1")),
            Mistake(z / z.sum(), _t("lesson06.softmax.hint_2")),
            Mistake(_probabilities(p), _t("lesson06.softmax.hint_3")),
            Mistake(1 / (1 + np.exp(-z)), _t("lesson06.softmax.hint_4")),
            Mistake(np.exp(z - z.max()), _t("lesson06.softmax.hint_5")),
        ],
        praise=_t("lesson06.softmax.praise"),
        otherwise=_t("lesson06.softmax.otherwise"),
        shape_hint=_t("lesson06.softmax.shape_hint"))


def check_loss(answer: Any) -> bool:
    """Check the cross-entropy L = −ln ŷ_y of :data:`Z` for the label :data:`LABEL`.

    Parameters
    ----------
    answer : float
        The learner's loss.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = np.asarray(Z)
    p = _probabilities(z)
    y = LABEL
    predicted = int(np.argmax(p))
    onehot = _onehot(y, p.size)
    return check_number(
        answer, _loss(z, y),
        mistakes=[
            Mistake(-math.log(p[predicted]), _t("lesson06.loss.hint_1", predicted=predicted, y=y)),
            Mistake(-math.log(p[y + 1]), _t("lesson06.loss.hint_2", next_class=y + 1, y=y)),
            Mistake(math.log(p[y]), _t("lesson06.loss.hint_3")),
            Mistake(-math.log10(p[y]), _t("lesson06.loss.hint_4")),
            Mistake(1 - p[y], _t("lesson06.loss.hint_5")),
            Mistake(-math.log(_probabilities(p)[y]), _t("lesson06.loss.hint_6")),
            Mistake(float(-np.sum(onehot * np.log(p) + (1 - onehot) * np.log(1 - p))),
                    _t("lesson06.loss.hint_7")),
            Mistake(float(-np.sum(np.log(p))), _t("lesson06.loss.hint_8")),
        ],
        praise=_t("lesson06.loss.praise"),
        otherwise=_t("lesson06.loss.otherwise"))


def check_gradient(answer: Any) -> bool:
    """Check ∂L/∂z = ŷ − onehot(y) for :data:`Z` and the label :data:`LABEL`.

    Parameters
    ----------
    answer : array_like
        The learner's gradient, one entry per class.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = np.asarray(Z)
    p = _probabilities(z)
    y = LABEL
    n = p.size
    predicted = int(np.argmax(p))
    diagonal_only = np.zeros(n)
    diagonal_only[y] = p[y] - 1.0
    return check_array(
        answer, p - _onehot(y, n),
        mistakes=[
            Mistake(p, _t("lesson06.gradient.hint_1")),
            Mistake(p - _onehot(predicted, n), _t("lesson06.gradient.hint_2", predicted=predicted, y=y)),
            Mistake(p - _onehot((y + 1) % n, n), _t("lesson06.gradient.hint_3", next_class=y + 1, y=y)),
            Mistake(_onehot(y, n) - p, _t("lesson06.gradient.hint_4")),
            Mistake(_probabilities(p) - _onehot(y, n), _t("lesson06.gradient.hint_5")),
            Mistake(p - 1.0, _t("lesson06.gradient.hint_6")),
            Mistake(diagonal_only, _t("lesson06.gradient.hint_7")),
            Mistake(-_onehot(y, n) / p[y], _t("lesson06.gradient.hint_8")),
        ],
        praise=_t("lesson06.gradient.praise"),
        otherwise=_t("lesson06.gradient.otherwise"),
        shape_hint=_t("lesson06.gradient.shape_hint"))


def check_logsumexp(answer: Any) -> bool:
    """Check ln Σ_j e^{z_j} of :data:`Z_BIG`, computed as m + ln Σ_j e^{z_j − m}, m = max z.

    Parameters
    ----------
    answer : float
        The learner's log-sum-exp.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = np.asarray(Z_BIG)
    m = float(z.max())
    rest = math.log(float(np.exp(z - m).sum()))
    bad = _not_finite(answer)
    if bad is not None:
        return verdict(False, _t("lesson06.logsumexp.verdict_1", bad=bad))
    return check_number(
        answer, m + rest,
        mistakes=[
            Mistake(rest, _t("lesson06.logsumexp.hint_1")),
            Mistake(m, _t("lesson06.logsumexp.hint_2")),
            Mistake(m + math.log10(float(np.exp(z - m).sum())),
                    _t("lesson06.logsumexp.hint_3")),
            Mistake(math.log(float(z.sum())), _t("lesson06.logsumexp.hint_4")),
            Mistake(m - rest, _t("lesson06.logsumexp.hint_5")),
        ],
        praise=_t("lesson06.logsumexp.praise"),
        otherwise=_t("lesson06.logsumexp.otherwise"),
        rtol=1e-7)


def check_stable_loss(answer: Any) -> bool:
    """Check the cross-entropy of :data:`Z_FAR` for :data:`FAR_LABEL`: L = lse(z) − z_y.

    Parameters
    ----------
    answer : float
        The learner's loss.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z = np.asarray(Z_FAR)
    y = FAR_LABEL
    m = float(z.max())
    lse = m + math.log(float(np.exp(z - m).sum()))
    bad = _not_finite(answer)
    if bad is not None:
        return verdict(False, _t("lesson06.stable_loss.verdict_1", bad=bad, y=y))
    predicted = int(np.argmax(z))
    return check_number(
        answer, _loss(z, y),
        mistakes=[
            Mistake(lse - z[predicted], _t("lesson06.stable_loss.hint_1", predicted=predicted, y=y)),
            Mistake(lse - z[y + 1], _t("lesson06.stable_loss.hint_2", next_class=y + 1, y=y)),
            Mistake(z[y] - lse, _t("lesson06.stable_loss.hint_3")),
            Mistake(lse, _t("lesson06.stable_loss.hint_4")),
        ],
        praise=_t("lesson06.stable_loss.praise"),
        otherwise=_t("lesson06.stable_loss.otherwise"),
        rtol=1e-7)

