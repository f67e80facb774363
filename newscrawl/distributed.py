"""Distributed mode: several workers (machines or processes) crawl one frontier on Redis.

``NEWSCRAWL_REDIS_URL`` (a setting, else the environment variable) switches it on for
``scrapy crawl`` (never for Scrapy's tools), through the add-on
:class:`newscrawl.addons.DistributedMode`. Then:

* scrapy-redis's scheduler and dupefilter hold the shared frontier
  (:class:`newscrawl.frontier.Frontier`, which adds what scrapy-redis lacks: requests a worker
  took are leased to it until they are finished, and a cron tick is seeded once);
* the state lives in Redis (:class:`newscrawl.redisstate.RedisState`), where each article is
  claimed before it is written and committed with its feed in one script;
* a worker holds a lease in Redis (:class:`~newscrawl.redisclient.WorkerLease`) instead of
  the one-machine ``flock``;
* requests to a host are spaced across all workers
  (:class:`newscrawl.middlewares.SharedRateMiddleware`).

This module holds what they share: the switch, the worker's id, the crawl's frontier and the
names of the keys. It imports no Redis client: the connection and the lease are
:mod:`newscrawl.redisclient`'s, imported once a crawl is distributed, so a crawl on one machine
never loads redis-py (~0.06 s of its start). docs/distributed.md tells the whole protocol.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

if TYPE_CHECKING:
    from newscrawl.days import DayCount

logger = logging.getLogger(__name__)

#: The setting (or environment variable) that turns distributed mode on.
REDIS_URL = "NEWSCRAWL_REDIS_URL"
#: The setting (or environment variable) naming this worker (default: ``<host>-<pid>``).
WORKER_ID = "NEWSCRAWL_WORKER_ID"
#: What a worker id may hold (it is part of feed names and Redis keys).
WORKER_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,80}")
#: How a feed name carries its worker: ``<HHMMSS>[_n]--<worker>.jsonl``.
WORKER_SEPARATOR = "--"
#: The key prefix of one run name's keys (``newscrawl:bisnis:...``).
KEY_PREFIX = "newscrawl"
#: This process's mark, in its lease's value and in the holder of its claims.
PROCESS_NONCE = secrets.token_hex(8)


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis URL of distributed mode (the setting, else the environment), or None."""
    value = str(settings.get(REDIS_URL) or os.environ.get(REDIS_URL) or "").strip()
    return value or None


def enabled(settings: BaseSettings) -> bool:
    """True when the crawl runs in distributed mode."""
    return redis_url(settings) is not None


def worker_id(settings: BaseSettings) -> str:
    """This process's worker id: ``NEWSCRAWL_WORKER_ID`` (setting, else environment), else
    ``<host>-<pid>``; :class:`ValueError` for an id that cannot name a file or a key."""
    given = str(settings.get(WORKER_ID) or os.environ.get(WORKER_ID) or "").strip()
    if given:
        if not WORKER_ID_PATTERN.fullmatch(given) or WORKER_SEPARATOR in given:
            raise ValueError(
                f"{WORKER_ID}={given!r}: use 1 to 80 letters, digits, '.', '_' or '-' "
                f"(no '{WORKER_SEPARATOR}')"
            )
        return given
    host = re.sub(r"[^A-Za-z0-9._]", "_", socket.gethostname())[:60] or "host"
    return f"{host}-{os.getpid()}"


#: A feed file's name: ``<HHMMSS>[_n][--<worker>].jsonl[.part|.tmp|.indexes|.rejected]``.
FEED_NAME = re.compile(
    r"\d{6}(?:_\d+)?(?:--(?P<worker>.+?))?\.jsonl(?:\.part|\.tmp|\.indexes|\.rejected)?"
)


def worker_of_feed(name: str) -> str | None:
    """The worker a feed file (``101500--host-42.jsonl[.part]``) belongs to, or None."""
    match = FEED_NAME.fullmatch(name)
    return match.group("worker") if match else None


def settings_overrides() -> dict[str, Any]:
    """What distributed mode changes in the settings of a crawl (set by its add-on,
    :class:`newscrawl.addons.DistributedMode`)."""
    return {
        "SCHEDULER": "newscrawl.frontier.Frontier",
        # the shared queue outlives any one worker: never flushed when one closes
        "SCHEDULER_PERSIST": True,
    }


#: The frontier of each distributed crawl (the scheduler registers itself as it is made).
_FRONTIERS: weakref.WeakKeyDictionary[Crawler, DayCount] = weakref.WeakKeyDictionary()


def register_frontier(crawler: Crawler, frontier: DayCount) -> None:
    """``frontier`` is the tick's frontier of ``crawler`` (its scheduler, as it is made)."""
    _FRONTIERS[crawler] = frontier


def frontier_of(crawler: Crawler) -> DayCount | None:
    """The tick's frontier of ``crawler`` (None on one machine, where it is never imported)."""
    return _FRONTIERS.get(crawler)


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one run name (``bisnis``, ``news/arusdaerah.id``)."""

    run_name: str

    @property
    def prefix(self) -> str:
        return f"{KEY_PREFIX}:{self.run_name}"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # the frontier
    @property
    def queue(self) -> str:
        return self.key("queue")

    @property
    def tick(self) -> str:
        return self.key("tick")

    @property
    def workers(self) -> str:
        return self.key("workers")

    def dupefilter(self, tick: str) -> str:
        return self.key("tick", tick, "dupefilter")

    def days_unread(self, tick: str) -> str:
        return self.key("tick", tick, "days_unread")

    def inflight(self, worker: str) -> str:
        return self.key("inflight", worker)

    def lease(self, worker: str) -> str:
        return self.key("lease", worker)

    # the state
    def state(self, name: str) -> str:
        return self.key("state", name)

    def claimed(self, feed: str) -> str:
        return self.key("state", "claimed", feed)

    def learned(self, site: str) -> str:
        return self.key("state", "learned", site)

    # politeness
    def gate(self, host: str) -> str:
        return self.key("gate", host)


def text(value: bytes | str) -> str:
    """A Redis answer as text (the client gives bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def worker_lock_path(spider_dir: Path, worker: str) -> Path:
    """The local lock file of ``worker`` under a run's folder."""
    return spider_dir / "workers" / f"{worker}.lock"
