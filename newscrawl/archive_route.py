"""The archive route: a site's article pages read from web archives instead of the site.

``scrapy crawl <site> -a warc=PATH_OR_URL[,...]`` and/or ``-a ccnews=YYYY-MM`` (docs/backfills.md)
make the spider's start a source of responses, not a plan of requests: each archive is
streamed (:mod:`newscrawl.archives`), and each response record of an article page of the site
is read by the site's page objects as a page fetched from the site would be. The spider's
``start`` hands its whole plan to :class:`ArchiveRoute`; the spider lends it its page objects,
counters and state (:class:`ArchiveReader`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.asyncio import sleep

from newscrawl.archives import (
    DEFAULT_LIMIT,
    ArchiveCounts,
    ArchiveDamaged,
    Capture,
    Oversized,
    TooLarge,
    ccnews_base,
    ccnews_list,
    ccnews_paths_url,
    default_reader,
    describe,
    is_remote,
    read_captures,
    reader_named,
)
from newscrawl.arguments import ArgumentError, CrawlPlan, parse_day, split_list
from newscrawl.items import ArticleItem
from newscrawl.ledger import Ledger
from newscrawl.pages.base import ReadPage
from newscrawl.pages.reading import PageReaders, Reading, read_site
from newscrawl.safefetch import RedirectRefused
from newscrawl.sites import Site
from newscrawl.state import SQLiteState, StateStore
from newscrawl.urls import on_domain

#: Archive records read between two returns to the reactor.
ARCHIVE_BREATHE = 200
#: Pages sent to a reading worker in one task (one pickling and one wake-up for them all).
BATCH = 16
#: Batches a reading worker holds (one being read, the others waiting) before the crawl's own
#: process reads the next page itself: the worker reads all pages while it keeps up, and the
#: crawl's process, which exports them all, reads pages too only when it is ahead.
IN_WORKER = 8
#: The most captures read from the archive ahead of the first whose item is not out yet
#: (more than a worker holds, and the batch being filled).
AHEAD = (IN_WORKER + 2) * BATCH
#: URL prefixes (scheme and host) known to be on the site's domain or not
#: (:meth:`ArchiveRoute.wanted`).
HOSTS_REMEMBERED = 10_000
#: Local archives this big in all start a run's later reading worker (``auto``) at once, not
#: after ``NEWSCRAWL_READ_WORKER_AFTER`` pages read in the crawl's process: FastWARC alone
#: takes some 0.4 s to read 64 MB, and the worker's start (some 0.7 s of the other core) then
#: overlaps the first pages, which the crawl's process read alone before (docs/benchmarks.md).
WORKER_AT_ONCE_BYTES = 64 * 1024 * 1024
#: The spider arguments that make a crawl an archive run.
ARCHIVE_ARGUMENTS = ("warc", "ccnews")


def wants_archives(kwargs: dict[str, Any]) -> bool:
    """The spider arguments ask for an archive run (``warc=`` or ``ccnews=``)."""
    return any(kwargs.get(name) is not None for name in ARCHIVE_ARGUMENTS)


def archive_plan(kwargs: dict[str, Any]) -> CrawlPlan:
    """``-a warc=PATH_OR_URL[,...]`` and/or ``-a ccnews=YYYY-MM``, with ``since``/``until``
    as a filter on publication dates (WIB)."""
    for name in ("start_urls", "channels", "backfill"):
        if kwargs.get(name) is not None:
            raise ArgumentError(f"{name}= cannot be combined with warc=/ccnews=")
    archives = tuple(split_list(str(kwargs.get("warc") or "")))
    if kwargs.get("warc") is not None and not archives:
        raise ArgumentError("warc= names no archive")
    for source in archives:
        if not is_remote(source) and not Path(source).is_file():
            raise ArgumentError(f"warc={source!r}: no such file")
    ccnews = kwargs.get("ccnews")
    if ccnews is not None:
        try:
            ccnews_paths_url(str(ccnews))
        except ValueError as error:
            raise ArgumentError(str(error)) from None
    since = parse_day("since", str(kwargs["since"])) if kwargs.get("since") else None
    until = parse_day("until", str(kwargs["until"])) if kwargs.get("until") else None
    if since and until and since > until:
        raise ArgumentError(f"since={since} is after until={until}")
    return CrawlPlan(
        archives=archives,
        ccnews=str(ccnews).strip() if ccnews is not None else None,
        since=since,
        until=until,
        browser="never",
    )


class ArchiveReader(Protocol):
    """What the archive route needs of the site spider: its plan, crawler, site and state, its
    readers (:attr:`readers`), its items (:meth:`article_item`) and its accounting."""

    plan: CrawlPlan
    crawler: Crawler

    @property
    def site(self) -> Site: ...

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def state(self) -> StateStore: ...

    def count(self, event: str, by: int = 1) -> None: ...

    def skip(self, reason: str, url: str, detail: str = "") -> None: ...

    @property
    def readers(self) -> PageReaders: ...

    def article_item(self, response: TextResponse, page: ReadPage) -> Iterator[Any]: ...

    def in_window(self, item: ArticleItem) -> bool: ...


class ArchiveRoute:
    """The items of a site's article pages in the archives the spider's plan names."""

    def __init__(self, spider: ArchiveReader) -> None:
        self.spider = spider
        self._sent: list[asyncio.Future[list[Reading | Exception]]] = []
        self._hosts: dict[str, bool] = {}

    @property
    def limit(self) -> int:
        """``DOWNLOAD_MAXSIZE``: the most bytes of an archive record, of its decoded body and
        of a CC-NEWS list, as of a fetched page (0, no limit for pages, is 16 MB here: an
        archive is never read unbounded)."""
        return self.spider.crawler.settings.getint("DOWNLOAD_MAXSIZE") or DEFAULT_LIMIT

    def sources(self) -> list[str]:
        """The archives to read: ``warc=``'s, then the month ``ccnews=`` names (its list is
        fetched from Common Crawl, or the base URL ``NEWSCRAWL_CCNEWS_BASE`` names; a list
        that cannot be read is an ERROR, and a source that failed)."""
        spider = self.spider
        sources = list(spider.plan.archives)
        if spider.plan.ccnews:
            base = ccnews_base(spider.crawler.settings.get("NEWSCRAWL_CCNEWS_BASE"))
            listing = ccnews_paths_url(spider.plan.ccnews, base)
            limit = self.limit
            try:
                sources += ccnews_list(listing, base, limit)
            except (OSError, TooLarge, ArchiveDamaged) as error:
                event = self.failed(error, records=0)
                spider.logger.error(
                    "Could not read the CC-NEWS list %s (%s): %s", listing, event, describe(error)
                )
        return sources

    def failed(self, error: BaseException, records: int) -> str:
        """Count a source (an archive, a CC-NEWS list) that could not be read to its end, as
        ``archive/<event>``, and as ``archive/sources_failed`` when not one of its records
        (``records``) could be read; the event."""
        if isinstance(error, ArchiveDamaged):
            event = error.kind
        elif isinstance(error, RedirectRefused):
            event = "refused"
        elif isinstance(error, TooLarge):
            event = "too_large"
        else:
            event = "unreadable"
        self.spider.count(f"archive/{event}")
        self.spider.count("archive/sources_failed" if records == 0 else "archive/sources_read")
        return event

    async def items(self) -> AsyncIterator[Any]:
        """The items of the site's article pages in the archives (see
        :mod:`newscrawl.archives`): each archive streamed, a damaged one reported with a
        WARNING after what it held before the damage was read; an archive a redirect led
        where no download may go, or that cannot be opened, with a WARNING too. A capture
        over the size limit is skipped as ``too_large``; a split article whose archives hold
        neither its single-page view nor more than some of its pages as ``incomplete``.
        Each archive is counted as ``archive/sources_read`` or, when not one of its records
        could be read, ``archive/sources_failed`` (the health check fails a run whose every
        source failed)."""
        spider = self.spider
        counts = ArchiveCounts()
        split: dict[str, str] = {}  # article id -> a page of it, while its whole text is unread
        read: set[str] = set()  # article ids exported (or outside the window) in this run
        kept = paused = passed = 0
        started = time.monotonic()
        limit = self.limit
        try:
            reader = self.reader
        except ValueError as error:  # never another reader than the one asked for
            spider.logger.error("NEWSCRAWL_WARC_READER: %s; no archive was read", error)
            spider.count("archive/sources_failed")
            return
        if default_reader() != "fastwarc":
            spider.logger.warning(
                "FastWARC is not installed: warcio reads the archives (the same records, "
                "some three times slower)"
            )
        spider.ledger.remembers_failures = False  # a bad capture says nothing of the site now
        sources = self.sources()
        if local_bytes(sources) >= WORKER_AT_ONCE_BYTES:
            spider.readers.start_later()
        for source in sources:
            spider.logger.info("Reading archive %s", source)
            before = counts.read
            reading: deque[_Reading] = deque()  # in archive order
            batch: list[_Reading] = []  # for the worker, not sent yet
            try:
                for capture in read_captures(source, counts, self.wanted, limit, reader):
                    if counts.read - paused >= ARCHIVE_BREATHE:  # a big archive of other
                        paused = counts.read  # sites' pages: the reactor still answers
                        await sleep(0)
                    if capture is None:
                        passed += 1
                        continue
                    if isinstance(capture, Oversized):
                        reading.append(_Reading(capture, oversized=True))
                    else:
                        reading.append(self.start_reading(capture, read, reading, batch))
                    if len(batch) >= BATCH:
                        await self.send(batch)
                    while reading and (reading[0].done() or len(reading) > AHEAD):
                        if reading[0].unsent():  # it waits for its batch: send it
                            await self.send(batch)
                        for output in await self.finish(reading.popleft(), source, split, read):
                            kept += isinstance(output, ArticleItem)
                            yield output
            except ArchiveDamaged as damage:
                self.failed(damage, damage.records)
                spider.logger.warning(
                    "Archive %s is %s (%s); %d record(s) before the damage were read, going "
                    "on with the next archive",
                    damage.source,
                    damage.kind,
                    damage,
                    damage.records,
                )
            except RedirectRefused as refused:
                self.failed(refused, counts.read - before)
                spider.logger.warning("Refused archive %s: %s", source, refused)
            except OSError as error:
                self.failed(error, counts.read - before)
                spider.logger.warning("Could not read archive %s (%s)", source, describe(error))
            else:
                spider.count("archive/sources_read")
            await self.send(batch)
            while reading:  # what was read before the end (or the damage) of the archive
                for output in await self.finish(reading.popleft(), source, split, read):
                    kept += isinstance(output, ArticleItem)
                    yield output
        for article_id, url in split.items():
            if article_id not in read:
                spider.skip("incomplete", url, "the archives hold some of its pages, no whole text")
        for name, value in (
            ("records_read", counts.read),
            ("responses", counts.responses),
            ("revisits", counts.revisits),
            ("undecodable", counts.undecodable),
            ("too_large", counts.too_large),
            ("records_kept", kept),
            ("passed_over", passed),
        ):
            spider.count(f"archive/{name}", value)
        seconds = max(time.monotonic() - started, 1e-6)
        spider.logger.info(
            "Read %d archive record(s) in %.1f s, %.0f a second: %d response(s), %d "
            "revisit(s); passed over %d record(s) not wanted (other hosts', other kinds), "
            "%.0f a second; kept %d article(s), %.0f a second",
            counts.read,
            seconds,
            counts.read / seconds,
            counts.responses,
            counts.revisits,
            passed,
            passed / seconds,
            kept,
            kept / seconds,
        )

    @property
    def reader(self) -> str:
        """``NEWSCRAWL_WARC_READER``: ``fastwarc``, ``warcio`` or ``auto`` (FastWARC when it
        is installed); :class:`ValueError` for one not known or not installed."""
        return reader_named(self.spider.crawler.settings.get("NEWSCRAWL_WARC_READER"))

    def start_reading(
        self, capture: Capture, read: set[str], reading: deque[_Reading], batch: list[_Reading]
    ) -> _Reading:
        """One response record: an article page of the site answered 200 and not exported
        yet is read by the page objects, as a page fetched from the site would be: put in the
        ``batch`` for a reading worker while the worker holds fewer than :data:`IN_WORKER`
        batches, else read here (both cores read pages). What it gives is taken in archive
        order (:meth:`finish`)."""
        spider = self.spider
        urls = spider.site.urls
        article_id = urls.article_id(capture.url)
        if article_id is None:
            return _Reading(capture)
        if article_id in read or spider.state.has_article(article_id):
            return _Reading(capture, article_id, known=True)  # known then, known when taken
        headers = {k: v for k, v in capture.headers if k.lower() == "content-type"}
        response = HtmlResponse(capture.url, status=200, headers=headers, body=capture.body)
        follow_pager = urls.page(capture.url) != "all"
        workers = spider.readers.workers
        if workers and len(self.sent) < IN_WORKER * workers:
            pending = _Reading(capture, article_id, response, follow_pager=follow_pager)
            batch.append(pending)
            return pending
        try:  # an archived capture has no retry to compare with: never taken as whole
            page: Reading | Exception = read_site(
                response, spider.site.article_layouts, follow_pager, False
            )
        except Exception as error:  # one bad page never ends the archive run
            page = error
        fresh = not reading  # taken as soon as read: the state was asked just now
        # with NEWSCRAWL_READ_WORKERS=auto a worker starts after NEWSCRAWL_READ_WORKER_AFTER
        # pages read here: a small archive is read without one, a backfill on both cores
        spider.readers.read_here()
        return _Reading(capture, article_id, response, fresh=fresh, page=page)

    @property
    def sent(self) -> list[asyncio.Future[list[Reading | Exception]]]:
        """The batches in a worker, not read yet."""
        self._sent = [task for task in self._sent if not task.done()]
        return self._sent

    async def send(self, batch: list[_Reading]) -> None:
        """The pages of ``batch`` sent to a reading worker, as one task; ``batch`` emptied."""
        if not batch:
            return
        pages = []
        for pending in batch:
            capture = pending.capture
            assert isinstance(capture, Capture)
            headers = {k: v for k, v in capture.headers if k.lower() == "content-type"}
            pages.append((capture.url, 200, headers, capture.body, pending.follow_pager))
        task = asyncio.ensure_future(
            self.spider.readers.read_site_batch(
                HtmlResponse, pages, self.spider.site.article_layouts, False
            )
        )
        self.sent.append(task)
        for index, pending in enumerate(batch):
            pending.task, pending.index = task, index
        batch.clear()
        await asyncio.sleep(0)  # the batch is sent to the worker now

    async def finish(
        self, reading: _Reading, source: str, split: dict[str, str], read: set[str]
    ) -> list[Any]:
        """What a record read by :meth:`start_reading` gives, in archive order: an article
        already exported or read earlier in the run gives nothing (``archive/known``), a page
        of a split article waits for its whole text, an item outside the window is counted."""
        spider = self.spider
        capture = reading.capture
        if reading.oversized:
            spider.skip("too_large", capture.url, f"its capture is over {self.limit} bytes")
            return []
        if reading.article_id is None:
            return []
        article_id = reading.article_id
        if (
            reading.known
            or article_id in read
            or (not reading.fresh and self.shared and spider.state.has_article(article_id))
        ):
            spider.count("archive/known")
            return []
        page = reading.page
        if reading.task is not None:
            try:
                page = (await reading.task)[reading.index]
            except Exception as error:
                page = error
        outputs: list[Any] = []
        try:
            if isinstance(page, Exception):
                raise page
            assert page is not None and reading.response is not None
            if page.is_multipage():
                split.setdefault(reading.article_id, capture.url)  # its whole text may come
                return []
            for output in spider.article_item(reading.response, page):
                if isinstance(output, ArticleItem):
                    read.add(reading.article_id)  # a bad capture before leaves a later one
                    if not spider.in_window(output):  # its chance
                        spider.count("archive/outside_window")
                        continue
                outputs.append(output)
        except Exception:  # one bad page never ends the archive run
            spider.count("archive/unreadable_record")
            spider.logger.exception("Could not read %s from %s", capture.url, source)
            return []
        return outputs

    @property
    def shared(self) -> bool:
        """Whether others may commit articles to the state while this run reads (distributed
        mode). A SQLite state has this run for its only writer (the run lock): it learns
        only what this run exported, whose ids are in the run's ``read`` already, so an
        article unknown to it when its record was read is unknown when it is taken."""
        return not isinstance(self.spider.state, SQLiteState)

    def wanted(self, url: str, status: int) -> bool:
        """A response record to read: an article URL of the site answered 200 (another answer
        for one is counted as ``archive/not_ok``). Whether its URL is on the site's domain is
        remembered by the URL's scheme and host (all before its third ``/``, which decides
        them): another host's records are passed over without a URL parsed."""
        urls = self.spider.site.urls
        prefix = _before_path(url)
        on_site = self._hosts.get(prefix)
        if on_site is None:
            if len(self._hosts) >= HOSTS_REMEMBERED:
                self._hosts.clear()
            on_site = self._hosts[prefix] = on_domain(url, urls.domain)
        if not on_site or not urls.has_article_path(url):  # on_domain remembered above
            return False
        if status != 200:
            self.spider.count("archive/not_ok")
            return False
        return True


def local_bytes(sources: list[str]) -> int:
    """The size of the local archives among ``sources`` (a remote one, or one that cannot be
    read, counts nothing: reading it says why)."""
    total = 0
    for source in sources:
        if not is_remote(source):
            with suppress(OSError):
                total += Path(source).stat().st_size
    return total


def _before_path(url: str) -> str:
    """``url`` up to its third ``/`` (all of it when it has fewer): what decides its scheme
    and host (they end before it), as :func:`urllib.parse.urlsplit` reads them."""
    first = url.find("/")
    second = url.find("/", first + 1) if first >= 0 else -1
    third = url.find("/", second + 1) if second >= 0 else -1
    return url[:third] if third >= 0 else url


@dataclass(eq=False)
class _Reading:
    """A capture on its way to its item: known already, read here (``page``: the page or
    the error reading it raised), or being read in a worker (``task``)."""

    capture: Capture | Oversized
    article_id: str | None = None
    response: HtmlResponse | None = None
    #: Read here with no capture before it waiting: taken at once, with nothing between.
    fresh: bool = False
    known: bool = False
    oversized: bool = False
    page: Reading | Exception | None = None
    #: Its pager is followed (not the single-page view).
    follow_pager: bool = True
    #: The batch it is read in, and its place there (no task yet: the batch is unsent).
    task: asyncio.Future[list[Reading | Exception]] | None = None
    index: int = 0

    def unsent(self) -> bool:
        """In a batch for a worker that is not sent yet."""
        return self.task is None and not self.done()

    def done(self) -> bool:
        if self.task is None:
            return self.page is not None or self.known or self.article_id is None
        return self.task.done()
