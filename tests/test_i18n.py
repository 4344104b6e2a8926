"""The string catalogues: both languages hold the same keys and placeholders; the switch works."""

from __future__ import annotations

import json
import re

import pytest

from actviz_widgets import i18n
from actviz_widgets.i18n import LOCALE_DIR, catalogue, placeholders, resolve_language, tr

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def test_both_languages_have_the_same_keys():
    en, zh = set(catalogue("en")), set(catalogue("zh"))
    assert sorted(en - zh) == [], "keys missing in the Chinese catalogue"
    assert sorted(zh - en) == [], "keys missing in the English catalogue"


def test_both_languages_have_the_same_files():
    en = sorted(p.name for p in (LOCALE_DIR / "en").glob("*.json"))
    zh = sorted(p.name for p in (LOCALE_DIR / "zh").glob("*.json"))
    assert en == zh


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_placeholders_agree(key):
    assert placeholders(catalogue("en")[key]) == placeholders(catalogue("zh")[key]), key


def test_every_text_formats_with_its_placeholders():
    for lang in i18n.LANGUAGES:
        for key, text in catalogue(lang).items():
            names = placeholders(text)
            # Positional fields ("{}") would be filled by position in one language and not
            # the other: only named fields.
            assert all(name and not name.isdigit() for name in names), (lang, key, text)
            tr(key, lang, **{name: 1 for name in names})


def test_english_texts_hold_no_chinese_and_chinese_texts_no_english_sentences():
    for key, text in catalogue("en").items():
        assert not CJK.search(text), (key, text)
    for key, text in catalogue("zh").items():
        # A Chinese text may keep symbols, formulas and names (tanh, ReLU, Adam, z, ∂L/∂w),
        # but never an English phrase of three words or more outside {placeholders}.
        bare = re.sub(r"\{[^}]*\}", "", text)
        assert not re.search(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", bare), (key, text)


def test_catalogue_files_are_flat_objects_keyed_by_their_area():
    for path in LOCALE_DIR.glob("*/*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        assert all(key.startswith(path.stem + ".") for key in data), path
        assert all(isinstance(text, str) and text for text in data.values()), path


def test_set_language_switches_and_names_a_bad_language():
    assert i18n.get_language() == "en"
    i18n.set_language("zh")
    assert i18n.get_language() == "zh"
    assert tr("common.language_name") == "简体中文"
    assert tr("common.language_name", "en") == "English"
    with i18n.language("en"):
        assert tr("common.language_name") == "English"
    assert i18n.get_language() == "zh"
    with pytest.raises(ValueError, match="language must be one of 'en', 'zh'; got 'fr'"):
        i18n.set_language("fr")
    with pytest.raises(TypeError, match="language must be a string"):
        i18n.set_language(1)
    assert i18n.get_language() == "zh"  # a refused value changes nothing


@pytest.mark.parametrize("given,expected", [("zh-CN", "zh"), ("中文", "zh"), ("EN", "en"),
                                            (None, "en")])
def test_language_aliases(given, expected):
    assert resolve_language(given) == expected


def test_a_missing_key_is_an_error_naming_it():
    with pytest.raises(KeyError, match="no text 'common.nothing' in the 'zh' catalogue"):
        tr("common.nothing", "zh")


def test_package_exports_the_switch():
    import actviz_widgets as av
    av.set_language("zh")
    assert av.get_language() == "zh"


def test_a_refused_value_from_the_page_is_explained_in_the_widgets_language():
    import math

    import actviz_widgets as av

    zh = av.ActivationExplorer(language="zh")
    zh.controls["z"].set_state({"value": math.nan})
    assert "「z（净输入）」的取值范围是 -6 到 6，不能取 nan" in zh.message.value
    assert zh.z == 1.0 and zh.controls["z"].value == 1.0  # nothing changed
    en = av.ActivationExplorer(language="en")
    en.controls["z"].set_state({"value": math.nan})
    assert "z must be a finite number; got nan" in en.message.value
    zh.close()
    en.close()
