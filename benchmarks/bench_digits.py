"""Benchmark of the gradient-check and digits widgets, and of training the digits network.

Control change → new PNG
    A control is set many times (as a learner dragging a slider would) and
    the time from setting ``control.value`` until the new PNG sits in
    ``widget.image.value`` is measured. The naive baseline, timed in turns
    with it in the same run, draws the same picture the simple way: a new
    view (new figure, every artist built again) for each change, a full
    ``savefig`` to PNG with matplotlib's defaults, and nothing cached (the
    gradient check's error curve is recomputed every time). Cases: the
    gradient check's ε slider (the curve is cached per weight), its
    "to" dropdown with the cache emptied before each change (a new weight:
    23 numeric gradients), and the digits widget's test-digit and neuron
    sliders.

Training
    ``train_digits`` (the engine's Trainer, Adam with a cosine-decayed
    learning rate, mini-batches of 32, 30 epochs) for every activation:
    wall time (median of 3) and test accuracy with seed 0, against a
    textbook NumPy loop of the same recipe, batch order and initial weights
    (every array allocated afresh, one-hot targets built per batch).
    Also: constructing each widget (the digits one trains on construction).

Each control-change row also gives the CPU time of a change (the process's
own, from ``time.process_time``): on a shared machine the wall-clock median
follows the other processes' load, the CPU time much less.

Targets: each control change ≤ 40 ms median; the network ≥ 95 % test
accuracy in ≤ 5 s for every activation; the digits widget built (training
included) in ≤ 3 s; each frame ≤ 200 KB.

Usage::

    python benchmarks/bench_digits.py [--quick]
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

import numpy as np  # noqa: E402
from _naive import naive_frame  # noqa: E402
from _timing import (format_ns, machine_info, markdown_table, measure_interleaved,  # noqa: E402
                     parse_budget)

from actviz_widgets.engine import ACTIVATION_NAMES, MLP, get_activation, load_digits  # noqa: E402
from actviz_widgets.engine.case_study import (  # noqa: E402
    DIGITS_RECIPE,
    DIGITS_SIZES,
    cosine_lr,
    train_digits,
)
from actviz_widgets.views.digits import DigitsView  # noqa: E402
from actviz_widgets.views.gradient_check import GradientCheckView  # noqa: E402
from actviz_widgets.widgets.digits import DigitsCaseStudy  # noqa: E402
from actviz_widgets.widgets.gradient_check import GradientCheck  # noqa: E402

ARGS, BUDGET = parse_budget(__doc__, 1.2, 6.0)
TARGET_MS = 40.0
TRAIN_TARGET_S = 5.0
BUILD_TARGET_S = 3.0


# --- control change → new PNG ---------------------------------------------------------------

class Case:
    """One widget, one control swept over values, and its naive twin."""

    def __init__(self, name: str, widget, control, values, new_view: Callable[[], object],
                 before: Callable[[], None] | None = None) -> None:
        self.name, self.widget, self.control = name, widget, control
        self.values = itertools.cycle(values)
        self.new_view, self.before = new_view, before
        self.sizes: list[int] = []
        self.cpu_ns: list[int] = []

    def fast(self) -> None:
        start = time.process_time_ns()
        self.control.value = next(self.values)
        self.cpu_ns.append(time.process_time_ns() - start)
        self.sizes.append(len(self.widget.image.value))

    def naive(self) -> None:
        naive_frame(self.widget, lambda: setattr(self.control, "value", next(self.values)),
                    self.new_view)


def gradient_check_cases() -> list[Case]:
    w = GradientCheck()
    eps = [10.0 ** (-12 + 0.25 * k) for k in range(45)]

    def new_view():
        w._curves.clear()  # naive: no cache, the curve is recomputed
        return GradientCheckView(w.net.sizes, w.net.activation_names)

    w2 = GradientCheck()
    return [Case("gradient check: ε slider", w, w.eps_slider, eps + eps[-2:0:-1], new_view),
            Case("gradient check: new weight (\"to\" dropdown, curve not cached)", w2,
                 w2.to_dropdown, [0, 1, 2, 3], lambda: (w2._curves.clear(), GradientCheckView(
                     w2.net.sizes, w2.net.activation_names))[1], before=w2._curves.clear)]


def digits_cases(w: DigitsCaseStudy) -> list[Case]:
    def new_view():
        view = DigitsView(w.class_starts)
        view.set_network(w.hidden, w.class_mean, w.confusion, w.accuracy,
                         get_activation(w.activation_dropdown.value).display_name)
        return view

    return [Case("digits: test-digit slider", w, w.sample_slider, list(range(0, 359, 7)),
                 new_view),
            Case("digits: neuron slider", w, w.neuron_slider, list(range(32)), new_view)]


# --- training ---------------------------------------------------------------------------------

def naive_train(activation: str, data, epochs: int = DIGITS_RECIPE["epochs"],
                lr: float = DIGITS_RECIPE["lr"], batch_size: int = DIGITS_RECIPE["batch_size"],
                weight_decay: float = DIGITS_RECIPE["weight_decay"], seed: int = 0) -> MLP:
    """The recipe of ``train_digits`` written the textbook way (fresh arrays everywhere)."""
    net = MLP(list(DIGITS_SIZES), activation=activation, loss="cross_entropy", seed=seed)
    f = get_activation(activation)
    params = net.weights + net.biases  # W0, W1, b0, b1: updated in place
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    X, y = data.X_train, data.y_train
    t = 0
    for epoch in range(epochs):
        rate = cosine_lr(lr, epoch, epochs)
        order = np.random.default_rng([seed, epoch]).permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            xb, yb = X[idx], np.eye(10)[y[idx]]
            z1 = xb @ params[0] + params[2]
            a1 = f(z1)
            logits = a1 @ params[1] + params[3]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            d2 = (p - yb) / len(idx)
            d1 = (d2 @ params[1].T) * f.grad(z1)
            grads = [xb.T @ d1 + weight_decay * params[0], a1.T @ d2 + weight_decay * params[1],
                     d1.sum(axis=0), d2.sum(axis=0)]
            t += 1
            for k, (param, g) in enumerate(zip(params, grads)):
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                m_hat = m[k] / (1 - 0.9 ** t)
                v_hat = v[k] / (1 - 0.999 ** t)
                param -= rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    return net


def accuracy(net: MLP, data) -> float:
    return float(np.mean(net.predict(data.X_test).argmax(axis=1) == data.y_test))


def training_rows(data, repeats: int) -> tuple[list, bool]:
    rows, ok_all = [], True
    for name in ACTIVATION_NAMES:
        print(f"… training {name}", file=sys.stderr, flush=True)
        fast, naive = [], []
        for _ in range(repeats):  # in turns, so load hits both alike
            start = time.perf_counter()
            net = train_digits(name, data, seed=0).net
            fast.append(time.perf_counter() - start)
            start = time.perf_counter()
            twin = naive_train(name, data, seed=0)
            naive.append(time.perf_counter() - start)
        acc, acc_naive = accuracy(net, data), accuracy(twin, data)
        t, tn = statistics.median(fast), statistics.median(naive)
        ok = acc >= 0.95 and t <= TRAIN_TARGET_S
        ok_all &= ok
        rows.append([get_activation(name).display_name, f"{t:.2f} s", f"{100 * acc:.1f} %",
                     f"{tn:.2f} s", f"{100 * acc_naive:.1f} %", f"{tn / t:.1f}×",
                     "✓" if ok else "✗"])
    return rows, ok_all


def build_times(repeats: int) -> list[list[str]]:
    rows = []
    for label, build in (("DigitsCaseStudy() (trains ReLU)", DigitsCaseStudy),
                         ("GradientCheck()", GradientCheck)):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            build()
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        target = BUILD_TARGET_S if label.startswith("Digits") else None
        rows.append([label, f"{med:.2f} s", f"{max(times):.2f} s",
                     f"≤ {target:g} s" if target else "–",
                     ("✓" if med <= target else "✗") if target else "–"])
    return rows


def main() -> None:
    print("# Gradient check and digits: benchmark\n")
    info = machine_info()
    load = os.getloadavg()[0]
    data = load_digits()
    digits = DigitsCaseStudy()
    rows = []
    for case in [*gradient_check_cases(), *digits_cases(digits)]:
        print(f"… {case.name}", file=sys.stderr, flush=True)
        t = measure_interleaved({"fast": case.fast, "naive": case.naive}, budget_s=BUDGET,
                                turn_s=0.3, setups={"fast": case.before, "naive": case.before})
        fast, naive = t["fast"], t["naive"]
        speedup = naive.median_ns / fast.median_ns
        biggest = max(case.sizes)
        ok = fast.median_ns <= TARGET_MS * 1e6 and biggest <= 200 * 1024
        rows.append([case.name, format_ns(fast.median_ns), format_ns(fast.p90_ns),
                     format_ns(statistics.median(case.cpu_ns)), format_ns(naive.median_ns),
                     f"{speedup:.1f}×", f"{biggest / 1024:.0f} KB", "✓" if ok else "✗"])
    train, train_ok = training_rows(data, repeats=1 if ARGS.quick else 3)
    builds = build_times(repeats=1 if ARGS.quick else 3)
    info.append(("load average", f"{load:.2f} before, {os.getloadavg()[0]:.2f} after"))
    print(markdown_table(["", "value"], info, align="ll"))
    print(f"\nControl change → new PNG (target ≤ {TARGET_MS:g} ms median, PNG ≤ 200 KB):\n")
    print(markdown_table(["control change → new PNG", "median", "p90", "CPU median",
                          "naive median", "speed-up", "largest PNG", "meets?"], rows,
                         align="lrrrrrrl"))
    print("\n(median and p90: wall time; CPU median: this process's CPU time per change, "
          "which other processes' load barely changes; BLAS may add a second thread's.)")
    print(f"\nTraining the 64-32-10 network ({DIGITS_RECIPE['epochs']} epochs of Adam, "
          f"lr {DIGITS_RECIPE['lr']:g} cosine-decayed, batches of {DIGITS_RECIPE['batch_size']}, "
          f"L2 {DIGITS_RECIPE['weight_decay']:g}; seed 0; target ≥ 95 % in ≤ "
          f"{TRAIN_TARGET_S:g} s):\n")
    print(markdown_table(["hidden activation", "train_digits", "test accuracy", "naive loop",
                          "naive accuracy", "speed-up", "meets?"], train, align="lrrrrrl"))
    print("\nBuilding a widget (median and worst of the runs):\n")
    print(markdown_table(["widget", "median", "worst", "target", "meets?"], builds,
                         align="lrrrl"))
    print(f"\nall training targets met: {'yes' if train_ok else 'no'}")


if __name__ == "__main__":
    main()
