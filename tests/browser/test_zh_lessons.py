"""Chinese lessons open, run and respond in JupyterLab, in a real browser.

Three lessons of the Chinese learner's edition (``notebooks/zh/learner``),
chosen for their widgets (one neuron, the backpropagation stepper, the
gradient-descent playground), are opened in a JupyterLab serving a
throw-away copy of that folder and run with Run All.  For each: the
rendered headings are Chinese (``第 N 课 · ...`` and Chinese section
titles), no cell shows an error, the kernel speaks Chinese
(``av.set_language("zh")`` in the lesson's first cell), every package
widget's picture arrived and is the kernel's latest frame, one slider moved
and the planned buttons clicked give the engine's numbers (the same
expectations as ``test_lessons.py``, from ``probe.py``), and every text the
widgets and the checkers show in the page (slider and button labels, the
checker's verdict) is Chinese.

One more test opens lesson 2 as a learner on a small screen would, 1280 × 720
with the file browser open, checks that the widget needs no horizontal
scrollbar, and saves the view to
``test-artifacts/screenshots/zh-02_one_neuron-1280x720.png``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from harness import ARTIFACTS, REPO, KernelProbe, LabServer, LessonPage, WidgetDriver

ZH_LEARNER = REPO / "notebooks" / "zh" / "learner"
LESSONS = ["02_one_neuron", "05_backpropagation", "07_gradient_descent"]
SHOTS = ARTIFACTS / "screenshots"
TITLE = re.compile(r"^第 (\d+) 课 · \S")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: A word of three or more Latin letters: English, where a label is not only a symbol
#: ("x₁", "lr", "δ") or a name that stays as it is in Chinese (see ENGLISH_KEPT).
WORD = re.compile(r"[A-Za-z]{3,}")
#: Words a Chinese text keeps in Latin letters (names of functions and methods).
ENGLISH_KEPT = {"tanh", "ReLU", "Leaky", "Sigmoid", "Softmax", "Adam", "SGD", "MSE", "XOR"}


def chinese(text: str) -> bool:
    """True if ``text`` holds at least one CJK ideograph."""
    return bool(CJK.search(text))


def english(text: str) -> bool:
    """True if ``text`` reads as English: no CJK, and a Latin word that is not a kept name."""
    return not chinese(text) and any(w not in ENGLISH_KEPT for w in WORD.findall(text))


@pytest.fixture(scope="module")
def zh_lab(browser, tmp_path_factory, request) -> LabServer:
    """JupyterLab on a copy of the Chinese learner's edition, outputs and widget state cleared."""
    if not all((ZH_LEARNER / f"{name}.ipynb").exists() for name in LESSONS):
        pytest.fail(f"the Chinese lessons {LESSONS} are not all in {ZH_LEARNER}")
    root = tmp_path_factory.mktemp("zh-lessons") / "zh"
    root.mkdir()
    for name in LESSONS:
        content = json.loads((ZH_LEARNER / f"{name}.ipynb").read_text())
        content["metadata"].pop("widgets", None)
        for cell in content["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (root / f"{name}.ipynb").write_text(json.dumps(content, indent=1, ensure_ascii=False))
    server = LabServer(tmp_path_factory.mktemp("zh-jupyterlab"), root)
    request.addfinalizer(server.stop)
    return server


def headings(lesson: LessonPage) -> dict[str, list[str]]:
    """The rendered Markdown headings of the page, by level, without JupyterLab's ¶ anchors."""
    found = {}
    for level in ("h1", "h2", "h3"):
        texts = lesson.page.locator(f".jp-MarkdownCell .jp-RenderedMarkdown {level}")
        found[level] = [t.replace("¶", "").strip() for t in texts.all_inner_texts()]
    return found


def checker_cells(notebook: Path) -> list[int]:
    """Indices of the code cells that call one of the lesson's checkers (``ex.check_...``)."""
    cells = json.loads(notebook.read_text())["cells"]
    return [i for i, c in enumerate(cells)
            if c["cell_type"] == "code" and re.search(r"\bex\.check_\w+\(", "".join(c["source"]))]


#: Run in the lesson's kernel after the probe is loaded.  The probe's engine expectations
#: (probe.py) name a widget's buttons by their English labels ("Next", "Apply update");
#: a Chinese widget's button reads its label from the Chinese catalogue, so its label is
#: looked up there and the English text of the same key is what the expectation gets.
ENGLISH_BUTTON_LABELS = """
def _install():
    import sys
    from actviz_widgets import i18n

    probe = sys.modules["actviz_browser_probe"]

    def english(widget, label):
        language = getattr(widget, "language", None) or i18n.get_language()
        if language == "en":
            return label
        en = i18n.catalogue("en")
        keys = [k for k, v in i18n.catalogue(language).items() if v == label and k in en]
        texts = {en[k] for k in keys}
        if len(texts) != 1:
            raise KeyError(f"the button label {label!r} is the text of {keys or 'no key'} "
                           f"in the {language!r} catalogue: no single English label")
        return texts.pop()

    def translating(method):
        return staticmethod(lambda w, label, saved: method(w, english(w, label), saved))

    for spec in probe.EXPECTATIONS.values():
        for name in ("before_button", "after_button"):
            if hasattr(spec, name):  # a widget without buttons to click has none
                setattr(spec, name, translating(getattr(spec, name)))


_install()
del _install
"""


def open_and_run(context, zh_lab: LabServer, name: str, watch) -> tuple[LessonPage, KernelProbe]:
    lesson = LessonPage(context, zh_lab, zh_lab.root / f"{name}.ipynb", watch)
    probe = KernelProbe(zh_lab.connection_file(lesson.kernel_id))
    probe.execute(ENGLISH_BUTTON_LABELS)
    probe.call("watch_front_end", "None")
    lesson.run_all()
    watch.assert_clean(f"{name} after Run All")
    return lesson, probe


@pytest.mark.browser
@pytest.mark.parametrize("name", LESSONS)
def test_a_chinese_lesson_opens_runs_and_responds_in_chinese(name, zh_lab, context, watch):
    notebook = zh_lab.root / f"{name}.ipynb"
    lesson = probe = None
    try:
        lesson, probe = open_and_run(context, zh_lab, name, watch)

        # the lesson reads in Chinese: its title, and every section heading
        titles = headings(lesson)
        assert len(titles["h1"]) == 1, f"{name}: one title expected, got {titles['h1']}"
        match = TITLE.match(titles["h1"][0])
        assert match and int(match.group(1)) == int(name[:2]), (
            f"{name}: the title is not '第 {int(name[:2])} 课 · ...': {titles['h1'][0]!r}")
        sections = titles["h2"] + titles["h3"]
        assert "学习目标" in titles["h2"] and "小结" in titles["h2"], titles["h2"]
        assert sections and all(chinese(t) for t in sections), (
            f"{name}: headings without Chinese: {[t for t in sections if not chinese(t)]}")
        # and so does the kernel: the first cell chose Chinese for the widgets and hints
        assert probe.evaluate("__import__('actviz_widgets').get_language()") == "zh"

        in_kernel = {n: (cls, is_figure) for n, cls, is_figure
                     in probe.call("shown_widgets", "None")}
        in_page = lesson.widget_cells()
        assert in_page, f"{name}: no widget in the page"
        assert sorted(n for _, n in in_page) == sorted(in_kernel), (
            f"{name}: the page shows the widgets of {[n for _, n in in_page]}, the kernel "
            f"has {sorted(in_kernel)}")
        drivers = [WidgetDriver(lesson.page, lesson.widget_root(index), probe, f"Out[{n}]",
                                f"{name}, cell {index} [{n}]", lesson.barrier)
                   for index, n in in_page if in_kernel[n][1]]
        assert drivers, f"{name}: no package widget in the page"
        for driver in drivers:
            driver.check_layout()  # every picture arrived, and it is the kernel's latest
            labels = [s["label"] for s in driver.info["sliders"]] + [
                b["label"] for b in driver.info["buttons"]]
            in_english = [label for label in labels if english(label)]
            assert not in_english, f"{driver.where}: controls labelled in English: {in_english}"
        changed = probe.call("front_end_changes", "None")
        assert not changed, f"{name}: showing the widgets changed the kernel's values: {changed}"
        for driver in drivers:
            driver.exercise()  # a slider and the buttons: the picture follows the engine

        # the learner's edition asks every exercise: each checker answers in Chinese
        asked = checker_cells(notebook)
        assert asked, f"{name}: no checker cell"
        for index in asked:
            verdict = lesson.cell(index).locator(".jp-OutputArea-output").all_inner_texts()
            assert verdict and chinese(" ".join(verdict)), (
                f"{name}: the checker of cell {index} does not answer in Chinese: {verdict}")

        lesson.assert_no_error_output()
        watch.assert_clean(f"{name} after using its widgets")
    finally:
        if probe is not None:
            probe.close()
        zh_lab.close_sessions(f"{name}.ipynb")


@pytest.mark.browser
def test_lesson_2_fits_a_small_screen_with_the_file_browser_open(zh_lab, context, watch):
    name = "02_one_neuron"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"zh-{name}-1280x720.png"
    shot.unlink(missing_ok=True)  # never a picture of an old run
    lesson = probe = None
    try:
        lesson, probe = open_and_run(context, zh_lab, name, watch)
        page = lesson.page
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
        listing = page.locator(".jp-DirListing-item", has_text=f"{name}.ipynb")
        listing.first.wait_for()  # the file browser is open and lists the lesson
        (index, n), *_ = lesson.widget_cells()
        root = lesson.widget_root(index)
        driver = WidgetDriver(page, root, probe, f"Out[{n}]", f"{name}, cell {index}",
                              lesson.barrier)
        driver.wait_synced()  # the layout changed: the picture is still the kernel's
        root.scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
        overflow = root.evaluate("""(root) => {
          const out = [];
          for (const el of [root, ...root.querySelectorAll('*')]) {
            const style = getComputedStyle(el);
            if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
              out.push(`${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
          }
          const area = root.closest('.jp-OutputArea-output');
          if (area && area.scrollWidth > area.clientWidth + 1)
            out.push(`output area: ${area.scrollWidth} > ${area.clientWidth}`);
          return out;
        }""")
        assert not overflow, (
            f"{name} at 1280 × 720 with the file browser open scrolls sideways: {overflow} "
            f"(see {shot})")
    finally:
        if probe is not None:
            probe.close()
        zh_lab.close_sessions(f"{name}.ipynb")
