"""The day a sentence talks about ("on Thursday", "two days ago", "on 10 June").

It runs on every sentence of every article, so it is one compiled regex and a
little arithmetic; the calendar words are the readers' (`readers.dates`), so
both jobs agree on what a month or weekday is.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from conflictmap.readers.date_shapes import MONTHS as _MONTHS, NUMBER_WORDS as _NUMBER_WORDS, WEEKDAYS as _WEEKDAYS, shift_months as _shift_months

__all__ = ["mention_date"]

_MONTH_ALT = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY_ALT = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_ORD = r"(?:st|nd|rd|th)?"
_MENTION = re.compile(
    rf"""\b(?:
      (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b
    | (?P<d1>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<m1>{_MONTH_ALT})\b(?:\.?,?\s+(?P<y1>\d{{4}})\b)?
    | (?P<m2>{_MONTH_ALT})\.?\s+(?P<d2>\d{{1,2}}){_ORD}\b(?![.:,]\d|\s*%)(?:,?\s+(?P<y2>\d{{4}})\b)?
    | (?P<dayword>[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow|[Ll]ast\s+night
          |[Tt]his\s+(?:morning|afternoon|evening))\b
    | (?P<period>[Ll]ast|[Nn]ext)\s+(?P<span>week(?:end)?|month|year)\b
    | (?P<wday>{_WEEKDAY_ALT})(?:['\u2019]s)?\b(?:\s+(?P<part>morning|afternoon|evening|night)\b)?
    | (?P<unit>hours?|days?|weeks?|months?|years?)\s+ago\b
    )""",
    re.X,
)
_NUMBER_BEFORE = re.compile(
    r"\b(\d{1,3}|[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en"
    r"|[Ee]leven|[Tt]welve|(?:[Aa]\s+)?couple\s+of)\s+$"
)
_WEEKDAY_PREFIX = re.compile(
    r"\b([Oo]n|[Ll]ast|[Nn]ext|[Tt]his\s+past|[Ss]ince|[Bb]y|[Uu]ntil|[Ll]ate|[Ee]arly)\s+$"
)
_DATE_PREFIX = re.compile(rf"(?:\b[Oo]n\s+)?(?:\b{_WEEKDAY_ALT},?\s+)?(?:\b[Tt]he\s+)?$")
_DAYWORD_PREFIX = re.compile(r"\b(?:[Tt]he\s+day\s+before|[Ee]arlier)\s+$")
_AFTER_WEEKDAY = re.compile(r",?\s+(?:the\s+)?")
_MONTH_BY_PREFIX = {name[:3]: number for name, number in _MONTHS.items()}
_WEEKDAY_BY_PREFIX = {name[:3]: number for name, number in _WEEKDAYS.items()}
# Named days that are holidays or events, not "the most recent Friday".
_NOT_A_WEEKDAY_MENTION = {"good", "black", "ash", "super", "holy", "easter", "palm", "bloody", "cyber", "maundy"}


def _explicit_day(day_text: str, month_text: str, year_text: str | None, anchor: date | None) -> date | None:
    """'10 June' is in the article's year unless that lands more than a week after it."""
    month = _MONTH_BY_PREFIX[month_text[:3].lower()]
    if year_text:
        return date(int(year_text), month, int(day_text))
    if anchor is None:
        return None
    found = date(anchor.year, month, int(day_text))
    if found > anchor + timedelta(days=7):
        found = date(anchor.year - 1, month, int(day_text))
    return found


def _weekday_day(target: int, prefix: str, anchor: date) -> date:
    """News reports the past week: the most recent such day, counting the article's own day."""
    if prefix == "next":
        return anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)
    if prefix == "last":
        return anchor - timedelta(days=(anchor.weekday() - target) % 7 or 7)
    return anchor - timedelta(days=(anchor.weekday() - target) % 7)


def _mention(sentence: str, match: re.Match[str], anchor: date | None) -> tuple[date | None, int, int]:
    """(day, start, end) for one core match; day is None when it cannot be placed."""
    start, end = match.span()
    head = sentence[max(0, start - 24):start]
    if match.group("iso"):
        return date.fromisoformat(match.group("iso")), start, end
    if match.group("d1") or match.group("m2"):
        prefix = _DATE_PREFIX.search(head)
        start -= len(prefix.group(0)) if prefix else 0
        if match.group("d1"):
            return _explicit_day(match.group("d1"), match.group("m1"), match.group("y1"), anchor), start, end
        return _explicit_day(match.group("d2"), match.group("m2"), match.group("y2"), anchor), start, end
    if match.group("wday"):
        # "Thursday, June 12": the explicit date that follows is the better answer.
        gap = _AFTER_WEEKDAY.match(sentence, match.end("wday"))
        if gap:
            nxt = _MENTION.match(sentence, gap.end())
            if nxt and (nxt.group("d1") or nxt.group("m2")):
                found, _, nxt_end = _mention(sentence, nxt, anchor)
                prefix = _DATE_PREFIX.search(head)
                return found, start - (len(prefix.group(0)) if prefix else 0), nxt_end
        prefix = _WEEKDAY_PREFIX.search(head)
        word = " ".join(prefix.group(1).lower().split()) if prefix else ""
        if not prefix:
            before = head.split()
            if before and before[-1].lower() in _NOT_A_WEEKDAY_MENTION:
                return None, start, end
        else:
            start -= len(prefix.group(0))
        if anchor is None:
            return None, start, end
        return _weekday_day(_WEEKDAY_BY_PREFIX[match.group("wday")[:3].lower()], word, anchor), start, end
    if anchor is None:
        return None, start, end
    if match.group("dayword"):
        word = " ".join(match.group("dayword").lower().split())
        prefix = _DAYWORD_PREFIX.search(head)
        if prefix:
            start -= len(prefix.group(0))
            if word == "yesterday" and prefix.group(0).lower().startswith("the"):
                return anchor - timedelta(days=2), start, end
        if word in ("yesterday", "last night"):
            return anchor - timedelta(days=1), start, end
        if word == "tomorrow":
            return anchor + timedelta(days=1), start, end
        return anchor, start, end
    if match.group("period"):
        step = -1 if match.group("period").lower() == "last" else 1
        span = match.group("span")
        if span == "week":
            return anchor + timedelta(days=7 * step), start, end
        if span == "weekend":
            # The Saturday of the weekend before (or after) the article's day.
            if step < 0:
                return anchor - timedelta(days=(anchor.weekday() - 5) % 7 or 7), start, end
            return anchor + timedelta(days=(5 - anchor.weekday()) % 7 or 7), start, end
        return _shift_months(anchor, step if span == "month" else 12 * step), start, end
    number = _NUMBER_BEFORE.search(head)
    if not number:
        return None, start, end
    start -= len(number.group(0))
    n_text = " ".join(number.group(1).lower().split())
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
    unit = match.group("unit")[0]
    if unit == "h":
        return anchor - timedelta(days=n // 24), start, end
    if unit == "d":
        return anchor - timedelta(days=n), start, end
    if unit == "w":
        return anchor - timedelta(days=7 * n), start, end
    return _shift_months(anchor, -n if unit == "m" else -12 * n), start, end


def mention_date(sentence: str, article_date: date | None) -> tuple[date | None, str]:
    """The day a sentence talks about: (day, matched text), or (article_date, "").

    The first date expression wins; one that cannot be placed (a weekday with
    no article date, "31 June", "Good Friday") is skipped.

    Example: mention_date("Isis took Mosul on Thursday.", date(2014, 6, 14))
    -> (date(2014, 6, 12), "on Thursday")
    """
    anchor = article_date.date() if isinstance(article_date, datetime) else article_date
    for match in _MENTION.finditer(sentence):
        try:
            found, start, end = _mention(sentence, match, anchor)
        except (ValueError, OverflowError):
            continue
        if found is not None:
            return found, " ".join(sentence[start:end].split())
    return anchor, ""
