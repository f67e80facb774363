"""Item pipelines, one job each, in this order: boilerplate, validation, dedup.

Each counts what it does in the crawl stats as ``newscrawl/<component>/<event>`` and drops
items with ``DropItem("why")``. Export is Scrapy's FEEDS (JSON lines, UTF-8).
"""

from __future__ import annotations

import hashlib
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newscrawl.boilerplate import filter_paragraphs, rules_for
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.processors import count_words, normalise_for_fingerprint
from newscrawl.state import StateStore

PARAGRAPH_SEPARATOR = "\n\n"


class _Counting:
    component = ""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def count(self, event: str, by: int = 1) -> None:
        self.stats.inc_value(f"newscrawl/{self.component}/{event}", by)


class BoilerplatePipeline(_Counting):
    """Drops promo and boilerplate paragraphs from the body by the site's ordered rules."""

    component = "boilerplate"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if not item.body:
            return item
        cleaned = filter_paragraphs(
            item.body.split(PARAGRAPH_SEPARATOR), rules_for(item.site or "")
        )
        if cleaned.dropped:
            for rule_name in cleaned.dropped:
                self.count(rule_name)
            item.body = PARAGRAPH_SEPARATOR.join(cleaned.kept) or None
            item.word_count = count_words(item.body or "")
        return item


class ValidationPipeline(_Counting):
    """Drops items missing a required field (url, article_id, title, published_at, body)."""

    component = "validation"

    def process_item(self, item: ArticleItem) -> ArticleItem:
        missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
        if missing:
            for name in missing:
                self.count(f"missing_{name}")
            self.count("dropped")
            raise DropItem(f"missing {', '.join(missing)}")
        self.count("passed")
        return item


def fingerprint(item: ArticleItem) -> str:
    """A content fingerprint: the normalised title and body (same story, other URL)."""
    text = (
        normalise_for_fingerprint(item.title or "")
        + "\n"
        + normalise_for_fingerprint(item.body or "")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DedupPipeline(_Counting):
    """Exports each article once: by ``article_id`` and by content, in this run and before.

    The seen-set lives in the spider's :class:`~newscrawl.state.StateStore`; it is
    committed when the spider closes.
    """

    component = "dedup"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state: StateStore | None = None

    def open_spider(self) -> None:
        self.state = getattr(self.crawler.spider, "state", None)

    def close_spider(self) -> None:
        if self.state is not None:
            self.state.commit()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert self.state is not None, "DedupPipeline needs a spider with a state store"
        article_id = item.article_id or ""
        digest = fingerprint(item)
        if self.state.has_article(article_id):
            self.count("duplicate_id")
            raise DropItem(f"article {article_id} already exported", log_level="INFO")
        if self.state.has_fingerprint(digest):
            self.count("duplicate_content")
            raise DropItem(
                f"article {article_id}: same title and body as an exported article",
                log_level="INFO",
            )
        self.state.add_article(article_id, item.url or "", digest)
        self.count("unique")
        return item
