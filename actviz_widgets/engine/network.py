"""A small multilayer perceptron whose every intermediate quantity is readable.

Conventions (one sample per row):

* ``sizes = [n_0, n_1, ..., n_L]``: layer 0 is the input, layer L the output.
* ``net.weights[l]`` has shape ``(n_l, n_{l+1})`` and ``net.biases[l]`` shape
  ``(n_{l+1},)``: they connect layer ``l`` to layer ``l + 1``.
* Forward: ``z[l] = a[l-1] @ weights[l-1] + biases[l-1]`` and ``a[l] = f_l(z[l])``
  for ``l = 1..L``, with ``a[0] = X``.
* Backward: ``delta[l] = ∂L/∂z[l]``, ``dL_da[l] = ∂L/∂a[l]``,
  ``dW[l] = a[l].T @ delta[l+1]`` and ``db[l] = delta[l+1].sum(0)``.

``dL_da`` is the gradient of the loss with respect to an activation; ``dadz``
is the activation function's derivative f'(z).  They are different things and
are named apart everywhere.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, _value_and_deriv, get_activation
from .initializers import INIT_NAMES, init_weights
from .losses import Loss, get_loss
from .validation import (MAX_BATCH_VALUES, MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS,
                         MAX_WEIGHT_SCALE, check_array, check_at_most, check_choice, check_int,
                         check_nonnegative, check_positive)

__all__ = ["MLP", "Trace", "Gradients"]


@dataclass
class Trace:
    """Everything the forward pass computed.

    Attributes
    ----------
    z : list of (numpy.ndarray or None)
        Pre-activations per layer; ``z[0]`` is ``None`` (the input has none).
    a : list of numpy.ndarray
        Activations per layer; ``a[0]`` is the input ``X``.
    dadz : list of (numpy.ndarray or None)
        The activation function's derivative f'(z) per layer; ``dadz[0]`` is ``None``.
    """

    z: list
    a: list
    dadz: list
    # the layout (layer sizes) of the network that made it: its buffers fit that network
    _layout: object = field(default=None, repr=False, compare=False)

    @property
    def X(self) -> np.ndarray:
        """The input batch, ``a[0]``."""
        return self.a[0]

    @property
    def output(self) -> np.ndarray:
        """The output layer's activations ``a[L]``."""
        return self.a[-1]

    @property
    def n_samples(self) -> int:
        """Number of samples in the batch."""
        return int(self.a[0].shape[0])

    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.a) - 1


@dataclass
class Gradients:
    """Everything the backward pass computed, for the mean loss over the batch.

    Attributes
    ----------
    loss : float
        The mean loss.
    dL_da : list of (numpy.ndarray or None)
        ∂L/∂a per layer and per sample: the gradient of the loss with respect
        to each activation. ``dL_da[0]`` (w.r.t. the input) is ``None`` unless
        asked for with ``input_grad=True``.
    delta : list of (numpy.ndarray or None)
        δ = ∂L/∂z per layer, per sample and per neuron; ``delta[0]`` is ``None``.
    dW, db : list of numpy.ndarray
        ∂L/∂W and ∂L/∂b, shaped like ``net.weights`` and ``net.biases``.
    """

    loss: float
    dL_da: list
    delta: list
    dW: list
    db: list
    _y: np.ndarray | None = field(default=None, repr=False)
    _layout: object = field(default=None, repr=False, compare=False)  # (as for Trace)

    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.dW)


def _finite_fast(array: np.ndarray) -> bool:
    """True only if every entry is finite; False may also mean an overflow.

    The sum of squares is NaN or infinite if any entry is. It is a BLAS dot
    product: faster than ``sum`` or ``isfinite`` and silent on overflow.
    """
    return math.isfinite(np.vdot(array, array))


def _all_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite (checked exactly only if the fast test fails)."""
    return _finite_fast(array) or bool(np.isfinite(array).all())


def _count_params(sizes: list[int]) -> int:
    """Weights and biases of a network with these layer sizes."""
    return sum((fi + 1) * fo for fi, fo in zip(sizes[:-1], sizes[1:]))


def _describe(value) -> str:
    """'an array of shape (2, 3) and dtype int64' or the type, for messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{type(value).__name__}"


_F64 = np.dtype(np.float64)

# Below this bound on every intermediate value an update cannot overflow.
_SAFE_MAGNITUDE = 1e300


def _pack(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Copies of ``arrays`` as views into one new flat float64 buffer.

    One buffer lets a single BLAS call check every parameter for NaN and
    infinity; the views are ordinary writeable C-contiguous arrays.
    """
    flat = np.empty(sum(a.size for a in arrays))
    views, start = [], 0
    for a in arrays:
        view = flat[start:start + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        start += a.size
    return flat, views


def _where_not_finite(array: np.ndarray) -> str:
    """'2 of 8 entries (the first, nan, at [0, 1])' for an array that holds NaN or inf."""
    finite = np.isfinite(array)
    bad = int(finite.size - np.count_nonzero(finite))
    index = np.unravel_index(int(np.argmin(finite)), array.shape)
    return (f"{bad} of {array.size} entries (the first, {float(array[index])!r}, at "
            f"{list(map(int, index))})")


class MLP:
    """A fully connected feed-forward network on NumPy.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first: ``[2, 4, 4, 1]`` is two inputs, two
        hidden layers of four and one output. At least two entries, all >= 1.
    activation : str or sequence of str, default "tanh"
        One name for every hidden layer, or one name per hidden layer.
    output_activation : str, optional
        The output layer's activation. Defaults to what the loss needs:
        ``sigmoid`` for ``bce``, ``linear`` (logits) for ``cross_entropy``
        and ``linear`` for ``mse``.
    loss : {"mse", "bce", "cross_entropy"}, default "mse"
        See :mod:`actviz_widgets.engine.losses`.
    init : {"auto", "xavier", "he", "normal"}, default "auto"
        Weight initialiser; ``auto`` uses He before rectifier-like layers and
        Xavier otherwise. Biases start at zero.
    weight_scale : float, default 1.0
        Multiplies every initial weight (to show vanishing/exploding gradients).
    seed : int, default 0
        Seed for the initial weights; the same seed gives the same network on
        every machine.

    Examples
    --------
    >>> net = MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid",
    ...           loss="bce", seed=0)
    >>> tr = net.forward([[0.5, -1.0]])
    >>> g = net.backward(tr, [[1.0]])
    >>> net.step(g, lr=0.1)
    """

    def __init__(self, sizes: Sequence[int], activation: str | Sequence[str] = "tanh",
                 output_activation: str | None = None, loss: str = "mse", init: str = "auto",
                 weight_scale: float = 1.0, seed: int = 0) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
            raise TypeError(f"sizes must be a list of layer sizes such as [2, 4, 1]; got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output layer; got {list(sizes)}")
        check_at_most("sizes", len(sizes) - 1, MAX_LAYERS, "weight layers", "MAX_LAYERS")
        self.sizes: list[int] = [check_int(f"sizes[{i}]", s, minimum=1, maximum=MAX_UNITS)
                                 for i, s in enumerate(sizes)]
        check_at_most(f"sizes {self.sizes}", _count_params(self.sizes), MAX_PARAMETERS,
                      "weights and biases", "MAX_PARAMETERS")
        n_hidden = len(self.sizes) - 2

        self.loss: Loss = get_loss(loss)
        if self.loss.name == "cross_entropy" and self.sizes[-1] < 2:
            raise ValueError("the 'cross_entropy' loss needs at least 2 output neurons (the "
                             "softmax of a single output is always 1, so nothing could be "
                             f"learned); got sizes[-1] = {self.sizes[-1]}. For two classes "
                             "with one output use loss='bce'")
        if isinstance(activation, str):
            get_activation(activation)  # a typo is an error even with no hidden layer
            hidden = [activation] * n_hidden
        elif isinstance(activation, Sequence) and not isinstance(activation, bytes):
            hidden = list(activation)
            if len(hidden) != n_hidden:
                raise ValueError(f"activation must be one name or a list of {n_hidden} names "
                                 f"(one per hidden layer); got {len(hidden)}: {hidden}")
        else:
            raise TypeError(f"activation must be a name or a list of names; got {activation!r}")
        out_name = output_activation if output_activation is not None else (
            self.loss.output_activation or "linear")
        out_act = get_activation(out_name)
        need = self.loss.output_activation
        if need is not None and out_act.name != need:
            raise ValueError(f"output_activation must be {need!r} with the {self.loss.name!r} "
                             f"loss (it is computed stably from that output's logits); "
                             f"got {out_act.name!r}")
        #: Activation of each layer 1..L (index 0 is the output of layer 1).
        self.activations: list[Activation] = [get_activation(h) for h in hidden] + [out_act]
        self.init: str = check_choice("init", init, INIT_NAMES)
        self.weight_scale: float = check_positive("weight_scale", weight_scale,
                                                  maximum=MAX_WEIGHT_SCALE)
        self.seed: int = check_int("seed", seed, minimum=0)
        #: Updates applied by :meth:`step` or an optimiser since the network was made.
        self.n_updates: int = 0
        self._wshapes = [(fi, fo) for fi, fo in zip(self.sizes[:-1], self.sizes[1:])]
        self._bshapes = [(fo,) for fo in self.sizes[1:]]
        # Most samples one forward pass may take (MAX_BATCH_VALUES).
        self._max_rows = MAX_BATCH_VALUES // sum(self.sizes[1:])
        # Marks the traces and gradients this network (or a copy) made, whose
        # buffers can be reused with out= (checked by identity: no per-array test).
        self._layout = object()
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.reinitialize()

    # -- structure -------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers L (hidden layers + 1)."""
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        """Total number of weights and biases."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    @property
    def activation_names(self) -> list[str]:
        """Names of the activations of layers 1..L."""
        return [act.name for act in self.activations]

    def layer_init(self, l: int) -> str:
        """The initialiser used for ``weights[l]`` (resolves ``"auto"``)."""
        if self.init != "auto":
            return self.init
        return "he" if self.activations[l].is_relu_like() else "xavier"

    def reinitialize(self, seed: int | None = None) -> None:
        """Draw fresh initial weights (zero biases) from ``seed`` (default: ``self.seed``)."""
        if seed is not None:
            self.seed = check_int("seed", seed, minimum=0)
        rng = np.random.default_rng(self.seed)
        self._adopt([init_weights(rng, fi, fo, self.layer_init(l), self.weight_scale)
                     for l, (fi, fo) in enumerate(zip(self.sizes[:-1], self.sizes[1:]))],
                    [np.zeros(fo) for fo in self.sizes[1:]])

    def _adopt(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        """Make copies of checked ``weights`` and ``biases`` the network's parameters,
        as views into one buffer (see :meth:`check_params`)."""
        L = len(weights)
        flat, views = _pack(list(weights) + list(biases))
        self.weights, self.biases = views[:L], views[L:]
        # the arrays the buffer backs: while net.weights/biases still hold exactly
        # these, one BLAS call over the buffer checks them all
        self._packed = (flat, list(self.weights), list(self.biases))

    def config(self) -> dict:
        """Architecture and settings as plain JSON-ready values (no weights)."""
        return {"sizes": list(self.sizes), "activation": self.activation_names[:-1],
                "output_activation": self.activations[-1].name, "loss": self.loss.name,
                "init": self.init, "weight_scale": self.weight_scale, "seed": self.seed}

    def copy(self) -> MLP:
        """An independent copy with the same settings and weights.

        Raises
        ------
        TypeError
            If a weight or bias array was replaced by one of the wrong type or
            shape (see :meth:`check_params`).
        """
        self._check_param_arrays()
        twin = MLP.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.sizes = list(self.sizes)
        twin.activations = list(self.activations)
        twin._adopt(self.weights, self.biases)
        return twin

    def get_params(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of the weights and biases."""
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]

    def set_params(self, weights: Sequence, biases: Sequence) -> None:
        """Replace weights and biases after checking every shape and value.

        The network gets copies (new arrays; arrays handed out before keep
        their values).

        Raises
        ------
        TypeError
            If ``weights`` or ``biases`` is not a list of arrays of real numbers.
        ValueError
            If an array has the wrong shape or holds NaN or infinity.
            Nothing is changed on any error.
        """
        L = self.n_layers
        for name, arrays in (("weights", weights), ("biases", biases)):
            if isinstance(arrays, (str, bytes, np.ndarray)) or not isinstance(arrays, Sequence):
                raise TypeError(f"{name} must be a list of {L} arrays; got "
                                f"{type(arrays).__name__}")
            if len(arrays) != L:
                raise ValueError(f"{name} must be a list of {L} arrays (one per weight layer); "
                                 f"got {len(arrays)}")
        new_w = [check_array(f"weights[{l}]", w, shape=self._wshapes[l])
                 for l, w in enumerate(weights)]
        new_b = [check_array(f"biases[{l}]", b, shape=self._bshapes[l])
                 for l, b in enumerate(biases)]
        self._adopt(new_w, new_b)

    def check_params(self) -> None:
        """Raise unless every weight and bias is a finite float64 array of its layer's shape.

        :meth:`forward` calls this. The engine never writes a non-finite
        parameter (:meth:`step` and the optimisers refuse an update that would
        overflow), so a failure means an array was changed directly.

        Raises
        ------
        TypeError, ValueError
            Naming the parameter (``net.weights[l]`` or ``net.biases[l]``), where
            its first non-finite entry is, and since when it can have been so.
        """
        if not math.isfinite(self._params_sumsq()):
            self._check_params_exactly()

    def _params_sumsq(self) -> float:
        """Sum of squares of every parameter after checking their types and shapes:
        not finite if a parameter is not (or the sum overflows)."""
        flat, packed_w, packed_b = self._packed
        ws, bs = self.weights, self.biases
        if (type(ws) is list and type(bs) is list and len(ws) == len(packed_w)
                and len(bs) == len(packed_b) and all(map(operator.is_, ws, packed_w))
                and all(map(operator.is_, bs, packed_b))):
            return float(np.vdot(flat, flat))  # (the buffer's arrays are valid by design)
        self._check_param_arrays()
        return math.fsum(float(np.vdot(p, p)) for p in ws + bs)

    def _check_param_arrays(self) -> None:
        """Types and shapes of ``weights`` and ``biases`` (someone replaced arrays)."""
        L = self.n_layers
        for name, arrays, shapes in (("weights", self.weights, self._wshapes),
                                     ("biases", self.biases, self._bshapes)):
            if not isinstance(arrays, list) or len(arrays) != L:
                raise TypeError(f"net.{name} must be a list of {L} arrays; got "
                                f"{_describe(arrays)}. Set parameters with set_params()")
            for l, (p, shape) in enumerate(zip(arrays, shapes)):
                if not (isinstance(p, np.ndarray) and p.dtype == np.float64
                        and p.shape == shape):
                    raise TypeError(f"net.{name}[{l}] must be a float64 array of shape {shape}; "
                                    f"got {_describe(p)}. Set parameters with set_params(), "
                                    "which checks and converts them")

    def _check_params_exactly(self) -> None:
        self._check_param_arrays()
        for name, arrays in (("weights", self.weights), ("biases", self.biases)):
            for l, p in enumerate(arrays):
                if not np.isfinite(p).all():
                    since = (f"after update {self.n_updates}, its last by step() or an optimiser"
                             if self.n_updates else
                             "after the network was made or its parameters last set")
                    raise ValueError(
                        f"net.{name}[{l}] is not finite: {_where_not_finite(p)} are NaN or "
                        "infinite, so the network cannot compute with it. The engine never "
                        "writes such values (updates that would overflow are refused): it was "
                        f"written into the array directly, {since}. Put finite values back with "
                        "set_params() or reinitialize() (or a Trainer's rewind() or restore())")

    def __repr__(self) -> str:
        acts = ", ".join(self.activation_names)
        return (f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss.name!r}, "
                f"params={self.n_params})")

    # -- input checks ----------------------------------------------------------------------
    def check_X(self, X) -> np.ndarray:
        """Validate an input batch and return it as a float64 array.

        ``X`` must hold real, finite numbers in the shape ``(n_samples,
        n_inputs)`` (one sample may be given as ``(n_inputs,)``), with
        ``1 <= n_samples`` and ``n_samples × (n_1 + … + n_L) <=
        MAX_BATCH_VALUES``, the most values one forward pass may hold.

        Raises
        ------
        TypeError
            Not an array of real numbers (booleans, complex numbers, strings,
            objects).
        ValueError
            Wrong shape, no samples, too many samples, NaN or infinity.
        """
        if (type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2
                and X.shape[1] == self.sizes[0] and X.flags.c_contiguous
                and 0 < X.shape[0] <= self._max_rows):
            if not _finite_fast(X):
                check_array("X", X)  # the exact check
            return X
        X = check_array("X", X, ndim=(1, 2), finite=False)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.sizes[0]}) for a network with "
                             f"{self.sizes[0]} inputs; got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"X must hold at least one sample; got an empty batch of shape "
                             f"{X.shape}")
        if X.shape[0] > self._max_rows:
            raise ValueError(
                f"X has {X.shape[0]:,} samples: a forward pass would hold "
                f"{X.shape[0] * sum(self.sizes[1:]):,} values (samples × neurons in layers "
                f"1..L), and the engine allows at most {MAX_BATCH_VALUES:,} (MAX_BATCH_VALUES "
                f"in actviz_widgets.engine.validation); pass at most {self._max_rows:,} samples "
                "at a time")
        return check_array("X", X)

    # -- forward and backward --------------------------------------------------------------
    def forward(self, X, out: Trace | None = None, *, check: bool = True) -> Trace:
        """Run the forward pass and keep every intermediate quantity.

        Parameters
        ----------
        X : array_like
            Inputs, shape ``(n_samples, n_inputs)`` or one sample ``(n_inputs,)``;
            see :meth:`check_X`.
        out : Trace, optional
            A trace from an earlier call of this network (or a copy) with the
            same batch size, whose arrays are overwritten (saves allocating
            memory in training loops); ignored otherwise.
        check : bool, default True
            Check ``X`` (:meth:`check_X`) and the parameters
            (:meth:`check_params`). ``False`` is for loops that pass a checked
            float64 ``X`` and keep the parameters finite themselves (the
            :class:`~actviz_widgets.engine.training.Trainer`).

        Returns
        -------
        Trace
            ``z``, ``a`` (``a[0] is X``) and ``dadz`` for every layer.

        Raises
        ------
        TypeError, ValueError
            A bad ``X`` (see :meth:`check_X`), or a parameter that is not finite
            (see :meth:`check_params`).
        """
        if check:
            X = self.check_X(X)
            self.check_params()
        n = X.shape[0]
        reuse = (isinstance(out, Trace) and out._layout is self._layout
                 and out.a[1].shape[0] == n)
        if reuse:
            zs, as_, ds = out.z, out.a, out.dadz
            as_[0] = X
        else:
            zs, as_, ds = [None], [X], [None]
        a = X
        for l, (W, b, act) in enumerate(zip(self.weights, self.biases, self.activations), 1):
            if reuse:
                z = np.matmul(a, W, out=zs[l])
                z += b
                a, _ = _value_and_deriv(act, z, as_[l], ds[l])
            else:
                z = a @ W
                z += b
                a, dadz = _value_and_deriv(act, z)
                zs.append(z)
                as_.append(a)
                ds.append(dadz)
        return out if reuse else Trace(zs, as_, ds, self._layout)

    def backward(self, trace: Trace, y, out: Gradients | None = None,
                 input_grad: bool = False) -> Gradients:
        """Backpropagate the mean loss through a forward trace.

        Parameters
        ----------
        trace : Trace
            From :meth:`forward` on this network with its current weights.
        y : array_like
            Targets: shape ``(n_samples, n_outputs)`` (or ``(n_samples,)`` for
            one output) for ``mse``/``bce``; integer labels ``(n_samples,)``
            or one-hot rows for ``cross_entropy``.
        out : Gradients, optional
            Gradients from an earlier call of the same batch size to overwrite.
        input_grad : bool, default False
            Also compute ``dL_da[0]``, the gradient with respect to the input.

        Returns
        -------
        Gradients
        """
        if not isinstance(trace, Trace):
            raise TypeError("trace must be the Trace returned by this network's forward(); "
                            f"got {type(trace).__name__}")
        try:
            widths = [a.shape[1] for a in trace.a]
        except (AttributeError, IndexError, TypeError):
            widths = None
        if widths != self.sizes:
            raise ValueError("trace must be the Trace returned by this network's forward(); "
                             f"its layer widths are {widths}, the network's are {self.sizes}")
        L = self.n_layers
        n = trace.n_samples
        if isinstance(out, Gradients) and out._y is not None and y is out._y:
            y = out._y  # same, already checked targets (training loops)
        else:
            y = self.loss.check_targets(y, n, self.sizes[-1])
        z_out, a_out, d_out = trace.z[L], trace.a[L], trace.dadz[L]
        reuse = (isinstance(out, Gradients) and out._layout is self._layout
                 and out.delta[L].shape[0] == n)
        if reuse:
            g = out
            g._y = y
            delta_buf, dl_da_buf = g.delta[L], g.dL_da[L]
            if dl_da_buf is delta_buf or dl_da_buf is None or dl_da_buf.shape != a_out.shape:
                dl_da_buf = None  # (for cross_entropy, dL_da[L] is the δ array itself)
        else:
            g = Gradients(0.0, [None] * (L + 1), [None] * (L + 1), [None] * L, [None] * L, y,
                          self._layout)
            delta_buf = dl_da_buf = None
        # value, output_delta and output_dL_da of the loss, sharing their work
        g.loss, delta, g.dL_da[L] = self.loss.output_grads(z_out, a_out, d_out, y,
                                                            delta_buf, dl_da_buf)
        g.delta[L] = delta
        for l in range(L, 0, -1):
            prev = trace.a[l - 1]
            W = self.weights[l - 1]
            if reuse:
                np.matmul(prev.T, delta, out=g.dW[l - 1])
                np.add.reduce(delta, axis=0, out=g.db[l - 1])
            else:
                g.dW[l - 1] = prev.T @ delta
                g.db[l - 1] = np.add.reduce(delta, axis=0)
            if l > 1 or input_grad:
                dl_da = np.matmul(delta, W.T, out=g.dL_da[l - 1] if reuse else None)
                g.dL_da[l - 1] = dl_da
            if l > 1:
                delta = np.multiply(dl_da, trace.dadz[l - 1],
                                    out=g.delta[l - 1] if reuse else None)
                g.delta[l - 1] = delta
        if not input_grad:
            g.dL_da[0] = None
        return g

    def loss_and_gradients(self, X, y) -> tuple[Trace, Gradients]:
        """Forward and backward in one call; returns ``(trace, gradients)``."""
        trace = self.forward(X)
        return trace, self.backward(trace, y)

    def loss_value(self, X, y) -> float:
        """The mean loss on ``(X, y)`` with the current weights."""
        trace = self.forward(X)
        L = self.n_layers
        targets = self.loss.check_targets(y, trace.n_samples, self.sizes[-1])
        return self.loss.value(trace.z[L], trace.a[L], targets)

    def predict(self, X) -> np.ndarray:
        """Network output: class probabilities for ``cross_entropy``, else ``a[L]``."""
        trace = self.forward(X)
        L = self.n_layers
        return self.loss.predict(trace.z[L], trace.a[L])

    # -- export ----------------------------------------------------------------------------
    def to_torch(self, dtype=None):
        """An equivalent ``torch.nn.Sequential`` with copies of the weights (needs PyTorch).

        ``model(X)`` is ``forward(X).output`` and ``model[:-1](X)`` the output
        layer's pre-activations, in float64 unless ``dtype`` says otherwise;
        see :func:`~actviz_widgets.engine.export.to_torch` (and
        :func:`~actviz_widgets.engine.export.torch_loss` for the loss).

        Raises
        ------
        ModuleNotFoundError
            If PyTorch is not installed; the message says how to install it.
        """
        from .export import to_torch  # (PyTorch is imported only when asked for)
        return to_torch(self, dtype)

    def to_pytorch_code(self) -> str:
        """A short, runnable PyTorch script holding this network's weights and loss.

        Needs no PyTorch to write; see
        :func:`~actviz_widgets.engine.export.to_pytorch_code`.
        """
        from .export import to_pytorch_code
        return to_pytorch_code(self)

    # -- update ----------------------------------------------------------------------------
    def check_gradients(self, grads: Gradients) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Check that ``grads`` fits this network and holds finite values.

        Returns
        -------
        (list of numpy.ndarray, list of numpy.ndarray)
            ``grads.dW`` and ``grads.db`` as float64 arrays (converted only if
            they were given as something else).

        Raises
        ------
        TypeError
            ``grads`` is not a :class:`Gradients`, or holds something that is not
            an array of real numbers.
        ValueError
            The number of layers or an array's shape does not match the network.
        FloatingPointError
            A gradient is NaN or infinite (training diverged).
        """
        return self._gradients_and_sumsq(grads)[:2]

    def _gradients_and_sumsq(self, grads) -> tuple[list, list, float]:
        """:meth:`check_gradients`, and the sum of squares of every gradient entry."""
        if not isinstance(grads, Gradients):
            raise TypeError(f"grads must be the Gradients returned by backward(); got "
                            f"{type(grads).__name__}")
        dWs, dbs = grads.dW, grads.db
        # the common case, gradients from backward(), in one tight loop
        total = 0.0
        if type(dWs) is list and type(dbs) is list and len(dWs) == len(dbs) == len(
                self._wshapes):
            vdot = np.vdot
            for arrays, shapes in ((dWs, self._wshapes), (dbs, self._bshapes)):
                for g, shape in zip(arrays, shapes):
                    if type(g) is not np.ndarray or g.dtype is not _F64 or g.shape != shape:
                        break
                    total += vdot(g, g)
                else:
                    continue
                break
            else:
                if math.isfinite(total):
                    return dWs, dbs, float(total)
        L = self.n_layers
        for name, arrays in (("dW", dWs), ("db", dbs)):
            if not isinstance(arrays, (list, tuple)) or len(arrays) != L:
                raise ValueError(f"grads.{name} must be a list of {L} arrays to fit this "
                                 f"network's layers {self.sizes}; got {_describe(arrays)}")
        dWs, dbs = list(dWs), list(dbs)
        total = 0.0
        for name, arrays, shapes in (("dW", dWs, self._wshapes), ("db", dbs, self._bshapes)):
            for l, (g, shape) in enumerate(zip(arrays, shapes)):
                if not (type(g) is np.ndarray and g.dtype == np.float64 and g.shape == shape):
                    try:
                        g = arrays[l] = check_array(f"grads.{name}[{l}]", g, shape=shape,
                                                    finite=False)
                    except ValueError as exc:
                        raise ValueError(f"{exc}: grads do not fit this network's layers "
                                         f"{self.sizes}") from None
                total += np.vdot(g, g)
        if not math.isfinite(total):
            for l, (dw, db) in enumerate(zip(dWs, dbs)):
                if not (np.isfinite(dw).all() and np.isfinite(db).all()):
                    raise FloatingPointError(
                        f"the gradients of layer {l} are not finite (loss = {grads.loss}); the "
                        "weights were left unchanged. Try a smaller learning rate or weight "
                        "scale.")
        return dWs, dbs, float(total)

    def step(self, grads: Gradients, lr: float = 0.1, weight_decay: float = 0.0) -> None:
        """One step of plain gradient descent: ``W -= lr · (dW + weight_decay · W)``.

        Everything is checked before anything changes: after any error the
        network is exactly as it was.

        Parameters
        ----------
        grads : Gradients
            From :meth:`backward` (see :meth:`check_gradients`).
        lr : float, default 0.1
            Learning rate, > 0.
        weight_decay : float, default 0.0
            L2 strength on the weights (not the biases), >= 0.

        Raises
        ------
        TypeError, ValueError
            A bad argument, or gradients that do not fit the network.
        FloatingPointError
            If the gradients are not finite, or the update would overflow
            (a weight beyond ±1.8e308); the weights are left unchanged.
        """
        lr = check_positive("lr", lr)
        weight_decay = check_nonnegative("weight_decay", weight_decay)
        dWs, dbs, grad_sq = self._gradients_and_sumsq(grads)
        param_sq = self._params_sumsq()
        shrink = 1.0 - lr * weight_decay
        # Every intermediate value is at most max(1, |shrink|)·‖params‖ + lr·‖grads‖:
        # below the bound nothing can overflow, and the update is done in place at once.
        if max(1.0, abs(shrink)) * math.sqrt(param_sq) + lr * math.sqrt(grad_sq) < _SAFE_MAGNITUDE:
            for W, b, dW, db in zip(self.weights, self.biases, dWs, dbs):
                if weight_decay:
                    W *= shrink
                W -= lr * dW
                b -= lr * db
        else:
            self._careful_step(dWs, dbs, lr, shrink)
        self.n_updates += 1

    def _careful_step(self, dWs: list, dbs: list, lr: float, shrink: float) -> None:
        """The update computed aside, checked, then written: for huge values."""
        self.check_params()
        new = []
        with np.errstate(over="ignore", invalid="ignore"):
            for W, b, dW, db in zip(self.weights, self.biases, dWs, dbs):
                new.append((W * shrink) - lr * dW)
                new.append(b - lr * db)
        for i, p in enumerate(new):
            if not np.isfinite(p).all():
                kind, l = ("weights", "dW") if i % 2 == 0 else ("biases", "db"), i // 2
                raise FloatingPointError(
                    f"the update would overflow: {kind[0]}[{l}] − {lr:g}·{kind[1]}[{l}] goes "
                    f"beyond ±{np.finfo(np.float64).max:.3g} (the largest gradient entry is "
                    f"{max(float(np.abs(g).max()) for g in dWs + dbs):.3g}); the weights were "
                    "left unchanged. Try a smaller learning rate")
        for p, value in zip([q for pair in zip(self.weights, self.biases) for q in pair], new):
            np.copyto(p, value)
