"""Bisnis.com: article layouts, listing pages, the daily index, datelines, bylines and promo
lines.

Layouts, newest first. When the site changes its markup, add a layout class (and its
fixtures under ``tests/fixtures/bisnis/``) rather than editing an old one.
"""

from __future__ import annotations

import re

from newscrawl.boilerplate import rule
from newscrawl.loaders import ArticleLoader, bylines, datelines
from newscrawl.pages.base import ArticlePage, ListPage
from newscrawl.pages.selectors import ElementTable
from newscrawl.processors import site_suffix
from newscrawl.sites import DailyIndex, Site
from newscrawl.urls import ArticleUrls

DOMAIN = "bisnis.com"
#: ``https://{section}.bisnis.com/read/{YYYYMMDD}/{rubricId}/{articleId}/{slug}[/{page}]``
ARTICLE_PATH = re.compile(r"^/read/(?P<date>\d{8})/(?P<rubric>\d+)/(?P<id>\d+)(?:/|$)")
#: A paged article path ``.../{slug}/{n}``; ``keep`` is the path without the page number.
PAGE_SUFFIX = re.compile(r"^(?P<keep>/read/\d{8}/\d+/\d+/[^/]+)/(?P<page>\d{1,3})/?$")
URLS = ArticleUrls(DOMAIN, ARTICLE_PATH, id_groups=("id",), page_suffix=PAGE_SUFFIX)
#: The daily index; channels are its ``categoryId``s, 0 is all of them (Semua), then Ekonomi,
#: Market, Finansial, Kabar24, Teknologi, Premium.
INDEX = DailyIndex(
    "https://www.bisnis.com/index?categoryId={channel}&type=indeks&date={date}&page={page}",
    channels=("0", "43", "194", "5", "186", "277", "655"),
    all_channel="0",
)

# --- text forms ----------------------------------------------------------------------------

#: "Bisnis.com, JAKARTA — ", typos "Bisnis,com, CITY —" and "Bisnis, CITY —"; em/en dash or a
#: hyphen with space before it (so "PANGKAL-PINANG" stays one city).
DATELINE = re.compile(
    r"^\s*(?i:bisnis)(?:\s*[.,]\s*(?i:com))?\s*,\s*(?P<city>[^\W\d_][^,—–]*?)"
    r"(?:\s*[—–]+|\s+-+|-{2,})\s*(?P<rest>.*)$",
    re.DOTALL,
)
#: "Maya Anggraini - Bisnis.com": the byline's trailing site name.
BYLINE_SUFFIX = site_suffix(DOMAIN)
#: Bisnis.com's own promo lines, in order (tried before the shared ones).
PROMO_RULES = (
    rule("bisnispro_promo", r"nyaman tanpa iklan\W*langganan bisnis ?pro\W*$"),
    rule("google_news_cta", r"cek berita dan artikel (yang )?lain(nya)? di google news"),
    rule("investment_disclaimer", r"disclaimer ?: ?berita ini tidak bertujuan"),
    rule("premium_cta", r"dapatkan informasi komprehensif\b.*konten premium"),
)


class BisnisLoader(ArticleLoader):
    """Bisnis.com's text: its dateline, its name after bylines, its promo lines."""

    authors_in = bylines(BYLINE_SUFFIX)
    body_in, dateline_in = datelines(DATELINE, PROMO_RULES)


# --- articles ------------------------------------------------------------------------------


class BisnisArticlePage(ArticlePage):
    """The current article template (``h1.detailsTitleCaption``, ``article.detailsContent``)."""

    layout = "bisnis/article-2025"
    urls = URLS
    loader_class = BisnisLoader
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
        return URLS.section(self.response.url) == "premium"


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


SITE = Site(
    slug="bisnis",
    urls=URLS,
    article_layouts=(BisnisPremiumPage, BisnisArticlePage),
    article_markup_css="article.detailsContent, .paywall, h1.detailsTitleCaption",
    listing=BisnisListPage,
    index=INDEX,
    start_pages=frozenset({"article", "index", "sitemap", "landing"}),
    promo_rules=PROMO_RULES,
    description="Bisnis.com articles from the daily index, landing pages, the Google News "
    "sitemap or article URLs",
)
