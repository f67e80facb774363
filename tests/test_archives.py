"""History from web archives: ``scrapy crawl bisnis -a warc=...`` on WARC files the tests write
from the reference site (warcio's writer), and the CC-NEWS URL forms (built, never fetched)."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archives import (
    ArchiveCounts,
    ArchiveDamaged,
    ccnews_archive_urls,
    ccnews_paths_url,
    read_captures,
)
from newscrawl.sites.bisnis import SITE
from tests.replay import ReplayProxy
from tests.support import (
    FIXTURES,
    assert_items_match,
    assert_refused,
    expected,
    manifest,
    notes,
    run_crawl,
    stat,
)
from tests.warcs import site_records, truncate, write_warc

EXPECTED = set(expected("bisnis"))


def article_of(url: str) -> str | None:
    return SITE.urls.article_id(url) if SITE.urls.is_article(url) else None


def crawl(output: Path, proxy: ReplayProxy | None = None, **args: str) -> Any:  # CrawlResult
    return run_crawl("bisnis", args, output_dir=output, proxy_env=proxy.env() if proxy else {})


@pytest.fixture(scope="module")
def proxy() -> Iterator[ReplayProxy]:
    """A replay proxy the crawls are pointed at: an archive run must not ask it anything."""
    with ReplayProxy(FIXTURES / "bisnis", lifetime=900) as replay:
        yield replay


def reference_archives(site: str, folder: Path) -> list[Path]:
    """The whole reference site in two archives: a gzipped one (a gzip member a record) and a
    plain one."""
    records = site_records(site)
    half = len(records) // 2
    return [
        write_warc(folder / "first.warc.gz", records[:half]),
        write_warc(folder / "second.warc", records[half:], gzip=False),
    ]


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return reference_archives("bisnis", tmp_path_factory.mktemp("warcs"))


@pytest.mark.parametrize(
    ("site", "workers", "reader"),
    [
        ("bisnis", "1", "auto"),
        ("bisnis", "0", "warcio"),
        ("kompas", "1", "auto"),
        ("kompas", "0", "fastwarc"),
    ],
)
def test_archives_give_exactly_the_reference_items(
    site: str, workers: str, reader: str, tmp_path: Path
) -> None:
    """The same items whoever reads the archive (FastWARC, warcio) and the pages (a reading
    worker and the crawl's own process together, or the crawl's process alone)."""
    sources = ",".join(map(str, reference_archives(site, tmp_path)))
    settings = {"NEWSCRAWL_READ_WORKERS": workers, "NEWSCRAWL_WARC_READER": reader}
    with ReplayProxy(FIXTURES / site, lifetime=300) as proxy:
        result = run_crawl(site, {"warc": sources}, output_dir=tmp_path / "out",
                           proxy_env=proxy.env(), settings=settings)  # fmt: skip
        touched = proxy.urls(), proxy.hosts()
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(site, result.items, set(expected(site)))
    assert touched == ([], set()), "an archive run touched the network"
    assert stat(result.log, "newscrawl/archive/records_read") == len(manifest(site))
    twins = len(notes(site).get("syndicated", []))  # the copy under another URL: a duplicate
    assert stat(result.log, "newscrawl/archive/records_kept") == len(expected(site)) + twins
    assert stat(result.log, "newscrawl/dedup/duplicate_content") == twins
    assert stat(result.log, "newscrawl/archive/passed_over") > 0
    assert re.search(
        r"Read \d+ archive record\(s\) in [\d.]+ s, \d+ a second: .* passed over "
        r"\d+ record\(s\) not wanted .*, \d+ a second; kept \d+ article",
        result.log,
    )
    in_worker = stat(result.log, "newscrawl/reading/in_worker")
    assert in_worker > 0 if workers == "1" else in_worker == 0

    again = run_crawl(site, {"warc": sources}, output_dir=tmp_path / "out", proxy_env={})
    assert again.returncode == 0, again.log[-3000:]
    assert again.items == []
    assert stat(again.log, "newscrawl/archive/known") >= len(expected(site))


def test_revisits_and_other_captures_of_an_article_add_nothing(
    archives: list[Path], tmp_path: Path
) -> None:
    some = sorted(url for url in manifest("bisnis") if article_of(url) in EXPECTED)[:3]
    again = [(url, body, status, kind) for url, body, status, kind in site_records("bisnis", some)]
    gone = [(url, b"<html><body>Not found</body></html>", 404, "text/html") for url in some]
    extra = write_warc(tmp_path / "extra.warc.gz", again + gone, revisits=some)
    result = crawl(tmp_path / "out", warc=",".join(map(str, [*archives, extra])))
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match("bisnis", result.items, EXPECTED)
    assert stat(result.log, "newscrawl/archive/revisits") == 3
    assert stat(result.log, "newscrawl/archive/known") >= 3


def whole_text_only(article_id: str) -> list[tuple[str, bytes, int, str]]:
    urls = [
        url
        for url in manifest("bisnis")
        if article_of(url) == article_id and url.endswith("?page=all")
    ]
    return site_records("bisnis", urls)


def test_damaged_archives_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    ordered = sorted(EXPECTED)
    before, cut, after = ordered[0], ordered[1], ordered[2]  # three articles, moved out
    moved = {before, cut, after}
    rest = [r for r in site_records("bisnis") if article_of(r[0]) not in moved]
    intact = write_warc(tmp_path / "rest.warc", rest, gzip=False)
    truncated = truncate(
        write_warc(tmp_path / "cut.warc.gz", whole_text_only(before) + whole_text_only(cut)), 2000
    )
    corrupt = write_warc(tmp_path / "corrupt.warc.gz", whole_text_only(after))
    with corrupt.open("ab") as handle:
        handle.write(b"\x1f\x8b\x08\x00" + b"not a gzip member at all" * 40)
    sources = [truncated, corrupt, intact]
    result = crawl(tmp_path / "out", warc=",".join(map(str, sources)))
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match("bisnis", result.items, EXPECTED - {cut})
    warnings = [line for line in result.log.splitlines() if "WARNING" in line and "Archive" in line]
    assert any(str(truncated) in line and "is truncated" in line for line in warnings), warnings
    assert any(str(corrupt) in line and "is corrupt" in line for line in warnings), warnings
    assert stat(result.log, "newscrawl/archive/truncated") == 1
    assert stat(result.log, "newscrawl/archive/corrupt") == 1


def test_a_split_article_without_its_whole_text_is_incomplete(tmp_path: Path) -> None:
    split = next(
        article_of(url)
        for url in manifest("bisnis")
        if url.endswith("/2") and article_of(url) in EXPECTED
    )
    pages = [
        url for url in manifest("bisnis") if article_of(url) == split and "page=all" not in url
    ]
    assert len(pages) >= 2
    archive = write_warc(tmp_path / "pages.warc.gz", site_records("bisnis", pages))
    result = crawl(tmp_path / "out", warc=str(archive))
    assert result.returncode == 0, result.log[-3000:]
    assert result.items == []
    assert stat(result.log, "newscrawl/skipped/incomplete") == 1
    assert any("incomplete" in line and "Skipped" in line for line in result.log.splitlines())


def test_since_and_until_keep_the_publication_days_asked_for(
    archives: list[Path], tmp_path: Path
) -> None:
    result = crawl(
        tmp_path / "out", warc=",".join(map(str, archives)), since="2025-11-21", until="2025-11-21"
    )
    assert result.returncode == 0, result.log[-3000:]
    want = {
        i for i, item in expected("bisnis").items() if item["published_at"][:10] == "2025-11-21"
    }
    assert want and want != EXPECTED
    assert_items_match("bisnis", result.items, want)
    assert stat(result.log, "newscrawl/archive/outside_window") > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"warc": "/no/such/file.warc.gz"}, "no such file"),
        ({"warc": " , "}, "warc= names no archive"),
        ({"ccnews": "2025-13"}, "is not a month in the form YYYY-MM"),
        ({"ccnews": "2025-11", "start_urls": "https://www.bisnis.com/"}, "cannot be combined"),
        ({"warc": "x.warc", "channels": "all"}, "cannot be combined"),
    ],
)
def test_bad_archive_arguments_are_refused(
    proxy: ReplayProxy, tmp_path: Path, args: dict[str, str], message: str
) -> None:
    proxy.reset()
    output = tmp_path / "out"
    output.mkdir()
    result = crawl(output, proxy, **args)
    assert_refused(result, proxy.urls(), output, message)


@pytest.mark.parametrize(
    ("args", "settings", "message"),
    [
        (
            {"warc": "http://127.0.0.1:bad/x.warc.gz"},
            {},
            "Could not read archive http://127.0.0.1:bad/x.warc.gz (not a URL that can be "
            "fetched (InvalidURL))",
        ),
        (
            {},
            {"NEWSCRAWL_WARC_READER": "fastwarcc"},
            "NEWSCRAWL_WARC_READER: no WARC reader 'fastwarcc' (one of auto, fastwarc, "
            "warcio); no archive was read",
        ),
    ],
)
def test_an_archive_that_cannot_be_read_or_a_reader_not_known_fails_the_run(
    archives: list[Path],
    tmp_path: Path,
    args: dict[str, str],
    settings: dict[str, str],
    message: str,
) -> None:
    """A clear message, a run that fails (exit 3: no archive read), and no feed written."""
    output = tmp_path / "out"
    result = run_crawl("bisnis", {"warc": str(archives[0]), **args}, output_dir=output,
                       proxy_env={}, settings=settings)  # fmt: skip
    assert result.returncode == 3, result.log[-3000:]
    assert message in result.log
    assert result.items == [] and result.feed.read_bytes() == b""  # -O's file, empty
    assert [p for p in output.rglob("*.jsonl*") if p != result.feed] == []


# -- the archive reader and CC-NEWS's URL forms -----------------------------------------------


def test_ccnews_paths_url() -> None:
    assert (
        ccnews_paths_url("2025-11")
        == "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/11/warc.paths.gz"
    )
    for bad in ("2025-1", "2025-00", "25-11", "2025/11"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            ccnews_paths_url(bad)


def test_ccnews_archive_urls_from_a_gzipped_list() -> None:
    listing = (
        b"crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101000000-00001.warc.gz\n"
        b"\n/crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101010000-00002.warc.gz\n"
    )
    want = [
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101000000-00001.warc.gz",
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101010000-00002.warc.gz",
    ]
    assert ccnews_archive_urls(gzip.compress(listing)) == want
    assert ccnews_archive_urls(listing) == want


def test_a_cut_off_last_record_is_caught_by_its_length(tmp_path: Path) -> None:
    records = site_records("bisnis")[:5]
    for gzipped in (True, False):
        path = truncate(write_warc(tmp_path / f"a{gzipped}.warc", records, gzip=gzipped), 300)
        counts = ArchiveCounts()
        read = []
        with pytest.raises(ArchiveDamaged) as damage:
            for capture in read_captures(str(path), counts):
                read.append(capture.url)
        assert damage.value.kind == "truncated"
        assert read == [url for url, *_ in records[:4]]


def test_an_undecodable_record_or_a_bad_first_capture_costs_nothing(tmp_path: Path) -> None:
    """A record of another site in an encoding warcio cannot decode is passed over; an
    article's cut-off first capture leaves its later whole capture to be read."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    first = sorted(url for url in manifest("bisnis") if article_of(url) in EXPECTED)[0]
    (url, body, status, kind) = site_records("bisnis", [first])[0]
    path = tmp_path / "odd.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "br")], "HTTP/1.1"
        )
        odd = writer.create_warc_record(
            "https://other.example/a", "response", payload=io.BytesIO(b"\x8b\x02\x80not br"),
            http_headers=headers,
        )  # fmt: skip
        writer.write_record(odd)
        odd.raw_stream.close()
    rest = [r for r in site_records("bisnis") if r[0] != first]
    cut = write_warc(tmp_path / "cut-first.warc.gz", [(url, body[: len(body) // 2], status, kind)])
    whole = write_warc(tmp_path / "rest.warc.gz", [*rest, (url, body, status, kind)])
    result = crawl(tmp_path / "out", warc=",".join(map(str, [path, cut, whole])))
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match("bisnis", result.items, EXPECTED)
