"""The training playground: train a small network on a toy dataset and watch it learn.

Everything TensorFlow Playground shows (dataset, architecture, activation,
learning rate, batch size, L2; the output over the plane with the decision
boundary, a heatmap for every hidden neuron, weights on the edges, train
and test loss), plus what it computes and never draws: each neuron's mean
``|δ|`` (the gradient overlay). A history scrubber shows the network at any
recorded step, and the state can be saved and handed to a class.  The
learner's own data (``dataset=(X, y)`` or a CSV file) take the place of the
built-in sets, scaled as they are (:mod:`~actviz_widgets.engine.user_data`);
in the page each neuron and edge of the picture answers a hover with its
numbers (:meth:`Playground.frame_regions`); Branch opens a second run from the
step shown with one setting changed (:meth:`Playground.branch`).  Every text
is in the catalogue area ``playground`` (English and Chinese).

All the maths is the engine's: :class:`~actviz_widgets.engine.training.Trainer`
trains (and keeps a bounded, thinned history of snapshots),
:func:`~actviz_widgets.engine.grid.grid_field` gives every neuron's output
over the plane in one batched forward pass, ``MLP.backward`` the δ.

The settings are declared once, below, as traits (:mod:`.settings`): a
change of the data, the architecture, the activation, the loss, the
optimiser, the weights seed or the steps per frame restarts training at
step 0; the learning rate, batch size and L2 strength apply to the running
training; the two display switches only redraw.  Play, Step, Reset and New
weights are those of every training widget (:class:`~.training.TrainingWidget`):
Play runs frames (``steps_per_frame`` steps, then a redraw) as an asyncio
task on the kernel's event loop, so a control moved while it plays applies
before the next frame; :meth:`Playground.run_frames` runs the same frames
synchronously.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets

from ..engine.activations import ACTIVATION_NAMES
from ..engine.datasets import DATASET_NAMES, Dataset, make_dataset
from ..engine.grid import GridField, grid_field
from ..engine.network import MLP
from ..engine.optimizers import OPTIMIZER_NAMES
from ..engine.serialization import load_network, save_network
from ..engine.training import Trainer
from ..engine.user_data import USER_DATASET, UserData, load_user_data
from ..engine.validation import check_int
from ..views.playground import PlaygroundView
from ..views.text import fmt
from .settings import Choice, Flag, Integer, Number
from .training import MAX_SEED, TrainingWidget, hidden_of

__all__ = [
    "ALL",
    "BATCH_CHOICES",
    "L2_CHOICES",
    "LR_RANGE",
    "MAX_USER_SAMPLES",
    "NOISE_RANGE",
    "PLANE",
    "STATE_FORMAT",
    "USER_DATASET",
    "Playground",
    "PlaygroundState",
    "check_settings",
]

#: ``extra["widget"]`` of a saved playground state.
STATE_FORMAT = "actviz_widgets.Playground"
#: Version written by :meth:`Playground.save_state` (2: the display switches are
#: saved too, and the whole-set batch is ``"all"``; 3: the learner's own data is
#: saved with the state); versions 1 and 2 still load.
STATE_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
#: Most samples of the learner's own data (the samples setting's largest value).
MAX_USER_SAMPLES = 2000
#: While Play runs, the history slider follows the step drawn at most this often
#: (at every frame again once play ends); the picture's title names every step.
SCRUBBER_WHILE_PLAYING_S = 0.25
MAX_LAYERS = 6
MAX_NEURONS = 8
#: The L2 strengths offered.
L2_CHOICES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
#: The batch size meaning "the whole training set" (``None`` is accepted for it too).
ALL = "all"
#: Batch sizes offered.
BATCH_CHOICES = (1, 2, 5, 10, 20, 50, ALL)
#: Range of the learning-rate slider.
LR_RANGE = (1e-4, 10.0)
#: Range of the noise slider (the engine takes more, but beyond 0.5 the sets are mostly noise).
NOISE_RANGE = (0.0, 0.5)
#: Half-width of the plane drawn (the data lie in about [-1, 1]).
PLANE = 1.4
#: The losses each kind of dataset allows.
_CLASS_LOSSES = ("bce", "mse")
_SINE_LOSSES = ("mse",)


class _OnStep(Integer):
    """An integer setting that must also lie on its slider's grid (``low + k·step``).

    A value between two grid points would be snapped by the slider in the
    page, so that page and kernel would disagree: it is refused instead.
    """

    def validate(self, obj: Any, value: Any) -> int:
        number = super().validate(obj, value)
        low, step = int(self.spec.low), int(self.spec.step)
        if (number - low) % step:
            raise ValueError(f"{self.name} must be a multiple of {step} between "
                             f"{self.spec.low:g} and {self.spec.high:g}; got {value!r}")
        return number


class _Dataset(Choice):
    """The dataset choice: a built-in set's name, or :data:`USER_DATASET` once data is given."""

    def validate(self, obj: Any, value: Any) -> Any:
        if (obj is not None and isinstance(value, str) and value.strip().lower() == USER_DATASET
                and getattr(obj, "user_data", None) is None):
            raise ValueError(f"dataset {value!r} (your data) needs data first: "
                             "Playground(dataset=(X, y)) or Playground(dataset='file.csv'), "
                             "or pg.use_data(...)")
        try:
            return super().validate(obj, value)
        except ValueError as exc:
            raise ValueError(f"{exc} (or your own data: a pair (X, y) or a CSV file's "
                             "path)") from None


class _BatchSize(Choice):
    """The batch-size choice; ``None`` (the engine's "whole set") is read as :data:`ALL`.

    (A selection slider cannot hold ``None``, so the setting's value for the
    whole set is the string ``"all"``.)
    """

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, ALL if value is None else value)


class _Scrubber(widgets.IntSlider):
    """The history slider.  While Play runs, its value follows the step drawn only now
    and then, so a learner may send the very value it holds (a change traitlets would
    not report): that value goes to :attr:`on_same_value`."""

    on_same_value: Any = None

    def set_state(self, sync_data: dict) -> None:
        before = self.value
        super().set_state(sync_data)
        if "value" in sync_data and self.value == before and self.on_same_value is not None:
            self.on_same_value({"new": self.value})


@dataclass(frozen=True, eq=False)
class PlaygroundState:
    """What the playground draws (a read-only snapshot; arrays are not writeable).

    Attributes
    ----------
    step : int
        The step drawn (the live step, or the history step viewed).
    epoch : float
        Epochs of training at that step (fractional within an epoch).
    live : bool
        False while a history step is viewed.
    settings : Mapping
        Every setting (read-only).
    sizes : tuple of int
        Layer sizes, input first.
    measured_at : int or None
        The step whose losses and accuracies are given: the last history row
        at or before ``step`` (``None`` before the first row).
    train_loss, test_loss, train_acc, test_acc : float or None
        Measured on the whole training / test set at ``measured_at``.
    field : GridField
        Every neuron's output over the grid, for the network drawn.
    weights, biases : tuple of numpy.ndarray
        The network drawn.
    grad : tuple of numpy.ndarray or None
        Each neuron's mean ``|δ|`` (layers 1..L) when the overlay is on.
    title, subtitle, status : str
        The texts drawn.
    diverged : str or None
        Why training last stopped, if it diverged.
    """

    step: int
    epoch: float
    live: bool
    settings: Mapping[str, Any]
    sizes: tuple
    measured_at: int | None
    train_loss: float | None
    test_loss: float | None
    train_acc: float | None
    test_acc: float | None
    field: GridField
    weights: tuple
    biases: tuple
    grad: tuple | None
    title: str
    subtitle: str
    status: str
    diverged: str | None


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def check_settings(settings: Mapping) -> dict:
    """Validate playground settings (as :meth:`Playground.settings` gives them).

    Every training setting must be there; the display settings may be.
    Each value is checked by its declaration (type, range, options), and the
    sine set takes only the ``mse`` loss.

    Returns
    -------
    dict
        The settings, normalised, in declaration order.

    Raises
    ------
    TypeError, ValueError
        Naming the first bad setting.
    """
    if not isinstance(settings, Mapping):
        raise TypeError(f"settings must be a dict; got {type(settings).__name__}")
    names = Playground.setting_names()
    required = [n for n in names if Playground.setting_spec(n).effect != "display"]
    missing = sorted(set(required) - set(settings))
    unknown = sorted(set(settings) - set(names), key=str)
    if missing or unknown:
        raise ValueError(f"settings must have the keys {required} (and may have "
                         f"{sorted(set(names) - set(required))}); missing {missing}, "
                         f"unknown {unknown}")
    traits = Playground.class_traits()
    out = {name: traits[name].validate(None, settings[name]) for name in names
           if name in settings}
    # (the learner's data may be either kind: its loss is checked once the data is known)
    if out["dataset"] != USER_DATASET and out["loss"] not in _losses(out["dataset"] == "sine"):
        raise ValueError(f"loss must be 'mse' for the sine set (it is regression); "
                         f"got {settings['loss']!r}")
    return out


def _losses(regression: bool) -> tuple[str, ...]:
    return _SINE_LOSSES if regression else _CLASS_LOSSES


def _extent(regression: bool) -> tuple:
    return (-1.2, 1.2) if regression else (-PLANE, PLANE, -PLANE, PLANE)


def _is_regression(dataset: str, user: UserData | None) -> bool:
    """Whether ``dataset`` (a setting's value) is a regression set (one input)."""
    if dataset == USER_DATASET:
        return user is not None and user.task == "regression"
    return dataset == "sine"


#: The keys of a region that are coordinates in CSS px.
_COORDINATES = frozenset(("x", "y", "r", "x0", "y0", "x1", "y1", "width"))


def _is_path(value: Any) -> bool:
    """A CSV path rather than a dataset's name (a name has no dot and no slash)."""
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and ("." in value or "/" in value or os.sep in value)


class Playground(TrainingWidget):
    """Train a small network on a 2-D toy set (or the sine curve) and watch it learn.

    Parameters
    ----------
    dataset : str or (X, y) or path, default "xor"
        A built-in set: "xor", "circles", "moons", "spiral", "gaussian" (2-D
        classification) or "sine" (1-D regression). Or the learner's own data:
        a pair ``(X, y)`` or the path of a CSV file, either two features with
        two-valued labels (classification: 0/1 as given; -1/+1, or any two values
        such as two texts, mapped to 0/1 in sorted order, and the note says so) or
        one feature with real targets (regression). Every column (and a
        regression target) is scaled to [-1, 1] by ``(x − center) / scale``, shown
        on the picture's axes; see
        :func:`~actviz_widgets.engine.user_data.load_user_data` for the checks
        (at least 10 samples, at most :data:`MAX_USER_SAMPLES`, no NaN...).
        The dataset menu then offers "your data"; the data survive Reset, a
        change of network and :meth:`save_state`/:meth:`load_state`.
    noise : float, default 0.1
        In [0, 0.5]; the dataset's noise (input jitter, or target noise for sine).
    train_percent : int, default 50
        Share of the samples used for training: 10, 20, ..., 90; the rest is
        the test set.
    hidden_layers : int, default 2
        0..6.
    neurons : int, default 4
        Neurons per hidden layer, 1..8.
    activation : str, default "tanh"
        Of the hidden layers (the output is a sigmoid, or linear for sine).
    loss : {"bce", "mse"}, default "bce"
        For sine, only "mse" (given "bce", sine uses "mse").
    optimizer : {"sgd", "momentum", "adam"}, default "sgd"
    lr : float, default 0.3
        Learning rate in [1e-4, 10].
    batch_size : int or "all" or None, default 10
        One of :data:`BATCH_CHOICES`; ``"all"`` (or ``None``) is the whole
        training set.
    l2 : float, default 0.0
        One of :data:`L2_CHOICES`.
    seed : int, default 0
        Seed of the initial weights and of the batch order, 0..10⁶; New
        weights adds one.
    n_samples : int, default 200
        10..2000.
    data_seed : int, default 0
        Seed of the dataset.
    steps_per_frame : int, default 5
        Training steps per frame of Play (and per Step click), 1..1000; the
        history keeps a row and a snapshot every frame (so a change restarts
        training).
    fps : float, default 25
        Most frames per second while playing (the page shows what it can of
        them and the kernel skips drawing the rest, see :mod:`.receipts`).
    show_gradients : bool, default False
        Start with the gradient overlay on.
    grid_n : int, default 40
        Grid points per axis of the heatmaps.
    max_snapshots : int, optional
        Most history snapshots kept (the engine thins them evenly beyond);
        by default the engine's bound for the network's size.
    show_test : bool, default True
        Draw the test points.
    sizes : list of int, optional
        The architecture as every widget takes it, e.g. ``[2, 4, 4, 1]`` (the
        same as ``hidden_layers=2, neurons=4``).
    task : {"classification", "regression"}, optional
        Only with the learner's own data: the task it is meant for, checked
        against its number of features (2: classification, 1: regression);
        by default inferred from it.
    language : {"en", "zh"}, optional
        Of every label, message and picture text; default the current
        language (:func:`actviz_widgets.set_language`).

    Every setting is also an attribute (``pg.lr = 0.1``; the control
    follows), :meth:`settings` gives them all and :meth:`apply` changes
    several at once (one restart, one redraw). A value outside a control's
    range is refused with a ``ValueError`` naming the setting.

    Attributes
    ----------
    trainer : Trainer
        The engine's training loop (its ``net`` is the live network).
    data : Dataset
        The training and test data (``dataset`` is the dataset's name, or
        ``"user"`` for the learner's own data).
    user_data : UserData or None
        The learner's own data as given (with their scaling), once given.
    regression : bool
        One input and a regression target (sine, or one-feature data).
    player : Player
        Play as an asyncio task; ``player.frames`` counts the frames run.
    field : GridField
        The grid evaluation last drawn (of the shown network).
    state : PlaygroundState
        A read-only snapshot of what is drawn.
    shown_step : int
        The step drawn: the live step, or the history step being viewed.
    viewing : int or None
        The history step being viewed (``None``: live).
    diverged : str or None
        Why the last frame stopped training, if it diverged.
    play_button, step_button, reset_button, new_weights_button, history_slider
        The training controls (``rewind_button`` is ``reset_button``).
    dataset_select, noise_slider, train_slider, layers_slider, neurons_slider,
    activation_select, loss_select, optimizer_select, lr_slider, batch_slider,
    l2_slider, seed_text, gradient_toggle, test_toggle
        The settings' controls.
    branch_select, branch_button, branch_output
        The Branch control (a menu of single changes, the button) and where
        the comparison appears; ``comparison`` is the last one opened.

    Examples
    --------
    >>> pg = Playground(dataset="circles", hidden_layers=1, neurons=4)
    >>> pg.run_frames(10)          # 10 frames of 5 steps, as Play would do
    10
    >>> pg.trainer.step_count
    50
    """

    # No "Train n" buttons: Step takes one frame, as Play does.
    TRAIN_STEPS = ()

    # Every label, tooltip and option label is in the catalogue (locale/*/playground.json).
    i18n_area = "playground"

    # -- settings: each declared once ------------------------------------------------------
    dataset = _Dataset("xor", (*DATASET_NAMES, USER_DATASET), label="", effect="restart",
                       width="190px")
    noise = Number(0.1, *NOISE_RANGE, step=0.05, label="", effect="restart", width="230px")
    train_percent = _OnStep(50, 10, 90, step=10, label="", effect="restart", width="280px")
    n_samples = Integer(200, 10, 2000, label="", effect="restart")
    data_seed = Integer(0, 0, 2 ** 32 - 1, text=True, label="", effect="restart")
    hidden_layers = Integer(2, 0, MAX_LAYERS, label="", effect="restart", width="240px")
    neurons = Integer(4, 1, MAX_NEURONS, label="", effect="restart", width="270px")
    activation = Choice("tanh", ACTIVATION_NAMES, label="", effect="restart", width="200px")
    loss = Choice("bce", _CLASS_LOSSES, label="", effect="restart", width="140px")
    optimizer = Choice("sgd", OPTIMIZER_NAMES, label="", effect="restart", width="180px")
    lr = Number(0.3, *LR_RANGE, step=0.1, log=True, fmt=".3g", label="", effect="live",
                width="290px")
    batch_size = _BatchSize(10, [(str(b), b) for b in BATCH_CHOICES], label="",
                            widget="slider", effect="live", width="250px")
    l2 = Choice(0.0, [(f"{v:g}", v) for v in L2_CHOICES], label="", widget="slider",
                effect="live", width="260px")
    seed = Integer(0, 0, MAX_SEED, text=True, label="", effect="restart", width="170px")
    # (restart: the engine records and snapshots at multiples of it, i.e. at frame ends)
    steps_per_frame = Integer(5, 1, 1000, label="", effect="restart")
    show_gradients = Flag(False, label="", effect="display")
    show_test = Flag(True, label="", effect="display")

    def __init__(self, dataset: Any = "xor", noise: float = 0.1, train_percent: int = 50,
                 hidden_layers: int = 2, neurons: int = 4, activation: str = "tanh",
                 loss: str = "bce", optimizer: str = "sgd", lr: float = 0.3,
                 batch_size: int | str | None = 10, l2: float = 0.0, seed: int = 0,
                 n_samples: int = 200, data_seed: int = 0, steps_per_frame: int = 5,
                 fps: float = 25.0, show_gradients: bool = False, grid_n: int = 40,
                 max_snapshots: int | None = None, show_test: bool = True,
                 sizes=None, task: str | None = None, language: str | None = None) -> None:
        # the learner's own data: (X, y), a CSV path or a UserData
        self.user_data: UserData | None = None
        if isinstance(dataset, UserData):
            self.user_data, dataset = dataset, USER_DATASET
        elif isinstance(dataset, (tuple, list)) or _is_path(dataset):
            self.user_data = load_user_data(dataset, task=task, max_samples=MAX_USER_SAMPLES)
            dataset = USER_DATASET
        elif task is not None:
            raise ValueError(f"task is for your own data (dataset=(X, y) or a CSV path); the "
                             f"built-in set {dataset!r} has its own; got task={task!r}")
        if not isinstance(dataset, str) or dataset.strip().lower() != USER_DATASET:
            # (the option is offered once the playground has data of the learner's)
            self.setting_options = {"dataset": tuple((d, d) for d in DATASET_NAMES)}
        regression = isinstance(dataset, str) and _is_regression(dataset.strip().lower(),
                                                                  self.user_data)
        if sizes is not None:  # the architecture, as every widget takes it
            hidden = hidden_of(sizes, 1 if regression else 2, 1)
            if len(set(hidden)) > 1:
                raise ValueError(f"the playground's hidden layers all have the same width: "
                                 f"sizes like [2, 4, 4, 1]; got {list(sizes)}")
            hidden_layers, neurons = len(hidden), (hidden[0] if hidden else neurons)
        self.grid_n = check_int("grid_n", grid_n, minimum=2, maximum=200)
        self.max_snapshots = (None if max_snapshots is None
                              else check_int("max_snapshots", max_snapshots, minimum=4))
        if regression:
            loss = "mse"  # regression: the only loss offered
        self.viewing: int | None = None
        self._regions: tuple | None = None  # (what they depend on, the last frame's regions)
        self._built_for: dict | None = None
        self._drawn: PlaygroundState | None = None
        self.init_settings(dict(
            dataset=dataset, noise=noise, train_percent=train_percent, n_samples=n_samples,
            data_seed=data_seed, hidden_layers=hidden_layers, neurons=neurons,
            activation=activation, loss=loss, optimizer=optimizer, lr=lr,
            batch_size=batch_size, l2=l2, seed=seed, steps_per_frame=steps_per_frame,
            show_gradients=show_gradients, show_test=show_test), language=language)
        self.init_training(fps=fps)
        lay = widgets.Layout
        self.step_button = widgets.Button(description=self.tr("playground.step"),
                                          icon="step-forward", layout=lay(width="80px"))
        self.step_button.on_click(self.guarded(self.step))
        self._start()

        self._scrubber_at = -float("inf")  # when the history slider was last moved
        self.rewind_button = self.reset_button  # old lessons' name for the same button
        self.history_slider = _Scrubber(
            # sends only on a learner's action (see widgets/settings.py): while Play moves
            # it, a value the page computed would otherwise come back and pause Play
            value=0, min=0, max=0, description=self.tr("playground.history"),
            continuous_update=False, style={"description_width": "initial"},
            layout=lay(width="380px"), tooltip=self.tr("playground.history.help"))
        self.history_slider.observe(self._on_history, names="value")
        self.history_slider.on_same_value = self._on_history
        # Play resumes from a viewed history step (the button's own handler starts the task
        # first; its first frame runs only after this handler returns)
        self.play_button.observe(self._on_play, names="value")

        self.dataset_select = self.control("dataset")
        self.noise_slider = self.control("noise")
        self.train_slider = self.control("train_percent")
        self.layers_slider = self.control("hidden_layers")
        self.neurons_slider = self.control("neurons")
        self.activation_select = self.control("activation")
        self.loss_select = self.control("loss")
        self.optimizer_select = self.control("optimizer")
        self.lr_slider = self.control("lr")
        self.batch_slider = self.control("batch_size")
        self.l2_slider = self.control("l2")
        self.seed_text = self.control("seed")
        self.gradient_toggle = self.control("show_gradients")
        self.test_toggle = self.control("show_test")
        extra = [self.new_weights_button] if self.new_weights_button is not None else []
        # rows no wider than the 830-px picture; they wrap on a narrower page
        rows = [widgets.HBox(row, layout=lay(flex_flow="row wrap")) for row in (
            [self.play_button, self.step_button, self.reset_button, *extra,
             self.history_slider],
            [self.dataset_select, self.noise_slider, self.train_slider],
            [self.layers_slider, self.neurons_slider, self.activation_select, self.loss_select],
            [self.optimizer_select, self.lr_slider, self.batch_slider],
            [self.l2_slider, self.seed_text, self.gradient_toggle, self.test_toggle],
        )]
        # Branch: a second run from the step shown, one setting changed, shown underneath
        self.branch_select = widgets.Dropdown(
            options=self._branch_options(), description=self.tr("playground.branch.with"),
            style={"description_width": "initial"}, layout=lay(width="330px"))
        self.branch_button = widgets.Button(
            description=self.tr("playground.branch"), icon="code-branch",
            tooltip=self.tr("playground.branch.help"), layout=lay(width="110px"))
        self.branch_button.on_click(self.guarded(self._branch_clicked))
        # The comparison is a child widget (no Output capturing display(): the
        # branch stays with the playground when the notebook is saved and reopened).
        self.branch_output = widgets.VBox()
        self.comparison = None
        footer = [widgets.HBox([self.branch_select, self.branch_button],
                               layout=lay(flex_flow="row wrap")), self.branch_output]
        super().__init__(self._new_view(), rows, footer=footer)
        self._controls_follow_data()
        if self.user_data is not None:
            self.show_note(self._data_note())
        self.refresh()

    # -- read-outs -------------------------------------------------------------------------
    @property
    def net(self) -> MLP:
        """The live network (being trained)."""
        return self.trainer.net

    @property
    def shown_net(self) -> MLP:
        """The network drawn: the live one, or a copy holding the viewed snapshot."""
        return self.net if self.viewing is None else self._view_net

    @property
    def shown_step(self) -> int:
        """The step drawn."""
        return self.trainer.step_count if self.viewing is None else self.viewing

    @property
    def sizes(self) -> list[int]:
        """Layer sizes from the settings, input first."""
        return [1 if self.regression else 2] + [self.neurons] * self.hidden_layers + [1]

    @property
    def regression(self) -> bool:
        """Whether the data set is regression (one input: sine, or the learner's 1-feature data)."""
        return _is_regression(self.dataset, self.user_data)

    @property
    def state(self) -> PlaygroundState | None:
        """A read-only snapshot of what is drawn (``None`` before the first drawing)."""
        return self._drawn

    @property
    def STEPS_PER_FRAME(self) -> int:
        """Training steps per frame: the ``steps_per_frame`` setting of this playground."""
        return self.steps_per_frame

    def __repr__(self) -> str:
        return (f"Playground(dataset={self.dataset!r}, sizes={self.sizes}, "
                f"activation={self.activation!r}, loss={self.loss!r}, "
                f"optimizer={self.optimizer!r}, lr={self.lr:g}, step={self.trainer.step_count})")

    # -- actions ---------------------------------------------------------------------------
    def step(self, frames: int = 1) -> int:
        """Run ``frames`` frames now (as the Step button); returns the frames run."""
        return self.run_frames(frames)

    def run_frames(self, n: int) -> int:
        """Run ``n`` frames of Play now, synchronously (pauses Play first).

        From a viewed history step, training resumes there and the later
        history is discarded.

        Returns
        -------
        int
            Frames run: fewer than ``n`` if training diverged.
        """
        n = check_int("n", n, minimum=0)
        self.pause()
        if n:
            self._resume()
        return super().run_frames(n)

    def train(self, steps: int) -> None:
        """Take ``steps`` gradient steps now and redraw (pauses Play; resumes a viewed step)."""
        steps = check_int("steps", steps, minimum=0)
        self.pause()
        if steps:
            self._resume()
        super().train(steps)

    def reset(self) -> None:
        """Back to step 0 and the same initial weights, with an empty history (the data stay)."""
        self.view.reset_scale()  # the picture as it was at step 0
        super().reset()
        self.show_note(self.tr("playground.note.reset", seed=self.seed))

    def rewind(self) -> None:
        """The same as :meth:`reset` (the name older lessons use)."""
        self.reset()

    def branch(self, at_step: int | None = None, **change: Any):
        """A second run from this playground's network at ``at_step``, with one setting changed.

        Both runs start from the same weights with the same data in the same
        order; run A keeps every setting, run B changes one (``lr``,
        ``optimizer``, ``batch_size``, ``l2`` or ``activation``). The
        playground itself is not changed.

        Parameters
        ----------
        at_step : int, optional
            A step of the history with a snapshot; default the step shown
            (a history step being viewed, or the live one).
        **change
            Exactly one setting and run B's value, e.g. ``lr=0.03``.

        Returns
        -------
        BranchComparison
            A widget of its own (display it), in this playground's language.

        Examples
        --------
        >>> pg = Playground(dataset="circles")       # doctest: +SKIP
        >>> pg.run_frames(20)                         # doctest: +SKIP
        >>> pg.branch(lr=0.03)                        # doctest: +SKIP
        """
        from .branch import (
            BranchComparison,  # (only when asked: the branch's view is big)
        )
        self.pause()
        return BranchComparison.from_playground(self, at_step, **change)

    #: The changes the Branch menu offers, as (setting, how the value changes).
    _BRANCH_LR = (0.1, 0.3, 3.0, 10.0)

    def _branch_options(self) -> list[tuple[str, tuple]]:
        """The Branch menu: one setting changed from its current value (``(label, (name, value))``)."""
        tr = self.tr
        options = []
        for k in self._BRANCH_LR:
            lr = float(f"{self.lr * k:.3g}")
            if LR_RANGE[0] <= lr <= LR_RANGE[1]:
                options.append((tr("playground.branch.change", setting=tr("playground.lr"),
                                   value=f"{lr:g}"), ("lr", lr)))
        for name, values in (("optimizer", OPTIMIZER_NAMES), ("batch_size", BATCH_CHOICES),
                             ("l2", L2_CHOICES), ("activation", ACTIVATION_NAMES)):
            if name == "activation" and not self.hidden_layers:
                continue  # no hidden layer: no activation to change
            labels = {v: label for label, v in self.localized_spec(name).options}
            for value in values:
                if value != getattr(self, name):
                    options.append((tr("playground.branch.change",
                                       setting=self.localized_spec(name).label,
                                       value=labels.get(value, str(value))), (name, value)))
        return options

    def close(self) -> None:
        """Close the widget, and the branch it shows if any."""
        if getattr(self, "comparison", None) is not None:
            self.comparison.close()
            self.comparison = None
        super().close()

    def _branch_clicked(self) -> None:
        name, value = self.branch_select.value
        comparison = self.branch(**{name: value})
        if self.comparison is not None:
            self.comparison.close()
        self.comparison = comparison
        self.branch_output.children = (comparison,)

    def view_history(self, step: int) -> int:
        """Draw the network as it was at ``step`` (the latest snapshot at or before it).

        Pauses Play. Nothing is discarded until training resumes from there
        (Play, Step, :meth:`train`); a step at or past the live one shows
        the live network.

        Returns
        -------
        int
            The step shown.
        """
        step = check_int("step", step, minimum=0)
        self.pause()
        t = self.trainer
        if step >= t.step_count:
            self.viewing = None
        else:
            steps = list(t.history.snapshots)  # increasing; step 0 is always kept
            snap = t.history.snapshots[steps[bisect.bisect_right(steps, step) - 1]]
            self._view_net.set_params(snap.weights, snap.biases)
            self.viewing = snap.step
        self.refresh()
        return self.shown_step

    def mean_abs_delta(self, net: MLP | None = None) -> list[np.ndarray]:
        """Each neuron's mean ``|δ|`` over the training set, for layers 1..L.

        ``δ = ∂ℓ/∂z`` of one sample's loss ``ℓ``: the engine's ``g.delta`` is
        for the *mean* loss ``L = (1/n) Σ ℓ``, i.e. ``δ/n``, so it is scaled
        back by ``n`` (the number then does not depend on the set's size).
        """
        net = self.shown_net if net is None else net
        X, y = self.trainer.X_train, self.trainer.y_train
        _, g = net.loss_and_gradients(X, y)
        n = X.shape[0]
        return [np.abs(g.delta[l]).mean(axis=0) * n for l in range(1, net.n_layers + 1)]

    # -- the picture's regions -------------------------------------------------------------
    def neuron_numbers(self, net: MLP | None = None) -> dict:
        """Each neuron's numbers over the training set, as the hover tooltips give them.

        Returns
        -------
        dict
            ``z``, ``a``, ``dadz``, ``delta``: lists over layers 0..L (``None``
            where a layer has none) of per-neuron means over the training
            samples; ``delta`` is ``δ = ∂ℓ/∂z`` of one sample's loss ``ℓ``
            (see :meth:`mean_abs_delta`), its mean keeps the sign.  ``dW``: the
            gradient ``∂L/∂W`` of the mean training loss ``L`` (no L2 term),
            shaped like the weights.
        """
        net = self.shown_net if net is None else net
        X, y = self.trainer.X_train, self.trainer.y_train
        trace, g = net.loss_and_gradients(X, y)
        n = X.shape[0]

        def means(arrays, k=1.0):
            return [None if a is None else a.mean(axis=0) * k for a in arrays]
        return {"z": means(trace.z), "a": means(trace.a), "dadz": means(trace.dadz),
                "delta": means(g.delta, n), "dW": [w.copy() for w in g.dW], "n": n}

    def frame_regions(self) -> list[dict]:
        """Hover regions of the frame: every edge, neuron and hidden neuron's heatmap tile.

        A neuron's tooltip gives its bias and, as means over the training
        samples, ``z``, ``a``, ``f′(z)`` and ``δ``; a hidden neuron's region is
        its heatmap tile, shown enlarged (``zoom``).  An edge's tooltip gives
        its weight ``w`` and ``∂L/∂w``.  The numbers are those of the network
        drawn (a history step when one is viewed).

        While the network, the data, the layout and the language stay the same
        (a live setting or a display switch changed), the last frame's list is
        returned again, the same object: read it, do not change it.
        """
        net = self.shown_net
        # the same network, layout and language as the last frame's (a live setting or a
        # display switch changed): the same regions, which the page then is not sent again
        key = (self.language, self.view.static_key(), self.view.css_size,
               tuple(w.tobytes() for w in net.weights), tuple(b.tobytes() for b in net.biases),
               self._builds)
        if self._regions is not None and self._regions[0] == key:
            return self._regions[1]  # the very list: a caller may skip checking it again
        num = self.neuron_numbers(net)
        L = net.n_layers
        # the catalogue's texts once a frame, not once a region (a 2-8×6-1 net has 450)
        text = {key: self.tr(f"playground.hover.{key}") for key in
                ("edge", "delta", "input", "input_range", "output", "neuron")}
        out = []
        for region in self.view.regions():
            for k in _COORDINATES.intersection(region):  # a tenth of a pixel is plenty
                region[k] = round(region[k], 1)
            kind, *idx = region["id"].split(":")
            idx = [int(i) for i in idx]
            if kind == "edge":
                l, i, j = idx
                region["title"] = text["edge"].format(l=l, i=i + 1, j=j + 1, k=l + 1)
                region["rows"] = [["w", fmt(net.weights[l][i, j])],
                                  ["∂L/∂w", fmt(num["dW"][l][i, j])]]
            else:
                l, j = idx
                if l == 0:
                    region["title"] = text["input"].format(j=j + 1)
                    region["rows"] = [["x" + ("₁₂"[j] if net.sizes[0] == 2 else ""),
                                       text["input_range"]]]
                else:
                    region["title"] = text["output" if l == L else "neuron"].format(
                        l=l, j=j + 1, n=num["n"])
                    region["rows"] = [
                        ["b", fmt(net.biases[l - 1][j])],
                        ["z", fmt(num["z"][l][j])], ["a", fmt(num["a"][l][j])],
                        ["f′(z)", fmt(num["dadz"][l][j])],
                        [text["delta"], fmt(num["delta"][l][j])]]
            out.append(region)
        self._regions = (key, out)
        return out

    # -- saving ----------------------------------------------------------------------------
    def save_state(self, path: str | os.PathLike) -> None:
        """Save the shown network and the settings (``.json`` or ``.npz``; no pickle)."""
        extra = {"widget": STATE_FORMAT, "version": STATE_VERSION, "settings": self.settings(),
                 "step": self.shown_step}
        if self.user_data is not None:  # the learner's data travel with the state
            extra["user_data"] = self.user_data.to_json()
        save_network(self.shown_net, path, extra=extra)

    def load_state(self, path: str | os.PathLike) -> None:
        """Load a state saved by :meth:`save_state`: its network becomes the new start.

        Raises
        ------
        ValueError
            For a missing, damaged or foreign file, or one whose settings or
            network do not fit the playground; the widget is left as it was.
        """
        net, extra = load_network(path, with_extra=True)
        where = f"cannot load a playground state from {os.fspath(path)!r}"
        if extra.get("widget") != STATE_FORMAT:
            raise ValueError(f"{where}: it is a saved network but not a playground state "
                             f"(extra['widget'] is {extra.get('widget')!r})")
        version = extra.get("version")
        if isinstance(version, bool) or version not in _READABLE_VERSIONS:
            raise ValueError(f"{where}: unsupported version {version!r} (this playground "
                             f"reads versions {list(_READABLE_VERSIONS)})")
        try:
            settings = check_settings(extra.get("settings"))
            user = self.user_data
            if "user_data" in extra:
                user = UserData.from_json(extra["user_data"], max_samples=MAX_USER_SAMPLES)
            if settings["dataset"] == USER_DATASET:
                if user is None:
                    raise ValueError("dataset is 'user' but the file holds no user_data")
                if settings["loss"] not in _losses(user.task == "regression"):
                    raise ValueError(f"loss must be 'mse' for regression data; got "
                                     f"{settings['loss']!r}")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: bad settings ({exc})") from None
        expected = self._architecture(settings, user)
        found = {key: net.config()[key] for key in expected}
        if found != expected:
            raise ValueError(f"{where}: its network {found} does not match its settings "
                             f"(expected {expected})")
        self.pause()
        if user is not self.user_data:
            self._set_user_data(user)
        self.apply(**settings)  # the controls follow; a restart builds a fresh start...
        self._start(net)        # ...which the loaded weights replace
        self._fit_view()
        self._controls_follow_data()
        self.refresh()
        self.show_note(self.tr("playground.note.loaded", path=repr(os.fspath(path)),
                               step=extra.get("step", "?")))

    # -- the learner's data ----------------------------------------------------------------
    def use_data(self, dataset: Any, task: str | None = None) -> None:
        """Train on the learner's own data from now on (training restarts at step 0).

        Parameters
        ----------
        dataset : (X, y) or str or os.PathLike or UserData
            Two features with two-valued labels (classification) or one feature
            with real targets (regression), as arrays or a CSV file; see
            :func:`~actviz_widgets.engine.user_data.load_user_data` (labels -1/+1
            or two texts are mapped to 0/1; every column is scaled to [-1, 1]).
        task : {"classification", "regression"}, optional
            Must agree with the number of features when given.

        Raises
        ------
        ValueError, TypeError
            For data that cannot be used (the widget is left as it was).
        """
        user = dataset if isinstance(dataset, UserData) else load_user_data(
            dataset, task=task, max_samples=MAX_USER_SAMPLES)
        old, was_regression = self.user_data, self.regression
        self.pause()
        self._set_user_data(user)
        self._built_for = None  # the same settings may now mean other data: rebuild
        try:
            with self.hold():
                if self.dataset == USER_DATASET:
                    self._changed.add("dataset")  # the same value, other data: rebuild
                    if self.regression != was_regression:  # (the observer sees no change)
                        self.set_options("loss", _losses(self.regression))
                        self.loss = _losses(self.regression)[0]
                self.dataset = USER_DATASET
        except Exception:
            self._set_user_data(old)
            raise
        self._controls_follow_data()
        self.show_note(self._data_note())

    def _set_user_data(self, user: UserData | None) -> None:
        """Keep ``user`` and offer (or withdraw) "your data" in the dataset menu."""
        self.user_data = user
        names = DATASET_NAMES + ((USER_DATASET,) if user is not None else ())
        if self.dataset == USER_DATASET and user is None:
            self.dataset = DATASET_NAMES[0]
        self.set_options("dataset", [(d, d) for d in names])

    def _controls_follow_data(self) -> None:
        # the noise and sample count of the built-in sets mean nothing for the learner's data
        mine = self.dataset == USER_DATASET
        for name in ("noise", "n_samples"):
            control = self.controls.get(name)
            if control is not None:
                control.disabled = mine
        self.view.set_scaling(self.scaling_labels() if mine else None)

    def scaling_labels(self) -> list[str] | None:
        """How each axis of the picture is scaled from the learner's data (``None``: built-in set).

        E.g. ``["x₁ scaled: (len − 3.2) / 1.7", "x₂ scaled: (width − 1) / 0.5"]``
        (for regression the x and y axes).
        """
        if self.dataset != USER_DATASET or self.user_data is None:
            return None
        u = self.user_data
        return [self.tr("playground.scaled_axis", symbol=symbol,
                        formula=u.scaling_text(symbol)) for symbol, _, _ in u.scaling()]

    def _data_note(self) -> str:
        u = self.user_data
        if u.task == "classification":
            kind = self.tr("playground.data.classes", zero=repr(u.classes[0]),
                           one=repr(u.classes[1]))
        else:
            kind = self.tr("playground.data.regression")
        return self.tr("playground.note.data", n=u.n_samples, kind=kind,
                       scaling=self._list(self.scaling_labels() or []))

    # -- model -----------------------------------------------------------------------------
    def build(self) -> None:
        """A new dataset, network and trainer from the settings, at step 0."""
        self._start()
        self._fit_view()

    def apply_live(self, names: set[str]) -> None:
        """Learning rate, batch size and L2 go to the running training."""
        t = self.trainer
        t.lr = self.lr
        t.batch_size = None if self.batch_size == ALL else self.batch_size
        t.weight_decay = self.l2

    def after_training(self) -> None:
        """Live again; after a divergence, back to the last frame (whose losses were finite)."""
        self.viewing = None
        t = self.trainer
        if t.diverged is None:
            return
        # The engine undid the failed step, but with whole-set losses measured once a
        # frame the weights just before it may already be huge: go back to the last frame.
        failed = t.step_count + 1
        last = next(reversed(t.history.snapshots))
        if last != t.step_count:
            t.restore(last)
        self.diverged = self.tr("playground.note.diverged", step=failed, lr=f"{t.lr:g}",
                                last=last)

    def _model_settings(self) -> dict:
        """The settings the model is built from (a change of any restarts training)."""
        return {n: getattr(self, n) for n in self.setting_names()
                if self.setting_spec(n).effect == "restart"}

    @staticmethod
    def _architecture(s: Mapping, user: UserData | None = None) -> dict:
        """The network's architecture for settings ``s`` and data ``user`` (nothing allocated)."""
        regression = _is_regression(s["dataset"], user)
        return {"sizes": [1 if regression else 2] + [s["neurons"]] * s["hidden_layers"] + [1],
                "activation": [s["activation"]] * s["hidden_layers"],
                "output_activation": "linear" if regression else "sigmoid", "loss": s["loss"]}

    def _start(self, net: MLP | None = None) -> None:
        """Dataset, network (``net``, or a new one from the seed) and trainer, at step 0.

        Assigned only once all three exist, so a failure changes nothing.
        """
        test_fraction = 1 - self.train_percent / 100
        if self.dataset == USER_DATASET:
            data: Dataset = self.user_data.split(test_fraction, seed=self.data_seed)
        else:
            data = make_dataset(self.dataset, n_samples=self.n_samples, noise=self.noise,
                                test_fraction=test_fraction, seed=self.data_seed)
        if net is None:
            a = self._architecture(self.settings(), self.user_data)
            net = MLP(a["sizes"], activation=self.activation,
                      output_activation=a["output_activation"], loss=self.loss, seed=self.seed)
        trainer = Trainer(net, data, optimizer=self.optimizer, lr=self.lr,
                          batch_size=None if self.batch_size == ALL else self.batch_size,
                          weight_decay=self.l2, seed=self.seed,
                          snapshot_every=self.steps_per_frame,
                          record_every=self.steps_per_frame, max_snapshots=self.max_snapshots)
        self.data, self.trainer = data, trainer
        self._builds = getattr(self, "_builds", 0) + 1  # (new data: new hover numbers)
        self._view_net = net.copy()
        self.viewing = None
        self.diverged = None
        self._built_for = self._model_settings()
        self._step_tooltip()

    def _new_view(self) -> PlaygroundView:
        view = PlaygroundView(self.sizes, self.net.activation_names,
                              extent=_extent(self.regression),
                              classification=not self.regression, grid_n=self.grid_n,
                              language=self.language)
        d = self.data
        view.set_data(d.X_train, d.y_train, d.X_test, d.y_test)
        return view

    def _fit_view(self) -> None:
        """The view follows the model: a new one for another number of inputs."""
        if self.view.n_inputs != self.sizes[0]:
            self.view = self._new_view()
            self.view.set_scaling(self.scaling_labels())
            return
        self.view.set_structure(self.sizes, self.net.activation_names)
        d = self.data
        self.view.set_data(d.X_train, d.y_train, d.X_test, d.y_test)

    # -- settings --------------------------------------------------------------------------
    @traitlets.observe("dataset")
    def _loss_follows_dataset(self, change: dict) -> None:
        # Runs as the dataset is set, before the change is handled (and before a
        # loss given with it in apply() is set): the sine set is regression, mse only;
        # a classification set starts again from bce.
        was = _is_regression(change["old"], self.user_data)
        now = _is_regression(change["new"], self.user_data)
        if was != now:
            self.set_options("loss", _losses(now))
            self.loss = _losses(now)[0]

    def settings_changed(self, names: set[str]) -> None:
        restart = {n for n in names if self.setting_spec(n).effect == "restart"}
        if restart and self._model_settings() == self._built_for:
            # already built for these values (the loss followed the dataset: one rebuild)
            names = names - restart
            if not names:
                return
        before = self._built_for
        super().settings_changed(names)
        if self.message_kind == "error":
            return
        self._controls_follow_data()
        if hasattr(self, "branch_select"):
            self.branch_select.options = self._branch_options()
        if self._built_for is not before:
            changed = [self.localized_spec(n).label for n in self._built_for
                       if before is None or before[n] != self._built_for[n]]
            note = self.tr("playground.note.restarted", changed=self._list(changed),
                           seed=self.seed)
            if (self.regression and before is not None
                    and not _is_regression(before["dataset"], self.user_data)):
                note += " " + self.tr("playground.note.regression_mse")
            self.show_note(note)
        elif any(self.setting_spec(n).effect == "live" for n in names):
            changed = [self.localized_spec(n).label for n in self.setting_names()
                       if n in names and self.setting_spec(n).effect == "live"]
            self.show_note(self.tr("playground.note.live", changed=self._list(changed),
                                   step=self.trainer.step_count))

    def _list(self, words: list[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` (``a、b 和 c``) in the widget's language."""
        if not words:
            return ""
        head = self.tr("playground.comma").join(words[:-1])
        return self.tr("playground.and").join(filter(None, [head, words[-1]]))

    # -- controls --------------------------------------------------------------------------
    def _step_tooltip(self) -> None:
        self.step_button.tooltip = self.tr("playground.step.help", steps=self.steps_per_frame)

    def _on_history(self, change: dict) -> None:
        if change["new"] == self.shown_step:
            return  # the widget moved it to the step drawn
        self.guarded(lambda: self.view_history(change["new"]))()

    def _on_play(self, change: dict) -> None:
        self._scrubber_at = -float("inf")  # the first frame played moves the scrubber
        if change["new"] and self.playing:
            self.guarded(self._resume)()

    def _resume(self) -> None:
        """Training goes on from the viewed history step; the later history is discarded."""
        step, self.viewing = self.viewing, None
        t = self.trainer
        if step is None or step >= t.step_count or step not in t.history.snapshots:
            return
        t.restore(step)
        self.diverged = None
        self.show_note(self.tr("playground.note.resumed", step=step))

    # -- drawing ---------------------------------------------------------------------------
    def _curves(self, upto: int) -> tuple[dict, int | None]:
        """History columns up to step ``upto``, and the index of its last row."""
        h = self.trainer.history
        cut = bisect.bisect_right(h.step, upto)

        def col(values):
            return None if values is None else np.asarray(values[:cut], dtype=float)

        curves = {"epoch": col(h.epoch), "train_loss": col(h.train_loss),
                  "test_loss": col(h.test_loss), "train_acc": col(h.train_acc),
                  "test_acc": col(h.test_acc)}
        return curves, (cut - 1 if cut else None)

    def update(self) -> None:
        """Draw the shown network: grid field, edges, curves, gradient overlay, titles."""
        t = self.trainer
        if self.viewing is not None and self.viewing >= t.step_count:
            self.viewing = None  # trained or rewound from code meanwhile
        net, step = self.shown_net, self.shown_step
        field = grid_field(net, _extent(self.regression), self.grid_n)
        curves, row = self._curves(step)
        h = t.history
        epoch = (h.epoch[row] if row is not None and h.step[row] == step
                 else self._epoch_at(step))
        title = self.tr("playground.title", epoch=f"{epoch:.1f}".removesuffix(".0"),  # "Epoch 30"
                        step=step)
        subtitle = self._numbers(row, step)
        status, error = "", False
        if self.viewing is not None:
            status = self.tr("playground.status.history", step=step, last=t.step_count)
        elif self.diverged:
            status, error = self.diverged, True
        grad = self.mean_abs_delta(net) if self.show_gradients else None
        marker = whole = None
        if self.viewing is not None:
            marker = float(epoch)
            whole, _ = self._curves(t.step_count)
        self.view.show_test(self.show_test)
        self.view.update(field, net.weights, curves, title, subtitle, grad=grad,
                         marker=marker, whole=whole, status=status, error=error)
        self.field = field

        def at_row(values):
            return None if values is None or row is None else float(values[row])

        for array in (field.X, field.output, *field.layers):
            _frozen(array)
        self._drawn = PlaygroundState(
            step=step, epoch=float(epoch), live=self.viewing is None,
            settings=MappingProxyType(self.settings()), sizes=tuple(net.sizes),
            measured_at=None if row is None else int(h.step[row]),
            train_loss=at_row(h.train_loss), test_loss=at_row(h.test_loss),
            train_acc=at_row(h.train_acc), test_acc=at_row(h.test_acc), field=field,
            weights=tuple(_frozen(w.copy()) for w in net.weights),
            biases=tuple(_frozen(b.copy()) for b in net.biases),
            grad=None if grad is None else tuple(_frozen(g) for g in grad),
            title=title, subtitle=subtitle, status=status, diverged=self.diverged)
        # the scrubber shows the step drawn; while playing only now and then: each move
        # is a message whose slider the page lays out again, at 20 frames a second
        if not self.playing or time.monotonic() - self._scrubber_at >= SCRUBBER_WHILE_PLAYING_S:
            self._sync_scrubber()

    def _sync_scrubber(self) -> None:
        """The history slider at the step drawn (its handler ignores the step drawn)."""
        self._scrubber_at = time.monotonic()
        slider = self.history_slider
        with slider.hold_sync(), slider.hold_trait_notifications():
            slider.max = self.trainer.step_count
            slider.value = self.shown_step

    def play_ended(self) -> None:
        """The last frame's regions and the scrubber at its step go to the page."""
        super().play_ended()
        self._sync_scrubber()

    def _epoch_at(self, step: int) -> float:
        snap = self.trainer.history.snapshots.get(step)
        if snap is not None:
            return snap.epoch + snap.position / self.trainer.n_train
        return float(self.trainer.epoch)  # (a live step between two frames)

    def _numbers(self, row: int | None, step: int) -> str:
        h = self.trainer.history
        act = self.activation if self.hidden_layers else self.tr("playground.no_hidden")
        names = {value: label for label, value in self.localized_spec("dataset").options}
        head = self.tr("playground.subtitle", dataset=names.get(self.dataset, self.dataset),
                       sizes=self.sizes, activation=act, loss=self.loss,
                       optimizer=self.optimizer, lr=f"{self.lr:.3g}",
                       batch=self.tr("playground.batch_size.all") if self.batch_size == ALL
                       else self.batch_size, l2=f"{self.l2:g}")
        if row is None:
            return head + " · " + self.tr("playground.not_trained")
        parts = [self.tr("playground.loss_train", value=fmt(h.train_loss[row]))]
        if h.test_loss is not None:
            parts.append(self.tr("playground.test_value", value=fmt(h.test_loss[row])))
        if h.train_acc is not None:
            parts.append(self.tr("playground.acc_train", value=f"{100 * h.train_acc[row]:.1f}"))
            if h.test_acc is not None:
                parts.append(self.tr("playground.test_percent",
                                     value=f"{100 * h.test_acc[row]:.1f}"))
        where = ("" if h.step[row] == step
                 else self.tr("playground.measured_at", step=int(h.step[row])))
        return head + "\n" + " · ".join(parts) + where


# WORKAROUND until settings.Choice does it: traitlets stores None in an ``Any`` trait
# without calling ``validate`` (allow_none), so ``pg.activation = None`` was accepted.
# None is validated like any other value (for the batch size it means "all").
for _trait in Playground.class_traits().values():
    if isinstance(_trait, Choice):
        _trait.allow_none = False
del _trait
