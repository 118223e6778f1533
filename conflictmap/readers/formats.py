"""From bytes or text in hand (an upload, a paste, a fetched page, a file's contents) to Articles.

The reader is picked by extension or content type first and by sniffing the first
bytes second, so a page saved as .txt or a feed saved without an extension still
reads right. Every problem becomes a ReadFailure next to the good articles
(`guarded` turns what a library below raises into one); nothing here raises on bad
input. `readers/paths.py` brings the bytes from files, folders and URLs.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers.base import (
    DEFAULT_MAX_BYTES,
    ReadFailure,
    binary_kind,
    binary_reason,
    decode_bytes,
    has_letters,
    too_big_reason,
)
from conflictmap.readers.csv_files import read_csv
from conflictmap.readers.json_files import looks_like_json_lines, read_json_lines, read_json_text
from conflictmap.readers.markup import read_html_article, read_xml, root_tag
from conflictmap.readers.text import read_text_article

EXTENSIONS = {
    ".txt": "text", ".text": "text", "": "text",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".xml": "xml", ".rss": "xml", ".atom": "xml", ".rdf": "xml",
}
_CONTENT_TYPES = {
    "text/html": "html", "application/xhtml+xml": "html",
    "application/rss+xml": "xml", "application/atom+xml": "xml", "application/rdf+xml": "xml",
    "application/xml": "xml", "text/xml": "xml",
    "application/json": "json", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "text/csv": "csv", "text/tab-separated-values": "tsv", "text/plain": "text",
}
STREAMED = ("jsonl", "csv", "tsv")

def _sniff(head: bytes) -> str:
    """Guess the format from the first bytes of a file whose name says nothing useful."""
    text = head[:2048].decode("utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<?xml"):
        tag = root_tag(text[5:])
        return "html" if tag == "html" else "xml"
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<article")):
        return "html"
    if text.startswith(("<rss", "<feed", "<rdf")):
        return "xml"
    if text.startswith(("{", "[")):
        return "json"
    return "text"


def format_of(ext: str, head: bytes, content_type: str = "") -> str:
    named = EXTENSIONS.get(ext) if ext else _CONTENT_TYPES.get(content_type)
    if named is None or named == "text":
        return _sniff(head)
    return named


def guarded(origin: str, items: Iterable[Article | ReadFailure]) -> Iterator[Article | ReadFailure]:
    """The items of one input, with any exception turned into one failure naming that input.

    Readers are written not to raise, but a reader is fed anything; a library
    deep below (lxml, feedparser, the csv module) meeting something new must
    cost one file, never the batch.
    """
    try:
        yield from items
    except (MemoryError, RecursionError) as exc:
        yield ReadFailure(origin, f"too big or too deeply nested to read ({type(exc).__name__}); split the file")
    except Exception as exc:  # noqa: BLE001 - that is the point: one input, one failure line
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        yield ReadFailure(origin, f"could not be read ({detail}); check the file, or report it if it looks fine")


def read_bytes(
    data: bytes,
    *,
    origin: str,
    ext: str = "",
    content_type: str = "",
    charset: str | None = None,
    url: str | None = None,
    fetched_at: datetime | None = None,
) -> Iterator[Article | ReadFailure]:
    """Articles from the bytes of one file or HTTP response; `ext`/`content_type` pick the reader.

    `ext` is the file's suffix, with or without its dot ("csv" and ".csv" alike).
    """
    ext = ext.lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    yield from guarded(origin, _read_bytes(data, origin=origin, ext=ext, content_type=content_type, charset=charset,
                                           url=url, fetched_at=fetched_at))


def read_upload(
    data: bytes,
    name: str,
    *,
    fetched_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | ReadFailure]:
    """Articles from an uploaded file: the same readers and the same size limit as `read_file`."""
    if len(data) > max_bytes:
        yield ReadFailure(name, too_big_reason(len(data), max_bytes, hint="split it, or ingest it with the CLI's --max-bytes"))
        return
    yield from read_bytes(data, origin=name, ext=os.path.splitext(name)[1], fetched_at=fetched_at)


def read_pasted(text: str, *, origin: str = "pasted text", fetched_at: datetime | None = None) -> Iterator[Article | ReadFailure]:
    """The article in a paste box, or a failure saying what is missing (never an exception)."""
    def items() -> Iterator[Article | ReadFailure]:
        try:
            yield read_text_article(text, origin=origin, fetched_at=fetched_at)
        except ReadError as exc:
            yield ReadFailure(origin, str(exc))
    yield from guarded(origin, items())


def _read_bytes(
    data: bytes,
    *,
    origin: str,
    ext: str,
    content_type: str,
    charset: str | None,
    url: str | None,
    fetched_at: datetime | None,
) -> Iterator[Article | ReadFailure]:
    if not data.strip():
        yield ReadFailure(origin, "empty file; give a file with article text")
        return
    kind = binary_kind(data[:8192])
    if kind:
        yield ReadFailure(origin, binary_reason(kind))
        return
    fmt = format_of(ext.lower(), data[:4096], content_type)
    if fmt == "jsonl" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        fmt = "json"  # a JSON array saved under a JSON Lines name
    if fmt in ("jsonl", "csv", "tsv"):
        yield from read_stream(fmt, io.BytesIO(data), origin=origin, fetched_at=fetched_at)
        return
    if fmt == "xml":
        yield from read_xml(data, origin=origin, fetched_at=fetched_at)
        return
    try:
        text, encoding = decode_bytes(data, hint=charset)
    except ReadError as exc:
        yield ReadFailure(origin, str(exc))
        return
    meta: dict[str, Any] = {} if encoding == "utf-8" else {"encoding": encoding}
    if fmt == "json":
        declared = ext.lower() == ".json" or content_type == "application/json"
        if declared or looks_like_json_lines(text) or _parses_as_json(text):
            yield from read_json_text(text, origin=origin, fetched_at=fetched_at, metadata=meta)
            return
        fmt = "text"  # braces at the start of a plain text file
    if not has_letters(text):
        yield ReadFailure(origin, "no words in the file (only digits, signs or invisible characters); "
                          "give a file with article text")
        return
    try:
        if fmt == "html":
            yield read_html_article(text, origin=origin, url=url,
                                    fetched_at=fetched_at, metadata=meta)
        else:
            yield read_text_article(text, origin=origin, fetched_at=fetched_at, url=url, metadata=meta)
    except ReadError as exc:
        yield ReadFailure(origin, str(exc))


def _parses_as_json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def read_stream(fmt: str, stream: Any, *, origin: str, fetched_at: datetime | None) -> Iterator[Article | ReadFailure]:
    if fmt == "jsonl":
        yield from read_json_lines(stream, origin=origin, fetched_at=fetched_at)
    else:
        yield from read_csv(stream, origin=origin, delimiter="\t" if fmt == "tsv" else ",", fetched_at=fetched_at)
