"""The ledger: why pages gave no item, what the run's state remembers of them, which indexes
stay incomplete, and the health counts of article pages; unit-tested without a crawl."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from newscrawl.feeds import FeedWriter
from newscrawl.items import ArticleItem
from newscrawl.ledger import REMEMBERED_FAILURES, Ledger, failure_reason, response_reason
from newscrawl.middlewares import SkipRequest
from newscrawl.processors import WIB
from newscrawl.run import Run
from newscrawl.sites import kompas
from newscrawl.state import SQLiteState, lock_for

ARTICLE = "https://money.kompas.com/read/2025/11/20/082227227/rupiah"
ARTICLE_ID = "20251120082227227"
INDEX_PAGE = "https://indeks.kompas.com/?site=all&date=2025-11-20&page=2"


def ledger_of_a_run(tmp_path: Path) -> tuple[Ledger, Run]:
    crawler = get_crawler()
    run = Run(
        "kompas",
        tmp_path,
        datetime(2025, 11, 20, 23, 0, tzinfo=WIB),
        lock_for(tmp_path, "kompas"),
        SQLiteState(Path(":memory:"), {r: timedelta(hours=1) for r in REMEMBERED_FAILURES}),
        FeedWriter(tmp_path / "kompas" / "feed.jsonl"),
    )
    run.attach(crawler)
    return Ledger.for_site(crawler, kompas.SITE), run


def stat(ledger: Ledger, name: str) -> int:
    assert ledger.crawler.stats is not None
    value: int = ledger.crawler.stats.get_value(f"newscrawl/{name}", 0)
    return value


def test_a_remembered_failure_goes_to_the_state_and_keeps_its_index_incomplete(
    tmp_path: Path,
) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.listed(ARTICLE_ID, "2025-11-20/all")
    ledger.skip("blocked", ARTICLE, "HTTP 403")
    assert stat(ledger, "skipped/blocked") == 1
    assert run.state.in_backoff(ARTICLE_ID) == "blocked"
    assert run.incomplete_indexes == {"2025-11-20/all"}


def test_a_final_failure_leaves_its_index_complete(tmp_path: Path) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.listed(ARTICLE_ID, "2025-11-20/all")
    ledger.skip("not_found", ARTICLE)
    assert run.state.in_backoff(ARTICLE_ID) == "not_found"
    assert run.incomplete_indexes == set()


def test_a_passing_failure_is_not_remembered_but_keeps_the_index_incomplete(
    tmp_path: Path,
) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.listed(ARTICLE_ID, "2025-11-20/all")
    ledger.skip("timeout", ARTICLE)
    assert run.state.in_backoff(ARTICLE_ID) is None
    assert run.incomplete_indexes == {"2025-11-20/all"}


def test_a_failed_index_page_keeps_its_own_index_incomplete(tmp_path: Path) -> None:
    """An index with a failed page is never checkpointed, however it was paged; one paged to
    its end with nothing left over is, at once."""
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.skip("index_timeout", INDEX_PAGE)
    assert run.incomplete_indexes == {"2025-11-20/all"}
    ledger.index_complete("2025-11-20/all")
    ledger.index_complete("2025-11-21/all")
    assert checkpointed(run) == ["2025-11-21/all"]
    assert run.settled_indexes == {"2025-11-21/all"}
    run.remember_complete_indexes()
    assert run.state.index_complete("2025-11-21/all")
    assert not run.state.index_complete("2025-11-20/all")


#: Skip reasons of every kind: final, remembered, transient, refused, of an index page.
SKIP_REASONS = [
    ("not_found", "HTTP 404"),
    ("blocked", "HTTP 403"),
    ("blocked", "a challenge page"),
    ("duplicate", ""),
    ("rate_limited", "HTTP 429"),
    ("http_503", "HTTP 503"),
    ("timeout", ""),
    ("truncated", ""),
    ("too_large", ""),
    ("robots", ""),
    ("offsite_redirect", ""),
    ("no_body", ""),
    ("index_blocked", "HTTP 403"),
]


@pytest.mark.parametrize(("reason", "detail"), SKIP_REASONS)
def test_a_skipped_page_is_an_info_line_and_still_counted(
    reason: str, detail: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One page without an item never makes a run unhealthy: its line is INFO, so that a
    healthy run prints no WARNING (what must be acted on is an unhealthy run's ERROR)."""
    ledger, _ = ledger_of_a_run(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="kompas"):
        ledger.skip(reason, ARTICLE, detail)
    tail = f": {detail}" if detail else ""
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, f"Skipped {ARTICLE} ({reason}{tail})")
    ]
    assert stat(ledger, f"skipped/{reason}") == 1


def test_without_a_run_skips_are_counted_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrapy's tools crawl without a run: every call that would write to one is counted or
    ignored, and nothing reaches a file, nor the run of another crawl in the process."""
    monkeypatch.chdir(tmp_path)
    elsewhere, other_run = ledger_of_a_run(tmp_path / "other")
    files = sorted(tmp_path.rglob("*"))
    ledger = Ledger.for_site(get_crawler(), kompas.SITE)
    assert ledger.run is None and ledger is not elsewhere
    ledger.listed(ARTICLE_ID, "2025-11-20/all")
    ledger.waits_for("2025-11-20/all", ARTICLE_ID)
    ledger.skip("not_found", ARTICLE)
    ledger.skip("blocked", ARTICLE)
    ledger.index_incomplete("2025-11-20/all")
    ledger.index_complete("2025-11-20/all")
    ledger.done_with("2025-11-20/all", ARTICLE_ID)
    ledger.settle("2025-11-20/all")
    ledger.remember_learned("example.com", ["Ikuti kami."])
    ledger.forget_learned("example.com", ["Ikuti kami."])
    body = b"<html><body><h1 class='read__title'>T</h1></body></html>"
    page = kompas.KompasArticlePage(HtmlResponse(ARTICLE, body=body))
    moved = "https://money.kompas.com/read/2025/11/19/000000001/lama"
    ledger.article_exported(page, moved, ArticleItem(article_id=ARTICLE_ID))
    assert stat(ledger, "skipped/not_found") == 1 and stat(ledger, "skipped/blocked") == 1
    assert stat(ledger, "layout/kompas/read-2025") == 1
    assert ledger.checkpointed == set()
    assert sorted(tmp_path.rglob("*")) == files
    assert other_run.state.in_backoff(ARTICLE_ID) is None
    assert (other_run.completed_indexes, other_run.incomplete_indexes) == (set(), set())
    assert (other_run.unsettled_indexes, other_run.settled_indexes) == (set(), set())
    assert other_run.learned == {} and other_run.aliases == []
    assert checkpointed(other_run) == []


def test_health_counts_and_redirected_articles(tmp_path: Path) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.article_read(ArticleItem(url=ARTICLE, article_id=ARTICLE_ID, title="T"))
    assert stat(ledger, "health/article_pages") == 1
    assert stat(ledger, "health/missing_body") == 1
    assert stat(ledger, "health/missing_title") == 0
    body = b"<html><body><h1 class='read__title'>T</h1></body></html>"
    page = kompas.KompasArticlePage(HtmlResponse(ARTICLE, body=body))
    moved = "https://money.kompas.com/read/2025/11/19/000000001/lama"
    ledger.article_exported(page, moved, ArticleItem(article_id=ARTICLE_ID))
    assert stat(ledger, "layout/kompas/read-2025") == 1
    assert run.aliases == [("20251119000000001", moved, ARTICLE_ID)]


def test_learned_lines_are_listed_counted_and_forgotten(tmp_path: Path) -> None:
    """The spider says what the run remembers (the lines a page left out are counted with its
    notes, not remembered by the ledger); a line found to be an article's text is forgotten,
    whatever its case."""
    ledger, run = ledger_of_a_run(tmp_path)
    promo, copied = "Ikuti kuis redaksi.", "Harga beras naik."
    ledger.remember_learned("example.com", [promo, promo, copied])
    ledger.remember_learned("other.example", [copied])
    ledger.forget_learned("example.com", [copied.casefold()])
    ledger.forget_learned("nowhere.example", [copied])
    assert run.learned == {"example.com": {promo: 2}, "other.example": {copied: 1}}

    class Learning(kompas.KompasArticlePage):
        def learned_lines(self) -> list[str]:
            return ["Unduh aplikasi kami."]

        def notes(self) -> list[str]:
            return ["boilerplate/example.com/learned"]

    body = b"<html><body><h1 class='read__title'>T</h1></body></html>"
    page = Learning(HtmlResponse(ARTICLE, body=body))
    ledger.article_exported(page, ARTICLE, ArticleItem(site="example.com", article_id="1"))
    assert stat(ledger, "boilerplate/example.com/learned") == 1
    assert run.learned["example.com"] == {promo: 2}


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (SkipRequest("offsite_redirect", "to elsewhere.example"), "offsite_redirect"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (IgnoreRequest("Cancelling download: larger than 1000"), "too_large"),
        (IgnoreRequest("something else"), "ignored"),
        (TwistedTimeoutError(), "timeout"),
        (EOFError(), "corrupt_body"),
        (ValueError("boom"), "download_error"),
    ],
)
def test_failure_reasons(error: BaseException, reason: str) -> None:
    assert failure_reason(error) == reason


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        (404, {}, "not_found"),
        (410, {}, "not_found"),
        (429, {}, "rate_limited"),
        (403, {}, "blocked"),
        (503, {"cf-mitigated": "challenge"}, "blocked"),
        (500, {}, "http_500"),
    ],
)
def test_response_reasons(status: int, headers: dict[str, str], reason: str) -> None:
    response = HtmlResponse(ARTICLE, status=status, headers=headers, body=b"<html></html>")
    assert response_reason(response) == reason


# -- indexes settle as their articles finish ----------------------------------------------------

DAY = "2025-11-20/all"


def checkpointed(run: Run) -> list[str]:
    path = run.feed.final.with_name(run.feed.final.name + ".indexes")
    return (
        [line.split("\t")[0] for line in path.read_text("utf-8").splitlines()]
        if path.exists()
        else []
    )


def test_an_index_settles_once_paged_and_every_article_finished(tmp_path: Path) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    ledger.listed("1", DAY)
    ledger.listed("2", DAY)
    ledger.waits_for(DAY, "1")
    ledger.waits_for(DAY, "2")
    ledger.waits_for(DAY, "page:https://x/index?page=2")
    ledger.index_complete(DAY)  # its last page came first
    assert checkpointed(run) == []
    ledger.item_done(ArticleItem(article_id="1"))
    ledger.done_with(DAY, "page:https://x/index?page=2")
    assert checkpointed(run) == []  # article 2 is still under way
    ledger.item_done(ArticleItem(article_id="2"))
    assert checkpointed(run) == [DAY]
    assert run.settled_indexes == {DAY}
    ledger.item_done(ArticleItem(article_id="2"))  # once only
    assert checkpointed(run) == [DAY]


def test_an_index_with_a_failure_that_may_come_right_never_settles(tmp_path: Path) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    article = "https://money.kompas.com/read/2025/11/20/000000002/berita"
    article_id = kompas.SITE.urls.article_id(article)
    assert article_id is not None
    ledger.listed(article_id, DAY)
    ledger.waits_for(DAY, article_id)
    ledger.index_complete(DAY)
    ledger.skip("timeout", article)  # finished, but not for good
    assert ledger.pending[DAY] == set()
    assert checkpointed(run) == [] and run.settled_indexes == set()


def test_a_redirected_article_finishes_under_the_id_it_was_listed_as(tmp_path: Path) -> None:
    ledger, run = ledger_of_a_run(tmp_path)
    moved = "https://money.kompas.com/read/2025/11/19/000000001/lama"
    ledger.listed("20251119000000001", DAY)
    ledger.waits_for(DAY, "20251119000000001")
    ledger.index_complete(DAY)
    body = b"<html><body><h1 class='read__title'>T</h1></body></html>"
    page = kompas.KompasArticlePage(HtmlResponse(ARTICLE, body=body))
    ledger.article_exported(page, moved, ArticleItem(article_id=ARTICLE_ID))
    ledger.item_done(ArticleItem(article_id=ARTICLE_ID))
    assert checkpointed(run) == [DAY]


def test_settled_indexes_are_recovered_after_the_feed(tmp_path: Path) -> None:
    from newscrawl.feeds import IndexCheckpoints, recover

    state = SQLiteState(Path(":memory:"), {r: timedelta(hours=1) for r in REMEMBERED_FAILURES})
    final = tmp_path / "kompas" / "2025-11-20" / "230000.jsonl"
    at = datetime(2025, 11, 20, 23, 0, tzinfo=WIB)
    IndexCheckpoints(final).write(DAY, at)
    with final.with_name(final.name + ".indexes").open("a") as handle:
        handle.write("2025-11-21/all\t2025-11-2")  # a line the kill cut
    recover(tmp_path / "kompas", state, tmp_path)
    assert state.index_complete(DAY)
    assert state.index_completed_at(DAY) == at
    assert not state.index_complete("2025-11-21/all")
    assert not list(tmp_path.glob("kompas/*/*.indexes"))


class _Page:
    """A page that gave its item (what :meth:`Ledger.article_exported` reads of one)."""

    layout = "generic"

    def notes(self) -> list[str]:
        return []


def _site(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


def ledger_over_sites(tmp_path: Path, by_site: bool = True) -> tuple[Ledger, Run]:
    """A ledger naming the site of a URL (the ``news`` spider's), its run's state keyed by
    site (or by id alone)."""
    crawler = get_crawler()
    state = SQLiteState(Path(":memory:"), {r: timedelta(hours=1) for r in REMEMBERED_FAILURES})
    if by_site:
        state.key_by_site(_site)
    run = Run(
        "news/a.id+b.id",
        tmp_path,
        datetime(2025, 11, 20, 23, 0, tzinfo=WIB),
        lock_for(tmp_path, "news"),
        state,
        FeedWriter(tmp_path / "news" / "feed.jsonl"),
    )
    run.attach(crawler)
    return Ledger.open(crawler, "news", lambda url: url.split("/")[4], lambda url: None, _site), run


def test_a_ledger_over_many_sites_keys_failures_and_aliases_by_site(tmp_path: Path) -> None:
    """Two sites number their articles alike: in a state keyed by site the ledger keeps a
    failure under its site and id, and a URL of one site redirected to the other's article
    of the same number is an alias (not the same article); in a state keyed by id alone, and
    without a run, the id alone."""
    first, second = "https://www.a.id/berita/70001/x", "https://b.id/berita/70001/y"
    ledger, run = ledger_over_sites(tmp_path)
    assert ledger.state_key("70001", first) == "a.id/70001"
    ledger.skip("not_found", first)
    assert run.state.in_backoff("a.id/70001") == "not_found"
    assert run.state.in_backoff("70001") is None
    ledger.article_exported(_Page(), first, ArticleItem(url=second, article_id="70001"))
    assert run.aliases == [("a.id/70001", first, "b.id/70001")]
    by_id, _ = ledger_over_sites(tmp_path / "by-id", by_site=False)
    assert by_id.state_key("70001", first) == "70001"
    crawler = get_crawler()
    alone = Ledger.open(crawler, "news", lambda url: None, lambda url: None, _site)
    assert alone.state_key("70001", first) == "70001"  # no run: nothing keys by site
