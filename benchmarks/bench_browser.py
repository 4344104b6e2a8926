"""Speed as the learner sees it: JupyterLab in headless Chromium, timed in the page.

Starts JupyterLab on 127.0.0.1 and Debian's Chromium (headless) with the
browser tests' harness (``tests/browser/harness.py``), opens a scratch
notebook with one cell per widget of the package plus a baseline in a
learner's laptop window (1280×720 CSS px, JupyterLab's file browser open),
runs it, and measures:

(a) click → picture: a click on a slider's track until the new picture is in
    the page (the ``img`` element's ``src`` changed and the image decoded),
    for every widget class, clicks alternating between 30 % and 70 % of the
    track, all widgets in turns so that load from elsewhere hits them alike;
(b) Play: distinct pictures per second that reach the page while the
    playground plays (default network, and 2-8×6-1), next to the frames the
    kernel produced (``widget.player.frames``), over ~5 s;
(c) the baseline a learner writes without this package: ``ipywidgets.interact``
    redrawing a 2-panel matplotlib figure with ``plt.show()`` in its Output
    widget, clicked the same way in the same run.
(d) the floor: the same click on a slider whose handler computes nothing and
    shows a picture made beforehand, in the package's own picture (a 100-byte
    PNG, and the single neuron's 830-px frames): what JupyterLab, the Jupyter
    server, the kernel's messaging and the browser cost on this machine
    whatever a widget does. A widget's click above the floor is its own work.

Where the time goes: every click is split with timestamps taken in the page
(a wrapped ``WebSocket`` stamps each kernel message sent and received; a
``MutationObserver`` stamps the ``src`` swap; ``img.decode()`` the decode)
and in the kernel (``Widget._handle_msg`` entry and exit, the image's
``comm`` send), on one clock (the page's ``performance.timeOrigin`` aligned
with ``time.time()`` to about 1 ms):

1. input → sent: the slider's own event handling in the page (float sliders
   have ``continuous_update=False``: a click on the track sends on noUiSlider's
   ``change`` event);
2. sent → kernel: page → server → kernel, and waiting in the kernel's queue;
3. kernel: the handler until the image's message is sent (the widget's
   recompute and PNG);
4. kernel → page: kernel → server → the page's WebSocket;
5. message → src: JupyterLab and ipywidgets in the page (decode the message,
   set the model, the ImageView makes a blob URL);
6. src → decoded: PNG decode (``img.decode()``); then the next animation frame.

For Play the same stamps show whether frames queue (the latency from the
kernel's send to the page grows, and pictures keep arriving after Pause), and
the CPU each process used (kernel, Jupyter server, Chromium) with the page's
main-thread time from the DevTools Protocol (``Performance.getMetrics``).

Usage::

    python benchmarks/bench_browser.py [--quick]

Needs the ``playwright`` package (its Python client only; no browser
download) and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent / "tests" / "browser")]

import numpy as np
from _timing import Timing, format_ns, format_ratio, machine_info, markdown_table
from harness import (CHROMIUM, LAPTOP_WINDOW, PICTURE_SELECTOR, KernelProbe, LabServer,
                     LessonPage, PageWatch, new_context, scratch_notebook, start_chromium)

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--quick", action="store_true", help="fewer clicks (noisier)")
ARGS.add_argument("--play-seconds", type=float, default=5.0,
                  help="length of the Play window counted (default 5 s)")

#: (name, constructor call in the notebook, the slider clicked: kernel expression)
WIDGETS = [
    ("ActivationExplorer", "av.ActivationExplorer()", "controls['z']"),
    ("SingleNeuron", "av.SingleNeuron()", "controls['w1']"),
    ("BackpropStepper", "av.BackpropStepper()", "controls['x1']"),
    ("Playground", "av.Playground()", "controls['noise']"),
    ("GradientHealth", "av.GradientHealth()", "controls['weight_scale']"),
    ("DeadNeurons", "av.DeadNeurons()", "controls['bias']"),
    ("Distributions", "av.Distributions()", "controls['weight_scale']"),
    ("GradientCheck", "av.GradientCheck()", "controls['eps']"),
    ("DigitsCaseStudy", "av.DigitsCaseStudy()", "controls['sample']"),
]
DEEP_PLAYGROUND = "av.Playground(hidden_layers=6, neurons=8)"
#: The same widgets on the core ipywidgets.Image fallback (ACTVIZ_PICTURE=image), measured
#: in the same run: what the picture's own front end changes.
FALLBACK = [("SingleNeuron", "av.SingleNeuron()", "controls['w1']"),
            ("Playground", "av.Playground()", "controls['noise']")]
FALLBACK_CELL = """import os
os.environ["ACTVIZ_PICTURE"] = "image"
w_plain_{name} = {call}
del os.environ["ACTVIZ_PICTURE"]
w_plain_{name}"""

#: The floor: a slider whose handler computes nothing and shows a picture made before
#: (a plain 83×62 PNG of about 100 bytes, or two frames of the single neuron at its 830-px size) in the package's
#: own picture. What is left of a widget's click above this is its own work.
FLOORS = [("floor: a 100-byte PNG, nothing computed", "floor_tiny"),
          ("floor: the single neuron's PNG, nothing computed", "floor_real")]
FLOOR_CELL = '''\
import ipywidgets as _fw
import numpy as np
from actviz_widgets.views.png import encode_png
from actviz_widgets.widgets.picture import PagePicture as _FloorPicture

def _floor_widget(pngs):
    """A float slider (sends on release, as the widgets' do); each change shows the other
    of pngs[0] and pngs[1]."""
    picture = _FloorPicture(width=830)
    slider = _fw.FloatSlider(0.5, min=0.0, max=1.0, step=0.01, continuous_update=False)
    shown = [0]
    def swap(_change):
        shown[0] ^= 1
        picture.show(pngs[shown[0]])
    slider.observe(swap, names="value")
    picture.show(pngs[0])
    box = _fw.VBox([slider, picture])
    box.image, box.slider = picture, slider
    return box

_tiny = [encode_png(np.full((62, 83, 3), v, dtype=np.uint8)) for v in (255, 0)]  # ~100 bytes each
_neuron = av.SingleNeuron()
_real = []
for _w1 in (-1.0, 1.0):
    _neuron.w1 = _w1
    _real.append(bytes(_neuron.image.value))
floor_tiny, floor_real = _floor_widget(_tiny), _floor_widget(_real)
_neuron.close()
_fw.VBox([floor_tiny, floor_real])'''

#: What a learner writes without the package: interact + plt.show, a 2-panel figure
#: about the size of the widgets' pictures.
BASELINE_CELL = '''\
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

def draw(z=1.0):
    grid = np.linspace(-6, 6, 400)
    s = 1 / (1 + np.exp(-grid))
    sz = 1 / (1 + np.exp(-z))
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.8, 3.6))
    left.plot(grid, s, label="sigmoid")
    left.plot([z], [sz], "o", color="C3")
    left.set(title=f"sigmoid({z:.2f}) = {sz:.3f}", xlabel="z", ylabel="a")
    left.legend(loc="upper left")
    right.plot(grid, s * (1 - s), color="C1", label="derivative")
    right.plot([z], [sz * (1 - sz)], "o", color="C3")
    right.set(title=f"derivative = {sz * (1 - sz):.3f}", xlabel="z", ylabel="da/dz")
    right.legend(loc="upper left")
    plt.show()

baseline = widgets.interact(draw, z=(-6.0, 6.0, 0.1))'''

#: Installed in the kernel before the notebook runs (comms bind the handler at creation).
KERNEL_RECORDER = '''
import time as _bt, ipywidgets as _bw
from IPython import get_ipython as _bgi

class _BenchRecorder:
    """Wall-clock stamps (ms) of widget messages handled and pictures sent."""
    def __init__(self):
        self.handled, self.sent, self.shown = [], [], []
        handle, send = _bw.Widget._handle_msg, _bw.Widget._send
        rec = self
        def _handle_msg(widget, msg):
            start, cpu = _bt.time(), _bt.thread_time()
            try:
                return handle(widget, msg)
            finally:
                rec.handled.append([msg["header"]["msg_id"], widget.model_id,
                                    start * 1e3, _bt.time() * 1e3,
                                    (_bt.thread_time() - cpu) * 1e3])
        def _send(widget, msg, buffers=None):
            start = _bt.time()
            out = send(widget, msg, buffers=buffers)
            if buffers:
                state = msg.get("state") or {}
                rec.sent.append([widget.model_id, start * 1e3, _bt.time() * 1e3,
                                 sum(memoryview(b).nbytes for b in buffers),
                                 state.get("frame")])
            return out
        _bw.Widget._handle_msg, _bw.Widget._send = _handle_msg, _send
        pub = _bgi().display_pub
        publish = pub.publish
        def _publish(*args, **kwargs):
            start = _bt.time()
            out = publish(*args, **kwargs)
            data = args[0] if args else kwargs.get("data", {})
            png = data.get("image/png") if isinstance(data, dict) else None
            rec.shown.append([start * 1e3, _bt.time() * 1e3, len(png) * 3 // 4 if png else 0])
            return out
        pub.publish = _publish
    def watch_pause(self, widget):
        """Record who pauses ``widget``'s player (the stack and the message being handled)."""
        import traceback
        player, pause = widget.player, widget.player.pause
        rec = self
        rec.pauses = []
        def _pause():
            if player.playing:
                rec.pauses.append("".join(traceback.format_stack(limit=14)[:-1]))
            return pause()
        player.pause = _pause
    def drain(self):
        out = {"handled": self.handled, "sent": self.sent, "shown": self.shown}
        self.handled, self.sent, self.shown = [], [], []
        return out

_bench_recorder = _BenchRecorder()

def _bench_encode(w, n=5):
    """CPU ms of encoding the widget's current canvas as its PNG frame (median of n)."""
    import numpy as np
    from actviz_widgets.views.base import PNG_COMPRESS_LEVEL
    from actviz_widgets.views.png import encode_png
    rgba = np.asarray(w.view.canvas.buffer_rgba())
    times = []
    for _ in range(n):
        start = _bt.thread_time()
        encode_png(rgba, PNG_COMPRESS_LEVEL)
        times.append((_bt.thread_time() - start) * 1e3)
    return sorted(times)[n // 2]

def _bench_ack_setup():
    """A page-side acknowledgement with core ipywidgets only: jsdlink copies a frame
    number, in the page, from one widget to another, whose change the page sends back."""
    global _bench_ack_out, _bench_ack_in, _bench_ack_times
    _bench_ack_out, _bench_ack_in = _bw.IntText(0), _bw.IntText(0)
    _bench_ack_times = {}
    _bw.jsdlink((_bench_ack_out, "value"), (_bench_ack_in, "value"))
    _bench_ack_in.observe(lambda c: _bench_ack_times.setdefault(c["new"], _bt.time() * 1e3),
                          names="value")
'''

#: Runs in the page before JupyterLab: stamps kernel messages, pointer presses, pictures.
PAGE_RECORDER = r'''(() => {
  const B = window.__bench = {out: [], inn: [], downs: [], tracks: {}};
  const text = new TextDecoder();
  const KEEP = new Set(['comm_msg', 'display_data', 'clear_output', 'update_display_data',
                        'execute_request', 'kernel_info_request']);
  function parse(data) {
    try {
      if (typeof data === 'string') {
        const m = JSON.parse(data);
        return {type: m.header.msg_type, id: m.header.msg_id,
                parent: (m.parent_header || {}).msg_id, comm: (m.content || {}).comm_id,
                bytes: data.length, buffers: 0};
      }
      if (!(data instanceof ArrayBuffer)) return {type: '?', bytes: 0, buffers: 0};
      // v1.kernel.websocket.jupyter.org: n offsets, then channel, header, parent,
      // metadata, content, buffers...
      const dv = new DataView(data);
      const n = Number(dv.getBigUint64(0, true));
      const off = [];
      for (let i = 0; i < n; i++) off.push(Number(dv.getBigUint64(8 * (i + 1), true)));
      const part = (i) =>
        JSON.parse(text.decode(new Uint8Array(data, off[i], off[i + 1] - off[i])));
      const header = part(1), parent = part(2);
      const m = {type: header.msg_type, id: header.msg_id, parent: parent.msg_id,
                 bytes: data.byteLength, buffers: n - 1 > 5 ? off[n - 1] - off[5] : 0};
      if (m.type === 'comm_msg') m.comm = part(4).comm_id;
      return m;
    } catch (e) { return {type: 'unparsed', bytes: 0, buffers: 0}; }
  }
  const Native = window.WebSocket;
  class Stamped extends Native {
    constructor(...args) {
      super(...args);
      // registered before JupyterLab's onmessage: stamps the arrival, not its handling
      this.addEventListener('message', (ev) => {
        const t = performance.now();
        const m = parse(ev.data);
        if (KEEP.has(m.type)) { m.t = t; B.inn.push(m); }
      });
    }
    send(data) {
      const m = parse(data);
      if (KEEP.has(m.type)) { m.t = performance.now(); B.out.push(m); }
      return super.send(data);
    }
  }
  window.WebSocket = Stamped;
  window.addEventListener('pointerdown', (e) => B.downs.push(e.timeStamp), true);
  B.track = (name, container, selector) => {
    const rec = B.tracks[name] = {frames: [], last: null};
    const look = () => {
      const img = container.querySelector(selector);
      if (!img || !img.src || img.src === rec.last) return;
      rec.last = img.src;
      const f = {t: performance.now(), decoded: null, paint: null, failed: false,
                 frame: img.dataset.frame ? Number(img.dataset.frame) : null};
      rec.frames.push(f);
      img.decode().then(() => {
        f.decoded = performance.now();
        requestAnimationFrame(() => { f.paint = performance.now(); });
      }, () => { f.failed = true; });
    };
    new MutationObserver(look).observe(container, {subtree: true, childList: true,
                                                   attributes: true, attributeFilter: ['src']});
    look();
  };
  B.clear = () => { B.out = []; B.inn = []; B.downs = [];
                    for (const k in B.tracks) B.tracks[k].frames = []; };
})();'''


class BenchKernel(KernelProbe):
    """The harness's kernel probe, plus plain expressions and statements."""

    def evaluate(self, expression: str):
        """``expression`` evaluated in the notebook's namespace, through JSON."""
        found = self._run("", {"r": f"__import__('json').dumps({expression})"})
        result = found["user_expressions"]["r"]
        if result["status"] != "ok":
            raise RuntimeError(f"{expression}: {result.get('ename')}: {result.get('evalue')}")
        return json.loads(eval(result["data"]["text/plain"]))  # noqa: S307 - a str repr

    def execute(self, code: str) -> None:
        self._run(code)


def write_notebook(folder: Path) -> tuple[Path, dict[str, int]]:
    """The scratch notebook: imports, one cell per widget, the deep playground, the baseline."""
    cells = ["import actviz_widgets as av"]
    index = {}
    for name, call, _ in WIDGETS:
        index[name] = len(cells)
        cells.append(f"w_{name} = {call}\nw_{name}")
    index["deep"] = len(cells)
    cells.append(f"w_deep = {DEEP_PLAYGROUND}\nw_deep")
    for name, call, _ in FALLBACK:
        index[f"plain_{name}"] = len(cells)
        cells.append(FALLBACK_CELL.format(name=name, call=call))
    index["floors"] = len(cells)
    cells.append(FLOOR_CELL)
    index["baseline"] = len(cells)
    cells.append(BASELINE_CELL)
    return scratch_notebook(folder / "speed.ipynb", cells), index


def clock_offset(page) -> float:
    """ms to add to ``timeOrigin + performance.now()`` to get ``time.time()`` (ms)."""
    best = None
    for _ in range(9):
        before = time.time() * 1e3
        shown = page.evaluate("() => performance.timeOrigin + performance.now()")
        after = time.time() * 1e3
        if best is None or after - before < best[0]:
            best = (after - before, (before + after) / 2 - shown)
    return best[1]


def stats(values) -> Timing | None:
    """Median and p90 of durations in ms (``None`` if there are none)."""
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return None
    return Timing(float(np.median(values)) * 1e6, float(np.percentile(values, 90)) * 1e6,
                  len(values))


def ms(timing: Timing | None, which: str = "median") -> str:
    if timing is None:
        return "–"
    return format_ns(timing.median_ns if which == "median" else timing.p90_ns)


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    """User + system CPU seconds of each group of processes."""
    import psutil
    out = {}
    for group, members in pids.items():
        total = 0.0
        for pid in members:
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        out[group] = total
    return out


class Target:
    """One picture the benchmark clicks: a widget (or the baseline) in the page."""

    def __init__(self, name, page, kernel, root, expression, slider_index, image_comm,
                 container, selector, is_baseline=False, is_floor=False):
        self.name, self.page, self.kernel, self.root = name, page, kernel, root
        self.image = container.locator(selector).first
        self.expression, self.slider_index = expression, slider_index
        self.image_comm, self.is_baseline = image_comm, is_baseline
        self.is_floor = is_floor  # no widget: a slider that shows a picture made before
        self.clicks: list[dict] = []
        page.page.evaluate("([n, el, sel]) => __bench.track(n, el, sel)",
                           [name, container.element_handle(), selector])

    def picture(self) -> dict:
        """The picture's pixels and bytes, and its decode time alone in an idle page."""
        shown = self.image.evaluate("""async (img) => {
            const blob = await (await fetch(img.src)).blob();
            const times = [];
            for (let i = 0; i < 5; i++) {
              const t = performance.now();
              const bitmap = await createImageBitmap(blob);
              times.push(performance.now() - t);
              bitmap.close();
            }
            times.sort((a, b) => a - b);
            // the same PNG into a new <img> from a blob: URL (as ipywidgets' ImageView
            // does) and from a data: URL (as an output area does): load + decode
            const dataUrl = await new Promise((ok) => {
              const reader = new FileReader();
              reader.onload = () => ok(reader.result);
              reader.readAsDataURL(blob);
            });
            const viaBlob = [], viaData = [];
            for (let i = 0; i < 5; i++) {
              for (const [list, make] of [[viaBlob, () => URL.createObjectURL(blob)],
                                          [viaData, () => dataUrl]]) {
                const probe = new Image(), url = make(), t = performance.now();
                probe.src = url;
                await probe.decode();
                list.push(performance.now() - t);
                if (url.startsWith('blob:')) URL.revokeObjectURL(url);
              }
            }
            viaBlob.sort((a, b) => a - b); viaData.sort((a, b) => a - b);
            return {decode: times[2], blob: viaBlob[2], data: viaData[2],
                    width: img.naturalWidth, height: img.naturalHeight,
                    css: img.getBoundingClientRect().width, bytes: blob.size}; }""")
        if not (self.is_baseline or self.is_floor):
            shown["encode_cpu"] = self.kernel.evaluate(f"_bench_encode({self.expression})")
        return shown

    def click(self, fraction: float) -> dict:
        """Click the track at ``fraction`` of its width; stamps of that click (page times)."""
        p = self.page.page
        slider = self.root.locator(".widget-slider").nth(self.slider_index)
        track = slider.locator(".noUi-target").first
        track.scroll_into_view_if_needed()
        box = track.bounding_box()
        before = p.evaluate("(n) => __bench.tracks[n].frames.length", self.name)
        p.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)
        try:
            p.wait_for_function(
                """([n, k]) => { const f = __bench.tracks[n].frames;
                     return f.length > k && (f[k].paint !== null || f[k].failed); }""",
                arg=[self.name, before], timeout=30_000)
        except Exception as exc:  # noqa: BLE001 - say what the page saw
            seen = p.evaluate("""(n) => ({downs: __bench.downs.slice(-2),
                out: __bench.out.slice(-2), frames: __bench.tracks[n].frames.slice(-2)})""",
                              self.name)
            raise RuntimeError(f"{self.name}: no new picture after a click on the track at "
                               f"{fraction:.0%}; the page saw {seen}") from exc
        self.page.barrier()  # the kernel handled everything the page sent
        time.sleep(0.15)
        stamp = p.evaluate("""([n, k]) => {
            const B = __bench, down = B.downs[B.downs.length - 1];
            return {down, frames: B.tracks[n].frames.slice(k),
                    out: B.out.filter(m => m.t >= down && m.type === 'comm_msg'),
                    inn: B.inn.filter(m => m.t >= down)}; }""", [self.name, before])
        return stamp


def click_breakdown(target: Target, stamp: dict, kernel_rec: dict, offset: float,
                    origin: float) -> dict:
    """Split one click into its segments (ms); ``None`` where a stamp is missing."""
    wall = (lambda t: origin + t + offset)  # page time → time.time() ms
    down = stamp["down"]
    frame = stamp["frames"][0] if stamp["frames"] else None
    sent = stamp["out"][0] if stamp["out"] else None
    row = {"total": None, "frames": len(stamp["frames"])}
    if frame is None or sent is None:
        return row
    handled = next((h for h in kernel_rec["handled"] if h[0] == sent["id"]), None)
    if target.is_baseline:
        arrived = next((m for m in stamp["inn"] if m["type"] == "display_data"), None)
        shown = (next((s for s in kernel_rec["shown"] if handled and s[0] >= handled[2]), None))
        k_out, size = (shown[1], shown[2]) if shown else (None, None)
    else:
        arrived = next((m for m in stamp["inn"] if m["type"] == "comm_msg"
                        and m.get("comm") == target.image_comm and m["buffers"] > 0), None)
        pic = next((s for s in kernel_rec["sent"] if s[0] == target.image_comm
                    and handled and s[1] >= handled[2]), None)
        k_out, size = (pic[2], pic[3]) if pic else (None, None)
    row.update(
        total=(frame["decoded"] - down) if frame["decoded"] else None,
        paint=(frame["paint"] - down) if frame["paint"] else None,
        input=sent["t"] - down,
        up=(handled[2] - wall(sent["t"])) if handled else None,
        kernel=(k_out - handled[2]) if handled and k_out else None,
        handler=(handled[3] - handled[2]) if handled else None,
        handler_cpu=handled[4] if handled else None,
        down=(wall(arrived["t"]) - k_out) if arrived and k_out else None,
        page=(frame["t"] - arrived["t"]) if arrived else None,
        decode=(frame["decoded"] - frame["t"]) if frame["decoded"] else None,
        bytes=size)
    return row


def play(page, kernel, root, name, expression, image_comm, seconds, pids, cdp, offset, origin):
    """Play for ``seconds`` (after 1 s of warm-up); what reached the page and the kernel."""
    p = page.page
    button = root.locator("button", has_text="Play").first
    button.scroll_into_view_if_needed()
    p.evaluate("(n) => { __bench.tracks[n].frames = []; __bench.inn = []; }", name)
    kernel.execute(f"_bench_recorder.watch_pause({expression})")
    stopped_early = None
    for attempt in range(2):
        button.click()
        time.sleep(1.0)
        if kernel.evaluate(f"{expression}.playing"):
            break
        # Play stopped by itself at once: keep who paused it, try once more
        stopped_early = kernel.evaluate("_bench_recorder.pauses")
        print(f"\n{name}: Play stopped by itself after "
              f"{kernel.evaluate(f'{expression}.player.frames')} frames in total; "
              f"pause() called from:\n" + "\n---\n".join(stopped_early))
        page.barrier()
    k0 = kernel.evaluate(f"{expression}.player.frames")
    m0 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    c0, w0 = cpu_seconds(pids), time.time()
    t0 = p.evaluate("() => performance.now()")
    time.sleep(seconds)
    t1 = p.evaluate("() => performance.now()")
    c1, w1 = cpu_seconds(pids), time.time()
    m1 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    k1 = kernel.evaluate(f"{expression}.player.frames")
    pause_at = p.evaluate("() => performance.now()")
    pause = root.locator("button", has_text="Pause")
    stopped_by_itself = kernel.evaluate(f"{expression}.error") if not pause.count() else None
    if pause.count():
        pause.first.click()
    else:  # play ended by itself (an error, or diverged): say so in the table
        stopped_by_itself = stopped_by_itself or "stopped by itself"
        kernel.execute(f"{expression}.pause()")
    # wait until the page has shown everything already sent (no new picture for 1.5 s)
    last_count, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + 60
    while time.monotonic() - quiet_since < 1.5 and time.monotonic() < deadline:
        count = p.evaluate("(n) => __bench.tracks[n].frames.length", name)
        if count != last_count:
            last_count, quiet_since = count, time.monotonic()
        time.sleep(0.1)
    data = p.evaluate("(n) => ({frames: __bench.tracks[n].frames, inn: __bench.inn})", name)
    rec = kernel.evaluate("_bench_recorder.drain()")
    frames = data["frames"]
    in_window = [f for f in frames if t0 <= f["t"] <= t1]
    window_s = (t1 - t0) / 1e3
    sends = [s for s in rec["sent"] if s[0] == image_comm]
    arrivals = [m for m in data["inn"] if m["type"] == "comm_msg" and m.get("comm") == image_comm
                and m["buffers"] > 0]
    # kernel send k ↔ page arrival k ↔ src swap k (nothing is dropped on the way: the
    # counts are compared below); latency = page arrival/swap − kernel send
    n = min(len(sends), len(arrivals))
    lat_ws = [origin + arrivals[i]["t"] + offset - sends[i][2] for i in range(n)]
    # a shown frame's send: by its number (the picture's front end drops frames a newer
    # one overtook), else the k-th send (the core Image shows every frame it gets)
    by_number = {s[4]: s for s in sends if len(s) > 4 and s[4]}
    paired = [(f, by_number.get(f.get("frame")) if f.get("frame") else
               (sends[i] if i < len(sends) else None)) for i, f in enumerate(frames)]
    lat = [(f, origin + f["t"] + offset - s[2]) for f, s in paired if s is not None]
    first = [x for f, x in lat if t0 <= f["t"] < t0 + 1e3]
    last = [x for f, x in lat if t1 - 1e3 < f["t"] <= t1]
    kernel_window = [s for s in sends if w0 * 1e3 - seconds * 1e3 <= s[2] <= w0 * 1e3]
    kernel.execute("import time as _bench_time\n_bench_start = _bench_time.perf_counter()\n"
                   f"{expression}.run_frames(10)\n"
                   "_bench_frame_ms = (_bench_time.perf_counter() - _bench_start) * 100")
    per_frame_kernel = kernel.evaluate("_bench_frame_ms")
    busy = {k: m1.get(k, 0) - m0.get(k, 0) for k in ("TaskDuration", "ScriptDuration",
                                                     "LayoutDuration", "RecalcStyleDuration")}
    wall_s = w1 - w0
    cpu = {g: (c1[g] - c0[g]) / wall_s * 100 for g in c0}
    return {
        "page_fps": len(in_window) / window_s,
        "decoded_fps": sum(1 for f in in_window if f["decoded"]) / window_s,
        "kernel_fps": (k1 - k0) / wall_s,
        "sent_total": len(sends), "arrived_total": len(arrivals), "shown_total": len(frames),
        "kernel_frame_ms": per_frame_kernel,
        "page_ms_per_frame": busy["TaskDuration"] * 1e3 / max(1, len(in_window)),
        "page_busy": busy["TaskDuration"] / wall_s * 100,
        "script_busy": busy["ScriptDuration"] / wall_s * 100,
        "lat_ws": stats(lat_ws), "lat_first": stats(first), "lat_last": stats(last),
        "drain_ms": (frames[-1]["t"] - pause_at) if frames and frames[-1]["t"] > pause_at else 0.0,
        "bytes": float(np.median([s[3] for s in sends])) if sends else None,
        "cpu": cpu, "kernel_window": len(kernel_window), "stopped": stopped_by_itself,
        "decode": stats([f["decoded"] - f["t"] for f in in_window if f["decoded"]]),
    }


def main() -> None:
    args = ARGS.parse_args()
    rounds = 4 if args.quick else 12
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("bench_browser.py needs the playwright package (pip install -e '.[browser]'; "
                 "never `playwright install`)")
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"bench_browser.py needs Debian's Chromium at {CHROMIUM} (apt-get install "
                 "chromium)")

    print("# Speed in the page: JupyterLab + headless Chromium\n")
    for what, value in machine_info():
        print(f"- {what}: {value}")
    print(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp_name:
        tmp = Path(tmp_name)
        root_dir = tmp / "notebooks"
        root_dir.mkdir()
        notebook, cells = write_notebook(root_dir)
        chromium, cdp_url = start_chromium(tmp)
        lab = driver = None
        try:
            lab = LabServer(tmp, root_dir)
            driver = sync_playwright().start()
            browser = driver.chromium.connect_over_cdp(cdp_url)
            watch = PageWatch()
            # the learner's laptop: a 1280×720 window, JupyterLab's file browser open
            context = new_context(browser, watch, viewport=LAPTOP_WINDOW)
            context.add_init_script(script=PAGE_RECORDER)
            page = LessonPage(context, lab, notebook, watch)
            page.page.evaluate("() => window.jupyterapp.shell.expandLeft()")
            kernel = BenchKernel(lab.connection_file(page.kernel_id))
            kernel.execute(KERNEL_RECORDER)
            started = time.monotonic()
            page.run_all()
            print(f"Run All (every widget built and shown): {time.monotonic() - started:.1f} s\n")
            kernel.evaluate("_bench_recorder.drain() and None")
            targets = []
            for name, _, slider in WIDGETS:
                expr = f"w_{name}"
                index = kernel.evaluate(
                    f"[i for i, s in enumerate(__import__('actviz_browser_probe').sliders({expr}))"
                    f" if s is {expr}.{slider}][0]")
                widget_root = page.widget_root(cells[name])
                targets.append(Target(name, page, kernel, widget_root, expr, index,
                                      kernel.evaluate(f"{expr}.image.model_id"),
                                      widget_root, PICTURE_SELECTOR))
            for name, _, slider in FALLBACK:
                expr = f"w_plain_{name}"
                index = kernel.evaluate(
                    f"[i for i, s in enumerate(__import__('actviz_browser_probe').sliders({expr}))"
                    f" if s is {expr}.{slider}][0]")
                widget_root = page.widget_root(cells[f"plain_{name}"])
                targets.append(Target(f"{name} (core Image)", page, kernel, widget_root, expr,
                                      index, kernel.evaluate(f"{expr}.image.model_id"),
                                      widget_root, PICTURE_SELECTOR))
            for label, expr in FLOORS:
                # the cell shows a VBox of the two floors: each is one of its children
                floor_root = page.widget_root(cells["floors"]).locator(
                    ":scope > .widget-vbox, :scope > * > .widget-vbox").nth(
                    [e for _, e in FLOORS].index(expr))
                targets.append(Target(label, page, kernel, floor_root, expr, 0,
                                      kernel.evaluate(f"{expr}.image.model_id"),
                                      floor_root, PICTURE_SELECTOR, is_floor=True))
            base_root = page.cell(cells["baseline"]).locator(
                ".jp-OutputArea-output > .jupyter-widgets").first
            targets.append(Target("baseline (interact + plt.show)", page, kernel, base_root,
                                  "baseline.widget", 0,
                                  kernel.evaluate("baseline.widget.out.model_id"),
                                  base_root.locator(".widget-output").first, "img",
                                  is_baseline=True))
            origin = page.page.evaluate("() => performance.timeOrigin")
            offset = clock_offset(page.page)
            for t in targets:  # warm-up click each (first draws, caches)
                t.click(0.3)
            kernel.evaluate("_bench_recorder.drain() and None")
            load_clicks = os.getloadavg()
            for r in range(rounds):
                fraction = 0.7 if r % 2 == 0 else 0.3
                stamps = [(t, t.click(fraction)) for t in targets]
                rec = kernel.evaluate("_bench_recorder.drain()")
                for t, stamp in stamps:
                    t.clicks.append(click_breakdown(t, stamp, rec, offset, origin))
            load_clicks_end = os.getloadavg()
            print_clicks(targets, load_clicks, load_clicks_end)

            # -- Play --------------------------------------------------------------------------
            import psutil
            pids = {"kernel": [kernel.evaluate("__import__('os').getpid()")],
                    "server": [lab.process.pid],
                    "chromium": [chromium.pid] + [c.pid for c in
                                                  psutil.Process(chromium.pid).children(True)]}
            cdp = context.new_cdp_session(page.page)
            cdp.send("Performance.enable")
            results = []
            for label, name, expr in (("default 2-4-4-1", "Playground", "w_Playground"),
                                      ("2-8×6-1", "deep", "w_deep"),
                                      ("default 2-4-4-1, core Image", "plain_Playground",
                                       "w_plain_Playground")):
                if name in ("deep", "plain_Playground"):
                    root = page.widget_root(cells[name])
                    page.page.evaluate("([n, el, sel]) => __bench.track(n, el, sel)",
                                       [name, root.element_handle(), PICTURE_SELECTOR])
                else:
                    root = page.widget_root(cells[name])
                # a fresh run of the default settings: Reset
                kernel.evaluate(f"{expr}.reset() and None")
                page.barrier()
                time.sleep(0.5)
                load = os.getloadavg()
                res = play(page, kernel, root, name, expr,
                           kernel.evaluate(f"{expr}.image.model_id"), args.play_seconds,
                           pids, cdp, offset, origin)
                res["load"] = load
                results.append((label, res))
            print_play(results)
            # after Play: fetching a picture's blob in the page has been seen to upset a
            # following Play (it ran 2 frames and stopped), so these come last
            print_pictures(targets)
            print_ack(measure_ack(kernel, 5 if args.quick else 20))
            print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            kernel.close()
            context.close()
        finally:
            if driver is not None:
                driver.stop()
            if lab is not None:
                lab.stop()
            chromium.stop()


def print_clicks(targets, load_start, load_end) -> None:
    base = targets[-1]
    base_total = stats([c["total"] for c in base.clicks])
    rows, parts = [], []
    for t in targets:
        total = stats([c["total"] for c in t.clicks])
        ratio = (total.median_ns / base_total.median_ns) if total and base_total else None
        size = [c["bytes"] for c in t.clicks if c.get("bytes")]
        met = "–" if t.is_baseline or t.is_floor else ("✓" if total and total.median_ns <= 60e6 else "✗")
        rows.append([t.name, ms(total), ms(total, "p90"), format_ratio(ratio),
                     f"{np.median(size) / 1024:.0f} KB" if size else "–",
                     max((c["frames"] for c in t.clicks), default=0), met])
        seg = {k: stats([c.get(k) for c in t.clicks]) for k in
               ("input", "up", "kernel", "down", "page", "decode", "paint", "handler")}
        parts.append([t.name, *(ms(seg[k]) for k in ("input", "up", "kernel", "down", "page",
                                                       "decode")), ms(total), ms(seg["paint"]),
                      ms(seg["handler"])])
    n = len(base.clicks)
    print(f"## (a, c) click on a slider's track → new picture decoded in the page "
          f"({n} clicks each, in turns; load average {load_start[0]:.2f} → {load_end[0]:.2f})\n")
    print(markdown_table(["widget", "median", "p90", "÷ baseline", "PNG", "pictures/click",
                          "≤ 60 ms?"], rows))
    print("\nWhere the time goes (medians; segments measured separately, so they need not "
          "add up exactly):\n")
    print(markdown_table(["widget", "input → sent", "sent → kernel", "kernel → image sent",
                          "kernel → page", "message → src", "src → decoded", "total",
                          "→ next frame", "kernel handler"], parts))


def measure_ack(kernel, n: int) -> dict:
    """Kernel → page → kernel round trips of a jsdlink'ed frame number (ms, kernel clock)."""
    kernel.execute("_bench_ack_setup()")
    time.sleep(0.5)  # the page creates the models and the link
    trips = []
    for k in range(1, n + 1):
        kernel.execute(f"_bench_ack_sent = _bt.time() * 1e3\n_bench_ack_out.value = {k}")
        deadline = time.monotonic() + 10
        while (got := kernel.evaluate(f"_bench_ack_times.get({k}, 0) - _bench_ack_sent")) <= 0:
            if time.monotonic() > deadline:
                return {"trips": None, "n": n}
            time.sleep(0.005)
        trips.append(got)
    return {"trips": stats(trips), "n": n}


def print_pictures(targets) -> None:
    print("\nWhat one picture costs (after the clicks; decode alone = createImageBitmap of "
          "the shown PNG in the idle page, median of 5; kernel CPU = the handler's thread "
          "time, median over the clicks):\n")
    rows = []
    for t in targets:
        pic = t.picture()
        cpu = stats([c.get("handler_cpu") for c in t.clicks])
        wall = stats([c.get("handler") for c in t.clicks])
        rows.append([t.name, f"{pic['width']}×{pic['height']} px", f"{pic['css']:.0f} px",
                     f"{pic['bytes'] / 1024:.0f} KB", ms(wall), ms(cpu),
                     f"{pic['encode_cpu']:.1f} ms" if "encode_cpu" in pic else "–",
                     f"{pic['decode']:.1f} ms", f"{pic['blob']:.1f} ms",
                     f"{pic['data']:.1f} ms"])
    print(markdown_table(["widget", "PNG pixels", "shown width", "PNG bytes",
                          "kernel handler (wall)", "kernel handler (CPU)", "PNG encode (CPU)",
                          "decode alone", "new img, blob: URL", "new img, data: URL"], rows))


def print_ack(ack: dict) -> None:
    print("\nAn acknowledgement from the page with core ipywidgets only (jsdlink from a "
          "frame-number widget to another; the page sends the copy back): round trip "
          f"kernel → page → kernel, {ack['n']} trips: "
          + (f"median {ms(ack['trips'])}, p90 {ms(ack['trips'], 'p90')}" if ack["trips"]
             else "NO acknowledgement arrived"))


def print_play(results) -> None:
    print("\n## (b) Play: pictures reaching the page per second\n")
    rows, diag = [], []
    for label, r in results:
        target = 20 if label.startswith("default") else 15
        rows.append([label, f"{r['page_fps']:.1f}", f"{r['decoded_fps']:.1f}",
                     f"{r['kernel_fps']:.1f}", f"≥ {target}",
                     ("✓" if r["page_fps"] >= target else "✗")
                     + (f" (play stopped: {r['stopped']})" if r["stopped"] else ""),
                     f"{r['bytes'] / 1024:.0f} KB" if r["bytes"] else "–",
                     f"{r['load'][0]:.2f}"])
        diag.append([label, f"{r['kernel_frame_ms']:.1f} ms", f"{r['page_ms_per_frame']:.1f} ms",
                     f"{r['page_busy']:.0f} % ({r['script_busy']:.0f} % script)",
                     ms(r["decode"]), ms(r["lat_first"]), ms(r["lat_last"]),
                     f"{r['drain_ms'] / 1e3:.1f} s",
                     f"{r['sent_total']}/{r['arrived_total']}/{r['shown_total']}",
                     " · ".join(f"{g} {v:.0f} %" for g, v in r["cpu"].items())])
    print(markdown_table(["network", "page fps (src swaps)", "decoded fps", "kernel fps",
                          "target", "met?", "PNG/frame", "load"], rows))
    print("\nPlay diagnosis: kernel frame = step + redraw + send (run_frames(10) in the "
          "kernel); page main thread from the DevTools Protocol; latency = kernel send → "
          "src swap in the page, over the first and the last second of the window; "
          "drain = pictures still arriving after Pause; CPU in % of one core:\n")
    print(markdown_table(["network", "kernel frame", "page main thread / frame",
                          "page main thread busy", "decode", "latency (1st s)",
                          "latency (last s)", "drain after Pause", "sent/arrived/shown",
                          "CPU"], diag))


if __name__ == "__main__":
    main()
