"""GradientHealth: every control drives the engine, the drawn norms match an independent pass.

Outside a kernel ipywidgets observers fire synchronously, so setting a
control's value (or clicking a button) runs the widget's callbacks at once.
Expected values come from networks built here from the same settings and
trained by a hand-written loop, never from the widget's own objects.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.gradient_health import NORM_RANGE
from actviz_widgets.views.text import fmt, fmt_short
from actviz_widgets.widgets.gradient_health import PRESETS, GradientHealth
from png_pixels import decode
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)


def reference(depth=6, activation="sigmoid", init="xavier", scale=1.0, dataset="circles",
              seed=0):
    net = MLP([2] + [8] * depth + [1], activation=activation, loss="bce", init=init,
              weight_scale=scale, seed=seed)
    return net, make_dataset(dataset, n_samples=200, seed=seed)


def norms(net, ds):
    _, g = net.loss_and_gradients(ds.X_train, ds.y_train)
    d = np.array([np.linalg.norm(x) for x in g.delta[1:]])
    w = np.array([np.linalg.norm(x) for x in g.dW])
    return d, w, g


def hand_train(net, ds, lr, steps):
    """Full-batch gradient descent; returns the norms at the weights before each step."""
    rows = []
    for _ in range(steps):
        d, w, g = norms(net, ds)
        rows.append((d, w))
        for W, b, dW, db in zip(net.weights, net.biases, g.dW, g.db):
            W -= lr * dW
            b -= lr * db
    return rows


def assert_drawn(w, net, ds):
    """The bars, the diagram and the last points of the curves show ``net``'s gradients."""
    d, wn, g = norms(net, ds)
    L = net.n_layers
    v = w.view
    np.testing.assert_allclose(v.bars.values, np.column_stack([d, wn]), rtol=1e-9)
    # bar tops in log10 units, clipped to the fixed range
    lo, hi = np.log10(NORM_RANGE)
    for s, values in enumerate((d, wn)):
        tops = [poly[2, 1] for poly in v.bars.bars[s].get_paths()
                for poly in [poly.vertices]]
        np.testing.assert_allclose(tops, np.clip(np.log10(values), lo, hi), rtol=1e-9)
    # the diagram: log10 of each neuron's mean |δ| over that of the output neuron
    ref = np.abs(g.delta[L]).mean()
    drawn = v.diagram.node_values
    start = net.sizes[0]
    for l in range(1, L + 1):
        m = min(net.sizes[l], 8)
        mean = np.abs(g.delta[l]).mean(axis=0)[:m]
        with np.errstate(divide="ignore"):  # a unit with δ = 0 is −∞, and outlined
            want = np.log10(mean / ref)
        np.testing.assert_allclose(drawn[start:start + m], want, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(v.diagram.outlined[start:start + m], mean == 0)
        start += m
    # the curves end with the current norms, at the current step
    for chart, values in ((v.delta_chart, d), (v.weight_chart, wn)):
        names = [f"layer {l}" for l in range(1, L)] + ["output"]
        for l, name in enumerate(names):
            x, y = chart.lines[name].get_data()
            assert x[-1] == w.trainer.step_count
            assert y[-1] == pytest.approx(np.log10(values[l]), rel=1e-9)
        hidden = [n for n in chart.lines if n not in names]
        assert not any(chart.lines[n].get_visible() for n in hidden)


def test_default_widget_draws_an_independent_pass():
    w = GradientHealth()
    assert repr(w) == ("GradientHealth(depth=6, activation='sigmoid', init='xavier', "
                       "weight_scale=1, step=0)")
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n" and w.error is None
    net, ds = reference()
    assert_drawn(w, net, ds)
    assert w.view.verdict.get_text().startswith("Vanishing")


@pytest.mark.parametrize("control, value, kwargs", [
    ("depth_slider", 2, {"depth": 2}),
    ("depth_slider", 10, {"depth": 10}),
    ("activation_dropdown", "relu", {"activation": "relu"}),
    ("init_dropdown", "normal", {"init": "normal"}),
    ("init_dropdown", "he", {"init": "he"}),
    ("scale_slider", 3.0, {"scale": 3.0}),
    ("dataset_dropdown", "spiral", {"dataset": "spiral"}),
])
def test_each_model_control_rebuilds_the_network(control, value, kwargs):
    w = GradientHealth()
    w.train(3)
    getattr(w, control).value = value
    assert w.error is None and w.trainer.step_count == 0  # a new run from step 0
    assert_drawn(w, *reference(**kwargs))


def test_learning_rate_and_training_follow_hand_written_descent():
    w = GradientHealth(depth=3, activation="tanh")
    w.lr_slider.value = 0.2
    assert w.trainer.lr == 0.2 and w.trainer.step_count == 0
    w.train_buttons[10].click()
    w.train_buttons[1].click()
    net, ds = reference(depth=3, activation="tanh")
    rows = hand_train(net, ds, 0.2, 11)
    assert w.trainer.step_count == 11
    assert_drawn(w, net, ds)
    # the curves: the gradient at the weights of steps 0..11
    for chart, k in ((w.view.delta_chart, 0), (w.view.weight_chart, 1)):
        x, y = chart.lines["layer 2"].get_data()
        np.testing.assert_array_equal(x, np.arange(12))
        np.testing.assert_allclose(y[:-1], [np.log10(r[k][1]) for r in rows], rtol=1e-9)
    w.reset_button.click()
    assert w.trainer.step_count == 0
    assert_drawn(w, *reference(depth=3, activation="tanh"))


@pytest.mark.parametrize("name, verdict", [("vanishing", "Vanishing"),
                                           ("exploding", "Exploding"),
                                           ("fixed", "Healthy")])
def test_presets_make_gradients_vanish_explode_and_heal(name, verdict):
    w = GradientHealth(depth=2)
    w.preset_dropdown.value = name
    p = PRESETS[name][1]
    depth, activation, init, scale = p["depth"], p["activation"], p["init"], p["weight_scale"]
    assert (w.depth_slider.value, w.activation_dropdown.value, w.init_dropdown.value,
            w.scale_slider.value) == (depth, activation, init, scale)
    assert w.net.sizes == [2] + [8] * depth + [1] and w.preset == name
    net, ds = reference(depth, activation, init, scale)
    assert_drawn(w, net, ds)
    assert w.view.verdict.get_text().startswith(verdict)
    d, _, _ = norms(net, ds)
    ratio = d[0] / d[-1]
    assert {"vanishing": ratio < 1e-4, "exploding": ratio > 100,
            "fixed": 0.1 < ratio < 10}[name]
    w.scale_slider.value = 1.5  # a setting moved: no longer the preset
    assert w.preset == ""


def test_divergence_keeps_the_steps_before_and_says_so():
    w = GradientHealth(depth=10, activation="linear", init="normal", weight_scale=10.0,
                       lr=10.0)
    w.train(20)
    assert "diverged" not in (w.error or "") or w.trainer.step_count < 20
    assert w.trainer.diverged is not None and "learning rate" in w.error
    # the real cause is named: the weights start 10x their initialiser's scale
    assert "10× their initialiser's scale" in w.error and "try weight scale 1" in w.error
    assert w.view.note.get_text().startswith("training stopped")
    steps = w.trainer.step_count
    w.lr_slider.value = 0.001  # the widget keeps working
    assert w.error is None and w.trainer.step_count == steps


def test_a_divergence_at_weight_scale_1_blames_the_learning_rate():
    w = GradientHealth(depth=2, activation="linear", lr=10.0)
    w.train(50)
    assert w.trainer.diverged is not None
    assert w.error.endswith("try a smaller learning rate") and "weight scale" not in w.error


def test_play_frames_equal_train_steps_and_same_seed_same_picture():
    a, b = GradientHealth(depth=3, activation="relu", init="he"), GradientHealth(
        depth=3, activation="relu", init="he")
    assert a.image.value == b.image.value
    assert a.run_frames(2) == 2
    b.train(2 * GradientHealth.STEPS_PER_FRAME)
    assert a.trainer.step_count == b.trainer.step_count == 10
    np.testing.assert_array_equal(a.view.bars.values, b.view.bars.values)
    assert a.image.value == b.image.value


def test_random_control_changes_leave_a_consistent_state():
    rng = np.random.default_rng(11)
    w = GradientHealth(depth=2)
    moves = [
        lambda: setattr(w.depth_slider, "value", int(rng.integers(1, 11))),
        lambda: setattr(w.activation_dropdown, "value",
                        str(rng.choice(["sigmoid", "tanh", "relu", "elu", "linear"]))),
        lambda: setattr(w.init_dropdown, "value", str(rng.choice(["xavier", "he", "normal"]))),
        lambda: setattr(w.scale_slider, "value", float(10 ** rng.uniform(-1, 1))),
        lambda: setattr(w.lr_slider, "value", float(10 ** rng.uniform(-3, 0))),
        lambda: setattr(w.preset_dropdown, "value", str(rng.choice(list(PRESETS)))),
        lambda: w.train_buttons[int(rng.choice([1, 10]))].click(),
        lambda: w.reset_button.click(),
    ]
    for _ in range(80):
        moves[int(rng.integers(len(moves)))]()
    assert w.error is None
    net = w.net
    assert net.sizes == [2] + [8] * w.depth_slider.value + [1]
    assert net.activation_names[0] == w.activation_dropdown.value
    assert (net.init, net.weight_scale) == (w.init_dropdown.value, w.scale_slider.value)
    assert w.trainer.lr == w.lr_slider.value
    twin = MLP(net.sizes, activation=net.activation_names[0], loss="bce")
    twin.set_params(*net.get_params())
    assert_drawn(w, twin, make_dataset("circles", n_samples=200, seed=0))
    x, _ = w.view.delta_chart.lines["output"].get_data()
    np.testing.assert_array_equal(x, np.arange(w.trainer.step_count + 1))


@pytest.mark.parametrize("kwargs, error, words", [
    ({"depth": 11}, ValueError, "depth"),
    ({"depth": 2.0}, TypeError, "depth"),
    ({"activation": "sigmoidd"}, ValueError, "activation"),
    ({"init": "lecun"}, ValueError, "init"),
    ({"weight_scale": 0.0}, ValueError, "weight_scale"),
    ({"weight_scale": 20.0}, ValueError, "weight_scale"),
    ({"lr": 100.0}, ValueError, "lr"),
    ({"dataset": "sine"}, ValueError, "dataset"),
])
def test_bad_arguments_name_themselves(kwargs, error, words):
    with pytest.raises(error, match=words):
        GradientHealth(**kwargs)


def test_bad_calls_raise_and_buttons_report():
    w = GradientHealth(depth=2)
    with pytest.raises(ValueError, match="preset"):
        w.apply_preset("broken")
    with pytest.raises(ValueError, match="steps"):
        w.train(-1)
    assert w.trainer.step_count == 0 and w.error is None


def test_redrawing_only_the_diagram_and_key_regions_gives_the_full_picture(monkeypatch):
    w = GradientHealth(depth=4)
    full_draws = []
    canvas_draw = w.view.canvas.draw
    monkeypatch.setattr(w.view.canvas, "draw", lambda: (full_draws.append(1), canvas_draw()))
    # new, new, cached, cached, new regions; from code and from the page
    for k, depth in enumerate((10, 2, 4, 10, 7, 3)):
        if k % 2:
            w.depth_slider.set_state({"value": depth})
        else:
            w.depth_slider.value = depth
        assert w.depth == depth and full_draws == []  # the diagram and the key's band only
        assert [t.get_text() for t in w.view.layer_key if t.get_visible()] == \
            [str(l) for l in range(1, depth + 1)] + ["out"]  # depth = hidden layers
        frame = decode(w.image.value)
        w.view.invalidate()
        np.testing.assert_array_equal(frame, decode(w.view.to_png()))
        assert full_draws == [1]
        full_draws.clear()


# -- both languages ----------------------------------------------------------------------------
def test_in_chinese_the_controls_messages_and_picture_speak_chinese():
    w = GradientHealth(language="zh")
    assert w.language == w.view.language == "zh"
    assert_speaks_chinese(w)
    net, ds = reference()
    d, _, g = norms(net, ds)
    # the engine's numbers, written in Chinese: the ratio of ‖δ₁‖ to ‖δ_out‖ and its mean per layer
    ratio = d[0] / d[-1]
    assert w.view.verdict.get_text() == (
        f"梯度消失：前几层几乎学不动。‖δ₁‖ = {fmt_short(ratio)} × ‖δ_L‖（从输出往回，"
        f"平均每层 × {fmt(ratio ** (1 / 6), 2)}）")  # 7 weight layers: 6 steps back
    assert w.view.title.get_text() == f"梯度健康 · 6 个 sigmoid 隐藏层，Xavier 初始化 × 1 · 损失 {fmt(g.loss)}"
    assert [b.description for b in w.training_row()] == ["播放", "训练1步", "训练10步",
                                                         "训练100步", "重置", "新权重"]
    assert dict((v, k) for k, v in w.preset_dropdown.options) == {
        "": "选择一个预设…", "vanishing": "梯度消失：10 层 sigmoid，Xavier 初始化",
        "exploding": "梯度爆炸：10 层 ReLU，He 初始化 × 2",
        "fixed": "修复：10 层 ReLU，He 初始化 × 1"}
    assert dict((v, k) for k, v in w.init_dropdown.options)["normal"] == "普通 N(0, 1)"

    async def play_then_pause():  # (Play needs a running event loop)
        w.play()
        playing = w.play_button.description
        w.pause()
        return playing

    assert asyncio.run(play_then_pause()) == "暂停" and w.play_button.description == "播放"
    assert w.play_button.tooltip == "连续训练；再点一次暂停"
    w.train(2)
    assert w.view.bars.title.get_text() == "第 2 步各层的梯度范数（整个训练集）"
    assert [t.get_text() for t in w.view.bars.label_texts[5:7]] == ["6", "输出"]
    w.depth = 9  # compact layer titles under the diagram
    assert w.view.diagram.layer_title(0) == "输入" and w.view.diagram.layer_title(10) == "输出"
    assert_speaks_chinese(w)


def test_in_chinese_a_divergence_names_the_weight_scale():
    w = GradientHealth(depth=10, activation="linear", init="normal", weight_scale=10.0, lr=10.0,
                       language="zh")
    w.train(20)
    exc = w.trainer.diverged
    assert exc is not None
    k = w.trainer.step_count + 1  # the step that failed (its update was not kept)
    assert w.error == (f"训练在第 {k} 步（第 {k} 轮）发散了：学习率为 10 时，损失或梯度不再是"
                       f"有限数。训练已停止，保留第 {k - 1} 步的权重。初始权重是初始化方法默认"
                       "尺度的 10 倍，梯度逐层放大：先把权重缩放设为 1（如果仍然发散，再减小学习率）")
    assert w.view.note.get_text() == "训练已停止：发散了（见下方说明）"
    w = GradientHealth(depth=2, activation="linear", lr=10.0, language="zh")
    w.train(50)
    assert w.error.endswith("保留第 " f"{w.trainer.step_count} 步的权重。试试更小的学习率")


def test_in_english_the_texts_are_the_english_ones():
    w = GradientHealth(language="en")
    assert control_texts(w) == {
        "preset": ("preset", ""), "depth": ("hidden layers", ""),
        "activation": ("activation", ""), "init": ("init", ""),
        "weight_scale": ("weight scale", ""), "lr": ("learning rate", ""),
        "dataset": ("data", ""), "seed": ("seed", "seed of the initial weights and the data")}
    assert [(b.description, b.tooltip) for b in w.training_row()] == [
        ("Play", "train continuously; click again to pause"),
        ("Train 1", "take 1 gradient steps now"), ("Train 10", "take 10 gradient steps now"),
        ("Train 100", "take 100 gradient steps now"),
        ("Reset", "back to step 0 and the same initial weights"),
        ("New weights", "new random initial weights (seed + 1), then back to step 0")]
    assert [label for label, _ in w.preset_dropdown.options] == [
        "choose a preset…", "vanish: 10 sigmoid layers, Xavier", "explode: 10 ReLU layers, He × 2",
        "fix: 10 ReLU layers, He × 1"]
    assert [label for label, _ in w.init_dropdown.options] == ["Xavier", "He", "plain N(0, 1)"]
    w.train(1)
    texts = picture_texts(w.view)
    net, ds = reference()
    for line in ("norm (log scale)", "‖δ_l‖ = ‖∂L/∂z_l‖ over training", "‖∂L/∂W_l‖ over training",
                 "training step", "lines: one per layer, dark (input side) → light; black = output",
                 "|δ| relative to the output's: log₁₀(|δ| / |δ_out|)",
                 "neurons: mean |δ| over the 100 training samples, in powers of 10",
                 "above (red) or below (blue) the output's · outlined: δ = 0",
                 "Gradient norms per layer at step 1 (the whole training set)", "out"):
        assert line in texts, line
    assert w.view.title.get_text().startswith("Gradient health · 6 hidden sigmoid layers, "
                                              "Xavier init × 1 · loss ")
    assert w.view.verdict.get_text().startswith("Vanishing gradients — the first layers barely "
                                                "learn: ‖δ₁‖ = ")
    assert not any(CJK.search(t) for t in texts)
    w = GradientHealth(depth=1, language="en")
    assert w.view.title.get_text().startswith("Gradient health · 1 hidden sigmoid layer, ")


def test_the_switch_gives_chinese_to_widgets_built_without_a_language():
    with current_language("zh"):
        w = GradientHealth(depth=2)
    assert w.language == w.view.language == "zh"
    assert w.depth_slider.description == "隐藏层数"
    assert w.reset_button.description == "重置"
    assert w.view.delta_chart.ax.get_xlabel() == "训练步数"
    assert GradientHealth(depth=2).language == "en"
