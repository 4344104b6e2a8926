"""Gradient checking: backpropagation against central finite differences.

The numeric gradient of the mean loss L for one parameter w is

    ∂L/∂w ≈ (L(w + ε) − L(w − ε)) / 2ε,

whose error has two parts: truncation, about ε² f‴/6 (large for big ε), and
rounding, about ε_machine · |L| / ε (large for tiny ε).  ε ≈ 1e-6 balances
them in float64, leaving an error near 1e-10 on gradients of order 1.

The comparison uses the relative error |a − b| / (|a| + |b|), which is 0 for
equal values and 1, its largest, when one of them is 0 or their signs differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .network import MLP
from .validation import (MAX_BATCH_VALUES, check_array, check_at_most, check_choice, check_int,
                         check_positive)

__all__ = ["GradCheckResult", "gradient_check", "numeric_gradient", "relative_error", "MAX_EPS"]

#: Largest finite-difference step: beyond, the estimate means nothing.
MAX_EPS = 1.0

_TINY = np.finfo(np.float64).tiny


def relative_error(a, b) -> np.ndarray | float:
    """Elementwise relative error ``|a − b| / max(|a| + |b|, tiny)``.

    ``tiny`` is the smallest normal float64 (about 2.2e-308): it only guards
    the division, so the result is 0 where both values are exactly 0 and
    otherwise lies in [0, 1] (1 when one is 0 or the signs differ).  NaN in
    either input gives NaN there.

    Parameters
    ----------
    a, b : array_like
        Values to compare; broadcast against each other.

    Returns
    -------
    numpy.ndarray or float
        A float for two scalars, else an array of the broadcast shape.
    """
    scalars = np.ndim(a) == 0 and np.ndim(b) == 0
    x = check_array("a", a, finite=False)  # (check_array makes scalars 1-D)
    y = check_array("b", b, finite=False)
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"a and b must have shapes that broadcast together; got {x.shape} "
                         f"and {y.shape}") from None
    check_at_most(f"a and b of shapes {x.shape} and {y.shape}", math.prod(shape),
                  MAX_BATCH_VALUES, "values once broadcast together", "MAX_BATCH_VALUES")
    with np.errstate(invalid="ignore"):  # inf − inf: NaN, reported as such
        err = np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), _TINY)
    return float(err[0]) if scalars else err


def _central_difference(net: MLP, X: np.ndarray, y: np.ndarray, param: np.ndarray,
                        index: tuple, eps: float) -> float:
    """Central difference of the mean loss for ``param[index]``, an array of ``net``.

    The parameter is restored bit for bit afterwards, even on error.
    """
    original = param[index]
    try:
        plus, minus = original + eps, original - eps
        param[index] = plus
        loss_plus = net.loss_value(X, y)
        param[index] = minus
        loss_minus = net.loss_value(X, y)
    finally:
        param[index] = original
    # Divide by the step actually taken (w ± ε is rounded), not by 2ε.
    return (loss_plus - loss_minus) / (plus - minus)


def _check_net_data(net, X, y) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    X = net.check_X(X)
    return X, net.loss.check_targets(y, X.shape[0], net.sizes[-1])


def numeric_gradient(net: MLP, X, y, layer: int, i: int, j: int | None = None,
                     eps: float = 1e-6, param: str = "weight") -> float:
    """Central finite-difference estimate of one partial derivative of the mean loss.

    Parameters
    ----------
    net : MLP
        The network; left exactly as it was.
    X, y : array_like
        Inputs and targets, as for :meth:`MLP.loss_value`.
    layer : int
        Weight index 0..L-1: ``weights[layer]`` connects layer ``layer`` to ``layer + 1``.
    i, j : int
        ``weights[layer][i, j]``; for ``param="bias"``, ``biases[layer][i]``
        and ``j`` must be ``None``.
    eps : float, default 1e-6
        Half the step, in (0, ``MAX_EPS``]: the loss is evaluated at w + eps
        and w − eps.
    param : {"weight", "bias"}, default "weight"
        Which parameter array.

    Returns
    -------
    float
        ``(L(w + eps) − L(w − eps)) / (2 eps)``.

    Examples
    --------
    >>> net = MLP([1, 1], activation=[], loss="mse")
    >>> net.set_params([[[2.0]]], [[0.5]])
    >>> round(numeric_gradient(net, [[3.0]], [[1.0]], 0, 0, 0), 6)  # 2 (wx + b - y) x
    33.0
    """
    X, y = _check_net_data(net, X, y)
    param = check_choice("param", param, ("weight", "bias"))
    eps = check_positive("eps", eps, maximum=MAX_EPS)
    layer = check_int("layer", layer, minimum=0, maximum=net.n_layers - 1)
    if param == "weight":
        array = net.weights[layer]
        i = check_int("i", i, minimum=0, maximum=array.shape[0] - 1)
        if j is None:
            raise TypeError(f"j is needed for a weight: weights[{layer}] has shape "
                            f"{array.shape}, so j must be an integer between 0 and "
                            f"{array.shape[1] - 1}")
        j = check_int("j", j, minimum=0, maximum=array.shape[1] - 1)
        index = (i, j)
    else:
        array = net.biases[layer]
        i = check_int("i", i, minimum=0, maximum=array.shape[0] - 1)
        if j is not None:
            raise ValueError(f"j must be None for a bias (biases[{layer}] is 1-D); got {j!r}")
        index = (i,)
    return float(_central_difference(net, X, y, array, index, eps))


@dataclass
class GradCheckResult:
    """Backprop gradients next to finite-difference ones, per parameter.

    Attributes
    ----------
    backprop_W, numeric_W, rel_error_W : list of numpy.ndarray
        Shaped like ``net.weights``.  Parameters not checked (see
        ``max_params``) are NaN in ``numeric_W`` and ``rel_error_W``.
    backprop_b, numeric_b, rel_error_b : list of numpy.ndarray
        The same for ``net.biases``.
    max_rel_error : float
        Largest relative error over the checked parameters.
    eps : float
        The finite-difference half step.
    n_checked : int
        How many parameters were checked.
    """

    backprop_W: list
    numeric_W: list
    rel_error_W: list
    backprop_b: list
    numeric_b: list
    rel_error_b: list
    max_rel_error: float
    eps: float
    n_checked: int

    @property
    def n_params(self) -> int:
        """Number of parameters of the network."""
        return sum(w.size + b.size for w, b in zip(self.backprop_W, self.backprop_b))

    def passed(self, tol: float = 1e-6) -> bool:
        """True if every checked relative error is at most ``tol``."""
        tol = check_positive("tol", tol)
        return bool(self.max_rel_error <= tol)

    def summary(self) -> str:
        """A table of the largest relative error per layer."""
        def worst(err: np.ndarray) -> str:
            checked = err[~np.isnan(err)]
            return f"{checked.max():.2e}" if checked.size else "-"

        lines = [f"Gradient check, central differences with eps = {self.eps:g}: "
                 f"{self.n_checked} of {self.n_params} parameters checked",
                 f"{'layer':>5}  {'shape':>9}  {'max rel. error W':>16}  {'max rel. error b':>16}"]
        for l, (ew, eb) in enumerate(zip(self.rel_error_W, self.rel_error_b)):
            shape = "x".join(map(str, ew.shape))
            lines.append(f"{l:>5}  {shape:>9}  {worst(ew):>16}  {worst(eb):>16}")
        lines.append(f"max relative error: {self.max_rel_error:.2e}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def gradient_check(net: MLP, X, y, eps: float = 1e-6, max_params: int | None = None,
                   seed: int = 0) -> GradCheckResult:
    """Compare backprop's gradients with central finite differences.

    Parameters
    ----------
    net : MLP
        The network; left exactly as it was.
    X, y : array_like
        Inputs and targets.
    eps : float, default 1e-6
        Finite-difference half step, in (0, ``MAX_EPS``].
    max_params : int, optional
        Check at most this many parameters, a random subset drawn with
        ``seed`` (keeps big networks fast).  Default: all of them.
    seed : int, default 0
        Seed of the subset.

    Returns
    -------
    GradCheckResult

    Examples
    --------
    >>> net = MLP([2, 3, 1], activation="tanh", loss="mse", seed=0)
    >>> gradient_check(net, [[0.5, -1.0]], [[0.3]]).passed(1e-6)
    True
    """
    X, y = _check_net_data(net, X, y)
    eps = check_positive("eps", eps, maximum=MAX_EPS)
    seed = check_int("seed", seed, minimum=0)
    if max_params is not None:
        max_params = check_int("max_params", max_params, minimum=1)

    _, grads = net.loss_and_gradients(X, y)
    arrays = net.weights + net.biases  # checked in this order
    backprop = [g.copy() for g in grads.dW + grads.db]
    numeric = [np.full(g.shape, np.nan) for g in backprop]
    total = sum(a.size for a in arrays)
    chosen = np.arange(total)
    if max_params is not None and max_params < total:
        chosen = np.sort(np.random.default_rng(seed).choice(total, max_params, replace=False))
    offsets = np.cumsum([0] + [a.size for a in arrays])
    for flat in chosen:
        k = int(np.searchsorted(offsets, flat, side="right")) - 1
        index = np.unravel_index(int(flat - offsets[k]), arrays[k].shape)
        numeric[k][index] = _central_difference(net, X, y, arrays[k], index, eps)

    rel = [relative_error(b, n) for b, n in zip(backprop, numeric)]
    # Flattened in the order of `arrays`, so `chosen` indexes it; np.max keeps a NaN
    # (from a non-finite gradient), which then fails `passed`.
    max_rel = float(np.concatenate([r.ravel() for r in rel])[chosen].max())
    L = net.n_layers
    return GradCheckResult(backprop[:L], numeric[:L], rel[:L], backprop[L:], numeric[L:],
                           rel[L:], max_rel, eps, int(chosen.size))
