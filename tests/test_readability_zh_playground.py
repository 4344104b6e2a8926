"""The playground's picture is readable in Chinese too: no small, clipped or overlapping text.

Chinese strings are wider than English ones; the same checks as
tests/test_readability.py run on the playground built with ``language="zh"``,
at its defaults and at the extremes (largest network with the gradient
overlay, regression, the learner's own data with long scaling labels, a
history step with its status line).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.views.readability import (
    OUTPUT_WIDTH,
    drawn_texts,
    readability_problems,
)

CJK = re.compile(r"[\u3400-\u9fff]")


def assert_readable_in_chinese(widget) -> None:
    view = widget.view
    assert view.language == "zh"
    assert view.css_size[0] <= OUTPUT_WIDTH  # shown at its own size: never scaled down
    problems = readability_problems(view)
    assert problems == [], "\n".join(problems)
    texts = [box.text for box in drawn_texts(view)]
    assert any(CJK.search(t) for t in texts), texts  # (Chinese is really drawn)


def blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(["negative", "positive"], 40)
    X = np.column_stack([rng.normal(1234.5, 300.0, 80), rng.normal(-0.00321, 0.001, 80)])
    X[labels == "positive"] += [600.0, 0.002]
    return X, labels


@pytest.mark.parametrize("kwargs", [
    {},
    {"dataset": "spiral", "hidden_layers": 6, "neurons": 8, "activation": "relu",
     "show_gradients": True},
    {"dataset": "sine", "hidden_layers": 1, "neurons": 2, "show_gradients": True},
    {"hidden_layers": 0},
], ids=["default", "largest-with-gradients", "sine", "no-hidden-layer"])
def test_playground_readable_in_chinese(kwargs):
    w = av.Playground(language="zh", **kwargs)
    w.step(frames=2)
    assert_readable_in_chinese(w)


def test_playground_with_the_learner_s_data_readable_in_chinese():
    X, labels = blobs()
    w = av.Playground(dataset=(X, labels), language="zh", show_gradients=True)
    w.step(frames=3)
    assert "缩放" in w.view.boundary.ax.get_xlabel()
    assert_readable_in_chinese(w)
    rng = np.random.default_rng(1)
    x = rng.uniform(-20000.0, 35000.0, 60)
    w = av.Playground(dataset=(x, np.sin(x / 9000.0) * 250.0 + 1000.0), language="zh")
    w.step(frames=2)
    assert_readable_in_chinese(w)


def test_playground_history_status_readable_in_chinese():
    w = av.Playground(language="zh", hidden_layers=3, neurons=6)
    w.step(frames=6)
    w.view_history(10)
    assert w.state.status.startswith("历史")
    assert_readable_in_chinese(w)
