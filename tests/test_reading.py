"""Generic pages read in a worker process (:mod:`newscrawl.pages.reading`): the same reading
as in the crawl's process; workers that leave with the crawl, even a killed one; a lost
worker costs no article."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem
from newscrawl.pages import reading
from newscrawl.pages.generic import GenericArticlePage
from newscrawl.pages.reading import (
    QUEUED_AHEAD,
    WORKER_NICENESS,
    PageReaders,
    Reading,
    read_generic,
    read_spooled_generic,
    worker_count,
)
from newscrawl.pages.reading import running as running_process
from newscrawl.sites import registered as all_sites
from newscrawl.spiders.base import NewsSpider
from newscrawl.spiders.news import GenericNewsSpider
from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site, index_url
from tests.support import (
    FIXTURES,
    ROOT,
    manifest,
    published_items,
    run_crawl,
    start_crawl,
    stat,
    wait_until,
    without_crawled_at,
)

FOLDERS = ("anysite", "bisnis", "kompas")


def fixture_pages() -> list[tuple[str, str]]:
    pages = []
    for folder in FOLDERS:
        for url, entry in manifest(folder).items():
            if entry.get("status", 200) == 200 and entry["file"].endswith(".html"):
                pages.append((folder, url))
    return pages


def response_of(folder: str, url: str) -> HtmlResponse:
    body = (FIXTURES / folder / "site" / manifest(folder)[url]["file"]).read_bytes()
    return HtmlResponse(url, body=body, encoding="utf-8")


@pytest.mark.parametrize(("folder", "url"), fixture_pages())
def test_a_reading_is_what_the_page_object_gives(folder: str, url: str) -> None:
    response = response_of(folder, url)
    known = frozenset({"simak berita terkini di aplikasi kami"})
    reading = read_generic(url, response.body, response.encoding, known)
    assert pickle.loads(pickle.dumps(reading)) == reading  # a worker can send it
    page = GenericArticlePage(response, known_promo=known)
    assert reading.is_article() is page.is_article()
    if not page.is_article():
        return
    assert reading.whole_text_url() == page.whole_text_url()
    if page.whole_text_url() is not None:
        return
    assert reading.is_complete() is page.is_complete()
    assert reading.has_body() is page.has_body()
    assert timeless(reading.to_item()) == timeless(page.to_item())
    assert reading.notes() == page.notes()
    assert reading.learned_lines() == page.learned_lines()
    assert reading.promo_candidates() == page.promo_candidates()
    assert reading.other_pages() == page.other_pages()


def timeless(item: ArticleItem) -> ArticleItem:
    """``item`` without ``crawled_at`` (the second it was read in)."""
    return replace(item, crawled_at=None)


def timeless_reading(reading: Reading) -> Reading:
    return replace(reading, item=timeless(reading.item)) if reading.item else reading


def test_a_reading_without_an_item_says_so() -> None:
    with pytest.raises(ValueError, match="no item"):
        Reading("generic", article=False).to_item()


async def read_all(readers: PageReaders, responses: list[HtmlResponse]) -> list[Reading]:
    try:
        return [await readers.read(response, ()) for response in responses]
    finally:
        readers.close()


def test_a_worker_reads_as_the_crawls_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page reads the same in a worker, its body sent in a file (which the worker reads and
    removes), not through the worker's pipe."""
    responses = [response_of(folder, url) for folder, url in fixture_pages()[:12]]
    spooled: list[str] = []
    original = reading.spool

    def spool(bodies: list[bytes]) -> str:
        assert [len(body) for body in bodies] == [len(responses[len(spooled)].body)]
        spooled.append(original(bodies))
        return spooled[-1]

    monkeypatch.setattr(reading, "spool", spool)
    in_worker = asyncio.run(read_all(PageReaders(1), responses))
    in_process = asyncio.run(read_all(PageReaders(0), responses))
    assert list(map(timeless_reading, in_worker)) == list(map(timeless_reading, in_process))
    assert len(spooled) == len(responses) and not any(map(os.path.exists, spooled))


def test_a_body_that_cannot_be_spooled_goes_through_the_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no file can be written for it (no room, no folder), a page goes to the worker
    through its pipe, and reads the same."""
    responses = [response_of(folder, url) for folder, url in fixture_pages()[:3]]
    monkeypatch.setattr(reading, "SPOOL_DIR", str(tmp_path / "not-there"))
    in_worker = asyncio.run(read_all(PageReaders(1), responses))
    in_process = asyncio.run(read_all(PageReaders(0), responses))
    assert list(map(timeless_reading, in_worker)) == list(map(timeless_reading, in_process))


@pytest.mark.parametrize(
    ("more", "error"), [(1, "ends before the body"), (-1, "holds more than the bodies")]
)
def test_a_spooled_page_of_another_length_is_an_error_and_removed(more: int, error: str) -> None:
    response = response_of(*fixture_pages()[0])
    path = reading.spool([response.body])
    with pytest.raises(OSError, match=error):
        read_spooled_generic(response.url, path, len(response.body) + more, "utf-8", (), False)
    assert not os.path.exists(path)


@pytest.mark.parametrize(
    ("value", "workers"), [("auto", 1 if (os.cpu_count() or 1) > 1 else 0), ("0", 0), (" 2 ", 2)]
)
def test_worker_count(value: str, workers: int) -> None:
    assert worker_count(Settings({"NEWSCRAWL_READ_WORKERS": value})) == workers


#: Asked in a worker (through ``eval``: a function of this module would import the module,
#: and with it the generic page): whether the generic page is imported there.
GENERIC_IMPORTED = "'newscrawl.pages.generic' in __import__('sys').modules"


def new_children(before: set[multiprocessing.Process], count: int) -> None:
    wait_until(lambda: len(set(multiprocessing.active_children()) - before) >= count)


def test_workers_start_before_any_page_and_run_nicer() -> None:
    """``start_now`` spawns every worker, each importing what its reading needs, before any
    page is sent; a worker runs :data:`WORKER_NICENESS` nicer than the crawl's process (which
    goes first where they contend for a core). With no worker it starts nothing."""
    before = set(multiprocessing.active_children())
    PageReaders(0).start_now(("json",))
    assert set(multiprocessing.active_children()) == before
    readers = PageReaders(2, niceness=WORKER_NICENESS)
    try:
        readers.start_now(("newscrawl.pages.generic",))
        new_children(before, 2)
        pool: Any = readers._executor()
        assert pool.submit(eval, GENERIC_IMPORTED).result(timeout=60)
        assert pool.submit(os.nice, 0).result(timeout=60) == min(19, os.nice(0) + WORKER_NICENESS)
    finally:
        readers.close()


def test_workers_are_forked_from_one_server_that_imported_their_reading() -> None:
    """The workers are forked from one fork server, not started each as a new Python (a
    second worker costs a fork, not another ~0.45 s of imports): their parent is the same
    process, not the crawl's, and it had imported their reading."""
    readers = PageReaders(2)
    try:
        readers.start_now(("newscrawl.pages.generic",))
        pool: Any = readers._executor()
        parents = {pool.submit(os.getppid).result(timeout=60) for _ in range(8)}
        assert len(parents) == 1 and os.getpid() not in parents
        (server,) = parents
        assert b"'scrapy.http'" in command_of(server)  # its preload
    finally:
        readers.close()


def test_the_workers_start_in_a_thread_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's start waits for its fork server's imports (~0.4 s): the workers are started
    in a thread of their own, never in the caller's (the reactor's, where every request would
    wait meanwhile); a page sent meanwhile waits for them, and is read there."""
    threads: list[str] = []
    make = PageReaders._executor

    def recording(self: PageReaders) -> Any:
        threads.append(threading.current_thread().name)
        return make(self)

    monkeypatch.setattr(PageReaders, "_executor", recording)
    counts: Counter[str] = Counter()
    readers = PageReaders(1, lambda name: counts.update([name]))
    try:
        readers.start_now(("json",))
        assert readers._started is not None
        response = response_of(*fixture_pages()[0])
        asyncio.run(readers.read(response, frozenset()))
        assert readers._started.done() and counts["reading/in_worker"] == 1
        assert threads[0] == "reading-start" and threading.current_thread().name not in threads[:1]
    finally:
        readers.close()


def test_workers_read_with_the_crawls_own_newscrawl(tmp_path: Path) -> None:
    """The fork server imports third-party modules only: on Python 3.11 it imports from its
    working folder, not from the crawl's path, and another copy of newscrawl there (a
    checkout beside an installed one) is not the one the workers read with."""
    wrong = tmp_path / "newscrawl"
    wrong.mkdir()
    (wrong / "__init__.py").write_text("raise RuntimeError('the working folder copy')\n")
    script = (
        "import sys\nsys.path.insert(0, sys.argv[1])\nfrom newscrawl.pages import reading\n"
        "if __name__ == '__main__':\n"
        "    readers = reading.PageReaders(1)\n"
        "    readers.start_now(('newscrawl.pages.generic',))\n"
        "    code = \"__import__('newscrawl').__file__\"\n"
        "    print(readers._executor().submit(eval, code).result(timeout=60))\n"
        "    readers.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.strip() == str(ROOT / "newscrawl" / "__init__.py"), done.stderr[-3000:]


def test_running_tells_a_gone_or_killed_process() -> None:
    """A worker leaves when the crawl's process is not :func:`running`: gone, killed and not
    reaped yet (a zombie), or another process given its number since it started."""
    assert running_process(os.getpid())
    assert running_process(os.getpid(), reading.started_at(os.getpid()))
    assert not running_process(os.getpid(), "1")  # another process, given this one's number
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    wait_until(lambda: Path(f"/proc/{child.pid}/stat").read_text().split()[2] == "Z")
    assert not running_process(child.pid)
    child.wait()
    assert not running_process(child.pid)


def test_pages_are_queued_ahead_for_the_workers() -> None:
    """The workers' queue holds :data:`QUEUED_AHEAD` tasks besides one a worker (a worker done
    with a page need not wait for the crawl's process's threads to send the next); the
    standard library's default is left as it was for every other executor."""
    from concurrent.futures import process

    default = process.EXTRA_QUEUED_CALLS
    readers = PageReaders(2)
    try:
        pool: Any = readers._executor()
        assert pool._call_queue._maxsize == 2 + QUEUED_AHEAD
        assert QUEUED_AHEAD >= 8
    finally:
        readers.close()
    assert process.EXTRA_QUEUED_CALLS == default == 1


def test_the_news_spider_starts_its_workers_as_it_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    """``crawl news`` (a run: ``scrapy crawl``) starts its workers as the spider opens, to
    run nicer than the crawl's process; Scrapy's tools (no run) start none before a page
    (``scrapy fetch`` reads none); a site's spider keeps its workers at the crawl's priority
    (they read most of an archive run's pages)."""
    crawler = get_crawler(GenericNewsSpider, {"NEWSCRAWL_READ_WORKERS": "2"})
    tool = GenericNewsSpider.from_crawler(crawler, start_urls="https://www.bisnis.com/")
    crawler.spider = tool
    crawler.signals.send_catch_log(signals.spider_opened, spider=tool)
    assert tool.run is None and tool.readers._pool is None

    monkeypatch.setattr(GenericNewsSpider, "run", property(lambda self: object()))
    crawler = get_crawler(GenericNewsSpider, {"NEWSCRAWL_READ_WORKERS": "2"})
    spider = GenericNewsSpider.from_crawler(crawler, start_urls="https://www.bisnis.com/")
    crawler.spider = spider
    before = set(multiprocessing.active_children())
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    try:
        new_children(before, 2)
        assert spider.readers.niceness == WORKER_NICENESS
    finally:
        spider.readers.close()
    site_spider = NewsSpider.for_site(all_sites()["bisnis"])
    crawler = get_crawler(site_spider, {"NEWSCRAWL_READ_WORKERS": "1"})
    assert site_spider.from_crawler(crawler).readers.niceness == 0


def test_executors_made_at_once_in_threads_all_queue_ahead() -> None:
    """The standard library's constant is set under a lock while an executor is made: made
    in several threads at once, each queues as many, and the default is left as it was."""
    from concurrent.futures import process

    sizes: list[int] = []

    def make() -> None:
        for _ in range(20):
            pool: Any = PageReaders(1)._executor()
            sizes.append(pool._call_queue._maxsize)
            pool.shutdown()

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sizes == [1 + QUEUED_AHEAD] * 80
    assert process.EXTRA_QUEUED_CALLS == 1


def test_closing_cancels_the_pages_waiting_for_a_worker() -> None:
    """The crawl closed, the pages waiting for a worker are cancelled, not read (those sent
    ahead fail there: their files are gone), and no body's file is left."""
    response = response_of(*fixture_pages()[0])
    readers = PageReaders(1)

    async def close_early() -> list[Any]:
        tasks = [asyncio.ensure_future(readers.read(response, ())) for _ in range(60)]
        await asyncio.sleep(0)  # every read submitted
        readers.close()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(close_early())
    cancelled = sum(isinstance(result, asyncio.CancelledError) for result in results)
    assert cancelled >= 60 - 1 - QUEUED_AHEAD - 5
    assert not list(Path(reading.SPOOL_DIR or "/tmp").glob(f"newscrawl-pages-{os.getpid()}-*"))


@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_a_bad_worker_count_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_READ_WORKERS"):
        worker_count(Settings({"NEWSCRAWL_READ_WORKERS": value}))


# -- the crawl and its workers --------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, ReplayProxy]]:
    """120 articles served a little slowly, listed on six section pages."""
    site = generate_site(
        tmp_path_factory.mktemp("reading") / "site",
        120,
        per_day=60,
        per_page=20,
        first_day=date(2025, 3, 1),
        slow={n: 0.05 for n in range(120)},
    )
    with ReplayProxy(site.root, lifetime=900) as proxy:
        yield site, proxy


def sections(site: Generated) -> str:
    return ",".join(index_url(day, page) for day in site.days for page in (1, 2, 3))


SLOW = {"CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_of(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def reading_workers(pid: int) -> list[int]:
    """The reading workers of crawl ``pid``: the children of its fork server (forked from
    it, they share its command line)."""
    servers = [c for c in children_of(pid) if b"multiprocessing.forkserver" in command_of(c)]
    return [worker for server in servers for worker in children_of(server)]


def reading_worker(pid: int) -> int | None:
    return next(iter(reading_workers(pid)), None)


def descendants_of(pid: int) -> list[int]:
    found = children_of(pid)
    for child in list(found):
        found += descendants_of(child)
    return found


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A crawl's TMPDIR with a short path (a fork server's socket path must fit 107 bytes):
    ``/tmp/<random>``, removed after the test."""
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_long_tmpdir_leaves_the_fork_server_s_folder_to_multiprocessing(short_tmp: Path) -> None:
    """Where the fork server's socket path would not fit in the crawl's scratch folder (a
    long TMPDIR), multiprocessing keeps its own folder as before, and workers still start."""
    long = short_tmp / ("t" * (70 - len(str(short_tmp)) - 1))  # 70 characters: "pymp-" fits
    long.mkdir()
    _workers_start_in_multiprocessing_s_own_folder(long)
    # counted in bytes: 24 two-byte letters fit as characters, not as bytes
    wide = short_tmp / ("é" * 24)
    wide.mkdir()
    _workers_start_in_multiprocessing_s_own_folder(wide)


def python_in(temporary: Path, code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by a Python of its own with ``temporary`` as its TMPDIR; it must exit 0."""
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr[-3000:]
    return shown


def _workers_start_in_multiprocessing_s_own_folder(long: Path) -> None:
    code = (
        "from newscrawl.pages import reading\n"
        "import os\n"
        "with reading.worker_context().Pool(1) as pool:\n"
        "    assert pool.apply(os.getpid) != os.getpid()\n"
        "    print(sorted(name[:5] for name in os.listdir(os.environ['TMPDIR'])))\n"
    )
    shown = python_in(long, code)
    assert shown.stdout.split() == ["['pymp-']"]
    assert list(long.iterdir()) == []


def test_workers_that_cannot_start_leave_the_pages_to_the_crawl_s_process(short_tmp: Path) -> None:
    """A TMPDIR so long that no fork server's socket path fits: the workers cannot start,
    and the page is read in the crawl's process (counted as a worker lost, with a WARNING),
    not failed."""
    long = short_tmp / ("t" * (100 - len(str(short_tmp)) - 1))
    long.mkdir()
    code = (
        "import asyncio\n"
        "from scrapy.http import HtmlResponse\n"
        "from newscrawl.pages.reading import PageReaders\n"
        f"text = '<p>{SENTENCES_TEXT}</p>' * 4\n"
        'html = (\'<html><head><title>T</title><meta property="og:type" content="article">\'\n'
        "        f'</head><body><article><h1>Council approves budget</h1>{text}</article>'\n"
        "        '</body></html>')\n"
        "async def main():\n"
        "    counts = []\n"
        "    readers = PageReaders(1, counts.append)\n"
        "    readers.start_now()\n"
        "    page = HtmlResponse('https://example.com/news/a-1', body=html.encode())\n"
        "    try:\n"
        "        reading = await readers.read(page, frozenset())\n"
        "        print(reading.item is not None, counts)\n"
        "    finally:\n"
        "        readers.close()\n"
        "asyncio.run(main())\n"
    )
    shown = python_in(long, code)
    assert shown.stdout.split("\n")[0] == "True ['reading/worker_lost']"
    assert "The page-reading workers could not start (AF_UNIX path too long)" in shown.stderr


#: A sentence of an article's text, for a page read in a subprocess.
SENTENCES_TEXT = (
    "The city council approved the budget on Monday after a long debate that lasted well "
    "into the night, officials said."
)


def test_no_worker_reads_the_same_items(
    slow_site: tuple[Generated, ReplayProxy], tmp_path: Path, short_tmp: Path
) -> None:
    site, proxy = slow_site
    feeds = []
    temporary = short_tmp
    for workers in ("0", "1"):
        output = tmp_path / workers
        result = run_crawl(
            "news",
            {"start_urls": sections(site), "browser": "never"},
            output_dir=output,
            proxy_env={**proxy.env(), "TMPDIR": str(temporary)},
            settings={"NEWSCRAWL_READ_WORKERS": workers},
        )
        assert result.returncode == 0, result.log[-3000:]
        assert len(result.items) == len(site.articles)
        feeds.append(sorted((without_crawled_at(item) for item in result.items), key=str))
        assert list(temporary.iterdir()) == [], "the crawl left its fork server's folder"
    assert feeds[0] == feeds[1]


def test_workers_leave_with_a_killed_crawl(
    slow_site: tuple[Generated, ReplayProxy], tmp_path: Path, short_tmp: Path
) -> None:
    """The workers leave with a crawl killed with SIGKILL; the fork server's folder (in the
    crawl's scratch folder) stays, and the next run that starts workers removes it."""
    site, proxy = slow_site
    temporary = short_tmp
    process = start_crawl(
        "news",
        {"start_urls": sections(site), "browser": "never"},
        output_dir=tmp_path / "out",
        proxy_env={**proxy.env(), "TMPDIR": str(temporary)},
        log=tmp_path / "crawl.log",
        settings={**SLOW, "NEWSCRAWL_READ_WORKERS": "1"},
    )
    try:
        wait_until(lambda: reading_worker(process.pid) is not None or process.poll() is not None)
        assert process.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
        helpers = descendants_of(process.pid)  # the workers, their fork server, the tracker
        assert reading_workers(process.pid) and len(helpers) >= 3
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in helpers if running(pid)], "a worker outlived the crawl"
    left = [entry.name for entry in temporary.iterdir()]
    assert [name.split("-")[:3] for name in left] == [["newscrawl", "forkserver", str(process.pid)]]
    assert [p.name[:9] for p in (temporary / left[0]).iterdir()] == ["listener-"], "elsewhere"
    # the next run starting workers: it removes what the killed one left
    python_in(temporary, "from newscrawl.pages import reading; reading.worker_context()")
    assert list(temporary.iterdir()) == [], "a killed run's folder stayed, or this one's"


def test_a_lost_worker_costs_no_article(
    slow_site: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    site, proxy = slow_site
    output = tmp_path / "out"
    log = tmp_path / "crawl.log"
    proxy.reset()
    process = start_crawl(
        "news",
        {"start_urls": sections(site), "browser": "never"},
        output_dir=output,
        proxy_env=proxy.env(),
        log=log,
        settings={**SLOW, "NEWSCRAWL_READ_WORKERS": "1", "LOG_LEVEL": "INFO"},
    )
    try:
        wait_until(
            lambda: (
                process.poll() is not None
                or (reading_worker(process.pid) is not None and len(proxy.urls()) > 30)
            )
        )
        worker = reading_worker(process.pid)
        assert process.poll() is None and worker is not None, log.read_text()[-3000:]
        os.kill(worker, signal.SIGKILL)
        assert process.wait(timeout=300) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text()
    assert stat(text, "newscrawl/reading/worker_lost") == 1
    assert "A page-reading worker was lost" in text
    items = published_items(output, "news/bisnis.com")
    assert sorted(item["article_id"] for item in items) == sorted(site.articles)


def test_a_bad_worker_count_fails_the_crawl_before_any_request(
    slow_site: tuple[Generated, ReplayProxy], tmp_path: Path
) -> None:
    site, proxy = slow_site
    proxy.reset()
    result = run_crawl(
        "news",
        {"start_urls": sections(site), "browser": "never"},
        output_dir=tmp_path / "out",
        proxy_env=proxy.env(),
        settings={"NEWSCRAWL_READ_WORKERS": "many"},
    )
    assert result.returncode == 2
    assert "NEWSCRAWL_READ_WORKERS='many' is not a number" in result.log
    assert proxy.urls() == []
    assert not (tmp_path / "out" / "news").exists()
