"""The learner's own data: read, validated, scaled to the toy sets' range, split.

:func:`load_user_data` takes ``(X, y)`` arrays or a CSV file and returns a
:class:`UserData`: the raw numbers as given, checked, plus the affine scaling
that brings them to the range the built-in sets use (about ``[-1, 1]``), so
a network's picture, learning rate and weight scale mean the same as for
``xor`` or ``sine``.  :meth:`UserData.split` gives a scaled
:class:`~actviz_widgets.engine.datasets.Dataset` (same split rule as the
built-in sets: stratified for classification, seeded).

What is accepted
----------------
Two kinds, told apart by the number of input columns:

* **two features → binary classification**: ``X`` of shape ``(n, 2)``,
  labels with exactly two distinct values.  Labels ``0``/``1`` are used as
  they are; ``-1``/``+1`` are mapped to ``0``/``1`` (``-1`` → ``0``); any
  other two values (two numbers such as ``1``/``2``, or two texts such as
  ``"cat"``/``"dog"`` in a CSV file) are mapped in sorted order, the first
  to ``0``, the second to ``1``.  The mapping is kept in
  :attr:`UserData.classes` and said in :attr:`UserData.label_note`.  One
  label, or three or more, are refused (the playground is binary).
* **one feature → regression**: ``X`` of shape ``(n,)`` or ``(n, 1)``, real
  targets ``y``.

``task=`` may be given to state the intent; it must agree with the number
of features (a two-feature regression or a one-feature classification has no
picture in the playground, so it is refused with the reason).

Scaling
-------
Each input column ``x`` becomes ``(x − c) / s`` with ``c`` the middle of its
range and ``s`` half its width, so the column spans exactly ``[-1, 1]``;
for regression the target is scaled the same way.  The scaling is affine
and invertible: a network trained on the scaled numbers is the same model of
the raw ones, and :meth:`UserData.scaling_text` writes it for the learner
(``"x₁ = (x − 3.2) / 1.7"``).  A constant column cannot be scaled (and
carries no information): it is refused.

CSV files
---------
Comma-separated numbers, one sample per line: ``x1,x2,label`` or ``x,y``
(the last column is the label or target).  A first line that is not all
numbers is a header and names the columns.  Blank lines and lines starting
with ``#`` are skipped.  Any other line that cannot be read raises a
``ValueError`` naming the file, the line number and what was found.

Limits
------
At least :data:`MIN_SAMPLES` samples (and, for classification,
:data:`MIN_PER_CLASS` of each class, so that both the training and the test
part hold each class); at most ``max_samples`` (default
:data:`~actviz_widgets.engine.validation.MAX_SAMPLES`); a CSV file at most
:data:`MAX_CSV_BYTES`.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .datasets import Dataset, _split_indices
from .validation import MAX_SAMPLES, check_array, check_choice, check_int

__all__ = [
    "MAX_CSV_BYTES",
    "MIN_PER_CLASS",
    "MIN_SAMPLES",
    "USER_DATASET",
    "UserData",
    "load_user_data",
    "read_csv",
]

#: The name of the learner's data set (``Dataset.name`` and the playground's option).
USER_DATASET = "user"
#: Fewest samples accepted (the built-in sets' smallest ``n_samples`` in the playground).
MIN_SAMPLES = 10
#: Fewest samples of each class (one for training and one for testing, at the least).
MIN_PER_CLASS = 2
#: Largest CSV file read (about 20 bytes a number: a million rows of three).
MAX_CSV_BYTES = 64 * 2 ** 20
_TASKS = ("classification", "regression")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True, eq=False)
class UserData:
    """The learner's data, validated, with its scaling (arrays are read-only).

    Attributes
    ----------
    task : {"classification", "regression"}
    X : numpy.ndarray
        ``(n, d)`` float64, the inputs as given (``d`` = 2 for classification,
        1 for regression).
    y : numpy.ndarray
        ``(n, 1)`` float64: labels mapped to 0.0/1.0, or the targets as given.
    center, scale : numpy.ndarray
        ``(d,)``: the inputs are shown and trained on as ``(X − center) / scale``.
    y_center, y_scale : float
        Regression: the target is ``(y − y_center) / y_scale``; classification: 0 and 1.
    classes : tuple
        Classification: the original label of class 0 and of class 1 (numbers
        or texts); regression: ``()``.
    names : tuple of str
        The columns' names: the CSV header, or ``x₁, x₂, y`` (``x, y``).
    source : str
        ``"arrays"`` or the CSV file's path.
    """

    task: str
    X: np.ndarray
    y: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    y_center: float
    y_scale: float
    classes: tuple
    names: tuple
    source: str

    @property
    def n_samples(self) -> int:
        """Number of samples ``n``."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input features ``d`` (2 or 1)."""
        return int(self.X.shape[1])

    @property
    def X_scaled(self) -> np.ndarray:
        """The inputs as trained on: ``(X − center) / scale``, each column in [-1, 1]."""
        return (self.X - self.center) / self.scale

    @property
    def y_scaled(self) -> np.ndarray:
        """The targets as trained on (labels 0/1 unchanged; regression in [-1, 1])."""
        return (self.y - self.y_center) / self.y_scale

    @property
    def label_mapped(self) -> bool:
        """Whether the labels given were other than 0 and 1 (and were mapped to them)."""
        return self.task == "classification" and self.classes != (0, 1)

    def scaling(self) -> list[tuple[str, float, float]]:
        """``(symbol, center, scale)`` of every scaled quantity: ``x₁``, ``x₂`` (or ``x``, ``y``)."""
        symbols = (["x₁", "x₂"] if self.n_features == 2 else ["x"])
        out = [(s, float(c), float(k)) for s, c, k in zip(symbols, self.center, self.scale)]
        if self.task == "regression":
            out.append(("y", self.y_center, self.y_scale))
        return out

    def scaling_text(self, symbol: str) -> str:
        """How one quantity is scaled from its column, e.g. ``"(len − 3.2) / 1.7"``.

        ``symbol`` is one of :meth:`scaling`'s (``"x₁"``, ``"x₂"``, ``"x"``, ``"y"``);
        the column is named as in :attr:`names` (at most 12 characters shown).
        """
        for k, (s, c, scale) in enumerate(self.scaling()):
            if s == symbol:
                name = self.names[k] if k < self.n_features else self.names[-1]
                return _affine(name if len(name) <= 12 else name[:11] + "…", c, scale)
        raise ValueError(f"symbol must be one of {[s for s, _, _ in self.scaling()]}; "
                         f"got {symbol!r}")

    def split(self, test_fraction: float, seed: int = 0) -> Dataset:
        """The scaled data split into training and test parts (the built-in sets' rule).

        Parameters
        ----------
        test_fraction : float
            In ``[0, 1)``; ``n_test = min(floor(test_fraction·n + 0.5), n − 1)``.
        seed : int, default 0
            Seed of the (stratified, for classification) shuffle.
        """
        fraction = float(test_fraction)
        if not 0 <= fraction < 1:
            raise ValueError(f"test_fraction must be a number in [0, 1); got {test_fraction!r}")
        seed = check_int("seed", seed, minimum=0)
        rng = np.random.default_rng(seed)
        X, y = self.X_scaled, self.y_scaled
        labels = y[:, 0].astype(np.int64) if self.task == "classification" else None
        train, test = _split_indices(self.n_samples, fraction, rng, labels=labels)
        return Dataset(name=USER_DATASET, task=self.task, X_train=X[train], y_train=y[train],
                       X_test=X[test], y_test=y[test],
                       n_classes=2 if self.task == "classification" else 0)

    def to_json(self) -> dict:
        """The data as JSON-ready lists (exact: floats round-trip), for saved states."""
        return {"task": self.task, "X": self.X.tolist(), "labels": self._original_labels(),
                "names": list(self.names), "source": self.source}

    def _original_labels(self) -> list:
        if self.task == "regression":
            return self.y[:, 0].tolist()
        return [self.classes[int(v)] for v in self.y[:, 0]]

    @classmethod
    def from_json(cls, data: Any, max_samples: int = MAX_SAMPLES) -> UserData:
        """Rebuild from :meth:`to_json` (validated again, as any data)."""
        if not isinstance(data, dict) or not {"task", "X", "labels"} <= set(data):
            raise ValueError("saved user data must be an object with 'task', 'X' and 'labels'; "
                             f"got {type(data).__name__}")
        names = data.get("names")
        return load_user_data((data["X"], data["labels"]), task=data["task"],
                              names=names if isinstance(names, list) else None,
                              max_samples=max_samples,
                              source_name=str(data.get("source", "arrays")))


def _affine(symbol: str, center: float, scale: float) -> str:
    """``(x − 3.2) / 1.7`` for center 3.2 and scale 1.7 (``x / 2`` for center 0)."""
    c, k = _short(center), _short(scale)
    if c == "0":
        shifted = symbol
    elif c.startswith("-"):
        shifted = f"({symbol} + {c[1:]})"
    else:
        shifted = f"({symbol} − {c})"
    return shifted if k == "1" else f"{shifted} / {k}"


def _short(value: float) -> str:
    """3 significant digits, no exponent for everyday sizes (``3.2``, ``1.7e+04`` → ``17000``)."""
    if value == 0:
        return "0"
    text = f"{value:.3g}"
    if "e" in text and 1e-3 <= abs(value) < 1e7:
        text = f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"
    return text


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def load_user_data(source: Any, task: str | None = None, names: Sequence[str] | None = None,
                   max_samples: int = MAX_SAMPLES, source_name: str | None = None) -> UserData:
    """Validate the learner's data: ``(X, y)`` arrays or a CSV file's path.

    Parameters
    ----------
    source : (X, y) or str or os.PathLike
        ``X`` of shape ``(n, 2)`` with two-valued labels ``y`` (classification),
        or ``(n,)``/``(n, 1)`` with real targets (regression); or a CSV path
        (see the module docstring).
    task : {"classification", "regression"}, optional
        Inferred from the number of features when not given; when given it
        must agree with it.
    names : sequence of str, optional
        The columns' names (inputs then the label), e.g. from a header.
    max_samples : int, default MAX_SAMPLES
        Most samples accepted (a widget may allow fewer).
    source_name : str, optional
        How the source is named in messages and in :attr:`UserData.source`.

    Returns
    -------
    UserData

    Raises
    ------
    TypeError
        ``source`` is neither a pair of arrays nor a path, or the arrays hold
        something other than numbers (labels may be texts).
    ValueError
        A wrong shape, NaN or infinity (the row is named), too few or too many
        samples, labels that are not two-valued, a constant column, a task that
        disagrees with the features, or a CSV file that cannot be read (its
        line is named).
    """
    max_samples = check_int("max_samples", max_samples, minimum=MIN_SAMPLES,
                            maximum=MAX_SAMPLES)
    if task is not None:
        task = check_choice("task", task, _TASKS)
    if isinstance(source, (str, os.PathLike)):
        X, labels, header = read_csv(source, max_samples=max_samples)
        return _build(X, labels, task, names or header, max_samples, os.fspath(source),
                      "the file " + repr(os.fspath(source)))
    if not isinstance(source, (tuple, list)) or len(source) != 2:
        raise TypeError("dataset must be a name such as 'xor', a pair (X, y) of arrays or the "
                        f"path of a CSV file; got {_describe(source)}")
    X_in, y_in = source
    X = check_array("X", X_in, ndim=(1, 2), finite=False)
    if X.ndim == 1:
        X = X[:, None]
    n = X.shape[0]
    _check_count(n, max_samples, "X")
    if X.shape[1] not in (1, 2):
        raise ValueError(f"X must have 2 columns (two features: classification) or 1 "
                         f"(one feature: regression); got shape {X.shape}")
    _check_finite_rows("X", X)
    labels = _labels_from(y_in, n)
    where = source_name or "arrays"
    return _build(X, labels, task, names, max_samples, where, "y")


def _describe(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"{type(value).__name__} {value!r}"[:80]


def _labels_from(y_in: Any, n: int) -> np.ndarray:
    """``y`` as a 1-D array: floats, or (texts given) an object array of str."""
    if isinstance(y_in, (str, bytes)) or y_in is None:
        raise TypeError(f"y must be an array of {n} labels or targets; got {_describe(y_in)}")
    raw = np.asarray(y_in, dtype=object) if not isinstance(y_in, np.ndarray) else y_in
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim != 1 or raw.shape[0] != n:
        raise ValueError(f"y must hold one label or target per row of X ({n}), as shape "
                         f"({n},) or ({n}, 1); got shape {raw.shape}")
    leaves = raw.tolist()
    if all(isinstance(v, str) for v in leaves):
        return np.array(leaves, dtype=object)
    if raw.dtype == bool or all(isinstance(v, (bool, np.bool_)) for v in leaves):
        return raw.astype(np.float64)  # (False, True) are the classes (0, 1)
    y = check_array("y", raw, ndim=1, finite=False)
    _check_finite_rows("y", y[:, None])
    return y


def _check_count(n: int, max_samples: int, name: str) -> None:
    if n < MIN_SAMPLES:
        raise ValueError(f"{name} has {n} samples; at least {MIN_SAMPLES} are needed (some "
                         "to train on and some to test with)")
    if n > max_samples:
        raise ValueError(f"{name} has {n:,} samples; at most {max_samples:,} are accepted "
                         "here (take a random subset)")


def _check_finite_rows(name: str, array: np.ndarray) -> None:
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        first = ", ".join(map(str, rows[:5].tolist())) + (" ..." if len(rows) > 5 else "")
        raise ValueError(f"{name} must hold only finite numbers; {len(rows)} row(s) hold NaN "
                         f"or infinity (rows {first}, counting from 0): remove or fill them")


def _build(X: np.ndarray, labels: np.ndarray, task: str | None, names, max_samples: int,
           source: str, label_name: str) -> UserData:
    d = X.shape[1]
    inferred = "classification" if d == 2 else "regression"
    if task is not None and task != inferred:
        raise ValueError(
            f"task {task!r} does not fit data with {d} feature(s): the playground draws "
            "two-feature classification (X of shape (n, 2)) or one-feature regression "
            f"(X of shape (n,) or (n, 1)); got X of shape {X.shape}")
    task = inferred
    y_name = "y" if label_name == "y" else f"the last column of {label_name}"
    if task == "classification":
        values = sorted(set(labels.tolist()), key=lambda v: (isinstance(v, str), v))
        if len(values) != 2:
            shown = [_plain(v) for v in values[:6]]
            raise ValueError(
                f"{y_name} must hold exactly two classes for the playground's binary "
                f"classification (0 and 1, or -1 and 1, or any two values); got "
                f"{len(values)} distinct value(s): {shown}{' ...' if len(values) > 6 else ''}")
        if values == [0.0, 1.0]:
            classes: tuple = (0, 1)
        elif values == [-1.0, 1.0]:
            classes = (-1, 1)
        else:
            classes = tuple(_plain(v) for v in values)
        index = {v: k for k, v in enumerate(values)}
        y = np.array([float(index[v]) for v in labels.tolist()])[:, None]
        counts = np.bincount(y[:, 0].astype(np.int64), minlength=2)
        if counts.min() < MIN_PER_CLASS:
            rare = classes[int(np.argmin(counts))]
            raise ValueError(f"{y_name} has {int(counts.min())} sample(s) of class {rare!r}; "
                             f"at least {MIN_PER_CLASS} of each class are needed")
        y_center, y_scale = 0.0, 1.0
    else:
        if labels.dtype == object:
            raise ValueError(f"{y_name} must hold numbers (regression targets) for data with "
                             f"one feature; got text such as {labels[0]!r}")
        y = labels.astype(np.float64)[:, None]
        (y_center,), (y_scale,) = _center_scale(y, ["the target " + y_name])
        classes = ()
    symbols = ["x₁", "x₂"] if d == 2 else ["x"]
    center, scale = _center_scale(X, [f"feature {s} (column {k + 1})"
                                      for k, s in enumerate(symbols)])
    default_names = [*symbols, "y"]
    if names is not None:
        names = [str(s) for s in names]
        if len(names) != d + 1:
            raise ValueError(f"names must name the {d} input column(s) and the label column "
                             f"({d + 1} names); got {names}")
    for array in (X, y, center, scale):
        array.setflags(write=False)
    return UserData(task=task, X=X, y=y, center=center, scale=scale, y_center=float(y_center),
                    y_scale=float(y_scale), classes=classes,
                    names=tuple(names or default_names), source=source)


def _plain(value: Any) -> Any:
    """A label as the learner wrote it: ``2.0`` → ``2``; texts unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _center_scale(array: np.ndarray, what: Sequence[str]):
    low, high = array.min(axis=0), array.max(axis=0)
    for k, (lo, hi) in enumerate(zip(low, high)):
        if not hi > lo:
            raise ValueError(f"{what[k]} is constant (every value is {lo:g}): it carries no "
                             "information and cannot be scaled to [-1, 1]; drop it or vary it")
    return (low + high) / 2, (high - low) / 2


def read_csv(path: str | os.PathLike, max_samples: int = MAX_SAMPLES):
    """Read a CSV file of samples: ``(X, labels, header)``.

    ``X`` is ``(n, d)`` float64 (all columns but the last), ``labels`` the last
    column (floats, or texts when any is not a number), ``header`` the
    column names or ``None``.

    Raises
    ------
    ValueError
        A missing, empty, too large or unreadable file, a line with the wrong
        number of columns or a non-number in an input column (named by line
        number), too few or too many rows.
    """
    where = repr(os.fspath(path))
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ValueError(f"cannot read the CSV file {where}: {exc.strerror or exc}") from None
    if size > MAX_CSV_BYTES:
        raise ValueError(f"the CSV file {where} has {size:,} bytes; at most {MAX_CSV_BYTES:,} "
                         "are read (take a random subset of its rows)")
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the CSV file {where} is not UTF-8 text (byte {exc.start}); save it "
                         "as UTF-8 CSV") from None
    except OSError as exc:
        raise ValueError(f"cannot read the CSV file {where}: {exc.strerror or exc}") from None
    rows: list[tuple[int, list[str]]] = []
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        fields = [f.strip() for f in fields]
        if not any(fields) or fields[0].startswith("#"):
            continue
        rows.append((number, fields))
    if not rows:
        raise ValueError(f"the CSV file {where} holds no data: expected lines such as "
                         "'0.5,-1.2,1' (x1, x2, label) or '0.5,3.1' (x, y)")
    header = None
    first_line, first = rows[0]
    if not any(_is_number(f) for f in first[:-1]):  # names, not numbers: a header
        header, rows = first, rows[1:]
    width = len(header) if header is not None else len(rows[0][1]) if rows else 0
    if width not in (2, 3):
        line = first_line if header is not None or not rows else rows[0][0]
        raise ValueError(f"the CSV file {where}, line {line}: expected 3 columns (x1, x2, "
                         f"label) or 2 (x, y); got {width}")
    n = len(rows)
    if n > max_samples:
        raise ValueError(f"the CSV file {where} has {n:,} samples; at most {max_samples:,} are "
                         "accepted here (take a random subset)")
    X = np.empty((n, width - 1))
    labels: list = []
    for i, (number, fields) in enumerate(rows):
        if len(fields) != width:
            raise ValueError(f"the CSV file {where}, line {number}: expected {width} columns "
                             f"like the {'header' if header else 'first line'}; got "
                             f"{len(fields)} ({','.join(fields)[:60]!r})")
        for j, field in enumerate(fields[:-1]):
            value = _number(field)
            if value is None:
                raise ValueError(f"the CSV file {where}, line {number}, column {j + 1}: "
                                 f"{field[:30]!r} is not a number")
            if not math.isfinite(value):
                raise ValueError(f"the CSV file {where}, line {number}, column {j + 1}: "
                                 f"{field[:30]!r} is not a finite number")
            X[i, j] = value
        label = fields[-1]
        if label == "":
            raise ValueError(f"the CSV file {where}, line {number}, column {width}: the label "
                             "is empty")
        labels.append(label)
    numeric = [_number(v) for v in labels]
    if all(v is not None for v in numeric):
        y = np.array(numeric, dtype=float)
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            number = rows[int(bad[0])][0]
            raise ValueError(f"the CSV file {where}, line {number}, column {width}: "
                             f"{labels[int(bad[0])]!r} is not a finite number")
    else:
        y = np.array(labels, dtype=object)
    _check_count(n, max_samples, f"the CSV file {where}")
    return X, y, (tuple(header) if header is not None else None)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_number(text: str) -> bool:
    return _number(text) is not None
