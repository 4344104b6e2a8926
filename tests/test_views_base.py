"""The rendering base: PNG frames equal the canvas pixels; blitting equals a full draw."""

from __future__ import annotations


import numpy as np
import pytest
from PIL import Image

from actviz_widgets.views.base import FigureView
from actviz_widgets.views.png import encode_png
from png_pixels import decode


def test_encode_png_round_trips_pixels_exactly():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    np.testing.assert_array_equal(decode(encode_png(rgba)), rgba[:, :, :3])
    np.testing.assert_array_equal(decode(encode_png(rgba[:, :, :3].copy(), level=9)),
                                  rgba[:, :, :3])


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_encode_png_gives_the_same_pixels_with_isal_or_zlib(monkeypatch, deflate):
    from actviz_widgets.views import png
    if deflate == "isal":
        isal_zlib = pytest.importorskip("isal.isal_zlib")
        assert png._fast_zlib is isal_zlib  # installed: the frames use it
    else:
        monkeypatch.setattr(png, "_fast_zlib", None)
    rng = np.random.default_rng(1)
    # a chart-like frame: flat colour with a few noisy rows (both compress differently)
    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    rgba[10:14] = rng.integers(0, 256, size=(4, 60, 4), dtype=np.uint8)
    for level in (1, 3):
        frame = encode_png(rgba, level=level)
        np.testing.assert_array_equal(decode(frame), rgba[:, :, :3])
        stream = frame[frame.index(b"IDAT") + 4:frame.index(b"IEND") - 8]
        # the same bytes as the library it names would give, so the choice is real
        library = png._fast_zlib if deflate == "isal" else __import__("zlib")
        raw = np.zeros((40, 60 * 3 + 1), dtype=np.uint8)
        raw[:, 1:] = rgba[:, :, :3].reshape(40, -1)
        assert stream == library.compress(raw.data, level)


def test_encode_png_rejects_wrong_arrays():
    with pytest.raises(ValueError, match=r"rgba must be a uint8 array of shape \(height, width, 3 or 4\)"):
        encode_png(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="got float64"):
        encode_png(np.zeros((4, 4, 3)))


def make_view():
    view = FigureView((3, 2), dpi=50)
    ax = view.figure.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (line,) = ax.plot([0, 1], [0, 1])
    view.dynamic(line)
    return view, line


def test_blitted_frame_equals_a_full_redraw():
    view, line = make_view()
    view.to_png()
    line.set_ydata([0.8, 0.2])
    blitted = decode(view.to_png())
    view.invalidate()
    full = decode(view.to_png())
    np.testing.assert_array_equal(blitted, full)
    # and the frame really changed from the first one
    line.set_ydata([0, 1])
    assert not np.array_equal(decode(view.to_png()), blitted)


def test_save_writes_dynamic_artists(tmp_path):
    view, line = make_view()
    line.set_color("red")
    view.save(tmp_path / "frame.png")
    saved = np.asarray(Image.open(tmp_path / "frame.png").convert("RGB"))
    reds = (saved[:, :, 0] > 200) & (saved[:, :, 1] < 60) & (saved[:, :, 2] < 60)
    assert reds.sum() > 20  # the (animated) line is in the file
    view.save(tmp_path / "frame.svg")
    assert "<svg" in (tmp_path / "frame.svg").read_text()
    with pytest.raises(ValueError, match=r"path must end in .png, .svg or .pdf; got '.*frame.gif'"):
        view.save(tmp_path / "frame.gif")


def test_pixel_ratio_renders_more_pixels_for_the_same_css_size():
    one, two = FigureView((3, 2), dpi=50), FigureView((3, 2), dpi=50, pixel_ratio=2)
    for view in (one, two):
        view.figure.add_subplot().plot([0, 1], [0, 1])
    assert decode(one.to_png()).shape == (100, 150, 3)
    assert decode(two.to_png()).shape == (200, 300, 3)
    assert one.css_size == two.css_size == (150, 100)
    with pytest.raises(ValueError, match="pixel_ratio must be a positive number; got 0"):
        FigureView((3, 2), pixel_ratio=0)


def test_forget_and_freeze_take_artists_out_of_the_frame_loop():
    view, line = make_view()
    other = view.dynamic(view.figure.axes[0].plot([0, 1], [1, 0])[0])
    view.freeze([line])
    assert not line.get_animated() and line not in view._dynamic
    view.forget(other)
    assert other not in view._dynamic and other.figure is None
    blitted = view.to_png()
    view.invalidate()
    assert view.to_png() == blitted  # the frozen line is now part of the background


def test_a_widget_view_at_pixel_ratio_2_keeps_its_css_size():
    from actviz_widgets.views.neuron import NeuronView
    view = NeuronView(pixel_ratio=2)
    width, height = view.canvas.get_width_height()
    assert view.css_size == (width / 2, height / 2) == (830, 620)


def test_set_pixel_ratio_renders_new_views_sharper_at_the_same_css_size():
    import actviz_widgets as av
    from actviz_widgets.views.neuron import NeuronView
    try:
        av.set_pixel_ratio(2)
        sharp = NeuronView()
    finally:
        av.set_pixel_ratio(1)
    plain = NeuronView()
    assert sharp.css_size == plain.css_size
    assert sharp.canvas.get_width_height() == tuple(2 * v for v in plain.canvas.get_width_height())
    with pytest.raises(ValueError, match="ratio"):
        av.set_pixel_ratio(0.5)
