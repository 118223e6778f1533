"""Small geographic fixtures shared by the map tests."""

# Two made-up square "countries" are enough to exercise the outline code.
OUTLINES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"iso_a2": "SY", "name": "Syria"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[35.7, 32.3], [42.4, 32.3], [42.4, 37.3], [35.7, 37.3], [35.7, 32.3]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"iso_a2": "LB", "name": "Lebanon"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[35.1, 33.0], [36.6, 33.0], [36.6, 34.7], [35.1, 34.7], [35.1, 33.0]]]],
            },
        },
    ],
}
