"""Tests for the seeded toy datasets and the bundled digits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.datasets import (
    BLOB_CENTRE,
    BLOB_RADIUS,
    CIRCLE_INNER,
    CIRCLE_RING,
    DATASET_NAMES,
    MOON_SCALE,
    SPIRAL_TURNS,
    XOR_MARGIN,
    Dataset,
    load_digits,
    make_dataset,
)

CLASSIFICATION = tuple(n for n in DATASET_NAMES if n != "sine")
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_names():
    assert DATASET_NAMES == ("xor", "circles", "moons", "spiral", "gaussian", "sine")


# --------------------------------------------------------------------------
# Shapes, dtypes, determinism
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", DATASET_NAMES)
def test_shapes_and_dtypes(name):
    ds = make_dataset(name, n_samples=50, test_fraction=0.3, seed=3)
    d = 1 if name == "sine" else 2
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.X_train.shape == (35, d) and ds.X_test.shape == (15, d)
    assert ds.y_train.shape == (35, 1) and ds.y_test.shape == (15, 1)
    for arr in (ds.X_train, ds.X_test, ds.y_train, ds.y_test):
        assert arr.dtype == np.float64
        assert np.all(np.isfinite(arr))
    assert ds.X.shape == (50, d) and ds.y.shape == (50, 1)
    assert ds.n_features == d and ds.n_train == 35 and ds.n_test == 15
    if name == "sine":
        assert ds.task == "regression" and ds.n_classes == 0
    else:
        assert ds.task == "classification" and ds.n_classes == 2
        assert set(np.unique(ds.y)) <= {0.0, 1.0}


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_inputs_roughly_in_unit_square(name):
    ds = make_dataset(name, n_samples=400, noise=0.0)
    assert np.all(np.abs(ds.X) <= 1.0)
    noisy = make_dataset(name, n_samples=400, noise=0.1)
    assert np.all(np.abs(noisy.X) <= 1.6)  # 6 sigma of jitter beyond the square


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_same_seed_same_data_different_seed_different(name):
    a = make_dataset(name, seed=7)
    b = make_dataset(name, seed=7)
    c = make_dataset(name, seed=8)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


def test_seed_is_reproducible_across_machines():
    # default_rng's bit stream is specified by NumPy, so these pinned values
    # hold on every machine; they change only if the generator code changes
    # (which would silently change every notebook's data: update on purpose).
    sine = make_dataset("sine", n_samples=4, noise=0.0, test_fraction=0.0, seed=0)
    np.testing.assert_allclose(
        sine.X_train[:, 0],
        [-0.4604265724722594, -0.9180529521276106, 0.2739233746429086, -0.9669447289429418],
        rtol=0, atol=1e-15)
    xor = make_dataset("xor", n_samples=4, noise=0.1, test_fraction=0.5, seed=0)
    np.testing.assert_allclose(
        xor.X_train, [[0.5927861567016464, -0.3021647801409524],
                      [0.6980156325149524, 0.8438910629434905]], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(xor.y_train, [[0.0], [1.0]])


def test_name_is_case_insensitive():
    np.testing.assert_array_equal(make_dataset("XOR").X_train, make_dataset("xor").X_train)


def test_arrays_are_read_only():
    ds = make_dataset("xor")
    with pytest.raises(ValueError, match="read-only"):
        ds.X_train[0, 0] = 5.0
    with pytest.raises(AttributeError):
        ds.name = "other"  # type: ignore[misc]


def test_repr():
    assert repr(make_dataset("moons", n_samples=10)) == (
        "Dataset('moons', 2 classes, 2 features, train=5, test=5)")
    assert repr(make_dataset("sine", n_samples=10, test_fraction=0.2)) == (
        "Dataset('sine', regression, 1 features, train=8, test=2)")


# --------------------------------------------------------------------------
# Split sizes and balance
# --------------------------------------------------------------------------

def expected_n_test(n, fraction):
    return min(math.floor(fraction * n + 0.5), n - 1)


@pytest.mark.parametrize("n, fraction, n_test", [
    (200, 0.5, 100),
    (10, 0.25, 3),     # 2.5 rounds half up
    (10, 0.24, 2),
    (7, 0.5, 4),       # 3.5 rounds half up
    (101, 0.1, 10),    # 10.1
    (4, 0.99, 3),      # capped so at least one training sample remains
    (50, 0.0, 0),
])
@pytest.mark.parametrize("name", ["xor", "sine"])
def test_split_sizes(name, n, fraction, n_test):
    assert expected_n_test(n, fraction) == n_test
    ds = make_dataset(name, n_samples=n, test_fraction=fraction)
    assert ds.n_test == n_test
    assert ds.n_train == n - n_test


def test_zero_test_fraction_gives_empty_test_arrays():
    ds = make_dataset("circles", n_samples=20, test_fraction=0.0)
    assert ds.X_test.shape == (0, 2) and ds.y_test.shape == (0, 1)
    assert ds.X_test.dtype == np.float64
    sine = make_dataset("sine", n_samples=20, test_fraction=0.0)
    assert sine.X_test.shape == (0, 1) and sine.y_test.shape == (0, 1)


def test_split_is_a_partition():
    # Every generated point lands in exactly one of train/test.
    ds = make_dataset("spiral", n_samples=60, noise=0.0, test_fraction=0.4, seed=2)
    full = make_dataset("spiral", n_samples=60, noise=0.0, test_fraction=0.0, seed=2)
    rows = {tuple(r) for r in ds.X}
    assert len(rows) == 60
    # Same generator draws before the split, so the point sets are identical.
    assert rows == {tuple(r) for r in full.X}


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [4, 5, 200, 201])
def test_classes_balanced(name, n):
    ds = make_dataset(name, n_samples=n, test_fraction=0.0)
    ones = int(ds.y.sum())
    assert ones == n - n // 2
    assert n - ones == n // 2


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_split_is_stratified(name):
    ds = make_dataset(name, n_samples=200, test_fraction=0.3)
    assert int(ds.y_test.sum()) == 30 and int(ds.y_train.sum()) == 70


def test_train_and_test_are_shuffled():
    ds = make_dataset("xor", n_samples=200, test_fraction=0.5)
    # Generation is in class blocks; a shuffled split must interleave them.
    assert 0 < ds.y_train[:50].sum() < 50


# --------------------------------------------------------------------------
# Exact noise-free geometry
# --------------------------------------------------------------------------

def clean(name, n=400, seed=0):
    ds = make_dataset(name, n_samples=n, noise=0.0, test_fraction=0.25, seed=seed)
    return ds.X, ds.y[:, 0]


def test_xor_geometry():
    X, y = clean("xor")
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))
    assert np.all(np.abs(X) >= XOR_MARGIN)
    assert np.all(np.abs(X) <= 1.0)
    # All four quadrants are used.
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert len(quadrants) == 4


def test_circles_geometry():
    X, y = clean("circles")
    r = np.hypot(X[:, 0], X[:, 1])
    inner, outer = r[y == 1], r[y == 0]
    assert inner.max() <= CIRCLE_INNER
    assert outer.min() >= CIRCLE_RING[0] - 1e-12 and outer.max() <= CIRCLE_RING[1] + 1e-12
    assert inner.max() < outer.min()


def test_moons_geometry():
    X, y = clean("moons")
    upper_c = np.array([-0.5, -0.25]) * MOON_SCALE
    lower_c = np.array([0.5, 0.25]) * MOON_SCALE
    up, low = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*(up - upper_c).T), MOON_SCALE, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*(low - lower_c).T), MOON_SCALE, atol=1e-12)
    assert np.all(up[:, 1] >= upper_c[1] - 1e-12)    # upper half circle
    assert np.all(low[:, 1] <= lower_c[1] + 1e-12)   # lower half circle


def test_spiral_geometry():
    X, y = clean("spiral")
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r <= 1.0 + 1e-12)
    # Point = r * (sin a, cos a) with a = 2*pi*turns*r + pi*label.
    angle = 2 * np.pi * SPIRAL_TURNS * r + np.pi * y
    np.testing.assert_allclose(X, r[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]),
                               atol=1e-12)


def test_gaussian_geometry():
    X, y = clean("gaussian", n=2000)
    np.testing.assert_array_equal(y, (X.sum(axis=1) > 0).astype(float))
    centres = np.where(y[:, None] == 1, BLOB_CENTRE, -BLOB_CENTRE)
    assert np.all(np.hypot(*(X - centres).T) <= BLOB_RADIUS)
    # Blob means near their centres (std 0.15, 1000 points: se ~ 0.005).
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [BLOB_CENTRE] * 2, atol=0.03)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-BLOB_CENTRE] * 2, atol=0.03)


def test_sine_exact_at_zero_noise():
    ds = make_dataset("sine", n_samples=100, noise=0.0)
    X, y = ds.X, ds.y
    assert np.all(np.abs(X) <= 1.0)
    np.testing.assert_array_equal(y, np.sin(np.pi * X))


def test_sine_noise_is_target_std():
    ds = make_dataset("sine", n_samples=20000, noise=0.2, test_fraction=0.0)
    resid = ds.y - np.sin(np.pi * ds.X)
    assert abs(resid.std() - 0.2) < 0.01
    assert abs(resid.mean()) < 0.01


def test_noise_is_input_jitter_std():
    # Jitter is sigma * (a standard normal draw) taken after the clean points,
    # so with one seed, noise=0.1 and noise=0.2 share the clean points, the
    # normal draws and the shuffle: their difference is exactly the 0.1 jitter.
    a = make_dataset("circles", n_samples=20000, noise=0.1, test_fraction=0.0)
    b = make_dataset("circles", n_samples=20000, noise=0.2, test_fraction=0.0)
    np.testing.assert_array_equal(a.y, b.y)
    jitter = b.X - a.X
    assert np.all(np.abs(jitter.std(axis=0) - 0.1) < 0.003)
    assert np.all(np.abs(jitter.mean(axis=0)) < 0.003)
    # Removing the jitter recovers the exact noise-free geometry.
    clean_X = a.X - jitter
    r = np.hypot(*clean_X.T)
    assert r[a.y[:, 0] == 1].max() <= CIRCLE_INNER + 1e-9
    assert r[a.y[:, 0] == 0].min() >= CIRCLE_RING[0] - 1e-9


def test_noise_makes_classes_overlap():
    noisy = make_dataset("xor", n_samples=400, noise=0.3, test_fraction=0.25)
    wrong = np.mean(noisy.y[:, 0] != (noisy.X[:, 0] * noisy.X[:, 1] > 0))
    assert 0.02 < wrong < 0.4


# --------------------------------------------------------------------------
# Digits
# --------------------------------------------------------------------------

def test_digits_shapes_and_values():
    ds = load_digits()
    assert ds.name == "digits" and ds.task == "classification" and ds.n_classes == 10
    assert ds.n_train + ds.n_test == 1797
    assert ds.n_test == 359  # floor(0.2 * 1797 + 0.5)
    assert ds.n_features == 64
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    assert ds.y_train.shape == (ds.n_train,) and ds.y_test.shape == (ds.n_test,)
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0
    # Pixel counts 0..16 divided by 16: all values are multiples of 1/16.
    np.testing.assert_array_equal(ds.X * 16, np.round(ds.X * 16))
    assert set(np.unique(ds.y)) == set(range(10))


def test_digits_class_counts():
    ds = load_digits(test_fraction=0.0)
    assert ds.n_test == 0 and ds.X_test.shape == (0, 64)
    assert np.bincount(ds.y, minlength=10).tolist() == DIGIT_COUNTS


def test_digits_first_image_is_a_zero():
    # The raw file's first row (before shuffling) is a "0"; find it by value.
    ds = load_digits(test_fraction=0.0)
    first = np.array([0, 0, 5, 13, 9, 1, 0, 0]) / 16
    rows = np.flatnonzero(np.all(ds.X[:, :8] == first, axis=1))
    assert len(rows) >= 1 and 0 in ds.y[rows]


def test_digits_stratified_and_seeded():
    a, b, c = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)
    test_counts = np.bincount(a.y_test, minlength=10)
    expected = np.array(DIGIT_COUNTS) * 0.2
    assert np.all(np.abs(test_counts - expected) < 1)


def test_digits_cache_not_mutated():
    ds = load_digits(test_fraction=0.0)
    copy = ds.X.copy()
    copy[:] = -1
    again = load_digits(test_fraction=0.0)
    assert again.X.min() == 0.0


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(name="spirals"), ValueError, r"name 'spirals'.*circles.*xor"),
    (dict(name=3), TypeError, r"name must be a string"),
    (dict(name="xor", noise=-0.1), ValueError, r"noise must be .*>= 0; got -0.1"),
    (dict(name="xor", noise=float("nan")), ValueError, r"noise must be finite"),
    (dict(name="xor", noise="high"), TypeError, r"noise must be a real number"),
    (dict(name="xor", n_samples=3), ValueError, r"n_samples must be an integer between 4 and 1000000; got 3"),
    (dict(name="xor", n_samples=100.0), TypeError, r"n_samples must be an integer; got 100.0"),
    (dict(name="xor", n_samples=True), TypeError, r"n_samples must be an integer"),
    (dict(name="xor", test_fraction=1.0), ValueError, r"test_fraction must be .*\[0, 1\); got 1.0"),
    (dict(name="xor", test_fraction=-0.1), ValueError, r"test_fraction must be .*>= 0; got -0.1"),
    (dict(name="xor", test_fraction="half"), TypeError, r"test_fraction must be a real number"),
    (dict(name="xor", seed=1.5), TypeError, r"seed must be an integer; got 1.5"),
    (dict(name="xor", seed=None), TypeError, r"seed must be an integer; got None"),
    (dict(name="xor", seed=-1), ValueError, r"seed must be an integer >= 0; got -1"),
])
def test_make_dataset_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make_dataset(**kwargs)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(test_fraction=1), ValueError, r"test_fraction must be .*\[0, 1\); got 1"),
    (dict(test_fraction=None), TypeError, r"test_fraction must be a real number"),
    (dict(seed="0"), TypeError, r"seed must be an integer; got '0'"),
])
def test_load_digits_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_digits(**kwargs)


def test_dataset_rejects_inconsistent_arrays():
    X = np.zeros((4, 2))
    y = np.zeros((4, 1))
    with pytest.raises(ValueError, match="task"):
        Dataset("d", "clustering", X, y, X, y, 2)
    with pytest.raises(ValueError, match=r"y_train must have 4 rows"):
        Dataset("d", "classification", X, y[:3], X, y, 2)
    with pytest.raises(ValueError, match=r"X_test must have 2 features"):
        Dataset("d", "classification", X, y, np.zeros((4, 3)), y, 2)
    with pytest.raises(ValueError, match=r"n_classes"):
        Dataset("d", "regression", X, y, X, y, 2)


def test_make_dataset_limits_are_stated_in_the_messages():
    with pytest.raises(ValueError, match=r"noise must be a number in \[0, 10\]; got 10.5"):
        make_dataset("xor", noise=10.5)
    with pytest.raises(ValueError, match=r"n_samples must be an integer between 4 and 1000000"):
        make_dataset("sine", n_samples=1_000_001)
    with pytest.raises(TypeError, match="noise must be a real number"):
        make_dataset("xor", noise=True)
    ds = make_dataset("sine", n_samples=4, noise=10.0, seed=1)  # the limits themselves are fine
    assert ds.n_train + ds.n_test == 4


def test_dataset_refuses_arrays_that_are_not_real_numbers():
    X, y = np.zeros((4, 2)), np.zeros((4, 1))
    for bad, name in [(X.astype(bool), "X_train"), (X.astype(complex), "X_train"),
                      ([["a", "b"]] * 4, "X_train")]:
        with pytest.raises(TypeError, match=f"{name} must be an array of real numbers"):
            Dataset("mine", "regression", bad, y, X[:0], y[:0], 0)
    with pytest.raises(TypeError, match="y_test must be an array of real numbers; got booleans"):
        Dataset("mine", "classification", X, y, X, y.astype(bool), 2)
    with pytest.raises(ValueError, match="X_train must hold only finite values"):
        Dataset("mine", "regression", np.full((4, 2), np.inf), y, X[:0], y[:0], 0)
    labels = np.array([0, 1, 1, 0])  # integer labels stay integers
    ds = Dataset("mine", "classification", X, labels, X, labels, 2)
    assert ds.y_train.dtype.kind == "i" and not ds.X_train.flags.writeable
    assert X.flags.writeable  # the caller's array is not frozen
