"""Time the unit tests: wall clock, CPU (pytest and every process it starts) and the machine's load.

The goal (issue 13) is under a minute of wall time for everything but the browser,
accuracy and corpus tests. On a shared machine wall time follows the load, so the
CPU seconds are printed too: they are what the suite costs, whoever else is running.

    .venv/bin/python scripts/bench_tests.py            # serial
    .venv/bin/python scripts/bench_tests.py -n 2       # two pytest-xdist workers
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNIT = "not browser and not accuracy and not corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--markers", default=UNIT, help=f"pytest -m expression (default: {UNIT!r})")
    ap.add_argument("-n", "--workers", type=int, default=0, help="pytest-xdist workers (0: serial)")
    args = ap.parse_args()
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", args.markers]
    if args.workers:
        cmd += ["-n", str(args.workers)]
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"| {dt.date.today().isoformat()} | {'-n ' + str(args.workers) if args.workers else 'serial'} | {wall:.0f} s "
          f"| {usage.ru_utime + usage.ru_stime:.0f} s | {load_before:.1f} / {os.getloadavg()[0]:.1f} | {summary} |")
    for line in done.stdout.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            print(line, file=sys.stderr)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
