"""newscrawl.archives unit by unit, without a crawl: the CC-NEWS month form and URLs, the
bounds (the limit, one byte over it, HEADER_LIMIT, BLOCK), every kind of error named by
:func:`describe`, every content encoding, and every kind of record :func:`read_captures`
meets, so that a slip in a refactor fails a test."""

from __future__ import annotations

import gzip
import io
import logging
import random
import re
import tracemalloc
import urllib.error
import zlib
from pathlib import Path
from typing import Any

import brotli
import pytest
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import archives as a
from newscrawl.archives import (
    ArchiveCounts,
    ArchiveDamaged,
    Capture,
    Oversized,
    TooLarge,
    Undecodable,
    read_captures,
)
from newscrawl.safefetch import RedirectRefused

PAGE = b"<html><body>" + b"<p>berita</p>" * 400 + b"</body></html>"


@pytest.fixture(autouse=True, params=a.READERS)
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test reads with each WARC reader: they give the same records and counts."""
    monkeypatch.setattr(a, "default_reader", lambda: request.param)
    return str(request.param)


def test_the_bounds_are_these() -> None:
    assert a.BLOCK == 65536
    assert a.DEFAULT_LIMIT == 16 * 1024 * 1024
    assert a.HEADER_LIMIT == 256 * 1024
    assert a.FILL == 1024 * 1024
    assert a.DOWNLOAD_TIMEOUT == 60
    assert a.CC_DATA == "https://data.commoncrawl.org/"


# -- CC-NEWS --------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2025-01", "2025-09", "2025-10", "2025-12", " 1999-11 "])
def test_months(month: str) -> None:
    year, number = month.strip().split("-")
    assert a.ccnews_paths_url(month) == (
        f"https://data.commoncrawl.org/crawl-data/CC-NEWS/{year}/{number}/warc.paths.gz"
    )


@pytest.mark.parametrize(
    "month",
    ["2025-13", "2025-00", "2025-1", "2025-011", "2025-11x", "x2025-11", "20255-11", "2025_11", ""],
)
def test_not_months(month: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        a.ccnews_paths_url(month)


def test_ccnews_base() -> None:
    assert a.ccnews_base(None) == a.CC_DATA
    assert a.ccnews_base("") == a.CC_DATA
    assert a.ccnews_base("   ") == a.CC_DATA
    assert a.ccnews_base(" http://127.0.0.1:8/cc ") == "http://127.0.0.1:8/cc/"
    assert a.ccnews_base("http://127.0.0.1:8/cc/") == "http://127.0.0.1:8/cc/"
    assert a.ccnews_paths_url("2025-11", "http://h/b") == (
        "http://h/b/crawl-data/CC-NEWS/2025/11/warc.paths.gz"
    )


def test_ccnews_archive_urls() -> None:
    listing = b"# a comment\n\n  /a/b.warc.gz  \nc d?e#f:g%.warc.gz\n#x\n"
    assert a.ccnews_archive_urls(listing, "http://h/b") == [
        "http://h/b/a/b.warc.gz",
        "http://h/b/c%20d%3Fe%23f%3Ag%25.warc.gz",
    ]
    assert a.ccnews_archive_urls(gzip.compress(listing), "http://h/b/") == (
        a.ccnews_archive_urls(listing, "http://h/b")
    )
    assert a.ccnews_archive_urls(b"") == []
    # a path never leaves the base's host
    assert a.ccnews_archive_urls(b"//evil.example/x\n") == [a.CC_DATA + "evil.example/x"]


def test_a_ccnews_list_over_the_limit() -> None:
    listing = b"a/b.warc.gz\n" * 10  # 120 bytes
    assert len(a.ccnews_archive_urls(listing, limit=120)) == 10
    with pytest.raises(TooLarge, match="over 119 bytes"):
        a.ccnews_archive_urls(listing, limit=119)
    assert len(a.ccnews_archive_urls(gzip.compress(listing), limit=120)) == 10
    with pytest.raises(TooLarge):
        a.ccnews_archive_urls(gzip.compress(listing), limit=119)


def test_ccnews_list_reads_a_local_list(tmp_path: Path) -> None:
    path = tmp_path / "warc.paths.gz"
    path.write_bytes(gzip.compress(b"x/1.warc.gz\n"))
    assert a.ccnews_list(str(path), "http://h/") == ["http://h/x/1.warc.gz"]
    with pytest.raises(TooLarge):
        a.ccnews_list(str(path), "http://h/", limit=5)
    path.write_bytes(gzip.compress(b"x/1.warc.gz\n")[:-6])
    with pytest.raises(ArchiveDamaged) as damage:
        a.ccnews_list(str(path))
    assert damage.value.kind == "corrupt" and damage.value.records == 0
    assert str(path) in str(damage.value) and "gzip member" in str(damage.value)
    path.write_bytes(b"\xff\xfe\n")
    with pytest.raises(ArchiveDamaged, match="not UTF-8"):
        a.ccnews_list(str(path))


# -- bounded reading ------------------------------------------------------------------------


def test_the_sink_holds_the_limit_and_no_byte_more() -> None:
    sink = a._Sink(5)
    assert sink.room == 6
    sink.add(b"abc")
    assert (sink.size, sink.room, sink.parts) == (3, 3, [b"abc"])
    sink.add(b"de")
    assert sink.room == 1
    with pytest.raises(TooLarge, match="over 5 bytes"):
        sink.add(b"f")


def test_gunzip() -> None:
    data = gzip.compress(b"satu") + gzip.compress(b"dua")
    assert a.gunzip(data, 7) == b"satudua"
    with pytest.raises(TooLarge):
        a.gunzip(data, 6)
    assert a.gunzip(gzip.compress(b"satu") + b"\x00\x00padding", 4) == b"satu"
    with pytest.raises(EOFError):
        a.gunzip(gzip.compress(b"satu" * 100)[:-10], 1000)
    assert a.gunzip(b"", 1) == b""
    big = gzip.compress(b"x" * (3 * a.BLOCK + 5))
    assert a.gunzip(big, 3 * a.BLOCK + 5) == b"x" * (3 * a.BLOCK + 5)
    with pytest.raises(TooLarge):
        a.gunzip(big, 3 * a.BLOCK + 4)


def test_read_bounded() -> None:
    data = b"y" * (2 * a.BLOCK + 3)
    assert a.read_bounded(io.BytesIO(data), len(data)) == data
    with pytest.raises(TooLarge):
        a.read_bounded(io.BytesIO(data), len(data) - 1)
    assert a.read_bounded(io.BytesIO(b""), 0) == b""


# -- errors ---------------------------------------------------------------------------------


def test_the_kinds_of_errors_are_these() -> None:
    assert list(a.KINDS.values()) == [
        "a record header that cannot be read",
        "a gzip member that cannot be decompressed",
        "it ends inside a gzip member",
        "text that is not UTF-8",
    ]


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (
            ArchiveLoadFailed("root:x:0:0"),
            "a record header that cannot be read (warcio.exceptions.ArchiveLoadFailed)",
        ),
        (zlib.error("secret"), "a gzip member that cannot be decompressed (zlib.error)"),
        (EOFError("secret"), "it ends inside a gzip member (EOFError)"),
        (
            UnicodeDecodeError("utf-8", b"\xff", 0, 1, "secret"),
            "text that is not UTF-8 (UnicodeDecodeError)",
        ),
        (TooLarge("it is over 5 bytes"), "it is over 5 bytes"),
        (
            RedirectRefused("http://169.254.169.254/", "a link-local address"),
            "a redirect to http://169.254.169.254/ was refused: a link-local address",
        ),
        (urllib.error.HTTPError("http://h/x", 404, "secret", {}, None), "HTTP status 404"),  # type: ignore[arg-type]
        (
            urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
            "ConnectionRefusedError: Connection refused",
        ),
        (urllib.error.URLError("secret"), "URLError"),
        (
            FileNotFoundError(2, "No such file or directory"),
            "FileNotFoundError: No such file or directory",
        ),
        (OSError("secret"), "OSError"),
        (ValueError("secret"), "ValueError"),
    ],
)
def test_describe_names_the_kind_never_the_bytes(error: BaseException, described: str) -> None:
    assert a.describe(error) == described


def test_archive_damaged() -> None:
    damage = ArchiveDamaged("x.warc", "corrupt", 3, "what")
    assert str(damage) == "x.warc is corrupt after 3 record(s): what"
    assert (damage.source, damage.kind, damage.records) == ("x.warc", "corrupt", 3)
    assert ArchiveCounts() == ArchiveCounts(0, 0, 0, 0, 0)


def test_sources() -> None:
    assert a.is_remote("HTTP://h/x") and a.is_remote("https://h/x")
    assert not a.is_remote("ftp://h/x") and not a.is_remote("/tmp/http://x")
    with pytest.raises(OSError, match="not a URL that can be fetched"):
        a.open_source("http://[bad/x")
    with pytest.raises(FileNotFoundError):
        a.open_source("/nonexistent/archive.warc")


# -- content encodings ----------------------------------------------------------------------


def test_the_decoders_of_each_encoding() -> None:
    assert [c is None for c in a._decoders("gzip")] == [False, True]
    assert [c is None for c in a._decoders("x-gzip")] == [False, True]
    assert [c is None for c in a._decoders("deflate")] == [False, False, True]
    assert a._decoders("br") == [a._Brotli]
    assert a._decoders("") == [None] and a._decoders("compress") == [None]


def test_without_a_bounded_brotli_decoder_brotli_is_undecodable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(a, "brotli", None)
    with pytest.raises(Undecodable, match="no brotli decoder"):
        a._decoders("br")


def _deflate(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


def _chunked(data: bytes, size: int = 1000) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
        for i in range(0, len(data), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def write(path: Path, records: list[tuple[str, str, list[tuple[str, str]], bytes]]) -> str:
    """A gzipped WARC: (kind, url, HTTP header fields, payload) each; kind ``response``,
    ``revisit``, ``request``, ``metadata``, or ``status:<line>`` for a response whose status
    line is that."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for kind, url, fields, payload in records:
            if kind == "revisit":
                headers = StatusAndHeaders("200 OK", fields, "HTTP/1.1")
                record = writer.create_revisit_record(
                    url,
                    digest="sha1:AAAA",
                    refers_to_uri=url,
                    refers_to_date="2025-11-20T00:00:00Z",
                    http_headers=headers,
                )
            elif kind == "metadata":
                record = writer.create_warc_record(url, "metadata", payload=io.BytesIO(payload))
            elif kind == "request":
                headers = StatusAndHeaders("GET / HTTP/1.1", fields, is_http_request=True)
                record = writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), http_headers=headers
                )
            else:
                line = kind.partition(":")[2] or "200 OK"
                headers = StatusAndHeaders(line, fields, "HTTP/1.1")
                record = writer.create_warc_record(
                    url, "response", payload=io.BytesIO(payload), http_headers=headers
                )
            writer.write_record(record)
            if record.raw_stream is not None:
                record.raw_stream.close()
    return str(path)


HTML = [("Content-Type", "text/html")]


def encoded(name: str) -> tuple[list[tuple[str, str]], bytes]:
    bodies: dict[str, tuple[str, bytes]] = {
        "identity": ("", PAGE),
        "gzip": ("gzip", gzip.compress(PAGE)),
        "x-gzip": ("x-gzip", gzip.compress(PAGE)),
        "GZIP": (" GZIP ", gzip.compress(PAGE)),
        "gzip-stored-plain": ("gzip", PAGE),
        "deflate": ("deflate", _deflate(PAGE, zlib.MAX_WBITS)),
        "raw-deflate": ("deflate", _deflate(PAGE, -zlib.MAX_WBITS)),
        "deflate-stored-plain": ("deflate", PAGE),
        "br": ("br", brotli.compress(PAGE)),
        "unknown": ("compress", PAGE),
    }
    encoding, body = bodies[name]
    return ([*HTML, ("Content-Encoding", encoding)] if encoding else HTML), body


ENCODINGS = [
    "identity",
    "gzip",
    "x-gzip",
    "GZIP",
    "gzip-stored-plain",
    "deflate",
    "raw-deflate",
    "deflate-stored-plain",
    "br",
    "unknown",
]


@pytest.mark.parametrize("name", ENCODINGS)
def test_each_encoding_is_decoded(name: str, tmp_path: Path) -> None:
    fields, body = encoded(name)
    path = write(tmp_path / "a.warc.gz", [("response", "https://w.example/a", fields, body)])
    counts = ArchiveCounts()
    [capture] = list(read_captures(path, counts))
    assert isinstance(capture, Capture) and capture.body == PAGE
    assert capture.url == "https://w.example/a" and capture.status == 200
    assert ("Content-Type", "text/html") in capture.headers
    assert (counts.read, counts.responses, counts.too_large) == (1, 1, 0)
    if len(body) < len(PAGE) // 2:  # compressed: the decoded body may be the limit exactly
        [exact] = list(read_captures(path, limit=len(PAGE)))
        assert isinstance(exact, Capture) and exact.body == PAGE
    [over] = list(read_captures(path, limit=len(PAGE) - 1))
    assert over == Oversized("https://w.example/a", len(PAGE) - 1)


@pytest.mark.parametrize("name", ["identity", "gzip", "br"])
def test_a_chunked_body_is_dechunked(name: str, tmp_path: Path) -> None:
    fields, body = encoded(name)
    fields = [*fields, ("Transfer-Encoding", " Chunked ")]
    path = write(
        tmp_path / "a.warc.gz", [("response", "https://w.example/a", fields, _chunked(body))]
    )
    [capture] = list(read_captures(path))
    assert isinstance(capture, Capture) and capture.body == PAGE


def test_a_broken_brotli_body_is_undecodable(tmp_path: Path) -> None:
    body = b"\x8b\x02\x80not br" * 20
    fields = [*HTML, ("Content-Encoding", "br")]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", fields, body),
            ("response", "https://w.example/b", HTML, PAGE),
        ],
    )
    counts = ArchiveCounts()
    got = list(read_captures(path, counts))
    assert got[0] is None and isinstance(got[1], Capture) and got[1].url.endswith("/b")
    assert (counts.undecodable, counts.responses, counts.read) == (1, 1, 2)


def test_a_gzip_body_broken_after_its_first_block_is_undecodable(tmp_path: Path) -> None:
    body = gzip.compress(random.Random(7).randbytes(200_000))
    broken = body[: a.BLOCK + 100] + b"\xff" * 5000 + body[a.BLOCK + 5100 :]  # its CRC fails
    path = write(
        tmp_path / "a.warc.gz",
        [("response", "https://w.example/a", [*HTML, ("Content-Encoding", "gzip")], broken)],
    )
    counts = ArchiveCounts()
    assert list(read_captures(path, counts)) == [None]
    assert counts.undecodable == 1


def test_a_decoded_body_over_the_limit_is_oversized(tmp_path: Path) -> None:
    page = b"x" * (3 * a.BLOCK)
    fields = [*HTML, ("Content-Encoding", "gzip")]
    path = write(
        tmp_path / "a.warc.gz", [("response", "https://w.example/a", fields, gzip.compress(page))]
    )
    counts = ArchiveCounts()
    assert list(read_captures(path, counts, limit=len(page) - 1)) == [
        Oversized("https://w.example/a", len(page) - 1)
    ]
    assert counts.too_large == 1 and counts.responses == 1
    [whole] = list(read_captures(path, limit=len(page)))
    assert isinstance(whole, Capture) and whole.body == page


# -- records --------------------------------------------------------------------------------


def test_each_kind_of_record(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("request", "https://w.example/a", [("Host", "w.example")], b""),
            ("response", "<https://w.example/a>", HTML, PAGE),
            ("revisit", "https://w.example/a", HTML, b""),
            ("metadata", "https://w.example/a", [], b"via: x"),
            ("status:404 Not Found", "https://w.example/gone", HTML, b"gone"),
            ("status:OK", "https://w.example/bad-status", HTML, b"x"),
            ("response", "https://w.example/b", HTML, b"b"),
        ],
    )
    counts = ArchiveCounts()
    got = list(read_captures(path, counts))
    assert [type(x).__name__ for x in got] == [
        "NoneType",
        "Capture",
        "NoneType",
        "NoneType",
        "Capture",
        "NoneType",
        "Capture",
    ]
    captures = [x for x in got if isinstance(x, Capture)]
    assert [(c.url, c.status, c.body) for c in captures] == [
        ("https://w.example/a", 200, PAGE),
        ("https://w.example/gone", 404, b"gone"),
        ("https://w.example/b", 200, b"b"),
    ]
    assert counts == ArchiveCounts(read=7, responses=3, revisits=1, undecodable=0, too_large=0)


def test_unwanted_records_are_not_read_but_their_length_is(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, PAGE),
            ("response", "https://w.example/b", HTML, b"b"),
        ],
    )
    asked: list[tuple[str, int]] = []

    def wanted(url: str, status: int) -> bool:
        asked.append((url, status))
        return url.endswith("/b")

    counts = ArchiveCounts(read=5)
    got = list(read_captures(path, counts, wanted, limit=len(PAGE) - 1))
    assert got == [None, Capture("https://w.example/b", 200, HTML, b"b")]
    assert asked == [("https://w.example/a", 200), ("https://w.example/b", 200)]
    assert counts == ArchiveCounts(read=7, responses=2, revisits=0, undecodable=0, too_large=1)


def test_a_record_over_the_limit_by_its_length_is_never_read(tmp_path: Path) -> None:
    path = write(tmp_path / "a.warc.gz", [("response", "https://w.example/a", HTML, PAGE)])
    calls: list[Any] = []
    original = a.decode_body

    def spy(stream: Any, transfer: Any, content: Any, limit: int) -> bytes:
        calls.append(limit)
        return original(stream, transfer, content, limit)

    try:
        a.decode_body = spy  # type: ignore[assignment]
        assert list(read_captures(path, limit=2000)) == [Oversized("https://w.example/a", 2000)]
        assert calls == []
        assert isinstance(next(iter(read_captures(path))), Capture)
        assert calls == [a.DEFAULT_LIMIT]
    finally:
        a.decode_body = original  # type: ignore[assignment]


def test_header_lines_over_their_limit_end_the_archive(tmp_path: Path) -> None:
    long = [*HTML, ("X-Long", "v" * 3000)]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, b"a"),
            ("response", "https://w.example/b", long, b"b"),
        ],
    )
    counts = ArchiveCounts()
    got: list[Any] = []
    with pytest.raises(ArchiveDamaged) as damage:
        for capture in read_captures(path, counts, limit=2500):
            got.append(capture)
    assert [c.url for c in got] == ["https://w.example/a"]
    assert damage.value.kind == "too_large" and damage.value.records == 1
    assert "over 2500 bytes" in str(damage.value)
    assert len(list(read_captures(path, limit=5000))) == 2


def test_a_damaged_archive_says_where(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(5000)
    good = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, b"a"),
            ("response", "https://w.example/b", HTML, noise),
        ],
    )
    data = Path(good).read_bytes()
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"root:x:0:0:root:/root\n" * 10)
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(str(garbage)))
    assert damage.value.kind == "corrupt" and damage.value.records == 0
    assert "root" not in str(damage.value).replace(str(garbage), "")
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])
    counts = ArchiveCounts(read=10)
    got: list[Any] = []
    with pytest.raises(ArchiveDamaged) as damage:
        for capture in read_captures(str(cut), counts):
            got.append(capture)
    assert [c.url for c in got] == ["https://w.example/a"]
    assert damage.value.records == 1
    assert damage.value.kind in ("truncated", "corrupt")


# -- what the archive reader does byte by byte ----------------------------------------------


def raw_record(url: str, body: bytes, length_delta: int = 0) -> bytes:
    """An uncompressed WARC response record written by hand (Content-Length off by
    ``length_delta``)."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        + f"WARC-Target-URI: {url}\r\n".encode()
        + b"Content-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(http) + length_delta}\r\n\r\n".encode()
    )
    return head + http + b"\r\n\r\n"


def test_the_header_lines_may_be_the_limit_exactly(tmp_path: Path) -> None:
    record = raw_record("https://w.example/a", b"a")
    header = record.index(b"\r\n\r\n", record.index(b"\r\n\r\n") + 4) + 4
    path = tmp_path / "a.warc"
    path.write_bytes(record * 2)
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(str(path), limit=header - 1))
    assert damage.value.records == 0
    got: list[Any] = []
    with pytest.raises(ArchiveDamaged) as damage:
        for capture in read_captures(str(path), limit=header):
            got.append(capture)
    assert len(got) == 1 and damage.value.records == 1  # the blank lines before the second
    assert len(list(read_captures(str(path), limit=header + 4))) == 2


def test_a_record_as_long_as_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "a.warc.gz", [("response", "https://w.example/a", HTML, PAGE)])
    with open(path, "rb") as handle:
        [length] = [record.length for record in a._Records(handle)]
    [whole] = list(read_captures(path, limit=length))
    assert isinstance(whole, Capture) and whole.body == PAGE


def test_a_short_content_length_leaves_a_line_that_is_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(
        raw_record("https://w.example/a", b"abc", -1) + raw_record("https://w.example/b", b"b")
    )
    assert [(c.url, c.body) for c in read_captures(str(path))] == [
        ("https://w.example/a", b"ab"),
        ("https://w.example/b", b"b"),
    ]


def test_the_target_uri_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(
        raw_record("<https://w.example/a>", b"a") + raw_record("https://w.example/bX", b"b")
    )
    assert [c.url for c in read_captures(str(path))] == [
        "https://w.example/a",
        "https://w.example/bX",
    ]


def test_a_response_without_http_headers_is_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "dns.warc"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        payload = io.BytesIO(b"20251120 w.example. 300 IN A 192.0.2.1\n")
        dns = writer.create_warc_record("dns:w.example", "response", payload=payload,
                                        warc_content_type="text/dns")  # fmt: skip
        writer.write_record(dns)
        dns.raw_stream.close()
    counts = ArchiveCounts()
    assert list(read_captures(str(path), counts)) == [None]
    assert counts == ArchiveCounts(read=1)


def test_every_record_of_a_kind_is_counted(tmp_path: Path) -> None:
    br = [*HTML, ("Content-Encoding", "br")]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("revisit", "https://w.example/a", HTML, b""),
            ("revisit", "https://w.example/b", HTML, b""),
            ("response", "https://w.example/c", br, b"\x8b\x02\x80not br" * 20),
            ("response", "https://w.example/d", br, b"\x8b\x02\x80not br" * 20),
            ("response", "https://w.example/e", HTML, PAGE),
            ("response", "https://w.example/f", HTML, PAGE),
        ],
    )
    counts = ArchiveCounts()
    list(read_captures(path, counts, limit=2000))
    assert counts == ArchiveCounts(read=6, responses=2, revisits=2, undecodable=2, too_large=2)


def test_an_undecodable_record_is_logged_by_url_and_archive(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    br = [*HTML, ("Content-Encoding", "br")]
    body = gzip.compress(random.Random(7).randbytes(200_000))
    broken = body[: a.BLOCK + 100] + b"\xff" * 5000 + body[a.BLOCK + 5100 :]
    gz = [*HTML, ("Content-Encoding", "gzip")]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", br, b"\x8b\x02\x80not br" * 20),
            ("response", "https://w.example/b", gz, broken),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="newscrawl.archives"):
        assert list(read_captures(path)) == [None, None]
    assert [r.getMessage() for r in caplog.records] == [
        f"Passed over the record of https://w.example/a in {path}: "
        "its first block cannot be decoded",
        f"Passed over the record of https://w.example/b in {path}: error",  # zlib.error
    ]


@pytest.mark.parametrize("name", ["gzip", "br", "deflate"])
def test_a_body_in_many_blocks_is_decoded_whole(name: str, tmp_path: Path) -> None:
    noise = random.Random(5).randbytes(3 * a.BLOCK + 7)
    encode = {
        "gzip": gzip.compress,
        "br": brotli.compress,
        "deflate": lambda data: _deflate(data, zlib.MAX_WBITS),
    }[name]
    fields = [*HTML, ("Content-Encoding", name)]
    path = write(
        tmp_path / "a.warc.gz", [("response", "https://w.example/a", fields, encode(noise))]
    )
    [capture] = list(read_captures(path))
    assert isinstance(capture, Capture) and capture.body == noise


def test_a_gzip_body_in_zlibs_format_is_taken_as_it_is(tmp_path: Path) -> None:
    body = _deflate(PAGE, zlib.MAX_WBITS)
    path = write(
        tmp_path / "a.warc.gz",
        [("response", "https://w.example/a", [*HTML, ("Content-Encoding", "gzip")], body)],
    )
    [capture] = list(read_captures(path))
    assert isinstance(capture, Capture) and capture.body == body


def test_a_record_whose_archive_gzip_decompresses_to_megabytes_is_read_whole(
    tmp_path: Path,
) -> None:
    page = b"a" * (3 * a.FILL)
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, page),
            ("response", "https://w.example/b", HTML, b"b"),
        ],
    )
    assert [len(c.body) for c in read_captures(path) if isinstance(c, Capture)] == [len(page), 1]


def test_an_archive_gzip_broken_inside_a_record_cuts_it_short(tmp_path: Path) -> None:
    noise = random.Random(3).randbytes(50_000)
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, b"a"),
            ("response", "https://w.example/b", HTML, noise),
            ("response", "https://w.example/c", HTML, b"c"),
        ],
    )
    data = bytearray(Path(path).read_bytes())
    starts = [i for i in range(len(data) - 2) if data[i : i + 3] == b"\x1f\x8b\x08"]
    middle = (starts[1] + starts[2]) // 2
    data[middle : middle + 200] = bytes(200)
    Path(path).write_bytes(bytes(data))
    for want in (True, False):
        got: list[Any] = []
        with pytest.raises(ArchiveDamaged) as damage:
            for capture in read_captures(path, ArchiveCounts(read=4), lambda u, s, w=want: w):
                got.append(capture)
        assert len(got) == 1 and damage.value.kind == "truncated"
        assert re.fullmatch(
            rf"{re.escape(path)} is truncated after 1 record\(s\): the record of "
            r"https://w\.example/b lacks \d+ of its 50044 bytes",
            str(damage.value),
        )


class _Failing(io.RawIOBase):
    """A file whose reads fail (an I/O error) from byte ``at`` on."""

    def __init__(self, data: bytes, at: int) -> None:
        self.data, self.at, self.pos = data, at, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.at:
            raise OSError(5, "Input/output error")
        n = min(len(buffer), self.at - self.pos, len(self.data) - self.pos)
        buffer[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


@pytest.mark.parametrize("want", [True, False])
@pytest.mark.parametrize(("where", "records"), [("header", 0), ("body", 1)])
def test_an_archive_that_cannot_be_read_to_its_end_is_corrupt(
    want: bool, where: str, records: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = raw_record("https://w.example/a", b"a")
    data = first + raw_record("https://w.example/b", random.Random(1).randbytes(100_000))
    at = len(first) + (20 if where == "header" else 50_000)
    monkeypatch.setattr(a, "open_source", lambda source: io.BufferedReader(_Failing(data, at)))
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures("x.warc", ArchiveCounts(read=10), lambda url, status: want))
    assert str(damage.value) == (
        f"x.warc is corrupt after {records} record(s): OSError: Input/output error"
    )
    assert (damage.value.source, damage.value.kind, damage.value.records) == (
        "x.warc", "corrupt", records
    )  # fmt: skip


def test_damage_is_counted_from_the_archive_start_not_the_runs(tmp_path: Path) -> None:
    long = [*HTML, ("X-Long", "v" * 3000)]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", HTML, b"a"),
            ("response", "https://w.example/b", long, b"b"),
        ],
    )
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(path, ArchiveCounts(read=7), limit=2500))
    assert (damage.value.source, damage.value.records) == (path, 1)
    garbage = tmp_path / "g.warc"
    garbage.write_bytes(raw_record("https://w.example/a", b"a") + b"root:x:0:0\r\n" * 5)
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(str(garbage), ArchiveCounts(read=7)))
    assert str(damage.value) == (
        f"{garbage} is corrupt after 1 record(s): "
        "a record header that cannot be read (warcio.exceptions.ArchiveLoadFailed)"
    )


def test_a_cut_record_says_what_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc"
    whole = raw_record("https://w.example/a", b"a") + raw_record("https://w.example/b", b"b" * 500)
    path.write_bytes(whole[:-104])  # the blank lines and 100 bytes of the body
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(str(path), ArchiveCounts(read=3)))
    assert str(damage.value) == (
        f"{path} is truncated after 1 record(s): the record of https://w.example/b lacks "
        "100 of its 544 bytes"
    )
    assert damage.value.source == str(path)


# -- bounded memory: what the decoders are asked for ---------------------------------------


class _Spy:
    """A decompressor that records the output bounds it is asked for."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.asked = inner, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        self.asked.append(max_length)
        out: bytes = self.inner.decompress(data, max_length)
        return out

    def process(self, data: bytes, output_buffer_limit: int | None = None) -> bytes:
        self.asked.append(output_buffer_limit)
        out: bytes = self.inner.process(data, output_buffer_limit=output_buffer_limit)
        return out


def _spied(decoder: Any) -> Any:
    decoder.decompressor = _Spy(decoder.decompressor)
    return decoder


@pytest.mark.parametrize(
    ("make", "encode"),
    [
        (lambda: a._Zlib(16 + zlib.MAX_WBITS), gzip.compress),
        (a._Brotli, brotli.compress),
    ],
)
def test_decoders_never_make_more_than_a_block_at_a_time(make: Any, encode: Any) -> None:
    """Each call asks for a BLOCK of output at most (brotli may give half as much again:
    its bound is loose; the sink's is not)."""
    page = b"x" * (5 * a.BLOCK)
    decoder = _spied(make())
    sink = a._Sink(len(page))
    decoder.feed(encode(page), sink)
    assert b"".join(sink.parts) == page
    asked = decoder.decompressor.asked
    assert len(asked) >= 4 and all(0 < n <= a.BLOCK for n in asked), asked


def test_a_decoder_asks_for_the_room_left_at_most() -> None:
    decoder = _spied(a._Zlib(16 + zlib.MAX_WBITS))
    with pytest.raises(TooLarge):
        decoder.feed(gzip.compress(b"x" * (5 * a.BLOCK)), a._Sink(a.BLOCK + 10))
    assert decoder.decompressor.asked == [a.BLOCK, 11]
    decoder = _spied(a._Brotli())
    with pytest.raises(TooLarge):  # its first BLOCK is over the room already
        decoder.feed(brotli.compress(b"x" * (5 * a.BLOCK)), a._Sink(a.BLOCK + 10))
    assert decoder.decompressor.asked == [a.BLOCK]


def test_a_stream_is_read_a_block_at_a_time() -> None:
    asked: list[Any] = []

    class Stream(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            asked.append(size)
            return super().read(size)

    assert a.read_bounded(Stream(b"z" * (2 * a.BLOCK + 5)), 2 * a.BLOCK + 10) == b"z" * (
        2 * a.BLOCK + 5
    )
    assert asked == [a.BLOCK, a.BLOCK, 11, 6]


def test_the_archives_gzip_is_inflated_a_fill_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spies: list[_Spy] = []

    def gzip_spy() -> _Spy:
        spies.append(_Spy(zlib.decompressobj(16 + zlib.MAX_WBITS)))
        return spies[-1]

    monkeypatch.setattr(a._BoundedLines, "DECOMPRESSORS", {"gzip": gzip_spy})
    page = b"a" * (3 * a.FILL)
    path = write(tmp_path / "a.warc.gz", [("response", "https://w.example/a", HTML, page)])
    [capture] = list(read_captures(path, reader="warcio"))  # FastWARC's gzip is its own
    assert isinstance(capture, Capture) and len(capture.body) == len(page)
    asked = [n for spy in spies for n in spy.asked]
    assert asked and set(asked) == {a.FILL}


def test_a_remote_source_is_fetched_with_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[tuple[str, float]] = []

    def fake_open_url(url: str, timeout: float) -> Any:
        fetched.append((url, timeout))
        return io.BytesIO(b"")

    monkeypatch.setattr(a, "open_url", fake_open_url)
    assert a.open_source("https://h.example/x.warc.gz").read() == b""
    assert fetched == [("https://h.example/x.warc.gz", 60)]


def test_messages() -> None:
    with pytest.raises(OSError) as error:
        a.open_source("http://[bad/x")
    assert str(error.value) == "not a URL that can be fetched (ValueError)"
    with pytest.raises(EOFError) as eof:
        a.gunzip(gzip.compress(b"satu" * 100)[:-10], 1000)
    assert str(eof.value) == "a gzip member ends before its end-of-stream marker"
    with pytest.raises(Undecodable) as undecodable:
        a._start(b"\x8b\x02\x80not br" * 20, [a._Brotli], 100)
    assert str(undecodable.value) == "its first block cannot be decoded"
    with pytest.raises(TooLarge) as too_large:
        records = a._Records(io.BytesIO(b"WARC/1.0\r\n" + b"X-A: " + b"v" * 100))
        records.reader.room = 20
        next(records)
    assert str(too_large.value) == "a record's header lines are over the limit"


def test_without_a_bounded_brotli_the_message_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(a, "brotli", None)
    with pytest.raises(Undecodable) as error:
        a._decoders("br")
    assert str(error.value) == "no brotli decoder that bounds its output"


class _Record:
    """What read_body reads of a record: its HTTP headers and its raw stream."""

    def __init__(self, body: bytes, *fields: tuple[str, str]) -> None:
        self.http_headers = StatusAndHeaders("200 OK", [*HTML, *fields], "HTTP/1.1")
        self.raw_stream = io.BytesIO(body)


def test_read_body_bounds_the_block_before_decoding() -> None:
    assert a.read_body(_Record(b"q" * 100), 100) == b"q" * 100
    with pytest.raises(TooLarge) as error:
        a.read_body(_Record(b"q" * 101), 100)
    assert str(error.value) == "it is over 100 bytes (DOWNLOAD_MAXSIZE)"
    small = random.Random(2).randbytes(40)
    encoded = gzip.compress(small)  # more bytes than it decodes to
    assert a.read_body(_Record(encoded, ("Content-Encoding", "gzip")), len(encoded)) == small
    with pytest.raises(TooLarge) as error:
        a.read_body(_Record(encoded, ("Content-Encoding", "gzip")), len(encoded) - 1)
    assert str(error.value) == f"its block is over {len(encoded) - 1} bytes"


def test_ccnews_paths_are_read_as_written() -> None:
    assert a.ccnews_archive_urls(b"X/1.warc.gz\n", "http://h/") == ["http://h/X/1.warc.gz"]


def test_ccnews_list_decompresses_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "warc.paths.gz"
    path.write_bytes(gzip.compress(b"a/b.warc.gz\n" * 100))  # 1200 bytes, ~40 gzipped
    assert len(a.ccnews_list(str(path), limit=1200)) == 100
    with pytest.raises(TooLarge):
        a.ccnews_list(str(path), limit=1199)


def _gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _peak(read: Any) -> int:
    """The most memory Python held while ``read()`` ran (bytes)."""
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BOMB = 12 * 1024 * 1024  # a read of it whole holds twice what a bounded read holds


def test_a_header_line_is_never_read_past_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(_gzip_member(b"WARC/1.0\r\nX-Bomb: " + b"b" * BOMB + b"\r\n\r\n"))

    def read() -> None:
        with pytest.raises(ArchiveDamaged, match="too_large"):
            list(read_captures(str(path), limit=64 * 1024))

    assert _peak(read) < BOMB // 2


def test_an_unwanted_record_is_passed_over_a_block_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    path.write_bytes(_gzip_member(raw_record("https://w.example/a", b"x" * BOMB)))
    counts = ArchiveCounts()

    def read() -> None:
        assert list(read_captures(str(path), counts, lambda url, status: False, 2 * BOMB)) == [None]

    assert _peak(read) < BOMB // 2
    assert counts == ArchiveCounts(read=1, responses=1)


# -- found while killing mutants ----------------------------------------------------------


def test_a_response_without_a_target_uri_is_damage_not_a_crash(tmp_path: Path) -> None:
    """A record warcio cannot parse ends the archive as corrupt (the archives after it are
    read); warcio raises AttributeError for a response without WARC-Target-URI."""
    nameless = raw_record("https://w.example/b", b"b").replace(
        b"WARC-Target-URI: https://w.example/b\r\n", b""
    )
    path = tmp_path / "a.warc"
    path.write_bytes(raw_record("https://w.example/a", b"a") + nameless)
    got: list[Any] = []
    with pytest.raises(ArchiveDamaged) as damage:
        for capture in read_captures(str(path)):
            got.append(capture)
    assert len(got) == 1 and damage.value.kind == "corrupt" and damage.value.records == 1
    assert "without its WARC-Target-URI" in str(damage.value)


def test_a_url_with_a_bad_port_cannot_be_fetched() -> None:
    with pytest.raises(OSError, match="not a URL that can be fetched") as error:
        a.open_source("http://127.0.0.1:bad/x.warc.gz")
    assert a.describe(error.value) == "not a URL that can be fetched (InvalidURL)"


# -- the WARC readers -----------------------------------------------------------------------


def test_the_readers_are_these() -> None:
    assert a.READERS == ("fastwarc", "warcio")
    with pytest.raises(ValueError, match="no WARC reader 'x'"):
        list(read_captures("x.warc", reader="x"))


def test_a_reader_is_named() -> None:
    assert a.reader_named("warcio") == "warcio" == a.reader_named(" WarcIO ")
    assert a.reader_named("fastwarc") == "fastwarc"
    assert a.reader_named(None) == a.reader_named("auto") == a.reader_named("")
    assert a.reader_named("AUTO") == a.default_reader()
    with pytest.raises(ValueError, match="no WARC reader 'fast' \\(one of auto, fastwarc"):
        a.reader_named("fast")


def test_without_fastwarc_warcio_reads_and_fastwarc_cannot_be_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()  # the real default_reader
    assert a.default_reader() == "fastwarc"
    monkeypatch.setattr(a, "FastArchiveIterator", None)
    assert a.default_reader() == "warcio"
    with pytest.raises(ValueError, match="fastwarc is not installed"):
        list(read_captures("x.warc", reader="fastwarc"))


@pytest.mark.parametrize("gzipped", [True, False])
def test_fastwarc_reads_a_whole_archive_alone(
    gzipped: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean archive, gzipped or not, is read by FastWARC to its end: warcio is never
    asked (it reads on only from what FastWARC does not read as it would)."""
    records = [("response", f"https://w.example/{n}", HTML, PAGE) for n in range(3)]
    path = write(tmp_path / "a.warc.gz", [("revisit", "https://w.example/r", HTML, b""), *records])
    if not gzipped:
        plain = tmp_path / "a.warc"
        plain.write_bytes(a.gunzip(Path(path).read_bytes(), a.DEFAULT_LIMIT))
        path = str(plain)
    asked: list[int] = []
    original = a._warcio_captures

    def spy(*args: Any) -> Any:
        asked.append(args[-1])
        return original(*args)

    monkeypatch.setattr(a, "_warcio_captures", spy)
    counts = ArchiveCounts()
    got = list(read_captures(path, counts, reader="fastwarc"))
    assert [c.url for c in got if isinstance(c, Capture)] == [r[1] for r in records]
    assert all(isinstance(c, Capture) and c.body == PAGE for c in got[1:])
    assert counts == ArchiveCounts(read=4, responses=3, revisits=1)
    assert asked == []
    with Path(path).open("ab") as handle:  # something after the last record: warcio says
        handle.write(b"root:x:0:0\r\n")
    with pytest.raises(ArchiveDamaged):
        list(read_captures(path, ArchiveCounts(), reader="fastwarc"))
    assert asked == [4]  # the 4 records FastWARC read are not read again


def test_an_archive_ends_after_its_last_record_or_warcio_reads_on(tmp_path: Path) -> None:
    """FastWARC's last word is checked: the archive must end right after the last record it
    read (its gzip member whole, or its Content-Length and blank lines), else warcio reads
    on from there."""
    first, last = raw_record("https://w.example/a", b"a"), raw_record("https://w.example/b", b"b")
    gzipped = gzip.compress(first) + gzip.compress(last)
    at = len(gzip.compress(first))
    cases = [
        (gzipped, at, True),
        (gzipped + b"\x00", at, False),
        (gzipped[:-4], at, False),
        (gzipped, 0, False),
        (first + last, len(first), True),
        (first + last + b"\r\n", len(first), False),
        (first + last[:-2], len(first), False),
        (first + last.replace(b"Content-Length", b"X-Length"), len(first), False),
        (b"", -1, True),
        (b"\r\n", -1, False),
    ]
    for n, (data, offset, whole) in enumerate(cases):
        path = tmp_path / f"{n}.warc"
        path.write_bytes(data)
        assert a._ends_after(str(path), offset) is whole, n


# -- FastWARC reads alone, or hands over to warcio where it should -----------------------


def _reads(path: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Any, list[int]]:
    """What FastWARC gives of ``path`` (its records and counts, or its damage) and the
    records warcio was asked to pass over (none: FastWARC read the archive alone); the
    same as what warcio alone gives."""
    asked: list[int] = []
    original = a._warcio_captures

    def spy(*args: Any) -> Any:
        asked.append(args[-1])
        return original(*args)

    def outcome(reader: str) -> Any:
        counts = ArchiveCounts(read=3)
        try:
            return list(read_captures(path, counts, reader=reader, **kwargs)), counts
        except ArchiveDamaged as damage:
            return str(damage), damage.kind, damage.records

    monkeypatch.setattr(a, "_warcio_captures", spy)
    fast = outcome("fastwarc")
    fast_asked = list(asked)
    assert outcome("warcio") == fast
    return fast, fast_asked


def response(url: str, http_head: bytes, body: bytes, warc: bytes = b"") -> bytes:
    """A WARC response record written by hand: its HTTP header lines (the blank line
    included) and body; ``warc``: more WARC header lines."""
    block = http_head + body
    return (
        b"WARC/1.0\r\nWARC-Type: response\r\n"
        + warc
        + f"WARC-Target-URI: {url}\r\n".encode()
        + f"Content-Length: {len(block)}\r\n\r\n".encode()
        + block
        + b"\r\n\r\n"
    )


OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"


def test_fastwarc_reads_these_archives_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "a.warc"
    plain.write_bytes(b"")
    assert _reads(str(plain), monkeypatch) == (([], ArchiveCounts(read=3)), [])
    for target in ("<https://w.example/a>", "http://w.example/a", "https://w.example/a>"):
        plain.write_bytes(response(target, OK_HEAD, b"a"))
        got, asked = _reads(str(plain), monkeypatch)
        assert asked == [] and got == (
            [Capture("http" + target.strip("<>")[4:], 200, HTML, b"a")],
            ArchiveCounts(read=4, responses=1),
        ), target
    plain.write_bytes(response("<https://w.example/a", OK_HEAD, b"a"))  # no HTTP headers
    assert _reads(str(plain), monkeypatch) == (([None], ArchiveCounts(read=4)), [])
    plain.write_bytes(response("dns:w.example", b"", b"20251120 w.example. 300 IN A 1.2.3.4\n"))
    assert _reads(str(plain), monkeypatch) == (([None], ArchiveCounts(read=4)), [])
    plain.write_bytes(response("https://w.example/a", b"", b""))  # no block at all
    assert _reads(str(plain), monkeypatch) == (([None], ArchiveCounts(read=4)), [])
    long = b"X-Pad: " + b"p" * 40_000 + b"\r\n"  # over FastWARC's own 32 KB
    plain.write_bytes(response("https://w.example/a", OK_HEAD, b"a", warc=long))
    got, asked = _reads(str(plain), monkeypatch)
    assert asked == [] and got[1] == ArchiveCounts(read=4, responses=1)


def test_fastwarc_passes_over_what_it_cannot_take_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    br = [*HTML, ("Content-Encoding", "br")]
    gz = [*HTML, ("Content-Encoding", "gzip")]
    path = write(
        tmp_path / "a.warc.gz",
        [
            ("response", "https://w.example/a", br, b"\x8b\x02\x80not br" * 20),
            ("response", "https://w.example/b", HTML, PAGE),
            ("response", "https://w.example/c", gz, gzip.compress(b"x" * 6000)),
        ],
    )
    got, asked = _reads(path, monkeypatch, limit=5000)  # room for header lines
    assert asked == []
    assert got == (
        [None, Oversized("https://w.example/b", 5000), Oversized("https://w.example/c", 5000)],
        ArchiveCounts(read=6, responses=2, undecodable=1, too_large=2),
    )


@pytest.mark.parametrize("over", [0, 1])
def test_fastwarc_leaves_header_lines_near_the_limit_to_warcio(
    over: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastWARC takes a record's HTTP header lines while they are under the limit, less
    the record's WARC header and a margin; from there warcio decides."""
    limit = 10_000
    bare = response("https://w.example/a", b"", b"")
    warc_head = bare.index(b"\r\n\r\n") + 4 + 3  # Content-Length: 4 digits, not 1
    room = limit - warc_head - a._HEADER_MARGIN
    status = b"HTTP/1.1 200 OK\r\n"
    pad = room - 1 + over - len(status) - len(b"X-Pad: \r\n\r\n")
    head = status + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"
    record = response("https://w.example/a", head, b"a")
    assert record.index(b"\r\n\r\n") + 4 == warc_head and len(head) == room - 1 + over
    path = tmp_path / "a.warc"
    path.write_bytes(record)
    got, asked = _reads(str(path), monkeypatch, limit=limit)
    assert got == ([Capture("https://w.example/a", 200, [("X-Pad", "p" * pad)], b"a")],
                   ArchiveCounts(read=4, responses=1))  # fmt: skip
    assert asked == ([0] if over else [])


def test_many_short_header_lines_over_the_limit_end_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = b"".join(b"X-%d: vvvvvvvvvvvvvvvvvvvv\r\n" % n for n in range(250))  # 6.5 KB
    path = tmp_path / "a.warc"
    path.write_bytes(
        response("https://w.example/a", OK_HEAD, b"a")
        + response("https://w.example/b", b"HTTP/1.1 200 OK\r\n" + lines + b"\r\n", b"b")
    )
    got, asked = _reads(str(path), monkeypatch, limit=5000)
    assert got[1:] == ("too_large", 1) and asked == [1]


def test_a_target_uri_with_a_space_is_read_as_warcio_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(response("https://w.example/a b", OK_HEAD, b"a"))
    got, asked = _reads(str(path), monkeypatch)
    assert got[0] == [Capture("https://w.example/a%20b", 200, HTML, b"a")] and asked == [0]


def test_fastwarc_hands_over_what_follows_its_last_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty gzip member of two blank lines after the last record: FastWARC says
    nothing of it, warcio reads it (a record that is none)."""
    path = tmp_path / "a.warc.gz"
    path.write_bytes(gzip.compress(response("https://w.example/a", OK_HEAD, b"a"))
                     + gzip.compress(b"\r\n"))  # fmt: skip
    got, asked = _reads(str(path), monkeypatch)
    assert got == ([Capture("https://w.example/a", 200, HTML, b"a"), None],
                   ArchiveCounts(read=5, responses=1))  # fmt: skip
    assert asked == [1]


def test_fastwarc_says_where_warcio_reads_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(
        response("https://w.example/a", OK_HEAD, b"a")
        + response("https://w.example/b c", OK_HEAD, b"b")
    )
    with caplog.at_level(logging.DEBUG, logger="newscrawl.archives"):
        assert len(list(read_captures(str(path), reader="fastwarc"))) == 2
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG] == [
        f"FastWARC left {path} after 1 record(s): warcio reads on"
    ]


def test_an_undecodable_record_is_logged_by_its_url_as_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    br = [*HTML, ("Content-Encoding", "br")]
    path = write(
        tmp_path / "a.warc.gz",
        [("response", "<https://w.example/aX>", br, b"\x8b\x02\x80not br" * 20)],
    )
    with caplog.at_level(logging.WARNING, logger="newscrawl.archives"):
        assert list(read_captures(path)) == [None]
    assert [r.getMessage() for r in caplog.records] == [
        f"Passed over the record of https://w.example/aX in {path}: "
        "its first block cannot be decoded",
    ]


def test_a_response_without_a_target_uri_says_which_archive_and_where(tmp_path: Path) -> None:
    nameless = raw_record("https://w.example/b", b"b").replace(
        b"WARC-Target-URI: https://w.example/b\r\n", b""
    )
    path = tmp_path / "a.warc"
    path.write_bytes(raw_record("https://w.example/a", b"a") + nameless)
    with pytest.raises(ArchiveDamaged) as damage:
        list(read_captures(str(path), ArchiveCounts(read=6)))
    assert (damage.value.source, damage.value.kind, damage.value.records) == (
        str(path), "corrupt", 1
    )  # fmt: skip


def test_damage_in_what_fastwarc_read_already_is_counted_from_the_archive_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """warcio passes over the records FastWARC read: an I/O error there ends the archive
    after those records."""
    data = response("https://w.example/a", OK_HEAD, random.Random(1).randbytes(100_000))
    data += response("https://w.example/b c", OK_HEAD, b"b")  # FastWARC leaves it
    path = tmp_path / "a.warc"
    path.write_bytes(data)
    opened: list[str] = []

    def open_source(source: str) -> Any:
        opened.append(source)
        if len(opened) == 1:
            return path.open("rb")
        return io.BufferedReader(_Failing(data, 50_000))

    monkeypatch.setattr(a, "open_source", open_source)
    got: list[Any] = []
    with pytest.raises(ArchiveDamaged) as damage:
        for capture in read_captures("x.warc", ArchiveCounts(read=10), reader="fastwarc"):
            got.append(capture)
    assert len(got) == 1 and opened == ["x.warc", "x.warc"]
    damaged = (damage.value.source, damage.value.kind, damage.value.records)
    assert damaged == ("x.warc", "corrupt", 1)


def test_a_body_not_sent_chunked_is_not_dechunked() -> None:
    body = b"3\r\nabc\r\n0\r\n\r\n"
    assert a.decode_body(io.BytesIO(body), None, None, 100) == body
    assert a.decode_body(io.BytesIO(body), "chunked", None, 100) == b"abc"


def test_the_messages_of_reader_named() -> None:
    with pytest.raises(ValueError) as error:
        a.reader_named("fast")
    assert str(error.value) == "no WARC reader 'fast' (one of auto, fastwarc, warcio)"


def test_the_message_without_fastwarc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(a, "FastArchiveIterator", None)
    with pytest.raises(ValueError) as error:
        a.reader_named("fastwarc")
    assert str(error.value) == "the WARC reader fastwarc is not installed"


# -- where an archive ends ------------------------------------------------------------------


def _gzip_member_of(size: int, data: bytes) -> bytes:
    """A gzip member of ``data`` exactly ``size`` bytes long (a comment pads it)."""
    deflated = _deflate(data, -zlib.MAX_WBITS)
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    comment = b"c" * (size - 10 - 1 - len(deflated) - len(trailer))
    member = b"\x1f\x8b\x08\x10\x00\x00\x00\x00\x00\xff" + comment + b"\x00" + deflated + trailer
    assert len(member) == size and gzip.decompress(member) == data
    return member


def test_where_an_archive_ends(tmp_path: Path) -> None:
    first, last = raw_record("https://w.example/a", b"a"), raw_record("https://w.example/b", b"b")
    big = gzip.compress(raw_record("https://w.example/c", b"c" * (3 * a.BLOCK)))
    crc = bytearray(gzip.compress(last))
    crc[-6] ^= 0xFF  # its CRC is wrong
    head = first.replace(b"WARC-Type", b"X-Pad: " + b"p" * a.HEADER_LIMIT + b"\r\nWARC-Type")
    cases = [
        (first, 0, True),
        (first + last.replace(b"Content-Length", b"content-length"), len(first), True),
        (first + last[:-4] + b"\n\n", len(first), True),
        (first + last[:-4] + b"\n\n\n", len(first), False),
        (gzip.compress(first) + big, len(gzip.compress(first)), True),
        (gzip.compress(first) + bytes(crc), len(gzip.compress(first)), False),
        (head, 0, False),  # header lines over the limit: where it ends is not known here
        (first + head, len(first), False),
    ]
    for n, (data, offset, whole) in enumerate(cases):
        path = tmp_path / f"{n}.warc"
        path.write_bytes(data)
        assert a._ends_after(str(path), offset) is whole, n


def test_where_an_archive_ends_is_found_in_bounded_reads(tmp_path: Path) -> None:
    tail = 8 * 1024 * 1024
    record = raw_record("https://w.example/a", b"a")
    cases = [
        (b"\x00" * tail, -1),
        (record + b"\r\n" * (tail // 2), 0),
        (gzip.compress(record) + b"\x00" * tail, 0),
        (_gzip_member_of(a.BLOCK, record) + b"\x00" * tail, 0),
    ]
    for n, (data, offset) in enumerate(cases):
        path = tmp_path / f"{n}.warc"
        path.write_bytes(data)
        assert _peak(lambda p=path, o=offset: a._ends_after(str(p), o)) < tail // 4, n
        assert a._ends_after(str(path), offset) is False
