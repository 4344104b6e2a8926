"""Seeded, offline toy datasets for teaching.

Two sources:

* :func:`make_dataset` draws small 2-D classification sets in the spirit of
  TensorFlow Playground (``xor``, ``circles``, ``moons``, ``spiral``,
  ``gaussian``) and a 1-D regression set (``sine``).  Inputs lie in roughly
  the square ``[-1, 1]^2`` so that they can be fed to a network without
  rescaling.
* :func:`load_digits` returns the 8x8 handwritten digits (1797 samples, 10
  classes) from a compressed file shipped inside the package.

Everything is drawn with ``numpy.random.default_rng(seed)`` alone, whose
bit stream is specified by NumPy, so the same seed gives the same arrays on
every machine.  Nothing is ever downloaded.

Noise
-----
For the 2-D sets, ``noise`` is the standard deviation of isotropic Gaussian
jitter added to every input coordinate *after* a clean point and its label
have been drawn.  It is measured in input units, where the whole square is
2 wide, so ``noise=0.1`` moves points by about 5% of the square's width;
labels are never changed, so larger noise makes the classes overlap.  With
``noise=0`` every set has exact, separable geometry:

``xor``
    Uniform points in the four quadrants, each coordinate at least
    ``XOR_MARGIN`` away from the axes; label 1 where ``x1 * x2 > 0``.
``circles``
    Label 1: uniform in the disc of radius ``CIRCLE_INNER``; label 0: uniform
    in the ring ``CIRCLE_RING[0] <= r <= CIRCLE_RING[1]``.
``moons``
    Two interleaved half circles of radius 2/3 (scikit-learn's shape, scaled
    by 2/3 and centred): label 0 the upper arc around ``(-1/3, -1/6)``,
    label 1 the lower arc around ``(1/3, 1/6)``.
``spiral``
    Two interleaved Archimedean spirals ``r = s``, angle ``3.5 * pi * s``
    (plus ``pi`` for label 1), ``s`` uniform in ``[0, 1]``; a point is
    ``(r sin(angle), r cos(angle))``.
``gaussian``
    Two Gaussian blobs of standard deviation ``BLOB_STD`` centred at
    ``(-0.5, -0.5)`` (label 0) and ``(0.5, 0.5)`` (label 1), truncated at
    radius ``BLOB_RADIUS`` so that they never touch at ``noise=0``.

For ``sine``, ``X`` is uniform in ``[-1, 1]`` with shape ``(N, 1)`` and
``y = sin(pi * X) + noise * N(0, 1)``: ``noise`` is the standard deviation
of Gaussian noise on the target.

Split rule
----------
``n_test = floor(test_fraction * N + 0.5)`` (round half up), capped at
``N - 1`` so the training set is never empty; ``n_train = N - n_test``.
Classification splits are stratified: each class gets its share of the test
set by largest remainder (ties go to the lower class label), so train and
test keep the class balance of the whole set.  Both parts are then shuffled
with the same seeded generator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from .validation import (MAX_NOISE, MAX_SAMPLES, check_array, check_choice, check_int,
                         check_nonnegative)

__all__ = [
    "DATASET_NAMES",
    "Dataset",
    "load_digits",
    "make_dataset",
]

#: Names accepted by :func:`make_dataset`.
DATASET_NAMES: tuple[str, ...] = ("xor", "circles", "moons", "spiral", "gaussian", "sine")

_TASKS = ("classification", "regression")

# Geometry constants (noise-free shapes); public so tests and notebooks can
# refer to them instead of repeating magic numbers.
XOR_MARGIN = 0.05
CIRCLE_INNER = 0.4
CIRCLE_RING = (0.6, 1.0)
MOON_SCALE = 2.0 / 3.0
SPIRAL_TURNS = 1.75
BLOB_CENTRE = 0.5
BLOB_STD = 0.15
BLOB_RADIUS = 0.45


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled dataset split into a training and a test part.

    The arrays are made read-only so one ``Dataset`` can be shared between
    widgets without any of them changing it behind the others' backs; copy
    an array (``ds.X_train.copy()``) to modify it.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"xor"`` or ``"digits"``.
    task : {"classification", "regression"}
        What the targets are.
    X_train, X_test : numpy.ndarray
        float64 inputs of shape ``(n_train, d)`` and ``(n_test, d)``.
    y_train, y_test : numpy.ndarray
        Targets.  Binary sets: float64 ``(n, 1)`` holding 0.0/1.0.
        Regression: float64 ``(n, 1)``.  Multi-class (digits): int64 ``(n,)``
        holding class indices ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes; 0 for regression.
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "task", check_choice("task", self.task, _TASKS))
        minimum = 2 if self.task == "classification" else 0
        maximum = None if self.task == "classification" else 0
        object.__setattr__(self, "n_classes",
                           check_int("n_classes", self.n_classes, minimum=minimum, maximum=maximum))
        for part in ("train", "test"):
            X = np.array(check_array(f"X_{part}", getattr(self, f"X_{part}"), finite=False))
            y = np.array(check_array(f"y_{part}", getattr(self, f"y_{part}"), dtype=None))
            if X.ndim != 2:
                raise ValueError(f"X_{part} must be 2-D (samples, features); got shape {X.shape}")
            if X.size:  # (an empty test part has shape (0, d))
                check_array(f"X_{part}", X)
            if y.shape[:1] != X.shape[:1]:
                raise ValueError(f"y_{part} must have {X.shape[0]} rows to match X_{part}; "
                                 f"got shape {y.shape}")
            X.setflags(write=False)
            y.setflags(write=False)
            object.__setattr__(self, f"X_{part}", X)
            object.__setattr__(self, f"y_{part}", y)
        if self.X_train.shape[1] != self.X_test.shape[1]:
            raise ValueError(f"X_test must have {self.X_train.shape[1]} features like X_train; "
                             f"got shape {self.X_test.shape}")
        if self.y_train.shape[1:] != self.y_test.shape[1:]:
            raise ValueError(f"y_test must have trailing shape {self.y_train.shape[1:]} like "
                             f"y_train; got shape {self.y_test.shape}")

    @property
    def X(self) -> np.ndarray:
        """All inputs, training rows first then test rows (read-only copy)."""
        return _frozen(np.concatenate([self.X_train, self.X_test]))

    @property
    def y(self) -> np.ndarray:
        """All targets, in the same order as :attr:`X` (read-only copy)."""
        return _frozen(np.concatenate([self.y_train, self.y_test]))

    @property
    def n_features(self) -> int:
        """Number of input features ``d``."""
        return int(self.X_train.shape[1])

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return int(self.X_test.shape[0])

    def __repr__(self) -> str:
        kind = f"{self.n_classes} classes" if self.task == "classification" else "regression"
        return (f"Dataset({self.name!r}, {kind}, {self.n_features} features, "
                f"train={self.n_train}, test={self.n_test})")


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------

def _check_test_fraction(value: Any) -> float:
    fraction = check_nonnegative("test_fraction", value)
    if fraction >= 1:
        raise ValueError(f"test_fraction must be a number in [0, 1); got {value!r}")
    return fraction


# ---------------------------------------------------------------------------
# Splitting
# ---------------------------------------------------------------------------

def _n_test(n: int, fraction: float) -> int:
    """Round half up, then keep at least one training sample."""
    return min(int(np.floor(fraction * n + 0.5)), n - 1)


def _split_indices(n: int, fraction: float, rng: np.random.Generator,
                   labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Return shuffled ``(train_idx, test_idx)``; stratified when ``labels`` is given."""
    n_test = _n_test(n, fraction)
    if labels is None:
        order = rng.permutation(n)
        return order[n_test:], order[:n_test]
    classes, counts = np.unique(labels, return_counts=True)
    # Largest-remainder allocation: the per-class quotas add up to exactly
    # n_test, so stratifying never changes the documented split sizes.
    exact = counts * (n_test / n)
    quota = np.floor(exact).astype(np.int64)
    short = n_test - int(quota.sum())
    by_remainder = np.argsort(-(exact - quota), kind="stable")
    quota[by_remainder[:short]] += 1
    train_parts, test_parts = [], []
    for cls, q in zip(classes, quota):
        members = rng.permutation(np.flatnonzero(labels == cls))
        test_parts.append(members[:q])
        train_parts.append(members[q:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return train, test


# ---------------------------------------------------------------------------
# Generators: each returns clean (noise-free) X (N, 2) and labels (N,) int,
# given per-class counts; jitter is added by make_dataset.
# ---------------------------------------------------------------------------

def _class_labels(n: int) -> np.ndarray:
    """Balanced 0/1 labels in two blocks; class 1 gets the extra sample if n is odd."""
    return np.repeat(np.array([0, 1]), [n // 2, n - n // 2])


def _xor(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = labels.size
    magnitude = rng.uniform(XOR_MARGIN, 1.0, size=(n, 2))
    sign1 = rng.choice(np.array([-1.0, 1.0]), size=n)
    # Same signs -> x1 * x2 > 0 -> label 1; opposite signs -> label 0.
    sign2 = np.where(labels == 1, sign1, -sign1)
    return magnitude * np.column_stack([sign1, sign2])


def _circles(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = labels.size
    # Radius drawn as sqrt of a uniform in r^2 so points are uniform by area.
    u = rng.uniform(size=n)
    lo, hi = CIRCLE_RING
    r_inner = CIRCLE_INNER * np.sqrt(u)
    r_outer = np.sqrt(lo**2 + (hi**2 - lo**2) * u)
    radius = np.where(labels == 1, r_inner, r_outer)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])


def _moons(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    t = rng.uniform(0.0, np.pi, size=labels.size)
    # scikit-learn's moons span x in [-1, 2], y in [-0.5, 1]; shift by the
    # centre (0.5, 0.25) and scale by 2/3 to fit [-1, 1] without distortion.
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    raw = np.where((labels == 1)[:, None], lower, upper)
    return (raw - np.array([0.5, 0.25])) * MOON_SCALE


def _spiral(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    s = rng.uniform(0.0, 1.0, size=labels.size)
    angle = 2.0 * np.pi * SPIRAL_TURNS * s + np.pi * labels
    return s[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])


def _gaussian(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    offsets = rng.normal(0.0, BLOB_STD, size=(labels.size, 2))
    # Redraw the rare far-out draws so the blobs stay apart at noise=0;
    # the loop is deterministic given the generator.
    far = np.hypot(offsets[:, 0], offsets[:, 1]) > BLOB_RADIUS
    while far.any():
        offsets[far] = rng.normal(0.0, BLOB_STD, size=(int(far.sum()), 2))
        far = np.hypot(offsets[:, 0], offsets[:, 1]) > BLOB_RADIUS
    centres = np.where((labels == 1)[:, None], BLOB_CENTRE, -BLOB_CENTRE)
    return centres + offsets


_GENERATORS = {
    "xor": _xor,
    "circles": _circles,
    "moons": _moons,
    "spiral": _spiral,
    "gaussian": _gaussian,
}


def make_dataset(name: str, n_samples: int = 200, noise: float = 0.1,
                 test_fraction: float = 0.5, seed: int = 0) -> Dataset:
    """Draw a seeded toy dataset.

    Parameters
    ----------
    name : {"xor", "circles", "moons", "spiral", "gaussian", "sine"}
        Which set (case-insensitive).  See the module docstring for the
        exact shapes.
    n_samples : int, default 200
        Total number of samples (train + test), from 4 to ``MAX_SAMPLES``
        (1,000,000).  The two classes of a classification set differ in size
        by at most one.
    noise : float, default 0.1
        Standard deviation, from 0 to ``MAX_NOISE`` (10), of the Gaussian
        jitter added to each input coordinate (2-D sets) or to the target
        (``sine``).  ``0`` gives the exact, noise-free geometry; beyond 1 the
        classes are mostly noise.
    test_fraction : float, default 0.5
        Fraction in ``[0, 1)`` held out for testing;
        ``n_test = min(floor(test_fraction * n_samples + 0.5), n_samples - 1)``.
        ``0`` gives empty test arrays of shape ``(0, d)``.
    seed : int, default 0
        Non-negative seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        ``X`` is float64 of shape ``(N, 2)`` (``(N, 1)`` for ``sine``); ``y`` is
        float64 of shape ``(N, 1)``, holding 0.0/1.0 for the classification
        sets.

    Raises
    ------
    ValueError
        Unknown ``name`` (the message lists the valid ones), ``n_samples``
        outside ``[4, MAX_SAMPLES]``, ``noise`` outside ``[0, MAX_NOISE]``,
        ``test_fraction`` outside ``[0, 1)`` or negative ``seed``.
    TypeError
        An argument of the wrong type (e.g. a float ``n_samples`` or ``seed``).

    Examples
    --------
    >>> ds = make_dataset("xor", n_samples=10, test_fraction=0.3, seed=1)
    >>> ds.X_train.shape, ds.y_test.shape
    ((7, 2), (3, 1))
    """
    key = check_choice("name", name, DATASET_NAMES)
    n = check_int("n_samples", n_samples, minimum=4, maximum=MAX_SAMPLES)
    sigma = check_nonnegative("noise", noise, maximum=MAX_NOISE)
    fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)

    if key == "sine":
        X = rng.uniform(-1.0, 1.0, size=(n, 1))
        y = np.sin(np.pi * X)
        if sigma > 0:
            y = y + rng.normal(0.0, sigma, size=y.shape)
        train, test = _split_indices(n, fraction, rng, labels=None)
        return Dataset(name=key, task="regression", X_train=X[train], y_train=y[train],
                       X_test=X[test], y_test=y[test], n_classes=0)

    labels = _class_labels(n)
    X = _GENERATORS[key](labels, rng)
    if sigma > 0:
        X = X + rng.normal(0.0, sigma, size=X.shape)
    y = labels.astype(np.float64)[:, None]
    train, test = _split_indices(n, fraction, rng, labels=labels)
    return Dataset(name=key, task="classification", X_train=X[train], y_train=y[train],
                   X_test=X[test], y_test=y[test], n_classes=2)


# ---------------------------------------------------------------------------
# Handwritten digits
# ---------------------------------------------------------------------------

DIGITS_FILE = "digits.npz"


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """Read ``data/digits.npz`` once; return read-only uint8 images and labels."""
    ref = resources.files(__package__).joinpath("data", DIGITS_FILE)
    with ref.open("rb") as handle, np.load(handle) as archive:
        images = np.array(archive["images"])
        labels = np.array(archive["labels"])
    # A truncated or replaced file should fail loudly, not train on garbage.
    if images.shape != (1797, 64) or labels.shape != (1797,):
        raise RuntimeError(f"{DIGITS_FILE} is corrupt: images {images.shape}, labels {labels.shape}")
    return _frozen(images), _frozen(labels)


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Load the 8x8 handwritten digits, split into train and test.

    The data is the test set of the UCI "Optical Recognition of Handwritten
    Digits" data set (E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), as shipped
    with scikit-learn: 1797 images of 8x8 pixel counts in ``0..16``.  It is
    read from a file inside the package; nothing is downloaded.

    Parameters
    ----------
    test_fraction : float, default 0.2
        Fraction in ``[0, 1)`` held out for testing, with the same rounding
        rule as :func:`make_dataset`; the split is stratified by digit.
    seed : int, default 0
        Non-negative seed for the shuffle.

    Returns
    -------
    Dataset
        ``X`` is float64 of shape ``(N, 64)`` scaled to ``[0, 1]`` (pixel / 16),
        row-major so ``X[i].reshape(8, 8)`` is the image; ``y`` is int64 of
        shape ``(N,)`` with digits ``0..9``; ``n_classes`` is 10.

    Raises
    ------
    ValueError, TypeError
        Bad ``test_fraction`` or ``seed``.
    """
    fraction = _check_test_fraction(test_fraction)
    seed = check_int("seed", seed, minimum=0)
    images, labels = _raw_digits()
    X = images.astype(np.float64) / 16.0
    y = labels.astype(np.int64)
    rng = np.random.default_rng(seed)
    train, test = _split_indices(y.size, fraction, rng, labels=y)
    return Dataset(name="digits", task="classification", X_train=X[train], y_train=y[train],
                   X_test=X[test], y_test=y[test], n_classes=10)
