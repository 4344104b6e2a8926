"""The decision boundary's level line: contourpy vs the NumPy marching squares it replaced.

The playground draws the line where the output crosses 0.5 on every frame.
``views.heatmap.level_segments`` now asks matplotlib's own contour library,
contourpy, which traces it in C; the baseline is the NumPy marching squares
the package used before (kept here).
This script times both on the playground's grids (40×40 by default, and
larger), for a smooth boundary and a busy one, interleaved so that they
share the machine's conditions, and checks that they trace the same line
(equal total length).

Run: ``python benchmarks/bench_level_set.py`` (``--quick`` for short budgets).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import (format_ns, machine_info, markdown_table, measure_interleaved,  # noqa: E402
                     parse_budget)

from actviz_widgets.views.heatmap import level_segments  # noqa: E402

EXTENT = (-1.4, 1.4, -1.4, 1.4)


# The baseline: the NumPy marching squares the package used before contourpy.
def numpy_level_segments(values: np.ndarray, extent: Sequence[float], level: float) -> np.ndarray:
    """Line segments where a gridded field crosses ``level`` (marching squares).

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(ny, nx)``; ``values[i, j]`` is the field at
        ``(x_j, y_i)`` with ``x_j = linspace(x0, x1, nx)[j]`` and
        ``y_i = linspace(y0, y1, ny)[i]`` (row 0 at the bottom).
    extent : (x0, x1, y0, y1)
        Where the grid's first and last samples lie.
    level : float
        The value of the line.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2, 2)``: segment ``k`` runs from ``out[k, 0]`` to
        ``out[k, 1]`` (``(x, y)`` pairs). Crossings are linearly interpolated
        along the cell edges; a saddle cell (signs alternating round it) is
        split according to the mean of its corners. A value equal to
        ``level`` counts as above it. Non-finite values cross nothing.
    """
    v = np.asarray(values, dtype=float) - level
    ny, nx = v.shape
    if ny < 2 or nx < 2:
        return np.empty((0, 2, 2))
    x = np.linspace(extent[0], extent[1], nx)
    y = np.linspace(extent[2], extent[3], ny)
    above = v >= 0
    finite = np.isfinite(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Crossing points on the horizontal edges (i, j)-(i, j+1) and the
        # vertical edges (i, j)-(i+1, j); NaN where there is none.
        a, b = v[:, :-1], v[:, 1:]
        cut_h = (above[:, :-1] != above[:, 1:]) & finite[:, :-1] & finite[:, 1:]
        t = a / (a - b)
        hx = np.where(cut_h, x[:-1] + t * (x[1:] - x[:-1]), np.nan)
        hy = np.broadcast_to(y[:, None], hx.shape)
        a, b = v[:-1, :], v[1:, :]
        cut_v = (above[:-1, :] != above[1:, :]) & finite[:-1, :] & finite[1:, :]
        t = a / (a - b)
        vy = np.where(cut_v, y[:-1, None] + t * (y[1:, None] - y[:-1, None]), np.nan)
        vx = np.broadcast_to(x[None, :], vy.shape)
    # The four edges of cell (i, j): bottom, right, top, left; shape (ny-1, nx-1, 4, 2).
    pts = np.stack([np.stack([hx[:-1], hy[:-1]], -1), np.stack([vx[:, 1:], vy[:, 1:]], -1),
                    np.stack([hx[1:], hy[1:]], -1), np.stack([vx[:, :-1], vy[:, :-1]], -1)],
                   axis=2)
    cut = np.stack([cut_h[:-1], cut_v[:, 1:], cut_h[1:], cut_v[:, :-1]], axis=2)
    count = cut.sum(axis=2)
    segments = []
    two = count == 2
    if two.any():
        p = pts[two]                       # (m, 4, 2)
        c = cut[two]
        first = np.argmax(c, axis=1)       # lowest cut edge
        second = 3 - np.argmax(c[:, ::-1], axis=1)  # highest cut edge
        rows = np.arange(len(p))
        segments.append(np.stack([p[rows, first], p[rows, second]], axis=1))
    four = count == 4
    if four.any():
        p = pts[four]
        centre = v[:-1, :-1][four] + v[1:, 1:][four] + v[:-1, 1:][four] + v[1:, :-1][four]
        corner_above = above[:-1, :-1][four]  # bottom-left corner
        # If the centre is on the bottom-left corner's side, that corner joins the
        # top-right one and the cut separates the other two corners.
        joined = (centre >= 0) == corner_above
        pair_a = np.where(joined[:, None, None], p[:, [0, 1]], p[:, [0, 3]])
        pair_b = np.where(joined[:, None, None], p[:, [2, 3]], p[:, [2, 1]])
        segments += [pair_a, pair_b]
    return np.concatenate(segments) if segments else np.empty((0, 2, 2))





def field(n: int, kind: str) -> np.ndarray:
    """A sigmoid output over an n×n grid: a circle, or a wavy, many-piece boundary."""
    x = np.linspace(EXTENT[0], EXTENT[1], n)
    X, Y = np.meshgrid(x, x)
    if kind == "circle":
        z = 4.0 * (0.8 - np.hypot(X, Y))
    else:
        z = 3.0 * np.sin(4 * X) * np.cos(3 * Y) + X
    return 1.0 / (1.0 + np.exp(-z))


def length(segments: np.ndarray) -> float:
    return float(np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum())


def main() -> None:
    _, budget = parse_budget(__doc__, 0.3, 1.5, quick_help="short budgets")
    rows = []
    for n in (40, 80, 200):
        for kind in ("circle", "busy"):
            v = field(n, kind)
            ours, theirs = numpy_level_segments(v, EXTENT, 0.5), level_segments(v, EXTENT, 0.5)
            assert abs(length(ours) - length(theirs)) <= 1e-9 * max(1.0, length(ours)), \
                (n, kind, length(ours), length(theirs))
            t = measure_interleaved({"numpy": lambda v=v: numpy_level_segments(v, EXTENT, 0.5),
                                     "contourpy": lambda v=v: level_segments(v, EXTENT, 0.5)},
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
