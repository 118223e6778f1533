"""Helpers shared by the dashboard tests: a fresh AppTest over a private store, and the hostile article."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def new_app(query: dict[str, str] | None = None, timeout: float = 90):
    """An AppTest of the whole dashboard (routing included), not yet run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def metrics(at) -> dict[str, int]:
    """The map page's metrics as numbers, e.g. {"Articles": 112, ...}."""
    return {m.label: int(str(m.value).replace(",", "")) for m in at.metric}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free local port with `env`; yields its base URL once healthy."""
    import pytest

    port = free_port()
    with log_path.open("w") as log:
        # server.address keeps the server on this machine and skips Streamlit's external-IP lookup.
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:
                        if reply.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("streamlit did not answer /_stcore/health within 90 s")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
