"""The report (``make report``): built from manifests and the dataset, opened in Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.browser import CHROMIUM_ARGS, chromium_available, chromium_path
from newscrawl.dataset import build
from newscrawl.processors import WIB
from newscrawl.report import (
    REPORT,
    SiteData,
    attention,
    collect,
    render,
    runs_per_day,
    write,
)
from tests.replay import ReplayProxy
from tests.support import ROOT, published_items, run_crawl

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
    assert (sites["kompas"].articles, sites["bisnis"].articles) == (29, 32)
    assert (sites["kompas"].behind, sites["bisnis"].behind) == (0, 0)
    hours: dict[int, int] = {}
    for item in published_items(runs, "bisnis"):  # WIB hours, as the feed writes them
        hour = int(item["published_at"][11:13])
        hours[hour] = hours.get(hour, 0) + 1
    assert sites["bisnis"].per_hour == hours


NOW = datetime(2025, 11, 21, 12, 0, tzinfo=WIB)


def a_run(hours_ago: float, exported: int = 5, **more: Any) -> dict[str, Any]:
    started = NOW - timedelta(hours=hours_ago)
    return {
        "run_id": started.strftime("%Y%m%dT%H%M%S"), "started_at": started.isoformat(),
        "finished_at": (started + timedelta(seconds=30)).isoformat(), "finish_reason": "finished",
        "items_exported": exported, "health": {"ok": True, "failures": []}, "exit_status": 0,
        "pages_skipped": {}, "field_coverage": {"lead": 0.9, "tags": 1.0}, **more,
    }  # fmt: skip


def test_a_runs_seconds_are_its_measured_duration_else_its_timestamps() -> None:
    """A run shorter than a second shows its measured time (its whole-second timestamps can
    be equal); a manifest from before ``duration_seconds`` falls back to them."""
    measured = a_run(1, duration_seconds=0.437)
    measured["finished_at"] = measured["started_at"]
    older = a_run(1)
    day = NOW.date()
    assert runs_per_day(SiteData("kompas", [], runs=[measured]), day)[-1]["longest"] == 0.44
    assert runs_per_day(SiteData("kompas", [], runs=[older]), day)[-1]["longest"] == 30.0
    bad = a_run(1, duration_seconds=True)
    assert runs_per_day(SiteData("kompas", [], runs=[bad]), day)[-1]["longest"] == 30.0


def test_what_needs_attention() -> None:
    healthy = SiteData("kompas", ["kompas.com"], runs=[a_run(30), a_run(1)])
    assert attention(healthy, NOW) == []
    sick = a_run(1, health={"ok": False, "failures": ["markup: no title"]}, exit_status=3)
    found = dict(attention(SiteData("bisnis", [], runs=[a_run(30), sick]), NOW))
    assert found == {"unhealthy": "last run unhealthy: markup: no title"}
    old = SiteData("kompas", [], runs=[a_run(24 * 3)])
    assert [kind for kind, _ in attention(old, NOW)] == ["stale"]
    quiet = SiteData("kompas", [], runs=[a_run(30), a_run(5, 0), a_run(1, 0)])
    assert [kind for kind, _ in attention(quiet, NOW)] == ["quiet"]
    blocked = SiteData("kompas", [], runs=[a_run(1, pages_skipped={"blocked": 4})])
    assert dict(attention(blocked, NOW)) == {"blocked": "4 page(s) blocked in the last run"}
    vanishing = SiteData("kompas", [], runs=[
        a_run(4), a_run(3), a_run(2), a_run(1, field_coverage={"lead": 0.4, "tags": 1.0}),
    ])  # fmt: skip
    assert dict(attention(vanishing, NOW)) == {"coverage": "lead in 40% of articles (usually 90%)"}
    behind = SiteData("kompas", [], runs=[a_run(1)], behind=2)
    assert dict(attention(behind, NOW)) == {
        "dataset": "2 feed(s) not in the dataset: run `make dataset`"
    }


def test_the_summary_comes_first_and_marks_what_needs_attention() -> None:
    sick = a_run(1, health={"ok": False, "failures": ["markup: no title"]}, exit_status=3)
    page = render([
        SiteData("kompas", ["kompas.com"], runs=[a_run(30), a_run(2)]),
        SiteData("news/contoh.id", ["contoh.id"], runs=[sick]),
    ], NOW)  # fmt: skip
    assert page.index('data-summary="1"') < page.index('data-site="kompas"')
    assert "All times are WIB" in page and "2025-11-21 12:00 WIB" in page
    assert "1 of 2 site(s) need attention" in page
    assert 'data-attention="news/contoh.id:unhealthy"' in page
    assert '<tr class="unhealthy">' in page
    # no empty chart: a chart without data says why, a generic site has no sections
    assert "No sections: a generic site&#x27;s pages do not name one." in page
    assert "make dataset" in page
    assert 'data-site="kompas" data-field="new_24h">5<' in page


def test_the_report_reads_at_a_glance_in_chromium_at_1400_and_420_px(runs: Path) -> None:
    """The reported problems: charts cut off at 420 px, a run's failure found only by
    scrolling, charts labelling only their first and last bar. Screenshots at both widths."""
    settings = Settings()
    if not chromium_available(settings):
        message = f"Chromium not found at {chromium_path(settings)}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must install it (.ci/run does)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    path = write(runs)
    assert path == runs / REPORT
    text = path.read_text("utf-8")
    for fetching in ("<script", "<link", "<img", "<iframe", " src=", "@import"):
        assert fetching not in text, f"the page could fetch something: {fetching}"
    assert not re.search(r"url\((?!#)", text), "only references inside the page"
    all_manifests = manifests(runs)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(settings),
            # nothing to fetch: every request would go to a dead end
            args=[*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9"],
        )
        try:
            for width in (1400, 420):
                page = browser.new_page(viewport={"width": width, "height": 900})
                requests: list[str] = []
                page.on("request", lambda request, seen=requests: seen.append(request.url))
                page.goto(path.as_uri())
                scroll = page.evaluate("document.scrollingElement.scrollWidth")
                assert scroll <= width, f"sideways scroll at {width} px: {scroll}"
                made_at = datetime.fromisoformat(
                    str(page.locator("[data-made-at]").get_attribute("data-made-at"))
                )
                assert "All times are WIB" in page.locator("[data-made-at]").inner_text()
                check_summary(page, all_manifests, made_at)
                for site in ("bisnis", "kompas"):
                    check_charts(page, site, all_manifests, width)
                check_runs_tables(page, all_manifests)
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTIFACTS / f"report-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                assert requests == [path.as_uri()], f"the report fetched more: {requests}"
                page.close()
        finally:
            browser.close()


def check_summary(page: Any, all_manifests: list[dict[str, Any]], made_at: datetime) -> None:
    """The summary, first on the page, shows each site's last run as its manifest says."""
    summary = page.locator("section[data-summary]")
    assert (
        summary.bounding_box()["y"] < page.locator("section[data-site]").first.bounding_box()["y"]
    )
    for spider in ("bisnis", "kompas"):
        mine = [m for m in all_manifests if m["spider"] == spider]
        last = max(mine, key=lambda m: m["started_at"])

        def shown(name: str, spider: str = spider) -> str:
            cell = summary.locator(f'td[data-site="{spider}"][data-field="{name}"]')
            return str(cell.inner_text()).split("\n")[-1].strip()

        assert shown("items_exported") == str(last["items_exported"])
        assert shown("exit_status") == str(last["exit_status"])
        assert shown("health") == ("healthy" if last["health"]["ok"] else "unhealthy")
        started = datetime.fromisoformat(last["started_at"]).astimezone(WIB)
        assert shown("last_run").startswith(started.strftime("%Y-%m-%d %H:%M"))
        day_ago = made_at - timedelta(days=1)
        recent = sum(
            m["items_exported"] for m in mine if datetime.fromisoformat(m["started_at"]) >= day_ago
        )
        assert shown("new_24h") == str(recent)
        assert shown("articles") == str(len(published_items(page_output(page), spider)))
    # the runs were healthy; Bisnis's fixtures answer some pages with a block page
    flagged = summary.locator("li[data-attention]").evaluate_all(
        "items => items.map(item => item.dataset.attention)"
    )
    want = []
    for spider in ("bisnis", "kompas"):
        last = max(
            (m for m in all_manifests if m["spider"] == spider), key=lambda m: m["started_at"]
        )
        if last["pages_skipped"].get("blocked"):
            want.append(f"{spider}:blocked")
    assert flagged == want


def page_output(page: Any) -> Path:
    return Path(page.url.removeprefix("file://")).parent


def check_charts(page: Any, site: str, all_manifests: list[dict[str, Any]], width: int) -> None:
    """Each chart is drawn, whole, with a label on every mark; the new articles per day are
    the manifests'."""
    section = page.locator(f'section[data-site="{site}"]')
    charts = ("articles-per-day", "articles-per-hour", "sections", "exported-per-day",
              "runs-per-day", "duration", "coverage", "boilerplate")  # fmt: skip
    for chart in charts:
        figure = section.locator(f'figure[data-chart="{chart}"]')
        marks = figure.locator("svg g.role-mark [role='graphics-symbol'][aria-label]")
        assert marks.count() > 0, f"{site}: {chart} has no mark"
        drawn = marks.evaluate_all(
            "marks => marks.filter(mark => { const box = mark.getBoundingClientRect();"
            " return box.width > 0 && box.height > 0; }).length"
        )
        assert drawn > 0, f"{site}: {chart} is not drawn"
        svg = figure.locator("svg").bounding_box()
        assert svg is not None and svg["x"] >= 0 and svg["x"] + svg["width"] <= width, chart
        assert figure.locator("figcaption").inner_text(), f"{site}: {chart} has no title"
        assert figure.locator("svg [aria-label*='-axis titled']").count() >= 1, "axis titles"
    labels = section.locator(
        'figure[data-chart="exported-per-day"] svg g.role-mark [role="graphics-symbol"]'
    ).evaluate_all("marks => marks.map(mark => mark.getAttribute('aria-label'))")
    shown = sum(int(label.rsplit(":", 1)[1]) for label in labels)
    assert shown == sum(m["items_exported"] for m in all_manifests if m["spider"] == site)
    assert all("; new articles: " in label for label in labels), labels


def check_runs_tables(page: Any, all_manifests: list[dict[str, Any]]) -> None:
    for manifest in all_manifests:
        run_id, spider = manifest["run_id"], manifest["spider"]
        section = page.locator(f'section[data-site="{spider}"]')
        cell = section.locator(f'td[data-run="{run_id}"][data-field="items_exported"]')
        assert cell.inner_text().split("\n")[-1].strip() == str(manifest["items_exported"])
        for reason, count in manifest["pages_skipped"].items():
            skipped = section.locator(f'[data-run="{run_id}"][data-field="skipped/{reason}"]')
            assert skipped.inner_text() == str(count)


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
