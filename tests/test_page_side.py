"""Every setting driven from the page's side as well as from code, in both orders.

``control.set_state({...})`` is exactly what ipywidgets does with a message
from the page (a learner dragging, typing into a readout, pressing an arrow
key); ``setattr(widget, name, v)`` is what lesson code does.  Whatever came
first, the last value wins and the widget computes with it: its picture and
its state equal those of a widget built with that value from the start,
and for the widgets whose numbers are simple, the engine's own numbers.
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass

import numpy as np
import pytest

from actviz_widgets.engine import get_activation
from actviz_widgets.widgets.activation_explorer import ActivationExplorer
from actviz_widgets.widgets.dead_neurons import DeadNeurons
from actviz_widgets.widgets.distributions import Distributions
from actviz_widgets.widgets.gradient_health import GradientHealth
from actviz_widgets.widgets.single_neuron import SingleNeuron

FACTORIES = {
    "explorer": (ActivationExplorer, {}),
    "neuron": (SingleNeuron, {}),
    "health": (GradientHealth, {"depth": 2}),
    "dead": (DeadNeurons, {"depth": 1}),
    "distributions": (Distributions, {"depth": 1}),
}
#: Settings whose change is not a plain value (tested in the widgets' own files).
SKIP = {"preset", "shown_step"}
#: Widgets whose picture has no memory: equal settings, equal pixels.  (The
#: others' axes and colour scales adapt with hysteresis, so that they do not
#: jump from frame to frame: their state is compared, not their pixels.)
MEMORYLESS = {"explorer"}


def cases():
    for key, (cls, kwargs) in FACTORIES.items():
        for name in cls.setting_names():
            if name not in SKIP:
                yield pytest.param(key, name, id=f"{key}-{name}")


def two_values(widget, name):
    """Two valid values of a setting, different from its current one; floats off the grid."""
    spec = widget.setting_spec(name)
    current = getattr(widget, name)
    if spec.kind in ("float", "log"):
        low, high = widget.setting_ranges.get(name, (spec.low, spec.high))
        if spec.kind == "log":
            pick = [low * (high / low) ** f for f in (0.3137, 0.6911)]
        else:
            pick = [low + f * (high - low) for f in (0.3137, 0.6911)]
        return [v for v in pick if not math.isclose(v, current)][:2]
    if spec.kind in ("int", "int_text"):
        low, high = widget.setting_ranges.get(name, (spec.low, spec.high))
        high = min(high, low + 7)
        values = [v for v in range(low, high + 1) if v != current]
        return [values[0], values[-1]] if len(values) >= 2 else values
    if spec.kind == "multi":
        options = [v for _, v in spec.options]
        return [tuple(options[:1]), tuple(options[2:4])]
    options = [v for _, v in widget.setting_options.get(name, spec.options)]
    others = [v for v in options if v != current]
    return others[:2] if len(others) >= 2 else [others[0], current]


def page_send(control, value):
    """What the page sends for ``value``: the value itself, or selection indices."""
    if hasattr(control, "options") and hasattr(control, "index"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if isinstance(value, tuple) and not any(isinstance(v, tuple) for v in values):
            control.set_state({"index": tuple(values.index(v) for v in value)})
        else:
            control.set_state({"index": values.index(value)})
    else:
        control.set_state({"value": value})


def same(a, b):
    """Deep equality of snapshots: dataclasses, arrays, dicts, floats (NaN equal NaN)."""
    if is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in fields(a))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and not isinstance(a, str):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def reference(key, name, value):
    cls, kwargs = FACTORIES[key]
    w = cls(**kwargs)
    setattr(w, name, value)
    return w


@pytest.mark.parametrize("key, name", list(cases()))
def test_code_sets_v1_then_v2_and_the_page_sends_v1(key, name):
    cls, kwargs = FACTORIES[key]
    w = cls(**kwargs)
    control = w.controls[name]
    v1, v2 = two_values(w, name)
    setattr(w, name, v1)
    setattr(w, name, v2)
    assert getattr(w, name) == v2 and control.value == v2
    page_send(control, v1)  # a learner types or picks v1: it stays and counts
    assert getattr(w, name) == v1 and control.value == v1
    assert w.error is None
    ref = reference(key, name, v1)
    assert same(w.state, ref.state)
    if key in MEMORYLESS:
        assert w.image.value == ref.image.value


@pytest.mark.parametrize("key, name", list(cases()))
def test_the_page_sends_v1_then_code_sets_v2(key, name):
    cls, kwargs = FACTORIES[key]
    w = cls(**kwargs)
    control = w.controls[name]
    v1, v2 = two_values(w, name)
    page_send(control, v1)
    assert getattr(w, name) == v1
    setattr(w, name, v2)
    assert getattr(w, name) == v2 and control.value == v2
    ref = reference(key, name, v2)
    assert same(w.state, ref.state)
    if key in MEMORYLESS:
        assert w.image.value == ref.image.value


@pytest.mark.parametrize("z", [-4.0, 0.7886, 3.0])
def test_explorer_page_value_gives_the_engine_numbers(z):
    w = ActivationExplorer(activations=["sigmoid", "tanh"])
    w.z = 2.5
    w.z_slider.set_state({"value": z})
    for name in ("sigmoid", "tanh"):
        act = get_activation(name)
        a = float(act(np.array([z]))[0])
        assert w.values[name] == pytest.approx((a, float(act.grad(np.array([z]),
                                                                    np.array([a]))[0])))
    assert w.state.z == z


def test_neuron_page_weights_give_the_engine_gradients():
    n = SingleNeuron()
    n.w1, n.w2 = 1.5, -2.0
    n.sliders["w1"].set_state({"value": 0.7886})  # e.g. typed into the readout
    assert n.w1 == 0.7886 and n.w2 == -2.0
    z = 0.7886 * 1.0 + (-2.0) * 2.0 + 0.1
    a = 1 / (1 + math.exp(-z))
    delta = 2 * (a - 1.0) * a * (1 - a)
    assert n.z == pytest.approx(z) and n.a == pytest.approx(a)
    np.testing.assert_allclose(n.dL_dw, [delta * 1.0, delta * 2.0], rtol=1e-12)


@pytest.mark.parametrize("how", ["page", "code"])
def test_a_refused_control_value_leaves_setting_control_and_picture(how):
    n = SingleNeuron()
    before = (n.w1, n.image.value)
    if how == "page":
        n.sliders["w1"].set_state({"value": float("nan")})
    else:
        n.sliders["w1"].value = float("nan")
    assert "w1" in n.error and n.message_kind == "error"
    assert n.w1 == before[0] and n.image.value == before[1]
    assert n.sliders["w1"].value == before[0]  # the control shows the setting again
    n.w1 = 0.25  # and the widget keeps working
    assert n.error is None and n.state.w[0] == 0.25


def test_float_sliders_never_echo_and_keep_their_declared_step():
    """The page sends a float slider's value only on a learner's action, and arrows move by step."""
    for cls, kwargs in FACTORIES.values():
        w = cls(**kwargs)
        for name, control in w.controls.items():
            spec = w.setting_spec(name)
            if spec.kind in ("float", "log"):
                assert control.continuous_update is False, (cls.__name__, name)
                assert control.step == spec.step, (cls.__name__, name)


def test_a_kernel_computed_value_is_kept_exactly():
    n = SingleNeuron(lr=0.5)
    n.step()
    w1 = n.w1
    assert n.sliders["w1"].value == w1  # not snapped to the slider's 0.01 grid
    assert round(w1, 2) != w1
