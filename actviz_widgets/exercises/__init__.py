"""Checkers for the exercises of the lesson notebooks, one module per lesson.

Use in a notebook::

    from actviz_widgets.exercises import lesson02 as ex
    z = 0.8 * 1.5 + 0.3 * (-2.0) + (-0.2)
    ok = ex.check_weighted_sum(z)

Every checker prints ``✔ Correct! …`` or ``✘ Not quite: …`` with a hint
for the mistake it recognises, and returns ``True`` or ``False``.  The
right answers are computed with the engine from the exercise's data, which
each module holds as constants (so the notebook and the checker can never
disagree).  Shared machinery: :mod:`actviz_widgets.exercises._check`.
"""

__all__ = [f"lesson{n:02d}" for n in range(11)]
