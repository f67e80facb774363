"""Sites: one module per site, ``newscrawl/sites/<slug>.py``, holding all that is site-specific.

A site module declares ``SITE = Site(...)``: its URL rules, article layouts (page objects,
newest first), listing page, daily index (URL, channels), the start pages it accepts and its
promo rules; its layouts carry its dateline and byline forms through their loader. Everything
else (the spider, paging, pipelines) is shared and reads the site from here: ``scrapy crawl
<slug>`` runs the spider derived from the module (see :mod:`newscrawl.spiderloader`).

Sites are found in the modules ``NEWSCRAWL_SITE_MODULES`` names (a package: each of its
modules); a module without ``SITE`` is no site.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from newscrawl.boilerplate import SHARED_RULES, Rule
from newscrawl.urls import ArticleUrls, host_of, on_domain, path_of, query_of, with_query

if TYPE_CHECKING:
    from newscrawl.pages.base import ArticlePage, ListPage

#: The modules sites are found in when the settings name none.
DEFAULT_SITE_MODULES = ("newscrawl.sites",)
#: Kinds of start URL (``-a start_urls=``) a site can accept besides articles and index pages.
START_PAGE_KINDS = ("article", "index", "sitemap", "landing")


def _key(day: str, channel: str) -> str:
    """The state's name of an index: ``<date>/<channel>``."""
    return f"{day}/{channel}"


@dataclass(frozen=True)
class DailyIndex:
    """A site's daily index: the listing of one day's articles in a channel, page by page.

    ``template`` is the URL of a page, its query naming the placeholders ``{channel}``,
    ``{date}`` (ISO) and ``{page}``: ``https://news.example/archive?section={channel}&day={date}
    &p={page}``. ``channels`` are the values ``-a channels=`` accepts; ``all_channel`` is
    the one listing every article (the default).
    """

    template: str
    channels: tuple[str, ...]
    all_channel: str

    def __post_init__(self) -> None:
        missing = [p for p in ("{channel}", "{date}", "{page}") if p not in self._params]
        if missing:
            raise ValueError(f"index template {self.template!r} lacks {', '.join(missing)}")
        if self.all_channel not in self.channels:
            raise ValueError(f"all_channel {self.all_channel!r} is not one of the channels")

    @cached_property
    def _params(self) -> dict[str, str]:
        """The query parameter naming each placeholder (read once: ``key`` runs per page)."""
        return {value: name for name, value in parse_qsl(urlsplit(self.template).query)}

    @property
    def channel_param(self) -> str:
        return self._params["{channel}"]

    @property
    def date_param(self) -> str:
        return self._params["{date}"]

    @property
    def page_param(self) -> str:
        return self._params["{page}"]

    def url(self, day: date, channel: str, page: int) -> str:
        """The URL of page ``page`` of the index of ``day`` and ``channel``."""
        return self.template.format(channel=channel, date=day.isoformat(), page=page)

    def is_index(self, url: str) -> bool:
        """A page of the index: the template's host (or, for ``www.``, any host of the
        domain) and path; where that path is the site's root, the query names a date."""
        host = host_of(self.template)
        domain = host.removeprefix("www.")
        path = path_of(self.template).rstrip("/")
        if not on_domain(url, domain) or path_of(url).rstrip("/") != path:
            return False
        return bool(path) or self.date_param in query_of(url)

    def key(self, url: str) -> str:
        """The state's name of the index a page belongs to: ``<date>/<channel>``."""
        query = query_of(url)
        return _key(query.get(self.date_param, ""), query.get(self.channel_param, self.all_channel))

    def day_key(self, day: date, channel: str) -> str:
        return _key(day.isoformat(), channel)

    def page_of(self, url: str) -> int:
        """The page number of an index page's URL (1 when it names none)."""
        page = query_of(url).get(self.page_param, "")
        return int(page) if page.isdigit() else 1

    def with_page(self, url: str, page: int) -> str:
        """The URL of page ``page`` of the index ``url`` is a page of."""
        query = query_of(url)
        query[self.page_param] = str(page)
        return with_query(url, **query)


@dataclass(frozen=True)
class Site:
    """What a site module declares: everything the shared crawler needs to know of a site.

    ``slug`` names the spider (``scrapy crawl <slug>``), the output folder and the fixture
    folder ``tests/fixtures/<slug>/``. ``article_layouts`` are tried in order (newest first);
    the last reads a page no layout claims, so its missing fields feed the health checks.
    ``article_markup_css`` is markup any layout shows once the article is there (the browser
    waits for it). ``start_pages``: what ``-a start_urls=`` accepts, of
    :data:`START_PAGE_KINDS` (articles and index pages always). ``promo_rules``: the site's
    own promo lines, tried before the shared ones.
    """

    slug: str
    urls: ArticleUrls
    article_layouts: tuple[type[ArticlePage], ...]
    article_markup_css: str
    listing: type[ListPage]
    index: DailyIndex
    start_pages: frozenset[str] = frozenset({"article", "index"})
    promo_rules: tuple[Rule, ...] = ()
    description: str = ""
    #: The module that declared the site (filled in by the registry).
    module: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.article_layouts:
            raise ValueError(f"site {self.slug!r} has no article layout")
        unknown = set(self.start_pages) - set(START_PAGE_KINDS)
        if unknown:
            raise ValueError(f"site {self.slug!r}: unknown start pages {sorted(unknown)}")

    @property
    def domain(self) -> str:
        """The site's domain, the item's ``site``: ``"news.example"``."""
        return self.urls.domain

    def rules(self) -> tuple[Rule, ...]:
        """The promo rules of the site's bodies: its own first, then the shared ones."""
        return self.promo_rules + SHARED_RULES

    def accepts_start_url(self, url: str) -> bool:
        """True for a URL ``-a start_urls=`` may name: an article, an index page, and, where
        the site lists them, a sitemap (``.xml``) or any other page of the site (landing)."""
        if "landing" in self.start_pages:
            return on_domain(url, self.domain)
        if "sitemap" in self.start_pages and is_sitemap_url(url, self.domain):
            return True
        return self.urls.is_article(url) or self.index.is_index(url)

    def start_url_kind(self) -> str:
        """What a start URL must be, for the error message."""
        if "landing" in self.start_pages:
            return self.domain
        kinds = ["index page", *(["sitemap"] if "sitemap" in self.start_pages else []), "article"]
        return f"{self.domain} {', '.join(kinds[:-1])} or {kinds[-1]}"


def is_sitemap_url(url: str, domain: str) -> bool:
    """A sitemap of the site: an ``.xml`` path on ``domain``."""
    return on_domain(url, domain) and path_of(url).endswith(".xml")


def _site_modules(names: Iterable[str]) -> Iterator[ModuleType]:
    for name in names:
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):  # a package: each of its modules
            for info in pkgutil.iter_modules(module.__path__, prefix=f"{name}."):
                yield importlib.import_module(info.name)
        else:
            yield module


def registered(modules: Iterable[str] = DEFAULT_SITE_MODULES) -> dict[str, Site]:
    """The sites declared (``SITE``) in ``modules``, by slug; a slug declared twice is an
    error."""
    found: dict[str, Site] = {}
    for module in _site_modules(modules):
        site = getattr(module, "SITE", None)
        if not isinstance(site, Site):
            continue
        if site.slug in found and found[site.slug].module != module.__name__:
            raise ValueError(
                f"site {site.slug!r} is declared in {found[site.slug].module} and {module.__name__}"
            )
        object.__setattr__(site, "module", module.__name__)
        found[site.slug] = site
    return found
