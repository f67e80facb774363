"""Long backfills (``-a since=... -a until=...`` over many days): days are planned as the
crawl advances, so the scheduler never holds the whole backfill; a killed backfill reruns with
nothing lost, nothing exported twice, no exported article fetched again, and a day it had
completed costs one index page."""

from __future__ import annotations

import json
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site, index_url
from tests.support import published_items, run_crawl, start_crawl, wait_until

DAYS = 20


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, ReplayProxy]]:
    """20 days of 20 articles, one index page a day."""
    site = generate_site(
        tmp_path_factory.mktemp("backfill") / "site",
        DAYS * 20,
        per_day=20,
        per_page=20,
        first_day=date(2025, 1, 1),
    )
    with ReplayProxy(site.root, lifetime=600) as proxy:
        yield site, proxy


def window(site: Generated) -> dict[str, str]:
    """The arguments of a backfill of every day of ``site``."""
    return {"since": str(site.days[0]), "until": str(site.days[-1]), "browser": "never"}


def backfill(
    site: Generated, proxy: ReplayProxy, output: Path, settings: dict[str, str], **options: Any
) -> Any:  # CrawlResult
    """``scrapy crawl bisnis`` over every day of ``site``, from a fresh proxy log; exit 0."""
    proxy.reset()
    result = run_crawl(
        "bisnis", window(site), output_dir=output, proxy_env=proxy.env(), settings=settings,
        **options,
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    return result


def crawl_order(
    site: Generated, proxy: ReplayProxy, output: Path, settings: dict[str, str] | None = None
) -> list[str]:
    result = backfill(site, proxy, output, {"CONCURRENT_REQUESTS": "4", **(settings or {})})
    assert len(result.items) == len(site.articles)
    return [url for url in proxy.urls() if not url.endswith("robots.txt")]


def days_ahead(site: Generated, order: list[str]) -> int:
    """How many days ahead of the oldest unfinished day the crawl read an index: for each
    day's first index page, the days before it whose articles were not all fetched yet."""
    worst = 0
    for rank, day in enumerate(site.days):
        fetched = set(order[: order.index(index_url(day, 1))])
        unfinished = [
            earlier
            for earlier in site.days[:rank]
            if not {u for u in site.articles.values() if f"/read/{earlier:%Y%m%d}/" in u} <= fetched
        ]
        worst = max(worst, len(unfinished))
    return worst


def test_days_are_planned_as_the_crawl_advances(
    month: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    site, proxy = month
    order = crawl_order(site, proxy, tmp_path / "paced", {"CONCURRENT_REQUESTS": "16"})
    assert days_ahead(site, order) <= 2  # NEWSCRAWL_DAYS_AHEAD


def test_without_pacing_days_run_ahead(
    month: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    """The same crawl without the pacing (limits no backfill reaches, Scrapy's per-host
    priority queue): index pages run ahead of the articles, which queue up: what the pacing
    prevents."""
    site, proxy = month
    unpaced = {
        "CONCURRENT_REQUESTS": "16",
        "NEWSCRAWL_DAYS_AHEAD": "1000",
        "NEWSCRAWL_BACKLOG": "1000000",
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    }
    order = crawl_order(site, proxy, tmp_path / "unpaced", unpaced)
    assert days_ahead(site, order) > 2


# -- kill and rerun -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, ReplayProxy]]:
    """12 days of 40 articles, 4 index pages a day, a little slow."""
    site = generate_site(
        tmp_path_factory.mktemp("paged") / "site",
        12 * 40,
        per_day=40,
        per_page=10,
        first_day=date(2025, 2, 1),
        slow={n: 0.02 for n in range(12 * 40)},
    )
    with ReplayProxy(site.root, lifetime=600) as proxy:
        yield site, proxy


def part_items(output: Path) -> list[dict[str, Any]]:
    items = []
    for part in output.glob("bisnis/*/*.jsonl.part"):
        for line in part.read_bytes().splitlines():
            try:
                items.append(json.loads(line))
            except ValueError:
                continue  # a line the kill cut
    return items


def test_a_killed_backfill_reruns_without_loss_repeat_or_repaging(
    paged: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    site, proxy = paged
    output = tmp_path / "out"
    args = window(site)
    slow = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    proxy.reset()
    process = start_crawl(
        "bisnis", args, output_dir=output, proxy_env=proxy.env(), log=tmp_path / "first.log",
        settings=slow,
    )  # fmt: skip
    try:
        wait_until(lambda: len(part_items(output)) >= 200 or process.poll() is not None)
    finally:
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert running, "the crawl ended before the kill"
    in_feed = {item["url"] for item in part_items(output)}
    checkpoints = list(output.glob("bisnis/*/*.jsonl.indexes"))
    assert len(checkpoints) == 1
    settled = checkpoints[0].read_text("utf-8").splitlines()
    assert settled, "no day settled before the kill"

    proxy.reset()
    result = run_crawl("bisnis", args, output_dir=output, proxy_env=proxy.env(), default_feed=True)
    assert result.returncode == 0, result.log[-3000:]
    assert f"Recovered {len(settled)} index(es)" in result.log
    fetched = proxy.urls()
    assert not in_feed & set(fetched), "an exported article was fetched again"
    counts = Counter(item["article_id"] for item in published_items(output))
    assert set(counts) == set(site.articles) and max(counts.values()) == 1
    complete_days = [
        day
        for day in site.days
        if {url for url in site.articles.values() if f"/read/{day:%Y%m%d}/" in url} <= in_feed
    ]
    assert len(complete_days) >= len(settled) >= 2
    for day in complete_days[: len(settled)]:
        pages = [url for url in fetched if f"date={day.isoformat()}&" in url]
        assert len(pages) == 1, f"{day}: {pages}"
    assert not list(output.glob("bisnis/*/*.indexes")), "a checkpoint file was left behind"


def test_a_finished_run_leaves_no_checkpoint_file(
    month: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    site, proxy = month
    crawl_order(site, proxy, tmp_path)
    assert list(tmp_path.glob("bisnis/*/*.jsonl"))
    assert not list(tmp_path.glob("bisnis/*/*.indexes"))


def test_a_long_run_publishes_a_feed_every_n_articles(
    month: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    """``NEWSCRAWL_FEED_MAX_ARTICLES``: the run publishes each full feed and opens another, so
    nothing of what it exported stays in memory; each article once across the feeds."""
    site, proxy = month
    backfill(site, proxy, tmp_path, {"NEWSCRAWL_FEED_MAX_ARTICLES": "150"}, default_feed=True)
    feeds = sorted(tmp_path.glob("bisnis/*/*.jsonl"))
    sizes = [len(feed.read_bytes().splitlines()) for feed in feeds]
    assert sizes == [150, 150, 100]
    counts = Counter(item["article_id"] for item in published_items(tmp_path))
    assert set(counts) == set(site.articles) and max(counts.values()) == 1
    [manifest] = [json.loads(p.read_text()) for p in tmp_path.glob("bisnis/runs/*.json")]
    assert len(manifest["feeds"]) == 3
    assert not list(tmp_path.glob("bisnis/*/*.part")) and not list(
        tmp_path.glob("bisnis/*/*.indexes")
    )
