"""Clicks back to places, measured in screen pixels at the zoom of the click."""

from datetime import date

import pandas as pd

from conflictmap.maps.selection import places_under, screen_xy


def _frame(rows):
    base = {"country_code": "IQ", "admin1": "", "feature": "PPL", "articles": 1, "first_seen": pd.Timestamp("2014-06-05"),
            "last_seen": pd.Timestamp("2014-06-30")}
    return pd.DataFrame([{**base, **r} for r in rows])


BAGHDAD = {"place_id": 4, "name": "Baghdad", "lat": 33.3406, "lon": 44.4009, "kind": "city", "mentions": 36}
SADR = {"place_id": 36, "name": "Sadr City", "lat": 33.3889, "lon": 44.4583, "kind": "city", "mentions": 2}
IRAQ = {"place_id": 1, "name": "Iraq", "lat": 33.0, "lon": 44.0, "kind": "country", "mentions": 88}


def test_the_centre_of_a_big_marker_opens_it_though_a_small_one_is_drawn_on_top():
    frame = _frame([BAGHDAD, SADR])
    hit = places_under(frame, {"lat": BAGHDAD["lat"], "lng": BAGHDAD["lon"]}, 6)
    assert hit.place == 4


def test_the_small_marker_opens_when_clicked_on_its_own_centre():
    frame = _frame([BAGHDAD, SADR])
    assert places_under(frame, {"lat": SADR["lat"], "lng": SADR["lon"]}, 6).place == 36


def test_markers_equally_near_offer_a_chooser():
    twin = {**SADR, "place_id": 37, "name": "Sadr City twin"}
    hit = places_under(_frame([BAGHDAD, SADR, twin]), {"lat": SADR["lat"], "lng": SADR["lon"]}, 6)
    assert hit.place in (36, 37) and set(hit.nearby) == {36, 37} - {hit.place}


def test_a_click_beside_every_marker_opens_nothing_but_an_area_by_its_tooltip():
    frame = _frame([BAGHDAD, IRAQ])
    far = {"lat": 30.5, "lng": 47.8}
    assert places_under(frame, far, 6) is None
    assert places_under(frame, far, 6, tooltip="Iraq (country) — 88 mentions").place == 1


def test_zoom_decides_what_is_under_the_mouse():
    frame = _frame([BAGHDAD])
    near = {"lat": BAGHDAD["lat"] + 0.3, "lng": BAGHDAD["lon"]}
    assert places_under(frame, near, 5, window=(date(2014, 6, 1), date(2014, 6, 30))).place == 4
    assert places_under(frame, near, 10) is None


def test_screen_projection_matches_leaflet():
    assert screen_xy(0, 0, 0) == (128.0, 128.0)
    x, y = screen_xy(85.0511, 180, 1)
    assert round(x) == 512 and round(y) == 0
