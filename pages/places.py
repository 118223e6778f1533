"""Places page: every place in view, sortable, and the means to correct a wrong one."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap.maps.assets import local_assets, streamlit_base_url
from conflictmap.maps.build import build_map
from conflictmap.excerpts import md_escape
from conflictmap.geoparser.online import lookup
from pages._shared import current_user, current_view, get_geoparser, get_online_geocoder, get_outlines, get_store, places_frame, style

store = get_store()
view = current_view()
style(view.present)
st.title("Places")
st.caption("Sort by any column. Pick a place below to correct where it was put, or to mark it as not a place; "
           "a correction applies to every past and future mention of that place.")

frame = places_frame(store, view.filters(), store.revision())
table = frame[["place_id", "name", "country_code", "kind", "mentions", "articles", "first_seen", "last_seen", "lat", "lon"]]
st.dataframe(table, hide_index=True, width="stretch", height=380,
             column_config={"first_seen": st.column_config.DateColumn("first seen"),
                            "last_seen": st.column_config.DateColumn("last seen")})

st.subheader("Correct a place")
if frame.empty:
    st.info("No places in view.")
    st.stop()
labels = {int(r.place_id): f"{r.name} ({r.country_code or '—'}, {r.kind}) · {r.mentions} mentions" for r in frame.itertuples()}
place_id = st.selectbox("Place", list(labels), format_func=labels.get, key="correct_place")
place = store.place(place_id)
st.write(f"Now at {place.lat:.4f}, {place.lon:.4f}.")
candidates = store.place_candidates(place_id)
choice_col, point_col = st.columns(2)
with choice_col:
    st.markdown("**Another candidate**")
    if candidates:
        names = [f"{c.name}, {c.admin1} {c.country_code} ({c.lat:.2f}, {c.lon:.2f})" for c in candidates]
        k = st.radio("Candidates the geoparser considered", range(len(candidates)), format_func=names.__getitem__, key="cand")
        if st.button("Use this candidate", key="use_cand"):
            c = candidates[k]
            store.correct(place_id, new_place=c, note="picked another candidate", by=current_user())
            st.success(f"Moved to {md_escape(c.name)}.")
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
                store.correct(place_id, new_place=found[pick].place, note=f"looked up '{query.strip()}'", by=current_user())
                st.success(f"Moved to {md_escape(found[pick].label)}.")
                st.rerun()
        else:
            st.caption("No match" + ("" if online else "; try the OpenStreetMap option when online") + ".")

history = store.correction_history(place_id)
if history:
    with st.expander(f"History of this place: {len(history)} correction(s), the latest one applies", expanded=False):
        st.dataframe(pd.DataFrame([{"when": h["created_at"][:19].replace("T", " "), "who": h["made_by"] or "—",
                                    "from": h["from_name"] or "hidden", "to": h["to_name"] or "hidden (not a place)",
                                    "note": h["note"]} for h in history]), hide_index=True, width="stretch")

st.markdown("**Or click the map to put it there**")
here = pd.DataFrame([{**place.to_dict(), "place_id": place_id, "mentions": 1, "articles": 1,
                      "first_seen": pd.NaT, "last_seen": pd.NaT}])
pick_map = local_assets(build_map(here, basemap=view.basemap, outlines=get_outlines(), center=(place.lat, place.lon), zoom=6),
                        streamlit_base_url(st.get_option("server.baseUrlPath")))
clicked = st_folium(pick_map, key=f"fix-map-{place_id}", height=320, use_container_width=True, returned_objects=["last_clicked"])
point = (clicked or {}).get("last_clicked")
if point:
    st.write(f"Clicked {point['lat']:.4f}, {point['lng']:.4f}.")
    if st.button("Move here", key="move"):
        store.correct(place_id, new_place=replace(place, geonameid=None, lat=point["lat"], lon=point["lng"], admin1="", feature=""), note="moved by hand", by=current_user())
        st.success("Moved.")
        st.rerun()
if st.button("Not a place: hide it everywhere", key="reject"):
    store.correct(place_id, note="not a place", by=current_user())
    st.success(f"{md_escape(place.name)} is hidden.")
    st.rerun()

done = store.corrections()
if done:
    st.subheader("Corrections made")
    for c in done:
        cols = st.columns([5, 1])
        target = f"→ {c['new_name']}" if c["new_name"] else "not a place"
        who = f", by {c['made_by']}" if c.get("made_by") else ""
        cols[0].write(f"{md_escape(c['place_name'])} {md_escape(target)} ({c['created_at'][:16]}{md_escape(who)})")
        if cols[1].button("Undo", key=f"undo-{c['place_id']}"):
            store.uncorrect(c["place_id"], by=current_user())
            st.rerun()
