"""Articles split over pages with no link to their whole text, joined page by page.

The ``news`` spider finds such an article when a page's pager names other pages of it and no
whole-text view (:meth:`newscrawl.pages.reading.Reading.other_pages`). It then fetches the
other pages one after another (:meth:`SplitArticle.next_request`), each read by the same page
reader, and exports the article once the last is read: the first page's fields with the
bodies of all pages in page order (:meth:`SplitArticle.joined`). An article whose pagers name
a page past ``NEWSCRAWL_MAX_ARTICLE_PAGES`` is skipped (:meth:`SplitArticle.past_cap`). A page
that is gone (HTTP 404 or 410: a pager's dead link) is left out, counted and logged, and the
article goes out with the pages that exist; a page that fails otherwise (a timeout, a 5xx after
the retries) skips the article as ``incomplete``, and the next run reads it again.
:class:`SplitJoining` does this for the spider, whose callbacks hand it each page.
``newscrawl extract`` joins such an article the same way (:mod:`newscrawl.api`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any, Protocol

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl.arguments import CrawlPlan
from newscrawl.browser import BROWSER_META
from newscrawl.learning import NO_PROMO
from newscrawl.ledger import GONE
from newscrawl.pages.reading import PageReaders, Reading
from newscrawl.processors import count_words
from newscrawl.spiders.common import asked

#: Meta keys of a request for a page of a split article: the article, the page's number.
SPLIT = "split"
PAGE_NUMBER = "page_number"


class SplitArticle:
    """An article split over pages with no link to its whole text, being read page by page:
    the first page's reading, the pages read since and the pages still to read (the pager of
    each page read may name more)."""

    def __init__(self, first: TextResponse, page: Reading) -> None:
        self.first = first
        self.origin = asked(first)
        self.page = page
        self.readings: list[Reading] = []
        self.seen = {1, *(number for number, _ in page.other_pages())}
        self.pending = page.other_pages()
        #: The pages that were gone (404, 410), left out of the article.
        self.gone: list[int] = []

    @property
    def last_page(self) -> int:
        """The highest page number the pagers read so far name."""
        return max(self.seen)

    def add(self, number: int, page: Reading) -> None:
        """Page ``number`` was read: its body joins; pages its pager names are queued."""
        self.readings.append(page)
        self.pending = [(n, url) for n, url in self.pending if n != number]
        for later, url in page.other_pages():
            if later not in self.seen:
                self.seen.add(later)
                self.pending.append((later, url))
        self.pending.sort()

    def leave_out(self, number: int) -> None:
        """Page ``number`` is gone: the article is joined without it."""
        self.gone.append(number)
        self.pending = [(n, url) for n, url in self.pending if n != number]

    def joined(self) -> Reading:
        """The first page's reading with the bodies of all pages, in page order, and what
        reading each page noticed."""
        pages = [self.page, *self.readings]
        bodies = [page.to_item().body or "" for page in pages]
        body = "\n\n".join(text for text in bodies if text)
        item = replace(self.page.to_item(), body=body, word_count=count_words(body))
        return replace(
            self.page,
            item=item,
            noted=tuple(note for page in pages for note in page.notes()),
            learned=tuple(line for page in pages for line in page.learned_lines()),
            candidates=tuple(line for page in pages for line in page.promo_candidates()),
            pages=(),
        )

    def past_cap(self, cap: int) -> str | None:
        """Why the article is skipped as ``too_many_pages`` when the pagers read so far name a
        page past ``cap`` (``NEWSCRAWL_MAX_ARTICLE_PAGES``); None while they do not."""
        if self.last_page <= cap:
            return None
        return f"its pager names page {self.last_page}, past NEWSCRAWL_MAX_ARTICLE_PAGES={cap}"

    def next_request(
        self, callback: Callable[..., Any], errback: Callable[[Failure], Any], browser: str
    ) -> Request:
        """The request for the first page still to read (the spider's ``callback`` reads it,
        ``errback`` hears of its failure)."""
        number, url = self.pending[0]
        return Request(
            url,
            callback,
            errback=errback,
            dont_filter=True,  # never dropped unseen: the article would vanish uncounted
            meta={
                "kind": "article",
                SPLIT: self,
                PAGE_NUMBER: number,
                BROWSER_META: browser,
            },
        )


class JoiningSpider(Protocol):
    """What :class:`SplitJoining` needs of the spider: its settings, plan, page readers,
    accounting, and the callbacks of a split article's pages."""

    crawler: Crawler
    plan: CrawlPlan

    @property
    def readers(self) -> PageReaders: ...

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]: ...

    def count(self, event: str, by: int = 1) -> None: ...

    def skip(self, reason: str, url: str, detail: str = "") -> None: ...

    def parse_split(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]: ...

    def on_split_error(self, failure: Failure) -> Iterator[Any]: ...


class SplitJoining:
    """The split articles of a crawl, joined page by page for the spider: each page read in
    turn (by the spider's callbacks ``parse_split``/``on_split_error``), every page checked,
    and the pagers' page numbers kept under ``NEWSCRAWL_MAX_ARTICLE_PAGES``."""

    def __init__(self, spider: JoiningSpider) -> None:
        self.spider = spider

    @property
    def cap(self) -> int:
        """``NEWSCRAWL_MAX_ARTICLE_PAGES``: an article split over more pages is skipped
        (``too_many_pages``)."""
        return max(1, self.spider.crawler.settings.getint("NEWSCRAWL_MAX_ARTICLE_PAGES", 50))

    def start(self, first: TextResponse, page: Reading) -> Request | None:
        """The request for the second page of the article whose first page is ``first``
        (counted ``discovery/split_joined``); None when its pager names a page past the cap."""
        split = SplitArticle(first, page)
        if not self.within_cap(split):
            return None
        self.spider.count("discovery/split_joined")
        return self.next_request(split)

    def within_cap(self, split: SplitArticle) -> bool:
        """Whether the pagers of ``split`` read so far name no page past
        ``NEWSCRAWL_MAX_ARTICLE_PAGES``; else it is skipped as ``too_many_pages``."""
        detail = split.past_cap(self.cap)
        if detail is not None:
            self.spider.skip("too_many_pages", split.origin, detail)
        return detail is None

    def next_request(self, split: SplitArticle) -> Request:
        spider = self.spider
        return split.next_request(spider.parse_split, spider.on_split_error, spider.plan.browser)

    async def page(self, response: Response) -> Request | SplitArticle | None:
        """The next page of a split article came: read, its body joins the pages read
        before. The request for the page after it, or the article whole once its last page
        is read (to export); None when it is skipped as ``incomplete`` (a page that is no
        text or gives no body) or ``too_many_pages``."""
        spider = self.spider
        split: SplitArticle = response.meta[SPLIT]
        number = int(response.meta[PAGE_NUMBER])
        if not isinstance(response, TextResponse):
            spider.skip("incomplete", split.origin, f"page {number} is not a text page")
            return None
        page = await spider.readers.read(response, NO_PROMO)
        if not page.is_complete() or page.item is None or not page.item.body:
            detail = f"page {number} ({response.url}) gave no body"
            spider.skip("incomplete", split.origin, detail)
            return None
        split.add(number, page)
        if not self.within_cap(split):
            return None
        return self.next_request(split) if split.pending else split

    def failed(self, failure: Failure) -> Request | SplitArticle | None:
        """A page of a split article failed (after its retries). A page that is gone (404,
        410: a dead link of the pager) is left out (counted ``discovery/split_page_gone``,
        logged): the request for the next page, or the article with the pages read (to
        export). Any other failure skips the article as ``incomplete`` (not remembered: the
        next run reads it again); None."""
        request: Request = failure.request  # type: ignore[attr-defined]
        split: SplitArticle = request.meta[SPLIT]
        number = int(request.meta[PAGE_NUMBER])
        status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        if status in GONE:
            split.leave_out(number)
            self.spider.count("discovery/split_page_gone")
            self.spider.logger.info(
                "Page %d of %s is gone (HTTP %d at %s): the article goes out without it",
                number, split.origin, status, request.url,
            )  # fmt: skip
            return self.next_request(split) if split.pending else split
        detail = f"page {number} ({request.url}): {failure.value!r}"
        self.spider.skip("incomplete", split.origin, detail[:300])
        return None
