"""Optimisers against small hand-written reference updates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.network import MLP, Gradients
from actviz_widgets.engine.optimizers import (OPTIMIZER_NAMES, SGD, Adam, Optimizer,
                                              make_optimizer)

SIZES = [3, 4, 2]


def make_net(seed: int = 0) -> MLP:
    net = MLP(SIZES, activation="tanh", seed=seed)
    rng = np.random.default_rng(100 + seed)
    net.set_params([w + 0.1 for w in net.weights],
                   [rng.normal(size=b.shape) for b in net.biases])  # non-zero biases
    return net


def fake_grads(net: MLP, rng: np.random.Generator) -> Gradients:
    """A Gradients object holding arbitrary (but fixed, seeded) dW and db."""
    L = net.n_layers
    return Gradients(loss=0.0, dL_da=[None] * (L + 1), delta=[None] * (L + 1),
                     dW=[rng.normal(size=w.shape) for w in net.weights],
                     db=[rng.normal(size=b.shape) for b in net.biases])


def grad_sequence(net: MLP, n: int = 6, seed: int = 1) -> list[Gradients]:
    rng = np.random.default_rng(seed)
    return [fake_grads(net, rng) for _ in range(n)]


# -- reference updates written out plainly ------------------------------------------------

def ref_sgd(params, decays, grads_seq, lr, momentum, wd):
    """params: list of arrays; decays: matching list of bools (weights decay, biases not)."""
    params = [p.copy() for p in params]
    vel = [np.zeros_like(p) for p in params]
    for grads in grads_seq:
        for i, (p, g) in enumerate(zip(params, grads)):
            if decays[i]:
                g = g + wd * p
            vel[i] = momentum * vel[i] + g
            params[i] = p - lr * vel[i]
    return params


def ref_adam(params, decays, grads_seq, lrs, b1, b2, eps, wd):
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, (grads, lr) in enumerate(zip(grads_seq, lrs), start=1):
        for i, (p, g) in enumerate(zip(params, grads)):
            if decays[i]:
                g = g + wd * p
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            params[i] = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


def flat(net_or_weights, biases=None):
    """[W0, b0, W1, b1, ...] from a network or from two lists."""
    if biases is None:
        weights, biases = net_or_weights.weights, net_or_weights.biases
    else:
        weights = net_or_weights
    return [p for pair in zip(weights, biases) for p in pair]


def flat_grads(g: Gradients):
    return [p for pair in zip(g.dW, g.db) for p in pair]


DECAYS = [True, False] * (len(SIZES) - 1)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_sgd_matches_reference(momentum, wd):
    net = make_net()
    seq = grad_sequence(net)
    expected = ref_sgd(flat(net), DECAYS, [flat_grads(g) for g in seq], 0.3, momentum, wd)
    opt = SGD(lr=0.3, momentum=momentum, weight_decay=wd)
    for g in seq:
        opt.step(net, g)
    for got, want in zip(flat(net), expected):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert opt.t == len(seq)


@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_adam_matches_reference(wd):
    net = make_net()
    seq = grad_sequence(net)
    expected = ref_adam(flat(net), DECAYS, [flat_grads(g) for g in seq], [0.02] * len(seq),
                        0.8, 0.99, 1e-6, wd)
    opt = Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=wd)
    for g in seq:
        opt.step(net, g)
    for got, want in zip(flat(net), expected):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    # with bias correction, step 1 moves each parameter by lr·g/(|g| + eps) ≈ lr·sign(g)
    net = make_net()
    before = flat(net)
    before = [p.copy() for p in before]
    g = grad_sequence(net, 1)[0]
    Adam(lr=0.01, eps=1e-12).step(net, g)
    for p0, p1, gi in zip(before, flat(net), flat_grads(g)):
        np.testing.assert_allclose(p0 - p1, 0.01 * np.sign(gi), rtol=1e-9)


def test_weight_decay_by_hand():
    # W = 2, zero gradient, lr 0.5, weight_decay 0.1: W -= 0.5 · (0 + 0.1 · 2) = 1.9
    net = MLP([1, 1], seed=0)
    net.set_params([[[2.0]]], [[3.0]])
    zero = Gradients(0.0, [None, None], [None, None], [np.zeros((1, 1))], [np.zeros(1)])
    SGD(lr=0.5, weight_decay=0.1).step(net, zero)
    assert net.weights[0][0, 0] == pytest.approx(1.9, abs=1e-15)
    assert net.biases[0][0] == 3.0  # biases are never decayed
    # with a gradient: W = 1.9 - 0.5 · (1 + 0.1 · 1.9) = 1.305
    one = Gradients(0.0, [None, None], [None, None], [np.ones((1, 1))], [np.ones(1)])
    SGD(lr=0.5, weight_decay=0.1).step(net, one)
    assert net.weights[0][0, 0] == pytest.approx(1.305, abs=1e-15)
    assert net.biases[0][0] == 2.5


def test_sgd_without_momentum_equals_mlp_step():
    a, b = make_net(), make_net()
    for g in grad_sequence(a, 3):
        SGD(lr=0.2, weight_decay=0.01).step(a, g)
        b.step(g, lr=0.2, weight_decay=0.01)
    for p, q in zip(flat(a), flat(b)):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-15)


def test_lr_change_keeps_momentum():
    net = make_net()
    p0 = [p.copy() for p in flat(net)]
    g1, g2 = grad_sequence(net, 2)
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(net, g1)
    opt.lr = 0.05
    opt.step(net, g2)
    # v1 = g1, p1 = p0 - 0.1 g1; v2 = 0.9 g1 + g2, p2 = p1 - 0.05 v2
    for p, a, b, got in zip(p0, flat_grads(g1), flat_grads(g2), flat(net)):
        want = (p - 0.1 * a) - 0.05 * (0.9 * a + b)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_weight_decay_change_keeps_momentum():
    net = make_net()
    p0 = [p.copy() for p in flat(net)]
    g1, g2 = grad_sequence(net, 2)
    opt = SGD(lr=0.1, momentum=0.5)
    opt.step(net, g1)
    opt.weight_decay = 0.2
    p1 = [p.copy() for p in flat(net)]
    opt.step(net, g2)
    for i, (a, b, got) in enumerate(zip(flat_grads(g1), flat_grads(g2), flat(net))):
        g = b + 0.2 * p1[i] if DECAYS[i] else b
        want = p1[i] - 0.1 * (0.5 * a + g)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(p1[i], p0[i] - 0.1 * a, rtol=1e-13, atol=1e-15)


def test_adam_lr_change_keeps_moments():
    net = make_net()
    seq = grad_sequence(net, 4)
    lrs = [0.05, 0.05, 0.001, 0.001]
    expected = ref_adam(flat(net), DECAYS, [flat_grads(g) for g in seq], lrs,
                        0.9, 0.999, 1e-8, 0.0)
    opt = Adam(lr=0.05)
    for g, lr in zip(seq, lrs):
        opt.lr = lr
        opt.step(net, g)
    for got, want in zip(flat(net), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_reset_clears_state():
    net = make_net()
    g1, g2 = grad_sequence(net, 2)
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(net, g1)
    opt.reset()
    assert opt.t == 0
    p1 = [p.copy() for p in flat(net)]
    opt.step(net, g2)  # velocity restarted from zero: a plain step
    for p, g, got in zip(p1, flat_grads(g2), flat(net)):
        np.testing.assert_allclose(got, p - 0.1 * g, rtol=1e-13, atol=1e-15)


# Factories, not instances: an optimizer made at collection would carry its state
# from one run of the test to the next (pytest-repeat, --count=2).
@pytest.mark.parametrize("make_opt", [lambda: SGD(lr=0.1, momentum=0.9), Adam],
                         ids=["sgd", "adam"])
def test_non_finite_gradient_leaves_everything_unchanged(make_opt):
    opt = make_opt()
    net = make_net()
    good, bad = grad_sequence(net, 2)
    opt.step(net, good)
    before = [p.copy() for p in flat(net)]
    bad.db[-1][0] = math.nan  # last layer: a half-done update would show in layer 0
    with pytest.raises(FloatingPointError, match="not finite"):
        opt.step(net, bad)
    for p, q in zip(before, flat(net)):
        np.testing.assert_array_equal(p, q)
    assert opt.t == 1


def test_shape_change_is_refused_until_reset():
    net = make_net()
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(net, grad_sequence(net, 1)[0])
    other = MLP([3, 5, 2], seed=0)
    g = grad_sequence(other, 1)[0]
    before = [p.copy() for p in flat(other)]
    with pytest.raises(ValueError, match="reset"):
        opt.step(other, g)
    for p, q in zip(before, flat(other)):
        np.testing.assert_array_equal(p, q)
    opt.reset()
    opt.step(other, g)
    for p, gi, got in zip(before, flat_grads(g), flat(other)):
        np.testing.assert_allclose(got, p - 0.1 * gi, rtol=1e-13, atol=1e-15)


def test_gradient_bias_shape_mismatch():
    net = make_net()
    g = grad_sequence(net, 1)[0]
    g.db[0] = np.zeros(7)
    before = [p.copy() for p in flat(net)]
    with pytest.raises(ValueError, match=r"grads.db\[0\] must have shape \(4,\); got \(7,\)"):
        SGD().step(net, g)
    for p, q in zip(before, flat(net)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: SGD(lr=0), ValueError, "lr"),
    (lambda: SGD(lr=-0.1), ValueError, "lr"),
    (lambda: SGD(lr=math.nan), ValueError, "lr"),
    (lambda: SGD(lr="0.1"), TypeError, "lr"),
    (lambda: SGD(momentum=1.0), ValueError, "momentum"),
    (lambda: SGD(momentum=-0.1), ValueError, "momentum"),
    (lambda: SGD(weight_decay=-1e-3), ValueError, "weight_decay"),
    (lambda: Adam(beta1=1.0), ValueError, "beta1"),
    (lambda: Adam(beta2=1.5), ValueError, "beta2"),
    (lambda: Adam(eps=0.0), ValueError, "eps"),
    (lambda: Adam(weight_decay=math.inf), ValueError, "weight_decay"),
])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_setter_keeps_old_value():
    opt = SGD(lr=0.3, momentum=0.5, weight_decay=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = 0.0
    with pytest.raises(ValueError, match="weight_decay"):
        opt.weight_decay = -1.0
    with pytest.raises(ValueError, match="momentum"):
        opt.momentum = 2.0
    assert (opt.lr, opt.weight_decay, opt.momentum) == (0.3, 0.1, 0.5)


def test_step_needs_a_network():
    net = make_net()
    with pytest.raises(TypeError, match="net must be an MLP"):
        SGD().step("net", grad_sequence(net, 1)[0])
    with pytest.raises(TypeError, match="grads"):
        SGD().step(net, {"dW": []})


def test_make_optimizer():
    assert OPTIMIZER_NAMES == ("sgd", "momentum", "adam")
    sgd = make_optimizer("sgd")
    assert type(sgd) is SGD and (sgd.lr, sgd.momentum, sgd.weight_decay) == (0.1, 0.0, 0.0)
    mom = make_optimizer("Momentum", lr=0.05, weight_decay=0.01)
    assert type(mom) is SGD and (mom.lr, mom.momentum, mom.weight_decay) == (0.05, 0.9, 0.01)
    assert make_optimizer("momentum", momentum=0.5).momentum == 0.5
    assert make_optimizer("sgd", momentum=0.5).momentum == 0.5
    adam = make_optimizer("adam", beta2=0.95)
    assert type(adam) is Adam and (adam.lr, adam.beta1, adam.beta2, adam.eps) == (
        0.01, 0.9, 0.95, 1e-8)
    assert isinstance(adam, Optimizer)


def test_make_optimizer_bad_arguments():
    with pytest.raises(ValueError, match=r"\['adam', 'momentum', 'sgd'\]"):
        make_optimizer("rmsprop")
    with pytest.raises(TypeError, match="momentum"):
        make_optimizer("adam", momentum=0.9)
    with pytest.raises(TypeError, match="beta1"):
        make_optimizer("sgd", beta1=0.9)
    with pytest.raises(TypeError, match="nesterov"):
        make_optimizer("adam", nesterov=True)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_against_torch(name):
    torch = pytest.importorskip("torch")
    net = make_net()
    seq = grad_sequence(net, 5)
    params = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in flat(net)]
    decayed = [p for p, d in zip(params, DECAYS) if d]
    other = [p for p, d in zip(params, DECAYS) if not d]
    groups = [{"params": decayed, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}]
    topt = (torch.optim.Adam(groups, lr=0.01) if name == "adam"
            else torch.optim.SGD(groups, lr=0.1, momentum=0.9 if name == "momentum" else 0.0))
    ours = make_optimizer(name, weight_decay=0.01)
    for g in seq:
        for p, gi in zip(params, flat_grads(g)):
            p.grad = torch.tensor(gi)
        topt.step()
        ours.step(net, g)
    for p, q in zip(flat(net), params):
        np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [lambda lr: SGD(lr=lr), lambda lr: SGD(lr=lr, momentum=0.9),
                                  lambda lr: Adam(lr=lr)], ids=["sgd", "momentum", "adam"])
def test_an_overflowing_update_changes_neither_the_network_nor_the_state(make):
    net = make_net()
    opt = make(1e-3)
    g1, g2 = grad_sequence(net, 2)
    opt.step(net, g1)
    state = [a.copy() for a in opt._state_arrays()]
    opt.lr = 1e308
    g2.dW[0][0, 0] = 1e300  # lr · g (or Adam's huge step) goes beyond float64
    net.weights[-1][...] = 1e308  # (and for Adam, whose steps are about lr: W − 1e308 · ±1)
    before = [p.copy() for p in flat(net)]
    with pytest.raises(FloatingPointError, match="update would overflow.*left unchanged"):
        opt.step(net, g2)
    for p, q in zip(before, flat(net)):
        np.testing.assert_array_equal(p, q)
    for a, b in zip(opt._state_arrays(), state):
        np.testing.assert_array_equal(a, b)
    assert opt.t == 1 and net.n_updates == 1


def test_apply_is_the_update_without_checks():
    net, twin = make_net(), make_net()
    opt, ref = SGD(lr=0.1, momentum=0.9), SGD(lr=0.1, momentum=0.9)
    for g in grad_sequence(net, 3):
        ref.step(twin, g)
        opt.apply(net, *net.check_gradients(g))
    for p, q in zip(flat(net), flat(twin)):
        np.testing.assert_array_equal(p, q)
    assert opt.t == ref.t == 3 and net.n_updates == twin.n_updates == 3


def test_step_refuses_a_network_with_non_finite_parameters():
    net = make_net()
    opt = SGD(lr=0.1)
    net.weights[0][1, 1] = math.inf
    with pytest.raises(ValueError, match=r"net\.weights\[0\] is not finite"):
        opt.step(net, grad_sequence(net, 1)[0])
    assert opt.t == 0 and net.weights[0][1, 1] == math.inf
