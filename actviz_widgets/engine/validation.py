"""Argument checks shared by the engine.

Every public entry point validates what a user passes before touching any
state, so a bad argument raises a clear error and never leaves a network
half-updated.  Messages always name the argument, what was given and what
is expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "check_choice",
    "check_positive",
    "check_nonnegative",
    "check_int",
    "check_array",
    "check_finite",
]


def _show(value: Any) -> str:
    """Short, readable rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_choice(name: str, value: Any, choices: Iterable[str] | Mapping[str, Any]) -> str:
    """Return ``value`` lower-cased if it is one of ``choices``.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : Any
        What the user passed.
    choices : iterable of str or mapping
        The valid names.

    Returns
    -------
    str
        The normalised (lower-case, stripped) name.

    Raises
    ------
    TypeError
        If ``value`` is not a string.
    ValueError
        If ``value`` is not one of ``choices``; the message lists them.
    """
    valid = sorted(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {valid}; got {_show(value)} "
                        f"of type {type(value).__name__}")
    key = value.strip().lower()
    if key not in valid:
        raise ValueError(f"unknown {name} {value!r}; expected one of {valid}")
    return key


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    number = _as_real(name, value)
    if not number > 0:
        raise ValueError(f"{name} must be a finite number > 0; got {_show(value)}")
    return number


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise."""
    number = _as_real(name, value)
    if not number >= 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {_show(value)}")
    return number


def _as_real(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {_show(value)} "
                        f"of type {type(value).__name__}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite; got {_show(value)}")
    return number


def check_int(name: str, value: Any, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer within bounds, else raise.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : Any
        What the user passed.
    minimum, maximum : int, optional
        Inclusive bounds.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {_show(value)} "
                        f"of type {type(value).__name__}")
    number = int(value)
    if minimum is not None and number < minimum:
        bound = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {bound}; got {number}")
    if maximum is not None and number > maximum:
        bound = f"<= {maximum}" if minimum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {bound}; got {number}")
    return number


def check_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity."""
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must hold only finite values; got {bad} NaN or infinite "
                         f"entr{'y' if bad == 1 else 'ies'}")
    return array


def check_array(name: str, value: Any, ndim: int | tuple[int, ...] | None = None,
                shape: tuple[int | None, ...] | None = None, finite: bool = True,
                dtype: type = np.float64) -> np.ndarray:
    """Convert ``value`` to a float array and check its shape.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : array_like
        What the user passed.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    shape : tuple of (int or None), optional
        Expected shape; ``None`` entries match any length.
    finite : bool, default True
        Reject NaN and infinity.
    dtype : type, default numpy.float64
        Target dtype.

    Returns
    -------
    numpy.ndarray
        A C-contiguous array of ``dtype`` (a copy only when needed).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers; got {_show(value)}")
    try:
        array = np.ascontiguousarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers; got {_show(value)} ({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got an array of shape {array.shape}")
    if shape is not None:
        ok = array.ndim == len(shape) and all(
            want is None or have == want for have, want in zip(array.shape, shape))
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got {array.shape}")
    if finite:
        check_finite(name, array)
    return array
