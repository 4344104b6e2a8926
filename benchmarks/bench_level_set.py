"""The decision boundary's level line: the package's marching squares vs contourpy.

The playground draws the line where the output crosses 0.5 on every frame.
``views.heatmap.level_segments`` computes it with NumPy (marching squares);
matplotlib's own contour machinery, contourpy, computes the same line in C.
This script times both on the playground's grids (40×40 by default, and
larger), for a smooth boundary and a busy one, interleaved so that they
share the machine's conditions, and checks that they trace the same line
(equal total length).  The faster one is what the views should use.

Run: ``python benchmarks/bench_level_set.py`` (``--quick`` for short budgets).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from contourpy import LineType, contour_generator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import format_ns, machine_info, markdown_table, measure_interleaved  # noqa: E402

from actviz_widgets.views.heatmap import level_segments  # noqa: E402

EXTENT = (-1.4, 1.4, -1.4, 1.4)


def field(n: int, kind: str) -> np.ndarray:
    """A sigmoid output over an n×n grid: a circle, or a wavy, many-piece boundary."""
    x = np.linspace(EXTENT[0], EXTENT[1], n)
    X, Y = np.meshgrid(x, x)
    if kind == "circle":
        z = 4.0 * (0.8 - np.hypot(X, Y))
    else:
        z = 3.0 * np.sin(4 * X) * np.cos(3 * Y) + X
    return 1.0 / (1.0 + np.exp(-z))


def with_contourpy(values: np.ndarray, level: float = 0.5) -> np.ndarray:
    """The same segments as ``level_segments``, from contourpy (one generator per frame)."""
    ny, nx = values.shape
    x = np.linspace(EXTENT[0], EXTENT[1], nx)
    y = np.linspace(EXTENT[2], EXTENT[3], ny)
    gen = contour_generator(x, y, values, name="serial", line_type=LineType.SeparateCode)
    lines, _ = gen.lines(level)
    if not lines:
        return np.empty((0, 2, 2))
    return np.concatenate([np.stack([p[:-1], p[1:]], axis=1) for p in lines])


def length(segments: np.ndarray) -> float:
    return float(np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short budgets")
    args = parser.parse_args()
    budget = 0.3 if args.quick else 1.5
    rows = []
    for n in (40, 80, 200):
        for kind in ("circle", "busy"):
            v = field(n, kind)
            ours, theirs = level_segments(v, EXTENT, 0.5), with_contourpy(v)
            assert abs(length(ours) - length(theirs)) <= 1e-9 * max(1.0, length(ours)), \
                (n, kind, length(ours), length(theirs))
            t = measure_interleaved({"numpy": lambda v=v: level_segments(v, EXTENT, 0.5),
                                     "contourpy": lambda v=v: with_contourpy(v)},
                                    budget_s=budget)
            rows.append([f"{n}×{n}", kind, len(ours), format_ns(t["numpy"].median_ns),
                         format_ns(t["numpy"].p90_ns), format_ns(t["contourpy"].median_ns),
                         format_ns(t["contourpy"].p90_ns),
                         f"{t['contourpy'].median_ns / t['numpy'].median_ns:.2f}×"])
    print(markdown_table(["grid", "boundary", "segments", "NumPy median", "NumPy p90",
                          "contourpy median", "contourpy p90", "contourpy / NumPy"], rows))
    for key, value in machine_info():
        print(f"- {key}: {value}")


if __name__ == "__main__":
    main()
