"""Training runs side by side: batch sizes, learning-rate schedules, and the gradient noise.

:class:`TrainingComparison` trains four copies of one network (the same
initial weights, the same data, the same batch order) and draws their loss
curves together, over epochs or over steps: either four batch sizes
(1, 8, 32 and the full batch) with one schedule, or four schedules
(constant, step, cosine, warm-up + cosine) at one batch size.  Beside them:
the learning rate of every step, and the gradient noise ``E‖g_B − g‖²``
against the batch size, measured with the engine at the current weights.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..engine.datasets import make_dataset
from ..engine.minibatch import RunSet, RunSpec, gradient_noise
from ..engine.network import MLP
from ..engine.schedules import make_schedule, scaled_lr
from ..views.comparison import ComparisonState, ComparisonView
from .settings import Choice, Integer, Number
from .training import DATASETS, MAX_SEED, TrainingWidget

__all__ = ["TrainingComparison", "BATCH_SIZES", "SCHEDULE_LABELS", "REFERENCE_BATCH",
           "SIZES", "LR_RANGE", "NOISE_BATCHES"]

#: The batch sizes compared (``None``: the full training set).
BATCH_SIZES = (1, 8, 32, None)
#: The schedules compared: engine name -> what the learner reads.
SCHEDULE_LABELS = {"constant": "constant", "step": "step (× 0.1 at 1/2, 3/4)",
                   "cosine": "cosine", "warmup_cosine": "warm-up + cosine"}
#: The linear scaling rule's reference: the learning rate setting is batch 32's.
REFERENCE_BATCH = 32
#: The network: lesson 7's XOR network (2 inputs, two hidden layers of 4 tanh, a sigmoid).
SIZES = (2, 4, 4, 1)
#: Range of the learning-rate slider.
LR_RANGE = (1e-3, 10.0)
#: Batches sampled per batch size for the measured gradient noise.
NOISE_BATCHES = 64


class TrainingComparison(TrainingWidget):
    """Loss curves of several batch sizes or schedules, from the same initial weights.

    Every run trains a copy of the same network (``MLP([2, 4, 4, 1])``,
    tanh, sigmoid output, binary cross-entropy, weights from ``seed``) on
    the same data (200 points, half for training, noise 0.1, ``seed``) with
    plain gradient descent and the same batch order (``seed``).  "Train n"
    and Play advance every run by whole epochs, so all runs have seen the
    same samples equally often; the x axis shows epochs or steps (an epoch
    of batch size B is ``ceil(N / B)`` steps).  Any setting but the x axis
    starts every run again from the initial weights.

    Parameters
    ----------
    compare : {"batch", "schedule"}, default "batch"
        ``"batch"``: batch sizes 1, 8, 32 and the full batch, each with
        ``schedule``; ``"schedule"``: constant, step, cosine and warm-up +
        cosine, each with ``batch_size``.
    schedule : str, default "constant"
        The schedule of the batch-size runs (a name of
        :data:`SCHEDULE_LABELS`).
    batch_size : int or None, default 8
        The batch size of the schedule runs: 1, 8, 32 or ``None`` (full).
    lr : float, default 0.3
        The peak learning rate, in [0.001, 10].
    scaling : {"none", "linear"}, default "none"
        ``"linear"``: batch size B gets ``lr · B / 32`` (the linear scaling
        rule, with ``lr`` batch 32's learning rate).
    epochs : int, default 20
        The horizon of the schedules and of training, 2..60.
    warmup : int, default 2
        Warm-up epochs of "warm-up + cosine", 1..10 (fewer than ``epochs``
        when that schedule is trained).
    x_axis : {"epochs", "steps"}, default "epochs"
    dataset : str, default "xor"
        A 2-D set of :func:`~actviz_widgets.engine.datasets.make_dataset`.
    seed : int, default 0
        Seed of the weights, the data and the batch order.
    language : str, optional
        ``"en"`` or ``"zh"`` for every label and picture text; default: the
        current language (:func:`actviz_widgets.set_language`).

    Attributes
    ----------
    net : MLP
        The initial network (every run trains its own copy).
    trainer : RunSet
        The runs; ``trainer.trainers[k]`` is run k's engine Trainer.
    runs : tuple of RunSpec
        Labels, batch sizes and schedules, in the picture's order.
    noise : GradientNoise
        The gradient noise drawn (at the noise run's current weights).
    """

    TRAIN_STEPS = (1, 5, 20)
    STEPS_PER_FRAME = 1  # epochs per frame of Play

    # labels, tooltips and option labels: catalogue area "comparison" (locale/*/comparison.json)
    i18n_area = "comparison"

    compare = Choice("batch", [("", "batch"), ("", "schedule")], label="", effect="restart",
                     width="270px")
    schedule = Choice("constant", [("", k) for k in SCHEDULE_LABELS], label="",
                      effect="restart", width="250px")
    batch_size = Choice(8, [("1", 1), ("8", 8), ("32", 32), ("", None)], label="",
                        effect="restart", width="230px")
    lr = Number(0.3, *LR_RANGE, step=0.05, log=True, fmt=".3g", label="", effect="restart",
                width="290px")
    scaling = Choice("none", [("", "none"), ("", "linear")], label="", effect="restart",
                     width="300px")
    epochs = Integer(20, 2, 60, label="", effect="restart", width="250px")
    warmup = Integer(2, 1, 10, label="", effect="restart", width="250px")
    x_axis = Choice("epochs", [("", "epochs"), ("", "steps")], label="", effect="display",
                    width="170px")
    dataset = Choice("xor", DATASETS, label="", effect="restart", width="190px")
    seed = Integer(0, 0, MAX_SEED, text=True, label="", effect="restart", width="150px")

    def __init__(self, compare: str = "batch", schedule: str = "constant",
                 batch_size: int | None = 8, lr: float = 0.3, scaling: str = "none",
                 epochs: int = 20, warmup: int = 2, x_axis: str = "epochs",
                 dataset: str = "xor", seed: int = 0, language: str | None = None) -> None:
        self.init_settings(dict(compare=compare, schedule=schedule, batch_size=batch_size,
                                lr=lr, scaling=scaling, epochs=epochs, warmup=warmup,
                                x_axis=x_axis, dataset=dataset, seed=seed), language=language)
        self.init_training()
        for n, button in self.train_buttons.items():
            one = ".one" if n == 1 else ""
            button.description = self.tr(f"comparison.train{one}", n=n)
            button.tooltip = self.tr(f"comparison.train{one}.help", n=n)
            button.layout.width = "150px"
        self.build()
        self.lr_slider = self.control("lr")
        self.epochs_slider = self.control("epochs")
        self.warmup_slider = self.control("warmup")
        rows = [widgets.HBox(self.training_row()),
                widgets.HBox([self.control("compare"), self.control("schedule"),
                              self.control("batch_size")]),
                widgets.HBox([self.lr_slider, self.control("scaling"),
                              self.control("x_axis")]),
                widgets.HBox([self.epochs_slider, self.warmup_slider,
                              self.control("dataset"), self.control("seed")])]
        super().__init__(ComparisonView(language=self.language), rows)
        self._enable_controls()
        self.refresh()

    def _enable_controls(self) -> None:
        """Grey out what the runs do not use: the other family's setting, an unused warm-up."""
        batch = self.compare == "batch"
        self.controls["schedule"].disabled = not batch
        self.controls["batch_size"].disabled = batch
        self.controls["warmup"].disabled = batch and self.schedule != "warmup_cosine"

    def settings_changed(self, names: set[str]) -> None:
        """Restart or redraw (see :class:`TrainingWidget`), and grey out unused controls."""
        super().settings_changed(names)
        self._enable_controls()

    # -- model -----------------------------------------------------------------------------
    def run_specs(self, n_train: int) -> tuple[RunSpec, ...]:
        """The runs the settings ask for, on a training set of ``n_train`` samples."""
        if self.compare == "batch":
            pairs = [(b, self.schedule) for b in BATCH_SIZES]
        else:
            pairs = [(self.batch_size, name) for name in SCHEDULE_LABELS]
        if any(name == "warmup_cosine" for _, name in pairs) and self.warmup >= self.epochs:
            raise ValueError(self.tr("comparison.warmup_too_long", epochs=self.epochs,
                                     warmup=self.warmup))
        specs = []
        for batch, name in pairs:
            b = n_train if batch is None else min(batch, n_train)
            per_epoch = -(-n_train // b)
            lr = scaled_lr(self.lr, b, REFERENCE_BATCH) if self.scaling == "linear" else self.lr
            schedule = make_schedule(name, lr, self.epochs * per_epoch,
                                     warmup_steps=self.warmup * per_epoch)
            specs.append(RunSpec(self.tr("comparison.run", name=self._run_name(batch, b, name),
                                         lr=f"{lr:.3g}"),
                                 None if batch is None else b, schedule))
        return tuple(specs)

    def _run_name(self, batch: int | None, b: int, schedule: str) -> str:
        """A run's short name: its batch size ("B = 8") or its schedule ("cosine")."""
        if self.compare == "schedule":
            return self.tr(f"comparison.run.{schedule}")
        return self.tr("comparison.run.batch_all" if batch is None else "comparison.run.batch",
                       b=b)

    def build(self) -> None:
        """The network, the data and the runs from the settings, at epoch 0."""
        net = MLP(list(SIZES), activation="tanh", output_activation="sigmoid", loss="bce",
                  seed=self.seed)
        data = make_dataset(self.dataset, n_samples=200, noise=0.1, seed=self.seed)
        runs = self.run_specs(data.n_train)
        trainer = RunSet(net, data, runs, epochs=self.epochs, seed=self.seed)
        self.net, self.data, self.runs, self.trainer = net, data, runs, trainer

    def after_training(self) -> None:
        """Stop playing at the horizon (the schedules end there)."""
        if self.trainer.done and self.playing:
            self.pause()

    @property
    def noise_run(self) -> int:
        """The run whose current weights the noise panel measures: the last one."""
        return len(self.runs) - 1

    # -- drawing ---------------------------------------------------------------------------
    @property
    def state(self) -> ComparisonState:
        """What the view draws, from the engine's numbers (a read-only snapshot)."""
        rs, n = self.trainer, self.trainer.n_train
        steps_unit = self.x_axis == "steps"
        xs, losses, lr_xs, lrs, horizons, sizes, per = [], [], [], [], [], [], []
        for k, t in enumerate(rs.trainers):
            h = t.history
            spe = rs.steps_per_epoch(k)
            scale = 1.0 if steps_unit else 1.0 / spe
            x = np.array([0, *h.step], dtype=float) * scale
            loss = np.array([self._initial_loss, *h.train_loss], dtype=float)
            xs.append(x)
            losses.append(loss)
            lr = rs.learning_rates(k)
            lr_xs.append(np.arange(lr.size, dtype=float) * scale)
            lrs.append(lr)
            horizons.append(float(self.epochs * (spe if steps_unit else 1)))
            sizes.append(n if self.runs[k].batch_size is None else self.runs[k].batch_size)
            per.append(spe)
        noise = self.noise
        return ComparisonState(
            labels=tuple(r.label for r in self.runs), batch_sizes=tuple(sizes),
            steps_per_epoch=tuple(per), x_axis=self.x_axis, epoch=rs.epoch, epochs=self.epochs,
            n_train=n, x=tuple(xs), loss=tuple(losses), lr_x=tuple(lr_xs), lr=tuple(lrs),
            horizon=tuple(horizons),
            diverged=tuple(rs.diverged(k) is not None for k in range(len(self.runs))),
            noise_sizes=noise.batch_sizes, noise_expected=noise.expected,
            noise_measured=noise.measured, noise_run=self._noise_run_name(n),
            full_norm2=noise.full_norm2)

    def _noise_run_name(self, n_train: int) -> str:
        """The short name of the run whose weights the noise panel measures."""
        batch = self.runs[self.noise_run].batch_size
        b = n_train if batch is None else batch
        schedule = list(SCHEDULE_LABELS)[self.noise_run] if self.compare == "schedule" else ""
        return self._run_name(batch, b, schedule)

    @property
    def _initial_loss(self) -> float:
        return self.net.loss_value(self.data.X_train, self.data.y_train)

    @property
    def noise(self):
        """The gradient noise at the noise run's current weights (see :func:`gradient_noise`)."""
        t = self.trainer.trainers[self.noise_run]
        n = t.n_train
        sizes = [b for b in (1, 2, 4, 8, 16, 32, 64) if b < n]
        return gradient_noise(t.net, t.X_train, t.y_train, sizes, n_batches=NOISE_BATCHES,
                              seed=self.seed)

    def update(self) -> None:
        """Draw the runs and the gradient noise."""
        self.view.update(self.state)

    def __repr__(self) -> str:
        return (f"TrainingComparison(compare={self.compare!r}, lr={self.lr:.3g}, "
                f"scaling={self.scaling!r}, epoch={self.trainer.epoch}/{self.epochs})")
