"""Downloader middlewares of our own (the browser's is in newscrawl/browser.py): charset repair,
the site's scope (requests and redirects), robots.txt, and per-host back-off."""

from __future__ import annotations

import codecs
import email.utils
import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware,
)
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.internet.task import deferLater
from w3lib.url import canonicalize_url

from newscrawl import distributed
from newscrawl.run import run_name_of
from newscrawl.urls import host_of, on_domain

logger = logging.getLogger(__name__)

_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8"})


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as cp1252 (``\\x93`` → ``“``), one byte at a time."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("newscrawl-cp1252", _cp1252_fallback)


def repair_utf8(body: bytes) -> bytes | None:
    """``body`` re-encoded as clean UTF-8 when it is UTF-8 with stray cp1252 bytes, else None."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="newscrawl-cp1252").encode("utf-8")
    return None


class CharsetRepairMiddleware:
    """A page that says it is UTF-8 but holds cp1252 bytes (a common CMS accident) is read
    with those bytes as cp1252 instead of as replacement characters; counted as
    ``newscrawl/charset/repaired``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetRepairMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if not isinstance(response, HtmlResponse) or response.encoding.lower() not in _UTF8_NAMES:
            return response
        repaired = repair_utf8(response.body)
        if repaired is None:
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/charset/repaired")
        fixed: TextResponse = response.replace(body=repaired, encoding="utf-8")
        return fixed


class SkipRequest(IgnoreRequest):
    """A request the crawl will not make, with the skip reason it is counted under
    (``newscrawl/skipped/<reason>``): ``offsite``, ``offsite_redirect``, ``redirect_loop``,
    ``rate_limited``, ``host_unreachable``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def origin_url(request: Request) -> str:
    """The URL a request was first made for (before any redirect): what it is counted under."""
    redirects: list[str] = request.meta.get("redirect_urls") or []
    return redirects[0] if redirects else request.url


def site_domains(crawler: Crawler) -> list[str]:
    """The crawled site's domains (the spider's ``allowed_domains``; empty: no scope)."""
    return list(getattr(crawler.spider, "allowed_domains", None) or [])


def in_scope(url: str, domains: list[str]) -> bool:
    """True for an http(s) URL on one of ``domains`` (subdomains included), by name."""
    return any(on_domain(url, domain) for domain in domains)


class SiteScopeMiddleware:
    """Every request goes to the site's hosts only (``allowed_domains`` and their subdomains),
    whatever its flags and however it was made: a retry or a redirect (both carry
    ``dont_filter``), a browser render, a released page, robots.txt. Scrapy's own offsite
    middleware lets ``dont_filter`` and ``allow_offsite`` requests through; this one replaces
    it and has no exception. Refused requests fail with :class:`SkipRequest` (``offsite``, or
    ``offsite_redirect`` when a redirect led there), counted ``newscrawl/scope/refused``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        domains = site_domains(self.crawler)
        if not domains or in_scope(request.url, domains) or request.url.startswith("data:"):
            return  # (a ``data:`` URI is answered in the process: no host is contacted)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/scope/refused")
        reason = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
        raise SkipRequest(reason, f"{host_of(request.url) or request.url} is not on the site")


class ScopedRedirectMixin:
    """A redirect is followed only to the site's hosts, and never round a loop: the
    redirecting request fails with :class:`SkipRequest` (``offsite_redirect``,
    ``redirect_loop``) before the new request exists, so it is counted under the URL that was
    asked for. Scrapy's own loop guard drops a request back to a URL already seen without a
    word (its duplicate filter) or after ``REDIRECT_MAX_TIMES``."""

    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        domains = site_domains(self.crawler)
        if domains and not in_scope(redirected.url, domains):
            raise SkipRequest("offsite_redirect", f"{request.url} redirects to {redirected.url}")
        chain = [*(request.meta.get("redirect_urls") or []), request.url]
        if canonicalize_url(redirected.url) in {canonicalize_url(url) for url in chain}:
            raise SkipRequest("redirect_loop", f"{redirected.url} after {' -> '.join(chain)}")
        try:
            result: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest as error:  # max redirections reached
            raise SkipRequest("redirect_loop", f"{request.url}: {error}") from error
        return result


class ScopedRedirectMiddleware(ScopedRedirectMixin, RedirectMiddleware):
    """Scrapy's redirect middleware (3xx), scoped to the site (see :class:`ScopedRedirectMixin`)."""


class ScopedMetaRefreshMiddleware(ScopedRedirectMixin, MetaRefreshMiddleware):
    """Scrapy's meta-refresh middleware, scoped to the site (see :class:`ScopedRedirectMixin`)."""


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt
    checked against it.

    Scrapy 2.19 hands every waiting request the same Deferred (``maybe_deferred_to_future``),
    and turning a Deferred into a future consumes its result: the first waiter gets the parser,
    every later one gets None and goes out unchecked (the first article requests of each host,
    sent while its robots.txt was on the way). Here each waiter gets a Deferred of its own,
    relayed from the shared one, as Scrapy did before its async rewrite."""

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred[Any] = Deferred()

        def relay(result: Any) -> Any:
            own.callback(result)
            return result

        pending.addCallback(relay)
        return await maybe_deferred_to_future(own)


#: Request meta: when the request left for the host (monotonic), for counting episodes.
SENT_AT = "newscrawl_sent_at"
#: Download errors that count as a host timing out (a hung TLS handshake included).
TIMEOUTS: tuple[type[BaseException], ...] = (
    DownloadTimeoutError,
    TwistedTimeoutError,
    TCPTimedOutError,
)


def retry_after_seconds(value: bytes | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header's wait in seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HostBackoffMiddleware:
    """Per-host politeness when a host pushes back, and giving up on a host that is gone.

    - A 429 or 503 with ``Retry-After``: no request to that host before the time it names.
      New requests wait here; the ones already queued in the host's download slot wait there
      (the slot is held until then). Scrapy's retry middleware then retries.
    - A run of 429s without the header: waits of ``NEWSCRAWL_BACKOFF_BASE`` seconds, doubled
      for every 429 in a row (reset by any other answer from the host).
    - A wait longer than ``NEWSCRAWL_MAX_RETRY_AFTER`` seconds: the host is not asked again in
      this run; its pages (those queued for it too) are skipped as ``rate_limited`` and
      fetched by the next run.
    - ``NEWSCRAWL_HOST_MAX_TIMEOUTS`` timeouts in a row from a host (a hung TLS handshake is one):
      the host is not asked again in this run (``host_unreachable``).

    "In a row" counts episodes, not answers: a 429 or a timeout counts only for a request sent
    after the last one counted, so the requests that were under way together when a host
    stalled count once.

    Counted as ``newscrawl/backoff/{waits,waited_ms,rate_limited,host_unreachable}``.
    Placed after the retry middleware (so its answers are seen first).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_wait = settings.getfloat("NEWSCRAWL_MAX_RETRY_AFTER", 60.0)
        self.base = settings.getfloat("NEWSCRAWL_BACKOFF_BASE", 2.0)
        self.max_timeouts = max(1, settings.getint("NEWSCRAWL_HOST_MAX_TIMEOUTS", 3))
        #: host -> monotonic time before which it is not asked
        self.not_before: dict[str, float] = {}
        #: host -> 429s without Retry-After in a row, and when the last one counted came
        self.pushbacks: dict[str, int] = {}
        self.timeouts: dict[str, int] = {}
        self._last_counted: dict[tuple[str, str], float] = {}
        #: host -> why it is not asked again in this run
        self.given_up: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBackoffMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def count(self, event: str, by: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/backoff/{event}", by)

    def refuse_if_given_up(self, host: str) -> None:
        if host in self.given_up:
            raise SkipRequest(self.given_up[host], f"{host} is not asked again in this run")

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = host_of(request.url)
        self.refuse_if_given_up(host)
        while (wait := self.not_before.get(host, 0.0) - time.monotonic()) > 0:
            self.count("waits")
            self.count("waited_ms", round(wait * 1000))
            from twisted.internet import reactor  # the one Scrapy installed, not a default

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
            self.refuse_if_given_up(host)
        request.meta[SENT_AT] = time.monotonic()

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        """An answer arrived (sent before the downloader takes the host's next queued request,
        which a wait must hold back): note how the host pushes back."""
        host = host_of(request.url)
        self.timeouts.pop(host, None)
        if response.status not in (429, 503):
            self.pushbacks.pop(host, None)
            return
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None and response.status == 429:
            run = self.in_a_row(self.pushbacks, host, "pushback", request)
            wait = self.base * 2 ** (run - 1)
        if wait is None:
            return
        if wait > self.max_wait:
            self.give_up(host, "rate_limited", f"asks to wait {wait:.0f} s")
            return
        until = time.monotonic() + wait
        if until > self.not_before.get(host, 0.0):
            self.not_before[host] = until
            self.hold_slot(request, wait)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        """A pushback from a host given up is not retried: a skip with the reason."""
        if response.status in (429, 503):
            self.refuse_if_given_up(host_of(request.url))
        return response

    def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        if not isinstance(exception, TIMEOUTS):
            return
        host = host_of(request.url)
        if self.in_a_row(self.timeouts, host, "timeout", request) >= self.max_timeouts:
            self.give_up(host, "host_unreachable", f"{self.timeouts[host]} timeouts in a row")

    def in_a_row(self, counts: dict[str, int], host: str, kind: str, request: Request) -> int:
        """Count one more in ``host``'s run, unless ``request`` left before the last counted one
        came back (it was under way with it: the same episode)."""
        sent = float(request.meta.get(SENT_AT, time.monotonic()))
        last = self._last_counted.get((host, kind))
        if last is None or sent >= last or host not in counts:
            counts[host] = counts.get(host, 0) + 1
            self._last_counted[(host, kind)] = time.monotonic()
        return counts[host]

    def give_up(self, host: str, reason: str, why: str) -> None:
        if host in self.given_up:
            return
        self.given_up[host] = reason
        self.count(reason)
        logger.warning("Not asking %s again in this run (%s: %s)", host, reason, why)
        self.drain_slot(host, reason)

    # Scrapy's downloader queues requests per slot (a host) after the middlewares ran: what is
    # queued there is held or refused through the slot. Scrapy 2.19's slot internals
    # (``slots``, ``queue``, ``latercall``), pinned in requirements.txt.

    def _downloader(self) -> Any:
        try:
            return self.crawler.engine.downloader
        except RuntimeError:  # no crawl under way: nothing is queued
            return None

    def _slot(self, host: str) -> Any:
        downloader = self._downloader()
        return None if downloader is None else downloader.slots.get(host)

    def hold_slot(self, request: Request, wait: float) -> None:
        """Keep the host's download slot from sending its queued requests for ``wait`` s."""
        downloader = self._downloader()
        slot = self._slot(request.meta.get("download_slot") or host_of(request.url))
        if downloader is None or slot is None:
            return
        if slot.latercall:
            slot.latercall.cancel()
        slot.latercall = call_later(wait, downloader._latercall, slot)

    def drain_slot(self, host: str, reason: str) -> None:
        """Fail the requests queued for a host given up (they never go out)."""
        slot = self._slot(host)
        while slot is not None and slot.queue:
            _request, queued = slot.queue.popleft()
            queued.errback(SkipRequest(reason, f"{host} is not asked again in this run"))


#: Reserve a host's next request time, spaced ``ARGV[1]`` ms on Redis's clock: the wait (ms).
RESERVE_SLOT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local at = tonumber(redis.call('GET', KEYS[1]) or '0')
if at < ms then at = ms end
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', at - ms + tonumber(ARGV[1]) + 60000)
return at - ms
"""


class SharedRateMiddleware:
    """Distributed mode: requests to one host are spaced ``DOWNLOAD_DELAY`` apart across all
    workers together, so the rate a site sees does not grow with the number of workers.

    Before each request a worker reserves the host's next free time in Redis (one script, on
    Redis's clock, so the workers' clocks do not matter) and waits until then. Each worker's
    own delay (``DOWNLOAD_DELAY``, AutoThrottle) and concurrency still apply on top. Off on
    one machine and when ``DOWNLOAD_DELAY`` is 0. Counted as
    ``newscrawl/politeness/{waits,waited_ms}``.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not distributed.enabled(settings) or not settings.getbool("NEWSCRAWL_RUN_ENABLED"):
            raise NotConfigured  # one machine, or Scrapy's tools: off, and no news in the log
        self.interval_ms = round(settings.getfloat("DOWNLOAD_DELAY") * 1000)
        if self.interval_ms <= 0:
            raise NotConfigured  # DOWNLOAD_DELAY is 0: nothing to space
        self.crawler = crawler
        self.keys = distributed.Keys(run_name_of(crawler))
        from newscrawl.redisclient import client_of  # distributed mode only: redis-py

        self._reserve = client_of(crawler).register_script(RESERVE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = host_of(request.url)
        wait_ms = int(self._reserve(keys=[self.keys.gate(host)], args=[self.interval_ms]))
        if wait_ms > 0:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/politeness/waits")
            self.crawler.stats.inc_value("newscrawl/politeness/waited_ms", wait_ms)
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, wait_ms / 1000, lambda: None))
