"""Time `mention_date`, which runs once per sentence of every article that names a place.

Target: well under 50 µs a sentence. Best of three passes, so a busy machine shows
less of its load (moved here from a timed test, which failed whenever the machine was busy).

    .venv/bin/python scripts/bench_mention_dates.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conflictmap.geoparser.mention_dates import mention_date  # noqa: E402

SENTENCES = [
    "The largely Shia government has close links to the Iraqi government that came to power after 2003.",
    "Isis took the country's second biggest city, Mosul, on Thursday and there are fears for Baghdad.",
    "According to reports, members have been accused of rape, torture and the execution of thousands.",
    "Officials in Ankara said Turkey would keep its border crossings open for the wounded near Kilis.",
    "A spokesman said 12 convoys had reached the city since 3 May, and more were expected next week.",
    "Residents said the shelling eased overnight but resumed at dawn near the old city two days ago.",
] * 500


def main() -> None:
    published = dt.date(2014, 6, 14)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        for sentence in SENTENCES:
            mention_date(sentence, published)
        timings.append((time.perf_counter() - start) / len(SENTENCES))
    print(f"| {dt.date.today().isoformat()} | {min(timings) * 1e6:.1f} µs | {max(timings) * 1e6:.1f} µs | {len(SENTENCES)} sentences |")


if __name__ == "__main__":
    main()
