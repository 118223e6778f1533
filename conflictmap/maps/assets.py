"""Serve the map's JavaScript and CSS from our own disk instead of CDNs.

folium names each browser library a map needs in `default_js`/`default_css`
lists of `(name, url)` pairs, and every URL points at a public CDN. The
dashboard must work with no internet, so:

1. `package.json` pins the libraries; `npm ci` fetches them at set-up time.
2. `copy_vendor_assets()` (run by `scripts/vendor_assets.py`) copies just the
   files listed in `VENDORED` from `node_modules/` into `static/vendor/` and
   writes `static/vendor/manifest.json`, which maps folium's dependency names
   to the copied files.
3. `local_assets()` rewrites one map's dependency lists to point at those
   copies, which Streamlit serves at `/app/static/vendor/...`
   (`[server] enableStaticServing = true`).
4. `standalone_html()` inlines the same files into one HTML page, so an
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

import base64
import hashlib
import json
import mimetypes
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import branca.colormap
import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from conflictmap.errors import AssetsError, ConflictMapError

__all__ = [
    "AssetsError",
    "DEFAULT_BASE_URL",
    "DEFAULT_OUTLINES",
    "DEFAULT_VENDOR_DIR",
    "DROPPED",
    "OutlinesFromUrl",
    "SETUP_HINT",
    "VENDORED",
    "VendoredFile",
    "copy_vendor_assets",
    "load_manifest",
    "local_assets",
    "outlines_digest",
    "standalone_html",
    "streamlit_base_url",
]

SETUP_HINT = "run ./setup.sh to install map assets"

#: `static/vendor` next to the package, i.e. inside the directory that holds
#: dashboard.py: that is where Streamlit looks for `static/`.
DEFAULT_VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"

#: The country outlines the offline basemap draws (built by geodata/build_basemap.py).
DEFAULT_OUTLINES = Path(__file__).resolve().parents[2] / "geodata" / "countries.geojson"

#: Where the browser finds the vendor directory. Absolute on purpose:
#: streamlit-folium loads dependencies with <script src> from inside its
#: component iframe, whose own address is /component/<name>/index.html, so a
#: relative "app/static/..." would resolve under /component/ and 404. See
#: `streamlit_base_url()` when the app runs under `server.baseUrlPath`.
DEFAULT_BASE_URL = "/app/static/vendor"

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1



@dataclass(frozen=True)
class VendoredFile:
    """One file (or folder) copied from an npm package into static/vendor.

    `dependency` is folium's name for it in `default_js`/`default_css`;
    support files such as the images leaflet.css refers to have none.
    """

    dependency: str | None
    package: str
    source: str  # path inside node_modules/<package>/
    kind: str  # "js", "css" or "dir"

    def dest(self, version: str) -> str:
        """Path under static/vendor; the version in it keeps browser caches honest."""
        inner = self.source.removeprefix("dist/")
        return f"{self.package}-{version}/{inner}"


#: Everything the maps need, keyed by the names folium's classes use
#: (folium.Map, plugins.MarkerCluster, plugins.HeatMap).
VENDORED: tuple[VendoredFile, ...] = (
    VendoredFile("leaflet", "leaflet", "dist/leaflet.js", "js"),
    VendoredFile("leaflet_css", "leaflet", "dist/leaflet.css", "css"),
    # leaflet.css refers to images/layers.png etc. by relative URL.
    VendoredFile(None, "leaflet", "dist/images", "dir"),
    VendoredFile(
        "markerclusterjs", "leaflet.markercluster", "dist/leaflet.markercluster.js", "js"
    ),
    VendoredFile("markerclustercss", "leaflet.markercluster", "dist/MarkerCluster.css", "css"),
    VendoredFile(
        "markerclusterdefaultcss",
        "leaflet.markercluster",
        "dist/MarkerCluster.Default.css",
        "css",
    ),
    VendoredFile("leaflet-heat.js", "leaflet.heat", "dist/leaflet-heat.js", "js"),
)

#: folium.Map asks for these by default, but only pieces we never draw use
#: them: jQuery serves folium.Popup, awesome-markers/Font Awesome/glyphicons
#: serve icon Markers, Bootstrap serves neither our map nor Leaflet. Dropping
#: them saves ~500 kB per page and four packages to keep patched.
#: `local_assets` refuses maps that contain those pieces (see `_NEEDS_DROPPED`).
DROPPED: dict[str, str] = {
    "jquery": "only folium.Popup uses it",
    "bootstrap": "not used by Leaflet or our layers",
    "bootstrap_css": "not used by Leaflet or our layers",
    "awesome_markers": "only icon Markers use it",
    "awesome_markers_css": "only icon Markers use it",
    "awesome_markers_font_css": "only icon Markers use it",
    "glyphicons_css": "only icon Markers use it",
    "awesome_rotate_css": "only icon Markers use it",
}

# Map pieces whose browser code needs a dropped library (or, for colormaps,
# a d3 that streamlit-folium adds straight from a CDN).
_NEEDS_DROPPED: tuple[tuple[type, str], ...] = (
    (folium.Popup, "jQuery; use a Tooltip instead"),
    (folium.Icon, "Leaflet.awesome-markers; use a CircleMarker instead"),
    (branca.colormap.ColorMap, "d3 from a CDN (streamlit-folium adds it); draw a legend Element instead"),
)


# --------------------------------------------------------------------------- set-up


def _package_version(node_modules: Path, package: str) -> str:
    meta = node_modules / package / "package.json"
    if not meta.is_file():
        raise AssetsError(
            f"npm package {package!r} is not installed in {node_modules}; "
            f"run `npm ci` in the project root ({SETUP_HINT})"
        )
    return str(json.loads(meta.read_text(encoding="utf-8"))["version"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outlines_digest(outlines: Any) -> str:
    """sha256 of a GeoJSON object's canonical JSON (sorted keys, no spaces).

    The manifest records this for the vendored outlines file, so
    `local_assets` can tell whether a map's outlines are exactly the ones
    Streamlit serves. Computing it takes ~0.1 s for the world file, so the
    result is remembered per object: treat an outlines dict you pass to
    `build_map` as read-only (the dashboard's is a cached resource).
    """
    key = id(outlines)
    with _DIGEST_LOCK:
        hit = _DIGESTS.get(key)
        if hit is not None and hit[0] is outlines:
            return hit[1]
    text = json.dumps(outlines, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with _DIGEST_LOCK:
        _DIGESTS[key] = (outlines, digest)  # holding the object keeps its id from being reused
        while len(_DIGESTS) > 8:
            del _DIGESTS[next(iter(_DIGESTS))]
    return digest


_DIGESTS: dict[int, tuple[Any, str]] = {}
_DIGEST_LOCK = threading.Lock()


def _copy_outlines(source: Path, vendor_dir: Path) -> tuple[dict[str, Any], str]:
    """Copy the outlines file under a content-hashed name; return its manifest entry and path."""
    raw = source.read_bytes()
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise AssetsError(f"{source} is not valid JSON ({exc}); rebuild it with geodata/build_basemap.py") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AssetsError(f"{source} is not a GeoJSON FeatureCollection; rebuild it with geodata/build_basemap.py")
    sha = hashlib.sha256(raw).hexdigest()
    rel = f"geodata/{source.stem}-{sha[:12]}{source.suffix}"
    dst = vendor_dir / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(raw)
    entry = {
        "path": rel,
        "source": source.name,
        "features": len(data.get("features") or []),
        "digest": outlines_digest(data),
    }
    return entry, sha


def copy_vendor_assets(
    node_modules: Path,
    vendor_dir: Path = DEFAULT_VENDOR_DIR,
    *,
    outlines: Path | None = DEFAULT_OUTLINES,
) -> dict[str, Any]:
    """Copy the files in `VENDORED` out of `node_modules` and write the manifest.

    `outlines` (the basemap's country outlines) is copied too when the file
    exists, under `geodata/` with part of its hash in the name; the manifest
    says where (`outlines.path`) and what it holds (`outlines.digest`, see
    `outlines_digest`). Pass None to leave it out: maps then embed their
    outlines, as before.

    The vendor directory is emptied first, so a package upgrade leaves no
    stale versions behind. Returns the manifest it wrote.
    """
    node_modules = Path(node_modules)
    vendor_dir = Path(vendor_dir)
    versions = {f.package: _package_version(node_modules, f.package) for f in VENDORED}

    if vendor_dir.exists():
        shutil.rmtree(vendor_dir)
    vendor_dir.mkdir(parents=True)

    dependencies: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    for item in VENDORED:
        src = node_modules / item.package / item.source
        rel = item.dest(versions[item.package])
        dst = vendor_dir / rel
        if item.kind == "dir":
            if not src.is_dir():
                raise AssetsError(f"{src} is missing from the npm package; {SETUP_HINT}")
            shutil.copytree(src, dst)
            copied = sorted(p for p in dst.rglob("*") if p.is_file())
        else:
            if not src.is_file():
                raise AssetsError(f"{src} is missing from the npm package; {SETUP_HINT}")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied = [dst]
        for path in copied:
            files[path.relative_to(vendor_dir).as_posix()] = _sha256(path)
        if item.dependency is not None:
            dependencies[item.dependency] = {
                "kind": item.kind,
                "path": rel,
                "package": item.package,
                "version": versions[item.package],
            }

    outline_entry = None
    if outlines is not None and Path(outlines).is_file():
        outline_entry, digest = _copy_outlines(Path(outlines), vendor_dir)
        files[outline_entry["path"]] = digest

    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "written_by": "scripts/vendor_assets.py",
        "packages": dict(sorted(versions.items())),
        "dependencies": dependencies,
        "files": dict(sorted(files.items())),
    }
    if outline_entry is not None:
        manifest["outlines"] = outline_entry
    (vendor_dir / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def load_manifest(vendor_dir: Path = DEFAULT_VENDOR_DIR) -> dict[str, Any]:
    """Read static/vendor/manifest.json, or say how to create it."""
    path = Path(vendor_dir) / MANIFEST_NAME
    if not path.is_file():
        raise AssetsError(f"map assets are not installed ({path} is missing); {SETUP_HINT}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetsError(f"{path} is unreadable ({exc}); {SETUP_HINT}") from exc
    if manifest.get("format") != MANIFEST_FORMAT or "dependencies" not in manifest:
        raise AssetsError(f"{path} was written by another version; {SETUP_HINT}")
    return manifest


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


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def _check_supported(m: folium.Map) -> None:
    for element in _map_elements(m):
        for cls, why in _NEEDS_DROPPED:
            if isinstance(element, cls):
                raise AssetsError(
                    f"this map contains a {type(element).__name__}, which needs {why}; "
                    "or add the library to package.json and conflictmap.assets.VENDORED"
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
            _is_remote(child.url) or key in DROPPED
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
            f"and a VendoredFile to conflictmap.assets.VENDORED, then {SETUP_HINT}"
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
_EMBEDDED = "_conflictmap_embedded_data"
_SHAPE_TYPES = ("Polygon", "MultiPolygon")


def _outline_layers(m: folium.Map) -> list[tuple[str, Element, Any]]:
    """(role, layer, outlines) for every layer maps.build drew from outlines."""
    found = []
    for element in _walk(m):
        tag = getattr(element, "conflictmap_outlines", None)
        if tag and tag[1]:
            found.append((tag[0], element, tag[1]))
    return found


def _embedded(layer: Element) -> dict[str, Any]:
    """The layer's own data as built (kept aside the first time we touch it)."""
    return layer.__dict__.setdefault(_EMBEDDED, layer.data)


def _serve_outlines(m: folium.Map, url: str | None, digest: str | None) -> None:
    """Make outline layers whose outlines have `digest` load from `url`; the rest embed.

    url=None puts every outline layer back to its embedded data. Idempotent.
    """
    m._children.pop(_LOADER_KEY, None)
    basemap = None
    countries = []
    for role, layer, outlines in _outline_layers(m):
        data = _embedded(layer)
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


# --------------------------------------------------------------------------- standalone


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _inline_css(path: Path) -> str:
    """CSS text with relative url(...) references turned into data: URIs."""
    css = path.read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")) or _is_remote(ref):
            return match.group(0)
        target = (path.parent / ref.split("?", 1)[0].split("#", 1)[0]).resolve()
        if not target.is_file():
            raise AssetsError(f"{path.name} refers to {ref}, which is missing; {SETUP_HINT}")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(embed, css)


def _inline_js(path: Path) -> str:
    # "</script" would end the inline element early; "<\/script" means the
    # same inside any JS string, regex or comment.
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def standalone_html(m: folium.Map, vendor_dir: Path = DEFAULT_VENDOR_DIR) -> str:
    """Render `m` as one HTML document with every JS/CSS dependency inlined.

    The file opens offline from disk (file://) because nothing in it is
    loaded by URL: the country outlines are inlined too. An "online" basemap
    still needs the network for its tiles; the "offline" basemap does not.
    The map's own dependency lists and outline layers are left as they were
    before the call.
    """
    vendor_dir = Path(vendor_dir)
    manifest = load_manifest(vendor_dir)
    deps: dict[str, dict[str, str]] = manifest["dependencies"]
    marker = "conflictmap-inline:"
    saved = _save_state(m)
    try:
        local_assets(m, base_url=marker, vendor_dir=vendor_dir, outlines_by_url=False)
        page = m.get_root().render()
    finally:
        _restore_state(m, saved)

    for name, dep in deps.items():
        url = f"{marker}/{dep['path']}"
        file = vendor_dir / dep["path"]
        if dep["kind"] == "js":
            tag = f'<script src="{url}"></script>'
            if tag in page:
                page = page.replace(tag, f"<script>/* {name} */\n{_inline_js(file)}\n</script>")
        else:
            tag = f'<link rel="stylesheet" href="{url}"/>'
            if tag in page:
                page = page.replace(tag, f"<style>/* {name} */\n{_inline_css(file)}\n</style>")
    if marker in page:
        raise AssetsError("a map dependency could not be inlined; please report this as a bug")
    return page


_State = tuple[
    list[tuple[Element, dict[str, Any]]], dict[str, Element], list[tuple[Element, Any]], dict[str, Element]
]


def _save_state(m: folium.Map) -> _State:
    per_element = [
        (e, {a: e.__dict__[a] for a in ("default_js", "default_css") if a in e.__dict__})
        for e in _map_elements(m)
        if isinstance(e, JSCSSMixin)
    ]
    outline_data = [(layer, layer.data) for _role, layer, _o in _outline_layers(m)]
    return per_element, dict(m.get_root().header._children), outline_data, dict(m._children)


def _restore_state(m: folium.Map, saved: _State) -> None:
    per_element, header_children, outline_data, map_children = saved
    for element, attrs in per_element:
        for attr in ("default_js", "default_css"):
            if attr in attrs:
                setattr(element, attr, attrs[attr])
            else:
                element.__dict__.pop(attr, None)
    header = m.get_root().header
    header._children.clear()
    header._children.update(header_children)
    for layer, data in outline_data:
        layer.data = data
    m._children.clear()
    m._children.update(map_children)
