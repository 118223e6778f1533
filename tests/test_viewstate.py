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
