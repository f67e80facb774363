"""The main text of any page: which element holds the article, measured from the text itself.

A page is read once into a :class:`TextMap`: every text node is credited to its nearest
block (a ``p``, a ``div`` with text of its own, a list item, ...), a block whose text is long
enough and mostly not link text is *good* (article-like), and each element's good and other
text is summed from its descendants. The article's container is the element whose good text
outweighs its other text most (:meth:`TextMap.container`): an article split over sibling
blocks is held by their common parent, a sidebar or a footer costs a page-wide element more
than it gains. Site chrome (``nav``, ``footer``, and elements whose class or id names comments,
sharing, related links, newsletters, ads, cookie notices, paywalls...) is never good text (but
a ``nav`` or ``footer`` holding the page's ``main``: a menu's markup left open nests the page
in it); an ``aside``, a ``form`` or a ``header`` is chrome unless it holds most of the page's
good text (an ASP.NET page-wide form, an article set in an aside). A page with no good text
but in ``<noscript>`` (shown to readers without scripts) is read from there.

No site's names: the class words are the web's common ones (:data:`JUNK_WORDS`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from newscrawl.pages.selectors import Element

#: Elements that start a block of text of their own.
BLOCK_LEVEL = frozenset(
    {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dd", "dt", "h1", "h2",
     "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tbody", "thead", "tfoot", "tr", "td",
     "th", "figure", "figcaption", "header", "footer", "nav", "aside", "form", "fieldset",
     "address", "body", "center", "details", "summary", "html", "caption", "hgroup", "menu"}
)  # fmt: skip
#: Elements whose content is no text of the page (scripts, media, controls) or never the
#: article's (figures and their captions).
SILENT = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "select", "input", "textarea",
     "option", "iframe", "object", "embed", "video", "audio", "img", "picture", "canvas", "head",
     "title", "meta", "link", "figure", "figcaption", "math", "dialog"}
)  # fmt: skip
#: Elements that are site chrome wherever they are.
HARD_CHROME = frozenset({"nav", "footer"})
#: Elements that are chrome unless they hold most of the page's good text.
SOFT_CHROME = frozenset({"aside", "form", "header"})
#: A soft chrome element inside the best element is no chrome when it holds this share of
#: the best element's good text.
SOFT_SHARE = 0.5
#: An ``<article>`` in the best element holding this share of its good text is an article of
#: its own (an infinite scroll's next article under this one: :meth:`TextMap._one_article`).
ARTICLE_SHARE = 0.2
#: A page whose best element holds less good text than this (characters) is measured again
#: with its ``<noscript>`` read, which is kept when its best element holds twice as much,
#: and as much as this.
NOSCRIPT_BELOW = 500
#: Words of class names and ids that mark what is never the article's text.
JUNK_WORDS = frozenset(
    {"related", "recommended", "recommendations", "recommendation", "recirculation", "share",
     "sharing", "shares", "social", "socials", "newsletter", "newsletters", "subscribe",
     "signup", "promo", "promotion", "advert", "advertisement", "advertising", "ads", "ad",
     "adv", "advs", "adslot", "adunit", "gpt", "dfp", "adsense", "iklan", "anzeige", "werbung",
     "sponsor", "sponsored", "modal", "popup",
     "overlay", "breadcrumb", "breadcrumbs", "sidebar", "footer", "navigation", "navbar", "menu",
     "toolbar", "pagination", "pager", "caption", "captions", "credit", "credits", "outbrain",
     "taboola", "teaser", "teasers", "byline", "bio", "biography", "tags", "tag", "keywords",
     "topics", "author", "authors", "banner", "masthead", "rating", "reactions", "print",
     "copyright", "disclaimer", "readmore", "trending", "popular", "nav", "skip", "offscreen",
     "visually", "sr", "screenreader", "lightbox", "gallery", "slideshow", "carousel", "video",
     "player", "podcast", "audio", "embed", "infobox", "factbox", "toc", "meta", "metadata",
     "date", "time", "timestamp", "dateline", "modified", "updated", "published"}
)  # fmt: skip
#: Words of class names and ids of comments and cookie notices: chrome even when they hold
#: most of the text.
COMMENT_WORDS = frozenset(
    {"comment", "comments", "disqus", "replies", "reply", "respond", "cookie", "cookies",
     "consent", "gdpr", "onetrust", "cmp", "privacy"}
)  # fmt: skip
#: Words of class names and ids of wrappers that may hold the visible part of the article
#: (a paywall's teaser) or only a prompt: chrome unless they hold most of the good text.
SOFT_WORDS = frozenset({"paywall", "subscription", "subscriber", "premium", "locked", "plus"})
#: Words that keep an element from being junk by its name alone (``article-body`` is never
#: junk for ``body``; ``content`` holds the article on many sites).
KEEP_WORDS = frozenset(
    {"article", "body", "content", "main", "story", "text", "entry", "post", "richtext",
     "articlebody", "paragraph", "prose", "copy"}
)  # fmt: skip
#: The words of :data:`KEEP_WORDS` that name the article itself or its content, which a name
#: of comments does not outweigh (a "post", an "entry" or a "text" may be a comment's).
ARTICLE_WORDS = frozenset({"article", "articlebody", "story", "main", "content"})
#: Names of a post's categories, tags, format and status (WordPress writes them as classes of
#: the post's wrapper), which say nothing of what the element is.
TAXONOMY = re.compile(r"(?:category|tag|tags|format|status|type|author)-", re.IGNORECASE)
#: The fewest characters a block needs to count as article-like text (CJK: fewer).
GOOD_CHARS = 40
GOOD_CHARS_CJK = 16
GOOD_WORDS = 8
#: The most link text a good block may have (a share of its text).
GOOD_LINK_SHARE = 0.35
#: A teaser card: a line all of links of at most this many words, beside at most this much
#: good text (characters) in their parent.
CARD_HEADING_WORDS = 25
CARD_MAX_GOOD = 400
#: What is never a teaser card (:meth:`TextMap._cards`): the page itself, and a list (an
#: item all of a link is a list's, not a teaser's headline).
LIST_TAGS = frozenset({"body", "html", "ul", "ol"})
#: With ``paragraph_alone`` (:class:`TextMap`), a paragraph alone is the container when it
#: scores this many times the best element holding paragraphs.
LEAF_LEAD = 3.0
#: The opening words a block shares with the page's description to be this page's text.
DESCRIBED_WORDS = 12
#: How much other text costs a container, against its good text.
OTHER_COST = 1.0

_WORD_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z])(?=[A-Z])")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_NON_WORD = re.compile(r"\W+")
#: An element's text, all of it, in one string (in C).
_TEXT = etree.XPath("string()")
_REACT_SEGMENT = re.compile(r"S:[0-9a-f]+$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: An element holding the page's ``<main>``: a navigation or a footer holding it is no chrome
#: (a menu's markup left open nests the rest of the page in it, as the parser reads it).
_HOLDS_MAIN = etree.XPath("boolean(.//main)")
_HOLDS_H1 = etree.XPath("boolean(.//h1)")
#: A page with an h1 inside an element whose class or id holds "cmp" (any case): one that
#: :func:`only_cmp` may have made chrome (:class:`TextMap`).
_CMP_HEADLINE_BOX = etree.XPath(
    "boolean(//h1/ancestor::*[contains(translate(concat(@class, ' ', @id), 'CMP', 'cmp'), 'cmp')])"
)
_HAS_NOSCRIPT = etree.XPath("boolean(//body//noscript)")
#: A form asking for a password and holding no heading, article or main: with less than
#: half of the page's words (:meth:`TextMap._sign_in_form`), a sign-in or registration
#: form, never the article's text (an ASP.NET page-wide form may hold a sign-in box and the
#: article).
_SIGN_IN_FORM = etree.XPath(
    "boolean(.//input[@type='password']) and not(.//h1 | .//h2 | .//article | .//main)"
)


@lru_cache(maxsize=8192)
def name_words(names: str) -> frozenset[str]:
    """The words of a class attribute and id: ``"article-body shareBar"`` → ``{"article",
    "body", "share", "bar"}`` (lower-cased; camelCase and separators split)."""
    return frozenset(w.lower() for w in _WORD_SPLIT.split(names) if w)


#: Elements never judged by their names (a page's ``body class="has-comments"``).
UNNAMED = frozenset({"html", "body", "main", "article"})
#: What an element's names make it (:func:`name_kind`).
HARD, SOFT = 2, 1


@lru_cache(maxsize=8192)
def kind_of_names(names: str) -> int:
    """:data:`HARD` for names of comments (chrome however long they are: :func:`comments`),
    :data:`SOFT` for names of what is never article text (sharing, related links, ads, ...:
    :data:`JUNK_WORDS`) unless a word names the article's text (:data:`KEEP_WORDS`), or of a
    paywall's wrapper (:data:`SOFT_WORDS`); else 0."""
    if comments(names):
        return HARD
    words = name_words(names)
    if words.isdisjoint(KEEP_WORDS) and not words.isdisjoint(JUNK_WORDS):
        return SOFT
    if "__" in names and any(_bem_junk(name) for name in names.split()):
        return SOFT
    return SOFT if not words.isdisjoint(SOFT_WORDS) else 0


def _bem_junk(name: str) -> bool:
    """A BEM name (``block__element``) whose element (all after the block, a nested
    element's path too; not its ``--modifier``) is one of :data:`BEM_JUNK_WORDS` and names
    no text (:data:`KEEP_WORDS`): ``l-article__ad``, ``article-content__newsletter``,
    ``article__share__icon`` (the block's words name the container, not the element)."""
    if "__" not in name:
        return False
    element = name_words(name.partition("__")[2].partition("--")[0])
    return element.isdisjoint(KEEP_WORDS) and not element.isdisjoint(BEM_JUNK_WORDS)


#: The junk words that make a BEM element chrome whatever its block: what never holds the
#: article's text (sharing, related links, ads, newsletters, promos); not a layout's or a
#: medium's words ("masthead", "meta", "video", "gallery", "caption", "date": the article's
#: header, lead or a paragraph may sit in those).
BEM_JUNK_WORDS = frozenset(
    {"share", "sharing", "shares", "social", "socials", "related", "recommended",
     "recommendations", "recommendation", "recirculation", "ad", "ads", "adv", "advs", "advert",
     "advertisement", "advertising", "adslot", "adunit", "gpt", "dfp", "adsense", "iklan",
     "anzeige", "werbung", "newsletter", "newsletters", "subscribe", "signup", "promo",
     "promotion", "sponsor", "sponsored", "outbrain", "taboola", "popup", "modal", "trending",
     "popular", "readmore", "widget", "widgets"}
)  # fmt: skip


def comments(names: str) -> bool:
    """Names (class attribute and id) of comments, a cookie notice or a consent box: a name
    holding a word of :data:`COMMENT_WORDS` ("post-comments", "comment-box user-post-box",
    "commentlinks": :func:`comment_stems`),
    unless another names the article's text: a word of :data:`ARTICLE_WORDS` in a name of no
    comments, or a name that is a keep word itself (WordPress's ``post hentry`` wrapper). A
    taxonomy name (``category-comment``, ``tag-privacy``: the post's categories and tags) says
    nothing of the element."""
    if COMMENT_WORDS.isdisjoint(comment_stems(name_words(names))):
        return False  # the cheap look first: no name says comments
    said = [
        (name, comment_stems(name_words(name)))
        for name in names.split()
        if not TAXONOMY.match(name)
    ]
    if all(COMMENT_WORDS.isdisjoint(words) for _, words in said):
        return False
    if _aem_component(names):
        return False
    for name, words in said:
        if name.lower() in KEEP_WORDS or name.lower() == "hentry":
            return False
        if COMMENT_WORDS.isdisjoint(words) and not ARTICLE_WORDS.isdisjoint(words):
            return False
    return True


def comment_stems(words: frozenset[str]) -> frozenset[str]:
    """``words``, with "comment" for a word that opens with it ("commentlinks",
    "commentlist": taz.de's and WordPress's comments), not for "commentary" (an opinion
    piece's class) or "commentator"."""
    if any(w.startswith("comment") and not w.startswith(("commentar", "commentat")) for w in words):
        return words | {"comment"}
    return words


#: Adobe Experience Manager's components are named "cmp-text", "cmp-title" and set in its
#: grid ("aem-GridColumn"): there "cmp" names no consent box (fortinet.com's post).
_AEM_NAMES = re.compile(r"(?:^|\s)(?:aem-|cmp-(?:text|title)(?:\s|$))")


def _aem_component(names: str) -> bool:
    """Names of an Adobe Experience Manager component (:data:`_AEM_NAMES`) whose one word
    of comments or consent is its "cmp" prefix."""
    return _AEM_NAMES.search(names) is not None and only_cmp(names)


def only_cmp(names: str) -> bool:
    """Names whose one word of comments or consent is "cmp" (``ls-cmp-wrap``), a word that
    names a CMS's components as often as a consent management platform's box."""
    return all(
        COMMENT_WORDS.isdisjoint(words - {"cmp"}) for words in map(name_words, names.split())
    )


#: Headings of an article's parts.
SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _anchor_of(ident: str, text: str | None) -> bool:
    """``ident`` is an anchor made of the heading's own words (``nav_nur_die_folie__1`` for
    "Nur die Folie bleibt zurück", heise.de's table of contents): it names the text, not
    what the element is."""
    words = [w for w in _NON_WORD.split((text or "").casefold()) if w]
    if len(words) < 2:
        return False
    named = name_words(ident)
    return sum(w in named for w in words) >= 2


def name_kind(element: Element) -> int:
    """What ``element``'s class and id make it (:func:`kind_of_names`); html, body, main
    and article elements are never judged by their names."""
    return names_kind(element.tag, element.get("class"), element.get("id"))


def names_kind(tag: str, classes: str | None, ident: str | None) -> int:
    """:func:`name_kind` of an element of ``tag`` with these class and id."""
    if (not classes and not ident) or tag in UNNAMED:
        return 0
    return kind_of_names(f"{classes or ''} {ident or ''}")


#: The microdata of a publication's and an update's time.
_TIME_PROPS = frozenset({"datePublished", "dateModified"})
#: Attributes that can hide an element, and that can mark a byline by microdata.
_SHOWN = frozenset({"hidden", "style", "aria-hidden"})
_MICRODATA = frozenset({"itemprop", "rel"})


#: Parts of class names of elements that hold a byline ("article-author", "byline",
#: "autor", "penulis", "reporter", "writer").
_BYLINE_CLASS = re.compile(r"author|byline|autor|penulis|reporter|writer", re.IGNORECASE)


#: A class name of a photo's credit or an author's picture, not of a byline ("photo-author",
#: "bildautor", "image-credit-author", "author-avatar").
_PICTURE_CLASS = re.compile(r"photo|image|foto|bild|picture|avatar|credit", re.IGNORECASE)


@lru_cache(maxsize=4096)
def byline_class(classes: str) -> bool:
    """Class names naming an author or a byline, one of them not a picture's
    (:data:`_PICTURE_CLASS`)."""
    return any(
        _BYLINE_CLASS.search(name) is not None and _PICTURE_CLASS.search(name) is None
        for name in classes.split()
    )


def byline_marked(element: Element) -> bool:
    """True for an element that says it holds a byline: ``itemprop=author``,
    ``rel=author``, or a class naming an author or a byline."""
    if element.get("itemprop") == "author" or element.get("rel") == "author":
        return True
    classes = element.get("class")
    return bool(classes) and byline_class(classes)


def hidden(element: Element) -> bool:
    """True for an element the page does not show (``hidden``, ``display: none``,
    ``aria-hidden``); but a React streaming boundary (``<div hidden id="S:1">``), which a
    script shows in place, and a paywall's hidden rest of the article (``<div class="paywall"
    hidden>``; paragraphs ``<p class="paywall" aria-hidden="true">``: :func:`_paywalled_text`)."""
    if element.get("hidden") is not None:
        shown = _REACT_SEGMENT.match(element.get("id") or "") or _paywall(element)
        return not shown
    if element.get("aria-hidden") == "true":
        return not _paywalled_text(element)  # the article's text, hidden from screen readers
    style = element.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None and not _paywall(element)


def _ancestors_below(element: Element, top: Element) -> Iterator[Element]:
    """The ancestors of ``element`` below ``top`` (an ancestor of it), nearest first."""
    for up in element.iterancestors():
        if up is top:
            return
        yield up


def hidden_from_view(element: Element) -> bool:
    """``element`` is not shown at all (``hidden``, ``display: none``), not only hidden from
    screen readers (``aria-hidden``)."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _paywalled_text(paragraph: Element, within: Element | None = None) -> bool:
    """A paragraph of the article marked for a paywall's script (the text shown, the mark
    read by the script that meters it): a ``p`` with a paywall's class that another
    paragraph of ``within`` (else of its parent) shares. A prompt is one paragraph of its
    kind ("Subscribe now to keep reading ...")."""
    if paragraph.tag != "p" or not _paywall(paragraph):
        return False
    holder = within if within is not None else paragraph.getparent()
    if holder is None:
        return False
    classes = paragraph.get("class")
    shared = (other for other in holder.iter("p") if other.get("class") == classes)
    return next(shared, None) is not None and next(shared, None) is not None


def _paywall(element: Element) -> bool:
    classes = element.get("class")
    return bool(classes) and not name_words(classes).isdisjoint(SOFT_WORDS)


def good_length(text_chars: int, words: int, cjk: bool) -> bool:
    """True when a block of ``text_chars`` characters in ``words`` words is long enough to be
    article text (a sentence, not a date line or a label)."""
    if cjk:
        return text_chars >= GOOD_CHARS_CJK
    return text_chars >= GOOD_CHARS and words >= GOOD_WORDS


def described_opening(text: str, words: int = DESCRIBED_WORDS) -> tuple[str, ...]:
    """The first ``words`` words of ``text`` (case and punctuation aside), or () for a
    shorter text: what a block shares with the page's description when it opens with it
    (a description may be cut short, or end in "...")."""
    found = tuple(w for w in _NON_WORD.split(text.casefold(), maxsplit=words + 1) if w)[:words]
    return found if len(found) == words else ()


def copies(texts: dict[Element, str]) -> list[Element]:
    """The blocks whose text is a copy of another's: a part of a longer block's text (a
    summary box repeating the article's sentences, a lead that is its first sentence), or
    the same text as an earlier block; compared by their words (case and punctuation
    aside)."""
    texts = {
        block: " ".join(_NON_WORD.split(text)).strip().casefold() for block, text in texts.items()
    }
    joined = "\n".join(texts.values())
    same = Counter(texts.values())
    found = []
    seen: set[str] = set()
    for block, text in texts.items():
        if text in seen or joined.count(text) > same[text]:
            found.append(block)
        seen.add(text)
    return found


class TextMap:
    """A page's text measured per element (see the module docstring)."""

    def __init__(self, root: Element, paragraph_alone: bool = False, described: str = "") -> None:
        """Asides are taken for chrome, measured in one go, unless they hold more text than
        the best element found without them (an aside holds the article on a few sites:
        the page is then measured again, asides read as any soft chrome). With
        ``paragraph_alone``, a paragraph alone is the container when it scores
        :data:`LEAF_LEAD` times the best element holding paragraphs (asked of a page given as
        an article that gave no body otherwise: a one-paragraph post among boxes of other
        text). ``described`` is the page's description: a block opening with it is this
        page's text, never a teaser of another's (:meth:`_cards`)."""
        self.root = root
        self._paragraph_alone = paragraph_alone
        self._described = described_opening(described)
        self._unread = SILENT
        #: The page's words, counted for the first form asking for a password.
        self._page_words: int | None = None
        #: Elements that "cmp" alone names a consent box and that hold an h1 are read as
        #: soft chrome (the page is measured so when it had no text otherwise).
        self._headline_boxes_soft = False
        #: The element holding the article (:meth:`container`).
        self.best: Element | None = None
        #: The best element is one of several articles (:meth:`_one_article`).
        self.several_articles = False
        self._start(HARD_CHROME | {"aside"})
        skipped = sum(self.other.get(aside, 0) for aside in self.chrome if aside.tag == "aside")
        if skipped > self.good.get(self.best, 0):
            self._start(HARD_CHROME)  # the article may be in an aside: read the asides too
        #: The page was read from its ``<noscript>`` (it had no text elsewhere).
        self.noscript = False
        shown = self.good.get(self.best, 0) if self.best is not None else 0
        if shown < NOSCRIPT_BELOW and _HAS_NOSCRIPT(root):
            # little or no text but in <noscript>: a page shown to readers without scripts
            # (a blog's post in a script template, and again in <noscript>)
            first = dict(self.__dict__)
            self._unread = SILENT - {"noscript"}
            self._start(HARD_CHROME | {"aside"})
            self.noscript = True
            if first["best"] is not None and (
                self.best is None or self.good.get(self.best, 0) < max(2 * shown, NOSCRIPT_BELOW)
            ):
                self.__dict__.update(first)  # <noscript> says no more: the first reading
        if self.best is None and _CMP_HEADLINE_BOX(root):
            # no text at all, and "cmp" alone took the headline's wrapper for a consent box
            # (it names a CMS's components as well): that wrapper is soft chrome
            self._unread, self.noscript = SILENT, False
            self._headline_boxes_soft = True
            self._start(HARD_CHROME | {"aside"})
        self.best = self._one_article(self.best)  # measured whole: then one article of it

    def _start(self, hard: frozenset[str]) -> None:
        """Measure the page, with the elements of tags ``hard`` taken for chrome unread."""
        self._hard = hard
        #: The outermost elements whose text counts for nothing (scripts, media, hidden).
        self.silent: set[Element] = set()
        #: The outermost chrome elements: their text is never good.
        self.chrome: set[Element] = set()
        #: Good and other characters under each element.
        self.good: dict[Element, int] = {}
        self.other: dict[Element, int] = {}
        self.best = None
        #: Elements that say they hold a byline (:func:`byline_marked`), in page order.
        self.byline_elements: list[Element] = []
        #: The place of each element read in page order (not those in silent or hard chrome
        #: elements, which are not read).
        self.order: dict[Element, int] = {self.root: 0}
        #: The page's h1 elements.
        self.headlines: list[Element] = []
        #: Elements whose microdata is a publication or update time (``itemprop``).
        self.microdata_times: list[Element] = []
        #: The blocks whose own text is good (not copies, not chrome).
        self.good_blocks: set[Element] = set()
        self._pieces: dict[Element, list[str]] = {}
        self._linked: dict[Element, int] = {}
        self._candidates: dict[Element, tuple[str, int]] = {}
        self._soft: list[Element] = []
        self._link_lines: list[Element] = []
        self._in_chrome: set[Element] = set()
        self._measure()

    def _measure(self) -> None:
        root = self.root
        self._pieces[root] = [root.text] if root.text and not root.text.isspace() else []
        good, other = self._visit(root, root, self._pieces[root], False, False)
        own_good, own_other = self._classify(root)
        if good + own_good:
            self.good[root] = good + own_good
        if other + own_other:
            self.other[root] = other + own_other
        for block in copies({block: text for block, (text, _) in self._candidates.items()}):
            # a copy is neither good nor other: a summary's points, a placeholder repeated
            self._move(block, self.good.get(block, 0) - self._sub_good(block), to_other=False)
            del self._candidates[block]
        first = self._best()
        holding = set(first.iterancestors()) | {first} if first is not None else set()
        most = SOFT_SHARE * self.good.get(first, 0) if first is not None else 0
        described = self._described_holders()
        whole_page = first is None or first.tag in ("html", "body")
        spared: Element | None = None
        for card in self._cards():
            if card in holding:
                continue
            if (
                card in described
                and spared is None
                and (whole_page or first not in card.iterancestors())
            ):
                spared = card  # this page's own text (a short post), not a box in its article
                continue
            self._demote(card)
        groups: dict[str | None, int] = {}
        for element in self._soft:
            key = element.get("class")
            groups[key] = groups.get(key, 0) + self.good.get(element, 0)
        headed = {up for h1 in self.headlines for up in h1.iterancestors()}
        for element in self._soft:
            if element in self._in_chrome or element in holding:
                continue  # a page-wide form, an article in an aside: not chrome
            if element.tag == "header" and element in headed:
                continue  # the article's header: its headline, its lead
            if first in element.iterancestors() and _paywalled_text(element, first):
                continue  # the article's paragraph, named for a paywall's script
            if most and groups[element.get("class")] >= most:
                continue  # most of the best element's text (alone or with its like)
            self._demote(element)
        self.best = self._best()
        self.good_blocks = {block for block in self._candidates if block in self.good}
        del self._pieces, self._linked, self._candidates

    def lead_blocks(self, headline: Element | None) -> list[Element]:
        """The good blocks between ``headline`` (the page's h1) and the container, in page
        order, when both are in one element short of the page (an article's header and its
        body): the lead or summary an article shows above its text."""
        body = self.best
        if body is None or headline is None:
            return []
        above = set(headline.iterancestors())
        scope = next((up for up in body.iterancestors() if up in above), None)
        if scope is None or scope.tag in ("body", "html"):
            return []
        order = self.order
        start, end = order.get(headline, -1), order.get(body, -1)
        if not 0 <= start < end:
            return []
        found = [
            block
            for block in self.good_blocks
            if start < order.get(block, -1) < end and scope in block.iterancestors()
        ]
        return sorted(found, key=order.__getitem__)

    def _visit(
        self, element: Element, block: Element, out: list[str], link: bool, chrome: bool
    ) -> tuple[int, int]:
        """Collect the text under ``element`` into blocks (``out``: the pieces of ``block``,
        the block it is in), mark silent, chrome and soft chrome elements (the outermost of
        each), and sum the good and other text of each element (stored for those that have
        some); returns the sums under ``element``."""
        pieces, linked, good, other = self._pieces, self._linked, self.good, self.other
        silent, in_chrome, soft, hard = self.silent, self._in_chrome, self._soft, self._hard
        visit, classify, unread = self._visit, self._classify, self._unread
        good_sum = other_sum = 0
        order = self.order
        for child in element:
            tag = child.tag
            if type(tag) is str and tag not in unread:
                order[child] = len(order)
                keys = child.keys()
                if keys and not _SHOWN.isdisjoint(keys) and hidden(child):
                    silent.add(child)
                else:
                    inner = chrome
                    classes = ident = None
                    if keys:
                        classes = child.get("class") if "class" in keys else None
                        ident = child.get("id") if "id" in keys else None
                        if (classes and byline_class(classes)) or (
                            not _MICRODATA.isdisjoint(keys) and byline_marked(child)
                        ):
                            self.byline_elements.append(child)
                        if "itemprop" in keys and child.get("itemprop") in _TIME_PROPS:
                            self.microdata_times.append(child)
                    if not chrome:
                        if ident and tag in SUBHEADINGS and _anchor_of(ident, child.text):
                            ident = None  # a contents' anchor made of the heading's words
                        kind = names_kind(tag, classes, ident) if classes or ident else 0
                        if (
                            kind == HARD
                            and self._headline_boxes_soft
                            and only_cmp(f"{classes or ''} {ident or ''}")
                            and _HOLDS_H1(child)
                        ):
                            kind = SOFT
                        if (
                            kind == HARD
                            or (tag in hard and not _HOLDS_MAIN(child))
                            or (tag == "form" and self._sign_in_form(child))
                        ):
                            # chrome for good (navigation, footer, comments): its text is
                            # other text, measured in one go, never read block by block
                            self.chrome.add(child)
                            size = len(" ".join(_TEXT(child).split()))
                            if size:
                                other[child] = size
                                other_sum += size
                            tag = None  # its tail is read below, its content is done
                        elif kind == SOFT or tag in SOFT_CHROME:
                            soft.append(child)
                    if tag is not None:
                        if inner:
                            in_chrome.add(child)
                        in_link = link or tag == "a"
                        if tag == "h1":
                            self.headlines.append(child)
                        own_out: list[str]
                        if tag in BLOCK_LEVEL:
                            own, own_out = child, []
                            pieces[child] = own_out
                        else:
                            own, own_out = block, out
                        text = child.text
                        if text and not text.isspace():
                            own_out.append(text)
                            if in_link:
                                linked[own] = linked.get(own, 0) + len(text.strip())
                        if len(child):
                            g, o = visit(child, own, own_out, in_link, inner)
                        else:
                            g = o = 0
                        if own is child and own_out:
                            own_good, own_other = classify(child)
                            g += own_good
                            o += own_other
                        if g:
                            good[child] = g
                            good_sum += g
                        if o:
                            other[child] = o
                            other_sum += o
            elif type(tag) is str:
                silent.add(child)
            tail = child.tail
            if tail and not tail.isspace():
                out.append(tail)
                if link:
                    linked[block] = linked.get(block, 0) + len(tail.strip())
        return good_sum, other_sum

    def _sign_in_form(self, form: Element) -> bool:
        """A sign-in or registration form (:data:`_SIGN_IN_FORM`), of less than half of the
        page's words."""
        if not _SIGN_IN_FORM(form):
            return False
        if self._page_words is None:
            self._page_words = len(_TEXT(self.root).split())
        return len(_TEXT(form).split()) * 2 < self._page_words

    def _cards(self) -> list[Element]:
        """Teaser cards: the parents of a line that is all a link (a headline linking another
        article) holding a little good text beside it (the teaser's summary), at most
        :data:`CARD_MAX_GOOD` characters: "More from ..." lists under an article (never
        what holds the page's best element)."""
        found = []
        for line in self._link_lines:
            card = line.getparent()
            if card is None or card.tag in LIST_TAGS or card in found:
                continue  # a list whose one item is a link is no teaser (a link box is)
            held = self.good.get(card, 0)
            if 0 < held <= CARD_MAX_GOOD:
                found.append(card)
        return found

    def _described_holders(self) -> set[Element]:
        """The good blocks opening with the page's description, and the elements holding
        them."""
        opening = self._described
        if not opening:
            return set()
        found: set[Element] = set()
        for block, (text, _) in self._candidates.items():
            if block in self.good and described_opening(text, len(opening)) == opening:
                found.add(block)
                found.update(block.iterancestors())
        return found

    def _classify(self, block: Element) -> tuple[int, int]:
        """The text of ``block`` itself (not of blocks inside it) as (good, other)
        characters."""
        texts = self._pieces.get(block)
        if not texts:
            return 0, 0
        words = " ".join(texts).split()
        size = len(words) - 1 + sum(map(len, words)) if words else 0
        if not size or block.tag == "h1":
            return 0, 0  # the headline: neither the article's text nor another's
        links = self._linked.get(block, 0)
        if links * 10 >= size * 9 and len(words) <= CARD_HEADING_WORDS:
            self._link_lines.append(block)
        if (
            block not in self._in_chrome
            and links <= GOOD_LINK_SHARE * size
            and good_length(size - links, len(words), CJK.search(texts[0]) is not None)
        ):
            self._candidates[block] = (" ".join(words), size)
            return size, 0
        return 0, size

    def _sub_good(self, block: Element) -> int:
        """The good text of the blocks inside ``block`` (not its own)."""
        return sum(self.good.get(child, 0) for child in block if type(child.tag) is str)

    def _move(self, element: Element, amount: int, to_other: bool = True) -> None:
        """Count ``amount`` good characters of ``element`` as other text (or as nothing),
        up to the root."""
        if amount <= 0:
            return
        for node in (element, *element.iterancestors()):
            self.good[node] = self.good.get(node, 0) - amount
            if to_other:
                self.other[node] = self.other.get(node, 0) + amount
            if not self.good[node]:
                del self.good[node]

    def _demote(self, element: Element) -> None:
        """Make ``element`` chrome: its good text counts as other text, up to the root."""
        self.chrome.add(element)
        held = self.good.get(element, 0)
        if not held:
            return
        for node in element.iterdescendants():
            if node in self.good:
                self.other[node] = self.other.get(node, 0) + self.good.pop(node)
        self._move(element, held)

    def score(self, element: Element) -> float:
        """Good text less what the other text under ``element`` costs."""
        return self.good.get(element, 0) - OTHER_COST * self.other.get(element, 0)

    def container(self) -> Element | None:
        """The element holding the article: the best :meth:`score` among elements with good
        text (the deepest of equals), once the soft chrome that does not hold the best of the
        page as soft chrome counts is chrome; None for a page with no good text."""
        return self.best

    def containers(self) -> list[Element]:
        """The container, with its siblings of the same tag and class that have good text
        (an article set in sibling blocks their parent shares with other things), in page
        order; but one article of several (:meth:`_one_article`) alone."""
        best = self.best
        parent = best.getparent() if best is not None else None
        if best is None or parent is None or not best.get("class") or self.several_articles:
            return [best] if best is not None else []  # one of several articles: itself
        kind = (best.tag, best.get("class"))
        return [
            child
            for child in parent
            if child is best
            or (
                (child.tag, child.get("class")) == kind
                and self.good.get(child, 0) > 0
                and child not in self.chrome
            )
        ]

    def _one_article(self, best: Element | None) -> Element | None:
        """``best``, or when it holds two ``<article>`` elements or more (not one inside
        another), each with :data:`ARTICLE_SHARE` of its good text, and one of them holds the
        page's first h1: that one, the page's article, not the next one an infinite scroll
        set under it (:attr:`several_articles` is then true). With the h1 outside them (a
        live blog's entries, a digest's stories), ``best`` stays whole."""
        self.several_articles = False
        if best is None or not self.headlines:
            return best
        least = ARTICLE_SHARE * self.good.get(best, 0)
        articles = [
            article
            for article in best.iter("article")
            if article is not best
            and self.good.get(article, 0) >= least
            and not any(up.tag == "article" for up in _ancestors_below(article, best))
        ]
        if len(articles) < 2:
            return best
        above = set(self.headlines[0].iterancestors())
        holding = next((article for article in articles if article in above), None)
        if holding is None:
            return best
        self.several_articles = True
        return holding

    def _best(self) -> Element | None:
        """The best container (see :meth:`container`): a paragraph alone only when no
        element holding paragraphs scores."""
        best = self._best_of(leaves=False)
        if best is None:
            return self._best_of(leaves=True)
        if self._paragraph_alone:
            alone = self._best_of(leaves=True)
            if alone is not None and self.score(alone) > LEAF_LEAD * self.score(best):
                return alone
        return best

    def _best_of(self, leaves: bool) -> Element | None:
        best: Element | None = None
        best_score = 0.0
        candidates = self._candidates
        for element, held in self.good.items():
            if held <= 0 or element in self.chrome or element in self.silent:
                continue
            if not leaves and element in candidates and held == candidates[element][1]:
                continue  # a paragraph alone: its parent holds it with its neighbours
            value = self.score(element)
            if value > best_score or (
                value == best_score and best is not None and best in element.iterancestors()
            ):
                best, best_score = element, value
        return best
