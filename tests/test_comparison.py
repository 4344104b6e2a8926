"""The training-comparison widget: every run against an independent hand-written loop,
the gradient noise it draws against a direct NumPy computation, its settings driven
from the page's side, Play, divergence and a readable picture.
"""

from __future__ import annotations

import asyncio
import math
import threading

import numpy as np
import pytest
from test_page_side import page_send, same, two_values

import actviz_widgets as av
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.widgets.comparison import REFERENCE_BATCH, TrainingComparison


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_grads(weights, biases, X, y):
    """Forward and backward of a tanh network with a sigmoid output and mean BCE, by hand."""
    a = [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = a[-1] @ W + b
        a.append(_sig(z) if l == len(weights) - 1 else np.tanh(z))
    delta = (a[-1] - y) / X.shape[0]
    dW, db = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        dW[l], db[l] = a[l].T @ delta, delta.sum(axis=0)
        if l:
            delta = (delta @ weights[l].T) * (1 - a[l] ** 2)
    return dW, db


def ref_run(seed, batch, lr_of_step, epochs, dataset="xor"):
    """Plain gradient descent by hand: the engine's initial weights and batch order only."""
    W, b = av.MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce",
                  seed=seed).get_params()
    data = av.make_dataset(dataset, n_samples=200, noise=0.1, seed=seed)
    X, y = data.X_train, data.y_train
    n = len(X)
    t = 0
    for epoch in range(epochs):
        order = (np.arange(n) if batch is None
                 else np.random.default_rng([seed, epoch]).permutation(n))
        size = n if batch is None else batch
        for start in range(0, n, size):
            idx = order[start:start + size]
            dW, db = ref_grads(W, b, X[idx], y[idx])
            lr = lr_of_step(t)
            W = [w - lr * g for w, g in zip(W, dW)]
            b = [v - lr * g for v, g in zip(b, db)]
            t += 1
    return W, b, t


def assert_params(net, W, b):
    for got, want in zip(net.weights + net.biases, W + b):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_every_run_starts_from_the_same_weights_as_the_engine_network():
    w = TrainingComparison(seed=3)
    ref = av.MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce",
                 seed=3)
    for t in w.trainer.trainers:
        assert_params(t.net, *ref.get_params())
    assert [r.batch_size for r in w.runs] == [1, 8, 32, None]


@pytest.mark.parametrize("scaling", ["none", "linear"])
def test_batch_runs_equal_hand_loops_after_two_epochs(scaling):
    w = TrainingComparison(compare="batch", schedule="cosine", lr=0.5, scaling=scaling,
                           epochs=4, seed=1)
    w.train(2)
    for k, batch in enumerate((1, 8, 32, None)):
        b = 100 if batch is None else batch
        per_epoch = math.ceil(100 / b)
        lr = 0.5 * b / REFERENCE_BATCH if scaling == "linear" else 0.5
        T = 4 * per_epoch
        W, bias, steps = ref_run(1, batch, lambda t: lr * 0.5 * (1 + math.cos(math.pi * t / T)),
                                 epochs=2)
        assert w.trainer.trainers[k].step_count == steps == 2 * per_epoch
        assert_params(w.trainer.trainers[k].net, W, bias)
        np.testing.assert_allclose(w.trainer.learning_rates(k),
                                   [lr * 0.5 * (1 + math.cos(math.pi * t / T))
                                    for t in range(steps)], rtol=1e-14)


def test_schedule_runs_equal_hand_loops_with_the_formulas():
    w = TrainingComparison(compare="schedule", batch_size=32, lr=2.0, epochs=6, warmup=2,
                           seed=0)
    w.train(6)
    T, W_ = 6 * 4, 2 * 4
    formulas = {
        "constant": lambda t: 2.0,
        "step": lambda t: 2.0 * 0.1 ** ((t >= T // 2) + (t >= 3 * T // 4)),
        "cosine": lambda t: 2.0 * 0.5 * (1 + math.cos(math.pi * t / T)),
        "warm-up + cosine": lambda t: (2.0 * (t + 1) / W_ if t < W_ else
                                       2.0 * 0.5 * (1 + math.cos(math.pi * (t - W_) / (T - W_)))),
    }
    assert [r.label.split(",")[0] for r in w.runs] == list(formulas)
    for k, f in enumerate(formulas.values()):
        W, b, steps = ref_run(0, 32, f, epochs=6)
        assert_params(w.trainer.trainers[k].net, W, b)
        assert w.trainer.trainers[k].step_count == steps == T


def test_state_x_in_steps_or_epochs_and_losses_from_the_engine():
    w = TrainingComparison(epochs=3)
    w.train(2)
    s = w.state
    assert s.epoch == 2 and s.x_axis == "epochs"
    data = av.make_dataset("xor", n_samples=200, noise=0.1, seed=0)
    for k, t in enumerate(w.trainer.trainers):
        spe = math.ceil(100 / s.batch_sizes[k])
        assert s.steps_per_epoch[k] == spe
        assert s.x[k][-1] == pytest.approx(2.0) and s.horizon[k] == 3.0
        assert s.loss[k][-1] == pytest.approx(t.net.loss_value(data.X_train, data.y_train),
                                              rel=1e-12)
        assert s.loss[k][0] == pytest.approx(0.708, abs=5e-4)  # lesson 7's starting loss
    w.x_axis = "steps"
    s = w.state
    for k in range(4):
        spe = s.steps_per_epoch[k]
        assert s.x[k][-1] == 2 * spe and s.horizon[k] == 3 * spe
        assert s.lr_x[k].size == 2 * spe


def test_the_drawn_noise_is_the_direct_computation_at_the_last_runs_weights():
    w = TrainingComparison(epochs=5)
    w.train(3)
    net = w.trainer.trainers[-1].net
    data = av.make_dataset("xor", n_samples=200, noise=0.1, seed=0)
    X, y = data.X_train, data.y_train
    W, b = net.get_params()
    flat = lambda dW, db: np.concatenate([d.ravel() for d in dW] + [d.ravel() for d in db])
    rows = np.array([flat(*ref_grads(W, b, X[i:i + 1], y[i:i + 1])) for i in range(100)])
    g = rows.mean(axis=0)
    S = np.mean(np.sum((rows - g) ** 2, axis=1))
    s = w.state
    B = s.noise_sizes
    np.testing.assert_array_equal(B, [1, 2, 4, 8, 16, 32, 64])
    np.testing.assert_allclose(s.noise_expected, (100 - B) / 99 * S / B, rtol=1e-9)
    assert s.full_norm2 == pytest.approx(g @ g, rel=1e-9)
    np.testing.assert_allclose(s.noise_measured, s.noise_expected, rtol=0.5)
    assert s.noise_run.startswith("B = 100")


def test_play_frames_equal_train_and_play_stops_at_the_horizon():
    a, b = TrainingComparison(epochs=3), TrainingComparison(epochs=3)
    a.run_frames(2)
    b.train(2)
    for ta, tb in zip(a.trainer.trainers, b.trainer.trainers):
        assert_params(ta.net, *tb.net.get_params())
    threads = threading.active_count()

    async def play_to_the_end():
        a.play()
        await asyncio.wait_for(a.player.task, timeout=60)

    asyncio.run(play_to_the_end())
    assert a.trainer.epoch == 3 and not a.playing and not a.play_button.value
    assert threading.active_count() == threads


def test_reset_goes_back_to_the_same_initial_weights():
    w = TrainingComparison(epochs=4)
    start = [t.net.get_params() for t in w.trainer.trainers]
    w.train(2)
    w.reset()
    assert w.trainer.epoch == 0
    for t, (W, b) in zip(w.trainer.trainers, start):
        assert_params(t.net, W, b)
        assert t.step_count == 0


def test_a_diverging_run_stops_and_the_others_go_on():
    from actviz_widgets.engine.minibatch import RunSet, RunSpec
    from actviz_widgets.engine.schedules import Constant
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2)) * 10
    y = X @ np.array([[1.0], [-2.0]])
    net = av.MLP([2, 1], activation=[], output_activation="linear", loss="mse", seed=0)
    runs = RunSet(net, (X, y), [RunSpec("too large", 1, Constant(5.0)),
                                RunSpec("small", None, Constant(1e-3))], epochs=3)
    runs.step(3)
    assert "step" in runs.diverged(0) and runs.diverged(1) is None
    assert runs.trainers[1].step_count == 3  # the other run trained on
    W, b = net.get_params()
    for _ in range(3):  # full-batch gradient descent on the mean squared error, by hand
        err = X @ W[0] + b[0] - y
        W = [W[0] - 1e-3 * 2 * X.T @ err / 20]
        b = [b[0] - 1e-3 * 2 * err.mean(axis=0)]
    assert_params(runs.trainers[1].net, W, b)
    runs.rewind()
    assert runs.diverged(0) is None and runs.epoch == 0


def test_a_refused_combination_is_a_message_and_the_runs_stay():
    with pytest.raises(ValueError, match="warmup"):
        TrainingComparison(compare="schedule", epochs=3, warmup=3)
    TrainingComparison(epochs=3, warmup=3)  # no warm-up schedule among the runs: fine
    w = TrainingComparison(compare="schedule", epochs=4, warmup=2)
    runs = w.trainer
    w.warmup = 5
    assert "warmup" in w.error and w.trainer is runs


# -- from the page's side, as tests/test_page_side.py ---------------------------------------
SETTINGS = [n for n in TrainingComparison.setting_names()]


@pytest.mark.parametrize("name", SETTINGS)
def test_code_sets_v1_then_v2_and_the_page_sends_v1(name):
    w = TrainingComparison(epochs=3)
    control = w.controls[name]
    v1, v2 = two_values(w, name)
    setattr(w, name, v1)
    setattr(w, name, v2)
    assert getattr(w, name) == v2 and control.value == v2
    page_send(control, v1)
    assert getattr(w, name) == v1 and control.value == v1
    assert w.error is None
    ref = TrainingComparison(epochs=3)
    setattr(ref, name, v1)
    assert same(w.state, ref.state)


@pytest.mark.parametrize("name", SETTINGS)
def test_the_page_sends_v1_then_code_sets_v2(name):
    w = TrainingComparison(epochs=3)
    control = w.controls[name]
    v1, v2 = two_values(w, name)
    page_send(control, v1)
    assert getattr(w, name) == v1
    setattr(w, name, v2)
    assert getattr(w, name) == v2 and control.value == v2
    ref = TrainingComparison(epochs=3)
    setattr(ref, name, v2)
    assert same(w.state, ref.state)


def test_a_learning_rate_typed_in_the_page_trains_with_it():
    w = TrainingComparison(compare="schedule", batch_size=None, epochs=2, warmup=1)
    w.lr = 2.5
    w.lr_slider.set_state({"value": 0.7886})
    assert w.lr == 0.7886
    w.train(2)
    W, b, _ = ref_run(0, None, lambda t: 0.7886, epochs=2)
    assert_params(w.trainer.trainers[0].net, W, b)


def test_float_sliders_never_echo_and_keep_their_declared_step():
    w = TrainingComparison()
    for name, control in w.controls.items():
        spec = w.setting_spec(name)
        if spec.kind in ("float", "log"):
            assert control.continuous_update is False and control.step == spec.step


# -- the picture ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, epochs", [
    ({}, 0), ({}, 20), ({"x_axis": "steps"}, 20),
    ({"compare": "schedule", "lr": 3.0}, 20), ({"lr": 10.0, "epochs": 5}, 5),
])
def test_the_picture_is_readable(kwargs, epochs):
    w = TrainingComparison(**kwargs)
    w.train(epochs)
    assert w.view.css_size[0] <= 830
    assert readability_problems(w.view) == []
    assert bytes(w.image.value).startswith(b"\x89PNG")


def test_bad_settings_name_the_setting():
    with pytest.raises(ValueError, match="compare"):
        TrainingComparison(compare="optimisers")
    with pytest.raises(ValueError, match="batch_size"):
        TrainingComparison(batch_size=16)
    with pytest.raises(ValueError, match="lr"):
        TrainingComparison(lr=100.0)


def test_controls_the_runs_do_not_use_are_greyed_out():
    w = TrainingComparison()
    c = w.controls
    assert c["batch_size"].disabled and c["warmup"].disabled and not c["schedule"].disabled
    w.schedule = "warmup_cosine"
    assert not c["warmup"].disabled
    c["compare"].set_state({"index": 1})  # the page picks "schedules"
    assert w.compare == "schedule"
    assert c["schedule"].disabled and not c["batch_size"].disabled and not c["warmup"].disabled


def test_in_chinese_every_text_comes_from_the_catalogue():
    w = TrainingComparison(compare="schedule", language="zh")
    assert w.language == "zh" and w.view.language == "zh"
    assert w.control("lr").description == "学习率"
    assert w.control("compare").options[1] == ("学习率调度", "schedule")
    assert w.train_buttons[1].description == "训练 1 轮"
    assert w.train_buttons[5].description == "训练 5 轮"
    assert [r.label for r in w.runs] == ["恒定，学习率 0.3", "阶梯，学习率 0.3",
                                         "余弦，学习率 0.3", "预热 + 余弦，学习率 0.3"]
    w.train(2)
    assert w.state.noise_run == "预热 + 余弦"
    assert w.view.title.get_text() == "相同起点、相同数据：第 2 轮，共 20 轮  ·  N = 100 个训练样本"
    assert readability_problems(w.view) == []
    # the English names stay as they were
    en = TrainingComparison()
    assert [r.label for r in en.runs] == ["B = 1, lr 0.3", "B = 8, lr 0.3", "B = 32, lr 0.3",
                                          "B = 100 (all), lr 0.3"]
    assert en.train_buttons[1].description == "Train 1 epoch"
    assert en.train_buttons[5].description == "Train 5 epochs"
