"""Shared fixtures: real stores, the real gazetteer, and the shared corpora when they are there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PYTHON = sys.executable


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpora and seed live beside the repo in ../shared")
    return path


@pytest.fixture
def store():
    from conflictmap.store.sqlite import Store

    with Store(":memory:") as s:
        yield s


@pytest.fixture(scope="session")
def parser():
    from conflictmap.geoparser.parser import default_geoparser

    return default_geoparser()


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `python -m conflictmap` in a subprocess with a private home."""
    env = dict(os.environ)
    env["CONFLICTMAP_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server for the whole run, in a temporary folder, on a free port.

    Started from Debian's binaries with initdb/pg_ctl (as the unprivileged postgres user
    when the tests run as root) and stopped at the end, whatever happened.
    """
    import shutil
    import tempfile

    from conflictmap.store.pgserver import LocalPostgres

    folder = Path(tempfile.mkdtemp(prefix="conflictmap-pg-"))
    folder.chmod(0o755)  # the server's own user must reach its data folder inside
    server = LocalPostgres(folder / "pg", fast=True)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - the message names the fix
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start a test PostgreSQL server: {exc}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_server, request):
    """A fresh, empty database on the session's PostgreSQL server."""
    import re
    import uuid

    name = re.sub(r"\W", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return pg_server.create_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request):
    """The same store tests on both backends: embedded SQLite and a PostgreSQL server."""
    if request.param == "sqlite":
        from conflictmap.store.sqlite import Store

        with Store(":memory:") as s:
            yield s
    else:
        from conflictmap.store.postgres import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_dsn")) as s:
            yield s
