"""Time a first start of the dashboard: `streamlit run` to markers drawn in Chromium.

What a newcomer sees on a freshly set-up machine: the server starts over a home
that `./setup.sh` prepared (or an empty one, with --empty, which is what a first
start cost before set-up prepared the demo store), and Chromium opens the map page.
The clock starts at `streamlit run` and stops when the first place marker is in
the map's frame.

A reader's browser is already open when they start the dashboard, so by default
Chromium is launched (and shows a blank tab) before the clock starts;
--cold-browser launches it after the server is healthy, inside the clock, which is
how this script measured until 2026-12-02 07:00 (its figures are kept in
docs/benchmarks.md beside the new ones).

Each run also prints where the time went, in seconds from `streamlit run`: the
server healthy, the browser's websocket open (Streamlit's own JavaScript loaded),
the map component's frame requested, Leaflet requested, the first marker drawn.

Usage: .venv/bin/python scripts/bench_first_start.py [--empty] [--cold-browser] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _has_marker(frame) -> bool:
    try:
        return bool(frame.evaluate("() => !!document.querySelector('path.cm-place')"))
    except Exception:  # noqa: BLE001 - a frame that is being replaced
        return False


def first_start(home: Path, playwright, *, cold_browser: bool) -> dict[str, float]:
    """Seconds from launching streamlit to each milestone, ending with the first marker drawn ("map")."""
    browser = None if cold_browser else playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = None if cold_browser else browser.new_page(viewport={"width": 1920, "height": 1080})
    if page is not None:
        page.goto("about:blank")
    port = _free_port()
    env = dict(os.environ, CONFLICTMAP_HOME=str(home), PYTHONPATH=str(ROOT))
    marks: dict[str, float] = {}
    t0 = time.perf_counter()

    def mark(name: str) -> None:
        marks.setdefault(name, round(time.perf_counter() - t0, 2))

    def watch(p) -> None:
        p.on("websocket", lambda ws: mark("websocket"))
        p.on("request", lambda r: (mark("component frame") if "/component/streamlit_folium" in r.url else None,
                                   mark("leaflet") if r.url.endswith("/leaflet.js") else None))

    if page is not None:
        watch(page)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.05)
        mark("healthy")
        if page is None:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            watch(page)
            mark("browser up")
        page.goto(base + "/", wait_until="commit")
        deadline = time.perf_counter() + 180
        while not any(_has_marker(f) for f in page.frames):
            if time.perf_counter() > deadline:
                raise SystemExit("no marker on the map within 3 minutes")
            page.wait_for_timeout(20)
        mark("map")
        return marks
    finally:
        browser.close()
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--empty", action="store_true", help="start over an empty home (the demo is loaded on first view)")
    ap.add_argument("--cold-browser", action="store_true", help="launch Chromium inside the clock (the old method)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = []
    with sync_playwright() as p:
        for _ in range(args.runs):
            home = Path(tempfile.mkdtemp()) / "home"
            if not args.empty:  # what ./setup.sh does
                subprocess.run([sys.executable, "-m", "conflictmap", "demo"], cwd=ROOT, check=True, capture_output=True,
                               env=dict(os.environ, CONFLICTMAP_HOME=str(home)))
            runs.append(first_start(home, p, cold_browser=args.cold_browser))
    print(json.dumps({"home": "empty" if args.empty else "prepared by setup",
                      "browser": "launched inside the clock" if args.cold_browser else "already open",
                      "load_average": round(os.getloadavg()[0], 1),
                      "first_start_to_map_s": [r["map"] for r in runs], "milestones_s": runs}, indent=1))


if __name__ == "__main__":
    main()
