"""Throwaway folders (newscrawl/scratch.py): what a killed run left is removed by the next run
that makes one of the same kind, and nothing else is (a live run's, another kind's, a link, a
file, another user's). End to end with a killed fresh run: tests/test_fresh.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from newscrawl import scratch


@pytest.fixture
def dead_pid() -> int:
    """The process id of a process that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def made(parent: Path, name: str) -> Path:
    path = parent / name
    path.mkdir()
    (path / "state.sqlite3").write_bytes(b"x")
    return path


def test_a_dead_runs_folder_goes_and_the_rest_stays(tmp_path: Path, dead_pid: int) -> None:
    dead = made(tmp_path, f"newscrawl-fresh-{dead_pid}-abc")
    live = made(tmp_path, f"newscrawl-fresh-{os.getpid()}-def")
    other_kind = made(tmp_path, f"newscrawl-chromium-{dead_pid}-ghi")
    unnamed = made(tmp_path, f"fresh-{dead_pid}-jkl")
    target = made(tmp_path, "kept")
    link = tmp_path / f"newscrawl-fresh-{dead_pid}-link"
    link.symlink_to(target)
    file = tmp_path / f"newscrawl-fresh-{dead_pid}-file"
    file.write_bytes(b"x")

    assert scratch.sweep("fresh", tmp_path) == 1
    assert not dead.exists()
    for kept in (live, other_kind, unnamed, target, file):
        assert kept.exists(), kept
    assert link.is_symlink() and (target / "state.sqlite3").exists()
    assert scratch.sweep("fresh", tmp_path) == 0


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a folder to another user")
def test_another_users_folder_stays(tmp_path: Path, dead_pid: int) -> None:
    theirs = made(tmp_path, f"newscrawl-fresh-{dead_pid}-abc")
    os.chown(theirs, 12345, 12345)
    assert scratch.sweep("fresh", tmp_path) == 0
    assert theirs.exists()


def test_a_new_folder_names_its_process_and_sweeps_first(
    tmp_path: Path, dead_pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    left = made(tmp_path, f"newscrawl-crawl-{dead_pid}-abc")
    new = scratch.folder("crawl")
    assert new.parent == tmp_path and new.is_dir()
    assert new.name.startswith(f"newscrawl-crawl-{os.getpid()}-")
    assert not left.exists()


def test_alive(dead_pid: int, monkeypatch: pytest.MonkeyPatch) -> None:
    assert scratch.alive(os.getpid())
    assert not scratch.alive(dead_pid)
    assert scratch.alive(0) and scratch.alive(-5)  # never a run's: never taken for dead

    def refused(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", refused)  # another user's process
    assert scratch.alive(dead_pid)


def test_a_missing_temporary_folder_sweeps_nothing(tmp_path: Path) -> None:
    assert scratch.sweep("fresh", tmp_path / "missing") == 0
