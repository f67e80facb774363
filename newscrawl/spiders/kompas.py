"""``scrapy crawl kompas``: Kompas.com articles from the daily index or article URLs."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from newscrawl.pages import kompas as pages
from newscrawl.spiders.base import NewsSpider
from newscrawl.urls import with_query


class KompasSpider(NewsSpider):
    """Kompas.com: ``-a since=YYYY-MM-DD -a until=YYYY-MM-DD -a channels=all`` or
    ``-a start_urls=URL[,URL...]`` (index pages of ``indeks.kompas.com`` or article URLs).

    The index shows no page count: it is paged until a page lists no article, at most
    ``NEWSCRAWL_MAX_INDEX_PAGES`` pages a day and channel.
    """

    name = "kompas"
    urls = pages.URLS
    article_layouts = pages.ARTICLE_LAYOUTS
    list_page_class = pages.KompasIndexPage
    channel_ids = pages.CHANNELS
    all_channel = "all"
    channel_param = "site"
    start_url_kind = f"{pages.DOMAIN} index page or article"
    article_markup_css: ClassVar[str] = pages.ARTICLE_MARKUP_CSS

    @classmethod
    def accepts_start_url(cls, url: str) -> bool:
        return pages.is_index_url(url) or pages.is_article_url(url)

    def index_url(self, day: date, channel: str, page: int) -> str:
        return with_query(pages.INDEX_URL, site=channel, date=day.isoformat(), page=str(page))
