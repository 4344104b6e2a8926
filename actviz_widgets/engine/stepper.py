"""One training step of an MLP, cut into named steps a widget can walk through.

A :class:`PassStepper` runs the forward pass, the loss, the backward pass and a
plain gradient-descent update once, then shows them one step at a time.  For a
network with ``L`` weight layers the ``2L + 3`` steps are:

=============  ==========================  ================================================
index          step                        newly known
=============  ==========================  ================================================
0              input                       ``a[0] = X``
1 .. L         forward, layer ``index``    ``z[l]``, ``a[l]``, ``dadz[l]``
L + 1          loss                        ``loss``, ``prediction``
L + 2 .. 2L+1  backward, layer ``L .. 1``  ``dL_da[l]``, ``delta[l]``, ``dW[l-1]``, ``db[l-1]``
2L + 2         update                      ``new_weights``, ``new_biases``
=============  ==========================  ================================================

A :class:`StepState` holds only what is known at its step: a quantity not
computed yet is absent from its mapping (or ``None``), never zero, so a widget
can draw it blank instead of showing a misleading value.  Every array handed
out is a read-only view, so a widget cannot corrupt the stepper.

The stepper never changes the network unless asked to with
:meth:`PassStepper.apply_update`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .network import MLP, Gradients, Trace
from .validation import check_int, check_positive

__all__ = ["Step", "StepState", "PassStepper", "STEP_KINDS", "QUANTITIES"]

#: Kinds of step, in the order they occur.
STEP_KINDS: tuple[str, ...] = ("input", "forward", "loss", "backward", "update")

# Quantities with one array per layer number (0..L): one row per sample.
_NEURON_QUANTITIES = ("z", "a", "dadz", "dL_da", "delta")
# Quantities with one array per weight index (0..L-1), already summed over the batch.
_PARAM_QUANTITIES = ("dW", "db")
_WHOLE_QUANTITIES = ("loss", "prediction", "new_weights", "new_biases")
#: Names accepted by :meth:`StepState.known`.
QUANTITIES: tuple[str, ...] = _NEURON_QUANTITIES + _PARAM_QUANTITIES + _WHOLE_QUANTITIES

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _sup(n: int) -> str:
    """``n`` written in superscript digits, e.g. ``12 -> '¹²'``."""
    return str(n).translate(_SUPERSCRIPT)


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array``: its base is read-only too, so the view
    cannot be made writeable again."""
    view = array.view()
    view.flags.writeable = False
    return view


def _own(array: np.ndarray) -> np.ndarray:
    """A private read-only copy of ``array``."""
    copy = np.array(array, copy=True)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True)
class Step:
    """One step of the pass, for people and for widgets.

    Attributes
    ----------
    index : int
        Position in :attr:`PassStepper.steps`.
    kind : {"input", "forward", "loss", "backward", "update"}
        What happens at this step.
    layer : int or None
        The layer number ``l`` (1..L) for forward and backward steps, else ``None``.
    label : str
        Short title, e.g. ``"Forward: layer 1 (hidden, tanh)"``.
    description : str
        One sentence of what is computed, e.g. ``"z¹ = a⁰ W⁰ + b⁰, a¹ = tanh(z¹) and f′(z¹)"``.
    """

    index: int
    kind: str
    layer: int | None
    label: str
    description: str


@dataclass(frozen=True)
class StepState:
    """What is known after one step of the pass.

    Mappings are keyed by layer number (``z``, ``a``, ``dadz``, ``dL_da``,
    ``delta``: 0..L) or by weight index (``dW``, ``db``: 0..L-1, shaped like
    ``net.weights[l]`` / ``net.biases[l]``) and hold only the entries known
    at this step.  They are read-only mappings of read-only arrays.

    Attributes
    ----------
    step : Step
        The step this state belongs to.
    n_layers : int
        Number of weight layers L of the network.
    z, a, dadz, dL_da, delta : Mapping[int, numpy.ndarray]
        Per-sample, per-neuron quantities of shape ``(n_samples, n_neurons)``;
        ``a[0]`` is the input ``X`` and is known from step 0.
    dW, db : Mapping[int, numpy.ndarray]
        Gradients of the mean loss for ``weights[l]`` and ``biases[l]``.
    loss : float or None
        The mean loss, from the loss step on.
    prediction : numpy.ndarray or None
        What the network predicts (softmax probabilities for
        ``cross_entropy``, else ``a[L]``), from the loss step on.
    new_weights, new_biases : tuple of numpy.ndarray or None
        ``W - lr·dW`` and ``b - lr·db`` per weight index, at the update step only.
    """

    step: Step
    n_layers: int
    z: Mapping[int, np.ndarray]
    a: Mapping[int, np.ndarray]
    dadz: Mapping[int, np.ndarray]
    dL_da: Mapping[int, np.ndarray]
    delta: Mapping[int, np.ndarray]
    dW: Mapping[int, np.ndarray]
    db: Mapping[int, np.ndarray]
    loss: float | None = None
    prediction: np.ndarray | None = None
    new_weights: tuple | None = None
    new_biases: tuple | None = None

    @property
    def phase(self) -> str:
        """The kind of the step: ``"input"``, ``"forward"``, ``"loss"``,
        ``"backward"`` or ``"update"``."""
        return self.step.kind

    @property
    def current_layer(self) -> int | None:
        """The layer this step works on (forward/backward), else ``None``."""
        return self.step.layer

    @property
    def n_samples(self) -> int:
        """Number of samples in the batch."""
        return int(self.a[0].shape[0])

    @property
    def mean_over_batch(self) -> bool:
        """True if the batch holds several samples, so a single number shown
        per neuron is a mean over the batch (see :meth:`mean`) and should be
        labelled as such."""
        return self.n_samples > 1

    def _check(self, quantity: str, layer: int | None) -> tuple[str, int | None]:
        # Names are case-sensitive (dL_da vs dW), so check_choice's lower-casing won't do.
        if not isinstance(quantity, str) or quantity not in QUANTITIES:
            raise (ValueError if isinstance(quantity, str) else TypeError)(
                f"quantity must be one of {list(QUANTITIES)}; got {quantity!r}")
        L = self.n_layers
        if quantity in _NEURON_QUANTITIES:
            if layer is not None:
                layer = check_int("layer", layer, minimum=0, maximum=L)
        elif quantity in _PARAM_QUANTITIES:
            if layer is not None:
                layer = check_int("layer", layer, minimum=0, maximum=L - 1)
        elif layer is not None:
            raise ValueError(f"layer must be None for {quantity!r}, which is one value for the "
                             f"whole network; got {layer!r}")
        return quantity, layer

    def known(self, quantity: str, layer: int | None = None) -> bool:
        """Whether ``quantity`` (for ``layer``) is known at this step.

        Parameters
        ----------
        quantity : str
            One of ``z, a, dadz, dL_da, delta`` (per layer number 0..L),
            ``dW, db`` (per weight index 0..L-1) or ``loss, prediction,
            new_weights, new_biases`` (whole network; ``layer`` must be None).
        layer : int, optional
            Which layer; ``None`` asks whether any layer's value is known.

        Raises
        ------
        ValueError
            Unknown quantity or a layer out of range (the message gives the range).
        """
        quantity, layer = self._check(quantity, layer)
        value = getattr(self, quantity)
        if quantity in _WHOLE_QUANTITIES:
            return value is not None
        return len(value) > 0 if layer is None else layer in value

    def mean(self, quantity: str, layer: int) -> np.ndarray | None:
        """Mean over the batch of a per-neuron quantity, for display.

        Parameters
        ----------
        quantity : {"z", "a", "dadz", "dL_da", "delta"}
            A per-sample, per-neuron quantity.
        layer : int
            Layer number 0..L.

        Returns
        -------
        numpy.ndarray or None
            Shape ``(n_neurons,)``; ``None`` if not known at this step.
        """
        quantity, layer = self._check(quantity, layer)
        if quantity not in _NEURON_QUANTITIES:
            raise ValueError(f"mean is for per-sample quantities {list(_NEURON_QUANTITIES)}; "
                             f"{quantity!r} already describes the whole batch")
        if layer is None:
            raise TypeError("layer must be an integer layer number; got None")
        value = getattr(self, quantity).get(layer)
        if value is None:
            return None
        # ∂L/∂a of a saturated bce output may be ±inf: the mean is then inf/NaN, quietly.
        with np.errstate(invalid="ignore", over="ignore"):
            return value.mean(axis=0)


class PassStepper:
    """Walk through one forward pass, loss, backward pass and update, step by step.

    The whole pass is computed once, on the network's current weights, when
    the stepper is made (and again on :meth:`recompute`); moving between
    steps only changes what is shown.

    Parameters
    ----------
    net : MLP
        The network; never changed except by :meth:`apply_update`.
    X : array_like
        Inputs ``(n_samples, n_inputs)`` or one sample ``(n_inputs,)``.
    y : array_like
        Targets, as for :meth:`MLP.backward`.
    lr : float, default 0.1
        Learning rate of the update step, > 0.

    Examples
    --------
    >>> net = MLP([2, 3, 1], activation="tanh", loss="bce", seed=0)
    >>> s = PassStepper(net, [[0.5, -1.0]], [[1.0]])
    >>> s.n_steps, s.step.label
    (7, 'Input')
    >>> s.next(); s.state.known("z", 1), s.state.known("delta")
    1
    (True, False)
    """

    def __init__(self, net: MLP, X, y, lr: float = 0.1) -> None:
        self._position = 0
        self._install(self._compute(net, X, y, lr))

    # -- computing the pass ----------------------------------------------------------------
    @staticmethod
    def _compute(net: MLP, X, y, lr) -> dict:
        """Validate and run the whole pass; returns everything without storing it,
        so a failure leaves the stepper as it was."""
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP; got {type(net).__name__}")
        lr = check_positive("lr", lr)
        X = _own(net.check_X(X))
        y = _own(net.loss.check_targets(y, X.shape[0], net.sizes[-1]))
        trace = net.forward(X)
        grads = net.backward(trace, y)
        L = net.n_layers
        prediction = net.loss.predict(trace.z[L], trace.a[L])
        with np.errstate(over="ignore", invalid="ignore"):
            new_w = [W - lr * dW for W, dW in zip(net.weights, grads.dW)]
            new_b = [b - lr * db for b, db in zip(net.biases, grads.db)]
        own = lambda arrays: [None if v is None else _own(v) for v in arrays]  # noqa: E731
        return {
            "net": net, "X": X, "y": y, "lr": lr,
            "trace": Trace(own(trace.z), [X] + own(trace.a[1:]), own(trace.dadz)),
            "grads": Gradients(float(grads.loss), own(grads.dL_da), own(grads.delta),
                               own(grads.dW), own(grads.db)),
            "prediction": _own(prediction),
            "new_weights": own(new_w), "new_biases": own(new_b),
            # what the pass was computed from, to refuse a stale update
            "weights_used": own(net.weights), "biases_used": own(net.biases),
            "activations_used": net.activation_names,
            "steps": _make_steps(net, lr, X.shape[0]),
        }

    def _install(self, result: dict) -> None:
        self._net: MLP = result["net"]
        self._X: np.ndarray = result["X"]
        self._y: np.ndarray = result["y"]
        self._lr: float = result["lr"]
        self._trace: Trace = result["trace"]
        self._grads: Gradients = result["grads"]
        self._prediction: np.ndarray = result["prediction"]
        self._new_weights: list = result["new_weights"]
        self._new_biases: list = result["new_biases"]
        self._weights_used: list = result["weights_used"]
        self._biases_used: list = result["biases_used"]
        self._activations_used: list = result["activations_used"]
        self._steps: list[Step] = result["steps"]
        self._states: dict[int, StepState] = {}
        self._position = min(self._position, self.n_steps - 1)

    def recompute(self, X=None, y=None, lr: float | None = None, net: MLP | None = None) -> None:
        """Recompute the whole pass, keeping the position.

        Call after a slider changed the inputs, targets or learning rate, or
        after the network's weights or activations were changed.  If the
        number of layers changed, the position is clamped to the last step.

        Parameters
        ----------
        X, y : array_like, optional
            New inputs and targets (default: the current ones).
        lr : float, optional
            New learning rate (default: the current one).
        net : MLP, optional
            A network to use from now on instead of :attr:`net` (e.g. one
            rebuilt with another architecture).

        Raises
        ------
        ValueError, TypeError
            On a bad argument; the stepper is then left exactly as it was.
        """
        self._install(self._compute(self._net if net is None else net,
                                    self._X if X is None else X, self._y if y is None else y,
                                    self._lr if lr is None else lr))

    # -- what the pass was computed from (read-only: change them with recompute) -----------
    @property
    def net(self) -> MLP:
        """The network."""
        return self._net

    @property
    def X(self) -> np.ndarray:
        """The checked inputs (a read-only copy)."""
        return _frozen(self._X)

    @property
    def y(self) -> np.ndarray:
        """The checked targets (a read-only copy)."""
        return _frozen(self._y)

    @property
    def lr(self) -> float:
        """The learning rate of the update step."""
        return self._lr

    @property
    def steps(self) -> list[Step]:
        """All steps of the pass, in order."""
        return list(self._steps)

    # -- moving ----------------------------------------------------------------------------
    @property
    def n_steps(self) -> int:
        """Number of steps, ``2L + 3``."""
        return len(self._steps)

    @property
    def position(self) -> int:
        """Index of the current step, 0..n_steps-1."""
        return self._position

    @position.setter
    def position(self, k: int) -> None:
        self._position = check_int("position", k, minimum=0, maximum=self.n_steps - 1)

    def go(self, k: int) -> int:
        """Move to step ``k`` (0..n_steps-1) and return the new position."""
        self.position = k
        return self._position

    def next(self) -> int:
        """Move one step forward (stays on the last step); return the new position."""
        self._position = min(self._position + 1, self.n_steps - 1)
        return self._position

    def prev(self) -> int:
        """Move one step back (stays on step 0); return the new position."""
        self._position = max(self._position - 1, 0)
        return self._position

    def reset(self) -> None:
        """Go back to step 0."""
        self._position = 0

    @property
    def at_start(self) -> bool:
        """True on step 0."""
        return self._position == 0

    @property
    def at_end(self) -> bool:
        """True on the last step (the update)."""
        return self._position == self.n_steps - 1

    @property
    def step(self) -> Step:
        """The current :class:`Step`."""
        return self._steps[self._position]

    @property
    def state(self) -> StepState:
        """What is known at the current step."""
        return self.state_at(self._position)

    def state_at(self, k: int) -> StepState:
        """What is known after step ``k`` (0..n_steps-1); cached."""
        k = check_int("k", k, minimum=0, maximum=self.n_steps - 1)
        if k not in self._states:
            self._states[k] = self._build_state(k)
        return self._states[k]

    def _build_state(self, k: int) -> StepState:
        L = self.n_layers
        tr, g = self._trace, self._grads
        n_fwd = min(k, L)
        backward = range(L, L - max(0, min(k - (L + 1), L)), -1)  # layers done, top down
        done = k == 2 * L + 2

        def pick(arrays, layers):
            return MappingProxyType({l: _frozen(arrays[l]) for l in layers})

        return StepState(
            step=self._steps[k],
            n_layers=L,
            z=pick(tr.z, range(1, n_fwd + 1)),
            a=pick(tr.a, range(0, n_fwd + 1)),
            dadz=pick(tr.dadz, range(1, n_fwd + 1)),
            dL_da=pick(g.dL_da, backward),
            delta=pick(g.delta, backward),
            dW=pick(g.dW, [l - 1 for l in backward]),
            db=pick(g.db, [l - 1 for l in backward]),
            loss=g.loss if k > L else None,
            prediction=_frozen(self._prediction) if k > L else None,
            new_weights=tuple(map(_frozen, self._new_weights)) if done else None,
            new_biases=tuple(map(_frozen, self._new_biases)) if done else None,
        )

    @property
    def n_layers(self) -> int:
        """Number of weight layers L the current pass was computed for."""
        return len(self._grads.dW)

    @property
    def mean_over_batch(self) -> bool:
        """True if the batch holds several samples: per-neuron values shown as
        one number are then means over the batch (:meth:`StepState.mean`)."""
        return self._X.shape[0] > 1

    # -- full results ----------------------------------------------------------------------
    @property
    def trace(self) -> Trace:
        """The whole forward pass (read-only arrays)."""
        view = lambda arrays: [None if v is None else _frozen(v) for v in arrays]  # noqa: E731
        return Trace(view(self._trace.z), view(self._trace.a), view(self._trace.dadz))

    @property
    def grads(self) -> Gradients:
        """The whole backward pass (read-only arrays)."""
        g = self._grads
        view = lambda arrays: [None if v is None else _frozen(v) for v in arrays]  # noqa: E731
        return Gradients(g.loss, view(g.dL_da), view(g.delta), view(g.dW), view(g.db))

    @property
    def new_weights(self) -> list[np.ndarray]:
        """Weights after the update, ``W - lr·dW`` (read-only)."""
        return [_frozen(w) for w in self._new_weights]

    @property
    def new_biases(self) -> list[np.ndarray]:
        """Biases after the update, ``b - lr·db`` (read-only)."""
        return [_frozen(b) for b in self._new_biases]

    # -- taking the step -------------------------------------------------------------------
    def apply_update(self) -> None:
        """Take the step: write the update into the network, recompute the
        pass with the new weights and go back to step 0.

        Raises
        ------
        ValueError
            If the network was changed since the pass was computed (call
            :meth:`recompute` first); nothing is changed.
        FloatingPointError
            If the gradients are not finite; nothing is changed.
        """
        net = self._net
        same = (net.activation_names == self._activations_used
                and len(net.weights) == len(self._weights_used)
                and all(w.shape == u.shape and np.array_equal(w, u)
                        for w, u in zip(net.weights + net.biases,
                                        self._weights_used + self._biases_used)))
        if not same:
            raise ValueError("the network changed since this pass was computed; call "
                             "recompute() before apply_update()")
        net.step(self._grads, lr=self._lr)
        self._install(self._compute(net, self._X, self._y, self._lr))
        self._position = 0

    def __repr__(self) -> str:
        return (f"PassStepper(step {self._position} of {self.n_steps - 1}: {self.step.label!r}, "
                f"loss={self._grads.loss:.6g})")


def _make_steps(net: MLP, lr: float, n_samples: int) -> list[Step]:
    """The ``2L + 3`` steps of a pass through ``net``, with labels and descriptions.

    Notation of the lessons: Wˡ and bˡ go into layer l (``net.weights[l - 1]``).
    """
    L = net.n_layers
    s = _sup
    ce = net.loss.name == "cross_entropy"
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    steps = [("input", None, "Input",
              f"a⁰ = X, the batch: {plural(n_samples, 'sample')} of "
              f"{plural(net.sizes[0], 'input')} each")]
    for l, act in enumerate(net.activations, 1):
        role = "output" if l == L else "hidden"
        steps.append(("forward", l, f"Forward: layer {l} ({role}, {act.name})",
                      f"z{s(l)} = a{s(l - 1)} W{s(l)} + b{s(l)}, "
                      f"a{s(l)} = {act.name}(z{s(l)}) and f′(z{s(l)})"))
    if ce:
        loss_text = (f"L = mean {net.loss.display_name} of the logits z{s(L)} against the "
                     f"labels y; the prediction is softmax(z{s(L)})")
    else:
        loss_text = (f"L = mean {net.loss.display_name} of the outputs a{s(L)} against the "
                     f"targets y; the prediction is a{s(L)}")
    steps.append(("loss", None, f"Loss ({net.loss.display_name})", loss_text))
    for l in range(L, 0, -1):
        if l == L:
            label = f"Backward: layer {l} (output)"
            head = (f"δ{s(l)} = ∂L/∂z{s(l)} = (softmax(z{s(l)}) − y)/n (equal to ∂L/∂a{s(l)}, "
                    "the output being linear)" if ce else
                    f"∂L/∂a{s(l)} from the loss, δ{s(l)} = ∂L/∂a{s(l)} ⊙ f′(z{s(l)})")
        else:
            label = f"Backward: layer {l}"
            head = (f"∂L/∂a{s(l)} = δ{s(l + 1)} (W{s(l + 1)})ᵀ, "
                    f"δ{s(l)} = ∂L/∂a{s(l)} ⊙ f′(z{s(l)})")
        steps.append(("backward", l, label,
                      f"{head}, ∂L/∂W{s(l)} = (a{s(l - 1)})ᵀ δ{s(l)} and "
                      f"∂L/∂b{s(l)} = Σ δ{s(l)} over the batch"))
    steps.append(("update", None, f"Update weights (learning rate {lr:g})",
                  f"W ← W − {lr:g}·∂L/∂W and b ← b − {lr:g}·∂L/∂b for every layer "
                  "(plain gradient descent)"))
    return [Step(i, kind, layer, label, text)
            for i, (kind, layer, label, text) in enumerate(steps)]
