"""The ledger's tables named entry by entry (every failure class: remembered, final, retried
here; every download error and status it names) and every handler of its signals, so that a
slip in a refactor fails a test."""

from __future__ import annotations

import logging
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydispatch import dispatcher
from scrapy import signals
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl import ledger as ledger_module
from newscrawl.feeds import FeedWriter
from newscrawl.items import REQUIRED_FIELDS, ArticleItem
from newscrawl.ledger import (
    FINAL_FAILURES,
    REMEMBERED_FAILURES,
    RETRIED_HERE,
    Ledger,
    failure_reason,
    response_reason,
)
from newscrawl.middlewares import SkipRequest
from newscrawl.processors import WIB
from newscrawl.run import Run
from newscrawl.sites import kompas
from newscrawl.state import SQLiteState, lock_for

ARTICLE = "https://money.kompas.com/read/2025/11/20/082227227/rupiah"
ARTICLE_ID = "20251120082227227"
OTHER = "https://money.kompas.com/read/2025/11/20/000000002/berita"
OTHER_ID = "20251120000000002"
INDEX_PAGE = "https://indeks.kompas.com/?site=all&date=2025-11-20&page=2"
DAY = "2025-11-20/all"

#: Every skip reason the spiders and middlewares give.
REASONS = [
    "not_found",
    "blocked",
    "too_large",
    "too_many_pages",
    "duplicate",
    "timeout",
    "rate_limited",
    "http_500",
    "corrupt_body",
    "truncated",
    "robots",
    "ignored",
    "download_error",
    "offsite",
    "offsite_redirect",
    "redirect_loop",
    "host_unreachable",
    "spider_error",
    "no_body",
    "index_timeout",
]


def a_run(tmp_path: Path) -> tuple[Ledger, Run]:
    """A ledger with a run whose state would remember any reason it is handed."""
    crawler = get_crawler()
    run = Run(
        "kompas",
        tmp_path,
        datetime(2025, 11, 20, 23, 0, tzinfo=WIB),
        lock_for(tmp_path, "kompas"),
        SQLiteState(Path(":memory:"), {r: timedelta(hours=1) for r in REASONS}),
        FeedWriter(tmp_path / "kompas" / "feed.jsonl"),
    )
    run.attach(crawler)
    return Ledger.for_site(crawler, kompas.SITE), run


def stat(ledger: Ledger, name: str) -> int:
    assert ledger.crawler.stats is not None
    value: int = ledger.crawler.stats.get_value(f"newscrawl/{name}", 0)
    return value


def checkpointed(run: Run) -> list[str]:
    path = run.feed.final.with_name(run.feed.final.name + ".indexes")
    if not path.exists():
        return []
    return [line.split("\t")[0] for line in path.read_text("utf-8").splitlines()]


# -- the failure classes --------------------------------------------------------------------


def test_the_failure_classes_are_these() -> None:
    assert REMEMBERED_FAILURES == ("not_found", "blocked", "too_large", "too_many_pages")
    assert FINAL_FAILURES == ("not_found", "duplicate")
    assert RETRIED_HERE == ("corrupt_body",)


@pytest.mark.parametrize("reason", REASONS)
def test_each_reason_is_remembered_or_not_and_final_or_not(reason: str, tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, DAY)
    ledger.skip(reason, ARTICLE)
    assert stat(ledger, f"skipped/{reason}") == 1
    remembered = reason in ("not_found", "blocked", "too_large", "too_many_pages")
    assert run.state.in_backoff(ARTICLE_ID) == (reason if remembered else None)
    final = reason in ("not_found", "duplicate")
    assert run.incomplete_indexes == (set() if final else {DAY})
    assert ARTICLE_ID not in ledger.listed_on  # finished either way


@pytest.mark.parametrize("reason", REMEMBERED_FAILURES)
def test_archive_captures_remember_no_failure(reason: str, tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.remembers_failures = False
    ledger.listed(ARTICLE_ID, DAY)
    ledger.skip(reason, ARTICLE)
    assert run.state.in_backoff(ARTICLE_ID) is None
    assert stat(ledger, f"skipped/{reason}") == 1


def test_a_skip_of_no_article_remembers_nothing_and_keeps_its_index_open(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.skip("blocked", INDEX_PAGE)
    assert run.incomplete_indexes == {DAY}
    assert not run.state._pending


def test_a_skip_is_logged_with_its_url_reason_and_detail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger, _ = a_run(tmp_path)
    with caplog.at_level(logging.INFO, logger="kompas"):
        ledger.skip("blocked", ARTICLE, "HTTP 403")
        ledger.skip("timeout", OTHER)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("kompas", logging.INFO, f"Skipped {ARTICLE} (blocked: HTTP 403)"),
        ("kompas", logging.INFO, f"Skipped {OTHER} (timeout)"),
    ]


# -- download errors and statuses ----------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (SkipRequest("host_unreachable", "robots larger than maxsize"), "host_unreachable"),
        (IgnoreRequest("Forbidden by ROBOTS.txt"), "robots"),
        (IgnoreRequest("robots.txt: larger than"), "robots"),
        (IgnoreRequest("Cancelling download: Larger Than 1000"), "too_large"),
        (IgnoreRequest("MAXSIZE reached"), "too_large"),
        (IgnoreRequest(), "ignored"),
        (DownloadCancelledError(), "too_large"),
        (ValueError("over the download maxsize (1000)"), "too_large"),
        (DownloadTimeoutError("took longer than 180 seconds"), "timeout"),
        (TwistedTimeoutError(), "timeout"),
        (TwistedTimeoutError("maxsize"), "too_large"),
        (ResponseDataLossError(), "truncated"),
        (ResponseDataLossError("cannot decompress"), "truncated"),
        (zlib.error("bad"), "corrupt_body"),
        (EOFError(), "corrupt_body"),
        (ValueError("could not DECOMPRESS the body"), "corrupt_body"),
        (ValueError("larger than"), "download_error"),
        (ConnectionRefusedError("robots"), "download_error"),
        (None, "download_error"),
    ],
)
def test_each_download_error_has_its_reason(error: BaseException | None, reason: str) -> None:
    assert failure_reason(error) == reason


@pytest.mark.parametrize(
    ("status", "headers", "body", "reason"),
    [
        (404, {}, b"<html></html>", "not_found"),
        (410, {}, b"<html></html>", "not_found"),
        (429, {}, b"<html></html>", "rate_limited"),
        (429, {"cf-mitigated": "challenge"}, b"<html></html>", "blocked"),
        (401, {}, b"<html></html>", "blocked"),
        (403, {}, b"<html></html>", "blocked"),
        (503, {"cf-mitigated": "challenge"}, b"<html></html>", "blocked"),
        (503, {}, b"<html></html>", "http_503"),
        (500, {}, b"<html></html>", "http_500"),
        (402, {}, b"<html></html>", "http_402"),
        (400, {}, b"<html></html>", "http_400"),
        (200, {"cf-mitigated": "CHALLENGE"}, b"<html></html>", "blocked"),
    ],
)
def test_each_status_has_its_reason(
    status: int, headers: dict[str, str], body: bytes, reason: str
) -> None:
    response = HtmlResponse(ARTICLE, status=status, headers=headers, body=body)
    assert response_reason(response) == reason


# -- one ledger a crawl, its signals --------------------------------------------------------


def test_one_ledger_a_crawl() -> None:
    crawler = get_crawler()
    first = Ledger.for_site(crawler, kompas.SITE)
    assert Ledger.for_site(crawler, kompas.SITE) is first
    assert Ledger.open(crawler, "x", lambda url: None, lambda url: None) is first
    assert Ledger.for_site(get_crawler(), kompas.SITE) is not first
    assert first.logger.name == "kompas" and first.crawler is crawler
    assert first.remembers_failures is True
    assert first.article_id(ARTICLE) == ARTICLE_ID
    assert first.index_key(ARTICLE) is None
    assert first.index_key(INDEX_PAGE) == DAY
    fresh = Ledger(crawler, "n", lambda url: "i", lambda url: "k")
    assert (fresh.listed_on, fresh.pending, fresh.checkpointed, fresh.listed_as) == (
        {},
        {},
        set(),
        {},
    )


def test_the_ledger_hears_its_signals(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    send = ledger.crawler.signals.send_catch_log
    for article, key in ((ARTICLE_ID, DAY), (OTHER_ID, "2025-11-21/all"), ("3", "d3")):
        ledger.listed(article, key)
        ledger.waits_for(key, article)
        ledger.index_complete(key)
    item = ArticleItem(article_id=ARTICLE_ID)
    send(signals.item_scraped, item=item, response=None, spider=None)
    dropped = ArticleItem(article_id=OTHER_ID)
    send(signals.item_dropped, item=dropped, response=None, spider=None, exception=DropItem("x"))
    assert checkpointed(run) == [DAY, "2025-11-21/all"]
    failure = Failure(ValueError("pipeline"))
    item = ArticleItem(article_id="3")
    send(signals.item_error, item=item, response=None, spider=None, failure=failure)
    assert run.incomplete_indexes == {"d3"}
    send(signals.request_dropped, request=Request(INDEX_PAGE), spider=None)
    assert run.incomplete_indexes == {"d3", DAY}
    # spider_error's handler takes no **kwargs: its connection is looked up (mutmut's
    # trampolines would take the signal's own arguments)
    receivers = dispatcher.liveReceivers(
        dispatcher.getAllReceivers(ledger.crawler.signals.sender, signals.spider_error)
    )
    assert ledger.spider_error in list(receivers)


def test_count() -> None:
    ledger = Ledger.for_site(get_crawler(), kompas.SITE)
    ledger.count("x/y")
    ledger.count("x/y", 3)
    assert stat(ledger, "x/y") == 4


# -- indexes --------------------------------------------------------------------------------


def test_waiting_and_finishing(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.waits_for(DAY, "a")
    ledger.waits_for(DAY, "b")
    assert ledger.pending == {DAY: {"a", "b"}} and run.unsettled_indexes == {DAY}
    ledger.done_with(DAY, "zzz")  # not waited for
    ledger.done_with(None, "a")
    assert ledger.pending == {DAY: {"a", "b"}}
    ledger.done_with(DAY, "a")
    assert ledger.pending == {DAY: {"b"}} and run.unsettled_indexes == {DAY}
    ledger.done_with(DAY, "b")
    assert run.unsettled_indexes == set()
    assert checkpointed(run) == []  # not paged to its end
    ledger.index_complete(DAY)
    assert checkpointed(run) == [DAY] and DAY not in ledger.pending
    assert ledger.checkpointed == {DAY}


def test_an_index_with_something_left_over_never_settles(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.index_incomplete(DAY)
    ledger.index_complete(DAY)
    assert run.completed_indexes == {DAY} and checkpointed(run) == []
    ledger.settle(DAY)
    assert checkpointed(run) == [] and ledger.checkpointed == set()


def test_an_index_settles_once(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.index_complete(DAY)
    ledger.settle(DAY)
    ledger.index_complete(DAY)
    assert checkpointed(run) == [DAY]


def test_an_article_finishes_once_under_its_listing(tmp_path: Path) -> None:
    ledger, _ = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, DAY)
    ledger.waits_for(DAY, ARTICLE_ID)
    ledger.waits_for(DAY, OTHER_ID)
    ledger.index_complete(DAY)
    ledger.article_done(None)
    ledger.article_done(OTHER_ID)  # listed nowhere: finishes nothing
    assert ledger.pending[DAY] == {ARTICLE_ID, OTHER_ID}
    ledger.article_done(ARTICLE_ID)
    assert ARTICLE_ID not in ledger.listed_on and ledger.pending[DAY] == {OTHER_ID}


def test_item_done_without_an_id_does_nothing(tmp_path: Path) -> None:
    ledger, _ = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, DAY)
    ledger.item_done(object())
    ledger.item_done(ArticleItem())
    assert ledger.listed_on == {ARTICLE_ID: DAY}


def test_a_failed_item_keeps_its_index_incomplete(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    failure = Failure(ValueError("x"))
    ledger.listed(ARTICLE_ID, DAY)
    ledger.item_failed(ArticleItem(article_id=ARTICLE_ID), None, failure)
    assert run.incomplete_indexes == {DAY} and ARTICLE_ID not in ledger.listed_on
    # an item listed under another id (a redirect) counts under that one
    ledger.listed("origin", "d2")
    ledger.listed_as[OTHER_ID] = "origin"
    ledger.item_failed(ArticleItem(article_id=OTHER_ID), None, failure)
    assert run.incomplete_indexes == {DAY, "d2"} and not ledger.listed_as
    # an item listed nowhere: the index of the response's page
    response = HtmlResponse(INDEX_PAGE.replace("2025-11-20", "2025-11-22"), body=b"")
    ledger.item_failed(ArticleItem(article_id="9"), response, failure)
    assert "2025-11-22/all" in run.incomplete_indexes
    before = set(run.incomplete_indexes)
    ledger.item_failed(object(), None, failure)
    assert run.incomplete_indexes == before


def test_a_dropped_request_keeps_its_index_incomplete(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, DAY)
    ledger.waits_for(DAY, ARTICLE_ID)
    ledger.request_dropped(Request(ARTICLE + "?page=2"))
    assert run.incomplete_indexes == {DAY}
    assert ARTICLE_ID not in ledger.listed_on and ledger.pending[DAY] == set()
    ledger.request_dropped(object())  # no URL: the index of "" is the site's "/all"
    assert run.incomplete_indexes == {DAY, "/all"}


def test_a_spider_error_counts_under_the_url_asked_for(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, DAY)
    failure = Failure(ValueError("x"))
    request = Request(OTHER, meta={"redirect_urls": [ARTICLE]})
    ledger.spider_error(failure, HtmlResponse(OTHER, body=b"", request=request), None)
    assert stat(ledger, "skipped/spider_error") == 1
    assert run.incomplete_indexes == {DAY} and ARTICLE_ID not in ledger.listed_on
    ledger.listed(OTHER_ID, "d2")
    ledger.spider_error(failure, HtmlResponse(OTHER, body=b""), None)
    assert run.incomplete_indexes == {DAY, "d2"} and OTHER_ID not in ledger.listed_on
    ledger.spider_error(failure, None, None)
    assert stat(ledger, "skipped/spider_error") == 3


def test_unfinished_prefers_the_index_that_listed_the_article(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.listed(ARTICLE_ID, "listed-here")
    ledger.unfinished(ARTICLE)
    assert run.incomplete_indexes == {"listed-here"}
    ledger.unfinished(OTHER)  # an article listed nowhere has no index
    assert run.incomplete_indexes == {"listed-here"}
    ledger.unfinished(INDEX_PAGE)
    assert run.incomplete_indexes == {"listed-here", DAY}


# -- article pages --------------------------------------------------------------------------


@pytest.mark.parametrize("missing", REQUIRED_FIELDS)
def test_each_missing_required_field_is_counted(missing: str) -> None:
    ledger = Ledger.for_site(get_crawler(), kompas.SITE)
    values = {
        "url": ARTICLE,
        "article_id": ARTICLE_ID,
        "title": "T",
        "published_at": "2025-11-20T06:00:00+07:00",
        "body": "B",
    }
    values[missing] = ""
    ledger.article_read(ArticleItem(**values))
    assert stat(ledger, "health/article_pages") == 1
    for name in REQUIRED_FIELDS:
        assert stat(ledger, f"health/missing_{name}") == (name == missing)


def test_learned_lines_go_to_the_run(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.remember_learned("warta.example", [])
    assert run.learned == {}
    ledger.remember_learned("warta.example", ["A", "B", "A"])
    ledger.remember_learned("warta.example", ["B"])
    assert run.learned == {"warta.example": {"A": 2, "B": 2}}
    ledger.forget_learned("warta.example", ["a", "c"])
    assert run.learned == {"warta.example": {"B": 2}}


def _page(url: str = ARTICLE) -> kompas.KompasArticlePage:
    body = b"<html><body><h1 class='read__title'>T</h1></body></html>"
    return kompas.KompasArticlePage(HtmlResponse(url, body=body))


def test_an_exported_article_under_its_own_url_is_no_alias(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.article_exported(_page(), ARTICLE, ArticleItem(article_id=ARTICLE_ID))
    ledger.article_exported(_page(), INDEX_PAGE, ArticleItem(article_id=ARTICLE_ID))
    ledger.article_exported(_page(), OTHER, ArticleItem(article_id=""))
    assert run.aliases == [] and ledger.listed_as == {}
    assert stat(ledger, "layout/kompas/read-2025") == 3


def test_an_exported_article_reached_by_a_redirect_is_an_alias(tmp_path: Path) -> None:
    ledger, run = a_run(tmp_path)
    ledger.article_exported(_page(), OTHER, ArticleItem(article_id=ARTICLE_ID))
    assert run.aliases == [(OTHER_ID, OTHER, ARTICLE_ID)]
    assert ledger.listed_as == {ARTICLE_ID: OTHER_ID}


def test_the_ledger_module_exports_what_the_spiders_use() -> None:
    for name in ("FINAL_FAILURES", "RETRIED_HERE", "Ledger", "failure_reason", "response_reason"):
        assert hasattr(ledger_module, name)


# -- health judged site by site (the news spider) --------------------------------------------


def test_counts_go_to_the_site_of_their_url_too() -> None:
    crawler = get_crawler()
    sites = {"https://a.example/x": "a.example", "https://b.example/y": ""}
    ledger = Ledger.open(crawler, "news", lambda url: None, lambda url: None,
                         site_of=sites.__getitem__, optional=("published_at",))  # fmt: skip
    assert ledger.site_of is not None and ledger.optional == ("published_at",)
    ledger.count("health/article_pages", 2, url="https://a.example/x")
    ledger.count("health/article_pages", url="https://b.example/y")  # no site: the run's only
    ledger.count("health/article_pages")
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/health/article_pages") == 4
    assert crawler.stats.get_value("newscrawl/sites/a.example/health/article_pages") == 2
    assert [k for k in crawler.stats.get_stats() if "/sites/" in k] == [
        "newscrawl/sites/a.example/health/article_pages"
    ]


def test_without_sites_nothing_is_counted_by_site() -> None:
    ledger = Ledger.for_site(get_crawler(), kompas.SITE)
    assert ledger.site_of is None and ledger.optional == ()
    ledger.count("x", url=ARTICLE)
    assert ledger.crawler.stats is not None
    assert list(ledger.crawler.stats.get_stats()) == ["newscrawl/x"]


def test_an_article_page_is_counted_for_its_site_and_an_optional_field_is_not_missing() -> None:
    crawler = get_crawler()
    ledger = Ledger.open(crawler, "news", lambda url: None, lambda url: None,
                         site_of=lambda url: url.split("/")[2] if url else "",
                         optional=("published_at",))  # fmt: skip
    ledger.article_read(ArticleItem(url="https://a.example/1", title="T"))
    ledger.article_read(ArticleItem(title="T"))  # no URL: no site
    assert crawler.stats is not None
    counted = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("newscrawl/")}
    assert counted == {
        "newscrawl/health/article_pages": 2,
        "newscrawl/health/missing_url": 1,
        "newscrawl/health/missing_article_id": 2,
        "newscrawl/health/missing_body": 2,
        "newscrawl/sites/a.example/health/article_pages": 1,
        "newscrawl/sites/a.example/health/missing_article_id": 1,
        "newscrawl/sites/a.example/health/missing_body": 1,
    }


def test_a_layout_is_counted_for_the_site_of_the_item_or_its_origin() -> None:
    crawler = get_crawler()
    ledger = Ledger.open(crawler, "news", lambda url: None, lambda url: None,
                         site_of=lambda url: url.split("/")[2])  # fmt: skip
    page = _page()
    ledger.article_exported(
        page, "https://origin.example/1", ArticleItem(url="https://a.example/1")
    )
    ledger.article_exported(page, "https://origin.example/2", ArticleItem())
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/sites/a.example/layout/kompas/read-2025") == 1
    assert crawler.stats.get_value("newscrawl/sites/origin.example/layout/kompas/read-2025") == 1


def test_a_remembered_failure_keeps_its_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, run = a_run(tmp_path)
    recorded: list[tuple[str, str, str]] = []
    monkeypatch.setattr(run.state, "record_failure", lambda *args: recorded.append(args))
    ledger.skip("blocked", ARTICLE)
    assert recorded == [(ARTICLE_ID, ARTICLE, "blocked")]
