"""Shared helpers of the checker tests: call a checker, read its one line, assert its verdict."""

from __future__ import annotations

import importlib

from actviz_widgets import i18n
from actviz_widgets.exercises import _check

#: How a checker's line for a wrong answer begins, in each language.
WRONG = {"en": "✘ Not quite: ", "zh": "✘ 还不对："}


def run(capsys, checker, answer) -> tuple[bool, str]:
    """Call a checker; return its result and the one line it printed."""
    result = checker(answer)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a checker prints exactly one line; got {out!r}"
    return result, out.strip()


def assert_right(capsys, checker, answer) -> None:
    ok, text = run(capsys, checker, answer)
    assert ok is True and text.startswith(_check.CORRECT), text


def assert_wrong(capsys, checker, answer, hint: str) -> None:
    ok, text = run(capsys, checker, answer)
    assert ok is False and text.startswith(_check.WRONG), text
    assert hint in text, f"expected a hint containing {hint!r}; got {text!r}"


def assert_hint_in_both_languages(capsys, lesson: str, checker: str, answer, key: str,
                                  values: dict) -> None:
    """A known mistake gets the Chinese hint in Chinese and the English hint in English.

    ``lesson`` and ``checker`` name the checker
    (``actviz_widgets.exercises.<lesson>.<checker>``), ``answer`` is the
    mistake, ``key`` the hint's catalogue key and ``values`` what it fills in.
    """
    check = getattr(importlib.import_module(f"actviz_widgets.exercises.{lesson}"), checker)
    with i18n.language("zh"):
        ok, text = run(capsys, check, answer)
    assert ok is False
    assert text == WRONG["zh"] + i18n.tr(key, "zh", **values)
    ok, english = run(capsys, check, answer)  # and in English, the English hint as before
    assert ok is False
    assert english == WRONG["en"] + i18n.tr(key, "en", **values)
