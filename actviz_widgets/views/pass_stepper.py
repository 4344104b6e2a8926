"""The pass stepper's picture: one forward/backward pass, one step at a time.

:class:`PassStepperView` composes the reusable panels around a
:class:`~actviz_widgets.engine.stepper.PassStepper`:

* left, large: the :class:`~.network_diagram.NetworkDiagram`, neurons
  coloured by the chosen quantity where it is known and grey where it is
  not computed yet, the current layer highlighted;
* right, top: the :class:`~.activation_plot.ActivationCurvePanel` of the
  focus layer with its neurons' z marked on f(z) and f′(z);
* right, middle: a :class:`~.bars.BarPanel` of δ = ∂L/∂z of the focus layer;
* right, bottom: the :class:`~.equations.EquationPanel` of the selected neuron;
* a title line with the step and, once known, the loss.

The *focus layer* is the layer the step works on (forward/backward), else
the output layer at the loss step, the selected neuron's layer at the update
step, and layer 1 at the input step.  For a batch, values are the mean over
the batch (``sample=None``) or one sample's, and the titles say which.
"""

from __future__ import annotations

import numpy as np

from ..engine.stepper import PassStepper
from ..engine.validation import check_int
from .activation_plot import ActivationCurvePanel
from .bars import BarPanel
from .base import FigureView
from .equations import EquationPanel
from .network_diagram import NetworkDiagram
from .text import PathText, fmt

__all__ = ["PassStepperView", "NODE_QUANTITIES", "BACKGROUND_CACHE"]

#: How many static backgrounds (about 3 MB each) the view keeps.
BACKGROUND_CACHE = 6

#: Quantities the neurons can be coloured by: key -> colour-bar label.
NODE_QUANTITIES: dict[str, str] = {
    "a": "activation a",
    "z": "pre-activation z",
    "delta": "δ = ∂L/∂z",
    "dL_da": "∂L/∂a (gradient of the loss w.r.t. a)",
}


class PassStepperView(FigureView):
    """Diagram, activation curve, δ bars, equations and a title for one pass.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes of the first network shown (the view adapts when a later
        :meth:`update` brings another architecture).
    activations : sequence of str
        Activation names of layers 1..L.
    figsize : (float, float), default (8.8, 7.6)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    max_neurons : int, default 8
        Neurons drawn per layer in the diagram and bars in the bar chart.

    Attributes
    ----------
    diagram : NetworkDiagram
    curve : ActivationCurvePanel
    bars : BarPanel
    equations : EquationPanel
    title : PathText
        "Step k/n · what happens" and the loss once known.
    subtitle : PathText
        The step's one-sentence description.
    curve_title : PathText
        What the activation panel shows (layer, activation, batch scope).
    focus_layer : int
        The layer shown in the curve and bar panels.
    quantity : str
        Key of :data:`NODE_QUANTITIES` drawn on the neurons.
    sample : int or None
        The sample shown, or ``None`` for the mean over the batch.
    """

    background_cache = BACKGROUND_CACHE

    def __init__(self, sizes, activations, figsize: tuple[float, float] = (8.8, 7.6),
                 dpi: float = 100, max_neurons: int = 8, pixel_ratio: float | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio)
        fig = self.figure
        # Top left: the diagram; top right: curve and bars; the equations under both,
        # the full width (fixed boxes, so the equations get every line they need).
        ax_net = fig.add_axes([0.005, 0.335, 0.47, 0.56])
        self.diagram = NetworkDiagram(self, ax_net, sizes, max_neurons=max_neurons,
                                      activations=activations)
        ax_curve = fig.add_axes([0.645, 0.655, 0.34, 0.2])
        self.curve = ActivationCurvePanel(self, ax_curve, z_range=(-4, 4),
                                          activation=activations[0])
        self.curve.legend.set_visible(False)  # the title and axis labels say it more compactly
        ax_curve.set_title("")
        self.curve_title = self.dynamic(PathText(ax_curve, 0.5, 1.04, "", ha="center",
                                                 va="bottom", fontsize=8.5))
        ax_curve.tick_params(labelsize=8)
        ax_curve.xaxis.label.set_fontsize(8)
        self.bars = BarPanel(self, fig.add_axes([0.645, 0.405, 0.34, 0.13]),
                             max_bars=max_neurons, ylabel="δ")
        self.equations = EquationPanel(self, fig.add_axes([0.012, 0.005, 0.976, 0.295]),
                                       fontsize=8, width=62, columns=2)
        self.title = self.dynamic(PathText(fig, 0.012, 0.985, "", fontsize=12, weight="bold",
                                           va="top"))
        self.subtitle = self.dynamic(PathText(fig, 0.012, 0.945, "", fontsize=8.5, va="top",
                                              color="#333333"))
        self.focus_layer = 1
        self.quantity = "a"
        self.sample: int | None = None

    # -- rendering -------------------------------------------------------------------------
    def static_key(self) -> tuple:
        """Everything drawn in the static background (so equal keys, equal backgrounds)."""
        d = self.diagram
        return (tuple(d.sizes), tuple(d.activations or ()), d.label, self.curve.activation.name,
                self.curve.threshold, self.bars.ax.get_ylabel())

    # -- helpers ---------------------------------------------------------------------------
    def _scope(self, n_samples: int, sample: int | None) -> str:
        if n_samples == 1:
            return ""
        return f" (mean over {n_samples} samples)" if sample is None else \
            f" (sample {sample} of {n_samples}, from 0)"

    @staticmethod
    def focus(stepper: PassStepper, selected_layer: int | None) -> int:
        """The layer shown in the curve and bar panels at the stepper's step."""
        state = stepper.state
        if state.current_layer is not None:
            return state.current_layer
        if state.phase == "input":
            return 1
        if state.phase == "loss" or not selected_layer:
            return state.n_layers
        return selected_layer

    @staticmethod
    def step_title(stepper: PassStepper) -> str:
        """E.g. ``"Step 6/8 · Backward: layer 2 (hidden, tanh) · loss L = 0.551"``."""
        step, state, net = stepper.step, stepper.state, stepper.net
        label = step.label
        if step.layer is not None and "(" not in label:
            role = "output" if step.layer == state.n_layers else "hidden"
            label += f" ({role}, {net.activations[step.layer - 1].name})"
        text = f"Step {step.index}/{stepper.n_steps - 1} · {label}"
        if state.loss is not None:
            text += f" · loss L = {fmt(state.loss)}"
        return text

    # -- update ----------------------------------------------------------------------------
    def update(self, stepper: PassStepper, quantity: str = "a",
               selected: tuple[int, int] | None = None, sample: int | None = None) -> None:
        """Draw the stepper's current step.

        Parameters
        ----------
        stepper : PassStepper
            What to draw (its ``state`` and ``net``).
        quantity : {"a", "z", "delta", "dL_da"}, default "a"
            What colours the neurons.
        selected : (int, int), optional
            ``(layer, neuron)`` whose equations are shown (0-based neuron);
            default: neuron 0 of the focus layer (the first input at step 0).
        sample : int, optional
            Show this sample of the batch; ``None`` = the mean over the batch
            (the equations then use sample 0 and say so).
        """
        if quantity not in NODE_QUANTITIES:  # case-sensitive: dL_da
            raise ValueError(f"unknown quantity {quantity!r}; expected one of "
                             f"{list(NODE_QUANTITIES)}")
        net, state = stepper.net, stepper.state
        n = state.n_samples
        if sample is not None:
            sample = check_int("sample", sample, minimum=0, maximum=n - 1)
        L = state.n_layers
        if selected is not None:
            sel_layer = check_int("selected layer", selected[0], minimum=0, maximum=L)
            sel_neuron = check_int("selected neuron", selected[1], minimum=0,
                                   maximum=net.sizes[sel_layer] - 1)
        elif state.phase == "input":
            sel_layer, sel_neuron = 0, 0
        else:
            sel_layer, sel_neuron = self.focus(stepper, None), 0
        # (every argument is checked above: nothing below can leave the view half-updated)
        names = net.activation_names
        if net.sizes != self.diagram.sizes:
            self.diagram.set_structure(net.sizes, names)
        elif names != self.diagram.activations:
            self.diagram.set_activations(names)
        focus = self.focus(stepper, sel_layer)
        scope = self._scope(n, sample)

        def per_neuron(q: str, l: int) -> np.ndarray | None:
            if not state.known(q, l):
                return None
            return state.mean(q, l) if sample is None else getattr(state, q)[l][sample]

        # diagram
        values = [per_neuron(quantity, l) if (l > 0 or quantity == "a") else None
                  for l in range(L + 1)]
        # the input has an activation (x) but no z, δ or ∂L/∂a (not asked of the engine)
        label = NODE_QUANTITIES[quantity]
        self.diagram.set_node_values(values, label, blank=[quantity != "a"] + [False] * L,
                                     note=f"neurons: {label}{scope} · grey dashed = not "
                                          "computed yet")
        if state.new_weights is not None:
            self.diagram.set_weights(state.new_weights)
            self.diagram.set_edge_note("edges: updated weights W − lr·∂L/∂W")
        else:
            self.diagram.set_weights(net.weights)
            self.diagram.set_edge_note("edges: weights w")
        self.diagram.set_highlight({"input": 0, "loss": L, "update": None}.get(
            state.phase, state.current_layer))
        self.diagram.set_selected(sel_layer, sel_neuron)

        # activation curve of the focus layer
        act = net.activations[focus - 1]
        self.curve.set_activation(act)
        z = per_neuron("z", focus)
        # (when z is not known yet the title says so: a note on the plot would lie
        # across the curves)
        title = (f"Layer {focus} ({act.name}) at its neurons' z{scope}" if z is not None else
                 f"Layer {focus} ({act.name}): z not computed yet") + \
            "\nf(z) ──   f′(z) - - - (its derivative)"
        if self.curve.ax.get_title():  # the panel titles itself on a new activation
            self.curve.ax.set_title("")
        self.curve_title.set_text(title)
        if z is None:
            self.curve.update(np.empty(0))
        else:
            shown = z[:self.diagram.max_neurons]
            # a few points are numbered; of many, only the selected one (they crowd)
            labels = [str(j + 1) if len(shown) <= 4 or (sel_layer == focus and j == sel_neuron)
                      else "" for j in range(len(shown))]
            self.curve.update(shown, labels=labels,
                              tangent=(float(z[sel_neuron]) if sel_layer == focus else None))

        # δ bars of the focus layer
        self.bars.set_title(f"δ = ∂L/∂z of layer {focus}{scope}")
        self.bars.update(per_neuron("delta", focus),
                         labels=[f"n{j}" for j in range(min(net.sizes[focus],
                                                                self.bars.max_bars))])

        # equations and title
        self.equations.update(stepper, sel_layer, sel_neuron, 0 if sample is None else sample)
        if sample is None and n > 1:
            self.equations.text.set_text(self.equations.text.get_text().replace(
                f" · sample 1 of {n}", f" · sample 1 of {n} (nodes show the mean)", 1))
        self.title.set_text(self.step_title(stepper))
        self.subtitle.set_text(stepper.step.description)
        self.focus_layer, self.quantity, self.sample = focus, quantity, sample
