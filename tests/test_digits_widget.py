"""Tests of the digits case study widget and its view (headless, Agg).

Everything drawn is recomputed here from the trained weights with NumPy
written out by hand: the forward pass, softmax, the confusion matrix and the
class means by loops, and δ = ∂L/∂z of the hidden layer from
δ_out = p − onehot(y) and the ReLU/tanh derivative.
"""

from __future__ import annotations

import threading

import ipywidgets as widgets
import numpy as np
import pytest

from actviz_widgets.engine import load_digits
from actviz_widgets.engine.case_study import DIGITS_RECIPE, train_digits
from actviz_widgets.views.digits import bar_heights, bar_verts, colour_limit
from actviz_widgets.widgets import digits as digits_module
from actviz_widgets.widgets.digits import DigitsCaseStudy, DigitsState
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)

def page_sends(control: widgets.Widget, value) -> None:
    """What the page sends when the learner moves ``control`` to ``value``."""
    if isinstance(control, widgets.Dropdown):
        control.set_state({"index": [v for _, v in control.options].index(value)})
    else:
        control.set_state({"value": value})


HIDDEN = {"relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
          "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2)}


@pytest.fixture
def widget():
    """A new widget for each test: no test sees what another one did."""
    return DigitsCaseStudy()


@pytest.fixture(scope="module")
def sorted_test():
    ds = load_digits()
    order = np.argsort(ds.y_test, kind="stable")
    return ds.X_test[order], ds.y_test[order]


def reference(w: DigitsCaseStudy, X: np.ndarray, y: np.ndarray) -> dict:
    """The whole picture recomputed from the widget's trained weights."""
    f, df = HIDDEN[w.activation]
    (W0, W1), (b0, b1) = w.net.weights, w.net.biases
    z1 = X @ W0 + b0
    a1 = f(z1)
    logits = a1 @ W1 + b1
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    pred = p.argmax(axis=1)
    cm = np.zeros((10, 10), dtype=int)
    for t, q in zip(y, pred):
        cm[t, q] += 1
    means = np.array([a1[y == c].mean(axis=0) for c in range(10)])
    k, j = w.position, w.neuron
    d_out = p[k] - np.eye(10)[y[k]]
    delta = (d_out @ W1.T) * df(z1[k])
    return dict(a1=a1, p=p, pred=pred, cm=cm, means=means, delta=delta, k=k, j=j)


def check_picture(w: DigitsCaseStudy, X: np.ndarray, y: np.ndarray) -> None:
    """Model arrays and drawn artists against :func:`reference`."""
    assert w.error is None
    r = reference(w, X, y)
    k, j = r["k"], r["j"]
    v = w.view
    np.testing.assert_allclose(w.hidden, r["a1"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.probabilities, r["p"], rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(w.confusion, r["cm"])
    np.testing.assert_allclose(w.class_mean, r["means"], rtol=1e-12, atol=1e-12)
    assert w.accuracy == pytest.approx(np.trace(r["cm"]) / len(y), abs=1e-15)
    np.testing.assert_allclose(w.sample_delta, r["delta"], rtol=1e-9, atol=1e-15)
    # the network-wide pictures
    np.testing.assert_allclose(v.hidden.image.get_array(), r["a1"].T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v.means.image.get_array(), r["means"].T, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(v.confusion.values, r["cm"])
    assert v.confusion.cell_texts[10 * 3 + 3].get_text() == str(r["cm"][3, 3])
    # the chosen digit
    np.testing.assert_array_equal(v.digit.image.get_array(), X[k].reshape(8, 8))
    np.testing.assert_allclose(bar_heights(v.prob_bars), r["p"][k], rtol=1e-10, atol=1e-14)
    assert list(np.asarray(v.prob_bars.get_linewidths()) > 0) == [c == y[k] for c in range(10)]
    heights = bar_heights(v.delta_bars) * v.delta_limit
    np.testing.assert_allclose(heights, r["delta"], rtol=1e-9, atol=1e-15)
    assert np.abs(r["delta"]).max() <= v.delta_limit < 5 * max(np.abs(r["delta"]).max(), 1e-300)
    assert list(v.sample_line.get_xdata()) == [k, k]
    assert v.confusion_cell.get_xy() == (r["pred"][k] - 0.5, y[k] - 0.5)
    assert f"test digit {k}: a {y[k]}" == v.digit.title.get_text()
    # the chosen neuron
    np.testing.assert_allclose(v.neuron_line.get_ydata(), r["a1"][:, j], rtol=1e-12, atol=1e-12)
    assert list(v.neuron_dot.get_xdata()) == [k]
    assert v.neuron_row.get_y() == j - 0.5 and v.neuron_row_means.get_y() == j - 0.5
    incoming = w.net.weights[0][:, j]
    np.testing.assert_allclose(v.weights.image.get_array(),
                               (incoming / np.abs(incoming).max()).reshape(8, 8), rtol=1e-12)
    widths = np.asarray(v.delta_bars.get_linewidths())
    assert widths[j] > widths[(j + 1) % 32] and np.count_nonzero(widths == widths[j]) == 1
    faces = v.delta_bars.get_facecolors()
    assert ((faces[:, 0] > faces[:, 2]) == (r["delta"] >= 0)).all()  # red ≥ 0, blue < 0
    assert v.selection == (k, j)
    # the state is what is drawn
    s = w.state
    assert isinstance(s, DigitsState) and (s.position, s.neuron) == (k, j)
    assert (s.label, s.predicted, s.activation) == (y[k], r["pred"][k], w.activation)
    np.testing.assert_array_equal(s.image, X[k])
    np.testing.assert_array_equal(s.delta, w.sample_delta)
    np.testing.assert_allclose(s.probabilities, r["p"][k], rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(s.incoming, incoming)


def test_default_widget_is_trained_to_95_percent_and_drawn(sorted_test, monkeypatch):
    X, y = sorted_test
    reported = []
    real = digits_module.train_digits

    def recording(*args, on_epoch, **kwargs):
        def report(done, total, trainer):
            reported.append((done, total))
            on_epoch(done, total, trainer)
        return real(*args, on_epoch=report, **kwargs)

    monkeypatch.setattr(digits_module, "train_digits", recording)
    threads = threading.active_count()
    widget = DigitsCaseStudy()
    assert threading.active_count() == threads  # trained in the kernel's own thread
    epochs = DIGITS_RECIPE["epochs"]
    assert reported == [(k, epochs) for k in range(epochs + 1)]  # the bar followed each epoch
    assert widget.progress.description == "trained" and widget.progress.bar_style == "success"
    assert repr(widget) == "DigitsCaseStudy(activation='relu', sample=0, neuron=0)"
    assert widget.net.sizes == [64, 32, 10] and widget.net.activation_names == ["relu", "linear"]
    np.testing.assert_array_equal(widget.X_sorted, X)
    np.testing.assert_array_equal(widget.y_sorted, y)
    assert widget.class_starts.tolist() == [0] + np.cumsum(np.bincount(y)).tolist()
    # the same recipe, run again here, gives the same weights bit for bit
    again = train_digits("relu", load_digits(), seed=0).net
    for a, b in zip(widget.net.weights + widget.net.biases, again.weights + again.biases):
        np.testing.assert_array_equal(a, b)
    assert widget.accuracy >= 0.95
    assert widget.progress.value == widget.progress.max == DIGITS_RECIPE["epochs"]
    assert f"{100 * widget.accuracy:.1f} %" in widget.status.value
    assert f"{100 * widget.accuracy:.1f} %" in widget.view.title.get_text()
    check_picture(widget, X, y)
    assert widget.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_sliders_move_the_digit_and_the_neuron(widget, sorted_test):
    X, y = sorted_test
    for k, j in ((123, 7), (358, 31), (0, 0), (200, 15)):
        with widget.batch():
            widget.sample_slider.value = k
            widget.neuron_slider.value = j
        assert (widget.position, widget.neuron, widget.label) == (k, j, y[k])
        check_picture(widget, X, y)
    widget.neuron_slider.value = 4  # one control alone
    check_picture(widget, X, y)


def test_a_wrong_prediction_is_called_wrong(widget, sorted_test):
    X, y = sorted_test
    wrong = np.flatnonzero(widget.predicted != y)
    assert len(wrong) == len(y) - np.trace(widget.confusion) > 0
    widget.sample_slider.value = int(wrong[0])
    assert "WRONG" in widget.view.prob_title.get_text()
    widget.sample_slider.value = int(np.flatnonzero(widget.predicted == y)[0])
    assert widget.view.prob_title.get_text().endswith(", right")
    check_picture(widget, X, y)


def test_changing_the_activation_retrains_with_a_progress_bar(widget, sorted_test):
    X, y = sorted_test
    seen = []
    widget.progress.observe(lambda change: seen.append(change["new"]), names="value")
    page_sends(widget.activation_dropdown, "tanh")
    epochs = DIGITS_RECIPE["epochs"]
    assert seen[0] == 0 and seen[-1] == epochs and seen == sorted(seen)
    assert set(range(epochs + 1)) <= set(seen)  # every epoch was reported
    assert widget.train_seconds is not None
    assert widget.net.activation_names == ["tanh", "linear"]
    assert widget.accuracy >= 0.95
    assert "tanh" in widget.view.title.get_text()
    check_picture(widget, X, y)
    # the y scale of the neuron curve and the colour scales follow the network
    assert widget.view.ax_neuron.get_ylim() == (-1.0, 1.0)
    assert widget.view.hidden.norm.vmax == colour_limit(widget.hidden) == 1.0
    # back to ReLU: kept, not retrained
    seen.clear()
    widget.activation_dropdown.value = "relu"
    assert widget.train_seconds is None and seen == []  # no training: the bar stays full
    assert widget.progress.value == epochs
    assert "kept" in widget.status.value
    check_picture(widget, X, y)


def test_a_failed_training_leaves_the_widget_as_it_was(widget, sorted_test, monkeypatch):
    X, y = sorted_test
    before = [w.copy() for w in widget.net.weights]

    def broken(*args, **kwargs):
        raise FloatingPointError("training diverged (simulated)")

    monkeypatch.setattr(digits_module, "train_digits", broken)
    page_sends(widget.activation_dropdown, "gelu")
    assert "simulated" in widget.error and widget.message_kind == "error"
    assert widget.activation == widget.activation_dropdown.value == "relu"
    assert widget.progress.description == "failed"
    for a, b in zip(before, widget.net.weights):
        np.testing.assert_array_equal(a, b)
    widget.sample_slider.value = 17  # and it keeps working
    check_picture(widget, X, y)


def test_colour_limit_rounds_the_high_percentile_up():
    assert colour_limit(np.linspace(0, 4.3, 1001)) == 5.0
    assert colour_limit([-0.93, 0.1]) == 1.0
    assert colour_limit(np.zeros(5)) == 1.0
    values = np.concatenate([np.full(999, 2.0), [50.0]])  # one outlier does not set the scale
    assert colour_limit(values) == 2.0


def test_bar_verts_span_zero_to_each_height():
    v = bar_verts([0.5, -2.0], 0.6)
    np.testing.assert_allclose(v[1], [[0.7, 0.0], [0.7, -2.0], [1.3, -2.0], [1.3, 0.0]])
    assert v.shape == (2, 4, 2)


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match="activation must be one of"):
        DigitsCaseStudy(activation="sigmoidal")
    with pytest.raises(ValueError, match="sample must be between 0 and 358; got 359"):
        DigitsCaseStudy(sample=359)
    with pytest.raises(ValueError, match="neuron must be between 0 and 31; got 32"):
        DigitsCaseStudy(neuron=32)
    with pytest.raises(TypeError, match="sample must be an integer"):
        DigitsCaseStudy(sample=2.5)
    with pytest.raises(ValueError, match="seed"):
        DigitsCaseStudy(seed=-1)


def test_100_random_control_changes_leave_a_consistent_state(sorted_test):
    X, y = sorted_test
    rng = np.random.default_rng(5)
    w = DigitsCaseStudy(activation="tanh", sample=10, neuron=3)
    switches = 0
    for step in range(100):
        what = rng.integers(25)
        if what == 0:  # rare: each switch redraws the whole figure
            before = w.activation
            page_sends(w.activation_dropdown, str(rng.choice(["tanh", "relu"])))
            switches += w.activation != before
        elif what < 8:
            page_sends(w.sample_slider, int(rng.integers(len(y))))
        elif what < 15:
            w.sample = int(rng.integers(len(y)))
        else:
            page_sends(w.neuron_slider, int(rng.integers(32)))
        assert w.error is None
        assert (w.sample_slider.value, w.neuron_slider.value) == (w.sample, w.neuron)
        assert w.view.selection == (w.position, w.neuron)
        if step % 33 == 0:
            check_picture(w, X, y)
    assert switches >= 2  # the sequence did retrain / fetch a kept network
    check_picture(w, X, y)


# -- every control from the page, in both orders with code --------------------------------
@pytest.mark.parametrize("name, v1, v2", [("sample", 123, 300), ("neuron", 7, 30)])
def test_the_learners_value_wins_over_earlier_code_values(widget, sorted_test, name, v1, v2):
    X, y = sorted_test
    setattr(widget, name, v1)
    setattr(widget, name, v2)
    page_sends(widget.controls[name], v1)
    assert getattr(widget, name) == widget.controls[name].value == v1
    assert (widget.position if name == "sample" else widget.neuron) == v1
    check_picture(widget, X, y)
    # and the other order: the page first, then code
    page_sends(widget.controls[name], v2)
    check_picture(widget, X, y)
    setattr(widget, name, v1)
    assert widget.controls[name].value == v1
    check_picture(widget, X, y)


def test_the_activation_from_the_page_and_from_code(widget, sorted_test):
    X, y = sorted_test
    widget.activation = "tanh"
    widget.activation = "relu"  # kept: no training
    page_sends(widget.activation_dropdown, "tanh")  # kept too
    assert widget.activation == "tanh" and widget.net.activation_names == ["tanh", "linear"]
    assert widget.train_seconds is None and widget.state.activation == "tanh"
    check_picture(widget, X, y)
    page_sends(widget.activation_dropdown, "relu")
    widget.activation = "tanh"
    assert widget.activation_dropdown.value == "tanh" and widget.state.activation == "tanh"
    check_picture(widget, X, y)


def test_refused_values_leave_everything_as_it_was(widget, sorted_test):
    X, y = sorted_test
    widget.apply(sample=40, neuron=5)
    before, png = widget.settings(), widget.image.value
    for name, value, error, words in [
            ("sample", 359, ValueError, "sample must be between 0 and 358"),
            ("sample", -1, ValueError, "sample must be between 0 and 358"),
            ("neuron", 32, ValueError, "neuron must be between 0 and 31"),
            ("neuron", 3.0, TypeError, "neuron must be an integer"),
            ("activation", "sigmoidal", ValueError, "activation must be one of")]:
        with pytest.raises(error, match=words):
            setattr(widget, name, value)
        assert widget.settings() == before and widget.controls[name].value == before[name]
    with pytest.raises(ValueError, match="neuron must be between"):
        widget.apply(sample=100, neuron=40)  # all or nothing
    assert widget.settings() == before and widget.image.value == png
    page_sends(widget.sample_slider, 1000)  # beyond the end: the slider stops at it
    assert widget.sample == widget.sample_slider.value == 358
    check_picture(widget, X, y)


def test_state_is_a_read_only_snapshot(widget):
    state = widget.state
    with pytest.raises(AttributeError):
        widget.state = state
    with pytest.raises(ValueError):
        state.delta[0] = 1.0
    widget.sample = 99
    assert state.position == 0 and widget.state.position == 99


# -- language --------------------------------------------------------------------------------

def test_in_chinese_the_controls_status_and_picture_speak_chinese(sorted_test):
    X, y = sorted_test
    w = DigitsCaseStudy(language="zh")
    assert w.language == w.view.language == "zh"
    assert_speaks_chinese(w)
    r = reference(w, X, y)
    accuracy = f"{100 * np.mean(r['pred'] == y):.1f}"
    assert w.progress.description == "已训练"
    assert w.status.value.startswith("ReLU：训练用时 ")
    assert w.status.value.endswith(f"（用 Adam 训练 {DIGITS_RECIPE['epochs']} 轮）；测试准确率 "
                                   f"<b>{accuracy} %</b>")
    assert w.view.title.get_text() == (
        f"手写数字：64-32-10 网络，隐藏单元用 ReLU · 359 个测试数字中 {accuracy} % 分类正确")
    wrong = int(np.flatnonzero(r["pred"] != y)[0])
    w.sample_slider.value = wrong
    assert w.view.digit.title.get_text() == f"测试数字 {wrong}：真实为 {y[wrong]}"
    assert w.view.prob_title.get_text().startswith(f"输出：判为 {r['pred'][wrong]}（p = ")
    assert w.view.prob_title.get_text().endswith("），错误")
    w.activation_dropdown.value = "linear"
    assert dict((v, k) for k, v in w.activation_dropdown.options)["linear"] == "线性（恒等）"
    assert "隐藏单元用 线性（恒等）" in w.view.title.get_text()
    assert w.status.value.startswith("线性（恒等）：训练用时 ")
    assert_speaks_chinese(w)


def test_in_english_the_texts_are_the_english_ones(widget):
    assert control_texts(widget) == {
        "activation": ("hidden activation", ""),
        "sample": ("test digit (sorted by class)",
                   "the digits are sorted by class: 0s first, 9s last"),
        "neuron": ("hidden neuron", "")}
    assert [label for label, _ in widget.activation_dropdown.options] == [
        "linear (identity)", "sigmoid", "tanh", "ReLU", "Leaky ReLU", "ELU", "softplus",
        "GELU (tanh approx.)", "SiLU (swish)"]
    accuracy = f"{100 * widget.accuracy:.1f}"
    assert widget.status.value.startswith("ReLU: trained in ")
    assert widget.status.value.endswith(f" s ({DIGITS_RECIPE['epochs']} epochs of Adam); test "
                                        f"accuracy <b>{accuracy} %</b>")
    texts = picture_texts(widget.view)
    for line in ("hidden activations a: each column is one test digit, each row one neuron",
                 "the 359 test digits, sorted by class (true class below)", "hidden neuron",
                 "activation a", "mean activation per class", "mean activation a",
                 "weight w / max|w|", "class (black outline: the true one)",
                 "δ = ∂L/∂z per hidden neuron", "δ = ∂L/∂z", "predicted class", "true class",
                 f"confusion (test: {accuracy} % right)", "test digit 0: a 0",
                 "neuron 0: its activation for each test digit (row 0 of the heatmap above)",
                 "what excites neuron 0:"):
        assert line in texts, line
    assert widget.view.title.get_text() == (
        f"Digits: a 64-32-10 network, ReLU hidden units · {accuracy} % of 359 test digits right")
    assert not any(CJK.search(t) for t in texts)


def test_the_switch_gives_chinese_to_widgets_built_without_a_language():
    with current_language("zh"):
        w = DigitsCaseStudy()
    assert w.language == "zh" and w.neuron_slider.description == "隐藏神经元"
    assert w.view.means.title.get_text() == "各类别的平均激活值"
