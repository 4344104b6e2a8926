"""Benchmark of the branch comparison: one animation frame of two runs, and branching.

Workloads (circles, 200 samples, half for training, 2-4-4-1 tanh, bce, SGD, batch 10,
100 steps trained first)
    * frame: what Play does once in ``BranchComparison``: 5 training steps of each run
      (every step's whole-set losses recorded), both runs' output over the 40×40 grid,
      two heatmaps with their decision boundaries, the loss curves, the PNG
      (``BranchComparison.run_frames(1)``);
    * branch: ``BranchComparison.from_playground(pg, lr=...)``: both runs rebuilt from
      the snapshot, the widget and its first picture.

Baseline, timed in turns with them in the same run: one frame of the playground itself
(``Playground.run_frames(1)``: 5 steps of one run, every neuron's heatmap, the network
diagram). Ratios are branch time / playground frame time.

Usage::

    python benchmarks/bench_branch.py [--quick]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as the other benchmarks: steadier medians

import matplotlib

matplotlib.use("Agg")

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent)]

from _timing import (format_ns, format_ratio, machine_info, markdown_table, measure_interleaved,
                     parse_budget)

from actviz_widgets.widgets.branch import BranchComparison
from actviz_widgets.widgets.playground import Playground


def main() -> None:
    _, budget = parse_budget(__doc__, 1.0, 6.0, quick_help="a short budget (a smoke run)")

    pg = Playground(dataset="circles")
    pg.run_frames(20)
    baseline_pg = Playground(dataset="circles")
    baseline_pg.run_frames(20)
    branch = BranchComparison.from_playground(pg, lr=1.0)
    rates = iter(0.01 + 0.001 * k for k in range(10 ** 6))

    timings = measure_interleaved({
        "playground frame (baseline)": lambda: baseline_pg.run_frames(1),
        "branch frame (two runs)": lambda: branch.run_frames(1),
        "branch from the playground": lambda: BranchComparison.from_playground(
            pg, lr=next(rates)).close(),
    }, budget_s=budget)
    base = timings["playground frame (baseline)"]
    rows = [[name, format_ns(t.median_ns), format_ns(t.p90_ns),
             format_ratio(t.median_ns / base.median_ns)] for name, t in timings.items()]
    for what, value in machine_info():
        print(f"{what}: {value}")
    print(markdown_table(["workload", "median", "p90", "ratio to the playground frame"], rows))


if __name__ == "__main__":
    main()
