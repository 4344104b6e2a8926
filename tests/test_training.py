"""The Trainer against hand-written training loops and hand-computed metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.optimizers import make_optimizer
from actviz_widgets.engine.training import (DEFAULT_MAX_ROWS, MAX_SNAPSHOTS, History, Trainer,
                                            TrainingDiverged, default_max_snapshots)


def xor(n=200, noise=0.1, seed=0):  # half of it for training
    return make_dataset("xor", n_samples=n, noise=noise, seed=seed)


def xor_net(seed=0):
    return MLP([2, 4, 4, 1], activation="tanh", loss="bce", seed=seed)


def params(net):
    return [p.copy() for p in net.weights + net.biases]


def assert_same(a, b):
    assert len(a) == len(b)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)


def hand_loop(net, X, y, opt, n_steps, batch_sizes, seed=0, lrs=None):
    """Plain training loop: the documented batch order, net.forward/backward, opt.step.

    ``batch_sizes[k]`` / ``lrs[k]`` are used for step k (so they can change mid-run).
    """
    n = len(X)
    epoch, pos, order = 0, 0, None
    for k in range(n_steps):
        bs = batch_sizes[k]
        if lrs is not None:
            opt.lr = lrs[k]
        if bs is None or bs >= n:
            Xb, yb = X, y
            epoch, pos = epoch + 1, 0
        else:
            if pos == 0 or order is None:
                order = np.random.default_rng([seed, epoch]).permutation(n)
            idx = order[pos:pos + bs]
            Xb, yb = X[idx], y[idx]
            pos += len(idx)
            if pos >= n:
                epoch, pos = epoch + 1, 0
        g = net.backward(net.forward(Xb), yb)
        opt.step(net, g)
    return epoch, pos


# -- the loop itself ----------------------------------------------------------------------

@pytest.mark.parametrize("optimizer, lr, batch_size, kw", [
    ("sgd", 0.5, None, {}),
    ("momentum", 0.1, 32, {}),            # 100 samples: batches of 32, 32, 32, 4
    ("adam", 0.01, 16, {"beta2": 0.99}),
    ("sgd", 0.3, 7, {"weight_decay": 0.01}),
])
def test_matches_hand_written_loop_bit_for_bit(optimizer, lr, batch_size, kw):
    ds = xor()
    trainer = Trainer(xor_net(), ds, optimizer=optimizer, lr=lr, batch_size=batch_size,
                      seed=3, **kw)
    trainer.step(25)
    ref = xor_net()
    wd = kw.pop("weight_decay", 0.0)
    epoch, pos = hand_loop(ref, ds.X_train, ds.y_train,
                           make_optimizer(optimizer, lr=lr, weight_decay=wd, **kw),
                           25, [batch_size] * 25, seed=3)
    assert_same(params(trainer.net), params(ref))
    assert trainer.step_count == 25
    assert trainer.epoch == epoch


def test_changing_settings_between_steps_matches_hand_loop():
    ds = xor()
    trainer = Trainer(xor_net(), ds, optimizer="momentum", lr=0.1, batch_size=10, seed=1)
    trainer.step(5)
    trainer.lr = 0.03          # keeps the momentum
    trainer.step(3)
    trainer.batch_size = 25    # mid-epoch: continues at sample 80 with the same order
    trainer.step(4)
    trainer.weight_decay = 0.1
    trainer.batch_size = None
    trainer.step(2)
    ref = xor_net()
    opt = make_optimizer("momentum", lr=0.1)
    hand_loop(ref, ds.X_train, ds.y_train, opt, 12, [10] * 8 + [25] * 4,
              seed=1, lrs=[0.1] * 5 + [0.03] * 7)
    opt.weight_decay = 0.1
    for _ in range(2):
        opt.step(ref, ref.backward(ref.forward(ds.X_train), ds.y_train))
    assert_same(params(trainer.net), params(ref))
    assert (trainer.lr, trainer.weight_decay, trainer.batch_size) == (0.03, 0.1, None)


def test_epoch_counters_and_history_epochs():
    trainer = Trainer(xor_net(), xor(), batch_size=32)  # 100 training samples
    trainer.step(5)
    assert trainer.epoch == 1 and trainer.step_count == 5
    assert trainer.history.step == [1, 2, 3, 4, 5]
    assert trainer.history.epoch == pytest.approx([0.32, 0.64, 0.96, 1.0, 1.32])
    trainer.train(epochs=2)  # finishes the epoch in progress, then one more
    assert (trainer.epoch, trainer.step_count) == (3, 12)
    trainer.train(steps=3)
    assert (trainer.epoch, trainer.step_count) == (3, 15)


def test_rewind_reproduces_bit_for_bit():
    trainer = Trainer(xor_net(), xor(), optimizer="adam", lr=0.02, batch_size=16)
    initial = params(trainer.net)
    trainer.step(30)
    first_weights = params(trainer.net)
    first = trainer.history.as_arrays()
    history = trainer.history
    trainer.rewind()
    assert_same(params(trainer.net), initial)
    assert len(trainer.history) == 0 and trainer.history is history
    assert list(trainer.history.snapshots) == [0]
    assert (trainer.step_count, trainer.epoch) == (0, 0)
    trainer.step(30)
    assert_same(params(trainer.net), first_weights)
    second = trainer.history.as_arrays()
    assert first.keys() == second.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_restore_sets_snapshot_and_drops_later_history():
    trainer = Trainer(xor_net(), xor(), batch_size=30, snapshot_every=5)
    trainer.step(20)
    at_20 = params(trainer.net)
    snap = trainer.history.snapshots[10]
    trainer.restore(10)
    assert_same(params(trainer.net), snap.weights + snap.biases)
    assert trainer.step_count == 10 and trainer.epoch == 2  # 4 steps per epoch (30+30+30+10)
    assert trainer.history.step == list(range(1, 11))
    assert sorted(trainer.history.snapshots) == [0, 5, 10]
    # the snapshot really is the state after 10 steps of an independent run
    other = Trainer(xor_net(), xor(), batch_size=30)
    other.step(10)
    assert_same(params(trainer.net), params(other.net))
    # plain SGD has no state, so resuming repeats the original run exactly
    trainer.step(10)
    assert_same(params(trainer.net), at_20)


def test_restore_missing_step_lists_the_existing_ones():
    trainer = Trainer(xor_net(), xor(), snapshot_every=5)
    trainer.step(12)
    before = params(trainer.net)
    with pytest.raises(ValueError, match=r"no snapshot at step 7; .* 0, 5, 10"):
        trainer.restore(7)
    assert_same(params(trainer.net), before)
    assert len(trainer.history) == 12
    with pytest.raises(ValueError, match="step"):
        trainer.restore(-1)


def test_record_and_snapshot_every():
    trainer = Trainer(xor_net(), xor(), record_every=3, snapshot_every=4)
    trainer.step(10)
    assert trainer.history.step == [3, 6, 9]
    assert sorted(trainer.history.snapshots) == [0, 4, 8]
    trainer.record_every = 1
    trainer.step(1)
    assert trainer.history.step == [3, 6, 9, 11]


def test_xor_is_learned():
    ds = make_dataset("xor", n_samples=200, noise=0.05, seed=0)
    trainer = Trainer(xor_net(), ds, optimizer="momentum", lr=0.2, batch_size=20)
    h = trainer.train(epochs=40)
    assert trainer.step_count == 200
    assert h.train_acc[0] <= 0.6           # near chance after one step
    assert h.train_acc[-1] >= 0.97
    assert h.test_acc[-1] >= 0.95
    assert h.train_loss[-1] < 0.2 * h.train_loss[0]


# -- recorded values against independent computations ------------------------------------

def tiny_problem():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 2))
    y = rng.normal(size=(6, 1))
    Xt = rng.normal(size=(4, 2))
    yt = rng.normal(size=(4, 1))
    return X, y, Xt, yt


def test_gradient_norms_and_losses_by_hand():
    X, y, Xt, yt = tiny_problem()
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=2)
    W0, W1 = (w.copy() for w in net.weights)
    b0, b1 = (b.copy() for b in net.biases)
    trainer = Trainer(net, (X, y, Xt, yt), lr=0.1)
    trainer.step()
    # backprop for tanh hidden layer, linear output, mean squared error, written out
    a1 = np.tanh(X @ W0 + b0)
    out = a1 @ W1 + b1
    d2 = 2.0 * (out - y) / y.size
    dW1 = a1.T @ d2
    d1 = (d2 @ W1.T) * (1.0 - a1 ** 2)
    dW0 = X.T @ d1
    h = trainer.history
    assert h.grad_norm_delta[0] == pytest.approx([np.linalg.norm(d1), np.linalg.norm(d2)],
                                                 rel=1e-12)
    assert h.grad_norm_W[0] == pytest.approx([np.linalg.norm(dW0), np.linalg.norm(dW1)],
                                             rel=1e-12)
    # losses are measured after the update, on the whole sets
    V0, V1 = W0 - 0.1 * dW0, W1 - 0.1 * dW1
    c0, c1 = b0 - 0.1 * d1.sum(0), b1 - 0.1 * d2.sum(0)

    def mse(A, t):
        return float(np.mean((np.tanh(A @ V0 + c0) @ V1 + c1 - t) ** 2))

    assert h.train_loss == pytest.approx([mse(X, y)], rel=1e-12)
    assert h.test_loss == pytest.approx([mse(Xt, yt)], rel=1e-12)
    assert h.train_acc is None and h.test_acc is None  # real-valued targets: regression


def test_accuracies_by_hand():
    ds = xor(n=60)
    trainer = Trainer(xor_net(), ds, lr=1.0)
    trainer.step(3)
    snap = trainer.history.snapshots[3]

    def acc(X, y):
        a = X
        for W, b in zip(snap.weights[:-1], snap.biases[:-1]):
            a = np.tanh(a @ W + b)
        z = a @ snap.weights[-1] + snap.biases[-1]
        return float(np.mean((z > 0) == (y == 1)))  # sigmoid(z) > 0.5  <=>  z > 0

    assert trainer.history.train_acc[-1] == acc(ds.X_train, ds.y_train)
    assert trainer.history.test_acc[-1] == acc(ds.X_test, ds.y_test)


def test_cross_entropy_accuracy_uses_argmax():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    labels = rng.integers(0, 3, size=30)
    net = MLP([4, 5, 3], activation="relu", loss="cross_entropy", seed=0)
    trainer = Trainer(net, (X, labels), lr=0.05)
    trainer.step()
    snap = trainer.history.snapshots[1]
    logits = np.maximum(X @ snap.weights[0] + snap.biases[0], 0) @ snap.weights[1] + snap.biases[1]
    assert trainer.history.train_acc == [float(np.mean(logits.argmax(1) == labels))]
    assert trainer.history.test_loss is None and trainer.history.test_acc is None


def test_mse_on_binary_targets_counts_as_classification():
    ds = xor(n=40)
    net = MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", loss="mse", seed=0)
    trainer = Trainer(net, (ds.X_train, ds.y_train), lr=0.5)
    trainer.step()
    out = net.forward(ds.X_train).output
    assert trainer.history.train_acc == [float(np.mean((out > 0.5) == (ds.y_train > 0.5)))]


def relu_net(first_bias):
    net = MLP([2, 3, 2, 1], activation="relu", loss="mse", seed=0)
    net.set_params(net.weights, [np.full(3, first_bias), np.array([0.5, -0.5]), np.zeros(1)])
    return net


def test_dead_fraction_forced_dead_and_alive():
    ds = make_dataset("sine", n_samples=40, seed=0)  # inputs in [-1, 1]
    X = np.hstack([ds.X_train, -ds.X_train])
    y = ds.y_train
    dead = Trainer(relu_net(-100.0), (X, y), lr=1e-3)
    dead.step()
    # layer 1 never fires; layer 2 then sees zeros, so only its bias decides: 0.5 alive, -0.5 dead
    assert dead.history.dead_fraction == [[1.0, 0.5]]
    alive = Trainer(relu_net(100.0), (X, y), lr=1e-3)
    alive.step()
    assert alive.history.dead_fraction[0][0] == 0.0
    # a pre-activation of exactly 0 on every sample counts as dead (relu'(0) = 0 keeps it 0)
    net = relu_net(-100.0)
    net.biases[1][0] = 0.0
    zero = Trainer(net, (X, y), lr=1e-3)
    zero.step()
    assert zero.history.dead_fraction == [[1.0, 1.0]]


def test_dead_means_dead_for_every_sample():
    # unit 1 computes z = x, unit 2 z = -x: on positive inputs unit 2 is dead ...
    net = MLP([1, 2, 1], activation="relu", loss="mse", seed=0)
    net.set_params([[[1.0, -1.0]], [[1.0], [1.0]]], [[0.0, 0.0], [0.0]])
    X = np.array([[0.5], [1.0], [2.0]])
    trainer = Trainer(net, (X, X), lr=1e-6)
    trainer.step()
    assert trainer.history.dead_fraction == [[0.5]]
    # ... but one negative sample keeps it alive
    net.set_params([[[1.0, -1.0]], [[1.0], [1.0]]], [[0.0, 0.0], [0.0]])
    X2 = np.array([[0.5], [1.0], [-2.0]])
    trainer = Trainer(net, (X2, X2), lr=1e-6)
    trainer.step()
    assert trainer.history.dead_fraction == [[0.0]]


# -- divergence ----------------------------------------------------------------------------

def test_divergence_stops_keeps_finite_weights_and_says_where():
    ds = make_dataset("sine", n_samples=100, seed=0)
    trainer = Trainer(MLP([1, 8, 1], activation="relu", seed=0), ds, lr=100.0)
    with pytest.raises(TrainingDiverged) as info:
        trainer.train(steps=1000)
    exc = info.value
    assert isinstance(exc, ArithmeticError)
    k = exc.step
    assert 1 < k < 1000 and trainer.step_count == k - 1 and exc.epoch == k  # full batch
    assert not math.isfinite(exc.loss)
    msg = str(exc)
    assert f"at step {k} (epoch {k})" in msg and f"weights from step {k - 1}" in msg
    assert "learning rate 100" in msg and "smaller learning rate" in msg
    assert trainer.diverged == msg
    snap = trainer.history.snapshots[k - 1]
    assert_same(params(trainer.net), snap.weights + snap.biases)
    assert all(np.isfinite(p).all() for p in params(trainer.net))
    assert sorted(trainer.history.snapshots)[-1] == k - 1
    arrays = trainer.history.as_arrays()
    assert all(np.isfinite(a).all() for a in arrays.values())
    assert arrays["step"][-1] == k - 1
    # the user lowers the learning rate and carries on
    trainer.lr = 1e-4
    trainer.step()
    assert trainer.diverged is None and trainer.step_count == k


def test_divergence_caught_on_the_batch_loss_without_recording():
    ds = make_dataset("sine", n_samples=100, seed=0)
    trainer = Trainer(MLP([1, 8, 1], activation="relu", seed=0), ds, lr=100.0,
                      record_every=10_000, snapshot_every=1)
    with pytest.raises(TrainingDiverged, match="the loss became inf") as info:
        trainer.train(steps=1000)
    k = info.value.step
    snap = trainer.history.snapshots[k - 1]
    assert_same(params(trainer.net), snap.weights + snap.biases)


def test_overflowing_update_is_undone():
    # gradient 2·(0 − 1000) = −2000 at lr 1e307 overflows the update itself
    net = MLP([1, 1], activation=[], loss="mse", seed=0)
    before = params(net)
    trainer = Trainer(net, ([[1.0]], [[1000.0]]), lr=1e307)
    with pytest.raises(TrainingDiverged, match="update overflowed at step 1 \\(epoch 1\\)"):
        trainer.step()
    assert_same(params(net), before)
    assert trainer.step_count == 0 and trainer.epoch == 0 and len(trainer.history) == 0


# -- stop ----------------------------------------------------------------------------------

def test_stop_returns_after_the_current_step():
    trainer = Trainer(xor_net(), xor())
    apply = trainer.optimizer.apply

    def apply_and_stop_on_third(net, dWs, dbs):
        apply(net, dWs, dbs)
        if trainer.optimizer.t == 3:
            trainer.stop()

    trainer.optimizer.apply = apply_and_stop_on_third
    trainer.train(steps=100)
    assert trainer.step_count == 3 and len(trainer.history) == 3
    trainer.train(steps=2)  # a new train() clears the request
    assert trainer.step_count == 5


# -- History -------------------------------------------------------------------------------

def test_history_arrays_and_truncate():
    trainer = Trainer(xor_net(), xor(), batch_size=50)
    trainer.step(6)
    h = trainer.history
    arrays = h.as_arrays()
    assert set(arrays) == {"step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc",
                           "grad_norm_delta", "grad_norm_W", "dead_fraction"}
    assert arrays["step"].dtype == np.int64 and list(arrays["step"]) == [1, 2, 3, 4, 5, 6]
    assert arrays["grad_norm_delta"].shape == (6, 3)
    assert arrays["grad_norm_W"].shape == (6, 3)
    assert arrays["dead_fraction"].shape == (6, 2)
    np.testing.assert_array_equal(arrays["train_loss"], h.train_loss)
    h.truncate(4)
    assert len(h) == 4 and h.step == [1, 2, 3, 4] and len(h.dead_fraction) == 4
    assert sorted(h.snapshots) == [0, 1, 2, 3, 4]
    h.truncate(0)
    assert len(h) == 0 and list(h.snapshots) == [0]
    assert h.as_arrays()["grad_norm_W"].shape == (0, 3)
    with pytest.raises(ValueError, match="step"):
        h.truncate(-2)


def test_history_without_test_set_or_classes():
    X, y, _, _ = tiny_problem()
    trainer = Trainer(MLP([2, 1], activation=[], seed=0), (X, y))
    trainer.step(2)
    h = trainer.history
    assert isinstance(h, History)
    assert h.test_loss is None and h.train_acc is None and h.test_acc is None
    arrays = h.as_arrays()
    assert set(arrays) == {"step", "epoch", "train_loss", "grad_norm_delta", "grad_norm_W",
                           "dead_fraction"}
    assert arrays["dead_fraction"].shape == (2, 0)


def test_dataset_with_empty_test_set():
    ds = make_dataset("xor", n_samples=20, test_fraction=0.0, seed=0)
    trainer = Trainer(xor_net(), ds)
    trainer.step()
    assert trainer.history.test_loss is None and trainer.history.test_acc is None
    assert len(trainer.history.train_acc) == 1


# -- bad input -----------------------------------------------------------------------------

def test_bad_construction_arguments():
    ds, net = xor(), xor_net()
    with pytest.raises(TypeError, match="net must be an MLP"):
        Trainer("net", ds)
    with pytest.raises(TypeError, match="data must be"):
        Trainer(net, ds.X_train)
    with pytest.raises(TypeError, match="data must be"):
        Trainer(net, (ds.X_train, ds.y_train, ds.X_test))
    with pytest.raises(ValueError, match=r"training set.*\(n_samples, 2\)"):
        Trainer(net, (np.ones((5, 3)), np.ones((5, 1))))
    with pytest.raises(ValueError, match="training set.*y"):
        Trainer(net, (ds.X_train, ds.y_train[:-1]))
    with pytest.raises(ValueError, match="test set"):
        Trainer(net, (ds.X_train, ds.y_train, ds.X_test, ds.y_test * 3))
    with pytest.raises(ValueError, match="training set.*finite"):
        Trainer(net, (np.full((3, 2), np.nan), np.zeros((3, 1))))
    with pytest.raises(ValueError, match="optimizer"):
        Trainer(net, ds, optimizer="rmsprop")
    with pytest.raises(ValueError, match="lr"):
        Trainer(net, ds, lr=0)
    with pytest.raises(ValueError, match="batch_size"):
        Trainer(net, ds, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        Trainer(net, ds, batch_size=2.5)
    with pytest.raises(ValueError, match="snapshot_every"):
        Trainer(net, ds, snapshot_every=0)
    with pytest.raises(ValueError, match="record_every"):
        Trainer(net, ds, record_every=0)
    with pytest.raises(ValueError, match="seed"):
        Trainer(net, ds, seed=-1)
    with pytest.raises(TypeError, match="beta1"):
        Trainer(net, ds, optimizer="sgd", beta1=0.9)


def test_bad_calls_change_nothing():
    trainer = Trainer(xor_net(), xor(), batch_size=10)
    trainer.step(2)
    before = params(trainer.net)
    with pytest.raises(ValueError, match="exactly one"):
        trainer.train()
    with pytest.raises(ValueError, match="exactly one"):
        trainer.train(epochs=1, steps=1)
    with pytest.raises(ValueError, match="steps"):
        trainer.train(steps=-1)
    with pytest.raises(TypeError, match="n"):
        trainer.step(1.5)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.batch_size = -3
    with pytest.raises(ValueError, match="lr"):
        trainer.lr = -1.0
    with pytest.raises(ValueError, match="weight_decay"):
        trainer.weight_decay = math.nan
    assert (trainer.batch_size, trainer.lr, trainer.weight_decay) == (10, 0.1, 0.0)
    assert_same(params(trainer.net), before)
    assert trainer.step_count == 2 and len(trainer.history) == 2


# -- bounded history: thinning -------------------------------------------------------------

def test_rows_and_snapshots_are_thinned_to_an_even_spacing():
    trainer = Trainer(xor_net(), xor(), batch_size=7, max_rows=10, max_snapshots=6)
    reference = Trainer(xor_net(), xor(), batch_size=7, max_rows=100, max_snapshots=100)
    trainer.step(37)
    reference.step(37)
    h, r = trainer.history, reference.history
    # Worked by hand: rows 1..10 fill the history; row 11 makes 11 > 10, so the
    # spacing becomes 2 (rows 2, 4, .., 10 and the latest); row 21 makes 11 again:
    # spacing 4. At step 37: rows 4, 8, .., 36 and the latest, 37.
    assert h.step == [4, 8, 12, 16, 20, 24, 28, 32, 36, 37] and h.row_spacing == 4
    # Snapshots 0..5 fill 6; step 6 thins to spacing 2, step 11 to 4, step 21 to 8.
    assert list(h.snapshots) == [0, 8, 16, 24, 32, 37] and h.snapshot_spacing == 8
    # what is kept is what an unthinned history holds at those steps
    rows = [r.step.index(k) for k in h.step]
    for name in History._ROWS:
        mine, theirs = getattr(h, name), getattr(r, name)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine == [theirs[i] for i in rows], name
    for k, snap in h.snapshots.items():
        ref = r.snapshots[k]
        assert (snap.step, snap.epoch, snap.position) == (ref.step, ref.epoch, ref.position)
        assert_same(snap.weights + snap.biases, ref.weights + ref.biases)
    # a thinned snapshot restores and resumes exactly like the unthinned run
    at_37 = params(trainer.net)
    trainer.restore(16)
    assert h.step == [4, 8, 12, 16] and list(h.snapshots) == [0, 8, 16]
    trainer.step(21)
    assert_same(params(trainer.net), at_37)
    assert h.step[-1] == 37 and len(h) <= 10 and list(h.snapshots)[-1] == 37


def test_a_long_run_stays_within_the_limits_and_keeps_the_ends():
    trainer = Trainer(xor_net(), xor(), lr=0.5, max_rows=16, max_snapshots=8, record_every=3,
                      snapshot_every=2)
    for _ in range(40):
        trainer.step(25)
        h = trainer.history
        assert len(h) <= 16 and len(h.snapshots) <= 8
        assert 0 in h.snapshots and next(reversed(h.snapshots)) == trainer.step_count // 2 * 2
        assert all(k % (h.snapshot_spacing or 2) == 0 for k in list(h.snapshots)[:-1])
        assert h.step == sorted(h.step) and h.step[-1] == trainer.step_count // 3 * 3
        spacing = h.row_spacing or 3  # (0 until the first thinning: every recorded row)
        assert spacing % 3 == 0 and set(h.step[:-1]) == set(range(spacing, h.step[-1], spacing))
        if h.row_spacing:  # with half the spacing there would have been too many rows
            assert h.step[-1] // (spacing // 2) > 16 - 1
    assert trainer.step_count == 1000
    trainer.rewind()
    assert trainer.history.row_spacing == trainer.history.snapshot_spacing == 0
    assert list(trainer.history.snapshots) == [0] and len(trainer.history) == 0


def test_default_limits_bound_snapshot_memory():
    trainer = Trainer(xor_net(), xor())
    assert (trainer.max_rows, trainer.max_snapshots) == (DEFAULT_MAX_ROWS, MAX_SNAPSHOTS)
    assert (DEFAULT_MAX_ROWS, MAX_SNAPSHOTS) == (2000, 1000)
    # 784-128-10: 101,770 parameters; 8,000,000 // 101,770 = 78 snapshots (62 MB)
    assert default_max_snapshots(784 * 128 + 128 + 128 * 10 + 10) == 78
    assert default_max_snapshots(2_000_000) == 4  # never fewer than 4
    big = MLP([64, 300, 300, 10], loss="cross_entropy")  # 112,810 parameters
    data = (np.zeros((3, 64)), np.array([0, 1, 2]))
    assert Trainer(big, data).max_snapshots == 8_000_000 // 112_810 == 70


def test_lowering_the_limits_thins_at_once_and_bad_limits_are_refused():
    trainer = Trainer(xor_net(), xor())
    trainer.step(30)
    trainer.max_rows = 8
    assert trainer.history.step == [4, 8, 12, 16, 20, 24, 28, 30]
    trainer.max_snapshots = 5
    assert list(trainer.history.snapshots) == [0, 8, 16, 24, 30]
    for bad, exc in [(3, ValueError), (True, TypeError), (10.0, TypeError)]:
        with pytest.raises(exc, match="max_rows"):
            trainer.max_rows = bad
        with pytest.raises(exc, match="max_snapshots"):
            Trainer(xor_net(), xor(), max_snapshots=bad)
    assert trainer.max_rows == 8 and len(trainer.history) == 8


def test_a_parameter_made_non_finite_outside_is_reported_before_any_step():
    trainer = Trainer(xor_net(), xor(), batch_size=10)
    trainer.step(3)
    trainer.net.biases[0][1] = np.nan
    before = params(trainer.net)
    for call in (lambda: trainer.step(2), lambda: trainer.train(steps=2)):
        with pytest.raises(ValueError, match=r"net\.biases\[0\] is not finite.*after update 3"):
            call()
    for p, q in zip(params(trainer.net), before):
        np.testing.assert_array_equal(p, q)  # (NaN included)
    assert trainer.step_count == 3 and len(trainer.history) == 3 and trainer.epoch == 0
    trainer.restore(3)  # the snapshot puts the finite weights back
    trainer.step(1)
    assert trainer.step_count == 4


def test_no_samples_and_half_given_test_sets_are_refused():
    ds, net = xor(), xor_net()
    with pytest.raises(ValueError, match=r"training set\): X must hold at least one sample"):
        Trainer(net, (ds.X_train[:0], ds.y_train[:0]))
    with pytest.raises(ValueError, match="y_test was given but X_test is None"):
        Trainer(net, (ds.X_train, ds.y_train, None, ds.y_test))
    with pytest.raises(TypeError, match="X_train must be an array; got None"):
        Trainer(net, (None, ds.y_train))
