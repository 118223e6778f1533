"""The dashboard in a real browser: Debian's chromium driven by playwright against `streamlit run`.

One Streamlit server runs for the module, over a private home holding the demo
corpus and one hostile article. Every browser context aborts each request that
is not for this machine and records it; every test ends by checking that none
was attempted. Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from conflictmap.filters import Filters
from conflictmap.store.sqlite import Store

from tests.apphelp import (  # noqa: F401 - `browser` is the shared fixture
    ARTIFACTS, CHROMIUM, FOLIUM_IFRAME, LOCAL_HOSTS, MARKER_COUNT_JS, VIEWPORT, Net, browser, leaflet_version, map_frame,
    routed_page, settle, shot, streamlit_server, wait_until, write_hostile,
)
from tests.conftest import ROOT

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright (python) is not installed in this environment"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]


# ---- fixtures -------------------------------------------------------------------------------


def _cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "conflictmap", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"conflictmap {' '.join(args)} failed:\n{done.stderr[-2000:]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run dashboard.py` on a free local port, over a home with the demo corpus and the hostile article."""
    tmp = tmp_path_factory.mktemp("browser")
    home = tmp / "home"
    env = dict(os.environ, CONFLICTMAP_HOME=str(home), PYTHONPATH=str(ROOT))
    # The demo goes in first: the dashboard only loads it into an empty store.
    _cli(["demo"], env)
    _cli(["ingest", "--quiet", str(write_hostile(tmp))], env)
    # one stray date far from the rest of the news (an anniversary piece): it must not squash the timeline
    stray = tmp / "stray.jsonl"
    stray.write_text(json.dumps({"title": "Looking back", "published": "1947-05-01",
                                 "text": "In 1947 the railway reached Baghdad."}) + "\n", encoding="utf-8")
    _cli(["ingest", "--quiet", str(stray)], env)
    # a genuinely ambiguous name with nothing around it (which of the many Springfields?): an uncertain pin
    vague = tmp / "vague.jsonl"
    vague.write_text(json.dumps({"title": "Vote delayed", "published": "2014-07-01",
                                 "text": "Officials in Springfield said the vote was delayed."}) + "\n", encoding="utf-8")
    _cli(["ingest", "--quiet", str(vague)], env)
    with Store(home / "conflictmap.db") as store:
        hostile = [a for a in store.articles(Filters(keyword="pwned"), limit=10) if a["title"].startswith("Hostile")]
        assert len(hostile) == 1
        rows = store.place_rows(Filters())
        ids = {r["name"]: r["place_id"] for r in sorted(rows, key=lambda r: r["mentions"])}
    with streamlit_server(env, tmp / "streamlit.log") as base:
        yield {"url": base, "home": home, "hostile": hostile[0]["id"], "mosul": ids["Mosul"], "ids": ids,
               "log": tmp / "streamlit.log"}


@pytest.fixture(scope="module")
def net():
    record = Net()
    yield record
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "browser-network.json").write_text(json.dumps(record.summary(), indent=2), encoding="utf-8")


@pytest.fixture
def open_app(browser, server, net):
    """open_app(path) -> a page of the dashboard in a fresh browser context, loaded and idle."""
    contexts = []
    before = len(net.external)

    def _open(path: str = "/", *, wait_map: bool = True, viewport: dict | None = None):
        page = routed_page(browser, net, viewport or VIEWPORT)
        contexts.append(page.context)
        page.on("dialog", lambda d: (net.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("websocket", lambda ws: net.sockets.append(ws.url))
        page.goto(server["url"] + path)
        page.wait_for_selector('[data-testid="stMain"] h1, .cm-window', timeout=60_000)
        if wait_map:
            # looked up afresh each time: the rerun that keeps the map's settled view may replace the frame
            wait_until(page, lambda: map_frame(page).evaluate(MARKER_COUNT_JS) > 0, timeout=60, what="markers on the map")
        settle(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert net.external[before:] == [], "requests beyond this machine were attempted"
    assert net.sockets or not contexts, "no page opened Streamlit's websocket"
    assert all((urlsplit(u).hostname or "") in LOCAL_HOSTS for u in net.sockets), net.sockets
    assert net.dialogs == [], net.dialogs


# ---- helpers --------------------------------------------------------------------------------


def circle_count(page) -> int:
    return map_frame(page).evaluate(MARKER_COUNT_JS)


MAP_BOUNDS_JS = """() => { const m = Object.values(window).find(v => v && window.L && v instanceof L.Map);
    const b = m.getBounds(); return {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()}; }"""


def assert_frames_iraq(page) -> None:
    """The first view is the bulk of the demo's news (Iraq and its neighbours), not the world its outliers span."""
    b = map_frame(page).evaluate(MAP_BOUNDS_JS)
    assert b["west"] <= 42 and b["east"] >= 46 and b["south"] <= 31 and b["north"] >= 37, b  # Baghdad to Duhok, Rutba to Basra
    assert b["west"] >= 20 and b["east"] <= 70 and b["south"] >= 15 and b["north"] <= 50, b  # not out to Washington or London


LABELS_JS = """() => Array.from(document.querySelectorAll('.leaflet-tooltip.cm-label'))
    .filter(e => getComputedStyle(e).visibility !== 'hidden')
    .map(e => { const r = e.getBoundingClientRect();
                return {text: e.innerText, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                        px: parseFloat(getComputedStyle(e).fontSize)}; })"""


def assert_labels_apart(page, min_px: float) -> None:
    """The most mentioned places are named on the map, readable, and no two names cover each other."""
    labels = wait_until(page, lambda: map_frame(page).evaluate(LABELS_JS), what="place labels on the map")
    assert len(labels) >= 3, labels
    assert all(lab["px"] >= min_px for lab in labels), labels
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, f"labels overlap: {a} and {b}"


def metrics(page) -> dict[str, int]:
    """The counts line over the map, e.g. {"Articles": 112, "Places": 84, "Mentions": 653}."""
    text = page.locator(".cm-counts").first.inner_text()
    return {word.capitalize(): int(n.replace(",", "")) for n, word in re.findall(r"([\d,]+) (articles|places|mentions)", text)}


def heading(page) -> str:
    """The title of the excerpt column: "Excerpts", or the selected place's name."""
    return page.locator('[data-testid="stMain"] h3').first.inner_text().strip()


def shrink_window_to_june(page) -> None:
    """Drag the slider's end thumb to the end of June, then step it by arrow keys (a day a press).

    (The end input's own box is Streamlit's visually hidden 1-px input and its value label, and a
    click on the track moves whichever thumb is nearer, so the thumb itself is what gets dragged.)
    """
    inputs = page.locator('.st-key-w_window input[type="range"]')
    end = inputs.nth(1)
    first = datetime.strptime(inputs.nth(0).get_attribute("aria-valuetext"), "%Y-%m-%d")
    last = datetime.strptime(end.get_attribute("aria-valuetext"), "%Y-%m-%d")
    track = page.locator('.st-key-w_window [data-testid="stSlider"] [role="group"] > div').first.bounding_box()
    thumb = end.locator("xpath=../..").bounding_box()
    share = (datetime(2014, 6, 27) - first) / (last - first)
    y = thumb["y"] + thumb["height"] / 2
    page.mouse.move(thumb["x"] + thumb["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * share, y, steps=8)
    page.mouse.up()
    settle(page)
    dragged = end.get_attribute("aria-valuetext")
    assert "2014-06-15" <= dragged <= "2014-07-10", dragged
    end.focus()
    page.keyboard.press("ArrowLeft")
    settle(page)
    stepped = datetime.strptime(end.get_attribute("aria-valuetext"), "%Y-%m-%d")
    assert (datetime.strptime(dragged, "%Y-%m-%d") - stepped).days == 1, "an arrow key steps the window's end by a day"
    for _ in range(15):  # bounded: a thumb that ignores the keys fails below, not at the suite's timeout
        if (end.get_attribute("aria-valuetext") or "") <= "2014-06-30":
            break
        page.keyboard.press("ArrowLeft")
        settle(page)
    assert end.get_attribute("aria-valuetext").startswith("2014-06")


def pick_country(page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)


def click_biggest_marker(page) -> str:
    """Click the centre of the largest marker that is clear of others; return the name the excerpts then show."""
    (pid,) = clickable_markers(page, 1, set())
    at = marker_centre(page, pid)
    page.mouse.click(at["x"], at["y"])
    # The excerpts show first; the URL follows at the end of the same rerun.
    page.wait_for_function(f"() => /[?&]place={pid}(&|$)/.test(location.search)", timeout=30_000)
    settle(page)
    return heading(page)


# ---- tests ----------------------------------------------------------------------------------


def test_markers_are_drawn_on_the_map(open_app):
    page = open_app("/")
    frame = map_frame(page)
    assert frame.locator("path.leaflet-interactive").count() > 10
    assert circle_count(page) > 10
    counts = metrics(page)
    assert counts["Articles"] > 80 and counts["Mentions"] > counts["Articles"]
    assert page.locator(".cm-window").inner_text() == "05 Jun 2014 – 30 Sep 2014"
    assert_frames_iraq(page)
    assert_labels_apart(page, 14)
    shot(page, "a-map-markers")


@pytest.mark.timeout(180)
def test_moving_the_slider_changes_markers_and_counts(open_app):
    page = open_app("/")
    before, markers_before = metrics(page), circle_count(page)
    shrink_window_to_june(page)
    assert page.locator(".cm-window").inner_text().startswith("05 Jun 2014 – ")
    assert " Jun 2014" in page.locator(".cm-window").inner_text().split("–")[1]
    after = metrics(page)
    assert after["Mentions"] < before["Mentions"] and after["Articles"] < before["Articles"], (before, after)
    markers_after = wait_until(page, lambda: (n := circle_count(page)) != markers_before and n, what="the map to redraw")
    assert 0 < markers_after < markers_before
    assert "end=2014-06-" in page.url  # mirrored into the address bar
    shot(page, "b-slider-june")


def test_play_steps_the_window_forward_keeping_its_width(open_app):
    page = open_app("/?start=2014-06-05&end=2014-06-12")
    first = page.locator(".cm-window").inner_text()
    assert first == "05 Jun 2014 – 12 Jun 2014"
    page.get_by_text("Play", exact=False).first.click()
    seen = wait_until(page, lambda: (t := page.locator(".cm-window").inner_text()) != first and t, timeout=20,
                      what="the window to move")
    start, end = (datetime.strptime(x.strip(), "%d %b %Y") for x in seen.split("–"))
    assert start > datetime(2014, 6, 5) and (end - start).days == 7
    page.get_by_text("Play", exact=False).first.click()  # stop
    shot(page, "b3-playing")


AXIS_DAYS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"] .role-axis-label text'))
    .map(t => { const r = t.getBoundingClientRect(); return {text: t.textContent.trim(), x: r.left + r.width / 2, y: r.top}; })
    .filter(t => /^[A-Z][a-z]{2} \\d{2}$/.test(t.text))"""


def test_brushing_the_histogram_sets_the_window(open_app):
    """Brushing from one day on the chart's axis to another makes those days the window."""
    page = open_app("/")
    before = metrics(page)
    box = page.locator('[data-testid="stVegaLiteChart"] svg').first.bounding_box()
    assert box["height"] > 80  # the bars have room to be read
    days = wait_until(page, lambda: len(t := page.evaluate(AXIS_DAYS_JS)) >= 6 and t, what="the histogram's day labels")
    year = int(page.locator(".cm-window").inner_text().split()[-1])
    first, last = days[1], days[5]
    want = [datetime.strptime(f"{d['text']} {year}", "%b %d %Y") for d in (first, last)]
    y = box["y"] + box["height"] * 0.45  # inside the bars' band, above the axis
    page.mouse.move(first["x"], y)
    page.mouse.down()
    page.mouse.move(last["x"], y, steps=8)
    page.mouse.up()
    page.wait_for_function(f"() => /[?&]start={year}-/.test(location.search)", timeout=30_000)
    settle(page)
    thumbs = page.locator('.st-key-w_window input[type="range"]')
    got = [datetime.strptime(thumbs.nth(i).get_attribute("aria-valuetext"), "%Y-%m-%d") for i in (0, 1)]
    assert all(abs((g - w).days) <= 1 for g, w in zip(got, want)), (got, want)  # a day either side: the pixel's width
    assert got[0].strftime("%Y-%m-%d") in page.url
    after = metrics(page)
    assert after["Mentions"] < before["Mentions"]
    shot(page, "b2-histogram-brush")


def test_clicking_a_place_shows_its_excerpts(open_app):
    page = open_app("/")
    assert heading(page) == "Excerpts"
    name = click_biggest_marker(page)
    page.locator(".cm-excerpt mark").first.wait_for(timeout=30_000)
    assert heading(page) == name
    cards = page.locator(".cm-excerpt")
    assert 1 <= cards.count() <= 8
    assert cards.first.locator("mark").count() >= 1
    assert re.search(r"[?&]place=\d+", page.url)
    shot(page, "c-place-excerpts")


def test_share_link_restores_the_view(open_app, server):
    page = open_app("/?end=2014-06-30")  # the window from the address; country and place by hand
    pick_country(page, "Iraq")
    name = click_biggest_marker(page)
    page.locator(".cm-excerpt").first.wait_for(timeout=30_000)
    link = page.url
    assert "countries=IQ" in link and "end=2014-06-" in link and "place=" in link, link
    seen = {"window": page.locator(".cm-window").inner_text(), "metrics": metrics(page), "heading": heading(page)}
    assert seen["heading"] == name
    shot(page, "d-share-before")

    assert link.startswith(server["url"] + "/")
    again = open_app(link[len(server["url"]):])
    restored = {"window": again.locator(".cm-window").inner_text(), "metrics": metrics(again), "heading": heading(again)}
    assert restored == seen
    assert again.locator(".cm-excerpt mark").count() >= 1
    # The selected place keeps its label on the map.
    permanent = map_frame(again).locator(".leaflet-tooltip")
    assert name in " ".join(permanent.all_inner_texts())
    shot(again, "d-share-restored")


@pytest.mark.parametrize("window", ["&start=2014-06-20&end=2014-06-20", ""], ids=["one-day", "whole-span"])
def test_selected_place_label_sits_by_its_marker(open_app, server, window):
    page = open_app(f"/?place={server['mosul']}{window}")
    boxes = map_frame(page).evaluate(
        """(pid) => {
            const box = (e) => {
                const r = e.getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
            };
            const marker = document.querySelector('path.cm-place-' + pid);
            const label = Array.from(document.querySelectorAll('.leaflet-tooltip')).find(t => t.innerText.startsWith('Mosul'));
            return marker && label ? {marker: box(marker), label: box(label)} : null;
        }""",
        server["mosul"],
    )
    assert boxes, "the selected place has no marker or no label"
    marker, label = boxes["marker"], boxes["label"]
    # A label once kept the place it had before the map settled, hundreds of pixels away.
    gap_x = max(label["left"] - marker["right"], marker["left"] - label["right"], 0)
    gap_y = max(label["top"] - marker["bottom"], marker["top"] - label["bottom"], 0)
    assert gap_x < 30 and gap_y < 30, boxes


def test_presenter_mode_hides_the_sidebar(open_app):
    page = open_app("/?present=1")
    assert page.locator('section[data-testid="stSidebar"]').is_hidden()
    assert page.get_by_role("switch", name="Presenter mode").is_checked()
    assert circle_count(page) > 10
    assert page.locator(".cm-counts").first.is_visible()
    shot(page, "e-presenter")


def _no_script_ran(page, net) -> None:
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__pwned") == "undefined", frame.url
        assert frame.locator('img[src="x"]').count() == 0, frame.url
        assert frame.locator('a[href^="javascript:"]').count() == 0, frame.url
    assert net.dialogs == []


def test_hostile_text_is_shown_not_run(open_app, server, net):
    page = open_app(f"/articles?article={server['hostile']}")
    page.locator(".cm-article").wait_for(timeout=30_000)
    body = page.locator(".cm-article")
    text = body.inner_text()
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=2">' in text
    assert page.get_by_text("<script>window.__pwned=1</script>", exact=False).first.is_visible()
    assert body.locator("script, img").count() == 0
    assert body.locator("mark").count() == 2  # Mosul and Baghdad
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Hostile <script>window.__pwned=1</script> title" in main
    assert "<b>Evil</b>" in main
    assert "Open the original" not in main  # a javascript: URL is never linked
    _no_script_ran(page, net)
    shot(page, "f-hostile-article")

    # The same text as an excerpt on the map page, for Mosul on that day.
    page = open_app(f"/?place={server['mosul']}&start=2014-06-20&end=2014-06-20")
    card = page.locator(".cm-excerpt", has_text="pwned")
    card.wait_for(timeout=30_000)
    assert "<script>window.__pwned=1</script>" in card.inner_text()
    assert card.locator("mark").inner_text() == "Mosul"
    assert card.locator("script, img, a").count() == 0
    assert "<b>Evil</b>" in card.locator(".cm-meta").inner_text()
    assert "Hostile <script>window.__pwned=1</script> title" in card.locator(".cm-meta").inner_text()
    _no_script_ran(page, net)
    shot(page, "f-hostile-excerpt")


def test_map_draws_with_the_network_blocked(open_app, net):
    page = open_app("/")
    frame = map_frame(page)
    assert frame.locator(".leaflet-overlay-pane path").count() > 10
    assert frame.locator("path:not(.leaflet-interactive)").count() > 20  # the offline basemap: land outlines
    assert frame.locator(".leaflet-tile-pane").count() == 1
    assert frame.evaluate("() => window.L && window.L.version") == leaflet_version()
    resources = frame.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    resources += page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert any("/app/static/vendor/leaflet" in r for r in resources), resources
    assert [r for r in resources if (urlsplit(r).hostname or "") not in LOCAL_HOSTS and not r.startswith("data:")] == []
    assert net.external == [], "no request may leave this machine, in any test of this module"
    assert net.page_errors == [], net.page_errors
    shot(page, "g-offline-map")


# ---- issue 8: every selection answered, the map first, ready for a projector -------------------

PICKER = '.st-key-w_pick'


def url_place(page) -> int | None:
    found = re.search(r"[?&]place=(\d+)", page.url)
    return int(found.group(1)) if found else None


def pick_place(page, name: str) -> None:
    """Choose a place in the picker by keyboard: type its name, Enter."""
    page.locator(f"{PICKER} input").click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    settle(page)


def map_center(page) -> tuple[float, float, int]:
    """The map's centre and zoom once its first view is settled (fitted to the places at the frame's real size,
    or placed where the page's view says): before that it is at folium's starting zoom, which nobody chose."""
    c = wait_until(page, lambda: map_frame(page).evaluate(
        """() => window.map && window.map.getContainer().hasAttribute('data-cm-view')
                 && [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"""),
        what="the map's first view to settle")
    return round(c[0], 3), round(c[1], 3), int(c[2])


def marker_centre(page, pid: int) -> dict | None:
    """Where a place's marker is on the page, read from the map itself (its `cm-place-<id>` shape)."""
    iframe = page.locator(FOLIUM_IFRAME).first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    at = map_frame(page).evaluate(
        """(pid) => {
            const e = document.querySelector('path.cm-place-' + pid);
            if (!e) return null;
            const r = e.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }""", pid)
    return None if at is None else {"x": box["x"] + at["x"], "y": box["y"] + at["y"]}


def clickable_markers(page, n: int, exclude: set[int]) -> list[int]:
    """Place ids of `n` markers whose centres are on screen, clear of the legend and controls, and not shared."""
    return map_frame(page).evaluate(
        """([n, exclude]) => {
            const blocked = Array.from(document.querySelectorAll('.conflictmap-legend, .leaflet-control'))
                .map(e => e.getBoundingClientRect());
            const inside = (r, x, y) => x >= r.left - 4 && x <= r.right + 4 && y >= r.top - 4 && y <= r.bottom + 4;
            const all = Array.from(document.querySelectorAll('path.cm-place')).map(p => {
                const r = p.getBoundingClientRect();
                return {id: p.options ? p.options.placeId : Number((p.getAttribute('class').match(/cm-place-(\\d+)/) || [])[1]),
                        x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width};
            });
            const ok = all.filter(m => !exclude.includes(m.id) && m.x > 10 && m.y > 10 && m.x < innerWidth - 10
                && m.y < innerHeight - 10 && !blocked.some(r => inside(r, m.x, m.y))
                && !all.some(o => o !== m && Math.hypot(o.x - m.x, o.y - m.y) < 8));
            ok.sort((a, b) => b.w - a.w);
            return ok.slice(0, n).map(m => m.id);
        }""", [n, sorted(exclude)])


def test_a_link_with_the_heat_layer_on_opens_a_drawn_map(open_app, net):
    """The heat layer draws on a canvas while the map is made, before its frame has a height."""
    before = len(net.page_errors)
    page = open_app("/?heat=1")
    map_frame(page).wait_for_function(
        "() => { const c = document.querySelector('canvas.leaflet-heatmap-layer');"
        " if (!c || !c.width || !c.height) return false;"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }",
        timeout=30_000,
    )
    assert circle_count(page) > 10
    assert net.page_errors[before:] == []
    shot(page, "g-heat-link")


# areas drawn as their real shapes (provinces, regions), not as stand-in circles (`cm-area`)
SHAPES_JS = "() => document.querySelectorAll('path.cm-shape').length"


def test_the_html_export_is_the_map_on_screen_and_opens_offline(open_app, server, browser, tmp_path):
    """The export is built with the screen's options: the same places, the provinces' real shapes, the data's credit."""
    page = open_app(f"/?place={server['mosul']}")
    on_screen = map_frame(page)
    shown = (on_screen.evaluate(MARKER_COUNT_JS), on_screen.evaluate(SHAPES_JS))
    assert shown[0] > 10 and shown[1] >= 1, shown
    page.get_by_text("Export this view").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Map as HTML (works offline)").click()
    saved = tmp_path / "map.html"
    download.value.save_as(saved)
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    try:
        opened = context.new_page()
        opened.goto(saved.as_uri())
        wait_until(opened, lambda: opened.evaluate(MARKER_COUNT_JS) > 0, what="markers in the exported file")
        assert (opened.evaluate(MARKER_COUNT_JS), opened.evaluate(SHAPES_JS)) == shown
        assert "GeoNames" in opened.locator(".leaflet-control-attribution").inner_text()
        assert "Mosul" in opened.locator(".leaflet-tooltip.cm-label").all_inner_texts().__str__()
    finally:
        context.close()


def test_picking_then_clicking_opens_each_of_eight_places(open_app, server):
    page = open_app("/")
    ids = server["ids"]
    opened = []
    for name in ("Baghdad", "Erbil", "Kirkuk", "Najaf"):
        pick_place(page, name)
        assert url_place(page) == ids[name], (name, page.url)
        assert heading(page).startswith(name)
        opened.append(ids[name])
    shot(page, "h1-picked-najaf")
    targets = clickable_markers(page, 4, set(opened))
    assert len(targets) == 4, targets
    for pid in targets:
        at = marker_centre(page, pid)
        assert at is not None, pid
        page.mouse.click(at["x"], at["y"])
        wait_until(page, lambda: url_place(page) == pid, what=f"place {pid} to open")
        settle(page)
        assert heading(page) != "Excerpts"
        opened.append(pid)
    assert len(set(opened)) == 8
    shot(page, "h2-clicked-four")


def test_clicking_the_centre_of_baghdad_opens_baghdad(open_app, server):
    page = open_app("/")
    at = marker_centre(page, server["ids"]["Baghdad"])
    page.mouse.click(at["x"], at["y"])
    wait_until(page, lambda: url_place(page) is not None, what="a place to open")
    settle(page)
    assert url_place(page) == server["ids"]["Baghdad"]
    assert heading(page).startswith("Baghdad")
    shot(page, "h3-baghdad-centre")


def test_presenter_mode_fits_the_first_screen_at_1280x720(open_app):
    screen = {"width": 1280, "height": 720}
    page = open_app("/?present=1", viewport=screen)
    box = page.locator(FOLIUM_IFRAME).first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= screen["height"] and box["x"] + box["width"] <= screen["width"], box
    assert box["width"] * box["height"] >= 0.5 * screen["width"] * screen["height"], box
    legend = map_frame(page).evaluate(
        "() => { const e = document.querySelector('.conflictmap-legend'); const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, px: parseFloat(getComputedStyle(e).fontSize)}; }")
    assert legend["px"] >= 16
    assert 0 <= legend["top"] and box["y"] + legend["bottom"] <= screen["height"] and legend["right"] <= box["width"]
    play = page.locator('[data-testid="stCheckbox"]', has_text="Play").first
    pbox = play.bounding_box()
    assert pbox["y"] + pbox["height"] <= screen["height"] and pbox["x"] + pbox["width"] <= screen["width"]
    label = play.locator("p").first
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the Play label is cut off"
    window = page.locator(".cm-window").bounding_box()
    assert window["y"] + window["height"] <= screen["height"]
    assert page.locator('[data-testid="stToolbar"], [data-testid="stAppDeployButton"]').filter(has_text="Deploy").count() == 0
    assert_frames_iraq(page)
    assert_labels_apart(page, 18)
    assert_legend_hides_no_marker(page)
    shot(page, "e2-presenter-1280x720")


LEGEND_OVER_MARKERS_JS = """() => { const l = document.querySelector('.conflictmap-legend').getBoundingClientRect();
    return Array.from(document.querySelectorAll('path.cm-place')).map(p => p.getBoundingClientRect())
        .filter(r => r.right > l.left && r.left < l.right && r.bottom > l.top && r.top < l.bottom).length; }"""


def assert_legend_hides_no_marker(page) -> None:
    """The open legend sits in the corner of the first view where it covers none of the drawn places."""
    assert map_frame(page).evaluate(LEGEND_OVER_MARKERS_JS) == 0, "the legend hides places"


def test_presenter_map_takes_most_of_a_1920x1080_screen(open_app):
    screen = {"width": 1920, "height": 1080}
    page = open_app("/?present=1", viewport=screen)
    box = page.locator(FOLIUM_IFRAME).first.bounding_box()
    assert box["y"] + box["height"] <= screen["height"], box  # all of it on the first screen
    assert box["height"] >= 0.75 * screen["height"], box  # it once stayed 560 px tall on any screen
    assert box["width"] * box["height"] >= 0.5 * screen["width"] * screen["height"], box
    # Leaflet fills the taller frame: its container is as tall as the frame, not the 560 px it was built with
    inner = map_frame(page).evaluate("() => window.map.getContainer().getBoundingClientRect().height")
    assert abs(inner - box["height"]) <= 2, (inner, box)
    assert_frames_iraq(page)
    assert_legend_hides_no_marker(page)
    shot(page, "e3-presenter-1920x1080")


def test_the_legend_hides_no_place_on_a_laptop(open_app):
    page = open_app("/", viewport={"width": 1280, "height": 720})
    assert_legend_hides_no_marker(page)
    shot(page, "e4-legend-1280x720")


def test_play_keeps_the_frame_and_moves_the_slider(open_app):
    page = open_app("/?start=2014-06-05&end=2014-06-12")
    before = map_center(page)
    first = page.locator(".cm-window").inner_text()
    page.locator(".st-key-w_play input").check(force=True)
    seen = {first}
    for _ in range(2):
        seen.add(wait_until(page, lambda: (t := page.locator(".cm-window").inner_text()) not in seen and t, timeout=30,
                            what="the window to move"))
        # the map is rebuilt for each step: read its frame once the new one is up
        assert same_frame(wait_until(page, lambda: map_center(page), what="the map after a step"), before)
    page.locator(".st-key-w_play input").uncheck(force=True)  # stop (the page is busy redrawing while it plays)
    settle(page)
    assert same_frame(map_center(page), before)
    shot(page, "h4-played")


def same_frame(a: tuple[float, float, int], b: tuple[float, float, int]) -> bool:
    """The same zoom, and a centre within about two screen pixels at it (rebuilt maps round the fit)."""
    pixel_deg = 360 / (256 * 2 ** a[2])
    return a[2] == b[2] and abs(a[0] - b[0]) <= 2 * pixel_deg and abs(a[1] - b[1]) <= 2 * pixel_deg


@pytest.mark.timeout(180)
def test_the_slider_follows_the_window_during_play(open_app):
    page = open_app("/?start=2014-06-05&end=2014-06-12")
    first = page.locator(".cm-window").inner_text()
    page.locator(".st-key-w_play input").check(force=True)
    wait_until(page, lambda: page.locator(".cm-window").inner_text() != first, timeout=30, what="the window to move")
    page.locator(".st-key-w_play input").uncheck(force=True)
    settle(page)
    thumb = page.locator('.st-key-w_window input[type="range"]').first.get_attribute("aria-valuetext")
    shown = datetime.strptime(page.locator(".cm-window").inner_text().split("–")[0].strip(), "%d %b %Y")
    assert thumb == shown.strftime("%Y-%m-%d")


def test_one_stray_date_does_not_squash_the_timeline(open_app):
    page = open_app("/")
    thumbs = page.locator('.st-key-w_window input[type="range"]')
    assert thumbs.nth(0).get_attribute("aria-valuetext") == "2014-06-05"
    assert page.locator(".cm-window").inner_text() == "05 Jun 2014 – 30 Sep 2014"
    assert page.get_by_text("dated outside", exact=False).first.is_visible()
    # reachable: the whole span on demand
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]', has_text="every date").click()
    settle(page)
    assert page.locator('.st-key-w_window input[type="range"]').nth(0).get_attribute("aria-valuetext") == "1947-05-01"


def test_picked_place_becomes_the_map_centre(open_app, server):
    page = open_app("/")
    pick_place(page, "Najaf")
    with Store(server["home"] / "conflictmap.db") as store:
        najaf = store.place(server["ids"]["Najaf"])
    # both coordinates: the demo's first view can share a latitude with Najaf (it does at this viewport)
    wait_until(page, lambda: (c := map_center(page)) and abs(c[0] - najaf.lat) < 0.01 and abs(c[1] - najaf.lon) < 0.01,
               what="the map to centre on Najaf")


def test_place_picker_is_a_few_tabs_from_the_top(open_app):
    page = open_app("/")
    page.locator("body").focus()
    for presses in range(1, 11):
        page.keyboard.press("Tab")
        where = page.evaluate("() => document.activeElement.getAttribute('data-testid') || document.activeElement.tagName")
        if where == "stSkipToContent":
            page.keyboard.press("Enter")  # Streamlit's own skip link, past the sidebar
        if page.evaluate(f"() => !!document.activeElement.closest('{PICKER}')"):
            break
    else:
        pytest.fail("the place picker is not within 10 Tab presses")
    page.keyboard.type("Mosul")
    page.keyboard.press("Enter")
    wait_until(page, lambda: url_place(page) is not None, what="Mosul to open")


def test_enter_on_a_focused_marker_opens_it(open_app):
    page = open_app("/")
    frame = map_frame(page)
    pid = clickable_markers(page, 1, set())[0]
    frame.locator(f"path.cm-place-{pid}").focus()
    page.keyboard.press("Enter")
    wait_until(page, lambda: url_place(page) == pid, what="the focused marker to open")


def test_a_correction_confirms_and_old_links_follow_it(open_app, server):
    page = open_app("/places", wait_map=False)
    page.locator(".st-key-correct_place input").click()
    page.keyboard.type("Washington")
    page.keyboard.press("Enter")
    settle(page)
    old_id = server["ids"]["Washington"]
    page.locator(".st-key-use_cand button").click()
    settle(page)
    note = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert "Moved " in note and "Washington (" in note and " to " in note and "United States" in note, note
    shot(page, "h5-correction-confirmed")
    with Store(server["home"] / "conflictmap.db") as store:
        new_id = next(c["new_place_id"] for c in store.corrections() if c["place_id"] == old_id)
    again = open_app(f"/?place={old_id}")
    wait_until(again, lambda: url_place(again) == new_id, what="the old link to open the corrected place")
    assert heading(again).startswith("Washington")
    shot(again, "h6-old-link-after-correction")
    # undo puts it back
    page.locator(".st-key-undo-flash button").click()
    settle(page)
    assert "Undone" in page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    with Store(server["home"] / "conflictmap.db") as store:
        assert all(c["place_id"] != old_id for c in store.corrections())


def test_low_confidence_pins_and_the_confidence_control(open_app):
    page = open_app("/")
    frame = map_frame(page)
    low = frame.locator("path.cm-place.cm-low")
    assert low.count() >= 1
    assert low.first.get_attribute("stroke-dasharray") == "3 3"
    assert frame.locator("path.cm-place:not(.cm-low)").first.get_attribute("stroke-dasharray") in (None, "", "none")
    assert "uncertain" in frame.locator(".conflictmap-legend").inner_text()
    before = circle_count(page)
    conf = page.locator('.st-key-f_conf [role="slider"], .st-key-f_conf input[type="range"]').first
    conf.focus()
    for _ in range(10):  # 5 % a press: 50 %
        page.keyboard.press("ArrowRight")
    settle(page)
    wait_until(page, lambda: "conf=0.50" in page.url, what="the control to reach the link")
    after = wait_until(page, lambda: (n := circle_count(page)) != before and n, what="the map to redraw")
    assert after < before
    assert map_frame(page).locator("path.cm-place.cm-low").count() == 0
    again = open_app(page.url[len(page.url.split("/?")[0]):])
    assert circle_count(again) == after
    assert "50" in again.locator(".st-key-f_conf").inner_text()
    shot(again, "i-confidence-50")


@pytest.mark.parametrize("typed, geonameid, shown", [("Fallujah", 99454, "Fallujah"), ("Kobane", 172256, "Kobani")])
def test_a_place_is_found_by_another_spelling(open_app, server, typed, geonameid, shown):
    """Issue 12: any common spelling finds the place, and the excerpts are headed with the name
    journalists write (GeoNames' own, "Al Fallūjah", "‘Ayn al ‘Arab", would fail the heading)."""
    page = open_app("/")
    page.locator(".st-key-w_find input").fill(typed)
    page.keyboard.press("Enter")
    wait_until(page, lambda: url_place(page) is not None, what=f"{typed} to open")
    settle(page)
    with Store(server["home"] / "conflictmap.db") as store:
        found = store.place(url_place(page))
    assert found.geonameid == geonameid
    assert heading(page).startswith(shown), heading(page)


def test_the_place_picker_finds_kobani_by_its_display_name(open_app, server):
    page = open_app("/")
    pick_place(page, "Kobani")
    wait_until(page, lambda: url_place(page) is not None, what="Kobani to open")
    with Store(server["home"] / "conflictmap.db") as store:
        assert store.place(url_place(page)).geonameid == 172256
    assert heading(page).startswith("Kobani"), heading(page)
    shot(page, "k-picked-kobani")


def test_the_first_view_sends_at_most_a_megabyte_shapes_included(browser, server, net):
    """Issue 12's budget: everything the server sends for the demo's first map view (Streamlit's
    messages, the map's HTML with its area shapes embedded) stays under 1 MB; the browser's own
    files (Streamlit, Leaflet, the basemap outlines) are static and cached, so not counted."""
    page = routed_page(browser, net, VIEWPORT)
    context = page.context
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f) if f else 0)))
    try:
        page.goto(server["url"] + "/")
        map_frame(page).wait_for_function(f"() => ({MARKER_COUNT_JS})() > 0", timeout=60_000)
        settle(page)
        shapes = map_frame(page).evaluate("() => document.querySelectorAll('path.cm-shape').length")
        assert shapes >= 5, "the first view draws Iraq's provinces and regions as shapes"
        assert 50_000 < sum(received) <= 1_000_000, sum(received)
    finally:
        context.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080), (2560, 1440)])
def test_the_map_grows_with_the_screen_and_leaves_room_for_the_timeline(open_app, width, height):
    page = open_app("/", viewport={"width": width, "height": height})
    frame_box = page.locator(FOLIUM_IFRAME).first.bounding_box()
    drawn = map_frame(page).evaluate("document.querySelector('.leaflet-container').getBoundingClientRect().height")
    histogram = page.locator('[data-testid="stVegaLiteChart"] svg').first.bounding_box()
    assert abs(drawn - frame_box["height"]) <= 2, (drawn, frame_box)  # Leaflet fills the frame it is given
    assert frame_box["height"] >= max(600, height - 430), frame_box  # most of the screen, more on a bigger one
    if height >= 1080:
        assert histogram["y"] + histogram["height"] <= height, (frame_box, histogram)  # the timeline still on the first screen
    else:  # a laptop: the map fills the screen under the top bar (window, counts, play); the timeline is a scroll away
        assert frame_box["y"] + frame_box["height"] >= height - 30, frame_box


@pytest.mark.parametrize("present", ["", "present=1&"], ids=["normal", "presenter"])
def test_excerpts_sit_beside_the_map_on_a_wide_screen_and_below_on_a_laptop(open_app, server, present):
    path = f"/?{present}place={server['mosul']}"
    wide = open_app(path, viewport={"width": 1920, "height": 1080})
    frame_box = wide.locator(FOLIUM_IFRAME).first.bounding_box()
    excerpt = wide.locator(".cm-excerpt").first
    excerpt.wait_for(timeout=30_000)
    ebox = excerpt.bounding_box()
    assert ebox["x"] >= frame_box["x"] + frame_box["width"] - 1, (frame_box, ebox)  # beside, on the right
    assert ebox["y"] < frame_box["y"] + frame_box["height"] and ebox["y"] + ebox["height"] <= 1080, ebox  # on the first screen
    assert frame_box["width"] >= 0.5 * 1920 * (0.6 if present else 0.5)
    shot(wide, f"j-wide-1920{'-presenter' if present else ''}")
    if not present:
        laptop = open_app(path, viewport={"width": 1280, "height": 720})
        frame_box = laptop.locator(FOLIUM_IFRAME).first.bounding_box()
        ebox = laptop.locator(".cm-excerpt").first.bounding_box()
        assert ebox["y"] >= frame_box["y"] + frame_box["height"] - 1, (frame_box, ebox)  # below the map
        shot(laptop, "j-laptop-1280")
