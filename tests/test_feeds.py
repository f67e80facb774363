"""The crash-safe feed protocol, step by step, with the interruptions a kill can cause."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.feeds import FeedWriter, publish, recover
from newscrawl.processors import content_fingerprint
from newscrawl.state import Exported, RunLock, SQLiteState
from tests.support import ROOT


def record(article_id: str, title: str | None = None) -> dict[str, Any]:
    return {
        "url": f"https://market.bisnis.com/read/20251120/7/{article_id}/x",
        "article_id": article_id,
        "title": title or f"Judul {article_id}",
        "body": f"Isi {article_id}.",
    }


@pytest.fixture
def state(tmp_path: Path) -> SQLiteState:
    return SQLiteState(tmp_path / "bisnis" / "state.sqlite3")


def feed_path(tmp_path: Path, name: str = "100000") -> Path:
    return tmp_path / "bisnis" / "2025-11-20" / f"{name}.jsonl"


def write_part(tmp_path: Path, records: list[dict[str, Any]], tail: bytes = b"") -> Path:
    writer = FeedWriter(feed_path(tmp_path))
    for item in records:
        writer.write(item)
    part = writer.close()
    assert part is not None
    if tail:
        with open(part, "ab") as handle:
            handle.write(tail)
    return part


def lines_of(path: Path) -> list[str]:
    return [json.loads(line)["article_id"] for line in path.read_text("utf-8").splitlines()]


def test_normal_publish_renames_and_commits(tmp_path: Path, state: SQLiteState) -> None:
    part = write_part(tmp_path, [record("1"), record("2")])
    result = publish(part, state, tmp_path)
    assert not part.exists() and result.path == feed_path(tmp_path)
    assert lines_of(result.path) == ["1", "2"] and result.lines == 2
    assert state.has_article("1") and state.has_article("2")
    assert state.committed_feed("bisnis/2025-11-20/100000.jsonl") == ["1", "2"]


def test_writer_without_items_leaves_no_file(tmp_path: Path) -> None:
    writer = FeedWriter(feed_path(tmp_path))
    assert writer.close() is None
    assert not (tmp_path / "bisnis").exists()


def test_recovery_of_an_uncommitted_part_keeps_whole_new_lines(
    tmp_path: Path, state: SQLiteState
) -> None:
    state.commit_feed(
        "bisnis/old.jsonl", [Exported("1", "u", content_fingerprint("Judul 1", "Isi 1."))]
    )
    part = write_part(
        tmp_path,
        [record("1"), record("2"), record("3", title="Judul 2") | {"body": "Isi 2."}],
        tail=b'{"article_id": "4", "tit',
    )
    [result] = recover(tmp_path / "bisnis", state, tmp_path)
    assert result.recovered and not part.exists()
    assert lines_of(feed_path(tmp_path)) == ["2"], "known id, same content and torn line dropped"
    assert result.dropped_lines == 2
    assert not state.has_article("3") and not state.has_article("4")


def test_recovery_after_commit_before_rename(tmp_path: Path, state: SQLiteState) -> None:
    part = write_part(tmp_path, [record("1"), record("2")])
    key = "bisnis/2025-11-20/100000.jsonl"
    state.commit_feed(key, [Exported("2", "u", "f2")])  # the run died right after its commit
    [result] = recover(tmp_path / "bisnis", state, tmp_path)
    assert lines_of(feed_path(tmp_path)) == ["2"], "only what the commit recorded is published"
    assert result.lines == 1 and not part.exists()


def test_recovery_is_idempotent_when_interrupted_again(tmp_path: Path, state: SQLiteState) -> None:
    write_part(tmp_path, [record("1"), record("2")], tail=b"{broken")
    first = publish(feed_path(tmp_path).with_name("100000.jsonl.part"), state, tmp_path)
    # pretend the process died after writing the feed but before removing the .part
    part = write_part_again(tmp_path, [record("1"), record("2")], tail=b"{broken")
    second = recover(tmp_path / "bisnis", state, tmp_path)
    assert not part.exists()
    assert lines_of(feed_path(tmp_path)) == ["1", "2"]
    assert first.sha256 == second[0].sha256


def write_part_again(tmp_path: Path, records: list[dict[str, Any]], tail: bytes) -> Path:
    part = feed_path(tmp_path).with_name("100000.jsonl.part")
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records) + tail
    part.write_bytes(data)
    return part


def test_recovery_removes_half_written_copies(tmp_path: Path, state: SQLiteState) -> None:
    tmp = feed_path(tmp_path).with_name("100000.jsonl.tmp")
    tmp.parent.mkdir(parents=True)
    tmp.write_bytes(b'{"article_id": "1"')
    assert recover(tmp_path / "bisnis", state, tmp_path) == []
    assert not tmp.exists()


def test_part_files_are_not_complete_feeds(tmp_path: Path) -> None:
    write_part(tmp_path, [record("1")])
    assert list((tmp_path / "bisnis").glob("*/*.jsonl")) == []


def try_lock_elsewhere(path: Path) -> int:
    """Exit status of another process trying the lock: 75 when held, 0 when it got it."""
    code = (
        "import sys; from pathlib import Path; from newscrawl.state import RunLock, LockedError\n"
        f"try: RunLock(Path({str(path)!r})).acquire()\n"
        "except LockedError: sys.exit(75)\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode


def test_run_lock_is_exclusive_and_released_by_the_kernel(tmp_path: Path) -> None:
    lock = RunLock(tmp_path / "run.lock")
    lock.acquire()
    lock.acquire()  # the holder may ask again
    assert try_lock_elsewhere(tmp_path / "run.lock") == 75
    lock.release()
    assert try_lock_elsewhere(tmp_path / "run.lock") == 0
    assert "pid" in (tmp_path / "run.lock").read_text()
    again = RunLock(tmp_path / "run.lock")
    again.acquire()
    again.release()


def sited(article_id: str, site: str) -> dict[str, Any]:
    """A record of ``site`` (a ``news`` run's, over many sites) numbered ``article_id``."""
    return {
        "url": f"https://www.{site}/berita/{article_id}/kabar-{site}",
        "article_id": article_id,
        "site": site,
        "title": f"Kabar {site}",
        "body": f"Isi kabar {site}.",
    }


def test_a_state_keyed_by_site_keeps_two_sites_articles_numbered_alike(
    tmp_path: Path, state: SQLiteState
) -> None:
    """Keyed by site (the ``news`` spider's state), two sites' articles numbered 70001 are two
    articles: both published, both committed under their site and id, a third copy of one
    refused; a state keyed by id alone would keep one of them only."""
    assert state.key_by_site(lambda url: url.split("/")[2].removeprefix("www.")) == 0
    assert state.keys_by_site
    part = write_part(tmp_path, [sited("70001", "a.id"), sited("70001", "b.id")])
    result = publish(part, state, tmp_path)
    assert lines_of(result.path) == ["70001", "70001"]
    assert state.has_article("a.id/70001") and state.has_article("b.id/70001")
    assert not state.has_article("70001")
    writer = FeedWriter(feed_path(tmp_path, "100001"))
    writer.write(sited("70001", "b.id") | {"title": "Kabar lain"})
    again = writer.close()
    assert again is not None
    assert publish(again, state, tmp_path).lines == 0  # b.id's article 70001, exported


def test_a_state_kept_by_id_alone_is_keyed_by_site_once(tmp_path: Path) -> None:
    """A ``news`` state of before: its articles, failures and committed feeds' lists are
    keyed by site and id when the spider first opens it, once (it stays so when opened
    again); the ids of a site spider's state stay as they are."""
    path = tmp_path / "news" / "state.sqlite3"
    old = SQLiteState(path)
    old.commit_feed("news/x/a.jsonl", [Exported("70001", "https://www.a.id/berita/70001/x", "f")])
    old.record_failure("70002", "https://b.id/berita/70002/y", "not_found")
    old.close()
    state = SQLiteState(path, retry_after={"not_found": timedelta(days=1)})
    assert not state.keys_by_site and state.has_article("70001")
    site_of = lambda url: url.split("/")[2].removeprefix("www.")  # noqa: E731
    assert state.key_by_site(site_of) == 2
    assert state.has_article("a.id/70001") and not state.has_article("70001")
    assert state.committed_feed("news/x/a.jsonl") == ["a.id/70001"]
    assert state.in_backoff("b.id/70002") == "not_found" and state.in_backoff("70002") is None
    state.close()
    again = SQLiteState(path)
    assert again.keys_by_site and again.key_by_site(site_of) == 0
    assert again.has_article("a.id/70001")
    again.close()
    with sqlite3.connect(path) as db:  # schema 2: a newscrawl reading schema 1 refuses it
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)
