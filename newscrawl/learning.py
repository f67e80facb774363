"""Promo lines the ``news`` spider learns on each site, and the first articles it holds back.

No rule names the promo lines of a site nobody wrote a module for. The ``news`` spider learns
them as it reads the site (:class:`~newscrawl.boilerplate.RecurringLines`: a promo-shaped line
recurring on several pages, listed in several places; lines a page left out itself; lines
learned by earlier runs, from the state) and leaves them out of the bodies it exports
(:func:`~newscrawl.boilerplate.leave_out`, never more than a share of a body). So that a line
learned among a site's first articles is left out of them too, those are held back until
``NEWSCRAWL_LEARN_WARMUP`` articles of the site were read, or the crawl has nothing else to do.
:class:`PromoLearning` does both for the spider, which lends it its state, ledger, counters
and log (:class:`LearningSpider`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import Protocol
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Response

from newscrawl.boilerplate import RecurringLines, leave_out, page_lines
from newscrawl.items import ArticleItem
from newscrawl.ledger import Ledger
from newscrawl.pages.generic import registered_domain
from newscrawl.pages.reading import Reading
from newscrawl.processors import count_words
from newscrawl.spiders.common import asked
from newscrawl.state import StateStore

#: The learned promo lines the page reader leaves out of a page itself: none. The spider leaves
#: them out after reading (:meth:`PromoLearning.without_learned`), where it sees the whole body:
#: how much of it they would take, and whether the page has them as its text.
NO_PROMO: frozenset[str] = frozenset()


class LearningSpider(Protocol):
    """What :class:`PromoLearning` needs of the spider."""

    crawler: Crawler

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def state(self) -> StateStore: ...

    def count(self, event: str, by: int = 1) -> None: ...


class PromoLearning:
    """The promo lines learned on each site (remembered, and learned in this run), and the
    articles of each site held back while its first ones are read."""

    def __init__(self, spider: LearningSpider) -> None:
        self.spider = spider
        #: The promo lines learned on each site (remembered, and learned in this run).
        self._recurring: dict[str, RecurringLines] = {}
        #: Articles held back per site, and how many of the site's were read.
        self._held: dict[str, list[ArticleItem]] = {}
        self._read: Counter[str] = Counter()

    # -- learning ---------------------------------------------------------------------------

    def learned_on(self, domain: str) -> RecurringLines:
        """The promo lines learned on ``domain``: by earlier runs (the state), and in this
        run (:class:`~newscrawl.boilerplate.RecurringLines`)."""
        lines = self._recurring.get(domain)
        if lines is None:
            lines = self._recurring[domain] = RecurringLines(
                self.spider.state.learned_lines(domain)
            )
        return lines

    @staticmethod
    def listing_context(response: Response) -> str:
        """Where the article of ``response`` was listed: the page that linked it (its
        ``Referer``: a sitemap, a feed, a section page; a start URL is its own listing), and
        the section of the site its URL is in (host and first path segment)."""
        url = asked(response)
        request = response.request
        referer = request.headers.get(b"Referer") if request is not None else None
        listing = referer.decode("latin-1") if referer else url
        parts = urlsplit(url)
        return f"{listing} {parts.netloc}/{parts.path.strip('/').split('/')[0]}"

    def learn_from(self, response: Response, page: Reading, item: ArticleItem) -> None:
        """What the article of ``response`` teaches about its site's promo lines
        (:meth:`RecurringLines.observe`): lines learned by their recurrence are left out of
        the bodies exported after it (and of the held ones); lines the page left out itself
        that it may teach are listed and remembered for later runs; lines learned before that
        this page has as its text are unlearned. Every refusal is counted
        (``boilerplate/refused_<why>``)."""
        spider = self.spider
        domain = item.site or registered_domain(response.url)
        lines = self.learned_on(domain)
        context = self.listing_context(response)
        seen = lines.observe(
            page_lines(item.body or "", page.promo_candidates(), page.learned_lines(), context)
        )
        for line in seen.learned:
            spider.count("boilerplate/learned_by_recurrence")
            spider.logger.info("Learned a promo line of %s by its recurrence: %r", domain, line)
        if seen.learned or seen.new_taught:
            spider.count("boilerplate/learned", len(seen.learned) + len(seen.new_taught))
        spider.ledger.remember_learned(domain, seen.taught)
        if seen.unlearned:
            spider.ledger.forget_learned(domain, seen.unlearned)
            spider.logger.warning(
                "Unlearned %d promo line(s) of %s: %s has them as its text: %r",
                len(seen.unlearned),
                domain,
                asked(response),
                seen.unlearned,
            )
        for reason, count in sorted(seen.refused.items()):
            spider.count(f"boilerplate/refused_{reason}", count)

    def without_learned(self, domain: str, item: ArticleItem) -> ArticleItem:
        """``item`` without the promo lines learned on ``domain`` (:func:`leave_out`), each
        counted (``boilerplate/removed_lines``, ``boilerplate/<site>/learned``) and listed in
        the manifest. Learned lines that would take too much of the body stay in it, counted
        (``boilerplate/refused_share``; ``boilerplate/kept_would_empty``: the whole body) and
        logged as a warning: an article is never emptied by lines learned elsewhere."""
        spider = self.spider
        lines = self._recurring.get(domain)
        if lines is None or not lines or not item.body:
            return item
        left = leave_out(item.body, lines)
        if left.removed:
            spider.count(f"boilerplate/{domain}/learned", len(left.removed))
            spider.count("boilerplate/removed_lines", len(left.removed))
            spider.ledger.remember_learned(domain, left.removed)
            item.body = left.body
            item.word_count = count_words(left.body)
        if left.kept:
            spider.count("boilerplate/refused_share", len(left.kept))
            if left.would_empty:
                spider.count("boilerplate/kept_would_empty")
            spider.logger.warning(
                "Kept %d learned line(s) in %s: leaving them out would take %s of its body: %r",
                len(left.kept),
                item.url,
                "all" if left.would_empty else "too much",
                left.kept,
            )
        return item

    # -- holding the first articles of a site back ------------------------------------------

    @property
    def warmup(self) -> int:
        """``NEWSCRAWL_LEARN_WARMUP``: the first articles of a site are held back until this
        many were read (or the crawl has nothing else to do), so that a promo line learned by
        its recurrence among them is left out of them too."""
        return max(1, self.spider.crawler.settings.getint("NEWSCRAWL_LEARN_WARMUP", 10))

    def hold(self, domain: str, item: ArticleItem, *, run: bool = True) -> Iterator[ArticleItem]:
        """Hold ``item`` of ``domain`` back; once the site is warmed up, out go its held
        articles (this one among them) and every one after. Without a ``run`` (Scrapy's
        tools: ``scrapy parse``) nothing is held: out it goes, without the lines learned."""
        if not run:
            yield self.without_learned(domain, item)
            return
        self._held.setdefault(domain, []).append(item)
        self._read[domain] += 1
        if self._read[domain] >= self.warmup:  # warmed up: out they go, and all after
            yield from self.release(domain)

    def release(self, domain: str) -> Iterator[ArticleItem]:
        """The held articles of ``domain``, without the promo lines learned meanwhile."""
        held, self._held[domain] = self._held.get(domain, []), []
        for item in held:
            yield self.without_learned(domain, item)

    def holding(self) -> bool:
        """Whether articles are held back."""
        return any(self._held.values())

    def release_all(self) -> Iterator[ArticleItem]:
        """Every held article, site by site (the crawl has nothing else to do)."""
        for domain in list(self._held):
            yield from self.release(domain)
