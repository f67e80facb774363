"""Health checks of a finished run: is the output trustworthy, or did the site change?

Pure functions of the run's stats and settings; :class:`newscrawl.extensions.RunReport`
logs one ERROR line per failed check and the crawl command exits with status 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newscrawl.items import REQUIRED_FIELDS


@dataclass(frozen=True)
class Thresholds:
    #: Fail when at least this share of parsed article pages lacks a required field.
    max_missing_share: float = 0.2
    #: ... once at least this many article pages were parsed.
    min_article_pages: int = 3


def check(stats: Mapping[str, Any], finish_reason: str, thresholds: Thresholds) -> list[str]:
    """The failed checks, one sentence each (empty when the run is healthy)."""
    failures: list[str] = []
    pages = int(stats.get("newscrawl/health/article_pages", 0))
    missing = {
        name: int(stats.get(f"newscrawl/health/missing_{name}", 0)) for name in REQUIRED_FIELDS
    }
    if pages and not _any_layout(stats):
        failing = [name for name, count in missing.items() if count]
        failures.append(
            f"{pages} article page(s) were fetched but none could be parsed "
            f"(missing: {', '.join(failing) or 'body'}); has the markup changed?"
        )
    elif pages >= thresholds.min_article_pages:
        for name, count in missing.items():
            if count / pages >= thresholds.max_missing_share:
                failures.append(
                    f"{name} missing on {count} of {pages} article pages "
                    f"({count / pages:.0%}, threshold {thresholds.max_missing_share:.0%}); "
                    "has the markup changed?"
                )
    robots = int(stats.get("robotstxt/request_count", 0))
    requests = int(stats.get("downloader/request_count", 0)) - robots
    responses_ok = sum(
        int(value)
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/2")
    ) - int(stats.get("robotstxt/response_status_count/200", 0))
    if requests > 0 and responses_ok <= 0:
        failures.append(f"all {requests} requests failed or were refused; is the site reachable?")
    if finish_reason != "finished":
        failures.append(f"the crawl did not finish normally (reason: {finish_reason})")
    return failures


def _any_layout(stats: Mapping[str, Any]) -> bool:
    return any(key.startswith("newscrawl/layout/") for key in stats)
