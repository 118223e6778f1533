"""Time one great-circle distance: ours (`conflictmap.distance.km`) against geopy's `great_circle`.

The resolver asks for a distance for every candidate against its neighbours, so the
per-pair cost is what matters (docs/decisions.md, "one great-circle distance"). Prints
one JSON line: microseconds per pair for each, and the largest difference in metres
over the pairs timed (the two must agree).

Usage: .venv/bin/python scripts/bench_distance.py [--pairs 20000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geopy.distance import great_circle  # noqa: E402

from conflictmap.distance import EARTH_RADIUS_KM, km  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20000)
    n = ap.parse_args().pairs
    rng = random.Random(7)
    pairs = [(rng.uniform(-80, 80), rng.uniform(-180, 180), rng.uniform(-80, 80), rng.uniform(-180, 180)) for _ in range(n)]
    t = time.perf_counter()
    ours = [km(*p) for p in pairs]
    ours_us = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    theirs = [great_circle((a, b), (c, d), radius=EARTH_RADIUS_KM).km for a, b, c, d in pairs]
    geopy_us = (time.perf_counter() - t) / n * 1e6
    worst_m = max(abs(x - y) for x, y in zip(ours, theirs)) * 1000
    print(json.dumps({"pairs": n, "ours_us_per_pair": round(ours_us, 2), "geopy_great_circle_us_per_pair": round(geopy_us, 2),
                      "ratio": round(geopy_us / ours_us, 1), "largest_difference_m": round(worst_m, 6)}))


if __name__ == "__main__":
    main()
