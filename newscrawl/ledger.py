"""The ledger of a crawl: what became of the pages that gave no item, and what that means for
the run.

The spider plans requests; when a page gives no item it says why (:meth:`Ledger.skip`). The
ledger counts it (``newscrawl/skipped/<reason>``), logs it with its URL (an INFO line), has the
run's state remember the failures later runs must not repeat too soon, and keeps the index that
listed the page incomplete (so it is paged again). It also counts what the page objects read
(health, layouts, their notes) and hands the run the article URLs that redirected to another
article.

One ledger per crawl, made with the spider (:meth:`Ledger.open`, found through the crawler). It
holds no state of its own on disk: that is the run's (:class:`newscrawl.run.Run`, absent for
Scrapy's tools, which then write nothing). It logs under the site's slug, as the spider does.
"""

from __future__ import annotations

import logging
import weakref
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl.browser import is_challenge
from newscrawl.health import site_stat
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.middlewares import SkipRequest, origin_url
from newscrawl.pages.base import ReadPage
from newscrawl.run import Run
from newscrawl.sites import Site
from newscrawl.state import state_key

#: Skip reasons the state remembers, so that the article is not fetched again too soon.
REMEMBERED_FAILURES = ("not_found", "blocked", "too_large", "too_many_pages")
#: Skip reasons that are final: an index listing such an article can still be complete.
#: Any other (a timeout, a 5xx, a block, ...) leaves the index to be paged again.
FINAL_FAILURES = ("not_found", "duplicate")
#: Failures Scrapy's retry middleware does not see (raised after the download): the spider
#: retries them itself.
RETRIED_HERE = ("corrupt_body",)
#: The level of a page's ``Skipped <url> (<reason>: <detail>)`` line, for every reason (see
#: :meth:`Ledger.skip` and docs/operations.md, "What is a WARNING").
SKIP_LOG_LEVEL = logging.INFO

_LEDGERS: weakref.WeakKeyDictionary[Crawler, Ledger] = weakref.WeakKeyDictionary()


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


#: The HTTP statuses of a page that is gone (skipped as ``not_found``).
GONE = frozenset({404, 410})


def response_reason(response: Response) -> str:
    """Why a response with an error status gave no item, as a skip reason (a bot check is
    ``blocked`` whatever its status, a 429 that is none ``rate_limited``)."""
    if response.status in GONE:
        return "not_found"
    if response.status in (401, 403) or is_challenge(response):
        return "blocked"
    if response.status == 429:
        return "rate_limited"
    return f"http_{response.status}"


class Ledger:
    """What became of the pages of one crawl (see the module docstring). ``article_id`` and
    ``index_key`` say which article a URL is (None: none) and which index a listing page
    belongs to (None: it is no page of a daily index); ``name`` is the logger's.

    ``site_of`` (the ``news`` spider, whose health is judged site by site) names the site of
    a URL: what the health checks count is counted for each site too, under
    ``newscrawl/sites/<site>/`` (:func:`newscrawl.health.site_stat`). ``optional`` names
    required fields a page may lack without counting against its health (the ``news``
    spider's ``published_at``: an undated article is exported with a null date)."""

    def __init__(
        self,
        crawler: Crawler,
        name: str,
        article_id: Callable[[str], str | None],
        index_key: Callable[[str], str | None],
        site_of: Callable[[str], str] | None = None,
        optional: tuple[str, ...] = (),
    ) -> None:
        self.crawler = crawler
        self.logger = logging.getLogger(name)
        self.article_id = article_id
        self.index_key = index_key
        self.site_of = site_of
        self.optional = optional
        #: The index (``day/channel``) each article under way was listed on.
        self.listed_on: dict[str, str] = {}
        #: What each index waits for: its article requests (by id) and index pages (by URL)
        #: not finished yet. An index paged to its end with nothing left and nothing gone
        #: wrong is *settled*: checkpointed in the run at once (:meth:`Run.checkpoint_index`),
        #: so a run killed later still leaves it known as complete.
        self.pending: dict[str, set[str]] = {}
        self.checkpointed: set[str] = set()
        #: The id an exported article was listed under, when a redirect gave it another.
        self.listed_as: dict[str, str] = {}
        #: Whether a skip worth remembering goes to the state (not for archive captures: a
        #: bad capture says nothing of the site now).
        self.remembers_failures = True

    @classmethod
    def open(
        cls,
        crawler: Crawler,
        name: str,
        article_id: Callable[[str], str | None],
        index_key: Callable[[str], str | None],
        site_of: Callable[[str], str] | None = None,
        optional: tuple[str, ...] = (),
    ) -> Ledger:
        """The ledger of ``crawler``'s crawl (made once)."""
        ledger = _LEDGERS.get(crawler)
        if ledger is None:
            ledger = _LEDGERS[crawler] = cls(
                crawler, name, article_id, index_key, site_of, optional
            )
            crawler.signals.connect(ledger.spider_error, signal=signals.spider_error)
            crawler.signals.connect(ledger.item_done, signal=signals.item_scraped)
            crawler.signals.connect(ledger.item_done, signal=signals.item_dropped)
            crawler.signals.connect(ledger.item_failed, signal=signals.item_error)
            crawler.signals.connect(ledger.request_dropped, signal=signals.request_dropped)
        return ledger

    @classmethod
    def for_site(cls, crawler: Crawler, site: Site) -> Ledger:
        """The ledger of a crawl of a site module's ``site``."""

        def index_key(url: str) -> str | None:
            return None if site.urls.is_article(url) else site.index.key(url)

        return cls.open(crawler, site.slug, site.urls.article_id, index_key)

    @property
    def run(self) -> Run | None:
        return Run.of(self.crawler)

    def state_key(self, article_id: str, url: str) -> str:
        """The key the run's state keeps article ``article_id`` (at ``url``) under: with its
        site (:attr:`site_of`) in a state that keys by site (the ``news`` spider's)."""
        run, site_of = self.run, self.site_of
        if run is None or site_of is None or not run.state.keys_by_site:
            return article_id
        return state_key(article_id, site_of(url))

    def count(self, event: str, by: int = 1, url: str | None = None) -> None:
        """Count ``newscrawl/<event>``; with ``url``, for its site too when health is judged
        site by site."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{event}", by)
        if url is not None and self.site_of is not None:
            site = self.site_of(url)
            if site:
                self.crawler.stats.inc_value(site_stat(site, event), by)

    # -- indexes ----------------------------------------------------------------------------

    def listed(self, article_id: str, index_key: str) -> None:
        """Article ``article_id`` is listed on index ``index_key`` (a skip of it keeps the
        index incomplete)."""
        self.listed_on[article_id] = index_key

    def index_complete(self, key: str) -> None:
        """Index ``key`` was paged to its end in this run."""
        if self.run is not None:
            self.run.completed_indexes.add(key)
            self.settle(key)

    def waits_for(self, key: str, what: str) -> None:
        """Index ``key`` waits for ``what``: an article id requested, or ``page:<url>``."""
        self.pending.setdefault(key, set()).add(what)
        if self.run is not None:
            self.run.unsettled_indexes.add(key)

    def done_with(self, key: str | None, what: str) -> None:
        """``what`` of index ``key`` is finished (exported, dropped, skipped or failed)."""
        if key is not None and what in self.pending.get(key, ()):
            self.pending[key].discard(what)
            if not self.pending[key] and self.run is not None:
                self.run.unsettled_indexes.discard(key)
            self.settle(key)

    def settle(self, key: str) -> None:
        """Checkpoint index ``key`` once it is paged to its end, waits for nothing and has
        nothing left over."""
        run = self.run
        if (
            run is None
            or key in self.checkpointed
            or key not in run.completed_indexes
            or key in run.incomplete_indexes
            or self.pending.get(key)
        ):
            return
        self.checkpointed.add(key)
        self.pending.pop(key, None)
        run.checkpoint_index(key)

    def article_done(self, article_id: str | None) -> None:
        """The article ``article_id`` requested for an index is finished (so the ledger
        forgets which index listed it: a long backfill's memory stays flat)."""
        if article_id is not None:
            self.done_with(self.listed_on.pop(article_id, None), article_id)

    def item_done(self, item: Any, **kwargs: Any) -> None:
        """An item went through the pipelines (written to the feed) or was dropped there."""
        target = getattr(item, "article_id", None)
        if target is not None:
            self.article_done(self.listed_as.pop(target, target))

    def item_failed(
        self, item: Any, response: Response | None, failure: Failure, **kwargs: Any
    ) -> None:
        """A pipeline raised on an item: its index is not complete."""
        target = getattr(item, "article_id", None)
        origin = self.listed_as.pop(target, target) if target is not None else None
        key = self.listed_on.get(origin or "")
        if key is not None:
            self.index_incomplete(key)
        elif response is not None:
            self.unfinished(response.url)
        self.article_done(origin)

    def request_dropped(self, request: Any, **kwargs: Any) -> None:
        """The scheduler dropped a request (a duplicate): its index is not complete."""
        url = str(getattr(request, "url", ""))
        self.unfinished(url)
        self.article_done(self.article_id(url))

    def index_incomplete(self, key: str) -> None:
        """Index ``key`` has something left over in this run: it is not complete."""
        if self.run is not None:
            self.run.incomplete_indexes.add(key)

    def unfinished(self, url: str) -> None:
        """The article (or index page) at ``url`` may still come right: its index is not
        complete yet."""
        key = self.listed_on.get(self.article_id(url) or "")
        if key is None:
            key = self.index_key(url)
        if key is not None:
            self.index_incomplete(key)

    # -- pages without an item --------------------------------------------------------------

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        """Count and log a page that does not become an item; the state remembers a failure
        worth remembering; a failure that may come right keeps its index incomplete.

        The line is INFO whatever the reason (:data:`SKIP_LOG_LEVEL`): a page without an item
        is the run's routine, counted (``newscrawl/skipped/<reason>``, the manifest's
        ``pages_skipped``, the report's "needs attention" for blocked pages) and remembered or
        fetched again by the next run. What an operator must act on is judged on the whole
        run (:mod:`newscrawl.health`: an ERROR line and exit status 3), so that a healthy run
        prints no WARNING."""
        self.count(f"skipped/{reason}")
        self.logger.log(
            SKIP_LOG_LEVEL, "Skipped %s (%s%s)", url, reason, f": {detail}" if detail else ""
        )
        article_id = self.article_id(url)
        run = self.run
        remember = self.remembers_failures and reason in REMEMBERED_FAILURES
        if remember and article_id is not None and run is not None:
            run.state.record_failure(self.state_key(article_id, url), url, reason)
        if reason not in FINAL_FAILURES:
            self.unfinished(url)
        self.article_done(article_id)

    def spider_error(self, failure: Failure, response: Response | None, spider: object) -> None:
        """A callback raised: count it, and keep the index of the page asked for (not the
        one a redirect named) incomplete."""
        self.count("skipped/spider_error")
        if response is None:
            return
        url = origin_url(response.request) if response.request is not None else response.url
        self.unfinished(url)
        self.article_done(self.article_id(url))

    # -- article pages ----------------------------------------------------------------------

    def article_read(self, item: ArticleItem) -> None:
        """An article page read: counted for the health checks (``health/article_pages``,
        ``health/missing_<field>``; a field of :attr:`optional` is not), for its site too
        when health is judged site by site."""
        url = item.url or ""
        self.count("health/article_pages", url=url)
        for name in REQUIRED_FIELDS:
            if name not in self.optional and not getattr(item, name):
                self.count(f"health/missing_{name}", url=url)

    def remember_learned(self, site: str, lines: list[str]) -> None:
        """Promo lines no rule names that were left out of a body of ``site`` (once each per
        body), or that a page taught: the run lists them in its manifest with those counts
        and remembers them for later runs. The spider says which lines may be remembered
        (:class:`~newscrawl.boilerplate.RecurringLines`): not every line a page left out."""
        run = self.run
        if run is not None and lines:
            run.learned.setdefault(site, Counter()).update(lines)

    def forget_learned(self, site: str, lines: list[str]) -> None:
        """Lines of ``site`` found to be an article's text after all: neither listed as
        learned in the manifest nor remembered (the bodies they were left out of are counted
        in the stats)."""
        run = self.run
        learned = run.learned.get(site) if run is not None else None
        if learned is None:
            return
        folded = {line.casefold() for line in lines}
        for line in [line for line in learned if line.casefold() in folded]:
            del learned[line]

    def article_exported(self, page: ReadPage, origin: str, item: ArticleItem) -> None:
        """An article page gave its item: its layout and what its page object noticed are
        counted (the promo lines a page left out are counted there, not remembered: the
        spider decides what a page may teach); an article URL that redirected to another
        article is handed to the run, to be remembered under its own id too
        (``duplicate``)."""
        self.count(f"layout/{page.layout}", url=item.url or origin)
        for note in page.notes():  # e.g. credits/unlabelled, boilerplate/<site>/learned
            self.count(note)
        origin_id = self.article_id(origin)
        run = self.run
        target = item.article_id
        if run is not None and origin_id is not None and target:
            keys = self.state_key(origin_id, origin), self.state_key(target, item.url or origin)
            if keys[0] != keys[1]:  # another article's URL (another site's, numbered alike)
                run.aliases.append((keys[0], origin, keys[1]))
                self.listed_as[target] = origin_id
