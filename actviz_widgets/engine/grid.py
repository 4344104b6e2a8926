"""Every neuron's output over the input plane, from one batched forward pass.

The training playground draws, for a network with one or two inputs, the
output of every neuron as a small heatmap over the input space and the
network's output as the decision boundary (or the regression curve).  All
of these come from ONE forward pass of the grid points as a batch: the
trace holds each layer's activations for every grid point at once.

Grid layout
    For two inputs, ``n × n`` points ``(x_j, y_i)`` with
    ``x = linspace(x0, x1, n)`` and ``y = linspace(y0, y1, n)``, ordered
    row by row (``i`` outer, ``j`` inner), so a neuron's values reshape to
    an ``(n, n)`` image whose row 0 is the bottom of the plane (``y0``).
    For one input, the ``n`` points of ``linspace(x0, x1, n)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .network import MLP
from .validation import MAX_GRID_N, check_array, check_int

__all__ = ["GridField", "input_grid", "grid_field"]


def input_grid(extent: Sequence[float], n: int) -> np.ndarray:
    """The grid's input points, as a batch for :meth:`MLP.forward`.

    Parameters
    ----------
    extent : (x0, x1) or (x0, x1, y0, y1)
        The interval (one input) or the rectangle (two inputs) covered; the
        first and last grid points lie on its edges.
    n : int
        Points per axis, from 2 to ``MAX_GRID_N`` (1000).

    Returns
    -------
    numpy.ndarray
        ``(n, 1)`` or ``(n * n, 2)`` in the module docstring's order.
    """
    extent = _check_extent(extent)
    n = check_int("n", n, minimum=2, maximum=MAX_GRID_N)
    xs = np.linspace(extent[0], extent[1], n)
    if len(extent) == 2:
        return xs.reshape(-1, 1)
    ys = np.linspace(extent[2], extent[3], n)
    gx, gy = np.meshgrid(xs, ys)  # gx[i, j] = xs[j], gy[i, j] = ys[i]
    return np.column_stack([gx.ravel(), gy.ravel()])


@dataclass(frozen=True, eq=False)
class GridField:
    """What every neuron of a network outputs over a grid of inputs.

    Attributes
    ----------
    extent : tuple of float
        ``(x0, x1)`` or ``(x0, x1, y0, y1)``.
    n : int
        Points per axis.
    X : numpy.ndarray
        The grid's inputs (:func:`input_grid`).
    layers : list of numpy.ndarray
        ``layers[l]`` for ``l = 0..L`` is the activation ``a[l]`` of every
        neuron of layer ``l`` (``layers[0]``: the inputs themselves), shaped
        ``(n_l, n, n)`` for two inputs (``layers[l][k, i, j]`` at
        ``(x_j, y_i)``) or ``(n_l, n)`` for one input.
    output : numpy.ndarray
        The network's prediction (:meth:`MLP.predict`): ``(n, n)`` or ``(n,)``
        for one output; ``(n_out, n, n)`` / ``(n_out, n)`` otherwise.
    """

    extent: tuple
    n: int
    X: np.ndarray
    layers: list
    output: np.ndarray


def grid_field(net: MLP, extent: Sequence[float], n: int = 40) -> GridField:
    """Run the grid through ``net`` in one batched forward pass.

    Parameters
    ----------
    net : MLP
        A network with one or two inputs.
    extent : (x0, x1) or (x0, x1, y0, y1)
        One pair per input of the network.
    n : int, default 40
        Points per axis.

    Returns
    -------
    GridField
        Arrays are independent copies (safe to keep as a record).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP; got {type(net).__name__}")
    if net.sizes[0] not in (1, 2):
        raise ValueError(f"grid_field needs a network with 1 or 2 inputs; got {net.sizes[0]}")
    extent = _check_extent(extent)
    if len(extent) != 2 * net.sizes[0]:
        raise ValueError(f"extent must hold {2 * net.sizes[0]} numbers for a network with "
                         f"{net.sizes[0]} input(s); got {len(extent)}")
    X = input_grid(extent, n)
    trace = net.forward(X)
    L = net.n_layers
    shape = (n, n) if net.sizes[0] == 2 else (n,)
    # (points, units) -> (units, *grid): a transposed copy, one per layer
    layers = [np.ascontiguousarray(a.T).reshape(a.shape[1], *shape) for a in trace.a]
    pred = net.loss.predict(trace.z[L], trace.a[L])
    output = np.ascontiguousarray(pred.T).reshape(pred.shape[1], *shape)
    return GridField(extent, n, X, layers, output[0] if pred.shape[1] == 1 else output)


def _check_extent(extent) -> tuple:
    values = check_array("extent", extent, ndim=1)
    if len(values) not in (2, 4):
        raise ValueError(f"extent must be (x0, x1) or (x0, x1, y0, y1); got {len(values)} numbers")
    pairs = values.reshape(-1, 2)
    if not np.all(pairs[:, 0] < pairs[:, 1]):
        raise ValueError(f"extent must have each low end below its high end; got "
                         f"{tuple(values.tolist())}")
    return tuple(float(v) for v in values)
