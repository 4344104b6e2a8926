"""The language of every text a learner reads: one catalogue per language, one switch.

Every label, tooltip, picture text, message and hint of the package is looked
up by key in the catalogue of the chosen language::

    import actviz_widgets as av
    av.set_language("zh")            # every widget built from now on speaks Chinese
    av.Playground(language="en")     # or choose for one widget

A catalogue is the folder ``actviz_widgets/locale/<language>/``: one JSON
file per area (``playground.json``, ``common.json``, ...), each a flat
object ``{"key": "text"}`` whose keys all start with the area's name and a
dot (``"playground.lr"``).  The files of a language are merged; the split
only keeps each widget's texts together.  Texts may hold ``str.format``
placeholders (``"Epoch {epoch}"``): both languages must use the same ones,
and both must have the same keys (``tests/test_i18n.py``).

Keys are never looked up in another language as a fallback: a missing key is
a bug, found by the tests, not an English word in a Chinese picture.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["LANGUAGES", "set_language", "get_language", "resolve_language", "language",
           "tr", "has_key", "catalogue", "placeholders", "LOCALE_DIR"]

#: The languages with a catalogue: English (the default) and Simplified Chinese.
LANGUAGES = ("en", "zh")
#: Where the catalogues live: one folder per language, one JSON file per area.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current = "en"
# Names people use for the two languages, mapped to the catalogue's.
_ALIASES = {"en": "en", "en-us": "en", "en-gb": "en", "english": "en",
            "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh_cn": "zh", "chinese": "zh",
            "中文": "zh", "简体中文": "zh"}


def resolve_language(language: str | None = None) -> str:
    """The catalogue name for ``language`` (``None``: the current language).

    Raises
    ------
    TypeError
        If ``language`` is not a string or None.
    ValueError
        If it names no language with a catalogue.
    """
    if language is None:
        return _current
    if not isinstance(language, str):
        raise TypeError(f"language must be a string such as 'en' or 'zh'; "
                        f"got {type(language).__name__} {language!r}")
    name = _ALIASES.get(language.strip().lower())
    if name is None:
        raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}; "
                         f"got {language!r}")
    return name


def set_language(language: str) -> None:
    """Use ``language`` (``"en"`` or ``"zh"``) for every widget and picture built from now on.

    Widgets already shown keep their language; build them again to switch.
    """
    global _current
    _current = resolve_language(language)


def get_language() -> str:
    """The current language: ``"en"`` (the default) or ``"zh"``."""
    return _current


@contextmanager
def language(name: str) -> Iterator[str]:
    """Use language ``name`` inside a ``with`` block, then the previous one again."""
    global _current
    previous, _current = _current, resolve_language(name)
    try:
        yield _current
    finally:
        _current = previous


@lru_cache(maxsize=None)
def _load(lang: str) -> Mapping[str, str]:
    merged: dict[str, str] = {}
    folder = LOCALE_DIR / lang
    for path in sorted(folder.glob("*.json")):
        area = path.stem
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: a catalogue file must hold one JSON object")
        for key, text in entries.items():
            if not key.startswith(area + "."):
                raise ValueError(f"{path}: key {key!r} must start with {area + '.'!r}")
            if not isinstance(text, str):
                raise ValueError(f"{path}: the text of {key!r} must be a string; got {text!r}")
            merged[key] = text
    return MappingProxyType(merged)


def catalogue(language: str | None = None) -> Mapping[str, str]:
    """Every key and text of ``language``'s catalogue (read once, then cached)."""
    return _load(resolve_language(language))


def has_key(key: str, language: str | None = None) -> bool:
    """Whether ``language``'s catalogue has ``key``."""
    return key in catalogue(language)


def tr(key: str, language: str | None = None, /, **values: Any) -> str:
    """The text of ``key`` in ``language`` (default: the current one), formatted with ``values``.

    Raises
    ------
    KeyError
        If the catalogue has no such key (a bug: both catalogues must hold
        every key).
    """
    lang = resolve_language(language)
    try:
        text = catalogue(lang)[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in the {lang!r} catalogue "
                       f"({LOCALE_DIR / lang})") from None
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    """The names of the ``str.format`` fields in ``text`` (``"{epoch:d}"`` → ``{"epoch"}``)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
