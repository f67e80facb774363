"""End to end: ``scrapy crawl kompas`` in a subprocess against the replayed Kompas.com, and
both sites' crawls side by side."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from newscrawl.pages.kompas import URLS, is_article_url
from tests.replay import ReplayProxy
from tests.support import (
    CrawlResult,
    assert_refused,
    crawl_twice,
    expected,
    manifest,
    notes,
    published_items,
    run_crawl,
    start_crawl,
    stat,
    validate,
    without_crawled_at,
)
from tests.test_e2e_bisnis import BLOCKED, GONE, SEED, assert_items_match

SITE = "kompas"
DAYS = {"since": "2025-11-20", "until": "2025-11-21"}
FLAKY = notes(SITE)["faults"]["flaky_503_once"]
MISSING = notes(SITE)["faults"]["gone_404"]
INDEX = "https://indeks.kompas.com/?"


def crawl(
    proxy: ReplayProxy,
    output: Path,
    feed: Path | None = None,
    settings: dict[str, str] | None = None,
    **args: str,
) -> CrawlResult:
    return run_crawl(
        SITE,
        {"browser": "never", **args},
        output_dir=output,
        proxy_env=proxy.env(),
        settings=settings,
        feed=feed,
    )


def assert_exactly(items: list[dict[str, Any]], want_ids: set[str]) -> None:
    """Each item once, equal to its expected item (``crawled_at`` aside), schema-valid."""
    by_id = {item["article_id"]: item for item in items}
    assert len(by_id) == len(items), "an article was exported twice"
    assert set(by_id) == want_ids
    for article_id, item in by_id.items():
        assert without_crawled_at(item) == expected(SITE)[article_id]
    for item in items:
        validate(item)


def index_pages(urls: list[str]) -> list[str]:
    return sorted(url for url in urls if url.startswith(INDEX))


def article_requests(urls: list[str]) -> list[str]:
    return [url for url in urls if is_article_url(url)]


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory, kompas_proxy_session: ReplayProxy) -> Any:
    """One crawl of both reference days, then a second run on the same state."""
    proxy = kompas_proxy_session
    output = tmp_path_factory.mktemp("kompas-two-days")
    return crawl_twice(proxy, output, lambda feed: crawl(proxy, output, feed, **DAYS))


def test_two_day_crawl_exports_exactly_the_expected_items(two_days: Any) -> None:
    first, _, _, _ = two_days
    assert first.returncode == 0, first.log[-3000:]
    assert_exactly(first.items, set(expected(SITE)))


def test_two_day_crawl_counts_the_fault_pages(two_days: Any) -> None:
    first, urls, _, _ = two_days
    assert stat(first.log, "newscrawl/skipped/not_found") == 1
    skipped = [line for line in first.log.splitlines() if "Skipped" in line]
    assert len(skipped) == 1 and "/143231868/" in skipped[0] and "(not_found" in skipped[0]
    assert MISSING not in {item["article_id"] for item in first.items}
    flaky = [u for u in urls if URLS.article_id(u) == FLAKY]
    assert len(flaky) == 2, "the 503 was not retried exactly once"
    assert stat(first.log, "retry/count") == 1


def test_two_day_crawl_counts_promo_lines_by_site(two_days: Any) -> None:
    first, _, _, _ = two_days
    assert stat(first.log, "newscrawl/boilerplate/kompas.com/read_also") > 0
    assert stat(first.log, "newscrawl/boilerplate/kompas.com/whatsapp_channel_cta") > 0
    assert "newscrawl/boilerplate/bisnis.com/" not in first.log
    assert stat(first.log, "newscrawl/layout/kompas/read-2025") == len(expected(SITE))


def test_index_is_paged_until_a_page_lists_no_article(two_days: Any) -> None:
    _, urls, _, _ = two_days
    assert index_pages(urls) == [
        f"{INDEX}site=all&date={day}&page={page}"
        for day in ("2025-11-20", "2025-11-21")
        for page in (1, 2)
    ]


def test_crawl_stays_on_the_site_and_fetches_each_article_once(two_days: Any) -> None:
    _, urls, _, _ = two_days
    assert all(".kompas.com/" in url for url in urls)
    assert not any("bisnis.com" in url for url in urls), "followed a sidebar widget"
    articles = [u for u in article_requests(urls) if "page=" not in u]
    assert len(articles) == len(set(articles)) + 1  # the 503, retried once
    assert len(set(articles)) == len(expected(SITE)) + 1  # and the 404


def test_split_articles_are_fetched_whole(two_days: Any) -> None:
    first, urls, _, _ = two_days
    whole = {URLS.article_id(u) for u in urls if u.endswith("?page=all")}
    assert whole == {"20251120143747257", "20251121161930764"}
    assert not any(u.endswith("?page=2") for u in urls)
    assert stat(first.log, "newscrawl/discovery/multipage") == 2


def test_second_run_exports_nothing_and_fetches_no_article(two_days: Any) -> None:
    _, _, second, urls = two_days
    assert second.returncode == 0, second.log[-3000:]
    assert second.items == []
    assert article_requests(urls) == [], "an article page was fetched again"
    assert index_pages(urls) == [
        f"{INDEX}site=all&date=2025-11-20&page=1",
        f"{INDEX}site=all&date=2025-11-21&page=1",
    ]
    assert stat(second.log, "newscrawl/discovery/early_stop") == 2
    assert stat(second.log, "newscrawl/discovery/new") == 0


def test_page_cap_is_counted_and_a_capped_index_is_not_complete(
    kompas_proxy: ReplayProxy, tmp_path: Path
) -> None:
    capped = {"NEWSCRAWL_MAX_INDEX_PAGES": "1"}
    first = crawl(kompas_proxy, tmp_path, tmp_path / "first.jsonl", capped, **DAYS)
    assert first.returncode == 0, first.log[-3000:]
    assert stat(first.log, "newscrawl/discovery/index_cap") == 2
    assert "Stopped paging" in first.log and "NEWSCRAWL_MAX_INDEX_PAGES=1" in first.log
    assert not any(u.endswith("page=2") for u in index_pages(kompas_proxy.urls()))
    assert_exactly(first.items, set(expected(SITE)))
    kompas_proxy.reset()
    second = crawl(kompas_proxy, tmp_path, tmp_path / "second.jsonl", capped, **DAYS)
    assert second.items == [] and article_requests(kompas_proxy.urls()) == []
    assert stat(second.log, "newscrawl/discovery/index_cap") == 2
    assert stat(second.log, "newscrawl/discovery/early_stop") == 0


def test_channel_crawl(kompas_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = crawl(kompas_proxy, tmp_path, since="2025-11-20", channels="nasional,tekno")
    assert result.returncode == 0, result.log[-3000:]
    assert index_pages(kompas_proxy.urls()) == [
        f"{INDEX}site={channel}&date=2025-11-20&page={page}"
        for channel in ("nasional", "tekno")
        for page in (1, 2)
    ]
    want = {
        article_id
        for article_id, item in expected(SITE).items()
        if item["section"] in ("nasional", "tekno") and article_id.startswith("20251120")
    }
    assert_exactly(result.items, want)


def test_index_page_start_url(kompas_proxy: ReplayProxy, tmp_path: Path) -> None:
    start = f"{INDEX}site=money&date=2025-11-21&page=1&utm_source=x"
    result = crawl(kompas_proxy, tmp_path, start_urls=start)
    assert result.returncode == 0, result.log[-3000:]
    assert index_pages(kompas_proxy.urls()) == [  # the start URL's query, sorted
        f"{INDEX}date=2025-11-21&page=1&site=money",
        f"{INDEX}date=2025-11-21&page=2&site=money",
    ]
    want = {
        article_id
        for article_id, item in expected(SITE).items()
        if item["section"] == "money" and article_id.startswith("20251121")
    }
    assert_exactly(result.items, want)


def test_article_url_start_urls(kompas_proxy: ReplayProxy, tmp_path: Path) -> None:
    split = expected(SITE)["20251121161930764"]["url"]
    gone = next(u for u in manifest(SITE) if URLS.article_id(u) == MISSING)
    urls = [f"{split}?page=2&utm_source=x#top", gone]
    result = crawl(kompas_proxy, tmp_path, start_urls=",".join(urls))
    assert result.returncode == 0, result.log[-3000:]
    assert_exactly(result.items, {"20251121161930764"})
    assert stat(result.log, "newscrawl/skipped/not_found") == 1


def test_feeds_state_and_manifest_go_under_output_kompas(
    kompas_proxy: ReplayProxy, tmp_path: Path
) -> None:
    url = expected(SITE)["20251120061422969"]["url"]
    result = run_crawl(
        SITE,
        {"start_urls": url, "browser": "never"},
        output_dir=tmp_path,
        proxy_env=kompas_proxy.env(),
        default_feed=True,
    )
    assert result.returncode == 0, result.log[-3000:]
    assert [item["article_id"] for item in published_items(tmp_path, SITE)] == ["20251120061422969"]
    assert (tmp_path / SITE / "state.sqlite3").exists()
    [path] = list((tmp_path / SITE / "runs").glob("*.json"))
    report = json.loads(path.read_text("utf-8"))
    assert report["spider"] == SITE and report["items_exported"] == 1
    assert report["health"]["ok"] and report["exit_status"] == 0
    assert set(report["boilerplate_drops"]) == {"kompas.com/whatsapp_channel_cta"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"since": "2025-02-30"}, "since='2025-02-30' is not a date"),
        ({"since": "2025-11-21", "until": "2025-11-20"}, "is after"),
        ({"until": "2025-11-21"}, "until= needs since="),
        ({"channels": "money,bola"}, "unknown channel bola"),
        (
            {"start_urls": "https://kompas.com.berita-terkini.example/read/2025/11/20/1/x"},
            "not a kompas.com index page or article URL",
        ),
        ({"start_urls": "https://www.kompas.com/"}, "not a kompas.com index page or article"),
        ({"sinse": "2025-11-20"}, "unknown argument sinse"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    kompas_proxy: ReplayProxy, tmp_path: Path, args: dict[str, str], message: str
) -> None:
    result = crawl(kompas_proxy, tmp_path, **args)
    assert_refused(result, kompas_proxy.urls(), tmp_path, message)


# --- both sites ----------------------------------------------------------------------------


def test_both_sites_crawl_side_by_side(
    bisnis_proxy: ReplayProxy, kompas_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """``scrapy crawl bisnis`` and ``scrapy crawl kompas`` at once, into one output folder:
    each has its own lock, state, feed and manifest, and exports exactly its site."""
    runs: dict[str, subprocess.Popen[bytes]] = {}
    for spider, proxy in (("bisnis", bisnis_proxy), ("kompas", kompas_proxy)):
        runs[spider] = start_crawl(
            spider,
            {"browser": "never", **DAYS},
            output_dir=tmp_path,
            proxy_env=proxy.env(),
            log=tmp_path / f"{spider}.log",
        )
    for spider, process in runs.items():
        status = process.wait(timeout=300)
        log = (tmp_path / f"{spider}.log").read_text("utf-8", errors="replace")
        assert status == 0, log[-3000:]
    assert_exactly(published_items(tmp_path, "kompas"), set(expected(SITE)))
    bisnis_ids = set(expected()) - {SEED} - BLOCKED - GONE
    assert_items_match(published_items(tmp_path, "bisnis"), bisnis_ids)
    for spider, site in (("bisnis", "bisnis.com"), ("kompas", "kompas.com")):
        assert (tmp_path / spider / "state.sqlite3").exists()
        [path] = list((tmp_path / spider / "runs").glob("*.json"))
        report = json.loads(path.read_text("utf-8"))
        assert report["spider"] == spider and report["health"]["ok"]
        assert all(key.startswith(f"{site}/") for key in report["boilerplate_drops"])
    assert not any(".bisnis.com" in url for url in kompas_proxy.urls())
    assert not any(".kompas.com" in url for url in bisnis_proxy.urls())
