"""Tests of lesson 6's checkers (actviz_widgets.exercises.lesson06): softmax and cross-entropy.

Right answers are computed here by hand with ``math`` (softmax, −ln ŷ_y,
ŷ − onehot(y), the log-sum-exp written out), independently of the engine;
the lesson's network is checked against a softmax cross-entropy pass written
in this file and against finite differences.  Each checker must accept the
right answer and reject each common mistake it covers with the hint for that
mistake, as in tests/test_exercises.py.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from actviz_widgets.engine.gradcheck import numeric_gradient
from actviz_widgets.exercises import _check, lesson06
from checking import assert_right, assert_wrong, run  # noqa: F401 (shared helpers)


# --- independent reference values, by hand ------------------------------------------------

def softmax_by_hand(z) -> list[float]:
    exps = [math.exp(v) for v in z]
    total = sum(exps)
    return [v / total for v in exps]


Z = [0.5, 2.0, -1.0, 1.0]
LABEL = 2
P = softmax_by_hand(Z)
LOSS = -math.log(P[LABEL])
GRAD = [p - (1.0 if k == LABEL else 0.0) for k, p in enumerate(P)]
# ln(e^1000 + e^1001 + e^1002) = 1002 + ln(e^-2 + e^-1 + 1)
LSE_BIG = 1002.0 + math.log(math.exp(-2.0) + math.exp(-1.0) + 1.0)
# (-400, 0, 400), label 0: lse = 400 + ln(1 + e^-400 + e^-800) = 400 to float precision
FAR_LOSS = 400.0 + math.log1p(math.exp(-400.0)) + 400.0


def test_data_are_what_the_notebook_states():
    assert lesson06.EXAMPLE_Z == (2.0, 1.0, 0.1)
    assert list(lesson06.Z) == Z and lesson06.LABEL == LABEL
    assert lesson06.Z_BIG == (1000.0, 1001.0, 1002.0)
    assert lesson06.Z_FAR == (-400.0, 0.0, 400.0) and lesson06.FAR_LABEL == 0
    # the label is not the most probable class, so "used the predicted class" is a mistake
    assert int(np.argmax(P)) != LABEL
    net = lesson06.network()
    assert net.sizes == [2, 3, 3] and net.activation_names == ["tanh", "linear"]
    assert net.loss.name == "cross_entropy"
    assert lesson06.network() is not net, "a fresh copy each call"


def test_numbers_stated_in_the_lesson():
    # the worked example: ŷ = (0.659, 0.242, 0.0986), losses for y = 0 and y = 2
    p = softmax_by_hand(lesson06.EXAMPLE_Z)
    assert [round(v, 4) for v in p] == [0.659, 0.2424, 0.0986]
    assert round(-math.log(p[0]), 3) == 0.417 and round(-math.log(p[2]), 2) == 2.32
    # × 3 sharpens to 0.950; + 10 changes nothing
    assert round(softmax_by_hand([3 * v for v in lesson06.EXAMPLE_Z])[0], 3) == 0.950
    assert np.allclose(softmax_by_hand([v + 10 for v in lesson06.EXAMPLE_Z]), p)


def test_softmax(capsys):
    z = np.array(Z)
    p = np.array(P)
    assert_right(capsys, lesson06.check_softmax, P)
    assert_right(capsys, lesson06.check_softmax, [round(v, 4) for v in P])
    assert_wrong(capsys, lesson06.check_softmax, np.exp(z), "Divide each by their sum")
    assert_wrong(capsys, lesson06.check_softmax, z / z.sum(), "Exponentiate first")
    assert_wrong(capsys, lesson06.check_softmax, softmax_by_hand(P), "applied twice")
    assert_wrong(capsys, lesson06.check_softmax, 1 / (1 + np.exp(-z)), "sigmoid")
    assert_wrong(capsys, lesson06.check_softmax, np.exp(z - z.max()), "did not divide")
    assert_wrong(capsys, lesson06.check_softmax, p[:3], "expected shape (4,)")
    assert_wrong(capsys, lesson06.check_softmax, p[::-1], "4 of 4 numbers are off")


def test_loss(capsys):
    assert_right(capsys, lesson06.check_loss, LOSS)
    assert_right(capsys, lesson06.check_loss, round(LOSS, 3))
    assert_wrong(capsys, lesson06.check_loss, -math.log(P[1]), "class 1, the class with the "
                                                               "largest probability")
    assert_wrong(capsys, lesson06.check_loss, -math.log(P[3]), "the label counts from 0")
    assert_wrong(capsys, lesson06.check_loss, math.log(P[LABEL]), "the sign")
    assert_wrong(capsys, lesson06.check_loss, -math.log10(P[LABEL]), "log base 10")
    assert_wrong(capsys, lesson06.check_loss, 1 - P[LABEL], "1 − ŷ_y")
    assert_wrong(capsys, lesson06.check_loss, -math.log(softmax_by_hand(P)[LABEL]),
                 "softmax applied twice")
    bce = -sum(math.log(p) if k == LABEL else math.log(1 - p) for k, p in enumerate(P))
    assert_wrong(capsys, lesson06.check_loss, bce, "binary cross-entropy")
    assert_wrong(capsys, lesson06.check_loss, -sum(math.log(p) for p in P), "every class")
    assert_wrong(capsys, lesson06.check_loss, 0.98 * LOSS, "close, but not within rounding")


def test_gradient(capsys):
    p = np.array(P)
    onehot = np.eye(4)
    assert_right(capsys, lesson06.check_gradient, GRAD)
    assert_wrong(capsys, lesson06.check_gradient, p, "that is ŷ alone")
    assert_wrong(capsys, lesson06.check_gradient, p - onehot[1], "the predicted class")
    assert_wrong(capsys, lesson06.check_gradient, p - onehot[3], "the label counts from 0")
    assert_wrong(capsys, lesson06.check_gradient, onehot[LABEL] - p, "sign is flipped")
    assert_wrong(capsys, lesson06.check_gradient,
                 np.array(softmax_by_hand(P)) - onehot[LABEL], "softmax applied twice")
    assert_wrong(capsys, lesson06.check_gradient, p - 1, "from every class")
    diagonal = np.zeros(4)
    diagonal[LABEL] = P[LABEL] - 1
    assert_wrong(capsys, lesson06.check_gradient, diagonal, "only the diagonal")
    assert_wrong(capsys, lesson06.check_gradient, -onehot[LABEL] / P[LABEL], "that is ∂L/∂ŷ")


def test_gradient_is_the_finite_difference_of_the_loss():
    """ŷ − onehot(y), the checker's answer, is the slope of −ln softmax(z)_y."""
    eps = 1e-6
    for k in range(4):
        up, down = list(Z), list(Z)
        up[k] += eps
        down[k] -= eps
        slope = (-math.log(softmax_by_hand(up)[LABEL])
                 + math.log(softmax_by_hand(down)[LABEL])) / (2 * eps)
        assert slope == pytest.approx(GRAD[k], abs=1e-8)


def test_logsumexp(capsys):
    assert_right(capsys, lesson06.check_logsumexp, LSE_BIG)
    assert_right(capsys, lesson06.check_logsumexp, np.float64(LSE_BIG))
    assert_wrong(capsys, lesson06.check_logsumexp, math.inf, "e^1000 overflows")
    assert_wrong(capsys, lesson06.check_logsumexp, np.array([np.nan]), "e^1000 overflows")
    assert_wrong(capsys, lesson06.check_logsumexp, LSE_BIG - 1002.0, "add m back")
    assert_wrong(capsys, lesson06.check_logsumexp, 1002.0, "lower bound")
    assert_wrong(capsys, lesson06.check_logsumexp,
                 1002.0 + math.log10(math.exp(-2.0) + math.exp(-1.0) + 1.0), "log base 10")
    assert_wrong(capsys, lesson06.check_logsumexp, math.log(3003.0), "you summed z")
    assert_wrong(capsys, lesson06.check_logsumexp, 1002.0 - (LSE_BIG - 1002.0), "sign")
    # 1002.4 is "close" in relative terms but wrong: the tolerance is tight here
    ok, text = run(capsys, lesson06.check_logsumexp, 1002.4)
    assert ok is False and text.startswith(_check.WRONG)


def test_stable_loss(capsys):
    assert FAR_LOSS == 800.0
    assert_right(capsys, lesson06.check_stable_loss, FAR_LOSS)
    assert_wrong(capsys, lesson06.check_stable_loss, math.inf, "ln 0 = −inf")
    assert_wrong(capsys, lesson06.check_stable_loss, 0.0, "class 2, the most probable")
    assert_wrong(capsys, lesson06.check_stable_loss, 400.0, "the label counts from 0")
    assert_wrong(capsys, lesson06.check_stable_loss, -800.0, "the sign")
    assert_wrong(capsys, lesson06.check_stable_loss, 400.0 + 1e-9, "the label counts from 0")


def test_the_naive_computations_give_what_the_hints_describe():
    """The overflow and ln 0 the hints name really happen in float64."""
    with np.errstate(all="ignore"):
        big = np.exp(np.array(lesson06.Z_BIG))
        assert np.all(np.isinf(big)) and np.isinf(np.log(big.sum()))
        far = np.array(lesson06.Z_FAR)
        p = np.exp(far - far.max())
        p /= p.sum()
        assert p[lesson06.FAR_LABEL] == 0.0 and np.isinf(-np.log(p[lesson06.FAR_LABEL]))


CHECKERS = [(name, fn) for name, fn in inspect.getmembers(lesson06, inspect.isfunction)
            if name.startswith("check_") and fn.__module__ == lesson06.__name__]


def test_the_lesson_has_its_five_checkers():
    assert sorted(name for name, _ in CHECKERS) == [
        "check_gradient", "check_logsumexp", "check_loss", "check_softmax",
        "check_stable_loss"]


@pytest.mark.parametrize("name, checker", CHECKERS, ids=[n for n, _ in CHECKERS])
def test_every_checker_rejects_placeholders_and_nonsense_with_a_message(capsys, name, checker):
    ok, text = run(capsys, checker, ...)
    assert ok is False and text.startswith(_check.UNANSWERED) and "Start from here: " in text
    assert len(text.split("Start from here: ", 1)[1]) > 10, "a first hint, not just 'try'"
    for answer in ("42", -1234.5, [1.0, 2.0]):
        ok, text = run(capsys, checker, answer)
        assert ok is False and text.startswith(_check.WRONG) and len(text) > len(_check.WRONG)


@pytest.mark.parametrize("name, checker", CHECKERS, ids=[n for n, _ in CHECKERS])
def test_grading_mode_raises_with_the_hint(capsys, name, checker):
    with lesson06.grading():
        with pytest.raises(AssertionError, match="Not quite"):
            checker(-1234.5)
    capsys.readouterr()


# --- the lesson's network: the engine's output δ -----------------------------------------

def test_network_output_delta_is_softmax_minus_onehot_over_n():
    net = lesson06.network()
    X, Y = np.array(lesson06.X_BATCH), np.array(lesson06.Y_BATCH)
    W, B = net.get_params()
    hidden = np.tanh(X @ W[0] + B[0])
    logits = hidden @ W[1] + B[1]
    probs = np.array([softmax_by_hand(row) for row in logits])
    onehot = np.eye(3)[Y]
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    np.testing.assert_allclose(grads.delta[2], (probs - onehot) / len(Y), atol=1e-12)
    expected_loss = -np.mean(np.log(probs[np.arange(len(Y)), Y]))
    assert grads.loss == pytest.approx(expected_loss, rel=1e-12)


def test_network_output_delta_matches_finite_differences_of_the_output_bias():
    net = lesson06.network()
    X, Y = np.array(lesson06.X), np.array(lesson06.Y)
    delta = net.backward(net.forward(X), Y).delta[2][0]
    numeric = [numeric_gradient(net, X, Y, layer=1, i=k, param="bias") for k in range(3)]
    np.testing.assert_allclose(delta, numeric, rtol=1e-7, atol=1e-10)
    # the stepper's numbers quoted in the lesson: δ² and L for the one sample
    np.testing.assert_allclose(np.round(delta, 3), [0.299, 0.324, -0.623])
    assert round(net.loss_value(X, Y), 3) == 0.975


def test_stepper_numbers_of_the_try_this_list():
    """Label 0 moves the −1 to class 0; one step of lr 0.1 (by hand) lowers L to 0.803."""
    net = lesson06.network()
    X, label = np.array(lesson06.X), lesson06.Y[0]
    W, B = net.get_params()
    hidden = np.tanh(X @ W[0] + B[0])
    probs = np.array(softmax_by_hand((hidden @ W[1] + B[1])[0]))
    np.testing.assert_allclose(np.round(probs - np.eye(3)[0], 3), [-0.701, 0.324, 0.377])
    delta2 = (probs - np.eye(3)[label])[None, :]
    delta1 = (delta2 @ W[1].T) * (1 - hidden ** 2)
    W_new = [W[0] - 0.1 * X.T @ delta1, W[1] - 0.1 * hidden.T @ delta2]
    B_new = [B[0] - 0.1 * delta1[0], B[1] - 0.1 * delta2[0]]
    hidden = np.tanh(X @ W_new[0] + B_new[0])
    new_loss = -math.log(softmax_by_hand((hidden @ W_new[1] + B_new[1])[0])[label])
    assert round(new_loss, 3) == 0.803
