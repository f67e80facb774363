"""Health checks of a finished run: is the output trustworthy, or did the site change?

Pure functions of the run's stats; :class:`newscrawl.extensions.RunReport` logs one ERROR line
per failed check, withholds the feed of a run whose markup checks failed, and the crawl
command exits with status 3.

A site spider's run is judged whole (:func:`check`). The ``news`` spider's runs cover any
number of sites: the markup, fetch and callback checks are judged site by site
(:func:`check_sites`, from the stats counted per site under ``newscrawl/sites/<site>/``), so
one site's problem withholds its own articles only; the run itself is judged on its finish,
on the articles the user gave (:func:`check` with ``per_site=True``: ``given``) and on its
blocked article pages (``blocked``: the skips are counted for the whole run only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self

from newscrawl.items import REQUIRED_FIELDS


class _Settings(Protocol):
    def getfloat(self, name: str, default: float = 0.0) -> float: ...

    def getint(self, name: str, default: int = 0) -> int: ...


@dataclass(frozen=True)
class Thresholds:
    #: Fail when at least this share of parsed article pages lacks a required field.
    max_missing_share: float = 0.2
    #: ... once at least this many article pages were parsed.
    min_article_pages: int = 3
    #: Fail when at least this share of the article pages that answered was blocked or gone
    #: (``newscrawl/skipped/blocked``, ``skipped/not_found``; check ``blocked``) ...
    max_blocked_share: float = 0.5
    #: ... and at least this many were. Above the handful a run that only asks again for the
    #: pages blocked an hour ago (``NEWSCRAWL_RETRY_AFTER_HOURS``) meets: the reference days'
    #: 3 blocked and 1 gone with ``browser=never``.
    min_blocked_pages: int = 5
    #: A site judged on its own (``scrapy crawl news``, site by site) fails ``markup`` only
    #: when at least this many of its pages lack the field: its pages are read one by one by
    #: the generic reader, and one odd page of a handful (a gallery, a page with no headline)
    #: says nothing of the others, whose articles it would withhold.
    min_site_missing_pages: int = 2

    @classmethod
    def from_settings(cls, settings: _Settings) -> Self:
        """The thresholds the ``NEWSCRAWL_HEALTH_*`` settings set (defaults: the fields')."""
        return cls(
            max_missing_share=settings.getfloat(
                "NEWSCRAWL_HEALTH_MAX_MISSING_SHARE", cls.max_missing_share
            ),
            min_article_pages=settings.getint(
                "NEWSCRAWL_HEALTH_MIN_ARTICLE_PAGES", cls.min_article_pages
            ),
            min_site_missing_pages=settings.getint(
                "NEWSCRAWL_HEALTH_MIN_SITE_MISSING_PAGES", cls.min_site_missing_pages
            ),
            max_blocked_share=settings.getfloat(
                "NEWSCRAWL_HEALTH_MAX_BLOCKED_SHARE", cls.max_blocked_share
            ),
            min_blocked_pages=settings.getint(
                "NEWSCRAWL_HEALTH_MIN_BLOCKED_PAGES", cls.min_blocked_pages
            ),
        )


@dataclass(frozen=True)
class Failure:
    """A failed check: ``markup`` (the site changed: items are withheld), ``fetch``,
    ``blocked`` (most article pages were blocked or gone), ``archives`` (not one archive
    could be read), ``callbacks`` (the spider's callbacks raised), ``given`` (not one of the
    articles the user gave was exported) or ``finish``."""

    kind: str
    message: str


#: Where what the checks count is counted for each site (health judged site by site).
SITES_PREFIX = "newscrawl/sites/"
#: The finish reason of a run that exported its ``-a max_articles=N`` (the export pipeline
#: closes the spider): a healthy finish, as ``finished`` is.
MAX_ARTICLES = "max_articles"
HEALTHY_FINISHES = ("finished", MAX_ARTICLES)


def site_stat(site: str, event: str) -> str:
    """The stat of ``event`` (``health/article_pages``, ``validation/invalid_title``, ...,
    as it is named under ``newscrawl/``) counted for ``site`` alone."""
    return f"{SITES_PREFIX}{site}/{event}"


def site_stats(stats: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The stats counted for each site, each named as the run's own
    (``newscrawl/sites/a.id/health/article_pages`` -> ``newscrawl/health/article_pages``)."""
    sites: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if key.startswith(SITES_PREFIX):
            site, _, event = key[len(SITES_PREFIX) :].partition("/")
            if site and event:
                sites.setdefault(site, {})[f"newscrawl/{event}"] = value
    return sites


def check(
    stats: Mapping[str, Any],
    finish_reason: str,
    thresholds: Thresholds,
    per_site: bool = False,
) -> list[Failure]:
    """The failed checks of the whole run (empty when it is healthy). With ``per_site`` the
    markup, fetch and callback checks are left to :func:`check_sites`."""
    # a run bounded by max_articles may end before it reaches what it was given
    given = _given(stats) if finish_reason != MAX_ARTICLES else None
    checks = (
        (_blocked(stats, thresholds), _finish(finish_reason), given)
        if per_site
        else (
            _markup(stats, thresholds),
            _fetching(stats),
            _blocked(stats, thresholds),
            _archives(stats),
            _callbacks(stats, thresholds),
            _finish(finish_reason),
        )
    )
    return [failure for failure in checks if failure is not None]


def check_sites(stats: Mapping[str, Any], thresholds: Thresholds) -> dict[str, list[Failure]]:
    """The failed checks of each site of a run judged site by site (only the sites with a
    failure): ``markup`` (its articles are withheld), ``fetch`` (every request to it
    failed) and ``callbacks``, as :func:`check` judges a whole run."""
    failed: dict[str, list[Failure]] = {}
    for site, counted in sorted(site_stats(stats).items()):
        failures = [
            failure
            for failure in (
                _markup(counted, thresholds, thresholds.min_site_missing_pages),
                _site_fetching(counted),
                _callbacks(counted, thresholds),
            )
            if failure is not None
        ]
        if failures:
            failed[site] = failures
    return failed


def _site_fetching(stats: Mapping[str, Any]) -> Failure | None:
    """Every request to the site failed: ``fetch/requests`` (the spider's requests that
    reached the downloader) without one ``fetch/ok`` (a 2xx answer; a redirect to another
    site of the run that answered counts for the site it left)."""
    requests = int(stats.get("newscrawl/fetch/requests", 0))
    if requests > 0 and int(stats.get("newscrawl/fetch/ok", 0)) <= 0:
        return Failure("fetch", f"all {requests} requests failed; is the site reachable?")
    return None


def _given(stats: Mapping[str, Any]) -> Failure | None:
    """The user gave articles (start URLs shaped like articles, ``urls_file``), some were
    requested (``given/requested``; those that were sitemaps or feeds, ``given/feed``,
    aside), and not one of them was exported, found exported before, or left out by
    ``since``/``until``: the run delivered nothing of what it was asked for. The message
    names why they were lost (``given/failed/<why>``)."""
    feeds = int(stats.get("newscrawl/given/feed", 0))  # given, but a sitemap or a feed
    requested = int(stats.get("newscrawl/given/requested", 0)) - feeds
    if requested <= 0:
        return None
    settled = sum(
        int(stats.get(f"newscrawl/given/{outcome}", 0))
        for outcome in ("exported", "duplicate", "filtered", "over_limit")
    )
    if settled:
        return None
    prefix = "newscrawl/given/failed/"
    lost = {
        key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)
    }
    unsettled = requested - sum(lost.values())
    if unsettled > 0:
        lost["unfinished"] = unsettled
    why = ", ".join(f"{reason} {count}" for reason, count in sorted(lost.items()))
    return Failure(
        "given",
        f"none of the {requested} article(s) given was exported ({why}); see the warnings above",
    )


def _invalid(stats: Mapping[str, Any]) -> dict[str, int]:
    """Items the validation dropped for an insane value, by field."""
    prefix = "newscrawl/validation/invalid_"
    return {
        key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)
    }


def _markup(
    stats: Mapping[str, Any], thresholds: Thresholds, min_missing: int = 1
) -> Failure | None:
    """Too many article pages lack a required field, or hold an insane value in a field
    (``newscrawl/validation/invalid_<field>``, counted like a missing one): the threshold's
    share of them, and at least ``min_missing``."""
    pages = int(stats.get("newscrawl/health/article_pages", 0))
    missing = {
        name: int(stats.get(f"newscrawl/health/missing_{name}", 0)) for name in REQUIRED_FIELDS
    }
    invalid = _invalid(stats)
    parsed_any = any(key.startswith("newscrawl/layout/") for key in stats)
    if pages < thresholds.min_article_pages:
        return None
    if not parsed_any:
        failing = [name for name, count in missing.items() if count] or ["body"]
        return Failure(
            "markup",
            f"none of {pages} article page(s) could be parsed (missing: {', '.join(failing)}); "
            "has the markup changed?",
        )
    failing = []
    for name in (*missing, *(name for name in invalid if name not in missing)):
        count = missing.get(name, 0) + invalid.get(name, 0)
        if count / pages >= thresholds.max_missing_share and count >= min_missing:
            bad = f", {invalid[name]} invalid" if invalid.get(name) else ""
            failing.append(f"{name} on {count} of {pages} ({count / pages:.0%}{bad})")
    if not failing:
        return None
    return Failure(
        "markup",
        f"article pages without {'; '.join(failing)}, threshold "
        f"{thresholds.max_missing_share:.0%}; has the markup changed?",
    )


def _fetching(stats: Mapping[str, Any]) -> Failure | None:
    """Every request (robots.txt aside) failed; the message says how (DNS lookups, refused
    connections, timeouts, HTTP statuses) and what that suggests (no network?)."""
    robots = int(stats.get("robotstxt/request_count", 0))
    requests = int(stats.get("downloader/request_count", 0)) - robots
    responses_ok = sum(
        int(value)
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/2")
    ) - int(stats.get("robotstxt/response_status_count/200", 0))
    responses_ok += int(stats.get("newscrawl/browser/passed", 0))
    if requests > 0 and responses_ok <= 0:
        causes = failure_causes(stats)
        how = f" ({', '.join(f'{cause} x{count}' for cause, count in causes.items())})"
        return Failure(
            "fetch", f"all {requests} requests failed{how if causes else ''}; {_hint(causes)}"
        )
    return None


def _blocked(stats: Mapping[str, Any], thresholds: Thresholds) -> Failure | None:
    """Most article pages that answered were blocked (``newscrawl/skipped/blocked``: HTTP
    401/403, a challenge page with ``browser=never`` or one the browser did not pass) or gone
    (``skipped/not_found``: HTTP 404/410): at least ``min_blocked_pages`` of them, and at
    least ``max_blocked_share`` of the article pages that answered (those, and the pages read:
    ``health/article_pages``). The listing pages' skips (``index_blocked``, ...) are not
    counted (a run whose every page failed fails the fetch check), nor the articles a user
    gave (``start_blocked``: the ``given`` check)."""
    blocked = int(stats.get("newscrawl/skipped/blocked", 0))
    gone = int(stats.get("newscrawl/skipped/not_found", 0))
    lost = blocked + gone
    answered = int(stats.get("newscrawl/health/article_pages", 0)) + lost
    if (
        lost < max(thresholds.min_blocked_pages, 1)
        or lost / answered < thresholds.max_blocked_share
    ):
        return None
    hint = (
        "has the site blocked this crawler (its user agent, its address; a JavaScript check "
        "passes with browser=fallback)?"
        if blocked >= gone
        else "have the article URLs changed?"
    )
    return Failure(
        "blocked",
        f"{lost} of {answered} article pages ({lost / answered:.0%}) were blocked ({blocked}) "
        f"or gone ({gone}), threshold {thresholds.max_blocked_share:.0%}; {hint}",
    )


#: How a download failed, by the class of the exception Scrapy counted
#: (``downloader/exception_type_count/<module>.<class>``): what the network said.
NETWORK_ERRORS = {
    "CannotResolveHostError": "DNS lookup failed",
    "DNSLookupError": "DNS lookup failed",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "NoRouteError": "no route to host",
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "ConnectError": "could not connect",
}


def failure_causes(stats: Mapping[str, Any]) -> dict[str, int]:
    """Why requests failed, most tries first: the network's errors by kind (``DNS lookup
    failed``, ``connection refused``, ``timed out``, ... or the exception's class name), and
    answers by status (``HTTP 404``). Each try counts (retries too)."""
    causes: dict[str, int] = {}
    prefix = "downloader/exception_type_count/"
    for key, value in stats.items():
        if key.startswith(prefix):
            name = key[len(prefix) :].rsplit(".", 1)[-1]
            cause = NETWORK_ERRORS.get(name, name)
            causes[cause] = causes.get(cause, 0) + int(value)
    prefix = "downloader/response_status_count/"
    for key, value in stats.items():
        if key.startswith(prefix) and not key[len(prefix) :].startswith("2"):
            cause = f"HTTP {key[len(prefix) :]}"
            causes[cause] = causes.get(cause, 0) + int(value)
    return dict(sorted(causes.items(), key=lambda pair: (-pair[1], pair[0])))


def _hint(causes: Mapping[str, int]) -> str:
    """What a run whose every request failed so suggests."""
    network = set(NETWORK_ERRORS.values())
    if causes and all(cause in network for cause in causes):
        if "DNS lookup failed" in causes:
            return "no network?"
        if "connection refused" in causes:
            return "no network, or the proxy (http_proxy/https_proxy) is down?"
        return "no network, or is the site down?"
    return "is the site reachable?"


def network_down(stats: Mapping[str, Any]) -> str | None:
    """When not one request of the run got an answer and the network said why (every failure
    a DNS lookup, a refused connection, a timeout...): ``"no network? (DNS lookup failed
    x6)"``; else None. What a run's last line says (``scrapy crawl``), whichever sites."""
    answers = sum(
        int(value)
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    )
    causes = failure_causes(stats)
    network = set(NETWORK_ERRORS.values())
    if answers or not causes or not all(cause in network for cause in causes):
        return None
    how = ", ".join(f"{cause} x{count}" for cause, count in causes.items())
    return f"{_hint(causes)} ({how})"


#: Why an archive source could not be read, as ``newscrawl/archive/<event>`` counts them.
ARCHIVE_FAILURES = ("refused", "unreadable", "corrupt", "truncated", "too_large")


def _archives(stats: Mapping[str, Any]) -> Failure | None:
    """An archive run (``-a warc=``, ``-a ccnews=``) in which not one archive source (nor
    the CC-NEWS list) could be read: ``newscrawl/archive/sources_failed`` without any
    ``newscrawl/archive/sources_read``."""
    failed = int(stats.get("newscrawl/archive/sources_failed", 0))
    if not failed or int(stats.get("newscrawl/archive/sources_read", 0)):
        return None
    why = ", ".join(
        f"{event} {count}"
        for event in ARCHIVE_FAILURES
        if (count := int(stats.get(f"newscrawl/archive/{event}", 0)))
    )
    return Failure(
        "archives",
        f"none of the {failed} archive source(s) could be read ({why}); see the warnings above",
    )


def _callbacks(stats: Mapping[str, Any], thresholds: Thresholds) -> Failure | None:
    """The spider's callbacks raised: on every listing page (nothing could be discovered), or
    on at least the missing-field share of article pages."""
    problems = []
    listings = int(stats.get("newscrawl/health/callbacks/listing", 0))
    listing_errors = int(stats.get("newscrawl/health/callback_errors/listing", 0))
    if listing_errors and listing_errors >= listings:
        problems.append(f"every listing page's callback raised ({listing_errors})")
    articles = int(stats.get("newscrawl/health/callbacks/article", 0))
    article_errors = int(stats.get("newscrawl/health/callback_errors/article", 0))
    if (
        articles >= thresholds.min_article_pages
        and article_errors / articles >= thresholds.max_missing_share
    ):
        problems.append(f"the callbacks of {article_errors} of {articles} article pages raised")
    if not problems:
        return None
    exceptions = ", ".join(
        f"{key.removeprefix('spider_exceptions/')} x{int(value)}"
        for key, value in sorted(stats.items())
        if key.startswith("spider_exceptions/") and key != "spider_exceptions/count"
    )
    return Failure(
        "callbacks",
        f"{'; '.join(problems)}{f' ({exceptions})' if exceptions else ''}; see the tracebacks "
        "above (a damaged state, or a page the spider cannot read)",
    )


def _finish(finish_reason: str) -> Failure | None:
    """The crawl ended for another reason than ``finished`` or ``max_articles`` (the bound the
    user set: a healthy finish)."""
    if finish_reason in HEALTHY_FINISHES:
        return None
    return Failure("finish", f"the crawl did not finish normally (reason: {finish_reason})")
