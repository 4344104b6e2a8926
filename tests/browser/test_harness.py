"""The browser tests' own helpers, checked without a browser (these always run)."""

from __future__ import annotations

import os
import sys
import time

import pytest
from harness import Started, _process_table, assert_checks, readout_matches


@pytest.mark.parametrize("text, value, ok", [
    ("1.01", 1.0100000000000002, True),
    ("1.01", 1.0149, True),
    ("1.01", 1.0151, False),       # would read 1.02
    ("−0.30", -0.2999999999999998, True),   # the readout's minus sign is U+2212
    ("−0.30", 0.30, False),
    ("0.100", 0.1, True),
    ("5", 5, True),
    ("5", 6, False),
    ("1.00e-3", 0.001004, True),
    ("1.00e-3", 0.00102, False),
    ("all", 0, False),             # not a number
])
def test_readout_matches_within_half_a_unit_of_the_last_digit(text, value, ok):
    assert readout_matches(text, value) is ok


def test_assert_checks_accepts_equal_values_and_names_every_difference():
    assert_checks([["a", 1.0, 1.0 + 1e-12], ["label", "loss", "loss"], ["n", 3, 3]], "here")
    with pytest.raises(AssertionError) as failed:
        assert_checks([["a", 1.0, 1.001], ["ok", 2.0, 2.0], ["label", "x", "y"]], "here")
    message = str(failed.value)
    assert "a: widget has 1.0, the engine says 1.001" in message
    assert "label: widget has 'x', the engine says 'y'" in message
    assert "ok:" not in message
    with pytest.raises(AssertionError, match="no checks"):
        assert_checks([], "here")


def test_stop_ends_the_group_and_children_that_left_it(tmp_path):
    # A parent that starts a child in a session of its own, as Jupyter starts kernels.
    script = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
              " start_new_session=True)\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(600)\n")
    started = Started([sys.executable, "-c", script], tmp_path / "log")
    deadline = time.monotonic() + 30
    while not (tmp_path / "log").read_text().strip():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child = int((tmp_path / "log").read_text().split()[0])
    assert os.getpgid(child) != started.pid  # out of the group: killpg alone would miss it
    started.stop()
    table = _process_table()
    assert started.pid not in table and child not in table


def test_stop_is_harmless_when_the_process_already_exited(tmp_path):
    started = Started([sys.executable, "-c", "pass"], tmp_path / "log")
    started.proc.wait(timeout=30)
    started.stop()
    assert started.proc.returncode == 0
