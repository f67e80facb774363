"""WARC files made from a fixture site, with warcio's writer: what the archive tests read."""

from __future__ import annotations

import io
import uuid
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support import FIXTURES, manifest

REASONS = {200: "OK", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable"}


def response_record(
    writer: WARCWriter, url: str, body: bytes, status: int = 200, content_type: str = "text/html"
) -> Any:
    headers = StatusAndHeaders(
        f"{status} {REASONS.get(status, 'X')}",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers
    )


def site_records(site: str, urls: Iterable[str] | None = None) -> list[tuple[str, bytes, int, str]]:
    """``(url, body, status, content type)`` of the fixture site's pages (all, or ``urls``),
    as a crawler that got through every check would have received them."""
    pages = manifest(site)
    chosen = list(pages) if urls is None else list(urls)
    records = []
    for url in chosen:
        entry = pages[url]
        body = (FIXTURES / site / "site" / entry["file"]).read_bytes()
        content_type = str(entry.get("content_type") or "text/html; charset=UTF-8")
        records.append((url, body, int(entry.get("status", 200)), content_type))
    return records


def write_warc(
    path: Path,
    records: Iterable[tuple[str, bytes, int, str]],
    *,
    gzip: bool = True,
    revisits: Iterable[str] = (),
) -> Path:
    """A WARC of ``records`` (gzipped: one gzip member a record), then a revisit record for
    each of ``revisits``."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, body, status, content_type in records:
            record = response_record(writer, url, body, status, content_type)
            writer.write_record(record)
            record.raw_stream.close()  # warcio spools the payload to a temporary file
        for url in revisits:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            revisit = writer.create_revisit_record(
                url,
                digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                refers_to_uri=url,
                refers_to_date="2025-11-20T00:00:00Z",
                http_headers=headers,
            )
            writer.write_record(revisit)
            if revisit.raw_stream is not None:
                revisit.raw_stream.close()
    return path


def truncate(path: Path, cut: int) -> Path:
    """``path`` without its last ``cut`` bytes (a download that stopped)."""
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    return path


# -- hostile archives ---------------------------------------------------------------------------

MB = 1024 * 1024
BOMBS = ("encoded_gzip", "encoded_br", "block", "headers")


def repeated(size: int, byte: bytes = b" ") -> Iterator[bytes]:
    """``size`` bytes of ``byte``, a megabyte at a time."""
    block = byte * MB
    while size > 0:
        yield block[:size]
        size -= len(block)


def gzipped(chunks: Iterable[bytes]) -> bytes:
    """One gzip member of the chunks, compressed as they come (a bomb never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([*(compressor.compress(chunk) for chunk in chunks), compressor.flush()])


def brotli_compressed(chunks: Iterable[bytes]) -> bytes:
    import brotli

    compressor = brotli.Compressor(quality=5, lgwin=24)
    return b"".join([*(compressor.process(chunk) for chunk in chunks), compressor.finish()])


def write_member(handle: IO[bytes], url: str, block: Iterable[bytes], length: int) -> None:
    """A ``response`` record of ``url`` whose block (HTTP headers and body, ``length`` bytes)
    comes in chunks, written as one gzip member compressed as it comes."""
    headers = (
        "WARC/1.0\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "WARC-Date: 2025-11-20T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    handle.write(gzipped([headers, *block, b"\r\n\r\n"]))


def write_bomb(handle: IO[bytes], url: str, kind: str, size: int) -> None:
    """A record of ``url``, answered 200, that a few hundred kilobytes at most hold and
    ``size`` bytes decompress to: its body gzip- or brotli-encoded (``encoded_gzip``,
    ``encoded_br``), its block itself (``block``: the WARC gzip member), or one of its HTTP
    header lines, without an end (``headers``)."""
    status = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    if kind in ("encoded_gzip", "encoded_br"):
        compress = gzipped if kind == "encoded_gzip" else brotli_compressed
        body = compress(repeated(size))
        name = b"gzip" if kind == "encoded_gzip" else b"br"
        head = status + b"Content-Encoding: " + name + b"\r\n\r\n"
        write_member(handle, url, [head, body], len(head) + len(body))
    elif kind == "block":
        head = status + b"\r\n"
        write_member(handle, url, [head, *repeated(size)], len(head) + size)
    elif kind == "headers":
        head = status + b"X-Bomb: "
        write_member(handle, url, [head, *repeated(size, b"a")], len(head) + size)
    else:
        raise ValueError(kind)


def write_hostile_warc(
    path: Path, url: str, kind: str, size: int, after: Iterable[tuple[str, bytes, int, str]] = ()
) -> Path:
    """A gzipped WARC: a bomb (:func:`write_bomb`), then the records ``after``."""
    with path.open("wb") as handle:
        write_bomb(handle, url, kind, size)
        writer = WARCWriter(handle, gzip=True)
        for record_url, body, status, content_type in after:
            record = response_record(writer, record_url, body, status, content_type)
            writer.write_record(record)
            record.raw_stream.close()
    return path
