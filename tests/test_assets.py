"""Offline map assets: vendoring, URL rewriting, standalone export, and the browser."""

from __future__ import annotations

import hashlib
import json
import pickle
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import folium
import pandas as pd
import pytest
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from conflictmap.errors import AssetsError, ConflictMapError
from conflictmap.maps.assets import DEFAULT_BASE_URL, OutlinesFromUrl, local_assets, streamlit_base_url
from conflictmap.maps.standalone import standalone_html
from conflictmap.credits import credit_html
from conflictmap.maps.vendor import DEFAULT_OUTLINES, DEFAULT_VENDOR_DIR, copy_vendor_assets, load_manifest, load_outlines, outlines_digest
from conflictmap.maps.build import build_map
from conflictmap.maps.style import CLUSTER_THRESHOLD
from conflictmap.maps.layers import OutlineLayer
from tests.apphelp import CHROMIUM, Net, launch_chromium, leaflet_version, routed_page, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"

needs_vendor = pytest.mark.skipif(
    not (DEFAULT_VENDOR_DIR / "manifest.json").is_file(),
    reason="map assets not installed in static/vendor: run ./setup.sh",
)
needs_node_modules = pytest.mark.skipif(
    not (NODE_MODULES / "leaflet" / "package.json").is_file(),
    reason="node_modules/ not installed: run ./setup.sh (npm ci)",
)
needs_served_outlines = pytest.mark.skipif(
    not (DEFAULT_VENDOR_DIR / "manifest.json").is_file()
    or "outlines" not in json.loads((DEFAULT_VENDOR_DIR / "manifest.json").read_text()),
    reason="country outlines not vendored in static/vendor: run ./setup.sh",
)

REMOTE_TAG = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
CDN_URL = re.compile(r"^(?:https?:)?//", re.I)


def sample_places(n_extra: int = 0) -> pd.DataFrame:
    rows = [
        (1, "Aleppo", 36.2, 37.15, "SY", "city", 40),
        (2, "Homs", 34.73, 36.71, "SY", "city", 10),
        (3, "Syria", 35.0, 38.5, "SY", "country", 60),
        (4, "Beirut", 33.89, 35.5, "LB", "city", 12),
    ]
    rows += [(100 + i, f"V{i}", 30 + (i % 20) * 0.3, 30 + (i // 20) * 0.3, "SY", "city", 1 + i % 4) for i in range(n_extra)]
    df = pd.DataFrame(rows, columns=["place_id", "name", "lat", "lon", "country_code", "kind", "mentions"])
    df["articles"] = df["mentions"]
    df["first_seen"] = pd.Timestamp("2014-01-01")
    df["last_seen"] = [pd.Timestamp("2014-01-01") + pd.Timedelta(days=(7 * i) % 80) for i in range(len(df))]
    return df


from tests.geofixtures import OUTLINES  # noqa: E402


def world() -> dict:
    """The real basemap outlines, as the dashboard loads them (one object, like its cache)."""
    global _WORLD
    if _WORLD is None:
        _WORLD = load_outlines(DEFAULT_OUTLINES)
    return _WORLD


_WORLD = None


def full_map(**kw) -> folium.Map:
    """A map that uses every plugin we vendor: cluster, heat, outlines."""
    return build_map(
        sample_places(CLUSTER_THRESHOLD + 5),
        heat=True,
        outlines=OUTLINES,
        window=(date(2014, 1, 1), date(2014, 3, 31)),
        **kw,
    )


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def dependency_urls(m: folium.Map) -> list[str]:
    urls = []
    for e in walk(m):
        if isinstance(e, JSCSSMixin):
            urls += [u for _, u in e.default_js] + [u for _, u in e.default_css]
    return urls


@pytest.fixture
def vendor_copy(tmp_path: Path) -> Path:
    """A private copy of static/vendor that a test may break."""
    if not (DEFAULT_VENDOR_DIR / "manifest.json").is_file():
        pytest.skip("map assets not installed in static/vendor: run ./setup.sh")
    dst = tmp_path / "vendor"
    shutil.copytree(DEFAULT_VENDOR_DIR, dst)
    return dst


# --------------------------------------------------------------------------- vendoring


@needs_node_modules
def test_copy_vendor_assets_writes_files_and_manifest(tmp_path):
    manifest = copy_vendor_assets(NODE_MODULES, tmp_path / "vendor")
    assert manifest == load_manifest(tmp_path / "vendor")
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert manifest["packages"] == pinned
    for name in ("leaflet", "leaflet_css", "markerclusterjs", "markerclustercss", "markerclusterdefaultcss", "leaflet-heat.js"):
        assert name in manifest["dependencies"]
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "vendor" / rel).read_bytes()).hexdigest() == digest
    # leaflet.css refers to its images relatively; they must sit beside it.
    css = tmp_path / "vendor" / manifest["dependencies"]["leaflet_css"]["path"]
    assert (css.parent / "images" / "layers.png").is_file()
    # The basemap outlines are served as a file too, named by their hash.
    served = manifest["outlines"]
    copy = tmp_path / "vendor" / served["path"]
    assert copy.read_bytes() == DEFAULT_OUTLINES.read_bytes()
    assert re.fullmatch(r"geodata/countries-[0-9a-f]{12}\.geojson", served["path"])
    assert served["digest"] == outlines_digest(json.loads(DEFAULT_OUTLINES.read_text()))
    assert served["features"] == len(world()["features"])


@needs_node_modules
def test_copy_vendor_assets_without_outlines(tmp_path):
    manifest = copy_vendor_assets(NODE_MODULES, tmp_path / "vendor", outlines=None)
    assert "outlines" not in manifest
    assert not (tmp_path / "vendor" / "geodata").exists()
    # A manifest without outlines still serves maps; they embed their outlines.
    m = local_assets(build_map(sample_places(), outlines=world()), vendor_dir=tmp_path / "vendor")
    assert not [e for e in m._children.values() if isinstance(e, OutlinesFromUrl)]


def test_outlines_digest_is_canonical_and_kept_by_loaded_outlines(tmp_path):
    a = {"type": "FeatureCollection", "features": [{"b": 1, "a": [1.5, 2]}]}
    b = json.loads('{"features": [{"a": [1.5, 2], "b": 1}], "type": "FeatureCollection"}')
    assert outlines_digest(a) == outlines_digest(b)
    assert outlines_digest(a) != outlines_digest({**a, "features": []})
    path = tmp_path / "outlines.geojson"
    path.write_text(json.dumps(b), encoding="utf-8")
    loaded = load_outlines(path)
    assert loaded == a and outlines_digest(loaded) == outlines_digest(a)
    assert outlines_digest(loaded) is outlines_digest(loaded)  # worked out once, kept on the object
    with pytest.raises(TypeError, match="read-only"):
        loaded["features"] = []
    assert pickle.loads(pickle.dumps(loaded)).digest == loaded.digest


@needs_node_modules
def test_copy_vendor_assets_removes_stale_files(tmp_path):
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "leaflet-0.0.1.js").write_text("old")
    copy_vendor_assets(NODE_MODULES, vendor)
    assert not (vendor / "leaflet-0.0.1.js").exists()


def test_copy_vendor_assets_names_the_fix_when_npm_was_not_run(tmp_path):
    with pytest.raises(AssetsError, match=r"npm ci.*\./setup\.sh"):
        copy_vendor_assets(tmp_path / "node_modules", tmp_path / "vendor")


def test_vendor_script_runs(tmp_path):
    if not (NODE_MODULES / "leaflet" / "package.json").is_file():
        pytest.skip("node_modules/ not installed: run ./setup.sh (npm ci)")
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "vendor_assets.py"), "--vendor-dir", str(tmp_path / "v")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "leaflet@" in out.stdout
    assert "country outlines: geodata/countries-" in out.stdout
    assert (tmp_path / "v" / "manifest.json").is_file()


# --------------------------------------------------------------------------- local_assets


@needs_vendor
def test_local_assets_rewrites_every_dependency():
    m = local_assets(full_map())
    urls = dependency_urls(m)
    assert urls, "the map should have dependencies"
    assert all(u.startswith(DEFAULT_BASE_URL + "/") for u in urls), urls
    assert not [u for u in urls if CDN_URL.match(u)]
    page = m.get_root().render()
    assert not REMOTE_TAG.search(page)
    for path in ("leaflet.js", "leaflet.css", "leaflet.markercluster.js", "MarkerCluster.css", "leaflet-heat.js"):
        assert re.search(rf'(?:src|href)="/app/static/vendor/[^"]*/{re.escape(path)}"', page), path
    # Only what the map needs: no jQuery, Bootstrap or Font Awesome.
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()


@needs_vendor
def test_local_assets_changes_this_map_only():
    class_js = list(folium.Map.default_js)
    m = local_assets(full_map())
    assert folium.Map.default_js == class_js
    assert MarkerCluster.default_js[0][1].startswith("https://")
    assert HeatMap.default_js[0][1].startswith("https://")
    other = build_map(sample_places(), heat=True)
    assert any(CDN_URL.match(u) for u in dependency_urls(other))
    assert not any(CDN_URL.match(u) for u in dependency_urls(m))


@needs_vendor
def test_local_assets_after_a_cdn_render_leaves_no_cdn_links():
    m = full_map()
    assert REMOTE_TAG.search(m.get_root().render())
    page = local_assets(m).get_root().render()
    assert not REMOTE_TAG.search(page)


@needs_vendor
def test_local_assets_is_idempotent_and_takes_a_base_url():
    m = full_map()
    local_assets(m)
    local_assets(m, base_url="/cm/app/static/vendor/")
    assert dependency_urls(m) and all(u.startswith("/cm/app/static/vendor/") and "//" not in u[1:] for u in dependency_urls(m))


def test_streamlit_base_url():
    assert streamlit_base_url() == "/app/static/vendor"
    assert streamlit_base_url("cm") == "/cm/app/static/vendor"
    assert streamlit_base_url("/a/b/") == "/a/b/app/static/vendor"


def test_missing_manifest_names_the_setup_command(tmp_path):
    with pytest.raises(AssetsError, match=r"run \./setup\.sh to install map assets") as err:
        local_assets(full_map(), vendor_dir=tmp_path)
    assert isinstance(err.value, ConflictMapError)


def test_missing_asset_file_names_the_setup_command(vendor_copy):
    deps = load_manifest(vendor_copy)["dependencies"]
    (vendor_copy / deps["markerclusterjs"]["path"]).unlink()
    with pytest.raises(AssetsError, match=r"leaflet\.markercluster\.js.*run \./setup\.sh"):
        local_assets(full_map(), vendor_dir=vendor_copy)
    # A map without clusters does not need that file.
    local_assets(build_map(sample_places()), vendor_dir=vendor_copy)


@needs_vendor
def test_pieces_we_do_not_ship_are_refused():
    m = build_map(sample_places())
    folium.Marker([1, 1], popup="hi").add_to(m)
    with pytest.raises(AssetsError, match="Popup.*jQuery"):
        local_assets(m)
    m = build_map(sample_places())
    Fullscreen().add_to(m)
    with pytest.raises(AssetsError, match="not vendored.*package.json"):
        local_assets(m)


# --------------------------------------------------------------------------- outlines by URL


def loaders(m: folium.Map) -> list[OutlinesFromUrl]:
    return [e for e in m._children.values() if isinstance(e, OutlinesFromUrl)]


def outline_layer(m: folium.Map, role: str) -> folium.GeoJson:
    """The layer maps.build drew from outlines in this role ("basemap" or "countries")."""
    (found,) = [e for e in walk(m) if isinstance(e, OutlineLayer) and e.role == role]
    return found


@needs_served_outlines
def test_served_outlines_load_by_url_instead_of_being_embedded():
    served = load_manifest()["outlines"]
    m = build_map(sample_places(), outlines=world(), heat=True)
    embedded = len(m.get_root().render().encode())
    m = local_assets(build_map(sample_places(), outlines=world(), heat=True))
    (loader,) = loaders(m)
    assert loader.url == f"{DEFAULT_BASE_URL}/{served['path']}"
    assert list(m._children.values())[-1] is loader  # renders after the layers it fills
    basemap, countries = outline_layer(m, "basemap"), outline_layer(m, "countries")
    assert loader.basemap is basemap and loader.countries == [countries]
    assert basemap.data["features"] == []
    # The country in view keeps its feature (id, label, style) but not its coordinates.
    (syria,) = countries.data["features"]
    assert syria["properties"]["iso_a2"] == "SY"
    assert syria["geometry"]["coordinates"] == []
    page = m.get_root().render()
    assert f'fetch("{DEFAULT_BASE_URL}/{served["path"]}")' in page
    assert len(page.encode()) < 100_000 < embedded  # the world file is 1.2 MB
    # streamlit-folium asks the map for its bounds; empty geometry must not break that.
    m.get_bounds()


@needs_served_outlines
def test_other_outlines_stay_embedded():
    m = local_assets(build_map(sample_places(), outlines=OUTLINES))
    assert not loaders(m)
    assert outline_layer(m, "basemap").data["features"]
    assert outline_layer(m, "countries").data["features"][0]["geometry"]["coordinates"]
    # A changed copy of the world is not the served file either.
    changed = {**world(), "features": world()["features"][:10]}
    assert not loaders(local_assets(build_map(sample_places(), outlines=changed)))


@needs_served_outlines
def test_outlines_by_url_can_be_turned_off_and_follow_the_base_url():
    m = build_map(sample_places(), outlines=world())
    local_assets(m)
    local_assets(m, base_url="/cm/app/static/vendor/")
    (loader,) = loaders(m)
    assert loader.url.startswith("/cm/app/static/vendor/geodata/countries-")
    local_assets(m, outlines_by_url=False)
    assert not loaders(m)
    assert len(outline_layer(m, "basemap").data["features"]) == len(world()["features"])
    assert outline_layer(m, "countries").data["features"][0]["geometry"]["coordinates"]


@needs_served_outlines
def test_online_basemap_still_gets_country_outlines_by_url():
    m = local_assets(build_map(sample_places(), outlines=world(), basemap="online"))
    (loader,) = loaders(m)
    # the offline land is kept in reserve (hidden) for when tiles cannot load
    assert loader.basemap is not None and len(loader.countries) == 1


def test_missing_outlines_file_names_the_setup_command(vendor_copy):
    served = load_manifest(vendor_copy).get("outlines")
    if not served:
        pytest.skip("country outlines not vendored in static/vendor: run ./setup.sh")
    (vendor_copy / served["path"]).unlink()
    with pytest.raises(AssetsError, match=r"countries-.*\.geojson.*run \./setup\.sh"):
        local_assets(build_map(sample_places(), outlines=world()), vendor_dir=vendor_copy)
    # A map without outlines does not need the file.
    local_assets(build_map(sample_places()), vendor_dir=vendor_copy)


# --------------------------------------------------------------------------- standalone


@needs_vendor
def test_standalone_html_inlines_everything():
    m = full_map()
    before = dependency_urls(m)
    page = standalone_html(m, DEFAULT_VENDOR_DIR)
    assert not REMOTE_TAG.search(page)
    assert not re.search(r"<script\b[^>]*\bsrc=", page)
    assert not re.search(r"<link\b[^>]*rel=\"stylesheet\"", page)
    leaflet = (DEFAULT_VENDOR_DIR / load_manifest()["dependencies"]["leaflet"]["path"]).read_text()
    assert leaflet[-2000:-200] in page
    assert "L.markerClusterGroup" in page and "L.heatLayer" in page
    assert 'url("data:image/png;base64,' in page  # leaflet.css images
    assert "conflictmap-inline" not in page
    assert json.dumps(credit_html()).replace("<", "\\u003c").replace(">", "\\u003e") in page  # the data's credit travels with the file
    # The caller's map keeps the dependency URLs it had.
    assert dependency_urls(m) == before


@needs_served_outlines
def test_standalone_html_inlines_the_outlines_even_after_local_assets():
    m = local_assets(build_map(sample_places(), outlines=world()))
    page = standalone_html(m)
    assert "fetch(" not in page and "/static/vendor/" not in page
    canada = next(f for f in world()["features"] if f["properties"]["iso_a2"] == "CA")
    first = canada["geometry"]["coordinates"][0][0][0]
    assert f"[{first[0]}, {first[1]}]" in page  # the basemap geometry, inline
    # ...and the map is left serving them by URL, as it was.
    assert len(loaders(m)) == 1 and outline_layer(m, "basemap").data["features"] == []


# --------------------------------------------------------------------------- browser


def _browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: run ./setup.sh --dev")
    return playwright


MAP_STATE_JS = """() => ({
    leaflet: window.L ? L.version : null,
    places: document.querySelectorAll('path.cm-place').length,
    clusters: document.querySelectorAll('.marker-cluster').length,
    outlines: document.querySelectorAll('path.cm-outline').length,
    outlinePoints: Math.max(0, ...Array.from(document.querySelectorAll('path.cm-outline'))
        .map(p => (p.getAttribute('d') || '').split(/[ML]/).length)),
    basemap: document.querySelectorAll('.leaflet-cm-basemap-pane path').length,
    areas: document.querySelectorAll('path.cm-area').length,
    heatPixels: (() => {
        const c = document.querySelector('canvas.leaflet-heatmap-layer');
        if (!c || !c.width) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    })(),
    legend: (document.querySelector('.conflictmap-legend') || {}).innerText || '',
    layers: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
        .map(l => [l.innerText.trim(), !l.querySelector('input').disabled]),
})"""


@pytest.mark.browser
@needs_vendor
def test_standalone_file_draws_offline(tmp_path):
    pw = _browser()
    small = build_map(sample_places(), heat=True, outlines=OUTLINES)
    clustered = full_map()
    # The real outlines, already set to load by URL: the export inlines them.
    world_map = local_assets(build_map(sample_places(), heat=True, outlines=world()))
    net = Net()
    with pw.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = routed_page(browser, net, {"width": 1000, "height": 700})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for name, m in (("small", small), ("clustered", clustered), ("world", world_map)):
                path = tmp_path / f"{name}.html"
                path.write_text(standalone_html(m), encoding="utf-8")
                page.goto(path.as_uri())
                page.wait_for_function("() => window.L && document.querySelector('.leaflet-overlay-pane svg')")
                # drawn when the markers (or their clusters) are there and the heat layer has painted
                page.wait_for_function(f"() => {{ const s = ({MAP_STATE_JS})(); return (s.places + s.clusters) > 0 && s.heatPixels > 0; }}")
                state = page.evaluate(MAP_STATE_JS)
                page.screenshot(path=str(tmp_path / f"{name}.png"))
                assert state["leaflet"] == leaflet_version()
                assert state["outlines"] == 1 and state["outlinePoints"] >= 4
                assert "Places mentioned" in state["legend"]
                assert state["heatPixels"] > 0, "the heat layer drew nothing"
                assert ["Heat (mentions)", True] in state["layers"], state["layers"]
                if name == "clustered":
                    assert state["clusters"] > 0
                else:
                    assert state["places"] == 3
                if name == "world":
                    assert state["basemap"] > 150, state["basemap"]
                    assert state["outlinePoints"] > 20  # Syria's real border (as Leaflet simplifies it), not a square
        finally:
            browser.close()
    assert not errors, errors
    assert not net.external, f"the page tried to reach the network: {net.external}"


APP = """
import json
import sys
sys.path.insert(0, {root!r})
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium
from conflictmap.maps.assets import local_assets
from conflictmap.maps.build import build_map
from conflictmap.maps.selection import place_at

df = pd.read_pickle({frame!r})
outlines = st.cache_resource(lambda: json.loads(open({outlines!r}, encoding="utf-8").read()))()
m = local_assets(build_map(df, heat=True, outlines=outlines), vendor_dir={vendor!r})
out = st_folium(m, key="map", height=500, use_container_width=True,
                returned_objects=["last_object_clicked", "last_object_clicked_tooltip"]) or {{}}
hit = out.get("last_object_clicked") or {{}}
st.write("CLICKED", place_at(df, hit.get("lat"), hit.get("lng"), tooltip=out.get("last_object_clicked_tooltip")))
"""


@pytest.mark.browser
@needs_vendor
def test_streamlit_folium_draws_offline_and_clicks_map_back(tmp_path):
    """The real path: Streamlit static serving -> streamlit-folium iframe -> Leaflet."""
    pw = _browser()
    app_dir = tmp_path / "app"
    (app_dir / ".streamlit").mkdir(parents=True)
    (app_dir / "static").symlink_to(DEFAULT_VENDOR_DIR.parent, target_is_directory=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", app_dir / ".streamlit" / "config.toml")
    sample_places().to_pickle(app_dir / "places.pkl")
    (app_dir / "app.py").write_text(
        APP.format(root=str(ROOT), frame=str(app_dir / "places.pkl"), vendor=str(DEFAULT_VENDOR_DIR),
                   outlines=str(DEFAULT_OUTLINES))
    )
    net = Net()
    with streamlit_server(dict(os.environ), tmp_path / "streamlit.log", script="app.py", cwd=app_dir) as base:
        url = base + "/"
        with pw.sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = routed_page(browser, net, {"width": 1100, "height": 900})
                page.goto(url)
                frame_el = page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=60_000)
                frame = frame_el.content_frame()
                frame.wait_for_selector("path.cm-place-1", timeout=30_000)
                # The outlines arrive by URL, after the map has drawn.
                frame.wait_for_function(
                    "() => document.querySelectorAll('.leaflet-cm-basemap-pane path').length > 150", timeout=30_000
                )
                state = frame.evaluate(MAP_STATE_JS)
                assert state["leaflet"] == leaflet_version()
                assert state["places"] == 3
                assert state["heatPixels"] > 0
                assert state["outlines"] == 1 and state["outlinePoints"] > 20  # Syria, filled in from the file
                page.screenshot(path=str(tmp_path / "streamlit.png"))
                # Aleppo is large: click off-centre, so only the tooltip can identify it.
                box = frame.query_selector("path.cm-place-1").bounding_box()
                page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)
                page.wait_for_function("() => document.body.innerText.includes('CLICKED 1')", timeout=30_000)
                # Inside the Syria outline, away from any point: the outline's own tooltip names it.
                x, y = frame.evaluate(
                    "() => { const p = window.map.latLngToContainerPoint([35.3, 40.3]);"
                    " const r = window.map.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }"
                )
                page.mouse.click(frame_el.bounding_box()["x"] + x, frame_el.bounding_box()["y"] + y)
                page.wait_for_function("() => document.body.innerText.includes('CLICKED 3')", timeout=30_000)
            finally:
                browser.close()
    vendor_hits = [u for u in net.local if "/app/static/vendor/" in u]
    assert any(u.endswith("leaflet.js") for u in vendor_hits), net.local
    assert any(re.search(r"/app/static/vendor/geodata/countries-[0-9a-f]+\.geojson$", u) for u in vendor_hits), net.local
    assert not net.external, f"the page tried to reach the network: {net.external}"
