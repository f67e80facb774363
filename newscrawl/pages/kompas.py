"""Kompas.com page objects: the article template and the daily index; URL rules.

Layouts, newest first. When the site changes its markup, add a layout class (and its
fixtures under ``tests/fixtures/kompas/``) rather than editing an old one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from scrapy.http import TextResponse

from newscrawl.loaders import KompasArticleLoader
from newscrawl.pages.base import ArticlePage, ListPage, element_text, find_layout
from newscrawl.processors import clean_text, parse_iso_date
from newscrawl.urls import ArticleUrls, on_domain

DOMAIN = "kompas.com"
#: ``https://{site}.kompas.com/read/YYYY/MM/DD/{HHMMSSxxx}/{slug}``; the article id is the
#: date and the number joined (the number alone repeats across days).
ARTICLE_PATH = re.compile(
    r"^/read/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<number>\d+)(?:/|$)"
)
URLS = ArticleUrls(DOMAIN, ARTICLE_PATH, id_groups=("year", "month", "day", "number"))
#: ``https://indeks.kompas.com/?site=all&date=YYYY-MM-DD&page=N``
INDEX_URL = "https://indeks.kompas.com/"
INDEX_HOST = "indeks.kompas.com"
#: Index channels (``site=``): ``all`` is all of them.
CHANNELS = ("all", "money", "nasional", "tekno", "regional")

is_article_url = URLS.is_article
canonical_url = URLS.canonical
article_id_from_url = URLS.article_id
section_from_url = URLS.section


def is_index_url(url: str) -> bool:
    """A day's index page: ``https://indeks.kompas.com/?site=...&date=YYYY-MM-DD[&page=N]``."""
    if not on_domain(url, INDEX_HOST):
        return False
    parts = urlsplit(url)
    return parts.path in ("", "/") and "date" in parse_qs(parts.query)


# --- articles ------------------------------------------------------------------------------


class KompasArticlePage(ArticlePage):
    """The read template (``h1.read__title``, ``div.read__content``, the credit block)."""

    layout = "kompas/read-2025"
    urls = URLS
    loader_class = KompasArticleLoader
    body_css = "div.read__content"
    excluded_classes = ("ads*", "read__paging", "paging*", "photo*", "video*", "embed*")
    title_css = "h1.read__title"
    date_css = ".read__time"
    tag_css = "ul.tag__article__wrap li a"
    breadcrumb_css = (".breadcrumb__item", ".breadcrumb a")
    image_css = "div.photo img"
    caption_css = "div.photo__caption"
    caption_from_alt = False
    #: The pager ("1 2 Tampilkan semua"); only links to this same article count.
    pager_css = ".read__paging a, a.paging__link, a[href*='page=']"
    read_also_link_class = "inner-link-baca-juga"
    #: The credit block's items: a ``h6`` label ("Penulis", "Editor") and the names.
    credit_css = ".read__credit .credit-title-item"

    def lead(self) -> str | None:
        """Kompas.com shows no lead."""
        return None

    def authors(self) -> list[str]:
        return self.credit("penulis", ".credit-title-name")

    def editor(self) -> list[str]:
        return self.credit("editor", ".credit-title-nameEditor")

    def published_at(self) -> list[str | datetime]:
        """JSON-LD ``datePublished`` (WIB offset); else ``article:published_time``, which
        Kompas.com writes in UTC; else the visible date (to the minute)."""
        meta = self.meta("article:published_time")
        candidates: list[str | datetime | None] = [
            *self.json_ld("datePublished"),
            parse_iso_date(meta, naive=UTC) if meta else None,
            self.first_text(self.date_css),
        ]
        return [value for value in candidates if value and str(value).strip()]

    def credit(self, label: str, css: str) -> list[str]:
        """The names of the credit items labelled ``label`` (there may be several); when the
        block has no labels, the names in ``css``."""
        items = self.sel.css(self.credit_css)
        labelled = [item for item in items if item.css("h6")]
        if not labelled:
            return self.all_texts(f"{css} a") or self.all_texts(css)
        found: list[str] = []
        for item in labelled:
            heading = clean_text(element_text(item.css("h6")[0].root)).rstrip(":").strip()
            if heading.casefold() == label:
                values = item.xpath("./*[not(self::h6)]")
                names = [element_text(a.root) for a in values.css("a")]
                found += names or [element_text(value.root) for value in values]
        return found


#: Article layouts, tried in order; the first whose ``matches`` is true reads the page.
ARTICLE_LAYOUTS: tuple[type[ArticlePage], ...] = (KompasArticlePage,)
#: Markup that shows an article page is there: the browser waits for it.
ARTICLE_MARKUP_CSS = "div.read__content, h1.read__title"


def article_page(response: TextResponse) -> ArticlePage | None:
    """The page object for ``response``, or None when no known layout matches."""
    return find_layout(response, ARTICLE_LAYOUTS)


# --- the index -----------------------------------------------------------------------------


class KompasIndexPage(ListPage):
    """An index page: rows of article links; no page count (the page after the last lists
    no article and says "Tidak ada artikel")."""

    urls: ClassVar[ArticleUrls] = URLS
    row_css = "div.articleItem > a.article-link"
