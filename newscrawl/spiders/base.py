"""The news spider: it plans a crawl of one site and hands pages to the site's page objects.

It reads the spider arguments, decides which listing pages to fetch (the daily index, start
URLs) and which articles to follow, and accounts for pages that give no item. What a site
looks like comes from its module (:class:`newscrawl.sites.Site`, ``newscrawl/sites/<slug>.py``):
``scrapy crawl <slug>`` runs ``NewsSpider.for_site(site)``, made by the spider loader. The run
(lock, state, feed) belongs to the run report (:class:`newscrawl.run.Run`); the browser
fallback is a downloader middleware (:class:`newscrawl.browser.BrowserFallbackMiddleware`).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, ClassVar, Self

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.arguments import (
    ArgumentError,
    CrawlPlan,
    check_names,
    date_range,
    default_window,
    parse_channels,
    parse_start_urls,
    today_wib,
)
from newscrawl.browser import (
    BROWSER_META,
    BROWSER_MODES,
    WAIT_FOR_META,
    browser_settings,
    is_challenge,
    is_js_check,
)
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.middlewares import SkipRequest, origin_url
from newscrawl.pages.base import ArticlePage, find_layout, sitemap_links
from newscrawl.paging import plan_paging
from newscrawl.processors import WIB
from newscrawl.run import Run
from newscrawl.sites import Site, is_sitemap_url
from newscrawl.state import SQLiteState, StateStore
from newscrawl.urls import canonical_page_url

#: Skip reasons the state remembers, so that the article is not fetched again too soon.
REMEMBERED_FAILURES = ("not_found", "blocked", "too_large")
#: Skip reasons that are final: an index listing such an article can still be complete.
#: Any other (a timeout, a 5xx, a block, ...) leaves the index to be paged again.
FINAL_FAILURES = ("not_found", "duplicate")
#: Failures Scrapy's retry middleware does not see (raised after the download): retried here.
RETRIED_HERE = ("corrupt_body",)


def failure_reason(error: BaseException | None) -> str:
    """Why a download failed, as a skip reason (after Scrapy's retries, where they apply)."""
    text = str(error).lower()
    if isinstance(error, SkipRequest):
        return error.reason
    if isinstance(error, IgnoreRequest):
        if "robots" in text:
            return "robots"
        return "too_large" if "larger than" in text or "maxsize" in text else "ignored"
    if isinstance(error, DownloadCancelledError) or "maxsize" in text:
        return "too_large"
    if isinstance(error, DownloadTimeoutError | TwistedTimeoutError):
        return "timeout"
    if isinstance(error, ResponseDataLossError):
        return "truncated"
    if isinstance(error, zlib.error | EOFError) or "decompress" in text:
        return "corrupt_body"
    return "download_error"


def asked(response: Response) -> str:
    """The URL that was asked for, before any redirect: what a page is counted under (a skip,
    a failure remembered, the index it keeps incomplete), never a URL a redirect named."""
    return origin_url(response.request) if response.request is not None else response.url


class NewsSpider(scrapy.Spider):
    """The spider of one site (:attr:`site`); :meth:`for_site` makes it from a site module."""

    #: The site crawled: its URL rules, page objects, index and start pages.
    site: ClassVar[Site]
    allowed_domains: ClassVar[list[str]] = []
    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"since", "until", "channels", "start_urls", "backfill", "browser"}
    )

    @classmethod
    def for_site(cls, site: Site, module: str | None = None) -> type[NewsSpider]:
        """The spider ``scrapy crawl <slug>`` runs for ``site``."""
        name = "".join(part.title() for part in site.slug.replace("-", "_").split("_"))
        attributes = {
            "name": site.slug,
            "site": site,
            "allowed_domains": [site.domain],
            "__doc__": f"{site.description or site.domain}: ``-a since=YYYY-MM-DD -a until="
            f"YYYY-MM-DD -a channels={site.index.all_channel}`` or ``-a start_urls=URL[,URL...]``"
            f" ({site.start_url_kind()} URLs).",
            "__module__": module or site.module or cls.__module__,
        }
        return type(f"{name}Spider", (cls,), attributes)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_names(kwargs, self.argument_names)
        self.plan = self.parse_arguments(kwargs)
        self.arguments = dict(kwargs)
        super().__init__(*args)
        self._requested_ids: set[str] = set()
        #: The index (``day/channel``) each article was listed on, in this run.
        self._listed_on: dict[str, str] = {}
        #: (article id asked for, its URL, the article id its redirect led to)
        self._redirected: list[tuple[str, str, str]] = []

    # -- arguments ------------------------------------------------------------------------

    @classmethod
    def check_arguments(cls, kwargs: dict[str, str]) -> None:
        """Raise :class:`ArgumentError` for bad arguments, without building a spider."""
        check_names(kwargs, cls.argument_names)
        cls.parse_arguments(kwargs)

    @classmethod
    def parse_arguments(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        backfill = str(kwargs.get("backfill", "0")).strip().lower()
        if backfill not in ("0", "1", "true", "false", "yes", "no"):
            raise ArgumentError(f"backfill={backfill!r} is not 0 or 1")
        full = backfill in ("1", "true", "yes")
        browser = str(kwargs.get("browser", "fallback")).strip().lower()
        if browser not in BROWSER_MODES:
            raise ArgumentError(f"browser={browser!r} is not one of {', '.join(BROWSER_MODES)}")
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

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """scrapy-playwright's settings from ours (Chromium path, proxy), and the run deadline
        (``NEWSCRAWL_RUN_DEADLINE`` as ``CLOSESPIDER_TIMEOUT``, unless that is set)."""
        super().update_settings(settings)
        for name, value in browser_settings(settings).items():
            settings.set(name, value, priority="spider")
        if settings.getpriority("CLOSESPIDER_TIMEOUT") == SETTINGS_PRIORITIES["default"]:
            deadline = settings.getfloat("NEWSCRAWL_RUN_DEADLINE", 3600)
            settings.set("CLOSESPIDER_TIMEOUT", deadline, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # before the run report closes the run (its handler is connected after this one)
        crawler.signals.connect(spider._remember_redirected, signal=signals.engine_stopped)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
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

    def _on_spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A callback raised: count it, and keep the page's index incomplete."""
        self.count("skipped/spider_error")
        self._unfinished(response.url)

    def _unfinished(self, url: str) -> None:
        """The article (or index page) at ``url`` may still come right: its index is not
        complete yet."""
        article_id = self.article_id(url)
        key = self._listed_on.get(article_id or "")
        if key is None and not self.site.urls.is_article(url):
            key = self.site.index.key(url)
        if key is not None:
            self.index_incomplete(key)

    def index_incomplete(self, key: str) -> None:
        """Index ``key`` has something left over in this run: it is not complete."""
        if self.run is not None:
            self.run.incomplete_indexes.add(key)

    def _remember_redirected(self) -> None:
        """An article URL that redirected to another article is recorded under its own id too,
        once the article it led to is in the state (committed by this run's publish, or by an
        earlier run): later runs do not fetch it again (``duplicate``, a final reason). Runs
        after the publish (on spider_closed), before the run is closed."""
        if self.run is None or self.run.closed:
            return
        remembered = 0
        for origin_id, origin, target_id in self._redirected:
            if self.state.has_article(target_id) and not self.state.has_article(origin_id):
                self.state.record_failure(origin_id, origin, "duplicate")
                remembered += 1
        if remembered:
            self.logger.info(
                "Remembered %d redirected article URL(s) under their own id too", remembered
            )

    # -- the plan -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
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
        for day in self.plan.days:
            for channel in self.plan.channels:
                yield self.index_request(day, channel, 1)

    def index_request(self, day: date, channel: str, page: int) -> Request:
        return self.index_page_request(self.site.index.url(day, channel, page))

    def index_page_request(self, url: str, **meta: Any) -> Request:
        return Request(
            url,
            callback=self.parse_index,
            errback=self.on_error,
            meta={"kind": "index", **meta},
            priority=10,
        )

    def start_url_requests(self, url: str) -> Iterable[Request]:
        """An article URL is followed like an index row; any other goes to :meth:`parse_start`."""
        if self.site.urls.is_article(url):
            return self.follow_articles([self.site.urls.canonical(url)])
        meta = {"kind": "start"}
        return [
            Request(canonical_page_url(url), self.parse_start, errback=self.on_error, meta=meta)
        ]

    def article_request(self, url: str) -> Request:
        """An article page; the browser middleware may render it (``-a browser=``), waiting
        for the site's article markup."""
        meta = {
            "kind": "article",
            BROWSER_META: self.plan.browser,
            WAIT_FOR_META: self.site.article_markup_css,
        }
        return Request(url, self.parse_article, errback=self.on_error, meta=meta)

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
        elif "landing" not in site.start_pages or site.index.is_index(response.url):
            if isinstance(response, TextResponse) or "landing" not in site.start_pages:
                yield from self.parse_index(response)
            else:
                self.skip("start_unreadable", asked(response), "not a text page")
        elif not isinstance(response, TextResponse):
            self.skip("start_unreadable", asked(response), "not a text page")
        else:
            yield from self.parse_landing(response)

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
        if not isinstance(response, TextResponse):
            self.skip("index_unreadable", asked(response), "not a text page")
            return
        listing = self.site.listing(response)
        if not listing.is_complete():
            prefix = f"{response.meta.get('kind', 'index')}_"
            yield from self.retry_or_skip(
                response, "truncated", "the listing ends before </html>", prefix
            )
            return
        links = listing.links()
        self.count("discovery/index_pages")
        index = self.site.index
        key = index.key(response.url)
        requests = self.follow_articles(links.articles, links.rejected, index_key=key)
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
        if paging.complete and self.run is not None:
            self.run.completed_indexes.add(key)
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
            yield self.index_page_request(
                index.with_page(response.url, number), total_pages=total, incremental=incremental
            )

    # -- following articles ---------------------------------------------------------------

    def count(self, event: str, by: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{event}", by)

    def follow_articles(
        self, urls: Iterable[str], rejected: Iterable[str] = (), index_key: str | None = None
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
            if index_key is not None:
                self._listed_on[article_id] = index_key
            if self.state.has_article(article_id):
                self.count("discovery/known")
                continue
            reason = self.state.in_backoff(article_id)
            if reason is not None:
                self.count("discovery/backoff")
                self.logger.debug("Not fetching %s yet: it was %s recently", url, reason)
                if reason not in FINAL_FAILURES and index_key is not None:
                    self.index_incomplete(index_key)
                continue
            self.count("discovery/new")
            requests.append(self.article_request(url))
        return requests

    # -- pages that are not articles ------------------------------------------------------

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """Count and log a page that does not become an item."""
        self.count(f"skipped/{reason}")
        self.logger.warning("Skipped %s (%s%s)", url, reason, f": {detail}" if detail else "")
        article_id = self.article_id(url)
        if reason in REMEMBERED_FAILURES and article_id is not None:
            self.state.record_failure(article_id, url, reason)
        if reason not in FINAL_FAILURES:
            self._unfinished(url)

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
            yield retry
            return
        url = origin_url(failed) if isinstance(failed, Request) else asked(failed)
        self.skip(prefix + reason, url, detail)

    def skip_reason(self, response: Response) -> str:
        if response.status in (404, 410):
            return "not_found"
        if response.status == 429 and not is_challenge(response):
            return "rate_limited"
        if response.status in (401, 403, 429) or is_challenge(response):
            return "blocked"
        return f"http_{response.status}"

    def on_error(self, failure: Failure) -> Iterator[Request]:
        """Errback of every request: counted by why the page was not parsed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "page")
        prefix = "" if kind == "article" else f"{kind}_"
        error = failure.value
        # counted under the URL asked for, never one a redirect named
        url = origin_url(request)
        if isinstance(error, HttpError):
            response = error.response
            self.skip(prefix + self.skip_reason(response), url, f"HTTP {response.status}")
        else:
            reason = failure_reason(error)
            if reason in RETRIED_HERE:
                yield from self.retry_or_skip(request, reason, repr(error)[:300], prefix)
            else:
                self.skip(prefix + reason, url, repr(error)[:300])

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
            yield self.article_request(urls.whole_text(response.url))
            return
        for output in self.article_item(response, page):
            if isinstance(output, ArticleItem):
                self._note_redirect(response, output)
            yield output

    def _note_redirect(self, response: TextResponse, item: ArticleItem) -> None:
        """Remember an article URL that redirected (on the site) to another article's page."""
        origin = asked(response)
        origin_id = self.article_id(origin)
        if origin_id is not None and item.article_id and origin_id != item.article_id:
            self._redirected.append((origin_id, origin, item.article_id))

    def article_item(self, response: TextResponse, page: ArticlePage) -> Iterator[Any]:
        """The page's item; counts the article page and its missing fields for health checks.

        A document cut off before its end (no closing ``</html>``: a body cut short under a
        matching length, a gzip stream cut in half) is a transport fault like a reset: it is
        retried within ``RETRY_TIMES`` (``retry/reason_count/truncated``), and skipped as
        ``truncated`` only when every try was cut short; the next run fetches it again.
        """
        if not page.is_complete():
            yield from self.retry_or_skip(response, "truncated", "the document ends before </html>")
            return
        if is_js_check(response) and not page.has_body():
            self.skip("blocked", asked(response), "a challenge page")
            return
        item = page.to_item()
        self.count("health/article_pages")
        for name in REQUIRED_FIELDS:
            if not getattr(item, name):
                self.count(f"health/missing_{name}")
        if not item.body:
            self.skip("blocked" if is_challenge(response) else "no_body", asked(response))
            return
        self.count(f"layout/{page.layout}")
        for note in page.notes():  # what the page object noticed, e.g. credits/unlabelled
            self.count(note)
        yield item
