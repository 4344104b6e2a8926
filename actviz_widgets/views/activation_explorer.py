"""Several activation functions side by side, and why deep chains of them fade.

:class:`ActivationExplorerView` draws, for the selected activations, f(z)
(left) and the activation function's derivative f′(z) (middle) with the
current z marked and the tangent of f there, the saturated regions of the
first activation shaded, and (right, log scale) the size |f′(z)|ᵏ of the
gradient factor after k layers whose pre-activations all equal z: the
vanishing gradient made visible.  A table underneath prints each activation's
formula, output range, f(z), f′(z) and f′(z)ⁿ.

Limits, legend and formulas change only when the selection changes (then
the view invalidates); the shading, curves and everything that follows z,
the depth and the threshold are dynamic artists, so those changes blit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..engine.activations import ACTIVATION_NAMES, get_activation
from ..engine.validation import check_array, check_int, check_nonnegative
from ..fonts import with_cjk
from .activation_plot import activation_label, formula_text, marker_path, saturated_intervals
from .base import FigureView
from .palette import activation_color
from .text import PathText, fmt, fmt_short, short_log_ticks

__all__ = ["ActivationExplorerView", "CHAIN_YLIM"]

#: Fixed y-limits of the log-scale chain plot; values outside are clipped to them.
CHAIN_YLIM = (1e-12, 1e2)


class ActivationExplorerView(FigureView):
    """f(z), f′(z), saturation and the product of derivatives along a chain.

    Parameters
    ----------
    z_range : (float, float), default (-6, 6)
        Plotted range of z.
    max_depth : int, default 20
        Largest chain depth shown (the chain plot's x-limits are fixed).
    n_points : int, default 481
        Grid size of the curves.
    figsize : (float, float), default (8.3, 6.2)
    dpi : float, default 100
    pixel_ratio : float, optional
        Device pixels per CSS pixel (2: sharp on high-DPI screens; see
        :class:`~actviz_widgets.views.base.FigureView`).
    language : str, optional
        ``"en"`` or ``"zh"``: the language of the picture's texts (default: the current one).

    Attributes
    ----------
    ax_f, ax_df, ax_chain, ax_table : matplotlib.axes.Axes
        f(z); f′(z); |f′(z)|ᵏ against depth k (log scale); the table.
    names : list of str
        The activations drawn, in slot order; each in its colour
        (:func:`~actviz_widgets.views.palette.activation_color`), the same in every widget.
    z_grid : numpy.ndarray
        The curves' z values.
    lines_f, lines_df : list of matplotlib.lines.Line2D
        One curve per slot (hidden beyond ``len(names)``).
    tangents : list of Line2D
        Tangent of f at z per slot: y = f(z) + f′(z)(t − z).
    points_f, points_df : matplotlib.collections.PathCollection
        The current point (z, f(z)) / (z, f′(z)) of every drawn activation, in slot order.
    z_lines : list of Line2D
        The vertical line at z on ``ax_f`` and ``ax_df``.
    shade_f, shade_df : PolyCollection
        Saturated regions (|f′| < threshold) of the first activation.
    saturated : list of (float, float)
        Those regions' z intervals.
    chain_lines : list of Line2D
        |f′(z)|ᵏ for k = 1..depth per slot, clipped to :data:`CHAIN_YLIM`.
    chain_clipped : PathCollection
        Markers (▼/▲) where a chain value was clipped at the plot's limits.
    depth_line : Line2D
        Vertical line at the depth n.
    name_texts, formula_texts, range_texts : list of matplotlib.text.Text
        Table cells per slot: name, formula (its right-hand side, under the header
        "formula f(z)"; mathtext if it renders, else plain text: see
        :func:`table_formula`), output range.
    value_texts : list of PathText
        Per slot: f(z), f′(z) and f′(z)ⁿ written out (``get_text()``).
    legend : matplotlib.legend.Legend
        The figure legend: saturation, threshold, tangent, current z.
    """

    def __init__(self, z_range: tuple[float, float] = (-6.0, 6.0), max_depth: int = 20,
                 n_points: int = 481, figsize: tuple[float, float] = (8.3, 6.2),
                 dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
        lo, hi = (float(v) for v in check_array("z_range", z_range, shape=(2,)))
        if not lo < hi:
            raise ValueError(f"z_range must be (low, high) with low < high; got {tuple(z_range)}")
        self.max_depth = check_int("max_depth", max_depth, minimum=1)
        self.z_grid = np.linspace(lo, hi, check_int("n_points", n_points, minimum=2))
        self.names: list[str] = []
        self.threshold = 0.05
        self.saturated: list[tuple[float, float]] = []
        n_slots = len(ACTIVATION_NAMES)

        fig = self.figure
        grid = GridSpec(2, 3, figure=fig, height_ratios=[1.3, 1.0], width_ratios=[1, 1, 1],
                        left=0.07, right=0.985, top=0.94, bottom=0.01, wspace=0.3, hspace=0.45)
        self.ax_f = fig.add_subplot(grid[0, 0])
        self.ax_df = fig.add_subplot(grid[0, 1], sharex=self.ax_f)
        self.ax_chain = fig.add_subplot(grid[0, 2])
        self.ax_table = fig.add_subplot(grid[1, :])
        self.ax_table.set_axis_off()
        bottom, height = self.ax_table.get_position().y0, self.ax_table.get_position().height
        self.ax_table.set_position([0.012, bottom, 0.976, height])  # the full width

        # -- f and f′ axes ---------------------------------------------------------------
        # Shading, curves and markers are all dynamic (drawn in this order over the cached
        # axes), so moving the threshold or z only blits; a new selection invalidates.
        self.shade_f, self.shade_df = self.dynamic_all(self._make_shade(ax)
                                                       for ax in (self.ax_f, self.ax_df))
        for ax, title in ((self.ax_f, self.tr("explorer.title_f")),
                          (self.ax_df, self.tr("explorer.title_df"))):
            ax.axhline(0.0, color="0.75", lw=0.8, zorder=0.5)
            ax.grid(True, color="0.93", lw=0.6)
            ax.set_title(title, fontsize=10)
            ax.set_xlabel(self.tr("explorer.z_axis"), fontsize=8.5, labelpad=1)
            ax.tick_params(labelsize=8)
        self.ax_f.set_xlim(lo, hi)
        blank = np.zeros_like(self.z_grid)
        self.threshold_lines = self.dynamic_all(
            self.ax_df.axhline(s * self.threshold, color="0.45", lw=0.9, ls=":", zorder=1)
            for s in (1, -1))
        self.lines_f = self.dynamic_all(self.ax_f.plot(self.z_grid, blank, color=c, lw=1.9,
                                                       zorder=2)[0]
                                        for c in ["0.3"] * n_slots)
        self.lines_df = self.dynamic_all(self.ax_df.plot(self.z_grid, blank, color=c, lw=1.9,
                                                         zorder=2)[0]
                                         for c in ["0.3"] * n_slots)
        self.tangents = self.dynamic_all(
            self.ax_f.plot([], [], color=c, lw=1.2, ls="--", zorder=3)[0]
            for c in ["0.3"] * n_slots)
        self.z_lines = self.dynamic_all(ax.axvline(0.0, color="0.35", lw=0.8, zorder=1.5)
                                        for ax in (self.ax_f, self.ax_df))
        self.points_f = self.dynamic(self.ax_f.scatter(np.empty(0), np.empty(0), s=40, zorder=5,
                                                       edgecolors="black", linewidths=0.7))
        self.points_df = self.dynamic(self.ax_df.scatter(np.empty(0), np.empty(0), s=40,
                                                         zorder=5, edgecolors="black",
                                                         linewidths=0.7))

        # -- chain axes (fixed limits: blitting) --------------------------------------
        ax = self.ax_chain
        ax.set_yscale("log")
        short_log_ticks(ax.yaxis)
        ax.set_ylim(*CHAIN_YLIM)
        ax.set_xlim(0.5, self.max_depth + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axhline(1.0, color="0.6", lw=0.9, ls=":", zorder=1)
        ax.grid(True, color="0.93", lw=0.6)
        ax.set_title(self.tr("explorer.title_chain"), fontsize=10)
        ax.set_xlabel(self.tr("explorer.depth_axis"), fontsize=8.5, labelpad=1)
        ax.tick_params(labelsize=8)
        self.chain_lines = self.dynamic_all(
            ax.plot([], [], color=c, lw=1.5, marker="o", ms=3.2, zorder=3)[0]
            for c in ["0.3"] * n_slots)
        self.depth_line = self.dynamic(ax.axvline(1.0, color="0.35", lw=0.8, ls="--"))
        self.chain_clipped = self.dynamic(ax.scatter(np.empty(0), np.empty(0), s=30, zorder=4,
                                                     color="0.3", clip_on=False))
        self.legend = fig.legend(
            [self.shade_df, self.threshold_lines[0], Line2D([], [], color="0.3", lw=1.2, ls="--"),
             self.z_lines[1], Line2D([], [], color="0.3", marker="v", lw=0, ms=5)],
            [self.tr(f"explorer.legend.{key}")
             for key in ("saturated", "threshold", "tangent", "z", "clipped")],
            loc="center", bbox_to_anchor=(0.5, 0.405), ncol=5, fontsize=8, frameon=False,
            handlelength=1.5, handletextpad=0.5, columnspacing=1.0)

        # -- table ------------------------------------------------------------------------
        tab = self.ax_table
        self.header_texts = [
            tab.text(x, 1.0, label, transform=tab.transAxes, va="top", fontsize=8.5,
                     color="0.2", weight="bold", family=with_cjk("DejaVu Sans Mono") if x == _X_VALUES
                     else None)
            for x, label in ((0.0, self.tr("explorer.table.activation")),
                             (_X_FORMULA, self.tr("explorer.table.formula")),
                             (_X_RANGE, self.tr("explorer.table.range")),
                             (_X_VALUES, f"{'f(z)':>7}  {'f′(z)':>7}  "
                                         + self.tr("explorer.table.chain")))]
        self.name_texts = [tab.text(0.0, 0.0, "", transform=tab.transAxes, va="center",
                                    fontsize=8, color=c, weight="bold")
                           for c in ["0.3"] * n_slots]
        self.formula_texts = [tab.text(_X_FORMULA, 0.0, "", transform=tab.transAxes,
                                       va="center", fontsize=8.5) for _ in range(n_slots)]
        self.range_texts = [tab.text(_X_RANGE, 0.0, "", transform=tab.transAxes, va="center",
                                     fontsize=8.5) for _ in range(n_slots)]
        self.value_texts = self.dynamic_all(PathText(tab, _X_VALUES, 0.0, "", fontsize=8,
                                                     family="DejaVu Sans Mono", color=c,
                                                     va="center")
                                            for c in ["0.3"] * n_slots)

    def display_name(self, name: str) -> str:
        """An activation's name in this picture's language (:func:`activation_label`)."""
        return activation_label(name, self.language)

    @staticmethod
    def _make_shade(ax) -> PolyCollection:
        shade = PolyCollection([], facecolors=(0, 0, 0, 0.12), edgecolors="none", zorder=0.2,
                               transform=ax.get_xaxis_transform())
        ax.add_collection(shade, autolim=False)
        return shade

    # -- static parts: selection and threshold ---------------------------------------------
    def set_activations(self, names: Sequence[str]) -> None:
        """Draw these activations (names from the registry, at least one, no repeats).

        Redraws curves, limits, legends and the table; invalidates the background.
        """
        if isinstance(names, str):
            names = [names]
        acts = [get_activation(n) for n in names]
        keys = [a.name for a in acts]
        if not keys:
            raise ValueError("activations must name at least one activation; got none. "
                             f"Choose from {list(ACTIVATION_NAMES)}")
        if len(set(keys)) != len(keys):
            raise ValueError(f"activations must not repeat a name; got {keys}")
        if keys == self.names:
            return
        f_all, df_all = [], []
        rows = []  # per activation, its longest value row anywhere on the z grid
        for i, line in enumerate(self.lines_f):
            on = i < len(acts)
            for artist in (line, self.lines_df[i], self.tangents[i], self.chain_lines[i],
                           self.name_texts[i], self.formula_texts[i], self.range_texts[i],
                           self.value_texts[i]):
                artist.set_visible(on)
            if not on:
                self.value_texts[i].set_text("")
                continue
            act = acts[i]
            for artist in (line, self.lines_df[i], self.tangents[i], self.chain_lines[i],
                           self.name_texts[i], self.value_texts[i]):
                artist.set_color(activation_color(act.name))
            f = act(self.z_grid)
            df = act.grad(self.z_grid, f)
            line.set_ydata(f)
            self.lines_df[i].set_ydata(df)
            f_all.append(f)
            df_all.append(df)
            rows.append(max((_values(a, b, n, b ** n) for n in {self.max_depth,
                                                                max(self.max_depth - 1, 1)}
                             for a, b in zip(f, df)), key=len))
            self.name_texts[i].set_text(self.display_name(act.name))
            self.formula_texts[i].set_text(table_formula(act.latex))
            self.range_texts[i].set_text(act.range_text)
        self.names = keys
        for ax, values in ((self.ax_f, f_all), (self.ax_df, df_all)):
            low = min(min(float(v.min()) for v in values), 0.0)
            high = max(max(float(v.max()) for v in values), 0.0)
            margin = 0.08 * (high - low or 1.0)
            ax.set_ylim(low - margin, high + margin)
        # Rows share the table's height; a short list keeps a comfortable spacing.
        step = 0.86 / max(len(keys), 5)
        for i in range(len(keys)):
            y = 0.86 - (i + 0.5) * step
            for text in (self.name_texts[i], self.formula_texts[i], self.range_texts[i]):
                text.set_y(y)
            self.value_texts[i].set_position((_X_VALUES, y))
        self._fit_columns(len(keys), max(rows, key=len))
        colors = [activation_color(k) for k in keys]
        self.points_f.set_facecolors(colors)
        self.points_df.set_facecolors(colors)
        self._update_shade()
        self.invalidate()

    def _fit_columns(self, n: int, longest: str) -> None:
        """Size the formulas and place the formula, range and value columns.

        The value column must leave room inside the table for the ``longest`` row
        of numbers the selection can have (at any z on the grid, the deepest chain),
        followed by the word "saturated". The usual few rows keep their
        columns (at least at ``_X_FORMULA``, …) with formulas at 10 pt if that
        fits; else the columns are packed, each just past the widest cell before
        it, with formulas at 10 pt or, if still too wide (GELU's), 8 pt. A full
        table (more than 5 rows) is packed with formulas at 8 pt.
        """
        renderer = self.canvas.get_renderer()
        width = self.ax_table.bbox.width
        gap = 9.0 / width
        room = 1.0 - self._row_width(longest, renderer) / width  # where the values may start
        columns = (self.name_texts, self.formula_texts, self.range_texts)
        layouts = ((10, False), (10, True), (8, True)) if n <= 5 else ((8, True),)
        for size, packed in layouts:
            for text in self.formula_texts:
                text.set_fontsize(size)
            x = 0.0
            starts = []
            for k, cells in enumerate(columns):
                widest = max([self.header_texts[k].get_window_extent(renderer).width]
                             + [t.get_window_extent(renderer).width for t in cells[:n]])
                x += widest / width + gap
                if not packed:
                    x = max(x, (_X_FORMULA, _X_RANGE, _X_VALUES)[k])
                starts.append(x)
            if starts[-1] <= room:
                break
        for k, x in enumerate(starts):
            self.header_texts[k + 1].set_x(x)
            if k + 1 < len(columns):
                for text in columns[k + 1]:
                    text.set_x(x)
            else:
                for text in self.value_texts:
                    text.set_position((x, text.get_position()[1]))

    def _row_width(self, numbers: str, renderer) -> float:
        """Width in pixels of a value row with these ``numbers``, marked saturated."""
        probe = self.value_texts[-1]
        kept = probe.get_text()
        probe.set_text(f"{numbers}  {self.tr('explorer.table.saturated')}")
        width = probe.get_window_extent(renderer).width
        probe.set_text(kept)
        return width

    def set_threshold(self, threshold: float) -> None:
        """Shade where |f′(z)| < ``threshold`` for the first activation."""
        threshold = check_nonnegative("threshold", threshold)
        if threshold != self.threshold:
            self.threshold = threshold
            for line, sign in zip(self.threshold_lines, (1, -1)):
                line.set_ydata([sign * threshold] * 2)
            if self.names:
                self._update_shade()

    def _update_shade(self) -> None:
        first = get_activation(self.names[0])
        self.saturated = saturated_intervals(self.z_grid, self.lines_df[0].get_ydata(),
                                             self.threshold)
        verts = [[(a, 0.0), (b, 0.0), (b, 1.0), (a, 1.0)] for a, b in self.saturated]
        self.shade_f.set_verts(verts)
        self.shade_df.set_verts(verts)
        # the legend is static: it names the activation, not the threshold's value
        self.legend.get_texts()[0].set_text(self.tr("explorer.legend.saturated_by",
                                                    name=self.display_name(first.name)))

    # -- dynamic parts ---------------------------------------------------------------------
    def update(self, z: float, values: Mapping[str, tuple[float, float]],
               chain_products: Mapping[str, np.ndarray], depth: int) -> None:
        """Mark z and write the numbers for the drawn activations.

        Parameters
        ----------
        z : float
            The current pre-activation.
        values : mapping name -> (f(z), f′(z))
            For every name in :attr:`names`.
        chain_products : mapping name -> numpy.ndarray
            f′(z)ᵏ for k = 1..depth, for every name in :attr:`names`.
        depth : int
            The chain depth n (1..``max_depth``).
        """
        depth = check_int("depth", depth, minimum=1, maximum=self.max_depth)
        z = float(z)
        f = np.array([values[n][0] for n in self.names])
        df = np.array([values[n][1] for n in self.names])
        self.points_f.set_offsets(np.column_stack([np.full(len(f), z), f]))
        self.points_df.set_offsets(np.column_stack([np.full(len(df), z), df]))
        for line in self.z_lines:
            line.set_xdata([z, z])
        half = 0.12 * (self.z_grid[-1] - self.z_grid[0])
        ts = np.array([z - half, z + half])
        for i in range(len(self.names)):
            self.tangents[i].set_data(ts, f[i] + df[i] * (ts - z))

        k = np.arange(1, depth + 1)
        lo, hi = CHAIN_YLIM
        clipped_x, clipped_y, markers = [], [], []
        for i, name in enumerate(self.names):
            prod = np.asarray(chain_products[name], dtype=float)
            # a log axis shows sizes: f′ < 0 (GELU, SiLU) flips the sign at each layer
            shown = np.clip(np.abs(prod), lo, hi)
            self.chain_lines[i].set_data(k, shown)
            out = (np.abs(prod) < lo) | (np.abs(prod) > hi)
            clipped_x.extend(k[out])
            clipped_y.extend(shown[out])
            markers.extend(np.abs(prod[out]) > hi)
            d = df[i]
            sat = "  " + self.tr("explorer.table.saturated") if abs(d) < self.threshold else ""
            self.value_texts[i].set_text(_values(f[i], d, depth, prod[-1]) + sat)
        self.chain_clipped.set_offsets(np.column_stack([clipped_x, clipped_y])
                                       if clipped_x else np.empty((0, 2)))
        self.chain_clipped.set_paths([_TRI_UP if up else _TRI_DOWN for up in markers]
                                     or [_TRI_DOWN])
        self.depth_line.set_xdata([depth, depth])


def table_formula(latex: str) -> str:
    """An activation's formula as the table writes it: the right-hand side of
    :func:`formula_text`'s (the column's header names f(z) once), its fractions
    written on one line (:func:`inline_fractions`) and its powers of e as
    exp(...) (:func:`inline_powers`). A member that only names the
    function (``\\tanh z =``) is left to the name column: the row has no room for it."""
    latex = inline_powers(inline_fractions(latex))
    return re.sub(r"^(\$?)f\(z\)\s*=\s*(?:\\[A-Za-z]+\s*z\s*=\s*)?", r"\1",
                  formula_text(latex)[0])


def inline_powers(latex: str) -> str:
    """Powers written on the line: ``e^{x}`` as ``\\exp(x)``, ``z^{3}`` as ``z\\cdot z\\cdot z``.

    Mathtext draws an exponent at 70 % of the row's size: 7-10 px in the
    table's 8-10 pt rows, below what a learner reads without squinting.
    On the line every symbol keeps the row's size. Only powers of e and
    squares and cubes of one letter are rewritten; any other exponent stays.
    """
    latex = re.sub(r"(?<![A-Za-z\\])e\^(?:\{([^{}]*)\}|(\w))",
                   lambda m: rf"\exp({m.group(1) or m.group(2)})", latex)
    return re.sub(r"(?<![A-Za-z\\])([A-Za-z])\^(?:\{([23])\}|([23]))",
                  lambda m: r"\cdot ".join([m.group(1)] * int(m.group(2) or m.group(3))), latex)


def inline_fractions(latex: str) -> str:
    """``\\frac{a}{b}`` written ``a/(b)``, nested ones too.

    Mathtext draws a ``\\frac``'s numerator and denominator at 70 % (and an
    exponent in them at 49 %): in the table's 8-10 pt rows, ``1 + e^{-z}``
    would be 5-7 px tall.  On one line every part keeps the row's size, and
    the row its height.  Parentheses go round a numerator or denominator that
    is more than one symbol, and round the fraction when a factor follows
    (GELU's ``(z/2)(1 + ...)``).
    """
    out, i = [], 0
    while (k := latex.find(r"\frac", i)) >= 0:
        out.append(latex[i:k])
        j = k + len(r"\frac")
        while j < len(latex) and latex[j] == " ":
            j += 1
        num, j = _braced(latex, j)
        den, j = _braced(latex, j)
        num, den = inline_fractions(num), inline_fractions(den)
        fraction = f"{_operand(num)}/{_operand(den)}"
        follows = latex[j:].lstrip()
        out.append(f"({fraction})" if follows and follows[0] not in "+-=)},;" else fraction)
        i = j
    out.append(latex[i:])
    return "".join(out)


def _braced(latex: str, i: int) -> tuple[str, int]:
    """The inside of the ``{...}`` group that opens at ``latex[i]``, and the index after it."""
    if i >= len(latex) or latex[i] != "{":
        raise ValueError(f"latex must give \\frac two {{...}} groups; got {latex!r}")
    depth = 0
    for j in range(i, len(latex)):
        depth += {"{": 1, "}": -1}.get(latex[j], 0)
        if depth == 0:
            return latex[i + 1:j], j + 1
    raise ValueError(f"latex has an unclosed {{ at {i}: {latex!r}")


def _operand(part: str) -> str:
    """``part`` as a numerator or denominator on one line: in parentheses unless one symbol."""
    return part if re.fullmatch(r"\s*(?:[\w.]+|\\\w+)\s*", part) else f"({part})"


def _number(value: float, digits: int = 3) -> str:
    """``value`` in ``digits`` significant digits (:func:`fmt`); below 0.001 or from 10⁴ on,
    in :func:`fmt_short`'s compact exponent form instead (−7.7e−10, not −7.713e−10)."""
    text = fmt(value, digits)
    if value == 0 or (1e-3 <= abs(value) < 1e4 and "e" not in text):
        return text
    return fmt_short(value)


def _values(f: float, d: float, n: int, product: float) -> str:
    """A table row's numbers: f(z) and f′(z) in 4 digits, f′(z)ⁿ written out in 3; tiny
    ones short (:func:`_number`: GELU's f′(−6) is −7.7e−10)."""
    base = _number(d)
    power = f"({base})^{n}" if d < 0 else f"{base}^{n}"
    return f"{_number(f, 4):>7}  {_number(d, 4):>7}  {power} = {_number(product)}"


# x of the table's columns (axes fraction)
_X_FORMULA, _X_RANGE, _X_VALUES = 0.17, 0.465, 0.545


_TRI_DOWN, _TRI_UP = marker_path("v"), marker_path("^")
