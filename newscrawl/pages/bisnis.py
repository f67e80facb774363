"""Bisnis.com page objects: article layouts, listing pages (index, landing) and the sitemap.

Layouts, newest first. When the site changes its markup, add a layout class (and its
fixtures under ``tests/fixtures/bisnis/``) rather than editing an old one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from newscrawl.pages.base import ArticlePage
from newscrawl.urls import canonical_article_url, host_of, on_domain

DOMAIN = "bisnis.com"
#: ``https://{section}.bisnis.com/read/{YYYYMMDD}/{rubricId}/{articleId}/{slug}[/{page}]``
ARTICLE_PATH = re.compile(r"^/read/(?P<date>\d{8})/(?P<rubric>\d+)/(?P<id>\d+)(?:/|$)")
#: A paged article path ``.../{slug}/{n}``; ``keep`` is the path without the page number.
PAGE_SUFFIX = re.compile(r"^(?P<keep>/read/\d{8}/\d+/\d+/[^/]+)/\d{1,3}/?$")
INDEX_PATH = "/index"
#: Index channels (``categoryId``): 0 is all of them.
CHANNELS = {0: "Semua", 43: "Ekonomi", 194: "Market", 5: "Finansial", 186: "Kabar24",
            277: "Teknologi", 655: "Premium"}  # fmt: skip


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def is_article_url(url: str) -> bool:
    """True for a Bisnis.com article URL (any section, any page suffix)."""
    return on_domain(url, DOMAIN) and bool(ARTICLE_PATH.match(_path(url)))


def canonical_url(url: str) -> str:
    """An article's canonical URL (https, no query, fragment or page suffix)."""
    return canonical_article_url(url, PAGE_SUFFIX)


def article_id_from_url(url: str) -> str | None:
    match = ARTICLE_PATH.match(_path(url))
    return match.group("id") if match else None


def section_from_url(url: str) -> str | None:
    host = host_of(url)
    if not host.endswith("." + DOMAIN):
        return None
    label = host[: -len(DOMAIN) - 1].split(".")[-1]
    return None if label == "www" else label


def is_index_url(url: str) -> bool:
    return on_domain(url, DOMAIN) and _path(url).rstrip("/") == INDEX_PATH


def is_sitemap_url(url: str) -> bool:
    return on_domain(url, DOMAIN) and _path(url).endswith(".xml")


# --- articles ------------------------------------------------------------------------------


class BisnisArticlePage(ArticlePage):
    """The current article template (``h1.detailsTitleCaption``, ``article.detailsContent``)."""

    layout = "bisnis/article-2025"
    site = DOMAIN
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
    breadcrumb_css = ".breadcrumb > li, .breadcrumb > a, .breadcrumb > span"
    image_css = "figure.detailsCoverImg img"
    caption_css = "figure.detailsCoverImg figcaption"

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        return bool(selector.css(cls.body_css) or selector.css(cls.title_css))

    def url(self) -> str:
        return canonical_url(self.response.url)

    def article_id(self) -> str | None:
        return article_id_from_url(self.response.url)

    def section(self) -> str | None:
        return section_from_url(self.response.url)

    def category(self) -> str | None:
        items = self.all_texts(self.breadcrumb_css) or self.all_texts(".breadcrumb a")
        labels = [text for text in items if text.strip()]
        if not labels or labels[-1].strip().casefold() in ("home", "beranda"):
            return None
        return labels[-1]

    def title(self) -> str | None:
        return self.first_text(self.title_css)

    def lead(self) -> str | None:
        return self.first_text(self.lead_css)

    def authors(self) -> list[str]:
        return self.all_texts(self.author_css)

    def editor(self) -> list[str]:
        return self.all_texts(self.editor_css)

    def published_at(self) -> list[str]:
        candidates = [
            self.meta("article:published_time"),
            self.meta("publishdate"),
            self.first_text(self.date_css),
        ]
        return [value for value in candidates if value and value.strip()]

    def image_url(self) -> str | None:
        image = self.sel.css(self.image_css)
        for attribute in ("@src", "@data-src", "@data-original", "@data-lazy-src"):
            src = (image.xpath(attribute).get() or "").strip()
            if src and not src.startswith("data:"):
                return self.response.urljoin(src)
        return None

    def image_caption(self) -> str | None:
        caption = self.first_text(self.caption_css)
        if caption and caption.strip():
            return caption
        return self.sel.css(self.image_css).xpath("@alt").get()

    def tags(self) -> list[str]:
        return self.all_texts(self.tag_css)

    def is_premium(self) -> bool:
        return section_from_url(self.response.url) == "premium"

    @cached_property
    def pager_urls(self) -> list[str]:
        """Links to other pages of this article (``/2``, ``?page=all``), if it is split."""
        own = canonical_url(self.response.url)
        links = self.sel.css(".detailsPaging a::attr(href), a.pagingAll::attr(href)").getall()
        return [
            self.response.urljoin(href)
            for href in links
            if canonical_url(self.response.urljoin(href)) == own
        ]

    def is_multipage(self) -> bool:
        return any("page=all" in url or PAGE_SUFFIX.search(_path(url)) for url in self.pager_urls)


class BisnisPremiumPage(BisnisArticlePage):
    """The premium (Tailwind) template: the visible teaser in ``.paywall`` is the body."""

    layout = "bisnis/premium-2025"
    body_css = ".paywall"
    title_css = "main h1"
    date_css = ".authorTime"
    image_css = "main figure img"
    caption_css = "main figure figcaption"

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        return bool(selector.css(cls.body_css)) and not selector.css(BisnisArticlePage.body_css)

    def is_premium(self) -> bool:
        return True


#: Article layouts, tried in order; the first whose ``matches`` is true reads the page.
ARTICLE_LAYOUTS: tuple[type[BisnisArticlePage], ...] = (BisnisPremiumPage, BisnisArticlePage)
#: Markup that shows an article page is there (any layout): the browser waits for it.
ARTICLE_MARKUP_CSS = "article.detailsContent, .paywall, h1.detailsTitleCaption"
#: The layout that reads a page no layout claims (its missing fields feed the health checks).
DEFAULT_LAYOUT = BisnisArticlePage


def article_page(response: TextResponse) -> BisnisArticlePage | None:
    """The page object for ``response``, or None when no known layout matches."""
    selector = response.selector
    for layout in ARTICLE_LAYOUTS:
        if layout.matches(selector):
            return layout(response)
    return None


# --- listings ------------------------------------------------------------------------------


@dataclass
class Links:
    """Article links found on a listing page: accepted (canonical, in order) and rejected."""

    articles: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def add(self, urls: Iterable[str]) -> None:
        for url in urls:
            if is_article_url(url):
                canonical = canonical_url(url)
                if canonical not in self.articles:
                    self.articles.append(canonical)
            else:
                self.rejected.append(url)


class BisnisListPage:
    """An index page or a section landing page: rows of article links and a page count."""

    row_css: ClassVar[str] = "div.artContent > a.artLink, div.bigNews a"
    _PAGE_COUNT = re.compile(r"dari\s+(\d+)\s+halaman", re.IGNORECASE)

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    def links(self) -> Links:
        found = Links()
        hrefs = self.response.css(self.row_css).xpath("@href").getall()
        found.add(self.response.urljoin(href.strip()) for href in hrefs if href.strip())
        return found

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
    found = Links()
    sitemap = Sitemap(body)
    if sitemap.type == "urlset":
        found.add(entry["loc"].strip() for entry in sitemap if entry.get("loc"))
    return found
