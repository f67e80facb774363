"""The days of a site crawl's plan: who counts them, the order they are served in, and the
pace at which they are planned.

A site spider plans one day at a time (:meth:`newscrawl.spiders.base.NewsSpider.start`): the
next day's index pages only when fewer than ``NEWSCRAWL_DAYS_AHEAD`` days wait for their
first index page and fewer than ``NEWSCRAWL_BACKLOG`` requests wait in the scheduler
(:func:`room_for_a_day`), and each day's requests at a priority of its own
(:func:`day_priority`). So a year's backfill holds about as many requests as a day's crawl.
Who counts the days is :class:`LocalDays` on one machine, the tick's frontier in distributed
mode (:class:`newscrawl.frontier.Frontier`), both a :class:`DayCount`.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import sleep

#: Meta key of the first index page of a planned day (see :meth:`DayCount.day_read`).
DAY_START = "newscrawl_day_start"
#: How often :func:`room_for_a_day` looks again (seconds).
PACING_POLL_SECONDS = 0.05


class DayCount(Protocol):
    """Days planned whose first index page did not come back yet, and how far the plan is
    queued (in distributed mode a seeder that takes over a tick goes on from there)."""

    def resume_plan(self, days: list[date]) -> tuple[list[date], int]: ...

    def day_queued(self, days: int) -> None: ...

    def day_planned(self) -> None: ...

    def day_read(self) -> None: ...

    def days_unread(self) -> int: ...


class LocalDays:
    """:class:`DayCount` of one process (on one machine; the frontier keeps a tick's)."""

    def __init__(self) -> None:
        self.unread = 0

    def resume_plan(self, days: list[date]) -> tuple[list[date], int]:
        return days, 0

    def day_queued(self, days: int) -> None:
        """Nobody takes a plan over on one machine."""

    def day_planned(self) -> None:
        self.unread += 1

    def day_read(self) -> None:
        self.unread -= 1

    def days_unread(self) -> int:
        return self.unread


def day_priority(rank: int) -> int:
    """The priority of the index pages of the ``rank``-th day of a plan (0 first); its
    articles get one less, and the next day's index pages less again. So the scheduler serves
    a day's index pages, then its articles, before anything of the next day: a day's article
    requests are made only as the crawl reaches it, and a year's backfill never queues more
    than about a day of them (all the days' first index pages wait, a few hundred requests)."""
    return -3 * rank


async def room_for_a_day(crawler: Crawler, days: DayCount) -> None:
    """Wait until the next day may be planned: fewer than ``NEWSCRAWL_DAYS_AHEAD`` days
    (2) whose first index page is not read yet, and fewer than ``NEWSCRAWL_BACKLOG``
    requests (200) in the scheduler; or nothing at all to do. So days are planned as the
    crawl advances, and a year's backfill holds about as many requests as a day's."""
    settings = crawler.settings
    ahead = max(1, settings.getint("NEWSCRAWL_DAYS_AHEAD", 2))
    backlog = max(1, settings.getint("NEWSCRAWL_BACKLOG", 200))
    while True:
        engine = crawler.engine
        if engine is None or not engine.running or engine.scheduler is None:
            return
        try:
            waiting = len(engine.scheduler)  # type: ignore[arg-type]
        except TypeError:  # a scheduler that cannot tell: no pacing
            return
        if waiting < backlog and days.days_unread() < ahead:
            return
        if waiting == 0 and not engine.downloader.active:  # idle: never stall
            return
        await sleep(PACING_POLL_SECONDS)
