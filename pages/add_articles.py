"""Add articles: upload files, paste text, or give a URL or feed; see what went in and what failed.

Uploads go through the same readers, size limit and failure lines as `python -m
conflictmap ingest`. Everything shown here that came from outside (file names,
CSV headers, remote servers' messages) is made Markdown-inert first, so a
reason phrase like "404 ![x](http://host/pixel)" shows as those characters and
makes no viewer's browser fetch anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from conflictmap.articles import Article
from conflictmap.excerpts import md_escape, safe_text
from conflictmap.ingest import IngestReport, ingest_articles
from conflictmap.readers import DEFAULT_MAX_BYTES, ReadFailure, read_pasted, read_upload, read_url
from conflictmap.readers.base import too_big_reason
from pages._shared import get_geoparser, ready_store, style

SHOWN_FAILURES = 20  # more than this go in a table, so a bad batch never floods the page

store = ready_store()
style(False)
st.markdown("<style>.cm-failures {color: #7d1a1a; background: #fdecea; border-left: 4px solid #c62828; "
            "padding: .5rem .75rem .5rem 1.75rem; margin: .25rem 0 .75rem 0; overflow-wrap: anywhere;}</style>",
            unsafe_allow_html=True)
st.title("Add articles")
st.caption("Text, HTML, JSON, JSON Lines, CSV and RSS/Atom files, up to "
           f"{DEFAULT_MAX_BYTES / 1e6:g} MB each. Articles already in the store are skipped.")


def _report(report: IngestReport) -> None:
    """The summary in a box whose colour tells the truth, then one line per failure."""
    summary = md_escape(report.summary())
    if not report.failed:
        st.success(summary)
    elif report.added or report.updated or report.duplicates:
        st.warning(summary)
    else:
        st.error(summary)
    if report.failed:
        # Escaped HTML, not Markdown: even escaped Markdown turns web addresses into links.
        shown = report.failed[:SHOWN_FAILURES]
        lines = "".join(f"<li>{safe_text(origin or 'input')}: {safe_text(reason)}</li>" for origin, reason in shown)
        st.markdown(f'<ul class="cm-failures">{lines}</ul>', unsafe_allow_html=True)
    if len(report.failed) > SHOWN_FAILURES:
        st.caption(f"All {len(report.failed)} failures:")
        st.dataframe(pd.DataFrame(report.failed, columns=["input", "reason"]), hide_index=True, width="stretch")


def _ingest(items: Iterable[Article | ReadFailure]) -> IngestReport:
    return ingest_articles(items, store, parser=get_geoparser())


upload_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste text", "URL or feed"])
with upload_tab:
    files = st.file_uploader("Files", accept_multiple_files=True)
    if files and st.button("Add these files", type="primary"):
        bar = st.progress(0.0, text="Reading…")
        totals = IngestReport()
        for n, f in enumerate(files, 1):
            now = datetime.now(timezone.utc)
            if f.size > DEFAULT_MAX_BYTES:
                # refused before its bytes are copied again
                items: Iterable[Article | ReadFailure] = [ReadFailure(f.name, too_big_reason(
                    f.size, DEFAULT_MAX_BYTES, hint="split it, or ingest it with the CLI's --max-bytes"))]
            else:
                # read from memory: two uploads with the same name never overwrite each other
                items = read_upload(f.getvalue(), f.name, fetched_at=now)
            totals.merge(_ingest(items))
            bar.progress(n / len(files), text=f"{n} of {len(files)} files · {totals.added} added, {len(totals.failed)} failed")
        _report(totals)
with paste_tab:
    pasted = st.text_area("Article text as copied from a news site (title on the first line)", height=260)
    if st.button("Add this text", disabled=not pasted.strip()):
        _report(_ingest(read_pasted(pasted, fetched_at=datetime.now(timezone.utc))))
with url_tab:
    url = st.text_input("Article or feed URL (needs internet)", placeholder="https://…")
    if st.button("Fetch and add", disabled=not url.strip()):
        # The safe fetcher refuses anything but public web addresses (this box must never read the
        # server's own files or network) and gives up on a slow server within its deadline.
        with st.spinner("Fetching…"):
            _report(_ingest(read_url(url.strip())))
