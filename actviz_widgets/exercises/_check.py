"""Shared machinery of the lesson checkers: compare an answer, print a verdict.

Every checker prints one short verdict and returns ``True`` or ``False``:

* ``✔ Correct! …`` with a sentence on why it matters, or
* ``✘ Not quite: …`` with a hint.  When the answer matches a mistake the
  checker knows (a :class:`Mistake`: forgot the bias, used f(z) where f′(z)
  belongs, a sign error in the gradient step, …) the hint names that mistake;
  otherwise it says what to recompute, without giving the answer away.

A checker never raises on a learner's answer: text, ``None``, the ``...``
placeholder, a wrong shape or a function that fails all get a message.
Expected values are computed by the lesson module with the engine; this
module only compares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["CORRECT", "WRONG", "Mistake", "verdict", "check_number", "check_array",
           "check_function", "RTOL", "ATOL"]

#: First words of every verdict (tests and learners look for them).
CORRECT = "✔ Correct!"
WRONG = "✘ Not quite:"

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


class _Unusable(Exception):
    """The answer cannot be compared at all; the message says why."""


def verdict(ok: bool, text: str) -> bool:
    """Print ``✔ Correct! text`` or ``✘ Not quite: text`` and return ``ok``."""
    print(f"{CORRECT if ok else WRONG} {text}".rstrip())
    return ok


def _placeholder(answer: Any) -> str | None:
    if answer is ... or answer is None:
        return "replace the ... (or None) with your answer, then run the cell again."
    return None


def _as_number(answer: Any) -> float:
    """The answer as a float, or :class:`_Unusable` with a message."""
    if isinstance(answer, str):
        raise _Unusable(f"your answer is the text {answer!r}; give a number, without "
                        "quotes (e.g. 0.5, not '0.5').")
    if isinstance(answer, (bool, np.bool_)):
        raise _Unusable(f"your answer is {answer}, a yes/no value; give a number.")
    if isinstance(answer, Real):
        value = float(answer)
    else:
        try:
            arr = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            raise _Unusable(f"your answer should be a number; got a {type(answer).__name__}."
                            ) from None
        if arr.size != 1:
            raise _Unusable(f"your answer should be a single number; got {arr.size} numbers "
                            f"(shape {arr.shape}).")
        value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise _Unusable(f"your answer is {value}, which is not a finite number.")
    return value


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def check_number(answer: Any, expected: float, *, mistakes: Sequence[Mistake] = (),
                 praise: str = "", otherwise: str = "recompute it step by step.",
                 rtol: float = RTOL, atol: float = ATOL, whole: bool = False) -> bool:
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
    otherwise : str
        The hint for a wrong answer that matches no known mistake.
    rtol, atol : float
        Relative and absolute tolerance.
    whole : bool
        The answer is a count: it must be a whole number.

    Returns
    -------
    bool
        Whether the answer is right.
    """
    empty = _placeholder(answer)
    if empty:
        return verdict(False, empty)
    try:
        value = _as_number(answer)
    except _Unusable as exc:
        return verdict(False, str(exc))
    if whole and value != round(value):
        return verdict(False, f"a count is a whole number; got {value:g}.")
    expected = float(expected)
    if _close(value, expected, rtol, atol):
        return verdict(True, praise)
    for mistake in mistakes:
        if _close(value, float(mistake.answer), rtol, atol):
            return verdict(False, mistake.hint)
    if not whole and _close(value, expected, 0.05, atol):
        return verdict(False, "close, but not within rounding: keep at least 3 significant "
                              "digits (e.g. 0.105, not 0.1), or use Python's own numbers.")
    return verdict(False, otherwise)


def _as_array(answer: Any) -> np.ndarray:
    if isinstance(answer, str):
        raise _Unusable(f"your answer is the text {answer!r}; give numbers (a NumPy array).")
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise _Unusable(f"your answer should be an array of numbers; got a "
                        f"{type(answer).__name__}.") from None
    if not np.all(np.isfinite(arr)):
        raise _Unusable("your answer holds values that are not finite (nan or inf).")
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
    hint = f" {shape_hint}" if shape_hint else ""
    if arr.ndim == 2 and arr.T.shape == expected.shape:
        raise _Unusable(f"your array has shape {arr.shape}, the transpose of the expected "
                        f"{expected.shape}.{hint}")
    raise _Unusable(f"your array has shape {arr.shape}; expected shape {expected.shape}.{hint}")


def _all_close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def check_array(answer: Any, expected: np.ndarray, *, mistakes: Sequence[Mistake] = (),
                praise: str = "", otherwise: str = "recompute it step by step.",
                shape_hint: str = "", rtol: float = RTOL, atol: float = ATOL) -> bool:
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

    Returns
    -------
    bool
        Whether the answer is right.
    """
    empty = _placeholder(answer)
    if empty:
        return verdict(False, empty)
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
    return verdict(False, f"{wrong} of {expected.size} numbers are off; {otherwise}")


def check_function(fn: Any, reference: Callable[[np.ndarray], np.ndarray], z: np.ndarray, *,
                   mistakes: Sequence[Mistake] = (), praise: str = "",
                   otherwise: str = "compare your formula with the one above.",
                   rtol: float = 1e-6, atol: float = 1e-9) -> bool:
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
        As for :func:`check_number`.
    rtol, atol : float
        Tolerance (tight: a function should be exact, not rounded).

    Returns
    -------
    bool
        Whether the function is right at every point.
    """
    empty = _placeholder(fn)
    if empty:
        return verdict(False, empty)
    if not callable(fn):
        return verdict(False, f"pass the function itself (its name, without brackets); got "
                              f"a {type(fn).__name__}.")
    z = np.asarray(z, dtype=float)
    try:
        with np.errstate(all="ignore"):
            got = fn(z.copy())
    except Exception as exc:  # noqa: BLE001 - the learner's code may fail in any way
        extra = (" Use np.exp (which works on whole arrays), not math.exp."
                 if isinstance(exc, TypeError) else "")
        return verdict(False, f"calling your function on an array of z values failed with "
                              f"{type(exc).__name__}: {exc}.{extra}")
    try:
        got = _as_array(got)
    except _Unusable as exc:
        return verdict(False, f"your function's result: {exc}")
    if got.shape != z.shape:
        return verdict(False, f"for {z.size} values of z your function returned shape "
                              f"{got.shape}; it should return one value per z, shape {z.shape}.")
    if _all_close(got, reference(z), rtol, atol):
        return verdict(True, praise)
    for mistake in mistakes:
        with np.errstate(all="ignore"):
            wrong = np.asarray(mistake.answer(z), dtype=float)
        if _all_close(got, wrong, rtol, atol):
            return verdict(False, mistake.hint)
    return verdict(False, otherwise)
