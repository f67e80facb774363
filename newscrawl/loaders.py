"""Item loaders: which processors turn a page object's raw values into item fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from newscrawl import processors as p
from newscrawl.items import ArticleItem


def clean_paragraphs(values: Iterable[str]) -> list[str]:
    """Paragraph texts cleaned; empty ones and ones without a letter or digit dropped."""
    return [text for text in (p.nonempty(value) for value in values) if text]


def body_paragraphs(paragraphs: list[str]) -> list[str]:
    """The body paragraphs with the opening dateline cut from the first one."""
    if not paragraphs:
        return []
    _, first = p.split_dateline(paragraphs[0])
    return ([first] if p.has_word_char(first) else []) + paragraphs[1:]


def dateline_of(paragraphs: list[str]) -> list[str]:
    """The dateline city of the first paragraph, as a list of zero or one value."""
    if not paragraphs:
        return []
    city, _ = p.split_dateline(paragraphs[0])
    return [city] if city else []


def parse_date(value: str | datetime) -> str | None:
    """Any of the page's date forms (ISO meta, publishdate meta, visible) to ISO WIB."""
    if isinstance(value, datetime):
        return p.to_wib_iso(value)
    parsed = p.parse_iso_date(value) or p.parse_numeric_date(value) or p.parse_visible_date(value)
    return p.to_wib_iso(parsed) if parsed else None


def labelled(label: str) -> Any:
    """An input processor keeping the value of ``"LABEL : value"`` texts."""

    def take(value: str) -> str | None:
        return p.labelled_value(value, label)

    return MapCompose(take)


class ArticleLoader(ItemLoader):
    """Loads :class:`ArticleItem`; fields take the first usable value unless listed below."""

    default_item_class = ArticleItem
    default_input_processor = MapCompose(p.nonempty)
    default_output_processor = TakeFirst()

    authors_in = MapCompose(p.strip_site_suffix, p.nonempty)
    authors_out = Compose(p.unique)
    tags_in = MapCompose(p.nonempty)
    tags_out = Compose(p.unique)
    editor_in = labelled("editor")
    published_at_in = MapCompose(parse_date)
    body_in = Compose(clean_paragraphs, body_paragraphs)
    body_out = Join("\n\n")
    dateline_in = Compose(clean_paragraphs, dateline_of)
    is_premium_in = Identity()
    word_count_in = Identity()

    def load_item(self) -> ArticleItem:
        item: ArticleItem = super().load_item()
        if not item.body:
            item.body = None
        item.word_count = p.count_words(item.body or "")
        if not item.crawled_at:
            item.crawled_at = p.utc_now_iso()
        return item
