"""``scrapy crawl news -a start_urls=URL[,URL...]``: any news site, with no rules written for it.

Start URLs are Google News sitemaps (and sitemap indexes), RSS/Atom feeds, section pages or
article URLs; ``-a urls_file=PATH`` lists article URLs, one a line. The crawl stays on the
registered domains of the start URLs (subdomains included). Articles come from sitemap and
feed entries, and from the links of section pages (one level of listing pages,
``NEWSCRAWL_LISTING_DEPTH``); a page is an article by its markup
(:class:`~newscrawl.pages.generic.GenericArticlePage`), never by a URL pattern. An article URL
given by the user (a start URL shaped like an article's, or a line of ``urls_file``) is read
as an article and never followed as a listing page. The run lives under
``output/news/<folder>/`` (:func:`folder_name`); its health is judged site by site (see
docs/generic.md, "Publishing").
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from newscrawl.arguments import (
    ArgumentError,
    CrawlPlan,
    check_names,
    parse_day,
    read_urls_file,
    split_urls,
)
from newscrawl.boilerplate import RecurringLines, leave_out, page_lines
from newscrawl.browser import BROWSER_META, BROWSER_MODES
from newscrawl.items import ArticleItem
from newscrawl.ledger import Ledger
from newscrawl.pages.base import document_complete, element_text
from newscrawl.pages.generic import (
    CHROME_TAGS,
    GenericArticlePage,
    article_id_of,
    canonical_url,
    registered_domain,
)
from newscrawl.pages.reading import PageReaders, Reading, worker_count
from newscrawl.pipelines import Duplicate, OverLimit
from newscrawl.processors import count_words
from newscrawl.spiders.base import BaseNewsSpider, asked
from newscrawl.urls import on_domain, path_of, query_of, strip_tracking

#: The root elements of the documents a start URL can be, besides HTML.
FEED_ROOTS = (b"<urlset", b"<sitemapindex", b"<rss", b"<feed", b"<rdf")
#: Meta key of a sitemap request: how many sitemap indexes lie between it and its start URL.
SITEMAP_LEVEL = "sitemap_level"
#: Meta key of a request for an article's whole text: the URL asked for its first page.
WHOLE_TEXT_OF = "whole_text_of"
#: Meta key of the requests for an article the user gave (a start URL shaped like an
#: article's, a line of ``urls_file``): the URL given. Such a page is read as an article only.
GIVEN = "newscrawl_given"
#: What became of a given article that does not count against the run (``given/<outcome>``):
#: exported; already exported (by id or content); published outside ``since``/``until``; left
#: for a later run once ``max_articles`` were exported; or no article at all but a sitemap or
#: feed, read as one (not counted as given then).
GIVEN_SETTLED = ("exported", "duplicate", "filtered", "over_limit", "feed")
#: A run's folder is the start URLs' domains joined by ``+`` when that is at most this long
#: (bytes); else ``<first domain>+<N>-more-<hash>`` (:func:`folder_name`).
MAX_JOINED_FOLDER = 100
#: Path segments of listing pages: a start URL under one is never taken for an article.
LISTING_SEGMENTS = frozenset(
    {
        "tag", "tags", "topic", "topics", "topik", "kategori", "category", "categories",
        "section", "sections", "kanal", "channel", "rubrik", "rubric", "indeks", "index",
        "search", "cari", "author", "authors", "penulis", "page", "halaman", "label", "tema",
    }
)  # fmt: skip
#: A number that is an article's id (five digits or more), or a date in a path.
_ID_NUMBER = re.compile(r"(?<!\d)\d{5,}(?!\d)")
#: A code that is an article's id: seven or more capitals and digits, with both
#: (``AST1F4445T1FUTIL02SM``, ``B2LA2G3``).
_ID_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{7,}(?![a-z0-9])")
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}/\d{1,2}/|/(?:19|20)\d{2}-\d{2}-\d{2}/|/(?:19|20)\d{6}/")
#: Query parameters naming an article (``read.php?id=123``, ``/?p=123``).
_ID_PARAMETERS = ("id", "p", "aid", "article", "articleid", "newsid", "story")
#: A day written as one number (``?date=20251120``): no article's id.
_DAY_NUMBER = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
#: A UUID, an article's id wherever it stands in a URL.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def is_feed(body: bytes) -> bool:
    """A sitemap or an RSS/Atom/RDF feed, by its root element (an XHTML page with an XML
    declaration is no feed)."""
    head = body.lstrip()[:4096].lower()
    return b"<html" not in head and any(root in head for root in FEED_ROOTS)


def feed_links(body: bytes) -> tuple[list[str], list[str]]:
    """The article links of a sitemap or an RSS/Atom feed, and the sitemaps a sitemap index
    names."""
    head = body.lstrip()[:4096].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = Sitemap(body)
        locs = [entry["loc"].strip() for entry in sitemap if entry.get("loc")]
        return ([], locs) if sitemap.type == "sitemapindex" else (locs, [])
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return [], []
    links: list[str] = []
    if root is None:
        return [], []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "link" and (element.get("rel") or "alternate") == "alternate":
            href = element.get("href") or (element.text or "")
            parent = element.getparent()
            parent_tag = parent.tag.rsplit("}", 1)[-1] if parent is not None else ""
            if href.strip() and parent_tag in ("item", "entry"):
                links.append(href.strip())
    return links, []


class SplitArticle:
    """An article split over pages with no link to its whole text, being read page by page:
    the first page's reading, the pages read since and the pages still to read (the pager of
    each page read may name more)."""

    def __init__(self, first: TextResponse, page: Reading) -> None:
        self.first = first
        self.origin = asked(first)
        self.page = page
        self.readings: list[Reading] = []
        self.seen = {1, *(number for number, _ in page.other_pages())}
        self.pending = page.other_pages()

    @property
    def last_page(self) -> int:
        """The highest page number the pagers read so far name."""
        return max(self.seen)

    def add(self, number: int, page: Reading) -> None:
        """Page ``number`` was read: its body joins; pages its pager names are queued."""
        self.readings.append(page)
        self.pending = [(n, url) for n, url in self.pending if n != number]
        for later, url in page.other_pages():
            if later not in self.seen:
                self.seen.add(later)
                self.pending.append((later, url))
        self.pending.sort()

    def joined(self) -> Reading:
        """The first page's reading with the bodies of all pages, in page order, and what
        reading each page noticed."""
        pages = [self.page, *self.readings]
        bodies = [page.to_item().body or "" for page in pages]
        body = "\n\n".join(text for text in bodies if text)
        item = replace(self.page.to_item(), body=body, word_count=count_words(body))
        return replace(
            self.page,
            item=item,
            noted=tuple(note for page in pages for note in page.notes()),
            learned=tuple(line for page in pages for line in page.learned_lines()),
            candidates=tuple(line for page in pages for line in page.promo_candidates()),
            pages=(),
        )


def looks_like_article(url: str) -> bool:
    """A start URL that names an article, not a listing page: its path ends in a headline's
    slug (four words or more) or in a code of seven capitals and digits or more, or holds an
    id (a number of five digits or more, a UUID) or a date followed by a named page, or its
    query names an article (``?id=123``, ``?p=123``, a value of five digits or more); and
    no segment before the last is a listing's (``/tag/``, ``/kategori/``, ``/page/``, ...).
    Sections (``/``, ``/ekonomi``, ``/kategori/sains-dan-teknologi``) are not articles."""
    path = path_of(url.strip())
    segments = [s.strip() for s in path.split("/") if s.strip()]
    if any(s.lower() in LISTING_SEGMENTS for s in segments[:-1]):
        return False
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    if last.lower() in LISTING_SEGMENTS and "." not in segments[-1]:  # `/indeks`, not `x.php`
        return False
    query = query_of(url.strip())
    if any(query.get(name, "").isdigit() for name in _ID_PARAMETERS):
        return True
    numbers = [value for value in query.values() if _ID_NUMBER.fullmatch(value)]
    if any(not _DAY_NUMBER.fullmatch(value) for value in numbers) or _UUID.search(url):
        return True
    if not segments:
        return False
    words = [w for w in re.split(r"[-_+]", last) if w]
    if len(words) >= 4 or _ID_NUMBER.search(path) or _ID_CODE.search(segments[-1]):
        return True
    named = any(c.isalpha() for c in last)
    return named and bool(_DATE_PATH.search(path + "/"))


def folder_name(domains: list[str]) -> str:
    """The folder of a run over ``domains`` (sorted) under ``output/news/``: the domain
    itself for one; the domains joined by ``+`` when that is at most
    :data:`MAX_JOINED_FOLDER` bytes; else ``<first domain>+<N>-more-<hash>`` (N: how many
    others; the hash: 12 hex digits of SHA-256 over the sorted domains). The same set of
    domains always gives the same folder; the name stays far below the file system's 255
    bytes (a domain is cut to 100 bytes in the hashed form)."""
    joined = "+".join(domains)
    size = len(joined.encode("utf-8"))
    if size <= MAX_JOINED_FOLDER or (len(domains) == 1 and size <= 200):
        return joined
    digest = hashlib.sha256("\n".join(domains).encode("utf-8")).hexdigest()[:12]
    first = domains[0].encode("utf-8")[:100].decode("utf-8", "ignore")
    more = f"+{len(domains) - 1}-more-" if len(domains) > 1 else "-"
    return f"{first}{more}{digest}"


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a URL to crawl (None: nothing)."""
    if not url.lower().startswith(("http://", "https://")) or not registered_domain(url):
        return "is not an http(s) URL of a site"
    return None


def slug_like(url: str) -> bool:
    """A URL that can be an article's: its path ends in a slug of three words or more, or in
    a long number (an id)."""
    segments = [s for s in path_of(url).split("/") if s]
    if not segments:
        return False
    last = segments[-1].rsplit(".", 1)[0]
    return last.count("-") >= 2 or (any(c.isdigit() for c in last) and len(segments) >= 2)


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
        self.allowed_domains = self.domains_of(self.plan)
        self._requested: set[str] = set()
        self._sitemaps = 0  # sitemaps named by sitemap indexes and asked for
        #: Articles held back per site, and how many of the site's were read.
        self._held: dict[str, list[ArticleItem]] = {}
        self._read: Counter[str] = Counter()
        #: The promo lines learned on each site (remembered, and learned in this run).
        self._recurring: dict[str, RecurringLines] = {}
        #: Articles the user gave, requested in this run: what became of each (None: under
        #: way); a URL fetched for one (its whole text) -> the URL given; the id of an item
        #: of one on its way through the pipelines -> the URL given.
        self._given: dict[str, str | None] = {}
        self._given_of: dict[str, str] = {}
        self._given_ids: dict[str, str] = {}

    # -- arguments ------------------------------------------------------------------------

    @classmethod
    def plan_for(cls, kwargs: dict[str, Any]) -> CrawlPlan:
        """``start_urls`` is split at commas followed by ``http(s)://`` only
        (:func:`~newscrawl.arguments.split_urls`): a URL may hold commas. ``urls_file`` lists
        article URLs, one a line (:func:`~newscrawl.arguments.read_urls_file`)."""
        check_names(kwargs, cls.argument_names)
        value = kwargs.get("start_urls")
        listed = kwargs.get("urls_file")
        if (value is None or not split_urls(str(value))) and not listed:
            raise ArgumentError(
                "start_urls= is required (or urls_file=): sitemaps, feeds, sections or articles"
            )
        urls = tuple(dict.fromkeys(split_urls(str(value or ""))))
        for url in urls:
            wrong = url_problem(url)
            if wrong is not None:
                raise ArgumentError(f"start URL {url!r} {wrong}")
        articles = read_urls_file(str(listed), url_problem) if listed else ()
        urls = tuple(url for url in urls if url not in set(articles))
        browser = str(kwargs.get("browser", "fallback")).strip().lower()
        if browser not in BROWSER_MODES:
            raise ArgumentError(f"browser={browser!r} is not one of {', '.join(BROWSER_MODES)}")
        since = parse_day("since", str(kwargs["since"])) if kwargs.get("since") else None
        until = parse_day("until", str(kwargs["until"])) if kwargs.get("until") else None
        if since and until and since > until:
            raise ArgumentError(f"since={since} is after until={until}")
        return CrawlPlan(
            start_urls=urls, article_urls=articles, browser=browser, since=since, until=until
        )

    @staticmethod
    def domains_of(plan: CrawlPlan) -> list[str]:
        """The registered domains of the start URLs (and ``urls_file``'s): the crawl's
        scope, and the sites whose health is judged one by one."""
        urls = (*plan.start_urls, *plan.article_urls)
        return sorted({registered_domain(url) for url in urls})

    def site_of(self, url: str) -> str:
        """The site a page or an item belongs to, for its health: its registered domain."""
        return registered_domain(url)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.given_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.given_item_dropped, signal=signals.item_dropped)
        return spider

    @classmethod
    def run_name(cls, plan: CrawlPlan) -> str:
        """``news/<folder>``: :func:`folder_name` of the start URLs' domains (``news/<domain>``
        for one site, ``news/<a>+<b>`` for two, ``news/<a>+<N>-more-<hash>`` for many)."""
        return f"news/{folder_name(cls.domains_of(plan))}"

    @cached_property
    def ledger(self) -> Ledger:
        def no_index(url: str) -> str | None:
            return None

        def article_id(url: str) -> str | None:
            return article_id_of(url) if slug_like(url) or looks_like_article(url) else None

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
                yield self.page_request(url, depth=self.listing_depth, kind="start")
        for url in plan.article_urls:
            for request in self.given_request(strip_tracking(url)):
                yield request

    def given_request(self, url: str) -> Iterator[Request]:
        """The request for an article the user gave: read as an article only (never as a
        listing page), unless an earlier run exported it (``discovery/known``) or it failed
        recently (``discovery/backoff``). Counted ``given/requested``; what becomes of it
        is counted too (:meth:`given_done`)."""
        if url in self._given:
            self.count("discovery/repeated")
            return
        self._requested.add(canonical_url(url))  # a sitemap listing it asks for it no more
        if self.known(url):
            return
        self._given[url] = None
        self.count("given/requested")
        request = self.page_request(url, depth=0, kind="start")
        request.meta[GIVEN] = url
        yield request

    def given_done(self, url: str | None, outcome: str) -> None:
        """What became of the given article ``url`` (or of the page ``url`` fetched for one):
        ``exported``, ``duplicate``, ``filtered`` (outside ``since``/``until``), counted as
        ``given/<outcome>``; or why it was lost (a skip reason, ``undated``, ``dropped``),
        counted as ``given/failed/<why>``. The first outcome of an article is its own. A run
        whose given articles were all lost is unhealthy (health check ``given``)."""
        if url is None:
            return
        given = self._given_of.get(url, url)
        if given not in self._given or self._given[given] is not None:
            return
        self._given[given] = outcome
        self.count(f"given/{outcome}" if outcome in GIVEN_SETTLED else f"given/failed/{outcome}")

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        super().skip(reason, url, detail)
        self.given_done(url, reason)

    def given_item_scraped(self, item: Any, **kwargs: Any) -> None:
        """An item went through the pipelines into the feed: a given article is exported."""
        self.given_done(self._given_ids.pop(str(getattr(item, "article_id", "")), None), "exported")

    def given_item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        """A pipeline dropped an item: a given article exported before (``duplicate``), left
        for later (``over_limit``: ``max_articles`` were exported) or lost (``dropped``: a
        missing or invalid field)."""
        given = self._given_ids.pop(str(getattr(item, "article_id", "")), None)
        if isinstance(exception, Duplicate):
            outcome = "duplicate"
        elif isinstance(exception, OverLimit):
            outcome = "over_limit"
        else:
            outcome = "dropped"
        self.given_done(given, outcome)

    @property
    def listing_depth(self) -> int:
        """``NEWSCRAWL_LISTING_DEPTH``: how many levels of listing pages below a start URL
        are read for links (1: a section page's articles)."""
        return max(0, self.crawler.settings.getint("NEWSCRAWL_LISTING_DEPTH", 1))

    @property
    def sitemap_depth(self) -> int:
        """``NEWSCRAWL_SITEMAP_DEPTH``: how many levels of sitemaps below a start URL are read
        (a sitemap index's sitemaps are one level below it)."""
        return max(0, self.crawler.settings.getint("NEWSCRAWL_SITEMAP_DEPTH", 3))

    @property
    def max_sitemaps(self) -> int:
        """``NEWSCRAWL_MAX_SITEMAPS``: how many sitemaps named by sitemap indexes a run reads."""
        return max(0, self.crawler.settings.getint("NEWSCRAWL_MAX_SITEMAPS", 500))

    @property
    def max_article_pages(self) -> int:
        """``NEWSCRAWL_MAX_ARTICLE_PAGES``: an article split over more pages is skipped
        (``too_many_pages``)."""
        return max(1, self.crawler.settings.getint("NEWSCRAWL_MAX_ARTICLE_PAGES", 50))

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
            # an article by its canonical URL; one whose URL is all in its query
            # (``read.php?id=1``, ``/?p=123``) by the whole URL
            query_only = "?" in url and not any(c.isdigit() for c in url.split("?")[0][-24:])
            key = canonical_url(url) if kind == "article" and not query_only else url
            if key in self._requested:
                self.count("discovery/repeated")
                continue
            self._requested.add(key)
            if kind == "article" and self.known(url):
                continue
            if kind == "feed" and not self.room_for_a_sitemap(url):
                continue
            self.count("discovery/new")
            request = self.page_request(url, depth, kind)
            if kind == "feed":
                request.meta[SITEMAP_LEVEL] = sitemap_level
            yield request

    def room_for_a_sitemap(self, url: str) -> bool:
        """Whether the sitemap at ``url`` may be read: fewer than ``NEWSCRAWL_MAX_SITEMAPS``
        were; else it is counted as ``discovery/sitemaps_over_cap`` (the first one logged)."""
        if self._sitemaps < self.max_sitemaps:
            self._sitemaps += 1
            return True
        self.count("discovery/sitemaps_over_cap")
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value("newscrawl/discovery/sitemaps_over_cap") == 1:
            self.logger.warning(
                "Not reading %s nor any further sitemap: NEWSCRAWL_MAX_SITEMAPS=%d were read",
                url,
                self.max_sitemaps,
            )
        return False

    def known(self, url: str) -> bool:
        """Exported by an earlier run, or failed recently (by the id its URL shows)."""
        return self.not_to_fetch(article_id_of(url), url) is not None

    # -- pages ----------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """Any page: a sitemap or feed, an article, or a listing page. A page is read in a
        worker process when there is one (:class:`~newscrawl.pages.reading.PageReaders`).

        An HTML page that ends before ``</html>`` is retried (``truncated``), and taken as
        whole when a retry returns it byte for byte and it ends like a whole page
        (:meth:`~newscrawl.spiders.base.BaseNewsSpider.whole_without_end`). A page the user
        gave as an article that is none is skipped as ``start_not_article``: never read as a
        listing page.

        ``scrapy check news`` reads the article the project began with (Bisnis.com, 2019),
        as any site's (see docs/crawling.md):

        @url https://kabar24.bisnis.com/read/20190424/19/915431/naik-kereta-api-pribadi-kim-jong-un-temui-putin
        @returns items 1 1
        @returns requests 0 0
        @scrapes url article_id site title published_at body authors language word_count
        """
        depth = int(response.meta.get("depth_left", 0))
        if is_feed(response.body):
            self.given_done(response.meta.get(GIVEN), "feed")  # no article: read as a feed
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
        reading = await self.readers.read(response, self.known_promo(response.url))
        given = response.meta.get(GIVEN)
        if reading.is_article():
            for output in self.parse_article(response, reading):
                yield output
        elif given is not None:
            self.skip(
                "start_not_article",
                asked(response),
                "given as an article, but its page is none; not read as a listing page",
            )
        elif depth > 0:
            for request in self.parse_listing(response, GenericArticlePage(response), depth):
                yield request
        else:
            self.count("discovery/not_article")
            self.logger.debug("Not an article: %s", response.url)

    @cached_property
    def readers(self) -> PageReaders:
        """The worker processes reading pages (``NEWSCRAWL_READ_WORKERS``), stopped when
        the spider closes."""
        readers = PageReaders(worker_count(self.crawler.settings), self.count)
        self.crawler.signals.connect(readers.close, signal=signals.spider_closed)
        return readers

    def known_promo(self, url: str) -> frozenset[str]:
        """The learned promo lines the page reader leaves out of a page of ``url``'s site
        itself: none. The spider leaves them out after reading (:meth:`without_learned`),
        where it sees the whole body: how much of it they would take, and whether the page
        has them as its text."""
        return frozenset()

    def learned_on(self, domain: str) -> RecurringLines:
        """The promo lines learned on ``domain``: by earlier runs (the state), and in this
        run (:class:`~newscrawl.boilerplate.RecurringLines`)."""
        lines = self._recurring.get(domain)
        if lines is None:
            lines = self._recurring[domain] = RecurringLines(self.state.learned_lines(domain))
        return lines

    @staticmethod
    def listing_context(response: Response) -> str:
        """Where the article of ``response`` was listed: the page that linked it (its
        ``Referer``: a sitemap, a feed, a section page; a start URL is its own listing), and
        the section of the site its URL is in (host and first path segment)."""
        url = asked(response)
        request = response.request
        referer = request.headers.get(b"Referer") if request is not None else None
        listing = referer.decode("latin-1") if referer else url
        parts = urlsplit(url)
        return f"{listing} {parts.netloc}/{parts.path.strip('/').split('/')[0]}"

    def learn_from(self, response: Response, page: Reading, item: ArticleItem) -> None:
        """What the article of ``response`` teaches about its site's promo lines
        (:meth:`RecurringLines.observe`): lines learned by their recurrence are left out of
        the bodies exported after it (and of the held ones); lines the page left out itself
        that it may teach are listed and remembered for later runs; lines learned before that
        this page has as its text are unlearned. Every refusal is counted
        (``boilerplate/refused_<why>``)."""
        domain = item.site or registered_domain(response.url)
        lines = self.learned_on(domain)
        context = self.listing_context(response)
        seen = lines.observe(
            page_lines(item.body or "", page.promo_candidates(), page.learned_lines(), context)
        )
        for line in seen.learned:
            self.count("boilerplate/learned_by_recurrence")
            self.logger.info("Learned a promo line of %s by its recurrence: %r", domain, line)
        if seen.learned or seen.new_taught:
            self.count("boilerplate/learned", len(seen.learned) + len(seen.new_taught))
        self.ledger.remember_learned(domain, seen.taught)
        if seen.unlearned:
            self.ledger.forget_learned(domain, seen.unlearned)
            self.logger.warning(
                "Unlearned %d promo line(s) of %s: %s has them as its text: %r",
                len(seen.unlearned),
                domain,
                asked(response),
                seen.unlearned,
            )
        for reason, count in sorted(seen.refused.items()):
            self.count(f"boilerplate/refused_{reason}", count)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """A sitemap or feed: its articles; a sitemap index's sitemaps, down to
        ``NEWSCRAWL_SITEMAP_DEPTH`` levels below the start URL (those further down are
        counted as ``discovery/sitemaps_too_deep`` and logged)."""
        articles, sitemaps = feed_links(response.body)
        self.count("discovery/feeds")
        level = int(response.meta.get(SITEMAP_LEVEL, 0)) + 1
        if sitemaps and level > self.sitemap_depth:
            self.count("discovery/sitemaps_too_deep", len(sitemaps))
            self.logger.warning(
                "Not reading the %d sitemap(s) %s names: %d levels below its start URL, past "
                "NEWSCRAWL_SITEMAP_DEPTH=%d",
                len(sitemaps),
                response.url,
                level,
                self.sitemap_depth,
            )
        else:
            yield from self.follow(sitemaps, 0, "feed", level)
        yield from self.follow(articles, 0, "article")

    def parse_listing(
        self, response: TextResponse, page: GenericArticlePage, depth: int
    ) -> Iterator[Request]:
        """A section page: the links of its content (not its header, navigation, footer or
        sidebars) that can be articles; pages they lead to are read by their markup."""
        self.count("discovery/listing_pages")
        links = []
        for link in page.root.iter("a"):
            if any(isinstance(a.tag, str) and a.tag in CHROME_TAGS for a in link.iterancestors()):
                continue
            href = (link.get("href") or "").strip()
            if not href or not element_text(link).strip():
                continue
            url = response.urljoin(href)
            if slug_like(url):
                links.append(url)
        yield from self.follow(links, depth - 1, "article")

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
                self._given_of[whole] = given
            yield Request(whole, self.parse, errback=self.on_error, meta=meta)
            return
        if first is None and page.other_pages() and page.is_complete() and page.item is not None:
            split = SplitArticle(response, page)
            if not self.within_page_cap(split):
                return
            self.count("discovery/split_joined")
            yield self.split_request(split)
            return
        yield from self.export(response, page)

    def within_page_cap(self, split: SplitArticle) -> bool:
        """Whether the pagers of ``split`` read so far name no page past
        ``NEWSCRAWL_MAX_ARTICLE_PAGES``; else it is skipped as ``too_many_pages``."""
        if split.last_page <= self.max_article_pages:
            return True
        detail = f"its pager names page {split.last_page}, past NEWSCRAWL_MAX_ARTICLE_PAGES="
        self.skip("too_many_pages", split.origin, f"{detail}{self.max_article_pages}")
        return False

    def split_request(self, split: SplitArticle) -> Request:
        number, url = split.pending[0]
        return Request(
            url,
            self.parse_split,
            errback=self.on_split_error,
            dont_filter=True,  # never dropped unseen: the article would vanish uncounted
            meta={
                "kind": "article",
                "split": split,
                "page_number": number,
                BROWSER_META: self.plan.browser,
            },
        )

    async def parse_split(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """The next page of a split article: its body joins the pages read before; the
        article is exported once its last page is read."""
        split: SplitArticle = response.meta["split"]
        number = int(response.meta["page_number"])
        if not isinstance(response, TextResponse):
            self.skip("incomplete", split.origin, f"page {number} is not a text page")
            return
        page = await self.readers.read(response, self.known_promo(response.url))
        if not page.is_complete() or page.item is None or not page.item.body:
            self.skip("incomplete", split.origin, f"page {number} ({response.url}) gave no body")
            return
        split.add(number, page)
        if not self.within_page_cap(split):
            return
        if split.pending:
            yield self.split_request(split)
            return
        for output in self.export(split.first, split.joined()):
            yield output

    def on_split_error(self, failure: Failure) -> None:
        """A page of a split article failed (after its retries): the article is skipped as
        ``incomplete`` (not remembered: the next run reads it again)."""
        request: Request = failure.request  # type: ignore[attr-defined]
        split: SplitArticle = request.meta["split"]
        detail = f"page {request.meta.get('page_number')} ({request.url}): {failure.value!r}"
        self.skip("incomplete", split.origin, detail[:300])

    def export(self, response: TextResponse, page: Reading) -> Iterator[Any]:
        """The article's item, kept when it was published inside ``since``/``until``; a
        site's first ones held back (:meth:`release`).

        An article whose date could not be found goes out with ``published_at: null``
        (``generic/undated``), unless ``since``/``until`` was asked: then it is dropped
        (``generic/undated_dropped``, a WARNING), as its day is unknown."""
        given = response.meta.get(GIVEN)
        for output in self.article_item(response, page):
            if not isinstance(output, ArticleItem):
                yield output
                continue
            self.learn_from(response, page, output)
            if output.published_at is None:
                self.count("generic/undated")
                if self.plan.since is not None or self.plan.until is not None:
                    self.count("generic/undated_dropped")
                    self.logger.warning(
                        "Dropped %s: no publication date found on its page, and since/until "
                        "was asked",
                        output.url,
                    )
                    self.given_done(given, "undated")
                    continue
            elif not self.in_window(output):
                self.count("discovery/outside_window")
                self.given_done(given, "filtered")
                continue
            if given is not None and output.article_id:
                self._given_ids[output.article_id] = given
            if self.run is None:  # Scrapy's tools (`scrapy parse`): nothing to hold for
                yield self.without_learned(output.site or registered_domain(response.url), output)
                continue
            domain = output.site or registered_domain(response.url)
            held = self._held.setdefault(domain, [])
            held.append(output)
            self._read[domain] += 1
            if self._read[domain] >= self.warmup:  # warmed up: out they go, and all after
                yield from self.release(domain)

    # -- holding the first articles of a site back ------------------------------------------

    @property
    def warmup(self) -> int:
        """``NEWSCRAWL_LEARN_WARMUP``: the first articles of a site are held back until this
        many were read (or the crawl has nothing else to do), so that a promo line learned by
        its recurrence among them is left out of them too."""
        return max(1, self.crawler.settings.getint("NEWSCRAWL_LEARN_WARMUP", 10))

    def release(self, domain: str) -> Iterator[ArticleItem]:
        """The held articles of ``domain``, without the promo lines learned meanwhile."""
        held, self._held[domain] = self._held.get(domain, []), []
        for item in held:
            yield self.without_learned(domain, item)

    def without_learned(self, domain: str, item: ArticleItem) -> ArticleItem:
        """``item`` without the promo lines learned on ``domain`` (:func:`leave_out`), each
        counted (``boilerplate/removed_lines``, ``boilerplate/<site>/learned``) and listed in
        the manifest. Learned lines that would take too much of the body stay in it, counted
        (``boilerplate/refused_share``; ``boilerplate/kept_would_empty``: the whole body) and
        logged as a warning: an article is never emptied by lines learned elsewhere."""
        lines = self._recurring.get(domain)
        if lines is None or not lines or not item.body:
            return item
        left = leave_out(item.body, lines)
        if left.removed:
            self.count(f"boilerplate/{domain}/learned", len(left.removed))
            self.count("boilerplate/removed_lines", len(left.removed))
            self.ledger.remember_learned(domain, left.removed)
            item.body = left.body
            item.word_count = count_words(left.body)
        if left.kept:
            self.count("boilerplate/refused_share", len(left.kept))
            if left.would_empty:
                self.count("boilerplate/kept_would_empty")
            self.logger.warning(
                "Kept %d learned line(s) in %s: leaving them out would take %s of its body: %r",
                len(left.kept),
                item.url,
                "all" if left.would_empty else "too much",
                left.kept,
            )
        return item

    def spider_idle(self) -> None:
        """Nothing left to crawl: the articles still held go out (through a ``data:`` request,
        which touches no network)."""
        if any(self._held.values()):
            request = Request("data:,", self.flush, dont_filter=True, meta={"kind": "flush"})
            self.crawler.engine.crawl(request)
            raise DontCloseSpider("articles held back for the promo lines")

    def flush(self, response: Response) -> Iterator[ArticleItem]:
        for domain in list(self._held):
            yield from self.release(domain)
