"""A playground's frame depends only on what it shows, not on the way there.

The view keeps what a restart would only rebuild the same (the colour bar of
the tiles when its map does not change, cached backgrounds): after any path
of restarts, the frame is pixel for pixel the frame of a playground built
directly with the same settings.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz_widgets.widgets.playground import Playground


def pixels(pg: Playground) -> np.ndarray:
    pg.view.to_png()
    return np.asarray(pg.view.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("path, final", [
    ([{"hidden_layers": 3}, {"activation": "relu"}, {"hidden_layers": 2},
      {"activation": "tanh"}], {}),
    ([{"activation": "relu"}, {"neurons": 6}, {"show_gradients": True},
      {"activation": "sigmoid"}, {"neurons": 3}], {"activation": "sigmoid", "neurons": 3,
                                                   "show_gradients": True}),
    ([{"dataset": "sine"}, {"hidden_layers": 1}, {"dataset": "moons"}],
     {"dataset": "moons", "hidden_layers": 1}),
], ids=["back-to-the-start", "maps-and-sizes", "sine-and-back"])
def test_frames_after_restarts_equal_a_fresh_playground(path, final):
    pg = Playground()
    for change in path:
        pg.apply(**change)
        pg.run_frames(2)
        pg.reset()  # back to step 0: the same weights as a fresh playground
    fresh = Playground(**final)
    np.testing.assert_array_equal(pixels(pg), pixels(fresh))


def test_a_live_setting_changes_only_the_line_that_names_it():
    pg = Playground()
    pg.run_frames(3)
    before = pixels(pg)
    pg.lr = 0.1
    after = pixels(pg)
    rows = np.flatnonzero((before != after).any(axis=(1, 2)))
    # the subtitle's first line (which names lr) is the only part that changes
    assert rows.size and rows.max() - rows.min() < 20 and rows.min() < 60


# -- the field image: imshow's pixels from a map made once per layout -------------------------

from matplotlib.image import AxesImage

from actviz_widgets.views.base import FigureView
from actviz_widgets.views.heatmap import HeatmapPanel, _FieldImage


class _Board(FigureView):
    def __init__(self, figsize=(4.0, 3.0), pixel_ratio=1.0):
        super().__init__(figsize, pixel_ratio=pixel_ratio)
        self.ax = self.figure.add_axes([0.1, 0.12, 0.7, 0.8])


@pytest.mark.parametrize("shape, extent, figsize, ratio", [
    ((40, 40), (-1.4, 1.4, -1.4, 1.4), (8.3, 6.4), 1.0),
    ((7, 13), (0.0, 3.0, -1.0, 2.0), (4.0, 3.0), 1.0),
    ((40, 40), (-1.4, 1.4, -1.4, 1.4), (4.4, 3.2), 2.0),
    ((3, 2), (-5.0, 5.0, 10.0, 11.0), (3.1, 2.7), 1.0),
], ids=["playground", "odd-shape", "hidpi", "tiny"])
def test_field_image_draws_the_pixels_matplotlib_draws(shape, extent, figsize, ratio,
                                                         monkeypatch):
    rng = np.random.default_rng(0)
    board = _Board(figsize, ratio)
    panel = HeatmapPanel(board, board.ax, extent=extent, shape=shape, vmin=0.0, vmax=1.0,
                         pale=0.45, levels=32)
    assert isinstance(panel.image, _FieldImage)
    for _ in range(3):  # new values on the same layout reuse the map
        values = rng.uniform(-0.2, 1.2, shape)
        values[0, -1] = np.nan  # drawn grey
        panel.update(values)
        board.invalidate()
        board.draw()
        fast = np.asarray(board.canvas.buffer_rgba()).copy()
        with monkeypatch.context() as m:  # the same frame, resampled by matplotlib
            m.setattr(_FieldImage, "make_image", AxesImage.make_image)
            board.invalidate()
            board.draw()
        plain = np.asarray(board.canvas.buffer_rgba()).copy()
        assert (plain[..., :3] != 255).any(axis=2).mean() > 0.03  # (the field is there)
        np.testing.assert_array_equal(fast, plain)


def test_field_image_in_svg_takes_the_ordinary_path(tmp_path):
    board = _Board()
    panel = HeatmapPanel(board, board.ax, extent=(0, 1, 0, 1), shape=(4, 4))
    panel.update(np.arange(16.0).reshape(4, 4) / 15)
    board.save(tmp_path / "field.svg")
    assert "<image" in (tmp_path / "field.svg").read_text()
