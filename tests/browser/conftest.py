"""Fixtures of the end-to-end browser tests (``pytest -m browser tests/browser``).

One JupyterLab server and one Chromium serve the whole session; every test
gets a fresh browser context.  Without Debian's Chromium or the playwright
package the browser tests are skipped with the reason, or fail when
``ACTVIZ_REQUIRE_BROWSER=1`` (set by ``.ci/run``, so CI never skips them
silently).  For development: ``ACTVIZ_LESSONS_DIR`` points the tests at
other notebooks (default: ``notebooks/``), ``ACTVIZ_APP_LESSON`` names the
lesson the Voila test serves, ``ACTVIZ_CHROMIUM`` another Chromium binary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from harness import (ARTIFACTS, CHROMIUM, REPO, LabServer, PageWatch, new_context,
                     start_chromium)

LESSONS_DIR = Path(os.environ.get("ACTVIZ_LESSONS_DIR", REPO / "notebooks")).resolve()
REQUIRE_BROWSER = os.environ.get("ACTVIZ_REQUIRE_BROWSER", "") not in ("", "0")


def lessons() -> list[Path]:
    """The lesson notebooks, in order."""
    return sorted(LESSONS_DIR.glob("*.ipynb"))


def shows_a_widget(notebook: Path) -> bool:
    """True if a code cell builds a package class and ends with a bare name.

    That is how the lessons show a widget: ``explorer = av.ActivationExplorer()``
    then ``explorer``.
    """
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        lines = [line.strip() for line in source.splitlines() if line.strip()]
        if (cell["cell_type"] == "code" and lines and lines[-1].isidentifier()
                and re.search(r"\b(av|actviz_widgets)\.[A-Z]\w*\(", source)):
            return True
    return False


def app_lesson() -> Path | None:
    """The lesson the Voila test serves: ``ACTVIZ_APP_LESSON``, else the first with a widget."""
    if os.environ.get("ACTVIZ_APP_LESSON"):
        return LESSONS_DIR / os.environ["ACTVIZ_APP_LESSON"]
    return next((nb for nb in lessons() if shows_a_widget(nb)), None)


def _why_not() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return (f"browser tests need Debian's Chromium at {CHROMIUM} "
                "(apt-get install chromium); it is not there")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("browser tests need the playwright Python package "
                "(pip install -e '.[browser]'; never `playwright install`)")
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see whether the test failed (for failure screenshots).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser(tmp_path_factory, request):
    """Chromium (started by us, stopped by its pid) driven over CDP by playwright."""
    reason = _why_not()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason} (ACTVIZ_REQUIRE_BROWSER is set)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    shutil.rmtree(ARTIFACTS / "failures", ignore_errors=True)  # pictures of this run only
    process, cdp_url = start_chromium(tmp_path_factory.mktemp("chromium"))
    request.addfinalizer(process.stop)
    driver = sync_playwright().start()
    request.addfinalizer(driver.stop)
    connected = driver.chromium.connect_over_cdp(cdp_url)
    request.addfinalizer(connected.close)
    return connected


@pytest.fixture(scope="session")
def lessons_copy(tmp_path_factory) -> Path:
    """A throw-away copy of the lessons folder: runs never modify the committed notebooks.

    The copies' stored outputs, execution counts and widget state are cleared,
    so everything the page shows comes from this run, and a cell is done
    exactly when its prompt shows a number.
    """
    target = tmp_path_factory.mktemp("lessons") / "notebooks"
    shutil.copytree(LESSONS_DIR, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for notebook in target.glob("*.ipynb"):
        content = json.loads(notebook.read_text())
        content["metadata"].pop("widgets", None)
        for cell in content["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        notebook.write_text(json.dumps(content, indent=1))
    return target


@pytest.fixture(scope="session")
def lab(browser, lessons_copy, tmp_path_factory, request) -> LabServer:
    """JupyterLab on the copy, on 127.0.0.1 with a free port and no token."""
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"), lessons_copy)
    request.addfinalizer(server.stop)
    return server


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def context(browser, watch, request):
    """A fresh browser context; on failure every open page is saved as a screenshot."""
    ctx = new_context(browser, watch)
    yield ctx
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.name)
        for k, page in enumerate(ctx.pages):
            try:
                page.screenshot(path=str(folder / f"{stem}-{k}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a failed screenshot must not hide the failure
                pass
    ctx.close()
