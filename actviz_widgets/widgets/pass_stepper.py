"""Step through one forward pass, loss, backward pass and update of a small network."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.network import MLP, Gradients, Trace
from ..engine.stepper import PassStepper, StepState
from ..engine.validation import check_positive
from ..views.pass_stepper import NODE_QUANTITIES, PassStepperView
from .base import FigureWidget

__all__ = ["PassStepperWidget", "MEAN", "FOLLOW"]

#: Range of the input sliders (widened to fit a given input).
INPUT_RANGE = (-3.0, 3.0)
#: Range of the learning-rate slider.
LR_RANGE = (1e-4, 10.0)
#: Sliders are offered for at most this many inputs of a single sample.
MAX_INPUT_SLIDERS = 4
#: Value of ``sample_select`` meaning "the mean over the batch".
MEAN = -1
#: Value of ``neuron_select`` meaning "neuron 1 of the layer the step works on".
FOLLOW = "follow"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_QUANTITY_LABELS = {"a": "activation a", "z": "pre-activation z", "delta": "δ = ∂L/∂z",
                    "dL_da": "∂L/∂a"}


class PassStepperWidget(FigureWidget):
    """Walk through one training step of an MLP: forward, loss, backward, update.

    Every number comes from the engine's
    :class:`~actviz_widgets.engine.stepper.PassStepper`: the widget only
    chooses what to show.  Moving a slider recomputes the whole pass and
    redraws at the current step; "Apply update" writes ``W − lr·∂L/∂W`` into
    the network and goes back to step 0.

    Parameters
    ----------
    net : MLP, optional
        The network (changed only by "Apply update" and the activation
        dropdowns). Default: ``MLP(sizes, activation, loss=loss, seed=seed)``,
        i.e. [2, 3, 2, 1] with tanh hidden layers and a sigmoid output for bce.
    X : array_like, optional
        Inputs, one sample ``(n_inputs,)`` or a batch ``(n, n_inputs)``.
        Default: one sample drawn from ``seed`` in [-1, 1].
    y : array_like, optional
        Targets as for :meth:`MLP.backward`. Default: 1 for each output (class 0
        for ``cross_entropy``).
    lr : float, default 0.1
        Learning rate, in [1e-4, 10].
    sizes : sequence of int, default (2, 3, 2, 1)
    activation : str, default "tanh"
    loss : str, default "bce"
    seed : int, default 0
        For the default network and input.

    Attributes
    ----------
    net : MLP
    stepper : PassStepper
    view : PassStepperView
    step_slider : ipywidgets.IntSlider
        The current step (0 .. n_steps − 1); the source of truth for the position.
    play : ipywidgets.Play
        Steps through the pass in the browser (linked to ``step_slider``).
    prev_button, next_button, reset_button, apply_button : ipywidgets.Button
    input_sliders : list of ipywidgets.FloatSlider
        One per input of the single sample (empty for a batch or > 4 inputs).
    target_slider : ipywidgets.FloatSlider or ipywidgets.IntSlider or None
        The target of a single sample with one output (the class for
        ``cross_entropy``); ``None`` otherwise.
    sample_select : ipywidgets.Dropdown or None
        For a batch: ``MEAN`` (-1, the mean over the batch) or a sample index.
    activation_dropdowns : list of ipywidgets.Dropdown
        One per hidden layer.
    lr_slider : ipywidgets.FloatLogSlider
    quantity : ipywidgets.ToggleButtons
        What colours the neurons: ``"a"``, ``"z"``, ``"delta"`` or ``"dL_da"``.
    neuron_select : ipywidgets.Dropdown
        ``FOLLOW`` (neuron 1 of the layer the step works on) or ``(layer, neuron)``
        with a 0-based neuron index (layer 0 = the inputs).
    state : StepState
        What is known at the current step (read-only property).
    trace : Trace
        The whole forward pass (read-only property).
    grads : Gradients
        The whole backward pass (read-only property).
    position : int
        The current step index (read-only property; move with :meth:`go`).

    Examples
    --------
    >>> w = PassStepperWidget()
    >>> w.next(); w.state.phase
    'forward'
    """

    def __init__(self, net: MLP | None = None, X=None, y=None, lr: float = 0.1,
                 sizes=(2, 3, 2, 1), activation: str = "tanh", loss: str = "bce",
                 seed: int = 0) -> None:
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
        lr = check_positive("lr", lr)
        if not LR_RANGE[0] <= lr <= LR_RANGE[1]:
            raise ValueError(f"lr must be between {LR_RANGE[0]:g} and {LR_RANGE[1]:g} (the "
                             f"slider's range); got {lr!r}")
        self.net = net
        self.stepper = PassStepper(net, X, y, lr)  # validates X, y and lr
        st = self.stepper
        n_samples, n_in, L = st.X.shape[0], net.sizes[0], net.n_layers
        style = {"description_width": "initial"}

        # step controls
        self.step_slider = widgets.IntSlider(value=0, min=0, max=st.n_steps - 1,
                                             description="step", style=style,
                                             layout=widgets.Layout(width="300px"))
        self.play = widgets.Play(value=0, min=0, max=st.n_steps - 1, interval=900,
                                 description="play")
        self._play_link = widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self.prev_button = widgets.Button(description="Prev", icon="step-backward",
                                          layout=widgets.Layout(width="80px"))
        self.next_button = widgets.Button(description="Next", icon="step-forward",
                                          button_style="primary",
                                          layout=widgets.Layout(width="80px"))
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           layout=widgets.Layout(width="80px"))
        self.apply_button = widgets.Button(description="Apply update", icon="check",
                                           button_style="warning",
                                           tooltip="W ← W − lr·∂L/∂W, then back to step 0",
                                           layout=widgets.Layout(width="130px"))

        # data controls
        self.input_sliders: list[widgets.FloatSlider] = []
        self.target_slider = None
        self.sample_select = None
        data_row: list[widgets.Widget] = []
        if n_samples == 1 and n_in <= MAX_INPUT_SLIDERS:
            for i, v in enumerate(st.X[0]):
                lo, hi = min(INPUT_RANGE[0], float(v)), max(INPUT_RANGE[1], float(v))
                self.input_sliders.append(widgets.FloatSlider(
                    value=float(v), min=lo, max=hi, step=0.01, readout_format=".2f",
                    description=f"x{str(i + 1).translate(_SUB)}", style=style,
                    layout=widgets.Layout(width="230px")))
        else:
            text = (f"batch of {n_samples} samples" if n_samples > 1 else
                    f"1 sample of {n_in} inputs")
            data_row.append(widgets.HTML(f"<b>{text}</b>"))
        if n_samples == 1 and (net.sizes[-1] == 1 or net.loss.name == "cross_entropy"):
            if net.loss.name == "cross_entropy":
                self.target_slider = widgets.IntSlider(
                    value=int(st.y[0]), min=0, max=net.sizes[-1] - 1, description="class y",
                    style=style, layout=widgets.Layout(width="230px"))
            else:
                v = float(st.y[0, 0])
                lo, hi = (0.0, 1.0) if net.loss.name == "bce" else (min(-2.0, v), max(2.0, v))
                self.target_slider = widgets.FloatSlider(
                    value=v, min=lo, max=hi, step=0.01, readout_format=".2f",
                    description="target y", style=style, layout=widgets.Layout(width="230px"))
        if n_samples > 1:
            self.sample_select = widgets.Dropdown(
                options=[("mean over the batch", MEAN)] + [(f"sample {k + 1}", k)
                                                           for k in range(n_samples)],
                value=MEAN, description="show", style=style, layout=widgets.Layout(width="220px"))
        self.lr_slider = widgets.FloatLogSlider(
            value=st.lr, base=10, min=np.log10(LR_RANGE[0]), max=np.log10(LR_RANGE[1]),
            step=0.1, readout_format=".3g", description="learning rate", style=style,
            layout=widgets.Layout(width="280px"))
        self.activation_dropdowns = [
            widgets.Dropdown(options=list(ACTIVATION_NAMES), value=net.activations[l].name,
                             description=f"hidden {l + 1}", style=style,
                             layout=widgets.Layout(width="170px"))
            for l in range(L - 1)]

        # display controls
        self.quantity = widgets.ToggleButtons(
            options=[(_QUANTITY_LABELS[k], k) for k in NODE_QUANTITIES], value="a",
            description="neurons show", style={**style, "button_width": "120px"})
        neuron_options: list = [("follow the current layer", FOLLOW)]
        for l, size in enumerate(net.sizes):
            kind = "input" if l == 0 else "output" if l == L else f"layer {l}"
            neuron_options += [(f"{kind}, neuron {j + 1}" if l else f"input x{j + 1}", (l, j))
                               for j in range(size)]
        self.neuron_select = widgets.Dropdown(options=neuron_options, value=FOLLOW,
                                              description="equations of", style=style,
                                              layout=widgets.Layout(width="280px"))

        rows = [
            widgets.HBox([self.reset_button, self.prev_button, self.next_button, self.play,
                          self.step_slider, self.apply_button]),
            widgets.HBox([*self.input_sliders, *data_row,
                          *([self.target_slider] if self.target_slider else []),
                          *([self.sample_select] if self.sample_select else []),
                          self.lr_slider]),
            widgets.HBox([*self.activation_dropdowns, self.neuron_select]),
            self.quantity,
        ]
        view = PassStepperView(net.sizes, net.activation_names)
        super().__init__(view, rows)

        # model controls recompute the pass; display controls only redraw
        for control in (*self.input_sliders, self.target_slider, self.lr_slider):
            if control is not None:
                self.watch(control)
        for l, dropdown in enumerate(self.activation_dropdowns):
            self.watch(dropdown, lambda l=l: self._set_activation(l))
        for control in (self.step_slider, self.quantity, self.neuron_select, self.sample_select):
            if control is not None:
                self.watch(control)
        # Play ticks in the browser; jslink moves the slider there, this keeps the
        # kernel side in step too (and lets Python drive ``play.value``).
        self.play.observe(self._on_play, names="value")
        self.prev_button.on_click(lambda _b: self._guarded(self.prev))
        self.next_button.on_click(lambda _b: self._guarded(self.next))
        self.reset_button.on_click(lambda _b: self._guarded(self.reset))
        self.apply_button.on_click(lambda _b: self._guarded(self.apply_update))
        self.refresh()

    # -- public read-outs ------------------------------------------------------------------
    @property
    def state(self) -> StepState:
        """What is known at the current step (the stepper's state)."""
        return self.stepper.state

    @property
    def trace(self) -> Trace:
        """The whole forward pass of the current inputs."""
        return self.stepper.trace

    @property
    def grads(self) -> Gradients:
        """The whole backward pass of the current inputs and targets."""
        return self.stepper.grads

    @property
    def position(self) -> int:
        """The current step index."""
        return self.step_slider.value

    # -- actions ---------------------------------------------------------------------------
    def go(self, k: int) -> None:
        """Move to step ``k`` (clamped to the valid range) and redraw."""
        self.step_slider.value = int(min(max(k, 0), self.step_slider.max))

    def next(self) -> None:
        """One step forward (stays on the last step)."""
        self.go(self.step_slider.value + 1)

    def prev(self) -> None:
        """One step back (stays on step 0)."""
        self.go(self.step_slider.value - 1)

    def reset(self) -> None:
        """Back to step 0."""
        self.go(0)

    def apply_update(self) -> None:
        """Commit the update ``W ← W − lr·∂L/∂W`` to the network and go back to step 0.

        Raises
        ------
        FloatingPointError
            If the gradients are not finite (the weights are left unchanged);
            from a button, this becomes a message.
        """
        self._sync_stepper()
        self.stepper.apply_update()
        with self.batch():  # one redraw, even if the step already was 0
            self.play.value = 0
            self.step_slider.value = 0
            self.refresh()

    # -- model -----------------------------------------------------------------------------
    def _controls_X_y(self) -> tuple[np.ndarray, np.ndarray]:
        st = self.stepper
        X = (np.array([[s.value for s in self.input_sliders]]) if self.input_sliders
             else st.X)
        y = st.y
        if self.target_slider is not None:
            y = (np.array([self.target_slider.value]) if self.net.loss.name == "cross_entropy"
                 else np.array([[float(self.target_slider.value)]]))
        return X, y

    def _sync_stepper(self) -> None:
        """Recompute the pass from the controls if any of them changed it."""
        st = self.stepper
        X, y = self._controls_X_y()
        lr = float(self.lr_slider.value)
        if (lr != st.lr or X.shape != st.X.shape or not np.array_equal(X, st.X)
                or not np.array_equal(y, st.y)):
            st.recompute(X=X, y=y, lr=lr)

    def _set_activation(self, layer: int) -> None:
        """Give hidden layer ``layer + 1`` the dropdown's activation and recompute."""
        old = self.net.activations
        new = list(old)
        new[layer] = get_activation(self.activation_dropdowns[layer].value)
        self.net.activations = new
        try:
            self.stepper.recompute()
        except Exception:
            self.net.activations = old  # leave nothing half-changed
            raise
        self.refresh()

    def update(self) -> None:
        """Recompute the pass from the controls and draw the current step.

        Raises
        ------
        FloatingPointError
            If the loss or a gradient is not finite (the numbers overflowed);
            :meth:`refresh` shows it as a message and keeps the last picture.
        """
        self._sync_stepper()
        st = self.stepper
        g = st.grads
        if not (np.isfinite(g.loss) and all(np.isfinite(d).all() for d in (*g.dW, *g.db))):
            raise FloatingPointError(
                f"the pass overflowed (loss = {g.loss:g}, gradients not all finite); try "
                "smaller inputs, weights or learning rate")
        st.go(min(self.step_slider.value, st.n_steps - 1))
        sample = None
        if self.sample_select is not None and self.sample_select.value != MEAN:
            sample = int(self.sample_select.value)
        selected = None if self.neuron_select.value == FOLLOW else self.neuron_select.value
        self.view.update(st, self.quantity.value, selected, sample)

    # -- helpers ---------------------------------------------------------------------------
    def _on_play(self, change: dict) -> None:
        if self.step_slider.value != change["new"]:
            self.step_slider.value = change["new"]

    def _guarded(self, action) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a button must never raise into the page
            self.show_error(exc)

    def __repr__(self) -> str:
        return (f"PassStepperWidget(sizes={self.net.sizes}, "
                f"activations={self.net.activation_names}, loss={self.net.loss.name!r}, "
                f"step={self.step_slider.value}/{self.step_slider.max})")
