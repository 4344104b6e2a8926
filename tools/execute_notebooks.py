"""Re-execute the lesson notebooks in place, so their stored outputs are current.

Usage (from the repository root)::

    .venv/bin/python tools/execute_notebooks.py      # every edition (learner, teacher)
    .venv/bin/python tools/execute_notebooks.py notebooks/learner/02_one_neuron.ipynb

The editions are built from ``notebooks/source`` by ``tools/build_editions.py``,
which calls this module to execute what it built; use it directly to re-run
an edition whose source did not change.

Each notebook runs top to bottom in a fresh kernel of the project's venv
(the notebook's kernelspec, ``python3`` by default) with ``MPLBACKEND``
unset, as ``make test`` runs nbval (the kernel picks its own backend), and
``PYTHONHASHSEED=0``.  The notebooks seed every random thing themselves,
so a re-run stores the same outputs, byte for byte.

What only a live kernel can use is not stored, so that a re-run changes
only what really changed and a lesson opened without a kernel still shows
every widget's last frame:

* the widget state and each output's widget view (its model id is random
  and, without the kernel, points nowhere).  A widget's output keeps its
  short text repr and its PNG frame, which JupyterLab, GitHub and
  ``jupyter nbconvert --to html`` then show; running the cell brings the
  live widget back;
* execution timestamps and the Python patch version;
* how printed text happened to be split into messages (consecutive prints to
  the same stream are joined).

A cell that raises stops the run with an error and leaves that notebook
unwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds per cell
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Remove what changes on every run or needs a live kernel (see the module doc)."""
    nb.metadata.pop("widgets", None)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)


def coalesce_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream into one output.

    How the kernel splits printed text into messages depends on timing; the
    joined text does not (nbval compares it joined, too).
    """
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == output.name):
            last.text += output.text
        else:
            joined.append(output)
    return joined


def execute(path: Path) -> float:
    """Execute one notebook in place; returns the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(nb, kernel_name=kernel, timeout=TIMEOUT, record_timing=False,
                            store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    strip_volatile(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def prepare_environment() -> None:
    """The environment the kernel inherits: the same as `make test` gives nbval."""
    os.environ.pop("MPLBACKEND", None)
    os.environ.pop("ACTVIZ_GRADING", None)  # the editions store the learner's view
    os.environ["PYTHONHASHSEED"] = "0"


def editions() -> list[Path]:
    """Every built edition: notebooks[/<language>]/{learner,teacher}/*.ipynb."""
    notebooks = ROOT / "notebooks"
    return sorted([*notebooks.glob("learner/*.ipynb"), *notebooks.glob("teacher/*.ipynb"),
                   *notebooks.glob("*/learner/*.ipynb"), *notebooks.glob("*/teacher/*.ipynb")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to execute (default: every edition)")
    args = parser.parse_args(argv)
    paths = args.notebooks or editions()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    prepare_environment()
    for path in paths:
        seconds = execute(path)
        print(f"{seconds:6.1f} s  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
