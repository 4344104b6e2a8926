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
from ..i18n import has_key
from .activation_plot import ActivationCurvePanel
from .bars import BarPanel
from .base import FigureView
from .equations import EquationPanel
from .network_diagram import NetworkDiagram
from .text import PathText, fmt

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

__all__ = ["PassStepperView", "NODE_QUANTITIES", "BACKGROUND_CACHE"]

#: How many static backgrounds (about 3 MB each) the view keeps.
BACKGROUND_CACHE = 6

#: Quantities the neurons can be coloured by: key -> colour-bar label (in English; the
#: picture takes its label from the catalogue, key ``"stepper.colour.<key>"``).
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
    figsize : (float, float), default (8.3, 7.6)
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

    def __init__(self, sizes, activations, figsize: tuple[float, float] = (8.3, 7.6),
                 dpi: float = 100, max_neurons: int = 8, pixel_ratio: float | None = None,
                 language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
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
        ax_curve.set_xlabel(self.tr("stepper.curve_xlabel"), fontsize=8)
        self.bars = BarPanel(self, fig.add_axes([0.645, 0.405, 0.34, 0.13]),
                             max_bars=max_neurons, ylabel="δ")
        self._drawn: tuple | None = None  # what the last update drew (for regions)
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
        return self.tr("stepper.scope_mean", n=n_samples) if sample is None else \
            self.tr("stepper.scope_sample", sample=sample, n=n_samples)

    def role(self, layer: int, n_layers: int) -> str:
        """``"input"``, ``"hidden"`` or ``"output"`` in the picture's language."""
        kind = "input" if layer == 0 else "output" if layer == n_layers else "hidden"
        return self.tr(f"stepper.role.{kind}")

    def loss_name(self, net) -> str:
        """The network's loss by name (e.g. "binary cross-entropy") in the picture's language."""
        key = f"stepper.loss.{net.loss.name}"
        return self.tr(key) if has_key(key) else net.loss.display_name

    def step_label(self, stepper: PassStepper) -> str:
        """The current step's name, e.g. ``"Backward: layer 2 (hidden, tanh)"``."""
        step, net = stepper.step, stepper.net
        L = net.n_layers
        if step.kind == "forward":
            return self.tr("stepper.step.forward", layer=step.layer,
                           role=self.role(step.layer, L), act=net.activations[step.layer - 1].name)
        if step.kind == "backward":
            return self.tr("stepper.step.backward", layer=step.layer,
                           role=self.role(step.layer, L), act=net.activations[step.layer - 1].name)
        if step.kind == "loss":
            return self.tr("stepper.step.loss", loss=self.loss_name(net))
        if step.kind == "update":
            return self.tr("stepper.step.update", lr=f"{stepper.lr:g}")
        return self.tr("stepper.step.input")

    def step_description(self, stepper: PassStepper) -> str:
        """The current step's one-sentence description (the engine's formulas, in words of the
        picture's language)."""
        step, net = stepper.step, stepper.net
        L, l = net.n_layers, step.layer
        def s(n: int) -> str:
            return str(n).translate(_SUP)
        if step.kind == "input":
            n, k = stepper.X.shape[0], net.sizes[0]
            return self.tr("stepper.desc.input",
                           samples=self.tr(f"stepper.count.sample_{'one' if n == 1 else 'many'}",
                                           n=n),
                           inputs=self.tr(f"stepper.count.input_{'one' if k == 1 else 'many'}",
                                          n=k))
        if step.kind == "forward":
            return self.tr("stepper.desc.forward", l=s(l), prev=s(l - 1),
                           act=net.activations[l - 1].name)
        if step.kind == "loss":
            ce = net.loss.name == "cross_entropy"
            return self.tr("stepper.desc.loss_ce" if ce else "stepper.desc.loss",
                           loss=self.loss_name(net), L=s(L))
        if step.kind == "backward":
            if l == L:
                head = self.tr("stepper.desc.backward_out_ce" if net.loss.name == "cross_entropy"
                               else "stepper.desc.backward_out", l=s(l))
            else:
                head = self.tr("stepper.desc.backward_hidden", l=s(l), next=s(l + 1))
            return self.tr("stepper.desc.backward", head=head, l=s(l), prev=s(l - 1))
        return self.tr("stepper.desc.update", lr=f"{stepper.lr:g}")

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

    def step_title(self, stepper: PassStepper) -> str:
        """E.g. ``"Step 6/8 · Backward: layer 2 (hidden, tanh) · loss L = 0.551"``."""
        step, state = stepper.step, stepper.state
        text = self.tr("stepper.title", k=step.index, last=stepper.n_steps - 1,
                       label=self.step_label(stepper))
        if state.loss is not None:
            text += self.tr("stepper.title_loss", loss=fmt(state.loss))
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
        label = self.tr(f"stepper.colour.{quantity}")
        self.diagram.set_node_values(values, label, blank=[quantity != "a"] + [False] * L,
                                     note=self.tr("stepper.node_note", label=label, scope=scope))
        if state.new_weights is not None:
            self.diagram.set_weights(state.new_weights)
            self.diagram.set_edge_note(self.tr("stepper.edges_updated"))
        else:
            self.diagram.set_weights(net.weights)
            self.diagram.set_edge_note(self.tr("diagram.edges_weights"))
        self.diagram.set_highlight({"input": 0, "loss": L, "update": None}.get(
            state.phase, state.current_layer))
        self.diagram.set_selected(sel_layer, sel_neuron)

        # activation curve of the focus layer
        act = net.activations[focus - 1]
        self.curve.set_activation(act)
        z = per_neuron("z", focus)
        # (when z is not known yet the title says so: a note on the plot would lie
        # across the curves)
        title = (self.tr("stepper.curve_title", layer=focus, act=act.name, scope=scope)
                 if z is not None else
                 self.tr("stepper.curve_title_unknown", layer=focus, act=act.name)) + \
            "\n" + self.tr("stepper.curve_key")
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
        self.bars.set_title(self.tr("stepper.bars_title", layer=focus, scope=scope))
        self.bars.update(per_neuron("delta", focus),
                         labels=[f"n{j}" for j in range(min(net.sizes[focus],
                                                                self.bars.max_bars))])

        # equations and title
        self.equations.update(stepper, sel_layer, sel_neuron, 0 if sample is None else sample,
                              nodes_show_mean=sample is None and n > 1)
        self.title.set_text(self.step_title(stepper))
        self.subtitle.set_text(self.step_description(stepper))
        self.focus_layer, self.quantity, self.sample = focus, quantity, sample
        self._drawn = (state, list(net.weights), list(net.biases),
                       [a.name for a in net.activations], stepper.lr)

    # -- where things are, for the page ---------------------------------------------------
    def regions(self) -> list[dict]:
        """The diagram's neurons and edges in CSS px, each with a tooltip of what is known.

        A neuron's tooltip holds its numbers computed so far at the drawn step
        (z, a, f′(z) from its forward step; ∂L/∂a, δ from its backward step;
        its bias b always, ∂L/∂b once known, the updated b at the update step),
        for the sample shown or the mean over the batch, as the picture shows
        them.  An edge's holds its weight w, ∂L/∂w once known and, at the
        update step, w − lr·∂L/∂w.  Nothing not yet computed is given.

        Returns
        -------
        list of dict
            :meth:`NetworkDiagram.regions` with ``"title"`` and ``"rows"``
            (``[label, value text]``) added; ``[]`` before the first update.
        """
        if self._drawn is None:
            return []
        tips = _Tips(self)
        regions = self.diagram.regions()
        for region in regions:
            # (ids the diagram just wrote: no need to check them again)
            kind, *fields = region["id"].split(":")
            fields = [int(f) for f in fields]
            region.update(tips.neuron(*fields) if kind == "neuron" else tips.edge(*fields))
        return regions

    def neuron_tip(self, layer: int, j: int) -> dict:
        """``{"title", "rows"}`` of neuron ``j`` of ``layer`` at the drawn step (see :meth:`regions`)."""
        return _Tips(self).neuron(layer, j)

    def edge_tip(self, layer: int, i: int, j: int) -> dict:
        """``{"title", "rows"}`` of the weight from neuron ``i`` of ``layer`` to neuron ``j`` of
        ``layer + 1`` at the drawn step (see :meth:`regions`)."""
        return _Tips(self).edge(layer, i, j)


class _Tips:
    """The tooltips of one drawn step: texts translated and values looked up once per layer
    (a 2-8×6-1 network has about 400 regions)."""

    def __init__(self, view: PassStepperView) -> None:
        self.view = view
        state, self.weights, self.biases, self.acts, _ = view._drawn
        self.state, self.sample = state, view.sample
        self.L = state.n_layers
        tr = view.tr
        self.scope = view._scope(state.n_samples, view.sample).strip(" ()（）")
        self.text = {key: tr(f"stepper.tip.{key}") for key in
                     ("values", "forward", "backward", "bias", "weight")}
        self.roles = [view.role(l, self.L) for l in range(self.L + 1)]
        self._names: dict[tuple[int, int], str] = {}
        self._values: dict[tuple[str, int], np.ndarray | None] = {}
        self._at: dict[int, str] = {}
        self._edge_title = tr("stepper.tip.edge_title")  # (formatted per edge below)

    def name(self, layer: int, j: int) -> str:
        key = (layer, j)
        if key not in self._names:
            self._names[key] = (
                self.view.tr("stepper.tip.input_name", x=f"x{str(j + 1).translate(_SUB)}")
                if layer == 0 else self.view.tr("stepper.tip.neuron_name", layer=layer, j=j))
        return self._names[key]

    def values(self, quantity: str, layer: int) -> np.ndarray | None:
        key = (quantity, layer)
        if key not in self._values:
            state = self.state
            self._values[key] = (
                None if not state.known(quantity, layer) else
                state.mean(quantity, layer) if self.sample is None else
                getattr(state, quantity)[layer][self.sample])
        return self._values[key]

    def at_step(self, step: int) -> str:
        if step not in self._at:
            self._at[step] = self.view.tr("stepper.tip.at_step", step=step)
        return self._at[step]

    def neuron(self, layer: int, j: int) -> dict:
        state, L, text = self.state, self.L, self.text
        role = self.roles[layer]
        title = (self.view.tr("stepper.tip.neuron_title", name=self.name(layer, j), role=role)
                 if layer == 0 else
                 self.view.tr("stepper.tip.neuron_title_act", name=self.name(layer, j),
                              role=role, act=self.acts[layer - 1]))
        rows: list[list[str]] = []
        if self.scope:
            rows.append([text["values"], self.scope])
        if layer == 0:
            rows.append(["x = a", fmt(self.values("a", 0)[j])])
            return {"title": title, "rows": rows}
        z = self.values("z", layer)
        if z is not None:
            rows += [["z", fmt(z[j])], ["a", fmt(self.values("a", layer)[j])],
                     ["f′(z)", fmt(self.values("dadz", layer)[j])]]
        else:
            rows.append([text["forward"], self.at_step(layer)])
        delta = self.values("delta", layer)
        if delta is not None:
            rows += [["∂L/∂a", fmt(self.values("dL_da", layer)[j])],
                     ["δ = ∂L/∂z", fmt(delta[j])]]
        else:
            rows.append([text["backward"], self.at_step(L + 1 + (L - layer + 1))])
        rows.append([text["bias"], fmt(self.biases[layer - 1][j], 4)])
        if (layer - 1) in state.db:
            rows.append(["∂L/∂b", fmt(state.db[layer - 1][j])])
        if state.new_biases is not None:
            rows.append(["b − lr·∂L/∂b", fmt(state.new_biases[layer - 1][j], 4)])
        return {"title": title, "rows": rows}

    def edge(self, layer: int, i: int, j: int) -> dict:
        state = self.state
        title = self._edge_title.format(source=self.name(layer, i),
                                        target=self.name(layer + 1, j))
        rows = [[self.text["weight"], fmt(self.weights[layer][i, j], 4)]]
        if layer in state.dW:
            rows.append(["∂L/∂w", fmt(state.dW[layer][i, j])])
        else:
            rows.append(["∂L/∂w", self.at_step(self.L + 1 + (self.L - layer))])
        if state.new_weights is not None:
            rows.append(["w − lr·∂L/∂w", fmt(state.new_weights[layer][i, j], 4)])
        return {"title": title, "rows": rows}
