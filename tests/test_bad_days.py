"""Bad days, whole crawls (issue 10, "Hostile sites and bad days"), each reproduced the way it
was found: a forced shutdown, a lost or damaged state, a clock set wrong, a full disk, a locked
state and an output folder that cannot be written. In process: test_state_safety.py."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.sites.bisnis import URLS
from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site
from tests.support import (
    CrawlResult,
    notes,
    published_items,
    run_crawl,
    start_crawl,
    stat,
    wait_until,
)

#: Two requests at a time, so that a run is still going when the test acts.
SLOW = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
#: The two reference days, without the browser.
DAYS = {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"}
HUNG_ARTICLE = 40  # position of the article whose first request hangs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_site(tmp_path_factory.mktemp("bad-days") / "site", 60, per_day=60, per_page=15)


@pytest.fixture
def hung(site: Generated) -> Iterator[tuple[ReplayProxy, str]]:
    """The generated site where one article's first request hangs for a minute."""
    url = list(site.articles.values())[HUNG_ARTICLE]
    with ReplayProxy(site.root, lifetime=300, hang_seconds=60, faults={url: ["hang"]}) as proxy:
        yield proxy, url


def errors_of(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR: " in line]


def manifests(output: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(output.glob("bisnis/runs/*"))]


def assert_each_article_once(site: Generated, output: Path) -> None:
    counts = Counter(item["article_id"] for item in published_items(output))
    assert set(counts) == set(site.articles), "an article was lost"
    assert max(counts.values()) == 1, f"exported twice: {[a for a, n in counts.items() if n > 1]}"
    assert not list(output.glob("bisnis/*/*.part"))


def crawl_site(site: Generated, output: Path, proxy: ReplayProxy, **kwargs: Any) -> CrawlResult:
    return run_crawl(
        "bisnis", {"since": str(site.days[0])}, output_dir=output, proxy_env=proxy.env(),
        **{"default_feed": True, **kwargs},
    )  # fmt: skip


def reference_crawl(output: Path, proxy: ReplayProxy, **kwargs: Any) -> CrawlResult:
    return run_crawl(
        "bisnis", DAYS, output_dir=output, proxy_env=proxy.env(), **{"default_feed": True, **kwargs}
    )


# --- 5. a forced shutdown ------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_forced_shutdown_exits_3_with_a_manifest_and_the_next_run_recovers(
    site: Generated, hung: tuple[ReplayProxy, str], tmp_path: Path, signum: int
) -> None:
    proxy, hung_url = hung
    output = tmp_path / "out"
    process = start_crawl(
        "bisnis", {"since": str(site.days[0])}, output_dir=output, proxy_env=proxy.env(),
        log=tmp_path / "first.log", settings=SLOW,
    )  # fmt: skip
    try:
        wait_until(lambda: proxy.count(hung_url) > 0 and bool(list(output.glob("bisnis/*/*.part"))))
        process.send_signal(signum)  # a graceful stop: it waits for the hung request...
        time.sleep(1)
        process.send_signal(signum)  # ... so the supervisor signals again
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = (tmp_path / "first.log").read_text()
    assert "forcing unclean shutdown" in log
    assert returncode == 3, log[-3000:]
    [manifest] = manifests(output)
    assert manifest["finish_reason"] == "unclean_shutdown" and manifest["exit_status"] == 3
    assert manifest["health"]["failures"] == [
        "the crawl did not finish normally (reason: unclean_shutdown)"
    ]
    assert manifest["feeds"] == [] and published_items(output) == [], "nothing is published"
    [part] = list(output.glob("bisnis/*/*.jsonl.part"))
    assert manifest["left_for_recovery"] == str(part)
    assert "Traceback" not in log
    second = crawl_site(site, output, proxy)
    assert second.returncode == 0, second.log[-3000:]
    assert "Recovered" in second.log
    assert_each_article_once(site, output)


def test_a_graceful_shutdown_publishes_and_exits_3(
    site: Generated, hung: tuple[ReplayProxy, str], tmp_path: Path
) -> None:
    proxy, hung_url = hung
    output = tmp_path / "out"
    process = start_crawl(
        "bisnis", {"since": str(site.days[0])}, output_dir=output, proxy_env=proxy.env(),
        log=tmp_path / "first.log", settings={**SLOW, "DOWNLOAD_TIMEOUT": "3"},
    )  # fmt: skip
    try:
        wait_until(lambda: proxy.count(hung_url) > 0)
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert returncode == 3
    [manifest] = manifests(output)
    assert manifest["finish_reason"] == "shutdown" and manifest["exit_status"] == 3
    assert manifest["items_exported"] == len(published_items(output)) > 0
    assert manifest["left_for_recovery"] is None


# --- 6. an empty state -------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["truncated", "deleted"])
def test_an_emptied_state_is_rebuilt_from_the_feeds_and_nothing_goes_out_twice(
    bisnis_proxy: ReplayProxy, tmp_path: Path, loss: str
) -> None:
    first = reference_crawl(tmp_path, bisnis_proxy)
    assert first.returncode == 0, first.log[-3000:]
    exported = len(published_items(tmp_path))
    assert exported == 32
    state = tmp_path / "bisnis" / "state.sqlite3"
    if loss == "truncated":
        state.write_bytes(b"")  # truncated to 0 bytes
    else:
        state.unlink()
    bisnis_proxy.reset()
    second = reference_crawl(tmp_path, bisnis_proxy)
    assert second.returncode == 0, second.log[-3000:]
    warnings = [line for line in second.log.splitlines() if "rebuilt it from" in line]
    assert len(warnings) == 1 and " WARNING: " in warnings[0]
    assert "was missing or empty: rebuilt it from 1 committed feed(s)" in warnings[0]
    assert "(32 articles)" in warnings[0]
    counts = Counter(item["article_id"] for item in published_items(tmp_path))
    assert len(counts) == 32 and max(counts.values()) == 1, "an article was exported twice"
    exported_urls = {item["url"] for item in published_items(tmp_path)}
    refetched = {url for url in bisnis_proxy.urls() if URLS.is_article(url)}
    assert not refetched & exported_urls, "an exported article was fetched again"
    second_manifest = manifests(tmp_path)[-1]
    assert second_manifest["items_exported"] == 0
    assert second_manifest["rebuilt_state"] == {
        "feeds": 1,
        "articles": 32,
        "state_was_empty": True,
    }


# --- 7. a damaged state interior, and callbacks that all raise ---------------------------------


def test_a_state_with_a_zeroed_interior_stops_the_run_before_any_request(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    first = reference_crawl(tmp_path, bisnis_proxy)
    assert first.returncode == 0, first.log[-3000:]
    state = tmp_path / "bisnis" / "state.sqlite3"
    data = bytearray(state.read_bytes())
    third = len(data) // 3
    assert data[:16] == b"SQLite format 3\x00"
    data[third : 2 * third] = bytes(third)  # the middle third zeroed, the header intact
    state.write_bytes(bytes(data))
    bisnis_proxy.reset()
    second = reference_crawl(tmp_path, bisnis_proxy)
    assert second.returncode == 2
    [error] = errors_of(second.log)
    assert str(state) in error and "malformed" in error and "move it aside" in error
    assert bisnis_proxy.urls() == []
    assert "Traceback" not in second.log


def test_a_run_whose_every_index_callback_raised_is_unhealthy(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """As found: the start-up check passed, then every index callback raised "database disk
    image is malformed" on the state's damaged pages; nothing was crawled, with exit 0."""
    result = reference_crawl(
        tmp_path,
        bisnis_proxy,
        settings={"NEWSCRAWL_STATE_CLASS": "tests.faulty_states.MalformedState"},
    )
    assert result.returncode == 3, result.log[-3000:]
    assert stat(result.log, "newscrawl/skipped/spider_error") == 2
    unhealthy = [line for line in errors_of(result.log) if "Unhealthy run" in line]
    assert len(unhealthy) == 1
    assert "every listing page's callback raised (2) (DatabaseError x2)" in unhealthy[0]
    [manifest] = manifests(tmp_path)
    assert manifest["exit_status"] == 3 and manifest["spider_exceptions"] == {"DatabaseError": 2}
    assert manifest["health"]["ok"] is False


# --- 9. a clock set wrong ----------------------------------------------------------------------


def test_backoffs_recorded_with_the_clock_a_year_ahead_are_expired(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    if shutil.which("faketime") is None:
        pytest.skip("faketime not found (make setup installs it)")
    ahead = reference_crawl(tmp_path, bisnis_proxy, prefix=("faketime", "-f", "+365d"))
    assert ahead.returncode == 0, ahead.log[-3000:]
    failures = recorded_failures(tmp_path)
    gone, blocked = notes()["faults"]["gone_404"], notes()["faults"]["blocked_403"]
    assert failures[gone][0] == "not_found" and failures[blocked][0] == "blocked"
    a_year_ahead = datetime.now(UTC) + timedelta(days=360)
    assert all(datetime.fromisoformat(at) > a_year_ahead for _, at in failures.values())
    bisnis_proxy.reset()
    right = reference_crawl(tmp_path, bisnis_proxy)  # the clock is put right
    assert right.returncode == 0, right.log[-3000:]
    fetched = {URLS.article_id(url) for url in bisnis_proxy.urls() if URLS.is_article(url)}
    assert {gone, blocked} <= fetched, "a back-off from the future pinned the article"
    assert stat(right.log, "newscrawl/discovery/backoff") == 0
    bisnis_proxy.reset()
    third = reference_crawl(tmp_path, bisnis_proxy)  # failed again, at a sane time: backed off
    fetched = {URLS.article_id(url) for url in bisnis_proxy.urls() if URLS.is_article(url)}
    assert third.returncode == 0 and not {gone, blocked} & fetched


def recorded_failures(output: Path) -> dict[str, tuple[str, str]]:
    """The state's failures: article id -> (reason, time recorded)."""
    db = sqlite3.connect(output / "bisnis" / "state.sqlite3")
    rows = db.execute("SELECT article_id, reason, last_at FROM failures").fetchall()
    db.close()
    return {str(article_id): (str(reason), str(at)) for article_id, reason, at in rows}


# --- 10. a full disk --------------------------------------------------------------------------


def test_an_O_feed_is_not_delivered_when_the_publish_failed(
    site: Generated, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    with ReplayProxy(site.root, lifetime=300) as proxy:
        full = crawl_site(
            site, output, proxy, default_feed=False, feed=tmp_path / "first.jsonl",
            settings={"NEWSCRAWL_STATE_CLASS": "tests.faulty_states.FullDiskState"},
        )  # fmt: skip
        assert full.returncode == 3, full.log[-3000:]
        assert any(
            "Could not publish the run's feed" in line and "database or disk is full" in line
            for line in errors_of(full.log)
        )
        assert not (tmp_path / "first.jsonl").exists(), "delivered without a commit"
        assert (tmp_path / "first.jsonl.rejected").exists()
        assert "Traceback" not in full.log
        second = crawl_site(site, output, proxy, default_feed=False, feed=tmp_path / "second.jsonl")
    assert second.returncode == 0, second.log[-3000:]
    assert "Recovered" in second.log
    assert_each_article_once(site, output)
    delivered = [item["article_id"] for item in second.items]
    assert len(delivered) == len(set(delivered)), "a user's feeds hold an article twice"


# --- 11. end-of-run writes --------------------------------------------------------------------


def test_a_state_locked_at_the_end_costs_seconds_and_exits_3(
    site: Generated, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    with ReplayProxy(site.root, lifetime=300) as proxy:
        process = start_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=output, proxy_env=proxy.env(),
            log=tmp_path / "first.log", settings=SLOW,
        )  # fmt: skip
        try:
            wait_until(lambda: bool(list(output.glob("bisnis/*/*.part"))))
            other = sqlite3.connect(output / "bisnis" / "state.sqlite3", isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")  # e.g. a backup or someone's sqlite3 shell
            other.execute("INSERT INTO meta VALUES ('backup', 'running')")
            locked_at = time.monotonic()
            returncode = process.wait(timeout=120)
            waited = time.monotonic() - locked_at
            other.execute("ROLLBACK")
            other.close()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        log = (tmp_path / "first.log").read_text()
        assert returncode == 3, log[-3000:]
        assert waited < 20, f"the locked state stalled the run for {waited:.0f} s"
        errors = errors_of(log)
        assert any("Could not publish" in line and "database is locked" in line for line in errors)
        assert any("Could not record the run" in line for line in errors)
        assert "Traceback" not in log
        [manifest] = manifests(output)
        assert manifest["exit_status"] == 3 and len(manifest["health"]["failures"]) == 2
        assert manifest["left_for_recovery"]
        second = crawl_site(site, output, proxy)
    assert second.returncode == 0, second.log[-3000:]
    assert_each_article_once(site, output)


def test_a_manifest_that_cannot_be_written_is_logged_and_exits_3(
    site: Generated, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    (output / "bisnis").mkdir(parents=True)
    (output / "bisnis" / "runs").write_bytes(b"")  # the runs folder cannot be made
    with ReplayProxy(site.root, lifetime=300) as proxy:
        result = crawl_site(site, output, proxy)
    assert result.returncode == 3, result.log[-3000:]
    errors = errors_of(result.log)
    assert any("Could not write the run manifest" in line for line in errors)
    [logged] = [line for line in errors if "The manifest of run" in line]
    manifest = json.loads(logged[logged.index("{") :])
    assert manifest["exit_status"] == 3 and manifest["items_exported"] == 60
    assert "Traceback" not in result.log
    db = sqlite3.connect(output / "bisnis" / "state.sqlite3")
    [(summary,)] = db.execute("SELECT summary FROM runs").fetchall()
    db.close()
    assert json.loads(summary)["exit_status"] == 3, "the state's run record says so too"
    assert_each_article_once(site, output)


def test_a_state_locked_after_the_commit_publishes_and_says_what_was_lost(
    site: Generated, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    with ReplayProxy(site.root, lifetime=300) as proxy:
        locked = crawl_site(
            site, output, proxy,
            settings={"NEWSCRAWL_STATE_CLASS": "tests.faulty_states.LockedAfterCommitState"},
        )  # fmt: skip
    assert locked.returncode == 3, locked.log[-3000:]
    errors = errors_of(locked.log)
    assert any("Published, but could not remember which indexes" in line for line in errors)
    assert not any("Could not publish" in line for line in errors), errors
    assert "Traceback" not in locked.log
    assert_each_article_once(site, output)  # the feed went out, committed
