"""Hostile archives (issue 21, items 2, 6 and 9), each reproduced for real: archives served by
an HTTP server on loopback that redirects where no download may go, WARC records and a
CC-NEWS list that decompress to hundreds of megabytes, and a ``-a warc=`` that names a file
that is no archive, whose lines must never be printed.

A crawl runs as a subprocess through ``tests/audited.py``: what it connected to and which
watched files it opened are read from Python's audit events, its peak memory from
``VmHWM``; its standard output and error are read together.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tracemalloc
import urllib.error
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from newscrawl import health, safefetch
from newscrawl.archives import (
    ArchiveCounts,
    ArchiveDamaged,
    Oversized,
    TooLarge,
    ccnews_archive_urls,
    ccnews_list,
    read_captures,
)
from newscrawl.safefetch import RedirectRefused, address_refusal, check_target, open_url
from newscrawl.sites.bisnis import SITE
from tests.loopback import ArchiveServer, Listener, Route, redirect
from tests.support import (
    ROOT,
    assert_items_match,
    crawl_command,
    expected,
    manifest,
    stat,
    syndicated_twin,
)
from tests.warcs import (
    BOMBS,
    MB,
    gzipped,
    response_record,
    site_records,
    write_hostile_warc,
    write_warc,
)

EXPECTED = set(expected("bisnis"))
#: The crawls ask no proxy: the archive server is on loopback.
NO_PROXY = {
    "http_proxy": "",
    "https_proxy": "",
    "HTTP_PROXY": "",
    "HTTPS_PROXY": "",
    "no_proxy": "*",
    "NO_PROXY": "*",
}
#: A crawl's peak resident memory stays under this (a plain archive run peaks near 100 MB;
#: each bomb decompresses to 512 MB).
PEAK_RSS_KB = 260 * 1024
#: The most a bomb read in-process may allocate (each decompresses to 256 MB; the limit is
#: 1 MB).
PEAK_TRACED = 8 * MB
SECRET = "root:x:0:0:SECRET-FIRST-LINE-5f1c2a:/root:/bin/bash"


def article_url() -> str:
    """The whole-text URL of an article of the reference: one the spider reads."""
    return sorted(
        url
        for url in manifest("bisnis")
        if SITE.urls.is_article(url) and SITE.urls.article_id(url) in EXPECTED
    )[0]


@dataclass
class Audited:
    returncode: int
    output: str  # stdout and stderr
    items: list[dict[str, Any]]
    connects: list[list[Any]]
    opened: list[str]
    peak_rss_kb: int
    manifest: dict[str, Any]
    manifest_text: str


def audited_crawl(
    args: dict[str, str],
    output: Path,
    settings: dict[str, str] | None = None,
    watch: tuple[str, ...] = (),
    timeout: float = 240,
) -> Audited:
    """``scrapy crawl bisnis`` with ``args``, watched by ``tests/audited.py``."""
    output.mkdir(parents=True, exist_ok=True)
    report = output.parent / f"{output.name}-audit.json"
    feed = output / "out.jsonl"
    command = crawl_command("bisnis", args, output, feed, settings)
    env = {**os.environ, **NO_PROXY, "NEWSCRAWL_TEST_WATCH": os.pathsep.join(watch)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "audited.py"), str(report), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    audit = json.loads(report.read_text())
    items = [json.loads(line) for line in feed.read_text().splitlines()] if feed.exists() else []
    manifests = sorted(output.glob("bisnis/runs/*.json"))
    text = manifests[-1].read_text() if manifests else "{}"
    return Audited(
        done.returncode,
        done.stdout + done.stderr,
        items,
        audit["connects"],
        audit["opened"],
        audit["peak_rss_kb"],
        json.loads(text),
        text,
    )


def only_source_failed(result: Audited, event: str) -> None:
    """The run read no archive: exit 3, the reason in the manifest."""
    assert result.returncode == 3, result.output[-3000:]
    assert stat(result.output, "newscrawl/archive/sources_failed") == 1
    assert stat(result.output, "newscrawl/archive/sources_read") == 0
    assert result.manifest["exit_status"] == 3
    assert result.manifest["health"]["failures"] == [
        f"none of the 1 archive source(s) could be read ({event} 1); see the warnings above"
    ]


# -- 2: redirects ---------------------------------------------------------------------------


#: Where ``ccnews=`` finds its list and archives (NEWSCRAWL_CCNEWS_BASE, on loopback).
CCNEWS_LIST = "/crawl-data/CC-NEWS/2025/11/warc.paths.gz"
CCNEWS_WARC = "/crawl-data/CC-NEWS/2025/11/CC-NEWS-20251120000000-00001.warc.gz"


@pytest.mark.parametrize(
    ("target", "via"),
    [
        ("metadata", "warc"),
        ("metadata", "ccnews_list"),
        ("other_loopback", "ccnews_warc"),
        ("loopback_name", "warc"),
        ("file", "warc"),
    ],
)
def test_a_redirect_to_this_machine_or_its_network_is_refused(
    target: str, via: str, tmp_path: Path
) -> None:
    """The archive URL given (on loopback, trusted as given) answers 302 to the cloud
    metadata address, to another loopback address, to a name that resolves to loopback, or to
    a local file: the crawl never connects there (nor opens the file), reports the archive
    as refused, and exits 3: it was the only archive. With ``-a ccnews=`` (its base on
    loopback, trusted as given) the same holds of a redirect of the month's path list, and
    of an archive the list names."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    with (
        Listener("127.0.0.2") as other,
        Listener("127.0.0.1") as local,
        ArchiveServer({}) as server,
    ):
        location = {
            "metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "other_loopback": f"http://127.0.0.2:{other.port}/archive.warc.gz",
            "loopback_name": f"http://localhost:{local.port}/archive.warc.gz",
            "file": secret.as_uri(),
        }[target]
        redirected = {"warc": "/archive.warc.gz", "ccnews_list": CCNEWS_LIST}.get(via, CCNEWS_WARC)
        server.routes[redirected] = redirect(location)
        source = server.url(redirected)
        if via == "warc":
            args, settings = {"warc": source}, None
        else:
            args, settings = {"ccnews": "2025-11"}, {"NEWSCRAWL_CCNEWS_BASE": server.url("/")}
            listing = gzip.compress(CCNEWS_WARC.lstrip("/").encode() + b"\n")
            server.routes.setdefault(CCNEWS_LIST, Route(body=listing))
        result = audited_crawl(args, tmp_path / "out", settings, watch=(str(secret),))
        asked = server.paths
    assert asked == ([CCNEWS_LIST] if via == "ccnews_warc" else []) + [redirected]
    assert result.connects == [["127.0.0.1", server.port]] * len(asked), "it connected elsewhere"
    assert other.peers == [] and local.peers == []
    assert result.opened == [] and SECRET not in result.output
    if via == "ccnews_list":
        refused = [line for line in result.output.splitlines() if "CC-NEWS list" in line]
        assert len(refused) == 1 and "ERROR" in refused[0], refused
        assert "Refused archive" not in result.output
    else:
        refused = [line for line in result.output.splitlines() if "Refused archive" in line]
        assert len(refused) == 1, refused
    assert source in refused[0] and "refused" in refused[0], refused
    assert stat(result.output, "newscrawl/archive/refused") == 1
    only_source_failed(result, "refused")


#: DOWNLOAD_MAXSIZE of the archive crawl over HTTP: over every record of the site's pages.
SMALL_MAXSIZE = 150_000


def block_length(url: str, body: bytes, content_type: str) -> int:
    """The length of the block (HTTP headers and body) of the response record of ``body``:
    what DOWNLOAD_MAXSIZE bounds."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    record = response_record(writer, url, body, 200, content_type)
    writer.write_record(record)
    record.raw_stream.close()
    buffer.seek(0)
    (read,) = ArchiveIterator(buffer)
    return int(read.length)


def padded_to(record: tuple[str, bytes, int, str], length: int) -> tuple[str, bytes, int, str]:
    """``record`` with a comment in its page's head, its block ``length`` bytes long."""
    url, body, status, content_type = record
    comment = b"<!--" + b"x" * (length - block_length(url, body, content_type) - 7) + b"-->"
    padded = body.replace(b"</head>", comment + b"</head>", 1)
    assert block_length(url, padded, content_type) == length
    return url, padded, status, content_type


def test_an_archive_over_http_is_read_and_a_refused_one_is_reported(tmp_path: Path) -> None:
    """The URL given is trusted as given (here on loopback); a refused archive next to it
    costs nothing but its WARNING: the run read an archive, it is healthy. Its records are
    bounded by DOWNLOAD_MAXSIZE (set low here): the page of one article (its only record)
    padded one byte over it is skipped as too_large, another padded to it exactly is read."""
    records = site_records("bisnis")
    bodies = {url: body for url, body, *_ in records}
    ids = Counter(SITE.urls.article_id(url) for url in bodies)
    single = [  # an article on one page: its page and its ?page=all view, the same
        url
        for url, body in bodies.items()
        if SITE.urls.is_article(url)
        and bodies.get(f"{url}?page=all") == body
        and ids[SITE.urls.article_id(url)] == 2
        and SITE.urls.article_id(url) in EXPECTED
        and syndicated_twin("bisnis", str(SITE.urls.article_id(url))) is None
    ]
    over, at = sorted(single)[:2]
    lengths = {"over": SMALL_MAXSIZE + 1, "at": SMALL_MAXSIZE}
    chosen = {over: lengths["over"], at: lengths["at"]}
    kept = []
    for record in records:
        plain = record[0].removesuffix("?page=all")
        if plain in chosen:
            if record[0] == plain:  # the other view of the article goes
                kept.append(padded_to(record, chosen[plain]))
        else:
            assert block_length(*record[:2], record[3]) < SMALL_MAXSIZE
            kept.append(record)
    whole = write_warc(tmp_path / "site.warc.gz", kept).read_bytes()
    metadata = "http://169.254.169.254/latest/meta-data/"
    with ArchiveServer(
        {"/site.warc.gz": Route(body=whole), "/bad.warc.gz": redirect(metadata, 301)}
    ) as server:
        sources = [server.url("/bad.warc.gz"), server.url("/site.warc.gz")]
        result = audited_crawl(
            {"warc": ",".join(sources)},
            tmp_path / "out",
            settings={"DOWNLOAD_MAXSIZE": str(SMALL_MAXSIZE)},
        )
    assert result.returncode == 0, result.output[-3000:]
    assert_items_match("bisnis", result.items, EXPECTED - {SITE.urls.article_id(over)})
    assert all(address == ["127.0.0.1", server.port] for address in result.connects)
    assert stat(result.output, "newscrawl/archive/refused") == 1
    assert stat(result.output, "newscrawl/archive/sources_read") == 1
    assert stat(result.output, "newscrawl/archive/sources_failed") == 1
    assert stat(result.output, "newscrawl/archive/too_large") == 1
    assert stat(result.output, "newscrawl/skipped/too_large") == 1
    assert f"Skipped {over} (too_large: its capture is over {SMALL_MAXSIZE} bytes" in result.output
    assert result.manifest["health"] == {"ok": True, "failures": []}


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "169.254.169.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "100.100.100.200",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "ff02::1",
    ],
)
def test_addresses_a_redirect_may_not_lead_to(address: str) -> None:
    assert address_refusal(ip_address(address)) is not None
    with pytest.raises(RedirectRefused):
        check_target(f"http://{address if ':' not in address else f'[{address}]'}/x")


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://93.184.216.34/x",
        "gopher://93.184.216.34/",
        "data:,x",
        "http:///x",
    ],
)
def test_a_redirect_goes_to_http_or_https_only(url: str) -> None:
    with pytest.raises(RedirectRefused):
        check_target(url)


def test_an_allowed_redirect_is_followed_to_an_address_checked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With loopback allowed for the test, a redirect is followed (through the connection
    that resolves and checks again what it connects to), at most MAX_REDIRECTS times."""
    checked: list[str] = []

    def loopback_allowed(address: Any) -> str | None:
        checked.append(str(address))
        return None if str(address) == "127.0.0.1" else "not loopback"

    monkeypatch.setattr(safefetch, "address_refusal", loopback_allowed)
    loop = {f"/{n}": redirect(f"/{n + 1}") for n in range(10)}
    with ArchiveServer(
        {"/a": redirect("/b"), "/b": Route(body=b"archive bytes"), **loop}, lifetime=60
    ) as server:
        with open_url(server.url("/a"), timeout=10) as answer:
            assert answer.read() == b"archive bytes"
        assert checked == ["127.0.0.1", "127.0.0.1"]  # before the redirect, and connecting
        with pytest.raises(urllib.error.HTTPError):
            open_url(server.url("/0"), timeout=10)
        assert server.paths[2:] == [f"/{n}" for n in range(safefetch.MAX_REDIRECTS + 1)]


# -- 6: bombs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", BOMBS)
def test_a_bomb_record_is_read_in_bounded_memory_and_passed_over(kind: str, tmp_path: Path) -> None:
    """A record that decompresses to 256 MB (its gzip or brotli body, its block, or a header
    line without an end) is read in blocks, never more than the limit held, and passed over
    as too large; the records after it are read (after headers over their limit, where the
    record ends is unknown: the archive ends there, too_large)."""
    url = article_url()
    after = site_records("bisnis")[:3]
    path = write_hostile_warc(tmp_path / f"{kind}.warc.gz", url, kind, 256 * MB, after)
    assert path.stat().st_size < MB
    counts = ArchiveCounts()
    got: list[Any] = []
    damage: ArchiveDamaged | None = None
    tracemalloc.start()
    try:
        try:
            for capture in read_captures(str(path), counts, limit=MB):
                got.append(capture)
        except ArchiveDamaged as error:
            damage = error
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_TRACED, f"{peak / MB:.0f} MB"
    if kind == "headers":
        assert damage is not None and damage.kind == "too_large" and damage.records == 0
        assert got == []
    else:
        assert damage is None
        assert got[0] == Oversized(url, MB)
        assert [capture.url for capture in got[1:]] == [record[0] for record in after]
        assert counts.too_large == 1


def test_a_bomb_in_an_archive_costs_neither_memory_nor_the_rest_of_the_archive(
    tmp_path: Path,
) -> None:
    """A crawl of an archive whose first record is an article's page gzip-encoded to 512 MB
    stays far under that, skips the record as too_large and reads the rest."""
    url = article_url()
    path = write_hostile_warc(
        tmp_path / "bomb.warc.gz", url, "encoded_gzip", 512 * MB, site_records("bisnis")
    )
    result = audited_crawl({"warc": str(path)}, tmp_path / "out")
    assert result.peak_rss_kb < PEAK_RSS_KB, f"peak {result.peak_rss_kb // 1024} MB"
    assert result.returncode == 0, result.output[-3000:]
    assert_items_match("bisnis", result.items, EXPECTED)
    assert stat(result.output, "newscrawl/archive/too_large") == 1
    assert stat(result.output, "newscrawl/skipped/too_large") == 1
    assert any("Skipped" in line and "too_large" in line for line in result.output.splitlines())


@cache
def huge_list() -> bytes:
    """A CC-NEWS path list of 256 MB (comment lines: it names no archive), gzipped."""
    line = b"#" + b"x" * 1022 + b"\n"
    return gzipped(line * 1024 for _ in range(256))


def test_a_huge_ccnews_list_is_not_decompressed_whole(tmp_path: Path) -> None:
    listing = huge_list()
    assert len(listing) < 4 * MB
    path = "/crawl-data/CC-NEWS/2025/11/warc.paths.gz"
    with ArchiveServer({path: Route(body=listing)}) as server:
        result = audited_crawl(
            {"ccnews": "2025-11"},
            tmp_path / "out",
            settings={"NEWSCRAWL_CCNEWS_BASE": server.url("/")},
        )
        assert server.paths == [path]
    assert result.peak_rss_kb < PEAK_RSS_KB, f"peak {result.peak_rss_kb // 1024} MB"
    errors = [line for line in result.output.splitlines() if "CC-NEWS list" in line]
    assert errors and "ERROR" in errors[0] and "too_large" in errors[0], errors
    assert stat(result.output, "newscrawl/archive/too_large") == 1
    only_source_failed(result, "too_large")


def test_a_ccnews_list_is_read_within_the_limit(tmp_path: Path) -> None:
    listing = huge_list()
    with pytest.raises(TooLarge):
        ccnews_archive_urls(listing, limit=MB)
    small = gzip.compress(b"crawl-data/CC-NEWS/2025/11/a.warc.gz\n")
    with ArchiveServer({"/list.gz": Route(body=small), "/big.gz": Route(body=listing)}) as server:
        base = server.url("/")
        assert ccnews_list(server.url("/list.gz"), base) == [
            base + "crawl-data/CC-NEWS/2025/11/a.warc.gz"
        ]
        tracemalloc.start()
        try:
            with pytest.raises(TooLarge):
                ccnews_list(server.url("/big.gz"), base, limit=MB)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 * MB


def test_ccnews_paths_stay_under_the_base() -> None:
    listing = b"/crawl-data/a.warc.gz\n//evil.example/x\nhttp://evil.example/y\n"
    urls = ccnews_archive_urls(listing, "http://cc.example/base")
    assert urls == [
        "http://cc.example/base/crawl-data/a.warc.gz",
        "http://cc.example/base/evil.example/x",
        "http://cc.example/base/http%3A//evil.example/y",
    ]


# -- 9: file contents -----------------------------------------------------------------------


def secret_archive(kind: str, folder: Path) -> Path:
    """A file that is no archive (``text``, ``gzipped`` text) or an archive whose record is
    followed by no blank line but by secret lines (``after_a_record``)."""
    text = f"{SECRET}\n{SECRET.replace('root', 'admin')}\n".encode()
    path = folder / f"{kind}.warc"
    if kind == "text":
        path.write_bytes(text)
    elif kind == "gzipped":
        path.write_bytes(gzip.compress(text))
    else:
        write_warc(path, site_records("bisnis")[:1], gzip=False)
        data = path.read_bytes()
        assert data.endswith(b"\r\n\r\n")
        path.write_bytes(data[:-4] + text)
    return path


@pytest.mark.parametrize("kind", ["text", "gzipped", "after_a_record"])
def test_a_file_that_is_no_archive_is_named_never_shown(kind: str, tmp_path: Path) -> None:
    """``-a warc=`` of a file that is no WARC (``/etc/passwd``, say): the WARNING names the
    file and the kind of error; not a byte of the file is printed, logged or in the
    manifest."""
    path = secret_archive(kind, tmp_path)
    result = audited_crawl({"warc": str(path)}, tmp_path / "out")
    for text in (result.output, result.manifest_text):
        assert "SECRET-FIRST-LINE" not in text and "root:x" not in text and "admin:x" not in text
    warnings = [line for line in result.output.splitlines() if "Archive" in line and "WARN" in line]
    assert len(warnings) == 1, result.output[-3000:]
    assert str(path) in warnings[0] and "is corrupt" in warnings[0]
    assert "a record header that cannot be read" in warnings[0]
    if kind == "after_a_record":
        assert result.returncode == 0, result.output[-3000:]
        assert "after 1 record(s)" in warnings[0]
    else:
        only_source_failed(result, "corrupt")


# -- the health check -----------------------------------------------------------------------


def test_a_run_that_read_no_archive_is_unhealthy() -> None:
    thresholds = health.Thresholds()
    failed = {"newscrawl/archive/sources_failed": 2, "newscrawl/archive/refused": 1}
    failed["newscrawl/archive/unreadable"] = 1
    [failure] = health.check(failed, "finished", thresholds)
    assert failure.kind == "archives"
    assert "none of the 2 archive source(s) could be read (refused 1, unreadable 1)" in (
        failure.message
    )
    assert (
        health.check({**failed, "newscrawl/archive/sources_read": 1}, "finished", thresholds) == []
    )
    assert health.check({"newscrawl/archive/sources_read": 1}, "finished", thresholds) == []


def test_encoded_bodies_are_decoded_within_the_limit(tmp_path: Path) -> None:
    """gzip, deflate and brotli bodies are decoded (bounded); a gzip body stored decoded is
    taken as it is (as warcio does); a brotli body that is no brotli is undecodable."""
    import brotli
    from warcio.statusandheaders import StatusAndHeaders

    page = b"<html><body>" + b"<p>berita</p>" * 2000 + b"</body></html>"
    deflate = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS)
    bodies = {
        "gzip": gzip.compress(page),
        "deflate": deflate.compress(page) + deflate.flush(),
        "br": brotli.compress(page),
        "gzip-stored-decoded": page,
        "br-broken": b"\x8b\x02\x80not br" * 10,
    }
    path = tmp_path / "encoded.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for name, body in bodies.items():
            encoding = name.split("-")[0]
            fields = [("Content-Type", "text/html"), ("Content-Encoding", encoding)]
            headers = StatusAndHeaders("200 OK", fields, "HTTP/1.1")
            record = writer.create_warc_record(
                f"https://example.com/{name}", "response", payload=io.BytesIO(body),
                http_headers=headers,
            )  # fmt: skip
            writer.write_record(record)
            record.raw_stream.close()
    counts = ArchiveCounts()
    read = {
        capture.url.rsplit("/", 1)[1]: capture.body
        for capture in read_captures(str(path), counts, limit=MB)
        if capture is not None
    }
    assert read == {name: page for name in bodies if name != "br-broken"}
    assert counts.undecodable == 1
    assert counts.too_large == 0
    over = [capture for capture in read_captures(str(path), limit=len(page) - 1) if capture]
    assert over == [Oversized(f"https://example.com/{name}", len(page) - 1) for name in read]
