"""Structure checks over the lesson notebooks: both built editions of every lesson.

Each lesson has one source, ``notebooks/source/NN_name.ipynb``, and two
editions built from it by ``tools/build_editions.py`` (tests/test_editions.py
checks that they are in sync): the learner's (``notebooks/learner``, what
``make lab`` opens), whose exercise cells hold ``...`` placeholders, and the
teacher's (``notebooks/teacher``), with the solutions.

These tests read the stored editions; nbval (``make test``) re-runs them and
compares their outputs.  Here we check what nbval cannot: that every edition
is stored executed, follows the lesson template (learning goals, a
"predict, then check" question whose guess is recorded in code and compared,
at least two exercises, a summary), keeps most outputs compared, stores each
widget as its text repr and last PNG frame, and that the learner's edition
shows no solution: its checkers answer "not answered yet", while every
checker of the teacher's edition passes.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest

from actviz_widgets import i18n

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SETS = [p.parent for p in [NOTEBOOKS / "source", *sorted(NOTEBOOKS.glob("*/source"))]
        if p.is_dir()]
SOURCES = sorted(p for root in SETS for p in (root / "source").glob("*.ipynb"))
LEARNER = sorted(p for root in SETS for p in (root / "learner").glob("*.ipynb"))
TEACHER = sorted(p for root in SETS for p in (root / "teacher").glob("*.ipynb"))
EDITIONS = LEARNER + TEACHER
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
CHECK_CALL = re.compile(r"\bex\.(check_\w+)\(([^)]*)\)")
GUESS_CELL = re.compile(r"^(?:\s*(?:#.*)?\n)*\s*my_guess = .+$", re.S)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORE_TAGS = {"nbval-ignore-output"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not SOURCES, reason="no lessons yet")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def number(path: Path) -> int:
    return int(path.name[:2])


def edition(path: Path) -> str:
    return path.parent.name


#: The lesson template's headings and markers, in each language of the lessons.
MARKERS = {
    "en": {"title": "# Lesson {n} · ", "goals": "## Learning goals", "summary": "## Summary",
           "predict": "**Predict.**", "try": "**Try this**"},
    "zh": {"title": "# 第 {n} 课 · ", "goals": "## 学习目标", "summary": "## 小结",
           "predict": "**预测。**", "try": "**试一试**"},
}
for _lang, _marks in MARKERS.items():
    # what the checkers print, in the lesson's language (the lessons call set_language)
    _marks.update(
        correct=i18n.tr("check.correct", _lang), unanswered=i18n.tr("check.unanswered", _lang),
        start=i18n.tr("check.replace_dots", _lang, prefix="", start="").split("...")[-1].strip(),
        no_guess=i18n.tr("check.guess.none", _lang, actual="").split("(")[0].split("（")[0].strip(),
        right_guess=i18n.tr("check.guess.right", _lang, guess="\0", actual="").split("\0")[0],
        stub={"en": "# your code here", "zh": "# 在这里写你的代码"}[_lang])


def language(path: Path) -> str:
    """``"en"`` for notebooks/<edition>, the folder's name for notebooks/<lang>/<edition>."""
    return path.parent.parent.name if path.parent.parent != NOTEBOOKS else "en"


def marker(path: Path, key: str) -> str:
    return MARKERS[language(path)][key]


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def text_of(cell) -> str:
    """Everything a code cell printed (streams and text/plain results)."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def ignores_output(cell) -> bool:
    tags = set(cell.metadata.get("tags", []))
    return bool(tags & IGNORE_TAGS) or "# NBVAL_IGNORE_OUTPUT" in cell.source


def is_guess_cell(cell) -> bool:
    """A cell that only records a prediction (``my_guess = ...``): it prints nothing."""
    code = "\n".join(line for line in cell.source.splitlines() if "### " not in line)
    return bool(GUESS_CELL.fullmatch(code.strip()))


def ids(paths):
    return [f"{'' if language(p) == 'en' else language(p) + '/'}{edition(p)}/{p.stem}"
            for p in paths]


def test_every_source_has_both_editions_and_nothing_else():
    for root in SETS:
        names = sorted(p.name for p in (root / "source").glob("*.ipynb"))
        for folder in ("learner", "teacher"):
            built = sorted(p.name for p in (root / folder).glob("*.ipynb"))
            assert built == names, f"{root / folder}: run tools/build_editions.py --execute"
    assert not list(NOTEBOOKS.glob("[0-9]*.ipynb")), \
        "lessons live in notebooks/source (one source) and its two built editions"


def test_notebooks_are_numbered_00_to_15_without_duplicates():
    for root in SETS:
        numbers = []
        for path in sorted((root / "source").glob("*.ipynb")):
            assert NAME.match(path.name), f"{path.name}: expected NN_lower_case_name.ipynb"
            numbers.append(number(path))
        assert len(numbers) == len(set(numbers)), f"duplicate lesson numbers: {numbers}"
        assert all(0 <= n <= 15 for n in numbers), numbers
        assert numbers[0] == 0, "lesson 0 (start here) must exist"


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_sources_are_stored_without_outputs(path):
    for cell in code_cells(load(path)):
        assert not cell.outputs and cell.execution_count is None, \
            "a source holds no outputs: they belong to the built editions"


@pytest.mark.parametrize("path", EDITIONS, ids=ids(EDITIONS))
def test_title_goals_and_summary(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(marker(path, "title").format(n=number(path))), \
        first.source[:40]
    md = markdown(nb)
    goals = [i for i, text in enumerate(md)
             if re.search(rf"^{re.escape(marker(path, 'goals'))}$", text, re.M)]
    assert goals and goals[0] <= 1, "learning goals belong at the top"
    assert re.search(rf"^{re.escape(marker(path, 'summary'))}$", md[-1], re.M), \
        "the last Markdown cell is the summary"


@pytest.mark.parametrize("path", EDITIONS, ids=ids(EDITIONS))
def test_stored_executed_in_order_without_errors(path):
    nb = load(path)
    cells = code_cells(nb)
    assert cells
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), \
        f"run top to bottom in one kernel (tools/build_editions.py --execute); counts {counts}"
    for k, cell in enumerate(cells):
        assert cell.outputs or is_guess_cell(cell), \
            f"code cell {k} has no output: {cell.source[:60]!r}"
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {k} stored an error"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"code cell {k} wrote to stderr: {out.text[:200]!r}"
        assert "execution" not in cell.metadata, "volatile metadata: run the execute tool"
    assert "widgets" not in nb.metadata, \
        "saved widget state hides the PNG frames from static renderers"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", EDITIONS, ids=ids(EDITIONS))
def test_at_most_a_third_of_code_cells_ignore_their_output(path):
    cells = code_cells(load(path))
    ignored = sum(ignores_output(c) for c in cells)
    assert 3 * ignored <= len(cells), f"{ignored} of {len(cells)} code cells ignore output"
    for cell in cells:
        tags = set(cell.metadata.get("tags", []))
        assert not tags & {"nbval-skip", "raises-exception"}, cell.source[:60]
        assert "NBVAL_SKIP" not in cell.source


@pytest.mark.parametrize("path", EDITIONS, ids=ids(EDITIONS))
def test_predict_records_a_guess_and_the_reveal_compares_it(path):
    nb = load(path)
    predicts = [i for i, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and marker(path, "predict") in c.source]
    assert predicts, f"at least one '{marker(path, 'predict')}' question"
    for i in predicts:
        following = [c for c in nb.cells[i + 1:] if c.cell_type == "code"]
        assert len(following) >= 2 and is_guess_cell(following[0]), \
            "a prediction is written in code, in the next cell: my_guess = ..."
        reveal = following[1]
        assert "compare_guess(my_guess" in reveal.source, \
            "the cell after the guess reveals the result and compares it with the guess"
        printed = text_of(reveal)
        if edition(path) == "learner":
            assert marker(path, "no_guess") in printed, printed[-300:]
        else:
            assert marker(path, "right_guess") in printed, \
                f"the teacher's edition records the right guess: {printed[-300:]}"


def defined_checkers(path: Path) -> set[str]:
    module = importlib.import_module(f"actviz_widgets.exercises.lesson{number(path):02d}")
    return {name for name, fn in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("check_") and fn.__module__ == module.__name__}


def exercise_cells(nb) -> list[tuple]:
    """(cell, checker names, their first argument) of every cell calling a checker."""
    found = []
    for cell in code_cells(nb):
        calls = CHECK_CALL.findall(cell.source)
        if calls:
            found.append((cell, [name for name, _ in calls], [arg for _, arg in calls]))
    return found


@pytest.mark.parametrize("path", TEACHER, ids=ids(TEACHER))
def test_teacher_edition_solves_every_checker_of_the_lesson(path):
    nb = load(path)
    defined = defined_checkers(path)
    passed = set()
    for cell, calls, args in exercise_cells(nb):
        assert set(calls) <= defined, f"unknown checker(s) {set(calls) - defined}"
        last = cell.source.strip().splitlines()[-1]
        assert not last.startswith("ex.check_"), \
            "assign the checker's result (ok = ex.check_...) so True/False is not printed"
        if all(arg.isidentifier() for arg in args):  # not a demonstration with a literal
            assert "### BEGIN SOLUTION" in cell.source, \
                f"an exercise cell marks its solution: {cell.source[:80]!r}"
        verdict = last_line(text_of(cell))  # what the checker printed, after any table
        if verdict.startswith(marker(path, "correct")) and len(calls) == 1:
            passed.add(calls[0])
    assert len(defined) >= 2, f"lesson module defines {sorted(defined)}"
    assert passed == defined, f"checkers without a stored correct answer: {defined - passed}"


@pytest.mark.parametrize("path", LEARNER, ids=ids(LEARNER))
def test_learner_edition_asks_every_exercise_and_shows_no_solution(path):
    nb = load(path)
    defined = defined_checkers(path)
    asked = set()
    for cell, calls, args in exercise_cells(nb):
        out = text_of(cell)
        assert marker(path, "correct") not in out, f"a solution is in sight: {cell.source[:80]!r}"
        if all(arg.isidentifier() for arg in args):
            verdict = last_line(out)
            assert (verdict.startswith(marker(path, "unanswered"))
                    and marker(path, "start") in verdict), out
            assert re.search(rf"^{re.escape(args[0])} = \.\.\.$", cell.source, re.M) or \
                f"return ...  {marker(path, 'stub')}" in cell.source, cell.source
            asked.update(calls)
    assert asked == defined, f"checkers the learner is never asked about: {defined - asked}"
    for cell in nb.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source
        assert "solution(" not in cell.source, "the learner's edition points to no solution()"


@pytest.mark.parametrize("path", EDITIONS, ids=ids(EDITIONS))
def test_widget_cells_store_a_stable_repr_and_their_png_frame(path):
    nb = load(path)
    n_widgets = 0
    for cell in code_cells(nb):
        for out in cell.outputs:
            assert WIDGET_VIEW not in out.get("data", {}), \
                "stored widget views point nowhere without a kernel: run the execute tool"
        frames = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        if not frames:
            continue
        n_widgets += 1
        data = frames[0].data
        # the convention the browser tests rely on: name = av.Widget(...), then name
        name = cell.source.strip().splitlines()[-1]
        assert name.isidentifier(), f"a widget cell ends with the widget's name; got {name!r}"
        assert re.search(rf"^{name} = av\.\w+\(", cell.source, re.M), cell.source[:80]
        assert frames[0].output_type == "execute_result"
        text = data["text/plain"]
        assert re.fullmatch(r"\w+\(.*\)", text) and "0x" not in text, text
        png = base64.b64decode(data["image/png"])
        assert png.startswith(PNG_MAGIC) and len(png) < 200_000
    if n_widgets:
        assert any(marker(path, "try") in text for text in markdown(nb)), \
            "a lesson with widgets has a 'Try this' list"
