"""What every spider of ours shares: :class:`BaseNewsSpider`.

The arguments read once (handed over by ``scrapy crawl``), the run's name, state and ledger,
the publication window, and what becomes of a page that fails or ends before ``</html>``. The
site spiders (:class:`newscrawl.spiders.base.NewsSpider`, one per site module) and the
``news`` spider (:mod:`newscrawl.spiders.news`) build on it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from functools import cached_property
from typing import Any, ClassVar, Self

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl import distributed
from newscrawl.arguments import RUN_OPTIONS, CrawlPlan, check_names, run_options
from newscrawl.browser import is_challenge, is_js_check
from newscrawl.days import DAY_START, DayCount, LocalDays
from newscrawl.items import ArticleItem
from newscrawl.ledger import RETRIED_HERE, Ledger, failure_reason, response_reason
from newscrawl.middlewares import origin_url
from newscrawl.pages.base import ReadPage
from newscrawl.pages.reading import PageReaders, readers_for
from newscrawl.processors import WIB
from newscrawl.run import RUN_PLAN, Run
from newscrawl.state import EXPORTED, SQLiteState, StateStore

#: The setting through which ``scrapy crawl`` hands the spider the arguments it read (a
#: :class:`~newscrawl.arguments.CrawlPlan`), so that they are read once.
PLAN_SETTING = RUN_PLAN


def asked(response: Response) -> str:
    """The URL that was asked for, before any redirect: what a page is counted under (a skip,
    a failure remembered, the index it keeps incomplete), never a URL a redirect named."""
    return origin_url(response.request) if response.request is not None else response.url


#: Meta key of the retry of a page that ended before ``</html>``: the SHA-256 of the bytes the
#: try before it returned (see :meth:`BaseNewsSpider.whole_without_end`).
UNENDED_DIGEST = "newscrawl_unended_sha256"
#: What a try's download left in its request's meta, which the next try must not carry (it
#: measures or marks that download; Scrapy's metacopy check warns of them).
PER_DOWNLOAD_META = (
    "download_latency",
    "_scheme_proxy",
    "_auth_proxy",
    "cache_timestamp",
    "_dont_cache",
)


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
    #: Whether ``NEWSCRAWL_READ_WORKERS=auto`` (the default) reads article pages in a worker
    #: process on a machine with a second core (the ``news`` spider: its generic pages cost
    #: ~3 ms each); a site's page objects (~1 ms) gained from one only where the second core
    #: was free, and lost where other jobs held it (docs/benchmarks.md): a site crawl starts
    #: its worker only after ``NEWSCRAWL_READ_WORKER_AFTER`` pages (a backfill, not a cron run).
    read_worker_pays: ClassVar[bool] = False
    #: What a page-reading worker imports as it starts (the generic page for ``news``); the
    #: workers there are from the start are started as the spider opens, while the crawl's
    #: process starts (:meth:`~newscrawl.pages.reading.PageReaders.start_now`).
    reading_modules: ClassVar[tuple[str, ...]] = ()

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
        crawler.signals.connect(spider.start_readers, signal=signals.spider_opened)
        return spider

    def start_readers(self) -> None:
        """The page-reading workers there are from the start, started now: for ``scrapy
        crawl`` (Scrapy's tools, which have no run, start theirs on a first page, if any:
        ``scrapy fetch`` reads none)."""
        if self.run is not None:
            self.readers.start_now(self.reading_modules)

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
            for key in PER_DOWNLOAD_META:
                retry.meta.pop(key, None)
            if isinstance(failed, Response) and reason == "truncated":
                # what this try returned: a retry returning it byte for byte may be whole
                retry.meta[UNENDED_DIGEST] = hashlib.sha256(failed.body).hexdigest()
            yield retry
            return
        url = origin_url(failed) if isinstance(failed, Request) else asked(failed)
        self.skip(prefix + reason, url, detail)

    @cached_property
    def readers(self) -> PageReaders:
        """The worker processes reading article pages (``NEWSCRAWL_READ_WORKERS``; ``auto``:
        see :attr:`read_worker_pays`; where it gives none, a worker starts once
        ``NEWSCRAWL_READ_WORKER_AFTER`` pages were read in the crawl's process), stopped when
        the spider closes."""
        readers = readers_for(self.crawler.settings, self.read_worker_pays, self.count)
        self.crawler.signals.connect(readers.close, signal=signals.spider_closed)
        return readers

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
        frontier = distributed.frontier_of(self.crawler)  # never `or`: an empty queue is falsy
        return frontier if frontier is not None else self._local_days

    def day_read(self, request: Request | None) -> None:
        """The first index page of a planned day came back (or failed): the day's articles
        are known (:func:`~newscrawl.days.room_for_a_day`)."""
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

    @staticmethod
    def taken_as_whole(response: Response) -> bool:
        """The test of :meth:`whole_without_end`, without counting or logging (a page read
        in a worker is told whether it is whole before it is read)."""
        request = response.request
        if request is None or UNENDED_DIGEST not in request.meta:
            return False
        if request.meta[UNENDED_DIGEST] != hashlib.sha256(response.body).hexdigest():
            return False
        return ends_like_a_page(response.body)

    def whole_without_end(self, response: Response) -> bool:
        """An HTML page without ``</html>`` that is whole all the same (some sites end their
        pages so): a retry returned the very bytes the try before it did
        (:data:`UNENDED_DIGEST`), and the page ends like one (:func:`ends_like_a_page`: its
        ``</body>`` or its footer). Counted ``fetch/whole_without_end``. A page cut short
        differs from try to try, or stops before its footer: it is not whole."""
        if not self.taken_as_whole(response):
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
