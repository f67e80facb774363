"""``scrapy crawl bisnis``: Bisnis.com articles from the daily index, landing pages,
the Google News sitemap or article URLs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from newscrawl.arguments import parse_channels, parse_start_urls
from newscrawl.pages import bisnis as pages
from newscrawl.spiders.base import NewsSpider
from newscrawl.urls import canonical_page_url, on_domain, with_query

INDEX_URL = "https://www.bisnis.com/index"


class BisnisSpider(NewsSpider):
    """Bisnis.com: ``-a since=YYYY-MM-DD -a until=YYYY-MM-DD -a channels=0`` or
    ``-a start_urls=URL[,URL...]`` (index, landing, sitemap or article URLs)."""

    name = "bisnis"
    site: ClassVar[str] = pages.DOMAIN
    allowed_domains: ClassVar[list[str]] = [pages.DOMAIN]
    article_markup_css: ClassVar[str] = pages.ARTICLE_MARKUP_CSS

    @classmethod
    def all_channels(cls) -> str:
        return "0"

    @classmethod
    def parse_channels(cls, value: str) -> tuple[str, ...]:
        return parse_channels(value, (str(c) for c in pages.CHANNELS), "0")

    @classmethod
    def parse_start_urls(cls, value: str) -> tuple[str, ...]:
        return parse_start_urls(value, lambda url: on_domain(url, pages.DOMAIN), pages.DOMAIN)

    # -- requests -------------------------------------------------------------------------

    def index_request(self, day: date, channel: str, page: int) -> Request:
        url = with_query(
            INDEX_URL, categoryId=channel, type="indeks", date=day.isoformat(), page=str(page)
        )
        return Request(
            url,
            callback=self.parse_index,
            errback=self.on_error,
            meta={"kind": "index"},
            priority=10,
        )

    def start_url_requests(self, url: str) -> Iterable[Request]:
        if pages.is_article_url(url):
            return self.follow_articles([pages.canonical_url(url)])
        meta = {"kind": "start"}
        return [
            Request(canonical_page_url(url), self.parse_start, errback=self.on_error, meta=meta)
        ]

    def article_request(self, url: str) -> Request:
        if self.plan.browser == "always":
            render = self.render_request(url, "always")
            if render is not None:
                return render
        return Request(url, self.parse_article, errback=self.on_error, meta={"kind": "article"})

    def article_id(self, url: str) -> str | None:
        return pages.article_id_from_url(url)

    # -- callbacks ------------------------------------------------------------------------

    def parse_start(self, response: Response) -> Iterator[Any]:
        """A start URL that is not an article: sitemap, index or landing page, by content."""
        if pages.is_sitemap_url(response.url) or response.body.lstrip()[:5] == b"<?xml":
            yield from self.parse_sitemap(response)
        elif not isinstance(response, TextResponse):
            self.skip("start_unreadable", response.url, "not a text page")
        elif pages.is_index_url(response.url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_landing(response)

    def parse_index(self, response: Response) -> Iterator[Request]:
        """An index page (newest first).

        Page 1 reads the page count. An index a committed run paged to its end before is then
        paged one page after another, stopping after a page that lists nothing new; any other
        index (and every index with ``backfill=1``) gets all its pages at once.
        """
        assert isinstance(response, TextResponse)
        listing = pages.BisnisListPage(response)
        links = listing.links()
        self.count("discovery/index_pages")
        requests = self.follow_articles(links.articles, links.rejected)
        yield from requests
        query = dict(parse_qsl(urlsplit(response.url).query))
        key = f"{query.get('date', '')}/{query.get('categoryId', '0')}"
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        if page == 1:
            total = listing.total_pages()
            incremental = not self.plan.backfill and self.state.index_complete(key)
        else:
            total = response.meta.get("total_pages", page)
            incremental = response.meta.get("incremental", False)
        if page >= total:
            self.run.completed_indexes.add(key)
        if not incremental:
            following = range(2, total + 1) if page == 1 else range(0)
        elif page < total and requests:
            following = range(page + 1, page + 2)
        else:
            following = range(0)
            if page < total:
                self.count("discovery/early_stop")
                self.logger.info("Stopped paging %s: page %d lists nothing new", response.url, page)
                self.run.completed_indexes.add(key)
        for number in following:
            query["page"] = str(number)
            yield Request(
                with_query(response.url, **query),
                callback=self.parse_index,
                errback=self.on_error,
                meta={"kind": "index", "total_pages": total, "incremental": incremental},
                priority=10,
            )

    def parse_landing(self, response: Response) -> Iterator[Request]:
        """A section landing page: its headline and rows (no paging)."""
        assert isinstance(response, TextResponse)
        links = pages.BisnisListPage(response).links()
        self.count("discovery/landing_pages")
        yield from self.follow_articles(links.articles, links.rejected)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        links = pages.sitemap_links(response.body)
        self.count("discovery/sitemaps")
        yield from self.follow_articles(links.articles, links.rejected)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: its item, or the whole text (``?page=all``) when it is split."""
        if not isinstance(response, TextResponse):
            self.skip("no_body", response.url, "not a text page")
            return
        page = pages.article_page(response) or pages.DEFAULT_LAYOUT(response)
        if page.is_multipage() and "page=all" not in response.url:
            self.count("discovery/multipage")
            yield self.article_request(with_query(pages.canonical_url(response.url), page="all"))
            return
        yield from self.article_item(response, page)
