"""Checkers for the exercises of the lesson notebooks, one module per lesson.

Use in a notebook::

    from actviz_widgets.exercises import lesson02 as ex
    z = 0.8 * 1.5 + 0.3 * (-2.0) + (-0.3)   # w1·x1 + w2·x2 + b from ex.NEURON
    ok = ex.check_weighted_sum(z)

Every checker prints ``✔ Correct! …`` or ``✘ Not quite: …`` with a hint
for the mistake it recognises, or, for the ``...`` placeholder,
``✎ Not answered yet: …`` with a first hint, and returns ``True`` or
``False``.  "Predict, then check" cells record the learner's guess and
compare it with :func:`compare_guess`.

For autograding (nbgrader, otter-grader), :func:`grading` (or
``ACTVIZ_GRADING=1`` in the kernel's environment) makes a wrong or missing
answer raise :class:`AssertionError` with the same hint.  The
right answers are computed with the engine from the exercise's data, which
each module holds as constants (so the notebook and the checker can never
disagree).  Shared machinery: :mod:`actviz_widgets.exercises._check`.
"""

from pathlib import Path

from ._check import compare_guess, grading, is_grading

#: One checker module per lesson that has exercises.
LESSONS = sorted(p.stem for p in Path(__file__).parent.glob("lesson[0-9][0-9].py"))

__all__ = [*LESSONS, "compare_guess", "grading", "is_grading"]
