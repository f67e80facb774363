"""What every news spider shares: arguments, the run, following article links, skip accounting.

A site's spider subclasses :class:`NewsSpider` and says how its URLs look and which page
objects read its pages; it plans requests and never extracts fields itself.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
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
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.arguments import ArgumentError, CrawlPlan, check_names, date_range, today_wib
from newscrawl.browser import (
    BROWSER_MODES,
    browser_settings,
    chromium_available,
    missing_browser_message,
    render_meta,
)
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.pages.base import ArticlePage
from newscrawl.run import Run
from newscrawl.state import StateStore
from newscrawl.urls import host_of

#: Markers of a bot check or challenge page instead of content (looked for in the page head).
CHALLENGE_MARKERS = (
    b"<title>Just a moment...</title>",
    b"cf-challenge",
    b"challenge-platform",
    b"Checking your browser",
    b"Memeriksa browser",
)
#: Markers of a JavaScript check: a small page whose script sets a cookie or reloads.
JS_CHECK_MARKERS = (
    b"document.cookie",
    b"location.reload",
    b"Enable JavaScript",
    b"Aktifkan JavaScript",
)
#: Skip reasons the state remembers, so that the article is not fetched again too soon.
REMEMBERED_FAILURES = ("not_found", "blocked", "too_large")
#: Skip reasons that may pass on a retry: an index with such an article is not complete.
TRANSIENT_FAILURES = ("timeout", "truncated", "corrupt_body", "download_error", "http_5")
#: Failures Scrapy's retry middleware does not see (raised after the download): retried here.
RETRIED_HERE = ("corrupt_body",)


def failure_reason(error: BaseException | None) -> str:
    """Why a download failed, as a skip reason (after Scrapy's retries, where they apply)."""
    text = str(error).lower()
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


class NewsSpider(scrapy.Spider):
    """Base spider: subclasses set the class attributes and implement the site hooks."""

    #: The site's domain, e.g. ``"bisnis.com"``.
    site: ClassVar[str] = ""
    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"since", "until", "channels", "start_urls", "backfill", "browser"}
    )
    #: CSS present once a page shows an article: the browser waits for it.
    article_markup_css: ClassVar[str] = "article"

    run: Run
    state: StateStore

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_names(kwargs, self.argument_names)
        self.plan = self.parse_arguments(kwargs)
        self.arguments = dict(kwargs)
        super().__init__(*args)
        self._requested_ids: set[str] = set()
        #: Cookies the browser earned, by host: later plain requests to the host carry them.
        self.earned_cookies: dict[str, list[dict[str, Any]]] = {}
        #: Hosts with a browser render under way, and the pages waiting for its cookies.
        self._rendering: dict[str, list[str]] = {}
        self._warned_no_browser = False

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
        channels = cls.parse_channels(str(kwargs.get("channels", cls.all_channels())))
        return CrawlPlan(days=days, channels=channels, backfill=full, browser=browser)

    @classmethod
    def all_channels(cls) -> str:
        raise NotImplementedError

    @classmethod
    def parse_channels(cls, value: str) -> tuple[str, ...]:
        raise NotImplementedError

    @classmethod
    def parse_start_urls(cls, value: str) -> tuple[str, ...]:
        raise NotImplementedError

    # -- set-up ---------------------------------------------------------------------------

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """scrapy-playwright's settings from ours (Chromium path, proxy), unless set already."""
        super().update_settings(settings)
        for name, value in browser_settings(settings).items():
            settings.set(name, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.plan.browser == "always" and not chromium_available(crawler.settings):
            raise ArgumentError(missing_browser_message(crawler.settings, "browser=always"))
        spider.run = Run.open(crawler, spider.name, kwargs)
        spider.state = spider.run.state
        crawler.signals.connect(spider._close_run, signal=signals.engine_stopped)
        return spider

    def _close_run(self) -> None:
        self.run.close()

    # -- the plan -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.plan.start_urls:
            self.logger.info("Crawling %d start URL(s)", len(self.plan.start_urls))
            for url in self.plan.start_urls:
                for request in self.start_url_requests(url):
                    yield request
            return
        self.logger.info(
            "Crawling %s to %s, channels %s%s",
            self.plan.days[0],
            self.plan.days[-1],
            ",".join(self.plan.channels),
            " (backfill: every index page)" if self.plan.backfill else "",
        )
        for day in self.plan.days:
            for channel in self.plan.channels:
                yield self.index_request(day, channel, 1)

    def index_request(self, day: date, channel: str, page: int) -> Request:
        raise NotImplementedError

    def start_url_requests(self, url: str) -> Iterable[Request]:
        raise NotImplementedError

    def article_request(self, url: str) -> Request:
        raise NotImplementedError

    def article_id(self, url: str) -> str | None:
        raise NotImplementedError

    # -- following articles ---------------------------------------------------------------

    def count(self, event: str, by: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{event}", by)

    def follow_articles(self, urls: Iterable[str], rejected: Iterable[str] = ()) -> list[Request]:
        """Requests for canonical article URLs not yet requested in this run nor known.

        Known: exported by an earlier run, or failed recently (``NEWSCRAWL_RETRY_AFTER_HOURS``).
        """
        for url in rejected:
            self.count("discovery/rejected")
            self.logger.debug("Not following %s: not an article of %s", url, self.site)
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
            if self.state.has_article(article_id):
                self.count("discovery/known")
                continue
            reason = self.state.in_backoff(article_id)
            if reason is not None:
                self.count("discovery/backoff")
                self.logger.debug("Not fetching %s yet: it was %s recently", url, reason)
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
        if reason.startswith(TRANSIENT_FAILURES):
            self.run.transient_failures += 1

    @staticmethod
    def is_challenge(response: Response) -> bool:
        """True for a bot check (Cloudflare "Just a moment..." or a JavaScript gate)."""
        if (response.headers.get(b"cf-mitigated") or b"").lower() == b"challenge":
            return True
        head = response.body[:4096]
        return any(marker in head for marker in CHALLENGE_MARKERS)

    def skip_reason(self, response: Response) -> str:
        if response.status in (404, 410):
            return "not_found"
        if response.status in (401, 403, 429) or self.is_challenge(response):
            return "blocked"
        return f"http_{response.status}"

    @staticmethod
    def is_js_check(response: Response) -> bool:
        """True for a page that is a JavaScript check or challenge rather than content (by
        status and markup: a bot-check title or header, or a small scripted page)."""
        if NewsSpider.is_challenge(response):
            return True
        body = response.body
        return (
            response.status in (403, 429, 503)
            and len(body) < 64_000
            and b"<script" in body
            and any(marker in body for marker in JS_CHECK_MARKERS)
        )

    def on_error(self, failure: Failure) -> Iterator[Request]:
        """Errback of every request: a JavaScript check may go to the browser once; anything
        else is counted by why the page was not parsed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "page")
        prefix = "" if kind == "article" else f"{kind}_"
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            if kind == "article" and self.is_js_check(response):
                yield from self.after_js_check(request)
                return
            self.skip(prefix + self.skip_reason(response), request.url, f"HTTP {response.status}")
        else:
            reason = failure_reason(error)
            retry = (
                get_retry_request(request, spider=self, reason=reason)
                if reason in RETRIED_HERE
                else None
            )
            if retry is not None:
                yield retry
                return
            self.skip(prefix + reason, request.url, repr(error)[:300])

    # -- the browser ----------------------------------------------------------------------

    def after_js_check(self, request: Request) -> Iterator[Request]:
        """A page answered with a JavaScript check: render it in Chromium, once.

        While a render for the same host is under way, the page waits for it and is then
        fetched plainly with the cookies the browser earned; only if that fails too is it
        rendered itself. So the browser runs about once per host, not once per page.
        """
        url = request.url
        host = host_of(url)
        if host in self._rendering and not request.meta.get("after_render"):
            self._rendering[host].append(url)
            self.count("browser/waiting")
            return
        render = self.render_request(url, "js_check")
        if render is None:
            self.skip("blocked", url, "a JavaScript check, and no browser to pass it")
            return
        self._rendering.setdefault(host, [])
        yield render

    def _released(self, host: str, passed: bool) -> Iterator[Request]:
        """The pages that waited for ``host``'s render: fetched again, or counted blocked."""
        for url in self._rendering.pop(host, []):
            if passed:
                yield self.article_request(url).replace(
                    dont_filter=True, meta={"kind": "article", "after_render": True}
                )
            else:
                self.skip("blocked", url, "the browser could not pass this host's check")

    def render_request(self, url: str, reason: str) -> Request | None:
        """A request through Chromium for ``url``, or None when the browser is not to be used."""
        if self.plan.browser == "never":
            return None
        if not chromium_available(self.crawler.settings):
            if not self._warned_no_browser:
                self._warned_no_browser = True
                self.logger.warning(
                    "%s; pages behind a JavaScript check are counted as blocked",
                    missing_browser_message(self.crawler.settings, "browser=fallback"),
                )
            return None
        self.count("browser/renders")
        self.count(f"browser/reason/{reason}")
        wait_ms = self.crawler.settings.getint("NEWSCRAWL_BROWSER_WAIT_MS", 15_000)
        meta = {**render_meta(self.article_markup_css, wait_ms), "kind": "article"}
        meta["browser_reason"] = reason
        return Request(
            url,
            callback=self.parse_rendered,
            errback=self.on_render_error,
            meta=meta,
            dont_filter=True,
        )

    async def parse_rendered(self, response: Response) -> AsyncIterator[Any]:
        """A page Chromium rendered: keep the cookies it earned, then parse it as usual."""
        page = response.meta.pop("playwright_page", None)
        host = host_of(response.request.url if response.request else response.url)
        if page is not None:
            try:
                cookies = await page.context.cookies()
            finally:
                await page.close()
            earned = [
                {"name": c["name"], "value": c["value"], "path": c.get("path", "/")}
                for c in cookies
                if host.endswith(str(c.get("domain", "")).lstrip("."))
            ]
            if earned:
                self.earned_cookies[host] = earned
        passed = not self.is_js_check(response)
        self.count("browser/passed" if passed else "browser/still_blocked")
        for request in self._released(host, passed):
            yield request
        for output in self.parse_article(response):
            yield output

    async def on_render_error(self, failure: Failure) -> None:
        """The browser could not show the article (the check did not pass, or it failed)."""
        request: Request = failure.request  # type: ignore[attr-defined]
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            await page.close()
        self.count("browser/still_blocked")
        self.skip(
            "blocked", request.url, f"not passed in the browser either: {failure.value!r}"[:300]
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # -- articles -------------------------------------------------------------------------

    def article_item(self, response: TextResponse, page: ArticlePage) -> Iterator[ArticleItem]:
        """The page's item; counts the article page and its missing fields for health checks."""
        item = page.to_item()
        self.count("health/article_pages")
        for name in REQUIRED_FIELDS:
            if not getattr(item, name):
                self.count(f"health/missing_{name}")
        if not item.body:
            self.skip("blocked" if self.is_challenge(response) else "no_body", response.url)
            return
        self.count(f"layout/{page.layout}")
        yield item
