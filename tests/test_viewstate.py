"""The URL carries the view: every field survives a round trip, junk falls back to defaults."""

from datetime import date

from conflictmap.viewstate import View, from_params, to_params


def test_round_trip_keeps_every_field():
    view = View(start=date(2014, 6, 10), end=date(2014, 7, 1), countries=("IQ", "SY"), places=(3, 17), sources=("Desk",), kinds=("city",),
                keyword="dam", min_mentions=3, demonyms=True, place=12, lat=36.3, lon=43.1, zoom=7, present=True,
                basemap="online", colour="country", heat=True, article="abc")
    assert from_params(to_params(view)) == view


def test_default_view_makes_an_empty_query():
    assert to_params(View()) == {}


def test_mangled_values_fall_back_to_defaults():
    view = from_params({"start": "2014-13-45", "zoom": "99", "lat": "north", "basemap": "<script>", "kinds": "city,moon",
                        "min": "-4", "countries": "IQ,Iraq"})
    assert view.start is None and view.zoom is None and view.lat is None
    assert view.basemap == "offline" and view.kinds == ("city",) and view.min_mentions == 1 and view.countries == ("IQ",)


def test_reversed_dates_are_swapped_and_lists_take_the_last_value():
    view = from_params({"start": ["2014-01-01", "2014-08-01"], "end": "2014-06-01"})
    assert (view.start, view.end) == (date(2014, 6, 1), date(2014, 8, 1))


def test_view_becomes_filters():
    f = View(start=date(2014, 6, 1), countries=("IQ",), keyword="Mosul").filters()
    assert f.start == date(2014, 6, 1) and f.countries == ("IQ",) and f.keyword == "Mosul"


def test_overflowing_numbers_and_odd_digits_fall_back():
    view = from_params({"min": "inf", "zoom": "1e999", "place": "inf", "places": "²,12", "lat": "nan"})
    assert view.min_mentions == 1 and view.zoom is None and view.place is None and view.places == (12,)


def test_values_with_commas_survive_the_link():
    view = View(sources=("Reuters, London", "AP"), keyword="Mosul, dam")
    assert from_params(to_params(view)) == view


# ---- one function for every event ---------------------------------------------------------

from conflictmap.viewstate import Change, Moved, Page, Select, Step, Window, next_window, update  # noqa: E402


def test_every_selection_opens_its_place_in_any_order():
    view = View()
    for pid in (4, 7, 9, 4, 11, 7):  # picker, clicks, back to one already seen
        view = update(view, Select(pid))
        assert view.place == pid
    assert update(view, Select(None)).place is None


def test_picking_flies_the_map_there_and_a_click_does_not():
    view = View(lat=30.0, lon=40.0, zoom=5)
    picked = update(view, Select(4, fly_to=(33.34, 44.4)))
    assert (picked.lat, picked.lon, picked.zoom) == (33.34, 44.4, 6)
    clicked = update(view, Select(4))
    assert (clicked.lat, clicked.lon, clicked.zoom) == (30.0, 40.0, 5)


def test_a_new_place_or_filter_starts_the_excerpts_again_but_the_frame_stays():
    view = update(View(place=4), Page(3))
    assert view.page == 3
    assert update(view, Select(5)).page == 0
    assert update(view, Change({"countries": ("IQ",)})).page == 0
    moved = update(view, Moved(33.0, 44.0, 7))
    assert moved.page == 3 and (moved.lat, moved.lon, moved.zoom) == (33.0, 44.0, 7)


def test_a_click_keeps_the_others_under_it_for_the_chooser():
    view = update(View(), Select(4, nearby=(36, 4, 12)))
    assert view.nearby == (36, 12)
    assert "nearby" not in to_params(view) and "playing" not in to_params(update(view, Change({"playing": True})))


def test_unknown_fields_are_refused_with_the_known_ones_named():
    import pytest

    with pytest.raises(ValueError, match="place"):
        update(View(), Change({"plcae": 3}))


def test_play_steps_keep_the_width_and_wrap_round():
    lo, hi = date(2014, 6, 1), date(2014, 9, 30)
    view = View(start=date(2014, 6, 1), end=date(2014, 6, 8), step=7)
    view = update(view, Step(lo, hi))
    assert (view.start, view.end) == (date(2014, 6, 8), date(2014, 6, 15))
    assert next_window(date(2014, 9, 23), hi, 7, lo, hi) == (lo, date(2014, 6, 8))


def test_window_events_are_ordered_and_idempotent():
    view = update(View(), Window(date(2014, 7, 1), date(2014, 6, 1)))
    assert (view.start, view.end) == (date(2014, 6, 1), date(2014, 7, 1))
    assert update(view, Window(view.start, view.end)) is view


def test_confidence_speed_and_timeline_travel_in_the_link():
    view = View(min_confidence=0.5, speed=1.0, step=3, all_dates=True, page=2)
    params = to_params(view)
    assert params["conf"] == "0.50" and from_params(params) == view
    assert from_params({"conf": "7", "speed": "9", "step": "-1"}) == View()
