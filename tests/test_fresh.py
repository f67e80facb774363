"""``-O FILE`` as users expect it, and ``-a fresh=1``.

A crawl with ``-O`` is still a run of the output folder: it exports only what no earlier run
exported, and writes the run's own feed and manifest there too. So a repeated ``-O`` gave a
0-byte file with no word of why; now one WARNING says why and names ``-a fresh=1``: a one-off
run that neither reads nor writes the output folder (state, feeds, manifests, lock) and
delivers its articles to the user's feed only, from a throwaway folder it removes."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from tests.replay import ReplayProxy
from tests.support import assert_refused, run_crawl, start_crawl, wait_until

ARGS = {"since": "2025-11-20", "channels": "186", "browser": "never"}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_repeated_o_says_why_it_is_empty_and_fresh_gives_the_articles_again(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    scratch = tmp_path / "tmp"  # the crawls' TMPDIR: a fresh run's folder must not stay
    scratch.mkdir()
    env = {**bisnis_proxy.env(), "TMPDIR": str(scratch)}
    first = run_crawl("bisnis", ARGS, output_dir=output, proxy_env=env, feed=tmp_path / "a.jsonl")
    assert first.returncode == 0, first.log[-3000:]
    assert first.items

    again = run_crawl("bisnis", ARGS, output_dir=output, proxy_env=env, feed=tmp_path / "b.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert again.items == [] and again.feed.read_bytes() == b""
    [warning] = [line for line in again.log.splitlines() if " WARNING: " in line]
    assert str(tmp_path / "b.jsonl") in warning and "got no article" in warning
    assert "exported by earlier runs" in warning and "-a fresh=1" in warning

    before = snapshot(output)
    bisnis_proxy.reset()
    fresh = run_crawl(
        "bisnis", {**ARGS, "fresh": "1"}, output_dir=output, proxy_env=env,
        feed=tmp_path / "c.jsonl",
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.log[-3000:]
    assert sorted(i["article_id"] for i in fresh.items) == sorted(
        i["article_id"] for i in first.items
    ), "a fresh run gives every article its arguments select"
    assert snapshot(output) == before, "a fresh run reads and writes nothing of the output folder"
    assert list(scratch.iterdir()) == [], "its throwaway folder is removed"
    assert " WARNING: " not in fresh.log
    assert "(a fresh run: the output folder untouched) — exit status 0" in fresh.log


def test_the_hint_of_a_repeated_o_over_two_days_counts_nothing_wrong(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """Over the two reference days the repeated run meets 24 of the 32 articles exported
    before (paging stops at a page that lists nothing new): the hint must not say "the 24
    article(s) these arguments select". It names no count, and says why the articles are
    not fetched (exported, or failed recently: the 403 and 404 pages)."""
    days = {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"}
    output = tmp_path / "out"
    first = run_crawl(
        "bisnis", days, output_dir=output, proxy_env=bisnis_proxy.env(), feed=tmp_path / "a.jsonl"
    )
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.items) == 32
    bisnis_proxy.reset()
    again = run_crawl(
        "bisnis", days, output_dir=output, proxy_env=bisnis_proxy.env(), feed=tmp_path / "b.jsonl"
    )
    assert again.returncode == 0, again.log[-3000:]
    assert again.items == [] and again.feed.read_bytes() == b""
    [warning] = [line for line in again.log.splitlines() if " WARNING: " in line]
    counts = [int(n) for n in re.findall(r"(\d+) article", warning)]
    assert all(count == len(first.items) for count in counts), warning
    assert "got no article: the articles these arguments select were exported by earlier " in (
        warning
    )
    assert "(or failed recently, and are not asked again yet)" in warning
    assert "-a fresh=1" in warning


def test_a_fresh_run_runs_beside_a_run_holding_the_lock(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """It takes no lock of the output folder's: a cron run going on is not disturbed."""
    from newscrawl.state import lock_for

    lock = lock_for(tmp_path, "bisnis")
    lock.acquire()
    try:
        fresh = run_crawl(
            "bisnis", {**ARGS, "fresh": "1"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env(),
            feed=tmp_path / "one-off.jsonl",
        )  # fmt: skip
    finally:
        lock.release()
    assert fresh.returncode == 0, fresh.log[-3000:]
    assert fresh.items


def test_fresh_without_a_feed_of_ones_own_is_refused(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**ARGS, "fresh": "1"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env(),
        default_feed=True,
    )  # fmt: skip
    assert_refused(result, bisnis_proxy.urls(), tmp_path, "give it a feed of yours, -O FILE")


def test_a_bad_fresh_value_is_refused(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = run_crawl(
        "bisnis", {**ARGS, "fresh": "maybe"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env()
    )
    assert_refused(result, bisnis_proxy.urls(), tmp_path, "fresh='maybe' is not 0 or 1")


def test_a_killed_fresh_runs_folder_is_removed_by_the_next_fresh_run(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """SIGKILL leaves a fresh run no time to remove its folder; the next fresh run removes it
    (its process is gone) and says so, and removes its own at its end."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**bisnis_proxy.env(), "TMPDIR": str(scratch)}
    killed = start_crawl(
        "bisnis", {**ARGS, "fresh": "1"}, output_dir=tmp_path / "out", proxy_env=env,
        log=tmp_path / "killed.log", feed=tmp_path / "killed.jsonl",
        settings={"DOWNLOAD_DELAY": "2"},  # still crawling when killed
    )  # fmt: skip
    try:
        wait_until(lambda: len(bisnis_proxy.urls()) > 2)  # mid-crawl
    finally:
        killed.kill()
        killed.wait(timeout=30)
    [left] = list(scratch.iterdir())
    assert left.name.startswith(f"newscrawl-fresh-{killed.pid}-") and left.is_dir()

    bisnis_proxy.reset()
    again = run_crawl(
        "bisnis", {**ARGS, "fresh": "1"}, output_dir=tmp_path / "out", proxy_env=env,
        feed=tmp_path / "again.jsonl",
    )  # fmt: skip
    assert again.returncode == 0, again.log[-3000:]
    assert again.items
    assert f"it works in {scratch}{os.sep}newscrawl-fresh-" in again.log, "not in TMPDIR"
    assert f"removed 1 fresh folder(s) left in {scratch} by killed runs" in again.log
    assert list(scratch.iterdir()) == [], "the killed run's folder and its own are removed"
