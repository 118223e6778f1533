"""Time the unit tests: wall clock, CPU (pytest and every process it starts) and the machine's load.

The goal (issue 13) is under a minute of wall time for everything but the browser,
accuracy and corpus tests. On a shared machine wall time follows the load, so the
CPU seconds are printed too: they are what the suite costs, whoever else is running.
`--per-file` also says where those CPU seconds go, file by file and the costliest tests,
which is where to look before making the suite faster.

    .venv/bin/python scripts/bench_tests.py            # serial
    .venv/bin/python scripts/bench_tests.py -n 2       # two pytest-xdist workers, --dist loadfile (as the README says)
    .venv/bin/python scripts/bench_tests.py --per-file # serial, with CPU seconds per file and per test
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNIT = "not browser and not accuracy and not corpus"
PLUGIN = "cm_cpu_per_test"

# A pytest plugin, written to a temporary folder for the run: CPU seconds (this process and the
# children it has waited for) and wall seconds of each test's set-up, call and teardown.
PLUGIN_SOURCE = '''
import json, os, resource, time
import pytest

_rows = []


def _cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = _cpu(), time.perf_counter()
    yield
    _rows.append([item.nodeid, _cpu() - cpu, time.perf_counter() - wall])


def pytest_sessionfinish(session):
    with open(os.environ["CM_CPU_PER_TEST"], "w") as out:
        json.dump(_rows, out)
'''


def per_file_report(rows: list[list], top: int = 15) -> str:
    """Files by CPU seconds, then the costliest tests: what to make faster first."""
    files: dict[str, list[float]] = {}
    for nodeid, cpu, wall in rows:
        total = files.setdefault(nodeid.split("::")[0], [0.0, 0.0])
        total[0] += cpu
        total[1] += wall
    lines = [f"CPU s  wall s  file (tests: {sum(r[1] for r in rows):.0f} CPU s; the rest is start-up and collection)"]
    lines += [f"{cpu:6.1f} {wall:7.1f}  {name}" for name, (cpu, wall) in sorted(files.items(), key=lambda kv: -kv[1][0])]
    lines.append("CPU s  wall s  test")
    lines += [f"{cpu:6.1f} {wall:7.1f}  {nodeid}" for nodeid, cpu, wall in sorted(rows, key=lambda r: -r[1])[:top]]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--markers", default=UNIT, help=f"pytest -m expression (default: {UNIT!r})")
    ap.add_argument("-n", "--workers", type=int, default=0, help="pytest-xdist workers (0: serial)")
    ap.add_argument("--dist", default="loadfile", help="pytest-xdist distribution with -n (default: loadfile, one file per worker)")
    ap.add_argument("--per-file", action="store_true", help="also print CPU seconds per test file and the costliest tests")
    args = ap.parse_args()
    if args.per_file and args.workers:
        ap.error("--per-file measures a serial run; leave out -n")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", args.markers]
    if args.workers:
        cmd += ["-n", str(args.workers), "--dist", args.dist]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as folder:
        if args.per_file:
            (Path(folder) / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
            env["PYTHONPATH"] = os.pathsep.join(p for p in (folder, env.get("PYTHONPATH", "")) if p)
            env["CM_CPU_PER_TEST"] = str(Path(folder) / "rows.json")
            cmd += ["-p", PLUGIN]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"| {dt.date.today().isoformat()} | {f'-n {args.workers} --dist {args.dist}' if args.workers else 'serial'} | {wall:.0f} s "
              f"| {usage.ru_utime + usage.ru_stime:.0f} s | {load_before:.1f} / {os.getloadavg()[0]:.1f} | {summary} |")
        rows_file = Path(folder) / "rows.json"
        if args.per_file and rows_file.is_file():
            print(per_file_report(json.loads(rows_file.read_text(encoding="utf-8"))))
    for line in done.stdout.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            print(line, file=sys.stderr)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
