"""Tests of lesson 3's checkers (actviz_widgets.exercises.lesson03): the computational graph.

Right answers are computed here by hand (q = a·b, r = q + c, f = r·q, the
chain rule on each edge) and by finite differences of f, independently of the
engine.  Each checker must accept the right answer (and any right order) and
reject each common mistake it covers with the hint for that mistake.
"""

from __future__ import annotations

import pytest

from actviz_widgets.exercises import _check, lesson03
from checking import assert_right, assert_wrong, run  # noqa: F401 (shared helpers)

A, B, C = 2.0, -1.5, 1.0
Q = A * B                # −3
R = Q + C                # −2
F = R * Q                # 6
DF_DR = Q                # −3
DF_DQ = R + DF_DR * 1.0  # both uses of q: −5
DF_DA = DF_DQ * B        # 7.5
DF_DB = DF_DQ * A        # −10
DF_DC = DF_DR            # −3


def f_of(a, b, c):
    q = a * b
    return (q + c) * q


def test_the_data_and_the_engine_agree_with_the_hand_and_finite_differences():
    assert dict(lesson03.LEAVES) == {"a": A, "b": B, "c": C}
    s = lesson03.solution()
    assert s["values"] == pytest.approx({"a": A, "b": B, "c": C, "q": Q, "r": R, "f": F})
    assert s["grads"] == pytest.approx({"a": DF_DA, "b": DF_DB, "c": DF_DC, "q": DF_DQ,
                                        "r": DF_DR, "f": 1.0})
    h = 1e-6
    for k, (da, db, dc) in {"a": (h, 0, 0), "b": (0, h, 0), "c": (0, 0, h)}.items():
        fd = (f_of(A + da, B + db, C + dc) - f_of(A - da, B - db, C - dc)) / (2 * h)
        assert s["grads"][k] == pytest.approx(fd, rel=1e-7)
    assert s["twice"] == pytest.approx({"a": 2 * DF_DA, "b": 2 * DF_DB, "c": 2 * DF_DC})
    assert tuple(s["order"]) == ("f", "r", "q")


def test_dq(capsys):
    assert_right(capsys, lesson03.check_dq, DF_DQ)
    assert_right(capsys, lesson03.check_dq, -5)
    assert_wrong(capsys, lesson03.check_dq, R, "only the direct path")
    assert_wrong(capsys, lesson03.check_dq, DF_DR, "only the path through r")
    assert_wrong(capsys, lesson03.check_dq, R * DF_DR, "do not multiply")
    assert_wrong(capsys, lesson03.check_dq, -DF_DQ, "check the signs")
    assert_wrong(capsys, lesson03.check_dq, 17.0, "q is used twice")


@pytest.mark.parametrize("order, hint", [
    (["f", "q", "r"], "q comes before r"),
    (["r", "f", "q"], "start at the output f"),
    (["q", "r", "f"], "start at the output f"),
    (["f", "r"], "exactly once"),
    (["f", "r", "q", "a"], "exactly once"),
    ("f r q", "as a list of node names"),
])
def test_order_mistakes(capsys, order, hint):
    assert_wrong(capsys, lesson03.check_order, order, hint)


def test_order_right_and_unanswered(capsys):
    assert_right(capsys, lesson03.check_order, ["f", "r", "q"])
    assert_right(capsys, lesson03.check_order, ("f", "r", "q"))
    assert lesson03.check_order(...) is False
    assert capsys.readouterr().out.startswith(_check.UNANSWERED)


def test_da(capsys):
    assert_right(capsys, lesson03.check_da, DF_DA)
    assert_wrong(capsys, lesson03.check_da, DF_DQ, "Go one edge further")
    assert_wrong(capsys, lesson03.check_da, DF_DQ * A, "the other factor")
    assert_wrong(capsys, lesson03.check_da, R * B, "only the direct path")
    assert_wrong(capsys, lesson03.check_da, DF_DR * B, "only the path through r")
    assert_wrong(capsys, lesson03.check_da, 2 * DF_DA, "twice the gradient")


def test_twice(capsys):
    assert_right(capsys, lesson03.check_twice, 2 * DF_DA)
    assert_wrong(capsys, lesson03.check_twice, DF_DA, "one pass's gradient")
    assert_wrong(capsys, lesson03.check_twice, DF_DA ** 2, "do not multiply")
    assert_wrong(capsys, lesson03.check_twice, 0.0, "zero_grad() does")


@pytest.mark.parametrize("checker", [lesson03.check_dq, lesson03.check_da,
                                     lesson03.check_twice, lesson03.check_order])
def test_unanswered_and_grading(capsys, checker):
    assert checker(...) is False
    assert capsys.readouterr().out.startswith(_check.UNANSWERED)
    with _check.grading(), pytest.raises(AssertionError):
        checker(...)
