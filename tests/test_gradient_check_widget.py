"""Tests of the gradient-check widget and its view (headless, Agg).

Gradients are checked against a loss written out in this file and its own
central differences; two hand-built networks give known answers: a linear
neuron with squared error (quadratic in w, so no truncation error at all)
and a tanh neuron whose truncation error follows ε²·L‴/6 with L‴ derived
by hand.
"""

from __future__ import annotations

import math
import re

import ipywidgets as widgets
import numpy as np
import pytest

from actviz_widgets.engine import MLP, make_dataset
from actviz_widgets.views.gradient_check import ERROR_FLOOR, GradientCheckState, neuron_name
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.widgets.gradient_check import EPS_GRID, GradientCheck
from language_checks import CJK, control_texts, current_language, english_words, picture_texts


def hand_loss(net: MLP, X: np.ndarray, y: np.ndarray, hidden: str) -> float:
    """Mean bce of a tanh/relu network with a sigmoid output, written out (stable form)."""
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[hidden]
    a = X
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        a = f(a @ W + b)
    z = a @ net.weights[-1] + net.biases[-1]
    # −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = softplus(z) − y z
    return float(np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z))


def hand_central(net: MLP, X, y, hidden: str, layer: int, i: int, j: int, eps: float) -> float:
    twin = net.copy()
    w = twin.weights[layer][i, j]
    twin.weights[layer][i, j] = w + eps
    plus = hand_loss(twin, X, y, hidden)
    twin.weights[layer][i, j] = w - eps
    minus = hand_loss(twin, X, y, hidden)
    return (plus - minus) / (2 * eps)


def rel(a: float, b: float) -> float:
    return abs(a - b) / (abs(a) + abs(b)) if (a or b) else 0.0


def page_sends(control: widgets.Widget, value) -> None:
    """What the page sends when the learner moves ``control`` to ``value``."""
    if isinstance(control, widgets.Dropdown):
        control.set_state({"index": [v for _, v in control.options].index(value)})
    else:
        control.set_state({"value": value})


def check_drawn(w: GradientCheck) -> None:
    """The view shows the widget's numbers."""
    assert w.error is None
    s = w.view.state
    assert w.state is s and isinstance(s, GradientCheckState)  # what is drawn
    layer, i, j = w.weight_index
    assert (s.layer, s.i, s.j) == (layer, i, j)
    assert s.backprop == w.backprop and s.numeric == w.numeric and s.rel_error == w.rel_error
    c = w.view.curve
    np.testing.assert_array_equal(c.line.get_xdata(), EPS_GRID)
    np.testing.assert_array_equal(c.line.get_ydata(), np.maximum(w.curve_error, ERROR_FLOOR))
    assert list(c.current_point.get_xdata()) == [w.eps_slider.value]
    assert list(c.current_point.get_ydata()) == [max(w.rel_error, ERROR_FLOOR)]
    assert list(c.current_line.get_xdata()) == [w.eps_slider.value] * 2
    text = w.view.numbers.get_text()
    assert f"weights[{layer}][{i}, {j}]" in text
    assert f"{w.backprop:.10g}".replace("-", "−") in text
    assert f"{w.numeric:.10g}".replace("-", "−") in text
    # the highlighted edge joins the weight's two neurons in the diagram
    d = w.view.diagram
    p, q = d.positions[layer][i], d.positions[layer + 1][j]
    assert list(w.view.chosen_edge.get_xdata()) == [p[0], q[0]]
    assert list(w.view.chosen_edge.get_ydata()) == [p[1], q[1]]


@pytest.fixture(scope="module")
def default_data():
    data = make_dataset("moons", n_samples=24, test_fraction=0.0, seed=0)
    return data.X_train, data.y_train


def test_default_widget_against_a_hand_written_loss(default_data):
    X, y = default_data
    w = GradientCheck()
    assert repr(w) == ("GradientCheck(sizes=[2, 4, 3, 1], activation='tanh', "
                       "weight=weights[0][0, 0], eps=1.0e-06)")
    np.testing.assert_array_equal(w.X, X)
    net = w.net
    assert net.activation_names == ["tanh", "tanh", "sigmoid"]
    # backprop against a hand central difference (ε = 1e-5: error far below 1e-7)
    assert rel(w.backprop, hand_central(net, X, y, "tanh", 0, 0, 0, 1e-5)) < 1e-7
    for eps in (1e-4, 1e-2):
        w.eps_slider.value = eps
        assert w.numeric == pytest.approx(hand_central(net, X, y, "tanh", 0, 0, 0, eps),
                                          rel=1e-8)
        assert w.rel_error == pytest.approx(rel(w.backprop, w.numeric), rel=1e-12)
        assert w.loss_plus - w.loss_minus == pytest.approx(2 * eps * w.numeric, rel=1e-12)
        check_drawn(w)
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_every_control(default_data):
    X, y = default_data
    w = GradientCheck()
    w.layer_dropdown.value = 1
    assert [v for _, v in w.from_dropdown.options] == [0, 1, 2, 3]
    assert [v for _, v in w.to_dropdown.options] == [0, 1, 2]
    assert w.from_dropdown.options[2][0] == "hidden-1 neuron 2"
    w.from_dropdown.value = 3
    w.to_dropdown.value = 2
    w.layer_dropdown.value = 2  # hidden 2 (3 neurons) → output: both choices are clamped
    assert w.weight_index == (2, 2, 0)
    assert [label for label, _ in w.to_dropdown.options] == ["output"]
    check_drawn(w)
    assert rel(w.backprop, hand_central(w.net, X, y, "tanh", 2, 2, 0, 1e-5)) < 1e-7
    w.activation_dropdown.value = "relu"
    net = w.net
    assert net.activation_names == ["relu", "relu", "sigmoid"]
    # the default network is the one a fresh widget would build (He weights for ReLU)
    fresh = MLP([2, 4, 3, 1], activation="relu", loss="bce", seed=0)
    for a, b in zip(net.weights, fresh.weights):
        np.testing.assert_array_equal(a, b)
    w.layer_dropdown.value = 0  # input x₁, x₂ → hidden 1
    w.to_dropdown.value = 3
    w.eps_slider.value = 1e-4
    assert w.weight_index == (0, 1, 3)
    assert w.numeric == pytest.approx(hand_central(net, X, y, "relu", 0, 1, 3, 1e-4), rel=1e-8)
    check_drawn(w)
    assert w.view.diagram.node_note.get_text().startswith("hidden layers: relu, output: sigmoid")


def test_linear_neuron_with_squared_error_has_only_rounding_error():
    # L(w) = (wx + b − y)², ∂L/∂w = 2(wx + b − y)x = 2(2·3 + 0.5 − 1)·3 = 33 exactly;
    # L is quadratic in w, so the central difference is exact up to rounding.
    net = MLP([1, 1], activation=[], loss="mse")
    net.set_params([[[2.0]]], [[0.5]])
    before = net.get_params()
    w = GradientCheck(net, [[3.0]], [[1.0]], eps=1e-1)
    assert w.backprop == 33.0
    assert w.numeric == pytest.approx(33.0, rel=1e-14)
    assert w.loss_plus == pytest.approx((2.1 * 3 + 0.5 - 1) ** 2, rel=1e-14)
    assert w.loss_minus == pytest.approx((1.9 * 3 + 0.5 - 1) ** 2, rel=1e-14)
    big = EPS_GRID >= 1e-4
    assert (w.curve_error[big] < 1e-12).all()   # no truncation error at any large ε
    assert w.curve_error.max() > 1e-7            # but rounding shows at tiny ε
    assert w.curve_error[EPS_GRID <= 1e-10].max() > 1e3 * w.curve_error[big].max()
    c = w.view.curve
    assert c.rounding_span.get_visible() and not c.truncation_span.get_visible()
    assert c.truncation_label.get_text() == "" and "rounding" in c.rounding_label.get_text()
    assert w.activation_dropdown.disabled
    check_drawn(w)
    w.layer_dropdown.value = 0  # (the only layer) nothing moves, nothing breaks
    assert w.error is None and w.backprop == 33.0
    for a, b in zip(net.get_params()[0] + net.get_params()[1], before[0] + before[1]):
        np.testing.assert_array_equal(a, b)  # the given network is untouched


def test_tanh_neuron_truncation_error_follows_eps_squared():
    # L(w) = tanh²(wx) (target 0); with t = tanh(wx): dL/dw = 2t(1 − t²)x and
    # d³L/dw³ = −8t(1 − t²)(2 − 3t²)x³; the central difference is off by ε²·L‴/6 + O(ε⁴).
    x, w0 = 1.5, 0.7
    net = MLP([1, 1], activation=[], output_activation="tanh", loss="mse")
    net.set_params([[[w0]]], [[0.0]])
    w = GradientCheck(net, [[x]], [[0.0]])
    t = math.tanh(w0 * x)
    exact = 2 * t * (1 - t * t) * x
    third = -8 * t * (1 - t * t) * (2 - 3 * t * t) * x ** 3
    assert w.backprop == pytest.approx(exact, rel=1e-14)
    for k in np.flatnonzero((EPS_GRID >= 1e-3) & (EPS_GRID <= 1e-2)):
        eps = EPS_GRID[k]
        assert (w.curve_numeric[k] - exact) / eps ** 2 == pytest.approx(third / 6, rel=2e-3)
    c = w.view.curve
    assert c.rounding_span.get_visible() and c.truncation_span.get_visible()
    assert 1e-8 <= c.best_eps <= 1e-4
    assert "truncation" in c.truncation_label.get_text()


def test_a_dead_relu_weight_has_zero_gradient_both_ways():
    # the hidden neuron is off (z = −1 < 0) for the one sample, so the weight out of it
    # does not change the loss
    net = MLP([1, 1, 1], activation="relu", loss="mse")
    net.set_params([[[1.0]], [[0.5]]], [[-2.0], [0.0]])
    w = GradientCheck(net, [[1.0]], [[1.0]], layer=1)
    assert w.backprop == 0.0 and w.numeric == 0.0 and w.rel_error == 0.0
    assert "both exactly 0" in w.view.verdict.get_text()
    assert (w.curve_error == 0).all()


def test_a_relu_kink_within_eps_is_the_only_error_region():
    # the default network's weights[0][0, 0] leads into a ReLU that is off for every
    # sample: both gradients are exactly 0 until ε is large enough to switch it on
    w = GradientCheck(activation="relu")
    assert w.backprop == 0.0
    kinked = np.flatnonzero(w.curve_error > 0)
    assert len(kinked) and (w.curve_error[:kinked[0]] == 0).all()
    c = w.view.curve
    assert not c.rounding_span.get_visible() and c.truncation_span.get_visible()
    # the shading starts where the exact zeros end (within the envelope's one grid step),
    # not in the middle of them
    assert EPS_GRID[kinked[0] - 2] <= c.truncation_span.get_x() <= EPS_GRID[kinked[0] - 1]
    assert c.best_eps < c.truncation_span.get_x()


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match=r"layer must be one of \[0, 1, 2\]; got 3"):
        GradientCheck(layer=3)
    with pytest.raises(ValueError, match=r"j must be one of \[0\]; got 1"):
        GradientCheck(layer=2, j=1)
    with pytest.raises(ValueError, match=r"i must be one of \[0, 1, 2, 3\]; got 4"):
        GradientCheck(layer=1, i=4)
    with pytest.raises(ValueError, match=r"eps must be between 1e-12 and 0\.1"):
        GradientCheck(eps=1.0)
    with pytest.raises(TypeError, match="eps must be a real number"):
        GradientCheck(eps="small")
    with pytest.raises(ValueError, match="activation must be one of"):
        GradientCheck(activation="sigmoidal")
    with pytest.raises(ValueError, match="has no hidden layer"):
        GradientCheck(MLP([1, 1], activation=[]), [[1.0]], [[1.0]], activation="relu")
    with pytest.raises(ValueError, match="pass net"):
        GradientCheck(X=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="give its data"):
        GradientCheck(MLP([1, 1], activation=[]))
    with pytest.raises(TypeError, match="net must be an MLP"):
        GradientCheck("net", [[1.0]], [[1.0]])


def test_neuron_names():
    assert neuron_name([2, 4, 3], 0, 0) == "input x₁"
    assert neuron_name([2, 4, 3], 1, 3) == "hidden-1 neuron 3"
    assert neuron_name([2, 4, 3], 2, 2) == "output 2"


def test_120_random_control_changes_end_in_the_state_of_the_last_values():
    rng = np.random.default_rng(11)
    w = GradientCheck()
    for _ in range(120):
        what = rng.integers(5)
        if what == 0:
            page_sends(w.activation_dropdown, str(rng.choice(["tanh", "relu", "sigmoid", "gelu"])))
        elif what == 1:
            page_sends(w.layer_dropdown, int(rng.integers(3)))
        elif what == 2:
            w.i = int(rng.choice([v for _, v in w.from_dropdown.options]))
        elif what == 3:
            page_sends(w.to_dropdown, int(rng.choice([v for _, v in w.to_dropdown.options])))
        else:
            page_sends(w.eps_slider, float(10.0 ** (-12 + 0.25 * rng.integers(45))))
        assert w.error is None
        layer, i, j = w.weight_index
        assert i < w.net.sizes[layer] and j < w.net.sizes[layer + 1]
        assert (w.layer_dropdown.value, w.from_dropdown.value, w.to_dropdown.value) == (
            layer, i, j)
    layer, i, j = w.weight_index
    fresh = GradientCheck(activation=w.activation, layer=layer, i=i, j=j, eps=w.eps)
    for name in ("backprop", "numeric", "rel_error", "loss_plus", "loss_minus"):
        assert getattr(w, name) == getattr(fresh, name), name
    np.testing.assert_array_equal(w.curve_numeric, fresh.curve_numeric)
    np.testing.assert_array_equal(w.view.curve.line.get_ydata(),
                                  fresh.view.curve.line.get_ydata())
    check_drawn(w)

# -- every control from the page, in both orders with code --------------------------------
def check_against_hand(w: GradientCheck, X, y, settings: dict) -> None:
    """The widget's numbers against an independently built network and a hand loss."""
    s = {**dict(activation="tanh", layer=0, i=0, j=0, eps=1e-3), **settings}
    assert w.settings() == s
    net = MLP([2, 4, 3, 1], activation=s["activation"], loss="bce", seed=0)
    trace = net.forward(X)
    grads = net.backward(trace, y)
    layer, i, j = s["layer"], s["i"], s["j"]
    assert w.weight_index == (layer, i, j)
    assert w.backprop == pytest.approx(float(grads.dW[layer][i, j]), rel=1e-12, abs=1e-15)
    numeric = hand_central(net, X, y, s["activation"], layer, i, j, s["eps"])
    assert w.numeric == pytest.approx(numeric, rel=1e-8, abs=1e-12)
    assert w.state.eps == s["eps"] and w.state.w == net.weights[layer][i, j]
    check_drawn(w)


CONTROLS = [("activation", "relu", "tanh"), ("layer", 1, 2), ("i", 1, 0), ("j", 3, 2),
            ("eps", 1e-4, 1e-2)]


@pytest.mark.parametrize("name, v1, v2", CONTROLS)
def test_the_learners_value_wins_over_earlier_code_values(default_data, name, v1, v2):
    X, y = default_data
    w = GradientCheck(eps=1e-3)
    setattr(w, name, v1)
    setattr(w, name, v2)
    check_against_hand(w, X, y, {name: v2})
    page_sends(w.controls[name], v1)
    assert getattr(w, name) == v1 and w.controls[name].value == v1
    check_against_hand(w, X, y, {name: v1})


@pytest.mark.parametrize("name, v1, v2", CONTROLS)
def test_code_after_the_page_wins_too(default_data, name, v1, v2):
    X, y = default_data
    w = GradientCheck(eps=1e-3)
    page_sends(w.controls[name], v1)
    check_against_hand(w, X, y, {name: v1})
    setattr(w, name, v2)
    assert w.controls[name].value == v2
    check_against_hand(w, X, y, {name: v2})


def test_a_new_layer_from_the_page_narrows_the_neurons_and_keeps_them_where_valid(
        default_data):
    X, y = default_data
    w = GradientCheck(eps=1e-3)
    w.apply(layer=1, i=3, j=2)
    page_sends(w.layer_dropdown, 2)  # hidden 2 (3 neurons) → output: i kept? 3 → 2, j → 0
    assert w.weight_index == (2, 2, 0)
    assert (w.from_dropdown.value, w.to_dropdown.value) == (2, 0)
    assert [v for _, v in w.from_dropdown.options] == [0, 1, 2]
    assert [label for label, _ in w.to_dropdown.options] == ["output"]
    check_against_hand(w, X, y, dict(layer=2, i=2, j=0))
    page_sends(w.layer_dropdown, 1)
    check_against_hand(w, X, y, dict(layer=1, i=2, j=0))  # still valid: kept
    w.apply(layer=0, i=1, j=3)  # several at once, the layer first
    check_against_hand(w, X, y, dict(layer=0, i=1, j=3))


def test_refused_values_leave_everything_as_it_was(default_data):
    X, y = default_data
    w = GradientCheck(eps=1e-3)
    before, png = w.settings(), w.image.value
    page_sends(w.eps_slider, float("nan"))
    assert w.message_kind == "error" and "eps must be a finite number" in w.error
    assert w.eps_slider.value == 1e-3 and w.settings() == before and w.image.value == png
    page_sends(w.eps_slider, 1.0)  # beyond the end: the slider stops at it, both agree
    assert w.eps == w.eps_slider.value == 0.1 and w.error is None
    w.eps = 1e-3
    for name, value, error in [("eps", 1.0, ValueError), ("eps", True, TypeError),
                               ("layer", 3, ValueError), ("i", 2, ValueError),
                               ("activation", "sigmoidal", ValueError)]:
        with pytest.raises(error, match=name):
            setattr(w, name, value)
        assert w.settings() == before and w.controls[name].value == before[name]
    check_against_hand(w, X, y, {})


def test_state_is_a_read_only_snapshot():
    w = GradientCheck()
    state = w.state
    with pytest.raises(AttributeError):
        w.state = state
    w.eps = 1e-4
    assert state.eps == 1e-6 and w.state.eps == 1e-4  # a snapshot, not a live view
    assert w.state.weights is not state.weights


# -- both languages ----------------------------------------------------------------------------
def without_code(texts):
    """The texts without the engine's index notation ``weights[l]`` (code, the same in every
    language)."""
    return [re.sub(r"weights\[", "[", t) for t in texts]


def test_in_chinese_the_controls_and_picture_speak_chinese(default_data):
    X, y = default_data
    w = GradientCheck(language="zh")
    assert w.language == w.view.language == "zh"
    for name, (label, tooltip) in control_texts(w).items():
        assert CJK.search(label) and (not tooltip or CJK.search(tooltip)), (name, label)
        options = [o[0] for o in getattr(w.controls[name], "options", ())]
        assert english_words(without_code([label, tooltip, *options])) == [], (name, options)
    assert [o[0] for o in w.layer_dropdown.options] == [
        "weights[0]：输入层 → 隐藏层 1", "weights[1]：隐藏层 1 → 隐藏层 2", "weights[2]：隐藏层 2 → 输出层"]
    assert [o[0] for o in w.from_dropdown.options] == ["输入 x₁", "输入 x₂"]
    assert [o[0] for o in w.to_dropdown.options] == [f"隐藏层 1 神经元 {k}" for k in range(4)]
    texts = picture_texts(w.view)
    assert sum(bool(CJK.search(t)) for t in texts) >= 10
    assert english_words(without_code(texts)) == [], texts
    # the numbers panel: the same numbers as in English (checked against a hand-written
    # loss above), in Chinese words
    lines = w.view.numbers.get_text().split("\n")
    assert lines[1] == "    （输入 x₁ → 隐藏层 1 神经元 0）"
    assert lines[3] == "    （24 个样本上的平均损失）"
    assert lines[4] == f"反向传播  ∂L/∂w         = {w.backprop:.10g}".replace("-", "−")
    assert lines[6].endswith(f"= {w.numeric:.10g}".replace("-", "−"))
    assert rel(w.backprop, hand_central(w.net, X, y, "tanh", 0, 0, 0, 1e-5)) < 1e-7
    assert w.view.verdict.get_text() == "✓ 低于 10⁻⁷：反向传播与\n   差分的结果一致"
    w.eps = 0.1
    assert w.view.verdict.get_text().startswith("✗ 高于 10⁻⁷")
    w.layer = 2  # the menus follow the layer, in Chinese
    assert [o[0] for o in w.to_dropdown.options] == ["输出"]
    assert GradientCheck(hidden=(), language="zh").activation_dropdown.options == (
        ("（没有隐藏层）", None),)


def test_in_english_the_texts_are_the_english_ones():
    w = GradientCheck(language="en")
    assert control_texts(w) == {
        "activation": ("hidden activation", ""),
        "layer": ("weight", "the weight matrix: weights[l] joins layer l to layer l + 1"),
        "i": ("from", "the neuron the weight comes from"),
        "j": ("to", "the neuron the weight goes to"), "eps": ("ε (step)", "")}
    assert [o[0] for o in w.layer_dropdown.options] == [
        "weights[0]: input → hidden 1", "weights[1]: hidden 1 → hidden 2",
        "weights[2]: hidden 2 → output"]
    texts = picture_texts(w.view)
    for line in ("gradient check: backpropagation against a central difference",
                 "the checked weight (orange), its gradient two ways", "ε, the finite-difference step",
                 "relative error of the numeric gradient", "the numeric gradient's error against ε",
                 "usual\npass\nmark", "float64\nprecision", "rounding error",
                 "truncation error", "mean activation a",
                 "hidden layers: tanh, output: sigmoid · neurons: mean a over the 24 samples",
                 "    (input x₁ → hidden-1 neuron 0)", "    (mean loss over the 24 samples)",
                 "numeric   (L(w+ε) − L(w−ε))/2ε", "relative error |b − n| / (|b| + |n|)",
                 "✓ below 10⁻⁷: backprop and the", "   difference agree"):
        assert line in texts, line
    assert any(t.startswith("edges: weights w · ") for t in texts)
    assert not any(CJK.search(t) for t in texts)
    assert GradientCheck(hidden=(), language="en").activation_dropdown.options == (
        ("(no hidden layer)", None),)


def test_the_switch_gives_chinese_to_a_check_built_without_a_language():
    with current_language("zh"):
        w = GradientCheck()
    assert w.language == w.view.language == "zh"
    assert w.eps_slider.description == "ε（步长）"
    assert w.view.curve.ax.get_title() == "数值梯度的误差随 ε 的变化"
    assert GradientCheck().language == "en"


def test_neuron_names_in_chinese():
    assert neuron_name([2, 4, 3], 0, 1, "zh") == "输入 x₂"
    assert neuron_name([2, 4, 3], 1, 3, "zh") == "隐藏层 1 神经元 3"
    assert neuron_name([2, 4, 3], 2, 2, "zh") == "输出 2"
    assert neuron_name([2, 4, 1], 2, 0, "zh") == "输出"


def test_the_three_line_verdict_stays_clear_of_the_numbers():
    # weights[0][0, 0] of this ReLU network: its target unit is off for every sample, so both
    # gradients are exactly 0 and the verdict takes three lines (it touched the last number)
    for language in ("en", "zh"):
        w = GradientCheck(activation="relu", language=language)
        assert w.backprop == 0 and w.numeric == 0
        assert len(w.view.verdict.get_text().split("\n")) == 3
        assert readability_problems(w.view) == []
