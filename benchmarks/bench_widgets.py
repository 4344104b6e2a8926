"""Benchmark of the widgets: control change → new PNG in the widget's picture.

For each widget a control is set many times (as a learner dragging a slider
would) and the time from setting ``control.value`` until the new PNG sits in
``widget.image.value`` is measured. The naive baseline, timed in turns with
it in the same run, draws the same picture the simple way: a new view (new
figure, every artist built again) for each change, a full ``savefig`` to PNG
with matplotlib's defaults, then the figure is dropped. Also measured: the
size of each frame's PNG, and ``import actviz_widgets`` in a fresh process.

Targets: pass stepper ≤ 40 ms median and ≤ 60 ms p90, at least 4× faster
than naive; activation explorer and single neuron ≤ 15 ms median; the
playground's live setting (learning rate) and Step ≤ 25 ms median (the other
widgets' level), a restart (hidden layers) ≤ 35 ms; each frame ≤ 200 KB;
import ≤ 0.8 s.  The playground's cases include what a frame costs the
kernel beyond the PNG: its hover regions (``frame_regions``), checked and
sent with the frame.

``--only playground`` runs only the cases whose name contains the word.

Usage::

    python benchmarks/bench_widgets.py [--quick]
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _naive import naive_frame
from _timing import format_ns, machine_info, markdown_table, measure_interleaved, parse_budget

import actviz_widgets as av
from actviz_widgets.views.activation_explorer import ActivationExplorerView
from actviz_widgets.views.neuron import NeuronView
from actviz_widgets.views.pass_stepper import PassStepperView
from actviz_widgets.views.playground import PlaygroundView
from actviz_widgets.widgets.activation_explorer import MAX_DEPTH, Z_RANGE

ARGS, BUDGET = parse_budget(__doc__, 1.2, 6.0, options={
    "--only": {"default": "", "help": "only the cases whose name contains this"}})


class Case:
    """One widget, one control swept over values, and its naive twin."""

    def __init__(self, name: str, widget, control, values, new_view: Callable[[], object],
                 target_ms: float, target_p90_ms: float | None = None,
                 min_speedup: float | None = None) -> None:
        self.name, self.widget, self.control = name, widget, control
        self.values = itertools.cycle(values)
        self.new_view = new_view
        self.target_ms, self.target_p90_ms, self.min_speedup = target_ms, target_p90_ms, min_speedup
        self.sizes: list[int] = []
        self.cpu_ns: list[int] = []  # the kernel's CPU time of each fast frame

    def run_fast(self) -> None:
        start = time.process_time_ns()
        self.fast()
        self.cpu_ns.append(time.process_time_ns() - start)

    def fast(self) -> None:
        self.control.value = next(self.values)
        png = self.widget.image.value
        self.sizes.append(len(png))

    def naive(self) -> None:
        naive_frame(self.widget, lambda: setattr(self.control, "value", next(self.values)),
                    self.new_view)


def explorer_case() -> Case:
    w = av.ActivationExplorer()
    return Case("activation explorer: z slider", w, w.z_slider,
                [round(-4 + 0.037 * k, 2) for k in range(200)],
                lambda: _with_names(ActivationExplorerView(z_range=Z_RANGE, max_depth=MAX_DEPTH),
                                    w.activations), target_ms=15)


def _with_names(view, names):
    view.set_activations(names)
    return view


def neuron_case() -> Case:
    w = av.SingleNeuron()

    def new_view():
        view = NeuronView()
        view.set_activation(w.activation_dropdown.value)
        return view
    return Case("single neuron: w₁ slider", w, w.sliders["w1"],
                [round(-2 + 0.023 * k, 2) for k in range(170)], new_view, target_ms=15)


def stepper_cases() -> list[Case]:
    cases = []
    for sizes, label in (((2, 3, 2, 1), "2-3-2-1"), ((2, 8, 8, 8, 8, 8, 8, 1), "2-8×6-1")):
        w = av.PassStepperWidget(sizes=sizes)
        w.go(w.stepper.n_steps // 2 + 1)  # a backward step: the busiest picture

        def new_view(w=w):
            return PassStepperView(w.net.sizes, w.net.activation_names)
        cases.append(Case(f"pass stepper {label}: input x₁ slider", w, w.input_sliders[0],
                          [round(-1.5 + 0.029 * k, 2) for k in range(100)], new_view,
                          target_ms=40, target_p90_ms=60, min_speedup=4))
        w2 = av.PassStepperWidget(sizes=sizes)
        n = w2.stepper.n_steps
        cases.append(Case(f"pass stepper {label}: step slider", w2, w2.step_slider,
                          list(range(n)) + list(range(n - 2, 0, -1)), lambda w=w2: PassStepperView(
                              w.net.sizes, w.net.activation_names),
                          target_ms=40, target_p90_ms=60, min_speedup=4))
    return cases


def playground_cases() -> list[Case]:
    cases = []

    def new_view(pg):
        view = PlaygroundView(pg.sizes, pg.net.activation_names, extent=pg.view.extent,
                              classification=pg.dataset != "sine", grid_n=pg.grid_n)
        d = pg.data
        view.set_data(d.X_train, d.y_train, d.X_test, d.y_test)
        return view

    for label, kwargs in (("", {}), (" 2-8×6-1", {"hidden_layers": 6, "neurons": 8})):
        pg = av.Playground(**kwargs)
        pg.run_frames(20)  # a trained network, curves with history
        cases.append(Case(f"playground{label}: learning-rate slider (live)", pg, pg.lr_slider,
                          [0.1, 0.2, 0.3, 0.5, 0.03], lambda pg=pg: new_view(pg), target_ms=25))
    pg = av.Playground()
    pg.run_frames(20)
    cases.append(Case("playground: hidden-layers slider (restart)", pg, pg.layers_slider,
                      [1, 2, 3], lambda pg=pg: new_view(pg), target_ms=35))
    step = av.Playground()
    step.run_frames(20)
    case = Case("playground: Step (one frame, 5 steps)", step, None, [None],
                lambda pg=step: new_view(pg), target_ms=25)
    case.fast = lambda: (step.step_button.click(), case.sizes.append(len(step.image.value)))
    case.naive = lambda: naive_frame(step, lambda: step.trainer.step(step.steps_per_frame),
                                     lambda: new_view(step))
    cases.append(case)
    return cases


def import_time(repeats: int = 7) -> list[float]:
    code = ("import time; t = time.perf_counter(); import actviz_widgets; "
            "print(time.perf_counter() - t)")
    out = []
    for _ in range(repeats):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, env={**os.environ, "MPLBACKEND": "Agg"})
        out.append(float(result.stdout.strip()))
    return out


def main() -> None:
    print("# Widget benchmark: control change → new PNG in the Image widget\n")
    info = machine_info()
    load = os.getloadavg()[0]
    cases = [explorer_case(), neuron_case(), *stepper_cases(), *playground_cases()]
    cases = [c for c in cases if ARGS.only.lower() in c.name.lower()]
    rows = []
    for case in cases:
        print(f"… {case.name}", file=sys.stderr, flush=True)
        t = measure_interleaved({"fast": case.run_fast, "naive": case.naive}, budget_s=BUDGET,
                                turn_s=0.3)
        fast, naive = t["fast"], t["naive"]
        speedup = naive.median_ns / fast.median_ns
        ok = fast.median_ns <= case.target_ms * 1e6
        target = f"≤ {case.target_ms} ms"
        if case.target_p90_ms:
            ok = ok and fast.p90_ns <= case.target_p90_ms * 1e6
            target += f", p90 ≤ {case.target_p90_ms} ms"
        if case.min_speedup:
            ok = ok and speedup >= case.min_speedup
            target += f", ≥ {case.min_speedup}×"
        biggest = max(case.sizes)
        cpu = sorted(case.cpu_ns)
        rows.append([case.name, format_ns(fast.median_ns), format_ns(fast.p90_ns),
                     format_ns(statistics.median(cpu)), format_ns(cpu[int(0.9 * (len(cpu) - 1))]),
                     format_ns(naive.median_ns), f"{speedup:.1f}×", f"{biggest / 1024:.0f} KB",
                     target, ("✓" if ok else "✗") + (" · PNG ✓" if biggest <= 200 * 1024
                                                     else " · PNG ✗")])
    imports = import_time() if not ARGS.only else []
    info.append(("load average", f"{load:.2f} before, {os.getloadavg()[0]:.2f} after"))
    print(markdown_table(["", "value"], info, align="ll"))
    print()
    print(markdown_table(["control change → new PNG", "median", "p90", "CPU median",
                          "CPU p90", "naive median", "speed-up", "largest PNG", "target",
                          "meets?"], rows, align="lrrrrrrrll"))
    print("\n(median and p90: wall time; CPU: the process's CPU time per frame, which a busy "
          "machine inflates less)")
    if imports:
        med = statistics.median(imports)
        print(f"\n`import actviz_widgets` in a fresh process: median {med * 1000:.0f} ms over "
              f"{len(imports)} runs (target ≤ 800 ms) {'✓' if med <= 0.8 else '✗'}")


if __name__ == "__main__":
    main()
