"""The edition builder (tools/build_editions.py) and the sync of the stored editions.

A stored edition is in sync with its source when every cell's type, source
and metadata equal what the tool builds, in order (outputs and execution
counts come from executing the built sources; nbval compares those).  The
first test fails as soon as someone edits a source, or an edition by hand,
without rebuilding.  The last one runs a lesson as an autograder would
(``ACTVIZ_GRADING=1``): the teacher's edition passes, the learner's fails
with the checker's hint.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_editions as be  # noqa: E402  (tools/ is not a package)

SOURCES = sorted((ROOT / "notebooks" / "source").glob("*.ipynb"))


def region(*lines: str, indent: str = "") -> str:
    body = "\n".join(indent + line for line in lines)
    return f"{indent}{be.BEGIN}\n{body}\n{indent}{be.END}"


@pytest.mark.skipif(not SOURCES, reason="no lessons yet")
def test_stored_editions_are_what_the_tool_builds_from_their_sources():
    problems = be.check(be.default_sets())
    assert not problems, ("editions out of sync with notebooks/source; run "
                          "`make editions` (or tools/build_editions.py --execute):\n"
                          + "\n".join(problems))


@pytest.mark.skipif(not SOURCES, reason="no lessons yet")
def test_the_command_line_check_agrees():
    assert be.main(["--check"]) == 0


class TestPlaceholders:
    def test_each_assigned_name_becomes_a_placeholder_in_order(self):
        code = "import math\n\n" + region("a = 1 / (1 + math.exp(-2.0))",
                                          "answer = a * (1 - a)", "a = 3") + "\nok = f(answer)"
        assert be.learner_code(code) == "import math\n\na = ...\nanswer = ...\nok = f(answer)"

    def test_tuples_annotations_augmented_and_functions(self):
        code = region("x, (y, z) = 1, (2, 3)", "w: float = 0.5", "w += 1",
                      "def f(z, *, k=2):", "    return z * k", "W[0, 1] = 5", "obj.attr = 1")
        assert be.learner_code(code).split("\n") == [
            "x = ...", "y = ...", "z = ...", "w = ...", "def f(z, *, k=2):",
            "    return ...  # your code here"]

    def test_a_region_that_assigns_nothing_becomes_an_ellipsis(self):
        assert be.learner_code(region("print(1)")) == "..."

    def test_indentation_of_the_markers_is_kept(self):
        code = "for lr in rates:\n" + region("loss[lr] = 1", "best = lr", indent="    ")
        assert be.learner_code(code) == "for lr in rates:\n    best = ..."

    def test_several_regions_and_code_between_them(self):
        code = region("a = 1") + "\nprint(a)\n" + region("b = 2")
        assert be.learner_code(code) == "a = ...\nprint(a)\nb = ..."

    def test_markdown_region(self):
        text = "Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION\n"
        assert be.learner_markdown(text) == f"Why?\n\n{be.MARKDOWN_STUB}\n"

    def test_chinese_placeholders_speak_chinese_and_keep_the_code(self):
        code = region("def f(z):", "    return z", "answer = f(2)") + "\nok = ex.check(answer)"
        assert be.learner_code(code, "zh").split("\n") == [
            "def f(z):", "    return ...  # 在这里写你的代码", "answer = ...",
            "ok = ex.check(answer)"]
        text = "为什么？\n\n### BEGIN SOLUTION\n因为。\n### END SOLUTION\n"
        assert be.learner_markdown(text, "zh") == "为什么？\n\n*（在这里写你的答案）*\n"

    def test_english_placeholders_are_the_default(self):
        code = region("def f(z):", "    return z")
        assert be.learner_code(code) == be.learner_code(code, "en") == (
            "def f(z):\n    return ...  # your code here")

    def test_a_language_without_placeholders_is_refused(self):
        with pytest.raises(ValueError, match="language must be one of 'en', 'zh'; got 'fr'"):
            be.learner_code(region("a = 1"), "fr")
        with pytest.raises(ValueError, match="got 'fr'"):
            be.build(sample_source(), "learner", "fr")

    @pytest.mark.parametrize("code, message", [
        (f"{be.BEGIN}\na = 1", "without ### END"),
        (f"a = 1\n{be.END}", "without ### BEGIN"),
        (f"{be.BEGIN}\n{be.BEGIN}\n{be.END}\n{be.END}", "inside another region"),
        (f"a = 1  {be.BEGIN}", "stand alone"),
        (f"{be.BEGIN}\na = (\n{be.END}", "not valid Python"),
    ])
    def test_bad_markup_is_refused_with_the_line(self, code, message):
        with pytest.raises(be.SolutionMarkupError, match=message):
            be.learner_code(code)


def lesson(*cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def sample_source() -> nbformat.NotebookNode:
    teacher_note = new_markdown_cell("Answer: 0.5.")
    teacher_note.metadata["tags"] = ["teacher-only"]
    learner_note = new_markdown_cell("Try it yourself.")
    learner_note.metadata["tags"] = ["learner-only"]
    return lesson(new_markdown_cell("# Lesson 0 · x"),
                  new_code_cell(region("answer = 0.5") + "\nok = ex.check(answer)"),
                  teacher_note, learner_note)


class TestBuild:
    def test_teacher_keeps_the_solution_and_its_markers_learner_gets_placeholders(self):
        source = sample_source()
        teacher, learner = be.build(source, "teacher"), be.build(source, "learner")
        assert teacher.cells[1].source == source.cells[1].source
        assert learner.cells[1].source == "answer = ...\nok = ex.check(answer)"
        assert [c.source for c in teacher.cells[2:]] == ["Answer: 0.5."]
        assert [c.source for c in learner.cells[2:]] == ["Try it yourself."]
        assert source.cells[1].source.startswith(be.BEGIN), "the source is not modified"

    def test_built_editions_are_unexecuted(self):
        source = sample_source()
        source.cells[1].outputs = [new_output("stream", name="stdout", text="old")]
        source.cells[1].execution_count = 7
        for name in be.EDITIONS:
            cell = be.build(source, name).cells[1]
            assert cell.outputs == [] and cell.execution_count is None

    def test_unknown_edition(self):
        with pytest.raises(ValueError, match="edition must be one of"):
            be.build(sample_source(), "student")


class TestSync:
    def test_outputs_and_execution_counts_do_not_count(self):
        built = be.build(sample_source(), "learner")
        stored = be.build(sample_source(), "learner")
        stored.cells[1].outputs = [new_output("stream", name="stdout", text="✎ Not answered")]
        stored.cells[1].execution_count = 1
        stored.cells[1].metadata["execution"] = {"iopub.status.busy": "now"}
        assert be.out_of_sync(built, stored) is None

    @pytest.mark.parametrize("change, what", [
        (lambda nb: setattr(nb.cells[1], "source", nb.cells[1].source + "\n"),
         "cell 1: its source"),
        (lambda nb: nb.cells[1].metadata.update(tags=["nbval-ignore-output"]),
         "cell 1: its metadata"),
        (lambda nb: nb.cells.pop(), "cells instead of"),
        (lambda nb: nb.metadata["kernelspec"].update(name="other"), "kernel"),
        (lambda nb: setattr(nb.cells[0], "cell_type", "raw"), "cell 0: its type"),
    ])
    def test_anything_an_author_controls_does(self, change, what):
        built = be.build(sample_source(), "learner")
        stored = be.build(sample_source(), "learner")
        change(stored)
        assert what in be.out_of_sync(built, stored)

    def test_a_set_takes_its_language_from_its_folder(self, tmp_path):
        assert be.set_at(tmp_path / "notebooks").language == "en"
        assert be.set_at(tmp_path / "notebooks" / "zh").language == "zh"
        assert be.set_at(tmp_path / "lessons", "zh").language == "zh"
        languages = {s.source.parent.name: s.language for s in be.default_sets()}
        assert languages.get("notebooks") == "en"
        if (ROOT / "notebooks" / "zh" / "source").is_dir():
            assert languages["zh"] == "zh"

    def test_a_chinese_set_builds_chinese_placeholders(self, tmp_path):
        root = tmp_path / "zh"
        (root / "source").mkdir(parents=True)
        source = lesson(new_markdown_cell("# 第 0 课 · x"), new_code_cell(
            region("def f(z):", "    return z") + "\nok = ex.check(f)"))
        nbformat.write(source, root / "source" / "00_a.ipynb")
        assert be.main(["--root", str(root)]) == 0
        learner = nbformat.read(root / "learner" / "00_a.ipynb", 4)
        assert learner.cells[1].source == (
            "def f(z):\n    return ...  # 在这里写你的代码\nok = ex.check(f)")
        assert be.check([be.set_at(root)]) == []
        # the same edition with English words is out of sync in a Chinese set
        assert "cell 1: its source" in be.check([be.set_at(root, "en")])[0]

    def test_check_finds_missing_stale_and_stray_editions(self, tmp_path):
        sets = be.set_at(tmp_path)
        for folder in ("source", "learner", "teacher"):
            (tmp_path / folder).mkdir()
        nbformat.write(sample_source(), tmp_path / "source" / "00_a.ipynb")
        assert be.check([sets]) == [f"{tmp_path / 'learner' / '00_a.ipynb'}: missing",
                                    f"{tmp_path / 'teacher' / '00_a.ipynb'}: missing"]
        assert be.main(["--root", str(tmp_path)]) == 0  # builds both
        assert be.check([sets]) == []
        assert not be.executed(nbformat.read(tmp_path / "learner" / "00_a.ipynb", 4))
        stale = nbformat.read(tmp_path / "teacher" / "00_a.ipynb", 4)
        stale.cells[1].source = "answer = 0.4\nok = ex.check(answer)"
        nbformat.write(stale, tmp_path / "teacher" / "00_a.ipynb")
        nbformat.write(sample_source(), tmp_path / "learner" / "01_b.ipynb")
        problems = be.check([sets])
        assert len(problems) == 2
        assert "teacher/00_a.ipynb: cell 1: its source differs" in problems[0]
        assert problems[1].endswith("learner/01_b.ipynb: has no source")
        assert be.main(["--root", str(tmp_path), "--check"]) == 1


def run_graded(path: Path) -> None:
    """Execute one edition the way an autograder would: a fresh kernel, grading on."""
    from nbclient import NotebookClient

    import execute_notebooks

    nb = nbformat.read(path, as_version=4)
    env_before = dict(os.environ)
    execute_notebooks.prepare_environment()
    os.environ["ACTVIZ_GRADING"] = "1"  # the kernel inherits it
    try:
        NotebookClient(nb, kernel_name="python3", timeout=120,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)


@pytest.mark.skipif(not SOURCES, reason="no lessons yet")
def test_under_an_autograder_the_teachers_edition_passes_and_the_learners_fails():
    from nbclient.exceptions import CellExecutionError

    run_graded(ROOT / "notebooks" / "teacher" / "02_one_neuron.ipynb")  # raises if any fails
    with pytest.raises(CellExecutionError) as failed:
        run_graded(ROOT / "notebooks" / "learner" / "02_one_neuron.ipynb")
    assert "AssertionError" in str(failed.value)
    assert "Not answered yet" in str(failed.value)
