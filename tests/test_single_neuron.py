"""Tests of the single-neuron widget and its view (headless, Agg).

The neuron's numbers are recomputed here by hand (z, sigmoid with math.exp,
the chain rule) and its gradients are checked against central finite
differences of a loss written in this file.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine import ACTIVATION_NAMES, get_activation
from actviz_widgets.views.neuron import EDGE_CMAP, NeuronView, chain_rule_lines, num
from actviz_widgets.widgets.single_neuron import RANGES, SingleNeuron

DEFAULTS = dict(x1=1.0, x2=2.0, w1=0.5, w2=-0.3, b=0.1, y=1.0)


def f_of(activation: str, z: float) -> float:
    """f(z): sigmoid and tanh by hand, the others from the engine's value function."""
    if activation == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if activation == "tanh":
        return math.tanh(z)
    return float(get_activation(activation)(np.array([z]))[0])


def loss_by_hand(v: dict, activation: str, loss: str) -> float:
    z = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"]
    a = f_of(activation, z)
    if loss == "mse":
        return (a - v["y"]) ** 2
    # −[y ln a + (1 − y) ln(1 − a)] with a = σ(z), written with z so it stays
    # accurate when a rounds to 1: ln(1 + e^z) − y z
    return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - v["y"] * z


def numeric_grads(v: dict, activation: str, loss: str, h: float = 1e-6) -> dict:
    """∂L/∂w₁, ∂L/∂w₂, ∂L/∂b by central differences of :func:`loss_by_hand`."""
    out = {}
    for key in ("w1", "w2", "b"):
        plus, minus = dict(v), dict(v)
        plus[key] += h
        minus[key] -= h
        out[key] = (loss_by_hand(plus, activation, loss) - loss_by_hand(minus, activation, loss)) \
            / (2 * h)
    return out


def values(n: SingleNeuron) -> dict:
    return {k: s.value for k, s in n.sliders.items()}


def check_neuron(n: SingleNeuron, activation: str = "sigmoid", loss: str = "mse"):
    """The model's numbers and the drawn artists against hand computations."""
    assert n.error is None
    v = values(n)
    z = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"]
    a = f_of(activation, z)
    h = 1e-6
    dadz = (f_of(activation, z + h) - f_of(activation, z - h)) / (2 * h)
    assert n.z == pytest.approx(z, abs=1e-12)
    assert n.a == pytest.approx(a, rel=1e-12, abs=1e-14)
    assert n.dadz == pytest.approx(dadz, rel=1e-6, abs=1e-8)
    assert n.loss == pytest.approx(loss_by_hand(v, activation, loss), rel=1e-9, abs=1e-12)
    if loss == "mse":
        assert n.dL_da == pytest.approx(2 * (a - v["y"]), rel=1e-9, abs=1e-12)
        assert n.delta == pytest.approx(n.dL_da * n.dadz, rel=1e-12, abs=1e-15)
    else:
        # (a − y)/(a(1 − a)) with 1/(a(1 − a)) = (1 + e^z)(1 + e^−z), exact when a rounds to 1
        assert n.dL_da == pytest.approx((a - v["y"]) * (1 + math.exp(z)) * (1 + math.exp(-z)),
                                        rel=1e-6)
        assert n.delta == pytest.approx(a - v["y"], rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(n.dL_dw, [n.delta * v["x1"], n.delta * v["x2"]], rtol=1e-12,
                               atol=1e-15)
    assert n.dL_db == n.delta
    fd = numeric_grads(v, activation, loss)
    np.testing.assert_allclose([*n.dL_dw, n.dL_db], [fd["w1"], fd["w2"], fd["b"]], rtol=1e-5,
                               atol=1e-7)
    # the engine's network holds the sliders' parameters
    np.testing.assert_array_equal(n.net.weights[0], [[v["w1"]], [v["w2"]]])
    np.testing.assert_array_equal(n.net.biases[0], [v["b"]])
    assert n.net.activation_names == [activation] and n.net.loss.name == loss

    view = n.view
    text = view.chain_text.get_text().split("\n")
    z_shown = text[0].rsplit("= ", 1)[1]
    assert z_shown == num(n.z) or (abs(n.z) < 1e-12 and z_shown == "0.00")  # rounding noise
    assert f"= {num(n.a)}" in text[1] and f"= {num(n.loss)}" in text[2]
    assert text[3].endswith(f"= {num(n.dL_da)}") and text[4] == f"f′(z) = {num(n.dadz)}"
    assert text[5].endswith(f"= {num(n.delta)}")
    assert text[6].endswith(f"= {num(n.dL_dw[0])}") and text[7].endswith(f"= {num(n.dL_dw[1])}")
    assert text[8].endswith(f"= {num(n.dL_db)}")
    lr = n.lr_slider.value
    assert f"w₁ → {num(v['w1'] - lr * n.dL_dw[0])}" in text[9]
    assert view.edge_labels["x1"].get_text() == (f"w₁ = {v['w1']:.3f}\n"
                                                 f"∂L/∂w₁ = {num(n.dL_dw[0])}").replace("-", "−")
    assert view.neuron_label.get_text() == f"z = {z_shown}\na = {num(n.a)}"
    assert f"L = {num(n.loss)} ({loss})" in view.output_label.get_text()
    assert tuple(view.curve.scatter_f.get_offsets()[0]) == pytest.approx(
        (min(max(z, -6), 6), min(max(a, view.curve.ax.get_ylim()[0]), view.curve.ax.get_ylim()[1])))
    assert view.curve.activation.name == activation
    assert view.curve.tangent_z == pytest.approx(z)
    tx, ty = view.curve.tangent.get_data()
    np.testing.assert_allclose(ty, n.a + n.dadz * (np.asarray(tx) - n.z), rtol=1e-9, atol=1e-12)
    assert n.history[-1] == n.loss
    assert view.loss_last.get_ydata()[0] == n.loss


@pytest.fixture
def neuron() -> SingleNeuron:
    return SingleNeuron()


def test_default_neuron_matches_the_brief(neuron):
    check_neuron(neuron)
    # the brief's example: z = 0, a = 0.5, L = 0.25, ∂L/∂a = −1, f′ = 0.25, δ = −0.25
    assert (neuron.a, neuron.loss, neuron.dL_da, neuron.dadz, neuron.delta) == pytest.approx(
        (0.5, 0.25, -1.0, 0.25, -0.25))
    lines = neuron.view.chain_text.get_text().split("\n")
    assert lines[0] == ("z = w₁x₁ + w₂x₂ + b = (0.500)(1.000) + (−0.300)(2.000) + 0.100 "
                        "= 0.00")
    assert lines[1] == "a = f(z) = sigmoid(0.00) = 0.500"
    assert lines[2] == "L = (a − y)² = (0.500 − 1.000)² = 0.250"
    assert lines[3] == "∂L/∂a = 2(a − y) = 2(0.500 − 1.000) = −1.00"
    assert lines[5] == "∂L/∂z = δ = ∂L/∂a · f′(z) = (−1.00)(0.250) = −0.250"
    assert lines[6] == "∂L/∂w₁ = δ · x₁ = (−0.250)(1.000) = −0.250"
    assert lines[7] == "∂L/∂w₂ = δ · x₂ = (−0.250)(2.000) = −0.500"
    notes = neuron.view.chain_notes.get_text().split("\n")
    assert notes[3] == "the gradient of the loss with respect to the activation"
    assert notes[4] == "the activation function's derivative at z"
    assert repr(neuron) == "SingleNeuron(activation='sigmoid', loss='mse', w1=0.5, w2=-0.3, b=0.1)"
    assert len(neuron.image.value) <= 200_000


def test_every_slider_moves_the_model_and_the_picture(neuron):
    for key, value in [("x1", -1.5), ("x2", 0.75), ("w1", 2.0), ("w2", 1.25), ("b", -0.4),
                       ("y", 0.2)]:
        neuron.sliders[key].value = value
        assert values(neuron)[key] == value
        check_neuron(neuron)
    neuron.lr_slider.value = 1.0
    check_neuron(neuron)
    assert "step (lr = 1.00)" in neuron.view.chain_text.get_text()


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_every_activation_with_mse(neuron, activation):
    with neuron.batch():
        neuron.sliders["w1"].value = 0.7
        neuron.sliders["x2"].value = 0.9  # z ≈ 0.53: away from the kinks of relu-like f
        neuron.activation_dropdown.value = activation
    check_neuron(neuron, activation, "mse")
    label = f"f = {get_activation(activation).display_name}"
    assert neuron.view.activation_label.get_text() == label


def test_bce_with_sigmoid(neuron):
    neuron.loss_dropdown.value = "bce"
    neuron.sliders["y"].value = 0.0
    check_neuron(neuron, "sigmoid", "bce")
    assert "∂L/∂z = δ = a − y" in neuron.view.chain_text.get_text()


def test_bce_with_another_activation_is_a_message(neuron):
    neuron.activation_dropdown.value = "tanh"
    check_neuron(neuron, "tanh", "mse")
    neuron.loss_dropdown.value = "bce"
    assert "needs the sigmoid activation" in neuron.error
    assert "actviz-error" in neuron.message.value
    assert neuron.net.activation_names == ["tanh"] and neuron.net.loss.name == "mse"  # kept
    with pytest.raises(ValueError, match="cannot take a step"):
        neuron.step()
    neuron.step_button.click()  # the button shows the error instead of raising
    assert neuron.error.startswith("ValueError: cannot take a step")
    neuron.activation_dropdown.value = "sigmoid"
    assert neuron.error is None and neuron.message.value == ""
    check_neuron(neuron, "sigmoid", "bce")


def test_bce_target_outside_0_1_is_a_message(neuron):
    neuron.loss_dropdown.value = "bce"
    neuron.sliders["y"].value = 1.5
    assert "[0, 1]" in neuron.error
    neuron.sliders["y"].value = 1.0
    check_neuron(neuron, "sigmoid", "bce")


def test_forced_exception_then_recovery(neuron, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("forced failure")
    monkeypatch.setattr(neuron.view, "update", broken)
    neuron.sliders["w1"].value = 1.0
    assert neuron.error == "RuntimeError: forced failure"
    assert neuron.z == pytest.approx(0.0, abs=1e-12)  # the last good state is kept
    monkeypatch.undo()
    neuron.sliders["w2"].value = 0.0
    check_neuron(neuron)


def test_gradient_step_moves_weights_by_minus_lr_times_gradient(neuron):
    refreshes = []
    original = neuron.update
    neuron.update = lambda: (refreshes.append(1), original())[1]
    before = values(neuron)
    grads = (*neuron.dL_dw, neuron.dL_db)
    lr = neuron.lr_slider.value
    loss0 = neuron.loss
    neuron.step_button.click()
    assert len(refreshes) == 1  # one redraw for three slider moves
    after = values(neuron)
    for key, g in zip(("w1", "w2", "b"), grads):
        assert after[key] == before[key] - lr * g  # exactly
    assert (after["x1"], after["x2"], after["y"]) == (before["x1"], before["x2"], before["y"])
    check_neuron(neuron)
    assert neuron.loss < loss0
    assert neuron.history == [loss0, neuron.loss]
    np.testing.assert_array_equal(neuron.view.loss_line.get_xdata(), [0, 1])
    np.testing.assert_array_equal(neuron.view.loss_line.get_ydata(), [loss0, neuron.loss])
    for _ in range(3):
        neuron.step()
    assert len(neuron.history) == 5 and np.all(np.diff(neuron.history) < 0)
    # a hand-moved control starts a new history
    neuron.sliders["x1"].value = 0.5
    assert neuron.history == [neuron.loss]


def test_step_at_the_slider_limit_is_clamped_with_a_note(neuron):
    with neuron.batch():
        neuron.sliders["w1"].value = 4.99
        neuron.sliders["x1"].value = 0.1  # z ≈ 0, a − y ≈ −1: ∂L/∂w₁ ≈ −0.2
        neuron.activation_dropdown.value = "linear"
    neuron.lr_slider.value = 1.0
    assert neuron.dL_dw[0] < 0  # the step would take w1 beyond 5
    neuron.step()
    assert neuron.sliders["w1"].value == RANGES["w1"][1]
    assert "clamped" in neuron.message.value
    check_neuron(neuron, "linear")
    neuron.sliders["x2"].value = 1.0  # moving a control by hand clears the stale note
    assert neuron.message.value == ""


def test_zero_gradient_step_still_counts(neuron):
    neuron.activation_dropdown.value = "relu"
    neuron.sliders["b"].value = -3.0  # z < 0: relu′ = 0, nothing moves
    assert neuron.dL_db == 0.0
    neuron.step()
    assert len(neuron.history) == 2 and neuron.history[0] == neuron.history[1]


def test_reset_restores_the_initial_controls():
    n = SingleNeuron(x1=-1.0, w2=0.8, activation="tanh", lr=0.5)
    n.step()
    with n.batch():
        n.sliders["y"].value = -1.0
        n.activation_dropdown.value = "elu"
        n.lr_slider.value = 2.0
    n.reset_button.click()
    assert values(n) == {**DEFAULTS, "x1": -1.0, "w2": 0.8}
    assert n.activation_dropdown.value == "tanh" and n.lr_slider.value == 0.5
    assert n.history == [n.loss]
    check_neuron(n, "tanh")


def test_edge_colour_and_width_follow_the_weight(neuron):
    neuron.sliders["w1"].value = 1.5
    neuron.sliders["w2"].value = -0.5
    edges = neuron.view.edges
    r1, _, b1, _ = edges["x1"].get_color()
    r2, _, b2, _ = edges["x2"].get_color()
    assert r1 > b1 and b2 > r2  # positive red, negative blue (RdBu_r)
    assert edges["x1"].get_linewidth() > edges["x2"].get_linewidth()
    assert edges["x1"].get_color() == EDGE_CMAP(0.5 + 1.5 / 4)


@pytest.mark.slow
def test_rapid_random_changes_end_in_the_last_state(neuron):
    rng = np.random.default_rng(99)
    for _ in range(500):
        kind = rng.integers(20)
        if kind < 17:
            key = list(RANGES)[rng.integers(6)]
            low, high = RANGES[key]
            neuron.sliders[key].value = round(float(rng.uniform(low, high)), 2)
        elif kind == 17:
            neuron.activation_dropdown.value = str(rng.choice(["sigmoid", "tanh", "relu"]))
        elif kind == 18:
            neuron.loss_dropdown.value = str(rng.choice(["mse", "bce"]))
        else:
            neuron.lr_slider.value = float(10 ** rng.uniform(-3, 1))
    # finish with a valid combination so both widgets compute
    with neuron.batch():
        neuron.loss_dropdown.value = "mse"
    v = values(neuron)
    fresh = SingleNeuron(**v, activation=neuron.activation_dropdown.value, loss="mse",
                         lr=neuron.lr_slider.value)
    check_neuron(neuron, fresh.activation_dropdown.value, "mse")
    for name in ("z", "a", "loss", "dL_da", "dadz", "delta", "dL_db"):
        assert getattr(neuron, name) == getattr(fresh, name)
    np.testing.assert_array_equal(neuron.dL_dw, fresh.dL_dw)
    assert neuron.state == fresh.state
    assert neuron.view.chain_text.get_text() == fresh.view.chain_text.get_text()
    for key in neuron.view.edge_labels:
        assert neuron.view.edge_labels[key].get_text() == fresh.view.edge_labels[key].get_text()
    np.testing.assert_array_equal(neuron.view.curve.scatter_f.get_offsets(),
                                  fresh.view.curve.scatter_f.get_offsets())


def test_saturated_neuron_png_and_offplot_z(neuron):
    with neuron.batch():
        neuron.sliders["w1"].value = 5.0
        neuron.sliders["x1"].value = 5.0
        neuron.sliders["y"].value = 0.0
        neuron.loss_dropdown.value = "bce"
    check_neuron(neuron, "sigmoid", "bce")
    assert neuron.z > 6  # off the plotted z range: drawn at the edge and noted
    assert "outside the plotted z range" in neuron.view.curve.clip_note.get_text()
    assert neuron.dadz < 1e-9 and neuron.delta == pytest.approx(1.0, abs=1e-9)
    # a vanishing derivative is written out, not rounded to zero
    assert f"f′(z) = {num(neuron.dadz)}\n" in neuron.view.chain_text.get_text()
    assert num(neuron.dadz) == "2.29e−11"  # σ′(24.5) = e^−24.5 / (1 + e^−24.5)²
    assert len(neuron.view.to_png()) <= 200_000


@pytest.mark.parametrize("kwargs, error", [
    ({"w1": 6.0}, ValueError), ({"y": -3.0}, ValueError), ({"x1": "1"}, TypeError),
    ({"activation": "softmax"}, ValueError), ({"loss": "cross_entropy"}, ValueError),
    ({"lr": 0.0}, ValueError)])
def test_bad_arguments_raise(kwargs, error):
    with pytest.raises(error):
        SingleNeuron(**kwargs)


def test_chain_rule_lines_alone():
    view = NeuronView()
    from actviz_widgets.views.neuron import NeuronState
    s = NeuronState(x=(1.0, -2.0), w=(0.25, 0.5), b=0.0, y=0.0, z=-0.75, a=0.3208,
                    loss=0.1029, dL_da=0.6417, dadz=0.2179, delta=0.1398,
                    dL_dw=(0.1398, -0.2797), dL_db=0.1398, activation="sigmoid",
                    loss_name="mse", lr=0.1)
    lines = chain_rule_lines(s)
    assert lines[0][0] == ("z = w₁x₁ + w₂x₂ + b = (0.250)(1.000) + (0.500)(−2.000) + 0.000 "
                           "= −0.750")
    assert lines[-1][0] == "step (lr = 0.100): w₁ → 0.236, w₂ → 0.528, b → −0.0140"
    view.update(s, [0.2, 0.1029])
    assert view.chain_text.get_text() == "\n".join(eq for eq, _ in lines)
    assert view.ax_loss.get_ylim() == (0.0, 0.25)  # the next power of two above the losses
    assert num(-1234.5) == "−1.23e3" and num(491.2) == "491" and num(1.9e-13) == "1.90e−13"


def test_the_single_neuron_speaks_chinese_in_its_controls_picture_and_messages():
    import re

    from actviz_widgets.views.readability import drawn_texts
    cjk = re.compile(r"[\u3400-\u9fff]")
    w = SingleNeuron(language="zh")
    assert w.sliders["w1"].description == "w₁（权重）"
    assert w.lr_slider.description == "学习率"
    assert w.step_button.description == "走一步梯度下降"
    texts = [box.text for box in drawn_texts(w.view)]
    assert "一个神经元：a = f(w₁x₁ + w₂x₂ + b)" in texts
    assert any("链式法则" in t for t in texts) and all(
        not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", t) for t in texts
        if cjk.search(t))
    w.loss_name = "bce"
    w.activation = "tanh"
    assert "bce 损失（二元交叉熵）需要 Sigmoid 激活函数" in w.message.value
