"""What every page shares: cached resources, cached queries, the URL view, and the look.

Only this UI layer imports streamlit. Resources (`st.cache_resource`) are shared by
every session, so they are thread-safe objects: the store serialises access behind
a lock, the geoparser and gazetteer are read-only. Query results are cached per
(filters, store revision), so an ingest or a correction shows at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import queries
from conflictmap.errors import StoreError
from conflictmap.excerpts import md_escape
from conflictmap.filters import Filters
from conflictmap.maps.assets import local_assets, streamlit_base_url
from conflictmap.maps.build import build_map
from conflictmap.maps.vendor import Outlines, load_outlines
from conflictmap.store import open_store
from conflictmap.viewstate import View, from_params, to_params, update

if TYPE_CHECKING:  # the geoparser (and dateparser under it) loads only when a page needs it, not before the first map
    from conflictmap.geoparser.online import CachedGeocoder
    from conflictmap.geoparser.parser import Geoparser
    from conflictmap.store import StoreLike as Store

ROOT = Path(__file__).resolve().parents[1]
OUTLINES = ROOT / "geodata" / "countries.geojson"


@st.cache_resource(show_spinner="Opening the store…")
def _open_store() -> Store:
    """The store every session shares: PostgreSQL when CONFLICTMAP_DB names one, else the embedded SQLite file.

    The demo is loaded outside this cached getter (`ready_store`)."""
    store = open_store()
    return store


def get_store() -> Store:
    """The shared store; when it cannot be opened, the page shows why and what to do, and stops."""
    try:
        store = _open_store()
    except StoreError as exc:  # not cached: the next run tries again once the operator has fixed it
        st.error(md_escape(str(exc)))
        st.stop()
        raise  # st.stop() does not return
    if store.notice:
        st.info(md_escape(store.notice))
    return store


def ready_store() -> Store:
    """The store, with the demo corpus in it on a first start.

    `./setup.sh` prepares the demo store, so this is normally one cheap count. Loading
    the demo happens here, outside the cached getter: a slow or failed first load then
    shows its own spinner and is retried on the next run instead of being cached.
    """
    store = get_store()
    if queries.is_empty(store):
        from conflictmap.ingest import ensure_demo

        with st.spinner("Loading the demo articles (first start only)…"):
            ensure_demo(store, parser=get_geoparser())
    return store

def signin_required() -> bool:
    """Sign-in is on when the deployment configures an identity provider ([auth] in
    .streamlit/secrets.toml, which only the server deployment has); the embedded
    single-user default has none and needs no sign-in."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all: the single-user default
        return False


def require_signin() -> None:
    """On a shared server, a visitor who has not signed in sees the sign-in button and nothing else."""
    if not signin_required():
        return
    if not st.user.is_logged_in:
        # The sign-in page is the only page this visitor's navigation knows: without a
        # navigation Streamlit would fall back to serving pages/*.py by their own URLs.
        st.navigation([st.Page(_signin_page, title="Sign in", url_path="signin", default=True)], position="hidden").run()
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {current_user()}")
        st.button("Sign out", on_click=st.logout, key="signout")


def _signin_page() -> None:
    st.title("Conflict Map")
    st.write("This newsroom's Conflict Map is for signed-in staff. Sign in with your newsroom account to continue.")
    st.button("Sign in", type="primary", on_click=st.login, key="signin")


def current_user() -> str:
    """Who is making a change: the signed-in user's e-mail (else their name or subject); '' when signed out."""
    if not signin_required() or not st.user.is_logged_in:
        return ""
    for claim in ("email", "preferred_username", "name", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return "signed-in user"


@st.cache_resource(show_spinner="Loading the gazetteer…")
def get_geoparser() -> Geoparser:
    from conflictmap.geoparser.parser import default_geoparser

    return default_geoparser()


@st.cache_resource
def get_online_geocoder() -> CachedGeocoder:
    """One Nominatim client per server, so its one-request-a-second limit holds across sessions."""
    from conflictmap.geoparser.online import nominatim
    from conflictmap.store.sqlite import default_path

    return nominatim(default_path().parent / "geocache.sqlite")


@st.cache_resource
def get_outlines() -> Outlines | None:
    """The basemap's outlines, read once per process; without them maps draw no basemap."""
    try:
        return load_outlines(OUTLINES)
    except (OSError, ValueError):
        return None


@st.cache_data(max_entries=8, show_spinner=False)
def _older_parses(_store: Store, revision: str) -> int:
    return queries.placed_by_an_older_geoparser(_store)


def older_parses_notice(slot, store: Store, revision: str) -> None:
    """Fill `slot` (an `st.sidebar.empty()` made at the top) once the page is drawn: after an
    upgrade, say how many articles an older geoparser placed and how to place them anew. Done last
    because it reads the model file and imports the geoparser's modules, which the map need not wait for."""
    older = _older_parses(store, revision)
    if older:
        slot.warning(f"{older:,} article{'s were' if older != 1 else ' was'} placed by an older version of the geoparser. "
                     "To place them anew: `.venv/bin/conflictmap regeoparse` (corrections are kept).")


@st.cache_data(max_entries=64, show_spinner=False)
def places_frame(_store: Store, filters: Filters, revision: str) -> pd.DataFrame:
    return queries.places_with_confidence(_store, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def daily_frame(_store: Store, filters: Filters, revision: str) -> pd.DataFrame:
    return queries.daily(_store, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def totals(_store: Store, filters: Filters, revision: str) -> dict[str, int]:
    return queries.totals(_store, filters)


@st.cache_data(max_entries=256, show_spinner=False)
def mentions_page(_store: Store, filters: Filters, revision: str, limit: int, offset: int) -> pd.DataFrame:
    return queries.mentions(_store, filters, limit=limit, offset=offset)


@st.cache_data(max_entries=8, show_spinner=False)
def facets(_store: Store, revision: str) -> dict[str, list]:
    return queries.facets(_store)


@st.cache_data(max_entries=8, show_spinner=False)
def corrections_for(_store: Store, revision: str) -> dict[int, int]:
    """Corrected place -> the place it became, for links made before a correction."""
    return {int(c["place_id"]): int(c["new_place_id"]) for c in queries.corrections(_store)
            if c.get("action") == "replace" and c.get("new_place_id")}


@st.cache_resource
def get_country_names() -> dict[str, str]:
    return queries.country_names(get_outlines())


def show_map(places: pd.DataFrame, *, key: str, height: int, returned_objects: list[str], on_change=None,
             move_to: tuple[float, float] | None = None, move_zoom: int | None = None, **options):
    """Every page's way to put a map on screen: `build_map` (over the shipped outlines unless told
    otherwise), our local Leaflet files (`local_assets`), then streamlit-folium. Returns the map
    and what streamlit-folium reported.

    `options` go to `build_map`. `move_to`/`move_zoom` move a map already on screen without
    rebuilding it (streamlit-folium's own `center`/`zoom`), and place a rebuilt one where the view says.
    """
    options.setdefault("outlines", get_outlines())
    fmap = build_map(places, **options)
    local_assets(fmap, streamlit_base_url(st.get_option("server.baseUrlPath")))
    reply = st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=returned_objects,
                      on_change=on_change, center=move_to, zoom=move_zoom)
    return fmap, reply


def current_view() -> View:
    """The view of this session: read from the URL once, then kept in session state."""
    if "view" not in st.session_state:
        st.session_state["view"] = from_params(st.query_params.to_dict())
    return st.session_state["view"]


def update_view(event) -> View:
    """Apply one event to this session's view (see `conflictmap.viewstate.update`)."""
    view = update(current_view(), event)
    st.session_state["view"] = view
    return view


def set_view(view: View) -> None:
    """Remember the view and mirror it into the URL, so the address bar is always a share link."""
    st.session_state["view"] = view
    wanted = to_params(view)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


BASE_CSS = """
<style>
.cm-excerpt {border-left: 4px solid #0072B2; padding: .25rem .75rem; margin: 0 0 .75rem 0; background: #f7f9fc; color: #1a1a1a;}
.cm-excerpt mark {background: #ffe08a; color: #000; padding: 0 .15em; border-radius: 2px; font-weight: 600;}
.cm-sentence {margin: 0 0 .3rem 0; font-size: 1.02rem; line-height: 1.45;}
.cm-meta {margin: 0; font-size: .9rem; color: #333;}
.cm-meta a {color: #0b4f8a; text-decoration: underline;}
.cm-cue {color: #444; font-style: italic;}
.cm-uncertain {display: inline-block; margin-left: .4em; padding: 0 .35em; border: 1px dashed #8a4b00; border-radius: 3px;
               color: #6b3a00; font-size: .85em; font-weight: 600;}
.cm-window {font-size: 1.05rem; font-weight: 600; white-space: nowrap;}
.cm-counts {font-size: .95rem; color: #333; white-space: nowrap;}
.cm-article mark {background: #ffe08a; color: #000; padding: 0 .1em;}
.block-container {padding-top: 2.2rem;}
.st-key-cm_body > div > [data-testid="stHorizontalBlock"] {flex-direction: row-reverse;}
</style>
"""

NARROW_CSS = """
<style>
/* the map grows with the screen and leaves the timeline under it on the first screen
   (600 px on a laptop, 660 px at 1080 px high, 1020 px at 1440; the map re-measures, maps/extras.py) */
.st-key-cm_body iframe[title="streamlit_folium.st_folium"] {max-height: max(600px, calc(100vh - 420px)) !important;}
/* the map and its excerpts side by side on wide screens, stacked on narrow ones */
@media (max-width: 1400px) {
  .st-key-cm_body > div > [data-testid="stHorizontalBlock"] {flex-wrap: wrap-reverse;}
  .st-key-cm_body > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {min-width: 100%; flex: 1 1 100%;}
}
</style>
"""

PRESENTER_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"] {display: none !important;}
html, body, [data-testid="stAppViewContainer"] {font-size: 20px;}
.block-container {padding: .6rem 1.2rem 1rem 1.2rem !important; max-width: 100% !important;}
.cm-window {font-size: 1.5rem; background: #000; color: #fff; padding: .1rem .6rem; display: inline-block;}
.cm-counts {font-size: 1.1rem;}
.cm-sentence {font-size: 1.3rem; line-height: 1.4;}
.cm-meta {font-size: 1rem;}
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
/* the map takes the screen's height under the compact top bar (the map fills its frame and re-measures, maps/extras.py) */
.st-key-cm_body iframe[title="streamlit_folium.st_folium"] {max-height: max(420px, calc(100vh - 112px)) !important;}
</style>
"""


def style(presenter: bool) -> None:
    st.markdown(BASE_CSS + (PRESENTER_CSS if presenter else NARROW_CSS), unsafe_allow_html=True)
