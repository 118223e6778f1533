"""Ingest: readers -> geoparser -> store, one article per transaction.

The geoparse of an article happens before its transaction opens, so the database
is only ever locked for the short time it takes to write one whole article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from conflictmap.articles import Article
from conflictmap.geoparser.parser import Geoparser, default_geoparser
from conflictmap.mentions import Mention
from conflictmap.readers import ReadFailure, read_paths
from conflictmap.readers.dates import implausible_note, plausible
from conflictmap.store.sqlite import StoreLike

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
            report.read += 1
            try:
                _store_one(item, store, parser, report)
            except Exception as exc:  # noqa: BLE001 - one article's failure must not stop the batch
                detail = " ".join(str(exc).split())[:200] or type(exc).__name__
                report.failed.append((item.origin or item.id, f"not stored ({detail}); nothing of it was written, "
                                      "the rest goes on; fix the cause and ingest again"))
        if progress:
            progress(report, item.origin)
    return report


def _store_one(item: Article, store: StoreLike, parser: Geoparser, report: IngestReport) -> None:
    if store.has_article(item.id, item.text):
        report.duplicates += 1
        return
    seen_before = store.has_article(item.id)
    # getattr: a backend that has not gained has_text yet (C5) still ingests, without this check
    has_text = getattr(store, "has_text", None)
    if not seen_before and has_text is not None and has_text(item.text) is not None:
        # the same story through another format, file name or URL
        report.duplicates += 1
        return
    try:
        mentions = parser.parse(item.text, item.published, title=item.title, source=item.source, url=item.url)
    except ValueError as exc:  # too long, or otherwise unreadable: the message says what to do
        report.failed.append((item.origin or item.id, str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
        report.failed.append((item.origin or item.id, f"geoparser failed: {exc!r}; please report this article"))
        return
    mentions = [_plausibly_dated(m) for m in mentions]
    if store.add_article(item.to_dict(), mentions, geoparser=parser.version):
        if seen_before:
            report.updated += 1
        else:
            report.added += 1
        report.mentions += len(mentions)
    else:
        report.duplicates += 1


def _plausibly_dated(mention: Mention) -> Mention:
    """A mention whose date is a typo (year 2300, 0001) is kept, undated, with the cue saying why."""
    if mention.date is None or plausible(mention.date):
        return mention
    return replace(mention, date=None, date_cue=implausible_note(mention.date))


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
    """Geoparse stored articles again with the current geoparser (after an upgrade or retraining).

    Only articles parsed by another version are redone unless `everything`;
    corrections stay, since they are kept per place beside the mentions.
    """
    parser = parser or default_geoparser()
    report = IngestReport()
    for row in store.stale_articles(None if everything else parser.version):
        report.read += 1
        try:
            mentions = parser.parse(row["text"], row["day"], title=row.get("title"), source=row.get("source"), url=row.get("url"))
        except ValueError as exc:
            report.failed.append((row["id"], str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one article, one failure line; the rest is redone
            report.failed.append((row["id"], f"geoparser failed: {exc!r}; please report this article"))
            continue
        try:
            store.replace_mentions(row["id"], [_plausibly_dated(m) for m in mentions], geoparser=parser.version)
        except Exception as exc:  # noqa: BLE001 - the old mentions stay (one transaction); the rest goes on
            report.failed.append((row["id"], f"not stored ({' '.join(str(exc).split())[:200]}); its old places stay"))
            continue
        report.updated += 1
        report.mentions += len(mentions)
        if progress:
            progress(report, row["id"])
    return report


def ensure_demo(store: StoreLike, *, parser: Geoparser | None = None) -> IngestReport | None:
    """Load the built-in demo corpus into an empty store, so a first start shows a map."""
    if store.stats()["articles"]:
        return None
    return ingest([DEMO_CORPUS], store, parser=parser)


