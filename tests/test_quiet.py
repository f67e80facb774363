"""A healthy crawl is quiet: at ``LOG_LEVEL=WARNING`` it prints nothing at all, and its log
ends with the line that says how it went (``... — exit status 0``).

Components that are off (distributed mode's, the pipelines of a run for Scrapy's tools, a
progress line turned off) raise a bare ``NotConfigured``: Scrapy logs the reason of one that
gives a reason as a WARNING ("Disabled ...: reason"), and that is no news.

The crawls below are the reference sites' reference days whole, their fault pages included
(Bisnis.com: three articles answering 403, one 404; Kompas.com: one 404; the generic sites'
sitemaps: two 404s). A page that gives no article is the run's routine: an INFO line
("Skipped ..."), counted in the stats and the manifest (``pages_skipped``); what an operator
must act on is an unhealthy run (ERROR, exit status 3). See docs/operations.md, "What is a
WARNING".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import FIXTURES, run_crawl

QUIET = {"LOG_LEVEL": "WARNING"}
NOTES = json.loads((FIXTURES / "anysite" / "notes.json").read_text("utf-8"))

#: Healthy crawls of the reference sites with their fault pages, and the pages each skips.
CRAWLS = [
    (
        "bisnis",
        "bisnis",
        {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"},
        {"blocked": 3, "not_found": 1},
    ),
    (
        "kompas",
        "kompas",
        {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"},
        {"not_found": 1},
    ),
    ("anysite", "news", {"start_urls": ",".join(NOTES["sitemaps"])}, {"not_found": 2}),
    (
        "anysite",
        "news",
        {"start_urls": "https://ekonomi.arusdaerah.id/,https://nasional.sorotrakyat.id/"},
        {},
    ),
]


@pytest.mark.parametrize(
    ("fixtures", "spider", "args", "skipped"),
    CRAWLS,
    ids=["bisnis-days", "kompas-days", "anysite-sitemaps", "anysite-sections"],
)
def test_a_healthy_crawl_prints_nothing_at_warning_level(
    site_proxies: Callable[[str], ReplayProxy],
    tmp_path: Path,
    fixtures: str,
    spider: str,
    args: dict[str, str],
    skipped: dict[str, int],
) -> None:
    proxy = site_proxies(fixtures)
    result = run_crawl(
        spider, args, output_dir=tmp_path, proxy_env={**proxy.env(), **OFFLINE_ENV},
        settings=QUIET,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.items, "a crawl that exported nothing proves nothing"
    assert result.log == "", result.log
    [manifest] = [
        json.loads(path.read_text("utf-8")) for path in tmp_path.glob(f"{spider}/**/runs/*.json")
    ]
    assert manifest["health"]["ok"] and not manifest["health"]["failures"]
    assert manifest["pages_skipped"] == skipped, "the pages without an article are still counted"


def test_the_log_of_a_healthy_crawl_ends_with_how_it_went(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    args = {"since": "2025-11-20", "channels": "186", "browser": "never"}
    result = run_crawl("bisnis", args, output_dir=tmp_path, proxy_env=bisnis_proxy.env())
    assert result.returncode == 0, result.log[-3000:]
    last = result.log.rstrip().splitlines()[-1]
    assert f" INFO: bisnis: {len(result.items)} article(s) exported — exit status 0" in last
