"""Serve the map's JavaScript and CSS from our own disk instead of CDNs.

folium names each browser library a map needs in `default_js`/`default_css`
lists of `(name, url)` pairs, and every URL points at a public CDN. The
dashboard must work with no internet, so:

1. At set-up, `maps.vendor.copy_vendor_assets()` copies the npm packages' files
   into `static/vendor/` and writes its manifest.
2. `local_assets()` rewrites one map's dependency lists to point at those
   copies, which Streamlit serves at `/app/static/vendor/...`
   (`[server] enableStaticServing = true`).
3. `maps.standalone.standalone_html()` inlines the same files into one HTML page, so an
   exported map opens from disk with no server and no network.

The offline basemap's country outlines (`geodata/countries.geojson`, 1.2 MB)
take the same road: `copy_vendor_assets()` copies them to
`static/vendor/geodata/countries-<hash>.geojson` and records them in the
manifest, and `local_assets()` has the browser fetch that file once instead
of embedding the geometry in every rendered map (see `OutlinesFromUrl`).
`standalone_html()` keeps them inline.

No browser library is committed to git and none is fetched at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import branca.colormap
import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from conflictmap.errors import AssetsError
from conflictmap.maps.layers import OutlineLayer
from conflictmap.maps.vendor import DEFAULT_VENDOR_DIR, DROPPED, SETUP_HINT, load_manifest, outlines_digest

__all__ = ["DEFAULT_BASE_URL", "OutlinesFromUrl", "local_assets", "streamlit_base_url"]

#: Where the browser finds the vendor directory. Absolute on purpose:
#: streamlit-folium loads dependencies with <script src> from inside its
#: component iframe, whose own address is /component/<name>/index.html, so a
#: relative "app/static/..." would resolve under /component/ and 404. See
#: `streamlit_base_url()` when the app runs under `server.baseUrlPath`.
DEFAULT_BASE_URL = "/app/static/vendor"

# Map pieces whose browser code needs a dropped library (or, for colormaps,
# a d3 that streamlit-folium adds straight from a CDN).
_NEEDS_DROPPED: tuple[tuple[type, str], ...] = (
    (folium.Popup, "jQuery; use a Tooltip instead"),
    (folium.Icon, "Leaflet.awesome-markers; use a CircleMarker instead"),
    (branca.colormap.ColorMap, "d3 from a CDN (streamlit-folium adds it); draw a legend Element instead"),
)


def streamlit_base_url(base_url_path: str = "") -> str:
    """Browser path of static/vendor for an app served under `server.baseUrlPath`.

    Pass `st.get_option("server.baseUrlPath")`; the library itself never
    imports streamlit.
    """
    prefix = base_url_path.strip("/")
    return f"/{prefix}/app/static/vendor" if prefix else DEFAULT_BASE_URL


# --------------------------------------------------------------------------- rewriting


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _map_elements(m: folium.Map) -> Iterator[Element]:
    """Every element that can end up in the page: the map's tree and the page's own parts."""
    yield from _walk(m)
    root = m.get_root()
    for part in ("header", "html", "script"):
        section = getattr(root, part, None)
        if section is not None:
            for child in section._children.values():
                yield from _walk(child)


def is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def _check_supported(m: folium.Map) -> None:
    for element in _map_elements(m):
        for cls, why in _NEEDS_DROPPED:
            if isinstance(element, cls):
                raise AssetsError(
                    f"this map contains a {type(element).__name__}, which needs {why}; "
                    "or add the library to package.json and conflictmap.maps.vendor.VENDORED"
                )


def _rewrite_element(element: JSCSSMixin, url_for: dict[str, str]) -> None:
    """Give one element its own dependency lists, pointing at our copies.

    An instance attribute shadows folium's class-level list, so other maps
    (and other sessions in the same process) keep theirs; the shared list is
    never mutated in place. Names are known to be vendored by now.
    """
    for attr in ("default_js", "default_css"):
        kept = [(name, url_for[name]) for name, _url in getattr(element, attr) if name not in DROPPED]
        setattr(element, attr, kept)


def _drop_rendered_links(m: folium.Map) -> None:
    """Forget CDN links that an earlier render already put in the page header."""
    header = m.get_root().header
    for key, child in list(header._children.items()):
        if isinstance(child, (JavascriptLink, CssLink)) and (
            is_remote(child.url) or key in DROPPED
        ):
            del header._children[key]


def _require_files(vendor_dir: Path, deps: dict[str, dict[str, str]], names: set[str]) -> None:
    missing = [deps[n]["path"] for n in sorted(names) if not (vendor_dir / deps[n]["path"]).is_file()]
    if missing:
        raise AssetsError(
            f"map asset file(s) missing from {vendor_dir}: {', '.join(missing)}; {SETUP_HINT}"
        )


def _needed(m: folium.Map) -> dict[str, str]:
    """Dependency name -> the class asking for it, for every kept dependency."""
    names: dict[str, str] = {}
    for element in _map_elements(m):
        if isinstance(element, JSCSSMixin):
            for attr in ("default_js", "default_css"):
                for name, _url in getattr(element, attr):
                    if name not in DROPPED:
                        names.setdefault(name, type(element).__name__)
    return names


def local_assets(
    m: folium.Map,
    base_url: str = DEFAULT_BASE_URL,
    *,
    vendor_dir: Path = DEFAULT_VENDOR_DIR,
    outlines_by_url: bool = True,
) -> folium.Map:
    """Point every JS/CSS dependency of `m` and its children at our vendored copies.

    Changes only this map's elements (per-instance lists), so it is safe to
    call on a map cached and shared between sessions as long as each call
    uses the same `base_url`. Returns `m` for chaining.

    Country outlines: when the map was built from exactly the outlines in
    the manifest (`outlines_digest`), the browser fetches them once from
    `<base_url>/<outlines.path>` instead of getting 1.2 MB of geometry inside
    every render; the basemap and the outlines of countries in view are
    filled in by `OutlinesFromUrl`. Other outlines (and all of them with
    `outlines_by_url=False`, or with a manifest that has none) stay embedded.

    `base_url` is the browser path of the vendor directory: the default suits
    streamlit-folium under Streamlit's static serving; pass
    `streamlit_base_url(...)` under a base URL path. Raises `AssetsError` when
    the manifest or a needed file is missing, or when the map holds a piece
    whose library we do not ship.
    """
    vendor_dir = Path(vendor_dir)
    manifest = load_manifest(vendor_dir)
    deps: dict[str, dict[str, str]] = manifest["dependencies"]
    _check_supported(m)
    needed = _needed(m)
    unknown = sorted(f"{cls} needs {name!r}" for name, cls in needed.items() if name not in deps)
    if unknown:
        raise AssetsError(
            f"{'; '.join(unknown)}, which is not vendored: add its npm package to package.json "
            f"and a VendoredFile to conflictmap.maps.vendor.VENDORED, then {SETUP_HINT}"
        )
    _require_files(vendor_dir, deps, set(needed))
    base = base_url.rstrip("/")
    url_for = {name: f"{base}/{dep['path']}" for name, dep in deps.items()}
    for element in _map_elements(m):
        if isinstance(element, JSCSSMixin):
            _rewrite_element(element, url_for)
    _drop_rendered_links(m)

    served = manifest.get("outlines") if outlines_by_url else None
    if served and _outline_layers(m):
        path = vendor_dir / served["path"]
        if not path.is_file():
            raise AssetsError(f"map asset file(s) missing from {vendor_dir}: {served['path']}; {SETUP_HINT}")
        _serve_outlines(m, f"{base}/{served['path']}", served["digest"])
    else:
        _serve_outlines(m, None, None)
    return m


# --------------------------------------------------------------------------- outlines by URL


class OutlinesFromUrl(MacroElement):
    """Fill a map's outline layers from the outlines file Streamlit serves.

    folium's own `GeoJson(url, embed=False)` loads with jQuery's synchronous
    `$.ajax`, and we do not ship jQuery (see `DROPPED`), so this is the one
    piece of our own JavaScript on the map: one `fetch`, then

    * the basemap layer gets every feature (`addData`; its style is Leaflet's
      `style` option, so it applies to late features too);
    * each country-outline layer already holds one empty polygon per country
      in view, with its style, tooltip and class; each gets the geometry of
      the served feature with the same `iso_a2`.

    Drawing them late covers nothing: the basemap has a pane of its own under
    the overlay pane, and the country polygons were created (empty) in layer
    order, before the points. `local_assets` adds this element as the map's
    last child, so it renders after the layers it names (which is also what
    streamlit-folium's renaming of variables needs). If the fetch fails, the
    map still works without land and outlines, and the reason is logged to
    the browser console.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        fetch({{ this.url|tojson }})
            .then(function (response) {
                if (!response.ok) { throw new Error("HTTP " + response.status); }
                return response.json();
            })
            .then(function (outlines) {
                {%- if this.basemap is not none %}
                {{ this.basemap.get_name() }}.addData(outlines);
                {%- endif %}
                {%- if this.countries %}
                var shapes = {};
                outlines.features.forEach(function (f) {
                    var code = f.geometry && f.properties && f.properties.iso_a2;
                    if (code) {
                        code = String(code).toUpperCase();
                        if (!(code in shapes)) { shapes[code] = f.geometry; }
                    }
                });
                [{% for layer in this.countries %}{{ layer.get_name() }}{% if not loop.last %}, {% endif %}{% endfor %}]
                    .forEach(function (layer) {
                        layer.eachLayer(function (shape) {
                            var g = shapes[shape.feature.properties.iso_a2];
                            if (!g || !shape.setLatLngs || (g.type !== "Polygon" && g.type !== "MultiPolygon")) { return; }
                            shape.feature.geometry = g;
                            shape.setLatLngs(L.GeoJSON.coordsToLatLngs(g.coordinates, g.type === "Polygon" ? 1 : 2));
                        });
                    });
                {%- endif %}
            })
            .catch(function (error) {
                console.error("Conflict Map: no country outlines from " + {{ this.url|tojson }} + ": " + error);
            });
        {% endmacro %}
        """
    )

    def __init__(self, url: str, basemap: Element | None = None, countries: list[Element] | tuple = ()):
        super().__init__()
        self._name = "OutlinesFromUrl"
        self.url = url
        self.basemap = basemap
        self.countries = list(countries)


#: Key of the loader among the map's children, so a second call replaces it.
_LOADER_KEY = "conflictmap_outlines_from_url"
_SHAPE_TYPES = ("Polygon", "MultiPolygon")


def _outline_layers(m: folium.Map) -> list[tuple[str, Element, Any]]:
    """(role, layer, outlines) for every layer the map drew from outlines (`maps.layers.OutlineLayer`)."""
    return [(e.role, e, e.outlines) for e in _walk(m) if isinstance(e, OutlineLayer) and e.outlines]


def _serve_outlines(m: folium.Map, url: str | None, digest: str | None) -> None:
    """Make outline layers whose outlines have `digest` load from `url`; the rest embed.

    url=None puts every outline layer back to its embedded data. Idempotent.
    """
    m._children.pop(_LOADER_KEY, None)
    basemap = None
    countries = []
    for role, layer, outlines in _outline_layers(m):
        data = layer.embedded
        if url is None or digest is None or outlines_digest(outlines) != digest:
            layer.data = data
        elif role == "basemap":
            layer.data = {"type": "FeatureCollection", "features": []}
            basemap = layer
        else:
            # Keep each feature (id, label, style) but not its coordinates:
            # Leaflet makes an empty polygon the loader fills in.
            layer.data = {
                **data,
                "features": [
                    {**f, "geometry": {"type": f["geometry"]["type"], "coordinates": []}}
                    if (f.get("geometry") or {}).get("type") in _SHAPE_TYPES
                    else f
                    for f in data["features"]
                ],
            }
            countries.append(layer)
    if basemap is not None or countries:
        m.add_child(OutlinesFromUrl(url, basemap, countries), name=_LOADER_KEY)
