"""The default window: a run without dates covers yesterday, today and every earlier day (back to
``NEWSCRAWL_CATCHUP_DAYS``) whose index was not paged to its end after the day was over.

The end-to-end tests fake the crawler's clock with libfaketime (Debian's ``faketime``) and serve
a generated site that grows between runs, as a real index does around midnight.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl.arguments import default_window
from newscrawl.sites.bisnis import URLS
from tests.replay import ReplayProxy
from tests.sitegen import BISNIS, SiteBuilder, generate_site
from tests.support import CrawlResult, published_items, run_crawl

#: After 2025-11-20, the publication date of the template page every generated article shows
#: (a later one is refused as a date in the future).
TODAY = date(2025, 11, 24)


def test_window_is_yesterday_and_today_when_earlier_days_are_closed() -> None:
    assert default_window(TODAY, 3, lambda day: True) == (TODAY - timedelta(days=1), TODAY)


def test_window_reaches_back_to_open_days_within_the_bound() -> None:
    open_days = {TODAY - timedelta(days=3), TODAY - timedelta(days=5)}
    window = default_window(TODAY, 3, lambda day: day not in open_days)
    assert window == (TODAY - timedelta(days=3), TODAY - timedelta(days=1), TODAY)


def test_window_never_drops_yesterday_or_today() -> None:
    assert default_window(TODAY, 0, lambda day: False) == (TODAY - timedelta(days=1), TODAY)
    assert default_window(TODAY, 1, lambda day: False) == (TODAY - timedelta(days=1), TODAY)


def test_window_with_no_day_closed_covers_the_whole_bound() -> None:
    window = default_window(TODAY, 4, lambda day: False)
    assert window == tuple(TODAY - timedelta(days=n) for n in range(4, -1, -1))


# -- end to end, with the clock faked -------------------------------------------------------------

FAKETIME = shutil.which("faketime")
#: WIB is UTC+7; the crawl subprocess runs with TZ=UTC and this clock.
WIB_OFFSET = timedelta(hours=7)


@pytest.fixture(scope="module", autouse=True)
def needs_faketime() -> None:
    if FAKETIME:
        return
    message = "faketime not found (apt-get install -y faketime; make setup installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def make_site(dst: Path, counts: dict[date, int]) -> Path:
    """A Bisnis-like site with ``counts[day]`` articles on each day's index, newest first.

    Article ids depend only on the day and the article's place in it, so a later version of the
    site (more articles on a day) serves the same pages for the articles both versions have.
    """
    builder = SiteBuilder(BISNIS, dst)
    for day, count in counts.items():
        part = dst.parent / f"{dst.name}-{day}"
        first_id = 4_000_000 + (day - date(2025, 1, 1)).days * 1_000
        generate_site(part, count, per_day=count, per_page=10, first_day=day, first_id=first_id)
        for entry in json.loads((part / "manifest.json").read_text("utf-8")):
            if entry["file"].startswith("gen_"):
                body = (part / "site" / entry["file"]).read_bytes()
                builder.put(entry["url"], body, **{k: v for k, v in entry.items() if k == "delay"})
    return builder.save()


def crawl_at(site: Path, output: Path, wib: datetime) -> tuple[CrawlResult, list[str]]:
    """A cron-like run (no dates) with the crawler's clock at ``wib`` (WIB), and what it asked
    the site for."""
    utc = (wib - WIB_OFFSET).strftime("%Y-%m-%d %H:%M:%S")
    with ReplayProxy(site, lifetime=300) as proxy:
        env = {**proxy.env(), "TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        result = run_crawl(
            "bisnis", {"browser": "never"}, output_dir=output, proxy_env=env,
            default_feed=True, prefix=(str(FAKETIME), utc),
        )  # fmt: skip
        return result, proxy.urls()


def ids_of(site: Path) -> set[str]:
    """The generated articles a site serves."""
    entries = json.loads((site / "manifest.json").read_text("utf-8"))
    return {
        article_id
        for entry in entries
        if entry["file"].startswith("gen_")
        and (article_id := URLS.article_id(entry["url"])) is not None
    }


def exported_once(output: Path) -> Counter[str]:
    """How often each article id stands in the run's complete feeds."""
    return Counter(item["article_id"] for item in published_items(output))


def index_days(urls: list[str]) -> set[str]:
    return {url.split("date=")[1][:10] for url in urls if "/index?" in url}


def crawled_days(result: CrawlResult) -> str:
    return next(line for line in result.log.splitlines() if "Crawling " in line)


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time())


def test_runs_at_23_05_and_00_10_export_every_article_of_the_day_once(tmp_path: Path) -> None:
    day = TODAY
    before = {day - timedelta(days=n): 4 for n in (3, 2, 1)}
    evening = make_site(tmp_path / "evening", {**before, day: 25})
    # between the runs: five more articles on the day's index, and a new day begins
    night = make_site(tmp_path / "night", {**before, day: 30, day + timedelta(days=1): 3})
    output = tmp_path / "out"
    first, _ = crawl_at(evening, output, at(day, "23:05"))
    assert first.returncode == 0, first.log[-3000:]
    assert set(exported_once(output)) == ids_of(evening)
    second, urls = crawl_at(night, output, at(day + timedelta(days=1), "00:10"))
    assert second.returncode == 0, second.log[-3000:]
    # yesterday (the old day) and today; the older days were closed by the 23:05 run
    tomorrow = day + timedelta(days=1)
    assert index_days(urls) == {str(day), str(tomorrow)}
    assert f"{day}, {tomorrow}" in crawled_days(second)
    manifests = sorted((output / "bisnis" / "runs").glob("*.json"))
    assert [json.loads(m.read_text("utf-8"))["days"] for m in manifests] == [
        [str(day - timedelta(days=n)) for n in (3, 2, 1, 0)],
        [str(day), str(tomorrow)],
    ]
    counts = exported_once(output)
    assert set(counts) == ids_of(night) and max(counts.values()) == 1
    # the old day cost its first index page and the page after the new rows, no more
    assert sum(1 for url in urls if f"date={day}" in url) <= 2


def test_a_run_after_a_missed_evening_catches_up(tmp_path: Path) -> None:
    day = TODAY
    older = {day - timedelta(days=4): 2, day - timedelta(days=3): 4, day - timedelta(days=2): 4}
    noon = make_site(tmp_path / "noon", {**older, day - timedelta(days=1): 2})
    # the machine was down from noon on the day before to 00:10 on the day after
    later = {**older, day - timedelta(days=1): 4, day: 30, day + timedelta(days=1): 3}
    night = make_site(tmp_path / "night", later)
    output = tmp_path / "out"
    first, _ = crawl_at(noon, output, at(day - timedelta(days=1), "12:00"))
    assert first.returncode == 0, first.log[-3000:]
    second, urls = crawl_at(night, output, at(day + timedelta(days=1), "00:10"))
    assert second.returncode == 0, second.log[-3000:]
    # the day before was paged before it was over: caught up with the day and the next
    assert index_days(urls) == {str(day + timedelta(days=n)) for n in (-1, 0, 1)}
    counts = exported_once(output)
    assert set(counts) == ids_of(night) and max(counts.values()) == 1


def test_catch_up_is_bounded_by_the_setting(tmp_path: Path) -> None:
    day = TODAY
    site = make_site(tmp_path / "site", {day - timedelta(days=n): 2 for n in range(6)})
    output = tmp_path / "out"
    with ReplayProxy(site, lifetime=300) as proxy:
        env = {**proxy.env(), "TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        utc = (at(day, "10:00") - WIB_OFFSET).strftime("%Y-%m-%d %H:%M:%S")
        result = run_crawl(
            "bisnis", {"browser": "never"}, output_dir=output, proxy_env=env,
            default_feed=True, prefix=(str(FAKETIME), utc),
            settings={"NEWSCRAWL_CATCHUP_DAYS": "4"},
        )  # fmt: skip
        urls = proxy.urls()
    assert result.returncode == 0, result.log[-3000:]
    assert index_days(urls) == {str(day - timedelta(days=n)) for n in range(5)}
