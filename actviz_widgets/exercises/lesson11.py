"""Checkers for lesson 11, "Over- and underfitting": train vs test loss, L2, early stopping.

The lesson trains the playground's network (2 inputs, three hidden layers of
8 tanh neurons, a sigmoid output, binary cross-entropy) with full-batch Adam
on few, noisy "moons" points (:func:`data`: 40 for training, 160 for
testing), where it overfits.  The right answers come from the engine's
:class:`~actviz_widgets.engine.training.Trainer`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.datasets import Dataset, make_dataset
from ..engine.network import MLP
from ..engine.training import History, Trainer
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["SIZES", "LR", "STEPS", "L2_CHOICES", "LINEAR_SIZES", "network", "data",
           "circles", "train", "check_best_l2", "check_best_step", "check_linear_accuracy",
           "compare_guess", "grading"]

#: The overfitting network: three hidden layers of 8 tanh neurons.
SIZES = (2, 8, 8, 8, 1)
#: Adam's learning rate.
LR = 0.01
#: Full-batch steps of every run.
STEPS = 200
#: The L2 strengths compared in exercise 1.
L2_CHOICES = (0.0, 0.01, 0.03, 0.1)
#: Exercise 3's network: no hidden layer at all.
LINEAR_SIZES = (2, 1)


def network(sizes=SIZES) -> MLP:
    """A fresh network of ``sizes`` (tanh hidden layers, sigmoid output, bce loss, seed 0)."""
    return MLP(list(sizes), activation="tanh", output_activation="sigmoid", loss="bce", seed=0)


def data() -> Dataset:
    """200 "moons" points with noise 0.3: 40 for training, 160 for testing (seed 0)."""
    return make_dataset("moons", n_samples=200, noise=0.3, test_fraction=0.8, seed=0)


def circles() -> Dataset:
    """200 "circles" points with noise 0.1, half for training (seed 0), for exercise 3."""
    return make_dataset("circles", n_samples=200, noise=0.1, test_fraction=0.5, seed=0)


def train(net: MLP, dataset: Dataset, weight_decay: float = 0.0, steps: int = STEPS,
          record_every: int = 1) -> History:
    """Train ``net`` with the lesson's recipe (full-batch Adam, lr :data:`LR`).

    Parameters
    ----------
    net : MLP
        Trained in place.
    dataset : Dataset
    weight_decay : float, default 0.0
        L2 strength.
    steps : int, default :data:`STEPS`
    record_every : int, default 1
        Record a history row every this many steps (measuring costs time).

    Returns
    -------
    History
    """
    trainer = Trainer(net, dataset, optimizer="adam", lr=LR, weight_decay=weight_decay,
                      record_every=record_every)
    return trainer.train(steps=steps)


@functools.lru_cache(maxsize=1)
def _final_losses() -> tuple[tuple[float, float], ...]:
    """(final training loss, final test loss) for each of :data:`L2_CHOICES`."""
    out = []
    for l2 in L2_CHOICES:
        h = train(network(), data(), weight_decay=l2, record_every=STEPS)
        out.append((h.train_loss[-1], h.test_loss[-1]))
    return tuple(out)


def check_best_l2(answer: Any) -> bool:
    """Check which of :data:`L2_CHOICES` gives the lowest test loss after :data:`STEPS` steps.

    Parameters
    ----------
    answer : float
        The learner's choice, one of :data:`L2_CHOICES`.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    losses = _final_losses()
    test = [t for _, t in losses]
    train_ = [tr for tr, _ in losses]
    best = int(np.argmin(test))
    by_train = int(np.argmin(train_))
    mistakes = []
    for k, l2 in enumerate(L2_CHOICES):
        if k == best:
            continue
        if k == by_train:
            hint = (f"L2 = {l2:g} has the lowest training loss, {train_[k]:.3f}, but its test "
                    f"loss is {test[k]:.3f}. Choose by the test loss: it measures data the "
                    "network did not learn from.")
        elif l2 > L2_CHOICES[best]:
            hint = (f"with L2 = {l2:g} the test loss is {test[k]:.3f}: so strong a penalty "
                    "keeps the weights too small to fit the data (underfitting).")
        else:
            hint = (f"with L2 = {l2:g} the test loss is {test[k]:.3f}: still overfitting. "
                    "Compare all the test losses.")
        mistakes.append(Mistake(l2, hint))
    mistakes.append(Mistake(test[best], "that is a test loss. The question asks for the L2 "
                                        "strength that gave it."))
    return check_number(
        answer, L2_CHOICES[best], kind="choice", choices=L2_CHOICES,
        mistakes=mistakes,
        praise=f"L2 = {L2_CHOICES[best]:g}: test loss {test[best]:.3f}, against "
               f"{test[0]:.3f} without L2. The penalty keeps the network from bending its "
               "boundary around every noisy training point.",
        otherwise="give one of the strengths in ex.L2_CHOICES: the one whose "
                  "history.test_loss[-1] is lowest.")


@functools.lru_cache(maxsize=1)
def _unregularised() -> tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
    h = train(network(), data())
    return tuple(h.step), tuple(h.train_loss), tuple(h.test_loss)


def check_best_step(answer: Any) -> bool:
    """Check the step at which the test loss of the run without L2 is lowest.

    Parameters
    ----------
    answer : int
        The learner's answer: a step number (1 .. :data:`STEPS`).

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    steps, train_loss, test_loss = _unregularised()
    k = int(np.argmin(test_loss))
    mistakes = [
        Mistake(k, f"that is the row index in the history (counting from 0). The row's step "
                   f"is history.step[{k}]."),
        Mistake(steps[int(np.argmin(train_loss))], "that is where the training loss is "
                                                   "lowest. Early stopping watches the test "
                                                   "loss."),
        Mistake(steps[-1], "that is the last step. The test loss was lower earlier: after "
                           "its minimum the network only fits the noise better."),
        Mistake(test_loss[k], "that is the lowest test loss. The question asks at which step "
                              "it happened."),
    ]
    return check_number(
        answer, steps[k], kind="index",
        mistakes=[m for m in mistakes if m.answer != steps[k]],
        praise=f"Step {steps[k]}: test loss {test_loss[k]:.3f}. From there on the training "
               f"loss keeps falling (to {train_loss[-1]:.3f}) while the test loss rises (to "
               f"{test_loss[-1]:.3f}): overfitting. Stopping at the minimum is early "
               "stopping.",
        otherwise="find the position of the smallest value in history.test_loss "
                  "(np.argmin), and give history.step at that position.")


def check_linear_accuracy(answer: Any) -> bool:
    """Check the training accuracy of a network without hidden layers on :func:`circles`
    after :data:`STEPS` steps of the lesson's recipe.

    Parameters
    ----------
    answer : float
        The learner's answer, a fraction in [0, 1].

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    h = train(network(LINEAR_SIZES), circles(), record_every=STEPS)
    acc = h.train_acc[-1]
    deep = train(network((2, 8, 1)), circles(), record_every=STEPS).train_acc[-1]
    return check_number(
        answer, acc,
        mistakes=[
            Mistake(h.test_acc[-1], "that is the test accuracy. The question asks about the "
                                    "training data: history.train_acc."),
            Mistake(100 * acc, "give a fraction between 0 and 1, not a percentage."),
            Mistake(1 - acc, "that is the training error, the share of wrong answers."),
            Mistake(h.train_loss[-1], "that is the training loss. The question asks for the "
                                      "accuracy."),
            Mistake(deep, "that is a network with a hidden layer. Use ex.LINEAR_SIZES = "
                          "(2, 1): no hidden layer."),
        ],
        praise=f"{acc:.0%}, about a coin toss, on the very data it trained on. A network "
               "without hidden layers draws one straight line, and no line separates a disc "
               "from the ring around it: it underfits. One hidden layer of 8 tanh neurons "
               f"gets {deep:.0%}.",
        otherwise="train ex.network(ex.LINEAR_SIZES) on ex.circles() with ex.train, then read "
                  "history.train_acc[-1].")
