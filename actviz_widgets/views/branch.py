"""Two runs from one point of a history, side by side: their loss curves and what they learned.

:class:`BranchView` draws, for runs A (unchanged) and B (one setting changed)
that started from the same weights at the same step:

* left: the training loss (solid) and test loss (dashed) of both runs over
  the steps, log scale, after the original run's own curve (grey) up to the
  starting point (dotted line);
* right: each run's output over the input plane with its decision boundary
  (the 0.5 level) and the data, two heatmaps side by side, or, for a
  one-input regression set, each run's curve through the data.

The title names the difference ("learning rate 0.3 → 0.03").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import LogLocator

from .base import FigureView
from .heatmap import HeatmapPanel
from .linechart import SERIES_COLORS
from .text import PathText, short_log_ticks

__all__ = ["BranchView", "BranchState", "RUN_COLORS", "GRID_N"]

#: Run A's and run B's colours.
RUN_COLORS = (SERIES_COLORS[0], SERIES_COLORS[1])
#: Grid points per axis of the heatmaps.
GRID_N = 40
_BEFORE_COLOR = "0.6"


@dataclass(frozen=True, eq=False)
class BranchState:
    """What the branch view draws (a read-only snapshot).

    Attributes
    ----------
    title : str
        The difference, e.g. ``"learning rate 0.3 → 0.03"``.
    subtitle : str
        Where the runs started and where they are.
    labels : (str, str)
        Run A's and run B's names, for the key and the panels.
    start : int
        The step both runs started from.
    before_x, before_loss : numpy.ndarray
        The original run's steps and training losses up to ``start``.
    x, train_loss, test_loss : tuple of numpy.ndarray
        Per run, the steps (from ``start``) and the losses there; a test
        loss may be empty (no test set).
    fields : tuple of numpy.ndarray
        Per run, its output over the grid: ``(n, n)`` for two inputs (row 0
        at the bottom), ``(n,)`` for one.
    extent : tuple of float
        ``(x0, x1, y0, y1)`` or ``(x0, x1)``.
    X_train, y_train, X_test, y_test : numpy.ndarray
        The data drawn on the panels (``X_test`` may be empty).
    classification : bool
        Draw the 0.5 level (decision boundary) and colour points by class.
    diverged : (bool, bool)
    show_test : bool
        Draw the test points and the test losses.
    """

    title: str
    subtitle: str
    labels: tuple
    start: int
    before_x: np.ndarray
    before_loss: np.ndarray
    x: tuple
    train_loss: tuple
    test_loss: tuple
    fields: tuple
    extent: tuple
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classification: bool
    diverged: tuple
    show_test: bool = True


class BranchView(FigureView):
    """The two runs' loss curves and outputs, side by side (see the module).

    Parameters
    ----------
    n_inputs : {1, 2}
        Two: heatmaps of the output over the plane; one: curves over x.
    extent : tuple of float
        ``(x0, x1, y0, y1)`` for two inputs, ``(x0, x1)`` for one.
    pixel_ratio : float, optional
    language : str, optional
        Of the picture's texts (``"en"`` or ``"zh"``).
    """

    def __init__(self, n_inputs: int, extent, pixel_ratio: float | None = None,
                 language: str | None = None) -> None:
        if n_inputs not in (1, 2):
            raise ValueError(f"n_inputs must be 1 or 2 (the panels draw the input plane or "
                             f"line); got {n_inputs!r}")
        extent = tuple(float(e) for e in extent)
        if len(extent) != 2 * n_inputs:
            raise ValueError(f"extent must hold {2 * n_inputs} numbers for {n_inputs} "
                             f"input(s); got {extent}")
        super().__init__((8.3, 4.3), pixel_ratio=pixel_ratio, language=language)
        self.n_inputs = n_inputs
        self.extent = extent
        fig = self.figure
        self.ax_loss = fig.add_axes((0.075, 0.12, 0.36, 0.62))
        ax = self.ax_loss
        ax.set_yscale("log")
        short_log_ticks(ax.yaxis)
        # ticks at 1, 2, 5 × 10^k: the limits are often less than a decade apart
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.tick_params(labelsize=8)
        ax.grid(True, color="0.92", lw=0.6)
        ax.set_xlabel(self.tr("branch.view.step"), fontsize=8)
        ax.set_ylabel(self.tr("branch.view.loss"), fontsize=8)
        self.before_line = self.dynamic(ax.plot([], [], color=_BEFORE_COLOR, lw=1.4)[0])
        self.start_line = self.dynamic(ax.axvline(0.0, color="#555555", lw=1.0, ls=":"))
        self.train_lines = [self.dynamic(ax.plot([], [], color=c, lw=1.5)[0])
                            for c in RUN_COLORS]
        self.test_lines = [self.dynamic(ax.plot([], [], color=c, lw=1.2, ls="--")[0])
                           for c in RUN_COLORS]
        self.loss_note = self.dynamic(PathText(ax, 0.0, 1.0, "", fontsize=8, color="0.35",
                                               va="bottom", offset=(0.0, 4.0)))
        self.diverged_note = self.dynamic(PathText(ax, 0.97, 0.96, "", fontsize=8, ha="right",
                                                   va="top", color="#B00020"))
        boxes = ((0.505, 0.12, 0.235, 0.56), (0.755, 0.12, 0.235, 0.56))
        self.panel_axes = [fig.add_axes(box) for box in boxes]
        self.panels: list[HeatmapPanel] = []
        self.curves = []
        self.points: list[dict] = []
        for k, pax in enumerate(self.panel_axes):
            if n_inputs == 2:
                panel = HeatmapPanel(self, pax, extent=extent, shape=(GRID_N, GRID_N),
                                     vmin=0.0, vmax=1.0, pale=0.45, levels=32)
                self.panels.append(panel)
                if k:  # the panels share the plane: its y ticks are on the left one
                    pax.tick_params(labelleft=False)
            else:
                pax.tick_params(labelsize=8)
                pax.grid(True, color="0.92", lw=0.6)
                pax.set_xlim(*extent)
                if k:
                    pax.tick_params(labelleft=False)
                self.points.append({
                    "train": self.dynamic(pax.plot([], [], "o", ms=3, color="0.25",
                                                   mfc="white", mew=0.8)[0]),
                    "test": self.dynamic(pax.plot([], [], "^", ms=3, color="0.55")[0])})
                self.curves.append(self.dynamic(pax.plot([], [], color=RUN_COLORS[k],
                                                         lw=1.8)[0]))
        self.panel_titles = [self.dynamic(PathText(pax, 0.5, 1.0, "", ha="center",
                                                   va="bottom", fontsize=8.5, weight="bold",
                                                   color=c, offset=(0.0, 4.0)))
                             for pax, c in zip(self.panel_axes, RUN_COLORS)]
        self.title = self.dynamic(PathText(fig, 0.075, 0.935, "", fontsize=11, weight="bold"))
        self.subtitle = self.dynamic(PathText(fig, 0.075, 0.87, "", fontsize=8.5, color="0.3"))
        self.key = [self.dynamic(PathText(fig, 0.075, 0.80, "", fontsize=8.5, color=c,
                                          weight="bold")) for c in RUN_COLORS]
        self.key_before = self.dynamic(PathText(fig, 0.075, 0.80, "", fontsize=8.5,
                                                color=_BEFORE_COLOR))
        self._limits: tuple | None = None
        self._key_texts: tuple = ()
        self.state: BranchState | None = None

    # -- update ------------------------------------------------------------------------------
    def update(self, state: BranchState) -> None:
        """Draw ``state``."""
        self.state = state
        self._set_limits(state)
        self.title.set_text(state.title)
        self.subtitle.set_text(state.subtitle)
        self.before_line.set_data(state.before_x, state.before_loss)
        self.start_line.set_xdata([state.start, state.start])
        for k in range(2):
            self.train_lines[k].set_data(state.x[k], state.train_loss[k])
            test = state.test_loss[k]
            shown = state.show_test and test.size > 0
            self.test_lines[k].set_visible(shown)
            if shown:
                self.test_lines[k].set_data(state.x[k], test)
            self.panel_titles[k].set_text(state.labels[k])
            self._draw_panel(k, state)
        self._place_key(state)
        has_test = state.show_test and any(t.size for t in state.test_loss)
        self.loss_note.set_text(self.tr("branch.view.lines") if has_test else "")
        bad = ["AB"[k] for k in range(2) if state.diverged[k]]
        self.diverged_note.set_text(self.tr("branch.view.diverged", runs=", ".join(bad))
                                    if bad else "")

    def _draw_panel(self, k: int, state: BranchState) -> None:
        field = state.fields[k]
        test = state.show_test and state.X_test.size > 0
        if self.n_inputs == 2:
            panel = self.panels[k]
            panel.update(field)
            panel.set_level(0.5 if state.classification else None)
            labels = (state.y_train.reshape(len(state.X_train), -1)[:, 0] > 0.5).astype(int) \
                if state.classification else None
            panel.set_points(state.X_train, labels, marker="o", name="train", size=14)
            if test:
                tl = (state.y_test.reshape(len(state.X_test), -1)[:, 0] > 0.5).astype(int) \
                    if state.classification else None
                panel.set_points(state.X_test, tl, marker="^", name="test", size=14)
            else:
                panel.set_points(np.empty((0, 2)), name="test", marker="^")
            return
        xs = np.linspace(self.extent[0], self.extent[1], field.size)
        self.curves[k].set_data(xs, field)
        pts = self.points[k]
        pts["train"].set_data(state.X_train[:, 0], state.y_train.reshape(-1))
        if test:
            pts["test"].set_data(state.X_test[:, 0], state.y_test.reshape(-1))
        pts["test"].set_visible(test)

    def _place_key(self, state: BranchState) -> None:
        texts = (self.tr("branch.view.before", step=state.start), *state.labels)
        if texts == self._key_texts:
            return  # measuring glyph outlines is costly: only when the words change
        self._key_texts = texts
        renderer = self.canvas.get_renderer()
        width = self.figure.bbox.width
        gap = 14 * self.figure.dpi / 72 / width
        x = 0.075
        for text, label in zip((self.key_before, *self.key), texts):
            text.set_text(label)
            text.set_position((x, 0.80))
            x += text.get_window_extent(renderer).width / width + gap

    def _set_limits(self, state: BranchState) -> None:
        """Axes limits from the data, in decades; the background is redrawn only on a change."""
        values = [state.before_loss, *state.train_loss]
        if state.show_test:
            values += list(state.test_loss)
        losses = np.concatenate([v for v in values if v.size] or [np.ones(1)])
        losses = losses[np.isfinite(losses) & (losses > 0)]
        lo = _nice(losses.min() / 1.1, down=True) if losses.size else 0.1
        hi = _nice(losses.max() * 1.1, down=False) if losses.size else 1.0
        # a run that blows up leaves the axis at 100 × the starting loss (its line is cut)
        starts = [v[0] for v in state.train_loss if v.size and np.isfinite(v[0]) and v[0] > 0]
        if starts:
            hi = min(hi, _nice(100.0 * max(starts), down=False))
            lo = min(lo, hi / 2)
        steps = max([state.start, *(float(x[-1]) for x in state.x if x.size)])
        # the x axis doubles as the runs go on: most frames keep it (and are blitted)
        xmax = 10.0
        while xmax < steps * 1.02:
            xmax *= 2
        ylim = (0.0, 1.0)
        if self.n_inputs == 1:
            # the data's range: a curve that leaves it is cut at the edge
            ys = np.concatenate([state.y_train.reshape(-1), state.y_test.reshape(-1)])
            ys = ys[np.isfinite(ys)]
            top = max(1.0, float(np.abs(ys).max()) if ys.size else 1.0)
            ylim = (-1.2 * top, 1.2 * top)
        limits = (lo, max(hi, 2 * lo), xmax, ylim)
        if self._limits is not None:
            old = self._limits
            # keep the loss axis while the values stay inside and fill over a tenth of it
            if old[0] <= lo and hi <= old[1] and lo < 10 * old[0] and old[3] == ylim:
                limits = (old[0], old[1], xmax, ylim)
        if limits == self._limits:
            return
        self._limits = limits
        self.ax_loss.set_ylim(limits[0], limits[1])
        self.ax_loss.set_xlim(0.0, xmax)
        if self.n_inputs == 1:
            for pax in self.panel_axes:
                pax.set_ylim(*ylim)
        self.invalidate()


def _nice(value: float, down: bool) -> float:
    """The nearest of 1, 2, 5 × 10^k below (``down``) or above ``value`` (> 0)."""
    exp = math.floor(math.log10(value))
    steps = [m * 10.0 ** e for e in (exp - 1, exp, exp + 1) for m in (1.0, 2.0, 5.0)]
    return max(v for v in steps if v <= value) if down else min(v for v in steps if v >= value)
