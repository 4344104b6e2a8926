"""Shared helpers of the checker tests: call a checker, read its one line, assert its verdict."""

from __future__ import annotations

from actviz_widgets.exercises import _check


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
