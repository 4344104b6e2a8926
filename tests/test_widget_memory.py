"""A closed widget gives its memory back: building and closing many leaves the process as it was."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import pytest

from actviz_widgets.widgets.gradient_health import GradientHealth


#: Run in a fresh interpreter, so that what other tests left behind does not count.
LOOP = """
import gc, os
from actviz_widgets.widgets.single_neuron import SingleNeuron

def rss_mb():
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20

for _ in range(20):  # warm-up: matplotlib's and the text renderer's caches fill once
    SingleNeuron().close()
gc.collect()
start = rss_mb()
for _ in range(200):
    SingleNeuron().close()
gc.collect()
print(rss_mb() - start)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux's /proc")
def test_two_hundred_widgets_built_and_closed_stay_within_50_mb():
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True,
                          env=env, timeout=600, check=True)
    grown = float(done.stdout.strip().splitlines()[-1])
    assert grown < 50, f"the process grew {grown:.1f} MB over 200 widgets"


def test_a_closed_widget_is_collected_with_its_figure_and_network():
    w = GradientHealth(depth=1)
    refs = [weakref.ref(x) for x in (w, w.view.figure, w.net, w.trainer)]
    w.close()
    del w
    gc.collect()
    assert all(r() is None for r in refs)
