"""The news spider: it plans a crawl of one site and hands pages to the site's page objects.

It reads the spider arguments, decides which listing pages to fetch (the daily index, start
URLs) and which articles to follow, and accounts for pages that give no item. What a site
looks like comes from its module (:class:`newscrawl.sites.Site`, ``newscrawl/sites/<slug>.py``):
``scrapy crawl <slug>`` runs ``NewsSpider.for_site(site)``, made by the spider loader. The run
(lock, state, feed) belongs to the run report (:class:`newscrawl.run.Run`); the browser
fallback is a downloader middleware (:class:`newscrawl.browser.BrowserFallbackMiddleware`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, ClassVar, Protocol, Self

import scrapy
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import sleep
from twisted.python.failure import Failure

from newscrawl.archive_route import ArchiveRoute, archive_plan, wants_archives
from newscrawl.arguments import (
    RUN_OPTIONS,
    ArgumentError,
    CrawlPlan,
    check_names,
    date_range,
    default_window,
    parse_channels,
    parse_start_urls,
    run_options,
    today_wib,
)
from newscrawl.browser import (
    BROWSER_META,
    BROWSER_MODES,
    WAIT_FOR_META,
    is_challenge,
    is_js_check,
)
from newscrawl.frontier import Frontier
from newscrawl.items import ArticleItem
from newscrawl.ledger import FINAL_FAILURES, RETRIED_HERE, Ledger, failure_reason, response_reason
from newscrawl.middlewares import origin_url
from newscrawl.pages.base import ArticlePage, ReadPage, find_layout, sitemap_links
from newscrawl.paging import plan_paging
from newscrawl.processors import WIB
from newscrawl.run import RUN_PLAN, Run
from newscrawl.sites import Site, is_sitemap_url
from newscrawl.state import EXPORTED, SQLiteState, StateStore
from newscrawl.urls import canonical_page_url

#: The setting through which ``scrapy crawl`` hands the spider the arguments it read (a
#: :class:`~newscrawl.arguments.CrawlPlan`), so that they are read once.
PLAN_SETTING = RUN_PLAN


def asked(response: Response) -> str:
    """The URL that was asked for, before any redirect: what a page is counted under (a skip,
    a failure remembered, the index it keeps incomplete), never a URL a redirect named."""
    return origin_url(response.request) if response.request is not None else response.url


#: How an index page an index waits for is named (:meth:`~newscrawl.ledger.Ledger.waits_for`).
INDEX_PAGE = "page:"
#: Meta key of the first index page of a planned day (see :meth:`NewsSpider.day_read`).
DAY_START = "newscrawl_day_start"
#: How often :meth:`NewsSpider.room_for_a_day` looks again (seconds).
PACING_POLL_SECONDS = 0.05
#: Meta key of the retry of a page that ended before ``</html>``: the SHA-256 of the bytes the
#: try before it returned (see :meth:`BaseNewsSpider.whole_without_end`).
UNENDED_DIGEST = "newscrawl_unended_sha256"
#: The end of a whole page that has no ``</html>``: its ``</body>`` near the end, or its footer
#: (a ``<footer>`` element, or an element whose id or class names one). A page cut short (in
#: half, say) stops before its footer.
_PAGE_END = re.compile(rb"<footer[\s>]|\s(?:id|class)\s*=\s*[\"']?[^\"'>]*footer", re.IGNORECASE)


def published_day(value: str | None) -> date | None:
    """The day (WIB) of an item's ``published_at``: a time in any offset placed in WIB, a
    date alone as it is; None for no value or another form."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        time_ = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return time_.astimezone(WIB).date() if time_.tzinfo else time_.date()


def ends_like_a_page(body: bytes) -> bool:
    """True when an HTML document without ``</html>`` still reaches the end of its page: its
    ``</body>`` is in its last 2 KB, or it holds the page's footer."""
    return b"</body" in body[-2048:].lower() or _PAGE_END.search(body) is not None


class DayCount(Protocol):
    """Days planned whose first index page did not come back yet, and how far the plan is
    queued (in distributed mode a seeder that takes over a tick goes on from there)."""

    def resume_plan(self, days: list[date]) -> tuple[list[date], int]: ...

    def day_queued(self, days: int) -> None: ...

    def day_planned(self) -> None: ...

    def day_read(self) -> None: ...

    def days_unread(self) -> int: ...


class LocalDays:
    """:class:`DayCount` of one process (on one machine; the frontier keeps a tick's)."""

    def __init__(self) -> None:
        self.unread = 0

    def resume_plan(self, days: list[date]) -> tuple[list[date], int]:
        return days, 0

    def day_queued(self, days: int) -> None:
        """Nobody takes a plan over on one machine."""

    def day_planned(self) -> None:
        self.unread += 1

    def day_read(self) -> None:
        self.unread -= 1

    def days_unread(self) -> int:
        return self.unread


def day_priority(rank: int) -> int:
    """The priority of the index pages of the ``rank``-th day of a plan (0 first); its
    articles get one less, and the next day's index pages less again. So the scheduler serves
    a day's index pages, then its articles, before anything of the next day: a day's article
    requests are made only as the crawl reaches it, and a year's backfill never queues more
    than about a day of them (all the days' first index pages wait, a few hundred requests)."""
    return -3 * rank


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


class BaseNewsSpider(scrapy.Spider):
    """What every spider of ours shares: the arguments read once (:meth:`plan_for`, handed
    over by ``scrapy crawl``), the run's name, state and ledger, and what becomes of a page
    that fails. :class:`NewsSpider` crawls a site module's site; the ``news`` spider
    (:mod:`newscrawl.spiders.news`) any news site."""

    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset()
    #: Whether it runs in distributed mode (``NEWSCRAWL_REDIS_URL``), and why not.
    distributable: ClassVar[bool] = True
    not_distributable: ClassVar[str] = ""
    #: Whether health is judged site by site (:meth:`site_of`; the ``news`` spider): a site
    #: whose markup checks fail has its own articles withheld, not the others'. A site
    #: spider's run is judged whole.
    per_site_health: ClassVar[bool] = False
    #: Whether an article without a publication date is exported (``published_at: null``;
    #: the ``news`` spider) rather than dropped as ``missing_published_at``.
    allows_undated: ClassVar[bool] = False
    #: Whether times are exported as pages give them (the page's own offset, a date alone;
    #: the ``news`` spider) rather than in WIB (``+07:00``, checked by the validation).
    page_times: ClassVar[bool] = False

    def __init__(self, *args: Any, plan: CrawlPlan | None = None, **kwargs: Any) -> None:
        """``plan``: the arguments as ``scrapy crawl`` read them (:data:`PLAN_SETTING`), else
        they are read here (Scrapy's tools, scripts)."""
        self.plan = plan if plan is not None else self.read_plan(kwargs)
        super().__init__(*args)

    @classmethod
    def read_plan(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        """:meth:`plan_for` the spider's own arguments, with the run's options every spider
        takes (:data:`~newscrawl.arguments.RUN_OPTIONS`: ``max_articles``, ``fresh``)."""
        check_names(kwargs, cls.argument_names | RUN_OPTIONS)
        max_articles, fresh = run_options(kwargs)
        plan = cls.plan_for({k: v for k, v in kwargs.items() if k not in RUN_OPTIONS})
        return replace(plan, max_articles=max_articles, fresh=fresh)

    @classmethod
    def plan_for(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        """What the spider arguments ask for; :class:`ArgumentError` for bad ones."""
        raise NotImplementedError

    @classmethod
    def run_name(cls, plan: CrawlPlan) -> str:
        """Where the run's lock, state and feeds live under the output folder (default: the
        spider's name)."""
        return str(cls.name)

    @property
    def ledger(self) -> Ledger:
        """What became of the pages that gave no item (:mod:`newscrawl.ledger`)."""
        raise NotImplementedError

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The run deadline (``NEWSCRAWL_RUN_DEADLINE`` as ``CLOSESPIDER_TIMEOUT``, unless that
        is set). Modes (the browser, distributed mode) are switched on by add-ons
        (:mod:`newscrawl.addons`), never here."""
        super().update_settings(settings)
        if settings.getpriority("CLOSESPIDER_TIMEOUT") == SETTINGS_PRIORITIES["default"]:
            deadline = settings.getfloat("NEWSCRAWL_RUN_DEADLINE", 3600)
            settings.set("CLOSESPIDER_TIMEOUT", deadline, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        plan = crawler.settings.get(PLAN_SETTING)
        if plan is not None:  # read once, by `scrapy crawl`
            kwargs = {**kwargs, "plan": plan}
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.ledger  # noqa: B018 - opened now: it counts callback errors from the start
        return spider

    @property
    def run(self) -> Run | None:
        """The run of this crawl, owned by the run report (None for ``scrapy shell``,
        ``fetch``, ``parse``: they touch no state, lock or feed)."""
        return Run.of(self.crawler)

    @cached_property
    def state(self) -> StateStore:
        """What earlier runs did: the run's state, or an empty one in memory for the tools."""
        run = self.run
        return run.state if run is not None else SQLiteState.in_memory()

    def not_to_fetch(self, article_id: str, url: str) -> str | None:
        """Why article ``article_id`` is not fetched: :data:`EXPORTED` by an earlier run
        (``discovery/known``), or the reason it failed recently (``discovery/backoff``,
        ``NEWSCRAWL_RETRY_AFTER_HOURS``); None to fetch it."""
        if self.state.has_article(article_id):
            self.count("discovery/known")
            return EXPORTED
        reason = self.state.in_backoff(article_id)
        if reason is not None:
            self.count("discovery/backoff")
            self.logger.debug("Not fetching %s yet: it was %s recently", url, reason)
        return reason

    def site_of(self, url: str) -> str:
        """The site ``url`` belongs to, for health judged site by site (``""``: the run's)."""
        return ""

    def count(self, event: str, by: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{event}", by)

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """A page that does not become an item: told to the ledger."""
        self.ledger.skip(reason, url, detail)

    def retry_or_skip(
        self, failed: Request | Response, reason: str, detail: str, prefix: str = ""
    ) -> Iterator[Request]:
        """A page that failed in a way worth another try (its request, or the response that
        came damaged): the request again (within ``RETRY_TIMES``, counted
        ``retry/reason_count/<reason>``), else a skip as ``<prefix><reason>`` under the URL
        that was asked for."""
        request = failed if isinstance(failed, Request) else failed.request
        retry = None
        if request is not None:
            retry = get_retry_request(request, spider=self, reason=reason)
        if retry is not None:
            if isinstance(failed, Response) and reason == "truncated":
                # what this try returned: a retry returning it byte for byte may be whole
                retry.meta[UNENDED_DIGEST] = hashlib.sha256(failed.body).hexdigest()
            yield retry
            return
        url = origin_url(failed) if isinstance(failed, Request) else asked(failed)
        self.skip(prefix + reason, url, detail)

    def in_window(self, item: ArticleItem) -> bool:
        """``item`` was published (WIB) inside the plan's ``since``/``until`` (either open). A
        time in another offset is placed in WIB; a date alone is its day."""
        since, until = self.plan.since, self.plan.until
        if since is None and until is None:
            return True
        day = published_day(item.published_at)
        if day is None:
            return False
        return (since is None or day >= since) and (until is None or day <= until)

    @cached_property
    def _local_days(self) -> LocalDays:
        return LocalDays()

    @property
    def days(self) -> DayCount:
        """Who counts the planned days whose first index page did not come back yet (a site
        spider's): this process, or in distributed mode the tick's frontier."""
        frontier = Frontier.of(self.crawler)  # never `or`: an empty queue makes it falsy
        return frontier if frontier is not None else self._local_days

    def day_read(self, request: Request | None) -> None:
        """The first index page of a planned day came back (or failed): the day's articles
        are known (:meth:`room_for_a_day`)."""
        if request is not None and request.meta.pop(DAY_START, False):
            self.days.day_read()

    def on_error(self, failure: Failure) -> Iterator[Request]:
        """Errback of every request: counted by why the page was not parsed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        self.day_read(request)
        kind = request.meta.get("kind", "page")
        prefix = "" if kind == "article" else f"{kind}_"
        error = failure.value
        # counted under the URL asked for, never one a redirect named
        url = origin_url(request)
        if isinstance(error, HttpError):
            response = error.response
            self.skip(prefix + response_reason(response), url, f"HTTP {response.status}")
        else:
            reason = failure_reason(error)
            if reason in RETRIED_HERE:
                yield from self.retry_or_skip(request, reason, repr(error)[:300], prefix)
            else:
                self.skip(prefix + reason, url, repr(error)[:300])

    def whole_without_end(self, response: Response) -> bool:
        """An HTML page without ``</html>`` that is whole all the same (some sites end their
        pages so): a retry returned the very bytes the try before it did
        (:data:`UNENDED_DIGEST`), and the page ends like one (:func:`ends_like_a_page`: its
        ``</body>`` or its footer). Counted ``fetch/whole_without_end``. A page cut short
        differs from try to try, or stops before its footer: it is not whole."""
        request = response.request
        if request is None or UNENDED_DIGEST not in request.meta:
            return False
        if request.meta[UNENDED_DIGEST] != hashlib.sha256(response.body).hexdigest():
            return False
        if not ends_like_a_page(response.body):
            return False
        self.count("fetch/whole_without_end")
        self.logger.info(
            "Took %s as whole: it ends without </html>, and a retry returned the same %d bytes",
            response.url,
            len(response.body),
        )
        return True

    def article_item(self, response: TextResponse, page: ReadPage) -> Iterator[Any]:
        """The page's item; counts the article page and its missing fields for health checks.

        A document cut off before its end (no closing ``</html>``: a body cut short under a
        matching length, a gzip stream cut in half) is a transport fault like a reset: it is
        retried within ``RETRY_TIMES`` (``retry/reason_count/truncated``), and skipped as
        ``truncated`` only when every try was cut short; the next run fetches it again. A page
        that a retry returns byte for byte and that ends like a whole page (its ``</body>``,
        its footer) is taken as whole (:meth:`whole_without_end`): some sites never write
        ``</html>``.
        """
        if not page.is_complete() and not self.whole_without_end(response):
            yield from self.retry_or_skip(response, "truncated", "the document ends before </html>")
            return
        if is_js_check(response) and not page.has_body():
            self.skip("blocked", asked(response), "a challenge page")
            return
        item = page.to_item()
        self.ledger.article_read(item)
        if not item.body:
            self.skip("blocked" if is_challenge(response) else "no_body", asked(response))
            return
        self.ledger.article_exported(page, asked(response), item)
        yield item


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
        """What the spider arguments ask for; :class:`ArgumentError` for bad ones (an unknown
        name, a bad date or channel, a start URL of another site, ...)."""
        check_names(kwargs, cls.argument_names)
        backfill = str(kwargs.get("backfill", "0")).strip().lower()
        if backfill not in ("0", "1", "true", "false", "yes", "no"):
            raise ArgumentError(f"backfill={backfill!r} is not 0 or 1")
        full = backfill in ("1", "true", "yes")
        browser = str(kwargs.get("browser", "fallback")).strip().lower()
        if browser not in BROWSER_MODES:
            raise ArgumentError(f"browser={browser!r} is not one of {', '.join(BROWSER_MODES)}")
        if wants_archives(kwargs):
            return archive_plan(kwargs)
        start_urls = kwargs.get("start_urls")
        if start_urls is not None:
            if any(kwargs.get(name) is not None for name in ("since", "until", "channels")):
                raise ArgumentError("start_urls= cannot be combined with since=/until=/channels=")
            urls = cls.parse_start_urls(str(start_urls))
            return CrawlPlan(start_urls=urls, backfill=full, browser=browser)
        days = date_range(kwargs.get("since"), kwargs.get("until"), today_wib())
        index = cls.site.index
        channels = parse_channels(
            str(kwargs.get("channels", index.all_channel)), index.channels, index.all_channel
        )
        default = kwargs.get("since") is None and kwargs.get("until") is None
        return CrawlPlan(
            days=days, channels=channels, backfill=full, browser=browser, default_window=default
        )

    @classmethod
    def parse_start_urls(cls, value: str) -> tuple[str, ...]:
        site = cls.site
        return parse_start_urls(value, site.accepts_start_url, site.start_url_kind())

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
            await self.room_for_a_day()
            for channel in self.plan.channels:
                request = self.index_request(day, channel, 1, day_priority(rank))
                request.meta[DAY_START] = True  # asked for once: never the dupefilter's
                request = request.replace(dont_filter=True)
                self.days.day_planned()
                yield request
            # resumed once the engine queued the day's last request
            self.days.day_queued(rank + 1)

    async def room_for_a_day(self) -> None:
        """Wait until the next day may be planned: fewer than ``NEWSCRAWL_DAYS_AHEAD`` days
        (2) whose first index page is not read yet, and fewer than ``NEWSCRAWL_BACKLOG``
        requests (200) in the scheduler; or nothing at all to do. So days are planned as the
        crawl advances, and a year's backfill holds about as many requests as a day's."""
        settings = self.crawler.settings
        ahead = max(1, settings.getint("NEWSCRAWL_DAYS_AHEAD", 2))
        backlog = max(1, settings.getint("NEWSCRAWL_BACKLOG", 200))
        while True:
            engine = self.crawler.engine
            if engine is None or not engine.running or engine.scheduler is None:
                return
            try:
                waiting = len(engine.scheduler)  # type: ignore[arg-type]
            except TypeError:  # a scheduler that cannot tell: no pacing
                return
            if waiting < backlog and self.days.days_unread() < ahead:
                return
            if waiting == 0 and not engine.downloader.active:  # idle: never stall
                return
            await sleep(PACING_POLL_SECONDS)

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

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """What ``scrapy parse --spider <site> URL`` calls: an article page gives its item as
        the page objects read it, any other page what its start URL would lead to."""
        if self.site.urls.is_article(response.url):
            yield from self.parse_article(response)
        else:
            yield from self.parse_start(response)

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

    def article_page(self, response: TextResponse) -> ArticlePage:
        """The page object of the first layout that claims the page, else of the last one."""
        layouts = self.site.article_layouts
        return find_layout(response, layouts) or layouts[-1](response)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: its item, or the whole text (``?page=all``) when it is split."""
        if not isinstance(response, TextResponse):
            self.skip("no_body", asked(response), "not a text page")
            return
        page = self.article_page(response)
        urls = self.site.urls
        if page.is_multipage() and urls.page(response.url) != "all":
            self.count("discovery/multipage")
            priority = response.request.priority if response.request is not None else 0
            yield self.article_request(urls.whole_text(response.url), priority)
            return
        yield from self.article_item(response, page)
