"""BackpropStepper (formerly PassStepperWidget): settings drive the engine, the picture follows.

Outside a kernel ipywidgets observers fire synchronously, so setting a
control's value, a page message (``control.set_state``, what the page sends
when the learner moves a control) or a button click runs the widget's
callbacks at once.  Expected values come from independent
``net.forward``/``net.backward`` calls on copies of the network, built from
the values the test chose, never from the widget's own stepper.
"""

from __future__ import annotations

import threading

import ipywidgets as widgets
import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.engine.activations import ACTIVATION_NAMES, get_activation
from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.stepper import StepState
from actviz_widgets.views.network_diagram import UNKNOWN_COLOR
from actviz_widgets.views.text import fmt
from actviz_widgets.widgets.pass_stepper import (
    FOLLOW,
    MEAN,
    BackpropStepper,
    PassStepperWidget,
)

#: The default widget's settings (its network is MLP([2, 3, 2, 1], "tanh", loss="bce")).
DEFAULTS = dict(x1=0.27, x2=-0.46, target=1.0, lr=0.1, activation1="tanh", activation2="tanh",
                position=0, quantity="a", neuron=FOLLOW, sample=MEAN)
STARTS = np.cumsum([0, 2, 3, 2, 1])  # where each layer's neurons start in the diagram


def engine_pass(net: MLP, X, y):
    """An independent forward and backward pass on a copy of ``net``."""
    twin = net.copy()
    trace = twin.forward(np.asarray(X, dtype=float))
    return trace, twin.backward(trace, y)


def default_net() -> MLP:
    return MLP([2, 3, 2, 1], activation="tanh", loss="bce", seed=0)


def page_sends(control: widgets.Widget, value) -> None:
    """What the page sends when the learner moves ``control`` to ``value``."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons)):
        control.set_state({"index": [v for _, v in control.options].index(value)})
    else:
        control.set_state({"value": value})


def check_shows(w: BackpropStepper, settings: dict) -> None:
    """The widget's state and picture against the engine run on ``settings`` (by hand)."""
    assert w.error is None
    s = {**DEFAULTS, **settings}
    net = default_net()
    net.activations = [get_activation(s["activation1"]), get_activation(s["activation2"]),
                       get_activation("sigmoid")]
    X, y = np.array([[s["x1"], s["x2"]]]), np.array([[s["target"]]])
    trace, grads = engine_pass(net, X, y)
    k, L = s["position"], 3
    state = w.state
    assert isinstance(state, StepState) and state.step.index == k
    assert w.step_slider.value == w.play.value == k
    for l in range(1, L + 1):
        assert state.known("z", l) == (l <= k)
        if l <= k:
            np.testing.assert_allclose(state.z[l], trace.z[l], rtol=1e-12)
            np.testing.assert_allclose(state.a[l], trace.a[l], rtol=1e-12)
    done = [l for l in range(L, 0, -1) if k >= L + 1 + (L + 1 - l)]
    for l in range(1, L + 1):
        assert state.known("delta", l) == (l in done)
        if l in done:
            np.testing.assert_allclose(state.delta[l], grads.delta[l], rtol=1e-10)
    if k > L:
        assert state.loss == pytest.approx(grads.loss, rel=1e-12)
        assert f"loss L = {fmt(grads.loss)}" in w.view.title.get_text()
    if k == 2 * L + 2:
        for l in range(L):
            np.testing.assert_allclose(state.new_weights[l],
                                       net.weights[l] - s["lr"] * grads.dW[l], rtol=1e-12)
    # the neurons drawn show the chosen quantity where it is known
    q = s["quantity"]
    per_layer = {"a": trace.a, "z": trace.z, "delta": grads.delta, "dL_da": grads.dL_da}[q]
    known = {"a": range(0, min(k, L) + 1), "z": range(1, min(k, L) + 1),
             "delta": done, "dL_da": done}[q]
    drawn = w.view.diagram.node_values
    for l in range(L + 1):
        part = drawn[STARTS[l]:STARTS[l + 1]]
        if l in known:
            np.testing.assert_allclose(part, per_layer[l][0], rtol=1e-10)
        else:
            assert np.all(np.isnan(part))
    title = w.view.equations.text.get_text()
    if s["neuron"] != FOLLOW:
        layer, j = s["neuron"]
        assert title.startswith(f"Layer {layer}, neuron {j}") if layer else \
            title.startswith("Input")
    # the network holds the chosen activations; its weights are untouched
    assert w.net.activation_names == [s["activation1"], s["activation2"], "sigmoid"]


# -- the contract --------------------------------------------------------------------------
def test_default_widget_is_the_documented_network():
    w = BackpropStepper()
    assert PassStepperWidget is BackpropStepper
    assert av.BackpropStepper is BackpropStepper and av.PassStepperWidget is BackpropStepper
    assert "BackpropStepper" in av.__all__ and "PassStepperWidget" in av.__all__
    assert w.net.sizes == [2, 3, 2, 1]
    assert w.net.activation_names == ["tanh", "tanh", "sigmoid"]
    assert w.net.loss.name == "bce"
    assert w.stepper.X.shape == (1, 2) and np.array_equal(w.stepper.y, [[1.0]])
    assert w.settings() == DEFAULTS
    assert [s.value for s in w.input_sliders] == list(w.stepper.X[0]) == [0.27, -0.46]
    assert w.target_slider.value == 1.0 and w.sample_select is None
    assert (w.target_slider.min, w.target_slider.max) == (0.0, 1.0)  # bce: a probability
    assert w.step_slider.max == w.play.max == w.n_steps - 1 == 8
    assert len(w.activation_dropdowns) == 2
    assert repr(w) == ("BackpropStepper(sizes=[2, 3, 2, 1], activations=['tanh', 'tanh', "
                       "'sigmoid'], loss='bce', step=0/8)")
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n" and w.error is None
    check_shows(w, {})


def test_state_is_a_read_only_snapshot_of_what_is_drawn():
    w = BackpropStepper()
    w.go(6)
    state = w.state
    with pytest.raises(AttributeError):
        w.state = state
    with pytest.raises(ValueError):
        state.delta[3][0, 0] = 1.0  # read-only arrays
    w.next()
    assert state.step.index == 6 and w.state.step.index == 7  # a snapshot, not a live view
    assert w.state.step.label == "Backward: layer 1"


def test_buttons_move_the_step_and_redraw():
    w = BackpropStepper()
    trace, _ = engine_pass(w.net, w.stepper.X, w.stepper.y)
    for k in range(1, 4):
        frame = w.image.value
        w.next_button.click()
        assert w.position == w.stepper.position == w.play.value == k
        assert w.state.phase == "forward" and w.image.value != frame
        for l in range(4):
            drawn = w.view.diagram.node_values[STARTS[l]:STARTS[l + 1]]
            if l <= k:
                assert np.allclose(drawn, trace.a[l][0])
            else:
                assert np.all(np.isnan(drawn))
                face = w.view.diagram.nodes.get_facecolors()[STARTS[l]:STARTS[l + 1]]
                assert np.allclose(face, UNKNOWN_COLOR)
    w.prev_button.click()
    assert w.position == 2 and not w.state.known("z", 3)
    w.restart()
    assert w.position == 0
    w.prev()  # stays on step 0
    assert w.position == 0
    w.go(100)  # clamped to the last step
    assert w.position == 8 and w.state.phase == "update"
    w.next()
    assert w.position == 8
    w.play.value = 3  # Play drives the step
    assert w.position == w.stepper.position == w.step_slider.value == 3


# -- every control from the page, in both orders with code --------------------------------
CONTROLS = [
    ("x1", 1.25, -0.5),
    ("x2", -2.75, 0.5),
    ("target", 0.2, 0.9),
    ("lr", 0.5, 2.0),
    ("activation1", "relu", "sigmoid"),
    ("activation2", "gelu", "linear"),
    ("position", 5, 3),
    ("quantity", "delta", "z"),
    ("neuron", (2, 1), (1, 0)),
]


@pytest.mark.parametrize("name, v1, v2", CONTROLS)
def test_the_learners_value_wins_over_earlier_code_values(name, v1, v2):
    w = BackpropStepper()
    at = {} if name == "position" else {"position": 8}  # the busiest step: everything known
    w.apply(**at)
    setattr(w, name, v1)
    setattr(w, name, v2)
    check_shows(w, {**at, name: v2})
    page_sends(w.controls[name], v1)  # the learner moves the control back to v1
    assert getattr(w, name) == v1 and w.controls[name].value == v1
    check_shows(w, {**at, name: v1})


@pytest.mark.parametrize("name, v1, v2", CONTROLS)
def test_code_after_the_page_wins_too(name, v1, v2):
    w = BackpropStepper()
    at = {} if name == "position" else {"position": 6}
    w.apply(**at)
    page_sends(w.controls[name], v1)
    check_shows(w, {**at, name: v1})
    setattr(w, name, v2)
    assert w.controls[name].value == v2
    check_shows(w, {**at, name: v2})


@pytest.mark.parametrize("name", ["x1", "x2", "target", "lr"])
def test_a_nan_from_the_page_is_refused_and_the_control_shows_the_setting(name):
    w = BackpropStepper()
    w.go(8)
    before = w.settings()
    png = w.image.value
    page_sends(w.controls[name], float("nan"))
    assert w.message_kind == "error" and name in w.error and "finite" in w.error
    assert w.controls[name].value == before[name] and w.settings() == before
    assert w.image.value == png  # nothing else changed
    page_sends(w.controls["x1"], 0.5)  # a good value clears the message
    assert w.error is None and w.message_kind is None
    check_shows(w, {"position": 8, "x1": 0.5})


def test_beyond_a_sliders_end_the_page_clamps_and_code_is_refused():
    w = BackpropStepper()
    page_sends(w.input_sliders[0], 99.0)  # the slider stops at its end: both agree
    assert w.x1 == w.input_sliders[0].value == 3.0
    check_shows(w, {"x1": 3.0})
    before = w.settings()
    for name, value, words in [("x1", 3.5, "x1 must be between -3 and 3"),
                               ("target", 1.5, "target must be between 0 and 1"),
                               ("lr", 50.0, "lr must be between 0.0001 and 10"),
                               ("position", 9, "position must be between 0 and 8"),
                               ("activation1", "nope", "activation1 must be one of"),
                               ("neuron", (3, 1), "neuron must be one of")]:
        with pytest.raises(ValueError, match=words):
            setattr(w, name, value)
        assert w.settings() == before and w.controls[name].value == before[name]
    check_shows(w, {"x1": 3.0})


def test_a_kernel_set_step_is_never_pulled_back_by_the_page(monkeypatch):
    """Lesson 5: go(5) in one cell, go(6) in the next; the page must show 6 and stay there."""
    threads = threading.active_count()
    w = BackpropStepper()
    page: dict = {}  # what the page's models hold: the last value the kernel sent to each

    def page_model(name, control):
        page[name] = control.value  # displayed with the kernel's value

        def receive(data=None, buffers=None, **_kwargs):
            if "value" in data.get("state", {}):
                page[name] = data["state"]["value"]
        monkeypatch.setattr(control.comm, "send", receive)

    page_model("play", w.play)
    page_model("slider", w.step_slider)
    w.go(5)
    w.go(6)
    assert page == {"play": 6, "slider": 6}
    # the page sends nothing of its own (Play sends only while the learner plays; the
    # slider is not linked to Play in the page), so nothing pulls the kernel back
    assert w.position == 6 and w.state.step.index == 6
    print_cell = w.state.step.label  # what the next cell prints
    assert print_cell == "Backward: layer 2"
    # the learner plays: the page's Play sends its steps; the slider follows in the page
    for k in (7, 8):
        w.play.set_state({"value": k})
        assert w.position == w.step_slider.value == k and page == {"play": k, "slider": k}
        check_shows(w, {"position": k})
    # and a step set from code after that shows in both again
    w.go(2)
    assert page == {"play": 2, "slider": 2} and w.position == 2
    check_shows(w, {"position": 2})
    # the slider moved in the page moves Play in the page too (through the kernel)
    w.step_slider.set_state({"value": 4})
    assert page == {"play": 4, "slider": 4} and w.play.value == 4
    assert threading.active_count() == threads  # Play runs in the page: no thread here


def test_input_and_target_settings_recompute_the_pass_at_the_current_step():
    w = BackpropStepper()
    w.go(5)  # backward, output layer
    w.apply(x1=1.25, x2=-0.5, target=0.2)
    X, y = np.array([[1.25, -0.5]]), np.array([[0.2]])
    trace, grads = engine_pass(w.net, X, y)
    assert np.array_equal(w.stepper.X, X) and np.array_equal(w.stepper.y, y)
    assert w.position == 5 and w.state.phase == "backward"
    for l in (1, 2, 3):
        assert np.allclose(w.state.z[l], trace.z[l])
    assert np.allclose(w.state.delta[3], grads.delta[3])
    assert np.allclose(w.view.bars.values, grads.delta[3][0])
    check_shows(w, dict(x1=1.25, x2=-0.5, target=0.2, position=5))


def test_bar_heights_equal_delta_of_the_current_layer():
    w = BackpropStepper()
    _, grads = engine_pass(w.net, w.stepper.X, w.stepper.y)
    for k, layer in ((5, 3), (6, 2), (7, 1)):
        w.go(k)
        n = w.net.sizes[layer]
        heights = [bar.get_height() for bar in w.view.bars.bars[:n]]
        assert np.allclose(heights, grads.delta[layer][0])
        assert f"layer {layer}" in w.view.bars.title.get_text()


def test_learning_rate_changes_the_update_and_apply_commits_it():
    w = BackpropStepper()
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


def test_reset_goes_back_to_the_initial_weights_whatever_happened():
    # issue 17: mse/linear at lr 10 ran away after a few Apply clicks and nothing but
    # rebuilding recovered it
    net = MLP([2, 3, 2, 1], activation="linear", loss="mse", seed=0)
    initial = net.get_params()
    X, y = [[0.9, -0.8]], [[1.0]]
    w = BackpropStepper(net, X=X, y=y, lr=10.0)
    for _ in range(5):
        w.apply_button.click()
    assert max(float(np.abs(W).max()) for W in net.weights) > 1e100  # ran away
    assert w.error.startswith("FloatingPointError")  # said in words, nothing raised
    w.go(4)
    w.reset_button.click()
    assert w.error is None and w.position == 0
    for a, b in zip(net.weights + net.biases, initial[0] + initial[1]):
        np.testing.assert_array_equal(a, b)  # exactly the initial weights
    fresh = BackpropStepper(MLP([2, 3, 2, 1], activation="linear", loss="mse", seed=0),
                            X=X, y=y, lr=10.0)
    assert w.grads.loss == fresh.grads.loss
    np.testing.assert_array_equal(w.view.diagram.edge_weights, fresh.view.diagram.edge_weights)
    w.apply_button.click()  # and it works again from there
    w.go(0)
    _, grads = engine_pass(MLP([2, 3, 2, 1], activation="linear", loss="mse", seed=0), X, y)
    np.testing.assert_allclose(net.weights[0], initial[0][0] - 10.0 * grads.dW[0], rtol=1e-12)


def test_activation_setting_changes_the_network_in_place():
    w = BackpropStepper()
    net = w.net
    weights = [W.copy() for W in net.weights]
    w.go(2)
    page_sends(w.activation_dropdowns[0], "relu")
    assert w.net is net and net.activation_names == ["relu", "tanh", "sigmoid"]
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, weights))
    z1 = w.stepper.X @ weights[0] + net.biases[0]
    assert np.allclose(w.state.a[1], np.maximum(z1, 0))
    assert w.position == 2 and "relu" in w.view.diagram.layer_title(1)
    assert w.view.curve.activation.name == "tanh"  # focus layer 2 is tanh
    w.go(1)
    assert w.view.curve.activation.name == "relu"


def test_a_batch_has_a_sample_setting_and_no_input_sliders():
    rng = np.random.default_rng(7)
    net = MLP([3, 4, 2, 1], activation="tanh", loss="bce", seed=3)
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=(6, 1)).astype(float)
    w = BackpropStepper(net, X, y)
    assert w.input_sliders == [] and w.target_slider is None
    assert "x1" not in w.settings() and "target" not in w.settings()
    assert w.sample == w.sample_select.value == MEAN
    trace, grads = engine_pass(net, X, y)
    w.go(w.n_steps - 1)
    page_sends(w.quantity_buttons, "delta")
    assert w.quantity == "delta" and w.view.diagram.label == "δ = ∂L/∂z"
    assert "δ = ∂L/∂z (mean over 6 samples)" in w.view.diagram.node_note.get_text()
    assert np.allclose(w.view.diagram.node_values[3:7], grads.delta[1].mean(0))
    w.quantity = "dL_da"
    assert np.allclose(w.view.diagram.node_values[7:9], grads.dL_da[2].mean(0))
    # the sample: code sets 1 then 2, the page sends 4
    w.sample = 1
    w.sample = 2
    page_sends(w.sample_select, 4)
    assert w.sample == 4
    assert np.allclose(w.view.diagram.node_values[7:9], grads.dL_da[2][4])
    page_sends(w.neuron_select, (2, 1))
    text = w.view.equations.text.get_text()
    assert text.startswith("Layer 2, neuron 1 (hidden, tanh) · sample 4 of 6 (from 0)")
    assert f"δ = ∂L/∂z = {fmt(grads.delta[2][4, 1])}" in text
    assert np.allclose(w.view.diagram.ring.get_offsets(), [w.view.diagram.positions[2][1]])
    # page first, then code
    page_sends(w.sample_select, MEAN)
    w.sample = 3
    assert w.sample_select.value == 3
    assert np.allclose(w.view.diagram.node_values[7:9], grads.dL_da[2][3])
    with pytest.raises(ValueError, match="sample must be one of"):
        w.sample = 6
    w.neuron = FOLLOW
    w.go(4)  # forward, output layer
    assert w.view.equations.text.get_text().startswith("Layer 3, neuron 0 (output, sigmoid)")


def test_given_inputs_widen_their_sliders_and_mse_targets_theirs():
    net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=1)
    w = BackpropStepper(net, X=[[4.5, -0.25]], y=[[-2.5]])
    assert (w.input_sliders[0].min, w.input_sliders[0].max) == (-3.0, 4.5)
    assert (w.input_sliders[1].min, w.input_sliders[1].max) == (-3.0, 3.0)
    assert (w.target_slider.min, w.target_slider.max) == (-2.5, 2.0)
    assert (w.x1, w.x2, w.target) == (4.5, -0.25, -2.5)
    page_sends(w.input_sliders[0], 4.0)
    trace, grads = engine_pass(net, [[4.0, -0.25]], [[-2.5]])
    w.go(w.n_steps - 1)
    assert w.state.loss == pytest.approx(grads.loss, rel=1e-12)
    np.testing.assert_allclose(w.state.a[2], trace.a[2], rtol=1e-12)


def test_cross_entropy_target_is_a_class():
    net = MLP([2, 3, 3], activation="tanh", loss="cross_entropy", seed=2)
    w = BackpropStepper(net, X=[[0.5, -0.5]], y=[2])
    assert isinstance(w.target_slider, widgets.IntSlider)
    assert (w.target_slider.min, w.target_slider.max, w.target) == (0, 2, 2)
    w.target = 0
    w.target = 1
    page_sends(w.target_slider, 0)
    assert w.target == 0
    _, grads = engine_pass(net, [[0.5, -0.5]], [0])
    w.go(w.n_steps - 1)
    assert w.state.loss == pytest.approx(grads.loss, rel=1e-12)
    with pytest.raises(ValueError, match="target must be between 0 and 2"):
        w.target = 3


def test_more_than_four_inputs_show_no_input_sliders():
    net = MLP([5, 2, 1], activation="tanh", loss="bce", seed=0)
    w = BackpropStepper(net)
    assert w.input_sliders == [] and w.target_slider is not None
    assert "x1" not in w.settings()
    assert w.stepper.X.shape == (1, 5) and w.error is None


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match="lr must be between 0.0001 and 10"):
        BackpropStepper(lr=50.0)
    with pytest.raises(TypeError, match="lr must be a real number"):
        BackpropStepper(lr="fast")
    with pytest.raises(TypeError, match="net must be an MLP"):
        BackpropStepper(net="mlp")
    with pytest.raises(ValueError, match="X must have shape"):
        BackpropStepper(X=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="activation"):
        BackpropStepper(activation="nope")
    with pytest.raises(ValueError, match=r"y for the 'bce' loss must hold values in \[0, 1\]"):
        BackpropStepper(y=[[1.5]])  # bce: a probability
    with pytest.raises(TypeError, match="k must be an integer"):
        BackpropStepper().go(2.5)


def test_errors_become_messages_and_the_widget_keeps_working(monkeypatch):
    # a forced exception inside the view
    w = BackpropStepper()
    frame = w.image.value

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(w.view, "update", broken)
    w.next_button.click()
    assert w.error == "RuntimeError: boom" and w.message_kind == "error"
    assert w.image.value == frame and w.state.step.index == 0  # what is drawn
    monkeypatch.undo()
    w.next_button.click()
    assert w.error is None and w.message_kind is None and w.image.value != frame
    assert w.position == 2 and w.state.step.index == 2

    # a setting whose numbers overflow (inf/NaN): a message, the weights untouched
    net = MLP([1, 4, 1], activation="relu", loss="mse", seed=0)
    net.set_params([np.full((1, 4), 1e160), np.full((4, 1), 1e160)], [np.zeros(4), np.zeros(1)])
    w = BackpropStepper(net, X=[[0.0]], y=[[0.0]])
    assert w.error is None
    with np.errstate(all="ignore"):
        w.input_sliders[0].value = 3.0
        assert w.error is not None
        w.apply_button.click()  # refused: the pass cannot be computed
        assert w.error is not None
    assert np.all(net.weights[0] == 1e160)
    w.input_sliders[0].value = 0.0
    assert w.error is None and np.array_equal(w.stepper.X, [[0.0]])


def test_300_random_control_changes_end_in_the_state_of_the_last_values():
    rng = np.random.default_rng(2024)
    w = BackpropStepper()
    neuron_options = [value for _, value in w.neuron_select.options]
    quantities = [value for _, value in w.quantity_buttons.options]
    for _ in range(300):
        pick = rng.integers(10)
        if pick == 0:
            page_sends(w.input_sliders[rng.integers(2)], round(float(rng.uniform(-3, 3)), 2))
        elif pick == 1:
            w.target = round(float(rng.uniform(0, 1)), 2)
        elif pick == 2:
            page_sends(w.lr_slider, float(10 ** rng.uniform(-3, 0)))
        elif pick == 3:
            page_sends(w.activation_dropdowns[rng.integers(2)], str(rng.choice(ACTIVATION_NAMES)))
        elif pick == 4:
            page_sends(w.step_slider, int(rng.integers(9)))
        elif pick == 5:
            page_sends(w.quantity_buttons, quantities[rng.integers(len(quantities))])
        elif pick == 6:
            w.neuron = neuron_options[rng.integers(len(neuron_options))]
        elif pick == 7:
            w.play.set_state({"value": int(rng.integers(9))})
        elif pick == 8:
            w.next_button.click()
        else:
            w.prev_button.click()
        assert w.error is None
        assert w.position == w.step_slider.value == w.play.value == w.stepper.position
    fresh = BackpropStepper()
    fresh.apply(**w.settings())
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


def test_the_stepper_speaks_chinese_in_its_controls_and_picture():
    import re

    from actviz_widgets.views.readability import drawn_texts
    cjk = re.compile(r"[\u3400-\u9fff]")
    w = BackpropStepper(language="zh")
    assert w.language == "zh" and w.view.language == "zh"
    assert w.controls["lr"].description == "学习率"
    assert w.controls["neuron"].options[0][0] == "跟随当前层"
    assert w.controls["quantity"].options[0][0] == "激活值 a"
    assert w.apply_button.description == "执行更新" and w.reset_button.description == "重置"
    for k in range(w.n_steps):
        w.go(k)
        texts = [box.text for box in drawn_texts(w.view)]
        assert any(cjk.search(t) for t in texts)
    assert w.view.title.get_text().startswith(f"第 {w.n_steps - 1}/{w.n_steps - 1} 步 · 更新权重")
    assert w.view.subtitle.get_text().endswith("（普通梯度下降）")
    w.neuron = (1, 0)
    assert w.view.equations.text.get_text().startswith("第 1 层，神经元 0（隐藏层，tanh）")
    assert "更新：w ← w − lr·∂L/∂w" in w.view.equations.text.get_text()
    # English stays the default, and the English texts are the ones the engine writes
    e = BackpropStepper()
    for k in range(e.n_steps):
        e.go(k)
        assert e.view.subtitle.get_text() == e.stepper.step.description
