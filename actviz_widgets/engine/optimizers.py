"""Optimisers that update an :class:`~actviz_widgets.engine.network.MLP` in place.

Every optimiser follows PyTorch's definitions, so numbers can be checked
against ``torch.optim``:

* :class:`SGD`: classical momentum ``v = μ v + g``, then ``W -= lr · v``
  (plain gradient descent when ``μ = 0``).
* :class:`Adam`: bias-corrected first and second moments (Kingma & Ba, 2015).

Weight decay is L2 regularisation added to the gradient of the *weights*
(never the biases): ``g = ∂L/∂W + weight_decay · W``.

``lr``, ``weight_decay`` (and SGD's ``momentum``) can be changed between
steps; the optimiser's state (velocities, moments) is kept, so a learner can
lower the learning rate in the middle of training without starting over.
:meth:`Optimizer.reset` clears that state.
"""

from __future__ import annotations

import math

import numpy as np

from .network import MLP, Gradients
from .validation import check_choice, check_nonnegative, check_positive

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZER_NAMES", "make_optimizer"]

#: Names accepted by :func:`make_optimizer`.
OPTIMIZER_NAMES: tuple[str, ...] = ("sgd", "momentum", "adam")


def _check_fraction(name: str, value) -> float:
    """A number in [0, 1), as momentum and Adam's betas must be."""
    number = check_nonnegative(name, value)
    if number >= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1); got {value!r}")
    return number


class Optimizer:
    """Base class: validated hyper-parameters, state keyed to the network's shapes.

    Subclasses implement :meth:`_update` for one parameter array and may keep
    per-parameter state created in :meth:`_init_state`.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    weight_decay : float, default 0.0
        L2 strength on the weights (not the biases), >= 0.
    """

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = lr
        self.weight_decay = weight_decay
        self._sizes: list[int] | None = None  # layer sizes the state was built for
        self._grad_buf: list[np.ndarray] = []  # holds ∂L/∂W + weight_decay · W
        self._scratch: list[np.ndarray] = []
        #: Number of steps taken since construction or the last :meth:`reset`.
        self.t: int = 0

    @property
    def lr(self) -> float:
        """Learning rate (> 0); may be changed between steps without a reset."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_positive("lr", value)

    @property
    def weight_decay(self) -> float:
        """L2 strength on the weights (>= 0); may be changed between steps."""
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = check_nonnegative("weight_decay", value)

    def reset(self) -> None:
        """Forget all state (velocities, moments, step count)."""
        self._sizes = None
        self._grad_buf, self._scratch = [], []
        self.t = 0
        self._clear_state()

    def step(self, net: MLP, grads: Gradients) -> None:
        """Update ``net.weights`` and ``net.biases`` in place from ``grads``.

        All or nothing: after any error the network and the optimiser's state
        (velocities, moments, step count) are exactly as they were.

        Parameters
        ----------
        net : MLP
            The network to update.
        grads : Gradients
            From ``net.backward``.

        Raises
        ------
        TypeError, ValueError
            ``grads`` do not fit the network (see :meth:`MLP.check_gradients`),
            a parameter of the network is not finite, or the network no longer
            matches the layer sizes this optimiser's state was built for (call
            :meth:`reset` after changing the architecture).
        FloatingPointError
            If the gradients hold NaN or infinity, or the update would overflow.
        """
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP; got {type(net).__name__}")
        dWs, dbs = net.check_gradients(grads)
        net.check_params()
        self._check_sizes(net)
        params = [p for pair in zip(net.weights, net.biases) for p in pair]
        saved = [p.copy() for p in params + self._state_arrays()]
        t = self.t
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                self.apply(net, dWs, dbs)
        except FloatingPointError as exc:
            for p, keep in zip(params + self._state_arrays(), saved):
                np.copyto(p, keep)
            self.t = t
            raise FloatingPointError(
                f"the {type(self).__name__} update would overflow ({exc}) at learning rate "
                f"{self._lr:g}; the weights and the optimiser's state were left unchanged. Try "
                "a smaller learning rate") from None

    def apply(self, net: MLP, dWs: list[np.ndarray], dbs: list[np.ndarray]) -> None:
        """The update itself, without checks: for loops that check and undo themselves.

        ``dWs`` and ``dbs`` must come from :meth:`MLP.check_gradients` and the
        network's parameters must be finite. Under ``numpy.errstate(over="raise",
        invalid="raise")`` an overflow raises ``FloatingPointError`` part-way,
        leaving parameters and state changed: the caller restores its copy of
        the parameters and calls :meth:`reset` (as
        :class:`~actviz_widgets.engine.training.Trainer` does). Use
        :meth:`step` otherwise.
        """
        if net.sizes != self._sizes:
            self._check_sizes(net)  # builds the state, or raises
        self.t += 1
        wd = self._weight_decay
        i = 0
        for W, b, dW, db in zip(net.weights, net.biases, dWs, dbs):
            if wd:
                g = np.multiply(W, wd, out=self._grad_buf[i])
                g += dW
            else:
                g = dW
            self._update(i, W, g)
            self._update(i + 1, b, db)
            i += 2
        net.n_updates += 1

    def _check_sizes(self, net: MLP) -> None:
        """Build the state for ``net``'s layer sizes, or check it was built for them."""
        if self._sizes is None:
            shapes = [p.shape for pair in zip(net.weights, net.biases) for p in pair]
            self._sizes = list(net.sizes)
            self._grad_buf = [np.empty(s) for s in shapes]
            self._scratch = [np.empty(s) for s in shapes]
            self._init_state(shapes)
        elif net.sizes != self._sizes:
            raise ValueError(f"this optimiser's state was built for a network of layer sizes "
                             f"{self._sizes} but this one has {net.sizes}; call reset() "
                             "after changing the architecture")

    # -- for subclasses ------------------------------------------------------------------
    def _init_state(self, shapes: list[tuple[int, ...]]) -> None:
        """Create per-parameter state for parameters of these shapes."""

    def _clear_state(self) -> None:
        """Drop per-parameter state."""

    def _state_arrays(self) -> list[np.ndarray]:
        """The per-parameter state arrays (saved and restored around a step)."""
        return []

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        """Update parameter number ``i`` in place from its (read-only) gradient."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self._lr:g}, weight_decay={self._weight_decay:g})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional classical momentum.

    ``v = momentum · v + g`` and ``W -= lr · v`` (PyTorch's ``SGD`` without
    dampening or Nesterov); with ``momentum = 0`` this is ``W -= lr · g``.

    Parameters
    ----------
    lr : float, default 0.1
        Learning rate, > 0.
    momentum : float, default 0.0
        Momentum μ in [0, 1).
    weight_decay : float, default 0.0
        L2 strength on the weights, >= 0.

    Examples
    --------
    >>> net = MLP([2, 3, 1], seed=0)
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> opt.step(net, net.backward(net.forward([[1.0, 2.0]]), [[0.5]]))
    >>> opt.lr = 0.01  # keeps the velocity
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = momentum
        self._velocity: list[np.ndarray] = []

    @property
    def momentum(self) -> float:
        """Momentum μ in [0, 1); may be changed between steps."""
        return self._momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._momentum = _check_fraction("momentum", value)

    def _init_state(self, shapes):
        self._velocity = [np.zeros(s) for s in shapes]

    def _clear_state(self):
        self._velocity = []

    def _state_arrays(self):
        return self._velocity

    def _update(self, i, param, grad):
        if self._momentum:
            v = self._velocity[i]
            v *= self._momentum
            v += grad
            grad = v
        s = np.multiply(grad, self._lr, out=self._scratch[i])
        param -= s

    def __repr__(self) -> str:
        return (f"SGD(lr={self._lr:g}, momentum={self._momentum:g}, "
                f"weight_decay={self._weight_decay:g})")


class Adam(Optimizer):
    """Adam with bias correction (PyTorch's ``Adam``, L2 added to the gradient).

    With ``g`` the gradient at step ``t``::

        m = β1 m + (1 − β1) g
        v = β2 v + (1 − β2) g²
        W -= lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates, in [0, 1).
    eps : float, default 1e-8
        Added to the denominator, > 0.
    weight_decay : float, default 0.0
        L2 strength on the weights, >= 0.
    """

    def __init__(self, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self._beta1 = _check_fraction("beta1", beta1)
        self._beta2 = _check_fraction("beta2", beta2)
        self._eps = check_positive("eps", eps)
        self._m: list[np.ndarray] = []
        self._v: list[np.ndarray] = []

    @property
    def beta1(self) -> float:
        """Decay rate of the first moment (fixed at construction)."""
        return self._beta1

    @property
    def beta2(self) -> float:
        """Decay rate of the second moment (fixed at construction)."""
        return self._beta2

    @property
    def eps(self) -> float:
        """Denominator guard (fixed at construction)."""
        return self._eps

    def _init_state(self, shapes):
        self._m = [np.zeros(s) for s in shapes]
        self._v = [np.zeros(s) for s in shapes]

    def _clear_state(self):
        self._m, self._v = [], []

    def _state_arrays(self):
        return self._m + self._v

    def _update(self, i, param, grad):
        b1, b2 = self._beta1, self._beta2
        m, v, s = self._m[i], self._v[i], self._scratch[i]
        m *= b1
        np.multiply(grad, 1.0 - b1, out=s)
        m += s
        v *= b2
        np.multiply(grad, grad, out=s)
        s *= 1.0 - b2
        v += s
        # denominator sqrt(v̂) + eps, written as PyTorch does
        np.sqrt(v, out=s)
        s /= math.sqrt(1.0 - b2 ** self.t)
        s += self._eps
        np.divide(m, s, out=s)
        s *= self._lr / (1.0 - b1 ** self.t)
        param -= s

    def __repr__(self) -> str:
        return (f"Adam(lr={self._lr:g}, beta1={self._beta1:g}, beta2={self._beta2:g}, "
                f"eps={self._eps:g}, weight_decay={self._weight_decay:g})")


def make_optimizer(name: str, lr: float | None = None, momentum: float | None = None,
                   weight_decay: float = 0.0, **kw) -> Optimizer:
    """Build an optimiser by name.

    Parameters
    ----------
    name : {"sgd", "momentum", "adam"}
        ``"sgd"``: plain gradient descent (``momentum`` defaults to 0);
        ``"momentum"``: SGD with ``momentum`` defaulting to 0.9;
        ``"adam"``: :class:`Adam`.
    lr : float, optional
        Learning rate; defaults to 0.1 for SGD and 0.01 for Adam.
    momentum : float, optional
        Momentum for ``"sgd"``/``"momentum"``; not accepted for ``"adam"``.
    weight_decay : float, default 0.0
        L2 strength on the weights.
    **kw
        Further arguments of :class:`Adam` (``beta1``, ``beta2``, ``eps``).

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        For an unknown name (the message lists :data:`OPTIMIZER_NAMES`).
    TypeError
        For an argument the chosen optimiser does not take.
    """
    key = check_choice("optimizer", name, OPTIMIZER_NAMES)
    if key == "adam":
        if momentum is not None:
            raise TypeError("momentum does not apply to the 'adam' optimizer; use beta1 instead")
        unknown = sorted(set(kw) - {"beta1", "beta2", "eps"})
        if unknown:
            raise TypeError(f"unexpected argument(s) {unknown} for the 'adam' optimizer; "
                            "expected beta1, beta2 or eps")
        return Adam(lr=0.01 if lr is None else lr, weight_decay=weight_decay, **kw)
    if kw:
        raise TypeError(f"unexpected argument(s) {sorted(kw)} for the {key!r} optimizer; "
                        "it takes lr, momentum and weight_decay")
    if momentum is None:
        momentum = 0.9 if key == "momentum" else 0.0
    return SGD(lr=0.1 if lr is None else lr, momentum=momentum, weight_decay=weight_decay)
