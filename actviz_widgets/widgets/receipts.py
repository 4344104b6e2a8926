"""Receipts for frames: which pictures the page has shown, so Play never floods it.

The kernel can draw frames faster than a slow page (or a remote classroom's
network) can show them; sent regardless, they would queue and the picture
would lag further and further behind the controls.  So every frame is
numbered, and the page answers with the number of each frame it has shown.
:class:`FrameReceipts` keeps the books: frames sent, the last one answered,
and whether the page is behind (more than :data:`MAX_IN_FLIGHT` unanswered).

Two ways the answers come back:

* the picture's own front end (:mod:`.picture`) sends a message from each
  view once a frame is on screen (at most every 150 ms, naming the newest), and the picture hands it to
  :meth:`FrameReceipts.acknowledge`;
* the fallback, core ipywidgets only (:class:`LinkedCounters`): a hidden
  ``sent`` counter set *after* the picture (a page handles one model's
  messages in order) and a ``jsdlink`` that copies it, in the page, into a
  hidden ``seen`` counter, which the page sends back.  That receipt means "the
  picture's message was handled", not "shown"; it still bounds the backlog.

Without a page (tests, nbval, a closed browser tab) no receipt ever comes:
the player then draws every frame, and a receipt older than
:data:`PATIENCE_S` stops counting, so a page that went away never stalls Play.
A page that *had* answered and then stays silent for :data:`GONE_S` (its
output was cleared by a re-run cell, or the tab closed) is gone:
:meth:`FrameReceipts.page_gone` says so, and Play stops by itself.
"""

from __future__ import annotations

import time

import ipywidgets as widgets

__all__ = ["FrameReceipts", "LinkedCounters", "MAX_IN_FLIGHT", "PATIENCE_S", "GONE_S"]

#: Frames sent and not yet handled by the page beyond which Play skips drawing.  The
#: own picture answers at most every 150 ms (each answer makes the kernel report busy
#: and idle, which JupyterLab redraws), so at 20 frames a second ~3 frames go
#: unanswered in a page that keeps up, plus those on the way.
MAX_IN_FLIGHT = 6
#: Seconds after which an unanswered frame no longer holds drawing back.
PATIENCE_S = 1.0
#: Seconds without any receipt, while frames are unanswered, after which a page
#: that used to answer counts as gone (Play stops).
GONE_S = 3.0


class FrameReceipts:
    """The books of frames sent and frames the page has shown.

    Attributes
    ----------
    sent : int
        The number of the last frame sent (frames are numbered from 1).
    seen : int
        The highest frame number the page has answered (0: never).
    skipped : int
        Frames not drawn because the page was behind.
    """

    def __init__(self) -> None:
        self.sent = 0
        self.seen = 0
        self.skipped = 0
        self._sent_at: dict[int, float] = {}
        self._answered_at: float | None = None

    def frame_sent(self) -> int:
        """Count a frame about to be sent; returns its number."""
        self.sent += 1
        self._sent_at[self.sent] = time.monotonic()
        return self.sent

    def acknowledge(self, frame: int) -> None:
        """The page has shown ``frame`` (and so every frame before it).

        A number the kernel never sent (a stale page, a forged message) is ignored.
        """
        if not isinstance(frame, int) or isinstance(frame, bool) or not 0 < frame <= self.sent:
            return
        self._answered_at = time.monotonic()
        if frame > self.seen:
            self.seen = frame
            for old in [n for n in self._sent_at if n <= frame]:
                del self._sent_at[old]

    @property
    def in_flight(self) -> int:
        """Frames sent that the page has not acknowledged (0 when no page ever answered)."""
        if self.seen == 0:
            return 0  # no page has ever answered: nothing to wait for
        return max(0, self.sent - self.seen)

    def page_is_behind(self) -> bool:
        """Whether the next frame should be skipped: too many unanswered, none too old."""
        if self.in_flight < MAX_IN_FLIGHT:
            return False
        oldest = self._sent_at.get(self.seen + 1)
        return oldest is not None and time.monotonic() - oldest < PATIENCE_S

    def page_gone(self) -> bool:
        """Whether a page that used to answer has stopped: frames unanswered for :data:`GONE_S`.

        False while no page has ever answered (tests, scripts, nbval: Play
        runs as long as it is asked to).
        """
        if self._answered_at is None or self.in_flight == 0:
            return False
        oldest = self._sent_at.get(self.seen + 1)
        now = time.monotonic()
        return (oldest is not None and now - oldest >= GONE_S
                and now - self._answered_at >= GONE_S)


class LinkedCounters:
    """The fallback receipts: two hidden counters linked in the page (core ipywidgets only).

    Parameters
    ----------
    receipts : FrameReceipts
        Receives the page's answers.

    Attributes
    ----------
    sent, seen : ipywidgets.IntText
        The counters (hidden; they must be in the widget so the page has them).
    link : ipywidgets.Link
        The page-side ``jsdlink`` from ``sent`` to ``seen``.
    """

    def __init__(self, receipts: FrameReceipts) -> None:
        hidden = widgets.Layout(display="none")
        self.receipts = receipts
        self.sent = widgets.IntText(value=0, layout=hidden)
        self.seen = widgets.IntText(value=0, layout=hidden)
        self.link = widgets.jsdlink((self.sent, "value"), (self.seen, "value"))
        self.seen.observe(self._on_seen, names="value")

    @property
    def widgets(self) -> list[widgets.Widget]:
        """The hidden counters, to be placed in the widget's box."""
        return [self.sent, self.seen]

    def frame_sent(self, frame: int) -> None:
        """Send the number of the frame just sent (call after setting the picture)."""
        self.sent.value = frame

    def _on_seen(self, change: dict) -> None:
        self.receipts.acknowledge(change["new"])

    def close(self) -> None:
        """Close the link and the counters (again: nothing happens)."""
        if self.seen.comm is None:
            return
        self.seen.unobserve(self._on_seen, names="value")
        for w in (self.link, self.sent, self.seen):
            w.close()
