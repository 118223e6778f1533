"""The server deployment in a real browser: the dashboard on PostgreSQL behind Streamlit's
OpenID Connect sign-in, against a local test identity provider (oidc-provider-mock) that
the test starts. A signed-out visitor sees no data; a signed-in journalist sees the demo,
and the correction she makes records who she is."""

from __future__ import annotations

import os
import secrets
from importlib.util import find_spec

import pytest

from conflictmap.filters import Filters
from conflictmap.store.postgres import PostgresStore
from tests.conftest import ROOT
from tests.apphelp import (  # noqa: F401 - `browser` is the shared fixture
    CHROMIUM, MARKER_COUNT_JS, VIEWPORT, Net, browser, free_port, map_frame, routed_page, settle, shot, streamlit_server, wait_until,
)

# Found, not imported: the provider pulls in Flask and authlib (a second or more), which every
# unit-test run would otherwise pay at collection for tests it deselects.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_spec("playwright") is None, reason="playwright (python) is not installed in this environment"),
    pytest.mark.skipif(find_spec("oidc_provider_mock") is None, reason="oidc-provider-mock is not installed: ./setup.sh --dev"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

JOURNALIST = "ana@newsroom.example"


@pytest.fixture(scope="module")
def provider():
    """A local OpenID Connect provider on a free port, with one newsroom account."""
    from oidc_provider_mock import User, run_server_in_thread

    with run_server_in_thread(port=free_port(), user_claims=[User(sub="ana", claims={"email": JOURNALIST, "name": "Ana"})]) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def deployment(provider, pg_server, tmp_path_factory):
    """`streamlit run dashboard.py` against a fresh PostgreSQL database, with [auth] configured."""
    tmp = tmp_path_factory.mktemp("signin")
    dsn = pg_server.create_database("signin_" + secrets.token_hex(4))
    port = free_port()
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(24)}"\n'
        'client_id = "conflictmap-test"\n'
        'client_secret = "not-a-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, CONFLICTMAP_HOME=str(tmp / "home"), CONFLICTMAP_DB=dsn, PYTHONPATH=str(ROOT))
    with streamlit_server(env, tmp / "streamlit.log", port=port, extra_args=["--secrets.files", str(secrets_file)]) as base:
        yield {"url": base, "dsn": dsn, "provider": provider, "log": tmp / "streamlit.log"}


@pytest.fixture
def page(browser, deployment):
    """A fresh browser context (no cookies) that reaches only this machine."""
    net = Net()
    page = routed_page(browser, net, VIEWPORT)
    yield page
    page.context.close()
    # The test provider's own page asks for a stylesheet on a CDN; the dashboard asks for nothing outside.
    assert [u for u in net.external if "picocss" not in u] == []


def test_a_signed_out_visitor_sees_no_data(page, deployment):
    for path in ("/", "/places", "/articles", "/map?country=IQ"):
        page.goto(deployment["url"] + path)
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        settle(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Sign in with your newsroom account" in main
        assert page.locator('.cm-counts').count() == 0  # the map page's counts line
        assert page.locator('iframe[title="streamlit_folium.st_folium"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert "Mosul" not in page.content() and "Baghdad" not in page.content()
    shot(page, "signin-signed-out")


def test_signing_in_shows_the_demo_and_corrections_record_who(page, deployment):
    page.goto(deployment["url"] + "/")
    page.get_by_role("button", name="Sign in").click()
    # The identity provider's own page: pick the newsroom account.
    page.wait_for_url(deployment["provider"] + "/**", timeout=30_000)
    page.get_by_role("button", name="ana", exact=True).click()
    page.wait_for_url(deployment["url"] + "/**", timeout=30_000)
    page.wait_for_selector('.cm-window', timeout=90_000)
    # the frame is looked up afresh each time: the rerun that keeps the map's settled view may replace it
    wait_until(page, lambda: map_frame(page).evaluate(MARKER_COUNT_JS) > 0, timeout=60, what="markers on the signed-in map")
    settle(page)
    assert JOURNALIST in page.locator('[data-testid="stSidebar"]').inner_text()
    shot(page, "signin-signed-in-map")

    with PostgresStore(deployment["dsn"]) as store:  # the dashboard loaded the demo into PostgreSQL
        assert store.stats()["articles"] == 112
        first = store.place_rows(Filters())[0]
    page.goto(deployment["url"] + "/places")
    page.get_by_role("button", name="Not a place: hide it everywhere").click()
    page.get_by_text("is hidden").or_(page.get_by_text("Corrections made")).first.wait_for(timeout=60_000)
    settle(page)
    with PostgresStore(deployment["dsn"]) as store:
        made = store.corrections()
        assert [(c["place_id"], c["made_by"]) for c in made] == [(first["place_id"], JOURNALIST)]
        assert store.correction_history(first["place_id"])[0]["made_by"] == JOURNALIST
    assert f"by {JOURNALIST}" in page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "signin-correction-by")
