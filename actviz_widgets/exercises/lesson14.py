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
        Mistake(int(np.argmin(column)), "that is the class that excites this neuron least. "
                                        "Take the largest mean: argmax."),
        Mistake(int(np.argmax([hidden[y == c, neuron].max() for c in range(n_classes)])),
                "that is the class of the single digit that excites it most. The question "
                "asks about the mean over each class's digits."),
        Mistake(round(float(column[best]), 2), "that is the largest mean activation. The "
                                               "question asks for the class that has it."),
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
        praise=f"Neuron {NEURON} answers the {best}s: their mean activation is "
               f"{column[best]:.2f}, {column[best] / np.sort(column)[-2]:.1f} times that of "
               "the next class. Its incoming weights, drawn as an 8×8 image, show which "
               "pixels push it up.",
        otherwise=f"take the mean of hidden[y == c] over its rows for each class c, then "
                  f"column {NEURON} of those means: give the class where it is largest.")


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
            Mistake(right, "that is the number of digits it gets right (the diagonal of the "
                           "confusion matrix). Count the others."),
            Mistake(right / n, "that is the accuracy, a fraction. The question asks for a "
                               "count of wrong digits."),
            Mistake(wrong / n, "that is the error rate, a fraction. Give the count."),
            Mistake(n, "that is the number of test digits."),
        ],
        praise=f"{wrong} of {n}: the off-diagonal entries of the confusion matrix add up to "
               f"it. Test accuracy {right / n:.1%}.",
        otherwise="add up the confusion matrix off its diagonal, or count where the "
                  "predicted class differs from the label.")


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
        Mistake(int(np.argmax(delta)), "that is the largest δ with its sign. The question "
                                       "asks for the largest size, |δ|: a large negative δ "
                                       "counts too."),
        Mistake(int(np.argmax(trace.a[1][0])), "that is the neuron with the largest "
                                               "activation a. The question asks about its "
                                               "gradient δ = ∂L/∂z."),
        Mistake(int(np.argmin(np.abs(delta))), "that is the smallest |δ|."),
        Mistake(int(label[0]), "that is the digit's class. The question asks for a hidden "
                               "neuron."),
    ]
    return check_number(
        answer, best, kind="index",
        mistakes=[m for m in mistakes if m.answer != best],
        praise=f"Neuron {best}: a small change of its z changes this digit's loss the most "
               f"(δ = {delta[best]:+.3f}); to lower the loss, its z should go "
               f"{'up' if delta[best] < 0 else 'down'}. δ is a local sensitivity, a "
               "slope: it says nothing about what a large change would do, nor about other "
               "digits.",
        otherwise=f"take test digit {SAMPLE} of ex.sorted_test(), run net.loss_and_gradients "
                  "on it, and give the index of the largest np.abs of the hidden layer's "
                  "delta, grads.delta[1][0].")
