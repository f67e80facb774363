"""End to end, what only Kompas.com has: ``scrapy crawl kompas`` in a subprocess against the
replayed Kompas.com (an index without a page count, its channels and start URLs, its faults).
What every site does is tested over every site in ``test_sites.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newscrawl.sites.kompas import URLS
from tests.replay import ReplayProxy
from tests.support import (
    CrawlResult,
    assert_items_match,
    assert_refused,
    crawl_twice,
    expected,
    manifest,
    notes,
    published_items,
    run_crawl,
    stat,
)

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


def index_pages(urls: list[str]) -> list[str]:
    return sorted(url for url in urls if url.startswith(INDEX))


def article_requests(urls: list[str]) -> list[str]:
    return [url for url in urls if URLS.is_article(url)]


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory, kompas_proxy_session: ReplayProxy) -> Any:
    """One crawl of both reference days, then a second run on the same state."""
    proxy = kompas_proxy_session
    output = tmp_path_factory.mktemp("kompas-two-days")
    return crawl_twice(proxy, output, lambda feed: crawl(proxy, output, feed, **DAYS))


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


def test_second_run_reads_page_one_of_each_day_only(two_days: Any) -> None:
    _, _, second, urls = two_days
    assert second.returncode == 0, second.log[-3000:]
    assert second.items == []
    assert index_pages(urls) == [
        f"{INDEX}site=all&date=2025-11-20&page=1",
        f"{INDEX}site=all&date=2025-11-21&page=1",
    ]
    assert stat(second.log, "newscrawl/discovery/early_stop") == 2


def test_page_cap_is_counted_and_a_capped_index_is_not_complete(
    kompas_proxy: ReplayProxy, tmp_path: Path
) -> None:
    capped = {"NEWSCRAWL_MAX_INDEX_PAGES": "1"}
    first = crawl(kompas_proxy, tmp_path, tmp_path / "first.jsonl", capped, **DAYS)
    assert first.returncode == 0, first.log[-3000:]
    assert stat(first.log, "newscrawl/discovery/index_cap") == 2
    assert "Stopped paging" in first.log and "NEWSCRAWL_MAX_INDEX_PAGES=1" in first.log
    assert not any(u.endswith("page=2") for u in index_pages(kompas_proxy.urls()))
    assert_items_match(SITE, first.items, set(expected(SITE)))
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
    assert_items_match(SITE, result.items, want)


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
    assert_items_match(SITE, result.items, want)


def test_article_url_start_urls(kompas_proxy: ReplayProxy, tmp_path: Path) -> None:
    split = expected(SITE)["20251121161930764"]["url"]
    gone = next(u for u in manifest(SITE) if URLS.article_id(u) == MISSING)
    urls = [f"{split}?page=2&utm_source=x#top", gone]
    result = crawl(kompas_proxy, tmp_path, start_urls=",".join(urls))
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(SITE, result.items, {"20251121161930764"})
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
