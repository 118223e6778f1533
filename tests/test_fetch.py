"""The safe fetcher against a real HTTP server on 127.0.0.1, started here.

Loopback is refused unless the test allows it by configuration (the same
CONFLICTMAP_FETCH_ALLOW an operator would set); the other refusals (schemes,
private and metadata addresses, decimal IPs) are decided before any connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conflictmap.readers import ReadFailure, read_url
from conflictmap.readers.fetch import ALLOW_ENV, TOTAL_TIMEOUT, FetchError, allowed_networks, fetch


STORY = (b"<html><head><title>Aid reaches Aleppo</title></head><body><article><h1>Aid reaches Aleppo</h1>"
         b"<p>A United Nations convoy reached Aleppo on Wednesday after weeks of fighting in the north of Syria.</p>"
         b"</article></body></html>")
PIXEL_REASON = "Not Found ![x](http://127.0.0.1:9/pixel)"


REDIRECTS = {
    "/to-ftp": (302, "ftp://127.0.0.1/story.txt"),
    "/to-story": (301, "/story.html"),
    "/to-other-loopback": (307, "http://127.0.0.2:{port}/story.html"),
    "/loop": (302, "/loop"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stop = threading.Event()
    requests: list[str] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", reason: str | None = None) -> None:
        self.send_response(status, reason)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.requests.append(self.path)
        port = self.server.server_address[1]
        if self.path == "/story.html":
            self._send(200, STORY)
        elif self.path in REDIRECTS:
            status, location = REDIRECTS[self.path]
            self.send_response(status)
            self.send_header("Location", location.format(port=port))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/big":
            self._send(200, b"x" * 300_000, "text/plain")
        elif self.path == "/reason":
            self._send(404, b"gone", reason=PIXEL_REASON)
        elif self.path.startswith("/drip"):
            # headers promptly, then one byte every half second, forever (until the test ends)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            while not Handler.stop.wait(0.5):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
        elif self.path == "/drip-headers":
            pass
        else:
            self._send(404, b"no")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    Handler.stop.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        Handler.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _refusal(url: str, max_bytes: int = 1_000_000, **kwargs: object) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=max_bytes, **kwargs)
    return str(caught.value)


def test_loopback_is_refused_without_configuration_and_fetched_with_it(server):
    before = len(Handler.requests)
    message = _refusal(server + "/story.html")
    assert "refused" in message and "loopback" in message and ALLOW_ENV in message
    assert len(Handler.requests) == before  # refused before connecting
    response = fetch(server + "/story.html", max_bytes=1_000_000, allow="127.0.0.1")
    assert response.status == 200 and b"Aleppo" in response.body and response.content_type == "text/html"


def test_the_operator_allows_by_environment(server, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.0/30")
    (article,) = read_url(server + "/story.html")
    assert article.title == "Aid reaches Aleppo"


@pytest.mark.parametrize("url, says", [
    ("http://localhost:1/", "loopback"),
    ("http://2130706433:1/", "loopback"),  # 127.0.0.1 written as one decimal number
    ("http://0x7f.1:1/", "loopback"),
    ("http://[::1]:1/", "loopback"),
    ("http://[::ffff:127.0.0.1]:1/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://0.0.0.0:1/", "unspecified"),
    ("ftp://example.com/x", "not a web address"),
    ("file:///etc/passwd", "not a web address"),
    ("gopher://127.0.0.1:70/", "not a web address"),
    ("http://[::1", "not a valid web address"),
    ("http://user:pw@example.com/", "user name or password"),
])
def test_refusals_each_say_why(url, says):
    message = _refusal(url)
    assert says in message and "\n" not in message


def test_every_redirect_hop_is_checked(server):
    assert "not a web address" in _refusal(server + "/to-ftp", allow="127.0.0.1")
    # allowed: 127.0.0.1 only; the redirect goes to another loopback address
    message = _refusal(server + "/to-other-loopback", allow="127.0.0.1/32")
    assert "127.0.0.2" in message and "loopback" in message
    assert "redirected more than" in _refusal(server + "/loop", allow="127.0.0.1")
    followed = fetch(server + "/to-story", max_bytes=1_000_000, allow="127.0.0.1")
    assert followed.url == server + "/story.html" and b"Aleppo" in followed.body


def test_size_cap(server):
    assert "over the 0.1 MB limit" in _refusal(server + "/big", max_bytes=100_000, allow="127.0.0.1")


def test_a_drip_feeding_server_is_cut_off_at_the_deadline(server):
    assert TOTAL_TIMEOUT <= 30
    started = time.monotonic()
    message = _refusal(server + "/drip", allow="127.0.0.1", total_timeout=2)
    assert "took longer than 2 s" in message
    assert time.monotonic() - started < 15  # a bound on correctness (cut off), not a speed goal
    # a server that never finishes its headers is cut off the same way
    assert "took longer than 1 s" in _refusal(server + "/drip-headers", allow="127.0.0.1", total_timeout=1)


def test_the_reason_phrase_is_quoted_as_one_line(server):
    (failure,) = read_url(server + "/reason", **{})  # refused: not allowed
    assert "loopback" in failure.reason
    message = _refusal(server + "/reason", allow="127.0.0.1")
    assert message == f"the server answered 404 {PIXEL_REASON}; check the address"


def test_a_bad_allowance_is_an_error_not_a_silent_open_door():
    with pytest.raises(FetchError, match="not an address or network"):
        allowed_networks("127.0.0.1,intranet")
    assert allowed_networks("private") == "private"


def test_cli_refuses_then_fetches_when_allowed(server, cli):
    url = server + "/story.html"
    refused = cli("ingest", "--quiet", url)
    assert refused.exit_code != 0 and f"failed: {url}: refused to fetch" in refused.stderr
    allowed = cli("ingest", "--quiet", url, env={ALLOW_ENV: "127.0.0.1"})
    assert allowed.exit_code == 0, allowed.stderr
    assert "added 1" in allowed.stdout


def test_the_dashboard_url_box_refuses_loopback(server, app_home):
    from conflictmap.store.sqlite import Store
    from tests.apphelp import new_app

    with Store(app_home / "conflictmap.db") as store:  # one article already, so the demo is not loaded
        store.add_article({"id": "x", "title": "t", "text": "Fighting in Mosul."}, [])
    at = new_app().run()
    at.switch_page("pages/add_articles.py").run()
    before = len(Handler.requests)
    for target in (server + "/story.html", "http://localhost:8501/_stcore/health", "file:///etc/passwd"):
        at.text_input[0].input(target).run()
        next(b for b in at.button if b.label == "Fetch and add").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("failed 1" in e.value for e in at.error)  # the summary box is red: nothing went in
        lines = [m.value for m in at.markdown if 'class="cm-failures"' in m.value]
        assert len(lines) == 1 and "refused to fetch" in lines[0], lines
        assert not at.success
    assert len(Handler.requests) == before  # the server saw none of them
