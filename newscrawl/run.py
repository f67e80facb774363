"""One run of a spider: its lock, state, feed, and what it recovered and published.

Opened, for ``scrapy crawl`` only (the command sets ``NEWSCRAWL_RUN_ENABLED``), by the run
report extension as the crawler is set up, before any request
(:class:`newscrawl.extensions.RunReport`, which also closes it): takes the run lock, opens the
state, teaches it the complete feeds it does not know (:func:`newscrawl.feeds.adopt_feeds`) and
recovers interrupted feeds (:func:`newscrawl.feeds.recover`). Spiders, pipelines and the feed
storage find it through the crawler (:meth:`Run.of`); Scrapy's tools (``scrapy shell``,
``fetch``, ``parse``) have none, so they never take the lock nor touch the state or feeds.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from newscrawl import distributed, safepaths
from newscrawl.distributed import WORKER_SEPARATOR
from newscrawl.feeds import (
    Adopted,
    FeedWriter,
    IndexCheckpoints,
    Published,
    adopt_feeds,
    feed_key,
    publish_withholding,
    publish_written,
    recover,
    set_delivery_gate,
)
from newscrawl.processors import WIB
from newscrawl.state import (
    Lock,
    LockedError,
    RunLock,
    SQLiteState,
    StateStore,
    lock_for,
    output_dir,
)

logger = logging.getLogger(__name__)

#: The setting ``scrapy crawl`` sets: only then does a crawl open a run.
RUN_ENABLED = "NEWSCRAWL_RUN_ENABLED"
#: The spider arguments of the run (for its manifest), set by ``scrapy crawl``.
RUN_ARGUMENTS = "NEWSCRAWL_RUN_ARGUMENTS"
#: Where the run lives under the output folder (``bisnis``, ``news/arusdaerah.id``), set by
#: ``scrapy crawl``; the spider's name when unset.
RUN_NAME = "NEWSCRAWL_RUN_NAME"
#: The spider arguments as ``scrapy crawl`` read them (a CrawlPlan), handed to the spider.
RUN_PLAN = "NEWSCRAWL_RUN_PLAN"
_RUNS: weakref.WeakKeyDictionary[Crawler, Run] = weakref.WeakKeyDictionary()


def run_name_of(crawler: Crawler) -> str:
    """Where the crawl's run lives (:data:`RUN_NAME`; the spider's name when unset): also
    what its Redis keys are named after in distributed mode."""
    assert crawler.spidercls is not None
    return str(crawler.settings.get(RUN_NAME) or crawler.spidercls.name)


def run_id_of(started_at: datetime, worker: str | None) -> str:
    """A run's id: its start to the second (WIB), and the worker's id in distributed mode."""
    stamp = started_at.strftime("%Y%m%dT%H%M%S")
    return stamp if worker is None else f"{stamp}{WORKER_SEPARATOR}{worker}"


def unused_start(spider_dir: Path, worker: str | None) -> datetime:
    """Now, to the second (WIB): the start of a run whose id no run of ``spider_dir`` has.
    Runs are one at a time (the lock), but two may start within one second (a short run and
    the next): the second waits for the next second rather than take the first's id and
    overwrite its manifest."""
    while True:
        started_at = datetime.now(WIB).replace(microsecond=0)
        manifest = spider_dir / "runs" / f"{run_id_of(started_at, worker)}.json"
        if not manifest.exists() and not manifest.is_symlink():
            return started_at
        time.sleep(1.001 - datetime.now(WIB).microsecond / 1_000_000)


@dataclass
class Run:
    """Everything a run owns on disk; see docs/operations.md, "Crash safety"."""

    spider_name: str
    output_dir: Path
    started_at: datetime
    lock: Lock
    state: StateStore
    feed: FeedWriter
    arguments: dict[str, Any] = field(default_factory=dict)
    #: Distributed mode (:mod:`newscrawl.distributed`): this process's worker id, in its feed
    #: names, run id and manifest; None on one machine.
    worker: str | None = None
    #: Distributed mode: the cron tick this worker crawled in (set by the frontier).
    tick: str | None = None
    #: Distributed mode: whether this worker seeded its tick.
    seeded_tick: bool = False
    #: The days (WIB, ISO) whose index this run covers; empty for start URLs.
    days: list[str] = field(default_factory=list)
    #: ``news``: the sites (registered domains) of the run, judged one by one.
    sites: list[str] = field(default_factory=list)
    #: ``news``: the sites whose markup checks failed: their articles were withheld (the
    #: others' published), and how many articles that was.
    withheld_sites: list[str] = field(default_factory=list)
    items_withheld: int = 0
    #: ``news``: the failed checks of each unhealthy site (messages).
    site_failures: dict[str, list[str]] = field(default_factory=dict)
    recovered: list[Published] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)
    exit_status: int = 0
    health_failures: list[str] = field(default_factory=list)
    #: Indexes (``day/channel``) this run paged to their last page.
    completed_indexes: set[str] = field(default_factory=set)
    #: Indexes with a page or a listed article that may still come right (a timeout, a 5xx,
    #: a block, a recent failure, a spider error): not complete, whatever their paging said.
    incomplete_indexes: set[str] = field(default_factory=set)
    #: Indexes settled during the run (paged to their end, every article finished, nothing
    #: left over), checkpointed beside the feed as they settle (:meth:`checkpoint_index`).
    settled_indexes: set[str] = field(default_factory=set)
    #: Indexes still waiting for an article or a page (never complete, however they ended).
    unsettled_indexes: set[str] = field(default_factory=set)
    checkpoints: IndexCheckpoints | None = None
    #: A full feed could not be published: the run goes on writing it, and rotates no more.
    rotation_failed: bool = False
    #: Article URLs that redirected to another article: (its id, its URL, the id it led to);
    #: remembered under their own id too as the run closes (:meth:`remember_aliases`).
    aliases: list[tuple[str, str, str]] = field(default_factory=list)
    #: Promo lines no rule names that this run left out of bodies, by site: line -> bodies.
    learned: dict[str, Counter[str]] = field(default_factory=dict)
    #: True once :meth:`withhold` ran; the items went to ``withheld_feed`` (if any).
    withheld: bool = False
    withheld_feed: Path | None = None
    #: True once this run's own feed was published (or there was nothing to publish): only
    #: then is a user's ``-o``/``-O`` feed delivered.
    published_ok: bool = False
    #: Complete feeds the state did not know when the run opened (it learnt them again).
    adopted: Adopted | None = None
    #: True once the run report ran (the manifest is written or logged).
    reported: bool = False
    closed: bool = False
    #: The monotonic clock when the run opened: its manifest's ``duration_seconds``, to the
    #: millisecond (``started_at`` and ``finished_at`` are whole seconds).
    clock: float = field(default_factory=time.monotonic)

    @property
    def run_id(self) -> str:
        return run_id_of(self.started_at, self.worker)

    @property
    def distributed(self) -> bool:
        return self.worker is not None

    @property
    def feed_key(self) -> str:
        """How the state names the open feed."""
        return feed_key(self.feed.final, self.output_dir)

    @property
    def spider_dir(self) -> Path:
        return self.output_dir / self.spider_name

    @staticmethod
    def of(crawler: Crawler) -> Run | None:
        """The run of ``crawler`` (None for Scrapy's tools, which have none)."""
        return _RUNS.get(crawler)

    @classmethod
    def open_for(cls, crawler: Crawler) -> Run | None:
        """Open the run of a ``scrapy crawl`` (None when the crawl is not one: a tool)."""
        if not crawler.settings.getbool(RUN_ENABLED):
            return None
        arguments = crawler.settings.getdict(RUN_ARGUMENTS)
        run = cls.open(crawler, run_name_of(crawler), arguments)
        run.attach(crawler)
        return run

    def attach(self, crawler: Crawler) -> None:
        """Make this the run of ``crawler`` (what :meth:`of` finds), and the gate of its
        ``-o``/``-O`` feeds (:func:`~newscrawl.feeds.set_delivery_gate`)."""
        _RUNS[crawler] = self
        set_delivery_gate(crawler, self)

    @classmethod
    def open(cls, crawler: Crawler, spider_name: str, arguments: dict[str, Any]) -> Run:
        """Lock, open the state and recover; raises LockedError or StateError."""
        output = output_dir(crawler.settings)
        spider_dir = output / spider_name
        worker: str | None = None
        lock: Lock
        owned = None
        if distributed.enabled(crawler.settings):
            from newscrawl.redisclient import lease_for  # distributed mode only: redis-py

            lease = lease_for(crawler, output, spider_name)
            lock, worker = lease, lease.worker
            owned = partial(_orphaned, spider_dir, worker)
        else:
            lock = lock_for(output, spider_name)
        lock.acquire()
        try:
            started_at = unused_start(spider_dir, worker)
            state: StateStore = state_class(crawler.settings).from_crawler(crawler, spider_name)
            site_of = getattr(crawler.spidercls, "state_site_of", None)
            if site_of is not None and isinstance(state, SQLiteState):  # `news`: one machine
                rekeyed = state.key_by_site(site_of)
                if rekeyed:
                    logger.warning(
                        "The crawl state %s: keyed its %d article(s) by site and id",
                        state.path,
                        rekeyed,
                    )
            feed = FeedWriter(_free_feed_path(spider_dir, started_at, worker), output)
            run = cls(spider_name, output, started_at, lock, state, feed, dict(arguments), worker)
            run.adopted = adopt_feeds(spider_dir, state, output)
            run.recovered = recover(spider_dir, state, output, owned)
        except BaseException:
            lock.release()
            raise
        return run

    def publish(self, withhold_sites: Collection[str] = ()) -> None:
        """Close this run's feed and publish it (no file when nothing was exported).

        ``withhold_sites`` (a run judged site by site): the articles of these sites are
        withheld, kept in ``<feed>.rejected`` and fetched again later; the others are
        published (:func:`~newscrawl.feeds.publish_withholding`). When every article of the
        feed is of one of them, the run's items are withheld as a whole (:meth:`withhold`)."""
        sites = set(withhold_sites)
        self.withheld_sites = sorted(sites)
        if sites and any(site in sites for site in self.feed.sites):
            if all(site in sites for site in self.feed.sites):
                self.withhold()
                self.items_withheld = self.feed.written
                return
            result, rejected, count = publish_withholding(
                self.feed, self.state, self.output_dir, sites
            )
            self.withheld_feed, self.items_withheld = rejected, count
            logger.warning(
                "Withheld %d article(s) of %s (kept in %s); they will be fetched again",
                count,
                ", ".join(sorted(sites)),
                rejected,
            )
        else:
            result = publish_written(self.feed, self.state, self.output_dir)
        self.published_ok = True
        if result is not None:
            self.published.append(result)
            logger.info("Published %s (%d articles)", result.path, result.lines)

    def rotate(self) -> None:
        """Publish the feed written so far and open another (a long backfill): its articles
        go to the state, so nothing of them stays in memory; the indexes settled so far are
        complete now (their articles are in it)."""
        try:
            self.publish()
        except Exception as error:  # a locked state, a full disk: keep writing this feed
            if self._committed(self.feed_key):  # only putting it in place failed: a commit
                logger.error(  # is final, so the run goes on in a new feed
                    "Could not put the full feed %s in place (%r): it is committed, the next "
                    "run finishes it; this run goes on in a new feed",
                    self.feed.part,
                    error,
                )
                self.remember_settled_indexes()
                self.feed = FeedWriter(self._next_feed_path(), self.output_dir)
                return
            logger.error(
                "Could not publish the full feed %s (%r): the run goes on writing it and "
                "publishes it at its end (or the next run recovers it)",
                self.feed.part,
                error,
            )
            self.feed.reopen()
            self.rotation_failed = True
            return
        self.published_ok = False  # the run's last feed is still to come
        self.remember_settled_indexes()
        self.feed = FeedWriter(self._next_feed_path(), self.output_dir)

    def _next_feed_path(self) -> Path:
        """A name for the run's next feed that no file and no committed feed has."""
        return _free_feed_path(
            self.spider_dir,
            self.started_at,
            self.worker,
            taken=lambda path: self._committed(feed_key(path, self.output_dir)),
        )

    def _committed(self, key: str) -> bool:
        try:
            return self.state.committed_feed(key) is not None
        except Exception:  # the state is the trouble: take it as not committed
            return False

    def checkpoint_index(self, key: str) -> None:
        """Index ``key`` settled: the feed is flushed, then the index is written beside it, so
        that a run killed from now on still leaves it known as complete (after its articles).

        Not in distributed mode: an index's pages and articles are spread over the workers,
        and none of them alone knows when it is settled (every tick pages indexes in full)."""
        if self.distributed:
            return
        self.settled_indexes.add(key)
        self.feed.flush()
        if self.checkpoints is None:
            self.checkpoints = IndexCheckpoints(self.feed.final, self.output_dir)
        self.checkpoints.write(key, self.started_at)

    def remember_settled_indexes(self) -> None:
        """After a publish, however the crawl ended: the indexes it settled are complete (their
        articles are in the published feed); their checkpoint file goes."""
        if self.settled_indexes:
            self.state.mark_indexes_complete(sorted(self.settled_indexes), at=self.started_at)
        self.drop_checkpoints()

    def drop_checkpoints(self) -> None:
        """Remove the checkpoint file (the next checkpoint starts one beside the open feed)."""
        if self.checkpoints is not None:
            self.checkpoints.remove()
            self.checkpoints = None

    def remember_complete_indexes(self) -> None:
        """After a publish of a crawl that finished normally: remember the indexes it paged
        completely with nothing left over, so later runs may stop paging them early (a
        failure here costs the next run full paging, never an article)."""
        complete = self.completed_indexes - self.incomplete_indexes - self.unsettled_indexes
        if complete and not self.distributed:  # see checkpoint_index
            self.state.mark_indexes_complete(sorted(complete), at=self.started_at)

    def remember_learned(self) -> None:
        """After a publish: the promo lines this run learned, for later runs (and an operator
        who may name them in a rule)."""
        for site, lines in self.learned.items():
            if lines:
                self.state.remember_learned(site, dict(lines))

    def withhold(self) -> None:
        """Keep this run's items out of the feeds and the state: the markup looks changed.

        The items stay in ``<feed>.rejected`` for inspection and are fetched again by the
        next run.
        """
        part = self.feed.close()
        self.drop_checkpoints()  # its articles are withheld: no index of it is complete
        self.withheld = True
        if part is not None:
            self.withheld_feed = part.with_name(part.name.removesuffix(".part") + ".rejected")
            safepaths.replace(part, self.withheld_feed, self.output_dir)
            logger.warning(
                "Withheld %d article(s) of this run (kept in %s); they will be fetched again",
                self.feed.written,
                self.withheld_feed,
            )
        try:  # after the rename: a .part left here would be recovered and published
            self.state.release_claims(self.feed_key)  # other workers may export them now
        except Exception as error:  # they lapse with this worker's lease anyway
            logger.error("Could not give up the claims of the withheld feed: %r", error)

    def leave_for_recovery(self) -> Path | None:
        """The run stops without publishing (an unclean shutdown): its ``.part`` is made
        durable and left for the next run to recover. The ``.part`` path, if any."""
        return self.feed.close() or (self.feed.part if self.feed.part.exists() else None)

    def remember_aliases(self) -> None:
        """An article URL that redirected to another article is recorded under its own id
        too, once the article it led to is in the state (committed by this run's publish, or
        by an earlier run): later runs do not fetch it again (``duplicate``, a final reason)."""
        remembered = 0
        for origin_id, origin, target_id in self.aliases:
            if self.state.has_article(target_id) and not self.state.has_article(origin_id):
                self.state.record_failure(origin_id, origin, "duplicate")
                remembered += 1
        if remembered:
            logger.info(
                "Remembered %d redirected article URL(s) under their own id too", remembered
            )

    def close(self) -> None:
        """Remember the redirected article URLs, close the state and release the lock (once;
        a failure of either is logged)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.remember_aliases()
        except Exception as error:  # costs a refetch of a redirecting URL, never an article
            logger.error("Could not remember the redirected article URLs: %s", error)
        try:
            self.state.close()
        except Exception as error:  # a locked or vanished state: say so, release the lock
            logger.error("Could not close the crawl state cleanly: %s", error)
        finally:
            self.lock.release()


def _free_feed_path(
    spider_dir: Path,
    started_at: datetime,
    worker: str | None = None,
    taken: Callable[[Path], bool] | None = None,
) -> Path:
    """``<day>/<HHMMSS>[_n].jsonl``, in distributed mode ``<day>/<HHMMSS>[_n]--<worker>.jsonl``
    (no two workers write the same feed name); not one ``taken`` says is in use."""
    day = spider_dir / started_at.date().isoformat()
    stem = started_at.strftime("%H%M%S")
    tail = "" if worker is None else f"{WORKER_SEPARATOR}{worker}"
    candidate = day / f"{stem}{tail}.jsonl"
    n = 1
    while any(
        candidate.with_name(candidate.name + suffix).exists() for suffix in ("", ".part")
    ) or (taken is not None and taken(candidate)):
        n += 1
        candidate = day / f"{stem}_{n}{tail}.jsonl"
    return candidate


@contextmanager
def _orphaned(spider_dir: Path, me: str, part: Path) -> Iterator[bool]:
    """Distributed mode: True (while holding its worker's local lock) when the feed ``part``
    belongs to no live worker of this machine, so this process may recover it."""
    worker = distributed.worker_of_feed(part.name)
    if worker is None or worker == me:
        yield True
        return
    lock = RunLock(distributed.worker_lock_path(spider_dir, worker), root=spider_dir)
    try:
        lock.acquire()
    except LockedError:
        yield False  # a live worker writes it
        return
    try:
        yield True
    finally:
        lock.release()
        safepaths.unlink(lock.path, spider_dir, missing_ok=True)


def state_class(settings: BaseSettings) -> Any:
    """The state backend: Redis in distributed mode, else ``NEWSCRAWL_STATE_CLASS``."""
    if distributed.enabled(settings):
        from newscrawl.redisstate import RedisState

        return RedisState
    return load_object(settings.get("NEWSCRAWL_STATE_CLASS"))
