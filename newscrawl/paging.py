"""Index paging: which pages of a day's index follow the one just read.

One pure decision for every site. A site whose index shows its page count gets
all pages at once on the first pass; a site that shows none is paged one page
after another until a page lists no article. An index a committed run paged to its end before
("incremental") is paged one page at a time, newest first, and stops after a page that lists
nothing new. No index is paged past ``cap`` pages (``NEWSCRAWL_MAX_INDEX_PAGES``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    """What follows an index page."""

    #: Page numbers to request next.
    following: tuple[int, ...] = ()
    #: The index ends here (its last page, or a stop after a page with nothing new).
    complete: bool = False
    #: Stopped on a page that listed only known articles (incremental paging).
    early_stop: bool = False
    #: Stopped at the page cap although the index goes on.
    capped: bool = False


def plan_paging(
    page: int, total: int | None, *, listed: bool, new: bool, incremental: bool, cap: int
) -> Paging:
    """The pages after ``page`` of an index with ``total`` pages (None: the site does not say).

    ``listed``: the page listed articles; ``new``: some of them are to be fetched;
    ``incremental``: page one at a time and stop after a page with nothing new.
    """
    more = page < total if total is not None else listed
    if not more:
        return Paging(complete=True)
    if incremental and not new:
        return Paging(complete=True, early_stop=True)
    if total is not None and not incremental:
        if page != 1:
            return Paging()
        return Paging(following=tuple(range(2, min(total, cap) + 1)), capped=total > cap)
    if page + 1 > cap:
        return Paging(capped=True)
    return Paging(following=(page + 1,))
