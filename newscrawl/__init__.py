"""newscrawl: Scrapy crawlers that turn Indonesian news sites into clean JSONL feeds.

From Python (docs/python.md): ``newscrawl.crawl(spider, **args)`` yields a crawl's items,
``newscrawl.extract(html, url)`` reads one article, ``newscrawl.dataset()`` opens the analysts'
DuckDB database in WIB. Each is imported on first use (:mod:`newscrawl.api`), so ``import
newscrawl`` stays cheap.
"""

import os
import sys
import types
from typing import TYPE_CHECKING, Any

# A crawl contacts nothing but the site: Scrapy's cookie middleware uses tldextract, which
# would otherwise download the Public Suffix List on first use. Its bundled copy is enough.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# No log line of a newscrawl process shows a password (a Redis URL's, a proxy's).
from newscrawl.redact import install as _redact_logs

_redact_logs()

if TYPE_CHECKING:
    from newscrawl.api import CrawlError, NotAnArticle, crawl, extract, extract_url

#: What ``newscrawl.<name>`` gives from :mod:`newscrawl.api` (``dataset`` is below).
_API = ("CrawlError", "NotAnArticle", "crawl", "extract", "extract_url")
__all__ = ["CrawlError", "NotAnArticle", "crawl", "dataset", "extract", "extract_url"]


def __getattr__(name: str) -> Any:
    """The API, imported on first use."""
    if name in _API:
        from newscrawl import api

        return getattr(api, name)
    if name == "dataset":
        import importlib

        return importlib.import_module("newscrawl.dataset")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableDataset(types.ModuleType):
    """``newscrawl.dataset`` is two things: the module that builds the dataset (``make
    dataset``, ``python -m newscrawl.dataset``) and, called, :func:`newscrawl.api.dataset` (the
    database, read-only, in WIB). Importing a submodule sets it as the package's attribute, so
    the module itself answers the call."""

    def __call__(self, output_dir: "str | os.PathLike[str] | None" = None) -> Any:
        from newscrawl.api import dataset

        return dataset(output_dir)


class _Package(types.ModuleType):
    """This package: its submodule ``dataset`` is made callable as it is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "dataset" and type(value) is types.ModuleType:
            value.__class__ = _CallableDataset
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
