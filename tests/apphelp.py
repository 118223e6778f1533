"""Helpers shared by the dashboard tests: a fresh AppTest over a private store, and the hostile article."""

from __future__ import annotations

import json
import socket
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
    """The map page's counts line as numbers, e.g. {"Articles": 112, "Places": 84, "Mentions": 653}."""
    import re

    for m in at.markdown:
        if str(m.value).startswith('<span class="cm-counts">'):
            return {w.capitalize(): int(n.replace(",", "")) for n, w in re.findall(r"([\d,]+) (articles|places|mentions)", m.value)}
    raise AssertionError("the map page shows no counts line")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
