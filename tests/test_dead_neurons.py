"""DeadNeurons: dead-unit counts drawn equal those of networks built and trained here.

A unit is dead when its pre-activation is ≤ 0 for every training sample;
the expected masks are computed in the tests from ``z`` of independent
forward passes, and training is replayed with a hand-written loop.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.engine.activations import get_activation
from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.text import fmt
from actviz_widgets.widgets.dead_neurons import PRESETS, DeadNeurons
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)


def reference(depth=3, bias=0.0, activation="relu", dataset="circles", seed=1):
    net = MLP([2] + [8] * depth + [1], activation=activation, loss="bce", seed=seed)
    w, b = net.get_params()
    net.set_params(w, [np.full_like(x, bias) for x in b[:-1]] + [b[-1]])
    return net, make_dataset(dataset, n_samples=200, seed=seed)


def sgd(net, ds, lr, steps):
    """Full-batch gradient descent; returns the dead and no-gradient counts after each step."""
    counts = []
    for _ in range(steps):
        _, g = net.loss_and_gradients(ds.X_train, ds.y_train)
        for W, b, dW, db in zip(net.weights, net.biases, g.dW, g.db):
            W -= lr * dW
            b -= lr * db
        counts.append(count(net, ds))
    return counts


def masks(net, ds):
    trace = net.forward(ds.X_train)
    L = net.n_layers
    dead = [(trace.z[l] <= 0).all(axis=0) for l in range(1, L)]
    silent = [(trace.dadz[l] == 0).all(axis=0) for l in range(1, L)]
    share = [(trace.z[l] > 0).mean(axis=0) for l in range(1, L)]
    return dead, silent, share


def count(net, ds):
    dead, silent, _ = masks(net, ds)
    return sum(int(m.sum()) for m in dead), sum(int(m.sum()) for m in silent)


def assert_drawn(w, net, ds):
    """Diagram, bars and the last points of the charts show ``net``'s dead units."""
    dead, silent, share = masks(net, ds)
    v = w.view
    d = v.diagram
    start = 2
    for l, (m, s) in enumerate(zip(dead, share), 1):
        np.testing.assert_allclose(d.node_values[start:start + 8], s, rtol=1e-12)
        np.testing.assert_array_equal(d.outlined[start:start + 8], m)
        start += 8
    assert np.isnan(d.node_values[:2]).all() and not d.outlined[-1]
    np.testing.assert_allclose(v.bars.fractions, [m.mean() for m in dead])
    assert [t.get_text() for t in v.bars.value_texts[:len(dead)]] == [
        f"{m.sum()}/8" for m in dead]
    n_dead, n_silent = count(net, ds)
    for name, want in (("dead", n_dead), ("no gradient", n_silent)):
        x, y = v.count_chart.lines[name].get_data()
        assert x[-1] == w.trainer.step_count and y[-1] == want
    _, y = v.loss_chart.lines["training loss"].get_data()
    assert y[-1] == pytest.approx(net.loss_value(ds.X_train, ds.y_train), rel=1e-12)
    assert w.n_dead == n_dead and w.n_no_gradient == n_silent


def test_default_widget_shows_the_dead_units_of_an_independent_network():
    w = DeadNeurons()
    assert repr(w) == ("DeadNeurons(depth=3, activation='relu', bias=0.0, lr=0.5, step=0, "
                       "dead=3)")
    assert w.error is None and w.image.value[:4] == b"\x89PNG"
    assert_drawn(w, *reference())
    assert w.view.verdict.get_text().startswith("3 of 24 hidden units dead")


def test_a_strongly_negative_bias_kills_every_unit_and_nothing_below_learns():
    w = DeadNeurons()
    w.preset_dropdown.value = "kill_bias"
    assert (w.bias_slider.value, w.lr_slider.value, w.activation_toggle.value) == (
        -2.0, 0.5, "relu")
    net, ds = reference(bias=-2.0)
    assert_drawn(w, net, ds)
    assert w.n_dead == w.n_no_gradient == 24
    before = w.net.get_params()
    w.train_buttons[10].click()
    after = w.net.get_params()
    for l in range(3):  # no gradient reaches any hidden weight or bias
        np.testing.assert_array_equal(after[0][l], before[0][l])
        np.testing.assert_array_equal(after[1][l], before[1][l])
    assert not np.array_equal(after[1][3], before[1][3])  # the output bias learns
    assert "no gradient reaches their own weights" in w.view.verdict.get_text()


def test_high_learning_rate_kills_units_and_leaky_relu_revives_them():
    w = DeadNeurons()
    w.preset_dropdown.value = "kill_lr"
    net, ds = reference()
    counts = sgd(net, ds, 3.0, 30)
    assert w.trainer.step_count == 30 and w.lr_slider.value == 3.0
    assert_drawn(w, net, ds)
    assert w.n_dead >= 15  # most of the 24 units died
    x, y = w.view.count_chart.lines["dead"].get_data()
    # step 0, a row after each step, and the current values again at the end
    np.testing.assert_array_equal(x, list(range(31)) + [30])
    np.testing.assert_array_equal(y, [count(*reference())[0]] + [c[0] for c in counts]
                                  + [counts[-1][0]])

    w.preset_dropdown.value = "revive"
    assert w.activation_toggle.value == "leaky_relu" and w.trainer.lr == 1.0
    assert w.switch_step == 30 and w.view.count_chart.marker_x == 30
    # (the marker is in the right part of the 0..40 axis: the label goes left of it)
    assert w.view.count_chart.xlim == (0.0, 40.0)
    assert w.view.switch_label.get_text() == "Leaky ReLU →"
    w.train(40)
    net.activations = [get_activation("leaky_relu")] * 3 + [net.activations[-1]]
    later = sgd(net, ds, 1.0, 40)
    assert_drawn(w, net, ds)
    x, silent = w.view.count_chart.lines["no gradient"].get_data()
    np.testing.assert_array_equal(x, list(range(71)) + [70])
    np.testing.assert_array_equal(silent[31:], 0)  # leaky: gradient passes everywhere
    np.testing.assert_array_equal(silent[1:31], [c[1] for c in counts])
    _, dead = w.view.count_chart.lines["dead"].get_data()
    np.testing.assert_array_equal(dead[31:-1], [c[0] for c in later])
    assert "learn their way back" in w.view.verdict.get_text()


def test_the_activation_toggle_switches_in_place_and_reset_clears_the_marker():
    w = DeadNeurons(depth=2)
    w.train(5)
    params = w.net.get_params()
    w.activation_toggle.value = "leaky_relu"
    assert w.trainer.step_count == 5 and w.switch_step == 5
    for a, b in zip(w.net.get_params()[0], params[0]):
        np.testing.assert_array_equal(a, b)
    net, ds = reference(depth=2)
    sgd(net, ds, 0.5, 5)
    net.activations = [get_activation("leaky_relu")] * 2 + [net.activations[-1]]
    assert_drawn(w, net, ds)
    w.reset_button.click()
    assert w.trainer.step_count == 0 and w.switch_step is None
    assert not w.view.count_chart.marker.get_visible()
    w.activation_toggle.value = "relu"  # at step 0: no switch to mark
    assert w.switch_step is None


@pytest.mark.parametrize("control, value, kwargs", [
    ("depth_slider", 1, {"depth": 1}),
    ("depth_slider", 4, {"depth": 4}),
    ("bias_slider", -0.7, {"bias": -0.7}),
    ("dataset_dropdown", "xor", {"dataset": "xor"}),
])
def test_model_controls_rebuild_at_step_zero(control, value, kwargs):
    w = DeadNeurons()
    w.train(3)
    getattr(w, control).value = value
    assert w.error is None and w.trainer.step_count == 0
    assert_drawn(w, *reference(**kwargs))


def test_learning_rate_applies_to_the_next_steps():
    w = DeadNeurons(depth=2)
    w.lr_slider.value = 0.05
    w.train(7)
    net, ds = reference(depth=2)
    sgd(net, ds, 0.05, 7)
    assert_drawn(w, net, ds)


def test_play_frames_equal_train_steps_and_random_changes_stay_consistent():
    a = DeadNeurons(depth=2)
    b = DeadNeurons(depth=2)
    a.run_frames(3)
    b.train(3 * DeadNeurons.STEPS_PER_FRAME)
    assert a.image.value == b.image.value

    rng = np.random.default_rng(5)
    w = DeadNeurons(depth=2)
    moves = [
        lambda: setattr(w.depth_slider, "value", int(rng.integers(1, 5))),
        lambda: setattr(w.bias_slider, "value", round(float(rng.uniform(-3, 1)), 1)),
        lambda: setattr(w.activation_toggle, "value", str(rng.choice(["relu", "leaky_relu"]))),
        lambda: setattr(w.lr_slider, "value", float(10 ** rng.uniform(-2, 0.7))),
        lambda: setattr(w.preset_dropdown, "value", str(rng.choice(list(PRESETS)))),
        lambda: w.train_buttons[int(rng.choice([1, 10]))].click(),
        lambda: w.reset_button.click(),
    ]
    for _ in range(60):
        moves[int(rng.integers(len(moves)))]()
    assert w.error is None
    net = w.net
    assert net.sizes == [2] + [8] * w.depth_slider.value + [1]
    assert net.activation_names[0] == w.activation_toggle.value
    assert w.trainer.lr == w.lr_slider.value
    twin = MLP(net.sizes, activation=net.activation_names[0], loss="bce")
    twin.set_params(*net.get_params())
    assert_drawn(w, twin, make_dataset("circles", n_samples=200, seed=1))
    x, _ = w.view.count_chart.lines["dead"].get_data()
    np.testing.assert_array_equal(x, list(range(w.trainer.step_count + 1))
                                  + [w.trainer.step_count])


@pytest.mark.parametrize("kwargs, error, words", [
    ({"depth": 5}, ValueError, "depth"),
    ({"activation": "tanh"}, ValueError, "activation"),
    ({"bias": -4.0}, ValueError, "bias"),
    ({"bias": "low"}, TypeError, "bias"),
    ({"lr": 0.0}, ValueError, "lr"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_name_themselves(kwargs, error, words):
    with pytest.raises(error, match=words):
        DeadNeurons(**kwargs)
    w = DeadNeurons(depth=1)
    with pytest.raises(ValueError, match="activation"):
        w.set_activation("sigmoid")
    assert w.activation_toggle.value == "relu"


def test_a_long_run_keeps_bounded_history_with_counts_aligned():
    w = DeadNeurons(depth=1)
    w.train(2600)  # past the Trainer's default row limit: the history thins itself
    h = w.trainer.history
    assert len(h) <= 2000 and h.step[-1] == 2600
    state = w.state
    assert len(state.no_gradient_counts) == len(h) + 2 and len(state.steps) == len(h) + 2
    assert not np.isnan(state.no_gradient_counts).any()


# -- language --------------------------------------------------------------------------------

def test_in_chinese_the_controls_messages_and_picture_speak_chinese():
    w = DeadNeurons(language="zh")
    assert w.language == w.view.language == "zh"
    assert_speaks_chinese(w)
    net, ds = reference()
    n_dead = int(sum(m.sum() for m in masks(net, ds)[0]))
    # the same numbers as in English, in Chinese words
    assert w.view.verdict.get_text().startswith(f"24 个隐藏单元中有 {n_dead} 个死亡")
    assert w.view.title.get_text() == (f"死亡神经元 · 3 个 ReLU 隐藏层 · 第 0 步 · "
                                       f"损失 {fmt(net.loss_value(ds.X_train, ds.y_train))}")
    assert [t.get_text() for t in w.view.bars.label_texts[:3]] == ["隐藏层 1", "隐藏层 2",
                                                                   "隐藏层 3"]
    assert w.view.count_chart.ax.get_xlabel() == "训练步数"
    assert dict((v, k) for k, v in w.dataset_dropdown.options)["circles"] == "同心圆"
    w.preset_dropdown.value = "kill_lr"
    assert w.view.bars.title.get_text() == "第 30 步时各隐藏层的死亡单元"
    w.preset_dropdown.value = "revive"
    assert w.view.switch_label.get_text() == "Leaky ReLU →"
    assert "但 Leaky ReLU 仍让梯度穿过它们（乘以 f′(z) = 0.01）" in w.view.verdict.get_text()
    assert_speaks_chinese(w)


def test_in_english_the_texts_are_the_english_ones():
    w = DeadNeurons(language="en")
    assert control_texts(w) == {
        "preset": ("preset", ""),
        "activation": ("activation", "relu: max(0, z), f′ = 0 for z ≤ 0; leaky relu: z if z > 0 "
                                     "else 0.01 z, f′ = 0.01 for z ≤ 0"),
        "lr": ("learning rate", ""), "bias": ("initial bias", ""),
        "depth": ("hidden layers", ""), "dataset": ("data", ""),
        "seed": ("seed", "seed of the initial weights and the data")}
    assert w.activation_toggle.options == (("ReLU", "relu"), ("leaky ReLU", "leaky_relu"))
    assert [label for label, _ in w.preset_dropdown.options] == [
        "choose a preset…", "kill: learning rate 3 (trains 30 steps)", "kill: initial bias −2",
        "revive: switch to leaky ReLU, learning rate 1"]
    assert [label for label, _ in w.dataset_dropdown.options] == [
        "xor", "circles", "moons", "spiral", "gaussian"]
    texts = picture_texts(w.view)
    for line in (f"Dead neurons · 3 hidden ReLU layers · step 0 · loss {fmt(w.loss)}",
                 "They output 0 and their f′(z) = 0: no gradient reaches their own weights; "
                 "only changes in earlier layers can revive them.",
                 "Dead units per hidden layer at step 0", "hidden 1", "dead units",
                 "Dead units over training", "Training loss", "(press Train or Play)",
                 "training step", "hidden units",
                 "━ dead: z ≤ 0 on every sample",
                 "╍ of them passing no gradient: f′(z) = 0 on every sample",
                 "neurons: share of the 100 training samples on which the unit fires (z > 0)",
                 "outlined: dead, z ≤ 0 on every sample", "share of samples with z > 0"):
        assert line in texts, line
    assert not any(CJK.search(t) for t in texts)
    w = DeadNeurons(depth=1, language="en")
    assert w.view.title.get_text().startswith("Dead neurons · 1 hidden ReLU layer · step 0")


def test_the_switch_gives_chinese_to_widgets_built_without_a_language():
    with current_language("zh"):
        w = DeadNeurons()
    assert w.language == "zh"
    assert w.depth_slider.description == "隐藏层数"
    assert w.view.count_chart.title.get_text() == "训练中的死亡单元数\n（点“训练”或“播放”）"
    assert DeadNeurons().language == "en"
