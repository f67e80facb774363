"""The run report: health checks, the run manifest, and the exit status of a run."""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.internet.error import ConnectError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from newscrawl import health, safepaths
from newscrawl.items import COVERAGE_FIELDS
from newscrawl.processors import WIB
from newscrawl.run import Run

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNHEALTHY = 3
#: The finish reason of a run stopped before its spider closed (a second SIGINT/SIGTERM).
UNCLEAN_SHUTDOWN = "unclean_shutdown"


#: The User-Agent's product token; ``(+<NEWSCRAWL_CONTACT_URL>)`` follows it.
AGENT = "newscrawl/0.1"


def user_agent(settings: BaseSettings) -> str:
    """The User-Agent: ``newscrawl/0.1 (+<NEWSCRAWL_CONTACT_URL>)``, made from the contact
    URL however it was set (the settings module, ``-s``, the environment variable read by
    newscrawl/settings.py), as long as ``USER_AGENT`` is still one of ours; a ``USER_AGENT``
    set to anything else, or at a higher priority than the contact URL, is kept."""
    agent = str(settings.get("USER_AGENT") or "")
    ours = agent == AGENT or agent.startswith(f"{AGENT} (+")
    contact_priority = settings.getpriority("NEWSCRAWL_CONTACT_URL") or 0
    if agent and (not ours or (settings.getpriority("USER_AGENT") or 0) > contact_priority):
        return agent
    contact = str(settings.get("NEWSCRAWL_CONTACT_URL") or "").strip()
    return f"{AGENT} (+{contact})" if contact else AGENT


def apply_contact_url(settings: BaseSettings) -> None:
    """``USER_AGENT`` made from ``NEWSCRAWL_CONTACT_URL`` (:func:`user_agent`), at the higher
    of the two settings' priorities; settings already frozen are left as they are."""
    agent = user_agent(settings)
    if agent == settings.get("USER_AGENT") or getattr(settings, "frozen", False):
        return
    priority = max(
        settings.getpriority("USER_AGENT") or 0, settings.getpriority("NEWSCRAWL_CONTACT_URL") or 0
    )
    settings.set("USER_AGENT", agent, priority=priority)


#: Errors of the network, whose tracebacks say nothing their message does not (DNS lookups,
#: refused connections, timeouts: a machine without network, a proxy that is down).
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ConnectError,
    TwistedTimeoutError,
)
#: Loggers that log a download's error with its traceback (Scrapy's robots.txt middleware,
#: "Error downloading <request>: ...", once per host).
TRACEBACK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


class NetworkErrorTraceback(logging.Filter):
    """Leaves the traceback out of a record whose exception is an error of the network
    (:data:`NETWORK_ERRORS`): its message names the error already (a crawl with no network
    logs one line per failure, never a traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    """Install :class:`NetworkErrorTraceback` on :data:`TRACEBACK_LOGGERS` (once)."""
    for name in TRACEBACK_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(found, NetworkErrorTraceback) for found in target.filters):
            target.addFilter(NetworkErrorTraceback())


def _counters(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {
        key[len(prefix) :]: int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix)
    }


#: Meta key of the request for an article the user gave (``news``): read as an article.
GIVEN_META = "newscrawl_given"


def _page_group(request: Request | None) -> str | None:
    """``article`` or ``listing`` (index, start and other list pages) for our requests; a
    start URL the user gave as an article (``news``) is an article."""
    kind = request.meta.get("kind") if request is not None else None
    if kind is None:
        return None  # robots.txt and other requests that are not the spider's
    assert request is not None
    return "article" if kind == "article" or GIVEN_META in request.meta else "listing"


def _reaches_callback(status: int, request: Request) -> bool:
    """True for a response Scrapy's HttpErrorMiddleware hands to the callback."""
    allowed = request.meta.get("handle_httpstatus_list", ())
    return (
        200 <= status < 300
        or bool(request.meta.get("handle_httpstatus_all"))
        or (status in allowed)
    )


def peak_rss_mb() -> float | None:
    """The crawl process's own peak resident memory (Linux's ``VmHWM``; None elsewhere).
    Not ``getrusage``'s ``ru_maxrss``: that one carries over the memory of the process that
    started the crawl (it survives fork and exec), so a big parent inflates it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class RunReport:
    """The owner of a ``scrapy crawl``'s run (:class:`newscrawl.run.Run`): it opens it as the
    crawler is set up and closes it when the engine stops. On spider close: run the health
    checks, publish the run's feed (or withhold it when the markup checks failed), write
    ``runs/<run id>.json`` and set the exit status.

    It also counts, for the health checks, the pages handed to the spider's callbacks and
    the callbacks that raised (``newscrawl/health/callbacks/<group>``,
    ``newscrawl/health/callback_errors/<group>``; ``group`` is ``listing`` or ``article``).
    For a spider whose health is judged site by site (``per_site_health``: ``news``) these
    are counted for each site too, with the spider's requests that reached the downloader
    and their 2xx answers (``newscrawl/sites/<site>/fetch/requests``, ``fetch/ok``; a redirect
    to another site that answered is its first site's answer too: a site whose articles
    moved); the run
    then withholds the articles of the sites whose markup checks failed, and publishes the
    others' (see :mod:`newscrawl.health`).
    Every end-of-run write is guarded: one that fails is an ERROR line and exit status 3;
    a manifest that cannot be written is logged instead.
    """

    def __init__(self, crawler: Crawler, run: Run | None = None) -> None:
        self.crawler = crawler
        #: The run it owns (None for Scrapy's tools: ``shell``, ``fetch``, ``parse``).
        self.run = run
        settings = crawler.settings
        self.thresholds = health.Thresholds.from_settings(settings)
        #: Judged site by site: the kinds of the failed checks of each unhealthy site.
        self.site_kinds: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        apply_contact_url(crawler.settings)  # every crawler's (tools too), before it is used
        quiet_network_tracebacks()
        extension = cls(crawler, Run.open_for(crawler))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        crawler.signals.connect(
            extension.request_reached_downloader, signal=signals.request_reached_downloader
        )
        return extension

    @property
    def per_site(self) -> bool:
        """Health judged site by site (the spider's ``per_site_health``)."""
        return bool(getattr(self.crawler.spider, "per_site_health", False))

    def _count(self, name: str, url: str | None = None) -> None:
        """``newscrawl/health/<name>``, and for the site of ``url`` when health is judged
        site by site."""
        stats = self.crawler.stats
        if stats is None:
            return
        stats.inc_value(f"newscrawl/health/{name}")
        if url is not None:
            self._count_site(f"health/{name}", url)

    def _site(self, url: str) -> str:
        """The site of ``url`` when health is judged site by site, else ``""``."""
        spider = self.crawler.spider
        if spider is None or not self.per_site:
            return ""
        return str(getattr(spider, "site_of")(url))  # noqa: B009 - a spider of ours

    def _count_site(self, event: str, url: str) -> None:
        self._count_for(self._site(url), event)

    def _count_for(self, site: str, event: str) -> None:
        if site and self.crawler.stats is not None:
            self.crawler.stats.inc_value(health.site_stat(site, event))

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        if _page_group(request) is None:  # not the spider's (robots.txt)
            return
        self._count_site("fetch/requests", request.url)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        group = _page_group(request)
        if group is not None and _reaches_callback(response.status, request):
            self._count(f"callbacks/{group}", request.url)
        if group is not None and 200 <= response.status < 300:
            self._count_site("fetch/ok", request.url)
            # a redirect followed to this answer: the sites it started on answered too (a
            # site whose articles moved to another site of the run); one refused, looping or
            # led nowhere gives no answer
            here = self._site(request.url)
            for site in {self._site(url) for url in request.meta.get("redirect_urls", ())}:
                if site != here:
                    self._count_for(site, "fetch/ok")

    def spider_error(self, failure: Failure, response: Any, spider: Spider) -> None:
        request = response if isinstance(response, Request) else getattr(response, "request", None)
        url = request.url if isinstance(request, Request) else None
        self._count(f"callback_errors/{_page_group(request) or 'other'}", url)

    def engine_stopped(self) -> None:
        """The crawl is over (after the spider's own last words): the state and lock go."""
        if self.run is not None:
            self.run.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        run = self.run
        if run is None:
            return
        try:
            self.report(run, reason)
        except Exception as error:  # never a silent exit 0 with a traceback in the log
            logger.exception("Could not finish the run report: %r", error)
            run.exit_status = EXIT_UNHEALTHY
        run.reported = True
        # after the manifest: a slow or failed update costs no record of the run, and changes
        # no exit status (the feed is out; `make dataset` and `make report` catch up)
        settings = self.crawler.settings
        if run.published_ok and settings.getbool("NEWSCRAWL_DATASET_AFTER_RUN"):
            try:
                from newscrawl.dataset import build

                build(run.output_dir)
            except Exception as error:
                logger.error("Could not update the dataset (`make dataset` catches up): %r", error)
        if settings.getbool("NEWSCRAWL_REPORT_AFTER_RUN"):
            try:
                from newscrawl.report import write

                logger.info("Wrote %s", write(run.output_dir))
            except Exception as error:  # the run is done; `make report` can be run again
                logger.error("Could not write the report: %r", error)

    def report(self, run: Run, reason: str) -> None:
        """Health checks, publish (or withhold), manifest and run record of a closed spider.
        A run judged site by site withholds the articles of the sites whose markup checks
        failed and publishes the others'."""
        stats = self._stats()
        failures = self._check(run, stats, reason)
        try:
            if any(failure.kind == "markup" for failure in failures):
                run.withhold()
            elif self.per_site:
                run.publish(withhold_sites=self._markup_sites())
            else:
                run.publish()
        except Exception as error:  # disk full, state locked...: loud, not a silent exit 0
            self._fail(run, "Could not publish the run's feed (kept for recovery)", error)
        else:
            if run.published_ok:
                try:
                    run.remember_learned()
                except Exception as error:  # the feed is out; later runs learn them again
                    self._fail(
                        run, "Published, but could not remember the learned promo lines", error
                    )
            if run.published_ok:
                try:
                    run.remember_settled_indexes()  # however the run ended
                    if reason == "finished":
                        run.remember_complete_indexes()
                except Exception as error:  # the feed is out; only early stops are lost
                    self._fail(
                        run,
                        "Published, but could not remember which indexes are complete (the "
                        "next run pages them in full)",
                        error,
                    )
        self.write_manifest(run, stats, reason)

    def report_unclean(self, run: Run) -> None:
        """The reactor stopped before the spider closed (a second SIGINT/SIGTERM): nothing
        is published; the run's ``.part`` is left for the next run to recover, and the
        manifest says so (finish reason ``unclean_shutdown``, exit status 3)."""
        stats = self._stats()
        self._check(run, stats, UNCLEAN_SHUTDOWN)
        try:
            part = run.leave_for_recovery()
        except Exception as error:
            self._fail(run, "Could not flush the run's feed", error)
        else:
            logger.warning(
                "The run was stopped before it finished: nothing published%s",
                f"; {part} is recovered by the next run" if part else "",
            )
        self.write_manifest(run, stats, UNCLEAN_SHUTDOWN)
        run.reported = True

    def _stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return dict(self.crawler.stats.get_stats())

    def _check(self, run: Run, stats: dict[str, Any], reason: str) -> list[health.Failure]:
        """The run's failed checks, each an ERROR line; judged site by site, each failed
        check of a site is one too (``Unhealthy run: <site>: ...``), kept in
        ``run.site_failures``, and is not among the failures returned (which withhold the
        whole run)."""
        per_site = self.per_site
        failures = health.check(stats, reason, self.thresholds, per_site=per_site)
        for failure in failures:
            logger.error("Unhealthy run: %s", failure.message)
        run.health_failures = [failure.message for failure in failures]
        if per_site:
            by_site = health.check_sites(stats, self.thresholds)
            run.site_failures = {}
            self.site_kinds = {site: {f.kind for f in found} for site, found in by_site.items()}
            for site, found in by_site.items():
                for failure in found:
                    tail = "; its articles are withheld" if failure.kind == "markup" else ""
                    logger.error("Unhealthy run: %s: %s%s", site, failure.message, tail)
                    run.health_failures.append(f"{site}: {failure.message}")
                run.site_failures[site] = [failure.message for failure in found]
        run.exit_status = EXIT_UNHEALTHY if run.health_failures else EXIT_OK
        return failures

    def _markup_sites(self) -> list[str]:
        """The sites whose markup checks failed (their articles are withheld)."""
        return sorted(site for site, found in self.site_kinds.items() if "markup" in found)

    @staticmethod
    def _fail(run: Run, what: str, error: BaseException) -> None:
        logger.error("%s: %s", what, error)
        run.health_failures.append(f"{what}: {error}")
        run.exit_status = EXIT_UNHEALTHY

    def write_manifest(self, run: Run, stats: dict[str, Any], reason: str) -> None:
        """``runs/<run id>.json`` and the state's run record, each guarded: a failure is an
        ERROR and exit status 3, recorded in the other; a manifest that cannot be written
        at all is logged (one ERROR line with its JSON)."""
        path = run.spider_dir / "runs" / f"{run.run_id}.json"
        written = self._write_file(run, path, self.manifest(run, stats, reason))
        try:
            run.state.record_run(
                run.run_id, run.started_at.isoformat(), self.manifest(run, stats, reason)
            )
        except Exception as error:
            self._fail(run, "Could not record the run in the crawl state", error)
            if written:
                written = self._write_file(run, path, self.manifest(run, stats, reason))
        manifest = self.manifest(run, stats, reason)
        if not written:
            logger.error(
                "The manifest of run %s, not written to %s: %s",
                run.run_id,
                path,
                json.dumps(manifest, ensure_ascii=False, default=str),
            )
        logger.info(
            "Run %s: %d articles exported, exit status %d, manifest %s",
            run.run_id,
            manifest["items_exported"],
            run.exit_status,
            path if written else "in the log",
        )

    def _write_file(self, run: Run, path: Path, manifest: dict[str, Any]) -> bool:
        try:
            write_json_atomically(path, manifest, run.output_dir)
        except OSError as error:
            self._fail(run, f"Could not write the run manifest {path}", error)
            return False
        return True

    def manifest(self, run: Run, stats: dict[str, Any], reason: str) -> dict[str, Any]:
        exported = sum(feed.lines for feed in run.published)
        written = int(stats.get("newscrawl/export/written", 0))
        requests = int(stats.get("downloader/request_count", 0))
        coverage = _counters(stats, "newscrawl/coverage/")
        dropped = {
            **{
                k: v
                for k, v in _counters(stats, "newscrawl/validation/").items()
                if k.startswith(("missing_", "invalid_"))
            },
            **{k: v for k, v in _counters(stats, "newscrawl/dedup/").items() if k != "unique"},
        }
        return {
            "run_id": run.run_id,
            "spider": run.spider_name,
            "worker": run.worker,
            "tick": run.tick,
            "seeded_tick": run.seeded_tick if run.distributed else None,
            "frontier": _counters(stats, "newscrawl/frontier/"),
            "politeness": _counters(stats, "newscrawl/politeness/"),
            "started_at": run.started_at.isoformat(),
            "finished_at": datetime.now(WIB).replace(microsecond=0).isoformat(),
            "duration_seconds": round(time.monotonic() - run.clock, 3),
            "arguments": run.arguments,
            "days": run.days,
            "finish_reason": reason,
            "items_exported": exported,
            "items_dropped": dropped,
            "pages_skipped": _counters(stats, "newscrawl/skipped/"),
            "spider_exceptions": {
                name: count
                for name, count in _counters(stats, "spider_exceptions/").items()
                if name != "count"
            },
            "boilerplate_drops": _counters(stats, "newscrawl/boilerplate/"),
            "learned_boilerplate": {
                site: dict(lines.most_common()) for site, lines in sorted(run.learned.items())
            },
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
            **(
                {
                    "sites": run.sites,
                    "withheld_sites": run.withheld_sites,
                    "items_withheld": run.items_withheld,
                    "given": _counters(stats, "newscrawl/given/"),
                }
                if self.per_site
                else {}
            ),
            "recovered_feeds": [feed.describe(run.output_dir) for feed in run.recovered],
            "rebuilt_state": run.adopted.describe() if run.adopted else None,
            "left_for_recovery": (
                str(run.feed.part) if run.feed.part.exists() and not run.withheld else None
            ),
            "health": {
                "ok": not run.health_failures,
                "failures": run.health_failures,
                **({"sites": run.site_failures} if self.per_site else {}),
            },
            "exit_status": run.exit_status,
            "peak_rss_mb": peak_rss_mb(),
        }


def write_json_atomically(path: Path, data: dict[str, Any], root: Path | None = None) -> None:
    """``path`` written through ``<path>.tmp`` and an atomic rename, never through a symbolic
    link: not the file's; with ``root`` (the output folder), not a folder's between ``root``
    and it; without, not its own folder's (``runs/``). :class:`safepaths.LinkError`."""
    tmp = path.with_name(path.name + ".tmp")
    root = root if root is not None else path.parent.parent
    with safepaths.open_nofollow(tmp, "w", root, encoding="utf-8", make_parents=True) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, default=str)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    safepaths.replace(tmp, path, root)
