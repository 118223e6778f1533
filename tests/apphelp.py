"""Helpers shared by the dashboard tests: a fresh AppTest over a private store, and the hostile article."""

from __future__ import annotations

import functools
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conflictmap.store.pgserver import free_port  # noqa: F401 - the tests' one free-port helper
from tests.conftest import ROOT

DASHBOARD = ROOT / "dashboard.py"
ARTIFACTS = ROOT / "tests" / "artifacts"

#: An article written to break out of every place its text is shown.
HOSTILE = {
    "title": "Hostile <script>window.__pwned=1</script> title",
    "text": ("Fighters entered Mosul. <script>window.__pwned=1</script> "
             '<img src=x onerror="window.__pwned=2"> was posted in Baghdad.'),
    "published": "2014-06-20",
    "source": "<b>Evil</b>",
    "url": "javascript:alert(1)",
}


def write_hostile(folder: Path) -> Path:
    path = folder / "hostile.jsonl"
    path.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    return path


def clear_streamlit_caches() -> None:
    """The store is an st.cache_resource shared by every session: drop it so each test opens its own home."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@functools.cache
def _installed_components():
    """Streamlit's registry of the components installed in this environment, scanned once per test process.

    Each new AppTest otherwise scans every installed distribution's metadata for component
    manifests on its first run (about half a CPU-second here); what is installed does not
    change during a test run, so every AppTest is handed the same scan.
    """
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def new_app(query: dict[str, str] | None = None, timeout: float = 90):
    """An AppTest of the whole dashboard (routing included), not yet run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    if hasattr(at, "_bidi_component_manager"):  # AppTest's own slot for the scan (Streamlit 1.67); absent: each scans
        at._bidi_component_manager = _installed_components()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def metrics(at) -> dict[str, int]:
    """The map page's counts line as numbers, e.g. {"Articles": 112, "Places": 84, "Mentions": 653}."""
    import re

    for m in at.markdown:
        if str(m.value).startswith('<span class="cm-counts">'):
            return {w.capitalize(): int(n.replace(",", "")) for n, w in re.findall(r"([\d,]+) (articles|places|mentions)", m.value)}
    raise AssertionError("the map page shows no counts line")


# ---- the one browser harness: Debian's chromium, network blocked ---------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 # Requests chromium makes on its own never pass through page.route: resolve no name but localhost.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


class Net:
    """A browser context's route handler: requests for this machine go through (and are kept in `local`),
    every other one is aborted and kept in `external`; plus what else went wrong on the page."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.local: list[str] = []
        self.sockets: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []

    def summary(self) -> dict[str, list[str]]:
        return {"external": self.external, "sockets": self.sockets, "dialogs": self.dialogs, "page_errors": self.page_errors}

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:", "file:")) or (urlsplit(url).hostname or "") in LOCAL_HOSTS:
            self.local.append(url)
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


def launch_chromium(playwright):
    """Debian's chromium, headless, with the arguments that keep it off the network."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def routed_page(browser, net: Net, viewport: dict[str, int]):
    """A page in a fresh context (no cookies) whose every request goes through `net.route` and whose
    script errors land in `net.page_errors`; close it with `page.context.close()`."""
    context = browser.new_context(viewport=viewport)
    context.route("**/*", net.route)
    page = context.new_page()
    page.on("pageerror", lambda exc: net.page_errors.append(str(exc)))
    return page


# ---- the one browser harness: Debian's chromium against `streamlit run` -----------------------

VIEWPORT = {"width": 1400, "height": 1250}

# The app is idle when Streamlit shows no "running" widget and no element is greyed out as stale.
IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]') && !document.querySelector('[data-stale="true"]')"""
FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Point places (cities, landmarks, districts) are drawn as circles tagged `cm-place`; areas are `cm-area`.
MARKERS = "path.leaflet-interactive.cm-place"
MARKER_COUNT_JS = f"() => document.querySelectorAll('{MARKERS}').length"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (import it from here to use it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


def settle(page, timeout: float = 45) -> None:
    """Wait until Streamlit has finished every rerun: idle on three checks in a row, 250 ms apart."""
    deadline = time.monotonic() + timeout
    calm = 0
    while calm < 3:
        if time.monotonic() > deadline:
            raise AssertionError("the app kept rerunning")
        page.wait_for_function(IDLE_JS, timeout=timeout * 1000)
        page.wait_for_timeout(250)
        calm = calm + 1 if page.evaluate(IDLE_JS) else 0


def wait_until(page, check, timeout: float = 30, what: str = "condition"):
    """`poll` in a page: the pause is the page's own wait, so playwright handles browser events meanwhile."""

    def give_up(last: Exception | None) -> None:
        raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last})" if last else ""))

    return poll(check, timeout=timeout, pause=lambda: page.wait_for_timeout(250), give_up=give_up)


def map_frame(page, index: int = 0):
    handle = page.locator(FOLIUM_IFRAME).nth(index).element_handle(timeout=60_000)
    frame = handle.content_frame()
    assert frame is not None
    return frame


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    # two animation frames in the page and in every frame: what was drawn has been painted
    for frame in page.frames:
        try:
            frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        except Exception:  # noqa: BLE001 - a frame that went away during a rerun has nothing to paint
            pass
    # Not full_page: Streamlit scrolls inside its own container, and chromium's resize for a
    # full-page capture leaves unpainted tiles in the picture. Even so, a tall map on a busy
    # machine can be caught half rastered: keep the picture once two captures in a row agree.
    previous = None
    for _ in range(20):
        picture = page.screenshot()
        if picture == previous:
            break
        previous = picture
        page.wait_for_timeout(300)  # a poll interval: the loop ends on the condition above
    (ARTIFACTS / f"{name}.png").write_bytes(picture)


def leaflet_version() -> str:
    """The Leaflet version set-up vendored (from the manifest), so no test pins one."""
    from conflictmap.maps.vendor import load_manifest

    return load_manifest()["packages"]["leaflet"]


def healthy(base: str) -> bool:
    """Whether a Streamlit server at `base` answers its health check."""
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:
            return reply.read().strip() == b"ok"
    except OSError:
        return False


def poll(check: Callable[[], object], *, timeout: float, pause: Callable[[], None], give_up: Callable[[Exception | None], None]):
    """The one condition wait of the tests: `check()`'s first true value, tried until `timeout`.

    An exception from `check` counts as "not yet" (frames and processes come and go); `pause` is
    the poll interval (a page's own wait, so playwright keeps handling events, or a sleep), and
    `give_up(last_error)` fails the test with what it was waiting for.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - see above
            last = exc
        if time.monotonic() > deadline:
            give_up(last)
            raise AssertionError("give_up did not fail the test")
        pause()


def wait_for(check: Callable[[], object], what: str, proc: subprocess.Popen, log_path: Path, timeout: float = 90):
    """`check()`'s first true value; fails at once, with the log's tail, if `proc` exits first."""

    def alive_and(check=check):
        if proc.poll() is not None:
            pytest.fail(f"`{' '.join(map(str, proc.args[1:4]))}` exited with {proc.returncode} before {what}:\n{log_path.read_text()[-3000:]}")
        return check()

    return poll(alive_and, timeout=timeout, pause=lambda: time.sleep(0.3),
                give_up=lambda last: pytest.fail(f"no {what} within {timeout:.0f} s ({last}):\n{log_path.read_text()[-3000:]}"))


@contextmanager
def running(cmd: Sequence[str], env: dict[str, str], log_path: Path, *, cwd: Path = ROOT, stop_within: float = 15) -> Iterator[subprocess.Popen]:
    """A server process with its output in `log_path`; stopped (SIGTERM, then SIGKILL after `stop_within` s) on exit."""
    with log_path.open("w") as log:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=stop_within)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, *, port: int | None = None, extra_args: Sequence[str] = (),
                     script: str = "dashboard.py", cwd: Path = ROOT) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free local port with `env`; yields its base URL once healthy.

    `port` when the caller must know it first (a sign-in redirect names it); `extra_args` go to
    `streamlit run` (e.g. `--secrets.files`); `script` and `cwd` for a test's own small app.
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    # server.address keeps the server on this machine and skips Streamlit's external-IP lookup.
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args]
    with running(cmd, env, log_path, cwd=cwd) as proc:
        wait_for(lambda: healthy(base), "answer on /_stcore/health", proc, log_path)
        yield base
