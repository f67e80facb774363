"""The spider loader: Scrapy's, plus one spider per registered site.

Each site module (``SITE`` in a module of ``NEWSCRAWL_SITE_MODULES``, by default every module
of :mod:`newscrawl.sites`) gets the spider :meth:`NewsSpider.for_site` makes, named by the
site's slug, unless a spider of ``SPIDER_MODULES`` already has that name (a hand-written
spider wins).
"""

from __future__ import annotations

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from newscrawl.sites import DEFAULT_SITE_MODULES, registered
from newscrawl.spiders.base import NewsSpider

SITE_MODULES = "NEWSCRAWL_SITE_MODULES"


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        self.site_modules = settings.getlist(SITE_MODULES) or list(DEFAULT_SITE_MODULES)
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for slug, site in registered(self.site_modules).items():
            if slug not in self._spiders:
                spider = NewsSpider.for_site(site)
                self._spiders[slug] = spider
                self._found[slug].append((site.module, spider.__name__))
