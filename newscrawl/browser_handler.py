"""scrapy-playwright's download handler, made lazy: the browser's half of
:class:`newscrawl.browser.BrowserDownloadHandler`, imported and made on the first request the
browser renders (importing scrapy-playwright costs ~0.05 s, and Scrapy's HTTP client under it
as much again: a crawl that renders nothing never imports scrapy-playwright, and an archive
run, which downloads nothing, neither)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newscrawl.browser import BLOCKED_RESOURCES, chromium_path, new_profile, site_launch_options
from newscrawl.middlewares import in_scope, site_domains

logger = logging.getLogger(__name__)


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
        launch = site_launch_options(self._base_launch, site_domains(self._crawler_ref))
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

    def _abort(self, request: Any) -> bool:
        """Block heavy resources and every host outside the crawled site."""
        if request.resource_type in BLOCKED_RESOURCES:
            return True
        return not in_scope(request.url, site_domains(self._crawler_ref))
