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
from ..i18n import tr as _t
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
            key = "lowest_train"
        elif l2 > L2_CHOICES[best]:
            key = "underfitting"
        else:
            key = "overfitting"
        mistakes.append(Mistake(l2, _t(f"lesson11.best_l2.{key}", l2=l2, train=train_[k],
                                       test=test[k])))
    mistakes.append(Mistake(test[best], _t("lesson11.best_l2.hint_1")))
    return check_number(
        answer, L2_CHOICES[best], kind="choice", choices=L2_CHOICES,
        mistakes=mistakes,
        praise=_t("lesson11.best_l2.praise", l2=L2_CHOICES[best], test=test[best],
                  without=test[0]),
        otherwise=_t("lesson11.best_l2.otherwise"))


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
        Mistake(k, _t("lesson11.best_step.hint_1", k=k)),
        Mistake(steps[int(np.argmin(train_loss))], _t("lesson11.best_step.hint_2")),
        Mistake(steps[-1], _t("lesson11.best_step.hint_3")),
        Mistake(test_loss[k], _t("lesson11.best_step.hint_4")),
    ]
    return check_number(
        answer, steps[k], kind="index",
        mistakes=[m for m in mistakes if m.answer != steps[k]],
        praise=_t("lesson11.best_step.praise", step=steps[k], test=test_loss[k],
                  last_train=train_loss[-1], last_test=test_loss[-1]),
        otherwise=_t("lesson11.best_step.otherwise"))


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
            Mistake(h.test_acc[-1], _t("lesson11.linear_accuracy.hint_1")),
            Mistake(100 * acc, _t("lesson11.linear_accuracy.hint_2")),
            Mistake(1 - acc, _t("lesson11.linear_accuracy.hint_3")),
            Mistake(h.train_loss[-1], _t("lesson11.linear_accuracy.hint_4")),
            Mistake(deep, _t("lesson11.linear_accuracy.hint_5")),
        ],
        praise=_t("lesson11.linear_accuracy.praise", acc=acc, deep=deep),
        otherwise=_t("lesson11.linear_accuracy.otherwise"))
