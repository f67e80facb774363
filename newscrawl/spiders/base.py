"""What every news spider shares: arguments, state, following article links, skip accounting.

A site's spider subclasses :class:`NewsSpider` and says how its URLs look and which page
objects read its pages; it plans requests and never extracts fields itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.arguments import ArgumentError, CrawlPlan, check_names, date_range, today_wib
from newscrawl.processors import WIB
from newscrawl.state import StateStore

#: Markers of a bot check or challenge page instead of content.
CHALLENGE_MARKERS = (b"<title>Just a moment...</title>", b"cf-challenge", b"challenge-platform")


class NewsSpider(scrapy.Spider):
    """Base spider: subclasses set the class attributes and implement the site hooks."""

    #: The site's domain, e.g. ``"bisnis.com"`` (also ``allowed_domains``).
    site: ClassVar[str] = ""
    #: Spider arguments this spider accepts.
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"since", "until", "channels", "start_urls"}
    )

    state: StateStore
    output_dir: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_names(kwargs, self.argument_names)
        self.plan = self.parse_arguments(kwargs)
        super().__init__(*args)
        self.started_at = datetime.now(WIB)
        self.run_date = self.started_at.date().isoformat()
        self.run_time = self.started_at.strftime("%H%M%S")
        self._requested_ids: set[str] = set()

    # -- arguments ------------------------------------------------------------------------

    @classmethod
    def check_arguments(cls, kwargs: dict[str, str]) -> None:
        """Raise :class:`ArgumentError` for bad arguments, without building a spider."""
        check_names(kwargs, cls.argument_names)
        cls.parse_arguments(kwargs)

    @classmethod
    def parse_arguments(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        start_urls = kwargs.get("start_urls")
        if start_urls is not None:
            if any(kwargs.get(name) is not None for name in ("since", "until")):
                raise ArgumentError("start_urls= cannot be combined with since=/until=")
            return CrawlPlan(start_urls=cls.parse_start_urls(str(start_urls)))
        days = date_range(kwargs.get("since"), kwargs.get("until"), today_wib())
        channels = cls.parse_channels(str(kwargs.get("channels", cls.all_channels())))
        return CrawlPlan(days=days, channels=channels)

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
        """The default feed under the output directory, unless FEEDS, -o or -O give one."""
        super().update_settings(settings)
        if not settings.getdict("FEEDS"):
            uri = settings.get("NEWSCRAWL_FEED_URI")
            settings.set("FEEDS", {uri: settings.getdict("NEWSCRAWL_FEED_OPTIONS")}, "spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.output_dir = str(Path(settings.get("NEWSCRAWL_OUTPUT_DIR", "output")))
        state_class = load_object(settings.get("NEWSCRAWL_STATE_CLASS"))
        spider.state = state_class.from_crawler(crawler, spider.name)
        crawler.signals.connect(spider._close_state, signal=signals.spider_closed)
        return spider

    def _close_state(self) -> None:
        self.state.close()

    # -- the plan -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.plan.start_urls:
            self.logger.info("Crawling %d start URL(s)", len(self.plan.start_urls))
            for url in self.plan.start_urls:
                for request in self.start_url_requests(url):
                    yield request
            return
        self.logger.info(
            "Crawling %s to %s, channels %s",
            self.plan.days[0],
            self.plan.days[-1],
            ",".join(self.plan.channels),
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

    def follow_articles(
        self, urls: Iterable[str], rejected: Iterable[str] = ()
    ) -> Iterator[Request]:
        """Requests for canonical article URLs not yet requested in this run nor exported."""
        for url in rejected:
            self.count("discovery/rejected")
            self.logger.debug("Not following %s: not an article of %s", url, self.site)
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
            self.count("discovery/new")
            yield self.article_request(url)

    # -- pages that are not articles ------------------------------------------------------

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """Count and log a page that does not become an item."""
        self.count(f"skipped/{reason}")
        self.logger.warning("Skipped %s (%s%s)", url, reason, f": {detail}" if detail else "")

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
