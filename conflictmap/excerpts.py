"""Safe HTML for the text people read: excerpts and articles with their places marked.

Everything that comes from an article is untrusted. It is escaped here, once,
before any markup of ours is added, and a link is only made for http(s) URLs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse


def _text(value: Any) -> str:
    """Text of a cell; None and pandas' missing values (NaN, NaT) are empty."""
    try:
        if value is None or value != value:
            return ""
    except (TypeError, ValueError):  # objects whose != is not a plain bool
        pass
    return str(value)


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain web link, else None (no javascript:, data: or file: links)."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:  # e.g. "http://[" : not a usable link
        return None
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url.strip()
    return None


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: Any) -> str:
    """Article text made inert for Streamlit's Markdown (headings, captions).

    A title like "![](http://tracker/x.png)" must show as those characters, not load
    an image from the internet.
    """
    return _MARKDOWN.sub(r"\\\1", _text(text))


def mark(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Escape `text` and wrap each (start, end, title) span in <mark>; overlapping spans are skipped."""
    out: list[str] = []
    pos = 0
    for start, end, title in sorted(spans):
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark title="{html.escape(title, quote=True)}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def excerpt_html(row: Mapping[str, Any]) -> str:
    """One excerpt card: the sentence with the place marked, then title, source, date and link."""
    sentence = _text(row.get("sentence"))
    offset = int(row.get("start", 0)) - int(row.get("sentence_start", 0))
    surface = _text(row.get("text"))
    spans = []
    if 0 <= offset and sentence[offset : offset + len(surface)] == surface:
        spans.append((offset, offset + len(surface), _text(row.get("name")) or surface))
    title = html.escape(_text(row.get("title")) or "(untitled)")
    url = safe_url(row.get("url"))
    heading = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>' if url else title
    day = row.get("date")
    day_text = day.date().isoformat() if hasattr(day, "date") and day == day else (_text(day) or "undated")
    meta = " · ".join(html.escape(x) for x in (_text(row.get("source")), day_text) if x)
    cue = _text(row.get("date_cue"))
    cue_html = f' <span class="cm-cue">(“{html.escape(cue)}”)</span>' if cue else ""
    return (
        '<div class="cm-excerpt">'
        f'<p class="cm-sentence">{mark(sentence, spans)}</p>'
        f'<p class="cm-meta"><strong>{heading}</strong><br>{meta}{cue_html}</p>'
        "</div>"
    )


def article_html(text: str, mentions: Iterable[Mapping[str, Any]]) -> str:
    """A whole article, escaped, paragraphs kept, every place mention marked with its resolved name."""
    spans = [(int(m["start"]), int(m["end"]), f"{m.get('name')} ({m.get('country_code') or ''})") for m in mentions]
    body = mark(text, spans)
    paragraphs = [p.replace("\n", "<br>") for p in body.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
