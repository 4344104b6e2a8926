"""One neuron with two inputs: move its inputs and weights, read the chain rule, take a step."""

from __future__ import annotations

import math
from numbers import Real

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.network import MLP, Gradients, Trace
from ..views.network_diagram import parse_region_id
from ..views.neuron import NeuronState, NeuronView
from .base import FigureWidget
from .settings import Choice, Number

__all__ = ["SingleNeuron"]

#: Slider ranges: inputs, weights and bias in [-5, 5], the target in [-2, 2].
RANGES = {"x1": (-5.0, 5.0), "x2": (-5.0, 5.0), "w1": (-5.0, 5.0), "w2": (-5.0, 5.0),
          "b": (-5.0, 5.0), "y": (-2.0, 2.0)}
LR_RANGE = (1e-3, 10.0)
LOSSES = ("mse", "bce")
_WEIGHTS = ("w1", "w2", "b")
#: The setting each editable region of the picture stands for.
REGION_SETTINGS = {NeuronView.EDGE_IDS["x1"]: "w1", NeuronView.EDGE_IDS["x2"]: "w2",
                   NeuronView.EDGE_IDS["b"]: "b", NeuronView.INPUT_IDS["x1"]: "x1",
                   NeuronView.INPUT_IDS["x2"]: "x2"}


def _value(key: str, default: float) -> Number:
    return Number(default, *RANGES[key], step=0.01, label="", width="330px")


class SingleNeuron(FigureWidget):
    """A 2-input neuron a = f(w₁x₁ + w₂x₂ + b) with its loss and gradients.

    Every number comes from the engine: a 2-1 :class:`~actviz_widgets.engine.MLP`
    (no hidden layer) whose weights are set from the settings, its forward
    pass (z, a, f′(z)) and its backward pass (L, ∂L/∂a, δ = ∂L/∂z, ∂L/∂w,
    ∂L/∂b) for the one sample (x₁, x₂) with target y.  "Take one gradient
    step" moves w₁, w₂, b by −lr·gradient (the engine's ``MLP.step``) and the
    sliders follow.

    In the page the picture can be pointed at (:meth:`frame_regions`):
    hovering the neuron, an input or an edge shows its numbers, and clicking
    an edge (w₁, w₂, b) or an input opens a field to type its value, as its
    slider would set it.

    Parameters
    ----------
    x1, x2 : float, default 1.0, 2.0
        Inputs, in [-5, 5].
    w1, w2, b : float, default 0.5, -0.3, 0.1
        Weights and bias, in [-5, 5].
    y : float, default 1.0
        Target, in [-2, 2] (in [0, 1] for ``bce``).
    activation : str, default "sigmoid"
        One of :data:`~actviz_widgets.engine.ACTIVATION_NAMES`.
    loss : {"mse", "bce"}, default "mse"
        ``mse``: L = (a − y)²; ``bce``: binary cross-entropy (sigmoid only).
    lr : float, default 0.1
        Learning rate, in [0.001, 10].
    language : str, optional
        ``"en"`` or ``"zh"`` for every label and picture text; default: the
        current language (:func:`actviz_widgets.set_language`).

    Attributes
    ----------
    x1, x2, w1, w2, b, y, activation, loss_name, lr
        The settings (assign to change; the controls follow). The loss's
        setting is ``loss_name`` (``loss`` is the loss's value).
    sliders : dict of str -> ipywidgets.FloatSlider
        Keys ``"x1"``, ``"x2"``, ``"w1"``, ``"w2"``, ``"b"``, ``"y"``.
    activation_dropdown, loss_dropdown : ipywidgets.Dropdown
    lr_slider : ipywidgets.FloatLogSlider
    step_button, reset_button : ipywidgets.Button
    net : MLP
        The engine's network ([2, 1]) with the settings' weights.
    trace : Trace
        Its forward pass on [[x₁, x₂]].
    grads : Gradients
        Its backward pass for target [[y]].
    z, a, loss, dL_da, dadz, delta, dL_db : float
        z; a = f(z); L; ∂L/∂a (gradient of the loss with respect to the
        activation); f′(z) (the activation function's derivative); δ = ∂L/∂z; ∂L/∂b.
    dL_dw : numpy.ndarray
        (∂L/∂w₁, ∂L/∂w₂).
    history : list of float
        The loss after 0, 1, 2, ... gradient steps (restarts when a setting
        other than the learning rate is changed by hand).
    state : NeuronState
        What the view shows.
    """

    i18n_area = "neuron"
    x1 = _value("x1", 1.0)
    x2 = _value("x2", 2.0)
    y = _value("y", 1.0)
    w1 = _value("w1", 0.5)
    w2 = _value("w2", -0.3)
    b = _value("b", 0.1)
    activation = Choice("sigmoid", [(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
                        label="", width="300px")
    loss_name = Choice("mse", [("mse: (a − y)²", "mse"), ("bce: cross-entropy (sigmoid)", "bce")],
                       label="", width="300px")
    lr = Number(0.1, *LR_RANGE, step=0.05, log=True, fmt=".3g", label="", width="300px")

    def __init__(self, x1: float = 1.0, x2: float = 2.0, w1: float = 0.5, w2: float = -0.3,
                 b: float = 0.1, y: float = 1.0, activation: str = "sigmoid",
                 loss: str = "mse", lr: float = 0.1, language: str | None = None) -> None:
        self._nets: dict[tuple[str, str], MLP] = {}
        self.net: MLP | None = None
        self.trace: Trace | None = None
        self.grads: Gradients | None = None
        self._drawn: NeuronState | None = None
        self.z = self.a = self.loss = self.dL_da = self.dadz = self.delta = self.dL_db = np.nan
        self.dL_dw = np.full(2, np.nan)
        self.history: list[float] = []
        self.problem: str | None = None  # why the current settings cannot be computed
        self._history_next = "restart"
        self._after_step: tuple | None = None
        self.init_settings(dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, y=y, activation=activation,
                                loss_name=loss, lr=lr), language=language)
        self._initial = self.settings()

        self.sliders = {key: self.control(key) for key in RANGES}
        self.activation_dropdown = self.control("activation")
        self.loss_dropdown = self.control("loss_name")
        self.lr_slider = self.control("lr")
        self.step_button = widgets.Button(description=self.tr("neuron.step"),
                                          button_style="primary", icon="arrow-down",
                                          tooltip=self.tr("neuron.step.help"),
                                          layout=widgets.Layout(width="220px"))
        self.reset_button = widgets.Button(description=self.tr("neuron.reset"), icon="undo",
                                           tooltip=self.tr("neuron.reset.help"),
                                           layout=widgets.Layout(width="90px"))
        s = self.sliders
        # columns keep their width and wrap onto a new row when the page is narrow
        # (a 1280-px window with the file browser open), instead of scrolling
        column = widgets.Layout(flex="0 0 auto")
        controls = widgets.HBox([
            widgets.VBox([s["x1"], s["x2"], s["y"]], layout=column),
            widgets.VBox([s["w1"], s["w2"], s["b"]], layout=column),
            widgets.VBox([self.activation_dropdown, self.loss_dropdown, self.lr_slider,
                          widgets.HBox([self.step_button, self.reset_button])], layout=column),
        ], layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__(NeuronView(language=self.language), [controls])
        self.step_button.on_click(self.guarded(self.step))
        self.reset_button.on_click(self.guarded(self.reset))
        self.refresh()

    # -- actions ---------------------------------------------------------------------------
    def step(self) -> None:
        """Take one gradient step with the engine: w ← w − lr·∂L/∂w, b ← b − lr·∂L/∂b.

        The sliders move to the new values (one redraw) and the new loss is
        added to :attr:`history`.  A weight that would leave its slider's
        range stops at the end of it, and a note says so.

        Raises
        ------
        ValueError
            If the current settings cannot be computed (e.g. ``bce`` with tanh).
        FloatingPointError
            If the gradients are not finite (the weights are left unchanged).
        """
        if self.problem is not None:
            raise ValueError(self.tr("neuron.cannot_step", problem=self.problem))
        net = self.net.copy()
        net.step(self.grads, lr=self.lr)
        new = {"w1": float(net.weights[0][0, 0]), "w2": float(net.weights[0][1, 0]),
               "b": float(net.biases[0][0])}
        clamped = [k for k, v in new.items() if not RANGES[k][0] <= v <= RANGES[k][1]]
        new = {k: min(max(v, RANGES[k][0]), RANGES[k][1]) for k, v in new.items()}
        self._after_step = self._key(new)
        if all(new[k] == getattr(self, k) for k in new):
            self._history_next = "append"  # nothing moved (zero gradient): still a step
            self.refresh()
        else:
            self.apply(**new)
        if clamped:
            self.show_note(self.tr("neuron.clamped", names=", ".join(clamped)))

    def reset(self) -> None:
        """Put every setting back to the values the widget was created with."""
        self._history_next = "restart"
        if self.settings() == self._initial:
            self.refresh()  # nothing changed: still restart the history
        else:
            self.apply(**self._initial)

    @property
    def state(self) -> NeuronState | None:
        """What the view shows (a read-only snapshot)."""
        return self._drawn

    # -- settings --------------------------------------------------------------------------
    def _key(self, weights: dict | None = None) -> tuple:
        s = {**self.settings(), **(weights or {})}
        return tuple(s[k] for k in ("x1", "x2", "y", "w1", "w2", "b", "activation",
                                    "loss_name"))

    def settings_changed(self, names: set[str]) -> None:
        if self._after_step is not None and self._after_step == self._key():
            self._history_next = "append"  # the gradient step just taken
        elif names - {"lr"}:
            self._history_next = "restart"  # moved by hand: a new history
            self.clear_message("note")  # a note about the last step is stale now
        self._after_step = None
        self.refresh()

    # -- model -----------------------------------------------------------------------------
    def _network(self, activation: str, loss: str) -> MLP:
        key = (activation, loss)
        if key not in self._nets:
            # no hidden layer: the output layer is the neuron
            self._nets[key] = MLP([2, 1], activation=[], output_activation=activation, loss=loss)
        return self._nets[key]

    def update(self) -> None:
        """Set the engine's network from the settings, run forward and backward, redraw."""
        activation, loss = self.activation, self.loss_name
        self.problem = None
        try:
            if loss == "bce" and activation != "sigmoid":
                raise ValueError(self.tr("neuron.bce_needs_sigmoid",
                                         act=get_activation(activation).display_name))
            v = {key: getattr(self, key) for key in RANGES}
            net = self._network(activation, loss)
            net.set_params([np.array([[v["w1"]], [v["w2"]]])], [np.array([v["b"]])])
            trace = net.forward(np.array([[v["x1"], v["x2"]]]))
            grads = net.backward(trace, np.array([[v["y"]]]))
        except Exception as exc:
            self.problem = str(exc)
            raise
        dL_dw = grads.dW[0][:, 0].copy()
        state = NeuronState(
            x=(v["x1"], v["x2"]), w=(v["w1"], v["w2"]), b=v["b"], y=v["y"],
            z=float(trace.z[1][0, 0]), a=float(trace.a[1][0, 0]), loss=float(grads.loss),
            dL_da=float(grads.dL_da[1][0, 0]), dadz=float(trace.dadz[1][0, 0]),
            delta=float(grads.delta[1][0, 0]), dL_dw=(float(dL_dw[0]), float(dL_dw[1])),
            dL_db=float(grads.db[0][0]), activation=activation, loss_name=loss, lr=self.lr)
        if self._history_next == "restart" or not self.history:
            history = [state.loss]
        elif self._history_next == "append":
            history = [*self.history, state.loss]
        else:  # the learning rate only changes the step preview
            history = [*self.history[:-1], state.loss]
        self.view.update(state, history)
        self.net, self.trace, self.grads, self._drawn = net, trace, grads, state
        self.z, self.a, self.loss = state.z, state.a, state.loss
        self.dL_da, self.dadz, self.delta = state.dL_da, state.dadz, state.delta
        self.dL_dw, self.dL_db = dL_dw, state.dL_db
        self.history = history
        self._history_next = "same"

    # -- pointing at the picture ----------------------------------------------------------
    def frame_regions(self) -> list[dict]:
        """The inputs, the edges w₁, w₂, b and the neuron, where the page shows them.

        Hovering shows each one's numbers (the view's
        :meth:`~actviz_widgets.views.neuron.NeuronView.regions`); an edge or an
        input opens a number field (``"edit"``, in its slider's range) whose
        value :meth:`region_edited` sets.
        """
        regions = self.view.regions()
        for region in regions:
            name = REGION_SETTINGS.get(region["id"])
            if name is not None:
                low, high = RANGES[name]
                region["edit"] = {"label": self.tr(f"neuron.{name}"),
                                  "value": float(getattr(self, name)),
                                  "min": low, "max": high, "step": 0.01}
        return regions

    def region_clicked(self, region_id: str) -> None:
        """A click on the picture: nothing to select in one neuron (an edge or input opens
        its number field in the page); an unknown id is refused with a message."""
        try:
            parse_region_id(region_id)
            if region_id not in REGION_SETTINGS and region_id != NeuronView.NEURON_ID:
                raise ValueError(f"region_id names nothing in this picture; got {region_id!r}")
        except (TypeError, ValueError) as exc:
            self.show_error(self.tr("neuron.bad_region", error=exc))

    def region_edited(self, region_id: str, value: object) -> None:
        """A weight, the bias or an input typed into the picture: that setting takes ``value``
        (the sliders follow and everything is recomputed, as for a slider).

        A value that is not a finite number in the slider's range, or an id
        naming nothing editable, is refused with a message and nothing changes.
        """
        name = REGION_SETTINGS.get(region_id) if isinstance(region_id, str) else None
        if name is None:
            self.show_error(self.tr("neuron.bad_region",
                                    error=f"nothing to edit at {region_id!r}"))
            return
        low, high = RANGES[name]
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) \
                or not low <= value <= high:
            self.show_error(self.tr("neuron.bad_value", name=self.tr(f"neuron.{name}"),
                                    low=f"{low:g}", high=f"{high:g}", value=repr(value)))
            return
        setattr(self, name, float(value))

    def __repr__(self) -> str:
        return (f"SingleNeuron(activation={self.activation!r}, loss={self.loss_name!r}, "
                f"w1={self.w1:g}, w2={self.w2:g}, b={self.b:g})")
