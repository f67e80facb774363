"""End to end, what only Bisnis.com has: ``scrapy crawl bisnis`` in a subprocess against the
replayed Bisnis.com (its faults, syndicated copies, landing pages, sitemap, channels). What
every site does is tested over every site in ``test_sites.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.replay import ReplayProxy
from tests.support import (
    CrawlResult,
    assert_items_match,
    assert_refused,
    crawl_twice,
    expected,
    notes,
    run_crawl,
    stat,
    syndicated_twin,
)

SITE = "bisnis"
DAYS = {"since": "2025-11-20", "until": "2025-11-21"}
#: Pages behind the JavaScript gate need a browser (issue "Chromium through scrapy-playwright").
GATED = set(notes()["js_gate"])
BLOCKED = {notes()["faults"]["blocked_403"]} | GATED
GONE = {notes()["faults"]["gone_404"]}
SEED = notes()["seed_article"]


def crawl(proxy: ReplayProxy, output: Path, feed: Path | None = None, **args: str) -> CrawlResult:
    """A crawl without the browser: the gated pages count as blocked (see test_browser.py)."""
    return run_crawl(
        "bisnis", {"browser": "never", **args}, output_dir=output, proxy_env=proxy.env(), feed=feed
    )


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory, bisnis_proxy_session: ReplayProxy) -> Any:
    """One crawl of both reference days, then a second run on the same state."""
    proxy = bisnis_proxy_session
    output = tmp_path_factory.mktemp("two-days")
    return crawl_twice(proxy, output, lambda feed: crawl(proxy, output, feed, **DAYS))


def test_two_day_crawl_counts_what_it_skipped(two_days: Any) -> None:
    first, urls, _, _ = two_days
    assert stat(first.log, "newscrawl/skipped/not_found") == 1
    assert stat(first.log, "newscrawl/skipped/blocked") == len(BLOCKED)
    assert stat(first.log, "newscrawl/dedup/duplicate_content") == 1
    assert stat(first.log, "newscrawl/boilerplate/bisnis.com/google_news_cta") > 0
    for article_id in BLOCKED | GONE:
        assert f"({'blocked' if article_id in BLOCKED else 'not_found'}" in first.log
        assert any(
            f"/{article_id}/" in line for line in first.log.splitlines() if "Skipped" in line
        )
    flaky = notes()["faults"]["flaky_503_once"]
    flaky_urls = [u for u in urls if f"/{flaky}/" in u and "page=all" not in u]
    assert len(flaky_urls) == 2, "the 503 was not retried exactly once"


def test_two_day_crawl_follows_no_widget_and_pages_each_index_once(two_days: Any) -> None:
    _, urls, _, _ = two_days
    assert all(".bisnis.com/" in url for url in urls)
    assert not any("berita-terkini.example" in u or "127.0.0.1" in u for u in urls)
    assert not any("/read/2026" in url for url in urls), "followed a sidebar widget"
    index_pages = [u for u in urls if "/index?" in u]
    assert len(index_pages) == len(set(index_pages)) == 4
    assert all("date=2025-11-2" in u for u in index_pages)


def test_second_run_pages_again_only_the_day_that_lists_blocked_articles(two_days: Any) -> None:
    _, _, second, second_urls = two_days
    assert second.returncode == 0, second.log[-3000:]
    assert second.items == []
    index_pages = sorted(u for u in second_urls if "/index?" in u)
    # 2025-11-21 was paged to its end with nothing left over: page 1 only, then early stop;
    # 2025-11-20 lists blocked articles (no browser here), so it is paged through again
    assert index_pages == [
        "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=1",
        "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=2",
        "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-21&page=1",
    ]
    assert stat(second.log, "newscrawl/discovery/early_stop") == 1


def test_feeds_go_under_output_by_default(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = run_crawl(
        "bisnis",
        {"start_urls": "https://market.bisnis.com/bursa-saham", "browser": "never"},
        output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(),
        default_feed=True,
    )
    assert result.returncode == 0, result.log[-3000:]
    feeds = list((tmp_path / "bisnis").glob("*/*.jsonl"))
    assert len(feeds) == 1, "expected exactly one feed (and no -O feed)"
    day = feeds[0].parent.name
    assert len(day) == 10 and day[4] == "-" and day[7] == "-"
    assert len(feeds[0].stem) == 6 and feeds[0].stem.isdigit()
    lines = feeds[0].read_text("utf-8").splitlines()
    assert [json.loads(line)["article_id"] for line in lines] == ["1931035"]
    assert (tmp_path / "bisnis" / "state.sqlite3").exists()


@pytest.mark.parametrize(
    "landing",
    [
        "https://market.bisnis.com/",
        "https://finansial.bisnis.com/",
        "https://kabar24.bisnis.com/hukum",
    ],
)
def test_landing_page_crawl(bisnis_proxy: ReplayProxy, tmp_path: Path, landing: str) -> None:
    result = crawl(bisnis_proxy, tmp_path, start_urls=landing)
    assert result.returncode == 0, result.log[-3000:]
    want = set(notes()["landing"][landing]) - BLOCKED - GONE
    assert_items_match(SITE, result.items, want)


def test_landing_page_with_syndicated_copy(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = crawl(bisnis_proxy, tmp_path, start_urls="https://bandung.bisnis.com/")
    assert result.returncode == 0, result.log[-3000:]
    want = {
        syndicated_twin(SITE, a) or a for a in notes()["landing"]["https://bandung.bisnis.com/"]
    }
    assert_items_match(SITE, result.items, want - BLOCKED - GONE)


def test_sitemap_crawl(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = crawl(bisnis_proxy, tmp_path, start_urls="https://www.bisnis.com/sitemap-news.xml")
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(SITE, result.items, set(expected()) - {SEED} - BLOCKED - GONE)


def test_article_url_crawl_of_the_seed(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    url = expected()[SEED]["url"] + "?utm_source=x#top"
    result = crawl(bisnis_proxy, tmp_path, start_urls=url)
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(SITE, result.items, {SEED})


def test_channel_crawl(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = crawl(bisnis_proxy, tmp_path, since="2025-11-20", channels="194,43")
    assert result.returncode == 0, result.log[-3000:]
    index_pages = sorted(u for u in bisnis_proxy.urls() if "/index?" in u)
    assert len(index_pages) == 2 and all("date=2025-11-20" in u for u in index_pages)
    assert {item["section"] for item in result.items} <= {"market", "ekonomi", "bandung"}
    assert result.items


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"since": "2025-02-30"}, "since='2025-02-30' is not a date"),
        ({"since": "2025-11-21", "until": "2025-11-20"}, "is after"),
        ({"channels": "43,1234"}, "unknown channel 1234"),
        (
            {"start_urls": "https://bisnis.com.berita-terkini.example/read/1"},
            "not a bisnis.com URL",
        ),
    ],
)
def test_bad_arguments_fail_before_any_request(
    bisnis_proxy: ReplayProxy, tmp_path: Path, args: dict[str, str], message: str
) -> None:
    result = crawl(bisnis_proxy, tmp_path, **args)
    assert_refused(result, bisnis_proxy.urls(), tmp_path, message)


def test_robots_disallowed_start_url_is_skipped(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = crawl(bisnis_proxy, tmp_path, start_urls="https://market.bisnis.com/ajax/latest")
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result.log, "newscrawl/skipped/start_robots") == 1
    assert bisnis_proxy.urls() == ["https://market.bisnis.com/robots.txt"]
