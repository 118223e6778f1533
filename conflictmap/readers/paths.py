"""From what the user names (files, folders, globs, URLs) to Articles.

Dispatch is by extension first and by sniffing the first bytes second, so a
page saved as .txt or a feed saved without an extension still reads right.
Every problem becomes a ReadFailure next to the good articles; nothing here
raises on bad input.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers.base import (
    DEFAULT_MAX_BYTES,
    ReadFailure,
    binary_kind,
    binary_reason,
    decode_bytes,
    too_big_reason,
)
from conflictmap.readers.markup import read_html_article, read_xml, root_tag
from conflictmap.readers.records import looks_like_json_lines, read_csv, read_json_lines, read_json_text
from conflictmap.readers.text import read_text_article

_EXTENSIONS = {
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
_STREAMED = ("jsonl", "csv", "tsv")
_GLOB_CHARS = frozenset("*?[")
_USER_AGENT = "conflictmap/0.1 (news place mapper)"
_DOC_STEMS = frozenset({"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "CHANGES", "NOTICE", "AUTHORS",
                        "CONTRIBUTING"})
_LITTER = frozenset({"thumbs.db", "desktop.ini"})


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


def _format(ext: str, head: bytes, content_type: str = "") -> str:
    named = _EXTENSIONS.get(ext) if ext else _CONTENT_TYPES.get(content_type)
    if named is None or named == "text":
        return _sniff(head)
    return named


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
    """Articles from the bytes of one file or HTTP response; `ext`/`content_type` pick the reader."""
    if not data.strip():
        yield ReadFailure(origin, "empty file; give a file with article text")
        return
    kind = binary_kind(data[:8192])
    if kind:
        yield ReadFailure(origin, binary_reason(kind))
        return
    fmt = _format(ext.lower(), data[:4096], content_type)
    if fmt == "jsonl" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        fmt = "json"  # a JSON array saved under a JSON Lines name
    if fmt in ("jsonl", "csv", "tsv"):
        yield from _read_stream(fmt, io.BytesIO(data), origin=origin, fetched_at=fetched_at)
        return
    if fmt == "xml":
        yield from read_xml(data, origin=origin, fetched_at=fetched_at)
        return
    text, encoding = decode_bytes(data, hint=charset)
    meta: dict[str, Any] = {} if encoding == "utf-8" else {"encoding": encoding}
    if fmt == "json":
        declared = ext.lower() == ".json" or content_type == "application/json"
        if declared or looks_like_json_lines(text) or _parses_as_json(text):
            yield from read_json_text(text, origin=origin, fetched_at=fetched_at, metadata=meta)
            return
        fmt = "text"  # braces at the start of a plain text file
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


def _read_stream(fmt: str, stream: Any, *, origin: str, fetched_at: datetime | None) -> Iterator[Article | ReadFailure]:
    if fmt == "jsonl":
        yield from read_json_lines(stream, origin=origin, fetched_at=fetched_at)
    else:
        yield from read_csv(stream, origin=origin, delimiter="\t" if fmt == "tsv" else ",", fetched_at=fetched_at)


def read_file(
    path: str | Path,
    *,
    fetched_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | ReadFailure]:
    """Articles from one file. JSON Lines and CSV are streamed whatever their size;
    any other file over `max_bytes` is refused, since no single article is that big.

    Without `fetched_at`, the file's modification time anchors relative dates
    ("3 hours ago"): it is when the text was saved, which is the best guess of
    when it was read off the site.
    """
    path = Path(path)
    origin = str(path)
    try:
        stat = path.stat()
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or exc}); check that it exists and is readable")
        return
    if stat.st_size == 0 or (stat.st_size <= len(head) and not head.strip()):
        yield ReadFailure(origin, "empty file; give a file with article text")
        return
    kind = binary_kind(head)
    if kind:
        yield ReadFailure(origin, binary_reason(kind))
        return
    reference = fetched_at or datetime.fromtimestamp(stat.st_mtime, timezone.utc)
    ext = path.suffix.lower()
    fmt = _format(ext, head)
    if fmt == "json" and stat.st_size > max_bytes and looks_like_json_lines(head.decode("utf-8", "replace")):
        fmt = "jsonl"
    elif fmt == "jsonl" and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") and stat.st_size <= max_bytes:
        fmt = "json"  # a JSON array saved under a JSON Lines name
    if fmt in _STREAMED:
        try:
            with path.open("rb") as stream:
                yield from _read_stream(fmt, stream, origin=origin, fetched_at=reference)
        except OSError as exc:
            yield ReadFailure(origin, f"reading stopped ({exc.strerror or exc}); check the file and read it again")
        return
    if stat.st_size > max_bytes:
        hint = "save it as JSON Lines (one article per line) or raise --max-bytes" if fmt == "json" else \
            "split it or raise --max-bytes"
        yield ReadFailure(origin, too_big_reason(stat.st_size, max_bytes, hint=hint))
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or exc}); check that it is readable")
        return
    yield from read_bytes(data, origin=origin, ext=ext, fetched_at=reference)


def read_url(
    url: str,
    *,
    fetched_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 10.0,
) -> Iterator[Article | ReadFailure]:
    """Articles from one http(s) URL. Optional: nothing else in the project needs the network."""
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked by caller
            data = response.read(max_bytes + 1)
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            final_url = response.geturl() or url
    except urllib.error.HTTPError as exc:
        yield ReadFailure(url, f"the server answered {exc.code} {exc.reason}; check the address")
        return
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        yield ReadFailure(url, f"could not fetch the page ({reason}); check the address and the network, "
                          "or save the page and read the file")
        return
    if len(data) > max_bytes:
        yield ReadFailure(url, too_big_reason(None, max_bytes, hint="save it and split it, or raise --max-bytes"))
        return
    ext = os.path.splitext(urlsplit(final_url).path)[1].lower()
    if ext not in _EXTENSIONS:
        ext = ""
    yield from read_bytes(
        data,
        origin=url,
        ext=ext if content_type in ("text/plain", "application/octet-stream", "") else "",
        content_type=content_type,
        charset=charset,
        url=final_url if content_type in ("text/html", "application/xhtml+xml", "text/plain") else None,
        fetched_at=fetched_at or datetime.now(timezone.utc),
    )


def _is_article_candidate(name: str) -> bool:
    """False for files a folder of news holds beside the articles: hidden files,
    a README or LICENSE describing the collection, editor backups, OS litter."""
    if name.startswith(".") or name.endswith("~") or name.lower() in _LITTER:
        return False
    return name.split(".", 1)[0].upper() not in _DOC_STEMS


def _walk(folder: Path) -> Iterator[Path]:
    """Files under `folder`, sorted, skipping hidden folders and non-article files.

    A file named explicitly is always read; only folder walks skip.
    """
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if _is_article_candidate(name):
                yield Path(root) / name


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def read_paths(
    paths: Iterable[str | Path] | str | Path,
    *,
    fetched_at: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 10.0,
) -> Iterator[Article | ReadFailure]:
    """Every article in the named files, folders (recursive), glob patterns and http(s) URLs.

    Yields Articles and ReadFailures in input order, so a caller can store the
    good ones and list the bad ones with what to fix.

    Example: for item in read_paths(["news/", "extra/*.jsonl"]): ...
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for item in paths:
        name = str(item)
        if _is_url(name):
            yield from read_url(name, fetched_at=fetched_at, max_bytes=max_bytes, timeout=timeout)
            continue
        path = Path(name).expanduser()
        if path.is_dir():
            targets: Iterable[Path] = _walk(path)
        elif path.exists():
            targets = [path]
        elif _GLOB_CHARS & set(name):
            matches = sorted(glob.glob(os.path.expanduser(name), recursive=True))
            if not matches:
                yield ReadFailure(name, "no files match this pattern; check the pattern and the folder")
                continue
            targets = _expand(matches)
        else:
            yield ReadFailure(name, "no such file or folder; check the path")
            continue
        for target in targets:
            yield from read_file(target, fetched_at=fetched_at, max_bytes=max_bytes)


def _expand(matches: list[str]) -> Iterator[Path]:
    for match in matches:
        path = Path(match)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
