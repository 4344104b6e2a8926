"""Tests of the MNIST views: every artist holds exactly the numbers it was given.

Data is synthetic but shaped like the real thing (784-pixel images, 128
hidden neurons, 10 classes), seeded; the expected arrays are computed
here (reshaped weight columns, class means by a loop), and each picture is
checked for readability as a learner sees it (≤ 830 px wide, text ≥ 11 px,
no overlapping text, no line across text).
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from actviz_widgets.views.mnist import (
    PREDICTED_COLOR,
    SEQUENTIAL_CMAP,
    SIGNED_CMAP,
    TRUE_COLOR,
    HiddenActivityView,
    MisclassifiedView,
    NeuronTimelineView,
    WeightImagesView,
)
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.views.text import fmt


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(13)


def assert_readable(view) -> None:
    assert view.css_size[0] <= 830
    assert readability_problems(view) == []
    assert view.to_png()[:8] == b"\x89PNG\r\n\x1a\n"


# -- (a) weights as images -----------------------------------------------------------------

def test_weight_images_hold_the_reshaped_weights(rng):
    W = rng.normal(0.0, 0.05, size=(784, 128))
    view = WeightImagesView()
    page = np.arange(32, 64)
    view.update(W, page)
    for k, j in enumerate(page):
        np.testing.assert_array_equal(view.images[k].get_array(), W[:, j].reshape(28, 28))
        assert view.labels[k].get_text() == f"neuron {j}"
    # one colour scale for every page: symmetric, from all 128 neurons' weights
    assert view.norm.vmin == -view.norm.vmax
    assert view.norm.vmax >= np.percentile(np.abs(W), 99.5)
    assert view.images[0].get_cmap().name == SIGNED_CMAP
    assert "incoming weight" in view.colorbar.ax.get_ylabel()
    assert "neurons 32–63" in view.title.get_text()
    assert_readable(view)


def test_weight_images_short_page_and_explicit_limit(rng):
    W = rng.normal(size=(784, 128))
    view = WeightImagesView()
    view.update(W, [5, 100, 7], limit=2.5)
    assert [ax.get_visible() for ax in view.tile_axes[:4]] == [True, True, True, False]
    np.testing.assert_array_equal(view.images[1].get_array(), W[:, 100].reshape(28, 28))
    assert (view.norm.vmin, view.norm.vmax) == (-2.5, 2.5)
    assert view.neurons.tolist() == [5, 100, 7]
    assert "3 chosen hidden neurons" in view.title.get_text()
    assert_readable(view)


@pytest.mark.parametrize("weights, neurons, error, words", [
    (np.zeros((64, 8)), [0], ValueError, "784 rows"),
    (np.zeros((784, 8)), list(range(33)), ValueError, "at most 32"),
    (np.zeros((784, 8)), [8], ValueError, r"0\.\.7"),
    (np.zeros((784, 8)), [0.5], TypeError, "neuron indices"),
])
def test_weight_images_bad_input(weights, neurons, error, words):
    with pytest.raises(error, match=words):
        WeightImagesView().update(weights, neurons)


# -- (b, c) hidden activity across samples ---------------------------------------------------

def sorted_hidden(rng, n_per_class=(30, 25, 40, 20, 35, 30, 28, 33, 22, 37), n_hidden=128,
                  signed=False):
    starts = np.concatenate([[0], np.cumsum(n_per_class)])
    values = rng.normal(size=(starts[-1], n_hidden))
    return starts, (np.tanh(values) if signed else np.maximum(values, 0.0))


def test_hidden_activity_holds_the_data_and_class_means(rng):
    starts, hidden = sorted_hidden(rng)
    order = rng.permutation(128)
    view = HiddenActivityView(starts)
    view.set_activations(hidden, order=order, title="test")
    np.testing.assert_array_equal(view.image.get_array(), hidden.T[order])
    assert view.image.get_cmap().name == SEQUENTIAL_CMAP and view.norm.vmin == 0.0
    neuron = int(order[17])
    view.select(neuron)
    x, y = view.dots.get_data()
    np.testing.assert_array_equal(y, hidden[:, neuron])
    np.testing.assert_array_equal(x, np.arange(len(hidden)))
    assert view.row_box.get_y() == 17 - 0.5
    for c in range(10):
        expected = np.mean([hidden[s, neuron] for s in range(starts[c], starts[c + 1])])
        segment = view.means.get_segments()[c]
        assert segment[0, 1] == pytest.approx(expected) == segment[1, 1]
        assert (segment[0, 0], segment[1, 0]) == (starts[c] - 0.5, starts[c + 1] - 0.5)
    share = np.mean(hidden[:, neuron] > 0)
    assert f"{100 * share:.0f} %" in view.neuron_title.get_text()
    assert_readable(view)


def test_hidden_activity_signed_is_diverging_and_keeps_selection(rng):
    starts, hidden = sorted_hidden(rng, signed=True)
    view = HiddenActivityView(starts)
    view.select(3)
    view.set_activations(hidden)
    assert view.image.get_cmap().name == SIGNED_CMAP
    assert view.norm.vmin == -view.norm.vmax > -np.inf
    np.testing.assert_array_equal(view.dots.get_data()[1], hidden[:, 3])  # redrawn for 3
    assert_readable(view)


def test_hidden_activity_bad_input(rng):
    starts, hidden = sorted_hidden(rng)
    with pytest.raises(ValueError, match="class_starts"):
        HiddenActivityView([1, 5, 9])
    view = HiddenActivityView(starts)
    with pytest.raises(ValueError, match="hidden"):
        view.set_activations(hidden[:, :10])
    with pytest.raises(ValueError, match="permutation"):
        view.set_activations(hidden, order=[0] * 128)
    with pytest.raises(ValueError, match="neuron"):
        view.select(128)


# -- (d) maps over training time -------------------------------------------------------------

def timeline(rng, steps, n_hidden=128):
    k = len(steps)
    act = np.abs(rng.normal(size=(n_hidden, k)))
    grad = np.abs(rng.normal(size=(n_hidden, k))) * 1e-2
    grad[-5:, k // 2:] = 0.0  # five neurons die half-way
    act[-5:, k // 2:] = 0.0
    loss = np.linspace(2.3, 0.1, k)
    acc = np.linspace(0.1, 0.97, k)
    return act, grad, loss, acc


def test_timeline_maps_hold_the_records(rng):
    steps = np.array([0, 5, 20, 60, 120, 250, 500, 1000, 1750, 2500])
    act, grad, loss, acc = timeline(rng, steps)
    order = rng.permutation(128)
    view = NeuronTimelineView(steps, steps_per_epoch=250)
    view.set_timeline(steps, act, grad, loss, acc, order=order, title="over time")
    shown = view.act_mesh.get_array()
    np.testing.assert_array_equal(np.ma.getdata(shown).reshape(128, 10), act[order])
    g = view.grad_mesh.get_array()
    assert np.array_equal(np.ma.getmaskarray(g).reshape(128, 10), grad[order] == 0)
    np.testing.assert_array_equal(np.ma.getdata(g).reshape(128, 10), grad[order])
    # columns span the midpoints between recorded steps
    assert view.edges.tolist() == [0, 2.5, 12.5, 40, 90, 185, 375, 750, 1375, 2125, 2500]
    np.testing.assert_array_equal(view.loss_line.get_ydata(), loss)
    np.testing.assert_array_equal(view.acc_line.get_xdata(), steps)
    assert view.act_mesh.get_cmap().name == SEQUENTIAL_CMAP
    assert view.grad_norm.vmax >= grad.max() and view.grad_norm.vmin == view.grad_norm.vmax * 1e-4
    view.select(int(order[3]), 4)
    assert view.row_boxes[0].get_y() == 3 - 0.5
    assert view.cursor_lines[1].get_xdata()[0] == 120
    text = view.readout.get_text()
    assert f"neuron {order[3]} after step 120" in text
    assert "1 epoch = 250 steps" in view.ax_grad.get_xlabel()
    assert_readable(view)


def test_timeline_draws_while_recording(rng):
    steps = np.arange(0, 1100, 100)
    act, grad, loss, acc = timeline(rng, steps)
    view = NeuronTimelineView(steps)
    view.select(0, 8)
    view.set_timeline(steps[:4], act[:, :4], grad[:, :4], loss[:4], acc[:4])
    shown = view.act_mesh.get_array()
    assert np.ma.getmaskarray(shown).reshape(128, 11)[:, 4:].all()
    assert not np.ma.getmaskarray(shown).reshape(128, 11)[:, :4].any()
    assert view.record == 3  # the selection moved to the last record
    assert view.act_mesh.get_animated()  # blitted while records arrive
    view.select(0, 9)
    assert "not recorded yet" in view.readout.get_text()
    # signed activations (tanh) get the diverging map
    view.set_timeline(steps, act - 0.5, grad, loss, acc)
    assert not view.act_mesh.get_animated() and not view.grad_mesh.get_animated()
    assert view.act_mesh.get_cmap().name == SIGNED_CMAP
    assert view.act_norm.vmin == -view.act_norm.vmax
    assert_readable(view)


def test_timeline_bad_input(rng):
    with pytest.raises(ValueError, match="steps"):
        NeuronTimelineView([0, 0, 5])
    steps = np.array([0, 10, 20])
    act, grad, loss, acc = timeline(rng, steps)
    view = NeuronTimelineView(steps)
    with pytest.raises(ValueError, match="first records"):
        view.set_timeline([0, 20], act[:, :2], grad[:, :2], loss[:2], acc[:2])
    with pytest.raises(ValueError, match="magnitudes"):
        view.set_timeline(steps, act, -grad, loss, acc)
    with pytest.raises(ValueError, match="activation"):
        view.set_timeline(steps, act[:5], grad, loss, acc)


# -- (e) misclassified digits ----------------------------------------------------------------

def test_misclassified_holds_images_and_probabilities(rng):
    k = 12
    images = rng.uniform(size=(k, 784))
    probs = rng.dirichlet(np.ones(10) * 0.3, size=k)
    said = probs.argmax(axis=1)
    labels = (said + 1 + rng.integers(0, 9, size=k)) % 10  # always wrong
    view = MisclassifiedView()
    view.update(images, labels, probs, title="mistakes")
    for t in range(k):
        np.testing.assert_array_equal(view.images[t].get_array(), images[t].reshape(28, 28))
        assert [bar.get_height() for bar in view.bars[t]] == pytest.approx(probs[t].tolist())
        assert view.bars[t][said[t]].get_facecolor() == to_rgba(PREDICTED_COLOR)
        assert view.bars[t][labels[t]].get_facecolor() == to_rgba(TRUE_COLOR)
        assert view.captions[t].get_text() == f"true {labels[t]}, said {said[t]}"
    assert view.title.get_text() == "mistakes" and view.shown == 12
    assert_readable(view)
    # fewer mistakes than tiles: the rest are hidden
    view.update(images[:2], labels[:2], probs[:2])
    assert [ax.get_visible() for ax in view.image_axes[:3]] == [True, True, False]
    assert_readable(view)


def test_misclassified_bad_input(rng):
    view = MisclassifiedView()
    with pytest.raises(ValueError, match="probabilities"):
        view.update(np.zeros((13, 784)), np.zeros(13, dtype=int), np.full((13, 10), 0.1))
    with pytest.raises(ValueError, match="labels"):
        view.update(np.zeros((2, 784)), [0, 10], np.full((2, 10), 0.1))


# -- in Chinese ----------------------------------------------------------------------------
def test_the_views_in_chinese_say_the_same_numbers_in_chinese_readably(rng):
    W = rng.normal(size=(784, 128))
    view = WeightImagesView(language="zh")
    view.update(W, [5, 100, 7])
    assert view.title.get_text() == ("选定的 3 个隐藏神经元（共 128 个）的输入权重，每个都画成"
                                     "它所“看”的 28×28 图像")
    assert [t.get_text() for t in view.labels[:3]] == ["神经元 5", "神经元 100", "神经元 7"]
    assert view.colorbar.ax.get_ylabel() == "输入权重 w（像素 → 神经元）"
    assert_readable(view)
    view.update(W, [64])
    assert view.title.get_text().startswith("隐藏神经元 64（共 128 个）的输入权重")

    steps = np.arange(0, 1100, 100)
    act, grad, loss, acc = timeline(rng, steps)
    view = NeuronTimelineView(steps, steps_per_epoch=250, language="zh")
    view.set_timeline(steps[:4], act[:, :4], grad[:, :4], loss[:4], acc[:4], title="时间线")
    view.select(3, 9)
    assert view.readout.get_text() == "神经元 3：第 900 步尚未记录"
    view.select(3, 2)
    row = int(np.flatnonzero(view.order == 3)[0])
    assert view.readout.get_text() == (f"神经元 3，第 200 步之后：平均激活值 ā = "
                                       f"{fmt(act[3, 2])}，平均 |∂L/∂z| = {fmt(grad[3, 2])}")
    assert row == 3 and view.ax_grad.get_xlabel() == "训练步数（平方根刻度；1 轮 = 250 步）"
    assert_readable(view)

    starts = np.array([0, 30, 55, 90])
    view = HiddenActivityView(starts, n_hidden=16, language="zh")
    hidden = np.abs(rng.normal(size=(90, 16))) * (rng.random((90, 16)) < 0.5)
    view.set_activations(hidden, title="激活")
    view.select(4)
    best = int(np.argmax([hidden[a:b, 4].mean() for a, b in zip(starts[:-1], starts[1:])]))
    share = np.mean(hidden[:, 4] > 0)
    assert view.neuron_title.get_text() == (f"神经元 4（上方橙框那一行）：每个数字的 a，橙色横线 = "
                                            f"各类均值，{best} 类最高，在 {100 * share:.0f} % "
                                            "的数字上激活（a > 0）")
    assert_readable(view)

    view = MisclassifiedView(n_tiles=6, language="zh")
    probs = rng.dirichlet(np.ones(10), size=3)
    labels = (probs.argmax(axis=1) + 1) % 10
    view.update(rng.random((3, 784)), labels, probs, title="错例")
    assert [c.get_text() for c in view.captions[:3]] == [
        f"真实 {t}，判为 {s}" for t, s in zip(labels, probs.argmax(axis=1))]
    assert_readable(view)
