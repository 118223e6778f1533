"""The installed `conflictmap` command works from any folder, finding its model and demo corpus in the package."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conflictmap.ingest import DEMO_CORPUS
from tests.conftest import ROOT

SCRIPT = Path(sys.executable).parent / "conflictmap"


@pytest.fixture
def command(tmp_path) -> tuple[Path, dict[str, str], Path]:
    """The console script, an environment without this checkout on PYTHONPATH, and a folder far from it."""
    if not SCRIPT.is_file():
        pytest.skip(f"{SCRIPT} is absent: ./setup.sh installs the conflictmap command")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CONFLICTMAP_HOME"] = str(tmp_path / "home")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([sys.executable, "-c", "import conflictmap; print(conflictmap.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60)
    if where.returncode == 0 and Path(where.stdout.strip()).parent != ROOT / "conflictmap":
        pytest.skip(f"the conflictmap command in this environment runs another checkout ({where.stdout.strip()})")
    return SCRIPT, env, elsewhere


def test_command_runs_from_another_folder(command):
    script, env, elsewhere = command

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([str(script), *args], cwd=elsewhere, env=env, input=stdin, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (args, done.stderr)
        return done

    assert json.loads(run("stats").stdout)["articles"] == 0
    briefs = sum(1 for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip())
    assert f"read {briefs}, added {briefs}," in run("demo").stdout  # the demo corpus, from the package
    assert json.loads(run("stats").stdout)["articles"] == briefs
    with sqlite3.connect(Path(env["CONFLICTMAP_HOME"]) / "conflictmap.db") as db:
        versions = {r[0] for r in db.execute("SELECT DISTINCT geoparser FROM articles")}
    assert len(versions) == 1 and "untrained" not in versions.pop()  # the learned model, from the package
    answer = json.loads(run("geoparse", stdin=json.dumps({"id": "1", "text": "Fighting near Mosul."}) + "\n").stdout)
    assert [p["text"] for p in answer["places"]] == ["Mosul"]
    assert not list(elsewhere.iterdir())  # nothing written into the folder it ran in
