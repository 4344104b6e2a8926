"""The command line: ``python -m actviz_widgets [lessons DIR]``.

Most tests copy from a small lessons folder made here (so that they can
change "the package's" lessons and see an update arrive); one checks the
real lessons of this checkout, and one runs ``python -m actviz_widgets`` as a
learner would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import actviz_widgets
from actviz_widgets import cli

REPO = Path(__file__).resolve().parent.parent


def _notebook(text: str) -> str:
    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A lessons folder: two English lessons in both editions, one Chinese."""
    root = tmp_path / "lessons"
    for edition in ("learner", "teacher"):
        for name in ("00_start_here", "01_activation_functions"):
            path = root / edition / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_notebook(f"{name} ({edition})"), encoding="utf-8")
        path = root / "zh" / edition / "00_start_here.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_notebook(f"从这里开始 ({edition})"), encoding="utf-8")
    (root / "source").mkdir()  # the sources are not an edition nor a language
    (root / "source" / "00_start_here.ipynb").write_text(_notebook("source"), encoding="utf-8")
    return root


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb"))}


def test_copies_the_learners_edition_byte_for_byte(root, tmp_path):
    report = cli.copy_lessons(tmp_path / "mine", root=root)
    assert _bytes(tmp_path / "mine") == _bytes(root / "learner")
    assert report.copied == ["00_start_here.ipynb", "01_activation_functions.ipynb"]
    assert report.updated == report.unchanged == report.kept == report.replaced == []
    assert "2 notebooks copied" in report.summary()


def test_teacher_and_other_language_come_from_their_folders(root, tmp_path):
    cli.copy_lessons(tmp_path / "t", edition="teacher", root=root)
    assert _bytes(tmp_path / "t") == _bytes(root / "teacher")
    cli.copy_lessons(tmp_path / "zh", lang="zh", root=root)
    assert _bytes(tmp_path / "zh") == _bytes(root / "zh" / "learner")
    assert cli.available_languages(root) == {"en": {"learner": 2, "teacher": 2},
                                             "zh": {"learner": 1, "teacher": 1}}


def test_a_second_copy_changes_nothing(root, tmp_path):
    cli.copy_lessons(tmp_path / "mine", root=root)
    report = cli.copy_lessons(tmp_path / "mine", root=root)
    assert report.unchanged == ["00_start_here.ipynb", "01_activation_functions.ipynb"]
    assert report.copied == report.kept == []


def test_an_edited_notebook_is_kept_unless_forced(root, tmp_path):
    mine = tmp_path / "mine"
    cli.copy_lessons(mine, root=root)
    edited = _notebook("my answers")
    (mine / "01_activation_functions.ipynb").write_text(edited, encoding="utf-8")
    report = cli.copy_lessons(mine, root=root)
    assert report.kept == ["01_activation_functions.ipynb"]
    assert report.unchanged == ["00_start_here.ipynb"]
    assert (mine / "01_activation_functions.ipynb").read_text(encoding="utf-8") == edited
    assert "--force" in report.summary()
    # Asked again: still kept (what the copy wrote is remembered, not the edit).
    assert cli.copy_lessons(mine, root=root).kept == ["01_activation_functions.ipynb"]

    report = cli.copy_lessons(mine, root=root, force=True)
    assert report.replaced == ["01_activation_functions.ipynb"]
    assert _bytes(mine) == _bytes(root / "learner")


def test_a_notebook_the_learner_did_not_touch_follows_a_new_version(root, tmp_path):
    mine = tmp_path / "mine"
    cli.copy_lessons(mine, root=root)
    (mine / "00_start_here.ipynb").write_text(_notebook("my notes"), encoding="utf-8")
    # A newer package changes both lessons.
    for name in ("00_start_here", "01_activation_functions"):
        (root / "learner" / f"{name}.ipynb").write_text(_notebook(f"{name} v2"), encoding="utf-8")
    report = cli.copy_lessons(mine, root=root)
    assert report.updated == ["01_activation_functions.ipynb"]
    assert report.kept == ["00_start_here.ipynb"]
    assert (mine / "01_activation_functions.ipynb").read_text(encoding="utf-8") == \
        _notebook("01_activation_functions v2")
    assert (mine / "00_start_here.ipynb").read_text(encoding="utf-8") == _notebook("my notes")


def test_a_notebook_already_there_but_not_copied_by_us_is_kept(root, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "00_start_here.ipynb").write_text(_notebook("someone's own"), encoding="utf-8")
    report = cli.copy_lessons(mine, root=root)
    assert report.kept == ["00_start_here.ipynb"]
    assert report.copied == ["01_activation_functions.ipynb"]


def test_a_missing_language_says_so_and_lists_the_others(root, tmp_path):
    with pytest.raises(ValueError, match=r"the fr lessons .* not in actviz_widgets") as info:
        cli.copy_lessons(tmp_path / "fr", lang="fr", root=root)
    assert "available: English (en), Chinese (zh)" in str(info.value)
    assert not (tmp_path / "fr").exists()


def test_one_folder_holds_one_edition(root, tmp_path):
    mine = tmp_path / "mine"
    cli.copy_lessons(mine, root=root)
    with pytest.raises(ValueError, match="already holds the learner's edition"):
        cli.copy_lessons(mine, edition="teacher", root=root)
    report = cli.copy_lessons(mine, edition="teacher", root=root, force=True)
    assert report.replaced == ["00_start_here.ipynb", "01_activation_functions.ipynb"]
    assert _bytes(mine) == _bytes(root / "teacher")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"edition": "solutions"}, ValueError, "edition must be one of"),
    ({"lang": ""}, TypeError, "lang must be a language code"),
    ({"lang": None}, TypeError, "lang must be a language code"),
])
def test_bad_arguments_are_refused(root, tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        cli.copy_lessons(tmp_path / "x", root=root, **kwargs)


def test_the_destination_must_be_a_folder(root, tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="must be a folder"):
        cli.copy_lessons(tmp_path / "file", root=root)


def test_the_checkouts_lessons_are_found_and_copied_whole(tmp_path):
    root = cli.lessons_root()
    assert root is not None
    if root == REPO / "notebooks":  # a source checkout (editable install)
        expected = _bytes(REPO / "notebooks" / "learner")
    else:  # installed from a wheel
        expected = _bytes(root / "learner")
    assert expected, "no learner's edition found"
    cli.copy_lessons(tmp_path / "mine")
    assert _bytes(tmp_path / "mine") == expected


# ---- the command line itself -------------------------------------------------

def test_no_command_prints_version_lessons_and_how_to_open(root, monkeypatch, capsys):
    monkeypatch.setattr(cli, "lessons_root", lambda: root)
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert f"actviz_widgets {actviz_widgets.__version__}" in out
    assert f"Lessons: {root}" in out
    assert "English (en): 2 in the learner's edition, 2 in the teacher's edition" in out
    assert "Chinese (zh): 1 in the learner's edition, 1 in the teacher's edition" in out
    assert "jupyter lab actviz-lessons" in out
    assert "voila" in out


def test_lessons_default_folders_and_exit_codes(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "lessons_root", lambda: root)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["lessons"]) == 0
    assert _bytes(tmp_path / "actviz-lessons") == _bytes(root / "learner")
    assert "2 notebooks copied" in capsys.readouterr().out
    assert cli.main(["lessons", "--teacher", "--lang", "zh"]) == 0
    assert _bytes(tmp_path / "actviz-lessons-zh-teacher") == _bytes(root / "zh" / "teacher")

    (tmp_path / "actviz-lessons" / "00_start_here.ipynb").write_text("edited", encoding="utf-8")
    assert cli.main(["lessons"]) == 0
    out = capsys.readouterr().out
    assert "1 notebook not replaced, since it differs" in out and "--force" in out
    assert (tmp_path / "actviz-lessons" / "00_start_here.ipynb").read_text(encoding="utf-8") == "edited"
    assert cli.main(["lessons", "--force"]) == 0
    assert _bytes(tmp_path / "actviz-lessons") == _bytes(root / "learner")

    assert cli.main(["lessons", "--lang", "fr", "elsewhere"]) == 1
    assert "not in actviz_widgets" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere").exists()


def test_python_dash_m_runs_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "actviz_widgets", "--version"],
                          capture_output=True, text=True, cwd=REPO, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"actviz_widgets {actviz_widgets.__version__}"
    done = subprocess.run([sys.executable, "-m", "actviz_widgets", "lessons", str(tmp_path / "l")],
                          capture_output=True, text=True, cwd=REPO, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "l").glob("*.ipynb")) == \
        sorted(p.name for p in (cli.lessons_root() / "learner").glob("*.ipynb"))
