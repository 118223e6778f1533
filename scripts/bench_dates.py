"""Publication dates: the hand-written fast path against dateparser, shape by shape.

For each shape news uses, prints whether the fast path and dateparser (with the
settings `readers.dates` pins) agree, and what one parse costs each, warm. The
fast path is kept only for shapes where it agrees and is much cheaper; every
other shape goes to dateparser (issue 13 item 5). Results go in docs/benchmarks.md.

Usage: .venv/bin/python scripts/bench_dates.py
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conflictmap.readers import date_shapes, dates  # noqa: E402

REFERENCE = datetime(2016, 12, 1, 12, 0, tzinfo=timezone.utc)
SHAPES = {
    "ISO 8601 with zone": "2016-11-29T08:15:00+01:00",
    "ISO date": "2016-11-29",
    "RFC 2822 (RSS)": "Tue, 29 Nov 2016 08:15:00 GMT",
    "day month year": "29 November 2016",
    "day month year zone": "29 November 2016 GMT",
    "weekday day month year time zone": "Tuesday 29 November 2016 08.15 GMT",
    "month day, year": "November 29, 2016",
    "month day, year time am/pm": "Nov. 29, 2016 8:15 a.m. EST",
    "day/month/year": "29/11/2016",
    "compact": "20161129T081500Z",
    "Unix seconds": "1480407300",
    "relative": "3 hours ago",
}


def _time(fn, text: str, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn(text)
    return (time.perf_counter() - start) / rounds * 1e6


def main() -> None:
    fast = lambda text: date_shapes.known_shape(text, REFERENCE, timezone.utc)  # noqa: E731
    slow = lambda text: dates._fallback(text, REFERENCE, timezone.utc)  # noqa: E731
    started = time.perf_counter()
    slow("29 November 2016")
    print(f"dateparser first call (import, language data): {time.perf_counter() - started:.2f} s")
    print(f"{'shape':36} {'fast µs':>8} {'dateparser µs':>14}  agree  fast / dateparser")
    for name, text in SHAPES.items():
        got_fast = fast(text)
        got_slow = slow(text)
        fast_value = got_fast[0] if got_fast else None
        agree = fast_value is not None and got_slow is not None and fast_value == got_slow
        print(f"{name:36} {_time(fast, text, 2000):8.1f} {_time(slow, text, 200):14.1f}  {'yes' if agree else 'NO ':5}"
              f"  {fast_value.isoformat() if fast_value else None} / {got_slow.isoformat() if got_slow else None}")


def mention_dates() -> None:
    """The sentence-date cue runs on every sentence of every article (was a timed test; timing lives here)."""
    from conflictmap.geoparser.mention_dates import mention_date

    saturday = datetime(2014, 6, 14, tzinfo=timezone.utc)
    sentences = [
        "The largely Shia government has close links to the Iraqi government that came to power after 2003.",
        "Isis took the country's second biggest city, Mosul, on Thursday and there are fears for Baghdad.",
        "Officials in Ankara said Turkey would keep its border crossings open for the wounded near Kilis.",
        "A spokesman said 12 convoys had reached the city since 3 May, and more were expected next week.",
        "Residents said the shelling eased overnight but resumed at dawn near the old city two days ago.",
    ] * 500
    best = min(_time_all(mention_date, sentences, saturday) for _ in range(3))
    print(f"mention_date: {best:.1f} µs per sentence (best of three; target < 50 µs)")


def _time_all(fn, sentences: list[str], day: datetime) -> float:
    start = time.perf_counter()
    for sentence in sentences:
        fn(sentence, day)
    return (time.perf_counter() - start) / len(sentences) * 1e6


if __name__ == "__main__":
    mention_dates()
    main()
