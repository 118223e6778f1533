"""`python -m conflictmap ...`: each command is a thin wrapper over one library call."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from conflictmap import __version__
from conflictmap.errors import ConflictMapError
from conflictmap.filters import Filters
from conflictmap.store import Store, open_store


def _store(db: str | None) -> Store:
    store = open_store(db)
    if getattr(store, "notice", ""):
        click.echo(f"note: {store.notice}", err=True)
    return store


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The shared --db option; without it the store lives in $CONFLICTMAP_HOME or the user data folder."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        envvar=None,
        help="SQLite database file, or a PostgreSQL server as postgresql://USER@HOST:PORT/DB (default: $CONFLICTMAP_DB, "
             "else $CONFLICTMAP_HOME/conflictmap.db or the per-user data folder).",
    )(fn)


def cluster_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--workers / --scheduler: geoparse on a Dask cluster instead of in this process."""
    fn = click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
                      help="Geoparse on an existing Dask cluster (its workers need conflictmap and the gazetteer).")(fn)
    return click.option("--workers", type=click.IntRange(1, 256), default=None,
                        help="Geoparse on a local Dask cluster of this many worker processes.")(fn)


try:
    import psycopg

    DATABASE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, psycopg.Error)
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    DATABASE_ERRORS = (sqlite3.Error,)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line and a non-zero exit, as a user expects of a CLI."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConflictMapError as exc:
            raise click.ClickException(str(exc)) from exc
        except DATABASE_ERRORS as exc:
            raise click.ClickException(f"database error: {exc}; check the --db file, or run `stats` to see the store") from exc
        except OSError as exc:
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc

    return wrapper


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD."),
        click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD."),
        click.option("--country", "countries", multiple=True, help="ISO country code (repeatable), e.g. IQ."),
        click.option("--source", "sources", multiple=True, help="Source name (repeatable)."),
        click.option("--keyword", default="", help="Full-text search over article title and text."),
        click.option("--min-mentions", default=1, show_default=True, help="Only places mentioned at least this often."),
        click.option("--demonyms/--no-demonyms", default=False, show_default=True, help="Count 'Iraqi' as a mention of Iraq."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, help="Only mentions the geoparser is this sure of (0-1)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(start: Any, end: Any, countries: tuple[str, ...], sources: tuple[str, ...], keyword: str, min_mentions: int, demonyms: bool,
             min_confidence: float) -> Filters:
    return Filters(
        start=start.date() if start else None,
        end=end.date() if end else None,
        countries=tuple(c.upper() for c in countries),
        sources=sources,
        keyword=keyword,
        min_mentions=min_mentions,
        demonyms=demonyms,
        min_confidence=min_confidence,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conflictmap")
def cli() -> None:
    """Conflict Map: find the places news articles mention and map them.

    Example: python -m conflictmap ingest articles/ && python -m conflictmap stats
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--max-bytes", type=int, default=None, help="Largest single article file to read (default 20 MB).")
@cluster_options
@friendly
def ingest(paths: tuple[str, ...], db: str | None, quiet: bool, max_bytes: int | None, workers: int | None = None,
           scheduler: str | None = None) -> None:
    """Read files, folders, globs or URLs; geoparse and store their articles.

    Re-running is safe: articles already stored are skipped. Each failure is
    listed with its reason and the rest still goes in.

    Example: python -m conflictmap ingest ../shared/seed "feeds/*.xml"

    Example: python -m conflictmap ingest --workers 2 --db postgresql://me@localhost/news archive/
    """
    from conflictmap.ingest import ingest as run

    store = _store(db)
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(unit=" articles", file=sys.stderr, mininterval=0.5)

    def progress(report: Any, origin: str) -> None:
        if bar is not None:
            bar.update(1)
            bar.set_postfix(added=report.added, failed=len(report.failed), refresh=False)

    try:
        if workers or scheduler:
            from conflictmap.bulk import bulk_ingest

            report = bulk_ingest(paths, store, workers=workers, scheduler=scheduler, progress=progress, max_bytes=max_bytes)
        else:
            report = run(paths, store, progress=progress, max_bytes=max_bytes)
    finally:
        if bar is not None:
            bar.close()
    for origin, reason in report.failed:
        click.echo(f"failed: {origin}: {reason}", err=True)
    click.echo(report.summary())
    if report.read == 0 and report.failed:
        raise click.ClickException("nothing could be read; see the reasons above")
    if report.failed:
        # the exit code tells a script that something was not stored; the lines above say what
        raise SystemExit(1)


@cli.command()
@click.option("--demonyms/--no-demonyms", default=False, show_default=True, help="Also return adjectives such as 'Iranian' as places.")
@click.option("--candidates/--no-candidates", default=False, show_default=True, help="Add each place's next-best candidates.")
@friendly
def geoparse(demonyms: bool, candidates: bool) -> None:
    """Geoparse JSON Lines from stdin to stdout, one line out per article in.

    In: {"id", "text"} per line, optionally "date" and the outlet context "title",
    "source" and "url" (read as context: a Hamilton paper's "Hamilton" is Hamilton,
    Ontario). Out: {"id", "places": [...]}. A bad line is reported on stderr and
    answered with an "error" field.

    Example: echo '{"id": "1", "text": "Fighting near Mosul."}' | python -m conflictmap geoparse
    """
    from conflictmap.geoparser.parser import default_geoparser, geoparse_lines

    failures = geoparse_lines(sys.stdin, sys.stdout, default_geoparser(), demonyms=demonyms, candidates=candidates, errors=sys.stderr)
    if failures:
        click.echo(f"{failures} line(s) could not be geoparsed; see the messages above", err=True)
        raise SystemExit(1)


@cli.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@friendly
def evaluate(corpus: str) -> None:
    """Score the geoparser on an annotated corpus (LGL, GeoVirus, TR-News, GeoWebNews XML).

    Prints the reference scorer's figures as one JSON line. The shipped model's cue
    weights were learned from LGL and GeoVirus, so on those two the figures are
    in-sample; scripts/train_recognizer.py prints cross-validated ones.

    Example: python -m conflictmap evaluate ../shared/corpora/lgl.xml
    """
    from conflictmap.geoparser.evaluation import evaluate as run
    from conflictmap.geoparser.parser import default_geoparser

    parser = default_geoparser()
    click.echo(json.dumps(run(corpus, lambda text, day: parser.parse(text, day, demonyms=False, candidates=False))))


@cli.command()
@db_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@friendly
def export(db: str | None, fmt: str, output: str | None, **filter_args: Any) -> None:
    """Export the filtered mentions as CSV or GeoJSON.

    Example: python -m conflictmap export --country IQ --start 2014-06-01 --format geojson -o iraq.geojson
    """
    from conflictmap.queries import export as run

    text = run(_store(db), _filters(**filter_args), fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@db_option
@click.option("--all", "everything", is_flag=True, help="Redo every article, not only those parsed by another version.")
@cluster_options
@friendly
def regeoparse(db: str | None, everything: bool, workers: int | None = None, scheduler: str | None = None) -> None:
    """Geoparse the stored articles again with this version's geoparser.

    Run it after an upgrade: articles parsed by an older geoparser or model are
    redone; corrections are kept and still apply.

    Example: python -m conflictmap regeoparse --db newsroom.db
    """
    from conflictmap.ingest import regeoparse as run

    if workers or scheduler:
        from conflictmap.bulk import bulk_regeoparse

        report = bulk_regeoparse(_store(db), workers=workers, scheduler=scheduler, everything=everything)
    else:
        report = run(_store(db), everything=everything)
    for origin, reason in report.failed:
        click.echo(f"failed: {origin}: {reason}", err=True)
    click.echo(f"geoparsed {report.updated} of {report.read} articles again; {report.mentions} place mentions stored")
    if report.failed:
        raise SystemExit(1)


@cli.command()
@db_option
@friendly
def stats(db: str | None) -> None:
    """Counts of articles, places, mentions and corrections in the store, as JSON.

    Example: python -m conflictmap stats --db newsroom.db
    """
    click.echo(json.dumps(_store(db).stats(), indent=2))


@cli.command()
@click.argument("article_ids", nargs=-1, required=True)
@db_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@friendly
def delete(article_ids: tuple[str, ...], db: str | None, yes: bool) -> None:
    """Delete articles (with their place mentions) from the store, after confirmation.

    The ids are those `export` and the Articles page show. Re-ingesting the file
    brings an article back.

    Example: python -m conflictmap delete 3f2a9c0d1e4b5a67
    """
    store = _store(db)
    missing = 0
    for article_id in article_ids:
        found = store.article(article_id)
        if found is None:
            click.echo(f"failed: {article_id}: no article with this id; list ids with `export`", err=True)
            missing += 1
            continue
        label = f"{article_id} \"{found['title'] or '(untitled)'}\" with {len(found['mentions'])} place mentions"
        if not yes and not click.confirm(f"Delete {label}?", default=False):
            click.echo(f"kept {article_id}")
            continue
        store.delete_article(article_id)
        click.echo(f"deleted {label}")
    if missing:
        raise SystemExit(1)


@cli.command()
@db_option
@friendly
def demo(db: str | None) -> None:
    """Load the built-in demo corpus (Iraq, June-September 2014) into an empty store.

    Example: python -m conflictmap demo
    """
    from conflictmap.ingest import ensure_demo

    report = ensure_demo(_store(db))
    click.echo(report.summary() if report else "the store already holds articles; nothing to do")


def main() -> None:
    cli(prog_name="python -m conflictmap")


if __name__ == "__main__":  # pragma: no cover
    main()
