"""Every lesson opens, runs and responds in JupyterLab, in a real browser.

For each lesson: open it, Run All, wait for the kernel to go idle, and
require no error output and no console error.  Then, for each package
widget it shows (a cell's result), the page must show every slider and
button the kernel's widget has and exactly the frame the kernel rendered,
and showing the widgets must not have changed a value the kernel set.  One
slider is moved with the keyboard and the planned buttons are clicked,
and after each the picture must change to the kernel's new frame and the
widget's numbers (and the readouts the page prints) must equal what the
engine computes in the same kernel (``probe.py``).  The first widget's
screenshot is saved to ``test-artifacts/screenshots/<lesson>.png``.
"""

from __future__ import annotations

import pytest
from conftest import LESSONS_DIR, lessons
from harness import ARTIFACTS, KernelProbe, LessonPage, WidgetDriver

SHOTS = ARTIFACTS / "screenshots"
LESSONS = lessons() or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"no lessons (*.ipynb) in {LESSONS_DIR}"))]


@pytest.mark.browser
@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: p.stem if p else "none")
def test_lesson_opens_runs_and_responds(notebook, lab, context, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{notebook.stem}.png").unlink(missing_ok=True)  # never a picture of an old run
    lesson = LessonPage(context, lab, lab.root / notebook.name, watch)
    probe = None
    try:
        probe = KernelProbe(lab.connection_file(lesson.kernel_id))
        probe.call("watch_front_end", "None")
        lesson.run_all()
        following = sorted(nb for nb in lab.root.glob("*.ipynb") if nb.name > notebook.name)
        if following:  # its kernel starts while this lesson is tested
            lab.prestart(following[0])
        watch.assert_clean(f"{notebook.name} after Run All")

        in_kernel = {n: (cls, is_figure) for n, cls, is_figure
                     in probe.call("shown_widgets", "None")}
        in_page = lesson.widget_cells()
        unreachable = [i for i, n in in_page if n not in in_kernel]
        assert not unreachable, (
            f"{notebook.name}: cells {unreachable} show a widget that is not the cell's "
            "result (assign it to a name and end the cell with that name)")
        missing = sorted(set(in_kernel) - {n for _, n in in_page})
        assert not missing, f"{notebook.name}: the page does not show the widgets of {missing}"

        drivers = [WidgetDriver(lesson.page, lesson.widget_root(index), probe, f"Out[{n}]",
                                f"{notebook.name}, cell {index} [{n}]", lesson.barrier)
                   for index, n in in_page if in_kernel[n][1]]  # package widgets only
        for driver in drivers:
            driver.check_layout()  # every widget drawn and in step with its kernel
        if drivers:
            drivers[0].root.screenshot(path=str(SHOTS / f"{notebook.stem}.png"))
        changed = probe.call("front_end_changes", "None")
        assert not changed, (
            f"{notebook.name}: showing the widgets changed slider values the kernel had set "
            "(label, set, sent back by the page): " + "; ".join(map(str, changed)) +
            ". A slider moves a value onto its step grid and sends it back.")
        for driver in drivers:
            driver.exercise()

        lesson.assert_no_error_output()
        watch.assert_clean(f"{notebook.name} after using its widgets")
    finally:
        if probe is not None:
            probe.close()
        lab.close_sessions(notebook.name)  # the page closes with its context (after a
        # failure, once its screenshot is saved)
