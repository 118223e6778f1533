"""Map page: where the news happened, over a time window, with the excerpts behind every point."""

from __future__ import annotations

import time
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import queries
from conflictmap.maps.assets import local_assets, streamlit_base_url, standalone_html
from conflictmap.excerpts import excerpt_html, md_escape
from conflictmap.filters import KINDS
from conflictmap.maps.build import build_map, place_at
from pages._shared import (
    current_view,
    daily_frame,
    facets,
    get_outlines,
    get_store,
    mentions_page,
    places_frame,
    set_view,
    style,
    totals,
)

PAGE_SIZE = 8
PLAY_SECONDS = 2.0
KIND_LABELS = {"city": "Cities & towns", "landmark": "Landmarks", "admin2": "Districts & counties", "admin1": "Provinces & states",
               "region": "Regions", "country": "Countries", "continent": "Continents"}

store = get_store()
revision = store.revision()
view = current_view()
lo_text, hi_text = store.span()
span_lo = date.fromisoformat(lo_text) if lo_text else date.today()
span_hi = date.fromisoformat(hi_text) if hi_text else date.today()

# Apply a window chosen by the play control or the histogram brush before the slider exists.
if "next_window" in st.session_state:
    st.session_state["window"] = st.session_state.pop("next_window")
if "window" not in st.session_state:
    start = min(max(view.start or span_lo, span_lo), span_hi)
    end = max(min(view.end or span_hi, span_hi), start)
    st.session_state["window"] = (start, end)

# ---- sidebar: filters -------------------------------------------------------------------
# Widgets keep their own state under these keys; the URL seeds them once per session.
options = facets(store, revision)
place_names = {int(i): f"{n} ({c})" if c else n for i, n, c in options["places"]}
if not st.session_state.get("seeded"):
    st.session_state.update(
        seeded=True,
        f_countries=[c for c in view.countries if c in options["countries"]],
        f_places=[p for p in view.places if p in place_names],
        f_sources=[s for s in view.sources if s in options["sources"]],
        f_kinds=list(view.kinds),
        f_keyword=view.keyword,
        f_min=view.min_mentions,
        f_demonyms=view.demonyms,
        f_colour=view.colour,
        f_basemap=view.basemap,
        f_heat=view.heat,
        f_present=view.present,
    )
with st.sidebar:
    st.header("Filters")
    countries = st.multiselect("Countries", options["countries"], key="f_countries", help="ISO country codes of the places shown")
    picked_places = st.multiselect("Places", list(place_names), key="f_places", format_func=place_names.get,
                                   help="Only these places (the 500 most mentioned are offered)")
    sources = st.multiselect("Sources", options["sources"], key="f_sources")
    kinds = st.multiselect("Kinds of place", list(KINDS), key="f_kinds", format_func=KIND_LABELS.get, help="Empty shows every kind")
    keyword = st.text_input("Keyword in the article", key="f_keyword", max_chars=200)
    min_mentions = st.number_input("Minimum mentions per place", min_value=1, max_value=10_000, key="f_min")
    demonyms = st.toggle("Count adjectives (Iraqi → Iraq)", key="f_demonyms")
    st.header("Map")
    colour = st.radio("Colour markers by", ["recency", "country"], key="f_colour", horizontal=True)
    basemap = st.radio("Basemap", ["offline", "online"], key="f_basemap", horizontal=True,
                       help="Offline draws country outlines shipped with the app; online loads map tiles from the internet")
    heat = st.toggle("Heat layer", key="f_heat")

top = st.columns([6, 2])
with top[1]:
    present = st.toggle("Presenter mode", key="f_present", help="Hides the sidebar, enlarges text and markers")

# ---- timeline ---------------------------------------------------------------------------
window = st.slider("Date window", min_value=span_lo, max_value=max(span_hi, span_lo + timedelta(days=1)), key="window",
                   format="YYYY-MM-DD")
start, end = window
view = view.but(start=start if start > span_lo else None, end=end if end < span_hi else None,
                countries=tuple(countries), places=tuple(int(p) for p in picked_places), sources=tuple(sources), kinds=tuple(kinds), keyword=keyword.strip(),
                min_mentions=int(min_mentions), demonyms=demonyms, colour=colour, basemap=basemap, heat=heat, present=present)
# the window filters only once narrowed: at full span, undated mentions are in view too
filters = view.filters()
style(view.present)
whole = view.filters().but(start=None, end=None)

counts = totals(store, filters, revision)
with top[0]:
    st.markdown(f'<span class="cm-window">{start:%d %b %Y} – {end:%d %b %Y}</span>', unsafe_allow_html=True)
    m1, m2, m3 = st.columns(3)
    m1.metric("Articles", f"{counts['articles']:,}")
    m2.metric("Places", f"{counts['places']:,}")
    m3.metric("Mentions", f"{counts['mentions']:,}")

days = daily_frame(store, whole, revision)
if not view.present and len(days):
    brush = alt.selection_interval(encodings=["x"], name="brush")
    in_window = (days["day"] >= pd.Timestamp(start)) & (days["day"] <= pd.Timestamp(end))
    chart_data = days.assign(shown=in_window.map({True: "in window", False: "outside"}))
    chart = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("mentions:Q", title="Mentions per day"),
            color=alt.Color("shown:N", scale=alt.Scale(domain=["in window", "outside"], range=["#0072B2", "#b8c4d6"]), legend=None),
            tooltip=[alt.Tooltip("day:T", format="%d %b %Y"), "mentions:Q"],
        )
        .add_params(brush)
        .properties(height=90, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )
    event = st.altair_chart(chart, on_select="rerun", key="timeline", width="stretch")
    picked = (event or {}).get("selection", {}).get("brush", {}) if isinstance(event, dict) or hasattr(event, "get") else {}
    span_ms = next(iter(picked.values()), None) if picked else None
    if span_ms and len(span_ms) == 2:
        a = pd.to_datetime(span_ms[0], unit="ms").date()
        b = pd.to_datetime(span_ms[1], unit="ms").date()
        new = (max(a, span_lo), min(b, span_hi))
        if new != st.session_state.get("brushed") and new[0] <= new[1]:
            st.session_state["brushed"] = new
            st.session_state["next_window"] = new
            st.rerun()

# Play: step the window forward on the server every couple of seconds.
play_cols = st.columns([1, 1, 6])
playing = play_cols[0].toggle("▶ Play", key="playing", help="Moves the window forward step by step")
step_days = play_cols[1].selectbox("Step", [1, 3, 7, 14], index=2, format_func=lambda d: f"{d} days", key="step",
                                   label_visibility="collapsed")


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def _player() -> None:
    """Move the window one step per tick; the same width, wrapping round at the end of the corpus."""
    if not st.session_state.get("playing"):
        return
    # the fragment also runs with every full rerun of the page: step only on the timer's beat
    now = time.monotonic()
    if now - st.session_state.get("last_step", 0.0) < PLAY_SECONDS * 0.9:
        return
    st.session_state["last_step"] = now
    a, b = st.session_state["window"]
    width = b - a
    if b >= span_hi:
        a, b = span_lo, min(span_lo + width, span_hi)
    else:
        b = min(b + timedelta(days=step_days), span_hi)
        a = b - width
    st.session_state["next_window"] = (a, b)
    st.rerun(scope="app")


with play_cols[2]:
    _player()

# ---- map and excerpts -------------------------------------------------------------------
frame = places_frame(store, filters, revision)
left, right = st.columns([3, 2]) if not view.present else st.columns([4, 1])
with left:
    if frame.empty:
        st.info("No places in this view. Widen the date window or clear some filters.")
    outlines = get_outlines()
    first_center = st.session_state.setdefault("first_center", (view.lat, view.lon, view.zoom))
    center = (first_center[0], first_center[1]) if first_center[0] is not None and first_center[1] is not None else None
    fmap = build_map(frame, presenter=view.present, basemap=view.basemap, heat=view.heat, selected=view.place,
                     center=center, zoom=first_center[2] if center else None, colour_by=view.colour,
                     window=(start, end), outlines=outlines)
    local_assets(fmap, streamlit_base_url(st.get_option("server.baseUrlPath")))
    state = st_folium(fmap, key="map", height=720 if view.present else 560, use_container_width=True,
                      returned_objects=["last_object_clicked", "last_object_clicked_tooltip", "center", "zoom"])

clicked = (state or {}).get("last_object_clicked") or {}
if clicked and clicked != st.session_state.get("last_click"):
    st.session_state["last_click"] = clicked
    hit = place_at(frame, clicked.get("lat"), clicked.get("lng"), tooltip=(state or {}).get("last_object_clicked_tooltip"))
    if hit is not None and hit != view.place:
        view = view.but(place=int(hit))
        st.session_state["excerpt_page"] = 0
if state and state.get("center") and state.get("zoom"):
    view = view.but(lat=round(float(state["center"]["lat"]), 4), lon=round(float(state["center"]["lng"]), 4), zoom=int(state["zoom"]))

with right:
    if not frame.empty and not view.present:
        # the keyboard way to pick a place, same effect as a click on the map
        options: list[int | None] = [None, *(int(x) for x in frame["place_id"].head(300))]
        if view.place is not None and view.place not in options:
            options.append(view.place)
        labels = {int(r.place_id): f"{r.name} ({r.country_code or r.kind}) · {int(r.mentions)}" for r in frame.head(300).itertuples()}
        chosen = st.selectbox("Place (or click the map)", options, index=options.index(view.place) if view.place in options else 0,
                              format_func=lambda p: "—" if p is None else labels.get(p, str(p)), key=f"pick-{view.place}")
        if chosen != view.place:
            view = view.but(place=chosen)
            st.session_state["excerpt_page"] = 0
    selected = frame[frame["place_id"] == view.place] if view.place is not None else frame.iloc[0:0]
    if selected.empty:
        st.subheader("Excerpts")
        st.caption("Click a place on the map to read what was said about it.")
        if not frame.empty and not view.present:
            st.dataframe(frame[["name", "country_code", "mentions"]].head(15), hide_index=True, width="stretch")
    else:
        place = selected.iloc[0]
        st.subheader(md_escape(place["name"]))
        n_mentions, n_articles = int(place["mentions"]), int(place["articles"])
        st.caption(f"{place['kind']} · {place['country_code'] or '—'} · {n_mentions:,} mention{'s' * (n_mentions != 1)} in "
                   f"{n_articles:,} article{'s' * (n_articles != 1)}")
        place_filters = filters.but(places=(int(place["place_id"]),))
        total = int(place["mentions"])
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(st.session_state.get("excerpt_page", 0), pages - 1)
        rows = mentions_page(store, place_filters, revision, PAGE_SIZE, page * PAGE_SIZE)
        for rec in rows.to_dict("records"):
            st.markdown(excerpt_html(rec), unsafe_allow_html=True)
        if pages > 1:
            nav = st.columns(3)
            if nav[0].button("◀ Newer", disabled=page == 0, key="newer"):
                st.session_state["excerpt_page"] = page - 1
                st.rerun()
            nav[1].markdown(f"page {page + 1} of {pages}")
            if nav[2].button("Older ▶", disabled=page >= pages - 1, key="older"):
                st.session_state["excerpt_page"] = page + 1
                st.rerun()
        if st.button("Clear selection", key="clear_place"):
            view = view.but(place=None)
            set_view(view)
            st.rerun()

set_view(view)

# ---- exports ----------------------------------------------------------------------------
if not view.present:
    with st.expander("Export this view"):
        stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
        cols = st.columns(3)
        cols[0].download_button("Mentions as CSV", data=lambda: queries.export(store, filters, "csv"),
                                file_name=f"conflictmap-{stamp}.csv", mime="text/csv")
        cols[1].download_button("Mentions as GeoJSON", data=lambda: queries.export(store, filters, "geojson"),
                                file_name=f"conflictmap-{stamp}.geojson", mime="application/geo+json")
        cols[2].download_button(
            "Map as HTML (works offline)",
            data=lambda: standalone_html(build_map(frame, basemap=view.basemap, heat=view.heat, colour_by=view.colour,
                                                   window=(start, end), outlines=get_outlines())),
            file_name=f"conflictmap-{stamp}.html", mime="text/html")
        st.caption("The address bar always holds a link to exactly this view: copy it to share.")
