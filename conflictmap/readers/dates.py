"""Publication dates as news writes them, turned into aware datetimes.

`parse_published` reads the one date an article carries (a feed field, a
dateline under the title, a CSV column). It runs once per article, so it can
afford a slow fallback (dateparser) for odd shapes, but the shapes news
actually uses are parsed here with a few regexes so that ingesting thousands
of articles never pays dateparser's start-up cost. The date a *sentence*
refers to is the geoparser's job (`geoparser.mention_dates`).

Nothing here raises on bad input: a date that cannot be read comes back as
`None` with a note that tells the user what to write instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from conflictmap.readers.date_shapes import aware, fixed_zone, known_shape, not_a_date, quote

__all__ = ["parse_published", "detect_dateline", "plausible", "implausible_note", "EARLIEST"]

# News dates outside this range are typos (2300 for 2013, 0001 from an empty field):
# kept as the raw text with a note, never stored as a date, so no view meets a year
# its date widgets and pandas cannot hold (pandas' nanoseconds end in 2262).
EARLIEST = date(1800, 1, 1)
_AHEAD = timedelta(days=366)


def plausible(moment: date | str | None, *, today: date | None = None) -> bool:
    """Is this a date a news article or a sentence in one can really carry (1800 to a year from now)?"""
    if moment is None:
        return True
    if isinstance(moment, str):
        try:
            moment = date.fromisoformat(moment[:10])
        except ValueError:
            return False
    day = moment.date() if isinstance(moment, datetime) else moment
    latest = (today or date.today()) + _AHEAD
    return EARLIEST <= day <= latest


def implausible_note(moment: date | str) -> str:
    shown = moment.isoformat()[:10] if isinstance(moment, (date, datetime)) else str(moment)[:10]
    return (f"date {shown} is outside {EARLIEST.year} to next year, so it is taken for a typo; "
            "kept as raw text, undated; fix the date in the source and ingest again")


_DATELINE_PREFIX = re.compile(
    r"^(?:(?:first\s+)?published|last\s+updated|updated|posted|modified|date|dated)(?:\s+on)?\s*[:\-\u2013]?\s*",
    re.I,
)


def _fallback(raw: str, reference: datetime | None, default_tz: tzinfo) -> datetime | None:
    """dateparser for shapes the fast path does not know (other languages, odd orders).

    Imported here so ingesting ordinary data never pays for it; settings are
    pinned so the same input and fetch time always give the same answer, and
    dateparser never looks anything up over the network.
    """
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dateparser is a dependency
        return None
    settings: dict[str, object] = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": "UTC",
    }
    if reference is not None:
        settings["RELATIVE_BASE"] = aware(reference, default_tz)
    else:
        # Without a fetch time a relative date would depend on the clock: demand all parts.
        settings["REQUIRE_PARTS"] = ["day", "month", "year"]
    try:
        found = dateparser.parse(raw, languages=_FALLBACK_LANGUAGES, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; any of them means "no date"
        return None
    if found is None:
        return None
    if reference is None and not re.search(r"\d{4}", raw):
        return None
    found = aware(found, default_tz)
    # dateparser hands back pytz zones; a plain fixed offset compares and prints the same everywhere.
    offset = found.utcoffset()
    return found.replace(tzinfo=fixed_zone(int(offset.total_seconds() // 60)) if offset is not None else default_tz)


_FALLBACK_LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "ar", "tr", "pl"]


def parse_published(
    raw: str | None,
    *,
    reference: datetime | None = None,
    default_tz: tzinfo = timezone.utc,
) -> tuple[datetime | None, str]:
    """Read an article's publication date; returns (aware datetime or None, note).

    `reference` is the fetch time: it anchors "3 hours ago" and supplies the
    year for "Dec 12". The note is empty when the date is plain, otherwise it
    says what was assumed or how to fix the input. Never raises.

    Example: parse_published("Saturday 14 June 2014 17:00 BST")
    """
    if raw is None:
        return None, "no date given"
    if isinstance(raw, datetime):
        return aware(raw, default_tz), ""
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=default_tz), ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None, f"{quote(str(raw))} is not a date; use YYYY-MM-DD or leave it out"
    text = " ".join(raw.split())
    if not text:
        return None, "no date given"
    if len(text) > 120:
        return None, not_a_date(text)
    try:
        fast = known_shape(text, reference, default_tz)
    except (ValueError, OverflowError, OSError):
        return None, not_a_date(text)
    if fast is not None:
        return fast
    if re.fullmatch(r"[\d\s:./T+-]+", text):
        # Digits only, yet no known shape: guessing would only hide the typo.
        return None, not_a_date(text)
    found = _fallback(text, reference, default_tz)
    if found is None:
        return None, not_a_date(text)
    note = ""
    if reference is not None and not re.search(r"\d{4}", text):
        note = f"relative to fetch time {aware(reference, default_tz).date().isoformat()}"
    return found, note


def detect_dateline(
    lines: list[str],
    *,
    reference: datetime | None = None,
    max_lines: int = 12,
) -> tuple[int, datetime] | None:
    """Find the line under a headline that is only a date ("Saturday 14 June 2014 17:00 BST").

    Uses the fast parser only: a line that needs guessing is not a dateline.
    Returns (index into `lines`, aware datetime) or None.
    """
    for index, line in enumerate(lines[:max_lines]):
        text = " ".join(line.split())
        if not text or len(text) > 80 or not re.search(r"\d|yesterday|today|ago", text, re.I):
            continue
        text = _DATELINE_PREFIX.sub("", text)
        try:
            found = known_shape(text, reference, timezone.utc)
        except (ValueError, OverflowError, OSError):
            continue
        if found is not None and found[0] is not None:
            return index, found[0]
    return None
