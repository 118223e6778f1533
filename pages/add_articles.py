"""Add articles: upload files, paste text, or give a URL or feed; see what went in and what failed."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from conflictmap.excerpts import safe_url
from conflictmap.ingest import IngestReport, ingest_articles
from conflictmap.readers import read_bytes, read_text_article, read_url
from pages._shared import get_geoparser, ready_store, style

store = ready_store()
style(False)
st.title("Add articles")
st.caption("Text, HTML, JSON, JSON Lines, CSV and RSS/Atom files. Articles already in the store are skipped.")


def _report(report: IngestReport) -> None:
    st.success(report.summary())
    for origin, reason in report.failed:
        st.error(f"{Path(origin).name if origin else 'input'}: {reason}")


upload_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste text", "URL or feed"])
with upload_tab:
    files = st.file_uploader("Files", accept_multiple_files=True)
    if files and st.button("Add these files", type="primary"):
        bar = st.progress(0.0, text="Reading…")
        totals = IngestReport()
        for n, f in enumerate(files, 1):
            # read from memory: two uploads with the same name never overwrite each other
            items = read_bytes(f.getvalue(), origin=f.name, ext=Path(f.name).suffix.lower().lstrip("."),
                               fetched_at=datetime.now(timezone.utc))
            report = ingest_articles(items, store, parser=get_geoparser())
            totals.merge(report)
            bar.progress(n / len(files), text=f"{n} of {len(files)} files · {totals.added} added, {len(totals.failed)} failed")
        _report(totals)
with paste_tab:
    pasted = st.text_area("Article text as copied from a news site (title on the first line)", height=260)
    if st.button("Add this text", disabled=not pasted.strip()):
        article = read_text_article(pasted, origin="pasted text", fetched_at=datetime.now(timezone.utc))
        _report(ingest_articles([article], store, parser=get_geoparser()))
with url_tab:
    url = st.text_input("Article or feed URL (needs internet)", placeholder="https://…")
    if st.button("Fetch and add", disabled=not url.strip()):
        if safe_url(url) is None:
            # only web addresses: this box must never read files on the server
            st.error("Give a web address starting with http:// or https://.")
        else:
            with st.spinner("Fetching…"):
                _report(ingest_articles(read_url(url.strip()), store, parser=get_geoparser()))
