"""Two runs never share an id: runs are one at a time, but a short run and the next may start
within one second, and the second's manifest would overwrite the first's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from newscrawl.processors import WIB
from newscrawl.run import run_id_of, unused_start


def test_a_run_id_is_its_start_to_the_second_and_its_worker() -> None:
    started = datetime(2025, 11, 20, 23, 5, 7, tzinfo=WIB)
    assert run_id_of(started, None) == "20251120T230507"
    assert run_id_of(started, "host-1").startswith("20251120T230507") and "host-1" in run_id_of(
        started, "host-1"
    )


def test_a_run_starting_in_the_second_of_the_last_one_waits_for_the_next(tmp_path: Path) -> None:
    runs = tmp_path / "bisnis" / "runs"
    runs.mkdir(parents=True)
    first = unused_start(tmp_path / "bisnis", None)
    (runs / f"{run_id_of(first, None)}.json").write_text("{}")
    second = unused_start(tmp_path / "bisnis", None)
    assert second > first
    assert not (runs / f"{run_id_of(second, None)}.json").exists()
    # a worker's id is its own: another worker's manifest of that second is no clash
    (runs / f"{run_id_of(second, 'a')}.json").write_text("{}")
    assert unused_start(tmp_path / "bisnis", "b") >= second


def test_a_link_in_the_place_of_a_manifest_is_taken_too(tmp_path: Path) -> None:
    runs = tmp_path / "bisnis" / "runs"
    runs.mkdir(parents=True)
    first = unused_start(tmp_path / "bisnis", None)
    (runs / f"{run_id_of(first, None)}.json").symlink_to(tmp_path / "nowhere")
    assert unused_start(tmp_path / "bisnis", None) > first
