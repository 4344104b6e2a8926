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
            Mistake(n / b * e, "an epoch cannot take a fraction of a step: 100 samples in "
                               "batches of 8 are 12 full batches and one of 4."),
            Mistake(n // b * e, "the last 4 samples are a batch too (a smaller one): an "
                                "epoch uses every sample once, so it takes ceil(N / B) steps."),
            Mistake(per_epoch, "that is one epoch; the question asks for all of them."),
            Mistake(n * e, "that is the number of samples seen; each step uses B of them."),
            Mistake(e, "that is the number of epochs: each epoch takes several steps."),
        ],
        praise=f"ceil({n}/{b}) = {per_epoch} steps per epoch, × {e} = {per_epoch * e}. The "
               "same 20 epochs are 20 steps with the full batch and 2000 with B = 1.",
        otherwise="steps per epoch = ceil(N / B) (use math.ceil); multiply by the epochs.")


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
            Mistake(spread / b, "that is S / B, with replacement. A batch draws B different "
                                "samples: multiply by (N − B) / (N − 1)."),
            Mistake(spread, "that is S, the noise of one sample. A mean of B samples has "
                            "B times less: divide by B (and correct for drawing without "
                            "replacement)."),
            Mistake(spread / math.sqrt(b) * (n - b) / (n - 1),
                    "the variance falls like 1/B, not 1/√B (the standard deviation does)."),
            Mistake(math.sqrt(expected), "that is the square root; the question asks for the "
                                         "mean squared distance E‖g_B − g‖²."),
        ],
        praise=f"S = {spread:.4g}, and a batch of {b} has {expected:.4g}: ten samples, about "
               "ten times less noise.",
        otherwise="take rows = av.per_sample_gradients(net, X, y), g = rows.mean(axis=0), "
                  "S = the mean of the squared distances ‖rows[i] − g‖², then "
                  "(N − B)/(N − 1) · S/B.")


def check_scaled_lr(answer: Any) -> bool:
    """Check the linear scaling rule's learning rate for :data:`SCALING` ``["new_batch"]``."""
    lr, b, nb = SCALING["lr"], SCALING["batch"], SCALING["new_batch"]
    right = scaled_lr(lr, nb, b)
    return check_number(
        answer, right,
        mistakes=[
            Mistake(lr * b / nb, "upside down: a smaller batch takes more steps per epoch, "
                                 "each from a noisier gradient, so it gets a smaller lr."),
            Mistake(lr, "the rule changes the learning rate with the batch size: "
                        "lr × B_new / B."),
            Mistake(lr * math.sqrt(nb / b), "that is the square-root rule (used with Adam "
                                            "sometimes); the linear rule scales by B_new / B."),
        ],
        praise=f"{lr:g} × {nb}/{b} = {right:g}: four times smaller batches, four times more "
               "steps per epoch, each four times shorter.",
        otherwise="the rule multiplies the learning rate by the batch sizes' ratio: "
                  "lr_new = lr × B_new / B.")


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
            Mistake(no_shift, "the cosine starts after the warm-up: use t − W over T − W "
                              "steps, not t over T."),
            Mistake(whole, "the cosine runs over the T − W steps left after the warm-up, "
                           "not over all T."),
            Mistake(s["lr"] * s["t"] / s["warmup_steps"], "the warm-up is over at step W; "
                                                          "from there the cosine decays."),
            Mistake(s["lr"], "that is the peak; at step 150 the cosine has brought it down."),
        ],
        praise=f"t − W = {s['t'] - s['warmup_steps']} of T − W = "
               f"{s['total_steps'] - s['warmup_steps']} steps of cosine: lr = {right:.4g}.",
        otherwise="past the warm-up, lr = lr_peak · (1 + cos(π (t − W) / (T − W))) / 2.")
