"""The playground with the learner's own data, its hover regions, and its texts in Chinese.

Values are checked against independent computations: the split the engine's
UserData gives, finite differences of the loss for ∂L/∂w and mean δ (= ∂L/∂b),
a forward pass written out by hand for z, a and f′(z), and the pixels of the
frame for the regions' geometry.
"""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest
from PIL import Image

from actviz_widgets.engine.user_data import load_user_data
from actviz_widgets.views.network_diagram import BLANK_COLOR
from actviz_widgets.widgets.picture import check_regions
from actviz_widgets.widgets.playground import MAX_USER_SAMPLES, USER_DATASET, Playground

CJK = re.compile(r"[\u3400-\u9fff]")


def two_blobs(n: int = 60, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Raw data far from [-1, 1] (centre (10, -300)), labels -1/+1."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([-1, 1], [n // 2, n - n // 2])
    X = np.column_stack([10 + 3 * labels + rng.normal(0, 1, n),
                         -300 + 50 * labels + rng.normal(0, 20, n)])
    return X, labels


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def rows_of(region: dict) -> dict:
    return {label: value for label, value in region["rows"] if label}


# -- your own data ----------------------------------------------------------------------------

def test_arrays_are_scaled_split_and_named_in_the_menu():
    X, labels = two_blobs()
    pg = Playground(dataset=(X, labels), train_percent=70, data_seed=3)
    ref = load_user_data((X, labels)).split(0.3, seed=3)  # the engine's rule, independently
    np.testing.assert_allclose(pg.trainer.X_train, ref.X_train, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(pg.trainer.y_train, ref.y_train)
    assert pg.dataset == USER_DATASET and pg.dataset_select.value == USER_DATASET
    assert dict(pg.dataset_select.options)["your data"] == USER_DATASET
    assert pg.noise_slider.disabled  # the built-in sets' noise means nothing here
    # the scaling is shown: on the axes of the boundary and in the note
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    xlabel = pg.view.boundary.ax.get_xlabel()
    assert xlabel.startswith("x₁ scaled: (x₁ − ") and f"{half[0]:.3g}" in xlabel
    assert f"x₂ scaled: (x₂ + {abs(centre[1]):.3g}) / {half[1]:.3g}" in xlabel
    assert "-1 → 0, 1 → 1" in pg.message.value  # the label mapping is said
    # the training points are drawn where the scaled data are
    np.testing.assert_allclose(pg.view.boundary.points["train"].get_offsets(), ref.X_train)


def test_csv_path_gives_the_same_as_the_arrays(tmp_path):
    X, labels = two_blobs()
    path = tmp_path / "mine.csv"
    path.write_text("a,b,label\n" + "".join(f"{float(p)!r},{float(q)!r},{c}\n"
                                             for (p, q), c in zip(X, labels)))
    from_file, from_arrays = Playground(dataset=str(path)), Playground(dataset=(X, labels))
    np.testing.assert_array_equal(from_file.trainer.X_train, from_arrays.trainer.X_train)
    assert "(a − " in from_file.view.boundary.ax.get_xlabel()  # the header names the column


def test_the_data_survive_reset_other_networks_other_sets_and_save_load(tmp_path):
    X, labels = two_blobs()
    pg = Playground(dataset=(X, labels))
    train = pg.trainer.X_train.copy()
    pg.run_frames(3)
    pg.reset()
    np.testing.assert_array_equal(pg.trainer.X_train, train)
    pg.hidden_layers, pg.neurons = 1, 3
    np.testing.assert_array_equal(pg.trainer.X_train, train)
    assert pg.net.sizes == [2, 3, 1]
    pg.dataset = "moons"
    assert not pg.noise_slider.disabled and pg.view.boundary.ax.get_xlabel() == "x₁"
    pg.dataset_select.value = USER_DATASET  # still offered: back to the learner's data
    np.testing.assert_array_equal(pg.trainer.X_train, train)
    pg.run_frames(2)
    for ext in ("json", "npz"):
        path = tmp_path / f"state.{ext}"
        pg.save_state(path)
        fresh = Playground()
        fresh.load_state(path)
        assert fresh.dataset == USER_DATASET and fresh.user_data.classes == (-1, 1)
        np.testing.assert_array_equal(fresh.user_data.X, X)
        np.testing.assert_array_equal(fresh.trainer.X_train, train)
        np.testing.assert_array_equal(fresh.net.weights[0], pg.shown_net.weights[0])


def test_one_feature_is_regression_with_mse_and_the_curve():
    rng = np.random.default_rng(0)
    x = rng.uniform(100, 200, 50)
    t = 0.01 * (x - 150) ** 2
    pg = Playground(dataset=(x, t))
    assert pg.regression and pg.net.sizes[0] == 1 and pg.loss == "mse"
    assert [v for _, v in pg.loss_select.options] == ["mse"]
    assert pg.view.boundary is None
    assert pg.view.scaled_axes.get_xlabel().split(" · ")[1].startswith("y scaled: (y − ")
    pg.run_frames(2)
    # the curve drawn is the network's prediction on the scaled axis
    np.testing.assert_allclose(pg.view.curve_line.get_ydata(),
                               pg.net.predict(pg.field.X)[:, 0], rtol=1e-12)


def test_use_data_switches_and_bad_data_change_nothing():
    pg = Playground()
    with pytest.raises(ValueError, match="needs data first"):
        pg.dataset = USER_DATASET
    assert USER_DATASET not in [v for _, v in pg.dataset_select.options]
    X, labels = two_blobs()
    weights = pg.net.weights[0].copy()
    with pytest.raises(ValueError, match="exactly two classes"):
        pg.use_data((X, np.arange(len(X)) % 3))
    assert pg.dataset == "xor"
    np.testing.assert_array_equal(pg.net.weights[0], weights)
    pg.use_data((X, labels))
    assert pg.dataset == USER_DATASET and pg.trainer.step_count == 0
    pg.use_data((X[:, :1], X[:, 1]))  # another set of the learner's: one feature now
    assert pg.regression and pg.net.sizes[0] == 1
    with pytest.raises(ValueError, match=f"at most {MAX_USER_SAMPLES:,} are accepted"):
        Playground(dataset=(np.zeros((MAX_USER_SAMPLES + 1, 2)), np.zeros(MAX_USER_SAMPLES + 1)))
    with pytest.raises(ValueError, match="task is for your own data"):
        Playground(dataset="xor", task="regression")


# -- hover regions ----------------------------------------------------------------------------

def test_regions_give_the_engine_numbers_checked_by_hand_and_finite_differences():
    pg = Playground(hidden_layers=1, neurons=3, seed=2)
    pg.run_frames(4)
    regions = {r["id"]: r for r in check_regions(pg.frame_regions())}
    net = pg.net
    X, y = pg.trainer.X_train, pg.trainer.y_train
    n = len(X)
    z1 = X @ net.weights[0] + net.biases[0]  # the forward pass, by hand
    a1 = np.tanh(z1)
    for j in range(3):
        rows = rows_of(regions[f"neuron:1:{j}"])
        assert number(rows["z"]) == pytest.approx(z1[:, j].mean(), rel=5e-3, abs=1e-6)
        assert number(rows["a"]) == pytest.approx(a1[:, j].mean(), rel=5e-3, abs=1e-6)
        assert number(rows["f′(z)"]) == pytest.approx((1 - a1[:, j] ** 2).mean(), rel=5e-3)
        assert number(rows["b"]) == pytest.approx(net.biases[0][j], rel=5e-3, abs=1e-6)
        # mean over the samples of δ = ∂ℓ/∂z is ∂L/∂b for the mean loss L: finite differences
        h = 1e-6
        up, down = net.copy(), net.copy()
        up.biases[0][j] += h
        down.biases[0][j] -= h
        dLdb = (up.loss_value(X, y) - down.loss_value(X, y)) / (2 * h)
        assert number(rows["δ = ∂ℓ/∂z"]) == pytest.approx(dLdb, rel=5e-3, abs=1e-7)
        assert f"means over the {n} training samples" in regions[f"neuron:1:{j}"]["title"]
    for i, j in ((0, 0), (1, 2)):
        rows = rows_of(regions[f"edge:0:{i}:{j}"])
        assert number(rows["w"]) == pytest.approx(net.weights[0][i, j], rel=5e-3)
        h = 1e-6
        up, down = net.copy(), net.copy()
        up.weights[0][i, j] += h
        down.weights[0][i, j] -= h
        dLdw = (up.loss_value(X, y) - down.loss_value(X, y)) / (2 * h)
        assert number(rows["∂L/∂w"]) == pytest.approx(dLdw, rel=5e-3, abs=1e-7)


def test_regions_follow_a_viewed_history_step():
    pg = Playground(hidden_layers=1, neurons=2)
    pg.run_frames(6)
    pg.view_history(10)
    rows = rows_of({r["id"]: r for r in pg.frame_regions()}["edge:0:0:0"])
    assert number(rows["w"]) == pytest.approx(pg.shown_net.weights[0][0, 0], rel=5e-3)
    assert pg.shown_net.weights[0][0, 0] != pg.net.weights[0][0, 0]


def frame_pixels(pg: Playground) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(pg.view.to_png())).convert("RGB")).astype(int)


# matplotlib 3.11 draws an image's one-pixel frame exactly on the box the region
# reports; 3.10 (the declared floor) resamples the tile's edges a pixel or two off.
MPL_EXACT_IMAGE_EDGES = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 11)


def test_region_geometry_is_where_the_picture_draws_it():
    pg = Playground()  # [2, 4, 4, 1]
    pg.run_frames(2)
    regions = check_regions(pg.frame_regions())
    rgb = frame_pixels(pg)
    assert pg.view.css_size == (rgb.shape[1], rgb.shape[0])  # pixel ratio 1: px = CSS px
    frame = np.array([0x8A, 0x8A, 0x8A])  # the tiles' one-pixel grey frame
    tiles = [r for r in regions if r["shape"] == "rect"]
    assert len(tiles) == 8
    for r in tiles:
        assert r["zoom"] == {k: r[k] for k in ("x0", "y0", "x1", "y1")}
        x0, y0, x1, y1 = (round(r[k]) for k in ("x0", "y0", "x1", "y1"))
        mid_y, mid_x = (y0 + y1) // 2, (x0 + x1) // 2
        if MPL_EXACT_IMAGE_EDGES:
            # the box's first and last columns and rows are the tile's one-pixel frame,
            # and two pixels outside it is not
            for x, y in ((x0, mid_y), (x1 - 1, mid_y), (mid_x, y0), (mid_x, y1 - 1)):
                np.testing.assert_array_equal(rgb[y, x], frame,
                                              err_msg=f"{r['id']} at {x},{y}")
            assert not np.array_equal(rgb[mid_y, x0 - 2], frame)
        else:  # matplotlib 3.10 places an image's edges a pixel or two differently
            inside = rgb[y0 + 2:y1 - 2, x0 + 2:x1 - 2]
            assert (inside < 250).any(), r["id"]  # the tile is drawn in the box
    out = next(r for r in regions if r["id"] == "neuron:3:0")
    assert out["shape"] == "circle"
    cx, cy, rad = round(out["x"]), round(out["y"]), out["r"]
    np.testing.assert_array_equal(rgb[cy, cx], np.round(np.array(BLANK_COLOR[:3]) * 255))
    rim = rgb[round(cy - rad) - 1:round(cy - rad) + 2, cx - 1:cx + 2]
    assert rim.sum(axis=2).min() < 3 * 150  # the circle's dark outline
    # the strongest edge passes through its segment's middle
    edges = [r for r in regions if r["shape"] == "segment"]
    strongest = max(edges, key=lambda r: abs(number(rows_of(r)["w"])))
    mx = round((strongest["x0"] + strongest["x1"]) / 2)
    my = round((strongest["y0"] + strongest["y1"]) / 2)
    assert rgb[my - 1:my + 2, mx - 1:mx + 2].sum(axis=2).min() < 3 * 200


# -- Chinese ----------------------------------------------------------------------------------

def test_built_in_chinese_its_labels_messages_and_picture_texts_are_chinese():
    X, labels = two_blobs()
    pg = Playground(dataset=(X, labels), language="zh")
    pg.run_frames(2)
    assert pg.language == "zh"
    for control in (pg.dataset_select, pg.lr_slider, pg.layers_slider, pg.gradient_toggle):
        assert CJK.search(control.description), control.description
    assert dict(pg.dataset_select.options)["你的数据"] == USER_DATASET
    assert CJK.search(pg.history_slider.description) and CJK.search(pg.step_button.description)
    assert pg.state.title.startswith("第 ") and "你的数据" in pg.state.subtitle
    assert "缩放" in pg.view.boundary.ax.get_xlabel()
    pg.reset()
    assert CJK.search(pg.message.value)
    assert CJK.search(pg.view.loss_chart.ax.get_legend().get_texts()[0].get_text())
    regions = pg.frame_regions()
    assert all(CJK.search(r["title"]) for r in regions)
    english = Playground(language="en")
    assert english.dataset_select.description == "dataset"
    assert english.state.title.startswith("Epoch")


def test_branch_starts_from_the_playground_s_weights_with_one_change():
    pg = Playground(dataset="circles", hidden_layers=1, neurons=3)
    pg.run_frames(4)
    comparison = pg.branch(lr=0.03)
    run_a, run_b = comparison.trainer.run_a, comparison.trainer.run_b
    np.testing.assert_array_equal(run_a.net.weights[0], pg.net.weights[0])
    np.testing.assert_array_equal(run_b.net.weights[0], pg.net.weights[0])
    assert run_b.lr == 0.03 and run_a.lr == pg.lr
    comparison.close()
    # the Branch control: a menu of single changes from the current settings
    changes = [value for _, value in pg.branch_select.options]
    assert ("lr", 0.03) in changes and ("optimizer", "adam") in changes
    assert ("optimizer", pg.optimizer) not in changes  # no "change" to the same value
    pg.branch_select.value = ("batch_size", "all")
    pg.branch_button.click()
    assert pg.error is None and pg.comparison.trainer.run_b.batch_size is None
    assert pg.comparison.trainer.run_a.batch_size == pg.batch_size
    pg.lr = 0.1  # the menu follows the settings
    assert ("lr", 0.01) in [value for _, value in pg.branch_select.options]
    pg.close()
    assert pg.comparison is None


def test_the_scaling_labels_are_readable():
    from actviz_widgets.views.readability import readability_problems
    X, labels = two_blobs()
    pg = Playground(dataset=(X * 1000.0, labels), show_gradients=True)
    pg.run_frames(2)
    assert readability_problems(pg.view) == []


def test_regions_are_recomputed_exactly_when_their_numbers_can_change():
    pg = Playground(hidden_layers=1, neurons=2)
    pg.run_frames(2)
    first = pg.frame_regions()
    pg.lr = 0.05  # a live setting: same network, same data, same picture layout
    assert pg.frame_regions() == first
    pg.run_frames(1)  # trained: other weights, other numbers
    assert pg.frame_regions() != first
    again = pg.frame_regions()
    pg.data_seed = 1  # other data, the same initial weights: other means and gradients
    pg.reset()
    changed = {r["id"] for r in pg.frame_regions() if r not in again}
    assert "neuron:1:0" in changed and "edge:0:0:0" in changed
