"""Offline replay of a recorded website through a local HTTP(S) forward proxy.

Scrapy (like curl, requests and urllib) honours the ``http_proxy`` / ``https_proxy``
environment variables. :class:`ReplayProxy` is a forward proxy on ``127.0.0.1`` that answers
every request from fixture files, so a crawl of real URLs such as
``https://market.bisnis.com/read/...`` runs fully offline. It never opens an outbound
connection: every answer comes from the fixture directory.

Fixture directory (e.g. ``tests/fixtures/bisnis``)
--------------------------------------------------
``manifest.json``
    A JSON list of entries. Each entry has ``url`` (absolute), ``file`` (a name under
    ``site/``), ``status`` (int) and ``content_type``; optionally ``headers`` (extra response
    headers), ``fail_first_with`` (statuses served, in order, to the first requests for that
    URL before the real answer: ``[503]`` gives one 503, then the page; ``fail_headers`` are
    extra headers of those answers, e.g. ``Retry-After``), ``js_gate: true`` and
    ``delay`` (seconds to wait before answering).
``site/``
    The response bodies, served byte for byte.
``js_gate.html``
    The JavaScript "checking your browser" page; its literal ``{host}`` is replaced with the
    request's host. Needed only if some entry has ``js_gate``.

Answers
-------
* A known URL gets its entry: status, ``Content-Type``, the extra ``headers``, the file.
* ``fail_first_with``: the first requests for the URL get those statuses (a small HTML body,
  no extra headers), one each, in order; later requests get the entry. This is checked before
  the JS gate.
* ``js_gate``: the entry is served only to requests whose ``Cookie`` header carries
  ``bisnis_js=1``; any other request gets 403 with the gate page
  (``text/html; charset=UTF-8``) and none of the entry's extra headers.
* An unknown URL gets 404 with a small HTML body and its record is marked ``unknown``.
* ``Content-Length`` is always sent; ``HEAD`` gets the headers only.

URL matching
------------
Exact scheme, host, path and query, after normalising only harmless things: the host's case,
a default port (``:80`` for http, ``:443`` for https), an empty path (``/``), empty query
segments, and the order of the query parameters (``?b=2&a=1`` matches ``?a=1&b=2``; the
segments are compared as sent, without decoding). ``http://`` and ``https://`` are distinct,
except that an ``http://`` URL with no entry of its own is served the ``https://`` entry.
See :func:`url_key`.

Protocol
--------
* Plain HTTP proxy requests in absolute form (``GET http://host/path HTTP/1.1``); an
  origin-form request sent straight to the proxy is resolved with its ``Host`` header.
* ``CONNECT host:port``: answered ``HTTP/1.1 200 Connection established``; the proxy then
  terminates TLS itself with a throwaway self-signed certificate (made at :meth:`start` with
  ``cryptography``; its SAN covers ``*.bisnis.com``, ``*.kompas.com``, the manifest's hosts,
  ``localhost`` and ``127.0.0.1``) and reads origin-form requests from the tunnel, building
  ``https://host[:port]/...`` URLs from the CONNECT authority. A tunnel to port 80 carries
  plain HTTP instead. Any host and port are accepted; unknown ones just get 404s. Clients such
  as Scrapy do not verify certificates; a verifying client can trust :attr:`ca_cert_path`.
* HTTP/1.1 keep-alive: several requests per connection (Scrapy reuses connections);
  ``Connection: close`` (and HTTP/1.0 without ``keep-alive``) ends the connection after the
  answer. Request bodies (``Content-Length`` or chunked) are read and discarded.

Lifecycle and request log
-------------------------
The asyncio server runs in a daemon thread with its own event loop, on an ephemeral port. It
stops by itself after ``lifetime`` seconds; :meth:`ReplayProxy.stop` is idempotent, joins the
thread and removes the temporary certificate directory. Use it as a context manager::

    with ReplayProxy(Path("tests/fixtures/bisnis"), lifetime=120) as proxy:
        subprocess.run([...], env={**os.environ, **proxy.env()}, check=True)
        assert proxy.count("https://www.bisnis.com/robots.txt") == 1

Every CONNECT authority is appended to :attr:`ReplayProxy.connects` (and to ``log_path``), so a
test sees every host a client asked for, whoever in the process asked (:meth:`ReplayProxy.hosts`
joins them with the hosts of plain requests). Every answered request (not the CONNECT itself,
nor a malformed request, which gets a bare 400) is appended to :attr:`ReplayProxy.requests` as a
:class:`Served` record (``method``, ``url`` as requested, ``status``, ``cookie``,
``user_agent``, ``unknown``), and also written as a JSON line to ``log_path`` when given.
:meth:`~ReplayProxy.urls` lists the URLs (optionally of one status), :meth:`~ReplayProxy.count`
counts the requests for a URL (compared with :func:`url_key`), :meth:`~ReplayProxy.clear`
empties the log and :meth:`~ReplayProxy.reset` also restarts the ``fail_first_with`` sequences.
:attr:`~ReplayProxy.connections` counts the client connections accepted. ``faults`` injects
transport faults (see :class:`ReplayProxy`).

Libraries in the crawling process may try the network themselves: Scrapy's cookie middleware
uses ``tldextract``, which on its first run fetches the Public Suffix List over HTTPS. Through
the proxy that fetch fails certificate verification and ``tldextract`` logs a traceback before
falling back to its bundled copy; merge :data:`OFFLINE_ENV` into the environment too to skip it.

Command line: ``python tests/replay.py tests/fixtures/bisnis [--lifetime S] [--port N]
[--log FILE] [-v]`` serves until the lifetime ends, Ctrl-C or SIGTERM, logging the port and the
proxy environment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import html
import ipaddress
import json
import logging
import re
import shutil
import signal
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["OFFLINE_ENV", "Entry", "ReplayProxy", "Served", "load_manifest", "main", "url_key"]

log = logging.getLogger("replay")

LISTEN_HOST = "127.0.0.1"
JS_GATE_COOKIE = ("bisnis_js", "1")
CERT_NAMES = ("*.bisnis.com", "bisnis.com", "*.kompas.com", "kompas.com", "localhost")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Extra environment for an offline subprocess: no Public Suffix List download by tldextract.
OFFLINE_ENV: Mapping[str, str] = {"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}

_MAX_HEADERS = 100
_MAX_LEADING_EMPTY_LINES = 8
_SHUTDOWN_GRACE = 2.0
_JOIN_TIMEOUT = 10.0
# Entry headers never copied: hop-by-hop ones, and the ones the proxy sets itself.
_NOT_COPIED = frozenset(
    {
        "connection",
        "content-length",
        "content-type",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True, slots=True)
class Served:
    """One answered request."""

    method: str
    url: str
    status: int
    cookie: str
    user_agent: str
    unknown: bool


@dataclass(frozen=True, slots=True)
class Entry:
    """One manifest entry."""

    url: str
    path: Path
    status: int
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    fail_first_with: tuple[int, ...] = ()
    js_gate: bool = False
    #: Seconds to wait before answering (a slow page; kill tests use it).
    delay: float = 0.0
    #: Transport faults for the first requests (see :class:`ReplayProxy`).
    faults_first: tuple[str, ...] = ()
    #: Extra headers of the ``fail_first_with`` answers (``Retry-After``, ``Location``).
    fail_headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    record: Served
    delay: float = 0.0
    fault: str | None = None


class _BadRequest(Exception):
    """The client sent something that is not HTTP/1.x."""


def url_key(url: str) -> str:
    """Return the matching key of ``url``: only harmless differences are normalised.

    Lower-cased scheme and host, no default port, ``/`` for an empty path, no fragment, and
    the query's non-empty ``&``-separated segments sorted (kept as sent, not decoded).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    query = "&".join(sorted(segment for segment in parts.query.split("&") if segment))
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


def load_manifest(fixture_dir: Path) -> dict[str, Entry]:
    """Read ``fixture_dir/manifest.json`` into entries keyed by :func:`url_key`."""
    raw = json.loads((fixture_dir / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{fixture_dir}/manifest.json: expected a JSON list")
    entries: dict[str, Entry] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError(f"manifest entry is not an object: {item!r}")
        url = str(item["url"])
        path = fixture_dir / "site" / str(item["file"])
        if not path.is_file():
            raise ValueError(f"manifest entry {url}: missing file {path}")
        headers = item.get("headers") or {}
        entry = Entry(
            url=url,
            path=path,
            status=int(item["status"]),
            content_type=str(item["content_type"]),
            headers=tuple((str(k), str(v)) for k, v in dict(headers).items()),
            fail_first_with=tuple(int(s) for s in item.get("fail_first_with") or ()),
            js_gate=bool(item.get("js_gate", False)),
            delay=float(item.get("delay", 0.0)),
            faults_first=tuple(str(kind) for kind in item.get("faults_first") or ()),
            fail_headers=tuple(
                (str(k), str(v)) for k, v in dict(item.get("fail_headers") or {}).items()
            ),
        )
        key = url_key(url)
        if key in entries:
            raise ValueError(f"manifest: duplicate URL {url} (same as {entries[key].url})")
        entries[key] = entry
    return entries


def _make_certificate(directory: Path, hosts: Iterable[str]) -> tuple[Path, Path]:
    """Write a throwaway self-signed certificate and its key; return their paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    public_key = key.public_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newscrawl replay proxy")])
    names = sorted(set(CERT_NAMES) | {h.lower() for h in hosts if h})
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names.append(x509.IPAddress(ipaddress.ip_address(LISTEN_HOST)))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "replay-ca.pem"
    key_path = directory / "replay-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _has_js_cookie(cookie_header: str) -> bool:
    for pair in cookie_header.split(";"):
        name, _, value = pair.strip().partition("=")
        if (name.strip(), value.strip()) == JS_GATE_COOKIE:
            return True
    return False


def _tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def _keep_alive(request: _Request) -> bool:
    tokens = _tokens(request.headers.get("connection", ""))
    tokens |= _tokens(request.headers.get("proxy-connection", ""))
    if "close" in tokens:
        return False
    if request.version == "HTTP/1.0":
        return "keep-alive" in tokens
    return True


def _split_authority(authority: str) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``, or a bare host: port 443) of a CONNECT target."""
    parts = urlsplit(f"//{authority}")
    host = parts.hostname
    try:
        port = parts.port
    except ValueError as exc:
        raise _BadRequest(f"bad CONNECT authority {authority!r}") from exc
    if not host:
        raise _BadRequest(f"bad CONNECT authority {authority!r}")
    return host.lower(), 443 if port is None else port


def _origin(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")


def _error_page(status: int, detail: str = "") -> bytes:
    title = f"{status} {_reason(status)}"
    extra = f"<p>{html.escape(detail)}</p>" if detail else ""
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{extra}</body></html>"
    return page.encode("utf-8")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


FAULT_KINDS = ("hang", "reset", "truncate", "gzip", "cut_gzip", "cut_html")


def _cut_gzip(answer: _Answer) -> _Answer:
    """The answer gzipped, the stream cut in half, under a ``Content-Length`` that matches the
    cut body (the transport looks whole; the document is not)."""
    packed = gzip.compress(answer.body)
    headers = [*answer.headers, ("Content-Encoding", "gzip")]
    return _Answer(answer.status, headers, packed[: len(packed) // 2], answer.record, answer.delay)


def _cut_html(answer: _Answer) -> _Answer:
    """The answer's HTML cut in half (no ``</html>``), with a matching ``Content-Length``."""
    return _Answer(
        answer.status, answer.headers, answer.body[: len(answer.body) // 2], answer.record
    )


def _corrupt_gzip(answer: _Answer) -> _Answer:
    """The answer with ``Content-Encoding: gzip`` and a body that is not valid gzip."""
    body = b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8
    headers = [*answer.headers, ("Content-Encoding", "gzip")]
    return _Answer(answer.status, headers, body, answer.record, answer.delay, None)


def _render(answer: _Answer, *, head_only: bool, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {_reason(answer.status)}"]
    lines += [f"{name}: {value}" for name, value in answer.headers]
    lines.append(f"Content-Length: {len(answer.body)}")
    lines.append("Connection: " + ("keep-alive" if keep_alive else "close"))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
    return head if head_only else head + answer.body


class ReplayProxy:
    """A local forward proxy (HTTP and CONNECT + TLS) answering from a fixture directory.

    See the module docstring for the fixture format and the answers. ``lifetime`` bounds how
    long the proxy runs (it stops by itself); ``log_path`` receives one JSON line per answered
    request; ``port`` 0 (the default) picks an ephemeral port.

    ``faults`` maps a URL to the transport faults its first requests get, one each, in order
    (the manifest's ``faults_first`` does the same per entry; both are deterministic):
    ``hang`` (answer nothing for ``hang_seconds``, then close), ``reset`` (send half the answer,
    then reset the connection), ``truncate`` (a ``Content-Length`` longer than the body, then
    close), ``gzip`` (``Content-Encoding: gzip`` with a corrupt body), ``cut_gzip`` (the page
    gzipped and the stream cut in half, under a ``Content-Length`` that matches the cut body),
    ``cut_html`` (the HTML cut in half, before ``</html>``, with a matching length) or
    ``http_NNN`` (status NNN with a small page). Later requests get the real answer.
    """

    def __init__(
        self,
        fixture_dir: Path,
        *,
        lifetime: float = 900.0,
        faults: dict[str, list[str]] | None = None,
        log_path: Path | None = None,
        port: int = 0,
        hang_seconds: float = 60.0,
    ) -> None:
        self.fixture_dir = Path(fixture_dir)
        self.lifetime = float(lifetime)
        self.hang_seconds = hang_seconds
        self.log_path = log_path
        self.entries: Mapping[str, Entry] = load_manifest(self.fixture_dir)
        self.faults: dict[str, tuple[str, ...]] = {
            url_key(entry.url): entry.faults_first
            for entry in self.entries.values()
            if entry.faults_first
        }
        for url, kinds in (faults or {}).items():
            self.faults[url_key(url)] = tuple(kinds)
        for kinds in self.faults.values():
            for kind in kinds:
                if kind not in FAULT_KINDS and not re.fullmatch(r"http_\d{3}", kind):
                    raise ValueError(
                        f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)}, http_NNN)"
                    )
        self._faults_served: dict[str, int] = {}
        gate_path = self.fixture_dir / "js_gate.html"
        self._gate_template = gate_path.read_text("utf-8") if gate_path.is_file() else None
        if self._gate_template is None and any(e.js_gate for e in self.entries.values()):
            raise ValueError(f"{gate_path} is missing but the manifest has js_gate entries")
        self.requests: list[Served] = []
        #: Every CONNECT authority (``host:port``) asked for, in order, whoever asked.
        self.connects: list[str] = []
        self._lock = threading.Lock()
        self._failures_served: dict[str, int] = {}
        self._connections = 0
        self._requested_port = port
        self._port: int | None = None
        self._tmpdir: Path | None = None
        self._cert_path: Path | None = None
        self._ssl_context: ssl.SSLContext | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        # Set when the server thread is done. Waited on instead of Thread.join(): in Python
        # 3.11 a join() interrupted by Ctrl-C can mark a thread as stopped while it still runs.
        self._finished = threading.Event()
        self._startup_error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Make the certificate, start the server thread and wait until it listens."""
        if self._thread is not None:
            raise RuntimeError("ReplayProxy.start() may be called only once")
        self._tmpdir = Path(tempfile.mkdtemp(prefix="replay-proxy-"))
        hosts = {urlsplit(e.url).hostname or "" for e in self.entries.values()}
        self._cert_path, key_path = _make_certificate(self._tmpdir, hosts)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._cert_path, key_path)
        context.set_alpn_protocols(["http/1.1"])
        self._ssl_context = context
        self._thread = threading.Thread(target=self._run, name="replay-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(_JOIN_TIMEOUT) or self._startup_error is not None:
            error = self._startup_error
            self.stop()
            raise RuntimeError("replay proxy failed to start") from error
        log.info("replay proxy for %s listening on %s", self.fixture_dir, self.url)
        return self

    def stop(self) -> None:
        """Stop serving, join the thread and remove the certificate. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is not None and not self._finished.is_set():
            with contextlib.suppress(RuntimeError):  # the loop closed in the meantime
                loop.call_soon_threadsafe(self._request_stop)
        if thread is not None and thread is not threading.current_thread():
            if self._finished.wait(_JOIN_TIMEOUT):
                thread.join(_JOIN_TIMEOUT)
            else:
                log.warning("replay proxy thread did not stop within %ss", _JOIN_TIMEOUT)
        self._remove_tmpdir()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the proxy has stopped (or ``timeout``); return whether it has."""
        return self._thread is None or self._finished.wait(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the replay proxy is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{LISTEN_HOST}:{self.port}"

    @property
    def ca_cert_path(self) -> Path:
        """The self-signed certificate (PEM) the proxy presents inside CONNECT tunnels."""
        if self._cert_path is None:
            raise RuntimeError("the replay proxy is not started")
        return self._cert_path

    def env(self) -> dict[str, str]:
        """Proxy variables to merge into a subprocess environment."""
        url = self.url
        return {
            "http_proxy": url,
            "https_proxy": url,
            "HTTP_PROXY": url,
            "HTTPS_PROXY": url,
            "no_proxy": "",
            "NO_PROXY": "",
        }

    # -- request log -------------------------------------------------------------------------

    def urls(self, status: int | None = None) -> list[str]:
        """URLs answered so far, in order (with repeats), optionally of one status only."""
        with self._lock:
            return [r.url for r in self.requests if status is None or r.status == status]

    def count(self, url: str) -> int:
        """How many answered requests were for ``url`` (compared by :func:`url_key`)."""
        key = url_key(url)
        with self._lock:
            return sum(1 for r in self.requests if url_key(r.url) == key)

    def clear(self) -> None:
        """Forget the request log (not the ``fail_first_with`` progress, see :meth:`reset`)."""
        with self._lock:
            self.requests.clear()
            self.connects.clear()

    def reset(self) -> None:
        """Forget the request log and the ``fail_first_with`` and fault progress."""
        with self._lock:
            self.requests.clear()
            self.connects.clear()
            self._failures_served.clear()
            self._faults_served.clear()

    @property
    def connections(self) -> int:
        """Client connections accepted so far (a CONNECT tunnel is one connection)."""
        with self._lock:
            return self._connections

    def hosts(self) -> set[str]:
        """Every host a client asked the proxy for: CONNECT targets and plain requests."""
        with self._lock:
            tunnels = {_split_authority(target)[0] for target in self.connects}
            return tunnels | {(urlsplit(r.url).hostname or "").lower() for r in self.requests}

    def _record_connect(self, target: str) -> None:
        with self._lock:
            self.connects.append(target)
            if self.log_path is not None:
                line = {"time": time.time(), "method": "CONNECT", "url": target}
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(line) + "\n")

    def _record(self, served: Served) -> None:
        with self._lock:
            self.requests.append(served)
            if self.log_path is not None:
                line = {"time": time.time(), **asdict(served)}
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")

    # -- answers -----------------------------------------------------------------------------

    def _lookup(self, url: str) -> Entry | None:
        key = url_key(url)
        entry = self.entries.get(key)
        if entry is None and key.startswith("http://"):
            entry = self.entries.get("https://" + key.removeprefix("http://"))
        return entry

    def _next_fault(self, url: str) -> str | None:
        key = url_key(url)
        if key not in self.faults and key.startswith("http://"):
            key = "https://" + key.removeprefix("http://")
        kinds = self.faults.get(key)
        if not kinds:
            return None
        with self._lock:
            served = self._faults_served.get(key, 0)
            if served >= len(kinds):
                return None
            self._faults_served[key] = served + 1
        return kinds[served]

    def _next_failure(self, entry: Entry) -> int | None:
        if not entry.fail_first_with:
            return None
        key = url_key(entry.url)
        with self._lock:
            served = self._failures_served.get(key, 0)
            if served >= len(entry.fail_first_with):
                return None
            self._failures_served[key] = served + 1
        return entry.fail_first_with[served]

    def _answer(self, method: str, url: str, headers: Mapping[str, str]) -> _Answer:
        cookie = headers.get("cookie", "")
        user_agent = headers.get("user-agent", "")
        html_type = [("Content-Type", "text/html; charset=UTF-8")]
        entry = self._lookup(url)
        unknown = entry is None
        status: int
        response_headers: list[tuple[str, str]]
        fault = self._next_fault(url)
        if fault is not None and fault.startswith("http_"):
            status = int(fault[5:])
            record = Served(method, url, status, cookie, user_agent, entry is None)
            return _Answer(status, html_type, _error_page(status), record)
        if entry is None:
            log.warning("replay proxy: no fixture for %s %s", method, url)
            status, response_headers = 404, html_type
            body = _error_page(404, f"replay proxy: no fixture for {url}")
        elif (failure := self._next_failure(entry)) is not None:
            status, body = failure, _error_page(failure)
            response_headers = html_type + list(entry.fail_headers)
        elif entry.js_gate and not _has_js_cookie(cookie):
            host = urlsplit(url).hostname or ""
            gate = (self._gate_template or "").replace("{host}", host)
            status, response_headers, body = 403, html_type, gate.encode("utf-8")
        else:
            status = entry.status
            response_headers = [("Content-Type", entry.content_type)]
            response_headers += [(k, v) for k, v in entry.headers if k.lower() not in _NOT_COPIED]
            body = entry.path.read_bytes()
        record = Served(method, url, status, cookie, user_agent, unknown)
        delay = entry.delay if entry is not None else 0.0
        return _Answer(status, response_headers, body, record, delay, fault)

    # -- server ------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start() or logged
            if self._ready.is_set():
                log.exception("replay proxy crashed")
            else:
                self._startup_error = exc
        finally:
            self._ready.set()
            self._remove_tmpdir()
            log.info("replay proxy on port %s stopped", self._port)
            self._finished.set()

    def _request_stop(self) -> None:
        if self._stop_event is not None:
            self._stop_event.set()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self._on_loop_error)
        self._stop_event = asyncio.Event()
        server = await asyncio.start_server(self._handle, LISTEN_HOST, self._requested_port)
        self._port = int(server.sockets[0].getsockname()[1])
        self._loop = loop
        self._ready.set()
        try:
            await asyncio.wait_for(self._stop_event.wait(), timeout=self.lifetime)
        except TimeoutError:
            log.info("replay proxy lifetime of %ss elapsed", self.lifetime)
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=_SHUTDOWN_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await server.wait_closed()

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        quiet = (ConnectionError, ssl.SSLError, TimeoutError, asyncio.CancelledError)
        if isinstance(context.get("exception"), quiet):
            log.debug("replay proxy: %s", context.get("message"))
        else:
            loop.default_exception_handler(context)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        with self._lock:
            self._connections += 1
        try:
            await self._converse(reader, writer)
        except (_BadRequest, ValueError) as exc:  # ValueError: a line longer than the limit
            log.warning("replay proxy: bad request, answered 400: %s", exc)
            head = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            writer.write(head.encode("ascii"))
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError) as exc:
            log.debug("replay proxy: connection ended: %r", exc)
        except Exception:
            log.exception("replay proxy: connection handler failed")
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), _SHUTDOWN_GRACE)
            if task is not None:
                self._tasks.discard(task)

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        origin: str | None = None  # scheme://host[:port] of the CONNECT tunnel
        while True:
            request = await self._read_request(reader)
            if request is None:
                return
            if request.method == "CONNECT":
                if origin is not None:
                    raise _BadRequest("CONNECT inside a tunnel")
                host, port = _split_authority(request.target)
                self._record_connect(request.target)
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                scheme = "http" if port == 80 else "https"
                if scheme == "https":
                    assert self._ssl_context is not None
                    try:
                        await writer.start_tls(self._ssl_context)
                    except (ssl.SSLError, ConnectionError, TimeoutError) as exc:
                        log.info(
                            "replay proxy: TLS handshake for %s failed (does the client verify"
                            " certificates? trust ca_cert_path): %r",
                            request.target,
                            exc,
                        )
                        return
                origin = _origin(scheme, host, port)
                log.debug("replay proxy: tunnel to %s", origin)
                continue
            await self._discard_body(reader, request.headers)
            url = self._request_url(request, origin)
            keep_alive = _keep_alive(request)
            answer = self._answer(request.method, url, request.headers)
            self._record(answer.record)  # before answering: the client may look right away
            if answer.delay:
                await asyncio.sleep(answer.delay)
            if answer.fault in ("hang", "reset", "truncate"):
                await self._misbehave(answer, writer)
                return
            if answer.fault == "gzip":
                answer = _corrupt_gzip(answer)
            elif answer.fault == "cut_gzip":
                answer = _cut_gzip(answer)
            elif answer.fault == "cut_html":
                answer = _cut_html(answer)
            writer.write(_render(answer, head_only=request.method == "HEAD", keep_alive=keep_alive))
            await writer.drain()
            if not keep_alive:
                return

    async def _misbehave(self, answer: _Answer, writer: asyncio.StreamWriter) -> None:
        """Serve a transport fault; the connection ends with it."""
        log.info("replay proxy: fault %s for %s", answer.fault, answer.record.url)
        full = _render(answer, head_only=False, keep_alive=False)
        if answer.fault == "hang":
            await asyncio.sleep(self.hang_seconds)
        elif answer.fault == "reset":
            writer.write(full[: len(full) // 2])
            await writer.drain()
            writer.transport.abort()
        else:  # truncate: promise more bytes than are sent
            head, _, body = full.partition(b"\r\n\r\n")
            head = head.replace(
                f"Content-Length: {len(answer.body)}".encode(),
                f"Content-Length: {len(answer.body) + 4096}".encode(),
            )
            writer.write(head + b"\r\n\r\n" + body)
            await writer.drain()

    @staticmethod
    def _request_url(request: _Request, origin: str | None) -> str:
        target = request.target
        if target.lower().startswith(("http://", "https://")):
            return target
        if origin is None:
            origin = "http://" + request.headers.get("host", "unknown.invalid")
        if not target.startswith("/"):
            target = "/" + target
        return origin + target

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
        """Read a request head; ``None`` at a clean end of the connection."""
        line = b""
        for _ in range(_MAX_LEADING_EMPTY_LINES):
            line = await reader.readline()
            if not line:
                return None
            if line.strip():
                break
        if not line.endswith(b"\n"):
            return None  # the connection ended mid-line
        try:
            method, target, version = line.decode("latin-1").split()
        except ValueError as exc:
            raise _BadRequest(f"bad request line {line[:200]!r}") from exc
        if not version.startswith("HTTP/1."):
            raise _BadRequest(f"unsupported version {version!r}")
        request = _Request(method.upper(), target, version)
        for _ in range(_MAX_HEADERS):
            raw = await reader.readline()
            if not raw.endswith(b"\n"):
                return None
            text = raw.decode("latin-1").strip()
            if not text:
                return request
            name, sep, value = text.partition(":")
            if not sep:
                raise _BadRequest(f"bad header line {text[:200]!r}")
            name = name.strip().lower()
            value = value.strip()
            if name in request.headers:
                joiner = "; " if name == "cookie" else ", "
                request.headers[name] = request.headers[name] + joiner + value
            else:
                request.headers[name] = value
        raise _BadRequest("too many headers")

    @staticmethod
    async def _discard_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> None:
        if "chunked" in _tokens(headers.get("transfer-encoding", "")):
            while True:
                size_line = await reader.readline()
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError as exc:
                    raise _BadRequest("bad chunk size") from exc
                if size == 0:
                    break
                await reader.readexactly(size + 2)
            while (await reader.readline()).strip():  # trailers
                pass
            return
        length = headers.get("content-length", "0").strip() or "0"
        if not length.isdigit():
            raise _BadRequest(f"bad Content-Length {length!r}")
        remaining = int(length)
        while remaining:
            chunk = await reader.read(min(remaining, 65536))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", remaining)
            remaining -= len(chunk)

    def _remove_tmpdir(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a fixture directory until the lifetime ends or Ctrl-C."""
    parser = argparse.ArgumentParser(description="Offline replay proxy for recorded sites.")
    parser.add_argument("fixture_dir", type=Path)
    parser.add_argument("--lifetime", type=float, default=900.0, help="seconds (default 900)")
    parser.add_argument("--port", type=int, default=0, help="listening port (default: any)")
    parser.add_argument("--log", type=Path, default=None, help="JSON lines request log")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    proxy = ReplayProxy(args.fixture_dir, lifetime=args.lifetime, log_path=args.log, port=args.port)
    signal.signal(signal.SIGTERM, _interrupt)
    with proxy:
        log.info("port %d; certificate %s", proxy.port, proxy.ca_cert_path)
        log.info("environment: %s", " ".join(f"{k}={v}" for k, v in proxy.env().items()))
        try:
            while not proxy.wait(0.5):
                pass
        except KeyboardInterrupt:
            log.info("interrupted, stopping")
    log.info("served %d requests, %d unknown", len(proxy.requests), _unknown(proxy))
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _unknown(proxy: ReplayProxy) -> int:
    return sum(1 for r in proxy.requests if r.unknown)


if __name__ == "__main__":
    raise SystemExit(main())
