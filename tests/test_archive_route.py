"""The archive route's speed-ups give what the plain path gives (issue 24): pages read in
batches (in a reading worker or not) read as one at a time, the hosts remembered by
:meth:`ArchiveRoute.wanted` answer as :meth:`ArticleUrls.is_article` does, a plain status line
reads as warcio reads it, and ``auto`` starts a reading worker for a backfill, not for a small
archive."""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.archive_route import ArchiveRoute, _before_path
from newscrawl.archives import _HTTP, _STATUS_LINE
from newscrawl.pages.base import ArticlePage
from newscrawl.pages.reading import PageReaders, Reading, SitePage, read_site, read_site_batch
from newscrawl.settings import NEWSCRAWL_READ_WORKER_AFTER as AUTO_WORKER_AFTER
from newscrawl.sites import registered
from newscrawl.sites.bisnis import SITE
from tests.sitegen import generate_site
from tests.support import crawl_command, run_command, run_crawl, stat
from tests.warcs import site_records, write_warc


def timeless(reading: Reading | Exception) -> Any:
    if isinstance(reading, Reading) and reading.item is not None:
        return replace(reading, item=replace(reading.item, crawled_at=None))
    return reading


class Unreadable(ArticlePage):
    """A layout that fails on a page with a ``boom`` element (a page object's bug), with an
    error that can be pickled or (``<b class="boom cannot-pickle">``) not."""

    @classmethod
    def matches(cls, table: Any) -> bool:
        if "cannot-pickle" in table.by_class:
            raise ValueError(lambda: "a lambda cannot be pickled")
        if "boom" in table.by_class:
            raise ValueError("no such layout")
        return False


def pages() -> list[tuple[str, int, dict[str, Any], bytes, bool]]:
    records = [r for r in site_records("bisnis") if SITE.urls.is_article(r[0]) and r[2] == 200]
    assert len(records) > 5
    return [
        (url, 200, {"Content-Type": kind}, body, SITE.urls.page(url) != "all")
        for url, body, _, kind in records
    ]


def read_in_a_worker(
    batch: list[SitePage], layouts: Sequence[type[ArticlePage]]
) -> tuple[list[Reading | Exception], dict[str, int]]:
    """``batch`` read as one batch by a reading worker of its own; and what was counted."""
    counts: dict[str, int] = {}

    def count(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    async def in_worker() -> list[Reading | Exception]:
        readers = PageReaders(1, count)
        try:
            return await readers.read_site_batch(HtmlResponse, batch, layouts, False)
        finally:
            readers.close()

    return asyncio.run(in_worker()), counts


def test_a_batch_reads_as_one_page_at_a_time() -> None:
    batch = pages()
    layouts = SITE.article_layouts
    one_by_one = [
        read_site(HtmlResponse(url, status=s, headers=h, body=b), layouts, follow, False)
        for url, s, h, b, follow in batch
    ]
    here = read_site_batch(HtmlResponse, batch, layouts, False)
    there, counts = read_in_a_worker(batch, layouts)
    assert counts == {"reading/in_worker": len(batch)}
    assert list(map(timeless, here)) == list(map(timeless, one_by_one))
    assert list(map(timeless, there)) == list(map(timeless, one_by_one))


def test_a_page_that_fails_in_a_batch_spoils_no_other() -> None:
    good = pages()[:2]
    boom = ("https://www.bisnis.com/read/1", 200, {}, b'<html><b class="boom">x</b></html>', True)
    unpicklable = (*boom[:3], b'<html><b class="boom cannot-pickle">x</b></html>', True)
    layouts = (Unreadable, *SITE.article_layouts)
    batch = [good[0], boom, good[1], unpicklable]
    readings = read_site_batch(HtmlResponse, batch, layouts, False)
    assert isinstance(readings[0], Reading) and isinstance(readings[2], Reading)
    assert isinstance(readings[1], ValueError) and str(readings[1]) == "no such layout"
    assert isinstance(readings[3], RuntimeError) and str(readings[3]).startswith("ValueError")
    alone = read_site_batch(HtmlResponse, [good[0], good[1]], layouts, False)
    assert timeless(readings[0]) == timeless(alone[0])
    assert timeless(readings[2]) == timeless(alone[1])


URLS = [
    "https://www.bisnis.com/read/20251114/9/1929871/judul",
    "https://market.bisnis.com/read/20251114/9/1929871/judul?page=2",
    "https://market.bisnis.com/read/20251114/9/1929871/judul?page=all",
    "https://market.bisnis.com/read/20251114/9/1929871/judul",
    "https://market.bisnis.com",
    "https://market.bisnis.com?x=/read/20251114/9/1929871/judul",
    "https://market.bisnis.com#/read/20251114/9/1929871/judul",
    "http://market.bisnis.com/read/20251114/9/1929871/judul",
    "HTTPS://Market.Bisnis.COM./read/20251114/9/1929871/judul",
    "ftp://market.bisnis.com/read/20251114/9/1929871/judul",
    "https://bisnis.com.evil.net/read/20251114/9/1929871/judul",
    "https://evil.net@market.bisnis.com/read/20251114/9/1929871/judul",
    "https://market.bisnis.com@evil.net/read/20251114/9/1929871/judul",
    "https://market.bisnis.com:8443/read/20251114/9/1929871/judul",
    "https://[::1/read/20251114/9/1929871/judul",
    "https://10.0.0.1/read/20251114/9/1929871/judul",
    "\thttps://market.bisnis.com/read/20251114/9/1929871/judul",
    "https:/market.bisnis.com/read/20251114/9/1929871/judul",
    "market.bisnis.com/read/20251114/9/1929871/judul",
    "https://www.news3.example/read/20251114/9/1929871/judul",
    "",
]


@pytest.mark.parametrize("slug", sorted(registered()))
def test_wanted_answers_as_is_article_with_its_hosts_remembered(slug: str) -> None:
    site = registered()[slug]
    counted: list[str] = []
    spider = SimpleNamespace(
        site=site, count=lambda event, by=1: counted.append(event),
        crawler=SimpleNamespace(settings={}),
    )  # fmt: skip
    route = ArchiveRoute(spider)  # type: ignore[arg-type]
    domain = site.urls.domain
    urls = [u.replace("bisnis.com", domain) for u in URLS] + URLS
    for _ in range(2):  # asked, then remembered
        for url in urls:
            for status in (200, 404):
                assert route.wanted(url, status) is (site.urls.is_article(url) and status == 200), (
                    url
                )
    assert counted == ["archive/not_ok"] * 2 * sum(map(site.urls.is_article, urls))


def test_before_path_keeps_what_decides_scheme_and_host() -> None:
    assert _before_path("https://a.example/b/c") == "https://a.example"
    assert _before_path("https://a.example") == "https://a.example"
    assert _before_path("https://a.example?q=/x") == "https://a.example?q="
    assert _before_path("a/b") == "a/b"
    assert _before_path("") == ""


def test_auto_reads_a_backfill_on_both_cores_and_a_small_archive_on_one(tmp_path: Path) -> None:
    """``NEWSCRAWL_READ_WORKERS=auto`` starts a worker once ``NEWSCRAWL_READ_WORKER_AFTER`` pages
    were read in the crawl's process, and the items are those a crawl on one core exports."""
    n = AUTO_WORKER_AFTER + 40
    site = generate_site(tmp_path / "site", n, per_day=100, first_day=date(2025, 1, 1))
    entries = json.loads((site.root / "manifest.json").read_text())
    urls = set(site.articles.values())
    records = [
        (e["url"], (site.root / "site" / e["file"]).read_bytes(), 200, "text/html; charset=UTF-8")
        for e in entries
        if e["url"] in urls
    ]
    archive = write_warc(tmp_path / "backfill.warc.gz", records)
    feeds = {}
    for workers in ("auto", "0"):
        result = run_crawl(
            "bisnis", {"warc": str(archive)}, output_dir=tmp_path / f"out-{workers}",
            proxy_env={}, settings={"NEWSCRAWL_READ_WORKERS": workers, "LOG_LEVEL": "INFO"},
        )  # fmt: skip
        assert result.returncode == 0, result.log[-3000:]
        assert len(result.items) == n
        in_worker = stat(result.log, "newscrawl/reading/in_worker")
        assert (0 < in_worker <= n - AUTO_WORKER_AFTER) if workers == "auto" else not in_worker
        feeds[workers] = [{**item, "crawled_at": ""} for item in result.items]
    assert feeds["auto"] == feeds["0"]

    small = write_warc(tmp_path / "small.warc.gz", records[:20])
    result = run_crawl("bisnis", {"warc": str(small)}, output_dir=tmp_path / "out-small",
                       proxy_env={}, settings={"LOG_LEVEL": "INFO"})  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 20
    assert not stat(result.log, "newscrawl/reading/in_worker")


#: ``python -c`` running ``scrapy`` as ``python -m scrapy`` does, which lists the modules it
#: imported as it exits (``-X importtime`` leaves some out once the crawl has begun).
LIST_MODULES = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('MODULES', *sorted(sys.modules), file=sys.stderr))\n"
    "from scrapy.cmdline import execute\n"
    "execute(['scrapy', *sys.argv[1:]])\n"
)


def test_an_archive_run_imports_no_http_client_and_no_browser(tmp_path: Path) -> None:
    """A crawl of an archive downloads nothing: it imports neither Scrapy's HTTP client nor
    scrapy-playwright (each is made on its first request: ~0.1 s of every start), nor the
    news spider and its generic page (~0.2 s), nor a Redis client (a crawl on one machine). A
    fresh interpreter (not the tests' fork server, which preloads them), its modules listed as
    it exits."""
    records = [r for r in site_records("bisnis") if SITE.urls.is_article(r[0]) and r[2] == 200]
    archive = write_warc(tmp_path / "one.warc.gz", records[:1])
    command = crawl_command("bisnis", {"warc": str(archive)}, tmp_path / "out")
    assert command[1:3] == ["-m", "scrapy"]
    command[1:3] = ["-c", LIST_MODULES]
    returncode, log = run_command(command, dict(os.environ), timeout=120)
    assert returncode == 0, log[-3000:]
    assert stat(log, "item_scraped_count") == 1
    (listed,) = [line for line in log.splitlines() if line.startswith("MODULES ")]
    imported = set(listed.split()[1:])
    assert "newscrawl.spiders.base" in imported  # the listing is there
    assert not {name for name in imported if name.startswith("scrapy_playwright")}
    assert "scrapy.core.downloader.handlers.http11" not in imported
    assert "newscrawl.spiders.news" not in imported
    assert "newscrawl.pages.generic" not in imported
    assert not {name for name in imported if name.split(".")[0] in ("redis", "scrapy_redis")}


PLAIN = [
    b"HTTP/1.1 200 OK\r\n",
    b"HTTP/1.0 404 Not Found\r\n",
    b"HTTP/1.1 200\r\n",
    b"HTTP/1.1 200 \r\n",
    b"HTTP/1.1 200  OK \xe2\x9c\x93\n",
    b"HTTP/1.1 301 Moved \xe9\r\n",
    b"HTTP/1.1 000 Zero\r\n",
]
NOT_PLAIN = [
    b"HTTP/1.1 200\tOK\r\n",
    b"HTTP/1.1  200 OK\r\n",
    b"HTTP/2 200 OK\r\n",
    b"http/1.1 200 OK\r\n",
    b"HTTP/1.1 20 OK\r\n",
    b"HTTP/1.1 2000 OK\r\n",
    b"HTTP/1.1 200 O\rK\r\n",
    b"HTTP/1.1 200 OK",
    b"\r\n",
]


@pytest.mark.parametrize("line", PLAIN + NOT_PLAIN)
def test_a_plain_status_line_reads_as_warcio_reads_it(line: bytes) -> None:
    """The status of a record not wanted is read from a plain status line without warcio's
    parser: the number warcio's parser reads; any other line is left to warcio's parser."""
    plain = _STATUS_LINE.match(line)
    assert bool(plain) is (line in PLAIN)
    if plain:
        parsed = _HTTP.parse(io.BytesIO(line + b"Content-Type: text/html\r\n\r\n"))
        assert int(plain.group(1)) == int(parsed.get_statuscode())
