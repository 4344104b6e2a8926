"""HeatmapPanel, level_segments and LineChartPanel: what is drawn equals what was given."""

from __future__ import annotations


import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_rgba

from actviz_widgets.views.base import FigureView
from actviz_widgets.views.heatmap import CLASS_COLORS, HeatmapPanel, level_segments
from actviz_widgets.views.linechart import LineChartPanel
from png_pixels import decode


# -- level_segments -------------------------------------------------------------------------
def test_level_segments_of_a_linear_field_lie_on_its_line_and_cover_it():
    x = np.linspace(-1, 1, 11)
    y = np.linspace(-1, 1, 9)
    field = x[None, :] + 2 * y[:, None]          # values[i, j] at (x_j, y_i)
    segs = level_segments(field, (-1, 1, -1, 1), 0.3)
    pts = segs.reshape(-1, 2)
    # linear interpolation is exact for a linear field
    np.testing.assert_allclose(pts[:, 0] + 2 * pts[:, 1], 0.3, atol=1e-12)
    # the segments tile the chord of x + 2y = 0.3 inside the square: y from -0.35 to 0.65
    length = np.linalg.norm(segs[:, 1] - segs[:, 0], axis=1).sum()
    np.testing.assert_allclose(length, np.hypot(2.0, 1.0), rtol=1e-12)


def test_level_segments_of_a_saddle_split_by_the_centre_value():
    field = np.array([[1.0, -1.0], [-1.0, 1.0]])  # mean 0 counts as "below"
    segs = level_segments(field, (0, 1, 0, 1), 0.0)
    # below-corners (bottom-right, top-left) joined: cut off bottom-left and top-right
    expected = {frozenset({(0.5, 0.0), (0.0, 0.5)}), frozenset({(0.5, 1.0), (1.0, 0.5)})}
    got = {frozenset(map(tuple, s)) for s in np.round(segs, 12).tolist()}
    assert got == expected
    segs = level_segments(-field + 0.1, (0, 1, 0, 1), 0.0)  # centre 0.1 >= 0: TL and BR join
    pts = {tuple(p) for p in np.round(segs.reshape(-1, 2), 12)}
    assert len(segs) == 2 and pts == {(0.45, 0.0), (1.0, 0.55), (0.55, 1.0), (0.0, 0.45)}


def test_level_segments_empty_without_crossing_and_skip_nan():
    assert level_segments(np.ones((5, 5)), (0, 1, 0, 1), 0.5).shape == (0, 2, 2)
    field = np.array([[0.0, 1.0], [0.0, np.nan]])
    segs = level_segments(field, (0, 1, 0, 1), 0.5)
    assert len(segs) == 0  # the one finite crossing has no partner in a cell with NaN


# -- HeatmapPanel ---------------------------------------------------------------------------
def field_view():
    view = FigureView((4, 3), dpi=60)
    ax = view.figure.add_subplot()
    panel = HeatmapPanel(view, ax, extent=(-1, 1, -2, 2), shape=(5, 4), vmin=0, vmax=1,
                         colorbar=True, title="out")
    return view, panel


def test_heatmap_field_draws_the_given_array_and_level_line():
    view, panel = field_view()
    values = np.arange(20.0).reshape(5, 4) / 19
    panel.update(values)
    panel.set_level(0.5)
    np.testing.assert_array_equal(panel.image.get_array(), values)
    # cells are centred on the samples: half a cell beyond the first and last
    np.testing.assert_allclose(panel.image.get_extent(), (-1 - 1 / 3, 1 + 1 / 3, -2.5, 2.5))
    segs = panel.segments
    np.testing.assert_allclose(segs, level_segments(values, (-1, 1, -2, 2), 0.5))
    # drawn as one line: each segment's ends, then a NaN break
    x = panel.level_line.get_xdata()
    np.testing.assert_array_equal(x[0::3], segs[:, 0, 0])
    np.testing.assert_array_equal(x[1::3], segs[:, 1, 0])
    assert np.isnan(x[2::3]).all() and panel.level_line.get_visible()
    # values = (4i + j)/19 with i = y + 2, j = 1.5(x + 1) is linear: the line is exact
    x, y = segs[..., 0], segs[..., 1]
    assert len(segs) == 4
    np.testing.assert_allclose(4 * (y + 2) + 1.5 * (x + 1), 9.5, atol=1e-12)
    panel.set_level(None)
    assert not panel.level_line.get_visible() and panel.level is None
    with pytest.raises(ValueError, match=r"values must be 2-D"):
        panel.update(np.zeros(4))


def test_heatmap_points_take_their_class_colours():
    view, panel = field_view()
    X = np.array([[0.1, 0.2], [-0.5, 1.0], [0.3, -1.5]])
    panel.set_points(X, [1, 0, 1])
    panel.set_points(X[:1], [0], marker="^", edgecolor="black")
    np.testing.assert_array_equal(panel.points["o"].get_offsets(), X)
    np.testing.assert_allclose(panel.points["o"].get_facecolors(),
                               [CLASS_COLORS[1], CLASS_COLORS[0], CLASS_COLORS[1]])
    np.testing.assert_allclose(panel.points["^"].get_facecolors(), [CLASS_COLORS[0]])
    # the same set is updated in place
    scatter = panel.points["o"]
    panel.set_points(X[:2], [0, 0])
    assert panel.points["o"] is scatter and len(scatter.get_offsets()) == 2
    with pytest.raises(ValueError, match="labels must hold one class per point"):
        panel.set_points(X, [0, 1])
    with pytest.raises(ValueError, match="class indices"):
        panel.set_points(X, [0, 0.5, 1])


def test_heatmap_frame_blits_and_limits_invalidate():
    view, panel = field_view()
    panel.update(np.zeros((5, 4)))
    view.to_png()
    assert view._background is not None
    panel.update(np.full((5, 4), 0.8))
    blitted = decode(view.to_png())
    assert view._background is not None  # a data change keeps the background
    view.invalidate()
    np.testing.assert_array_equal(blitted, decode(view.to_png()))
    panel.set_limits(-2, 2)
    assert view._background is None and (panel.norm.vmin, panel.norm.vmax) == (-2, 2)
    with pytest.raises(ValueError, match="vmin must be less than vmax"):
        panel.set_limits(1, 1)


def test_heatmap_matrix_cells_ticks_and_annotations():
    view = FigureView((3, 3), dpi=60)
    panel = HeatmapPanel(view, view.figure.add_subplot(), shape=(2, 3), cmap="Blues", vmin=0,
                         vmax=10, annotate=True, xticklabels=["a", "b", "c"],
                         yticklabels=["r", "s"])
    m = np.array([[0.0, 5.0, 10.0], [1.0, 2.0, 9.5]])
    panel.update(m)
    np.testing.assert_array_equal(panel.image.get_array(), m)
    assert panel.image.get_extent() == [-0.5, 2.5, 1.5, -0.5]  # row 0 at the top
    assert [t.get_text() for t in panel.ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in panel.cell_texts] == ["0", "5", "10", "1", "2", "9.5"]
    assert panel.cell_texts[4].get_position() == (1.0, 1.0)
    # dark cells get white numbers, light ones black
    assert to_rgba(panel.cell_texts[2].get_facecolor()) == to_rgba("white")
    assert to_rgba(panel.cell_texts[0].get_facecolor()) == to_rgba("black")
    with pytest.raises(ValueError, match="xticklabels must have 3 labels"):
        panel.set_ticklabels(["a"], None)
    panel.update(np.ones((4, 4)))  # a new shape re-lays the matrix
    assert panel.image.get_extent() == [-0.5, 3.5, 3.5, -0.5]
    assert sum(t.get_visible() for t in panel.cell_texts) == 16


def test_heatmap_pale_uses_the_middle_of_the_colormap():
    view = FigureView((3, 3), dpi=60)
    panel = HeatmapPanel(view, view.figure.add_subplot(), extent=(0, 1, 0, 1), pale=0.5)
    cmap = panel.image.get_cmap()
    np.testing.assert_allclose(cmap(0.0), colormaps["RdBu_r"](0.25), atol=0.01)
    np.testing.assert_allclose(cmap(1.0), colormaps["RdBu_r"](0.75), atol=0.01)
    with pytest.raises(ValueError, match="pale must be"):
        HeatmapPanel(view, view.figure.add_subplot(), pale=1.0)


# -- LineChartPanel -------------------------------------------------------------------------
def chart(**kwargs):
    view = FigureView((4, 3), dpi=60)
    return view, LineChartPanel(view, view.figure.add_subplot(), ["train", "test"], **kwargs)


def test_linechart_draws_series_and_hides_missing_ones():
    view, panel = chart()
    x = np.arange(1, 6)
    panel.update(x, {"train": x * 0.1, "test": None})
    np.testing.assert_array_equal(panel.lines["train"].get_ydata(), x * 0.1)
    np.testing.assert_array_equal(panel.lines["train"].get_xdata(), x)
    assert not panel.lines["test"].get_visible()
    assert [t.get_text() for t in panel.legend.get_texts()] == ["train", "test"]
    with pytest.raises(ValueError, match=r"unknown series \['val'\]"):
        panel.update(x, {"val": x})
    with pytest.raises(ValueError, match="must have 5 values like x"):
        panel.update(x, {"train": x[:3]})


def test_linechart_legend_labels_are_separate_from_the_series_keys():
    view = FigureView((4, 3), dpi=60)
    panel = LineChartPanel(view, view.figure.add_subplot(), ["train", "test"],
                           labels=["训练集", "测试集"])
    x = np.arange(3.0)
    panel.update(x, {"train": x, "test": 2 * x})  # the data are keyed by the series
    assert [t.get_text() for t in panel.legend.get_texts()] == ["训练集", "测试集"]
    np.testing.assert_array_equal(panel.lines["test"].get_ydata(), 2 * x)
    with pytest.raises(ValueError, match=r"labels must have one entry per series \(2\)"):
        LineChartPanel(view, view.figure.add_subplot(), ["train", "test"], labels=["a"])
    with pytest.raises(ValueError, match="labels must have one entry per series"):
        LineChartPanel(view, view.figure.add_subplot(), ["train", "test"], labels="ab")


def test_linechart_x_limit_doubles_and_comes_back():
    view, panel = chart(x0=10)
    view.to_png()
    panel.update(np.arange(8.0), {"train": np.ones(8)})
    assert panel.xlim == (0.0, 10.0) and view._background is not None  # blitted
    panel.update(np.arange(26.0), {"train": np.ones(26)})
    assert panel.xlim == (0.0, 40.0) and view._background is None
    assert panel.ax.get_xlim() == (0.0, 40.0)
    panel.update(np.arange(3.0), {"train": np.ones(3)}, xmax=26)  # keep the run's axis
    assert panel.xlim == (0.0, 40.0)
    panel.update(np.arange(3.0), {"train": np.ones(3)})  # a reset shrinks it again
    assert panel.xlim == (0.0, 10.0)


def test_linechart_y_limits_with_hysteresis():
    view, panel = chart(logy=True)
    assert panel.ylim == (0.1, 1.0)
    panel.update(np.arange(3.0), {"train": np.array([0.7, 0.3, 0.05])})
    assert panel.ylim == (0.01, 1.0)  # 10^floor(log10 0.05), nice(0.7·1.2 = 0.84)
    panel.update(np.arange(3.0), {"train": np.array([0.7, 0.3, 0.02])})
    assert panel.ylim == (0.01, 1.0)  # inside, and not a decade too wide: unchanged
    panel.update(np.arange(3.0), {"train": np.array([5.0, 0.3, 0.05])})
    assert panel.ylim == (0.01, 10.0)  # 10^floor(log10 0.05), nice(5·1.2 = 6)
    panel.update(np.arange(3.0), {"train": np.array([5.0, 0.3, 0.0002])})
    assert panel.ylim == (0.0001, 10.0)
    panel.update(np.arange(2.0), {"train": np.array([0.6, 0.5])})  # 5 decades for 1: shrink
    assert panel.ylim == (0.1, 1.0)
    panel.update(np.arange(2.0), {"train": np.array([0.0, 0.5])})  # 0 is not drawn on log
    assert np.isnan(panel.lines["train"].get_ydata()[0])
    panel.update(np.arange(2.0), {"train": np.array([1e300, 1e-300])})  # capped, drawable
    assert panel.ylim == (1e-12, 2e12)  # nice(1e12 · 1.2)
    view.to_png()
    view, lin = chart()
    lin.update(np.arange(2.0), {"train": np.array([0.2, 3.0])})
    assert lin.ylim == (0.0, 5.0)  # nice(3·1.15)
    lin.update(np.arange(2.0), {"train": np.array([0.2, 0.5])})  # uses < 1/5 of it: shrink
    assert lin.ylim == (0.0, 1.0)
    lin.update(np.arange(2.0), {"train": np.array([0.2, 0.5])},
               scale_ys={"train": np.array([0.2, 3.0])})  # the limits of the whole run
    assert lin.ylim == (0.0, 5.0)
    view, fixed = chart(ylim=(0, 1))
    fixed.update(np.arange(2.0), {"train": np.array([0.2, 3.0])})
    assert fixed.ylim == (0, 1)


def test_linechart_marker():
    view, panel = chart()
    panel.set_marker(7)
    assert panel.marker.get_visible() and list(panel.marker.get_xdata()) == [7.0, 7.0]
    panel.set_marker(None)
    assert not panel.marker.get_visible() and panel.marker_x is None


# -- HeatmapTiles ---------------------------------------------------------------------------
def test_tiles_place_colour_mapped_pixels_at_the_centres():
    view = FigureView((3, 2), dpi=50)  # 150 × 100 px
    ax = view.figure.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 2)
    from actviz_widgets.views.heatmap import HeatmapTiles
    tiles = HeatmapTiles(view, ax, cmap="gray")
    tiles.set_layout([[1.0, 1.0], [2.0, 1.0]], size=14.4, shape=(2, 2))  # 10 px tiles
    values = np.array([[[0.0, 1.0], [1.0, 0.0]], [[np.nan, 0.5], [0.5, 0.5]]])
    tiles.update(values, vmin=0.0, vmax=np.array([1.0, 2.0]))
    assert tiles.size_px == 10
    rgb = decode(view.to_png())
    # tile 1 centred at x = 50 px, y = 50 px: rows 45..54, cols 45..54 (frame on the rim)
    block = rgb[45:55, 45:55, 0]
    assert np.all(block[[0, -1], :] == 138) and np.all(block[:, [0, -1]] == 138)  # #8a8a8a
    # array row 0 is at the bottom: bottom-left cell 0 → black, top-left cell 1 → white
    assert block[7, 2] == 0 and block[2, 2] == 255 and block[2, 7] == 0
    other = rgb[45:55, 95:105, 0]
    assert other[7, 2] == 221  # NaN → #dddddd
    assert other[2, 2] == round(0.25 * 255) or abs(int(other[2, 2]) - 64) <= 1  # 0.5 of [0, 2]
    np.testing.assert_array_equal(tiles.values, values)
    with pytest.raises(ValueError, match=r"values must have shape \(2, 2, 2\)"):
        tiles.update(np.zeros((3, 2, 2)))

def test_tiles_in_svg_through_the_fallback_image(tmp_path):
    from actviz_widgets.views.heatmap import HeatmapTiles
    view = FigureView((3, 2), dpi=50)
    ax = view.figure.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 2)
    tiles = HeatmapTiles(view, ax)
    view.save(tmp_path / "empty.svg")
    assert "<image" not in (tmp_path / "empty.svg").read_text()  # nothing laid out yet
    tiles.set_layout([[1.0, 1.0]], size=14.4, shape=(2, 2))
    tiles.update(np.ones((1, 2, 2)))
    view.save(tmp_path / "tiles.svg")  # another renderer: drawn as an ordinary image
    assert (tmp_path / "tiles.svg").read_text().count("<image") == 1
