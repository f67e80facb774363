"""``scrapy crawl bisnis``: Bisnis.com articles from the daily index, landing pages,
the Google News sitemap or article URLs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from newscrawl.pages import bisnis as pages
from newscrawl.spiders.base import NewsSpider
from newscrawl.urls import with_query

INDEX_URL = "https://www.bisnis.com/index"


class BisnisSpider(NewsSpider):
    """Bisnis.com: ``-a since=YYYY-MM-DD -a until=YYYY-MM-DD -a channels=0`` or
    ``-a start_urls=URL[,URL...]`` (index, landing, sitemap or article URLs)."""

    name = "bisnis"
    urls = pages.URLS
    article_layouts = pages.ARTICLE_LAYOUTS
    list_page_class = pages.BisnisListPage
    channel_ids = tuple(str(channel) for channel in pages.CHANNELS)
    all_channel = "0"
    channel_param = "categoryId"
    article_markup_css: ClassVar[str] = pages.ARTICLE_MARKUP_CSS

    def index_url(self, day: date, channel: str, page: int) -> str:
        return with_query(
            INDEX_URL, categoryId=channel, type="indeks", date=day.isoformat(), page=str(page)
        )

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
