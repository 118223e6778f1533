"""Learn the recognition cue weights from the dev corpora and report cross-validated figures.

Usage: .venv/bin/python scripts/train_recognizer.py [--folds 5] [CORPUS.xml ...]
Writes conflictmap/geoparser/model/recognizer.json (the model trained on all corpora, with
the cross-validated figures inside it) and prints those figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflictmap.geoparser.gazetteer import Gazetteer  # noqa: E402
from conflictmap.geoparser.recognition import MODEL_PATH  # noqa: E402
from conflictmap.geoparser.training import cross_validate  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", default=[str(SHARED / "lgl.xml"), str(SHARED / "GeoVirus.xml")])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args()
    t0 = time.perf_counter()
    result = cross_validate(args.corpora, Gazetteer(), folds=args.folds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result["model"], indent=2) + "\n", encoding="utf-8")
    for path, fig in result["figures"].items():
        print(f"{Path(path).name} ({args.folds}-fold CV): {json.dumps(fig)}")
    print(f"wrote {out} in {time.perf_counter() - t0:.0f} s; threshold {result['model']['threshold']}")


if __name__ == "__main__":
    main()
