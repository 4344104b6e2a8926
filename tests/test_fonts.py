"""The Chinese font: every catalogue character drawable, pictures without a CJK font installed, fallbacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib.font_manager import findfont, get_font

from actviz_widgets import fonts
from actviz_widgets.i18n import LOCALE_DIR, tr
from actviz_widgets.views.text import PathText

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Not in the subset: CJK extension B, outside GB 2312 and every catalogue.
RARE = "\U00020000"


def _cmap(path) -> set[int]:
    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


def test_every_chinese_catalogue_character_has_a_glyph():
    shipped = _cmap(fonts.SHIPPED_FONT)
    latin = set(get_font(findfont("DejaVu Sans")).get_charmap())
    gaps = []
    for path in sorted((LOCALE_DIR / "zh").glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            gaps += [f"{key}: {char!r} (U+{ord(char):04X})" for char in dict.fromkeys(text)
                     if not char.isspace() and ord(char) not in shipped | latin]
    assert not gaps, ("characters of the Chinese catalogue that no picture font has "
                      "(run tools/make_cjk_font.py to add them to the shipped font):\n"
                      + "\n".join(gaps))


def test_shipped_font_is_small_and_holds_the_common_characters():
    assert fonts.SHIPPED_FONT.stat().st_size < 1_000_000
    level1 = {ord(bytes((high, low)).decode("gb2312")) for high in range(0xB0, 0xD8)
              for low in range(0xA1, 0xFF) if (high, low) < (0xD7, 0xFA)}
    assert len(level1) == 3755
    assert level1 <= _cmap(fonts.SHIPPED_FONT)
    assert (fonts.SHIPPED_FONT.parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") == 1


@pytest.mark.skipif(not SOURCE_FONT.exists(), reason=f"source font {SOURCE_FONT} not installed "
                    "(apt-get install fonts-noto-cjk)")
def test_font_script_is_reproducible(tmp_path):
    script = ROOT / "tools" / "make_cjk_font.py"
    outputs = [tmp_path / "a.otf", tmp_path / "b.otf"]
    for output in outputs:
        subprocess.run([sys.executable, str(script), "--no-common", "--output", str(output)],
                       check=True, capture_output=True, cwd=ROOT)
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    with TTFont(outputs[0]) as font:
        names, cmap = font["name"], font.getBestCmap()
        assert names.getDebugName(1) == fonts.SHIPPED_FAMILY
        assert "Noto" not in names.getDebugName(4)  # a Modified Version's own name
        assert "Open Font License" in names.getDebugName(13)
    assert ord("激") in cmap and ord(RARE) not in cmap


# A Chinese picture in a fresh interpreter, with the installed CJK fonts hidden
# (and, if the machine has one, also registered, to show the switch wins).
FRESH = textwrap.dedent("""
    import json, logging, sys, warnings
    warnings.simplefilter("error")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from pathlib import Path
    from matplotlib.font_manager import fontManager
    system = Path(sys.argv[1])
    if system.exists():
        fontManager.addfont(str(system))
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from actviz_widgets.views.text import PathText
    from actviz_widgets.fonts import cjk_font
    fig = Figure(figsize=(4, 2), dpi=72)
    canvas = FigureCanvasAgg(fig)
    path_text = PathText(fig, 0.05, 0.7, "激活函数", fontsize=20)
    title = fig.text(0.05, 0.3, "激活函数", fontsize=20, weight="bold")
    plain = fig.text(0.05, 0.05, "激活函数", fontsize=20)
    canvas.draw()
    renderer = canvas.get_renderer()
    print(json.dumps([cjk_font().family, cjk_font().shipped, path_text.line_extents()[0][1].width,
                      title.get_window_extent(renderer).width,
                      plain.get_window_extent(renderer).width]))
""")


def test_chinese_picture_in_a_fresh_process_without_installed_cjk_fonts():
    env = {**os.environ, "MPLBACKEND": "Agg", fonts.NO_SYSTEM_ENV: "1"}
    run = subprocess.run([sys.executable, "-c", FRESH, str(SOURCE_FONT)], check=False,
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no warning, no "findfont" log line
    family, shipped, path_width, title_width, plain_width = json.loads(run.stdout)
    assert (family, shipped) == (fonts.SHIPPED_FAMILY, True)
    # Han characters are one em wide: 4 × 20 pt at 72 dpi = 80 px, less the side bearings.
    assert 74 <= float(path_width) <= 80
    assert float(title_width) == pytest.approx(80, abs=1)
    assert float(plain_width) == pytest.approx(80, abs=1)


INSTALLED = textwrap.dedent("""
    import json, logging, sys, warnings
    warnings.simplefilter("error")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    import matplotlib
    from matplotlib.font_manager import fontManager
    fontManager.addfont(sys.argv[1])
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from actviz_widgets.views.text import PathText
    from actviz_widgets.fonts import cjk_fonts
    fig = Figure(figsize=(4, 2), dpi=72)
    canvas = FigureCanvasAgg(fig)
    PathText(fig, 0.05, 0.7, "激活函数", fontsize=20)
    fig.text(0.05, 0.3, "激活函数", fontsize=20, weight="bold")
    canvas.draw()
    print(json.dumps([[f.family, f.shipped] for f in cjk_fonts()]
                     + [list(matplotlib.rcParams["font.family"])]))
""")


@pytest.mark.skipif(not SOURCE_FONT.exists() or not hasattr(matplotlib.font_manager, "FontPath"),
                    reason="needs Noto Sans CJK installed and matplotlib >= 3.11 (faces of a .ttc)")
def test_an_installed_cjk_font_comes_first_and_the_shipped_one_backs_it_up():
    env = {key: value for key, value in os.environ.items() if key != fonts.NO_SYSTEM_ENV}
    run = subprocess.run([sys.executable, "-c", INSTALLED, str(SOURCE_FONT)], check=False,
                         capture_output=True, text=True, env={**env, "MPLBACKEND": "Agg"},
                         cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    installed, shipped, families = json.loads(run.stdout)
    assert installed == ["Noto Sans CJK SC", False]
    assert shipped == [fonts.SHIPPED_FAMILY, True]
    assert families[-2:] == ["Noto Sans CJK SC", fonts.SHIPPED_FAMILY]


def test_pathtext_draws_chinese_from_the_cjk_font():
    fig = matplotlib.figure.Figure(figsize=(3, 1), dpi=100)
    text = PathText(fig, 0.1, 0.5, "梯度", fontsize=10)
    face = get_font(fonts.cjk_font().file)
    face.set_size(100, 72)
    face.load_char(ord("梯"), flags=matplotlib.ft2font.LoadFlags.NO_HINTING)
    expected, _ = face.get_path()
    drawn = text.get_path().vertices
    # the first glyph's outline, scaled from 100 pt to 10 pt, on a whole-pixel origin
    assert np.allclose(drawn[:len(expected)], np.asarray(expected) / 10, atol=1e-9)


def test_characters_no_font_has_are_replaced_and_named():
    shown, lost = fonts.drawable(f"名字 {RARE}x{RARE}")
    assert shown == f"名字 {fonts.REPLACEMENT}x{fonts.REPLACEMENT}"
    assert lost == [RARE]
    assert fonts.drawable("反向传播 δ = ∂L/∂z") == ("反向传播 δ = ∂L/∂z", [])
    assert fonts.missing_note(lost, "zh") == tr("fonts.missing", "zh", chars=RARE)
    assert RARE in fonts.missing_note(lost, "en") and fonts.missing_note([], "en") == ""


def test_pathtext_draws_a_replacement_mark_for_a_character_no_font_has():
    fig = matplotlib.figure.Figure(figsize=(3, 1), dpi=100)
    rare = PathText(fig, 0.1, 0.5, RARE, fontsize=10)
    mark = PathText(fig, 0.1, 0.5, fonts.REPLACEMENT, fontsize=10)
    assert len(rare.get_path().vertices) > 0
    assert np.array_equal(rare.get_path().vertices, mark.get_path().vertices)


def test_use_cjk_font_adds_the_family_once_after_the_defaults():
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        family = fonts.use_cjk_font()
        fonts.use_cjk_font()
        cjk = [font.family for font in fonts.cjk_fonts()]
        assert cjk[0] == family and cjk[-1] == fonts.SHIPPED_FAMILY
        assert matplotlib.rcParams["font.family"] == ["sans-serif", *cjk]
    assert fonts.with_cjk("DejaVu Sans Mono") == ["DejaVu Sans Mono", *cjk]


@pytest.mark.parametrize(("char", "cjk"), [("激", True), ("，", True), ("。", True), ("Ａ", True),
                                           (RARE, True), ("a", False), ("δ", False),
                                           ("−", False), ("∂", False)])
def test_is_cjk(char, cjk):
    assert fonts.is_cjk(char) is cjk
    assert fonts.has_cjk(f"x = 1 {char}") is cjk


def test_english_pictures_are_unchanged_by_the_fallback():
    """The CJK family after DejaVu Sans draws no Latin glyph: same PNG bytes with and without it."""
    import actviz_widgets as av

    for build in (av.ActivationExplorer, av.SingleNeuron):
        with matplotlib.rc_context({"font.family": ["sans-serif"]}):
            plain = build(language="en").view.to_png()
        assert fonts.cjk_font().family in matplotlib.rcParams["font.family"]
        assert build(language="en").view.to_png() == plain


def test_text_width_measures_each_glyph_in_the_font_that_draws_it():
    from actviz_widgets.views.text import text_width

    font = get_font(findfont("DejaVu Sans"))
    font.set_size(100, 72)
    x_advance = font.load_char(ord("x")).linearHoriAdvance / 65536 / 10  # at 10 pt
    assert text_width("xx", 10) == pytest.approx(2 * x_advance, rel=1e-9)
    assert text_width("梯度", 10) == pytest.approx(20.0, rel=1e-5)  # one em each (16.16 fixed point)
    assert text_width("梯度x\nx", 10) == pytest.approx(20.0 + x_advance, rel=1e-5)


def test_an_installed_regular_face_of_the_best_family_is_preferred(tmp_path):
    from matplotlib.font_manager import FontEntry

    files = {}
    for name in ("wqy", "noto-bold", "noto", "noto-italic"):
        files[name] = tmp_path / f"{name}.ttc"
        files[name].write_bytes(b"")
    entries = [FontEntry(fname=str(files["wqy"]), name="WenQuanYi Zen Hei", weight=400),
               FontEntry(fname=str(files["noto-bold"]), name="Noto Sans CJK SC", weight=700),
               FontEntry(fname=str(files["noto-italic"]), name="Noto Sans CJK SC", weight=400,
                         style="italic"),
               FontEntry(fname=str(files["noto"]), name="Noto Sans CJK SC", weight=400),
               FontEntry(fname="/nonexistent.ttf", name="Source Han Sans SC", weight=400)]
    assert fonts._installed(entries) == ("Noto Sans CJK SC", files["noto"], 0)
    assert fonts._installed(entries[:1]) == ("WenQuanYi Zen Hei", files["wqy"], 0)
    assert fonts._installed(entries[-1:]) is None  # listed, but its file is gone
