"""Cron-grade runs end to end: kill -9 at any moment, one run at a time, health, manifest."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.replay import ReplayProxy
from tests.sitegen import BISNIS, Generated, SiteBuilder, generate_site, index_url
from tests.support import (
    ROOT,
    notes,
    published_items,
    run_crawl,
    sha256_of,
    start_crawl,
    wait_until,
)

#: Slow enough that a kill lands mid-run: a little latency per page, two requests at a time.
SLOW = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
#: SLOW, each host's requests 0.15 s apart: the run lasts 10 s or more however
#: fast the machine, so runs started while it works find it there.
PACED = {**SLOW, "DOWNLOAD_DELAY": "0.15", "RANDOMIZE_DOWNLOAD_DELAY": "False"}
SLOW_ARTICLE = 75  # position of the article that takes seconds to download


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, ReplayProxy]]:
    site = generate_site(
        tmp_path_factory.mktemp("big") / "site",
        150,
        per_day=75,
        per_page=15,
        slow={SLOW_ARTICLE: 4.0} | {n: 0.01 for n in range(150) if n != SLOW_ARTICLE},
    )
    with ReplayProxy(site.root, lifetime=900) as proxy:
        yield site, proxy


def days(site: Generated) -> dict[str, str]:
    return {"since": str(site.days[0]), "until": str(site.days[-1])}


def part_lines(output: Path) -> int:
    return sum(part.read_bytes().count(b"\n") for part in output.glob("bisnis/*/*.jsonl.part"))


def kill_when(
    site: tuple[Generated, ReplayProxy], output: Path, condition: Callable[[], bool]
) -> bool:
    """Start a crawl, SIGKILL it once ``condition`` holds; True if it was still running."""
    generated, proxy = site
    process = start_crawl(
        "bisnis",
        days(generated),
        output_dir=output,
        proxy_env=proxy.env(),
        log=output.parent / f"{output.name}.log",
        settings=SLOW,
    )
    try:
        wait_until(lambda: condition() or process.poll() is not None)
    finally:
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
    return running


def finish(site: tuple[Generated, ReplayProxy], output: Path) -> str:
    generated, proxy = site
    result = run_crawl(
        "bisnis", days(generated), output_dir=output, proxy_env=proxy.env(), default_feed=True
    )
    assert result.returncode == 0, result.log[-3000:]
    return result.log


def assert_each_article_once(generated: Generated, output: Path) -> None:
    items = published_items(output)  # every line of every complete feed parses as JSON
    counts = Counter(item["article_id"] for item in items)
    assert set(counts) == set(generated.articles), "an article was lost"
    assert max(counts.values()) == 1, f"exported twice: {[a for a, n in counts.items() if n > 1]}"
    assert not list(output.glob("bisnis/*/*.part")) and not list(output.glob("bisnis/*/*.tmp"))


def test_kill_after_some_items_then_rerun(big_site: Any, tmp_path: Path) -> None:
    output = tmp_path / "out"
    assert kill_when(big_site, output, lambda: part_lines(output) >= 20)
    assert part_lines(output) >= 20, "the kill should leave a partial feed"
    log = finish(big_site, output)
    assert "Recovered" in log
    assert_each_article_once(big_site[0], output)
    manifests = [json.loads(p.read_text()) for p in output.glob("bisnis/runs/*.json")]
    assert len(manifests) == 1 and manifests[0]["recovered_feeds"][0]["lines"] >= 20


def test_kill_during_a_slow_download_then_rerun(big_site: Any, tmp_path: Path) -> None:
    generated, proxy = big_site
    output = tmp_path / "out"
    slow_url = list(generated.articles.values())[SLOW_ARTICLE]
    proxy.clear()
    assert kill_when(big_site, output, lambda: proxy.count(slow_url) > 0)
    assert proxy.count(slow_url) == 1
    finish(big_site, output)
    assert_each_article_once(generated, output)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_repeated_kills_at_random_moments(big_site: Any, tmp_path: Path, seed: int) -> None:
    chooser = random.Random(seed)
    output = tmp_path / "out"
    killed_mid_run = 0
    for _ in range(3):
        deadline = time.monotonic() + chooser.uniform(0.3, 4.0)
        killed_mid_run += kill_when(big_site, output, lambda end=deadline: time.monotonic() > end)
    assert killed_mid_run == 3
    finish(big_site, output)
    assert_each_article_once(big_site[0], output)


def test_a_rerun_on_an_unchanged_site_fetches_index_pages_only(
    big_site: Any, tmp_path: Path
) -> None:
    generated, proxy = big_site
    output = tmp_path / "out"
    finish(big_site, output)
    proxy.clear()
    log = finish(big_site, output)
    requested = [u for u in proxy.urls() if not u.endswith("robots.txt")]
    assert sorted(requested) == sorted(index_url(day, 1) for day in generated.days)
    assert "newscrawl/discovery/early_stop': 2" in log
    manifest = max(output.glob("bisnis/runs/*.json")).read_text()
    assert json.loads(manifest)["items_exported"] == 0
    assert_each_article_once(generated, output)


def locked_out_run(generated: Generated, output: Path, proxy: ReplayProxy) -> Any:
    return run_crawl(
        "bisnis", days(generated), output_dir=output, proxy_env=proxy.env(), default_feed=True
    )


def test_concurrent_runs_one_at_a_time(big_site: Any, tmp_path: Path) -> None:
    generated, proxy = big_site
    output = tmp_path / "out"
    first = start_crawl(
        "bisnis", days(generated), output_dir=output, proxy_env=proxy.env(),
        log=tmp_path / "first.log", settings=PACED,
    )  # fmt: skip
    try:
        wait_until(lambda: part_lines(output) > 0)
        with ReplayProxy(generated.root, lifetime=120) as other_proxy:
            with ThreadPoolExecutor(2) as pool:  # both at once, while the first still runs
                others = list(
                    pool.map(lambda _: locked_out_run(generated, output, other_proxy), range(2))
                )
            assert first.poll() is None, "the first run ended before the others were locked out"
            assert other_proxy.urls() == [], "a locked-out run fetched something"
        for other in others:
            assert other.returncode == 75
            errors = [line for line in other.log.splitlines() if " ERROR: " in line]
            assert len(errors) == 1 and "another run is in progress" in errors[0]
    finally:
        assert first.wait(timeout=120) == 0
    assert_each_article_once(generated, output)


def test_killed_run_does_not_block_the_next(big_site: Any, tmp_path: Path) -> None:
    output = tmp_path / "out"
    assert kill_when(big_site, output, lambda: (output / "bisnis" / "run.lock").exists())
    assert (output / "bisnis" / "run.lock").exists()
    finish(big_site, output)
    assert_each_article_once(big_site[0], output)


# --- health --------------------------------------------------------------------------------


def drifted_site(tmp_path: Path) -> Path:
    site = SiteBuilder(BISNIS, tmp_path / "drifted")
    changed = site.rewrite(
        lambda url: "/read/" in url,
        lambda html: html.replace("detailsTitleCaption", "articleHeadline").replace(
            "detailsContent", "articleBody"
        ),
    )
    assert changed > 30
    return site.save()


def test_markup_drift_fails_the_run_and_names_the_fields(tmp_path: Path) -> None:
    with ReplayProxy(drifted_site(tmp_path), lifetime=120) as proxy:
        result = run_crawl(
            "bisnis", {"since": "2025-11-20", "browser": "never"}, output_dir=tmp_path / "out",
            proxy_env=proxy.env(),
        )  # fmt: skip
    assert result.returncode == 3
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    unhealthy = [line for line in errors if " ERROR: Unhealthy run" in line]
    # the health check's line, then the crawl's last line saying how it went
    assert errors[:-1] == unhealthy and "exit status 3" in errors[-1], errors
    [error] = unhealthy
    assert "title on 15 of 16" in error and "body on 15 of 16" in error
    assert "published_at" not in error
    assert published_items(tmp_path / "out") == [], "a drifted run must not publish"
    assert result.items == [] and not result.feed.exists(), "nor deliver its -O feed"
    assert list((tmp_path / "out").glob("bisnis/*/*.jsonl.rejected"))
    assert "Withheld 1 article(s)" in result.log
    manifest = json.loads(next((tmp_path / "out").glob("bisnis/runs/*.json")).read_text())
    assert manifest["exit_status"] == 3 and not manifest["health"]["ok"]


def test_empty_day_is_healthy(tmp_path: Path) -> None:
    site = SiteBuilder(BISNIS, tmp_path / "site")
    empty = site.body(index_url_of("2025-11-20", 2))
    start = empty.index('<div class="list-news indeks-new">')
    end = empty.index('<ol class="pagingList')
    page = empty[: empty.index("\n", start) + 1] + "</div>\n" + empty[end:]
    page = page.replace('id="total_page" value="2"', 'id="total_page" value="0"')
    site.put(index_url_of("2025-11-19", 1), page.replace("dari 2 halaman", "dari 0 halaman"))
    with ReplayProxy(site.save(), lifetime=120) as proxy:
        result = run_crawl(
            "bisnis", {"since": "2025-11-19"}, output_dir=tmp_path / "out", proxy_env=proxy.env()
        )
    assert result.returncode == 0, result.log[-3000:]
    assert result.items == [] and " ERROR: " not in result.log


def index_url_of(day: str, page: int) -> str:
    return f"https://www.bisnis.com/index?categoryId=0&type=indeks&date={day}&page={page}"


def test_a_run_where_every_request_fails_is_unhealthy(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {"since": "2024-01-01"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env()
    )
    assert result.returncode == 3
    assert "Unhealthy run: all 1 requests failed" in result.log


# --- manifest ------------------------------------------------------------------------------


def test_manifest_of_the_reference_crawl(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    result = run_crawl(
        "bisnis", {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"},
        output_dir=tmp_path, proxy_env=bisnis_proxy.env(), default_feed=True,
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    [path] = list(tmp_path.glob("bisnis/runs/*.json"))
    manifest = json.loads(path.read_text("utf-8"))
    assert manifest["spider"] == "bisnis" and manifest["finish_reason"] == "finished"
    assert manifest["arguments"] == {
        "since": "2025-11-20",
        "until": "2025-11-21",
        "browser": "never",
    }
    assert manifest["items_exported"] == 32
    assert manifest["items_dropped"] == {"duplicate_content": 1}
    blocked = 1 + len(notes()["js_gate"])
    assert manifest["pages_skipped"] == {"blocked": blocked, "not_found": 1}
    assert manifest["boilerplate_drops"]["bisnis.com/google_news_cta"] > 0
    assert set(manifest["boilerplate_drops"]) <= {
        f"bisnis.com/{rule}"
        for rule in ("bisnispro_promo", "google_news_cta", "investment_disclaimer", "premium_cta",
                     "read_also", "watch_video", "embed_caption")
    }  # fmt: skip
    coverage = manifest["field_coverage"]
    assert coverage["section"] == 1.0 and 0 < coverage["lead"] < 1 and 0 < coverage["editor"] < 1
    [feed] = manifest["feeds"]
    published = tmp_path / feed["path"]
    assert feed["lines"] == 32 == len(published.read_text("utf-8").splitlines())
    assert feed["sha256"] == sha256_of(published)
    assert manifest["requests_per_new_article"] == round(manifest["requests"] / 32, 2)
    assert manifest["health"] == {"ok": True, "failures": []} and manifest["exit_status"] == 0
    assert manifest["started_at"] <= manifest["finished_at"]
    whole = datetime.fromisoformat(manifest["finished_at"]) - datetime.fromisoformat(
        manifest["started_at"]
    )
    assert 0 < manifest["duration_seconds"] <= whole.total_seconds() + 1


def test_cron_wrapper_logs_each_run_and_passes_the_exit_status(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    env = {
        **bisnis_proxy.env(),
        "NEWSCRAWL_OUTPUT_DIR": str(tmp_path),
        "NEWSCRAWL_LOG_DIR": str(tmp_path / "logs"),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [str(ROOT / "scripts" / "cron-crawl.sh"), "bisnis", "-a", "since=2025-11-21",
         "-a", "channels=43"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    [log] = list((tmp_path / "logs" / "bisnis").glob("*/*.log"))
    assert "Spider closed (finished)" in log.read_text()
    bad = subprocess.run(
        [str(ROOT / "scripts" / "cron-crawl.sh"), "bisnis", "-a", "since=nope"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode == 2


# --- incremental paging never skips what is left over ---------------------------------------


def small_site(tmp_path: Path) -> Generated:
    return generate_site(tmp_path / "site", 45, per_day=45, per_page=15)


def test_an_index_page_that_failed_is_paged_again(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    page2 = index_url(site.days[0], 2)
    output = tmp_path / "out"
    with ReplayProxy(site.root, lifetime=120, faults={page2: ["http_500"] * 3}) as proxy:
        first = run_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=output,
            proxy_env=proxy.env(), default_feed=True,
        )  # fmt: skip
        assert first.returncode == 0, first.log[-3000:]
        assert "newscrawl/skipped/index_http_500': 1" in first.log
        second = run_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=output,
            proxy_env=proxy.env(), default_feed=True,
        )  # fmt: skip
        assert second.returncode == 0, second.log[-3000:]
    assert_each_article_once(site, output)
    assert "early_stop" not in second.log, "the failed index must not be paged incrementally"


def test_an_index_that_grows_while_paged_gets_its_new_tail(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    builder = SiteBuilder(site.root, tmp_path / "grown")
    day = site.days[0]
    for page, says in ((1, 2), (2, 3)):  # page 1 was read before the index grew to 3 pages
        html = builder.body(index_url(day, page))
        html = html.replace('id="total_page" value="3"', f'id="total_page" value="{says}"')
        builder.put(index_url(day, page), html.replace("dari 3 halaman", f"dari {says} halaman"))
    with ReplayProxy(builder.save(), lifetime=120) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(day)}, output_dir=tmp_path / "out",
            proxy_env=proxy.env(), default_feed=True,
        )  # fmt: skip
        assert index_url(day, 3) in proxy.urls()
    assert result.returncode == 0, result.log[-3000:]
    assert_each_article_once(site, tmp_path / "out")
