"""Copy the browser tests' screenshots of the lessons into docs/images/ for the README.

The browser tests (tests/browser) save each lesson's first widget, as
JupyterLab showed it, to ``test-artifacts/screenshots/<lesson>.png``, and the
Voila page to ``voila-<lesson>.png``.  This copies those of the current
lessons to ``docs/images/`` and removes lesson pictures (``NN_name.png``)
of lessons that are gone.
Run it through ``make screenshots``, which runs the tests first.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "test-artifacts" / "screenshots"
IMAGES = REPO / "docs" / "images"


def main() -> int:
    lessons = {p.stem for p in (REPO / "notebooks" / "learner").glob("*.ipynb")}
    wanted = lessons | {f"voila-{stem}" for stem in lessons}
    shots = sorted(p for p in SHOTS.glob("*.png") if p.stem in wanted)
    if not shots:
        print(f"no screenshots of the lessons in {SHOTS}: run `make screenshots` "
              "(the browser tests make them)", file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("*.png"):
        # only lesson pictures (NN_name.png, voila-NN_name.png); other images stay
        if re.fullmatch(r"(voila-)?\d\d_\w+", old.stem) and old.stem not in wanted:
            old.unlink()
            print(f"removed {old.relative_to(REPO)} (no such lesson)")
    for shot in shots:
        shutil.copyfile(shot, IMAGES / shot.name)
        print(f"{shot.relative_to(REPO)} -> {(IMAGES / shot.name).relative_to(REPO)}")
    missing = sorted(lessons - {p.stem for p in shots})
    if missing:
        print(f"lessons without a widget screenshot: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
