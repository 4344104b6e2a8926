"""A persistent matplotlib figure rendered to PNG, with blitting.

Every view of the package builds its :class:`~matplotlib.figure.Figure`
once (object-oriented API, no pyplot state) and afterwards only updates its
artists' data.  Artists that change on every update are registered as
*dynamic*: they are drawn on top of a cached background (axes, ticks,
labels), so a frame costs a restore plus a few ``draw_artist`` calls instead
of a full redraw.  When something static changes (axes limits, titles), a
view calls :meth:`FigureView.invalidate` and the next frame redraws all;
a :class:`PartialRedrawView` can instead repaint just the band of the
background that changed (a network diagram, a legend's labels).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform, Transform, TransformedBbox

from ..i18n import resolve_language, tr
from .png import encode_png

__all__ = ["FigureView", "PartialRedrawView", "set_pixel_ratio", "PNG_COMPRESS_LEVEL"]

#: zlib level for PNG frames: level 1 encodes several times faster than the
#: default 6 for a few percent more bytes, which suits interactive frames.
PNG_COMPRESS_LEVEL = 1


#: Device pixels per CSS pixel of new views (see :func:`set_pixel_ratio`).
_pixel_ratio = 1.0


def set_pixel_ratio(ratio: float) -> None:
    """Render the pictures of widgets made from now on at ``ratio`` device pixels per CSS pixel.

    2 makes them sharp on a high-DPI (retina) screen, shown at the same size:
    each frame then has 4 times the pixels, about 2-3 times the bytes and 4
    times the rendering time, so the default stays 1.

    Raises
    ------
    ValueError
        Unless ``ratio`` is a number in [1, 4].
    """
    global _pixel_ratio
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 1 <= ratio <= 4:
        raise ValueError(f"ratio must be a number from 1 to 4; got {ratio!r}")
    _pixel_ratio = float(ratio)


class FigureView:
    """Base class: one persistent figure, dynamic artists, PNG/SVG output.

    Parameters
    ----------
    figsize : tuple of float
        Figure size in inches; at ``dpi`` 100 a figure 8.3 inches wide is 830
        CSS pixels wide and fits a notebook's output area without being scaled
        down (833 px in a 1280×720 JupyterLab 4.6 window with the file browser
        open, as measured in a browser).
    dpi : float, default 100
        CSS pixels per inch as the picture is displayed.
    pixel_ratio : float, optional
        Device pixels per CSS pixel the frames are rendered for: 2 renders
        twice as many pixels each way (sharp on a high-DPI screen), to be shown
        at :attr:`css_size`. Default: :func:`set_pixel_ratio`'s (1 unless set).
    language : str, optional
        The language of the picture's texts, ``"en"`` or ``"zh"``
        (:mod:`actviz_widgets.i18n`). Default: the current language.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure; subclasses add axes and artists to it once.
    canvas : matplotlib.backends.backend_agg.FigureCanvasAgg
        Its Agg canvas.
    """

    def __init__(self, figsize: tuple[float, float], dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        self.language = resolve_language(language)
        if pixel_ratio is None:
            pixel_ratio = _pixel_ratio
        if not pixel_ratio > 0:
            raise ValueError(f"pixel_ratio must be a positive number; got {pixel_ratio!r}")
        self.pixel_ratio = float(pixel_ratio)
        self.figure = Figure(figsize=figsize, dpi=dpi * self.pixel_ratio)
        self.canvas = FigureCanvasAgg(self.figure)
        self._dynamic: list[Artist] = []
        self._background = None
        self._backgrounds: dict[Hashable, object] = {}  # static key -> saved background

    # -- artists ---------------------------------------------------------------------------
    def tr(self, key: str, /, **values) -> str:
        """The text of catalogue ``key`` in this picture's language (:func:`~actviz_widgets.i18n.tr`)."""
        return tr(key, self.language, **values)

    def dynamic(self, artist: Artist) -> Artist:
        """Register ``artist`` as redrawn on every frame; returns it."""
        artist.set_animated(True)
        self._dynamic.append(artist)
        return artist

    def forget(self, artist: Artist) -> None:
        """Stop redrawing a dynamic ``artist`` and remove it from the figure."""
        if artist in self._dynamic:
            self._dynamic.remove(artist)
        artist.remove()

    def freeze(self, artists: Iterable[Artist]) -> None:
        """Draw dynamic ``artists`` in the static background from now on.

        For artists that change only when the background is redrawn anyway.
        """
        for artist in artists:
            if artist in self._dynamic:
                self._dynamic.remove(artist)
                artist.set_animated(False)

    @property
    def css_size(self) -> tuple[float, float]:
        """Width and height at which to display a frame, in CSS pixels."""
        width, height = self.canvas.get_width_height()
        return width / self.pixel_ratio, height / self.pixel_ratio

    # -- geometry in the page ----------------------------------------------------------------
    def css_points(self, xy, transform: Transform) -> np.ndarray:
        """Where points given in ``transform``'s coordinates lie in the shown picture, in CSS px.

        The page shows a frame at :attr:`css_size` with its origin at the top
        left; matplotlib's display coordinates are device pixels from the
        bottom left.  So: ``transform`` (e.g. ``ax.transData``) to display
        coordinates, flip y, divide by the pixel ratio.

        Parameters
        ----------
        xy : array_like, shape (2,) or (n, 2)
            Points in the coordinates of ``transform``.
        transform : matplotlib.transforms.Transform
            Their transform, e.g. ``ax.transData`` or ``ax.transAxes``.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, 2)`` (or ``(2,)`` for one point): ``x`` right, ``y`` down, in CSS px.

        Notes
        -----
        Valid for the figure as last drawn (an axes with a fixed aspect ratio
        settles its box when drawn); call it after :meth:`draw`.
        """
        pts = np.asarray(xy, dtype=float)
        one = pts.ndim == 1
        display = transform.transform(np.atleast_2d(pts))
        height = self.figure.bbox.height
        css = np.column_stack([display[:, 0], height - display[:, 1]]) / self.pixel_ratio
        return css[0] if one else css

    def css_length(self, points: float) -> float:
        """A length in typographic points (line widths, marker sizes) in CSS px as shown."""
        return float(points) * self.figure.dpi / 72.0 / self.pixel_ratio

    def css_box(self, artist: Artist) -> dict[str, float]:
        """The box an artist was drawn in, as ``{"x0", "y0", "x1", "y1"}`` in CSS px (top-left origin)."""
        box = artist.get_window_extent(self.canvas.get_renderer())
        (x0, y1), (x1, y0) = self.css_points([[box.x0, box.y0], [box.x1, box.y1]],
                                             IdentityTransform())
        return {"x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1)}

    def dynamic_all(self, artists: Iterable[Artist]) -> list[Artist]:
        """Register several dynamic artists; returns them as a list."""
        return [self.dynamic(a) for a in artists]

    def invalidate(self) -> None:
        """Mark the static background stale (limits, titles or layout changed)."""
        self._background = None

    # -- rendering -------------------------------------------------------------------------
    #: How many backgrounds to keep by :meth:`static_key` (0: only the current one).
    #: Views whose static part returns to earlier states (stepping through layers,
    #: restarting a run) set it, since a full draw costs 100-250 ms.
    background_cache: int = 0

    def static_key(self) -> Hashable:
        """Everything the static background depends on: equal keys, equal backgrounds.

        Only used when :attr:`background_cache` is set; subclasses that set it
        override this.
        """
        raise NotImplementedError

    def draw(self) -> None:
        """Bring the canvas up to date: full draw if stale, else blit."""
        if self._background is None:
            key = self.static_key() if self.background_cache else None
            cached = self._backgrounds.pop(key, None) if key is not None else None
            if cached is None:
                self.canvas.draw()  # animated artists are skipped here
                cached = self.canvas.copy_from_bbox(self.figure.bbox)
            else:
                self.canvas.restore_region(cached)
            self._background = cached
            if key is not None:
                self._backgrounds[key] = cached  # most recent last
                while len(self._backgrounds) > self.background_cache:
                    self._backgrounds.pop(next(iter(self._backgrounds)))
        else:
            self.canvas.restore_region(self._background)
        # In z-order, as a full draw would paint them (sorted() is stable for ties).
        for artist in sorted(self._dynamic, key=Artist.get_zorder):
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def to_png(self) -> bytes:
        """Draw and encode the current frame as PNG bytes."""
        self.draw()
        return encode_png(np.asarray(self.canvas.buffer_rgba()), PNG_COMPRESS_LEVEL)

    def save(self, path: str | os.PathLike, dpi: float | None = None) -> None:
        """Save the current picture to a file; the format follows the extension.

        Parameters
        ----------
        path : str or path-like
            Ends in ``.png``, ``.svg`` or ``.pdf``.
        dpi : float, optional
            Resolution for PNG (default: the figure's).

        Raises
        ------
        ValueError
            For another extension.
        """
        ext = os.path.splitext(os.fspath(path))[1].lower()
        if ext not in (".png", ".svg", ".pdf"):
            raise ValueError(f"path must end in .png, .svg or .pdf; got {os.fspath(path)!r}")
        # savefig skips animated artists, so show them as ordinary ones for the file.
        for artist in self._dynamic:
            artist.set_animated(False)
        try:
            self.figure.savefig(path, dpi=dpi or self.figure.dpi)
        finally:
            for artist in self._dynamic:
                artist.set_animated(True)
            self.invalidate()


class PartialRedrawView(FigureView):
    """A :class:`FigureView` that can redraw the static content of one region only.

    A change that would make the whole background stale (e.g. the diagram's
    new layer titles) costs a full draw of every axes and tick label; when
    the change is confined to one axes, :meth:`redraw_region` instead
    repaints that region of the cached background (cleared, then the axes
    drawn again), which costs a fraction of it.  Given a ``key`` that
    determines the region's static content (e.g. the layer sizes), the
    repainted pixels are kept (the last :attr:`REGION_CACHE` keys) and
    restored the next time the same key comes back.
    """

    #: How many repainted regions (about 1 MB each) are kept by key.
    REGION_CACHE = 12

    def __init__(self, figsize: tuple[float, float], dpi: float = 100,
                 pixel_ratio: float | None = None, language: str | None = None) -> None:
        super().__init__(figsize, dpi, pixel_ratio, language)
        self._stale_regions: list[tuple] = []
        self._regions: dict = {}
        self._eraser = Rectangle((0, 0), 0, 0, transform=self.figure.transFigure,
                                 facecolor=self.figure.get_facecolor(), edgecolor="none",
                                 animated=True)  # animated: never part of a full draw
        self.figure.add_artist(self._eraser)

    def redraw_region(self, bounds: tuple[float, float, float, float], ax: Axes,
                      change: Callable[[], object], key: Hashable | None = None) -> None:
        """Run ``change``; if it invalidated the view, only redraw ``ax`` within ``bounds``.

        Parameters
        ----------
        bounds : (left, bottom, width, height)
            In figure coordinates; must hold all of ``ax``'s static content
            and nothing else static. Child axes of ``ax`` (e.g. a colour bar
            made with ``inset_axes``) are not redrawn: keep them out of ``bounds``.
        ax : matplotlib.axes.Axes
            The axes whose static content ``change`` alters.
        change : callable
            The update (it may call :meth:`invalidate`).
        key : hashable, optional
            Everything the region's static content depends on: equal keys,
            equal pixels (so they can be reused).
        """
        # (its invalidate() also drops the regions already pending: keep them)
        background, pending = self._background, list(self._stale_regions)
        change()
        if background is not None and self._background is None:
            self._background = background
            self._stale_regions[:] = pending + [(self._snapped(bounds), ax, key)]

    def _snapped(self, bounds: tuple[float, float, float, float]) -> tuple:
        """``bounds`` grown to whole canvas pixels: erasing a pixel the region only
        partly covers would blend the old picture into the new one there."""
        width, height = self.figure.bbox.width, self.figure.bbox.height
        left, bottom, w, h = bounds
        x0, x1 = math.floor(left * width + 1e-6), math.ceil((left + w) * width - 1e-6)
        y0, y1 = math.floor(bottom * height + 1e-6), math.ceil((bottom + h) * height - 1e-6)
        return (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)

    def invalidate(self) -> None:
        """Mark the whole background stale (a full draw replaces any pending region)."""
        super().invalidate()
        self._stale_regions.clear()

    def draw(self) -> None:
        """Repaint stale regions of the background if any, then as :meth:`FigureView.draw`."""
        if self._background is not None and self._stale_regions:
            self.canvas.restore_region(self._background)
            for bounds, ax, key in self._stale_regions:
                cached = self._regions.pop((bounds, key), None) if key is not None else None
                if cached is None:
                    self._repaint(bounds, ax)
                    cached = self.canvas.copy_from_bbox(
                        TransformedBbox(Bbox.from_bounds(*bounds), self.figure.transFigure))
                else:
                    self.canvas.restore_region(cached)
                if key is not None:
                    self._regions[(bounds, key)] = cached  # most recent last
                    while len(self._regions) > self.REGION_CACHE:
                        self._regions.pop(next(iter(self._regions)))
            self._stale_regions.clear()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        super().draw()

    def _repaint(self, bounds: tuple[float, float, float, float], ax: Axes) -> None:
        self._eraser.set_bounds(*bounds)
        self.figure.draw_artist(self._eraser)
        # child axes (a colour bar) lie outside the region and did not change
        children = [c for c in ax.child_axes if c.get_visible()]
        for child in children:
            child.set_visible(False)
        try:
            self.figure.draw_artist(ax)
        finally:
            for child in children:
                child.set_visible(True)
