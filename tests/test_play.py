"""Play runs on the event loop: the same frames as ``run_frames``, controls apply between frames.

Each test runs a coroutine with ``asyncio.run``, as the kernel's loop would
run the Play task; control changes are made between frames, as the kernel
handles a learner's messages while the task awaits.
"""

from __future__ import annotations

import asyncio
import threading
import types

import numpy as np
import pytest

from actviz_widgets.widgets.dead_neurons import DeadNeurons
from actviz_widgets.widgets.distributions import Distributions
from actviz_widgets.widgets.gradient_health import GradientHealth
from actviz_widgets.widgets.picture import PagePicture
from actviz_widgets.widgets.player import Player
from actviz_widgets.widgets.receipts import MAX_IN_FLIGHT

WIDGETS = [(GradientHealth, {"depth": 2}), (DeadNeurons, {"depth": 1}),
           (Distributions, {"depth": 1})]


async def until(predicate, timeout=30.0):
    """Let the loop run (the Play task's frames) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "timed out waiting for frames"
        await asyncio.sleep(0.001)


def params(net):
    return [p.copy() for p in (*net.weights, *net.biases)]


@pytest.mark.parametrize("cls, kwargs", WIDGETS, ids=lambda v: getattr(v, "__name__", ""))
def test_played_frames_equal_run_frames(cls, kwargs):
    threads = threading.active_count()
    played, ref = cls(**kwargs), cls(**kwargs)
    played.player.fps = 1000.0

    async def main():
        played.play_button.value = True  # as a click on Play
        assert played.playing and played.play_button.description == "Pause"
        await until(lambda: played.player.frames >= 3)
        played.play_button.value = False
        frames = played.player.frames
        await asyncio.sleep(0.01)
        assert played.player.frames == frames and not played.playing  # Pause stopped it
        return frames

    frames = asyncio.run(main())
    assert threading.active_count() == threads  # no thread was started
    assert ref.run_frames(frames) == frames
    assert played.trainer.step_count == ref.trainer.step_count == frames * cls.STEPS_PER_FRAME
    for a, b in zip(params(played.net), params(ref.net)):
        np.testing.assert_array_equal(a, b)
    assert played.image.value == ref.image.value


def test_a_control_moved_while_playing_applies_before_the_next_frame():
    w = GradientHealth(depth=2, lr=0.5)
    w.player.fps = 1000.0
    seen = []
    original = w._train

    def spy(steps):
        seen.append((w.trainer.lr, w.trainer.step_count))
        return original(steps)

    w._train = spy

    async def main():
        w.play()
        await until(lambda: w.player.frames >= 2)
        w.lr_slider.set_state({"value": 0.05})  # a learner moves the slider mid-play
        at = w.player.frames
        await until(lambda: w.player.frames >= at + 1)
        w.pause()
        return at

    at = asyncio.run(main())
    assert all(lr == 0.5 for lr, _ in seen[:at])
    assert seen[at][0] == 0.05  # the very next frame trains with it
    assert w.lr == 0.05 and not w.playing


def test_a_restart_setting_while_playing_rebuilds_and_play_goes_on():
    w = GradientHealth(depth=2)
    w.player.fps = 1000.0

    async def main():
        w.play()
        await until(lambda: w.player.frames >= 2)
        w.depth_slider.set_state({"value": 3})
        at = w.player.frames
        await until(lambda: w.player.frames >= at + 2)
        w.pause()

    asyncio.run(main())
    assert w.net.sizes == [2, 8, 8, 8, 1]
    # rebuilt at step 0, then two frames (or more) of training
    assert w.trainer.step_count % GradientHealth.STEPS_PER_FRAME == 0
    assert 2 * GradientHealth.STEPS_PER_FRAME <= w.trainer.step_count
    assert w.state.sizes == [2, 8, 8, 8, 1] and w.error is None


def test_divergence_stops_play_and_releases_the_button():
    w = GradientHealth(depth=6, activation="linear", init="normal", weight_scale=10.0,
                       lr=10.0)
    w.player.fps = 1000.0

    async def main():
        w.play()
        await until(lambda: not w.playing)

    asyncio.run(main())
    assert w.play_button.value is False and w.play_button.description == "Play"
    assert w.trainer.diverged is not None and "training stopped" in w.error


def test_play_without_a_running_loop_is_a_message_not_an_exception():
    w = GradientHealth(depth=1)
    w.play_button.value = True
    assert w.play_button.value is False and "run_frames" in w.error


def test_closing_a_playing_widget_stops_it():
    w = DeadNeurons(depth=1)
    w.player.fps = 1000.0

    async def main():
        w.play()
        await until(lambda: w.player.frames >= 1)
        w.close()
        frames = w.player.frames
        await asyncio.sleep(0.02)
        return frames

    frames = asyncio.run(main())
    assert w.player.frames == frames and not w.playing


def test_player_pause_from_inside_a_frame_ends_after_it():
    frames = []
    player = Player(lambda: frames.append(1) or (len(frames) < 3 or player.pause()), fps=1000.0)

    async def main():
        player.play()
        await until(lambda: not player.playing)
        await asyncio.sleep(0.01)

    asyncio.run(main())
    assert len(frames) == 3


def test_player_play_twice_runs_one_task_and_replay_after_pause_works():
    count = [0]

    def step():
        count[0] += 1

    player = Player(step, fps=1000.0)

    async def main():
        player.play()
        task = player.task
        player.play()
        assert player.task is task
        await until(lambda: count[0] >= 3)
        player.pause()
        player.play()  # at once again: the old task must not stop the new one
        at = count[0]
        await until(lambda: count[0] >= at + 3)
        assert player.playing
        player.pause()

    asyncio.run(main())


@pytest.fixture(params=["page", "image"])
def picture(request, monkeypatch):
    """Both pictures: the package's front end, and the core Image with linked counters."""
    monkeypatch.setenv("ACTVIZ_PICTURE", request.param)
    return request.param


def answer(w, frame):
    """What the page sends once it has shown ``frame``, through the widget's own path."""
    if isinstance(w.image, PagePicture):
        w.image._handle_custom_msg({"type": "shown", "frame": frame}, [])
    else:
        w._counters.seen.set_state({"value": frame})


def test_play_skips_drawing_while_the_page_is_behind_and_training_goes_on(picture):
    """Frames the page has not handled hold drawing back; receipts let it go on."""
    w = GradientHealth(depth=1)
    assert isinstance(w.image, PagePicture) == (picture == "page")
    receipts = w.receipts
    answer(w, receipts.sent)  # a page answered: it is there
    drawn = receipts.sent
    n = MAX_IN_FLIGHT
    w.run_frames(n)  # n frames sent, no receipt yet
    assert receipts.sent == drawn + n and receipts.in_flight == n
    image = w.image.value
    w.run_frames(3)  # the page is behind: trained, not drawn
    assert receipts.skipped == 3 and receipts.sent == drawn + n
    assert w.image.value == image and w.trainer.step_count == (n + 3) * w.STEPS_PER_FRAME
    answer(w, receipts.sent)  # the page caught up
    w.run_frames(1)
    assert receipts.sent == drawn + n + 1 and w.image.value != image
    assert w.state.step == (n + 4) * w.STEPS_PER_FRAME  # the picture shows the latest step


def test_the_frame_number_travels_with_its_picture(picture):
    w = GradientHealth(depth=1)
    w.run_frames(1)
    if picture == "page":
        assert w.image.frame == w.receipts.sent > 0
    else:
        assert w._counters.sent.value == w.receipts.sent > 0


def test_a_receipt_for_a_frame_never_sent_is_ignored(picture):
    w = GradientHealth(depth=1)
    sent = w.receipts.sent
    for forged in (sent + 1, 0, -3, 10**9):
        answer(w, forged)
    if picture == "page":  # types only the page-side message can carry
        for forged in ("1", 1.0, True, None, [1]):
            w.image._handle_custom_msg({"type": "shown", "frame": forged}, [])
    assert w.receipts.seen == 0 and w.receipts.in_flight == 0


def test_without_a_page_every_frame_is_drawn(picture):
    w = GradientHealth(depth=1)
    before = w.receipts.sent
    w.run_frames(4)
    assert w.receipts.sent == before + 4 and w.receipts.skipped == 0


def test_an_unanswered_frame_stops_holding_back_after_a_while(monkeypatch, picture):
    from actviz_widgets.widgets import receipts as module
    w = GradientHealth(depth=1)
    r = w.receipts
    answer(w, r.sent)
    w.run_frames(MAX_IN_FLIGHT)
    assert r.page_is_behind()
    monkeypatch.setattr(module, "PATIENCE_S", 0.0)  # the page went away long ago
    assert not r.page_is_behind()


def test_play_stops_by_itself_when_the_page_that_showed_it_is_gone(monkeypatch, picture):
    """A re-run cell clears the old output: no view, no receipts; the old Play stops."""
    from actviz_widgets.widgets import receipts as module
    monkeypatch.setattr(module, "GONE_S", 0.05)
    monkeypatch.setattr(module, "PATIENCE_S", 0.0)  # keep drawing, so frames go unanswered
    w = GradientHealth(depth=1)
    w.player.fps = 1000.0

    async def main():
        w.play()
        await until(lambda: w.receipts.sent >= 2)
        answer(w, w.receipts.sent)  # a page showed it ...
        await until(lambda: not w.playing, timeout=10)  # ... then went silent

    asyncio.run(main())
    assert w.play_button.value is False and w.play_button.description == "Play"
    assert w.message_kind == "note" and "no page" in w.message.value


def test_play_without_any_page_runs_on(monkeypatch, picture):
    """Tests, scripts and nbval have no page at all: that is not a page that went away."""
    from actviz_widgets.widgets import receipts as module
    monkeypatch.setattr(module, "GONE_S", 0.0)
    w = GradientHealth(depth=1)
    w.player.fps = 1000.0

    async def main():
        w.play()
        await until(lambda: w.player.frames >= 5)
        playing = w.playing
        w.pause()
        return playing

    assert asyncio.run(main())


def test_played_frames_leave_the_kernel_a_moment_to_send(monkeypatch):
    """Between two frames Play waits at least MIN_PAUSE_S, however fast it is asked to go."""
    from actviz_widgets.widgets import player as module
    waits = []
    real_sleep = asyncio.sleep

    async def sleep(seconds):
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(module, "asyncio", types.SimpleNamespace(
        sleep=sleep, get_running_loop=asyncio.get_running_loop,
        CancelledError=asyncio.CancelledError))  # the player's waits only
    player = Player(lambda: None, fps=1e9)

    async def main():
        player.play()
        await until(lambda: player.frames >= 3)
        player.pause()

    asyncio.run(main())
    assert len(waits) >= 2 and all(w == module.MIN_PAUSE_S for w in waits)


def test_play_keeps_its_rate_when_the_kernel_wakes_late_and_never_hurries(monkeypatch):
    """Frames start on a schedule of 1/fps: a late wake-up is made up by the next wait
    (the rate is fps, not a little less), and a slow frame does not make the next hurry."""
    from actviz_widgets.widgets import player as module
    clock = {"t": 100.0}
    starts, waits = [], []
    durations = iter([0.02, 0.02, 0.02, 0.25, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02])

    def step():
        starts.append(clock["t"])
        clock["t"] += next(durations, 0.02)

    real_sleep = asyncio.sleep

    async def sleep(seconds):
        waits.append(seconds)
        clock["t"] += seconds + 0.01  # every wake-up is 10 ms late
        await real_sleep(0)

    monkeypatch.setattr(module, "asyncio", types.SimpleNamespace(
        sleep=sleep, get_running_loop=asyncio.get_running_loop,
        CancelledError=asyncio.CancelledError))
    monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=lambda: clock["t"]))
    player = Player(step, fps=10)

    async def main():
        player.play()
        await until(lambda: player.frames >= 10)
        player.pause()

    asyncio.run(main())
    gaps = np.diff(starts[:10])
    # on schedule: 0.1 s apart after the first late wake-up, which the next wait made up
    np.testing.assert_allclose(gaps[:3], [0.11, 0.1, 0.1])
    assert waits[1] == pytest.approx(0.07)  # 0.1 - 0.02 of work - 0.01 late last time
    # the slow frame (0.25 s) is followed by the shortest wait, then the schedule restarts
    assert gaps[3] == pytest.approx(0.25 + module.MIN_PAUSE_S + 0.01)
    np.testing.assert_allclose(gaps[4:9], 0.1)
