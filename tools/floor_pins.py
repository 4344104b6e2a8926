"""Print the lowest versions pyproject.toml claims to support, as pip pins.

``make test-floors`` installs the package with these pins and runs the unit
tests, so that a declared floor (``numpy>=1.23``) is a version the tests
have passed on rather than a guess.  Every ``name>=X`` among the runtime
dependencies becomes ``name==X``; dependencies without a lower bound are
left to pip.  The oldest Python in ``requires-python`` is printed with
``--python``.

Usage::

    python tools/floor_pins.py            # one pin per line: numpy==1.23 ...
    python tools/floor_pins.py --python   # 3.10
    python tools/floor_pins.py --find-python   # /usr/bin/python3.10, or pyenv's
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# "numpy>=1.23", "matplotlib >= 3.10.0,<4": the name and the >= bound.
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")
_LOWER = re.compile(r">=\s*([0-9][0-9A-Za-z.]*)")


def _project_table(text: str) -> dict:
    """The ``[project]`` table's dependencies and requires-python."""
    if tomllib is not None:
        return tomllib.loads(text)["project"]
    # Python 3.10 has no tomllib: read the two keys this tool needs.
    # The array ends at a line holding only "]" (extras use brackets too).
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    python = re.search(r'^requires-python\s*=\s*"([^"]*)"', text, re.M)
    if deps is None or python is None:
        raise ValueError(f"{PYPROJECT}: no dependencies or requires-python in [project]")
    entries = re.sub(r"#[^\n]*", "", deps.group(1))  # comments out
    return {"dependencies": re.findall(r'"([^"]+)"', entries),
            "requires-python": python.group(1)}


def floor_pins(text: str) -> list[str]:
    """``name==X`` for every runtime dependency declared ``name>=X``.

    Parameters
    ----------
    text : str
        The contents of a pyproject.toml.

    Returns
    -------
    list of str
        Pins in the order the dependencies are declared.
    """
    pins = []
    for requirement in _project_table(text)["dependencies"]:
        if ";" in requirement:  # an environment marker: not this tool's business
            requirement = requirement.split(";", 1)[0]
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r}")
        lower = _LOWER.search(match.group(2))
        if lower is not None:
            pins.append(f"{match.group(1)}=={lower.group(1)}")
    return pins


def floor_python(text: str) -> str:
    """The oldest Python ``requires-python`` admits, e.g. ``"3.10"``."""
    spec = _project_table(text)["requires-python"]
    lower = _LOWER.search(spec)
    if lower is None:
        raise ValueError(f"requires-python {spec!r} has no >= bound")
    return lower.group(1)


def find_python(version: str) -> str | None:
    """A working interpreter of this ``X.Y`` version, or None.

    ``pythonX.Y`` on the PATH first; a pyenv shim of that name may exist but
    refuse to run (the version is installed but not selected), so each
    candidate is run once; then pyenv's installed versions.
    """
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in Path(pyenv_root).glob(f"versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            done = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                  capture_output=True, text=True, timeout=60, check=False)
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip() == str(tuple(map(int, version.split(".")))):
            return candidate
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--python", action="store_true",
                      help="print the oldest supported Python instead of the pins")
    what.add_argument("--find-python", action="store_true",
                      help="print the path of a working interpreter of that version")
    args = parser.parse_args(argv)
    text = PYPROJECT.read_text(encoding="utf-8")
    if args.find_python:
        version = floor_python(text)
        found = find_python(version)
        if found is None:
            print(f"no working python{version} found (PATH, pyenv)", file=sys.stderr)
            return 1
        print(found)
    else:
        print(floor_python(text) if args.python else "\n".join(floor_pins(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
