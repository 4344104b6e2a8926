"""Distributions: histograms of one layer's weights, pre-activations and activations
over training, with the activation's saturated regions under the pre-activations.

TensorBoard shows such histograms over time; this widget adds the activation
function and where it saturates, so a learner sees pre-activations land where
almost no gradient passes back (large initial weights with tanh or sigmoid),
and how training moves them.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES
from ..engine.datasets import make_dataset
from ..engine.diagnostics import (
    SATURATION_THRESHOLD,
    histograms,
    saturated_fraction,
    snapshot_trace,
)
from ..engine.network import MLP, Trace
from ..engine.training import Trainer
from ..engine.validation import check_int
from ..i18n import tr
from ..views.distributions import (
    BINS,
    MAX_LAYERS,
    MAX_RIDGES,
    DistributionsState,
    DistributionsView,
    display_range,
)
from .settings import Choice, Integer, Number
from .training import DATASETS, MAX_SEED, TrainingWidget, depth_of, preset_setting

__all__ = ["Distributions", "PRESETS", "SCALE_RANGE", "LR_RANGE", "SNAPSHOT_EVERY"]

#: Most hidden layers.
MAX_DEPTH = MAX_LAYERS - 1
#: Neurons per hidden layer.
WIDTH = 8
#: Range of the initial-weight-scale slider.
SCALE_RANGE = (0.1, 10.0)
#: Range of the learning-rate slider.
LR_RANGE = (1e-3, 10.0)
#: Steps between recorded snapshots (the time slider's resolution).
SNAPSHOT_EVERY = 10
#: Traces of snapshots kept for redrawing.
TRACE_CACHE = 48
#: Ready-made settings: name -> (English label, settings).  The labels shown are
#: the catalogue's ``"distributions.preset.<name>"`` in the widget's language.
PRESETS: dict[str, tuple[str, dict]] = {
    name: (tr(f"distributions.preset.{name}", "en"), values) for name, values in {
        "saturated": dict(activation="tanh", init="normal", weight_scale=3.0),
        "healthy": dict(activation="tanh", init="xavier", weight_scale=1.0),
        "sigmoid": dict(activation="sigmoid", init="normal", weight_scale=2.0),
        "relu": dict(activation="relu", init="he", weight_scale=1.0),
    }.items()}
#: The initialisers offered (labels: the catalogue's ``"distributions.init.<name>"``).
INITS = ("xavier", "he", "normal")
_KINDS = {"W": "symmetric", "z": "symmetric", "a": "bounded"}


class Distributions(TrainingWidget):
    """Histograms of W, z and a of one layer over training, and saturation per layer.

    Changing the activation, initialiser, weight scale, depth or dataset
    builds a new network (seeded) at step 0; the learning rate applies to the
    next steps. Training records a snapshot every :data:`SNAPSHOT_EVERY`
    steps; the time slider chooses the step outlined (the ridges behind are
    up to 10 recorded steps from 0 to the newest).

    Parameters
    ----------
    depth : int, default 3
        Hidden layers, 1..5, of 8 neurons.
    activation : str, default "tanh"
    init : {"xavier", "he", "normal"}, default "normal"
    weight_scale : float, default 2.0
        Multiplies the initial weights, in [0.1, 10].
    lr : float, default 0.3
        Learning rate of full-batch gradient descent, in [0.001, 10].
    dataset : str, default "circles"
    seed : int, default 0
    layer : int, optional
        The layer shown first (default: the last hidden layer).

    sizes : list of int, optional
        The architecture as every widget takes it, e.g. ``[2, 8, 8, 1]`` for
        two hidden layers of 8 (the same as ``depth=2``).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the labels, messages and
        picture (:mod:`actviz_widgets.i18n`); default: the current language.

    Attributes
    ----------
    net : MLP
    trainer : Trainer
    view : DistributionsView
    layer_dropdown : ipywidgets.Dropdown
        The layer shown (1..L; L is the output).
    step_slider : ipywidgets.IntSlider
        The step outlined (a recorded step; it follows the newest while at the end).
    depth, activation, init, weight_scale, lr, dataset, seed, layer, shown_step, preset
        The settings (assign to change; the controls follow).
    activation_dropdown, init_dropdown, dataset_dropdown, preset_dropdown : ipywidgets.Dropdown
    scale_slider, lr_slider : ipywidgets.FloatLogSlider
    depth_slider : ipywidgets.IntSlider
    """

    TRAIN_STEPS = (10, 100)
    STEPS_PER_FRAME = SNAPSHOT_EVERY

    PRESETS = PRESETS
    # labels, tooltips and option labels: the catalogue's "distributions.<setting>…" keys
    i18n_area = "distributions"
    preset = preset_setting(PRESETS)
    layer = Choice(None, [("", None)], label="", effect="display", width="200px")
    shown_step = Integer(0, 0, 0, step=SNAPSHOT_EVERY, label="", effect="display",
                         width="360px")
    activation = Choice("tanh", ACTIVATION_NAMES, label="", effect="restart", width="190px")
    init = Choice("normal", [("", k) for k in INITS], label="", effect="restart",
                  width="190px")
    weight_scale = Number(2.0, *SCALE_RANGE, step=0.05, log=True, fmt=".3g", label="",
                          effect="restart", width="290px")
    depth = Integer(3, 1, MAX_DEPTH, label="", effect="restart", width="230px")
    lr = Number(0.3, *LR_RANGE, step=0.05, log=True, fmt=".3g", label="", effect="live",
                width="290px")
    dataset = Choice("circles", DATASETS, label="", effect="restart", width="170px")
    seed = Integer(0, 0, MAX_SEED, text=True, label="", effect="restart", width="150px")

    def __init__(self, depth: int = 3, activation: str = "tanh", init: str = "normal",
                 weight_scale: float = 2.0, lr: float = 0.3, dataset: str = "circles",
                 seed: int = 0, layer: int | None = None, sizes=None,
                 language: str | None = None) -> None:
        self._following = True
        if sizes is not None:  # the architecture, as every widget takes it
            depth = depth_of(sizes, WIDTH)
        self.init_settings(dict(depth=depth, activation=activation, init=init,
                                weight_scale=weight_scale, lr=lr, dataset=dataset, seed=seed),
                           language=language)
        self.set_options("layer", self._layer_options(self.depth))
        self.layer = self.depth if layer is None else layer
        self.init_training()
        self.build()
        self.preset_dropdown = self.control("preset")
        self.layer_dropdown = self.control("layer")
        self.step_slider = self.control("shown_step")
        self.activation_dropdown = self.control("activation")
        self.init_dropdown = self.control("init")
        self.scale_slider = self.control("weight_scale")
        self.lr_slider = self.control("lr")
        self.depth_slider = self.control("depth")
        self.dataset_dropdown = self.control("dataset")
        rows = [widgets.HBox(self.training_row() + [self.step_slider]),
                widgets.HBox([self.layer_dropdown, self.preset_dropdown,
                              self.activation_dropdown]),
                widgets.HBox([self.init_dropdown, self.scale_slider, self.depth_slider]),
                widgets.HBox([self.lr_slider, self.dataset_dropdown, self.control("seed")])]
        super().__init__(DistributionsView(language=self.language), rows)
        self.refresh()

    # -- model -----------------------------------------------------------------------------
    def build(self) -> None:
        """A new network and trainer from the settings (assigned only once both exist)."""
        depth = self.depth
        net = MLP([2] + [WIDTH] * depth + [1], activation=self.activation, loss="bce",
                  init=self.init, weight_scale=self.weight_scale, seed=self.seed)
        data = make_dataset(self.dataset, n_samples=200, seed=self.seed)
        trainer = Trainer(net, data, lr=self.lr, seed=self.seed, snapshot_every=SNAPSHOT_EVERY)
        self.net, self.trainer = net, trainer
        self._traces: OrderedDict[int, Trace] = OrderedDict()
        self._saturation: dict[int, np.ndarray] = {}
        with self.hold():
            shown = self.layer
            self.set_options("layer", self._layer_options(depth))
            self.layer = shown if shown is not None and shown <= depth + 1 else depth
            self._follow_training(follow=True)

    def settings_changed(self, names: set[str]) -> None:
        if "shown_step" in names:  # at the newest step, the slider follows training
            self._following = self.shown_step >= self.snapshot_steps[-1]
        super().settings_changed(names)

    @property
    def snapshot_steps(self) -> list[int]:
        """The recorded steps, increasing."""
        return sorted(self.trainer.history.snapshots)

    def trace_at(self, step: int) -> Trace:
        """The forward pass of the training set with the snapshot of ``step`` (cached)."""
        trace = self._traces.get(step)
        if trace is None:
            snapshot = self.trainer.history.snapshots[step]
            trace = snapshot_trace(self.net, snapshot, self.trainer.X_train)
            self._traces[step] = trace
            while len(self._traces) > TRACE_CACHE:
                self._traces.popitem(last=False)
        else:
            self._traces.move_to_end(step)
        return trace

    def saturation_at(self, step: int) -> np.ndarray:
        """Saturated share of each layer's pre-activations at ``step`` (cached)."""
        sat = self._saturation.get(step)
        if sat is None:
            sat = self._saturation[step] = saturated_fraction(self.trace_at(step),
                                                              SATURATION_THRESHOLD)
        return sat

    @property
    def selected_step(self) -> int:
        """The recorded step outlined: the slider's, or the last one before it."""
        steps = self.snapshot_steps
        return steps[max(bisect.bisect_right(steps, self.shown_step) - 1, 0)]

    def ridge_steps(self) -> list[int]:
        """Up to :data:`MAX_RIDGES` recorded steps, evenly spread from 0 to the newest."""
        steps = self.snapshot_steps
        picks = np.unique(np.round(np.linspace(0, len(steps) - 1,
                                               min(len(steps), MAX_RIDGES))).astype(int))
        return [steps[i] for i in picks]

    def after_training(self) -> None:
        """Forget the steps a rewind dropped; move the step slider along."""
        kept = self.trainer.history.snapshots  # thinned on long runs, cut by a rewind
        for cache in (self._traces, self._saturation):
            for step in [s for s in cache if s not in kept]:
                del cache[step]
        self._follow_training(follow=self._following)

    def _follow_training(self, follow: bool) -> None:
        last = self.snapshot_steps[-1]
        with self.hold():
            self.set_range("shown_step", 0, max(last, self.shown_step))
            if follow or self.shown_step > last:
                self.shown_step = last
            self.set_range("shown_step", 0, last)
        self._following = self.shown_step >= last

    def show(self, layer: int | None = None, step: int | None = None) -> None:
        """Show ``layer`` (1..L) and/or the recorded step at or before ``step``."""
        values = {}
        if layer is not None:
            values["layer"] = check_int("layer", layer, minimum=1, maximum=self.net.n_layers)
        if step is not None:
            values["shown_step"] = check_int("step", step, minimum=0,
                                             maximum=self.snapshot_steps[-1])
        self.apply(**values)

    # -- drawing ---------------------------------------------------------------------------
    def panel_values(self, step: int, layer: int) -> dict[str, np.ndarray]:
        """The values each panel histograms at ``step``: ``W`` (into ``layer``), ``z``, ``a``."""
        trace = self.trace_at(step)
        weights = self.trainer.history.snapshots[step].weights[layer - 1]
        return {"W": weights.ravel(), "z": trace.z[layer].ravel(), "a": trace.a[layer].ravel()}

    @property
    def state(self) -> DistributionsState:
        """What the view draws, from the engine's numbers (a read-only snapshot)."""
        layer = self.layer
        act = self.net.activations[layer - 1]
        selected = self.selected_step
        ridges = self.ridge_steps()
        values = {s: self.panel_values(s, layer) for s in {*ridges, selected}}
        ranges, fractions, chosen, beyond = {}, {}, {}, {}
        for key, kind in _KINDS.items():
            lo, hi = display_range(np.concatenate([values[s][key] for s in values]), kind,
                                   act.output_range)
            ranges[key] = (lo, hi)
            # the ridges, then the selected step, in one pass
            shares, below, above = histograms([values[s][key] for s in (*ridges, selected)],
                                              lo, hi, BINS)
            fractions[key], chosen[key] = shares[:-1], shares[-1]
            beyond[key] = float(below[-1] + above[-1])
        steps = self.snapshot_steps
        sat = self.saturation_at(selected)
        h = self.trainer.history
        row = bisect.bisect_left(h.step, selected)
        if row < len(h) and h.step[row] == selected:
            loss = h.train_loss[row]
        else:  # step 0 has no history row
            trace, L = self.trace_at(selected), self.net.n_layers
            loss = float(self.net.loss.value(trace.z[L], trace.a[L], self.trainer.y_train))
        init = f"{self.tr(f'distributions.init.{self.net.init}')} × {self.net.weight_scale:.3g}"
        return DistributionsState(
            layer=layer, n_layers=self.net.n_layers, activation=act.name,
            steps=np.array(ridges), selected=selected, last_step=steps[-1], ranges=ranges,
            fractions=fractions, selected_fractions=chosen, beyond=beyond,
            saturated=float(sat[layer - 1]),
            mean_abs_a=float(np.abs(values[selected]["a"]).mean()),
            sat_steps=np.array(steps, dtype=float),
            sat_history=np.array([self.saturation_at(s) for s in steps]),
            n_samples=self.trainer.n_train, init=init, loss=loss,
            note="" if self.diverged is None else self.tr("distributions.diverged"))

    def update(self) -> None:
        """Draw the chosen layer and step."""
        self.view.update(self.state)

    def _layer_options(self, depth: int) -> list[tuple[str, int]]:
        """The layers a learner can show: hidden 1..depth and the output."""
        return ([(self.tr("distributions.layer.hidden", layer=l), l) for l in range(1, depth + 1)]
                + [(self.tr("distributions.layer.output"), depth + 1)])

    def __repr__(self) -> str:
        return (f"Distributions(depth={self.depth}, activation={self.activation!r}, "
                f"init={self.init!r}, weight_scale={self.weight_scale:.3g}, "
                f"layer={self.layer}, step={self.trainer.step_count})")

