"""Validation and dedup pipelines, and the SQLite state behind dedup."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.pipelines import DedupPipeline, ValidationPipeline, fingerprint
from newscrawl.state import SQLiteState, StateError


def article(**changes: object) -> ArticleItem:
    base = ArticleItem(
        url="https://market.bisnis.com/read/20251120/7/1/x",
        article_id="1",
        site="bisnis.com",
        title="Judul",
        published_at="2025-11-20T10:00:00+07:00",
        body="Isi berita.",
        word_count=2,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_validation_drops_item_missing_a_required_field(field: str) -> None:
    crawler = get_crawler()
    with pytest.raises(DropItem, match=field):
        ValidationPipeline(crawler).process_item(article(**{field: None}))
    assert crawler.stats is not None
    assert crawler.stats.get_value(f"newscrawl/validation/missing_{field}") == 1
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1


def test_validation_passes_a_whole_item() -> None:
    crawler = get_crawler()
    item = article()
    assert ValidationPipeline(crawler).process_item(item) is item
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/passed") == 1


class StubSpider:
    def __init__(self, state: SQLiteState) -> None:
        self.state = state


def dedup_for(state: SQLiteState) -> DedupPipeline:
    crawler = get_crawler()
    crawler.spider = StubSpider(state)  # type: ignore[assignment]
    pipeline = DedupPipeline(crawler)
    pipeline.open_spider()
    return pipeline


def test_dedup_by_id_and_by_content(tmp_path: Path) -> None:
    state = SQLiteState(tmp_path / "state.sqlite3")
    pipeline = dedup_for(state)
    pipeline.process_item(article())
    with pytest.raises(DropItem, match="already exported"):
        pipeline.process_item(article(title="Lain", body="Lain."))
    with pytest.raises(DropItem, match="same title and body"):
        pipeline.process_item(article(article_id="2", url="https://bandung.bisnis.com/read/x"))
    syndicated_spacing = article(article_id="3", title=" judul ", body="Isi  berita.")
    with pytest.raises(DropItem, match="same title and body"):
        pipeline.process_item(syndicated_spacing)
    pipeline.process_item(article(article_id="4", body="Isi berita lain."))
    stats = pipeline.stats
    assert stats.get_value("newscrawl/dedup/unique") == 2
    assert stats.get_value("newscrawl/dedup/duplicate_id") == 1
    assert stats.get_value("newscrawl/dedup/duplicate_content") == 2


def test_dedup_state_survives_a_committed_run_only(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    first = SQLiteState(path)
    pipeline = dedup_for(first)
    pipeline.process_item(article())
    pipeline.close_spider()
    first.close()
    uncommitted = SQLiteState(path)
    dedup_for(uncommitted).process_item(article(article_id="9", body="Belum disimpan."))
    uncommitted.close()
    later = SQLiteState(path)
    assert later.has_article("1") and not later.has_article("9")
    assert later.has_fingerprint(fingerprint(article()))
    later.close()


def test_state_reports_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StateError, match=str(path)):
        SQLiteState(path)


def test_state_creates_its_directory(tmp_path: Path) -> None:
    state = SQLiteState(tmp_path / "a" / "b" / "state.sqlite3")
    state.close()
    with sqlite3.connect(tmp_path / "a" / "b" / "state.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
