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
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conflictmap.filters import Filters
from conflictmap.store.sqlite import Store

from tests.apphelp import ARTIFACTS, streamlit_server, write_hostile
from tests.conftest import ROOT

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 # Requests chromium makes on its own never pass through page.route: resolve no name but localhost.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
VIEWPORT = {"width": 1400, "height": 1250}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright (python) is not installed in this environment"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

# The app is idle when Streamlit shows no "running" widget and no element is greyed out as stale.
IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]') && !document.querySelector('[data-stale="true"]')"""
FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Point places (cities, landmarks, districts) are drawn as circles tagged `cm-place`; areas are `cm-area`.
MARKERS = "path.leaflet-interactive.cm-place"
MARKER_COUNT_JS = f"() => document.querySelectorAll('{MARKERS}').length"


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
    with Store(home / "conflictmap.db") as store:
        hostile = [a for a in store.articles(Filters(keyword="pwned"), limit=10) if a["title"].startswith("Hostile")]
        assert len(hostile) == 1
        ids = {r["name"]: r["place_id"] for r in store.place_rows(Filters())}
    with streamlit_server(env, tmp / "streamlit.log") as base:
        yield {"url": base, "home": home, "hostile": hostile[0]["id"], "mosul": ids["Mosul"], "log": tmp / "streamlit.log"}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Net:
    """What every context of this module tried to reach beyond this machine, and what else went wrong."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.sockets: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []

    def summary(self) -> dict[str, list[str]]:
        return {"external": self.external, "sockets": self.sockets, "dialogs": self.dialogs, "page_errors": self.page_errors}

    def route(self, route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()


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

    def _open(path: str = "/", *, wait_map: bool = True):
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        context.route("**/*", net.route)
        page = context.new_page()
        page.on("dialog", lambda d: (net.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        page.on("websocket", lambda ws: net.sockets.append(ws.url))
        page.on("pageerror", lambda exc: net.page_errors.append(str(exc)))
        page.goto(server["url"] + path)
        page.wait_for_selector('[data-testid="stMain"] h1, [data-testid="stMetricValue"]', timeout=60_000)
        if wait_map:
            map_frame(page).wait_for_function(f"() => ({MARKER_COUNT_JS})() > 0", timeout=60_000)
        settle(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert net.external[before:] == [], "requests beyond this machine were attempted"
    assert all((urlsplit(u).hostname or "") in LOCAL_HOSTS for u in net.sockets), net.sockets
    assert net.dialogs == [], net.dialogs


# ---- helpers --------------------------------------------------------------------------------


def settle(page, timeout: float = 45) -> None:
    """Wait until Streamlit has finished every rerun: idle on three checks in a row, 250 ms apart."""
    deadline = time.monotonic() + timeout
    calm = 0
    while calm < 3:
        if time.monotonic() > deadline:
            raise AssertionError("the app kept rerunning")
        page.wait_for_function(IDLE_JS, timeout=timeout * 1000)
        page.wait_for_timeout(250)
        calm = calm + 1 if page.evaluate(IDLE_JS) else 0


def wait_until(page, check, timeout: float = 30, what: str = "condition"):
    """Poll `check()` until it returns something truthy (errors count as not yet).

    It waits with page.wait_for_timeout, not time.sleep, so playwright keeps handling browser events meanwhile.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - frames come and go during reruns
            last = exc
        page.wait_for_timeout(250)
    raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last})" if last else ""))


def map_frame(page, index: int = 0):
    handle = page.locator(FOLIUM_IFRAME).nth(index).element_handle(timeout=60_000)
    frame = handle.content_frame()
    assert frame is not None
    return frame


def circle_count(page) -> int:
    return map_frame(page).evaluate(MARKER_COUNT_JS)


def metrics(page) -> dict[str, int]:
    found = {}
    for box in page.locator('[data-testid="stMetric"]').all():
        label = box.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        found[label] = int(box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))
    return found


def heading(page) -> str:
    """The title of the excerpt column: "Excerpts", or the selected place's name."""
    return page.locator('[data-testid="stMain"] h3').first.inner_text().strip()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Not full_page: Streamlit scrolls inside its own container, and chromium's resize for a
    # full-page capture leaves unpainted tiles in the picture.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def shrink_window_to_june(page) -> None:
    """Drag the slider's end thumb back by keyboard, as a keyboard user would, to about the end of June."""
    end = page.locator('[data-testid="stSlider"] input[type="range"]').nth(1)
    end.focus()
    for _ in range(8):  # a page is a tenth of the span (about 12 days)
        page.keyboard.press("PageDown")
    assert end.get_attribute("aria-valuetext").startswith("2014-06")
    settle(page)


def pick_country(page, code: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)


def click_biggest_marker(page) -> str:
    """Hover, then click, the largest place marker where it is on top; return the place name its tooltip shows."""
    iframe = page.locator(FOLIUM_IFRAME).first
    iframe.scroll_into_view_if_needed()
    frame = map_frame(page)
    target = frame.evaluate(
        """(selector) => {
            const order = Array.from(document.querySelectorAll(selector)).map(p => [p, p.getBoundingClientRect()])
                .sort((a, b) => b[1].width - a[1].width);
            const steps = [0.5, 0.4, 0.6, 0.3, 0.7];
            const hits = (p, x, y) => [[0, 0], [3, 0], [-3, 0], [0, 3], [0, -3]]
                .every(([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === p);
            for (const [p, r] of order) {
                for (const fy of steps) for (const fx of steps) {
                    const x = r.left + r.width * fx, y = r.top + r.height * fy;
                    if (x > 5 && y > 5 && x < innerWidth - 5 && y < innerHeight - 5 && hits(p, x, y)) {
                        return {x, y};
                    }
                }
            }
            return null;
        }""",
        MARKERS,
    )
    assert target, "no place marker is clickable"
    box = iframe.bounding_box()
    x, y = box["x"] + target["x"], box["y"] + target["y"]
    assert 0 < y < VIEWPORT["height"], "the marker is outside the window"
    page.mouse.move(x - 20, y - 20)
    page.mouse.move(x, y, steps=4)
    tip = page.frame_locator(FOLIUM_IFRAME).first.locator(".leaflet-tooltip").last
    tip.wait_for(state="visible", timeout=10_000)
    label = tip.inner_text().strip()  # e.g. "Baghdad — 36 mentions"
    page.mouse.click(x, y)
    # The excerpts show first; the URL follows at the end of the same rerun.
    page.wait_for_function(r"() => /[?&]place=\d+/.test(location.search)", timeout=30_000)
    settle(page)
    return label.split(" — ")[0]


# ---- tests ----------------------------------------------------------------------------------


def test_markers_are_drawn_on_the_map(open_app):
    page = open_app("/")
    frame = map_frame(page)
    assert frame.locator("path.leaflet-interactive").count() > 10
    assert circle_count(page) > 10
    counts = metrics(page)
    assert counts["Articles"] > 80 and counts["Mentions"] > counts["Articles"]
    assert page.locator(".cm-window").inner_text() == "05 Jun 2014 – 30 Sep 2014"
    shot(page, "a-map-markers")


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


def test_brushing_the_histogram_sets_the_window(open_app):
    page = open_app("/")
    before = metrics(page)
    box = page.locator('[data-testid="stVegaLiteChart"] svg').first.bounding_box()
    assert box["height"] > 80  # the bars have room to be read
    y = box["y"] + box["height"] * 0.45
    page.mouse.move(box["x"] + box["width"] * 0.35, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.up()
    page.wait_for_function("() => /[?&]start=2014-/.test(location.search)", timeout=30_000)
    settle(page)
    window = page.locator(".cm-window").inner_text()
    assert window != "05 Jun 2014 – 30 Sep 2014" and "Jun" not in window and "Sep" not in window, window
    thumbs = page.locator('[data-testid="stSlider"] input[type="range"]')
    start = thumbs.nth(0).get_attribute("aria-valuetext")
    assert start in page.url and start > "2014-06-05"
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
    page = open_app("/")
    pick_country(page, "IQ")
    shrink_window_to_june(page)
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
    assert page.locator('[data-testid="stMetricValue"]').first.is_visible()
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
    assert frame.evaluate("() => window.L && window.L.version") == "1.9.4"
    resources = frame.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    resources += page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert any("/app/static/vendor/leaflet" in r for r in resources), resources
    assert [r for r in resources if (urlsplit(r).hostname or "") not in LOCAL_HOSTS and not r.startswith("data:")] == []
    assert net.external == [], "no request may leave this machine, in any test of this module"
    assert net.page_errors == [], net.page_errors
    shot(page, "g-offline-map")
