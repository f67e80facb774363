"""The spider loader: Scrapy's, plus the ``news`` spider, plus one spider per registered site.

Each site module (``SITE`` in a module of ``NEWSCRAWL_SITE_MODULES``, by default every module
of :mod:`newscrawl.sites`) gets the spider :meth:`NewsSpider.for_site` makes, named by the
site's slug, unless a spider of ``SPIDER_MODULES`` already has that name (a hand-written
spider wins).

The ``news`` spider is named without its module being imported (:data:`DEFERRED`): the module
is imported when the spider is asked for, so ``scrapy crawl <site>`` never loads the generic
page and what it needs (the Public Suffix List, language and date rules: ~0.2 s of every
start). The walk of ``SPIDER_MODULES`` passes over that module; any other is imported as
Scrapy's loader imports it.
"""

from __future__ import annotations

import builtins
import traceback
import warnings
from collections.abc import Collection, Iterator
from importlib import import_module
from pkgutil import iter_modules
from types import ModuleType

from scrapy import Spider
from scrapy.http import Request
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import load_object

from newscrawl.sites import DEFAULT_SITE_MODULES, registered
from newscrawl.spiders.base import NewsSpider

SITE_MODULES = "NEWSCRAWL_SITE_MODULES"
#: Spiders of ours named by the loader, their modules imported on first use (each module
#: holds that one spider), when ``SPIDER_MODULES`` names their package (it does by default).
#: A spider of ``SPIDER_MODULES`` of the same name wins.
DEFERRED = {"news": "newscrawl.spiders.news.GenericNewsSpider"}


def walk_modules(path: str, skipped: Collection[str]) -> Iterator[ModuleType]:
    """The module ``path`` and all its submodules, imported (as Scrapy's
    ``walk_modules_iter``), but the modules named in ``skipped``."""
    module = import_module(path)
    yield module
    for _, name, is_package in iter_modules(getattr(module, "__path__", ())):
        full = f"{path}.{name}"
        if full in skipped:
            continue
        if is_package:
            yield from walk_modules(full, skipped)
        else:
            yield import_module(full)


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        self.site_modules = settings.getlist(SITE_MODULES) or list(DEFAULT_SITE_MODULES)
        #: Deferred spiders not imported yet: name → the class's path.
        self._deferred: dict[str, str] = {}
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        skipped = {path.rpartition(".")[0] for path in DEFERRED.values()}
        for name in self.spider_modules:
            try:
                for module in walk_modules(name, skipped):
                    self._load_spiders(module)
            except (ImportError, SyntaxError):
                if not self.warn_only:
                    raise
                warnings.warn(
                    f"\n{traceback.format_exc()}Could not load spiders from module '{name}'. "
                    "See above traceback for details.",
                    stacklevel=2,
                    category=RuntimeWarning,
                )
        for name, path in DEFERRED.items():
            if name not in self._spiders and self._walked(path):
                self._deferred[name] = path
                module_path, _, class_name = path.rpartition(".")
                self._found[name].append((module_path, class_name))
        for slug, site in registered(self.site_modules).items():
            if slug not in self._spiders and slug not in self._deferred:
                spider = NewsSpider.for_site(site)
                self._spiders[slug] = spider
                self._found[slug].append((site.module, spider.__name__))
        self._check_name_duplicates()

    def _walked(self, path: str) -> bool:
        """The module of the class at ``path`` is one the walk of ``SPIDER_MODULES`` would
        import (its package or itself is named there)."""
        module = path.rpartition(".")[0]
        return any(module == name or module.startswith(f"{name}.") for name in self.spider_modules)

    def load(self, spider_name: str) -> type[Spider]:
        path = self._deferred.get(spider_name)
        if path is not None:
            self._spiders[spider_name] = load_object(path)  # an import error: still deferred
            del self._deferred[spider_name]
        return super().load(spider_name)

    def list(self) -> list[str]:
        return [*self._spiders, *self._deferred]

    def find_by_request(self, request: Request) -> builtins.list[str]:
        for name in list(self._deferred):
            self.load(name)
        return super().find_by_request(request)
