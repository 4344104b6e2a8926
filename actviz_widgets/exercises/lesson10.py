"""Checkers for lesson 10, "Dead ReLU neurons": finding them, killing them, reviving them.

The network is the dead-neurons widget's: 2 inputs, three hidden layers of 8
ReLU units (He initialisation, seed 1) and a sigmoid output with the binary
cross-entropy loss, trained on the training half of :func:`data`.  A unit is
dead when its pre-activation is ``<= 0`` for every training sample
(:func:`~actviz_widgets.engine.diagnostics.dead_units`); the right answers
come from the engine.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.activations import get_activation
from ..engine.datasets import Dataset, make_dataset
from ..engine.diagnostics import dead_units
from ..engine.network import MLP
from ..engine.training import Trainer
from ..i18n import tr as _t
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["SIZES", "SEED", "DEAD_LAYER", "LEARNING_RATES", "STEPS", "LEAKY", "network",
           "data", "count_dead", "check_dead_fraction", "check_safest_learning_rate",
           "check_leaky_delta",
           "compare_guess", "grading"]

#: The widget's network: three hidden layers of 8 units.
SIZES = (2, 8, 8, 8, 1)
#: Seed of the weights and the data (the widget's default).
SEED = 1
#: The hidden layer of exercise 1.
DEAD_LAYER = 2
#: The learning rates compared in exercise 2.
LEARNING_RATES = (0.1, 0.5, 1.0, 2.0, 3.0)
#: Full-batch steps per learning rate in exercise 2.
STEPS = 100
#: Exercise 3: a leaky ReLU unit with pre-activation ``z`` and ∂L/∂a = ``dL_da``.
LEAKY = {"z": -2.0, "dL_da": 0.3}


def network(activation: str = "relu", bias: float = 0.0) -> MLP:
    """The widget's network (seed 1), with every hidden bias set to ``bias``."""
    net = MLP(list(SIZES), activation=activation, loss="bce", seed=SEED)
    weights, biases = net.get_params()
    for b in biases[:-1]:
        b.fill(bias)
    net.set_params(weights, biases)
    return net


def data() -> Dataset:
    """The widget's data: 200 points of the "circles" set, half for training (seed 1)."""
    return make_dataset("circles", n_samples=200, seed=SEED)


def count_dead(net: MLP) -> int:
    """Number of dead hidden units of ``net`` on the training half of :func:`data`."""
    return int(sum(mask.sum() for mask in dead_units(net.forward(data().X_train))))


def check_dead_fraction(answer: Any) -> bool:
    """Check the fraction of dead units in hidden layer :data:`DEAD_LAYER` of
    :func:`network` at its initial weights.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    trace = network().forward(data().X_train)
    masks = dead_units(trace)  # entry l - 1 for hidden layer l
    layer = DEAD_LAYER
    fraction = float(masks[layer - 1].mean())
    z = trace.z[layer]
    mistakes = [
        Mistake(float(np.mean(z <= 0)), _t("lesson10.dead_fraction.hint_1")),
        Mistake(int(masks[layer - 1].sum()), _t("lesson10.dead_fraction.hint_2")),
        Mistake(1 - fraction, _t("lesson10.dead_fraction.hint_3")),
    ]
    for other in range(1, len(masks) + 1):
        value = float(masks[other - 1].mean())
        if other != layer and value != fraction:
            mistakes.append(Mistake(value, _t("lesson10.dead_fraction.hint_4", other=other,
                                              layer=layer)))
    return check_number(
        answer, fraction,
        mistakes=mistakes,
        praise=_t("lesson10.dead_fraction.praise"),
        otherwise=_t("lesson10.dead_fraction.otherwise"))


@functools.lru_cache(maxsize=1)
def _dead_after_training() -> tuple[int, tuple[int, ...]]:
    """(dead units at the start, dead units after :data:`STEPS` steps for each lr)."""
    ds = data()
    counts = []
    for lr in LEARNING_RATES:
        net = network()
        Trainer(net, ds, lr=lr, seed=SEED, record_every=STEPS).train(steps=STEPS)
        counts.append(count_dead(net))
    return count_dead(network()), tuple(counts)


def check_safest_learning_rate(answer: Any) -> bool:
    """Check which of :data:`LEARNING_RATES` leaves the fewest dead units after
    :data:`STEPS` full-batch steps of gradient descent.

    Parameters
    ----------
    answer : float
        The learner's choice, one of :data:`LEARNING_RATES`.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    start, counts = _dead_after_training()
    best = int(np.argmin(counts))
    n_units = sum(SIZES[1:-1])
    mistakes = []
    for k, (lr, n) in enumerate(zip(LEARNING_RATES, counts)):
        if k == best:
            continue
        if n > start and lr > LEARNING_RATES[best]:
            key = "kills"
        else:  # the smallest rate is not automatically the safest: say so for it
            key = "fewer_than_smallest" if k == 0 else "fewer"
        hint = _t(f"lesson10.safest_learning_rate.{key}", lr=lr, n=n, n_units=n_units,
                  start=start)
        mistakes.append(Mistake(lr, hint))
    mistakes.append(Mistake(counts[best], _t("lesson10.safest_learning_rate.hint_1")))
    return check_number(
        answer, LEARNING_RATES[best], kind="choice", choices=LEARNING_RATES,
        mistakes=mistakes,
        praise=_t("lesson10.safest_learning_rate.praise", lr=LEARNING_RATES[best],
                  n=counts[best]),
        otherwise=_t("lesson10.safest_learning_rate.otherwise"))


def check_leaky_delta(answer: Any) -> bool:
    """Check δ = ∂L/∂a · f′(z) of a leaky ReLU unit with the numbers of :data:`LEAKY`.

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    z, dL_da = LEAKY["z"], LEAKY["dL_da"]
    leaky = get_activation("leaky_relu")
    slope = float(leaky.grad(z))
    return check_number(
        answer, dL_da * slope,
        mistakes=[
            Mistake(0.0, _t("lesson10.leaky_delta.hint_1")),
            Mistake(dL_da, _t("lesson10.leaky_delta.hint_2")),
            Mistake(dL_da * float(leaky(z)), _t("lesson10.leaky_delta.hint_3")),
            Mistake(dL_da * z, _t("lesson10.leaky_delta.hint_4")),
        ],
        praise=_t("lesson10.leaky_delta.praise"),
        otherwise=_t("lesson10.leaky_delta.otherwise"))
