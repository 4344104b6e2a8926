"""Tests of lesson 13's checkers (actviz_widgets.exercises.lesson13).

The right functions are written out here as a learner would write them, and
their results are compared with values computed independently (finite
differences, the XOR truth table).  Each classic mistake is built as a wrong
variant of those functions, and each must get its own hint from the checker.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.exercises import _check, lesson13 as ex
from checking import assert_right, assert_wrong, run  # noqa: F401 (shared helpers)


# --- the learner's functions, written out (and their classic mistakes) ---------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, X, act=np.tanh, out=sigmoid, bias=True):
    z1 = X @ params["W1"] + (params["b1"] if bias else 0)
    a1 = act(z1)
    z2 = a1 @ params["W2"] + (params["b2"] if bias else 0)
    return {"X": X, "z1": z1, "a1": a1, "z2": z2, "a2": out(z2)}


def loss(a2, y):
    return float(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2)))


def make_backward(*, per_sample=False, fprime=True, transpose_W2=False, dW_transposed=False,
                  sum_bias=True, output_sigmoid_prime=False, sign=1.0, fprime_of_z=False,
                  average_bias=False):
    """backward(params, cache, y), right by default; each flag makes one classic mistake."""
    def backward(params, cache, y):
        X, a1, a2 = cache["X"], cache["a1"], cache["a2"]
        n = X.shape[0]
        delta2 = sign * (a2 - y) / (1 if per_sample else n)
        if output_sigmoid_prime:
            delta2 = delta2 * a2 * (1 - a2)
        W2 = params["W2"]
        dl_da1 = delta2 @ (W2 if transpose_W2 else W2.T)
        if fprime:
            delta1 = dl_da1 * (1 - (cache["z1"] if fprime_of_z else a1) ** 2)
        else:
            delta1 = dl_da1

        def bias(delta):
            if average_bias:
                return delta.mean(axis=0)
            return delta.sum(axis=0) if sum_bias else delta

        return {"W2": delta2.T @ a1 if dW_transposed else a1.T @ delta2, "b2": bias(delta2),
                "W1": delta1.T @ X if dW_transposed else X.T @ delta1, "b1": bias(delta1)}
    return backward


backward = make_backward()


def numerical_gradient(f, w, eps=1e-6):
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        old = w[index]
        w[index] = old + eps
        plus = f()
        w[index] = old - eps
        minus = f()
        w[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def make_train(*, sign=-1.0, late=False, copy=False, skip_last=False):
    def train(params, X, y, lr, steps):
        if copy:
            params = {k: v.copy() for k, v in params.items()}
        losses = []
        for t in range(steps):
            cache = forward(params, X)
            if not late:
                losses.append(loss(cache["a2"], y))
            if skip_last and t == steps - 1:
                break
            grads = backward(params, cache, y)
            for name in params:
                params[name] += sign * lr * grads[name]
            if late:
                losses.append(loss(forward(params, X)["a2"], y))
        return losses
    return train


train = make_train()


def check_data():
    params = {k: np.array(v, dtype=float) for k, v in ex.CHECK_PARAMS.items()}
    return params, np.array(ex.CHECK_X), np.array(ex.CHECK_Y)


# --- independent reference values ----------------------------------------------------------

def test_the_check_data_make_every_transposition_show():
    params, X, y = check_data()
    n, h = X.shape[0], params["W1"].shape[1]
    assert len({n, h, 2, 1}) == 4
    assert all(np.any(params[b] != 0) for b in ("b1", "b2")), "a forgotten bias must show"
    assert X.shape == (5, 2) and y.shape == (5, 1)
    assert params["W1"].shape == (2, 3) and params["b1"].shape == (3,)
    assert params["W2"].shape == (3, 1) and params["b2"].shape == (1,)


def test_the_written_out_backward_agrees_with_finite_differences():
    params, X, y = check_data()
    grads = backward(params, forward(params, X), y)
    for name, w in params.items():
        numeric = numerical_gradient(lambda: loss(forward(params, X)["a2"], y), w)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-10)


def test_xor_data_and_network_are_the_stated_ones():
    X, y = np.array(ex.X_XOR), np.array(ex.Y_XOR)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    params = ex.initial_params(0)
    assert params["W1"].shape == (2, ex.HIDDEN) and params["b1"].shape == (ex.HIDDEN,)
    assert params["W2"].shape == (ex.HIDDEN, 1) and params["b2"].shape == (1,)
    net = ex.network(0)
    np.testing.assert_array_equal(params["W1"], net.weights[0])
    np.testing.assert_array_equal(params["W2"], net.weights[1])


@pytest.mark.parametrize("seed", ex.SEEDS)
def test_every_stated_seed_reaches_full_accuracy_with_the_written_out_functions(seed):
    """The lesson's claim, with this file's own functions (not the engine's)."""
    params = ex.initial_params(seed)
    X, y = np.array(ex.X_XOR), np.array(ex.Y_XOR)
    losses = train(params, X, y, ex.LR, ex.STEPS)
    predictions = forward(params, X)["a2"] > 0.5
    np.testing.assert_array_equal(predictions, y > 0.5)
    assert losses[-1] < 0.01 < losses[0]
    reached = ex.steps_to_full_accuracy(seed)
    assert reached is not None and reached <= ex.STEPS
    assert reached == ex.steps_to_full_accuracy(seed, steps=reached)


def test_seed_0_is_the_slowest_stated_seed_and_needs_106_steps():
    steps = {seed: ex.steps_to_full_accuracy(seed) for seed in ex.SEEDS}
    assert steps[0] == 106 == max(steps.values())


@pytest.mark.parametrize("hidden, lr, failing", [(2, 1.0, 4), (4, 0.1, 2)])
def test_the_settings_matter_as_the_lesson_says(hidden, lr, failing):
    """The lesson: with H = 2 (lr 1) 4 of seeds 0-9, with lr 0.1 (H = 4) 2 of them, do
    not reach 100 % within 500 steps."""
    X, y = np.array(ex.X_XOR), np.array(ex.Y_XOR)
    stuck = 0
    for seed in ex.SEEDS:
        params = ex.params_of(ex.network(seed, hidden=hidden))
        reached = False
        for _ in range(ex.STEPS):
            train(params, X, y, lr, 1)
            reached = reached or bool(np.all((forward(params, X)["a2"] > 0.5) == (y > 0.5)))
        stuck += not reached
    assert stuck == failing


def test_reference_training_is_plain_gradient_descent_as_written_out():
    params = ex.initial_params(3)
    X, y = np.array(ex.X_XOR), np.array(ex.Y_XOR)
    losses = train(params, X, y, ex.LR, 40)
    ref_losses, ref_params = ex.reference_training(3, steps=40)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)
    for name in params:
        np.testing.assert_allclose(params[name], ref_params[name], rtol=1e-10)


# --- the checkers --------------------------------------------------------------------------

def test_forward(capsys):
    assert_right(capsys, ex.check_forward, forward)
    assert_wrong(capsys, ex.check_forward, lambda p, X: forward(p, X, bias=False),
                 "forgot the bias")
    assert_wrong(capsys, ex.check_forward, lambda p, X: forward(p, X, act=sigmoid),
                 "uses tanh, not the sigmoid")
    assert_wrong(capsys, ex.check_forward, lambda p, X: forward(p, X, act=lambda z: z),
                 "apply tanh")
    assert_wrong(capsys, ex.check_forward, lambda p, X: forward(p, X, out=np.tanh),
                 "not tanh")
    assert_wrong(capsys, ex.check_forward, lambda p, X: forward(p, X, out=lambda z: z),
                 "apply the sigmoid")

    def z1_for_a1(p, X):
        c = forward(p, X)
        return {**c, "z2": c["z1"] @ p["W2"] + p["b2"]}
    assert_wrong(capsys, ex.check_forward, z1_for_a1, "not z¹")

    def transposed(p, X):
        return {"X": X, "z1": X @ p["W1"].T}
    assert_wrong(capsys, ex.check_forward, transposed, "shape error")
    assert_wrong(capsys, ex.check_forward, lambda p, X: (1, 2), "dictionary")
    assert_wrong(capsys, ex.check_forward, lambda p, X: {"z1": 1}, "'X', 'a1'")

    def column_major(p, X):
        c = forward(p, X)
        return {**c, "z1": c["z1"].T}
    assert_wrong(capsys, ex.check_forward, column_major, "transpose")


def test_loss(capsys):
    assert_right(capsys, ex.check_loss, loss)
    assert_wrong(capsys, ex.check_loss, lambda a, y: len(y) * loss(a, y), "divide by N")
    assert_wrong(capsys, ex.check_loss, lambda a, y: -loss(a, y), "sign is flipped")
    assert_wrong(capsys, ex.check_loss, lambda a, y: -np.mean(y * np.log(a)),
                 "(1 − y) log(1 − ŷ)")
    assert_wrong(capsys, ex.check_loss, lambda a, y: np.mean((a - y) ** 2),
                 "mean squared error")
    assert_wrong(capsys, ex.check_loss,
                 lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)), "each sample")


@pytest.mark.parametrize("mistake, hint", [
    ({"fprime": False}, "activation's derivative is missing"),
    ({"fprime_of_z": True}, "not from z¹"),
    ({"transpose_W2": True}, "shape error"),
    ({"dW_transposed": True}, "grads['W2'] is transposed"),
    ({"per_sample": True}, "5 times too large"),
    ({"sum_bias": False}, "not summed over the samples"),
    ({"average_bias": True}, "grads['b2'] is 5 times too small"),
    ({"output_sigmoid_prime": True}, "Do not multiply by ŷ(1 − ŷ)"),
    ({"sign": -1.0}, "sign is flipped"),
])
def test_backward_classic_mistakes_get_their_hint(capsys, mistake, hint):
    assert_wrong(capsys, ex.check_backward, make_backward(**mistake), hint)


def test_backward(capsys):
    assert_right(capsys, ex.check_backward, backward)

    def w1_transposed_only(params, cache, y):
        grads = backward(params, cache, y)
        return {**grads, "W1": grads["W1"].T}
    assert_wrong(capsys, ex.check_backward, w1_transposed_only, "grads['W1'] is transposed")

    def b1_not_summed_only(params, cache, y):
        grads = backward(params, cache, y)
        n = cache["X"].shape[0]
        delta2 = (cache["a2"] - y) / n
        return {**grads, "b1": (delta2 @ params["W2"].T) * (1 - cache["a1"] ** 2)}
    assert_wrong(capsys, ex.check_backward, b1_not_summed_only,
                 "grads['b1'] has shape (5, 3), one row per sample")

    def sigmoid_prime_hidden(params, cache, y):
        grads = backward(params, cache, y)
        a1 = cache["a1"]
        delta1 = ((cache["a2"] - y) / len(y) @ params["W2"].T) * a1 * (1 - a1)
        return {**grads, "W1": cache["X"].T @ delta1}
    assert_wrong(capsys, ex.check_backward, sigmoid_prime_hidden, "sigmoid's derivative")
    assert_wrong(capsys, ex.check_backward,
                 lambda p, c, y: {k: 2 * v for k, v in backward(p, c, y).items()},
                 "grads['W2'] is 2 times the right gradient")
    assert_wrong(capsys, ex.check_backward,
                 lambda p, c, y: {k: v / 25 for k, v in backward(p, c, y).items()},
                 "grads['W2'] is 0.04 times the right gradient")
    assert_wrong(capsys, ex.check_backward,
                 lambda p, c, y: {k: v for k, v in backward(p, c, y).items() if k != "b1"},
                 "no 'b1'")
    assert_wrong(capsys, ex.check_backward,
                 lambda p, c, y: {**backward(p, c, y), "W2": np.ones((3, 1))},
                 "differs from the engine's")


def test_numerical_gradient(capsys):
    assert_right(capsys, ex.check_numerical_gradient, numerical_gradient)
    assert_wrong(capsys, ex.check_numerical_gradient,
                 lambda f, w, eps=1e-6: 2 * numerical_gradient(f, w, eps), "twice too big")
    assert_wrong(capsys, ex.check_numerical_gradient,
                 lambda f, w, eps=1e-6: -numerical_gradient(f, w, eps), "sign is flipped")

    def one_sided(f, w, eps=1e-6):
        grad, base = np.zeros_like(w), f()
        for index in np.ndindex(w.shape):
            old = w[index]
            w[index] = old + eps
            grad[index] = (f() - base) / eps
            w[index] = old
        return grad
    assert_wrong(capsys, ex.check_numerical_gradient, one_sided, "one-sided")

    def not_put_back(f, w, eps=1e-6):
        grad = numerical_gradient(f, w, eps)
        w[0, 0] += eps
        return grad
    assert_wrong(capsys, ex.check_numerical_gradient, not_put_back, "put every entry back")
    assert_wrong(capsys, ex.check_numerical_gradient,
                 lambda f, w, eps=1e-6: numerical_gradient(f, w, eps).ravel(), "shape")


def test_train(capsys):
    ok, text = run(capsys, ex.check_train, train)
    assert ok is True and text.startswith(_check.CORRECT), text
    assert "100% of the 4 XOR points" in text and "first time after 106" in text
    assert_wrong(capsys, ex.check_train, make_train(sign=1.0), "loss grew")
    assert_wrong(capsys, ex.check_train, make_train(late=True), "one step late")
    assert_wrong(capsys, ex.check_train, make_train(copy=True), "not a copy")
    assert_wrong(capsys, ex.check_train, make_train(skip_last=True), "the last update")
    assert_wrong(capsys, ex.check_train, lambda p, X, y, lr, steps: [0.5] * 3, "500 numbers")

    def stubbed_forward(params, X, y, lr, steps):
        cache = ...
        return [cache["a2"]]
    assert_wrong(capsys, ex.check_train, stubbed_forward, "still returns ...")


CHECKERS = [ex.check_forward, ex.check_loss, ex.check_backward, ex.check_numerical_gradient,
            ex.check_train]


def stub(*args):
    """What the learner's edition holds: a function whose body is ``return ...``."""
    return ...


@pytest.mark.parametrize("checker", CHECKERS, ids=[c.__name__ for c in CHECKERS])
def test_unanswered_and_nonsense_get_a_message_not_a_traceback(capsys, checker):
    for answer in (..., stub):
        ok, text = run(capsys, checker, answer)
        assert ok is False and text.startswith(_check.UNANSWERED) and "Start from here: " in text
        assert len(text.split("Start from here: ", 1)[1]) > 10
    for answer in ("42", -1234.5, lambda *a: 1 / 0, lambda *a: "text"):
        ok, text = run(capsys, checker, answer)
        assert ok is False and text.startswith(_check.WRONG) and len(text) > len(_check.WRONG)


def test_grading_mode_raises_with_the_hint(capsys):
    with ex.grading():
        with pytest.raises(AssertionError, match="forgot the bias"):
            ex.check_forward(lambda p, X: forward(p, X, bias=False))
        with pytest.raises(AssertionError, match="Not answered yet"):
            ex.check_backward(stub)
        assert ex.check_backward(backward) is True
    capsys.readouterr()
