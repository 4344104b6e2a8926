"""Build the learner's and the teacher's edition of every lesson from its one source.

Usage (from the repository root)::

    .venv/bin/python tools/build_editions.py             # rebuild what changed, unexecuted
    .venv/bin/python tools/build_editions.py --execute   # ... and execute what changed
    .venv/bin/python tools/build_editions.py --execute --force   # execute every edition
    .venv/bin/python tools/build_editions.py --check     # exit 1 if an edition is out of sync
    .venv/bin/python tools/build_editions.py --execute 05_gradient_descent   # one lesson

``make editions`` runs ``--execute --force``: every edition of every lesson,
built and executed again (after a change to the widgets, say).

Layout.  A *set* of lessons is a folder with ``source/``, ``learner/`` and
``teacher/`` in it: ``notebooks/`` (English) and, where it exists,
``notebooks/zh/``.  ``--root DIR`` builds one set; ``--source``,
``--learner`` and ``--teacher`` name the three folders one by one.

Solution regions.  In a source lesson, a code cell marks what the learner
must write as nbgrader does::

    ### BEGIN SOLUTION
    a = 1 / (1 + math.exp(-2.0))
    answer = a * (1 - a)
    ### END SOLUTION
    ok = ex.check_sigmoid_derivative(answer)

* The **teacher's edition** keeps the cell as it is, markers included, so it
  runs with the solutions and nbgrader can still find its regions.
* The **learner's edition** replaces each region with a placeholder at the
  marker's indentation: ``name = ...`` for every name the region assigns at
  its top level (in the order they are first assigned), ``def f(z):`` with
  ``return ...`` for a function it defines, and a bare ``...`` when it does
  neither.  The example above becomes ``answer = ...`` (``a`` is assigned
  first, so it comes first: ``a = ...`` then ``answer = ...``).  The checkers
  answer ``...`` with a kind "not answered yet" and a first hint, so the
  learner's edition runs from top to bottom without an error.
* A Markdown cell's region becomes *"(your answer here)"*.
* The words of a placeholder are in the set's language: a set under
  ``notebooks/zh/`` writes ``# 在这里写你的代码`` and *"（在这里写你的答案）"*
  (``--language`` chooses for ``--source``/``--learner``/``--teacher``).
* A cell tagged ``teacher-only`` is left out of the learner's edition, one
  tagged ``learner-only`` out of the teacher's.

Both editions are written unexecuted and then, with ``--execute``, executed
in place by ``tools/execute_notebooks.py`` (the same fresh kernel, stripped
of what changes from run to run), so that nbval can compare their outputs.

In sync.  An edition is in sync with its source when everything an author
controls equals what this tool builds: the cells' types, sources and
metadata (tags and the like), in order, and the notebook's kernel and
language.  Outputs and execution counts are left out: they come from
executing the built sources, and nbval (``make test``) checks them against a
fresh run.  ``--check`` and ``tests/test_editions.py`` use
:func:`out_of_sync`.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

EDITIONS = ("learner", "teacher")
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>### (?:BEGIN|END) SOLUTION)[ \t]*$")
MARKDOWN_STUB = "*(your answer here)*"
#: The placeholders' words in each language of a lesson set (English is the default).
STUBS = {
    "en": {"code": "# your code here", "markdown": MARKDOWN_STUB},
    "zh": {"code": "# 在这里写你的代码", "markdown": "*（在这里写你的答案）*"},
}
ONLY_TAG = {"learner": "teacher-only", "teacher": "learner-only"}  # tag that drops a cell
#: Cell metadata that a run or a front end changes; not part of the comparison.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")


class SolutionMarkupError(ValueError):
    """A source cell's solution markers do not pair up."""


def _regions(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, indentation) of each marked region, lines 0-based."""
    regions, begin = [], None
    for k, line in enumerate(source.split("\n")):
        match = _MARKER.match(line)
        if match is None:
            if BEGIN in line or END in line:
                raise SolutionMarkupError(
                    f"line {k + 1}: a solution marker must stand alone on its line; got {line!r}")
            continue
        if match["mark"] == BEGIN:
            if begin is not None:
                raise SolutionMarkupError(f"line {k + 1}: {BEGIN} inside another region")
            begin = (k, match["indent"])
        else:
            if begin is None:
                raise SolutionMarkupError(f"line {k + 1}: {END} without {BEGIN}")
            regions.append((begin[0], k, begin[1]))
            begin = None
    if begin is not None:
        raise SolutionMarkupError(f"line {begin[0] + 1}: {BEGIN} without {END}")
    return regions


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _assigned_names(element)]
    return []  # an attribute or a subscript: not a new name


def _stubs(language: str) -> dict[str, str]:
    if language not in STUBS:
        raise ValueError(f"language must be one of {', '.join(map(repr, STUBS))}; "
                         f"got {language!r}")
    return STUBS[language]


def placeholder(solution: str, indent: str = "", language: str = "en") -> list[str]:
    """The learner's placeholder lines for one solution region (see the module doc).

    Parameters
    ----------
    solution : str
        The region's code, without its markers.
    indent : str
        The indentation of the region's markers.
    language : {"en", "zh"}
        The language of the placeholder's comment.

    Returns
    -------
    list of str
        The lines that replace the region.
    """
    try:
        tree = ast.parse(textwrap.dedent(solution))
    except SyntaxError as exc:
        raise SolutionMarkupError(f"a solution region is not valid Python: {exc}") from None
    comment = _stubs(language)["code"]
    lines: list[str] = []
    seen: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines += [f"{indent}def {node.name}({ast.unparse(node.args)}):",
                      f"{indent}    return ...  {comment}"]
            seen.add(node.name)
            continue
        if isinstance(node, ast.Assign):
            targets = [name for target in node.targets for name in _assigned_names(target)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = _assigned_names(node.target)
        else:
            targets = []
        for name in targets:
            if name not in seen:
                seen.add(name)
                lines.append(f"{indent}{name} = ...")
    return lines or [f"{indent}..."]


def learner_code(source: str, language: str = "en") -> str:
    """A code cell's source with each solution region replaced by its placeholder."""
    lines = source.split("\n")
    out: list[str] = []
    last = 0
    for first, end, indent in _regions(source):
        out += lines[last:first]
        out += placeholder("\n".join(lines[first + 1:end]), indent, language)
        last = end + 1
    out += lines[last:]
    return "\n".join(out)


def learner_markdown(source: str, language: str = "en") -> str:
    """A Markdown cell's source with each solution region replaced by a stub."""
    stub = _stubs(language)["markdown"]
    lines = source.split("\n")
    out: list[str] = []
    last = 0
    for first, end, _indent in _regions(source):
        out += [*lines[last:first], stub]
        last = end + 1
    out += lines[last:]
    return "\n".join(out)


def build(source_nb: nbformat.NotebookNode, edition: str,
          language: str = "en") -> nbformat.NotebookNode:
    """One edition of a source lesson, unexecuted.

    Parameters
    ----------
    source_nb : nbformat.NotebookNode
        The source lesson.
    edition : {"learner", "teacher"}
        Which edition.
    language : {"en", "zh"}
        The language of the lesson set: the learner's placeholders are written in it.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook: no outputs, no execution counts.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}; got {edition!r}")
    _stubs(language)
    nb = copy.deepcopy(source_nb)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if ONLY_TAG[edition] in tags:
            continue
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            _regions(cell.source)  # a teacher's cell is checked too
            if edition == "learner":
                cell.source = learner_code(cell.source, language)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            _regions(cell.source)
            if edition == "learner":
                cell.source = learner_markdown(cell.source, language)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def executed(nb: nbformat.NotebookNode) -> bool:
    """Whether every code cell of ``nb`` has run (has an execution count)."""
    return all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")


def skeleton(nb: nbformat.NotebookNode) -> list:
    """What an author controls in a notebook: compared by :func:`out_of_sync`."""
    cells = []
    for cell in nb.cells:
        metadata = {k: v for k, v in cell.metadata.items() if k not in VOLATILE_CELL_METADATA}
        cells.append((cell.cell_type, cell.source, repr(sorted(metadata.items()))))
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    language = nb.metadata.get("language_info", {}).get("name")
    return [("notebook", kernel, language), *cells]


def out_of_sync(built: nbformat.NotebookNode, stored: nbformat.NotebookNode) -> str | None:
    """Why ``stored`` differs from what the tool builds (``built``), or ``None``."""
    a, b = skeleton(built), skeleton(stored)
    if a[0] != b[0]:
        return f"kernel/language {b[0][1:]} instead of {a[0][1:]}"
    if len(a) != len(b):
        return f"{len(b) - 1} cells instead of {len(a) - 1}"
    for k, (want, have) in enumerate(zip(a[1:], b[1:])):
        if want != have:
            what = ("type" if want[0] != have[0] else "source" if want[1] != have[1]
                    else "metadata")
            return f"cell {k}: its {what} differs ({have[1][:60]!r}...)"
    return None


@dataclass(frozen=True)
class LessonSet:
    """The three folders of one set of lessons."""

    source: Path
    learner: Path
    teacher: Path
    language: str = "en"

    def output(self, edition: str) -> Path:
        return self.learner if edition == "learner" else self.teacher

    def sources(self, names: list[str] | None = None) -> list[Path]:
        paths = sorted(self.source.glob("*.ipynb"))
        if names:
            wanted = {Path(n).stem for n in names}
            paths = [p for p in paths if p.stem in wanted]
        return paths


def default_sets() -> list[LessonSet]:
    """``notebooks/`` and every ``notebooks/<language>/`` that has a ``source/``."""
    roots = [ROOT / "notebooks", *sorted(p.parent for p in (ROOT / "notebooks").glob("*/source"))]
    return [set_at(root) for root in roots if (root / "source").is_dir()]


def set_at(root: Path, language: str | None = None) -> LessonSet:
    """The set in ``root``; its language is ``language``, else the folder's name if it
    names a language with placeholders (``notebooks/zh``), else English."""
    if language is None:
        language = root.name if root.name in STUBS else "en"
    return LessonSet(root / "source", root / "learner", root / "teacher", language)


def check(sets: list[LessonSet], names: list[str] | None = None) -> list[str]:
    """Every edition that is missing or out of sync, with the reason."""
    problems = []
    for lessons in sets:
        for path in lessons.sources(names):
            source_nb = nbformat.read(path, as_version=4)
            for edition in EDITIONS:
                target = lessons.output(edition) / path.name
                if not target.exists():
                    problems.append(f"{target}: missing")
                    continue
                why = out_of_sync(build(source_nb, edition, lessons.language),
                                  nbformat.read(target, as_version=4))
                if why:
                    problems.append(f"{target}: {why}")
        for edition in EDITIONS:
            folder = lessons.output(edition)
            stray = {p.name for p in folder.glob("*.ipynb")} - {
                p.name for p in lessons.source.glob("*.ipynb")}
            problems += [f"{folder / name}: has no source" for name in sorted(stray)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    parser.add_argument("--root", type=Path, help="one set: DIR/source -> DIR/learner, "
                                                  "DIR/teacher")
    parser.add_argument("--source", type=Path)
    parser.add_argument("--learner", type=Path)
    parser.add_argument("--teacher", type=Path)
    parser.add_argument("--language", choices=sorted(STUBS),
                        help="the set's language, for its placeholders (default: the "
                             "--root folder's name if it is one, else en)")
    parser.add_argument("--execute", action="store_true",
                        help="execute the editions that were (re)built")
    parser.add_argument("--force", action="store_true",
                        help="rebuild (and with --execute, execute) every edition")
    parser.add_argument("--check", action="store_true",
                        help="only report editions out of sync; exit 1 if any")
    args = parser.parse_args(argv)
    if args.source or args.learner or args.teacher:
        if not (args.source and args.learner and args.teacher):
            parser.error("--source, --learner and --teacher go together")
        sets = [LessonSet(args.source, args.learner, args.teacher, args.language or "en")]
    elif args.root:
        sets = [set_at(args.root, args.language)]
    else:
        sets = default_sets()
    if not any(lessons.sources(args.lessons) for lessons in sets):
        print("no source lessons found", file=sys.stderr)
        return 1
    if args.check:
        problems = check(sets, args.lessons)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    changed: list[Path] = []
    for lessons in sets:
        for path in lessons.sources(args.lessons):
            source_nb = nbformat.read(path, as_version=4)
            for edition in EDITIONS:
                built = build(source_nb, edition, lessons.language)
                target = lessons.output(edition) / path.name
                stored = nbformat.read(target, as_version=4) if target.exists() else None
                if not args.force and stored is not None and out_of_sync(built, stored) is None:
                    if args.execute and not executed(stored):
                        changed.append(target)  # built earlier, never executed
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.validate(built)
                nbformat.write(built, target)
                changed.append(target)
                print(f"built     {target}")
    if not changed:
        print("every edition is in sync with its source")
    elif args.execute:
        import execute_notebooks  # tools/execute_notebooks.py

        execute_notebooks.prepare_environment()
        for target in changed:
            print(f"{execute_notebooks.execute(target):6.1f} s  {target}", flush=True)
    else:
        print("run again with --execute to store their outputs (make editions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
