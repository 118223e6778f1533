"""Map page: where the news happened, over a time window, with the excerpts behind every point.

One view per session (`conflictmap.viewstate.View`). The page reads it and draws;
every control has an `on_change` callback that turns what the user did into one
event and applies it with `update_view` before the next run draws again. Widgets
are seeded from the view on every run, so they always show what the view says.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from conflictmap import queries
from conflictmap.excerpts import excerpt_html, md_escape
from conflictmap.filters import KINDS
from conflictmap.maps.standalone import standalone_html
from conflictmap.maps.areas import area_features
from conflictmap.maps.build import build_map
from conflictmap.maps.selection import places_under
from conflictmap.maps.style import POINT_KINDS
from conflictmap.viewstate import SPEEDS, STEPS, Change, Moved, Page, Select, Step, View, Window
from pages._shared import (
    corrections_for,
    current_view,
    daily_frame,
    facets,
    get_country_names,
    get_geoparser,
    get_outlines,
    mentions_page,
    older_parses_notice,
    places_frame,
    ready_store,
    set_view,
    show_map,
    style,
    totals,
    update_view,
)


PAGE_SIZE = 8
LABELS = 8  # the most mentioned places named on the map
KIND_LABELS = {"city": "Cities & towns", "landmark": "Landmarks", "admin2": "Districts & counties", "admin1": "Provinces & states",
               "region": "Regions", "country": "Countries", "continent": "Continents"}
KIND_WORD = {"city": "town or city", "landmark": "landmark", "admin2": "district", "admin1": "province or state",
             "region": "region", "country": "country", "continent": "continent"}

store = ready_store()
revision = queries.revision(store)
countries_by_code = get_country_names()


# ---- the view's time frame ----------------------------------------------------------------

def _frame_of_time(view: View) -> tuple[date, date, date, date]:
    """(slider low, slider high, window start, window end): the slider covers where the news is
    unless the user asked for every date; the window defaults to the same."""
    whole = view.filters().but(start=None, end=None)
    days = daily_frame(store, whole, revision)
    if days.empty:
        today = date.today()
        return today, today + timedelta(days=1), today, today + timedelta(days=1)
    full = (days["day"].min().date(), days["day"].max().date())
    bulk = queries.bulk_span(days) or full
    lo, hi = full if view.all_dates else bulk
    hi = max(hi, lo + timedelta(days=1))
    start = min(max(view.start or lo, lo), hi)
    end = max(min(view.end or hi, hi), start)
    return lo, hi, start, end


def _filters(view: View):
    """The filters of the view: the window only counts once it is narrower than every date there is."""
    full_lo, full_hi, start, end = _frame_of_time(view.but(all_dates=True, start=None, end=None))
    _lo, _hi, start, end = _frame_of_time(view)
    return view.filters().but(start=start if start > full_lo else None, end=end if end < full_hi else None)


def _map_options(view: View) -> dict:
    """What the map is built with, shared by drawing it and by reading clicks on it."""
    _lo, _hi, start, end = _frame_of_time(view)
    return {"presenter": view.present, "colour_by": view.colour, "window": (start, end), "selected": view.place}


# ---- events: every callback turns one user action into one view event ----------------------

def _on_widget(key: str, field: str, cast=lambda v: v) -> None:
    update_view(Change({field: cast(st.session_state[key])}))


def _on_window() -> None:
    lo, hi, _s, _e = _frame_of_time(current_view())
    a, b = st.session_state["w_window"]
    update_view(Window(None if a <= lo else a, None if b >= hi else b))


def _shift_window(days: int) -> None:
    view = current_view()
    lo, hi, start, end = _frame_of_time(view)
    width = end - start
    a = min(max(start + timedelta(days=days), lo), hi - width)
    update_view(Window(None if a <= lo else a, None if a + width >= hi else a + width))


def _on_brush() -> None:
    picked = (st.session_state.get("w_timeline") or {}).get("selection", {}).get("brush", {})
    span_ms = next(iter(picked.values()), None) if picked else None
    if span_ms and len(span_ms) == 2:
        lo, hi, _s, _e = _frame_of_time(current_view())
        a = max(pd.to_datetime(span_ms[0], unit="ms").date(), lo)
        b = min(pd.to_datetime(span_ms[1], unit="ms").date(), hi)
        if a <= b:
            update_view(Window(None if a <= lo else a, None if b >= hi else b))


def _on_pick() -> None:
    pid = st.session_state["w_pick"]
    row = places_frame(store, _filters(current_view()), revision).set_index("place_id")
    at = (float(row.at[pid, "lat"]), float(row.at[pid, "lon"])) if pid is not None and pid in row.index else None
    update_view(Select(pid, fly_to=at))


def _choose(pid: int) -> None:
    view = current_view()
    update_view(Select(pid, nearby=(*view.nearby, *((view.place,) if view.place else ()))))


def _on_map() -> None:
    """A click, pan or zoom on the map. A click is new when it differs from this map's last report."""
    value = st.session_state.get("map") or {}
    before = st.session_state.get("map_seen") or {}
    st.session_state["map_seen"] = value
    view = current_view()
    click = value.get("last_clicked")
    if click and click != before.get("last_clicked"):
        frame = places_frame(store, _filters(view), revision)
        # a shape's tooltip belongs to this click only when the shape reported the same point
        tooltip = value.get("last_object_clicked_tooltip") if value.get("last_object_clicked") == click else None
        hit = places_under(frame, click, value.get("zoom"), tooltip=tooltip, **_map_options(view))
        if hit is not None:
            view = update_view(Select(hit.place, nearby=hit.nearby))
    center, zoom = value.get("center"), value.get("zoom")
    if not {"cm-touched", "cm-settled"} & set(value.get("selected_tags") or ()):
        return  # folium's start, a fit at a passing frame size, or where the page put it (maps/extras.py)
    if center and zoom:
        update_view(Moved(center["lat"], center["lng"], zoom))


def _on_play() -> None:
    playing = bool(st.session_state["w_play"])
    st.session_state["play_due"] = time.monotonic() + current_view().speed
    update_view(Change({"playing": playing}))


def _on_find() -> None:
    """A place typed in any spelling: one match opens (and the map flies there); several are offered below."""
    text = st.session_state.get("w_find", "")
    frame = places_frame(store, _filters(current_view()), revision)
    found = queries.find_places(frame, text, get_geoparser().gazetteer) if text.strip() else []
    if len(found) == 1:
        row = frame.set_index("place_id").loc[found[0]]
        update_view(Select(found[0], fly_to=(float(row["lat"]), float(row["lon"]))))


def _fly(pid: int) -> None:
    row = places_frame(store, _filters(current_view()), revision).set_index("place_id").loc[pid]
    update_view(Select(pid, fly_to=(float(row["lat"]), float(row["lon"]))))


def _seed(key: str, value) -> None:
    """Show the view's value in a widget (before the widget is drawn in this run)."""
    if st.session_state.get(key) != value:
        st.session_state[key] = value


# ---- a link made before a correction opens the place it became -------------------------------
view = current_view()
moved_to = corrections_for(store, revision).get(view.place) if view.place is not None else None
if moved_to is not None:
    view = update_view(Select(moved_to))

lo, hi, start, end = _frame_of_time(view)
filters = _filters(view)
style(view.present)

# ---- sidebar: filters -------------------------------------------------------------------------
options = facets(store, revision)
place_names = {int(i): f"{n} ({countries_by_code.get(c, c)})" if c else n for i, n, c in options["places"]}
with st.sidebar:
    older_parses = st.empty()  # filled last (older_parses_notice): the map does not wait for it
    st.header("Filters")
    for key, value in (("f_countries", [c for c in view.countries if c in options["countries"]]),
                       ("f_places", [p for p in view.places if p in place_names]),
                       ("f_sources", [s for s in view.sources if s in options["sources"]]),
                       ("f_kinds", list(view.kinds)), ("f_keyword", view.keyword), ("f_min", view.min_mentions),
                       ("f_conf", int(round(view.min_confidence * 100))), ("f_demonyms", view.demonyms),
                       ("f_colour", view.colour), ("f_basemap", view.basemap), ("f_heat", view.heat), ("f_all", view.all_dates)):
        _seed(key, value)
    st.multiselect("Countries", options["countries"], key="f_countries", format_func=lambda c: countries_by_code.get(c, c),
                   on_change=_on_widget, args=("f_countries", "countries", tuple))
    st.multiselect("Places", list(place_names), key="f_places", format_func=place_names.get,
                   help="Only these places (the 500 most mentioned are offered)",
                   on_change=_on_widget, args=("f_places", "places", lambda v: tuple(int(p) for p in v)))
    st.multiselect("Sources", options["sources"], key="f_sources", on_change=_on_widget, args=("f_sources", "sources", tuple))
    st.multiselect("Kinds of place", list(KINDS), key="f_kinds", format_func=KIND_LABELS.get, help="Empty shows every kind",
                   on_change=_on_widget, args=("f_kinds", "kinds", tuple))
    st.text_input("Keyword in the article", key="f_keyword", max_chars=200,
                  on_change=_on_widget, args=("f_keyword", "keyword", str.strip))
    st.number_input("Minimum mentions per place", min_value=1, max_value=10_000, key="f_min",
                    on_change=_on_widget, args=("f_min", "min_mentions", int))
    st.slider("Minimum confidence (%)", 0, 95, step=5, key="f_conf",
              help="Hide mentions the geoparser was unsure of. Uncertain places are drawn dashed and pale.",
              on_change=_on_widget, args=("f_conf", "min_confidence", lambda v: round(v / 100, 2)))
    st.toggle("Count adjectives (Iraqi → Iraq)", key="f_demonyms", on_change=_on_widget, args=("f_demonyms", "demonyms"))
    st.toggle("Timeline: every date", key="f_all", help="Show stray dates far from the rest of the news on the timeline too",
              on_change=_on_widget, args=("f_all", "all_dates"))
    st.header("Map")
    st.radio("Colour markers by", ["recency", "country"], key="f_colour", horizontal=True,
             on_change=_on_widget, args=("f_colour", "colour"))
    st.radio("Basemap", ["offline", "online"], key="f_basemap", horizontal=True,
             help="Offline draws country outlines shipped with the app; online loads map tiles from the internet",
             on_change=_on_widget, args=("f_basemap", "basemap"))
    st.toggle("Heat layer", key="f_heat", on_change=_on_widget, args=("f_heat", "heat"))

# ---- top bar: the window, the counts, play, presenter mode -----------------------------------
counts = totals(store, filters, revision)
frame = places_frame(store, filters, revision)
labels = queries.place_labels(frame, countries_by_code)
bar = st.columns([3.3, 1.5, 1.8, 1.6, 2.4] if view.present else [2.6, 3.2, 1.4, 1.6, 1.4], vertical_alignment="center")
bar[0].markdown(f'<span class="cm-window" aria-live="polite">{start:%d %b %Y} – {end:%d %b %Y}</span>', unsafe_allow_html=True)
counts_line = (f'<span class="cm-counts">{counts["articles"]:,} articles · {counts["places"]:,} places · '
               f'{counts["mentions"]:,} mentions</span>')
counts_help = ("Mentions: place names found in the articles in view. Adjectives (‘Iraqi’) count only when the sidebar "
               "says so, and places marked ‘not a place’ never do; `python -m conflictmap stats` counts every name stored.")
if view.present:
    play_at, speed_at, step_at = bar[1], bar[2], bar[3]
    present_at = bar[4]
else:
    bar[1].markdown(counts_line, unsafe_allow_html=True, help=counts_help)
    play_at, speed_at, step_at = bar[2], bar[3], bar[4]
    present_at = st.sidebar  # no room in the bar on a laptop; the presenter's own bar has it
_seed("w_play", view.playing)
play_at.toggle("▶ Play", key="w_play", on_change=_on_play, help="Moves the window forward step by step")
_seed("w_speed", view.speed)
speed_at.selectbox("Speed", SPEEDS, key="w_speed", format_func=lambda s: f"{s:g} s / step", label_visibility="collapsed",
                   on_change=_on_widget, args=("w_speed", "speed", float))
_seed("w_step", view.step)
step_at.selectbox("Step", STEPS, key="w_step", format_func=lambda d: f"{d} day{'s' * (d != 1)}", label_visibility="collapsed",
                  on_change=_on_widget, args=("w_step", "step", int))
_seed("f_present", view.present)
present_at.toggle("Presenter mode", key="f_present", help="Hides the sidebar, enlarges text and markers",
                  on_change=_on_widget, args=("f_present", "present"))


@st.fragment(run_every=0.25 if view.playing else None)
def _player() -> None:
    """One play step when its time is due; the next is due one pace later, so slow reruns do not slow the film."""
    view = current_view()
    if not view.playing:
        return
    now = time.monotonic()
    due = st.session_state.get("play_due", now)
    if now < due:
        return
    st.session_state["play_due"] = due + view.speed if due + view.speed > now else now + view.speed
    lo, hi, _s, _e = _frame_of_time(view)
    update_view(Step(lo, hi))
    st.rerun(scope="app")


_player()

# ---- the place picker, the map and the excerpts --------------------------------------------------
body = st.container(key="cm_body")
# The excerpt column comes first in the page, so the place picker is the first control after Streamlit's
# "skip to content" link; CSS (row-reverse) still shows it right of the map, or below it on narrow screens.
right, left = body.columns([3, 7] if view.present else [2, 3])
with right:
    if view.present:
        st.markdown(counts_line, unsafe_allow_html=True, help=counts_help)
    if not frame.empty:
        # the keyboard way to pick a place, same effect as a click on the map; first in the tab order after the sidebar
        choices: list[int | None] = [None, *(int(x) for x in frame["place_id"].head(300))]
        if view.place is not None and view.place not in choices and view.place in labels:
            choices.append(view.place)
        counts_by_id = dict(zip(frame["place_id"].astype(int), frame["mentions"].astype(int)))
        _seed("w_pick", view.place if view.place in choices else None)
        st.selectbox("Place (or click the map)", choices, key="w_pick", on_change=_on_pick,
                     format_func=lambda p: "—" if p is None else f"{labels.get(p, p)} · {counts_by_id.get(p, 0):,}")
        if not view.present:
            typed = st.text_input("Find a place by any spelling", key="w_find", on_change=_on_find,
                                  placeholder="e.g. Fallujah, Kobane, Deir ez-Zor")
            if typed.strip():
                found = queries.find_places(frame, typed, get_geoparser().gazetteer)
                if not found:
                    st.caption(f"No place called “{md_escape(typed.strip())}” in this view.")
                elif len(found) > 1 or found[0] != view.place:
                    hits = st.columns(min(3, len(found)))
                    for i, pid in enumerate(found[:9]):
                        hits[i % len(hits)].button(labels.get(pid, str(pid)), key=f"find-{pid}", on_click=_fly, args=(pid,))
                    st.button("Show only these on the map", key="find-only", on_click=update_view,
                              args=(Change({"places": tuple(found)}),))
with left:
    if frame.empty:
        st.info("No places in this view. Widen the date window or clear some filters.")
    # The map is built fitted to the places and then told where the view is (center/zoom below): a pan
    # or zoom then changes nothing in the map's script, so the frame is not rebuilt, and a rebuilt map
    # (new window, new selection, a play step) opens exactly where the user left it.
    area_ids = frame.loc[~frame["kind"].isin(POINT_KINDS), "geonameid"].dropna() if len(frame) else []
    shapes = area_features(tuple(int(g) for g in area_ids))
    # the first view frames every date's places, the same whichever window is shown (play never re-frames)
    every_date = places_frame(store, filters.but(start=None, end=None), revision)
    # what the map shows, the same on screen and in the HTML export
    drawn_as = {"basemap": view.basemap, "heat": view.heat, "labels": LABELS, "shapes": shapes, "focus": every_date,
                "outlines": get_outlines(), **_map_options(view)}
    fmap, _reply = show_map(
        frame, key="map", height=960 if view.present else 1200, on_change=_on_map,
        move_to=(view.lat, view.lon) if view.lat is not None and view.lon is not None else None, move_zoom=view.zoom,
        returned_objects=["last_clicked", "last_object_clicked", "last_object_clicked_tooltip", "center", "zoom", "selected_tags"],
        **drawn_as)
    # the timeline, under the map: slider (arrow keys step a day), week steps, and the histogram
    # Set on every run, not only when it differs: a "Play" click that lands while a step is on its way leaves
    # the server's copy of the value already new and the browser's thumbs a step behind; only a value
    # sent again puts them where the window is.
    st.session_state["w_window"] = (start, end)
    st.slider("Date window", min_value=lo, max_value=hi, key="w_window", format="YYYY-MM-DD", step=timedelta(days=1),
              on_change=_on_window, label_visibility="collapsed" if view.present else "visible")
    steps = st.columns([1, 1, 5])
    steps[0].button("◀ 1 week", key="w_back", on_click=_shift_window, args=(-7,), width="stretch")
    steps[1].button("1 week ▶", key="w_fwd", on_click=_shift_window, args=(7,), width="stretch")
    outside = daily_frame(store, filters.but(start=None, end=None), revision)
    stray = int(outside[(outside["day"] < pd.Timestamp(lo)) | (outside["day"] > pd.Timestamp(hi))]["mentions"].sum()) if len(outside) else 0
    if stray and not view.all_dates:
        steps[2].caption(f"{stray:,} mention{'s' * (stray != 1)} dated outside {lo:%b %Y}–{hi:%b %Y}: "
                         "turn on ‘Timeline: every date’ in the sidebar to reach them.")
    days = outside[(outside["day"] >= pd.Timestamp(lo)) & (outside["day"] <= pd.Timestamp(hi))] if len(outside) else outside
    if not view.present and len(days):
        import altair as alt  # here, after the map is on its way to the browser: a first start waits for it no longer

        # the brush shows the window (and can be dragged to move it); over the whole timeline there is none, so a
        # drag anywhere draws a new one
        whole_span = (start, end) == (lo, hi)
        shown_window = {} if whole_span else {"value": {"x": [alt.DateTime(year=start.year, month=start.month, date=start.day),
                                                               alt.DateTime(year=end.year, month=end.month, date=end.day)]}}
        brush = alt.selection_interval(encodings=["x"], name="brush", **shown_window)
        shown = ((days["day"] >= pd.Timestamp(start)) & (days["day"] <= pd.Timestamp(end))).map({True: "in window", False: "outside"})
        chart = (
            alt.Chart(days.assign(shown=shown))
            .mark_bar()
            .encode(
                x=alt.X("day:T", title=None),
                y=alt.Y("mentions:Q", title="Mentions per day"),
                color=alt.Color("shown:N", scale=alt.Scale(domain=["in window", "outside"], range=["#0072B2", "#b8c4d6"]), legend=None),
                tooltip=[alt.Tooltip("day:T", format="%d %b %Y", title="Day"), alt.Tooltip("mentions:Q", title="Mentions")],
            )
            .add_params(brush)
            .properties(height=80, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        )
        st.altair_chart(chart, on_select=_on_brush, key="w_timeline", width="stretch")

with right:
    selected = frame[frame["place_id"] == view.place] if view.place is not None else frame.iloc[0:0]
    if selected.empty:
        st.subheader("Excerpts")
        st.caption("Click a place on the map, or pick one above, to read what was said about it.")
        if not frame.empty and not view.present:
            top = frame.head(15)
            st.dataframe(pd.DataFrame({"Place": [labels[int(p)] for p in top["place_id"]],
                                       "Country": [countries_by_code.get(c, c or "—") for c in top["country_code"]],
                                       "Mentions": top["mentions"].astype(int)}), hide_index=True, width="stretch")
    else:
        place = selected.iloc[0]
        st.subheader(md_escape(labels.get(int(place["place_id"]), place["name"])))
        n_mentions, n_articles = int(place["mentions"]), int(place["articles"])
        where = ", ".join(x for x in (str(place.get("admin1") or ""), countries_by_code.get(place["country_code"], place["country_code"] or "")) if x)
        st.caption(md_escape(f"{KIND_WORD.get(place['kind'], place['kind'])}{' in ' + where if where else ''} · "
                             f"{n_mentions:,} mention{'s' * (n_mentions != 1)} in {n_articles:,} article{'s' * (n_articles != 1)}"))
        if view.nearby:
            st.caption("Also under your click:")
            near = st.columns(min(3, len(view.nearby)))
            for i, pid in enumerate(view.nearby):
                near[i % len(near)].button(labels.get(pid, str(pid)), key=f"near-{pid}", on_click=_choose, args=(pid,))
        pages = max(1, -(-n_mentions // PAGE_SIZE))
        page = min(view.page, pages - 1)
        rows = mentions_page(store, filters.but(places=(int(place["place_id"]),)), revision, PAGE_SIZE, page * PAGE_SIZE)
        for rec in rows.to_dict("records"):
            st.markdown(excerpt_html(rec), unsafe_allow_html=True)
        if pages > 1:
            nav = st.columns(3)
            nav[0].button("◀ Newer", disabled=page == 0, key="newer", on_click=update_view, args=(Page(page - 1),))
            nav[1].markdown(f"page {page + 1} of {pages}")
            nav[2].button("Older ▶", disabled=page >= pages - 1, key="older", on_click=update_view, args=(Page(page + 1),))
        st.button("Clear selection", key="clear_place", on_click=update_view, args=(Select(None),))

set_view(current_view())

# ---- exports ----------------------------------------------------------------------------------
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
            data=lambda: standalone_html(build_map(frame, **drawn_as)),  # the map as on screen: shapes, labels, selection
            file_name=f"conflictmap-{stamp}.html", mime="text/html")
        st.caption("The address bar always holds a link to exactly this view: copy it to share.")

older_parses_notice(older_parses, store, revision)
