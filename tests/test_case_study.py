"""Tests of the digits case study's engine helpers (training recipe and read-outs).

Read-outs are checked against loops written here; the trained network's
accuracy is recomputed with a forward pass written by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine import ACTIVATION_NAMES, MLP, get_activation, load_digits
from actviz_widgets.engine.case_study import (
    DIGITS_RECIPE,
    DIGITS_SIZES,
    accuracy,
    class_means,
    confusion_matrix,
    cosine_lr,
    sort_by_class,
    train_digits,
)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def hand_predict(net: MLP, X: np.ndarray) -> np.ndarray:
    """Argmax of the logits, with the layers written out (no engine forward pass)."""
    f = get_activation(net.activation_names[0])
    hidden = f(X @ net.weights[0] + net.biases[0])
    return np.argmax(hidden @ net.weights[1] + net.biases[1], axis=1)


def test_cosine_lr_by_hand():
    assert cosine_lr(0.2, 0, 4) == 0.2
    assert cosine_lr(0.2, 1, 4) == pytest.approx(0.1 * (1 + math.sqrt(0.5)), rel=1e-15)
    assert cosine_lr(0.2, 2, 4) == pytest.approx(0.1, rel=1e-15)
    assert cosine_lr(0.2, 3, 4) == pytest.approx(0.1 * (1 - math.sqrt(0.5)), rel=1e-15)
    with pytest.raises(ValueError, match="epoch"):
        cosine_lr(0.2, 4, 4)
    with pytest.raises(ValueError, match="lr"):
        cosine_lr(0.0, 0, 4)


def test_confusion_matrix_against_a_loop():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 200)
    p = rng.integers(0, 4, 200)
    expected = np.zeros((4, 4), dtype=int)
    for a, b in zip(t, p):
        expected[a, b] += 1
    cm = confusion_matrix(t, p, 4)
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(t, minlength=4))
    assert confusion_matrix([2, 2], [2, 2], 3).tolist() == [[0, 0, 0], [0, 0, 0], [0, 0, 2]]


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"y_pred must lie in 0\.\.2; got values from 0 to 3"):
        confusion_matrix([0, 1], [0, 3], 3)
    with pytest.raises(ValueError, match="y_pred must have 2 labels"):
        confusion_matrix([0, 1], [0], 3)
    with pytest.raises(TypeError, match="y_true must hold integer class labels"):
        confusion_matrix([0.5, 1], [0, 1], 3)
    with pytest.raises(ValueError, match="1-D"):
        confusion_matrix([[0, 1]], [[0, 1]], 3)


def test_class_means_against_a_loop():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(50, 3))
    labels = rng.integers(0, 3, 50)
    labels[labels == 2] = 0  # class 2 left empty on purpose
    means = class_means(values, labels, 3)
    for c in range(2):
        np.testing.assert_allclose(means[c], values[labels == c].mean(axis=0), rtol=1e-13)
    assert np.isnan(means[2]).all()
    with pytest.raises(ValueError, match="labels must have 50 labels"):
        class_means(values, labels[:10], 3)


def test_sort_by_class_is_stable_and_its_starts_delimit_the_classes():
    labels = np.array([3, 1, 0, 1, 3, 3, 0])
    order, starts = sort_by_class(labels, 4)
    assert order.tolist() == [2, 6, 1, 3, 0, 4, 5]
    assert starts.tolist() == [0, 2, 4, 4, 7]
    for c in range(4):
        assert (labels[order[starts[c]:starts[c + 1]]] == c).all()


def test_accuracy_counts_argmax_hits():
    net = MLP([2, 3], activation=[], loss="cross_entropy")
    net.set_params([np.eye(2, 3)], [np.zeros(3)])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 2.0]])
    assert accuracy(net, X, [0, 1, 1, 2]) == 0.5  # predictions 0, 1, 0, 1
    with pytest.raises(ValueError, match="lie in 0..2"):
        accuracy(net, X, [0, 1, 1, 3])


def test_train_digits_reports_every_epoch_with_the_cosine_schedule(digits):
    calls = []
    trainer = train_digits("tanh", digits, epochs=3, on_epoch=lambda done, total, tr: calls.append(
        (done, total, tr.epoch, tr.lr)))
    assert [c[:3] for c in calls] == [(0, 3, 0), (1, 3, 1), (2, 3, 2), (3, 3, 3)]
    lr = DIGITS_RECIPE["lr"]
    assert [c[3] for c in calls[1:]] == [pytest.approx(lr * 0.5 * (1 + math.cos(math.pi * e / 3)))
                                         for e in range(3)]
    h = trainer.history
    assert len(h) == 1 and h.epoch == [3.0]  # one row, after the last step
    assert sorted(h.snapshots) == [0, trainer.step_count]
    assert trainer.net.sizes == list(DIGITS_SIZES)
    hand = np.mean(hand_predict(trainer.net, digits.X_test) == digits.y_test)
    assert h.test_acc[-1] == pytest.approx(hand, abs=1e-12)


def test_train_digits_is_reproducible(digits):
    a = train_digits("relu", digits, epochs=2, seed=3).net
    b = train_digits("relu", digits, epochs=2, seed=3).net
    for wa, wb in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_every_activation_reaches_95_percent_on_the_test_split(digits, activation):
    net = train_digits(activation, digits, seed=0).net
    hand = float(np.mean(hand_predict(net, digits.X_test) == digits.y_test))
    assert accuracy(net, digits.X_test, digits.y_test) == pytest.approx(hand, abs=1e-12)
    assert hand >= 0.95


def test_train_digits_rejects_bad_arguments(digits):
    with pytest.raises(ValueError, match="activation"):
        train_digits("nope", digits, epochs=1)
    with pytest.raises(TypeError, match="data must be a Dataset"):
        train_digits("relu", (digits.X_train, digits.y_train), epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        train_digits("relu", digits, epochs=0)
    with pytest.raises(TypeError, match="on_epoch must be callable"):
        train_digits("relu", digits, epochs=1, on_epoch=3)


def test_labels_are_checked_before_conversion_and_class_counts_are_capped():
    with pytest.raises(ValueError, match=r"y_true must lie in 0..2; got values from 0 to 1e\+300"):
        confusion_matrix([0.0, 1e300], [0, 1], 3)
    with pytest.raises(TypeError, match="y_pred must be an array of real numbers; got booleans"):
        confusion_matrix([0, 1], [True, False], 2)
    with pytest.raises(ValueError, match=r"n_classes must be an integer between 1 and 10000"):
        confusion_matrix([0, 1], [0, 1], 10**6)  # would be a 10^12-cell matrix
    assert confusion_matrix([0.0, 1.0, 1.0], [0, 0, 1], 2).tolist() == [[1, 0], [1, 1]]
