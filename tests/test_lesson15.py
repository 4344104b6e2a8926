"""Tests of lesson 15's checkers (actviz_widgets.exercises.lesson15).

The right answers are computed here independently: the hidden activations
and outputs by a hand-written forward pass from the run's weights, class
means and the confusion matrix by loops, the silent neurons from the
engine's timeline read directly.  Every checker accepts the right answer
and gives each typical wrong one its hint.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from actviz_widgets.engine.mnist import MNIST_RECIPE, load_mnist
from actviz_widgets.exercises import _check
from actviz_widgets.exercises import lesson15 as ex


def run_checker(capsys, checker, answer):
    result = checker(answer)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return result, out.strip()


def right(capsys, checker, answer):
    ok, text = run_checker(capsys, checker, answer)
    assert ok is True and text.startswith(_check.CORRECT), text
    return text


def wrong(capsys, checker, answer, hint):
    ok, text = run_checker(capsys, checker, answer)
    assert ok is False and text.startswith(_check.WRONG), text
    assert hint in text, text


@pytest.fixture(scope="module")
def ref():
    ds = load_mnist()
    run = ex.run()
    (W0, W1), (b0, b1) = run.net.weights, run.net.biases
    order = np.argsort(ds.y_test, kind="stable")
    X, y = ds.X_test[order], ds.y_test[order]
    hidden = np.maximum(X @ W0 + b0, 0.0)
    predicted = (hidden @ W1 + b1).argmax(axis=1)
    cm = np.zeros((10, 10), dtype=int)
    for t, p in zip(y, predicted):
        cm[t, p] += 1
    means = np.array([hidden[y == c].mean(axis=0) for c in range(10)])
    return dict(run=run, X=X, y=y, hidden=hidden, cm=cm, means=means, ds=ds)


def test_the_lessons_run_is_the_recipe_and_reaches_95_percent(ref):
    run = ref["run"]
    assert ex.run() is run  # trained once, kept
    assert run.net.sizes == [784, 128, 10] and run.net.activation_names == ["relu", "linear"]
    assert run.trainer.epoch == MNIST_RECIPE["epochs"] and run.trainer.seed == 0
    assert run.test_accuracy >= 0.95
    assert np.trace(ref["cm"]) / 2000 == run.test_accuracy
    net = ex.network()
    assert net is not run.net
    net.weights[0][:] = 0.0  # a learner's change to the copy changes nothing else
    np.testing.assert_array_equal(ex.network().weights[0], run.net.weights[0])
    X, y = ex.sorted_test()
    np.testing.assert_array_equal(X, ref["X"])
    np.testing.assert_array_equal(y, ref["y"])


def test_preferred_class(capsys, ref):
    column = ref["means"][:, ex.NEURON]
    best = int(np.argmax(column))
    assert best == 0 and column[best] > 3 * np.sort(column)[-2]  # what the lesson says
    right(capsys, ex.check_preferred_class, best)
    right(capsys, ex.check_preferred_class, np.int64(best))
    wrong(capsys, ex.check_preferred_class, int(np.argmin(column)), "excites this neuron least")
    wrong(capsys, ex.check_preferred_class, round(float(column[best]), 2),
          "largest mean activation")
    single = int(np.argmax([ref["hidden"][ref["y"] == c, ex.NEURON].max() for c in range(10)]))
    if single != best:
        wrong(capsys, ex.check_preferred_class, single, "single digit")


def test_silent_neurons(capsys, ref):
    tl = ref["run"].timeline
    last = tl.gradient[:, -1]
    count = sum(1 for j in range(tl.n_hidden) if last[j] == 0.0)
    # silent on the probe batch ⟺ a = 0 for each of its digits (ReLU: z ≤ 0)
    probe = ref["ds"].X_test[:500]
    (W0,), (b0,) = ref["run"].net.weights[:1], ref["run"].net.biases[:1]
    assert count == int(np.all(probe @ W0 + b0 <= 0, axis=0).sum())
    text = right(capsys, ex.check_silent_neurons, count)
    assert f"{count} of 128" in text
    wrong(capsys, ex.check_silent_neurons, int((tl.gradient == 0).any(axis=1).sum()),
          "came back")
    wrong(capsys, ex.check_silent_neurons, 128 - count, "still receiving")
    wrong(capsys, ex.check_silent_neurons, count / 128, "fraction")
    dead_test = int(np.all(ref["hidden"] <= 0, axis=0).sum())
    assert dead_test != count
    wrong(capsys, ex.check_silent_neurons, dead_test, "2,000 test digits")


def test_silent_from_finds_the_last_silent_stretch():
    gradient = np.array([[1.0, 0.0, 0.0, 0.0],    # silent from step 10
                         [1.0, 0.0, 1.0, 0.0],    # silent again from step 30
                         [1.0, 1.0, 1.0, 1.0],    # alive
                         [0.0, 0.0, 0.0, 0.0]])   # silent from the start
    assert ex.silent_from(gradient, np.array([0, 10, 20, 30])) == {0: 10, 1: 30, 3: 0}


def test_digit_accuracy(capsys, ref):
    cm, d = ref["cm"], ex.DIGIT
    recall = cm[d, d] / cm[d].sum()
    text = right(capsys, ex.check_digit_accuracy, recall)
    assert f"{cm[d, d]} of the {cm[d].sum()}" in text
    right(capsys, ex.check_digit_accuracy, round(recall, 3))
    wrong(capsys, ex.check_digit_accuracy, cm[d, d] / cm[:, d].sum(), "CALLED")
    wrong(capsys, ex.check_digit_accuracy, np.trace(cm) / cm.sum(), "all ten classes")
    wrong(capsys, ex.check_digit_accuracy, 1 - recall, "gets wrong")
    wrong(capsys, ex.check_digit_accuracy, 100 * recall, "percentage")
    wrong(capsys, ex.check_digit_accuracy, int(cm[d, d]), "count")


CHECKERS = [fn for name, fn in inspect.getmembers(ex, inspect.isfunction)
            if name.startswith("check_") and fn.__module__ == ex.__name__]


def test_at_least_two_checkers():
    assert len(CHECKERS) >= 2


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda f: f.__name__)
def test_placeholders_and_nonsense_get_a_message(capsys, checker):
    ok, text = run_checker(capsys, checker, ...)
    assert ok is False and text.startswith(_check.UNANSWERED) and "Start from here: " in text
    for answer in ("42", -1234.5):
        ok, text = run_checker(capsys, checker, answer)
        assert ok is False and text.startswith(_check.WRONG) and len(text) > len(_check.WRONG)
