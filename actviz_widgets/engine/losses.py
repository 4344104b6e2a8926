"""Loss functions as means, with the output layer's exact gradient.

All losses are *means*, so every gradient in the engine is a gradient of the
mean loss over the batch:

* ``mse``: mean over all elements of (ŷ − y)².
* ``bce``: mean binary cross-entropy of a sigmoid output, computed from the
  logits z as ``max(z, 0) − y z + log(1 + e^{−|z|})`` so it never overflows.
* ``cross_entropy``: softmax followed by the mean cross-entropy over samples;
  labels are integer classes or one-hot (or probability) rows.

For ``bce`` and ``cross_entropy`` the output layer's δ = ∂L/∂z is the exact,
stable (ŷ − y) / n rather than the product ∂L/∂ŷ · f'(z), which overflows
and loses precision when the output saturates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .validation import check_array, check_choice

__all__ = ["Loss", "LOSSES", "LOSS_NAMES", "get_loss", "softmax"]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits, stable for any finite input.

    Parameters
    ----------
    z : numpy.ndarray
        Logits of shape ``(n_samples, n_classes)``.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape; each row sums to 1.
    """
    e = z - z.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


@dataclass(frozen=True)
class Loss:
    """A loss function of the network's output.

    Parameters
    ----------
    name : str
        Registry key.
    display_name : str
        Name for people.
    latex : str
        The formula in LaTeX.
    output_activation : str or None
        The output activation this loss is defined with (``"sigmoid"`` for
        ``bce``, ``"linear"`` logits for ``cross_entropy``), or ``None`` if any.
    """

    name: str
    display_name: str
    latex: str
    output_activation: str | None

    # -- targets ---------------------------------------------------------------------------
    def check_targets(self, y, n_samples: int, n_outputs: int) -> np.ndarray:
        """Validate targets for ``n_samples`` outputs of width ``n_outputs``.

        Returns
        -------
        numpy.ndarray
            For ``mse``/``bce``: float array ``(n_samples, n_outputs)``.
            For ``cross_entropy``: int labels ``(n_samples,)`` or float rows
            ``(n_samples, n_outputs)``.

        Raises
        ------
        ValueError, TypeError
            Wrong shape, non-finite values, labels out of range.
        """
        if self.name == "cross_entropy":
            return _check_class_targets(y, n_samples, n_outputs)
        if (type(y) is np.ndarray and y.dtype == np.float64 and y.shape == (n_samples, n_outputs)
                and y.flags.c_contiguous):
            # fast path for training loops; NaN fails every comparison below. The
            # reduce calls are y.min()/y.max() without their Python wrappers; the
            # sum of squares (a BLAS dot, silent on overflow) is finite iff every
            # entry is, barring overflow, which the full check below handles.
            if self.name == "bce":
                if (np.minimum.reduce(y, axis=None) >= 0.0
                        and np.maximum.reduce(y, axis=None) <= 1.0):
                    return y
            elif math.isfinite(np.vdot(y, y)):
                return y
        y = check_array("y", y, ndim=(1, 2))
        if y.ndim == 1:
            if n_outputs != 1:
                raise ValueError(f"y must have shape ({n_samples}, {n_outputs}) for a network "
                                 f"with {n_outputs} outputs; got {y.shape}")
            y = y.reshape(-1, 1)
        if y.shape != (n_samples, n_outputs):
            raise ValueError(f"y must have shape ({n_samples}, {n_outputs}) to match X and the "
                             f"output layer; got {y.shape}")
        if self.name == "bce" and (y.min(initial=0.0) < 0.0 or y.max(initial=1.0) > 1.0):
            raise ValueError("y for the 'bce' loss must hold values in [0, 1]; got values from "
                             f"{y.min():g} to {y.max():g}")
        return y

    # -- value and gradients ---------------------------------------------------------------
    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """Return the mean loss for logits ``z``, outputs ``a`` and checked targets ``y``."""
        if self.name == "mse":
            d = a - y
            return float(np.vdot(d, d) / d.size)
        if self.name == "bce":
            # mean of softplus(z) - y z; logaddexp(0, z) = ln(1 + e^z) never overflows
            return float((np.logaddexp(0.0, z).sum() - np.vdot(y, z)) / z.size)
        shifted = z - z.max(axis=1, keepdims=True)
        logsumexp = np.log(np.exp(shifted).sum(axis=1))
        if y.ndim == 1:
            picked = shifted[np.arange(len(y)), y]
            return float(np.mean(logsumexp - picked))
        return float(np.mean(logsumexp * y.sum(axis=1) - (y * shifted).sum(axis=1)))

    def output_delta(self, z: np.ndarray, a: np.ndarray, dadz: np.ndarray, y: np.ndarray,
                     out: np.ndarray | None = None) -> np.ndarray:
        """Return δ = ∂L/∂z for the output layer (exact and stable).

        Parameters
        ----------
        z, a, dadz : numpy.ndarray
            Output pre-activations, activations and activation derivatives.
        y : numpy.ndarray
            Checked targets.
        out : numpy.ndarray, optional
            Buffer for the result.
        """
        n = z.shape[0]
        if self.name == "mse":
            out = np.subtract(a, y, out=out)
            out *= 2.0 / a.size
            out *= dadz
            return out
        if self.name == "bce":
            out = np.subtract(a, y, out=out)
            out /= a.size
            return out
        out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        if y.ndim == 1:
            out[np.arange(n), y] -= 1.0
        else:
            out -= y
        out /= n
        return out

    def output_dL_da(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return ∂L/∂a for the output layer: the gradient of the loss with
        respect to the output activations (not the activation's derivative).

        For ``bce`` this is (ŷ − y) / (ŷ (1 − ŷ)) / n, computed as
        ((1 − y)(1 + e^z) − y (1 + e^{−z})) / n so it stays exact as ŷ nears
        0 or 1 (where ŷ (1 − ŷ) underflows); the exponent is capped at 709 so
        a value beyond float range comes out as ~1e308 rather than inf.
        """
        if self.name == "mse":
            return (a - y) * (2.0 / a.size)
        if self.name == "bce":
            zc = np.clip(z, -709.0, 709.0)
            return ((1.0 - y) * (1.0 + np.exp(zc)) - y * (1.0 + np.exp(-zc))) / a.size
        return self.output_delta(z, a, np.ones_like(a), y)

    def predict(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Return what the network predicts: probabilities for the cross-entropy
        loss (softmax of the logits), the output activations otherwise."""
        return softmax(z) if self.name == "cross_entropy" else a

    # -- the network's backward pass -------------------------------------------------------
    def output_grads(self, z: np.ndarray, a: np.ndarray, dadz: np.ndarray, y: np.ndarray,
                      delta_out: np.ndarray | None = None,
                      dL_da_out: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
        """``(value, output_delta, ∂L/∂a)`` in one pass, for :meth:`MLP.backward`.

        The numbers are those of :meth:`value`, :meth:`output_delta` and
        :meth:`output_dL_da`, operation for operation, but shared work is done
        once and results go into the buffers when given. For
        ``cross_entropy``, ∂L/∂a (logits are the output) is the δ array itself.
        """
        if self.name == "mse":
            diff = np.subtract(a, y, out=dL_da_out)
            value = float(np.vdot(diff, diff) / diff.size)
            diff *= 2.0 / a.size
            return value, np.multiply(diff, dadz, out=delta_out), diff
        if self.name == "bce":
            # add.reduce is what .sum() calls, without its Python wrapper
            value = float((np.add.reduce(np.logaddexp(0.0, z), axis=None) - np.vdot(y, z))
                          / z.size)
            delta = np.subtract(a, y, out=delta_out)
            delta /= a.size
            zc = np.maximum(z, -709.0)  # np.clip(z, -709, 709), without its Python wrapper
            np.minimum(zc, 709.0, out=zc)
            dl_da = np.subtract(1.0, y, out=dL_da_out)
            tmp = np.exp(zc)
            tmp += 1.0
            dl_da *= tmp
            np.negative(zc, out=zc)
            np.exp(zc, out=zc)
            zc += 1.0
            zc *= y
            dl_da -= zc
            dl_da /= a.size
            return value, delta, dl_da
        n = z.shape[0]
        shifted = np.subtract(z, _row_max(z), out=delta_out)
        if y.ndim == 1:
            flat = _flat_index(y, z.shape[1])
            picked = shifted.take(flat)
        else:
            weighted = (y * shifted).sum(axis=1)
        delta = np.exp(shifted, out=shifted)
        sums = delta.sum(axis=1, keepdims=True)
        logsumexp = np.log(sums[:, 0])
        if y.ndim == 1:
            value = float(np.mean(logsumexp - picked))
        else:
            value = float(np.mean(logsumexp * y.sum(axis=1) - weighted))
        delta /= sums
        if y.ndim == 1 and delta.flags.c_contiguous:
            np.subtract.at(delta.reshape(-1), flat, 1.0)  # a view: updates delta
        elif y.ndim == 1:
            delta[np.arange(n), y] -= 1.0
        else:
            delta -= y
        delta /= n
        return value, delta, delta


def _row_max(z: np.ndarray) -> np.ndarray:
    """``z.max(axis=1, keepdims=True)``; column by column when there are few
    columns, where NumPy's row-wise reduction is slow."""
    k = z.shape[1]
    if k > 32 or k < 2:
        return z.max(axis=1, keepdims=True)
    out = np.maximum(z[:, 0], z[:, 1])
    for j in range(2, k):
        np.maximum(out, z[:, j], out=out)
    return out[:, None]


def _flat_index(labels: np.ndarray, k: int) -> np.ndarray:
    """Flat positions of ``[i, labels[i]]`` in a C-ordered (n, k) array: 1-D
    indexing with these is several times faster than ``[arange(n), labels]``."""
    flat = np.arange(0, len(labels) * k, k, dtype=np.intp)
    flat += labels
    return flat


def _check_class_targets(y, n_samples: int, n_outputs: int) -> np.ndarray:
    if n_outputs < 2:
        raise ValueError("the 'cross_entropy' loss needs at least 2 output neurons; "
                         f"the network has {n_outputs}")
    if type(y) is np.ndarray and y.dtype.kind in "iu" and y.shape == (n_samples,):
        arr = y  # (labels: the common case, checked without a copy)
    else:
        arr = check_array("y", y, dtype=None)  # real numbers only, finite
    if arr.ndim == 2 and arr.shape[1] == 1 and n_outputs != 1:
        arr = arr[:, 0]
    if arr.ndim == 1:
        if arr.shape[0] != n_samples:
            raise ValueError(f"y must have {n_samples} labels to match X; got shape {arr.shape}")
        if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise ValueError("y for the 'cross_entropy' loss must hold integer class labels "
                             "or one-hot rows; got non-integer values")
        # range first: a float label of 1e300 has no integer value
        if arr.size and (arr.min() < 0 or arr.max() >= n_outputs):
            raise ValueError(f"y labels must be integers in [0, {n_outputs - 1}] for "
                             f"{n_outputs} classes; got values from {arr.min():g} to "
                             f"{arr.max():g}")
        return arr.astype(np.intp)
    rows = check_array("y", arr, ndim=2)
    if rows.shape != (n_samples, n_outputs):
        raise ValueError(f"y as one-hot rows must have shape ({n_samples}, {n_outputs}); "
                         f"got {rows.shape}")
    if rows.min(initial=0.0) < 0 or not np.allclose(rows.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("y as one-hot rows must be non-negative and each row must sum to 1")
    return rows


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", "mean squared error", r"L = \frac{1}{nk}\sum_{i,j} (\hat y_{ij} - y_{ij})^2",
             None),
        Loss("bce", "binary cross-entropy",
             r"L = -\frac{1}{nk}\sum_{i,j} \left[y_{ij}\ln \hat y_{ij} + (1 - y_{ij})"
             r"\ln(1 - \hat y_{ij})\right]", "sigmoid"),
        Loss("cross_entropy", "softmax cross-entropy",
             r"L = -\frac{1}{n}\sum_{i} \ln \mathrm{softmax}(z_i)_{y_i}", "linear"),
    )
}

#: Names of every registered loss.
LOSS_NAMES: tuple[str, ...] = tuple(LOSSES)


def get_loss(name: str | Loss) -> Loss:
    """Look up a loss by name (one of :data:`LOSS_NAMES`, case-insensitive).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.
    """
    if isinstance(name, Loss):
        return name
    return LOSSES[check_choice("loss", name, LOSSES)]
