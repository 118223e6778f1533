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
