"""What a learner gets from ``pip install``: the built sdist and wheel.

The sdist is built from this checkout with setuptools' own PEP 517 hooks,
and the wheel from the unpacked sdist (as pip does from PyPI), so a file
the sdist forgets is missing from the wheel too.  Then: the lessons (both
editions, every language) are in the wheel byte for byte, the licences and
the metadata are there, every module is shipped, and the command line,
run from the unpacked wheel, finds and copies the lessons.  Also: every
third-party module the package imports is a declared dependency with a
floor that ``make test-floors`` tests (tools/floor_pins.py).
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import actviz_widgets

# Python 3.11+ (make test-floors runs 3.10, where tools/floor_pins.py reads
# pyproject.toml itself: its tests below cover that path on any version).
tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import floor_pins  # noqa: E402  (tools/ is not a package)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = actviz_widgets.__version__


def _name(requirement: str) -> str:
    """``"numpy>=1.23"`` -> ``"numpy"`` (normalised as in PEP 503)."""
    match = floor_pins._REQUIREMENT.match(requirement)
    return match.group(1).lower().replace("_", "-")


def _edition_files() -> dict[str, bytes]:
    """The checkout's built editions, keyed by their path in the package."""
    notebooks = ROOT / "notebooks"
    files = {}
    for pattern in ("learner/*.ipynb", "teacher/*.ipynb", "*/learner/*.ipynb", "*/teacher/*.ipynb"):
        for path in notebooks.glob(pattern):
            files["actviz_widgets/lessons/" + path.relative_to(notebooks).as_posix()] = path.read_bytes()
    return files


# ---- declared dependencies ---------------------------------------------------

def _is_optional(node: ast.Try) -> bool:
    """``try: import x`` / ``except ImportError:``: used when installed, not required."""
    caught = set()
    for handler in node.handlers:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        caught.update(t.id for t in types if isinstance(t, ast.Name))
    return bool(caught & {"ImportError", "ModuleNotFoundError"})


def _imported_top_level_modules(optional_too: bool = False) -> set[str]:
    """Third-party modules the package imports unconditionally (or also in ``try``)."""
    names = set()
    for path in (ROOT / "actviz_widgets").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        optional = {id(inner) for node in ast.walk(tree)
                    if isinstance(node, ast.Try) and _is_optional(node)
                    for statement in node.body for inner in ast.walk(statement)}
        for node in ast.walk(tree):
            if id(node) in optional and not optional_too:
                continue
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"actviz_widgets"}


def test_every_imported_distribution_is_declared_and_nothing_else():
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for module in _imported_top_level_modules():
        assert module in distributions, f"{module} is imported but installed by no distribution"
        imported.update(name.lower().replace("_", "-") for name in distributions[module])
    declared = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    assert imported <= declared, sorted(imported - declared)
    # A declared dependency the package only imports inside try/except ImportError
    # (anywidget: the picture falls back to ipywidgets.Image) is still used.
    used = {name.lower().replace("_", "-")
            for module in _imported_top_level_modules(optional_too=True)
            for name in distributions.get(module, [])}
    assert declared <= used, sorted(declared - used)


def test_every_dependency_has_a_floor_that_make_test_floors_pins():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pins = floor_pins.floor_pins(text)
    assert [pin.split("==")[0] for pin in pins] == \
        [floor_pins._REQUIREMENT.match(r).group(1) for r in PYPROJECT["project"]["dependencies"]]
    assert floor_pins.floor_python(text) == PYPROJECT["project"]["requires-python"].removeprefix(">=")


SAMPLE = '''
[project]
name = "x"
requires-python = ">=3.10"
dependencies = [
    "numpy>=1.23",
    "Pillow >= 8.3.2, <12",  # a comment
    "ipywidgets[extra]>=8",
    "colorama>=0.4; sys_platform == 'win32'",
    "packaging",
]
'''


@pytest.mark.parametrize("with_tomllib", [True, False])
def test_floor_pins_reads_bounds_extras_markers(monkeypatch, with_tomllib):
    if not with_tomllib:  # Python 3.10 reads pyproject.toml without tomllib
        monkeypatch.setattr(floor_pins, "tomllib", None)
    assert floor_pins.floor_pins(SAMPLE) == ["numpy==1.23", "Pillow==8.3.2", "ipywidgets==8",
                                             "colorama==0.4"]
    assert floor_pins.floor_python(SAMPLE) == "3.10"


def test_floor_pins_refuses_what_it_cannot_read():
    with pytest.raises(ValueError, match="no >= bound"):
        floor_pins.floor_python('[project]\nrequires-python = "~=3.10"\ndependencies = []\n')


# ---- the built sdist and wheel -----------------------------------------------

def _hook(hook: str, out: Path, cwd: Path) -> Path:
    """Run one of setuptools' PEP 517 hooks in a fresh interpreter; the built file."""
    code = (f"from setuptools import build_meta; import sys; "
            f"print(build_meta.{hook}(sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("setuptools", minversion="77")
    out = tmp_path_factory.mktemp("dist")
    sdist = _hook("build_sdist", out, ROOT)
    unpacked = tmp_path_factory.mktemp("sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    wheel = _hook("build_wheel", out, unpacked / f"actviz_widgets-{VERSION}")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def wheel_files(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built["wheel"]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_wheel_holds_both_editions_of_every_lesson_and_no_sources(wheel_files):
    expected = _edition_files()
    assert any("/learner/" in name for name in expected) and any("/teacher/" in name for name in expected)
    shipped = {name: data for name, data in wheel_files.items()
               if name.startswith("actviz_widgets/lessons/")}
    assert shipped == expected


def test_the_wheel_ships_every_module_and_the_data(wheel_files):
    package = ROOT / "actviz_widgets"
    modules = {"actviz_widgets/" + p.relative_to(package).as_posix()
               for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    assert modules <= set(wheel_files), sorted(modules - set(wheel_files))
    for name in ("digits.npz", "mnist.npz", "MNIST-LICENSE.txt"):
        data = (package / "engine" / "data" / name).read_bytes()
        assert wheel_files[f"actviz_widgets/engine/data/{name}"] == data
    override = f"actviz_widgets-{VERSION}.data/data/share/jupyter/lab/settings/overrides.d/actviz_widgets.json"
    assert wheel_files[override] == (package / "jupyter" / "actviz_widgets.json").read_bytes()


def test_the_wheel_carries_the_licences_and_honest_metadata(wheel_files):
    info = f"actviz_widgets-{VERSION}.dist-info/"
    for name in ("LICENSE", "DATA-LICENSES.md"):
        assert wheel_files[f"{info}licenses/{name}"] == (ROOT / name).read_bytes()
    assert b"CC BY 4.0" in wheel_files[f"{info}licenses/DATA-LICENSES.md"]
    assert b"MIT License" in wheel_files[f"{info}licenses/LICENSE"]
    assert f"{info}licenses/actviz_widgets/engine/data/MNIST-LICENSE.txt" in wheel_files

    metadata = email.message_from_bytes(wheel_files[f"{info}METADATA"])
    assert metadata["Name"] == "actviz_widgets"
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0 AND CC-BY-SA-3.0 AND OFL-1.1"
    assert metadata["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# actviz_widgets")
    runtime = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    assert runtime == PYPROJECT["project"]["dependencies"]
    classifiers = set(metadata.get_all("Classifier"))
    assert {"Framework :: Jupyter", "Framework :: Jupyter :: JupyterLab",
            "Intended Audience :: Education",
            "Topic :: Scientific/Engineering :: Artificial Intelligence",
            "Programming Language :: Python :: 3.10"} <= classifiers
    entry_points = wheel_files[f"{info}entry_points.txt"].decode()
    assert "actviz-widgets = actviz_widgets.cli:main" in entry_points


def test_the_sdist_can_rebuild_the_lessons_but_does_not_carry_the_sources(built):
    with tarfile.open(built["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = {name.replace("actviz_widgets/lessons/", "notebooks/", 1) for name in _edition_files()}
    assert expected <= names
    assert {"LICENSE", "DATA-LICENSES.md", "README.md", "pyproject.toml", "setup.py"} <= names
    assert not any(name.startswith("notebooks/source/") for name in names)


def test_the_command_line_of_the_unpacked_wheel_copies_its_lessons(built, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(built["wheel"]) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-m", "actviz_widgets"], cwd=work, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Lessons: {site / 'actviz_widgets' / 'lessons'}" in done.stdout
    done = subprocess.run([sys.executable, "-m", "actviz_widgets", "lessons", "--teacher"],
                          cwd=work, env=env, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    copied = {p.name: p.read_bytes() for p in (work / "actviz-lessons-teacher").glob("*.ipynb")}
    assert copied == {p.name: p.read_bytes() for p in (ROOT / "notebooks" / "teacher").glob("*.ipynb")}
    assert copied
