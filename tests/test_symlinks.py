"""Symbolic links under the output folder are never written through (issue 21, item 10).

A link planted under ``output/`` (the run lock, the state, a feed's ``.part``, the manifests'
folder, the dataset, the report) used to be followed: a ``run.lock`` link truncated its target,
a ``dataset`` link deleted a Parquet file elsewhere. Now the crawl, ``make dataset`` and
``make report`` refuse before they write anything (exit 2, one ERROR line naming the link), and
every file they open for writing is opened without following links, so a link planted while
they run is refused too. The output folder itself may be a link (a bigger disk).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from newscrawl.dataset import DATABASE, DATASET_DIR, build, connect
from newscrawl.distributed import worker_lock_path
from newscrawl.feeds import FeedWriter, publish
from newscrawl.state import RunLock, SQLiteState, lock_for
from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site
from tests.support import ROOT, CrawlResult, published_items, run_crawl, sha256_of

PRECIOUS = b"precious, not newscrawl's\n"
#: A feed line a dead run left in a ``.part`` (what recovery would publish).
LEFT_LINE = (
    b'{"url": "https://market.bisnis.com/read/20250101/7/1/x", "article_id": "1", '
    b'"title": "Judul", "body": "Isi."}\n'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_site(tmp_path_factory.mktemp("links") / "site", 6, per_day=6, per_page=6)


@pytest.fixture(scope="module")
def proxy(site: Generated) -> Iterator[ReplayProxy]:
    with ReplayProxy(site.root, lifetime=600) as started:
        yield started


def crawl(site: Generated, proxy: ReplayProxy, output: Path) -> CrawlResult:
    proxy.reset()
    day = str(site.days[0])
    return run_crawl(
        "bisnis", {"since": day, "until": day, "browser": "never"},
        output_dir=output, proxy_env=proxy.env(), timeout=180,
    )  # fmt: skip


def errors_of(log: str) -> list[str]:
    return [line for line in log.splitlines() if "ERROR" in line]


def assert_one_error_naming(log: str, path: Path) -> None:
    errors = errors_of(log)
    assert len(errors) == 1, log[-3000:]
    assert str(path) in errors[0] and "symbolic link" in errors[0]
    assert "Traceback" not in log


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def plant_file(outside: Path, link: Path) -> Path:
    """A file outside the output folder holding :data:`PRECIOUS`, and ``link`` to it."""
    target = outside / "precious.txt"
    target.write_bytes(PRECIOUS)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return target


# --- a crawl refuses before any request --------------------------------------------------------


@pytest.mark.parametrize(
    "planted",
    [
        "bisnis/run.lock",  # truncated its target
        "bisnis/state.sqlite3",  # SQLite wrote its schema (and a -wal) there
        "bisnis/state.sqlite3-wal",
        "bisnis/runs",  # the manifest went there
        "bisnis/2025-01-01",  # a day folder: a .part in it was recovered and published there
        "out.jsonl.part",  # the -O feed's work file: truncated its target
    ],
)
def test_a_crawl_refuses_a_planted_link_before_any_request(
    site: Generated, proxy: ReplayProxy, tmp_path: Path, planted: str
) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    link = output / planted
    if planted in ("bisnis/runs", "bisnis/2025-01-01"):
        (outside / "folder").mkdir()
        (outside / "folder" / "100000.jsonl.part").write_bytes(LEFT_LINE)
        link.parent.mkdir(parents=True)
        link.symlink_to(outside / "folder", target_is_directory=True)
    else:
        plant_file(outside, link)
    before = snapshot(outside)
    result = crawl(site, proxy, output)
    assert result.returncode == 2, result.log[-3000:]
    assert_one_error_naming(result.log, link)
    assert proxy.hosts() == set() and proxy.urls() == [], "nothing may be requested"
    assert snapshot(outside) == before, "a file outside the output folder changed"
    assert link.is_symlink(), "the planted link stays for the operator to see"
    planted_files = {link, *(parent for parent in link.parents if parent != tmp_path)}
    assert set(output.rglob("*")) <= planted_files, "nothing was written"


def test_the_output_folder_itself_may_be_a_link(
    site: Generated, proxy: ReplayProxy, tmp_path: Path
) -> None:
    """An operator's ``output`` -> a bigger disk: the crawl runs as usual."""
    disk = tmp_path / "bigger-disk"
    disk.mkdir()
    output = tmp_path / "output"
    output.symlink_to(disk, target_is_directory=True)
    result = crawl(site, proxy, output)
    assert result.returncode == 0, result.log[-3000:]
    assert len(published_items(disk)) == len(site.articles)
    assert (disk / "bisnis" / "state.sqlite3").is_file() and output.is_symlink()


# --- make dataset / make report ----------------------------------------------------------------


def command(module: str, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def parquet_file(path: Path) -> Path:
    """A real Parquet file (one row) at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    database = duckdb.connect()
    try:
        target = str(path).replace("'", "''")
        database.execute(f"COPY (SELECT 'x' AS url) TO '{target}' (FORMAT parquet)")
    finally:
        database.close()
    return path


def test_make_dataset_refuses_a_dataset_folder_linked_elsewhere(tmp_path: Path) -> None:
    """The reported attack: the build's cleanup deleted a Parquet file the link led to."""
    output, outside = tmp_path / "output", tmp_path / "outside"
    output.mkdir()
    kept = parquet_file(outside / "site=x" / "date=2025-01-01" / "theirs_0.parquet")
    digest = sha256_of(kept)
    (outside / ".staging" / "b").mkdir(parents=True)  # cleanup would remove it too
    link = output / DATASET_DIR
    link.symlink_to(outside, target_is_directory=True)
    done = command("newscrawl.dataset", output)
    assert done.returncode == 2, done.stderr
    assert_one_error_naming(done.stderr, link)
    assert kept.is_file() and sha256_of(kept) == digest, "a file outside was deleted or changed"
    assert (outside / ".staging" / "b").is_dir()
    assert sorted(path.name for path in output.iterdir()) == [DATASET_DIR], "nothing written"


@pytest.mark.parametrize("planted", [DATABASE, "dataset.lock"])
def test_make_dataset_refuses_its_files_linked_elsewhere(tmp_path: Path, planted: str) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    output.mkdir()
    outside.mkdir()
    target = plant_file(outside, output / planted)
    done = command("newscrawl.dataset", output)
    assert done.returncode == 2, done.stderr
    assert_one_error_naming(done.stderr, output / planted)
    assert target.read_bytes() == PRECIOUS and os.listdir(outside) == ["precious.txt"]
    assert sorted(path.name for path in output.iterdir()) == [planted], "nothing written"


def test_make_dataset_on_a_linked_output_folder(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    output = tmp_path / "output"
    output.symlink_to(disk, target_is_directory=True)
    done = command("newscrawl.dataset", output)
    assert done.returncode == 0, done.stderr
    assert (disk / DATABASE).is_file()


@pytest.mark.parametrize("planted", ["report.html", "dataset.lock"])
def test_make_report_refuses_its_files_linked_elsewhere(tmp_path: Path, planted: str) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    output.mkdir()
    outside.mkdir()
    build(output)  # a dataset, so that the report reads it (under dataset.lock)
    (output / "dataset.lock").unlink()
    link = output / planted
    if planted == "dataset.lock":  # a dangling link: opening it created the file it names
        link.symlink_to(outside / "created.txt")
    else:
        plant_file(outside, link)
    before = snapshot(outside)
    done = command("newscrawl.report", output)
    assert done.returncode == 2, done.stderr
    assert_one_error_naming(done.stderr, link)
    assert snapshot(outside) == before and link.is_symlink()
    assert not list(output.glob("report.html*")) or planted == "report.html", "nothing written"


# --- a link planted while a command runs is not followed either --------------------------------


def test_the_run_lock_is_opened_without_following_a_link(tmp_path: Path) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    target = plant_file(outside, output / "bisnis" / "run.lock")
    with pytest.raises(OSError, match="symbolic link"):
        lock_for(output, "bisnis").acquire()
    assert target.read_bytes() == PRECIOUS


def test_a_worker_lock_is_opened_without_following_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    path = worker_lock_path(tmp_path / "output" / "bisnis", "w1")
    target = plant_file(outside, path)
    with pytest.raises(OSError, match="symbolic link"):
        RunLock(path).acquire()
    assert target.read_bytes() == PRECIOUS


def test_a_state_linked_elsewhere_is_not_opened(tmp_path: Path) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    target = plant_file(outside, output / "bisnis" / "state.sqlite3")
    settings = {"NEWSCRAWL_OUTPUT_DIR": str(output)}
    from scrapy.settings import Settings

    with pytest.raises(OSError, match="symbolic link"):
        SQLiteState.check(Settings(settings), "bisnis")
    assert target.read_bytes() == PRECIOUS and os.listdir(outside) == ["precious.txt"]


def test_a_feed_folder_linked_while_the_run_goes_is_not_written(tmp_path: Path) -> None:
    output, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    (output / "bisnis").mkdir(parents=True)
    (output / "bisnis" / "2025-01-01").symlink_to(outside, target_is_directory=True)
    writer = FeedWriter(output / "bisnis" / "2025-01-01" / "100000.jsonl", output)
    with pytest.raises(OSError, match="symbolic link"):
        writer.write({"article_id": "1", "url": "u", "title": "t", "body": "b"})
    assert os.listdir(outside) == []


def test_a_feed_copy_linked_while_recovering_is_not_written(tmp_path: Path) -> None:
    """Recovery rewrites a ``.part`` through ``<feed>.tmp``: a link planted there (after the
    stray copies were removed) is refused, its target left alone."""
    output, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    day = output / "bisnis" / "2025-01-01"
    day.mkdir(parents=True)
    part = day / "100000.jsonl.part"
    part.write_bytes(LEFT_LINE)
    target = plant_file(outside, day / "100000.jsonl.tmp")
    state = SQLiteState(output / "bisnis" / "state.sqlite3")
    try:
        with pytest.raises(OSError, match="symbolic link"):
            publish(part, state, output)
    finally:
        state.close()
    assert target.read_bytes() == PRECIOUS
    assert part.read_bytes() == LEFT_LINE, "the .part stays for the next run"


def test_the_dataset_cleanup_never_deletes_through_a_link(tmp_path: Path) -> None:
    """The build's cleanup, even when the check before it was passed (a link planted since):
    a linked dataset folder is refused, a linked partition is not entered."""
    output, outside = tmp_path / "output", tmp_path / "outside"
    output.mkdir()
    theirs = parquet_file(outside / "date=2025-01-01" / "theirs_0.parquet")
    database = connect(output)
    try:
        from newscrawl.dataset import _remove_uncommitted

        (output / DATASET_DIR).mkdir()
        (output / DATASET_DIR / "site=x").symlink_to(outside, target_is_directory=True)
        ours = parquet_file(output / DATASET_DIR / "site=y" / "date=2025-01-01" / "b_0.parquet")
        _remove_uncommitted(output, database)
        assert theirs.is_file(), "deleted through a linked partition"
        assert not ours.exists(), "its own uncommitted file goes"
        (output / DATASET_DIR / "site=x").unlink()
        os.rename(output / DATASET_DIR, tmp_path / "old-dataset")
        (output / DATASET_DIR).symlink_to(outside, target_is_directory=True)
        with pytest.raises(OSError, match="symbolic link"):
            _remove_uncommitted(output, database)
        assert theirs.is_file(), "deleted through a linked dataset folder"
    finally:
        database.close()


def test_locks_and_states_in_ordinary_folders_still_work(tmp_path: Path) -> None:
    lock = lock_for(tmp_path, "news/a.id")
    lock.acquire()
    assert "pid" in (tmp_path / "news" / "a.id" / "run.lock").read_text()
    lock.release()
    SQLiteState(tmp_path / "news" / "a.id" / "state.sqlite3", root=tmp_path).close()
    assert (tmp_path / "news" / "a.id" / "state.sqlite3").is_file()
