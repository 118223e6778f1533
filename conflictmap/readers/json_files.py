"""JSON and JSON Lines files: one article per record, a bad record one failure for its line.

Exports can be large, so JSON Lines is read as a stream of lines and a JSON array
element by element; the good records before and after a broken one are kept.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers.base import NOT_TEXT, ReadFailure, decode_bytes, json_problem, stream_encoding
from conflictmap.readers.records import record_to_article

_WRAPPERS = ("articles", "items", "data", "results", "records", "documents", "docs", "entries", "stories", "posts")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


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
        return
    except ValueError as exc:  # a number too long to convert (Python's 4,300-digit limit)
        after = "; records before it were read" if count else ""
        yield ReadFailure(origin, f"{json_problem(exc)}; fix the file{after}")
        return
    except RecursionError:
        yield ReadFailure(origin, "JSON nested too deeply; give one flat object per article")
        return
    else:
        if count == 0:
            yield ReadFailure(origin, "no articles in the JSON; give an object or a list of objects with a text field")


def read_json_lines(
    stream: IO[bytes], *, origin: str, fetched_at: datetime | None = None, metadata: dict[str, Any] | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles from JSON Lines read line by line, so file size does not matter.

    The encoding is decided once from the start of the file (one line is too
    short to guess from); a line that does not decode in it is guessed alone.
    """
    encoding = stream_encoding(stream)
    if encoding is None:
        yield ReadFailure(origin, NOT_TEXT)
        return
    if encoding.startswith(("utf-16", "utf-32")):
        # Lines of a wide encoding do not end at b"\n"; such files are rare and small, so re-encode.
        stream, encoding = io.BytesIO(stream.read().decode(encoding, "replace").encode("utf-8")), "utf-8"
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = f"line {number}"
        here = f"{origin}:{where}"
        try:
            line, used = raw.decode(encoding), encoding
        except UnicodeDecodeError:
            try:
                line, used = decode_bytes(raw)
            except ReadError as exc:
                yield ReadFailure(here, f"{where}: {exc}")
                continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(here, f"{where}: not valid JSON ({exc.msg}); fix or remove the line")
            continue
        except ValueError as exc:
            yield ReadFailure(here, f"{where}: {json_problem(exc)}; fix or remove the line")
            continue
        except RecursionError:
            yield ReadFailure(here, f"{where}: JSON nested too deeply; fix or remove the line")
            continue
        if not isinstance(value, dict):
            yield ReadFailure(here, f"{where}: expected one JSON object per line, got {type(value).__name__}; "
                              "fix or remove the line")
            continue
        extra = dict(metadata or {})
        if used not in ("utf-8", "utf-8-sig"):
            extra["encoding"] = used
        yield record_to_article(value, origin=here, where=where, fetched_at=fetched_at, metadata=extra)
