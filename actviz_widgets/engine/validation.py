"""Argument checks shared by the engine, and the limits it documents.

Every public entry point validates what a user passes before touching any
state, so a bad argument raises a clear error and never leaves a network
half-updated.  Messages always name the argument, what was given and what
is expected.

Arrays
    Only real numbers are numbers: an array (or nested list) of booleans,
    complex numbers, strings or other objects is refused with a
    ``TypeError``, and so is a list that mixes ``True`` in with numbers.
    Integers are accepted and converted to float64.

Limits
    The engine refuses arguments that would make it allocate more than the
    caps below, with a ``ValueError`` naming the argument and the cap,
    instead of running out of memory.  They are far above what the lessons
    and widgets use (the largest network in the package is 784-128-10,
    about 100,000 parameters):

    ====================  ===========  ===========================================
    name                  value        what it caps
    ====================  ===========  ===========================================
    ``MAX_UNITS``         10,000       neurons in one layer (``MLP`` sizes)
    ``MAX_LAYERS``        100          weight layers of an ``MLP``
    ``MAX_PARAMETERS``    2,000,000    weights and biases of an ``MLP`` (16 MB)
    ``MAX_BATCH_VALUES``  16,777,216   samples × neurons in layers 1..L of one
                                       forward pass (its z, a and f′(z): 400 MB)
    ``MAX_SAMPLES``       1,000,000    ``make_dataset`` n_samples
    ``MAX_NOISE``         10.0         ``make_dataset`` noise (5 × the width of
                                       the input square)
    ``MAX_WEIGHT_SCALE``  1,000        ``MLP`` weight_scale
    ``MAX_BINS``          10,000       histogram bins
    ``MAX_GRID_N``        1,000        grid points per axis (``grid_field``)
    ====================  ===========  ===========================================

    Files have their own caps (size, nesting, digits), documented in
    :mod:`actviz_widgets.engine.serialization`.
"""

from __future__ import annotations

import math
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
    "check_at_most",
    "check_real",
    "MAX_UNITS",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MAX_BATCH_VALUES",
    "MAX_SAMPLES",
    "MAX_NOISE",
    "MAX_WEIGHT_SCALE",
    "MAX_BINS",
    "MAX_GRID_N",
]

#: Most neurons in one layer of an MLP.
MAX_UNITS: int = 10_000
#: Most weight layers of an MLP.
MAX_LAYERS: int = 100
#: Most weights and biases of an MLP (16 MB of float64).
MAX_PARAMETERS: int = 2_000_000
#: Most ``n_samples × (n_1 + … + n_L)`` in one forward pass.
MAX_BATCH_VALUES: int = 2**24
#: Most samples :func:`~actviz_widgets.engine.datasets.make_dataset` draws.
MAX_SAMPLES: int = 1_000_000
#: Largest noise of :func:`~actviz_widgets.engine.datasets.make_dataset`.
MAX_NOISE: float = 10.0
#: Largest ``weight_scale`` of an MLP.
MAX_WEIGHT_SCALE: float = 1000.0
#: Most bins of a histogram.
MAX_BINS: int = 10_000
#: Most grid points per axis of a grid field.
MAX_GRID_N: int = 1000

# Python and NumPy scalar types that are real numbers (bool is an int subclass: excluded).
_REAL_TYPES = (int, float, np.integer, np.floating)
_BOOL_TYPES = (bool, np.bool_)


def _show(value: Any) -> str:
    """Short, readable rendering of a bad value for an error message."""
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
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
        raise ValueError(f"unknown {name} {_show(value)}; expected one of {valid}")
    return key


def check_positive(name: str, value: Any, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (and <= ``maximum``)."""
    number = _as_real(name, value)
    if not number > 0:
        raise ValueError(f"{name} must be a finite number > 0; got {_show(value)}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be a number in (0, {maximum:g}]; got {_show(value)}")
    return number


def check_nonnegative(name: str, value: Any, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (and <= ``maximum``)."""
    number = _as_real(name, value)
    if not number >= 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {_show(value)}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be a number in [0, {maximum:g}]; got {_show(value)}")
    return number


def _as_real(name: str, value: Any) -> float:
    if isinstance(value, _BOOL_TYPES) or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a real number; got {_show(value)} "
                        f"of type {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"{name} must be a finite number; got an integer of "
                         f"{len(str(abs(int(value))))} digits") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite; got {_show(value)}")
    return number


def check_real(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool or a string)."""
    return _as_real(name, value)


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
    if isinstance(value, _BOOL_TYPES) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {_show(value)} "
                        f"of type {type(value).__name__}")
    number = int(value)
    if minimum is not None and number < minimum:
        bound = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {bound}; got {_show(number)}")
    if maximum is not None and number > maximum:
        bound = f"<= {maximum}" if minimum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {bound}; got {_show(number)}")
    return number


def check_at_most(name: str, amount: int, limit: int, what: str, limit_name: str) -> None:
    """Raise ``ValueError`` if ``amount`` (computed from argument ``name``) exceeds ``limit``.

    Parameters
    ----------
    name : str
        The argument responsible, for the message.
    amount : int
        What it would make the engine allocate or process.
    limit : int
        The documented cap.
    what : str
        What ``amount`` counts, e.g. ``"parameters"``.
    limit_name : str
        The constant that documents the cap, e.g. ``"MAX_PARAMETERS"``.
    """
    if amount > limit:
        raise ValueError(f"{name} asks for {amount:,} {what}; the engine allows at most "
                         f"{limit:,} ({limit_name} in actviz_widgets.engine.validation)")


def check_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity; the message says where."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = int(finite.size - np.count_nonzero(finite))
        where = np.unravel_index(int(np.argmin(finite)), finite.shape) if finite.ndim else ()
        first = float(array[where] if where else array)
        at = f" at index {list(map(int, where))}" if where else ""
        raise ValueError(f"{name} must hold only finite values; got {bad} NaN or infinite "
                         f"entr{'y' if bad == 1 else 'ies'} (the first is {first!r}{at})")
    return array


def _kind_problem(dtype: np.dtype) -> str | None:
    """Why an array of ``dtype`` is not an array of real numbers (None if it is)."""
    kind = dtype.kind
    if kind in "fiu":
        return None
    if kind == "b":
        return ("booleans (booleans are not numbers: use .astype(float) if you mean 0 "
                "and 1)")
    if kind == "c":
        return f"complex numbers (dtype {dtype}); only real numbers are accepted"
    if kind in "US":
        return f"strings (dtype {dtype}); convert the text to numbers first"
    return f"values of dtype {dtype}"


def _leaf_problem(value: Any) -> str | None:
    """Why the leaves of a (nested) sequence are not all real numbers (None if they are).

    NumPy would quietly turn ``[True, 0.5]`` into ``[1.0, 0.5]`` and ``["1"]``
    into ``[1.0]``; this looks at each leaf's type first.
    """
    try:
        leaves = np.array(value, dtype=object)
    except (TypeError, ValueError) as exc:
        return f"a value NumPy cannot read as an array ({exc})"
    types = set(map(type, leaves.ravel().tolist()))
    for t in types:
        if issubclass(t, _BOOL_TYPES):
            return ("booleans (booleans are not numbers: use 0 and 1, or .astype(float), "
                    "if you mean them)")
        if not issubclass(t, _REAL_TYPES):
            if issubclass(t, (list, tuple, np.ndarray)):
                return "rows of different lengths (a ragged nested list)"
            return f"a value of type {t.__name__}; only real numbers are accepted"
    return None


def check_array(name: str, value: Any, ndim: int | tuple[int, ...] | None = None,
                shape: tuple[int | None, ...] | None = None, finite: bool = True,
                dtype: type = np.float64) -> np.ndarray:
    """Convert ``value`` to a float array of real numbers and check its shape.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : array_like
        What the user passed: an array or (nested) list of real numbers.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    shape : tuple of (int or None), optional
        Expected shape; ``None`` entries match any length.
    finite : bool, default True
        Reject NaN and infinity.
    dtype : type or None, default numpy.float64
        Target dtype; ``None`` keeps the array's own real dtype (integers
        stay integers, e.g. class labels).

    Returns
    -------
    numpy.ndarray
        A C-contiguous array of ``dtype``, at least 1-D (a copy only when needed).

    Raises
    ------
    TypeError
        ``None``, a string, or an array of booleans, complex numbers, strings
        or other objects.
    ValueError
        A wrong number of dimensions or shape, a number too large for
        float64, or (with ``finite``) NaN or infinity.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers; got {_show(value)}")
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        problem = _kind_problem(value.dtype)
    else:
        problem = _leaf_problem(value)
    if problem is not None:
        raise TypeError(f"{name} must be an array of real numbers; got {problem}")
    try:
        array = np.ascontiguousarray(value, dtype=dtype)
    except OverflowError:
        raise ValueError(f"{name} holds an integer too large for a float64 (above "
                         f"{np.finfo(np.float64).max:.3g})") from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers; got {_show(value)} "
                        f"({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got an array of shape {array.shape}")
    if shape is not None:
        ok = array.ndim == len(shape) and all(
            want is None or have == want for have, want in zip(array.shape, shape))
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + (
                ",)" if len(shape) == 1 else ")")
            raise ValueError(f"{name} must have shape {want}; got {array.shape}")
    if finite:
        check_finite(name, array)
    return array
