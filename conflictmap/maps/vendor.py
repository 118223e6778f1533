"""Vendoring at set-up: copy the map's JavaScript and CSS out of node_modules into static/vendor.

`package.json` pins the libraries and `npm ci` fetches them at set-up time;
`copy_vendor_assets()` (run by `scripts/vendor_assets.py`) copies just the files
listed in `VENDORED` into `static/vendor/` with the version in each folder name,
copies the basemap's country outlines under a content-hashed name, and writes
`static/vendor/manifest.json`, which `maps.assets` and `maps.standalone` read.
Nothing here runs while the dashboard serves pages.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from conflictmap.errors import AssetsError

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
    Streamlit serves. Computing it takes ~0.1 s for the world file: an
    `Outlines` (what `load_outlines` returns) computes it once and keeps it.
    """
    if isinstance(outlines, Outlines):
        return outlines.digest
    return _canonical_digest(outlines)


def _canonical_digest(outlines: Any) -> str:
    text = json.dumps(outlines, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Outlines(dict):
    """A GeoJSON FeatureCollection of outlines that carries its own digest.

    A dict, so everything that reads GeoJSON takes it as it is; the digest is
    worked out on first use and kept on the object, which is why an
    `Outlines` is read-only: changing it would leave the digest stale.
    """

    @cached_property
    def digest(self) -> str:
        return _canonical_digest(self)

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Outlines are read-only (their digest is kept); copy them into a dict to change them")

    __setitem__ = __delitem__ = __ior__ = update = pop = popitem = clear = setdefault = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Outlines, (dict(self),))  # pickle and copy rebuild it whole, not key by key


def load_outlines(path: Path = DEFAULT_OUTLINES) -> Outlines:
    """Read an outlines file once (the dashboard keeps the result for the process).

    Raises OSError or ValueError like `json.loads` for a file that is missing
    or not JSON; the caller decides whether a map without outlines will do.
    """
    return Outlines(json.loads(Path(path).read_text(encoding="utf-8")))


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
