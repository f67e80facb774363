"""How far a ``news`` run reaches from its start URLs.

Links of section pages are followed ``NEWSCRAWL_LISTING_DEPTH`` levels of listing pages deep
(1: a section page's articles). A sitemap index names sitemaps, which may be indexes again:
they are read down to ``NEWSCRAWL_SITEMAP_DEPTH`` levels below a start URL (a sitemap index's
sitemaps are one level below it), and ``NEWSCRAWL_MAX_SITEMAPS`` of those named by indexes in
a run; the others are counted (``discovery/sitemaps_too_deep``,
``discovery/sitemaps_over_cap``) and logged, never fetched. :class:`Reach` keeps that account
for the spider, which lends it its crawler, counters and log.
"""

from __future__ import annotations

import logging
from typing import Protocol

from scrapy.crawler import Crawler

#: Meta key of a sitemap request: how many sitemap indexes lie between it and its start URL.
SITEMAP_LEVEL = "sitemap_level"


class ReachingSpider(Protocol):
    """What :class:`Reach` needs of the spider."""

    crawler: Crawler

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]: ...

    def count(self, event: str, by: int = 1) -> None: ...


class Reach:
    """How deep below a start URL listing pages and sitemaps are read, and how many
    sitemaps in all."""

    def __init__(self, spider: ReachingSpider) -> None:
        self.spider = spider
        #: Sitemaps named by sitemap indexes and asked for.
        self.asked = 0

    @property
    def listing_depth(self) -> int:
        """``NEWSCRAWL_LISTING_DEPTH``: how many levels of listing pages below a start URL
        are read for links (1: a section page's articles)."""
        return max(0, self.spider.crawler.settings.getint("NEWSCRAWL_LISTING_DEPTH", 1))

    @property
    def depth(self) -> int:
        """``NEWSCRAWL_SITEMAP_DEPTH``: how many levels of sitemaps below a start URL are read
        (a sitemap index's sitemaps are one level below it)."""
        return max(0, self.spider.crawler.settings.getint("NEWSCRAWL_SITEMAP_DEPTH", 3))

    @property
    def cap(self) -> int:
        """``NEWSCRAWL_MAX_SITEMAPS``: how many sitemaps named by sitemap indexes a run reads."""
        return max(0, self.spider.crawler.settings.getint("NEWSCRAWL_MAX_SITEMAPS", 500))

    def too_deep(self, url: str, level: int, sitemaps: int) -> bool:
        """Whether the ``sitemaps`` sitemaps the sitemap index at ``url`` names, ``level``
        levels below its start URL, lie past ``NEWSCRAWL_SITEMAP_DEPTH``: then they are counted
        as ``discovery/sitemaps_too_deep`` and logged."""
        if not sitemaps or level <= self.depth:
            return False
        self.spider.count("discovery/sitemaps_too_deep", sitemaps)
        self.spider.logger.warning(
            "Not reading the %d sitemap(s) %s names: %d levels below its start URL, past "
            "NEWSCRAWL_SITEMAP_DEPTH=%d",
            sitemaps,
            url,
            level,
            self.depth,
        )
        return True

    def room_for(self, url: str) -> bool:
        """Whether the sitemap at ``url`` may be read: fewer than ``NEWSCRAWL_MAX_SITEMAPS``
        were; else it is counted as ``discovery/sitemaps_over_cap`` (the first one logged)."""
        spider = self.spider
        if self.asked < self.cap:
            self.asked += 1
            return True
        spider.count("discovery/sitemaps_over_cap")
        assert spider.crawler.stats is not None
        if spider.crawler.stats.get_value("newscrawl/discovery/sitemaps_over_cap") == 1:
            spider.logger.warning(
                "Not reading %s nor any further sitemap: NEWSCRAWL_MAX_SITEMAPS=%d were read",
                url,
                self.cap,
            )
        return False
