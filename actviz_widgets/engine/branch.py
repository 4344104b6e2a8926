"""Two runs from one point of a training history: one unchanged, one with one setting changed.

:class:`Branch` takes a :class:`~actviz_widgets.engine.training.Trainer` and a
step of its history, and starts two runs there:

* run A continues with every setting as it was: it reproduces, number for
  number, what the original trainer computes when it trains on from that
  step (the same weights, the same epoch and position in the batch order,
  the same optimiser: its state at the live step, cleared at an earlier
  one, as :meth:`Trainer.restore` clears it);
* run B is the same but for ONE setting of :data:`BRANCH_SETTINGS`: the
  learning rate, the optimiser, the batch size, the L2 strength or the
  hidden layers' activation.

Both see the data in the same order (the order depends only on the seed and
the epoch), so any difference between their curves is the setting's.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import ACTIVATION_NAMES
from .network import MLP
from .optimizers import OPTIMIZER_NAMES, SGD, Adam, make_optimizer
from .training import Snapshot, Trainer, TrainingDiverged
from .validation import check_choice, check_int, check_nonnegative, check_positive

__all__ = ["Branch", "Change", "BRANCH_SETTINGS", "FULL_BATCH", "trainer_settings",
           "check_change"]

#: The settings a branch may change, as the playground names them.
BRANCH_SETTINGS: tuple[str, ...] = ("lr", "optimizer", "batch_size", "l2", "activation")
#: The batch size meaning the whole training set (``None`` is taken for it too).
FULL_BATCH = "all"


@dataclass(frozen=True)
class Change:
    """The one setting run B changes.

    Attributes
    ----------
    name : str
        One of :data:`BRANCH_SETTINGS`.
    before, after : object
        Run A's value (the original run's) and run B's. A full batch is
        :data:`FULL_BATCH`.
    """

    name: str
    before: Any
    after: Any


def _optimizer_name(optimizer) -> str:
    if isinstance(optimizer, Adam):
        return "adam"
    if isinstance(optimizer, SGD):
        return "momentum" if optimizer.momentum > 0 else "sgd"
    raise TypeError(f"the trainer's optimizer must be SGD or Adam; got "
                    f"{type(optimizer).__name__}")


def trainer_settings(trainer: Trainer) -> dict[str, Any]:
    """The values of :data:`BRANCH_SETTINGS` a trainer trains with now.

    ``activation`` is the hidden layers' (``None`` when they differ or there
    are none); ``batch_size`` is :data:`FULL_BATCH` for the whole set.
    """
    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a Trainer; got {type(trainer).__name__}")
    hidden = set(trainer.net.activation_names[:-1])
    return {"lr": trainer.lr, "optimizer": _optimizer_name(trainer.optimizer),
            "batch_size": FULL_BATCH if trainer.batch_size is None else trainer.batch_size,
            "l2": trainer.weight_decay,
            "activation": hidden.pop() if len(hidden) == 1 else None}


def _check_value(name: str, value: Any) -> Any:
    if name == "lr":
        return check_positive("lr", value)
    if name == "l2":
        return check_nonnegative("l2", value)
    if name == "batch_size":
        if value is None or (isinstance(value, str) and value.strip().lower() == FULL_BATCH):
            return FULL_BATCH
        return check_int("batch_size", value, minimum=1)
    if name == "optimizer":
        return check_choice("optimizer", value, OPTIMIZER_NAMES)
    return check_choice("activation", value, ACTIVATION_NAMES)


def check_change(trainer: Trainer, change: Mapping[str, Any]) -> Change:
    """The one change of ``change`` (``{name: value}``), checked against ``trainer``.

    Raises
    ------
    ValueError
        If ``change`` names no setting or more than one, a name not in
        :data:`BRANCH_SETTINGS`, a bad value, or the value the run already has.
    TypeError
        If a value has the wrong type.
    """
    names = list(change)
    unknown = [n for n in names if n not in BRANCH_SETTINGS]
    if unknown:
        raise ValueError(f"a branch can change {', '.join(BRANCH_SETTINGS)}; got "
                         f"{', '.join(map(repr, unknown))}")
    if len(names) != 1:
        raise ValueError("a branch changes exactly one setting, so that the difference between "
                         f"the runs is that setting's; got {len(names)}"
                         + (f" ({', '.join(names)})" if names else
                            f": name one of {', '.join(BRANCH_SETTINGS)}, e.g. lr=0.03"))
    name = names[0]
    after = _check_value(name, change[name])
    before = trainer_settings(trainer)[name]
    if name == "activation" and before is None:
        raise ValueError("activation can be changed only in a network whose hidden layers "
                         "all have one activation; this one's are "
                         f"{trainer.net.activation_names[:-1] or 'none (no hidden layer)'}")
    if after == before:
        raise ValueError(f"{name} is already {before!r} in this run: give run B another value "
                         "to compare with")
    return Change(name, before, after)


def _run_settings(settings: dict[str, Any], change: Change | None) -> dict[str, Any]:
    out = dict(settings)
    if change is not None:
        out[change.name] = change.after
    return out


class Branch:
    """Runs A (unchanged) and B (one setting changed) from one step of a trainer's history.

    Parameters
    ----------
    trainer : Trainer
        The original run; it is only read, never changed.
    change : mapping
        ``{name: value}`` with exactly one name of :data:`BRANCH_SETTINGS`
        (``{"lr": 0.03}``), a value other than the run's.
    at_step : int, optional
        The step to start from: the trainer's current step (the default) or
        one with a snapshot in ``trainer.history.snapshots``.
    data : Dataset or tuple, optional
        The original run's data (for the task: classification or
        regression); default ``(X_train, y_train[, X_test, y_test])`` of the
        trainer.
    record_every : int, default 1
        Record a history row every this many steps (of each run).

    Attributes
    ----------
    change : Change
    start : Snapshot
        The starting point (step, epoch, position in the batch order, weights).
    runs : tuple of (Trainer, Trainer)
        Run A and run B; their step counts start at ``start.step``.
    diverged : list of (str or None)
        Per run, why it stopped (it trains no further until :meth:`rewind`).
    before : dict
        The original run's history rows up to ``start.step``: ``step``,
        ``train_loss`` and ``test_loss`` (``None`` without a test set).

    Raises
    ------
    ValueError
        A bad change (see :func:`check_change`), or no snapshot at an earlier ``at_step``.
    """

    def __init__(self, trainer: Trainer, change: Mapping[str, Any], at_step: int | None = None,
                 data=None, record_every: int = 1) -> None:
        self.change = check_change(trainer, change)
        snaps = trainer.history.snapshots
        step = trainer.step_count if at_step is None else check_int("at_step", at_step,
                                                                      minimum=0)
        if step > trainer.step_count:
            raise ValueError(f"at_step must be at most the run's current step "
                             f"{trainer.step_count}; got {step}")
        snap = snaps.get(step)
        if snap is None and step == trainer.step_count:
            snap = trainer.current_snapshot()  # the live step: exactly where the run is
        if snap is None:
            kept = sorted(snaps)
            shown = ", ".join(map(str, kept)) if len(kept) <= 8 else (
                ", ".join(map(str, kept[:3])) + ", ..., " + ", ".join(map(str, kept[-3:])))
            raise ValueError(f"no snapshot of the weights at step {step} to start from; the "
                             f"history has them at steps {shown}")
        self.record_every = check_int("record_every", record_every, minimum=1)
        self.start = Snapshot(snap.step, snap.epoch, snap.position,
                              [w.copy() for w in snap.weights], [b.copy() for b in snap.biases])
        first = snaps[min(snaps)]
        self._initial = ([w.copy() for w in first.weights], [b.copy() for b in first.biases])
        self._config = trainer.net.config()
        self._settings = trainer_settings(trainer)
        self._seed = trainer.seed
        self._snapshot_every = trainer.snapshot_every
        if data is None:
            data = ((trainer.X_train, trainer.y_train) if trainer.X_test is None else
                    (trainer.X_train, trainer.y_train, trainer.X_test, trainer.y_test))
        self._data = data
        self._start_losses: dict = {}  # (activation, test) -> the loss at the start
        # The optimiser carries its state (momentum, Adam's moments) only at the live
        # step: from an earlier snapshot the original run, too, restarts with none.
        self._optimizer = copy.deepcopy(trainer.optimizer)
        if step != trainer.step_count:
            self._optimizer.reset()
        h = trainer.history
        upto = sum(1 for k in h.step if k <= step)
        self.before = {"step": list(h.step[:upto]), "train_loss": list(h.train_loss[:upto]),
                       "test_loss": None if h.test_loss is None else list(h.test_loss[:upto])}
        self.rewind()

    # -- the runs ------------------------------------------------------------------------------
    def _make_run(self, change: Change | None) -> Trainer:
        s = _run_settings(self._settings, change)
        config = dict(self._config)
        if change is not None and change.name == "activation":
            config["activation"] = [s["activation"]] * len(config["activation"])
        net = MLP(config["sizes"], activation=config["activation"],
                  output_activation=config["output_activation"], loss=config["loss"],
                  init=config["init"], weight_scale=config["weight_scale"], seed=config["seed"])
        net.set_params(*self._initial)  # the original run's step 0, for rewind()
        if change is not None and change.name == "optimizer":
            optimizer = make_optimizer(s["optimizer"], lr=s["lr"], weight_decay=s["l2"])
        else:
            optimizer = copy.deepcopy(self._optimizer)
            optimizer.lr, optimizer.weight_decay = s["lr"], s["l2"]
        run = Trainer(net, self._data, lr=s["lr"],
                      batch_size=None if s["batch_size"] == FULL_BATCH else s["batch_size"],
                      weight_decay=s["l2"], seed=self._seed,
                      snapshot_every=self._snapshot_every, record_every=self.record_every)
        # Start at the snapshot: restore() sets the weights, the epoch and the position in
        # the batch order, and clears the optimiser, whose state is then put back.
        start = self.start
        run.history.snapshots[start.step] = Snapshot(start.step, start.epoch, start.position,
                                                     start.weights, start.biases)
        run.restore(start.step)
        run.optimizer = optimizer
        return run

    def rewind(self) -> None:
        """Both runs back to the starting point (the same weights and optimiser state)."""
        self.runs: tuple[Trainer, Trainer] = (self._make_run(None), self._make_run(self.change))
        self.diverged: list[str | None] = [None, None]

    @property
    def run_a(self) -> Trainer:
        """Run A: every setting as in the original run."""
        return self.runs[0]

    @property
    def run_b(self) -> Trainer:
        """Run B: the changed setting."""
        return self.runs[1]

    @property
    def step_count(self) -> int:
        """Steps taken since the starting point (by the run that took most)."""
        return max(r.step_count for r in self.runs) - self.start.step

    def step(self, n: int = 1) -> None:
        """Take ``n`` steps in each run that has not diverged.

        Raises
        ------
        TrainingDiverged
            If a run diverged now (the other one still took its steps); the
            message names the run.
        """
        n = check_int("n", n, minimum=0)
        failed = None
        for k, run in enumerate(self.runs):
            if self.diverged[k] is not None:
                continue
            try:
                run.step(n)
            except TrainingDiverged as exc:
                self.diverged[k] = str(exc)
                failed = failed or (k, exc)
        if failed is not None:
            k, exc = failed
            raise TrainingDiverged(f"run {'AB'[k]}: {exc}", step=exc.step, epoch=exc.epoch,
                                   loss=exc.loss)

    def losses(self, run: int, test: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, losses)`` of run 0 (A) or 1 (B) from the starting point on.

        The first point is the starting point itself (step ``start.step``,
        the loss measured there), so the curves of both runs begin together.
        ``test=True``: the test-set loss (empty arrays without a test set).
        """
        run = self.runs[check_int("run", run, minimum=0, maximum=1)]
        h = run.history
        values = h.test_loss if test else h.train_loss
        if values is None:
            return np.empty(0), np.empty(0)
        first = self._start_loss(run, test)
        steps = np.array([self.start.step, *h.step], dtype=float)
        return steps, np.array([first, *values], dtype=float)

    def _start_loss(self, run: Trainer, test: bool) -> float:
        """The loss of ``run``'s network (its activation) with the starting weights."""
        key = (run.net.activation_names[0], test)
        if key not in self._start_losses:
            net = run.net.copy()
            net.set_params(self.start.weights, self.start.biases)
            X, y = (run.X_test, run.y_test) if test else (run.X_train, run.y_train)
            value = net.loss_value(X, y)
            self._start_losses[key] = value if math.isfinite(value) else math.nan
        return self._start_losses[key]

    def __repr__(self) -> str:
        c = self.change
        return (f"Branch({c.name}: {c.before!r} -> {c.after!r}, from step {self.start.step}, "
                f"steps {[r.step_count for r in self.runs]})")
