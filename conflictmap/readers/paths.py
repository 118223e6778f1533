"""From what the user names (files, folders, globs, URLs) to Articles.

Folders are walked (hidden files, READMEs and OS litter skipped), globs expanded and
URLs fetched safely; each file's or response's bytes then go to the reader its
format calls for (`readers/formats.py`). Every problem becomes a ReadFailure next to
the good articles; nothing here raises on bad input.
"""

from __future__ import annotations

import glob
import os
import stat as stat_kind
from stat import S_ISREG
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from conflictmap.articles import Article
from conflictmap.readers.base import DEFAULT_MAX_BYTES, ReadFailure, binary_kind, binary_reason, printable, too_big_reason
from conflictmap.readers.fetch import FetchError, fetch
from conflictmap.readers.formats import EXTENSIONS, STREAMED, format_of, guarded, read_bytes, read_stream
from conflictmap.readers.json_files import looks_like_json_lines

_GLOB_CHARS = frozenset("*?[")
_DOC_STEMS = frozenset({"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "CHANGES", "NOTICE", "AUTHORS",
                        "CONTRIBUTING"})
_LITTER = frozenset({"thumbs.db", "desktop.ini"})


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
    fmt = format_of(ext, head)
    if fmt == "json" and stat.st_size > max_bytes and looks_like_json_lines(head.decode("utf-8", "replace")):
        fmt = "jsonl"
    elif fmt == "jsonl" and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") and stat.st_size <= max_bytes:
        fmt = "json"  # a JSON array saved under a JSON Lines name
    if fmt in STREAMED:
        try:
            with path.open("rb") as stream:
                yield from read_stream(fmt, stream, origin=origin, fetched_at=reference)
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
    if ext not in EXTENSIONS:
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
