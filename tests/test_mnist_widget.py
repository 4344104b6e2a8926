"""Tests of the MNIST classifier widget (headless, Agg).

One short training (1 epoch, 12 records) is shared by the module.  Everything
the widget shows is recomputed here from the run's weights with NumPy
written out by hand (forward pass, softmax, class means by loops, the
misclassified digits by sorting), or read from the engine's own timeline;
every setting is also driven from the page's side (``control.set_state``),
in both orders with code.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from actviz_widgets.engine.mnist import load_mnist, recording_steps, train_mnist_classifier
from actviz_widgets.i18n import tr
from actviz_widgets.views.mnist import (
    HiddenActivityView,
    MisclassifiedView,
    NeuronTimelineView,
    WeightImagesView,
)
from actviz_widgets.views.readability import readability_problems
from actviz_widgets.widgets import mnist as mnist_module
from actviz_widgets.widgets.mnist import (
    MISTAKES_PER_PAGE,
    PAGE_SIZE,
    MnistClassifier,
    MnistState,
    _openblas_controls,
    one_blas_thread,
)
from language_checks import (
    CJK,
    assert_speaks_chinese,
    control_texts,
    current_language,
    picture_texts,
)

EPOCHS, RECORDS = 1, 12


@pytest.fixture(scope="module")
def data():
    return load_mnist()


@pytest.fixture(scope="module")
def run(data):
    with one_blas_thread():
        return train_mnist_classifier(data, epochs=EPOCHS, record=RECORDS)


@pytest.fixture
def widget(run):
    return MnistClassifier(run)


def reference(run, data) -> dict:
    """The pictures' numbers from the run's weights, by hand."""
    (W0, W1), (b0, b1) = run.net.weights, run.net.biases
    order = np.argsort(data.y_test, kind="stable")
    X, y = data.X_test[order], data.y_test[order]
    hidden = np.maximum(X @ W0 + b0, 0.0)
    logits = hidden @ W1 + b1
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    means = np.array([[hidden[y == c, j].mean() for j in range(128)] for c in range(10)])
    # misclassified, in the test split's order, most confident first (stable)
    h_all = np.maximum(data.X_test @ W0 + b0, 0.0)
    l_all = h_all @ W1 + b1
    e_all = np.exp(l_all - l_all.max(axis=1, keepdims=True))
    p_all = e_all / e_all.sum(axis=1, keepdims=True)
    wrong = [i for i in range(len(data.y_test)) if p_all[i].argmax() != data.y_test[i]]
    wrong.sort(key=lambda i: -p_all[i].max())
    return dict(order=order, y=y, hidden=hidden, p=p, means=means, wrong=np.array(wrong),
                p_wrong=p_all[wrong])


def check(w: MnistClassifier, run, data) -> None:
    """The widget's arrays, its drawn artists and its state against :func:`reference`."""
    assert w.error is None
    r = reference(run, data)
    np.testing.assert_array_equal(w.order, r["order"])
    np.testing.assert_allclose(w.hidden, r["hidden"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.probabilities, r["p"], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(w.class_mean, r["means"], rtol=1e-10, atol=1e-12)
    assert w.accuracy == np.mean(r["p"].argmax(axis=1) == r["y"])
    np.testing.assert_array_equal(w.mistakes, r["wrong"])
    j, s = w.neuron, w.state
    assert isinstance(s, MnistState) and s.picture == w.picture and s.neuron == j
    assert s.preferred_class == int(np.argmax(r["means"][:, j]))
    np.testing.assert_allclose(s.class_mean, r["means"][:, j], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s.neuron_activations, r["hidden"][:, j], rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_array_equal(s.incoming, run.net.weights[0][:, j])
    tl = run.timeline
    assert s.step == tl.steps[w.record] and s.record == w.record
    assert s.record_activation == tl.activation[j, w.record]
    assert s.record_gradient == tl.gradient[j, w.record]
    first = w.mistakes_page * MISTAKES_PER_PAGE
    np.testing.assert_array_equal(s.mistakes, r["wrong"][first:first + MISTAKES_PER_PAGE])
    np.testing.assert_allclose(s.mistake_probabilities,
                               r["p_wrong"][first:first + MISTAKES_PER_PAGE], rtol=1e-9,
                               atol=1e-14)
    np.testing.assert_array_equal(s.page_neurons, np.arange(w.page * PAGE_SIZE,
                                                            (w.page + 1) * PAGE_SIZE))
    v = w.view
    if w.picture == "weights":
        assert isinstance(v, WeightImagesView)
        for k, n in enumerate(s.page_neurons):
            np.testing.assert_array_equal(v.images[k].get_array(),
                                          run.net.weights[0][:, n].reshape(28, 28))
            assert v.labels[k].get_text() == tr("mnist.tile_label", w.language, neuron=n)
    elif w.picture == "activity":
        assert isinstance(v, HiddenActivityView)
        np.testing.assert_allclose(v.values, r["hidden"].T[w.neuron_rows], rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_allclose(v.dots.get_ydata(), r["hidden"][:, j], rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_allclose(v.class_mean, r["means"][:, j], rtol=1e-10, atol=1e-12)
        assert v.neuron == j
    elif w.picture == "timeline":
        assert isinstance(v, NeuronTimelineView)
        row = int(np.flatnonzero(v.order == j)[0])
        np.testing.assert_array_equal(v.activation[:, :tl.n_records], tl.activation[v.order])
        assert v.activation[row, w.record] == tl.activation[j, w.record]
        assert (v.neuron, v.record) == (j, w.record)
        assert list(v.cursor_lines[0].get_xdata()) == [tl.steps[w.record]] * 2
    else:
        assert isinstance(v, MisclassifiedView)
        shown = r["wrong"][first:first + MISTAKES_PER_PAGE]
        assert v.shown == len(shown)
        for k, i in enumerate(shown):
            np.testing.assert_array_equal(v.images[k].get_array(),
                                          data.X_test[i].reshape(28, 28))
            heights = [bar.get_height() for bar in v.bars[k]]
            np.testing.assert_allclose(heights, r["p_wrong"][first + k], rtol=1e-9, atol=1e-14)
            assert v.captions[k].get_text() == tr("mnist.caption", w.language,
                                                  true=data.y_test[i],
                                                  said=r["p_wrong"][first + k].argmax())


# -- one BLAS thread -------------------------------------------------------------------------
def test_one_blas_thread_sets_one_and_restores():
    controls = _openblas_controls()
    if controls is None:
        pytest.skip("NumPy's BLAS is not a bundled OpenBLAS")
    getter, setter = controls
    before = getter()
    with one_blas_thread():
        assert getter() == 1
    assert getter() == before
    with pytest.raises(RuntimeError):  # restored after an error too
        with one_blas_thread():
            raise RuntimeError("inside")
    assert getter() == before


# -- what is drawn ---------------------------------------------------------------------------
def test_every_picture_shows_the_runs_numbers(widget, run, data):
    assert widget.net is not run.net and widget.net.sizes == [784, 128, 10]
    assert widget.record == RECORDS - 1 and widget.controls["record"].max == RECORDS - 1
    wrong = len(widget.mistakes)
    assert widget.controls["mistakes_page"].max == math.ceil(wrong / MISTAKES_PER_PAGE) - 1
    for picture, settings in [("weights", dict(page=2)), ("activity", dict(neuron=17)),
                              ("timeline", dict(neuron=5, record=3)),
                              ("mistakes", dict(mistakes_page=1)),
                              ("weights", dict(page=3, neuron=127)),
                              ("timeline", dict(record=0))]:
        widget.apply(picture=picture, **settings)
        check(widget, run, data)
        assert readability_problems(widget.view) == []
    assert f"{100 * widget.accuracy:.1f} %" in widget.status.value
    assert f"{wrong} of 2000" in widget.status.value


def test_only_the_selectors_of_the_picture_are_shown(widget):
    uses = {"weights": {"page"}, "activity": {"neuron"}, "timeline": {"neuron", "record"},
            "mistakes": {"mistakes_page"}}
    for picture, names in uses.items():
        widget.picture_toggle.set_state({"index": [v for _, v in widget.picture_toggle.options]
                                         .index(picture)})
        assert widget.picture == picture
        shown = {n for n in ("neuron", "page", "record", "mistakes_page")
                 if widget.controls[n].layout.display != "none"}
        assert shown == names


def test_the_run_is_never_changed(widget, run):
    before = [a.copy() for a in run.net.weights]
    widget.net.weights[0][0, 0] += 1.0
    np.testing.assert_array_equal(run.net.weights[0], before[0])


# -- training ----------------------------------------------------------------------------
def test_built_without_a_run_it_trains_the_recipe_with_a_progress_bar(data, monkeypatch):
    seen, threads_in = [], []
    real = mnist_module.train_mnist_classifier

    def recording(*args, on_record, **kwargs):
        def report(trainer, timeline):
            seen.append(timeline.n_records)
            threads_in.append(_openblas_controls()[0]() if _openblas_controls() else 1)
            on_record(trainer, timeline)
        return real(*args, on_record=report, **kwargs)

    monkeypatch.setattr(mnist_module, "train_mnist_classifier", recording)
    threads = threading.active_count()
    w = MnistClassifier(data=data, epochs=EPOCHS, records=RECORDS, seed=3)
    assert threading.active_count() == threads  # trained in the kernel's own thread
    assert seen == list(range(1, RECORDS + 1)) and set(threads_in) == {1}
    assert (w.progress.value, w.progress.max, w.progress.description) == (RECORDS, RECORDS,
                                                                          "trained")
    with one_blas_thread():
        again = real(data, epochs=EPOCHS, record=RECORDS, seed=3)
    for a, b in zip(w.net.weights + w.net.biases, again.net.weights + again.net.biases):
        np.testing.assert_array_equal(a, b)
    check(w, again, data)
    assert w.state.pending is None and w.message_kind is None


def test_train_button_trains_the_settings_and_draws_live(widget, data):
    widget.picture = "timeline"
    frames = []
    # the frames the page gets: the picture's own front end holds them in "png", the core
    # Image fallback in "value"
    trait = "png" if widget.image.has_trait("png") else "value"
    widget.image.observe(lambda change: frames.append(change["new"]), names=trait)
    widget.epochs = 2
    assert widget.state.pending == ("relu", 2, 0) and "Press Train" in widget.message.value
    widget.train_button.click()
    assert widget.error is None and widget.state.pending is None
    assert widget.message_kind is None and widget.trained_with == ("relu", 2, 0)
    per_epoch = math.ceil(data.n_train / 32)
    np.testing.assert_array_equal(widget.timeline.steps, recording_steps(2 * per_epoch, 60))
    assert len(frames) >= 2  # live frames while training, then the final one
    with one_blas_thread():
        ref = train_mnist_classifier(data, epochs=2, record=widget.timeline.steps.tolist())
    for a, b in zip(widget.net.weights, ref.net.weights):
        np.testing.assert_array_equal(a, b)
    assert widget.record == 59 and widget.timeline.n_records == 60
    check(widget, ref, data)


def test_a_failed_training_keeps_the_network_shown(widget, run, data, monkeypatch):
    def broken(*args, on_record, **kwargs):
        raise FloatingPointError("diverged (simulated)")

    monkeypatch.setattr(mnist_module, "train_mnist_classifier", broken)
    widget.apply(picture="timeline", seed=5)
    widget.train_button.click()
    assert "simulated" in widget.error and widget.progress.description == "failed"
    assert widget.trained_with == ("relu", EPOCHS, 0)
    widget.neuron = 9  # and it keeps working, with the old run
    check(widget, run, data)


# -- settings from the page and from code -------------------------------------------------------
def page_send(control, value):
    if hasattr(control, "options"):
        control.set_state({"index": [v for _, v in control.options].index(value)})
    else:
        control.set_state({"value": value})


CASES = [("neuron", 7, 120), ("page", 1, 3), ("record", 2, 9), ("mistakes_page", 1, 0),
         ("picture", "activity", "mistakes"), ("activation", "tanh", "sigmoid"),
         ("epochs", 3, 5), ("seed", 4, 11)]


@pytest.mark.parametrize("name, v1, v2", CASES, ids=[c[0] for c in CASES])
def test_code_sets_v1_then_v2_and_the_page_sends_v1(run, data, name, v1, v2):
    w = MnistClassifier(run, picture="timeline")
    setattr(w, name, v1)
    setattr(w, name, v2)
    page_send(w.controls[name], v1)  # the learner's value stays and counts
    assert getattr(w, name) == w.controls[name].value == v1 and w.error is None
    ref = MnistClassifier(run, **{"picture": "timeline", name: v1})
    assert same(w.state, ref.state)
    check(w, run, data)
    # the other order: the page first, then code
    page_send(w.controls[name], v2)
    setattr(w, name, v1)
    assert w.controls[name].value == v1 and same(w.state, ref.state)


def same(a, b) -> bool:
    for field in a.__dataclass_fields__:
        x, y = getattr(a, field), getattr(b, field)
        if isinstance(x, np.ndarray):
            if not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def test_refused_values_leave_everything_as_it_was(widget):
    before, png = widget.settings(), widget.image.value
    for name, value, error, words in [
            ("neuron", 128, ValueError, "neuron must be between 0 and 127"),
            ("page", 4, ValueError, "page must be between 0 and 3"),
            ("record", RECORDS, ValueError, f"record must be between 0 and {RECORDS - 1}"),
            ("epochs", 0, ValueError, "epochs must be between 1 and 20"),
            ("activation", "gelu", ValueError, "activation must be one of"),
            ("picture", "graph", ValueError, "picture must be one of")]:
        with pytest.raises(error, match=words):
            setattr(widget, name, value)
    assert widget.settings() == before and widget.image.value == png


def test_bad_arguments_raise_clearly(run):
    with pytest.raises(TypeError, match="run must be an MnistRun"):
        MnistClassifier(run.net)
    with pytest.raises(TypeError, match="data must be a Dataset"):
        MnistClassifier(run, data=np.zeros((3, 784)))
    with pytest.raises(ValueError, match="record must be"):
        MnistClassifier(run, record=RECORDS)
    with pytest.raises(ValueError, match="records"):
        MnistClassifier(run, records=1)


def test_repr_and_state_are_read_only(widget):
    assert repr(widget) == ("MnistClassifier(picture='weights', neuron=0, page=0, "
                            f"record={RECORDS - 1}, mistakes_page=0, activation='relu', "
                            f"epochs={EPOCHS}, seed=0)")
    state = widget.state
    with pytest.raises(AttributeError):
        widget.state = state
    with pytest.raises(ValueError):
        state.incoming[0] = 1.0
    widget.neuron = 3
    assert state.neuron == 0 and widget.state.neuron == 3


# -- language --------------------------------------------------------------------------------

def test_in_chinese_every_picture_control_and_message_speaks_chinese(run, data):
    w = MnistClassifier(run, language="zh", records=RECORDS)
    assert w.language == "zh"
    r = reference(run, data)
    n_wrong = len(r["wrong"])
    accuracy = f"{100 * np.mean(r['p'].argmax(axis=1) == r['y']):.1f}"
    assert w.status.value == (f"ReLU，1 轮，随机种子 0：训练用时 {run.seconds:.1f} 秒；测试准确率 "
                              f"<b>{accuracy} %</b>（{len(data.y_test)} 个测试数字中分错 "
                              f"{n_wrong} 个）")
    assert w.progress.description == "已训练" and w.train_button.description == "训练"
    assert [label for label, _ in w.picture_toggle.options] == ["权重", "激活", "训练过程",
                                                                "分错的数字"]
    for picture in ("weights", "activity", "timeline", "mistakes"):
        w.picture = picture
        assert w.view.language == "zh"
        assert_speaks_chinese(w)
        check(w, run, data)
    assert w.view.title.get_text() == (f"网络分错的 {n_wrong} 个测试数字，最有把握的排在前面"
                                       f"（每页 {MISTAKES_PER_PAGE} 个）")
    i = r["wrong"][0]
    assert w.view.captions[0].get_text() == f"真实 {data.y_test[i]}，判为 {r['p_wrong'][0].argmax()}"
    w.picture = "weights"
    assert [t.get_text() for t in w.view.labels[:2]] == ["神经元 0", "神经元 1"]
    assert w.view.title.get_text().startswith("隐藏神经元 0–31（共 128 个）的输入权重")
    w.activation = "sigmoid"
    assert "点“训练”来训练新网络：Sigmoid，1 轮，随机种子 0" in w.message.value
    w.activation = "relu"
    w.seed = 1  # waits for Train, and says so in Chinese
    assert "点“训练”来训练新网络：ReLU，1 轮，随机种子 1" in w.message.value
    w.picture = "timeline"
    w.train_button.click()
    assert w.error is None and w.progress.description == "已训练"
    assert w.view.title.get_text() == "ReLU 网络已训练 1 轮：每个隐藏神经元随训练的变化"
    assert w.page_slider.tooltip == f"每页 {PAGE_SIZE} 个神经元"


def test_in_english_the_texts_are_the_english_ones(widget, run, data):
    assert control_texts(widget) == {
        "picture": ("picture", ""), "neuron": ("hidden neuron", ""),
        "page": ("weights page", "32 neurons a page"),
        "record": ("training record", "the records are made at steps spaced densest at the "
                                      "start"),
        "mistakes_page": ("mistakes page", "12 digits a page, most confident first"),
        "activation": ("hidden activation", "used by the next Train"),
        "epochs": ("epochs", "used by the next Train"),
        "seed": ("seed", "initial weights and mini-batch order of the next Train")}
    assert [label for label, _ in widget.picture_toggle.options] == [
        "weights", "activity", "over training", "mistakes"]
    assert (widget.train_button.description, widget.train_button.tooltip) == (
        "Train", "train a new network with these settings")
    r = reference(run, data)
    accuracy = f"{100 * np.mean(r['p'].argmax(axis=1) == r['y']):.1f}"
    assert widget.status.value == (f"ReLU, 1 epoch, seed 0: trained in {run.seconds:.1f} s; test "
                                   f"accuracy <b>{accuracy} %</b> ({len(r['wrong'])} of "
                                   f"{len(data.y_test)} test digits wrong)")
    expected = {
        "weights": ["Incoming weights of hidden neurons 0–31 (of 128), each drawn as the 28×28 "
                    "image it looks at", "red: the pixel's ink excites the neuron, blue: it "
                    "inhibits it, white: it does not matter", "neuron 0",
                    "incoming weight w (pixel → neuron)"],
        "activity": [f"ReLU hidden layer on the {len(data.y_test)} test digits (test accuracy "
                     f"{accuracy} %)", "hidden neuron (rows regrouped)",
                     "test digits, sorted by their true class", "activation a",
                     "the same digits, by class"],
        "timeline": ["ReLU network trained for 1 epoch: each hidden neuron over time",
                     "accuracy", "loss", "on the probe batch: accuracy (blue) and loss "
                     "(vermillion)", "activation map: each neuron's mean activation",
                     "mean activation ā", "gradient map: each neuron's mean |∂L/∂z| (grey: "
                     "exactly 0, no learning signal)", "mean |∂L/∂z| (log scale)",
                     "hidden neuron"],
        "mistakes": [f"The {len(r['wrong'])} test digits the network gets wrong, most "
                     "confident first (12 a page)", "under each digit, the network's "
                     "probability for each class: vermillion = its answer, blue = the true "
                     "class"]}
    for picture, lines in expected.items():
        widget.picture = picture
        texts = picture_texts(widget.view)
        for line in lines:
            assert line in texts, line
        assert not any(CJK.search(t) for t in texts)
    assert widget.view.captions[0].get_text().startswith("true ")
    widget.epochs = 3
    assert widget.message.value.endswith(
        "Press Train to train a new network: ReLU, 3 epochs, seed 0 (the pictures show the "
        "network trained before).</div>")


def test_the_switch_gives_chinese_to_widgets_built_without_a_language(run):
    with current_language("zh"):
        w = MnistClassifier(run, picture="activity")
    assert w.language == w.view.language == "zh"
    assert w.view.ax_neuron.get_xlabel() == "同一批数字，按类别"
    w.picture = "mistakes"
    assert w.view.language == "zh"
