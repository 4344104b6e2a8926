"""One activation function drawn for teaching: f(z), f′(z), saturation, points, tangent.

:class:`ActivationCurvePanel` is a reusable panel: it draws on one axes the
activation f(z) (solid), the activation function's derivative f′(z)
(dashed), light grey spans where the function is saturated (|f′(z)| below a
threshold, so almost no gradient flows back through it), markers for a set
of pre-activations and the tangent line of f at one of them.

The curves, spans, limits and legend are static (they change only with the
activation or the threshold, which invalidates the background); the points,
their labels and the tangent are dynamic artists, so moving them blits.

The module also holds small helpers shared by the views that draw
activations: :func:`saturated_intervals`, :func:`formula_text` and
:func:`marker_path`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.markers import MarkerStyle
from matplotlib.mathtext import MathTextParser
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from ..engine.activations import Activation, get_activation
from ..engine.validation import check_array, check_int, check_nonnegative
from ..i18n import has_key, tr
from .base import FigureView
from .palette import activation_color
from .readability import REFERENCE_GID, polyline_crosses
from .text import PathText

__all__ = ["ActivationCurvePanel", "saturated_intervals", "formula_text",
           "marker_path", "activation_label", "F_COLOR", "DF_COLOR", "TANGENT_COLOR",
           "SHADE_COLOR"]

# Okabe–Ito colours (colour-blind safe).
F_COLOR = "#0072B2"   # sigmoid's colour; each activation is drawn in its own (palette.py)
DF_COLOR = "#D55E00"  # gradients and derivatives where no activation owns the colour
TANGENT_COLOR = "0.15"
SHADE_COLOR = "0.88"
_GREY = "0.62"


def saturated_intervals(z: np.ndarray, df: np.ndarray,
                        threshold: float) -> list[tuple[float, float]]:
    """Return the intervals of ``z`` where ``|df| < threshold``.

    Parameters
    ----------
    z : numpy.ndarray
        Increasing, evenly spaced grid.
    df : numpy.ndarray
        The activation function's derivative f′ on that grid.
    threshold : float
        Saturation threshold (>= 0).

    Returns
    -------
    list of (float, float)
        ``(start, end)`` of each run of saturated grid points, widened by half
        a grid step on each side (clipped to the grid) so runs tile the axis.
    """
    mask = np.abs(df) < threshold
    if not mask.any():
        return []
    half = 0.5 * (z[1] - z[0]) if len(z) > 1 else 0.0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return [(float(max(z[s] - half, z[0])), float(min(z[e - 1] + half, z[-1])))
            for s, e in zip(edges[::2], edges[1::2])]


def activation_label(name: str, language: str | None = None) -> str:
    """An activation's name as a picture writes it in ``language``: the catalogue's
    where it has words (``"linear (identity)"`` → ``"线性（恒等）"``), else the engine's
    display name (``"ReLU"``, ``"tanh"``)."""
    act = get_activation(name)
    key = f"activation_plot.name.{act.name}"
    return tr(key, language) if has_key(key, "en") else act.display_name


_PARSER = MathTextParser("path")
_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)
# LaTeX short forms mathtext does not know.
_ALIASES = {"le": "leq", "ge": "geq", "ne": "neq"}


def _renders(tex: str) -> bool:
    try:
        _PARSER.parse(f"${tex}$")
    except ValueError:
        return False
    return True


def formula_text(latex: str) -> tuple[str, bool]:
    """Turn an activation's LaTeX formula into something matplotlib can draw.

    Mathtext lacks some LaTeX (``\\begin{cases}``), so a piecewise formula is
    rewritten as ``a if c; b if d`` and, if mathtext still cannot parse it,
    the formula is given as plain text without backslashes.

    Parameters
    ----------
    latex : str
        LaTeX without dollar signs, e.g. ``Activation.latex``.

    Returns
    -------
    (str, bool)
        The text to draw and whether it is mathtext (wrapped in ``$...$``).
    """
    if _renders(latex):
        return f"${latex}$", True

    def piecewise(match: re.Match) -> str:
        rows = [row.split("&") for row in match.group(1).split(r"\\")]
        return r";\ \ ".join(rf"{r[0].strip()}\ \mathrm{{if}}\ {r[1].strip()}" if len(r) == 2
                              else r[0].strip() for r in rows)

    rewritten = _CASES.sub(piecewise, latex)
    for name, alias in _ALIASES.items():
        rewritten = re.sub(rf"\\{name}(?![A-Za-z])", rf"\\{alias}", rewritten)
    if rewritten != latex and _renders(rewritten):
        return f"${rewritten}$", True
    plain = re.sub(r"\\[,;: ]", " ", latex)
    plain = re.sub(r"\\([A-Za-z]+)", r"\1", plain).replace("{", "").replace("}", "")
    return " ".join(plain.split()), False


def marker_path(marker: str) -> Path:
    """The path of a matplotlib marker (e.g. ``"o"``, ``">"``) for ``PathCollection.set_paths``."""
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


# A 40-gon rather than the Bézier circle of marker "o": it looks the same and
# matplotlib finds its extents on every draw about ten times faster.
_PATH_IN = Path.unit_regular_polygon(40).transformed(Affine2D().scale(0.5))
_PATH_RIGHT, _PATH_LEFT = marker_path(">"), marker_path("<")


class ActivationCurvePanel:
    """f(z), the activation function's derivative f′(z), saturation and points.

    Parameters
    ----------
    view : FigureView
        The view owning the figure (dynamic artists are registered with it).
    ax : matplotlib.axes.Axes
        Where to draw.
    z_range : (float, float), default (-5, 5)
        Plotted interval of pre-activations z.
    n_points : int, default 401
        Grid size of the curves.
    show_derivative : bool, default True
        Also draw f′(z) (dashed) and mark the points on it.
    saturation_threshold : float, default 0.05
        Shade where |f′(z)| is below this.
    activation : str or Activation, default "sigmoid"
        The activation drawn first.
    legend_kwargs : dict, optional
        Passed to ``ax.legend`` (default: upper left, small font), e.g. to put
        the legend outside a small axes.

    Attributes
    ----------
    activation : Activation
        The activation drawn.
    z_grid : numpy.ndarray
        The curves' z values.
    line_f, line_df : matplotlib.lines.Line2D
        f(z) (solid) and f′(z) (dashed; hidden if ``show_derivative`` is False).
    shade : matplotlib.collections.PolyCollection
        The saturated spans (x in data, y in axes coordinates).
    saturated : list of (float, float)
        The saturated z intervals currently shaded.
    scatter_f, scatter_df : matplotlib.collections.PathCollection
        The marked points on f and on f′: ``get_offsets()`` gives the drawn
        positions (clipped into the plot for points outside ``z_range``,
        drawn as ◀/▶ at the edge instead of ●).
    point_labels : list of PathText
        Labels of the points (a pool; unused ones are hidden).
    tangent : matplotlib.lines.Line2D
        Tangent of f at the chosen z (hidden when none).
    clip_note : matplotlib.text.Text
        Says which points lie outside the plotted range (empty if none).
    z_points, f_points, df_points : numpy.ndarray
        The marked points' exact z, f(z) and f′(z) (not clipped).
    tangent_z : float or None
        Where the tangent touches f.
    """

    def __init__(self, view: FigureView, ax: Axes, z_range: tuple[float, float] = (-5, 5),
                 n_points: int = 401, show_derivative: bool = True,
                 saturation_threshold: float = 0.05,
                 activation: str | Activation = "sigmoid",
                 legend_kwargs: dict | None = None) -> None:
        lo, hi = (float(v) for v in check_array("z_range", z_range, shape=(2,)))
        if not lo < hi:
            raise ValueError(f"z_range must be (low, high) with low < high; got {tuple(z_range)}")
        n_points = check_int("n_points", n_points, minimum=2)
        self.threshold = check_nonnegative("saturation_threshold", saturation_threshold)
        act = get_activation(activation)
        self.view = view
        self.ax = ax
        self.z_range = (lo, hi)
        self.show_derivative = bool(show_derivative)
        self.z_grid = np.linspace(lo, hi, n_points)
        self.activation = act
        self.saturated: list[tuple[float, float]] = []
        self.z_points = np.empty(0)
        self.f_points = np.empty(0)
        self.df_points = np.empty(0)
        self.tangent_z: float | None = None
        self._labels: list[str] | None = None
        self._colors = None
        self._greyed = False

        # faint axes through 0: furniture, like grid lines (labels may cross them)
        ax.axhline(0.0, color="0.75", lw=0.8, zorder=0.5, gid=REFERENCE_GID)
        ax.axvline(0.0, color="0.75", lw=0.8, zorder=0.5, gid=REFERENCE_GID)
        self.shade = PolyCollection([], facecolors=SHADE_COLOR, edgecolors="none", zorder=0.2,
                                    transform=ax.get_xaxis_transform())
        ax.add_collection(self.shade, autolim=False)
        (self.line_f,) = ax.plot(self.z_grid, np.zeros(n_points), color=F_COLOR, lw=2.2,
                                 label=view.tr("activation_plot.f"), zorder=2)
        (self.line_df,) = ax.plot(self.z_grid, np.zeros(n_points), color=DF_COLOR, lw=1.8,
                                  ls="--", label=view.tr("activation_plot.df"), zorder=2)
        self.line_df.set_visible(self.show_derivative)
        self.tangent = view.dynamic(ax.plot([], [], color=TANGENT_COLOR, lw=1.6, ls="-.",
                                            label=view.tr("activation_plot.tangent"),
                                            zorder=3)[0])
        self.scatter_f = view.dynamic(ax.scatter(np.empty(0), np.empty(0), s=46, zorder=5,
                                                 color=F_COLOR, edgecolors="black",
                                                 linewidths=0.7, clip_on=False))
        self.scatter_df = view.dynamic(ax.scatter(np.empty(0), np.empty(0), s=34, zorder=5,
                                                  color=DF_COLOR, edgecolors="black",
                                                  linewidths=0.7, clip_on=False))
        self.scatter_df.set_visible(self.show_derivative)
        self.point_labels: list = []
        self.clip_note = view.dynamic(ax.text(0.5, 0.02, "", transform=ax.transAxes,
                                              ha="center", va="bottom", fontsize=8,
                                              color="0.25", zorder=6))
        ax.set_xlim(lo, hi)
        ax.set_xlabel(view.tr("activation_plot.z_axis"))
        ax.grid(True, color="0.93", lw=0.6)
        self._apply_activation(act)
        self._update_shade()
        # The legend copies each handle's style, so build it before hiding the tangent.
        self.legend = ax.legend(handles=self._legend_handles(), **{
            "loc": "upper left", "fontsize": 8, "framealpha": 1.0, **(legend_kwargs or {})})
        self.tangent.set_visible(False)

    # -- static parts ----------------------------------------------------------------------
    def _legend_handles(self) -> list:
        handles = [self.line_f]
        if self.show_derivative:
            handles.append(self.line_df)
        return handles + [self.shade, self.tangent]

    def _shade_label(self) -> str:
        key = "activation_plot.saturated" if self.saturated else "activation_plot.saturated_nowhere"
        return self.view.tr(key, threshold=f"{self.threshold:g}")

    def _apply_activation(self, act: Activation) -> None:
        f = act(self.z_grid)
        df = act.grad(self.z_grid, f)
        self.line_f.set_ydata(f)
        self.line_df.set_ydata(df)
        values = np.concatenate([f, df]) if self.show_derivative else f
        # Unbounded functions are bounded on the plotted range; the clip only
        # guards custom activations that explode there.
        cap = 2.0 * max(abs(self.z_range[0]), abs(self.z_range[1]), 1.0)
        low = max(min(float(values.min()), 0.0), -cap)
        high = min(max(float(values.max()), 0.0), cap)
        margin = 0.08 * (high - low or 1.0)
        self.ax.set_ylim(low - margin, high + margin)
        self.ax.set_title(self.view.tr("activation_plot.title",
                                       name=activation_label(act.name, self.view.language),
                                       range=act.range_text), fontsize=10)
        # f solid and f′ dashed, both in the activation's colour, as in every widget
        color = activation_color(act.name)
        self.line_f.set_color(color)
        self.line_df.set_color(color)
        legend = getattr(self, "legend", None)
        if legend is not None:
            for handle in legend.legend_handles[:1 + self.show_derivative]:
                handle.set_color(color)
        self.activation = act

    def _update_shade(self) -> None:
        self.saturated = saturated_intervals(self.z_grid, self.line_df.get_ydata(),
                                             self.threshold)
        self.shade.set_verts([[(a, 0.0), (b, 0.0), (b, 1.0), (a, 1.0)]
                              for a, b in self.saturated])
        self.shade.set_label(self._shade_label())
        legend = getattr(self, "legend", None)
        if legend is not None:
            legend.get_texts()[1 + self.show_derivative].set_text(self._shade_label())

    # -- public ----------------------------------------------------------------------------
    def set_activation(self, activation: str | Activation) -> None:
        """Draw another activation (redraws the curves, limits and points).

        Parameters
        ----------
        activation : str or Activation
            A name from :data:`~actviz_widgets.engine.ACTIVATION_NAMES` or an
            :class:`~actviz_widgets.engine.Activation`.
        """
        act = get_activation(activation)
        if act is self.activation:
            return
        self._apply_activation(act)
        self._update_shade()
        self.view.invalidate()
        self.set_tangent(self.tangent_z)  # first: the point labels keep clear of it
        self.set_points(self.z_points, self._labels, self._colors, self._greyed)

    def set_threshold(self, threshold: float) -> None:
        """Shade where |f′(z)| < ``threshold`` (>= 0)."""
        threshold = check_nonnegative("saturation_threshold", threshold)
        if threshold != self.threshold:
            self.threshold = threshold
            self._update_shade()
            self.view.invalidate()

    def set_points(self, z, labels: Sequence[str] | None = None, colors=None,
                   greyed: bool = False) -> None:
        """Mark the points (z, f(z)) on f and (z, f′(z)) on f′.

        Parameters
        ----------
        z : array_like
            Pre-activations (a scalar or 1-D), finite.
        labels : list of str, optional
            One label per point, written next to its mark on f.
        colors : color or list of colors, optional
            Face colours of the marks (default: the curve's colour).
        greyed : bool, default False
            Draw every mark in grey (e.g. values not computed yet).

        Points outside ``z_range`` are drawn at the edge as ◀ or ▶, with their
        value clipped into the y-range, and listed in :attr:`clip_note`.
        """
        z = check_array("z", z, ndim=(0, 1)).ravel()
        if labels is not None:
            labels = [str(s) for s in labels]
            if len(labels) != len(z):
                raise ValueError(f"labels must have one entry per point ({len(z)}); "
                                 f"got {len(labels)}")
        lo, hi = self.z_range
        act = self.activation
        f = act(z)
        df = act.grad(z, f)
        zc = np.clip(z, lo, hi)
        y0, y1 = self.ax.get_ylim()
        paths = [_PATH_RIGHT if v > hi else _PATH_LEFT if v < lo else _PATH_IN for v in z]
        own = activation_color(act.name)
        for scatter, y, color in ((self.scatter_f, f, own), (self.scatter_df, df, "white")):
            scatter.set_offsets(np.column_stack([zc, np.clip(y, y0, y1)]))
            scatter.set_paths(paths or [_PATH_IN])
            face = _GREY if greyed else (color if colors is None else colors)
            scatter.set_facecolors(face)
            scatter.set_alpha(0.6 if greyed else None)
        self.z_points, self.f_points, self.df_points = z, f, df
        self._labels, self._colors, self._greyed = labels, colors, bool(greyed)

        texts = labels or []
        while len(self.point_labels) < len(texts):
            self.point_labels.append(self.view.dynamic(PathText(
                self.ax, 0.0, 0.0, fontsize=8, transform=self.ax.transData)))
        for i, ann in enumerate(self.point_labels):
            visible = i < len(texts)
            ann.set_visible(visible)
            if visible:
                ann.set_text(texts[i])
                self._place_label(ann, float(zc[i]), float(np.clip(f[i], y0, y1)))
        outside = z[(z < lo) | (z > hi)]
        self.clip_note.set_text("" if not outside.size else self.view.tr(
            "activation_plot.outside", values=", ".join(f"{v:.3g}" for v in outside[:3])
            + (" …" if outside.size > 3 else "")))
        if outside.size:
            self._place_note()

    def _place_note(self) -> None:
        """Put the clip note in a corner of the axes where no curve or label runs."""
        renderer = self.view.canvas.get_renderer()
        polys = [line.get_transform().transform(line.get_xydata())
                 for line in self.ax.lines
                 if line.get_visible() and line.get_gid() != REFERENCE_GID]
        others = [b for ann in self.point_labels if ann.get_visible()
                  for _, b in ann.line_extents()]
        for x, y, ha, va in ((0.02, 0.97, "left", "top"), (0.98, 0.97, "right", "top"),
                             (0.02, 0.03, "left", "bottom"), (0.98, 0.03, "right", "bottom"),
                             (0.5, 0.5, "center", "center")):
            self.clip_note.set_position((x, y))
            self.clip_note.set_ha(ha)
            self.clip_note.set_va(va)
            box = self.clip_note.get_window_extent(renderer).padded(2.0)
            if not any(polyline_crosses(p, box) for p in polys) and \
                    not any(box.overlaps(o) for o in others):
                return

    def _place_label(self, ann: PathText, z: float, y: float) -> None:
        """Put a point's label beside its mark where no curve and no other label runs.

        Tries right/left of the mark, above/below, nearest first; keeps the
        first spot inside the axes that is clear, else the first inside the axes.
        """
        lo, hi = self.z_range
        y0, y1 = self.ax.get_ylim()
        ax_box = self.ax.bbox
        curves = [line for line in self.ax.lines
                  if line.get_visible() and line.get_gid() != REFERENCE_GID]
        polys = [line.get_transform().transform(line.get_xydata()) for line in curves]
        others = [b for other in self.point_labels if other is not ann and other.get_visible()
                  for _, b in other.line_extents()]
        fallback = None
        for dx, dy, ha in ((0.025, 0.03, "left"), (0.025, -0.09, "left"),
                           (-0.025, 0.03, "right"), (-0.025, -0.09, "right"),
                           (0.05, 0.12, "left"), (-0.05, 0.12, "right"),
                           (0.05, -0.18, "left"), (-0.05, -0.18, "right")):
            ann.set_alignment(ha=ha)
            ann.set_position((z + dx * (hi - lo), y + dy * (y1 - y0)))
            boxes = [b for _, b in ann.line_extents()]
            if not boxes:
                return
            inside = all(ax_box.x0 <= b.x0 and b.x1 <= ax_box.x1 and ax_box.y0 <= b.y0
                         and b.y1 <= ax_box.y1 for b in boxes)
            if not inside:
                continue
            fallback = fallback or (dx, dy, ha)
            grown = [b.padded(2.0) for b in boxes]
            hit = any(polyline_crosses(p, b) for p in polys for b in grown)
            hit = hit or any(b.overlaps(o) for b in grown for o in others)
            if not hit:
                return
        dx, dy, ha = fallback or (0.025, 0.03, "left")
        ann.set_alignment(ha=ha)
        ann.set_position((z + dx * (hi - lo), y + dy * (y1 - y0)))

    def set_tangent(self, z: float | None) -> None:
        """Draw the tangent of f at ``z``: y = f(z₀) + f′(z₀)(z − z₀); ``None`` hides it."""
        if z is None:
            self.tangent_z = None
            self.tangent.set_visible(False)
            return
        at = check_array("z", z, shape=(1,))  # 1-element array: the engine wants arrays
        act = self.activation
        z0, a0, d0 = float(at[0]), float(act(at)[0]), float(act.grad(at)[0])
        half = 0.18 * (self.z_range[1] - self.z_range[0])
        zs = np.array([z0 - half, z0 + half])
        self.tangent.set_data(zs, a0 + d0 * (zs - z0))
        self.tangent.set_visible(True)
        self.tangent_z = z0

    def update(self, z, labels: Sequence[str] | None = None, colors=None, greyed: bool = False,
               tangent: float | None = None) -> None:
        """Mark points and set the tangent in one call (see :meth:`set_points`)."""
        self.set_tangent(tangent)  # first: the point labels keep clear of it
        self.set_points(z, labels, colors, greyed)

