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
from ..engine.validation import check_choice, check_int
from ..views.distributions import (
    BINS,
    MAX_LAYERS,
    MAX_RIDGES,
    DistributionsState,
    DistributionsView,
    display_range,
)
from .gradient_health import INIT_LABELS
from .training import (
    DATASETS,
    NO_PRESET,
    TrainingWidget,
    check_slider_value,
    log_slider,
)

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
#: Ready-made settings: name -> (label, activation, init, weight scale).
PRESETS: dict[str, tuple[str, str, str, float]] = {
    "saturated": ("saturate: tanh, plain N(0, 1) × 3", "tanh", "normal", 3.0),
    "healthy": ("healthy: tanh, Xavier", "tanh", "xavier", 1.0),
    "sigmoid": ("sigmoid, plain N(0, 1) × 2", "sigmoid", "normal", 2.0),
    "relu": ("ReLU, He", "relu", "he", 1.0),
}
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

    Attributes
    ----------
    net : MLP
    trainer : Trainer
    view : DistributionsView
    layer_dropdown : ipywidgets.Dropdown
        The layer shown (1..L; L is the output).
    step_slider : ipywidgets.IntSlider
        The step outlined (a recorded step; it follows the newest while at the end).
    activation_dropdown, init_dropdown, dataset_dropdown, preset : ipywidgets.Dropdown
    scale_slider, lr_slider : ipywidgets.FloatLogSlider
    depth_slider : ipywidgets.IntSlider
    """

    TRAIN_STEPS = (10, 100)
    STEPS_PER_FRAME = SNAPSHOT_EVERY

    def __init__(self, depth: int = 3, activation: str = "tanh", init: str = "normal",
                 weight_scale: float = 2.0, lr: float = 0.3, dataset: str = "circles",
                 seed: int = 0, layer: int | None = None) -> None:
        depth = check_int("depth", depth, minimum=1, maximum=MAX_DEPTH)
        activation = check_choice("activation", activation, ACTIVATION_NAMES)
        init = check_choice("init", init, INIT_LABELS)
        weight_scale = check_slider_value("weight_scale", weight_scale, SCALE_RANGE)
        lr = check_slider_value("lr", lr, LR_RANGE)
        dataset = check_choice("dataset", dataset, DATASETS)
        layer = depth if layer is None else check_int("layer", layer, minimum=1,
                                                      maximum=depth + 1)
        self.seed = check_int("seed", seed, minimum=0)
        style = {"description_width": "initial"}
        lay = widgets.Layout
        self.preset = widgets.Dropdown(
            options=[("choose a preset…", NO_PRESET)] + [(p[0], k) for k, p in PRESETS.items()],
            value=NO_PRESET, description="preset", style=style, layout=lay(width="300px"))
        self.layer_dropdown = widgets.Dropdown(options=_layer_options(depth), value=layer,
                                               description="show layer", style=style,
                                               layout=lay(width="200px"))
        self.step_slider = widgets.IntSlider(value=0, min=0, max=0, step=SNAPSHOT_EVERY,
                                             description="step", style=style,
                                             layout=lay(width="360px"))
        self.activation_dropdown = widgets.Dropdown(options=list(ACTIVATION_NAMES),
                                                    value=activation, description="activation",
                                                    style=style, layout=lay(width="190px"))
        self.init_dropdown = widgets.Dropdown(options=[(v, k) for k, v in INIT_LABELS.items()],
                                              value=init, description="init", style=style,
                                              layout=lay(width="190px"))
        self.scale_slider = log_slider("weight scale", weight_scale, SCALE_RANGE, style)
        self.lr_slider = log_slider("learning rate", lr, LR_RANGE, style)
        self.depth_slider = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH,
                                              description="hidden layers", style=style,
                                              layout=lay(width="230px"))
        self.dataset_dropdown = widgets.Dropdown(options=list(DATASETS), value=dataset,
                                                 description="data", style=style,
                                                 layout=lay(width="170px"))
        self.init_training()
        self._build()
        rows = [widgets.HBox(self.training_row() + [self.step_slider]),
                widgets.HBox([self.layer_dropdown, self.preset, self.activation_dropdown]),
                widgets.HBox([self.init_dropdown, self.scale_slider, self.depth_slider]),
                widgets.HBox([self.lr_slider, self.dataset_dropdown])]
        super().__init__(DistributionsView(), rows)
        for control in (self.activation_dropdown, self.init_dropdown, self.scale_slider,
                        self.depth_slider, self.dataset_dropdown):
            self.watch_locked(control, self._rebuild)
        self.watch_locked(self.lr_slider, self._set_lr)
        self.watch_locked(self.preset, self._on_preset)
        for control in (self.layer_dropdown, self.step_slider):
            self.watch_locked(control, self._redraw)
        self.connect_training()
        self.refresh()

    # -- model -----------------------------------------------------------------------------
    def _build(self) -> None:
        """A new network and trainer from the controls (assigned only once both exist)."""
        depth = self.depth_slider.value
        net = MLP([2] + [WIDTH] * depth + [1], activation=self.activation_dropdown.value,
                  loss="bce", init=self.init_dropdown.value,
                  weight_scale=float(self.scale_slider.value), seed=self.seed)
        data = make_dataset(self.dataset_dropdown.value, n_samples=200, seed=self.seed)
        trainer = Trainer(net, data, lr=float(self.lr_slider.value), seed=self.seed,
                          snapshot_every=SNAPSHOT_EVERY)
        self.net, self.trainer, self.diverged = net, trainer, None
        self._traces: OrderedDict[int, Trace] = OrderedDict()
        self._saturation: dict[int, np.ndarray] = {}
        self._quiet += 1
        try:
            shown = self.layer_dropdown.value
            self.layer_dropdown.options = _layer_options(depth)  # (resets the value)
            self.layer_dropdown.value = shown if shown is not None and shown <= depth + 1 \
                else depth
            self._sync_slider(follow=True)
        finally:
            self._quiet -= 1

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
        return steps[max(bisect.bisect_right(steps, self.step_slider.value) - 1, 0)]

    def ridge_steps(self) -> list[int]:
        """Up to :data:`MAX_RIDGES` recorded steps, evenly spread from 0 to the newest."""
        steps = self.snapshot_steps
        picks = np.unique(np.round(np.linspace(0, len(steps) - 1,
                                               min(len(steps), MAX_RIDGES))).astype(int))
        return [steps[i] for i in picks]

    def after_training(self) -> None:
        """Forget the steps a rewind dropped; move the slider along."""
        now = self.trainer.step_count
        for cache in (self._traces, self._saturation):
            for step in [s for s in cache if s > now]:
                del cache[step]
        self._quiet += 1
        try:
            self._sync_slider(follow=self._following)
        finally:
            self._quiet -= 1

    def _sync_slider(self, follow: bool) -> None:
        last = self.snapshot_steps[-1]
        slider = self.step_slider
        slider.max = max(last, 0)
        if follow or slider.value > last:
            slider.value = last
        self._following = slider.value >= last

    def _rebuild(self) -> None:
        self._build()
        self._clear_preset()
        self.refresh()

    def _set_lr(self) -> None:
        self.trainer.lr = float(self.lr_slider.value)
        self._clear_preset()
        if not self.playing:
            self.refresh()

    def _redraw(self) -> None:
        self._following = self.step_slider.value >= self.snapshot_steps[-1]
        if not self.playing:
            self.refresh()



    # -- actions ---------------------------------------------------------------------------
    def apply_preset(self, name: str) -> None:
        """Set activation, initialiser and weight scale to a preset of :data:`PRESETS`."""
        name = check_choice("preset", name, PRESETS)
        _, activation, init, scale = PRESETS[name]
        with self.player.lock:
            self._quiet += 1
            try:
                self.preset.value = name
                self.activation_dropdown.value = activation
                self.init_dropdown.value = init
                self.scale_slider.value = scale
            finally:
                self._quiet -= 1
            self._build()
            self.refresh()

    def show(self, layer: int | None = None, step: int | None = None) -> None:
        """Show ``layer`` (1..L) and/or the recorded step at or before ``step``."""
        with self.batch():
            if layer is not None:
                self.layer_dropdown.value = check_int("layer", layer, minimum=1,
                                                      maximum=self.net.n_layers)
            if step is not None:
                self.step_slider.value = check_int("step", step, minimum=0,
                                                   maximum=self.step_slider.max)

    # -- drawing ---------------------------------------------------------------------------
    def panel_values(self, step: int, layer: int) -> dict[str, np.ndarray]:
        """The values each panel histograms at ``step``: ``W`` (into ``layer``), ``z``, ``a``."""
        trace = self.trace_at(step)
        weights = self.trainer.history.snapshots[step].weights[layer - 1]
        return {"W": weights.ravel(), "z": trace.z[layer].ravel(), "a": trace.a[layer].ravel()}

    def state(self) -> DistributionsState:
        """What the view draws, from the engine's numbers."""
        layer = self.layer_dropdown.value
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
        init = f"{INIT_LABELS[self.net.init]} × {self.net.weight_scale:.3g}"
        return DistributionsState(
            layer=layer, n_layers=self.net.n_layers, activation=act.name,
            steps=np.array(ridges), selected=selected, last_step=steps[-1], ranges=ranges,
            fractions=fractions, selected_fractions=chosen, beyond=beyond,
            saturated=float(sat[layer - 1]),
            mean_abs_a=float(np.abs(values[selected]["a"]).mean()),
            sat_steps=np.array(steps, dtype=float),
            sat_history=np.array([self.saturation_at(s) for s in steps]),
            n_samples=self.trainer.n_train, init=init, loss=loss,
            note="" if self.diverged is None else "training stopped: it diverged (see below)")

    def update(self) -> None:
        """Draw the chosen layer and step."""
        self.view.update(self.state())

    def __repr__(self) -> str:
        return (f"Distributions(depth={self.depth_slider.value}, "
                f"activation={self.activation_dropdown.value!r}, "
                f"init={self.init_dropdown.value!r}, weight_scale={self.scale_slider.value:.3g}, "
                f"layer={self.layer_dropdown.value}, step={self.trainer.step_count})")


def _layer_options(depth: int) -> list[tuple[str, int]]:
    return [(f"hidden {l}", l) for l in range(1, depth + 1)] + [("output", depth + 1)]
