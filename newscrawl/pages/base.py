"""Shared machinery of page objects: response wrapping, text of blocks, item loading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import ClassVar

from lxml.html import HtmlElement
from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from newscrawl.items import ArticleItem
from newscrawl.loaders import ArticleLoader

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
    "published_at", "dateline", "body", "image_url", "image_caption", "tags", "is_premium",
    "language",
)  # fmt: skip


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


def element_text(element: HtmlElement) -> str:
    """The text of ``element`` as shown: inline children joined as written, block children
    kept apart by a space, scripts and styles left out (white space is folded later)."""
    parts: list[str] = [element.text or ""]

    def walk(node: HtmlElement) -> None:
        for child in node:
            if isinstance(child.tag, str) and child.tag not in HIDDEN_TAGS:
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


class ArticlePage:
    """Base page object for one article layout.

    Subclasses set the selectors and may override any field method. Field methods return
    raw values (strings or lists of strings); :class:`ArticleLoader` cleans them.
    """

    #: Short name of the layout, e.g. ``"bisnis/2025"`` (logged and counted in stats).
    layout: ClassVar[str] = "base"
    site: ClassVar[str] = ""
    language_code: ClassVar[str] = "id"
    #: CSS of the element holding the body blocks.
    body_css: ClassVar[str] = "article"
    #: Classes (any of the element's classes, or a prefix ending in ``*``) that are never body.
    excluded_classes: ClassVar[tuple[str, ...]] = ()
    #: Tag-attribute pairs that mark embeds (``blockquote.instagram-media`` and the like).
    embed_class_re: ClassVar[re.Pattern[str]] = re.compile(
        r"instagram|twitter|tiktok|facebook|youtube|embed|video", re.IGNORECASE
    )
    #: The page-n suffix of the path, cut from canonical URLs.
    page_suffix: ClassVar[re.Pattern[str] | None] = None

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    # -- detection ------------------------------------------------------------------------

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        """True when the page is in this layout."""
        return bool(selector.css(cls.body_css))

    # -- shared parsing (done once per page) ----------------------------------------------

    @cached_property
    def sel(self) -> Selector:
        return self.response.selector

    @cached_property
    def body_element(self) -> HtmlElement | None:
        found: SelectorList[Selector] = self.sel.css(self.body_css)
        return found[0].root if found else None

    @cached_property
    def paragraphs(self) -> list[str]:
        """Texts of the body's blocks in page order (not yet cleaned)."""
        if self.body_element is None:
            return []
        return [element_text(block) for block in self._blocks(self.body_element)]

    def _excluded(self, element: HtmlElement) -> bool:
        if element.tag in SKIP_TAGS:
            return True
        classes = (element.get("class") or "").split()
        for wanted in self.excluded_classes:
            if wanted.endswith("*"):
                if any(c.startswith(wanted[:-1]) for c in classes):
                    return True
            elif wanted in classes:
                return True
        return element.tag == "blockquote" and bool(
            self.embed_class_re.search(element.get("class") or "")
        )

    def _blocks(self, container: HtmlElement) -> Iterator[HtmlElement]:
        for child in container:
            if not isinstance(child.tag, str) or self._excluded(child):
                continue
            if child.tag in BLOCK_TAGS and not self._has_block(child):
                yield child
            else:
                yield from self._blocks(child)

    def _has_block(self, element: HtmlElement) -> bool:
        return any(
            isinstance(node.tag, str) and node.tag in BLOCK_TAGS
            for node in element.iterdescendants()
        )

    def first_text(self, css: str) -> str | None:
        """The text of the first element matching ``css``."""
        found = self.sel.css(css)
        return element_text(found[0].root) if found else None

    def all_texts(self, css: str) -> list[str]:
        return [element_text(node.root) for node in self.sel.css(css)]

    def meta(self, name: str) -> str | None:
        """The content of ``<meta name=NAME>`` or ``<meta property=NAME>``."""
        return self.sel.xpath("//meta[@name=$n or @property=$n]/@content", n=name).get()

    # -- fields ---------------------------------------------------------------------------

    def url(self) -> str:
        raise NotImplementedError

    def article_id(self) -> str | None:
        raise NotImplementedError

    def site_name(self) -> str:
        return self.site

    def section(self) -> str | None:
        return None

    def category(self) -> str | None:
        return None

    def title(self) -> str | None:
        return None

    def lead(self) -> str | None:
        return None

    def authors(self) -> list[str]:
        return []

    def editor(self) -> list[str]:
        return []

    def published_at(self) -> list[str]:
        return []

    def dateline(self) -> list[str]:
        return self.paragraphs

    def body(self) -> list[str]:
        return self.paragraphs

    def image_url(self) -> str | None:
        return None

    def image_caption(self) -> str | None:
        return None

    def tags(self) -> list[str]:
        return []

    def is_premium(self) -> bool:
        return False

    def language(self) -> str:
        return self.language_code

    # -- the item -------------------------------------------------------------------------

    def has_body(self) -> bool:
        """True when the body holds at least one paragraph with a letter or digit."""
        return any(any(ch.isalnum() for ch in text) for text in self.paragraphs)

    def to_item(self) -> ArticleItem:
        loader = ArticleLoader()
        for name in FIELDS:
            method = self.site_name if name == "site" else getattr(self, name)
            value = method()
            if value is not None:
                loader.add_value(name, value)
        item: ArticleItem = loader.load_item()
        return item
