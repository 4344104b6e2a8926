"""The activation explorer's, gradient check's, gradient health's and computational graph's
pictures are readable in Chinese, in the states that write their longest Chinese texts.

tests/test_readability.py runs each widget's defaults and extremes in both languages; these
cases add what only some states show: every activation's Chinese name in the table and the
legend, the three-line verdicts and the region labels of the gradient check, the divergence
and dead-layer notes of the gradient health, the sums of a second backward pass and the
counter of every phase of the graph, and the note of points outside an activation curve.
"""

from __future__ import annotations

import re

import pytest

import actviz_widgets as av
from actviz_widgets.engine import EXPRESSION_NAMES
from actviz_widgets.views.activation_plot import ActivationCurvePanel
from actviz_widgets.views.base import FigureView
from actviz_widgets.views.readability import OUTPUT_WIDTH, drawn_texts, readability_problems

CJK = re.compile(r"[\u3400-\u9fff]")
ALL = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu")


def assert_readable_in_chinese(view, least: int = 3) -> list[str]:
    """No readability problem, and at least ``least`` Chinese texts (else it passes trivially)."""
    assert view.css_size[0] <= OUTPUT_WIDTH
    problems = readability_problems(view)
    assert problems == [], "\n".join(problems)
    texts = [box.text for box in drawn_texts(view)]
    assert sum(bool(CJK.search(t)) for t in texts) >= least, texts
    return texts


@pytest.mark.parametrize("first", ["linear", "gelu", "silu"])
def test_explorer_every_activation_named_in_chinese(first):
    rest = [name for name in ALL if name != first]
    w = av.ActivationExplorer(activations=[first, *rest], z=-5.9, depth=20, threshold=0.25,
                              language="zh")
    texts = assert_readable_in_chinese(w.view, least=8)
    assert sum(t.endswith("饱和") for t in texts) >= 4  # the saturated rows say so in Chinese


def test_curve_panel_with_points_outside_in_chinese():
    view = FigureView((4.4, 3.2), language="zh")
    panel = ActivationCurvePanel(view, view.figure.add_subplot(111), activation="gelu",
                                 legend_kwargs={"loc": "lower right"})
    panel.update([-9.0, 0.5, 7.0, 8.0, 9.5], ["z₁", "z₂", "z₃", "z₄", "z₅"], tangent=0.5)
    view.to_png()
    assert panel.clip_note.get_text().startswith("超出所画的 z 范围")
    texts = [box.text for box in drawn_texts(view)]
    assert any(t.startswith("超出所画的 z 范围") for t in texts), texts


@pytest.mark.parametrize("settings, verdict", [
    ({}, "✓ 低于"),
    ({"eps": 0.1, "layer": 2, "i": 2, "j": 0}, "✗ 高于"),
    ({"activation": "relu", "hidden": (8, 8, 8), "eps": 1e-12}, "✗ 高于"),
])
def test_gradient_check_verdicts_and_regions_in_chinese(settings, verdict):
    w = av.GradientCheck(language="zh", **settings)
    texts = assert_readable_in_chinese(w.view, least=10)
    assert w.view.verdict.get_text().startswith(verdict)
    assert any(t.startswith("舍入误差") or t.startswith("截断误差") for t in texts)


def test_gradient_check_zero_gradient_verdict_in_chinese():
    # a ReLU network whose first hidden unit is off for every sample: both gradients are 0
    w = av.GradientCheck(activation="relu", hidden=(4, 3), language="zh")
    for i in range(2):
        for j in range(4):
            w.apply(layer=0, i=i, j=j)
            if w.backprop == 0 and w.numeric == 0:
                assert w.view.verdict.get_text().startswith("两者都恰好为 0")
                assert_readable_in_chinese(w.view)
                return
    pytest.skip("no weight with both gradients exactly 0 in this network")


def test_gradient_health_divergence_note_in_chinese():
    w = av.GradientHealth(depth=10, activation="linear", init="normal", weight_scale=10.0,
                          lr=10.0, language="zh")
    w.train(20)
    assert w.view.note.get_text() == "训练已停止：发散了（见下方说明）"
    assert_readable_in_chinese(w.view)


def test_gradient_health_dead_layer_note_in_chinese():
    w = av.GradientHealth(depth=3, activation="relu", init="he", weight_scale=0.1, lr=10.0,
                          language="zh")
    w.train(30)  # a large step kills the last hidden layer: no gradient reaches the first
    assert w.view.note.get_text() == "第 3 层的神经元全部死亡（每个样本都有 z ≤ 0）"
    assert w.view.verdict.get_text() == "没有梯度传到第一层（‖δ₁‖ = 0）：它无法学习。"
    assert_readable_in_chinese(w.view)


@pytest.mark.parametrize("graph", ["neuron", "reuse", "shared", EXPRESSION_NAMES[-1]])
@pytest.mark.parametrize("mode", ["normal", "accumulate", "wrong_order"])
def test_graph_every_phase_in_chinese(graph, mode):
    w = av.ComputationalGraph(graph=graph, mode=mode, language="zh")
    for k in range(w.n_steps):
        w.go(k)
        assert w.error is None
        assert_readable_in_chinese(w.view)
