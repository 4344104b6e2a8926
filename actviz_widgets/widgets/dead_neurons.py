"""Dead neurons: watch ReLU units die, and bring them back with leaky ReLU.

A hidden unit is dead when its pre-activation is ≤ 0 for every training
sample: a ReLU unit then outputs 0 and its derivative is 0 everywhere, so no
gradient ever reaches its weights.  A high learning rate or a strongly
negative bias kills units; switching to leaky ReLU (in the middle of
training, keeping the weights) lets the gradient through again.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.activations import get_activation
from ..engine.datasets import make_dataset
from ..engine.diagnostics import active_share, dead_units, no_gradient_units
from ..engine.network import MLP, Trace
from ..engine.training import Trainer
from ..i18n import tr
from ..views.dead_neurons import MAX_HIDDEN, DeadNeuronsState, DeadNeuronsView
from .settings import Choice, Integer, Number
from .training import DATASETS, MAX_SEED, TrainingWidget, depth_of, preset_setting

__all__ = ["DeadNeurons", "PRESETS", "ACTIVATIONS", "LR_RANGE", "BIAS_RANGE"]

#: The activations offered: engine name -> English label (every language's: locale/*/dead.json).
ACTIVATIONS = {name: tr(f"dead.activation.{name}", "en") for name in ("relu", "leaky_relu")}
#: Range of the learning-rate slider.
LR_RANGE = (0.01, 10.0)
#: Range of the initial-bias slider.
BIAS_RANGE = (-3.0, 1.0)
#: Neurons per hidden layer.
WIDTH = 8
#: Presets: name -> (English label, settings). ``train`` steps are taken after a rebuild.
#: The labels shown are the catalogue's ``"dead.preset.<name>"`` in the widget's language.
PRESETS: dict[str, tuple[str, dict]] = {
    name: (tr(f"dead.preset.{name}", "en"), values) for name, values in {
        "kill_lr": {"activation": "relu", "bias": 0.0, "lr": 3.0, "train": 30},
        "kill_bias": {"activation": "relu", "bias": -2.0, "lr": 0.5},
        "revive": {"activation": "leaky_relu", "lr": 1.0},
    }.items()}


class DeadNeurons(TrainingWidget):
    """Count dead ReLU units per layer and over training; kill them and revive them.

    The depth, initial bias and dataset build a new network (seeded) at step
    0. The learning rate applies to the next steps. The activation switch
    keeps the weights and the history: switching to leaky ReLU in the middle
    of training is how dead units are revived (the charts mark the switch).

    Parameters
    ----------
    depth : int, default 3
        Hidden layers, 1..4, of 8 ReLU units (He initialisation).
    activation : {"relu", "leaky_relu"}, default "relu"
    bias : float, default 0.0
        Initial bias of every hidden unit, in [-3, 1].
    lr : float, default 0.5
        Learning rate of full-batch gradient descent, in [0.01, 10].
    dataset : str, default "circles"
        A 2-D set (200 samples, half for training).
    seed : int, default 1
        Seed of the weights and the data (with seed 1, the "kill: learning
        rate 3" preset kills most units, which leaky ReLU then revives).

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
    trace : Trace
        Forward pass of the training set at the current weights.
    loss : float
        Training-set loss at the current weights.
    n_dead, n_no_gradient : int
        Dead hidden units, and those passing no gradient, now.
    dead, no_gradient : list of numpy.ndarray
        Masks per hidden layer: dead units (z ≤ 0 on every sample), and
        units passing no gradient (f′(z) = 0 on every sample).
    switch_step : int or None
        Step of the last activation switch during training.
    view : DeadNeuronsView
    depth, activation, bias, lr, dataset, seed, preset
        The settings (assign to change; the controls follow).
    preset_dropdown : ipywidgets.Dropdown
    activation_toggle : ipywidgets.ToggleButtons
    lr_slider : ipywidgets.FloatLogSlider
    bias_slider : ipywidgets.FloatSlider
    depth_slider : ipywidgets.IntSlider
    dataset_dropdown : ipywidgets.Dropdown
    """

    PRESETS = PRESETS
    # labels, tooltips and option labels: the catalogue's "dead.<setting>…" keys
    i18n_area = "dead"
    preset = preset_setting(PRESETS)
    activation = Choice("relu", [(label, name) for name, label in ACTIVATIONS.items()],
                        label="", widget="toggle", effect="live")
    lr = Number(0.5, *LR_RANGE, step=0.05, log=True, fmt=".3g", label="", effect="live",
                width="290px")
    bias = Number(0.0, *BIAS_RANGE, step=0.1, fmt=".1f", label="", effect="restart",
                  width="260px")
    depth = Integer(3, 1, MAX_HIDDEN, label="", effect="restart", width="230px")
    dataset = Choice("circles", DATASETS, label="", effect="restart", width="170px")
    seed = Integer(1, 0, MAX_SEED, text=True, label="", effect="restart", width="150px")

    def __init__(self, depth: int = 3, activation: str = "relu", bias: float = 0.0,
                 lr: float = 0.5, dataset: str = "circles", seed: int = 1, sizes=None,
                 language: str | None = None) -> None:
        if sizes is not None:  # the architecture, as every widget takes it
            depth = depth_of(sizes, WIDTH)
        self.init_settings(dict(depth=depth, activation=activation, bias=bias, lr=lr,
                                dataset=dataset, seed=seed), language=language)
        self.init_training()
        self.build()
        self.preset_dropdown = self.control("preset")
        self.activation_toggle = self.control("activation")
        self.activation_toggle.style.button_width = "100px"
        self.lr_slider = self.control("lr")
        self.bias_slider = self.control("bias")
        self.depth_slider = self.control("depth")
        self.dataset_dropdown = self.control("dataset")
        rows = [widgets.HBox(self.training_row()),
                widgets.HBox([self.activation_toggle, self.lr_slider, self.preset_dropdown]),
                widgets.HBox([self.bias_slider, self.depth_slider, self.dataset_dropdown,
                              self.control("seed")])]
        super().__init__(DeadNeuronsView(self.net.sizes, language=self.language), rows)
        self.refresh()

    # -- model -----------------------------------------------------------------------------
    def build(self) -> None:
        """A new network and trainer from the settings (assigned only once both exist)."""
        net = MLP([2] + [WIDTH] * self.depth + [1], activation=self.activation, loss="bce",
                  seed=self.seed)
        weights, biases = net.get_params()
        for b in biases[:-1]:
            b.fill(self.bias)
        net.set_params(weights, biases)
        data = make_dataset(self.dataset, n_samples=200, seed=self.seed)
        trainer = Trainer(net, data, lr=self.lr, seed=self.seed, snapshot_every=1_000_000)
        self.net, self.trainer = net, trainer
        self.switch_step: int | None = None
        self._no_gradient_counts: dict[int, float] = {}  # history step -> count
        self._measure()

    def apply_live(self, names: set[str]) -> None:
        """The learning rate applies to the next steps; the activation switches in place."""
        super().apply_live(names)
        if "activation" in names:
            self._use_activation(self.activation)

    def _measure(self) -> None:
        """Dead units, silent units and firing shares at the current weights."""
        t = self.trainer
        self.trace: Trace = self.net.forward(t.X_train)
        self.dead = dead_units(self.trace)
        self.no_gradient = no_gradient_units(self.trace)
        self.active_share = active_share(self.trace)
        self.loss = self.net.loss_value(t.X_train, t.y_train)
        if t.step_count == 0:
            self._start = (self.n_dead, self.n_no_gradient, self.loss)

    @property
    def n_dead(self) -> int:
        """Dead hidden units now."""
        return int(sum(m.sum() for m in self.dead))

    @property
    def n_no_gradient(self) -> int:
        """Hidden units passing no gradient now."""
        return int(sum(m.sum() for m in self.no_gradient))

    def after_training(self) -> None:
        """Measure the new weights; keep the no-gradient count of each history row."""
        self._measure()
        h = self.trainer.history
        counts = self._no_gradient_counts
        kept = set(h.step)  # the history thins itself on long runs: so do the counts
        for step in [k for k in counts if k not in kept]:
            del counts[step]
        if len(h) and h.step[-1] == self.trainer.step_count:
            counts[h.step[-1]] = float(self.n_no_gradient)
        if self.switch_step is not None and self.switch_step > self.trainer.step_count:
            self.switch_step = None  # rewound to before the switch

    def _train(self, steps: int) -> bool:
        # one step at a time, so that every history row gets its no-gradient count
        for _ in range(steps):
            if not super()._train(1):
                return False
        return True

    # -- actions ---------------------------------------------------------------------------
    def set_activation(self, name: str) -> None:
        """Switch every hidden layer to ``name`` ("relu" or "leaky_relu"), keeping the weights.

        Training goes on from the current step; the charts mark the switch.
        """
        self.activation = name

    def _use_activation(self, name: str) -> None:
        """Give the hidden layers activation ``name`` in place."""
        act = get_activation(name)
        if self.net.activations[0] is not act:
            self.net.activations = [act] * (self.net.n_layers - 1) + [self.net.activations[-1]]
            if self.trainer.step_count > 0:
                self.switch_step = self.trainer.step_count
            self._measure()

    # -- drawing ---------------------------------------------------------------------------
    @property
    def state(self) -> DeadNeuronsState:
        """What the view draws, from the engine's numbers (a read-only snapshot)."""
        t, h = self.trainer, self.trainer.history
        widths = np.array(self.net.sizes[1:-1], dtype=float)
        rows = h.as_arrays()
        dead0, silent0, loss0 = self._start
        dead_counts = np.rint(rows["dead_fraction"] * widths).sum(axis=1) if len(h) else []
        slopes = [float(d[:, m].max()) for d, m in zip(self.trace.dadz[1:-1], self.dead)
                  if m.any()]
        acc = h.train_acc[-1] if t.classification and len(h) else None
        note = "" if self.diverged is None else self.tr("dead.diverged")
        silent = [self._no_gradient_counts.get(k, np.nan) for k in h.step]
        # The series end with the current weights' values: after an activation switch
        # they differ from the last row's (recorded before the switch) at the same step.
        return DeadNeuronsState(
            sizes=list(self.net.sizes), activations=self.net.activation_names,
            step=t.step_count, loss=float(self.loss), accuracy=acc,
            active_share=self.active_share, dead=self.dead, no_gradient=self.no_gradient,
            negative_slope=max(slopes, default=0.0),
            steps=np.concatenate([[0], rows["step"], [t.step_count]]).astype(float),
            dead_counts=np.concatenate([[dead0], dead_counts, [self.n_dead]]),
            no_gradient_counts=np.concatenate([[silent0], silent, [self.n_no_gradient]]),
            losses=np.concatenate([[loss0], rows["train_loss"], [self.loss]]),
            switch_step=self.switch_step, n_samples=t.n_train, note=note)

    def update(self) -> None:
        """Draw the current state and the history."""
        self.view.update(self.state)

    def __repr__(self) -> str:
        return (f"DeadNeurons(depth={self.depth}, activation={self.activation!r}, "
                f"bias={self.bias:.1f}, lr={self.lr:.3g}, step={self.trainer.step_count}, "
                f"dead={self.n_dead})")
