"""The archive route's speed-ups (issue 24): its bodies go to a reading worker in a file, not
through its pipe (the pages read the same, and no file is left behind, also when the worker is
lost); a big local archive starts the reading worker at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.archive_route import WORKER_AT_ONCE_BYTES, local_bytes
from newscrawl.pages import reading
from newscrawl.pages.reading import (
    SPOOL_DIR,
    PageReaders,
    Reading,
    read_site_batch,
    read_spooled_batch,
    remove_stale_spools,
    spool,
)
from newscrawl.sites.bisnis import SITE
from tests.support import run_crawl, stat
from tests.test_archive_route import pages, read_in_a_worker, timeless
from tests.warcs import site_records, write_warc

ROOT = Path(__file__).resolve().parent.parent


def spooled_files() -> list[Path]:
    folder = Path(SPOOL_DIR or os.environ.get("TMPDIR", "/tmp"))
    return sorted(folder.glob(f"newscrawl-pages-{os.getpid()}-*"))


def test_a_spooled_batch_reads_as_its_pages_and_removes_its_file() -> None:
    batch = pages()[:5]
    assert len({len(body) for _, _, _, body, _ in batch}) > 1  # bodies of several lengths
    path = spool([body for _, _, _, body, _ in batch])
    assert Path(path).read_bytes() == b"".join(body for _, _, _, body, _ in batch)
    lengths = [(url, s, h, len(body), follow) for url, s, h, body, follow in batch]
    layouts = SITE.article_layouts
    readings = read_spooled_batch(HtmlResponse, path, lengths, layouts, False)
    assert not Path(path).exists()
    want = read_site_batch(HtmlResponse, batch, layouts, False)
    assert all(isinstance(reading, Reading) for reading in readings)
    assert list(map(timeless, readings)) == list(map(timeless, want))


def test_a_spooled_file_cut_short_is_an_error_and_removed() -> None:
    batch = pages()[:2]
    path = spool([body for _, _, _, body, _ in batch])
    lengths = [(url, s, h, len(body) + 1, follow) for url, s, h, body, follow in batch]
    try:
        read_spooled_batch(HtmlResponse, path, lengths, SITE.article_layouts, False)
    except OSError as error:
        assert "ends before the body" in str(error)
    else:
        raise AssertionError("a body cut short was read")
    assert not Path(path).exists()


def dead_pid() -> int:
    """The process id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_bodies_a_killed_crawl_and_its_worker_left_are_swept(tmp_path: Path) -> None:
    """A process group killed at once leaves its spooled bodies (neither the crawl nor its
    worker removed them): the next crawl removes them, and only them (this user's files of
    processes that are gone; not a live crawl's, not a link, not another file)."""
    gone, live = dead_pid(), os.getpid()
    left = tmp_path / f"newscrawl-pages-{gone}-abc"
    left.write_bytes(b"<html>")
    running = tmp_path / f"newscrawl-pages-{live}-def"
    running.write_bytes(b"<html>")
    target = tmp_path / "kept.html"
    target.write_bytes(b"<html>")
    link = tmp_path / f"newscrawl-pages-{gone}-link"
    link.symlink_to(target)
    other = tmp_path / f"other-{gone}-abc"
    other.write_bytes(b"")
    theirs = tmp_path / f"newscrawl-pages-{gone}-theirs"
    theirs.write_bytes(b"<html>")
    if os.getuid() == 0:  # another user's file (only root can make one here)
        os.chown(theirs, 65534, -1)
    assert remove_stale_spools(tmp_path) == 1 + (os.getuid() != 0)
    assert not left.exists()
    assert running.exists() and link.is_symlink() and target.exists() and other.exists()
    assert theirs.exists() is (os.getuid() == 0)


def test_batches_in_a_worker_and_after_it_is_lost_leave_no_file() -> None:
    stale = Path(SPOOL_DIR or os.environ.get("TMPDIR", "/tmp")) / f"newscrawl-pages-{dead_pid()}-x"
    stale.write_bytes(b"<html>")  # a killed crawl's: the first batch spooled sweeps it
    batch = pages()
    layouts = SITE.article_layouts
    counts: dict[str, int] = {}

    def count(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    async def run() -> list[list[Reading | Exception]]:
        readers = PageReaders(1, count)
        try:
            first = await readers.read_site_batch(HtmlResponse, batch, layouts, False)
            assert spooled_files() == []
            pool: Any = readers._pool
            for pid in list(pool._processes):
                os.kill(pid, signal.SIGKILL)
            second = await readers.read_site_batch(HtmlResponse, batch, layouts, False)
            return [first, second]
        finally:
            readers.close()

    first, second = asyncio.run(run())
    assert counts == {"reading/in_worker": len(batch), "reading/worker_lost": 1}
    want = list(map(timeless, read_site_batch(HtmlResponse, batch, layouts, False)))
    assert list(map(timeless, first)) == want
    assert list(map(timeless, second)) == want
    assert spooled_files() == [] and not stale.exists()


def lost_after_reading(path: str, parent: int) -> str:
    """In a worker: its file read and removed, then the worker lost (killed)."""
    os.unlink(path)
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "read again from the file"


def test_a_batch_whose_worker_is_lost_after_reading_it_is_read_from_its_pages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bodies"
    path.write_bytes(b"x")

    async def run() -> str:
        readers = PageReaders(1)
        try:
            return await readers._in_worker(
                lost_after_reading, (str(path), os.getpid()), here=lambda: "read from its pages"
            )
        finally:
            readers.close()

    assert asyncio.run(run()) == "read from its pages"
    assert not path.exists()


def test_a_big_local_archive_starts_the_reading_worker_at_once(tmp_path: Path) -> None:
    """Fewer pages than ``NEWSCRAWL_READ_WORKER_AFTER`` in a local archive of 64 MB or more
    (other hosts' records, mostly) are read in a worker with ``auto``; in a small one, not."""
    ours = [r for r in site_records("bisnis") if SITE.urls.is_article(r[0]) and r[2] == 200]
    padding = 2 * 1024 * 1024
    theirs = [
        (f"https://www.news{n}.example/read/{n}/story", b"x" * padding, 200, "text/html")
        for n in range(WORKER_AT_ONCE_BYTES // padding)
    ]
    big = write_warc(tmp_path / "big.warc", ours + theirs, gzip=False)
    small = write_warc(tmp_path / "small.warc", ours, gzip=False)
    assert local_bytes([str(big)]) >= WORKER_AT_ONCE_BYTES > local_bytes([str(small)])
    assert local_bytes([str(small), "https://data.commoncrawl.org/x.warc.gz"]) == local_bytes(
        [str(small)]
    )
    feeds = {}
    for name, archive in (("big", big), ("small", small)):
        result = run_crawl(
            "bisnis", {"warc": str(archive)}, output_dir=tmp_path / f"out-{name}",
            proxy_env={}, settings={"LOG_LEVEL": "INFO"},
        )  # fmt: skip
        assert result.returncode == 0, result.log[-3000:]
        in_worker = stat(result.log, "newscrawl/reading/in_worker")
        assert bool(in_worker) == (name == "big"), in_worker
        feeds[name] = [{**item, "crawled_at": ""} for item in result.items]
    assert feeds["big"] and feeds["big"] == feeds["small"]


def test_a_site_reading_worker_imports_no_generic_page() -> None:
    """What a worker reading a site's pages imports (the reading functions, the site's page
    objects) leaves out the generic page: it starts sooner."""
    code = (
        "import sys, pickle; from newscrawl.pages import reading; from newscrawl.sites import "
        "bisnis; print('newscrawl.pages.generic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"


KILLED_CRAWL = """
import asyncio, os, signal
from newscrawl.pages.reading import PageReaders, spool

async def main():
    readers = PageReaders(1)
    worker = await readers._in_worker(os.getpid, ())
    print(worker, spool([b"a body no worker read"]), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


def test_a_killed_crawls_spooled_bodies_are_removed_by_its_leaving_worker() -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_CRAWL], capture_output=True, text=True, cwd=ROOT
    )
    worker, path = done.stdout.split()
    deadline = time.monotonic() + 15
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{worker}").exists(), "the worker outlived its crawl"
    assert not Path(path).exists()


def test_bodies_that_cannot_be_spooled_go_through_the_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no file can be written for them (no room, no folder), a batch's bodies go to the
    worker through its pipe, and read the same."""
    monkeypatch.setattr(reading, "SPOOL_DIR", str(tmp_path / "not-there"))
    batch = pages()[:4]
    layouts = SITE.article_layouts
    readings, counts = read_in_a_worker(batch, layouts)
    assert counts == {"reading/in_worker": len(batch)}
    want = read_site_batch(HtmlResponse, batch, layouts, False)
    assert list(map(timeless, readings)) == list(map(timeless, want))


def test_a_spool_that_fails_leaves_no_file_half_written() -> None:
    def bodies() -> Any:
        yield b"a first body"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        spool(bodies())
    assert spooled_files() == []
