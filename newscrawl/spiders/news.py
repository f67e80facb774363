"""``scrapy crawl news -a start_urls=URL[,URL...]``: any news site, with no rules written for it.

Start URLs are Google News sitemaps (and sitemap indexes), RSS/Atom feeds, section pages or
article URLs; ``-a urls_file=PATH`` lists article URLs, one a line. The crawl stays on the
registered domains of the start URLs (subdomains included). Articles come from sitemap and
feed entries, and from the links of section pages (one level of listing pages,
``NEWSCRAWL_LISTING_DEPTH``); a page is an article by its markup
(:class:`~newscrawl.pages.generic.GenericArticlePage`), never by a URL pattern. An article URL
given by the user (a start URL shaped like an article's, or a line of ``urls_file``) is read
as an article and never followed as a listing page. The run lives under
``output/news/<folder>/`` (:func:`~newscrawl.discovery.folder_name`); its health is judged site
by site (see docs/generic.md, "Publishing"). What it tells from a URL or a document alone is
:mod:`newscrawl.discovery`'s; the promo lines it learns and the articles it holds back are
:mod:`newscrawl.learning`'s; split articles are joined by :mod:`newscrawl.split_articles`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from typing import Any, ClassVar, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.arguments import CrawlPlan
from newscrawl.browser import BROWSER_META
from newscrawl.discovery import (
    article_id,
    feed_links,
    folder_name,
    follow_key,
    is_feed,
    listing_links,
    looks_like_article,
    no_index,
)
from newscrawl.discovery import url_problem as url_problem  # for its importers
from newscrawl.given import GIVEN, GivenArticles
from newscrawl.items import ArticleItem
from newscrawl.learning import NO_PROMO, PromoLearning
from newscrawl.ledger import Ledger
from newscrawl.pages.base import document_complete
from newscrawl.pages.generic import (
    GenericArticlePage,
    article_id_of,
    canonical_url,
    registered_domain,
)
from newscrawl.pages.reading import Reading
from newscrawl.plans import news_domains, news_plan
from newscrawl.reach import SITEMAP_LEVEL, Reach
from newscrawl.spiders.common import BaseNewsSpider, asked
from newscrawl.split_articles import SplitArticle as SplitArticle  # for its importers
from newscrawl.split_articles import SplitJoining
from newscrawl.urls import on_domain, strip_tracking

#: Meta key of a request for an article's whole text: the URL asked for its first page.
WHOLE_TEXT_OF = "whole_text_of"


class GenericNewsSpider(BaseNewsSpider):
    """Any news site: ``-a start_urls=URL[,URL...]`` (sitemaps, feeds, section pages or
    articles) and/or ``-a urls_file=PATH`` (article URLs, one a line), optionally ``-a
    since=YYYY-MM-DD -a until=YYYY-MM-DD`` (by publication date) and ``-a browser=``."""

    name = "news"
    #: Health is judged site by site: one site's problem withholds its own articles only.
    per_site_health: ClassVar[bool] = True
    #: An article whose date cannot be found is exported with ``published_at: null``.
    allows_undated: ClassVar[bool] = True
    #: Times keep the page's own offset (or are a date alone when the page shows no time).
    page_times: ClassVar[bool] = True
    #: Its pages are read in a worker process on a machine with a second core.
    read_worker_pays: ClassVar[bool] = True
    reading_modules: ClassVar[tuple[str, ...]] = ("newscrawl.pages.generic",)
    distributable: ClassVar[bool] = False
    not_distributable: ClassVar[str] = (
        "`crawl news` does not run in distributed mode (NEWSCRAWL_REDIS_URL is set): it joins "
        "a split article's pages, and holds a site's first articles back, in one process's "
        "memory. Run it on one machine (unset NEWSCRAWL_REDIS_URL)."
    )
    argument_names: ClassVar[frozenset[str]] = frozenset(
        {"start_urls", "urls_file", "since", "until", "browser"}
    )

    def __init__(self, *args: Any, plan: CrawlPlan | None = None, **kwargs: Any) -> None:
        if plan is None and not kwargs.get("start_urls") and not kwargs.get("urls_file"):
            plan = CrawlPlan()  # Scrapy's tools: `scrapy parse`
        super().__init__(*args, plan=plan, **kwargs)
        self.allowed_domains = news_domains(self.plan)
        self._requested: set[str] = set()
        #: How deep listing pages and sitemaps are read, and how many sitemaps.
        self.reach = Reach(self)
        #: The promo lines learned on each site, and its first articles held back.
        self.learning = PromoLearning(self)
        #: The articles the user gave, and what became of each.
        self.given = GivenArticles(self.count)
        #: Articles split over pages, joined page by page.
        self.joining = SplitJoining(self)

    # -- arguments ------------------------------------------------------------------------

    @classmethod
    def plan_for(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        """Start URLs and/or ``urls_file``, ``since``/``until``, ``browser``
        (:func:`newscrawl.plans.news_plan`); :class:`ArgumentError` for bad ones."""
        return news_plan(cls.argument_names, kwargs)

    def site_of(self, url: str) -> str:
        """The site a page or an item belongs to, for its health: its registered domain."""
        return registered_domain(url)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.given.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.given.item_dropped, signal=signals.item_dropped)
        return spider

    @staticmethod
    def state_site_of(url: str) -> str:
        """The site the state keeps an article of ``url`` under, with its id (two sites may
        number theirs alike: :func:`~newscrawl.state.state_key`; found by :meth:`Run.open`)."""
        return registered_domain(url)

    @classmethod
    def run_name(cls, plan: CrawlPlan) -> str:
        """``news/<folder>``: :func:`folder_name` of the start URLs' domains (``news/<domain>``
        for one site, ``news/<a>+<b>`` for two, ``news/<a>+<N>-more-<hash>`` for many)."""
        return f"news/{folder_name(news_domains(plan))}"

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger.open(
            self.crawler,
            self.name,
            article_id,
            no_index,
            site_of=registered_domain,
            optional=("published_at",),
        )

    # -- the plan -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """A start URL shaped like an article's (:func:`looks_like_article`) and every line of
        ``urls_file`` is read as an article (:meth:`given_request`); any other start URL as a
        sitemap, a feed or a listing page."""
        plan = self.plan
        domains = self.allowed_domains
        shown = ", ".join(domains[:10]) + (
            f" and {len(domains) - 10} more" if len(domains) > 10 else ""
        )
        self.logger.info(
            "Crawling %d start URL(s) and %d listed article(s) on %s",
            len(plan.start_urls),
            len(plan.article_urls),
            shown,
        )
        if self.run is not None:
            self.run.sites = list(domains)
        for url in plan.start_urls:
            url = strip_tracking(url)
            if looks_like_article(url):
                for request in self.given_request(url):
                    yield request
            else:
                yield self.page_request(url, depth=self.reach.listing_depth, kind="start")
        for url in plan.article_urls:
            for request in self.given_request(strip_tracking(url)):
                yield request

    def given_request(self, url: str) -> Iterator[Request]:
        """The request for an article the user gave: read as an article only (never as a
        listing page), unless an earlier run exported it (``discovery/known``) or it failed
        recently (``discovery/backoff``). Counted ``given/requested``; what becomes of it
        is counted too (:class:`~newscrawl.given.GivenArticles`)."""
        if url in self.given:
            self.count("discovery/repeated")
            return
        self._requested.add(canonical_url(url))  # a sitemap listing it asks for it no more
        if self.known(url):
            return
        self.given.requested(url)
        request = self.page_request(url, depth=0, kind="start")
        request.meta[GIVEN] = url
        yield request

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        super().skip(reason, url, detail)
        self.given.done(url, reason)

    def page_request(self, url: str, depth: int, kind: str) -> Request:
        meta = {"kind": kind, "depth_left": depth, BROWSER_META: self.plan.browser}
        return Request(url, self.parse, errback=self.on_error, meta=meta)

    def follow(
        self, urls: list[str], depth: int, kind: str, sitemap_level: int = 0
    ) -> Iterator[Request]:
        """Requests for the pages at ``urls`` not yet requested in this run nor known (a
        sitemap, ``kind="feed"``, at ``sitemap_level`` below its start URL, while the run's
        ``NEWSCRAWL_MAX_SITEMAPS`` allow)."""
        for raw in urls:
            url = strip_tracking(raw.strip()).split("#", 1)[0]
            if not any(on_domain(url, domain) for domain in self.allowed_domains):
                self.count("discovery/rejected")
                continue
            key = follow_key(url, kind)  # an article by its canonical URL
            if key in self._requested:
                self.count("discovery/repeated")
                continue
            self._requested.add(key)
            if kind == "article" and self.known(url):
                continue
            if kind == "feed" and not self.reach.room_for(url):
                continue
            self.count("discovery/new")
            request = self.page_request(url, depth, kind)
            if kind == "feed":
                request.meta[SITEMAP_LEVEL] = sitemap_level
            yield request

    def known(self, url: str) -> bool:
        """Exported by an earlier run, or failed recently (by the id its URL shows)."""
        return self.not_to_fetch(self.ledger.state_key(article_id_of(url), url), url) is not None

    # -- pages ----------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """Any page: a sitemap or feed, an article, or a listing page. A page is read in a
        worker process when there is one (:class:`~newscrawl.pages.reading.PageReaders`).

        An HTML page that ends before ``</html>`` is retried (``truncated``), and taken as
        whole when a retry returns it byte for byte and it ends like a whole page
        (:meth:`~newscrawl.spiders.common.BaseNewsSpider.whole_without_end`). A page the user
        gave as an article on which less than a body is read (``has_given_body``) is skipped as
        ``start_not_article``: never read as a listing page.

        ``scrapy check news`` reads the article the project began with (Bisnis.com, 2019),
        as any site's (see docs/crawling.md):

        @url https://kabar24.bisnis.com/read/20190424/19/915431/naik-kereta-api-pribadi-kim-jong-un-temui-putin
        @returns items 1 1
        @returns requests 0 0
        @scrapes url article_id site title published_at body authors language word_count
        """
        depth = int(response.meta.get("depth_left", 0))
        if is_feed(response.body):
            self.given.done(response.meta.get(GIVEN), "feed")  # no article: read as a feed
            for request in self.parse_feed(response):
                yield request
            return
        if not isinstance(response, TextResponse):
            self.skip("start_unreadable", asked(response), "not a text page")
            return
        if isinstance(response, HtmlResponse) and not document_complete(response):
            if not self.whole_without_end(response):
                kind = response.meta.get("kind", "page")
                prefix = "" if kind == "article" else f"{kind}_"
                detail = "the document ends before </html>"
                for request in self.retry_or_skip(response, "truncated", detail, prefix):
                    yield request
                return
            response = response.replace(body=response.body + b"\n</html>\n")  # its end, implied
        given = response.meta.get(GIVEN)
        # a page the user gave as an article is one with two sentences of a body, marked or not
        reading = await self.readers.read(response, NO_PROMO, as_article=given is not None)
        if reading.is_article():
            for output in self.parse_article(response, reading):
                yield output
        elif given is not None:
            self.skip(
                "start_not_article",
                asked(response),
                "given as an article, but its page holds no body of two sentences; "
                "not read as a listing page",
            )
        elif depth > 0:
            for request in self.parse_listing(response, GenericArticlePage(response), depth):
                yield request
        else:
            self.count("discovery/not_article")
            self.logger.debug("Not an article: %s", response.url)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """A sitemap or feed: its articles; a sitemap index's sitemaps, down to
        ``NEWSCRAWL_SITEMAP_DEPTH`` levels below the start URL (those further down are
        counted as ``discovery/sitemaps_too_deep`` and logged)."""
        articles, sitemaps = feed_links(response.body)
        self.count("discovery/feeds")
        level = int(response.meta.get(SITEMAP_LEVEL, 0)) + 1
        if not self.reach.too_deep(response.url, level, len(sitemaps)):
            yield from self.follow(sitemaps, 0, "feed", level)
        yield from self.follow(articles, 0, "article")

    def parse_listing(
        self, response: TextResponse, page: GenericArticlePage, depth: int
    ) -> Iterator[Request]:
        """A section page: the links of its content (not its header, navigation, footer or
        sidebars) that can be articles; pages they lead to are read by their markup."""
        self.count("discovery/listing_pages")
        yield from self.follow(listing_links(response, page), depth - 1, "article")

    def parse_article(self, response: TextResponse, page: Reading) -> Iterator[Any]:
        """An article: its whole text when the pager links it; else, when the pager links
        other pages, those pages read in turn and joined (:class:`SplitArticle`); else its
        item. A whole text that links another whole text, or a pager naming more than
        ``NEWSCRAWL_MAX_ARTICLE_PAGES`` pages, is skipped as ``too_many_pages``."""
        whole = page.whole_text_url()
        first = response.meta.get(WHOLE_TEXT_OF)  # this page is the whole text of that one
        if whole is not None:
            if first is not None:
                self.skip("too_many_pages", first, f"its whole text links another: {whole}")
                return
            self.count("discovery/multipage")
            meta = {"kind": "article", "depth_left": 0, BROWSER_META: self.plan.browser}
            meta[WHOLE_TEXT_OF] = asked(response)
            given = response.meta.get(GIVEN)
            if given is not None:
                meta[GIVEN] = given
                self.given.fetched_for(whole, given)
            yield Request(whole, self.parse, errback=self.on_error, meta=meta)
            return
        if first is None and page.other_pages() and page.is_complete() and page.item is not None:
            request = self.joining.start(response, page)
            if request is not None:
                yield request
            return
        yield from self.export(response, page)

    async def parse_split(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """The next page of a split article (:meth:`~newscrawl.split_articles.SplitJoining.page`):
        its body joins the pages read before; the article is exported once its last page is
        read."""
        step = await self.joining.page(response)
        if isinstance(step, Request):
            yield step
        elif step is not None:
            for output in self.export(step.first, step.joined()):
                yield output

    def on_split_error(self, failure: Failure) -> Iterator[Any]:
        """A page of a split article failed (after its retries): a page that is gone is left
        out (the next page is read, or the article exported); else the article is skipped as
        ``incomplete`` (:meth:`~newscrawl.split_articles.SplitJoining.failed`)."""
        step = self.joining.failed(failure)
        if isinstance(step, Request):
            yield step
        elif step is not None:
            yield from self.export(step.first, step.joined())

    def export(self, response: TextResponse, page: Reading) -> Iterator[Any]:
        """The article's item, kept when it was published inside ``since``/``until``; a
        site's first ones held back (:meth:`~newscrawl.learning.PromoLearning.hold`).

        An article whose date could not be found goes out with ``published_at: null``
        (``generic/undated``), unless ``since``/``until`` was asked: then it is dropped
        (``generic/undated_dropped``, a WARNING), as its day is unknown."""
        given = response.meta.get(GIVEN)
        for output in self.article_item(response, page):
            if not isinstance(output, ArticleItem):
                yield output
                continue
            self.learning.learn_from(response, page, output)
            if output.published_at is None:
                self.count("generic/undated")
                if self.plan.since is not None or self.plan.until is not None:
                    self.count("generic/undated_dropped")
                    self.logger.warning(
                        "Dropped %s: no publication date found on its page, and since/until "
                        "was asked",
                        output.url,
                    )
                    self.given.done(given, "undated")
                    continue
            elif not self.in_window(output):
                self.count("discovery/outside_window")
                self.given.done(given, "filtered")
                continue
            if given is not None and output.article_id:
                self.given.item_of(output, given)
            domain = output.site or registered_domain(response.url)
            yield from self.learning.hold(domain, output, run=self.run is not None)

    def spider_idle(self) -> None:
        """Nothing left to crawl: the articles still held go out (through a ``data:`` request,
        which touches no network)."""
        if self.learning.holding():
            request = Request("data:,", self.flush, dont_filter=True, meta={"kind": "flush"})
            self.crawler.engine.crawl(request)
            raise DontCloseSpider("articles held back for the promo lines")

    def flush(self, response: Response) -> Iterator[ArticleItem]:
        yield from self.learning.release_all()
