"""``-a max_articles=N``: a run stops once it has exported N articles, a healthy finish
(reason ``max_articles``, exit 0), with exactly N lines in its feed and in ``-O``. What was
under way as it stopped is dropped (``export/over_limit``) and left for the next run: nothing is
lost, nothing exported twice. Scrapy's ``CLOSESPIDER_ITEMCOUNT=5`` exported 19 articles here
and was judged unhealthy."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import assert_refused, published_items, run_crawl, stat

DAYS = {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"}
#: What the two reference days export with browser=never (tests/test_cron.py).
REFERENCE_ARTICLES = 32
SITEMAPS = "https://www.arusdaerah.id/news-sitemap.xml,https://www.sorotrakyat.id/sitemap_news.xml"


def manifests(output: Path, spider: str = "bisnis") -> list[dict[str, Any]]:
    paths = sorted(output.glob(f"{spider}/runs/*.json"))
    return [json.loads(path.read_text("utf-8")) for path in paths]


def test_a_run_stops_after_n_articles_healthy_and_the_next_run_gets_the_rest(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    bounded = run_crawl(
        "bisnis", {**DAYS, "max_articles": "5"}, output_dir=output, proxy_env=bisnis_proxy.env()
    )
    assert bounded.returncode == 0, bounded.log[-3000:]
    assert len(bounded.items) == 5, "the -O feed holds exactly N articles"
    first = published_items(output)
    assert len(first) == 5, "and so does the run's own feed"
    assert {item["article_id"] for item in first} == {i["article_id"] for i in bounded.items}
    [manifest] = manifests(output)
    assert manifest["finish_reason"] == "max_articles"
    assert manifest["health"] == {"ok": True, "failures": []} and manifest["exit_status"] == 0
    assert manifest["items_exported"] == 5
    assert "Unhealthy" not in bounded.log and " ERROR: " not in bounded.log
    assert stat(bounded.log, "newscrawl/export/over_limit") > 0, "items were under way"
    assert "Closing spider (max_articles)" in bounded.log

    rest = run_crawl("bisnis", DAYS, output_dir=output, proxy_env=bisnis_proxy.env())
    assert rest.returncode == 0, rest.log[-3000:]
    counts = Counter(item["article_id"] for item in published_items(output))
    assert max(counts.values()) == 1, "an article was exported twice"
    assert sum(counts.values()) == REFERENCE_ARTICLES, "an article under way was lost"


def test_news_stops_after_n_articles(site_proxies: Any, tmp_path: Path) -> None:
    proxy = site_proxies("anysite")
    result = run_crawl(
        "news", {"start_urls": SITEMAPS, "max_articles": "3"}, output_dir=tmp_path,
        proxy_env={**proxy.env(), **OFFLINE_ENV},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 3
    [feed] = tmp_path.glob("news/*/*/*.jsonl")
    assert len(feed.read_text("utf-8").splitlines()) == 3
    assert "Closing spider (max_articles)" in result.log


def test_a_bad_max_articles_is_refused_before_any_request(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    for value, message in (("0", "max_articles='0'"), ("five", "max_articles='five'")):
        output = tmp_path / value
        output.mkdir()
        bisnis_proxy.reset()
        result = run_crawl(
            "bisnis", {**DAYS, "max_articles": value}, output_dir=output,
            proxy_env=bisnis_proxy.env(),
        )  # fmt: skip
        assert_refused(result, bisnis_proxy.urls(), output, message)


def test_max_articles_is_refused_in_distributed_mode(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**DAYS, "max_articles": "5"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings={"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:9/0"},
    )  # fmt: skip
    assert_refused(result, bisnis_proxy.urls(), tmp_path, "not in distributed mode")
