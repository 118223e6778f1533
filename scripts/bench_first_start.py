"""Time a first start of the dashboard: `streamlit run` to markers drawn in Chromium.

What a newcomer sees on a freshly set-up machine: the server starts over a home
that `./setup.sh` prepared (or an empty one, with --empty, which is what a first
start cost before set-up prepared the demo store), and a headless Chromium opens
the map page. The clock stops when the first place marker is in the map's frame.

Usage: .venv/bin/python scripts/bench_first_start.py [--empty] [--runs 3]
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _has_marker(frame) -> bool:
    try:
        return bool(frame.evaluate("() => !!document.querySelector('path.cm-place')"))
    except Exception:  # noqa: BLE001 - a frame that is being replaced
        return False


def first_start(home: Path) -> float:
    """Seconds from launching streamlit to the first marker drawn."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = dict(os.environ, CONFLICTMAP_HOME=str(home), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
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
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(base + "/")
            deadline = time.perf_counter() + 180
            while not any(_has_marker(f) for f in page.frames):
                if time.perf_counter() > deadline:
                    raise SystemExit("no marker on the map within 3 minutes")
                page.wait_for_timeout(50)
            elapsed = time.perf_counter() - t0
            browser.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--empty", action="store_true", help="start over an empty home (the demo is loaded on first view)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times = []
    for _ in range(args.runs):
        home = Path(tempfile.mkdtemp()) / "home"
        if not args.empty:  # what ./setup.sh does
            subprocess.run([sys.executable, "-m", "conflictmap", "demo"], cwd=ROOT, check=True, capture_output=True,
                           env=dict(os.environ, CONFLICTMAP_HOME=str(home)))
        times.append(first_start(home))
    print(json.dumps({"home": "empty" if args.empty else "prepared by setup", "first_start_to_map_s": [round(t, 1) for t in times]}))


if __name__ == "__main__":
    main()
