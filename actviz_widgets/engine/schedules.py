"""Learning-rate schedules: the learning rate as a function of the step.

A schedule is a callable ``schedule(t) -> lr`` of the step ``t`` (counting
from 0: ``schedule(0)`` is the learning rate of the first step).  The four
kinds a lesson compares:

``Constant(lr)``
    ``lr`` at every step.
``StepDecay(lr, milestones, factor)``
    ``lr · factor^k`` where ``k`` is the number of milestones ``<= t``:
    constant, then a sudden drop at each milestone.
``Cosine(lr, total_steps, final_lr=0)``
    ``final_lr + (lr − final_lr) · (1 + cos(π t / T)) / 2`` for ``t < T``,
    then ``final_lr``: starts at ``lr`` and falls smoothly, slowly at first
    and at the end, fastest in the middle.
``Warmup(after, warmup_steps)``
    ``after(0) · (t + 1) / W`` for the first ``W`` steps (a linear ramp up to
    ``after``'s first value), then ``after(t − W)``.  Warm-up with cosine is
    ``Warmup(Cosine(lr, T − W), W)``.

:func:`make_schedule` builds them by name over a horizon of ``total_steps``,
:func:`scaled_lr` is the linear scaling rule linking batch size and
learning rate, and :func:`scheduled_steps` drives a
:class:`~actviz_widgets.engine.training.Trainer` with a schedule (it sets
``trainer.lr`` before each step).

Examples
--------
>>> s = make_schedule("warmup_cosine", 0.1, total_steps=10, warmup_steps=2)
>>> [round(s(t), 4) for t in range(4)]
[0.05, 0.1, 0.1, 0.0962]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .validation import check_choice, check_int, check_nonnegative, check_positive

__all__ = ["Schedule", "Constant", "StepDecay", "Cosine", "Warmup", "SCHEDULE_NAMES",
           "make_schedule", "scaled_lr", "scheduled_steps"]

#: Names :func:`make_schedule` knows, in the order lessons compare them.
SCHEDULE_NAMES: tuple[str, ...] = ("constant", "step", "cosine", "warmup_cosine")


class Schedule:
    """Base class: a learning rate for every step ``t = 0, 1, 2, ...``.

    Subclasses implement :meth:`value`; calling the schedule checks ``t``.
    """

    #: Short name shown in pictures and reprs.
    name: str = "schedule"

    def __call__(self, t: int) -> float:
        """The learning rate of step ``t`` (0-based)."""
        return self.value(check_int("t", t, minimum=0))

    def value(self, t: int) -> float:  # pragma: no cover - abstract
        """The learning rate of step ``t`` (already checked)."""
        raise NotImplementedError

    def values(self, steps: int) -> np.ndarray:
        """The learning rates of steps ``0 .. steps - 1`` as an array."""
        steps = check_int("steps", steps, minimum=0)
        return np.array([self.value(t) for t in range(steps)], dtype=float)


class Constant(Schedule):
    """The same learning rate ``lr`` (> 0) at every step."""

    name = "constant"

    def __init__(self, lr: float) -> None:
        self.lr = check_positive("lr", lr)

    def value(self, t: int) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"Constant(lr={self.lr:g})"


class StepDecay(Schedule):
    """``lr`` multiplied by ``factor`` at each milestone step.

    Parameters
    ----------
    lr : float
        The learning rate before the first milestone (> 0).
    milestones : sequence of int
        Steps (>= 1, increasing) from which the next factor applies.
    factor : float, default 0.1
        The multiplier at each milestone, in (0, 1].
    """

    name = "step"

    def __init__(self, lr: float, milestones: Sequence[int], factor: float = 0.1) -> None:
        self.lr = check_positive("lr", lr)
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence):
            raise TypeError(f"milestones must be a sequence of steps; got {milestones!r}")
        self.milestones = tuple(check_int("milestones", m, minimum=1) for m in milestones)
        if any(b <= a for a, b in zip(self.milestones, self.milestones[1:])):
            raise ValueError(f"milestones must increase; got {list(self.milestones)}")
        self.factor = check_positive("factor", factor, maximum=1.0)

    def value(self, t: int) -> float:
        k = sum(1 for m in self.milestones if t >= m)
        return self.lr * self.factor ** k

    def __repr__(self) -> str:
        return f"StepDecay(lr={self.lr:g}, milestones={list(self.milestones)}, " \
               f"factor={self.factor:g})"


class Cosine(Schedule):
    """Cosine decay from ``lr`` to ``final_lr`` over ``total_steps`` steps.

    ``lr_t = final_lr + (lr − final_lr) · (1 + cos(π t / T)) / 2`` for
    ``t < T``, ``final_lr`` afterwards.  With ``final_lr = 0`` and one step
    per epoch this is the case study's ``cosine_lr(lr, epoch, epochs)``.

    Parameters
    ----------
    lr : float
        The first step's learning rate (> 0).
    total_steps : int
        The horizon T (>= 1).
    final_lr : float, default 0
        Where it ends, in [0, lr].
    """

    name = "cosine"

    def __init__(self, lr: float, total_steps: int, final_lr: float = 0.0) -> None:
        self.lr = check_positive("lr", lr)
        self.total_steps = check_int("total_steps", total_steps, minimum=1)
        self.final_lr = check_nonnegative("final_lr", final_lr, maximum=self.lr)

    def value(self, t: int) -> float:
        if t >= self.total_steps:
            return self.final_lr
        return self.final_lr + (self.lr - self.final_lr) * 0.5 * (
            1.0 + math.cos(math.pi * t / self.total_steps))

    def __repr__(self) -> str:
        return f"Cosine(lr={self.lr:g}, total_steps={self.total_steps}, " \
               f"final_lr={self.final_lr:g})"


class Warmup(Schedule):
    """A linear warm-up over ``warmup_steps`` steps, then the schedule ``after``.

    ``lr_t = after(0) · (t + 1) / W`` for ``t < W`` (it reaches ``after(0)``
    at step ``W − 1``), then ``after(t − W)``: the schedule ``after`` starts
    once the warm-up is over.

    Parameters
    ----------
    after : Schedule
        What follows the warm-up.
    warmup_steps : int
        W, >= 1.
    """

    def __init__(self, after: Schedule, warmup_steps: int) -> None:
        if not isinstance(after, Schedule):
            raise TypeError(f"after must be a Schedule; got {type(after).__name__}")
        self.after = after
        self.warmup_steps = check_int("warmup_steps", warmup_steps, minimum=1)
        self.name = f"warm-up + {after.name}"

    def value(self, t: int) -> float:
        if t < self.warmup_steps:
            return self.after.value(0) * (t + 1) / self.warmup_steps
        return self.after.value(t - self.warmup_steps)

    def __repr__(self) -> str:
        return f"Warmup({self.after!r}, warmup_steps={self.warmup_steps})"


def make_schedule(name: str, lr: float, total_steps: int, warmup_steps: int = 0,
                  factor: float = 0.1) -> Schedule:
    """A schedule by name over a horizon of ``total_steps`` steps.

    Parameters
    ----------
    name : {"constant", "step", "cosine", "warmup_cosine"}
        ``"step"`` multiplies by ``factor`` at 1/2 and at 3/4 of the horizon;
        ``"warmup_cosine"`` warms up over ``warmup_steps`` steps, then decays
        on a cosine over the remaining ``total_steps − warmup_steps``.
    lr : float
        The peak (first, for all but warm-up) learning rate, > 0.
    total_steps : int
        The horizon, >= 1 (>= ``warmup_steps + 1`` for ``"warmup_cosine"``).
    warmup_steps : int, default 0
        Only for ``"warmup_cosine"``, where it must be >= 1.
    factor : float, default 0.1
        The step schedule's multiplier.

    Returns
    -------
    Schedule
    """
    name = check_choice("name", name, SCHEDULE_NAMES)
    lr = check_positive("lr", lr)
    total_steps = check_int("total_steps", total_steps, minimum=1)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    if name == "constant":
        return Constant(lr)
    if name == "step":
        milestones = sorted({max(1, total_steps // 2), max(1, (3 * total_steps) // 4)})
        return StepDecay(lr, milestones, factor)
    if name == "cosine":
        return Cosine(lr, total_steps)
    if warmup_steps < 1 or warmup_steps >= total_steps:
        raise ValueError(f"warmup_steps must be between 1 and total_steps - 1 = "
                         f"{total_steps - 1} for 'warmup_cosine'; got {warmup_steps}")
    return Warmup(Cosine(lr, total_steps - warmup_steps), warmup_steps)


def scaled_lr(lr: float, batch_size: int, reference_batch: int) -> float:
    """The linear scaling rule: ``lr · batch_size / reference_batch``.

    A mini-batch gradient is a mean over ``batch_size`` samples: k times the
    batch takes one step where k small batches took k steps, so, while the
    gradient changes little over those k steps, the same progress per epoch
    needs a k times larger learning rate.  ``lr`` is the learning rate that
    suits ``reference_batch``.
    """
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    reference_batch = check_int("reference_batch", reference_batch, minimum=1)
    return lr * batch_size / reference_batch


def scheduled_steps(trainer, schedule: Schedule, n: int) -> None:
    """Take ``n`` steps of ``trainer``, each with the learning rate ``schedule(step)``.

    The step index is ``trainer.step_count`` before the step, so a rewound or
    restored trainer picks the schedule up where it is.  Divergence raises
    :class:`~actviz_widgets.engine.training.TrainingDiverged` as
    ``trainer.step`` does.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule; got {type(schedule).__name__}")
    for _ in range(check_int("n", n, minimum=0)):
        trainer.lr = schedule.value(trainer.step_count)
        trainer.step(1)
