"""The dead-neurons, distributions, digits and MNIST pictures are readable in Chinese too.

Chinese strings are wider per character than their English: the cases of
tests/test_readability.py for these widgets (defaults and extremes), and
more (a switch of activation, a diverged run, every MNIST picture, long
runs), built with ``language="zh"``: no text under 11 px as displayed, none
cut off at an edge, none overlapping another, no line across a text.
"""

from __future__ import annotations

import pytest

import actviz_widgets as av
from actviz_widgets.engine.mnist import load_mnist, train_mnist_classifier
from actviz_widgets.views.readability import OUTPUT_WIDTH, readability_problems
from actviz_widgets.widgets.mnist import one_blas_thread
from language_checks import CJK, english_words, picture_texts


def assert_readable_in_chinese(widget) -> None:
    view = widget.view
    assert view.language == "zh"
    assert view.css_size[0] <= OUTPUT_WIDTH  # shown at its own size: never scaled down
    problems = readability_problems(view)
    assert problems == [], "\n".join(problems)
    texts = picture_texts(view)
    # (a picture with no Chinese would pass trivially)
    assert sum(bool(CJK.search(text)) for text in texts) >= 3, texts
    assert english_words(texts) == [], texts


def test_dead_neurons_readable_in_chinese():
    w = av.DeadNeurons(language="zh")
    assert_readable_in_chinese(w)  # step 0: the "press Train or Play" titles
    w.train(5)
    assert_readable_in_chinese(w)
    w = av.DeadNeurons(depth=4, lr=3.0, language="zh")
    w.train(5)
    assert_readable_in_chinese(w)
    w = av.DeadNeurons(depth=1, bias=-3.0, language="zh")  # every unit dead: the long verdict
    w.train(3)
    assert_readable_in_chinese(w)


def test_dead_neurons_readable_in_chinese_after_a_switch_on_both_sides_of_the_marker():
    w = av.DeadNeurons(language="zh")
    w.preset_dropdown.value = "kill_lr"
    w.preset_dropdown.value = "revive"  # the switch label left of the marker
    assert_readable_in_chinese(w)
    w.train(100)  # now in the left part of the axis: the label right of it
    assert_readable_in_chinese(w)


def test_readable_in_chinese_when_training_diverged():
    w = av.DeadNeurons(activation="leaky_relu", lr=10.0, bias=1.0, depth=4, language="zh")
    w.train(100)
    assert w.trainer.diverged is not None and w.view.note.get_text().startswith("训练已停止")
    assert_readable_in_chinese(w)
    w = av.Distributions(depth=5, activation="linear", weight_scale=10.0, lr=10.0,
                         language="zh")
    w.train(100)
    assert w.trainer.diverged is not None and w.view.note.get_text().startswith("训练已停止")
    assert_readable_in_chinese(w)


def test_distributions_readable_in_chinese():
    w = av.Distributions(language="zh")
    w.train(10)
    assert_readable_in_chinese(w)
    w = av.Distributions(depth=5, activation="relu", weight_scale=3.0, language="zh")
    w.train(10)
    assert_readable_in_chinese(w)
    w.show(layer=6)  # the output layer
    assert_readable_in_chinese(w)


@pytest.mark.parametrize("activation", ["linear", "gelu", "silu", "sigmoid"])
def test_distributions_readable_in_chinese_with_long_activation_names(activation):
    w = av.Distributions(depth=1, activation=activation, init="xavier", weight_scale=0.1,
                         language="zh")
    w.train(100)
    w.show(layer=1, step=30)
    assert_readable_in_chinese(w)


def test_digits_case_study_readable_in_chinese():
    assert_readable_in_chinese(av.DigitsCaseStudy(language="zh"))
    w = av.DigitsCaseStudy(activation="tanh", sample=358, neuron=31, language="zh")
    assert_readable_in_chinese(w)
    w.activation = "gelu"  # the longest name in the title
    assert_readable_in_chinese(w)


@pytest.fixture(scope="module")
def mnist_run():
    with one_blas_thread():
        return train_mnist_classifier(load_mnist(), epochs=1, record=12)


@pytest.mark.parametrize("picture", ["weights", "activity", "timeline", "mistakes"])
def test_mnist_classifier_readable_in_chinese(mnist_run, picture):
    w = av.MnistClassifier(mnist_run, picture=picture, neuron=127, page=3, record=0,
                           language="zh")
    assert_readable_in_chinese(w)
    w.apply(record=11, mistakes_page=w.controls["mistakes_page"].max, neuron=0)
    assert_readable_in_chinese(w)
