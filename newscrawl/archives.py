"""Web archives (WARC files) as a source of pages: history without touching the site.

``scrapy crawl <site> -a warc=PATH_OR_URL[,...]`` reads WARC files (plain or gzipped, one
gzip member a record or not) with warcio, streaming: one record in memory at a time. The site
spider keeps the ``response`` records of its article URLs answered 200 and reads them with its
page objects (see :meth:`newscrawl.spiders.base.NewsSpider.archive_items`).

``-a ccnews=YYYY-MM`` names the month's archives of Common Crawl's CC-NEWS crawl: the list
at :func:`ccnews_paths_url` (gzipped, one path a line), each path under :data:`CC_DATA`.

A damaged archive is reported, not fatal: :class:`ArchiveDamaged` says which file, whether it
is *truncated* (its last record shorter than its ``Content-Length`` says: some WARC readers
yield such a record without complaint, so the length is checked here) or *corrupt* (a gzip or
WARC header that cannot be read), and how many records were read before. The spider exports
what was read before the damage and goes on with the next archive.
"""

from __future__ import annotations

import gzip
import logging
import re
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

logger = logging.getLogger(__name__)

#: Where Common Crawl serves its data over HTTP.
CC_DATA = "https://data.commoncrawl.org/"
#: A month of CC-NEWS, as ``-a ccnews=`` takes it.
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: Bytes read at a time from a record not wanted (to check its length).
BLOCK = 65536
#: Seconds an archive download may stall before it fails.
DOWNLOAD_TIMEOUT = 60


class ArchiveDamaged(Exception):
    """An archive that cannot be read to its end (see the module docstring)."""

    def __init__(self, source: str, kind: str, records: int, detail: str) -> None:
        super().__init__(f"{source} is {kind} after {records} record(s): {detail}")
        self.source = source
        self.kind = kind
        self.records = records


@dataclass(frozen=True)
class Capture:
    """One response record of an archive: what a crawler once received."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class ArchiveCounts:
    """Records read, and what became of them (counted as ``newscrawl/archive/<event>``)."""

    read: int = 0
    responses: int = 0
    revisits: int = 0
    undecodable: int = 0


def ccnews_paths_url(month: str) -> str:
    """The list of a month's CC-NEWS archives: ``2025-11`` →
    ``https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/11/warc.paths.gz``."""
    found = MONTH.match(month.strip())
    if found is None:
        raise ValueError(f"ccnews={month!r} is not a month in the form YYYY-MM")
    year, number = found.groups()
    return f"{CC_DATA}crawl-data/CC-NEWS/{year}/{number}/warc.paths.gz"


def ccnews_archive_urls(paths_listing: bytes) -> list[str]:
    """The archive URLs of a CC-NEWS ``warc.paths.gz`` (gzipped or not): each line a path
    under :data:`CC_DATA` (``crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101...warc.gz``)."""
    if paths_listing[:2] == b"\x1f\x8b":
        paths_listing = gzip.decompress(paths_listing)
    paths = [line.strip() for line in paths_listing.decode("utf-8").splitlines()]
    return [CC_DATA + path.lstrip("/") for path in paths if path and not path.startswith("#")]


def is_remote(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def open_source(source: str) -> IO[bytes]:
    """A local file, or an HTTP(S) download read as it arrives (never held whole)."""
    if is_remote(source):
        response: IO[bytes] = urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT)
        return response
    return Path(source).open("rb")


def read_captures(
    source: str,
    counts: ArchiveCounts | None = None,
    wanted: Callable[[str, int], bool] = lambda url, status: True,
) -> Iterator[Capture | None]:
    """The ``response`` records of the archive ``source`` with an HTTP status, in file order,
    streamed; None for every other record, and for a response ``wanted(url, status)`` does
    not want (its body is not decoded, but its length is checked): the reader may pause
    between any two records. Raises :class:`ArchiveDamaged` at the first damaged record (the
    records before it were yielded). A record whose body cannot be decoded (an unknown or
    broken content encoding) is counted as ``undecodable`` and passed over."""
    counts = counts if counts is not None else ArchiveCounts()
    read_before = counts.read
    with open_source(source) as stream:
        records = ArchiveIterator(stream)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as error:
                raise ArchiveDamaged(
                    source, "corrupt", counts.read - read_before, repr(error)[:200]
                ) from error
            counts.read += 1
            if record.rec_type == "revisit":
                counts.revisits += 1
                yield None
                continue
            if record.rec_type != "response" or record.http_headers is None:
                yield None
                continue
            url = str(record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
            try:
                status = int(record.http_headers.get_statuscode())
            except (TypeError, ValueError):
                status = 0
            body = b""
            if status and wanted(url, status):
                try:
                    body = record.content_stream().read()
                except (zlib.error, EOFError) as error:
                    raise ArchiveDamaged(
                        source, "corrupt", counts.read - read_before - 1, repr(error)[:200]
                    ) from error
                except Exception as error:  # an encoding warcio cannot decode (brotli, ...)
                    counts.undecodable += 1
                    logger.warning("Passed over the record of %s in %s: %r", url, source, error)
                    status = 0
            try:
                while record.raw_stream.read(BLOCK):  # not read yet: only its length counts
                    pass
            except (zlib.error, EOFError, OSError) as error:
                raise ArchiveDamaged(
                    source, "corrupt", counts.read - read_before - 1, repr(error)[:200]
                ) from error
            left = getattr(record.raw_stream, "limit", 0)
            if left:  # the block ends before its Content-Length: the file was cut short
                raise ArchiveDamaged(
                    source,
                    "truncated",
                    counts.read - read_before - 1,
                    f"the record of {record.rec_headers.get_header('WARC-Target-URI')} "
                    f"lacks {left} of its {record.length} bytes",
                )
            if not status:
                yield None
                continue
            counts.responses += 1
            if not wanted(url, status):
                yield None
                continue
            yield Capture(
                url=url, status=status, headers=list(record.http_headers.headers), body=body
            )
