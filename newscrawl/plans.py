"""A crawl's plan from its spider arguments (``-a name=value``): a site spider's, the ``news``
spider's.

A site spider reads them once (``scrapy crawl`` hands them over, see
:meth:`newscrawl.spiders.common.BaseNewsSpider.read_plan`): the days and channels of the
site's daily index, start URLs, or web archives (:func:`newscrawl.archive_route.archive_plan`).
Bad arguments are an :class:`~newscrawl.arguments.ArgumentError`, before any request.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from newscrawl.archive_route import archive_plan, wants_archives
from newscrawl.arguments import (
    ArgumentError,
    CrawlPlan,
    check_names,
    date_range,
    parse_channels,
    parse_day,
    parse_start_urls,
    read_urls_file,
    split_urls,
    today_wib,
)
from newscrawl.browser import BROWSER_MODES
from newscrawl.sites import Site


def site_plan(site: Site, names: Collection[str], kwargs: dict[str, Any]) -> CrawlPlan:
    """What the spider arguments ask of ``site``'s spider (which accepts ``names``);
    :class:`ArgumentError` for bad ones (an unknown name, a bad date or channel, a start URL
    of another site, ...)."""
    check_names(kwargs, names)
    backfill = str(kwargs.get("backfill", "0")).strip().lower()
    if backfill not in ("0", "1", "true", "false", "yes", "no"):
        raise ArgumentError(f"backfill={backfill!r} is not 0 or 1")
    full = backfill in ("1", "true", "yes")
    browser = str(kwargs.get("browser", "fallback")).strip().lower()
    if browser not in BROWSER_MODES:
        raise ArgumentError(f"browser={browser!r} is not one of {', '.join(BROWSER_MODES)}")
    if wants_archives(kwargs):
        return archive_plan(kwargs)
    start_urls = kwargs.get("start_urls")
    if start_urls is not None:
        if any(kwargs.get(name) is not None for name in ("since", "until", "channels")):
            raise ArgumentError("start_urls= cannot be combined with since=/until=/channels=")
        urls = parse_start_urls(str(start_urls), site.accepts_start_url, site.start_url_kind())
        return CrawlPlan(start_urls=urls, backfill=full, browser=browser)
    days = date_range(kwargs.get("since"), kwargs.get("until"), today_wib())
    index = site.index
    channels = parse_channels(
        str(kwargs.get("channels", index.all_channel)), index.channels, index.all_channel
    )
    default = kwargs.get("since") is None and kwargs.get("until") is None
    return CrawlPlan(
        days=days, channels=channels, backfill=full, browser=browser, default_window=default
    )


def news_plan(names: Collection[str], kwargs: dict[str, Any]) -> CrawlPlan:
    """What the spider arguments ask of the ``news`` spider (which accepts ``names``).

    ``start_urls`` is split at commas followed by ``http(s)://`` only
    (:func:`~newscrawl.arguments.split_urls`): a URL may hold commas. ``urls_file`` lists
    article URLs, one a line (:func:`~newscrawl.arguments.read_urls_file`)."""
    # imported here, as in news_domains: a site's crawl never loads the generic page (~0.09 s)
    from newscrawl.discovery import url_problem

    check_names(kwargs, names)
    value = kwargs.get("start_urls")
    listed = kwargs.get("urls_file")
    if (value is None or not split_urls(str(value))) and not listed:
        raise ArgumentError(
            "start_urls= is required (or urls_file=): sitemaps, feeds, sections or articles"
        )
    urls = tuple(dict.fromkeys(split_urls(str(value or ""))))
    for url in urls:
        wrong = url_problem(url)
        if wrong is not None:
            raise ArgumentError(f"start URL {url!r} {wrong}")
    articles = read_urls_file(str(listed), url_problem) if listed else ()
    urls = tuple(url for url in urls if url not in set(articles))
    browser = str(kwargs.get("browser", "fallback")).strip().lower()
    if browser not in BROWSER_MODES:
        raise ArgumentError(f"browser={browser!r} is not one of {', '.join(BROWSER_MODES)}")
    since = parse_day("since", str(kwargs["since"])) if kwargs.get("since") else None
    until = parse_day("until", str(kwargs["until"])) if kwargs.get("until") else None
    if since and until and since > until:
        raise ArgumentError(f"since={since} is after until={until}")
    return CrawlPlan(
        start_urls=urls, article_urls=articles, browser=browser, since=since, until=until
    )


def news_domains(plan: CrawlPlan) -> list[str]:
    """The registered domains of the ``news`` spider's start URLs (and ``urls_file``'s): the
    crawl's scope, and the sites whose health is judged one by one."""
    from newscrawl.pages.generic import registered_domain

    urls = (*plan.start_urls, *plan.article_urls)
    return sorted({registered_domain(url) for url in urls})
