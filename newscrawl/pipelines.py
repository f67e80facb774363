"""Item pipelines, one job each, in this order: boilerplate, validation, dedup, export.

Each counts what it does in the crawl stats as ``newscrawl/<component>/<event>`` and drops
items with ``DropItem("why")``. The validation pipeline checks every item against the JSON
Schema of the export (``newscrawl/schema/article.schema.json``). The export pipeline writes the
run's own crash-safe feed; Scrapy's FEEDS (``-o``/``-O``) still work beside it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Self

import fastjsonschema
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import _schedule_coro

from newscrawl.boilerplate import SHARED_RULES, Rule, filter_paragraphs
from newscrawl.feeds import exported_of
from newscrawl.health import MAX_ARTICLES, site_stat
from newscrawl.items import (
    COVERAGE_FIELDS,
    EARLIEST_DATE,
    FIELD_NAMES,
    FUTURE_DATE_SLACK,
    MAX_TITLE_CHARS,
    REQUIRED_FIELDS,
    ArticleItem,
    item_record,
)
from newscrawl.processors import count_words, iso_datetime
from newscrawl.run import Run
from newscrawl.sites import DEFAULT_SITE_MODULES, registered
from newscrawl.state import DUPLICATE_CONTENT, EXPORTED

logger = logging.getLogger(__name__)

PARAGRAPH_SEPARATOR = "\n\n"
#: ``NEWSCRAWL_MAX_BODY_CHARS`` when the settings have none.
DEFAULT_MAX_BODY_CHARS = 1_000_000
#: Dates an item may carry: from EARLIEST_DATE to this long after the crawl.
EARLIEST_TIME = datetime.fromisoformat(EARLIEST_DATE)
#: The stat of each field of ``COVERAGE_FIELDS``: items exported with a value in it.
COVERAGE_STATS = {name: f"newscrawl/coverage/{name}" for name in COVERAGE_FIELDS}
#: The exported record's JSON Schema.
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "article.schema.json"
#: The stat (``invalid_item``) of a schema failure that names no field (an unknown field).
WHOLE_ITEM = "item"
#: A schema failure's message is cut here in the DropItem reason.
MAX_REASON_CHARS = 200
#: The times of a site spider's items: ISO 8601 to the second, in WIB. The schema also allows
#: what the ``news`` spider writes (a page's own offset, a date alone): see
#: :attr:`ValidationPipeline.page_times`.
WIB_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


@cache
def schema_validator(max_body_chars: int) -> Callable[[Any], Any]:
    """The JSON Schema of an exported record compiled to Python (fastjsonschema), once per
    process: it raises ``fastjsonschema.JsonSchemaValueException`` at the first rule a record
    breaks. The body's ``maxLength`` is ``NEWSCRAWL_MAX_BODY_CHARS`` (the schema holds its
    default)."""
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    schema["properties"]["body"]["maxLength"] = max_body_chars
    validator: Callable[[Any], Any] = fastjsonschema.compile(schema, use_default=False)
    return validator


def schema_violation(
    record: dict[str, Any], max_body_chars: int = DEFAULT_MAX_BODY_CHARS
) -> tuple[str, str] | None:
    """The field whose value breaks the JSON Schema (``item`` when the rule is about the
    record itself, e.g. a field the schema does not know) and why; None for a valid record."""
    try:
        schema_validator(max_body_chars)(record)
    except fastjsonschema.JsonSchemaValueException as error:
        path = error.path
        name = path[1] if len(path) > 1 and path[1] in FIELD_NAMES else WHOLE_ITEM
        message = error.message
        if len(message) > MAX_REASON_CHARS:
            message = message[: MAX_REASON_CHARS - 3] + "..."
        return name, message
    return None


class Duplicate(DropItem):
    """An item dropped because its article is already exported (by id or by content): what
    the user asked for is in the feeds."""


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

    def count_each(self, keys: Iterable[str]) -> None:
        """Each stat of ``keys`` counted once, as ``inc_value`` counts it. Scrapy's own
        collector is asked for its stats once for all of them (each of its calls costs some
        3 µs behind its argument checks); another collector counts them one by one."""
        if type(self.stats).inc_value is not StatsCollector.inc_value:
            for key in keys:
                self.stats.inc_value(key)
            return
        stats = self.stats.get_stats()
        for key in keys:
            stats[key] = stats.setdefault(key, 0) + 1

    @property
    def spider(self) -> Any:
        """The crawl's spider; None before it is made, or for a stand-in crawler without one
        (``newscrawl extract`` runs the pipelines on settings and stats alone)."""
        return getattr(self.crawler, "spider", None)


class BoilerplatePipeline(_Counting):
    """Drops promo and boilerplate paragraphs from the body by the ordered rules of the item's
    site (its module's ``promo_rules``, then the shared ones; the shared ones alone for a site
    without a module); counts each drop as ``newscrawl/boilerplate/<site>/<rule>``."""

    component = "boilerplate"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        modules = crawler.settings.getlist("NEWSCRAWL_SITE_MODULES") or DEFAULT_SITE_MODULES
        self.rules: dict[str, tuple[Rule, ...]] = {
            site.domain: site.rules() for site in registered(modules).values()
        }

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if not item.body:
            return item
        rules = self.rules.get(item.site or "", SHARED_RULES)
        cleaned = filter_paragraphs(item.body.split(PARAGRAPH_SEPARATOR), rules)
        if cleaned.dropped:
            for rule_name in cleaned.dropped:
                self.count(f"{item.site or 'unknown'}/{rule_name}")
            item.body = PARAGRAPH_SEPARATOR.join(cleaned.kept) or None
            item.word_count = count_words(item.body or "")
        return item


class ValidationPipeline(_Counting):
    """Drops items missing a required field (url, article_id, title, published_at, body),
    counted as ``missing_<field>`` (an undated item of a spider that ``allows_undated``, the
    ``news`` spider, keeps its null ``published_at``), and items with a field out of bounds,
    counted as
    ``invalid_<field>``: ``published_at`` outside 1990-01-01 .. crawl time + 1 day (or not a
    time), a title over ``MAX_TITLE_CHARS`` (1,000) characters, a body over
    ``NEWSCRAWL_MAX_BODY_CHARS`` (1,000,000). An ``updated_at`` out of those bounds is set to
    null instead (``nulled_updated_at``). Then the item as exported must match the JSON Schema
    (:func:`schema_violation`), else it is dropped and counted as ``invalid_<field>`` of the
    field that breaks it (``invalid_item`` when none does). A site spider's times must be in
    WIB (:data:`WIB_TIME`); the ``news`` spider's keep the page's own offset, or are a date
    alone (:attr:`page_times`). Each dropped item also counts ``dropped``."""

    component = "validation"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_body_chars = crawler.settings.getint(
            "NEWSCRAWL_MAX_BODY_CHARS", DEFAULT_MAX_BODY_CHARS
        )
        schema_validator(self.max_body_chars)  # compiled now, not on the first item

    @property
    def undated_allowed(self) -> bool:
        """The crawl's spider exports undated articles (``allows_undated``: ``news``)."""
        return bool(getattr(self.spider, "allows_undated", False))

    @property
    def page_times(self) -> bool:
        """The crawl's spider writes times as pages give them (``page_times``: ``news``): the
        page's own offset, or a date alone. Else (a site spider) every time is in WIB."""
        return bool(getattr(self.spider, "page_times", False))

    def count_invalid(self, item: ArticleItem, name: str) -> None:
        """``invalid_<name>``, for the item's site too when health is judged site by site."""
        self.count(f"invalid_{name}")
        spider = self.spider
        if getattr(spider, "per_site_health", False):
            site = item.site or getattr(spider, "site_of")(item.url or "")  # noqa: B009
            if site:
                self.stats.inc_value(site_stat(site, f"validation/invalid_{name}"))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
        if item.published_at is None and self.undated_allowed and "published_at" in missing:
            missing.remove("published_at")  # exported undated (the spider counted it)
        if missing:
            for name in missing:
                self.count(f"missing_{name}")
            self.count("dropped")
            raise DropItem(f"missing {', '.join(missing)}")
        invalid = self.invalid(item)
        if invalid.pop("updated_at", None) is not None:
            # an optional field: a bogus update time is no reason to lose the article
            self.count("nulled_updated_at")
            item.updated_at = None
        if invalid:
            for name in invalid:
                self.count_invalid(item, name)
            self.count("dropped")
            reasons = "; ".join(f"{name} {why}" for name, why in invalid.items())
            raise DropItem(f"invalid {reasons}")
        violation = schema_violation(item_record(item), self.max_body_chars)
        if violation is not None:
            name, why = violation
            self.count_invalid(item, name)
            self.count("dropped")
            raise DropItem(f"invalid {name} breaks the schema: {why}")
        if not self.page_times:
            for name in ("published_at", "updated_at"):
                value = getattr(item, name)
                if value is not None and not WIB_TIME.fullmatch(value):
                    self.count_invalid(item, name)
                    self.count("dropped")
                    raise DropItem(f"invalid {name} {value[:40]!r} is not a time in WIB (+07:00)")
        self.count("passed")
        return item

    def invalid(self, item: ArticleItem) -> dict[str, str]:
        """The fields out of bounds, each with why (never the value itself when it is long)."""
        found: dict[str, str] = {}
        crawled = iso_datetime(item.crawled_at) or datetime.now(UTC)
        latest = crawled + FUTURE_DATE_SLACK
        for name in ("published_at", "updated_at"):
            value: str | None = getattr(item, name)
            if value is None:
                continue
            time = iso_datetime(value)
            if time is None or not EARLIEST_TIME <= time <= latest:
                found[name] = (
                    f"{value[:40]!r} is not a time from {EARLIEST_DATE[:10]} to crawl time + 1 day "
                    f"({latest.isoformat()})"
                )
        if len(item.title or "") > MAX_TITLE_CHARS:
            found["title"] = f"has {len(item.title or '')} characters (at most {MAX_TITLE_CHARS})"
        if len(item.body or "") > self.max_body_chars:
            found["body"] = (
                f"has {len(item.body or '')} characters "
                f"(at most NEWSCRAWL_MAX_BODY_CHARS={self.max_body_chars})"
            )
        return found


class _OfTheRun(_Counting):
    """A pipeline that works on the run's state or feed: off without a run (Scrapy's tools)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        run = Run.of(crawler)
        if run is None:
            raise NotConfigured  # no run (Scrapy's tools): off, and no news in the log
        self.run = run


class DedupPipeline(_OfTheRun):
    """Exports each article once: by ``article_id`` (with its site, in a state that keys by
    site: :func:`~newscrawl.state.state_key`) and by content, in this run and before.

    The state is asked once per item (:meth:`~newscrawl.state.StateStore.claim`): in
    distributed mode that also claims the article for this worker's feed before it is
    written (:meth:`newscrawl.redisstate.RedisState.claim`), and one another live worker is
    writing is dropped (``claimed_elsewhere``).

    Earlier runs are the state's committed articles; this run's are kept in memory until
    its feed is committed (see :mod:`newscrawl.feeds`): at the end, or when the run publishes
    a full feed and opens another (``NEWSCRAWL_FEED_MAX_ARTICLES``), after which the state
    knows them.
    """

    component = "dedup"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ids: set[str] = set()
        self.prints: set[str] = set()
        self._feed = self.run.feed

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.run.feed is not self._feed:  # the last feed was committed: the state knows
            self.ids.clear()
            self.prints.clear()
            self._feed = self.run.feed
        state = self.run.state
        exported = exported_of(item_record(item), state.keys_by_site)
        article_id, digest = exported.article_id, exported.fingerprint
        if article_id in self.ids:
            refused: str | None = EXPORTED
        elif digest in self.prints:
            refused = DUPLICATE_CONTENT
        else:  # earlier runs (and, in distributed mode, the other workers): one script
            refused = state.claim(article_id, digest, self.run.feed_key)
        if refused == EXPORTED:
            self.count("duplicate_id")
            raise Duplicate(f"article {article_id} already exported", log_level="INFO")
        if refused == DUPLICATE_CONTENT:
            self.count("duplicate_content")
            # remembered, so that later runs do not fetch this copy again
            state.record_failure(article_id, item.url or "", "duplicate")
            raise Duplicate(
                f"article {article_id}: same title and body as an exported article",
                log_level="INFO",
            )
        if refused is not None:  # distributed mode: another worker is writing it
            self.count("claimed_elsewhere")
            raise DropItem(f"article {article_id}: {refused} by another worker", log_level="INFO")
        self.ids.add(article_id)
        self.prints.add(digest)
        self.count("unique")
        return item


class OverLimit(DropItem):
    """An item dropped because the run has exported its ``-a max_articles=N`` already (it
    was under way as the spider closed); it is fetched again by a later run."""


class ExportPipeline(_OfTheRun):
    """Appends each item to the run's crash-safe feed (published by the run report when the
    spider closes); counts field coverage (``newscrawl/coverage/<field>``) for the manifest.

    With ``-a max_articles=N`` it closes the spider (finish reason ``max_articles``, a healthy
    finish) once it has written N items, and drops the items still under way then
    (:class:`OverLimit`, counted ``export/over_limit``): the feed, and a ``-O`` file, hold
    exactly N articles. The index an item dropped so was listed on stays incomplete, so the
    next run pages it again."""

    component = "export"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        #: ``NEWSCRAWL_FEED_MAX_ARTICLES``: a feed holding this many articles is published
        #: and another opened (a long backfill's memory stays flat; 0: one feed a run).
        value = crawler.settings.getint("NEWSCRAWL_FEED_MAX_ARTICLES", 5000)
        self.max_articles = value if value > 0 else 2**62
        #: Items written by this run (all its feeds), for ``-a max_articles=N``.
        self.exported = 0
        self.closing = False

    @property
    def limit(self) -> int | None:
        """``-a max_articles=N`` of the crawl's spider (None: no bound)."""
        plan = getattr(self.spider, "plan", None)
        return getattr(plan, "max_articles", None)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        limit = self.limit
        if limit is not None and self.exported >= limit:
            self.count("over_limit")
            self.leave_for_later(item)
            raise OverLimit(f"max_articles={limit} reached", log_level="DEBUG")
        record = item_record(item)
        self.run.feed.write(record)
        self.count("written")
        self.exported += 1
        if self.run.feed.written >= self.max_articles and not self.run.rotation_failed:
            self.run.rotate()  # a long backfill: publish the full feed, open another
        if limit is not None and self.exported >= limit and not self.closing:
            self.closing = True
            logger.info("Exported %d article(s): max_articles reached, closing the spider", limit)
            engine = self.crawler.engine
            _schedule_coro(engine.close_spider_async(reason=MAX_ARTICLES))
        self.count_each(COVERAGE_STATS[name] for name in COVERAGE_FIELDS if record.get(name))
        return item

    def leave_for_later(self, item: ArticleItem) -> None:
        """The index ``item`` was listed on is not complete: the article is not exported."""
        ledger = getattr(self.spider, "ledger", None)
        if ledger is None or not item.article_id:
            return
        origin = ledger.listed_as.get(item.article_id, item.article_id)
        key = ledger.listed_on.get(origin)
        if key is not None:
            ledger.index_incomplete(key)
