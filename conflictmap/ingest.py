"""Ingest: readers -> geoparser -> store, one article per transaction.

The geoparse of an article happens before its transaction opens, so the database
is only ever locked for the short time it takes to write one whole article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from conflictmap.articles import Article
from conflictmap.geoparser.parser import Geoparser, default_geoparser
from conflictmap.mentions import Mention
from conflictmap.readers import ReadFailure, read_paths
from conflictmap.store.sqlite import StoreLike, text_key

DEMO_CORPUS = Path(__file__).resolve().parent / "demo" / "iraq-2014.jsonl"


@dataclass
class IngestReport:
    """What an ingest did, for the summary line and for tests."""

    read: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    mentions: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        """Add another report's counts to this one (one report for several uploads)."""
        self.read += other.read
        self.added += other.added
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.mentions += other.mentions
        self.failed.extend(other.failed)

    def summary(self) -> str:
        return (
            f"read {self.read}, added {self.added}, skipped as duplicate {self.duplicates}, "
            + (f"updated {self.updated}, " if self.updated else "")
            + f"failed {len(self.failed)}; {self.mentions} place mentions stored"
        )


Progress = Callable[[IngestReport, str], None]


def ingest_articles(
    items: Iterable[Article | ReadFailure],
    store: StoreLike,
    *,
    parser: Geoparser | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Geoparse and store each article; report failures and carry on.

    Already-stored articles are skipped before any geoparsing, so a re-run after a
    crash only pays for what is missing.
    """
    report = IngestReport()
    parser = parser or default_geoparser()
    for item in items:
        if isinstance(item, ReadFailure):
            report.failed.append((item.origin, item.reason))
        else:
            if to_parse(item, store, report):
                mentions, failure = parse_one(parser, item.text, item.published, title=item.title, source=item.source, url=item.url)
                if mentions is None:
                    report.failed.append((item.origin or item.id, failure))
                else:
                    store_parsed(item, mentions, parser.version, store, report)
        if progress:
            progress(report, item.origin)
    return report


def ingest_batch(items: Sequence[Article], store: StoreLike, parser: Geoparser) -> IngestReport:
    """`ingest_articles` for a partition a bulk-ingest worker was given: one duplicate question
    for the partition (`fresh_of`), then each article parsed and written in its own transaction
    (`store_parsed`). One transaction per article, not per partition: each locks its count rows
    in one order, so workers writing at once never deadlock (a batch would lock one article's
    rows after another's, and two batches cross)."""
    report = IngestReport()
    for item in fresh_of(items, store, report):
        mentions, failure = parse_one(parser, item.text, item.published, title=item.title, source=item.source, url=item.url)
        if mentions is None:
            report.failed.append((item.origin or item.id, failure))
        else:
            store_parsed(item, mentions, parser.version, store, report)
    return report


def fresh_of(items: Sequence[Article], store: StoreLike, report: IngestReport) -> list[Article]:
    """`to_parse` for a whole partition with one question to the store (`known_texts`): the
    articles to geoparse, the rest counted as duplicates, in the order `is_duplicate` decides."""
    try:
        texts, keys = store.known_texts([(a.id, a.text) for a in items])
    except Exception:  # noqa: BLE001 - the batch question failed: ask article by article, each its own failure line
        return [a for a in items if to_parse(a, store, report)]
    fresh: list[Article] = []
    for item in items:
        report.read += 1
        stored = texts.get(item.id)
        key = text_key(item.text)
        if stored == item.text or (stored is None and key in keys):
            report.duplicates += 1  # stored already, or the same text under another id (or earlier in this batch)
            continue
        keys.add(key)  # type: ignore[arg-type]
        fresh.append(item)
    return fresh


def to_parse(item: Article, store: StoreLike, report: IngestReport, in_flight: set[str | None] | None = None) -> bool:
    """Count the article as read; True when it needs geoparsing, else it is counted as a
    duplicate (or, when the store could not be asked, a failure line)."""
    report.read += 1
    try:
        if not is_duplicate(item, store, in_flight):
            return True
        report.duplicates += 1
    except Exception as exc:  # noqa: BLE001 - the store could not be asked: this article fails, the rest goes on
        report.failed.append((item.origin or item.id, not_stored(exc)))
    return False


def is_duplicate(item: Article, store: StoreLike, in_flight: set[str | None] | None = None) -> bool:
    """Stored already, under this id with this text, or (another format, file name or URL) under
    another id with the same text; `in_flight` holds text keys sent to be parsed but not yet written."""
    if store.has_article(item.id, item.text):
        return True
    if store.has_article(item.id):
        return False  # a new version of a stored article
    return (in_flight is not None and text_key(item.text) in in_flight) or store.has_text(item.text) is not None


def parse_one(parser: Geoparser, text: str, date: Any, *, title: str | None = None, source: str | None = None,
              url: str | None = None) -> tuple[list[Mention] | None, str]:
    """(mentions, "") or (None, the failure line): one bad article never stops a batch."""
    try:
        return parser.parse(text, date, title=title, source=source, url=url), ""
    except ValueError as exc:  # too long, or otherwise unreadable: the message says what to do
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
        return None, f"geoparser failed: {exc!r}; please report this article"


def store_parsed(item: Article, mentions: Sequence[Mention], version: str, store: StoreLike, report: IngestReport) -> None:
    """Write one geoparsed article (one transaction) and count it: added, updated, or a duplicate;
    a write that fails is one failure line and nothing of the article is written."""
    try:
        seen_before = store.has_article(item.id)
        if store.add_article(item.to_dict(), mentions, geoparser=version):
            if seen_before:
                report.updated += 1
            else:
                report.added += 1
            report.mentions += len(mentions)
        else:
            report.duplicates += 1
    except Exception as exc:  # noqa: BLE001 - one article's failure must not stop the batch
        report.failed.append((item.origin or item.id, not_stored(exc)))


def store_parsed_batch(batch: Sequence[tuple[Article, Sequence[Mention], str]], store: StoreLike, report: IngestReport) -> None:
    """Write geoparsed articles as one batch (one transaction, each article whole or not at all)
    and count them as `store_parsed` does; an article the batch could not take is tried alone,
    so it becomes one failure line at worst and never costs the rest of the batch."""
    try:
        outcomes: list[str | Exception] = store.add_articles([(a.to_dict(), m, v) for a, m, v in batch])
    except Exception:  # noqa: BLE001 - the batch as a whole failed (nothing of it written): one by one
        outcomes = [RuntimeError("batch failed")] * len(batch)
    for (item, mentions, version), outcome in zip(batch, outcomes):
        if isinstance(outcome, Exception):
            store_parsed(item, mentions, version, store, report)
        elif outcome == "duplicate":
            report.duplicates += 1
        else:
            report.added += outcome == "added"
            report.updated += outcome == "updated"
            report.mentions += len(mentions)


def not_stored(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"not stored ({detail}); nothing of it was written, the rest goes on; fix the cause and ingest again"


def restore_parsed(article_id: str, mentions: Sequence[Mention], version: str, store: StoreLike, report: IngestReport) -> None:
    """Swap a stored article's mentions for a fresh geoparse (regeoparse); on failure its old places stay."""
    try:
        store.replace_mentions(article_id, mentions, geoparser=version)
    except Exception as exc:  # noqa: BLE001 - the old mentions stay (one transaction); the rest goes on
        report.failed.append((article_id, f"not stored ({' '.join(str(exc).split())[:200]}); its old places stay"))
        return
    report.updated += 1
    report.mentions += len(mentions)


def outlet_context(row: dict[str, Any]) -> dict[str, Any]:
    """What the geoparser reads besides the text, from a stored article row (title, source, url)."""
    return {"title": row.get("title") or None, "source": row.get("source") or None, "url": row.get("url") or None}


def ingest(
    paths: Iterable[str | Path],
    store: StoreLike,
    *,
    parser: Geoparser | None = None,
    progress: Progress | None = None,
    fetched_at: datetime | None = None,
    max_bytes: int | None = None,
) -> IngestReport:
    """Read files, folders, globs or URLs and store what they hold."""
    options: dict[str, Any] = {"fetched_at": fetched_at}
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    return ingest_articles(read_paths(list(paths), **options), store, parser=parser, progress=progress)


def regeoparse(store: StoreLike, *, parser: Geoparser | None = None, everything: bool = False,
               progress: Progress | None = None) -> IngestReport:
    """Geoparse stored articles again with the current geoparser (after an upgrade or retraining),
    with the outlet context ingest gave it (title, source, url).

    Only articles parsed by another version are redone unless `everything`;
    corrections stay, since they are kept per place beside the mentions.
    """
    parser = parser or default_geoparser()
    report = IngestReport()
    for row in store.stale_articles(None if everything else parser.version):
        report.read += 1
        mentions, failure = parse_one(parser, row["text"], row["day"], **outlet_context(row))
        if mentions is None:
            report.failed.append((row["id"], failure))
            continue
        restore_parsed(row["id"], mentions, parser.version, store, report)
        if progress:
            progress(report, row["id"])
    return report


def ensure_demo(store: StoreLike, *, parser: Geoparser | None = None) -> IngestReport | None:
    """Load the built-in demo corpus into an empty store, so a first start shows a map."""
    if store.stats()["articles"]:
        return None
    return ingest([DEMO_CORPUS], store, parser=parser)


