"""Safe HTML for the text people read: excerpts and articles with their places marked.

Everything that comes from an article is untrusted. It is escaped here, once,
before any markup of ours is added, and a link is only made for http(s) URLs.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

import pycountry

from conflictmap.filters import LOW_CONFIDENCE


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


def country_name(code: str) -> str:
    """The short English name of a country ("Switzerland" for "CH"); the code when unknown."""
    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return (getattr(found, "common_name", None) or found.name) if found else code


def runner_up(row: Mapping[str, Any]) -> str | None:
    """The geoparser's second choice for a mention, as a reader names it ("Geneva, Illinois"), if it kept one."""
    raw = row.get("candidates")
    try:
        candidates = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    except (TypeError, ValueError):
        return None
    chosen = (_text(row.get("name")), _text(row.get("country_code")))
    for c in candidates:
        if not isinstance(c, Mapping) or not c.get("name"):
            continue
        admin1, code = str(c.get("admin1") or ""), str(c.get("country_code") or "")
        where = admin1 if admin1 and admin1 != c["name"] else country_name(code)
        if (str(c["name"]), str(c.get("country_code") or "")) != chosen or where:
            label = f"{c['name']}, {where}" if where else str(c["name"])
            if label != chosen[0]:
                return label
    return None


def uncertain_html(row: Mapping[str, Any]) -> str:
    """A small "uncertain" mark with the runner-up, for a mention the geoparser was unsure of; else nothing."""
    try:
        confidence = float(row.get("confidence"))
    except (TypeError, ValueError):
        return ""
    if confidence != confidence or confidence >= LOW_CONFIDENCE:
        return ""
    other = runner_up(row)
    text = f"uncertain · or {other}?" if other else "uncertain"
    return f' <span class="cm-uncertain" title="geoparser confidence {confidence:.0%}">{html.escape(text)}</span>'


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
        f'<p class="cm-sentence">{mark(sentence, spans)}{uncertain_html(row)}</p>'
        f'<p class="cm-meta"><strong>{heading}</strong><br>{meta}{cue_html}</p>'
        "</div>"
    )


def article_html(text: str, mentions: Iterable[Mapping[str, Any]]) -> str:
    """A whole article, escaped, paragraphs kept, every place mention marked with its resolved name."""
    spans = [(int(m["start"]), int(m["end"]), f"{m.get('name')} ({m.get('country_code') or ''})") for m in mentions]
    body = mark(text, spans)
    paragraphs = [p.replace("\n", "<br>") for p in body.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())


def safe_text(text: Any) -> str:
    """HTML-escape untrusted text, also for use inside a JS template literal.

    folium puts Tooltip text between backticks in the page's script, so
    besides `<>&"'` a backtick, a `${` or a backslash would break out of it.
    They become HTML entities, which the tooltip shows as the original
    characters.
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
