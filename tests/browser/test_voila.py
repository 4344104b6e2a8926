"""One lesson served by ``make app`` as a standalone Voila page responds in the browser.

The same checks as in JupyterLab, once: the page shows the kernel's widgets
with no error output and no console error, and moving a slider and clicking
the planned buttons change the picture to the kernel's new frame and the
numbers to what the engine says.  The lesson is ``ACTVIZ_APP_LESSON`` or the
first one that shows a widget.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import app_lesson
from harness import (ARTIFACTS, LOCAL_HOST, PICTURE_SELECTOR, REPO, KernelProbe, Started,
                     WidgetDriver, free_port, jupyter_env, wait_port)

VENV = Path(sys.prefix)
FONT_AWESOME_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"


@pytest.mark.browser
def test_make_app_serves_a_lesson_that_responds(browser, lessons_copy, context, watch,
                                                tmp_path, request):
    lesson = app_lesson()
    if lesson is None:
        pytest.skip("no lesson shows a widget yet")
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / f"voila-{lesson.stem}.png").unlink(missing_ok=True)
    port = free_port()
    connections = tmp_path / "connections"
    connections.mkdir()
    # -o: this environment is already installed (it runs these tests); do not reinstall
    cmd = ["make", "--no-print-directory", "-o", f"{VENV}/.installed", "app", f"VENV={VENV}",
           f"LESSON={lessons_copy / lesson.name}", "NO_BROWSER=1",
           f"APP_ARGS=--port={port} --Voila.ip={LOCAL_HOST} --Voila.port_retries=0 "
           f"--Voila.connection_dir_root={connections}"]
    app = Started(cmd, tmp_path / "voila.log", env=jupyter_env(tmp_path), cwd=REPO)
    request.addfinalizer(app.stop)
    wait_port(port, app)

    # Voila's page template links Font Awesome from a CDN, although Voila
    # bundles it: the links stay blocked, and the icons must still be drawn.
    watch.excuse(FONT_AWESOME_CDN)
    page = context.new_page()
    page.goto(f"http://{LOCAL_HOST}:{port}/")
    roots = page.locator(".jp-OutputArea-executeResult .jp-OutputArea-output > .jupyter-widgets")
    roots.first.locator(PICTURE_SELECTOR).first.wait_for()
    errors = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"Voila page has error output: {errors.all_inner_texts()}"

    kernel_files = list(connections.glob("*/kernel-*.json"))
    assert len(kernel_files) == 1, f"expected one Voila kernel, found {kernel_files}"
    probe = KernelProbe(kernel_files[0])
    request.addfinalizer(probe.close)
    shown = probe.call("shown_widgets", "None")
    assert roots.count() == len(shown), (
        f"the page shows {roots.count()} widgets, the kernel's Out has {len(shown)}")
    figures = [(k, n) for k, (n, _cls, is_figure) in enumerate(shown) if is_figure]
    assert figures, f"{lesson.name} shows no package widget"
    k, n = figures[0]
    driver = WidgetDriver(page, roots.nth(k), probe, f"Out[{n}]", f"Voila {lesson.name} [{n}]")
    driver.check_layout()
    driver.root.screenshot(path=str(shots / f"voila-{lesson.stem}.png"))
    driver.exercise()
    icons_drawn = page.evaluate("""async () => {
      if (!document.querySelector('.jupyter-widgets i.fa')) return true;  // no icons to draw
      await document.fonts.ready;
      return [...document.fonts].some(f => /Font Awesome/.test(f.family) && f.status === 'loaded');
    }""")
    assert icons_drawn, "the buttons' icons need Voila's bundled Font Awesome, which did not load"
    watch.assert_clean(f"Voila {lesson.name}")
