"""Shared fixtures: real stores, a tiny gazetteer for unit tests, the full one for accuracy, the shared corpora.

Every test except those marked `accuracy`, `corpus` or `browser` runs against the
fixture gazetteer (tests/gazetteer_fixture.py): `CONFLICTMAP_GAZETTEER` points at it
for the test's duration, so the library's defaults and any `python -m conflictmap`
the test starts use it too. Accuracy is the point of the marked tests, so they get
the gazetteer `./setup.sh` built.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

import pytest

from tests.gazetteer_fixture import write_gazetteer

if TYPE_CHECKING:
    from click.testing import Result

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PYTHON = sys.executable
GAZETTEER_ENV = "CONFLICTMAP_GAZETTEER"
FULL_GAZETTEER_MARKERS = ("accuracy", "corpus", "browser")
_USER_GAZETTEER = os.environ.get(GAZETTEER_ENV)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpora and seed live beside the repo in ../shared")
    return path


def full_gazetteer_path() -> Path:
    """The built gazetteer (or the one the user named), or a skip that says how to build it."""
    from conflictmap.geoparser.gazetteer import BUILD_HINT, DEFAULT_PATH

    path = Path(_USER_GAZETTEER or DEFAULT_PATH)
    if not path.is_file():
        pytest.skip(f"no gazetteer at {path}; {BUILD_HINT}")
    return path


@pytest.fixture(scope="session")
def gazetteer_path(tmp_path_factory) -> Path:
    """The fixture gazetteer, written once per test session."""
    return write_gazetteer(tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite")


@pytest.fixture(autouse=True)
def _gazetteer_for_this_test(request, monkeypatch, gazetteer_path):
    if any(request.node.get_closest_marker(m) for m in FULL_GAZETTEER_MARKERS):
        if _USER_GAZETTEER:
            monkeypatch.setenv(GAZETTEER_ENV, _USER_GAZETTEER)
        else:
            monkeypatch.delenv(GAZETTEER_ENV, raising=False)
    else:
        monkeypatch.setenv(GAZETTEER_ENV, str(gazetteer_path))
    _defaults_follow_the_environment()
    yield
    monkeypatch.undo()
    _defaults_follow_the_environment()


def _defaults_follow_the_environment() -> None:
    """The process-wide default gazetteer and geoparser are cached: drop them when they point elsewhere."""
    from conflictmap.geoparser.gazetteer import DEFAULT_PATH, default_gazetteer
    from conflictmap.geoparser.parser import default_geoparser

    wanted = Path(os.environ.get(GAZETTEER_ENV) or DEFAULT_PATH)
    if default_gazetteer.cache_info().currsize and default_gazetteer().path != wanted:
        default_gazetteer.cache_clear()
        default_geoparser.cache_clear()


@pytest.fixture
def store():
    from conflictmap.store.sqlite import Store

    with Store(":memory:") as s:
        yield s


@pytest.fixture(scope="session")
def parser(gazetteer_path):
    """A geoparser over the fixture gazetteer: for tests of our code, not of the data."""
    from conflictmap.geoparser.gazetteer import Gazetteer
    from conflictmap.geoparser.parser import Geoparser

    return Geoparser(Gazetteer(gazetteer_path))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, parser) -> Path:
    """A store file holding the demo corpus, geoparsed once per session and closed: copy it, never write to it."""
    from conflictmap.ingest import ensure_demo
    from conflictmap.store.sqlite import Store

    path = tmp_path_factory.mktemp("demo") / "conflictmap.db"
    with Store(path) as store:
        ensure_demo(store, parser=parser)
        assert store.stats()["articles"] >= 100
    return path


@pytest.fixture
def app_home(tmp_path, monkeypatch) -> Path:
    """An empty private home for the dashboard (`CONFLICTMAP_HOME`), Streamlit's shared caches dropped
    before and after: the store is an `st.cache_resource` every session shares."""
    from tests.apphelp import clear_streamlit_caches

    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("CONFLICTMAP_HOME", str(folder))
    clear_streamlit_caches()
    yield folder
    clear_streamlit_caches()


@pytest.fixture
def demo_home(app_home, demo_db) -> Path:
    """A private dashboard home that already holds the demo corpus (a copy: tests may change it)."""
    import shutil

    shutil.copy(demo_db, app_home / "conflictmap.db")
    return app_home


@pytest.fixture(scope="session")
def full_gazetteer():
    """The full built gazetteer: for tests where the data is the point (such tests are marked `accuracy`)."""
    from conflictmap.geoparser.gazetteer import Gazetteer

    return Gazetteer(full_gazetteer_path())


@pytest.fixture(scope="session")
def full_parser(full_gazetteer):
    """A geoparser over the full built gazetteer: for tests where accuracy is the point (marked `accuracy`)."""
    from conflictmap.geoparser.parser import Geoparser

    return Geoparser(full_gazetteer)


def pytest_collection_modifyitems(items) -> None:
    """A test that uses the full gazetteer is an accuracy test, whether or not it says so."""
    for item in items:
        if {"full_gazetteer", "full_parser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.accuracy)


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `python -m conflictmap` in a subprocess with a private home (and this test's gazetteer)."""
    env = dict(os.environ)
    env["CONFLICTMAP_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    return env


class InProcessCli:
    """The `conflictmap` command run in this process through click's CliRunner, with a private home.

    Most CLI tests are about what a command does, not about starting Python: running it
    here saves a second of imports per call and shares the process's cached geoparser.
    Tests where the process boundary is the point (stdin/stdout contract, exit status
    seen by a shell, a real second process) still use `cli_env` and a subprocess.
    """

    def __init__(self, home: Path) -> None:
        from click.testing import CliRunner

        self.home = home
        self._runner = CliRunner()

    def __call__(self, *args: str | os.PathLike, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        """Run one command; the result has `exit_code`, `stdout` and `stderr` (click keeps them apart)."""
        from conflictmap.cli import cli

        return self._runner.invoke(cli, [str(a) for a in args], input=input, env={"CONFLICTMAP_HOME": str(self.home), **(env or {})},
                                   prog_name="python -m conflictmap", catch_exceptions=False)


@pytest.fixture
def cli(tmp_path) -> InProcessCli:
    """`cli("ingest", path)` runs the command in-process with `tmp_path / "home"` as its home (as `cli_env` does)."""
    return InProcessCli(tmp_path / "home")


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


@pytest.fixture(scope="session")
def dask_cluster():
    """One Dask cluster for the whole run: two single-threaded workers inside this process, over TCP.

    Threads, not processes, because the Dask tests are about what the cluster computes and
    stores, not about starting Python: workers here share the process's imports and its
    cached geoparser (the fixture gazetteer each test's environment names), so no test waits
    for two interpreters to start. TCP, not Dask's in-process transport, so every task and
    result is serialised as on a real cluster, and the scheduler has an address that
    `--scheduler` and `bulk_regeoparse(scheduler=...)` can reach. `dask_client(workers=N)`,
    which starts real worker processes, is tested once on its own (test_bulk.py).
    """
    import logging

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      # no dashboard, and the scheduler's HTTP routes on a free port (not 8787, which another run may hold)
                      dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


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
