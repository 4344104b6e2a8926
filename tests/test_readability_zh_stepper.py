"""The backprop stepper's and the single neuron's pictures are readable in Chinese too.

Chinese strings are wider than their English: the same cases as
tests/test_readability.py (defaults, every kind of step, the largest network,
long numbers, the longest equations, a batch), built with ``language="zh"``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.engine.network import MLP
from actviz_widgets.views.readability import (
    OUTPUT_WIDTH,
    drawn_texts,
    readability_problems,
)

CJK = re.compile(r"[\u3400-\u9fff]")


def assert_readable_in_chinese(widget) -> None:
    view = widget.view
    assert view.css_size[0] <= OUTPUT_WIDTH
    problems = readability_problems(view)
    assert problems == [], "\n".join(problems)
    texts = [box.text for box in drawn_texts(view)]
    # (a picture with no Chinese would pass trivially)
    assert any(CJK.search(text) for text in texts), texts


def test_single_neuron_readable_in_chinese():
    w = av.SingleNeuron(language="zh")
    w.step()
    assert_readable_in_chinese(w)
    for activation in ("tanh", "relu", "linear"):
        assert_readable_in_chinese(av.SingleNeuron(activation=activation, language="zh"))
    w = av.SingleNeuron(x1=-5.0, x2=4.999, w1=-4.987, w2=4.95, b=-5.0, y=-2.0,
                        activation="linear", lr=10.0, language="zh")
    for _ in range(3):
        w.step()
    assert_readable_in_chinese(w)
    assert_readable_in_chinese(av.SingleNeuron(x1=-0.000123456, x2=0.00456, w1=0.000123, b=0.0,
                                               loss="bce", y=1.0, language="zh"))


@pytest.mark.parametrize("loss", ["bce", "mse", "cross_entropy"])
def test_pass_stepper_readable_in_chinese_at_every_step(loss):
    sizes = [2, 3, 2, 2] if loss == "cross_entropy" else [2, 3, 2, 1]
    w = av.BackpropStepper(net=MLP(sizes, activation="tanh", loss=loss, seed=0), language="zh")
    for k in range(w.n_steps):
        w.go(k)
        assert_readable_in_chinese(w)


def test_pass_stepper_readable_in_chinese_at_its_extremes():
    sizes = (2, 8, 8, 8, 8, 8, 8, 1)
    w = av.BackpropStepper(sizes=sizes, language="zh")
    w.go(w.stepper.n_steps - 3)
    assert_readable_in_chinese(w)
    w.view.update(w.stepper, "delta", selected=(len(sizes) - 1, 0))
    assert_readable_in_chinese(w)
    w.view.update(w.stepper, "z", selected=(6, 7))
    assert_readable_in_chinese(w)


def test_pass_stepper_readable_in_chinese_for_a_batch():
    X = np.random.default_rng(3).uniform(-1, 1, (5, 3))
    w = av.BackpropStepper(net=MLP([3, 4, 1], activation="relu", loss="mse", seed=1), X=X,
                           y=np.ones((5, 1)), language="zh")
    for k in (1, 3, 4, w.n_steps - 1):
        w.go(k)
        assert_readable_in_chinese(w)
    w.sample = 2
    w.neuron = (1, 3)
    assert_readable_in_chinese(w)
