"""Benchmark: what the hover regions add to a frame of the backprop stepper and the single neuron.

After each redraw a widget computes where its neurons and edges are in the
page and what their tooltips say (``frame_regions``), and the picture checks
them (``check_regions``) before sending them with the PNG.  Measured, in
turns in the same run: a frame as the learner gets it (a step of the stepper
or a weight of the single neuron changed → new PNG and its regions), the same
frame with the regions left out (the baseline: the picture as it was before
regions existed), and the regions alone.  Target: the regions add at most
15 % to a frame's median.

Usage::

    python benchmarks/bench_regions.py [--quick]
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import (format_ns, format_ratio, machine_info, markdown_table, measure_interleaved,
                     parse_budget)

import actviz_widgets as av
from actviz_widgets.widgets.picture import check_regions

ARGS, BUDGET = parse_budget(__doc__, 1.0, 5.0)
#: Most the regions may add to a frame's median.
TARGET = 0.15


def stepper_case(sizes):
    w = av.BackpropStepper(sizes=sizes, seed=0)
    steps = itertools.cycle(range(w.n_steps))
    return w, lambda: w.go(next(steps))


def neuron_case():
    w = av.SingleNeuron()
    values = itertools.cycle([0.5, -1.25, 2.0, 0.75])
    return w, lambda: setattr(w, "w1", next(values))


def timed(widget, change) -> dict:
    """The three things timed for one widget: a frame, the frame without regions, the regions."""
    with_regions = type(widget).frame_regions

    def without() -> None:
        widget.frame_regions = list  # the instance's own (no regions); the class keeps its method
        try:
            change()
        finally:
            del widget.frame_regions

    return {"frame": change, "baseline": without,
            "regions": lambda: check_regions(with_regions(widget))}


def main() -> None:
    print("# Hover regions: what they add to a frame\n")
    rows = []
    cases = [("backprop stepper 2-3-2-1, a step", *stepper_case((2, 3, 2, 1))),
             ("backprop stepper 2-8×6-1, a step", *stepper_case((2, 8, 8, 8, 8, 8, 8, 1))),
             ("single neuron, a weight", *neuron_case())]
    for name, widget, change in cases:
        print(f"… {name}", file=sys.stderr, flush=True)
        t = measure_interleaved(timed(widget, change), budget_s=BUDGET, turn_s=0.3)
        frame, base, regions = t["frame"], t["baseline"], t["regions"]
        added = frame.median_ns / base.median_ns - 1.0
        rows.append([name, str(len(widget.frame_regions())), format_ns(frame.median_ns),
                     format_ns(frame.p90_ns), format_ns(base.median_ns), format_ns(base.p90_ns),
                     format_ns(regions.median_ns),
                     format_ratio(frame.median_ns / base.median_ns),
                     f"≤ {1 + TARGET:.2f}× " + ("✓" if added <= TARGET else "✗")])
    print(markdown_table(["", "value"], machine_info(), align="ll"))
    print()
    print(markdown_table(["frame", "regions", "median", "p90", "without regions median",
                          "without p90", "regions alone median", "ratio", "target"], rows,
                         align="lrrrrrrrl"))


if __name__ == "__main__":
    main()
