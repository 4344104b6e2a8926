"""The digits case study: a 64-32-10 network trained on the 8x8 digits, and its read-outs.

:func:`train_digits` trains :data:`DIGITS_SIZES` with one fixed recipe
(Adam, a cosine-decayed learning rate, mini-batches of 32, a little L2)
that takes every activation of the registry to at least 95 % test accuracy
on :func:`~actviz_widgets.engine.datasets.load_digits`'s default split in
well under a second on a small machine.  The learning rate of epoch ``e``
(counting from 0) of ``E`` is :func:`cosine_lr`.

The read-outs a learner looks at: :func:`accuracy`, :func:`confusion_matrix`
(rows: true class, columns: predicted class), :func:`class_means` (the mean
of any per-sample quantity over each class's samples) and
:func:`sort_by_class` (an order that groups samples by class, for pictures
of many samples).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .datasets import Dataset, load_digits
from .network import MLP
from .training import Trainer
from .validation import MAX_UNITS, check_array, check_int, check_nonnegative, check_positive

__all__ = ["DIGITS_SIZES", "DIGITS_RECIPE", "train_digits", "cosine_lr", "accuracy",
           "confusion_matrix", "class_means", "sort_by_class"]

#: Layer sizes of the case study's network: 64 pixels, 32 hidden neurons, 10 classes.
DIGITS_SIZES: tuple[int, int, int] = (64, 32, 10)
#: The training recipe of :func:`train_digits` (its keyword defaults).
DIGITS_RECIPE: dict = {"optimizer": "adam", "lr": 0.015, "batch_size": 32, "epochs": 30,
                       "weight_decay": 1e-4}


def cosine_lr(lr: float, epoch: int, epochs: int) -> float:
    """The learning rate of epoch ``epoch`` (0-based) of ``epochs`` on a cosine schedule.

    ``lr · (1 + cos(π · epoch / epochs)) / 2``: ``lr`` at the start, falling
    smoothly towards 0 so the last epochs settle into a minimum instead of
    bouncing around it.  Always > 0 for ``epoch < epochs``.

    Examples
    --------
    >>> cosine_lr(0.1, 0, 10), round(cosine_lr(0.1, 5, 10), 12)
    (0.1, 0.05)
    """
    lr = check_positive("lr", lr)
    epochs = check_int("epochs", epochs, minimum=1)
    epoch = check_int("epoch", epoch, minimum=0, maximum=epochs - 1)
    return lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def train_digits(activation: str = "relu", data: Dataset | None = None, *,
                 epochs: int = DIGITS_RECIPE["epochs"], lr: float = DIGITS_RECIPE["lr"],
                 batch_size: int = DIGITS_RECIPE["batch_size"],
                 weight_decay: float = DIGITS_RECIPE["weight_decay"], seed: int = 0,
                 on_epoch: Callable[[int, int, Trainer], object] | None = None) -> Trainer:
    """Train a 64-32-10 network on the digits with the case study's recipe.

    Parameters
    ----------
    activation : str, default "relu"
        The hidden layer's activation (any registered name).
    data : Dataset, optional
        Default: ``load_digits()`` (80/20 split, seed 0).
    epochs : int, default 30
        Passes over the training set, >= 1.
    lr : float, default 0.015
        Adam's starting learning rate, decayed by :func:`cosine_lr`.
    batch_size : int, default 32
    weight_decay : float, default 1e-4
        L2 strength on the weights.
    seed : int, default 0
        Seed of the initial weights and of the mini-batch order.
    on_epoch : callable, optional
        Called as ``on_epoch(done, epochs, trainer)`` after each epoch (and
        once with ``done = 0`` before the first): drive a progress bar.

    Returns
    -------
    Trainer
        Its ``net`` is trained; its ``history`` has one row, measured after
        the last step (train/test loss and accuracy).  Rows for every epoch
        would cost a pass over the whole training set each, and those large
        products are what a busy machine's multithreaded BLAS slows down
        most (seconds instead of a fraction of one).

    Examples
    --------
    >>> trainer = train_digits("tanh", epochs=2)
    >>> len(trainer.history), trainer.history.epoch, trainer.net.sizes
    (1, [2.0], [64, 32, 10])
    """
    if data is None:
        data = load_digits()
    elif not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (e.g. load_digits()); got {type(data).__name__}")
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be callable or None; got {on_epoch!r}")
    net = MLP(list(DIGITS_SIZES), activation=activation, loss="cross_entropy", seed=seed)
    total_steps = math.ceil(data.n_train / batch_size) * epochs
    # History and snapshots only at the start and the end (see Returns).
    trainer = Trainer(net, data, optimizer=DIGITS_RECIPE["optimizer"], lr=lr,
                      batch_size=batch_size, weight_decay=weight_decay, seed=seed,
                      record_every=total_steps, snapshot_every=total_steps)
    if on_epoch is not None:
        on_epoch(0, epochs, trainer)
    for epoch in range(epochs):
        trainer.lr = cosine_lr(lr, epoch, epochs)
        trainer.train(epochs=1)
        if on_epoch is not None:
            on_epoch(epoch + 1, epochs, trainer)
    return trainer


def accuracy(net: MLP, X, y) -> float:
    """Fraction of samples whose most probable class is the label.

    Parameters
    ----------
    net : MLP
        A classifier (``cross_entropy`` loss).
    X : array_like
        Inputs ``(n, n_inputs)``.
    y : array_like of int
        Labels ``(n,)``.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    X = net.check_X(X)
    labels = _check_labels("y", y, net.sizes[-1], X.shape[0])
    return float(np.count_nonzero(net.predict(X).argmax(axis=1) == labels)) / len(labels)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : array_like of int
        Labels in ``0 .. n_classes - 1``, of the same length.
    n_classes : int
        Number of classes, >= 1.

    Returns
    -------
    numpy.ndarray
        int64 of shape ``(n_classes, n_classes)``: entry ``[t, p]`` counts the
        samples of class ``t`` predicted as ``p``, so the diagonal holds the
        correct ones and each row sums to the class's size.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
    """
    n_classes = check_int("n_classes", n_classes, minimum=1, maximum=MAX_UNITS)
    t = _check_labels("y_true", y_true, n_classes)
    p = _check_labels("y_pred", y_pred, n_classes, len(t))
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes).astype(np.int64)


def class_means(values, labels, n_classes: int) -> np.ndarray:
    """Mean of each column of ``values`` over the samples of each class.

    Parameters
    ----------
    values : array_like
        ``(n_samples, n_features)``, e.g. hidden activations.
    labels : array_like of int
        ``(n_samples,)`` in ``0 .. n_classes - 1``.
    n_classes : int

    Returns
    -------
    numpy.ndarray
        ``(n_classes, n_features)``; a class with no sample gets a row of NaN.
    """
    n_classes = check_int("n_classes", n_classes, minimum=1, maximum=MAX_UNITS)
    values = check_array("values", values, ndim=2)
    labels = _check_labels("labels", labels, n_classes, values.shape[0])
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    sums = np.zeros((n_classes, values.shape[1]))
    np.add.at(sums, labels, values)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 → NaN for an empty class
        return sums / counts[:, None]


def sort_by_class(labels, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """An order grouping samples by class, and where each class starts in it.

    Parameters
    ----------
    labels : array_like of int
        ``(n_samples,)`` in ``0 .. n_classes - 1``.
    n_classes : int

    Returns
    -------
    order : numpy.ndarray
        Indices such that ``labels[order]`` is sorted; within a class the
        original order is kept.
    starts : numpy.ndarray
        ``n_classes + 1`` positions: class ``c`` occupies
        ``order[starts[c]:starts[c + 1]]``.

    Examples
    --------
    >>> order, starts = sort_by_class([1, 0, 1, 0], 2)
    >>> order.tolist(), starts.tolist()
    ([1, 3, 0, 2], [0, 2, 4])
    """
    n_classes = check_int("n_classes", n_classes, minimum=1, maximum=MAX_UNITS)
    labels = _check_labels("labels", labels, n_classes)
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], np.arange(n_classes + 1))
    return order, starts


def _check_labels(name: str, labels, n_classes: int, n: int | None = None) -> np.ndarray:
    """Integer labels in ``0 .. n_classes - 1`` as a 1-D int64 array (of length ``n``)."""
    array = check_array(name, labels, dtype=None)  # real numbers only
    if not (np.issubdtype(array.dtype, np.integer) or np.all(array == np.round(array))):
        raise TypeError(f"{name} must hold integer class labels; got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise ValueError(f"{name} must have {n} labels to match the samples; got {array.shape[0]}")
    # range first: a float label of 1e300 has no int64 value
    if array.size and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1}; got values from "
                         f"{array.min():g} to {array.max():g}")
    return array.astype(np.int64)
