"""A healthy crawl is quiet: at ``LOG_LEVEL=WARNING`` it prints nothing at all, and its log
ends with the line that says how it went (``... — exit status 0``).

Components that are off (distributed mode's, the pipelines of a run for Scrapy's tools, a
progress line turned off) raise a bare ``NotConfigured``: Scrapy logs the reason of one that
gives a reason as a WARNING ("Disabled ...: reason"), and that is no news.

The crawls below avoid the fixtures' fault pages (a 404 article, a page behind a challenge):
a page that gives no article is still a WARNING ("Skipped ..."), see docs/operations.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import run_crawl

QUIET = {"LOG_LEVEL": "WARNING"}

#: Healthy crawls of the reference sites without their fault pages: a day of two Bisnis.com
#: channels (one article answers 503 once and is retried), a day of Kompas.com (one retried
#: too), and two generic sites' section pages.
CRAWLS = [
    ("bisnis", "bisnis", {"since": "2025-11-20", "channels": "186,5", "browser": "never"}),
    ("kompas", "kompas", {"since": "2025-11-21", "browser": "never"}),
    (
        "anysite",
        "news",
        {"start_urls": "https://ekonomi.arusdaerah.id/,https://nasional.sorotrakyat.id/"},
    ),
]


@pytest.mark.parametrize(("fixtures", "spider", "args"), CRAWLS, ids=[c[0] for c in CRAWLS])
def test_a_healthy_crawl_prints_nothing_at_warning_level(
    site_proxies: Callable[[str], ReplayProxy],
    tmp_path: Path,
    fixtures: str,
    spider: str,
    args: dict[str, str],
) -> None:
    proxy = site_proxies(fixtures)
    result = run_crawl(
        spider, args, output_dir=tmp_path, proxy_env={**proxy.env(), **OFFLINE_ENV},
        settings=QUIET,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.items, "a crawl that exported nothing proves nothing"
    assert result.log == "", result.log


def test_the_log_of_a_healthy_crawl_ends_with_how_it_went(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    args = {"since": "2025-11-20", "channels": "186", "browser": "never"}
    result = run_crawl("bisnis", args, output_dir=tmp_path, proxy_env=bisnis_proxy.env())
    assert result.returncode == 0, result.log[-3000:]
    last = result.log.rstrip().splitlines()[-1]
    assert f" INFO: bisnis: {len(result.items)} article(s) exported — exit status 0" in last
