"""Web archives (WARC files) as a source of pages: history without touching the site.

``scrapy crawl <site> -a warc=PATH_OR_URL[,...]`` reads WARC files (plain or gzipped, one
gzip member a record or not), streaming: one record in memory at a time. Local archives are
read with FastWARC (some three times as fast), remote ones with warcio as they download;
both give the same records and counts (:func:`read_captures`: at the first thing FastWARC
does not read as warcio would, warcio reads on from there). The site
spider keeps the ``response`` records of its article URLs answered 200 and reads them with its
page objects (the archive route: :class:`newscrawl.archive_route.ArchiveRoute`).

``-a ccnews=YYYY-MM`` names the month's archives of Common Crawl's CC-NEWS crawl: the list
at :func:`ccnews_paths_url` (gzipped, one path a line), each path under :data:`CC_DATA` (or
the base URL the setting ``NEWSCRAWL_CCNEWS_BASE`` names). Archives and lists over HTTP(S)
are fetched by :mod:`newscrawl.safefetch`: the URL given is trusted, a redirect is followed
only to a public address.

Nothing is read unbounded (a small archive can decompress to gigabytes). A record's block,
its decoded body and a CC-NEWS list are read in blocks, ``limit`` bytes at most
(``DOWNLOAD_MAXSIZE``, as fetched pages; never more than ``limit + 1`` bytes of one are
held); the header lines of a record (WARC and HTTP headers, and the blank lines before it)
:data:`HEADER_LIMIT` bytes at most. A record over the limit is passed over and counted
(:class:`Oversized` when the spider wanted it). A record whose headers are over theirs ends
the archive as *too_large*: where that record ends cannot be known.

A damaged archive is reported, not fatal: :class:`ArchiveDamaged` says which file, whether it
is *truncated* (its last record shorter than its ``Content-Length`` says: some WARC readers
yield such a record without complaint, so the length is checked here), *corrupt* (a gzip or
WARC header that cannot be read) or *too_large*, and how many records were read before. The
spider exports what was read before the damage and goes on with the next archive.

No error says more than the file and the kind of error (:func:`describe`): never a byte of
the file, which may be anything (``-a warc=/etc/passwd`` must not print its first line).
warcio's own messages quote the line it could not read, so they are never shown, and the
warning it writes to stderr for a record not followed by a blank line is not written.
"""

from __future__ import annotations

import http.client
import io
import logging
import re
import urllib.error
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecordLoader
from warcio.utils import BUFF_SIZE

from newscrawl.safefetch import RedirectRefused, open_url

try:
    import brotli
except ImportError:  # pragma: no cover - installed with the project
    brotli = None

try:
    from fastwarc.warc import ArchiveIterator as FastArchiveIterator
    from fastwarc.warc import WarcRecordType
except ImportError:  # pragma: no cover - installed with the project
    FastArchiveIterator = None  # type: ignore[misc, assignment]

logger = logging.getLogger(__name__)

#: Where Common Crawl serves its data over HTTP.
CC_DATA = "https://data.commoncrawl.org/"
#: A month of CC-NEWS, as ``-a ccnews=`` takes it.
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: Bytes read at a time from a record or a list.
BLOCK = 65536
#: Seconds an archive download may stall before it fails.
DOWNLOAD_TIMEOUT = 60
#: The most bytes read of one record, its decoded body or a CC-NEWS list when no limit is
#: given (the project's ``DOWNLOAD_MAXSIZE``).
DEFAULT_LIMIT = 16 * 1024 * 1024
#: The most bytes of header lines of one record: its WARC and HTTP headers together.
HEADER_LIMIT = 256 * 1024
#: The most bytes an archive's gzip is decompressed to at a time.
FILL = 1024 * 1024
#: The WARC readers: FastWARC (local archives; the default when it is installed), warcio.
READERS = ("fastwarc", "warcio")


class ArchiveDamaged(Exception):
    """An archive that cannot be read to its end (see the module docstring)."""

    def __init__(self, source: str, kind: str, records: int, detail: str) -> None:
        super().__init__(f"{source} is {kind} after {records} record(s): {detail}")
        self.source = source
        self.kind = kind
        self.records = records


class TooLarge(Exception):
    """More bytes than the limit allows (a record, a decoded body, a list, header lines)."""


class NotFetchable(OSError):
    """An archive URL that cannot be fetched as written (a bad port, a control character)."""


class Undecodable(Exception):
    """A body whose content encoding cannot be decoded."""


@dataclass(frozen=True)
class Capture:
    """One response record of an archive: what a crawler once received."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Oversized:
    """A response record the spider wanted whose block or decoded body is over the limit:
    passed over, unread."""

    url: str
    limit: int


@dataclass
class ArchiveCounts:
    """Records read, and what became of them (counted as ``newscrawl/archive/<event>``)."""

    read: int = 0
    responses: int = 0
    revisits: int = 0
    undecodable: int = 0
    too_large: int = 0


#: What the errors of reading an archive mean.
KINDS: dict[type[BaseException], str] = {
    ArchiveLoadFailed: "a record header that cannot be read",
    zlib.error: "a gzip member that cannot be decompressed",
    EOFError: "it ends inside a gzip member",
    UnicodeError: "text that is not UTF-8",
}


def describe(error: BaseException) -> str:
    """The kind of an error, never its message's quotes of what was read: an HTTP status,
    an OS error's text (``No such file or directory``) or what the exception means."""
    for kind, meaning in KINDS.items():
        if isinstance(error, kind):
            module, name = type(error).__module__, type(error).__qualname__
            return f"{meaning} ({name if module == 'builtins' else f'{module}.{name}'})"
    if isinstance(error, (RedirectRefused, TooLarge, NotFetchable)):
        return str(error)
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP status {error.code}"
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        return describe(error.reason)
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return type(error).__name__


# -- CC-NEWS --------------------------------------------------------------------------------


def ccnews_base(base: str | None) -> str:
    """A CC-NEWS base URL, ending in ``/`` (:data:`CC_DATA` when none is given)."""
    base = (base or "").strip() or CC_DATA
    return base if base.endswith("/") else base + "/"


def ccnews_paths_url(month: str, base: str = CC_DATA) -> str:
    """The list of a month's CC-NEWS archives: ``2025-11`` →
    ``https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/11/warc.paths.gz``."""
    found = MONTH.match(month.strip())
    if found is None:
        raise ValueError(f"ccnews={month!r} is not a month in the form YYYY-MM")
    year, number = found.groups()
    return f"{ccnews_base(base)}crawl-data/CC-NEWS/{year}/{number}/warc.paths.gz"


def ccnews_archive_urls(
    paths_listing: bytes, base: str = CC_DATA, limit: int = DEFAULT_LIMIT
) -> list[str]:
    """The archive URLs of a CC-NEWS ``warc.paths.gz`` (gzipped or not): each line a path
    under ``base`` (``crawl-data/CC-NEWS/2025/11/CC-NEWS-20251101...warc.gz``). A list that
    decompresses to more than ``limit`` bytes raises :class:`TooLarge`."""
    if paths_listing[:2] == b"\x1f\x8b":
        paths_listing = gunzip(paths_listing, limit)
    elif len(paths_listing) > limit:
        raise TooLarge(f"it is over {limit} bytes (DOWNLOAD_MAXSIZE)")
    paths = [line.strip() for line in paths_listing.decode("utf-8").splitlines()]
    base = ccnews_base(base)
    return [
        base + quote(path.lstrip("/"), safe="/-._~")  # a path never leaves the base's host
        for path in paths
        if path and not path.startswith("#")
    ]


class _Sink:
    """Bytes decompressed or read, :class:`TooLarge` once they are over ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    @property
    def room(self) -> int:
        """Bytes that may still be asked for: one more than the limit allows."""
        return self.limit + 1 - self.size

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"it is over {self.limit} bytes (DOWNLOAD_MAXSIZE)")
        self.parts.append(data)


def _inflate(decompressor: Any, data: bytes, sink: _Sink) -> None:
    """``data`` through a zlib decompressor into ``sink``, :data:`BLOCK` bytes of output
    at a time (the decompressor keeps the input not used yet)."""
    while not decompressor.eof:
        want = min(BLOCK, sink.room)
        out = decompressor.decompress(data, want)
        sink.add(out)
        if len(out) < want:
            return
        data = decompressor.unconsumed_tail


def gunzip(data: bytes, limit: int) -> bytes:
    """``gzip.decompress`` of every member of ``data``, :class:`TooLarge` as soon as the
    output is over ``limit`` bytes (never more than ``limit + 1`` decompressed)."""
    sink = _Sink(limit)
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        _inflate(decompressor, data, sink)
        if not decompressor.eof:
            raise EOFError("a gzip member ends before its end-of-stream marker")
        data = decompressor.unused_data
        if data[:2] != b"\x1f\x8b":  # padding after the last member
            break
    return b"".join(sink.parts)


def read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """All of ``stream`` in blocks; :class:`TooLarge` once it is over ``limit`` bytes."""
    sink = _Sink(limit)
    while block := stream.read(min(BLOCK, sink.room)):
        sink.add(block)
    return b"".join(sink.parts)


def ccnews_list(listing: str, base: str = CC_DATA, limit: int = DEFAULT_LIMIT) -> list[str]:
    """The archive URLs of the CC-NEWS list at ``listing``, fetched and decompressed
    ``limit`` bytes at most (:class:`TooLarge` beyond); :class:`OSError` for a list that
    cannot be fetched (:class:`RedirectRefused` among them), :class:`ArchiveDamaged` for one
    that cannot be read."""
    with open_source(listing) as stream:
        data = read_bounded(stream, limit)
    try:
        return ccnews_archive_urls(data, base, limit)
    except (ValueError, EOFError, zlib.error) as error:
        raise ArchiveDamaged(listing, "corrupt", 0, describe(error)) from None


# -- archives -------------------------------------------------------------------------------


def is_remote(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def open_source(source: str) -> IO[bytes]:
    """A local file, or an HTTP(S) download read as it arrives (never held whole), through
    :func:`newscrawl.safefetch.open_url`."""
    if is_remote(source):
        try:
            return open_url(source, timeout=DOWNLOAD_TIMEOUT)
        except (ValueError, http.client.InvalidURL) as error:  # a control character, a bad port
            raise NotFetchable(f"not a URL that can be fetched ({type(error).__name__})") from None
    return Path(source).open("rb")


class _BoundedLines(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's reader of an archive, bounded. Its lines may hold ``room`` bytes, then
    :class:`TooLarge`: warcio reads WARC and HTTP header lines whole, so a header without an
    end would be read to the end of the (decompressed) archive. And a block of the archive's
    gzip decompresses to :data:`FILL` bytes at most at a time (warcio would decompress a
    16 KB block whole, up to 16 MB), the rest of the block kept for the next fill."""

    room = HEADER_LIMIT
    decompressor: Any
    starting_data: bytes | None
    num_block_read: int

    def readline(self, length: int | None = None) -> bytes:
        most = self.room + 1 if length is None else min(length, self.room + 1)
        line: bytes = super().readline(most)
        self.room -= len(line)
        if self.room < 0:
            raise TooLarge("a record's header lines are over the limit")
        return line

    def _decompress(self, data: bytes) -> bytes:
        if self.decompressor is None or not data:
            return data
        try:
            out: bytes = self.decompressor.decompress(data, FILL)
        except zlib.error:
            if self.num_block_read == 0:  # not gzipped: read as it is, as warcio does
                self.decompressor = None
                return data
            return b""  # as warcio: what follows reads as the end (a record cut short)
        if self.decompressor.unconsumed_tail:  # fed first at the next fill
            self.starting_data = self.decompressor.unconsumed_tail
        return out


class _Records(ArchiveIterator):  # type: ignore[misc]
    """warcio's archive iterator with bounded header lines, and silent about the lines it
    finds out of place (warcio writes them to stderr)."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream)
        self.reader = _BoundedLines(self.fh, block_size=BUFF_SIZE)

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        """As warcio's, without writing the line it did not expect to stderr."""
        empty_size = 0
        first_line = True
        while True:
            line: bytes = self.reader.readline()
            if not line:
                return None, empty_size
            if not line.rstrip() or first_line:
                empty_size += len(line)
                if line.rstrip():  # the Content-Length before was likely wrong
                    self.err_count += 1
                first_line = False
                continue
            return line, empty_size


class _Decoder(Protocol):
    def feed(self, data: bytes, sink: _Sink) -> None: ...


class _Zlib:
    def __init__(self, wbits: int) -> None:
        self.decompressor = zlib.decompressobj(wbits)

    def feed(self, data: bytes, sink: _Sink) -> None:
        _inflate(self.decompressor, data, sink)  # one member, as warcio reads it


class _Brotli:
    def __init__(self) -> None:
        self.decompressor = brotli.Decompressor()

    def feed(self, data: bytes, sink: _Sink) -> None:
        """``data`` into ``sink``, a :data:`BLOCK` of output at most a call: drained until
        brotli gives less than was asked (it wants more input) or the stream is finished.
        (Brotli says it can take more input while output still waits in it.)"""
        while True:
            want = min(BLOCK, sink.room)
            out = self.decompressor.process(data, output_buffer_limit=want)
            sink.add(out)
            data = b""
            if len(out) < want or self.decompressor.is_finished():
                return


#: A decoder to try, or None: the body as it is.
Candidate = Callable[[], _Decoder] | None


def _decoders(encoding: str) -> list[Candidate]:
    """What to try for a content encoding, in order: a body the first cannot start on is
    tried with the next; when none is left, it is :class:`Undecodable`. As warcio reads
    them: gzip and deflate (zlib's, then raw) bodies that are not compressed are taken as
    they are (None), and so is a body in an encoding not known. A brotli body must be
    brotli."""
    if encoding in ("gzip", "x-gzip"):
        return [lambda: _Zlib(16 + zlib.MAX_WBITS), None]
    if encoding == "deflate":
        return [lambda: _Zlib(zlib.MAX_WBITS), lambda: _Zlib(-zlib.MAX_WBITS), None]
    if encoding == "br":
        if brotli is None or not hasattr(brotli.Decompressor, "can_accept_more_data"):
            raise Undecodable("no brotli decoder that bounds its output")
        return [_Brotli]
    return [None]


def _start(block: bytes, candidates: list[Candidate], limit: int) -> tuple[_Decoder | None, _Sink]:
    """The first of ``candidates`` that can start on the first ``block`` of a body (None:
    the body as it is), and what it made of the block; :class:`Undecodable` if none can."""
    for make in candidates:
        sink = _Sink(limit)
        if make is None:
            sink.add(block)
            return None, sink
        decoder = make()
        try:
            decoder.feed(block, sink)
        except TooLarge:
            raise
        except Exception:
            continue
        return decoder, sink
    raise Undecodable("its first block cannot be decoded")


def read_body(record: Any, limit: int) -> bytes:
    """The body of a response record, de-chunked and decoded, read in blocks:
    :class:`TooLarge` once it is over ``limit`` bytes, :class:`Undecodable` when its content
    encoding cannot be decoded."""
    headers = record.http_headers
    return decode_body(
        record.raw_stream,
        headers.get_header("transfer-encoding"),
        headers.get_header("content-encoding"),
        limit,
    )


def decode_body(stream: Any, transfer: str | None, content: str | None, limit: int) -> bytes:
    """The rest of ``stream``, a body sent with the transfer and content encodings named,
    de-chunked and decoded (see :func:`read_body`)."""
    raw = LimitReader(stream, limit + 1)  # the record's length may be unknown
    chunked = str(transfer or "").strip().lower() == "chunked"
    stream = ChunkedDataReader(raw) if chunked else raw
    encoding = str(content or "").strip().lower()
    candidates = _decoders(encoding)
    decoder: _Decoder | None = None
    sink = _Sink(limit)
    started = False
    while block := stream.read(BLOCK if decoder or not started else min(BLOCK, sink.room)):
        if not started:
            decoder, sink = _start(block, candidates, limit)
            started = True
        elif decoder is None:
            sink.add(block)
        else:
            try:
                decoder.feed(block, sink)
            except TooLarge:
                raise
            except Exception as error:
                raise Undecodable(type(error).__name__) from error
    if raw.limit == 0:  # more than limit + 1 bytes came before decoding
        raise TooLarge(f"its block is over {limit} bytes")
    return b"".join(sink.parts)


def _drain(stream: Any, source: str, records: int) -> None:
    """What is left of a record, read and dropped a block at a time (only its length
    counts); :class:`ArchiveDamaged` if the archive's gzip breaks in it."""
    try:
        while stream.read(BLOCK):
            pass
    except (zlib.error, EOFError, OSError) as error:
        raise ArchiveDamaged(source, "corrupt", records, describe(error)) from None


def default_reader() -> str:
    """The WARC reader used when none is named: FastWARC when it is installed, else warcio."""
    return "fastwarc" if FastArchiveIterator is not None else "warcio"


def reader_named(name: str | None) -> str:
    """The WARC reader ``name`` names (``auto`` or None: :func:`default_reader`);
    :class:`ValueError` for a reader not known or not installed: a run never reads with
    another than the one asked for."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        return default_reader()
    if name not in READERS:
        raise ValueError(f"no WARC reader {name!r} (one of auto, {', '.join(READERS)})")
    if name == "fastwarc" and FastArchiveIterator is None:
        raise ValueError("the WARC reader fastwarc is not installed")
    return name


def read_captures(
    source: str,
    counts: ArchiveCounts | None = None,
    wanted: Callable[[str, int], bool] = lambda url, status: True,
    limit: int = DEFAULT_LIMIT,
    reader: str | None = None,
) -> Iterator[Capture | Oversized | None]:
    """The ``response`` records of the archive ``source`` with an HTTP status, in file order,
    streamed; None for every other record, and for a response ``wanted(url, status)`` does
    not want (its body is not decoded, but its length is checked): the reader may pause
    between any two records. Raises :class:`ArchiveDamaged` at the first damaged record (the
    records before it were yielded). A record whose body cannot be decoded (an unknown or
    broken content encoding) is counted as ``undecodable`` and passed over; one whose block
    or body is over ``limit`` bytes is counted as ``too_large`` and passed over (an
    :class:`Oversized` if it was wanted).

    ``reader``: ``fastwarc`` or ``warcio`` (:data:`READERS`; None: :func:`default_reader`).
    Both give the same records and counts. FastWARC reads local archives (a remote one is
    read by warcio as it downloads); at the first thing it does not read as warcio would (an
    error, a record shorter than its length, a status line or headers out of the ordinary,
    an archive that does not end right after its last record), warcio reads the archive
    from there: what warcio says of damage is what is said."""
    reader = reader_named(reader)
    counts = counts if counts is not None else ArchiveCounts()
    read_before = counts.read
    skip = 0
    if reader == "fastwarc" and not is_remote(source):
        left_off = yield from _fast_captures(source, counts, wanted, limit)
        if left_off is None:
            return
        logger.debug("FastWARC left %s after %d record(s): warcio reads on", source, left_off)
        skip = left_off
    yield from _warcio_captures(source, counts, wanted, limit, read_before, skip)


def _warcio_captures(
    source: str,
    counts: ArchiveCounts,
    wanted: Callable[[str, int], bool],
    limit: int,
    read_before: int,
    skip: int = 0,
) -> Iterator[Capture | Oversized | None]:
    """:func:`read_captures` with warcio, passing over the first ``skip`` records (read
    and counted already) unread."""
    header_limit = min(HEADER_LIMIT, limit)
    with open_source(source) as stream:
        records = _Records(stream)
        while True:
            records.reader.room = header_limit
            try:
                record = next(records)
            except StopIteration:
                return
            except TooLarge:
                raise ArchiveDamaged(
                    source,
                    "too_large",
                    counts.read - read_before,
                    f"a record's header lines are over {header_limit} bytes",
                ) from None
            except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as error:
                raise ArchiveDamaged(
                    source, "corrupt", counts.read - read_before, describe(error)
                ) from None
            except AttributeError:  # warcio's, for a response without WARC-Target-URI
                raise ArchiveDamaged(
                    source,
                    "corrupt",
                    counts.read - read_before,
                    f"{KINDS[ArchiveLoadFailed]} (a record without its WARC-Target-URI)",
                ) from None
            records.reader.room = limit  # a chunked body's size lines
            if skip:
                skip -= 1
                _drain(record.raw_stream, source, counts.read - read_before)
                continue
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
            want = bool(status) and wanted(url, status)
            body = b""
            oversized = record.length is not None and record.length > limit
            if want and not oversized:
                try:
                    body = read_body(record, limit)
                except TooLarge:
                    oversized = True
                except Undecodable as error:  # an encoding that cannot be decoded (broken)
                    counts.undecodable += 1
                    logger.warning("Passed over the record of %s in %s: %s", url, source, error)
                    status = 0
                except (zlib.error, EOFError, OSError) as error:  # the archive's own gzip
                    raise ArchiveDamaged(
                        source, "corrupt", counts.read - read_before - 1, describe(error)
                    ) from None
            _drain(record.raw_stream, source, counts.read - read_before - 1)
            left = getattr(record.raw_stream, "limit", 0)
            if left:  # the block ends before its Content-Length: the file was cut short
                raise ArchiveDamaged(
                    source,
                    "truncated",
                    counts.read - read_before - 1,
                    f"the record of {url} lacks {left} of its {record.length} bytes",
                )
            if oversized:
                counts.too_large += 1
            if not status:
                yield None
                continue
            counts.responses += 1
            if not want:
                yield None
            elif oversized:
                yield Oversized(url, limit)
            else:
                yield Capture(
                    url=url, status=status, headers=list(record.http_headers.headers), body=body
                )


# -- FastWARC -------------------------------------------------------------------------------

#: The HTTP header parser warcio reads response records with: FastWARC's records are read
#: with it too, so that both readers see the same status and header fields.
_HTTP = ArcWarcRecordLoader(verify_http=False).http_parser
#: A plain status line, whose status warcio's parser reads as this number: the status of a
#: record not wanted is read from it, without its header fields parsed (never used).
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([0-9]{3})(?: [^\r\n]*)?\r?\n\Z")
#: Header bytes that warcio alone decides about (near :data:`HEADER_LIMIT`, where the two
#: would count differently).
_HEADER_MARGIN = 4096


class _Unlike(Exception):
    """A record FastWARC does not read as warcio would: warcio reads on from it."""


@dataclass
class _Read:
    """What one record gave: what to yield, and what to count."""

    out: Capture | Oversized | None = None
    responses: int = 0
    revisits: int = 0
    undecodable: int = 0
    too_large: int = 0
    warning: str = ""


def _fast_record(
    record: Any, wanted: Callable[[str, int], bool], limit: int, header_limit: int
) -> _Read:
    """One record read by FastWARC, as :func:`_warcio_captures` reads it; :class:`_Unlike`
    for anything it would read otherwise."""
    kind = record.record_type
    if kind == WarcRecordType.revisit:
        return _Read(revisits=1)
    if kind != WarcRecordType.response:
        return _Read()
    target = record.headers.get("WARC-Target-URI")
    if target is None or " " in target:  # warcio: AttributeError; its warning, and %20
        raise _Unlike("a response without WARC-Target-URI, or with spaces in it")
    if target.startswith("<") and target.endswith(">"):  # as warcio reads it (Wget 1.19)
        target = target[1:-1]
    length = record.content_length
    if length == 0 or not target.startswith(("http:", "https:")):
        return _Read()  # no HTTP headers, as warcio reads it
    warc_head = sum(len(k) + len(v) + 4 for k, v in record.headers.items()) + 12
    reader = record.reader
    room = header_limit - warc_head - _HEADER_MARGIN
    lines: list[bytes] = []
    head = 0
    while not lines or lines[-1].strip():  # the status line and header lines, as warcio's
        line = reader.readline(max(1, room - head))
        head += len(line)
        if head >= room or not line.endswith(b"\n"):
            raise _Unlike("header lines near the limit, or cut short")
        lines.append(line)
    url = target.strip("<>")
    plain = _STATUS_LINE.match(lines[0])
    http = None
    if plain:  # its header fields are parsed only when it is wanted
        status = int(plain.group(1))
    else:
        http = _HTTP.parse(io.BytesIO(b"".join(lines)))
        status = int(http.get_statuscode())
    if not status:
        raise _Unlike("status 0")
    want = wanted(url, status)
    done = _Read(responses=1)
    oversized = length > limit
    body = b""
    if want and http is None:
        http = _HTTP.parse(io.BytesIO(b"".join(lines)))
    headers = list(http.headers) if want and http is not None else []
    if want and http is not None and not oversized:
        try:
            body = decode_body(
                reader,
                http.get_header("transfer-encoding"),
                http.get_header("content-encoding"),
                limit,
            )
        except TooLarge:
            oversized = True
        except Undecodable as error:
            done = _Read(undecodable=1)
            done.warning = str(error)
    reader.consume()  # not read yet: only its length counts
    if reader.tell() != length:
        raise _Unlike("a record shorter than its length")
    done.too_large = int(oversized)
    if done.undecodable:
        return done
    if want:
        done.out = (
            Oversized(url, limit)
            if oversized
            else Capture(url=url, status=status, headers=headers, body=body)
        )
    return done


def _fast_captures(
    source: str,
    counts: ArchiveCounts,
    wanted: Callable[[str, int], bool],
    limit: int,
) -> Generator[Capture | Oversized | None, None, int | None]:
    """:func:`read_captures` with FastWARC; returns None once the archive is read to its
    end, else the number of records read (and yielded) before the first one it does not
    read as warcio would."""
    header_limit = min(HEADER_LIMIT, limit)
    done = 0
    last = -1
    with open_source(source) as stream:
        if not stream.seekable():  # FastWARC seeks in what it reads
            return 0
        try:
            records = FastArchiveIterator(
                stream, parse_http=False, max_header_len=header_limit, fsspec_args=False
            )
            for record in records:
                read = _fast_record(record, wanted, limit, header_limit)
                last = record.stream_pos
                counts.read += 1
                counts.responses += read.responses
                counts.revisits += read.revisits
                counts.undecodable += read.undecodable
                counts.too_large += read.too_large
                if read.warning:
                    url = str(record.headers.get("WARC-Target-URI") or "").strip("<>")
                    logger.warning(
                        "Passed over the record of %s in %s: %s", url, source, read.warning
                    )
                done += 1
                yield read.out
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # FastWARC's errors (its panics are no Exception), _Unlike:
            return done  # warcio reads on, and says what it is
    return None if _ends_after(source, last) else done


def _ends_after(source: str, last: int) -> bool:
    """The archive ``source`` ends right after its record at offset ``last`` (-1: it holds
    none): nothing FastWARC could have passed over unsaid."""
    with open_source(source) as stream:
        if last < 0:
            return not stream.read(1)
        stream.seek(last)
        start = stream.read(2)
        stream.seek(last)
        if start != b"\x1f\x8b":  # a plain archive: its record's header says where it ends
            head = stream.read(HEADER_LIMIT)
            end = head.find(b"\r\n\r\n")
            found = re.search(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n", head[: end + 2], re.I)
            if end < 0 or found is None:
                return False
            stream.seek(last + end + 4 + int(found.group(1)))
            return stream.read(5) in (b"\r\n\r\n", b"\n\n")  # what follows, never whole
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while not decompressor.eof and (block := stream.read(BLOCK)):
                while block and not decompressor.eof:  # a block of output at a time, dropped
                    decompressor.decompress(block, BLOCK)
                    block = decompressor.unconsumed_tail
        except zlib.error:
            return False
        return decompressor.eof and not decompressor.unused_data and not stream.read(1)
