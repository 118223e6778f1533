"""A private PostgreSQL server in a folder: for tests, benchmarks and a one-machine server deployment.

It runs Debian's own binaries (`initdb`, `pg_ctl`) on a local port, so nothing has to
be installed as a service and nothing is left running once `stop()` is called. As root
(CI, containers) PostgreSQL refuses to start, so the binaries run as the unprivileged
`postgres` user (or `nobody`) that owns the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

from conflictmap.errors import StoreError

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def pg_bin(name: str) -> str:
    """Path of a PostgreSQL server program (Debian keeps them off PATH)."""
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    raise StoreError(f"PostgreSQL's {name} is not installed; run ./setup.sh --server (or apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """One PostgreSQL cluster in `folder`, listening on 127.0.0.1:`port` with trust authentication.

    Only for one machine: anyone on it may connect. A newsroom points CONFLICTMAP_DB at
    its managed PostgreSQL instead (docs/deployment.md).
    """

    def __init__(self, folder: str | Path, *, port: int | None = None, fast: bool = False) -> None:
        self.folder = Path(folder).resolve()
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.fast = fast  # no fsync: for throwaway test servers only
        self._user = self._run_as()

    @staticmethod
    def _run_as() -> str | None:
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        raise StoreError("running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL as; create one")

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self._user, "--", *args] if self._user else list(args)

    def _own(self, path: Path) -> None:
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self._user or pwd.getpwuid(os.geteuid()).pw_name}@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> LocalPostgres:
        """Create the cluster on first use, then start it and wait until it accepts connections."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._own(self.folder)
        if not (self.data / "PG_VERSION").exists():
            done = subprocess.run(self._cmd(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-E", "UTF8", "--no-locale",
                                            "-U", self._user or pwd.getpwuid(os.geteuid()).pw_name),
                                  capture_output=True, text=True)
            if done.returncode:
                raise StoreError(f"initdb failed in {self.data}: {done.stderr.strip()[-500:]}")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = subprocess.run(self._cmd(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options,
                                        "-w", "-t", "60", "start"), capture_output=True, text=True)
        if done.returncode:
            log = (self.folder / "server.log").read_text(errors="replace")[-800:] if (self.folder / "server.log").exists() else ""
            raise StoreError(f"PostgreSQL did not start on port {self.port}: {done.stderr.strip()} {log}")
        return self

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its connection string."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        subprocess.run(self._cmd(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"), capture_output=True, text=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
