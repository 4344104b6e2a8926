"""Checkers for lesson 7, "Gradient descent": learning rates, momentum and Adam, XOR.

The exercises use the loss bowl L(w) = w² (by hand), the lesson's XOR
network (:func:`network`, trained on :func:`data`) and one step of Adam on
a single weight.  The right answers come from the engine: a
:class:`~actviz_widgets.engine.training.Trainer` for the learning rates and
the engine's :class:`~actviz_widgets.engine.optimizers.Adam` for the Adam step.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.datasets import Dataset, make_dataset
from ..engine.network import MLP
from ..engine.optimizers import Adam
from ..engine.training import Trainer
from ..i18n import tr as _t
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["SIZES", "BOWL", "LEARNING_RATES", "LR_STEPS", "ADAM", "network", "data",
           "check_bowl", "check_best_learning_rate", "check_adam_step",
           "compare_guess", "grading"]

#: The XOR network: 2 inputs, two hidden layers of 4 tanh neurons, a sigmoid output.
SIZES = (2, 4, 4, 1)
#: The bowl of exercise 1: L(w) = w², start ``w0``, learning rate ``lr``, ``steps`` steps.
BOWL = {"w0": 1.0, "lr": 0.9, "steps": 3}
#: The learning rates compared in exercise 2.
LEARNING_RATES = (0.1, 0.3, 1.0, 3.0, 10.0)
#: Full-batch gradient-descent steps per learning rate in exercise 2.
LR_STEPS = 50
#: One Adam step on one weight: value ``w``, gradient ``grad``, ``lr``, β₁ and β₂.
ADAM = {"w": 0.5, "grad": 0.02, "lr": 0.01, "beta1": 0.9, "beta2": 0.999}


def network() -> MLP:
    """A fresh copy of the lesson's XOR network (tanh, tanh, sigmoid; bce loss; seed 0).

    It is the network the training playground builds with its defaults.
    """
    return MLP(list(SIZES), activation="tanh", output_activation="sigmoid", loss="bce", seed=0)


def data() -> Dataset:
    """The lesson's XOR data: 200 points with noise 0.1, half of them for training (seed 0)."""
    return make_dataset("xor", n_samples=200, noise=0.1, test_fraction=0.5, seed=0)


def check_bowl(answer: Any) -> bool:
    """Check w after :data:`BOWL` steps of gradient descent on L(w) = w².

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    w0, lr, steps = BOWL["w0"], BOWL["lr"], BOWL["steps"]
    w = w0
    for _ in range(steps):
        w = w - lr * 2 * w  # dL/dw = 2w
    factor = 1 - 2 * lr
    return check_number(
        answer, w,
        mistakes=[
            Mistake(-w, _t("lesson07.bowl.hint_1")),
            Mistake(w0 * (1 - lr) ** steps, _t("lesson07.bowl.hint_2")),
            Mistake(w0 * factor ** (steps - 1), _t("lesson07.bowl.hint_3")),
            Mistake(w0 * factor ** (steps + 1), _t("lesson07.bowl.hint_4")),
            Mistake(w0 - steps * lr * 2 * w0, _t("lesson07.bowl.hint_5")),
        ],
        praise=_t("lesson07.bowl.praise"),
        otherwise=_t("lesson07.bowl.otherwise"))


@functools.lru_cache(maxsize=1)
def _losses_after_training() -> tuple[float, tuple[float, ...]]:
    """(initial training loss, final training loss for each of :data:`LEARNING_RATES`)."""
    ds = data()
    start = network().loss_value(ds.X_train, ds.y_train)
    final = []
    for lr in LEARNING_RATES:
        trainer = Trainer(network(), ds, lr=lr, record_every=LR_STEPS)
        final.append(trainer.train(steps=LR_STEPS).train_loss[-1])
    return start, tuple(final)


def check_best_learning_rate(answer: Any) -> bool:
    """Check which of :data:`LEARNING_RATES` gives the lowest training loss after
    :data:`LR_STEPS` full-batch steps of plain gradient descent on the XOR data.

    Parameters
    ----------
    answer : float
        The learner's choice, one of :data:`LEARNING_RATES`.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    start, final = _losses_after_training()
    best = int(np.argmin(final))
    mistakes = []
    for k, (lr, loss) in enumerate(zip(LEARNING_RATES, final)):
        if k == best:
            continue
        if loss > start:
            hint = _t("lesson07.best_learning_rate.diverged", lr=lr, start=start, loss=loss)
        elif k < best:
            hint = _t("lesson07.best_learning_rate.too_small", lr=lr, loss=loss)
        else:
            hint = _t("lesson07.best_learning_rate.too_large", lr=lr, loss=loss)
        mistakes.append(Mistake(lr, hint))
    mistakes.append(Mistake(final[best], _t("lesson07.best_learning_rate.hint_1")))
    return check_number(
        answer, LEARNING_RATES[best], kind="choice", choices=LEARNING_RATES,
        mistakes=mistakes,
        praise=_t("lesson07.best_learning_rate.praise", lr=LEARNING_RATES[best],
                  loss=final[best]),
        otherwise=_t("lesson07.best_learning_rate.otherwise"))


def _adam_step() -> float:
    """w after one step of the engine's Adam on a weight with gradient ``ADAM["grad"]``."""
    a = ADAM
    # One weight, no bias used: L = (w·1 + 0 − y)², so ∂L/∂w = 2(w − y) = grad.
    net = MLP([1, 1], activation=[], output_activation="linear", loss="mse")
    net.set_params([np.array([[a["w"]]])], [np.zeros(1)])
    X, y = np.ones((1, 1)), np.array([[a["w"] - a["grad"] / 2]])
    grads = net.backward(net.forward(X), y)
    Adam(lr=a["lr"], beta1=a["beta1"], beta2=a["beta2"]).step(net, grads)
    return float(net.weights[0][0, 0])


def check_adam_step(answer: Any) -> bool:
    """Check the weight after Adam's first step (values in :data:`ADAM`).

    Parameters
    ----------
    answer : float or array_like
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    a = ADAM
    w, g, lr, b1, b2 = a["w"], a["grad"], a["lr"], a["beta1"], a["beta2"]
    m, v = (1 - b1) * g, (1 - b2) * g * g  # the moments after one step, before correction
    new_w = _adam_step()
    return check_number(
        answer, new_w,
        mistakes=[
            Mistake(w - lr * g, _t("lesson07.adam_step.hint_1")),
            Mistake(w - lr * m / np.sqrt(v), _t("lesson07.adam_step.hint_2")),
            Mistake(w + (w - new_w), _t("lesson07.adam_step.hint_3")),
            Mistake(new_w - w, _t("lesson07.adam_step.hint_4")),
        ],
        praise=_t("lesson07.adam_step.praise"),
        otherwise=_t("lesson07.adam_step.otherwise"))
