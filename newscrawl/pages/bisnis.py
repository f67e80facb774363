"""Bisnis.com page objects: article layouts, listing pages (index, landing) and the sitemap.

Layouts, newest first. When the site changes its markup, add a layout class (and its
fixtures under ``tests/fixtures/bisnis/``) rather than editing an old one.
"""

from __future__ import annotations

import re

from scrapy.utils.sitemap import Sitemap

from newscrawl.pages.base import ArticlePage, Links, ListPage
from newscrawl.pages.selectors import ElementTable
from newscrawl.urls import ArticleUrls, on_domain, path_of

DOMAIN = "bisnis.com"
#: ``https://{section}.bisnis.com/read/{YYYYMMDD}/{rubricId}/{articleId}/{slug}[/{page}]``
ARTICLE_PATH = re.compile(r"^/read/(?P<date>\d{8})/(?P<rubric>\d+)/(?P<id>\d+)(?:/|$)")
#: A paged article path ``.../{slug}/{n}``; ``keep`` is the path without the page number.
PAGE_SUFFIX = re.compile(r"^(?P<keep>/read/\d{8}/\d+/\d+/[^/]+)/(?P<page>\d{1,3})/?$")
URLS = ArticleUrls(DOMAIN, ARTICLE_PATH, id_groups=("id",), page_suffix=PAGE_SUFFIX)
INDEX_PATH = "/index"
#: Index channels (``categoryId``): 0 is all of them.
CHANNELS = {0: "Semua", 43: "Ekonomi", 194: "Market", 5: "Finansial", 186: "Kabar24",
            277: "Teknologi", 655: "Premium"}  # fmt: skip

section_from_url = URLS.section


def is_index_url(url: str) -> bool:
    return on_domain(url, DOMAIN) and path_of(url).rstrip("/") == INDEX_PATH


def is_sitemap_url(url: str) -> bool:
    return on_domain(url, DOMAIN) and path_of(url).endswith(".xml")


# --- articles ------------------------------------------------------------------------------


class BisnisArticlePage(ArticlePage):
    """The current article template (``h1.detailsTitleCaption``, ``article.detailsContent``)."""

    layout = "bisnis/article-2025"
    site = DOMAIN
    urls = URLS
    body_css = "article.detailsContent"
    excluded_classes = (
        "baca-juga*", "ads*", "bisnisai*", "detailsPaging", "paywallGate", "detailsShare",
        "video*", "embed*",
    )  # fmt: skip
    title_css = "h1.detailsTitleCaption"
    lead_css = "div.detailsLead"
    author_css = "div.authorName strong, .authorNames a"
    date_css = "div.detailsAttributeDates"
    editor_css = "div.detailsAuthorItem, .editorName"
    tag_css = ".detailsTagList a"
    #: Breadcrumb items (the last one may be a link or plain text), else its links.
    breadcrumb_css = (".breadcrumb > li, .breadcrumb > a, .breadcrumb > span", ".breadcrumb a")
    image_css = "figure.detailsCoverImg img"
    caption_css = "figure.detailsCoverImg figcaption"
    pager_css = ".detailsPaging a, a.pagingAll"

    def published_at(self) -> list[str]:
        """``article:published_time``, else ``publishdate`` (both WIB, to the second), else the
        visible date (to the minute)."""
        candidates = [self.meta("article:published_time"), self.meta("publishdate")]
        return [value for value in candidates if value and value.strip()] + self.visible_dates[0]

    def is_premium(self) -> bool:
        return section_from_url(self.response.url) == "premium"


class BisnisPremiumPage(BisnisArticlePage):
    """The premium (Tailwind) template: the visible teaser in ``.paywall`` is the body."""

    layout = "bisnis/premium-2025"
    body_css = ".paywall"
    title_css = "main h1"
    date_css = ".authorTime"
    image_css = "main figure img"
    caption_css = "main figure figcaption"

    @classmethod
    def matches(cls, table: ElementTable) -> bool:
        return bool(table.select(cls.body_css)) and not table.select(BisnisArticlePage.body_css)

    def is_premium(self) -> bool:
        return True


#: Article layouts, tried in order; the first whose ``matches`` is true reads the page.
ARTICLE_LAYOUTS: tuple[type[BisnisArticlePage], ...] = (BisnisPremiumPage, BisnisArticlePage)
#: Markup that shows an article page is there (any layout): the browser waits for it.
ARTICLE_MARKUP_CSS = "article.detailsContent, .paywall, h1.detailsTitleCaption"


# --- listings ------------------------------------------------------------------------------


class BisnisListPage(ListPage):
    """An index page or a section landing page: rows of article links and a page count."""

    urls = URLS
    row_css = "div.artContent > a.artLink, div.bigNews a"
    _PAGE_COUNT = re.compile(r"dari\s+(\d+)\s+halaman", re.IGNORECASE)

    def total_pages(self) -> int:
        """The index's page count (``input#total_page``, else "dari N halaman"), at least 1."""
        value = self.response.css("input#total_page::attr(value)").get("")
        if value.strip().isdigit():
            return max(1, int(value.strip()))
        texts = self.response.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
        match = self._PAGE_COUNT.search(" ".join(texts.getall()))
        return max(1, int(match.group(1))) if match else 1


def sitemap_links(body: bytes) -> Links:
    """Article links of a (Google News) sitemap; sitemap indexes are not followed."""
    found = Links(URLS)
    sitemap = Sitemap(body)
    if sitemap.type == "urlset":
        found.add(entry["loc"].strip() for entry in sitemap if entry.get("loc"))
    return found
