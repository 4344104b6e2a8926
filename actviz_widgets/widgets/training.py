"""The base of widgets that train a network while they draw: Train n, Play/Pause, Reset.

Shared by the gradient-health, dead-neuron and distribution widgets, with two
helpers for their controls.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..engine.datasets import DATASET_NAMES
from ..engine.training import TrainingDiverged
from ..engine.validation import check_int, check_positive
from .base import FigureWidget
from .player import Player

__all__ = ["TrainingWidget", "DATASETS", "NO_PRESET", "check_slider_value", "log_slider"]

#: Two-dimensional classification sets offered.
DATASETS = tuple(name for name in DATASET_NAMES if name != "sine")
#: The preset dropdown's value when the settings are not a preset's.
NO_PRESET = ""


class TrainingWidget(FigureWidget):
    """Base of the widgets that train a network while drawing diagnostics.

    Gives "Train n" buttons (synchronous, so tests and notebooks can drive
    them), a Play/Pause toggle that trains in the background through a
    :class:`~.player.Player`, a Reset button (back to step 0), and
    :meth:`watch_locked` for control handlers that change the model (they
    run between two frames of play, never in the middle of one).

    Subclasses call :meth:`init_training` first, set ``self.trainer``, put
    :meth:`training_row` in their controls, call :meth:`connect_training`
    after ``super().__init__``, and may override :meth:`after_training`
    (called with the lock held after steps were taken, or after a rewind).

    Attributes
    ----------
    player : Player
    play_button : ipywidgets.ToggleButton
    train_buttons : dict of int to ipywidgets.Button
    reset_button : ipywidgets.Button
    diverged : str or None
        The message of the last divergence (cleared by a successful step).
    """

    #: The "Train n" buttons offered.
    TRAIN_STEPS: tuple[int, ...] = (1, 10, 100)
    #: Training steps per frame of Play.
    STEPS_PER_FRAME = 5

    def init_training(self, fps: float = 15.0) -> None:
        """Build the player and the training controls (call first in ``__init__``)."""
        self.diverged: str | None = None
        self._quiet = 0  # > 0: control changes made by the widget itself (lock held)
        self._play_stopping = False
        self.player = Player(self._frame_step, self._frame_redraw, fps=fps,
                             on_error=self.show_error, on_stop=self._on_player_stop)
        lay = widgets.Layout
        self.play_button = widgets.ToggleButton(value=False, description="Play", icon="play",
                                                button_style="success", layout=lay(width="90px"),
                                                tooltip="train in the background; click again "
                                                        "to pause")
        self.train_buttons = {n: widgets.Button(description=f"Train {n}", icon="forward",
                                                layout=lay(width="100px"),
                                                tooltip=f"take {n} gradient steps now")
                              for n in self.TRAIN_STEPS}
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           layout=lay(width="80px"),
                                           tooltip="back to step 0 (the same initial weights)")

    def training_row(self) -> list[widgets.Widget]:
        """The training controls, for a row of the widget."""
        return [self.play_button, *self.train_buttons.values(), self.reset_button]

    def connect_training(self) -> None:
        """Connect the training controls (call after ``super().__init__``)."""
        self.play_button.observe(lambda _c: self._on_play(), names="value")
        for n, button in self.train_buttons.items():
            button.on_click(lambda _b, n=n: self._guarded(lambda: self.train(n)))
        self.reset_button.on_click(lambda _b: self._guarded(self.reset))

    # -- actions ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """Whether training runs in the background."""
        return self.player.playing

    def play(self) -> None:
        """Start training in the background (as the Play button)."""
        self.play_button.value = True

    def pause(self) -> None:
        """Stop background training after the current frame and wait for it."""
        self.play_button.value = False
        self.player.pause()

    def run_frames(self, n: int) -> int:
        """Run ``n`` frames of Play now, in this thread; returns the frames run."""
        self.pause()
        return self.player.run_frames(n)

    def train(self, steps: int) -> None:
        """Take ``steps`` gradient steps now and redraw (pauses Play first).

        If training diverges, the steps before are kept and drawn, and the
        message says what happened.
        """
        steps = check_int("steps", steps, minimum=0)
        self.pause()
        with self.player.lock:
            self._train(steps)
            self._frame_redraw()

    def reset(self) -> None:
        """Back to the initial weights (step 0) with an empty history."""
        self.pause()
        with self.player.lock:
            self.trainer.rewind()
            self.diverged = None
            self.after_training()
            self.refresh()

    def after_training(self) -> None:
        """Hook: steps were taken or the trainer rewound (lock held)."""

    def watch_locked(self, control: widgets.Widget, handler: Callable[[], None]) -> None:
        """:meth:`watch` with ``handler`` run under the player's lock."""
        def locked() -> None:
            if self._quiet:
                return
            with self.player.lock:
                handler()
        self.watch(control, locked)

    # -- internals -------------------------------------------------------------------------
    def _train(self, steps: int) -> bool:
        """Take steps (lock held); False if training diverged."""
        try:
            self.trainer.step(steps)
        except TrainingDiverged as exc:
            self.diverged = str(exc)
            return False
        finally:
            self.after_training()
        self.diverged = None
        return True

    def _frame_step(self) -> bool:
        return self._train(self.STEPS_PER_FRAME)

    def _frame_redraw(self) -> None:
        if self.refresh() and self.diverged:
            self.show_error(self.diverged)

    def _on_play(self) -> None:
        if self._quiet or self._play_stopping:
            return
        if self.play_button.value:
            self.play_button.description, self.play_button.icon = "Pause", "pause"
            self.player.play()
        else:
            self.play_button.description, self.play_button.icon = "Play", "play"
            self.player.pause()

    def _on_player_stop(self) -> None:
        # In the player's thread, without the lock (pause() may be waiting for this
        # thread while holding it): so its own flag, not the lock-guarded _quiet.
        self._play_stopping = True
        try:
            self.play_button.value = False
            self.play_button.description, self.play_button.icon = "Play", "play"
        finally:
            self._play_stopping = False

    def _guarded(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a button must never raise into the page
            self.show_error(exc)


    # -- presets (subclasses with a ``preset`` dropdown and ``apply_preset``) -----------------
    def _clear_preset(self) -> None:
        """Show "no preset": a control moved by hand, so the settings are no longer one."""
        self._quiet += 1
        try:
            self.preset.value = NO_PRESET
        finally:
            self._quiet -= 1

    def _on_preset(self) -> None:
        if self.preset.value != NO_PRESET:
            self.apply_preset(self.preset.value)


def check_slider_value(name: str, value, bounds: tuple[float, float]) -> float:
    """``value`` as a float if it is a number > 0 within a slider's ``bounds``, else raise."""
    value = check_positive(name, value)
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name} must be between {bounds[0]:g} and {bounds[1]:g} (the "
                         f"slider's range); got {value!r}")
    return value


def log_slider(description: str, value: float, bounds: tuple[float, float],
               style: dict) -> widgets.FloatLogSlider:
    """A base-10 log slider over ``bounds`` (steps of 0.05 decades)."""
    return widgets.FloatLogSlider(value=value, base=10, min=np.log10(bounds[0]),
                                  max=np.log10(bounds[1]), step=0.05, readout_format=".3g",
                                  description=description, style=style,
                                  layout=widgets.Layout(width="290px"))
