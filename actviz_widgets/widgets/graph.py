"""The computational graph of one neuron or of a teaching expression, stepped forward then back.

The widget draws :class:`~actviz_widgets.views.graph.GraphView` pictures of
the engine's :class:`~actviz_widgets.engine.Graph`: every node's value and
gradient, every edge's local derivative, and the chain rule of the step
shown written out with the real numbers.  Its settings choose the graph
(the neuron of :class:`~actviz_widgets.widgets.single_neuron.SingleNeuron`,
with the same leaves, ranges and numbers, or one of
:data:`~actviz_widgets.engine.EXPRESSIONS`), the leaves' values, the step
and how the backward pass is run: right, a second time without
``zero_grad`` (the gradients add up), or in a wrong order (a node passes its
gradient on before all of it has arrived).
"""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets
import traitlets

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.graph import Graph, GraphStep, GraphTrace
from ..engine.graph_builders import EXPRESSION_NAMES, expression_graph, neuron_graph
from ..engine.graph_ops import subscript_digits
from ..i18n import has_key
from ..views.graph import GraphView
from .base import FigureWidget
from .settings import Choice, Integer, Number, SettingSpec
from .single_neuron import RANGES as NEURON_RANGES
from .stepping import Stepping

__all__ = ["ComputationalGraph", "MODES", "NEURON", "EXPRESSION_RANGE"]

#: The graph setting's value for the one neuron (the others are expression names).
NEURON = "neuron"
#: How the backward pass runs: right; a second pass on gradients never reset; a wrong order.
MODES = ("normal", "accumulate", "wrong_order")
#: The range of an expression's leaf slider (every worked example lies inside it).
EXPRESSION_RANGE = (-10.0, 10.0)
_NEURON_LEAVES = ("x1", "x2", "w1", "w2", "b", "y")
_NEURON_DEFAULTS = {"x1": 1.0, "x2": 2.0, "w1": 0.5, "w2": -0.3, "b": 0.1, "y": 1.0}


def _expression_leaves() -> dict[str, dict[str, float]]:
    """Each expression's leaves and their worked-example values, in graph order."""
    return {name: {k: v.data for k, v in expression_graph(name).leaves.items()}
            for name in EXPRESSION_NAMES}


_EXPRESSION_LEAVES = _expression_leaves()
#: Every expression leaf name, once (each gets a setting ``e_<name>``).
_ALL_EXPRESSION_LEAVES = tuple(dict.fromkeys(k for leaves in _EXPRESSION_LEAVES.values()
                                             for k in leaves))


def _neuron_value(key: str) -> Number:
    return Number(_NEURON_DEFAULTS[key], *NEURON_RANGES[key], step=0.01, label="",
                  width="300px")


def _expression_value(leaf: str) -> Number:
    # the label is the leaf's symbol in every language; the tooltip comes from the catalogue
    return Number(0.0, *EXPRESSION_RANGE, step=0.01, label=subscript_digits(leaf),
                  width="260px")


def _graph_options() -> list[tuple[str, str]]:
    options = [("", NEURON)]  # (its label is the catalogue's)
    for name in EXPRESSION_NAMES:
        options.append((expression_graph(name).structure.title, name))
    return options


#: The expressions' leaf settings ``e_a, e_b, ...``, one per leaf name (declared here,
#: from the expressions themselves, so that a new expression needs no new line).
_ExpressionLeaves = type("_ExpressionLeaves", (traitlets.HasTraits,),
                         {f"e_{leaf}": _expression_value(leaf)
                          for leaf in _ALL_EXPRESSION_LEAVES})


class ComputationalGraph(Stepping, FigureWidget, _ExpressionLeaves):
    """The computational graph of one neuron or an expression, forward then backward.

    Each step of the engine's :meth:`~actviz_widgets.engine.Graph.trace` is a
    picture: the start (the leaves set), one forward step per operation, the
    seed ∂L/∂L = 1, one backward step per edge (the chain rule on that edge
    with its numbers) and the end.  Moving a slider recomputes every number
    at the step shown.

    Parameters
    ----------
    graph : str, default "neuron"
        ``"neuron"``: the neuron of :class:`SingleNeuron` (leaves x1, x2, w1,
        w2, b, y) and its loss; or one of
        :data:`~actviz_widgets.engine.EXPRESSION_NAMES`.
    activation : str, default "sigmoid"
        The neuron's activation, one of :data:`~actviz_widgets.engine.ACTIVATION_NAMES`.
    loss : {"mse", "bce"}, default "mse"
        The neuron's loss.
    mode : {"normal", "accumulate", "wrong_order"}, default "normal"
        ``accumulate``: the backward pass runs a second time without
        ``zero_grad()``, adding to the first pass's gradients; ``wrong_order``:
        the order of :meth:`~actviz_widgets.engine.Graph.wrong_order`.
    position : int, optional
        The step shown; default the last one (every value and gradient known).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the controls and of every text of
        the picture, the step panel's explanations included.
        Default: :func:`actviz_widgets.get_language`.
    **leaves : float
        Leaf values: the neuron's ``x1, x2, w1, w2, b, y`` (defaults 1, 2,
        0.5, −0.3, 0.1, 1 as in :class:`SingleNeuron`) or the expression's
        leaves by name (defaults: its worked example).

    Attributes
    ----------
    graph, activation, loss_name, mode, position
        The settings (assign to change; the controls follow).
    x1, x2, w1, w2, b, y : float
        The neuron's leaves (settings).
    e_a, e_b, ... : float
        The expressions' leaves (settings ``e_<leaf>``; :meth:`set_leaves` sets
        them by the leaf's own name).  Choosing an expression loads its
        worked example.
    model : Graph
        The engine's graph drawn, with the leaves' values.
    trace : GraphTrace
        Every step of the pass shown (read-only property).
    state : GraphStep
        The step drawn (read-only).
    values, gradients : dict of str -> float
        Every node's value and every leaf's final gradient (after the whole
        pass of this mode; twice the true one in ``accumulate`` mode).
    graph_dropdown, activation_dropdown, loss_dropdown : ipywidgets.Dropdown
    mode_buttons : ipywidgets.ToggleButtons
    sliders : dict of str -> ipywidgets.FloatSlider
        The neuron's leaf sliders by leaf name.
    expression_sliders : dict of str -> ipywidgets.FloatSlider
        The expressions' leaf sliders by leaf name (those of the current
        expression are shown).
    step_slider : ipywidgets.IntSlider
    play : ipywidgets.Play
        Steps through the pass in the page; linked to :attr:`position` in the kernel.
    prev_button, next_button, reset_button : ipywidgets.Button
        Reset: every setting back to what the widget was created with, and step 0.

    Examples
    --------
    >>> w = ComputationalGraph(graph="reuse", a=2.0, b=-3.0)   # f = a·b + a
    >>> w.gradients
    {'a': -2.0, 'b': 2.0}
    """

    i18n_area = "graph"
    graph = Choice(NEURON, _graph_options(), label="", width="330px")
    activation = Choice("sigmoid", [(get_activation(n).display_name, n)
                                    for n in ACTIVATION_NAMES],
                        label="", width="250px")
    loss_name = Choice("mse", [("mse: (a − y)²", "mse"), ("", "bce")], label="", width="250px")
    mode = Choice("normal", [("", m) for m in MODES], widget="toggle", label="")
    position = Integer(0, 0, 1000, label="", effect="display", width="300px")
    x1 = _neuron_value("x1")
    x2 = _neuron_value("x2")
    y = _neuron_value("y")
    w1 = _neuron_value("w1")
    w2 = _neuron_value("w2")
    b = _neuron_value("b")

    def __init__(self, graph: str = NEURON, activation: str = "sigmoid", loss: str = "mse",
                 mode: str = "normal", position: int | None = None,
                 language: str | None = None, **leaves: float) -> None:
        self._models: dict[tuple, Graph] = {}
        self.model: Graph | None = None
        self._trace: GraphTrace | None = None
        self._drawn: GraphStep | None = None
        self.init_settings({"graph": graph, "activation": activation, "loss_name": loss,
                            "mode": mode}, language=language)
        if self.graph != NEURON:  # an expression starts from its worked example
            for k, v in _EXPRESSION_LEAVES[self.graph].items():
                setattr(self, f"e_{k}", v)
        for key, value in self._leaf_settings(self.graph, leaves).items():
            setattr(self, key, value)
        n = self._length(self.settings())
        self.setting_ranges["position"] = (0, n - 1)
        self.position = n - 1 if position is None else position
        self._initial = self.settings()
        self._initial_leaves = {k: v for k, v in self._initial.items() if k.startswith("e_")}

        self.graph_dropdown = self.control("graph")
        self.activation_dropdown = self.control("activation")
        self.loss_dropdown = self.control("loss_name")
        self.mode_buttons = self.control("mode")
        self.mode_buttons.style.button_width = "210px"
        self.sliders = {k: self.control(k) for k in _NEURON_LEAVES}
        self.expression_sliders = {k: self.control(f"e_{k}") for k in _ALL_EXPRESSION_LEAVES}
        self.step_slider = self.control("position")
        self.init_stepping(interval=1200)
        lay = widgets.Layout
        self.reset_button = widgets.Button(description=self.tr("graph.reset"), icon="undo",
                                           tooltip=self.tr("graph.reset.help"),
                                           layout=lay(width="80px"))
        s, e = self.sliders, self.expression_sliders
        self._expression_box = widgets.HBox(list(e.values()),
                                            layout=lay(flex_flow="row wrap"))
        self._neuron_box = widgets.HBox([widgets.VBox([s["x1"], s["x2"], s["y"]]),
                                         widgets.VBox([s["w1"], s["w2"], s["b"]])])
        rows = [
            widgets.HBox([self.graph_dropdown, self.activation_dropdown, self.loss_dropdown]),
            self._neuron_box,
            self._expression_box,
            self.mode_buttons,
            widgets.HBox([self.reset_button, self.prev_button, self.next_button, self.play,
                          self.step_slider]),
        ]
        super().__init__(GraphView(language=self.language), rows)
        self._show_controls()
        self.reset_button.on_click(self.guarded(self.reset))
        self.refresh()

    # -- read-outs -------------------------------------------------------------------------
    @property
    def state(self) -> GraphStep | None:
        """The step drawn (a read-only snapshot)."""
        return self._drawn

    @property
    def trace(self) -> GraphTrace | None:
        """Every step of the pass shown."""
        return self._trace

    @property
    def n_steps(self) -> int:
        """Number of steps of the pass shown."""
        return self.setting_ranges["position"][1] + 1

    @property
    def values(self) -> dict[str, float]:
        """Every node's value, by name."""
        trace = self._computed()
        return {n.name: trace.final.values[n.index] for n in trace.graph.nodes}

    @property
    def gradients(self) -> dict[str, float]:
        """Every leaf's gradient at the end of the pass shown, by name."""
        trace = self._computed()
        return {n.name: trace.final.grads[n.index] for n in trace.graph.nodes
                if n.op is None and n.requires_grad}

    def _computed(self) -> GraphTrace:
        if self._trace is None:
            raise ValueError(f"nothing is computed yet: {self.error}")
        return self._trace

    def leaf_values(self) -> dict[str, float]:
        """The current graph's leaves and their values, by leaf name."""
        return self._leaves_of(self.settings())

    # -- actions ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Every setting back to what the widget was created with, and step 0."""
        self.apply(**{**self._initial, "position": 0})
        # (choosing the graph again loaded its worked example: the initial leaves win)
        self.apply(**self._initial_leaves)

    def set_leaves(self, **values: float) -> None:
        """Set the current graph's leaves by their own names (``a=3.0``, ``w1=0.8``).

        Raises
        ------
        ValueError
            If a name is not a leaf of the current graph or a value is out of range.
        """
        self.apply(**self._leaf_settings(self.graph, values))

    # -- settings --------------------------------------------------------------------------
    def localized_spec(self, name: str) -> SettingSpec:
        """As :meth:`SettingsOwner.localized_spec`; an expression's leaf keeps its symbol
        as its label (``a``, ``x₁``) and takes its tooltip from ``graph.leaf.help``."""
        if not name.startswith("e_"):
            return super().localized_spec(name)
        return replace(self.setting_spec(name), help=self.tr("graph.leaf.help", leaf=name[2:]))

    @staticmethod
    def _leaf_settings(graph: str, values: dict) -> dict:
        names = _NEURON_LEAVES if graph == NEURON else tuple(_EXPRESSION_LEAVES[graph])
        unknown = sorted(set(values) - set(names))
        if unknown:
            what = "the neuron" if graph == NEURON else f"the expression {graph!r}"
            raise ValueError(f"{unknown[0]!r} is not a leaf of {what}; its leaves are "
                             f"{list(names)}")
        if graph == NEURON:
            return dict(values)
        return {f"e_{k}": v for k, v in values.items()}

    def _leaves_of(self, settings: dict) -> dict[str, float]:
        graph = settings["graph"]
        if graph == NEURON:
            return {k: settings[k] for k in _NEURON_LEAVES}
        return {k: settings[f"e_{k}"] for k in _EXPRESSION_LEAVES[graph]}

    def settings_changed(self, names: set[str]) -> None:
        with self.batch():  # one redraw, however many settings follow
            if "graph" in names and self.graph != NEURON:
                # a new expression starts from its worked example (values set with it stay)
                example = {f"e_{k}": v for k, v in _EXPRESSION_LEAVES[self.graph].items()
                           if f"e_{k}" not in names}
                for key, value in example.items():
                    setattr(self, key, value)
            if names & {"graph", "activation", "loss_name"}:
                self._show_controls()
                try:
                    n = self._length(self.settings())
                except ValueError:
                    n = None  # refresh shows why (e.g. bce with tanh)
                if n is not None:
                    self._fit_steps(n)
            self.refresh()

    def _fit_steps(self, n: int) -> None:
        """Give the step slider and Play the range 0 .. n − 1."""
        last = n - 1
        if self.position > last:
            self.position = last
        self.set_range("position", 0, last)
        self.play.max = last

    def _show_controls(self) -> None:
        neuron = self.graph == NEURON
        for control in (self.activation_dropdown, self.loss_dropdown):
            control.layout.display = None if neuron else "none"
        self._neuron_box.layout.display = None if neuron else "none"
        for slider in self.sliders.values():  # (each one too: a hidden control says so itself)
            slider.layout.display = None if neuron else "none"
        self._expression_box.layout.display = "none" if neuron else None
        used = () if neuron else _EXPRESSION_LEAVES[self.graph]
        for leaf, slider in self.expression_sliders.items():
            slider.layout.display = None if leaf in used else "none"

    # -- model -----------------------------------------------------------------------------
    def _model(self, settings: dict) -> Graph:
        graph = settings["graph"]
        key = ((graph, settings["activation"], settings["loss_name"]) if graph == NEURON
               else (graph,))
        if key not in self._models:
            if graph == NEURON:
                # neuron_graph checks bce with a non-sigmoid activation; the target is set below
                self._models[key] = neuron_graph(activation=settings["activation"],
                                                 loss=settings["loss_name"], target=0.0)
            else:
                self._models[key] = expression_graph(graph)
        return self._models[key]

    def _length(self, settings: dict) -> int:
        """The number of steps of the pass for these settings (they fix the structure)."""
        s = self._model(settings).structure
        ops = sum(1 for n in s.nodes if n.op is not None)
        return ops + sum(1 for e in s.edges if e.carries_grad) + 3

    def update(self) -> None:
        """Set the graph's leaves from the settings, trace the pass, draw the current step.

        Raises
        ------
        ValueError
            If the settings cannot be computed (bce with another activation than
            sigmoid, bce with a target outside [0, 1], a division by zero, a
            logarithm of a number ≤ 0, a wrong order for a graph with one op);
            :meth:`refresh` shows it and keeps the last picture.
        """
        settings = self.settings()
        if settings["graph"] == NEURON and settings["loss_name"] == "bce" and \
                not 0.0 <= settings["y"] <= 1.0:
            raise ValueError(self.tr("graph.bce_target", y=f"{settings['y']:g}"))
        g = self._model(settings)
        g.set(**self._leaves_of(settings))
        g.zero_grad()
        if self.mode == "accumulate":
            g.backward()  # the first pass, never reset: the trace is the second one
            trace = g.trace(accumulate=True)
        elif self.mode == "wrong_order":
            trace = g.trace(order=g.wrong_order())
        else:
            trace = g.trace()
        g.zero_grad()
        step = trace[min(self.position, len(trace) - 1)]
        self.view.update(step, title=self._title(g.structure.title))
        self.model, self._trace, self._drawn = g, trace, step

    def _title(self, title: str) -> str:
        """The picture's heading in the widget's language."""
        if self.graph == NEURON:  # "one neuron and its loss: L = …": the words translated
            words, _, formula = title.partition(": ")
            return self.tr("graph.title.neuron", formula=formula) if formula else title
        key = f"graph.graph.{self.graph}"  # an expression: its formula, or the menu's words
        return self.tr(key) if has_key(key, "en") else title

    def __repr__(self) -> str:
        what = (f"neuron, activation={self.activation!r}, loss={self.loss_name!r}"
                if self.graph == NEURON else repr(self.graph))
        return (f"ComputationalGraph({what}, mode={self.mode!r}, "
                f"step={self.position}/{self.n_steps - 1})")
