"""Checkers for lesson 14, "Case study: a digits classifier".

The network is the case study's 64-32-10 classifier with ReLU hidden units,
trained with the engine's recipe
(:func:`~actviz_widgets.engine.case_study.train_digits`) on
:func:`~actviz_widgets.engine.datasets.load_digits`'s default split, as the
digits widget trains it with its defaults.  The exercises are about its 359
test digits.  The checkers train that network once (well under a second, then
it is kept) and compute the right answers from it with the engine.

The lesson computes its answers from :func:`network` and :func:`sorted_test`,
never from the widget: the widget retrains whenever the learner switches its
activation, and the exercises must stay right whatever the widget shows.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.case_study import class_means, confusion_matrix, sort_by_class, train_digits
from ..engine.datasets import Dataset, load_digits
from ..engine.network import MLP
from ..i18n import tr as _t
from ._check import Mistake, check_number, compare_guess, grading

__all__ = ["ACTIVATION", "NEURON", "SAMPLE", "data", "network", "sorted_test",
           "check_favourite_class",
           "check_n_wrong", "check_top_delta_neuron",
           "compare_guess", "grading"]

#: The hidden activation of the network the exercises are about.
ACTIVATION = "relu"
#: The hidden neuron of exercise 1 (0-based, 0..31).
NEURON = 10
#: The test digit of exercise 3: its position among the test digits sorted by class
#: (the digits widget's "test digit" slider).
SAMPLE = 290


def data() -> Dataset:
    """The case study's data: ``load_digits()`` (80/20 split, seed 0)."""
    return load_digits()


@functools.lru_cache(maxsize=1)
def _trained() -> tuple[list, list]:
    """The trained network's weights and biases (trained once per process)."""
    return train_digits(ACTIVATION, data(), seed=0).net.get_params()


def network() -> MLP:
    """A copy of the lesson's trained network: 64-32-10, ReLU, trained by
    :func:`~actviz_widgets.engine.case_study.train_digits` on :func:`data` (seed 0).

    It is the network the digits widget shows with its defaults (ReLU).  Each
    call returns a fresh copy, so changing it changes nothing else.
    """
    weights, biases = _trained()
    net = MLP([64, 32, 10], activation=ACTIVATION, loss="cross_entropy", seed=0)
    net.set_params([w.copy() for w in weights], [b.copy() for b in biases])
    return net


def sorted_test() -> tuple[np.ndarray, np.ndarray]:
    """The test digits and labels sorted by class, as the digits widget orders them.

    Returns
    -------
    X : numpy.ndarray
        Shape (359, 64): one test digit per row.
    y : numpy.ndarray
        Shape (359,): their classes, 0 first.
    """
    ds = data()
    order, _ = sort_by_class(ds.y_test, ds.n_classes)
    return ds.X_test[order], ds.y_test[order]


def preferred_class(hidden: np.ndarray, y: np.ndarray, neuron: int,
                    n_classes: int = 10) -> tuple[np.ndarray, int, list[Mistake]]:
    """Each class's mean activation of ``neuron``, the class where it is largest, and the
    usual wrong readings of it.

    Shared by the case studies' "which class does this neuron answer?" exercises
    (lessons 14 and 15): the least-exciting class, the class of the single most
    exciting digit, and the mean activation itself instead of its class.
    """
    column = class_means(hidden, y, n_classes)[:, neuron]
    best = int(np.argmax(column))
    mistakes = [
        Mistake(int(np.argmin(column)), _t("lesson14.preferred_class.hint_1")),
        Mistake(int(np.argmax([hidden[y == c, neuron].max() for c in range(n_classes)])),
                _t("lesson14.preferred_class.hint_2")),
        Mistake(round(float(column[best]), 2), _t("lesson14.preferred_class.hint_3")),
    ]
    return column, best, [m for m in mistakes if m.answer != best]


def check_favourite_class(answer: Any) -> bool:
    """Check which digit class gives hidden neuron :data:`NEURON` its largest mean
    activation over the test digits.

    Parameters
    ----------
    answer : int
        The learner's answer, a digit 0..9.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    X, y = sorted_test()
    column, best, mistakes = preferred_class(network().forward(X).a[1], y, NEURON)
    return check_number(
        answer, best, kind="index",
        mistakes=mistakes,
        praise=_t("lesson14.favourite_class.praise", neuron=NEURON, best=best,
                  mean=column[best], times=column[best] / np.sort(column)[-2]),
        otherwise=_t("lesson14.favourite_class.otherwise", neuron=NEURON))


def check_n_wrong(answer: Any) -> bool:
    """Check how many of the test digits the network gets wrong.

    Parameters
    ----------
    answer : int
        The learner's answer.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    X, y = sorted_test()
    predicted = network().predict(X).argmax(axis=1)
    cm = confusion_matrix(y, predicted, 10)
    n, right = len(y), int(np.trace(cm))
    wrong = n - right
    return check_number(
        answer, wrong, kind="count",
        mistakes=[
            Mistake(right, _t("lesson14.n_wrong.hint_1")),
            Mistake(right / n, _t("lesson14.n_wrong.hint_2")),
            Mistake(wrong / n, _t("lesson14.n_wrong.hint_3")),
            Mistake(n, _t("lesson14.n_wrong.hint_4")),
        ],
        praise=_t("lesson14.n_wrong.praise", wrong=wrong, n=n, accuracy=right / n),
        otherwise=_t("lesson14.n_wrong.otherwise"))


def check_top_delta_neuron(answer: Any) -> bool:
    """Check which hidden neuron has the largest |δ| = |∂L/∂z| for test digit :data:`SAMPLE`
    (sorted position) and its own loss.

    Parameters
    ----------
    answer : int
        The learner's answer, a neuron 0..31.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    X, y = sorted_test()
    x, label = X[SAMPLE:SAMPLE + 1], y[SAMPLE:SAMPLE + 1]
    net = network()
    trace, grads = net.loss_and_gradients(x, label)
    delta = grads.delta[1][0]
    best = int(np.argmax(np.abs(delta)))
    mistakes = [
        Mistake(int(np.argmax(delta)), _t("lesson14.top_delta_neuron.hint_1")),
        Mistake(int(np.argmax(trace.a[1][0])), _t("lesson14.top_delta_neuron.hint_2")),
        Mistake(int(np.argmin(np.abs(delta))), _t("lesson14.top_delta_neuron.hint_3")),
        Mistake(int(label[0]), _t("lesson14.top_delta_neuron.hint_4")),
    ]
    return check_number(
        answer, best, kind="index",
        mistakes=[m for m in mistakes if m.answer != best],
        praise=_t("lesson14.top_delta_neuron.praise_" + ("up" if delta[best] < 0 else "down"),
                  best=best, delta=delta[best]),
        otherwise=_t("lesson14.top_delta_neuron.otherwise", sample=SAMPLE))
