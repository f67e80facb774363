"""Spider arguments (``-a name=value``): parsed and checked before any request is made."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from newscrawl.processors import WIB


class ArgumentError(ValueError):
    """A bad spider argument; the message is one line meant for the user."""


@dataclass(frozen=True)
class CrawlPlan:
    """What a run crawls: index days and channels, or explicit start URLs."""

    days: tuple[date, ...] = ()
    channels: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    #: ``news``: URLs read as articles only, never as listing pages (``-a urls_file=``).
    article_urls: tuple[str, ...] = ()
    #: Page through every index page, even past pages that list only known articles.
    backfill: bool = False
    #: When Chromium is used: ``never``, ``fallback`` (JavaScript checks only) or ``always``.
    browser: str = "fallback"
    #: No dates were given: the days are the default window (see :func:`default_window`).
    default_window: bool = False
    #: Publication dates kept (``news``, and archives: a filter on items, either end open).
    since: date | None = None
    until: date | None = None
    #: WARC files or URLs to read instead of the site (``-a warc=``), and a month of Common
    #: Crawl's CC-NEWS (``-a ccnews=YYYY-MM``).
    archives: tuple[str, ...] = ()
    ccnews: str | None = None
    #: Stop once this many articles were exported (``-a max_articles=N``): a healthy finish
    #: (reason ``max_articles``). None: no bound.
    max_articles: int | None = None
    #: A one-off run (``-a fresh=1``): the output folder's state, feeds and manifests are
    #: neither read nor written; the crawl works in a throwaway folder and delivers only the
    #: user's own feed (``-O``/``-o``).
    fresh: bool = False

    @property
    def from_archives(self) -> bool:
        return bool(self.archives or self.ccnews)


def today_wib() -> date:
    return datetime.now(WIB).date()


def parse_day(name: str, value: str) -> date:
    """``YYYY-MM-DD`` → date, or :class:`ArgumentError` naming the argument."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(f"{name}={value!r} is not a date in the form YYYY-MM-DD") from None


def default_window(
    today: date, catchup_days: int, closed: Callable[[date], bool]
) -> tuple[date, ...]:
    """The days a run without dates covers, oldest first: yesterday and today always (a day's
    index can still grow after a run that paged it before midnight), and each earlier day back
    to ``catchup_days`` before today that is not ``closed`` (paged to its end by a run that
    started after the day was over), so a missed evening or a failed run is caught up."""
    earlier = (today - timedelta(days=n) for n in range(max(catchup_days, 1), 1, -1))
    return (*(day for day in earlier if not closed(day)), today - timedelta(days=1), today)


def date_range(since: str | None, until: str | None, today: date) -> tuple[date, ...]:
    """The inclusive days from ``since`` to ``until``; ``since`` alone is one day; none: today
    (a spider widens that to :func:`default_window` once it can read its state)."""
    if since is None and until is None:
        return (today,)
    if since is None:
        raise ArgumentError("until= needs since= (since alone crawls one day)")
    first = parse_day("since", since)
    last = parse_day("until", until) if until is not None else first
    if first > last:
        raise ArgumentError(f"since={first} is after until={last}")
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def split_list(value: str) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in value.split(",") if part.strip()]


#: Where ``news``'s ``start_urls`` is split: at commas (and blanks) followed by ``http://`` or
#: ``https://``, so that a URL may hold commas (``.../nachrichten/titel,UBxyz``).
_URL_SEPARATOR = re.compile(r"\s*,[\s,]*(?=https?://)", re.IGNORECASE)
#: The largest ``urls_file`` read (bytes): a URL a line, far more than any run needs.
MAX_URLS_FILE_BYTES = 64 * 1024 * 1024


def split_urls(value: str) -> list[str]:
    """``"https://a/x,y, https://b/"`` → ``["https://a/x,y", "https://b/"]``: a comma list of
    URLs split only where a comma is followed by ``http(s)://``."""
    return [part.strip() for part in _URL_SEPARATOR.split(value.strip().strip(",")) if part.strip()]


def read_urls_file(path: str, check: Callable[[str], str | None]) -> tuple[str, ...]:
    """The URLs of ``-a urls_file=PATH``: one a line; blank lines and lines starting with
    ``#`` are passed over, blanks around a URL ignored. ``check`` says what is wrong with a
    URL (None: nothing); the first bad line is an :class:`ArgumentError` naming its number.
    Repeated URLs are read once, in file order."""
    try:
        with open(Path(path).expanduser(), "rb") as handle:
            data = handle.read(MAX_URLS_FILE_BYTES + 1)
    except OSError as error:
        raise ArgumentError(
            f"urls_file={path!r} cannot be read: {error.strerror or error}"
        ) from None
    if len(data) > MAX_URLS_FILE_BYTES:
        raise ArgumentError(f"urls_file={path!r} is over {MAX_URLS_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArgumentError(f"urls_file={path!r} is not UTF-8 text ({error.reason})") from None
    urls: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        wrong = check(url)
        if wrong is not None:
            shown = url if len(url) <= 200 else url[:197] + "..."
            raise ArgumentError(f"urls_file={path!r} line {number}: {shown!r} {wrong}")
        urls.append(url)
    if not urls:
        raise ArgumentError(f"urls_file={path!r} lists no URL")
    return tuple(dict.fromkeys(urls))


def parse_channels(value: str, known: Iterable[str], all_value: str) -> tuple[str, ...]:
    """A comma list of channel ids, each one of ``known``; ``all_value`` alone means all."""
    known = list(known)
    channels = split_list(value)
    if not channels:
        raise ArgumentError("channels= is empty")
    unknown = [channel for channel in channels if channel not in known]
    if unknown:
        raise ArgumentError(f"unknown channel {', '.join(unknown)} (known: {', '.join(known)})")
    if all_value in channels:
        return (all_value,)
    return tuple(dict.fromkeys(channels))


def parse_start_urls(value: str, accepts: Callable[[str], bool], site: str) -> tuple[str, ...]:
    """A comma list of URLs, each one accepted by ``accepts`` (on the spider's site)."""
    urls = split_list(value)
    if not urls:
        raise ArgumentError("start_urls= is empty")
    for url in urls:
        if not accepts(url):
            raise ArgumentError(f"start URL {url!r} is not a {site} URL")
    return tuple(dict.fromkeys(urls))


#: Arguments every spider of ours takes, about the run rather than what it crawls.
RUN_OPTIONS = frozenset({"max_articles", "fresh"})


def parse_flag(name: str, value: object) -> bool:
    """``1``/``0`` (also ``true``/``false``, ``yes``/``no``), or :class:`ArgumentError`."""
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise ArgumentError(f"{name}={text!r} is not 0 or 1")


def parse_max_articles(value: object) -> int:
    """A whole number of articles, 1 or more, or :class:`ArgumentError`."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ArgumentError(f"max_articles={text!r} is not a whole number of articles (1 or more)")
    return int(text)


def run_options(kwargs: dict[str, object]) -> tuple[int | None, bool]:
    """The :data:`RUN_OPTIONS` among the spider arguments, checked: ``max_articles`` (None:
    no bound) and ``fresh``."""
    limit = kwargs.get("max_articles")
    fresh = kwargs.get("fresh")
    return (
        parse_max_articles(limit) if limit is not None else None,
        parse_flag("fresh", fresh) if fresh is not None else False,
    )


def check_names(given: Iterable[str], known: Iterable[str]) -> None:
    """Refuse argument names the spider does not know (a typo must not be ignored)."""
    known = sorted(known)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ArgumentError(f"unknown argument {', '.join(unknown)} (known: {', '.join(known)})")
