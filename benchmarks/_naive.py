"""The naive baseline every widget benchmark compares against.

A "naive frame" applies a control change without the widget's own redraw,
then draws the same picture the simple way: a brand-new view (new figure,
every artist built again), the widget's ``update()`` into it, a full
``savefig`` to PNG with matplotlib's defaults, and the figure dropped.
"""

from __future__ import annotations

import io
from collections.abc import Callable


def naive_frame(widget, change: Callable[[], object], new_view: Callable[[], object]) -> None:
    """One naive frame of ``widget`` after ``change()``; leaves its fast view untouched.

    Parameters
    ----------
    widget : FigureWidget
        The widget whose picture is drawn.
    change : callable
        Applies the control change (e.g. sets a slider's value).
    new_view : callable
        Builds a fresh view of the widget's kind.
    """
    # Apply the change without the widget's own redraw (a benchmark may look inside:
    # the widget defers refresh() while _redraw_held, and the deferred one is dropped).
    widget._redraw_held += 1
    try:
        change()
    finally:
        widget._redraw_held -= 1
        widget._redraw_pending = False
    fast_view = widget.view
    view = new_view()
    widget.view = view
    try:
        widget.update()
        for artist in view._dynamic:  # savefig skips animated artists
            artist.set_animated(False)
        buffer = io.BytesIO()
        view.figure.savefig(buffer, format="png")
        widget.image.value = buffer.getvalue()
    finally:
        widget.view = fast_view  # untouched meanwhile: its cached background stays valid
