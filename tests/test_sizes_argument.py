"""Every widget that builds a network takes its architecture the same way: ``sizes=``."""

from __future__ import annotations

import pytest

from actviz_widgets.widgets.dead_neurons import DeadNeurons
from actviz_widgets.widgets.distributions import Distributions
from actviz_widgets.widgets.gradient_check import GradientCheck
from actviz_widgets.widgets.gradient_health import GradientHealth
from actviz_widgets.widgets.pass_stepper import BackpropStepper
from actviz_widgets.widgets.playground import Playground


@pytest.mark.parametrize("cls", [GradientHealth, DeadNeurons, Distributions])
def test_fixed_width_widgets_read_their_depth_from_sizes(cls):
    w = cls(sizes=[2, 8, 8, 1])
    assert w.depth == 2 and w.net.sizes == [2, 8, 8, 1]
    with pytest.raises(ValueError, match="8 neurons each"):
        cls(sizes=[2, 4, 1])
    with pytest.raises(ValueError, match="start with this widget's 2 input"):
        cls(sizes=[3, 8, 1])
    with pytest.raises(TypeError, match="sizes"):
        cls(sizes="2-8-1")


def test_playground_and_the_others_build_the_network_sizes_says():
    pg = Playground(sizes=[2, 3, 3, 3, 1], batch_size=None)
    assert (pg.hidden_layers, pg.neurons) == (3, 3) and pg.net.sizes == [2, 3, 3, 3, 1]
    assert Playground(dataset="sine", sizes=[1, 5, 1]).net.sizes == [1, 5, 1]
    with pytest.raises(ValueError, match="same width"):
        Playground(sizes=[2, 4, 3, 1])
    assert GradientCheck(sizes=[2, 5, 1]).net.sizes == [2, 5, 1]
    assert BackpropStepper(sizes=[2, 3, 1]).net.sizes == [2, 3, 1]
