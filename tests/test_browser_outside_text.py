"""Text from outside stays text, in a real browser (issue 9 item 5).

A Streamlit server runs with CONFLICTMAP_FETCH_ALLOW=127.0.0.1, so its URL box may
fetch from a small HTTP server this module starts. That server answers 404 with a
reason phrase holding Markdown images; the page must show those characters and the
browser must request neither image (one points beyond this machine, where the
harness of tests/test_browser.py aborts and records it; one at the local server,
which records every request it gets). An article whose title holds web addresses
must show them as text in the Articles heading, not as links.
"""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conflictmap.mentions import Mention, Place
from conflictmap.store.sqlite import Store

from tests.apphelp import streamlit_server
from tests.conftest import ROOT
from tests.apphelp import CHROMIUM, VIEWPORT, browser, routed_page, settle, shot, wait_until  # noqa: F401 - `browser` is the shared fixture
from tests.test_browser import net, sync_playwright  # noqa: F401 - the module's network record, shared

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright (python) is not installed in this environment"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

TITLE = "Read http://evil.example/x and www.evil.example, mail a@evil.example"


class Remote(BaseHTTPRequestHandler):
    """The 'remote' site: a 404 with a hostile reason phrase; every request is recorded."""

    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Remote.seen.append(self.path)
        port = self.server.server_address[1]
        reason = f"Not Found ![x](http://pixel.example/p.png) ![y](http://127.0.0.1:{port}/pixel) **bold**"
        body = b"gone"
        self.send_response(404 if self.path == "/gone" else 200, reason if self.path == "/gone" else None)
        self.send_header("Content-Type", "image/png" if self.path == "/pixel" else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def remote():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Remote)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run dashboard.py` over a home with one article whose title holds addresses."""
    tmp = tmp_path_factory.mktemp("outside")
    home = tmp / "home"
    home.mkdir()
    with Store(home / "conflictmap.db") as store:
        mosul = Place(name="Mosul", lat=36.34, lon=43.13, geonameid=99072, country_code="IQ")
        store.add_article({"id": "linky", "title": TITLE, "text": "Fighting in Mosul.", "published": "2014-06-10"},
                          [Mention(start=12, end=17, text="Mosul", place=mosul, date="2014-06-10", confidence=0.9)])
    env = dict(os.environ, CONFLICTMAP_HOME=str(home), PYTHONPATH=str(ROOT), CONFLICTMAP_FETCH_ALLOW="127.0.0.1")
    with streamlit_server(env, tmp / "streamlit.log") as base:
        yield base


@pytest.fixture
def page(browser, server, net):  # noqa: F811 - the shared fixtures
    before = len(net.external)
    tab = routed_page(browser, net, VIEWPORT)
    yield tab
    tab.context.close()
    assert net.external[before:] == [], "requests beyond this machine were attempted"


def open_page(page, server: str, path: str) -> None:
    """Open a page by its address. A fresh server answers a page address before its first run with
    "Page not found" (it learns the pages from st.navigation), so the home page is opened first."""
    page.goto(server + "/")
    page.wait_for_selector('[data-testid="stMain"] h1, .cm-window', timeout=60_000)
    settle(page)
    page.goto(server + path)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    settle(page)
    assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').first.inner_text()


def test_a_remote_reason_phrase_with_markdown_images_shows_as_text(page, server, remote):
    Remote.seen.clear()
    open_page(page, server, "/add")
    tab = page.get_by_role("tab", name="URL or feed")
    wait_until(page, lambda: tab.evaluate("e => !e.closest('[inert]')"), what="the tabs to take clicks")
    tab.click()
    box = page.get_by_label("Article or feed URL (needs internet)")
    box.fill(remote + "/gone")
    box.press("Enter")
    settle(page)
    page.get_by_role("button", name="Fetch and add").click()
    alert = wait_until(page, lambda: next((a for a in page.locator(".cm-failures li").all()
                                           if "answered 404" in a.inner_text()), None), what="the failure line")
    settle(page)
    shown = alert.inner_text()
    assert "![x](http://pixel.example/p.png)" in shown and "**bold**" in shown, shown
    assert alert.locator("img, a, strong").count() == 0
    assert Remote.seen == ["/gone"]  # the fetch itself, and no image request from the browser
    shot(page, "outside-reason-phrase")


def test_a_title_with_web_addresses_is_no_link_in_the_articles_heading(page, server):
    open_page(page, server, "/articles?article=linky")
    heading = wait_until(page, lambda: next((h for h in page.locator('[data-testid="stMain"] h3').all()
                                             if "evil.example" in h.inner_text()), None), what="the article heading")
    assert heading.inner_text().strip() == TITLE
    assert heading.locator('a:not([href^="#"])').count() == 0  # Streamlit's own "#" anchor aside
    assert page.locator('[data-testid="stMain"] a[href*="evil.example"]:not([href^="#"])').count() == 0


def test_uploads_on_the_page_give_the_cli_result(page, server, tmp_path):
    """The same good and bad files the CLI test reads, uploaded through the real page."""
    from conflictmap.readers import ReadFailure, read_upload
    from tests.test_bad_inputs import BAD, GOOD_TEXT

    files = []
    for name, data in {**BAD, "good.txt": GOOD_TEXT.encode()}.items():
        path = tmp_path / name
        path.write_bytes(data)
        files.append(path)
    expected = [item for path in files for item in read_upload(path.read_bytes(), path.name)]
    failures = [item for item in expected if isinstance(item, ReadFailure)]
    open_page(page, server, "/add")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(p) for p in files])
    settle(page)
    page.get_by_role("button", name="Add these files").click()
    lines = wait_until(page, lambda: page.locator(".cm-failures li").all() or None, timeout=120, what="the failure lines")
    settle(page)
    shown = [line.inner_text() for line in lines]
    assert shown == [f"{f.origin}: {f.reason}" for f in failures]
    summary = page.locator('[data-testid="stAlert"]').first.inner_text()
    assert f"failed {len(failures)}" in summary and "added " in summary
    shot(page, "outside-uploads")
