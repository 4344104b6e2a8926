"""The base of widgets that train while they draw: Play/Pause, Train n, Reset, New weights.

Shared by the playground and the gradient-health, dead-neuron and
distribution widgets.  One path for playing, stepping and resetting:

* **Play** runs frames (``STEPS_PER_FRAME`` steps, then a redraw) on the
  kernel's event loop (:class:`~.player.Player`); a control moved while it
  plays applies before the next frame.
* **Train n** takes n steps now.
* **Reset** goes back to step 0 and the same initial weights, whatever happened.
* **New weights** draws new initial weights (the ``seed`` setting + 1) and starts again.

A subclass declares its settings with ``effect="restart"`` (a new model,
training starts again), ``"live"`` (applied to the running model, e.g. the
learning rate) or ``"display"`` (a redraw only), implements
:meth:`TrainingWidget.build` and :meth:`TrainingWidget.update`, and may
declare :attr:`TrainingWidget.PRESETS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import ipywidgets as widgets

from ..engine.datasets import DATASET_NAMES
from ..engine.training import TrainingDiverged
from ..engine.validation import check_choice, check_int
from ..i18n import has_key
from .base import FigureWidget
from .player import Player
from .settings import Choice, SettingSpec

__all__ = ["TrainingWidget", "DATASETS", "NO_PRESET", "MAX_SEED", "preset_setting", "hidden_of",
           "depth_of"]

#: Two-dimensional classification sets offered.
DATASETS = tuple(name for name in DATASET_NAMES if name != "sine")
#: The preset setting's value when the settings are not a preset's.
NO_PRESET = ""
#: Largest seed a seed box takes.
MAX_SEED = 10 ** 6


def hidden_of(sizes, n_in: int, n_out: int) -> list[int]:
    """The hidden widths of a network's ``sizes`` (the ``sizes=`` argument every widget takes).

    Raises
    ------
    ValueError, TypeError
        If ``sizes`` is not a list of positive integers whose first and last
        are the widget's input and output sizes.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a list of layer sizes like [{n_in}, 8, 8, {n_out}]; "
                        f"got {sizes!r}")
    sizes = [check_int("each entry of sizes", n, minimum=1) for n in sizes]
    if len(sizes) < 2 or sizes[0] != n_in or sizes[-1] != n_out:
        raise ValueError(f"sizes must start with this widget's {n_in} input(s) and end with "
                         f"its {n_out} output(s), e.g. [{n_in}, 8, 8, {n_out}]; got {sizes}")
    return sizes[1:-1]


def depth_of(sizes, width: int, n_in: int = 2, n_out: int = 1) -> int:
    """How many hidden layers ``sizes`` has, for a widget whose hidden layers are ``width`` wide."""
    hidden = hidden_of(sizes, n_in, n_out)
    if any(h != width for h in hidden) or not hidden:
        raise ValueError(f"this widget's hidden layers have {width} neurons each: sizes must "
                         f"look like [{n_in}, {width}, {width}, {n_out}]; got {list(sizes)}")
    return len(hidden)


def preset_setting(presets: Mapping[str, tuple[str, dict]]) -> Choice:
    """The ``preset`` setting of a widget with ``presets`` (name -> (label, settings)).

    Its label and its first option ("choose a preset…") come from the
    ``training`` catalogue area; a preset's label from ``"<area>.preset.<name>"``
    where the widget's area has one, else the English label given here.
    """
    return Choice(NO_PRESET, [("", NO_PRESET),
                              *((label, name) for name, (label, _) in presets.items())],
                  label="", effect="preset", width="330px")


class TrainingWidget(FigureWidget):
    """Base of the widgets that train a network while drawing.

    Subclasses call :meth:`init_training` after :meth:`init_settings`, put
    :meth:`training_row` in their controls, and implement :meth:`build`
    (a new model from the settings: sets ``self.trainer``) and
    :meth:`update`.  :meth:`after_training` is called after steps were
    taken or the trainer rewound.

    Attributes
    ----------
    player : Player
    play_button : ipywidgets.ToggleButton
    train_buttons : dict of int to ipywidgets.Button
    reset_button : ipywidgets.Button
        Back to step 0, the same initial weights.
    new_weights_button : ipywidgets.Button or None
        New initial weights (seed + 1); only for widgets with a ``seed`` setting.
    diverged : str or None
        The message of the last divergence (cleared by a successful step).
    """

    #: The "Train n" buttons offered.
    TRAIN_STEPS: tuple[int, ...] = (1, 10, 100)
    #: Training steps per frame of Play.
    STEPS_PER_FRAME = 5
    #: name -> (label, settings); settings may hold ``"train": n`` (steps taken after applying).
    PRESETS: dict[str, tuple[str, dict]] = {}

    def init_training(self, fps: float = 15.0) -> None:
        """Build the player and the training controls (after :meth:`init_settings`)."""
        self.diverged: str | None = None
        self.player = Player(self._frame, fps=fps, on_error=self.show_error,
                             on_stop=self._on_player_stop)
        lay = widgets.Layout
        self.play_button = widgets.ToggleButton(
            value=False, description=self.tr("training.play"), icon="play",
            button_style="success", layout=lay(width="90px"),
            tooltip=self.tr("training.play.help"))
        self.play_button.observe(self._on_play_button, names="value")
        self.train_buttons = {n: widgets.Button(description=self.tr("training.train", n=n),
                                                icon="forward", layout=lay(width="100px"),
                                                tooltip=self.tr("training.train.help", n=n))
                              for n in self.TRAIN_STEPS}
        for n, button in self.train_buttons.items():
            button.on_click(self.guarded(lambda n=n: self.train(n)))
        self.reset_button = widgets.Button(
            description=self.tr("training.reset"), icon="undo", layout=lay(width="80px"),
            tooltip=self.tr("training.reset.help"))
        self.reset_button.on_click(self.guarded(self.reset))
        self.new_weights_button = None
        if "seed" in self.setting_names():
            self.new_weights_button = widgets.Button(
                description=self.tr("training.new_weights"), icon="random",
                layout=lay(width="132px"), tooltip=self.tr("training.new_weights.help"))
            self.new_weights_button.on_click(self.guarded(self.new_weights))

    def training_row(self) -> list[widgets.Widget]:
        """The training controls, for a row of the widget."""
        extra = [self.new_weights_button] if self.new_weights_button is not None else []
        return [self.play_button, *self.train_buttons.values(), self.reset_button, *extra]

    # -- subclass hooks --------------------------------------------------------------------
    def build(self) -> None:
        """A new model from the settings, at step 0 (subclasses; sets ``self.trainer``)."""
        raise NotImplementedError

    def apply_live(self, names: set[str]) -> None:
        """Apply ``"live"`` settings to the running model (default: the learning rate)."""
        if "lr" in names:
            self.trainer.lr = self.lr

    def after_training(self) -> None:
        """Hook: steps were taken or the trainer rewound."""

    def divergence_message(self, exc: TrainingDiverged) -> str:
        """What to tell the learner when training diverged (subclasses name the real cause).

        In English the engine's own message (it names what stopped being
        finite); in another language the catalogue's ``training.diverged``,
        filled with the step, epoch and learning rate the engine reports.
        """
        if self.language == "en":
            return str(exc)
        return self.tr("training.diverged", step=exc.step, epoch=exc.epoch,
                       lr=f"{self.trainer.lr:g}", previous=exc.step - 1,
                       advice=self.tr("training.diverged.advice"))

    def localized_spec(self, name: str) -> SettingSpec:
        """As :meth:`SettingsOwner.localized_spec`; the ``preset`` setting's label and
        "choose a preset…" come from the ``training`` area (every trainer shares them)."""
        if name != "preset":
            return super().localized_spec(name)
        spec = self.setting_spec(name)
        area = self.i18n_area
        options = []
        for label, value in spec.options:
            key = f"{area}.preset.{value}"
            if value == NO_PRESET:
                label = self.tr("training.no_preset")
            elif area is not None and has_key(key, "en"):
                label = self.tr(key)
            options.append((label, value))
        return replace(spec, label=self.tr("training.preset"), options=tuple(options))

    # -- actions ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """Whether training runs continuously (Play)."""
        return self.player.playing

    def play(self) -> None:
        """Start training continuously, as the Play button (needs a running event loop)."""
        self.play_button.value = True

    def pause(self) -> None:
        """Stop continuous training after the current frame."""
        self.player.pause()
        self.play_button.value = False

    def run_frames(self, n: int) -> int:
        """Run ``n`` frames of Play now, synchronously; returns the frames run."""
        self.pause()
        return self.player.run_frames(n)

    def train(self, steps: int) -> None:
        """Take ``steps`` gradient steps now and redraw (pauses Play first).

        If training diverges, the steps before are kept and drawn, and the
        message says what happened.
        """
        steps = check_int("steps", steps, minimum=0)
        self.pause()
        self._steps_and_redraw(steps)

    def reset(self) -> None:
        """Back to step 0 and the initial weights, with an empty history."""
        self.pause()
        self.trainer.rewind()
        self.diverged = None
        self.after_training()
        self.clear_message()
        self.refresh()

    def new_weights(self) -> None:
        """New initial weights: the ``seed`` setting + 1 (training starts again)."""
        self.seed = self.seed + 1

    def apply_preset(self, name: str) -> None:
        """Apply the preset ``name`` of :attr:`PRESETS` (as choosing it in the dropdown)."""
        name = check_choice("preset", name, self.PRESETS)
        if self.preset == name:
            self._apply_preset(name)
        else:
            self.preset = name

    # -- settings --------------------------------------------------------------------------
    def settings_changed(self, names: set[str]) -> None:
        effects = {self.setting_spec(n).effect for n in names}
        if "preset" in effects:
            if self.preset != NO_PRESET:
                self._apply_preset(self.preset)
            names = {n for n in names if self.setting_spec(n).effect != "preset"}
            if not names:
                return
            effects = {self.setting_spec(n).effect for n in names}
        elif "preset" in self.setting_names() and self.preset != NO_PRESET:
            if not self._matches(self.PRESETS[self.preset][1]):
                self.preset = NO_PRESET  # moved by hand: no longer the preset
        if "restart" in effects:
            try:
                self.build()
            except Exception as exc:  # noqa: BLE001 - shown; the old model stays
                self.show_error(exc)
                return
            self.diverged = None
            self.clear_message("note")
        elif "live" in effects:
            self.apply_live(names)
        if not self.playing:  # while playing, the next frame draws it
            self.refresh()

    def _matches(self, values: dict) -> bool:
        return all(getattr(self, k) == v for k, v in values.items() if k != "train")

    def _apply_preset(self, name: str) -> None:
        values = dict(self.PRESETS[name][1])
        steps = values.pop("train", 0)
        self.apply(**values)
        if steps:  # a preset that trains starts from step 0
            self.reset()
            self.train(steps)

    # -- internals -------------------------------------------------------------------------
    def _train(self, steps: int) -> bool:
        """Take steps; False if training diverged."""
        try:
            self.trainer.step(steps)
        except TrainingDiverged as exc:
            self.diverged = self.divergence_message(exc)
            return False
        finally:
            self.after_training()
        self.diverged = None
        return True

    def _frame(self) -> bool:
        """One frame of Play; False stops playing.

        While the page is behind (frames sent and not yet handled, see
        :mod:`.receipts`), training goes on and the frame is not drawn: the
        page is never flooded, and the next frame it can take shows the latest.
        """
        if self.receipts.page_is_behind():
            self.receipts.skipped += 1
            self._undrawn = True
            return self._train(self.STEPS_PER_FRAME)
        self._undrawn = False
        return self._steps_and_redraw(self.STEPS_PER_FRAME)

    def _steps_and_redraw(self, steps: int) -> bool:
        with self.batch():  # whatever the steps change (sliders following them): one redraw
            done = self._train(steps)
            self.refresh()
        if self.diverged and self.error is None:
            self.show_error(self.diverged)
        return done

    def _on_play_button(self, change: dict) -> None:
        button = self.play_button
        if change["new"]:
            try:
                self.player.play()
            except RuntimeError as exc:
                self.show_error(exc)
                button.value = False
                return
            button.description, button.icon = self.tr("training.pause"), "pause"
        else:
            self.player.pause()
            button.description, button.icon = self.tr("training.play"), "play"
            if getattr(self, "_undrawn", False):  # the last frames were skipped: show them
                self._undrawn = False
                self.refresh()

    def _on_player_stop(self) -> None:
        self.play_button.value = False  # play ended by itself (diverged, or an error)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.settings().items() if k != "preset")
        return f"{type(self).__name__}({shown}, step={self.trainer.step_count})"

