"""Pointing at the picture: where the views say things are, what hovering shows, what clicks do.

The regions' geometry is checked against what matplotlib drew (the PNG's
pixels, the artists' own transforms); the tooltip numbers against the engine,
computed here independently; clicks and typed weights against the settings
and the engine's recomputed pass.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

import actviz_widgets as av
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.base import FigureView
from actviz_widgets.views.network_diagram import EDGE_HIT_PX, parse_region_id
from actviz_widgets.views.neuron import num
from actviz_widgets.views.text import fmt
from actviz_widgets.widgets.pass_stepper import FOLLOW, MEAN


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def at(image: np.ndarray, x: float, y: float, ratio: float = 1.0) -> np.ndarray:
    """The pixel under CSS point (x, y) of a frame rendered at ``ratio``."""
    return image[int(y * ratio), int(x * ratio)]


def rgb255(colour) -> np.ndarray:
    return np.round(np.asarray(to_rgba(colour))[:3] * 255).astype(int)


def by_id(regions: list[dict]) -> dict[str, dict]:
    ids = [r["id"] for r in regions]
    assert len(ids) == len(set(ids)), "region ids must be unique"
    return {r["id"]: r for r in regions}


def rows(region: dict) -> dict[str, str]:
    return dict(region["rows"])


# -- the generic conversion ----------------------------------------------------------------

@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_css_points_find_a_drawn_square_at_any_pixel_ratio(ratio):
    view = FigureView((4.0, 3.0), pixel_ratio=ratio)
    ax = view.figure.add_axes([0.1, 0.2, 0.7, 0.6])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_axis_off()
    ax.plot([7.0], [2.0], "s", ms=10, color="#ff0000")  # a red square at (7, 2)
    image = pixels(view.to_png())
    red = np.argwhere((image[:, :, 0] > 200) & (image[:, :, 1] < 60) & (image[:, :, 2] < 60))
    y_px, x_px = red.mean(axis=0)
    x, y = view.css_points([7.0, 2.0], ax.transData)
    # the red square's centre in device pixels, divided by the ratio, is where the view says
    assert x == pytest.approx((x_px + 0.5) / ratio, abs=0.6)
    assert y == pytest.approx((y_px + 0.5) / ratio, abs=0.6)
    # by hand: the axes start at 10 % of 400 px, and x = 7 is 70 % across 280 px
    assert x == pytest.approx(40 + 0.7 * 280)
    assert y == pytest.approx(300 - (0.2 * 300 + 0.2 * 180))
    assert view.css_length(72) == pytest.approx(100.0)  # one inch at 100 CSS px per inch
    several = view.css_points([[0.0, 0.0], [10.0, 10.0]], ax.transData)
    np.testing.assert_allclose(several, [[40, 240], [320, 60]])


def test_css_box_is_the_drawn_box_of_an_artist():
    view = FigureView((4.0, 3.0), pixel_ratio=2.0)
    ax = view.figure.add_axes([0.25, 0.5, 0.5, 0.25])
    view.draw()
    # by hand: the axes span 25-75 % of 400 px and 50-75 % of 300 px from the bottom
    assert view.css_box(ax) == pytest.approx({"x0": 100.0, "y0": 75.0, "x1": 300.0,
                                              "y1": 150.0})


# -- the network diagram -------------------------------------------------------------------

@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_each_neuron_region_is_centred_on_its_drawn_circle(ratio):
    av.set_pixel_ratio(ratio)  # (a widget's view renders at the ratio set when it is built)
    try:
        w = av.BackpropStepper()
    finally:
        av.set_pixel_ratio(1.0)
    assert w.view.pixel_ratio == ratio
    w.go(3)  # every forward value known: the neurons are coloured
    image = pixels(w.image.value)
    d = w.view.diagram
    regions = by_id(w.frame_regions())
    faces = d.nodes.get_facecolors()
    k = 0
    for l, m in enumerate(d.shown):
        for j in range(m):
            region = regions[f"neuron:{l}:{j}"]
            assert region["shape"] == "circle"
            # a value may be printed in the middle: sample a little off centre, inside
            x, y = region["x"], region["y"] + 0.6 * region["r"]
            assert np.abs(at(image, x, y, ratio) - rgb255(faces[k])).max() <= 3, (l, j)
            outside = at(image, region["x"] + region["r"] + 6, region["y"], ratio)
            assert np.abs(outside - rgb255(faces[k])).max() > 3 or \
                np.allclose(rgb255(faces[k]), 255, atol=3)
            k += 1
    assert region["r"] == pytest.approx(d.diameter / 2 * 100 / 72)


def test_each_edge_region_lies_on_its_drawn_edge():
    w = av.BackpropStepper()
    d = w.view.diagram
    regions = by_id(w.frame_regions())
    drawn = d.edges.get_segments()  # in data coordinates, drawing order
    image = pixels(w.image.value)
    n = 0
    for region in regions.values():
        kind, fields = parse_region_id(region["id"])
        if kind != "edge":
            continue
        n += 1
        l, i, j = fields
        # the flat index of edge (l, i, j), in the documented order
        flat = sum(d.shown[q] * d.shown[q + 1] for q in range(l)) + i * d.shown[l + 1] + j
        segment = drawn[int(np.flatnonzero(d.edge_order == flat)[0])]
        ends = w.view.css_points(segment, d.ax.transData)
        # the region runs along the drawn segment, from rim to rim of the two circles
        direction = (ends[1] - ends[0]) / np.linalg.norm(ends[1] - ends[0])
        for point in ((region["x0"], region["y0"]), (region["x1"], region["y1"])):
            offset = np.asarray(point) - ends[0]
            assert abs(offset[0] * direction[1] - offset[1] * direction[0]) < 1e-6
        r = regions[f"neuron:{l}:{i}"]["r"]
        assert np.hypot(region["x0"] - ends[0][0], region["y0"] - ends[0][1]) == \
            pytest.approx(r)
        assert region["width"] >= EDGE_HIT_PX
        # its middle is painted in the edge's hue (not the white page)
        mid = at(image, (region["x0"] + region["x1"]) / 2, (region["y0"] + region["y1"]) / 2)
        assert mid.min() < 235, (region["id"], mid)
    assert n == sum(a * b for a, b in zip(d.shown, d.shown[1:]))


def test_neurons_beyond_the_drawn_ones_have_no_region():
    w = av.BackpropStepper(sizes=(2, 12, 1))
    ids = {r["id"] for r in w.frame_regions()}
    assert "neuron:1:7" in ids and "neuron:1:8" not in ids
    assert "edge:1:7:0" in ids and "edge:0:1:8" not in ids


def test_region_ids_are_parsed_and_bad_ones_named():
    assert parse_region_id("edge:1:0:2") == ("edge", (1, 0, 2))
    assert parse_region_id("neuron:0:3") == ("neuron", (0, 3))
    assert parse_region_id("bias:2:1") == ("bias", (2, 1))
    for bad in ("edge:1:0", "neuron:a:1", "weight:1:1", "neuron:-1:0", "", "neuron:1:٣"):
        with pytest.raises(ValueError, match="region_id must look like"):
            parse_region_id(bad)
    with pytest.raises(TypeError, match="region_id must be a string"):
        parse_region_id(3)


# -- the stepper's tooltips: only what is computed, equal to the engine's numbers -------------

def engine_pass(net: MLP, X, y):
    trace = net.forward(np.asarray(X, dtype=float))
    return trace, net.backward(trace, np.asarray(y, dtype=float))


def test_stepper_tooltips_show_the_engines_numbers_and_only_those_computed():
    net = MLP([2, 3, 1], activation="tanh", loss="bce", seed=4)
    X, y = np.array([[0.3, -0.8]]), np.array([[1.0]])
    reference = net.copy()
    trace, grads = engine_pass(reference, X, y)
    w = av.BackpropStepper(net=net, X=X, y=y, lr=0.5)
    L = 2
    for k in range(w.n_steps):
        w.go(k)
        regions = by_id(w.frame_regions())
        for l in (1, 2):
            for j in range(net.sizes[l]):
                tip = rows(regions[f"neuron:{l}:{j}"])
                assert tip[w.tr("stepper.tip.bias")] == fmt(reference.biases[l - 1][j], 4)
                if k >= l:  # the forward step of layer l is done
                    assert tip["z"] == fmt(trace.z[l][0, j])
                    assert tip["a"] == fmt(trace.a[l][0, j])
                    assert tip["f′(z)"] == fmt(trace.dadz[l][0, j])
                else:
                    assert not {"z", "a", "f′(z)"} & set(tip)
                if k >= L + 1 + (L - l + 1):  # its backward step is done
                    assert tip["δ = ∂L/∂z"] == fmt(grads.delta[l][0, j])
                    assert tip["∂L/∂a"] == fmt(grads.dL_da[l][0, j])
                    assert tip["∂L/∂b"] == fmt(grads.db[l - 1][j])
                else:
                    assert not {"δ = ∂L/∂z", "∂L/∂a", "∂L/∂b"} & set(tip)
                if k == w.n_steps - 1:
                    assert tip["b − lr·∂L/∂b"] == fmt(reference.biases[l - 1][j]
                                                       - 0.5 * grads.db[l - 1][j], 4)
        for i in range(2):
            for j in range(3):
                tip = rows(regions[f"edge:0:{i}:{j}"])
                assert tip[w.tr("stepper.tip.weight")] == fmt(reference.weights[0][i, j], 4)
                if k >= L + 1 + L:
                    assert tip["∂L/∂w"] == fmt(grads.dW[0][i, j])
                    assert float(tip["∂L/∂w"].replace("−", "-")) == pytest.approx(
                        X[0, i] * grads.delta[1][0, j], rel=5e-3)  # ∂L/∂w = a·δ, by hand
                else:
                    assert tip["∂L/∂w"] == w.tr("stepper.tip.at_step", step=2 * L + 1)
        assert rows(regions["neuron:0:1"])["x = a"] == fmt(X[0, 1])


def test_stepper_tooltips_follow_the_sample_shown():
    X = np.array([[0.1, 0.2], [-0.5, 0.9], [0.7, -0.3]])
    net = MLP([2, 2, 1], activation="relu", loss="mse", seed=2)
    trace, _ = engine_pass(net.copy(), X, np.ones((3, 1)))
    w = av.BackpropStepper(net=net, X=X, y=np.ones((3, 1)))
    w.go(2)
    tip = rows(by_id(w.frame_regions())["neuron:1:1"])
    assert tip["z"] == fmt(trace.z[1][:, 1].mean())
    w.sample = 2
    tip = rows(by_id(w.frame_regions())["neuron:1:1"])
    assert tip["z"] == fmt(trace.z[1][2, 1]) and tip["a"] == fmt(trace.a[1][2, 1])
    w.sample = MEAN


# -- clicks and typed weights --------------------------------------------------------------

def test_clicking_a_neuron_selects_it_and_the_equations_follow():
    w = av.BackpropStepper()
    w.go(2)
    regions = by_id(w.frame_regions())
    assert regions["neuron:2:1"]["select"] is True
    assert "edit" not in regions["neuron:2:1"]
    w.region_clicked("neuron:2:1")
    assert w.neuron == (2, 1)
    assert w.neuron_select.value == (2, 1)
    assert w.view.equations.text.get_text().startswith("Layer 2, neuron 1 (hidden, tanh)")
    assert w.view.diagram._selected == (2, 1)
    w.region_clicked("edge:0:0:0")  # an edge: the page opens its field; nothing else
    assert w.neuron == (2, 1) and w.error is None


@pytest.mark.parametrize("bad", ["neuron:4:0", "neuron:1:3", "edge:0:2:0", "junk", 7])
def test_a_click_on_nothing_this_network_has_is_a_message(bad):
    w = av.BackpropStepper()
    w.region_clicked(bad)
    assert w.neuron == FOLLOW
    assert w.message_kind == "error" and "region_id" in w.message.value


def test_typing_a_weight_recomputes_the_pass_at_the_same_step():
    net = MLP([2, 3, 1], activation="tanh", loss="bce", seed=4)
    X, y = np.array([[0.3, -0.8]]), np.array([[1.0]])
    w = av.BackpropStepper(net=net, X=X, y=y)
    w.go(5)
    edit = by_id(w.frame_regions())["edge:1:2:0"]["edit"]
    assert edit["value"] == net.weights[1][2, 0] and edit["min"] <= -5 and edit["max"] >= 5
    expected = net.copy()
    W, b = expected.get_params()
    W[1][2, 0] = 1.75
    expected.set_params(W, b)
    trace, grads = engine_pass(expected, X, y)
    w.region_edited("edge:1:2:0", 1.75)
    assert w.error is None and w.position == 5
    assert net.weights[1][2, 0] == 1.75
    np.testing.assert_allclose(w.state.a[2], trace.a[2])
    np.testing.assert_allclose(w.state.dW[0], grads.dW[0])
    regions = by_id(w.frame_regions())
    assert rows(regions["edge:1:2:0"])[w.tr("stepper.tip.weight")] == fmt(1.75, 4)
    assert rows(regions["neuron:2:0"])["a"] == fmt(trace.a[2][0, 0])
    w.region_edited("bias:1:0", -0.5)
    assert net.biases[0][0] == -0.5
    w.reset()  # Reset brings back the weights the widget was given
    assert net.weights[1][2, 0] != 1.75 and net.biases[0][0] != -0.5


@pytest.mark.parametrize("region,value", [
    ("edge:0:0:0", float("nan")), ("edge:0:0:0", float("inf")), ("edge:0:0:0", 99.0),
    ("edge:0:0:0", True), ("edge:0:0:0", "1.5"), ("edge:0:0:0", None),
    ("edge:3:0:0", 1.0), ("neuron:1:0", 1.0), ("bias:0:0", 1.0), ("nonsense", 1.0)])
def test_a_bad_weight_or_id_is_refused_with_a_message_and_nothing_changes(region, value):
    w = av.BackpropStepper()
    before = w.net.get_params()
    png = w.image.value
    w.region_edited(region, value)
    assert w.message_kind == "error"
    for old, new in zip(before[0] + before[1], w.net.weights + w.net.biases):
        np.testing.assert_array_equal(old, new)
    assert w.image.value == png


# -- the single neuron ---------------------------------------------------------------------

@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_single_neuron_regions_lie_on_the_drawn_circles_and_edges(ratio):
    av.set_pixel_ratio(ratio)
    try:
        w = av.SingleNeuron(w1=2.5, w2=-1.5, b=0.8)
    finally:
        av.set_pixel_ratio(1.0)
    image = pixels(w.image.value)
    regions = by_id(w.frame_regions())
    view = w.view
    assert image.shape[1] == 830 * ratio
    # the neuron's face colour at its centre's side (text in the middle), the inputs' too
    neuron = regions["neuron:1:0"]
    assert np.abs(at(image, neuron["x"], neuron["y"] + 0.75 * neuron["r"], ratio)
                  - rgb255("#FFF7E6")).max() <= 3
    for key in ("neuron:0:0", "neuron:0:1"):
        r = regions[key]
        assert np.abs(at(image, r["x"], r["y"], ratio) - rgb255("#F2F6FA")).max() <= 3
        # just outside the circle's rim: the page, not the circle
        assert np.abs(at(image, r["x"], r["y"] - r["r"] - 3, ratio) - rgb255("#F2F6FA")).max() > 3
    # every edge's middle is painted in the edge's colour (w₂ is level: no blending doubt)
    for key, line in view.edges.items():
        region = regions[view.EDGE_IDS[key]]
        colour = rgb255(line.get_color())
        mid = at(image, (region["x0"] + region["x1"]) / 2, (region["y0"] + region["y1"]) / 2,
                 ratio)
        assert np.abs(mid - colour).max() <= 12, (key, mid, colour)
        assert region["width"] == pytest.approx(max(EDGE_HIT_PX, line.get_linewidth() * 100 / 72))


def test_single_neuron_tooltips_equal_the_engine():
    w = av.SingleNeuron(x1=0.7, x2=-1.2, w1=1.1, w2=0.4, b=-0.3, y=0.2, activation="tanh")
    net = MLP([2, 1], activation=[], output_activation="tanh", loss="mse")
    net.set_params([np.array([[1.1], [0.4]])], [np.array([-0.3])])
    trace, grads = engine_pass(net, [[0.7, -1.2]], [[0.2]])
    regions = by_id(w.frame_regions())
    tip = rows(regions["neuron:1:0"])
    assert tip["a = f(z)"] == num(trace.a[1][0, 0]) and tip["z"] == num(trace.z[1][0, 0])
    assert tip["f′(z)"] == num(trace.dadz[1][0, 0])
    assert tip["δ = ∂L/∂z"] == num(grads.delta[1][0, 0])
    assert tip["L"] == num(grads.loss)
    assert rows(regions["edge:0:1:0"])["∂L/∂w₂"] == num(grads.dW[0][1, 0])
    assert rows(regions["bias:1:0"])["∂L/∂b"] == num(grads.db[0][0])
    # by hand: ∂L/∂w₂ = δ·x₂
    assert float(rows(regions["edge:0:1:0"])["∂L/∂w₂"].replace("−", "-")) == pytest.approx(
        grads.delta[1][0, 0] * -1.2, rel=5e-3)


@pytest.mark.parametrize("region,setting", [("edge:0:0:0", "w1"), ("edge:0:1:0", "w2"),
                                            ("bias:1:0", "b"), ("neuron:0:1", "x2")])
def test_typing_into_the_single_neuron_sets_the_setting_and_everything_follows(region, setting):
    w = av.SingleNeuron()
    edit = by_id(w.frame_regions())[region]["edit"]
    assert edit["value"] == getattr(w, setting) and (edit["min"], edit["max"]) == (-5.0, 5.0)
    w.region_edited(region, -2.25)
    assert getattr(w, setting) == -2.25 and w.sliders[setting].value == -2.25
    net = MLP([2, 1], activation=[], output_activation="sigmoid", loss="mse")
    net.set_params([np.array([[w.w1], [w.w2]])], [np.array([w.b])])
    trace, grads = engine_pass(net, [[w.x1, w.x2]], [[w.y]])
    assert w.a == trace.a[1][0, 0] and w.loss == grads.loss
    assert rows(by_id(w.frame_regions())["neuron:1:0"])["a = f(z)"] == num(trace.a[1][0, 0])


@pytest.mark.parametrize("value", [float("nan"), -math.inf, 5.5, "2", None, False])
def test_a_bad_value_typed_into_the_single_neuron_is_a_message(value):
    w = av.SingleNeuron()
    before, png = w.settings(), w.image.value
    w.region_edited("edge:0:0:0", value)
    assert w.message_kind == "error" and "w₁" in w.message.value
    assert w.settings() == before and w.image.value == png


def test_the_single_neuron_refuses_ids_it_does_not_have():
    w = av.SingleNeuron()
    w.region_edited("neuron:1:0", 1.0)  # the neuron itself has no value to type
    assert w.message_kind == "error"
    w.clear_message()
    w.region_clicked("edge:2:0:0")
    assert w.message_kind == "error"
    w.clear_message()
    w.region_clicked("neuron:1:0")
    assert w.message_kind is None


# -- in Chinese ----------------------------------------------------------------------------

def test_tooltips_and_messages_speak_the_widgets_language():
    w = av.BackpropStepper(language="zh")
    w.go(w.n_steps - 1)
    regions = by_id(w.frame_regions())
    assert regions["neuron:1:0"]["title"] == "第 1 层，神经元 0（隐藏层，tanh）"
    assert "偏置 b" in rows(regions["neuron:1:0"])
    assert regions["edge:0:1:2"]["title"] == "权重 w：输入 x₂ → 第 1 层，神经元 2"
    assert regions["edge:0:1:2"]["edit"]["label"] == "权重 w"
    w.region_edited("edge:0:0:0", 50.0)
    assert "权重必须是 -50 到 50 之间的数" not in w.message.value
    assert "权重必须是 -5 到 5 之间的数" in w.message.value
    n = av.SingleNeuron(language="zh")
    regions = by_id(n.frame_regions())
    assert regions["bias:1:0"]["title"] == "偏置 b（其输入恒为 1）"
    assert regions["edge:0:0:0"]["edit"]["label"] == "w₁（权重）"
