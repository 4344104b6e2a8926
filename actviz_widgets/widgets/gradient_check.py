"""Gradient check: pick one weight, compare backprop's ∂L/∂w with a central difference."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.datasets import make_dataset
from ..engine.gradcheck import numeric_gradient, relative_error
from ..engine.network import MLP, Gradients, Trace
from ..engine.validation import check_int
from ..i18n import resolve_language, tr
from ..views.activation_plot import activation_label
from ..views.gradient_check import (
    EPS_RANGE,
    GradientCheckState,
    GradientCheckView,
    neuron_name,
)
from .base import FigureWidget
from .settings import Choice, Number
from .training import hidden_of

__all__ = ["GradientCheck", "EPS_GRID"]

#: The ε values of the error curve: every half decade from 1e-12 to 1e-1 (23 values).
EPS_GRID = 10.0 ** np.arange(-12.0, -0.99, 0.5)


class GradientCheck(FigureWidget):
    """Backprop's gradient of one weight next to its central finite difference.

    For the chosen weight ``w = net.weights[layer][i, j]`` the widget shows
    ∂L/∂w from the engine's backward pass, the engine's
    :func:`~actviz_widgets.engine.numeric_gradient` ``(L(w+ε) − L(w−ε)) / 2ε``
    for the ε of the slider, their
    :func:`~actviz_widgets.engine.relative_error`, and the relative error
    for every ε of :data:`EPS_GRID`: too large an ε gives truncation error,
    too small a one rounding error.  The curve is computed once per weight
    and activation and cached, so moving only ε costs two loss evaluations.

    Parameters
    ----------
    net : MLP, optional
        The network to check (never modified: the activation dropdown gives
        a copy with the same weights and another hidden activation).
        Default: ``MLP([2, *hidden, 1], activation, loss="bce", seed=seed)``,
        built anew for each activation the dropdown picks (the initial
        weights depend on it: He before ReLU-like units, else Xavier), so
        the widget shows what a fresh one would.
    X, y : array_like, optional
        Inputs and targets (needed with ``net``). Default: ``n_samples``
        points of the "moons" set drawn with ``seed``.
    activation : str, optional
        The hidden layers' activation (default ``"tanh"``, or the network's own;
        not for a network without a hidden layer).
    layer, i, j : int, default 0
        The weight ``weights[layer][i, j]`` (0-based, as in the engine):
        from neuron ``i`` of layer ``layer`` to neuron ``j`` of layer ``layer + 1``.
    eps : float, default 1e-6
        The finite-difference step, in [1e-12, 1e-1].
    hidden : sequence of int, default (4, 3)
        Hidden layer sizes of the default network.
    n_samples : int, default 24
        Samples of the default data.
    seed : int, default 0
        Seed of the default network and data.

    sizes : list of int, optional
        The default network's architecture as every widget takes it, e.g.
        ``[2, 4, 3, 1]`` (the same as ``hidden=(4, 3)``).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the controls and the picture.
        Default: :func:`actviz_widgets.get_language`.

    Attributes
    ----------
    activation, layer, i, j, eps
        The settings (assign to change; the controls follow; ``apply`` sets
        several at once). The choices of ``i`` and ``j`` follow ``layer``: a
        neuron is kept where still valid, else the layer's last one is taken.
        ``activation`` is ``None`` for a network without a hidden layer.
    activation_dropdown, layer_dropdown, from_dropdown, to_dropdown : ipywidgets.Dropdown
        The controls of ``activation``, ``layer``, ``i`` and ``j``.
    eps_slider : ipywidgets.FloatLogSlider
        The control of ``eps``.
    net : MLP
        The network with the chosen activation (see ``net`` above).
    X, y : numpy.ndarray
        The data.
    trace : Trace
    grads : Gradients
        Forward and backward pass of ``net`` on the data.
    backprop, numeric, rel_error : float
        ∂L/∂w by backpropagation, by central difference at the current ε,
        and their relative error.
    loss_plus, loss_minus : float
        L(w + ε) and L(w − ε).
    eps_grid, curve_numeric, curve_error : numpy.ndarray
        The curve: numeric gradient and relative error at each ε of the grid.
    state : GradientCheckState
        What is drawn (a read-only snapshot).
    """

    i18n_area = "gradcheck"
    activation = Choice("tanh", [(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
                        label="", width="270px")
    layer = Choice(0, [0], label="", width="330px")
    i = Choice(0, [0], label="", width="210px")
    j = Choice(0, [0], label="", width="210px")
    eps = Number(1e-6, *EPS_RANGE, step=0.25, log=True, fmt=".1e", label="", width="380px")

    def __init__(self, net: MLP | None = None, X=None, y=None, activation: str | None = None,
                 layer: int = 0, i: int = 0, j: int = 0, eps: float = 1e-6,
                 hidden=(4, 3), n_samples: int = 24, seed: int = 0, sizes=None,
                 language: str | None = None) -> None:
        # the neurons' and layers' names in the menus are built before the settings
        language = resolve_language(language)
        if sizes is not None:  # the architecture, as every widget takes it
            hidden = hidden_of(sizes, 2, 1)
        if net is None:
            if X is not None or y is not None:
                raise ValueError("X and y are used only with a network of your own: pass net "
                                 "too, or none of the three for the default example")
            sizes = [2, *[check_int("hidden size", h, minimum=1) for h in hidden], 1]
            # (the network of each activation is built when it is chosen: see _model)
            net = MLP(sizes, activation="tanh", loss="bce", seed=seed)
            self._default = True
            data = make_dataset("moons", n_samples=check_int("n_samples", n_samples, minimum=4),
                                test_fraction=0.0, seed=seed)
            X, y = data.X_train, data.y_train
        elif not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP or None; got {type(net).__name__}")
        elif X is None or y is None:
            raise ValueError("with a network of your own, give its data too: X and y")
        else:
            self._default = False
        self.X = net.check_X(X).copy()
        self.y = net.loss.check_targets(y, self.X.shape[0], net.sizes[-1]).copy()
        self._base = net.copy()
        L = net.n_layers
        if L == 1:
            if activation is not None:
                raise ValueError(f"activation is the hidden layers' activation, and this "
                                 f"network {net.sizes} has no hidden layer; got "
                                 f"{activation!r}")
            activation_options = ((tr("gradcheck.no_hidden", language), None),)
        else:
            activation_options = tuple((activation_label(n, language), n)
                                       for n in ACTIVATION_NAMES)
            if activation is None:
                activation = net.activations[0].name

        self._nets: dict[str | None, tuple[MLP, Trace, Gradients]] = {}
        self._curves: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self.eps_grid = EPS_GRID.copy()
        self.backprop = self.numeric = self.rel_error = np.nan
        self.loss_plus = self.loss_minus = np.nan
        self.curve_numeric = self.curve_error = np.full(len(EPS_GRID), np.nan)
        self._drawn: GradientCheckState | None = None

        # The neurons offered as "from" and "to" follow the weight matrix: the observer
        # narrows them as soon as the layer changes (before anything else hears of it),
        # so the layer given here, or by apply(layer=…, i=…, j=…), comes before its neurons.
        sizes = net.sizes
        self.language = language
        self.setting_options = {
            "activation": activation_options,
            "layer": tuple((tr("gradcheck.layer_option", language, l=l,
                               source=_layer_name(sizes, l, language),
                               target=_layer_name(sizes, l + 1, language)), l)
                           for l in range(L)),
            "i": self._neuron_options(0),
            "j": self._neuron_options(1),
        }
        self.observe(self._narrow_neurons, names="layer")
        self.init_settings(dict(activation=activation, eps=eps, layer=layer, i=i, j=j),
                           language=language)

        self.activation_dropdown = self.control("activation")
        self.activation_dropdown.disabled = L == 1
        self.layer_dropdown = self.control("layer")
        self.from_dropdown = self.control("i")
        self.to_dropdown = self.control("j")
        self.eps_slider = self.control("eps")
        rows = [widgets.HBox([self.activation_dropdown, self.layer_dropdown]),
                widgets.HBox([self.from_dropdown, self.to_dropdown, self.eps_slider])]
        view = GradientCheckView(sizes, self._activation_names(self.activation),
                                 language=self.language)
        super().__init__(view, rows)
        self.refresh()

    # -- read-outs -------------------------------------------------------------------------
    @property
    def state(self) -> GradientCheckState | None:
        """What is drawn (a read-only snapshot)."""
        return self._drawn

    @property
    def net(self) -> MLP:
        """The network with the chosen hidden activation."""
        return self._model()[0]

    @property
    def trace(self) -> Trace:
        """Its forward pass on the data."""
        return self._model()[1]

    @property
    def grads(self) -> Gradients:
        """Its backward pass on the data."""
        return self._model()[2]

    @property
    def weight_index(self) -> tuple[int, int, int]:
        """``(layer, i, j)`` of the chosen weight."""
        return self.layer, self.i, self.j

    # -- model -----------------------------------------------------------------------------
    def _activation_names(self, hidden: str | None) -> list[str]:
        names = self._base.activation_names
        if hidden is None:  # no hidden layer
            return names
        return [hidden] * (len(names) - 1) + names[-1:]

    def _model(self) -> tuple[MLP, Trace, Gradients]:
        """The network with the chosen activation and its passes (cached per activation)."""
        key = self.activation
        model = self._nets.get(key)
        if model is None:
            base = self._base
            if self._default:
                net = MLP(base.sizes, activation=key, loss=base.loss.name, seed=base.seed)
            else:
                net = base.copy()
                net.activations = [get_activation(n) for n in self._activation_names(key)]
            trace, grads = net.loss_and_gradients(self.X, self.y)
            model = self._nets[key] = (net, trace, grads)
        return model

    def _curve(self, net: MLP, layer: int, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Numeric gradients over :data:`EPS_GRID` for one weight (cached)."""
        key = (self.activation, layer, i, j)
        curve = self._curves.get(key)
        if curve is None:
            numeric = np.array([numeric_gradient(net, self.X, self.y, layer, i, j, eps=e)
                                for e in EPS_GRID])
            backprop = self._model()[2].dW[layer][i, j]
            curve = self._curves[key] = (numeric, relative_error(backprop, numeric))
        return curve

    def _losses_at(self, net: MLP, layer: int, i: int, j: int, eps: float) -> tuple[float, float]:
        """L(w + ε) and L(w − ε), the two numbers the central difference subtracts."""
        W = net.weights[layer]
        w = W[i, j]
        try:
            W[i, j] = w + eps
            plus = net.loss_value(self.X, self.y)
            W[i, j] = w - eps
            minus = net.loss_value(self.X, self.y)
        finally:
            W[i, j] = w  # bit for bit
        return plus, minus

    def update(self) -> None:
        """Recompute the check for the chosen weight and ε and draw it."""
        net, trace, grads = self._model()
        layer, i, j = self.weight_index
        eps = self.eps
        backprop = float(grads.dW[layer][i, j])
        numeric = numeric_gradient(net, self.X, self.y, layer, i, j, eps=eps)
        rel = relative_error(backprop, numeric)
        plus, minus = self._losses_at(net, layer, i, j, eps)
        curve_numeric, curve_error = self._curve(net, layer, i, j)
        state = GradientCheckState(
            sizes=list(net.sizes), activations=net.activation_names,
            weights=[W.copy() for W in net.weights],
            mean_activations=[a.mean(axis=0) for a in trace.a], layer=layer, i=i, j=j,
            w=float(net.weights[layer][i, j]), loss=float(grads.loss), backprop=backprop,
            eps=eps, loss_plus=plus, loss_minus=minus, numeric=numeric, rel_error=rel,
            eps_grid=self.eps_grid, errors=curve_error, n_samples=self.X.shape[0])
        self.view.update(state)
        self.backprop, self.numeric, self.rel_error = backprop, numeric, rel
        self.loss_plus, self.loss_minus = plus, minus
        self.curve_numeric, self.curve_error = curve_numeric, curve_error
        self._drawn = state

    # -- settings --------------------------------------------------------------------------
    def _neuron_options(self, layer: int) -> tuple[tuple[str, int], ...]:
        return tuple((neuron_name(self._base.sizes, layer, k, self.language), k)
                     for k in range(self._base.sizes[layer]))

    def _narrow_neurons(self, change: dict) -> None:
        """A new weight matrix: the neuron choices follow it at once (a neuron is kept
        where still valid, else the last one is taken)."""
        layer, sizes = change["new"], self._base.sizes
        with self.hold():  # one recompute for the neurons, whatever the dropdowns do between
            for name, l in (("i", layer), ("j", layer + 1)):
                keep = min(getattr(self, name), sizes[l] - 1)
                # (a dropdown given new options selects its first one: set the kept one after)
                self.set_options(name, self._neuron_options(l))
                setattr(self, name, keep)

    def __repr__(self) -> str:
        layer, i, j = self.weight_index
        return (f"GradientCheck(sizes={self._base.sizes}, "
                f"activation={self.activation!r}, "
                f"weight=weights[{layer}][{i}, {j}], eps={self.eps:.1e})")


def _layer_name(sizes, l: int, language: str) -> str:
    L = len(sizes) - 1
    if l in (0, L):
        return tr("gradcheck.layer_name.input" if l == 0 else "gradcheck.layer_name.output",
                  language)
    return tr("gradcheck.layer_name.hidden", language, l=l)
