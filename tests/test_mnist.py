"""Tests of the MNIST data, the 784-128-10 recipe and its per-neuron maps over training time.

The data is checked against the shipped file read here with NumPy alone;
the per-neuron statistics against a forward and backward pass written out
by hand (softmax, per-sample ∂L_i/∂z), and the recorded maps against a run
replayed step by step with the engine's Trainer.
"""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest

import actviz_widgets as av
from actviz_widgets.engine import MLP, Dataset, Trainer
from actviz_widgets.engine.case_study import cosine_lr
from actviz_widgets.engine.mnist import (
    MNIST_IMAGE_SHAPE,
    MNIST_RECIPE,
    MNIST_SIZES,
    MnistRun,
    NeuronRecorder,
    hidden_activations,
    load_mnist,
    misclassified,
    neuron_order,
    neuron_statistics,
    recording_steps,
    train_mnist_classifier,
)

# Images per digit 0..9 in the shipped file (counted when it was made).
CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture(scope="module")
def raw():
    """The shipped file, read without the engine."""
    ref = resources.files("actviz_widgets.engine").joinpath("data", "mnist.npz")
    with ref.open("rb") as handle, np.load(handle) as archive:
        return archive["images"].copy(), archive["labels"].copy()


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


# -- data ------------------------------------------------------------------------------------

def test_shipped_file(raw):
    images, labels = raw
    assert images.shape == (10_000, 784) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == CLASS_COUNTS
    assert images.max() == 255 and images.min() == 0
    # no image appears twice (a duplicate could land in both train and test)
    assert len(np.unique(images, axis=0)) == 10_000


def test_load_mnist_shapes_dtypes_and_scaling(mnist, raw):
    assert isinstance(mnist, Dataset)
    assert (mnist.name, mnist.task, mnist.n_classes) == ("mnist", "classification", 10)
    assert mnist.X_train.shape == (8000, 784) and mnist.X_test.shape == (2000, 784)
    assert mnist.X_train.dtype == np.float64 and mnist.y_train.dtype == np.int64
    assert mnist.y_train.shape == (8000,) and mnist.y_test.shape == (2000,)
    # pixel / 255: every value is k/255 for an integer k in 0..255
    k = mnist.X * 255.0
    assert np.abs(k - np.round(k)).max() < 1e-9 and k.min() == 0 and k.max() == 255
    # train + test is the whole file, each image once, with its own label
    images, labels = raw
    rows = np.round(mnist.X * 255).astype(np.uint8)
    mine = {r.tobytes(): int(c) for r, c in zip(rows, mnist.y)}
    theirs = {r.tobytes(): int(c) for r, c in zip(images, labels)}
    assert mine == theirs
    assert MNIST_IMAGE_SHAPE == (28, 28)


def test_load_mnist_is_stratified_by_largest_remainder(mnist):
    # 20 % of each class: 200.2, 225.4, 198.2, 206.4, 196.0, 172.6, 202.8, 214.0, 188.8, 195.6
    # → floors sum to 1996; the 4 largest remainders (.8 for 6 and 8, .6 for 5 and 9) get one more
    expected = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]
    assert np.bincount(mnist.y_test, minlength=10).tolist() == expected
    assert np.bincount(mnist.y_train, minlength=10).tolist() == [
        c - e for c, e in zip(CLASS_COUNTS, expected)]


def test_load_mnist_is_seeded(mnist):
    again = load_mnist(seed=0)
    assert np.array_equal(again.X_train, mnist.X_train)
    assert np.array_equal(again.y_test, mnist.y_test)
    other = load_mnist(seed=1)
    assert not np.array_equal(other.y_train, mnist.y_train)
    assert np.bincount(other.y_test, minlength=10).tolist() == np.bincount(
        mnist.y_test, minlength=10).tolist()
    # samples are shuffled, not left in class blocks
    assert np.count_nonzero(np.diff(mnist.y_train)) > 5000


def test_load_mnist_fractions():
    assert load_mnist(test_fraction=0.0).X_test.shape == (0, 784)
    half = load_mnist(test_fraction=0.5)
    assert (half.n_train, half.n_test) == (5000, 5000)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"test_fraction": 1.0}, ValueError, "test_fraction"),
    ({"test_fraction": -0.1}, ValueError, "test_fraction"),
    ({"test_fraction": "0.2"}, TypeError, "test_fraction"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, TypeError, "seed"),
])
def test_load_mnist_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        load_mnist(**kwargs)


def test_package_exports():
    assert av.load_mnist is load_mnist
    assert av.train_mnist_classifier is train_mnist_classifier
    assert av.NeuronRecorder is NeuronRecorder and av.MnistRun is MnistRun
    assert list(MNIST_SIZES) == [784, 128, 10]


# -- per-neuron statistics -------------------------------------------------------------------

def hand_statistics(net: MLP, X: np.ndarray, y: np.ndarray):
    """Mean a and mean |∂L_i/∂z| per hidden neuron, written out for a ReLU 784-h-10 net."""
    W1, b1, W2, b2 = net.weights[0], net.biases[0], net.weights[1], net.biases[1]
    z = X @ W1 + b1
    a = np.maximum(z, 0.0)
    logits = a @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    onehot = np.eye(10)[y]
    # per-sample loss L_i = -log p_i,y ; ∂L_i/∂logits = p - onehot ; back through W2 and ReLU'
    dz = ((p - onehot) @ W2.T) * (z > 0)
    loss = float(np.mean(-np.log(p[np.arange(len(y)), y])))
    acc = float(np.mean(p.argmax(axis=1) == y))
    return a.mean(axis=0), np.abs(dz).mean(axis=0), loss, acc


def test_neuron_statistics_by_hand(mnist):
    net = MLP(list(MNIST_SIZES), activation="relu", loss="cross_entropy", seed=3)
    # move away from the initial weights so that some neurons are silent for some digits
    net.biases[0][:] = np.linspace(-0.5, 0.5, 128)
    X, y = mnist.X_test[:300], mnist.y_test[:300]
    act, grad, loss, acc = neuron_statistics(net, X, y)
    h_act, h_grad, h_loss, h_acc = hand_statistics(net, X, y)
    np.testing.assert_allclose(act, h_act, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, h_grad, rtol=1e-10, atol=1e-18)
    assert loss == pytest.approx(h_loss, rel=1e-12)
    assert acc == h_acc
    assert act.shape == grad.shape == (128,)
    # neurons silent on every probe digit have exactly zero gradient
    silent = (X @ net.weights[0] + net.biases[0]).max(axis=0) <= 0
    assert np.all(grad[silent] == 0.0)


def test_neuron_statistics_rejects_non_classifiers():
    with pytest.raises(ValueError, match="cross_entropy"):
        neuron_statistics(MLP([4, 3, 1], loss="mse"), np.zeros((2, 4)), np.zeros((2, 1)))
    with pytest.raises(TypeError, match="net must be an MLP"):
        neuron_statistics("net", np.zeros((2, 4)), [0, 1])
    net = MLP([4, 3, 2], loss="cross_entropy")
    with pytest.raises(ValueError, match="layer"):
        neuron_statistics(net, np.zeros((2, 4)), [0, 1], layer=2)


def test_recorder_stores_what_it_measured(mnist):
    net = MLP(list(MNIST_SIZES), activation="relu", loss="cross_entropy", seed=0)
    X, y = mnist.X_test[:50], mnist.y_test[:50]
    rec = NeuronRecorder(net, X, y, capacity=2, steps_per_epoch=4)
    first = neuron_statistics(net, X, y)
    rec.record(0)
    net.weights[0] *= 1.5
    second = neuron_statistics(net, X, y)
    rec.record(6)
    tl = rec.timeline()
    assert tl.steps.tolist() == [0, 6] and tl.epochs.tolist() == [0.0, 1.5]
    for k, stats in enumerate((first, second)):
        np.testing.assert_array_equal(tl.activation[:, k], stats[0])
        np.testing.assert_array_equal(tl.gradient[:, k], stats[1])
        assert tl.loss[k] == stats[2] and tl.accuracy[k] == stats[3]
    assert (tl.n_hidden, tl.n_records) == (128, 2)
    with pytest.raises(ValueError, match="full"):
        rec.record(7)
    rec2 = NeuronRecorder(net, X, y, capacity=3)
    rec2.record(5)
    with pytest.raises(ValueError, match="after the last recorded step 5"):
        rec2.record(5)
    # a timeline is a copy: recording more does not change it
    snapshot = rec2.timeline()
    rec2.record(9)
    assert snapshot.n_records == 1 and rec2.timeline().n_records == 2


def test_recording_steps():
    assert recording_steps(100, 5, early=0).tolist() == [0, 25, 50, 75, 100]
    steps = recording_steps(2500, 60)
    assert steps[0] == 0 and steps[-1] == 2500 and len(steps) == 60
    assert np.all(np.diff(steps) > 0)
    gaps = np.diff(steps)
    assert gaps[0] < gaps[-1]  # denser at the start
    # s(t) = total (t²/2 + t/2) at t = 1/59
    t = 1 / 59
    assert steps[1] == round(2500 * (0.5 * t * t + 0.5 * t))
    assert recording_steps(3, 10, early=0).tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="early"):
        recording_steps(10, 4, early=1.5)
    with pytest.raises(ValueError, match="n must"):
        recording_steps(10, 1)


# -- training and the maps over time ---------------------------------------------------------

@pytest.fixture(scope="module")
def small_data(mnist):
    """1,000 training and 300 test digits: fast, and still a real task."""
    return Dataset("mnist-small", "classification", mnist.X_train[:1000], mnist.y_train[:1000],
                   mnist.X_test[:300], mnist.y_test[:300], 10)


def test_maps_match_a_replayed_run(small_data):
    record = [0, 3, 32, 40, 64]  # 32 steps per epoch at batch 32: crosses an epoch's end
    seen = []
    run = train_mnist_classifier(small_data, seed=2, epochs=2, record=record, probe_size=120,
                                 on_record=lambda tr, tl: seen.append(tl.n_records))
    tl = run.timeline
    assert tl.steps.tolist() == record and seen == [1, 2, 3, 4, 5]
    assert np.allclose(tl.epochs, np.array(record) / 32)
    assert run.probe.tolist() == list(range(120))
    # replay: the same network, trainer and learning-rate schedule, step by step
    net = MLP(list(MNIST_SIZES), activation="relu", loss="cross_entropy", seed=2)
    trainer = Trainer(net, small_data, optimizer="momentum", lr=MNIST_RECIPE["lr"],
                      momentum=MNIST_RECIPE["momentum"], batch_size=32,
                      weight_decay=MNIST_RECIPE["weight_decay"], seed=2)
    X, y = small_data.X_test[:120], small_data.y_test[:120]
    for k, step in enumerate(record):
        while trainer.step_count < step:
            trainer.lr = cosine_lr(MNIST_RECIPE["lr"], trainer.step_count // 32, 2)
            trainer.step(1)
        act, grad, loss, acc = hand_statistics(net, X, y)
        np.testing.assert_allclose(tl.activation[:, k], act, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(tl.gradient[:, k], grad, rtol=1e-9, atol=1e-15)
        assert tl.loss[k] == pytest.approx(loss, rel=1e-9)
        assert tl.accuracy[k] == acc
    # the run's final network is the replayed one
    for w_run, w_replay in zip(run.net.weights, net.weights):
        np.testing.assert_allclose(w_run, w_replay, rtol=1e-12, atol=1e-14)
    # training changed the picture: loss fell, and the maps are not constant over time
    assert tl.loss[-1] < tl.loss[0] and not np.allclose(tl.gradient[:, 0], tl.gradient[:, -1])


def test_short_training_learns(mnist):
    # two epochs of the recipe; the full ten reach >= 95 % (benchmarks/bench_mnist.py)
    run = train_mnist_classifier(mnist, epochs=2, record=2)
    assert run.test_accuracy >= 0.92
    labels = mnist.y_test
    hidden = np.maximum(mnist.X_test @ run.net.weights[0] + run.net.biases[0], 0.0)
    logits = hidden @ run.net.weights[1] + run.net.biases[1]
    assert run.test_accuracy == pytest.approx(np.mean(logits.argmax(axis=1) == labels))
    assert run.timeline.steps.tolist() == [0, 500]
    assert len(run.trainer.history) == 1 and sorted(run.trainer.history.snapshots) == [0, 500]
    assert "test accuracy" in repr(run)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"data": "mnist"}, TypeError, "data must be a Dataset"),
    ({"record": [5, 3]}, ValueError, "increasing steps"),
    ({"record": [0, 10_000]}, ValueError, "between 0 and"),
    ({"record": 1}, ValueError, "record"),
    ({"record": "all"}, TypeError, "record"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"probe_size": 0}, ValueError, "probe_size"),
    ({"on_record": 3}, TypeError, "on_record"),
    ({"activation": "nope"}, ValueError, "activation"),
])
def test_train_bad_arguments(small_data, kwargs, error, words):
    kwargs = {"data": small_data, "epochs": 1, **kwargs}
    with pytest.raises(error, match=words):
        train_mnist_classifier(**kwargs)


def test_train_needs_mnist_shaped_data_with_a_test_split(small_data):
    no_test = Dataset("x", "classification", small_data.X_train, small_data.y_train,
                      np.zeros((0, 784)), np.zeros(0, dtype=np.int64), 10)
    with pytest.raises(ValueError, match="test split"):
        train_mnist_classifier(no_test)
    with pytest.raises(ValueError, match="784 features"):
        train_mnist_classifier(av.load_digits())


# -- read-outs --------------------------------------------------------------------------------

def test_misclassified_by_hand(small_data):
    net = MLP(list(MNIST_SIZES), activation="relu", loss="cross_entropy", seed=1)
    X, y = small_data.X_test, small_data.y_test
    idx, probs = misclassified(net, X, y)
    hidden = np.maximum(X @ net.weights[0] + net.biases[0], 0.0)
    logits = hidden @ net.weights[1] + net.biases[1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    wrong = [i for i in range(len(y)) if p[i].argmax() != y[i]]
    assert sorted(idx.tolist()) == wrong
    confidence = [p[i].max() for i in idx]
    assert all(a >= b for a, b in zip(confidence, confidence[1:]))
    np.testing.assert_allclose(probs, p[idx], rtol=1e-12)
    # a perfect classifier has no mistakes
    right = net.predict(X).argmax(axis=1)
    empty, none = misclassified(net, X, right)
    assert empty.shape == (0,) and none.shape == (0, 10)


def test_neuron_order():
    means = np.array([[0.0, 2.0, 1.0, 0.5, 0.0],
                      [1.0, 0.0, 3.0, 0.5, 0.0]])
    # preferred class: n0 → 1, n1 → 0, n2 → 1, n3 flat, n4 flat (dead)
    # class 0: n1; class 1: n2 (selectivity 1.0) before n0 (0.5); then the flat ones
    assert neuron_order(means).tolist() == [1, 2, 0, 3, 4]


def test_hidden_activations(small_data):
    net = MLP(list(MNIST_SIZES), activation="tanh", loss="cross_entropy", seed=0)
    X = small_data.X_test[:7]
    np.testing.assert_allclose(hidden_activations(net, X),
                               np.tanh(X @ net.weights[0] + net.biases[0]), rtol=1e-12)
    with pytest.raises(ValueError, match="no hidden layer"):
        hidden_activations(MLP([784, 10], loss="cross_entropy"), X)


def test_recipe_is_the_documented_one():
    assert MNIST_RECIPE == {"activation": "relu", "optimizer": "momentum", "lr": 0.1,
                            "momentum": 0.9, "batch_size": 32, "epochs": 10,
                            "weight_decay": 5e-4}
    assert math.ceil(8000 / MNIST_RECIPE["batch_size"]) == 250


# -- the conversion script -------------------------------------------------------------------

def test_make_mnist_reads_exact_pixels_and_rejects_bad_files(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "tools" / "make_mnist.py"
    spec = importlib.util.spec_from_file_location("make_mnist", script)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    pixels = np.arange(2 * 784) % 256  # every 8-bit value, two images
    good = tmp_path / "good.json"
    # the package's format: k / 255 rounded to three decimals
    good.write_text(json.dumps({"data": [round(int(k) / 255, 3) for k in pixels]}))
    images = tool.read_digit(good)
    assert images.dtype == np.uint8 and images.shape == (2, 784)
    np.testing.assert_array_equal(images.ravel(), pixels)
    for name, data, words in [("short", [0.0] * 783, "784-pixel"),
                              ("range", [1.5] * 784, r"\[0, 1\]"),
                              ("not_k255", [0.5] * 784, "k/255")]:
        bad = tmp_path / f"{name}.json"
        bad.write_text(json.dumps({"data": data}))
        with pytest.raises(ValueError, match=words):
            tool.read_digit(bad)
