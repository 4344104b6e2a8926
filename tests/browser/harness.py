"""Test-process half of the browser tests: processes, servers, Chromium, kernel probes, pages.

Everything the tests start (JupyterLab, Voila, ``make``, Chromium) runs in a
process group of its own and is stopped by its process id, with whatever it
started (kernels live in sessions of their own), even when a test fails.
Every Jupyter process gets throw-away settings, workspace, runtime, config
and data directories, so neither the developer's set-up nor a previous run
changes what the browser sees.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[2]
#: Debian's Chromium; the tests never download a browser.
CHROMIUM = Path(os.environ.get("ACTVIZ_CHROMIUM", "/usr/bin/chromium"))
#: The environment the tests run in (the project's .venv under `make test`).
VENV_BIN = Path(sys.prefix) / "bin"
ARTIFACTS = REPO / "test-artifacts"
LOCAL_HOST = "127.0.0.1"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Second line of defence behind the per-request block in `new_context`: any
    # connection to another host (websockets included) goes to a closed port.
    # Chromium always bypasses proxies for loopback addresses.
    "--proxy-server=http://127.0.0.1:9",
]
TIMEOUT_MS = 60_000  # one wait in the page (kernel start, run all); CI machines are slow


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((LOCAL_HOST, 0))
        return s.getsockname()[1]


# -- processes -----------------------------------------------------------------------------
def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time) of every live process we can see (zombies left out)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":  # a zombie has exited; only its parent can reap it
            table[int(entry.name)] = (int(fields[1]), int(fields[19]))
    return table


def _descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every process below ``pid``."""
    table = _process_table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, start) in table.items():
            if ppid == parent:
                found.append((child, start))
                frontier.append(child)
    return found


class Started:
    """A process the tests started, in a new session (its own process group).

    Parameters
    ----------
    cmd : list of str
    log : Path
        Receives its stdout and stderr.
    env : dict, optional
    cwd : Path, optional
    """

    def __init__(self, cmd: list[str], log: Path, env: dict | None = None,
                 cwd: Path | None = None) -> None:
        self.cmd = cmd
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the group (Jupyter then shuts its kernels down), SIGKILL what is left.

        Children that put themselves in sessions of their own (kernels) are
        listed before and killed by pid if they outlive their parent; the
        start time guards against a recycled pid.
        """
        below = _descendants(self.pid)
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.pid, signal.SIGKILL)  # helpers left in the group
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 5
        for pid, start in below:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                while _process_table().get(pid, (None, None))[1] == start:
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        break
                    if sig == signal.SIGTERM and time.monotonic() > deadline:
                        break  # on to SIGKILL
                    time.sleep(0.1)
        self.proc.wait()
        self._log.close()


def wait_http(url: str, process: Started, timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers (any status below 500); fail if ``process`` dies."""
    deadline = time.monotonic() + timeout
    while True:
        if not process.alive():
            raise RuntimeError(f"{process.cmd[0]} exited with {process.proc.returncode} before "
                               f"{url} answered; its log ends:\n{process.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code < 500:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:g} s; the log ends:\n"
                               f"{process.log_tail()}")
        time.sleep(0.2)


def wait_port(port: int, process: Started, timeout: float = 90.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        if not process.alive():
            raise RuntimeError(f"{process.cmd[0]} exited with {process.proc.returncode}; "
                               f"its log ends:\n{process.log_tail()}")
        try:
            with socket.create_connection((LOCAL_HOST, port), timeout=1):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port} after {timeout:g} s; the log "
                               f"ends:\n{process.log_tail()}")
        time.sleep(0.2)


# -- Jupyter ---------------------------------------------------------------------------------
def jupyter_env(tmp: Path) -> dict[str, str]:
    """Environment for a Jupyter process that touches nothing outside ``tmp``.

    The settings turn off JupyterLab's news and update checks (they would
    reach the internet) and render every cell (JupyterLab otherwise skips
    cells out of view, which the tests need to find).
    """
    dirs = {name: tmp / name.lower() for name in (
        "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_RUNTIME_DIR",
        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    settings = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab"
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}}
    env.pop("MPLBACKEND", None)  # the kernel must choose its own (inline) backend
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def root_flag() -> list[str]:
    return ["--allow-root"] if os.geteuid() == 0 else []


class LabServer:
    """JupyterLab on 127.0.0.1 with no token, serving ``root`` (a throw-away copy)."""

    def __init__(self, tmp: Path, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.base = f"http://{LOCAL_HOST}:{self.port}"
        env = jupyter_env(tmp)
        self.runtime_dir = Path(env["JUPYTER_RUNTIME_DIR"])
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--ip={LOCAL_HOST}",
               f"--port={self.port}", "--port-retries=0", f"--ServerApp.root_dir={root}",
               "--IdentityProvider.token=", "--PasswordIdentityProvider.hashed_password=",
               # no token and nothing but 127.0.0.1 reachable: the tests' REST calls
               # (closing kernels) need no XSRF cookie
               "--ServerApp.disable_check_xsrf=True",
               "--LabApp.news_url=",
               # lets the tests send a kernel_info request down the page's own
               # connection, as a barrier (see LessonPage.barrier)
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *root_flag()]
        self.process = Started(cmd, tmp / "jupyterlab.log", env=env)
        try:
            wait_http(self.base + "/api/status", self.process)
        except BaseException:
            self.process.stop()
            raise

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, method=method, data=data,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def prestart(self, notebook: Path) -> None:
        """Start the kernel of a notebook before it is opened (JupyterLab joins that session).

        Starting a kernel takes seconds; the next lesson's can start while
        the current one is being tested.
        """
        spec = json.loads(notebook.read_text())["metadata"].get("kernelspec", {})
        self.api("/api/sessions", method="POST", body={
            "path": notebook.name, "name": notebook.name, "type": "notebook",
            "kernel": {"name": spec.get("name", "python3")}})

    def kernel_id(self, notebook: str) -> str:
        for session in self.api("/api/sessions"):
            if session["path"] == notebook and session.get("kernel"):
                return session["kernel"]["id"]
        raise AssertionError(f"no kernel session for {notebook}")

    def kernel_state(self, kernel_id: str) -> str:
        return self.api(f"/api/kernels/{kernel_id}")["execution_state"]

    def wait_kernel_idle(self, kernel_id: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while (state := self.kernel_state(kernel_id)) != "idle":
            if time.monotonic() > deadline:
                raise AssertionError(f"kernel still {state!r} after {timeout:g} s")
            time.sleep(0.1)

    def connection_file(self, kernel_id: str) -> Path:
        return self.runtime_dir / f"kernel-{kernel_id}.json"

    def close_sessions(self, notebook: str) -> None:
        """Shut down the notebook's kernel (its process is also killed in stop())."""
        for session in self.api("/api/sessions"):
            if session["path"] == notebook:
                self.api(f"/api/sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        self.process.stop()


# -- kernels ---------------------------------------------------------------------------------
PROBE_SOURCE = (Path(__file__).with_name("probe.py")).read_text()


class KernelProbe:
    """Runs ``probe.py`` functions in a live kernel, beside the browser's own connection.

    Code runs with ``silent=True, store_history=False``: it does not change
    the execution count or ``Out``, and the answer comes back in the reply's
    ``user_expressions``, so nothing appears in the notebook.
    """

    def __init__(self, connection_file: Path) -> None:
        from jupyter_client import BlockingKernelClient
        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        self._run(
            "__import__('sys').modules['actviz_browser_probe'] = "
            "__import__('types').ModuleType('actviz_browser_probe'); "
            f"exec(compile({PROBE_SOURCE!r}, 'actviz_browser_probe', 'exec'), "
            "__import__('sys').modules['actviz_browser_probe'].__dict__)")

    def _run(self, code: str, expressions: dict | None = None, timeout: float = 60.0) -> dict:
        msg_id = self.client.execute(code, silent=True, store_history=False,
                                     user_expressions=expressions or {}, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise AssertionError(f"kernel probe failed: {content.get('ename')}: "
                                 f"{content.get('evalue')}")
        return content

    def call(self, function: str, expression: str, *args):
        """``probe.<function>(eval(expression), *args)`` in the kernel, decoded from JSON."""
        call = f"__import__('actviz_browser_probe').call({function!r}, {expression!r}, *{args!r})"
        result = self._run("", {"r": call})["user_expressions"]["r"]
        if result["status"] != "ok":
            raise AssertionError(f"probe {function}({expression}) raised "
                                 f"{result.get('ename')}: {result.get('evalue')}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def evaluate(self, expression: str):
        """``expression`` evaluated in the notebook's namespace, through JSON."""
        found = self._run("", {"r": f"__import__('json').dumps({expression})"})
        result = found["user_expressions"]["r"]
        if result["status"] != "ok":
            raise AssertionError(f"{expression}: {result.get('ename')}: {result.get('evalue')}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def execute(self, code: str) -> None:
        """Run ``code`` in the notebook's namespace (silently: no prompt number, no output)."""
        self._run(code)

    def close(self) -> None:
        self.client.stop_channels()


# -- the browser -----------------------------------------------------------------------------
def start_chromium(tmp: Path) -> tuple[Started, str]:
    """Debian's Chromium, headless, with a fresh profile; returns it and its CDP URL."""
    profile = tmp / "chromium-profile"
    port_file = profile / "DevToolsActivePort"
    cmd = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           "--remote-debugging-port=0", "about:blank"]
    process = Started(cmd, tmp / "chromium.log")
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if not process.alive() or time.monotonic() > deadline:
            process.stop()
            raise RuntimeError(f"Chromium did not start; its log ends:\n{process.log_tail()}")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    return process, f"http://{LOCAL_HOST}:{port}"


class PageWatch:
    """Console errors, uncaught page errors and blocked requests of one browser context."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        self.excused: tuple[str, ...] = ()

    def excuse(self, *prefixes: str) -> None:
        """Still block these URLs, but do not fail on them (known, harmless upstream links)."""
        self.excused += prefixes

    def attach(self, page) -> None:
        page.on("console", lambda m: self.console_errors.append(
            f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))

    def route(self, route) -> None:
        url = route.request.url
        allowed = url.startswith(("data:", "blob:")) or urlsplit(url).hostname == LOCAL_HOST
        if not allowed:
            self.blocked.append(url)
        try:
            route.continue_() if allowed else route.abort()
        except Exception:  # noqa: BLE001 - the page closed while the request was in flight
            pass

    def assert_clean(self, where: str) -> None:
        def excused(text: str) -> bool:
            return any(prefix in text for prefix in self.excused)
        blocked = [url for url in self.blocked if not excused(url)]
        errors = [text for text in self.console_errors if not excused(text)]
        assert not blocked, f"{where}: requests to other hosts (blocked): {blocked}"
        assert not errors, f"{where}: console errors: {errors}"


#: The tests' window: tall enough that a whole widget fits on screen for its screenshot.
TEST_WINDOW = {"width": 1440, "height": 1400}
#: A learner's laptop window (the speed benchmark's, with the file browser open).
LAPTOP_WINDOW = {"width": 1280, "height": 720}


def new_context(browser, watch: PageWatch, viewport: dict | None = None):
    """A fresh browser context that blocks every request to a host other than 127.0.0.1.

    ``viewport`` is the window's size in CSS px (default :data:`TEST_WINDOW`).
    """
    context = browser.new_context(viewport=viewport or TEST_WINDOW, device_scale_factor=1)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", watch.route)
    context.on("page", watch.attach)
    return context


# -- widgets in a page -----------------------------------------------------------------------
_IMAGE_SHA_JS = """async (img) => {
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
}"""


#: The FigureWidget's own picture, either kind: the package's front end (an ``img``
#: in the picture's box, replaced by a new element at each frame) or the core Image.
PICTURE_SELECTOR = (":scope > img.widget-image, "
                    ":scope > * > .actviz-picture > img.actviz-frame")
#: The same, from the page: the picture's ``img`` inside a widget's box (``root``).
_PICTURE_JS = f"(root) => root.querySelector({PICTURE_SELECTOR!r})"


def figure_image(root):
    """The FigureWidget's own picture: the image directly inside its box (or its picture's)."""
    return root.locator(PICTURE_SELECTOR).first


def picture_src(root) -> str | None:
    """The ``src`` of the picture the widget's box shows now."""
    return root.evaluate(f"(root) => {{ const img = ({_PICTURE_JS})(root); "
                         "return img ? img.src : null; }")


def wait_picture(root, old_src: str | None = None, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the box shows a loaded picture (other than ``old_src``, if given).

    Queried from the widget's box at every look: the picture's front end puts
    each decoded frame in a new ``img`` element.
    """
    root.page.wait_for_function(
        f"([root, old]) => {{ const img = ({_PICTURE_JS})(root); return !!img && !!img.src "
        "&& img.src !== old && img.complete && img.naturalWidth > 0; }",
        arg=[root.element_handle(), old_src], timeout=timeout_ms)


def browser_image_sha(root) -> str:
    """SHA-256 of the PNG the page shows (the image's blob, fetched in the page)."""
    image = figure_image(root)
    for _ in range(20):
        try:
            return image.evaluate(_IMAGE_SHA_JS)
        except Exception:  # noqa: BLE001 - the blob was replaced while we read it
            time.sleep(0.1)
    return image.evaluate(_IMAGE_SHA_JS)


def kernel_image_sha(probe: KernelProbe, expression: str) -> str:
    """SHA-256 of the PNG the kernel's widget ``expression`` holds (its ``image.value``)."""
    return probe.evaluate(f"__import__('hashlib').sha256(bytes({expression}.image.value))"
                          ".hexdigest()")


def until(condition, what: str, timeout: float = 30.0) -> None:
    """Poll ``condition()`` every 0.1 s until it is true; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def tooltip_text(region: dict) -> list[str]:
    """What a region's tooltip must read: the title, then each row's label and value."""
    return [region["title"], *(part for row in region["rows"] for part in row)]


class Picture:
    """The picture of the widget in ``root`` (its box in ``page``), pointed at as a learner does.

    The pointer moves in the picture's own CSS coordinates, those of the
    kernel's regions; ``css_width`` is its width in them
    (``view.css_size[0]``), as the page may show it scaled.
    """

    def __init__(self, page, root, css_width: float) -> None:
        self.page, self.root = page, root
        self.box = root.locator(".actviz-picture").first
        self.css_width = css_width

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Where ``(x, y)`` of the picture is in the window (scrolled into it first)."""
        # the notebook scrolls: bring the point into the window first (mouse events
        # outside the window reach nothing)
        self.box.evaluate("(b, [y, w]) => { const r = b.getBoundingClientRect();"
                          " const k = r.width / w;"
                          " if (r.top + y * k < 40 || r.top + y * k > innerHeight - 40)"
                          " b.scrollIntoView({block: 'start'}); }", [y, self.css_width])
        b = self.box.bounding_box()
        k = b["width"] / self.css_width
        return b["x"] + x * k, b["y"] + y * k

    def hover(self, x: float, y: float) -> None:
        self.page.mouse.move(*self.point(x, y))

    def click(self, x: float, y: float) -> None:
        self.page.mouse.click(*self.point(x, y))

    def tip(self):
        """The tooltip (absent until the pointer rests on a region)."""
        return self.box.locator(".actviz-tip")

    def tip_cells(self) -> list[str]:
        """The tooltip's texts: its title, then each row's label and value."""
        return [c.strip() for c in self.tip().locator("b, td").all_inner_texts()]

    def zoom_centre(self) -> list[int]:
        """RGB of the centre pixel of the tile the tooltip shows enlarged."""
        return self.tip().locator("canvas").evaluate(
            "c => Array.from(c.getContext('2d').getImageData("
            "Math.floor(c.width / 2), Math.floor(c.height / 2), 1, 1).data.slice(0, 3))")


def readout_matches(text: str, value: float) -> bool:
    """True if a slider readout (e.g. ``"1.01"``, ``"−0.30"``, ``"1.00e-3"``) shows ``value``.

    The readout is rounded, so it must lie within half a unit of its last digit.
    """
    text = text.strip().replace("−", "-").replace(",", "")
    try:
        shown = Decimal(text)
    except InvalidOperation:
        return False
    half_unit = Decimal(5) * Decimal(10) ** (shown.as_tuple().exponent - 1)
    return abs(float(shown) - float(value)) <= float(half_unit) * (1 + 1e-9) + 1e-12


def assert_checks(checks: list, where: str) -> None:
    """Every ``[what, got, want]`` from the probe: numbers within 1e-9, the rest equal."""
    bad = []
    for what, got, want in checks:
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            ok = (isinstance(got, (int, float)) and
                  abs(got - want) <= 1e-9 * max(1.0, abs(want)))
        else:
            ok = got == want
        if not ok:
            bad.append(f"{what}: widget has {got!r}, the engine says {want!r}")
    assert checks, f"{where}: the probe returned no checks"
    assert not bad, f"{where}: " + "; ".join(bad)


class WidgetDriver:
    """Moves one widget in the page and checks it against the kernel and the engine.

    Parameters
    ----------
    page : playwright Page
    root : Locator
        The widget's box in the page.
    probe : KernelProbe
    expression : str
        How the kernel reaches the widget, e.g. ``"Out[4]"``.
    where : str
        Named in failure messages.
    barrier : callable, optional
        Returns once the kernel has handled every message the page sent
        before the call.  Without one, settling waits longer between looks.
    """

    def __init__(self, page, root, probe: KernelProbe, expression: str, where: str,
                 barrier=None) -> None:
        self.page, self.root, self.probe = page, root, probe
        self.expression, self.where = expression, where
        self.barrier = barrier
        self.known = True  # an engine expectation exists (set by exercise())
        self.info = probe.call("describe", expression)
        self.where = f"{where} ({self.info['cls']})"

    def check_layout(self) -> None:
        """The page shows every slider and button the kernel's widget has, and its picture."""
        labels = self.root.locator(".widget-slider > .widget-label").all_text_contents()
        assert labels == [s["label"] for s in self.info["sliders"]], (
            f"{self.where}: sliders in the page {labels} differ from the kernel's")
        buttons = [t.strip() for t in
                   self.root.locator("button.widget-button").all_text_contents()]
        assert buttons == [b["label"] for b in self.info["buttons"]], (
            f"{self.where}: buttons in the page {buttons} differ from the kernel's")
        assert self.info["error"] is None, f"{self.where}: widget error {self.info['error']!r}"
        self.wait_synced()
        wait_picture(self.root)

    def wait_synced(self, old_src: str | None = None, timeout: float = 30.0) -> str:
        """Wait until the page shows a new picture (if ``old_src``) that is the kernel's latest.

        The front end answers some kernel changes with messages of its own (a
        slider snaps a value the kernel set to its step and sends it back, a
        message held while another is in flight goes out later), so the
        widget counts as settled only when its state in the kernel is the
        same on two rounds, each after the barrier, and the page shows its
        picture.
        """
        if old_src is not None:
            try:
                wait_picture(self.root, old_src, timeout * 1000)
            except Exception as exc:  # noqa: BLE001
                raise AssertionError(f"{self.where}: the picture did not change") from exc
        pause = 0.2 if self.barrier is not None else 0.5
        deadline = time.monotonic() + timeout
        previous = None
        while True:
            if self.barrier is not None:
                self.barrier()
            state = self.probe.call("describe", self.expression)
            shown = browser_image_sha(self.root)
            if state == previous and shown == state["image_sha"]:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.where}: " + ("the page's picture is not the kernel's latest frame"
                                         if state == previous else "the widget never settled"))
            previous = state
            time.sleep(pause)

    def readout(self, index: int) -> str:
        return self.root.locator(".widget-slider").nth(index).locator(
            ".widget-readout").inner_text()

    def move_slider(self, index: int) -> None:
        """One key press on the slider's handle; the page and the kernel must follow."""
        self.info = self.probe.call("describe", self.expression)
        before = self.info["sliders"][index]
        key = "ArrowLeft" if before["at_max"] else "ArrowRight"
        old_src = picture_src(self.root)
        handle = self.root.locator(".widget-slider").nth(index).locator(".noUi-handle").first
        handle.focus()
        handle.press(key)
        self.wait_synced(old_src)
        after = self.probe.call("slider_value", self.expression, index)
        assert after["value"] != before["value"], (
            f"{self.where}: {key} on {before['label']!r} left the kernel's value at "
            f"{after['value']}")
        shown = self.readout(index)
        if after["kind"] == "number":
            assert readout_matches(shown, after["value"]), (
                f"{self.where}: {before['label']!r} shows {shown!r}, the kernel holds "
                f"{after['value']}")
        elif after["kind"] == "selection":
            assert shown.strip() == after["text"], (
                f"{self.where}: {before['label']!r} shows {shown!r}, the kernel holds "
                f"{after['text']!r}")
        if self.known:
            assert_checks(self.probe.call("after_slider", self.expression),
                          f"{self.where}, after moving {before['label']!r}")

    def click_button(self, index: int) -> None:
        """Click a button; the readouts the engine predicts must appear in the page."""
        label = self.info["buttons"][index]["label"]
        expected = self.probe.call("before_button", self.expression, index)
        old_src = picture_src(self.root)
        self.root.locator("button.widget-button").nth(index).click()
        self.wait_synced(old_src)
        if self.known:
            assert_checks(self.probe.call("after_button", self.expression, index),
                          f"{self.where}, after clicking {label!r}")
        for slider, value in expected.items():
            shown = self.readout(int(slider))
            name = self.info["sliders"][int(slider)]["label"]
            assert readout_matches(shown, value), (
                f"{self.where}: after {label!r}, {name!r} shows {shown!r}; the engine says "
                f"{value}")

    def exercise(self) -> None:
        """One slider, the planned buttons, and no error message afterwards."""
        plan = self.probe.call("plan", self.expression)
        self.known = plan["known"]
        assert plan["slider"] is not None, f"{self.where}: no usable slider to move"
        self.move_slider(plan["slider"])
        for index in plan["buttons"]:
            self.click_button(index)
        assert self.root.locator(".actviz-error").count() == 0, (
            f"{self.where}: shows an error: "
            f"{self.root.locator('.actviz-error').all_text_contents()}")
        assert plan["known"], (
            f"{self.where}: moved and redrawn, but there is no engine expectation for "
            f"{self.info['cls']}: add one to EXPECTATIONS in tests/browser/probe.py")


# -- JupyterLab pages ------------------------------------------------------------------------
def scratch_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook to ``path``: one code cell per source in ``cells``, not yet run.

    Its kernel is ``python3`` (the environment the tests and benchmarks run in).
    """
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                   "metadata": {}, "outputs": [], "source": src}
                  for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, indent=1))
    return path


_RUN_STATE_JS = """(codeCells) => {
  const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
  if (cells.length === 0) return 'no cells';
  for (const i of codeCells) {
    const prompt = cells[i] && cells[i].querySelector('.jp-InputPrompt');
    if (!prompt || !/\\[\\d+\\]/.test(prompt.textContent)) {
      if (document.querySelector(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
        return 'error';
      return 'running';
    }
  }
  return 'done';
}"""


class LessonPage:
    """A lesson opened in JupyterLab in its own workspace, run with Run ▸ Run All Cells."""

    def __init__(self, context, lab: LabServer, notebook: Path, watch: PageWatch) -> None:
        self.lab, self.watch = lab, watch
        self.name = notebook.name
        cells = json.loads(notebook.read_text())["cells"]
        self.n_cells = len(cells)
        # JupyterLab runs every code cell that is not blank
        self.code_cells = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
                           and "".join(c["source"]).strip()]
        self.page = context.new_page()
        workspace = re.sub(r"\W", "-", notebook.stem)
        self.page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{quote(self.name)}?reset")
        self.page.locator(".jp-Notebook .jp-Cell").nth(self.n_cells - 1).wait_for()
        # the status bar reads "Python 3 (ipykernel) | Idle" once the kernel is connected
        self.page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).wait_for()
        self.kernel_id = lab.kernel_id(self.name)
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # room for widgets

    def barrier(self) -> None:
        """A kernel_info request down the page's own kernel connection, awaited.

        The kernel handles one connection's shell messages in order, so when
        the reply arrives it has handled every widget message the page sent before.
        """
        found = self.page.evaluate("""async (path) => {
          for (const w of window.jupyterapp.shell.widgets('main')) {
            if (w.context && w.context.path === path) {
              await w.sessionContext.session.kernel.requestKernelInfo();
              return true;
            }
          }
          return false;
        }""", self.name)
        assert found, f"{self.name}: no open notebook panel to reach the kernel through"

    def run_all(self) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        self.page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        self.page.wait_for_function(f"() => ({_RUN_STATE_JS})({self.code_cells}) !== 'running'",
                                    timeout=TIMEOUT_MS * 3)
        self.assert_no_error_output()
        self.lab.wait_kernel_idle(self.kernel_id)

    def assert_no_error_output(self) -> None:
        errors = self.page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, (
            f"{self.name}: error output after Run All: {errors.all_inner_texts()}")
        broken = self.page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
        assert broken.count() == 0, f"{self.name}: {broken.all_inner_texts()}"

    def cell(self, index: int):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def execution_count(self, index: int) -> int | None:
        text = self.cell(index).locator(".jp-InputPrompt").inner_text()
        match = re.search(r"\[(\d+)\]", text)
        return int(match.group(1)) if match else None

    def widget_cells(self) -> list[tuple[int, int]]:
        """``(cell index, execution count)`` of every code cell that shows a widget."""
        found = []
        for i in self.code_cells:
            shown = self.cell(i).locator(".jp-OutputArea-output > .jupyter-widgets")
            if shown.count():
                found.append((i, self.execution_count(i)))
        return found

    def widget_root(self, index: int):
        """The box of the widget a cell returned (its execute result)."""
        return self.cell(index).locator(
            ".jp-OutputArea-executeResult .jp-OutputArea-output > .jupyter-widgets").first
