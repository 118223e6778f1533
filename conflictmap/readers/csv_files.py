"""CSV and TSV files: one article per row, read as a stream, a bad row one failure for its line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from conflictmap.articles import Article
from conflictmap.readers.base import NOT_TEXT, ReadFailure, stream_encoding
from conflictmap.readers.records import ALIASES, record_key, record_to_article

_CSV_FIELD_LIMIT = 2**31 - 1


def _delimiter(header_line: str, default: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts.get(default, 0) else default


class _Lines:
    """The physical lines csv.reader consumes, kept per record so a malformed one can be read again.

    An unterminated quote makes the csv module swallow every line after it into
    one field; replaying all but the record's first line lets the rows after a
    bad one still be read, each with its own line number.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._replay: list[str] = []
        self.taken: list[str] = []
        self.consumed = 0  # physical lines handed out, replays not counted twice

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._replay:
            line = self._replay.pop()
        else:
            line = self._stream.readline()
            if not line:
                raise StopIteration
        self.consumed += 1
        self.taken.append(line)
        return line

    def replay_after_first(self) -> None:
        """Give back the lines of the current record but its first; they are read again."""
        rest = self.taken[1:]
        self._replay.extend(reversed(rest))
        self.consumed -= len(rest)
        self.taken = []


def _header(row: list[str]) -> tuple[list[str], str | None]:
    """Column names with repeats made unique ("tag", "tag_2"); a reason when an article field repeats."""
    names: list[str] = []
    seen: dict[str, int] = {}
    fields = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
    for cell in row:
        name = cell.strip().lstrip("\ufeff")
        key = record_key(name)
        if key and key in seen:
            if key in fields:
                return names, (f"columns {seen[key] + 1} and {len(names) + 1} are both named {name!r}; "
                               "rename or remove one so no text is dropped")
            name = f"{name}_{len(names) + 1}"
        seen.setdefault(key, len(names))
        names.append(name)
    return names, None


def read_csv(
    stream: IO[bytes],
    *,
    origin: str,
    delimiter: str = ",",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Iterator[Article | ReadFailure]:
    """Articles from a CSV/TSV file with a header row, streamed row by row.

    Rows with the wrong number of fields, broken quoting or no text become
    ReadFailures that name their line; the other rows are still read.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        # One article body can exceed the default 128 KB field limit.
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    encoding = stream_encoding(stream)
    if encoding is None:
        yield ReadFailure(origin, NOT_TEXT)
        return
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text_stream.readline()
    text_stream.seek(0)
    delimiter = _delimiter(first, delimiter)
    lines = _Lines(text_stream)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    extra = dict(metadata or {})
    if encoding not in ("utf-8", "utf-8-sig"):
        extra["encoding"] = encoding
    header: list[str] | None = None
    rows = 0
    while True:
        start = lines.consumed + 1
        lines.taken = []
        where = f"line {start}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield ReadFailure(f"{origin}:{where}", f"{where}: not valid CSV ({exc}); fix the quoting or remove the row")
            lines.replay_after_first()
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header, problem = _header(row)
            if problem:
                yield ReadFailure(origin, f"{where}: {problem}")
                return
            keys = {record_key(name) for name in header}
            if not keys & set(ALIASES["text"] + ALIASES["summary"]):
                yield ReadFailure(origin, f"no text column (columns: {', '.join(header)[:200]}); "
                                  "name the article text column 'text'")
                return
            continue
        rows += 1
        if len(row) != len(header):
            yield ReadFailure(f"{origin}:{where}", f"{where}: {len(row)} fields where the header has "
                              f"{len(header)}; fix the quoting or remove the row")
            if len(lines.taken) > 1:
                # a quote left open swallowed the next lines: read them again as rows of their own
                lines.replay_after_first()
                reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        record = {name: cell for name, cell in zip(header, row) if name}
        yield record_to_article(record, origin=f"{origin}:{where}", where=where, fetched_at=fetched_at,
                                metadata=extra)
    if header is None:
        yield ReadFailure(origin, "no header row; put column names (title, text, ...) on the first line")
    elif rows == 0:
        yield ReadFailure(origin, "only a header row; add one row per article under it")
