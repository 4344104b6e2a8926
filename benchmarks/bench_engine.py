"""Benchmark of the NumPy engine's hot path: forward + backward, and training steps.

Workloads
    * 2-4-4-1 (tanh hidden, sigmoid output, ``bce``) on the 200-sample XOR
      set: one forward + backward, on the default (allocating) path and on the
      buffer-reusing path (``forward(X, out=tr)``, ``backward(tr, y, out=g)``).
    * 1000 full-batch SGD steps of that network on XOR: a hand loop of
      forward + backward + ``net.step`` with reused buffers, and, when
      ``actviz_widgets.engine.training`` exists, ``Trainer.step(1000)`` with
      recording and snapshots switched off (so it measures the training loop).
    * 64-32-10 with ``cross_entropy`` on all 1797 digits: forward + backward
      for every activation, on the buffer-reusing path (a second table shows
      what the allocating default path costs on top).

Baselines, measured in the same run
    * naive NumPy: the textbook implementation written below: every array
      allocated fresh, each derivative from its own formula that recomputes
      f(z) in a separate pass, one-hot targets built every call.
    * PyTorch autograd in float64 (when installed; it is not a dependency of
      the project: ``.venv/bin/pip install torch`` — on the project's
      machines ``torch==2.13.0``, a CPU wheel kept on disk): the same networks and
      initial weights, ``addmm`` layers, ``binary_cross_entropy_with_logits``
      / ``cross_entropy``, ``loss.backward()``; SGD updates with
      ``torch._foreach_add_``. Its intra-op threads are set to the number of
      threads NumPy's BLAS uses, so both libraries get the same cores. It runs
      in a child process that works only when asked, so it never competes
      with NumPy for the cores.

The engine, the naive code and torch are timed in turns (runs of calls of
about 20 ms each), so load from other processes hits them alike. Before
timing, the engine's losses and gradients are checked against both
baselines, so every ratio compares the same computation. Ratios are engine
time / baseline time: below 1 the engine is faster.

Usage::

    python benchmarks/bench_engine.py [--quick] [--threads N]

``--threads N`` sets OpenBLAS/MKL/OpenMP and torch to N threads. The default
is one thread for both libraries (unless ``OPENBLAS_NUM_THREADS`` etc. are
already set): NumPy's element-wise work is single-threaded anyway, and on a
small shared machine a second thread stalls whenever another process holds
the other core. ``--quick`` spends a fifth of the time (noisier numbers). The
whole script takes well under two minutes.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="spend a fifth of the time")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for BLAS and torch (default: 1)")
    parser.add_argument("--torch-worker", type=int, default=None, metavar="THREADS",
                        help=argparse.SUPPRESS)  # internal: time torch in a child process
    return parser.parse_args()


ARGS = _parse_args()
# One thread each unless asked otherwise (set before NumPy loads its BLAS): on a
# small shared machine a second BLAS/OpenMP thread waits on the scheduler
# whenever another process holds the other core, which turns medians into
# noise; NumPy's element-wise ufuncs are single-threaded anyway.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    if ARGS.threads is not None:
        os.environ[_var] = str(ARGS.threads)
    else:
        os.environ.setdefault(_var, "1")

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_HERE, os.path.dirname(_HERE)]  # _timing, and the package without installing

import numpy as np  # noqa: E402
from _timing import (  # noqa: E402
    Timing,
    blas_threads,
    format_ns,
    format_ratio,
    machine_info,
    markdown_table,
    measure_interleaved,
)

from actviz_widgets.engine.activations import ACTIVATION_NAMES  # noqa: E402
from actviz_widgets.engine.datasets import load_digits, make_dataset  # noqa: E402
from actviz_widgets.engine.network import MLP  # noqa: E402

try:
    from actviz_widgets.engine.training import Trainer
except ImportError:  # written separately; the row is skipped until it exists
    Trainer = None

torch = F = None
if ARGS.torch_worker is not None:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as exc:  # installed but broken: the parent reports and skips
        print(f"torch failed to import: {exc}", file=sys.stderr)
        sys.exit(3)

BUDGET = 0.2 if ARGS.quick else 1.0  # multiplies every time budget
TOY_TARGET_NS = 40e3
SGD_TARGET_NS = 50e6
DIGITS_TARGET_NS = 0.7e6
TOY_TORCH_RATIO = 0.5
DIGITS_TORCH_RATIO = 1.0
SGD_STEPS = 1000
LR = 0.5


# --- naive NumPy baseline -----------------------------------------------------------------

def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gelu(z):
    return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z ** 3)))


def _gelu_d(z):
    t = np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z ** 3))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t ** 2) * np.sqrt(2.0 / np.pi) * (
        1.0 + 3 * 0.044715 * z ** 2)


#: Textbook value and derivative of each activation; the derivative recomputes f(z).
NAIVE_ACTIVATIONS = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "sigmoid": (_sig, lambda z: _sig(z) * (1.0 - _sig(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0.0)) - 1.0),
            lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))),
    "softplus": (lambda z: np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0), _sig),
    "gelu": (_gelu, _gelu_d),
    "silu": (lambda z: z * _sig(z), lambda z: _sig(z) * (1.0 + z * (1.0 - _sig(z)))),
}


def naive_loss_and_grads(Ws, bs, acts, loss, X, y):
    """Forward and backward written plainly; returns ``(loss, dWs, dbs)``."""
    zs, as_ = [], [X]
    for W, b, name in zip(Ws, bs, [*acts, "linear"]):  # the loss takes the output logits
        zs.append(as_[-1] @ W + b)
        as_.append(NAIVE_ACTIVATIONS[name][0](zs[-1]))
    n = X.shape[0]
    if loss == "bce":
        p = _sig(zs[-1])
        value = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
        delta = (p - y) / n
    else:  # cross_entropy on integer labels
        e = np.exp(zs[-1] - zs[-1].max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        value = -np.mean(np.log(p[np.arange(n), y]))
        delta = (p - np.eye(p.shape[1])[y]) / n
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        dWs[l] = as_[l].T @ delta
        dbs[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ Ws[l].T) * NAIVE_ACTIVATIONS[acts[l - 1]][1](zs[l - 1])
    return value, dWs, dbs


def naive_sgd(Ws, bs, acts, loss, X, y, steps, lr):
    for _ in range(steps):
        _, dWs, dbs = naive_loss_and_grads(Ws, bs, acts, loss, X, y)
        for W, b, dW, db in zip(Ws, bs, dWs, dbs):
            W -= lr * dW
            b -= lr * db


# --- PyTorch baseline ---------------------------------------------------------------------

# Torch runs in a child process (``--torch-worker``, see TorchBaseline): in one
# process, torch's OpenMP threads and NumPy's OpenBLAS threads spin while the
# other library works and slow both down by orders of magnitude on a small machine.

def torch_activations() -> dict:
    return {
        "linear": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "elu": F.elu,
        "softplus": F.softplus,
        "gelu": lambda z: F.gelu(z, approximate="tanh"),
        "silu": F.silu,
    }


class TorchNet:
    """The same MLP as leaf float64 tensors, trained with autograd."""

    def __init__(self, net: MLP, X, y):
        self.W = [torch.tensor(w, requires_grad=True) for w in net.weights]
        self.b = [torch.tensor(b, requires_grad=True) for b in net.biases]
        self.params = self.W + self.b
        self.acts = [torch_activations()[a] for a in net.activation_names[:-1]]
        self.loss = net.loss.name
        self.X = torch.tensor(X, dtype=torch.float64)
        self.y = torch.tensor(y)
        if self.loss == "cross_entropy":
            self.y = self.y.long()

    def loss_and_backward(self):
        a = self.X
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            a = torch.addmm(b, a, W)
            if l < len(self.acts):
                a = self.acts[l](a)
        if self.loss == "bce":
            loss = F.binary_cross_entropy_with_logits(a, self.y)
        else:
            loss = F.cross_entropy(a, self.y)
        for p in self.params:
            p.grad = None
        loss.backward()
        return loss

    def sgd(self, steps, lr):
        for _ in range(steps):
            self.loss_and_backward()
            with torch.no_grad():
                torch._foreach_add_(self.params, [p.grad for p in self.params], alpha=-lr)

    def set_params(self, weights, biases):
        with torch.no_grad():
            for p, v in zip(self.params, list(weights) + list(biases)):
                p.copy_(torch.from_numpy(v))


# --- workloads ----------------------------------------------------------------------------
# Each workload builds its network the same way in the parent (engine, naive)
# and in the torch child, so both start from identical weights.

def toy_net() -> MLP:
    return MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)


def digits_net(act: str) -> MLP:
    return MLP([64, 32, 10], activation=act, loss="cross_entropy", seed=0)


def datasets():
    xor = make_dataset("xor", n_samples=200, test_fraction=0.0, seed=0)
    digits = load_digits()
    return (xor.X_train, xor.y_train), (digits.X, digits.y)


# Time budgets (seconds) per workload, shared by the engine paths and the
# baselines, which are timed in turns.
TOY_BUDGET = 2.0 * BUDGET
DIGITS_BUDGET = 1.2 * BUDGET
SGD_KW = dict(budget_s=8.0 * BUDGET, warmup_s=0.0, min_repeats=5 if ARGS.quick else 11)


def check_gradients(what: str, net: MLP, X, y, others) -> None:
    """Stop if the engine and a baseline disagree on the loss or the gradients.

    ``others`` holds ``(name, loss, dWs, dbs)`` for each baseline.
    """
    g = net.backward(net.forward(X), y)
    for name, o_loss, o_dW, o_db in others:
        ok = np.isclose(g.loss, o_loss, rtol=1e-9) and all(
            np.allclose(a, b, rtol=1e-6, atol=1e-12)
            for a, b in zip(g.dW + g.db, list(o_dW) + list(o_db)))
        if not ok:
            raise SystemExit(f"{what}: the engine and {name} disagree (loss {g.loss!r} vs "
                             f"{o_loss!r}); the timings would not compare the same work")


def check_trajectory(what: str, net: MLP, X, y, name: str, final_params) -> None:
    """Stop unless ``final_params`` are the weights after 100 engine SGD steps.

    Rounding differences grow over many steps (ULPs at step 100, ~1e-3 by
    step 1000), so loops are compared after 100 steps, from the seed's weights.
    """
    net.reinitialize()
    tr = net.forward(X)
    for _ in range(100):
        net.step(net.backward(net.forward(X, out=tr), y), LR)
    if not all(np.allclose(a, b, rtol=1e-9, atol=1e-12)
               for a, b in zip(net.weights + net.biases, final_params)):
        raise SystemExit(f"{what}: the engine and {name} end at different weights")


def torch_worker(threads: int) -> None:
    """Serve torch timings to the parent process, one call at a time.

    Checks every workload against the engine, prints one JSON line (version,
    threads), then for each line ``NAME K`` read from stdin runs workload
    NAME K times and prints the K wall times in nanoseconds; an empty line ends.
    """
    torch.set_num_threads(threads)
    (Xt, yt), (Xd, yd) = datasets()
    work = {}  # name -> (fn, setup)

    def grads_of(tnet: TorchNet):
        loss = tnet.loss_and_backward()
        return [("torch", loss.item(), [w.grad for w in tnet.W], [b.grad for b in tnet.b])]

    net = toy_net()
    toy = TorchNet(net, Xt, yt)
    check_gradients("2-4-4-1", net, Xt, yt, grads_of(toy))
    work["toy"] = (toy.loss_and_backward, None)

    sgd = TorchNet(net, Xt, yt)
    W0, b0 = net.get_params()
    sgd.sgd(100, LR)
    check_trajectory("SGD", net, Xt, yt, "torch", [p.detach() for p in sgd.params])
    work["sgd"] = (lambda: sgd.sgd(SGD_STEPS, LR), lambda: sgd.set_params(W0, b0))

    for act in ACTIVATION_NAMES:
        net = digits_net(act)
        tnet = TorchNet(net, Xd, yd)
        check_gradients(f"digits {act}", net, Xd, yd, grads_of(tnet))
        work[f"digits {act}"] = (tnet.loss_and_backward, None)

    print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads()}),
          flush=True)
    gc.disable()  # as in the parent's timing loops
    for line in sys.stdin:
        if not line.strip():
            break
        name, k = line.rsplit(maxsplit=1)
        fn, setup = work[name]
        times = []
        for _ in range(int(k)):
            if setup is not None:
                setup()
            start = time.perf_counter_ns()
            fn()
            times.append(time.perf_counter_ns() - start)
        print(*times, flush=True)


class TorchBaseline:
    """The torch side of the comparison, in a child process that runs one call
    at a time when asked: only one of the two processes works at any moment, so
    torch is timed in turns with the engine, under the same conditions."""

    def __init__(self, threads: int):
        self.note = "torch not installed: skipped"
        self.proc = None
        if importlib.util.find_spec("torch") is None:
            return
        cmd = [sys.executable, os.path.abspath(__file__), "--torch-worker", str(threads)]
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, text=True)
        first = self.proc.stdout.readline()
        if not first:  # it failed: a broken install is skipped, a check that failed stops
            code = self.proc.wait()
            self._stderr.seek(0)
            errors = self._stderr.read().strip()
            self._stderr.close()
            self.proc = None
            if code != 3:
                raise SystemExit(f"the torch baseline failed:\n{errors}")
            self.note = "torch failed to import: skipped"
            return
        info = json.loads(first)
        self.note = f"{info['version']}, intra-op threads {info['threads']}"

    def timer(self, workload: str):
        """A callable that runs ``workload`` k times in torch and returns the times in ns."""
        def call(k: int) -> list[int]:
            self.proc.stdin.write(f"{workload} {k}\n")
            self.proc.stdin.flush()
            return [int(t) for t in self.proc.stdout.readline().split()]
        return call

    def add_to(self, fns: dict, workload: str) -> dict:
        """``fns`` plus a ``"torch"`` entry for ``workload`` when torch runs."""
        return fns if self.proc is None else {**fns, "torch": self.timer(workload)}

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait()
            self._stderr.close()


class Row:
    """One line of the results table."""

    def __init__(self, name: str, engine: Timing, target_ns: float, naive: Timing,
                 torch_t: Timing | None, torch_target: float):
        self.name, self.engine, self.target_ns = name, engine, target_ns
        self.naive, self.torch_t, self.torch_target = naive, torch_t, torch_target

    @property
    def meets_time(self) -> bool:
        return self.engine.median_ns <= self.target_ns

    @property
    def torch_ratio(self) -> float | None:
        return None if self.torch_t is None else self.engine.median_ns / self.torch_t.median_ns

    def cells(self, torch_note: str) -> list[str]:
        e = self.engine.median_ns
        if self.torch_t is None:
            torch_cells, verdict = ["–", torch_note], "torch n/a"
        else:
            ok = self.torch_ratio <= self.torch_target
            torch_cells = [format_ns(self.torch_t.median_ns),
                           f"{format_ratio(self.torch_ratio)} (≤ {self.torch_target:g})"]
            verdict = f"torch {'✓' if ok else '✗'}"
        return [self.name, format_ns(e), format_ns(self.engine.p90_ns),
                f"≤ {format_ns(self.target_ns)}", format_ns(self.naive.median_ns),
                format_ratio(e / self.naive.median_ns), *torch_cells,
                f"time {'✓' if self.meets_time else '✗'} · {verdict}"]


HEADERS = ["workload", "median", "p90", "target", "naive NumPy median", "ratio",
           "torch median", "ratio (torch)", "meets target?"]


def progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def toy_rows(X, y, torch_b: TorchBaseline) -> list[Row]:
    net = toy_net()
    loss, dWs, dbs = naive_loss_and_grads(net.weights, net.biases, ["tanh", "tanh"], "bce", X, y)
    check_gradients("2-4-4-1", net, X, y, [("naive NumPy", loss, dWs, dbs)])
    progress("2-4-4-1 forward + backward")
    tr = net.forward(X)
    g = net.backward(tr, y)
    t = measure_interleaved(torch_b.add_to({
        "naive": lambda: naive_loss_and_grads(net.weights, net.biases, ["tanh", "tanh"], "bce",
                                              X, y),
        "default": lambda: net.backward(net.forward(X), y),
        "reuse": lambda: net.backward(net.forward(X, out=tr), y, out=g)}, "toy"),
        self_timed={"torch"}, budget_s=TOY_BUDGET)
    name = "2-4-4-1 fwd+bwd, 200 samples"
    return [Row(f"{name} (default)", t["default"], TOY_TARGET_NS, t["naive"], t.get("torch"),
                TOY_TORCH_RATIO),
            Row(f"{name} (out= buffers)", t["reuse"], TOY_TARGET_NS, t["naive"], t.get("torch"),
                TOY_TORCH_RATIO)]


def sgd_rows(X, y, torch_b: TorchBaseline) -> list[Row]:
    net = toy_net()
    W0, b0 = net.get_params()
    Wn, bn = [w.copy() for w in W0], [b.copy() for b in b0]

    def reset_naive():
        for a, v in zip(Wn + bn, W0 + b0):
            np.copyto(a, v)

    def naive():
        naive_sgd(Wn, bn, ["tanh", "tanh"], "bce", X, y, SGD_STEPS, LR)

    def engine():
        tr = net.forward(X)
        g = net.backward(tr, y)
        net.step(g, LR)
        for _ in range(SGD_STEPS - 1):
            net.backward(net.forward(X, out=tr), y, out=g)
            net.step(g, LR)

    naive_sgd(Wn, bn, ["tanh", "tanh"], "bce", X, y, 100, LR)
    check_trajectory("SGD", net, X, y, "naive NumPy", Wn + bn)
    progress(f"{SGD_STEPS} SGD steps")
    fns = {"naive": naive, "engine": engine}
    setups = {"naive": reset_naive, "engine": lambda: net.set_params(W0, b0)}
    if Trainer is not None:
        # its own copy of the network; no history rows or snapshots inside the loop
        trainer = Trainer(toy_net(), (X, y), optimizer="sgd", lr=LR, record_every=10**9,
                          snapshot_every=10**9)
        fns["trainer"], setups["trainer"] = (lambda: trainer.step(SGD_STEPS)), trainer.rewind
    t = measure_interleaved(torch_b.add_to(fns, "sgd"), setups=setups, self_timed={"torch"},
                            **SGD_KW)
    name = f"{SGD_STEPS} SGD steps 2-4-4-1 on XOR"
    rows = [Row(f"{name} (loop, out= buffers)", t["engine"], SGD_TARGET_NS, t["naive"],
                t.get("torch"), TOY_TORCH_RATIO)]
    if Trainer is not None:
        rows.append(Row(f"{name} (Trainer.step)", t["trainer"], SGD_TARGET_NS, t["naive"],
                        t.get("torch"), TOY_TORCH_RATIO))
    return rows


def digits_rows(X, y, torch_b: TorchBaseline) -> tuple[list[Row], list[list[str]]]:
    rows, alloc_rows = [], []
    for act in ACTIVATION_NAMES:
        net = digits_net(act)
        loss, dWs, dbs = naive_loss_and_grads(net.weights, net.biases, [act], "cross_entropy",
                                              X, y)
        check_gradients(f"digits {act}", net, X, y, [("naive NumPy", loss, dWs, dbs)])
        progress(f"digits 64-32-10 {act}")
        tr = net.forward(X)
        g = net.backward(tr, y)
        t = measure_interleaved(torch_b.add_to({
            "naive": lambda: naive_loss_and_grads(net.weights, net.biases, [act],
                                                  "cross_entropy", X, y),
            "default": lambda: net.backward(net.forward(X), y),
            "reuse": lambda: net.backward(net.forward(X, out=tr), y, out=g)}, f"digits {act}"),
            self_timed={"torch"}, budget_s=DIGITS_BUDGET)
        rows.append(Row(f"64-32-10 digits fwd+bwd, {act}", t["reuse"], DIGITS_TARGET_NS,
                        t["naive"], t.get("torch"), DIGITS_TORCH_RATIO))
        reuse, default = t["reuse"].median_ns, t["default"].median_ns
        alloc_rows.append([act, format_ns(reuse), format_ns(default),
                           format_ns(default - reuse)])
    return rows, alloc_rows


def main() -> None:
    threads = blas_threads() or ARGS.threads or 1
    print("# Engine benchmark\n")
    info = machine_info()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    progress("starting the torch baseline (child process)")
    torch_b = TorchBaseline(threads)
    info.append(("torch", torch_b.note))
    info.append(("threads used", (
        f"NumPy matmul (BLAS) {blas_threads() or '?'}; NumPy element-wise 1 (NumPy does not "
        "thread ufuncs); torch " + (f"{threads} (set to match the BLAS; in its own process, "
                                    "timed in turns with the engine); change with --threads N"
                                    if torch_b.proc else "–"))))
    (Xt, yt), (Xd, yd) = datasets()
    try:
        rows = toy_rows(Xt, yt, torch_b) + sgd_rows(Xt, yt, torch_b)
        digit_rows, alloc_rows = digits_rows(Xd, yd, torch_b)
    finally:
        torch_b.close()
    rows += digit_rows
    if load_before is not None:
        info.append(("load average", "%.2f before, %.2f after (1 min; other work on the machine "
                     "adds noise)" % (load_before[0], os.getloadavg()[0])))

    print(markdown_table(["", "value"], info, align="ll"))
    print("\nEngine times are for the buffer-reusing path unless marked (default); "
          "ratios are engine time / baseline time (below 1: the engine is faster).\n")
    print(markdown_table(HEADERS, [r.cells(torch_b.note) for r in rows],
                         align="l" + "r" * 7 + "l"))
    print("\nDigits 64-32-10: the allocating default path "
          "(`net.backward(net.forward(X), y)`) against the out= path.\n")
    print(markdown_table(["activation", "out= buffers", "default", "difference"], alloc_rows))
    summary = f"\nTime targets met: {sum(r.meets_time for r in rows)} of {len(rows)}."
    if torch_b.proc is not None:
        met = sum(r.torch_ratio <= r.torch_target for r in rows)
        summary += f" Torch-ratio targets met: {met} of {len(rows)}."
    print(summary)


if __name__ == "__main__":
    if ARGS.torch_worker is not None:
        torch_worker(ARGS.torch_worker)
    else:
        main()
