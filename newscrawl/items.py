"""The article item: one typed record per news article, the same for every site.

This dataclass is the single place the fields are documented; the JSON Schema
``newscrawl/schema/article.schema.json`` describes the same record as exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any


@dataclass
class ArticleItem:
    """A news article as exported (one JSON line each).

    Required (the validation pipeline drops an item without them): ``url``,
    ``article_id``, ``title``, ``published_at`` and a non-empty ``body``; ``published_at``
    may be None for the ``news`` spider (any news site: a page that shows no date). It also drops an
    item whose dates lie outside 1990-01-01 .. crawl time + 1 day, whose title is longer than
    :data:`MAX_TITLE_CHARS` or whose body is longer than ``NEWSCRAWL_MAX_BODY_CHARS``.
    """

    #: Canonical URL: https, no fragment, no page suffix, no query (but for an article its
    #: path does not name, in generic mode: the query's identity parameters, ``?id=5``).
    url: str | None = None
    #: The site's own id of the article, from the URL (e.g. a string of digits).
    article_id: str | None = None
    #: The site's domain, e.g. ``"news.example"``.
    site: str | None = None
    #: The subdomain the article lives on (``ekonomi``, ``market``, ..., ``premium``).
    section: str | None = None
    #: The last breadcrumb label (``Makro``, ``Bursa Saham``, ...), or None.
    category: str | None = None
    #: The headline.
    title: str | None = None
    #: The visible lead under the headline, or None when the page shows none.
    lead: str | None = None
    #: Byline names, without the site suffix, in page order.
    authors: list[str] = field(default_factory=list)
    #: The editor from "Editor : NAME", or None.
    editor: str | None = None
    #: First publication time, ISO 8601 with the WIB offset ``+07:00`` (never an update
    #: time while the page gives its publication time). None (``null``) only from the
    #: ``news`` spider, for an article whose page shows no date (``generic/undated``).
    published_at: str | None = None
    #: Last update time, ISO 8601 ``+07:00``: the first of JSON-LD ``dateModified``,
    #: ``article:modified_time`` and a visible "Diperbarui ..." line that is later than
    #: ``published_at``; None when the page shows none (or none later).
    updated_at: str | None = None
    #: The city of the body's opening dateline ("JAKARTA, Warta - "), or None.
    dateline: str | None = None
    #: Body paragraphs joined by a blank line, promo and boilerplate removed.
    body: str | None = None
    #: The cover image URL and its caption, or None.
    image_url: str | None = None
    image_caption: str | None = None
    #: Tag labels in page order.
    tags: list[str] = field(default_factory=list)
    #: True for paywalled articles; their body is the visible teaser only.
    is_premium: bool = False
    #: ISO 639-1 language of the text.
    language: str = "id"
    #: Whitespace-separated words of ``body``.
    word_count: int = 0
    #: ISO 8601 UTC time of the fetch.
    crawled_at: str | None = None


REQUIRED_FIELDS = ("url", "article_id", "title", "published_at", "body")
#: The longest title an item may have (the JSON Schema's ``maxLength``).
MAX_TITLE_CHARS = 1_000
#: The earliest publication or update date an item may have (WIB).
EARLIEST_DATE = "1990-01-01T00:00:00+07:00"
#: How far past its crawl time an item's dates may lie (clocks and time zones disagree a little).
FUTURE_DATE_SLACK = timedelta(days=1)
#: Fields whose share of non-empty values the run manifest reports.
COVERAGE_FIELDS = (
    "section", "category", "lead", "authors", "editor", "updated_at", "dateline", "image_url",
    "image_caption", "tags",
)  # fmt: skip


FIELD_NAMES = tuple(f.name for f in fields(ArticleItem))


def item_record(item: ArticleItem) -> dict[str, Any]:
    """The item as a plain dict in field order, for export (shallow: nothing is copied)."""
    return {name: getattr(item, name) for name in FIELD_NAMES}
