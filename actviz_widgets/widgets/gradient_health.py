"""Gradient health: make gradients vanish, explode, and fix them.

Per-layer gradient norms ‖δ_l‖ and ‖∂L/∂W_l‖ on a log scale, as bars for the
current weights and as curves over the training steps, beside a network
diagram whose neurons show their mean |δ|.  Depth, activation, initialiser
and initial weight scale are controls, so a learner can make gradients vanish
(deep sigmoid), explode (ReLU with a large scale) and fix them (ReLU with He).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES
from ..engine.datasets import make_dataset
from ..engine.diagnostics import (
    dead_fraction,
    gradient_flow,
    gradient_norms,
    neuron_delta,
)
from ..engine.network import MLP
from ..engine.training import Trainer
from ..views.gradient_health import MAX_LAYERS, GradientHealthState, GradientHealthView
from .settings import Choice, Integer, Number
from .training import DATASETS, MAX_SEED, TrainingWidget, depth_of, preset_setting

__all__ = ["GradientHealth", "PRESETS", "INIT_LABELS", "SCALE_RANGE", "LR_RANGE", "MAX_DEPTH"]

#: Most hidden layers.
MAX_DEPTH = MAX_LAYERS - 1
#: Range of the initial-weight-scale slider.
SCALE_RANGE = (0.1, 10.0)
#: Range of the learning-rate slider.
LR_RANGE = (1e-3, 10.0)
#: Neurons per hidden layer.
WIDTH = 8
#: Initialisers offered: engine name -> what the learner reads.
INIT_LABELS = {"xavier": "Xavier", "he": "He", "normal": "plain N(0, 1)"}
#: Ready-made settings: name -> (label, depth, activation, init, weight scale).
PRESETS: dict[str, tuple[str, dict]] = {
    "vanishing": ("vanish: 10 sigmoid layers, Xavier",
                  dict(depth=10, activation="sigmoid", init="xavier", weight_scale=1.0)),
    "exploding": ("explode: 10 ReLU layers, He × 2",
                  dict(depth=10, activation="relu", init="he", weight_scale=2.0)),
    "fixed": ("fix: 10 ReLU layers, He × 1",
              dict(depth=10, activation="relu", init="he", weight_scale=1.0)),
}


class GradientHealth(TrainingWidget):
    """Per-layer gradient norms now and over training, for a network you configure.

    Changing the depth, activation, initialiser, weight scale or dataset
    builds a new network (seeded, so the same settings give the same
    picture) and starts training from step 0; the learning rate applies to
    the next steps.  "Train n" buttons take ``n`` full-batch gradient steps.

    Parameters
    ----------
    depth : int, default 6
        Hidden layers, 1..10 (8 neurons each).
    activation : str, default "sigmoid"
        Activation of the hidden layers (the output is a sigmoid with the
        binary cross-entropy loss).
    init : {"xavier", "he", "normal"}, default "xavier"
        Initialiser; ``normal`` is plain N(0, 1) times the scale.
    weight_scale : float, default 1.0
        Multiplies every initial weight, in [0.1, 10].
    lr : float, default 0.5
        Learning rate of plain gradient descent, in [0.001, 10].
    dataset : str, default "circles"
        A 2-D set of :func:`~actviz_widgets.engine.datasets.make_dataset`
        (200 samples, half for training).
    seed : int, default 0
        Seed of the weights and the data.

    sizes : list of int, optional
        The architecture as every widget takes it, e.g. ``[2, 8, 8, 1]`` for
        two hidden layers of 8 (the same as ``depth=2``).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the controls, the picture and the
        messages. Default: :func:`actviz_widgets.get_language`.

    Attributes
    ----------
    net : MLP
    trainer : Trainer
    trace : Trace
        Forward pass of the training set at the current weights.
    grads : Gradients
        Its backward pass (the gradients the bars show).
    view : GradientHealthView
    preset : ipywidgets.Dropdown
    depth_slider : ipywidgets.IntSlider
    activation_dropdown, init_dropdown, dataset_dropdown : ipywidgets.Dropdown
    scale_slider, lr_slider : ipywidgets.FloatLogSlider
    train_buttons : dict of int to ipywidgets.Button
        ``{1: …, 10: …, 100: …}``: train that many steps.
    reset_button : ipywidgets.Button
        Back to step 0 (the same initial weights).
    """

    PRESETS = PRESETS
    i18n_area = "health"
    preset = preset_setting(PRESETS)
    depth = Integer(6, 1, MAX_DEPTH, label="", effect="restart", width="250px")
    activation = Choice("sigmoid", ACTIVATION_NAMES, label="", effect="restart",
                        width="190px")
    init = Choice("xavier", [(v, k) for k, v in INIT_LABELS.items()], label="",
                  effect="restart", width="190px")
    weight_scale = Number(1.0, *SCALE_RANGE, step=0.05, log=True, fmt=".3g",
                          label="", effect="restart", width="290px")
    dataset = Choice("circles", DATASETS, label="", effect="restart", width="190px")
    lr = Number(0.5, *LR_RANGE, step=0.05, log=True, fmt=".3g", label="",
                effect="live", width="290px")
    seed = Integer(0, 0, MAX_SEED, text=True, label="", effect="restart", width="150px")

    def __init__(self, depth: int = 6, activation: str = "sigmoid", init: str = "xavier",
                 weight_scale: float = 1.0, lr: float = 0.5, dataset: str = "circles",
                 seed: int = 0, sizes=None, language: str | None = None) -> None:
        if sizes is not None:  # the architecture, as every widget takes it
            depth = depth_of(sizes, WIDTH)
        self.init_settings(dict(depth=depth, activation=activation, init=init,
                                weight_scale=weight_scale, lr=lr, dataset=dataset, seed=seed),
                           language=language)
        self.init_training()
        self.build()
        self.preset_dropdown = self.control("preset")
        self.depth_slider = self.control("depth")
        self.activation_dropdown = self.control("activation")
        self.init_dropdown = self.control("init")
        self.scale_slider = self.control("weight_scale")
        self.lr_slider = self.control("lr")
        self.dataset_dropdown = self.control("dataset")
        rows = [widgets.HBox(self.training_row()),
                widgets.HBox([self.preset_dropdown, self.depth_slider, self.activation_dropdown,
                              self.init_dropdown]),
                widgets.HBox([self.scale_slider, self.dataset_dropdown, self.lr_slider,
                              self.control("seed")])]
        super().__init__(GradientHealthView(self.net.sizes, language=self.language), rows)
        self.refresh()

    # -- model -----------------------------------------------------------------------------
    def build(self) -> None:
        """A new network and trainer from the settings (assigned only once both exist)."""
        net = MLP([2] + [WIDTH] * self.depth + [1], activation=self.activation, loss="bce",
                  init=self.init, weight_scale=self.weight_scale, seed=self.seed)
        data = make_dataset(self.dataset, n_samples=200, seed=self.seed)
        trainer = Trainer(net, data, lr=self.lr, seed=self.seed, snapshot_every=1_000_000)
        self.net, self.trainer = net, trainer
        self._measure()

    def _measure(self) -> None:
        """The forward and backward pass of the training set at the current weights."""
        t = self.trainer
        # Large scales may overflow on purpose; the verdict reports non-finite norms.
        with np.errstate(all="ignore"):
            self.trace = self.net.forward(t.X_train)
            self.grads = self.net.backward(self.trace, t.y_train)

    def after_training(self) -> None:
        """Measure the gradients at the new weights."""
        self._measure()

    def divergence_message(self, exc) -> str:
        """Name the weight scale when it, not the learning rate, is the likely cause."""
        text = super().divergence_message(exc)
        advice = self.tr("training.diverged.advice")
        if self.weight_scale > 1 and text.endswith(advice):
            text = text.removesuffix(advice) + self.tr("health.diverged.scale",
                                                       scale=f"{self.weight_scale:g}")
        return text

    # -- drawing ---------------------------------------------------------------------------
    @property
    def state(self) -> GradientHealthState:
        """What the view draws, from the engine's numbers (a read-only snapshot)."""
        t, g = self.trainer, self.grads
        delta, weight = gradient_norms(g)
        ratio, verdict = gradient_flow(delta)
        h = t.history.as_arrays()
        # Row k holds the gradient step k applied, measured at the weights after step
        # k - 1 (full batch): drawn at x = k - 1, followed by the current weights' norms.
        steps = np.append(h["step"] - 1, t.step_count).astype(float)
        hist_delta = np.vstack([h["grad_norm_delta"], delta])
        hist_weight = np.vstack([h["grad_norm_W"], weight])
        L = self.net.n_layers
        # the last row is measured at the current weights (none yet at step 0)
        acc = t.history.train_acc[-1] if t.classification and len(t.history) else None
        init_names = {value: label for label, value in self.localized_spec("init").options}
        init = self.tr("health.init_text", init=init_names[self.net.init],
                       scale=f"{self.net.weight_scale:.3g}")
        notes = [] if self.diverged is None else [self.tr("health.note.diverged")]
        if verdict == "no gradient":
            dead = np.flatnonzero(dead_fraction(self.trace) == 1.0) + 1
            if dead.size:
                notes.append(self.tr("health.note.dead", layer=int(dead[0])))
        note = self.tr("health.note.separator").join(notes)
        return GradientHealthState(
            sizes=list(self.net.sizes), activation=self.net.activations[0].name, init=init,
            step=t.step_count, loss=float(g.loss), accuracy=acc, neuron_delta=neuron_delta(g),
            delta_norms=delta, weight_norms=weight, verdict=verdict, ratio=ratio, steps=steps,
            history_delta=hist_delta.reshape(-1, L), history_weight=hist_weight.reshape(-1, L),
            n_samples=t.n_train, note=note)

    def update(self) -> None:
        """Draw the current weights' gradients and the history."""
        self.view.update(self.state)

    def __repr__(self) -> str:
        return (f"GradientHealth(depth={self.depth}, activation={self.activation!r}, "
                f"init={self.init!r}, weight_scale={self.weight_scale:.3g}, "
                f"step={self.trainer.step_count})")
