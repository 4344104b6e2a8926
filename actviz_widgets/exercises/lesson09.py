"""Checkers for lesson 9, "Vanishing and exploding gradients": depth, activation, weight scale.

The networks are those of the gradient-health widget: 2 inputs, ``depth``
hidden layers of :data:`WIDTH` neurons and a sigmoid output with the binary
cross-entropy loss, on the training half of :func:`data`.  The right answers
come from the engine's forward and backward passes and its per-layer norms
``‖δˡ‖`` (:func:`~actviz_widgets.engine.diagnostics.gradient_norms`).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..engine.datasets import Dataset, make_dataset
from ..engine.diagnostics import gradient_norms
from ..engine.initializers import init_std
from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["WIDTH", "EXPLODING", "SCALE_NET", "SCALES", "network", "data", "delta_norms",
           "check_he_std", "check_exploding_ratio", "check_best_scale",
           "compare_guess", "grading"]

#: Neurons per hidden layer (as in the widget).
WIDTH = 8
#: The network of exercise 2: 10 ReLU layers, He initialisation times 2.
EXPLODING = {"depth": 10, "activation": "relu", "init": "he", "weight_scale": 2.0}
#: The network of exercise 3, whose weight scale is to be chosen from :data:`SCALES`.
SCALE_NET = {"depth": 10, "activation": "relu", "init": "he"}
#: The weight scales compared in exercise 3.
SCALES = (0.5, 0.7, 1.0, 1.4, 2.0)


def network(depth: int = 6, activation: str = "sigmoid", init: str = "xavier",
            weight_scale: float = 1.0) -> MLP:
    """The widget's network: [2, WIDTH × depth, 1], sigmoid output, bce loss, seed 0."""
    return MLP([2] + [WIDTH] * depth + [1], activation=activation, loss="bce", init=init,
               weight_scale=weight_scale, seed=0)


def data() -> Dataset:
    """The widget's data: 200 points of the "circles" set, half for training (seed 0)."""
    return make_dataset("circles", n_samples=200, seed=0)


def delta_norms(net: MLP) -> np.ndarray:
    """``‖δˡ‖`` for l = 1..K on the training half of :func:`data` (entry l − 1)."""
    ds = data()
    with np.errstate(all="ignore"):  # large scales may overflow on purpose
        grads = net.backward(net.forward(ds.X_train), ds.y_train)
    return gradient_norms(grads)[0]


def check_he_std(answer: Any) -> bool:
    """Check He initialisation's standard deviation for a layer with 8 inputs.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    n = WIDTH
    std = init_std("he", n, n)
    return check_number(
        answer, std,
        mistakes=[
            Mistake(std ** 2, _t("lesson09.he_std.hint_1")),
            Mistake(init_std("xavier", n, n), _t("lesson09.he_std.hint_2")),
            Mistake(math.sqrt(2.0), _t("lesson09.he_std.hint_3")),
            Mistake(1 / n, _t("lesson09.he_std.hint_4")),
        ],
        praise=_t("lesson09.he_std.praise"),
        otherwise=_t("lesson09.he_std.otherwise"))


def _ratio(norms: np.ndarray) -> float:
    return float(norms[0] / norms[-1])


def check_exploding_ratio(answer: Any) -> bool:
    """Check ``‖δ¹‖ / ‖δᴷ‖`` of the :data:`EXPLODING` network at its initial weights.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    norms = delta_norms(network(**EXPLODING))
    ratio = _ratio(norms)
    ds = data()
    net = network(**EXPLODING)
    dW = net.backward(net.forward(ds.X_train), ds.y_train).dW
    w_norms = [float(np.linalg.norm(d)) for d in dW]
    unscaled = _ratio(delta_norms(network(**{**EXPLODING, "weight_scale": 1.0})))
    return check_number(
        answer, ratio,
        mistakes=[
            Mistake(1 / ratio, _t("lesson09.exploding_ratio.hint_1")),
            Mistake(w_norms[0] / w_norms[-1], _t("lesson09.exploding_ratio.hint_2")),
            Mistake(float(norms[0] / norms[-2]), _t("lesson09.exploding_ratio.hint_3")),
            Mistake(unscaled, _t("lesson09.exploding_ratio.hint_4")),
        ],
        praise=_t("lesson09.exploding_ratio.praise", ratio=ratio, steps=len(norms) - 1,
                  per_step=ratio ** (1 / (len(norms) - 1))),
        otherwise=_t("lesson09.exploding_ratio.otherwise"))


@functools.lru_cache(maxsize=1)
def _scale_ratios() -> tuple[float, ...]:
    return tuple(_ratio(delta_norms(network(**SCALE_NET, weight_scale=s))) for s in SCALES)


def check_best_scale(answer: Any) -> bool:
    """Check which of :data:`SCALES` keeps ``‖δ¹‖ / ‖δᴷ‖`` of the :data:`SCALE_NET`
    network closest to 1 (closest in powers of ten).

    Parameters
    ----------
    answer : float
        The learner's choice, one of :data:`SCALES`.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    ratios = _scale_ratios()
    distance = [abs(math.log10(r)) for r in ratios]
    best = int(np.argmin(distance))
    mistakes = []
    for k, (scale, r) in enumerate(zip(SCALES, ratios)):
        if k == best:
            continue
        trend = "shrinks" if r < 1 else "grows"
        mistakes.append(Mistake(scale, _t(f"lesson09.best_scale.{trend}", scale=scale, r=r,
                                          powers=distance[k])))
    mistakes.append(Mistake(ratios[best], _t("lesson09.best_scale.hint_1")))
    return check_number(
        answer, SCALES[best], kind="choice", choices=SCALES,
        mistakes=mistakes,
        praise=_t("lesson09.best_scale.praise", scale=SCALES[best], ratio=ratios[best]),
        otherwise=_t("lesson09.best_scale.otherwise"))
