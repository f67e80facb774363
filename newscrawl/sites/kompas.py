"""Kompas.com: the article template and its credit block, the daily index, datelines, bylines
and promo lines.

Layouts, newest first. When the site changes its markup, add a layout class (and its
fixtures under ``tests/fixtures/kompas/``) rather than editing an old one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import ClassVar

from itemloaders.processors import MapCompose

from newscrawl.boilerplate import rule
from newscrawl.loaders import ArticleLoader, bylines, datelines
from newscrawl.pages.base import HIDDEN_TAGS, ArticlePage, ListPage, element_text
from newscrawl.pages.selectors import Element
from newscrawl.processors import clean_text, nonempty, site_suffix, trim_name
from newscrawl.sites import DailyIndex, Site
from newscrawl.urls import ArticleUrls

DOMAIN = "kompas.com"
#: ``https://{site}.kompas.com/read/YYYY/MM/DD/{HHMMSSxxx}/{slug}``; the article id is the
#: date and the number joined (the number alone repeats across days).
ARTICLE_PATH = re.compile(
    r"^/read/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<number>\d+)(?:/|$)"
)
URLS = ArticleUrls(DOMAIN, ARTICLE_PATH, id_groups=("year", "month", "day", "number"))
#: The daily index (``https://indeks.kompas.com/?site=all&date=YYYY-MM-DD&page=N``); channels
#: are its ``site=`` values, ``all`` is all of them. It shows no page count: it is paged until
#: a page lists no article, at most ``NEWSCRAWL_MAX_INDEX_PAGES`` pages a day and channel.
INDEX = DailyIndex(
    "https://indeks.kompas.com/?site={channel}&date={date}&page={page}",
    channels=("all", "money", "nasional", "tekno", "regional"),
    all_channel="all",
)

# --- text forms ----------------------------------------------------------------------------

#: "JAKARTA, KOMPAS.com - " (hyphen, en or em dash), or a bare "KOMPAS.com - " without a city.
DATELINE = re.compile(
    r"^\s*(?:(?P<city>[^\W\d_][^\n]{0,60}?)\s*,\s*)?(?i:kompas\.com)\s*[-–—]+\s*(?P<rest>.*)$",
    re.DOTALL,
)
#: "Nama Penulis - Kompas.com": the byline's trailing site name.
BYLINE_SUFFIX = site_suffix(DOMAIN)
#: Kompas.com's own promo lines, in order ("Baca juga: ..." is the shared ``read_also``).
PROMO_RULES = (
    rule("kompas_plus_promo", r"baca berita tanpa iklan\W*gabung kompas\.com\W*$"),
    rule("whatsapp_channel_cta", r"simak breaking news\b"),
    rule("telegram_cta", r"dapatkan update berita pilihan dan breaking news\b"),
    rule("comment_cta", r"kirimkan komentar anda\W*$"),
    rule("copyright", r"copyright\b.*\bkompas cyber media\b"),
)


class KompasLoader(ArticleLoader):
    """Kompas.com's text: "CITY, KOMPAS.com - " datelines, its promo lines; the credit block
    names the editor bare (no "Editor:" label in the value)."""

    authors_in = bylines(BYLINE_SUFFIX)
    editor_in = MapCompose(trim_name, nonempty)
    body_in, dateline_in = datelines(DATELINE, PROMO_RULES)


# --- the credit block ----------------------------------------------------------------------

#: The classes of a credit entry (a name, or a list of names as links). The site uses
#: ``credit-title-nameEditor`` for writers too: the class says nothing of the role.
CREDIT_ENTRY_CLASSES = frozenset({"credit-title-name", "credit-title-nameEditor"})
#: Elements whose text labels the entries after them ("Penulis", "Editor:").
CREDIT_LABEL_TAGS = frozenset({"h5", "h6", "p"})
#: An element whose label applies to its own entries only.
CREDIT_ITEM_CLASS = "credit-title-item"
#: Labels that name a role; entries under any other label ("Tim Redaksi") are neither.
AUTHOR_LABEL, EDITOR_LABEL = "penulis", "editor"

#: An entry: its label (None before any label), its names in page order.
Entry = tuple[str | None, list[str]]


@dataclass
class Credits:
    """What the credit block says: writers, editors, and whether entries without a label were
    taken as writers (``unlabelled``, counted as ``newscrawl/credits/unlabelled``)."""

    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    unlabelled: bool = False


def _classes(element: Element) -> set[str]:
    return set((element.get("class") or "").split())


def _holds_entry(element: Element) -> bool:
    return any(
        isinstance(node.tag, str) and _classes(node) & CREDIT_ENTRY_CLASSES
        for node in element.iterdescendants()
    )


def _label(element: Element) -> str:
    return clean_text(element_text(element)).rstrip(":").strip().casefold()


def read_entries(elements: Iterable[Element], label: str | None, found: list[Entry]) -> str | None:
    """Credit entries of ``elements`` (and below) in page order, each under the last label
    before it; returns the label in force after them. A ``credit-title-item`` has its own
    labels: the label before it does not reach into it, nor its label out."""
    for element in elements:
        if not isinstance(element.tag, str) or element.tag in HIDDEN_TAGS:
            continue
        classes = _classes(element)
        if classes & CREDIT_ENTRY_CLASSES and not _holds_entry(element):
            links = [element_text(a) for a in element.iter("a")]
            found.append(
                (label, [name for name in links if name.strip()] or [element_text(element)])
            )
        elif element.tag in CREDIT_LABEL_TAGS and not _holds_entry(element):
            label = _label(element) or label
        elif CREDIT_ITEM_CLASS in classes:
            read_entries(element, None, found)
        else:
            label = read_entries(element, label, found)
    return label


def outermost(elements: list[Element]) -> list[Element]:
    """``elements`` without those inside another of them."""
    chosen = set(elements)
    return [e for e in elements if not any(up in chosen for up in e.iterancestors())]


# --- articles ------------------------------------------------------------------------------


class KompasArticlePage(ArticlePage):
    """The read template (``h1.read__title``, ``div.read__content``, the credit block)."""

    layout = "kompas/read-2025"
    urls = URLS
    loader_class = KompasLoader
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
    #: Kompas.com writes ``article:*_time`` metas in UTC.
    meta_zone = UTC
    #: The credit block(s): labels ("Penulis", "Editor"; ``h6`` or ``p``) and name entries.
    credit_css = ".read__credit, .credit-title"
    #: Entries outside any credit block (read as one block when there is none).
    credit_entry_css = ".credit-title-name, .credit-title-nameEditor"
    #: The credit pop-up: a ``.credit-author-name`` and its ``.credit-author-position`` each.
    credit_modal_css = ".credit-author"

    def lead(self) -> str | None:
        """Kompas.com shows no lead."""
        return None

    def authors(self) -> list[str]:
        return self.credits.authors

    def editor(self) -> list[str]:
        return self.credits.editors

    def published_at(self) -> list[str | datetime]:
        """JSON-LD ``datePublished`` (WIB offset); else ``article:published_time``, which
        Kompas.com writes in UTC; else the visible publication date (to the minute), never
        the "Diperbarui" time an edited article shows in its place."""
        candidates = [
            *self.json_ld("datePublished"),
            self.meta_time("article:published_time"),
            *self.visible_dates[0],
        ]
        return [value for value in candidates if value and str(value).strip()]

    @cached_property
    def credits(self) -> Credits:
        """Writers and editors of the credit block: names under a "Penulis" label are
        writers, one each (a list's commas are cut by the loader); only an "Editor" label
        makes an editor; entries without any label are writers, and the page notes it. A
        block with no "Penulis"/"Editor" label at all reads its pop-up instead, if any, where
        each name has its position."""
        entries: list[Entry] = []
        blocks = outermost(self.find(self.credit_css))
        read_entries(blocks or outermost(self.find(self.credit_entry_css)), None, entries)
        if not any(label in (AUTHOR_LABEL, EDITOR_LABEL) for label, _ in entries):
            entries = self.credit_modal() or entries
        return Credits(
            authors=[n for label, names in entries if label in (AUTHOR_LABEL, None) for n in names],
            editors=[n for label, names in entries if label == EDITOR_LABEL for n in names],
            unlabelled=any(label is None for label, _ in entries),
        )

    def credit_modal(self) -> list[Entry]:
        """The pop-up's entries: each person's position is the label of their name."""
        found: list[Entry] = []
        for person in self.find(self.credit_modal_css):
            name = position = ""
            for node in person.iter():
                if not isinstance(node.tag, str):
                    continue
                if "credit-author-name" in _classes(node):
                    name = element_text(node)
                elif "credit-author-position" in _classes(node):
                    position = element_text(node)
            label = clean_text(position).rstrip(":").strip().casefold()
            if name.strip() and label:
                found.append((label, [name]))
        return found

    def notes(self) -> list[str]:
        """``credits/unlabelled`` when credit entries without a label were taken as writers."""
        return ["credits/unlabelled"] if self.credits.unlabelled else []


# --- the index -----------------------------------------------------------------------------


class KompasIndexPage(ListPage):
    """An index page: rows of article links; no page count (the page after the last lists
    no article and says "Tidak ada artikel")."""

    urls: ClassVar[ArticleUrls] = URLS
    row_css = "div.articleItem > a.article-link"


SITE = Site(
    slug="kompas",
    urls=URLS,
    article_layouts=(KompasArticlePage,),
    article_markup_css="div.read__content, h1.read__title",
    listing=KompasIndexPage,
    index=INDEX,
    promo_rules=PROMO_RULES,
    description="Kompas.com articles from the daily index (indeks.kompas.com) or article URLs",
)
