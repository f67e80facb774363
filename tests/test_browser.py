"""Chromium through scrapy-playwright, only for pages behind a JavaScript check.

These tests need Debian's Chromium (``/usr/bin/chromium`` or ``$NEWSCRAWL_CHROMIUM``). Without
it they are skipped with a reason, except under ``CI=true``, where a missing browser fails them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.browser import chromium_available, chromium_path
from tests.replay import ReplayProxy
from tests.sitegen import BISNIS, SiteBuilder, generate_site
from tests.support import CrawlResult, expected, manifest, notes, run_crawl

DAYS = {"since": "2025-11-20", "until": "2025-11-21"}
GATED = set(notes()["js_gate"])
BLOCKED = notes()["faults"]["blocked_403"]
GONE = notes()["faults"]["gone_404"]
SEED = notes()["seed_article"]
#: Short enough for tests: the real challenge never passes, so the browser waits this long.
FAST = {"NEWSCRAWL_BROWSER_WAIT_MS": "2000"}


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    if chromium_available(Settings()):
        return
    message = f"Chromium not found at {chromium_path(Settings())}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must install it (.ci/run does)")
    pytest.skip(f"{message}; install it with apt-get install -y --no-install-recommends chromium")


def browser_processes() -> list[str]:
    """Chromium processes started by Playwright (they use a playwright profile directory)."""
    done = subprocess.run(
        ["pgrep", "-af", "playwright_chromiumdev_profile"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if "pgrep" not in line]


def stat(result: CrawlResult, name: str) -> int:
    for line in result.log.splitlines():
        if line.strip().startswith(f"'{name}':"):
            return int(line.split(":", 1)[1].strip().rstrip(",}"))
    return 0


def without_crawled_at(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "crawled_at"}


def test_gated_articles_are_rendered_and_exported(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    before = browser_processes()
    result = run_crawl(
        "bisnis", DAYS, output_dir=tmp_path, proxy_env=bisnis_proxy.env(), settings=FAST
    )
    assert result.returncode == 0, result.log[-3000:]
    by_id = {item["article_id"]: item for item in result.items}
    want = set(expected()) - {SEED, BLOCKED, GONE}
    assert set(by_id) == want
    for article_id in want:
        assert without_crawled_at(by_id[article_id]) == expected()[article_id]
    # one render per gated page, and one (failed) try for the real Cloudflare challenge
    assert stat(result, "newscrawl/browser/renders") == len(GATED) + 1
    assert stat(result, "newscrawl/browser/passed") == len(GATED)
    assert stat(result, "newscrawl/browser/still_blocked") == 1
    assert stat(result, "newscrawl/skipped/blocked") == 1
    assert f"/{BLOCKED}/" in next(
        line for line in result.log.splitlines() if "Skipped" in line and "(blocked" in line
    )
    # the browser asked for nothing but the site, and no images
    assert all(".bisnis.com/" in url for url in bisnis_proxy.urls())
    assert not any(url.endswith((".jpg", ".png", ".css")) for url in bisnis_proxy.urls())
    assert browser_processes() == before, "a Chromium process was left behind"
    manifest = next(tmp_path.glob("bisnis/runs/*.json")).read_text()
    assert '"renders": 3' in manifest


def test_browser_never_counts_gated_pages_as_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**DAYS, "browser": "never"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env()
    )
    assert result.returncode == 0
    assert stat(result, "newscrawl/skipped/blocked") == len(GATED) + 1
    assert stat(result, "newscrawl/browser/renders") == 0
    assert "Starting Chromium" not in result.log


def test_no_browser_for_a_crawl_that_never_needs_it(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis",
        {"start_urls": "https://market.bisnis.com/bursa-saham"},
        output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(),
    )
    assert result.returncode == 0 and len(result.items) == 1
    assert "Starting Chromium" not in result.log and "Launching browser" not in result.log


def test_missing_chromium_in_fallback_warns_once_and_counts_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", DAYS, output_dir=tmp_path, proxy_env=bisnis_proxy.env(),
        settings={"NEWSCRAWL_CHROMIUM_PATH": "/nonexistent/chromium"},
    )  # fmt: skip
    assert result.returncode == 0
    warnings = [line for line in result.log.splitlines() if "Chromium not found" in line]
    assert len(warnings) == 1 and "apt-get install" in warnings[0]
    assert stat(result, "newscrawl/skipped/blocked") == len(GATED) + 1


def test_browser_always_without_chromium_fails_at_start(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**DAYS, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings={"NEWSCRAWL_CHROMIUM_PATH": "/nonexistent/chromium"},
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and "Chromium not found at /nonexistent/chromium" in errors[0]
    assert bisnis_proxy.urls() == []


def test_cookies_earned_in_the_browser_are_reused(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", 12, per_day=12, per_page=20)
    builder = SiteBuilder(site.root, tmp_path / "gated")
    gated = [url for url in site.articles.values() if "://market." in url or "://kabar24." in url]
    assert len(gated) >= 4
    for url in gated:
        builder.entries[url]["js_gate"] = True
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=tmp_path / "out",
            proxy_env=proxy.env(), settings=FAST,
        )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert {item["article_id"] for item in result.items} == set(site.articles)
    hosts = {url.split("/")[2] for url in gated}
    assert stat(result, "newscrawl/browser/renders") == len(hosts), "one render per host"
    assert stat(result, "newscrawl/browser/cookies_reused") >= len(gated) - len(hosts)


def test_gated_reference_page_through_the_browser_only(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    url = next(u for u in (e["url"] for e in expected().values()) if f"/{sorted(GATED)[0]}/" in u)
    result = run_crawl(
        "bisnis", {"start_urls": url, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings=FAST,
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert [without_crawled_at(item) for item in result.items] == [expected()[sorted(GATED)[0]]]
    assert stat(result, "newscrawl/browser/reason/always") == 1


def test_site_builder_keeps_reference_pages(tmp_path: Path) -> None:
    builder = SiteBuilder(BISNIS, tmp_path / "copy")
    assert len(builder.entries) == len(list((BISNIS / "site").iterdir()))


def test_a_page_gone_in_the_browser_is_not_counted_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    gone = next(url for url, entry in manifest().items() if f"/{GONE}/" in url and "?" not in url)
    result = run_crawl(
        "bisnis", {"start_urls": gone, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings=FAST,
    )  # fmt: skip
    # Chromium shows the 404 page, which is neither a check nor an article
    assert stat(result, "newscrawl/skipped/no_body") == 1
    assert stat(result, "newscrawl/skipped/blocked") == 0
