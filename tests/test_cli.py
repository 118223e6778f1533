"""The command line: help, ingest, export, stats, geoparse and failures.

Commands run in-process through click's CliRunner (the `cli` fixture) unless the process
is the point: `python -m conflictmap --help` starting at all, and `geoparse` as the JSON
Lines filter the reference scorer drives over a pipe.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from conflictmap.geoparser.names import normalize_name

from tests.conftest import PYTHON, ROOT, shared_path

COMMANDS = ["ingest", "geoparse", "evaluate", "export", "stats", "demo", "regeoparse"]


def run(args, env, stdin=None, timeout=300):
    return subprocess.run([PYTHON, "-m", "conflictmap", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_help_explains_every_command(cli, cli_env):
    top = run(["--help"], cli_env)  # the module starts as a program
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        sub = cli(name, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.stdout, name


def test_ingest_stats_export_round_trip(cli, tmp_path):
    src = tmp_path / "briefs.jsonl"
    src.write_text(
        json.dumps({"title": "Dam", "text": "Kurdish forces retook Mosul Dam from militants.", "published": "2014-08-18", "source": "=cmd|calc"}) + "\n"
        + json.dumps({"title": "Erbil", "text": "Aid flights landed in Erbil on Sunday.", "published": "2014-08-10"}) + "\n",
        encoding="utf-8")
    first = cli("ingest", src)
    assert first.exit_code == 0, first.stderr
    assert "read 2, added 2, skipped as duplicate 0, failed 0" in first.stdout
    again = cli("ingest", src)
    assert "added 0, skipped as duplicate 2" in again.stdout
    stats = json.loads(cli("stats").stdout)
    assert stats["articles"] == 2 and stats["mentions"] >= 2
    out = cli("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["name"] for r in rows} >= {"Erbil"}
    sources = {r["source"] for r in rows}
    assert any("cmd|calc" in s for s in sources) and not any(s.startswith("=") for s in sources)  # no spreadsheet formulas
    geo = json.loads(cli("export", "--format", "geojson", "--start", "2014-08-15").stdout)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert all(f["properties"]["date"] >= "2014-08-15" for f in geo["features"])
    # GeoNames' licence (CC BY 4.0): its name, the licence's address and that the data was changed, in every export
    assert all("GeoNames" in r["place_data"] and "creativecommons.org/licenses/by/4.0" in r["place_data"]
               and "adapted" in r["place_data"] for r in rows)
    assert "GeoNames" in geo["attribution"] and "creativecommons.org/licenses/by/4.0" in geo["attribution"]


def test_regeoparse_redoes_only_what_another_version_parsed(cli, tmp_path):
    import sqlite3

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"title": "Kirkuk", "text": "Kurdish forces held Kirkuk and Erbil.", "published": "2014-06-13"}) + "\n",
                   encoding="utf-8")
    assert cli("ingest", src).exit_code == 0
    nothing = cli("regeoparse")
    assert nothing.exit_code == 0 and "geoparsed 0 of 0" in nothing.stdout
    db = cli.home / "conflictmap.db"
    with sqlite3.connect(db) as con:  # as if an older release had parsed it
        con.execute("UPDATE articles SET geoparser = 'conflictmap-geoparser/0'")
        con.execute("DELETE FROM mentions")
    again = cli("regeoparse")
    assert again.exit_code == 0 and "geoparsed 1 of 1" in again.stdout
    assert json.loads(cli("stats").stdout)["mentions"] >= 2


def test_failures_exit_non_zero_with_one_line(cli, tmp_path):
    missing = cli("ingest", tmp_path / "nope.txt")
    assert missing.exit_code != 0
    assert "nothing could be read" in missing.stderr
    bad_date = cli("export", "--start", "2014-13-45")
    assert bad_date.exit_code != 0 and "2014-13-45" in bad_date.stderr
    (tmp_path / "junk.db").write_bytes(b"junk" * 1000)
    junk = cli("stats", "--db", tmp_path / "junk.db")
    assert junk.exit_code == 1 and junk.stderr.strip().count("\n") == 0 and "choose another --db" in junk.stderr


def test_geoparse_answers_every_good_line_despite_bad_ones(cli_env):
    lines = [
        json.dumps({"id": "a", "text": "Fighting spread from Mosul to Tikrit.", "date": "2014-06-12"}),
        "this is not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "Mosul " * 900_000}),
        json.dumps({"id": "d", "text": "سقطت مدينة الموصل في يد المسلحين يوم الثلاثاء بعد معارك عنيفة"}),
        json.dumps({"id": "e", "text": "Talks resumed in Geneva, Switzerland.", "date": "June 20, 2014"}),
    ]
    res = run(["geoparse"], cli_env, stdin="\n".join(lines) + "\n")
    assert res.returncode == 1, res.stderr  # every line answered, and the exit code says some failed
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d", "e"]
    names = [normalize_name(p["name"]) for p in out[0]["places"]]
    assert names == ["mosul", "tikrit"]  # GeoNames spells it Tikrīt
    place = out[0]["places"][0]
    for key in ("start", "end", "text", "name", "lat", "lon", "geonameid", "country_code", "admin1", "feature", "confidence", "date",
                "sentence", "sentence_start", "candidates"):
        assert key in place
    assert place["text"] == "Mosul" and place["date"] == "2014-06-12"
    assert place["sentence"] == "Fighting spread from Mosul to Tikrit." and place["sentence_start"] == 0
    assert out[4]["places"][0]["name"] == "Geneva" and out[4]["places"][0]["date"] == "2014-06-20"
    assert "error" in out[1] and "error" in out[2]
    err = res.stderr
    assert "line 2: not valid JSON" in err and "line 3 (id b): no \"text\"" in err
    assert "line 4 (id c)" in err and "limit" in err and "line 5 (id d)" in err and "non-Latin" in err


@pytest.mark.corpus
def test_evaluate_prints_the_reference_scorer_figures(cli_env):
    corpus = shared_path("corpora", "GeoVirus.xml")
    scorer = shared_path("eval", "score.py")
    ours = json.loads(run(["evaluate", str(corpus)], cli_env).stdout)
    ref = subprocess.run([PYTHON, str(scorer), str(corpus), "--", PYTHON, "-m", "conflictmap", "geoparse"], cwd=ROOT,
                         env=cli_env, capture_output=True, text=True, timeout=600)
    assert ref.returncode == 0, ref.stderr
    theirs = json.loads(ref.stdout.strip().splitlines()[-1])
    for key in ("P", "R", "F1", "acc161", "auc", "mean_km", "median_km", "e2e_acc161", "gold", "predicted"):
        assert ours[key] == theirs[key], key
