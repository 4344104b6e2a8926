"""A bar chart of one value per neuron, e.g. δ = ∂L/∂z of the current layer.

:class:`BarPanel` builds ``max_bars`` bars once and only changes their
heights.  Its y-limits are symmetric and move with hysteresis: they grow
when a bar would fill more than 1/1.4 of them and shrink only when every
value is much smaller, so the scale does not jump from frame to frame.  The axes
themselves never change (bars are drawn through a scaling transform, tick
numbers and labels are dynamic text), so every frame is blitted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Affine2D, blended_transform_factory

from ..engine.validation import check_int
from .base import FigureView
from .network_diagram import NEGATIVE_COLOR, POSITIVE_COLOR, nice_limit
from .text import PathText, fmt_short

__all__ = ["BarPanel"]

#: The limits shrink when the largest |value| falls below limit / SHRINK_FACTOR.
SHRINK_FACTOR = 8.0
#: Bars fill at most 1 / HEADROOM of the half-height, leaving room for their labels;
#: the limit grows (to a 1-2-5 value >= HEADROOM·max|value|) when a bar would exceed it.
HEADROOM = 1.4
# y ticks, as fractions of the limit.
_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)


class BarPanel:
    """One bar per neuron with its value printed, symmetric about a zero line.

    Parameters
    ----------
    view : FigureView
        The figure (dynamic artists are registered on it).
    ax : matplotlib.axes.Axes
        The axes to draw on.
    max_bars : int, default 8
        Most bars ever shown (more values are cut to the first ``max_bars``).
    title, ylabel : str, optional
        Initial axes title and y label.
    fontsize : float, default 8
        Size of the printed values.

    Attributes
    ----------
    bars : list of matplotlib.patches.Rectangle
        All ``max_bars`` bars; the first ``n_bars`` are visible.
    value_texts : list of PathText
        The printed values, one per bar.
    label_texts : list of PathText
        The labels under the bars.
    title : PathText
        The title above the axes.
    placeholder : PathText
        The "not computed yet" message (in the view's language).
    values : numpy.ndarray or None
        The values drawn (``None`` in the "not computed yet" state).
    n_bars : int
        Number of visible bars.
    limit : float
        The values shown span ``(-limit, limit)`` (the axes' own y range is
        fixed at [-1, 1]; bars are drawn through a ``value / limit`` transform).
    tick_texts : list of PathText
        The numbers at the y ticks: −limit, −limit/2, 0, limit/2, limit.
    """

    def __init__(self, view: FigureView, ax: Axes, max_bars: int = 8, title: str = "",
                 ylabel: str = "", fontsize: float = 8.0) -> None:
        self.view = view
        self.ax = ax
        self.max_bars = check_int("max_bars", max_bars, minimum=1)
        self.limit = 1.0
        self.values: np.ndarray | None = None
        self.n_bars = 0
        # The axes are fixed: x spans [0, 1] whatever the number of bars, y spans
        # [-1, 1] with fixed ticks.  Bars and value labels are drawn through a
        # scaling transform (value / limit) and the tick numbers are dynamic, so
        # neither a new layer size nor a new limit invalidates the background.
        self._scale = Affine2D()
        scaled = self._scale + ax.transData
        self.bars = list(ax.bar(np.zeros(self.max_bars), np.zeros(self.max_bars), width=0.1,
                                color=POSITIVE_COLOR, edgecolor="#333333", linewidth=0.6))
        for bar in self.bars:
            bar.set_transform(scaled)
        view.dynamic_all(self.bars)
        below = blended_transform_factory(ax.transData, ax.transAxes)
        self.value_texts = [view.dynamic(PathText(ax, 0, 0, "", transform=scaled,
                                                  ha="center", fontsize=fontsize))
                            for _ in range(self.max_bars)]
        self.label_texts = [view.dynamic(PathText(ax, 0, -0.06, "", transform=below,
                                                  ha="center", va="top", fontsize=8))
                            for _ in range(self.max_bars)]
        left = blended_transform_factory(ax.transAxes, ax.transData)
        self.tick_texts = [view.dynamic(PathText(ax, 0.0, t, transform=left, ha="right",
                                                 va="center", fontsize=8, offset=(-5.0, 0.0)))
                           for t in _TICKS]
        self.title = view.dynamic(PathText(ax, 0.5, 1.05, title, ha="center", va="bottom",
                                           fontsize=8.5))
        self.placeholder = view.dynamic(PathText(ax, 0.5, 0.72, view.tr("bars.not_computed"),
                                                 ha="center", va="center", fontsize=9,
                                                 color="#888888"))
        ax.axhline(0.0, color="#333333", linewidth=0.8)
        ax.set_xticks([])
        ax.set_yticks(_TICKS, labels=[""] * len(_TICKS))
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-1.0, 1.0)
        ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
        self.set_ylabel(ylabel)
        self._set_limit(1.0)
        self.update(None)

    def set_title(self, title: str) -> None:
        """Set the title above the axes (a dynamic text: no redraw of the background)."""
        self.title.set_text(title)

    def set_ylabel(self, ylabel: str) -> None:
        """Set the y-axis label (static: invalidates the background when it changes)."""
        if ylabel != self.ax.get_ylabel():
            self.ax.set_ylabel(ylabel, fontsize=8, labelpad=24)  # room for the tick numbers
            self.view.invalidate()

    def set_labels(self, labels: Sequence[str]) -> None:
        """Lay out ``len(labels)`` bars across the axes with these labels under them."""
        labels = [str(s) for s in labels][:self.max_bars]
        n = max(len(labels), 1)
        for i, (bar, value, label) in enumerate(zip(self.bars, self.value_texts,
                                                    self.label_texts)):
            centre = (i + 0.5) / n
            bar.set_x(centre - 0.35 / n)
            bar.set_width(0.7 / n)
            label.set_position((centre, -0.06))
            label.set_text(labels[i] if i < len(labels) else "")
            value.set_position((centre, value.get_position()[1]))

    # -- data ------------------------------------------------------------------------------
    def update(self, values: Sequence[float] | np.ndarray | None,
               labels: Sequence[str] | None = None) -> None:
        """Show ``values`` (one per bar), or the "not computed yet" state for ``None``.

        Parameters
        ----------
        values : array_like or None
            1-D values; only the first ``max_bars`` are drawn. Non-finite
            values are drawn at the limit and printed as ``∞``/``nan``.
        labels : sequence of str, optional
            x labels (default ``"1", "2", ...``).
        """
        if values is None:
            self.values = None
            for bar, text in zip(self.bars, self.value_texts):
                bar.set_visible(False)
                text.set_visible(False)
            self.placeholder.set_visible(True)
            if labels is not None:
                self.set_labels(labels)
            return
        values = np.asarray(values, dtype=float).ravel()[:self.max_bars]
        n = len(values)
        self.set_labels(labels if labels is not None else [str(i + 1) for i in range(n)])
        self.values = values
        self.n_bars = n
        self.placeholder.set_visible(False)
        self._rescale(values)
        lim = self.limit
        pad = 0.03 * lim
        for i, (bar, text) in enumerate(zip(self.bars, self.value_texts)):
            visible = i < n
            bar.set_visible(visible)
            text.set_visible(visible)
            if not visible:
                continue
            v = values[i]
            h = float(np.clip(v, -lim, lim)) if not math.isnan(v) else 0.0
            bar.set_height(h)
            bar.set_facecolor(POSITIVE_COLOR if h >= 0 else NEGATIVE_COLOR)
            # just beyond the bar's end; the headroom (HEADROOM) leaves space for it
            above = h >= 0
            text.set_text(fmt_short(v))
            text.set_position((self.bars[i].get_x() + self.bars[i].get_width() / 2,
                               h + pad if above else h - pad))
            text.set_alignment(va="bottom" if above else "top")
        # Numbers wider than a bar's slot would run into each other: then the
        # bars speak through the axis alone.
        if n:
            slot = self.ax.bbox.width / n
            widest = max(box.width for text in self.value_texts[:n]
                         for _, box in text.line_extents())
            fits = widest <= slot - 4.0
            for text in self.value_texts[:n]:
                text.set_visible(fits)

    def _rescale(self, values: np.ndarray) -> None:
        finite = np.abs(values[np.isfinite(values)])
        peak = float(finite.max()) if finite.size else 0.0
        if peak > self.limit / HEADROOM or (peak > 0 and peak < self.limit / SHRINK_FACTOR):
            self._set_limit(nice_limit(peak * HEADROOM))

    def _set_limit(self, limit: float) -> None:
        self.limit = limit
        self._scale.clear().scale(1.0, 1.0 / limit)
        for t, text in zip(_TICKS, self.tick_texts):
            text.set_text(fmt_short(t * limit))
