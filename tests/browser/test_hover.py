"""Pointing at the backprop stepper and the single neuron in a real JupyterLab.

A scratch notebook builds a :class:`~actviz_widgets.BackpropStepper` at a
backward step and a :class:`~actviz_widgets.SingleNeuron`.  In the page:

* hovering a neuron of the stepper shows a tooltip whose numbers are the
  engine's (a fresh forward and backward pass of a copy of the network,
  computed in the kernel independently of the widget), and only those the
  step has computed; hovering an edge shows its weight;
* clicking a neuron selects it: the "equations of" setting and its dropdown
  follow, and the equations panel names it;
* clicking the single neuron's w₁ edge opens a number field; a typed weight
  is applied, the picture is redrawn (the page shows the kernel's new frame)
  and the tooltip's numbers are the engine's for the new weight; a weight
  out of range is refused with a message and changes nothing.

Screenshots of the tooltip and of the number field are saved to
``test-artifacts/screenshots/hover_stepper.png`` and ``edit_single_neuron.png``.
"""

from __future__ import annotations

import pytest
from harness import (ARTIFACTS, KernelProbe, LessonPage, Picture, browser_image_sha,
                     kernel_image_sha, picture_src, scratch_notebook, tooltip_text, until,
                     wait_picture)

#: Where the screenshots of a tooltip and of a number field are saved (for the README).
SHOTS = ARTIFACTS / "screenshots"

STEPPER = '''\
import numpy as np
import actviz_widgets as av
from actviz_widgets.engine.network import MLP
net = MLP([2, 3, 2, 1], activation="tanh", loss="bce", seed=5)
X, Y = np.array([[0.4, -0.7]]), np.array([[1.0]])
stepper = av.BackpropStepper(net=net.copy(), X=X, y=Y)
stepper.go(6)  # backward of layer 2 done, layer 1 not yet
stepper'''

NEURON = '''\
neuron = av.SingleNeuron(x1=0.5, x2=-1.5, w1=0.8, w2=0.3, b=0.2, y=1.0, activation="tanh")
neuron'''

#: Python run in the kernel: the engine's own numbers for a network, independently of any widget.
ENGINE = '''\
from actviz_widgets.views.neuron import num
from actviz_widgets.views.text import fmt

def engine_numbers(n, x, y):
    t = n.forward(np.asarray(x, dtype=float))
    g = n.backward(t, np.asarray(y, dtype=float))
    return t, g
'''


def by_id(regions: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in regions}


@pytest.mark.browser
def test_hover_and_click_in_the_stepper_and_the_single_neuron(lab, context, watch):
    path = scratch_notebook(lab.root / "hover_demo.ipynb", [STEPPER, NEURON])
    page = LessonPage(context, lab, path, watch)
    probe = None
    try:
        probe = KernelProbe(lab.connection_file(page.kernel_id))
        page.run_all()
        p = page.page
        probe.execute(ENGINE)

        # -- the stepper: hover a neuron whose backward step is done ---------------------------
        root = page.widget_root(0)
        assert probe.evaluate("type(stepper.image).__name__") == "PagePicture"
        wait_picture(root)
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "stepper"),
              "the page does not show the stepper's frame")
        picture = Picture(p, root, probe.evaluate("stepper.view.css_size[0]"))
        regions = by_id(probe.evaluate("stepper.frame_regions()"))
        neuron = regions["neuron:2:1"]
        picture.hover(neuron["x"], neuron["y"])
        until(lambda: picture.tip_cells() == tooltip_text(neuron),
              "the stepper's tooltip is not the neuron's")
        cells = dict(zip(picture.tip_cells()[1::2], picture.tip_cells()[2::2]))
        engine = probe.evaluate(
            "(lambda t, g: {'z': fmt(t.z[2][0, 1]), 'a': fmt(t.a[2][0, 1]), "
            "'f′(z)': fmt(t.dadz[2][0, 1]), 'δ = ∂L/∂z': fmt(g.delta[2][0, 1]), "
            "'∂L/∂a': fmt(g.dL_da[2][0, 1])})(*engine_numbers(net.copy(), X, Y))")
        for label, value in engine.items():
            assert cells[label] == value, (label, cells)
        SHOTS.mkdir(parents=True, exist_ok=True)
        picture.box.screenshot(path=str(SHOTS / "hover_stepper.png"))
        # layer 1's backward step is not done: its tooltip has no δ, no ∂L/∂a
        early = regions["neuron:1:0"]
        picture.hover(early["x"], early["y"])
        until(lambda: picture.tip_cells() == tooltip_text(early),
              "the tooltip did not move to layer 1's neuron")
        assert "δ = ∂L/∂z" not in picture.tip_cells() and "z" in picture.tip_cells()
        # an edge: its weight
        edge = regions["edge:1:2:0"]
        picture.hover((edge["x0"] + edge["x1"]) / 2, (edge["y0"] + edge["y1"]) / 2)
        until(lambda: picture.tip_cells() == tooltip_text(edge), "no tooltip for the edge")
        weight = probe.evaluate("fmt(net.weights[1][2, 0], 4)")
        assert weight in picture.tip_cells()

        # -- click a neuron: its equations -----------------------------------------------------
        old_src = picture_src(root)
        picture.click(neuron["x"], neuron["y"])
        wait_picture(root, old_src)
        page.barrier()
        assert probe.evaluate("stepper.neuron == (2, 1)")
        assert probe.evaluate("stepper.neuron_select.value == (2, 1)")
        assert probe.evaluate("stepper.view.equations.text.get_text()").startswith(
            "Layer 2, neuron 1 (hidden, tanh)")
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "stepper"),
              "the page does not show the frame with the selected neuron")

        # -- the single neuron: click w₁'s edge, type a weight --------------------------------
        root = page.widget_root(1)
        wait_picture(root)
        picture = Picture(p, root, probe.evaluate("neuron.view.css_size[0]"))
        edge = by_id(probe.evaluate("neuron.frame_regions()"))["edge:0:0:0"]
        mid = ((edge["x0"] + edge["x1"]) / 2, (edge["y0"] + edge["y1"]) / 2)
        old_src = picture_src(root)
        picture.click(*mid)
        field = picture.box.locator("form.actviz-edit input")
        field.wait_for()
        assert float(field.input_value()) == pytest.approx(0.8)
        field.fill("-1.75")
        picture.box.screenshot(path=str(SHOTS / "edit_single_neuron.png"))
        field.press("Enter")
        wait_picture(root, old_src)
        page.barrier()
        assert probe.evaluate("neuron.w1") == -1.75
        assert probe.evaluate("neuron.sliders['w1'].value") == -1.75
        until(lambda: browser_image_sha(root) == kernel_image_sha(probe, "neuron"),
              "the page does not show the frame drawn after the edit")
        # the numbers follow: the neuron's tooltip equals the engine's pass with w₁ = −1.75
        regions = by_id(probe.evaluate("neuron.frame_regions()"))
        picture.hover(regions["neuron:1:0"]["x"], regions["neuron:1:0"]["y"])
        until(lambda: picture.tip_cells() == tooltip_text(regions["neuron:1:0"]),
              "the neuron's tooltip does not show the new numbers")
        cells = dict(zip(picture.tip_cells()[1::2], picture.tip_cells()[2::2]))
        probe.execute("one = MLP([2, 1], activation=[], output_activation='tanh', loss='mse')\n"
                      "one.set_params([np.array([[-1.75], [0.3]])], [np.array([0.2])])\n"
                      "t1, g1 = engine_numbers(one, [[0.5, -1.5]], [[1.0]])")
        assert cells["a = f(z)"] == probe.evaluate("num(t1.a[1][0, 0])")
        assert cells["δ = ∂L/∂z"] == probe.evaluate("num(g1.delta[1][0, 0])")
        assert probe.evaluate("neuron.a == t1.a[1][0, 0] and neuron.loss == g1.loss")

        # out of range: refused with a message, nothing changes
        sha = kernel_image_sha(probe, "neuron")
        picture.click(*mid)
        field.wait_for()
        field.fill("7")
        field.press("Enter")
        page.barrier()
        assert probe.evaluate("neuron.w1") == -1.75 and kernel_image_sha(probe, "neuron") == sha
        assert "7" in root.locator(".actviz-error").inner_text()
        watch.assert_clean("hover and click in the stepper and the single neuron")
    finally:
        if probe is not None:
            probe.close()
        lab.close_sessions(path.name)
