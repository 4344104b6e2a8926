"""The training playground: drawn data against independent computations, every control
from the page side and from code, Play as an asyncio task (frames equal run_frames, changes
apply before the next frame, scrubs are never lost, no thread), Reset and New weights,
divergence, history, save/load, refused values and random control changes.

Outside a kernel ipywidgets observers fire synchronously, so a control's
``set_state`` (what the page sends) runs the widget's handlers at once.
Expected values come from networks, datasets and trainers built here from
the settings with the engine, or from hand-written forward passes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import threading
import time

import numpy as np
import pytest

from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.grid import grid_field, input_grid
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.serialization import save_network
from actviz_widgets.engine.training import Trainer, TrainingDiverged
from actviz_widgets.views.heatmap import level_segments
from actviz_widgets.widgets.player import Player
from actviz_widgets.widgets.playground import (
    ALL,
    PLANE,
    Playground,
    PlaygroundState,
    check_settings,
)

#: Random control changes in the consistency test (about 30-50 s on a 2-core machine).
RANDOM_CHANGES = 500
SMALL = dict(dataset="xor", hidden_layers=2, neurons=3, n_samples=60, grid_n=12,
             steps_per_frame=3)
#: Frames as fast as they can run in the asyncio tests (nothing is timed).
FAST = dict(SMALL, fps=1000.0)


async def until(condition, timeout: float = 60.0) -> None:
    """Yield to the event loop until ``condition()`` (the timeout only guards against a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.001)


def reference_data(s: dict):
    return make_dataset(s["dataset"], n_samples=s["n_samples"], noise=s["noise"],
                        test_fraction=1 - s["train_percent"] / 100, seed=s["data_seed"])


def reference_net(s: dict) -> MLP:
    sine = s["dataset"] == "sine"
    sizes = [1 if sine else 2] + [s["neurons"]] * s["hidden_layers"] + [1]
    return MLP(sizes, activation=s["activation"],
               output_activation="linear" if sine else "sigmoid", loss=s["loss"],
               seed=s["seed"])


def reference_trainer(pg: Playground, **changes) -> Trainer:
    """The engine's own training loop with the playground's settings, built independently."""
    s = {**pg.settings(), **changes}
    # (recording every frame, as the playground does: where a divergence is caught
    # depends on when the whole-set loss is measured)
    return Trainer(reference_net(s), reference_data(s), optimizer=s["optimizer"], lr=s["lr"],
                   batch_size=None if s["batch_size"] == "all" else s["batch_size"],
                   weight_decay=s["l2"], seed=s["seed"], record_every=s["steps_per_frame"])


def assert_same_params(net_a: MLP, net_b: MLP) -> None:
    assert net_a.sizes == net_b.sizes
    for a, b in zip(net_a.weights + net_a.biases, net_b.weights + net_b.biases):
        np.testing.assert_array_equal(a, b)


def hand_forward(net: MLP, X: np.ndarray) -> list[np.ndarray]:
    """Activations of every layer, written out for tanh hidden layers and a sigmoid output."""
    acts = [X]
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = acts[-1] @ W + b
        acts.append(np.tanh(z) if l < net.n_layers - 1 else 1 / (1 + np.exp(-z)))
    return acts


def page_sends(control, value) -> None:
    """What the page sends when the learner picks ``value``: an index for a selection."""
    if hasattr(control, "options"):
        control.set_state({"index": [v for _, v in control.options].index(value)})
    else:
        control.set_state({"value": value})


def drawn_output(pg: Playground) -> np.ndarray:
    return (pg.view.curve_line.get_ydata() if pg.dataset == "sine"
            else pg.view.boundary.image.get_array())


# -- Player (asyncio, no threads) ------------------------------------------------------------
def test_player_frames_pause_and_one_task_without_threads():
    calls = []
    threads = threading.active_count()
    player = Player(lambda: calls.append("s"), lambda: calls.append("r"), fps=1000)

    async def main():
        player.play()
        task = player.task
        player.play()  # never a second task
        assert player.task is task
        await until(lambda: len(calls) >= 6)
        assert threading.active_count() == threads
        player.pause()
        assert not player.playing
        frozen = len(calls)
        await asyncio.sleep(0.02)
        assert len(calls) == frozen  # nothing runs after pause
        return frozen

    frozen = asyncio.run(main())
    assert calls[:4] == ["s", "r", "s", "r"] and frozen % 2 == 0  # whole frames only
    assert player.run_frames(3) == 3 and len(calls) == frozen + 6
    assert threading.active_count() == threads
    with pytest.raises(RuntimeError, match="run_frames"):
        player.play()  # no event loop here


def test_player_stops_on_false_and_routes_errors():
    count = [0]

    def step():
        count[0] += 1
        return count[0] < 3

    stopped = []
    player = Player(step, fps=1000, on_stop=lambda: stopped.append(True))

    async def run_until_stopped(p):
        p.play()
        await until(lambda: not p.playing)

    asyncio.run(run_until_stopped(player))
    assert count[0] == 3 and stopped == [True]
    assert Player(step).run_frames(5) == 1  # the step keeps saying False

    errors = []

    def boom():
        raise RuntimeError("bad frame")

    player = Player(boom, on_error=errors.append, fps=1000)
    asyncio.run(run_until_stopped(player))
    assert str(errors[0]) == "bad frame" and not player.playing
    with pytest.raises(RuntimeError, match="bad frame"):
        Player(boom).run_frames(1)


# -- drawn data ------------------------------------------------------------------------------
def test_boundary_tiles_edges_curves_and_state_match_independent_computation():
    pg = Playground(**SMALL)
    pg.run_frames(4)
    net = pg.net
    n = 12
    xs = np.linspace(-PLANE, PLANE, n)
    gx, gy = np.meshgrid(xs, xs)
    acts = hand_forward(net, np.column_stack([gx.ravel(), gy.ravel()]))
    v = pg.view
    # boundary: the output over the plane, row 0 at the bottom (y = -PLANE)
    np.testing.assert_allclose(v.boundary.image.get_array(), acts[-1].reshape(n, n), rtol=1e-12)
    assert v.boundary.image.get_array()[0, 0] == pytest.approx(
        hand_forward(net, np.array([[-PLANE, -PLANE]]))[-1][0, 0], rel=1e-12)
    assert len(v.boundary.segments)
    np.testing.assert_allclose(v.boundary.segments,
                               level_segments(acts[-1].reshape(n, n),
                                              (-PLANE, PLANE, -PLANE, PLANE), 0.5))
    # tiles: every hidden neuron, layer by layer
    assert v.tile_index == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]
    for t, (l, k) in enumerate(v.tile_index):
        np.testing.assert_allclose(v.tiles.values[t], acts[l][:, k].reshape(n, n), rtol=1e-12)
    assert np.all(v.tiles.vmax == v.tile_scale) and v.tile_scale == 1.0  # tanh: ±1
    # edges: the weights
    np.testing.assert_array_equal(v.diagram.edge_weights,
                                  np.concatenate([W.ravel() for W in net.weights]))
    # curves: one row per frame; the last train loss is the bce of the current weights
    X, y = pg.data.X_train, pg.data.y_train
    p = hand_forward(net, X)[-1]
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    train = v.loss_chart.lines["train"].get_ydata()
    assert len(train) == 4 and train[-1] == pytest.approx(bce, rel=1e-10)
    acc = np.mean((p > 0.5) == (y > 0.5))
    assert v.acc_chart.lines["train"].get_ydata()[-1] == pytest.approx(acc)
    # 30 training samples in batches of 10: a frame of 3 steps is one epoch
    np.testing.assert_allclose(v.loss_chart.lines["train"].get_xdata(), [1, 2, 3, 4])
    assert v.title.get_text() == "Epoch 4 · step 12"
    # the state: a read-only snapshot of the same numbers
    st = pg.state
    assert isinstance(st, PlaygroundState) and st.live and st.step == 12 == st.measured_at
    assert st.epoch == 4.0 and st.sizes == (2, 3, 3, 1) and st.title == v.title.get_text()
    assert st.train_loss == pytest.approx(bce, rel=1e-10) and st.train_acc == pytest.approx(acc)
    Xt, yt = pg.data.X_test, pg.data.y_test
    pt = hand_forward(net, Xt)[-1]
    assert st.test_loss == pytest.approx(-np.mean(yt * np.log(pt) + (1 - yt) * np.log(1 - pt)),
                                         rel=1e-10)
    np.testing.assert_allclose(st.field.output, acts[-1].reshape(n, n), rtol=1e-12)
    for a, b in zip(st.weights, net.weights):
        np.testing.assert_array_equal(a, b)
    assert st.settings["lr"] == 0.3 and st.grad is None and st.diverged is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.step = 3
    with pytest.raises(TypeError):
        st.settings["lr"] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        st.weights[0][0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        st.field.output[0, 0] = 1.0
    pg.run_frames(1)  # a later frame: the old snapshot keeps its numbers
    assert st.step == 12 and pg.state.step == 15


def test_gradient_overlay_shows_mean_abs_delta_per_sample():
    pg = Playground(**SMALL)
    pg.run_frames(2)
    pg.gradient_toggle.value = True
    assert pg.show_gradients
    net = pg.net
    X, y = pg.data.X_train, pg.data.y_train
    acts = hand_forward(net, X)
    # per-sample δ = ∂ℓ/∂z: p − y at a sigmoid output with bce, then back through tanh
    delta = [None, None, acts[3] - y]
    for l in (2, 1):
        delta[l - 1] = (delta[l] @ net.weights[l].T) * (1 - acts[l] ** 2)
    expected = np.concatenate([np.abs(d).mean(axis=0) for d in delta])
    np.testing.assert_allclose(pg.view.grad_values, expected, rtol=1e-10)
    np.testing.assert_allclose(np.concatenate(pg.state.grad), expected, rtol=1e-10)
    heights = [np.ptp(np.asarray(p.vertices)[:, 1]) for p in pg.view.grad_bars.get_paths()]
    assert np.argmax(heights) == np.argmax(expected)
    assert pg.view.grad_bars.get_visible()
    # the numbers beside the bars (drawn where they fit): the first layer's three neurons
    assert len(pg.view.grad_texts[0].get_text().splitlines()) == 3
    pg.show_gradients = False  # from code: the control follows
    assert not pg.gradient_toggle.value
    assert not pg.view.grad_bars.get_visible() and np.isnan(pg.view.grad_values).all()
    assert pg.trainer.step_count == 6  # display only


def test_controls_rebuild_or_keep_training():
    pg = Playground(**SMALL)
    pg.run_frames(2)
    # learning rate, batch size, L2: the same training goes on
    pg.lr_slider.value = 0.1
    pg.batch_slider.value = ALL
    pg.l2_slider.value = 0.001
    assert pg.trainer.step_count == 6
    assert (pg.trainer.lr, pg.trainer.batch_size, pg.trainer.weight_decay) == (0.1, None, 0.001)
    assert "without restarting" in pg.message.value and pg.message_kind == "note"
    # steps per frame: the history is recorded at frame ends, so training restarts
    pg.steps_per_frame = 4
    assert pg.trainer.step_count == 0 and pg.step_button.tooltip == "one frame: 4 training steps"
    assert "steps per frame changed, so training restarted" in pg.message.value
    pg.step(2)
    assert pg.trainer.history.step == [4, 8] and sorted(pg.trainer.history.snapshots) == [0, 4, 8]
    # architecture: restarts, and says so
    pg.layers_slider.value = 3
    pg.neurons_slider.value = 5
    assert pg.net.sizes == [2, 5, 5, 5, 1] == pg.view.diagram.sizes
    assert pg.trainer.step_count == 0 and "restarted" in pg.message.value
    assert len(pg.view.tile_index) == 15 and pg.trainer.lr == 0.1  # settings kept
    pg.activation_select.value = "relu"
    assert pg.net.activation_names == ["relu"] * 3 + ["sigmoid"]
    pg.loss_select.value = "mse"
    assert pg.net.loss.name == "mse" and pg.net.activation_names[-1] == "sigmoid"
    pg.optimizer_select.value = "adam"
    assert type(pg.trainer.optimizer).__name__ == "Adam"
    pg.seed_text.value = 7
    assert_same_params(pg.net, MLP([2, 5, 5, 5, 1], activation="relu",
                                   output_activation="sigmoid", loss="mse", seed=7))
    # data
    pg.dataset_select.value = "moons"
    assert pg.loss == "mse"  # between classification sets the loss stays
    pg.noise_slider.value = 0.3
    pg.train_slider.value = 70
    ref = make_dataset("moons", n_samples=60, noise=0.3, test_fraction=1 - 0.7, seed=0)
    np.testing.assert_array_equal(pg.trainer.X_train, ref.X_train)
    np.testing.assert_array_equal(pg.view.boundary.points["train"].get_offsets(), ref.X_train)
    np.testing.assert_array_equal(pg.view.boundary.points["test"].get_offsets(), ref.X_test)
    pg.test_toggle.value = False
    assert not pg.view.boundary.points["test"].get_visible()
    # sine: regression, mse only, a 1-D view whose curve is the prediction
    pg.loss_select.value = "bce"
    pg.dataset_select.value = "sine"
    assert [v for _, v in pg.loss_select.options] == ["mse"] and pg.loss == "mse"
    assert pg.net.loss.name == "mse" and pg.loss_select.value == "mse"
    assert pg.net.sizes[0] == 1 and pg.view.boundary is None and pg.view.acc_chart is None
    assert "regression" in pg.message.value
    with pytest.raises(ValueError, match="loss must be one of"):
        pg.loss = "bce"
    pg.run_frames(1)
    xs = np.linspace(-1.2, 1.2, 12).reshape(-1, 1)
    np.testing.assert_allclose(pg.view.curve_line.get_ydata(), pg.net.predict(xs).ravel())
    np.testing.assert_allclose(pg.view.tiles.values[:, 0, :],
                               [pg.net.forward(xs).a[l][:, k] for l, k in pg.view.tile_index])
    # back to classification: both losses again, starting from bce
    pg.dataset_select.value = "circles"
    assert [v for _, v in pg.loss_select.options] == ["bce", "mse"] and pg.net.sizes[0] == 2
    assert pg.loss == "bce" == pg.loss_select.value == pg.net.loss.name
    assert pg.error is None


def test_dataset_and_loss_change_together_build_once():
    pg = Playground(**{**SMALL, "dataset": "sine"})
    assert pg.loss == "mse" and pg.net.loss.name == "mse"  # given bce by default
    builds = []
    original = pg.build
    pg.build = lambda: (builds.append(pg.dataset), original())
    pg.apply(dataset="xor", loss="mse", neurons=2)
    assert builds == ["xor"] and pg.loss == "mse" == pg.loss_select.value
    assert_same_params(pg.net, reference_net(pg.settings()))
    pg.dataset_select.set_state({"index": list(pg.dataset_select.options).index(
        ("sine", "sine"))})
    assert builds == ["xor", "sine"] and pg.net.loss.name == "mse" and pg.net.sizes[0] == 1
    with pytest.raises(ValueError, match="loss must be one of"):
        pg.apply(dataset="circles", loss="hinge")
    assert pg.dataset == "sine" and builds == ["xor", "sine"]  # all or nothing


# -- every control, from the page and from code -------------------------------------------------
CONTROLS = [  # attribute, setting, v1, v2
    ("dataset_select", "dataset", "moons", "circles"),
    ("noise_slider", "noise", 0.3, 0.2),
    ("train_slider", "train_percent", 70, 30),
    ("layers_slider", "hidden_layers", 1, 3),
    ("neurons_slider", "neurons", 2, 5),
    ("activation_select", "activation", "relu", "sigmoid"),
    ("loss_select", "loss", "mse", "bce"),
    ("optimizer_select", "optimizer", "adam", "momentum"),
    ("lr_slider", "lr", 0.03, 1.0),
    ("batch_slider", "batch_size", ALL, 5),
    ("l2_slider", "l2", 0.01, 0.001),
    ("seed_text", "seed", 7, 3),
    ("gradient_toggle", "show_gradients", True, False),
    ("test_toggle", "show_test", False, True),
]


def assert_computes(pg: Playground, name: str, value) -> None:
    """The setting, its control, and one frame of training equal the engine's at ``value``."""
    assert pg.settings()[name] == value and getattr(pg, name) == value
    control = pg.controls[name]
    assert control.value == value
    ref = reference_trainer(pg)
    np.testing.assert_array_equal(pg.trainer.X_train, ref.X_train)
    assert_same_params(pg.net, ref.net)  # step 0: the seeded initial weights
    pg.run_frames(1)
    ref.step(pg.steps_per_frame)
    assert_same_params(pg.net, ref.net)
    assert pg.trainer.history.train_loss == ref.history.train_loss
    np.testing.assert_array_equal(drawn_output(pg),
                                  grid_field(ref.net, (-PLANE, PLANE, -PLANE, PLANE), 12).output)
    if name == "show_gradients":
        assert pg.view.grad_bars.get_visible() == value
    if name == "show_test":
        assert pg.view.boundary.points["test"].get_visible() == value
    assert pg.error is None


@pytest.mark.parametrize("attr, name, v1, v2", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_every_control_from_the_page_and_from_code(attr, name, v1, v2):
    # code sets v1 then v2, then the page sends v1: the learner's v1 wins
    pg = Playground(**SMALL)
    control = getattr(pg, attr)
    assert control is pg.controls[name]
    setattr(pg, name, v1)
    control.value = v2
    assert getattr(pg, name) == v2
    page_sends(control, v1)
    assert_computes(pg, name, v1)
    # the page first, then code
    pg = Playground(**SMALL)
    control = getattr(pg, attr)
    page_sends(control, v1)
    assert getattr(pg, name) == v1
    setattr(pg, name, v2)
    assert_computes(pg, name, v2)


@pytest.mark.parametrize("attr, name, bad", [("noise_slider", "noise", math.nan),
                                             ("lr_slider", "lr", math.nan)])
def test_refused_page_values_leave_everything_as_it_was(attr, name, bad):
    pg = Playground(**SMALL)
    pg.run_frames(2)
    before, settings, png = pg.net.copy(), pg.settings(), pg.image.value
    control = getattr(pg, attr)
    control.set_state({"value": bad})
    assert pg.message_kind == "error" and name in pg.error
    assert control.value == getattr(pg, name) == settings[name]
    assert pg.settings() == settings and pg.trainer.step_count == 6
    assert_same_params(pg.net, before)
    assert pg.image.value == png


@pytest.mark.parametrize("kwargs, error, words", [
    ({"noise": 0.8}, ValueError, "noise must be between 0 and 0.5; got 0.8"),
    ({"seed": 2_000_000}, ValueError, "seed must be between 0 and 1e\\+06"),
    ({"train_percent": 25}, ValueError, "train_percent must be a multiple of 10"),
    ({"train_percent": 95}, ValueError, "train_percent"),
    ({"lr": 100.0}, ValueError, "lr must be between"),
    ({"lr": math.nan}, ValueError, "lr must be a finite number"),
    ({"batch_size": 3}, ValueError, "batch_size must be one of"),
    ({"l2": 0.5}, ValueError, "l2 must be one of"),
    ({"hidden_layers": 7}, ValueError, "hidden_layers"),
    ({"neurons": True}, TypeError, "neurons must be an integer"),
    ({"neurons": 2.0}, TypeError, "neurons"),
    ({"dataset": "iris"}, ValueError, "dataset must be one of"),
    ({"activation": None}, ValueError, "activation must be one of"),
    ({"loss": "hinge"}, ValueError, "loss must be one of"),
    ({"steps_per_frame": 0}, ValueError, "steps_per_frame"),
    ({"grid_n": 1}, ValueError, "grid_n"),
    ({"max_snapshots": 2}, ValueError, "max_snapshots"),
])
def test_bad_arguments_name_themselves(kwargs, error, words):
    with pytest.raises(error, match=words):
        Playground(**{**SMALL, **kwargs})


def test_bad_values_from_code_change_nothing():
    pg = Playground(**SMALL)
    pg.run_frames(1)
    settings, before = pg.settings(), pg.net.copy()
    for name, value in [("noise", 0.8), ("seed", 2_000_000), ("lr", -1.0), ("neurons", 9),
                        ("batch_size", 0)]:
        with pytest.raises(ValueError, match=name):
            setattr(pg, name, value)
    with pytest.raises(ValueError, match="lr"):
        pg.apply(neurons=5, lr=50.0)
    assert pg.settings() == settings and pg.noise_slider.value == 0.1
    assert pg.seed_text.value == 0 and pg.neurons_slider.value == 3
    assert pg.trainer.step_count == 3
    assert_same_params(pg.net, before)
    # the largest seed: New weights says why it cannot go further
    pg.seed = 10 ** 6
    pg.new_weights_button.click()
    assert pg.seed == 10 ** 6 and pg.message_kind == "error" and "seed" in pg.error


# -- Play, Step, Reset, New weights ------------------------------------------------------------
def test_step_reset_and_new_weights():
    pg = Playground(**SMALL)
    ref = reference_trainer(pg)
    initial = pg.net.copy()
    assert pg.run_frames(3) == 3
    pg.step_button.click()
    ref.step(12)
    assert_same_params(pg.net, ref.net)
    # Reset: step 0, the same initial weights, whatever happened (also after New weights)
    assert pg.rewind_button is pg.reset_button
    pg.reset_button.click()
    assert pg.trainer.step_count == 0 and len(pg.trainer.history) == 0
    assert_same_params(pg.net, initial)
    assert pg.history_slider.max == 0 and "same initial weights" in pg.message.value
    pg.step()
    pg.rewind()  # the older lessons' name
    assert_same_params(pg.net, initial)
    # New weights: the seed + 1, a new start; Reset then goes back to those
    pg.step()
    pg.new_weights_button.click()
    assert pg.seed == 1 == pg.seed_text.value and pg.trainer.step_count == 0
    assert_same_params(pg.net, reference_net(pg.settings()))
    start = pg.net.copy()
    pg.step(2)
    pg.reset()
    assert_same_params(pg.net, start)


def test_play_frames_equal_run_frames_and_start_no_thread():
    threads = threading.active_count()
    a, b = Playground(**FAST), Playground(**SMALL)
    assert a.image.value == b.image.value

    async def main():
        a.play()
        assert a.playing and a.play_button.value and a.play_button.description == "Pause"
        await until(lambda: a.player.frames >= 4)
        assert threading.active_count() == threads
        a.pause()
        assert not a.playing and not a.play_button.value and a.play_button.description == "Play"
        frames = a.player.frames
        await asyncio.sleep(0.02)
        assert a.player.frames == frames  # Pause always stops
        return frames

    frames = asyncio.run(main())
    assert b.run_frames(frames) == frames
    assert a.trainer.step_count == b.trainer.step_count == 3 * frames
    assert_same_params(a.net, b.net)
    assert a.trainer.history.train_loss == b.trainer.history.train_loss
    assert a.image.value == b.image.value
    assert threading.active_count() == threads
    # the Play button itself (what the page sends)
    threads = threading.active_count()

    async def by_button():
        a.play_button.set_state({"value": True})
        await until(lambda: a.player.frames >= frames + 2)
        a.play_button.set_state({"value": False})
        assert not a.playing

    asyncio.run(by_button())
    b.run_frames(a.player.frames - frames)
    assert_same_params(a.net, b.net)
    assert threading.active_count() == threads


def test_controls_moved_while_playing_apply_before_the_next_frame():
    pg = Playground(**FAST)
    threads = threading.active_count()
    log = {}

    async def main():
        pg.play()
        await until(lambda: pg.player.frames >= 2)
        # a live setting from the page: applied at once, between two frames
        log["k"] = k = pg.trainer.step_count
        pg.lr_slider.set_state({"value": 0.1})
        assert pg.trainer.lr == 0.1 and pg.trainer.step_count == k and pg.playing
        frames = pg.player.frames
        await until(lambda: pg.player.frames >= frames + 2)
        log["n"] = pg.trainer.step_count
        # a restart setting: a new network at once, and Play goes on training it
        pg.neurons_slider.set_state({"value": 2})
        assert pg.net.sizes == [2, 2, 2, 1] and pg.trainer.step_count == 0 and pg.playing
        frames = pg.player.frames
        await until(lambda: pg.player.frames >= frames + 2)
        pg.pause()
        assert threading.active_count() == threads

    asyncio.run(main())
    k, n = log["k"], log["n"]
    assert k % 3 == 0 and n > k
    ref = reference_trainer(pg)  # neurons 2, lr 0.1: trained from step 0 by Play
    ref.step(pg.trainer.step_count)
    assert pg.trainer.step_count >= 6
    assert_same_params(pg.net, ref.net)
    assert pg.error is None and "restarted" in pg.message.value
    # the first run: lr 0.3 for k steps, then 0.1 (checked on a twin played synchronously)
    twin = Playground(**SMALL)
    twin.run_frames(k // 3)
    twin.lr = 0.1
    twin.run_frames((n - k) // 3)
    ref = reference_trainer(twin, lr=0.3)
    ref.step(k)
    ref.lr = 0.1
    ref.step(n - k)
    assert_same_params(twin.net, ref.net)


def test_history_scrubs_while_playing_are_never_lost():
    pg = Playground(**FAST)
    rng = np.random.default_rng(3)
    seen = []

    async def main():
        for _ in range(8):
            pg.play()
            start = pg.player.frames
            await until(lambda: pg.player.frames >= start + 2)
            # the learner drags the scrubber, within the range the page shows (while
            # playing, the slider follows the steps only every SCRUBBER_WHILE_PLAYING_S)
            assert 0 < pg.history_slider.max <= pg.trainer.step_count
            target = int(rng.integers(0, pg.history_slider.max))
            pg.history_slider.set_state({"value": target})
            expected = target // 3 * 3  # the latest snapshot at or before it
            assert not pg.playing and not pg.play_button.value
            assert pg.viewing == expected == pg.shown_step == pg.history_slider.value
            frames = pg.player.frames
            await asyncio.sleep(0.01)
            assert pg.player.frames == frames and pg.viewing == expected  # not lost
            seen.append(expected)

    asyncio.run(main())
    assert len(seen) == 8
    # Play resumed from each viewed step: the history is one consistent run
    h = pg.trainer.history
    assert h.step == list(range(3, pg.trainer.step_count + 1, 3))
    ref = reference_trainer(pg)
    ref.step(pg.viewing)
    assert_same_params(pg.shown_net, ref.net)  # plain SGD resumes exactly


def test_while_playing_the_scrubber_moves_now_and_then_and_a_scrub_to_its_value_counts(
        monkeypatch):
    """The history slider follows the step drawn only every SCRUBBER_WHILE_PLAYING_S while
    playing (a message the page lays out again per move), at the first frame, and when
    Play ends; a learner sending the very value it still holds views that step."""
    from actviz_widgets.widgets import playground as module
    monkeypatch.setattr(module, "SCRUBBER_WHILE_PLAYING_S", 3600.0)
    pg = Playground(**FAST)
    moves = []
    pg.history_slider.observe(lambda c: moves.append(c["new"]), names="value")

    async def main():
        pg.play()
        await until(lambda: pg.player.frames >= 4)
        assert moves == [3]  # the first frame played, then not again
        assert pg.history_slider.value == 3 < pg.shown_step == pg.trainer.step_count
        pg.history_slider.set_state({"value": 3})  # the page sends the value it shows
        assert pg.viewing == 3 == pg.shown_step and not pg.playing
        pg.play()  # Play resumes from step 3 ...
        await until(lambda: pg.trainer.step_count >= 9)
        pg.pause()  # ... and its end moves the scrubber to the step drawn

    asyncio.run(main())
    assert pg.history_slider.value == pg.shown_step == pg.trainer.step_count >= 9


def test_divergence_stops_play_and_the_widget_keeps_working():
    pg = Playground(dataset="sine", hidden_layers=1, neurons=4, lr=10.0, batch_size=None,
                    n_samples=60, grid_n=12, steps_per_frame=3, fps=1000.0)
    assert pg.batch_size == ALL
    ref = reference_trainer(pg)
    with pytest.raises(TrainingDiverged) as info:
        ref.step(100)
    failed = info.value.step
    frames = pg.run_frames(100)
    assert frames == (failed - 1) // 3 + 1  # the frame holding the failed step is the last
    last = (failed - 1) // 3 * 3  # the network goes back to the last good frame
    assert pg.trainer.step_count == last and pg.trainer.history.step[-1] == last
    snap = ref.history.snapshots[last]
    for a, b in zip(pg.net.weights + pg.net.biases, snap.weights + snap.biases):
        np.testing.assert_array_equal(a, b)
    assert f"diverged at step {failed}" in pg.error and f"back at step {last}" in pg.error
    assert "diverged" in pg.view.status.get_text() and pg.state.diverged == pg.diverged
    assert np.isfinite(pg.trainer.history.train_loss).all()

    # Play stops by itself too
    async def play():
        pg.play()
        await until(lambda: not pg.playing)

    asyncio.run(play())
    assert not pg.play_button.value and pg.trainer.step_count == last
    # a smaller learning rate trains on
    pg.lr_slider.set_state({"value": 0.01})
    assert pg.run_frames(2) == 2
    assert pg.trainer.step_count == last + 6 and pg.diverged is None
    assert pg.error is None and pg.view.status.get_text() == ""


def test_history_scrub_draws_the_snapshot_and_resuming_discards_later_steps():
    pg = Playground(**SMALL)
    pg.run_frames(6)
    live = pg.net.copy()
    pg.history_slider.set_state({"value": 8})  # no snapshot at 8: the one at 6 is shown
    assert pg.viewing == 6 and pg.history_slider.value == 6 and pg.shown_step == 6
    snap = pg.trainer.history.snapshots[6]
    net6 = MLP([2, 3, 3, 1], output_activation="sigmoid", loss="bce")
    net6.set_params(snap.weights, snap.biases)
    field = grid_field(net6, (-PLANE, PLANE, -PLANE, PLANE), 12)
    np.testing.assert_array_equal(pg.view.boundary.image.get_array(), field.output)
    for t, (l, k) in enumerate(pg.view.tile_index):
        np.testing.assert_array_equal(pg.view.tiles.values[t], field.layers[l][k])
    np.testing.assert_array_equal(pg.view.diagram.edge_weights,
                                  np.concatenate([W.ravel() for W in snap.weights]))
    h = pg.trainer.history
    np.testing.assert_array_equal(pg.view.loss_chart.lines["train"].get_ydata(),
                                  h.train_loss[:2])
    assert pg.view.loss_chart.marker_x == h.epoch[1]
    assert "History: step 6 of 18" in pg.view.status.get_text()
    st = pg.state
    assert not st.live and st.step == 6 and st.train_loss == h.train_loss[1]
    assert_same_params(pg.net, live)  # viewing changes nothing
    # back to the end: live again
    pg.history_slider.value = 18
    assert pg.viewing is None and pg.state.live
    np.testing.assert_array_equal(pg.view.boundary.image.get_array(),
                                  grid_field(live, (-PLANE, PLANE, -PLANE, PLANE), 12).output)
    # a live setting keeps the step viewed; resume from step 6 with Step: later history
    # discarded, same weights as the engine's run to 9
    assert pg.view_history(7) == 6
    pg.l2 = 0.0001
    pg.l2 = 0.0
    assert pg.viewing == 6
    pg.step_button.click()
    assert pg.trainer.step_count == 9 and h.step == [3, 6, 9]
    assert sorted(h.snapshots) == [0, 3, 6, 9]
    ref = reference_trainer(pg)
    ref.step(9)
    assert_same_params(pg.net, ref.net)
    assert "discarded" in pg.message.value
    # a restart while viewing: live at step 0 of the new run
    pg.view_history(3)
    pg.seed = 4
    assert pg.viewing is None and pg.trainer.step_count == 0 and pg.history_slider.value == 0


def test_lessons_train_the_trainer_then_refresh():
    # lessons 7 and 11: many steps at once with the engine, then one drawing
    pg = Playground(**SMALL)
    pg.trainer.step(30)
    pg.refresh()
    ref = reference_trainer(pg)
    ref.step(30)
    assert_same_params(pg.net, ref.net)
    assert pg.history_slider.max == 30 == pg.history_slider.value == pg.state.step
    assert pg.state.train_loss == ref.history.train_loss[-1]
    assert pg.view.title.get_text() == "Epoch 10 · step 30"
    # a history step viewed, then the trainer rewound from code: live again, no error
    pg.view_history(12)
    pg.trainer.rewind()
    pg.refresh()
    assert pg.viewing is None and pg.state.step == 0 and pg.error is None


def test_long_runs_keep_a_bounded_history_in_the_engine():
    pg = Playground(**SMALL, max_snapshots=8)
    pg.run_frames(40)
    snaps = list(pg.trainer.history.snapshots)
    assert len(snaps) <= 8 and snaps[0] == 0 and snaps[-1] == 120
    target = snaps[2] + 1
    assert pg.view_history(target) == snaps[2]  # the latest kept snapshot before it
    pg.step()
    ref = reference_trainer(pg)
    ref.step(snaps[2] + 3)
    assert_same_params(pg.net, ref.net)


# -- save / load -----------------------------------------------------------------------------
def test_check_settings_validates_every_declared_setting():
    pg = Playground(**SMALL)
    s = pg.settings()
    assert check_settings(s) == s
    training = {k: v for k, v in s.items() if k not in ("show_gradients", "show_test")}
    assert check_settings(training) == training
    assert check_settings({**training, "batch_size": None})["batch_size"] == ALL
    with pytest.raises(ValueError, match="missing \\['lr'\\]"):
        check_settings({k: v for k, v in training.items() if k != "lr"})
    with pytest.raises(ValueError, match="unknown \\['colour'\\]"):
        check_settings({**training, "colour": 1})
    with pytest.raises(ValueError, match="neurons must be between 1 and 8"):
        check_settings({**training, "neurons": 9})
    with pytest.raises(ValueError, match="sine"):
        check_settings({**training, "dataset": "sine", "loss": "bce"})
    with pytest.raises(TypeError, match="dict"):
        check_settings([1, 2])


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_save_load_round_trip_and_bad_files(tmp_path, ext):
    pg = Playground(**SMALL, activation="relu", l2=0.001, optimizer="momentum",
                    batch_size=None, show_gradients=True)
    pg.run_frames(2)
    path = tmp_path / f"state{ext}"
    pg.save_state(path)
    other = Playground(dataset="sine", hidden_layers=1, neurons=2, n_samples=60, grid_n=12)
    other.load_state(path)
    assert other.settings() == pg.settings()
    assert_same_params(other.net, pg.net)
    assert other.trainer.step_count == 0 and other.layers_slider.value == 2
    assert other.activation_select.value == "relu" and other.l2_slider.value == 0.001
    assert other.batch_slider.value == ALL and other.trainer.batch_size is None
    assert other.loss_select.value == "bce" and other.gradient_toggle.value
    assert "Loaded" in other.message.value
    np.testing.assert_array_equal(other.view.boundary.image.get_array(),
                                  pg.view.boundary.image.get_array())
    # Reset after loading returns to the loaded weights
    other.run_frames(1)
    other.reset()
    assert_same_params(other.net, pg.net)

    before = other.net.copy()
    settings = other.settings()
    bad_json = tmp_path / "garbage.json"
    bad_json.write_text("{not json")
    foreign = tmp_path / f"foreign{ext}"
    save_network(MLP([2, 3, 1]), foreign)
    cases = [(tmp_path / f"missing{ext}", "no such file"), (bad_json, "not valid JSON"),
             (foreign, "not a playground state")]
    if ext == ".json":
        doc = json.loads(path.read_text())
        for name, change, message in [
                ("neurons", lambda d: d["extra"]["settings"].update(neurons=9),
                 "bad settings .*neurons"),
                ("noise", lambda d: d["extra"]["settings"].update(noise=0.8),
                 "bad settings .*noise must be between 0 and 0.5"),
                ("version", lambda d: d["extra"].update(version=True), "unsupported version"),
                ("shape", lambda d: d["extra"]["settings"].update(hidden_layers=1),
                 "does not match its settings")]:
            wrong = tmp_path / f"wrong_{name}.json"
            copy = json.loads(json.dumps(doc))
            change(copy)
            wrong.write_text(json.dumps(copy))
            cases.append((wrong, message))
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            other.load_state(bad)
        assert other.settings() == settings
        assert_same_params(other.net, before)


def test_version_1_states_still_load(tmp_path):
    pg = Playground(**SMALL, batch_size=None)
    pg.run_frames(1)
    path = tmp_path / "old.json"
    pg.save_state(path)
    doc = json.loads(path.read_text())
    s = doc["extra"]["settings"]
    del s["show_gradients"], s["show_test"]
    s["batch_size"] = None
    doc["extra"]["version"] = 1
    path.write_text(json.dumps(doc))
    other = Playground(**SMALL)
    other.load_state(path)
    assert other.batch_size == ALL and other.trainer.batch_size is None
    assert_same_params(other.net, pg.net)


# -- pictures, repr, grid, close -------------------------------------------------------------
def test_picture_export_png_and_svg(tmp_path):
    pg = Playground(**SMALL)
    pg.run_frames(1)
    pg.save(tmp_path / "pic.png")
    pg.save(tmp_path / "pic.svg")
    assert (tmp_path / "pic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "pic.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and svg.count("<image") >= 2  # boundary + tiles


def test_repr_is_short_and_stable():
    pg = Playground(**SMALL)
    assert repr(pg) == ("Playground(dataset='xor', sizes=[2, 3, 3, 1], activation='tanh', "
                        "loss='bce', optimizer='sgd', lr=0.3, step=0)")


def test_input_grid_order():
    X = input_grid((0, 1, 10, 12), 3)
    np.testing.assert_array_equal(X[:4], [[0, 10], [0.5, 10], [1, 10], [0, 11]])
    np.testing.assert_array_equal(input_grid((0, 1), 3), [[0], [0.5], [1]])
    with pytest.raises(ValueError, match="extent must hold 4 numbers"):
        grid_field(MLP([2, 1]), (0, 1), 3)
    with pytest.raises(ValueError, match="low end below its high end"):
        input_grid((1, 0), 3)


def test_close_stops_play_and_closes_the_controls():
    pg = Playground(**FAST)

    async def main():
        pg.play()
        await until(lambda: pg.player.frames >= 1)
        pg.close()
        frames = pg.player.frames
        await asyncio.sleep(0.02)
        return frames

    frames = asyncio.run(main())
    assert not pg.playing and pg.player.frames == frames
    assert pg.history_slider.comm is None and pg.lr_slider.comm is None


# -- random changes ------------------------------------------------------------------------------
def test_random_control_changes_keep_a_consistent_state():
    rng = np.random.default_rng(0)
    pg = Playground(**SMALL)
    controls = {
        "dataset": (pg.dataset_select, ["xor", "circles", "moons", "spiral", "gaussian", "sine"]),
        "noise": (pg.noise_slider, [0.0, 0.1, 0.25, 0.5]),
        "train": (pg.train_slider, [10, 50, 90]),
        "layers": (pg.layers_slider, [0, 1, 2, 6]),
        "neurons": (pg.neurons_slider, [1, 3, 8]),
        "activation": (pg.activation_select, ["tanh", "relu", "sigmoid", "leaky_relu"]),
        "optimizer": (pg.optimizer_select, ["sgd", "momentum", "adam"]),
        "lr": (pg.lr_slider, [1e-3, 0.1, 1.0, 10.0]),
        "batch": (pg.batch_slider, [ALL, 1, 10]),
        "l2": (pg.l2_slider, [0.0, 0.01]),
        "seed": (pg.seed_text, [0, 1, 2]),
        "grad": (pg.gradient_toggle, [True, False]),
        "test": (pg.test_toggle, [True, False]),
    }
    actions = list(controls) + ["loss", "step", "reset", "new weights", "scrub"]
    for i in range(RANDOM_CHANGES):
        what = actions[rng.integers(len(actions))]
        if what in controls:
            control, values = controls[what]
            value = values[rng.integers(len(values))]
            if rng.integers(2):
                page_sends(control, value)
            else:
                control.value = value
        elif what == "loss":
            options = [v for _, v in pg.loss_select.options]
            page_sends(pg.loss_select, options[rng.integers(len(options))])
        elif what == "step":
            pg.step(int(rng.integers(1, 3)))
        elif what == "reset":
            pg.reset_button.click()
        elif what == "new weights":
            pg.new_weights_button.click()
        else:
            pg.history_slider.set_state({"value": int(rng.integers(0, pg.history_slider.max + 1))})
        # a divergence is a message, not an error state of the widget
        assert pg.error is None or "diverged" in pg.error, (i, what, pg.error)
        s = pg.settings()
        for name, control in pg.controls.items():
            assert control.value == s[name], (i, what, name)
        sizes = [1 if s["dataset"] == "sine" else 2] + [s["neurons"]] * s["hidden_layers"] + [1]
        assert pg.net.sizes == sizes == pg.view.diagram.sizes
        assert pg.net.loss.name == s["loss"] and (s["dataset"] != "sine" or s["loss"] == "mse")
        assert pg.trainer.lr == s["lr"]
        assert pg.trainer.batch_size == (None if s["batch_size"] == ALL else s["batch_size"])
        assert len(pg.view.tile_index) == s["neurons"] * s["hidden_layers"]
        assert pg.history_slider.value == pg.shown_step == pg.state.step <= pg.trainer.step_count
        if i % 20 == 0:  # the drawn data against the engine's grid evaluation
            extent = (-1.2, 1.2) if s["dataset"] == "sine" else (-PLANE, PLANE, -PLANE, PLANE)
            field = grid_field(pg.shown_net, extent, 12)
            np.testing.assert_array_equal(drawn_output(pg), field.output)
            for t, (l, k) in enumerate(pg.view.tile_index):
                np.testing.assert_array_equal(pg.view.tiles.values[t].ravel(),
                                              field.layers[l][k].ravel())
            ref = reference_trainer(pg)  # the data and the initial weights of the settings
            np.testing.assert_array_equal(pg.trainer.X_train, ref.X_train)
            if pg.trainer.step_count == 0:
                assert_same_params(pg.net, ref.net)
