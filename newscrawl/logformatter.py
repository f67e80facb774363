"""Log lines for dropped items: the reason and the URL, not the whole item. The "Scraped
from" record of each item is made only when a handler would keep it (at ``LOG_LEVEL`` INFO,
the default, none does: a backfill made and dropped one an article)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.http import Response
from twisted.python.failure import Failure

#: The logger Scrapy logs an item's "Scraped from" record with.
SCRAPER_LOGGER = logging.getLogger("scrapy.core.scraper")


def heard(logger: logging.Logger, level: int) -> bool:
    """True when a record of ``level`` from ``logger`` would reach a handler whose level
    keeps it (its filters aside), as :meth:`logging.Logger.callHandlers` looks for them."""
    if not logger.isEnabledFor(level):
        return False
    found = False
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            found = True
            if level >= handler.level:
                return True
        current = current.parent if current.propagate else None
    # no handler at all: logging's last resort (WARNING and above) writes it
    last = logging.lastResort
    return not found and last is not None and level >= last.level


class LogFormatter(logformatter.LogFormatter):
    def scraped(  # type: ignore[override] # None: no record (Scrapy allows it)
        self, item: Any, response: Response | Failure | None, spider: Any
    ) -> logformatter.LogFormatterResult | None:
        if not heard(SCRAPER_LOGGER, logging.DEBUG):
            return None  # Scrapy logs nothing then
        return super().scraped(item, response, spider)

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Any,
    ) -> logformatter.LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(url)s: %(exception)s"
        result["args"] = {"url": getattr(item, "url", None), "exception": exception}
        return result
