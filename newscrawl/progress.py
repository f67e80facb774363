"""Progress of long runs (a backfill of a month or a year) in the log: one INFO line every
``NEWSCRAWL_PROGRESS_INTERVAL`` seconds (default 60; 0 turns it off), with the figures a
person watching a terminal or a cron log asks for:

``Progress: 5/20 day indexes done, 37 index pages, 480 articles exported (8.0/min), about 12
min left``

"Day indexes" are the run's days times its channels (``scrapy crawl <site>``; a ``news`` run
has none and shows pages and articles only). The time left is the elapsed time scaled by the
indexes still to do; it is shown once one is done. The line goes through Scrapy's logging, so
it never mixes with other log lines, and never touches a feed.

On a terminal (``NEWSCRAWL_PROGRESS_BAR``: ``auto``, the default, when standard error is one;
``never``; ``always``) a tqdm bar shows the same figures, redrawn every second: day indexes
done of planned, with tqdm's rate and time left, and the pages and articles. Log lines written
meanwhile clear the bar, go out whole, and the bar is drawn again under them.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newscrawl.run import RUN_PLAN, Run

logger = logging.getLogger(__name__)


def progress_line(
    *,
    done: int,
    planned: int,
    pages: int,
    exported: int,
    elapsed: float,
    finished: str | None = None,
) -> str:
    """The progress figures as one line (pure: tested on its own). ``finished`` (the run's
    finish reason) makes it the last line: it says the run is over, never a time left."""
    rate = exported / elapsed * 60 if elapsed > 0 else 0.0
    parts = []
    if finished is not None:
        parts.append(f"run over ({finished}) after {_duration(elapsed)}")
    if planned and finished is not None:
        left = f" ({planned - done} to page again next run)" if done < planned else ""
        parts.append(f"{done}/{planned} day indexes complete{left}")
    elif planned:
        parts.append(f"{done}/{planned} day indexes done")
    parts.append(f"{pages} index pages")
    parts.append(f"{exported} articles exported ({rate:.1f}/min)")
    if planned and done and finished is None:
        left_s = elapsed * (planned - done) / done
        parts.append(f"about {_duration(left_s)} left" if planned > done else "indexes done")
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
        self.bar: Any = None
        self.bar_loop: task.LoopingCall | None = None
        self.streams: list[tuple[logging.StreamHandler[Any], Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60)
        bar = crawler.settings.get("NEWSCRAWL_PROGRESS_BAR", "auto")
        if interval <= 0 and bar == "never":
            raise NotConfigured  # NEWSCRAWL_PROGRESS_INTERVAL 0 and no bar: off, no news
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        """A run stopped before its spider closed (a second Ctrl-C) leaves no wrapped log
        stream behind."""
        if self.bar is not None:
            self.close_bar()

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.log)
            self.loop.start(self.interval, now=False)
        mode = str(self.crawler.settings.get("NEWSCRAWL_PROGRESS_BAR", "auto")).lower()
        if mode == "always" or (mode == "auto" and sys.stderr.isatty()):
            self.open_bar()

    def spider_closed(self, spider: Any, reason: str) -> None:
        for loop in (self.loop, self.bar_loop):
            if loop is not None and loop.running:
                loop.stop()
        if self.bar is not None:
            self.draw(finished=reason)
            self.close_bar()
        if self.interval > 0:
            self.log(finished=reason)

    # -- the bar on a terminal --------------------------------------------------------------

    def open_bar(self) -> None:
        """A tqdm bar on standard error; the console log handlers write around it."""
        from tqdm import tqdm

        self.bar = tqdm(total=None, desc="day indexes", unit="index", file=sys.stderr,
                        dynamic_ncols=True, leave=True)  # fmt: skip
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler and handler.stream is sys.stderr:
                self.streams.append((handler, handler.stream))
                handler.setStream(_AroundBar(handler.stream, self.bar))
        self.bar_loop = task.LoopingCall(self.draw)
        self.bar_loop.start(1.0, now=True)

    def draw(self, finished: str | None = None) -> None:
        """The bar; at the end (``finished``, the finish reason) it is full: every planned
        index was visited, and it says how many are complete."""
        figures = self.figures()
        self.bar.total = figures["planned"] or None
        self.bar.n = figures["done"]
        postfix = f"{figures['pages']} index pages, {figures['exported']} articles"
        if finished is not None:
            if figures["planned"]:
                self.bar.n = figures["planned"]
                postfix += f", {figures['done']}/{figures['planned']} complete"
            self.bar.set_description_str(f"run over ({finished})", refresh=False)
        self.bar.set_postfix_str(postfix, refresh=False)
        self.bar.refresh()

    def close_bar(self) -> None:
        for handler, stream in self.streams:
            handler.setStream(stream)
        self.streams = []
        self.bar.close()
        self.bar = None

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

    def log(self, finished: str | None = None) -> None:
        logger.info(progress_line(**self.figures(), finished=finished))


class _AroundBar:
    """A log stream that clears the bar, writes the line whole, and draws the bar again."""

    def __init__(self, stream: Any, bar: Any) -> None:
        self.stream = stream
        self.bar = bar

    def write(self, text: str) -> int:
        self.bar.clear()
        written = int(self.stream.write(text) or 0)
        self.stream.flush()
        self.bar.refresh()
        return written

    def flush(self) -> None:
        self.stream.flush()
