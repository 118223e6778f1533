"""Property-based fuzzing (Hypothesis): arbitrary bytes and strings into every reader, the JSON
Lines contract and the URL-state parser. Out comes a record or a one-line failure, never an exception.

The readers are fuzzed *below* their safety net (`formats.guarded`, which turns any exception
into a failure line): a property fails when a reader itself raises, so the net stays a net.
Each property runs a bounded number of examples so the whole file takes seconds; the
`@example`s pin the inputs that once broke a reader, so every run tries those first.
`HYPOTHESIS_PROFILE=thorough` runs twenty times as many when hunting for a new one.
"""

from __future__ import annotations

import io
import json
import os
from datetime import datetime, timezone

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers import ReadFailure, read_csv, read_json_lines, read_json_text, record_to_article
from conflictmap.readers import formats, markup
from conflictmap.readers.base import decode_bytes
from conflictmap.readers.dates import parse_published
from conflictmap.readers.text import read_text_article
from conflictmap.viewstate import View, from_params, to_params

settings.register_profile("unit", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "unit"))
FAST = settings()  # cheap properties: the profile's count
SLOW = settings(max_examples=max(10, settings().max_examples // 3))  # those that geoparse or walk folders
FETCHED = datetime(2016, 12, 1, tzinfo=timezone.utc)
EXTENSIONS = [".txt", ".json", ".jsonl", ".csv", ".tsv", ".html", ".xml", ".rss", "", ".bin"]

# Bytes that look like the formats, so the fuzzer reaches deep into each reader, not only its first check.
format_bytes = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.dictionaries(st.sampled_from(["text", "title", "date", "url", "body", "id"]),
                             st.one_of(st.text(max_size=40), st.integers(), st.none(), st.booleans(),
                                       st.lists(st.text(max_size=10), max_size=3)), max_size=4),
             max_size=4).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    st.lists(st.lists(st.text(alphabet='ab,"\n\r\t ', max_size=8), min_size=1, max_size=4), max_size=5).map(
        lambda rows: ("title,text,date\n" + "\n".join(",".join(r) for r in rows)).encode()),
    st.text(alphabet="<>/!-abhtmlp \"='&;x", max_size=200).map(str.encode),
)


def _one_line_outcomes(items: list) -> None:
    for item in items:
        assert isinstance(item, (Article, ReadFailure)), item
        if isinstance(item, ReadFailure):
            assert item.reason and "\n" not in item.reason and "\n" not in item.origin
            item.reason.encode("utf-8")  # printable: no lone surrogates
        else:
            assert item.text.strip() and item.id
            json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")  # storable as UTF-8


@FAST
@given(data=format_bytes, ext=st.sampled_from(EXTENSIONS))
@example(data=b"<!-- x -->", ext=".html")
@example(data=b'{"text": "x \\ud800"}', ext=".json")
@example(data=b'{"text": 1' + b"0" * 5000 + b"}", ext=".jsonl")
@example(data=b"\x00\x00\xfe\xff", ext=".txt")
def test_any_bytes_in_any_format_give_articles_or_failures(data, ext):
    _one_line_outcomes(list(formats._read_bytes(data, origin="f" + ext, ext=ext, content_type="", charset=None,
                                              url=None, fetched_at=FETCHED)))


@FAST
@given(data=format_bytes)
def test_json_lines_reader(data):
    _one_line_outcomes(list(read_json_lines(io.BytesIO(data), origin="x.jsonl")))


@FAST
@given(data=format_bytes, delimiter=st.sampled_from([",", "\t"]))
@example(data=b'title,text,date\nT1,Text,"2016-01-01\nT2,Two,2016\n', delimiter=",")
def test_csv_reader(data, delimiter):
    _one_line_outcomes(list(read_csv(io.BytesIO(data), origin="x.csv", delimiter=delimiter)))


@FAST
@given(text=st.text(max_size=400))
def test_json_text_reader(text):
    _one_line_outcomes(list(read_json_text(text, origin="x.json")))


@FAST
@given(record=st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=60), st.integers(), st.floats(),
                                                                st.none(), st.booleans(),
                                                                st.lists(st.text(max_size=10), max_size=3),
                                                                st.dictionaries(st.text(max_size=5), st.text(max_size=5),
                                                                                max_size=2)), max_size=6))
def test_any_record_maps_to_an_article_or_a_failure(record):
    _one_line_outcomes([record_to_article(record, origin="r")])


@SLOW
@given(markup_text=st.one_of(st.text(max_size=300), st.text(alphabet="<>/!-abhtmlp \"='&;x", max_size=300)))
def test_html_reader_raises_only_read_errors(markup_text):
    try:
        _one_line_outcomes([markup.read_html_article(markup_text, origin="p.html")])
    except ReadError as exc:
        assert "\n" not in str(exc)


@SLOW
@given(data=format_bytes)
def test_xml_and_feed_readers(data):
    _one_line_outcomes(list(markup.read_xml(data, origin="f.xml")))


@FAST
@given(text=st.text(max_size=400))
@example(text="\u200b\u200c\u200d\ufeff")
def test_text_reader_raises_only_read_errors(text):
    try:
        _one_line_outcomes([read_text_article(text, origin="t.txt", fetched_at=FETCHED)])
    except ReadError as exc:
        assert "\n" not in str(exc)


@FAST
@given(data=st.binary(max_size=400))
def test_decoding_gives_text_or_a_read_error(data):
    try:
        text, encoding = decode_bytes(data)
    except ReadError:
        return
    assert isinstance(text, str) and encoding


@FAST
@given(raw=st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none()),
       reference=st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc))))
@example(raw="29 November 2016 GMT", reference=None)
@example(raw="9" * 13, reference=None)
def test_publication_dates_never_raise(raw, reference):
    moment, note = parse_published(raw, reference=reference)
    assert moment is None or moment.tzinfo is not None
    assert isinstance(note, str) and "\n" not in note


# ---- the JSON Lines contract of `python -m conflictmap geoparse` -------------------------------------

line_text = st.one_of(
    st.text(max_size=120).filter(lambda t: "\n" not in t and "\r" not in t),
    st.builds(lambda i, t, d: json.dumps({"id": i, "text": t, "date": d}),
              st.one_of(st.text(max_size=8), st.integers()), st.one_of(st.text(max_size=80), st.integers(), st.none()),
              st.one_of(st.none(), st.text(max_size=12), st.integers())),
)


@SLOW
@given(lines=st.lists(line_text, max_size=6))
@example(lines=['{"id": "a", "text": "x \\ud800 in Mosul"}', '{"id": 1' + "0" * 5000 + ', "text": "x"}'])
def test_geoparse_lines_answers_or_reports_every_line(parser, lines):
    from conflictmap.geoparser.parser import geoparse_lines

    out, errors = io.StringIO(), io.StringIO()
    failures = geoparse_lines(io.StringIO("\n".join(lines) + "\n"), out, parser, errors=errors)
    # JSON Lines are separated by "\n" only (a raw U+0085 or U+2028 inside a string is valid JSON)
    answered = [json.loads(line) for line in out.getvalue().split("\n") if line]
    reported = [line for line in errors.getvalue().split("\n") if line]
    meaningful = [line for line in lines if line.strip()]
    # every line that is not blank gets an answer or a message (or both), and nothing is written twice
    assert len(answered) <= len(meaningful) and failures <= len(meaningful)
    assert len(answered) + failures >= len(meaningful) - sum(1 for r in reported if "non-Latin" in r)
    out.getvalue().encode("utf-8")
    for answer in answered:
        assert "id" in answer and isinstance(answer["places"], list)


# ---- the URL-state parser ------------------------------------------------------------------------------

param_keys = st.sampled_from(["start", "end", "country", "place", "places", "source", "kind", "q", "min", "conf",
                              "lat", "lon", "zoom", "present", "basemap", "colour", "heat", "article", "demonyms", "x"])


@FAST
@given(params=st.dictionaries(param_keys, st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3)),
                              max_size=8))
@example(params={"q": '"\x00"'})
@example(params={"start": "2300-06-10", "end": "0001-01-01", "zoom": "1e999", "lat": "nan"})
def test_url_state_parses_anything_and_round_trips(params):
    view = from_params(params)
    assert isinstance(view, View)
    assert from_params(to_params(view)) == view
