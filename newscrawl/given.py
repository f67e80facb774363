"""What became of the articles the user gave the ``news`` spider.

An article URL given by the user (a start URL shaped like an article's, a line of
``-a urls_file=``) is read as an article only. Each is counted ``given/requested``, then by
its first outcome: ``given/<outcome>`` when it does not count against the run
(:data:`GIVEN_SETTLED`), ``given/failed/<why>`` when it was lost (a skip reason, ``undated``,
``dropped``). A run whose given articles were all lost is unhealthy (health check ``given``,
:mod:`newscrawl.health`). :class:`GivenArticles` keeps that account for the spider.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newscrawl.pipelines import Duplicate, OverLimit
from newscrawl.state import state_key

#: Meta key of the requests for an article the user gave (a start URL shaped like an
#: article's, a line of ``urls_file``): the URL given. Such a page is read as an article only.
GIVEN = "newscrawl_given"
#: What became of a given article that does not count against the run (``given/<outcome>``):
#: exported; already exported (by id or content); published outside ``since``/``until``; left
#: for a later run once ``max_articles`` were exported; or no article at all but a sitemap or
#: feed, read as one (not counted as given then).
GIVEN_SETTLED = ("exported", "duplicate", "filtered", "over_limit", "feed")


class GivenArticles:
    """The articles the user gave, requested in this run, and what became of each."""

    def __init__(self, count: Callable[[str], None]) -> None:
        #: Counts an event (``given/...``): the spider's counter.
        self.count = count
        #: What became of each article given (None: under way); a URL fetched for one (its
        #: whole text) -> the URL given; the id of an item of one on its way through the
        #: pipelines -> the URL given.
        self._given: dict[str, str | None] = {}
        self._given_of: dict[str, str] = {}
        self._given_ids: dict[str, str] = {}

    def __contains__(self, url: str) -> bool:
        """Whether ``url`` was given and requested already."""
        return url in self._given

    def requested(self, url: str) -> None:
        """The article ``url`` is requested (``given/requested``)."""
        self._given[url] = None
        self.count("given/requested")

    def fetched_for(self, url: str, given: str) -> None:
        """``url`` (its whole text) is fetched for the article ``given``."""
        self._given_of[url] = given

    def item_of(self, item: Any, given: str) -> None:
        """``item``, on its way through the pipelines, is the article ``given``."""
        self._given_ids[_key(item)] = given

    def done(self, url: str | None, outcome: str) -> None:
        """What became of the given article ``url`` (or of the page ``url`` fetched for one):
        ``exported``, ``duplicate``, ``filtered`` (outside ``since``/``until``), counted as
        ``given/<outcome>``; or why it was lost (a skip reason, ``undated``, ``dropped``),
        counted as ``given/failed/<why>``. The first outcome of an article is its own. A run
        whose given articles were all lost is unhealthy (health check ``given``)."""
        if url is None:
            return
        given = self._given_of.get(url, url)
        if given not in self._given or self._given[given] is not None:
            return
        self._given[given] = outcome
        self.count(f"given/{outcome}" if outcome in GIVEN_SETTLED else f"given/failed/{outcome}")

    def item_scraped(self, item: Any, **kwargs: Any) -> None:
        """Signal ``item_scraped``: an item went through the pipelines into the feed: a given
        article is exported."""
        self.done(self._given_ids.pop(_key(item), None), "exported")

    def item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        """Signal ``item_dropped``: a pipeline dropped an item: a given article exported
        before (``duplicate``), left for later (``over_limit``: ``max_articles`` were
        exported) or lost (``dropped``: a missing or invalid field)."""
        given = self._given_ids.pop(_key(item), None)
        if isinstance(exception, Duplicate):
            outcome = "duplicate"
        elif isinstance(exception, OverLimit):
            outcome = "over_limit"
        else:
            outcome = "dropped"
        self.done(given, outcome)


def _key(item: Any) -> str:
    """An item's article by its site and id (two given sites may number articles alike)."""
    return state_key(str(getattr(item, "article_id", "")), str(getattr(item, "site", "") or ""))
