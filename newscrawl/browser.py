"""Chromium through scrapy-playwright, only for pages behind a JavaScript check.

Every request is a plain Scrapy download unless the spider marks it ``playwright``. The
download handler below is scrapy-playwright's, made lazy: no Playwright driver and no Chromium
process start until the first page that needs the browser, and both are closed when the crawl
ends (also when it fails). Chromium is Debian's, launched by path (``NEWSCRAWL_CHROMIUM_PATH``,
default ``$NEWSCRAWL_CHROMIUM`` or ``/usr/bin/chromium``), never downloaded by Playwright.
The browser uses the same proxy variables as Scrapy, does not verify TLS certificates (like
Scrapy), fetches nothing but the site (images, media, fonts and styles are blocked, as is every
other host) and runs with Chromium's own background services turned off.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

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
#: Chromium switches on top of Playwright's own (which already turn off background networking,
#: component updates, default apps, extensions, network-time and optimisation-hint queries).
#: No ``--disable-features`` here: a second one would replace Playwright's list.
CHROMIUM_ARGS = (
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-quic",
    "--disable-gpu",
    "--no-sandbox",
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


def proxy_from_env(scheme: str = "https") -> dict[str, str] | None:
    """Playwright's ``proxy`` option from the same variables Scrapy honours."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "http_proxy", "HTTP_PROXY"):
        value = os.environ.get(name)
        if value:
            bypass = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
            proxy = {"server": value}
            if bypass:
                proxy["bypass"] = bypass
            return proxy
    return None


def browser_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright settings derived from ours (applied by the spiders)."""
    launch: dict[str, Any] = {
        "executable_path": chromium_path(settings),
        "headless": True,
        "args": list(CHROMIUM_ARGS),
        "timeout": 30_000,
    }
    proxy = proxy_from_env()
    if proxy:
        launch["proxy"] = proxy
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
        self.abort_request = self._abort

    async def _maybe_launch_in_thread(self) -> None:  # engine_started: do nothing yet
        return None

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        async with self._start_lock:
            if not self._started:
                logger.info(
                    "Starting Chromium (%s) for %s",
                    chromium_path(self._crawler_ref.settings),
                    request.url,
                )
                await self._launch()
                self._started = True
        response: Response = await super()._download_request(request, spider)
        return response

    async def _close(self) -> None:
        if self._started:
            await super()._close()

    def _abort(self, request: Any) -> bool:
        """Block heavy resources and every host outside the crawled site."""
        if request.resource_type in BLOCKED_RESOURCES:
            return True
        spider = self._crawler_ref.spider
        domains = getattr(spider, "allowed_domains", None) or []
        return not any(on_domain(request.url, domain) for domain in domains)


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
