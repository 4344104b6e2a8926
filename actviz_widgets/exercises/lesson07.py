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
            Mistake(-w, "the sign is wrong. With lr = 0.9 each step jumps over the minimum: "
                        "w changes sign at every step."),
            Mistake(w0 * (1 - lr) ** steps, "the derivative of w² is 2w, so one step is "
                                            "w − lr·2w = (1 − 2·lr)·w, not (1 − lr)·w."),
            Mistake(w0 * factor ** (steps - 1), "that is w after two steps; take three."),
            Mistake(w0 * factor ** (steps + 1), "that is w after four steps; take three."),
            Mistake(w0 - steps * lr * 2 * w0, "the gradient 2w changes as w changes: "
                                              "recompute it at each step (each step "
                                              "multiplies w by 1 − 2·lr)."),
        ],
        praise="w = (1 − 2·0.9)³ = (−0.8)³ = −0.512: it jumps from side to side, but "
               "|w| shrinks, so it still converges.",
        otherwise="repeat three times: w = w − lr·2w, starting from w = 1.")


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
            hint = (f"at lr = {lr:g} the loss went up, from {start:.3f} to {loss:.3g}: the "
                    "steps overshoot and training diverges. A larger learning rate is not "
                    "always faster.")
        elif k < best:
            hint = (f"at lr = {lr:g} the loss only fell to {loss:.3f}: these steps are too "
                    "small to get far in 50 steps. Compare all five final losses.")
        else:
            hint = (f"at lr = {lr:g} the loss fell to {loss:.3f}; another learning rate "
                    "got lower. Compare all five final losses.")
        mistakes.append(Mistake(lr, hint))
    mistakes.append(Mistake(final[best], "that is a loss. The question asks for the learning "
                                         "rate that reached it."))
    return check_number(
        answer, LEARNING_RATES[best], kind="choice", choices=LEARNING_RATES,
        mistakes=mistakes,
        praise=(f"lr = {LEARNING_RATES[best]:g} reaches {final[best]:.3f}. The best learning "
                "rate is often just below the one that diverges."),
        otherwise="give one of the learning rates in ex.LEARNING_RATES: the one whose "
                  "trainer.history.train_loss[-1] is lowest.")


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
            Mistake(w - lr * g, "that is plain gradient descent, w − lr·g. Adam divides by "
                                "the square root of the second moment: its first step is "
                                "about lr in size, whatever the gradient's size."),
            Mistake(w - lr * m / np.sqrt(v), "you left out the bias correction: divide m by "
                                             "1 − β₁ and v by 1 − β₂ (at step 1) before using "
                                             "them."),
            Mistake(w + (w - new_w), "the sign: Adam, like gradient descent, moves against "
                                     "the gradient. Here g > 0, so w goes down."),
            Mistake(new_w - w, "that is the change of w. Give the new w."),
        ],
        praise="m̂ = g and v̂ = g², so the step is lr·g/|g| = lr: Adam's first step has the "
               "size of the learning rate, in the direction of −g.",
        otherwise="compute m = (1 − β₁)g and v = (1 − β₂)g², correct them (m̂ = m/(1 − β₁), "
                  "v̂ = v/(1 − β₂)), then w − lr·m̂/(√v̂ + ε).")
