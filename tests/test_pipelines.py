"""Validation and dedup pipelines, and the SQLite state behind dedup."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.feeds import FeedWriter
from newscrawl.items import FIELD_NAMES, REQUIRED_FIELDS, ArticleItem, item_record
from newscrawl.logformatter import SCRAPER_LOGGER, LogFormatter, heard
from newscrawl.pipelines import (
    DedupPipeline,
    ExportPipeline,
    ValidationPipeline,
    schema_validator,
    schema_violation,
)
from newscrawl.processors import WIB, iso_datetime
from newscrawl.run import Run
from newscrawl.state import SQLiteState, StateError, lock_for
from tests.support import FIXTURES, all_sites, validate

CRAWLED = "2025-11-20T03:00:00Z"  # 10:00 WIB; dates up to 2025-11-21T10:00:00+07:00 pass


def article(**changes: object) -> ArticleItem:
    base = ArticleItem(
        url="https://market.bisnis.com/read/20251120/7/1/x",
        article_id="1",
        site="bisnis.com",
        title="Judul",
        published_at="2025-11-20T10:00:00+07:00",
        body="Isi berita.",
        word_count=2,
        crawled_at=CRAWLED,
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


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"published_at": "0001-01-01T07:00:00+07:00"}, "published_at"),
        ({"published_at": "1989-12-31T23:59:59+07:00"}, "published_at"),
        ({"published_at": "2025-11-21T10:00:01+07:00"}, "published_at"),
        ({"published_at": "kemarin"}, "published_at"),
        ({"title": "J" * 1_001}, "title"),
        ({"title": "J" * 101_999}, "title"),
        ({"body": "x" * 1_000_001}, "body"),
    ],
)
def test_validation_drops_item_with_a_field_out_of_bounds(
    changes: dict[str, str], field: str
) -> None:
    crawler = get_crawler()
    with pytest.raises(DropItem, match=f"^invalid {field} ") as dropped:
        ValidationPipeline(crawler).process_item(article(crawled_at=CRAWLED, **changes))
    assert len(str(dropped.value)) < 300, "the reason never quotes a long value"
    assert crawler.stats is not None
    assert crawler.stats.get_value(f"newscrawl/validation/invalid_{field}") == 1
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1
    assert crawler.stats.get_value("newscrawl/validation/passed") is None


@pytest.mark.parametrize(
    "updated_at", ["2099-01-01T00:00:00+07:00", "1970-01-01T07:00:00+07:00", "besok"]
)
def test_validation_nulls_an_update_time_out_of_bounds_and_keeps_the_item(
    updated_at: str,
) -> None:
    """None of these matches the schema either: the schema check comes after the nulling."""
    crawler = get_crawler()
    item = article(crawled_at=CRAWLED, updated_at=updated_at)
    assert ValidationPipeline(crawler).process_item(item) is item
    assert item.updated_at is None
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/nulled_updated_at") == 1
    assert crawler.stats.get_value("newscrawl/validation/invalid_updated_at") is None
    assert crawler.stats.get_value("newscrawl/validation/passed") == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"published_at": "1990-01-01T00:00:00+07:00"},
        {"published_at": "2025-11-21T10:00:00+07:00"},  # crawl time + 1 day exactly
        {"updated_at": "2025-11-21T09:00:00+07:00"},
        {"updated_at": None},
        {"title": "J" * 1_000},
        {"body": "x" * 1_000_000},
    ],
)
def test_validation_passes_fields_at_their_bounds(changes: dict[str, str | None]) -> None:
    crawler = get_crawler()
    item = article(crawled_at=CRAWLED, **changes)
    assert ValidationPipeline(crawler).process_item(item) is item
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/passed") == 1


def test_validation_counts_every_invalid_field_of_an_item() -> None:
    crawler = get_crawler()
    item = article(crawled_at=CRAWLED, published_at="1900-01-01T00:00:00+07:00", title="J" * 2000)
    with pytest.raises(DropItem, match=r"^invalid published_at .*; title has 2000 characters"):
        ValidationPipeline(crawler).process_item(item)
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/invalid_published_at") == 1
    assert crawler.stats.get_value("newscrawl/validation/invalid_title") == 1
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1


def test_validation_body_bound_is_a_setting() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_MAX_BODY_CHARS": 10})
    pipeline = ValidationPipeline(crawler)
    assert pipeline.process_item(article(crawled_at=CRAWLED, body="x" * 10))
    with pytest.raises(DropItem, match="NEWSCRAWL_MAX_BODY_CHARS=10"):
        pipeline.process_item(article(crawled_at=CRAWLED, body="x" * 11))
    assert pipeline.stats.get_value("newscrawl/validation/invalid_body") == 1


def test_project_settings_bound_the_body() -> None:
    from newscrawl import settings

    assert settings.NEWSCRAWL_MAX_BODY_CHARS == 1_000_000


def test_validation_bounds_compare_instants() -> None:
    """The bounds compare instants: the same instant in UTC is within them (the schema then
    wants the WIB form, below)."""
    pipeline = ValidationPipeline(get_crawler())
    assert pipeline.invalid(article(published_at="2025-11-21T03:00:00+00:00")) == {}
    assert list(pipeline.invalid(article(published_at="2025-11-21T03:00:01+00:00"))) == [
        "published_at"
    ]


def test_validation_without_crawl_time_bounds_dates_by_now() -> None:
    pipeline = ValidationPipeline(get_crawler())
    now = datetime.now(WIB)
    soon = (now + timedelta(hours=23)).replace(microsecond=0).isoformat()
    later = (now + timedelta(days=2)).replace(microsecond=0).isoformat()
    assert pipeline.invalid(article(published_at=soon, crawled_at=None)) == {}
    assert list(pipeline.invalid(article(published_at=later, crawled_at=None))) == ["published_at"]
    with pytest.raises(DropItem, match="invalid published_at"):
        pipeline.process_item(article(published_at=later, crawled_at=None))


def test_missing_fields_are_reported_before_invalid_ones() -> None:
    crawler = get_crawler()
    with pytest.raises(DropItem, match=r"^missing body$"):
        ValidationPipeline(crawler).process_item(article(body=None, title="J" * 2000))
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/invalid_title") is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "http://market.bisnis.com/read/20251120/7/1/x"}, "url"),  # https only
        ({"url": "https://market.bisnis.com/read/x?page=all"}, "url"),  # no query
        ({"article_id": "1/2"}, "article_id"),
        ({"word_count": "2"}, "word_count"),  # a wrong type
        ({"word_count": 0}, "word_count"),
        ({"is_premium": "false"}, "is_premium"),
        ({"authors": "Nama Penulis"}, "authors"),
        ({"authors": ["Nama", ""]}, "authors"),
        ({"tags": [None]}, "tags"),
        ({"section": ""}, "section"),
        ({"title": "Judul\x07"}, "title"),
        ({"body": "Satu.\n\n\nDua."}, "body"),
        ({"body": "Isi\x1b[31m berita."}, "body"),
        ({"image_url": "data:image/png;base64,AAAA"}, "image_url"),
        ({"language": "ind"}, "language"),
        ({"published_at": "2025-11-20T03:00"}, "published_at"),  # no seconds, no offset
        ({"updated_at": "2025-11-20T12:00:00"}, "updated_at"),  # within bounds, no offset
        ({"crawled_at": "2025-11-20T03:00:00+00:00"}, "crawled_at"),
        ({"crawled_at": None}, "crawled_at"),
    ],
)
def test_validation_drops_item_against_the_schema(changes: dict[str, object], field: str) -> None:
    """After the bounds (and the nulling of a bad update time), the item as exported must
    match the JSON Schema: dropped and counted as ``invalid_<field>`` otherwise."""
    item = article(**changes)
    with pytest.raises(jsonschema.ValidationError):
        validate(item_record(item))  # the test suite's validator agrees
    crawler = get_crawler()
    with pytest.raises(DropItem, match=f"^invalid {field} breaks the schema: ") as dropped:
        ValidationPipeline(crawler).process_item(item)
    assert len(str(dropped.value)) < 300, "the reason never quotes a long value"
    assert crawler.stats is not None
    assert crawler.stats.get_value(f"newscrawl/validation/invalid_{field}") == 1
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1
    assert crawler.stats.get_value("newscrawl/validation/passed") is None


def test_schema_failure_without_a_field_is_invalid_item() -> None:
    """A record with a field the schema does not know (or without one it requires) names no
    field: ``invalid_item``. Items never carry such records (``item_record`` has exactly the
    item's fields), so this is checked on the record."""
    record = item_record(article())
    assert schema_violation(record) is None
    name, why = schema_violation({**record, "author": "Nama"}) or ("", "")
    assert name == "item" and "author" in why
    without = {k: v for k, v in record.items() if k != "lead"}
    assert (schema_violation(without) or ("",))[0] == "item"


def test_schema_failure_of_an_item_counts_as_invalid_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline counts a schema failure that names no field as ``invalid_item``."""
    monkeypatch.setattr(
        "newscrawl.pipelines.item_record", lambda item: {**item_record(item), "extra": 1}
    )
    crawler = get_crawler()
    with pytest.raises(DropItem, match=r"^invalid item breaks the schema: .*extra"):
        ValidationPipeline(crawler).process_item(article())
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/invalid_item") == 1
    assert crawler.stats.get_value("newscrawl/validation/dropped") == 1


def test_schema_is_compiled_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[object] = []
    compile_schema = fastjsonschema.compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args[0])
        return compile_schema(*args, **kwargs)

    monkeypatch.setattr(fastjsonschema, "compile", counting)
    schema_validator.cache_clear()
    for n in range(3):
        pipeline = ValidationPipeline(get_crawler())
        assert pipeline.process_item(article(article_id=str(n)))
    assert len(compiled) == 1


def test_schema_body_bound_follows_the_setting() -> None:
    """The schema holds the default body bound; a larger NEWSCRAWL_MAX_BODY_CHARS is obeyed."""
    pipeline = ValidationPipeline(
        get_crawler(settings_dict={"NEWSCRAWL_MAX_BODY_CHARS": 1_000_010})
    )
    assert pipeline.process_item(article(body="x" * 1_000_005))


def reference_items() -> list[dict[str, object]]:
    """Every site's expected items (the full item contract; the generic fixtures' partial
    ones are not), each with a crawl time (its latest date, UTC)."""
    items = []
    for path in sorted(FIXTURES / slug / "expected.jsonl" for slug in all_sites()):
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            times = [iso_datetime(item[name]) for name in ("published_at", "updated_at")]
            latest = max(time for time in times if time is not None)
            crawled = latest.astimezone(UTC).isoformat().replace("+00:00", "Z")
            items.append({**item, "crawled_at": crawled})
    return items


def test_reference_items_pass_the_schema_and_the_validation() -> None:
    items = reference_items()
    assert {item["site"] for item in items} >= {"bisnis.com", "kompas.com"}
    crawler = get_crawler()
    pipeline = ValidationPipeline(crawler)
    for record in items:
        assert schema_violation(record) is None, record["article_id"]
        validate(record)
        item = ArticleItem(**{name: record[name] for name in FIELD_NAMES})  # type: ignore[arg-type]
        assert pipeline.process_item(item) is item
        assert item_record(item) == record
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/passed") == len(items)
    assert crawler.stats.get_value("newscrawl/validation/dropped") is None


def run_in(tmp_path: Path) -> Run:
    state = SQLiteState(tmp_path / "bisnis" / "state.sqlite3")
    started = datetime(2025, 11, 20, 10, 0, tzinfo=WIB)
    feed = FeedWriter(tmp_path / "bisnis" / "2025-11-20" / "100000.jsonl")
    return Run("bisnis", tmp_path, started, lock_for(tmp_path, "bisnis"), state, feed)


def crawler_for(run: Run) -> Crawler:
    crawler = get_crawler()
    run.attach(crawler)
    return crawler


def test_the_run_pipelines_are_off_without_a_run() -> None:
    """Scrapy's tools (``scrapy parse --pipelines``, ...) have no run: nothing to dedup against
    or export to."""
    for pipeline in (DedupPipeline, ExportPipeline):
        with pytest.raises(NotConfigured):
            pipeline.from_crawler(get_crawler())


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


class _Forwarding(MemoryStatsCollector):
    """A collector of its own counting: every increment must reach it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.increments: list[str] = []

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        self.increments.append(key)
        super().inc_value(key, count, start)


@pytest.mark.parametrize("own_collector", [False, True])
def test_coverage_counts_reach_any_stats_collector(tmp_path: Path, own_collector: bool) -> None:
    run = run_in(tmp_path)
    crawler = get_crawler(settings_dict={"STATS_CLASS": _Forwarding} if own_collector else {})
    run.attach(crawler)
    export = ExportPipeline(crawler)
    for n in range(3):
        export.process_item(article(article_id=str(n), body=f"Isi {n}.", lead="L.", tags=["a"]))
    run.feed.close()
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/coverage/lead") == 3
    assert crawler.stats.get_value("newscrawl/coverage/tags") == 3
    if isinstance(crawler.stats, _Forwarding):
        assert crawler.stats.increments.count("newscrawl/coverage/lead") == 3
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


class _GenericSpider:
    """What the pipelines ask of the ``news`` spider: undated articles go out, health is
    judged site by site."""

    allows_undated = True
    page_times = True
    per_site_health = True

    @staticmethod
    def site_of(url: str) -> str:
        return "sorotrakyat.id"


def test_an_undated_item_passes_for_the_news_spider_only() -> None:
    """``published_at`` null: exported by ``news`` (schema-valid), dropped as
    ``missing_published_at`` for a site spider."""
    undated = article(published_at=None)
    crawler = get_crawler()
    with pytest.raises(DropItem, match="published_at"):
        ValidationPipeline(crawler).process_item(undated)
    generic = get_crawler()
    generic.spider = _GenericSpider()  # type: ignore[assignment]
    assert ValidationPipeline(generic).process_item(article(published_at=None)).published_at is None
    validate(item_record(article(published_at=None)))
    assert generic.stats is not None
    assert generic.stats.get_value("newscrawl/validation/missing_published_at") is None
    assert generic.stats.get_value("newscrawl/validation/passed") == 1


def test_invalid_fields_are_counted_per_site_for_the_news_spider() -> None:
    crawler = get_crawler()
    crawler.spider = _GenericSpider()  # type: ignore[assignment]
    with pytest.raises(DropItem):
        ValidationPipeline(crawler).process_item(article(site=None, title="J" * 1_001))
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/validation/invalid_title") == 1
    assert crawler.stats.get_value("newscrawl/sites/sorotrakyat.id/validation/invalid_title") == 1


def test_a_duplicate_is_dropped_as_such(tmp_path: Path) -> None:
    """The dedup pipeline's drops say the article is already exported (``Duplicate``): a
    given article found exported before is no lost article."""
    from newscrawl.pipelines import Duplicate

    pipeline = DedupPipeline(crawler_for(run_in(tmp_path)))
    pipeline.process_item(article())
    with pytest.raises(Duplicate):
        pipeline.process_item(article())
    with pytest.raises(Duplicate):
        pipeline.process_item(article(article_id="2", url="https://bandung.bisnis.com/read/x"))
    with pytest.raises(DropItem) as dropped:
        ValidationPipeline(get_crawler()).process_item(article(title=None))
    assert not isinstance(dropped.value, Duplicate)


@pytest.mark.parametrize(
    "changes",
    [
        {"published_at": "2025-11-20T03:00:00+00:00"},
        {"published_at": "2025-11-20T04:00:00+01:00"},
        {"published_at": "2025-11-20"},
        {"updated_at": "2025-11-20T13:00:00+09:00"},
    ],
)
def test_times_are_in_wib_for_the_site_spiders_and_as_the_page_gives_them_for_news(
    changes: dict[str, str],
) -> None:
    """A site spider's times are in WIB: any other form is dropped (``invalid_<field>``).
    The ``news`` spider keeps a page's own offset, and a date alone when the page shows no
    time: the schema allows both."""
    [(field, value)] = changes.items()
    item = article(**changes)
    validate(item_record(item))
    crawler = get_crawler()
    with pytest.raises(DropItem, match=f"^invalid {field} .* is not a time in WIB"):
        ValidationPipeline(crawler).process_item(article(**changes))
    assert crawler.stats is not None
    assert crawler.stats.get_value(f"newscrawl/validation/invalid_{field}") == 1
    generic = get_crawler()
    generic.spider = _GenericSpider()  # type: ignore[assignment]
    assert getattr(ValidationPipeline(generic).process_item(item), field) == value


def test_the_scraped_record_is_made_only_when_a_handler_keeps_it() -> None:
    """Scrapy's "Scraped from" record (DEBUG) of each item is made only when a handler would
    keep it: at LOG_LEVEL INFO (the default) every one was made and dropped."""
    formatter = LogFormatter()
    spider = get_crawler(settings_dict={}).spidercls("x")
    item = article()
    handler = logging.Handler(logging.INFO)
    root = logging.getLogger()
    old_level, old_handlers = root.level, root.handlers[:]
    root.handlers = [handler]
    root.setLevel(logging.DEBUG)
    try:
        assert not heard(SCRAPER_LOGGER, logging.DEBUG)
        assert heard(SCRAPER_LOGGER, logging.INFO)
        assert formatter.scraped(item, None, spider) is None
        handler.setLevel(logging.DEBUG)
        scraped = formatter.scraped(item, None, spider)
        assert scraped is not None and scraped["level"] == logging.DEBUG
        root.setLevel(logging.INFO)  # the logger itself drops DEBUG records
        assert formatter.scraped(item, None, spider) is None
        root.handlers = []  # no handler: logging's last resort keeps WARNING and above
        assert not heard(SCRAPER_LOGGER, logging.INFO)
        assert heard(SCRAPER_LOGGER, logging.WARNING)
    finally:
        root.handlers = old_handlers
        root.setLevel(old_level)
