"""Scrapy's own tools on this project: ``scrapy parse``, ``fetch`` and ``shell`` run against the
replayed site, print what a Scrapy user expects, and never take the run lock, recover feeds or
touch the state or feeds (only ``scrapy crawl`` opens a run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import ROOT, expected

ITEM = expected()["1931001"]


def scrapy(proxy: ReplayProxy, output: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    settings = ["-s", f"NEWSCRAWL_OUTPUT_DIR={output}", "-s", "TELNETCONSOLE_ENABLED=False"]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *arguments, *settings],
        cwd=ROOT, env={**os.environ, **proxy.env(), **OFFLINE_ENV},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


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
    untouched(output)


def test_scrapy_parse_with_the_news_spider_reads_any_article(
    bisnis_proxy: ReplayProxy, output: Path
) -> None:
    done = scrapy(bisnis_proxy, output, "parse", "--spider", "news", ITEM["url"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Scraped Items" in done.stdout
    assert repr(ITEM["title"]) in done.stdout and "'site': 'bisnis.com'" in done.stdout
    untouched(output)


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
    untouched(output)
