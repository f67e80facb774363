"""The crawl state on a bad day, in process: lost or damaged, locked, written with a wrong clock
(issue 10, "Hostile sites and bad days"). The same faults in whole crawls: test_bad_days.py."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import state as state_module
from newscrawl.feeds import FeedWriter, GuardedFileFeedStorage, adopt_feeds, publish_written
from newscrawl.processors import WIB, content_fingerprint
from newscrawl.run import Run
from newscrawl.state import BUSY_TIMEOUT, SQLiteState, StateError, lock_for


def record(article_id: str) -> dict[str, Any]:
    return {
        "url": f"https://market.bisnis.com/read/20251120/7/{article_id}/x",
        "article_id": article_id,
        "title": f"Judul {article_id}",
        "body": f"Isi {article_id}.",
    }


def state_path(root: Path) -> Path:
    return root / "bisnis" / "state.sqlite3"


def publish_feed(root: Path, name: str, ids: list[str]) -> Path:
    """A run's feed published as a run publishes it (committed, then put in place)."""
    state = SQLiteState(state_path(root))
    writer = FeedWriter(root / "bisnis" / "2025-11-20" / f"{name}.jsonl")
    for article_id in ids:
        writer.write(record(article_id))
    published = publish_written(writer, state, root)
    state.close()
    assert published is not None
    return published.path


# --- a lost state is rebuilt from the committed feeds ------------------------------------------


@pytest.mark.parametrize("loss", ["truncated", "deleted"])
def test_a_lost_state_is_rebuilt_from_the_committed_feeds(
    tmp_path: Path, loss: str, caplog: pytest.LogCaptureFixture
) -> None:
    publish_feed(tmp_path, "100000", ["1", "2"])
    publish_feed(tmp_path, "110000", ["3"])
    if loss == "truncated":
        state_path(tmp_path).write_bytes(b"")
    else:
        state_path(tmp_path).unlink()
    state = SQLiteState(state_path(tmp_path))
    assert not state.has_article("1")
    adopted = adopt_feeds(tmp_path / "bisnis", state, tmp_path)
    assert adopted is not None
    assert (adopted.feeds, adopted.articles, adopted.state_was_empty) == (2, 3, True)
    for article_id in ("1", "2", "3"):
        assert state.has_article(article_id)
        # the same fingerprint the dedup pipeline and the feed writer compute
        assert state.has_fingerprint(
            content_fingerprint(f"Judul {article_id}", f"Isi {article_id}.")
        )
    assert state.committed_feed("bisnis/2025-11-20/100000.jsonl") == ["1", "2"]
    assert "was missing or empty: rebuilt it from 2 committed feed(s)" in caplog.text
    assert adopt_feeds(tmp_path / "bisnis", state, tmp_path) is None, "only once"
    state.close()


def test_a_state_restored_from_an_older_copy_learns_the_newer_feeds(tmp_path: Path) -> None:
    publish_feed(tmp_path, "100000", ["1"])
    older = state_path(tmp_path).read_bytes()
    publish_feed(tmp_path, "110000", ["2"])
    state_path(tmp_path).write_bytes(older)
    state = SQLiteState(state_path(tmp_path))
    adopted = adopt_feeds(tmp_path / "bisnis", state, tmp_path)
    assert adopted is not None and (adopted.feeds, adopted.state_was_empty) == (1, False)
    assert state.has_article("2")
    state.close()


def test_feeds_the_state_knows_are_left_alone(tmp_path: Path) -> None:
    publish_feed(tmp_path, "100000", ["1"])
    state = SQLiteState(state_path(tmp_path))
    assert adopt_feeds(tmp_path / "bisnis", state, tmp_path) is None
    assert adopt_feeds(tmp_path / "nothing-here", state, tmp_path) is None
    state.close()


# --- a damaged interior is found at start ------------------------------------------------------


def zero_middle_third(path: Path) -> None:
    data = bytearray(path.read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = bytes(third)
    path.write_bytes(bytes(data))


def test_a_damaged_interior_behind_an_intact_header_fails_the_check(tmp_path: Path) -> None:
    state = SQLiteState(state_path(tmp_path))
    for n in range(300):
        state.commit_feed(f"bisnis/feed{n}.jsonl", [state_module.Exported(str(n), "u" * 80, "f")])
    state.close()
    zero_middle_third(state_path(tmp_path))
    opened = SQLiteState(state_path(tmp_path))  # the header is intact: it opens
    with pytest.raises(StateError, match="malformed") as raised:
        opened.verify()
    opened.close()
    assert str(state_path(tmp_path)) in str(raised.value) and "move it aside" in str(raised.value)
    settings = {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path)}
    with pytest.raises(StateError, match="malformed"):
        SQLiteState.check(settings, "bisnis")  # type: ignore[arg-type]


def test_a_sound_state_passes_the_check(tmp_path: Path) -> None:
    publish_feed(tmp_path, "100000", ["1"])
    SQLiteState.check({"NEWSCRAWL_OUTPUT_DIR": str(tmp_path)}, "bisnis")  # type: ignore[arg-type]


# --- clock steps -------------------------------------------------------------------------------


def test_a_backoff_recorded_with_the_clock_a_year_ahead_has_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    retry = {"not_found": timedelta(hours=24), "blocked": timedelta(hours=1)}
    real = state_module._now
    monkeypatch.setattr(state_module, "_now", lambda: real() + timedelta(days=365))
    ahead = SQLiteState(tmp_path / "s.sqlite3", retry)
    ahead.record_failure("7", "https://x/7", "not_found")
    ahead.record_failure("8", "https://x/8", "blocked")
    ahead.close()
    monkeypatch.setattr(state_module, "_now", real)  # the clock is put right
    state = SQLiteState(tmp_path / "s.sqlite3", retry)
    assert state.in_backoff("7") is None and state.in_backoff("8") is None
    state.record_failure("7", "https://x/7", "not_found")  # it fails again: a sane time now
    state.close()
    again = SQLiteState(tmp_path / "s.sqlite3", retry)
    assert again.in_backoff("7") == "not_found" and again.in_backoff("8") is None
    again.close()


def test_a_backoff_in_the_past_still_counts(tmp_path: Path) -> None:
    state = SQLiteState(tmp_path / "s.sqlite3", {"not_found": timedelta(hours=24)})
    state.record_failure("7", "https://x/7", "not_found")
    assert state.in_backoff("7") == "not_found"  # before it is written
    state.close()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    with db:
        last = (datetime.now(UTC) - timedelta(hours=23)).replace(microsecond=0).isoformat()
        db.execute("UPDATE failures SET last_at = ?", (last,))
    db.close()
    state = SQLiteState(tmp_path / "s.sqlite3", {"not_found": timedelta(hours=24)})
    assert state.in_backoff("7") == "not_found"
    state.close()


def test_stored_times_do_not_follow_a_clock_step_during_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = state_module._Clock()
    before = clock.now()

    class SteppedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> SteppedDatetime:
            stepped = datetime.now(tz) + timedelta(days=365)
            return cls.fromtimestamp(stepped.timestamp(), tz)

    monkeypatch.setattr(state_module, "datetime", SteppedDatetime)
    after = clock.now()
    assert timedelta(0) <= after - before < timedelta(minutes=1)


# --- a locked state ----------------------------------------------------------------------------


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A state another process holds a write lock on."""
    path = tmp_path / "s.sqlite3"
    SQLiteState(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO meta VALUES ('other', 'writer')")
    yield path
    other.execute("ROLLBACK")
    other.close()


def test_failures_are_not_written_while_the_run_crawls(locked: Path) -> None:
    state = SQLiteState(locked, {"not_found": timedelta(hours=1)})
    began = time.monotonic()
    for n in range(20):
        state.record_failure(str(n), f"https://x/{n}", "not_found")
        assert not state.has_article(str(n))
    assert time.monotonic() - began < 1, "a failure waited for the lock"
    assert state.in_backoff("3") == "not_found"
    with pytest.raises(StateError, match="locked"):
        state.close()


def test_a_locked_state_costs_one_bounded_wait_at_the_end(locked: Path) -> None:
    assert BUSY_TIMEOUT <= 5
    state = SQLiteState(locked)
    began = time.monotonic()
    with pytest.raises(StateError, match=f"{locked}.*database is locked"):
        state.commit_feed("bisnis/f.jsonl", [state_module.Exported("1", "u", "f")])
    first = time.monotonic() - began
    assert BUSY_TIMEOUT - 0.5 < first < BUSY_TIMEOUT + 2
    began = time.monotonic()
    with pytest.raises(StateError, match="locked"):
        state.record_run("r", "2025-11-20T10:00:00+07:00", {})
    assert time.monotonic() - began < 1, "a second write waited again"
    state.close()


def test_pending_failures_are_written_with_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    state = SQLiteState(path, {"blocked": timedelta(hours=1)})
    state.record_failure("9", "https://x/9", "blocked")
    state.record_failure("9", "https://x/9", "blocked")
    state.commit_feed("bisnis/f.jsonl", [state_module.Exported("1", "u", "f")])
    db = sqlite3.connect(path)
    assert db.execute("SELECT reason, attempts FROM failures").fetchall() == [("blocked", 2)]
    db.close()
    state.close()


# --- a user's -O feed is delivered only after the run's own publish ----------------------------


def storage_after(tmp_path: Path, published_ok: bool, withheld: bool = False) -> Path:
    """An -O feed stored at the end of a run whose own publish did (not) succeed."""
    target = tmp_path / "out.jsonl"
    storage = GuardedFileFeedStorage(str(target), feed_options={"overwrite": True})
    state = SQLiteState(tmp_path / "bisnis" / "state.sqlite3")
    feed = FeedWriter(tmp_path / "bisnis" / "2025-11-20" / "100000.jsonl")
    started = datetime(2025, 11, 20, 10, 0, tzinfo=WIB)
    run = Run("bisnis", tmp_path, started, lock_for(tmp_path, "bisnis"), state, feed)
    run.published_ok, run.withheld = published_ok, withheld
    crawler = get_crawler()
    run.attach(crawler)  # the storage finds the run through the crawler
    storage.crawler = crawler
    handle = storage.open(None)
    handle.write(b'{"article_id": "1"}\n')
    storage.store(handle)
    state.close()
    return target


def test_an_O_feed_is_delivered_only_after_a_published_run(tmp_path: Path) -> None:
    assert storage_after(tmp_path / "ok", published_ok=True).read_bytes()
    failed = storage_after(tmp_path / "failed", published_ok=False)
    assert not failed.exists() and failed.with_name("out.jsonl.rejected").exists()
    withheld = storage_after(tmp_path / "withheld", published_ok=False, withheld=True)
    assert not withheld.exists() and withheld.with_name("out.jsonl.rejected").exists()
