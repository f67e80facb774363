"""The run report: health checks, the run manifest, and the exit status of a run."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newscrawl import health
from newscrawl.items import COVERAGE_FIELDS
from newscrawl.processors import WIB
from newscrawl.run import Run

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNHEALTHY = 3


def _counters(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {
        key[len(prefix) :]: int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix)
    }


class RunReport:
    """On spider close: run the health checks, publish the run's feed (or withhold it when the
    markup checks failed), write ``runs/<run id>.json`` and set the exit status."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.thresholds = health.Thresholds(
            max_missing_share=settings.getfloat("NEWSCRAWL_HEALTH_MAX_MISSING_SHARE", 0.2),
            min_article_pages=settings.getint("NEWSCRAWL_HEALTH_MIN_ARTICLE_PAGES", 3),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        run = getattr(spider, "run", None)
        if not isinstance(run, Run):
            return
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        failures = health.check(stats, reason, self.thresholds)
        for failure in failures:
            logger.error("Unhealthy run: %s", failure.message)
        run.health_failures = [failure.message for failure in failures]
        run.exit_status = EXIT_UNHEALTHY if failures else EXIT_OK
        try:
            if any(failure.kind == "markup" for failure in failures):
                run.withhold()
            else:
                run.publish(finished=reason == "finished")
        except Exception as error:  # disk full, state locked...: loud, not a silent exit 0
            logger.error("Could not publish the run's feed (kept for recovery): %r", error)
            run.health_failures.append(f"publishing failed: {error!r}")
            run.exit_status = EXIT_UNHEALTHY
        manifest = self.manifest(run, stats, reason)
        path = run.spider_dir / "runs" / f"{run.run_id}.json"
        write_json_atomically(path, manifest)
        run.state.record_run(run.run_id, run.started_at.isoformat(), manifest)
        logger.info(
            "Run %s: %d articles exported, exit status %d, manifest %s",
            run.run_id,
            manifest["items_exported"],
            run.exit_status,
            path,
        )

    def manifest(self, run: Run, stats: dict[str, Any], reason: str) -> dict[str, Any]:
        exported = sum(feed.lines for feed in run.published)
        written = int(stats.get("newscrawl/export/written", 0))
        requests = int(stats.get("downloader/request_count", 0))
        coverage = _counters(stats, "newscrawl/coverage/")
        dropped = {
            **{
                f"missing_{k[8:]}": v
                for k, v in _counters(stats, "newscrawl/validation/").items()
                if k.startswith("missing_")
            },
            **{k: v for k, v in _counters(stats, "newscrawl/dedup/").items() if k != "unique"},
        }
        return {
            "run_id": run.run_id,
            "spider": run.spider_name,
            "started_at": run.started_at.isoformat(),
            "finished_at": datetime.now(WIB).replace(microsecond=0).isoformat(),
            "arguments": run.arguments,
            "finish_reason": reason,
            "items_exported": exported,
            "items_dropped": dropped,
            "pages_skipped": _counters(stats, "newscrawl/skipped/"),
            "boilerplate_drops": _counters(stats, "newscrawl/boilerplate/"),
            "field_coverage": {
                name: round(coverage.get(name, 0) / written, 4) if written else None
                for name in COVERAGE_FIELDS
            },
            "discovery": _counters(stats, "newscrawl/discovery/"),
            "browser": _counters(stats, "newscrawl/browser/"),
            "requests": requests,
            "requests_per_new_article": round(requests / exported, 2) if exported else None,
            "feeds": [feed.describe(run.output_dir) for feed in run.published],
            "withheld_feed": str(run.withheld_feed) if run.withheld_feed else None,
            "recovered_feeds": [feed.describe(run.output_dir) for feed in run.recovered],
            "health": {"ok": not run.health_failures, "failures": run.health_failures},
            "exit_status": run.exit_status,
        }


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, default=str)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
