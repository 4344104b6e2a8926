"""Branch a second run from any point of a training history, with one setting changed.

:class:`BranchComparison` takes a trainer (the playground's, through
:meth:`BranchComparison.from_playground`) and a step of its history, and
trains two runs from there side by side (:class:`~actviz_widgets.engine.branch.Branch`):
A with every setting as it was, B with ONE of the learning rate, the
optimiser, the batch size, the L2 strength or the activation changed; the
same weights, the same data in the same order.  Play, Train n and Reset
drive both runs; the picture (:class:`~actviz_widgets.views.branch.BranchView`)
shows both loss curves after the original run's, and both decision
boundaries, under a title that names the difference.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..engine.activations import get_activation
from ..engine.branch import FULL_BATCH, Branch, Change
from ..engine.grid import grid_field
from ..engine.validation import check_int
from ..views.branch import GRID_N, BranchState, BranchView
from ..views.text import fmt
from .settings import Flag
from .training import TrainingWidget

__all__ = ["BranchComparison", "describe_change"]

# Half-width of the plane drawn when the source does not say (the data lie in about [-1, 1]).
_PLANE = 1.4


def _value_text(tr, name: str, value: Any) -> str:
    """A setting's value as the learner reads it, in the catalogue's language."""
    if name in ("lr", "l2"):
        return fmt(value)
    if name == "batch_size":
        return tr("branch.value.all") if value == FULL_BATCH else str(value)
    if name == "optimizer":
        return tr(f"branch.value.{value}")
    return get_activation(value).display_name


def describe_change(change: Change, tr) -> str:
    """``"learning rate 0.3 → 0.03"``: the change's setting, its old and new value.

    ``tr`` is a catalogue lookup (a widget's or view's ``tr``).
    """
    return tr("branch.change", setting=tr(f"branch.setting.{change.name}"),
              before=_value_text(tr, change.name, change.before),
              after=_value_text(tr, change.name, change.after))


def _extent_of(X: np.ndarray) -> tuple:
    """A square (or interval) around the data: the playground's plane, wider if needed."""
    half = max(_PLANE, float(np.abs(X).max()) * 1.08) if X.size else _PLANE
    return (-half, half) * X.shape[1]


class BranchComparison(TrainingWidget):
    """Runs A (unchanged) and B (one setting changed) from one point of a training history.

    Parameters
    ----------
    trainer : Trainer
        The original run (only read: it is not changed).
    at_step : int, optional
        A step with a snapshot in ``trainer.history.snapshots``; default:
        the trainer's current step.
    data : Dataset, optional
        The run's data (says whether it is classification or regression).
    extent : tuple of float, optional
        The plane drawn, ``(x0, x1, y0, y1)`` (``(x0, x1)`` for one input);
        default: around the data.
    show_test : bool, default True
        Draw the test points and the test losses.
    language : str, optional
        ``"en"`` or ``"zh"``; default: the current language.
    **change
        Exactly one of ``lr``, ``optimizer``, ``batch_size`` (``"all"`` for
        the whole set), ``l2``, ``activation``: run B's value.

    Attributes
    ----------
    trainer : Branch
        Both runs (``trainer.run_a``, ``trainer.run_b``).
    difference : str
        The change, as the title names it.

    Raises
    ------
    ValueError
        No change, two or more, an unknown name, the value the run already
        has, or a step without a snapshot.

    Examples
    --------
    >>> pg = Playground(dataset="circles")          # doctest: +SKIP
    >>> pg.run_frames(20)                            # doctest: +SKIP
    >>> BranchComparison.from_playground(pg, lr=0.03)  # doctest: +SKIP
    """

    i18n_area = "branch"
    TRAIN_STEPS = (10, 100)
    STEPS_PER_FRAME = 5

    show_test = Flag(True, label="", effect="display")

    def __init__(self, trainer, at_step: int | None = None, *, data=None, extent=None,
                 show_test: bool = True, language: str | None = None, **change: Any) -> None:
        self._source = (trainer, at_step, data, dict(change))
        self.init_settings({"show_test": show_test}, language=language)
        self.build()
        self.init_training()
        for n, button in self.train_buttons.items():
            button.description = self.tr("branch.train", n=n)
            button.tooltip = self.tr("branch.train.help", n=n)
            button.layout.width = "150px"
        self.reset_button.tooltip = self.tr("branch.reset.help", step=self.trainer.start.step)
        run = self.trainer.run_a
        n_inputs = run.X_train.shape[1]
        if n_inputs not in (1, 2):
            raise ValueError(f"a branch draws networks with one or two inputs; this one has "
                             f"{n_inputs}")
        self.extent = tuple(float(e) for e in extent) if extent is not None else \
            _extent_of(run.X_train)
        self.classification = run.classification
        view = BranchView(n_inputs, self.extent, language=self.language)
        rows = [widgets.HBox([*self.training_row(), self.control("show_test")],
                             layout=widgets.Layout(flex_flow="row wrap"))]
        super().__init__(view, rows)
        self.refresh()

    @classmethod
    def from_playground(cls, playground, at_step: int | None = None, *,
                        language: str | None = None, **change: Any) -> BranchComparison:
        """Branch from a playground: its network at ``at_step``, its data and batch order.

        Parameters
        ----------
        playground : Playground
            Read through its public ``trainer``, ``data``, ``shown_step``,
            ``view.extent`` and ``language``; it is not changed.
        at_step : int, optional
            Default: the step the playground shows (a history step being
            viewed, or the live one).
        language : str, optional
            Default: the playground's.
        **change
            One setting, as for the constructor (``lr=0.03``).
        """
        step = playground.shown_step if at_step is None else at_step
        extent = getattr(getattr(playground, "view", None), "extent", None)
        return cls(playground.trainer, step, data=playground.data, extent=extent,
                   language=getattr(playground, "language", None) if language is None
                   else language, **change)

    # -- model -----------------------------------------------------------------------------
    def build(self) -> None:
        """Both runs at the starting point."""
        trainer, at_step, data, change = self._source
        self.trainer = Branch(trainer, change, at_step=at_step, data=data)
        self.difference = describe_change(self.trainer.change, self.tr)

    def run_label(self, run: int) -> str:
        """``"A: learning rate 0.3"``: a run's letter and its value of the changed setting."""
        run = check_int("run", run, minimum=0, maximum=1)
        c = self.trainer.change
        value = c.before if run == 0 else c.after
        return self.tr("branch.run", run="AB"[run], setting=self.tr(f"branch.setting.{c.name}"),
                       value=_value_text(self.tr, c.name, value))

    # -- drawing ---------------------------------------------------------------------------
    @property
    def state(self) -> BranchState:
        """What the view draws, from the engine's numbers (a read-only snapshot)."""
        b = self.trainer
        run = b.run_a
        xs, train, test, fields = [], [], [], []
        for k, r in enumerate(b.runs):
            x, loss = b.losses(k)
            xs.append(x)
            train.append(loss)
            test.append(b.losses(k, test=True)[1])
            fields.append(grid_field(r.net, self.extent, GRID_N).output)
        empty = np.empty((0, run.X_train.shape[1]))
        steps = b.step_count
        return BranchState(
            title=self.difference,
            subtitle=self.tr("branch.view.subtitle", start=b.start.step, steps=steps,
                             step=b.start.step + steps),
            labels=(self.run_label(0), self.run_label(1)), start=b.start.step,
            before_x=np.array(b.before["step"], dtype=float),
            before_loss=np.array(b.before["train_loss"], dtype=float),
            x=tuple(xs), train_loss=tuple(train), test_loss=tuple(test), fields=tuple(fields),
            extent=self.extent, X_train=run.X_train, y_train=run.y_train,
            X_test=run.X_test if run.X_test is not None else empty,
            y_test=run.y_test if run.y_test is not None else np.empty(0),
            classification=self.classification,
            diverged=tuple(d is not None for d in b.diverged), show_test=self.show_test)

    def update(self) -> None:
        """Draw both runs."""
        self.view.update(self.state)

    def __repr__(self) -> str:
        b = self.trainer
        return (f"BranchComparison({self.difference!r}, from step {b.start.step}, "
                f"steps {b.step_count})")
