"""Measurements that explain why training works or fails: gradient norms, dead
units, saturation and histograms, per layer.

Conventions follow :mod:`actviz_widgets.engine.network`: layers are numbered
``l = 1..L`` (layer 0 is the input), ``trace.z[l]``/``trace.a[l]`` hold one row
per sample and ``grads.delta[l]`` is δ = ∂L/∂z of the *mean* loss.  The
definitions are the ones :class:`~actviz_widgets.engine.training.Trainer`
records in its history, so a widget's "now" and its curves over time agree:

``‖δ_l‖``
    Frobenius norm of ``grads.delta[l]`` over the batch and the neurons.
``‖∂L/∂W_l‖``
    Frobenius norm of ``grads.dW[l - 1]``, the weights *into* layer ``l``.
dead unit
    A hidden unit whose pre-activation is ``<= 0`` for every sample of the
    batch (a ReLU unit that never fires; its gradient is zero for every
    sample, so plain gradient descent never changes its incoming weights).
saturated pre-activation
    An entry of ``z`` where the activation function's derivative is small,
    ``|f′(z)| < threshold``: almost no gradient flows back through it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .network import MLP, Gradients, Trace
from .training import Snapshot
from .validation import MAX_BINS, check_array, check_int, check_nonnegative, check_real

__all__ = ["gradient_norms", "gradient_flow", "neuron_delta", "dead_units", "dead_fraction",
           "active_share", "no_gradient_units", "histograms",
           "saturated_fraction", "histogram", "snapshot_trace", "SATURATION_THRESHOLD",
           "VANISHING_RATIO", "EXPLODING_RATIO"]

#: Default saturation threshold on |f′(z)| (the same as the activation plots' shading).
SATURATION_THRESHOLD = 0.05
#: ‖δ₁‖ / ‖δ_L‖ below this is called vanishing, above ``EXPLODING_RATIO`` exploding.
VANISHING_RATIO = 1e-2
EXPLODING_RATIO = 1e2


def _check_trace(trace: Trace) -> Trace:
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be the Trace returned by MLP.forward(); "
                        f"got {type(trace).__name__}")
    return trace


def _check_grads(grads: Gradients) -> Gradients:
    if not isinstance(grads, Gradients):
        raise TypeError(f"grads must be the Gradients returned by MLP.backward(); "
                        f"got {type(grads).__name__}")
    return grads


def gradient_norms(grads: Gradients) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer gradient norms of one pass.

    Parameters
    ----------
    grads : Gradients
        From :meth:`MLP.backward`.

    Returns
    -------
    delta_norms : numpy.ndarray, shape (L,)
        ``‖δ_l‖`` for layers ``l = 1..L`` (entry ``l - 1``).
    weight_norms : numpy.ndarray, shape (L,)
        ``‖∂L/∂W‖`` of the weights into layers ``l = 1..L`` (entry ``l - 1``).

    Examples
    --------
    >>> net = MLP([2, 3, 1], loss="mse", seed=0)
    >>> d, w = gradient_norms(net.backward(net.forward([[1.0, 2.0]]), [[0.0]]))
    >>> d.shape, w.shape
    ((2,), (2,))
    """
    grads = _check_grads(grads)
    # sqrt of a BLAS dot product: the same numbers as the Trainer's history rows
    delta = np.array([math.sqrt(np.vdot(d, d)) for d in grads.delta[1:]])
    weights = np.array([math.sqrt(np.vdot(d, d)) for d in grads.dW])
    return delta, weights


def gradient_flow(delta_norms) -> tuple[float, str]:
    """How ‖δ‖ changes from the output back to the first layer.

    Parameters
    ----------
    delta_norms : array_like, shape (L,)
        ``‖δ_l‖`` for l = 1..L (as from :func:`gradient_norms`), L >= 1.

    Returns
    -------
    ratio : float
        ``‖δ_1‖ / ‖δ_L‖`` (``nan`` when ``‖δ_L‖ = 0``).
    verdict : str
        ``"vanishing"`` (ratio < :data:`VANISHING_RATIO`), ``"exploding"``
        (ratio > :data:`EXPLODING_RATIO`), ``"healthy"``, or ``"no gradient"``
        when ``‖δ_1‖`` or ``‖δ_L‖`` is 0. A norm that is not finite (the
        numbers overflowed) counts as exploding, with ratio ``inf``.
    """
    norms = check_array("delta_norms", delta_norms, ndim=1, finite=False)
    if norms.size == 0:
        raise ValueError("delta_norms must hold one norm per layer; got none")
    first, last = float(norms[0]), float(norms[-1])
    if not (math.isfinite(first) and math.isfinite(last)):
        return math.inf, "exploding"
    if first == 0.0 or last == 0.0:
        return (0.0 if last else math.nan), "no gradient"
    ratio = first / last
    if ratio < VANISHING_RATIO:
        return ratio, "vanishing"
    if ratio > EXPLODING_RATIO:
        return ratio, "exploding"
    return ratio, "healthy"


def neuron_delta(grads: Gradients) -> list[np.ndarray | None]:
    """Mean |δ| over the batch for every neuron, input first (``None`` for the input).

    Parameters
    ----------
    grads : Gradients

    Returns
    -------
    list of (numpy.ndarray or None)
        Entry ``l`` has shape ``(n_l,)``; entry 0 is ``None`` (the input has no δ).
    """
    grads = _check_grads(grads)
    return [None] + [np.abs(d).mean(axis=0) for d in grads.delta[1:]]


def dead_units(trace: Trace) -> list[np.ndarray]:
    """Boolean masks of the dead units of every hidden layer.

    A unit is dead when its pre-activation is ``<= 0`` for every sample of
    the batch in ``trace``.

    Parameters
    ----------
    trace : Trace
        A forward pass, normally over the whole training set.

    Returns
    -------
    list of numpy.ndarray
        ``L - 1`` masks: entry ``l - 1`` has shape ``(n_l,)`` for hidden layer
        ``l = 1..L-1`` (the order of ``History.dead_fraction``).
    """
    trace = _check_trace(trace)
    return [trace.z[l].max(axis=0) <= 0.0 for l in range(1, trace.n_layers)]


def dead_fraction(trace: Trace) -> np.ndarray:
    """Fraction of dead units in each hidden layer, shape ``(L - 1,)``; see :func:`dead_units`."""
    return np.array([m.mean() for m in dead_units(trace)], dtype=float)


def active_share(trace: Trace) -> list[np.ndarray]:
    """Share of the samples on which each hidden unit fires (``z > 0``).

    Returns
    -------
    list of numpy.ndarray
        ``L - 1`` arrays, entry ``l - 1`` of shape ``(n_l,)`` for hidden layer
        ``l``; a dead unit has share 0.
    """
    trace = _check_trace(trace)
    return [np.count_nonzero(trace.z[l] > 0.0, axis=0) / trace.n_samples
            for l in range(1, trace.n_layers)]


def no_gradient_units(trace: Trace) -> list[np.ndarray]:
    """Masks of the hidden units through which no gradient passes back.

    A unit passes no gradient when the activation function's derivative
    f′(z) is 0 on every sample: then δ = ∂L/∂a · f′(z) = 0 whatever the loss,
    and its incoming weights and bias never change.  A dead ReLU unit is such
    a unit; a leaky ReLU unit never is (f′ >= 0.01).

    Returns
    -------
    list of numpy.ndarray
        ``L - 1`` boolean masks, as :func:`dead_units`.
    """
    trace = _check_trace(trace)
    return [~np.any(trace.dadz[l] != 0.0, axis=0) for l in range(1, trace.n_layers)]


def saturated_fraction(trace: Trace, threshold: float = SATURATION_THRESHOLD) -> np.ndarray:
    """Fraction of pre-activations where ``|f′(z)| < threshold``, per layer.

    Parameters
    ----------
    trace : Trace
    threshold : float, default 0.05
        Saturation threshold on the activation function's derivative (>= 0).

    Returns
    -------
    numpy.ndarray, shape (L,)
        Entry ``l - 1`` for layer ``l = 1..L``, over all samples and neurons.
    """
    trace = _check_trace(trace)
    threshold = check_nonnegative("threshold", threshold)
    return np.array([np.count_nonzero(np.abs(d) < threshold) / d.size
                     for d in trace.dadz[1:]], dtype=float)


def histograms(samples: Sequence, low: float, high: float,
               bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fractions of each of several arrays in ``bins`` equal bins of ``[low, high]``.

    The bins are those of ``numpy.histogram(values, bins, (low, high))``
    (half-open, the last one closed), value for value; all arrays are counted
    in one pass.

    Parameters
    ----------
    samples : sequence of array_like
        Arrays of any shapes (flattened), finite.
    low, high : float
        The range, ``low < high``.
    bins : int
        Number of bins, from 1 to ``MAX_BINS`` (10,000).

    Returns
    -------
    fractions : numpy.ndarray, shape (len(samples), bins)
        Row ``i``: the share of ``samples[i]``'s values in each bin (0 for an
        empty array).
    below, above : numpy.ndarray, shape (len(samples),)
        Shares of each array's values ``< low`` and ``> high``.
    """
    bins = check_int("bins", bins, minimum=1, maximum=MAX_BINS)
    low, high = check_real("low", low), check_real("high", high)
    if not low < high:
        raise ValueError(f"low and high must be finite with low < high; got {low!r}, {high!r}")
    if isinstance(samples, (str, bytes, np.ndarray)) or not isinstance(samples, Sequence):
        raise TypeError(f"samples must be a list of arrays; got {type(samples).__name__}")
    arrays = [check_array(f"samples[{i}]", v).ravel() for i, v in enumerate(samples)]
    n = len(arrays)
    sizes = np.array([a.size for a in arrays])
    if not n:
        return np.zeros((0, bins)), np.zeros(0), np.zeros(0)
    values = np.concatenate(arrays)
    rows = np.repeat(np.arange(n), sizes)
    inside = (values >= low) & (values <= high)
    below = np.bincount(rows[values < low], minlength=n)
    above = np.bincount(rows[values > high], minlength=n)
    v, r = values[inside], rows[inside]
    # numpy.histogram's own rule for equal bins: scale, then fix the rounding at edges
    edges = np.linspace(low, high, bins + 1)
    idx = ((v - low) * (bins / (high - low))).astype(np.intp)
    idx[idx == bins] -= 1
    idx[v < edges[idx]] -= 1
    idx[(v >= edges[idx + 1]) & (idx != bins - 1)] += 1
    counts = np.bincount(r * bins + idx, minlength=n * bins).reshape(n, bins)
    total = np.maximum(sizes, 1)
    return counts / total[:, None], below / total, above / total


def histogram(values, low: float, high: float, bins: int) -> tuple[np.ndarray, float, float]:
    """Fractions of ``values`` in ``bins`` equal bins of ``[low, high]``.

    Parameters
    ----------
    values : array_like
        Any shape; flattened. Finite.
    low, high : float
        The range, ``low < high``.
    bins : int
        Number of bins (>= 1).

    Returns
    -------
    fractions : numpy.ndarray, shape (bins,)
        Share of all values in each bin (the last bin includes ``high``);
        sums to 1 minus the shares outside the range.
    below, above : float
        Shares of the values ``< low`` and ``> high``.
    """
    values = check_array("values", values)
    fractions, below, above = histograms([values], low, high, bins)
    return fractions[0], float(below[0]), float(above[0])


def snapshot_trace(net: MLP, snapshot: Snapshot | tuple[Sequence, Sequence], X) -> Trace:
    """The forward pass of ``X`` with a snapshot's parameters (``net`` is not changed).

    Parameters
    ----------
    net : MLP
        Gives the architecture and activations.
    snapshot : Snapshot or (weights, biases)
        E.g. ``trainer.history.snapshots[step]``.
    X : array_like
        Inputs.

    Returns
    -------
    Trace
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    if isinstance(snapshot, Snapshot):
        weights, biases = snapshot.weights, snapshot.biases
    elif isinstance(snapshot, tuple) and len(snapshot) == 2:
        weights, biases = snapshot
    else:
        raise TypeError("snapshot must be a Snapshot or a (weights, biases) pair; "
                        f"got {type(snapshot).__name__}")
    twin = net.copy()
    twin.set_params(weights, biases)  # checks shapes and finiteness
    return twin.forward(X)
