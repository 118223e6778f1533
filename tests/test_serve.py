"""The README's server command: scripts/serve.py starts PostgreSQL, a Dask scheduler and the
dashboard on this machine, the dashboard shows the demo from PostgreSQL, and stopping the
command stops all of it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conflictmap.store.pgserver import free_port
from conflictmap.store.postgres import PostgresStore
from tests.apphelp import healthy, running, wait_for
from tests.conftest import ROOT


def test_the_server_command_runs_the_dashboard_on_postgresql_with_the_demo(tmp_path):
    data = Path(tempfile.mkdtemp(prefix="conflictmap-serve-"))
    data.chmod(0o755)  # PostgreSQL's own user must reach its folder
    port, pg_port, scheduler_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CONFLICTMAP_DB", "DASK_SCHEDULER_ADDRESS")}
    env.update(CONFLICTMAP_HOME=str(tmp_path / "home"), CONFLICTMAP_PG_DATA=str(data / "pg"), PYTHONPATH=str(ROOT))
    log = tmp_path / "serve.log"
    cmd = [sys.executable, "scripts/serve.py", "--port", str(port), "--address", "127.0.0.1", "--pg-port", str(pg_port),
           "--scheduler-port", str(scheduler_port), "--workers", "1"]
    try:
        with running(cmd, env, log, stop_within=60) as proc:
            wait_for(lambda: "dashboard: http" in log.read_text(), "dashboard line in its log", proc, log, timeout=180)
            wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), "answer from the dashboard", proc, log, timeout=180)
            dsn = re.search(r"PostgreSQL \(local, .*\): (\S+)", log.read_text()).group(1)
            assert f":{pg_port}/conflictmap" in dsn
            with PostgresStore(dsn) as store:
                assert store.stats()["articles"] == 112
                assert "Mosul" in {r["name"] for r in store.place_rows(store_filters())}
            from distributed import Client

            with Client(f"tcp://127.0.0.1:{scheduler_port}", timeout="20s") as client:
                assert len(client.scheduler_info()["workers"]) == 1
        # everything it started is gone: PostgreSQL no longer accepts connections, nor the dashboard
        assert not healthy(f"http://127.0.0.1:{port}")
        import psycopg

        try:
            psycopg.connect(dsn, connect_timeout=3).close()
            still_up = True
        except psycopg.OperationalError:
            still_up = False
        assert not still_up, "serve.py left PostgreSQL running"
    finally:
        from conflictmap.store.pgserver import pg_bin

        subprocess.run(["runuser", "-u", "postgres", "--"] * (os.geteuid() == 0) + [pg_bin("pg_ctl"), "-D", str(data / "pg" / "data"),
                        "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def store_filters():
    from conflictmap.filters import Filters

    return Filters()
