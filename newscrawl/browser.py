"""Chromium through scrapy-playwright, only for pages behind a JavaScript check.

Every request is a plain Scrapy download unless the spider marks it ``playwright``. The
download handler below is scrapy-playwright's, made lazy: no Playwright driver and no Chromium
process start until the first page that needs the browser, and both are closed when the crawl
ends (also when it fails). Chromium is Debian's, launched by path (``NEWSCRAWL_CHROMIUM_PATH``,
default ``$NEWSCRAWL_CHROMIUM`` or ``/usr/bin/chromium``), never downloaded by Playwright.
The browser does not verify TLS certificates (like Scrapy) and opens connections to the site's
hosts only, Chromium's own traffic included (each piece below was seen to be needed, on the
wire, with Debian's Chromium 156; README "Pages behind a JavaScript check" says how):

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
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from newscrawl.urls import host_of, on_domain

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
    root = Path(tempfile.mkdtemp(prefix=PROFILE_PREFIX))
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


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    """scrapy-playwright's handler, started on the first browser request instead of at start."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler_ref = crawler
        self._started = False
        self._start_lock = asyncio.Lock()
        self._profile: Path | None = None
        self._base_launch = dict(self.config.launch_options)
        self._base_contexts = {k: dict(v) for k, v in self.config.startup_context_kwargs.items()}
        self.abort_request = self._abort

    async def _maybe_launch_in_thread(self) -> None:  # engine_started: do nothing yet
        return None

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        async with self._start_lock:
            if not self._started:
                self._prepare_launch()
                logger.info(
                    "Starting Chromium (%s) for %s; profile %s",
                    chromium_path(self._crawler_ref.settings),
                    request.url,
                    self._profile,
                )
                await self._launch()
                self._started = True
        response: Response = await super()._download_request(request, spider)
        return response

    def _prepare_launch(self) -> None:
        """The site's launch options, and the default context as a persistent one in a fresh
        profile whose preferences turn off what no switch does (see :data:`PROFILE_PREFERENCES`)."""
        launch = site_launch_options(self._base_launch, self._site_domains())
        self.config.launch_options = launch
        if self._profile is None:  # kept if a failed launch is tried again
            self._profile = new_profile()
        contexts = {k: dict(v) for k, v in self._base_contexts.items()}
        contexts["default"] = {
            **launch,
            **contexts.get("default", {}),
            "user_data_dir": str(self._profile),
        }
        self.config.startup_context_kwargs = contexts

    async def _close(self) -> None:
        try:
            if self._started:
                await super()._close()
        finally:
            if self._profile is not None:
                shutil.rmtree(self._profile, ignore_errors=True)
                self._profile = None

    def _site_domains(self) -> list[str]:
        return list(getattr(self._crawler_ref.spider, "allowed_domains", None) or [])

    def _abort(self, request: Any) -> bool:
        """Block heavy resources and every host outside the crawled site."""
        if request.resource_type in BLOCKED_RESOURCES:
            return True
        return not any(on_domain(request.url, domain) for domain in self._site_domains())


class EarnedCookiesMiddleware:
    """Gives plain requests the cookies the browser earned on their host (a passed JavaScript
    check), so later pages of that host need no browser. Runs before Scrapy's cookie
    middleware, which then keeps them in its jar."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EarnedCookiesMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("playwright"):
            return
        earned = getattr(self.crawler.spider, "earned_cookies", {}).get(host_of(request.url))
        if not earned:
            return
        given = (
            request.cookies
            if isinstance(request.cookies, list)
            else [{"name": name, "value": value} for name, value in dict(request.cookies).items()]
        )
        names = {str(cookie.get("name")) for cookie in given}
        request.cookies = given + [c for c in earned if c["name"] not in names]
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/browser/cookies_reused")


def render_meta(wait_for: str, timeout_ms: int = 15_000) -> dict[str, Any]:
    """Request meta for a browser render that waits until ``wait_for`` matches."""
    return {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_page_methods": [
            PageMethod("wait_for_selector", wait_for, timeout=timeout_ms, state="attached")
        ],
        "handle_httpstatus_list": [403, 429, 503],
    }
