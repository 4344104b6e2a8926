"""Run "step, then redraw" frames in a background thread, without blocking the kernel.

A widget that animates (the training playground, gradient health, dead
neurons) gives a :class:`Player` two callables: ``step`` advances its model
and ``redraw`` renders a frame.  :meth:`Player.play` starts a daemon thread
that runs frames at up to ``fps`` per second until :meth:`Player.pause`;
meanwhile the kernel stays free, so a learner can move sliders.  Every frame
runs while holding :attr:`Player.lock`: a widget's control handlers take the
same lock, so a change made during play is applied between two frames,
never in the middle of one.

* Never two threads: :meth:`play` while playing does nothing.
* :meth:`pause` stops cleanly: it sets an event and joins the thread
  (unless called from the thread itself, e.g. by ``step``). The thread waits
  for the lock with a timeout and re-checks the event, so pausing while
  holding the lock cannot deadlock.
* ``step`` returns ``False`` to stop playing (e.g. training diverged); an
  exception from ``step`` or ``redraw`` stops playing and goes to
  ``on_error`` (the widget shows it as a message).
* :meth:`run_frames` runs the same frames synchronously in the caller's
  thread: the test mode, and what a notebook cell uses to train reproducibly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..engine.validation import check_int, check_positive

__all__ = ["Player"]


class Player:
    """Frames of ``step()`` then ``redraw()`` in a background thread (or synchronously).

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
        Receives an exception raised by ``step`` or ``redraw`` (in the
        thread); default: re-raise in :meth:`run_frames`, swallow silently in
        the thread.
    on_stop : callable, optional
        Called (in the thread) when background play ends for any reason.
    lock : threading.RLock, optional
        Held during every frame (default: a new RLock).

    Attributes
    ----------
    lock : threading.RLock
    frames : int
        Frames run since creation (background and synchronous).
    """

    def __init__(self, step: Callable[[], object], redraw: Callable[[], object] | None = None,
                 fps: float = 20.0, on_error: Callable[[BaseException], object] | None = None,
                 on_stop: Callable[[], object] | None = None,
                 lock: threading.RLock | None = None) -> None:
        if not callable(step) or (redraw is not None and not callable(redraw)):
            raise TypeError("step and redraw must be callables")
        self._step = step
        self._redraw = redraw
        self.fps = fps
        self._on_error = on_error
        self._on_stop = on_stop
        self.lock = lock if lock is not None else threading.RLock()
        self.frames = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._control = threading.Lock()  # serialises play/pause themselves

    @property
    def fps(self) -> float:
        """Most frames per second (> 0)."""
        return self._fps

    @fps.setter
    def fps(self, value: float) -> None:
        self._fps = check_positive("fps", value)

    @property
    def playing(self) -> bool:
        """Whether the background thread is running."""
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stop.is_set()

    # -- control ---------------------------------------------------------------------------
    def play(self) -> None:
        """Start the background thread (nothing happens if it already runs)."""
        with self._control:
            if self._thread is not None and self._thread.is_alive():
                if not self._stop.is_set():
                    return
                self._join()  # a stop was requested: let that thread finish first
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="actviz-player",
                                            daemon=True)
            self._thread.start()

    def pause(self, timeout: float = 10.0) -> None:
        """Stop the background thread after its current frame and wait for it.

        From inside the thread (e.g. in ``step``) it only asks it to stop.
        """
        self._stop.set()
        if threading.current_thread() is self._thread:
            return
        with self._control:
            self._join(timeout)

    def _join(self, timeout: float = 10.0) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if not thread.is_alive():
                self._thread = None

    def run_frames(self, n: int = 1) -> int:
        """Run ``n`` frames now, in this thread (pauses background play first).

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
            with self.lock:
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
    def _frame(self) -> object:
        result = self._step()
        if self._redraw is not None:
            self._redraw()
        self.frames += 1
        return result

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                start = time.perf_counter()
                if not self.lock.acquire(timeout=0.05):
                    continue  # someone holds it (maybe to pause us): look at the event again
                try:
                    if self._stop.is_set():
                        break
                    if self._frame() is False:
                        self._stop.set()
                        break
                except Exception as exc:
                    self._stop.set()
                    if self._on_error is not None:
                        self._on_error(exc)
                    break
                finally:
                    self.lock.release()
                # pace the frames; the wait ends at once on pause()
                # (at least a few ms: a handler waiting for the lock gets it between frames)
                self._stop.wait(max(0.003, 1.0 / self._fps - (time.perf_counter() - start)))
        finally:
            self._stop.set()
            if self._on_stop is not None:
                try:
                    self._on_stop()
                except Exception as exc:
                    if self._on_error is not None:
                        self._on_error(exc)
