"""Build the package's Chinese font: a subset of Noto Sans CJK SC.

The pictures draw Chinese with a CJK font found on the machine when there is
one; on a machine without (Windows without the Chinese pack, a bare Linux,
Colab) they use ``actviz_widgets/fonts/ActvizCJKSC-Regular.otf``, built by
this script from Noto Sans CJK SC (SIL Open Font License 1.1; Debian's
``fonts-noto-cjk``).  The full font is about 16 MB; the subset holds the
glyphs of

* every character of every catalogue string (``actviz_widgets/locale/*/*.json``),
* every character of the Chinese lessons (``notebooks/zh/source/*.ipynb``),
* printable ASCII, Latin-1 letters, the symbols the pictures use
  (− ∞ ′ ∂ δ σ η ∇ × · → …) and the CJK and full-width punctuation,
* with ``--common`` (the default), the 3,755 common characters of GB 2312
  level 1, so that text a learner might type has its glyphs too
  (``--no-common``: only the texts above).

Run it again whenever a catalogue gains characters (``tests/test_fonts.py``
names the missing ones)::

    python tools/make_cjk_font.py            # writes the font, prints its size
    python tools/make_cjk_font.py --check    # exit 1 if the font lacks a needed character

Same source font and same texts give the same bytes (no timestamps are
written).  The subset is renamed ("Actviz CJK SC"): the OFL lets a modified
font be shipped under a name other than the original's, and a distinct name
keeps matplotlib from confusing it with a full Noto Sans CJK SC installed on
the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = "Noto Sans CJK SC"
OUTPUT = ROOT / "actviz_widgets" / "fonts" / "ActvizCJKSC-Regular.otf"
FAMILY = "Actviz CJK SC"
POSTSCRIPT = "ActvizCJKSC-Regular"

# Symbols of the pictures and formulas, CJK punctuation, full-width forms.
SYMBOLS = ("−∞′″∂δσηλμε∇∑∏√×÷·•…→←↑↓↔⇒≈≠≤≥±°²³⁴⁰¹ⁿ₀₁₂₃₄ᵀ‖∈∉∀∃∘⊙"
           "‐‑–—―‘’“”«»‹›§¶©®™✔✘✎✓✗★☆")
CJK_PUNCTUATION = "".join(map(chr, range(0x3000, 0x3020))) + \
    "".join(map(chr, range(0xFF01, 0xFF5F))) + "￥"
LATIN = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x100)))


def gb2312_level1() -> str:
    """The 3,755 common characters of GB 2312 level 1 (rows 16-55), from Python's codec."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:  # row 55 ends at 0xF9
                pass
    return "".join(chars)


def catalogue_texts(root: Path = ROOT) -> dict[str, str]:
    """Every catalogue string of every language, by ``"<lang>:<key>"``."""
    texts = {}
    for path in sorted((root / "actviz_widgets" / "locale").glob("*/*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            texts[f"{path.parent.name}:{key}"] = text
    return texts


def lesson_texts(root: Path = ROOT) -> str:
    """Every character of the Chinese lessons' sources (cells' text)."""
    chars = set()
    for path in sorted((root / "notebooks" / "zh" / "source").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            chars.update("".join(cell["source"]))
    return "".join(sorted(chars))


def wanted_characters(common: bool = True, root: Path = ROOT) -> set[str]:
    """The characters the subset should hold (whether the source has them or not)."""
    chars = set(LATIN + SYMBOLS + CJK_PUNCTUATION)
    for text in catalogue_texts(root).values():
        chars.update(text)
    chars.update(lesson_texts(root))
    if common:
        chars.update(gb2312_level1())
    return {c for c in chars if c.isprintable() or c == "\u3000"}


def load_source(path: Path = SOURCE, face: str = SOURCE_FACE) -> TTFont:
    """The face named ``face`` from the collection (or single font) at ``path``."""
    if not path.exists():
        raise SystemExit(f"{path} not found: install the source font "
                         f"(Debian/Ubuntu: apt-get install fonts-noto-cjk) or pass --source")
    if path.suffix.lower() == ".ttc":
        for number, font in enumerate(TTCollection(path, lazy=True).fonts):
            if font["name"].getDebugName(4) == face:
                return TTFont(path, fontNumber=number, recalcTimestamp=False)
        raise SystemExit(f"{path} holds no face named {face!r}")
    return TTFont(path, recalcTimestamp=False)


def rename(font: TTFont, source_version: str) -> None:
    """Give the subset its own names; keep the copyright and licence records."""
    names = font["name"]
    version = f"{source_version}; subset of {SOURCE_FACE} by tools/make_cjk_font.py"
    for record_id, text in ((1, FAMILY), (2, "Regular"), (3, f"{POSTSCRIPT};{source_version}"),
                            (4, FAMILY), (5, version), (6, POSTSCRIPT), (16, FAMILY),
                            (17, "Regular")):
        names.removeNames(nameID=record_id)
        names.setName(text, record_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        names.setName(text, record_id, 1, 0, 0)  # Macintosh, Roman, English
    names.removeNames(nameID=7)  # "Noto is a trademark of Google Inc.": not this font's name
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    top = font["CFF "].cff.topDictIndex[0]
    for field in ("FullName", "FamilyName"):
        if hasattr(top, field):
            setattr(top, field, FAMILY)


def build(source: Path = SOURCE, output: Path = OUTPUT, common: bool = True) -> tuple[int, int]:
    """Write the subset to ``output``; return (characters kept, bytes)."""
    font = load_source(source)
    source_version = font["name"].getDebugName(5).split(";")[0]
    cmap = font.getBestCmap()
    chars = sorted(c for c in wanted_characters(common) if ord(c) in cmap)
    options = subset.Options()
    options.layout_features = ["kern"]  # matplotlib shapes nothing else
    options.hinting = False  # the pictures render unhinted or autohinted
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "DSIG"]  # horizontal text only
    options.name_IDs = ["*"]
    options.name_languages = [0x409, 0]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    rename(font, source_version)
    output.parent.mkdir(parents=True, exist_ok=True)
    # a new file renamed over the old: a process drawing with the old one keeps reading it
    partial = output.with_name(output.name + ".partial")
    font.save(partial)
    os.replace(partial, output)
    return len(chars), output.stat().st_size


def dejavu_sans() -> Path:
    """Matplotlib's own DejaVu Sans, which draws every character it has before the CJK font."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def missing(font_path: Path = OUTPUT, root: Path = ROOT) -> list[tuple[str, str]]:
    """(catalogue key, character) for each Chinese catalogue character no picture font has.

    The pictures draw a character from DejaVu Sans when it has it, else from
    the CJK font: a character in neither would show as a box.
    """
    cmap: set[int] = set()
    for path in (font_path, dejavu_sans()):
        with TTFont(path, lazy=True) as font:
            cmap |= set(font.getBestCmap())
    return [(key, char) for key, text in catalogue_texts(root).items()
            if key.startswith("zh:") for char in dict.fromkeys(text)
            if not char.isspace() and ord(char) not in cmap]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help=f"the Noto Sans CJK collection or SC font (default {SOURCE})")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-common", dest="common", action="store_false",
                        help="leave out the 3,755 common characters of GB 2312 level 1")
    parser.add_argument("--check", action="store_true",
                        help="only check that the font has every Chinese catalogue character")
    args = parser.parse_args(argv)
    if args.check:
        gaps = missing(args.output)
        for key, char in gaps:
            print(f"{key}: {char!r} (U+{ord(char):04X}) has no glyph")
        return 1 if gaps else 0
    count, size = build(args.source, args.output, args.common)
    print(f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
          f"{count} characters, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
