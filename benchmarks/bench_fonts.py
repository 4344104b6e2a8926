"""Benchmark of the Chinese font: what it costs English pictures, and its first use.

* English full redraw of the activation explorer (every text artist drawn)
  with matplotlib's default family list, and with the CJK family added after
  it (what :func:`actviz_widgets.fonts.use_cjk_font` does once Chinese is
  used), timed in turns in the same run; the ratio is the second over the first.
* The same picture in Chinese (for scale).
* In a fresh process each: importing the matplotlib modules
  ``views/text.py`` uses (the baseline), ``import actviz_widgets.views.text``
  (which calls :func:`~actviz_widgets.fonts.use_cjk_font`), and the first
  ``use_cjk_font()`` call alone with the shipped font
  (``ACTVIZ_NO_SYSTEM_CJK=1``) and with an installed one when there is one.

Usage::

    python benchmarks/bench_fonts.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import (format_ns, format_ratio, machine_info, markdown_table, measure_interleaved,
                     parse_budget)
from matplotlib import rc_context

from actviz_widgets.fonts import cjk_font
from actviz_widgets.views.activation_explorer import ActivationExplorerView

ROOT = Path(__file__).resolve().parent.parent


def full_redraw(view: ActivationExplorerView):
    """A full draw of the view's canvas (all static and dynamic text)."""
    def run() -> None:
        view.invalidate()
        view.to_png()
    return run


def fresh(code: str, env: dict[str, str], repeats: int) -> list[float]:
    """Seconds ``code`` takes in each of ``repeats`` fresh interpreters (it prints them)."""
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg", **env})
        times.append(float(out.stdout.split()[-1]))
    return times


# What views/text.py imports from matplotlib, alone (the baseline), then the module itself
# (which calls use_cjk_font), then use_cjk_font's first call alone.
MATPLOTLIB = ("import time; t = time.perf_counter(); import numpy, matplotlib.font_manager, "
              "matplotlib.patches, matplotlib.figure, matplotlib.axes; "
              "print(time.perf_counter() - t)")
IMPORT = ("import time; t = time.perf_counter(); import actviz_widgets.views.text; "
          "print(time.perf_counter() - t)")
FIRST_USE = ("import time, matplotlib.font_manager; from actviz_widgets.fonts import use_cjk_font; "
             "t = time.perf_counter(); use_cjk_font(); print(time.perf_counter() - t)")


def main() -> None:
    args, budget = parse_budget(__doc__, 2.0, 8.0, quick_help="shorter runs")
    repeats = 3 if args.quick else 9

    family = cjk_font().family
    default = list(matplotlib.rcParams["font.family"])
    with rc_context({"font.family": default}):
        plain = ActivationExplorerView(language="en")
    with rc_context({"font.family": [*default, family]}):
        fallback = ActivationExplorerView(language="en")
        chinese = ActivationExplorerView(language="zh")
    timings = measure_interleaved({"en": full_redraw(plain), "en+cjk": full_redraw(fallback),
                                   "zh": full_redraw(chinese)}, budget_s=budget)
    base = timings["en"].median_ns
    rows = [[name, format_ns(t.median_ns), format_ns(t.p90_ns), format_ratio(t.median_ns / base)]
            for name, t in (("English, default families", timings["en"]),
                            (f"English, + {family}", timings["en+cjk"]),
                            ("Chinese", timings["zh"]))]
    print(markdown_table(["machine", ""], machine_info()))
    print(f"\nActivation explorer, full redraw to PNG (CJK font: {cjk_font()})\n")
    print(markdown_table(["picture", "median", "p90", "vs English default"], rows))

    rows = []
    for name, code, env in (("import matplotlib's modules of views.text", MATPLOTLIB, {}),
                            ("import views.text (calls use_cjk_font)", IMPORT, {}),
                            ("first use_cjk_font(), shipped", FIRST_USE, {"ACTVIZ_NO_SYSTEM_CJK": "1"}),
                            ("first use_cjk_font(), installed if any", FIRST_USE, {})):
        times = sorted(fresh(code, env, repeats))
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        rows.append([name, format_ns(statistics.median(times) * 1e9), format_ns(p90 * 1e9)])
    print(f"\nFresh process, {repeats} runs each\n")
    print(markdown_table(["step", "median", "p90"], rows))


if __name__ == "__main__":
    main()
