"""Dates as news writes them: publication dates and the days sentences refer to."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conflictmap.geoparser.mention_dates import mention_date
from conflictmap.readers.dates import detect_dateline, parse_published

FETCHED = datetime(2016, 12, 13, 10, 0, tzinfo=timezone.utc)  # a Tuesday
UTC = timezone.utc


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# --- parse_published --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-12-19", datetime(2016, 12, 19, tzinfo=UTC)),
        ("2014-06-14T17:00:00+01:00", datetime(2014, 6, 14, 17, 0, tzinfo=tz(1))),
        ("2014-06-14T16:00:00Z", datetime(2014, 6, 14, 16, 0, tzinfo=UTC)),
        ("2009-03-20 12:24:52.002364-05", datetime(2009, 3, 20, 12, 24, 52, 2364, tzinfo=tz(-5))),
        ("2016/12/19", datetime(2016, 12, 19, tzinfo=UTC)),
        ("20161219", datetime(2016, 12, 19, tzinfo=UTC)),
        ("12 December 2016", datetime(2016, 12, 12, tzinfo=UTC)),
        ("December 12, 2016", datetime(2016, 12, 12, tzinfo=UTC)),
        ("Saturday 14 June 2014 17:00 BST", datetime(2014, 6, 14, 17, 0, tzinfo=tz(1))),
        ("Saturday 14 June 2014 17:00 GMT", datetime(2014, 6, 14, 17, 0, tzinfo=UTC)),
        ("Saturday 14 June 2014 17:00 UTC", datetime(2014, 6, 14, 17, 0, tzinfo=UTC)),
        ("Saturday 14 June 2014 17:00 CET", datetime(2014, 6, 14, 17, 0, tzinfo=tz(1))),
        ("Jun 14 2014 11:00 AM EST", datetime(2014, 6, 14, 11, 0, tzinfo=tz(-5))),
        ("June 14, 2014 at 5:00 p.m. EDT", datetime(2014, 6, 14, 17, 0, tzinfo=tz(-4))),
        ("5pm, 14 June 2014", datetime(2014, 6, 14, 17, 0, tzinfo=UTC)),
        ("Published: 14 June 2014", datetime(2014, 6, 14, tzinfo=UTC)),
        ("Updated 0745 GMT 12 Dec 2016", datetime(2016, 12, 12, 7, 45, tzinfo=UTC)),
        ("Mon Dec 12 07:45:00 +0000 2016", datetime(2016, 12, 12, 7, 45, tzinfo=UTC)),
        ("2016-12-12T07:45:00.000Z", datetime(2016, 12, 12, 7, 45, tzinfo=UTC)),
        ("12th December 2016, 7:45am", datetime(2016, 12, 12, 7, 45, tzinfo=UTC)),
        ("Dec. 12, 2016", datetime(2016, 12, 12, tzinfo=UTC)),
        ("12.12.2016", datetime(2016, 12, 12, tzinfo=UTC)),
        ("14/06/2014", datetime(2014, 6, 14, tzinfo=UTC)),
        ("06/14/2014", datetime(2014, 6, 14, tzinfo=UTC)),
    ],
)
def test_common_shapes(raw: str, expected: datetime) -> None:
    found, note = parse_published(raw)
    assert found == expected
    assert found.utcoffset() == expected.utcoffset()
    assert note == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sat, 14 Jun 2014 17:00:00 GMT", datetime(2014, 6, 14, 17, 0, tzinfo=UTC)),
        ("Sat, 14 Jun 2014 17:00:00 +0100", datetime(2014, 6, 14, 17, 0, tzinfo=tz(1))),
        ("Mon, 02 Jun 2014 17:00:00 -0000", datetime(2014, 6, 2, 17, 0, tzinfo=UTC)),
        ("Sun, 11 Dec 2016 14:05:00 EST", datetime(2016, 12, 11, 14, 5, tzinfo=tz(-5))),
    ],
)
def test_rfc822_feed_dates(raw: str, expected: datetime) -> None:
    found, note = parse_published(raw)
    assert (found, found.utcoffset(), note) == (expected, expected.utcoffset(), "")


def test_time_and_month_day_take_the_year_from_the_fetch_time() -> None:
    found, note = parse_published("11:56 PM, Dec 12", reference=FETCHED)
    assert found == datetime(2016, 12, 12, 23, 56, tzinfo=UTC)
    assert note == "year assumed from fetch time"


def test_a_month_day_after_the_fetch_time_is_last_year() -> None:
    found, note = parse_published("Dec 30", reference=datetime(2017, 1, 2, tzinfo=UTC))
    assert found.date() == date(2016, 12, 30)
    assert note == "year assumed from fetch time"


def test_no_year_and_no_fetch_time_says_to_add_the_year() -> None:
    assert parse_published("Dec 12") == (None, "'Dec 12' has no year and the fetch time is unknown; add the year")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 day ago", datetime(2016, 12, 12, 10, 0, tzinfo=UTC)),
        ("3 hours ago", datetime(2016, 12, 13, 7, 0, tzinfo=UTC)),
        ("an hour ago", datetime(2016, 12, 13, 9, 0, tzinfo=UTC)),
        ("two weeks ago", datetime(2016, 11, 29, 10, 0, tzinfo=UTC)),
        ("2 months ago", datetime(2016, 10, 13, 10, 0, tzinfo=UTC)),
        ("yesterday", datetime(2016, 12, 12, tzinfo=UTC)),
        ("Yesterday at 17:00", datetime(2016, 12, 12, 17, 0, tzinfo=UTC)),
        ("today 08:15", datetime(2016, 12, 13, 8, 15, tzinfo=UTC)),
    ],
)
def test_relative_dates_count_from_the_fetch_time(raw: str, expected: datetime) -> None:
    assert parse_published(raw, reference=FETCHED) == (expected, "relative to fetch time 2016-12-13")


def test_relative_date_without_fetch_time_is_refused_with_a_fix() -> None:
    found, note = parse_published("3 hours ago")
    assert found is None
    assert note == "'3 hours ago' is relative but the fetch time is unknown; give the full date"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_date(raw: str | None) -> None:
    assert parse_published(raw) == (None, "no date given")


def test_nonsense_iso_date_says_how_to_fix_it() -> None:
    assert parse_published("2014-13-45") == (None, "'2014-13-45' is not a date; use YYYY-MM-DD or leave it out")


@pytest.mark.parametrize("raw", ["hello world", "31 February 2016", "99:99", "12345", "someday soon", "Reuters 12"])
def test_nonsense_is_none_with_a_note(raw: str) -> None:
    found, note = parse_published(raw)
    assert found is None
    assert "is not a date" in note


@pytest.mark.parametrize(
    "raw",
    ["\x00\x01", "x" * 5000, "2014-06-14T25:61:00", "Feb 30 2016", "+9999", "12:00 ZZZ 14 June 2014",
     "1e309", "🙂 14 June 2014", "-1", "0000-00-00", "June 31, 2014 5 pm", 3.5, 1402761600, object(),
     date(2014, 6, 14), datetime(2014, 6, 14, 12, 0)],
)
def test_never_raises(raw: object) -> None:
    found, note = parse_published(raw, reference=FETCHED)  # type: ignore[arg-type]
    assert found is None or found.utcoffset() is not None
    assert isinstance(note, str) and (found is not None or note)  # no date: the note says why


def test_naive_times_take_the_default_zone() -> None:
    found, _ = parse_published("2016-12-19 10:00", default_tz=tz(3))
    assert found == datetime(2016, 12, 19, 10, 0, tzinfo=tz(3))


def test_unix_timestamp() -> None:
    assert parse_published("1402761600") == (datetime(2014, 6, 14, 16, 0, tzinfo=UTC), "read as a Unix timestamp")


def test_ambiguous_slash_date_is_read_day_first_and_says_so() -> None:
    found, note = parse_published("03/04/2016")
    assert found.date() == date(2016, 4, 3)
    assert "day/month" in note


def test_wrong_weekday_keeps_the_date_and_says_so() -> None:
    found, note = parse_published("Friday 14 June 2014")
    assert found.date() == date(2014, 6, 14)
    assert "wrong weekday" in note


def test_month_and_year_only_is_the_first_of_the_month() -> None:
    found, note = parse_published("June 2014")
    assert found.date() == date(2014, 6, 1)
    assert "1st" in note


def test_odd_shapes_fall_back_to_dateparser() -> None:
    found, note = parse_published("14 juin 2014", reference=FETCHED)
    assert found.date() == date(2014, 6, 14)
    assert found.utcoffset() == timedelta(0)
    assert note == ""


def test_fallback_is_deterministic_and_anchored_to_the_fetch_time() -> None:
    first = parse_published("Tuesday", reference=FETCHED)
    second = parse_published("Tuesday", reference=FETCHED)
    assert first == second
    assert first[0] is not None and first[0] < FETCHED and first[0].weekday() == 1
    assert first[1] == "relative to fetch time 2016-12-13"
    # Without a fetch time a bare weekday cannot be placed.
    assert parse_published("Tuesday")[0] is None


def test_common_shapes_do_not_import_dateparser() -> None:
    code = (
        "import sys; from conflictmap.readers.dates import parse_published; from conflictmap.geoparser.mention_dates import mention_date\n"
        "parse_published('Saturday 14 June 2014 17:00 BST'); parse_published('2016-12-19')\n"
        "parse_published('Sat, 14 Jun 2014 17:00:00 GMT'); parse_published('2014-13-45')\n"
        "print('dateparser' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- detect_dateline --------------------------------------------------------------------


def test_detect_dateline_finds_the_date_line() -> None:
    lines = ["A standfirst about the war", "Jack Simpson", "Saturday 14 June 2014 17:00 BST", "Body text."]
    assert detect_dateline(lines) == (2, datetime(2014, 6, 14, 17, 0, tzinfo=tz(1)))


def test_detect_dateline_ignores_headlines_that_mention_months() -> None:
    assert detect_dateline(["June heatwave hits Baghdad", "Troops move on 14 June 2014 at dawn"]) is None


def test_detect_dateline_with_prefix() -> None:
    index, found = detect_dateline(["Last updated: 12 December 2016 09:15 GMT"])
    assert index == 0 and found == datetime(2016, 12, 12, 9, 15, tzinfo=UTC)


# --- mention_date --------------------------------------------------------------------------

SATURDAY = date(2014, 6, 14)


@pytest.mark.parametrize(
    ("sentence", "expected", "matched"),
    [
        ("Isis took Mosul on Thursday.", date(2014, 6, 12), "on Thursday"),
        ("On Saturday, troops moved north.", date(2014, 6, 14), "On Saturday"),
        ("Police said Friday that two men were held.", date(2014, 6, 13), "Friday"),
        ("Shops closed on Friday night in Basra.", date(2014, 6, 13), "on Friday night"),
        ("The city fell last Saturday.", date(2014, 6, 7), "last Saturday"),
        ("Talks resume next Monday in Geneva.", date(2014, 6, 16), "next Monday"),
        ("The bridge was hit on 10 June.", date(2014, 6, 10), "on 10 June"),
        ("The bridge was hit on the 10th of June.", date(2014, 6, 10), "on the 10th of June"),
        ("June 10 was the worst day.", date(2014, 6, 10), "June 10"),
        ("A vote is due on June 20.", date(2014, 6, 20), "on June 20"),
        ("It began on 25 June.", date(2013, 6, 25), "on 25 June"),
        ("It ended on 3 March 2011.", date(2011, 3, 3), "on 3 March 2011"),
        ("The raid on Thursday, June 12, 2014 killed four.", date(2014, 6, 12), "on Thursday, June 12, 2014"),
        ("Shelling resumed yesterday.", date(2014, 6, 13), "yesterday"),
        ("Earlier today, a senior official spoke.", date(2014, 6, 14), "Earlier today"),
        ("Troops arrived this morning.", date(2014, 6, 14), "this morning"),
        ("Protests are planned for tonight.", date(2014, 6, 14), "tonight"),
        ("The market was bombed last night.", date(2014, 6, 13), "last night"),
        ("Fighting spread last week.", date(2014, 6, 7), "last week"),
        ("Prices rose last month.", date(2014, 5, 14), "last month"),
        ("The convoy left two days ago.", date(2014, 6, 12), "two days ago"),
        ("The camp opened 3 weeks ago.", date(2014, 5, 24), "3 weeks ago"),
        ("He was seen the day before yesterday.", date(2014, 6, 12), "the day before yesterday"),
        ("Report dated 2014-05-01 shows losses.", date(2014, 5, 1), "2014-05-01"),
    ],
)
def test_mention_date_shapes(sentence: str, expected: date, matched: str) -> None:
    assert mention_date(sentence, SATURDAY) == (expected, matched)


def test_mention_date_takes_the_first_expression() -> None:
    assert mention_date("On Friday the army said fighting began yesterday.", SATURDAY) == (
        date(2014, 6, 13), "On Friday")


def test_mention_date_without_a_date_is_the_article_date() -> None:
    assert mention_date("Iran is ready to help Iraq.", SATURDAY) == (SATURDAY, "")


def test_mention_date_skips_named_holidays_and_impossible_days() -> None:
    assert mention_date("Crowds gathered for Good Friday prayers.", SATURDAY) == (SATURDAY, "")
    assert mention_date("Not on 31 June, but on Monday.", SATURDAY) == (date(2014, 6, 9), "on Monday")
    assert mention_date("About 5,000 people fled in March 5,000 more.", SATURDAY) == (SATURDAY, "")


def test_mention_date_without_article_date() -> None:
    assert mention_date("Isis took Mosul on Thursday.", None) == (None, "")
    assert mention_date("It ended on 3 March 2011.", None) == (date(2011, 3, 3), "on 3 March 2011")


def test_mention_date_accepts_a_datetime() -> None:
    published = datetime(2014, 6, 14, 17, 0, tzinfo=tz(1))
    assert mention_date("Isis took Mosul on Thursday.", published) == (date(2014, 6, 12), "on Thursday")


# ---- issue 9 / issue 13 item 5: the fast path agrees with dateparser wherever both read a shape ----

AGREEING_SHAPES = [
    "2016-11-29T08:15:00+01:00", "2016-11-29", "2016-11-29 08:15", "Tue, 29 Nov 2016 08:15:00 GMT",
    "Tue, 29 Nov 2016 08:15:00 +0000", "29 November 2016", "29 November 2016 GMT", "29 November 2016 UTC",
    "Tuesday 29 November 2016 GMT", "Tuesday, 29 November 2016", "Tuesday 29 November 2016 08.15 GMT",
    "November 29, 2016", "Tuesday, November 29, 2016", "Nov. 29, 2016 8:15 a.m. EST",
    "29/11/2016", "1480407300", "3 hours ago",
]
# Shapes dateparser does not read at all; the fast path is their only reader, so their values are pinned here.
FAST_ONLY = {
    "29 Nov 2016 0745 GMT": datetime(2016, 11, 29, 7, 45, tzinfo=timezone.utc),
    "Published 29 November 2016": datetime(2016, 11, 29, tzinfo=timezone.utc),
    "20161129T081500Z": datetime(2016, 11, 29, 8, 15, tzinfo=timezone.utc),
}


@pytest.mark.parametrize("text", AGREEING_SHAPES)
def test_fast_path_agrees_with_dateparser(text):
    """The hand-written fast path is kept only because it is ~300x cheaper (docs/benchmarks.md);
    where dateparser reads the same shape, both must give the same instant."""
    from conflictmap.readers.date_shapes import known_shape as _fast
    from conflictmap.readers.dates import _fallback

    reference = datetime(2016, 12, 1, 12, 0, tzinfo=timezone.utc)
    fast = _fast(text, reference, timezone.utc)
    slow = _fallback(text, reference, timezone.utc)
    assert fast is not None and fast[0] is not None, text
    assert slow is not None, text
    assert fast[0] == slow, (text, fast[0].isoformat(), slow.isoformat())


def test_relative_days_agree_with_dateparser_on_the_day():
    from conflictmap.readers.date_shapes import known_shape as _fast
    from conflictmap.readers.dates import _fallback

    reference = datetime(2016, 12, 1, 12, 0, tzinfo=timezone.utc)
    for text in ("yesterday", "today", "2 days ago"):
        assert _fast(text, reference, timezone.utc)[0].date() == _fallback(text, reference, timezone.utc).date(), text


@pytest.mark.parametrize("text", sorted(FAST_ONLY))
def test_shapes_only_the_fast_path_reads(text):
    from conflictmap.readers.dates import _fallback

    assert _fallback(text, datetime(2016, 12, 1, tzinfo=timezone.utc), timezone.utc) is None
    assert parse_published(text)[0] == FAST_ONLY[text]


def test_a_zone_after_the_year_is_not_a_clock():
    """'29 November 2016 GMT' was refused as having no year: 2016 was read as 20:16."""
    got, note = parse_published("29 November 2016 GMT")
    assert got == datetime(2016, 11, 29, tzinfo=timezone.utc) and note == ""
    got, _ = parse_published("Tuesday 29 November 2016 BST")
    assert got == datetime(2016, 11, 29, tzinfo=timezone(timedelta(hours=1)))
    got, _ = parse_published("29 November 2016 0745 GMT")  # a clock still reads as a clock
    assert (got.hour, got.minute) == (7, 45)


def test_implausible_years_are_undated_with_the_raw_text_kept():
    from conflictmap.readers.base import make_article
    from conflictmap.readers.dates import plausible

    assert plausible("2014-06-10") and not plausible("2300-06-10") and not plausible("0001-01-01")
    for raw in ("2300-06-10", "0001-01-01", "9999-12-31", "1683-01-01"):
        article = make_article(text="Fighting in Mosul.", published_raw=raw)
        assert article.published is None and article.published_raw == raw and "typo" in article.date_note
