"""Places page: every place in view, sortable, and the means to correct a wrong one."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from conflictmap import queries
from conflictmap.excerpts import md_escape
from conflictmap.geoparser.online import lookup
from pages._shared import (current_user, current_view, get_country_names, get_geoparser, get_online_geocoder, older_parses_notice,
                           places_frame, ready_store, show_map, style)

store = ready_store()
older_parses_notice(st.sidebar.empty(), store, queries.revision(store))
view = current_view()
style(view.present)
countries = get_country_names()
st.title("Places")
st.caption("Sort by any column. Pick a place below to correct where it was put, or to mark it as not a place; "
           "a correction applies to every past and future mention of that place, and can be undone.")


def _correct(place_id: int, new_place, note: str) -> None:
    """Make a correction and remember, for the next run, what moved where (with province and country)."""
    before = queries.place_line(queries.place(store, place_id), countries)
    n = int(frame.loc[frame["place_id"] == place_id, "mentions"].sum())
    store.correct(place_id, new_place=new_place, note=note, by=current_user())
    after = queries.place_line(new_place, countries) if new_place else None
    what = f"{n:,} mention{'s' * (n != 1)} of {before}"
    st.session_state["flash"] = (f"Moved {what} to {after}." if after else f"Hid {what}: not a place."), place_id


def _undo(place_id: int) -> None:
    store.uncorrect(place_id, by=current_user())
    st.session_state["flash"] = (f"Undone: {queries.place_line(queries.place(store, place_id), countries)} is back as the geoparser had it.", None)


frame = places_frame(store, view.filters(), queries.revision(store))
flash = st.session_state.pop("flash", None)
if flash:
    message, undo_id = flash
    note, undo = st.columns([6, 1], vertical_alignment="center")
    note.success(md_escape(message))
    if undo_id is not None:
        undo.button("Undo", key="undo-flash", type="primary", on_click=_undo, args=(undo_id,))

if st.toggle("Least certain first", key="least_certain", help="For review: the places the geoparser was least sure of"):
    frame = frame.sort_values(["confidence", "mentions"], ascending=[True, False], kind="stable")
find = st.text_input("Find a place", key="places_find", placeholder="any spelling, e.g. Kobane, Falluja",
                     help="Any spelling the gazetteer knows, accents and hyphens aside")
if find.strip():
    found = set(queries.find_places(frame, find, get_geoparser().gazetteer))
    frame = frame[frame["place_id"].isin(found)]
    if frame.empty:
        st.caption(f"No place in view answers to “{md_escape(find.strip())}”.")
table = pd.DataFrame({
    "Place": frame["name"], "Province or state": frame["admin1"],
    "Country": [countries.get(c, c or "—") for c in frame["country_code"]], "Kind": frame["kind"],
    "Mentions": frame["mentions"], "Articles": frame["articles"], "First seen": frame["first_seen"],
    "Last seen": frame["last_seen"], "Confidence": (frame["confidence"] * 100).round(), "Latitude": frame["lat"], "Longitude": frame["lon"], "Id": frame["place_id"],
})
st.dataframe(table, hide_index=True, width="stretch", height=380,
             column_config={"First seen": st.column_config.DateColumn(), "Last seen": st.column_config.DateColumn(),
                            "Confidence": st.column_config.NumberColumn(format="%d %%", help="Mean over the place's mentions")})

st.subheader("Correct a place")
if frame.empty:
    st.info("No places in view.")
    st.stop()
names = queries.place_labels(frame, countries)
labels = {int(r.place_id): f"{names[int(r.place_id)]} ({countries.get(r.country_code, r.country_code or '—')}, {r.kind}) · "
                           f"{r.mentions} mentions" for r in frame.itertuples()}
place_id = st.selectbox("Place", list(labels), format_func=labels.get, key="correct_place")
place = queries.place(store, place_id)
st.write(f"Now at {place.lat:.4f}, {place.lon:.4f}.")
candidates = queries.place_candidates(store, place_id)
choice_col, point_col = st.columns(2)
with choice_col:
    st.markdown("**Another candidate**")
    if candidates:
        options = [f"{queries.place_line(c, countries)} ({c.lat:.2f}, {c.lon:.2f})" for c in candidates]
        k = st.radio("Candidates the geoparser considered", range(len(candidates)), format_func=options.__getitem__, key="cand")
        if st.button("Use this candidate", key="use_cand"):
            _correct(place_id, candidates[k], "picked another candidate")
            st.rerun()
    else:
        st.caption("The geoparser had no other candidate for this name.")
with point_col:
    st.markdown("**Another place by name**")
    query = st.text_input("Search the gazetteer", key="fix_query", placeholder="e.g. Sinjar, Alexandria")
    online = st.toggle("Also ask OpenStreetMap (needs internet)", key="fix_online",
                       help="Answers are cached, and at most one request a second is sent")
    if query.strip():
        geo = get_online_geocoder() if online else None
        found = lookup(query, get_geoparser().gazetteer, geo)
        if found:
            pick = st.radio("Matches", range(len(found)), key="fix_pick",
                            format_func=lambda k: f"{found[k].label} ({found[k].place.lat:.2f}, {found[k].place.lon:.2f}) · {found[k].source}")
            if st.button("Use this place", key="use_found"):
                _correct(place_id, found[pick].place, f"looked up '{query.strip()}'")
                st.rerun()
        else:
            st.caption("No match" + ("" if online else "; try the OpenStreetMap option when online") + ".")

history = queries.correction_history(store, place_id)
if history:
    with st.expander(f"History of this place: {len(history)} correction(s), the latest one applies", expanded=False):
        st.dataframe(pd.DataFrame([{"when": h["created_at"][:19].replace("T", " "), "who": h["made_by"] or "—",
                                    "from": h["from_name"] or "hidden", "to": h["to_name"] or "hidden (not a place)",
                                    "note": h["note"]} for h in history]), hide_index=True, width="stretch")

st.markdown("**Or click the map to put it there**")
here = pd.DataFrame([{**place.to_dict(), "place_id": place_id, "mentions": 1, "articles": 1,
                      "first_seen": pd.NaT, "last_seen": pd.NaT}])
_pick_map, clicked = show_map(here, key=f"fix-map-{place_id}", height=320, returned_objects=["last_clicked"],
                              basemap=view.basemap, center=(place.lat, place.lon), zoom=6)
point = (clicked or {}).get("last_clicked")
if point:
    st.write(f"Clicked {point['lat']:.4f}, {point['lng']:.4f}.")
    if st.button("Move here", key="move"):
        _correct(place_id, replace(place, geonameid=None, lat=point["lat"], lon=point["lng"], admin1="", feature=""), "moved by hand")
        st.rerun()
if st.button("Not a place: hide it everywhere", key="reject"):
    _correct(place_id, None, "not a place")
    st.rerun()

done = queries.corrections(store, countries)
if done:
    st.subheader("Corrections made")
    for c in done:
        cols = st.columns([5, 1])
        target = f"→ {c['to_label']}" if c.get("new_place_id") else "→ not a place"
        who = f", by {c['made_by']}" if c.get("made_by") else ""
        cols[0].write(f"{md_escape(c['from_label'])} {md_escape(target)} ({c['created_at'][:16]}{md_escape(who)})")
        if cols[1].button("Undo", key=f"undo-{c['place_id']}"):
            store.uncorrect(c["place_id"], by=current_user())
            st.rerun()
