"""Receipts for frames: which pictures the page has handled, so Play never floods it.

The kernel can draw frames faster than a slow page (or a remote classroom's
network) can show them; sent regardless, they would queue and the picture
would lag further and further behind the controls.  With core ipywidgets
only, the page can say which frames it has handled: the kernel numbers each
frame in a hidden ``sent`` counter, set *after* the picture (a page handles
one model's messages in order, so the counter arrives after the picture), and
a ``jsdlink`` copies the number, in the page, into a hidden ``seen`` counter,
which the page then sends back.  A receipt means "the picture's message was
handled and its ``src`` swapped", not "decoded"; that suffices to keep the
backlog at most :data:`MAX_IN_FLIGHT` frames.

Without a page (tests, nbval, a closed browser tab) no receipt ever comes:
the player then draws every frame, and a receipt older than
:data:`PATIENCE_S` stops counting, so a page that went away never stalls Play.
"""

from __future__ import annotations

import time

import ipywidgets as widgets

__all__ = ["FrameReceipts", "MAX_IN_FLIGHT", "PATIENCE_S"]

#: Frames sent and not yet handled by the page beyond which Play skips drawing.
MAX_IN_FLIGHT = 2
#: Seconds after which an unanswered frame no longer holds drawing back.
PATIENCE_S = 1.0


class FrameReceipts:
    """Two hidden counters linked in the page: frames sent, and frames the page handled.

    Attributes
    ----------
    sent, seen : ipywidgets.IntText
        The counters (hidden; they must be in the widget so the page has them).
    link : ipywidgets.Link
        The page-side ``jsdlink`` from ``sent`` to ``seen``.
    skipped : int
        Frames not drawn because the page was behind.
    """

    def __init__(self) -> None:
        hidden = widgets.Layout(display="none")
        self.sent = widgets.IntText(value=0, layout=hidden)
        self.seen = widgets.IntText(value=0, layout=hidden)
        self.link = widgets.jsdlink((self.sent, "value"), (self.seen, "value"))
        self.skipped = 0
        self._sent_at: dict[int, float] = {}

    @property
    def widgets(self) -> list[widgets.Widget]:
        """The hidden counters, to be placed in the widget's box."""
        return [self.sent, self.seen]

    def frame_sent(self) -> None:
        """Count a frame just sent (call after setting the picture)."""
        number = self.sent.value + 1
        self._sent_at[number] = time.monotonic()
        for old in [n for n in self._sent_at if n <= self.seen.value]:
            del self._sent_at[old]
        self.sent.value = number

    @property
    def in_flight(self) -> int:
        """Frames sent that the page has not acknowledged (0 without a page)."""
        if self.seen.value == 0:
            return 0  # no page has ever answered: nothing to wait for
        return max(0, self.sent.value - self.seen.value)

    def page_is_behind(self) -> bool:
        """Whether the next frame should be skipped: too many unanswered, none too old."""
        if self.in_flight < MAX_IN_FLIGHT:
            return False
        oldest = self._sent_at.get(self.seen.value + 1)
        return oldest is not None and time.monotonic() - oldest < PATIENCE_S

    def close(self) -> None:
        """Close the link and the counters."""
        for w in (self.link, self.sent, self.seen):
            w.close()
