"""The generic article page: any news article, read from what every news site has.

No site's class names, URL forms or strings: the article is recognised by its markup (JSON-LD
``NewsArticle``/``Article``, ``og:type=article``) and its body; fields come from JSON-LD,
``og:*``/``article:*`` metas, the h1 and the block structure of the page; the article's URL
and id from the URL fetched (``<link rel=canonical>`` and ``og:url`` only confirm it, or name
an alias of it: :attr:`GenericArticlePage.identity`). The body container is the element
holding most of the page's paragraph text. A site module stays the way to exact extraction for
a site that matters (see docs/generic.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cached_property, lru_cache
from itertools import chain, islice, takewhile
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract
from itemloaders.processors import MapCompose
from lxml import etree
from scrapy.http import TextResponse

from newscrawl import bylines
from newscrawl.boilerplate import (
    CHANNEL,
    INVITATION,
    MAX_PROMO_WORDS,
    SHARED_RULES,
    invitation,
    rule_for,
)
from newscrawl.bylines import (
    BYLINE_LABEL,
    byline_names,
    clean_name,
    full_names,
    json_ld_names,
    lone_names,
    more_people,
    organisation,
    same_people,
)
from newscrawl.dates import (
    WESTERN_DIGITS,
    PageTime,
    localise,
    month_first,
    parse_machine,
    parse_visible,
    parse_written,
    plausible,
    site_zone,
)
from newscrawl.language import SAMPLE_CHARS, page_language
from newscrawl.language import normalise as normalise_language
from newscrawl.loaders import GenericLoader
from newscrawl.pages.base import (
    BLOCK_TAGS,
    HIDDEN_TAGS,
    ArticlePage,
    element_text,
    element_texts,
)
from newscrawl.pages.furniture import (
    CAPTION_TAIL_CHARS,
    byline_line,
    credit_line,
    date_line,
    dated_byline_line,
    furniture_line,
)
from newscrawl.pages.maintext import (
    BLOCK_LEVEL,
    CJK,
    HARD,
    SILENT,
    TextMap,
    good_length,
    hidden_from_view,
    kind_of_names,
    name_words,
    names_kind,
)
from newscrawl.pages.selectors import Element, ElementTable, parse_html
from newscrawl.processors import clean_text, has_word_char, nonempty
from newscrawl.urls import alias_form

#: JSON-LD types of an article page.
ARTICLE_TYPES = frozenset(
    {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
     "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting", "reviewnewsarticle",
     "askpublicnewsarticle", "satiricalarticle", "report", "techarticle", "scholarlyarticle"}
)  # fmt: skip
#: The article-like text (characters) a page without article markup needs in its body to
#: be read as an article.
READABLE_CHARS = 500
READABLE_CHARS_CJK = 200
READABLE_BLOCKS = 2
#: The elements after the headline looked at for a standfirst (:meth:`_standfirst`), its
#: tags, and its fewest characters.
_FOLLOWING = etree.XPath("following::*[position() <= 40]")
_HOLDS_IMAGE = etree.XPath("boolean(.//img | .//picture)")
_HOLDS_HEADING = etree.XPath("boolean(.//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6)")
#: An agency's name after a caption's last sentence ("... Risiken bergen.dpa").
_AGENCY_AFTER = re.compile(r"[.!?]\s*(?:dpa|afp|ap|reuters|epa|imago|ddp|kna|epd)\s*$", re.I)
STANDFIRST_TAGS = frozenset({"p", "h2", "div", "span"})
STANDFIRST_CHARS = 80
STANDFIRST_WORDS = 8
#: The sentence-long blocks a page given as an article needs (:meth:`has_given_body`).
GIVEN_BLOCKS = 2
#: ... or one paragraph this long (characters), the page's whole text, on a page with a
#: headline: a video page's summary (not a consent wall's text: :data:`CONSENT_WORDS`).
GIVEN_LONE_CHARS = 200
CONSENT_WORDS = re.compile(
    r"\b(?:cookies?|consent|privacy|datenschutz|einwilligung|zustimmung|consentement|"
    r"confidentialité|privacidad|consenso|persetujuan|privasi)\b",
    re.IGNORECASE,
)
#: And paragraphs (not list items) long enough: the sum over those longer than
#: READABLE_PARAGRAPH characters of the square root of what they have more is at least
#: READABLE_PROSE (Readability's measure of a readable page).
READABLE_PARAGRAPH = 140
READABLE_PARAGRAPH_CJK = 50
READABLE_PROSE = 20
#: Elements that are never article text, wherever they are (and, of a body, what is not
#: read: an aside, a form or a header is chrome when :class:`TextMap` says so, and then
#: skipped as chrome; the article's header, with its headline and lead, is read).
CHROME_TAGS = frozenset({"header", "footer", "nav", "aside", "form"})
HARD_CHROME_TAGS = frozenset({"footer", "nav"})
#: Where a link marked ``rel=author`` names no author of the page: the footer and the
#: navigation (an imprint, a social profile), a list (other articles' writers).
OUT_OF_BYLINES = HARD_CHROME_TAGS | {"li"}
#: Elements (and their content) left out of the body: media, embeds and their captions.
NOT_BODY_TAGS = frozenset(
    {"figure", "figcaption", "picture", "video", "audio", "iframe", "noscript"}
)
#: Path segments of tag and topic links.
TAG_SEGMENTS = frozenset({"tag", "tags", "topik", "topic", "topics", "label", "hashtag"})
#: Path segments of author pages (a byline's links).
AUTHOR_SEGMENTS = frozenset({"author", "authors", "penulis", "reporter", "writer", "profil"})
#: Words that label a credit (a byline or an editor line).
CREDIT_WORDS = re.compile(r"\b(?:penulis|editor|penyunting|redaktur|oleh|reporter|pewarta)\b", re.I)
#: A box with this much good text (characters) holds the article, never only a prompt or
#: an image's caption.
GATE_MAX_GOOD = 400
#: Links that make a box a paywall or sign-in prompt.
GATE_LINK = re.compile(r"login|signin|sign-in|subscribe|langganan|register|daftar", re.I)
#: Elements that hold a byline: microdata, ``rel=author`` links, elements whose class or id
#: names an author or a byline (matched in C, judged after).

EDITOR_LABEL = re.compile(r"\b(?:editor|penyunting|redaktur)\s*:", re.I)
#: Separators of two or more names in a byline.
#: The trailing page number of an article's other pages (``/2``).
PAGE_SUFFIX = re.compile(r"/\d{1,2}/?$")
#: The page of a split article in a query (``?page=2``, ``?p=2``, ``?halaman=2``) or as the
#: path's last segment (``/2``).
PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|hal|halaman)=(\d{1,3})(?:&|$)")
PAGE_SEGMENT = re.compile(r"/(\d{1,2})/?$")
#: A word of four letters or more (:attr:`GenericArticlePage.own_description`).
_LONG_WORD = re.compile(r"\w{4,}")
#: A run of digits that can be a site's own article id (a date alone is none).
ID_SEGMENT = re.compile(r"[a-z]{0,2}-?([0-9]{5,})(?:\.html?)?")
ID_TAIL = re.compile(r"-([0-9]{5,})(?:\.html?)?$")
DATE_DIGITS = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")
#: A month written as digits: a folder of it (``/news/201903/``: elecom.co.jp's and
#: sanwa.co.jp's) holds no article's id (the last part of a path may be one: ``/a/200512``).
MONTH_DIGITS = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])$")
#: Links of a pager to the whole text.
WHOLE_TEXT_QUERY = re.compile(r"(?:^|&)(?:page|p)=all\b|(?:^|&)single=1\b")
WHOLE_TEXT_WORDS = re.compile(r"tampilkan semua|lihat semua|baca selengkapnya|satu halaman", re.I)
#: Links that may be a pager's link to the whole text (a query, or a word of
#: :data:`WHOLE_TEXT_WORDS` in any case: its tail, as XPath 1.0 cannot fold case cheaply),
#: found in C; the patterns then decide.
PAGER_LINKS = etree.XPath(
    "//a[contains(@href, '?')"
    " or contains(., 'emua') or contains(., 'EMUA') or contains(., 'elengkapnya')"
    " or contains(., 'ELENGKAPNYA') or contains(., 'alaman') or contains(., 'ALAMAN')]"
)

#: The reader is unsure of its body (:attr:`GenericArticlePage.unsure`) when the body holds
#: less than this share of the page's article-like text (other blocks compete with it).
UNSURE_SHARE = 0.9
#: On such a page trafilatura's body replaces the reader's when it is this much longer (the
#: reader missed paragraphs), or when it holds less than this share of the reader's words (the
#: two read different blocks: trafilatura's is right far more often, measured on the
#: real-web corpus, ``make bench-realworld``).
SECOND_LONGER = 1.3
SECOND_AGREES = 0.5
#: A second opinion's lines the page shows in its chrome are left out, unless less than
#: this share of its text would be left (then the chrome holds the article).
CHROME_KEPT = 0.5
_WORDS = re.compile(r"\w+")

#: What Readability measures a page's prose on: paragraphs, ``pre`` and ``article``
#: elements, and the ``div``s whose text ``<br>``s cut (:meth:`GenericArticlePage.readerable`).
READERABLE_NODES = etree.XPath("//p | //pre | //article | //div[br]")
_TEXT = etree.XPath("string()")

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


def registered_domain(url: str) -> str:
    """The domain a site registered: ``arusdaerah.id`` for ``https://ekonomi.arusdaerah.id``,
    ``kabar.co.id`` for ``https://www.kabar.co.id`` (the bundled Public Suffix List)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return _registered(host)


@lru_cache(maxsize=4096)
def _registered(host: str) -> str:
    parts = _EXTRACT(host)
    return str(parts.top_domain_under_public_suffix or parts.domain or "")


def brand_of(domain: str) -> str:
    """The site's name as its pages print it, lower-cased: the first label of its domain."""
    return domain.split(".")[0].lower()


@lru_cache(maxsize=256)
def names_the_site_test(brand: str) -> Callable[[str], bool]:
    """A test of a short line selling the site ``brand`` itself: its name as a product or an
    address ("BisnisPro", "SorotrakyatTV", "Kompas.com+", "redaksi@warta.id"), not the plain
    word ("pelaku bisnis"), next to a channel or a subscription ("Langganan", "iklan")."""
    named = re.compile(rf"(?<![a-z]){re.escape(brand)}(?:[a-z+]+|\.[a-z]{{2,}})")

    def test(line: str) -> bool:
        folded = line.casefold()
        if brand not in folded or len(line.split()) > MAX_PROMO_WORDS:
            return False  # the cheap looks first
        return CHANNEL.search(folded) is not None and named.search(folded) is not None

    return test


#: Query parameters that name an article where its path names none (``storypage.php?autono=1``,
#: ``/?p=123``, ``read.php?id=5``, Korean news CMSs' ``articleView.html?idxno=128734``, Naver's
#: ``read.naver?oid=001&aid=0014123456``: the office and its article).
IDENTITY_PARAM = re.compile(
    r"(?:id|p|aid|oid|nid|sid|no|idx|idxno|autono|docid|itemid|article|story"
    r"|(?:article|news|story|content|post|doc|item|art)_?(?:id|no))",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """https, no fragment, no trailing page numbers (``/2``; ``/a/12/3`` is ``/a``: each is
    cut, so that the canonical URL is its own canonical URL), and no query, but where the path
    holds no number near its end: then the query's :data:`IDENTITY_PARAM` parameters, sorted
    (two articles of one ``storypage.php`` stay two)."""
    parts = urlsplit(url.strip())
    path = parts.path.strip()
    while True:
        shorter = PAGE_SUFFIX.sub("", path).rstrip("/")
        if shorter == path:
            break
        path = shorter
    query = ""
    if parts.query and not any(c.isdigit() for c in path[-24:]):
        named = parse_qsl(parts.query)
        query = urlencode(sorted((k, v) for k, v in named if v and IDENTITY_PARAM.fullmatch(k)))
    return urlunsplit(("https", (parts.hostname or "").lower(), path or "/", query, ""))


#: Why a page's canonical URL is not the article's (a stat under ``newscrawl/generic/``).
CANONICAL_OFFSITE = "canonical_offsite"
CANONICAL_REFUSED = "canonical_refused"


def canonical_refusal(own: str, named: str) -> str | None:
    """Why ``named`` (a page's ``<link rel=canonical>`` or ``og:url``, absolute) cannot be
    the article at ``own`` (the URL it was fetched at, canonical): None when it is the same
    article (the same id; or the same URL but for the scheme, the query, ``www.`` or an AMP
    mark, :func:`~newscrawl.urls.alias_form`); :data:`CANONICAL_OFFSITE` on another
    registered domain; :data:`CANONICAL_REFUSED` for another article of the site, or no
    http(s) URL."""
    try:
        parts = urlsplit(named)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:
        return CANONICAL_REFUSED
    if scheme not in ("http", "https") or not host:
        return CANONICAL_REFUSED
    if registered_domain(named) != registered_domain(own):
        return CANONICAL_OFFSITE
    named = canonical_url(named)
    if named == own or article_id_of(named) == article_id_of(own):
        return None
    return None if alias_form(named) == alias_form(own) else CANONICAL_REFUSED


def page_number(url: str) -> int | None:
    """The page of a split article ``url`` shows (``?page=2``, ``/2``), or None (page 1, or
    a URL that names no page)."""
    parts = urlsplit(url)
    found = PAGE_QUERY.search(parts.query.lower()) or PAGE_SEGMENT.search(parts.path)
    return int(found.group(1)) if found else None


def article_id_of(url: str) -> str:
    """The site's own id in the URL: a path segment that is a number (``/1931005/``, with a
    short prefix: ``/n6468796/``, ``/d-123456/``), else the number that ends the slug
    (``/judul-berita-7660126``); a date is no id, nor a folder that is a month
    (``/news/201903/x``). Else a stable hash of the canonical URL."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    whole = [
        m.group(1)
        for n, seg in enumerate(segments)
        if (m := ID_SEGMENT.fullmatch(seg.lower()))
        and not DATE_DIGITS.match(m.group(1))
        and not (n < len(segments) - 1 and MONTH_DIGITS.match(m.group(1)))
    ]
    if whole:
        return whole[-1]
    tail = ID_TAIL.search(segments[-1]) if segments else None
    if tail and not DATE_DIGITS.match(tail.group(1)):
        return tail.group(1)
    return "u" + hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16]


def split_names(text: str) -> list[str]:
    """A byline's names: ``"Ani dan Budi"`` → ``["Ani", "Budi"]`` (see
    :func:`newscrawl.bylines.split_names`)."""
    return bylines.split_names(text)


def _classes(element: Element) -> str:
    return (element.get("class") or "").lower()


def _chars(element: Element) -> int:
    """The number of characters of ``element``'s text but white space (C-level iteration)."""
    return len("".join("".join(element.itertext()).split()))


def _words(element: Element) -> int:
    """The number of words of ``element``'s text (C-level iteration: a cheap first look)."""
    return len("".join(element.itertext()).split())


ZERO = timedelta(0)
HALF_HOUR = timedelta(minutes=30)
#: The farthest offsets from UTC a page's wall clock may show.
MAX_BEHIND = timedelta(hours=12)
MAX_AHEAD = timedelta(hours=14)
DIGIT = re.compile(r"\d")
#: A year, as date lines print it ("2019", "2019年").
YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20\d\d|25[3-9]\d)(?!\d)")  # and the Buddhist era's
#: Where a page's publication time is, most trusted first (see :attr:`time_texts`).
PUBLICATION_SOURCES = ("json_ld", "meta", "itemprop", "time", "visible", "url")
UPDATE_SOURCES = ("json_ld_modified", "meta_modified", "itemprop_modified", "visible_updated")
#: Metas of the publication time, most trusted first.
PUBLICATION_METAS = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datePublished", "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
    "publication_date", "article.published", "article_date_original", "original-publish-date",
    "sailthru.date", "parsely-pub-date", "cXenseParse:recs:publishtime", "DC.date.issued",
    "dc.date.issued", "dcterms.issued", "DCTERMS.issued", "dcterms.created", "DC.date",
    "dc.date", "date", "Date", "pub_date", "pubDate", "article:published", "release_date",
    # less common names (htmldate's list of them)
    "OriginalPublicationDate", "rnews:datePublished", "article:post_date",
    "article:published_date", "article:publicationdate", "bt:pubdate", "displaydate",
    "citation_publication_date", "citation_date", "date_published", "dateposted",
    "dc.date.created", "dc.date.publication", "dcterms.date",
    "og:pubdate", "og:publish_date", "og:datepublished", "published_time", "published-date",
    "published_date", "publisheddate", "publish_time", "shareaholic:article_published_time",
    "twt-published-at", "rbpubdate", "pdate", "ptime", "mediator_published_time",
    "vr:published_time", "analyticsattributes.articledate",
)  # fmt: skip
#: Metas naming the authors besides ``meta[name=author]``, most trusted first: read when
#: the page shows no byline.
AUTHOR_METAS = ("article:author", "parsely-author", "sailthru.author")
#: How Yoast SEO (WordPress) labels the writer in its Twitter metas (``twitter:labelN`` with
#: ``twitter:dataN``, or ``twitter:misc:Written by``), in the languages it is set in.
WRITTEN_BY = frozenset(
    {"written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "scritto da",
     "geschreven door", "ditulis oleh", "skrevet av", "skrivet av", "napisane przez"}
)  # fmt: skip
#: One author named "Last, First" (a Sailthru meta's "Gillman, Steve").
_LAST_FIRST = re.compile(r"([^\W\d_][\w'’-]*),\s*([^\W\d_][\w'’-]*)")
UPDATE_METAS = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "dateModified",
    "datemodified", "last-modified", "lastmod", "dcterms.modified", "DC.date.modified",
    "article.updated", "parsely-updated", "modified_time",
)  # fmt: skip
_META_KEY = re.compile(r"[^a-z]")


def meta_key(name: str) -> str:
    """A meta's name as compared: its letters, lower-cased (``article:published:time``,
    ``article_published_time`` and ``article:published_time`` are one name; ``DC.Date`` is
    ``DC.date``)."""
    return _META_KEY.sub("", name.lower())


PUBLICATION_META_KEYS = tuple(dict.fromkeys(map(meta_key, PUBLICATION_METAS)))
UPDATE_META_KEYS = tuple(dict.fromkeys(map(meta_key, UPDATE_METAS)))
#: A date in an article's URL: ``/2024/04/25/``, ``/20240425/``.
URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)"
)
#: Labels of a date line's update part and publication part, in the languages of the news.
UPDATE_LABEL = re.compile(
    r"(?:diperbarui|updated?|last updated|aktualisiert|zuletzt aktualisiert|mis à jour|"
    r"actualizado|actualización|aggiornato|uppdaterad|oppdatert|opdateret|bijgewerkt|"
    r"güncelleme|güncellenme|zaktualizowano|päivitetty|aktualizováno|last edited|"
    r"last modified|modified|zuletzt bearbeitet|zuletzt geändert|geändert|"
    r"dernière modification|modifié|最終更新日?|更新日?|更新时间|atualizado|atualização|"
    r"modifica|modificato|обновлено|оновлено|aktualizacja|cập nhật|수정|آخر تحديث|تحديث)"
    r"(?![^\W\d_])\s*(?:em|il|el|le|on|am|at)?\s*[:：]?\s*"
)  # searched in the lower-cased text, without an opening \b: a first letter to skip to
PUBLISHED_LABEL = re.compile(
    r"(?:published|posted|first published|publiziert|veröffentlicht|erschienen|publié|"
    r"publicado|pubblicato|publicerad|publisert|udgivet|gepubliceerd|yayınlanma|"
    r"opublikowano|julkaistu|diterbitkan|dipublikasikan|опубликовано|입력|发布时间|发布于|"
    r"公開日|配信日|نشر في|نشر)(?![^\W\d_])"
    r"\s*(?:on|am|le|el|il|den|at|em|в)?\s*[:：]?\s*"
)  # as UPDATE_LABEL
#: Short blocks that can be a byline, a date line or a footer line: no paragraph or list
#: inside, a dozen elements at most (one XPath pass, in C; a union of the tags is three
#: times as fast as one step testing each element's name); their texts are measured after.
SMALL_BLOCKS = etree.XPath(
    "(//div|//span|//p|//time|//address|//li|//small)[not(.//p or .//li)][count(.//*) < 12]"
)
#: The longest text of a small block (characters).
SMALL_BLOCK_CHARS = 400
#: The longest text of a footer line (characters).
FURNITURE_CHARS = 300


#: A site's name after a headline: " - Brand", " | Brand".
SITE_TAIL = re.compile(r"\s+[-|–—]\s+[^-|–—]+$")
#: How alike a heading and a named headline must be for the heading to be taken as it.
LIKE_HEADLINE = 0.6
_HEADLINE_WORD = re.compile(r"\w+")
#: What cuts a page's ``<title>`` into parts: a bar, a dash, a guillemet, a dot, a slash or
#: "::" with spaces around it ("Headline | Site", "Site » Headline", "Headline - Section - Site").
TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—»«·•/\\>]|::|-)\s+")
#: The most words of a part of a ``<title>`` that is the site's name ("DER SPIEGEL",
#: "NDR.de", "Tageszeitung junge Welt"); a longer part naming the site is a headline.
SITE_NAME_WORDS = 4


def title_words(text: str) -> int:
    """The words of a title: its space-separated words, and each CJK character one."""
    return len(text.split()) + len(CJK.findall(text))


def names_site(brand: str) -> Callable[[str], bool]:
    """A test of a part of a ``<title>`` naming the site ``brand`` (the first label of its
    domain): its letters from a word's start, whatever stands between them ("NDR.de" for
    ``ndr``, "n-tv.de" for ``n-tv``, "Quanta Magazine" for ``quantamagazine``)."""
    letters = [ch for ch in brand.casefold() if ch.isalnum()]
    if len(letters) < 3:
        return lambda part: False
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]*".join(map(re.escape, letters)))
    return lambda part: pattern.search(part.casefold()) is not None


#: :func:`names_site`, once a site (its pattern compiled once; kept apart from the function so
#: that mutation testing reaches the function itself).
_site_test = lru_cache(maxsize=256)(names_site)


#: A class or id naming a logo.
_LOGO_NAME = re.compile(r"logo", re.IGNORECASE)


def logo_like(heading: Element) -> bool:
    """A heading that is the site's logo: it holds an image, or links the site's front page
    (``href="/"``, a site's root URL), or its class or id names a logo."""
    for node in heading.iter():
        if node.tag in ("img", "svg", "picture"):
            return True
        href = (node.get("href") or "#") if node.tag == "a" else "#"
        if not href.startswith(("#", "?")) and urlsplit(href).path in ("", "/"):
            return True  # a link to the front page
        if _LOGO_NAME.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def title_from_document(text: str, brand: str) -> str | None:
    """The headline in a page's ``<title>`` (``brand``: the site's name as its domain has
    it, :func:`brand_of`): cut at its separators (:data:`TITLE_SEPARATOR`), the parts before
    the first that names the site ("Headline | NDR.de - Nachrichten"), else those after the
    last that does ("seelenradio » Nummer zwei: Leo"), else the longest other part; none when
    it is only the site's name. A part names the site when it holds the site's name and at
    most :data:`SITE_NAME_WORDS` words. Without a part naming the site, the last part goes
    when the others hold more words ("Lorem ipsum dolor sit amet – My website"): a site's
    name or section ends a title more often than it starts it. A ``<title>`` without
    separators is the headline."""
    text = clean_text(text)
    named = _site_test(brand)

    def site_part(part: str) -> bool:
        return title_words(part) <= SITE_NAME_WORDS and named(part)

    seps = list(TITLE_SEPARATOR.finditer(text))
    if not text or not seps:
        return None if not text or site_part(text) else text
    starts = [0, *(m.end() for m in seps)]
    ends = [*(m.start() for m in seps), len(text)]
    parts = [text[a:b] for a, b in zip(starts, ends, strict=True)]
    naming = [n for n, part in enumerate(parts) if site_part(part)]
    if naming:
        if naming[0] > 0:
            return text[: ends[naming[0] - 1]]
        if naming[-1] < len(parts) - 1:
            return text[starts[naming[-1] + 1] :]
        others = [part for n, part in enumerate(parts) if n not in naming]
        return max(others, key=title_words) if others else None
    if title_words(text[: ends[-2]]) > title_words(parts[-1]):
        return text[: ends[-2]]
    return text


_JSON = json.JSONDecoder()


def json_ld_documents(block: str) -> list[object]:
    """The JSON values of a JSON-LD script, parsed: one, or several written one after another
    (a script holding two objects, or one with a stray character after it: each value read
    up to where the next fails); none when the first fails. (The string values of one key are
    :func:`newscrawl.processors.json_ld_values`.)"""
    try:
        return [json.loads(block)]
    except (ValueError, RecursionError):  # nested past the recursion limit: no document
        pass
    values: list[object] = []
    at = 0
    while True:
        at = len(block) - len(block[at:].lstrip(" \t\r\n;,"))
        if at >= len(block):
            return values
        try:
            value, at = _JSON.raw_decode(block, at)
        except (ValueError, RecursionError):
            return values
        values.append(value)


def body_line(line: str) -> bool:
    """A line of a body read elsewhere than from the page's blocks (its data's, trafilatura's)
    that stays in it, as :attr:`GenericArticlePage.body_lines` keeps the page's own: no page
    furniture, unless a shared rule names it (the boilerplate pipeline drops and counts it)."""
    return rule_for(line, SHARED_RULES) is not None or not furniture_line(line)


def fewest_words(words: frozenset[str]) -> tuple[str, ...]:
    """The fewest of ``words`` one of which is in any text holding one of them (those that
    hold none of the others): ``{"tag", "tags", "hashtag"}`` → ``("tag",)``."""
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


#: :func:`fewest_words`, once a set of words.
_fewest = lru_cache(maxsize=16)(fewest_words)


def without_fragment(url: str) -> str:
    """``url`` without its fragment and a trailing slash (to compare a page's URLs)."""
    return url.split("#")[0].rstrip("/")


def without_chrome(lines: list[str], own: list[str], chrome: set[str]) -> list[str]:
    """A second opinion's ``lines`` without those the page shows in its chrome (``chrome``:
    a date line, a paywall prompt, a related link) and not in the reader's own body
    (``own``); all of them when those are over :data:`CHROME_KEPT` of their text (then the
    chrome holds the article, which the reader missed)."""
    shown = set(own)
    kept = [line for line in lines if line in shown or line not in chrome]
    return kept if len("".join(kept)) >= CHROME_KEPT * len("".join(lines)) else lines


#: The elements of a page's microdata that name an author.
_ITEMPROP_AUTHOR = etree.XPath("//*[@itemprop='author']")
#: The item types of an article in schema.org's microdata (``itemtype``'s last part).
_ARTICLE_ITEM = re.compile(r"(?:\w*Article|BlogPosting|LiveBlogPosting)/?\Z")


def _labelled_byline(line: str) -> bool:
    """A byline, or a byline's box read as a date line ("By Daniel | Published: 23. Juli
    2017 | Kommentare geschlossen"; "publié le 26/12/2020 à 21:00", whose "Par AFP" is in an
    element of its own); not a photo's caption ending in its credit."""
    return byline_line(line) or date_line(line)


def _within(element: Element, blocks: set[Element]) -> bool:
    """``element`` is one of ``blocks``, or inside one."""
    return element in blocks or any(up in blocks for up in element.iterancestors())


def _article_item(element: Element) -> Element | None:
    """``element``'s nearest ``itemscope`` ancestor when it is an article item
    (:data:`_ARTICLE_ITEM`), else None."""
    for up in element.iterancestors():
        if up.get("itemscope") is not None:
            return up if _ARTICLE_ITEM.search((up.get("itemtype") or "").strip()) else None
    return None


def after_kicker(heading: Element) -> str:
    """The text of ``heading`` after a kicker in its first child ("<h1><span>Nationale
    Demo</span>Der 9. Juli naht: ...</h1>": "Der 9. Juli naht: ..."), as a part of the h1
    a named headline may be (:attr:`GenericArticlePage.headline`); "" for an h1 opening
    with text of its own, or all in its first child."""
    first = next((child for child in heading if isinstance(child.tag, str)), None)
    if first is None or (heading.text or "").strip():
        return ""
    whole, kicker = clean_text(element_text(heading)), clean_text(element_text(first))
    return whole[len(kicker) :].strip() if kicker and whole.startswith(kicker) else ""


def headline_likeness(text: str, named: str) -> float:
    """How alike two headlines are: 1.0 for the same words, else the share of words they
    have in common (of both together)."""
    first = set(_HEADLINE_WORD.findall(text.casefold()))
    second = set(_HEADLINE_WORD.findall(named.casefold()))
    if not first or not second:
        return 0.0
    if first == second:
        return 1.0
    return len(first & second) / len(first | second)


def url_date(url: str) -> str | None:
    """The date in an article's URL (``/2024/04/25/``, ``/20240425``), ISO, or None."""
    found = URL_DATE.search(urlsplit(url).path)
    return "-".join(found.groups()) if found else None


def suffix_of(url: str) -> str:
    """The public suffix of ``url``'s host: ``co.id``, ``de``, ``com``."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return _suffix(host)


@lru_cache(maxsize=4096)
def _suffix(host: str) -> str:
    return str(_EXTRACT(host).suffix or "")


def split_date_line(text: str) -> list[tuple[str, str]]:
    """A date line cut into its publication and update parts, each as ``("published",
    text)`` or ``("updated", text)``: "Published 14:14 | Updated 15:59" gives both; in
    "Warta, Diperbarui 18/04/2026, 10:03 WIB" only the part after the label is an update
    (the part before has no date). Parts without a digit are dropped."""
    low = text.lower()
    marks = sorted(
        [(m.start(), m.end(), "updated") for m in UPDATE_LABEL.finditer(low)]
        + [(m.start(), m.end(), "published") for m in PUBLISHED_LABEL.finditer(low)]
    )
    if not marks:
        return [("published", text)] if DIGIT.search(text) else []
    parts = [("published", low[: marks[0][0]])]
    for n, (_, end, kind) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(low)
        parts.append((kind, low[end:stop]))
    return [(kind, part) for kind, part in parts if DIGIT.search(part)]


#: A later body line holding two or more earlier lines this long (characters, as words) is
#: a repeat of the text (a hidden paywall box repeating it in one run), left out. A line said
#: twice stays (a refrain), and so does a line holding one earlier line (a paragraph and its
#: pull quote: which of them a page means cannot be told).
SAID_ONCE_CHARS = 80
_NOT_WORD = re.compile(r"\W+")


def without_repeats(lines: list[str], boxes: Sequence[Element | None] = ()) -> list[int]:
    """The indexes of ``lines`` to keep (see :data:`SAID_ONCE_CHARS`), compared as words,
    case aside; and without a second copy of the text in another box (``boxes``: the
    element holding each line's block, None for a run of text): two or more long lines said
    again one after the other, in the same order, by another box (a slideshow's template
    holding its intro twice, teenvogue.com's; an info box shown twice, for phones and for
    the rest, domradio.de's). Lines said twice in one box stay (what the writer wrote)."""
    folded = [" ".join(_NOT_WORD.split(line)).strip().casefold() for line in lines]
    copied = _copied_runs(folded, boxes)
    said: set[str] = set()  # the long lines so far, as words
    kept = []
    for index, words in enumerate(folded):
        if index in copied:
            continue
        if len(words) >= 2 * SAID_ONCE_CHARS:
            held = 0
            for earlier in said:
                if earlier != words and earlier in words:
                    held += 1
                    if held > 1:
                        break
            if held > 1:
                continue
        kept.append(index)
        if len(words) >= SAID_ONCE_CHARS:
            said.add(words)
    return kept


def _copied_runs(folded: list[str], boxes: Sequence[Element | None]) -> set[int]:
    """The indexes of the lines of ``folded`` that repeat a run of earlier lines holding two
    or more long ones (:data:`SAID_ONCE_CHARS`; short lines between them alike, a copy's
    subheadings), line for line and in order, from a long line in another box than the
    line it repeats (``boxes``; none where a box is unknown)."""
    first: dict[str, int] = {}
    copied: set[int] = set()
    for index, words in enumerate(folded):
        if len(words) < SAID_ONCE_CHARS or index in copied:
            continue
        earlier = first.setdefault(words, index)
        if earlier == index or index >= len(boxes):
            continue
        if boxes[index] is None or boxes[earlier] is None or boxes[index] is boxes[earlier]:
            continue
        run = long = 1  # the lines said again in order, and the long ones among them
        while (
            index + run < len(folded)
            and earlier + run < index
            and folded[index + run] == folded[earlier + run]
        ):
            long += len(folded[index + run]) >= SAID_ONCE_CHARS
            run += 1
        if long > 1:
            copied.update(range(index, index + run))
    return copied


def drop_keeping_tail(node: Element) -> None:
    """Take ``node`` and its content out of its tree, the text after it kept in place."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _sentence_long(line: str) -> bool:
    """A body line of a sentence or more (:func:`~newscrawl.pages.maintext.good_length`)."""
    return good_length(len(line), len(line.split()), CJK.search(line) is not None)


#: A byline without a label is looked for in this many first lines of the body, before
#: the first line of this many words (:meth:`GenericArticlePage.body_lines`).
OPENING_LINES = 3
OPENING_WORDS = 20
#: Class names of an image's wrapper, and of its caption or credit.
_IMAGE_NAMES = re.compile(r"image|img|photo|picture|figure|media|caption|credit", re.IGNORECASE)
_CAPTION_NAMES = re.compile(r"caption|credit|attribution", re.IGNORECASE)


def _image_span(element: Element) -> bool:
    """An inline element named for an image and holding one, its text all in its caption
    or credit ("<span class='storyimage'><img><span class='caption'>© Getty</span></span>"
    opening a paragraph): no text of the paragraph (a link with an icon, an image beside
    text of its own, is)."""
    names = element.get("class")
    if not names or _IMAGE_NAMES.search(names) is None:
        return False
    if not _HOLDS_IMAGE(element):
        return False
    rest = element_text(
        element, lambda child: bool(_CAPTION_NAMES.search(child.get("class") or ""))
    )
    return _CAPTION_NAMES.search(names) is not None or not rest.strip()


#: Tags that emphasise their text.
EMPHASIS_TAGS = frozenset({"strong", "b", "em", "i"})


def _wrapper_of_divs(element: Element) -> bool:
    """A ``div`` holding two or more ``div`` elements and no text of its own (between them),
    or only one such wrapper, each div a line of two words or more not ending in ":": each of
    them is a line of its own, as shown ("By A" above "Published ...", qz.com's header of the
    text), not one line of them all. A drop cap's letter, a label beside its value or an empty
    div keeps its wrapper one line."""
    if element.tag != "div":
        return False
    lines = _div_lines(element)
    return len(lines) > 1 and all(_own_line(line) for line in lines)


def _lines_of_divs(element: Element) -> bool:
    """An element holding lines apart (:func:`_div_lines`), whose joined text is no one
    line."""
    return len(_div_lines(element)) > 1


def _div_lines(element: Element) -> list[Element]:
    """The lines of an element holding ``div``s alone, two or more (or only a div that does),
    without text of its own: its divs; else the element, one line ("By <a>A</a> and
    <a>B</a>" beside a date's div is one line)."""
    top = element
    while True:
        children = [child for child in element if isinstance(child.tag, str)]
        if (element.text or "").strip() or any(
            child.tag != "div" or (child.tail or "").strip() for child in children
        ):
            return [top]
        if len(children) > 1:
            return children
        if not children:
            return [top]
        element = children[0]  # a box's only box


#: Words of a box's names that make it the article's date's, whatever else they name.
_DATE_WORDS = frozenset({"date", "time", "timestamp", "dateline", "published", "byline"})
#: Class names of text for screen readers only, shown to nobody else (WordPress's
#: "screen-reader-text": Twenty Twenty's "Post author" before its byline, "Beitragsautor" in
#: German; Bootstrap's "sr-only"; "visually-hidden"; Drupal's "element-invisible").
SCREEN_READER_CLASSES = frozenset(
    {"screen-reader-text", "screen-reader-only", "sr-only", "visually-hidden", "visuallyhidden",
     "element-invisible", "u-visually-hidden", "is-visually-hidden", "hidden-visually",
     "a11y-hidden", "sr-text", "screenreader-only", "screenreader"}
)  # fmt: skip


def _screen_reader_only(element: Element) -> bool:
    """``element`` is text for screen readers only (:data:`SCREEN_READER_CLASSES`)."""
    classes = element.get("class")
    return bool(classes) and not SCREEN_READER_CLASSES.isdisjoint(classes.split())


def _whole_byline(text: str) -> bool:
    """``text`` is a labelled byline with its names ("Por Juan Pérez"; not a label alone,
    nytimes.com's "By" before the names' elements)."""
    return BYLINE_LABEL.match(text) is not None and bool(byline_names(text))


def _in_comments(element: Element) -> bool:
    """``element`` is in the comments (a box named for comments, a cookie notice: the names
    :func:`~newscrawl.pages.maintext.names_kind` takes for chrome however long), not in a
    box of the article's date that names its comments' count too (The Verge's
    "date-and-comments")."""
    for up in element.iterancestors():
        names = f"{up.get('class') or ''} {up.get('id') or ''}"
        if kind_of_names(names) == HARD and _DATE_WORDS.isdisjoint(name_words(names)):
            return True
    return False


def _own_line(element: Element) -> bool:
    """A div's text can stand as a line: two words or more, not a label ending in ":"."""
    words = " ".join(element.itertext()).split()
    return len(words) >= 2 and not words[-1].endswith(":")


def _sole_child(element: Element) -> Element | None:
    """``element``'s one child, when it holds nothing else (no text before or after it)."""
    if len(element) != 1 or (element.text or "").strip() or (element[0].tail or "").strip():
        return None
    child: Element = element[0]
    return child


def _near(element: Element) -> Iterator[Element]:
    """``element`` and its three nearest ancestors (what names a block's box)."""
    yield element
    yield from islice(element.iterancestors(), 3)


def block_text(element: Element) -> str:
    """The text of ``element`` as shown, cleaned."""
    return clean_text(element_text(element))


def _shown_text(element: Element) -> str:
    """:func:`block_text` without the text for screen readers only (a byline's "Post author"
    label before its "By": :func:`_screen_reader_only`)."""
    return clean_text(element_text(element, _screen_reader_only))


class RealWebLoader(GenericLoader):
    """The generic loader, with times as the page object gives them: ISO 8601 in the page's
    own offset, or a date alone (not converted to WIB)."""

    published_at_in = MapCompose(nonempty)
    updated_at_in = MapCompose(nonempty)


class GenericArticlePage(ArticlePage):
    """Any news article (see the module docstring)."""

    layout = "generic"
    loader_class = RealWebLoader

    def __init__(
        self,
        response: TextResponse,
        table: ElementTable | None = None,
        known_promo: Collection[str] = frozenset(),
        paragraph_alone: bool = False,
    ) -> None:
        """``known_promo``: the site's promo lines learned so far (case-folded);
        ``paragraph_alone``: the text map's (:class:`~newscrawl.pages.maintext.TextMap`)."""
        super().__init__(response, table)
        self.known_promo = known_promo
        self.paragraph_alone = paragraph_alone

    #: A block of the body that is a table row: its cells joined by this.
    cell_separator: ClassVar[str] = " | "

    @cached_property
    def root(self) -> Element:
        """The page's tree without the ruby annotations a reader without ruby would run into
        the text (``<rt>``: the reading printed above a Japanese or Chinese word). Where the
        page gives ``<rp>`` parentheses, it means the reading to be read inline ("尹錫悦
        （ユンソンニョル）"), as HTML shows it without ruby: those stay."""
        root = parse_html(self.response)
        for ruby in list(root.iter("ruby")):
            if ruby.find(".//rp") is None:
                for node in list(ruby.iter("rt")):
                    drop_keeping_tail(node)
        return root

    # -- detection ------------------------------------------------------------------------

    @cached_property
    def json_ld_article(self) -> dict[str, object] | None:
        """The page's JSON-LD article object (plain, in ``@graph`` or in a list)."""
        for block in self.json_ld_blocks:
            stack = json_ld_documents(block)
            while stack:
                node = stack.pop(0)
                if isinstance(node, list):
                    stack.extend(node)
                elif isinstance(node, dict):
                    kind = node.get("@type")
                    kinds = kind if isinstance(kind, list) else [kind]
                    if any(str(k).lower() in ARTICLE_TYPES for k in kinds):
                        return node
                    stack.extend(v for v in node.values() if isinstance(v, list | dict))
        return None

    def is_article(self) -> bool:
        """An article page: JSON-LD says so, or ``og:type`` is ``article``, or it carries the
        Open Graph article's ``article:published_time``; and it has a body. A page without
        such markup is one when it reads as one (:meth:`reads_as_article`)."""
        return self.has_body() if self.marked_article else self.reads_as_article()

    def reads_as_article(self) -> bool:
        """A page that reads as an article without saying so: a headline (h1, else a
        ``<title>``) and a body of two article-like blocks or more
        holding at least :data:`READABLE_CHARS` characters of article-like text, most of
        the page's (a section page's teasers are links, or spread over many boxes)."""
        body = self.body_element
        if body is None or (self.headline_element is None and not self.meta_title()):
            return False
        held = self.text_map.good.get(body, 0)
        page = self.text_map.good.get(self.root, 0)
        if held * 2 < page or not self.has_text():
            return False
        blocks = self.text_map.good_blocks
        found = [node for node in body.iter() if node in blocks]
        if len(found) < READABLE_BLOCKS and not (found and found[0].tag == "p"):
            return False  # one run of text (a feed read as HTML), no paragraphs
        cjk = any(CJK.search(text) for text in self.paragraphs[:3])
        if held < (READABLE_CHARS_CJK if cjk else READABLE_CHARS):
            return False
        short = READABLE_PARAGRAPH_CJK if cjk else READABLE_PARAGRAPH
        good = self.text_map.good
        prose = sum(
            math.sqrt(good.get(node, 0) - short)
            for node in found
            if node.tag != "li" and good.get(node, 0) > short
        )
        return prose >= READABLE_PROSE  # paragraphs, not a list of features or links

    # -- the body -------------------------------------------------------------------------

    @cached_property
    def text_map(self) -> TextMap:
        """The page's text measured per element (:class:`~newscrawl.pages.maintext.TextMap`)."""
        return TextMap(self.root, self.paragraph_alone, self.own_description)

    @cached_property
    def body_element(self) -> Element | None:
        """The element holding the article's text (:meth:`TextMap.container`); on a page with
        no sentence-long text at all, the element holding most of its paragraph text."""
        found = self.text_map.container()
        return found if found is not None else self.paragraphs_parent

    @cached_property
    def body_containers(self) -> list[Element]:
        """The elements the body is read from (:meth:`TextMap.containers`)."""
        found = self.text_map.containers()
        if found:
            return found
        return [self.paragraphs_parent] if self.paragraphs_parent is not None else []

    @cached_property
    def paragraphs_parent(self) -> Element | None:
        """The element holding most of the page's paragraph text, with its own ``p``
        children, outside chrome (what is left when no text is sentence-long)."""
        credit: dict[Element, int] = {}
        chrome, silent = self.text_map.chrome, self.text_map.silent
        for paragraph in self.root.iter("p"):
            parent = paragraph.getparent()
            if parent is None or any(
                up in chrome or up in silent for up in paragraph.iterancestors()
            ):
                continue
            credit[parent] = credit.get(parent, 0) + len(element_text(paragraph).strip())
        return max(credit, key=credit.__getitem__) if credit else None

    @cached_property
    def body_blocks(self) -> list[Element]:
        """The elements :attr:`body_lines` read a block from (filled as it reads them)."""
        return []

    @cached_property
    def body_nodes(self) -> set[Element]:
        """The body's blocks and everything in them (the body read first)."""
        _ = self.body_lines
        return {node for block in self.body_blocks for node in block.iter()} | self.run_holders

    @cached_property
    def opening_furniture(self) -> set[Element]:
        """The body's blocks among its first :data:`OPENING_LINES` that were left out as a
        byline or a byline's box (:func:`_labelled_byline`), or as a date line and byline
        (:func:`~newscrawl.pages.furniture.dated_byline_line`); filled as the body is read.
        A date line and byline opening the body (today.com's "Dec. 22, 2016, 3:36 PM UTC /
        Source: Zillow By Melissa Allison") is where the byline is read from; a photo's
        caption with its credit is not."""
        return set()

    @cached_property
    def run_holders(self) -> set[Element]:
        """Elements whose own runs of text are body text (filled as the body is read)."""
        return set()

    @cached_property
    def body_lines(self) -> list[tuple[str, str, bool]]:
        """The body's blocks (its lead, then its container's) as ``(text, cleaned text,
        matched by a shared rule)``: what :attr:`paragraphs` and :meth:`promo_candidates` both
        look at, worked out once. Page furniture no shared rule names (ad labels, read-more,
        share and newsletter lines, credits, captions, date lines and bylines, in any
        language: :func:`~newscrawl.pages.furniture.furniture_line`) is left out."""
        if self.body_element is None:
            return []
        lines = []
        boxes: list[Element | None] = []  # each line's block's parent (None: a run's)
        blocks = (self._block_texts(container) for container in self.body_containers)
        read = 0  # the blocks read so far (a run of text between blocks is none)
        shown = 0  # the lines with text so far
        for text in chain(self._lead_texts(), *blocks):
            block = self.body_blocks[-1] if len(self.body_blocks) > read else None
            read = len(self.body_blocks)
            line = clean_text(text)
            shown += bool(line)
            named = rule_for(line, SHARED_RULES) is not None
            # the article's date line and byline among the body's first lines (no table row)
            opening = shown <= OPENING_LINES and block is not None and block.tag != "tr"
            dated = opening and dated_byline_line(line)
            if not named and (dated or furniture_line(line)):
                if block is not None and (dated or (opening and _labelled_byline(line))):
                    self.opening_furniture.add(block)
                if opening and block is self.body_blocks[-1] and date_line(line):
                    # the article's date line in its opening: no block of the body, but one
                    # above it, where the date is read from (not other furniture: "READ
                    # MORE: ... (Feb 1, 2024)" names another story's date)
                    self.body_blocks.pop()
                    read -= 1
                continue
            lines.append((text, line, named))
            boxes.append(block.getparent() if block is not None else None)
        if lines and self.standfirst_text and lines[0][1] == self.standfirst_text:
            rest = " ".join(line for _, line, _ in lines[1:])
            if self.standfirst_text in rest:
                lines, boxes = lines[1:], boxes[1:]  # a lead repeating a line of the text
        return [lines[n] for n in without_repeats([line for _, line, _ in lines], boxes)]

    @cached_property
    def opening_line(self) -> tuple[str, tuple[str, ...]] | None:
        """A line of names alone among the body's first lines (:meth:`_opening_names`), before
        the text has begun, and its names."""
        for _, line, named in self.body_lines[:OPENING_LINES]:
            if len(line.split()) >= OPENING_WORDS:
                return None  # the text has begun
            names = [] if named else self._opening_names(line)
            if names:
                return line, tuple(names)
        return None

    @cached_property
    def opening_byline(self) -> tuple[str, ...]:
        """The names of :attr:`opening_line`, when the page names its authors nowhere else
        (no metadata, no byline shown): then it is the byline, and no line of the text."""
        opening = self.opening_line
        if opening is None or self.metadata_authors() or self.visible_byline():
            return ()
        return opening[1]

    def _opening_names(self, line: str) -> list[str]:
        """The names of ``line`` when it may be a byline without a label opening the body:
        names alone (:func:`~newscrawl.bylines.lone_names`), wholly emphasised
        ("<p><strong>Mohloai Mpesi</strong></p>"), not the site's."""
        if line.casefold() not in self.emphasised:
            return []
        names = lone_names(line)
        return [] if any(name.casefold() in self.site_names for name in names) else names

    @cached_property
    def kept_lines(self) -> list[tuple[str, str, bool]]:
        """:attr:`body_lines` without the promo lines no rule was written for (counted as
        ``boilerplate/<site>/learned``): a block the page also shows outside the body (a
        footer line; not a sub-heading, which a table of contents repeats, nor a lead that is
        the page's description, which a share box repeats), a short one
        naming the site, an invitation to an app, a channel, a
        newsletter or a subscription (:func:`~newscrawl.boilerplate.invitation`), or a line
        an earlier run learned on the site (:attr:`known_promo`); and the byline opening the
        body (:attr:`opening_byline`). Lines a shared rule names stay: the pipeline drops and
        counts those."""
        lines = self.body_lines
        if not lines:
            return []
        if self.opening_byline and self.opening_line is not None:
            byline = self.opening_line[0]
            lines = [entry for entry in lines if entry[1] != byline]  # the byline's
        names_the_site = names_the_site_test(brand_of(self.domain))
        headline = clean_text(self.headline[1] or "").casefold()
        kept: list[tuple[str, str, bool]] = []
        for at, entry in enumerate(lines):
            _, line, named = entry
            folded = line.casefold()
            if folded == headline:
                continue  # the headline again (a print header): the title's, not the text's
            lead = at < OPENING_LINES and folded == self.description  # a share box shows it
            promo = not named and (
                (self.is_furniture(line) and folded not in self.headings and not lead)
                or folded in self.known_promo
                or invitation(line)
                or (bool(kept) and names_the_site(line))
            )
            if promo:
                self.learned.append(line)
            else:
                kept.append(entry)
        while len(kept) > 1 and kept[-1][1].casefold() in self.linked_lines:
            kept.pop()  # links to other articles under the text ("<p><a>...</a></p>")
        return kept

    @cached_property
    def paragraphs(self) -> list[str]:
        """The body's blocks (see :attr:`kept_lines`)."""
        return [text for text, _, _ in self.kept_lines]

    def body(self) -> list[str]:
        """The body's blocks: :attr:`paragraphs`, or trafilatura's when the reader is unsure
        and trafilatura reads the page otherwise (:attr:`second_opinion`); on an article
        whose page shows no text of its body, its data's (:attr:`data_body`)."""
        if not self.has_text():
            return self.data_body
        second = self.second_opinion
        return self.paragraphs if second is None else second

    @cached_property
    def data_body(self) -> list[str]:
        """The lines of JSON-LD ``articleBody`` of the page's article data (a page that
        builds its text with a script shows none in its HTML), furniture lines left out as
        from the reader's own; else none."""
        data = self.json_ld_article
        text = data.get("articleBody") if data else None
        if not isinstance(text, str):
            return []
        lines = (clean_text(raw) for raw in text.splitlines())
        return [line for line in lines if has_word_char(line) and body_line(line)]

    @cached_property
    def unsure(self) -> bool:
        """The reader is unsure of its body: the body holds less than :data:`UNSURE_SHARE`
        of the page's article-like text (other blocks compete with it), but another article
        of an infinite scroll (:meth:`TextMap._one_article`). Never the case for a site's
        usual template, whose body holds nearly all of the page's article-like text."""
        text_map, best = self.text_map, self.body_element
        if best is None or best not in text_map.good or text_map.several_articles:
            return False  # a page of several articles: the others are what competes
        return text_map.good[best] < UNSURE_SHARE * text_map.good.get(text_map.root, 0)

    @cached_property
    def second_opinion(self) -> list[str] | None:
        """trafilatura's body of the page (its lines, a list item's dash dropped, the headline
        and furniture left out as from the reader's own), when the reader is :attr:`unsure`
        and trafilatura reads a body :data:`SECOND_LONGER` times as long (the reader missed
        paragraphs), or one holding less than :data:`SECOND_AGREES` of the reader's words
        (another block); else None. trafilatura runs on unsure pages only (it costs more than
        the reader)."""
        own = self.paragraphs
        if not own or not self.unsure:
            return None
        import trafilatura  # only here: most pages never need it

        try:
            text = trafilatura.extract(
                self.response.text,
                url=self.response.url,
                include_comments=False,
                include_tables=True,
                with_metadata=False,
            )
        except Exception:  # a second opinion that fails is none
            return None
        title = clean_text(self.title() or "")
        lines = []
        for raw in (text or "").splitlines():
            line = clean_text(raw.removeprefix("- "))
            if not line or line.casefold() == title.casefold():
                continue  # the headline is no body line
            if title and headline_likeness(line, title) >= LIKE_HEADLINE:
                continue  # the headline with its kicker
            if body_line(line):
                lines.append(line)
        lines = without_chrome(lines, own, self.chrome_lines)
        if not lines:
            return None
        mine, theirs = "\n".join(own), "\n".join(lines)
        if len(theirs) > SECOND_LONGER * len(mine):
            return lines
        words = set(_WORDS.findall(mine.casefold()))
        shared = words & set(_WORDS.findall(theirs.casefold()))
        return lines if len(shared) < SECOND_AGREES * len(words) else None

    @cached_property
    def chrome_lines(self) -> set[str]:
        """The lines the page shows in its chrome (navigation, footers, comments, paywall
        prompts, related links, date lines: :attr:`TextMap.chrome`): the texts of their
        elements, cleaned. Asked of a second opinion only (:attr:`second_opinion`), whose
        reader knows none of the page's chrome."""
        found: set[str] = set()
        for element in self.text_map.chrome:
            for node in element.iter():
                if isinstance(node.tag, str) and node.tag not in HIDDEN_TAGS:
                    text = " ".join(_TEXT(node).split())
                    if text and len(text) <= FURNITURE_CHARS:
                        found.add(clean_text(text))
        return found

    @cached_property
    def learned(self) -> list[str]:
        """The promo lines :attr:`paragraphs` left out."""
        return []

    def notes(self) -> list[str]:
        """The promo lines left out (``boilerplate/<site>/learned``), a body read by
        trafilatura (``generic/second_opinion``), and a canonical URL refused
        (``generic/canonical_offsite``, ``generic/canonical_refused``)."""
        refusal = self.identity[1]
        learned = [f"boilerplate/{self.domain}/learned"] * len(self.learned)
        if self.second_opinion is not None:
            learned.append("generic/second_opinion")
        return learned if refusal is None else [*learned, f"generic/{refusal}"]

    def learned_lines(self) -> list[str]:
        return list(self.learned)

    @cached_property
    def headline_element(self) -> Element | None:
        """The page's headline: the h1 of :attr:`headline`."""
        return self.headline[0]

    def _lead_texts(self) -> Iterator[str]:
        """The texts of the lead above the body (:attr:`lead_elements`), else of its
        standfirst (:attr:`standfirst_element`)."""
        standfirst = self.standfirst_element
        leads = self.lead_elements if standfirst is None else [standfirst]
        for block in leads:
            self.body_blocks.append(block)
            yield element_text(block)

    @cached_property
    def lead_elements(self) -> list[Element]:
        """The lead or summary above the body (:meth:`TextMap.lead_blocks`); not in a sibling
        container before the best one (read with the body), nor a list's items (a summary's
        points, as the body repeats them), a wrapper of blocks or a box of links."""
        containers = set(self.body_containers)
        return [
            block
            for block in self.text_map.lead_blocks(self.headline_element)
            if not containers.intersection(block.iterancestors())
            and block.tag != "li"
            and not self._has_block(block)
            and not self._link_box(block)
        ]

    @cached_property
    def standfirst_element(self) -> Element | None:
        """The standfirst read before the body when no lead is (:meth:`_standfirst`)."""
        return None if self.lead_elements else self._standfirst()

    @cached_property
    def standfirst_text(self) -> str:
        """The text of :attr:`standfirst_element`, cleaned; "" for none."""
        element = self.standfirst_element
        return clean_text(element_text(element)) if element is not None else ""

    def _standfirst(self) -> Element | None:
        """The article's standfirst in its header, when :meth:`TextMap.lead_blocks` finds no
        lead (the header is chrome, or holds no good block): the first block after the
        headline and before the body's container, within the 40 elements after it,
        that reads as a sentence or more of its own (a ``p``, an ``h2``, a ``div`` of text:
        "entry__subtitle", "epigraph", "bajada"), not a link, a byline, a date or other
        furniture."""
        headline, best = self.headline_element, self.text_map.best
        order = self.text_map.order
        if headline is None or best is None or best in headline.iterancestors():
            return None
        end = min(order.get(container, -1) for container in self.body_containers)
        for element in _FOLLOWING(headline):
            at = order.get(element)
            if at is None or element in self.text_map.silent:
                continue  # hidden, silent, or in hard chrome
            if at >= end or element.tag == "h1":
                return None  # the body (whose elements all come after its containers)
            if element.tag not in STANDFIRST_TAGS or self._has_block(element):
                continue  # the cheap looks first (a wrapper has a block soon)
            if _words(element) < STANDFIRST_WORDS:
                continue
            text = clean_text(element_text(element))
            if len(text) < STANDFIRST_CHARS or not _sentence_long(text) or text.count(":") > 2:
                continue  # short, or a box of labelled data ("Coop: 2 - 4 Multiplayer: -")
            if any(names_kind(up.tag, up.get("class"), up.get("id")) for up in _near(element)):
                continue  # a caption, a teaser, a credit: named so
            if _HOLDS_IMAGE(element):
                continue  # an image's box: its caption
            if credit_line(text[-CAPTION_TAIL_CHARS:]) or _AGENCY_AFTER.search(text):
                continue  # a photo's caption, ending in its credit
            linked = sum(_chars(a) for a in element.iter("a"))
            if linked * 3 > len(text) or furniture_line(text) or BYLINE_LABEL.match(text):
                return None
            return element
        return None

    def _block_texts(self, container: Element) -> Iterator[str]:
        """The texts of the blocks under ``container``, in page order: paragraphs, headings,
        list items, table rows, blocks of text without blocks inside, and the runs of text
        between blocks."""
        silent, chrome = self.text_map.silent, self.text_map.chrome
        shown = self.text_map.noscript  # the page was read from its <noscript>
        run: list[str] = [container.text or ""]
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or (
                (tag in HIDDEN_TAGS or tag in NOT_BODY_TAGS) and not (shown and tag == "noscript")
            ):
                run.append(child.tail or "")
                continue
            if child in silent:
                run.append(child.tail or "")
                continue
            if tag not in BLOCK_LEVEL and tag != "br" and not self._has_block(child):
                run.append(self._shown_text(child))  # inline: part of the running text
                run.append(child.tail or "")
                continue
            yield from self._flush(run, container)
            run = [child.tail or ""]
            if tag in ("br", "h1") or child in chrome:
                continue
            if tag in HARD_CHROME_TAGS or self._link_box(child) or self._byline_block(child):
                continue
            if tag == "blockquote" and self.embed_class_re.search(child.get("class") or ""):
                continue
            if (
                tag not in BLOCK_TAGS
                and self.text_map.good.get(child, 0) < GATE_MAX_GOOD
                and (self._gate(child) or self._image_block(child))
            ):
                continue  # a box holding much of the article is no gate nor image block
            if tag == "tr":
                cells = [clean_text(element_text(c)) for c in child if c.tag in ("td", "th")]
                self.body_blocks.append(child)
                yield self.cell_separator.join(cell for cell in cells)
            elif self._has_block(child) or _wrapper_of_divs(child):
                yield from self._block_texts(child)  # a wrapper of divs: a line each
            else:
                if child.find(".//img") is not None and not element_text(child).strip():
                    continue
                text = self._shown_text(child)
                if tag in BLOCK_TAGS and self._wholly_emphasised(child):
                    self.emphasised.add(clean_text(text).casefold())
                if tag in ("h2", "h3", "h4", "h5", "h6"):
                    self.headings.add(clean_text(text).casefold())
                if self._wholly_linked(child):
                    self.linked_lines.add(clean_text(text).casefold())
                self.body_blocks.append(child)
                yield text
        yield from self._flush(run, container)

    def _shown_text(self, block: Element) -> str:
        """The text of ``block`` as :func:`element_text` reads it, less what the text map
        found silent in it (scripts, figures and their captions, media, a ``display:none``
        span and the MathML in it) and the chrome blocks in it (a teaser box, an embed's
        consent placeholder): what a reader of the article does not read as its text. Math
        shown and text hidden from screen readers only (``aria-hidden``) are read. An inline
        image with its caption or credit (:func:`_image_span`, msn.com's) is no text either."""
        if not len(block):
            return block.text or ""
        silent, chrome = self.text_map.silent, self.text_map.chrome

        def unread(child: Element) -> bool:
            if child in silent:  # by its tag, or hidden; but shown math and aria-hidden text
                tag = child.tag
                return (tag in SILENT and tag != "math") or hidden_from_view(child)
            if child.tag in BLOCK_LEVEL:
                return child in chrome
            return _image_span(child)

        return element_text(block, unread)

    def _flush(self, run: list[str], holder: Element) -> Iterator[str]:
        """A run of inline text between blocks, as a block when it holds anything (its
        ``holder`` is then body text itself, not only what holds it)."""
        text = "".join(run)
        if text.strip():
            self.run_holders.add(holder)
            yield text

    @staticmethod
    def _wholly_linked(block: Element) -> bool:
        """A block whose text is all one link's ("<p><a>Another story</a></p>"), perhaps
        emphasised ("<p><strong><a>...</a></strong></p>")."""
        inner = _sole_child(block)
        if inner is not None and inner.tag in EMPHASIS_TAGS:
            inner = _sole_child(inner)
        return inner is not None and inner.tag == "a"

    @staticmethod
    def _wholly_emphasised(block: Element) -> bool:
        """A block whose text is all in one ``strong``/``b``/``em`` (as promo lines often are)."""
        inner = _sole_child(block)
        return inner is not None and inner.tag in EMPHASIS_TAGS

    @cached_property
    def small_blocks(self) -> list[tuple[Element, str]]:
        """Short blocks outside the body and their texts, in page order (see
        :data:`SMALL_BLOCKS`): where bylines, date lines and footer lines are."""
        inside = self.body_nodes
        outside = [e for e in SMALL_BLOCKS(self.root) if e not in inside]
        found = []
        for element, raw in element_texts(outside).items():
            text = clean_text(raw)
            if 0 < len(text) < SMALL_BLOCK_CHARS:
                found.append((element, text))
        found.reverse()  # element_texts reads the inner ones first: page order again
        return found

    @cached_property
    def furniture(self) -> frozenset[str]:
        """The texts of the short blocks outside the body (footer, sidebars), case-folded; not
        those of hidden elements (a hidden copy of the text, eldeber.com.bo's, is no footer)."""
        hidden = {
            node
            for silent in self.text_map.silent
            if silent.tag not in ("script", "style") and hidden_from_view(silent)
            for node in silent.iter()
        }
        return frozenset(
            t.casefold()
            for element, t in self.small_blocks
            if len(t) < FURNITURE_CHARS and element not in hidden
        )

    @cached_property
    def description(self) -> str:
        """The page's description (``meta[name=description]``, else ``og:description``),
        cleaned and case-folded; "" for none."""
        text = self.meta("description") or self.meta("og:description") or ""
        return clean_text(text).casefold()

    @cached_property
    def own_description(self) -> str:
        """:attr:`description` when it speaks of this page: it shares a word of four letters
        or more with a headline the page names or its ``<title>`` (a site's tagline set as
        every page's description shares none); else ""."""
        titles = " ".join([*self.named_headlines, self.fallback_title or ""]).casefold()
        own = set(_LONG_WORD.findall(titles)) & set(_LONG_WORD.findall(self.description))
        return self.description if own else ""

    @cached_property
    def headings(self) -> set[str]:
        """The body's sub-headings (case-folded): a heading recurs as a heading, not a promo."""
        return set()

    @cached_property
    def emphasised(self) -> set[str]:
        """The body blocks (case-folded) that are wholly emphasised."""
        return set()

    @cached_property
    def linked_lines(self) -> set[str]:
        """The body blocks (case-folded) that are all one link's text (filled as the body is
        read): at the body's end, links to other articles."""
        return set()

    def promo_candidates(self) -> list[str]:
        """The body's short lines shaped like a promo (an invitation verb or a channel, or
        wholly emphasised), case-folded: what the spider counts across the site's articles
        (:class:`~newscrawl.boilerplate.RecurringLines`)."""
        found = []
        for _, line, named in self.kept_lines:
            if named or len(line.split()) > MAX_PROMO_WORDS:
                continue  # a named rule's (the pipeline's), or no short line
            folded = line.casefold()
            if folded in self.headings or not any(ch.isalpha() for ch in line):
                continue  # a sub-heading: not to learn
            if folded in self.emphasised or INVITATION.search(line) or CHANNEL.search(folded):
                found.append(folded)
        return found

    def _has_block(self, element: Element) -> bool:
        return any(
            isinstance(node.tag, str) and (node.tag in BLOCK_TAGS or node.tag in ("tr", "h1"))
            for node in element.iterdescendants()
        )

    def _link_box(self, element: Element) -> bool:
        """A box of links (read-also, related articles, a pager, tags, share buttons): a
        container whose text is its links' text, but for a short title; a paragraph only as
        a list of links, one a line ("<strong>Related</strong><br><a>...</a><br><a>...</a>")."""
        if element.tag in ("h2", "h3", "h4", "h5", "h6"):
            return False
        links = list(element.iter("a"))
        if not links:
            return False
        linked = sum(_chars(a) for a in links)
        rest = _chars(element) - linked
        if element.tag == "p":
            breaks = sum(1 for child in element if child.tag == "br")
            return len(links) >= 2 and breaks >= len(links) - 1 and rest * 4 <= linked
        return linked > 0 and rest <= 40 and (rest * 4 <= linked or len(links) >= 2)

    @staticmethod
    def _image_block(element: Element) -> bool:
        """A wrapper holding an image and at most its caption (not a container of text
        that happens to hold an image: nor one whose text runs between ``<br>``, with more
        text than a caption has)."""
        if not any(isinstance(c.tag, str) and c.tag in ("img", "picture") for c in element):
            return False
        blocks = [
            n for n in element.iterdescendants() if isinstance(n.tag, str) and n.tag in BLOCK_TAGS
        ]
        return len(blocks) <= 1 and len(block_text(element)) < GATE_MAX_GOOD

    def _gate(self, element: Element) -> bool:
        """A paywall or sign-in prompt: a box linking to a login or subscription page, with
        under :data:`GATE_MAX_GOOD` characters of text outside its links (a prompt listing
        its plans' links is one; a comparison table whose "Buy now" buttons link to a
        subscription page is not)."""
        links = list(element.iter("a"))
        if not any(GATE_LINK.search(a.get("href") or "") for a in links):
            return False
        shown = self.text_map.good.get(element, 0) + self.text_map.other.get(element, 0)
        return shown - sum(len(block_text(a)) for a in links) < GATE_MAX_GOOD

    def _byline_block(self, element: Element) -> bool:
        """A short author or editor line inside the body container."""
        if _words(element) > 12:
            return False
        text = clean_text(element_text(element))
        if len(text.split()) > 12:
            return False
        return byline_line(text) or bool(EDITOR_LABEL.search(text))

    def has_body(self) -> bool:
        """The page has an article's body: any text in its body when its markup says it is an
        article; else prose enough to read (:meth:`readerable`, or :meth:`reads_as_article`:
        a landing page's short blurbs, a list of links or a few lines are none); a marked
        article whose page shows no text has one in its data (:attr:`data_body`)."""
        if not self.has_text():
            return bool(self.data_body)
        return self.marked_article or self.readerable() or self.reads_as_article()

    def has_given_body(self) -> bool:
        """The page has a body when the user gave it as an article: by :meth:`has_body`'s rule
        (a page found by the crawl needs it), or :data:`GIVEN_BLOCKS` sentence-long lines read
        in its body, not from ``<noscript>`` (or one of :data:`GIVEN_LONE_CHARS`, the whole
        text of a page with a headline: a video page's summary). The user said it is one, so
        no more prose is asked of it: a short article, a product note of a few lines reads as
        it is; a "page not found" or a consent wall, or a script's "enable JavaScript" line,
        does not."""
        if self.has_body():
            return True
        if not self.has_text() or self.text_map.noscript:
            return False
        sentences = [line for line in self.paragraphs if _sentence_long(line)]
        if len(sentences) >= GIVEN_BLOCKS:
            return True
        # one long paragraph, all the text of a page with a headline: a video's summary
        return (
            len(sentences) == 1
            and len(self.paragraphs) == 1
            and len(sentences[0]) >= GIVEN_LONE_CHARS
            and self.headline_element is not None
            and not CONSENT_WORDS.search(sentences[0])
        )

    def has_text(self) -> bool:
        """The body read has any text."""
        return any(any(ch.isalnum() for ch in text) for text in self.paragraphs)

    @cached_property
    def marked_article(self) -> bool:
        """JSON-LD says the page is an article, or ``og:type`` does, or it carries the Open
        Graph article's ``article:published_time``."""
        return (
            self.json_ld_article is not None
            or (self.meta("og:type") or "").strip().lower() == "article"
            or bool((self.meta("article:published_time") or "").strip())
        )

    def readerable(self) -> bool:
        """Readability's measure of a readable page: over the shown paragraphs, ``pre`` and
        ``article`` elements (not in a list, site chrome or hidden), and the blocks of text
        cut by ``<br>``s, the sum of the square root of what their text has more than
        :data:`READABLE_PARAGRAPH` characters exceeds :data:`READABLE_PROSE` (CJK text:
        :data:`READABLE_PARAGRAPH_CJK` characters)."""
        unread = self.text_map.silent | self.text_map.chrome
        score = 0.0
        seen: set[Element] = set()
        for node in READERABLE_NODES(self.root):
            if node in seen:
                continue
            seen.add(node)
            if any(up in unread for up in chain((node,), node.iterancestors())):
                continue
            if node.tag == "p" and any(up.tag == "li" for up in node.iterancestors()):
                continue
            text = " ".join(_TEXT(node).split())
            short = READABLE_PARAGRAPH_CJK if CJK.search(text[:200]) else READABLE_PARAGRAPH
            if len(text) > short:
                score += math.sqrt(len(text) - short)
                if score > READABLE_PROSE:
                    return True
        return False

    def is_furniture(self, line: str) -> bool:
        """``line`` (cleaned) is also a short block outside the body: site furniture."""
        return line.casefold() in self.furniture

    # -- fields ---------------------------------------------------------------------------

    @cached_property
    def domain(self) -> str:
        return registered_domain(self.url())

    def url(self) -> str:
        return self.identity[0]

    @cached_property
    def identity(self) -> tuple[str, str | None]:
        """The article's URL, and why the page's canonical URL was not it (None when it was,
        or the page names none). An article is the URL it was fetched at (after on-site
        redirects), canonical; its ``<link rel=canonical>``, else its ``og:url``, stands in
        only for the same article (:func:`canonical_refusal`): a page naming another article
        or another site as its own is never exported as that one."""
        own = canonical_url(self.response.url)
        named = self.named_url()
        if named is None:
            return own, None
        refusal = canonical_refusal(own, named)
        return (own, refusal) if refusal is not None else (canonical_url(named), None)

    def named_url(self) -> str | None:
        """The URL the page names as its own: ``<link rel=canonical>``, else ``og:url``."""
        named = None
        for link in self.root.iter("link"):
            if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
                named = str(link.get("href"))
                break
        else:
            named = self.meta("og:url")
        if named is None or not named.strip():
            return None
        try:
            return self.urljoin(named.strip())
        except ValueError:  # no URL (``http://[::1``): refused as it is
            return named.strip()

    def article_id(self) -> str:
        return article_id_of(self.url())

    def site_name(self) -> str:
        return self.domain

    def section(self) -> str | None:
        return None

    def category(self) -> str | None:
        return None

    def title(self) -> str | None:
        """The headline: the h1 (its part that the page's named headline is, when the h1 also
        holds a kicker or when several h1s are shown: :attr:`headline`), else JSON-LD
        ``headline``, else ``og:title`` without the site's name; on a page naming none of
        them, its ``<title>`` without the site's name (:func:`title_from_document`): an
        article is not lost for a headline it does not mark. A page without any of them has
        no title (the validation drops it, and the site's health counts it: its markup
        changed)."""
        return self.headline[1] or self.fallback_title

    @cached_property
    def fallback_title(self) -> str | None:
        """The title of a page naming no headline (see :meth:`title`)."""
        meta = self.meta_title()
        return title_from_document(meta, brand_of(self.domain)) if meta else None

    @cached_property
    def named_headlines(self) -> list[str]:
        """The headlines the page names in its data: JSON-LD ``headline``, ``og:title`` and
        ``twitter:title`` (without a " - Brand"/" | Brand" tail)."""
        found = []
        headline = self.json_ld_article.get("headline") if self.json_ld_article else None
        if isinstance(headline, str) and headline.strip():
            found.append(clean_text(headline))
        for name in ("og:title", "twitter:title"):
            value = self.meta(name)
            if value and value.strip():
                found.append(SITE_TAIL.sub("", clean_text(value)))
        return found

    @cached_property
    def headline(self) -> tuple[Element | None, str | None]:
        """The headline's element and text: of the page's h1s and their parts (a kicker and
        a title in one h1), the one most like a headline the page names (:attr:`named_headlines`,
        :func:`headline_likeness` at least :data:`LIKE_HEADLINE`), else the first h1; but a
        site's logo or a section's name set as the h1 (:func:`logo_like`, or of at most
        :data:`SITE_NAME_WORDS` words) that is like neither a named headline nor the page's
        ``<title>`` (:attr:`fallback_title`) gives way to the first named headline. Without an
        h1, the first named headline."""
        named = self.named_headlines
        headings = [h for h in self.root.iter("h1") if element_text(h).strip()]
        silent = self.text_map.silent
        shown = [h for h in headings if h in self.positions and h not in silent]
        headings = shown or headings  # not a hidden one (a screen reader's site name)
        if not headings:
            return None, named[0] if named else None
        best: tuple[float, Element, str] | None = None
        for heading in headings:
            parts = [heading, *(c for c in heading if isinstance(c.tag, str))]
            rest = after_kicker(heading)  # only where it is a named headline, word for word
            cut = [(heading, rest)] if rest.casefold() in {n.casefold() for n in named} else []
            for part, text in [*((p, element_text(p)) for p in parts), *cut]:
                if not text.strip() or (part is not heading and text.rstrip().endswith(":")):
                    continue  # no text, or a kicker ("Topic:") set apart in the h1
                likeness = max((headline_likeness(text, n) for n in named), default=0.0)
                if best is None or likeness > best[0]:
                    best = (likeness, heading, text)
        if best is not None and best[0] >= LIKE_HEADLINE:
            return best[1], best[2]
        first = element_text(headings[0])
        document = self.fallback_title or ""
        if (
            (logo_like(headings[0]) or title_words(first) <= SITE_NAME_WORDS)
            and headline_likeness(first, document) < LIKE_HEADLINE
            and (named or (self._document_titles(first, document) and self._linked(first)))
        ):
            # a site's logo, a section's name
            return headings[0], named[0] if named else document
        return headings[0], first

    def _linked(self, text: str) -> bool:
        """``text`` is also a link's on the page (a section's name in the navigation or the
        breadcrumbs): what a short h1 that is a section's name shows itself by."""
        wanted = clean_text(text).casefold()
        return any(block_text(a).casefold() == wanted for a in self.root.iter("a"))

    @staticmethod
    def _document_titles(h1: str, document: str) -> bool:
        """On a page naming no headline, its ``<title>`` (``document``, without the site's
        name) is the title rather than a short ``h1`` unlike it that is a section's name (a
        link's text on the page too: :meth:`_linked`): when it says more than the h1 and does
        not hold it (as a headline with the site's name would): "Allergies Health Center"
        over the article's title."""
        return title_words(document) > title_words(h1) and (
            clean_text(h1).casefold() not in document.casefold()
        )

    def meta_title(self) -> str | None:
        """The page's ``<title>``, if it has one with text."""
        title = self.root.find(".//title")
        text = clean_text(element_text(title)) if title is not None else ""
        return text or None

    def lead(self) -> str | None:
        return None

    @cached_property
    def declared_language(self) -> str | None:
        """The language the page declares: ``<html lang>``, a ``content-language`` meta,
        JSON-LD ``inLanguage``, ``og:locale`` (the first there is), as two letters."""
        candidates = [
            self.root.get("lang"),
            self.root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        ]
        for meta in self.root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language":
                candidates.append(meta.get("content"))
        data = self.json_ld_article or {}
        if isinstance(data.get("inLanguage"), str):
            candidates.append(str(data["inLanguage"]))
        candidates += [self.meta("language"), self.meta("og:locale")]
        return next((code for c in candidates if (code := normalise_language(c))), None)

    @cached_property
    def _language(self) -> str:
        sample = " ".join(line for _, line, _ in self.kept_lines[:12])[:SAMPLE_CHARS]
        return page_language(self.declared_language, sample)

    def language(self) -> str:
        """The page's language: the declared one when its text bears it out, else told from
        the text (:func:`~newscrawl.language.page_language`)."""
        return self._language

    def authors(self) -> list[str]:
        """The writers (:meth:`named_authors`), but organisations (a news service's or a
        desk's code, "Saibal Dasgupta / TNN"; an agency, a newsroom, a newspaper: "Agencia
        EFE", "Redazione ANSA": :func:`~newscrawl.bylines.organisation`): no person, and no
        reason to look for the writers elsewhere (a byline of "AP" alone names none)."""
        return [name for name in self.named_authors() if not organisation(name)]

    def named_authors(self) -> list[str]:
        """The names given as the writers: the page's metadata (JSON-LD persons, else
        ``meta[name=author]``) unless the byline shown between the headline and the text
        names other people (a JSON-LD editor, the site's name), then that byline, or unless
        another author meta and the author links name others (:meth:`_outvoted`); without
        metadata, the first byline shown, else a byline of names alone opening the body
        (:meth:`_opening_names`), else the other author metas (:data:`AUTHOR_METAS`, then
        Yoast's :meth:`written_by`), else author-page links."""
        listed = self.metadata_authors()
        if listed:
            shown = self.visible_byline(header_only=True)
            if full_names(shown) and not same_people(shown, listed):
                return shown
            links = self.author_links()
            if len(links) > len(listed):  # the cheap look first: more linked than listed
                shown = shown or self.visible_byline()  # the header's, else after its excerpt
                if more_people(shown, listed) and set(shown) <= set(links):
                    return shown  # Ghost's data names the first of the linked authors only
            return self._outvoted(listed) or listed
        shown = self.visible_byline() or list(self.opening_byline)
        if shown:
            return shown
        metas = AUTHOR_METAS + self.written_by()
        return (
            self._meta_authors(metas, last_first=True)
            or self.microdata_authors()
            or self.author_links()
        )

    def microdata_authors(self) -> list[str]:
        """The names the page's microdata gives its article as authors, where no byline is
        shown to read them from (ndtv.com's sits in a ``<nav>``) and no author meta names
        them: ``itemprop=author`` of the page's own article item (its nearest ``itemscope``:
        schema.org's ``*Article``, ``BlogPosting``, holding the headline or the body; never
        a comment's, a review's, nor a related article's card), its ``itemprop=name`` part or
        ``content``; not an organisation, nor the site's own name."""
        names: list[str] = []
        for element in _ITEMPROP_AUTHOR(self.root):
            item = _article_item(element)
            if item is None or not self._holds_headline_or_body(item):
                continue
            if "organization" in (element.get("itemtype") or "").casefold():
                continue  # a publisher named as the author
            person = self._person_of(element)
            text = person.get("content") or element_text(person)
            for name in byline_names(text, self.site_names):
                if name not in names:
                    names.append(name)
        return names

    def _outvoted(self, listed: list[str]) -> list[str]:
        """The writers an author meta (:data:`AUTHOR_METAS`) names, where the page's author
        links (:meth:`author_links`, full names) name them too and not the metadata's
        ``listed``: two sources against one (wired.com's ``meta[name=author]`` names its
        publisher, Condé Nast; ``article:author`` and the link to the author's page its
        writer). Else none."""
        linked = self.author_links()
        if not full_names(linked) or same_people(linked, listed):
            return []
        named = self._meta_authors(AUTHOR_METAS, last_first=True)
        return named if same_people(named, linked) else []

    def written_by(self) -> tuple[str, ...]:
        """The metas in which Yoast SEO names the writer: ``twitter:misc:Written by``, and
        each ``twitter:dataN`` whose ``twitter:labelN`` says "Written by" (:data:`WRITTEN_BY`)."""
        found = ["twitter:misc:Written by"]
        for n in (1, 2, 3):
            label = self.meta(f"twitter:label{n}")
            if label and clean_text(label).casefold() in WRITTEN_BY:
                found.append(f"twitter:data{n}")
        return tuple(found)

    def metadata_authors(self) -> list[str]:
        """The persons the page's JSON-LD names as authors (an organisation is none), else
        ``meta[name=author]`` (an e-mail address, a URL or the site's name is none: "Jane Doe
        | Brand" names Jane Doe; the site's signature "Brand, City, Country" and its title
        "Brand | Latest news | Region" name nobody; the same names as ``meta[name=editor]``
        name the editor)."""
        data = self.json_ld_article
        if data is not None and "author" in data:
            names = json_ld_names(data["author"], self.json_ld_graph)
            names = [n for n in names if n.casefold() not in self.site_names]
            if names:
                return names
        return self._meta_authors(("author",))

    def _meta_authors(self, metas: tuple[str, ...], last_first: bool = False) -> list[str]:
        """The authors of the first of the metas ``metas`` that is no URL (see
        :meth:`metadata_authors`); with ``last_first``, one name written "Last, First" is read
        as "First Last" (Sailthru's)."""
        values = (self.meta(name) for name in metas)
        meta = next((m for m in values if m and not m.lstrip().startswith(("http", "@"))), None)
        if meta:
            own = self.site_names
            titled = [clean_text(part) for part in TITLE_SEPARATOR.split(meta)]
            if len(titled) > 1 and own.intersection(t.casefold() for t in titled):
                if len(titled) > 2:
                    return []  # the site's title ("Agency | Latest news | YJC")
                meta = next(t for t in titled if t.casefold() not in own)  # "A | Brand"
            parts = [clean_text(part) for part in split_names(meta)]
            if (
                len(parts) > 1
                and parts[0].casefold() in own
                and all(len(part.split()) == 1 for part in parts[1:])
            ):
                return []  # the site's signature ("hessenschau.de, Frankfurt, Germany")
            swapped = _LAST_FIRST.fullmatch(meta.strip()) if last_first else None
            if swapped is not None:
                meta = f"{swapped.group(2)} {swapped.group(1)}"  # "Gillman, Steve"
            names = byline_names(meta, own)
            editors = byline_names(self.meta("editor") or "", self.site_names)
            return [] if editors and all(same_people([n], editors) for n in names) else names
        return []

    @cached_property
    def json_ld_page(self) -> dict[str, object] | None:
        """The JSON-LD ``WebPage`` object of this very page (its ``url`` or ``@id``, less a
        fragment, the URL fetched or the one the page names), read for its dates when the
        page has no JSON-LD article object (a blog's graph describes the post so)."""
        own = {without_fragment(self.response.url)}
        named = self.named_url()
        if named:
            own.add(without_fragment(named))
        for node in self.json_ld_graph.values():
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(str(k).lower() == "webpage" for k in kinds):
                continue
            names = (node.get("url"), node.get("@id"))
            if any(isinstance(n, str) and without_fragment(n) in own for n in names):
                return node
        return None

    @cached_property
    def json_ld_graph(self) -> dict[str, dict[str, object]]:
        """The page's JSON-LD objects by ``@id`` (for an author named by reference)."""
        found: dict[str, dict[str, object]] = {}
        for block in self.json_ld_blocks:
            if '"@id"' not in block:
                continue
            stack = json_ld_documents(block)
            while stack:
                node = stack.pop()
                if isinstance(node, list):
                    stack.extend(node)
                elif isinstance(node, dict):
                    if isinstance(node.get("@id"), str) and len(node) > 2:
                        found.setdefault(str(node["@id"]), node)
                    stack.extend(v for v in node.values() if isinstance(v, list | dict))
        return found

    @cached_property
    def site_names(self) -> frozenset[str]:
        """The site's own names, case-folded (its domain, brand, ``og:site_name``, the
        publisher's name): a byline naming them names no person."""
        names = {self.domain, brand_of(self.domain), f"{brand_of(self.domain)}.com"}
        site = self.meta("og:site_name")
        if site:
            names.add(site.strip())
        publisher = (self.json_ld_article or {}).get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(str(publisher["name"]).strip())
        return frozenset(name.casefold() for name in names if name)

    def author_links(self) -> list[str]:
        """Names linked to author pages (``/author/<name>``: not ``/profil/x/page.html``, a
        company's profile), then full names of links that say they name the author
        (``rel=author``: theguardian.com's byline, in an aside the reading passes over; not
        in a footer, the navigation or a list: :data:`OUT_OF_BYLINES`), outside the body; not
        the site's own name."""
        return list(self._author_links)

    @cached_property
    def _author_links(self) -> list[str]:
        """:meth:`author_links`, looked for once (the authors' rules ask more than once)."""
        names: list[str] = []
        own = self.site_names
        inside = self.body_nodes
        related = (
            link
            for link in self.root.iter("a")
            if "author" in (link.get("rel") or "").lower().split()
            and full_names([clean_name(element_text(link)) or ""])
            and not any(up in inside or up.tag in OUT_OF_BYLINES for up in link.iterancestors())
        )
        for link in chain(self.links_to(AUTHOR_SEGMENTS, named=True), related):
            name = clean_name(element_text(link))
            if name and name not in names and name.casefold() not in own:
                names.append(name)
        return names

    @cached_property
    def hrefs(self) -> list[tuple[Element, str]]:
        """The page's links with an address, and their addresses in lower case, in page
        order (what :meth:`links_to` looks through, once for each kind of link)."""
        return [(link, href.lower()) for link in self.root.iter("a") if (href := link.get("href"))]

    def links_to(self, segments: frozenset[str], named: bool = False) -> Iterator[Element]:
        """Links outside the body whose path goes through one of ``segments`` (``/tag/x``,
        ``/author/x``), in page order; with ``named``, only those where the segment names
        the page's last part (``/author/x``, not ``/author/x/y``)."""
        inside = self.body_nodes
        cheap = _fewest(segments)
        for link, href in self.hrefs:
            if not any(word in href for word in cheap):
                continue  # the cheap look first
            if inside and any(up in inside for up in link.iterancestors()):
                continue
            path = [part for part in urlsplit(href).path.split("/") if part]
            through = path[-2:-1] if named else path[:-1]
            if any(part in segments for part in through):
                yield link

    def visible_byline(self, header_only: bool = False) -> list[str]:
        """The names of the byline the page shows: microdata (``itemprop=author``), an
        element named for its author or byline with a short text, or a labelled line ("By",
        "Von", "Penulis:", "Oleh ..."), outside the body's text and the page's navigation and
        footer; the first that gives names, those between the headline and the text first
        (only those with ``header_only``)."""
        for text in self.byline_candidates(header_only):
            names = byline_names(text, self.site_names)
            if names:
                return names
        return []

    @cached_property
    def header_zone(self) -> tuple[int, int]:
        """Where the article's header is, in page order: after the headline, before the
        body's first block (``(-1, -1)`` when the page shows no headline or no body)."""
        headline = self.headline_element
        position = self.positions
        start = position.get(headline, -1) if headline is not None else -1
        first = min((position.get(b, 0) for b in self.body_blocks), default=-1)
        return (start, first) if start >= 0 and first > start else (-1, -1)

    @cached_property
    def _byline_holders(self) -> set[Element]:
        """The boxes holding a whole labelled byline's element ("Por Juan Pérez"): its
        candidate is the element's text, not the box's with the place beside it."""
        return {
            up
            for marked in self.text_map.byline_elements
            if _whole_byline(block_text(marked))
            for up in marked.iterancestors()
        }

    def byline_candidates(self, header_only: bool = False) -> list[str]:
        """The texts of the page's byline candidates (see :meth:`visible_byline`) in the
        order tried: those in the header first, then those after the headline, then the
        rest (only those in the header with ``header_only``)."""
        inside = self.body_nodes
        position = self.positions
        start, first = self.header_zone
        found: list[tuple[int, str]] = []

        def wanted(at: int) -> bool:
            return not header_only or start < at < first

        opening = self.opening_furniture  # filled as the body was read, for body_nodes
        for element in self.text_map.byline_elements:
            at = position.get(element, 0)
            if not wanted(at) or self._in_chrome_box(element):
                continue
            if element in inside and not (opening and _within(element, opening)):
                continue
            for text in self._byline_texts(element):
                if text and len(text.split()) <= 20 and not credit_line(text):
                    found.append((at, text))
        for element, text in self.small_blocks:
            at = position.get(element, 0)
            if not wanted(at) or not BYLINE_LABEL.match(text) or len(text.split()) > 14:
                continue
            if element in self._byline_holders:
                continue  # its byline's element is a candidate (without the place beside it)
            if _lines_of_divs(element):
                continue  # its lines are candidates each ("By A" above "Reporter, Berlin")
            if not self._in_chrome_box(element):
                found.append((at, text))
        found.sort(key=lambda entry: (not start < entry[0] < first, entry[0] < start, entry[0]))
        return [text for _, text in found]

    @cached_property
    def positions(self) -> dict[Element, int]:
        """The place in page order of each element read (:attr:`TextMap.order`)."""
        return self.text_map.order

    def _byline_texts(self, element: Element) -> list[str]:
        """The texts a byline's element gives: its name's (:meth:`_person_of`); of a box of
        lines (:func:`_div_lines`) opening with a labelled byline ("By Joe Davidson" above
        "Washington Post" and the date), each line's (the joined text names the newspaper
        too); of a box of lines opening with names alone (a name a line: osw.waw.pl's; a name
        above a job's title), those lines' names together (joined, two names would be one, a
        name and a title no name)."""
        person = self._person_of(element)
        lines = _div_lines(person)
        texts = [text for text in map(_shown_text, lines) if text]
        if texts and BYLINE_LABEL.match(texts[0]):
            return texts
        names = list(takewhile(lone_names, texts))
        return [", ".join(names)] if names else [_shown_text(person)]

    @staticmethod
    def _person_of(element: Element) -> Element:
        """An author element's name: its ``itemprop=name`` part when it has one."""
        for node in element.iter():
            if node.get("itemprop") == "name":
                return node
        return element

    def editor(self) -> list[str]:
        return []

    def published_at(self) -> list[str]:
        """The first publication as the page gives it (:attr:`publication`), in ISO 8601 with
        the page's own offset, or a date alone (:meth:`~newscrawl.dates.PageTime.iso`)."""
        time = self.publication
        return [time.iso()] if time is not None else []

    def updated_at(self) -> list[str]:
        """Update times, most trusted first: JSON-LD ``dateModified``, the modified-time
        metas, a visible "Updated"/"Diperbarui" line; each in the page's own offset. The
        loader keeps the first later than ``published_at``: so is the one given here (the
        sources after it are not read)."""
        start = self.publication
        for source in self._time_sources(UPDATE_SOURCES):
            time = self._read_time(source)
            if time is not None and (start is None or time.instant() > start.instant()):
                return [time.iso()]
        return []

    @cached_property
    def publication(self) -> PageTime | None:
        """The page's first publication: the first plausible of JSON-LD ``datePublished``,
        the publication metas (``article:published_time``, ``itemprop=datePublished``,
        ``pubdate``, Dublin Core, ...), ``<time>`` elements, a visible date near the headline
        and a date in the URL (:data:`PUBLICATION_SOURCES`); a date alone (or a time whose
        zone nothing tells) gives way to a later source with the time of that same day.
        Without any, the day htmldate finds (:meth:`inferred_day`).
        Placeholders (``0001-01-01``, ``1970-01-01``) and times more than a day ahead are
        refused."""
        chosen: PageTime | None = None
        for source in self._time_sources(PUBLICATION_SOURCES):
            time = self._read_time(source)
            if time is None:
                continue
            known = time.has_time and time.aware
            if chosen is None:
                chosen = time
                if known:
                    return time
            elif known and time.local_date() == chosen.local_date():
                return time
        return chosen if chosen is not None else self.inferred_day()

    def inferred_day(self) -> PageTime | None:
        """The day htmldate (its extensive search of the page's text and markup) finds, for a
        page none of whose sources gives a date; None when it finds none. Only then is it
        asked: it costs tens of milliseconds a page (and a second, once, to load)."""
        found = self._htmldate(extensive=True)
        if found and found.endswith("-01") and self._htmldate(extensive=False) != found:
            return None  # the first of a month only the text search found: a year or month
        time = parse_machine(found) if found else None
        return time if time is not None and plausible(time, self.now) else None

    def _htmldate(self, extensive: bool) -> str | None:
        """htmldate's day for the page (ISO), its search of the text too when ``extensive``.

        Where the text gives only a year ("© 2013") or a month, htmldate's text search
        makes its first day the date: a day 01 it finds only there is no day at all."""
        from htmldate import find_date  # imported lazily: most pages never need it

        try:
            found: str | None = find_date(
                self.response.text,
                url=self.response.url,
                original_date=True,
                extensive_search=extensive,
                outputformat="%Y-%m-%d",
                max_date=self.now.date().isoformat(),
            )
        except Exception:  # a third party's parse of a hostile page: no day
            return None
        return found

    def _read_time(self, source: tuple[str, str]) -> PageTime | None:
        """A source's time, read (machine or visible form), placed in the page's own offset
        (:func:`~newscrawl.dates.localise`), if plausible."""
        kind, text = source
        time = parse_machine(text)  # a shown line may be an ISO time with its offset
        if kind == "visible" and (time is None or not time.aware):
            time = parse_visible(text, self.month_first)
        if time is None and kind != "visible":
            time = parse_written(text)  # a machine's field written for people
        if time is None or not plausible(time, self.now):
            return None  # a placeholder (0001-01-01) is refused before it is placed
        offsets: list[tzinfo] = []
        if time.has_time and self.site_zone is None and time.value.utcoffset() in (None, ZERO):
            offsets = self.machine_offsets  # only then does localise look at them
        time = localise(time, self.site_zone, offsets)
        utc = time.has_time and time.value.utcoffset() == ZERO
        if utc and kind != "visible" and self.site_zone is None and self.shown_zone is not None:
            time = PageTime(time.value.astimezone(self.shown_zone))
        return time if plausible(time, self.now) else None

    @cached_property
    def shown_zone(self) -> tzinfo | None:
        """The offset of the wall clock the page shows, for its times given in UTC (its
        publication's and its update's): found from the first publication time in its data
        that is in UTC (:meth:`_shown_offset`); None when none is, or the page shows none."""
        for _, text in self._time_sources(("json_ld", "meta", "itemprop", "time")):
            time = parse_machine(text)
            if time is not None and time.has_time and time.value.utcoffset() == ZERO:
                return self._shown_offset(time.value)
        return None

    def _shown_offset(self, instant: datetime) -> tzinfo | None:
        """The offset of the wall clock the page shows for ``instant`` (a UTC time): the first
        visible publication line with a time of day, when that is a whole number of half
        hours from UTC ("Apr 13, 2020 at 4:38 PM" for 2020-04-14T00:38Z: -08:00); None when
        it shows UTC's own clock or another time."""
        utc = instant.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
        for text in self.visible_dates[0]:
            shown = parse_visible(text, self.month_first)
            if shown is None or not shown.has_time or shown.value.tzinfo is not None:
                continue
            delta = shown.value - utc
            if delta and delta % HALF_HOUR == ZERO and -MAX_BEHIND <= delta <= MAX_AHEAD:
                return timezone(delta)
            return None  # the first shown time is UTC's clock, or another time
        return None

    @cached_property
    def now(self) -> datetime:
        return datetime.now(UTC)

    @cached_property
    def site_zone(self) -> tzinfo | None:
        """The zone of the site's times (:func:`~newscrawl.dates.site_zone`)."""
        return site_zone(suffix_of(self.response.url), self.language())

    @cached_property
    def month_first(self) -> bool:
        return month_first(self.declared_language or "", suffix_of(self.response.url))

    @cached_property
    def machine_offsets(self) -> list[tzinfo]:
        """The offsets of the machine-written times of the page (all of them)."""
        found = []
        for kind, text in self._time_sources(PUBLICATION_SOURCES + UPDATE_SOURCES):
            if kind != "visible":
                time = parse_machine(text)
                if time is not None and time.value.tzinfo is not None:
                    found.append(time.value.tzinfo)
        return found

    def _time_sources(self, kinds: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        """The texts of the page's time sources of ``kinds``, in that order, as ``(kind,
        text)``: ``visible`` texts are read as shown, the others as machines write."""
        for kind in kinds:
            for text in self.time_texts(kind):
                if text and text.strip():
                    yield ("visible" if kind.startswith("visible") else kind), text.strip()

    def time_texts(self, kind: str) -> list[str]:
        """The page's time sources of ``kind`` (see :data:`PUBLICATION_SOURCES`), read only
        when asked for (a page whose JSON-LD gives the time has its visible dates unread)."""
        data = self.json_ld_article or self.json_ld_page or {}
        if kind in ("json_ld", "json_ld_modified"):
            value = data.get("datePublished" if kind == "json_ld" else "dateModified")
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(int(value))  # seconds (or milliseconds) since 1970
            return [value] if isinstance(value, str) else []
        if kind in ("meta", "meta_modified"):
            keys = PUBLICATION_META_KEYS if kind == "meta" else UPDATE_META_KEYS
            metas = self.folded_metas
            return [metas[key] for key in keys if key in metas]
        if kind in ("itemprop", "itemprop_modified"):
            return self.itemprop_times[kind == "itemprop_modified"]
        if kind == "time":
            return self.time_elements
        if kind in ("visible", "visible_updated"):
            return self.visible_dates[kind == "visible_updated"]
        if kind == "url":
            return [u for u in (url_date(self.response.url),) if u]
        return []

    @cached_property
    def folded_metas(self) -> dict[str, str]:
        """The page's metas by :func:`meta_key` (the first of each)."""
        found: dict[str, str] = {}
        for name, content in self.metas.items():
            found.setdefault(meta_key(name), content)
        return found

    @cached_property
    def itemprop_times(self) -> tuple[list[str], list[str]]:
        """The publication and update times of microdata (``itemprop=datePublished``)."""
        published: list[str] = []
        updated: list[str] = []
        metas = [m for m in self.root.iter("meta") if m.get("itemprop")]
        for element in chain(metas, self.text_map.microdata_times):
            if element.get("itemprop") not in ("datePublished", "dateModified"):
                continue
            value = element.get("content") or element.get("datetime") or element_text(element)
            prop = (element.get("itemprop") or "").lower()
            (updated if "modified" in prop else published).append(value)
        return published, updated

    @cached_property
    def time_elements(self) -> list[str]:
        """The ``datetime`` of ``<time>`` elements that say they are the publication's (a
        ``pubdate`` attribute, a class or parent naming publication), else of the first one
        after the headline, outside the body's text; never a comment's (WordPress's Twenty
        Twenty shows the post's date without a ``<time>``, its comments' with one), nor one
        in the navigation, a footer or another story's teaser (:meth:`_in_chrome_box`)."""
        marked: list[str] = []
        first: list[str] = []
        inside = self.body_nodes
        started = self.headline_element is None
        headline = self.headline_element
        for element in self.root.iter("time", "h1"):
            if element is headline:
                started = True
                continue
            if element.tag != "time":
                continue
            value = element.get("datetime")
            if not value or element in inside:
                continue
            if self._foreign_time(element):
                continue  # a comment's, a teaser's, the navigation's, the page footer's
            parent = element.getparent()
            names = f"{element.get('class') or ''} {'' if parent is None else parent.get('class')}"
            names = names.lower()
            if element.get("pubdate") is not None or "publish" in names:
                marked.append(value)
            elif started and not first and "modif" not in names and "updat" not in names:
                first.append(value)
        return marked + first

    @cached_property
    def visible_dates(self) -> tuple[list[str], list[str]]:
        """Date lines as shown (short blocks outside the body with a year: a ``time``, a
        "Published ... | Updated ..." line), those after the headline first, cut into the
        publication's and the update's parts (:func:`split_date_line`)."""
        published: list[str] = []
        updated: list[str] = []
        later: list[tuple[str, str]] = []
        earlier: list[tuple[str, str]] = []
        headline = self.headline_element
        start = self.positions.get(headline, -1) if headline is not None else -1
        for element, text in self.small_blocks:
            if not text.isascii():
                text = text.translate(WESTERN_DIGITS)  # an Arabic page's "٢٠٢٤"
            if len(text) > 120 or ("20" not in text and "19" not in text and "25" not in text):
                continue  # the cheap look first: no year
            if not YEAR.search(text):
                continue
            if len(element) and any(isinstance(c.tag, str) and c.tag == "div" for c in element):
                continue
            if self._in_chrome_box(element):
                continue
            before = start >= 0 and self.positions.get(element, 0) < start
            for part in split_date_line(text):
                (earlier if before else later).append(part)
        for kind, text in later + earlier:
            (updated if kind == "updated" else published).append(text)
        return published[:3], updated[:2]

    def _in_chrome_box(self, element: Element, footers: bool = True) -> bool:
        """True for an element in the page's navigation, footer (unless not ``footers``) or
        banner (:meth:`_banner`: a date in the header bar is today's, a footer's is the
        copyright's), or in another story's ``<article>`` (a teaser's byline: one with a
        heading of its own, holding neither the headline nor the body; not a box of the
        article's byline and date set as an ``<article>``)."""
        for up in element.iterancestors():
            tag = up.tag
            if tag == "nav" or (tag == "footer" and footers):
                return True
            if tag == "header" and self._banner(up):
                return True
            if tag == "article" and _HOLDS_HEADING(up) and not self._holds_the_article(up):
                return True
        return False

    def _banner(self, header: Element) -> bool:
        """``header`` is the page's banner: before the headline, holding neither it nor the
        body (its date is today's: "Martes, 12 de marzo de 2024" atop a Spanish paper)."""
        headline = self.headline_element
        if headline is None or self._holds_headline_or_body(header):
            return False
        if any(up.tag == "article" for up in header.iterancestors()):
            return False  # an article's header above its headline ("<header>By A</header>")
        return self.positions.get(header, -1) < self.positions.get(headline, -1)

    def _foreign_time(self, element: Element) -> bool:
        """A ``<time>`` that is not the article's: in the navigation, the page's banner,
        another story's ``<article>`` (:meth:`_in_chrome_box`) or the comments
        (:func:`_in_comments`); a footer's may be the article's own (WordPress themes put the
        post's date there)."""
        return self._in_chrome_box(element, footers=False) or _in_comments(element)

    def _holds_the_article(self, element: Element) -> bool:
        """``element`` holds the page's headline or its body, or is in the body."""
        if self._holds_headline_or_body(element):
            return True
        body = self.body_element
        return body is not None and body in element.iterancestors()

    def _holds_headline_or_body(self, element: Element) -> bool:
        """``element`` is the page's headline or its body, or holds one of them."""
        return any(
            own is not None and (own is element or element in own.iterancestors())
            for own in (self.headline_element, self.body_element)
        )

    def image_url(self) -> str | None:
        """``og:image``, else the cover: the last image above the body (not in the header,
        navigation or a link, where logos are)."""
        og = self.meta("og:image")
        if og and og.strip():
            return self.urljoin(og.strip())
        body = self.body_element
        cover = None
        for element in self.root.iter():
            if element is body:
                break
            if element.tag != "img" or not (element.get("src") or "").strip():
                continue
            if any(
                isinstance(a.tag, str) and (a.tag in CHROME_TAGS or a.tag == "a")
                for a in element.iterancestors()
            ):
                continue
            cover = self.urljoin(str(element.get("src")).strip())
        return cover

    def image_caption(self) -> str | None:
        return None

    def tags(self) -> list[str]:
        """The texts of tag links outside the body, in page order ("#" removed)."""
        found = []
        for link in self.links_to(TAG_SEGMENTS):
            if not self._in_credit(link):
                text = clean_text(element_text(link)).lstrip("#").strip()
                if text:
                    found.append(text)
        return found

    def _in_credit(self, link: Element) -> bool:
        """A link of a credit (a writer's or editor's name under its label)."""
        own = " ".join(" ".join(link.itertext()).split())
        for up, _ in zip(link.iterancestors(), range(2), strict=False):
            text = " ".join(" ".join(up.itertext()).split())
            if len(text) > 150:  # a container of more than a credit
                return False
            if CREDIT_WORDS.search(text.replace(own, "")):
                return True
        return False

    # -- split articles -------------------------------------------------------------------

    def whole_text_url(self) -> str | None:
        """The pager's link to the whole text (``?page=all``, ``?single=1``, "Tampilkan
        semua"), if the page has one and is not it (nor a whole-text view itself, which may
        link the site's other view of the whole text)."""
        if WHOLE_TEXT_QUERY.search(urlsplit(self.response.url).query.lower()):
            return None  # this page is the whole text: another view of it adds nothing
        own = None
        for link in PAGER_LINKS(self.root):  # the cheap look first: most links are no pager's
            href = link.get("href") or ""
            query = urlsplit(href).query.lower()
            if not (
                WHOLE_TEXT_QUERY.search(query) or WHOLE_TEXT_WORDS.search("".join(link.itertext()))
            ):
                continue
            target = self.urljoin(href)
            own = own or self.url()
            if canonical_url(target) != own:
                continue
            if target.rstrip("/") != self.response.url.rstrip("/"):
                return target
        return None

    def is_multipage(self) -> bool:
        return self.whole_text_url() is not None or bool(self.other_pages())

    def other_pages(self) -> list[tuple[int, str]]:
        """The pager's links to the article's other pages (2, 3, ...: the same canonical URL
        and a page number), with their numbers, in page order: what is joined when no link
        leads to the whole text."""
        own = None
        found: dict[int, str] = {}
        for link in self.root.iter("a"):
            href = (link.get("href") or "").strip()
            if "?" not in href and not href.rstrip("/")[-1:].isdigit():
                continue  # the cheap look first: no page number
            target = self.urljoin(href).split("#", 1)[0]
            number = page_number(target)
            if number is None or number < 2:
                continue
            own = own or self.url()
            if canonical_url(target) == own:
                found.setdefault(number, target)
        return sorted(found.items())

    def loader_context(self) -> dict[str, Any]:
        """The site's name, for the dateline forms of :class:`~newscrawl.loaders.GenericLoader`."""
        return {"brand": brand_of(self.domain)}


def given_article_page(
    response: TextResponse, known_promo: Collection[str] = frozenset()
) -> GenericArticlePage | None:
    """The page of a URL the user gave as an article, read as one when its markup says it
    is one or it has a body (:meth:`GenericArticlePage.has_given_body`), else read once more
    for a paragraph alone (``paragraph_alone``: a one-paragraph post among boxes of other
    text); None when neither reading gives an article."""
    page = GenericArticlePage(response, known_promo=known_promo)
    if page.is_article() or page.has_given_body():
        return page
    alone = GenericArticlePage(response, known_promo=known_promo, paragraph_alone=True)
    return alone if alone.has_given_body() else None
