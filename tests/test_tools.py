"""Scrapy's own tools on this project: ``scrapy parse``, ``fetch``, ``shell`` and ``check`` run
against the replayed site, print what a Scrapy user expects, and never take the run lock,
recover feeds or touch the state or feeds (only ``scrapy crawl`` opens a run). They warn of
nothing: no component that is off, no deprecated Deferred (Scrapy 2.19's own parse command
returns one from the callbacks it wraps: newscrawl/commands/parse.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import ROOT, expected, run_scrapy

ITEM = expected()["1931001"]


def scrapy(
    proxy: ReplayProxy, output: Path, *arguments: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    settings = ["-s", f"NEWSCRAWL_OUTPUT_DIR={output}", "-s", "TELNETCONSOLE_ENABLED=False"]
    return run_scrapy(
        [*prefix, sys.executable, "-m", "scrapy", *arguments, *settings],
        {**os.environ, **proxy.env(), **OFFLINE_ENV},
        timeout=120,
    )


def warnings_in(log: str) -> list[str]:
    """The WARNING lines of a tool's log, and Python's warnings (a deprecation, say)."""
    return [line for line in log.splitlines() if " WARNING: " in line or "Warning:" in line]


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output folder with a run's leftovers in it: a tool must leave them as they are."""
    folder = tmp_path / "output"
    part = folder / "bisnis" / "2025-11-20" / "101010.jsonl.part"
    part.parent.mkdir(parents=True)
    part.write_text('{"article_id": "1"}\n', "utf-8")
    return folder


def untouched(output: Path) -> None:
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*")) == [
        "bisnis", "bisnis/2025-11-20", "bisnis/2025-11-20/101010.jsonl.part",
    ]  # fmt: skip


def test_scrapy_parse_prints_the_item_the_page_objects_read(
    bisnis_proxy: ReplayProxy, output: Path
) -> None:
    done = scrapy(bisnis_proxy, output, "parse", "--spider", "bisnis", ITEM["url"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Scraped Items" in done.stdout
    assert f"'article_id': '{ITEM['article_id']}'" in done.stdout
    assert repr(ITEM["title"]) in done.stdout
    assert warnings_in(done.stderr) == []
    untouched(output)


def test_scrapy_parse_with_the_news_spider_reads_any_article(
    bisnis_proxy: ReplayProxy, output: Path
) -> None:
    done = scrapy(bisnis_proxy, output, "parse", "--spider", "news", ITEM["url"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Scraped Items" in done.stdout
    assert repr(ITEM["title"]) in done.stdout and "'site': 'bisnis.com'" in done.stdout
    assert warnings_in(done.stderr) == []
    untouched(output)


def test_scrapy_parse_of_a_listing_page_follows_it_without_warnings(
    bisnis_proxy: ReplayProxy, output: Path
) -> None:
    """Two levels: the index page's article requests are parsed too."""
    url = "https://www.bisnis.com/index?categoryId=186&type=indeks&date=2025-11-20&page=1"
    done = scrapy(bisnis_proxy, output, "parse", "--spider", "bisnis", "-d", "2", url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'article_id':" in done.stdout
    assert warnings_in(done.stderr) == []
    untouched(output)


FAKETIME = shutil.which("faketime")
#: The reference days' morning after: "yesterday" (WIB) is 2025-11-20, a day of the fixtures.
MORNING_AFTER = ("faketime", "2025-11-21 03:00:00")


@pytest.fixture
def needs_faketime() -> None:
    if FAKETIME:
        return
    message = "faketime not found (apt-get install -y faketime; make setup installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def contracts_run(log: str) -> int:
    found = re.search(r"^Ran (\d+) contracts? in", log, re.MULTILINE)
    assert found, log[-3000:]
    return int(found.group(1))


@pytest.mark.usefixtures("needs_faketime")
def test_scrapy_check_runs_the_spiders_contracts_against_the_replayed_sites(
    site_proxies: Callable[[str], ReplayProxy], output: Path
) -> None:
    """``news`` reads an article (any site's: Bisnis.com's 915431 here), each site spider
    yesterday's index of all channels (the clock set to the morning after 2025-11-20)."""
    bisnis = site_proxies("bisnis")
    listed = scrapy(bisnis, output, "check", "-l", prefix=MORNING_AFTER)
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert listed.stdout.split() == [
        "bisnis", "*", "parse_index", "kompas", "*", "parse_index", "news", "*", "parse",
    ]  # fmt: skip
    done = scrapy(bisnis, output, "check", "-v", "bisnis", "news", prefix=MORNING_AFTER)
    assert done.returncode == 0, done.stderr[-3000:]
    assert contracts_run(done.stderr) == 5 and "\nOK" in done.stderr
    assert "date=2025-11-20" in " ".join(bisnis.urls())
    kompas = site_proxies("kompas")
    done = scrapy(kompas, output, "check", "kompas", prefix=MORNING_AFTER)
    assert done.returncode == 0, done.stderr[-3000:]
    assert contracts_run(done.stderr) == 2 and "\nOK" in done.stderr
    assert warnings_in(done.stderr) == []
    untouched(output)


@pytest.mark.usefixtures("needs_faketime")
def test_scrapy_check_fails_when_a_page_gives_what_it_should_not(
    site_proxies: Callable[[str], ReplayProxy], output: Path
) -> None:
    """The contracts check something: a day the replayed site has no index for (its 404)
    fails the index contract."""
    done = scrapy(
        site_proxies("bisnis"), output, "check", "bisnis",
        prefix=("faketime", "2024-01-02 03:00:00"),
    )  # fmt: skip
    assert done.returncode == 1
    assert "FAILED" in done.stderr


def test_scrapy_fetch_and_shell_touch_no_lock_state_or_feed(
    bisnis_proxy: ReplayProxy, output: Path
) -> None:
    fetched = scrapy(bisnis_proxy, output, "fetch", "--nolog", ITEM["url"])
    assert fetched.returncode == 0, fetched.stderr[-3000:]
    assert ITEM["title"] in fetched.stdout
    shell = scrapy(bisnis_proxy, output, "shell", ITEM["url"], "-c", "response.status")
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert shell.stdout.strip() == "200"
    assert "Recovered" not in fetched.stderr + shell.stderr
    assert warnings_in(shell.stderr) == []
    untouched(output)


def test_newscrawl_extract_of_a_saved_page() -> None:
    """The validation reads the spider's page_times and allows_undated: ``extract`` runs the
    pipelines with a stand-in crawler that has no spider (it raised AttributeError)."""
    page = (
        ROOT
        / "tests"
        / "fixtures"
        / "bisnis"
        / "site"
        / (
            "kabar24.bisnis.com_read_20190424_19_915431_naik-kereta-api-pribadi-kim-jong-un-temui-putin.html"
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl", "extract", str(page)],
        cwd=ROOT, env={**os.environ, **OFFLINE_ENV},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert '"article_id": "915431"' in done.stdout and "Traceback" not in done.stderr
