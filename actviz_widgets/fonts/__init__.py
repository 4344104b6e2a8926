"""The font that draws Chinese in the pictures: one installed on the machine, else the one shipped here.

Matplotlib's own fonts (DejaVu Sans) have no Chinese glyphs.  Once, when the
views are imported, :func:`cjk_font` looks for an installed CJK font
through matplotlib's font manager (Noto Sans CJK SC, Source Han Sans SC,
Microsoft YaHei, PingFang SC, WenQuanYi, SimHei, ...); on a machine with
none (a bare Linux, Colab, Windows without the Chinese pack) it registers
``ActvizCJKSC-Regular.otf`` from this folder: a subset of Noto Sans CJK SC
(SIL Open Font License 1.1, ``OFL.txt``) holding every character of the
catalogues and lessons and the 3,755 common characters of GB 2312 level 1,
built by ``tools/make_cjk_font.py``.

Setting the environment variable ``ACTVIZ_NO_SYSTEM_CJK=1`` skips the
installed fonts, so the shipped one is used as on a machine without any.

:func:`use_cjk_font` adds the CJK family (and, after an installed one, the
shipped subset, for any character the installed font lacks) after the
families of ``rcParams["font.family"]``: matplotlib then takes each glyph
from the first family that has it (Latin from DejaVu Sans, Chinese from the
CJK font).
:class:`~actviz_widgets.views.text.PathText` falls back glyph by glyph to the
same font.  The views call :func:`use_cjk_font` when they are imported
(``import actviz_widgets`` does not import them): it costs a few
milliseconds once, and English pictures are drawn exactly as without it
(the same PNG bytes, as fast: ``benchmarks/bench_fonts.py``), since
matplotlib consults the CJK font only for glyphs DejaVu Sans lacks.
"""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "INSTALLED_FAMILIES",
    "NO_SYSTEM_ENV",
    "REPLACEMENT",
    "SHIPPED_FAMILY",
    "SHIPPED_FONT",
    "CJKFont",
    "cjk_font",
    "cjk_fonts",
    "drawable",
    "has_cjk",
    "is_cjk",
    "missing_glyphs",
    "missing_note",
    "shipped_font",
    "use_cjk_font",
    "with_cjk",
]

#: The font shipped with the package (a subset of Noto Sans CJK SC).
SHIPPED_FONT = Path(__file__).resolve().parent / "ActvizCJKSC-Regular.otf"
#: Its family name, as matplotlib's font manager knows it.
SHIPPED_FAMILY = "Actviz CJK SC"
#: Installed Simplified-Chinese families worth using, best first.
INSTALLED_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                      "Source Han Sans CN", "PingFang SC", "Microsoft YaHei",
                      "Hiragino Sans GB", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                      "Heiti SC", "STHeiti", "SimHei", "Droid Sans Fallback")
#: Set to 1 to ignore installed CJK fonts and use the shipped one.
NO_SYSTEM_ENV = "ACTVIZ_NO_SYSTEM_CJK"
#: Drawn in place of a character no font has (DejaVu Sans has it).
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"

# Blocks drawn from the CJK font: ideographs, their punctuation and radicals,
# kana and bopomofo, full-width forms, and the supplementary ideograph planes.
_CJK_BLOCKS = ((0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x31FF), (0x3200, 0x4DBF),
               (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
               (0x20000, 0x3134F))


class CJKFont(NamedTuple):
    """The CJK font the pictures use."""

    family: str  #: the family name matplotlib knows it by
    path: Path  #: the font file
    index: int  #: the face's index in a collection (.ttc), else 0
    shipped: bool  #: True when it is the subset shipped with the package

    @property
    def file(self):
        """What :func:`matplotlib.font_manager.get_font` takes for this face."""
        if self.index == 0:
            return str(self.path)
        # a face of a collection (.ttc): only matplotlib ≥ 3.11 lists those
        from matplotlib.font_manager import FontPath

        return FontPath(str(self.path), self.index)


def is_cjk(char: str) -> bool:
    """Whether ``char`` (one character) is drawn from the CJK font."""
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_BLOCKS)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character drawn from the CJK font."""
    return any(ord(char) >= 0x2E80 and is_cjk(char) for char in text)


def _installed(fonts) -> tuple[str, Path, int] | None:
    """The best installed family of :data:`INSTALLED_FAMILIES` in the font manager's list."""
    by_name: dict[str, tuple[int, str, int]] = {}
    for entry in fonts:
        # the regular face of a family: closest to weight 400, upright
        rank = abs(_weight(entry.weight) - 400) + (1000 if entry.style != "normal" else 0)
        if entry.name not in by_name or rank < by_name[entry.name][0]:
            by_name[entry.name] = (rank, entry.fname, getattr(entry, "index", 0))
    for family in INSTALLED_FAMILIES:
        if family in by_name:
            _, fname, index = by_name[family]
            if Path(fname).exists():
                return family, Path(fname), index
    return None


@lru_cache(maxsize=1)
def cjk_font() -> CJKFont:
    """The CJK font of the pictures: an installed one (see :data:`INSTALLED_FAMILIES`), else the shipped one.

    Looked up once; later calls return the same answer.

    Raises
    ------
    FileNotFoundError
        If the shipped font is needed and missing from the installation.
    """
    from matplotlib.font_manager import fontManager

    if os.environ.get(NO_SYSTEM_ENV, "").strip().lower() not in ("1", "true", "yes"):
        found = _installed(fontManager.ttflist)
        if found is not None and found[0] != SHIPPED_FAMILY:
            _bold_alias(fontManager, found[0])
            return CJKFont(*found, shipped=False)
    return shipped_font()


@lru_cache(maxsize=1)
def shipped_font() -> CJKFont:
    """The subset shipped with the package, registered with matplotlib's font manager.

    Raises
    ------
    FileNotFoundError
        If it is missing from the installation.
    """
    from matplotlib.font_manager import fontManager

    if not SHIPPED_FONT.exists():
        raise FileNotFoundError(f"the package's Chinese font {SHIPPED_FONT} is missing; "
                                f"build it with tools/make_cjk_font.py")
    if not any(Path(entry.fname) == SHIPPED_FONT for entry in fontManager.ttflist):
        fontManager.addfont(str(SHIPPED_FONT))
    _bold_alias(fontManager, SHIPPED_FAMILY)
    return CJKFont(SHIPPED_FAMILY, SHIPPED_FONT, 0, shipped=True)


def cjk_fonts() -> tuple[CJKFont, ...]:
    """The CJK fonts in the order glyphs are taken from them.

    :func:`cjk_font`, then, after an installed font, the shipped subset: an
    installed font that lacks a character of the catalogues (some fallback
    fonts do) still has it drawn.
    """
    first = cjk_font()
    return (first,) if first.shipped else (first, shipped_font())


def _bold_alias(manager, family: str) -> None:
    """Let bold text use the regular face of ``family`` when it has no bold one.

    The shipped subset (and some installed fonts) has only a regular face;
    without this, every bold Chinese title would log "Failed to find font
    weight bold".  Matplotlib lists a font's alternative names the same way.
    """
    faces = [entry for entry in manager.ttflist if entry.name == family]
    if faces and not any(_weight(entry.weight) >= 600 for entry in faces):
        regular = min(faces, key=lambda entry: abs(_weight(entry.weight) - 400))
        manager.ttflist.append(dataclasses.replace(regular, weight=700))


def _weight(weight) -> int:
    return int(weight) if str(weight).isdigit() else {"bold": 700, "light": 300}.get(weight, 400)


def use_cjk_font() -> str:
    """Let matplotlib's text draw Chinese: add the CJK families after ``rcParams["font.family"]``.

    Text artists made afterwards take each glyph from the first family that
    has it, so Latin letters and digits keep their font.  Calling it again
    costs next to nothing.

    Returns
    -------
    str
        The name of the first CJK family (:func:`cjk_font`).
    """
    from matplotlib import rcParams

    families = list(rcParams["font.family"])
    extra = [font.family for font in cjk_fonts() if font.family not in families]
    if extra:
        rcParams["font.family"] = [*families, *extra]
    return cjk_font().family


def with_cjk(family: str | list[str]) -> list[str]:
    """``family`` followed by the CJK families: for a text artist given its own family.

    ``ax.text(..., family=with_cjk("DejaVu Sans Mono"))`` draws digits in the
    monospaced font and Chinese in the CJK font.
    """
    families = [family] if isinstance(family, str) else list(family)
    return [*families, *(font.family for font in cjk_fonts())]


@lru_cache(maxsize=1)
def _cjk_cmap() -> frozenset[int]:
    from matplotlib.font_manager import get_font

    return frozenset().union(*(get_font(font.file).get_charmap() for font in cjk_fonts()))


@lru_cache(maxsize=1)
def _latin_cmap() -> frozenset[int]:
    from matplotlib.font_manager import findfont, get_font

    return frozenset(get_font(findfont("DejaVu Sans")).get_charmap())


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that neither DejaVu Sans nor a CJK font can draw (once each)."""
    latin = _latin_cmap()
    gaps = [char for char in dict.fromkeys(text)
            if ord(char) not in latin and unicodedata.category(char) not in ("Cc", "Zl", "Zp")]
    if not gaps:
        return []
    cjk = _cjk_cmap()
    return [char for char in gaps if ord(char) not in cjk]


def drawable(text: str) -> tuple[str, list[str]]:
    """``text`` with each character no font can draw replaced by U+FFFD (�), and those characters.

    For text the pictures did not write themselves (a name a learner
    typed): the picture shows the replacement mark instead of a blank box or
    an error, and the caller can say which characters were left out, e.g.
    with :func:`missing_note`.
    """
    gaps = missing_glyphs(text)
    if not gaps:
        return text, []
    lost = set(gaps)
    return "".join(REPLACEMENT if char in lost else char for char in text), gaps


def missing_note(chars: list[str], language: str | None = None) -> str:
    """A line telling the learner which characters show as �, in ``language`` ("" if none)."""
    if not chars:
        return ""
    from ..i18n import tr

    return tr("fonts.missing", language, chars=" ".join(chars))
