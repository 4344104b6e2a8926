"""Checkers for lesson 15, "The 784-128-10 digit classifier".

The network is the classifier of :func:`~actviz_widgets.engine.mnist.train_mnist_classifier`
with its defaults (the recipe :data:`~actviz_widgets.engine.mnist.MNIST_RECIPE`,
seed 0) on :func:`~actviz_widgets.engine.mnist.load_mnist`'s default split:
8,000 training and 2,000 test digits.  :func:`run` trains it once per
process (one BLAS thread, a few seconds) and keeps it; the lesson, its
widgets and these checkers all use that one run, so the lesson trains once.

The lesson computes its answers from :func:`run`, :func:`network` and
:func:`sorted_test`, never from a widget: a widget trains a new network when
the learner presses Train, and the exercises must stay right whatever it shows.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..engine.case_study import confusion_matrix, sort_by_class
from ..engine.datasets import Dataset
from ..engine.mnist import MnistRun, load_mnist, train_mnist_classifier
from ..engine.network import MLP
from ..i18n import tr as _t
from ..widgets.mnist import one_blas_thread
from ._check import Mistake, check_number, compare_guess, grading
from .lesson14 import preferred_class

__all__ = ["NEURON", "DIGIT", "data", "run", "network", "sorted_test", "silent_from",
           "check_preferred_class", "check_silent_neurons", "check_digit_accuracy",
           "compare_guess", "grading"]

#: The hidden neuron of exercise 1 (0..127): on page 1 of the weights picture.
NEURON = 48
#: The digit class of exercise 3.
DIGIT = 3


def data() -> Dataset:
    """The lesson's digits: ``load_mnist()`` (8,000 training, 2,000 test, seed 0)."""
    return load_mnist()


@functools.lru_cache(maxsize=1)
def _run() -> MnistRun:
    with one_blas_thread():
        return train_mnist_classifier(data(), seed=0)


@functools.lru_cache(maxsize=1)
def _params() -> tuple[list, list]:
    return _run().net.get_params()  # kept apart: a learner changing run().net changes nothing


def run() -> MnistRun:
    """The lesson's trained run (trained on the first call, then kept).

    Its ``net`` is the trained network, ``timeline`` the activation and
    gradient maps over training time, ``seconds`` how long it took, and
    ``test_accuracy`` its accuracy on the 2,000 test digits.  Read it; for a
    network to change, take :func:`network`.
    """
    return _run()


def network() -> MLP:
    """A fresh copy of the lesson's trained 784-128-10 network (ReLU hidden layer)."""
    weights, biases = _params()
    net = MLP([784, 128, 10], activation="relu", loss="cross_entropy", seed=0)
    net.set_params([w.copy() for w in weights], [b.copy() for b in biases])
    return net


def sorted_test() -> tuple[np.ndarray, np.ndarray]:
    """The 2,000 test digits and labels sorted by class (the widget's activity picture's order).

    Returns
    -------
    X : numpy.ndarray
        Shape (2000, 784).
    y : numpy.ndarray
        Shape (2000,): 0s first, 9s last.
    """
    ds = data()
    order, _ = sort_by_class(ds.y_test, ds.n_classes)
    return ds.X_test[order], ds.y_test[order]


def silent_from(gradient: np.ndarray, steps: np.ndarray) -> dict[int, int]:
    """For each neuron whose gradient is 0 at the last record: the step from which it stays 0.

    Parameters
    ----------
    gradient : numpy.ndarray
        ``(n_hidden, n_records)``: a timeline's gradient map.
    steps : numpy.ndarray
        ``(n_records,)``: its steps.

    Returns
    -------
    dict
        neuron -> the first recorded step of its last silent stretch.
    """
    zero = np.asarray(gradient) == 0
    found = {}
    for j in np.flatnonzero(zero[:, -1]):
        k = zero.shape[1] - 1
        while k > 0 and zero[j, k - 1]:
            k -= 1
        found[int(j)] = int(steps[k])
    return found


def check_preferred_class(answer: Any) -> bool:
    """Check which digit class gives hidden neuron :data:`NEURON` its largest mean activation.

    Parameters
    ----------
    answer : int
        A digit 0..9.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    X, y = sorted_test()
    column, best, mistakes = preferred_class(network().forward(X).a[1], y, NEURON)
    return check_number(
        answer, best, kind="index", mistakes=mistakes,
        praise=_t("lesson15.preferred_class.praise", neuron=NEURON, best=best,
                  mean=column[best], times=column[best] / np.sort(column)[-2]),
        otherwise=_t("lesson15.preferred_class.otherwise", neuron=NEURON))


def check_silent_neurons(answer: Any) -> bool:
    """Check how many hidden neurons have a gradient of exactly 0 at the last record.

    Parameters
    ----------
    answer : int
        A count of neurons.

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    tl = _run().timeline
    zero = tl.gradient == 0
    count = int(zero[:, -1].sum())
    when = silent_from(tl.gradient, tl.steps)
    last = max(when.values(), default=0)
    first_epoch = int(tl.epochs[list(tl.steps).index(last)]) if when else 0
    ds = data()
    dead_test = int(np.all(network().forward(ds.X_test).a[1] <= 0, axis=0).sum())
    mistakes = [
        Mistake(int(zero[:, 0].sum()), _t("lesson15.silent_neurons.hint_1")),
        Mistake(int(zero.any(axis=1).sum()), _t("lesson15.silent_neurons.hint_2")),
        Mistake(int(zero.sum(axis=0).max()), _t("lesson15.silent_neurons.hint_3")),
        Mistake(tl.n_hidden - count, _t("lesson15.silent_neurons.hint_4")),
        Mistake(count / tl.n_hidden, _t("lesson15.silent_neurons.hint_5")),
        Mistake(dead_test, _t("lesson15.silent_neurons.hint_6")),
    ]
    return check_number(
        answer, count, kind="count", mistakes=[m for m in mistakes if m.answer != count],
        praise=_t("lesson15.silent_neurons.praise_first_epoch" if first_epoch == 0
                  else "lesson15.silent_neurons.praise", count=count, n_hidden=tl.n_hidden,
                  last=last, epoch=first_epoch),
        otherwise=_t("lesson15.silent_neurons.otherwise"))


def check_digit_accuracy(answer: Any) -> bool:
    """Check the fraction of the test digits of class :data:`DIGIT` that the network reads right.

    Parameters
    ----------
    answer : float
        A fraction in [0, 1].

    Returns
    -------
    bool
        Whether it is right; a verdict with a hint is printed either way.
    """
    X, y = sorted_test()
    predicted = network().predict(X).argmax(axis=1)
    cm = confusion_matrix(y, predicted, 10)
    right, row, column = cm[DIGIT, DIGIT], cm[DIGIT].sum(), cm[:, DIGIT].sum()
    recall = right / row
    rates = np.diag(cm) / cm.sum(axis=1)
    lowest = "_lowest" if np.argmin(rates) == DIGIT else ""
    wrong = [(int(cm[DIGIT, c]), c) for c in range(10) if c != DIGIT and cm[DIGIT, c]]
    others = _t("lesson15.digit_accuracy.separator").join(
        _t("lesson15.digit_accuracy.read_as", n=n, c=c)
        for n, c in sorted(wrong, key=lambda t: (-t[0], t[1])))
    mistakes = [
        Mistake(right / column, _t("lesson15.digit_accuracy.hint_1", digit=DIGIT)),
        Mistake(np.trace(cm) / cm.sum(), _t("lesson15.digit_accuracy.hint_2", digit=DIGIT)),
        Mistake(1 - recall, _t("lesson15.digit_accuracy.hint_3", digit=DIGIT)),
        Mistake(100 * recall, _t("lesson15.digit_accuracy.hint_4")),
        Mistake(right, _t("lesson15.digit_accuracy.hint_5", digit=DIGIT)),
    ]
    return check_number(
        answer, recall, mistakes=mistakes,
        praise=_t(f"lesson15.digit_accuracy.praise{lowest}", right=right, row=row,
                  digit=DIGIT, recall=recall, others=others),
        otherwise=_t("lesson15.digit_accuracy.otherwise", digit=DIGIT))
