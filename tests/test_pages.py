"""The dashboard's pages under Streamlit's AppTest: real scripts, a real store, no browser.

Every test points CONFLICTMAP_HOME at its own folder and drops Streamlit's caches
first (conftest's `app_home` and `demo_home`), because the store is an
`st.cache_resource` shared by every session.
"""

from __future__ import annotations

import subprocess
from datetime import date


from conflictmap.filters import Filters
from conflictmap.ingest import ingest
from conflictmap.store.sqlite import Store

from tests.apphelp import HOSTILE, metrics, new_app, write_hostile
from tests.conftest import PYTHON, ROOT


def store_at(home) -> Store:
    return Store(home / "conflictmap.db")


def no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ---- map page -------------------------------------------------------------------------------


def test_first_start_ingests_the_demo_and_shows_counts(app_home):
    at = new_app().run()
    no_exception(at)
    counts = metrics(at)
    assert set(counts) == {"Articles", "Places", "Mentions"}
    assert counts["Articles"] > 80
    assert counts["Places"] > 20
    assert counts["Mentions"] > counts["Articles"]
    with store_at(app_home) as store:
        assert counts == {k.title(): v for k, v in store.totals(Filters()).items()}
    # The whole span is shown, and the default view leaves the URL empty.
    assert at.slider(key="w_window").value == (date(2014, 6, 5), date(2014, 9, 30))
    assert at.query_params == {}
    # Nothing selected yet: the excerpt column explains itself and lists the top places.
    assert any("Click a place" in c.value for c in at.caption)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 5


def test_articles_an_older_geoparser_placed_are_named_with_the_command_that_redoes_them(demo_home):
    at = new_app().run()
    no_exception(at)
    assert not [w for w in at.sidebar.warning if "older version" in w.value]  # the demo was placed by today's
    with store_at(demo_home) as store:
        ids = [a["id"] for a in store.articles(Filters(), limit=3)]
        assert len(ids) == 3
        with store._transaction() as db:
            db.executemany("UPDATE articles SET geoparser = 'conflictmap-geoparser/1' WHERE id = ?", [(i,) for i in ids])
    for page in (None, "pages/places.py"):
        at = new_app()
        at.run() if page is None else at.run().switch_page(page).run()
        no_exception(at)
        notes = [w.value for w in at.sidebar.warning if "older version" in w.value]
        assert len(notes) == 1 and notes[0].startswith("3 articles") and "conflictmap regeoparse" in notes[0], notes


def test_date_slider_lowers_the_counts_and_goes_into_the_url(demo_home):
    at = new_app().run()
    before = metrics(at)
    at.slider(key="w_window").set_value((date(2014, 6, 5), date(2014, 6, 30))).run()
    no_exception(at)
    after = metrics(at)
    assert set(before) == set(after) == {"Articles", "Places", "Mentions"}
    assert all(after[k] < before[k] for k in before), (before, after)
    with store_at(demo_home) as store:
        expected = store.totals(Filters(start=date(2014, 6, 5), end=date(2014, 6, 30)))
    assert after == {k.title(): v for k, v in expected.items()}
    assert "30 Jun 2014" in " ".join(m.value for m in at.markdown)
    assert at.query_params["end"] == "2014-06-30"
    assert "start" not in at.query_params  # the window starts where the data does


def test_query_params_seed_the_country_filter(demo_home):
    at = new_app({"countries": "SY"}).run()
    no_exception(at)
    assert at.multiselect(key="f_countries").value == ["SY"]
    counts = metrics(at)
    with store_at(demo_home) as store:
        syria = store.totals(Filters(countries=("SY",)))
        everything = store.totals(Filters())
    assert counts == {k.title(): v for k, v in syria.items()}
    assert 0 < counts["Places"] < everything["places"]
    table = at.dataframe[0].value
    assert set(table["Country"]) == {"Syria"}  # names, not ISO codes


def test_query_params_seed_window_and_presenter_mode(demo_home):
    at = new_app({"present": "1", "start": "2014-07-01", "end": "2014-07-31"}).run()
    no_exception(at)
    assert at.toggle(key="f_present").value is True
    assert at.slider(key="w_window").value == (date(2014, 7, 1), date(2014, 7, 31))
    # Presenter mode hides the sidebar with CSS and drops the histogram and the table.
    css = " ".join(m.value for m in at.markdown)
    assert 'section[data-testid="stSidebar"]' in css and "display: none" in css
    assert len(at.dataframe) == 0
    assert "01 Jul 2014 – 31 Jul 2014" in css


def test_bad_query_params_open_the_default_view(demo_home):
    at = new_app({"start": "yesterday", "end": "2014-13-45", "countries": "<script>", "min": "-3", "zoom": "x",
                  "place": "999999", "colour": "plaid"}).run()
    no_exception(at)
    with store_at(demo_home) as store:
        assert metrics(at)["Articles"] == store.totals(Filters())["articles"]
    assert at.slider(key="w_window").value == (date(2014, 6, 5), date(2014, 9, 30))


def test_place_in_the_url_shows_its_excerpts(demo_home):
    with store_at(demo_home) as store:
        mosul = next(r for r in store.place_rows(Filters()) if r["name"] == "Mosul")
    at = new_app({"place": str(mosul["place_id"])}).run()
    no_exception(at)
    assert [s.value for s in at.subheader] == ["Mosul"]
    cards = [m.value for m in at.markdown if 'class="cm-excerpt"' in m.value]
    assert 1 <= len(cards) <= 8
    assert all("<mark" in c and ">Mosul</mark>" in c for c in cards)
    # More than one page of excerpts: paging works and keeps the place.
    if mosul["mentions"] > 8:
        at.button(key="older").click().run()
        no_exception(at)
        assert any("page 2 of" in m.value for m in at.markdown)
        assert [s.value for s in at.subheader] == ["Mosul"]
    at.button(key="clear_place").click().run()
    no_exception(at)
    assert [s.value for s in at.subheader] == ["Excerpts"]
    assert "place" not in at.query_params


def test_a_place_can_be_picked_without_the_mouse(demo_home):
    with store_at(demo_home) as store:
        erbil = next(r for r in store.place_rows(Filters()) if r["name"] == "Erbil")
    at = new_app().run()
    no_exception(at)
    picker = at.selectbox(key="w_pick")
    picker.set_value(erbil["place_id"]).run()
    no_exception(at)
    assert [s.value for s in at.subheader] == ["Erbil"]
    assert at.query_params["place"] == [str(erbil["place_id"])] or at.query_params["place"] == str(erbil["place_id"])


def test_excerpts_mixing_articles_with_and_without_a_url(demo_home, parser, tmp_path):
    """Demo briefs have no URL; one with a (hostile) URL on the same page of excerpts once crashed the page."""
    with store_at(demo_home) as store:
        assert ingest([write_hostile(tmp_path)], store, parser=parser).added == 1
        window = Filters(start=date(2014, 6, 14), end=date(2014, 6, 24))
        mosul = next(r for r in store.place_rows(window) if r["name"] == "Mosul")
    at = new_app({"place": str(mosul["place_id"]), "start": "2014-06-14", "end": "2014-06-24"}).run()
    no_exception(at)
    cards = [m.value for m in at.markdown if 'class="cm-excerpt"' in m.value]
    assert len(cards) >= 2
    assert not any(">nan<" in c or "nan ·" in c or "“nan”" in c for c in cards)
    hostile = [c for c in cards if "pwned" in c]
    assert len(hostile) == 1
    assert "<script" not in hostile[0] and "<img" not in hostile[0] and "javascript:" not in hostile[0]
    assert "&lt;b&gt;Evil&lt;/b&gt;" in hostile[0]
    assert any(f"· {mosul['mentions']} mentions in {mosul['articles']} articles" in c.value for c in at.caption)


def test_one_mention_is_not_plural(demo_home):
    with store_at(demo_home) as store:
        day = Filters(start=date(2014, 6, 20), end=date(2014, 6, 20))
        once = next(r for r in store.place_rows(day) if r["mentions"] == 1 and r["articles"] == 1)
    at = new_app({"place": str(once["place_id"]), "start": "2014-06-20", "end": "2014-06-20"}).run()
    no_exception(at)
    assert any(c.value.endswith("· 1 mention in 1 article") for c in at.caption), [c.value for c in at.caption]


# ---- other pages ----------------------------------------------------------------------------


def test_places_page_lists_places_and_not_a_place_hides_one(demo_home):
    at = new_app().run()
    at.switch_page("pages/places.py").run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Places"]
    table = at.dataframe[0].value
    # headers in words, countries by name
    assert len(table) > 20 and {"Place", "Country", "Mentions", "Latitude", "Longitude"} <= set(table.columns)
    assert "Iraq" in set(table["Country"]) and "IQ" not in set(table["Country"])
    box = at.selectbox(key="correct_place")
    victim_id = int(table["Id"].iloc[3])
    victim_name = table["Place"].iloc[3]
    box.set_value(victim_id).run()
    assert at.selectbox(key="correct_place").value == victim_id
    at.button(key="reject").click().run()
    no_exception(at)
    table = at.dataframe[0].value
    assert victim_id not in set(table["Id"])
    assert not any(o.startswith(victim_name + " (") for o in at.selectbox(key="correct_place").options)
    assert any("not a place" in m.value for m in at.markdown), [m.value for m in at.markdown]
    # the confirmation says what was hidden, and offers an undo
    assert any(s.value.startswith("Hid ") and victim_name in s.value for s in at.success), [s.value for s in at.success]
    with store_at(demo_home) as store:
        assert victim_id not in {r["place_id"] for r in store.place_rows(Filters())}
    # The map counts no longer include it.
    at.switch_page("pages/map.py").run()
    no_exception(at)
    with store_at(demo_home) as store:
        assert metrics(at)["Places"] == store.totals(Filters())["places"]
    # Undo brings it back.
    at.switch_page("pages/places.py").run()
    at.button(key=f"undo-{victim_id}").click().run()
    no_exception(at)
    assert victim_id in set(at.dataframe[0].value["Id"])


def test_places_page_lists_the_least_certain_first_for_review(demo_home):
    """Issue 11 item 5: the Places page can put the places the geoparser was least sure of on top."""
    at = new_app().run()
    at.switch_page("pages/places.py").run()
    by_count = at.dataframe[0].value
    at.toggle(key="least_certain").set_value(True).run()
    no_exception(at)
    table = at.dataframe[0].value
    confidence = list(table["Confidence"])
    assert confidence == sorted(confidence) and confidence[0] < 50, confidence[:5]
    assert list(table["Id"]) != list(by_count["Id"]) and set(table["Id"]) == set(by_count["Id"])


def test_places_page_finds_a_place_by_any_spelling(demo_home):
    """Issue 12: "Kobane" and "Falluja" are spellings the gazetteer knows, not the display names."""
    at = new_app().run()
    at.switch_page("pages/places.py").run()
    everything = at.dataframe[0].value
    for typed, shown in (("Kobane", "Kobani"), ("Falluja", "Fallujah")):
        assert shown in set(everything["Place"]), shown
        at.text_input(key="places_find").input(typed).run()
        no_exception(at)
        table = at.dataframe[0].value
        assert list(table["Place"]) == [shown], (typed, list(table["Place"]))
        box = at.selectbox(key="correct_place")
        assert len(box.options) == 1 and box.options[0].startswith(shown + " ("), box.options
    at.text_input(key="places_find").input("Qwertyville").run()
    no_exception(at)
    assert at.dataframe[0].value.empty
    assert any("No place in view answers to" in c.value for c in at.caption), [c.value for c in at.caption]


def test_places_page_moves_a_place_to_a_candidate_and_to_a_gazetteer_match(demo_home):
    """Both ways of picking another place hand the store a `Place` record, and the table follows."""
    at = new_app().run()
    at.switch_page("pages/places.py").run()
    with store_at(demo_home) as store:
        rows = store.place_rows(Filters())
        victim = next(r for r in rows if store.place_candidates(r["place_id"]))
        runner_up = store.place_candidates(victim["place_id"])[0]
    at.selectbox(key="correct_place").set_value(victim["place_id"]).run()
    at.radio(key="cand").set_value(0).run()
    at.button(key="use_cand").click().run()
    no_exception(at)
    with store_at(demo_home) as store:
        (moved,) = [c for c in store.corrections() if c["place_id"] == victim["place_id"]]
        assert moved["new_name"] == runner_up.name and moved["note"] == "picked another candidate"
        target = store.place(moved["new_place_id"])
        assert (target.geonameid, target.lat, target.lon) == (runner_up.geonameid, runner_up.lat, runner_up.lon)
    # the same place, moved again by a search of the gazetteer
    at.switch_page("pages/places.py").run()
    other = next(r for r in at.dataframe[0].value.to_dict("records") if r["Place"] == "Baghdad")
    at.selectbox(key="correct_place").set_value(int(other["Id"])).run()
    at.text_input(key="fix_query").input("Erbil").run()
    at.radio(key="fix_pick").set_value(0).run()
    at.button(key="use_found").click().run()
    no_exception(at)
    with store_at(demo_home) as store:
        (moved,) = [c for c in store.corrections() if c["place_id"] == int(other["Id"])]
        target = store.place(moved["new_place_id"])
        assert target.name == "Erbil" and target.country_code == "IQ" and target.geonameid is not None


def test_articles_page_renders_an_article_with_marked_places(demo_home):
    at = new_app().run()
    at.switch_page("pages/articles.py").run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Articles"]
    box = at.selectbox[0]
    assert len(box.options) > 80
    body = [m.value for m in at.markdown if 'class="cm-article"' in m.value]
    assert len(body) == 1 and "<mark" in body[0]
    assert any('class="cm-title"' in m.value for m in at.markdown)  # the heading: escaped HTML, never Markdown
    assert len(at.dataframe) == 1  # the article's places beside the text
    # Picking another article shows it and puts it into the URL.
    first = box.value
    with store_at(demo_home) as store:
        listing = [a["id"] for a in store.articles(Filters(), limit=500)]
    assert first == listing[0]  # newest first
    at.selectbox[0].set_value(listing[5]).run()  # by value: select_index trips over a dict.get format_func
    no_exception(at)
    with store_at(demo_home) as store:
        chosen = store.article(at.selectbox[0].value)
    assert chosen["id"] == listing[5]
    import html

    assert f'<h3 class="cm-title">{html.escape(chosen["title"])}</h3>' in [m.value for m in at.markdown]
    assert at.query_params["article"] == chosen["id"]


def test_add_articles_paste_text_then_read_it_escaped(demo_home):
    at = new_app().run()
    at.switch_page("pages/add_articles.py").run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Add articles"]
    add = next(b for b in at.button if b.label == "Add this text")
    assert add.disabled  # nothing pasted yet
    pasted = HOSTILE["title"] + "\n\n" + HOSTILE["text"] + " Aid reached Aleppo on 2 July 2014."
    at.text_area[0].input(pasted).run()
    next(b for b in at.button if b.label == "Add this text").click().run()
    no_exception(at)
    assert [e.value for e in at.error] == []
    assert len(at.success) == 1 and "added 1" in at.success[0].value
    with store_at(demo_home) as store:
        found = store.articles(Filters(keyword="Aleppo"), limit=500)
        new = [a for a in found if "Hostile" in (a["title"] or "")]
    assert len(new) == 1
    # Pasting the same text again is skipped as a duplicate.
    next(b for b in at.button if b.label == "Add this text").click().run()
    assert "added 0" in at.success[0].value
    # A link to it (?article=<id>) opens it on the Articles page, with every tag escaped.
    at = new_app({"article": new[0]["id"]}).run()
    at.switch_page("pages/articles.py").run()
    no_exception(at)
    assert at.selectbox[0].value == new[0]["id"]
    body = next(m.value for m in at.markdown if 'class="cm-article"' in m.value)
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in body


def test_library_never_imports_streamlit():
    """Every module of the library, found by walking the package, imports without streamlit."""
    code = ("import importlib, pkgutil, sys, conflictmap\n"
            "names = [m.name for m in pkgutil.walk_packages(conflictmap.__path__, 'conflictmap.') if not m.name.endswith('__main__')]\n"
            "for name in names: importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
            "assert len(names) > 20, names\n"
            "assert not bad, bad\n")
    done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_page_relies_on_streamlit_magic():
    """`.streamlit/config.toml` turns magic off (each script compiles straight from its source):
    a bare expression meant for the page would show nothing, so every page calls st.* instead."""
    import ast
    import tomllib

    assert tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["runner"]["magicEnabled"] is False
    scripts = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) > 4
    bare = []
    for script in scripts:
        body = ast.parse(script.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0]) for n in ast.walk(body) if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and ast.get_docstring(n, clean=False) is not None}
        bare += [f"{script.name}:{n.lineno}" for n in ast.walk(body) if isinstance(n, ast.Expr) and id(n) not in docstrings
                 and not isinstance(n.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]
    assert bare == [], f"bare expressions magic would have written to the page: {bare}"
