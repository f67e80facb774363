"""Chromium through scrapy-playwright, only for pages behind a JavaScript check.

Every request is a plain Scrapy download unless the spider marks it ``playwright``. The
download handler below (:class:`BrowserDownloadHandler`) hands those to scrapy-playwright's,
made lazy (:mod:`newscrawl.browser_handler`): no Playwright import, no Playwright driver and
no Chromium process until the first page that needs the browser, and both are closed when the
crawl ends (also when it fails). Chromium is Debian's, launched by path
(``NEWSCRAWL_CHROMIUM_PATH``, default ``$NEWSCRAWL_CHROMIUM`` or ``/usr/bin/chromium``), never
downloaded by Playwright.
The browser does not verify TLS certificates (like Scrapy) and opens connections to the site's
hosts only, Chromium's own traffic included (each piece below was seen to be needed, on the
wire, with Debian's Chromium 156; docs/browser.md says how):

* a proxy auto-config script (PAC, :func:`pac_script`) sends the site's hosts
  (``allowed_domains`` and their subdomains) to the proxy Scrapy would use (``https_proxy`` /
  ``http_proxy``, ``no_proxy`` honoured; DIRECT when none) and every other host to a dead end,
  the discard port on loopback (:data:`DEAD_END`), with no fallback;
* host resolver rules (:func:`host_resolver_rules`) make every other name fail to resolve, so
  nothing off the site is looked up in DNS either, even without a proxy;
* the Google endpoints Chromium calls on its own (sign-in, component updates, GCM) are pointed
  at the dead end, and WebRTC may not send UDP past the proxy (:data:`CHROMIUM_ARGS`);
* the profile, fresh for each crawl, turns off the DNS probes Chromium runs after a DNS error
  (:data:`PROFILE_PREFERENCES`);
* pages load nothing but the site's documents and scripts: images, media, fonts, styles and
  every other host are aborted before any connection (:data:`BLOCKED_RESOURCES`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, NotSupported
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl import scratch
from newscrawl.middlewares import SkipRequest
from newscrawl.urls import host_of

logger = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Resource types the browser never loads: the article is in the document.
BLOCKED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "texttrack", "manifest"})
#: Where everything off the site goes: the discard port on loopback. Nothing listens there (or
#: something that discards what it gets), and Chromium refuses URLs on this port outright.
DEAD_END = "127.0.0.1:9"
#: Chromium switches on top of Playwright's own, which already turn off background networking,
#: component updates, sync, default apps, extensions, network-time and optimisation-hint queries.
#: With all of those, Chromium 156 still posts to accounts.google.com (sign-in lists accounts at
#: start), to update.googleapis.com (the on-device model manifest, an on-demand update that
#: ``--disable-component-update`` does not stop) and, when a page subscribes to push messages,
#: to android.clients.google.com (GCM check-in, which GCM registration and its connection wait
#: for): their URLs now name the dead end. Without the WebRTC policy a page's script sends STUN
#: packets straight to any address. No ``--disable-features``/``--enable-features``: Chromium
#: keeps the last of each, so one here would drop Playwright's list, and none was needed.
CHROMIUM_ARGS = (
    f"--gaia-url=http://{DEAD_END}",
    f"--component-updater=url-source=http://{DEAD_END}",
    f"--gcm-checkin-url=http://{DEAD_END}",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-quic",
    "--disable-gpu",
)
BROWSER_MODES = ("never", "fallback", "always")


def chromium_path(settings: BaseSettings) -> str:
    """The Chromium executable the settings name (it may not exist)."""
    configured = settings.get("NEWSCRAWL_CHROMIUM_PATH")
    return str(configured or os.environ.get("NEWSCRAWL_CHROMIUM") or DEFAULT_CHROMIUM)


def chromium_available(settings: BaseSettings) -> bool:
    path = Path(chromium_path(settings))
    return path.is_file() and os.access(path, os.X_OK)


def missing_browser_message(settings: BaseSettings, mode: str) -> str:
    return (
        f"{mode}: Chromium not found at {chromium_path(settings)} (install it with "
        "`apt-get install -y --no-install-recommends chromium`, or set NEWSCRAWL_CHROMIUM_PATH)"
    )


@dataclass(frozen=True)
class ProxyRoute:
    """Where the browser sends the site's requests of one scheme: a PAC result and credentials."""

    pac: str = "DIRECT"
    host: str = ""
    username: str = ""
    password: str = ""
    server: str = ""


_PAC_KEYWORDS = {"http": "PROXY", "https": "HTTPS", "socks5": "SOCKS5", "socks5h": "SOCKS5"}
_PAC_KEYWORDS |= {"socks4": "SOCKS", "socks4a": "SOCKS", "socks": "SOCKS"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def proxy_route(value: str | None) -> ProxyRoute:
    """The PAC result for a proxy URL from the environment (``DIRECT`` for none)."""
    if not value or not value.strip():
        return ProxyRoute()
    value = value.strip()
    parts = urlsplit(value if "://" in value else "http://" + value)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in _PAC_KEYWORDS or not host:
        raise ValueError(f"unsupported proxy URL for the browser: {value!r}")
    port = parts.port or _DEFAULT_PORTS.get(scheme, 1080)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return ProxyRoute(
        pac=f"{_PAC_KEYWORDS[scheme]} {address}",
        host=host,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        server=f"{scheme}://{address}",
    )


def _site_names(domains: Iterable[str]) -> list[str]:
    names = (str(domain).strip().lower().strip(".") for domain in domains)
    return sorted({name for name in names if name and "*" not in name})


def pac_script(
    domains: Iterable[str], https: ProxyRoute, http: ProxyRoute, no_proxy: str = ""
) -> str:
    """A PAC script: the site's hosts to its proxy (or DIRECT), everything else to the dead end.

    ``no_proxy`` is matched like Scrapy (urllib) does: ``*`` alone means every host, an entry
    matches the host itself and its subdomains, a leading dot is ignored.
    """
    bypass = [] if no_proxy.strip() != "*" else ["*"]
    if not bypass:
        bypass = [n.strip().lstrip(".").lower() for n in no_proxy.split(",") if n.strip()]
    return (
        f"var SITE = {json.dumps(_site_names(domains))};\n"
        f"var NO_PROXY = {json.dumps(bypass)};\n"
        f"var HTTPS = {json.dumps(https.pac)}, HTTP = {json.dumps(http.pac)};\n"
        f'var BLOCKED = "PROXY {DEAD_END}";\n'
        "function under(host, names) {\n"
        "  for (var i = 0; i < names.length; i++) {\n"
        "    var name = names[i];\n"
        '    if (name === "*" || host === name) return true;\n'
        "    var tail = host.length - name.length - 1;\n"
        '    if (tail > 0 && host.substring(tail) === "." + name) return true;\n'
        "  }\n"
        "  return false;\n"
        "}\n"
        "function FindProxyForURL(url, host) {\n"
        '  host = host.toLowerCase().replace(/\\.$/, "");\n'
        "  if (!under(host, SITE)) return BLOCKED;\n"
        '  if (under(host, NO_PROXY)) return "DIRECT";\n'
        "  return /^(https|wss):/i.test(url) ? HTTPS : HTTP;\n"
        "}\n"
    )


def host_resolver_rules(domains: Iterable[str], proxy_hosts: Iterable[str]) -> str:
    """Rules under which only the site's hosts and the proxies' names resolve."""
    names = _site_names(domains)
    allowed = [f"EXCLUDE {pattern}" for name in names for pattern in (name, f"*.{name}")]
    allowed += [f"EXCLUDE {host}" for host in sorted({h for h in proxy_hosts if h})]
    return ", ".join(["MAP * ~NOTFOUND", *allowed])


def site_launch_options(
    launch: Mapping[str, Any], domains: Iterable[str], env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Playwright's launch options for a crawl of ``domains``: ``launch`` plus the PAC, the
    host resolver rules and (for a proxy with a user name) the proxy credentials."""
    environ = os.environ if env is None else env
    proxies = env_proxies(environ)
    https, http = proxy_route(proxies.get("https")), proxy_route(proxies.get("http"))
    pac = pac_script(domains, https, http, proxies.get("no", ""))
    pac_url = "data:application/x-ns-proxy-autoconfig;base64," + base64.b64encode(
        pac.encode("utf-8")
    ).decode("ascii")
    options = dict(launch)
    options["args"] = [
        *launch.get("args", []),
        f"--proxy-pac-url={pac_url}",
        f"--host-resolver-rules={host_resolver_rules(domains, [https.host, http.host])}",
    ]
    # Playwright answers a proxy's authentication challenge with these; the PAC, which takes
    # precedence over the --proxy-server this adds, still decides where requests go.
    authenticated = next((route for route in (https, http) if route.username), None)
    if authenticated is not None and "proxy" not in options:
        options["proxy"] = {
            "server": authenticated.server,
            "username": authenticated.username,
            "password": authenticated.password,
        }
    return options


def env_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """``https``, ``http`` and ``no`` (and any other ``*_proxy``) read as urllib, and so
    Scrapy, reads them: any case, then the lower-case names, an empty one unsetting."""
    found: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower()[:-6]] = value
    for name, value in environ.items():
        if name.endswith("_proxy"):
            if value:
                found[name.lower()[:-6]] = value
            else:
                found.pop(name.lower()[:-6], None)
    return found


#: Preferences of the browser's profile. With ``alternate_error_pages`` on (the default), a page
#: that fails with a DNS error makes Chromium probe DNS itself: it looks up ``google.com``
#: through the system's resolver and through 8.8.8.8, past the host resolver rules. Only a
#: profile preference turns that off, hence a persistent profile made for each crawl.
PROFILE_PREFERENCES: Mapping[str, Any] = {"alternate_error_pages": {"enabled": False}}
PROFILE_PREFIX = "newscrawl-chromium-"


def new_profile() -> Path:
    """A new Chromium profile directory (user data directory) with our preferences."""
    root = scratch.folder("chromium")  # named PROFILE_PREFIX<pid>-...
    (root / "Default").mkdir()
    (root / "Default" / "Preferences").write_text(json.dumps(PROFILE_PREFERENCES), "utf-8")
    return root


def browser_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright settings derived from ours (applied by the spiders). The site's part
    of the launch options is added at launch (:func:`site_launch_options`)."""
    launch: dict[str, Any] = {
        "executable_path": chromium_path(settings),
        "headless": True,
        "args": list(CHROMIUM_ARGS),
        "timeout": 30_000,
    }
    return {
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        # like Scrapy's downloader, the browser does not verify TLS certificates
        "PLAYWRIGHT_CONTEXTS": {
            "default": {"ignore_https_errors": True, "java_script_enabled": True}
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    }


#: The browser's download handler, by path (Scrapy's way with components): scrapy-playwright's,
#: made lazy. Its module imports scrapy-playwright; this one does not.
RENDERING_HANDLER = "newscrawl.browser_handler.LazyPlaywrightHandler"


class BrowserDownloadHandler:
    """The download handler of ``http`` and ``https``: Scrapy's own for the scheme
    (``DOWNLOAD_HANDLERS_BASE``: HTTP/1.1) for a plain request, and for a request the browser
    renders (meta ``playwright``) scrapy-playwright's, made lazy (:data:`RENDERING_HANDLER`).
    Each is made, and imported, on its first request: a crawl that renders no page never
    imports Playwright, and one that downloads nothing (an archive run) not even Scrapy's HTTP
    client (~0.1 s of every start: docs/benchmarks.md)."""

    lazy = True

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._plain: Any = None
        self._browser: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            if self._browser is None:
                self._browser = build_from_crawler(load_object(RENDERING_HANDLER), self.crawler)
            handler = self._browser
        else:
            if self._plain is None:
                self._plain = self._base_handler(urlparse_cached(request).scheme)
            handler = self._plain
        response: Response = await handler.download_request(request)
        return response

    def _base_handler(self, scheme: str) -> Any:
        """Scrapy's own handler of ``scheme``; :class:`NotSupported` (as Scrapy answers) when
        there is none, or it is not configured."""
        path = self.crawler.settings.getdict("DOWNLOAD_HANDLERS_BASE").get(scheme)
        if path is None:
            raise NotSupported(f"Unsupported URL scheme '{scheme}': no handler for it")
        try:
            return build_from_crawler(load_object(path), self.crawler)
        except NotConfigured as error:
            raise NotSupported(f"Unsupported URL scheme '{scheme}': {error}") from error

    async def close(self) -> None:
        """Close each handler made, the browser's even when the other's close fails."""
        try:
            if self._plain is not None:
                await self._plain.close()
        finally:
            if self._browser is not None:
                await self._browser.close()


#: Markers of a bot check or challenge page instead of content (looked for in the page head).
CHALLENGE_MARKERS = (
    b"<title>Just a moment...</title>",
    b"cf-challenge",
    b"challenge-platform",
    b"Checking your browser",
    b"Memeriksa browser",
)
#: Markers of a JavaScript check: a small page whose script sets a cookie or reloads.
JS_CHECK_MARKERS = (
    b"document.cookie",
    b"location.reload",
    b"Enable JavaScript",
    b"Aktifkan JavaScript",
)
#: Request meta: ``never``, ``fallback`` or ``always`` for this request (else the setting).
BROWSER_META = "browser"
#: Request meta: the CSS that shows the page is there (what a render waits for). Only requests
#: that carry it are ever rendered.
WAIT_FOR_META = "browser_wait_for"
#: Request meta: this request is a render (its reason: ``js_check`` or ``always``).
RENDER_META = "browser_render"
#: Request meta: fetched again plainly after its host's render passed.
AFTER_RENDER_META = "after_render"


def is_challenge(response: Response) -> bool:
    """True for a bot check (Cloudflare "Just a moment..." or a JavaScript gate)."""
    if (response.headers.get(b"cf-mitigated") or b"").lower() == b"challenge":
        return True
    head = response.body[:4096]
    return any(marker in head for marker in CHALLENGE_MARKERS)


def is_js_check(response: Response) -> bool:
    """True for a page that is a JavaScript check or challenge rather than content (by status
    and markup: a bot-check title or header, or a small scripted page)."""
    if is_challenge(response):
        return True
    body = response.body
    return (
        response.status in (403, 429, 503)
        and len(body) < 64_000
        and b"<script" in body
        and any(marker in body for marker in JS_CHECK_MARKERS)
    )


class BrowserFallbackMiddleware:
    """Chromium for the pages that need it, and only for them.

    A request that carries ``browser_wait_for`` (the CSS that shows its page is there) may be
    rendered; ``browser`` in its meta (``never``, ``fallback``, ``always``) overrides the
    ``NEWSCRAWL_BROWSER`` setting, so a request can opt out. With ``fallback`` a page is first
    fetched plainly; an answer that is a JavaScript check (:func:`is_js_check`: by status and
    markup, never by URL) becomes one render of the same request. One render per host at a
    time: while it runs, the host's other requests wait (before their download, or after an
    answer that was a check too) and then go out plainly with the cookies the browser earned;
    a page whose check comes back all the same is rendered itself. ``always`` renders every
    such request.

    The render's answer goes to the request's own callback; what it shows is judged by the
    markup (its status is the first navigation's, the check's). A render that does not get
    there fails the request as ``blocked`` (``no_body`` when the page loaded but is neither a
    check nor the article). Counted as ``newscrawl/browser/{renders,reason/<why>,passed,
    still_blocked,waiting,cookies_reused}``. Placed before Scrapy's cookie middleware (700),
    which keeps the earned cookies in its jar.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.mode = str(settings.get("NEWSCRAWL_BROWSER", "fallback"))
        self.wait_ms = settings.getint("NEWSCRAWL_BROWSER_WAIT_MS", 15_000)
        #: Cookies the browser earned, by host.
        self.earned: dict[str, list[dict[str, Any]]] = {}
        #: Hosts with a render under way; the event is set when it ends.
        self.rendering: dict[str, asyncio.Event] = {}
        #: Whether each host's last render passed.
        self.passed: dict[str, bool] = {}
        self._warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserFallbackMiddleware:
        return cls(crawler)

    def count(self, event: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/browser/{event}")

    def mode_of(self, request: Request) -> str:
        if not request.meta.get(WAIT_FOR_META):
            return "never"
        return str(request.meta.get(BROWSER_META) or self.mode)

    async def process_request(self, request: Request, spider: Any = None) -> Response | None:
        if RENDER_META in request.meta or request.meta.get("playwright"):
            return None
        mode = self.mode_of(request)
        if mode == "always":
            return await self.render(request, "always")
        host = host_of(request.url)
        if mode == "fallback" and host in self.rendering:
            self.count("waiting")
            await self.rendering[host].wait()
        self.give_cookies(request, host)
        return None

    async def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if RENDER_META in request.meta:
            return await self.rendered(request, response)
        if self.mode_of(request) != "fallback" or not is_js_check(response):
            return response
        host = host_of(request.url)
        if host in self.rendering and not request.meta.get(AFTER_RENDER_META):
            self.count("waiting")
            await self.rendering[host].wait()
            if self.passed.get(host):
                return self.again(request)
            return response
        return await self.render(request, "js_check") or response

    async def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        """A render that failed (the check did not pass in time, or the browser failed)."""
        if RENDER_META not in request.meta:
            return
        content = b""
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            try:
                content = (await page.content()).encode("utf-8")
            finally:
                await page.close()
        self.passed[host_of(request.url)] = False
        if content and not any(m in content for m in CHALLENGE_MARKERS + JS_CHECK_MARKERS):
            # the page loaded, but it is no check and no article (a 404 page, say)
            raise SkipRequest("no_body", "the browser shows no article")
        self.count("still_blocked")
        raise SkipRequest("blocked", f"not passed in the browser either: {exception!r}"[:300])

    async def render(self, request: Request, reason: str) -> Response | None:
        """``request``'s page through Chromium (or None when there is no browser to use): the
        render is downloaded here, past the scheduler, so the requests that wait for it can
        never keep it from its turn; its answer is ``request``'s."""
        if not chromium_available(self.crawler.settings):
            if not self._warned:
                self._warned = True
                logger.warning(
                    "%s; pages behind a JavaScript check are counted as blocked",
                    missing_browser_message(self.crawler.settings, "browser=fallback"),
                )
            return None
        self.count("renders")
        self.count(f"reason/{reason}")
        host = host_of(request.url)
        if reason == "js_check":
            self.rendering.setdefault(host, asyncio.Event())
        meta = {
            **request.meta,
            **render_meta(str(request.meta[WAIT_FOR_META]), self.wait_ms),
            RENDER_META: reason,
            "dont_retry": True,  # one render: its status is the check's, not the page's
        }
        try:
            response: Response = await self.crawler.engine.download_async(
                request.replace(meta=meta, dont_filter=True)
            )
        finally:
            if reason == "js_check":
                self.finish(host)
        return response

    async def rendered(self, request: Request, response: Response) -> Response:
        """A render's answer: keep the cookies the browser earned; judge it by the markup."""
        host = host_of(request.url)
        page = response.meta.pop("playwright_page", None)
        if page is not None:
            try:
                cookies = await page.context.cookies()
            finally:
                await page.close()
            earned = [
                {"name": c["name"], "value": c["value"], "path": c.get("path", "/")}
                for c in cookies
                if host.endswith(str(c.get("domain", "")).lstrip("."))
            ]
            if earned:
                self.earned[host] = earned
        wait_for = str(request.meta[WAIT_FOR_META])
        passed = isinstance(response, TextResponse) and bool(response.css(wait_for))
        self.count("passed" if passed else "still_blocked")
        self.passed[host] = passed
        return response

    def finish(self, host: str) -> None:
        """The host's render ended (:attr:`passed` says how): the requests that waited for it
        go on."""
        event = self.rendering.pop(host, None)
        if event is not None:
            event.set()

    def again(self, request: Request) -> Request:
        """A page that waited for its host's render, to be fetched plainly with its cookies."""
        return request.replace(dont_filter=True, meta={**request.meta, AFTER_RENDER_META: True})

    def give_cookies(self, request: Request, host: str) -> None:
        """The cookies the browser earned on ``host`` (a passed check), for a plain request."""
        earned = self.earned.get(host)
        if not earned:
            return
        given: list[dict[str, Any]] = (
            [dict(cookie) for cookie in request.cookies]
            if isinstance(request.cookies, list)
            else [{"name": name, "value": value} for name, value in dict(request.cookies).items()]
        )
        names = {str(cookie.get("name")) for cookie in given}
        cookies = given + [cookie for cookie in earned if cookie["name"] not in names]
        request.cookies = cast(Any, cookies)  # Scrapy's VerboseCookie dicts
        self.count("cookies_reused")


def render_meta(wait_for: str, timeout_ms: int = 15_000) -> dict[str, Any]:
    """Request meta for a browser render that waits until ``wait_for`` matches."""
    from scrapy_playwright.page import PageMethod  # light; its package's handler is not

    return {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_page_methods": [
            PageMethod("wait_for_selector", wait_for, timeout=timeout_ms, state="attached")
        ],
        "handle_httpstatus_list": [403, 429, 503],
    }
