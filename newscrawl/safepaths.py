"""Writing under the output folder without ever following a symbolic link.

The rule: **nothing under the output folder may be a symbolic link**; the output folder itself
may be one (an operator's ``output`` -> a bigger disk). A link that stays inside the folder is
refused too: one rule, nothing to resolve.

Two layers:

* before a command writes anything, :func:`refuse_links` looks at every path it will write (the
  folders that lead there and, for a folder, everything under it) and raises :class:`LinkError`
  naming the first link: ``scrapy crawl``, ``make dataset`` and ``make report`` then exit 2
  with one ERROR line;
* what is opened for writing is opened with ``O_NOFOLLOW``, through folders opened one by one
  from the output folder with ``O_NOFOLLOW`` too (:func:`open_nofollow`, :func:`replace`,
  :func:`unlink`, :func:`remove_tree`): a link planted while a command runs is refused, not
  followed (no check-then-open race). SQLite and DuckDB open their own files by path: theirs
  are checked just before they are opened.

A path given with no ``root`` (or outside it) is the caller's choice of folder (a ``-O`` feed):
only its last component is not followed.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
#: ``open()`` modes and their flags (``O_NOFOLLOW`` is always added).
_MODES = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "a+": os.O_RDWR | os.O_CREAT | os.O_APPEND,
}


class LinkError(OSError):
    """A symbolic link where newscrawl writes under the output folder; the message names it."""

    def __init__(self, path: Path, root: Path | None, target: str | None = None) -> None:
        if target is None:
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
        where = f"the output folder {root}" if root is not None else "the output folder"
        self.message = (
            f"{path} is a symbolic link (to {target}): nothing is written through a symbolic "
            f"link under {where}; remove it (only the output folder itself may be a link)"
        )
        super().__init__(errno.ELOOP, self.message)
        self.path = path

    def __str__(self) -> str:
        return self.message


def _absolute(path: Path) -> Path:
    """``path`` made absolute without resolving links (``..`` folded lexically)."""
    return Path(os.path.abspath(path))


def _start(path: Path, root: Path | None) -> Path:
    """Where a walk to ``path`` starts: ``root`` when ``path`` lies under it, else ``path``."""
    if root is not None:
        root = _absolute(root)
        if path.is_relative_to(root):
            return root
    return path


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _link_error(path: Path, root: Path | None, name: str, dir_fd: int) -> LinkError:
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        target = "?"
    return LinkError(path, root, target)


def open_dir(folder: Path, root: Path | None = None, *, create: bool = False) -> int:
    """A descriptor of ``folder``, reached from ``root`` one folder at a time without following
    a link (``root`` itself is followed); missing folders are made when ``create``.
    :class:`LinkError` at a link; the caller closes the descriptor."""
    folder = _absolute(folder)
    start = _start(folder, root)
    if create:
        start.mkdir(parents=True, exist_ok=True)
    fd = os.open(start, _DIRECTORY)
    current = start
    try:
        for part in folder.relative_to(start).parts:
            current = current / part
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
            try:
                child = os.open(part, _DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
                    raise _link_error(current, root, part, fd) from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_nofollow(
    path: Path,
    mode: str,
    root: Path | None = None,
    *,
    encoding: str | None = None,
    make_parents: bool = False,
) -> IO[Any]:
    """``open(path, mode)`` (``w``, ``x``, ``a``, ``a+``, each with or without ``b``) that never
    follows a link: not the file's, not a folder's under ``root``. :class:`LinkError`."""
    path = _absolute(path)
    flags = _MODES[mode.replace("b", "")] | os.O_NOFOLLOW | os.O_CLOEXEC
    folder = open_dir(path.parent, root, create=make_parents)
    try:
        try:
            fd = os.open(path.name, flags, 0o666, dir_fd=folder)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EEXIST) and _is_link(path.name, folder):
                raise _link_error(path, root, path.name, folder) from None
            raise
    finally:
        os.close(folder)
    try:
        return os.fdopen(fd, mode.replace("x", "w"), encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


def replace(source: Path, target: Path, root: Path | None = None) -> None:
    """``os.replace`` between folders reached without following links (a link at ``target``
    itself is replaced, never followed)."""
    source, target = _absolute(source), _absolute(target)
    source_fd = open_dir(source.parent, root)
    try:
        target_fd = open_dir(target.parent, root)
        try:
            os.replace(source.name, target.name, src_dir_fd=source_fd, dst_dir_fd=target_fd)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


def unlink(path: Path, root: Path | None = None, *, missing_ok: bool = False) -> None:
    """Remove the file (or the link itself) at ``path``, its folder reached without links."""
    path = _absolute(path)
    try:
        folder = open_dir(path.parent, root)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        os.unlink(path.name, dir_fd=folder)
    except FileNotFoundError:
        if not missing_ok:
            raise
    finally:
        os.close(folder)


def remove_tree(path: Path, root: Path | None = None) -> None:
    """Remove the folder ``path`` and what it holds (nothing when it is missing); a link is
    never followed: :class:`LinkError` when ``path`` or a folder above it is one, and a link
    inside is removed, not entered."""
    path = _absolute(path)
    try:
        folder = open_dir(path.parent, root)
    except FileNotFoundError:
        return
    try:
        if _is_link(path.name, folder):
            raise _link_error(path, root, path.name, folder)
        with suppress(FileNotFoundError):
            shutil.rmtree(path.name, dir_fd=folder)
    finally:
        os.close(folder)


def refuse_links(root: Path, paths: Iterable[Path]) -> None:
    """:class:`LinkError` for the first symbolic link on the way from ``root`` to each of
    ``paths``, at the path, or (a folder) anywhere under it; ``root`` itself may be a link, a
    path outside ``root`` is not looked at. Missing paths are fine (they will be made)."""
    root = _absolute(root)
    for path in paths:
        path = _absolute(path)
        if path == root:
            _refuse_links_under(root, root)
            continue
        if not path.is_relative_to(root):
            continue
        current = root
        mode = None
        for part in path.relative_to(root).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                mode = None
                break
            if stat.S_ISLNK(mode):
                raise LinkError(current, root)
            if not stat.S_ISDIR(mode):
                break
        if current == path and mode is not None and stat.S_ISDIR(mode):
            _refuse_links_under(path, root)


def _refuse_links_under(folder: Path, root: Path) -> None:
    pending = [folder]
    while pending:
        try:
            entries = os.scandir(pending.pop())
        except FileNotFoundError:  # removed meanwhile
            continue
        with entries:
            for entry in entries:
                if entry.is_symlink():
                    raise LinkError(Path(entry.path), root)
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
