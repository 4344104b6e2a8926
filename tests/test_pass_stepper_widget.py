"""PassStepperWidget: controls drive the engine, the picture follows, errors become messages.

Outside a kernel ipywidgets observers fire synchronously, so setting a
control's value (or clicking a button) runs the widget's callbacks at once.
Expected values come from independent ``net.forward``/``net.backward`` calls
on copies of the network, never from the widget's own stepper.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.engine.activations import ACTIVATION_NAMES
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.text import fmt
from actviz_widgets.views.network_diagram import UNKNOWN_COLOR
from actviz_widgets.widgets.pass_stepper import FOLLOW, MEAN, PassStepperWidget


def engine_pass(net: MLP, X, y):
    """An independent forward and backward pass on a copy of ``net``."""
    twin = net.copy()
    trace = twin.forward(np.asarray(X, dtype=float))
    return trace, twin.backward(trace, y)


def test_default_widget_is_the_documented_network():
    w = PassStepperWidget()
    assert w.net.sizes == [2, 3, 2, 1]
    assert w.net.activation_names == ["tanh", "tanh", "sigmoid"]
    assert w.net.loss.name == "bce"
    assert w.stepper.X.shape == (1, 2) and np.array_equal(w.stepper.y, [[1.0]])
    assert [s.value for s in w.input_sliders] == list(w.stepper.X[0])
    assert w.target_slider.value == 1.0 and w.sample_select is None
    assert w.step_slider.max == w.play.max == 8
    assert len(w.activation_dropdowns) == 2
    assert repr(w) == ("PassStepperWidget(sizes=[2, 3, 2, 1], activations=['tanh', 'tanh', "
                       "'sigmoid'], loss='bce', step=0/8)")
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n" and w.error is None


def test_buttons_move_the_step_and_redraw():
    w = PassStepperWidget()
    trace, _ = engine_pass(w.net, w.stepper.X, w.stepper.y)
    starts = np.cumsum([0] + w.net.sizes)
    for k in range(1, 4):
        frame = w.image.value
        w.next_button.click()
        assert w.position == w.stepper.position == k and w.state.phase == "forward"
        assert w.image.value != frame
        for l in range(4):
            drawn = w.view.diagram.node_values[starts[l]:starts[l + 1]]
            if l <= k:
                assert np.allclose(drawn, trace.a[l][0])
            else:
                assert np.all(np.isnan(drawn))
                face = w.view.diagram.nodes.get_facecolors()[starts[l]:starts[l + 1]]
                assert np.allclose(face, UNKNOWN_COLOR)
    w.prev_button.click()
    assert w.position == 2 and not w.state.known("z", 3)
    w.reset_button.click()
    assert w.position == 0
    w.prev()  # stays on step 0
    assert w.position == 0
    w.go(100)  # clamped to the last step
    assert w.position == 8 and w.state.phase == "update"
    w.next()
    assert w.position == 8
    w.play.value = 3  # Play drives the step slider
    assert w.position == 3 and w.stepper.position == 3


def test_input_and_target_sliders_recompute_the_pass_at_the_current_step():
    w = PassStepperWidget()
    w.go(5)  # backward, output layer
    w.input_sliders[0].value = 1.25
    w.input_sliders[1].value = -0.5
    w.target_slider.value = 0.2
    X, y = np.array([[1.25, -0.5]]), np.array([[0.2]])
    trace, grads = engine_pass(w.net, X, y)
    assert np.array_equal(w.stepper.X, X) and np.array_equal(w.stepper.y, y)
    assert w.position == 5 and w.state.phase == "backward"
    for l in (1, 2, 3):
        assert np.allclose(w.state.z[l], trace.z[l])
    assert np.allclose(w.state.delta[3], grads.delta[3])
    assert w.state.loss == pytest.approx(grads.loss)
    assert np.allclose(w.view.bars.values, grads.delta[3][0])
    assert f"loss L = {fmt(grads.loss)}" in w.view.title.get_text()


def test_bar_heights_equal_delta_of_the_current_layer():
    w = PassStepperWidget()
    _, grads = engine_pass(w.net, w.stepper.X, w.stepper.y)
    for k, layer in ((5, 3), (6, 2), (7, 1)):
        w.go(k)
        n = w.net.sizes[layer]
        heights = [bar.get_height() for bar in w.view.bars.bars[:n]]
        assert np.allclose(heights, grads.delta[layer][0])
        assert f"layer {layer}" in w.view.bars.title.get_text()


def test_learning_rate_changes_the_update_and_apply_commits_it():
    w = PassStepperWidget()
    w.lr_slider.value = 0.5
    old_w, old_b = w.net.get_params()
    _, grads = engine_pass(w.net, w.stepper.X, w.stepper.y)
    w.go(8)
    for l in range(3):
        assert np.allclose(w.state.new_weights[l], old_w[l] - 0.5 * grads.dW[l])
    w.apply_button.click()
    assert w.error is None and w.position == 0 and w.play.value == 0
    for l in range(3):
        assert np.allclose(w.net.weights[l], old_w[l] - 0.5 * grads.dW[l])
        assert np.allclose(w.net.biases[l], old_b[l] - 0.5 * grads.db[l])
    # the pass was recomputed with the new weights, and the diagram shows them
    _, after = engine_pass(w.net, w.stepper.X, w.stepper.y)
    assert w.grads.loss == pytest.approx(after.loss) and after.loss < grads.loss
    assert np.allclose(w.view.diagram.edge_weights,
                       np.concatenate([W.ravel() for W in w.net.weights]))
    w.apply_update()  # the method works as the button does
    assert w.position == 0


def test_activation_dropdown_changes_the_network_in_place():
    w = PassStepperWidget()
    net = w.net
    weights = [W.copy() for W in net.weights]
    w.go(2)
    w.activation_dropdowns[0].value = "relu"
    assert w.net is net and net.activation_names == ["relu", "tanh", "sigmoid"]
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, weights))
    z1 = w.stepper.X @ weights[0] + net.biases[0]
    assert np.allclose(w.state.a[1], np.maximum(z1, 0))
    assert w.position == 2 and "relu" in w.view.diagram.layer_title(1)
    assert w.view.curve.activation.name in ("relu", "tanh")  # focus layer 2 is tanh
    assert w.view.curve.activation.name == "tanh"
    w.go(1)
    assert w.view.curve.activation.name == "relu"


def test_quantity_neuron_and_sample_selectors():
    rng = np.random.default_rng(7)
    net = MLP([3, 4, 2, 1], activation="tanh", loss="bce", seed=3)
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=(6, 1)).astype(float)
    w = PassStepperWidget(net, X, y)
    assert w.input_sliders == [] and w.target_slider is None
    assert w.sample_select.value == MEAN
    trace, grads = engine_pass(net, X, y)
    w.go(w.step_slider.max)
    w.quantity.value = "delta"
    assert w.view.diagram.label == "δ = ∂L/∂z"
    assert "δ = ∂L/∂z (mean over 6 samples)" in w.view.diagram.node_note.get_text()
    assert np.allclose(w.view.diagram.node_values[3:7], grads.delta[1].mean(0))
    w.quantity.value = "dL_da"
    assert np.allclose(w.view.diagram.node_values[7:9], grads.dL_da[2].mean(0))
    w.sample_select.value = 4
    assert np.allclose(w.view.diagram.node_values[7:9], grads.dL_da[2][4])
    w.neuron_select.value = (2, 1)
    text = w.view.equations.text.get_text()
    assert text.startswith("Layer 2, neuron 2 (hidden, tanh) · sample 5 of 6")
    assert f"δ = ∂L/∂z = {fmt(grads.delta[2][4, 1])}" in text
    assert np.allclose(w.view.diagram.ring.get_offsets(), [w.view.diagram.positions[2][1]])
    w.neuron_select.value = FOLLOW
    w.go(4)  # forward, output layer
    assert w.view.equations.text.get_text().startswith("Layer 3, neuron 1 (output, sigmoid)")


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match="lr must be between 0.0001 and 10"):
        PassStepperWidget(lr=50.0)
    with pytest.raises(TypeError, match="net must be an MLP"):
        PassStepperWidget(net="mlp")
    with pytest.raises(ValueError, match="X must have shape"):
        PassStepperWidget(X=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="unknown activation 'nope'"):
        PassStepperWidget(activation="nope")


def test_errors_become_messages_and_the_widget_keeps_working(monkeypatch):
    # a forced exception inside the view
    w = PassStepperWidget()
    frame = w.image.value

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(w.view, "update", broken)
    w.next_button.click()
    assert w.error == "RuntimeError: boom" and "boom" in w.message.value
    assert w.image.value == frame
    monkeypatch.undo()
    w.next_button.click()
    assert w.error is None and w.message.value == "" and w.image.value != frame
    assert w.position == 2

    # a setting whose numbers overflow (inf/NaN): a message, the weights untouched
    net = MLP([1, 4, 1], activation="relu", loss="mse", seed=0)
    net.set_params([np.full((1, 4), 1e160), np.full((4, 1), 1e160)], [np.zeros(4), np.zeros(1)])
    w = PassStepperWidget(net, X=[[0.0]], y=[[0.0]])
    assert w.error is None
    with np.errstate(all="ignore"):
        w.input_sliders[0].value = 3.0
        assert w.error is not None and "FloatingPointError" in w.error
        w.apply_button.click()  # the engine refuses non-finite gradients
        assert "FloatingPointError" in w.error
    assert np.all(net.weights[0] == 1e160)
    w.input_sliders[0].value = 0.0
    assert w.error is None and np.array_equal(w.stepper.X, [[0.0]])


def test_500_random_control_changes_end_in_the_state_of_the_last_values():
    rng = np.random.default_rng(2024)
    w = PassStepperWidget()
    neuron_options = [value for _, value in w.neuron_select.options]
    quantities = [value for _, value in w.quantity.options]
    for _ in range(500):
        pick = rng.integers(9)
        if pick == 0:
            w.input_sliders[rng.integers(2)].value = round(float(rng.uniform(-3, 3)), 2)
        elif pick == 1:
            w.target_slider.value = round(float(rng.uniform(0, 1)), 2)
        elif pick == 2:
            w.lr_slider.value = float(10 ** rng.uniform(-3, 0))
        elif pick == 3:
            w.activation_dropdowns[rng.integers(2)].value = str(rng.choice(ACTIVATION_NAMES))
        elif pick == 4:
            w.step_slider.value = int(rng.integers(9))
        elif pick == 5:
            w.quantity.value = quantities[rng.integers(len(quantities))]
        elif pick == 6:
            w.neuron_select.value = neuron_options[rng.integers(len(neuron_options))]
        elif pick == 7:
            w.next_button.click()
        else:
            w.prev_button.click()
        assert w.error is None
    fresh = PassStepperWidget()
    with fresh.batch():
        for mine, theirs in zip(fresh.input_sliders, w.input_sliders):
            mine.value = theirs.value
        for mine, theirs in zip(fresh.activation_dropdowns, w.activation_dropdowns):
            mine.value = theirs.value
        for name in ("target_slider", "lr_slider", "step_slider", "quantity", "neuron_select"):
            getattr(fresh, name).value = getattr(w, name).value
    assert fresh.net.activation_names == w.net.activation_names
    assert np.array_equal(fresh.stepper.X, w.stepper.X)
    assert np.array_equal(fresh.stepper.y, w.stepper.y)
    assert fresh.stepper.lr == w.stepper.lr and fresh.position == w.position
    trace, grads = engine_pass(w.net, w.stepper.X, w.stepper.y)
    assert w.grads.loss == pytest.approx(grads.loss)
    assert np.allclose(w.trace.a[3], trace.a[3])
    a, b = w.view.diagram, fresh.view.diagram
    assert np.array_equal(a.node_values, b.node_values, equal_nan=True)
    assert np.array_equal(a.edge_weights, b.edge_weights)
    assert w.view.equations.text.get_text() == fresh.view.equations.text.get_text()
    assert w.view.title.get_text() == fresh.view.title.get_text()
    # (the colour and bar scales are not compared: they move with hysteresis, so
    # they depend on the path taken, by design)
    assert np.array_equal(w.view.bars.values, fresh.view.bars.values, equal_nan=True) \
        if w.view.bars.values is not None else fresh.view.bars.values is None
