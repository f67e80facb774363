"""What the ``news`` spider tells from a URL or a document alone, with no rules for its site.

A start URL is an article by its shape (:func:`looks_like_article`), a link of a section page
can be one (:func:`slug_like`); a document is a sitemap or a feed by its root element
(:func:`is_feed`), whose article links and sitemaps :func:`feed_links` lists. A run over some
sites lives in a folder named after them (:func:`folder_name`). A section page's links that
can be articles are :func:`listing_links`; a page is requested once by :func:`follow_key`.
Pure functions: the spider (:mod:`newscrawl.spiders.news`) decides what to fetch.
"""

from __future__ import annotations

import hashlib
import re

from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from newscrawl.pages.base import element_text
from newscrawl.pages.generic import (
    CHROME_TAGS,
    GenericArticlePage,
    article_id_of,
    canonical_url,
    registered_domain,
)
from newscrawl.urls import path_of, query_of

#: The root elements of the documents a start URL can be, besides HTML.
FEED_ROOTS = (b"<urlset", b"<sitemapindex", b"<rss", b"<feed", b"<rdf")


def is_feed(body: bytes) -> bool:
    """A sitemap or an RSS/Atom/RDF feed, by its root element (an XHTML page with an XML
    declaration is no feed)."""
    head = body.lstrip()[:4096].lower()
    return b"<html" not in head and any(root in head for root in FEED_ROOTS)


def feed_links(body: bytes) -> tuple[list[str], list[str]]:
    """The article links of a sitemap or an RSS/Atom feed, and the sitemaps a sitemap index
    names."""
    head = body.lstrip()[:4096].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = Sitemap(body)
        locs = [entry["loc"].strip() for entry in sitemap if entry.get("loc")]
        return ([], locs) if sitemap.type == "sitemapindex" else (locs, [])
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return [], []
    links: list[str] = []
    if root is None:
        return [], []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "link" and (element.get("rel") or "alternate") == "alternate":
            href = element.get("href") or (element.text or "")
            parent = element.getparent()
            parent_tag = parent.tag.rsplit("}", 1)[-1] if parent is not None else ""
            if href.strip() and parent_tag in ("item", "entry"):
                links.append(href.strip())
    return links, []


#: Path segments of listing pages: a start URL under one is never taken for an article.
LISTING_SEGMENTS = frozenset(
    {
        "tag", "tags", "topic", "topics", "topik", "kategori", "category", "categories",
        "section", "sections", "kanal", "channel", "rubrik", "rubric", "indeks", "index",
        "search", "cari", "author", "authors", "penulis", "page", "halaman", "label", "tema",
    }
)  # fmt: skip
#: A number that is an article's id (five digits or more), or a date in a path.
_ID_NUMBER = re.compile(r"(?<!\d)\d{5,}(?!\d)")
#: A code that is an article's id: seven or more capitals and digits, with both
#: (``AST1F4445T1FUTIL02SM``, ``B2LA2G3``).
_ID_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{7,}(?![a-z0-9])")
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}/\d{1,2}/|/(?:19|20)\d{2}-\d{2}-\d{2}/|/(?:19|20)\d{6}/")
#: Query parameters naming an article (``read.php?id=123``, ``/?p=123``).
_ID_PARAMETERS = ("id", "p", "aid", "article", "articleid", "newsid", "story")
#: A day written as one number (``?date=20251120``): no article's id.
_DAY_NUMBER = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
#: A UUID, an article's id wherever it stands in a URL.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def looks_like_article(url: str) -> bool:
    """A start URL that names an article, not a listing page: its path ends in a headline's
    slug (four words or more) or in a code of seven capitals and digits or more, or holds an
    id (a number of five digits or more, a UUID) or a date followed by a named page, or its
    query names an article (``?id=123``, ``?p=123``, a value of five digits or more); and
    no segment before the last is a listing's (``/tag/``, ``/kategori/``, ``/page/``, ...).
    Sections (``/``, ``/ekonomi``, ``/kategori/sains-dan-teknologi``) are not articles."""
    path = path_of(url.strip())
    segments = [s.strip() for s in path.split("/") if s.strip()]
    if any(s.lower() in LISTING_SEGMENTS for s in segments[:-1]):
        return False
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    if last.lower() in LISTING_SEGMENTS and "." not in segments[-1]:  # `/indeks`, not `x.php`
        return False
    query = query_of(url.strip())
    if any(query.get(name, "").isdigit() for name in _ID_PARAMETERS):
        return True
    numbers = [value for value in query.values() if _ID_NUMBER.fullmatch(value)]
    if any(not _DAY_NUMBER.fullmatch(value) for value in numbers) or _UUID.search(url):
        return True
    if not segments:
        return False
    words = [w for w in re.split(r"[-_+]", last) if w]
    if len(words) >= 4 or _ID_NUMBER.search(path) or _ID_CODE.search(segments[-1]):
        return True
    named = any(c.isalpha() for c in last)
    return named and bool(_DATE_PATH.search(path + "/"))


def slug_like(url: str) -> bool:
    """A URL that can be an article's: its path ends in a slug of three words or more, or in
    a long number (an id)."""
    segments = [s for s in path_of(url).split("/") if s]
    if not segments:
        return False
    last = segments[-1].rsplit(".", 1)[0]
    return last.count("-") >= 2 or (any(c.isdigit() for c in last) and len(segments) >= 2)


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a URL to crawl (None: nothing)."""
    if not url.lower().startswith(("http://", "https://")) or not registered_domain(url):
        return "is not an http(s) URL of a site"
    return None


#: A run's folder is the start URLs' domains joined by ``+`` when that is at most this long
#: (bytes); else ``<first domain>+<N>-more-<hash>`` (:func:`folder_name`).
MAX_JOINED_FOLDER = 100


def folder_name(domains: list[str]) -> str:
    """The folder of a run over ``domains`` (sorted) under ``output/news/``: the domain
    itself for one; the domains joined by ``+`` when that is at most
    :data:`MAX_JOINED_FOLDER` bytes; else ``<first domain>+<N>-more-<hash>`` (N: how many
    others; the hash: 12 hex digits of SHA-256 over the sorted domains). The same set of
    domains always gives the same folder; the name stays far below the file system's 255
    bytes (a domain is cut to 100 bytes in the hashed form)."""
    joined = "+".join(domains)
    size = len(joined.encode("utf-8"))
    if size <= MAX_JOINED_FOLDER or (len(domains) == 1 and size <= 200):
        return joined
    digest = hashlib.sha256("\n".join(domains).encode("utf-8")).hexdigest()[:12]
    first = domains[0].encode("utf-8")[:100].decode("utf-8", "ignore")
    more = f"+{len(domains) - 1}-more-" if len(domains) > 1 else "-"
    return f"{first}{more}{digest}"


def listing_links(response: TextResponse, page: GenericArticlePage) -> list[str]:
    """The links of a section page's content (not its header, navigation, footer or
    sidebars) that can be articles (:func:`slug_like`), with their text."""
    links = []
    for link in page.root.iter("a"):
        if any(isinstance(a.tag, str) and a.tag in CHROME_TAGS for a in link.iterancestors()):
            continue
        href = (link.get("href") or "").strip()
        if not href or not element_text(link).strip():
            continue
        url = response.urljoin(href)
        if slug_like(url):
            links.append(url)
    return links


def follow_key(url: str, kind: str) -> str:
    """What a page is requested once by: an article by its canonical URL, one whose URL is
    all in its query (``read.php?id=1``, ``/?p=123``) by the whole URL; another page by its
    URL."""
    query_only = "?" in url and not any(c.isdigit() for c in url.split("?")[0][-24:])
    return canonical_url(url) if kind == "article" and not query_only else url


def article_id(url: str) -> str | None:
    """The article id the ``news`` ledger names a page of ``url`` by: a URL that can be an
    article's (:func:`slug_like`, :func:`looks_like_article`); None for any other page."""
    return article_id_of(url) if slug_like(url) or looks_like_article(url) else None


def no_index(url: str) -> str | None:
    """The index a page of a ``news`` run belongs to (for the ledger): none."""
    return None
