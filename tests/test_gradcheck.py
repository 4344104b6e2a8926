"""Tests for gradient checking: backprop against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from actviz_widgets.engine.activations import ACTIVATION_NAMES
from actviz_widgets.engine.gradcheck import (GradCheckResult, gradient_check, numeric_gradient,
                                             relative_error)
from actviz_widgets.engine.losses import LOSS_NAMES
from actviz_widgets.engine.network import MLP

EPS_MACHINE = np.finfo(np.float64).eps


def params_of(net):
    return [p.copy() for p in net.weights + net.biases]


def assert_same_params(net, before):
    after = net.weights + net.biases
    assert len(after) == len(before)
    for p, q in zip(after, before):
        assert p.tobytes() == q.tobytes()  # bit for bit, not just close


# --------------------------------------------------------------------------
# relative_error
# --------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    (1.0, 1.0, 0.0),
    (0.0, 0.0, 0.0),     # both exactly zero: 0, not 0/0
    (1.0, 0.0, 1.0),
    (0.0, -5e-300, 1.0),
    (1.0, -1.0, 1.0),    # opposite signs: the largest possible, 1
    (2.0, -0.5, 1.0),
    (3.0, 1.0, 0.5),     # |3 - 1| / (3 + 1)
    (-2.0, -2.5, 0.5 / 4.5),
])
def test_relative_error_known_pairs(a, b, expected):
    err = relative_error(a, b)
    assert isinstance(err, float)
    assert err == pytest.approx(expected, rel=1e-15)
    assert relative_error(b, a) == err


def test_relative_error_is_elementwise_and_propagates_nan():
    err = relative_error([1.0, 0.0, 2.0, np.nan], [1.5, 0.0, -2.0, 1.0])
    np.testing.assert_array_equal(err[:3], [0.2, 0.0, 1.0])
    assert np.isnan(err[3])
    assert relative_error(np.ones((2, 3)), 2.0).shape == (2, 3)


def test_relative_error_rejects_text():
    with pytest.raises(TypeError, match="a must be an array of real numbers"):
        relative_error("1", 1.0)


# --------------------------------------------------------------------------
# numeric_gradient
# --------------------------------------------------------------------------

def linear_net(w: float, b: float) -> MLP:
    net = MLP([1, 1], activation=[], output_activation="linear", loss="mse")
    net.set_params([[[w]]], [[b]])
    return net


def test_numeric_gradient_of_a_linear_unit_by_hand():
    # L = mean (w x + b - y)², so dL/dw = mean 2 (w x + b - y) x and dL/db = mean 2 (w x + b - y).
    w, b = 2.0, 0.5
    x = np.array([3.0, -1.0, 0.25])
    y = np.array([1.0, 2.0, -0.5])
    r = w * x + b - y
    net = linear_net(w, b)
    X, Y = x.reshape(-1, 1), y.reshape(-1, 1)
    # The loss is quadratic, so the central difference has no truncation error:
    # what is left is rounding, eps_mach·L/ε ≈ 1e-9 relative here.
    assert numeric_gradient(net, X, Y, 0, 0, 0) == pytest.approx(np.mean(2 * r * x), rel=1e-7)
    assert numeric_gradient(net, X, Y, 0, 0, param="bias") == pytest.approx(np.mean(2 * r),
                                                                              rel=1e-7)
    # one sample: 2 (2·3 + 0.5 - 1)·3 = 33
    assert numeric_gradient(net, [[3.0]], [[1.0]], 0, 0, 0, eps=1e-4) == pytest.approx(33.0,
                                                                                      rel=1e-9)


def test_numeric_gradient_matches_backprop_on_a_deeper_net():
    net = MLP([2, 3, 2], activation="tanh", loss="mse", seed=4)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    g = net.backward(net.forward(X), y)
    assert numeric_gradient(net, X, y, 0, 1, 2) == pytest.approx(g.dW[0][1, 2], rel=1e-6)
    assert numeric_gradient(net, X, y, 1, 1, param="bias") == pytest.approx(g.db[1][1],
                                                                            rel=1e-6)


def test_numeric_gradient_restores_the_parameter():
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=1)
    before = params_of(net)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    for l, i, j, param in [(0, 1, 2, "weight"), (1, 2, 0, "weight"), (0, 2, None, "bias")]:
        numeric_gradient(net, X, y, l, i, j, eps=0.1, param=param)
        assert_same_params(net, before)


def test_numeric_gradient_restores_the_parameter_on_error():
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=1)
    before = params_of(net)
    calls = []

    def failing_loss(X, y):
        calls.append(net.weights[0][0, 1])  # the perturbed value is in place now
        if len(calls) == 2:
            raise RuntimeError("boom")
        return 0.0

    net.loss_value = failing_loss
    with pytest.raises(RuntimeError, match="boom"):
        numeric_gradient(net, [[1.0, 2.0]], [[0.0]], 0, 0, 1, eps=0.5)
    assert calls == [before[0][0, 1] + 0.5, before[0][0, 1] - 0.5]
    assert_same_params(net, before)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(layer=2, i=0, j=0), ValueError, r"layer must be an integer between 0 and 1; got 2"),
    (dict(layer=0, i=2, j=0), ValueError, r"i must be an integer between 0 and 1; got 2"),
    (dict(layer=0, i=0, j=3), ValueError, r"j must be an integer between 0 and 2; got 3"),
    (dict(layer=1, i=-1, j=0), ValueError, r"i must be an integer between 0 and 2; got -1"),
    (dict(layer=0, i=0), TypeError, r"j is needed for a weight.*between 0 and 2"),
    (dict(layer=0, i=0, j=0, param="bias"), ValueError, r"j must be None for a bias"),
    (dict(layer=0, i=3, param="bias"), ValueError, r"i must be an integer between 0 and 2"),
    (dict(layer=0, i=0, j=0, param="gain"), ValueError, r"expected one of \['bias', 'weight'\]"),
    (dict(layer=0, i=0, j=0, eps=0.0), ValueError, r"eps must be a finite number > 0"),
    (dict(layer=0.0, i=0, j=0), TypeError, r"layer must be an integer"),
])
def test_numeric_gradient_rejects_bad_indices(kwargs, error, message):
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=1)
    before = params_of(net)
    with pytest.raises(error, match=message):
        numeric_gradient(net, [[1.0, 2.0]], [[0.0]], **kwargs)
    assert_same_params(net, before)


def test_numeric_gradient_rejects_bad_data():
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        numeric_gradient(net, [[1.0, 2.0, 3.0]], [[0.0]], 0, 0, 0)
    with pytest.raises(ValueError, match="y must have shape"):
        numeric_gradient(net, [[1.0, 2.0]], [[0.0, 1.0]], 0, 0, 0)
    with pytest.raises(TypeError, match="net must be an MLP"):
        numeric_gradient("net", [[1.0, 2.0]], [[0.0]], 0, 0, 0)


# --------------------------------------------------------------------------
# gradient_check: backprop against finite differences, every activation × loss
# --------------------------------------------------------------------------

def random_problem(activation, loss, n_in, hidden, n_out, n_samples, seed):
    """A small net with random (nonzero) biases, data and targets."""
    rng = np.random.default_rng(seed)
    if loss == "cross_entropy":
        n_out = max(n_out, 2)
    net = MLP([n_in, *hidden, n_out], activation=activation,
              output_activation=activation if loss == "mse" else None, loss=loss, seed=seed)
    # Zero biases behind a dead ReLU layer would put the next z exactly on the kink.
    net.set_params(net.weights, [rng.normal(size=b.shape) for b in net.biases])
    X = rng.normal(size=(n_samples, n_in))
    if loss == "cross_entropy":
        y = rng.integers(0, n_out, size=n_samples)
    elif loss == "bce":
        y = rng.uniform(size=(n_samples, n_out))
    else:
        y = rng.normal(size=(n_samples, n_out))
    return net, X, y


# Tolerance, from measurements on 1000 random nets (every activation × loss):
# the numeric gradient's error is rounding, below 2.8 · eps_mach·max(|L|, 1)/ε
# (≈ 6e-10 for L ≈ 1); the relative error of gradients above 1e-2 stayed
# below 7e-7.  A gradient near 0 therefore has a large *relative* error that
# is only noise, so each entry must satisfy
#     |backprop - numeric| <= 1e-6 · (|backprop| + |numeric|) + 50 · eps_mach·max(|L|, 1)/ε,
# i.e. relative error < 1e-6 unless the gradient is within ~1e-8 of zero.  A
# wrong backprop formula gives errors of order 1.
RTOL = 1e-6
ROUNDING_MARGIN = 50


def assert_backprop_matches(result: GradCheckResult, loss_value: float):
    atol = ROUNDING_MARGIN * EPS_MACHINE * max(abs(loss_value), 1.0) / result.eps
    for bp, num in zip(result.backprop_W + result.backprop_b,
                       result.numeric_W + result.numeric_b):
        np.testing.assert_array_less(np.abs(bp - num),
                                     RTOL * (np.abs(bp) + np.abs(num)) + atol + 1e-300)


problems = st.tuples(
    st.integers(1, 3),                                 # inputs
    st.lists(st.integers(1, 4), min_size=0, max_size=2),  # hidden layer sizes
    st.integers(1, 3),                                 # outputs
    st.integers(1, 4),                                 # samples
    st.integers(0, 2**32 - 1),                         # seed
)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@settings(deadline=None, max_examples=15, derandomize=True)
@given(problem=problems)
def test_backprop_matches_finite_differences(activation, loss, problem):
    net, X, y = random_problem(activation, loss, *problem)
    if activation in ("relu", "leaky_relu"):
        # Finite differences are not the derivative across a kink: keep every z clear of 0.
        assume(all(np.abs(z).min() >= 1e-4 for z in net.forward(X).z[1:]))
    before = params_of(net)
    result = gradient_check(net, X, y)
    assert result.n_checked == net.n_params
    assert_backprop_matches(result, net.loss_value(X, y))
    assert_same_params(net, before)


def test_gradient_check_catches_a_wrong_backprop():
    net, X, y = random_problem("tanh", "mse", 2, [3], 1, 4, seed=3)
    right = net.backward

    def doubled_first_layer(trace, targets, **kwargs):
        g = right(trace, targets, **kwargs)
        g.dW[0] = 2 * g.dW[0]
        return g

    net.backward = doubled_first_layer
    result = gradient_check(net, X, y)
    # |2g - g| / (|2g| + |g|) = 1/3 wherever g != 0; every other layer is right.
    assert result.max_rel_error == pytest.approx(1 / 3, rel=1e-5)
    assert not result.passed(1e-3)
    assert np.max(result.rel_error_W[1]) < 1e-6 and np.max(result.rel_error_b[0]) < 1e-6


def test_gradient_check_result_contents():
    net, X, y = random_problem("tanh", "bce", 2, [3, 2], 1, 5, seed=7)
    before = params_of(net)
    g = net.backward(net.forward(X), y)
    result = gradient_check(net, X, y)
    assert_same_params(net, before)
    for got, want in zip(result.backprop_W + result.backprop_b, g.dW + g.db):
        np.testing.assert_array_equal(got, want)
    for num, p in zip(result.numeric_W + result.numeric_b, net.weights + net.biases):
        assert num.shape == p.shape and np.all(np.isfinite(num))
    worst = max(np.max(relative_error(b, n)) for b, n in
                zip(result.backprop_W + result.backprop_b, result.numeric_W + result.numeric_b))
    assert result.max_rel_error == worst
    assert result.n_checked == net.n_params == 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1
    assert result.eps == 1e-6
    assert result.passed() == (worst <= 1e-6)
    assert result.passed(tol=2 * worst) and not result.passed(tol=worst / 2)
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        result.passed(0.0)


def test_gradient_check_summary_table():
    net, X, y = random_problem("tanh", "mse", 2, [3], 2, 3, seed=1)
    result = gradient_check(net, X, y, max_params=4, seed=2)
    text = str(result)
    assert text == result.summary()
    lines = text.splitlines()
    assert lines[0] == ("Gradient check, central differences with eps = 1e-06: 4 of 17 "
                        "parameters checked")
    assert lines[2].split()[:2] == ["0", "2x3"] and lines[3].split()[:2] == ["1", "3x2"]
    assert lines[-1] == f"max relative error: {result.max_rel_error:.2e}"
    # each layer's column is the largest checked error of that array, or "-" if none checked
    for row, ew, eb in zip(lines[2:4], result.rel_error_W, result.rel_error_b):
        for cell, err in zip(row.split()[2:], (ew, eb)):
            checked = err[~np.isnan(err)]
            assert cell == (f"{checked.max():.2e}" if checked.size else "-")


def test_max_params_checks_a_seeded_subset():
    net, X, y = random_problem("sigmoid", "mse", 3, [4], 2, 4, seed=5)
    before = params_of(net)
    full = gradient_check(net, X, y)
    part = gradient_check(net, X, y, max_params=6, seed=11)
    assert_same_params(net, before)
    assert part.n_checked == 6
    checked = [~np.isnan(n) for n in part.numeric_W + part.numeric_b]
    assert sum(int(c.sum()) for c in checked) == 6
    for c, e in zip(checked, part.rel_error_W + part.rel_error_b):
        np.testing.assert_array_equal(np.isnan(e), ~c)  # unchecked: NaN in both
    # the checked entries equal the full check's; the max is over them only
    full_num = full.numeric_W + full.numeric_b
    full_err = full.rel_error_W + full.rel_error_b
    for c, n, fn in zip(checked, part.numeric_W + part.numeric_b, full_num):
        np.testing.assert_array_equal(n[c], fn[c])
    assert part.max_rel_error == max(e[c].max(initial=0.0) for c, e in zip(checked, full_err))
    # the backprop gradients are all there
    for b, fb in zip(part.backprop_W + part.backprop_b, full.backprop_W + full.backprop_b):
        np.testing.assert_array_equal(b, fb)
    # same seed, same subset; another seed, another subset
    again = gradient_check(net, X, y, max_params=6, seed=11)
    other = gradient_check(net, X, y, max_params=6, seed=12)
    assert all(np.array_equal(np.isnan(a), np.isnan(b))
               for a, b in zip(part.numeric_W + part.numeric_b, again.numeric_W + again.numeric_b))
    assert any(not np.array_equal(np.isnan(a), np.isnan(b))
               for a, b in zip(part.numeric_W + part.numeric_b, other.numeric_W + other.numeric_b))
    # max_params at or above the total checks everything
    assert gradient_check(net, X, y, max_params=10_000).n_checked == net.n_params


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(eps=0.0), ValueError, "eps must be a finite number > 0"),
    (dict(max_params=0), ValueError, "max_params must be an integer >= 1; got 0"),
    (dict(max_params=2.5), TypeError, "max_params must be an integer"),
    (dict(seed=-1), ValueError, "seed must be an integer >= 0; got -1"),
])
def test_gradient_check_rejects_bad_arguments(kwargs, error, message):
    net, X, y = random_problem("tanh", "mse", 2, [3], 1, 3, seed=0)
    with pytest.raises(error, match=message):
        gradient_check(net, X, y, **kwargs)


def test_eps_trade_off_truncation_against_rounding():
    # Truncation error grows like ε², rounding error like eps_mach/ε: both ends lose.
    rng = np.random.default_rng(0)
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=0)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    err = {eps: gradient_check(net, X, y, eps=eps).max_rel_error
           for eps in (1e-1, 1e-3, 1e-6, 1e-12)}
    # measured: 5.9e-2, 5.7e-6, 4.7e-9, 3.2e-3
    assert err[1e-1] > 100 * err[1e-6]
    assert err[1e-12] > 100 * err[1e-6]
    # central differences are second order: 100x smaller ε, ~10^4x smaller truncation error
    assert 1e3 < err[1e-1] / err[1e-3] < 1e5


def test_eps_beyond_the_limit_is_refused_and_the_network_kept():
    net = MLP([2, 2, 1], activation="tanh", loss="mse", seed=0)
    before = [p.copy() for p in net.weights + net.biases]
    for call in (lambda: numeric_gradient(net, [[1.0, 2.0]], [[0.0]], 0, 0, 0, eps=1e308),
                 lambda: gradient_check(net, [[1.0, 2.0]], [[0.0]], eps=2.0)):
        with pytest.raises(ValueError, match=r"eps must be a number in \(0, 1\]"):
            call()
    for p, q in zip(before, net.weights + net.biases):
        np.testing.assert_array_equal(p, q)


def test_relative_error_refuses_a_broadcast_beyond_the_limit():
    with pytest.raises(ValueError, match=r"a and b of shapes \(100000, 1\) and \(1, 100000\) "
                                         r"asks for 10,000,000,000 values.*MAX_BATCH_VALUES"):
        relative_error(np.zeros((100_000, 1)), np.zeros((1, 100_000)))
    with pytest.raises(ValueError, match="shapes that broadcast together"):
        relative_error(np.zeros(3), np.zeros(4))
    np.testing.assert_array_equal(relative_error([[1.0], [0.0]], [1.0, -1.0]),
                                  [[0.0, 1.0], [1.0, 1.0]])
