"""Validation and dedup pipelines, and the SQLite state behind dedup."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.feeds import FeedWriter
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.pipelines import DedupPipeline, ExportPipeline, ValidationPipeline
from newscrawl.processors import WIB
from newscrawl.run import Run
from newscrawl.state import SQLiteState, StateError, lock_for


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
    def __init__(self, run: Run) -> None:
        self.run = run


def run_in(tmp_path: Path) -> Run:
    state = SQLiteState(tmp_path / "bisnis" / "state.sqlite3")
    started = datetime(2025, 11, 20, 10, 0, tzinfo=WIB)
    feed = FeedWriter(tmp_path / "bisnis" / "2025-11-20" / "100000.jsonl")
    return Run("bisnis", tmp_path, started, lock_for(tmp_path, "bisnis"), state, feed)


def crawler_for(run: Run) -> Crawler:
    crawler = get_crawler()
    crawler.spider = StubSpider(run)  # type: ignore[assignment]
    return crawler


def test_dedup_by_id_and_by_content_within_a_run(tmp_path: Path) -> None:
    pipeline = DedupPipeline(crawler_for(run_in(tmp_path)))
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


def test_dedup_and_export_across_runs(tmp_path: Path) -> None:
    first = run_in(tmp_path)
    crawler = crawler_for(first)
    dedup, export = DedupPipeline(crawler), ExportPipeline(crawler)
    export.process_item(dedup.process_item(article()))
    first.publish()
    first.close()
    assert [feed.lines for feed in first.published] == [1]
    published = first.published[0].path
    assert published.name == "100000.jsonl" and published.exists()
    assert json.loads(published.read_text("utf-8"))["article_id"] == "1"
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/export/written") == 1

    second = run_in(tmp_path)
    dedup = DedupPipeline(crawler_for(second))
    with pytest.raises(DropItem, match="already exported"):
        dedup.process_item(article())
    with pytest.raises(DropItem, match="same title and body"):
        dedup.process_item(article(article_id="2"))
    second.close()


def test_export_counts_field_coverage(tmp_path: Path) -> None:
    run = run_in(tmp_path)
    crawler = crawler_for(run)
    ExportPipeline(crawler).process_item(article(lead="Lead.", tags=["a"]))
    ExportPipeline(crawler).process_item(article(article_id="2", body="Lain."))
    run.feed.close()
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/coverage/lead") == 1
    assert crawler.stats.get_value("newscrawl/coverage/tags") == 1
    assert crawler.stats.get_value("newscrawl/coverage/editor") is None
    run.close()


def test_state_reports_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StateError, match=str(path)):
        SQLiteState(path)


def test_state_refuses_a_foreign_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
    db.close()
    with pytest.raises(StateError, match="something else"):
        SQLiteState(path)


def test_state_creates_its_directory(tmp_path: Path) -> None:
    state = SQLiteState(tmp_path / "a" / "b" / "state.sqlite3")
    state.close()
    db = sqlite3.connect(tmp_path / "a" / "b" / "state.sqlite3")
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    db.close()


def test_state_backoff_of_failures(tmp_path: Path) -> None:
    state = SQLiteState(tmp_path / "s.sqlite3", {"not_found": timedelta(hours=1)})
    state.record_failure("7", "https://x/7", "not_found")
    state.record_failure("8", "https://x/8", "timeout")
    assert state.in_backoff("7") == "not_found"
    assert state.in_backoff("8") is None
    assert state.in_backoff("9") is None
    state.close()
    expired = SQLiteState(tmp_path / "s.sqlite3", {"not_found": timedelta(0)})
    assert expired.in_backoff("7") is None
    expired.close()
