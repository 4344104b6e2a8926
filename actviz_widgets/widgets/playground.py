"""The training playground: train a small network on a toy dataset and watch it learn.

Everything TensorFlow Playground shows (dataset, architecture, activation,
learning rate, batch size, L2; the output over the plane with the decision
boundary, a heatmap for every hidden neuron, weights on the edges, train
and test loss), plus what it computes and never draws: each neuron's mean
``|δ|`` (the gradient overlay). A history scrubber shows the network at any
recorded step, and the state can be saved and handed to a class.

All the maths is the engine's: :class:`~actviz_widgets.engine.training.Trainer`
trains, :func:`~actviz_widgets.engine.grid.grid_field` gives every neuron's
output over the plane in one batched forward pass, ``MLP.backward`` the δ.

Threads: :class:`~.player.Player` runs frames (``steps_per_frame`` training
steps, then a redraw) in a background thread; every control handler takes
the player's lock, so a change made while training is applied between two
frames. :meth:`Playground.run_frames` runs the same frames synchronously.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np

from ..engine.activations import ACTIVATION_NAMES
from ..engine.datasets import DATASET_NAMES, Dataset, make_dataset
from ..engine.grid import grid_field
from ..engine.network import MLP
from ..engine.optimizers import OPTIMIZER_NAMES
from ..engine.serialization import load_network, save_network
from ..engine.training import Trainer, TrainingDiverged
from ..engine.validation import (
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
)
from ..views.playground import PlaygroundView
from ..views.text import fmt
from .base import FigureWidget
from .player import Player

__all__ = ["Playground", "STATE_FORMAT", "L2_CHOICES", "BATCH_CHOICES", "LR_RANGE"]

#: ``extra["widget"]`` of a saved playground state.
STATE_FORMAT = "actviz_widgets.Playground"
STATE_VERSION = 1
MAX_LAYERS = 6
MAX_NEURONS = 8
#: The L2 strengths offered.
L2_CHOICES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
#: Batch sizes offered; ``None`` is the whole training set.
BATCH_CHOICES = (1, 2, 5, 10, 20, 50, None)
LR_RANGE = (1e-4, 10.0)
#: Half-width of the plane drawn (the data lie in about [-1, 1]).
PLANE = 1.4
_CLASS_LOSSES = ("bce", "mse")
_SETTINGS = ("dataset", "noise", "train_percent", "n_samples", "data_seed", "hidden_layers",
             "neurons", "activation", "loss", "optimizer", "lr", "batch_size", "l2", "seed",
             "steps_per_frame")


def check_settings(s: dict) -> dict:
    """Validate playground settings; returns them normalised (raises naming the bad one)."""
    if not isinstance(s, dict):
        raise TypeError(f"settings must be a dict; got {type(s).__name__}")
    missing, unknown = sorted(set(_SETTINGS) - set(s)), sorted(set(s) - set(_SETTINGS))
    if missing or unknown:
        raise ValueError(f"settings must have exactly the keys {list(_SETTINGS)}; missing "
                         f"{missing}, unknown {unknown}")
    out = dict(s)
    out["dataset"] = check_choice("dataset", s["dataset"], DATASET_NAMES)
    out["noise"] = check_nonnegative("noise", s["noise"])
    if out["noise"] > 1:
        raise ValueError(f"noise must be between 0 and 1; got {s['noise']!r}")
    out["train_percent"] = check_int("train_percent", s["train_percent"], minimum=10, maximum=90)
    out["n_samples"] = check_int("n_samples", s["n_samples"], minimum=10, maximum=2000)
    out["data_seed"] = check_int("data_seed", s["data_seed"], minimum=0)
    out["hidden_layers"] = check_int("hidden_layers", s["hidden_layers"], minimum=0,
                                     maximum=MAX_LAYERS)
    out["neurons"] = check_int("neurons", s["neurons"], minimum=1, maximum=MAX_NEURONS)
    out["activation"] = check_choice("activation", s["activation"], ACTIVATION_NAMES)
    losses = ("mse",) if out["dataset"] == "sine" else _CLASS_LOSSES
    out["loss"] = check_choice("loss", s["loss"], losses)
    out["optimizer"] = check_choice("optimizer", s["optimizer"], OPTIMIZER_NAMES)
    out["lr"] = check_positive("lr", s["lr"])
    if not LR_RANGE[0] <= out["lr"] <= LR_RANGE[1]:
        raise ValueError(f"lr must be between {LR_RANGE[0]:g} and {LR_RANGE[1]:g}; "
                         f"got {s['lr']!r}")
    if s["batch_size"] not in BATCH_CHOICES or isinstance(s["batch_size"], bool):
        raise ValueError(f"batch_size must be one of {list(BATCH_CHOICES)} (None = all); "
                         f"got {s['batch_size']!r}")
    out["l2"] = check_nonnegative("l2", s["l2"])
    if out["l2"] not in L2_CHOICES:
        raise ValueError(f"l2 must be one of {list(L2_CHOICES)}; got {s['l2']!r}")
    out["seed"] = check_int("seed", s["seed"], minimum=0)
    out["steps_per_frame"] = check_int("steps_per_frame", s["steps_per_frame"], minimum=1,
                                       maximum=1000)
    return out


def _sizes(s: dict) -> list[int]:
    return [1 if s["dataset"] == "sine" else 2] + [s["neurons"]] * s["hidden_layers"] + [1]


def _make_net(s: dict) -> MLP:
    return MLP(_sizes(s), activation=s["activation"],
               output_activation="linear" if s["dataset"] == "sine" else "sigmoid",
               loss=s["loss"], seed=s["seed"])


def _make_data(s: dict) -> Dataset:
    return make_dataset(s["dataset"], n_samples=s["n_samples"], noise=s["noise"],
                        test_fraction=1 - s["train_percent"] / 100, seed=s["data_seed"])


def _extent(dataset: str) -> tuple:
    return (-1.2, 1.2) if dataset == "sine" else (-PLANE, PLANE, -PLANE, PLANE)


class Playground(FigureWidget):
    """Train a small network on a 2-D toy set (or the sine curve) and watch it learn.

    Parameters
    ----------
    dataset : {"xor", "circles", "moons", "spiral", "gaussian", "sine"}, default "xor"
    noise : float, default 0.1
        In [0, 1]; the dataset's noise (input jitter, or target noise for sine).
    train_percent : int, default 50
        Share of the samples used for training (10..90); the rest is the test set.
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
    batch_size : int or None, default 10
        One of :data:`BATCH_CHOICES` (``None``: the whole training set).
    l2 : float, default 0.0
        One of :data:`L2_CHOICES`.
    seed : int, default 0
        Seed of the initial weights and of the batch order; Reset increments it.
    n_samples : int, default 200
    data_seed : int, default 0
        Seed of the dataset.
    steps_per_frame : int, default 5
        Training steps per animation frame (and per Step click); the history
        keeps a row and a snapshot every frame.
    fps : float, default 20
        Most frames per second while playing.
    show_gradients : bool, default False
        Start with the gradient overlay on.
    grid_n : int, default 40
        Grid points per axis of the heatmaps.
    max_snapshots : int, default 2000
        When the history holds more snapshots, every other one is dropped
        (the first and last are kept), so a long run stays light.

    Attributes
    ----------
    trainer : Trainer
        The engine's training loop (its ``net`` is the live network).
    dataset : Dataset
    player : Player
        Background play; ``player.lock`` guards every change.
    field : GridField
        The grid evaluation last drawn (of the shown network).
    shown_step : int
        The step drawn: the live step, or the history step being viewed.
    viewing : int or None
        The history step being viewed (``None``: live).
    diverged : str or None
        Why the last frame stopped training, if it diverged.

    Examples
    --------
    >>> pg = Playground(dataset="circles", hidden_layers=1, neurons=4)
    >>> pg.run_frames(10)          # 10 frames of 5 steps, as Play would do
    10
    >>> pg.trainer.step_count
    50
    """

    def __init__(self, dataset: str = "xor", noise: float = 0.1, train_percent: int = 50,
                 hidden_layers: int = 2, neurons: int = 4, activation: str = "tanh",
                 loss: str = "bce", optimizer: str = "sgd", lr: float = 0.3,
                 batch_size: int | None = 10, l2: float = 0.0, seed: int = 0,
                 n_samples: int = 200, data_seed: int = 0, steps_per_frame: int = 5,
                 fps: float = 20.0, show_gradients: bool = False, grid_n: int = 40,
                 max_snapshots: int = 2000) -> None:
        if isinstance(dataset, str) and dataset.strip().lower() == "sine":
            loss = "mse"
        s = check_settings(dict(
            dataset=dataset, noise=noise, train_percent=train_percent, n_samples=n_samples,
            data_seed=data_seed, hidden_layers=hidden_layers, neurons=neurons,
            activation=activation, loss=loss, optimizer=optimizer, lr=lr, batch_size=batch_size,
            l2=l2, seed=seed, steps_per_frame=steps_per_frame))
        self.grid_n = check_int("grid_n", grid_n, minimum=2, maximum=200)
        self.max_snapshots = check_int("max_snapshots", max_snapshots, minimum=4)
        self._local = threading.local()
        self.viewing: int | None = None
        self.diverged: str | None = None
        self._resumed_note = ""
        self.player = Player(self._frame_step, self._frame_redraw, fps=fps,
                             on_error=self.show_error, on_stop=self._on_player_stop)
        self._lock = self.player.lock
        self._settings = s
        self._build(s)

        style = {"description_width": "initial"}
        lay = widgets.Layout

        # training controls
        self.play_button = widgets.ToggleButton(value=False, description="Play", icon="play",
                                                button_style="success", layout=lay(width="90px"),
                                                tooltip="train in the background; click again "
                                                        "to pause")
        self.step_button = widgets.Button(description="Step", icon="step-forward",
                                          layout=lay(width="80px"),
                                          tooltip=f"one frame: {s['steps_per_frame']} steps")
        self.rewind_button = widgets.Button(description="Rewind", icon="fast-backward",
                                            layout=lay(width="90px"),
                                            tooltip="back to the same initial weights")
        self.reset_button = widgets.Button(description="Reset", icon="refresh",
                                           layout=lay(width="80px"),
                                           tooltip="new random initial weights (seed + 1)")
        self.history_slider = widgets.IntSlider(value=0, min=0, max=0, description="history step",
                                                style=style, continuous_update=True,
                                                layout=lay(width="380px"))
        # data
        self.dataset_select = widgets.Dropdown(options=list(DATASET_NAMES), value=s["dataset"],
                                               description="dataset", style=style,
                                               layout=lay(width="170px"))
        self.noise_slider = widgets.FloatSlider(value=s["noise"], min=0.0, max=0.5, step=0.05,
                                                description="noise", style=style,
                                                readout_format=".2f", layout=lay(width="230px"))
        self.train_slider = widgets.IntSlider(value=s["train_percent"], min=10, max=90, step=10,
                                              description="training data %", style=style,
                                              layout=lay(width="280px"))
        # architecture
        self.layers_slider = widgets.IntSlider(value=s["hidden_layers"], min=0, max=MAX_LAYERS,
                                               description="hidden layers", style=style,
                                               layout=lay(width="240px"))
        self.neurons_slider = widgets.IntSlider(value=s["neurons"], min=1, max=MAX_NEURONS,
                                                description="neurons per layer", style=style,
                                                layout=lay(width="270px"))
        self.activation_select = widgets.Dropdown(options=list(ACTIVATION_NAMES),
                                                  value=s["activation"], description="activation",
                                                  style=style, layout=lay(width="200px"))
        self.loss_select = widgets.Dropdown(options=self._loss_options(s["dataset"]),
                                            value=s["loss"], description="loss", style=style,
                                            layout=lay(width="140px"))
        # optimisation
        self.optimizer_select = widgets.Dropdown(options=list(OPTIMIZER_NAMES),
                                                 value=s["optimizer"], description="optimizer",
                                                 style=style, layout=lay(width="180px"))
        self.lr_slider = widgets.FloatLogSlider(value=s["lr"], base=10,
                                                min=np.log10(LR_RANGE[0]),
                                                max=np.log10(LR_RANGE[1]), step=0.1,
                                                readout_format=".3g", description="learning rate",
                                                style=style, layout=lay(width="290px"))
        # (a SelectionSlider cannot hold None: 0 stands for "all")
        self.batch_slider = widgets.SelectionSlider(
            options=[("all", 0) if b is None else (str(b), b) for b in BATCH_CHOICES],
            value=s["batch_size"] or 0, description="batch size", style=style,
            layout=lay(width="250px"))
        self.l2_slider = widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in L2_CHOICES], value=s["l2"],
            description="L2 strength", style=style, layout=lay(width="260px"))
        self.seed_text = widgets.BoundedIntText(value=s["seed"], min=0, max=10 ** 6,
                                                description="weights seed", style=style,
                                                layout=lay(width="170px"))
        # display
        self.gradient_toggle = widgets.Checkbox(value=bool(show_gradients),
                                                description="show each neuron's mean |δ|",
                                                style=style, indent=False)
        self.test_toggle = widgets.Checkbox(value=True, description="show test data",
                                            style=style, indent=False)

        rows = [
            widgets.HBox([self.play_button, self.step_button, self.rewind_button,
                          self.reset_button, self.history_slider]),
            widgets.HBox([self.dataset_select, self.noise_slider, self.train_slider]),
            widgets.HBox([self.layers_slider, self.neurons_slider, self.activation_select,
                          self.loss_select]),
            widgets.HBox([self.optimizer_select, self.lr_slider, self.batch_slider,
                          self.l2_slider, self.seed_text]),
            widgets.HBox([self.gradient_toggle, self.test_toggle]),
        ]
        super().__init__(self._new_view(s), rows)

        for control, what in ((self.dataset_select, "dataset"), (self.noise_slider, "noise"),
                              (self.train_slider, "training share"),
                              (self.layers_slider, "architecture"),
                              (self.neurons_slider, "architecture"),
                              (self.activation_select, "activation"),
                              (self.loss_select, "loss"), (self.optimizer_select, "optimizer"),
                              (self.seed_text, "seed")):
            self.watch(control, lambda what=what: self._on_restart_control(what))
        for control in (self.lr_slider, self.batch_slider, self.l2_slider):
            self.watch(control, self._on_hyper)
        for control in (self.gradient_toggle, self.test_toggle):
            self.watch(control, self._on_display)
        self.watch(self.history_slider, self._on_history)
        self.watch(self.play_button, self._on_play)
        self.step_button.on_click(lambda _b: self._guarded(self.step))
        self.rewind_button.on_click(lambda _b: self._guarded(self.rewind))
        self.reset_button.on_click(lambda _b: self._guarded(self.reset))
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
    def playing(self) -> bool:
        """Whether training runs in the background."""
        return self.player.playing

    def settings(self) -> dict:
        """The current settings (JSON-ready; what :meth:`save_state` stores)."""
        return dict(self._settings)

    def __repr__(self) -> str:
        s = self._settings
        return (f"Playground(dataset={s['dataset']!r}, sizes={_sizes(s)}, "
                f"activation={s['activation']!r}, loss={s['loss']!r}, "
                f"optimizer={s['optimizer']!r}, lr={s['lr']:g}, step={self.trainer.step_count})")

    # -- actions ---------------------------------------------------------------------------
    def play(self) -> None:
        """Start training in the background (as the Play button)."""
        self.play_button.value = True

    def pause(self) -> None:
        """Stop background training after the current frame and wait for it."""
        self.play_button.value = False
        self.player.pause()

    def step(self, frames: int = 1) -> int:
        """Run ``frames`` frames now (pausing play first); returns the frames run."""
        self.pause()
        return self.player.run_frames(frames)

    def run_frames(self, n: int) -> int:
        """Synchronous play: exactly what Play does, ``n`` frames, in this thread."""
        return self.step(n)

    def rewind(self) -> None:
        """Back to the same initial weights (step 0), keeping every setting."""
        self.pause()
        with self._lock:
            self.trainer.rewind()
            self.viewing = None
            self.diverged = None
            self.refresh()
            self.show_note("Rewound to the same initial weights (step 0).")

    def reset(self) -> None:
        """New random initial weights: the seed goes up by one (training restarts)."""
        self.seed_text.value = self._settings["seed"] + 1

    def view_history(self, step: int) -> int:
        """Draw the network as it was at ``step`` (the latest snapshot at or before it).

        Nothing is discarded until training resumes from there.

        Returns
        -------
        int
            The step shown.
        """
        step = check_int("step", step, minimum=0)
        self.history_slider.value = min(step, self.history_slider.max)
        return self.shown_step

    # -- saving ----------------------------------------------------------------------------
    def save_state(self, path: str | os.PathLike) -> None:
        """Save the shown network and the settings (``.json`` or ``.npz``; no pickle)."""
        with self._lock:
            save_network(self.shown_net, path, extra={
                "widget": STATE_FORMAT, "version": STATE_VERSION, "settings": self.settings(),
                "step": self.shown_step})

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
        if extra.get("version") != STATE_VERSION:
            raise ValueError(f"{where}: unsupported version {extra.get('version')!r}")
        try:
            s = check_settings(extra.get("settings"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: bad settings ({exc})") from None
        expected = _make_net(s)
        if net.config() != expected.config():
            raise ValueError(f"{where}: its network {net.config()} does not match its "
                             f"settings (expected {expected.config()})")
        self.pause()
        with self._lock:
            self._apply(s, net)
            self.show_note(f"Loaded {os.fspath(path)!r} (saved at step {extra.get('step', '?')}):"
                           " its weights are the new starting point.")

    # -- building --------------------------------------------------------------------------
    def _build(self, s: dict, net: MLP | None = None) -> None:
        """Make dataset, network and trainer for settings ``s`` (all or nothing)."""
        data = _make_data(s)
        net = _make_net(s) if net is None else net
        trainer = Trainer(net, data, optimizer=s["optimizer"], lr=s["lr"],
                          batch_size=s["batch_size"], weight_decay=s["l2"], seed=s["seed"],
                          snapshot_every=s["steps_per_frame"], record_every=s["steps_per_frame"])
        self.dataset, self.trainer, self._settings = data, trainer, s
        self._view_net = net.copy()
        self.viewing = None
        self.diverged = None

    def _new_view(self, s: dict) -> PlaygroundView:
        view = PlaygroundView(_sizes(s), self.net.activation_names, extent=_extent(s["dataset"]),
                              classification=s["dataset"] != "sine", grid_n=self.grid_n)
        d = self.dataset
        view.set_data(d.X_train, d.y_train, d.X_test, d.y_test)
        return view

    def _apply(self, s: dict, net: MLP | None = None) -> None:
        """Rebuild for settings ``s`` and bring view and controls in line (under the lock)."""
        old = self._settings
        self._build(s, net)
        if _sizes(s)[0] != _sizes(old)[0]:
            self.view = self._new_view(s)
        else:
            self.view.set_structure(_sizes(s), self.net.activation_names)
            d = self.dataset
            self.view.set_data(d.X_train, d.y_train, d.X_test, d.y_test)
        with self._silent():
            self._set_controls(s)
        self.refresh()

    @staticmethod
    def _loss_options(dataset: str) -> list[str]:
        return ["mse"] if dataset == "sine" else list(_CLASS_LOSSES)

    def _set_controls(self, s: dict) -> None:
        self.dataset_select.value = s["dataset"]
        self.loss_select.options = self._loss_options(s["dataset"])
        self.loss_select.value = s["loss"]
        self.noise_slider.value = s["noise"]
        self.train_slider.value = s["train_percent"]
        self.layers_slider.value = s["hidden_layers"]
        self.neurons_slider.value = s["neurons"]
        self.activation_select.value = s["activation"]
        self.optimizer_select.value = s["optimizer"]
        self.lr_slider.value = s["lr"]
        self.batch_slider.value = s["batch_size"] or 0
        self.l2_slider.value = s["l2"]
        self.seed_text.value = s["seed"]

    @property
    def _quiet(self) -> bool:
        """Whether this thread is setting controls itself (their handlers then do nothing).

        Per thread: while the player's thread updates the history slider, a
        learner's change arriving on the kernel's thread must still count.
        """
        return getattr(self._local, "quiet", 0) > 0

    @contextmanager
    def _silent(self) -> Iterator[None]:
        self._local.quiet = getattr(self._local, "quiet", 0) + 1
        try:
            yield
        finally:
            self._local.quiet -= 1

    def _controls_settings(self) -> dict:
        s = dict(self._settings)
        s.update(dataset=self.dataset_select.value, noise=float(self.noise_slider.value),
                 train_percent=int(self.train_slider.value),
                 hidden_layers=int(self.layers_slider.value),
                 neurons=int(self.neurons_slider.value),
                 activation=self.activation_select.value, loss=self.loss_select.value,
                 optimizer=self.optimizer_select.value, lr=float(self.lr_slider.value),
                 batch_size=self.batch_slider.value or None, l2=float(self.l2_slider.value),
                 seed=int(self.seed_text.value))
        return s

    # -- control handlers ------------------------------------------------------------------
    def _guarded(self, action) -> None:
        try:
            action()
        except Exception as exc:
            self.show_error(exc)

    def _on_restart_control(self, what: str) -> None:
        if self._quiet:
            return
        self.pause()
        with self._lock:
            s = self._controls_settings()
            note = ""
            if s["dataset"] == "sine" and s["loss"] != "mse":
                s["loss"], note = "mse", " The sine set is regression: the loss is now mse."
            elif s["dataset"] != "sine" and s["loss"] not in _CLASS_LOSSES:
                s["loss"] = "bce"
            try:
                s = check_settings(s)
                self._apply(s)
            except Exception:
                with self._silent():  # the controls go back to what is trained
                    self._set_controls(self._settings)
                raise
            self.show_note(f"The {what} changed, so training restarted at step 0 from the "
                           f"initial weights of seed {s['seed']}.{note}")

    def _on_hyper(self) -> None:
        if self._quiet:
            return
        with self._lock:
            s = check_settings(self._controls_settings())
            self.trainer.lr = s["lr"]
            self.trainer.weight_decay = s["l2"]
            self.trainer.batch_size = s["batch_size"]
            self._settings = s
            if not self.playing:
                self.refresh()
            self.show_note("Learning rate, batch size and L2 change without restarting: "
                           "training goes on from here.")

    def _on_display(self) -> None:
        with self._lock:
            self.refresh()

    def _on_play(self) -> None:
        if self._quiet:
            return
        if self.play_button.value:
            self.play_button.description, self.play_button.icon = "Pause", "pause"
            self.player.play()
        else:
            self.play_button.description, self.play_button.icon = "Play", "play"
            self.player.pause()

    def _on_player_stop(self) -> None:
        with self._silent():
            self.play_button.value = False
            self.play_button.description, self.play_button.icon = "Play", "play"

    def _on_history(self) -> None:
        if self._quiet:
            return
        self.pause()
        with self._lock:
            value = self.history_slider.value
            if value >= self.trainer.step_count:
                self.viewing = None
            else:
                steps = list(self.trainer.history.snapshots)
                snap = self.trainer.history.snapshots[steps[bisect.bisect_right(steps, value) - 1]]
                self._view_net.set_params(snap.weights, snap.biases)
                self.viewing = snap.step
                if snap.step != value:
                    with self._silent():
                        self.history_slider.value = snap.step
            self.refresh()

    # -- frames ----------------------------------------------------------------------------
    def _frame_step(self) -> bool:
        """One frame of training (called with the lock held); False stops play."""
        if self.viewing is not None:  # resume from the viewed step: later history goes
            step = self.viewing
            self.trainer.restore(step)
            self.viewing = None
            self._resumed_note = (f"Resumed from step {step}: the later history was "
                                  "discarded.")
        try:
            self.trainer.step(self._settings["steps_per_frame"])
        except TrainingDiverged as exc:
            # The engine keeps the weights of the step before the failure, but with
            # whole-set losses measured once a frame those may already be huge: go
            # back to the last frame, whose losses were measured finite.
            last = next(reversed(self.trainer.history.snapshots))
            self.trainer.restore(last)
            self.diverged = (f"at step {exc.step} the loss became {fmt(exc.loss)} (learning "
                             f"rate {self.trainer.lr:g}). Play stopped; back at step {last}, "
                             "the last frame. Lower the learning rate and press Play.")
            return False
        self.diverged = None
        self._thin_snapshots()
        return True

    def _frame_redraw(self) -> None:
        self.refresh()
        if self.diverged:
            self.show_error(f"Training diverged: {self.diverged}")
        elif self._resumed_note:
            self.show_note(self._resumed_note)
            self._resumed_note = ""

    def _thin_snapshots(self) -> None:
        snaps = self.trainer.history.snapshots
        if len(snaps) > self.max_snapshots:
            for step in list(snaps)[1:-1:2]:
                del snaps[step]

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

    def refresh(self) -> bool:
        """Recompute and redraw (under the player's lock: never during a frame)."""
        with self._lock:
            return super().refresh()

    def update(self) -> None:
        """Draw the shown network: grid field, edges, curves, gradient overlay, titles."""
        with self._lock:
            net, step = self.shown_net, self.shown_step
            self.field = field = grid_field(net, _extent(self._settings["dataset"]), self.grid_n)
            curves, row = self._curves(step)
            h = self.trainer.history
            epoch = (h.epoch[row] if row is not None and h.step[row] == step
                     else self._epoch_at(step))
            title = f"Epoch {epoch:.1f} · step {step}"
            subtitle = self._numbers(row, step)
            status, error = "", False
            if self.viewing is not None:
                status = (f"History: step {step} of {self.trainer.step_count}. Play or Step "
                          "resumes training from here and discards the later steps.")
            elif self.diverged:
                status, error = f"Training diverged: {self.diverged}", True
            grad = self.mean_abs_delta(net) if self.gradient_toggle.value else None
            marker = whole = None
            if self.viewing is not None:
                marker = float(epoch)
                whole, _ = self._curves(self.trainer.step_count)
            self.view.show_test(self.test_toggle.value)
            self.view.update(field, net.weights, curves, title, subtitle, grad=grad,
                             marker=marker, whole=whole, status=status, error=error)
            with self._silent():
                self.history_slider.max = self.trainer.step_count
                self.history_slider.value = step

    def _epoch_at(self, step: int) -> float:
        snap = self.trainer.history.snapshots.get(step)
        if snap is not None:
            return snap.epoch + snap.position / self.trainer.n_train
        return float(self.trainer.epoch)  # (the live step after a divergence)

    def _numbers(self, row: int | None, step: int) -> str:
        s = self._settings
        h = self.trainer.history
        act = s["activation"] if s["hidden_layers"] else "(no hidden layer)"
        head = (f"{s['dataset']} · {_sizes(s)} {act} · {s['loss']} · "
                f"{s['optimizer']} lr {s['lr']:.3g} · batch "
                f"{'all' if s['batch_size'] is None else s['batch_size']} · L2 {s['l2']:g}")
        if row is None:
            return head + " · not trained yet"
        parts = [f"loss: train {fmt(h.train_loss[row])}"]
        if h.test_loss is not None:
            parts.append(f"test {fmt(h.test_loss[row])}")
        if h.train_acc is not None:
            parts.append(f"accuracy: train {100 * h.train_acc[row]:.1f}%")
            if h.test_acc is not None:
                parts.append(f"test {100 * h.test_acc[row]:.1f}%")
        where = "" if h.step[row] == step else f" (at step {h.step[row]})"
        return head + "\n" + " · ".join(parts) + where
