"""Distributions: the drawn histograms equal histograms of networks replayed here.

Training is replayed with a hand-written full-batch loop that keeps the
parameters of every 10th step; histograms, ranges, saturation bands and
saturated shares are computed in the tests with plain NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.datasets import make_dataset
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.distributions import BINS, display_range
from actviz_widgets.widgets.distributions import PRESETS, SNAPSHOT_EVERY, Distributions
from png_pixels import decode
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)


def reference(depth=3, activation="tanh", init="normal", scale=2.0, dataset="circles", seed=0):
    net = MLP([2] + [8] * depth + [1], activation=activation, loss="bce", init=init,
              weight_scale=scale, seed=seed)
    return net, make_dataset(dataset, n_samples=200, seed=seed)


def replay(net, ds, lr, steps):
    """Full-batch descent; the parameters at every 10th step, by step."""
    kept = {0: net.get_params()}
    for k in range(1, steps + 1):
        _, g = net.loss_and_gradients(ds.X_train, ds.y_train)
        for W, b, dW, db in zip(net.weights, net.biases, g.dW, g.db):
            W -= lr * dW
            b -= lr * db
        if k % SNAPSHOT_EVERY == 0:
            kept[k] = net.get_params()
    return kept


def values_at(net, params, X, layer):
    twin = net.copy()
    twin.set_params(*params)
    tr = twin.forward(X)
    return {"W": params[0][layer - 1].ravel(), "z": tr.z[layer].ravel(),
            "a": tr.a[layer].ravel()}, tr


def nice(x):
    """The smallest of 1, 2, 5 × 10^k >= x."""
    k = math.floor(math.log10(x))
    return min(m * 10.0 ** e for e in (k, k + 1) for m in (1, 2, 5) if m * 10.0 ** e >= x)


def shares(v, lo, hi):
    counts, _ = np.histogram(v, bins=BINS, range=(lo, hi))
    return counts / v.size


def sigmoid_like_saturation(act, z):
    """Share of |f′(z)| < 0.05, f′ from the closed forms of tanh and sigmoid."""
    if act == "tanh":
        d = 1 - np.tanh(z) ** 2
    elif act == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        d = s * (1 - s)
    else:
        raise AssertionError(act)
    return (np.abs(d) < 0.05).mean()


def assert_drawn(w, net, ds, kept, layer, selected):
    """Every panel's ridges and outline equal histograms of the replayed snapshots."""
    steps = sorted(kept)
    picks = sorted({steps[i] for i in np.round(np.linspace(0, len(steps) - 1,
                                                           min(len(steps), 10))).astype(int)})
    vals = {s: values_at(net, kept[s], ds.X_train, layer)[0] for s in {*picks, selected}}
    act = net.activations[layer - 1]
    for key, panel in w.view.panels.items():
        every = np.concatenate([vals[s][key] for s in vals])
        if key == "a" and act.name in ("tanh", "sigmoid"):
            lo, hi = act.output_range
        elif key == "a":
            lo, hi = display_range(every, "bounded", act.output_range)
        else:
            hi = nice(np.abs(every).max())
            lo = -hi
        assert panel.xrange == pytest.approx((lo, hi))
        np.testing.assert_array_equal(panel.steps, picks)
        np.testing.assert_allclose(panel.fractions, [shares(vals[s][key], lo, hi)
                                                     for s in picks], atol=1e-15)
        np.testing.assert_allclose(panel.highlight_fractions,
                                   shares(vals[selected][key], lo, hi), atol=1e-15)
        assert panel.selected == selected
        # the tick numbers follow the range
        assert panel.tick_texts[0].get_text().replace("−", "-") in (f"{lo:g}", f"{lo:.3g}")
    # the saturation chart: every recorded step, every layer
    L = net.n_layers
    names = [f"layer {l}" for l in range(1, L)] + ["output"]
    for l, name in enumerate(names, 1):
        x, y = w.view.chart.lines[name].get_data()
        np.testing.assert_array_equal(x, steps)
        if net.activations[l - 1].name in ("tanh", "sigmoid"):
            want = [sigmoid_like_saturation(net.activations[l - 1].name,
                                            values_at(net, kept[s], ds.X_train, l)[1].z[l])
                    for s in steps]
            np.testing.assert_allclose(y, want, atol=1e-15)
    assert w.view.chart.marker_x == selected


def test_default_widget_and_the_saturated_bands_of_tanh():
    w = Distributions()
    assert repr(w) == ("Distributions(depth=3, activation='tanh', init='normal', "
                       "weight_scale=2, layer=3, step=0)")
    assert w.error is None and w.layer_dropdown.value == 3
    net, ds = reference()
    assert_drawn(w, net, ds, {0: net.get_params()}, 3, 0)
    # grey bands where 1 − tanh²(z) < 0.05: |z| > atanh(√0.95) ≈ 2.178
    edge = math.atanh(math.sqrt(0.95))
    lo, hi = w.view.panels["z"].xrange
    bands = [p.vertices[:, 0] for p in w.view.shade.get_paths()]
    assert len(bands) == 2
    step = (hi - lo) / 240
    assert bands[0].min() == pytest.approx(lo) and abs(bands[0].max() + edge) <= step
    assert abs(bands[1].min() - edge) <= step and bands[1].max() == pytest.approx(hi)
    # the dashed f(z) runs over the whole z axis, scaled into the panel
    x, y = w.view.f_line.get_data()
    assert x[0] == pytest.approx(lo) and x[-1] == pytest.approx(hi)
    assert min(y) == pytest.approx(0.05) and max(y) == pytest.approx(0.95)


def test_training_the_time_slider_and_the_layer_follow_a_replayed_run():
    w = Distributions()
    w.train_buttons[100].click()
    w.train_buttons[10].click()
    net, ds = reference()
    kept = replay(net, ds, 0.3, 110)
    assert w.step_slider.max == 110 and w.step_slider.value == 110  # follows the newest
    assert_drawn(w, net, ds, kept, 3, 110)
    w.step_slider.value = 40
    assert_drawn(w, net, ds, kept, 3, 40)
    w.layer_dropdown.value = 1
    assert_drawn(w, net, ds, kept, 1, 40)
    w.show(layer=4, step=57)  # between two snapshots: the one before
    assert w.selected_step == 50
    assert_drawn(w, net, ds, kept, 4, 50)
    sat = sigmoid_like_saturation("tanh", values_at(net, kept[50], ds.X_train, 1)[1].z[1])
    w.show(layer=1)
    assert f"{sat:.0%} of this layer" in w.view.subtitle.get_text()
    w.train(10)  # the slider stays where the learner put it
    assert w.step_slider.value == 57 and w.step_slider.max == 120
    w.reset_button.click()
    assert w.step_slider.max == 0 and w.trainer.step_count == 0


@pytest.mark.parametrize("control, value, kwargs", [
    ("activation_dropdown", "sigmoid", {"activation": "sigmoid"}),
    ("init_dropdown", "xavier", {"init": "xavier"}),
    ("scale_slider", 0.5, {"scale": 0.5}),
    ("depth_slider", 5, {"depth": 5}),
    ("dataset_dropdown", "moons", {"dataset": "moons"}),
])
def test_model_controls_rebuild_at_step_zero(control, value, kwargs):
    w = Distributions()
    w.train(10)
    getattr(w, control).value = value
    assert w.error is None and w.trainer.step_count == 0
    net, ds = reference(**kwargs)
    layer = w.layer_dropdown.value
    assert layer == 3
    assert_drawn(w, net, ds, {0: net.get_params()}, layer, 0)


def test_fewer_layers_move_the_shown_layer_and_the_lr_applies_to_next_steps():
    w = Distributions(depth=4, layer=5)
    w.depth_slider.value = 2
    assert w.layer_dropdown.value == 2 and [v for _, v in w.layer_dropdown.options] == [1, 2, 3]
    w.lr_slider.value = 0.05
    w.train(20)
    net, ds = reference(depth=2)
    assert_drawn(w, net, ds, replay(net, ds, 0.05, 20), 2, 20)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets(name):
    w = Distributions()
    w.preset_dropdown.value = name
    p = PRESETS[name][1]
    activation, init, scale = p["activation"], p["init"], p["weight_scale"]
    assert (w.activation_dropdown.value, w.init_dropdown.value, w.scale_slider.value) == (
        activation, init, scale)
    net, ds = reference(activation=activation, init=init, scale=scale)
    assert_drawn(w, net, ds, {0: net.get_params()}, 3, 0)


def test_play_equals_training_and_random_changes_stay_consistent():
    a, b = Distributions(depth=2), Distributions(depth=2)
    a.run_frames(3)
    b.train(30)
    assert a.image.value == b.image.value

    rng = np.random.default_rng(3)
    w = Distributions(depth=2)
    moves = [
        lambda: setattr(w.depth_slider, "value", int(rng.integers(1, 6))),
        lambda: setattr(w.activation_dropdown, "value", str(rng.choice(["tanh", "sigmoid"]))),
        lambda: setattr(w.scale_slider, "value", float(10 ** rng.uniform(-1, 0.7))),
        lambda: setattr(w.lr_slider, "value", float(10 ** rng.uniform(-3, 0))),
        lambda: setattr(w.layer_dropdown, "value",
                        int(rng.integers(1, w.depth_slider.value + 2))),
        lambda: setattr(w.step_slider, "value", int(rng.integers(0, w.step_slider.max + 1))),
        lambda: setattr(w.preset_dropdown, "value", str(rng.choice(["saturated", "healthy", "sigmoid"]))),
        lambda: w.train_buttons[10].click(),
        lambda: w.reset_button.click(),
    ]
    for _ in range(60):
        moves[int(rng.integers(len(moves)))]()
    assert w.error is None
    net, ds = reference(w.depth_slider.value, w.activation_dropdown.value,
                        w.init_dropdown.value, w.scale_slider.value)
    history = w.trainer.history.snapshots
    kept = {s: (snap.weights, snap.biases) for s, snap in history.items()}
    assert sorted(kept) == list(range(0, w.trainer.step_count + 1, SNAPSHOT_EVERY))
    assert_drawn(w, net, ds, kept, w.layer_dropdown.value, w.selected_step)

def test_a_new_depth_repaints_only_the_key_band_and_gives_the_full_picture(monkeypatch):
    w = Distributions()
    full_draws = []
    canvas_draw = w.view.canvas.draw
    monkeypatch.setattr(w.view.canvas, "draw", lambda: (full_draws.append(1), canvas_draw()))
    for k, depth in enumerate((5, 1, 3, 5, 2)):  # new, new, cached, cached, new bands
        if k % 2:
            w.depth_slider.set_state({"value": depth})  # as the page sends it
        else:
            w.depth_slider.value = depth
        assert w.depth == depth and full_draws == []
        # the key lists the hidden layers drawn and the output
        assert [t.get_text() for t in w.view.layer_key if t.get_visible()] == \
            [str(l) for l in range(1, depth + 1)] + ["out"]
        frame = decode(w.image.value)
        w.view.invalidate()
        np.testing.assert_array_equal(frame, decode(w.view.to_png()))
        assert full_draws == [1]
        full_draws.clear()



@pytest.mark.parametrize("kwargs, error, words", [
    ({"depth": 6}, ValueError, "depth"),
    ({"layer": 5}, ValueError, "layer"),
    ({"activation": "tan"}, ValueError, "activation"),
    ({"weight_scale": -1.0}, ValueError, "weight_scale"),
    ({"lr": "fast"}, TypeError, "lr"),
])
def test_bad_arguments_name_themselves(kwargs, error, words):
    with pytest.raises(error, match=words):
        Distributions(**kwargs)


def test_display_range():
    assert display_range(np.array([-0.3, 1.7]), "symmetric") == (-2.0, 2.0)
    assert display_range(np.array([0.2, 0.9]), "bounded", (0.0, 1.0)) == (0.0, 1.0)
    assert display_range(np.array([-0.004, 3.2]), "bounded") == (-0.005, 5.0)
    assert display_range(np.array([0.0, 0.0]), "symmetric") == (-1.0, 1.0)
    with pytest.raises(ValueError, match="kind"):
        display_range(np.array([1.0]), "wide")


# -- language --------------------------------------------------------------------------------

def test_in_chinese_the_controls_and_picture_speak_chinese():
    w = Distributions(language="zh")
    assert w.language == w.view.language == "zh"
    w.train(20)
    assert_speaks_chinese(w)
    net, ds = reference()
    kept = replay(net, ds, 0.3, 20)
    sat = sigmoid_like_saturation("tanh", values_at(net, kept[20], ds.X_train, 3)[1].z[3])
    assert w.view.subtitle.get_text().startswith(f"第 20 步时，该层 {sat:.0%} 的净输入")
    assert w.view.title.get_text().startswith(
        "分布 · 第 3 个隐藏层（共 3 个隐藏层，tanh）· 标准正态 N(0, 1) × 2 · 第 20/20 步")
    assert w.view.panels["W"].title.get_text() == "进入第 3 个隐藏层的权重 W"
    assert w.layer_dropdown.options == (("第 1 个隐藏层", 1), ("第 2 个隐藏层", 2),
                                        ("第 3 个隐藏层", 3), ("输出层", 4))
    w.depth_slider.value = 1  # a new network: the layer options follow, in Chinese
    assert w.layer_dropdown.options == (("第 1 个隐藏层", 1), ("输出层", 2))
    w.show(layer=2)
    assert w.view.panels["W"].title.get_text() == "进入输出层的权重 W"
    w.activation_dropdown.value = "linear"
    assert dict((v, k) for k, v in w.activation_dropdown.options)["linear"] == "线性"
    assert "分布 · 输出层（共 1 个隐藏层，Sigmoid）" in w.view.title.get_text()
    w.show(layer=1)
    assert "分布 · 第 1 个隐藏层（共 1 个隐藏层，线性（恒等））" in w.view.title.get_text()
    assert_speaks_chinese(w)


def test_in_english_the_texts_are_the_english_ones():
    w = Distributions(language="en")
    assert control_texts(w) == {
        "preset": ("preset", ""), "layer": ("show layer", ""), "shown_step": ("step", ""),
        "activation": ("activation", ""), "init": ("init", ""),
        "weight_scale": ("weight scale", ""), "depth": ("hidden layers", ""),
        "lr": ("learning rate", ""), "dataset": ("data", ""),
        "seed": ("seed", "seed of the initial weights and the data")}
    assert w.init_dropdown.options == (("Xavier", "xavier"), ("He", "he"),
                                       ("plain N(0, 1)", "normal"))
    assert w.layer_dropdown.options == (("hidden 1", 1), ("hidden 2", 2), ("hidden 3", 3),
                                        ("output", 4))
    assert [label for label, _ in w.activation_dropdown.options][:2] == ["linear", "sigmoid"]
    assert [label for label, _ in w.preset_dropdown.options] == [
        "choose a preset…", "saturate: tanh, plain N(0, 1) × 3", "healthy: tanh, Xavier",
        "sigmoid, plain N(0, 1) × 2", "ReLU, He"]
    texts = picture_texts(w.view)
    for line in ("weights W into the hidden layer 3", "pre-activations z = a·W + b",
                 "- - f(z), scaled to fit · grey: saturated, |f′(z)| < 0.05",
                 "activations a = tanh(z)", "weight w", "pre-activation z", "activation a",
                 "training step", "saturated share",
                 "Share of saturated pre-activations per layer (threshold |f′(z)| < 0.05)",
                 "Saturated: |f′(z)| < 0.05 (the grey bands):",
                 "almost no gradient passes back through these z.", "Lines: one per layer",
                 "out", "Ridges: one histogram per recorded step,",
                 "step 0 at the back, the newest in front;",
                 "outlined in blue: the step of the slider."):
        assert line in texts, line
    assert w.view.title.get_text().startswith(
        "Distributions · hidden layer 3 of 3 (tanh) · plain N(0, 1) × 2 · step 0/0 · loss ")
    assert w.view.subtitle.get_text().startswith("At step 0, ")
    assert "of this layer's pre-activations (all 100 training samples × neurons) are " \
           "saturated; mean |a| = " in w.view.subtitle.get_text()
    assert not any(CJK.search(t) for t in texts)


def test_the_switch_gives_chinese_to_widgets_built_without_a_language():
    with current_language("zh"):
        w = Distributions()
    assert w.language == "zh" and w.scale_slider.description == "权重缩放"
    assert w.view.chart.ax.get_ylabel() == "饱和占比"
    assert Distributions().language == "en"
