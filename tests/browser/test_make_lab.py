"""``make lab`` from a fresh clone brings up a JupyterLab that answers on the lessons.

The clone is of the committed HEAD (what a learner gets).  It reuses the
environment running these tests instead of building its own ``.venv``: the
Makefile's ``VENV`` names it and ``make -o`` marks it installed, so only the
``lab`` recipe runs.  Building ``.venv`` from scratch is what ``make test``
(and so CI, from its own fresh clone) does first; repeating it here would
cost a minute of downloads for nothing new.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from harness import LOCAL_HOST, REPO, Started, free_port, jupyter_env, wait_http

VENV = Path(sys.prefix)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


@pytest.mark.browser
def test_make_lab_from_a_fresh_clone_serves_the_lessons(tmp_path, request):
    for tool in ("git", "make"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True,
                   stdin=subprocess.DEVNULL)
    lessons = sorted(p.name for p in (clone / "notebooks" / "learner").glob("*.ipynb"))

    port, token = free_port(), secrets.token_hex(16)
    cmd = ["make", "--no-print-directory", "-o", f"{VENV}/.installed", "lab", f"VENV={VENV}",
           "NO_BROWSER=1",
           f"LAB_ARGS=--port={port} --port-retries=0 --ip={LOCAL_HOST} "
           f"--IdentityProvider.token={token} --LabApp.news_url= "
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    lab = Started(cmd, tmp_path / "make-lab.log", env=jupyter_env(tmp_path), cwd=clone)
    request.addfinalizer(lab.stop)
    base = f"http://{LOCAL_HOST}:{port}"
    wait_http(f"{base}/api/status?token={token}", lab)

    # the server's root is the learner's edition, notebooks/learner: exactly the lessons
    status, body = _get(f"{base}/api/contents?token={token}")
    listed = sorted(item["name"] for item in json.loads(body)["content"]
                    if item["type"] == "notebook")
    assert listed == lessons, f"make lab lists {listed}; the clone has {lessons}"
    status, body = _get(f"{base}/lab?token={token}")
    assert status == 200 and b"jupyter-config-data" in body, "no JupyterLab page"
    for name in lessons:
        status, body = _get(f"{base}/lab/tree/{quote(name)}?token={token}")
        assert status == 200 and b"jupyter-config-data" in body, f"no JupyterLab page for {name}"
        status, body = _get(f"{base}/api/contents/{quote(name)}?token={token}")
        cells = json.loads((clone / "notebooks" / "learner" / name).read_text())["cells"]
        assert len(json.loads(body)["content"]["cells"]) == len(cells), name
    # and it is not open to anyone without the token
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{base}/api/contents")
    refused.value.close()
    assert refused.value.code == 403
