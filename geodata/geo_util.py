"""Geometry helpers shared by the geodata derive/basemap scripts; the geometry itself is shapely's.

What is ours is only what shapely does not know: decoding TopoJSON topologies into
GeoJSON-style coordinate lists, and the rule for a country's point (the largest polygon's
centroid, moved inside it when it falls outside). Area, centroids, containment, line
simplification and clipping are shapely calls.

Coordinates are [lon, lat] pairs throughout, as in GeoJSON.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import shapely
from shapely.geometry import LineString, Point, Polygon as ShapelyPolygon

Ring = list[list[float]]
Polygon = list[Ring]  # outer ring first, then holes


# --------------------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict) -> list[Ring]:
    """All arcs of a topology as absolute [lon, lat] lists (undoing quantisation and delta coding)."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append([x * sx + tx, y * sy + ty])
        else:
            pts = [list(p[:2]) for p in arc]
        arcs.append(pts)
    return arcs


def simplify_line(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker simplification of an open polyline (shapely); the end points always stay.

    Applied to TopoJSON arcs (before they are assembled into rings) it keeps shared
    borders identical on both sides, so neighbouring shapes never gap or overlap.
    """
    if tolerance <= 0 or len(points) < 3:
        return points
    simple = LineString([p[:2] for p in points]).simplify(tolerance, preserve_topology=False)
    return [list(p) for p in simple.coords]


def _ring(indices: Sequence[int], arcs: list[Ring]) -> Ring:
    out: Ring = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def geometry_polygons(geometry: dict, arcs: list[Ring]) -> list[Polygon]:
    """A TopoJSON Polygon/MultiPolygon geometry as a list of polygons (lists of rings)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[_ring(r, arcs) for r in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[_ring(r, arcs) for r in poly] for poly in geometry["arcs"]]
    return []


def geojson_polygons(geometry: dict) -> list[Polygon]:
    """A GeoJSON Polygon/MultiPolygon geometry as a list of polygons."""
    kind = geometry.get("type") if geometry else None
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


# --------------------------------------------------------------------------- representative point


def _shape(poly: Polygon) -> ShapelyPolygon:
    shell = [p[:2] for p in poly[0]]
    holes = [[p[:2] for p in h] for h in poly[1:] if len(h) >= 4]
    geom = ShapelyPolygon(shell, holes)
    return geom if geom.is_valid else shapely.make_valid(geom)


def _unwrap_antimeridian(poly: Polygon) -> Polygon:
    """Shift western-hemisphere longitudes by +360 for a polygon that straddles the antimeridian."""
    lons = [p[0] for p in poly[0]]
    if max(lons) - min(lons) <= 180:
        return poly
    return [[[x + 360 if x < 0 else x, y] for x, y, *_ in ring] for ring in poly]


def _wrap(lon: float) -> float:
    return lon - 360 if lon > 180 else lon


def representative_point(polygons: Iterable[Polygon]) -> tuple[float, float, float] | None:
    """(lon, lat, area) for a place drawn as these polygons.

    The area centroid of the largest polygon (so a country's overseas islands do not drag
    its point into the sea); if that falls outside the polygon (a crescent such as Chile or
    Croatia), shapely's point on the surface, the middle of the widest inside stretch.
    Area is in square degrees, summed over all polygons.
    """
    shapes = [_shape(_unwrap_antimeridian(p)) for p in polygons if p and len(p[0]) >= 4]
    shapes = [s for s in shapes if not s.is_empty]
    if not shapes:
        return None
    largest = max(shapes, key=lambda s: s.area)
    total = sum(s.area for s in shapes)
    c = largest.centroid
    if not largest.contains(c):
        c = largest.point_on_surface()
    return _wrap(c.x), c.y, total


# --------------------------------------------------------------------------- antimeridian


def _unwrap(ring: Ring) -> Ring:
    """Make longitudes continuous (a step of more than 180 degrees is taken the short way round)."""
    out = [[ring[0][0], ring[0][1]]]
    for x, y, *_ in ring[1:]:
        px = out[-1][0]
        while x - px > 180:
            x -= 360
        while px - x > 180:
            x += 360
        out.append([x, y])
    return out


def _rings_of(geom) -> list[Ring]:
    """Exterior rings of the polygons in a clipped geometry, as coordinate lists."""
    parts = getattr(geom, "geoms", [geom])
    return [[list(p) for p in g.exterior.coords] for g in parts if g.geom_type == "Polygon" and not g.is_empty]


def split_antimeridian(poly: Polygon) -> list[Polygon]:
    """Planar-safe version of a polygon whose rings jump across the 180th meridian.

    TopoJSON built for spherical rendering (world-atlas) lets rings step from +180 to -180
    (Fiji, Chukotka) and draws Antarctica as a ring round the pole; drawn on a flat map
    those become bands across the world. Rings are made continuous, rings that go round a
    pole are closed along it, and the result is cut into the [-180, 180] window.
    """
    if not any(abs(r[i][0] - r[i - 1][0]) > 180 for r in poly for i in range(1, len(r))):
        return [poly]
    pieces: list[Polygon] = []
    holes: list[Ring] = []
    for k, ring in enumerate(poly):
        u = _unwrap(ring)
        net = u[-1][0] - u[0][0]
        if abs(net) > 180:  # goes round a pole: close it along the pole, make it an outer ring
            lats = [p[1] for p in u]
            if max(lats) - min(lats) < 0.01:
                continue  # a cap of no area (world-atlas's polar ring)
            pole = -90.0 if sum(lats) / len(lats) < 0 else 90.0
            u = u + [[u[-1][0], pole], [u[0][0], pole], [u[0][0], u[0][1]]]
            outer = True
        else:
            outer = k == 0
        if u[0] != u[-1]:
            u.append(list(u[0]))
        if len(u) < 4:
            continue
        shape = shapely.make_valid(ShapelyPolygon(u))
        xs = [p[0] for p in u]
        for shift in (-360, 0, 360):
            lo, hi = -180 + shift, 180 + shift
            if max(xs) <= lo or min(xs) >= hi:
                continue
            for part in _rings_of(shapely.clip_by_rect(shape, lo, -90.0, hi, 90.0)):
                part = [[x - shift, y] for x, y in part]
                (pieces.append([part]) if outer else holes.append(part))
    for h in holes:  # holes go back into the piece that contains them
        for piece in pieces:
            if ShapelyPolygon(piece[0]).contains(Point(h[0][0], h[0][1])):
                piece.append(h)
                break
    return pieces
