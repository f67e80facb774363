"""The modes of a crawl, each switched on by a Scrapy add-on (``ADDONS`` in the settings).

An add-on sets a mode's components and settings together, once the crawler's settings are
complete (after the command line, the spider's and the command's own), and no spider
configures a mode. docs/internals.md, "Modes and add-ons", says which choice each Scrapy
command gets:

* :class:`BrowserFallback`: Chromium for the pages behind a JavaScript check. Always installed
  (``scrapy crawl`` and Scrapy's tools alike), it starts nothing until a page needs it
  (:class:`newscrawl.browser.BrowserDownloadHandler`,
  :class:`~newscrawl.browser.BrowserFallbackMiddleware`).
* :class:`ArchiveRun`: a crawl of web archives (``-a warc=``, ``-a ccnews=``) downloads
  nothing through Scrapy, and leaves out Scrapy's retry middleware.
* :class:`DistributedMode`: several workers on one frontier in Redis. On for ``scrapy crawl``
  with ``NEWSCRAWL_REDIS_URL`` only; Scrapy's tools (``scrapy shell``, ``fetch``, ``parse``)
  never touch Redis, whatever the environment says.

Each sets what it sets at the add-on priority, per key in the component dictionaries: a
user's explicit setting wins (``-s DOWNLOADER_MIDDLEWARES='{"...SharedRateMiddleware": null}'``
turns the shared rate gate off).
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newscrawl import distributed
from newscrawl.browser import browser_settings
from newscrawl.run import RUN_ENABLED, RUN_PLAN

#: The priority add-ons set their settings at (below the project's, the spider's and the
#: command line's).
ADDON = "addon"


def set_key(settings: BaseSettings, name: str, key: str, value: Any) -> None:
    """Set ``key`` of the dictionary setting ``name`` (a component and its order, a scheme and
    its handler) at the add-on priority: a key the user set (to None, say) stays theirs."""
    entries = settings[name]
    if isinstance(entries, BaseSettings):
        entries.set(key, value, ADDON)
    else:  # a plain dict (settings made by hand): only a key that is not there
        settings.set(name, {key: value, **dict(entries or {})}, ADDON)


class _AddOn:
    """What every add-on of ours shares: made from the crawler, the settings its only input."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"


class BrowserFallback(_AddOn):
    """Chromium for the pages behind a JavaScript check (docs/browser.md).

    Installs a download handler for ``http`` and ``https``
    (:class:`~newscrawl.browser.BrowserDownloadHandler`) that hands the pages the browser
    renders to scrapy-playwright's, made lazy (no Playwright import, driver or Chromium until a
    page needs one), and the others to Scrapy's own; the middleware that decides which
    page needs it (:class:`~newscrawl.browser.BrowserFallbackMiddleware`, before Scrapy's
    cookie middleware, 700, which keeps the cookies the browser earned); and
    scrapy-playwright's settings from ours (:func:`~newscrawl.browser.browser_settings`:
    Chromium's path, switches, contexts). Every crawl and every tool gets it; a request is
    rendered only when its meta names the markup to wait for (the spiders' article requests).
    """

    HANDLER = "newscrawl.browser.BrowserDownloadHandler"
    MIDDLEWARE = "newscrawl.browser.BrowserFallbackMiddleware"
    MIDDLEWARE_ORDER = 690

    def update_settings(self, settings: BaseSettings) -> None:
        for scheme in ("http", "https"):
            set_key(settings, "DOWNLOAD_HANDLERS", scheme, self.HANDLER)
        set_key(settings, "DOWNLOADER_MIDDLEWARES", self.MIDDLEWARE, self.MIDDLEWARE_ORDER)
        for name, value in browser_settings(settings).items():
            settings.set(name, value, ADDON)


class DistributedMode(_AddOn):
    """Several workers on one frontier in Redis (docs/distributed.md), for a crawl whose
    ``NEWSCRAWL_REDIS_URL`` (setting or environment) is set.

    Only ``scrapy crawl`` (the command sets ``NEWSCRAWL_RUN_ENABLED``) is ever distributed:
    Scrapy's tools keep Scrapy's scheduler and never touch Redis. For such a crawl it
    installs the shared frontier as the scheduler (:class:`newscrawl.frontier.Frontier`,
    scrapy-redis's, with a dupefilter per tick; persistent: no worker flushes it), the spider
    middleware that lets the tick's seeder alone plan it
    (:class:`~newscrawl.frontier.SeedOncePerTick`) and the rate gate shared by the workers
    (:class:`~newscrawl.middlewares.SharedRateMiddleware`). The run of such a crawl keeps its
    state in Redis and holds a lease instead of the lock (:class:`newscrawl.run.Run`, by the
    same test: :func:`wanted`).
    """

    RATE_GATE = "newscrawl.middlewares.SharedRateMiddleware"
    RATE_GATE_ORDER = 900
    SEEDING = "newscrawl.frontier.SeedOncePerTick"
    SEEDING_ORDER = 10

    @staticmethod
    def wanted(settings: BaseSettings) -> bool:
        """A crawl (``scrapy crawl``) in distributed mode; never one of Scrapy's tools."""
        return settings.getbool(RUN_ENABLED) and distributed.enabled(settings)

    def update_settings(self, settings: BaseSettings) -> None:
        if not self.wanted(settings):
            return
        for name, value in distributed.settings_overrides().items():
            settings.set(name, value, ADDON)
        set_key(settings, "SPIDER_MIDDLEWARES", self.SEEDING, self.SEEDING_ORDER)
        set_key(settings, "DOWNLOADER_MIDDLEWARES", self.RATE_GATE, self.RATE_GATE_ORDER)


class ArchiveRun(_AddOn):
    """A crawl of web archives (``-a warc=``, ``-a ccnews=``: docs/backfills.md) downloads
    nothing through Scrapy: its pages come from the archives, and the archive route
    (:mod:`newscrawl.archive_route`) fetches a remote archive itself
    (:mod:`newscrawl.safefetch`, with its own retries). So Scrapy's retry middleware, which
    imports Scrapy's HTTP client and OpenSSL to name the tunnel error it retries (~0.1 s of
    the run's start), is left out of such a crawl. Any other crawl, and Scrapy's tools, keep
    it."""

    RETRY = "scrapy.downloadermiddlewares.retry.RetryMiddleware"

    def update_settings(self, settings: BaseSettings) -> None:
        plan = settings.get(RUN_PLAN)
        if settings.getbool(RUN_ENABLED) and getattr(plan, "from_archives", False):
            set_key(settings, "DOWNLOADER_MIDDLEWARES", self.RETRY, None)
