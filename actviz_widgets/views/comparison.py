"""The training-comparison picture: runs' loss curves, their learning rates, the gradient noise.

:class:`ComparisonView` draws, for up to :data:`MAX_RUNS` runs that start
from the same weights:

* left: each run's training loss (log scale) over steps or over epochs;
* right, top: each run's learning rate at every step (log scale): the
  schedules, and the batch-size link when the learning rate is scaled;
* right, bottom: the gradient noise ``E‖g_B − g‖²`` against the batch size
  B (log-log): the exact value (line), the mean over sampled batches
  (dots), the ``1/B`` slope (dashed), and the runs' batch sizes marked.

The axes limits change only when a run is restarted or a value leaves them,
so most frames are blitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import FigureView
from .linechart import SERIES_COLORS
from .text import PathText, short_log_ticks

__all__ = ["ComparisonView", "ComparisonState", "MAX_RUNS", "LOSS_RANGE"]

#: Most runs drawn side by side.
MAX_RUNS = 4
#: The loss axis (log scale) is fixed: curves of different settings compare at a glance.
LOSS_RANGE = (0.02, 10.0)
_STYLES = ("-", "-", "-", "-")


@dataclass(frozen=True, eq=False)
class ComparisonState:
    """What the comparison view draws (a read-only snapshot).

    Attributes
    ----------
    labels : tuple of str
        One per run, for the legend.
    batch_sizes : tuple of int
        Samples per step of each run (N for the full batch).
    steps_per_epoch : tuple of int
    x_axis : {"epochs", "steps"}
    epoch, epochs : int
        Epochs done by every run, and the horizon.
    n_train : int
        N, the training samples.
    x : tuple of numpy.ndarray
        Per run, where each loss was recorded (in ``x_axis`` units; 0 = start).
    loss : tuple of numpy.ndarray
        Per run, the training-set loss at those points.
    lr_x, lr : tuple of numpy.ndarray
        Per run, each step's position (its start) and learning rate.
    horizon : tuple of float
        Per run, where the horizon is in ``x_axis`` units.
    diverged : tuple of bool
    noise_sizes, noise_expected, noise_measured : numpy.ndarray
        The gradient noise ``E‖g_B − g‖²`` against B (exact and sampled).
    noise_run : str
        The run at whose current weights the noise is measured.
    full_norm2 : float
        ``‖g‖²`` there, the squared full-batch gradient.
    """

    labels: tuple
    batch_sizes: tuple
    steps_per_epoch: tuple
    x_axis: str
    epoch: int
    epochs: int
    n_train: int
    x: tuple
    loss: tuple
    lr_x: tuple
    lr: tuple
    horizon: tuple
    diverged: tuple
    noise_sizes: np.ndarray
    noise_expected: np.ndarray
    noise_measured: np.ndarray
    noise_run: str
    full_norm2: float


class ComparisonView(FigureView):
    """Loss curves, learning rates and gradient noise of runs compared (see the module).

    Parameters
    ----------
    pixel_ratio : float, optional
    language : str, optional
        Of the picture's texts (``"en"`` or ``"zh"``); default: the current language.
    """

    def __init__(self, pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__((8.3, 4.7), pixel_ratio=pixel_ratio, language=language)
        fig = self.figure
        colors = SERIES_COLORS
        self.ax_loss = fig.add_axes((0.075, 0.11, 0.47, 0.68))
        self.ax_lr = fig.add_axes((0.665, 0.585, 0.315, 0.205))
        self.ax_noise = fig.add_axes((0.665, 0.11, 0.315, 0.28))
        self.ax_loss.set_yscale("log")
        self.ax_lr.set_yscale("log")
        self.ax_noise.set_xscale("log")
        self.ax_noise.set_yscale("log")
        for ax in (self.ax_loss, self.ax_lr, self.ax_noise):
            ax.tick_params(labelsize=8)
            ax.grid(True, color="0.92", lw=0.6)
            # plain numbers (0.01, 0.1, 1) on log axes, none on their minor ticks
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    short_log_ticks(axis)
        self.ax_loss.set_ylim(*LOSS_RANGE)
        self.ax_loss.set_ylabel(self.tr("comparison.view.loss_axis"), fontsize=8)
        self.ax_lr.set_ylabel(self.tr("comparison.view.lr_axis"), fontsize=8)
        self.ax_noise.set_xlabel(self.tr("comparison.view.batch_axis"), fontsize=8)
        self.ax_noise.set_ylabel("E‖g_B − g‖²", fontsize=8)
        self.loss_lines = [self.dynamic(self.ax_loss.plot([], [], color=c, lw=1.4)[0])
                           for c in colors[:MAX_RUNS]]
        self.lr_lines = [self.dynamic(self.ax_lr.plot([], [], color=c, lw=1.4,
                                                      drawstyle="steps-post")[0])
                         for c in colors[:MAX_RUNS]]
        self.noise_line = self.dynamic(self.ax_noise.plot([], [], color="black", lw=1.4)[0])
        self.noise_dots = self.dynamic(self.ax_noise.plot([], [], "o", color="black", ms=4,
                                                          mfc="white")[0])
        self.slope_line = self.dynamic(self.ax_noise.plot([], [], color="0.45", lw=1.0,
                                                          ls="--")[0])
        self.run_marks = [self.dynamic(self.ax_noise.plot([], [], "v", color=c, ms=7)[0])
                          for c in colors[:MAX_RUNS]]
        self.title = self.dynamic(PathText(fig, 0.075, 0.955, "", fontsize=10, weight="bold",
                                           va="baseline"))
        self.key = [self.dynamic(PathText(fig, 0.075, 0.875, "", fontsize=8.5, color=c,
                                          weight="bold")) for c in colors[:MAX_RUNS]]
        self.lr_title = self.dynamic(PathText(self.ax_lr, 0.0, 1.0, "", fontsize=8.5,
                                              va="bottom", offset=(0.0, 4.0)))
        self.noise_title = self.dynamic(PathText(self.ax_noise, 0.0, 1.0, "", fontsize=8.5,
                                                 va="bottom", offset=(0.0, 4.0)))
        self.loss_note = self.dynamic(PathText(self.ax_loss, 0.98, 0.96, "", fontsize=8.5,
                                               ha="right", va="top", color="#B00020"))
        self._limits: tuple | None = None
        self._key_labels: tuple = ()
        self.state: ComparisonState | None = None

    # -- update ------------------------------------------------------------------------------
    def update(self, state: ComparisonState) -> None:
        """Draw ``state``."""
        n = len(state.labels)
        if not 1 <= n <= MAX_RUNS:
            raise ValueError(f"the view draws 1 to {MAX_RUNS} runs; got {n}")
        self.state = state
        unit = "epoch" if state.x_axis == "epochs" else "step"
        self._set_limits(state)
        for k in range(MAX_RUNS):
            shown = k < n
            for artist in (self.loss_lines[k], self.lr_lines[k], self.run_marks[k], self.key[k]):
                artist.set_visible(shown)
            if not shown:
                continue
            self.loss_lines[k].set_data(state.x[k], state.loss[k])
            lr_x, lr = state.lr_x[k], state.lr[k]
            if lr.size:  # the last step's rate lasts until its end
                end = lr_x[-1] + (1.0 if unit == "step" else 1.0 / state.steps_per_epoch[k])
                lr_x, lr = np.append(lr_x, end), np.append(lr, lr[-1])
            self.lr_lines[k].set_data(lr_x, lr)
            b = state.batch_sizes[k]
            i = np.flatnonzero(state.noise_sizes == b)
            y = (state.noise_expected[i[0]] if i.size else np.nan)
            self.run_marks[k].set_data([b], [y * 1.9] if np.isfinite(y) else [np.nan])
        self._place_key(state)
        self.title.set_text(self.tr("comparison.view.title", epoch=state.epoch,
                                    epochs=state.epochs, n=state.n_train))
        bad = [lab for lab, d in zip(state.labels, state.diverged) if d]
        self.loss_note.set_text(self.tr("comparison.view.diverged", runs=", ".join(bad))
                                if bad else "")
        self.lr_title.set_text(self.tr(f"comparison.view.lr_title.{state.x_axis}"))
        sizes = state.noise_sizes.astype(float)
        self.noise_line.set_data(sizes, state.noise_expected)
        self.noise_dots.set_data(sizes, state.noise_measured)
        first = state.noise_expected[0] if state.noise_expected.size else np.nan
        self.slope_line.set_data(sizes, first / sizes)
        self.noise_title.set_text(self.tr("comparison.view.noise_title", run=state.noise_run))

    def _place_key(self, state: ComparisonState) -> None:
        if state.labels == self._key_labels:
            return  # measuring glyph outlines is costly: only when the words change
        self._key_labels = state.labels
        renderer = self.canvas.get_renderer()
        x = 0.075
        width = self.figure.bbox.width
        for k, label in enumerate(state.labels):
            text = self.key[k]
            text.set_text(label)
            text.set_position((x, 0.875))
            x += (text.get_window_extent(renderer).width + 14 * self.figure.dpi / 72) / width

    def _set_limits(self, state: ComparisonState) -> None:
        """Axes limits: the runs' horizons and the values' decades; redraw only on a change."""
        xmax = max(max(state.horizon), 1.0)
        lr_all = np.concatenate([v for v in state.lr if v.size] or [np.ones(1)])
        lr_all = lr_all[lr_all > 0]
        lr_lo = 10.0 ** math.floor(math.log10(lr_all.min())) if lr_all.size else 0.1
        lr_hi = 10.0 ** math.ceil(math.log10(lr_all.max() * 1.3)) if lr_all.size else 1.0
        noise = np.concatenate([state.noise_expected, state.noise_measured])
        noise = noise[np.isfinite(noise) & (noise > 0)]
        if noise.size:
            n_lo = 10.0 ** math.floor(math.log10(noise.min()))
            n_hi = 10.0 ** math.ceil(math.log10(noise.max() * 2.5))
        else:
            n_lo, n_hi = 1e-3, 1.0
        if self._limits is not None:
            old = self._limits
            # keep the noise axis while its values stay inside and use over a tenth of it
            if old[3] <= n_lo and n_hi <= old[4] and n_hi * 10 > old[4]:
                n_lo, n_hi = old[3], old[4]
            if old[1] <= lr_lo and lr_hi <= old[2]:
                lr_lo, lr_hi = old[1], old[2]
        limits = (xmax, lr_lo, max(lr_hi, 10 * lr_lo), n_lo, max(n_hi, 10 * n_lo),
                  state.x_axis, float(state.noise_sizes.max()) if state.noise_sizes.size else 1)
        if limits == self._limits:
            return
        self._limits = limits
        xmax, lr_lo, lr_hi, n_lo, n_hi, unit, bmax = limits
        for ax in (self.ax_loss, self.ax_lr):
            ax.set_xlim(0.0, xmax)
        self.ax_loss.set_xlabel(self.tr(f"comparison.view.{unit}"), fontsize=8)
        self.ax_lr.set_ylim(lr_lo, lr_hi)
        self.ax_noise.set_xlim(0.7, bmax * 1.5)
        self.ax_noise.set_ylim(n_lo, n_hi)
        self.invalidate()
