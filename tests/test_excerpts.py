"""Article text is untrusted: it is escaped wherever it becomes HTML, and only web links become links."""

from conflictmap.excerpts import article_html, excerpt_html, mark, safe_url

HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)>'


def test_excerpt_escapes_everything_from_the_article():
    row = {"sentence": f"{HOSTILE} fighting in Mosul.", "start": 100 + len(HOSTILE) + 13, "sentence_start": 100,
           "text": "Mosul", "name": "Mosul", "title": HOSTILE, "source": "<b>src</b>", "url": "javascript:alert(3)",
           "date": "2014-06-10"}
    out = excerpt_html(row)
    assert "<script>" not in out and "<img" not in out and "<b>src" not in out
    assert "&lt;script&gt;" in out and "<mark" in out and ">Mosul</mark>" in out
    assert "javascript:" not in out and "<a " not in out


def test_only_http_links_are_made():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//evil", "", None):
        assert safe_url(bad) is None
    row = {"sentence": "x", "title": "T", "url": "http://example.org/?a=1&b=\"2\"", "date": "2014-06-10"}
    assert 'href="http://example.org/?a=1&amp;b=&quot;2&quot;"' in excerpt_html(row)


def test_mark_skips_overlaps_and_bad_offsets():
    assert mark("New York City", [(0, 8, "a"), (4, 13, "b"), (20, 30, "c")]) == '<mark title="a">New York</mark> City'


def test_article_html_keeps_paragraphs_and_marks_places():
    text = "Mosul fell.\n\n<script>x</script> Baghdad waits."
    mentions = [{"start": 0, "end": 5, "name": "Mosul", "country_code": "IQ"}, {"start": 32, "end": 39, "name": "Baghdad", "country_code": "IQ"}]
    out = article_html(text, mentions)
    assert out.count("<p>") == 2 and "<script>" not in out and ">Baghdad</mark>" in out


def test_missing_values_from_a_frame_are_blank_not_nan():
    import math

    row = {"sentence": "Mosul fell.", "start": 0, "sentence_start": 0, "text": "Mosul", "name": "Mosul",
           "title": math.nan, "source": math.nan, "url": math.nan, "date_cue": math.nan, "date": math.nan}
    out = excerpt_html(row)
    assert "nan" not in out.lower().replace("<mark", "") and "(untitled)" in out and "undated" in out


def test_bulk_span_leaves_a_stray_date_out_and_keeps_the_story():
    import pandas as pd

    from conflictmap.queries import bulk_span

    days = pd.DataFrame({"day": pd.to_datetime(["1947-05-01", "2014-01-03", "2014-06-01", "2015-03-01", "2016-12-30"]),
                         "mentions": [1, 40, 300, 200, 30]})
    lo, hi = bulk_span(days)
    assert (lo.isoformat(), hi.isoformat()) == ("2014-01-03", "2016-12-30")
    assert bulk_span(days.iloc[0:0]) is None


def test_place_labels_tell_namesakes_apart():
    import pandas as pd

    from conflictmap.queries import place_labels

    frame = pd.DataFrame([{"place_id": 1, "name": "London", "admin1": "England", "country_code": "GB", "kind": "city"},
                          {"place_id": 2, "name": "London", "admin1": "Ontario", "country_code": "CA", "kind": "city"},
                          {"place_id": 3, "name": "Mosul", "admin1": "Nineveh", "country_code": "IQ", "kind": "city"}])
    labels = place_labels(frame, {"GB": "United Kingdom", "CA": "Canada"})
    assert labels == {1: "London (England, United Kingdom)", 2: "London (Ontario, Canada)", 3: "Mosul"}


def test_an_uncertain_mention_says_so_with_the_runner_up():
    import json

    from conflictmap.excerpts import excerpt_html

    row = {"sentence": "Talks opened in Geneva.", "start": 16, "sentence_start": 0, "text": "Geneva", "name": "Geneva",
           "country_code": "US", "confidence": 0.31,
           "candidates": json.dumps([{"name": "Geneva", "admin1": "Geneva", "country_code": "CH"}])}
    card = excerpt_html(row)
    assert 'class="cm-uncertain"' in card and "or Geneva, Switzerland?" in card and "31%" in card
    assert "cm-uncertain" not in excerpt_html({**row, "confidence": 0.9})
