"""The analysts' dataset (``make dataset``): Parquet partitions and the DuckDB view ``articles``
hold exactly the published feeds' items, once, whatever runs and kills came before."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb
import pytest

from newscrawl.dataset import DATABASE, DATASET_DIR, build
from newscrawl.processors import WIB
from tests.replay import ReplayProxy
from tests.support import ROOT, published_items, run_crawl, wait_until

DAYS = {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"}


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, site_proxies: Callable[[str], ReplayProxy]
) -> Path:
    """An output folder with the published feeds of both reference sites' two days."""
    output = tmp_path_factory.mktemp("dataset") / "output"
    for site in ("bisnis", "kompas"):
        result = run_crawl(
            site, DAYS, output_dir=output, proxy_env=site_proxies(site).env(), default_feed=True
        )
        assert result.returncode == 0, result.log[-3000:]
    return output


def copy_of(output: Path, tmp_path: Path) -> Path:
    target = tmp_path / "output"
    shutil.copytree(output, target)
    return target


def feed_items(output: Path) -> list[dict[str, Any]]:
    return published_items(output, "bisnis") + published_items(output, "kompas")


def rows(output: Path) -> list[dict[str, Any]]:
    """The view's rows as the feeds' JSON lines write them (times in ISO 8601 again)."""
    database = duckdb.connect(str(output / DATABASE), read_only=True)
    try:
        cursor = database.execute("SELECT * FROM articles")
        names = [column[0] for column in cursor.description]
        found = []
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            for name in ("published_at", "updated_at"):
                if row[name] is not None:
                    row[name] = row[name].astimezone(WIB).isoformat()
            crawled = row["crawled_at"].astimezone(UTC).isoformat()
            row["crawled_at"] = crawled.replace("+00:00", "Z")
            found.append(row)
        return found
    finally:
        database.close()


def test_the_view_returns_exactly_the_published_items(crawled: Path, tmp_path: Path) -> None:
    output = copy_of(crawled, tmp_path)
    built = build(output)
    items = feed_items(output)
    assert built.articles == len(items) == 61
    got = {row["article_id"]: row for row in rows(output)}
    assert len(got) == len(items)
    for item in items:
        row = dict(got[item["article_id"]])
        assert str(row.pop("date")) == item["published_at"][:10]  # the partition, in WIB
        assert row == item


def test_partitions_by_site_and_publication_date(crawled: Path, tmp_path: Path) -> None:
    output = copy_of(crawled, tmp_path)
    build(output)
    partitions = sorted(
        path.parent.relative_to(output / DATASET_DIR).as_posix()
        for path in (output / DATASET_DIR).rglob("*.parquet")
    )
    assert partitions == [
        "site=bisnis.com/date=2025-11-20", "site=bisnis.com/date=2025-11-21",
        "site=kompas.com/date=2025-11-20", "site=kompas.com/date=2025-11-21",
    ]  # fmt: skip
    database = duckdb.connect(str(output / DATABASE), read_only=True)
    try:
        query = (
            "SELECT section, count(*) FROM articles WHERE date = '2025-11-20' "
            "AND site = 'kompas.com' GROUP BY 1 ORDER BY 1"
        )
        by_section = dict(database.execute(query).fetchall())
    finally:
        database.close()
    want: dict[str, int] = {}
    for item in feed_items(output):
        if item["site"] == "kompas.com" and item["published_at"].startswith("2025-11-20"):
            want[item["section"]] = want.get(item["section"], 0) + 1
    assert by_section == want


def test_a_second_build_changes_nothing(crawled: Path, tmp_path: Path) -> None:
    output = copy_of(crawled, tmp_path)
    build(output)
    files = sorted(p.name for p in (output / DATASET_DIR).rglob("*.parquet"))
    again = build(output)
    assert (again.feeds, again.articles) == (0, 0)
    assert sorted(p.name for p in (output / DATASET_DIR).rglob("*.parquet")) == files
    assert len(rows(output)) == 61


def test_only_new_feeds_are_ingested(
    crawled: Path, tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    output = tmp_path / "output"
    first = run_crawl(
        "kompas",
        {**DAYS, "until": "2025-11-20"},
        output_dir=output,
        proxy_env=site_proxies("kompas").env(),
        default_feed=True,
    )
    assert first.returncode == 0
    assert build(output).articles == 14
    second = run_crawl(
        "kompas", DAYS, output_dir=output, proxy_env=site_proxies("kompas").env(), default_feed=True
    )
    assert second.returncode == 0
    built = build(output)
    assert (built.feeds, built.articles) == (1, 15)
    assert sorted(row["article_id"] for row in rows(output)) == sorted(
        item["article_id"] for item in published_items(output, "kompas")
    )


def test_a_build_killed_midway_leaves_the_old_dataset_and_the_next_finishes(
    crawled: Path, tmp_path: Path
) -> None:
    output = copy_of(crawled, tmp_path)
    command = [sys.executable, "-m", "newscrawl.dataset", "--output", str(output)]
    env = {**os.environ, "NEWSCRAWL_DATASET_STEP_DELAY": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until(lambda: any((output / DATASET_DIR).glob("site=*/*/*.parquet")), timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    moved = list((output / DATASET_DIR).glob("site=*/*/*.parquet"))
    assert 0 < len(moved) < 4, "the kill should land between two files"
    assert rows(output) == [], "the view shows a batch that never committed"
    built = build(output)
    assert built.removed_files == len(moved)
    assert built.articles == 61
    ids = [row["article_id"] for row in rows(output)]
    assert len(ids) == len(set(ids)) == 61


def test_make_dataset_on_an_empty_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.dataset", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert rows(output) == []
    missing = subprocess.run(
        [sys.executable, "-m", "newscrawl.dataset", "--output", str(tmp_path / "none")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert missing.returncode == 2 and "No output folder" in missing.stderr


def test_feeds_are_untouched(crawled: Path, tmp_path: Path) -> None:
    output = copy_of(crawled, tmp_path)
    before = {p: p.read_bytes() for p in output.rglob("*.jsonl")}
    build(output)
    assert {p: p.read_bytes() for p in output.rglob("*.jsonl")} == before
    assert json.loads(next(iter(before.values())).splitlines()[0])


def test_the_dataset_follows_each_run_when_asked(
    tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    output = tmp_path / "output"
    result = run_crawl(
        "kompas",
        DAYS,
        output_dir=output,
        proxy_env=site_proxies("kompas").env(),
        default_feed=True,
        settings={"NEWSCRAWL_DATASET_AFTER_RUN": "True"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert "Dataset: 1 feed(s), 29 article(s) added" in result.log
    assert len(rows(output)) == 29


def test_a_feed_duckdb_cannot_read_is_left_out_and_tried_again(
    crawled: Path, tmp_path: Path
) -> None:
    output = copy_of(crawled, tmp_path)
    [broken] = list((output / "kompas").glob("*/*.jsonl"))
    good = broken.read_bytes()
    broken.write_bytes(good + b"{not json\n")
    built = build(output)
    assert built.feeds == 1 and built.articles == 32  # Bisnis's feed; Kompas's left out
    broken.write_bytes(good)
    again = build(output)
    assert (again.feeds, again.articles) == (1, 29)
    assert len(rows(output)) == 61
