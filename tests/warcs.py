"""WARC files made from a fixture site, with warcio's writer: what the archive tests read."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
