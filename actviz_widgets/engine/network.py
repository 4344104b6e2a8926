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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation, _value_and_deriv, get_activation
from .initializers import INIT_NAMES, init_weights
from .losses import Loss, get_loss
from .validation import (check_array, check_choice, check_int, check_nonnegative,
                         check_positive)

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
        self.sizes: list[int] = [check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]
        n_hidden = len(self.sizes) - 2

        self.loss: Loss = get_loss(loss)
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
        self.weight_scale: float = check_positive("weight_scale", weight_scale)
        self.seed: int = check_int("seed", seed, minimum=0)
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
        self.weights = [init_weights(rng, fi, fo, self.layer_init(l), self.weight_scale)
                        for l, (fi, fo) in enumerate(zip(self.sizes[:-1], self.sizes[1:]))]
        self.biases = [np.zeros(fo) for fo in self.sizes[1:]]

    def config(self) -> dict:
        """Architecture and settings as plain JSON-ready values (no weights)."""
        return {"sizes": list(self.sizes), "activation": self.activation_names[:-1],
                "output_activation": self.activations[-1].name, "loss": self.loss.name,
                "init": self.init, "weight_scale": self.weight_scale, "seed": self.seed}

    def copy(self) -> MLP:
        """An independent copy with the same settings and weights."""
        twin = MLP.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.sizes = list(self.sizes)
        twin.activations = list(self.activations)
        twin.weights = [w.copy() for w in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        return twin

    def get_params(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of the weights and biases."""
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]

    def set_params(self, weights: Sequence, biases: Sequence) -> None:
        """Replace weights and biases after checking every shape and value.

        Nothing is changed if any array is of the wrong shape or not finite.
        """
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"weights and biases must each be a list of {self.n_layers} arrays; "
                             f"got {len(weights)} and {len(biases)}")
        new_w = [check_array(f"weights[{l}]", w, shape=self.weights[l].shape)
                 for l, w in enumerate(weights)]
        new_b = [check_array(f"biases[{l}]", b, shape=self.biases[l].shape)
                 for l, b in enumerate(biases)]
        self.weights = [w.copy() for w in new_w]
        self.biases = [b.copy() for b in new_b]

    def __repr__(self) -> str:
        acts = ", ".join(self.activation_names)
        return (f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss.name!r}, "
                f"params={self.n_params})")

    # -- input checks ----------------------------------------------------------------------
    def check_X(self, X) -> np.ndarray:
        """Validate an input batch: shape ``(n_samples, n_inputs)`` (a single
        sample of shape ``(n_inputs,)`` is accepted), finite values."""
        if (type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2
                and X.shape[1] == self.sizes[0] and X.flags.c_contiguous):
            if not _finite_fast(X):
                check_array("X", X)  # the exact check
            return X
        X = check_array("X", X, ndim=(1, 2))
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.sizes[0]}) for a network with "
                             f"{self.sizes[0]} inputs; got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("X must hold at least one sample; got 0 rows")
        return X

    # -- forward and backward --------------------------------------------------------------
    def forward(self, X, out: Trace | None = None) -> Trace:
        """Run the forward pass and keep every intermediate quantity.

        Parameters
        ----------
        X : array_like
            Inputs, shape ``(n_samples, n_inputs)`` or one sample ``(n_inputs,)``.
        out : Trace, optional
            A trace from an earlier call with the same batch size, whose arrays
            are overwritten (saves allocating memory in training loops).

        Returns
        -------
        Trace
            ``z``, ``a`` (``a[0] is X``) and ``dadz`` for every layer.
        """
        X = self.check_X(X)
        n = X.shape[0]
        reuse = out is not None and len(out.a) == len(self.sizes) and out.a[1].shape[0] == n
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
        return out if reuse else Trace(zs, as_, ds)

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
        if not isinstance(trace, Trace) or len(trace.a) != len(self.sizes) or [
                a.shape[1] for a in trace.a] != self.sizes:
            raise TypeError("trace must be the Trace returned by this network's forward(); "
                            f"got {type(trace).__name__}")
        L = self.n_layers
        n = trace.n_samples
        if out is not None and out._y is not None and y is out._y:
            y = out._y  # same, already checked targets (training loops)
        else:
            y = self.loss.check_targets(y, n, self.sizes[-1])
        z_out, a_out, d_out = trace.z[L], trace.a[L], trace.dadz[L]
        reuse = out is not None and len(out.dW) == L and out.delta[L].shape[0] == n
        if reuse:
            g = out
            g._y = y
            delta_buf, dl_da_buf = g.delta[L], g.dL_da[L]
            if dl_da_buf is delta_buf or dl_da_buf is None or dl_da_buf.shape != a_out.shape:
                dl_da_buf = None  # (for cross_entropy, dL_da[L] is the δ array itself)
        else:
            g = Gradients(0.0, [None] * (L + 1), [None] * (L + 1), [None] * L, [None] * L, y)
            delta_buf = dl_da_buf = None
        # value, output_delta and output_dL_da of the loss, sharing their work
        g.loss, delta, g.dL_da[L] = self.loss._output_grads(z_out, a_out, d_out, y,
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

    # -- update ----------------------------------------------------------------------------
    def check_gradients(self, grads: Gradients) -> None:
        """Raise if ``grads`` does not fit this network or holds non-finite values."""
        if not isinstance(grads, Gradients):
            raise TypeError(f"grads must be the Gradients returned by backward(); got "
                            f"{type(grads).__name__}")
        if len(grads.dW) != self.n_layers or any(
                dw.shape != w.shape for dw, w in zip(grads.dW, self.weights)):
            raise ValueError("grads do not match this network's layer shapes "
                             f"{[w.shape for w in self.weights]}")
        for l, (dw, db) in enumerate(zip(grads.dW, grads.db)):
            if not (_all_finite(dw) and _all_finite(db)):
                raise FloatingPointError(
                    f"the gradients of layer {l} are not finite (loss = {grads.loss}); the "
                    "weights were left unchanged. Try a smaller learning rate or weight scale.")

    def step(self, grads: Gradients, lr: float = 0.1, weight_decay: float = 0.0) -> None:
        """One step of plain gradient descent: ``W -= lr · (dW + weight_decay · W)``.

        Parameters
        ----------
        grads : Gradients
            From :meth:`backward`.
        lr : float, default 0.1
            Learning rate, > 0.
        weight_decay : float, default 0.0
            L2 strength on the weights (not the biases), >= 0.

        Raises
        ------
        FloatingPointError
            If the gradients are not finite; the weights are left unchanged.
        """
        lr = check_positive("lr", lr)
        weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.check_gradients(grads)
        for W, b, dW, db in zip(self.weights, self.biases, grads.dW, grads.db):
            if weight_decay:
                W *= 1.0 - lr * weight_decay
            W -= lr * dW
            b -= lr * db
