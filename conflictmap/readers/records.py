"""One record (a dict from JSON, CSV or XML) onto an `Article`: which keys mean which field.

Every record format shares this mapping (`ALIASES`), so "headline", "body" and
"pubDate" mean the same thing in a JSON export, a CSV and an XML collection. Keys
that are not article fields go to the article's metadata untouched. Text fields
are kept exactly as given: markup in a JSON "text" is literal text, never parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from conflictmap.articles import Article
from conflictmap.readers.base import ReadFailure, has_letters, make_article, normalize_newlines, primary_language
from conflictmap.readers.dates import parse_published

# Field name -> the record keys that mean it, most specific first. Keys are
# compared lower-cased with spaces and dashes as underscores.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "guid", "docid", "doc_id", "article_id", "uid", "uuid"),
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext", "article_text", "story"),
    "summary": ("description", "summary", "abstract", "lead", "snippet"),
    "url": ("url", "link", "href", "uri", "permalink", "canonical_url", "web_url", "article_url"),
    "source": ("source", "publisher", "site", "site_name", "sitename", "domain", "outlet", "publication", "newspaper"),
    "author": ("author", "byline", "authors", "creator", "writer", "by"),
    "published": (
        "published", "date", "pubdate", "pub_date", "published_at", "datetime", "publish_date", "published_date",
        "publication_date", "date_published", "published_time", "created_at", "created", "time", "timestamp",
        "seendate",
    ),
    "fetched": ("fetched_at", "fetched", "retrieved", "retrieved_at", "crawled", "crawled_at", "dltime",
                "downloaded", "downloaded_at", "scraped_at", "accessed"),
    "language": ("language", "lang", "locale"),
}
_TEXT_KEYS_HINT = "text, body or content"


def record_key(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _as_text(value: Any) -> str:
    """Flatten a field to text: lists of parts become paragraphs, objects their 'name'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n\n".join(part for part in (_as_text(item) for item in value) if part.strip())
    if isinstance(value, Mapping):
        for key in ("name", "title", "text", "value", "url", "href"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    return str(value)


def _names(value: Any) -> str:
    """Authors as one string: ["A", {"name": "B"}] -> "A, B"."""
    if isinstance(value, (list, tuple)):
        return ", ".join(name for name in (_names(item) for item in value) if name)
    return _as_text(value).strip()


def _pick(record: Mapping[str, Any], keys: dict[str, str], field: str, used: set[str]) -> Any:
    """The first non-empty value among the aliases of `field`; marks its key as used."""
    for alias in ALIASES[field]:
        original = keys.get(alias)
        if original is None or original in used:
            continue
        value = record[original]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        used.add(original)
        return value
    return None


def record_to_article(
    record: Mapping[str, Any],
    *,
    origin: str,
    where: str = "",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Article | ReadFailure:
    """Map one record (a dict from JSON, CSV or XML) onto an Article.

    `where` prefixes failure reasons ("line 12: ..."). Keys that are not
    article fields go to metadata untouched; the record's own id is kept as
    metadata["source_id"] because our id is derived from URL and text.
    """
    prefix = f"{where}: " if where else ""
    keys: dict[str, str] = {}
    for name in record:
        keys.setdefault(record_key(name), name)
    used: set[str] = set()
    source_id = _pick(record, keys, "id", used)
    text_value = _pick(record, keys, "text", used)
    summary_used = False
    if text_value is None or not _as_text(text_value).strip():
        text_value = _pick(record, keys, "summary", used)
        summary_used = text_value is not None
    if text_value is not None and not isinstance(text_value, (str, list, tuple)):
        kind = "true/false" if isinstance(text_value, bool) else type(text_value).__name__
        return ReadFailure(origin, f"{prefix}the article text is a {kind}, not text; give the text as a string")
    text = normalize_newlines(_as_text(text_value)).strip()
    if not text:
        return ReadFailure(origin, f"{prefix}no article text (looked for {_TEXT_KEYS_HINT}); add the text or remove the record")
    if not has_letters(text):
        return ReadFailure(origin, f"{prefix}the article text has no words (only digits, signs or spaces); "
                           "give the text of the article")
    title = _as_text(_pick(record, keys, "title", used)).strip()
    url = _as_text(_pick(record, keys, "url", used)).strip() or None
    source = _as_text(_pick(record, keys, "source", used)).strip()
    if url is None and source.startswith(("http://", "https://")):
        url, source = source, ""
    author = _names(_pick(record, keys, "author", used))
    language = primary_language(_pick(record, keys, "language", used))
    published_value = _pick(record, keys, "published", used)
    fetched_value = _pick(record, keys, "fetched", used)
    reference = fetched_at
    if fetched_value is not None:
        reference = parse_published(fetched_value)[0] or fetched_at
    published, note = parse_published(published_value, reference=reference)
    if published_value is not None and published is None:
        note = f"{prefix}{note}" if prefix else note
    if published_value is None and fetched_value is not None and reference is not None:
        # A crawl's download time is the best date such a record has (LGL's <dltime>): news
        # is fetched within hours of publication. Say so, so a reader can weigh it.
        published, note = reference, "no publication date; the download time is used"
    meta: dict[str, Any] = dict(metadata or {})
    for name, value in record.items():
        if name not in used and value not in (None, ""):
            meta[str(name)] = value
    if source_id is not None:
        meta["source_id"] = source_id
    if fetched_value is not None:
        meta["fetched"] = fetched_value
    if summary_used:
        meta["text_is_summary"] = True
    return make_article(text=text, title=title, url=url, source=source, author=author, published_raw=published_value,
                        published=published, date_note=note, language=language, origin=origin, fetched_at=reference,
                        metadata=meta)
