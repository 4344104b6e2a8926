"""Tests of the lesson checkers (actviz_widgets.exercises).

Right answers are computed here independently of the engine: by hand with
``math`` for the single neuron and the activations, with a small reference
forward/backward pass for the lesson-3 network written in this file, and,
for lessons 7 to 9, with a small reference training loop (gradient descent
and Adam, written out below) started from the engine's initial weights.  Each checker must accept the right answer (print ✔, return True) and
reject each common mistake it covers with the hint for that mistake (print
✘, return False).
"""

from __future__ import annotations

import importlib
import inspect
import math
import re

import numpy as np
import pytest

from actviz_widgets.engine.case_study import train_digits
from actviz_widgets.engine.datasets import load_digits, make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets import exercises, i18n
from actviz_widgets.exercises import (
    _check,
    lesson00,
    lesson01,
    lesson02,
    lesson04,
    lesson05,
    lesson07,
    lesson09,
    lesson10,
    lesson11,
    lesson12,
    lesson14,
)
from checking import (  # noqa: F401 (shared helpers)
    assert_hint_in_both_languages,
    assert_right,
    assert_wrong,
    run,
)

#: Every lesson's checker module (the package lists them from its files).
LESSONS = tuple(importlib.import_module(f"actviz_widgets.exercises.{name}")
                for name in exercises.LESSONS)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- independent reference values ---------------------------------------------------------

# lesson 2's exercise neuron, by hand
N = {"x1": 1.5, "x2": -2.0, "w1": 0.8, "w2": 0.3, "b": -0.3, "y": 1.0, "lr": 0.5}
Z2 = N["w1"] * N["x1"] + N["w2"] * N["x2"] + N["b"]  # 0.3
A2 = 1 / (1 + math.exp(-Z2))
DL_DA2 = 2 * (A2 - N["y"])
DADZ2 = A2 * (1 - A2)
DL_DW1 = DL_DA2 * DADZ2 * N["x1"]
NEW_W1 = N["w1"] - N["lr"] * DL_DW1

# lesson 4's network, written out again here
W = [np.array([[0.5, -0.4, 0.9], [0.3, 0.8, -0.2]]),
     np.array([[0.7, -0.5], [-0.6, 0.4], [0.2, 0.9]]),
     np.array([[1.2], [-0.8]])]
B = [np.array([0.1, -0.1, 0.2]), np.array([0.05, -0.1]), np.array([0.3])]
X1 = np.array([[1.0, -0.5]])
Y1 = np.array([[1.0]])
XB = np.array([[1.0, -0.5], [0.0, 1.0], [-1.5, 0.5], [2.0, 2.0]])
YB = np.array([[1.0], [0.0], [0.0], [1.0]])


def forward(X, weights=W, biases=B):
    """a⁰..a³ and z¹..z³ (index 0 of zs unused)."""
    acts, zs = [X], [None]
    for l, (Wl, bl) in enumerate(zip(weights, biases)):
        z = acts[-1] @ Wl + bl
        zs.append(z)
        acts.append(np.tanh(z) if l < 2 else sig(z))
    return acts, zs


def bce(X, Y, weights=W):
    y_hat = forward(X, weights)[0][-1]
    return float(np.mean(-(Y * np.log(y_hat) + (1 - Y) * np.log(1 - y_hat))))


def backward(X, Y):
    """δ¹..δ³ and ∂L/∂W¹..³ of the mean bce loss, by the textbook rules."""
    acts, _ = forward(X)
    n = X.shape[0]
    deltas = {3: (acts[3] - Y) / n}
    for l in (2, 1):
        deltas[l] = (deltas[l + 1] @ W[l].T) * (1 - acts[l] ** 2)
    dW = [acts[l].T @ deltas[l + 1] for l in range(3)]
    return acts, deltas, dW


# --- the shared machinery -----------------------------------------------------------------

class TestCheckMachinery:
    def test_number_within_rounding_is_accepted_and_a_far_one_rejected(self, capsys):
        assert _check.check_number(0.105, 0.104994) is True
        assert _check.check_number(0.2, 0.104994, otherwise="try again.") is False
        assert capsys.readouterr().out.splitlines()[-1] == "✘ Not quite: try again."

    def test_close_but_too_rounded_gets_the_rounding_hint(self, capsys):
        assert_wrong(capsys, lambda a: _check.check_number(a, 0.0009765625), 0.001,
                     "3 significant digits")

    @pytest.mark.parametrize("answer", [..., None])
    def test_unanswered_gets_a_kind_first_hint_not_a_verdict(self, capsys, answer):
        checks = [
            lambda a: _check.check_number(a, 0.5, otherwise="put z = 0 into σ(z)."),
            lambda a: _check.check_array(a, np.zeros(2), otherwise="put z = 0 into σ(z)."),
            lambda a: _check.check_function(a, np.tanh, np.zeros(2),
                                            otherwise="put z = 0 into σ(z)."),
        ]
        for checker in checks:
            ok, text = run(capsys, checker, answer)
            assert ok is False
            assert text == (f"{_check.UNANSWERED} replace the ... with your answer and run "
                            "the cell again. Start from here: Put z = 0 into σ(z).")

    def test_a_function_whose_body_is_still_the_placeholder_is_unanswered(self, capsys):
        def f(z):
            return ...

        ok, text = run(capsys, lambda a: _check.check_function(a, np.tanh, np.zeros(3),
                                                               start="use np.tanh."), f)
        assert ok is False and text.startswith(_check.UNANSWERED) and "Use np.tanh." in text

    def test_grading_mode_raises_the_same_hint(self, capsys):
        with _check.grading():
            assert _check.is_grading()
            with pytest.raises(AssertionError) as wrong:
                _check.check_number(0.2, 0.5, otherwise="try again.")
            with pytest.raises(AssertionError) as empty:
                _check.check_number(..., 0.5, otherwise="try again.")
            assert _check.check_number(0.5, 0.5) is True  # a right answer does not raise
        assert not _check.is_grading()
        printed = capsys.readouterr().out.splitlines()
        assert str(wrong.value) == printed[0] == "✘ Not quite: try again."
        assert str(empty.value) == printed[1] and printed[1].startswith(_check.UNANSWERED)
        with pytest.raises(TypeError, match="True or False"):
            _check.grading("yes")

    def test_grading_mode_works_through_a_lesson_checker(self, capsys):
        lesson00.grading()
        try:
            with pytest.raises(AssertionError, match="slope at 0"):
                lesson00.check_sigmoid_at_zero(0.25)
        finally:
            lesson00.grading(False)
        assert lesson00.check_sigmoid_at_zero(0.25) is False
        capsys.readouterr()

    @pytest.mark.parametrize("kind, expected, answer", [
        ("count", 20, 20.5), ("count", 20, 21), ("index", 14, 14.4), ("index", 14, 15),
        ("choice", 3.0, 3.05), ("choice", 3.0, 2.9), ("choice", 3.0, 1.0),
    ])
    def test_no_near_miss_for_counts_indices_and_choices(self, capsys, kind, expected,
                                                        answer):
        choices = (0.1, 1.0, 3.0, 10.0) if kind == "choice" else None
        ok, text = run(capsys, lambda a: _check.check_number(
            a, expected, kind=kind, choices=choices, otherwise="try again."), answer)
        assert ok is False and text.startswith(_check.WRONG) and "close" not in text
        if kind == "choice" and answer != 1.0:
            assert "not one of the choices (0.1, 1, 3, 10)" in text
        # the same numbers as measured values do get the near-miss hint
        ok, text = run(capsys, lambda a: _check.check_number(a, expected), expected * 1.02)
        assert "close, but not within rounding" in text

    def test_a_measured_mistake_among_choices_is_matched_within_rounding(self, capsys):
        mistakes = [_check.Mistake(0.168123, "that is a loss.")]
        assert_wrong(capsys, lambda a: _check.check_number(
            a, 3.0, kind="choice", choices=(1.0, 3.0), mistakes=mistakes), 0.168, "a loss")

    def test_bad_kind_is_refused(self):
        with pytest.raises(ValueError, match="kind must be one of"):
            _check.check_number(1, 1, kind="fraction")
        with pytest.raises(ValueError, match="list of choices"):
            _check.check_number(1, 1, kind="choice")

    @pytest.mark.parametrize("guess, actual, start", [
        (..., ("up", "down"), "✎ No guess recorded"),
        (None, 2.99, "✎ No guess recorded"),
        (("Up", " down"), ("up", "down"), "✔ Your guess"),
        (("up", "up"), ("up", "down"), "◐ Your guess"),
        ("layer 10", "layer 1", "✘ Your guess was"),
        (3, 2.99, "✔ Your guess"),
        (10, 2.99, "✘ Your guess was"),
        (19, 19, "✔ Your guess"),
        (18, 19, "✘ Your guess was"),
        ("many", 5, "Your guess is 'many'"),
    ])
    def test_compare_guess(self, capsys, guess, actual, start):
        with _check.grading():  # predictions are never graded: no exception
            assert _check.compare_guess(guess, actual) is None
        out = capsys.readouterr().out
        assert out.startswith(start) and out.count("\n") == 1, out

    @pytest.mark.parametrize("answer, hint", [
        ("0.5", "without quotes"),
        (True, "yes/no"),
        ([0.5, 0.5], "single number"),
        (float("nan"), "not a finite number"),
        ({"a": 1}, "should be a number"),
    ])
    def test_unusable_numbers_get_a_message_not_an_exception(self, capsys, answer, hint):
        assert_wrong(capsys, lambda a: _check.check_number(a, 0.5), answer, hint)

    def test_numpy_scalars_and_one_element_arrays_are_numbers(self, capsys):
        for answer in (np.float64(0.5), np.array(0.5), np.array([[0.5]]), 1 / 2):
            assert_right(capsys, lambda a: _check.check_number(a, 0.5), answer)

    def test_whole_numbers_only_for_counts(self, capsys):
        check = lambda a: _check.check_number(a, 20, rtol=0, atol=0, whole=True)  # noqa: E731
        assert_right(capsys, check, 20)
        assert_right(capsys, check, np.int64(20))
        assert_wrong(capsys, check, 20.5, "whole number")
        assert_wrong(capsys, check, 21, "recompute")

    def test_array_shapes(self, capsys):
        expected = np.array([[1.0, 2.0, 3.0]])
        check = lambda a: _check.check_array(a, expected, shape_hint="one row.")  # noqa: E731
        assert_right(capsys, check, [1.0, 2.0, 3.0])  # a 1-D row is fine
        assert_wrong(capsys, check, expected.T, "transpose")
        assert_wrong(capsys, check, np.ones((2, 3)), "expected shape (1, 3). one row.")
        assert_wrong(capsys, check, [[1.0, 2.0, 4.0]], "1 of 3 numbers are off")
        assert_wrong(capsys, check, [[1.0, np.inf, 3.0]], "not finite")
        assert_wrong(capsys, check, "abc", "the text")

    def test_a_mistake_of_another_shape_is_recognised(self, capsys):
        expected = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        check = lambda a: _check.check_array(  # noqa: E731
            a, expected, mistakes=[_check.Mistake(expected.T, "the specific hint")])
        assert_wrong(capsys, check, expected.T, "the specific hint")

    def test_function_answers(self, capsys):
        z = np.linspace(-2, 2, 5)
        check = lambda f: _check.check_function(  # noqa: E731
            f, np.square, z, mistakes=[_check.Mistake(np.abs, "that is |z|")])
        assert_right(capsys, check, lambda v: v * v)
        assert_wrong(capsys, check, np.abs, "that is |z|")
        assert_wrong(capsys, check, lambda v: math.exp(v), "np.exp")
        assert_wrong(capsys, check, lambda v: 1.0, "one value per z")
        assert_wrong(capsys, check, 4.0, "the function itself")
        assert_wrong(capsys, check, lambda v: v + 1, "compare your formula")


# --- lesson 0 -----------------------------------------------------------------------------

def test_lesson00_sigmoid_at_zero(capsys):
    assert_right(capsys, lesson00.check_sigmoid_at_zero, 1 / (1 + math.exp(0)))
    assert_wrong(capsys, lesson00.check_sigmoid_at_zero, 0, "tanh and ReLU")
    assert_wrong(capsys, lesson00.check_sigmoid_at_zero, 1, "Divide once more")
    assert_wrong(capsys, lesson00.check_sigmoid_at_zero, 0.25, "its derivative")


def test_lesson00_tanh_reading(capsys):
    assert lesson00.READ_Z == 2.0
    assert_right(capsys, lesson00.check_tanh_reading, math.tanh(2.0))
    assert_right(capsys, lesson00.check_tanh_reading, 0.964)  # as the table shows it
    assert_wrong(capsys, lesson00.check_tanh_reading, math.tanh(1.0), "Move z to 2")
    assert_wrong(capsys, lesson00.check_tanh_reading, 1 - math.tanh(2.0) ** 2, "derivative")
    assert_wrong(capsys, lesson00.check_tanh_reading, 1 / (1 + math.exp(-2)), "sigmoid's row")
    assert_wrong(capsys, lesson00.check_tanh_reading, 2.0, "ReLU's row")


# --- lesson 1 -----------------------------------------------------------------------------

def test_lesson01_sigmoid_derivative(capsys):
    a = 1 / (1 + math.exp(-2.0))
    assert_right(capsys, lesson01.check_sigmoid_derivative, a * (1 - a))
    assert_right(capsys, lesson01.check_sigmoid_derivative, 0.105)
    assert_wrong(capsys, lesson01.check_sigmoid_derivative, a, "derivative f′(z)")
    # the source articles' bug: a(1 − a) applied to z
    assert_wrong(capsys, lesson01.check_sigmoid_derivative, 2 * (1 - 2), "not z")
    assert_wrong(capsys, lesson01.check_sigmoid_derivative, 1 - a * a, "rule for tanh")
    assert_wrong(capsys, lesson01.check_sigmoid_derivative, 0.25, "σ′(0)")


def test_lesson01_sigmoid_prime(capsys):
    def right(z):
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)

    assert_right(capsys, lesson01.check_sigmoid_prime, right)
    assert_wrong(capsys, lesson01.check_sigmoid_prime, sig, "returns σ(z) = f(z)")
    assert_wrong(capsys, lesson01.check_sigmoid_prime, lambda z: z * (1 - z),
                 "applies a(1 − a) to z")
    assert_wrong(capsys, lesson01.check_sigmoid_prime, lambda z: 1 - sig(z) ** 2, "tanh's rule")
    assert_wrong(capsys, lesson01.check_sigmoid_prime, lambda z: 1 - np.tanh(z) ** 2,
                 "tanh's derivative")
    assert_wrong(capsys, lesson01.check_sigmoid_prime,
                 lambda z: 1 / (1 + math.exp(-z)) * (1 - 1 / (1 + math.exp(-z))), "np.exp")
    assert_wrong(capsys, lesson01.check_sigmoid_prime, right(0.0), "the function itself")


def test_lesson01_chain_factor(capsys):
    assert lesson01.CHAIN_DEPTH == 5
    assert_right(capsys, lesson01.check_chain_factor, 0.25 ** 5)
    assert_wrong(capsys, lesson01.check_chain_factor, 0.5 ** 5, "multiplies derivatives")
    assert_wrong(capsys, lesson01.check_chain_factor, 5 * 0.25, "does not add")
    assert_wrong(capsys, lesson01.check_chain_factor, 0.25, "factor of one layer")
    assert_wrong(capsys, lesson01.check_chain_factor, 0.25 ** 4, "four factors")
    assert_wrong(capsys, lesson01.check_chain_factor, 1.0, "tanh gives 1")
    assert_wrong(capsys, lesson01.check_chain_factor, 0.001, "3 significant digits")


# --- lesson 2 -----------------------------------------------------------------------------

def test_lesson02_data_is_what_the_notebook_states():
    assert dict(lesson02.NEURON) == N
    s = lesson02.solution()
    assert s["z"] == pytest.approx(Z2) and s["a"] == pytest.approx(A2)
    assert s["dL_dw1"] == pytest.approx(DL_DW1) and s["new_w1"] == pytest.approx(NEW_W1)


def test_lesson02_weighted_sum(capsys):
    assert_right(capsys, lesson02.check_weighted_sum, Z2)
    assert_wrong(capsys, lesson02.check_weighted_sum, Z2 - N["b"], "forgot the bias")
    assert_wrong(capsys, lesson02.check_weighted_sum, A2, "before the activation")
    assert_wrong(capsys, lesson02.check_weighted_sum, 1.2 + 0.6 - 0.3, "sign of w₂x₂")


def test_lesson02_dL_da(capsys):
    assert_right(capsys, lesson02.check_dL_da, DL_DA2)
    assert_wrong(capsys, lesson02.check_dL_da, A2 - 1, "factor 2")
    assert_wrong(capsys, lesson02.check_dL_da, -DL_DA2, "sign is flipped")
    assert_wrong(capsys, lesson02.check_dL_da, DADZ2, "the activation function's derivative")
    assert_wrong(capsys, lesson02.check_dL_da, (A2 - 1) ** 2, "the loss L itself")


def test_lesson02_dL_dw1(capsys):
    assert_right(capsys, lesson02.check_dL_dw1, DL_DW1)
    assert_wrong(capsys, lesson02.check_dL_dw1, DL_DA2 * N["x1"], "left out f′(z)")
    assert_wrong(capsys, lesson02.check_dL_dw1, DL_DA2 * DADZ2, "Multiply by x₁")
    assert_wrong(capsys, lesson02.check_dL_dw1, DL_DA2 * A2 * N["x1"], "used f(z) = a")
    assert_wrong(capsys, lesson02.check_dL_dw1, DADZ2 * N["x1"], "left out ∂L/∂a")
    assert_wrong(capsys, lesson02.check_dL_dw1, -DL_DW1, "sign is flipped")
    assert_wrong(capsys, lesson02.check_dL_dw1, DL_DA2 * DADZ2 * N["x2"], "∂L/∂w₂")


def test_lesson02_new_w1(capsys):
    assert_right(capsys, lesson02.check_new_w1, NEW_W1)
    assert_wrong(capsys, lesson02.check_new_w1, N["w1"] + N["lr"] * DL_DW1, "sign error")
    assert_wrong(capsys, lesson02.check_new_w1, N["w1"] - DL_DW1, "forgot the learning rate")
    assert_wrong(capsys, lesson02.check_new_w1, -N["lr"] * DL_DW1, "change of w₁")
    assert_wrong(capsys, lesson02.check_new_w1, N["w1"] - N["lr"] * DL_DA2 * DADZ2,
                 "used δ")


# --- lesson 4 -----------------------------------------------------------------------------

def test_lesson03_network_is_the_stated_one():
    net = lesson04.network()
    for l in range(3):
        np.testing.assert_array_equal(net.weights[l], W[l])
        np.testing.assert_array_equal(net.biases[l], B[l])
    assert net.activation_names == ["tanh", "tanh", "sigmoid"] and net.loss.name == "bce"
    np.testing.assert_array_equal(lesson04.X, X1)
    np.testing.assert_array_equal(lesson04.X_BATCH, XB)


def test_lesson03_z1(capsys):
    z1 = X1 @ W[0] + B[0]
    np.testing.assert_allclose(z1, [[0.45, -0.9, 1.2]])  # by hand
    assert_right(capsys, lesson04.check_z1, z1)
    assert_right(capsys, lesson04.check_z1, [0.45, -0.9, 1.2])
    assert_wrong(capsys, lesson04.check_z1, X1 @ W[0], "forgot the biases")
    assert_wrong(capsys, lesson04.check_z1, np.tanh(z1), "after the activation")
    assert_wrong(capsys, lesson04.check_z1, W[0].T @ X1.T + B[0], "x as a column")
    assert_wrong(capsys, lesson04.check_z1, z1.T, "one row per sample")
    assert_wrong(capsys, lesson04.check_z1, np.ones((2, 3)), "expected shape (1, 3)")


def test_lesson03_batch_output(capsys):
    acts, zs = forward(XB)
    assert_right(capsys, lesson04.check_batch_output, acts[3])
    assert_right(capsys, lesson04.check_batch_output, acts[3][:, 0])
    assert_wrong(capsys, lesson04.check_batch_output, zs[3], "stopped at z³")
    assert_wrong(capsys, lesson04.check_batch_output, np.tanh(zs[3]), "not tanh")
    linear = XB
    for l in range(3):
        linear = linear @ W[l] + B[l]
    assert_wrong(capsys, lesson04.check_batch_output, sig(linear), "left out tanh")
    no_bias = forward(XB, biases=[np.zeros_like(b) for b in B])[0][3]
    assert_wrong(capsys, lesson04.check_batch_output, no_bias, "forgot the biases")
    assert_wrong(capsys, lesson04.check_batch_output, acts[3][:1], "only the first sample")
    assert_wrong(capsys, lesson04.check_batch_output, acts[3].T, "transpose")


def test_lesson03_n_params(capsys):
    assert_right(capsys, lesson04.check_n_params, 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1)
    assert_wrong(capsys, lesson04.check_n_params, 6 + 6 + 2, "weights only")
    assert_wrong(capsys, lesson04.check_n_params, 14 + 8, "no biases")
    assert_wrong(capsys, lesson04.check_n_params, 8, "that counts neurons")
    assert_wrong(capsys, lesson04.check_n_params, 20.5, "whole number")


# --- lesson 5 -----------------------------------------------------------------------------

def test_lesson04_delta1(capsys):
    acts, deltas, _ = backward(X1, Y1)
    dl_da1 = deltas[2] @ W[1].T
    z1 = X1 @ W[0] + B[0]
    assert_right(capsys, lesson05.check_delta1, deltas[1])
    assert_wrong(capsys, lesson05.check_delta1, dl_da1, "that is ∂L/∂a¹")
    assert_wrong(capsys, lesson05.check_delta1, dl_da1 * acts[1] * (1 - acts[1]),
                 "sigmoid's derivative")
    assert_wrong(capsys, lesson05.check_delta1, dl_da1 * acts[1], "a¹ = f(z¹)")
    assert_wrong(capsys, lesson05.check_delta1, dl_da1 * (1 - z1 ** 2), "not from z¹")
    assert_wrong(capsys, lesson05.check_delta1, -deltas[1], "sign is flipped")
    assert_wrong(capsys, lesson05.check_delta1, deltas[1].T, "transpose")


def test_lesson04_dW2(capsys):
    acts, deltas, dW = backward(X1, Y1)
    _, zs = forward(X1)
    assert_right(capsys, lesson05.check_dW2, dW[1])
    assert_wrong(capsys, lesson05.check_dW2, dW[1].T, "your array is the transpose")
    assert_wrong(capsys, lesson05.check_dW2, zs[1].T @ deltas[2], "you used z¹")
    assert_wrong(capsys, lesson05.check_dW2, acts[1].T @ deltas[3], "you used δ³")
    assert_wrong(capsys, lesson05.check_dW2, acts[2].T @ deltas[2], "you used a²")
    assert_wrong(capsys, lesson05.check_dW2, acts[1].T @ (deltas[3] @ W[2].T),
                 "∂L/∂a² where δ²")


def test_lesson04_numeric_gradient(capsys):
    layer, i, j = lesson05.CHECKED_WEIGHT
    eps = 1e-5
    plus = [w.copy() for w in W]
    minus = [w.copy() for w in W]
    plus[layer][i, j] += eps
    minus[layer][i, j] -= eps
    numeric = (bce(XB, YB, plus) - bce(XB, YB, minus)) / (2 * eps)
    exact = backward(XB, YB)[2][layer][i, j]
    assert numeric == pytest.approx(exact, rel=1e-6)
    assert_right(capsys, lesson05.check_numeric_gradient, numeric)
    assert_wrong(capsys, lesson05.check_numeric_gradient, 2 * numeric, "divide by 2ε")
    assert_wrong(capsys, lesson05.check_numeric_gradient, numeric / 2, "not 4ε")
    assert_wrong(capsys, lesson05.check_numeric_gradient, -numeric, "sign is flipped")


# --- every checker of every lesson --------------------------------------------------------

CHECKERS = [(lesson, name, fn) for lesson in LESSONS
            for name, fn in inspect.getmembers(lesson, inspect.isfunction)
            if name.startswith("check_") and fn.__module__ == lesson.__name__]


def test_every_lesson_module_has_at_least_two_checkers():
    for lesson in LESSONS:
        names = [name for les, name, _ in CHECKERS if les is lesson]
        assert len(names) >= 2, (lesson.__name__, names)


@pytest.mark.parametrize("lesson, name, checker", CHECKERS,
                         ids=[f"{les.__name__.rsplit('.', 1)[1]}.{n}" for les, n, _ in CHECKERS])
def test_every_checker_rejects_placeholders_and_nonsense_with_a_message(capsys, lesson, name,
                                                                        checker):
    ok, text = run(capsys, checker, ...)
    assert ok is False and text.startswith(_check.UNANSWERED) and "Start from here: " in text
    assert len(text.split("Start from here: ", 1)[1]) > 10, "a first hint, not just 'try'"
    for answer in ("42", -1234.5):
        ok, text = run(capsys, checker, answer)
        assert ok is False and text.startswith(_check.WRONG) and len(text) > len(_check.WRONG)


# --- lessons 7 to 10: a reference training loop -------------------------------------------

# hidden activation: (f(z), f'(z) from z and a = f(z))
ACT = {
    "tanh": (np.tanh, lambda z, a: 1.0 - a ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),
                   lambda z, a: np.where(z > 0, 1.0, 0.01)),
}


class RefNet:
    """A plain MLP: one hidden activation, a sigmoid output, the mean binary cross-entropy."""

    def __init__(self, params, act):
        weights, biases = params
        self.W = [np.array(w, dtype=float) for w in weights]
        self.b = [np.array(b, dtype=float) for b in biases]
        self.f, self.df = ACT[act]

    def forward(self, X):
        """(zs, acts): zs[l] is z of layer l + 1; acts[0] = X, acts[l] = a of layer l."""
        acts, zs = [np.asarray(X, dtype=float)], []
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = acts[-1] @ W + b
            zs.append(z)
            # the sigmoid as 0.5 (1 + tanh(z/2)): exact, and silent for huge |z|
            acts.append(0.5 * (1.0 + np.tanh(0.5 * z)) if l == len(self.W) - 1 else self.f(z))
        return zs, acts

    def loss(self, X, y):
        z = self.forward(X)[0][-1]
        return float(np.mean(np.logaddexp(0.0, z) - y * z))  # bce from the logit

    def accuracy(self, X, y):
        return float(np.mean((self.forward(X)[1][-1] > 0.5) == (y > 0.5)))

    def backward(self, X, y):
        """(dW, db, deltas) of the mean loss; deltas[l - 1] is δ of layer l."""
        zs, acts = self.forward(X)
        L = len(self.W)
        delta = (acts[-1] - y) / X.shape[0]
        deltas, dW, db = [delta], [None] * L, [None] * L
        for l in reversed(range(L)):
            dW[l], db[l] = acts[l].T @ delta, delta.sum(axis=0)
            if l:
                delta = (delta @ self.W[l].T) * self.df(zs[l - 1], acts[l])
                deltas.insert(0, delta)
        return dW, db, deltas


def ref_train(net, X, y, steps, lr, adam=False, l2=0.0, test=None):
    """Full-batch gradient descent or Adam (β = 0.9, 0.999, ε = 1e-8), L2 on the weights.

    Returns the (training loss, test loss) after every step when ``test`` is given.
    """
    params = net.W + net.b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(1, steps + 1):
        dW, db, _ = net.backward(X, y)
        grads = [g + l2 * W for g, W in zip(dW, net.W)] + db
        for p, g, mp, vp in zip(params, grads, m, v):
            if adam:
                mp[...] = 0.9 * mp + 0.1 * g
                vp[...] = 0.999 * vp + 0.001 * g * g
                p -= lr / (1 - 0.9 ** t) * mp / (np.sqrt(vp) / math.sqrt(1 - 0.999 ** t) + 1e-8)
            else:
                p -= lr * g
        if test is not None:
            losses.append((net.loss(X, y), net.loss(*test)))
    return losses


def same_params(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1]))


# --- lesson 7 -----------------------------------------------------------------------------

def xor_setup():
    ds = make_dataset("xor", n_samples=200, noise=0.1, test_fraction=0.5, seed=0)
    params = MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce",
                 seed=0).get_params()
    return ds, params


def test_lesson05_network_and_data_are_the_stated_ones():
    ds, params = xor_setup()
    assert same_params(lesson07.network().get_params(), params)
    np.testing.assert_array_equal(lesson07.data().X_train, ds.X_train)
    assert lesson07.network().activation_names == ["tanh", "tanh", "sigmoid"]


def test_lesson05_bowl(capsys):
    assert lesson07.BOWL == {"w0": 1.0, "lr": 0.9, "steps": 3}
    w = (1 - 2 * 0.9) ** 3  # each step multiplies w by 1 − 2·lr
    assert w == pytest.approx(-0.512)
    assert_right(capsys, lesson07.check_bowl, w)
    assert_wrong(capsys, lesson07.check_bowl, 0.512, "sign is wrong")
    assert_wrong(capsys, lesson07.check_bowl, (1 - 0.9) ** 3, "derivative of w² is 2w")
    assert_wrong(capsys, lesson07.check_bowl, 0.64, "after two steps")
    assert_wrong(capsys, lesson07.check_bowl, 0.8 ** 4, "after four steps")
    assert_wrong(capsys, lesson07.check_bowl, 1 - 3 * 0.9 * 2, "recompute it at each step")


def test_lesson05_best_learning_rate(capsys):
    ds, params = xor_setup()
    start = RefNet(params, "tanh").loss(ds.X_train, ds.y_train)
    final = {}
    for lr in lesson07.LEARNING_RATES:
        net = RefNet(params, "tanh")
        ref_train(net, ds.X_train, ds.y_train, lesson07.LR_STEPS, lr)
        final[lr] = net.loss(ds.X_train, ds.y_train)
    best = min(final, key=final.get)
    assert best == 3.0 and final[10.0] > start  # the lesson's story: 10 diverges
    assert_right(capsys, lesson07.check_best_learning_rate, best)
    assert_wrong(capsys, lesson07.check_best_learning_rate, 10.0,
                 f"the loss went up, from {start:.3f}")
    assert_wrong(capsys, lesson07.check_best_learning_rate, 0.1,
                 f"only fell to {final[0.1]:.3f}")
    assert_wrong(capsys, lesson07.check_best_learning_rate, final[best], "that is a loss")
    assert_wrong(capsys, lesson07.check_best_learning_rate, 0.5, "one of the learning rates")


def test_lesson05_adam_step(capsys):
    a = lesson07.ADAM
    w, g, lr = a["w"], a["grad"], a["lr"]
    m_hat, v_hat = g, g * g  # at t = 1 the bias correction undoes (1 − β)
    new_w = w - lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert new_w == pytest.approx(0.49, abs=1e-6)
    assert_right(capsys, lesson07.check_adam_step, new_w)
    assert_wrong(capsys, lesson07.check_adam_step, w - lr * g, "plain gradient descent")
    uncorrected = w - lr * (0.1 * g) / math.sqrt(0.001 * g * g)
    assert_wrong(capsys, lesson07.check_adam_step, uncorrected, "bias correction")
    assert_wrong(capsys, lesson07.check_adam_step, w + lr, "the sign")
    assert_wrong(capsys, lesson07.check_adam_step, -lr, "the change of w")


# --- lesson 9 -----------------------------------------------------------------------------

def circles(seed):
    return make_dataset("circles", n_samples=200, seed=seed)


def health_net(depth, act, init, scale):
    params = MLP([2] + [8] * depth + [1], activation=act, loss="bce", init=init,
                 weight_scale=scale, seed=0).get_params()
    return RefNet(params, act)


def ref_norms(net, ds):
    dW, _, deltas = net.backward(ds.X_train, ds.y_train)
    return [np.linalg.norm(d) for d in deltas], [np.linalg.norm(d) for d in dW]


def test_lesson06_he_std(capsys):
    assert lesson09.WIDTH == 8
    assert_right(capsys, lesson09.check_he_std, math.sqrt(2 / 8))
    assert_right(capsys, lesson09.check_he_std, 0.5)
    assert_wrong(capsys, lesson09.check_he_std, 2 / 8, "that is the variance")
    assert_wrong(capsys, lesson09.check_he_std, math.sqrt(2 / 16), "Xavier")
    assert_wrong(capsys, lesson09.check_he_std, math.sqrt(2), "divide by the number of inputs")
    assert_wrong(capsys, lesson09.check_he_std, 1 / 8, "square root")


def test_lesson06_exploding_ratio(capsys):
    ds = circles(0)
    assert lesson09.EXPLODING == {"depth": 10, "activation": "relu", "init": "he",
                                  "weight_scale": 2.0}
    deltas, dW = ref_norms(health_net(10, "relu", "he", 2.0), ds)
    ratio = deltas[0] / deltas[-1]
    assert ratio > 100  # exploding, by the diagnostics' definition
    assert_right(capsys, lesson09.check_exploding_ratio, ratio)
    assert_wrong(capsys, lesson09.check_exploding_ratio, 1 / ratio, "other way round")
    assert_wrong(capsys, lesson09.check_exploding_ratio, dW[0] / dW[-1], "uses ‖∂L/∂W‖")
    assert_wrong(capsys, lesson09.check_exploding_ratio, deltas[0] / deltas[-2],
                 "last hidden layer")
    unscaled, _ = ref_norms(health_net(10, "relu", "he", 1.0), ds)
    assert_wrong(capsys, lesson09.check_exploding_ratio, unscaled[0] / unscaled[-1],
                 "weight scale 1")


def test_lesson06_best_scale(capsys):
    ds = circles(0)
    ratios = {}
    for s in lesson09.SCALES:
        deltas, _ = ref_norms(health_net(10, "relu", "he", s), ds)
        ratios[s] = deltas[0] / deltas[-1]
    best = min(ratios, key=lambda s: abs(math.log10(ratios[s])))
    assert best == 1.0 and ratios[0.5] < 1e-2 and ratios[2.0] > 1e2
    assert_right(capsys, lesson09.check_best_scale, best)
    assert_wrong(capsys, lesson09.check_best_scale, 0.5, "the gradient shrinks")
    assert_wrong(capsys, lesson09.check_best_scale, 2.0, "the gradient grows")
    assert_wrong(capsys, lesson09.check_best_scale, ratios[best], "that is a ratio")
    assert_wrong(capsys, lesson09.check_best_scale, 3.0, "one of the scales")


# --- lesson 10 -----------------------------------------------------------------------------

def dead_setup():
    ds = circles(1)
    params = MLP([2, 8, 8, 8, 1], activation="relu", loss="bce", seed=1).get_params()
    assert same_params(lesson10.network().get_params(), params)  # zero biases by default
    return ds, params


def ref_dead(net, X):
    zs, _ = net.forward(X)
    return [np.all(z <= 0, axis=0) for z in zs[:-1]]


def test_lesson07_dead_fraction(capsys):
    ds, params = dead_setup()
    net = RefNet(params, "relu")
    dead = ref_dead(net, ds.X_train)
    fraction = dead[1].mean()
    assert fraction == 1 / 8
    z2 = net.forward(ds.X_train)[0][1]
    assert_right(capsys, lesson10.check_dead_fraction, fraction)
    assert_wrong(capsys, lesson10.check_dead_fraction, np.mean(z2 <= 0), "every sample")
    assert_wrong(capsys, lesson10.check_dead_fraction, dead[1].sum(), "number of dead units")
    assert_wrong(capsys, lesson10.check_dead_fraction, 1 - fraction, "alive")
    assert_wrong(capsys, lesson10.check_dead_fraction, dead[2].mean(), "hidden layer 3")


def test_lesson07_safest_learning_rate(capsys):
    ds, params = dead_setup()
    start = sum(m.sum() for m in ref_dead(RefNet(params, "relu"), ds.X_train))
    counts = {}
    for lr in lesson10.LEARNING_RATES:
        net = RefNet(params, "relu")
        ref_train(net, ds.X_train, ds.y_train, lesson10.STEPS, lr)
        counts[lr] = int(sum(m.sum() for m in ref_dead(net, ds.X_train)))
    best = min(counts, key=counts.get)
    assert best == 1.0 and counts[3.0] > start
    assert_right(capsys, lesson10.check_safest_learning_rate, best)
    assert_wrong(capsys, lesson10.check_safest_learning_rate, 3.0, "steps this large kill")
    assert_wrong(capsys, lesson10.check_safest_learning_rate, 0.1,
                 "not automatically the safest")
    assert counts[best] not in lesson10.LEARNING_RATES
    assert_wrong(capsys, lesson10.check_safest_learning_rate, counts[best],
                 "a number of dead units")
    assert_wrong(capsys, lesson10.check_safest_learning_rate, 0.7, "one of the learning rates")


def test_lesson07_count_dead_matches_the_reference():
    ds, params = dead_setup()
    net = RefNet(params, "relu")
    assert lesson10.count_dead(lesson10.network()) == sum(m.sum() for m in
                                                          ref_dead(net, ds.X_train)) == 3


def test_lesson07_leaky_delta(capsys):
    z, dL_da = lesson10.LEAKY["z"], lesson10.LEAKY["dL_da"]
    assert_right(capsys, lesson10.check_leaky_delta, dL_da * 0.01)
    assert_wrong(capsys, lesson10.check_leaky_delta, 0.0, "what a ReLU unit passes back")
    assert_wrong(capsys, lesson10.check_leaky_delta, dL_da, "left out f′(z)")
    assert_wrong(capsys, lesson10.check_leaky_delta, dL_da * 0.01 * z, "f(z) = 0.01·z")
    assert_wrong(capsys, lesson10.check_leaky_delta, dL_da * z, "you multiplied by z")


# --- lesson 11 -----------------------------------------------------------------------------

def moons():
    return make_dataset("moons", n_samples=200, noise=0.3, test_fraction=0.8, seed=0)


def fit_params(sizes):
    return MLP(list(sizes), activation="tanh", output_activation="sigmoid", loss="bce",
               seed=0).get_params()


def test_lesson08_setup_is_the_stated_one():
    ds = lesson11.data()
    assert (ds.n_train, ds.n_test) == (40, 160)
    np.testing.assert_array_equal(ds.X_train, moons().X_train)
    assert same_params(lesson11.network().get_params(), fit_params((2, 8, 8, 8, 1)))


def test_lesson08_best_l2(capsys):
    ds = moons()
    losses = {}
    for l2 in lesson11.L2_CHOICES:
        net = RefNet(fit_params(lesson11.SIZES), "tanh")
        ref_train(net, ds.X_train, ds.y_train, lesson11.STEPS, lesson11.LR, adam=True, l2=l2)
        losses[l2] = (net.loss(ds.X_train, ds.y_train), net.loss(ds.X_test, ds.y_test))
    best = min(losses, key=lambda k: losses[k][1])
    assert best == 0.03
    assert min(losses, key=lambda k: losses[k][0]) == 0.0  # L2 = 0 fits the training set best
    assert_right(capsys, lesson11.check_best_l2, best)
    assert_wrong(capsys, lesson11.check_best_l2, 0.0, "lowest training loss")
    assert_wrong(capsys, lesson11.check_best_l2, 0.1, "underfitting")
    assert_wrong(capsys, lesson11.check_best_l2, 0.01, "still overfitting")
    assert_wrong(capsys, lesson11.check_best_l2, losses[best][1], "that is a test loss")


def test_lesson08_best_step(capsys):
    ds = moons()
    net = RefNet(fit_params(lesson11.SIZES), "tanh")
    curve = ref_train(net, ds.X_train, ds.y_train, lesson11.STEPS, lesson11.LR, adam=True,
                      test=(ds.X_test, ds.y_test))
    test_loss = [t for _, t in curve]
    row = int(np.argmin(test_loss))
    step = row + 1  # row k holds the losses after step k + 1
    assert 1 < step < lesson11.STEPS and test_loss[-1] > 2 * test_loss[row]  # it overfits
    assert_right(capsys, lesson11.check_best_step, step)
    assert_wrong(capsys, lesson11.check_best_step, row, "row index")
    assert_wrong(capsys, lesson11.check_best_step, lesson11.STEPS, "training loss is lowest")
    assert_wrong(capsys, lesson11.check_best_step, test_loss[row], "lowest test loss")
    assert_wrong(capsys, lesson11.check_best_step, step + 2, "np.argmin")


def test_lesson08_linear_accuracy(capsys):
    ds = make_dataset("circles", n_samples=200, noise=0.1, test_fraction=0.5, seed=0)
    nets = {}
    for sizes in ((2, 1), (2, 8, 1)):
        nets[sizes] = RefNet(fit_params(sizes), "tanh")
        ref_train(nets[sizes], ds.X_train, ds.y_train, lesson11.STEPS, lesson11.LR, adam=True)
    linear = nets[(2, 1)]
    acc = linear.accuracy(ds.X_train, ds.y_train)
    assert acc < 0.65 and nets[(2, 8, 1)].accuracy(ds.X_train, ds.y_train) > 0.9
    assert_right(capsys, lesson11.check_linear_accuracy, acc)
    assert_wrong(capsys, lesson11.check_linear_accuracy, linear.accuracy(ds.X_test, ds.y_test),
                 "test accuracy")
    assert_wrong(capsys, lesson11.check_linear_accuracy, 100 * acc, "not a percentage")
    assert_wrong(capsys, lesson11.check_linear_accuracy, 1 - acc, "training error")
    assert_wrong(capsys, lesson11.check_linear_accuracy, linear.loss(ds.X_train, ds.y_train),
                 "training loss")
    assert_wrong(capsys, lesson11.check_linear_accuracy,
                 nets[(2, 8, 1)].accuracy(ds.X_train, ds.y_train), "hidden layer")


# --- lesson 12 -----------------------------------------------------------------------------

def dist_params(settings):
    return MLP([2, 8, 8, 8, 1], activation=settings["activation"], loss="bce",
               init=settings["init"], weight_scale=settings["weight_scale"], seed=0).get_params()


def test_lesson09_saturated_share(capsys):
    ds = circles(0)
    net = RefNet(dist_params(lesson12.SATURATED), "tanh")
    _, acts = net.forward(ds.X_train)
    slopes = [1 - a ** 2 for a in acts[1:4]]  # tanh′(z) = 1 − a²
    shares = [np.mean(np.abs(d) < 0.05) for d in slopes]
    assert shares[1] > 0.5  # most of layer 2 is saturated
    assert_right(capsys, lesson12.check_saturated_share, shares[1])
    assert_wrong(capsys, lesson12.check_saturated_share, 1 - shares[1], "not saturated")
    assert_wrong(capsys, lesson12.check_saturated_share, 100 * shares[1], "percentage")
    assert_wrong(capsys, lesson12.check_saturated_share, np.mean(np.abs(acts[2]) > 0.95),
                 "|a| > 0.975")
    assert_wrong(capsys, lesson12.check_saturated_share, shares[0], "hidden layer 1")


def test_lesson09_update_ratio(capsys):
    ds = circles(0)
    net = RefNet(dist_params(lesson12.HEALTHY), "tanh")
    dW, _, deltas = net.backward(ds.X_train, ds.y_train)
    ratio = lesson12.LR * np.linalg.norm(dW[0]) / np.linalg.norm(net.W[0])
    assert_right(capsys, lesson12.check_update_ratio, ratio)
    assert_wrong(capsys, lesson12.check_update_ratio, ratio / lesson12.LR, "learning rate")
    assert_wrong(capsys, lesson12.check_update_ratio, 1 / ratio, "upside down")
    assert_wrong(capsys, lesson12.check_update_ratio,
                 lesson12.LR * np.linalg.norm(deltas[0]) / np.linalg.norm(net.W[0]), "‖δ¹‖")
    assert_wrong(capsys, lesson12.check_update_ratio,
                 lesson12.LR * np.linalg.norm(dW[1]) / np.linalg.norm(net.W[1]), "weights[1]")


def test_lesson09_weight_spread(capsys):
    ds = circles(0)
    net = RefNet(dist_params(lesson12.HEALTHY), "tanh")
    W0 = [w.copy() for w in net.W]
    ref_train(net, ds.X_train, ds.y_train, lesson12.STEPS, lesson12.LR)
    spread = [np.std(b) / np.std(a) for a, b in zip(W0, net.W)]
    moved = [np.linalg.norm(b - a) / np.linalg.norm(a) for a, b in zip(W0, net.W)]
    assert 1.2 < spread[2] < 2  # the weights spread out, steadily
    assert_right(capsys, lesson12.check_weight_spread, spread[2])
    assert_wrong(capsys, lesson12.check_weight_spread, 1 / spread[2], "upside down")
    assert_wrong(capsys, lesson12.check_weight_spread, spread[2] - 1, "how much the spread grew")
    assert_wrong(capsys, lesson12.check_weight_spread, moved[2], "how far the weights moved")
    assert_wrong(capsys, lesson12.check_weight_spread, spread[1], "weights[1]")


# --- lesson 14 ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def digits_case():
    """The case study's trained ReLU network and its test digits sorted by class."""
    ds = load_digits()
    net = train_digits("relu", ds, seed=0).net
    order = np.argsort(ds.y_test, kind="stable")
    return net, ds.X_test[order], ds.y_test[order]


def test_lesson10_network_is_the_case_studys(digits_case):
    net, _, _ = digits_case
    assert same_params(lesson14.network().get_params(), net.get_params())


def test_lesson10_network_is_a_fresh_copy_so_the_lessons_answers_cannot_drift(capsys,
                                                                              digits_case):
    mine = lesson14.network()
    mine.weights[0][...] = 0.0  # whatever the lesson or a widget does to its own network
    net, _, _ = digits_case
    assert same_params(lesson14.network().get_params(), net.get_params())
    X, y = lesson14.sorted_test()
    assert np.all(np.diff(y) >= 0) and X.shape == (len(y), 64)


def test_lesson10_favourite_class(capsys, digits_case):
    net, X, y = digits_case
    W, b = net.weights[0], net.biases[0]
    hidden = np.maximum(X @ W + b, 0.0)
    k = lesson14.NEURON
    means = np.array([hidden[y == c, k].mean() for c in range(10)])
    best = int(np.argmax(means))
    assert_right(capsys, lesson14.check_favourite_class, best)
    assert_right(capsys, lesson14.check_favourite_class, float(best))
    assert_wrong(capsys, lesson14.check_favourite_class, int(np.argmin(means)), "least")
    assert_wrong(capsys, lesson14.check_favourite_class, round(float(means[best]), 2),
                 "largest mean activation")
    other = (best + 1) % 10
    assert_wrong(capsys, lesson14.check_favourite_class, other, f"column {k}")


def test_lesson10_n_wrong(capsys, digits_case):
    net, X, y = digits_case
    hidden = np.maximum(X @ net.weights[0] + net.biases[0], 0.0)
    logits = hidden @ net.weights[1] + net.biases[1]
    wrong = int(np.sum(logits.argmax(axis=1) != y))  # softmax keeps the order of the logits
    assert 0 < wrong < 0.1 * len(y)
    assert_right(capsys, lesson14.check_n_wrong, wrong)
    assert_wrong(capsys, lesson14.check_n_wrong, len(y) - wrong, "gets right")
    assert_wrong(capsys, lesson14.check_n_wrong, (len(y) - wrong) / len(y), "the accuracy")
    assert_wrong(capsys, lesson14.check_n_wrong, wrong / len(y), "error rate")
    assert_wrong(capsys, lesson14.check_n_wrong, wrong + 1, "off its diagonal")


def test_lesson10_top_delta_neuron(capsys, digits_case):
    net, X, y = digits_case
    k = lesson14.SAMPLE
    x, label = X[k:k + 1], int(y[k])
    z1 = x @ net.weights[0] + net.biases[0]
    a1 = np.maximum(z1, 0.0)
    logits = a1 @ net.weights[1] + net.biases[1]
    p = np.exp(logits - logits.max())
    p /= p.sum()
    assert p.argmax() != label  # the lesson's digit is one the network gets wrong
    delta2 = p - np.eye(10)[label]                         # softmax + cross-entropy, n = 1
    delta1 = (delta2 @ net.weights[1].T * (z1 > 0))[0]      # back through ReLU
    best = int(np.argmax(np.abs(delta1)))
    assert_right(capsys, lesson14.check_top_delta_neuron, best)
    if int(np.argmax(delta1)) != best:
        assert_wrong(capsys, lesson14.check_top_delta_neuron, int(np.argmax(delta1)),
                     "with its sign")
    if int(np.argmax(a1)) != best:
        assert_wrong(capsys, lesson14.check_top_delta_neuron, int(np.argmax(a1[0])),
                     "largest activation")
    assert_wrong(capsys, lesson14.check_top_delta_neuron, 3.5, "whole number")


# --- the checkers in Chinese (the Chinese lessons call av.set_language("zh")) ---------------

def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _softmax(z) -> list[float]:
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


# (lesson module, checker, a known mistake worked out by hand, its key, the values in the hint)
ZH_MISTAKES = [
    ("lesson00", "check_sigmoid_at_zero", 0.0, "lesson00.sigmoid_at_zero.hint_1", {}),
    ("lesson01", "check_sigmoid_derivative", _sigmoid(2.0), "lesson01.sigmoid_derivative.hint_1",
     {}),
    # z − b: the weighted sum without the bias (z = 0.8·1.5 + 0.3·(−2) − 0.3 = 0.3, b = −0.3)
    ("lesson02", "check_weighted_sum", 0.6, "lesson02.weighted_sum.hint_1", {}),
    # ∂f/∂q from the direct path only: r = q + c = a·b + c = −3 + 1 = −2
    ("lesson03", "check_dq", -2.0, "lesson03.dq.hint_1", {}),
    # q before r, which uses it (the right order is f, r, q)
    ("lesson03", "check_order", ["f", "q", "r"], "lesson03.order.verdict_4",
     {"name": "q", "user": "r"}),
    # the weights only: 2·3 + 3·2 + 2·1
    ("lesson04", "check_n_params", 14, "lesson04.n_params.hint_1", {}),
    # −ln ŷ of the most probable class (1) instead of the label's (2)
    ("lesson06", "check_loss", -math.log(_softmax((0.5, 2.0, -1.0, 1.0))[1]),
     "lesson06.loss.hint_1", {"predicted": 1, "y": 2}),
    # three steps of w ← w − 0.9·2w from w = 1 end at (−0.8)³; the sign flipped
    ("lesson07", "check_bowl", 0.512, "lesson07.bowl.hint_1", {}),
]


@pytest.mark.parametrize("mistake", ZH_MISTAKES, ids=[f"{m[0]}-{m[1]}" for m in ZH_MISTAKES])
def test_a_wrong_answer_in_chinese_gets_the_chinese_hint(capsys, mistake):
    assert_hint_in_both_languages(capsys, *mistake)


def test_lesson05_numeric_gradient_in_chinese(capsys):
    layer, i, j = lesson05.CHECKED_WEIGHT
    eps = 1e-5
    plus, minus = [w.copy() for w in W], [w.copy() for w in W]
    plus[layer][i, j] += eps
    minus[layer][i, j] -= eps
    numeric = (bce(XB, YB, plus) - bce(XB, YB, minus)) / (2 * eps)
    with i18n.language("zh"):
        ok, text = run(capsys, lesson05.check_numeric_gradient, 2 * numeric)
        assert (ok, text) == (False, "✘ 还不对：是应有大小的两倍：要除以 2ε，即 w − ε 与 w + ε 之间的距离。")
        ok, text = run(capsys, lesson05.check_numeric_gradient, numeric)
        assert ok is True and text == "✔ 正确！" + i18n.tr("lesson05.numeric_gradient.praise")


def test_the_shared_verdicts_follow_the_language(capsys):
    assert [_check.prefix(k, "en") for k in ("correct", "wrong", "unanswered")] == [
        _check.CORRECT, _check.WRONG, _check.UNANSWERED]
    with i18n.language("zh"):
        assert run(capsys, lambda a: _check.check_number(a, 0.5), 0.5) == (True, "✔ 正确！")
        ok, text = run(capsys, lambda a: _check.check_number(a, 0.5), ...)
        assert text == "✎ 尚未作答：把 ... 换成你的答案，再运行这个单元格。可以从这里入手：请一步一步重新算一遍。"
        ok, text = run(capsys, lambda a: _check.check_number(a, 0.5), "0.5")
        assert text == "✘ 还不对：你的答案是文本 '0.5'；请给出一个数，不要加引号（例如写 0.5，而不是 '0.5'）。"
        # a count's hint: no capital letter forced onto a Chinese hint that starts with a symbol
        ok, text = run(capsys, lambda a: _check.check_number(a, 3, kind="count",
                                                             otherwise="z 要取整数。"), 2.5)
        assert text == "✘ 还不对：计数应当是整数，这里得到 2.5。z 要取整数。"
        _check.compare_guess("up", "down")
        assert capsys.readouterr().out.startswith("✘ 你的猜测是 'up'，结果是 'down'。")
    assert run(capsys, lambda a: _check.check_number(a, 0.5), 0.5) == (True, "✔ Correct!")


CHINESE_LESSONS = {f"lesson0{k}" for k in range(8)}  # the lessons whose hints are translated


@pytest.mark.parametrize("lesson, name, checker",
                         [c for c in CHECKERS if c[0].__name__.rsplit(".", 1)[1]
                          in CHINESE_LESSONS],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_translated_checker_answers_in_chinese(capsys, lesson, name, checker):
    prefixes = [_check.prefix(kind, "zh") for kind in ("correct", "wrong", "unanswered")]
    with i18n.language("zh"):
        for answer in (..., "42", -1234.5, float("nan"), [[1.0, 2.0]] * 3, 0):
            _, text = run(capsys, checker, answer)
            assert any(text.startswith(p) for p in prefixes), text
            rest = text.split("：", 1)[-1] if not text.startswith(prefixes[0]) else text[4:]
            # the hint itself is Chinese (an English hint behind a Chinese prefix is a gap):
            # Chinese characters, and no English phrase (symbols, names and code may stay)
            assert any("\u4e00" <= char <= "\u9fff" or char in "，。：；（）" for char in rest), text
            assert not re.search(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", rest), text
