"""Tests of the lesson checkers (actviz_widgets.exercises).

Right answers are computed here independently of the engine: by hand with
``math`` for the single neuron and the activations, and with a small
reference forward/backward pass for the lesson-3 network written in this
file.  Each checker must accept the right answer (print ✔, return True) and
reject each common mistake it covers with the hint for that mistake (print
✘, return False).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from actviz_widgets.exercises import (
    _check,
    lesson00,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
)

LESSONS = (lesson00, lesson01, lesson02, lesson03, lesson04)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def run(capsys, checker, answer) -> tuple[bool, str]:
    """Call a checker; return its result and the one line it printed."""
    result = checker(answer)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a checker prints exactly one line; got {out!r}"
    return result, out.strip()


def assert_right(capsys, checker, answer) -> None:
    ok, text = run(capsys, checker, answer)
    assert ok is True and text.startswith(_check.CORRECT), text


def assert_wrong(capsys, checker, answer, hint: str) -> None:
    ok, text = run(capsys, checker, answer)
    assert ok is False and text.startswith(_check.WRONG), text
    assert hint in text, f"expected a hint containing {hint!r}; got {text!r}"


# --- independent reference values ---------------------------------------------------------

# lesson 2's exercise neuron, by hand
N = {"x1": 1.5, "x2": -2.0, "w1": 0.8, "w2": 0.3, "b": -0.3, "y": 1.0, "lr": 0.5}
Z2 = N["w1"] * N["x1"] + N["w2"] * N["x2"] + N["b"]  # 0.3
A2 = 1 / (1 + math.exp(-Z2))
DL_DA2 = 2 * (A2 - N["y"])
DADZ2 = A2 * (1 - A2)
DL_DW1 = DL_DA2 * DADZ2 * N["x1"]
NEW_W1 = N["w1"] - N["lr"] * DL_DW1

# lesson 3's network, written out again here
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
    """δ¹..δ³ and ∂L/∂W⁰..² of the mean bce loss, by the textbook rules."""
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

    @pytest.mark.parametrize("answer, hint", [
        (..., "replace the ..."),
        (None, "replace the ..."),
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


# --- lesson 3 -----------------------------------------------------------------------------

def test_lesson03_network_is_the_stated_one():
    net = lesson03.network()
    for l in range(3):
        np.testing.assert_array_equal(net.weights[l], W[l])
        np.testing.assert_array_equal(net.biases[l], B[l])
    assert net.activation_names == ["tanh", "tanh", "sigmoid"] and net.loss.name == "bce"
    np.testing.assert_array_equal(lesson03.X, X1)
    np.testing.assert_array_equal(lesson03.X_BATCH, XB)


def test_lesson03_z1(capsys):
    z1 = X1 @ W[0] + B[0]
    np.testing.assert_allclose(z1, [[0.45, -0.9, 1.2]])  # by hand
    assert_right(capsys, lesson03.check_z1, z1)
    assert_right(capsys, lesson03.check_z1, [0.45, -0.9, 1.2])
    assert_wrong(capsys, lesson03.check_z1, X1 @ W[0], "forgot the biases")
    assert_wrong(capsys, lesson03.check_z1, np.tanh(z1), "after the activation")
    assert_wrong(capsys, lesson03.check_z1, W[0].T @ X1.T + B[0], "x as a column")
    assert_wrong(capsys, lesson03.check_z1, z1.T, "one row per sample")
    assert_wrong(capsys, lesson03.check_z1, np.ones((2, 3)), "expected shape (1, 3)")


def test_lesson03_batch_output(capsys):
    acts, zs = forward(XB)
    assert_right(capsys, lesson03.check_batch_output, acts[3])
    assert_right(capsys, lesson03.check_batch_output, acts[3][:, 0])
    assert_wrong(capsys, lesson03.check_batch_output, zs[3], "stopped at z³")
    assert_wrong(capsys, lesson03.check_batch_output, np.tanh(zs[3]), "not tanh")
    linear = XB
    for l in range(3):
        linear = linear @ W[l] + B[l]
    assert_wrong(capsys, lesson03.check_batch_output, sig(linear), "left out tanh")
    no_bias = forward(XB, biases=[np.zeros_like(b) for b in B])[0][3]
    assert_wrong(capsys, lesson03.check_batch_output, no_bias, "forgot the biases")
    assert_wrong(capsys, lesson03.check_batch_output, acts[3][:1], "only the first sample")
    assert_wrong(capsys, lesson03.check_batch_output, acts[3].T, "transpose")


def test_lesson03_n_params(capsys):
    assert_right(capsys, lesson03.check_n_params, 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1)
    assert_wrong(capsys, lesson03.check_n_params, 6 + 6 + 2, "weights only")
    assert_wrong(capsys, lesson03.check_n_params, 14 + 8, "no biases")
    assert_wrong(capsys, lesson03.check_n_params, 8, "that counts neurons")
    assert_wrong(capsys, lesson03.check_n_params, 20.5, "whole number")


# --- lesson 4 -----------------------------------------------------------------------------

def test_lesson04_delta1(capsys):
    acts, deltas, _ = backward(X1, Y1)
    dl_da1 = deltas[2] @ W[1].T
    z1 = X1 @ W[0] + B[0]
    assert_right(capsys, lesson04.check_delta1, deltas[1])
    assert_wrong(capsys, lesson04.check_delta1, dl_da1, "that is ∂L/∂a¹")
    assert_wrong(capsys, lesson04.check_delta1, dl_da1 * acts[1] * (1 - acts[1]),
                 "sigmoid's derivative")
    assert_wrong(capsys, lesson04.check_delta1, dl_da1 * acts[1], "a¹ = f(z¹)")
    assert_wrong(capsys, lesson04.check_delta1, dl_da1 * (1 - z1 ** 2), "not from z¹")
    assert_wrong(capsys, lesson04.check_delta1, -deltas[1], "sign is flipped")
    assert_wrong(capsys, lesson04.check_delta1, deltas[1].T, "transpose")


def test_lesson04_dW1(capsys):
    acts, deltas, dW = backward(X1, Y1)
    _, zs = forward(X1)
    assert_right(capsys, lesson04.check_dW1, dW[1])
    assert_wrong(capsys, lesson04.check_dW1, dW[1].T, "your array is the transpose")
    assert_wrong(capsys, lesson04.check_dW1, zs[1].T @ deltas[2], "you used z¹")
    assert_wrong(capsys, lesson04.check_dW1, acts[1].T @ deltas[3], "you used δ³")
    assert_wrong(capsys, lesson04.check_dW1, acts[2].T @ deltas[2], "you used a²")
    assert_wrong(capsys, lesson04.check_dW1, acts[1].T @ (deltas[3] @ W[2].T),
                 "∂L/∂a² where δ²")


def test_lesson04_numeric_gradient(capsys):
    layer, i, j = lesson04.CHECKED_WEIGHT
    eps = 1e-5
    plus = [w.copy() for w in W]
    minus = [w.copy() for w in W]
    plus[layer][i, j] += eps
    minus[layer][i, j] -= eps
    numeric = (bce(XB, YB, plus) - bce(XB, YB, minus)) / (2 * eps)
    exact = backward(XB, YB)[2][layer][i, j]
    assert numeric == pytest.approx(exact, rel=1e-6)
    assert_right(capsys, lesson04.check_numeric_gradient, numeric)
    assert_wrong(capsys, lesson04.check_numeric_gradient, 2 * numeric, "divide by 2ε")
    assert_wrong(capsys, lesson04.check_numeric_gradient, numeric / 2, "not 4ε")
    assert_wrong(capsys, lesson04.check_numeric_gradient, -numeric, "sign is flipped")


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
    for answer in (..., "42", -1234.5):
        ok, text = run(capsys, checker, answer)
        assert ok is False and text.startswith(_check.WRONG) and len(text) > len(_check.WRONG)
