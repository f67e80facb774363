"""A site that blocks this crawler: its listing pages answer, its article pages answer 403.

Each page is an INFO line (``Skipped <url> (blocked: HTTP 403)``), and the run is unhealthy
(health check ``blocked``, newscrawl/health.py): one ERROR line, exit status 3, the reason in
the manifest's ``health``. See docs/operations.md, "Health and exit status".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site
from tests.support import run_crawl, stat


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_site(tmp_path_factory.mktemp("blocked") / "site", 10, per_day=10)


def test_a_run_whose_every_article_page_is_blocked_is_unhealthy(
    site: Generated, tmp_path: Path
) -> None:
    articles = list(site.articles.values())
    faults = {url: ["http_403"] * 3 for url in articles}  # whatever is asked again
    with ReplayProxy(site.root, lifetime=300, faults=faults) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=tmp_path,
            proxy_env=proxy.env(), default_feed=True,
        )  # fmt: skip
        requested = proxy.urls()
    assert set(articles) <= set(requested), "the listing pages were not read"
    assert result.returncode == 3, result.log[-3000:]
    assert stat(result.log, "newscrawl/skipped/blocked") == len(articles)
    message = (
        f"{len(articles)} of {len(articles)} article pages (100%) were blocked "
        f"({len(articles)}) or gone (0), threshold 50%; has the site blocked this crawler"
    )
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    unhealthy = [line for line in errors if "Unhealthy run: " in line]
    assert len(unhealthy) == 1 and message in unhealthy[0], errors
    assert "exit status 3" in result.log.splitlines()[-1]
    [path] = list(tmp_path.glob("bisnis/runs/*.json"))
    manifest = json.loads(path.read_text("utf-8"))
    assert manifest["exit_status"] == 3 and manifest["items_exported"] == 0
    assert manifest["health"]["ok"] is False
    [failure] = manifest["health"]["failures"]
    assert message in failure
    assert manifest["pages_skipped"] == {"blocked": len(articles)}


def test_the_blocked_check_s_thresholds_are_settings(site: Generated, tmp_path: Path) -> None:
    """``NEWSCRAWL_HEALTH_MIN_BLOCKED_PAGES`` above the pages blocked: the same run is healthy
    (the check is the crawl's, with its settings)."""
    articles = list(site.articles.values())
    faults = {url: ["http_403"] * 3 for url in articles}
    with ReplayProxy(site.root, lifetime=300, faults=faults) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=tmp_path,
            proxy_env=proxy.env(), default_feed=True,
            settings={"NEWSCRAWL_HEALTH_MIN_BLOCKED_PAGES": str(len(articles) + 1)},
        )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result.log, "newscrawl/skipped/blocked") == len(articles)
    assert "Unhealthy run" not in result.log
