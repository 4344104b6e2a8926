"""What the learner sets is what the widget shows: typed values, arrow keys, saving, playing.

In a real JupyterLab page, after Run All of a lesson whose code moved the
widget's settings several times:

* a value typed into a slider's readout (one the lesson's code had set
  earlier) stays, in the page and in the kernel, and the numbers are the
  engine's at that value;
* an arrow key moves a slider by its declared step;
* the lesson, saved and opened again in a fresh kernel, shows each widget's
  last picture (the widget state is saved with the notebook);
* Play, a slider moved while playing, Pause: no error, and the kernel's
  training state is consistent with what the page shows.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import pytest
from conftest import lessons
from harness import (ARTIFACTS, KernelProbe, LessonPage, WidgetDriver, assert_checks, browser_image_sha,
                     picture_src, readout_matches, wait_picture)


def lesson(prefix: str):
    found = [nb for nb in lessons() if nb.name.startswith(prefix)]
    if not found:
        pytest.skip(f"no lesson {prefix}*")
    return found[0]


def slider_index(driver: WidgetDriver, label: str) -> int:
    labels = [s["label"] for s in driver.info["sliders"]]
    return labels.index(label)


def type_into_readout(root, index: int, text: str) -> None:
    readout = root.locator(".widget-slider").nth(index).locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(text)
    readout.press("Enter")


@contextmanager
def first_widget(prefix: str, lab, context, watch):
    """Open the lesson ``prefix``* and Run All; yield its name, page, probe and a driver.

    The driver drives the lesson's first widget and has checked its layout;
    the probe and the lesson's kernel are closed afterwards.
    """
    notebook = lesson(prefix)
    page = LessonPage(context, lab, lab.root / notebook.name, watch)
    probe = None
    try:
        probe = KernelProbe(lab.connection_file(page.kernel_id))
        page.run_all()
        (index, count), *_ = page.widget_cells()
        driver = WidgetDriver(page.page, page.widget_root(index), probe, f"Out[{count}]",
                              f"{notebook.name}, cell {index}", page.barrier)
        driver.check_layout()
        yield notebook.name, page, probe, driver
    finally:
        if probe is not None:
            probe.close()
        lab.close_sessions(notebook.name)


@pytest.mark.browser
def test_typed_value_stays_and_arrow_keys_move_by_the_step(lab, context, watch):
    with first_widget("00_", lab, context, watch) as (name, _, probe, driver):
        z = slider_index(driver, "z (pre-activation)")
        assert probe.call("slider_value", driver.expression, z)["value"] == 2.0  # set last

        # The lesson's code set z = 0.5 earlier; the learner types 0.5 now.
        old_src = picture_src(driver.root)
        type_into_readout(driver.root, z, "0.5")
        driver.wait_synced(old_src)
        time.sleep(1.0)  # nothing may come back later and undo it
        driver.wait_synced()
        assert probe.call("slider_value", driver.expression, z)["value"] == 0.5
        assert readout_matches(driver.readout(z), 0.5)
        assert_checks(probe.call("after_slider", driver.expression), "after typing z = 0.5")

        # Arrow keys move by the declared step (0.01), from the typed value.
        handle = driver.root.locator(".widget-slider").nth(z).locator(".noUi-handle").first
        for expected in (0.51, 0.52, 0.53):
            old_src = picture_src(driver.root)
            handle.focus()
            handle.press("ArrowRight")
            driver.wait_synced(old_src)
            got = probe.call("slider_value", driver.expression, z)["value"]
            assert got == pytest.approx(expected, abs=1e-9)
        assert_checks(probe.call("after_slider", driver.expression), "after three arrow keys")
        assert driver.root.locator(".actviz-error").count() == 0
        watch.assert_clean(f"{name} after typing and arrow keys")


@pytest.mark.browser
@pytest.mark.parametrize("prefix", ["09_", "12_"])
def test_a_typed_depth_repaints_the_diagnostics_picture(prefix, lab, context, watch):
    """Gradient health (lesson 9) and distributions (lesson 12) repaint only a band of
    their picture on a new depth: typed and arrowed depths must reach the page as
    the kernel's frame, with the engine's network behind them."""
    with first_widget(prefix, lab, context, watch) as (name, page, probe, driver):
        depth = slider_index(driver, "hidden layers")
        for typed in ("2", "4"):
            old_src = picture_src(driver.root)
            type_into_readout(driver.root, depth, typed)
            driver.wait_synced(old_src)
            assert probe.call("slider_value", driver.expression, depth)["value"] == int(typed)
            assert readout_matches(driver.readout(depth), int(typed))
            assert_checks(probe.call("after_slider", driver.expression),
                          f"{name}, after typing depth {typed}")
        handle = driver.root.locator(".widget-slider").nth(depth).locator(".noUi-handle").first
        old_src = picture_src(driver.root)
        handle.focus()
        handle.press("ArrowLeft")
        driver.wait_synced(old_src)
        assert probe.call("slider_value", driver.expression, depth)["value"] == 3
        assert_checks(probe.call("after_slider", driver.expression), f"{name}, after ArrowLeft")
        assert driver.root.locator(".actviz-error").count() == 0
        driver.root.screenshot(path=str(ARTIFACTS / "screenshots" / f"depth-{prefix}typed.png"))
        watch.assert_clean(f"{name} after typing depths")


@pytest.mark.browser
def test_a_saved_lesson_reopens_with_its_pictures(lab, context, watch):
    notebook = lesson("01_")
    path = lab.root / notebook.name
    page = LessonPage(context, lab, path, watch)
    page.run_all()
    shown = [browser_image_sha(page.widget_root(i)) for i, _ in page.widget_cells()]
    assert shown
    setting = page.page.evaluate("""async () => {
      const s = await window.jupyterapp.serviceManager.settings.fetch(
          '@jupyter-widgets/jupyterlab-manager:plugin');
      return s.schema.properties.saveState.default;  // the default, with overrides
    }""")
    assert setting is True, "JupyterLab is not set to save widget state (make venv installs it)"
    page.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 30
    while "widgets" not in json.loads(path.read_text())["metadata"]:
        assert time.monotonic() < deadline, "saving did not store the widget state"
        time.sleep(0.2)
    page.page.close()
    lab.close_sessions(notebook.name)  # the kernel that made the widgets is gone

    again = LessonPage(context, lab, path, watch)  # opens with a new, empty kernel
    deadline = time.monotonic() + 60  # the widgets come back from the saved state, in time
    while len(again.widget_cells()) < len(shown):
        assert time.monotonic() < deadline, "the reopened lesson does not show its widgets"
        time.sleep(0.5)
    roots = [again.cell(i).locator(".jp-OutputArea-output > .jupyter-widgets").first
             for i, _ in again.widget_cells()]
    assert len(roots) == len(shown)
    for root in roots:
        wait_picture(root)
    assert [browser_image_sha(r) for r in roots] == shown
    broken = again.page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
    assert broken.count() == 0
    lab.close_sessions(notebook.name)


@pytest.mark.browser
def test_play_move_a_slider_while_playing_pause(lab, context, watch):
    with first_widget("09_", lab, context, watch) as (name, page, probe, driver):
        play = driver.root.locator("button.widget-toggle-button", has_text="Play").first
        play.click()
        deadline = time.monotonic() + 30
        while probe.call("training", driver.expression)["step"] < 20:
            assert time.monotonic() < deadline, "Play did not train"
            time.sleep(0.2)
        lr = slider_index(driver, "learning rate")
        handle = driver.root.locator(".widget-slider").nth(lr).locator(".noUi-handle").first
        handle.focus()
        handle.press("ArrowLeft")  # while it plays
        time.sleep(0.5)
        driver.root.locator("button.widget-toggle-button", has_text="Pause").first.click()
        page.barrier()
        state = probe.call("training", driver.expression)
        assert not state["playing"] and state["error"] is None
        assert state["lr"] == state["lr_setting"]  # the moved slider reached the trainer
        assert state["step"] % state["steps_per_frame"] == 0
        driver.wait_synced()  # the page shows the kernel's last frame
        assert driver.root.locator(".actviz-error").count() == 0
        watch.assert_clean(f"{name} after Play")
