"""HTTP(S) downloads that a redirect cannot turn against this machine or its network.

The URL given (``-a warc=http://...``, the CC-NEWS base) is trusted as given, whatever its
host: the user chose it. A redirect is not: the server at the other end chose it. A redirect
is followed only to an ``http`` or ``https`` URL whose host resolves, here, to public
addresses only: never to a loopback, link-local (169.254.0.0/16, where clouds serve their
metadata, and fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10),
multicast, unspecified or otherwise reserved address, nor to an IPv6 address that embeds
such an IPv4 one. Every address the name resolves to is checked, not just the name, and a
name that does not resolve is refused too. Without a proxy the connection after a redirect
goes to one of the very addresses checked (resolved once, checked, then connected to), so a
name that resolves to a public address for the check and to a private one for the
connection gains nothing. Through a proxy (``http_proxy``/``https_proxy``) the proxy
connects, so the check is on the names as resolved here.

A refused redirect raises :class:`RedirectRefused` before anything is asked of its target;
at most :data:`MAX_REDIRECTS` redirects are followed. Only ``http`` and ``https`` are
handled at all (no ``file:``, ``ftp:`` or ``data:``), and the body of a redirect answer is
never read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

#: Redirects followed for one download, at most.
MAX_REDIRECTS = 5
#: The attribute of a request that came from a redirect (its target is checked).
REDIRECTED = "newscrawl_redirected"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RedirectRefused(OSError):
    """A redirect to a URL this module does not follow (see the module docstring)."""

    def __init__(self, target: str, why: str) -> None:
        super().__init__(f"a redirect to {shown(target)} was refused: {why}")
        self.target = target
        self.why = why


def shown(url: str, most: int = 200) -> str:
    """A URL from a server, fit for a log line: escaped, cut to ``most`` characters."""
    text = url.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= most else text[:most] + "..."


def address_refusal(address: Address) -> str | None:
    """What makes ``address`` one a redirect may not lead to (``a loopback address``), or
    None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        for embedded in (
            address.ipv4_mapped,
            address.sixtofour,
            address.teredo[1] if address.teredo else None,
        ):
            if embedded is not None and (kind := address_refusal(embedded)) is not None:
                return f"an address embedding {embedded}, {kind}"
    for kind, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address (where clouds serve their metadata)", address.is_link_local),
        ("the unspecified address", address.is_unspecified),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if test:
            return kind
    return None if address.is_global else "not a public address"


def resolved(host: str, port: int) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` of ``host`` for a TCP connection; :class:`RedirectRefused` if it
    does not resolve or if any of its addresses is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RedirectRefused(host, f"{host} does not resolve ({type(error).__name__})") from None
    for info in infos:
        literal = str(info[4][0]).split("%", 1)[0]  # an IPv6 scope id is no part of it
        kind = address_refusal(ipaddress.ip_address(literal))
        if kind is not None:
            if host.strip("[]") == literal:
                raise RedirectRefused(host, f"{literal} is {kind}")
            raise RedirectRefused(host, f"{host} resolves to {literal}, {kind}")
    return infos


def check_scheme(url: str) -> str:
    """The scheme of ``url``; :class:`RedirectRefused` unless it is http or https."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise RedirectRefused(url, f"the scheme {shown(scheme, 20)!r} is not http or https")
    return scheme


def check_target(url: str) -> None:
    """Raise :class:`RedirectRefused` unless a redirect may lead to ``url``."""
    scheme = check_scheme(url)
    parts = urlsplit(url)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise RedirectRefused(url, "its port is not a number") from None
    if not host:
        raise RedirectRefused(url, "it names no host")
    try:
        resolved(host, port or (443 if scheme == "https" else 80))
    except RedirectRefused as refused:
        raise RedirectRefused(url, refused.why) from None


def _pinned_connection(
    address: tuple[str, int], timeout: Any, source_address: Any = None
) -> socket.socket:
    """``socket.create_connection`` to an address checked by :func:`resolved` (the name is
    resolved once: what is checked is what is connected to)."""
    host, port = address
    error: OSError | None = None
    for *_, sockaddr in resolved(host, port):
        try:
            return socket.create_connection((sockaddr[0], sockaddr[1]), timeout, source_address)
        except OSError as failed:
            error = failed
    raise error or OSError(f"{host} has no address")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_connection


def _direct_after_redirect(request: urllib.request.Request) -> bool:
    """A request that came from a redirect and connects to its host itself (no proxy)."""
    proxied = request.has_proxy() or bool(getattr(request, "_tunnel_host", None))
    return bool(getattr(request, REDIRECTED, False)) and not proxied


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        kind = _PinnedHTTP if _direct_after_redirect(req) else http.client.HTTPConnection
        return self.do_open(kind, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        kind = _PinnedHTTPS if _direct_after_redirect(req) else http.client.HTTPSConnection
        return self.do_open(kind, req, context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
    ) -> Any:
        fp.close()  # a redirect's body is never read
        location = headers.get("location") or headers.get("uri")
        if location:  # before urllib's own check, which lets ftp: through
            check_scheme(urljoin(req.full_url, location))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            try:  # the host urllib will ask, as urllib parsed it
                check_target(f"{new.type}://{new.host}/")
            except RedirectRefused as refused:
                raise RedirectRefused(newurl, refused.why) from None
            setattr(new, REDIRECTED, True)
        return new


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # the environment's proxies, as Scrapy uses them
        urllib.request.UnknownHandler(),
        _HTTP(),
        _HTTPS(),
        urllib.request.HTTPDefaultErrorHandler(),
        _Redirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def open_url(url: str, timeout: float) -> IO[bytes]:
    """The answer to a GET of ``url`` (http or https), read as it arrives; redirects are
    followed as the module docstring says. Raises :class:`RedirectRefused`, or another
    :class:`OSError` (``urllib.error.HTTPError`` for a status that is not 2xx)."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError("only http and https URLs are fetched")
    try:
        response: IO[bytes] = _opener().open(url, timeout=timeout)
    except urllib.error.URLError as error:
        if isinstance(error.reason, RedirectRefused):  # raised while connecting
            raise error.reason from None
        raise
    return response
