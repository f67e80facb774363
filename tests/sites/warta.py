"""Warta.example, a made-up site (tests only; fixtures in ``tests/fixtures/warta/``): one
article layout, a daily archive without a page count, "Jakarta (Warta) - " datelines."""

from __future__ import annotations

import re
from datetime import datetime

from newscrawl.boilerplate import rule
from newscrawl.loaders import ArticleLoader, bylines, datelines
from newscrawl.pages.base import ArticlePage, ListPage
from newscrawl.processors import site_suffix
from newscrawl.sites import DailyIndex, Site
from newscrawl.urls import ArticleUrls

DOMAIN = "warta.example"
#: ``https://warta.example/berita/YYYY/MM/DD/{number}/{slug}``; id: the date and number joined.
ARTICLE_PATH = re.compile(
    r"^/berita/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<number>\d+)(?:/|$)"
)
URLS = ArticleUrls(DOMAIN, ARTICLE_PATH, id_groups=("year", "month", "day", "number"))
#: The daily archive; no page count: paged until a page lists no article.
INDEX = DailyIndex(
    "https://warta.example/arsip?kanal={channel}&tanggal={date}&hal={page}",
    channels=("semua", "ekonomi", "olahraga"),
    all_channel="semua",
)

#: "Jakarta (Warta) - " (hyphen, en or em dash), or a bare "(Warta) - " without a city.
DATELINE = re.compile(
    r"^\s*(?:(?P<city>[^\W\d_][^()\n]{0,60}?)\s*)?\(\s*(?i:warta)\s*\)\s*[-–—]+\s*(?P<rest>.*)$",
    re.DOTALL,
)
#: "Rina Wulandari - Warta.example", "Sari Lestari | Warta": the byline's trailing site name
BYLINE_SUFFIX = site_suffix(DOMAIN)
PROMO_RULES = (
    rule("follow_cta", r"ikuti warta\.example di google news"),
    rule("newsletter_cta", r"langganan buletin warta\b"),
)


class WartaLoader(ArticleLoader):
    """Warta.example's text: its datelines, its name after bylines, its promo lines."""

    authors_in = bylines(BYLINE_SUFFIX)
    body_in, dateline_in = datelines(DATELINE, PROMO_RULES)


class WartaArticlePage(ArticlePage):
    """The article template (``h1.judul-berita``, ``div.isi-berita``)."""

    layout = "warta/2025"
    urls = URLS
    loader_class = WartaLoader
    body_css = "div.isi-berita"
    excluded_classes = ("iklan*",)
    title_css = "h1.judul-berita"
    lead_css = "p.ringkasan"
    author_css = ".penulis"
    editor_css = ".editor"
    date_css = "time.tanggal"
    tag_css = ".label-tag a"
    breadcrumb_css = ("nav.remah a",)
    image_css = "figure.foto img"
    caption_css = "figure.foto figcaption"

    def published_at(self) -> list[str | datetime]:
        """``article:published_time`` (WIB offset), else the visible date (to the minute)."""
        candidates = [self.meta_time("article:published_time"), *self.visible_dates[0]]
        return [value for value in candidates if value and str(value).strip()]


class WartaIndexPage(ListPage):
    """An archive page: rows of article links (the sidebar is no row); no page count."""

    urls = URLS
    row_css = "div.daftar-arsip article.baris h2 a"


SITE = Site(
    slug="warta",
    urls=URLS,
    article_layouts=(WartaArticlePage,),
    article_markup_css="div.isi-berita, h1.judul-berita",
    listing=WartaIndexPage,
    index=INDEX,
    promo_rules=PROMO_RULES,
    description="Warta.example (made up, tests only) articles from the daily archive or URLs",
)
