"""Command line: where the lessons are, and a copy of them to work in.

``python -m actviz_widgets`` (or the ``actviz-widgets`` command) prints the
version, where the installed lessons are and how to open them;
``python -m actviz_widgets lessons [DIR]`` copies the learner's edition of
every lesson into DIR (``--teacher``: the teacher's edition, with the
solutions; ``--lang zh``: the Chinese lessons).

The lessons are installed with the package (``actviz_widgets/lessons``,
built from ``notebooks/`` by setup.py); in a source checkout they are read
from ``notebooks/`` directly.  A copy never replaces a notebook the learner
has changed unless asked to (``--force``): the copy records what it wrote in
``.actviz-lessons.json``, so a notebook still exactly as copied is updated
when a newer version of the package brings a newer lesson, and one that
differs is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__

__all__ = ["CopyReport", "available_languages", "copy_lessons", "lessons_root", "main"]

EDITIONS = ("learner", "teacher")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}
MANIFEST = ".actviz-lessons.json"
_PACKAGE = Path(__file__).resolve().parent


def lessons_root() -> Path | None:
    """The folder holding the lessons' editions, or None if there is none.

    Installed from a wheel: ``actviz_widgets/lessons``.  A source checkout
    (an editable install): the repository's ``notebooks`` folder.  English
    editions are ``<root>/learner`` and ``<root>/teacher``; another
    language's are ``<root>/<lang>/learner`` and ``<root>/<lang>/teacher``.
    """
    for root in (_PACKAGE / "lessons", _PACKAGE.parent / "notebooks"):
        if any(_edition_dir(root, "en", edition).is_dir() for edition in EDITIONS):
            return root
    return None


def _edition_dir(root: Path, lang: str, edition: str) -> Path:
    return root / edition if lang == "en" else root / lang / edition


def _notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []


def available_languages(root: Path | None = None) -> dict[str, dict[str, int]]:
    """Languages with lessons: ``{lang: {edition: number of notebooks}}``.

    Parameters
    ----------
    root : pathlib.Path, optional
        The lessons folder; default :func:`lessons_root`.

    Returns
    -------
    dict
        Only languages with at least one notebook in an edition, English
        (``"en"``) first.
    """
    root = lessons_root() if root is None else root
    if root is None:
        return {}
    candidates = ["en", *sorted(p.name for p in root.iterdir()
                                if p.is_dir() and p.name not in EDITIONS)]
    found = {}
    for lang in candidates:
        counts = {edition: len(_notebooks(_edition_dir(root, lang, edition)))
                  for edition in EDITIONS}
        if any(counts.values()):
            found[lang] = counts
    return found


def _language_name(lang: str) -> str:
    name = LANGUAGE_NAMES.get(lang)
    return f"{name} ({lang})" if name else lang


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CopyReport:
    """What :func:`copy_lessons` did, notebook by notebook (file names).

    Attributes
    ----------
    destination : pathlib.Path
        The folder the lessons were copied into.
    copied : list of str
        New in the folder.
    updated : list of str
        Were exactly as an earlier copy left them; replaced by the
        package's newer version.
    unchanged : list of str
        Already identical to the package's.
    kept : list of str
        Changed since they were copied (or not copied by this command):
        left alone, since ``force`` was not given.
    replaced : list of str
        Changed, but replaced because ``force`` was given.
    """

    destination: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Sentences saying what was done, one per kind of outcome."""
        lines = []
        for names, verb in ((self.copied, "copied"),
                            (self.updated, "updated to this version (you had not changed them)"),
                            (self.replaced, "replaced although you had changed them (--force)"),
                            (self.unchanged, "already there and up to date")):
            if names:
                lines.append(f"{len(names)} {_notebooks_word(names)} {verb}: {', '.join(names)}")
        if self.kept:
            them = "it" if len(self.kept) == 1 else "them"
            lines.append(f"{len(self.kept)} {_notebooks_word(self.kept)} not replaced, since "
                         f"{them} differ{'s' if them == 'it' else ''} from the lesson as shipped "
                         f"(your work): {', '.join(self.kept)}.  To replace {them} with a fresh "
                         "copy, run again with --force (your changes will be lost).")
        return "\n".join(lines)


def _notebooks_word(names: Sequence[str]) -> str:
    return "notebook" if len(names) == 1 else "notebooks"


def copy_lessons(destination: str | Path, *, edition: str = "learner", lang: str = "en",
                 force: bool = False, root: Path | None = None) -> CopyReport:
    """Copy one edition of every lesson into a folder, keeping a learner's work.

    Parameters
    ----------
    destination : str or pathlib.Path
        Folder to copy into; created if missing.
    edition : {"learner", "teacher"}, default "learner"
        The learner's edition (exercises left to do) or the teacher's (with
        the solutions).
    lang : str, default "en"
        Language of the lessons, e.g. ``"en"`` or ``"zh"``.
    force : bool, default False
        Replace notebooks that were changed since they were copied.
    root : pathlib.Path, optional
        The lessons folder; default :func:`lessons_root`.

    Returns
    -------
    CopyReport
        What was copied, updated, left unchanged, kept or replaced.

    Raises
    ------
    ValueError
        Unknown edition; a language whose lessons are not in this version;
        a folder that already holds another edition or language (unless
        ``force``).
    FileNotFoundError
        No lessons are installed at all.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}; got {edition!r}")
    if not isinstance(lang, str) or not lang:
        raise TypeError(f"lang must be a language code such as 'en' or 'zh'; got {lang!r}")
    root = lessons_root() if root is None else root
    if root is None:
        raise FileNotFoundError(
            "no lessons found: neither actviz_widgets/lessons (an installed wheel) nor "
            "notebooks/ next to the package (a source checkout) holds them")
    sources = _notebooks(_edition_dir(root, lang, edition))
    if not sources:
        have = available_languages(root)
        listed = ", ".join(_language_name(code) for code in have) or "none"
        raise ValueError(f"the {_language_name(lang)} lessons ({edition}'s edition) are not in "
                         f"actviz_widgets {__version__} yet; available: {listed}")

    destination = Path(destination)
    if destination.exists() and not destination.is_dir():
        raise ValueError(f"destination must be a folder; {destination} is a file")
    destination.mkdir(parents=True, exist_ok=True)
    manifest_path = destination / MANIFEST
    manifest = _read_manifest(manifest_path)
    held = (manifest.get("edition"), manifest.get("lang"))
    if manifest and held != (edition, lang) and not force:
        raise ValueError(
            f"{destination} already holds the {held[0]}'s edition in {_language_name(str(held[1]))}; "
            f"copy the {edition}'s edition in {_language_name(lang)} into another folder, "
            "or pass --force (force=True) to mix them")
    written: dict[str, str] = dict(manifest.get("files", {})) if held == (edition, lang) else {}

    report = CopyReport(destination=destination)
    for source in sources:
        target = destination / source.name
        digest = _sha256(source)
        if not target.exists():
            shutil.copyfile(source, target)
            report.copied.append(source.name)
        else:
            current = _sha256(target)
            if current == digest:
                report.unchanged.append(source.name)
            elif written.get(source.name) == current:
                shutil.copyfile(source, target)
                report.updated.append(source.name)
            elif force:
                shutil.copyfile(source, target)
                report.replaced.append(source.name)
            else:
                report.kept.append(source.name)
                continue  # the manifest keeps what was last written, not the learner's file
        written[source.name] = digest
    manifest_path.write_text(json.dumps(
        {"package": "actviz_widgets", "version": __version__, "edition": edition,
         "lang": lang, "files": dict(sorted(written.items()))}, indent=1) + "\n",
        encoding="utf-8")
    return report


def _read_manifest(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # unreadable: treat every differing notebook as the learner's
    return data if isinstance(data, dict) else {}


def _how_to_open(folder: str) -> str:
    return (f"  JupyterLab:  jupyter lab {folder}\n"
            f"  Notebook 7:  jupyter notebook {folder}\n"
            f"  VS Code:     code {folder}   (open a lesson, pick this Python as the kernel)\n"
            f"  Voila:       voila {folder}/00_start_here.ipynb   (widgets only, no code)")


def _info() -> str:
    root = lessons_root()
    lines = [f"actviz_widgets {__version__}: Jupyter widgets that teach how neural networks work.",
             ""]
    if root is None:
        lines.append("No lessons are installed with this copy of the package.")
        return "\n".join(lines)
    lines.append(f"Lessons: {root}")
    for lang, counts in available_languages(root).items():
        editions = ", ".join(f"{counts[e]} in the {e}'s edition" for e in EDITIONS if counts[e])
        lines.append(f"  {_language_name(lang)}: {editions}")
    lines += ["",
              "Copy them into a folder of your own, then open that folder:",
              "  python -m actviz_widgets lessons actviz-lessons        (the learner's edition)",
              "  python -m actviz_widgets lessons --teacher DIR         (with the solutions)",
              "  python -m actviz_widgets lessons --lang zh DIR         (Chinese, if listed above)",
              _how_to_open("actviz-lessons"),
              "Start with 00_start_here.ipynb."]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actviz_widgets",
        description="Where the actviz_widgets lessons are, and a copy of them to work in. "
                    "Without a command: the version, where the lessons are, how to open them.")
    parser.add_argument("--version", action="version", version=f"actviz_widgets {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    lessons = commands.add_parser(
        "lessons", help="copy the lessons into a folder",
        description="Copy every lesson into DIR.  A notebook you have changed is never "
                    "replaced unless you pass --force.")
    lessons.add_argument("dir", nargs="?", default=None, metavar="DIR",
                         help="folder to copy into (default: ./actviz-lessons, with -teacher "
                              "and -LANG added for the other editions and languages)")
    lessons.add_argument("--teacher", action="store_true",
                         help="the teacher's edition, with the solutions")
    lessons.add_argument("--lang", default="en", metavar="LANG",
                         help="language of the lessons: en (default) or zh")
    lessons.add_argument("--force", action="store_true",
                         help="replace notebooks you have changed (your changes are lost)")
    return parser


def _default_dir(edition: str, lang: str) -> str:
    return "actviz-lessons" + ("" if lang == "en" else f"-{lang}") + (
        "-teacher" if edition == "teacher" else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 1 failure, 2 usage)."""
    args = _parser().parse_args(argv)
    if args.command is None:
        print(_info())
        return 0
    edition = "teacher" if args.teacher else "learner"
    folder = args.dir if args.dir is not None else _default_dir(edition, args.lang)
    try:
        report = copy_lessons(folder, edition=edition, lang=args.lang, force=args.force)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"actviz_widgets: {error}", file=sys.stderr)
        return 1
    print(f"The {edition}'s edition of the {_language_name(args.lang)} lessons "
          f"(actviz_widgets {__version__}) in {report.destination.resolve()}:")
    print(report.summary())
    print("\nOpen them with one of:")
    print(_how_to_open(str(folder)))
    return 0
