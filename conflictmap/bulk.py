"""Bulk geoparsing on a Dask cluster: readers stream partitions out, workers geoparse, the client writes.

`ingest PATH... --workers N` starts a `distributed.LocalCluster` of N single-threaded
worker processes; `--scheduler tcp://HOST:PORT` uses a cluster that is already running
(its workers must be able to import `conflictmap` and open the gazetteer). The geoparser
is a pure function of the text and opens its gazetteer once per process, so each worker
loads it once (`default_geoparser` is cached per process) and keeps it for every
partition it is given.

Only the parse runs on the workers. The client process writes each result as it comes
back, one transaction per article through the ordinary `add_article` /
`replace_mentions`, so a write is exactly what a single-process ingest does: idempotent,
the same on SQLite (one writer) and PostgreSQL, with no database credentials on the
workers (docs/decisions.md). A partition whose task fails as a whole (a worker died) is
split and its articles retried one by one, so a bad article becomes one failure line and
the rest of its partition still lands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from conflictmap.articles import Article
from conflictmap.ingest import IngestReport, Progress, outlet_context, parse_one, restore_parsed, store_parsed_batch, to_parse
from conflictmap.mentions import Mention
from conflictmap.readers import ReadFailure, read_paths
from conflictmap.store.sqlite import StoreLike, text_key

PARTITION = 64  # articles per task: big enough to amortise scheduling, small enough to balance load


def parse_partition(items: Sequence[dict[str, Any]]) -> tuple[str, list[tuple[str, list[Mention] | None, str]]]:
    """Geoparse a partition on a worker: (geoparser version, [(key, mentions or None, failure reason)]).

    One bad article is a failure entry, never an exception that would lose the partition.
    """
    from conflictmap.geoparser.parser import default_geoparser

    parser = default_geoparser()  # once per worker process, then cached
    out: list[tuple[str, list[Mention] | None, str]] = []
    for item in items:
        mentions, failure = parse_one(parser, item["text"], item["date"], title=item.get("title"), source=item.get("source"),
                                      url=item.get("url"))
        out.append((item["key"], mentions, failure))
    return parser.version, out


def _warm() -> str:
    from conflictmap.geoparser.parser import default_geoparser

    return default_geoparser().version


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A client on an existing scheduler, or on a local cluster of `workers` processes it starts and stops."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
            client.wait_for_workers(1, timeout=60)
        except (OSError, TimeoutError) as exc:
            from conflictmap.errors import ConflictMapError

            raise ConflictMapError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start it with "
                                   "`dask scheduler` and `dask worker`, or use --workers N for a local cluster") from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=max(1, workers or 1), threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            client.wait_for_workers(max(1, workers or 1), timeout=120)
            yield client
    finally:
        cluster.close()


class _Runner:
    """Keeps a bounded number of partitions in flight and hands back results as they complete."""

    def __init__(self, client: Any) -> None:
        from distributed import as_completed

        self.client = client
        self.flying = as_completed()
        self.parts: dict[Any, list[dict[str, Any]]] = {}
        self.limit = 2 * max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})) or 1)

    def submit(self, part: list[dict[str, Any]]) -> None:
        future = self.client.submit(parse_partition, part, pure=False)
        self.parts[future] = part
        self.flying.add(future)

    def results(self, *, drain: bool) -> Iterator[tuple[str, list[Mention] | None, str, str]]:
        """(key, mentions, failure, version) for each finished item; waits while too many are in flight."""
        while self.parts and (drain or len(self.parts) >= self.limit):
            future = next(self.flying)
            part = self.parts.pop(future)
            try:
                version, rows = future.result()
            except Exception as exc:  # noqa: BLE001 - the task as a whole failed: retry its items one by one
                if len(part) > 1:
                    for item in part:
                        self.submit([item])
                    continue
                yield part[0]["key"], None, f"geoparsing failed on the cluster: {exc!r}; try this article alone", ""
                continue
            for key, mentions, failure in rows:
                yield key, mentions, failure, version


def _partitions(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(items)
    while part := list(islice(it, size)):
        yield part


def bulk_ingest_articles(
    items: Iterable[Article | ReadFailure],
    store: StoreLike,
    client: Any,
    *,
    progress: Progress | None = None,
    partition: int = PARTITION,
) -> IngestReport:
    """`ingest_articles` with the geoparsing spread over a Dask cluster; the same report, the same store."""
    report = IngestReport()
    waiting: dict[str, Article] = {}
    flying_texts: set[str | None] = set()  # text keys sent but not yet written, as the one-process ingest would see them
    runner = _Runner(client)
    part: list[dict[str, Any]] = []

    def write(results: Iterator[tuple[str, list[Mention] | None, str, str]]) -> None:
        # what came back is written as batches of whole articles (one commit each), then counted
        done: list[Article] = []
        batch: list[tuple[Article, list[Mention], str]] = []
        for key, mentions, failure, version in results:
            article = waiting.pop(key)
            done.append(article)
            if mentions is None:
                report.failed.append((article.origin or article.id, failure))
            else:
                batch.append((article, mentions, version))
            if len(batch) >= partition:
                store_parsed_batch(batch, store, report)
                batch = []
        if batch:
            store_parsed_batch(batch, store, report)
        for article in done:
            flying_texts.discard(text_key(article.text))
            if progress:
                progress(report, article.origin)

    for n, item in enumerate(items):
        if isinstance(item, ReadFailure):
            report.failed.append((item.origin, item.reason))
            if progress:
                progress(report, item.origin)
            continue
        if not to_parse(item, store, report, flying_texts):  # stored, or on its way, already (or the store failed)
            if progress:
                progress(report, item.origin)
            continue
        key = f"{n}:{item.id}"
        waiting[key] = item
        flying_texts.add(text_key(item.text))
        part.append({"key": key, "text": item.text, "date": item.published, "title": item.title, "source": item.source,
                     "url": item.url})
        if len(part) >= partition:
            runner.submit(part)
            part = []
            write(runner.results(drain=False))
    if part:
        runner.submit(part)
    write(runner.results(drain=True))
    return report


def bulk_ingest(
    paths: Iterable[str | Path],
    store: StoreLike,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    partition: int = PARTITION,
    **read_options: Any,
) -> IngestReport:
    """Read files, folders, globs or URLs as a stream and geoparse them on a Dask cluster.

    `read_options` go to `read_paths` as in `ingest` (fetched_at, max_bytes; None: the default).
    """
    options = {k: v for k, v in read_options.items() if v is not None}
    with dask_client(workers, scheduler) as client:
        client.run(_warm)  # every worker loads the gazetteer now, once, not inside the first partition
        return bulk_ingest_articles(read_paths(list(paths), **options), store, client, progress=progress, partition=partition)


def bulk_regeoparse(
    store: StoreLike,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    everything: bool = False,
    progress: Progress | None = None,
    partition: int = PARTITION,
) -> IngestReport:
    """`regeoparse` on a Dask cluster: stored articles parsed by another version are redone."""
    report = IngestReport()
    with dask_client(workers, scheduler) as client:
        version = client.run(_warm)
        current = next(iter(version.values()), None) if version else None
        rows = store.stale_articles(None if everything else current)
        waiting = {row["id"]: row for row in rows}
        runner = _Runner(client)

        def write(results: Iterator[tuple[str, list[Mention] | None, str, str]]) -> None:
            for key, mentions, failure, parsed_by in results:
                waiting.pop(key)
                if mentions is None:
                    report.failed.append((key, failure))
                    continue
                restore_parsed(key, mentions, parsed_by, store, report)
                if progress:
                    progress(report, key)

        for part in _partitions(({"key": r["id"], "text": r["text"], "date": r["day"], **outlet_context(r)} for r in rows), partition):
            report.read += len(part)
            runner.submit(part)
            write(runner.results(drain=False))
        write(runner.results(drain=True))
    return report
