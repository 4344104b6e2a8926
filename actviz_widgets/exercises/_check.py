"""Shared machinery of the lesson checkers: compare an answer, print a verdict.

Every checker prints one short verdict and returns ``True`` or ``False``:

* ``✔ Correct! …`` with a sentence on why it matters,
* ``✎ Not answered yet: …`` when the answer is still the ``...`` placeholder
  (or ``None``), with a first hint on where to start, or
* ``✘ Not quite: …`` with a hint.  When the answer matches a mistake the
  checker knows (a :class:`Mistake`: forgot the bias, used f(z) where f′(z)
  belongs, a sign error in the gradient step, …) the hint names that mistake;
  otherwise it says what to recompute, without giving the answer away.

A checker never raises on a learner's answer: text, ``None``, the ``...``
placeholder, a wrong shape or a function that fails all get a message.
Expected values are computed by the lesson module with the engine; this
module only compares.

**Grading.** For autograding (nbgrader, otter-grader) the same checkers
become assertions: after :func:`grading` (or with the environment variable
``ACTVIZ_GRADING=1`` set for the kernel) a checker still prints its verdict,
and a wrong or missing answer also raises :class:`AssertionError` with the
same hint.  ``grading(False)`` turns it off; ``with grading(): ...`` turns it
on for a block only.

**Kinds of answer.** A measured value that is close but not within rounding
gets a "close, but not within rounding" hint.  Counts, indices (a step, a
neuron, a class) and choices from a list never do: 13 is not "close" to 14
mistakes, and a learning rate not in the list is not "close" to one that is.

**Language.** Verdicts and hints are in the current language
(:func:`actviz_widgets.i18n.get_language`; the Chinese lessons call
``av.set_language("zh")``): this module's texts are the catalogue area
``check``, each lesson's hints the area ``lessonNN``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from ..i18n import get_language, tr

__all__ = ["CORRECT", "WRONG", "UNANSWERED", "KINDS", "Mistake", "verdict", "not_answered",
           "grading", "is_grading", "check_number", "check_array", "check_function",
           "compare_guess", "prefix", "RTOL", "ATOL"]

#: First words of every verdict in English (tests and learners look for them);
#: :func:`prefix` gives them in the current language.
CORRECT = "✔ Correct!"
WRONG = "✘ Not quite:"
UNANSWERED = "✎ Not answered yet:"
#: What a numeric answer can be (see :func:`check_number`).
KINDS = ("value", "count", "index", "choice")

#: Default tolerance: answers rounded to 3 significant digits pass.
RTOL = 5e-3
ATOL = 1e-6


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a learner is likely to give, and the hint for it.

    Attributes
    ----------
    answer : float or numpy.ndarray or callable
        What the mistaken computation gives (for :func:`check_function`, a
        function of z computing the mistake).
    hint : str
        What went wrong and how to fix it, in one or two short sentences.
    """

    answer: Any
    hint: str


def _t(key: str, /, **values: Any) -> str:
    """This module's text ``check.<key>`` in the current language."""
    return tr(f"check.{key}", None, **values)


def prefix(kind: str, language: str | None = None) -> str:
    """The first words of a verdict, ``"correct"``, ``"wrong"`` or ``"unanswered"``,
    in ``language`` (default: the current one)."""
    if kind not in ("correct", "wrong", "unanswered"):
        raise ValueError(f"kind must be 'correct', 'wrong' or 'unanswered'; got {kind!r}")
    return tr(f"check.{kind}", language)


def _then(first: str, second: str) -> str:
    """Two sentences in a row: a space between them in English, none in Chinese."""
    return _t("then", first=first, second=second) if second else first


class _Unusable(Exception):
    """The answer cannot be compared at all; the message says why."""


_GRADING = [os.environ.get("ACTVIZ_GRADING", "").strip().lower() in ("1", "true", "yes")]


class _Grading:
    """What :func:`grading` returns: the switch is already set; ``with`` restores it."""

    def __init__(self, previous: bool) -> None:
        self._previous = previous

    def __enter__(self) -> _Grading:
        return self

    def __exit__(self, *exc: object) -> None:
        _GRADING[0] = self._previous

    def __repr__(self) -> str:
        return f"grading({_GRADING[0]})"


def grading(on: bool = True) -> _Grading:
    """Make every checker raise :class:`AssertionError` on a wrong or missing answer.

    For autograders (nbgrader, otter-grader): a failing checker call then fails
    its cell.  The verdict is printed as usual; the error carries the same text.

    Parameters
    ----------
    on : bool
        Turn assertions on (default) or off.

    Returns
    -------
    _Grading
        Usable as a context manager: ``with grading(): ...`` restores the
        previous setting at the end of the block.
    """
    if not isinstance(on, (bool, np.bool_)):
        raise TypeError(f"on must be True or False; got {on!r}")
    previous = _GRADING[0]
    _GRADING[0] = bool(on)
    return _Grading(previous)


def is_grading() -> bool:
    """Whether checkers raise on a wrong or missing answer (see :func:`grading`)."""
    return _GRADING[0]


def verdict(ok: bool, text: str) -> bool:
    """Print ``✔ Correct! text`` or ``✘ Not quite: text`` and return ``ok``.

    In grading mode (:func:`grading`) a wrong answer also raises
    :class:`AssertionError` with the printed line.
    """
    line = _t("line", prefix=prefix("correct" if ok else "wrong"), text=text).rstrip()
    print(line)
    if not ok and _GRADING[0]:
        raise AssertionError(line)
    return ok


def not_answered(start: str) -> bool:
    """Print the kind "not answered yet" verdict with a first hint; return ``False``.

    In grading mode (:func:`grading`) it also raises :class:`AssertionError`.
    """
    start = _sentence(start.strip())
    line = _t("replace_dots", prefix=prefix("unanswered"), start=start)
    print(line.rstrip())
    if _GRADING[0]:
        raise AssertionError(line)
    return False


def _sentence(text: str) -> str:
    """``text`` with a capital first letter, to follow another sentence.

    Only a Latin letter is capitalised: δ, a symbol, must not become Δ; and
    only in English (a Chinese hint may start with a symbol such as z).
    """
    if get_language() != "en":
        return text
    return text[:1].upper() + text[1:] if text[:1].isascii() else text


def _unanswered(answer: Any) -> bool:
    return answer is ... or answer is None


def _as_number(answer: Any) -> float:
    """The answer as a float, or :class:`_Unusable` with a message."""
    if isinstance(answer, str):
        raise _Unusable(_t("text_for_number", answer=repr(answer)))
    if isinstance(answer, (bool, np.bool_)):
        raise _Unusable(_t("yes_no_for_number", answer=answer))
    if isinstance(answer, Real):
        value = float(answer)
    else:
        try:
            arr = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            raise _Unusable(_t("not_a_number", type=type(answer).__name__)) from None
        if arr.size != 1:
            raise _Unusable(_t("several_numbers", size=arr.size, shape=arr.shape))
        value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise _Unusable(_t("not_finite", value=value))
    return value


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def check_number(answer: Any, expected: float, *, mistakes: Sequence[Mistake] = (),
                 praise: str = "", otherwise: str | None = None,
                 rtol: float = RTOL, atol: float = ATOL, whole: bool = False,
                 kind: str = "value", choices: Sequence[float] | None = None,
                 start: str | None = None) -> bool:
    """Check a numeric answer against ``expected`` and print a verdict.

    Parameters
    ----------
    answer : Any
        What the learner gave: a number, a NumPy scalar or a one-element array.
    expected : float
        The right answer (computed with the engine by the caller).
    mistakes : sequence of Mistake
        Known wrong answers with their hints, tried in order.
    praise : str
        Said after "✔ Correct!".
    otherwise : str, optional
        The hint for a wrong answer that matches no known mistake (default:
        "recompute it step by step.", in the current language).
    rtol, atol : float
        Relative and absolute tolerance.
    whole : bool
        Same as ``kind="count"`` (kept for older callers).
    kind : {"value", "count", "index", "choice"}
        A measured ``"value"`` passes within the tolerance, and one within 5 %
        gets the "close, but not within rounding" hint.  A ``"count"`` or an
        ``"index"`` (a step, a neuron, a class) must be that whole number
        exactly; a ``"choice"`` must be one of ``choices``.  None of the last
        three ever gets the near-miss hint.
    choices : sequence of float, optional
        The allowed answers of a ``"choice"`` (required for it).
    start : str, optional
        The first hint for an unanswered question; ``otherwise`` by default.

    Returns
    -------
    bool
        Whether the answer is right.
    """
    kind = "count" if whole else kind
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    if kind == "choice" and not choices:
        raise ValueError("kind='choice' needs the list of choices")
    otherwise = otherwise or _t("recompute")
    if _unanswered(answer):
        return not_answered(start or otherwise)
    try:
        value = _as_number(answer)
    except _Unusable as exc:
        return verdict(False, str(exc))
    expected = float(expected)
    if kind in ("count", "index"):
        return _check_whole(value, expected, kind, mistakes, praise, otherwise, rtol, atol)
    if kind == "choice":
        return _check_choice(value, expected, choices, mistakes, praise, otherwise, rtol, atol)
    if _close(value, expected, rtol, atol):
        return verdict(True, praise)
    for mistake in mistakes:
        if _close(value, float(mistake.answer), rtol, atol):
            return verdict(False, mistake.hint)
    if _close(value, expected, 0.05, atol):
        return verdict(False, _t("close"))
    return verdict(False, otherwise)


def _check_whole(value: float, expected: float, kind: str, mistakes: Sequence[Mistake],
                 praise: str, otherwise: str, rtol: float, atol: float) -> bool:
    """A count or an index: whole numbers match exactly; a fraction may be a known
    mistake (a loss given for a step, say) and is otherwise told to be whole."""
    if value.is_integer():
        if value == expected:
            return verdict(True, praise)
        for mistake in mistakes:
            if float(mistake.answer) == value:
                return verdict(False, mistake.hint)
        return verdict(False, otherwise)
    for mistake in mistakes:
        wrong = float(mistake.answer)
        if not wrong.is_integer() and _close(value, wrong, rtol, atol):
            return verdict(False, mistake.hint)
    return verdict(False, _then(_t(f"whole.{kind}", value=f"{value:g}"), _sentence(otherwise)))


def _check_choice(value: float, expected: float, choices: Sequence[float],
                  mistakes: Sequence[Mistake], praise: str, otherwise: str, rtol: float,
                  atol: float) -> bool:
    """One of a few listed values: matched to 1e-9, never "close".  A known mistake
    that is not a choice (a loss given for a learning rate, say) is matched within
    the usual tolerance, since it was measured."""
    def same(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)

    if same(value, expected):
        return verdict(True, praise)
    for mistake in mistakes:
        wrong = float(mistake.answer)
        listed = any(same(wrong, float(c)) for c in choices)
        if same(value, wrong) or (not listed and _close(value, wrong, rtol, atol)):
            return verdict(False, mistake.hint)
    if any(same(value, float(c)) for c in choices):
        return verdict(False, otherwise)
    listed = ", ".join(f"{float(c):g}" for c in choices)
    return verdict(False, _then(_t("not_a_choice", value=f"{value:g}", choices=listed),
                                _sentence(otherwise)))


def _as_array(answer: Any) -> np.ndarray:
    if isinstance(answer, str):
        raise _Unusable(_t("text_for_array", answer=repr(answer)))
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise _Unusable(_t("not_an_array", type=type(answer).__name__)) from None
    if not np.all(np.isfinite(arr)):
        raise _Unusable(_t("array_not_finite"))
    return arr


def _fit_shape(arr: np.ndarray, expected: np.ndarray, shape_hint: str) -> np.ndarray:
    """``arr`` in the expected shape, or :class:`_Unusable` explaining the shape.

    A 1-D answer for a single row or column (shape ``(1, n)`` or ``(n, 1)``)
    is accepted as that row or column.
    """
    if arr.shape == expected.shape:
        return arr
    if (arr.ndim == 1 and expected.ndim == 2 and 1 in expected.shape
            and arr.size == expected.size):
        return arr.reshape(expected.shape)
    if arr.ndim == 2 and arr.T.shape == expected.shape:
        raise _Unusable(_then(_t("transposed", shape=arr.shape, expected=expected.shape),
                              shape_hint))
    raise _Unusable(_then(_t("wrong_shape", shape=arr.shape, expected=expected.shape),
                          shape_hint))


def _all_close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def check_array(answer: Any, expected: np.ndarray, *, mistakes: Sequence[Mistake] = (),
                praise: str = "", otherwise: str | None = None,
                shape_hint: str = "", rtol: float = RTOL, atol: float = ATOL,
                start: str | None = None) -> bool:
    """Check an array answer against ``expected`` and print a verdict.

    Parameters
    ----------
    answer : Any
        What the learner gave (array-like).
    expected : numpy.ndarray
        The right answer (computed with the engine by the caller).
    mistakes : sequence of Mistake
        Known wrong answers (arrays) with their hints, tried in order; a
        mistake of another shape is matched against the answer as given.
    praise, otherwise : str
        As for :func:`check_number`.
    shape_hint : str
        Added to the message when the shape is wrong (e.g. "one row per sample").
    rtol, atol : float
        Tolerance of :func:`numpy.allclose`.
    start : str, optional
        The first hint for an unanswered question; ``otherwise`` by default.

    Returns
    -------
    bool
        Whether the answer is right.
    """
    otherwise = otherwise or _t("recompute")
    if _unanswered(answer):
        return not_answered(start or otherwise)
    expected = np.asarray(expected, dtype=float)
    try:
        raw = _as_array(answer)
    except _Unusable as exc:
        return verdict(False, str(exc))
    for mistake in mistakes:  # a mistake of another shape (e.g. a transpose) is matched as is
        wrong = np.asarray(mistake.answer, dtype=float)
        if wrong.shape != expected.shape and _all_close(raw, wrong, rtol, atol):
            return verdict(False, mistake.hint)
    try:
        arr = _fit_shape(raw, expected, shape_hint)
    except _Unusable as exc:
        return verdict(False, str(exc))
    if _all_close(arr, expected, rtol, atol):
        return verdict(True, praise)
    for mistake in mistakes:
        if _all_close(arr, np.asarray(mistake.answer, dtype=float), rtol, atol):
            return verdict(False, mistake.hint)
    wrong = int(np.sum(~np.isclose(arr, expected, rtol=rtol, atol=atol)))
    return verdict(False, _t("numbers_off", wrong=wrong, size=expected.size, otherwise=otherwise))


def check_function(fn: Any, reference: Callable[[np.ndarray], np.ndarray], z: np.ndarray, *,
                   mistakes: Sequence[Mistake] = (), praise: str = "",
                   otherwise: str | None = None,
                   rtol: float = 1e-6, atol: float = 1e-9, start: str | None = None) -> bool:
    """Check a learner's function of z by evaluating it on the array ``z``.

    Parameters
    ----------
    fn : Any
        The learner's function; it must accept a NumPy array.
    reference : callable
        The right function (from the engine).
    z : numpy.ndarray
        Where both are evaluated.
    mistakes : sequence of Mistake
        Each ``answer`` is a function computing a known mistake.
    praise, otherwise : str
        As for :func:`check_number` (``otherwise`` by default: "compare your
        formula with the one above.").
    rtol, atol : float
        Tolerance (tight: a function should be exact, not rounded).
    start : str, optional
        The first hint for an unanswered question (``fn`` is ``...``, or a
        function whose body is still ``return ...``); ``otherwise`` by default.

    Returns
    -------
    bool
        Whether the function is right at every point.
    """
    otherwise = otherwise or _t("compare_formula")
    if _unanswered(fn):
        return not_answered(start or otherwise)
    if not callable(fn):
        return verdict(False, _t("not_a_function", type=type(fn).__name__))
    z = np.asarray(z, dtype=float)
    try:
        with np.errstate(all="ignore"):
            got = fn(z.copy())
    except Exception as exc:  # noqa: BLE001 - the learner's code may fail in any way
        failed = _t("function_failed", error=type(exc).__name__, message=exc)
        return verdict(False, _then(failed, _t("use_np_exp") if isinstance(exc, TypeError)
                                    else ""))
    if _unanswered(got):
        return not_answered(start or otherwise)
    try:
        got = _as_array(got)
    except _Unusable as exc:
        return verdict(False, _t("function_result", problem=exc))
    if got.shape != z.shape:
        return verdict(False, _t("function_shape", size=z.size, got=got.shape, shape=z.shape))
    if _all_close(got, reference(z), rtol, atol):
        return verdict(True, praise)
    for mistake in mistakes:
        with np.errstate(all="ignore"):
            wrong = np.asarray(mistake.answer(z), dtype=float)
        if _all_close(got, wrong, rtol, atol):
            return verdict(False, mistake.hint)
    return verdict(False, otherwise)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _guessed_right(guess: Any, actual: Any, tolerance: float) -> bool | None:
    """Whether one guessed item matches the result; ``None`` if it is not comparable."""
    if isinstance(actual, tuple):  # one part that is itself a tuple, e.g. a shape
        if not isinstance(guess, (tuple, list)):
            return None
        return tuple(guess) == actual
    if isinstance(actual, str):
        if not isinstance(guess, str):
            return None
        return " ".join(guess.lower().split()) == " ".join(actual.lower().split())
    if isinstance(guess, (bool, np.bool_)) or isinstance(actual, (bool, np.bool_)):
        return guess == actual if type(guess) is type(actual) else None
    if isinstance(guess, Real) and isinstance(actual, Real):
        if isinstance(actual, int):
            return float(guess) == actual
        return abs(float(guess) - float(actual)) <= tolerance * abs(float(actual))
    return None


def compare_guess(guess: Any, actual: Any, *, tolerance: float = 0.5) -> None:
    """Print how a recorded prediction (``my_guess``) compares with the result.

    Predictions are not graded: this never raises, not even in :func:`grading`
    mode, and an unanswered guess (``...``) gets a kind word, not a verdict.

    Parameters
    ----------
    guess : Any
        The learner's guess: a word such as ``"up"``, a number, or a tuple of
        them for a question with several parts.
    actual : Any
        The result, in the same form (words are compared without regard to
        case and spacing; whole numbers exactly; other numbers within
        ``tolerance``).
    tolerance : float
        How far (relative) a guessed number may be from the result and still
        count as a good guess: 0.5 means within 50 %.
    """
    if _unanswered(guess):
        print(_t("guess.none", actual=_text(actual)))
        return
    parts = list(actual) if isinstance(actual, tuple) else [actual]
    guesses = list(guess) if isinstance(actual, tuple) and isinstance(guess, (tuple, list)) \
        else [guess]
    if len(guesses) != len(parts):
        print(_t("guess.parts", guess=_text(guess), given=len(guesses), asked=len(parts),
                 actual=_text(actual)))
        return
    matches = [_guessed_right(g, a, tolerance) for g, a in zip(guesses, parts)]
    if any(m is None for m in matches):
        print(_t("guess.form", guess=_text(guess), actual=_text(actual)))
        return
    right = sum(matches)
    if right == len(parts):
        print(_t("guess.right", guess=_text(guess), actual=_text(actual)))
    elif len(parts) > 1 and right:
        print(_t("guess.partly", guess=_text(guess), actual=_text(actual), right=right,
                 asked=len(parts)))
    else:
        print(_t("guess.wrong", guess=_text(guess), actual=_text(actual)))
