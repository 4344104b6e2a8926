"""Branching a second run from a point of a training history (engine/branch.py,
widgets/branch.py): run A is the original run continued, number for number; run B is
checked against gradient descent written out by hand from the same snapshot and batch
order; bad changes are refused by name; the widget trains, plays, resets and names the
difference in both languages, with a readable picture.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.engine.branch import Branch, check_change
from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.training import Trainer
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.widgets.branch import BranchComparison
from actviz_widgets.widgets.playground import Playground

SEED = 3


def _trainer(optimizer="sgd", batch_size=10, lr=0.2, l2=0.0, activation="tanh", steps=20):
    net = MLP([2, 4, 4, 1], activation=activation, loss="bce", seed=1)
    t = Trainer(net, make_dataset("moons", n_samples=60, seed=2), optimizer=optimizer, lr=lr,
                batch_size=batch_size, weight_decay=l2, seed=SEED, snapshot_every=5,
                record_every=5)
    t.step(steps)
    return t


# -- by hand: tanh or relu hidden layers, a sigmoid output, mean binary cross-entropy ----------

def _hidden(z, activation):
    return np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)


def _hidden_d(z, activation):
    return 1.0 - np.tanh(z) ** 2 if activation == "tanh" else (z > 0).astype(float)


def _forward(W, b, X, activation):
    zs, a = [], [X]
    for l in range(len(W)):
        z = a[-1] @ W[l] + b[l]
        zs.append(z)
        a.append(1.0 / (1.0 + np.exp(-z)) if l == len(W) - 1 else _hidden(z, activation))
    return zs, a


def _loss(W, b, X, y, activation):
    z = _forward(W, b, X, activation)[0][-1]
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _grads(W, b, X, y, activation):
    zs, a = _forward(W, b, X, activation)
    delta = (a[-1] - y) / y.size
    dW, db = [None] * len(W), [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        dW[l], db[l] = a[l].T @ delta, delta.sum(axis=0)
        if l:
            delta = (delta @ W[l].T) * _hidden_d(zs[l - 1], activation)
    return dW, db


def _by_hand(snapshot, X, y, steps, lr, batch, l2=0.0, activation="tanh", adam=False,
             seed=SEED):
    """Train from a snapshot by hand: the engine's batch order rule, SGD or Adam written out."""
    W = [w.copy() for w in snapshot.weights]
    b = [v.copy() for v in snapshot.biases]
    epoch, pos, n = snapshot.epoch, snapshot.position, len(X)
    m = [np.zeros_like(p) for p in W + b]
    v = [np.zeros_like(p) for p in W + b]
    losses = []
    for t in range(1, steps + 1):
        if batch is None:
            idx = np.arange(n)
            epoch += 1
        else:
            order = np.random.default_rng([seed, epoch]).permutation(n)
            idx = order[pos:pos + batch]
            pos += len(idx)
            if pos >= n:
                epoch, pos = epoch + 1, 0
        dW, db = _grads(W, b, X[idx], y[idx], activation)
        grads = [g + l2 * w for g, w in zip(dW, W)] + db
        params = W + b
        for i, (p, g) in enumerate(zip(params, grads)):
            if adam:
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                step = lr * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
            else:
                step = lr * g
            p -= step
        losses.append(_loss(W, b, X, y, activation))
    return losses


# -- engine --------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("at_step", [None, 10, 0])
def test_run_a_is_the_original_run_continued(optimizer, at_step):
    t = _trainer(optimizer)
    branch = Branch(t, {"lr": 0.05}, at_step=at_step)
    branch.step(17)  # across epoch ends: 60 samples, half for training, batches of 10
    if at_step is not None:
        t.restore(at_step)  # as the playground does when it trains on from a viewed step
    t.step(17)
    a = dict(zip(branch.run_a.history.step, branch.run_a.history.train_loss))
    compared = [k for k in t.history.step if k > branch.start.step]
    assert len(compared) == 3
    assert [a[k] for k in compared] == [t.history.train_loss[t.history.step.index(k)]
                                        for k in compared]
    for got, want in zip(branch.run_a.net.weights, t.net.weights):
        np.testing.assert_array_equal(got, want)


def test_the_original_run_is_not_changed():
    t = _trainer()
    weights = [w.copy() for w in t.net.weights]
    rows = list(t.history.train_loss)
    Branch(t, {"batch_size": "all"}).step(10)
    assert t.step_count == 20 and t.history.train_loss == rows
    for got, want in zip(t.net.weights, weights):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("change,hand", [
    ({"lr": 0.05}, dict(lr=0.05, batch=10)),
    ({"batch_size": "all"}, dict(lr=0.2, batch=None)),
    ({"batch_size": 7}, dict(lr=0.2, batch=7)),
    ({"l2": 0.01}, dict(lr=0.2, batch=10, l2=0.01)),
    ({"activation": "relu"}, dict(lr=0.2, batch=10, activation="relu")),
    ({"optimizer": "adam"}, dict(lr=0.2, batch=10, adam=True)),
], ids=["lr", "full-batch", "batch-7", "l2", "relu", "adam"])
def test_run_b_equals_gradient_descent_by_hand(change, hand):
    t = _trainer()
    branch = Branch(t, change, at_step=10)
    branch.step(12)
    snap = t.history.snapshots[10]
    X, y = t.X_train, t.y_train
    want = _by_hand(snap, X, y, 12, **hand)
    h = branch.run_b.history
    assert h.step == list(range(11, 23))
    np.testing.assert_allclose(h.train_loss, want, rtol=1e-11, atol=1e-13)
    # both curves start at the snapshot's own loss, by hand (with B's activation)
    steps, losses = branch.losses(1)
    assert steps[0] == 10
    assert losses[0] == pytest.approx(
        _loss(snap.weights, snap.biases, X, y, hand.get("activation", "tanh")), rel=1e-12)
    assert branch.losses(0)[1][0] == pytest.approx(
        _loss(snap.weights, snap.biases, X, y, "tanh"), rel=1e-12)


def test_before_holds_the_original_curve_up_to_the_start():
    t = _trainer()
    branch = Branch(t, {"lr": 0.05}, at_step=10)
    assert branch.before["step"] == [5, 10]
    assert branch.before["train_loss"] == t.history.train_loss[:2]


def test_rewind_goes_back_to_the_start_and_repeats_bit_for_bit():
    t = _trainer("momentum")
    branch = Branch(t, {"l2": 0.003})
    branch.step(9)
    first = [list(r.history.train_loss) for r in branch.runs]
    branch.rewind()
    assert [r.step_count for r in branch.runs] == [20, 20] and branch.step_count == 0
    branch.step(9)
    assert [list(r.history.train_loss) for r in branch.runs] == first


def test_a_diverging_run_stops_and_the_other_trains_on():
    from actviz_widgets.engine.training import TrainingDiverged

    net = MLP([1, 4, 1], activation="linear", loss="mse", seed=1)
    t = Trainer(net, make_dataset("sine", n_samples=60, seed=2), lr=0.1, seed=SEED)
    t.step(10)
    branch = Branch(t, {"lr": 1e100})
    with pytest.raises(TrainingDiverged, match="run B: the training-set loss became inf at "
                                               "step 11"):
        branch.step(5)
    assert branch.diverged[0] is None and branch.diverged[1] is not None
    assert branch.run_b.step_count == 10 and branch.run_a.step_count == 15
    branch.step(5)  # B stays where it stopped, A goes on
    assert branch.run_b.step_count == 10 and branch.run_a.step_count == 20


@pytest.mark.parametrize("change,match", [
    ({}, "exactly one setting.*got 0: name one of lr, optimizer"),
    ({"lr": 0.1, "l2": 0.01}, r"exactly one setting.*got 2 \(lr, l2\)"),
    ({"momentum": 0.5}, ("a branch can change lr, optimizer, batch_size, l2, activation; "
                         "got 'momentum'")),
    ({"lr": 0.2}, "lr is already 0.2"),
    ({"batch_size": 10}, "batch_size is already 10"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"activation": "swish"}, "activation"),
    ({"lr": -1.0}, "lr"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_changes_are_refused_by_name(change, match):
    with pytest.raises(ValueError, match=match):
        Branch(_trainer(), change)


def test_bad_steps_are_refused():
    t = _trainer()
    with pytest.raises(ValueError, match="no snapshot of the weights at step 7.*0, 5, 10, 15, 20"):
        Branch(t, {"lr": 0.1}, at_step=7)
    with pytest.raises(ValueError, match="at most the run's current step 20; got 25"):
        Branch(t, {"lr": 0.1}, at_step=25)
    with pytest.raises(TypeError, match="trainer must be a Trainer"):
        check_change("trainer", {"lr": 0.1})


def test_activation_needs_hidden_layers():
    net = MLP([2, 1], loss="bce")
    t = Trainer(net, make_dataset("xor", n_samples=20, seed=0))
    with pytest.raises(ValueError, match="activation can be changed only"):
        Branch(t, {"activation": "relu"})


# -- the widget ----------------------------------------------------------------------------

@pytest.fixture
def playground():
    pg = Playground(dataset="circles", n_samples=80, batch_size=10, optimizer="momentum",
                    grid_n=12)
    pg.run_frames(6)  # 30 steps, a snapshot every 5
    yield pg
    pg.close()


def test_from_playground_continues_the_playground_exactly(playground):
    w = BranchComparison.from_playground(playground, lr=0.03)
    assert w.trainer.start.step == 30
    w.train(10)
    playground.run_frames(2)
    h, a = playground.trainer.history, w.trainer.run_a.history
    rows = dict(zip(a.step, a.train_loss))
    assert [rows[k] for k in (35, 40)] == h.train_loss[h.step.index(35):h.step.index(40) + 1]
    w.close()


def test_from_a_viewed_history_step(playground):
    playground.view_history(15)
    w = BranchComparison.from_playground(playground, batch_size="all")
    assert w.trainer.start.step == 15
    w.train(10)
    playground.run_frames(2)  # resumes from step 15: steps 20 and 25
    h, a = playground.trainer.history, w.trainer.run_a.history
    rows = dict(zip(a.step, a.train_loss))
    assert [rows[20], rows[25]] == h.train_loss[h.step.index(20):h.step.index(25) + 1]
    w.close()


def test_widget_names_the_difference_and_trains_both_runs(playground):
    w = BranchComparison.from_playground(playground, lr=0.03)
    assert w.difference == "learning rate 0.3 → 0.03"
    assert w.state.title == w.difference
    assert w.state.labels == ("A: learning rate 0.3", "B: learning rate 0.03")
    w.train_buttons[10].click()
    assert [r.step_count for r in w.trainer.runs] == [40, 40]
    assert w.run_frames(2) == 2  # Play's frames: 5 steps each, both runs
    assert [r.step_count for r in w.trainer.runs] == [50, 50]
    s = w.state
    assert s.x[0][0] == s.x[1][0] == 30 and s.x[0][-1] == 50
    # the picture shows each run's own network over the plane
    for k, run in enumerate(w.trainer.runs):
        assert s.fields[k].shape == (40, 40)
        corner = run.net.predict(np.array([[w.extent[0], w.extent[2]]]))[0, 0]
        assert s.fields[k][0, 0] == pytest.approx(corner, rel=1e-12)
    assert not np.allclose(s.fields[0], s.fields[1])
    w.reset_button.click()
    assert [r.step_count for r in w.trainer.runs] == [30, 30]
    assert readability_problems(w.view) == []
    w.close()


def test_every_kind_of_change_is_named(playground):
    for change, text in (({"optimizer": "adam"}, "optimizer momentum → Adam"),
                         ({"batch_size": "all"}, "batch size 10 → all"),
                         ({"l2": 0.01}, "L2 strength 0 → 0.01"),
                         ({"activation": "relu"}, "activation tanh → ReLU")):
        w = BranchComparison.from_playground(playground, **change)
        assert w.difference == text
        w.close()


def test_a_diverging_run_is_said_in_the_picture_and_the_message():
    pg = Playground(dataset="sine", activation="linear", n_samples=60, grid_n=12)
    pg.run_frames(2)
    w = BranchComparison.from_playground(pg, lr=1e100)
    w.train(10)
    assert w.error.startswith("run B: the training-set loss became inf at step 11")
    assert w.state.diverged == (False, True)
    assert w.view.diverged_note.get_text() == "run B diverged (stopped)"
    assert readability_problems(w.view) == []
    w.train(10)  # A trains on
    assert [r.step_count for r in w.trainer.runs] == [30, 10]
    w.close()
    pg.close()


def test_in_chinese(playground):
    w = BranchComparison.from_playground(playground, language="zh", optimizer="sgd")
    assert w.difference == "优化器：动量 → SGD"
    assert w.state.labels[1] == "B：优化器 SGD"
    assert w.control("show_test").description == "显示测试数据"
    assert w.train_buttons[10].description == "训练 10 步"
    w.train(20)
    assert readability_problems(w.view) == []
    w.close()


def test_show_test_hides_the_test_curves(playground):
    w = BranchComparison.from_playground(playground, l2=0.003)
    w.train(10)
    assert w.view.test_lines[0].get_visible()
    w.show_test = False
    assert not w.view.test_lines[0].get_visible()
    assert len(w.view.panels[0].points["test"].get_offsets()) == 0
    w.close()


def test_regression_set_draws_curves():
    pg = Playground(dataset="sine", n_samples=60, grid_n=12)
    pg.run_frames(4)
    w = BranchComparison.from_playground(pg, activation="relu")
    w.train(10)
    xs, ys = w.view.curves[1].get_data()
    np.testing.assert_allclose(ys, w.trainer.run_b.net.predict(xs.reshape(-1, 1))[:, 0],
                               rtol=1e-12, atol=1e-15)
    assert readability_problems(w.view) == []
    w.close()
    pg.close()


def test_bad_changes_from_the_widget(playground):
    with pytest.raises(ValueError, match="exactly one setting"):
        BranchComparison.from_playground(playground)
    with pytest.raises(ValueError, match="a branch can change"):
        BranchComparison.from_playground(playground, seed=4)
    with pytest.raises(ValueError, match="exactly one setting"):
        BranchComparison.from_playground(playground, lr=0.1, l2=0.01)


def test_play_trains_both_runs_frame_by_frame(playground):
    import asyncio

    w = BranchComparison.from_playground(playground, optimizer="adam")

    async def play_three_frames():
        w.play()
        assert w.playing and w.play_button.value
        while w.player.frames < 3:
            await asyncio.sleep(0.01)
        w.pause()

    asyncio.run(play_three_frames())
    assert not w.playing and not w.play_button.value
    frames = w.player.frames
    steps = 30 + w.STEPS_PER_FRAME * frames
    assert [r.step_count for r in w.trainer.runs] == [steps, steps]
    # the same as taking those steps at once
    same = BranchComparison.from_playground(playground, optimizer="adam")
    same.train(steps - 30)
    for run, twin in zip(w.trainer.runs, same.trainer.runs):
        assert run.history.train_loss == twin.history.train_loss
    w.close()
    same.close()


def test_a_playground_on_the_learners_own_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)) * 3.0 + 5.0
    y = (X[:, 0] > 5.0).astype(float)
    pg = Playground(dataset=(X, y), grid_n=12)
    pg.run_frames(3)
    w = BranchComparison.from_playground(pg, l2=0.01)
    w.train(10)
    # the same (scaled) data and plane as the playground's
    np.testing.assert_array_equal(w.trainer.run_b.X_train, pg.trainer.X_train)
    assert w.extent == tuple(pg.view.extent)
    want = _by_hand(pg.trainer.history.snapshots[15], pg.trainer.X_train, pg.trainer.y_train,
                    10, lr=pg.lr, batch=pg.batch_size, l2=0.01, seed=pg.seed)
    np.testing.assert_allclose(w.trainer.run_b.history.train_loss, want, rtol=1e-11)
    w.close()
    pg.close()


def test_the_branch_button_shows_the_comparison_under_the_playground():
    pg = Playground(hidden_layers=1, neurons=3, seed=2)
    pg.train(6)
    pg.branch_select.value = ("lr", pg.lr * 0.1)
    pg.branch_button.click()
    first = pg.comparison  # step 6 has no kept snapshot: the live run is the start
    assert pg.message_kind is None and pg.branch_output.children == (first,)
    assert first.trainer.start.step == 6
    assert first.trainer.run_b.optimizer.lr == pytest.approx(pg.lr * 0.1)
    a = first.trainer.run_a
    assert all(np.array_equal(w, v) for w, v in zip(a.net.weights, pg.trainer.net.weights))
    # run A continues the playground's own run bit for bit from the live step
    first.trainer.run_a.step(4)
    pg.trainer.step(4)
    assert all(np.array_equal(w, v) for w, v in zip(a.net.weights, pg.trainer.net.weights))
    pg.branch_button.click()  # a second branch replaces (and closes) the first
    assert pg.branch_output.children == (pg.comparison,) and pg.comparison is not first
    pg.close()
