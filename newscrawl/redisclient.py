"""The Redis client of distributed mode (:mod:`newscrawl.distributed`): a connection that
waits out an unreachable or restarting Redis and tells the crawl when it is lost for good, and a
worker's lease. Imported only once a crawl is distributed
(:func:`client_of`, :func:`lease_for`, by the frontier, the rate gate, the state and the run):
a crawl on one machine never loads redis-py."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import weakref
from collections.abc import Callable
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
from scrapy.utils.defer import _schedule_coro
from twisted.internet.task import LoopingCall

from newscrawl import safepaths
from newscrawl.distributed import PROCESS_NONCE, Keys, redis_url, worker_id, worker_lock_path
from newscrawl.scratch import alive
from newscrawl.state import LockedError, RunLock

logger = logging.getLogger(__name__)

#: The finish reason of a worker that lost Redis for longer than NEWSCRAWL_REDIS_WAIT_SECONDS.
REDIS_LOST = "redis_unreachable"


class LosingClient(redis.Redis):
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
    client: redis.Redis = LosingClient.from_url(
        url,
        retry=_DeadlineRetry(wait_seconds),
        retry_on_error=[ConnectionError, TimeoutError, BusyLoadingError],
        socket_timeout=timeout,
        socket_connect_timeout=min(3.0, timeout),
    )
    return client


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
        if isinstance(client, LosingClient):
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


def lease_for(crawler: Crawler, output_dir: Path, run_name: str) -> WorkerLease:
    """The lease of this process's worker for ``run_name``."""
    settings = crawler.settings
    worker = worker_id(settings)
    ttl = settings.getfloat("NEWSCRAWL_REDIS_LEASE_SECONDS", 15.0)
    lock_path = worker_lock_path(output_dir / run_name, worker)
    return WorkerLease(client_of(crawler), Keys(run_name), worker, lock_path, ttl, output_dir)
