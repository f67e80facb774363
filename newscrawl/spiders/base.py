"""What every news spider shares: arguments, the run, following article links, skip accounting.

A site's spider subclasses :class:`NewsSpider` and says how its URLs look and which page
objects read its pages; it plans requests and never extracts fields itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from typing import Any, ClassVar, Self

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.arguments import ArgumentError, CrawlPlan, check_names, date_range, today_wib
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.pages.base import ArticlePage
from newscrawl.run import Run
from newscrawl.state import StateStore

#: Markers of a bot check or challenge page instead of content.
CHALLENGE_MARKERS = (b"<title>Just a moment...</title>", b"cf-challenge", b"challenge-platform")
#: Skip reasons the state remembers, so that the article is not fetched again too soon.
REMEMBERED_FAILURES = ("not_found", "blocked")
#: Skip reasons that may pass on a retry: an index with such an article is not complete.
TRANSIENT_FAILURES = ("timeout", "download_error", "http_5")


class NewsSpider(scrapy.Spider):
    """Base spider: subclasses set the class attributes and implement the site hooks."""

    #: The site's domain, e.g. ``"bisnis.com"``.
    site: ClassVar[str] = ""
    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"since", "until", "channels", "start_urls", "backfill"}
    )

    run: Run
    state: StateStore

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_names(kwargs, self.argument_names)
        self.plan = self.parse_arguments(kwargs)
        self.arguments = dict(kwargs)
        super().__init__(*args)
        self._requested_ids: set[str] = set()

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
        start_urls = kwargs.get("start_urls")
        if start_urls is not None:
            if any(kwargs.get(name) is not None for name in ("since", "until", "channels")):
                raise ArgumentError("start_urls= cannot be combined with since=/until=/channels=")
            return CrawlPlan(start_urls=cls.parse_start_urls(str(start_urls)), backfill=full)
        days = date_range(kwargs.get("since"), kwargs.get("until"), today_wib())
        channels = cls.parse_channels(str(kwargs.get("channels", cls.all_channels())))
        return CrawlPlan(days=days, channels=channels, backfill=full)

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
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
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

    def on_error(self, failure: Failure) -> None:
        """Errback of every request: count why the page was not parsed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "page")
        prefix = "" if kind == "article" else f"{kind}_"
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            self.skip(prefix + self.skip_reason(response), request.url, f"HTTP {response.status}")
        elif isinstance(error, IgnoreRequest):
            reason = "robots" if "robots" in str(error).lower() else "ignored"
            self.skip(prefix + reason, request.url, str(error))
        elif isinstance(error, TwistedTimeoutError):
            self.skip(prefix + "timeout", request.url)
        else:
            self.skip(prefix + "download_error", request.url, repr(error))

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
