"""Pointing at the playground's picture in a real JupyterLab.

A scratch notebook trains a small :class:`~actviz_widgets.Playground` a few
frames.  In the page:

* hovering a hidden neuron's heatmap tile shows a tooltip with its bias and
  the means over the training samples of z, a, f′(z) and δ; the numbers are
  checked against the engine's, computed in the kernel independently of the
  widget (a forward pass written out, and ∂L/∂b by finite differences for
  the mean δ); the tooltip holds the tile enlarged (a canvas whose centre
  pixel is the tile's centre pixel in the kernel's frame);
* hovering an edge shows its weight and ∂L/∂w (finite differences in the
  kernel);
* after a Step the page shows the new frame and the tooltip the new numbers.

A screenshot of the tooltip is saved to
``test-artifacts/screenshots/hover_playground.png``.
"""

from __future__ import annotations

import pytest
from harness import (ARTIFACTS, KernelProbe, LessonPage, Picture, browser_image_sha,
                     kernel_image_sha, scratch_notebook, tooltip_text, until, wait_picture)

SHOTS = ARTIFACTS / "screenshots"

PLAYGROUND = '''\
import numpy as np
import actviz_widgets as av
pg = av.Playground(dataset="circles", hidden_layers=1, neurons=3, seed=4)
pg.run_frames(6)
pg'''

#: Kernel-side reference numbers, computed without the widget's code.
ENGINE = '''\
from actviz_widgets.views.text import fmt
import io
from PIL import Image

def by_hand(net, X, y, j, h=1e-6):
    z = X @ net.weights[0] + net.biases[0]
    a = np.tanh(z)
    up, down = net.copy(), net.copy()
    up.biases[0][j] += h
    down.biases[0][j] -= h
    dLdb = (up.loss_value(X, y) - down.loss_value(X, y)) / (2 * h)
    return {"b": net.biases[0][j], "z": z[:, j].mean(), "a": a[:, j].mean(),
            "f′(z)": (1 - a[:, j] ** 2).mean(), "δ = ∂ℓ/∂z": dLdb}

def dL_dw(net, X, y, l, i, j, h=1e-6):
    up, down = net.copy(), net.copy()
    up.weights[l][i, j] += h
    down.weights[l][i, j] -= h
    return (up.loss_value(X, y) - down.loss_value(X, y)) / (2 * h)

def frame_pixel(w, x, y):
    rgb = np.asarray(Image.open(io.BytesIO(w.image.value)).convert("RGB"))
    return [int(v) for v in rgb[int(y), int(x)]]
'''


def number(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.mark.browser
def test_hover_a_playground_tile_and_edge(lab, context, watch):
    path = scratch_notebook(lab.root / "playground_hover.ipynb", [PLAYGROUND])
    page = LessonPage(context, lab, path, watch)
    probe = None
    try:
        probe = KernelProbe(lab.connection_file(page.kernel_id))
        page.run_all()
        probe.execute(ENGINE)
        root = page.widget_root(0)
        assert probe.evaluate("type(pg.image).__name__") == "PagePicture"
        wait_picture(root)
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "pg"),
              "the page does not show the playground's frame")
        picture = Picture(page.page, root, probe.evaluate("pg.view.css_size[0]"))

        for step in range(2):
            regions = {r["id"]: r for r in probe.evaluate("pg.frame_regions()")}
            tile = regions["neuron:1:1"]
            assert tile["shape"] == "rect" and tile["zoom"]
            cx, cy = (tile["x0"] + tile["x1"]) / 2, (tile["y0"] + tile["y1"]) / 2
            picture.hover(cx, cy)
            until(lambda tile=tile: picture.tip_cells() == tooltip_text(tile),
                  "the tooltip is not the hidden neuron's")
            cells = dict(zip(picture.tip_cells()[1::2], picture.tip_cells()[2::2]))
            want = probe.evaluate("by_hand(pg.net, pg.trainer.X_train, pg.trainer.y_train, 1)")
            for label, value in want.items():
                assert number(cells[label]) == pytest.approx(value, rel=5e-3, abs=1e-6), label
            # the tile, enlarged in the tooltip: its centre is the frame's tile centre
            shown = picture.zoom_centre()
            drawn = probe.evaluate(f"frame_pixel(pg, {cx}, {cy})")
            assert max(abs(s - d) for s, d in zip(shown, drawn)) <= 2, (shown, drawn)
            if step == 0:
                SHOTS.mkdir(parents=True, exist_ok=True)
                picture.box.screenshot(path=str(SHOTS / "hover_playground.png"))
            # an edge: its weight and ∂L/∂w
            edge = regions["edge:1:1:0"]
            picture.hover((edge["x0"] + edge["x1"]) / 2, (edge["y0"] + edge["y1"]) / 2)
            until(lambda edge=edge: picture.tip_cells() == tooltip_text(edge),
                  "no tooltip for the edge")
            cells = dict(zip(picture.tip_cells()[1::2], picture.tip_cells()[2::2]))
            assert number(cells["w"]) == pytest.approx(
                probe.evaluate("pg.net.weights[1][1, 0]"), rel=5e-3)
            assert number(cells["∂L/∂w"]) == pytest.approx(probe.evaluate(
                "dL_dw(pg.net, pg.trainer.X_train, pg.trainer.y_train, 1, 1, 0)"),
                rel=5e-3, abs=1e-7)
            if step == 0:  # one frame more: the page shows it and the tooltips follow
                root.locator("button:has-text('Step')").first.click()
                page.barrier()
                until(lambda: probe.evaluate("pg.trainer.step_count") == 35,
                      "Step did not run a frame")
                until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "pg"),
                      "the page does not show the frame after Step")
        watch.assert_clean("hover the playground")
    finally:
        if probe is not None:
            probe.close()
        lab.close_sessions(path.name)
