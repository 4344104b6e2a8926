"""Diagnostics against hand-built networks with known answers and the Trainer's records."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.activations import get_activation
from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.diagnostics import (
    EXPLODING_RATIO,
    VANISHING_RATIO,
    active_share,
    dead_fraction,
    dead_units,
    gradient_flow,
    gradient_norms,
    histogram,
    histograms,
    neuron_delta,
    no_gradient_units,
    saturated_fraction,
    snapshot_trace,
)
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.training import Trainer


def with_params(net, weights, biases):
    net.set_params([np.array(w, dtype=float) for w in weights],
                   [np.array(b, dtype=float) for b in biases])
    return net


# -- gradient norms -------------------------------------------------------------------------
def test_gradient_norms_are_frobenius_norms_and_match_the_trainer_history():
    ds = make_dataset("circles", seed=3)
    net = MLP([2, 5, 4, 1], activation="tanh", loss="bce", seed=2)
    twin = net.copy()
    trace, grads = twin.loss_and_gradients(ds.X_train, ds.y_train)
    d, w = gradient_norms(grads)
    np.testing.assert_allclose(d, [np.sqrt((grads.delta[l] ** 2).sum()) for l in (1, 2, 3)],
                               rtol=1e-12)
    np.testing.assert_allclose(w, [np.sqrt((grads.dW[l] ** 2).sum()) for l in (0, 1, 2)],
                               rtol=1e-12)
    trainer = Trainer(net, ds, lr=0.1)  # full batch: row 1 is the gradient at the start
    trainer.step()
    np.testing.assert_array_equal(d, trainer.history.grad_norm_delta[0])
    np.testing.assert_array_equal(w, trainer.history.grad_norm_W[0])


def sigmoid_chain(ws):
    """A 1-neuron-wide sigmoid chain whose every pre-activation is 0 for the input 0.

    Bias b_l = -w_l / 2 cancels the previous layer's sigmoid(0) = 1/2, so
    f′(z) = 1/4 exactly at every layer and δ_l = δ_{l+1} · w_l / 4 exactly.
    """
    n = len(ws)
    net = MLP([1] * (n + 1), activation="sigmoid", output_activation="linear", loss="mse")
    biases = [[0.0]] + [[-w / 2] for w in ws[1:]]
    return with_params(net, [[[w]] for w in ws], biases)


def test_deep_sigmoid_chain_shrinks_by_exactly_the_derivative_bound_at_z_zero():
    ws = [1.5, -2.0, 0.8, 3.0, -1.2, 2.5, 0.6]
    net = sigmoid_chain(ws)
    trace, grads = net.loss_and_gradients([[0.0]], [[1.0]])
    for l in range(1, len(ws)):
        np.testing.assert_allclose(trace.z[l], 0.0, atol=1e-15)
        np.testing.assert_allclose(trace.dadz[l], 0.25, rtol=1e-15)
    d, _ = gradient_norms(grads)
    # ‖δ_l‖ = ‖δ_{l+1}‖ · |w_l| · 1/4, layer by layer (ws[l] connects layer l to l + 1)
    for l in range(1, len(ws)):
        assert d[l - 1] == pytest.approx(d[l] * abs(ws[l]) / 4, rel=1e-12)
    assert d[0] / d[-1] == pytest.approx(np.prod(np.abs(ws[1:])) / 4 ** (len(ws) - 1), rel=1e-12)


def test_deep_sigmoid_chain_shrink_is_bounded_by_max_derivative_times_weight_norm():
    rng = np.random.default_rng(7)
    sizes = [3, 6, 6, 6, 6, 6, 6, 6, 6, 1]
    net = MLP(sizes, activation="sigmoid", loss="bce", init="xavier", seed=5)
    X = rng.normal(size=(40, 3))
    y = (rng.random((40, 1)) > 0.5).astype(float)
    _, grads = net.loss_and_gradients(X, y)
    d, _ = gradient_norms(grads)
    L = net.n_layers
    bounds = []
    for l in range(1, L):
        # δ_l = (δ_{l+1} W_lᵀ) ⊙ f′(z_l), with 0 < f′ ≤ 1/4 for the sigmoid and the
        # spectral norm ‖W‖₂ <= the Frobenius norm
        spectral = np.linalg.norm(net.weights[l], 2)
        assert spectral <= np.linalg.norm(net.weights[l]) + 1e-12
        factor = spectral / 4
        assert d[l - 1] <= d[l] * factor * (1 + 1e-12)
        bounds.append(factor)
    # over the whole chain: at least the product of the per-layer bounds
    assert d[0] / d[-1] <= np.prod(bounds) * (1 + 1e-9)
    _, verdict = gradient_flow(d)
    assert np.prod(bounds) < VANISHING_RATIO and verdict == "vanishing"


def test_gradient_flow_verdicts():
    assert gradient_flow([1e-5, 1.0]) == (1e-5, "vanishing")
    assert gradient_flow([300.0, 1.0]) == (300.0, "exploding")
    assert gradient_flow([0.5, 1.0]) == (0.5, "healthy")
    assert gradient_flow([VANISHING_RATIO, 1.0])[1] == "healthy"
    assert gradient_flow([EXPLODING_RATIO, 1.0])[1] == "healthy"
    assert gradient_flow([0.0, 2.0]) == (0.0, "no gradient")
    ratio, verdict = gradient_flow([1.0, 0.0])
    assert math.isnan(ratio) and verdict == "no gradient"
    assert gradient_flow([math.inf, 1.0]) == (math.inf, "exploding")
    assert gradient_flow([math.nan, 1.0]) == (math.inf, "exploding")
    with pytest.raises(ValueError, match="delta_norms"):
        gradient_flow([])


def test_neuron_delta_is_the_mean_absolute_delta_per_neuron():
    net = MLP([2, 3, 2], activation="tanh", loss="mse", seed=1)
    X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.2]])
    _, grads = net.loss_and_gradients(X, np.zeros((3, 2)))
    per = neuron_delta(grads)
    assert per[0] is None and len(per) == 3
    for l in (1, 2):
        expected = [sum(abs(grads.delta[l][i, j]) for i in range(3)) / 3
                    for j in range(net.sizes[l])]
        np.testing.assert_allclose(per[l], expected, rtol=1e-12)


# -- dead units -------------------------------------------------------------------------------
def test_a_layer_forced_dead_by_a_bias():
    net = MLP([2, 3, 3, 1], activation="relu", loss="bce", seed=0)
    w, _ = net.get_params()
    with_params(net, w, [[-100.0] * 3, [0.5, -0.5, 0.0], [0.0]])
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    trace = net.forward(X)
    dead = dead_units(trace)
    # layer 1 never fires; layer 2 sees zeros, so its bias alone decides (0 counts as dead)
    np.testing.assert_array_equal(dead[0], [True, True, True])
    np.testing.assert_array_equal(dead[1], [False, True, True])
    np.testing.assert_array_equal(dead_fraction(trace), [1.0, 2 / 3])
    for got, want in zip(no_gradient_units(trace), dead):  # ReLU: dead = no gradient
        np.testing.assert_array_equal(got, want)
    share = active_share(trace)
    np.testing.assert_array_equal(share[0], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(share[1], [1.0, 0.0, 0.0])
    # and no gradient reaches the weights into a dead layer
    grads = net.backward(trace, np.ones((50, 1)))
    assert not grads.dW[0].any() and not grads.db[0].any()
    # the Trainer counts the same units
    trainer = Trainer(net, (X, np.ones((50, 1))), lr=1e-3)
    trainer.step()
    assert trainer.history.dead_fraction[0] == pytest.approx([1.0, 2 / 3])


def test_leaky_relu_units_with_negative_z_are_dead_but_pass_gradient():
    net = MLP([1, 3, 1], activation="leaky_relu", loss="mse", seed=0)
    # unit 1: z = x (alive on x > 0), unit 2: z = -x - 1 (never > 0 on [0, 1]), unit 3: z = 0
    with_params(net, [[[1.0, -1.0, 0.0]], [[1.0], [1.0], [1.0]]], [[0.0, -1.0, 0.0], [0.0]])
    X = np.linspace(0.0, 1.0, 11)[:, None]
    trace = net.forward(X)
    np.testing.assert_array_equal(dead_units(trace)[0], [False, True, True])
    np.testing.assert_array_equal(no_gradient_units(trace)[0], [False, False, False])
    np.testing.assert_allclose(active_share(trace)[0], [10 / 11, 0.0, 0.0])
    relu = net.copy()
    relu.activations = [get_activation("relu"), relu.activations[-1]]
    np.testing.assert_array_equal(no_gradient_units(relu.forward(X))[0], [False, True, True])


def test_saturated_fraction_counts_small_derivatives():
    net = MLP([1, 4, 1], activation="tanh", loss="mse", seed=0)
    with_params(net, [[[1.0, 3.0, -3.0, 0.1]], np.ones((4, 1))], [[0.0] * 4, [0.0]])
    X = np.array([[1.0], [-1.0], [0.5]])
    z = X * np.array([1.0, 3.0, -3.0, 0.1])
    small = (1 - np.tanh(z) ** 2) < 0.05
    got = saturated_fraction(net.forward(X))
    # saturated: |z| = 3 on the first two samples (1 − tanh²(1.5) = 0.18 is not)
    assert small.sum() == 4 and got[0] == pytest.approx(4 / 12)
    assert got[1] == 0.0  # a linear output: f′ = 1 everywhere
    assert saturated_fraction(net.forward(X), threshold=1.0)[0] == pytest.approx(
        ((1 - np.tanh(z) ** 2) < 1.0).mean())
    with pytest.raises(ValueError, match="threshold"):
        saturated_fraction(net.forward(X), threshold=-1)


# -- histograms and snapshots -----------------------------------------------------------------
def test_histogram_shares_and_values_outside_the_range():
    values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, -3.0, 0.25])
    shares, below, above = histogram(values, -1.0, 1.0, 4)
    # bins [-1, -.5), [-.5, 0), [0, .5), [.5, 1] (the last one closed)
    np.testing.assert_allclose(shares, np.array([1, 1, 2, 2]) / 8)
    assert below == 1 / 8 and above == 1 / 8
    assert histogram([], 0.0, 1.0, 3)[0].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="low and high"):
        histogram(values, 1.0, 1.0, 4)
    with pytest.raises(ValueError, match="bins"):
        histogram(values, 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="values"):
        histogram([np.nan], 0.0, 1.0, 2)


def test_snapshot_trace_uses_the_snapshot_and_leaves_the_net_alone():
    ds = make_dataset("moons", seed=1)
    net = MLP([2, 4, 1], activation="tanh", loss="bce", seed=4)
    trainer = Trainer(net, ds, lr=0.5, snapshot_every=5)
    trainer.step(10)
    now = net.get_params()
    snap = trainer.history.snapshots[5]
    twin = MLP([2, 4, 1], activation="tanh", loss="bce", seed=4)
    twin.set_params(snap.weights, snap.biases)
    expected = twin.forward(ds.X_train)
    for trace in (snapshot_trace(net, snap, ds.X_train),
                  snapshot_trace(net, (snap.weights, snap.biases), ds.X_train)):
        for l in (1, 2):
            np.testing.assert_array_equal(trace.z[l], expected.z[l])
    for a, b in zip(net.get_params()[0], now[0]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="snapshot"):
        snapshot_trace(net, [1, 2, 3], ds.X_train)
    with pytest.raises(TypeError, match="net"):
        snapshot_trace("net", snap, ds.X_train)


def test_functions_reject_what_is_not_a_trace_or_gradients():
    with pytest.raises(TypeError, match="trace"):
        dead_units("z")
    with pytest.raises(TypeError, match="grads"):
        gradient_norms(None)


def test_histograms_count_like_numpy_histogram_at_every_edge():
    rng = np.random.default_rng(2)
    lo, hi, bins = -1.3, 2.1, 17
    edges = np.linspace(lo, hi, bins + 1)
    samples = [rng.normal(0.4, 1.2, 500),
               np.concatenate([edges, np.nextafter(edges, -np.inf),
                               np.nextafter(edges, np.inf)]),  # on and beside every edge
               np.empty(0), rng.uniform(lo, hi, (7, 9))]
    fractions, below, above = histograms(samples, lo, hi, bins)
    for i, v in enumerate(samples):
        v = np.ravel(v)
        counts, _ = np.histogram(v, bins=bins, range=(lo, hi))
        n = max(v.size, 1)
        np.testing.assert_array_equal(fractions[i], counts / n)
        assert below[i] == np.count_nonzero(v < lo) / n
        assert above[i] == np.count_nonzero(v > hi) / n
    assert histograms([], 0.0, 1.0, 3)[0].shape == (0, 3)


def test_histograms_refuse_bins_beyond_the_limit_and_non_numbers():
    with pytest.raises(ValueError, match=r"bins must be an integer between 1 and 10000"):
        histograms([np.zeros(3)], 0.0, 1.0, 10**9)
    with pytest.raises(TypeError, match="low must be a real number"):
        histograms([np.zeros(3)], "0", 1.0, 4)
    with pytest.raises(TypeError, match=r"samples\[1\] must be an array of real numbers; got "
                                        "booleans"):
        histograms([np.zeros(3), np.ones(2, dtype=bool)], 0.0, 1.0, 4)
    with pytest.raises(TypeError, match="samples must be a list of arrays"):
        histograms(np.zeros(3), 0.0, 1.0, 4)
    fractions, below, above = histograms([[0.1, 0.6, 2.0]], 0.0, 1.0, 2)
    np.testing.assert_array_equal(fractions, [[1 / 3, 1 / 3]])
    assert below[0] == 0.0 and above[0] == 1 / 3
