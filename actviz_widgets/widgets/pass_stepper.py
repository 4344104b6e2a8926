"""Step through one forward pass, loss, backward pass and update of a small network."""

from __future__ import annotations

import math
from dataclasses import replace
from numbers import Real

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.network import MLP, Gradients, Trace
from ..engine.stepper import PassStepper, StepState
from ..i18n import resolve_language
from ..views.network_diagram import parse_region_id
from ..views.pass_stepper import NODE_QUANTITIES, PassStepperView
from .base import FigureWidget
from .settings import Choice, Integer, Number, SettingSpec
from .stepping import Stepping

__all__ = ["BackpropStepper", "PassStepperWidget", "MEAN", "FOLLOW", "INPUT_RANGE",
           "TARGET_RANGE", "LR_RANGE", "WEIGHT_RANGE", "MAX_INPUT_SLIDERS"]

#: Range of the input sliders (widened to fit a given input).
INPUT_RANGE = (-3.0, 3.0)
#: Range of the target slider for ``mse`` (widened to fit a given target); ``bce``: [0, 1].
TARGET_RANGE = (-2.0, 2.0)
#: Range of the learning-rate slider.
LR_RANGE = (1e-4, 10.0)
#: Range of a weight typed into the picture (widened to hold the weight's current value).
WEIGHT_RANGE = (-5.0, 5.0)
#: Sliders are offered for at most this many inputs of a single sample.
MAX_INPUT_SLIDERS = 4
#: Value of the ``sample`` setting meaning "the mean over the batch".
MEAN = -1
#: Value of the ``neuron`` setting meaning "neuron 1 of the layer the step works on".
FOLLOW = "follow"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_QUANTITY_LABELS = {"a": "activation a", "z": "pre-activation z", "delta": "δ = ∂L/∂z",
                    "dL_da": "∂L/∂a"}


# -- settings that exist per network (one input, the target, one hidden layer) -------------
# The class declares the settings every stepper has; these three kinds depend on the network
# and data it is given, so each instance adds its own with ``add_traits`` (traitlets' way of
# declaring a trait for one instance), from these one-line declarations.
def input_setting(i: int) -> Number:
    """The setting ``x{i+1}``: input ``i`` of the single sample (range widened to fit it)."""
    return Number(0.0, *INPUT_RANGE, step=0.01, label=f"x{str(i + 1).translate(_SUB)}",
                  width="230px")


def target_setting(loss: str) -> Number | Integer:
    """The setting ``target``: the single sample's target (its class for ``cross_entropy``)."""
    if loss == "cross_entropy":
        return Integer(0, 0, 1, label="class y", width="230px")
    return Number(1.0, *((0.0, 1.0) if loss == "bce" else TARGET_RANGE), step=0.01,
                  label="target y", width="230px")


def hidden_setting(layer: int) -> Choice:
    """The setting ``activation{layer}``: hidden layer ``layer``'s activation function."""
    return Choice("tanh", list(ACTIVATION_NAMES), label=f"hidden {layer}", width="170px")


class BackpropStepper(Stepping, FigureWidget):
    """Walk through one training step of an MLP: forward, loss, backward, update.

    Every number comes from the engine's
    :class:`~actviz_widgets.engine.stepper.PassStepper`: the widget only
    chooses what to show.  Changing an input, the target, the learning rate
    or a hidden activation recomputes the whole pass and redraws at the
    current step; "Apply update" writes ``W − lr·∂L/∂W`` into the network and
    goes back to step 0; "Reset" puts the network's initial weights back
    (whatever the updates did) and goes back to step 0.

    In the page the picture can be pointed at (:meth:`frame_regions`):
    hovering a neuron shows the numbers it has at the current step (z, a,
    f′(z), ∂L/∂a, δ, its bias, ∂L/∂b; nothing not computed yet), hovering an
    edge its weight and ∂L/∂w; clicking a neuron shows its equations, and
    clicking an edge opens a field to type its weight (the pass is
    recomputed; Reset brings the initial weights back).

    The current step is the setting :attr:`position`: the step slider and
    the Play button are both linked to it in the kernel, so a step set from
    code (:meth:`go`) is what both show, and the page's Play only sends a
    step while the learner plays.

    Parameters
    ----------
    net : MLP, optional
        The learner's network; changed by "Apply update", "Reset" (back to
        the weights it had when given) and the hidden-activation settings.
        Default: ``MLP(sizes, activation, loss=loss, seed=seed)``, i.e.
        [2, 3, 2, 1] with tanh hidden layers and a sigmoid output for bce.
    X : array_like, optional
        Inputs, one sample ``(n_inputs,)`` or a batch ``(n, n_inputs)``.
        Default: one sample drawn from ``seed`` in [-1, 1].
    y : array_like, optional
        Targets as for :meth:`MLP.backward`. Default: 1 for each output (class 0
        for ``cross_entropy``).
    lr : float, default 0.1
        Learning rate, in [1e-4, 10].
    sizes : sequence of int, default (2, 3, 2, 1)
        Layer sizes of the default network (as in the other widgets).
    activation : str, default "tanh"
        Hidden activation of the default network.
    loss : str, default "bce"
        Loss of the default network.
    seed : int, default 0
        For the default network and input.
    language : str, optional
        ``"en"`` or ``"zh"`` for every label, picture text, tooltip and
        message; default: the current language (:func:`actviz_widgets.set_language`).

    Attributes
    ----------
    position, lr, quantity, neuron, sample
        Settings of every stepper (assign to change; the controls follow):
        the current step (0 .. n_steps − 1), the learning rate, what colours
        the neurons (``"a"``, ``"z"``, ``"delta"`` or ``"dL_da"``), whose
        equations are shown (``FOLLOW`` or ``(layer, neuron)``, 0-based,
        layer 0 = the inputs) and, for a batch, the sample shown (``MEAN`` or
        an index).
    x1, x2, ..., target
        Settings of a single sample with at most four inputs: its inputs
        (sliders widened to fit the given values) and, for one output or
        ``cross_entropy``, its target (in [0, 1] for ``bce``; a class index
        for ``cross_entropy``).
    activation1, activation2, ...
        Settings: the activation of each hidden layer.
    net : MLP
    stepper : PassStepper
    view : PassStepperView
    step_slider : ipywidgets.IntSlider
        The control of :attr:`position`.
    play : ipywidgets.Play
        Steps through the pass in the page; linked to :attr:`position` in the kernel.
    prev_button, next_button, apply_button, reset_button : ipywidgets.Button
        Reset: back to the initial weights and step 0.
    input_sliders : list of ipywidgets.FloatSlider
        One per input of the single sample (empty for a batch or > 4 inputs).
    target_slider : ipywidgets.FloatSlider or ipywidgets.IntSlider or None
    sample_select : ipywidgets.Dropdown or None
        For a batch only.
    activation_dropdowns : list of ipywidgets.Dropdown
        One per hidden layer.
    lr_slider : ipywidgets.FloatLogSlider
    quantity_buttons : ipywidgets.ToggleButtons
    neuron_select : ipywidgets.Dropdown
    state : StepState
        What is drawn: what is known at the current step (read-only).
    trace : Trace
        The whole forward pass (read-only property).
    grads : Gradients
        The whole backward pass (read-only property).

    Examples
    --------
    >>> w = BackpropStepper()
    >>> w.next(); w.state.phase
    'forward'
    """

    i18n_area = "stepper"
    position = Integer(0, 0, 8, label="", effect="display", width="300px")
    lr = Number(0.1, *LR_RANGE, step=0.1, log=True, fmt=".3g", label="", width="280px")
    quantity = Choice("a", [(_QUANTITY_LABELS[k], k) for k in NODE_QUANTITIES], widget="toggle",
                      label="", effect="display")
    neuron = Choice(FOLLOW, [("follow the current layer", FOLLOW)], label="",
                    effect="display", width="280px")
    sample = Choice(MEAN, [("mean over the batch", MEAN)], label="", effect="display",
                    width="220px")

    def __init__(self, net: MLP | None = None, X=None, y=None, lr: float = 0.1,
                 sizes=(2, 3, 2, 1), activation: str = "tanh", loss: str = "bce",
                 seed: int = 0, language: str | None = None) -> None:
        if net is None:
            net = MLP(list(sizes), activation=activation, loss=loss, seed=seed)
        elif not isinstance(net, MLP):
            raise TypeError(f"net must be an MLP or None; got {type(net).__name__}")
        if X is None:
            X = np.round(np.random.default_rng(seed).uniform(-1, 1, (1, net.sizes[0])), 2)
        if y is None:
            n = np.atleast_2d(np.asarray(X, dtype=float)).shape[0]
            y = (np.zeros(n, dtype=int) if net.loss.name == "cross_entropy"
                 else np.ones((n, net.sizes[-1])))
        stepper = PassStepper(net, X, y)  # validates X and y (lr: by its setting below)
        self.net = net
        self.stepper = stepper
        self._initial = net.get_params()  # what Reset goes back to
        self._drawn: StepState | None = None
        L, n_in, loss_name = net.n_layers, net.sizes[0], net.loss.name
        n_samples = stepper.X.shape[0]
        self._X, self._y = stepper.X, stepper.y  # (read-only) the data without sliders

        # the settings this network and data have, and their ranges and options
        added: dict = {}
        values: dict = {"position": 0, "lr": lr}
        ranges: dict = {"position": (0, stepper.n_steps - 1)}
        self.language = resolve_language(language)  # (the options below need it)
        options: dict = {"neuron": self._neuron_options(net)}
        if n_samples == 1 and n_in <= MAX_INPUT_SLIDERS:
            for i, v in enumerate(stepper.X[0]):
                name = f"x{i + 1}"
                added[name], values[name] = input_setting(i), float(v)
                ranges[name] = (min(INPUT_RANGE[0], float(v)), max(INPUT_RANGE[1], float(v)))
        if n_samples == 1 and (net.sizes[-1] == 1 or loss_name == "cross_entropy"):
            added["target"] = target_setting(loss_name)
            if loss_name == "cross_entropy":
                values["target"] = int(stepper.y[0])
                ranges["target"] = (0, net.sizes[-1] - 1)
            else:
                v = float(stepper.y[0, 0])
                values["target"] = v
                # bce needs a probability (the loss checks the target), mse takes any number
                ranges["target"] = ((0.0, 1.0) if loss_name == "bce" else
                                    (min(TARGET_RANGE[0], v), max(TARGET_RANGE[1], v)))
        if n_samples > 1:
            options["sample"] = ((self.tr("stepper.sample.mean"), MEAN),
                                 *((self.tr("stepper.sample.one", k=k), k)
                                   for k in range(n_samples)))
        for l in range(1, L):
            name = f"activation{l}"
            added[name], values[name] = hidden_setting(l), net.activations[l - 1].name
        self.add_traits(**added)
        self.setting_ranges, self.setting_options = ranges, options
        self.init_settings(values, language=language)

        # controls: every one from its setting
        self.step_slider = self.control("position")
        self.lr_slider = self.control("lr")
        self.quantity_buttons = self.control("quantity")
        self.quantity_buttons.style.button_width = "120px"
        self.neuron_select = self.control("neuron")
        self.sample_select = self.control("sample") if n_samples > 1 else None
        self._inputs = [name for name in added if name.startswith("x")]
        self.input_sliders = [self.control(name) for name in self._inputs]
        self.target_slider = self.control("target") if "target" in added else None
        self.activation_dropdowns = [self.control(f"activation{l}") for l in range(1, L)]
        self.init_stepping(interval=900)
        lay = widgets.Layout
        self.apply_button = widgets.Button(description=self.tr("stepper.apply"), icon="check",
                                           button_style="warning",
                                           tooltip=self.tr("stepper.apply.help"),
                                           layout=lay(width="130px"))
        self.reset_button = widgets.Button(description=self.tr("stepper.reset"), icon="undo",
                                           tooltip=self.tr("stepper.reset.help"),
                                           layout=lay(width="80px"))
        data_note = []
        if not self.input_sliders:
            data_note.append(widgets.HTML(
                "<b>" + (self.tr("stepper.data_batch", n=n_samples) if n_samples > 1
                         else self.tr("stepper.data_one", n=n_in)) + "</b>"))
        rows = [
            widgets.HBox([self.reset_button, self.prev_button, self.next_button, self.play,
                          self.step_slider, self.apply_button]),
            widgets.HBox([*self.input_sliders, *data_note,
                          *([self.target_slider] if self.target_slider else []),
                          *([self.sample_select] if self.sample_select else []),
                          self.lr_slider]),
            widgets.HBox([*self.activation_dropdowns, self.neuron_select]),
            self.quantity_buttons,
        ]
        super().__init__(PassStepperView(net.sizes, net.activation_names,
                                         language=self.language), rows)
        self.apply_button.on_click(self.guarded(self.apply_update))
        self.reset_button.on_click(self.guarded(self.reset))
        self.refresh()

    # -- public read-outs ------------------------------------------------------------------
    @property
    def state(self) -> StepState | None:
        """What is drawn: what is known at the current step (a read-only snapshot)."""
        return self._drawn

    @property
    def trace(self) -> Trace:
        """The whole forward pass of the current inputs."""
        return self.stepper.trace

    @property
    def grads(self) -> Gradients:
        """The whole backward pass of the current inputs and targets."""
        return self.stepper.grads

    @property
    def n_steps(self) -> int:
        """Number of steps of the pass, ``2L + 3``."""
        return self.stepper.n_steps

    # -- actions ---------------------------------------------------------------------------
    def restart(self) -> None:
        """Back to step 0 of the same pass (the weights stay)."""
        self.go(0)

    def apply_update(self) -> None:
        """Commit the update ``W ← W − lr·∂L/∂W`` to the network and go back to step 0.

        Raises
        ------
        FloatingPointError
            If the gradients are not finite or the update would overflow (the
            weights are left unchanged); from the button, this becomes a message.
        """
        self._sync()
        with np.errstate(over="ignore", invalid="ignore"):  # (see _sync)
            self.stepper.apply_update()
        with self.batch():  # one redraw, even if the step already was 0
            self.position = 0
            self.refresh()

    def reset(self) -> None:
        """Back to the network's initial weights (whatever the updates did) and step 0.

        The inputs, target, learning rate and activations stay as they are set.
        """
        self.net.set_params(*self._initial)
        self.stepper.recompute()
        with self.batch():
            self.position = 0
            self.refresh()

    # -- model -----------------------------------------------------------------------------
    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        """The inputs and targets the settings give."""
        X = (np.array([[getattr(self, name) for name in self._inputs]]) if self._inputs
             else self._X)
        y = self._y
        if self.target_slider is not None:
            y = (np.array([self.target]) if self.net.loss.name == "cross_entropy"
                 else np.array([[self.target]]))
        return X, y

    def _sync(self) -> None:
        """Give the network the settings' activations and recompute the pass if the
        settings changed it; on any error the network and the pass stay as they were."""
        net, st = self.net, self.stepper
        names = [getattr(self, f"activation{l}") for l in range(1, net.n_layers)]
        names.append(net.activations[-1].name)
        X, y = self._data()
        if (names == net.activation_names and self.lr == st.lr and X.shape == st.X.shape
                and np.array_equal(X, st.X) and np.array_equal(y, st.y)):
            return
        old = net.activations
        net.activations = [get_activation(n) for n in names]
        try:
            # a runaway network (a large learning rate, Apply clicked again and again)
            # overflows here on purpose: update() reports it in words, Reset recovers
            with np.errstate(over="ignore", invalid="ignore"):
                st.recompute(X=X, y=y, lr=self.lr)
        except Exception:
            net.activations = old  # leave nothing half-changed
            raise

    def update(self) -> None:
        """Recompute the pass from the settings and draw the current step.

        Raises
        ------
        FloatingPointError
            If the loss or a gradient is not finite (the numbers overflowed);
            :meth:`refresh` shows it as a message and keeps the last picture.
        """
        self._sync()
        st = self.stepper
        g = st.grads
        if not (np.isfinite(g.loss) and all(np.isfinite(d).all() for d in (*g.dW, *g.db))):
            raise FloatingPointError(
                f"the pass overflowed (loss = {g.loss:g}, gradients not all finite); try "
                "smaller inputs, weights or learning rate, or Reset")
        st.go(self.position)
        sample = None if self.sample == MEAN else int(self.sample)
        selected = None if self.neuron == FOLLOW else self.neuron
        self.view.update(st, self.quantity, selected, sample)
        self._drawn = st.state

    # -- pointing at the picture ----------------------------------------------------------
    def frame_regions(self) -> list[dict]:
        """The drawn neurons and edges, where the page shows them, with what is known of each.

        Hovering shows a region's ``title`` and ``rows`` (the view's
        :meth:`~actviz_widgets.views.pass_stepper.PassStepperView.regions`:
        only what is computed at the current step).  A neuron can be clicked
        (``"select"``: its equations are shown, :meth:`region_clicked`); an
        edge opens a number field (``"edit"``: its weight, in
        :data:`WEIGHT_RANGE` widened to hold the current value,
        :meth:`region_edited`).
        """
        regions = self.view.regions()
        label, weights = self.tr("stepper.edit_weight"), self.net.weights
        for region in regions:
            kind, *fields = region["id"].split(":")  # (the view's own ids)
            if kind == "neuron":
                region["select"] = True
            elif kind == "edge":
                l, i, j = map(int, fields)
                w = float(weights[l][i, j])
                low, high = self._weight_range(w)
                region["edit"] = {"label": label, "value": w, "min": low, "max": high,
                                  "step": 0.01}
        return regions

    def region_clicked(self, region_id: str) -> None:
        """A click on the picture: a neuron's equations are shown (the "equations of" setting).

        A click on an edge does nothing here (the page opens its number field);
        an id naming nothing in this network is refused with a message.
        """
        try:
            kind, (layer, *rest) = parse_region_id(region_id)
            self._check_region(kind, layer, rest)
        except (TypeError, ValueError) as exc:
            self.show_error(self.tr("stepper.bad_region", error=exc))
            return
        if kind == "neuron":
            self.neuron = (layer, rest[0])

    def region_edited(self, region_id: str, value: object) -> None:
        """A weight (``"edge:<l>:<i>:<j>"``) or bias (``"bias:<l>:<j>"``) typed into the picture.

        The network takes the new value and the whole pass is recomputed at
        the current step (Reset brings back the initial weights).  A value
        that is not a finite number in range, or an id naming no weight of
        this network, is refused with a message and nothing changes.
        """
        try:
            kind, (layer, *rest) = parse_region_id(region_id)
            if kind == "neuron":
                raise ValueError(f"a neuron has no value to type in; got {region_id!r}")
            self._check_region(kind, layer, rest)
            weights, biases = self.net.get_params()
            array, index = ((weights[layer], tuple(rest)) if kind == "edge"
                            else (biases[layer - 1], rest[0]))
            old = float(array[index])
            low, high = self._weight_range(old)
            if isinstance(value, bool) or not isinstance(value, Real) or \
                    not math.isfinite(value) or not low <= value <= high:
                raise ValueError(self.tr("stepper.bad_weight", value=repr(value),
                                         low=f"{low:g}", high=f"{high:g}"))
        except (TypeError, ValueError) as exc:
            self.show_error(str(exc))
            return
        array[index] = float(value)
        self.net.set_params(weights, biases)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # (as in _sync)
                self.stepper.recompute()
        except Exception as exc:  # noqa: BLE001 - from the page: a message, nothing changed
            array[index] = old
            self.net.set_params(weights, biases)
            self.stepper.recompute()
            self.show_error(exc)
            return
        self.refresh()

    def _check_region(self, kind: str, layer: int, rest: list[int]) -> None:
        sizes, L = self.net.sizes, self.net.n_layers
        if kind == "neuron":
            ok = layer <= L and rest[0] < sizes[layer]
        elif kind == "edge":
            ok = layer < L and rest[0] < sizes[layer] and rest[1] < sizes[layer + 1]
        else:
            ok = 1 <= layer <= L and rest[0] < sizes[layer]
        if not ok:
            raise ValueError(f"region_id names no {kind} of this {sizes} network; got "
                             f"{kind}:{':'.join(map(str, [layer, *rest]))}")

    @staticmethod
    def _weight_range(value: float) -> tuple[float, float]:
        return min(WEIGHT_RANGE[0], math.floor(value)), max(WEIGHT_RANGE[1], math.ceil(value))

    # -- helpers ---------------------------------------------------------------------------
    def localized_spec(self, name: str) -> SettingSpec:
        """As :meth:`SettingsOwner.localized_spec`, also for the settings each network adds
        (its inputs, target and hidden activations), whose labels carry a number."""
        if name.startswith("x") and name[1:].isdigit():
            return replace(self.setting_spec(name),
                           label=self.tr("stepper.input", x=f"x{name[1:].translate(_SUB)}"))
        if name.startswith("activation") and name[10:].isdigit():
            return replace(self.setting_spec(name),
                           label=self.tr("stepper.hidden_activation", layer=int(name[10:])))
        if name == "target":
            ce = self.net.loss.name == "cross_entropy"
            return replace(self.setting_spec(name),
                           label=self.tr("stepper.target_class" if ce else "stepper.target"))
        return super().localized_spec(name)

    def _neuron_options(self, net: MLP) -> tuple:
        L = net.n_layers
        options: list = [(self.tr("stepper.neuron.follow"), FOLLOW)]
        for l, size in enumerate(net.sizes):
            for j in range(size):
                label = (self.tr("stepper.neuron.input", x=f"x{j + 1}") if l == 0 else
                         self.tr("stepper.neuron.output", j=j) if l == L else
                         self.tr("stepper.neuron.hidden", l=l, j=j))
                options.append((label, (l, j)))
        return tuple(options)

    def __repr__(self) -> str:
        return (f"BackpropStepper(sizes={self.net.sizes}, "
                f"activations={self.net.activation_names}, loss={self.net.loss.name!r}, "
                f"step={self.position}/{self.n_steps - 1})")


#: The former name, kept so that existing lessons and code keep working.
PassStepperWidget = BackpropStepper
