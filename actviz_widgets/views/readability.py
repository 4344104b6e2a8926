"""Checks that a view's picture is readable as a learner sees it.

A picture is shown at its width in CSS pixels, scaled down to fit the
output area when it is wider (an ``ipywidgets.Image`` with ``max-width:
100%``). In a 1280×720 JupyterLab 4.6 window with the file browser open the
output area is 833 CSS pixels wide (measured in a browser); pictures are at
most :data:`OUTPUT_WIDTH` wide, so they are shown at their own size. This module
finds every text drawn in a view's figure (matplotlib ``Text`` artists and
the views' fast :class:`~actviz_widgets.views.text.PathText`), and reports

* text smaller than :data:`MIN_TEXT_PX` as displayed,
* text cut off at the picture's edges,
* text boxes that overlap other text boxes,
* lines (edges, curves, markers) drawn across a text box,
* a value written on a neuron that does not fit inside it,
* characters that no font of the pictures can draw (they would show as �).

A mathtext string is as small as its smallest part: mathtext draws an
exponent, an index and a fraction's parts at 70 % of the text's size, their
own scripts at 49 % (:func:`mathtext_scale`), so ``10^{-12}`` at 11 pt has a
7.7-pt exponent.

Boxes are measured with the fonts that draw the text, Chinese included:
matplotlib lays out a ``Text`` with its family list (the CJK font follows
DejaVu Sans, :mod:`actviz_widgets.fonts`), and a ``PathText`` box is the ink
of the glyph outlines it draws; a Han character is about one em wide, near
twice a Latin letter, which is why Chinese labels need more room.

The checks are used by the tests; :func:`readability_problems` also serves
anyone laying out a new view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..fonts import missing_glyphs
from .base import FigureView
from .text import PathText

__all__ = ["OUTPUT_WIDTH", "MIN_TEXT_PX", "REFERENCE_GID", "TextBox", "display_scale",
           "drawn_texts", "mathtext_scale", "small_texts", "clipped_texts", "overlapping_texts",
           "lines_across_texts", "texts_spilling_from_markers", "polyline_crosses",
           "undrawable_texts", "readability_problems"]

#: Width in CSS pixels of a notebook's output area in a 1280×720 JupyterLab 4.6 window
#: with the file browser open (833 measured, a few pixels to spare).
OUTPUT_WIDTH = 830.0
#: Smallest text size, in CSS pixels as displayed, that a learner reads without squinting.
MIN_TEXT_PX = 11.0
#: The ``gid`` of faint reference lines (an axis through 0): furniture like grid lines,
#: which a label may cross.
REFERENCE_GID = "reference"


@dataclass(frozen=True)
class TextBox:
    """One drawn text: its artist, string, size and box on the canvas.

    Attributes
    ----------
    artist : matplotlib.artist.Artist
        A ``Text`` or a ``PathText``.
    text : str
    size_px : float
        Font size in canvas pixels.
    bbox : matplotlib.transforms.Bbox
        Where it is drawn, in canvas pixels.
    """

    artist: Artist
    text: str
    size_px: float
    bbox: Bbox

    def __repr__(self) -> str:
        b = self.bbox
        return (f"{self.text[:40]!r} ({self.size_px:.1f} px at x {b.x0:.0f}-{b.x1:.0f}, "
                f"y {b.y0:.0f}-{b.y1:.0f})")


def display_scale(view: FigureView, output_width: float = OUTPUT_WIDTH) -> float:
    """Canvas pixels → CSS pixels as displayed: 1/pixel ratio, times the fit to the output."""
    css_width = view.css_size[0]
    return min(1.0, output_width / css_width) / view.pixel_ratio


#: The factor by which mathtext shrinks a script or a fraction's parts (matplotlib's
#: ``mathtext.SHRINK_FACTOR``).
_SHRINK = 0.7


def mathtext_scale(text: str) -> float:
    """The size of the smallest part of ``text``'s mathtext, as a fraction of its font size.

    1 for plain text and for math without scripts or fractions; 0.7 for a
    superscript or subscript (``e^{-z}``, ``w_1``) or a ``\\frac``'s
    numerator and denominator; 0.7² for a script inside those; and so on.

    Parameters
    ----------
    text : str
        A text as matplotlib draws it: math between unescaped dollar signs.

    Returns
    -------
    float
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    parts = re.split(r"(?<!\\)\$", text)
    deepest = max((_script_depth(part) for part in parts[1::2] if len(parts) > 2), default=0)
    return _SHRINK ** deepest


def _script_depth(math: str) -> int:
    """How deep scripts and fractions nest in one mathtext expression."""
    deepest = 0
    # per open {...} group: its script depth, and the depths its next groups or
    # symbols take (a script after ^ or _, the two parts of a \\frac)
    stack: list[tuple[int, list[int]]] = [(0, [])]
    i = 0

    def next_level() -> int:
        level, pending = stack[-1]
        return pending.pop(0) if pending else level

    while i < len(math):
        c = math[i]
        if c == "\\":
            name = re.match(r"\\([A-Za-z]+|.?)", math[i:], re.S).group(1)
            i += 1 + len(name)
            if name in ("frac", "dfrac", "tfrac", "binom"):
                level, pending = stack[-1]
                pending[:0] = [level + 1] * 2
            elif name.isalpha() and name not in ("left", "right"):
                deepest = max(deepest, next_level())  # a symbol: \\pi, \\sigma, \\exp
            continue
        i += 1
        if c in "^_":
            level, pending = stack[-1]
            pending.insert(0, level + 1)
        elif c == "{":
            stack.append((next_level(), []))
            deepest = max(deepest, stack[-1][0])
        elif c == "}":
            if len(stack) > 1:
                stack.pop()
        elif not c.isspace():
            deepest = max(deepest, next_level())
    return deepest


def _shown(artist: Artist) -> bool:
    """Visible, and so is every ancestor (axes, legend, ...)."""
    while artist is not None:
        if not artist.get_visible():
            return False
        parent = getattr(artist, "axes", None)
        if parent is artist or parent is None:
            break
        artist = parent
    return True


def drawn_texts(view: FigureView) -> list[TextBox]:
    """Every non-empty text drawn in the view's current frame, with its box.

    Matplotlib ``Text`` artists are recorded as the figure draws them (so
    tick labels outside the axes' range, which are never drawn, are left
    out); ``PathText`` artists are taken when visible. Each line of a
    several-line text is a box of its own.
    """
    view.draw()  # brings every artist up to date
    renderer = view.canvas.get_renderer()
    drawn: list[Text] = []
    original = Text.draw

    def record(text, rend):
        if text.get_visible() and text not in drawn:
            drawn.append(text)
        return original(text, rend)

    Text.draw = record  # for one draw of this figure (tests and tools draw in one thread)
    try:
        view.canvas.draw()  # a full draw (a cached background would draw no text)
        for artist in sorted(view._dynamic, key=Artist.get_zorder):
            if artist.get_visible():
                view.figure.draw_artist(artist)
    finally:
        Text.draw = original
        view.invalidate()
    renderer = view.canvas.get_renderer()
    dpi = view.figure.dpi
    boxes = []
    for text in drawn:
        if text.get_text().strip():
            scale = mathtext_scale(text.get_text()) if text.get_parse_math() else 1.0
            size = text.get_fontsize() * dpi / 72.0 * scale
            boxes.append(TextBox(text, text.get_text(), size, text.get_window_extent(renderer)))
    for text in view.figure.findobj(PathText):
        if _shown(text):  # one box per line: a block of lines is not a rectangle of ink
            boxes.extend(TextBox(text, line, text.fontsize * dpi / 72.0, box)
                         for line, box in text.line_extents() if line.strip())
    return boxes


def small_texts(view: FigureView, min_px: float = MIN_TEXT_PX,
                output_width: float = OUTPUT_WIDTH,
                boxes: list[TextBox] | None = None) -> list[TextBox]:
    """The texts whose displayed size (font px × display scale) is below ``min_px``."""
    scale = display_scale(view, output_width)
    boxes = drawn_texts(view) if boxes is None else boxes
    return [b for b in boxes if b.size_px * scale < min_px - 1e-6]


def clipped_texts(view: FigureView, boxes: list[TextBox] | None = None,
                  tol: float = 1.0) -> list[TextBox]:
    """The texts that run past the picture's edges (cut off)."""
    boxes = drawn_texts(view) if boxes is None else boxes
    fig = view.figure.bbox
    return [b for b in boxes if b.bbox.x0 < fig.x0 - tol or b.bbox.x1 > fig.x1 + tol
            or b.bbox.y0 < fig.y0 - tol or b.bbox.y1 > fig.y1 + tol]


def _overlap(a: Bbox, b: Bbox, tol: float) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def overlapping_texts(boxes: list[TextBox], tol: float = 1.0,
                      gap: float = 2.0) -> list[tuple[TextBox, TextBox]]:
    """Pairs of text boxes that overlap, or stand side by side less than ``gap`` px apart.

    Boxes overlap if they share more than ``tol`` pixels vertically and come
    closer than ``gap`` pixels horizontally (words that touch read as one).
    """
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.artist is b.artist:
                continue  # the lines of one text are laid out by its line pitch
            if (min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0) > -gap
                    and min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0) > tol):
                pairs.append((a, b))
    return pairs


def _segments(artist: Artist) -> list[np.ndarray]:
    """Polylines (canvas pixels) drawn by a Line2D or LineCollection."""
    if isinstance(artist, Line2D):
        if artist.get_linestyle() in ("None", "none", "", " ") or artist.get_linewidth() <= 0:
            return []
        xy = artist.get_transform().transform(artist.get_xydata())
        return [xy[np.isfinite(xy).all(axis=1)]]
    transform = artist.get_transform()
    out = []
    widths = artist.get_linewidths()
    for k, path in enumerate(artist.get_paths()):
        if len(widths) and widths[k % len(widths)] <= 0:
            continue
        out.append(transform.transform(path.vertices))
    return out


def _markers(artist: Artist) -> list[Bbox]:
    if not isinstance(artist, Line2D) or artist.get_marker() in (None, "None", "none", ""):
        return []
    half = artist.get_markersize() * artist.figure.dpi / 72.0 / 2
    xy = artist.get_transform().transform(artist.get_xydata())
    return [Bbox([[x - half, y - half], [x + half, y + half]])
            for x, y in xy[np.isfinite(xy).all(axis=1)]]


def polyline_crosses(poly: np.ndarray, box: Bbox) -> bool:
    """True if the polyline passes through the box's interior (Liang–Barsky per segment)."""
    if len(poly) < 2:
        return False
    p0, p1 = poly[:-1], poly[1:]
    d = p1 - p0
    t0, t1 = np.zeros(len(d)), np.ones(len(d))
    ok = np.ones(len(d), dtype=bool)
    for p, q in ((-d[:, 0], p0[:, 0] - box.x0), (d[:, 0], box.x1 - p0[:, 0]),
                 (-d[:, 1], p0[:, 1] - box.y0), (d[:, 1], box.y1 - p0[:, 1])):
        parallel = p == 0
        ok &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, r), t1)
    return bool((ok & (t0 < t1)).any())


def _occluders(ax, zorder: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Opaque round markers (neurons) drawn above ``zorder``: (centres, radii) in pixels."""
    out = []
    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or coll.get_zorder() <= zorder or \
                not _shown(coll) or (coll.get_alpha() is not None and coll.get_alpha() < 1):
            continue
        faces = coll.get_facecolors()
        if not len(faces) or (faces[:, 3] < 1).any():
            continue
        centres = coll.get_offset_transform().transform(coll.get_offsets())
        sizes = np.broadcast_to(coll.get_sizes(), (len(centres),)) if len(coll.get_sizes()) \
            else np.zeros(len(centres))
        out.append((centres, np.sqrt(sizes) / 2 * ax.figure.dpi / 72.0))
    return out


def _haloed(artist: Artist) -> bool:
    """True if the text is drawn over a white halo at least 2 points wide."""
    for effect in artist.get_path_effects():
        gc = getattr(effect, "_gc", {})
        if isinstance(effect, patheffects.withStroke) and gc.get("linewidth", 0) >= 2 and \
                to_rgba(gc.get("foreground", "none")) == (1.0, 1.0, 1.0, 1.0):
            return True
    return False


def _visible_crossing(poly: np.ndarray, box: Bbox, occluders) -> bool:
    """True if the polyline runs through ``box`` somewhere no opaque marker covers it."""
    if not polyline_crosses(poly, box):
        return False
    if not occluders:
        return True
    for p, q in zip(poly[:-1], poly[1:]):
        n = int(max(abs(q - p).max(), 1.0))  # a sample per pixel
        pts = p + (q - p) * np.linspace(0.0, 1.0, n + 1)[:, None]
        inside = ((pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0)
                  & (pts[:, 1] < box.y1))
        pts = pts[inside]
        for centres, radii in occluders:
            if not len(pts):
                break
            d2 = ((pts[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            pts = pts[~(d2 < (radii[None, :] ** 2)).any(axis=1)]
        if len(pts):
            return True
    return False


def texts_spilling_from_markers(view: FigureView, boxes: list[TextBox] | None = None,
                                tol: float = 1.0) -> list[TextBox]:
    """Texts centred on a round marker (a value in a neuron) that do not fit inside it."""
    boxes = drawn_texts(view) if boxes is None else boxes
    out = []
    for ax in view.figure.axes:
        circles = _occluders(ax, -np.inf)
        for box in boxes:
            if box.artist.axes is not ax:
                continue
            b = box.bbox
            centre = np.array([(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2])
            corners = np.array([[b.x0, b.y0], [b.x0, b.y1], [b.x1, b.y0], [b.x1, b.y1]])
            for centres, radii in circles:
                d = np.hypot(*(centres - centre).T)
                k = np.flatnonzero(d < radii / 2)  # written on this marker
                if len(k):
                    far = np.hypot(*(corners - centres[k[0]]).T).max()
                    if far > radii[k[0]] + tol:
                        out.append(box)
                    break
    return out


def lines_across_texts(view: FigureView, boxes: list[TextBox] | None = None,
                       shrink: float = 1.5) -> list[tuple[Artist, TextBox]]:
    """Lines and markers drawn across a text box (shrunk by ``shrink`` pixels each side).

    Only data lines inside axes count: grid lines, ticks, the lines of legends
    and colour bars, and faint reference lines (``gid`` :data:`REFERENCE_GID`)
    are furniture that text is laid out against. A
    line hidden under an opaque marker drawn above it (a neuron over its
    edges) does not cross the text written on that marker.
    """
    boxes = drawn_texts(view) if boxes is None else boxes
    furniture = set()
    for ax in view.figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            furniture.update(axis.get_gridlines())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                furniture.update((tick.tick1line, tick.tick2line, tick.gridline))
        legend = ax.get_legend()
        if legend is not None:
            furniture.update(legend.findobj(Line2D))
    legend = view.figure.legends
    for leg in legend:
        furniture.update(leg.findobj(Line2D))
    # a legend on an opaque frame covers the data drawn under it, its texts included
    boxed = {}
    for leg in [ax.get_legend() for ax in view.figure.axes] + list(view.figure.legends):
        if leg is not None and leg.get_frame_on() and leg.get_frame().get_alpha() in (None, 1):
            boxed.update({text: leg.get_zorder() for text in leg.get_texts()})
    hits = []
    for ax in view.figure.axes:
        if not ax.get_visible():
            continue
        for artist in ax.findobj(lambda a: isinstance(a, (Line2D, LineCollection))):
            if artist in furniture or artist.get_gid() == REFERENCE_GID or \
                    not _shown(artist) or artist.get_alpha() == 0:
                continue
            polys = _segments(artist)
            marks = _markers(artist)
            occluders = _occluders(ax, artist.get_zorder())
            for box in boxes:
                if box.artist.axes is not None and box.artist.axes is not ax:
                    continue  # a label of another panel: panels do not overlap
                if _haloed(box.artist) and box.artist.get_zorder() > artist.get_zorder():
                    continue  # a white halo stops the line short of the letters
                if boxed.get(box.artist, -np.inf) > artist.get_zorder():
                    continue  # under the legend's opaque frame
                inner = Bbox([[box.bbox.x0 + shrink, box.bbox.y0 + shrink],
                              [box.bbox.x1 - shrink, box.bbox.y1 - shrink]])
                if artist.get_clip_on():  # only the part inside the axes is drawn
                    inner = Bbox.intersection(inner, ax.bbox)
                if inner is None or inner.width <= 0 or inner.height <= 0:
                    continue
                if any(_visible_crossing(p, inner, occluders) for p in polys) or \
                        any(_overlap(m, inner, 0.0) for m in marks):
                    hits.append((artist, box))
    return hits


def undrawable_texts(boxes: list[TextBox]) -> list[tuple[TextBox, list[str]]]:
    """Texts with characters that neither DejaVu Sans nor the CJK font has, and those characters."""
    return [(box, gaps) for box in boxes if (gaps := missing_glyphs(box.text))]


def readability_problems(view: FigureView, output_width: float = OUTPUT_WIDTH,
                         lines: bool = True) -> list[str]:
    """Everything that makes the current frame hard to read, one sentence each (empty: fine)."""
    boxes = drawn_texts(view)
    scale = display_scale(view, output_width)
    problems = [f"text {b!r} is {b.size_px * scale:.1f} px as displayed (< {MIN_TEXT_PX:g})"
                for b in small_texts(view, output_width=output_width, boxes=boxes)]
    problems += [f"text {b!r} runs past the picture's edge" for b in clipped_texts(view, boxes)]
    problems += [f"text {a!r} overlaps text {b!r}" for a, b in overlapping_texts(boxes)]
    problems += [f"text {b!r} has characters no font draws: {' '.join(gaps)}"
                 for b, gaps in undrawable_texts(boxes)]
    if lines:
        problems += [f"{type(line).__name__} {line.get_label()!r} crosses text {b!r}"
                     for line, b in lines_across_texts(view, boxes)]
        problems += [f"text {b!r} does not fit in its marker"
                     for b in texts_spilling_from_markers(view, boxes)]
    return problems
