"""Run "step, then redraw" frames on the kernel's event loop, without threads.

A widget that animates (the training playground, gradient health, dead
neurons, distributions) gives a :class:`Player` two callables: ``step``
advances its model and ``redraw`` renders a frame.  :meth:`Player.play`
starts an asyncio task on the running event loop (the kernel's: this is the
pattern of ipywidgets' "asynchronous widgets" documentation).  Between two
frames the task awaits, so the kernel handles the learner's control
messages there, never in the middle of a frame: no lock is needed, and
this works where there are no threads at all (Pyodide / JupyterLite).

* Never two tasks: :meth:`play` while playing does nothing.
* :meth:`pause` always stops: the frame under way (if called from inside it)
  is the last one, and a waiting task is cancelled.
* ``step`` returns ``False`` to stop playing (e.g. training diverged); an
  exception from ``step`` or ``redraw`` stops playing and goes to
  ``on_error`` (the widget shows it as a message).
* Play stops by itself when :attr:`Player.abandoned` says nobody watches any
  more (the widget's picture was shown in a page that stopped answering: its
  cell was re-run or its tab closed), so no animation runs on unseen.
* :meth:`run_frames` runs the same frames synchronously: the test mode, and
  what a notebook cell uses to train reproducibly.  Play and ``run_frames``
  run the very same frame function, so their frames are equal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from ..engine.validation import check_int, check_positive

__all__ = ["Player", "MIN_PAUSE_S"]

#: The shortest wait between two played frames.  The kernel sends messages from
#: a thread of its own, which needs the GIL to send the frame just drawn; a next
#: frame computed at once holds it back (measured in ipykernel 7: a 100 KB frame
#: reached the client 11 ms later in the median, up to 59 ms, when 30 ms of
#: computing followed its send; 1.6 ms later with a 2 ms wait in between).
MIN_PAUSE_S = 0.002


class Player:
    """Frames of ``step()`` then ``redraw()`` as an asyncio task (or synchronously).

    Parameters
    ----------
    step : callable
        Advances the model by one frame; returns ``False`` to stop playing
        (any other value, including ``None``, continues).
    redraw : callable, optional
        Renders the frame (called after each ``step``, also when it stopped play).
    fps : float, default 20
        Most frames per second; a slower frame simply takes longer.
    on_error : callable, optional
        Receives an exception raised by ``step`` or ``redraw`` during play;
        default: re-raise in :meth:`run_frames`, stop silently during play.
    on_stop : callable, optional
        Called when play ends for any reason other than :meth:`pause`
        (``step`` returned ``False``, or an error).

    Attributes
    ----------
    frames : int
        Frames run since creation (played and synchronous).
    abandoned : callable or None
        Asked before each played frame; ``True`` ends play as if ``step``
        had returned ``False`` (``on_stop`` is called).
    after_play : callable or None
        Called once whenever play ends (paused, or by itself), after the last frame.
    """

    def __init__(self, step: Callable[[], object], redraw: Callable[[], object] | None = None,
                 fps: float = 20.0, on_error: Callable[[BaseException], object] | None = None,
                 on_stop: Callable[[], object] | None = None) -> None:
        if not callable(step) or (redraw is not None and not callable(redraw)):
            raise TypeError("step and redraw must be callables")
        self._step = step
        self._redraw = redraw
        self.fps = fps
        self._on_error = on_error
        self._on_stop = on_stop
        self.frames = 0
        self._task: asyncio.Task | None = None
        self._stop = False
        self._run = 0  # increases at every play and pause: identifies the current run
        self._in_frame = False
        self.abandoned: Callable[[], bool] | None = None
        self.after_play: Callable[[], object] | None = None

    @property
    def fps(self) -> float:
        """Most frames per second (> 0)."""
        return self._fps

    @fps.setter
    def fps(self, value: float) -> None:
        self._fps = check_positive("fps", value)

    @property
    def playing(self) -> bool:
        """Whether the animation task runs."""
        return self._task is not None and not self._task.done() and not self._stop

    @property
    def task(self) -> asyncio.Task | None:
        """The running task (``None`` when not playing): ``await`` it to wait for the end."""
        return self._task if self.playing else None

    # -- control ---------------------------------------------------------------------------
    def play(self) -> None:
        """Start playing on the running event loop (nothing happens if already playing).

        Raises
        ------
        RuntimeError
            If no event loop is running (Jupyter always has one; a script
            uses :meth:`run_frames`, or calls ``play`` inside ``asyncio.run``).
        """
        if self.playing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("Play needs a running event loop, as in Jupyter; in a script "
                               "use run_frames(n) instead") from None
        self._stop = False
        self._run += 1
        self._task = loop.create_task(self._loop(self._run))

    def pause(self) -> None:
        """Stop playing: after the current frame if called from inside one, else at once."""
        was_playing = self.playing
        self._stop = True
        self._run += 1  # a task still winding down is no longer the current run
        task, self._task = self._task, None
        if task is not None and not task.done() and not self._in_frame:
            task.cancel()
        if was_playing:
            self._ended()

    def run_frames(self, n: int = 1) -> int:
        """Run ``n`` frames now, synchronously (pauses play first).

        Returns
        -------
        int
            Frames run: fewer than ``n`` if ``step`` returned ``False``.

        Raises
        ------
        Exception
            Whatever ``step``/``redraw`` raised, when there is no ``on_error``.
        """
        n = check_int("n", n, minimum=0)
        self.pause()
        done = 0
        for _ in range(n):
            try:
                keep_going = self._frame()
            except Exception as exc:
                if self._on_error is None:
                    raise
                self._on_error(exc)
                break
            done += 1
            if keep_going is False:
                break
        return done

    # -- internals -------------------------------------------------------------------------
    def _ended(self) -> None:
        if self.after_play is None:
            return
        try:
            self.after_play()
        except Exception as exc:  # noqa: BLE001 - shown by the widget
            if self._on_error is not None:
                self._on_error(exc)

    def _frame(self) -> object:
        self._in_frame = True
        try:
            result = self._step()
            if self._redraw is not None:
                self._redraw()
        finally:
            self._in_frame = False
        self.frames += 1
        return result

    async def _loop(self, run: int) -> None:
        ended = False  # by itself (step said stop, or an error), not by pause()
        due = time.perf_counter()  # when the next frame should start
        try:
            while run == self._run:
                try:
                    if self.abandoned is not None and self.abandoned():
                        ended = True  # nobody sees the frames: stop, as if step said so
                        break
                    keep_going = self._frame()
                except Exception as exc:  # noqa: BLE001 - shown by the widget, play stops
                    ended = True
                    if self._on_error is not None:
                        self._on_error(exc)
                    break
                if keep_going is False:
                    ended = True
                    break
                if run != self._run:
                    break
                # Pace the frames by a schedule, so that a late wake-up is made up by the
                # next wait and the rate is ``fps``; a slow frame does not make the next
                # ones hurry.  Always wait a little, so control messages run between
                # frames and the frame just drawn leaves the kernel before the next is computed.
                now = time.perf_counter()
                due += 1.0 / self._fps
                wait = due - now
                if wait < MIN_PAUSE_S:
                    wait, due = MIN_PAUSE_S, now + MIN_PAUSE_S
                await asyncio.sleep(wait)
        except asyncio.CancelledError:
            pass
        finally:
            if run == self._run:  # this run ended by itself: nobody paused or replayed
                self._stop = True
                self._task = None
                self._ended()
                if ended and self._on_stop is not None:
                    try:
                        self._on_stop()
                    except Exception as exc:  # noqa: BLE001
                        if self._on_error is not None:
                            self._on_error(exc)
