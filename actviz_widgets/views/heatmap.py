"""A heatmap panel: one image updated in place, with points and a level line.

:class:`HeatmapPanel` draws a 2-D array with one ``imshow`` whose colour
scale is fixed, so a new frame only swaps the image's data and is blitted.
It serves two kinds of pictures:

* a field over the input plane (``extent=(x0, x1, y0, y1)``, ``origin``
  at the bottom left): a network's output or one neuron's activation over a
  grid, with the training and test points on top (:meth:`set_points`) and
  the line where the field crosses a level, e.g. the 0.5 decision boundary
  (:meth:`set_level`);
* a matrix (``extent=None``): cell ``values[i, j]`` at row ``i`` (top
  down), column ``j``, with optional tick labels and numbers printed in the
  cells (an 8×8 digit, a confusion matrix, samples × neurons activations).

:class:`HeatmapTiles` draws many small heatmaps (e.g. one per neuron, at the
neurons' places in a network diagram) as ONE image: matplotlib spends about
half a millisecond per image artist whatever its size and ~15 ms to resample
a large one, so 48 separate tiles would cost ~25 ms a frame; a lookup table
and a pixel copy cost ~2 ms.

The level line is computed by :func:`level_segments` (contourpy, matplotlib's
contour library: marching squares on the grid, linear interpolation along
the cell edges; a few hundred segments) into one LineCollection, which is
far cheaper than a new ``ax.contour`` every frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from contourpy import LineType, contour_generator
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import Colormap, ListedColormap, Normalize, to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from ..engine.validation import check_array, check_int, check_nonnegative
from .base import FigureView
from .text import PathText, fmt_short

__all__ = ["HeatmapPanel", "HeatmapTiles", "MarkerSet", "level_segments", "CLASS_COLORS"]

_RDBU = colormaps["RdBu_r"]
#: Point colours of classes 0 and 1: the two dark ends of the diverging map,
#: so a point lying on "its" colour is classified right.
CLASS_COLORS = (_RDBU(0.04), _RDBU(0.96))
# more classes: Okabe–Ito (colour-blind safe)
_MORE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                "#F0E442", "#000000", "#999999", "#882255")


def level_segments(values: np.ndarray, extent: Sequence[float], level: float) -> np.ndarray:
    """Line segments where a gridded field crosses ``level`` (contourpy's marching squares).

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(ny, nx)``; ``values[i, j]`` is the field at
        ``(x_j, y_i)`` with ``x_j = linspace(x0, x1, nx)[j]`` and
        ``y_i = linspace(y0, y1, ny)[i]`` (row 0 at the bottom).
    extent : (x0, x1, y0, y1)
        Where the grid's first and last samples lie.
    level : float
        The value of the line.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2, 2)``: segment ``k`` runs from ``out[k, 0]`` to
        ``out[k, 1]`` (``(x, y)`` pairs). Crossings are linearly interpolated
        along the cell edges; a saddle cell (signs alternating round it) is
        split according to the mean of its corners (a mean equal to
        ``level`` counts as below it). Cells with a non-finite corner cross
        nothing.

    Notes
    -----
    matplotlib's own contour library (contourpy) traces the line in C: on
    the playground's 40×40 grid it takes about half the time of the NumPy
    marching squares this package used before, and far less on larger
    grids (``benchmarks/bench_level_set.py``).
    """
    v = np.ma.masked_invalid(np.asarray(values, dtype=float))
    ny, nx = v.shape
    if ny < 2 or nx < 2:
        return np.empty((0, 2, 2))
    x = np.linspace(extent[0], extent[1], nx)
    y = np.linspace(extent[2], extent[3], ny)
    # corner_mask=False: a cell with a non-finite corner is skipped whole
    lines, _ = contour_generator(x, y, v, name="serial", corner_mask=False,
                                 line_type=LineType.SeparateCode).lines(level)
    lines = [p for p in lines if len(p) > 1]
    if not lines:
        return np.empty((0, 2, 2))
    return np.concatenate([np.stack([p[:-1], p[1:]], axis=1) for p in lines])


class HeatmapPanel:
    """One image of a 2-D array with a fixed colour scale, optional points and level line.

    Parameters
    ----------
    view : FigureView
        The figure (dynamic artists are registered on it).
    ax : matplotlib.axes.Axes
        The axes to draw on.
    extent : (x0, x1, y0, y1) or None, default None
        A field over a plane: the first and last grid samples lie at
        ``x0``/``x1`` and ``y0``/``y1`` and row 0 is at the bottom (the image
        extends half a cell beyond, so every sample is a cell centre).
        ``None``: a matrix, row 0 at the top, cell ``(i, j)`` centred at
        ``(j, i)``.
    shape : (int, int), default (40, 40)
        ``(rows, columns)`` of the arrays to show; :meth:`update` may change
        it (a new shape of a matrix redraws the background).
    cmap : str, default "RdBu_r"
        A matplotlib colormap name.
    vmin, vmax : float, default -1, 1
        The colour scale (fixed; :meth:`set_limits` changes it).
    colorbar : bool or Axes, default False
        Draw a colour bar: ``True`` beside ``ax``, or in the given axes.
    title : str, default ""
        Title above the axes (a fast dynamic text; :meth:`set_title`).
    aspect : {"equal", "auto"} or float, optional
        The image's aspect (default "equal").
    xticklabels, yticklabels : sequence of str, optional
        Matrix only: labels of the columns and rows (default: no ticks).
    xlabel, ylabel : str, default ""
    ticks : bool, default True
        Show the axes' ticks and frame (``False`` for tiny heatmaps).
    annotate : bool, default False
        Matrix only: print each cell's value in it (for small matrices).
    interpolation : str, default "nearest"
        How the image is resampled ("bilinear" smooths a coarse field).
    colorbar_label : str, default ""
    pale : float, default 0
        Use only the middle ``1 - pale`` of the colormap (0 <= pale < 1): for
        a diverging map, lighter ends, so points drawn in the map's own dark
        colours (:data:`CLASS_COLORS`) stand out of the field.
    levels : int, optional
        Use this many distinct colours (e.g. 32: smaller PNG frames, slight
        banding); default: the colormap's own (256).

    Attributes
    ----------
    image : matplotlib.image.AxesImage
        The image; ``image.get_array()`` is the drawn array.
    values : numpy.ndarray
        A copy of the last array given to :meth:`update` (NaN before).
    norm : matplotlib.colors.Normalize
        The colour scale.
    points : dict of str to matplotlib.collections.PathCollection
        The point sets by name (:meth:`set_points`).
    level_line : matplotlib.lines.Line2D
        The level line (:meth:`set_level`): all its segments as one line with
        NaN breaks (one path: far cheaper than a collection of segments).
    segments : numpy.ndarray
        ``(n, 2, 2)``: the level line's segments as drawn.
    level : float or None
        The level drawn, or ``None``.
    title : PathText
    colorbar : matplotlib.colorbar.Colorbar or None
    cell_texts : list of PathText
        The printed cell values (``annotate``), row-major.
    """

    def __init__(self, view: FigureView, ax: Axes, extent: Sequence[float] | None = None,
                 shape: tuple[int, int] = (40, 40), cmap: str = "RdBu_r", vmin: float = -1.0,
                 vmax: float = 1.0, colorbar: bool | Axes = False, title: str = "",
                 aspect: str | float | None = None, xticklabels: Sequence[str] | None = None,
                 yticklabels: Sequence[str] | None = None, xlabel: str = "", ylabel: str = "",
                 ticks: bool = True, annotate: bool = False, interpolation: str = "nearest",
                 colorbar_label: str = "", pale: float = 0.0, levels: int | None = None) -> None:
        rows = check_int("shape[0]", shape[0], minimum=1)
        cols = check_int("shape[1]", shape[1], minimum=1)
        if extent is not None:
            extent = tuple(float(e) for e in check_array("extent", extent, shape=(4,)))
            if not (extent[0] < extent[1] and extent[2] < extent[3]):
                raise ValueError(f"extent must be (x0, x1, y0, y1) with x0 < x1 and y0 < y1; "
                                 f"got {extent}")
        if cmap not in colormaps:
            raise ValueError(f"unknown cmap {cmap!r}; expected a matplotlib colormap name "
                             "such as 'RdBu_r' or 'viridis'")
        pale = check_nonnegative("pale", pale)
        if pale >= 1:
            raise ValueError(f"pale must be at least 0 and less than 1; got {pale!r}")
        self.view = view
        self.ax = ax
        self.extent = extent
        self.annotate = bool(annotate) and extent is None
        self.norm = Normalize(*_check_limits(vmin, vmax))
        self.values = np.full((rows, cols), np.nan)
        self.level: float | None = None
        self.points: dict = {}
        self._pale, self._levels, self.cmap_name = pale, levels, cmap
        colours = _paler(colormaps[cmap], pale, levels).with_extremes(bad="#dddddd")
        if extent is not None and interpolation == "nearest":
            # a field: the same pixels as imshow's, from a pixel map made once per layout
            image = _FieldImage(ax, cmap=colours, norm=self.norm, origin="lower",
                                interpolation="nearest",
                                extent=self._image_extent((rows, cols)))
            image.set_data(np.zeros((rows, cols)))
            image.set_zorder(0)
            image.set_clip_path(ax.patch)
            ax.set_aspect(aspect or "equal")
            ax.add_image(image)
        else:
            image = ax.imshow(np.zeros((rows, cols)), cmap=colours, norm=self.norm,
                              origin="upper" if extent is None else "lower",
                              aspect=aspect or "equal", interpolation=interpolation,
                              extent=self._image_extent((rows, cols)), zorder=0)
        self.image = view.dynamic(image)
        (line,) = ax.plot([], [], color="#111111", lw=1.4, zorder=2, scalex=False,
                          scaley=False, solid_capstyle="round")
        self.level_line = view.dynamic(line)
        self.level_line.set_visible(False)
        self.segments = np.empty((0, 2, 2))
        self._set_view_limits((rows, cols))
        self.title = view.dynamic(PathText(ax, 0.5, 1.0, title, ha="center", va="bottom",
                                           fontsize=8.5, offset=(0.0, 4.0)))
        self.colorbar = None
        if colorbar is not False:
            kwargs = {"cax": colorbar} if isinstance(colorbar, Axes) else {
                "ax": ax, "fraction": 0.046, "pad": 0.03}
            self.colorbar = view.figure.colorbar(self.image, **kwargs)
            self.colorbar.ax.tick_params(labelsize=8)
            if colorbar_label:
                self.colorbar.set_label(colorbar_label, fontsize=8)
        self.cell_texts: list[PathText] = []
        if not ticks:
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_linewidth(0.5)
                spine.set_color("#888888")
        elif extent is None:
            self.set_ticklabels(xticklabels, yticklabels)
        else:
            ax.tick_params(labelsize=8)
        if xlabel:
            ax.set_xlabel(xlabel, fontsize=8)
        if ylabel:
            ax.set_ylabel(ylabel, fontsize=8)
        self._ticks = bool(ticks)

    # -- geometry --------------------------------------------------------------------------
    def _image_extent(self, shape: tuple[int, int]) -> tuple[float, float, float, float]:
        rows, cols = shape
        if self.extent is None:
            return (-0.5, cols - 0.5, rows - 0.5, -0.5)
        x0, x1, y0, y1 = self.extent
        hx = (x1 - x0) / max(cols - 1, 1) / 2
        hy = (y1 - y0) / max(rows - 1, 1) / 2
        return (x0 - hx, x1 + hx, y0 - hy, y1 + hy)

    def _set_view_limits(self, shape: tuple[int, int]) -> None:
        left, right, bottom, top = self._image_extent(shape)
        self.image.set_extent((left, right, bottom, top))
        self.ax.set_xlim(left, right)
        self.ax.set_ylim(bottom, top)

    def set_ticklabels(self, xticklabels: Sequence[str] | None = None,
                       yticklabels: Sequence[str] | None = None) -> None:
        """Matrix: label the columns and rows (``None``: no ticks on that axis)."""
        rows, cols = self.values.shape
        for axis, labels, n in ((self.ax.xaxis, xticklabels, cols),
                                (self.ax.yaxis, yticklabels, rows)):
            if labels is None:
                axis.set_ticks([])
                continue
            labels = [str(s) for s in labels]
            if len(labels) != n:
                raise ValueError(f"{axis.axis_name}ticklabels must have {n} labels (one per "
                                 f"{'column' if axis is self.ax.xaxis else 'row'}); "
                                 f"got {len(labels)}")
            axis.set_ticks(np.arange(n), labels=labels)
        self.ax.tick_params(labelsize=8, length=2)
        self.view.invalidate()

    # -- data ------------------------------------------------------------------------------
    def update(self, values) -> None:
        """Show a new array (NaN cells are drawn grey).

        Parameters
        ----------
        values : array_like
            2-D, shape ``(rows, columns)``. For a field, row 0 is at the
            bottom (``values[i, j]`` at ``(x_j, y_i)``). A new shape is
            allowed (it redraws the background; a matrix loses its tick labels).
        """
        values = check_array("values", values, ndim=2, finite=False)
        if values.shape != self.values.shape:
            self.values = np.full(values.shape, np.nan)
            self._set_view_limits(values.shape)  # (the half-cell margins move the limits)
            if self.extent is None and self._ticks:
                self.ax.set_xticks([])
                self.ax.set_yticks([])
            self.view.invalidate()
        np.copyto(self.values, values)
        self.image.set_data(self.values)
        if self.annotate:
            self._write_cells()
        if self.level is not None:
            self._draw_level()

    def set_limits(self, vmin: float, vmax: float) -> None:
        """Change the colour scale (redraws the background: the colour bar changes)."""
        vmin, vmax = _check_limits(vmin, vmax)
        if (vmin, vmax) != (self.norm.vmin, self.norm.vmax):
            self.norm.vmin, self.norm.vmax = vmin, vmax
            self.view.invalidate()

    def set_title(self, title: str) -> None:
        """Set the title above the axes (dynamic: no background redraw)."""
        self.title.set_text(title)

    def set_cmap(self, cmap: str) -> None:
        """Use another matplotlib colour map (e.g. a sequential one for values >= 0)."""
        if cmap not in colormaps:
            raise ValueError(f"unknown cmap {cmap!r}; expected a matplotlib colormap name "
                             "such as 'RdBu_r' or 'viridis'")
        if cmap != self.cmap_name:
            self.cmap_name = cmap
            self.image.set_cmap(_paler(colormaps[cmap], self._pale, self._levels)
                                .with_extremes(bad="#dddddd"))
            self.view.invalidate()

    def set_level(self, level: float | None) -> None:
        """Draw (or, with ``None``, hide) the line where the field equals ``level``.

        For a classifier's output probability, ``level=0.5`` is the decision
        boundary. Only for fields (``extent`` given).
        """
        if level is None:
            self.level = None
            self.segments = np.empty((0, 2, 2))
            self.level_line.set_data([], [])
            self.level_line.set_visible(False)
            return
        if self.extent is None:
            raise ValueError("set_level needs a field over a plane (a panel made with extent=...)")
        self.level = float(check_array("level", [level], shape=(1,))[0])
        self.level_line.set_visible(True)
        self._draw_level()

    def _draw_level(self) -> None:
        self.segments = segs = level_segments(self.values, self.extent, self.level)
        # each segment's two ends, then a NaN point that breaks the line
        xy = np.concatenate([segs, np.full((len(segs), 1, 2), np.nan)], axis=1).reshape(-1, 2)
        self.level_line.set_data(xy[:, 0], xy[:, 1])

    def set_points(self, X, labels=None, marker: str = "o", name: str | None = None,
                   size: float = 18.0, edgecolor: str = "white", colors=None) -> None:
        """Draw a set of points on the field, coloured by class.

        Parameters
        ----------
        X : array_like
            Shape ``(n, 2)``, data coordinates (an empty array hides the set).
        labels : array_like of int, optional
            Class of each point (0/1 use :data:`CLASS_COLORS`; more classes a
            colour-blind-safe palette); ``None``: all in the first colour.
        marker : str, default "o"
            A matplotlib marker ("o" for training points, "^" for test points).
        name : str, optional
            Which set (default: the marker); a set keeps its artist and is
            updated in place.
        size : float, default 18
            Marker area in points².
        edgecolor : color, default "white"
        colors : sequence of colors, optional
            Colour of each class (overrides the defaults).
        """
        X = check_array("X", X, ndim=2).reshape(-1, 2) if np.size(X) else np.empty((0, 2))
        n = len(X)
        if labels is None:
            idx = np.zeros(n, dtype=int)
        else:
            lab = np.asarray(labels).ravel()
            if lab.shape != (n,):
                raise ValueError(f"labels must hold one class per point ({n}); got shape "
                                 f"{np.shape(labels)}")
            if n and (not np.all(np.isfinite(lab.astype(float))) or np.any(lab < 0)
                      or np.any(lab != np.round(lab))):
                raise ValueError("labels must be class indices 0, 1, 2, ...")
            idx = lab.astype(int)
        palette = list(colors) if colors is not None else (
            list(CLASS_COLORS) if (idx.max(initial=0) < 2) else list(_MORE_COLORS))
        if n and idx.max() >= len(palette):
            raise ValueError(f"labels go up to {idx.max()} but only {len(palette)} colours "
                             "are available")
        face = np.array([to_rgba(palette[i]) for i in range(len(palette))])[idx] if n else \
            np.empty((0, 4))
        key = name or marker
        points = self.points.get(key)
        if points is None:
            points = MarkerSet(self.view, self.ax, marker=marker, edgecolor=edgecolor,
                               zorder=3 + len(self.points) * 0.1)
            self.points[key] = points
        points.set_points(X, face, size)

    # -- matrix annotations ----------------------------------------------------------------
    def _write_cells(self) -> None:
        rows, cols = self.values.shape
        n = rows * cols
        while len(self.cell_texts) < n:
            self.cell_texts.append(self.view.dynamic(PathText(
                self.ax, 0, 0, "", transform=self.ax.transData, ha="center", va="center",
                fontsize=8)))
        rgba = self.image.get_cmap()(self.norm(self.values))
        luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
        for k, text in enumerate(self.cell_texts):
            text.set_visible(k < n)
            if k >= n:
                continue
            i, j = divmod(k, cols)
            v = self.values[i, j]
            text.set_position((j, i))
            text.set_text(fmt_short(v) if np.isfinite(v) else "")
            text.set_color("white" if luminance[i, j] < 0.5 else "black")



class MarkerSet:
    """Points drawn as markers, one colour per point, updated in place.

    Like a ``scatter`` (``get_offsets``, ``get_facecolors``, ``set_visible``),
    but drawn as one marker-only ``Line2D`` per colour: Agg renders such a
    marker once and stamps it at every point (on whole pixels), about ten
    times faster than a scatter draws each point's path (0.3 against 3.4 ms
    for 100 points); the playground redraws its points every frame.

    Parameters
    ----------
    view : FigureView
        The view the lines are registered with (redrawn every frame).
    ax : matplotlib.axes.Axes
    marker : str
        A matplotlib marker ("o", "^", ...).
    edgecolor : color
    zorder : float
    """

    def __init__(self, view: FigureView, ax: Axes, marker: str, edgecolor, zorder: float) -> None:
        self.view, self.ax = view, ax
        self.marker, self.edgecolor, self.zorder = marker, edgecolor, float(zorder)
        self.lines: list[Line2D] = []
        self._offsets = np.empty((0, 2))
        self._faces = np.empty((0, 4))
        self._visible = True

    def set_points(self, X: np.ndarray, faces: np.ndarray, size: float) -> None:
        """Points ``X`` (n × 2, data coordinates) with face colours ``faces`` (n × 4 RGBA);
        ``size`` is the marker's area in points² (as a scatter's ``s``)."""
        self._offsets = np.asarray(X, dtype=float).reshape(-1, 2)
        self._faces = np.asarray(faces, dtype=float).reshape(-1, 4)
        colours = np.unique(self._faces, axis=0) if len(self._faces) else np.empty((0, 4))
        while len(self.lines) < len(colours):
            self.lines.append(self.view.dynamic(Line2D(
                [], [], linestyle="none", marker=self.marker, markeredgecolor=self.edgecolor,
                markeredgewidth=0.6, zorder=self.zorder)))
            self.ax.add_line(self.lines[-1])
        for k, line in enumerate(self.lines):
            if k < len(colours):
                mine = (self._faces == colours[k]).all(axis=1)
                line.set_data(self._offsets[mine, 0], self._offsets[mine, 1])
                line.set_markerfacecolor(tuple(colours[k]))
                line.set_markersize(float(np.sqrt(size)))
            line.set_visible(self._visible and k < len(colours))

    def get_offsets(self) -> np.ndarray:
        """The points, n × 2."""
        return self._offsets

    def get_facecolors(self) -> np.ndarray:
        """Each point's face colour, n × 4 RGBA."""
        return self._faces

    def set_visible(self, visible: bool) -> None:
        """Show or hide every point."""
        self._visible = bool(visible)
        n = len(np.unique(self._faces, axis=0)) if len(self._faces) else 0
        for k, line in enumerate(self.lines):
            line.set_visible(self._visible and k < n)

    def get_visible(self) -> bool:
        return self._visible

class _FieldImage(AxesImage):
    """An image drawn by nearest neighbour whose pixels come from a map made once per layout.

    matplotlib resamples the whole array into the canvas's pixels on every
    draw (about 2 ms for a 40×40 field shown 250 px wide).  With nearest
    neighbour each pixel shows one cell, so which cell a pixel shows only
    depends on the layout: this image asks matplotlib once, by drawing an
    array of cell numbers the ordinary way, and afterwards colours the
    cells and indexes them (about 0.2 ms).  SVG, PDF and any pixel matplotlib
    would not draw fully opaque (there are none in a field that fills its
    axes) take the ordinary path.
    """

    _pixel_map: tuple | None = None
    _pixel_key: tuple | None = None

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        if unsampled or not isinstance(renderer, RendererAgg):
            return super().make_image(renderer, magnification, unsampled)
        data = self.get_array()
        key = (renderer.width, renderer.height, magnification, self.axes.bbox.bounds,
               tuple(self.get_extent()), data.shape, self.get_transform().get_matrix().tobytes())
        if key != self._pixel_key:
            self._pixel_map = self._map_pixels(renderer, magnification, data.shape)
            self._pixel_key = key
        if self._pixel_map is None:
            return super().make_image(renderer, magnification, unsampled)
        index, x, y, trans = self._pixel_map
        cells = self.to_rgba(data, bytes=True).reshape(-1, 4)
        cells = np.vstack([cells, np.zeros((1, 4), dtype=np.uint8)])  # last: not covered
        return cells[index], x, y, trans

    def _map_pixels(self, renderer, magnification: float, shape: tuple) -> tuple | None:
        rows, cols = shape
        if rows * cols >= 2 ** 16:
            return None
        number = np.arange(rows * cols).reshape(rows, cols)
        codes = np.zeros((rows, cols, 4), dtype=np.uint8)
        codes[..., 0], codes[..., 1], codes[..., 3] = number & 255, number >> 8, 255
        probe = AxesImage(self.axes, origin=self.origin, interpolation="nearest",
                          extent=self.get_extent())
        probe.set_transform(self.get_transform())
        probe.set_clip_box(self.get_clip_box())
        probe.set_data(codes)
        im, x, y, trans = probe.make_image(renderer, magnification, False)
        if im is None:
            return None
        alpha = im[..., 3]
        if np.any((alpha != 0) & (alpha != 255)):
            return None  # a partly covered pixel: matplotlib blends it, no map can
        index = im[..., 0].astype(np.intp) + 256 * im[..., 1].astype(np.intp)
        index[alpha == 0] = rows * cols
        return index, x, y, trans


class _PixelImage(Artist):
    """RGBA pixels copied to a fixed place of the canvas: no resampling, no colour mapping.

    On the Agg canvas the artist was laid out for, it hands its pixels
    straight to the renderer (the buffer's row 0 is at the bottom, as Agg
    wants them). Any other output (SVG, PDF, PNG at another dpi) draws the
    same pixels through an ordinary ``AxesImage`` over the same area.
    """

    def __init__(self, ax: Axes, zorder: float) -> None:
        super().__init__()
        self.set_zorder(zorder)
        self.fallback = AxesImage(ax, origin="lower", interpolation="nearest")
        self.fallback.set_transform(ax.transData)
        self.fallback.set_clip_path(ax.patch)
        self.rgba = np.zeros((1, 1, 4), dtype=np.uint8)
        self.empty = True  # nothing to draw (no tiles)
        self.origin = (0, 0)
        self.canvas_size = (0, 0)

    def set_pixels(self, rgba: np.ndarray, origin: tuple[int, int],
                   canvas_size: tuple[int, int], extent: tuple) -> None:
        self.rgba, self.origin, self.canvas_size = rgba, origin, canvas_size
        self.fallback.set_data(rgba)
        self.fallback.set_extent(extent)
        self.stale = True

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.empty:
            return
        if isinstance(renderer, RendererAgg) and (renderer.width, renderer.height) == \
                self.canvas_size:
            gc = renderer.new_gc()
            gc.set_clip_rectangle(self.axes.bbox)
            renderer.draw_image(gc, self.origin[0], self.origin[1], self.rgba)
            gc.restore()
        else:
            self.fallback.draw(renderer)
        self.stale = False


class HeatmapTiles:
    """Many small heatmaps of the same shape, drawn as one pixel-aligned image.

    Each tile is a square of ``size`` points centred on a point of ``ax``'s
    data coordinates, showing an array with row 0 at the bottom (the
    field convention of :class:`HeatmapPanel`), resampled to the tile's
    pixels by nearest neighbour, with a one-pixel grey frame. The colour
    mapping is a 256-entry lookup table and the pixels go to the canvas
    without matplotlib's image pipeline, so 48 tiles of 40×40 cost about
    2 ms a frame. The axes' limits and the figure's size must stay fixed
    while a layout holds (call :meth:`set_layout` again after changing them).

    Parameters
    ----------
    view : FigureView
    ax : matplotlib.axes.Axes
        Its limits must already be set (they are not changed).
    cmap : str, default "RdBu_r"
    zorder : float, default 3
    levels : int, default 256
        Distinct colours (fewer: smaller PNG frames, slight banding).

    Attributes
    ----------
    image : matplotlib.artist.Artist
        The mosaic (RGBA pixels over the axes; transparent between tiles).
    pixels : numpy.ndarray
        Its ``(height, width, 4)`` uint8 buffer, row 0 at the bottom.
    centers : numpy.ndarray
        ``(n, 2)`` tile centres in data coordinates.
    size_px : int
        Side of a tile in pixels (at the figure's dpi).
    values : numpy.ndarray
        ``(n, rows, cols)``: the arrays last drawn (NaN before).
    vmin, vmax : numpy.ndarray
        ``(n,)``: each tile's colour scale last used.
    """

    def __init__(self, view: FigureView, ax: Axes, cmap: str = "RdBu_r",
                 zorder: float = 3, levels: int = 256) -> None:
        if cmap not in colormaps:
            raise ValueError(f"unknown cmap {cmap!r}; expected a matplotlib colormap name")
        levels = check_int("levels", levels, minimum=2, maximum=256)
        self.view = view
        self.ax = ax
        self._levels = levels
        self.cmap_name = ""
        self.set_cmap(cmap)
        self.image = _PixelImage(ax, zorder)
        ax.add_artist(self.image)
        view.dynamic(self.image)
        self.set_layout(np.empty((0, 2)), 10.0, (1, 1))

    def set_cmap(self, cmap: str) -> None:
        """Colour the tiles with another matplotlib colour map (from the next update)."""
        if cmap not in colormaps:
            raise ValueError(f"unknown cmap {cmap!r}; expected a matplotlib colormap name")
        if cmap == self.cmap_name:
            return
        levels = self._levels
        # 256 entries whatever the levels: entry i shows level floor(i·levels/256)
        steps = np.minimum((np.arange(256) * levels) // 256, levels - 1)
        lut = colormaps[cmap]((steps + 0.5) / levels if levels < 256 else steps / 255.0)
        # index 256: NaN (grey), 257: the frame
        lut = np.vstack([lut, to_rgba("#dddddd"), to_rgba("#8a8a8a")])
        self._lut = np.round(lut * 255).astype(np.uint8)
        self.cmap_name = cmap

    def set_layout(self, centers, size: float, shape: tuple[int, int], cell_px: int = 1) -> None:
        """Place ``len(centers)`` tiles of ``size`` points showing ``shape`` arrays.

        Parameters
        ----------
        centers : array_like
            ``(n, 2)`` tile centres in the axes' data coordinates.
        size : float
            Side of each tile in points.
        shape : (int, int)
            ``(rows, cols)`` of each tile's array.
        cell_px : int, default 1
            Smallest block of pixels showing one array cell: with 2, a
            40×40 array on a 30-pixel tile shows every other cell in 2×2
            blocks (smaller PNG frames than 30 distinct rows).
        """
        centers = check_array("centers", centers, ndim=2).reshape(-1, 2)
        size = check_nonnegative("size", size)
        rows = check_int("shape[0]", shape[0], minimum=1)
        cols = check_int("shape[1]", shape[1], minimum=1)
        fig = self.ax.figure
        side = max(int(round(size * fig.dpi / 72.0)), 3)
        box = self.ax.bbox
        x0, y0 = int(np.floor(box.x0)), int(np.floor(box.y0))
        x1, y1 = int(np.ceil(box.x1)), int(np.ceil(box.y1))
        width, height = x1 - x0, y1 - y0
        px = self.ax.transData.transform(centers) if len(centers) else np.empty((0, 2))
        left = np.clip(np.round(px[:, 0] - x0 - side / 2).astype(int), 0, max(width - side, 0))
        bottom = np.clip(np.round(px[:, 1] - y0 - side / 2).astype(int), 0,
                         max(height - side, 0))
        self.centers = centers
        self.size_px = side
        self._origins = list(zip(bottom.tolist(), left.tolist()))
        self._corner = (x0, y0)
        cell = check_int("cell_px", cell_px, minimum=1)
        k = (np.arange(side) // cell * cell + cell / 2) / side
        self._rows = np.minimum(np.floor(k * rows).astype(int), rows - 1)[:, None]
        self._cols = np.minimum(np.floor(k * cols).astype(int), cols - 1)[None, :]
        self.pixels = np.zeros((height, width, 4), dtype=np.uint8)
        inverse = self.ax.transData.inverted()
        (dx0, dy0), (dx1, dy1) = inverse.transform([(x0, y0), (x1, y1)])
        self.image.set_pixels(self.pixels, (x0, y0), fig.canvas.get_width_height(),
                              (dx0, dx1, dy0, dy1))
        n = len(centers)
        self.image.empty = n == 0
        self.values = np.full((n, rows, cols), np.nan)
        self.vmin, self.vmax = np.full(n, -1.0), np.full(n, 1.0)

    def pixel_boxes(self) -> np.ndarray:
        """Where each tile is drawn: ``(n, 4)`` boxes ``(x0, y0, x1, y1)`` in display pixels.

        Display pixels of the canvas (origin at the bottom left, as matplotlib's
        display coordinates), frame included; valid while the layout holds.
        """
        x0, y0 = self._corner
        side = self.size_px
        boxes = [(x0 + c, y0 + r, x0 + c + side, y0 + r + side) for r, c in self._origins]
        return np.array(boxes, dtype=float).reshape(-1, 4)

    def update(self, values, vmin=-1.0, vmax=1.0) -> None:
        """Draw the tiles' arrays.

        Parameters
        ----------
        values : array_like
            ``(n, rows, cols)``, one array per tile, row 0 at the bottom (NaN
            drawn grey).
        vmin, vmax : float or array_like
            Colour scale, one for all tiles or one per tile (``(n,)``).
        """
        n = len(self.centers)
        values = check_array("values", values, ndim=3, finite=False)
        if values.shape != self.values.shape:
            raise ValueError(f"values must have shape {self.values.shape} (tiles, rows, "
                             f"cols); got {values.shape}")
        lo = np.broadcast_to(check_array("vmin", vmin, ndim=(0, 1)).ravel(), (n,))
        hi = np.broadcast_to(check_array("vmax", vmax, ndim=(0, 1)).ravel(), (n,))
        if np.any(hi <= lo):
            raise ValueError("vmin must be less than vmax for every tile")
        self.values = values.copy()
        self.vmin, self.vmax = lo.copy(), hi.copy()
        if not n:
            return
        with np.errstate(invalid="ignore"):
            scaled = (values - lo[:, None, None]) * (255.0 / (hi - lo))[:, None, None]
            index = np.clip(np.rint(scaled), 0, 255)
        index = np.where(np.isnan(values), 256, index).astype(np.intp)
        index = index[:, self._rows, self._cols]          # (n, side, side)
        index[:, [0, -1], :] = 257
        index[:, :, [0, -1]] = 257
        pixels = self._lut[index]
        side = self.size_px
        for t, (r, c) in enumerate(self._origins):
            self.pixels[r:r + side, c:c + side] = pixels[t]
        self.image.stale = True


def _paler(cmap: Colormap, pale: float, levels: int | None = None) -> Colormap:
    """The middle ``1 - pale`` of ``cmap`` in ``levels`` colours (``cmap`` itself by default)."""
    if not pale and levels is None:
        return cmap
    n = 256 if levels is None else check_int("levels", levels, minimum=2, maximum=256)
    half = (1.0 - pale) / 2
    return ListedColormap(cmap(np.linspace(0.5 - half, 0.5 + half, n)),
                          name=f"{cmap.name}_pale")


def _check_limits(vmin: float, vmax: float) -> tuple[float, float]:
    lo, hi = (float(v) for v in check_array("(vmin, vmax)", [vmin, vmax], shape=(2,)))
    if not lo < hi:
        raise ValueError(f"vmin must be less than vmax; got vmin={vmin!r}, vmax={vmax!r}")
    return lo, hi
