"""The news spider: it plans a crawl of one site and hands pages to the site's page objects.

It reads the spider arguments, decides which listing pages to fetch (the daily index, start
URLs) and which articles to follow, and accounts for pages that give no item. What a site
looks like comes from its module (:class:`newscrawl.sites.Site`, ``newscrawl/sites/<slug>.py``):
``scrapy crawl <slug>`` runs ``NewsSpider.for_site(site)``, made by the spider loader. The run
(lock, state, feed) belongs to the run report (:class:`newscrawl.run.Run`); the browser
fallback is a downloader middleware (:class:`newscrawl.browser.BrowserFallbackMiddleware`)
switched on by an add-on; an archive run is the archive route's
(:class:`newscrawl.archive_route.ArchiveRoute`); the days are paced by :mod:`newscrawl.days`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from newscrawl.archive_route import ArchiveRoute
from newscrawl.arguments import CrawlPlan, default_window, today_wib
from newscrawl.browser import BROWSER_META, WAIT_FOR_META
from newscrawl.days import DAY_START, day_priority, room_for_a_day
from newscrawl.ledger import FINAL_FAILURES, Ledger
from newscrawl.pages.base import sitemap_links
from newscrawl.paging import plan_paging
from newscrawl.plans import site_plan
from newscrawl.processors import WIB
from newscrawl.sites import Site, is_sitemap_url
from newscrawl.spiders.common import PLAN_SETTING, BaseNewsSpider, asked, published_day
from newscrawl.state import EXPORTED
from newscrawl.urls import canonical_page_url

#: What other modules import from here (the shared spider lives in
#: :mod:`newscrawl.spiders.common`).
__all__ = ["PLAN_SETTING", "BaseNewsSpider", "NewsSpider", "asked", "published_day"]


#: How an index page an index waits for is named (:meth:`~newscrawl.ledger.Ledger.waits_for`).
INDEX_PAGE = "page:"


def checked_parse_index(site: Site, today: date) -> Any:
    """:meth:`NewsSpider.parse_index` for ``site``, with Scrapy contracts in its docstring
    (``scrapy check <slug>``): yesterday's index page (WIB) of all channels, a real page of
    the live site whatever the day, leads to article requests and gives no item. (Article
    callbacks carry none: a contract names one fixed URL, and a site module names no article
    of its own; ``scrapy check news`` reads one. See docs/crawling.md.)"""
    url = site.index.url(today - timedelta(days=1), site.index.all_channel, 1)

    def parse_index(self: NewsSpider, response: Response) -> Iterator[Request]:
        yield from NewsSpider.parse_index(self, response)

    parse_index.__doc__ = (
        f"{NewsSpider.parse_index.__doc__}\n"
        f"        @url {url}\n        @returns items 0 0\n        @returns requests 1\n"
    )
    return parse_index


class NewsSpider(BaseNewsSpider):
    """The spider of one site (:attr:`site`); :meth:`for_site` makes it from a site module."""

    #: The site crawled: its URL rules, page objects, index and start pages.
    site: ClassVar[Site]
    allowed_domains: ClassVar[list[str]] = []
    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"since", "until", "channels", "start_urls", "backfill", "browser", "warc", "ccnews"}
    )

    @classmethod
    def for_site(cls, site: Site) -> type[NewsSpider]:
        """The spider ``scrapy crawl <slug>`` runs for ``site``."""
        name = "".join(part.title() for part in site.slug.replace("-", "_").split("_"))
        attributes = {
            "name": site.slug,
            "site": site,
            "allowed_domains": [site.domain],
            "__doc__": f"{site.description or site.domain}: ``-a since=YYYY-MM-DD -a until="
            f"YYYY-MM-DD -a channels={site.index.all_channel}`` or ``-a start_urls=URL[,URL...]``"
            f" ({site.start_url_kind()} URLs).",
            "__module__": site.module or cls.__module__,
            "parse_index": checked_parse_index(site, today_wib()),
        }
        return type(f"{name}Spider", (cls,), attributes)

    def __init__(self, *args: Any, plan: CrawlPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self._requested_ids: set[str] = set()

    # -- arguments ------------------------------------------------------------------------

    @classmethod
    def plan_for(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        """What the spider arguments ask for (:func:`newscrawl.plans.site_plan`);
        :class:`ArgumentError` for bad ones."""
        return site_plan(cls.site, cls.argument_names, kwargs)

    # -- set-up ---------------------------------------------------------------------------

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger.for_site(self.crawler, self.site)

    def window(self, today: date) -> tuple[date, ...]:
        """The days of a run without dates (:func:`newscrawl.arguments.default_window`), back
        to ``NEWSCRAWL_CATCHUP_DAYS`` before today for days whose index is not closed yet."""
        catchup = self.crawler.settings.getint("NEWSCRAWL_CATCHUP_DAYS", 3)
        return default_window(today, catchup, self.day_closed)

    def day_closed(self, day: date) -> bool:
        """True when every planned channel's index of ``day`` was paged to its end by a run
        that started after the day was over (WIB): nothing can still appear on it."""
        over = datetime.combine(day + timedelta(days=1), time(0), WIB)
        for channel in self.plan.channels:
            completed = self.state.index_completed_at(self.day_key(day, channel))
            if completed is None or completed < over:
                return False
        return True

    def day_key(self, day: date, channel: str) -> str:
        """The state's name of the index of ``day`` and ``channel``."""
        return self.site.index.day_key(day, channel)

    # -- the plan -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.plan.from_archives:  # a source of responses, not a plan of requests
            async for item in ArchiveRoute(self).items():
                yield item
            return
        if self.plan.default_window:
            self.plan = replace(self.plan, days=self.window(self.plan.days[-1]))
        if self.run is not None:
            self.run.days = [day.isoformat() for day in self.plan.days]
        if self.plan.start_urls:
            self.logger.info("Crawling %d start URL(s)", len(self.plan.start_urls))
            for url in self.plan.start_urls:
                for request in self.start_url_requests(url):
                    yield request
            return
        self.logger.info(
            "Crawling %s%s, channels %s%s",
            ", ".join(map(str, self.plan.days)),
            " (yesterday, today and days not closed yet)" if self.plan.default_window else "",
            ",".join(self.plan.channels),
            " (backfill: every index page)" if self.plan.backfill else "",
        )
        days, queued = self.days.resume_plan(list(self.plan.days))
        if queued:
            self.logger.info("Going on with the plan from day %d of %d", queued + 1, len(days))
        for rank, day in enumerate(days):
            if rank < queued:
                continue
            await room_for_a_day(self.crawler, self.days)
            for channel in self.plan.channels:
                request = self.index_request(day, channel, 1, day_priority(rank))
                request.meta[DAY_START] = True  # asked for once: never the dupefilter's
                request = request.replace(dont_filter=True)
                self.days.day_planned()
                yield request
            # resumed once the engine queued the day's last request
            self.days.day_queued(rank + 1)

    def index_request(self, day: date, channel: str, page: int, priority: int = 0) -> Request:
        return self.index_page_request(self.site.index.url(day, channel, page), priority)

    def index_page_request(self, url: str, priority: int = 0, **meta: Any) -> Request:
        """An index page; its articles get the next lower priority (:func:`day_priority`)."""
        return Request(
            url,
            callback=self.parse_index,
            errback=self.on_error,
            meta={"kind": "index", **meta},
            priority=priority,
        )

    def start_url_requests(self, url: str) -> Iterable[Request]:
        """An article URL is followed like an index row; any other goes to :meth:`parse_start`."""
        if self.site.urls.is_article(url):
            return self.follow_articles([self.site.urls.canonical(url)])
        meta = {"kind": "start"}
        return [
            Request(canonical_page_url(url), self.parse_start, errback=self.on_error, meta=meta)
        ]

    def article_request(self, url: str, priority: int = 0) -> Request:
        """An article page; the browser middleware may render it (``-a browser=``), waiting
        for the site's article markup."""
        meta = {
            "kind": "article",
            BROWSER_META: self.plan.browser,
            WAIT_FOR_META: self.site.article_markup_css,
        }
        return Request(url, self.parse_article, errback=self.on_error, meta=meta, priority=priority)

    def article_id(self, url: str) -> str | None:
        return self.site.urls.article_id(url)

    # -- index pages ----------------------------------------------------------------------

    @property
    def max_index_pages(self) -> int:
        """``NEWSCRAWL_MAX_INDEX_PAGES``: no index (one day, one channel) is paged further."""
        return max(1, self.crawler.settings.getint("NEWSCRAWL_MAX_INDEX_PAGES", 100))

    def parse_start(self, response: Response) -> Iterator[Any]:
        """A start URL that is not an article: a sitemap, an index page or a landing page (as
        the site's ``start_pages`` allow), by URL and content."""
        site = self.site
        if "sitemap" in site.start_pages and (
            is_sitemap_url(response.url, site.domain) or response.body.lstrip()[:5] == b"<?xml"
        ):
            yield from self.parse_sitemap(response)
        elif not isinstance(response, TextResponse):
            self.skip("start_unreadable", asked(response), "not a text page")
        elif "landing" in site.start_pages and not site.index.is_index(response.url):
            yield from self.parse_landing(response)
        else:
            yield from self.parse_index(response)

    def parse_landing(self, response: Response) -> Iterator[Request]:
        """A section landing page: its rows, read by the site's listing page (no paging)."""
        assert isinstance(response, TextResponse)
        links = self.site.listing(response).links()
        self.count("discovery/landing_pages")
        yield from self.follow_articles(links.articles, links.rejected)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """A (Google News) sitemap: its article URLs."""
        links = sitemap_links(response.body, self.site.urls)
        self.count("discovery/sitemaps")
        yield from self.follow_articles(links.articles, links.rejected)

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """What ``scrapy parse --spider <site> URL`` calls: an article page gives its item as
        the page objects read it, any other page what its start URL would lead to."""
        if self.site.urls.is_article(response.url):
            async for output in self.parse_article(response):
                yield output
        else:
            for output in self.parse_start(response):
                yield output

    def parse_index(self, response: Response) -> Iterator[Request]:
        """An index page (newest first): its rows, then the pages that follow.

        The first pass over an index gets all its pages (at once when the site shows the
        page count, else one after another until a page lists no article). An index a
        committed run paged to its end before is paged one page at a time, stopping after a
        page that lists nothing new; ``backfill=1`` always pages through. See
        :func:`newscrawl.paging.plan_paging`.
        """
        self.day_read(response.request)
        if not isinstance(response, TextResponse):
            self.skip("index_unreadable", asked(response), "not a text page")
            return
        listing = self.site.listing(response)
        if not listing.is_complete() and not self.whole_without_end(response):
            prefix = f"{response.meta.get('kind', 'index')}_"
            yield from self.retry_or_skip(
                response, "truncated", "the listing ends before </html>", prefix
            )
            return
        links = listing.links()
        self.count("discovery/index_pages")
        index = self.site.index
        key = index.key(response.url)
        priority = response.request.priority if response.request is not None else 0
        requests = self.follow_articles(
            links.articles, links.rejected, index_key=key, priority=priority - 1
        )
        yield from requests
        page = index.page_of(response.url)
        grown: range = range(0)
        if "incremental" in response.meta:
            total, incremental = response.meta["total_pages"], response.meta["incremental"]
            fresh = listing.total_pages()
            if total is not None and fresh is not None and fresh > total and not incremental:
                # the index grew while it was paged: fetch its new tail too
                grown = range(total + 1, min(fresh, self.max_index_pages) + 1)
                total = fresh
        else:
            total = listing.total_pages()
            incremental = not self.plan.backfill and self.state.index_complete(key)
        cap = self.max_index_pages
        paging = plan_paging(
            page,
            total,
            listed=bool(links.articles),
            new=bool(requests),
            incremental=incremental,
            cap=cap,
        )
        if paging.complete:
            self.ledger.index_complete(key)
        if paging.early_stop:
            self.count("discovery/early_stop")
            self.logger.info("Stopped paging %s: page %d lists nothing new", response.url, page)
        if paging.capped:
            self.count("discovery/index_cap")
            self.logger.warning(
                "Stopped paging %s at page %d: NEWSCRAWL_MAX_INDEX_PAGES=%d",
                response.url,
                page,
                cap,
            )
        for number in (*paging.following, *grown):
            url = index.with_page(response.url, number)
            self.ledger.waits_for(key, INDEX_PAGE + url)
            yield self.index_page_request(
                url, priority, total_pages=total, incremental=incremental, index_page=url
            )
        # this page is read (after the pages it asked for were noted): its index may settle
        self.ledger.done_with(key, INDEX_PAGE + str(response.meta.get("index_page", "")))

    # -- following articles ---------------------------------------------------------------

    def follow_articles(
        self,
        urls: Iterable[str],
        rejected: Iterable[str] = (),
        index_key: str | None = None,
        priority: int = 0,
    ) -> list[Request]:
        """Requests for canonical article URLs not yet requested in this run nor known.

        Known: exported by an earlier run, or failed recently (``NEWSCRAWL_RETRY_AFTER_HOURS``).
        """
        for url in rejected:
            self.count("discovery/rejected")
            self.logger.debug("Not following %s: not an article of %s", url, self.site.domain)
        requests = []
        for url in urls:
            article_id = self.article_id(url)
            if article_id is None:
                self.count("discovery/rejected")
                continue
            if article_id in self._requested_ids:
                self.count("discovery/repeated")
                continue
            self._requested_ids.add(article_id)
            reason = self.not_to_fetch(article_id, url)
            if reason is not None:
                # a failure that may come right keeps the index that lists it incomplete
                if reason not in (EXPORTED, *FINAL_FAILURES) and index_key is not None:
                    self.ledger.index_incomplete(index_key)
                continue
            self.count("discovery/new")
            if index_key is not None:
                self.ledger.listed(article_id, index_key)
                self.ledger.waits_for(index_key, article_id)
            requests.append(self.article_request(url, priority))
        return requests

    # -- articles -------------------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        """An article page: its item, or the whole text (``?page=all``) when it is split. The
        site's page objects read it in a worker process when there is one
        (:meth:`~newscrawl.pages.reading.PageReaders.read_site`); this spider only plans."""
        if not isinstance(response, TextResponse):
            self.skip("no_body", asked(response), "not a text page")
            return
        urls = self.site.urls
        follow_pager = urls.page(response.url) != "all"
        whole = self.taken_as_whole(response)
        layouts = self.site.article_layouts
        page = await self.readers.read_site(response, layouts, follow_pager, whole)
        if page.is_multipage():
            self.count("discovery/multipage")
            priority = response.request.priority if response.request is not None else 0
            yield self.article_request(urls.whole_text(response.url), priority)
            return
        for output in self.article_item(response, page):
            yield output
