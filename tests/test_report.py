"""The report (``make report``): built from manifests and the dataset, opened in Chromium."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.browser import CHROMIUM_ARGS, chromium_available, chromium_path
from newscrawl.dataset import build
from newscrawl.report import REPORT, bar_chart, collect, render, write
from tests.replay import ReplayProxy
from tests.support import ROOT, run_crawl

#: Where the test leaves the screenshot (an artifact; output/ is not in git).
ARTIFACTS = ROOT / "output" / "test-artifacts"


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, site_proxies: Callable[[str], ReplayProxy]
) -> Path:
    """Three runs (Kompas one day, then both; Bisnis both days) and their dataset."""
    output = tmp_path_factory.mktemp("report") / "output"
    plans = [
        ("kompas", {"since": "2025-11-20", "until": "2025-11-20"}),
        ("kompas", {"since": "2025-11-20", "until": "2025-11-21"}),
        ("bisnis", {"since": "2025-11-20", "until": "2025-11-21"}),
    ]
    for site, days in plans:
        result = run_crawl(
            site, {**days, "browser": "never"}, output_dir=output,
            proxy_env=site_proxies(site).env(), default_feed=True,
        )  # fmt: skip
        assert result.returncode == 0, result.log[-3000:]
    build(output)
    return output


def manifests(output: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(output.glob("*/runs/*.json"))]


def test_figures_come_from_the_manifests_and_the_dataset(runs: Path) -> None:
    sites = {site.name: site for site in collect(runs)}
    assert set(sites) == {"bisnis", "kompas"}
    assert len(sites["kompas"].runs) == 2 and len(sites["bisnis"].runs) == 1
    per_day = sites["kompas"].per_day
    assert len(per_day) == 30 and list(per_day)[-2:] == ["2025-11-20", "2025-11-21"]
    assert {day: n for day, n in per_day.items() if n} == {"2025-11-20": 14, "2025-11-21": 15}
    assert sum(sites["bisnis"].per_hour.values()) == 32
    assert sum(sites["kompas"].per_section.values()) == 29


def test_unhealthy_runs_are_marked_and_empty_charts_say_so() -> None:
    from newscrawl.report import SiteData

    run = {"run_id": "1", "items_exported": 0, "health": {"ok": False, "failures": ["x"]}}
    page = render([SiteData("news/contoh.id", ["contoh.id"], runs=[run])])
    assert '<tr class="unhealthy">' in page and 'fill="#c0392b"' not in bar_chart([], "x")
    assert "make dataset" in page  # no articles yet
    assert 'data-chart="x">No data.' in bar_chart([], "x")


def test_the_report_renders_in_chromium_with_the_manifests_numbers(runs: Path) -> None:
    settings = Settings()
    if not chromium_available(settings):
        message = f"Chromium not found at {chromium_path(settings)}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must install it (.ci/run does)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    path = write(runs)
    assert path == runs / REPORT
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(settings),
            # nothing to fetch: every request would go to a dead end
            args=[*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            for site in ("bisnis", "kompas"):
                section = page.locator(f'section[data-site="{site}"]')
                for chart in ("articles-per-day", "articles-per-hour", "exported", "duration"):
                    bars = section.locator(f'svg[data-chart="{chart}"] rect.bar')
                    assert bars.count() > 0, f"{site}: {chart} is empty"
                    box = bars.first.bounding_box()
                    assert box is not None and box["width"] > 0, f"{site}: {chart} not drawn"
            for manifest in manifests(runs):
                run_id, spider = manifest["run_id"], manifest["spider"]
                section = page.locator(f'section[data-site="{spider}"]')
                cell = section.locator(f'td[data-run="{run_id}"][data-field="items_exported"]')
                assert cell.inner_text() == str(manifest["items_exported"])
                for reason, count in manifest["pages_skipped"].items():
                    skipped = section.locator(
                        f'td[data-run="{run_id}"][data-field="skipped/{reason}"]'
                    )
                    assert skipped.inner_text() == str(count)
                bar = section.locator(f'svg[data-chart="exported"] rect[data-label="{run_id}"]')
                assert bar.get_attribute("data-value") == str(manifest["items_exported"])
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            assert requests == [path.as_uri()], f"the report fetched more: {requests}"
        finally:
            browser.close()


def test_make_report_on_an_empty_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    path = write(output)
    assert "No runs yet." in path.read_text("utf-8")
    shutil.rmtree(output)


def test_the_report_follows_each_run_when_asked(
    tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    output = tmp_path / "output"
    result = run_crawl(
        "kompas", {"since": "2025-11-20", "browser": "never"}, output_dir=output,
        proxy_env=site_proxies("kompas").env(), default_feed=True,
        settings={"NEWSCRAWL_REPORT_AFTER_RUN": "True"},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    [manifest] = manifests(output)
    page = (output / REPORT).read_text("utf-8")
    assert f'data-run="{manifest["run_id"]}" data-field="items_exported">14<' in page
