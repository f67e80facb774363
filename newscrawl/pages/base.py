"""Shared machinery of page objects: response wrapping, text of blocks, the fields most
layouts read the same way (from their own selectors), listing pages and item loading."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any, ClassVar, Protocol
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from newscrawl.items import ArticleItem
from newscrawl.loaders import ArticleLoader
from newscrawl.pages.selectors import Element, ElementTable, base_url, parse_html
from newscrawl.processors import json_ld_values, parse_iso_date
from newscrawl.urls import ArticleUrls

#: Elements that are one body paragraph each.
BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li"})
#: Elements whose text is never body text.
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "figure", "figcaption", "video",
     "audio", "picture", "img", "svg", "form", "button", "input", "select", "object", "embed"}
)  # fmt: skip

#: Field names in item order, each read by the page method of the same name.
FIELDS = (
    "url", "article_id", "site", "section", "category", "title", "lead", "authors", "editor",
    "published_at", "updated_at", "dateline", "body", "image_url", "image_caption", "tags",
    "is_premium", "language",
)  # fmt: skip
#: The word that puts an update time in a visible date line: "Warta, Diperbarui
#: 18/04/2026, 10:03 WIB" (a date line searched, never the page).
UPDATE_MARKER = re.compile(r"\bdiperbarui\b\s*:?", re.IGNORECASE)


#: Elements whose content is never shown as text.
HIDDEN_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "select", "input", "object",
     "embed", "iframe", "video", "audio", "img", "picture"}
)  # fmt: skip
#: Elements that start a new line: their text never runs into their neighbours'.
BREAKING_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "section", "article", "table", "tr", "td", "th", "figure", "figcaption", "dd", "dt", "hr"}
)  # fmt: skip


def select(root: Element, css: str) -> list[Element]:
    """The elements under ``root`` matching ``css`` (a one-off query; see :class:`ElementTable`)."""
    return ElementTable(root).select(css)


def element_text(element: Element, unread: Callable[[Element], bool] | None = None) -> str:
    """The text of ``element`` as shown: inline children joined as written, block children
    kept apart by a space, scripts and styles left out (white space is folded later); and
    the elements ``unread`` names, when given."""
    parts: list[str] = [element.text or ""]

    def walk(node: Element) -> None:
        for child in node:
            if (
                isinstance(child.tag, str)
                and child.tag not in HIDDEN_TAGS
                and (unread is None or not unread(child))
            ):
                breaking = child.tag in BREAKING_TAGS
                if breaking:
                    parts.append(" ")
                if child.text:
                    parts.append(child.text)
                walk(child)
                if breaking:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def element_texts(elements: Sequence[Element]) -> dict[Element, str]:
    """:func:`element_text` of each of ``elements`` (in page order), the text of one that
    holds others of them made of theirs, each subtree walked once (nested short blocks)."""
    known: dict[Element, str] = {}
    for element in reversed(elements):  # the inner ones first
        if not len(element):
            known[element] = element.text or ""
            continue
        parts = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag not in HIDDEN_TAGS:
                inner = known.get(child)
                if inner is None:
                    inner = element_text(child)
                if child.tag in BREAKING_TAGS:
                    parts += (" ", inner, " ")
                else:
                    parts.append(inner)
            if child.tail:
                parts.append(child.tail)
        known[element] = "".join(parts)
    return known


def document_complete(response: TextResponse) -> bool:
    """True when an HTML document reaches its end (``</html>`` in its last bytes): a body cut
    short under a matching length, or a gzip stream cut in half, does not."""
    return b"</html" in response.body[-2048:].lower()


class ReadPage(Protocol):
    """What the spiders and the ledger use of a page: a page object, or its
    :class:`~newscrawl.pages.reading.Reading` made in a worker process."""

    @property
    def layout(self) -> str: ...

    def is_complete(self) -> bool: ...

    def has_body(self) -> bool: ...

    def to_item(self) -> ArticleItem: ...

    def notes(self) -> list[str]: ...

    def learned_lines(self) -> list[str]: ...


class ArticlePage:
    """Base page object for one article layout.

    Subclasses set the URL rules and selectors and override the field methods their site
    reads differently. Field methods return raw values (strings or lists of strings, a
    datetime for a date); the page's :attr:`loader_class` cleans them.
    """

    #: Short name of the layout, e.g. ``"warta/2025"`` (logged and counted in stats).
    layout: ClassVar[str] = "base"
    #: The item's ``site`` (default: the domain of :attr:`urls`).
    site: ClassVar[str] = ""
    #: The site's article URL rules (canonical URL, id, section, page of a split article).
    urls: ClassVar[ArticleUrls]
    #: The loader that cleans the raw values (a site's dateline form, say).
    loader_class: ClassVar[type[ArticleLoader]] = ArticleLoader
    language_code: ClassVar[str] = "id"
    #: CSS of the element holding the body blocks.
    body_css: ClassVar[str] = "article"
    #: Classes (any of the element's classes, or a prefix ending in ``*``) that are never body.
    excluded_classes: ClassVar[tuple[str, ...]] = ()
    #: Tag-attribute pairs that mark embeds (``blockquote.instagram-media`` and the like).
    embed_class_re: ClassVar[re.Pattern[str]] = re.compile(
        r"instagram|twitter|tiktok|facebook|youtube|embed|video", re.IGNORECASE
    )
    #: Selectors of the fields read the same way on every site ("" when the layout has none).
    title_css: ClassVar[str] = ""
    lead_css: ClassVar[str] = ""
    author_css: ClassVar[str] = ""
    editor_css: ClassVar[str] = ""
    date_css: ClassVar[str] = ""
    tag_css: ClassVar[str] = ""
    #: Breadcrumb items, tried in order until one matches; the last label is the category.
    breadcrumb_css: ClassVar[tuple[str, ...]] = ()
    image_css: ClassVar[str] = ""
    caption_css: ClassVar[str] = ""
    #: The zone of ``article:*_time`` metas written without an offset; None: as the loader
    #: reads any date (WIB).
    meta_zone: ClassVar[tzinfo | None] = None
    #: Without a caption element, the image's ``alt`` text is the caption.
    caption_from_alt: ClassVar[bool] = True
    #: Links of the article's pager (``/2``, ``?page=2``, ``?page=all``).
    pager_css: ClassVar[str] = ""
    #: The class of inline "read also" links; a block made of them only is not body.
    read_also_link_class: ClassVar[str] = ""

    def __init__(self, response: TextResponse, table: ElementTable | None = None) -> None:
        self.response = response
        if table is not None:
            self.__dict__["table"] = table
            self.__dict__["root"] = table.root

    # -- detection ------------------------------------------------------------------------

    @classmethod
    def matches(cls, table: ElementTable) -> bool:
        """True when the page is in this layout: its body or its headline is there."""
        return bool(table.select(cls.body_css) or table.select(cls.title_css))

    # -- shared parsing (done once per page) ----------------------------------------------

    @cached_property
    def sel(self) -> Selector:
        """A parsel selector over the page's tree (for the odd query :meth:`find` can't do)."""
        return Selector(root=self.root, type="html")

    @cached_property
    def root(self) -> Element:
        return parse_html(self.response)

    @cached_property
    def table(self) -> ElementTable:
        return ElementTable(self.root)

    @cached_property
    def base_url(self) -> str:
        """What the page's relative links are joined with (see :func:`urljoin`)."""
        return base_url(self.response)

    def urljoin(self, url: str) -> str:
        """``url`` made absolute as ``response.urljoin`` makes it, without decoding the page
        for it (:func:`~newscrawl.pages.selectors.base_url`)."""
        return urljoin(self.base_url, url)

    def find(self, css: str) -> list[Element]:
        """The elements matching ``css``, from the page's element table."""
        return self.table.select(css)

    @cached_property
    def body_element(self) -> Element | None:
        found = self.find(self.body_css)
        return found[0] if found else None

    @cached_property
    def paragraphs(self) -> list[str]:
        """Texts of the body's blocks in page order (not yet cleaned)."""
        if self.body_element is None:
            return []
        return [
            element_text(block)
            for block in self._blocks(self.body_element)
            if not self._read_also_links(block)
        ]

    def _read_also_links(self, block: Element) -> bool:
        """True for a block that is only "read also" links (``read_also_link_class``) with no
        label: not body. (A block labelled "Baca juga: ..." is left to the boilerplate rule,
        which counts it.)"""
        if not self.read_also_link_class:
            return False
        links = [
            a
            for a in block.iter("a")
            if self.read_also_link_class in (a.get("class") or "").split()
        ]
        if not links:
            return False
        rest = element_text(block)
        for link in links:
            rest = rest.replace(element_text(link), " ", 1)
        return not rest.strip(" :-–—|\n\t\u00a0")

    @classmethod
    def _excluded_forms(cls) -> tuple[frozenset[str], tuple[str, ...]]:
        """``excluded_classes`` as whole names and prefixes (``"ads*"``), once per layout."""
        forms = cls.__dict__.get("_excluded_forms_cache")
        if forms is None:
            whole = frozenset(c for c in cls.excluded_classes if not c.endswith("*"))
            prefixes = tuple(c[:-1] for c in cls.excluded_classes if c.endswith("*"))
            forms = (whole, prefixes)
            cls._excluded_forms_cache = forms  # type: ignore[attr-defined]
        return forms  # type: ignore[no-any-return]

    def _excluded(self, element: Element) -> bool:
        tag = element.tag
        if tag in SKIP_TAGS:
            return True
        value = element.get("class")
        if not value:
            return False
        whole, prefixes = self._excluded_forms()
        for name in value.split():
            if name in whole or (prefixes and name.startswith(prefixes)):
                return True
        return tag == "blockquote" and bool(self.embed_class_re.search(value))

    def _blocks(self, container: Element) -> Iterator[Element]:
        for child in container:
            if not isinstance(child.tag, str) or self._excluded(child):
                continue
            if child.tag in BLOCK_TAGS and not self._has_block(child):
                yield child
            else:
                yield from self._blocks(child)

    def _has_block(self, element: Element) -> bool:
        return any(
            isinstance(node.tag, str) and node.tag in BLOCK_TAGS
            for node in element.iterdescendants()
        )

    def first_text(self, css: str) -> str | None:
        """The text of the first element matching ``css`` (None for no selector)."""
        found = self.find(css)
        return element_text(found[0]) if found else None

    def all_texts(self, css: str) -> list[str]:
        return [element_text(node) for node in self.find(css)]

    @cached_property
    def json_ld_blocks(self) -> list[str]:
        """The texts of the page's JSON-LD scripts, in page order."""
        return [
            script.text or ""
            for script in self.root.iter("script")
            if (script.get("type") or "").strip().lower() == "application/ld+json"
        ]

    def json_ld(self, key: str) -> list[str]:
        """The values of ``key`` in the page's JSON-LD blocks, in page order."""
        return [value for block in self.json_ld_blocks for value in json_ld_values(block, key)]

    @cached_property
    def metas(self) -> dict[str, str]:
        """``<meta name|property=... content=...>`` of the page, the first of each name."""
        found: dict[str, str] = {}
        for meta in self.root.iter("meta"):
            name = meta.get("property") or meta.get("name")
            content = meta.get("content")
            if name and content is not None:
                found.setdefault(name, content)
        return found

    def meta(self, name: str) -> str | None:
        """The content of ``<meta name=NAME>`` or ``<meta property=NAME>``."""
        return self.metas.get(name)

    def meta_time(self, name: str) -> str | datetime | None:
        """The time in meta ``name``: as written (the loader reads it, WIB when it has no
        offset), or read in :attr:`meta_zone` when the site writes its metas in another zone."""
        value = self.meta(name)
        if not value or not value.strip():
            return None
        return value if self.meta_zone is None else parse_iso_date(value, naive=self.meta_zone)

    @cached_property
    def visible_dates(self) -> tuple[list[str], list[str]]:
        """The visible date lines (``date_css``) cut into publication and update times: in
        "Warta - 17/04/2026, 08:15 WIB" all is publication, in "Diperbarui 18/04/2026,
        10:03 WIB" all is update, and "Warta, Diperbarui ..." (an edited article's line)
        has no publication time. Parts without a digit are no times."""
        published: list[str] = []
        updated: list[str] = []
        for text in self.all_texts(self.date_css):
            marker = UPDATE_MARKER.search(text)
            before, after = (text[: marker.start()], text[marker.end() :]) if marker else (text, "")
            published += [before] if any(ch.isdigit() for ch in before) else []
            updated += [after] if any(ch.isdigit() for ch in after) else []
        return published, updated

    # -- fields ---------------------------------------------------------------------------

    @cached_property
    def canonical_url(self) -> str:
        """The page's canonical URL (its ``url`` field; its pager's links are compared to it)."""
        return self.urls.canonical(self.response.url)

    def url(self) -> str:
        return self.canonical_url

    def article_id(self) -> str | None:
        return self.urls.article_id(self.response.url)

    def site_name(self) -> str:
        return self.site or self.urls.domain

    def section(self) -> str | None:
        return self.urls.section(self.response.url)

    def category(self) -> str | None:
        """The last breadcrumb label (None when it is only "Home")."""
        labels: list[str] = []
        for css in self.breadcrumb_css:
            labels = [text for text in self.all_texts(css) if text.strip()]
            if labels:
                break
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

    def published_at(self) -> Sequence[str | datetime]:
        """Candidates, most trusted first (the loader takes the first it can read): here the
        visible publication times. Never an update time: without a publication time the item
        has none (and is dropped as ``missing_published_at``)."""
        return self.visible_dates[0]

    def updated_at(self) -> Sequence[str | datetime]:
        """Update time candidates, most trusted first: JSON-LD ``dateModified``, the
        ``article:modified_time`` meta, a visible "Diperbarui ..." time. The loader keeps the
        first later than ``published_at`` (see :func:`newscrawl.processors.first_later`)."""
        candidates = [
            *self.json_ld("dateModified"),
            self.meta_time("article:modified_time"),
            *self.visible_dates[1],
        ]
        return [value for value in candidates if value and str(value).strip()]

    def dateline(self) -> list[str]:
        return self.paragraphs

    def body(self) -> list[str]:
        return self.paragraphs

    def image_url(self) -> str | None:
        """The cover image: the first ``image_css`` with a real (not inline) source."""
        if not self.image_css:
            return None
        for image in self.find(self.image_css):
            for attribute in ("src", "data-src", "data-original", "data-lazy-src"):
                src = (image.get(attribute) or "").strip()
                if src and not src.startswith("data:"):
                    return self.urljoin(src)
        return None

    def image_caption(self) -> str | None:
        """The cover's caption, else (``caption_from_alt``) the image's ``alt`` text."""
        caption = self.first_text(self.caption_css)
        if caption and caption.strip():
            return caption
        if not self.caption_from_alt:
            return None
        images = self.find(self.image_css)
        alt: str | None = images[0].get("alt") if images else None
        return alt

    def tags(self) -> list[str]:
        return self.all_texts(self.tag_css)

    def is_premium(self) -> bool:
        return False

    def language(self) -> str:
        return self.language_code

    def notes(self) -> list[str]:
        """What reading the page met that is worth counting but is no field, as stat names
        under ``newscrawl/`` (``credits/unlabelled``); the spider counts them with the item."""
        return []

    def learned_lines(self) -> list[str]:
        """Promo lines the page left out of the body that no rule names (the run remembers
        them for the site and lists them in its manifest)."""
        return []

    # -- split articles -------------------------------------------------------------------

    @cached_property
    def pager_urls(self) -> list[str]:
        """Links of the pager to pages of this same article, if it is split."""
        if not self.pager_css:
            return []
        hrefs = [link.get("href") or "" for link in self.find(self.pager_css)]
        if not hrefs:
            return []
        own = self.canonical_url
        links = [self.urljoin(href) for href in hrefs]
        return [link for link in links if self.urls.canonical(link) == own]

    def is_multipage(self) -> bool:
        """True when the pager links another page of the article (``/2``, ``?page=all``)."""
        return any(self.urls.page(url) not in (None, "1") for url in self.pager_urls)

    # -- the item -------------------------------------------------------------------------

    def is_complete(self) -> bool:
        """True when the document reaches its end (``</html>`` in its last bytes)."""
        return document_complete(self.response)

    def has_body(self) -> bool:
        """True when the body holds at least one paragraph with a letter or digit."""
        return any(any(ch.isalnum() for ch in text) for text in self.paragraphs)

    def loader_context(self) -> dict[str, Any]:
        """What the loader's processors may read of the page besides its values (itemloaders'
        loader context): nothing, for a site's own layouts."""
        return {}

    def to_item(self) -> ArticleItem:
        values = [
            (name, (self.site_name if name == "site" else getattr(self, name))()) for name in FIELDS
        ]
        return self.loader_class.load(values, **self.loader_context())


def page_in_layout(response: TextResponse, layouts: Sequence[type[ArticlePage]]) -> ArticlePage:
    """The page object of the first of ``layouts`` that claims the page, else of the last one
    (the page parsed once either way)."""
    table = ElementTable(parse_html(response))
    claimed = next((layout for layout in layouts if layout.matches(table)), layouts[-1])
    return claimed(response, table)


def find_layout(response: TextResponse, layouts: Iterable[type[ArticlePage]]) -> ArticlePage | None:
    """The page object of the first of ``layouts`` whose ``matches`` is true, or None."""
    table = ElementTable(parse_html(response))
    for layout in layouts:
        if layout.matches(table):
            return layout(response, table)
    return None


# --- listings ------------------------------------------------------------------------------


@dataclass
class Links:
    """Article links found on a listing page: accepted (canonical, in order) and rejected."""

    urls: ArticleUrls
    articles: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def add(self, urls: Iterable[str]) -> None:
        for url in urls:
            if self.urls.is_article(url):
                canonical = self.urls.canonical(url)
                if canonical not in self.articles:
                    self.articles.append(canonical)
            else:
                self.rejected.append(url)


class ListPage:
    """A listing page (an index page, a section's landing page): rows of article links.

    Subclasses set :attr:`urls` and :attr:`row_css`, and read the page count where the site
    shows one.
    """

    urls: ClassVar[ArticleUrls]
    #: The article links of the rows (widgets and sidebars are not rows).
    row_css: ClassVar[str] = ""

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    def is_complete(self) -> bool:
        """True when the listing reaches its end (a page cut short lists too few rows)."""
        return document_complete(self.response)

    def links(self) -> Links:
        found = Links(self.urls)
        rows = select(parse_html(self.response), self.row_css)
        hrefs = [row.get("href") or "" for row in rows]
        found.add(self.response.urljoin(href.strip()) for href in hrefs if href.strip())
        return found

    def total_pages(self) -> int | None:
        """The index's page count, or None when the site does not show one."""
        return None


def sitemap_links(body: bytes, urls: ArticleUrls) -> Links:
    """Article links of a (Google News) sitemap; sitemap indexes are not followed."""
    found = Links(urls)
    sitemap = Sitemap(body)
    if sitemap.type == "urlset":
        found.add(entry["loc"].strip() for entry in sitemap if entry.get("loc"))
    return found
