"""The learner's own data (engine/user_data.py): checks, label mapping, scaling, CSV, split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz_widgets.engine.user_data import (
    MIN_PER_CLASS,
    MIN_SAMPLES,
    UserData,
    load_user_data,
    read_csv,
)


def blobs(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(3.0, 2.0, n), rng.normal(-50.0, 10.0, n)])
    y = (X[:, 0] > 3.0).astype(float)
    y[:2] = [0.0, 1.0]  # both classes whatever the draw
    return X, y


def write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- scaling and labels ----------------------------------------------------------------------

def test_classification_inputs_are_scaled_column_by_column_to_exactly_minus_one_one():
    X, y = blobs()
    u = load_user_data((X, y))
    assert u.task == "classification" and u.classes == (0, 1) and not u.label_mapped
    lo, hi = X.min(axis=0), X.max(axis=0)
    expected = (X - (lo + hi) / 2) / ((hi - lo) / 2)  # by hand
    np.testing.assert_allclose(u.X_scaled, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(u.X_scaled.min(axis=0), [-1, -1], atol=1e-15)
    np.testing.assert_allclose(u.X_scaled.max(axis=0), [1, 1], atol=1e-15)
    np.testing.assert_array_equal(u.y_scaled[:, 0], y)  # labels 0/1 are not scaled
    assert u.X.flags.writeable is False and u.y.flags.writeable is False


def test_scaling_is_written_for_the_learner():
    X = np.column_stack([np.linspace(1.5, 4.9, 20), np.linspace(-2.0, 2.0, 20)])
    y = np.tile([0, 1], 10)
    u = load_user_data((X, y))
    # centre 3.2, half-width 1.7; the second column is already centred with half-width 2
    assert u.scaling_text("x₁") == "(x₁ − 3.2) / 1.7"
    assert u.scaling_text("x₂") == "x₂ / 2"
    named = load_user_data((X - 10, y), names=["petal length", "w", "class"])
    assert named.scaling_text("x₁") == "(petal length + 6.8) / 1.7"
    with pytest.raises(ValueError, match="symbol must be one of"):
        u.scaling_text("y")


def test_minus_one_plus_one_labels_are_mapped_explicitly():
    X, y01 = blobs()
    u = load_user_data((X, 2 * y01 - 1))
    assert u.classes == (-1, 1) and u.label_mapped
    np.testing.assert_array_equal(u.y[:, 0], y01)  # -1 → 0, +1 → 1


def test_any_two_values_map_in_sorted_order_and_booleans_are_0_1():
    X, y01 = blobs()
    texts = np.where(y01 == 1, "dog", "cat")
    u = load_user_data((X, list(texts)))
    assert u.classes == ("cat", "dog")
    np.testing.assert_array_equal(u.y[:, 0], y01)
    u = load_user_data((X, y01 + 1))  # 1 and 2
    assert u.classes == (1, 2)
    np.testing.assert_array_equal(u.y[:, 0], y01)
    u = load_user_data((X, y01.astype(bool)))
    assert u.classes == (0, 1)
    np.testing.assert_array_equal(u.y[:, 0], y01)


def test_one_feature_is_regression_and_its_target_is_scaled_too():
    x = np.linspace(0.0, 10.0, 30)
    t = 100.0 + 20.0 * np.sin(x)
    u = load_user_data((x, t))
    assert u.task == "regression" and u.n_features == 1 and u.classes == ()
    lo, hi = t.min(), t.max()
    np.testing.assert_allclose(u.y_scaled[:, 0], (t - (lo + hi) / 2) / ((hi - lo) / 2),
                               atol=1e-15)
    np.testing.assert_allclose(u.X_scaled[:, 0], (x - 5.0) / 5.0, atol=1e-15)
    assert [s for s, _, _ in u.scaling()] == ["x", "y"]
    assert load_user_data((x[:, None], t), task="regression").task == "regression"


def test_split_follows_the_built_in_rule_and_is_stratified_and_seeded():
    X, y = blobs(41)
    u = load_user_data((X, y))
    d = u.split(0.3, seed=4)
    n_test = min(math.floor(0.3 * 41 + 0.5), 40)
    assert d.n_test == n_test and d.n_train == 41 - n_test and d.name == "user"
    # every row once, scaled
    both = np.concatenate([d.X_train, d.X_test])
    order = np.lexsort(both.T)
    np.testing.assert_allclose(both[order], u.X_scaled[np.lexsort(u.X_scaled.T)])
    # stratified: each class's test share is its share of the whole, rounded
    ones = int(y.sum())
    assert abs(int(d.y_test.sum()) - ones * n_test / 41) < 1
    again = u.split(0.3, seed=4)
    np.testing.assert_array_equal(again.X_train, d.X_train)
    assert not np.array_equal(u.split(0.3, seed=5).X_train, d.X_train)


def test_json_round_trip_is_exact():
    X, y = blobs()
    u = load_user_data((X, np.where(y == 1, "b", "a")), names=["p", "q", "kind"])
    back = UserData.from_json(u.to_json())
    np.testing.assert_array_equal(back.X, u.X)
    np.testing.assert_array_equal(back.y, u.y)
    assert back.classes == u.classes and back.names == u.names
    np.testing.assert_array_equal(back.center, u.center)


# -- refused data ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, words", [
    (lambda X, y: (X[:MIN_SAMPLES - 1], y[:MIN_SAMPLES - 1]), ValueError,
     f"has {MIN_SAMPLES - 1} samples; at least {MIN_SAMPLES}"),
    (lambda X, y: (np.column_stack([X, X[:, 0]]), y), ValueError, "must have 2 columns"),
    (lambda X, y: (X, y[:-1]), ValueError, "one label or target per row of X"),
    (lambda X, y: (X, np.arange(len(y)) % 3), ValueError, "exactly two classes"),
    (lambda X, y: (X, np.zeros(len(y))), ValueError, "got 1 distinct value"),
    (lambda X, y: (np.column_stack([X[:, 0], np.full(len(y), 7.0)]), y), ValueError,
     "x₂ .column 2. is constant .every value is 7."),
    (lambda X, y: ("abc",), TypeError, "pair .X, y. of arrays"),
    (lambda X, y: (X, "labels"), TypeError, "y must be an array"),
    (lambda X, y: (X.astype(str), y), TypeError, "X must be an array of real numbers"),
    (lambda X, y: (X, np.r_[y[:-1], np.nan]), ValueError, "y must hold only finite"),
])
def test_bad_arrays_are_refused_by_name(make, error, words):
    X, y = blobs()
    with pytest.raises(error, match=words):
        load_user_data(make(X, y))


def test_nan_and_infinity_name_their_rows():
    X, y = blobs()
    X[7, 1] = np.nan
    X[12, 0] = np.inf
    with pytest.raises(ValueError, match=r"2 row\(s\) hold NaN or infinity \(rows 7, 12"):
        load_user_data((X, y))


def test_too_many_samples_and_too_few_of_a_class():
    X, y = blobs(60)
    with pytest.raises(ValueError, match="has 60 samples; at most 50 are accepted"):
        load_user_data((X, y), max_samples=50)
    y = np.zeros(60)
    y[0] = 1
    with pytest.raises(ValueError, match=f"1 sample.s. of class 1; at least {MIN_PER_CLASS}"):
        load_user_data((X, y))


def test_task_must_fit_the_features():
    X, y = blobs()
    with pytest.raises(ValueError, match="task 'regression' does not fit data with 2 feature"):
        load_user_data((X, y), task="regression")
    with pytest.raises(ValueError, match="unknown task"):
        load_user_data((X, y), task="clustering")
    with pytest.raises(ValueError, match="must hold numbers .regression targets."):
        load_user_data((X[:, 0], ["a", "b"] * 20))


# -- CSV ------------------------------------------------------------------------------------

def test_csv_with_header_comments_and_text_labels(tmp_path):
    X, y = blobs(20)
    lines = ["# my measurements", "length,width,species", ""]
    lines += [f"{float(a)!r},{float(b)!r},{'dog' if c else 'cat'}" for (a, b), c in zip(X, y)]
    path = write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    u = load_user_data(path)
    assert u.names == ("length", "width", "species") and u.classes == ("cat", "dog")
    np.testing.assert_array_equal(u.X, X)  # repr() round-trips floats exactly
    np.testing.assert_array_equal(u.y[:, 0], y)
    assert u.source == path


def test_csv_without_header_and_regression(tmp_path):
    x = np.linspace(-3, 3, 15)
    path = write(tmp_path / "r.csv", "".join(f"{float(a)!r},{float(a) ** 2!r}\n" for a in x))
    u = load_user_data(path)
    assert u.task == "regression" and u.names == ("x", "y")
    np.testing.assert_array_equal(u.y[:, 0], [float(a) ** 2 for a in x])


@pytest.mark.parametrize("text, words", [
    ("a,b,c\n" + "1,2,0\n" * 5 + "1,x2,1\n" + "3,4,1\n" * 5,
     r"line 7, column 2: 'x2' is not a number"),
    ("1,2,0\n" * 6 + "1,2\n" + "3,4,1\n" * 5, r"line 7: expected 3 columns like the first line; got 2"),
    ("1,2,0\n" * 6 + "\n# note\n" + "1,inf,1\n" + "3,4,1\n" * 5,
     r"line 9, column 2: 'inf' is not a finite number"),
    ("1,2,3,4\n" * 12, r"line 1: expected 3 columns \(x1, x2, label\) or 2 \(x, y\); got 4"),
    ("# nothing\n\n", "holds no data"),
    ("1,2,0\n" * 4 + "3,4,1\n" * 4, "has 8 samples; at least 10"),
    ("1,2,0\n" * 6 + "3,4,\n" + "3,4,1\n" * 5, r"line 7, column 3: the label is empty"),
])
def test_bad_csv_files_name_the_line(tmp_path, text, words):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=words) as info:
        load_user_data(path)
    assert "bad.csv" in str(info.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(ValueError, match="cannot read the CSV file .*nowhere.csv"):
        read_csv(tmp_path / "nowhere.csv")
    path = tmp_path / "b.csv"
    path.write_bytes(b"1,2,0\n\xff\xfe,1,1\n")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        read_csv(path)
