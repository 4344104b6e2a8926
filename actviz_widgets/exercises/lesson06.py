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
            Mistake(e, "these are the exponentials e^z. Divide each by their sum, so the "
                       "probabilities add up to 1."),
            Mistake(z / z.sum(), "you divided z by the sum of z. Exponentiate first: "
                                 "e^{z_k} / Σ_j e^{z_j}."),
            Mistake(_probabilities(p), "softmax applied twice: softmax(softmax(z)) is "
                                       "flatter. Apply it once, to the logits."),
            Mistake(1 / (1 + np.exp(-z)), "that is the sigmoid of each logit on its own. "
                                          "Softmax divides e^{z_k} by the sum over all "
                                          "classes, so the classes compete."),
            Mistake(np.exp(z - z.max()), "you subtracted the max but did not divide by the "
                                         "sum of the exponentials."),
        ],
        praise="ŷ = e^z / Σ e^z: positive, adds up to 1, and the largest logit gets the "
               "largest probability.",
        otherwise="compute e = np.exp(z), then e / e.sum().",
        shape_hint="One probability per class.")


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
            Mistake(-math.log(p[predicted]), f"you used class {predicted}, the class with "
                                             f"the largest probability. The loss uses the "
                                             f"true label, y = {y}."),
            Mistake(-math.log(p[y + 1]), f"that is class {y + 1}: the label counts from 0, "
                                         f"so y = {y} is entry [{y}]."),
            Mistake(math.log(p[y]), "the sign: ln ŷ_y is negative (ŷ_y < 1); the loss is "
                                    "−ln ŷ_y, a positive number."),
            Mistake(-math.log10(p[y]), "you used log base 10. The cross-entropy uses the "
                                       "natural log: np.log."),
            Mistake(1 - p[y], "1 − ŷ_y is not the cross-entropy: take −ln ŷ_y."),
            Mistake(-math.log(_probabilities(p)[y]), "softmax applied twice: ŷ is already a "
                                                     "probability; take −ln of ŷ_y itself."),
            Mistake(float(-np.sum(onehot * np.log(p) + (1 - onehot) * np.log(1 - p))),
                    "that is a binary cross-entropy summed over the classes, as if each "
                    "output were a separate sigmoid. With softmax only the true class's "
                    "term counts: L = −ln ŷ_y."),
            Mistake(float(-np.sum(np.log(p))), "you summed −ln ŷ_k over every class. Only "
                                               "the true class counts: L = −ln ŷ_y."),
        ],
        praise="L = −ln ŷ_y: small when the true class gets a high probability, large "
               "when it gets a low one.",
        otherwise="compute the softmax ŷ, take its entry at the label, ŷ[y], then −np.log "
                  "of it.")


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
            Mistake(p, "that is ŷ alone: subtract the one-hot vector of the label (1 at "
                       "class y, 0 elsewhere)."),
            Mistake(p - _onehot(predicted, n), f"you subtracted 1 at class {predicted}, the "
                                               f"predicted class. Subtract it at the true "
                                               f"label, y = {y}."),
            Mistake(p - _onehot((y + 1) % n, n), f"you subtracted 1 at class {y + 1}: the "
                                                 f"label counts from 0, so y = {y} is entry "
                                                 f"[{y}]."),
            Mistake(_onehot(y, n) - p, "the sign is flipped: ∂L/∂z = ŷ − onehot(y), which is "
                                       "negative only at the true class."),
            Mistake(_probabilities(p) - _onehot(y, n), "softmax applied twice: use ŷ = "
                                                       "softmax(z) once."),
            Mistake(p - 1.0, "you subtracted 1 from every class. Subtract 1 only at the "
                             "label: ŷ − onehot(y)."),
            Mistake(diagonal_only, "you kept only the diagonal of the softmax's Jacobian, as "
                                   "for an element-wise activation. Every z_k moves ŷ_y, so "
                                   "every class gets a gradient: ŷ_k − [k = y]."),
            Mistake(-_onehot(y, n) / p[y], "that is ∂L/∂ŷ. Chain it through the softmax's "
                                           "Jacobian to get ∂L/∂z = ŷ − onehot(y)."),
        ],
        praise="∂L/∂z = ŷ − onehot(y): every class is pushed down by its probability, the "
               "true class pushed up by 1 − ŷ_y; the entries add up to 0.",
        otherwise="compute ŷ = softmax(z), then subtract 1 at entry [y].",
        shape_hint="One entry per class.")


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
        return verdict(False, f"your answer is {bad}: e^1000 overflows (the largest float is "
                              "about e^709.8). Subtract m = max z first: ln Σ e^z = m + "
                              "ln Σ e^(z − m).")
    return check_number(
        answer, m + rest,
        mistakes=[
            Mistake(rest, "you forgot to add m back: ln Σ e^z = m + ln Σ e^(z − m)."),
            Mistake(m, "max z alone is only a lower bound; add ln Σ e^(z − m), which is "
                       "between 0 and ln 3 here."),
            Mistake(m + math.log10(float(np.exp(z - m).sum())),
                    "you used log base 10; the natural log (np.log) undoes np.exp."),
            Mistake(math.log(float(z.sum())), "you summed z, not e^z: the log undoes the "
                                              "exponentials, not the sum."),
            Mistake(m - rest, "the sign of the second term: m + ln Σ e^(z − m)."),
        ],
        praise="m + ln Σ e^(z − m) = ln Σ e^z exactly, and no exponential exceeds e^0 = 1.",
        otherwise="take m = z.max(), then m + np.log(np.exp(z - m).sum()).",
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
        return verdict(False, f"your answer is {bad}: ŷ_{y} = e^(−800) underflows to 0 and "
                              "ln 0 = −inf. Never take the log of a probability: use "
                              "ln ŷ_y = z_y − lse(z), so L = lse(z) − z_y.")
    predicted = int(np.argmax(z))
    return check_number(
        answer, _loss(z, y),
        mistakes=[
            Mistake(lse - z[predicted], f"you used class {predicted}, the most probable one; "
                                        f"the label is y = {y}."),
            Mistake(lse - z[y + 1], f"that is class {y + 1}: the label counts from 0, so y = "
                                    f"{y} is entry [{y}]."),
            Mistake(z[y] - lse, "the sign: L = lse(z) − z_y, a positive number."),
            Mistake(lse, "that is lse(z) alone; subtract the true class's logit z_y."),
        ],
        praise="L = lse(z) − z_y never takes the log of 0: a very wrong, very sure "
               "prediction gets a large but finite loss.",
        otherwise="compute lse = m + ln Σ e^(z − m) with m = max z, then lse − z[y].",
        rtol=1e-7)

