"""Progress of long runs (a backfill of a month or a year) in the log: one INFO line every
``NEWSCRAWL_PROGRESS_INTERVAL`` seconds (default 60; 0 turns it off), with the figures a
person watching a terminal or a cron log asks for:

``Progress: 5/20 day indexes done, 37 index pages, 480 articles exported (8.0/min), about 12
min left``

"Day indexes" are the run's days times its channels (``scrapy crawl <site>``; a ``news`` run
has none and shows pages and articles only). The time left is the elapsed time scaled by the
indexes still to do; it is shown once one is done. The line goes through Scrapy's logging, so
it never mixes with other log lines, and never touches a feed.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newscrawl.run import RUN_PLAN, Run

logger = logging.getLogger(__name__)


def progress_line(*, done: int, planned: int, pages: int, exported: int, elapsed: float) -> str:
    """The progress figures as one line (pure: tested on its own)."""
    rate = exported / elapsed * 60 if elapsed > 0 else 0.0
    parts = []
    if planned:
        parts.append(f"{done}/{planned} day indexes done")
    parts.append(f"{pages} index pages")
    parts.append(f"{exported} articles exported ({rate:.1f}/min)")
    if planned and done:
        left = elapsed * (planned - done) / done
        parts.append(f"about {_duration(left)} left" if planned > done else "indexes done")
    return "Progress: " + ", ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class CrawlProgress:
    """The extension that logs :func:`progress_line` every interval, and once at the end."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60)
        if interval <= 0:
            raise NotConfigured("NEWSCRAWL_PROGRESS_INTERVAL is 0")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.log()

    def figures(self) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        run = Run.of(self.crawler)
        plan = self.crawler.settings.get(RUN_PLAN)
        channels = len(getattr(plan, "channels", ()) or ())
        days = len(run.days) if run is not None else 0
        done = len(run.completed_indexes - run.incomplete_indexes) if run is not None else 0
        return {
            "done": done,
            "planned": days * channels,
            "pages": int(stats.get_value("newscrawl/discovery/index_pages", 0) or 0),
            "exported": int(stats.get_value("newscrawl/export/written", 0) or 0),
            "elapsed": time.monotonic() - self.started,
        }

    def log(self) -> None:
        logger.info(progress_line(**self.figures()))
