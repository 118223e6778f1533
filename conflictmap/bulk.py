"""Bulk ingest on a Dask cluster: the client reads and partitions, the workers geoparse and write.

`ingest PATH... --workers N` starts a `distributed.LocalCluster` of N single-threaded
worker processes; `--scheduler tcp://HOST:PORT` uses a cluster that is already running
(its workers must be able to import `conflictmap`, open the gazetteer and, for a
PostgreSQL store, reach the database). The geoparser is a pure function of the text and
opens its gazetteer once per process, so each worker loads it once (`default_geoparser`
is cached per process) and keeps it for every partition it is given.

Into PostgreSQL each worker also writes what it parsed: a worker plugin (`StoreOnWorker`)
opens one small connection pool per worker process when the ingest starts and closes it
when the ingest ends, and `ingest_partition` runs the same duplicate check, parse and
write as a single-process ingest (`ingest.ingest_batch`: one question to the store per
partition, one transaction per article, committed without waiting for the disk), idempotent. The client only reads, partitions, keeps the texts and ids in flight
(two copies of one story sent at once are one duplicate, a new version waits for the old
one) and adds up the workers' reports. Into SQLite the client stays the one writer
(SQLite takes one writer at a time, and an in-memory or a local file store is not
reachable from a worker on another machine): workers only parse (docs/decisions.md).

A partition whose task fails as a whole (a worker died) is split and its articles retried
one by one, so a bad article becomes one failure line and the rest of its partition still
lands.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from conflictmap.articles import Article
from conflictmap.ingest import (IngestReport, Progress, ingest_batch, outlet_context, parse_one, restore_parsed, store_parsed_batch,
                                to_parse)
from conflictmap.mentions import Mention
from conflictmap.readers import ReadFailure, read_paths
from conflictmap.store.sqlite import StoreLike, text_key

PARTITION = 64  # articles per task: big enough to amortise scheduling and a commit, small enough to balance load


class StoreOnWorker(WorkerPlugin):
    """A worker plugin holding the worker's own connection to a PostgreSQL store.

    Registered with `Client.register_plugin`, so Dask opens it in every worker (also one that
    joins later) and closes it when the plugin is unregistered at the end of the ingest.
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        # one name per database, so two ingests into two stores on one cluster keep apart
        self.name = "conflictmap-store-" + hashlib.sha256(dsn.encode()).hexdigest()[:16]
        self.store: Any = None

    def setup(self, worker: Any) -> None:
        from conflictmap.store.postgres import PostgresStore

        # commits not waiting for the disk: a crash loses only whole recent articles, which the re-run adds
        self.store = PostgresStore(self.dsn, min_size=1, max_size=2, async_commit=True)

    def teardown(self, worker: Any) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def _worker_store(plugin: str) -> StoreLike:
    from distributed import get_worker

    return get_worker().plugins[plugin].store


def ingest_partition(items: Sequence[Article], plugin: str) -> IngestReport:
    """On a worker: check, geoparse and write a partition into the worker's own store connection."""
    from conflictmap.geoparser.parser import default_geoparser

    return ingest_batch(items, _worker_store(plugin), default_geoparser())


def regeoparse_partition(rows: Sequence[dict[str, Any]], plugin: str) -> IngestReport:
    """On a worker: geoparse stored articles again and swap their mentions (one transaction each)."""
    from conflictmap.geoparser.parser import default_geoparser

    parser, store, report = default_geoparser(), _worker_store(plugin), IngestReport()
    for row in rows:
        report.read += 1
        mentions, failure = parse_one(parser, row["text"], row["date"], title=row.get("title"), source=row.get("source"),
                                      url=row.get("url"))
        if mentions is None:
            report.failed.append((row["key"], failure))
        else:
            restore_parsed(row["key"], mentions, parser.version, store, report)
    return report


def parse_partition(items: Sequence[dict[str, Any]]) -> tuple[str, list[tuple[str, list[Mention] | None, str]]]:
    """Geoparse a partition on a worker (the client writes): (geoparser version, [(key, mentions or None, failure)]).

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


@contextmanager
def writing_workers(client: Any, store: StoreLike) -> Iterator[str | None]:
    """The name of the plugin through which the workers write to `store`, for as long as the
    block runs; None when the client stays the writer (SQLite)."""
    from conflictmap.store.postgres import PostgresStore

    if not isinstance(store, PostgresStore):
        yield None
        return
    plugin = StoreOnWorker(store.dsn)
    try:
        client.register_plugin(plugin)
    except Exception as exc:
        from conflictmap.errors import StoreError

        with suppress(Exception):  # the workers that did open it close it again; the first error is the one to tell
            client.unregister_worker_plugin(plugin.name)
        raise StoreError(f"the Dask workers could not open {store.path} ({' '.join(str(exc).split())[:300]}); every worker "
                         "must reach the database: check --db / CONFLICTMAP_DB from the workers' machines") from exc
    try:
        yield plugin.name
    finally:
        client.unregister_worker_plugin(plugin.name)


class _Runner:
    """Keeps partitions in flight (a bounded number: memory stays flat however large the input)
    and hands each back with its outcome as it completes."""

    def __init__(self, client: Any) -> None:
        from distributed import as_completed

        self.client = client
        self.flying = as_completed()
        self.parts: dict[Any, tuple[Any, list[Any], tuple[Any, ...], list[Any]]] = {}
        self.limit = 2 * max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})) or 1)

    def submit(self, task: Any, part: list[Any], *args: Any, kept: list[Any] | None = None) -> None:
        """Send `task(part, *args)`; `kept` is what the client keeps of each item (default: the items)."""
        future = self.client.submit(task, part, *args, pure=False)
        self.parts[future] = (task, part, args, part if kept is None else kept)
        self.flying.add(future)

    @property
    def full(self) -> bool:
        return len(self.parts) >= self.limit

    def next(self) -> tuple[list[Any], Any]:
        """The next finished (what the client kept of the partition, what its task returned). A task that failed as a whole
        is sent again one item per task; a lone item that fails again comes back with the
        exception as its outcome."""
        while True:
            future = next(self.flying)
            task, part, args, kept = self.parts.pop(future)
            try:
                return kept, future.result()
            except Exception as exc:  # noqa: BLE001 - the task as a whole failed: retry its items one by one
                if len(part) == 1:
                    return kept, exc
                for item, keep in zip(part, kept):
                    self.submit(task, [item], *args, kept=[keep])


def _lost(exc: BaseException) -> str:
    return f"geoparsing failed on the cluster: {exc!r}; try this article alone"


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
    """`ingest_articles` with the work spread over a Dask cluster; the same report, the same store."""
    report = IngestReport()
    texts: set[str | None] = set()  # text keys in flight (sent, not yet written): a second copy is a duplicate
    ids: set[str] = set()  # article ids in flight: another version of one of them waits (`held`)
    held: list[Article] = []
    part: list[Article] = []

    def told(origins: Iterable[str]) -> None:
        if progress:
            for origin in origins:
                progress(report, origin)

    def landed(articles: Sequence[Article]) -> None:
        for article in articles:
            texts.discard(text_key(article.text))
            ids.discard(article.id)
        told(a.origin for a in articles)

    with writing_workers(client, store) as plugin:
        runner = _Runner(client)

        def send() -> None:
            nonlocal part
            if plugin:
                runner.submit(ingest_partition, part, plugin)
            else:
                runner.submit(parse_partition, [{"key": a.id, "text": a.text, "date": a.published, "title": a.title,
                                                 "source": a.source, "url": a.url} for a in part], kept=part)
            part = []

        def collect() -> None:
            """Wait for one partition to finish, count it, and let in the versions it held back."""
            sent, outcome = runner.next()
            if plugin:  # the worker checked, parsed and wrote: its report says what happened
                if isinstance(outcome, Exception):
                    report.read += 1
                    report.failed.append((sent[0].origin or sent[0].id, _lost(outcome)))
                else:
                    report.merge(outcome)
            else:  # the worker parsed, the client writes
                version, rows = ("", [(sent[0].id, None, _lost(outcome))]) if isinstance(outcome, Exception) else outcome
                batch = []
                by_id = {a.id: a for a in sent}  # one version of an article in flight at a time, so ids key a partition
                for key, mentions, failure in rows:
                    article = by_id[key]
                    if mentions is None:
                        report.failed.append((article.origin or article.id, failure))
                    else:
                        batch.append((article, mentions, version))
                if batch:
                    store_parsed_batch(batch, store, report)
            landed(sent)
            free = [a for a in held if a.id not in ids]
            if free:
                held[:] = [a for a in held if a.id in ids]
                for article in free:
                    offer(article)

        def offer(article: Article) -> None:
            if article.id in ids:  # a version of this article is on its way: this one is written after it
                held.append(article)
                return
            key = text_key(article.text)
            if key in texts:  # a copy of this text is on its way: as the one-process ingest sees it, a duplicate
                report.read += 1
                report.duplicates += 1
                told([article.origin])
                return
            if plugin is None and not to_parse(article, store, report):  # the client writes, so the client checks
                told([article.origin])
                return
            texts.add(key)
            ids.add(article.id)
            part.append(article)
            if len(part) >= partition:
                send()

        for item in items:
            if isinstance(item, ReadFailure):
                report.failed.append((item.origin, item.reason))
                told([item.origin])
            else:
                offer(item)
            while runner.full:
                collect()
        while part or runner.parts:
            if part:
                send()
            if runner.parts:
                collect()
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
    """Read files, folders, globs or URLs as a stream and geoparse (and, into PostgreSQL, write) them on a Dask cluster.

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
    """`regeoparse` on a Dask cluster: stored articles parsed by another version are redone
    (into PostgreSQL, each worker swaps the mentions of what it parsed)."""
    report = IngestReport()
    with dask_client(workers, scheduler) as client, writing_workers(client, store) as plugin:
        version = client.run(_warm)
        current = next(iter(version.values()), None) if version else None
        rows = store.stale_articles(None if everything else current)
        runner = _Runner(client)

        def collect() -> None:
            sent, outcome = runner.next()
            if isinstance(outcome, Exception):
                report.read += 0 if plugin is None else 1
                report.failed.append((sent[0]["key"], _lost(outcome)))
            elif plugin:
                report.merge(outcome)
            else:
                parsed_by, results = outcome
                for key, mentions, failure in results:
                    if mentions is None:
                        report.failed.append((key, failure))
                    else:
                        restore_parsed(key, mentions, parsed_by, store, report)
            if progress:
                for row in sent:
                    progress(report, row["key"])

        for part in _partitions(({"key": r["id"], "text": r["text"], "date": r["day"], **outlet_context(r)} for r in rows), partition):
            if plugin:
                runner.submit(regeoparse_partition, part, plugin)
            else:
                report.read += len(part)
                runner.submit(parse_partition, part)
            while runner.full:
                collect()
        while runner.parts:
            collect()
    return report
