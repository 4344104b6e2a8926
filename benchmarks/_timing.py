"""Timing helpers shared by the ``bench_*.py`` scripts.

* :func:`measure` runs a callable many times (after a warm-up) and returns its
  median and 90th-percentile wall time; :func:`measure_interleaved` does the
  same for several callables in turns, so that they share the conditions.
* :func:`format_ns` prints a duration in the unit that suits it (ns, µs, ms, s).
* :func:`markdown_table` lays out rows as an aligned Markdown table.
* :func:`machine_info` and :func:`blas_threads` say what the numbers were
  measured on, so a table can be read next to the machine that made it.
* :func:`parse_budget` reads a benchmark's command line (``--quick`` and any
  options of its own) and picks its time budget.

Only the standard library and NumPy are used, so every benchmark can import
this module without extra dependencies.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Timing", "measure", "measure_interleaved", "format_ns", "format_ratio",
           "markdown_table", "machine_info", "blas_threads", "parse_budget", "THREAD_ENV_VARS"]

#: Environment variables that set how many threads BLAS/OpenMP libraries use.
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated calls, in nanoseconds.

    Attributes
    ----------
    median_ns, p90_ns : float
        Median and 90th percentile of the per-call times.
    repeats : int
        Number of timed calls.
    """

    median_ns: float
    p90_ns: float
    repeats: int

    def __str__(self) -> str:
        return (f"median {format_ns(self.median_ns)}, p90 {format_ns(self.p90_ns)} "
                f"(n={self.repeats})")


def measure(fn: Callable[[], object], *, setup: Callable[[], object] | None = None,
            budget_s: float = 0.5, warmup_s: float = 0.05, min_repeats: int = 7,
            max_repeats: int = 5000) -> Timing:
    """Time ``fn()`` over many calls and return the median and p90.

    The callable is first run for about ``warmup_s`` seconds (at least twice)
    to fill caches, fault in memory and estimate its cost; then it is timed
    call by call with :func:`time.perf_counter_ns` as many times as fit in
    ``budget_s``, clamped to ``[min_repeats, max_repeats]``. The garbage
    collector is paused while timing, as :mod:`timeit` does.

    Parameters
    ----------
    fn : callable
        The work to time, called with no arguments.
    setup : callable, optional
        Called before every call of ``fn`` and not timed (e.g. to reset weights).
    budget_s : float, default 0.5
        Approximate total time to spend on timed calls.
    warmup_s : float, default 0.05
        Approximate time to spend warming up.
    min_repeats, max_repeats : int
        Bounds on the number of timed calls.

    Returns
    -------
    Timing
    """
    return measure_interleaved({"fn": fn}, setups={"fn": setup}, budget_s=budget_s,
                               warmup_s=warmup_s, turn_s=budget_s, min_repeats=min_repeats,
                               max_repeats=max_repeats)["fn"]


def measure_interleaved(fns: Mapping[str, Callable[..., object]], *,
                        setups: Mapping[str, Callable[[], object] | None] | None = None,
                        self_timed: Collection[str] = (), budget_s: float = 1.0,
                        warmup_s: float = 0.05, turn_s: float = 0.02, min_repeats: int = 7,
                        max_repeats: int = 5000) -> dict[str, Timing]:
    """Time several callables in turns, and return the median and p90 of each.

    Interleaving puts every contender under the same conditions: a burst of
    load from another process, or the CPU's clock changing, hits all of them
    alike instead of whichever happened to be running. Each turn is a run of
    consecutive calls lasting about ``turn_s``, so that each callable is
    measured warm, as when it runs alone. Every callable gets the same number
    of calls; ``budget_s`` is shared among them. Otherwise as :func:`measure`.

    Parameters
    ----------
    self_timed : collection of str
        Names whose callable times itself, e.g. work done in another process
        (the round trip is not counted): it is called with a number of calls
        ``k``, does ``k`` calls (each after its own setup) and returns their
        ``k`` durations in nanoseconds. Such a callable's ``setups`` entry is
        not used.

    Returns
    -------
    dict of str to Timing
        In the order of ``fns``.
    """
    clock = time.perf_counter_ns
    setups = setups or {}
    names = list(fns)

    def run(name: str, k: int) -> list[int]:
        fn = fns[name]
        if name in self_timed:
            return [int(t) for t in fn(k)]
        setup = setups.get(name)
        out = []
        for _ in range(k):
            if setup is not None:
                setup()
            start = clock()
            fn()
            out.append(clock() - start)
        return out

    estimates = []
    for name in names:
        warm = run(name, 2)
        deadline = clock() + warmup_s * 1e9
        while clock() < deadline:
            warm += run(name, 1)
        estimates.append(max(float(np.median(warm)), 1.0))
    calls = int(min(max(budget_s * 1e9 / sum(estimates), min_repeats), max_repeats))
    block = int(min(max(turn_s * 1e9 / max(estimates), 1), calls))
    rounds = math.ceil(calls / block)
    times = {name: [] for name in names}
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name in names:
                times[name] += run(name, block)
    finally:
        if gc_was_on:
            gc.enable()
    return {name: Timing(float(np.median(t)), float(np.percentile(t, 90)), len(t))
            for name, t in times.items()}


def format_ns(ns: float | None) -> str:
    """A duration in the unit that keeps 3 significant digits readable.

    >>> format_ns(41_500), format_ns(1_234_000), format_ns(812), format_ns(-2500)
    ('41.5 µs', '1.23 ms', '812 ns', '-2.5 µs')
    """
    if ns is None or not np.isfinite(ns):
        return "–"
    sign, ns = ("-" if ns < 0 else ""), abs(ns)
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= scale:
            return f"{sign}{ns / scale:.3g} {unit}"
    return f"{sign}{ns:.3g} ns"


def format_ratio(ratio: float | None) -> str:
    """A ratio such as ``0.42×`` (``–`` when there is none)."""
    return "–" if ratio is None or not np.isfinite(ratio) else f"{ratio:.2f}×"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                   align: str | None = None) -> str:
    """Lay out ``rows`` as a Markdown table whose columns line up in plain text too.

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequences
        Cells, converted with ``str``; each row has one cell per header.
    align : str, optional
        One letter per column, ``"l"`` or ``"r"``; default: the first column
        left, the others right.

    Returns
    -------
    str
    """
    if align is None:
        align = "l" + "r" * (len(headers) - 1)
    if len(align) != len(headers) or any(len(r) != len(headers) for r in rows):
        raise ValueError(f"every row and align must have {len(headers)} entries")
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(3, *(len(r[j]) for r in cells)) for j in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        padded = (c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(r, widths, align))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join((":" + "-" * (w + 1)) if a == "l" else ("-" * (w + 1) + ":")
                          for w, a in zip(widths, align)) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def blas_threads() -> int | None:
    """Threads the BLAS behind NumPy's matmul uses, or ``None`` if unknown.

    Uses threadpoolctl when installed; otherwise asks the OpenBLAS that
    NumPy's wheels bundle directly.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"])
    libdir = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libdir.glob("*openblas*")):
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "openblas_get_num_threads"):
            getter = getattr(lib, symbol, None)
            if getter is not None:
                return int(getter())
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas_name() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy without mode="dicts"; only informative
        return "unknown"


def machine_info() -> list[tuple[str, str]]:
    """``(what, value)`` pairs describing the machine and the numeric stack."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    env = ", ".join(f"{k}={os.environ[k]}" for k in THREAD_ENV_VARS if k in os.environ)
    threads = blas_threads()
    return [
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
        ("cpu", _cpu_model()),
        ("cores", f"{os.cpu_count()} logical" + (f", {usable} usable" if usable else "")),
        ("numpy", np.__version__),
        ("BLAS", _blas_name()),
        ("BLAS threads", "unknown" if threads is None else str(threads)),
        ("thread env", env or "none set"),
    ]


def parse_budget(doc: str, quick_s: float, full_s: float, *,
                 quick_help: str = "a fifth of the time (noisier)",
                 options: Mapping[str, Mapping[str, object]] | None = None,
                 ) -> tuple[argparse.Namespace, float]:
    """Read a benchmark's command line; return its arguments and its time budget.

    Parameters
    ----------
    doc : str
        The script's docstring; its first line describes the script in ``--help``.
    quick_s, full_s : float
        The budget in seconds with ``--quick`` and without it.
    quick_help : str
        What ``--help`` says of ``--quick``.
    options : mapping, optional
        The script's own options: flag to :meth:`argparse.ArgumentParser.add_argument`'s
        keywords, e.g. ``{"--only": {"default": "", "help": "..."}}``.

    Returns
    -------
    (argparse.Namespace, float)
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    for flag, keywords in (options or {}).items():
        parser.add_argument(flag, **keywords)
    args = parser.parse_args()
    return args, (quick_s if args.quick else full_s)
