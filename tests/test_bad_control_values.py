"""Any value a learner or a lesson can push into a setting: a clear error, and nothing changes.

Hypothesis draws settings and bad values (NaN, infinities, huge numbers,
out-of-range numbers, strings, booleans, None, lists) and pushes each into
a widget the two ways it can arrive: from code (``setattr``: a clear
``ValueError``/``TypeError`` naming the setting) and through the setting's
control (as the page or code does: a message under the picture, and the
control shows the setting again). Either way every setting, the drawn
state and the picture stay as they were, and the widget keeps working.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actviz_widgets.widgets.activation_explorer import ActivationExplorer
from actviz_widgets.widgets.gradient_health import GradientHealth
from actviz_widgets.widgets.single_neuron import SingleNeuron

WIDGETS = {"neuron": SingleNeuron(), "explorer": ActivationExplorer(),
           "health": GradientHealth(depth=1)}
BAD = st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf),
                st.floats(min_value=1e6, max_value=1e300),
                st.floats(max_value=-1e6, min_value=-1e300),
                st.text(max_size=5), st.booleans(), st.none(), st.lists(st.integers(), max_size=3))
CASES = [(key, name) for key, w in WIDGETS.items() for name in w.setting_names()
         if name != "preset"]


def snapshot(w):
    return w.settings(), w.image.value


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), bad=BAD)
def test_a_bad_value_from_code_is_refused_by_name_and_changes_nothing(case, bad):
    key, name = case
    w = WIDGETS[key]
    before = snapshot(w)
    with pytest.raises((ValueError, TypeError), match=name):
        setattr(w, name, bad)
    assert snapshot(w) == before


@pytest.mark.parametrize("case", [(k, n) for k, n in CASES
                                  if WIDGETS[k].setting_spec(n).kind in ("float", "log")],
                         ids=lambda c: f"{c[0]}-{c[1]}")
@pytest.mark.parametrize("how", ["page", "code"])
def test_nan_through_a_control_is_a_message_and_the_control_goes_back(case, how):
    # (a slider clamps ±inf and huge numbers to its ends by itself: only NaN gets through)
    key, name = case
    w = WIDGETS[key]
    before = snapshot(w)
    control = w.controls[name]
    if how == "page":
        control.set_state({"value": math.nan})
    else:
        control.value = math.nan
    assert w.message_kind == "error" and name in w.error
    assert snapshot(w) == before
    assert control.value == getattr(w, name)  # the control shows the setting
    w.refresh()  # and the widget keeps working
    assert w.error is None
