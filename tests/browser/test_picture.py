"""The picture's own front end in a real JupyterLab: frames, receipts, hover, click, edit.

A scratch notebook builds the demo widget of ``tests/picture_demo.py`` (a
neuron, selectable, and its edge, whose weight is editable in the picture), a playground that
plays from its cell, and a widget on the core ``ipywidgets.Image`` fallback
(``ACTVIZ_PICTURE=image``).  In the page:

* the picture shown is byte for byte the kernel's last PNG, and the page
  answers frames with receipts (both kinds of picture);
* hovering a region shows a tooltip whose text is the region's, as the
  kernel computed it for that frame; leaving the picture hides it;
* a click on the neuron reaches the widget's ``region_clicked``; a click on
  the edge opens a number field: Escape closes it, a typed value is applied
  (and redrawn), a value out of range is refused with a message and changes
  nothing;
* re-running the cell of a playing playground stops the old one's Play.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (KernelProbe, LessonPage, Picture, browser_image_sha, kernel_image_sha,
                     picture_src, scratch_notebook, tooltip_text, until, wait_picture)

#: The demo widget (tests/picture_demo.py), built in the notebook's first cell.
DEMO = (Path(__file__).resolve().parents[1] / "picture_demo.py").read_text() + '''

import os
import actviz_widgets as av
demo = Demo()
demo'''

PLAYING = '''\
old = globals().get("pg")
pg = av.Playground()
pg.play_button.value = True
pg'''

FALLBACK = '''\
os.environ["ACTVIZ_PICTURE"] = "image"
plain = av.SingleNeuron()
del os.environ["ACTVIZ_PICTURE"]
plain'''


@pytest.mark.browser
def test_the_picture_in_the_page(lab, context, watch):
    path = scratch_notebook(lab.root / "picture_demo.ipynb", [DEMO, PLAYING, FALLBACK])
    page = LessonPage(context, lab, path, watch)
    probe = None
    try:
        probe = KernelProbe(lab.connection_file(page.kernel_id))
        page.run_all()
        p = page.page
        root = page.widget_root(0)
        assert probe.evaluate("type(demo.image).__name__") == "PagePicture"
        wait_picture(root)

        # frames: the page shows the kernel's PNG, and answers it
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "demo"),
              "the page does not show the kernel's last frame")
        until(lambda: probe.evaluate("demo.receipts.seen") == probe.evaluate("demo.receipts.sent"),
              "no receipt for the demo's frame")
        alt = root.locator(".actviz-picture img.actviz-frame").get_attribute("alt")
        assert alt == probe.evaluate("demo.image.alt") and alt

        width = probe.evaluate("demo.view.css_size[0]")
        picture = Picture(p, root, width)
        neuron, edge = probe.evaluate("demo.frame_regions()")

        # hover: the tooltip reads the kernel's numbers of this frame; leaving hides it
        picture.hover(neuron["x"], neuron["y"])
        picture.tip().wait_for()
        assert picture.tip_cells() == tooltip_text(neuron)
        picture.hover((edge["x0"] + edge["x1"]) / 2, edge["y0"] + 3)  # within its width
        until(lambda: picture.tip().get_attribute("data-region") == "edge",
              "the edge's tooltip did not replace the neuron's")
        assert picture.tip_cells() == tooltip_text(edge)
        size = picture.tip().evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
        assert size >= 12
        tip_box, pic_box = picture.tip().bounding_box(), picture.box.bounding_box()
        assert (pic_box["x"] <= tip_box["x"] and tip_box["x"] + tip_box["width"]
                <= pic_box["x"] + pic_box["width"] + 0.5), "the tooltip leaves the picture"
        p.mouse.move(pic_box["x"] + pic_box["width"] / 2, pic_box["y"] - 40)  # leave
        picture.tip().wait_for(state="detached")

        # click on the neuron: the widget's hook
        picture.click(neuron["x"], neuron["y"])
        page.barrier()
        assert probe.evaluate("demo.clicked") == ["neuron"]

        # click on the edge: a number field; Escape closes it, nothing changes
        w = probe.evaluate("demo.w")
        mid = ((edge["x0"] + edge["x1"]) / 2, edge["y0"])
        picture.click(*mid)
        field = picture.box.locator("form.actviz-edit input")
        field.wait_for()
        assert float(field.input_value()) == pytest.approx(w)
        field.press("Escape")
        field.wait_for(state="detached")
        page.barrier()
        assert probe.evaluate("demo.w") == w

        # a typed value is applied, everything recomputed and redrawn
        old_src = picture_src(root)
        picture.click(*mid)
        field.wait_for()
        field.fill("1.25")
        field.press("Enter")
        wait_picture(root, old_src)
        page.barrier()
        assert probe.evaluate("demo.w") == 1.25
        assert probe.evaluate("demo.controls['w'].value") == 1.25
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "demo"),
              "the page does not show the frame drawn after the edit")
        assert probe.evaluate("demo.error") is None
        # the tooltip (hover again) shows the new numbers
        edge = probe.evaluate("demo.frame_regions()")[1]
        assert edge["rows"][0] == ["w", "1.2500"]
        picture.hover(*mid)
        until(lambda: picture.tip_cells() == tooltip_text(edge),
              "the tooltip does not show the edited weight")

        # out of range: refused with a message, nothing changes
        sha = kernel_image_sha(probe, "demo")
        picture.click(*mid)
        field.wait_for()
        field.fill("9")
        field.press("Enter")
        page.barrier()
        assert probe.evaluate("demo.w") == 1.25 and kernel_image_sha(probe, "demo") == sha
        message = root.locator(".actviz-error").inner_text()
        assert "w" in message and "9" in message and "5" in message

        # the fallback picture: the core Image, with receipts through the linked counters
        plain = page.widget_root(2)
        assert probe.evaluate("type(plain.image).__name__") == "Image"
        plain.locator(":scope > img.widget-image").wait_for()
        until(lambda: browser_image_sha(plain) == kernel_image_sha(probe, "plain"),
              "the fallback picture is not the kernel's frame")
        until(lambda: probe.evaluate("plain.receipts.seen") == probe.evaluate(
            "plain.receipts.sent") > 0, "no receipt through the fallback's linked counters")

        # a playing playground: receipts come back; re-running its cell stops the old one
        until(lambda: probe.evaluate("pg.receipts.seen") >= 3, "Play got no receipts")
        assert probe.evaluate("pg.playing")
        page.cell(1).click()
        p.keyboard.press("Control+Enter")  # run the cell again: its old output is cleared
        until(lambda: probe.evaluate("old is not None and pg is not old"), "the cell did not run")
        until(lambda: not probe.evaluate("old.playing"),
              "the re-run cell's old playground keeps playing", timeout=20)
        assert probe.evaluate("old.play_button.value") is False
        assert probe.evaluate("pg.playing")  # the new one plays on
        probe.execute("pg.pause()")
        watch.assert_clean("the picture demo")
    finally:
        if probe is not None:
            try:
                probe.execute("for _w in (globals().get('pg'), globals().get('old')):\n"
                              "    _w is not None and _w.pause()")
            except Exception:  # noqa: BLE001 - the kernel may be gone already
                pass
            probe.close()
        lab.close_sessions(path.name)

