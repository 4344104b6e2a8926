"""A line chart of named series that grow over time (losses, accuracies, norms).

:class:`LineChartPanel` keeps one ``Line2D`` per series and only replaces
their data.  Its limits move in steps so that most frames are blitted:

* x: ``x0 · 2^k`` for the smallest ``k`` that holds the data (the limit
  doubles when the data reach it, and comes back down when the data are
  reset);
* y, linear: a 1-2-5 value holding the data with some headroom, changed
  only when the data leave it or use less than a fifth of it;
* y, log: from a power of ten below the data to a 1-2-5 value above them
  (at least one decade), changed only when the data leave this range or
  fit in one a decade narrower.

A limit change redraws the background (ticks are static); nothing else does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from ..engine.validation import check_array, check_positive
from .base import FigureView
from .network_diagram import nice_limit
from .text import PathText, short_log_ticks

__all__ = ["LineChartPanel", "SERIES_COLORS", "key_texts"]

#: Okabe–Ito colours (colour-blind safe), in the order series get them.
SERIES_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
# The y limits never go beyond these (see _set_ylim).
_CAP = 1e12
_LOG_FLOOR = 1e-12


class LineChartPanel:
    """Named series against a shared x (e.g. step), with limits that move in steps.

    Parameters
    ----------
    view : FigureView
        The figure (dynamic artists are registered on it).
    ax : matplotlib.axes.Axes
        The axes to draw on.
    series : list of str
        The series' names (the keys of :meth:`update`), also their legend labels
        unless ``labels`` gives others.
    colors : list of colors, optional
        One per series (default :data:`SERIES_COLORS`).
    logy : bool, default False
        Logarithmic y axis (non-positive values are not drawn).
    xlabel, ylabel, title : str, default ""
        ``title`` is a fast dynamic text (:meth:`set_title`).
    styles : list of str, optional
        Line styles, one per series (default all solid).
    ylim : (float, float), optional
        Fixed y limits (e.g. ``(0, 1)`` for accuracies); default: automatic.
    x0 : float, default 10
        The smallest x limit; it doubles as the data grow.
    legend : bool or str, default "upper right"
        Where the legend goes (``False``: none).
    labels : list of str, optional
        The legend's text of each series, e.g. in the view's language
        (``["训练集", "测试集"]`` for the series ``["train", "test"]``).

    Attributes
    ----------
    lines : dict of str to matplotlib.lines.Line2D
        One line per series; ``lines[name].get_xdata()/get_ydata()`` is what is drawn.
    ghosts : dict of str to matplotlib.lines.Line2D
        Pale copies of the series (:meth:`set_ghost`), hidden by default.
    marker : matplotlib.lines.Line2D
        The vertical marker (:meth:`set_marker`).
    marker_x : float or None
    xlim, ylim : (float, float)
        The current limits.
    title : PathText
    legend : matplotlib.legend.Legend or None
    """

    def __init__(self, view: FigureView, ax: Axes, series: Sequence[str],
                 colors: Sequence | None = None, logy: bool = False, xlabel: str = "",
                 ylabel: str = "", title: str = "", styles: Sequence[str] | None = None,
                 ylim: tuple[float, float] | None = None, x0: float = 10.0,
                 legend: bool | str = "upper right",
                 labels: Sequence[str] | None = None) -> None:
        if isinstance(series, str) or not isinstance(series, Sequence) or not series:
            raise TypeError(f"series must be a non-empty list of names; got {series!r}")
        names = [str(s) for s in series]
        if len(set(names)) != len(names):
            raise ValueError(f"series names must be distinct; got {names}")
        colors = list(colors) if colors is not None else list(SERIES_COLORS)
        styles = list(styles) if styles is not None else ["-"] * len(names)
        if len(colors) < len(names) or len(styles) != len(names):
            raise ValueError(f"colors and styles need one entry per series ({len(names)}); got "
                             f"{len(colors)} colors and {len(styles)} styles")
        if labels is not None and (isinstance(labels, str) or len(labels) != len(names)):
            raise ValueError(f"labels must have one entry per series ({len(names)}); "
                             f"got {labels!r}")
        labels = names if labels is None else [str(s) for s in labels]
        self.view = view
        self.ax = ax
        self.series = names
        self.logy = bool(logy)
        self.x0 = check_positive("x0", x0)
        self._fixed_ylim = None
        if ylim is not None:
            lo, hi = (float(v) for v in check_array("ylim", ylim, shape=(2,)))
            if not lo < hi or (self.logy and lo <= 0):
                raise ValueError(f"ylim must be (low, high) with low < high (and low > 0 for a "
                                 f"log axis); got {tuple(ylim)}")
            self._fixed_ylim = (lo, hi)
        self.lines = {name: view.dynamic(ax.plot([], [], color=c, ls=s, lw=1.6, label=label)[0])
                      for name, label, c, s in zip(names, labels, colors, styles)}
        self.ghosts = {name: view.dynamic(ax.plot([], [], color=c, ls=s, lw=1.2, alpha=0.25,
                                                  zorder=1.5)[0])
                       for name, c, s in zip(names, colors, styles)}
        self.marker = view.dynamic(ax.axvline(0.0, color="#555555", lw=1.0, ls=":", zorder=4))
        self.marker.set_visible(False)
        self.marker_x: float | None = None
        if self.logy:
            ax.set_yscale("log")
            short_log_ticks(ax.yaxis)  # plain numbers (0.01, 0.1, 1), none on minor ticks
        ax.tick_params(labelsize=8)
        ax.grid(True, color="0.92", lw=0.6)
        if xlabel:
            ax.set_xlabel(xlabel, fontsize=8)
        if ylabel:
            ax.set_ylabel(ylabel, fontsize=8)
        self.legend = (ax.legend(loc=legend, fontsize=8, framealpha=1.0, handlelength=1.6)
                       if legend else None)
        self.title = view.dynamic(PathText(ax, 0.5, 1.0, title, ha="center", va="bottom",
                                           fontsize=8.5, offset=(0.0, 4.0)))
        self.xlim = (0.0, self.x0)
        self.ylim = self._fixed_ylim or ((0.1, 1.0) if self.logy else (0.0, 1.0))
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)

    # -- public ----------------------------------------------------------------------------
    def set_title(self, title: str) -> None:
        """Set the title above the axes (dynamic: no background redraw)."""
        self.title.set_text(title)

    def set_ghost(self, x, ys: Mapping[str, object] | None) -> None:
        """Draw pale copies of series behind the lines (e.g. the whole run while
        the lines show its beginning); ``ys=None`` hides them. Limits are not
        changed: pass ``xmax``/``scale_ys`` to :meth:`update` for that."""
        for name, line in self.ghosts.items():
            y = None if ys is None else ys.get(name)
            line.set_visible(y is not None)
            if y is not None:
                y = check_array(f"ys[{name!r}]", y, ndim=1, finite=False)
                if self.logy:
                    y = np.where(y > 0, y, np.nan)
                line.set_data(check_array("x", x, ndim=1), y)

    def set_marker(self, x: float | None) -> None:
        """Draw a vertical dotted line at ``x`` (e.g. the scrubbed step); ``None`` hides it."""
        if x is None:
            self.marker_x = None
            self.marker.set_visible(False)
            return
        x = float(check_array("x", [x], shape=(1,))[0])
        self.marker_x = x
        self.marker.set_xdata([x, x])
        self.marker.set_visible(True)

    def update(self, x, ys: Mapping[str, object], xmax: float | None = None,
               scale_ys: Mapping[str, object] | None = None) -> None:
        """Draw the series.

        Parameters
        ----------
        x : array_like
            1-D, shared by every series.
        ys : dict of str to array_like or None
            Values of some series (same length as ``x``; NaN = gap). A series
            left out or given as ``None`` is hidden.
        xmax : float, optional
            Choose the x limit for data reaching ``xmax`` rather than
            ``max(x)`` (e.g. to keep the axis of the whole run while showing
            its beginning).
        scale_ys : dict of str to array_like, optional
            Choose the y limits for these values rather than the ones drawn
            (e.g. the whole run's, so that showing its beginning keeps the axes).
        """
        x = check_array("x", x, ndim=1)
        unknown = sorted(set(ys) - set(self.series))
        if unknown:
            raise ValueError(f"unknown series {unknown}; this chart has {self.series}")
        data = {}
        for name, y in ys.items():
            if y is None:
                continue
            y = check_array(f"ys[{name!r}]", y, ndim=1, finite=False)
            if y.shape != x.shape:
                raise ValueError(f"ys[{name!r}] must have {len(x)} values like x; got "
                                 f"{len(y)}")
            data[name] = y
        for name, line in self.lines.items():
            y = data.get(name)
            line.set_visible(y is not None)
            if y is not None:
                if self.logy:
                    y = np.where(y > 0, y, np.nan)
                line.set_data(x, y)
        top = max(float(x.max()) if x.size else 0.0, float(xmax) if xmax is not None else 0.0)
        self._set_xlim(top)
        if self._fixed_ylim is None:
            if scale_ys is not None:
                parts = [np.asarray(v, dtype=float).ravel() for v in scale_ys.values()
                         if v is not None]
            else:
                parts = list(data.values())
            values = np.concatenate(parts) if parts else np.empty(0)
            self._set_ylim(values[np.isfinite(values)])

    # -- limits ----------------------------------------------------------------------------
    def _set_xlim(self, top: float) -> None:
        k = max(math.ceil(math.log2(top / self.x0) - 1e-12), 0) if top > 0 else 0
        xlim = (0.0, self.x0 * 2.0 ** k)
        if xlim != self.xlim:
            self.xlim = xlim
            self.ax.set_xlim(*xlim)
            self.view.invalidate()

    def _set_ylim(self, values: np.ndarray) -> None:
        if self.logy:
            values = values[values > 0]
        if not values.size:
            return
        # Beyond ±1e12 (1e-12 on a log axis) the data run off the axes: a training
        # on its way to divergence can log 1e300, which no tick locator survives.
        floor = _LOG_FLOOR if self.logy else -_CAP
        lo, hi = float(np.clip(values.min(), floor, _CAP)), float(np.clip(values.max(), floor, _CAP))
        y0, y1 = self.ylim
        if self.logy:
            bottom = 10.0 ** math.floor(math.log10(lo))
            top = max(nice_limit(hi * 1.2), 10 * bottom)
            inside = y0 <= lo and hi <= y1
            loose = math.log10(y1 / y0) > math.log10(top / bottom) + 1
            if inside and not loose:
                return
            new = (bottom, top)
        else:
            low = min(lo, 0.0)
            span = max(hi, 0.0) - low
            inside = y0 <= lo and hi <= y1
            loose = span < (y1 - y0) / 5
            if inside and not loose:
                return
            top = nice_limit(max(hi, 0.0) * 1.15) if hi > 0 else 0.0
            bottom = -nice_limit(-low * 1.15) if low < 0 else 0.0
            if top == bottom:
                top = 1.0
            new = (bottom, top)
        if new != self.ylim:
            self.ylim = new
            self.ax.set_ylim(*new)
            self.view.invalidate()


def key_texts(figure, x: float, y: float, labels, colors, fontsize: float = 8.0,
              gap_pt: float = 6.0, weight: str = "bold", parent: Axes | None = None) -> list:
    """Coloured labels side by side from ``(x, y)`` (figure fraction): a compact legend.

    Each label is placed past the measured width of the one before it, so
    they never touch, whatever the font. Returns the ``Text`` artists. With
    ``parent``, the texts belong to that axes (still placed in figure
    fractions), so that redrawing the axes redraws the key.
    """
    renderer = figure.canvas.get_renderer()
    width_px = figure.bbox.width
    texts = []
    for label, color in zip(labels, colors):
        if parent is None:
            text = figure.text(x, y, label, fontsize=fontsize, color=color, weight=weight)
        else:
            text = parent.text(x, y, label, fontsize=fontsize, color=color, weight=weight,
                               transform=figure.transFigure)
        texts.append(text)
        x += (text.get_window_extent(renderer).width + gap_pt * figure.dpi / 72) / width_px
    return texts
