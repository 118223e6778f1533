"""Standalone export: one HTML file with every script, style and outline inline, that opens from disk offline."""

from __future__ import annotations

import base64
import copy
import mimetypes
import re
from pathlib import Path

import folium

from conflictmap.errors import AssetsError
from conflictmap.maps.assets import is_remote, local_assets
from conflictmap.maps.vendor import DEFAULT_VENDOR_DIR, SETUP_HINT, load_manifest

__all__ = ["standalone_html"]


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _inline_css(path: Path) -> str:
    """CSS text with relative url(...) references turned into data: URIs."""
    css = path.read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")) or is_remote(ref):
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
    The export renders a copy of `m`, so `m` itself is left as it was.
    """
    vendor_dir = Path(vendor_dir)
    manifest = load_manifest(vendor_dir)
    deps: dict[str, dict[str, str]] = manifest["dependencies"]
    marker = "conflictmap-inline:"
    # a map of its own, so the caller's map (perhaps on screen, perhaps cached) is never changed
    own = copy.deepcopy(m)
    local_assets(own, base_url=marker, vendor_dir=vendor_dir, outlines_by_url=False)
    page = own.get_root().render()

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
