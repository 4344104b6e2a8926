"""Benchmark of the diagnostics widgets: control change → new PNG in the Image widget.

Widgets: gradient health, dead neurons, distributions.  For each, a control
is set many times (as a learner would) and the time from setting
``control.value`` (or clicking a button) until the new PNG sits in
``widget.image.value`` is measured; this includes the engine's work (a new
network and a pass for a model control, a training step for "Train 1").
The naive baseline, timed in turns with it in the same run, draws the same
picture the simple way: a new view (new figure, every artist built again)
for each change, a full ``savefig`` to PNG with matplotlib's defaults, then
the figure is dropped.

Target: ≤ 40 ms median per control change; each frame ≤ 200 KB.  The CPU
time of the fast path (``time.process_time``, this process only) is printed
too: on a shared machine it says what the change costs when the process has
a core to itself.

Usage::

    python benchmarks/bench_diagnostics.py [--quick]
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# One BLAS thread (set before NumPy loads): these networks are tiny, and on a small
# shared machine a second thread only waits for the other core (as bench_engine.py).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _naive import naive_frame  # noqa: E402
from _timing import (format_ns, machine_info, markdown_table, measure_interleaved,  # noqa: E402
                     parse_budget)

from actviz_widgets.views.dead_neurons import DeadNeuronsView  # noqa: E402
from actviz_widgets.views.distributions import DistributionsView  # noqa: E402
from actviz_widgets.views.gradient_health import GradientHealthView  # noqa: E402
from actviz_widgets.widgets.dead_neurons import DeadNeurons  # noqa: E402
from actviz_widgets.widgets.distributions import Distributions  # noqa: E402
from actviz_widgets.widgets.gradient_health import GradientHealth  # noqa: E402

ARGS, BUDGET = parse_budget(__doc__, 1.0, 5.0)
TARGET_MS = 40.0


class Case:
    """One widget, one control swept over values (or a button), and its naive twin."""

    def __init__(self, name: str, widget, change: Callable[[object], None], values,
                 new_view: Callable[[], object]) -> None:
        self.name, self.widget, self.change = name, widget, change
        self.values = itertools.cycle(values)
        self.new_view = new_view
        self.sizes: list[int] = []

    def fast(self) -> None:
        self.change(next(self.values))
        self.sizes.append(len(self.widget.image.value))

    def cpu_ms(self, repeats: int) -> float:
        """Median CPU time of ``repeats`` fast changes, in ms."""
        times = []
        for _ in range(repeats):
            start = time.process_time()
            self.fast()
            times.append(time.process_time() - start)
        return statistics.median(times) * 1e3

    def naive(self) -> None:
        naive_frame(self.widget, lambda: self.change(next(self.values)), self.new_view)


def setter(control) -> Callable[[object], None]:
    return lambda value: setattr(control, "value", value)


def gradient_health_cases() -> list[Case]:
    cases = []
    w = GradientHealth()
    w.apply_preset("fixed")
    w.train(50)
    new = lambda w=w: GradientHealthView(w.net.sizes)  # noqa: E731
    cases.append(Case("gradient health: learning-rate slider", w, setter(w.lr_slider),
                      [0.1, 0.2, 0.3, 0.5], new))
    w = GradientHealth(depth=10)
    new = lambda w=w: GradientHealthView(w.net.sizes)  # noqa: E731
    cases += [
        Case("gradient health: weight-scale slider (new network)", w, setter(w.scale_slider),
             [round(0.5 + 0.05 * k, 2) for k in range(40)], new),
        Case("gradient health: activation dropdown (new network)", w,
             setter(w.activation_dropdown), ["sigmoid", "tanh", "relu", "elu"], new),
        Case("gradient health: depth slider (new network)", w, setter(w.depth_slider),
             list(range(1, 11)) + list(range(9, 1, -1)), new),
    ]
    # Train on a widget of its own: on the one above, the sliders' last values
    # (how far each cycle got depends on the machine's speed) could leave a
    # network that diverges, and the run would stop on "loss became nan"
    w = GradientHealth(depth=10)
    new = lambda w=w: GradientHealthView(w.net.sizes)  # noqa: E731
    cases.append(Case("gradient health: Train 1", w, lambda _v, w=w: w.train(1), [None], new))
    return cases


def dead_neurons_cases() -> list[Case]:
    w, trained = DeadNeurons(), DeadNeurons()
    w.train(30)
    trained.train(30)
    new = lambda w=w: DeadNeuronsView(w.net.sizes)  # noqa: E731
    return [
        Case("dead neurons: activation switch (in place)", w, setter(w.activation_toggle),
             ["leaky_relu", "relu"], new),
        Case("dead neurons: learning-rate slider", w, setter(w.lr_slider),
             [0.1, 0.2, 0.5, 1.0], new),
        Case("dead neurons: initial-bias slider (new network)", w, setter(w.bias_slider),
             [round(-2 + 0.1 * k, 1) for k in range(25)], new),
        # on a widget of its own, as for gradient health
        Case("dead neurons: Train 1", trained, lambda _v, w=trained: w.train(1), [None],
             lambda w=trained: DeadNeuronsView(w.net.sizes)),
    ]


def distributions_cases() -> list[Case]:
    w = Distributions()
    w.train(300)
    fresh = Distributions()
    return [
        Case("distributions: time slider", w, setter(w.step_slider),
             list(range(0, 301, 10)) + list(range(290, 0, -10)), DistributionsView),
        Case("distributions: layer dropdown", w, setter(w.layer_dropdown), [1, 2, 3, 4],
             DistributionsView),
        Case("distributions: activation dropdown (new network)", fresh,
             setter(fresh.activation_dropdown), ["tanh", "sigmoid", "relu", "elu"],
             DistributionsView),
    ]


def main() -> None:
    print("# Diagnostics widgets: control change → new PNG in the Image widget\n")
    info = machine_info()
    load = os.getloadavg()[0]
    cases = gradient_health_cases() + dead_neurons_cases() + distributions_cases()
    rows = []
    for case in cases:
        print(f"… {case.name}", file=sys.stderr, flush=True)
        t = measure_interleaved({"fast": case.fast, "naive": case.naive}, budget_s=BUDGET,
                                turn_s=0.3)
        fast, naive = t["fast"], t["naive"]
        cpu = case.cpu_ms(10 if ARGS.quick else 40)
        ratio = naive.median_ns / fast.median_ns
        ok = fast.median_ns <= TARGET_MS * 1e6
        biggest = max(case.sizes)
        rows.append([case.name, format_ns(fast.median_ns), format_ns(fast.p90_ns),
                     f"{cpu:.1f} ms", format_ns(naive.median_ns), format_ns(naive.p90_ns),
                     f"{ratio:.1f}×", f"{biggest / 1024:.0f} KB",
                     ("✓" if ok else "✗")
                     + (" · PNG ✓" if biggest <= 200 * 1024 else " · PNG ✗")])
        if case.widget.error:
            raise SystemExit(f"{case.name}: the widget reported {case.widget.error}")
    info.append(("load average", f"{load:.2f} before, {os.getloadavg()[0]:.2f} after"))
    print(markdown_table(["", "value"], info, align="ll"))
    print()
    print(markdown_table(["control change → new PNG", "median", "p90", "CPU median",
                          "naive median", "naive p90", "naive / fast", "largest PNG",
                          f"≤ {TARGET_MS:g} ms?"], rows, align="lrrrrrrrl"))


if __name__ == "__main__":
    main()
