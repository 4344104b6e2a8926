"""Learning-rate schedules against their formulas, the linear scaling rule, and the
gradient noise of mini-batches against a direct NumPy computation.

The reference values are written out here with ``math`` and NumPy: the
schedule formulas, a forward and backward pass of the 2-4-4-1 tanh/sigmoid
network with binary cross-entropy, and the mean squared distance of
mini-batch gradients from the full-batch gradient over every batch drawn.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.engine.case_study import cosine_lr
from actviz_widgets.engine.schedules import (
    SCHEDULE_NAMES,
    Constant,
    Cosine,
    StepDecay,
    Warmup,
    make_schedule,
    scaled_lr,
    scheduled_steps,
)

# -- schedules against their formulas -------------------------------------------------------


def test_constant_is_constant():
    s = Constant(0.3)
    assert [s(t) for t in (0, 1, 99, 10**6)] == [0.3] * 4


def test_step_decay_drops_by_the_factor_at_each_milestone():
    s = StepDecay(1.0, [3, 5], factor=0.5)
    assert [s(t) for t in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


@pytest.mark.parametrize("T", [1, 7, 260])
def test_cosine_is_the_formula_and_ends_at_final_lr(T):
    s = Cosine(0.5, T, final_lr=0.01)
    for t in range(T + 3):
        want = 0.01 + 0.49 * 0.5 * (1 + math.cos(math.pi * t / T)) if t < T else 0.01
        assert s(t) == pytest.approx(want, rel=1e-14)
    assert s(0) == 0.5


@pytest.mark.parametrize("epochs", [1, 10, 30])
def test_cosine_is_the_case_study_schedule_per_epoch(epochs):
    s = Cosine(0.015, epochs)
    for e in range(epochs):
        assert s(e) == pytest.approx(cosine_lr(0.015, e, epochs), rel=1e-15)


def test_warmup_ramps_linearly_then_runs_the_schedule_shifted():
    T, W, lr = 50, 5, 0.8
    s = make_schedule("warmup_cosine", lr, T, warmup_steps=W)
    assert isinstance(s, Warmup)
    for t in range(T):
        if t < W:
            want = lr * (t + 1) / W
        else:
            want = lr * 0.5 * (1 + math.cos(math.pi * (t - W) / (T - W)))
        assert s(t) == pytest.approx(want, rel=1e-14)
    assert s(W - 1) == lr and s(W) == lr


def test_make_schedule_step_milestones_at_half_and_three_quarters():
    s = make_schedule("step", 2.0, 260)
    values = s.values(260)
    assert np.all(values[:130] == 2.0)
    np.testing.assert_allclose(values[130:195], 0.2, rtol=1e-15)
    np.testing.assert_allclose(values[195:], 0.02, rtol=1e-15)


def test_every_named_schedule_starts_at_or_below_lr_and_stays_positive():
    for name in SCHEDULE_NAMES:
        s = make_schedule(name, 0.1, 40, warmup_steps=4)
        values = s.values(40)
        assert values.max() == pytest.approx(0.1) and values.min() > 0, name


def test_scaled_lr_is_the_linear_rule():
    assert scaled_lr(0.3, 8, 32) == pytest.approx(0.075)
    assert scaled_lr(0.3, 100, 32) == pytest.approx(0.9375)
    assert scaled_lr(0.3, 32, 32) == 0.3


@pytest.mark.parametrize("make, error, words", [
    (lambda: Constant(0.0), ValueError, "lr"),
    (lambda: Constant("0.1"), TypeError, "lr"),
    (lambda: StepDecay(0.1, [5, 3]), ValueError, "milestones must increase"),
    (lambda: StepDecay(0.1, 5), TypeError, "milestones"),
    (lambda: StepDecay(0.1, [5], factor=1.5), ValueError, "factor"),
    (lambda: Cosine(0.1, 0), ValueError, "total_steps"),
    (lambda: Cosine(0.1, 10, final_lr=0.2), ValueError, "final_lr"),
    (lambda: Warmup(0.1, 3), TypeError, "after must be a Schedule"),
    (lambda: make_schedule("linear", 0.1, 10), ValueError, "name"),
    (lambda: make_schedule("warmup_cosine", 0.1, 10), ValueError, "warmup_steps"),
    (lambda: make_schedule("warmup_cosine", 0.1, 10, warmup_steps=10), ValueError,
     "warmup_steps"),
    (lambda: Constant(0.1)(-1), ValueError, "t"),
    (lambda: scaled_lr(0.1, 0, 32), ValueError, "batch_size"),
])
def test_bad_arguments_are_refused_by_name(make, error, words):
    with pytest.raises(error, match=words):
        make()


# -- a trainer driven by a schedule -----------------------------------------------------------


def _xor():
    data = av.make_dataset("xor", n_samples=200, noise=0.1, seed=0)
    net = av.MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce",
                 seed=0)
    return net, data


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_grads(weights, biases, X, y):
    """Forward and backward of the 2-4-4-1 tanh/tanh/sigmoid network, mean BCE, by hand."""
    a = [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = a[-1] @ W + b
        a.append(_sig(z) if l == len(weights) - 1 else np.tanh(z))
    n = X.shape[0]
    delta = (a[-1] - y) / n  # sigmoid + BCE: δ = (ŷ − y) / N for the mean loss
    dW, db = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        dW[l] = a[l].T @ delta
        db[l] = delta.sum(axis=0)
        if l:
            delta = (delta @ weights[l].T) * (1 - a[l] ** 2)
    return dW, db


def test_scheduled_steps_equal_a_hand_loop_with_the_formula():
    net, data = _xor()
    W, b = net.get_params()
    s = make_schedule("cosine", 0.9, 30)
    trainer = av.Trainer(net, data, lr=0.1, batch_size=8, seed=3)
    scheduled_steps(trainer, s, 30)
    # by hand: the same batch order (rng([seed, epoch]).permutation), lr from the formula
    X, y = data.X_train, data.y_train
    t = 0
    for epoch in range(3):
        order = np.random.default_rng([3, epoch]).permutation(len(X))
        for start in range(0, len(X), 8):
            if t == 30:
                break
            idx = order[start:start + 8]
            dW, db = ref_grads(W, b, X[idx], y[idx])
            lr = 0.9 * 0.5 * (1 + math.cos(math.pi * t / 30))
            W = [w - lr * g for w, g in zip(W, dW)]
            b = [v - lr * g for v, g in zip(b, db)]
            t += 1
    for got, want in zip(net.weights + net.biases, W + b):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    assert trainer.lr == pytest.approx(0.9 * 0.5 * (1 + math.cos(math.pi * 29 / 30)))


# -- gradient noise against a direct computation ---------------------------------------------


def test_per_sample_gradients_are_each_samples_own_gradient():
    net, data = _xor()
    X, y = data.X_train[:12], data.y_train[:12]
    rows = av.per_sample_gradients(net, X, y)
    W, b = net.get_params()
    for i in range(12):
        dW, db = ref_grads(W, b, X[i:i + 1], y[i:i + 1])
        want = np.concatenate([d.ravel() for d in dW] + [d.ravel() for d in db])
        np.testing.assert_allclose(rows[i], want, rtol=1e-10, atol=1e-14)


def test_expected_noise_equals_the_mean_over_every_batch():
    """For N = 6 every batch of B can be listed: the exact mean equals the formula."""
    from itertools import combinations
    net, data = _xor()
    X, y = data.X_train[:6], data.y_train[:6]
    W, b = net.get_params()
    flat = lambda dW, db: np.concatenate([d.ravel() for d in dW] + [d.ravel() for d in db])
    g = flat(*ref_grads(W, b, X, y))
    noise = av.gradient_noise(net, X, y, [1, 2, 3, 6], n_batches=1)
    for B, exact in zip((1, 2, 3, 6), noise.expected):
        d2 = [np.sum((flat(*ref_grads(W, b, X[list(c)], y[list(c)])) - g) ** 2)
              for c in combinations(range(6), B)]
        assert exact == pytest.approx(np.mean(d2), rel=1e-10, abs=1e-15)
    assert noise.full_norm2 == pytest.approx(g @ g, rel=1e-12)


def test_measured_noise_is_the_mean_over_the_sampled_batches():
    net, data = _xor()
    X, y = data.X_train, data.y_train
    W, b = net.get_params()
    flat = lambda dW, db: np.concatenate([d.ravel() for d in dW] + [d.ravel() for d in db])
    g = flat(*ref_grads(W, b, X, y))
    noise = av.gradient_noise(net, X, y, [1, 8, 32], n_batches=200, seed=5)
    rng = np.random.default_rng(5)  # the batches gradient_noise draws, in its order
    for B, got in zip((1, 8, 32), noise.measured):
        d2 = []
        for _ in range(200):
            idx = rng.choice(len(X), size=B, replace=False)
            d2.append(np.sum((flat(*ref_grads(W, b, X[idx], y[idx])) - g) ** 2))
        assert got == pytest.approx(np.mean(d2), rel=1e-9)
    # and it falls like 1/B, as the exact value does (within sampling error)
    np.testing.assert_allclose(noise.measured, noise.expected, rtol=0.25)
    B = noise.batch_sizes
    S = noise.per_sample
    np.testing.assert_allclose(noise.expected, (100 - B) / 99 * S / B, rtol=1e-12)


def test_gradient_noise_refuses_a_batch_larger_than_the_data():
    net, data = _xor()
    with pytest.raises(ValueError, match="batch_sizes"):
        av.gradient_noise(net, data.X_train, data.y_train, [101])
