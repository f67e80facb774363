"""Fast CSS selection for page objects: one pass builds an element table, queries use it.

A news page has a few hundred elements, but libxml2 evaluates class predicates slowly (a CSS
class test on every element costs ~0.1 ms), and a page object asks a dozen of them. So the
simple selectors page objects use — ``tag``, ``*``, ``.class``, ``tag.class.other``, ``#id``,
joined by descendant (`` ``) or child (``>``) combinators, grouped with ``,`` — are answered
from an element table (by class and id) built in one pass; anything else (attributes,
pseudo-classes) falls back to lxml XPath compiled once from parsel's CSS translator. Results are
elements only (never a comment or processing instruction, as with parsel), in document order,
like CSS.
``tests/test_selectors.py`` checks both paths against parsel on every fixture page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TypeAlias

import lxml.html
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url
from w3lib.url import safe_url_string

_SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?(?P<rest>(?:[.#][\w-]+)*)$")
_PART = re.compile(r"[.#][\w-]+")


@dataclass(frozen=True)
class _Simple:
    tag: str | None
    classes: frozenset[str]
    ident: str | None

    def matches(self, element: Element) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.ident is not None and element.get("id") != self.ident:
            return False
        if self.classes:
            return self.classes.issubset((element.get("class") or "").split())
        return True


#: A compound selector, right to left: the subject, then (combinator, simple) pairs upward.
_Chain = tuple[_Simple, tuple[tuple[str, _Simple], ...]]


def _parse_simple(token: str) -> _Simple | None:
    match = _SIMPLE.match(token)
    if not match or not token:
        return None
    tag = match.group("tag")
    parts = _PART.findall(match.group("rest") or "")
    classes = frozenset(part[1:] for part in parts if part[0] == ".")
    idents = [part[1:] for part in parts if part[0] == "#"]
    if len(idents) > 1:
        return None
    return _Simple(
        None if tag in (None, "*") else tag.lower(), classes, idents[0] if idents else None
    )


@lru_cache(maxsize=1024)
def _parse(css: str) -> tuple[_Chain, ...] | None:
    """The selector group as chains, or None when it needs the XPath fallback."""
    chains = []
    for group in css.split(","):
        tokens = group.replace(">", " > ").split()
        if not tokens or tokens[0] == ">" or tokens[-1] == ">":
            return None
        simples: list[tuple[str, _Simple]] = []
        combinator = " "
        for token in tokens:
            if token == ">":
                combinator = ">"
                continue
            simple = _parse_simple(token)
            if simple is None:
                return None
            simples.append((combinator, simple))
            combinator = " "
        subject = simples[-1][1]
        upward = tuple((simples[i + 1][0], simples[i][1]) for i in range(len(simples) - 2, -1, -1))
        chains.append((subject, upward))
    return tuple(chains)


@lru_cache(maxsize=1024)
def _compiled(css: str) -> etree.XPath:
    return etree.XPath(HTMLTranslator().css_to_xpath(css))


#: An element of a parsed page: lxml's own (see ``_PARSER``), not ``lxml.html.HtmlElement``.
Element: TypeAlias = etree._Element
_UTF8 = frozenset({"utf-8", "utf8", "utf_8"})
#: lxml's own HTML parser, without lxml.html's element class lookup: that lookup is a Python
#: call for every element touched (~1 µs each, a third of the element table's cost), and
#: nothing here needs Element's extras.
_PARSER = etree.HTMLParser(encoding="utf-8", recover=True)


def utf8_after_all(body: bytes) -> bool:
    """True when ``body``, declared in a one-byte encoding (Latin-1, Windows-1252), is UTF-8
    after all: it decodes as UTF-8 and holds characters beyond ASCII (text in a one-byte
    encoding is almost never valid UTF-8 once it has any)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: Encodings a page may declare while sending UTF-8 (a template's stale ``<meta charset>``).
_ONE_BYTE = frozenset({"cp1252", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252"})


def parse_html(response: TextResponse) -> Element:
    """The response's element tree, parsed straight from its UTF-8 bytes when it is UTF-8
    (parsel would decode and re-encode the whole page first), also when it declares a
    one-byte encoding but is UTF-8 (:func:`utf8_after_all`); otherwise from its text."""
    body = response.body
    utf8 = response.encoding.lower() in _UTF8 or (
        response.encoding.lower() in _ONE_BYTE and utf8_after_all(body)
    )
    if utf8 and b"\x00" not in body:
        data = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    else:
        data = response.text.replace("\x00", "").encode("utf-8")
    try:
        root: Element = lxml.html.document_fromstring(data, parser=_PARSER)  # type: ignore[assignment]
    except etree.ParserError:  # an empty document
        root = response.selector.root
    return root


#: What opens a ``<base>`` tag, in a page's bytes (w3lib looks for it so in the text).
_BASE_TAG = re.compile(rb"<base", re.IGNORECASE)


#: Scrapy looks for ``<base>`` in a page's first 4,096 characters: in UTF-8 (a BOM, then at
#: most 4 bytes a character, an undecodable byte one) they lie in its first this many bytes.
_BASE_SCAN_BYTES = 3 + 4 * 4096


def base_url(response: TextResponse) -> str:
    """What ``response.urljoin`` joins with (Scrapy's ``get_base_url``: the first ``<base
    href>`` of the page's first 4,096 characters, else its URL), without decoding the whole
    page for it when the page is UTF-8 and the bytes those characters are in hold no
    ``<base`` (most pages): then it is the URL, made safe as Scrapy makes it."""
    if response.encoding.lower() in _UTF8 and not _BASE_TAG.search(
        response.body, 0, _BASE_SCAN_BYTES
    ):
        return safe_url_string(response.url)
    return get_base_url(response)


class ElementTable:
    """Elements of one document by class (built in one pass) and id (when asked), for
    :meth:`select`."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.by_class: dict[str, list[Element]] = {}
        for element in root.iter(etree.Element):
            classes = element.get("class")
            if classes:
                for name in classes.split():
                    self.by_class.setdefault(name, []).append(element)

    @cached_property
    def by_id(self) -> dict[str, list[Element]]:
        """Elements by id, made for the first ``#id`` query (page objects ask none)."""
        found: dict[str, list[Element]] = {}
        for element in self.root.iter(etree.Element):
            ident = element.get("id")
            if ident:
                found.setdefault(ident, []).append(element)
        return found

    @cached_property
    def position(self) -> dict[Element, int]:
        return {element: n for n, element in enumerate(self.root.iter(etree.Element))}

    def select(self, css: str) -> list[Element]:
        """The elements matching ``css``, in document order (no duplicates)."""
        if not css:
            return []
        chains = _parse(css)
        if chains is None:
            found: list[Element] = _compiled(css)(self.root)
            return found
        matched: dict[Element, None] = {}
        contributing = 0
        for chain in chains:
            found = self._chain(chain)
            contributing += bool(found)
            matched.update(dict.fromkeys(found))
        if contributing <= 1:  # one chain's matches are in document order already
            return list(matched)
        return sorted(matched, key=self.position.__getitem__)

    def _chain(self, chain: _Chain) -> list[Element]:
        subject, upward = chain
        if upward and subject.ident is None and not subject.classes:
            # "A B" / "A > B" with a bare tag B (or *): from the (rare) A elements down. Only
            # elements: a comment's or processing instruction's tag is no str (CSS never
            # selects them; lxml's etree.Element filter leaves them out of iterdescendants).
            (combinator, parent), rest = upward[0], upward[1:]
            found: dict[Element, None] = {}
            tops = 0
            tag = subject.tag or etree.Element
            for top in self._candidates(parent):
                if not parent.matches(top) or not _ancestors_match(top, rest):
                    continue
                if combinator == " ":
                    matches = list(top.iterdescendants(tag))
                elif subject.tag is None:
                    matches = [element for element in top if isinstance(element.tag, str)]
                else:
                    matches = [element for element in top if element.tag == subject.tag]
                tops += bool(matches)
                found.update(dict.fromkeys(matches))
            if tops > 1:  # several tops (nested or not): restore document order
                return sorted(found, key=self.position.__getitem__)
            return list(found)
        return [
            element
            for element in self._candidates(subject)
            if subject.matches(element) and _ancestors_match(element, upward)
        ]

    def _candidates(self, simple: _Simple) -> list[Element]:
        if simple.ident is not None:
            return self.by_id.get(simple.ident, [])
        if len(simple.classes) == 1:
            (name,) = simple.classes
            return self.by_class.get(name, [])
        if simple.classes:
            rarest = min(simple.classes, key=lambda name: len(self.by_class.get(name, ())))
            return self.by_class.get(rarest, [])
        if simple.tag is not None:
            return list(self.root.iter(simple.tag))
        return list(self.root.iter(etree.Element))


def _ancestors_match(element: Element, upward: tuple[tuple[str, _Simple], ...]) -> bool:
    """True when ``element``'s ancestors satisfy the chain (descendant steps backtrack)."""
    if not upward:
        return True
    combinator, simple = upward[0]
    parent = element.getparent()
    if combinator == ">":
        return (
            parent is not None and simple.matches(parent) and _ancestors_match(parent, upward[1:])
        )
    while parent is not None:
        if simple.matches(parent) and _ancestors_match(parent, upward[1:]):
            return True
        parent = parent.getparent()
    return False
