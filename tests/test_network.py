"""The MLP's API, conventions, numerics and bad-input behaviour.

Backprop against finite differences for every activation × loss lives in
test_gradcheck.py; here the forward pass, the losses' exact output deltas and
the update rule are checked against independent hand computations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.engine.network import MLP


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture
def xor_batch():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (20, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    return X, y


def test_issue_spellings_work(xor_batch):
    X, y = xor_batch
    net = av.MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    tr = net.forward(X)
    g = net.backward(tr, y)
    assert isinstance(g.loss, float)
    net.step(g, lr=0.1)
    net2 = av.MLP([64, 32, 10], activation=["relu"], output_activation="linear",
                  loss="cross_entropy", seed=1)
    assert [w.shape for w in net2.weights] == [(64, 32), (32, 10)]
    assert [b.shape for b in net2.biases] == [(32,), (10,)]


def test_forward_matches_hand_computation(xor_batch):
    X, _ = xor_batch
    net = MLP([2, 4, 3, 1], activation=["tanh", "relu"], output_activation="sigmoid",
              loss="bce", seed=5)
    for l in range(3):
        net.biases[l] += 0.1 * (l + 1)
    tr = net.forward(X)
    assert tr.a[0] is X and tr.z[0] is None and tr.dadz[0] is None
    a1 = np.tanh(X @ net.weights[0] + net.biases[0])
    z2 = a1 @ net.weights[1] + net.biases[1]
    a2 = np.where(z2 > 0, z2, 0.0)
    z3 = a2 @ net.weights[2] + net.biases[2]
    a3 = sigmoid(z3)
    np.testing.assert_allclose(tr.a[1], a1, rtol=1e-13)
    np.testing.assert_allclose(tr.z[2], z2, rtol=1e-13)
    np.testing.assert_allclose(tr.a[2], a2, rtol=1e-13)
    np.testing.assert_allclose(tr.a[3], a3, rtol=1e-13)
    np.testing.assert_allclose(tr.dadz[1], 1 - a1 ** 2, rtol=1e-12)
    np.testing.assert_array_equal(tr.dadz[2], (z2 > 0).astype(float))
    np.testing.assert_allclose(tr.dadz[3], a3 * (1 - a3), rtol=1e-12)
    assert tr.n_layers == 3 and tr.n_samples == 20 and tr.output is tr.a[3]


def test_backward_chain_rule_by_hand(xor_batch):
    X, y = xor_batch
    net = MLP([2, 3, 1], activation="tanh", output_activation="linear", loss="mse", seed=2)
    tr = net.forward(X)
    g = net.backward(tr, y)
    n = len(X)
    resid = tr.a[2] - y
    assert g.loss == pytest.approx(np.mean(resid ** 2), rel=1e-14)
    d2 = 2 * resid / n
    np.testing.assert_allclose(g.dL_da[2], d2, rtol=1e-13)
    np.testing.assert_allclose(g.delta[2], d2, rtol=1e-13)  # linear output: f' = 1
    dl_da1 = d2 @ net.weights[1].T
    np.testing.assert_allclose(g.dL_da[1], dl_da1, rtol=1e-13)
    np.testing.assert_allclose(g.delta[1], dl_da1 * (1 - tr.a[1] ** 2), rtol=1e-13)
    np.testing.assert_allclose(g.dW[0], X.T @ g.delta[1], rtol=1e-13)
    np.testing.assert_allclose(g.db[1], d2.sum(0), rtol=1e-13)
    assert g.dL_da[0] is None and g.delta[0] is None
    g_in = net.backward(tr, y, input_grad=True)
    np.testing.assert_allclose(g_in.dL_da[0], g.delta[1] @ net.weights[0].T, rtol=1e-13)


def test_bce_is_stable_for_saturated_logits():
    net = MLP([1, 1], activation=[], output_activation="sigmoid", loss="bce")
    net.set_params([np.array([[1.0]])], [np.array([0.0])])
    X = np.array([[1000.0], [-1000.0], [0.0], [30.0]])
    y = np.array([[0.0], [0.0], [1.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        tr = net.forward(X)
        g = net.backward(tr, y)
    # per-sample losses: softplus(z) - y z = 1000, ~0, ln 2, ln(1 + e^-30)
    expected = (1000.0 + 0.0 + math.log(2.0) + math.log1p(math.exp(-30.0))) / 4
    assert g.loss == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(g.delta[1], (tr.a[1] - y) / 4, rtol=0, atol=0)
    assert g.delta[1][0, 0] == 0.25 and g.delta[1][1, 0] == 0.0
    assert tr.a[1][0, 0] == 1.0 and tr.a[1][1, 0] == 0.0
    # dL/da = ((1 - y)/(1 - p) - y/p) / n: exactly 1/4 at z = -1000, y = 0 (p -> 0),
    # -2/4 at z = 0, y = 1, and -(1 + e^-30)/4 at z = 30, y = 1; huge but finite at z = 1000
    np.testing.assert_allclose(g.dL_da[1][1:, 0], [0.25, -0.5, -(1 + math.exp(-30)) / 4],
                               rtol=1e-14)
    assert 1e300 < g.dL_da[1][0, 0] < np.inf


def test_bce_loss_matches_definition_for_moderate_logits(xor_batch):
    X, y = xor_batch
    net = MLP([2, 5, 1], activation="tanh", loss="bce", seed=4)
    tr = net.forward(X)
    p = tr.a[2]
    reference = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert net.backward(tr, y).loss == pytest.approx(reference, rel=1e-12)
    # dL/da = (p - y) / (p (1 - p)) / n, from the definition
    np.testing.assert_allclose(net.backward(tr, y).dL_da[2], (p - y) / (p * (1 - p)) / len(X),
                               rtol=1e-10)


def test_cross_entropy_labels_and_one_hot_agree():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    labels = np.array([0, 1, 2, 3, 0, 1, 2])
    net = MLP([3, 5, 4], activation="relu", loss="cross_entropy", seed=9)
    assert net.activations[-1].name == "linear"
    tr = net.forward(X)
    g = net.backward(tr, labels)
    z = tr.z[2]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert g.loss == pytest.approx(-np.mean(np.log(p[np.arange(7), labels])), rel=1e-13)
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(g.delta[2], (p - onehot) / 7, rtol=1e-12, atol=1e-16)
    g2 = net.backward(tr, onehot)
    assert g2.loss == pytest.approx(g.loss, rel=1e-14)
    np.testing.assert_allclose(g2.dW[0], g.dW[0], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(net.predict(X), p, rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    net = MLP([1, 3], activation=[], loss="cross_entropy")
    net.set_params([np.array([[1000.0, 0.0, -1000.0]])], [np.zeros(3)])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = net.backward(net.forward([[1.0]]), [2])
    assert g.loss == pytest.approx(2000.0, rel=1e-14)
    np.testing.assert_array_equal(g.delta[1], [[1.0, 0.0, -1.0]])


def test_same_seed_same_network_and_known_values():
    a, b = MLP([2, 4, 1], seed=7), MLP([2, 4, 1], seed=7)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(MLP([2, 4, 1], seed=8).weights[0], a.weights[0])
    # PCG64 + standard_normal are platform independent: pin the numbers
    expected = np.random.default_rng(7).standard_normal((2, 4)) * math.sqrt(2 / 6)
    np.testing.assert_array_equal(a.weights[0], expected)


@pytest.mark.parametrize("init,act,std", [
    ("xavier", "tanh", math.sqrt(2 / (400 + 300))),
    ("he", "relu", math.sqrt(2 / 400)),
    ("normal", "tanh", 1.0),
])
def test_initialiser_spread(init, act, std):
    net = MLP([400, 300, 1], activation=act, init=init, weight_scale=2.0, seed=0)
    assert net.weights[0].std() == pytest.approx(2.0 * std, rel=0.01)
    assert np.all(net.biases[0] == 0)


def test_auto_init_uses_he_for_relu_and_xavier_for_tanh():
    assert MLP([3, 4, 1], activation="relu").layer_init(0) == "he"
    assert MLP([3, 4, 1], activation="tanh").layer_init(0) == "xavier"


def test_step_is_gradient_descent_with_weight_decay(xor_batch):
    X, y = xor_batch
    net = MLP([2, 3, 1], loss="bce", seed=1)
    before_w, before_b = net.get_params()
    g = net.backward(net.forward(X), y)
    net.step(g, lr=0.5, weight_decay=0.1)
    for l in range(2):
        np.testing.assert_allclose(net.weights[l],
                                   before_w[l] - 0.5 * (g.dW[l] + 0.1 * before_w[l]), rtol=1e-14)
        np.testing.assert_allclose(net.biases[l], before_b[l] - 0.5 * g.db[l], rtol=1e-14)


def test_non_finite_gradients_leave_weights_unchanged(xor_batch):
    X, y = xor_batch
    net = MLP([2, 3, 1], loss="bce", seed=1)
    g = net.backward(net.forward(X), y)
    g.dW[1][0, 0] = np.nan
    before = net.get_params()[0]
    with pytest.raises(FloatingPointError, match="not finite"):
        net.step(g, lr=0.1)
    for w, b in zip(net.weights, before):
        np.testing.assert_array_equal(w, b)


def test_buffer_reuse_gives_identical_results(xor_batch):
    X, y = xor_batch
    net = MLP([2, 4, 4, 1], activation="gelu", loss="bce", seed=3)
    tr = net.forward(X)
    g = net.backward(tr, y)
    fresh_tr = net.forward(X * 0.5)
    fresh_g = net.backward(fresh_tr, y)
    tr2 = net.forward(X * 0.5, out=tr)
    g2 = net.backward(tr2, y, out=g)
    assert tr2 is tr and g2 is g
    for l in range(1, 4):
        np.testing.assert_array_equal(tr.a[l], fresh_tr.a[l])
        np.testing.assert_array_equal(g.delta[l], fresh_g.delta[l])
        np.testing.assert_array_equal(g.dW[l - 1], fresh_g.dW[l - 1])
    assert g.loss == fresh_g.loss


def test_copy_is_independent():
    net = MLP([2, 3, 1], seed=0)
    twin = net.copy()
    twin.weights[0][0, 0] += 1.0
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
    assert twin.config() == net.config()


def test_single_sample_vector_is_accepted():
    net = MLP([2, 3, 1], seed=0)
    tr = net.forward([0.5, -0.5])
    assert tr.a[0].shape == (1, 2)


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(sizes=[2]), ValueError, "at least an input and an output"),
    (dict(sizes=[2, 0, 1]), ValueError, r"sizes\[1\] must be an integer between 1 and 10000; got 0"),
    (dict(sizes=[2, 2.5, 1]), TypeError, r"sizes\[1\] must be an integer"),
    (dict(sizes="2,1"), TypeError, "sizes must be a list"),
    (dict(sizes=[2, 1], activation="nope"), ValueError, None),
    (dict(sizes=[2, 3, 1], activation="swish"), ValueError,
     r"unknown activation 'swish'; expected one of \['elu', 'gelu'"),
    (dict(sizes=[2, 3, 3, 1], activation=["tanh"]), ValueError, "list of 2 names"),
    (dict(sizes=[2, 1], loss="hinge"), ValueError,
     r"unknown loss 'hinge'; expected one of \['bce', 'cross_entropy', 'mse'\]"),
    (dict(sizes=[2, 1], loss="bce", output_activation="tanh"), ValueError,
     "output_activation must be 'sigmoid' with the 'bce' loss"),
    (dict(sizes=[2, 3], loss="cross_entropy", output_activation="sigmoid"), ValueError,
     "output_activation must be 'linear'"),
    (dict(sizes=[2, 1], init="glorot"), ValueError, "unknown init 'glorot'"),
    (dict(sizes=[2, 1], weight_scale=0), ValueError, "weight_scale must be a finite number > 0"),
    (dict(sizes=[2, 1], seed=-1), ValueError, "seed must be an integer >= 0"),
])
def test_bad_constructor_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MLP(**kwargs)


def test_bad_data_is_rejected_with_clear_messages():
    net = MLP([2, 3, 1], loss="bce", seed=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\).*got \(4, 3\)"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="X must hold only finite values; got 1 NaN"):
        net.forward(np.array([[0.0, np.nan]]))
    with pytest.raises(TypeError, match="X must be an array of real numbers"):
        net.forward("abc")
    tr = net.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"y must have shape \(4, 1\)"):
        net.backward(tr, np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        net.backward(tr, np.full((4, 1), 2.0))
    with pytest.raises(ValueError, match="y must hold only finite values"):
        net.backward(tr, np.array([[0.0], [np.inf], [0.0], [1.0]]))
    with pytest.raises(ValueError, match="lr must be a finite number > 0; got -0.1"):
        net.step(net.backward(tr, np.zeros((4, 1))), lr=-0.1)
    ce = MLP([2, 3], loss="cross_entropy")
    trc = ce.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 2\] for 3 classes; got values from 0 to 3"):
        ce.backward(trc, [0, 3])
    with pytest.raises(ValueError, match="non-integer"):
        ce.backward(trc, [0.5, 1.0])
    with pytest.raises(ValueError, match="needs at least 2 output neurons"):
        MLP([2, 1], loss="cross_entropy", output_activation="linear").backward(
            MLP([2, 1]).forward([[0.0, 0.0]]), [0])


def test_set_params_rejects_bad_arrays_and_changes_nothing():
    net = MLP([2, 3, 1], seed=0)
    before = net.get_params()
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(3, 1\)"):
        net.set_params([np.ones((2, 3)), np.ones((2, 1))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"biases\[0\] must hold only finite values"):
        net.set_params([np.ones((2, 3)), np.ones((3, 1))], [np.full(3, np.nan), np.zeros(1)])
    for w, b in zip(net.weights, before[0]):
        np.testing.assert_array_equal(w, b)


# -- what the network checks at its boundary -----------------------------------------------

def test_parameters_are_one_buffer_and_replaced_arrays_are_still_checked(xor_batch):
    X, y = xor_batch
    net = MLP([2, 3, 1], activation="tanh", loss="bce", seed=1)
    expected = net.forward(X).output.copy()
    net.check_params()
    # an array replaced by hand (not through set_params) is checked on its own
    net.weights[0] = net.weights[0].copy()
    np.testing.assert_array_equal(net.forward(X).output, expected)
    net.weights[0] = net.weights[0].astype(np.float32)
    with pytest.raises(TypeError, match=r"net\.weights\[0\] must be a float64 array of shape "
                                        r"\(2, 3\); got an array of shape \(2, 3\) and dtype "
                                        "float32"):
        net.forward(X)
    net.weights = net.weights[:1]
    with pytest.raises(TypeError, match=r"net\.weights must be a list of 2 arrays; got a list "
                                        "of 1"):
        net.forward(X)


def test_a_huge_but_finite_weight_is_not_mistaken_for_a_non_finite_one():
    net = MLP([1, 1], activation=[], loss="mse")
    net.set_params([[[1e200]]], [[0.0]])  # its square overflows: the exact check decides
    net.check_params()
    assert net.forward([[1e-190]]).output[0, 0] == pytest.approx(1e10)


def test_step_counts_updates_and_a_bound_decides_the_careful_path():
    net = MLP([1, 1], activation=[], loss="mse")
    net.set_params([[[2.0]]], [[0.5]])
    g = net.backward(net.forward([[3.0]]), [[1.0]])  # dL/dw = 2 (wx + b - y) x = 33
    net.step(g, lr=0.01)
    assert net.weights[0][0, 0] == 2.0 - 0.01 * 33.0 and net.biases[0][0] == 0.5 - 0.01 * 11.0
    assert net.n_updates == 1
    # 1e200 · 1e100 fits in float64 but is beyond the fast bound: computed aside, then kept
    net.set_params([[[1e200]]], [[0.0]])
    g = av.Gradients(0.0, [None, None], [None, None], [np.array([[-1e100]])], [np.array([1.0])])
    net.step(g, lr=1e100)
    assert net.weights[0][0, 0] == 1e200 + 1e200 and net.n_updates == 2
    g.dW[0][0, 0] = -1e300  # now 1e200 + 1e100 · 1e300 overflows: refused
    with pytest.raises(FloatingPointError, match=r"weights\[0\] − 1e\+100·dW\[0\] goes beyond"):
        net.step(g, lr=1e100)
    assert net.weights[0][0, 0] == 2e200 and net.n_updates == 2


def test_gradients_given_as_lists_are_converted_and_bad_ones_named():
    net = MLP([2, 2], activation=[], loss="mse")
    net.set_params([np.eye(2)], [np.zeros(2)])
    g = av.Gradients(0.0, [None, None], [None, None], [[[1, 0], [0, 1]]], [[1, 1]])
    net.step(g, lr=0.5)  # lists of integers are real numbers
    np.testing.assert_array_equal(net.weights[0], 0.5 * np.eye(2))
    np.testing.assert_array_equal(net.biases[0], [-0.5, -0.5])
    g.db = [[True, 1]]
    with pytest.raises(TypeError, match=r"grads\.db\[0\] must be an array of real numbers; got "
                                        "booleans"):
        net.step(g, lr=0.5)
    g.db = "not a list"
    with pytest.raises(ValueError, match=r"grads\.db must be a list of 1 arrays"):
        net.step(g, lr=0.5)
    np.testing.assert_array_equal(net.weights[0], 0.5 * np.eye(2))


def test_unchecked_forward_equals_checked_and_foreign_buffers_are_not_reused(xor_batch):
    X, _ = xor_batch
    net = MLP([2, 4, 1], activation="relu", loss="bce", seed=2)
    other = MLP([2, 5, 1], activation="relu", loss="bce", seed=2)  # same depth, other widths
    checked = net.forward(X)
    fast = net.forward(X, check=False)
    for a, b in zip(checked.a, fast.a):
        np.testing.assert_array_equal(a, b)
    foreign = other.forward(X)
    tr = net.forward(X, out=foreign)  # not this network's: a fresh trace, nothing written
    assert tr is not foreign and foreign.a[1].shape == (len(X), 5)
    np.testing.assert_array_equal(tr.output, checked.output)
    assert net.forward(X, out=tr) is tr  # its own trace is reused
    twin = net.copy()
    assert twin.forward(X, out=tr) is tr  # (a copy has the same layout)


def test_limits_are_documented_and_enforced():
    from actviz_widgets.engine import validation
    for name in ("MAX_UNITS", "MAX_LAYERS", "MAX_PARAMETERS", "MAX_BATCH_VALUES", "MAX_SAMPLES",
                 "MAX_NOISE", "MAX_WEIGHT_SCALE", "MAX_BINS", "MAX_GRID_N"):
        assert f"``{name}``" in validation.__doc__
    with pytest.raises(ValueError, match=r"sizes asks for 101 weight layers; the engine allows "
                                         r"at most 100 \(MAX_LAYERS"):
        MLP([1] * 102)
    with pytest.raises(ValueError, match=r"weight_scale must be a number in \(0, 1000\]"):
        MLP([2, 1], weight_scale=1e308)
    MLP([2, 10_000, 1])  # at the unit limit: fine


def test_copy_refuses_a_network_whose_arrays_were_replaced_badly():
    net = MLP([2, 3, 1], seed=0)
    net.biases[1] = np.zeros(4)
    with pytest.raises(TypeError, match=r"net\.biases\[1\] must be a float64 array of shape "
                                        r"\(1,\)"):
        net.copy()
    net.biases[1] = np.full(1, np.nan)  # right type and shape: copied (forward will say NaN)
    twin = net.copy()
    assert np.isnan(twin.biases[1][0]) and twin.biases[1] is not net.biases[1]
