"""The picture's kernel side: traits, one message per frame, the fallback, regions, hooks.

Messages from the page are simulated with ``_handle_custom_msg`` (what
ipywidgets calls for a custom message from a view); what the kernel sends is
caught at the comm.
"""

from __future__ import annotations

import base64
import gc
import math
import struct
import weakref

import ipywidgets
import pytest
from picture_demo import Demo

from actviz_widgets.widgets import picture as picture_module
from actviz_widgets.widgets.picture import (PICTURE_ENV, PagePicture, RegionError,
                                            check_regions, front_end_available, make_picture)


class Sent:
    """Records the comm messages a widget sends (state updates with their buffers)."""

    def __init__(self, widget):
        self.messages = []
        comm = widget.comm

        def send(data=None, metadata=None, buffers=None):
            self.messages.append((data, buffers or []))
        comm.send = send

    def updates(self):
        """(state, buffer paths, buffers) of each state update."""
        return [(d["state"], d.get("buffer_paths", []), b) for d, b in self.messages
                if d and d.get("method") == "update"]


def page_says(widget, content):
    widget.image._handle_custom_msg(content, [])


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


# -- choosing the picture -------------------------------------------------------------------
def test_the_front_end_is_the_default_and_the_variable_forces_the_fallback(monkeypatch):
    monkeypatch.delenv(PICTURE_ENV, raising=False)
    assert front_end_available()
    assert isinstance(Demo().image, PagePicture)
    monkeypatch.setenv(PICTURE_ENV, "image")
    fallback = Demo()
    assert type(fallback.image) is ipywidgets.Image
    assert fallback._counters is not None and fallback._counters.sent in fallback.children
    monkeypatch.setenv(PICTURE_ENV, "svg")
    with pytest.raises(ValueError, match="ACTVIZ_PICTURE must be 'page' or 'image'.*'svg'"):
        Demo()


def test_without_anywidget_the_core_image_is_shown(monkeypatch):
    monkeypatch.delenv(PICTURE_ENV, raising=False)
    monkeypatch.setattr(picture_module, "_anywidget", None)
    assert not front_end_available()
    assert type(make_picture(300)) is ipywidgets.Image


def test_without_its_module_the_core_image_is_shown(monkeypatch):
    monkeypatch.delenv(PICTURE_ENV, raising=False)
    monkeypatch.setattr(picture_module, "_ESM", None)  # a build that left picture.js out
    assert not front_end_available()
    assert type(Demo().image) is ipywidgets.Image


@pytest.mark.parametrize("kind", ["page", "image"])
def test_both_pictures_hold_the_views_png(monkeypatch, kind):
    monkeypatch.setenv(PICTURE_ENV, kind)
    w = Demo()
    png = w.view.to_png()
    assert w.image.value == png and png[:8] == b"\x89PNG\r\n\x1a\n"
    w.w = -1.0
    assert w.image.value == w.view.to_png() != png
    bundle = w._repr_mimebundle_()  # static renderers: the last frame as PNG
    assert base64.b64decode(bundle["image/png"]) == w.image.value
    assert bundle["text/plain"] == "Demo()"


def test_the_page_picture_traits():
    w = Demo(language="zh")
    pic = w.image
    width, height = w.view.css_size
    assert pic.width == width == 600.0
    assert png_size(pic.png) == (round(width * w.view.pixel_ratio),
                                 round(height * w.view.pixel_ratio))
    assert pic.frame == w.receipts.sent == 1
    assert pic.alt == "Demo 组件的实时图像"
    assert pic.texts["apply"] == "应用"
    assert pic.regions == check_regions(w.frame_regions())
    assert "export default { render }" in pic._esm  # the module shipped beside picture.py


def test_a_frame_its_number_and_its_regions_go_in_one_message():
    w = Demo()
    sent = Sent(w.image)
    w.w = 2.0
    updates = sent.updates()
    assert len(updates) == 1
    state, paths, buffers = updates[0]
    assert set(state) == {"frame", "regions"} and paths == [["png"]]
    assert state["frame"] == w.receipts.sent == 2
    assert [bytes(b) for b in buffers] == [w.image.value]  # the PNG travels as a binary buffer
    assert state["regions"][1]["rows"] == [["w", "2.0000"]]


def test_an_unchanged_frame_sends_nothing_and_asks_for_no_receipt():
    w = Demo()
    sent = Sent(w.image)
    before = w.receipts.sent
    w.refresh()
    assert sent.updates() == [] and w.receipts.sent == before


def test_the_value_property_shows_a_frame_without_regions_or_receipt():
    w = Demo()
    other = Demo(w=-2.0).image.value
    w.image.value = other  # what a widget's live progress pictures do
    assert w.image.png == other and w.image.regions == [] and w.image.frame == 0


def test_close_closes_the_picture_and_the_fallback_counters(monkeypatch):
    w = Demo()
    pic = w.image
    w.close()
    assert pic.comm is None
    monkeypatch.setenv(PICTURE_ENV, "image")
    f = Demo()
    counters = f._counters
    f.close()
    assert counters.sent.comm is None and counters.link.comm is None


# -- regions --------------------------------------------------------------------------------
GOOD = [{"id": "n", "shape": "circle", "x": 1, "y": 2, "r": 3, "title": "t",
         "rows": [["z", "1"]], "select": True},
        {"id": "e", "shape": "segment", "x0": 0, "y0": 0, "x1": 5, "y1": 5,
         "edit": {"label": "w", "value": 0.5, "min": -1, "max": 1, "step": 0.1}},
        {"id": "h", "shape": "rect", "x0": 0, "y0": 0, "x1": 5, "y1": 5,
         "zoom": {"x0": 0, "y0": 0, "x1": 5, "y1": 5}}]


def test_check_regions_keeps_what_is_known_as_plain_floats():
    out = check_regions(GOOD)
    assert out[0] == {"id": "n", "shape": "circle", "x": 1.0, "y": 2.0, "r": 3.0,
                      "title": "t", "rows": [["z", "1"]], "select": True}
    assert out[1]["width"] == 8.0 and out[1]["title"] == "" and out[1]["rows"] == []
    assert out[1]["edit"] == {"label": "w", "value": 0.5, "min": -1.0, "max": 1.0, "step": 0.1}
    assert "select" not in out[1] and out[2]["zoom"]["x1"] == 5.0
    assert check_regions([]) == [] and check_regions(()) == []


@pytest.mark.parametrize("regions, match", [
    ("circle", r"a list of dicts; got str"),
    ([1], r"regions\[0\] must be a dict"),
    ([{"shape": "circle", "x": 1, "y": 1, "r": 1}], r"'id' must be a non-empty string"),
    ([GOOD[0], GOOD[0]], r"regions\[1\] \(id 'n'\): the id is used twice"),
    ([{**GOOD[0], "shape": "star"}], r"'shape' must be one of circle, rect, segment; got 'star'"),
    ([{**GOOD[0], "x": math.nan}], r"\['x'\] must be a finite real number; got nan"),
    ([{**GOOD[0], "r": True}], r"\['r'\] must be a finite real number; got True"),
    ([{**GOOD[0], "r": 0}], r"'r' must be > 0"),
    ([{**GOOD[0], "y": "2"}], r"\['y'\] must be a finite real number; got '2'"),
    ([{**GOOD[2], "x1": -1}], r"x0 < x1 and y0 < y1"),
    ([{**GOOD[0], "rows": [["a"]]}], r"rows\[0\] must be a \[label, value\] pair"),
    ([{**GOOD[0], "rows": [["a", 1.5]]}], r"rows\[0\]\[1\] must be a string; got float"),
    ([{**GOOD[0], "rows": [["a", "b"]] * 25}], r"at most 24 rows; got 25"),
    ([{**GOOD[0], "select": 1}], r"'select' must be True or False"),
    ([{**GOOD[1], "edit": {**GOOD[1]["edit"], "value": 2}}], r"value 2.0 lies outside"),
    ([{**GOOD[1], "edit": {**GOOD[1]["edit"], "min": 1}}], r"min < max and step > 0"),
    ([{**GOOD[1], "edit": {**GOOD[1]["edit"], "step": math.inf}}], r"finite real number"),
    ([{**GOOD[1], "width": -1}], r"'width' must be > 0"),
    ([{"id": f"n{i}", "shape": "circle", "x": 1, "y": 1, "r": 1} for i in range(2001)],
     r"at most 2000 regions per frame; got 2001"),
])
def test_bad_regions_are_refused_by_name(regions, match):
    with pytest.raises(RegionError, match=match):
        check_regions(regions)
    assert issubclass(RegionError, ValueError)


def test_a_widget_with_bad_regions_still_shows_its_frame_and_says_why():
    class Broken(Demo):
        def frame_regions(self):
            return [{"id": "x", "shape": "circle", "x": math.nan, "y": 0, "r": 1}]

    w = Broken()
    assert w.image.value == w.view.to_png() and w.image.regions == []
    assert w.message_kind == "error" and "must be a finite real number" in w.error


# -- messages from the page -----------------------------------------------------------------
def test_a_click_on_a_selectable_region_calls_the_hook():
    w = Demo()
    page_says(w, {"type": "click", "id": "neuron"})
    assert w.clicked == ["neuron"] and w.error is None


def test_an_edit_applies_the_value_and_everything_is_redrawn():
    w = Demo()
    frame = w.image.value
    page_says(w, {"type": "edit", "id": "edge", "value": -1.25})
    assert w.w == -1.25 and w.controls["w"].value == -1.25
    assert w.image.value != frame and w.image.regions[1]["rows"] == [["w", "-1.2500"]]
    assert w.image.regions[1]["edit"]["value"] == -1.25 and w.error is None


@pytest.mark.parametrize("content, says", [
    ({"type": "click", "id": "nothing"}, "nothing called nothing"),
    ({"type": "click", "id": ["neuron"]}, "nothing called ['neuron']"),
    ({"type": "click", "id": "edge"}, "edge cannot be selected"),
    ({"type": "edit", "id": "neuron", "value": 1.0}, "neuron cannot be edited"),
    ({"type": "edit", "id": "edge", "value": 9.0}, "w must lie between -5 and 5; got 9"),
    ({"type": "edit", "id": "edge", "value": -5.5}, "got -5.5"),
    ({"type": "edit", "id": "edge", "value": "0.3"}, "w must be a number; got 0.3"),
    ({"type": "edit", "id": "edge", "value": None}, "must be a number; got None"),
    ({"type": "edit", "id": "edge", "value": True}, "must be a number; got True"),
    ({"type": "edit", "id": "edge", "value": math.nan}, "must be a number; got nan"),
    ({"type": "edit", "id": "edge", "value": math.inf}, "must be a number; got inf"),
    ({"type": "edit", "id": "edge"}, "must be a number; got None"),
])
def test_what_the_page_sends_is_checked_and_nothing_changes(content, says):
    w = Demo()
    before = (w.w, w.image.value, list(w.clicked))
    page_says(w, content)
    assert (w.w, w.image.value, w.clicked) == before
    assert w.message_kind == "error" and says in w.error


def test_messages_the_picture_does_not_know_are_ignored():
    w = Demo()
    before = (w.w, w.image.value, w.receipts.seen)
    for content in ({"type": "hello"}, {}, "shown", [1, 2], {"type": None}):
        w.image._handle_custom_msg(content, [])
    assert (w.w, w.image.value, w.receipts.seen) == before and w.error is None


def test_a_hook_that_raises_becomes_the_widgets_message():
    class Raising(Demo):
        def region_clicked(self, region_id):
            raise RuntimeError(f"cannot select {region_id} now")

    w = Raising()
    page_says(w, {"type": "click", "id": "neuron"})
    assert w.message_kind == "error" and w.error == "RuntimeError: cannot select neuron now"


def test_a_successful_edit_clears_an_earlier_refusal():
    w = Demo()
    page_says(w, {"type": "edit", "id": "edge", "value": 99.0})
    assert w.message_kind == "error"
    page_says(w, {"type": "edit", "id": "edge", "value": 1.0})
    assert w.message_kind is None and w.w == 1.0


def test_a_click_on_a_region_of_an_older_frame_is_refused():
    class Shrinking(Demo):
        def frame_regions(self):
            regions = super().frame_regions()
            return regions if self.w >= 0 else regions[1:]  # the neuron goes away

    w = Shrinking()
    w.w = -1.0
    page_says(w, {"type": "click", "id": "neuron"})
    assert w.clicked == [] and "nothing called neuron" in w.error


def test_receipts_arrive_from_the_view():
    w = Demo()
    w.w = 1.0
    assert w.receipts.sent == 2 and w.receipts.seen == 0
    page_says(w, {"type": "shown", "frame": 2})
    assert w.receipts.seen == 2 and w.receipts.in_flight == 0
    page_says(w, {"type": "shown", "frame": 1})  # an older frame answered late
    assert w.receipts.seen == 2


def test_a_closed_widget_and_its_picture_are_collected():
    w = Demo()
    refs = [weakref.ref(x) for x in (w, w.image, w.view.figure)]
    w.close()
    del w
    gc.collect()
    assert all(r() is None for r in refs)


def test_the_same_list_of_regions_is_checked_once(monkeypatch):
    calls = []
    real = picture_module.check_regions

    def counting(regions):
        calls.append(regions)
        return real(regions)

    class Cached(Demo):
        def frame_regions(self):
            if getattr(self, "_cache", None) is None or self._cache[0] != self.w:
                self._cache = (self.w, super().frame_regions())
            return self._cache[1]

    from actviz_widgets.widgets import base
    monkeypatch.setattr(base, "check_regions", counting)
    w = Cached()
    w.w = 1.0
    w.refresh()  # the same list again: not checked again, still sent as it was
    assert len(calls) == 2 and w.image.regions[1]["rows"] == [["w", "1.0000"]]


def test_while_playing_regions_are_sent_now_and_then_and_again_when_play_ends(monkeypatch):
    import asyncio

    from actviz_widgets.widgets import base
    from actviz_widgets.widgets.player import Player

    class Playing(Demo):
        def __init__(self):
            self.calls = 0
            self.player = Player(self._step, fps=1000.0)
            super().__init__()

        def _step(self):
            self.w = round(self.w + 0.01, 2)  # every frame changes the picture

        def frame_regions(self):
            self.calls += 1
            return super().frame_regions()

    monkeypatch.setattr(base, "REGIONS_WHILE_PLAYING_S", 1e9)  # "now and then": never here
    w = Playing()
    assert w.calls == 1

    async def main():
        w.player.play()
        while w.player.frames < 5:
            await asyncio.sleep(0.001)
        w.player.pause()

    asyncio.run(main())
    assert w.player.frames >= 5 and w.calls == 2  # the constructor's, then the last frame's
    assert w.image.regions[1]["rows"] == [["w", f"{w.w:.4f}"]]
    assert w.image.regions[1]["edit"]["value"] == w.w
