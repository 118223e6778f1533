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
import stat as stat_kind
from stat import S_ISREG
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
    has_letters,
    printable,
    too_big_reason,
)
from conflictmap.readers.fetch import FetchError, fetch
from conflictmap.readers.markup import read_html_article, read_xml, root_tag
from conflictmap.readers.csv_files import read_csv
from conflictmap.readers.json_files import looks_like_json_lines, read_json_lines, read_json_text
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
    fmt = _format(ext.lower(), data[:4096], content_type)
    if fmt == "jsonl" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        fmt = "json"  # a JSON array saved under a JSON Lines name
    if fmt in ("jsonl", "csv", "tsv"):
        yield from _read_stream(fmt, io.BytesIO(data), origin=origin, fetched_at=fetched_at)
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
    origin = printable(str(path))
    yield from guarded(origin, _read_file(path, origin, fetched_at=fetched_at, max_bytes=max_bytes))


def _read_file(path: Path, origin: str, *, fetched_at: datetime | None, max_bytes: int) -> Iterator[Article | ReadFailure]:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer that never comes.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or exc}); check that it exists and is readable")
        return
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            yield ReadFailure(origin, f"skipped: {_special_kind(stat.st_mode)}, not a regular file; "
                              "copy the articles into a file")
            return
        head = os.read(fd, 8192)
    except OSError as exc:
        yield ReadFailure(origin, f"cannot read the file ({exc.strerror or exc}); check that it is readable")
        return
    finally:
        os.close(fd)
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
    """Articles from one http(s) URL, fetched by the safe fetcher (public addresses only, unless
    the operator allows more in CONFLICTMAP_FETCH_ALLOW; timeouts; a size cap)."""
    yield from guarded(printable(url), _read_url(url, fetched_at=fetched_at, max_bytes=max_bytes, timeout=timeout))


def _read_url(url: str, *, fetched_at: datetime | None, max_bytes: int, timeout: float) -> Iterator[Article | ReadFailure]:
    try:
        response = fetch(url, max_bytes=max_bytes, connect_timeout=timeout)
    except FetchError as exc:
        yield ReadFailure(url, str(exc))
        return
    data, content_type, charset, final_url = response.body, response.content_type, response.charset, response.url
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


def _special_kind(mode: int) -> str:
    if stat_kind.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat_kind.S_ISSOCK(mode):
        return "a socket"
    if stat_kind.S_ISCHR(mode) or stat_kind.S_ISBLK(mode):
        return "a device"
    if stat_kind.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _walk(folder: Path) -> Iterator[Path | ReadFailure]:
    """Files under `folder`, sorted, skipping hidden folders and non-article files.

    A file named explicitly is always read; only folder walks skip. A folder
    that cannot be listed (no permission, removed mid-walk) is a failure line,
    never a silent gap.
    """
    problems: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=problems.append):
        while problems:
            yield _walk_failure(problems.pop(0))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if _is_article_candidate(name):
                yield Path(root) / name
    for problem in problems:
        yield _walk_failure(problem)


def _walk_failure(exc: OSError) -> ReadFailure:
    where = printable(str(exc.filename or "folder"))
    return ReadFailure(where, f"cannot list this folder ({exc.strerror or exc}); its files were not read; "
                       "check its permissions and read it again")


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
    if isinstance(paths, (str, Path, bytes)):
        paths = [paths]
    for item in paths:
        name = os.fsdecode(item) if isinstance(item, bytes) else str(item)
        if _is_url(name):
            yield from read_url(name, fetched_at=fetched_at, max_bytes=max_bytes, timeout=timeout)
            continue
        try:
            path = Path(name).expanduser()
            is_dir, exists = path.is_dir(), path.exists()
        except (OSError, ValueError) as exc:  # an embedded NUL, a name too long
            yield ReadFailure(printable(name), f"not a usable path ({exc}); check the name")
            continue
        if is_dir:
            targets: Iterable[Path] = _walk(path)
        elif exists:
            targets = [path]
        elif _GLOB_CHARS & set(name):
            matches = sorted(glob.glob(os.path.expanduser(name), recursive=True))
            if not matches:
                yield ReadFailure(name, "no files match this pattern; check the pattern and the folder")
                continue
            targets = _expand(matches)
        else:
            yield ReadFailure(printable(name), "no such file or folder; check the path")
            continue
        for target in targets:
            if isinstance(target, ReadFailure):
                yield target
            else:
                yield from read_file(target, fetched_at=fetched_at, max_bytes=max_bytes)


def _expand(matches: list[str]) -> Iterator[Path | ReadFailure]:
    for match in matches:
        path = Path(match)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path  # read_file says what a FIFO or device is
