"""Run the server deployment: the dashboard on PostgreSQL, with a Dask cluster for bulk ingest.

By default everything runs on this machine: a private PostgreSQL cluster (created on
first use, kept between runs), a Dask scheduler with local workers, and
`streamlit run dashboard.py` pointed at them. In a newsroom, point it at what already
runs instead:

    CONFLICTMAP_DB=postgresql://USER:PASSWORD@HOST:5432/DB   the managed PostgreSQL
    DASK_SCHEDULER_ADDRESS=tcp://HOST:8786                   the Dask cluster's scheduler

Sign-in is on when `.streamlit/secrets.toml` (or --secrets FILE) has an `[auth]`
section for the newsroom's OpenID Connect provider (docs/deployment.md). The store is
loaded with the demo corpus when it is empty. Ctrl-C stops what this script started.

Usage: .venv/bin/python scripts/serve.py [--port 8501] [--address localhost] [--workers 2] [--secrets FILE]
Then:  .venv/bin/python -m conflictmap ingest --db "$CONFLICTMAP_DB" --scheduler tcp://127.0.0.1:8786 archive/
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflictmap.store import DB_ENV  # noqa: E402
from conflictmap.store.pgserver import LocalPostgres  # noqa: E402
from conflictmap.store.sqlite import default_path  # noqa: E402

PG_DATA_ENV = "CONFLICTMAP_PG_DATA"
PG_PORT = 54329
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"  # dask's own variable for "use this scheduler"


def local_postgres_folder() -> Path:
    """Where the private PostgreSQL keeps its data. As root it runs as the postgres user,
    who cannot enter root's home, so the default is then a system folder."""
    if os.environ.get(PG_DATA_ENV):
        return Path(os.environ[PG_DATA_ENV])
    if os.geteuid() == 0:
        return Path("/var/lib/conflictmap/postgres")
    return default_path().parent / "postgres"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8501, help="the dashboard's port")
    ap.add_argument("--address", default="localhost", help="the dashboard's address (0.0.0.0 to serve the network)")
    ap.add_argument("--workers", type=int, default=2, help="local Dask workers when no DASK_SCHEDULER_ADDRESS is given (0: none)")
    ap.add_argument("--scheduler-port", type=int, default=8786)
    ap.add_argument("--pg-port", type=int, default=PG_PORT)
    ap.add_argument("--secrets", help="a secrets.toml with the [auth] section (default: .streamlit/secrets.toml if present)")
    args = ap.parse_args()

    started: list = []  # what to stop, last first
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        dsn = os.environ.get(DB_ENV, "")
        if not dsn.startswith(("postgresql://", "postgres://")):
            folder = local_postgres_folder()
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o755)
            pg = LocalPostgres(folder, port=args.pg_port).start()
            started.append(pg.stop)
            dsn = pg.dsn("conflictmap")
            import psycopg

            with psycopg.connect(pg.dsn(), autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'conflictmap'").fetchone() is None:
                    conn.execute("CREATE DATABASE conflictmap")
            print(f"PostgreSQL (local, {folder}): {dsn}", flush=True)
        env[DB_ENV] = dsn

        from conflictmap.ingest import ensure_demo
        from conflictmap.store import open_store

        with open_store(dsn) as store:  # migrate once here, and give a first start something to show
            report = ensure_demo(store)
            if report:
                print(f"demo corpus loaded: {report.summary()}", flush=True)

        scheduler = os.environ.get(SCHEDULER_ENV)
        if not scheduler and args.workers > 0:
            import logging

            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, scheduler_port=args.scheduler_port,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            started.append(cluster.close)
            scheduler = cluster.scheduler_address
        if scheduler:
            env[SCHEDULER_ENV] = scheduler
            print(f"Dask scheduler: {scheduler}  (ingest with --scheduler {scheduler})", flush=True)

        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(args.port),
                   "--server.address", args.address]
        secrets = Path(args.secrets) if args.secrets else ROOT / ".streamlit" / "secrets.toml"
        if secrets.exists():
            command += ["--secrets.files", str(secrets)]
            print(f"sign-in: configured by {secrets}", flush=True)
        else:
            print("sign-in: off (no [auth] secrets); see docs/deployment.md before sharing this server", flush=True)
        dashboard = subprocess.Popen(command, cwd=ROOT, env=env)
        started.append(lambda: (dashboard.terminate(), dashboard.wait(timeout=20)))
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        print(f"dashboard: http://{args.address}:{args.port}", flush=True)
        dashboard.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for stop in reversed(started):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest anyway
                print(f"while stopping: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
