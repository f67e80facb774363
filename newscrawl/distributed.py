"""Distributed mode: several workers (machines or processes) crawl one frontier on Redis.

``NEWSCRAWL_REDIS_URL`` (a setting, else the environment variable) switches it on for
``scrapy crawl`` (never for Scrapy's tools), through the add-on
:class:`newscrawl.addons.DistributedMode`. Then:

* scrapy-redis's scheduler and dupefilter hold the shared frontier
  (:class:`newscrawl.frontier.Frontier`, which adds what scrapy-redis lacks: requests a worker
  took are leased to it until they are finished, and a cron tick is seeded once);
* the state lives in Redis (:class:`newscrawl.redisstate.RedisState`), where each article is
  claimed before it is written and committed with its feed in one script;
* a worker holds a lease in Redis (:class:`WorkerLease`) instead of the one-machine ``flock``;
* requests to a host are spaced across all workers
  (:class:`newscrawl.middlewares.SharedRateMiddleware`).

This module holds what they share: the switch, the worker's id, the connection and the names
of the keys. docs/distributed.md tells the whole protocol.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import (
    BusyLoadingError,
    ConnectionError,
    OutOfMemoryError,
    ReadOnlyError,
    ResponseError,
    TimeoutError,
)
from redis.retry import Retry
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.defer import _schedule_coro
from twisted.internet.task import LoopingCall

from newscrawl import safepaths
from newscrawl.scratch import alive
from newscrawl.state import LockedError, RunLock

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


#: The finish reason of a worker that lost Redis for longer than NEWSCRAWL_REDIS_WAIT_SECONDS.
REDIS_LOST = "redis_unreachable"


class _Client(redis.Redis):
    """A Redis client that tells :attr:`on_lost` once when a command failed for good (Redis
    unreachable after every retry), before the error goes on to the caller; later commands
    fail at once (the worker is stopping: each would wait the whole time again)."""

    on_lost: Callable[[BaseException], None] | None = None
    lost: BaseException | None = None

    def execute_command(self, *args: Any, **options: Any) -> Any:
        if self.lost is not None:
            raise ConnectionError(f"Redis was lost earlier in this run: {self.lost}")
        try:
            return super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except (ConnectionError, TimeoutError, ResponseError) as error:
            if isinstance(error, ResponseError) and not unusable(error):
                raise  # a command's own error (a script's NOSCRIPT, a wrong type)
            self.lost = error
            if self.on_lost is not None:
                self.on_lost(error)
            raise


def unusable(error: ResponseError) -> bool:
    """An answer of a Redis that cannot take writes (a full disk: MISCONF; no memory: OOM; a
    read-only replica after a failover: READONLY): as bad as an unreachable one. redis-py
    strips the codes it has classes for."""
    return isinstance(error, ReadOnlyError | OutOfMemoryError) or str(error).startswith("MISCONF")


class _DeadlineRetry(Retry):
    """Retries a command with growing pauses (at most 1 s) until ``seconds`` have passed
    since its first try, however long each try takes to fail."""

    def __init__(self, seconds: float) -> None:
        super().__init__(ExponentialBackoff(cap=1.0, base=0.05), -1)
        self.seconds = seconds

    def call_with_retry(
        self,
        do: Callable[[], Any],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> Any:
        self._backoff.reset()  # type: ignore[no-untyped-call]
        started = time.monotonic()
        failures = 0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                if is_retryable is not None and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                pause = self._backoff.compute(failures)
                if time.monotonic() - started + pause > self.seconds:
                    raise
                time.sleep(pause)


def connect(url: str, wait_seconds: float = 60.0) -> redis.Redis:
    """A client of ``url`` that waits out an unreachable or restarting Redis: each command is
    retried with a growing pause (at most 1 s) for ``wait_seconds`` at most, then fails (a
    Redis that accepts connections and never answers costs a try's timeout more)."""
    timeout = min(15.0, max(1.0, wait_seconds / 4))
    client: redis.Redis = _Client.from_url(
        url,
        retry=_DeadlineRetry(wait_seconds),
        retry_on_error=[ConnectionError, TimeoutError, BusyLoadingError],
        socket_timeout=timeout,
        socket_connect_timeout=min(3.0, timeout),
    )
    return client


_CLIENTS: weakref.WeakKeyDictionary[Crawler, redis.Redis] = weakref.WeakKeyDictionary()


def client_of(crawler: Crawler) -> redis.Redis:
    """The crawl's one Redis client (shared by the state, the frontier, the lease and the
    rate gate)."""
    client = _CLIENTS.get(crawler)
    if client is None:
        url = redis_url(crawler.settings)
        if url is None:
            raise RuntimeError("not in distributed mode: NEWSCRAWL_REDIS_URL is not set")
        wait = crawler.settings.getfloat("NEWSCRAWL_REDIS_WAIT_SECONDS", 60.0)
        client = _CLIENTS[crawler] = connect(url, wait)
        if isinstance(client, _Client):
            client.on_lost = partial(stop_crawl, crawler)
    return client


def stop_crawl(crawler: Crawler, error: BaseException) -> None:
    """Redis stayed unreachable longer than the worker waits (or cannot take writes, or a
    script failed): the crawl stops (finish reason ``redis_unreachable``: exit 3). Its
    ``.part`` is recovered when the worker starts again; what it had not written is fetched
    by the other workers or the next tick."""
    wait = crawler.settings.getfloat("NEWSCRAWL_REDIS_WAIT_SECONDS", 60.0)
    logger.error(
        "Redis was unreachable or unusable for more than NEWSCRAWL_REDIS_WAIT_SECONDS=%s s "
        "(%r): this worker stops",
        wait,
        error,
    )
    if crawler.stats is not None:
        crawler.stats.inc_value("newscrawl/redis/lost")
    engine = crawler.engine
    if engine is not None and engine.running:
        _schedule_coro(engine.close_spider_async(reason=REDIS_LOST))


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


def _bytes(value: Any) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


class WorkerLease:
    """One worker's lease: a Redis key with a time to live, renewed by a heartbeat while the
    crawl's reactor runs, and a local ``flock`` on ``<output>/<run>/workers/<id>.lock`` that
    the kernel drops when the process dies (what tells a restarted worker on the same machine
    that a ``.part`` left there belongs to nobody alive).

    Other workers read a missing lease as a dead worker: its unfinished requests go back to
    the queue, its uncommitted claims lapse. Taking a lease another live process holds fails
    with :class:`LockedError` (the same id twice); a lease left by a dead process of this host
    is taken over at once.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        worker: str,
        lock_path: Path,
        ttl: float,
        root: Path | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.ttl_ms = max(1000, int(ttl * 1000))
        self.local = RunLock(lock_path, root)
        self.value = json.dumps(
            {
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "since": time.time(),
                "nonce": PROCESS_NONCE,
            }
        )
        self._beat: LoopingCall | None = None

    @property
    def key(self) -> str:
        return self.keys.lease(self.worker)

    @property
    def held(self) -> bool:
        return self._beat is not None

    def acquire(self) -> None:
        """Take the lease (a no-op when held); :class:`LockedError` when a live process has
        this worker id."""
        if self.held:
            return
        self.local.acquire()
        try:
            if not self.client.set(self.key, self.value, nx=True, px=self.ttl_ms):
                holder = _bytes(self.client.get(self.key))
                if not self._left_by_dead_process(holder):
                    raise LockedError(
                        f"worker id {self.worker} is held by "
                        f"{holder.decode() if holder else 'another process'}"
                    )
                logger.warning(
                    "Took over the lease of worker %s (its process is gone)", self.worker
                )
                self.client.set(self.key, self.value, px=self.ttl_ms)
            self.client.sadd(self.keys.workers, self.worker)
        except BaseException:
            self.local.release()
            raise
        self._beat = LoopingCall(self.beat)
        self._beat.start(self.ttl_ms / 3000, now=False)

    def _left_by_dead_process(self, holder: bytes | None) -> bool:
        if holder is None:
            return True
        try:
            info = json.loads(holder)
        except ValueError:
            return False
        same_host = info.get("host") == socket.gethostname()
        return bool(same_host and not alive(int(info.get("pid", 0))))

    def beat(self) -> None:
        """Renew the lease; one that lapsed meanwhile (a long Redis outage) is taken again."""
        try:
            if not self.client.set(self.key, self.value, xx=True, px=self.ttl_ms):
                logger.warning(
                    "The lease of worker %s had lapsed; taken again (its unfinished requests "
                    "may be fetched twice, never exported twice)",
                    self.worker,
                )
                self.client.set(self.key, self.value, px=self.ttl_ms)
                # the frontier's next pop names the worker among the workers again (not
                # here: a worker that closed must not come back)
        except redis.RedisError as error:
            logger.error("Could not renew the lease of worker %s: %r", self.worker, error)

    def release(self) -> None:
        """Drop the lease (only if it is still ours) and the local lock."""
        if self._beat is not None:
            if self._beat.running:
                self._beat.stop()
            self._beat = None
            try:
                if self.client.get(self.key) == self.value.encode():
                    self.client.delete(self.key)
            except redis.RedisError as error:
                logger.error("Could not drop the lease of worker %s: %r", self.worker, error)
        self.local.release()
        safepaths.unlink(self.local.path, self.local.root, missing_ok=True)


def lease_for(crawler: Crawler, output_dir: Path, run_name: str) -> WorkerLease:
    """The lease of this process's worker for ``run_name``."""
    settings = crawler.settings
    worker = worker_id(settings)
    ttl = settings.getfloat("NEWSCRAWL_REDIS_LEASE_SECONDS", 15.0)
    lock_path = worker_lock_path(output_dir / run_name, worker)
    return WorkerLease(client_of(crawler), Keys(run_name), worker, lock_path, ttl, output_dir)


def worker_lock_path(spider_dir: Path, worker: str) -> Path:
    """The local lock file of ``worker`` under a run's folder."""
    return spider_dir / "workers" / f"{worker}.lock"
