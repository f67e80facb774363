"""Log lines for dropped items: the reason and the URL, not the whole item."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter
from scrapy.http import Response
from twisted.python.failure import Failure


class LogFormatter(logformatter.LogFormatter):
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
