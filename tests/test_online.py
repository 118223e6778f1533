"""The optional online geocoder: cached, rate-limited, and silent when the network is gone.

The network service itself is the one thing replaced here (by a stand-in that counts calls);
the cache, the wrapper and the offline gazetteer are the real ones.
"""

from __future__ import annotations

from geopy.exc import GeocoderUnavailable
from geopy.location import Location
from geopy.point import Point

from conflictmap.geoparser.online import USER_AGENT, CachedGeocoder, lookup, nominatim


class Service:
    """Stands in for the remote service: answers one name, counts every request."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self, query: str):
        self.calls += 1
        if self.fail:
            raise GeocoderUnavailable("no network")
        if query.strip().lower() == "zumar":
            return Location("Zumar, Nineveh, Iraq", Point(36.63, 42.57), {"osm_id": 1})
        return None


def test_no_name_is_asked_twice_even_across_processes(tmp_path):
    service = Service()
    cache = CachedGeocoder(service, tmp_path / "geo.sqlite")
    assert cache("Zumar").latitude == 36.63
    assert cache(" zumar ").latitude == 36.63
    assert cache("Nowhereville") is None and cache("nowhereville") is None
    assert service.calls == 2
    again = CachedGeocoder(service, tmp_path / "geo.sqlite")
    assert again("ZUMAR").address == "Zumar, Nineveh, Iraq" and service.calls == 2
    assert again.asked() == 2


def test_network_failure_answers_none_and_is_not_remembered(tmp_path):
    down = Service(fail=True)
    cache = CachedGeocoder(down, tmp_path / "geo.sqlite")
    assert cache("Zumar") is None and cache.asked() == 0
    up = Service()
    assert CachedGeocoder(up, tmp_path / "geo.sqlite")("Zumar") is not None


def test_nominatim_is_rate_limited_and_identifies_itself(tmp_path):
    geo = nominatim(tmp_path / "geo.sqlite", timeout=3)
    limiter = geo._geocode
    assert limiter.min_delay_seconds >= 1.0
    service = limiter.func.__self__
    assert service.headers["User-Agent"] == USER_AGENT and "conflictmap" in USER_AGENT
    assert service.timeout == 3


def test_lookup_puts_the_gazetteer_first_and_online_last(tmp_path, parser):
    online = CachedGeocoder(Service(), tmp_path / "geo.sqlite")
    offline_only = lookup("Erbil", parser.gazetteer)
    assert offline_only and offline_only[0].place.country_code == "IQ" and offline_only[0].source == "gazetteer"
    assert offline_only[0].place.geonameid and offline_only[0].place.name == "Erbil"
    both = lookup("Zumar", parser.gazetteer, online)
    assert both[-1].source == "OpenStreetMap" and both[-1].place.lat == 36.63 and both[-1].place.geonameid is None
