"""Every bad input named in issue 9, as regression tests: one failure line each, the good ones stored.

The folder test runs the real CLI over a folder of good and bad files; the same
files then go through `read_upload`, the Add articles page's reader, and must
give the same articles and the same failures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conflictmap.filters import Filters
from conflictmap.ingest import ingest, ingest_articles
from conflictmap.mentions import Mention, Place
from conflictmap.readers import ReadFailure, read_csv, read_paths, read_pasted, read_upload
from conflictmap.readers.base import decode_bytes
from conflictmap.store.sqlite import Store
from conflictmap.errors import StoreError

from tests.conftest import ROOT

GOOD_TEXT = "Aid convoy reaches Aleppo\n\n2 July 2014\n\nA United Nations convoy reached Aleppo on Wednesday after weeks of fighting."
GOOD_JSONL = json.dumps({"title": "Mosul falls", "text": "Militants took Mosul on Tuesday.", "date": "2014-06-10"})

# name -> bytes; each of these is one failure line (the files in BAD_FOLDER that are not good)
BAD = {
    "surrogate.json": b'{"title": "x \\ud800", "text": 12345}',
    "bigint.json": b'{"title": "Big", "text": "Fighting in Homs.", "n": ' + b"9" * 5000 + b"}",
    "bigint.jsonl": GOOD_JSONL.encode() + b'\n{"text": "Fighting in Homs.", "n": ' + b"9" * 5000 + b"}\n",
    "comment.html": b"<!-- x -->",
    "random.txt": bytes((i * 7919 + 13) % 128 + 128 for i in range(20_000)),
    "number.jsonl": b'{"title": "n", "text": 12345}\n',
    "unterminated.csv": b'title,text,date\nT1,Shelling hit Idlib,"2016-01-01\nT2,Talks began in Damascus,2016-01-02\n',
    "twotext.csv": b"title,text,date,text\nT,Body one,2016-01-01,Body two\n",
}


def _fifo(folder: Path) -> Path:
    path = folder / "x.txt"
    os.mkfifo(path)
    return path


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, data in BAD.items():
        (folder / name).write_bytes(data)
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "good.jsonl").write_text(json.dumps({"title": "Erbil", "text": "Refugees fled to Erbil.", "date": "2014-06-12"}) + "\n")
    # a lone surrogate in a good record: kept, as U+FFFD, never a crash
    (folder / "emoji.jsonl").write_bytes(b'{"title": "Truncated \\ud83d", "text": "Crowds gathered in Basra \\ud83d today."}\n')
    # a file name that is not UTF-8, with good content
    os.close(os.open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), os.O_CREAT | os.O_WRONLY, 0o644))
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:
        handle.write("Protest in Tunis\n\n3 March 2015\n\nThousands marched through Tunis on Tuesday.".encode())
    _fifo(folder)
    return folder


def test_a_folder_of_bad_files_ingests_the_good_ones_and_names_each_bad_one(bad_folder, cli):
    done = cli("ingest", "--quiet", bad_folder)  # in-process: an unexpected exception would fail the test itself
    assert done.exit_code == 1, done.stderr  # something failed, and the exit code says so
    assert "Traceback" not in done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed: ")]
    named = {Path(line.split(": ", 2)[1].split(":line")[0]).name for line in failed}
    assert set(BAD) | {"x.txt"} <= named, failed
    assert all(len(line) < 600 for line in failed)
    assert "named pipe" in next(line for line in failed if "x.txt" in line)
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("read ") and "failed" in summary
    with Store(cli.home / "conflictmap.db") as store:
        titles = {a["title"] for a in store.articles(Filters(), limit=100)}
    # good files and good records beside bad ones all went in; the rows after a broken CSV quote too
    assert {"Aid convoy reaches Aleppo", "Erbil", "Protest in Tunis", "Mosul falls", "T2", "Truncated \ufffd"} <= titles


def test_uploads_give_the_same_result_as_the_cli(bad_folder, tmp_path, parser):
    """The Add articles page calls read_upload on each file's bytes and name; so does this."""
    files = sorted(p for p in bad_folder.iterdir() if p.is_file())
    with Store(tmp_path / "cli.db") as by_path, Store(tmp_path / "upload.db") as by_upload:
        from_cli = ingest([str(p) for p in files], by_path, parser=parser)
        from_upload = ingest_articles((item for p in files for item in read_upload(p.read_bytes(), p.name)),
                                      by_upload, parser=parser)
        assert from_upload.summary() == from_cli.summary()
        assert [Path(o).name for o, _ in from_upload.failed] == [Path(o).name for o, _ in from_cli.failed]
        assert [r for _, r in from_upload.failed] == [r for _, r in from_cli.failed]
        same = {a["title"] for a in by_path.articles(Filters(), limit=100)}
        assert {a["title"] for a in by_upload.articles(Filters(), limit=100)} == same


def test_an_uploaded_csv_is_read_as_csv_not_as_one_article():
    data = b"title,text,date\nFirst,Shelling in Idlib,2016-01-01\nSecond,Talks in Geneva,2016-01-02\n"
    for name in ("news.csv", "NEWS.CSV"):
        items = list(read_upload(data, name))
        assert [a.title for a in items] == ["First", "Second"]
    tsv = list(read_upload(data.replace(b",", b"\t"), "news.tsv"))
    assert [a.title for a in tsv] == ["First", "Second"]


def test_uploads_have_the_cli_size_limit():
    (failure,) = read_upload(b"x" * 2_000_001, "huge.txt", max_bytes=2_000_000)
    assert isinstance(failure, ReadFailure) and "over the 2 MB limit" in failure.reason


def test_json_that_fails_to_parse_is_a_failure_not_a_text_article():
    (failure,) = read_upload(b'{"title": "x", "text": "Fighting in Homs",', "broken.json")
    assert isinstance(failure, ReadFailure) and "not valid JSON" in failure.reason


def test_same_story_as_txt_after_jsonl_is_a_duplicate(tmp_path, parser):
    record = {"title": "Mosul falls", "text": "Militants took Mosul on Tuesday.\n\nThousands fled toward Erbil.",
              "url": "https://example.org/mosul", "date": "2014-06-10"}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "b.txt").write_text("Mosul falls\n\n10 June 2014\n\n" + record["text"].replace("\n\n", "\n\n  "))
    with Store(":memory:") as store:
        first = ingest([tmp_path / "a.jsonl"], store, parser=parser)
        second = ingest([tmp_path / "b.txt"], store, parser=parser)
        assert (first.added, second.added, second.duplicates) == (1, 0, 1)
        assert store.stats()["articles"] == 1


def test_a_lone_surrogate_anywhere_is_kept_as_a_replacement_character(tmp_path, parser):
    (tmp_path / "s.json").write_bytes(b'{"title": "x \\ud800", "text": "Clashes in Aden \\udfff.", "author": "\\ud800"}')
    with Store(":memory:") as store:
        report = ingest([tmp_path / "s.json"], store, parser=parser)
        assert report.added == 1, report.failed
        (row,) = store.articles(Filters(), limit=5)
        assert row["title"] == "x \ufffd"


def test_shift_jis_text_is_decoded_not_stored_as_mojibake():
    story = "アレッポで戦闘\n\n2016年11月29日\n\nシリア北部のアレッポで政府軍が反体制派の拠点を制圧した。住民は避難を続けている。"
    for encoding in ("shift_jis", "euc_jp", "gb18030", "euc_kr"):
        try:
            data = story.encode(encoding)
        except UnicodeEncodeError:
            data = "北京发生了大地震，许多建筑物倒塌了。政府宣布进入紧急状态。".encode(encoding) if encoding == "gb18030" \
                else "서울에서 큰 지진이 발생했습니다. 많은 건물이 무너졌습니다.".encode(encoding)
        text, _ = decode_bytes(data)
        assert text == data.decode(encoding), encoding
    (article,) = read_upload(story.encode("shift_jis"), "aleppo.txt")
    assert article.title == "アレッポで戦闘"


def test_utf16_with_and_without_bom_reads():
    story = "Fighting in Mosul\n\n10 June 2014\n\nMilitants took the city."
    for data in (story.encode("utf-16"), story.encode("utf-16-le"), story.encode("utf-32")):
        (article,) = read_upload(data, "story.txt")
        assert article.title == "Fighting in Mosul"


def test_random_high_bytes_are_refused_as_not_text():
    data = bytes((i * 7919 + 13) % 128 + 128 for i in range(20_000))
    (failure,) = read_upload(data, "noise.txt")
    assert isinstance(failure, ReadFailure) and "not text" in failure.reason


def test_a_csv_with_an_unterminated_quote_reports_the_row_and_reads_the_next():
    import io

    data = b'title,text,date\nT1,Shelling hit Idlib,"2016-01-01\nT2,Talks began in Damascus,2016-01-02\n'
    failure, article = read_csv(io.BytesIO(data), origin="u.csv")
    assert isinstance(failure, ReadFailure) and failure.origin == "u.csv:line 2" and "quoting" in failure.reason
    assert article.title == "T2" and article.origin == "u.csv:line 3"


def test_a_csv_with_two_text_columns_says_so():
    import io

    (failure,) = read_csv(io.BytesIO(b"title,text,date,text\nT,Body one,2016-01-01,Body two\n"), origin="t.csv")
    assert "both named 'text'" in failure.reason


def test_a_number_is_not_article_text():
    (failure,) = read_upload(b'{"title": "n", "text": 12345}', "n.json")
    assert "not text" in failure.reason


def test_a_paste_of_zero_width_characters_is_one_failure():
    (failure,) = read_pasted("\u200b\u200c\u200d\ufeff\u2060")
    assert isinstance(failure, ReadFailure) and "no text" in failure.reason


def test_a_bad_url_is_a_failure_line(cli, tmp_path):
    done = cli("ingest", "--quiet", "http://[::1", tmp_path / "missing.txt")
    assert done.exit_code != 0 and "Traceback" not in done.stderr
    assert "failed: http://[::1: " in done.stderr and "missing.txt: no such file" in done.stderr


def test_a_folder_removed_mid_walk_is_reported(tmp_path):
    top = tmp_path / "top"
    (top / "sub").mkdir(parents=True)
    (top / "a.txt").write_text(GOOD_TEXT)
    (top / "sub" / "b.txt").write_text(GOOD_TEXT)
    items = read_paths([top])
    first = next(items)
    assert first.title == "Aid convoy reaches Aleppo"
    (top / "sub" / "b.txt").unlink()
    (top / "sub").rmdir()
    (failure,) = list(items)
    assert isinstance(failure, ReadFailure) and failure.origin.endswith("sub") and "cannot list this folder" in failure.reason


# ---- the store's messages ------------------------------------------------------------------------


def test_concurrent_first_opens_all_succeed(tmp_path):
    """Four processes open one new store at the same moment; each must succeed."""
    path = tmp_path / "new.db"
    code = ("import sys\nfrom conflictmap.store.sqlite import Store\n"
            "sys.stdin.read()\n"  # wait for the go, so the opens really overlap
            f"Store({str(path)!r}).close()\nprint('ok')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in procs:
        proc.stdin.close()
    results = [(proc.wait(timeout=120), proc.stdout.read(), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert all(code == 0 and out.strip() == "ok" for code, out, _ in results), results
    with Store(path) as store:
        assert store.stats()["articles"] == 0


def test_an_empty_database_file_is_not_silently_taken_for_a_new_one(tmp_path, cli):
    path = tmp_path / "zero.db"
    path.write_bytes(b"")
    os.utime(path, (1_000_000_000, 1_000_000_000))  # an old empty file, not one another process is creating
    done = cli("stats", "--db", path)
    assert done.exit_code == 0
    assert "was an empty file (0 bytes), so a new store was started" in done.stderr and "backup" in done.stderr
    with Store(path) as store:
        assert store.notice == ""  # said once, when it happened


def test_a_corrupt_database_says_restore_or_move_away(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(StoreError, match="damaged or is not a database.*backup"):
        Store(path)


def test_a_read_only_folder_says_so_not_move_it_away():
    """A store in a folder its user cannot write: the CLI says read-only, not "move it away".

    Root writes anywhere, so as root (as CI runs) the command runs as the unprivileged
    `nobody` through util-linux's setpriv; as any other user it runs as that user.
    """
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cm-ro-"))
    try:
        path = folder / "ro" / "x.db"
        path.parent.mkdir()
        Store(path).close()
        os.chmod(folder, 0o755)
        os.chmod(path.parent, 0o555)
        os.chmod(path, 0o444)
        command = [sys.executable, "-m", "conflictmap", "stats", "--db", str(path)]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            assert setpriv, "util-linux's setpriv is part of every Debian system"
            command = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).resolve().parents[1], env={**os.environ, "HOME": str(folder)})
        assert done.returncode != 0, done.stdout
        assert "read-only" in done.stderr and "move it away" not in done.stderr, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
    finally:
        os.chmod(folder / "ro", 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_read_only_database_says_so(tmp_path):
    """As any user: a database opened read-only by SQLite (what a read-only file or folder gives)."""
    import sqlite3

    from conflictmap.store.sqlite import _open_problem

    path = tmp_path / "x.db"
    Store(path).close()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        con.execute("CREATE TABLE t (x)")
    con.close()
    message = _open_problem(str(path), caught.value)
    assert "read-only" in message and "write permission" in message and "move it away" not in message


def test_newer_schema_says_upgrade(tmp_path):
    import sqlite3

    path = tmp_path / "new.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(StoreError, match="newer Conflict Map.*upgrade conflictmap"):
        Store(path)


# ---- delete -------------------------------------------------------------------------------------


def test_delete_removes_the_article_its_mentions_and_orphan_places(tmp_path, cli):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"title": "One", "text": "Fighting in Mosul and Tikrit.", "date": "2014-06-10"},
        {"title": "Two", "text": "Talks in Geneva about Mosul.", "date": "2014-06-11"},
    ]) + "\n")
    db = cli.home / "conflictmap.db"
    assert cli("ingest", "--quiet", tmp_path / "a.jsonl").exit_code == 0
    with Store(db) as store:
        one = next(a for a in store.articles(Filters(), limit=10) if a["title"] == "One")["id"]
    refused = cli("delete", one, input="n\n")
    assert refused.exit_code == 0 and f"kept {one}" in refused.stdout
    done = cli("delete", one, input="y\n")
    assert done.exit_code == 0 and "Delete " in done.stdout and f"deleted {one}" in done.stdout
    with Store(db) as store:
        assert store.article(one) is None
        names = {r["name"] for r in store.place_rows(Filters())}
        assert "Mosul" in names and not any(n.startswith("Tikr") for n in names)
        assert store.stats()["places"] == len(names)  # no orphan place left behind
    missing = cli("delete", "--yes", "nope")
    assert missing.exit_code == 1 and "no article with this id" in missing.stderr


# ---- views and exports --------------------------------------------------------------------------


def test_geojson_and_csv_export_undated_mentions_with_an_empty_date(tmp_path, cli):
    (tmp_path / "u.jsonl").write_text(json.dumps({"title": "Undated", "text": "Fighting in Mosul."}) + "\n")
    assert cli("ingest", "--quiet", tmp_path / "u.jsonl").exit_code == 0
    geo = cli("export", "--format", "geojson")
    assert geo.exit_code == 0, geo.stderr
    (feature,) = json.loads(geo.stdout)["features"]
    assert feature["properties"]["date"] is None and feature["properties"]["published"] is None
    csv_out = cli("export", "--format", "csv")
    assert csv_out.exit_code == 0 and "NaT" not in csv_out.stdout and "nan" not in csv_out.stdout.lower().split(",")
    row = csv_out.stdout.splitlines()[1]
    assert row.startswith(",Mosul,")  # the empty day comes first


def test_an_implausible_date_is_kept_as_raw_text_and_undated(tmp_path, parser):
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"title": "Typo", "text": "Fighting in Mosul.", "date": "2300-06-10"},
        {"title": "Zero", "text": "Fighting in Kirkuk.", "date": "0001-01-01"},
    ]) + "\n")
    with Store(":memory:") as store:
        report = ingest([tmp_path / "d.jsonl"], store, parser=parser)
        assert report.added == 2
        for row in store.articles(Filters(), limit=5):
            full = store.article(row["id"])
            assert full["published"] is None and full["day"] is None
            assert full["published_raw"] in ("2300-06-10", "0001-01-01")
            assert "typo" in full["date_note"]
            assert full["mentions"] and all(m["date"] is None for m in full["mentions"])


def test_a_keyword_with_a_nul_searches_instead_of_crashing(store):
    for keyword in ('"\x00"', "\x00", '"', "a\x00b \x1f", "\ud800"):
        assert store.articles(Filters(keyword=keyword)) == []


# ---- the dashboard under bad stored data and bad links -------------------------------------------


def _no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_a_stored_date_in_2300_leaves_the_map_working(demo_home):
    """A store written before dates were checked at ingest may hold any day; the map must still open."""
    from tests.apphelp import metrics, new_app

    with Store(demo_home / "conflictmap.db") as store:
        for n, day in enumerate(("2300-06-10", "0001-01-01", "9999-12-31", "not a day")):
            mosul = Place(name="Mosul", lat=36.34, lon=43.13, geonameid=99072, country_code="IQ")
            store.add_article({"id": f"typo{n}", "title": f"Typo {n}", "text": f"Fighting in Mosul {n}.", "published": day},
                              [Mention(start=12, end=17, text="Mosul", place=mosul, date=day, confidence=0.9)])
    at = new_app().run()
    _no_exception(at)
    assert metrics(at)["Articles"] >= 1
    at.switch_page("pages/articles.py").run()
    _no_exception(at)


def test_a_share_link_with_a_nul_in_the_search_shows_the_map(demo_home):
    from tests.apphelp import metrics, new_app

    at = new_app({"q": '"\x00"'}).run()
    _no_exception(at)
    assert set(metrics(at)) == {"Articles", "Places", "Mentions"}


def test_metrics_agree_with_the_map_under_minimum_mentions(demo_home):
    from conflictmap import queries

    with Store(demo_home / "conflictmap.db") as store:
        filters = Filters(min_mentions=5)
        frame = queries.places(store, filters)
        totals = store.totals(filters)
        assert totals["places"] == len(frame)
        assert totals["mentions"] == int(frame["mentions"].sum())
        assert totals["mentions"] == len(queries.mentions(store, filters))


def test_articles_page_deletes_after_confirmation(demo_home):
    from tests.apphelp import metrics, new_app

    with Store(demo_home / "conflictmap.db") as store:
        before = store.stats()["articles"]
    at = new_app().run()
    at.switch_page("pages/articles.py").run()
    chosen = at.selectbox[0].value
    next(b for b in at.button if b.label == "Delete this article").click().run()
    _no_exception(at)
    assert any("Delete" in w.value and "place mentions" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Keep it").click().run()
    with Store(demo_home / "conflictmap.db") as store:
        assert store.article(chosen) is not None
    next(b for b in at.button if b.label == "Delete this article").click().run()
    next(b for b in at.button if b.label == "Yes, delete it").click().run()
    _no_exception(at)
    with Store(demo_home / "conflictmap.db") as store:
        assert store.article(chosen) is None and store.stats()["articles"] == before - 1
    assert at.selectbox[0].value != chosen


def test_a_broken_store_shows_its_message_not_a_traceback(app_home):
    from tests.apphelp import new_app

    (app_home / "conflictmap.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    at = new_app().run()  # the map page first, then each page from the same session
    for page in ("pages/map.py", "pages/articles.py", "pages/places.py", "pages/add_articles.py"):
        if page != "pages/map.py":
            at.switch_page(page).run()
        _no_exception(at)
        assert any("damaged or is not a database" in e.value for e in at.error), page
