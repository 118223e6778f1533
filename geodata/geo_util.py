"""Small geometry helpers shared by the geodata derive/basemap scripts.

Pure Python, no dependencies: decode TopoJSON topologies into GeoJSON-style
coordinate lists, and compute a representative point for a (multi)polygon.

Coordinates are [lon, lat] pairs throughout, as in GeoJSON.
"""

from __future__ import annotations

from typing import Iterable, Sequence

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
    """Douglas-Peucker simplification of an open polyline; the end points always stay.

    Applied to TopoJSON arcs (before they are assembled into rings) it keeps shared
    borders identical on both sides, so neighbouring shapes never gap or overlap.
    """
    if tolerance <= 0 or len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    tol2 = tolerance * tolerance
    while stack:
        i, j = stack.pop()
        (x0, y0), (x1, y1) = points[i][:2], points[j][:2]
        dx, dy = x1 - x0, y1 - y0
        norm = dx * dx + dy * dy
        best, best_d = -1, tol2
        for k in range(i + 1, j):
            px, py = points[k][0] - x0, points[k][1] - y0
            if norm == 0:
                d = px * px + py * py
            else:
                t = max(0.0, min(1.0, (px * dx + py * dy) / norm))
                ex, ey = px - t * dx, py - t * dy
                d = ex * ex + ey * ey
            if d > best_d:
                best, best_d = k, d
        if best >= 0:
            keep[best] = True
            stack.append((i, best))
            stack.append((best, j))
    return [p for p, k in zip(points, keep) if k]


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


# --------------------------------------------------------------------------- area / centroid


def ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed planar area and centroid (cx, cy) of a ring in degree space (shoelace formula)."""
    a = cx = cy = 0.0
    n = len(ring)
    for i in range(n - 1 if n and ring[0] == ring[-1] else n):
        x0, y0 = ring[i][0], ring[i][1]
        x1, y1 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a *= 0.5
    if abs(a) < 1e-12:
        xs = [p[0] for p in ring] or [0.0]
        ys = [p[1] for p in ring] or [0.0]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return a, cx / (6 * a), cy / (6 * a)


def polygon_area_centroid(poly: Polygon) -> tuple[float, float, float]:
    """Unsigned area and centroid of a polygon with holes."""
    total = sx = sy = 0.0
    for k, ring in enumerate(poly):
        a, cx, cy = ring_area_centroid(ring)
        a = abs(a) if k == 0 else -abs(a)
        total += a
        sx += a * cx
        sy += a * cy
    if abs(total) < 1e-12:
        return 0.0, *ring_area_centroid(poly[0])[1:]
    return total, sx / total, sy / total


def point_in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y):
            if x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
        j = i
    return inside


def point_in_polygon(x: float, y: float, poly: Polygon) -> bool:
    if not poly or not point_in_ring(x, y, poly[0]):
        return False
    return not any(point_in_ring(x, y, hole) for hole in poly[1:])


def _scanline_midpoint(poly: Polygon, y: float) -> tuple[float, float] | None:
    """Midpoint of the widest inside stretch of the horizontal line at latitude y."""
    xs: list[float] = []
    for ring in poly:
        n = len(ring)
        for i in range(n):
            x0, y0 = ring[i - 1][0], ring[i - 1][1]
            x1, y1 = ring[i][0], ring[i][1]
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    best = None
    for a, b in zip(xs[0::2], xs[1::2]):
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    if best is None:
        return None
    return (best[0] + best[1]) / 2, y


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

    Uses the area centroid of the largest polygon (so a country's overseas islands do not
    drag its point into the sea); if that centroid falls outside the polygon (a crescent
    such as Chile or Croatia) it moves to the middle of the widest inside stretch along the
    same latitude, or a slightly shifted one.
    """
    best = None
    total_area = 0.0
    for poly in polygons:
        if not poly or len(poly[0]) < 3:
            continue
        poly = _unwrap_antimeridian(poly)
        area, cx, cy = polygon_area_centroid(poly)
        total_area += abs(area)
        if best is None or abs(area) > best[0]:
            best = (abs(area), cx, cy, poly)
    if best is None:
        return None
    _, cx, cy, poly = best
    if point_in_polygon(cx, cy, poly):
        return _wrap(cx), cy, total_area
    ys = [p[1] for p in poly[0]]
    height = max(ys) - min(ys)
    for frac in (0.0, 0.02, -0.02, 0.05, -0.05, 0.1, -0.1, 0.2, -0.2):
        mid = _scanline_midpoint(poly, cy + frac * height)
        if mid:
            return _wrap(mid[0]), mid[1], total_area
    return _wrap(cx), cy, total_area


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


def _clip_half(ring: Ring, x0: float, keep_greater: bool) -> Ring:
    """Sutherland-Hodgman clip of a closed ring against the vertical line x = x0."""
    def inside(p):
        return p[0] >= x0 if keep_greater else p[0] <= x0

    out: Ring = []
    pts = ring[:-1] if ring and ring[0] == ring[-1] else ring
    n = len(pts)
    for i in range(n):
        cur, prev = pts[i], pts[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross_at(prev, cur, x0))
            out.append(cur)
        elif inside(prev):
            out.append(_cross_at(prev, cur, x0))
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def _cross_at(a, b, x0):
    t = (x0 - a[0]) / (b[0] - a[0])
    return [x0, a[1] + t * (b[1] - a[1])]


def _clip_strip(ring: Ring, lo: float, hi: float) -> Ring:
    r = _clip_half(ring, lo, True)
    return _clip_half(r, hi, False) if len(r) >= 4 else []


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
        xs = [p[0] for p in u]
        for shift in (-360, 0, 360):
            lo, hi = -180 + shift, 180 + shift
            if max(xs) <= lo or min(xs) >= hi:
                continue
            part = _clip_strip(u, lo, hi)
            if len(part) >= 4:
                part = [[x - shift, y] for x, y in part]
                (pieces.append([part]) if outer else holes.append(part))
    for h in holes:  # holes go back into the piece that contains them
        for piece in pieces:
            if point_in_ring(h[0][0], h[0][1], piece[0]):
                piece.append(h)
                break
    return pieces
