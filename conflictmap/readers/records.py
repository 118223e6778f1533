"""Record formats: JSON, JSON Lines, CSV and TSV, one article per record.

Record files can be large exports, so JSON Lines and CSV are read as a stream
of lines, and a bad record becomes a ReadFailure for its line while the rest
of the file is still read. Text fields are kept exactly as given: markup in a
JSON "text" is literal text, never parsed or stripped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import IO, Any

from conflictmap.articles import Article
from conflictmap.readers.dates import parse_published
from conflictmap.readers.base import (
    ReadFailure,
    decode_bytes,
    legacy_encoding,
    make_article,
    normalize_newlines,
    primary_language,
)

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
_WRAPPERS = ("articles", "items", "data", "results", "records", "documents", "docs", "entries", "stories", "posts")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_CSV_FIELD_LIMIT = 2**31 - 1


def _key(name: Any) -> str:
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
        keys.setdefault(_key(name), name)
    used: set[str] = set()
    source_id = _pick(record, keys, "id", used)
    text_value = _pick(record, keys, "text", used)
    summary_used = False
    if text_value is None or not _as_text(text_value).strip():
        text_value = _pick(record, keys, "summary", used)
        summary_used = text_value is not None
    text = normalize_newlines(_as_text(text_value)).strip()
    if not text:
        return ReadFailure(origin, f"{prefix}no article text (looked for {_TEXT_KEYS_HINT}); add the text or remove the record")
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
    return make_article(
        text=text,
        title=title,
        url=url,
        source=source,
        author=author,
        published_raw=published_value,
        published=published,
        date_note=note,
        language=language,
        origin=origin,
        fetched_at=reference,
        metadata=meta,
    )


# --- JSON ------------------------------------------------------------------------


def looks_like_json_lines(text: str) -> bool:
    """Two or more lines that each hold one object: JSON Lines even if named .json."""
    lines = [line.strip() for line in text.splitlines()[:3] if line.strip()]
    return len(lines) >= 2 and all(line.startswith("{") and line.endswith("}") for line in lines[:2])


def _skip_space(text: str, pos: int) -> int:
    return _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _array_items(text: str, pos: int, decoder: json.JSONDecoder) -> Iterator[tuple[int, Any]]:
    """(offset, value) for each element of the array starting at `pos`.

    Decoding element by element gives each record its line number and keeps
    the good records before a syntax error.
    """
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        value, end = decoder.raw_decode(text, pos)
        yield pos, value
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """(offset, record) for a single object, a list, or {"articles": [...]}."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("[", pos):
        yield from _array_items(text, pos, decoder)
        return
    whole, end = decoder.raw_decode(text, pos)
    if _skip_space(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip_space(text, end))
    wrapper = None
    if isinstance(whole, dict):
        wrapper = next((key for key in _WRAPPERS if isinstance(whole.get(key), list)), None)
    if wrapper is None:
        yield pos, whole
        return
    # Walk the object's members to find where the wrapped list starts.
    pos = _skip_space(text, pos + 1)
    while not text.startswith("}", pos):
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past ':'
        if key == wrapper:
            yield from _array_items(text, pos, decoder)
            return
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)


def read_json_text(
    text: str, *, origin: str, fetched_at: datetime | None = None, metadata: dict[str, Any] | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles from a JSON document; origin of each record is 'origin:line N'."""
    if looks_like_json_lines(text):
        yield from read_json_lines(io.BytesIO(text.encode("utf-8")), origin=origin, fetched_at=fetched_at,
                                   metadata=metadata)
        return
    line, last = 1, 0
    count = 0
    try:
        for offset, value in _json_items(text):
            line += text.count("\n", last, offset)
            last = offset
            count += 1
            where = f"line {line}"
            if not isinstance(value, dict):
                yield ReadFailure(f"{origin}:{where}", f"{where}: expected an object with a text field, "
                                  f"got {type(value).__name__}; give one object per article")
                continue
            yield record_to_article(value, origin=f"{origin}:{where}", where=where, fetched_at=fetched_at,
                                    metadata=metadata)
    except json.JSONDecodeError as exc:
        after = "; records before it were read" if count else ""
        yield ReadFailure(f"{origin}:line {exc.lineno}", f"line {exc.lineno}: not valid JSON ({exc.msg}); "
                          f"fix the file{after}")
    except RecursionError:
        yield ReadFailure(origin, "JSON nested too deeply; give one flat object per article")
        return
    if count == 0:
        yield ReadFailure(origin, "no articles in the JSON; give an object or a list of objects with a text field")


def read_json_lines(
    stream: IO[bytes], *, origin: str, fetched_at: datetime | None = None, metadata: dict[str, Any] | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles from JSON Lines read line by line, so file size does not matter."""
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = f"line {number}"
        here = f"{origin}:{where}"
        line, encoding = decode_bytes(raw)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(here, f"{where}: not valid JSON ({exc.msg}); fix or remove the line")
            continue
        except RecursionError:
            yield ReadFailure(here, f"{where}: JSON nested too deeply; fix or remove the line")
            continue
        if not isinstance(value, dict):
            yield ReadFailure(here, f"{where}: expected one JSON object per line, got {type(value).__name__}; "
                              "fix or remove the line")
            continue
        extra = dict(metadata or {})
        if encoding != "utf-8":
            extra["encoding"] = encoding
        yield record_to_article(value, origin=here, where=where, fetched_at=fetched_at, metadata=extra)


# --- CSV / TSV -------------------------------------------------------------------


def _stream_encoding(stream: IO[bytes]) -> str:
    """Decide a record file's encoding from its first 64 KB, then rewind."""
    sample = stream.read(65536)
    stream.seek(0)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return legacy_encoding(sample)


def _delimiter(header_line: str, default: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts.get(default, 0) else default


def read_csv(
    stream: IO[bytes],
    *,
    origin: str,
    delimiter: str = ",",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Iterator[Article | ReadFailure]:
    """Articles from a CSV/TSV file with a header row, streamed row by row.

    Rows with the wrong number of fields or no text become ReadFailures that
    name their line; the other rows are still read.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        # One article body can exceed the default 128 KB field limit.
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    encoding = _stream_encoding(stream)
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text_stream.readline()
    text_stream.seek(0)
    reader = csv.reader(text_stream, delimiter=_delimiter(first, delimiter))
    extra = dict(metadata or {})
    if encoding not in ("utf-8", "utf-8-sig"):
        extra["encoding"] = encoding
    header: list[str] | None = None
    rows = 0
    last_line = 0
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            where = f"line {start}"
            yield ReadFailure(f"{origin}:{where}", f"{where}: not valid CSV ({exc}); fix the quoting or remove the row")
            if reader.line_num == last_line:
                break
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            keys = {_key(name) for name in header}
            if not keys & set(ALIASES["text"] + ALIASES["summary"]):
                yield ReadFailure(origin, f"no text column (columns: {', '.join(header)[:200]}); "
                                  "name the article text column 'text'")
                return
            continue
        rows += 1
        where = f"line {start}"
        if len(row) != len(header):
            yield ReadFailure(f"{origin}:{where}", f"{where}: {len(row)} fields where the header has "
                              f"{len(header)}; fix the quoting or remove the row")
            continue
        record = {name: cell for name, cell in zip(header, row) if name}
        yield record_to_article(record, origin=f"{origin}:{where}", where=where, fetched_at=fetched_at,
                                metadata=extra)
    if header is None:
        yield ReadFailure(origin, "no header row; put column names (title, text, ...) on the first line")
    elif rows == 0:
        yield ReadFailure(origin, "only a header row; add one row per article under it")
