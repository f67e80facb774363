"""Crawl states with the faults a bad day brings, for ``-s NEWSCRAWL_STATE_CLASS=...``.

Each is the real :class:`~newscrawl.state.SQLiteState` with one thing made to fail the way
SQLite fails on a damaged file or a full disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from newscrawl.state import SQLiteState, output_dir


class UncheckedState(SQLiteState):
    """The state as it was before the start-up integrity check: opened, never verified."""

    @classmethod
    def check(cls, settings: BaseSettings, spider_name: str) -> None:
        cls(output_dir(settings) / spider_name / "state.sqlite3").close()


class FullDiskState(SQLiteState):
    """A state on a full disk: the file cannot grow by one page (SQLite's own
    ``SQLITE_FULL``, "database or disk is full", as on a disk without free space)."""

    def __init__(self, path: Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(path, *args, **kwargs)
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {int(pages)}")


def malformed(error: str = "database disk image is malformed") -> sqlite3.DatabaseError:
    return sqlite3.DatabaseError(error)


class MalformedState(UncheckedState):
    """A state whose damaged pages are those holding the articles: it opens, the start-up
    check does not look, and every lookup of an article raises as SQLite does."""

    def has_article(self, article_id: str) -> bool:
        raise malformed()


class LockedAfterCommitState(SQLiteState):
    """A state that another process locks right after the feed's commit: the indexes the run
    completed cannot be remembered ("database is locked", as SQLite says it)."""

    def mark_indexes_complete(self, keys: Any, at: Any = None) -> None:
        self._db.execute("PRAGMA busy_timeout = 0")
        with self._writing():
            raise sqlite3.OperationalError("database is locked")
