"""The `Article` record every reader yields and every later step consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def article_id(url: str | None, text: str) -> str:
    """Stable id: a hash of the URL, or of the text where there is none.

    Hashing (rather than a counter) makes re-ingesting the same input a no-op
    and lets two machines agree on ids without talking to each other.
    """
    basis = ("url:" + url.strip()) if url and url.strip() else ("text:" + " ".join(text.split()))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """One news article as plain data.

    `published` is timezone-aware when it could be parsed; `published_raw` keeps
    the string exactly as found so nothing is lost when parsing fails, and
    `date_note` says why a date is missing or doubtful.
    """

    id: str
    title: str
    text: str
    source: str = ""
    url: str | None = None
    author: str = ""
    published: datetime | None = None
    published_raw: str = ""
    date_note: str = ""
    language: str | None = None
    origin: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (datetime as ISO 8601)."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "published_raw": self.published_raw,
            "date_note": self.date_note,
            "language": self.language,
            "origin": self.origin,
            "metadata": dict(self.metadata),
        }
