"""Text for frame-by-frame views: number formatting and a fast text artist.

:class:`PathText` draws a string as one filled path of cached glyph outlines.
Matplotlib's ``Text`` rasterises every glyph with FreeType on every draw
(about 0.1 ms per character here), so a 1,000-character equation panel
would cost ~100 ms a frame; as a path it costs well under a millisecond.
Every view uses it for text that changes on each update.

Importing this module also lets matplotlib's own text artists draw Chinese
(:func:`actviz_widgets.fonts.use_cjk_font`).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, NullFormatter
from matplotlib.transforms import Affine2D, Bbox, ScaledTranslation, Transform

from ..fonts import REPLACEMENT, cjk_fonts, use_cjk_font

# Chinese in every text artist of the views: the CJK family follows the default
# families (see actviz_widgets.fonts; a few ms once, nothing per English frame).
use_cjk_font()

__all__ = ["PathText", "fmt", "fmt_short", "fmt_tiny", "short_log_ticks", "text_width",
           "wrap_text"]


def fmt(value: float, digits: int = 3) -> str:
    """``value`` in ``digits`` significant digits with a true minus sign (−)."""
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    return f"{value:.{digits}g}".replace("-", "−")


def fmt_short(value: float) -> str:
    """A label for a tight spot (a neuron, a bar, a tick): 3 significant digits,
    and a compact exponent (``2.6e5``, ``−1.2e−4``) outside [0.001, 10⁴)."""
    value = float(value)
    if not math.isfinite(value):
        return fmt(value)
    text = fmt(value)
    magnitude = abs(value)
    if value == 0 or (1e-3 <= magnitude < 1e4 and "e" not in text):
        return text
    exponent = math.floor(math.log10(magnitude))
    mantissa = value / 10.0 ** exponent
    if round(abs(mantissa), 1) >= 10:  # 9.96e4 rounds up to 10e4
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.2g}e{exponent}".replace("-", "−")


def short_log_ticks(target: Axis | Colorbar) -> None:
    """Label a log axis's major ticks with :func:`fmt_short` (0.01, 1, 1e−6), its minor ones not.

    Matplotlib's default, ``10^{-6}`` in mathtext, draws the exponent at 70 %
    of the tick label's size: 8 px in an 11-px label, too small to read.

    Parameters
    ----------
    target : matplotlib.axis.Axis or matplotlib.colorbar.Colorbar
        The x or y axis of an axes, or a colour bar (whose own formatters
        would replace its axis's on the next change of its norm).
    """
    major, minor = FuncFormatter(lambda value, _pos: fmt_short(value)), NullFormatter()
    if isinstance(target, Colorbar):
        target.formatter, target.minorformatter = major, minor
    else:
        target.set_major_formatter(major)
        target.set_minor_formatter(minor)


def fmt_tiny(value: float) -> str:
    """A label inside a neuron: 2 significant digits, at most 6 characters.

    ``0.27``, ``−0.068``, ``13``, ``−9e−3`` (one digit with an exponent
    outside [0.01, 100)).
    """
    value = float(value)
    if not math.isfinite(value):
        return fmt(value)
    magnitude = abs(value)
    text = fmt(value, 2)
    if value == 0 or (0.01 <= magnitude < 100 and "e" not in text):
        return text
    exponent = math.floor(math.log10(magnitude))
    mantissa = round(value / 10.0 ** exponent)
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa // 10, exponent + 1
    return f"{mantissa}e{exponent}".replace("-", "−")


_FONT_SCALE = 100.0  # glyph outlines are cached at 100 pt and scaled


@lru_cache(maxsize=8)
def _font(family: str, weight: str):
    return get_font(findfont(FontProperties(family=family, weight=weight)))


@lru_cache(maxsize=1)
def _cjk_faces() -> tuple:
    """The CJK fonts' faces, in fallback order (:func:`actviz_widgets.fonts.cjk_fonts`)."""
    return tuple(get_font(font.file) for font in cjk_fonts())


def _face_for(family: str, weight: str, char: str):
    """The first face that has ``char``: the family's, DejaVu Sans, the CJK fonts; else None."""
    if char in (" ", "\t"):
        return _font(family, weight)
    code = ord(char)
    for font in (_font(family, weight), _font("DejaVu Sans", weight)):
        if font.get_char_index(code):
            return font
    return next((font for font in _cjk_faces() if font.get_char_index(code)), None)


@lru_cache(maxsize=4096)
def _glyph(family: str, weight: str, char: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline (vertices in points at 100 pt, codes) and advance of one character.

    A character the family lacks comes from DejaVu Sans, then from the CJK
    fonts (:mod:`actviz_widgets.fonts`); one no font has is drawn as U+FFFD (�).
    """
    font = _face_for(family, weight, char)
    if font is None:
        return _glyph("DejaVu Sans", weight, REPLACEMENT)
    font.set_size(_FONT_SCALE, 72)  # the font object is shared with the renderer
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
    verts, codes = font.get_path()
    return np.asarray(verts, dtype=float), np.asarray(codes, dtype=np.uint8), \
        glyph.linearHoriAdvance / 65536.0


class PathText(PathPatch):
    """A text artist drawn as one path of cached glyph outlines (fast to redraw).

    Use it for text that changes every frame; it supports what the views
    need: several lines, horizontal and vertical alignment, a colour, a font
    family and weight (no rotation, no mathtext, no kerning). A character the
    family lacks comes from DejaVu Sans, then from the CJK font of
    :mod:`actviz_widgets.fonts` (Chinese), and one no font has shows as �.

    Parameters
    ----------
    container : Axes or Figure
        Where the artist is added (not clipped to the axes).
    x, y : float
        Anchor in ``transform`` coordinates.
    text : str, default ""
    transform : Transform, optional
        Coordinates of the anchor (default: ``container.transAxes`` for axes,
        ``transFigure`` for a figure).
    fontsize : float, default 8
        In points.
    family : str, default "DejaVu Sans"
    weight : {"normal", "bold"}, default "normal"
    color : color, default "black"
    ha : {"left", "center", "right"}, default "left"
    va : {"top", "center", "bottom", "baseline"}, default "baseline"
    linespacing : float, default 1.2
        Line pitch as a multiple of the font's line height.
    offset : (float, float), default (0, 0)
        Shift from the anchor, in points.
    zorder : float, default 5
    column_rows : int, optional
        At most this many lines per column: longer text continues in further
        columns to the right (broken at a blank line where one is near),
        ``column_width`` points apart. ``get_text()`` still returns all of it.
    column_width : float, default 0
    """

    def __init__(self, container: Axes | Figure, x: float, y: float, text: str = "", *,
                 transform: Transform | None = None, fontsize: float = 8.0,
                 family: str = "DejaVu Sans", weight: str = "normal", color="black",
                 ha: str = "left", va: str = "baseline", linespacing: float = 1.2,
                 offset: tuple[float, float] = (0.0, 0.0), zorder: float = 5,
                 column_rows: int | None = None, column_width: float = 0.0) -> None:
        super().__init__(Path(np.empty((0, 2))), facecolor=color, edgecolor="none",
                         linewidth=0, zorder=zorder, snap=False)
        figure = container if isinstance(container, Figure) else container.figure
        if transform is None:
            transform = container.transFigure if isinstance(container, Figure) else \
                container.transAxes
        self._figure = figure
        self._base = transform
        self._offset = (float(offset[0]), float(offset[1]))
        self.set_position((x, y))
        self._family, self._weight = family, weight
        self._size, self._ha, self._va, self._spacing = fontsize, ha, va, linespacing
        self._text: str | None = None
        self._column_rows, self._column_width = column_rows, float(column_width)
        if isinstance(container, Figure):
            container.add_artist(self)
        else:
            container.add_artist(self)
            self.set_clip_on(False)
        self.set_text(text)

    @property
    def fontsize(self) -> float:
        """The font size in points."""
        return self._size

    def get_text(self) -> str:
        """The text shown."""
        return self._text or ""

    def line_extents(self) -> list[tuple[str, Bbox]]:
        """Each drawn line of text and its ink box on the canvas, in pixels."""
        transform = self.get_transform()
        return [(line, Bbox(transform.transform(box)))
                for line, box in zip(self._line_texts, self._line_boxes)]

    def get_position(self) -> tuple[float, float]:
        """The anchor, in the coordinates of ``transform``."""
        return self._xy

    def set_position(self, xy: tuple[float, float]) -> None:
        """Move the anchor (in the coordinates of ``transform``)."""
        self._xy = (float(xy[0]), float(xy[1]))
        # points -> pixels, then shifted to where the anchor lands on the canvas
        self.set_transform(Affine2D().translate(*self._offset).scale(1 / 72)
                           + self._figure.dpi_scale_trans
                           + ScaledTranslation(*self._xy, self._base))

    def set_color(self, color) -> None:
        """Set the text colour."""
        self.set_facecolor(color)

    def set_alignment(self, ha: str | None = None, va: str | None = None) -> None:
        """Change the horizontal and/or vertical alignment (see the class parameters)."""
        if (ha or self._ha) != self._ha or (va or self._va) != self._va:
            self._ha, self._va = ha or self._ha, va or self._va
            text, self._text = self._text, None
            self.set_text(text or "")

    def set_text(self, text: str) -> None:
        """Lay out ``text`` (may hold newlines) into the path."""
        text = str(text)
        if text == self._text:
            return
        self._text = text
        font = _font(self._family, self._weight)
        em = font.units_per_EM
        ascent, descent = font.ascender / em * self._size, -font.descender / em * self._size
        pitch = font.height / em * self._size * self._spacing
        pixel = 72.0 / self._figure.dpi
        lines = text.split("\n")
        places = _columns(lines, self._column_rows)
        verts, codes, self._line_texts = [], [], []
        for (column, row), line in zip(places, lines):
            v, c, width = _line(self._family, self._weight, self._size, pixel, line)
            if not len(v):
                continue
            dx = {"left": 0.0, "center": -width / 2, "right": -width}[self._ha]
            dx += column * self._column_width
            verts.append(v + (_snap(dx, pixel), -_snap(row * pitch, pixel)))
            codes.append(c)
            self._line_texts.append(line)
        block = max(row for _, row in places) * pitch
        dy = _snap({"baseline": 0.0, "top": -ascent, "bottom": block + descent,
                    "center": (block + descent - ascent) / 2}[self._va], pixel)
        self._line_boxes = [np.array([[v[:, 0].min(), v[:, 1].min() + dy],
                                      [v[:, 0].max(), v[:, 1].max() + dy]]) for v in verts]
        if verts:
            all_verts = np.concatenate(verts)
            all_verts[:, 1] += dy
            self.set_path(Path(all_verts, np.concatenate(codes)))
        else:
            self.set_path(Path(np.empty((0, 2))))
        self.stale = True


def text_width(text: str, fontsize: float, family: str = "DejaVu Sans",
               weight: str = "normal") -> float:
    """Width in points of the longest line of ``text`` as :class:`PathText` lays it out.

    Glyph advances from the fonts that draw each character (Chinese from the
    CJK font, one em each), without snapping to pixels.
    """
    return max(_line(family, weight, float(fontsize), 0.0, line)[2] if line else 0.0
               for line in str(text).split("\n"))


# A line may break before any Chinese character, never before closing punctuation.
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CLOSING = "，。；：、）》」』！？"
_PIECES = re.compile(rf"[{_CJK}][{_CLOSING}]*|[^\s{_CJK}]+")


def wrap_text(text: str, fontsize: float, width: float, weight: str = "normal") -> list[str]:
    """Greedy wrap of ``text`` into lines at most ``width`` points wide, as :class:`PathText`
    draws them: between words, and between Chinese characters (which have no spaces
    between them); a line break in ``text`` always breaks.  A word wider than
    ``width`` gets a line of its own."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, end = "", 0
        for match in _PIECES.finditer(paragraph):
            gap = paragraph[end:match.start()]  # the spaces before this piece, if any
            end = match.end()
            trial = line + (gap if line else "") + match.group()
            if line and text_width(trial, fontsize, weight=weight) > width:
                lines.append(line)
                line = match.group()
            else:
                line = trial
        lines.append(line)
    return lines


def _columns(lines: list[str], rows: int | None) -> list[tuple[int, int]]:
    """(column, row) of each line: at most ``rows`` per column, breaking after a blank
    line in the second half of a full column when there is one."""
    if not rows or len(lines) <= rows:
        return [(0, r) for r in range(len(lines))]
    places, column, start = [], 0, 0
    while start < len(lines):
        end = min(start + rows, len(lines))
        if end < len(lines):
            blanks = [i for i in range(start + rows // 2, end) if not lines[i].strip()]
            if blanks:
                end = blanks[-1] + 1
        places += [(column, r - start) for r in range(start, end)]
        # a column does not start with the blank line that ended the last one
        start, column = end, column + 1
    return places


def _snap(points: float, pixel: float) -> float:
    return round(points / pixel) * pixel if pixel else points


@lru_cache(maxsize=4096)
def _line(family: str, weight: str, size: float, pixel: float,
          line: str) -> tuple[np.ndarray, np.ndarray, float]:
    """One line of text as glyph outlines (points, baseline at y = 0), and its width.

    Glyph origins sit on whole pixels, so every copy of a character is
    rasterised the same way: crisper, and the PNG encoder finds repeats.
    Lines recur from frame to frame (labels, headers), hence the cache.
    """
    scale = size / _FONT_SCALE
    verts, codes, x = [], [], 0.0
    for char in line:
        v, c, advance = _glyph(family, weight, char)
        if len(v):
            verts.append(v * scale + (_snap(x * scale, pixel), 0.0))
            codes.append(c)
        x += advance
    if not verts:
        return np.empty((0, 2)), np.empty(0, dtype=np.uint8), x * scale
    return np.concatenate(verts), np.concatenate(codes), x * scale
