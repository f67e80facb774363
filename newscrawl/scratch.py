"""Throwaway folders of a run, and what a killed run left of them.

A run removes its throwaway folders when it ends: a fresh run's output folder (``-a fresh=1``),
the browser's profile, :func:`newscrawl.crawl`'s work folder. A run killed with SIGKILL (or by
the kernel's OOM killer, or a power cut) cannot. So each such folder is made in the temporary
folder (``TMPDIR``) with its owner's process id in its name, ``newscrawl-<kind>-<pid>-<random>``,
and the next run that makes one of the same kind first removes those whose process is gone
(:func:`sweep`): a folder of this user's, a real folder (never a symbolic link), whose process
no longer exists. A live run's folder is never touched; a process id used again by another
live process keeps a dead run's folder until that process ends.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

PREFIX = "newscrawl-"


def folder(kind: str) -> Path:
    """A new throwaway folder of ``kind`` (``fresh``, ``chromium``, ``crawl``) in the temporary
    folder, named for this process; the folders killed runs left of the same kind are removed
    first."""
    sweep(kind)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-"))


def sweep(kind: str, parent: Path | None = None) -> int:
    """Remove the ``kind`` folders in ``parent`` (the temporary folder) whose process is gone;
    how many were removed."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    removed = 0
    for entry in left_behind(kind, parent, folders=True):
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.lexists(entry.path):
            removed += 1
    if removed:
        logger.info("removed %d %s folder(s) left in %s by killed runs", removed, kind, parent)
    return removed


def left_behind(kind: str, parent: Path, folders: bool) -> Iterator[os.DirEntry[str]]:
    """The entries of ``parent`` named ``newscrawl-<kind>-<pid>-...`` that a process now gone
    left: this user's, real folders (``folders``) or regular files, never a symbolic link."""
    named = re.compile(rf"{re.escape(PREFIX)}{re.escape(kind)}-(\d+)-")
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        match = named.match(entry.name)
        if match is not None and _left_behind(entry, int(match.group(1)), folders):
            yield entry


def _left_behind(entry: os.DirEntry[str], pid: int, folders: bool) -> bool:
    """A real folder (or regular file) of this user's whose process is gone."""
    try:
        kind_of = entry.is_dir if folders else entry.is_file
        if not kind_of(follow_symlinks=False):
            return False
        if entry.stat(follow_symlinks=False).st_uid != os.getuid():
            return False
    except OSError:
        return False
    return not alive(pid)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user's counts)."""
    if pid <= 0:
        return True  # not a process id of one run: never taken for a dead one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
