"""The shapes news writes publication dates in, read with a few regexes instead of dateparser.

`known_shape` answers for the shapes ingesting real feeds meets ("Saturday 14 June 2014
17:00 BST", "2014-06-14T17:00:00Z", "3 hours ago", "12/06/2014") and returns None for
anything else, which `dates.parse_published` then hands to dateparser. It exists because
dateparser costs seconds to import and milliseconds per call (docs/benchmarks.md, "dates");
`tests/test_dates.py` checks it agrees with dateparser wherever both answer.
The month, weekday and number words are shared with the geoparser's sentence dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

__all__ = ["known_shape", "MONTHS", "WEEKDAYS", "NUMBER_WORDS", "shift_months", "aware", "fixed_zone", "quote", "not_a_date"]

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2,
    "weds": 2, "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
# Abbreviations whose meaning is settled in English-language news. Ambiguous
# ones (IST: India, Ireland or Israel?) are left to the fallback parser.
_TZ_MINUTES = {
    "utc": 0, "ut": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 60, "west": 60,
    "cet": 60, "met": 60, "wat": 60, "cest": 120, "mest": 120, "eet": 120,
    "cat": 120, "sast": 120, "eest": 180, "msk": 180, "eat": 180, "ast": 180,
    "gst": 240, "pkt": 300, "ict": 420, "wib": 420, "sgt": 480, "hkt": 480,
    "awst": 480, "jst": 540, "kst": 540, "acst": 570, "aest": 600,
    "aedt": 660, "nzst": 720, "nzdt": 780, "est": -300, "edt": -240,
    "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480,
    "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
}
# Words that may surround a date in a dateline without changing its meaning.
_FILLER = {
    "at", "on", "the", "of", "t", "published", "updated", "posted", "last",
    "modified", "date", "dated", "time", "first", "and", "created", "pub",
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "couple of": 2, "a couple of": 2,
}
_UNIT_DAYS = {"d": 1, "w": 7}

_NUMERIC_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])")
_NUMERIC_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?![\d])")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?$")
_EPOCH = re.compile(r"\d{9,10}(?:\.\d+)?|\d{12,13}")
_AMPM = re.compile(r"\b([ap])\.\s?m\.?", re.I)
_TOKEN = re.compile(
    r"""
      (?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?|\d{1,2}\.\d{2}(?![.\d]))
    | (?P<offset>(?<=[\s\dA-Za-z])[+-](?:\d{2}:?\d{2}|\d{1,2})(?!\d))
    | (?P<num>\d+)(?:st|nd|rd|th)?
    | (?P<word>[^\W\d_]+)\.?
    | (?P<punct>[,;:|/()\[\]\u2022\u00b7\u2013\u2014-])
    | (?P<other>\S)
    """,
    re.X,
)
_RELATIVE_AGO = re.compile(
    r"(?:about|around|some|over|nearly|almost|roughly)?\s*"
    r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?couple\s+of)\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mos?|months?|y|yrs?|years?)"
    r"\s+ago$",
    re.I,
)
_RELATIVE_DAY = re.compile(
    r"(?P<word>the\s+day\s+before\s+yesterday|yesterday|today|tonight|this\s+(?:morning|afternoon|evening)"
    r"|last\s+night|just\s+now|now|moments?\s+ago|a\s+moment\s+ago)\b(?P<rest>.*)$",
    re.I,
)
def quote(raw: str) -> str:
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


def not_a_date(raw: str) -> str:
    return f"{quote(raw)} is not a date; use YYYY-MM-DD or leave it out"


def fixed_zone(minutes: int) -> tzinfo:
    return timezone.utc if minutes == 0 else timezone(timedelta(minutes=minutes))


def _offset_minutes(text: str) -> int | None:
    """'+01:00', '+0100', '-05' -> minutes east of UTC."""
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    h, m = int(hours), int(minutes)
    if h > 14 or m > 59:
        return None
    return sign * (h * 60 + m)


class _Shape:
    """What the token scanner found; any field may be missing."""

    __slots__ = ("year", "month", "day", "hour", "minute", "second", "micro",
                 "ampm", "tz", "weekday", "has_time")

    def __init__(self) -> None:
        self.year: int | None = None
        self.month: int | None = None
        self.day: int | None = None
        self.hour = self.minute = self.second = self.micro = 0
        self.ampm: str | None = None
        self.tz: int | None = None
        self.weekday: int | None = None
        self.has_time = False


_WORD_AFTER = re.compile(r"\s*([A-Za-z]+)")


def _is_clock(value: str, text: str, end: int) -> bool:
    follower = _WORD_AFTER.match(text, end)
    return (int(value[:2]) < 24 and int(value[2:]) < 60 and follower is not None
            and follower.group(1).lower() in _TZ_MINUTES)


def _scan(text: str, shape: _Shape, *, allow_date_words: bool) -> bool:
    """Fill `shape` from `text`; False when any token is not part of a date.

    Refusing unknown words is what keeps the fast path honest: "Reuters 12
    June" is not a date line, and anything odd goes to the fallback parser.
    """
    text = _AMPM.sub(lambda m: m.group(1).lower() + "m", text)
    numbers: list[tuple[int, int]] = []
    last_num: int | None = None
    clock_or_year: int | None = None
    for tok in _TOKEN.finditer(text):
        kind = tok.lastgroup
        value = tok.group(kind)
        if kind == "time":
            if shape.has_time:
                return False
            parts = re.split(r"[:.,]", value)
            shape.hour, shape.minute = int(parts[0]), int(parts[1])
            if len(parts) > 2:
                shape.second = int(parts[2])
            if len(parts) > 3:
                shape.micro = int(parts[3][:6].ljust(6, "0"))
            shape.has_time = True
        elif kind == "offset":
            minutes = _offset_minutes(value)
            if minutes is None:
                return False
            shape.tz = minutes
        elif kind == "num":
            if len(value) == 4 and not shape.has_time and _is_clock(value, text, tok.end()):
                # "0745 GMT": a 24-hour clock, not a year; but in "29 November 2016 GMT" it is the
                # year, so the choice waits until the end, when we know whether another year came.
                shape.hour, shape.minute, shape.has_time = int(value[:2]), int(value[2:]), True
                clock_or_year = int(value)
                last_num = None
                continue
            numbers.append((int(value), len(value)))
            last_num = len(numbers) - 1
            continue
        elif kind == "word":
            word = value.lower().rstrip(".")
            if word in ("am", "pm"):
                if not shape.has_time:
                    # "5pm": the number just before is the hour.
                    if last_num is None or last_num != len(numbers) - 1:
                        return False
                    shape.hour = numbers.pop()[0]
                    shape.has_time = True
                shape.ampm = word
            elif allow_date_words and word in MONTHS:
                if shape.month is not None:
                    return False
                shape.month = MONTHS[word]
            elif allow_date_words and word in WEEKDAYS:
                shape.weekday = WEEKDAYS[word]
            elif word in _TZ_MINUTES:
                # "GMT+1" style: an explicit offset that follows wins.
                if shape.tz is None:
                    shape.tz = _TZ_MINUTES[word]
            elif word not in _FILLER:
                return False
        elif kind == "other":
            return False
        last_num = None
    if clock_or_year is not None and not any(width == 4 for _, width in numbers):
        numbers.append((clock_or_year, 4))
        shape.hour = shape.minute = 0
        shape.has_time = False
    for value, width in numbers:
        if width == 4 and shape.year is None:
            shape.year = value
        elif width <= 2 and shape.day is None and allow_date_words:
            shape.day = value
        else:
            return False
    return True


def _build(shape: _Shape, default_tz: tzinfo) -> datetime:
    """Raises ValueError for impossible values, which callers turn into a note."""
    hour = shape.hour
    if shape.ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for am/pm")
        hour = hour % 12 + (12 if shape.ampm == "pm" else 0)
    zone = default_tz if shape.tz is None else fixed_zone(shape.tz)
    assert shape.year is not None and shape.month is not None and shape.day is not None
    return datetime(shape.year, shape.month, shape.day, hour, shape.minute,
                    shape.second, shape.micro, tzinfo=zone)


def aware(moment: datetime, default_tz: tzinfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=default_tz)


def shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def _relative(raw: str, reference: datetime | None, default_tz: tzinfo) -> tuple[datetime | None, str] | None:
    """'3 hours ago', 'yesterday 17:00': None when the shape is not relative."""
    ago = _RELATIVE_AGO.match(raw)
    day_word = None if ago else _RELATIVE_DAY.match(raw)
    if not ago and not day_word:
        return None
    if reference is None:
        return None, f"{quote(raw)} is relative but the fetch time is unknown; give the full date"
    ref = aware(reference, default_tz)
    note = f"relative to fetch time {ref.date().isoformat()}"
    if ago:
        n_text = ago.group("n").lower()
        n = int(n_text) if n_text.isdigit() else NUMBER_WORDS[" ".join(n_text.split())]
        unit = ago.group("unit").lower()
        if unit.startswith("mo"):
            return datetime.combine(shift_months(ref.date(), -n), ref.timetz()), note
        head = unit[0]
        if head == "y":
            return datetime.combine(shift_months(ref.date(), -12 * n), ref.timetz()), note
        if head in _UNIT_DAYS:
            return ref - timedelta(days=n * _UNIT_DAYS[head]), note
        if head == "h":
            return ref - timedelta(hours=n), note
        if head == "m":
            return ref - timedelta(minutes=n), note
        return ref - timedelta(seconds=n), note
    word = " ".join(day_word.group("word").lower().split())
    rest = day_word.group("rest").strip()
    if word in ("just now", "now", "moment ago", "moments ago", "a moment ago"):
        return (ref, note) if not rest else None
    back = {"yesterday": 1, "last night": 1, "the day before yesterday": 2}.get(word, 0)
    shape = _Shape()
    if rest and not _scan(rest, shape, allow_date_words=False):
        return None
    day = ref.date() - timedelta(days=back)
    shape.year, shape.month, shape.day = day.year, day.month, day.day
    if shape.tz is None:
        shape.tz = int(ref.utcoffset().total_seconds() // 60) if ref.utcoffset() is not None else 0
    try:
        return _build(shape, default_tz), note
    except ValueError:
        return None, not_a_date(raw)


def known_shape(raw: str, reference: datetime | None, default_tz: tzinfo) -> tuple[datetime | None, str] | None:
    """The shapes news uses, without dateparser; None when the shape is unknown."""
    text = raw.strip().replace("\u00a0", " ")
    if _EPOCH.fullmatch(text):
        seconds = float(text) / (1000 if len(text) >= 12 and "." not in text else 1)
        return datetime.fromtimestamp(seconds, timezone.utc), "read as a Unix timestamp"
    relative = _relative(text, reference, default_tz)
    if relative is not None:
        return relative
    shape = _Shape()
    numeric = _NUMERIC_YMD.match(text) or _NUMERIC_DMY.match(text) or _COMPACT.match(text)
    note = ""
    if numeric:
        if numeric.re is _COMPACT:
            y, mo, d, hh, mm, ss, zulu = numeric.groups()
            shape.year, shape.month, shape.day = int(y), int(mo), int(d)
            if hh:
                shape.hour, shape.minute, shape.second = int(hh), int(mm), int(ss or 0)
                shape.has_time = True
            if zulu:
                shape.tz = 0
            rest = ""
        elif numeric.re is _NUMERIC_YMD:
            shape.year, shape.month, shape.day = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
            rest = text[numeric.end():]
        else:
            first, second = int(numeric.group(1)), int(numeric.group(3))
            shape.year = int(numeric.group(4))
            if first > 12 or second > 12 or first == second:
                shape.day, shape.month = (first, second) if first > 12 or first == second else (second, first)
            else:
                shape.day, shape.month = first, second
                note = f"{quote(raw)} could be day/month or month/day; read it as day/month"
            rest = text[numeric.end():]
        if rest and not _scan(rest, shape, allow_date_words=False):
            return None
    else:
        if not _scan(text, shape, allow_date_words=True):
            return None
        if shape.month is None:
            return None
        if shape.year is None:
            if shape.day is None:
                return None
            if reference is None:
                return None, f"{quote(raw)} has no year and the fetch time is unknown; add the year"
            ref = aware(reference, default_tz)
            shape.year = ref.year
            try:
                if _build(shape, default_tz).date() > ref.date() + timedelta(days=1):
                    shape.year -= 1
            except ValueError:
                return None, not_a_date(raw)
            note = "year assumed from fetch time"
        elif shape.day is None:
            shape.day = 1
            note = "no day given; assumed the 1st of the month"
    try:
        moment = _build(shape, default_tz)
    except ValueError:
        return None, not_a_date(raw)
    if shape.weekday is not None and moment.weekday() != shape.weekday and not note:
        note = f"{quote(raw)} names the wrong weekday for {moment.date().isoformat()}; kept the date"
    return moment, note
