"""Checkers for lesson 8, "Mini-batches, epochs and learning-rate schedules".

The exercises count the steps of an epoch, compute the gradient noise of a
mini-batch from the per-sample gradients, apply the linear scaling rule and
read a warm-up + cosine schedule.  The network and data are lesson 7's XOR
network and data (:func:`network`, :func:`data`).  The right answers come
from the engine: :func:`~actviz_widgets.engine.minibatch.gradient_noise`,
:func:`~actviz_widgets.engine.schedules.scaled_lr` and
:func:`~actviz_widgets.engine.schedules.make_schedule`.
"""

from __future__ import annotations

import math
from typing import Any

from ..engine.datasets import Dataset
from ..engine.minibatch import gradient_noise
from ..engine.network import MLP
from ..engine.schedules import Cosine, make_schedule, scaled_lr
from ..i18n import tr as _t
from . import lesson07
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["EPOCHS", "NOISE", "SCALING", "SCHEDULE", "network", "data", "check_total_steps",
           "check_noise", "check_scaled_lr", "check_schedule_lr", "compare_guess", "grading"]

#: Exercise 1: N training samples, batch size, epochs.
EPOCHS = {"n_train": 100, "batch_size": 8, "epochs": 20}
#: Exercise 2: the batch size whose expected gradient noise is asked.
NOISE = {"batch_size": 10}
#: Exercise 3: the learning rate that suits ``batch``; the rule's answer is asked for ``new_batch``.
SCALING = {"lr": 0.3, "batch": 32, "new_batch": 8}
#: Exercise 4: a warm-up + cosine schedule (steps count from 0) and the step asked about.
SCHEDULE = {"lr": 0.5, "total_steps": 260, "warmup_steps": 26, "t": 150}


def network() -> MLP:
    """Lesson 7's XOR network (2-4-4-1, tanh, sigmoid output, bce; seed 0), initial weights."""
    return lesson07.network()


def data() -> Dataset:
    """Lesson 7's XOR data: 200 points, noise 0.1, half for training (seed 0)."""
    return lesson07.data()


def check_total_steps(answer: Any) -> bool:
    """Check the number of steps of :data:`EPOCHS` ``["epochs"]`` epochs.

    An epoch is one pass over the N training samples in batches of B: the
    last batch may be smaller, so it takes ``ceil(N / B)`` steps.
    """
    n, b, e = EPOCHS["n_train"], EPOCHS["batch_size"], EPOCHS["epochs"]
    per_epoch = math.ceil(n / b)
    return check_number(
        answer, per_epoch * e, kind="count",
        mistakes=[
            Mistake(n / b * e, _t("lesson08.total_steps.hint_1")),
            Mistake(n // b * e, _t("lesson08.total_steps.hint_2")),
            Mistake(per_epoch, _t("lesson08.total_steps.hint_3")),
            Mistake(n * e, _t("lesson08.total_steps.hint_4")),
            Mistake(e, _t("lesson08.total_steps.hint_5")),
        ],
        praise=_t("lesson08.total_steps.praise", n=n, b=b, per_epoch=per_epoch, e=e,
                  total=per_epoch * e),
        otherwise=_t("lesson08.total_steps.otherwise"))


def _noise() -> tuple[float, float]:
    """(exact E‖g_B − g‖² at :data:`NOISE`'s batch size, the per-sample spread S)."""
    ds = data()
    result = gradient_noise(network(), ds.X_train, ds.y_train, [NOISE["batch_size"]],
                            n_batches=1)
    return float(result.expected[0]), result.per_sample


def check_noise(answer: Any) -> bool:
    """Check ``E‖g_B − g‖²`` for B = :data:`NOISE` ``["batch_size"]`` at the initial weights.

    ``(N − B) / (N − 1) · S / B`` with ``S`` the mean of ``‖g_i − g‖²`` over
    the training samples.
    """
    expected, spread = _noise()
    b = NOISE["batch_size"]
    n = data().n_train
    return check_number(
        answer, expected,
        mistakes=[
            Mistake(spread / b, _t("lesson08.noise.hint_1")),
            Mistake(spread, _t("lesson08.noise.hint_2")),
            Mistake(spread / math.sqrt(b) * (n - b) / (n - 1),
                    _t("lesson08.noise.hint_3")),
            Mistake(math.sqrt(expected), _t("lesson08.noise.hint_4")),
        ],
        praise=_t("lesson08.noise.praise", spread=spread, b=b, expected=expected),
        otherwise=_t("lesson08.noise.otherwise"))


def check_scaled_lr(answer: Any) -> bool:
    """Check the linear scaling rule's learning rate for :data:`SCALING` ``["new_batch"]``."""
    lr, b, nb = SCALING["lr"], SCALING["batch"], SCALING["new_batch"]
    right = scaled_lr(lr, nb, b)
    return check_number(
        answer, right,
        mistakes=[
            Mistake(lr * b / nb, _t("lesson08.scaled_lr.hint_1")),
            Mistake(lr, _t("lesson08.scaled_lr.hint_2")),
            Mistake(lr * math.sqrt(nb / b), _t("lesson08.scaled_lr.hint_3")),
        ],
        praise=_t("lesson08.scaled_lr.praise", lr=lr, nb=nb, b=b, right=right),
        otherwise=_t("lesson08.scaled_lr.otherwise"))


def check_schedule_lr(answer: Any) -> bool:
    """Check the learning rate of step :data:`SCHEDULE` ``["t"]`` of warm-up + cosine."""
    s = SCHEDULE
    schedule = make_schedule("warmup_cosine", s["lr"], s["total_steps"],
                             warmup_steps=s["warmup_steps"])
    right = schedule(s["t"])
    no_shift = Cosine(s["lr"], s["total_steps"]).value(s["t"])
    whole = Cosine(s["lr"], s["total_steps"]).value(s["t"] - s["warmup_steps"])
    return check_number(
        answer, right,
        mistakes=[
            Mistake(no_shift, _t("lesson08.schedule_lr.hint_1")),
            Mistake(whole, _t("lesson08.schedule_lr.hint_2")),
            Mistake(s["lr"] * s["t"] / s["warmup_steps"], _t("lesson08.schedule_lr.hint_3")),
            Mistake(s["lr"], _t("lesson08.schedule_lr.hint_4")),
        ],
        praise=_t("lesson08.schedule_lr.praise", since=s["t"] - s["warmup_steps"],
                  cosine_steps=s["total_steps"] - s["warmup_steps"], right=right),
        otherwise=_t("lesson08.schedule_lr.otherwise"))
