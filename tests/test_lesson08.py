"""Lesson 8's checkers: every right answer passes, typical wrong answers get their hint.

The right answers are computed here independently: the steps with ``math``,
the gradient noise from per-sample gradients of a hand-written backward pass
(lesson 7's network at its initial weights), the scaled learning rate and
the warm-up + cosine learning rate from their formulas.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from test_comparison import ref_grads

from actviz_widgets.exercises import _check, lesson08
from checking import assert_right, assert_wrong, run  # noqa: F401 (shared helpers)


CHECKERS = [name for name, fn in inspect.getmembers(lesson08, inspect.isfunction)
            if name.startswith("check_") and fn.__module__ == lesson08.__name__]


def test_the_lesson_uses_lesson_7s_network_and_data():
    net, data = lesson08.network(), lesson08.data()
    assert net.sizes == [2, 4, 4, 1] and net.activation_names == ["tanh", "tanh", "sigmoid"]
    assert data.n_train == lesson08.EPOCHS["n_train"] == 100
    assert net.loss_value(data.X_train, data.y_train) == pytest.approx(0.708, abs=5e-4)


@pytest.mark.parametrize("name", CHECKERS)
def test_placeholders_and_nonsense_get_a_message(capsys, name):
    checker = getattr(lesson08, name)
    ok, text = run(capsys, checker, ...)
    assert ok is False and text.startswith(_check.UNANSWERED) and "Start from here: " in text
    ok, text = run(capsys, checker, "0.5")
    assert ok is False and text.startswith(_check.WRONG) and "text" in text
    with _check.grading(), pytest.raises(AssertionError):
        checker(...)
    capsys.readouterr()


def test_total_steps(capsys):
    assert len(CHECKERS) >= 2
    e = lesson08.EPOCHS
    right = -(-e["n_train"] // e["batch_size"]) * e["epochs"]
    assert right == 260
    assert_right(capsys, lesson08.check_total_steps, right)
    assert_wrong(capsys, lesson08.check_total_steps, 250.0, "fraction of a step")
    assert_wrong(capsys, lesson08.check_total_steps, 240, "smaller one")
    assert_wrong(capsys, lesson08.check_total_steps, 13, "one epoch")
    assert_wrong(capsys, lesson08.check_total_steps, 2000, "samples seen")
    assert_wrong(capsys, lesson08.check_total_steps, 20, "number of epochs")
    assert_wrong(capsys, lesson08.check_total_steps, 261, "ceil(N / B)")


def _noise_by_hand():
    net, data = lesson08.network(), lesson08.data()
    X, y = data.X_train, data.y_train
    W, b = net.get_params()
    rows = []
    for i in range(len(X)):
        dW, db = ref_grads(W, b, X[i:i + 1], y[i:i + 1])
        rows.append(np.concatenate([d.ravel() for d in dW] + [d.ravel() for d in db]))
    rows = np.array(rows)
    g = rows.mean(axis=0)
    S = float(np.mean(np.sum((rows - g) ** 2, axis=1)))
    B, N = lesson08.NOISE["batch_size"], len(X)
    return (N - B) / (N - 1) * S / B, S, B, N


def test_noise(capsys):
    right, S, B, N = _noise_by_hand()
    assert S == pytest.approx(0.6797, abs=1e-4)  # the number the lesson prints
    assert_right(capsys, lesson08.check_noise, right)
    assert_right(capsys, lesson08.check_noise, round(right, 4))
    assert_wrong(capsys, lesson08.check_noise, S / B, "different samples")
    assert_wrong(capsys, lesson08.check_noise, S, "divide by B")
    assert_wrong(capsys, lesson08.check_noise, S / math.sqrt(B) * (N - B) / (N - 1), "1/√B")
    assert_wrong(capsys, lesson08.check_noise, math.sqrt(right), "square root")


def test_scaled_lr(capsys):
    s = lesson08.SCALING
    assert_right(capsys, lesson08.check_scaled_lr, 0.3 * 8 / 32)
    assert_right(capsys, lesson08.check_scaled_lr, 0.075)
    assert_wrong(capsys, lesson08.check_scaled_lr, 1.2, "upside down")
    assert_wrong(capsys, lesson08.check_scaled_lr, s["lr"], "changes the learning rate")
    assert_wrong(capsys, lesson08.check_scaled_lr, 0.15, "square-root rule")


def test_schedule_lr(capsys):
    c = lesson08.SCHEDULE
    T, W, t, lr = c["total_steps"], c["warmup_steps"], c["t"], c["lr"]
    right = lr * 0.5 * (1 + math.cos(math.pi * (t - W) / (T - W)))
    assert right == pytest.approx(0.2265, abs=1e-4)
    assert_right(capsys, lesson08.check_schedule_lr, right)
    assert_wrong(capsys, lesson08.check_schedule_lr,
                 lr * 0.5 * (1 + math.cos(math.pi * t / T)), "t − W over T − W")
    assert_wrong(capsys, lesson08.check_schedule_lr,
                 lr * 0.5 * (1 + math.cos(math.pi * (t - W) / T)), "not over all T")
    assert_wrong(capsys, lesson08.check_schedule_lr, lr * t / W, "warm-up is over")
    assert_wrong(capsys, lesson08.check_schedule_lr, lr, "the peak")
