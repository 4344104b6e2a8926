"""Structure checks over the lesson notebooks (notebooks/*.ipynb).

These read the stored notebooks; nbval (``make test``) re-runs them and
compares their outputs.  Here we check what nbval cannot: that every lesson
is stored executed, follows the lesson template (learning goals, a
"predict, then check" question, at least two exercises whose checkers
accept the stored answers, a summary), keeps most outputs compared, and
stores each widget as its text repr and last PNG frame, which renderers
without a kernel (JupyterLab, GitHub, nbconvert's HTML) show.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
CHECK_CALL = re.compile(r"\bex\.(check_\w+)\(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORE_TAGS = {"nbval-ignore-output"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not PATHS, reason="no notebooks yet")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def number(path: Path) -> int:
    return int(path.name[:2])


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


def ignores_output(cell) -> bool:
    tags = set(cell.metadata.get("tags", []))
    return bool(tags & IGNORE_TAGS) or "# NBVAL_IGNORE_OUTPUT" in cell.source


ids = [p.stem for p in PATHS]


def test_notebooks_are_numbered_00_to_10_without_duplicates():
    numbers = []
    for path in PATHS:
        assert NAME.match(path.name), f"{path.name}: expected NN_lower_case_name.ipynb"
        numbers.append(number(path))
    assert len(numbers) == len(set(numbers)), f"duplicate lesson numbers: {numbers}"
    assert all(0 <= n <= 10 for n in numbers), numbers
    assert numbers[0] == 0, "lesson 00 (start here) must exist"


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_title_goals_and_summary(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# Lesson {number(path)} · "), first.source[:40]
    md = markdown(nb)
    goals = [i for i, text in enumerate(md) if re.search(r"^## Learning goals$", text, re.M)]
    assert goals and goals[0] <= 1, "learning goals belong at the top"
    assert re.search(r"^## Summary$", md[-1], re.M), "the last Markdown cell is the summary"


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_stored_executed_in_order_without_errors(path):
    nb = load(path)
    cells = code_cells(nb)
    assert cells
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), \
        f"run top to bottom in one kernel (tools/execute_notebooks.py); counts {counts}"
    for k, cell in enumerate(cells):
        assert cell.outputs, f"code cell {k} has no output: {cell.source[:60]!r}"
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {k} stored an error"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"code cell {k} wrote to stderr: {out.text[:200]!r}"
        assert "execution" not in cell.metadata, "volatile metadata: run the execute tool"
    assert "widgets" not in nb.metadata, \
        "saved widget state hides the PNG frames from static renderers"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_at_most_a_third_of_code_cells_ignore_their_output(path):
    cells = code_cells(load(path))
    ignored = sum(ignores_output(c) for c in cells)
    assert 3 * ignored <= len(cells), f"{ignored} of {len(cells)} code cells ignore output"
    for cell in cells:
        tags = set(cell.metadata.get("tags", []))
        assert not tags & {"nbval-skip", "raises-exception"}, cell.source[:60]
        assert "NBVAL_SKIP" not in cell.source


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_predict_then_check(path):
    nb = load(path)
    predicts = [i for i, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and "**Predict.**" in c.source]
    assert predicts, "at least one '**Predict.**' question"
    for i in predicts:
        following = [c for c in nb.cells[i + 1:] if c.cell_type == "code"]
        assert following and text_of(following[0]).strip(), \
            "a prediction is checked by the next code cell, which prints the result"


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_exercises_call_every_checker_of_the_lesson_and_pass(path):
    nb = load(path)
    module = importlib.import_module(f"actviz_widgets.exercises.lesson{number(path):02d}")
    defined = {name for name, fn in inspect.getmembers(module, inspect.isfunction)
               if name.startswith("check_") and fn.__module__ == module.__name__}
    passed = set()
    for cell in code_cells(nb):
        calls = CHECK_CALL.findall(cell.source)
        if not calls:
            continue
        assert set(calls) <= defined, f"unknown checker(s) {set(calls) - defined}"
        out = text_of(cell)
        last = cell.source.strip().splitlines()[-1]
        assert not last.startswith("ex.check_"), \
            "assign the checker's result (ok = ex.check_...) so True/False is not printed"
        if out.startswith("✔ Correct!") and len(calls) == 1:
            passed.add(calls[0])
    assert len(defined) >= 2, f"lesson module defines {sorted(defined)}"
    assert passed == defined, f"checkers without a stored correct answer: {defined - passed}"


@pytest.mark.parametrize("path", PATHS, ids=ids)
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
        assert any("**Try this**" in text for text in markdown(nb)), \
            "a lesson with widgets has a 'Try this' list"
