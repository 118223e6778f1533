"""The store on real databases (embedded SQLite and a PostgreSQL server): schema,
idempotence, corrections and their history, filters, the kept counts."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from conflictmap.errors import StoreError
from conflictmap.filters import Filters
from conflictmap.mentions import Mention, Place
from conflictmap.store.sqlite import MIGRATIONS, Store

MOSUL = Place(geonameid=99434, name="Mosul", lat=36.335, lon=43.119, country_code="IQ", kind="city")
ERBIL = Place(geonameid=95446, name="Erbil", lat=36.19, lon=44.01, country_code="IQ", kind="city")
IRAQ = Place(geonameid=99237, name="Iraq", lat=33.0, lon=44.0, country_code="IQ", kind="country")


def article(ident: str, text: str, day: str, source: str = "Desk") -> dict:
    return {"id": ident, "title": f"title {ident}", "text": text, "source": source, "published": f"{day}T12:00:00+00:00"}


def mention(place: Place, start: int, text: str, day: str, reason: str = "prior") -> Mention:
    return Mention(start=start, end=start + len(text), text=text, place=place, date=day, sentence=f"... {text} ...", reason=reason)


@pytest.fixture
def store(any_store):
    """Every test here that takes `store` runs on both backends."""
    return any_store


@pytest.fixture
def filled(store):
    store.add_article(article("a1", "Fighting in Mosul.", "2014-06-10"), [mention(MOSUL, 12, "Mosul", "2014-06-10")])
    store.add_article(
        article("a2", "Mosul and Erbil in Iraq.", "2014-06-20", source="Other"),
        [mention(MOSUL, 0, "Mosul", "2014-06-20"), mention(ERBIL, 10, "Erbil", "2014-06-19"), mention(IRAQ, 19, "Iraq", "2014-06-20")],
    )
    store.add_article(article("a3", "Iraqi forces.", "2014-07-01"), [mention(IRAQ, 0, "Iraqi", "2014-07-01", reason="demonym of Iraq")])
    return store


def test_schema_is_versioned(store):
    assert store.schema_version == len(MIGRATIONS)


def test_file_store_reopens_and_refuses_newer_schema(tmp_path):
    path = tmp_path / "x.db"
    with Store(path) as s:
        s.add_article(article("a", "text", "2014-06-01"), [])
    with Store(path) as s:
        assert s.stats()["articles"] == 1
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    con.close()
    with pytest.raises(StoreError, match="newer Conflict Map"):
        Store(path)


def test_not_a_database_says_what_to_do(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="choose another --db"):
        Store(bad)


def test_adding_twice_adds_nothing(filled):
    before = filled.stats()
    assert filled.add_article(article("a1", "Fighting in Mosul.", "2014-06-10"), [mention(MOSUL, 12, "Mosul", "2014-06-10")]) is False
    assert filled.stats() == before
    assert before["places"] == 3 and before["mentions"] == 5


def test_place_rows_aggregate_and_filter_by_date(filled):
    rows = {r["name"]: r for r in filled.place_rows(Filters())}
    assert rows["Mosul"]["mentions"] == 2 and rows["Mosul"]["articles"] == 2
    assert "Iraq" in rows and rows["Iraq"]["mentions"] == 1  # the demonym is hidden by default
    june = {r["name"] for r in filled.place_rows(Filters(start=date(2014, 6, 15), end=date(2014, 6, 30)))}
    assert june == {"Mosul", "Erbil", "Iraq"}
    early = {r["name"] for r in filled.place_rows(Filters(end=date(2014, 6, 12)))}
    assert early == {"Mosul"}


def test_mention_dates_drive_the_timeline(filled):
    days = {r["day"]: r["mentions"] for r in filled.daily_counts(Filters(demonyms=True))}
    assert days == {"2014-06-10": 1, "2014-06-19": 1, "2014-06-20": 2, "2014-07-01": 1}


def test_filters_combine(filled):
    assert {r["name"] for r in filled.place_rows(Filters(sources=("Other",)))} == {"Mosul", "Erbil", "Iraq"}
    assert {r["name"] for r in filled.place_rows(Filters(kinds=("country",), demonyms=True))} == {"Iraq"}
    assert filled.totals(Filters(demonyms=True)) == {"mentions": 5, "articles": 3, "places": 3}
    assert [r["name"] for r in filled.place_rows(Filters(min_mentions=2))] == ["Mosul"]
    assert {r["name"] for r in filled.mention_rows(Filters(min_mentions=2))} == {"Mosul"}


def test_keyword_search_is_full_text_and_safe(filled):
    assert {r["name"] for r in filled.place_rows(Filters(keyword="erbil"))} == {"Mosul", "Erbil", "Iraq"}
    assert filled.place_rows(Filters(keyword='"unbalanced AND OR (')) == []


def test_corrections_apply_to_past_and_future_mentions(filled):
    mosul_id = next(r["place_id"] for r in filled.place_rows(Filters()) if r["name"] == "Mosul")
    filled.correct(mosul_id, new_place=Place(name="Mosul (fixed)", lat=36.4, lon=43.2, country_code="IQ"))
    names = {r["name"] for r in filled.place_rows(Filters())}
    assert "Mosul (fixed)" in names and "Mosul" not in names
    filled.add_article(article("a4", "Later in Mosul.", "2014-08-01"), [mention(MOSUL, 9, "Mosul", "2014-08-01")])
    fixed = next(r for r in filled.place_rows(Filters()) if r["name"] == "Mosul (fixed)")
    assert fixed["mentions"] == 3
    filled.correct(mosul_id)  # now: not a place at all
    assert "Mosul (fixed)" not in {r["name"] for r in filled.place_rows(Filters())}
    filled.uncorrect(mosul_id)
    assert "Mosul" in {r["name"] for r in filled.place_rows(Filters())}


def test_an_articles_mentions_use_the_names_of_the_mention_rows_after_a_correction(filled):
    """One name for one thing: `mention_id` is the mention, `place_id` the place shown (corrected),
    in an article's mentions as in `mention_rows`; `parsed_place_id` keeps the geoparser's choice."""
    mosul_id = next(r["place_id"] for r in filled.place_rows(Filters()) if r["name"] == "Mosul")
    filled.correct(mosul_id, new_place=ERBIL)
    erbil_id = next(r["place_id"] for r in filled.place_rows(Filters()) if r["name"] == "Erbil")
    in_view = {r["mention_id"]: r["place_id"] for r in filled.mention_rows(Filters(demonyms=True))}
    in_articles = {m["mention_id"]: m for a in ("a1", "a2", "a3") for m in filled.article(a)["mentions"]}
    assert in_view and set(in_articles) == set(in_view)
    assert {k: m["place_id"] for k, m in in_articles.items()} == in_view
    moved = [m for m in in_articles.values() if m["parsed_place_id"] == mosul_id]
    assert moved and all(m["place_id"] == erbil_id and m["name"] == "Erbil" for m in moved)
    assert not any({"id", "eff_place_id"} & set(m) for m in in_articles.values())


def test_stale_count_is_what_regeoparse_would_redo(filled):
    assert filled.stale_count("v1") == 3  # every article was stored without a version ("")
    with filled._transaction() as db:
        db.execute("UPDATE articles SET geoparser = 'v1' WHERE id IN ('a1', 'a2')")
    assert filled.stale_count("v1") == 1
    assert filled.stale_count("v1") == len(filled.stale_articles("v1"))


def test_correcting_unknown_place_says_so(store):
    with pytest.raises(StoreError, match="no place with id 42"):
        store.correct(42)


def test_article_text_with_markup_is_stored_verbatim(store):
    text = "<script>alert(1)</script> <img src=x onerror=alert(2)> Mosul"
    store.add_article(article("x", text, "2014-06-10"), [])
    assert store.article("x")["text"] == text


def test_a_correction_of_a_corrected_place_moves_everything_it_holds(filled):
    ids = {r["name"]: r["place_id"] for r in filled.place_rows(Filters(demonyms=True))}
    filled.correct(ids["Mosul"], new_place=ERBIL)  # Mosul's mentions now show at Erbil
    assert {r["name"]: r["mentions"] for r in filled.place_rows(Filters())}["Erbil"] == 3
    filled.correct(ids["Erbil"], new_place=IRAQ)  # the user moves "Erbil (3 mentions)" as one
    rows = {r["name"]: r["mentions"] for r in filled.place_rows(Filters(demonyms=True))}
    assert "Erbil" not in rows and "Mosul" not in rows and rows["Iraq"] == 5
    filled.correct(ids["Iraq"])  # and hiding it hides all it held
    assert filled.place_rows(Filters(demonyms=True)) == []


def test_revision_changes_with_every_write_even_within_a_second(filled):
    seen = {filled.revision()}
    mosul = next(r["place_id"] for r in filled.place_rows(Filters()) if r["name"] == "Mosul")
    for step in (lambda: filled.correct(mosul), lambda: filled.uncorrect(mosul), lambda: filled.correct(mosul),
                 lambda: filled.add_article(article("a9", "Later.", "2014-09-01"), [])):
        step()
        seen.add(filled.revision())
    assert len(seen) == 5


def test_keyword_index_survives_vacuum_and_odd_input(tmp_path):
    with Store(tmp_path / "k.db") as s:
        for i in range(30):
            s.add_article(article(f"x{i}", f"Story {i} about Kirkuk and oil." if i % 3 == 0 else f"Story {i}.", "2014-06-10"),
                          [mention(MOSUL, 0, "Story", "2014-06-10")])
        for i in range(0, 30, 2):
            with s._transaction() as db:
                db.execute("DELETE FROM articles WHERE id = ?", (f"x{i}",))
        s._db.execute("VACUUM")
        hits = {r["id"] for r in s.articles(Filters(keyword="kirkuk"), limit=100)}
        assert hits == {f"x{i}" for i in range(30) if i % 6 == 3}
        assert s.totals(Filters(keyword='"')) == s.totals(Filters())  # nothing searchable: no filter, no crash


def test_a_new_version_of_an_article_replaces_the_old(store):
    store.add_article(article("v", "Fighting in Mosul.", "2014-06-10"), [mention(MOSUL, 12, "Mosul", "2014-06-10")])
    assert store.has_article("v") and not store.has_article("v", "Fighting in Erbil today.")
    assert store.add_article(article("v", "Fighting in Erbil today.", "2014-06-11"), [mention(ERBIL, 12, "Erbil", "2014-06-11")])
    assert store.stats()["articles"] == 1
    assert {r["name"] for r in store.place_rows(Filters())} == {"Erbil"}
    assert store.articles(Filters(keyword="Erbil"))[0]["id"] == "v" and not store.articles(Filters(keyword="Mosul"))


def test_schema_upgrades_from_version_one(tmp_path, monkeypatch):
    """A store written by the first release opens, upgrades and keeps its data (and its search)."""
    import conflictmap.store.sqlite as store_module

    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])  # what release 1 knew
    with Store(path) as s:
        assert s.schema_version == 1
        with s._transaction() as db:  # the rows exactly as release 1 wrote them (its column names)
            db.execute("INSERT INTO articles (id, title, text, source, published, day, added_at) VALUES"
                       " ('old', 'Old', 'Talks in Geneva and Kirkuk.', 'Desk', '2014-06-10T12:00:00+00:00', '2014-06-10', 'then')")
            db.execute("INSERT INTO places (id, geonameid, name, lat, lon, country_code, kind) VALUES (1, 95446, 'Erbil', 36.19, 44.01, 'IQ', 'city')")
            db.execute("INSERT INTO mentions (article_id, start, end, surface, place_id, sentence, day, candidates) VALUES"
                       " ('old', 0, 5, 'Talks', 1, 'Talks in Geneva and Kirkuk.', '2014-06-10', '[{\"name\": \"Erbil\", \"lat\": 36.2, \"lon\": 44.0}]')")
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store(path) as s:
        assert s.schema_version == len(MIGRATIONS) >= 3
        assert [a["id"] for a in s.articles(Filters(keyword="kirkuk"))] == ["old"]
        (row,) = s.mention_rows(Filters(start=date(2014, 6, 10), end=date(2014, 6, 10)))
        assert replace(Mention.from_dict(row), candidates=()) == Mention(start=0, end=5, text="Talks", place=ERBIL,
                                                                         date="2014-06-10", sentence="Talks in Geneva and Kirkuk.")
        assert [c.name for c in Mention.from_dict(row).candidates] == ["Erbil"]
        assert [c.name for c in Mention.from_dict(s.article("old")["mentions"][0]).candidates] == ["Erbil"]
        assert s.span() == ("2014-06-10", "2014-06-10")


def test_the_same_place_corrected_twice_keeps_its_history_and_the_latest_wins(filled):
    mosul = next(r["place_id"] for r in filled.place_rows(Filters()) if r["name"] == "Mosul")
    filled.correct(mosul, new_place=ERBIL, note="wrong city", by="ana@newsroom")
    filled.correct(mosul, new_place=IRAQ, note="only the country is known", by="ben@newsroom")
    shown = {r["name"]: r["mentions"] for r in filled.place_rows(Filters())}
    assert "Mosul" not in shown and shown["Erbil"] == 1 and shown["Iraq"] == 3  # the latest correction wins
    assert filled.corrections()[0]["made_by"] == "ben@newsroom"
    history = filled.correction_history(mosul)
    assert [(h["made_by"], h["from_name"], h["to_name"]) for h in history] == [
        ("ben@newsroom", "Erbil", "Iraq"), ("ana@newsroom", "Mosul", "Erbil")]
    assert history[0]["created_at"] >= history[1]["created_at"]
    filled.uncorrect(mosul, by="ana@newsroom")
    assert filled.correction_history(mosul)[0]["to_name"] == "Mosul"
    filled.correct(mosul, by="ben@newsroom")
    assert filled.correction_history(mosul)[0]["to_place_id"] is None  # hidden: "not a place"


def test_kept_counts_agree_with_a_recount_of_the_mentions(store):
    """Views read counts the database keeps per place and day, per place and month and per
    article and day (with each bucket's confidence sum); they must equal a recount of the raw mentions after adds, new versions,
    regeoparses, corrections (moves, rejections, undos) and deletions, over windows of whole
    months, ragged edges and single days."""
    import random

    rng = random.Random(5)
    places = [MOSUL, ERBIL, IRAQ]
    for n in range(60):
        day = f"2014-{rng.randint(5, 8):02d}-{rng.randint(1, 28):02d}"
        mentions = [replace(mention(rng.choice(places), 10 * k, "Place", rng.choice([day, day, None, "2014-07-02", "2014-06-30"]),
                                    reason=rng.choice(["prior", "prior", "demonym of Iraq"])), confidence=rng.choice([0.9, 0.35, 0.62, 0.08]))
                    for k in range(rng.randint(0, 6))]
        store.add_article(article(f"r{n}", f"text {n}", day), mentions)
    raw = Filters(min_confidence=1e-9)  # a confidence floor makes the store recount raw mentions
    views = (Filters(), Filters(demonyms=True), Filters(start=date(2014, 6, 10), end=date(2014, 6, 20)),
             Filters(start=date(2014, 6, 1), end=date(2014, 7, 31)), Filters(start=date(2014, 5, 20), end=date(2014, 8, 3)),
             Filters(start=date(2014, 6, 15)), Filters(end=date(2014, 6, 30), demonyms=True), Filters(start=date(2014, 7, 2), end=date(2014, 7, 2)),
             Filters(countries=("IQ",), demonyms=True), Filters(min_mentions=3))

    def agree() -> None:
        for view in views:
            recount = view.but(min_confidence=raw.min_confidence)
            # (a place's `articles` from the counts is article-days, documented in Store.place_rows; the totals are exact;
            # the mean confidence from the kept sums is the raw mean but for the order floats were added in)
            assert [(r["name"], r["mentions"], r["first_seen"], r["last_seen"], round(r["confidence"], 9)) for r in store.place_rows(view)] == \
                   [(r["name"], r["mentions"], r["first_seen"], r["last_seen"], round(r["confidence"], 9)) for r in store.place_rows(recount)], view
            assert store.daily_counts(view) == store.daily_counts(recount), view
            assert store.totals(view) == store.totals(recount), view

    agree()
    store.add_article(article("r3", "a new version", "2014-06-03"), [replace(mention(ERBIL, 0, "Erbil", "2014-06-03"), confidence=0.9)])
    store.replace_mentions("r4", [replace(mention(IRAQ, s, "Iraq", "2014-06-09"), confidence=0.9) for s in (5, 50)])
    erbil, mosul, iraq = store.place_id(ERBIL), store.place_id(MOSUL), store.place_id(IRAQ)
    store.correct(erbil, new_place=MOSUL)
    agree()
    store.correct(mosul)  # not a place: Mosul's mentions and Erbil's (moved onto it) leave every view
    assert "Mosul" not in {r["name"] for r in store.place_rows(Filters(demonyms=True))}
    agree()
    store.add_article(article("late", "more text", "2014-06-12"), [replace(mention(ERBIL, 0, "Erbil", "2014-06-12"), confidence=0.9),
                                                                   replace(mention(IRAQ, 9, "Iraq", "2014-06-12"), confidence=0.9)])
    agree()
    store.uncorrect(mosul)
    agree()
    store.correct(iraq)
    store.uncorrect(erbil)
    for n in range(0, 60, 4):
        store.delete_article(f"r{n}")
    agree()
    assert store.span() == tuple(store._rows("SELECT MIN(date) AS lo, MAX(date) AS hi FROM mentions")[0].values())


def test_the_mean_confidence_comes_from_the_counts_and_leaves_out_mentions_without_one(store):
    """The default view's places carry their mean confidence from the kept sums (no raw read):
    a mention stored with no confidence (0) is left out of the mean, as the raw read leaves it out."""
    store.add_article(article("c1", "Mosul, Mosul, Erbil.", "2014-06-10"),
                      [replace(mention(MOSUL, 0, "Mosul", "2014-06-10"), confidence=0.8),
                       replace(mention(MOSUL, 7, "Mosul", "2014-06-11"), confidence=0.4),
                       replace(mention(ERBIL, 14, "Erbil", "2014-06-10"), confidence=0.0)])
    store.add_article(article("c2", "Mosul.", "2014-07-03"), [replace(mention(MOSUL, 0, "Mosul", "2014-07-03"), confidence=0.3)])
    means = {r["name"]: r["confidence"] for r in store.place_rows(Filters())}
    assert means["Mosul"] == pytest.approx(0.5) and means["Erbil"] is None
    june = {r["name"]: r["confidence"] for r in store.place_rows(Filters(start=date(2014, 6, 11), end=date(2014, 6, 30)))}
    assert june == {"Mosul": pytest.approx(0.4)}  # a ragged edge: day rows
    store.correct(store.place_id(ERBIL), new_place=MOSUL)  # merged places: one mean over both
    assert store.place_rows(Filters())[0]["confidence"] == pytest.approx(0.5)
    store.delete_article("c2")
    assert store.place_rows(Filters())[0]["confidence"] == pytest.approx(0.6)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_schema_nine_fills_the_confidence_sums_of_a_filled_store(backend, tmp_path, monkeypatch, request):
    """A store written at schema 8 (counts without confidence) upgrades with the sums of what its
    day and month counts already count, and the triggers keep them from then on."""
    import conflictmap.store.postgres as pg_module
    import conflictmap.store.sqlite as store_module
    from conflictmap.store.pg_migrations import PG_MIGRATIONS
    from conflictmap.store.postgres import PostgresStore

    if backend == "sqlite":
        module, name, steps, opened = store_module, "MIGRATIONS", MIGRATIONS, lambda: Store(tmp_path / "eight.db")
    else:
        dsn = request.getfixturevalue("pg_dsn")
        module, name, steps, opened = pg_module, "PG_MIGRATIONS", PG_MIGRATIONS, lambda: PostgresStore(dsn)
    monkeypatch.setattr(module, name, steps[:8])
    with opened() as s:
        s.add_article(article("e1", "Mosul twice.", "2014-06-10"), [replace(mention(MOSUL, 0, "Mosul", "2014-06-10"), confidence=0.9),
                                                                    replace(mention(MOSUL, 9, "Mosul", "2014-06-20"), confidence=0.5)])
        assert s._rows("SELECT COUNT(*) AS n FROM place_months")[0]["n"] == 1
    monkeypatch.setattr(module, name, steps)
    with opened() as s:
        assert s.schema_version == 9
        assert s.place_rows(Filters())[0]["confidence"] == pytest.approx(0.7)
        s.add_article(article("e2", "Mosul.", "2014-06-12"), [replace(mention(MOSUL, 0, "Mosul", "2014-06-12"), confidence=0.1)])
        assert s.place_rows(Filters())[0]["confidence"] == pytest.approx(0.5)
        assert s.place_rows(Filters(start=date(2014, 6, 1), end=date(2014, 6, 15)))[0]["confidence"] == pytest.approx(0.5)
        assert [(round(m["confidence_sum"], 6), m["confident"]) for m in s._rows("SELECT confidence_sum, confident FROM place_months")] \
            == [(1.5, 3)]


def test_a_batch_asks_once_which_ids_and_texts_are_stored(filled):
    """What a bulk-ingest worker asks for a whole partition: stored texts by id, stored text keys."""
    from conflictmap.store.writes import text_key

    texts, keys = filled.known_texts([("a1", "Fighting in Mosul."), ("a2", "a new text"), ("zz", "Iraqi   forces."), ("new", "unseen")])
    assert texts == {"a1": "Fighting in Mosul.", "a2": "Mosul and Erbil in Iraq."}
    assert keys == {text_key("Fighting in Mosul."), text_key("Iraqi forces.")}  # spacing aside, under any id
    assert filled.known_texts([]) == ({}, set())


def test_deleting_an_article_takes_its_mentions_counts_and_orphan_places(filled):
    assert filled.delete_article("a2") and not filled.delete_article("a2")
    assert filled.article("a2") is None
    assert {r["name"]: r["mentions"] for r in filled.place_rows(Filters(demonyms=True))} == {"Mosul": 1, "Iraq": 1}
    assert filled.totals(Filters(demonyms=True)) == {"mentions": 2, "articles": 2, "places": 2}
    assert filled.stats()["places"] == 2  # Erbil was only in a2
    assert filled.daily_counts(Filters(demonyms=True)) == [{"day": "2014-06-10", "mentions": 1}, {"day": "2014-07-01", "mentions": 1}]


def test_the_same_text_is_found_whatever_its_id_or_spacing(filled):
    assert filled.has_text("Fighting  in\nMosul. ") == "a1"
    assert filled.has_text("Fighting in Erbil.") is None


def test_impossible_days_are_left_out_of_the_span_and_refused_as_filters_alike(store):
    """A store written by hand or by an old release may hold "2014-02-31"; both backends skip it."""
    store.add_article(article("d1", "Fighting in Mosul.", "2014-02-10"), [
        mention(MOSUL, 0, "Mosul", "2014-02-31"), mention(MOSUL, 12, "Mosul", "2014-02-10"), mention(ERBIL, 20, "Erbil", "2014-03-00")])
    assert store.span() == ("2014-02-10", "2014-02-10")
    for bad in ("2014-02-31", "31/02/2014"):
        with pytest.raises(StoreError, match=r"not a real day; give it as YYYY-MM-DD"):
            store.place_rows(Filters(start=bad))  # type: ignore[arg-type]
    assert store.totals(Filters(start="2014-02-01", end="2014-02-28")) == {"mentions": 1, "articles": 1, "places": 1}  # type: ignore[arg-type]


def test_mention_rows_are_lean_and_the_runners_up_come_back_where_shown(store):
    from conflictmap.mentions import Candidate

    sinjar = replace(mention(MOSUL, 0, "Sinjar", "2014-08-03"), candidates=(Candidate.from_dict(
        {"name": "Sinjar District", "lat": 36.3, "lon": 41.8, "geonameid": 1, "country_code": "IQ"}),))
    store.add_article(article("c1", "Sinjar and Erbil.", "2014-08-03"), [sinjar, mention(ERBIL, 11, "Erbil", "2014-08-03")])
    assert "candidates" not in store._rows("SELECT * FROM mentions WHERE article_id = 'c1' ORDER BY start")[0]
    rows = {r["text"]: r for r in store.mention_rows(Filters())}
    assert [c.name for c in Mention.from_dict(rows["Sinjar"]).candidates] == ["Sinjar District"]
    assert Mention.from_dict(rows["Erbil"]).candidates == ()
    assert [c["name"] for c in store.article("c1")["mentions"][0]["candidates"]] == ["Sinjar District"]
    assert [c.name for c in store.place_candidates(store.place_id(MOSUL))] == ["Sinjar District"]
    store.delete_article("c1")
    assert store._rows("SELECT COUNT(*) AS n FROM mention_candidates")[0]["n"] == 0


def test_the_full_text_index_keeps_no_second_copy_of_the_texts(tmp_path):
    with Store(tmp_path / "f.db") as s:
        s.add_article(article("t1", "Talks in Geneva.", "2014-06-10"), [])
        s.add_article(article("t1", "Talks in Vienna.", "2014-06-11"), [])  # a new version
        tables = {r["name"] for r in s._rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "articles_fts" in tables and "articles_fts_content" not in tables
        assert s._rows("SELECT COUNT(*) AS n FROM articles_fts WHERE articles_fts MATCH 'vienna'")[0]["n"] == 1
        assert s._rows("SELECT COUNT(*) AS n FROM articles_fts WHERE articles_fts MATCH 'geneva'")[0]["n"] == 0


def test_a_batch_of_articles_lands_whole_but_for_the_one_that_fails(store):
    """Bulk ingest writes a batch in one transaction; an article that cannot be written is undone alone."""
    broken = Place(geonameid=None, name="Nowhere", lat=None, lon=None)  # type: ignore[arg-type]
    outcomes = store.add_articles([
        (article("b1", "Fighting in Mosul.", "2014-06-10"), [mention(MOSUL, 12, "Mosul", "2014-06-10")], "v1"),
        (article("b2", "Fighting nowhere.", "2014-06-11"), [mention(ERBIL, 0, "Erbil", "2014-06-11"), mention(broken, 9, "nowhere", "2014-06-11")], "v1"),
        (article("b1", "Fighting in Mosul.", "2014-06-10"), [mention(MOSUL, 12, "Mosul", "2014-06-10")], "v1"),
        (article("b3", "Talks in Erbil.", "2014-06-12"), [mention(ERBIL, 9, "Erbil", "2014-06-12")], "v1"),
    ])
    assert outcomes[0] == "added" and isinstance(outcomes[1], Exception) and outcomes[2:] == ["duplicate", "added"]
    assert {a["id"] for a in store._rows("SELECT id FROM articles")} == {"b1", "b3"}
    assert store.totals(Filters()) == {"mentions": 2, "articles": 2, "places": 2}  # nothing of b2, not even Erbil's count


def test_facets_offer_every_source_country_kind_and_the_most_mentioned_places(filled):
    facets = filled.facets()
    assert facets["sources"] == ["Desk", "Other"]
    assert facets["countries"] == ["IQ"] and facets["kinds"] == ["city", "country"]
    assert [name for _, name, _ in facets["places"]] == ["Mosul", "Iraq", "Erbil"]  # 2, 2 (one a demonym), 1; ties by id
