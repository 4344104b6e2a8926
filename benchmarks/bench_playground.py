"""Benchmark of the training playground: one animation frame, and one history scrub.

Workloads (XOR, 200 samples, half for training, batch 10, tanh, bce, SGD)
    * frame: what Play does once: ``steps_per_frame`` (5) training steps, one
      batched forward pass of the 40×40 grid, the decision boundary, every
      hidden neuron's heatmap, edges, loss and accuracy curves, PNG into the
      Image widget (``Playground.run_frames(1)``); on a 2-6-6-1 network (target
      ≤ 50 ms median) and on the largest allowed, 2-8-8-8-8-8-8-1 (≤ 80 ms);
    * scrub: moving the history slider to another recorded step of a trained
      run (the network, heatmaps, boundary and curves redrawn as they were
      there; target ≤ 40 ms), on the same two networks.

Naive baseline, timed in turns with it in the same run: the same training
steps, then every grid point through the network one at a time (as
TensorFlow Playground computes its heatmaps), a new figure with every
artist built again (an ``imshow`` and inset axes per neuron, a ``contour``
for the boundary, one line per edge), ``savefig`` to PNG with matplotlib's
defaults, the figure dropped. Ratios are playground time / naive time (below
1: the playground is faster).

Usage::

    python benchmarks/bench_playground.py [--quick]
"""

from __future__ import annotations

import gc
import io
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as the engine benchmark: steadier medians

import matplotlib

matplotlib.use("Agg")

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent)]

import numpy as np
from _timing import (Timing, format_ns, format_ratio, machine_info, markdown_table,
                     measure_interleaved, parse_budget)
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from actviz_widgets.engine.grid import input_grid
from actviz_widgets.widgets.playground import PLANE, Playground

ARGS, BUDGET = parse_budget(__doc__, 1.0, 5.0)
GRID = 40
NETWORKS = {"2-6-6-1": (2, 6), "2-8-8-8-8-8-8-1": (6, 8)}
TARGETS_MS = {("frame", "2-6-6-1"): 50, ("frame", "2-8-8-8-8-8-8-1"): 80,
              ("scrub", "2-6-6-1"): 40, ("scrub", "2-8-8-8-8-8-8-1"): 40}


def naive_picture(net, trainer, title: str) -> bytes:
    """The whole picture the simple way: point-by-point grid, a new figure, savefig."""
    X = input_grid((-PLANE, PLANE, -PLANE, PLANE), GRID)
    acts = [np.empty((len(X), n)) for n in net.sizes]
    for i, point in enumerate(X):  # one forward pass per grid point
        trace = net.forward(point)
        for l, a in enumerate(trace.a):
            acts[l][i] = a[0]
    fig = Figure(figsize=(11, 6.4), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(title, x=0.01, ha="left")
    ax = fig.add_axes([0.005, 0.02, 0.5, 0.79])
    ax.set_axis_off()
    L = net.n_layers
    pos = [np.column_stack([np.full(n, l), (n - 1) / 2 - np.arange(n)])
           for l, n in enumerate(net.sizes)]
    peak = max(np.abs(W).max() for W in net.weights)
    for l, W in enumerate(net.weights):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                ax.plot(*zip(pos[l][i], pos[l + 1][j]), color="#c0392b" if W[i, j] > 0
                        else "#2c7bb6", lw=0.3 + 3 * abs(W[i, j]) / peak)
    ax.scatter(*np.concatenate([pos[0], pos[-1]]).T, s=200, c="white", edgecolors="k")
    ax.set_xlim(-0.6, L + 0.6)
    ax.set_ylim(-max(net.sizes) / 2 - 0.5, max(net.sizes) / 2 + 0.5)
    for l in range(1, L):
        for k, (x, y) in enumerate(pos[l]):
            inset = ax.inset_axes([x - 0.2, y - 0.3, 0.4, 0.6], transform=ax.transData)
            inset.imshow(acts[l][:, k].reshape(GRID, GRID), origin="lower", cmap="RdBu_r",
                         vmin=-1, vmax=1)
            inset.set_xticks([])
            inset.set_yticks([])
    out = acts[-1][:, 0].reshape(GRID, GRID)
    axb = fig.add_axes([0.645, 0.38, 0.28, 0.485])
    im = axb.imshow(out, origin="lower", extent=(-PLANE, PLANE, -PLANE, PLANE), cmap="RdBu_r",
                    vmin=0, vmax=1)
    fig.colorbar(im, ax=axb)
    xs = np.linspace(-PLANE, PLANE, GRID)
    axb.contour(xs, xs, out, levels=[0.5], colors="k")
    axb.scatter(*trainer.X_train.T, c=trainer.y_train.ravel(), cmap="RdBu_r", edgecolors="w")
    axb.scatter(*trainer.X_test.T, c=trainer.y_test.ravel(), cmap="RdBu_r", marker="^",
                edgecolors="k")
    h = trainer.history
    axl = fig.add_axes([0.645, 0.075, 0.15, 0.21])
    axl.semilogy(h.epoch, h.train_loss, label="train")
    axl.semilogy(h.epoch, h.test_loss, label="test")
    axl.legend()
    axa = fig.add_axes([0.845, 0.075, 0.135, 0.21])
    axa.plot(h.epoch, h.train_acc, label="train")
    axa.plot(h.epoch, h.test_acc, label="test")
    axa.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def frame_case(layers: int, neurons: int) -> dict:
    fast = Playground(hidden_layers=layers, neurons=neurons, grid_n=GRID)
    naive = Playground(hidden_layers=layers, neurons=neurons, grid_n=GRID)
    fast.run_frames(5)
    naive.run_frames(5)
    sizes: list[int] = []

    def fast_frame() -> None:
        fast.run_frames(1)
        sizes.append(len(fast.image.value))

    def naive_frame() -> None:
        t = naive.trainer
        t.step(5)
        naive.image.value = naive_picture(t.net, t, f"Epoch {t.history.epoch[-1]:.1f}")

    return _time(fast_frame, naive_frame, sizes)


def _wall_and_cpu(fn, budget_s: float, min_repeats: int = 20) -> tuple[Timing, float]:
    """Wall-time Timing of ``fn`` and the median CPU time of this thread per call.

    On a loaded machine the wall time includes waiting for a core; the CPU
    time is the work itself, so it says what the wall time would be alone.
    """
    for _ in range(3):
        fn()  # warm up
    wall, cpu = [], []
    deadline = time.perf_counter() + budget_s
    gc.disable()
    try:
        while len(wall) < min_repeats or time.perf_counter() < deadline:
            w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            fn()
            cpu.append(time.thread_time_ns() - c0)
            wall.append(time.perf_counter_ns() - w0)
    finally:
        gc.enable()
    return (Timing(float(np.median(wall)), float(np.percentile(wall, 90)), len(wall)),
            float(np.median(cpu)))


def _time(fast, naive, sizes: list[int]) -> dict:
    """The playground alone (many calls), then both in turns (for the ratio)."""
    alone, cpu = _wall_and_cpu(fast, BUDGET)
    pair = measure_interleaved({"fast": fast, "naive": naive}, budget_s=BUDGET,
                               min_repeats=5 if ARGS.quick else 9, turn_s=0.3)
    return {"alone": alone, "cpu": cpu, **pair, "png": int(np.median(sizes))}


def scrub_case(layers: int, neurons: int) -> dict:
    pg = Playground(hidden_layers=layers, neurons=neurons, grid_n=GRID)
    pg.run_frames(60)  # 300 steps of history
    steps = list(pg.trainer.history.snapshots)[1:-1]
    rng = np.random.default_rng(0)
    twin = pg.trainer.net.copy()
    sizes: list[int] = []

    def fast_scrub() -> None:
        pg.history_slider.value = int(rng.choice(steps))
        sizes.append(len(pg.image.value))

    def naive_scrub() -> None:
        snap = pg.trainer.history.snapshots[int(rng.choice(steps))]
        twin.set_params(snap.weights, snap.biases)
        pg.image.value = naive_picture(twin, pg.trainer, f"step {snap.step}")

    return _time(fast_scrub, naive_scrub, sizes)


def main() -> None:
    print("# Training playground benchmark\n")
    info = machine_info()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    rows = []
    for kind, case in (("frame", frame_case), ("scrub", scrub_case)):
        for name, (layers, neurons) in NETWORKS.items():
            print(f"  … {kind} {name}", file=sys.stderr, flush=True)
            r = case(layers, neurons)
            target = TARGETS_MS[(kind, name)]
            alone, fast, naive = r["alone"], r["fast"], r["naive"]
            rows.append([f"{kind}, {name}", format_ns(alone.median_ns), format_ns(alone.p90_ns),
                         format_ns(r["cpu"]), str(alone.repeats), f"≤ {target} ms",
                         "yes" if alone.median_ns <= target * 1e6 else "NO",
                         format_ns(naive.median_ns), format_ns(fast.median_ns),
                         format_ratio(fast.median_ns / naive.median_ns),
                         f"{r['png'] / 1024:.0f} KB"])
    if load is not None:
        info.append(("load average", f"{load:.2f} before, {os.getloadavg()[0]:.2f} after "
                                     "(1 min; other work on the machine adds noise)"))
    print(markdown_table(["", "value"], info, align="ll"))
    print("\nframe = 5 training steps + 40×40 grid + boundary + every neuron heatmap + curves "
          "→ PNG in the Image widget; scrub = history slider moved to another recorded step. "
          "median/p90/n: the playground timed alone (wall clock; CPU median: the CPU time of "
          "the frame itself, what the wall time is on an idle machine); the ratio compares the "
          "medians of the "
          "playground and the naive code timed in turns (n each in the last columns' run), "
          "playground / naive (below 1: faster).\n")
    print(markdown_table(["workload", "median", "p90", "CPU median", "n", "target", "met",
                          "naive", "playground (in turns)", "ratio", "PNG"], rows))


if __name__ == "__main__":
    main()
