"""``scrapy parse``, without Scrapy 2.19's own deprecation warning.

Scrapy's parse command wraps the callback it calls in a function that returns a Deferred, and
its scraper warns of every callback that does so ("returned a Deferred. Returning Deferreds
from spider callbacks is deprecated"), whatever the spider's callbacks are. Here the wrapper is
wrapped once more, in a coroutine that awaits it: the same items and requests, no warning.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from typing import Any

from scrapy import Request, Spider
from scrapy.commands.parse import Command as ScrapyParse
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

#: What Scrapy's parse command hands the scraper as a request's callback.
Wrapper = Callable[..., Any]


class Command(ScrapyParse):
    def __init__(self) -> None:
        super().__init__()
        self._awaiting: dict[Wrapper, Wrapper] = {}

    def awaiting(self, callback: Wrapper) -> Wrapper:
        """``callback`` as a coroutine function awaiting the Deferred it returns (made once
        per callback)."""
        found = self._awaiting.get(callback)
        if found is not None:
            return found

        async def awaited(response: Response, **cb_kwargs: Any) -> Any:
            result = callback(response, **cb_kwargs)
            if isinstance(result, Deferred):
                return await maybe_deferred_to_future(result)
            return result

        functools.update_wrapper(awaited, callback)
        self._awaiting[callback] = self._awaiting[awaited] = awaited
        return awaited

    def prepare_request(
        self, spider: Spider, request: Request, opts: argparse.Namespace
    ) -> Request:
        request = super().prepare_request(spider, request, opts)
        assert request.callback is not None
        request.callback = self.awaiting(request.callback)
        return request

    def scraped_data(self, args: tuple[Any, ...]) -> list[Any]:
        """The requests of the next depth get the awaiting callback too."""
        *rest, callback = args
        return super().scraped_data((*rest, self.awaiting(callback)))  # type: ignore[arg-type]
