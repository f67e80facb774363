"""The crawl state: what earlier runs exported, what failed, which feeds were committed.

Spiders, pipelines and the feed publisher talk to :class:`StateStore` only; :class:`SQLiteState`
is the embedded default (``<output>/<spider>/state.sqlite3``). Another backend (e.g. Redis, for
several machines sharing one crawl) implements the same protocol and is chosen with the
``NEWSCRAWL_STATE_CLASS`` setting. :class:`RunLock` keeps one run per spider and output folder.

Nothing a run exports is written to the state while it runs: :meth:`StateStore.commit_feed`
records a finished feed's articles and the feed itself in one transaction (see
:mod:`newscrawl.feeds` for the protocol).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol, Self

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newscrawl import safepaths

#: The state's schema: 1, articles kept by their id; 2, by their site and id (the ``news``
#: spider's, :meth:`SQLiteState.key_by_site`), which a newscrawl reading 1 alone refuses
#: (it would export every article again).
SCHEMA_BY_ID, SCHEMA_BY_SITE = "1", "2"
#: How long a state write waits for another process's lock (SQLite's busy timeout), in
#: seconds. Writes happen when the run ends, on the reactor thread: a locked state must cost
#: seconds, not a stalled reactor; after one such timeout the run's later writes do not wait.
BUSY_TIMEOUT = 5.0
#: What SQLite keeps beside the state file (each must not be a link either).
SIDE_FILES = ("-wal", "-shm", "-journal")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id  TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    feed        TEXT NOT NULL,
    exported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint);
CREATE TABLE IF NOT EXISTS failures (
    article_id  TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (
    feed        TEXT PRIMARY KEY,
    article_ids TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    published   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS indexes (
    index_key   TEXT PRIMARY KEY,
    completed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS learned_lines (
    site        TEXT NOT NULL,
    line        TEXT NOT NULL,
    seen        INTEGER NOT NULL,
    first_at    TEXT NOT NULL,
    PRIMARY KEY (site, line)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    summary     TEXT NOT NULL
);
"""


#: Why :meth:`StateStore.claim` refuses an article: its id was exported, or its content.
EXPORTED = "exported"
DUPLICATE_CONTENT = "duplicate_content"


class StateError(RuntimeError):
    """The state cannot be opened or used; the message names the file and what to do."""


class LockedError(RuntimeError):
    """Another run holds the lock."""


def state_key(article_id: str, site: str | None) -> str:
    """The key the state keeps an article under: its id on the site, or with ``site`` (a run
    over any number of sites: the ``news`` spider) the site and the id, ``example.com/12345``:
    two sites may number their articles alike, and neither may hide the other's."""
    if not site or "/" in article_id:
        return article_id
    return f"{site}/{article_id}"


@dataclass(frozen=True)
class Exported:
    """One exported article as the state records it."""

    article_id: str
    url: str
    fingerprint: str


class StateStore(Protocol):
    """What spiders, pipelines and the feed publisher need to know about earlier runs.

    An implementation also offers ``from_crawler(crawler, spider_name)`` and
    ``check(settings, spider_name)`` (raises :class:`StateError`) as class methods.
    """

    @property
    def keys_by_site(self) -> bool:
        """Whether articles are kept under their site and id (:func:`state_key`)."""
        ...

    def has_article(self, article_id: str) -> bool: ...

    def has_fingerprint(self, fingerprint: str) -> bool: ...

    def in_backoff(self, article_id: str) -> str | None: ...

    def record_failure(self, article_id: str, url: str, reason: str) -> None: ...

    def index_complete(self, key: str) -> bool: ...

    def index_completed_at(self, key: str) -> datetime | None: ...

    def mark_indexes_complete(self, keys: Iterable[str], at: datetime | None = None) -> None: ...

    def committed_feed(self, feed: str) -> list[str] | None: ...

    def committed_feeds(self) -> set[str]: ...

    def commit_feed(self, feed: str, articles: Iterable[Exported]) -> list[str]: ...

    def claim(self, article_id: str, fingerprint: str, feed: str) -> str | None:
        """Before ``feed`` gets the article: None, or why not (:data:`EXPORTED`,
        :data:`DUPLICATE_CONTENT`; in distributed mode ``claimed`` or ``claimed_content``
        while another live worker's feed holds it)."""

    def release_claims(self, feed: str) -> None: ...

    def mark_published(self, feed: str) -> None: ...

    def record_run(self, run_id: str, started_at: str, summary: dict[str, Any]) -> None: ...

    def learned_lines(self, site: str) -> frozenset[str]: ...

    def remember_learned(self, site: str, lines: dict[str, int]) -> None: ...

    def close(self) -> None: ...


class Lock(Protocol):
    """What keeps a run's writers apart: :class:`RunLock` on one machine, a worker's lease
    in distributed mode (:class:`newscrawl.redisclient.WorkerLease`)."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...


class _Clock:
    """UTC wall-clock time that a step of the system clock during the process cannot move:
    the wall time at the first reading plus the monotonic time since. A run's stored times
    are in order whatever NTP does meanwhile; a time that a clock set wrong put in the future
    is treated as past where it matters (see :meth:`SQLiteState.in_backoff`)."""

    def __init__(self) -> None:
        self._wall: datetime | None = None
        self._monotonic = 0.0

    def now(self) -> datetime:
        if self._wall is None:
            self._wall, self._monotonic = datetime.now(UTC), time.monotonic()
        elapsed = timedelta(seconds=time.monotonic() - self._monotonic)
        return (self._wall + elapsed).replace(microsecond=0)


_clock = _Clock()


def _now() -> datetime:
    return _clock.now()


class SQLiteState:
    """:class:`StateStore` in one SQLite file.

    ``retry_after`` maps a failure reason (``not_found``, ``blocked``) to how long an article
    that failed so is not fetched again; other failures are retried on the next run.

    Nothing is written while a run crawls: failures are kept in memory and written with the
    run's feed commit or run record (or at :meth:`close`), so a locked state file never stalls
    the crawl; a write waits at most :data:`BUSY_TIMEOUT` for a lock.

    With ``root`` (the output folder), neither the file, nor SQLite's files beside it, nor a
    folder between ``root`` and it may be a symbolic link (:class:`safepaths.LinkError`):
    SQLite opens them by path, so they are checked just before.
    """

    def __init__(
        self,
        path: Path,
        retry_after: dict[str, timedelta] | None = None,
        root: Path | None = None,
    ) -> None:
        self.path = path
        self.retry_after = retry_after or {}
        #: Failures of this run not written yet: article id -> (url, reason, attempts, when).
        self._pending: dict[str, tuple[str, str, int, str]] = {}
        try:
            if root is not None:  # SQLite opens its files by path: no link on the way
                os.close(safepaths.open_dir(path.parent, root, create=True))
                safepaths.refuse_links(root, state_files(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level="DEFERRED", timeout=BUSY_TIMEOUT)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._check_foreign()
            self._db.executescript(SCHEMA)
            self._check_version()
            self._db.commit()
        except safepaths.LinkError:
            raise
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(path, exc) from exc

    def _check_foreign(self) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if tables and "meta" not in tables:
            raise sqlite3.DatabaseError("it is an SQLite file of something else")

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_BY_ID,))
        elif row[0] not in (SCHEMA_BY_ID, SCHEMA_BY_SITE):
            raise sqlite3.DatabaseError(
                f"state schema {row[0]}, this newscrawl reads {SCHEMA_BY_ID} and {SCHEMA_BY_SITE}"
            )
        self._keys_by_site = row is not None and row[0] == SCHEMA_BY_SITE

    @classmethod
    def in_memory(cls) -> Self:
        """An empty state that lives in memory only (for Scrapy's tools: nothing on disk)."""
        return cls(Path(":memory:"))

    @classmethod
    def from_crawler(cls, crawler: Crawler, spider_name: str) -> Self:
        settings = crawler.settings
        output = output_dir(settings)
        return cls(output / spider_name / "state.sqlite3", retry_after_of(settings), output)

    @classmethod
    def check(cls, settings: BaseSettings, spider_name: str) -> None:
        """Open the state and check its integrity (``PRAGMA quick_check``: every page, so a
        damaged interior behind an intact header is found before any request, not as errors
        in every callback): :class:`StateError` when it cannot be used (a symbolic link there:
        :class:`safepaths.LinkError`)."""
        output = output_dir(settings)
        path = output / spider_name / "state.sqlite3"
        state = cls(path, root=output)
        try:
            state.verify()
        finally:
            state.close()
        check_writable(path.parent)

    def verify(self) -> None:
        """:class:`StateError` unless SQLite's ``quick_check`` finds the file sound."""
        try:
            problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check")]
        except sqlite3.Error as exc:
            raise _unusable(self.path, exc) from exc
        if problems != ["ok"]:
            detail = "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
            raise _unusable(self.path, f"damaged ({detail})")

    @property
    def keys_by_site(self) -> bool:
        """Whether articles are kept under their site and id (:meth:`key_by_site`)."""
        return self._keys_by_site

    def key_by_site(self, site_of: Callable[[str], str]) -> int:
        """Key the articles and failures kept by their id alone by their site and id
        (:func:`state_key`, the site of each one's URL by ``site_of``), the committed feeds'
        lists with them: a state the ``news`` spider kept before it keyed by site. Once (then
        its schema is :data:`SCHEMA_BY_SITE`), in one transaction, a row at a time (memory
        stays flat however big the state); the number of rows rekeyed."""
        if self._keys_by_site:
            return 0

        def key_of(article_id: str, url: str | None) -> str:
            return state_key(article_id, site_of(url) if url else None)

        with self._writing():
            feeds = [str(row[0]) for row in self._db.execute("SELECT feed FROM feeds")]
            for feed in feeds:  # first, while the articles are found by their ids alone
                (ids,) = self._db.execute(
                    "SELECT article_ids FROM feeds WHERE feed = ?", (feed,)
                ).fetchone()
                keys = []
                for article_id in json.loads(ids):
                    row = self._db.execute(
                        "SELECT url FROM articles WHERE article_id = ?", (article_id,)
                    ).fetchone()
                    keys.append(key_of(article_id, row[0] if row else None))
                self._db.execute(
                    "UPDATE feeds SET article_ids = ? WHERE feed = ?", (json.dumps(keys), feed)
                )
            self._db.create_function("newscrawl_key", 2, key_of, deterministic=True)
            rekeyed = 0
            for table in ("articles", "failures"):
                rekeyed += self._db.execute(
                    f"UPDATE OR IGNORE {table} SET article_id = newscrawl_key(article_id, url) "
                    "WHERE instr(article_id, '/') = 0"
                ).rowcount
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_BY_SITE,))
        self._keys_by_site = True
        return rekeyed

    # -- articles -------------------------------------------------------------------------

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

    # -- failures -------------------------------------------------------------------------

    def in_backoff(self, article_id: str) -> str | None:
        """The reason an article is not to be fetched yet (it failed recently), or None.

        A failure time in the future (recorded while the clock was set ahead) has expired:
        otherwise a clock step would pin the article for as long as the clock was wrong.
        """
        pending = self._pending.get(article_id)
        if pending is not None:
            reason, last_at = pending[1], pending[3]
        else:
            row = self._db.execute(
                "SELECT reason, last_at FROM failures WHERE article_id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return None
            reason, last_at = str(row[0]), str(row[1])
        return backoff_reason(self.retry_after, reason, last_at)

    def record_failure(self, article_id: str, url: str, reason: str) -> None:
        """Remember a failure (written with the run's commit or record, see the class doc)."""
        attempts = self._pending[article_id][2] + 1 if article_id in self._pending else 1
        self._pending[article_id] = (url, reason, attempts, _now().isoformat())

    def _write_pending(self) -> None:
        """Write the failures kept in memory (inside the caller's transaction)."""
        self._db.executemany(
            "INSERT INTO failures VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "reason = excluded.reason, attempts = attempts + excluded.attempts, "
            "last_at = excluded.last_at",
            [(key, *value) for key, value in self._pending.items()],
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction; :class:`StateError` naming the file when it fails. After a
        lock timeout, later writes do not wait again (the run is ending; each wait would
        stall it)."""
        try:
            with self._db:
                yield
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                with suppress(sqlite3.Error):
                    self._db.execute("PRAGMA busy_timeout = 0")
            raise StateError(f"cannot write the crawl state {self.path}: {exc}") from exc

    # -- indexes --------------------------------------------------------------------------

    def index_complete(self, key: str) -> bool:
        """True when a committed run paged index ``key`` (e.g. ``2025-11-20/0``) to its end."""
        row = self._db.execute("SELECT 1 FROM indexes WHERE index_key = ?", (key,)).fetchone()
        return row is not None

    def index_completed_at(self, key: str) -> datetime | None:
        """When the run that last paged index ``key`` to its end started (aware), or None."""
        row = self._db.execute(
            "SELECT completed_at FROM indexes WHERE index_key = ?", (key,)
        ).fetchone()
        return None if row is None else datetime.fromisoformat(row[0])

    def mark_indexes_complete(self, keys: Iterable[str], at: datetime | None = None) -> None:
        """Remember ``keys`` as paged to their end by a run that started ``at`` (default: now);
        a day's index counts as closed once a run that started after the day paged it."""
        now = (at or _now()).isoformat()
        with self._writing():
            self._db.executemany(
                "INSERT OR REPLACE INTO indexes VALUES (?, ?)", [(key, now) for key in keys]
            )

    # -- feeds ----------------------------------------------------------------------------

    def committed_feed(self, feed: str) -> list[str] | None:
        """The article ids committed for ``feed`` (a path relative to the output), or None."""
        row = self._db.execute("SELECT article_ids FROM feeds WHERE feed = ?", (feed,)).fetchone()
        return None if row is None else list(json.loads(row[0]))

    def committed_feeds(self) -> set[str]:
        """The names of every committed feed."""
        try:
            return {str(row[0]) for row in self._db.execute("SELECT feed FROM feeds")}
        except sqlite3.Error as exc:
            raise StateError(f"cannot read the crawl state {self.path}: {exc}") from exc

    def claim(self, article_id: str, fingerprint: str, feed: str) -> str | None:
        """Whether ``feed`` may export the article: :data:`EXPORTED` (its id was),
        :data:`DUPLICATE_CONTENT` (its title and body were, under another id), else None. The
        run lock makes this process the state's only writer: nothing else to hold."""
        if self.has_article(article_id):
            return EXPORTED
        if self.has_fingerprint(fingerprint):
            return DUPLICATE_CONTENT
        return None

    def release_claims(self, feed: str) -> None:
        """No claims are held (see :meth:`claim`)."""

    def commit_feed(self, feed: str, articles: Iterable[Exported]) -> list[str]:
        """Record ``feed`` and its articles, with everything pending, in one transaction; the
        ids committed (all of them: this process is the only writer)."""
        now = _now().isoformat()
        articles = list(articles)
        with self._writing():
            self._write_pending()
            self._db.executemany(
                "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?)",
                [(a.article_id, a.url, a.fingerprint, feed, now) for a in articles],
            )
            self._db.executemany(
                "DELETE FROM failures WHERE article_id = ?",
                [(a.article_id,) for a in articles],
            )
            self._db.execute(
                "INSERT INTO feeds VALUES (?, ?, ?, 0)",
                (feed, json.dumps([a.article_id for a in articles]), now),
            )
        self._pending.clear()
        return [a.article_id for a in articles]

    def mark_published(self, feed: str) -> None:
        with self._writing():
            self._db.execute("UPDATE feeds SET published = 1 WHERE feed = ?", (feed,))

    # -- learned promo lines --------------------------------------------------------------

    def learned_lines(self, site: str) -> frozenset[str]:
        """The promo lines earlier runs left out of ``site``'s bodies (case-folded)."""
        rows = self._db.execute("SELECT line FROM learned_lines WHERE site = ?", (site,))
        return frozenset(str(row[0]).casefold() for row in rows)

    def remember_learned(self, site: str, lines: dict[str, int]) -> None:
        """Add this run's promo lines of ``site`` (how many bodies each was left out of)."""
        now = _now().isoformat()
        with self._writing():
            self._db.executemany(
                "INSERT INTO learned_lines VALUES (?, ?, ?, ?) ON CONFLICT (site, line) "
                "DO UPDATE SET seen = seen + excluded.seen",
                [(site, line, seen, now) for line, seen in lines.items()],
            )

    # -- runs -----------------------------------------------------------------------------

    def record_run(self, run_id: str, started_at: str, summary: dict[str, Any]) -> None:
        """Keep the run's summary (and the failures it met) in the ``runs`` table."""
        with self._writing():
            self._write_pending()
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                (run_id, started_at, _now().isoformat(), json.dumps(summary, default=str)),
            )
        self._pending.clear()

    def close(self) -> None:
        """Write what is pending and close; the connection is closed even when that fails
        (:class:`StateError`: the failures are not remembered, the articles refetched)."""
        try:
            if self._pending:
                with self._writing():
                    self._write_pending()
                self._pending.clear()
            self._db.commit()
        finally:
            self._db.close()


class RunLock:
    """One run at a time per spider: an OS lock (``flock``) the kernel drops when we die.

    The lock file's existence means nothing; only a live process's lock counts. The file
    holds the holder's pid and start time, for the error message.

    The file is opened without following a link (:class:`safepaths.LinkError`): not its own,
    nor, with ``root`` (the output folder), one of the folders between ``root`` and it.
    """

    _held: dict[Path, IO[str]] = {}  # noqa: RUF012 - process-wide registry, on purpose

    def __init__(self, path: Path, root: Path | None = None) -> None:
        # absolute, links not resolved: a planted link must be refused, not followed
        self.path = Path(os.path.abspath(path))
        self.root = root

    @property
    def held(self) -> bool:
        return self.path in RunLock._held

    def acquire(self) -> None:
        """Take the lock (a no-op if this process has it); :class:`LockedError` if taken."""
        if self.held:
            return
        handle = safepaths.open_nofollow(  # kept open while held
            self.path, "a+", self.root, encoding="utf-8", make_parents=True
        )
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise LockedError(f"{self.path} is held by {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {_now().isoformat()}\n")
        handle.flush()
        RunLock._held[self.path] = handle

    def release(self) -> None:
        handle = RunLock._held.pop(self.path, None)
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def retry_after_of(settings: BaseSettings) -> dict[str, timedelta]:
    """``NEWSCRAWL_RETRY_AFTER_HOURS``: how long an article that failed so is not fetched."""
    hours = settings.getdict("NEWSCRAWL_RETRY_AFTER_HOURS")
    return {reason: timedelta(hours=float(h)) for reason, h in hours.items()}


def check_writable(folder: Path) -> None:
    """:class:`StateError` unless the run can write in ``folder``."""
    if not os.access(folder, os.W_OK):
        raise StateError(f"the output folder {folder} is not writable")


def backoff_reason(retry_after: dict[str, timedelta], reason: str, last_at: str) -> str | None:
    """``reason`` while a failure of that kind at ``last_at`` is recent enough to wait out
    (``retry_after``), else None; a time in the future has expired (see ``in_backoff``)."""
    if reason not in retry_after:
        return None
    age = _now() - datetime.fromisoformat(last_at)
    return reason if timedelta(0) <= age < retry_after[reason] else None


def _unusable(path: Path, problem: object) -> StateError:
    return StateError(
        f"cannot use the crawl state {path}: {problem}. If the file is damaged or not "
        "newscrawl's, move it aside; the next run then starts with a new state, rebuilt from "
        "the committed feeds beside it."
    )


def output_dir(settings: BaseSettings) -> Path:
    """The output folder (``NEWSCRAWL_OUTPUT_DIR``, resolved): ``<dir>/<spider>/`` holds a
    spider's feeds, state and run lock."""
    return Path(settings.get("NEWSCRAWL_OUTPUT_DIR", "output")).resolve()


def lock_for(output_dir: Path, spider_name: str) -> RunLock:
    return RunLock(output_dir / spider_name / "run.lock", root=output_dir)


def state_files(path: Path) -> list[Path]:
    """The state file and the files SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)]
