"""Readers on real files: every format, and every way a file can be bad."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conflictmap.articles import Article, article_id
from conflictmap.errors import ReadError
from conflictmap.readers import (
    ReadFailure,
    read_bytes,
    read_file,
    read_html_article,
    read_paths,
    read_text_article,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readers"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seed" / "iraq-crisis-2014-06-14.txt"
FETCHED = datetime(2016, 12, 13, 12, 0, tzinfo=timezone.utc)


def read(*paths: str | Path, **kwargs: object) -> tuple[list[Article], list[ReadFailure]]:
    items = list(read_paths(list(paths), fetched_at=kwargs.pop("fetched_at", FETCHED), **kwargs))  # type: ignore[arg-type]
    assert all(isinstance(item, (Article, ReadFailure)) for item in items)
    return ([i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, ReadFailure)])


def by_title(articles: list[Article]) -> dict[str, Article]:
    return {article.title: article for article in articles}


# --- the seed article ------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_article() -> Article:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (../shared is absent in this checkout)")
    articles, failures = read(SEED)
    assert failures == [] and len(articles) == 1
    return articles[0]


def test_seed_title_author_and_date(seed_article: Article) -> None:
    assert seed_article.title == "Iraq crisis: Iran could join forces with US to half neighbour's jihadi threat"
    assert seed_article.author == "Jack Simpson"
    assert seed_article.published == datetime(2014, 6, 14, 17, 0, tzinfo=timezone(timedelta(hours=1)))
    assert seed_article.published.date() == date(2014, 6, 14)
    assert seed_article.published_raw == "Saturday 14 June 2014 17:00 BST"
    assert seed_article.date_note == ""
    assert seed_article.language == "en"


def test_seed_body_has_no_caption_and_no_site_furniture(seed_article: Article) -> None:
    text = seed_article.text
    assert text.startswith("Iranian President Hassan Rouhani has said")
    assert text.endswith("in combating Isis.")
    assert "Join our commenting forum" not in text
    assert "Thank you for registering" not in text
    assert "refresh" not in text
    assert "Rouhani says that it was willing to help its neighbour" not in text
    assert seed_article.metadata["captions"] == ["Rouhani says that it was willing to help its neighbour"]
    assert seed_article.metadata["subtitle"].startswith("The Iranian President did not rule out")
    assert seed_article.id == article_id(None, text)
    assert seed_article.origin == str(SEED)


# --- plain text ---------------------------------------------------------------------------


def test_text_article_parts() -> None:
    (article,), failures = read(FIXTURES / "aleppo-evacuation.txt")
    assert failures == []
    assert article.title == "Aleppo evacuation stalls as buses wait at the edge of the eastern districts"
    assert article.metadata["subtitle"].startswith("Thousands of civilians spent a second night")
    assert article.author == "Maria Lopez"
    assert article.published == datetime(2016, 12, 13, 9, 30, tzinfo=timezone.utc)
    assert article.metadata["captions"] == [
        "Buses lined up near the Ramouseh crossing (Getty Images)",
        "Families wait for transport in western Aleppo",
    ]
    assert article.text.startswith("Dozens of green buses waited on Tuesday")
    assert article.text.endswith("since the start of the month.")
    # A "Read more" link in the middle is dropped, the paragraphs after it are kept.
    assert "Read more" not in article.text
    assert "Officials in Ankara said Turkey" in article.text
    for furniture in ("Share this article", "newsletter", "Comments (12)", "Most read", "©"):
        assert furniture not in article.text
    assert "© 2016 Example News Ltd. All rights reserved." in article.metadata["boilerplate"]


def test_text_without_header_keeps_everything_after_the_title() -> None:
    (article,), _ = read(FIXTURES / "plain-note")  # no extension: sniffed as text
    assert article.title == "Heavy fighting reported near Palmyra"
    assert article.text.startswith("Fighting was reported on the outskirts of Palmyra")
    assert article.text.endswith("in the past week.")
    assert article.published is None
    assert article.date_note.startswith("no date found in the text")


def test_text_byline_with_by_and_no_dateline() -> None:
    article = read_text_article(
        "Curfew in Kirkuk\nBy Ali Hassan, Middle East correspondent\n"
        "Police imposed a curfew in Kirkuk on Sunday after clashes in the city centre left several people hurt.\n"
    )
    assert article.author == "Ali Hassan"
    assert article.text.startswith("Police imposed a curfew")


def test_text_standfirst_is_not_mistaken_for_a_byline() -> None:
    article = read_text_article(
        "Aid arrives in Taiz\nFood Convoys Reach The City\n"
        "Trucks carrying flour reached Taiz on Monday, the first delivery in weeks, aid workers said.\n"
    )
    assert article.author == ""


def test_read_more_in_the_middle_does_not_cut_the_article() -> None:
    paragraphs = [f"Fighting continued around the airport of Donetsk on day {n}, local officials said, "
                  "and residents of nearby districts reported shelling through the night." for n in range(6)]
    text = "Donetsk airport\n\n" + paragraphs[0] + "\n\nRead more about this\n\n" + "\n\n".join(paragraphs[1:])
    article = read_text_article(text)
    assert article.text.count("Fighting continued") == 6
    assert article.metadata["boilerplate"] == ["Read more about this"]


def test_single_paragraph_text_takes_its_first_sentence_as_title() -> None:
    body = "Floods hit Basra on Monday. " + "Rescue teams worked through the night in the southern districts. " * 10
    article = read_text_article(body)
    assert article.title == "Floods hit Basra on Monday."
    assert article.text == body.strip()


NEWS_PAGE_SHAPES = {
    "byline with place, dotted time, furniture under the header": (
        "Evacuation deal collapses in Aleppo\n"
        "Fighting resumes in the last rebel-held districts as buses sit idle.\n"
        "Karim Nasser in Beirut\n"
        "Tue 13 Dec 2016 18.50 GMT\n"
        "Last modified on Tue 13 Dec 2016 22.00 GMT\n"
        "Shares\n"
        "412\n"
        "Civilians in eastern Aleppo were caught in heavy shelling on Tuesday after the deal collapsed.\n"
        "The United Nations said it had received reports of killings in several neighbourhoods.\n"
        "Topics\nSyria\nMiddle East and North Africa\nShare on Facebook\nShare on Twitter\nReuse this content\n",
        "Karim Nasser", datetime(2016, 12, 13, 18, 50, tzinfo=timezone.utc),
        "Civilians in eastern Aleppo", "in several neighbourhoods.",
    ),
    "dateline only, topic links and image credits before the body": (
        "Syria war: Aleppo evacuation resumes\n13 December 2016\nRelated Topics\nSyrian civil war\n"
        "Image copyright Example Agency\nImage caption Buses waited in Aleppo\n"
        "The evacuation of eastern Aleppo has resumed, state media say.\n"
        "Buses left the Ramouseh area after a delay of several hours.\n"
        "Share this story About sharing\nMore on this story\nSyria conflict: who is fighting whom?\n",
        "", datetime(2016, 12, 13, tzinfo=timezone.utc),
        "The evacuation of eastern Aleppo", "a delay of several hours.",
    ),
    "wire story with several authors and a credits footer": (
        "Army presses Aleppo assault\nBy Lena Hart, Omar Fadel and Tom Reyes\n3 Min Read\n"
        "AMMAN (Wire) - The army pressed its assault on the last rebel pocket in Aleppo on Monday, residents said.\n"
        "Rebels said they were holding their positions.\n"
        "Reporting by Lena Hart; Editing by Paul Grant\nOur Standards: The Wire Trust Principles.\n",
        "Lena Hart, Omar Fadel, Tom Reyes", None,
        "AMMAN (Wire) - The army pressed", "holding their positions.",
    ),
}


@pytest.mark.parametrize("shape", sorted(NEWS_PAGE_SHAPES))
def test_common_news_page_shapes(shape: str) -> None:
    text, author, published, starts, ends = NEWS_PAGE_SHAPES[shape]
    article = read_text_article(text)
    assert article.author == author
    assert article.published == published
    assert article.text.startswith(starts)
    assert article.text.endswith(ends)


def test_relative_dateline_counts_from_the_file_time(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Blast in Kabul\n3 hours ago\nA blast shook central Kabul on Tuesday morning, police said.\n")
    saved = datetime(2016, 12, 13, 12, 0, tzinfo=timezone.utc).timestamp()
    os.utime(path, (saved, saved))
    (article,) = read_file(path)
    assert article.published == datetime(2016, 12, 13, 9, 0, tzinfo=timezone.utc)
    assert article.date_note == "relative to fetch time 2016-12-13"


def test_empty_text_raises_read_error() -> None:
    with pytest.raises(ReadError):
        read_text_article(" \n\t\n")


# --- JSON and JSON Lines ---------------------------------------------------------------------


def test_json_list_with_field_aliases() -> None:
    articles, failures = read(FIXTURES / "wire.json")
    assert failures == []
    flood = by_title(articles)["Flooding cuts road between Mosul and Erbil"]
    assert flood.text.startswith("Heavy rain flooded the main road")
    assert flood.url == "https://news.example.org/2016/12/11/mosul-erbil-flooding"
    assert flood.source == "Example Wire"
    assert flood.author == "Sam Carter, Lina Haddad"
    assert flood.published == datetime(2016, 12, 11, 14, 5, tzinfo=timezone(timedelta(hours=3)))
    assert flood.metadata == {"section": "World", "source_id": "wire-001"}
    assert flood.id == article_id(flood.url, flood.text)
    assert flood.origin == f"{FIXTURES / 'wire.json'}:line 2"
    taiz = by_title(articles)["Ceasefire holds in Taiz for a third day"]
    assert taiz.published == datetime(2016, 12, 13, tzinfo=timezone.utc)
    assert taiz.metadata["tags"] == ["Yemen", "Taiz"]
    assert taiz.id == article_id(None, taiz.text)


def test_json_wrapped_in_articles_key() -> None:
    articles, failures = read(FIXTURES / "wrapped.json")
    assert failures == []
    assert [a.title for a in articles] == ["Port reopens in Benghazi", "Oil output rises at Ras Lanuf"]
    assert articles[0].published == datetime(2016, 12, 12, tzinfo=timezone.utc)
    assert articles[0].source == "news.example.org"  # derived from the URL when no source is given


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"headline": "Calm in Hodeidah", "content": "The port city was calm.", "lang": "en-GB"}))
    (article,), failures = read(path)
    assert failures == [] and article.title == "Calm in Hodeidah" and article.language == "en"
    assert article.origin == f"{path}:line 1"


def test_json_syntax_error_keeps_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n {"title": "A", "text": "Shelling in Homs."},\n {"title": "B", "text": "oops"\n]\n')
    articles, failures = read(path)
    assert [a.title for a in articles] == ["A"]
    (failure,) = failures
    assert failure.origin == f"{path}:line 4"
    assert failure.reason.startswith("line 4: not valid JSON (Expecting ',' delimiter); fix the file")


def test_json_lines_bad_lines_are_reported_and_the_rest_read() -> None:
    path = FIXTURES / "stories.jsonl"
    articles, failures = read(path)
    assert [a.title for a in articles] == ["Protest in Sanaa", "Market fire in Kabul", "Talks in Astana"]
    assert [(f.origin, f.reason) for f in failures] == [
        (f"{path}:line 2", "line 2: not valid JSON (Expecting ',' delimiter); fix or remove the line"),
        (f"{path}:line 5", "line 5: no article text (looked for text, body or content); add the text or remove the record"),
        (f"{path}:line 6", "line 6: expected one JSON object per line, got list; fix or remove the line"),
    ]
    assert [a.origin for a in articles] == [f"{path}:line 1", f"{path}:line 3", f"{path}:line 7"]


def test_nonsense_and_relative_dates_in_records() -> None:
    articles, _ = read(FIXTURES / "stories.jsonl")
    kabul = by_title(articles)["Market fire in Kabul"]
    assert kabul.published is None
    assert kabul.published_raw == "2016-13-45"
    assert kabul.date_note == "line 3: '2016-13-45' is not a date; use YYYY-MM-DD or leave it out"
    astana = by_title(articles)["Talks in Astana"]
    assert astana.published == FETCHED - timedelta(hours=3)
    assert astana.date_note == "relative to fetch time 2016-12-13"


def test_markup_in_a_text_field_stays_literal() -> None:
    articles, _ = read(FIXTURES / "stories.jsonl")
    astana = by_title(articles)["Talks in Astana"]
    assert astana.text == "<script>alert(1)</script> Delegations met in Astana to discuss Aleppo."


def test_json_lines_named_file_holding_a_json_array(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('[\n  {"title": "A", "text": "In Gaza."},\n  {"title": "B", "text": "In Rafah."}\n]\n')
    articles, failures = read(path)
    assert [a.title for a in articles] == ["A", "B"] and failures == []


def test_json_named_file_holding_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"title": "A", "text": "In Gaza."}\n{"title": "B", "text": "In Rafah."}\n')
    articles, failures = read(path)
    assert [a.title for a in articles] == ["A", "B"] and failures == []


# --- CSV and TSV --------------------------------------------------------------------------------


def test_csv_rows_and_bad_rows() -> None:
    path = FIXTURES / "reports.csv"
    articles, failures = read(path)
    assert [a.title for a in articles] == ["Clashes near Sirte", "Aid reaches Madaya, officials say", "Bad date"]
    assert [(f.origin, f.reason) for f in failures] == [
        (f"{path}:line 5", "line 5: 8 fields where the header has 7; fix the quoting or remove the row"),
        (f"{path}:line 6", "line 6: no article text (looked for text, body or content); add the text or remove the record"),
    ]
    sirte, madaya, bad = articles
    assert sirte.metadata == {"region": "Libya", "source_id": "r1"}
    assert sirte.published == datetime(2016, 12, 5, tzinfo=timezone.utc)
    assert madaya.text == "Aid trucks reached Madaya, near Damascus.\nA second convoy is expected in Zabadani."
    assert madaya.origin == f"{path}:line 3"
    assert bad.published is None and "'someday soon' is not a date" in bad.date_note


def test_tsv() -> None:
    articles, failures = read(FIXTURES / "reports.tsv")
    assert failures == []
    assert [(a.title, a.published.date()) for a in articles] == [
        ("Storm hits Basra", date(2016, 12, 1)), ("Quiet day in Kirkuk", date(2016, 12, 2))]


def test_csv_with_huge_field_and_markup(tmp_path: Path) -> None:
    path = tmp_path / "big-field.csv"
    body = "Reports from Raqqa. " * 20_000  # 400 KB, over csv's default field limit
    path.write_text('title,text\nLong one,"' + body + '"\nTagged,"<b>bold</b> <script>x()</script> in Hama"\n')
    articles, failures = read(path)
    assert failures == []
    assert len(articles[0].text) == len(body.strip())
    assert articles[1].text == "<b>bold</b> <script>x()</script> in Hama"


def test_files_without_records(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "b.csv").write_text("title,text\n")
    _, failures = read(tmp_path)
    assert [f.reason for f in failures] == [
        "no articles in the JSON; give an object or a list of objects with a text field",
        "only a header row; add one row per article under it",
    ]


def test_csv_without_a_text_column(tmp_path: Path) -> None:
    path = tmp_path / "no-text.csv"
    path.write_text("title,when\nA,2016-01-01\n")
    _, (failure,) = read(path)
    assert failure.reason == "no text column (columns: title, when); name the article text column 'text'"


# --- HTML, feeds, XML -------------------------------------------------------------------------------


def test_html_page_text_and_metadata() -> None:
    (article,), failures = read(FIXTURES / "page.html")
    assert failures == []
    assert article.title == "Convoy reaches Homs after week-long delay"
    assert article.source == "Example News"
    assert article.author == "Nadia Karim"
    assert article.url == "https://news.example.org/world/homs-convoy"
    assert article.language == "en"
    assert article.published == datetime(2016, 12, 12, 7, 45, tzinfo=timezone(timedelta(hours=2)))
    assert article.text.startswith("A United Nations convoy carrying food and medicine")
    assert "loading for the next trip." in article.text
    for never in ("SHOULD_NOT_APPEAR", "ALSO_NOT_TEXT", "font-family", "Privacy", "Sport"):
        assert never not in article.text
    assert article.id == article_id(article.url, article.text)


def test_html_fallback_extraction_drops_scripts() -> None:
    article = read_html_article(
        "<html><head><title>Short</title><script>var x = 'TRACK';</script></head>"
        "<body><style>p{}</style><div>Shelling in <b>Mosul</b> today.<script>alert('no')</script></div></body></html>"
    )
    assert "Mosul" in article.text
    assert "TRACK" not in article.text and "alert" not in article.text and "p{}" not in article.text


def test_html_without_text_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "shell.html"
    path.write_text("<html><body><script>render()</script></body></html>")
    _, (failure,) = read(path)
    assert failure.reason.startswith("no article text found in the HTML")


def test_rss_feed() -> None:
    path = FIXTURES / "feed.rss"
    articles, failures = read(path)
    assert failures == []
    ramadi, tikrit = articles
    assert ramadi.title == "Bridge reopens in Ramadi"
    assert ramadi.text == "A bridge over the Euphrates at Ramadi reopened on Monday.\n\nEngineers said it could carry trucks."
    assert ramadi.url == "https://news.example.org/ramadi-bridge"
    assert ramadi.source == "Example World Feed"
    assert ramadi.author == "Omar Saleh"
    assert ramadi.published == datetime(2016, 12, 12, 10, 15, tzinfo=timezone.utc)
    assert ramadi.origin == f"{path}:item 1"
    assert tikrit.published == datetime(2016, 12, 11, 18, 0, tzinfo=timezone(timedelta(hours=3)))


def test_atom_feed() -> None:
    (article,), failures = read(FIXTURES / "feed.atom")
    assert failures == []
    assert article.title == "Schools reopen in Fallujah"
    assert article.text.startswith("Twelve schools reopened in Fallujah")
    assert article.author == "Hana Ali"
    assert article.published == datetime(2016, 12, 13, 8, 30, tzinfo=timezone.utc)


def test_xml_article_collection() -> None:
    path = FIXTURES / "collection.xml"
    articles, failures = read(path)
    assert failures == []
    water, snow = articles
    assert water.title == "Water restored in Aleppo suburbs"
    assert water.metadata["source_id"] == "a-1"
    assert water.source == "news.example.org"
    assert water.origin == f"{path}:line 3"
    assert snow.published is None and snow.date_note == "no date given"


def test_feed_sniffed_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "latest"
    shutil.copy(FIXTURES / "feed.rss", path)
    articles, failures = read(path)
    assert len(articles) == 2 and failures == []


def test_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<articles><article><text>Open tag")
    _, (failure,) = read(path)
    assert failure.reason.startswith("not well-formed XML")


# --- encodings and bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, layout, encoding, body", [
    ("old.txt", "Old page\n\n{}\n", "cp1252",
     "The minister\u2019s \u201cpromise\u201d to Mosul \u2014 a caf\u00e9 r\u00e9sum\u00e9 costing 5 \u20ac."),
    ("latin.txt", "Nouvelles\n\n{}\n", "latin-1",
     "Le caf\u00e9 \u00e0 Z\u00fcrich \u00e9tait ferm\u00e9; S\u00e3o Paulo et Bogot\u00e1 aussi."),
    ("old.csv", "title,text\nQuotes,{}\n", "cp1252", "\u201cCalm\u201d returns to Sana\u2019a"),
])
def test_a_legacy_encoding_is_recognised_and_named(tmp_path: Path, name: str, layout: str, encoding: str, body: str) -> None:
    path = tmp_path / name
    path.write_bytes(layout.format(body).encode(encoding))
    (article,), _ = read(path)
    assert article.text == body
    assert article.metadata["encoding"] == encoding


def test_utf16_and_bom(tmp_path: Path) -> None:
    (tmp_path / "wide.txt").write_bytes("Title\n\nShelling in Idlib.\n".encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfTitle\n\nShelling in Daraa.\n")
    articles, failures = read(tmp_path)
    assert failures == []
    assert [a.text for a in articles] == ["Shelling in Daraa.", "Shelling in Idlib."]
    assert articles[0].title == "Title"


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.json").write_text("  \n\n")
    _, failures = read(tmp_path)
    assert [f.reason for f in failures] == ["empty file; give a file with article text"] * 2


def test_binary_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Title\x00\x01\x02 garbage" * 10)
    (tmp_path / "b.json").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    _, failures = read(tmp_path)
    assert [f.reason for f in failures] == [
        "binary file (contains NUL bytes); give a text, HTML, JSON, CSV or RSS file",
        "binary file (PNG image); give a text, HTML, JSON, CSV or RSS file",
    ]


def test_a_50_mb_article_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        line = b"Reports from Mosul and Baghdad continued through the night. " * 16 + b"\n"
        while handle.tell() < 50_000_000:
            handle.write(line)
        handle.truncate(50_000_000)
    _, (failure,) = read(path)
    assert failure.reason == "file is 50.0 MB, over the 20 MB limit; split it or raise --max-bytes"
    _, (smaller,) = read(path, max_bytes=10_000_000)
    assert "over the 10 MB limit" in smaller.reason


def test_a_json_lines_file_over_the_size_limit_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    paragraph = "Shelling was reported in Aleppo and Idlib overnight, residents said. " * 140
    count = 0
    limit = 2_000_000  # the default is 20 MB: a lower limit tests the same path in a tenth of the time
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < 3 * limit:
            count += 1
            handle.write(json.dumps({"title": f"Report {count}", "text": f"{count}. {paragraph}",
                                     "date": "2016-12-12"}) + "\n")
    n_articles = n_failures = 0
    for item in read_paths([path], max_bytes=limit):
        if isinstance(item, Article):
            n_articles += 1
        else:
            n_failures += 1
    assert count > 500 and (n_articles, n_failures) == (count, 0)


def test_a_big_json_array_says_to_use_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + ",".join(['{"text": "x"}'] * 10) + "]")
    _, (failure,) = read(path, max_bytes=100)
    assert failure.reason.endswith("save it as JSON Lines (one article per line) or raise --max-bytes")


# --- folders, globs, URLs -----------------------------------------------------------------------------


def test_folder_with_one_broken_file(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(FIXTURES / "aleppo-evacuation.txt", folder / "a.txt")
    shutil.copy(FIXTURES / "wire.json", folder / "sub" / "b.json")
    shutil.copy(FIXTURES / "page.html", folder / "c.html")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (folder / ".hidden.txt").write_text("Hidden\n\nNot to be read.\n")
    (folder / "README.md").write_text("# About this folder\n\nNews collected in December.\n")
    (folder / "a.txt~").write_text("Backup\n\nAn editor backup.\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    articles, failures = read(folder)
    assert [Path(a.origin.split(":line")[0]).name for a in articles] == ["a.txt", "c.html", "b.json", "b.json"]
    assert [(Path(f.origin).name, f.reason) for f in failures] == [
        ("broken.pdf", "binary file (PDF document); give a text, HTML, JSON, CSV or RSS file")]


def test_a_file_named_explicitly_is_always_read(tmp_path: Path) -> None:
    path = tmp_path / "README.txt"
    path.write_text("Shelling in Hama\n\nShelling was reported in Hama on Monday.\n")
    (article,), _ = read(path)
    assert article.title == "Shelling in Hama"


def test_globs(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    shutil.copy(FIXTURES / "wire.json", tmp_path / "one.json")
    shutil.copy(FIXTURES / "wrapped.json", tmp_path / "deep" / "er" / "two.json")
    shutil.copy(FIXTURES / "plain-note", tmp_path / "deep" / "note.txt")
    flat, _ = read(str(tmp_path / "*.json"))
    assert len(flat) == 2
    deep, _ = read(str(tmp_path / "**" / "*.json"))
    assert len(deep) == 4
    _, (nothing,) = read(str(tmp_path / "*.csv"))
    assert nothing.reason == "no files match this pattern; check the pattern and the folder"


def test_missing_path() -> None:
    _, (failure,) = read("/no/such/place.txt")
    assert failure == ReadFailure("/no/such/place.txt", "no such file or folder; check the path")


def test_single_path_string_is_accepted() -> None:
    items = list(read_paths(str(FIXTURES / "wire.json")))
    assert len(items) == 2


def test_url_without_a_server_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/news/story.html"
    monkeypatch.setenv("CONFLICTMAP_FETCH_ALLOW", "127.0.0.1")  # loopback is refused unless allowed
    (failure,) = list(read_paths([url], timeout=2))
    assert isinstance(failure, ReadFailure) and failure.origin == url
    assert failure.reason.startswith("could not fetch ")
    assert failure.reason.endswith("check the address and the network, or save the page and read the file")


def test_bytes_with_content_type() -> None:
    data = (FIXTURES / "feed.rss").read_bytes()
    articles = list(read_bytes(data, origin="upload", content_type="application/rss+xml"))
    assert [a.title for a in articles] == ["Bridge reopens in Ramadi", "Curfew lifted in Tikrit"]


# --- ids and speed -----------------------------------------------------------------------------------


def test_ids_are_stable_across_runs_and_formats(tmp_path: Path) -> None:
    first, _ = read(FIXTURES)
    second, _ = read(FIXTURES)
    assert [a.id for a in first] == [a.id for a in second]
    path = tmp_path / "same.csv"
    path.write_text("url,title,text\nhttps://news.example.org/benghazi-port,Other title,Other text\n")
    (again,), _ = read(path)
    wrapped = by_title(first)["Port reopens in Benghazi"]
    assert again.id == wrapped.id  # the same URL is the same article


def test_every_article_has_an_aware_date_or_a_note() -> None:
    articles, _ = read(FIXTURES)
    assert len(articles) > 10
    for article in articles:
        if article.published is None:
            assert article.date_note
        else:
            assert article.published.utcoffset() is not None


def test_plain_reading_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\nfrom conflictmap.readers import read_paths\n"
        f"items = list(read_paths([{str(FIXTURES / 'aleppo-evacuation.txt')!r}, {str(FIXTURES / 'reports.tsv')!r},"
        f" {str(FIXTURES / 'stories.jsonl')!r}, {str(FIXTURES / 'wire.json')!r}]))\n"
        "print(sorted(m for m in ('dateparser', 'trafilatura', 'feedparser') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
