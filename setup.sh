#!/usr/bin/env bash
# Set up Conflict Map on a fresh Debian machine with Python 3.11, offline afterwards.
#   ./setup.sh          runtime: Python packages, map assets, gazetteer
#   ./setup.sh --dev    the same plus test tools and Debian's chromium for browser tests
#   ./setup.sh --server the runtime plus Debian's PostgreSQL, for scripts/serve.py (the server deployment)
# Safe to re-run: every step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

dev=0
[ "${1:-}" = "--dev" ] && dev=1
server=0
[ "${1:-}" = "--server" ] && server=1
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

say() { printf '\n== %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Node's npm fetches the map's JavaScript (Leaflet and plugins) from the npm registry;
# wamerican's word list tells the geoparser ordinary words from proper nouns.
command -v npm >/dev/null || apt_install nodejs npm
apt_install wamerican
[ "$dev" = 1 ] && { command -v chromium >/dev/null || apt_install chromium; }
# PostgreSQL 15 (Debian's): the server store, and the throwaway servers the store tests start.
# The tests and scripts/serve.py run servers of their own and never rely on the packaged service.
if [ "$dev" = 1 ] || [ "$server" = 1 ]; then
  [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || apt_install postgresql-15
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $PY"
  "$PY" -m venv .venv
fi
req=requirements.txt
[ "$dev" = 1 ] && req=requirements-dev.txt
say "installing Python packages from $req"
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"

# The project itself, editable, so `.venv/bin/conflictmap` works from any folder and runs this
# checkout's code. Its build backend (setuptools) comes from PyPI now; dependencies are the pins above.
installed_here() {
  local root=$PWD
  [ -x .venv/bin/conflictmap ] && [ ! pyproject.toml -nt .venv/bin/conflictmap ] &&
    (cd / && "$root/.venv/bin/python" -c 'import sys, conflictmap; sys.exit(conflictmap.__file__ != sys.argv[1])' "$root/conflictmap/__init__.py")
}
if ! installed_here; then
  say "installing the conflictmap command into .venv (editable)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
fi

say "installing map assets from the npm registry"
if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
.venv/bin/python scripts/vendor_assets.py

if [ ! -f geodata/build/gazetteer.sqlite ] || [ -n "$(find geodata/curated geodata/build_gazetteer.py geodata/display_names.py conflictmap/geoparser/names.py requirements.txt -newer geodata/build/gazetteer.sqlite 2>/dev/null | head -1)" ]; then
  say "building the gazetteer (about a minute, once)"
  .venv/bin/python geodata/build_gazetteer.py
fi
if [ ! -f geodata/build/areas.geojson ] || [ -n "$(find geodata/curated geodata/build_areas.py geodata/countries.geojson geodata/build/gazetteer.sqlite package-lock.json -newer geodata/build/areas.geojson 2>/dev/null | head -1)" ]; then
  say "building the area shapes (provinces, regions, seas, rivers)"
  .venv/bin/python geodata/build_areas.py
fi
# the shapes by id, so the map reads the few it draws instead of parsing the whole file at first start
.venv/bin/python -m conflictmap.maps.areas >/dev/null
say "preparing the demo store (so the first start opens on a map)"
.venv/bin/python -m conflictmap demo >/dev/null
say "ready"
