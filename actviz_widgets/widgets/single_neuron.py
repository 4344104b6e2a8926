"""One neuron with two inputs: move its inputs and weights, read the chain rule, take a step."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.network import MLP, Gradients, Trace
from ..engine.validation import check_choice
from ..views.neuron import NeuronState, NeuronView
from .base import FigureWidget

__all__ = ["SingleNeuron"]

#: Slider ranges: inputs, weights and bias in [-5, 5], the target in [-2, 2].
RANGES = {"x1": (-5.0, 5.0), "x2": (-5.0, 5.0), "w1": (-5.0, 5.0), "w2": (-5.0, 5.0),
          "b": (-5.0, 5.0), "y": (-2.0, 2.0)}
LR_RANGE = (1e-3, 10.0)
LOSSES = ("mse", "bce")
_LABELS = {"x1": "x₁ (input)", "x2": "x₂ (input)", "w1": "w₁ (weight)", "w2": "w₂ (weight)",
           "b": "b (bias)", "y": "y (target)"}


def _check_value(name: str, value, low: float, high: float) -> float:
    # Sliders clamp silently; a user passing an out-of-range value should be told.
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {value!r} of type "
                        f"{type(value).__name__}")
    value = float(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}; got {value!r}")
    return value


class SingleNeuron(FigureWidget):
    """A 2-input neuron a = f(w₁x₁ + w₂x₂ + b) with its loss and gradients.

    Every number comes from the engine: a 2-1 :class:`~actviz_widgets.engine.MLP`
    (no hidden layer) whose weights are set from the sliders, its forward
    pass (z, a, f′(z)) and its backward pass (L, ∂L/∂a, δ = ∂L/∂z, ∂L/∂w,
    ∂L/∂b) for the one sample (x₁, x₂) with target y.  "Take one gradient
    step" moves w₁, w₂, b by −lr·gradient (the engine's ``MLP.step``) and the
    sliders follow.

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

    Attributes
    ----------
    sliders : dict of str -> ipywidgets.FloatSlider
        Keys ``"x1"``, ``"x2"``, ``"w1"``, ``"w2"``, ``"b"``, ``"y"``.
    activation_dropdown, loss_dropdown : ipywidgets.Dropdown
    lr_slider : ipywidgets.FloatLogSlider
    step_button, reset_button : ipywidgets.Button
    net : MLP
        The engine's network ([2, 1]) with the sliders' weights.
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
        The loss after 0, 1, 2, ... gradient steps (restarts when a control is
        moved by hand).
    state : NeuronState
        What the view shows.
    """

    def __init__(self, x1: float = 1.0, x2: float = 2.0, w1: float = 0.5, w2: float = -0.3,
                 b: float = 0.1, y: float = 1.0, activation: str = "sigmoid",
                 loss: str = "mse", lr: float = 0.1) -> None:
        given = {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "y": y}
        self._initial = {k: _check_value(k, v, *RANGES[k]) for k, v in given.items()}
        self._initial["activation"] = check_choice("activation", activation, ACTIVATION_NAMES)
        self._initial["loss"] = check_choice("loss", loss, LOSSES)
        self._initial["lr"] = _check_value("lr", lr, *LR_RANGE)

        self._nets: dict[tuple[str, str], MLP] = {}
        self.net: MLP | None = None
        self.trace: Trace | None = None
        self.grads: Gradients | None = None
        self.state: NeuronState | None = None
        self.z = self.a = self.loss = self.dL_da = self.dadz = self.delta = self.dL_db = np.nan
        self.dL_dw = np.full(2, np.nan)
        self.history: list[float] = []
        self._history_mode: str | None = "reset"
        self._stepping = False

        style = {"description_width": "90px"}
        self.sliders = {
            key: widgets.FloatSlider(value=self._initial[key], min=low, max=high, step=0.01,
                                     description=_LABELS[key], style=style, readout_format=".2f",
                                     layout=widgets.Layout(width="330px"))
            for key, (low, high) in RANGES.items()}
        self.activation_dropdown = widgets.Dropdown(
            options=[(get_activation(n).display_name, n) for n in ACTIVATION_NAMES],
            value=self._initial["activation"], description="activation f", style=style,
            layout=widgets.Layout(width="300px"))
        self.loss_dropdown = widgets.Dropdown(
            options=[("mse: (a − y)²", "mse"), ("bce: cross-entropy (sigmoid)", "bce")],
            value=self._initial["loss"], description="loss", style=style,
            layout=widgets.Layout(width="300px"))
        self.lr_slider = widgets.FloatLogSlider(value=self._initial["lr"], base=10,
                                                min=np.log10(LR_RANGE[0]),
                                                max=np.log10(LR_RANGE[1]), step=0.05,
                                                description="learning rate", style=style,
                                                readout_format=".3g",
                                                layout=widgets.Layout(width="300px"))
        self.step_button = widgets.Button(description="Take one gradient step",
                                          button_style="primary", icon="arrow-down",
                                          layout=widgets.Layout(width="220px"))
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           layout=widgets.Layout(width="90px"))
        s = self.sliders
        controls = widgets.HBox([
            widgets.VBox([s["x1"], s["x2"], s["y"]]),
            widgets.VBox([s["w1"], s["w2"], s["b"]]),
            widgets.VBox([self.activation_dropdown, self.loss_dropdown, self.lr_slider,
                          widgets.HBox([self.step_button, self.reset_button])]),
        ])
        super().__init__(NeuronView(), [controls])
        for control in (*self.sliders.values(), self.activation_dropdown, self.loss_dropdown):
            self.watch(control, self._on_control)
        self.watch(self.lr_slider)  # the learning rate only changes the step preview
        self.step_button.on_click(lambda _button: self._guarded(self.step))
        self.reset_button.on_click(lambda _button: self._guarded(self.reset))
        self.refresh()

    # -- actions ---------------------------------------------------------------------------
    def step(self) -> None:
        """Take one gradient step with the engine: w ← w − lr·∂L/∂w, b ← b − lr·∂L/∂b.

        The sliders move to the new values (one redraw) and the new loss is
        added to :attr:`history`.

        Raises
        ------
        ValueError
            If the current controls are invalid (e.g. ``bce`` with tanh).
        FloatingPointError
            If the gradients are not finite (the weights are left unchanged).
        """
        if self.error is not None or self.grads is None:
            raise ValueError(f"cannot take a step until the problem is fixed: {self.error}")
        self.net.step(self.grads, lr=float(self.lr_slider.value))
        new = {"w1": float(self.net.weights[0][0, 0]), "w2": float(self.net.weights[0][1, 0]),
               "b": float(self.net.biases[0][0])}
        clamped = [k for k, v in new.items() if not RANGES[k][0] <= v <= RANGES[k][1]]
        self._history_mode = "append"
        self._stepping = True
        try:
            with self.batch():
                for key, value in new.items():
                    self.sliders[key].value = value
        finally:
            self._stepping = False
        if self._history_mode == "append":  # nothing moved (zero gradient): still a step
            self.refresh()
        if clamped:
            self.show_note(f"{', '.join(clamped)} reached the end of its slider, so it was "
                           "clamped: this step is smaller than −lr·gradient.")

    def reset(self) -> None:
        """Put every control back to the values the widget was created with."""
        self._history_mode = "reset"
        self._stepping = True
        try:
            with self.batch():
                for key, slider in self.sliders.items():
                    slider.value = self._initial[key]
                self.activation_dropdown.value = self._initial["activation"]
                self.loss_dropdown.value = self._initial["loss"]
                self.lr_slider.value = self._initial["lr"]
        finally:
            self._stepping = False
        if self._history_mode == "reset":  # nothing changed: still restart the history
            self.refresh()

    # -- model -----------------------------------------------------------------------------
    def _on_control(self) -> None:
        if not self._stepping:
            self._history_mode = "reset"  # a hand-moved control starts a new history
            if self.message.value.startswith('<div class="actviz-note"'):
                self.message.value = ""  # a note about the last step is stale now
        self.refresh()

    def _guarded(self, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a click must never raise into the page
            self.show_error(exc)

    def _network(self, activation: str, loss: str) -> MLP:
        key = (activation, loss)
        if key not in self._nets:
            # no hidden layer: the output layer is the neuron
            self._nets[key] = MLP([2, 1], activation=[], output_activation=activation, loss=loss)
        return self._nets[key]

    def update(self) -> None:
        """Set the engine's network from the controls, run forward and backward, redraw."""
        activation = self.activation_dropdown.value
        loss = self.loss_dropdown.value
        if loss == "bce" and activation != "sigmoid":
            raise ValueError(
                f"the bce loss (binary cross-entropy) needs the sigmoid activation, because a "
                f"must be a probability between 0 and 1; {get_activation(activation).display_name} "
                "is not. Pick sigmoid, or the mse loss.")
        v = {key: float(slider.value) for key, slider in self.sliders.items()}
        lr = float(self.lr_slider.value)
        net = self._network(activation, loss)
        net.set_params([np.array([[v["w1"]], [v["w2"]]])], [np.array([v["b"]])])
        trace = net.forward(np.array([[v["x1"], v["x2"]]]))
        grads = net.backward(trace, np.array([[v["y"]]]))
        dL_dw = grads.dW[0][:, 0].copy()
        state = NeuronState(
            x=(v["x1"], v["x2"]), w=(v["w1"], v["w2"]), b=v["b"], y=v["y"],
            z=float(trace.z[1][0, 0]), a=float(trace.a[1][0, 0]), loss=float(grads.loss),
            dL_da=float(grads.dL_da[1][0, 0]), dadz=float(trace.dadz[1][0, 0]),
            delta=float(grads.delta[1][0, 0]), dL_dw=(float(dL_dw[0]), float(dL_dw[1])),
            dL_db=float(grads.db[0][0]), activation=activation, loss_name=loss, lr=lr)
        if self._history_mode == "reset":
            history = [state.loss]
        elif self._history_mode == "append":
            history = [*self.history, state.loss]
        else:
            history = [*self.history[:-1], state.loss]
        self.view.update(state, history)
        self.net, self.trace, self.grads, self.state = net, trace, grads, state
        self.z, self.a, self.loss = state.z, state.a, state.loss
        self.dL_da, self.dadz, self.delta = state.dL_da, state.dadz, state.delta
        self.dL_dw, self.dL_db = dL_dw, state.dL_db
        self.history = history
        self._history_mode = None

    def __repr__(self) -> str:
        s = self.sliders
        return (f"SingleNeuron(activation={self.activation_dropdown.value!r}, "
                f"loss={self.loss_dropdown.value!r}, w1={s['w1'].value:g}, w2={s['w2'].value:g}, "
                f"b={s['b'].value:g})")
