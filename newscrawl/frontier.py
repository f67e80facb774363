"""The shared frontier of distributed mode: scrapy-redis's scheduler with leases and ticks.

scrapy-redis pops a request from a sorted set and forgets it: a worker killed with requests
it took but had not finished loses them. Here a request taken from the queue moves, in the
same script, to the worker's *in-flight* hash (``newscrawl:<run>:inflight:<worker>``), and
leaves it only when Scrapy has finished with it: downloaded, its callback or errback run and
every request that produced was queued (it left the engine's in-progress set). Requests a
worker holds go back to the queue when it closes, and when it dies, as soon as its lease
lapses (:class:`newscrawl.redisclient.WorkerLease`): any idle worker requeues a dead
worker's in-flight requests before it looks whether the tick is over.

A **tick** is one cron run of every worker together. The first worker to start creates it
and seeds it (its spider's start requests); workers that start while it runs join it and
seed nothing (:class:`SeedOncePerTick`). Each tick has its own dupefilter. A worker with
nothing to do waits while the queue is not empty, the seeder (alive) still seeds, or another
live worker still has requests in flight; when none of these holds the tick is over, the
worker that finds it so ends it, and every worker closes.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any, Self

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.utils.defer import _schedule_coro, deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from newscrawl import distributed, redisclient, requestcodec
from newscrawl.distributed import Keys, text
from newscrawl.run import Run, run_name_of

logger = logging.getLogger(__name__)

#: Bytes of the random id that starts every queued member (two equal requests stay two).
ID_BYTES = 16
#: How often a waiting worker looks at the queue and the tick again (seconds).
WAIT_POLL_SECONDS = 0.2
#: Undecodable members one pop drops before it gives the reactor its turn back.
MAX_UNDECODABLE_IN_A_ROW = 100
#: The finish reason of a worker whose tick ended with its plan maybe undone (exit 3).
TICK_ABANDONED = "tick_abandoned"

_REQUEUE = """
local function requeue(inflight, queue)
  local all = redis.call('HGETALL', inflight)
  for i = 2, #all, 2 do
    local entry = all[i]
    local cut = string.find(entry, ' ', 1, true)
    redis.call('ZADD', queue, string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1))
  end
  redis.call('DEL', inflight)
  return #all / 2
end
"""

#: Put the in-flight requests of the workers whose lease is gone (``me`` aside) back in the
#: queue and forget those workers: (live workers, requests put back).
_REAP = (
    _REQUEUE
    + """
local function reap_dead(workers, queue, prefix, me)
  local live, reaped = 0, 0
  for _, worker in ipairs(redis.call('SMEMBERS', workers)) do
    if worker ~= me then
      if redis.call('EXISTS', prefix .. ':lease:' .. worker) == 1 then
        live = live + 1
      else
        reaped = reaped + requeue(prefix .. ':inflight:' .. worker, queue)
        redis.call('SREM', workers, worker)
      end
    end
  end
  return live, reaped
end
"""
)

#: Queue a request (once per tick unless its fingerprint is empty): 1 queued, 0 a duplicate.
PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

#: Acknowledge the worker's finished requests (ARGV[3:]), then take the first request of the
#: queue into its in-flight hash (under the id that starts its member, ARGV[1] characters).
#: The worker (ARGV[2]) is named among the workers again: one that other workers took for
#: dead while it stalled is seen again before it holds anything.
POP = """
for i = 3, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
redis.call('SADD', KEYS[3], ARGV[2])
local got = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', KEYS[1], got[1])
redis.call('HSET', KEYS[2], string.sub(got[1], 1, tonumber(ARGV[1])), got[2] .. ' ' .. got[1])
return got[1]
"""

#: Put a worker's in-flight requests back in the queue (and, closing, take it out of the
#: workers: a tick it leaves does not count it as alive): how many.
REQUEUE = (
    _REQUEUE
    + """
if ARGV[1] ~= '' then redis.call('SREM', KEYS[3], ARGV[1]) end
return requeue(KEYS[1], KEYS[2])
"""
)

#: Join the tick that runs, or start one: {tick id, seeder, 1 if this worker seeds it (2 if
#: it takes over the plan of a seeder that died), requests requeued from dead workers}. A
#: tick whose workers are all gone (every lease lapsed: they died or lost Redis) runs no more:
#: their requests go back to the queue, and a new tick starts (and is seeded again).
JOIN = (
    _REAP
    + """
local tick, workers, queue = KEYS[1], KEYS[2], KEYS[3]
local me, prefix = ARGV[1], ARGV[4]
local live, reaped = reap_dead(workers, queue, prefix, me)
redis.call('SADD', workers, me)
local id = redis.call('HGET', tick, 'id')
if id and live > 0 then
  redis.call('HINCRBY', tick, 'workers', 1)
  local seeder = redis.call('HGET', tick, 'seeder')
  if redis.call('HGET', tick, 'seeding') == '1'
     and (seeder == me or redis.call('EXISTS', prefix .. ':lease:' .. seeder) == 0) then
    -- its seeder died before the plan was queued: this worker goes on with the plan
    redis.call('HSET', tick, 'seeder', me)
    return {id, me, 2, reaped}
  end
  return {id, seeder, 0, reaped}
end
if id then redis.call('DEL', tick, prefix .. ':tick:' .. id .. ':days_unread') end
redis.call('HSET', tick, 'id', ARGV[2], 'seeder', me, 'seeding', 1, 'started_at', ARGV[3],
           'workers', 1)
return {ARGV[2], me, 1, reaped}
"""
)

#: An idle worker (nothing of its own in progress) asks what is left of its tick:
#: {'gone'|'abandoned'|'work'|'seeding'|'seed'|'busy'|'done', requests requeued from dead
#: workers}. A tick ends ('done') only once its plan is queued: while it is not, the seeder
#: seeds ('seeding'), or, when it is dead, the asking worker takes the plan over ('seed').
#: 'gone': another worker ended the tick; 'abandoned': it was replaced unended (every worker
#: was taken for dead), so this worker cannot know that its plan was done.
IDLE = (
    _REAP
    + """
local tick, workers, queue = KEYS[1], KEYS[2], KEYS[3]
local id, prefix, me = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV do redis.call('HDEL', prefix .. ':inflight:' .. me, ARGV[i]) end
-- what is still in flight of this idle worker was taken and never seen (a lost reply)
local unseen = requeue(prefix .. ':inflight:' .. me, queue)
local _, reaped = reap_dead(workers, queue, prefix, me)
reaped = reaped + unseen
if redis.call('HGET', tick, 'id') ~= id then
  if redis.call('EXISTS', prefix .. ':tick:' .. id .. ':over') == 1 then return {'gone', reaped} end
  return {'abandoned', reaped}
end
if redis.call('ZCARD', queue) > 0 then return {'work', reaped} end
if redis.call('HGET', tick, 'seeding') == '1' then
  local seeder = redis.call('HGET', tick, 'seeder')
  if seeder == me or redis.call('EXISTS', prefix .. ':lease:' .. seeder) == 1 then
    return {'seeding', reaped}
  end
  -- the seeder died with days of the plan still to queue: this worker goes on with them
  redis.call('HSET', tick, 'seeder', me)
  return {'seed', reaped}
end
for _, worker in ipairs(redis.call('SMEMBERS', workers)) do
  if worker ~= me and redis.call('HLEN', prefix .. ':inflight:' .. worker) > 0 then
    return {'busy', reaped}
  end
end
redis.call('DEL', tick)
redis.call('SET', prefix .. ':tick:' .. id .. ':over', 1, 'EX', 3600)
redis.call('EXPIRE', prefix .. ':tick:' .. id .. ':dupefilter', 3600)
redis.call('DEL', prefix .. ':tick:' .. id .. ':days_unread')
return {'done', reaped}
"""
)

#: The plan of a tick: its days (stored once, by the first seeder) and how many of them are
#: queued: {days as JSON, days queued}.
PLAN = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return {ARGV[2], 0} end
redis.call('HSETNX', KEYS[1], 'plan', ARGV[2])
return {redis.call('HGET', KEYS[1], 'plan'), tonumber(redis.call('HGET', KEYS[1], 'planned') or 0)}
"""

#: The first ARGV[2] days of the tick's plan are queued (never goes back).
QUEUED = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'planned') or 0) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'planned', ARGV[2])
end
return 1
"""


class LeasedQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's priority queue (a sorted set by ``-priority``) whose pop leases: the
    request taken moves to the worker's in-flight hash (:data:`POP`), and whose push checks
    the tick's dupefilter in the same script (:data:`PUSH`), so a push retried after a lost
    reply is never taken for a duplicate of itself."""

    inflight = ""
    workers = ""
    worker = ""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self._requeue = server.register_script(REQUEUE)

    def push_new(self, request: Request, fingerprint: str, dupefilter_key: str) -> bool:
        """Queue ``request`` unless its fingerprint was seen in this tick ('' never is)."""
        member = secrets.token_hex(ID_BYTES).encode() + self._encode_request(request)
        added = self._push(
            keys=[dupefilter_key, self.key], args=[fingerprint, -request.priority, member]
        )
        return bool(added)

    def push(self, request: Request) -> None:
        self.push_new(request, "", "")

    def pop_leased(self, finished: list[str] | None = None) -> tuple[str, Request] | None:
        """The next request and its lease id, or None when the queue is empty; the leases
        ``finished`` are acknowledged first, in the same script."""
        finished = list(finished or ())
        for _ in range(MAX_UNDECODABLE_IN_A_ROW):
            member = self._pop(
                keys=[self.key, self.inflight, self.workers],
                args=[2 * ID_BYTES, self.worker, *finished],
            )
            if not member:
                return None
            lease = text(member[: 2 * ID_BYTES])
            try:
                return lease, self._decode_request(member[2 * ID_BYTES :])
            except requestcodec.UndecodableRequest as error:
                finished = [lease]  # acknowledged by the next pop: dropped, never retried
                self.dropped(len(member), error)
        self.server.hdel(self.inflight, *finished)
        return None

    def dropped(self, size: int, error: Exception) -> None:
        """A member that is not a request of ours: dropped, counted, logged (never its
        content)."""
        stats = getattr(getattr(self.spider, "crawler", None), "stats", None)
        if stats is not None:
            stats.inc_value("newscrawl/frontier/undecodable")
        logger.warning(
            "Dropped a queued member of %d bytes that is not a request of ours (%s)", size, error
        )

    def _encode_request(self, request: Request) -> bytes:
        return requestcodec.dumps(request, self.spider)

    def _decode_request(self, encoded_request: bytes) -> Request:
        return requestcodec.loads(encoded_request, self.spider)

    def pop(self, timeout: int = 0) -> Request | None:
        leased = self.pop_leased()
        return None if leased is None else leased[1]

    def requeue(self, inflight: str, leave: str = "", worker: str = "") -> int:
        """Put the requests of an in-flight hash back in the queue: how many. With ``leave``
        (the workers' set), ``worker`` leaves it in the same script (it closes)."""
        return int(self._requeue(keys=[inflight, self.key, leave], args=[worker]))


class TickDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's dupefilter under the tick's key; it outlives any one worker (the tick's
    end lets it expire)."""

    def close(self, reason: str = "") -> None:
        """Not cleared when one worker closes: the others go on with the tick."""


class Frontier(Scheduler):  # type: ignore[misc]
    """The scheduler of distributed mode (see the module doc); found through the crawler
    (:meth:`of`)."""

    def __init__(self, server: Any, crawler: Crawler, keys: Keys, worker: str) -> None:
        super().__init__(
            server,
            persist=True,
            queue_key=keys.queue,
            queue_cls=f"{__name__}.LeasedQueue",
            dupefilter_key="",
            serializer=requestcodec,  # never pickle: see :mod:`newscrawl.requestcodec`
        )
        self.crawler = crawler
        self.keys = keys
        self.worker = worker
        self.tick = ""
        self.seeder = ""
        self.seeds = False
        #: Requests taken and not acknowledged yet: lease id -> request.
        self.handed: dict[str, Request] = {}
        self._waiting: str | None = None
        self._poll: LoopingCall | None = None
        self._join = server.register_script(JOIN)
        self._idle = server.register_script(IDLE)
        self._plan = server.register_script(PLAN)
        self._queued = server.register_script(QUEUED)
        self._takeover: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        frontier = cls(
            redisclient.client_of(crawler),
            crawler,
            Keys(run_name_of(crawler)),
            distributed.worker_id(crawler.settings),
        )
        frontier.stats = crawler.stats
        distributed.register_frontier(crawler, frontier)
        crawler.signals.connect(frontier.spider_idle, signal=signals.spider_idle)
        return frontier

    @staticmethod
    def of(crawler: Crawler) -> Frontier | None:
        """The frontier of ``crawler`` (None on one machine)."""
        found = distributed.frontier_of(crawler)
        return found if isinstance(found, Frontier) else None

    def count(self, event: str, by: int = 1) -> None:
        if self.stats is not None and by:
            self.stats.inc_value(f"newscrawl/frontier/{event}", by)

    # -- the tick -------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        new_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        tick, seeder, seeds, reaped = self._join(
            keys=[self.keys.tick, self.keys.workers, self.keys.queue],
            args=[self.worker, new_id, datetime.now(UTC).isoformat(), self.keys.prefix],
        )
        self.tick, self.seeder, self.seeds = text(tick), text(seeder), int(seeds) > 0
        self.reaped(int(reaped))
        self.df = TickDupeFilter(self.server, key=self.keys.dupefilter(self.tick))
        super().open(spider)
        self.queue.inflight = self.keys.inflight(self.worker)
        self.queue.workers, self.queue.worker = self.keys.workers, self.worker
        # a process that had this worker id before (NEWSCRAWL_WORKER_ID) left these behind
        leftover = self.queue.requeue(self.queue.inflight)
        if leftover:
            self.count("requeued_own", leftover)
        run = Run.of(self.crawler)
        if run is not None:
            run.tick, run.seeded_tick = self.tick, self.seeds
        self.count("seeded_tick" if self.seeds else "joined_tick")
        logger.info(
            "Worker %s %s tick %s%s",
            self.worker,
            "seeds" if self.seeds else "joins",
            self.tick,
            "" if self.seeds else f" (seeded by {self.seeder})",
        )
        if int(seeds) == 2:
            self.took_over("joined it")

    def seeded(self) -> None:
        """The seeder's start requests are all queued."""
        if self.seeds and self.server.hget(self.keys.tick, "id") == self.tick.encode():
            self.server.hset(self.keys.tick, "seeding", 0)
            logger.info("Tick %s is seeded", self.tick)

    def resume_plan(self, days: list[date]) -> tuple[list[date], int]:
        """The days of the tick's plan (``days`` unless a seeder stored them first) and how
        many of them are queued already: where a seeder that takes over goes on."""
        stored, queued = self._plan(
            keys=[self.keys.tick], args=[self.tick, json.dumps([d.isoformat() for d in days])]
        )
        return [date.fromisoformat(day) for day in json.loads(text(stored))], int(queued)

    def day_queued(self, days: int) -> None:
        """The first ``days`` days of the plan are queued (a seeder that takes over skips them)."""
        self._queued(keys=[self.keys.tick], args=[self.tick, days])

    def took_over(self, how: str) -> None:
        """This worker goes on with the plan of a tick whose seeder died."""
        self.seeds, self.seeder = True, self.worker
        self.count("took_over_seeding")
        run = Run.of(self.crawler)
        if run is not None:
            run.seeded_tick = True
        logger.warning(
            "Worker %s takes over the seeding of tick %s (%s; its seeder is gone)",
            self.worker,
            self.tick,
            how,
        )

    def days_unread(self) -> int:
        """Days planned in this tick whose first index page nobody read yet."""
        return int(self.server.get(self.keys.days_unread(self.tick)) or 0)

    def day_planned(self) -> None:
        self.server.incr(self.keys.days_unread(self.tick))

    def day_read(self) -> None:
        self.server.decr(self.keys.days_unread(self.tick))

    # -- requests -------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push_new(request, fingerprint, self.df.key):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        leased: tuple[str, Request] | None = self.queue.pop_leased(self.finished())
        if leased is None:
            return None
        lease, request = leased
        self.handed[lease] = request
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def finished(self) -> list[str]:
        """The leases of the requests Scrapy finished with since the last call (they left the
        engine's in-progress set: downloaded, their callback or errback run, and every request
        that produced queued); forgotten here, to be acknowledged by the caller's script."""
        slot = getattr(self.crawler.engine, "_slot", None)
        in_progress: set[Request] = getattr(slot, "inprogress", set())
        done = [lease for lease, request in self.handed.items() if request not in in_progress]
        for lease in done:
            del self.handed[lease]
        self.count("acknowledged", len(done))
        return done

    # -- the end of a tick ----------------------------------------------------------------

    def spider_idle(self, spider: Spider) -> None:
        """Nothing of this worker's is in progress: wait while the tick has work anywhere
        (``DontCloseSpider``); close once it is over."""
        acknowledged = self.finished()  # all of them: nothing is in progress
        try:
            state, reaped = self._idle(
                keys=[self.keys.tick, self.keys.workers, self.queue.key],
                args=[self.tick, self.keys.prefix, self.worker, *acknowledged],
            )
        except redis.RedisError as error:  # never taken for the tick's end
            logger.error("Could not ask Redis what is left of tick %s: %r", self.tick, error)
            if getattr(self.server, "lost", None) is None:  # a lost Redis stopped it already
                redisclient.stop_crawl(self.crawler, error)
            raise DontCloseSpider("redis") from error
        state = text(state)
        self.reaped(int(reaped))
        if state == "seed":
            self.took_over("idle")
            self._takeover = deferred_from_coro(self._seed())
            state = "seeding"
        elif state == "abandoned":
            self._stop_polling()
            logger.error(
                "Tick %s was replaced before it ended (every worker was taken for dead): "
                "its plan may be undone; worker %s stops",
                self.tick,
                self.worker,
            )
            raise CloseSpider(TICK_ABANDONED)
        if state in ("gone", "done"):
            self._stop_polling()
            logger.info(
                "Tick %s is over%s; worker %s closes",
                self.tick,
                "" if state == "gone" else " (nothing queued, seeded, or in flight)",
                self.worker,
            )
            return
        if state != self._waiting:
            logger.info("Worker %s waits: tick %s is %s", self.worker, self.tick, _WAITS[state])
        self._waiting = state
        self.count(f"waits/{state}")
        self._start_polling()
        raise DontCloseSpider(state)

    async def _seed(self) -> None:
        """Seed the tick this worker took over: the spider's start requests and items through
        the spider middlewares, as the engine queues them (its plan resumes where the dead
        seeder's stopped: :meth:`resume_plan`)."""
        engine = self.crawler.engine
        assert engine is not None
        try:
            start = await engine.scraper.spidermw.process_start()
            async for request_or_item in start or _nothing():
                if engine.spider is None or not engine.running:
                    return
                if isinstance(request_or_item, Request):
                    engine.crawl(request_or_item)
                else:
                    await engine.scraper.start_itemproc_async(request_or_item, response=None)
        except Exception:
            logger.exception("Could not go on with the seeding of tick %s", self.tick)
            if engine.running:
                _schedule_coro(engine.close_spider_async(reason=TICK_ABANDONED))

    def reaped(self, requests: int) -> None:
        """Requests of dead workers this worker put back in the queue."""
        if requests:
            self.count("requeued_from_dead_workers", requests)
            logger.warning(
                "Put %d request(s) back in the queue (taken by workers now gone)", requests
            )

    def _start_polling(self) -> None:
        """While waiting, look again often (Scrapy's own heartbeat is every 5 s)."""
        if self._poll is None:
            self._poll = LoopingCall(self._wake)
            self._poll.start(WAIT_POLL_SECONDS, now=False)

    def _stop_polling(self) -> None:
        if self._poll is not None and self._poll.running:
            self._poll.stop()
        self._poll = None

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def close(self, reason: str) -> None:
        """Requests this worker took and did not finish go back to the queue (a deadline, a
        Ctrl-C), for the other workers or the next tick."""
        self._stop_polling()
        super().close(reason)
        # all of them: at a deadline or a Ctrl-C the engine cancelled the downloads under way
        # (and ran their errbacks); one that did finish is fetched twice, never exported twice
        self.handed.clear()
        requeued = self.queue.requeue(self.queue.inflight, self.keys.workers, self.worker)
        if requeued:
            self.count("requeued_own", requeued)
            logger.info("Put %d unfinished request(s) back in the shared queue", requeued)
        # a seeder closing before its plan is queued leaves it to a worker that takes it over


async def _nothing() -> AsyncIterator[Any]:
    return
    yield


_WAITS = {
    "work": "not empty",
    "seeding": "still being seeded",
    "busy": "in flight on other workers",
}


class SeedOncePerTick:
    """A spider middleware of distributed mode (installed by its add-on,
    :class:`newscrawl.addons.DistributedMode`): the spider's start requests are queued by the
    worker that seeds the tick only; a worker that joins a tick seeds nothing."""

    def __init__(self, crawler: Crawler) -> None:
        if not distributed.enabled(crawler.settings):
            raise NotConfigured  # not in distributed mode: off, and no news in the log
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = Frontier.of(self.crawler)
        if frontier is not None and not frontier.seeds:
            return
        try:
            async for request_or_item in start:
                yield request_or_item
        except Exception:  # a plan that fails ends (the run is unhealthy: start_error)
            if frontier is not None:
                frontier.seeded()
            raise
        # only a plan queued to its end: one cut short (a deadline, a signal) stays for the
        # worker that takes it over
        if frontier is not None:
            frontier.seeded()
