"""The playground's frame in the kernel: each speed-up against the same code without it.

Each comparison runs in one process, in turns (``measure_interleaved``), so
a busy machine slows both sides alike:

* a learning-rate click (a live setting: the whole frame is redrawn) with the
  output plane's pixel map (``views/heatmap.py``'s field image) against
  matplotlib's resampling of the same image every frame;
* a restart (the hidden-layers slider, 1 → 2 → 3 → 1 ...) keeping the tiles'
  colour bar when its map is unchanged, against redrawing the bar each time;

for the default playground and the 2-8×6-1 one.  Both sides draw the same
pixels (``tests/test_playground_frames.py``).  Printed: the median and p90
of the wall time and of the process's CPU time per frame, and their ratios.

Usage::

    python benchmarks/bench_playground_frames.py [--quick]
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import format_ns, machine_info, markdown_table, measure_interleaved, parse_budget
from matplotlib.image import AxesImage

import actviz_widgets as av
from actviz_widgets.views.heatmap import _FieldImage

ARGS, BUDGET = parse_budget(__doc__, 1.0, 5.0)


@contextmanager
def resampled_every_frame():
    """The field image as matplotlib draws it: resampled on every draw."""
    fast = _FieldImage.make_image
    _FieldImage.make_image = AxesImage.make_image
    try:
        yield
    finally:
        _FieldImage.make_image = fast


def cpu_timed(action):
    """``action`` as a self-timed callable: k calls, each one's process CPU time."""
    def run(k: int) -> list[int]:
        out = []
        for _ in range(k):
            start = time.process_time_ns()
            action()
            out.append(time.process_time_ns() - start)
        return out
    return run


def compare(name: str, now, before) -> list[list[str]]:
    """Rows for ``now`` against ``before``: wall and CPU, median, p90 and ratio."""
    print(f"… {name}", file=sys.stderr, flush=True)
    wall = measure_interleaved({"now": now, "before": before}, budget_s=BUDGET, turn_s=0.3)
    cpu = measure_interleaved({"now": cpu_timed(now), "before": cpu_timed(before)},
                              self_timed=("now", "before"), budget_s=BUDGET, turn_s=0.3)
    return [[name, "wall", format_ns(wall["before"].median_ns), format_ns(wall["before"].p90_ns),
             format_ns(wall["now"].median_ns), format_ns(wall["now"].p90_ns),
             f"{wall['before'].median_ns / wall['now'].median_ns:.2f}×"],
            ["", "CPU", format_ns(cpu["before"].median_ns), format_ns(cpu["before"].p90_ns),
             format_ns(cpu["now"].median_ns), format_ns(cpu["now"].p90_ns),
             f"{cpu['before'].median_ns / cpu['now'].median_ns:.2f}×"]]


def main() -> None:
    print("# The playground's frame in the kernel: before and after, interleaved\n")
    info = machine_info()
    load = os.getloadavg()[0]
    rows = []
    for label, kwargs in (("", {}), (" 2-8×6-1", {"hidden_layers": 6, "neurons": 8})):
        pg = av.Playground(**kwargs)
        pg.run_frames(20)
        rates = itertools.cycle([0.1, 0.2, 0.3, 0.5, 0.03])

        def click(pg=pg, rates=rates):
            pg.lr_slider.value = next(rates)

        def click_resampled(click=click):
            with resampled_every_frame():
                click()
        rows += compare(f"playground{label}: learning-rate click", click, click_resampled)

    pg = av.Playground()
    pg.run_frames(20)
    layers = itertools.cycle([1, 2, 3])

    def restart():
        pg.layers_slider.value = next(layers)

    def restart_redrawing_the_bar():
        pg.view._scale = None  # (benchmark only: as if the map had changed)
        restart()
    rows += compare("playground: restart (hidden layers)", restart, restart_redrawing_the_bar)

    info.append(("load average", f"{load:.2f} before, {os.getloadavg()[0]:.2f} after"))
    print(markdown_table(["", "value"], info, align="ll"))
    print()
    print(markdown_table(["frame", "time", "before median", "before p90", "now median",
                          "now p90", "speed-up"], rows, align="llrrrrr"))


if __name__ == "__main__":
    main()
