"""The crawl state: which articles and contents were already exported, kept between runs.

Spiders and pipelines talk to :class:`StateStore` only; :class:`SQLiteState` is the
embedded default (one file per spider under the output directory). Another backend
(e.g. Redis for several machines) implements the same protocol and is chosen with the
``NEWSCRAWL_STATE_CLASS`` setting.

Writes are buffered in one transaction and committed by :meth:`StateStore.commit`, which
the dedup pipeline calls when the spider closes: a run that dies before then leaves the
state as the previous run committed it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, Self

from scrapy.crawler import Crawler

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id  TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    exported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint);
"""


class StateError(RuntimeError):
    """The state cannot be opened or used; the message says which file and what to do."""


class StateStore(Protocol):
    """What spiders and pipelines need to know about earlier runs."""

    def has_article(self, article_id: str) -> bool: ...

    def has_fingerprint(self, fingerprint: str) -> bool: ...

    def add_article(self, article_id: str, url: str, fingerprint: str) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class SQLiteState:
    """:class:`StateStore` in one SQLite file (``<output>/<spider>/state.sqlite3``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level="DEFERRED")
            self._db.executescript(SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise StateError(
                f"cannot open the crawl state {path}: {exc}. If the file is damaged, move it "
                "aside (the next run then starts with an empty state)."
            ) from exc

    @classmethod
    def from_crawler(cls, crawler: Crawler, spider_name: str) -> Self:
        output = Path(crawler.settings.get("NEWSCRAWL_OUTPUT_DIR", "output"))
        return cls(output / spider_name / "state.sqlite3")

    def has_article(self, article_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row is not None

    def has_fingerprint(self, fingerprint: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM articles WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return row is not None

    def add_article(self, article_id: str, url: str, fingerprint: str) -> None:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        self._db.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?)",
            (article_id, url, fingerprint, now),
        )

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        self._db.close()
