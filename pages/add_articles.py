"""Add articles: upload files, paste text, or give a URL or feed; see what went in and what failed."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from conflictmap.ingest import ingest, ingest_articles
from conflictmap.readers import read_text_article
from pages._shared import get_geoparser, get_store, style

store = get_store()
style(False)
st.title("Add articles")
st.caption("Text, HTML, JSON, JSON Lines, CSV and RSS/Atom files. Articles already in the store are skipped.")


def _report(report) -> None:
    st.success(report.summary())
    for origin, reason in report.failed:
        st.error(f"{Path(origin).name if origin else 'input'}: {reason}")


upload_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste text", "URL or feed"])
with upload_tab:
    files = st.file_uploader("Files", accept_multiple_files=True)
    if files and st.button("Add these files", type="primary"):
        bar = st.progress(0.0, text="Reading…")
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for f in files:
                target = Path(tmp) / Path(f.name).name
                target.write_bytes(f.getvalue())
                paths.append(target)
            done = {"n": 0}

            def progress(report, origin):
                done["n"] += 1
                bar.progress(min(1.0, done["n"] / max(1, len(paths))), text=f"{report.added} added, {len(report.failed)} failed")

            report = ingest(paths, store, parser=get_geoparser(), progress=progress)
        bar.progress(1.0, text="Done")
        _report(report)
with paste_tab:
    pasted = st.text_area("Article text as copied from a news site (title on the first line)", height=260)
    if st.button("Add this text", disabled=not pasted.strip()):
        article = read_text_article(pasted, origin="pasted text", fetched_at=datetime.now(timezone.utc))
        _report(ingest_articles([article], store, parser=get_geoparser()))
with url_tab:
    url = st.text_input("Article or feed URL (needs internet)")
    if st.button("Fetch and add", disabled=not url.strip()):
        with st.spinner("Fetching…"):
            _report(ingest([url.strip()], store, parser=get_geoparser()))
