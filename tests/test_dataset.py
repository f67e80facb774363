"""The analysts' dataset (``make dataset``): Parquet partitions and the DuckDB view ``articles``
hold exactly the published feeds' items, once, whatever runs and kills came before."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from newscrawl.dataset import DATABASE, DATASET_DIR, STORAGE_VERSION, build
from newscrawl.processors import WIB
from newscrawl.simhash import simhash
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
            local, fingerprint = row.pop("published_local"), row.pop("simhash")
            assert local == datetime.fromisoformat(row["published_at"]).replace(tzinfo=None)
            assert local.date() == row["date"], "date is the WIB date of published_local"
            assert fingerprint == simhash(row["body"])
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


# --- synthetic feeds: any number of builds, any time of day ------------------------------------


def article(n: int, published_at: str, *, site: str = "contoh.id", body: str | None = None,
            title: str | None = None) -> dict[str, Any]:  # fmt: skip
    """An item as a feed line has it."""
    return {
        "url": f"https://www.{site}/read/{n}", "article_id": str(n), "site": site,
        "section": "ekonomi", "category": None, "title": title or f"Berita nomor {n}",
        "lead": None, "authors": ["Ani"], "editor": None, "published_at": published_at,
        "updated_at": None, "dateline": None,
        "body": body or f"Isi berita nomor {n} tentang pasar modal dan harga saham hari ini.",
        "image_url": None, "image_caption": None, "tags": [], "is_premium": False,
        "language": "id", "word_count": 10, "crawled_at": "2025-11-21T00:00:00Z",
    }  # fmt: skip


def write_feed(output: Path, items: list[dict[str, Any]], spider: str = "news/contoh.id") -> str:
    """A published feed of ``items`` under ``output/<spider>``, as a run leaves it (the feed
    file, and ``published = 1`` in the spider's state); its path relative to ``output``."""
    folder = output / spider
    count = len(list(folder.glob("*/*.jsonl"))) if folder.is_dir() else 0
    feed = folder / "2025-11-21" / f"{100000 + count}.jsonl"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text("".join(json.dumps(item) + "\n" for item in items), "utf-8")
    import sqlite3

    state = sqlite3.connect(folder / "state.sqlite3")
    try:
        state.execute("CREATE TABLE IF NOT EXISTS feeds (feed TEXT PRIMARY KEY, published INT)")
        relative = feed.relative_to(output).as_posix()
        state.execute("INSERT INTO feeds VALUES (?, 1)", (relative,))
        state.commit()
    finally:
        state.close()
    return relative


def duckdb_cli() -> Path:
    """The DuckDB CLI of PyPI's duckdb-cli (requirements-dev.txt), beside this Python."""
    cli = Path(sys.executable).parent / "duckdb"
    if not cli.is_file():
        message = f"no DuckDB CLI at {cli} (pip install -r requirements-dev.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return cli


def cli_rows(output: Path, sql: str) -> list[list[str]]:
    """The rows the DuckDB CLI prints for ``sql`` (CSV, no header), the database read-only,
    in the CLI's default session (TimeZone UTC here)."""
    done = subprocess.run(
        [str(duckdb_cli()), "-readonly", "-csv", "-noheader", str(output / DATABASE), "-c", sql],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "TZ": "UTC"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [row for row in csv.reader(io.StringIO(done.stdout)) if row]


#: Times around WIB midnight and UTC midnight (07:00 WIB).
EDGES = [
    "2025-11-20T00:30:00+07:00", "2025-11-20T06:59:59+07:00", "2025-11-20T07:00:00+07:00",
    "2025-11-20T23:59:00+07:00", "2025-11-21T00:00:00+07:00", "2025-11-21T05:15:00+07:00",
]  # fmt: skip


def wib_day_and_hour_counts(items: list[dict[str, Any]]) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = {}
    for item in items:
        key = (item["published_at"][:10], int(item["published_at"][11:13]))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_published_local_gives_wib_days_and_hours_whatever_the_session_zone(
    tmp_path: Path,
) -> None:
    """The reported trap: in a UTC session ``published_at::date`` is a UTC day and ``hour()`` a
    UTC hour; ``published_local`` (and ``date``) are WIB's in every session."""
    output = tmp_path / "output"
    items = [article(n, when) for n, when in enumerate(EDGES)]
    write_feed(output, items)
    build(output)
    want = wib_day_and_hour_counts(items)
    query = (
        "SELECT strftime(published_local, '%Y-%m-%d'), hour(published_local), count(*) "
        "FROM articles GROUP BY ALL ORDER BY ALL"
    )
    for zone in (None, "UTC", "America/New_York", "Asia/Tokyo"):
        database = duckdb.connect(str(output / DATABASE), read_only=True)
        try:
            if zone:
                database.execute(f"SET TimeZone = '{zone}'")
            got = {(day, int(hour)): n for day, hour, n in database.execute(query).fetchall()}
            assert got == want, zone
            mismatched = database.execute(
                "SELECT count(*) FROM articles WHERE published_local::date <> date"
            ).fetchall()
            assert mismatched == [(0,)], zone
        finally:
            database.close()
    # the CLI's default session is UTC: there the old way is wrong, the new one right
    utc_days = cli_rows(output, "SELECT count(*) FROM articles WHERE published_at::date <> date")
    assert utc_days == [["4"]], "the fixture must straddle UTC midnight"
    got_cli = {(day, int(hour)): int(n) for day, hour, n in cli_rows(output, query)}
    assert got_cli == want


def test_pandas_gets_published_local_as_naive_wib_wall_clock(tmp_path: Path) -> None:
    """``.df()`` (pandas, requirements-dev.txt) through ``newscrawl.dataset()`` and in a
    default session (the machine's zone, UTC here) or any other: ``published_local`` is a
    naive ``datetime64`` holding the WIB wall-clock time, ``published_at`` the same instant,
    aware, in the session's zone. 06:30 WIB on the 21st is 23:30 UTC on the 20th: the UTC
    day differs from the WIB day there."""
    import pandas as pd

    import newscrawl

    output = tmp_path / "output"
    times = ["2025-11-20T23:30:00+07:00", "2025-11-21T06:30:00+07:00"]
    write_feed(output, [article(n, when) for n, when in enumerate(times)])
    build(output)
    wall_clock = [pd.Timestamp("2025-11-20 23:30"), pd.Timestamp("2025-11-21 06:30")]
    instants = [
        pd.Timestamp("2025-11-20 16:30", tz="UTC"),
        pd.Timestamp("2025-11-20 23:30", tz="UTC"),
    ]
    query = "SELECT published_at, published_local, date FROM articles ORDER BY article_id"
    for session in ("newscrawl.dataset()", "default", "America/New_York"):
        if session == "newscrawl.dataset()":
            database = newscrawl.dataset(output)
        else:
            database = duckdb.connect(str(output / DATABASE), read_only=True)
            if session != "default":
                database.execute(f"SET TimeZone = '{session}'")
        with database:
            frame = database.sql(query).df()
        local = frame["published_local"]
        assert pd.api.types.is_datetime64_dtype(local.dtype), (session, local.dtype)
        assert not isinstance(local.dtype, pd.DatetimeTZDtype), session
        assert list(local) == wall_clock, session
        assert [day.date() for day in frame["date"]] == [t.date() for t in wall_clock], session
        published = frame["published_at"]
        assert isinstance(published.dtype, pd.DatetimeTZDtype), session
        assert list(published.dt.tz_convert("UTC")) == instants, session
    assert [t.date() for t in instants] != [t.date() for t in wall_clock]


def test_the_database_opens_in_the_duckdb_cli(crawled: Path, tmp_path: Path) -> None:
    """The reported failure: "version number 69, but we can only read versions between 64 and
    68". The build writes DuckDB's storage version 1.4, which the CLI of PyPI reads."""
    output = copy_of(crawled, tmp_path)
    build(output)
    [[count, sites]] = cli_rows(
        output, "SELECT count(*), count(DISTINCT site) FROM articles WHERE simhash IS NOT NULL"
    )
    assert (count, sites) == ("61", "2")
    by_day = cli_rows(output, "SELECT date, count(*) FROM articles GROUP BY 1 ORDER BY 1")
    want: dict[str, int] = {}
    for item in feed_items(output):
        want[item["published_at"][:10]] = want.get(item["published_at"][:10], 0) + 1
    assert {day: int(n) for day, n in by_day} == want


def test_docs_name_the_pinned_and_tested_cli_and_pandas() -> None:
    """docs/analysts.md says what is tested, no more: the storage version the build writes,
    the duckdb-cli and pandas versions requirements-dev.txt pins (the ones installed here),
    and no "1.4 or later" for a CLI no test runs."""
    import pandas as pd

    pins = dict(re.findall(r"^([\w-]+)==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M))
    cli, pandas = pins["duckdb-cli"], pins["pandas"]
    done = subprocess.run(
        [str(duckdb_cli()), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.startswith(f"v{cli} "), done.stdout
    assert pd.__version__ == pandas
    docs = " ".join((ROOT / "docs" / "analysts.md").read_text("utf-8").split())
    assert f"storage version `{STORAGE_VERSION}`" in docs
    assert f"`duckdb-cli` **{cli}**, pinned in `requirements-dev.txt`" in docs
    assert docs.count("pip install duckdb-cli") == docs.count(f"pip install duckdb-cli=={cli}")
    assert f"tested with pandas {pandas}, pinned in `requirements-dev.txt`" in docs
    assert not re.search(r"1\.4[^.]*\b(or|and) later\b", docs), "only the pinned CLI is tested"


def test_a_database_written_in_a_newer_storage_version_is_rewritten_once(
    crawled: Path, tmp_path: Path
) -> None:
    """A database an earlier build wrote (Python duckdb's own, newer storage version) is
    copied into the readable one, keeping what it knew: nothing is ingested twice."""
    output = copy_of(crawled, tmp_path)
    build(output)
    database = duckdb.connect(str(output / DATABASE), read_only=True)
    try:
        feeds = database.execute("SELECT * FROM dataset_feeds ORDER BY 1").fetchall()
        batches = database.execute("SELECT * FROM dataset_batches ORDER BY 1").fetchall()
    finally:
        database.close()
    (output / DATABASE).unlink()
    newer = duckdb.connect(str(output / DATABASE))  # as duckdb 2.0.1 writes it by default
    try:
        newer.execute("CREATE TABLE dataset_batches (batch VARCHAR PRIMARY KEY, "
                      "committed_at TIMESTAMPTZ, files VARCHAR[], articles BIGINT)")  # fmt: skip
        newer.execute("CREATE TABLE dataset_feeds (feed VARCHAR PRIMARY KEY, batch VARCHAR)")
        newer.executemany("INSERT INTO dataset_batches VALUES (?, ?, ?, ?)", batches)
        newer.executemany("INSERT INTO dataset_feeds VALUES (?, ?)", feeds)
    finally:
        newer.close()
    again = build(output)
    assert (again.feeds, again.articles) == (0, 0)
    assert not (output / "newscrawl.duckdb.migrating").exists()
    assert cli_rows(output, "SELECT count(*) FROM articles") == [["61"]]
    database = duckdb.connect(str(output / DATABASE), read_only=True)
    try:
        [(tag,)] = database.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = current_database()"
        ).fetchall()
    finally:
        database.close()
    assert tag == "v1.4.0+"


def test_partitions_with_many_files_are_compacted(tmp_path: Path) -> None:
    """Each build adds a file to a partition; at COMPACT_AT files the partition becomes one
    file, committed with the view; the view's rows stay the same, and so does a build
    after it."""
    output = tmp_path / "output"
    items = []
    for n in range(5):  # 5 builds, each adding to both days
        batch = [
            article(10 * n, "2025-11-20T10:00:00+07:00"),
            article(10 * n + 1, "2025-11-21T10:00:00+07:00"),
        ]
        items += batch
        write_feed(output, batch)
        built = build(output, compact_at=4)
        assert built.compacted == (2 if n == 3 else 0), n
    files = sorted(
        p.relative_to(output / DATASET_DIR).as_posix()
        for p in (output / DATASET_DIR).rglob("*.parquet")
    )
    assert len(files) == 4, files  # one compacted file and one new file in each day
    assert sum("compact-" in name for name in files) == 2
    got = rows(output)
    assert sorted(row["article_id"] for row in got) == sorted(i["article_id"] for i in items)
    again = build(output, compact_at=4)
    assert (again.feeds, again.compacted) == (0, 0)
    assert (
        sorted(
            p.relative_to(output / DATASET_DIR).as_posix()
            for p in (output / DATASET_DIR).rglob("*.parquet")
        )
        == files
    )


def test_files_of_an_earlier_version_get_their_simhash(crawled: Path, tmp_path: Path) -> None:
    """A dataset built before ``simhash`` existed: the next build rewrites its partitions with
    the column, and the view has it for every row."""
    output = copy_of(crawled, tmp_path)
    build(output)
    for path in (output / DATASET_DIR).rglob("*.parquet"):  # as an earlier version wrote them
        database = duckdb.connect()
        try:
            quoted = str(path).replace("'", "''")
            database.execute(f"CREATE TABLE t AS SELECT * EXCLUDE (simhash) FROM "
                             f"read_parquet('{quoted}', hive_partitioning = false)")  # fmt: skip
            database.execute(f"COPY t TO '{quoted}' (FORMAT parquet)")
        finally:
            database.close()
    built = build(output)
    assert built.compacted == 4
    assert len(rows(output)) == 61  # rows() checks each simhash


def test_compaction_killed_midway_leaves_the_old_files_and_the_next_build_finishes(
    tmp_path: Path,
) -> None:
    output = tmp_path / "output"
    for n in range(3):
        write_feed(output, [article(2 * n, "2025-11-20T10:00:00+07:00"),
                            article(2 * n + 1, "2025-11-21T10:00:00+07:00")])  # fmt: skip
        build(output)
    before = sorted(p.name for p in (output / DATASET_DIR).rglob("*.parquet"))
    command = [sys.executable, "-c", "import sys; from pathlib import Path; "
               "from newscrawl.dataset import build; build(Path(sys.argv[1]), compact_at=2)",
               str(output)]  # fmt: skip
    env = {**os.environ, "NEWSCRAWL_DATASET_STEP_DELAY": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until(lambda: any((output / DATASET_DIR).glob("site=*/*/compact-*")), timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert len(list((output / DATASET_DIR).glob("site=*/*/compact-*"))) == 1
    assert len(rows(output)) == 6, "the view changed before the commit"
    built = build(output, compact_at=2)
    assert built.removed_files == 1 and built.compacted == 2
    names = sorted(p.name for p in (output / DATASET_DIR).rglob("*.parquet"))
    assert len(names) == 2 and all(name.startswith("compact-") for name in names)
    assert not set(names) & set(before)
    ids = sorted(row["article_id"] for row in rows(output))
    assert ids == [str(n) for n in range(6)]


def test_make_dataset_while_a_reader_holds_the_database_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    """The reported traceback: an analyst's DuckDB CLI has the database open. Now: one ERROR
    line naming the file and what to do, exit status 75, nothing changed."""
    output = tmp_path / "output"
    write_feed(output, [article(1, "2025-11-20T10:00:00+07:00")])
    build(output)
    write_feed(output, [article(2, "2025-11-20T11:00:00+07:00")])
    reader = subprocess.Popen(
        [str(duckdb_cli()), "-readonly", str(output / DATABASE)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,  # the CLI's wrapper and the binary it starts, as one group
    )  # fmt: skip
    try:
        assert reader.stdin is not None and reader.stdout is not None
        reader.stdin.write(".mode list\n.headers off\nSELECT 'open';\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "open"  # it holds the database now
        done = subprocess.run(
            [sys.executable, "-m", "newscrawl.dataset", "--output", str(output)],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        try:
            reader.communicate(timeout=30)  # end of input: the CLI quits and lets go
        except subprocess.TimeoutExpired:
            os.killpg(reader.pid, signal.SIGKILL)
            reader.wait()
    assert done.returncode == 75, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, done.stderr
    assert f"{DATABASE} is open in process " in errors[0] and "`make dataset` again" in errors[0]
    assert len(rows(output)) == 1, "nothing changed"
    assert build(output).articles == 1  # once it is closed


# --- near-duplicates -------------------------------------------------------------------------

#: The documented query (docs/analysts.md): the same story on two sites.
SAME_STORY = """
SELECT a.site, a.title, b.site AS other_site, b.title AS other_title,
       bit_count(xor(a.simhash, b.simhash)) AS bits_apart
FROM articles a JOIN articles b
  ON a.site < b.site
 AND b.date BETWEEN a.date - 1 AND a.date + 1
 AND bit_count(xor(a.simhash, b.simhash)) <= 6
ORDER BY bits_apart, a.title
"""


def test_the_same_story_on_two_sites_is_found_by_simhash(crawled: Path, tmp_path: Path) -> None:
    output = copy_of(crawled, tmp_path)
    story = published_items(output, "kompas")[0]
    paragraphs = story["body"].split("\n\n")
    copy = {
        **article(999, story["published_at"], site="contoh.id", title="Judul lain"),
        # the same text under another site's dateline, with a line of its own at the end
        "body": "\n\n".join(["JAKARTA, Contoh.id - " + paragraphs[0], *paragraphs[1:],
                             "Ikuti berita terkini Contoh.id di kanal kami."]),
    }  # fmt: skip
    write_feed(output, [copy])
    build(output)
    found = cli_rows(output, SAME_STORY)
    assert [row[:4] for row in found] == [
        ["contoh.id", "Judul lain", "kompas.com", story["title"]]
    ], "the copy, and no other pair"
    assert int(found[0][4]) <= 6


def test_simhash_is_a_stable_pure_function() -> None:
    from newscrawl.simhash import bands, distance, shingles

    text = "Harga saham BBCA naik 2% pada Senin, 20 November 2025."
    assert simhash(text) == simhash(text) < 2**64
    assert simhash(text) == simhash(text.upper())  # case
    assert simhash(text) == simhash("  harga saham bbca NAIK 2 pada senin 20 november 2025 ")
    assert simhash("") == simhash(None) == simhash("— … !") == 0
    assert shingles("a b c d") == ["a b c", "b c d"] and shingles("a b") == ["a b"]
    assert simhash("satu") != 0 and simhash("satu") == simhash("SATU.")
    assert distance(0b1011, 0b0001) == 2 and distance(2**64 - 1, 0) == 64
    assert bands(0x0123_4567_89AB_CDEF) == [0xCDEF, 0x89AB, 0x4567, 0x0123]
    # the value never changes across processes or versions: analysts store and compare it
    assert simhash("ekonomi indonesia tumbuh lima persen tahun ini") == 0xADF1ACE0F1B649F1


def reference_simhash(text: str) -> int:
    """SimHash as the textbook says it, bit by bit (the module's is the same, faster)."""
    from hashlib import blake2b

    from newscrawl.simhash import shingles

    features = shingles(text)
    hashes = [
        int.from_bytes(blake2b(f.encode(), digest_size=8).digest(), "little") for f in features
    ]
    return sum(1 << bit for bit in range(64) if 2 * sum(h >> bit & 1 for h in hashes) > len(hashes))


def test_simhash_is_the_textbook_one(crawled: Path) -> None:
    texts = [item["body"] for item in published_items(crawled, "kompas")[:10]]
    texts += ["satu", "satu dua", "satu dua tiga", "satu dua tiga empat", "Café, crème!"]
    for text in texts:
        assert simhash(text) == reference_simhash(text), text


def test_simhash_tells_near_copies_from_other_stories(crawled: Path) -> None:
    from newscrawl.simhash import distance

    bodies = [item["body"] for item in published_items(crawled, "kompas")]
    bodies += [item["body"] for item in published_items(crawled, "bisnis")]
    apart = []
    for body in bodies:  # the same text under another site's dateline
        paragraphs = body.split("\n\n")
        edited = "\n\n".join(["JAKARTA, Contoh.id - " + paragraphs[0], *paragraphs[1:]])
        apart.append(distance(simhash(body), simhash(edited)))
    assert max(apart) <= 6 and sum(bits <= 3 for bits in apart) > 0.75 * len(apart)
    fingerprints = [simhash(body) for body in bodies]
    closest = min(
        distance(a, b) for n, a in enumerate(fingerprints) for b in fingerprints[n + 1 :]
    )  # fmt: skip
    assert closest > 6, "two different stories look alike"


def test_the_documented_queries_run_as_written_in_the_cli(crawled: Path, tmp_path: Path) -> None:
    """docs/analysts.md's SQL, each block as it is written, in the DuckDB CLI's default
    session; the near-duplicates query there is the one tested above."""
    output = copy_of(crawled, tmp_path)
    build(output)
    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "docs" / "analysts.md").read_text(), re.S)
    assert len(blocks) == 4
    for block in blocks[:3]:
        assert cli_rows(output, block), block
    assert " ".join(blocks[3].split()) == " ".join(SAME_STORY.split()) + ";"
    per_day = {(site, day): int(n) for site, day, n in cli_rows(output, blocks[0])}
    want: dict[tuple[str, str], int] = {}
    for item in feed_items(output):
        key = (item["site"], item["published_at"][:10])
        want[key] = want.get(key, 0) + 1
    assert per_day == want
