"""The floor: a bare Scrapy spider over the same pages (index pages -> article pages -> title).

Run with `scrapy runspider` from outside the project (so no project settings apply), e.g.
``scrapy runspider bench/floor_spider.py -a since=2025-01-01 -a until=2025-01-20``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.http import Response

INDEX = "https://www.bisnis.com/index?categoryId=0&type=indeks&date={day}&page={page}"


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, since: str, until: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.since = date.fromisoformat(since)
        self.until = date.fromisoformat(until)

    async def start(self) -> AsyncIterator[Any]:
        day = self.since
        while day <= self.until:
            yield scrapy.Request(INDEX.format(day=day, page=1), self.parse_index)
            day += timedelta(days=1)

    def parse_index(self, response: Response) -> Iterator[Any]:
        for href in response.css("div.artContent > a.artLink::attr(href)").getall():
            yield response.follow(href, self.parse_article)
        if response.url.endswith("page=1"):
            total = int(response.css("input#total_page::attr(value)").get("1"))
            for page in range(2, total + 1):
                yield scrapy.Request(response.url[: -len("1")] + str(page), self.parse_index)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {"title": response.css("h1::text").get()}
