"""``scrapy crawl`` for cron: checks first, one run at a time, an exit status that means something.

Before anything starts it refuses bad spider arguments (exit 2), refuses a symbolic link where
the run will write under the output folder (exit 2 naming it, see :mod:`newscrawl.safepaths`),
takes the spider's run lock (exit 75 when another run holds it: nothing is fetched) and checks
that the state can be used (exit 2 with the file and the fix). After the crawl it exits 3 when
the run was unhealthy, and when it was stopped before its spider closed (a second SIGINT or
SIGTERM: an unclean shutdown writes its manifest here, publishes nothing, and leaves its feed
for the next run to recover). Exit statuses are listed in the README and docs/operations.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from newscrawl import distributed, health, scratch
from newscrawl.arguments import ArgumentError, CrawlPlan
from newscrawl.browser import chromium_available, missing_browser_message
from newscrawl.extensions import EXIT_UNHEALTHY, RunReport
from newscrawl.pages.reading import worker_count
from newscrawl.run import RUN_ARGUMENTS, RUN_ENABLED, RUN_NAME, Run, state_class
from newscrawl.safepaths import LinkError, refuse_links
from newscrawl.spiders.base import PLAN_SETTING, BaseNewsSpider
from newscrawl.state import LockedError, RunLock, StateError, lock_for, output_dir

EXIT_BAD_ARGUMENTS = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    #: The throwaway output folder of a fresh run (``-a fresh=1``), removed when it ends.
    fresh_folder: Path | None = None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            self.run_crawl(args, opts)
        finally:
            if self.fresh_folder is not None:
                shutil.rmtree(self.fresh_folder, ignore_errors=True)

    def run_crawl(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None:
            super().run(args, opts)
            return
        name = args[0]
        try:
            spider_class = self.crawler_process.spider_loader.load(name)
        except KeyError:
            raise UsageError(f"Spider not found: {name}", print_help=False) from None
        if not issubclass(spider_class, BaseNewsSpider):  # not one of ours
            super().run(args, opts)
            return
        try:
            plan = spider_class.read_plan(dict(opts.spargs))
        except ArgumentError as error:
            logger.error("%s: %s", name, error)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        settings = self.crawler_process.settings
        refused = refused_options(plan, settings)
        if refused is not None:
            logger.error("%s: %s", name, refused)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        if plan.fresh:  # a one-off run: a throwaway output folder, nothing of the real one
            kept = output_dir(settings)
            self.fresh_folder = scratch.folder("fresh")
            for setting, value in fresh_settings(self.fresh_folder).items():
                settings.set(setting, value, priority="cmdline")
            logger.info(
                "%s: a fresh run: the state, feeds and manifests of %s are neither read nor "
                "written; it works in %s (removed at its end) and delivers your own feed only",
                name,
                kept,
                self.fresh_folder,
            )
        try:
            worker_count(settings)
        except ValueError as error:
            logger.error("%s: %s", name, error)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        if plan.browser == "always" and not chromium_available(settings):
            logger.error("%s: %s", name, missing_browser_message(settings, "browser=always"))
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        output = output_dir(settings)
        run_name = spider_class.run_name(plan)  # "bisnis", "news/arusdaerah.id"
        try:
            refuse_links(output, written_paths(settings, output, run_name))
        except LinkError as error:
            logger.error("%s: not starting: %s", name, error)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        except OSError as error:
            logger.error("%s: cannot use the output folder %s: %s", name, output, error)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        lock: RunLock | None = None
        if distributed.enabled(settings):  # each worker takes its lease as its run opens
            if not spider_class.distributable:
                logger.error("%s: %s", name, spider_class.not_distributable)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
            try:
                distributed.worker_id(settings)
            except ValueError as error:
                logger.error("%s: %s", name, error)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        else:
            lock = lock_for(output, run_name)
            try:
                lock.acquire()
            except LockedError as error:
                logger.error("%s: another run is in progress (%s); not starting", name, error)
                self.exitcode = EXIT_LOCKED
                return
            except OSError as error:
                logger.error("%s: cannot use the output folder %s: %s", name, output, error)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        try:
            state_class(settings).check(settings, run_name)
        except (StateError, LinkError) as error:
            logger.error("%s: %s", name, error)
            if lock is not None:
                lock.release()
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        crawler: Crawler = self._create_crawler(name)
        # a crawl, not a tool: the run report opens the run (lock, state, feed), and the
        # distributed add-on may switch its mode on (newscrawl/addons.py)
        crawler.settings.set(RUN_ENABLED, True, priority="cmdline")
        crawler.settings.set(RUN_ARGUMENTS, dict(opts.spargs), priority="cmdline")
        crawler.settings.set(PLAN_SETTING, plan, priority="cmdline")
        crawler.settings.set(RUN_NAME, run_name, priority="cmdline")
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        failed = _startup_error(started)
        if isinstance(failed, (StateError, LinkError)):  # the run failed as it opened
            logger.error("%s: %s", name, failed)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        if isinstance(failed, LockedError):  # a live process has this worker id
            logger.error("%s: another run is in progress (%s); not starting", name, failed)
            self.exitcode = EXIT_LOCKED
            return
        run = Run.of(crawler)
        if self.crawler_process.bootstrap_failed or run is None:
            self.exitcode = 1
            logger.error("%s: the crawl could not start (see above) — exit status 1", name)
            return
        if not run.reported:  # the reactor was stopped before the spider closed
            try:
                RunReport(crawler).report_unclean(run)
            except Exception as error:
                logger.exception("%s: could not report the stopped run: %r", name, error)
            run.exit_status = EXIT_UNHEALTHY
            run.close()
        self.exitcode = run.exit_status
        stats = dict(crawler.stats.get_stats()) if crawler.stats is not None else {}
        if run.exit_status == 0 and not plan.fresh:
            hint = empty_feed_hint(settings, run, stats)
            if hint is not None:
                logger.warning("%s: %s", name, hint)
        level, line = closing_line(name, run, stats, plan)
        logger.log(level, "%s", line)


def written_paths(settings: BaseSettings, output: Path, run_name: str) -> list[Path]:
    """What a run writes under the output folder: its folder (lock, state, feeds, manifests,
    workers' locks), ``-o``/``-O`` feeds that lie there, and the dataset and the report when
    they follow each run."""
    paths = [output / run_name]
    for uri in settings.getdict("FEEDS"):
        parts = urlsplit(str(uri))
        if parts.scheme in ("", "file") and "%(" not in str(uri):
            feed = Path(parts.path if parts.scheme == "file" else str(uri)).absolute()
            paths += [feed.with_name(feed.name + suffix) for suffix in ("", ".part", ".rejected")]
    if settings.getbool("NEWSCRAWL_DATASET_AFTER_RUN"):
        from newscrawl.dataset import written_paths as dataset_paths

        paths += dataset_paths(output)
    if settings.getbool("NEWSCRAWL_REPORT_AFTER_RUN"):
        from newscrawl.dataset import LOCK
        from newscrawl.report import REPORT

        paths += [output / REPORT, output / LOCK]
    return paths


def refused_options(plan: CrawlPlan, settings: BaseSettings) -> str | None:
    """Why the run's options cannot be honoured (None: they can): ``fresh=1`` delivers
    nothing but the user's own feed, so it needs one (``-O FILE``); neither it nor
    ``max_articles`` is for distributed mode (a tick's workers share one state)."""
    if (plan.fresh or plan.max_articles is not None) and distributed.enabled(settings):
        return (
            "fresh= and max_articles= are for a run on one machine, not in distributed mode "
            "(NEWSCRAWL_REDIS_URL is set)"
        )
    if plan.fresh and not settings.getdict("FEEDS"):
        return (
            "fresh=1 keeps nothing of its own (its folder is thrown away): give it a feed of "
            "yours, -O FILE (or -o FILE)"
        )
    return None


def fresh_settings(folder: Path) -> dict[str, Any]:
    """The settings of a fresh run (``-a fresh=1``): its own throwaway output folder, and
    neither the dataset nor the report updated after it."""
    return {
        "NEWSCRAWL_OUTPUT_DIR": str(folder),
        "NEWSCRAWL_DATASET_AFTER_RUN": False,
        "NEWSCRAWL_REPORT_AFTER_RUN": False,
    }


def user_feeds(settings: BaseSettings) -> list[str]:
    """The feeds of the user's own (``-O``/``-o``, ``FEEDS``)."""
    return [str(uri) for uri in settings.getdict("FEEDS")]


def empty_feed_hint(settings: BaseSettings, run: Run, stats: Mapping[str, Any]) -> str | None:
    """A healthy run that gave the user's own feed (``-O``) no article because every one its
    arguments select was exported by an earlier run: what to say (None: nothing to say).

    It names no count: the run does not see every article its arguments select (an index
    an earlier run paged to its end is paged again only until a page lists nothing new), so
    what it met (``discovery/known``, ``dedup/duplicate_*``) can be fewer than what earlier
    runs exported (24 met of 32 exported over two days of Bisnis.com)."""
    feeds = user_feeds(settings)
    exported: int = sum(feed.lines for feed in run.published)
    if not feeds or exported or run.withheld:
        return None
    known = sum(
        int(stats.get(f"newscrawl/{event}", 0))
        for event in ("discovery/known", "dedup/duplicate_id", "dedup/duplicate_content")
    )
    if not known:
        return None
    waiting = (
        " (or failed recently, and are not asked again yet)"
        if int(stats.get("newscrawl/discovery/backoff", 0))
        else ""
    )
    return (
        f"{', '.join(feeds)} got no article: the articles these arguments select were "
        f"exported by earlier runs{waiting} (the state of {run.spider_dir} knows them); "
        "-a fresh=1 crawls them again for a one-off file, ignoring and keeping out of the state"
    )


def closing_line(name: str, run: Run, stats: Mapping[str, Any], plan: CrawlPlan) -> tuple[int, str]:
    """The crawl's last line, and its level: what the run gave and its exit status; for a
    failed run, why (``every request failed: no network? (DNS lookup failed x6)``, else its
    failed checks)."""
    status = run.exit_status
    exported = sum(feed.lines for feed in run.published)
    if status == 0:
        fresh = " (a fresh run: the output folder untouched)" if plan.fresh else ""
        return logging.INFO, f"{name}: {exported} article(s) exported{fresh} — exit status 0"
    network = health.network_down(stats)
    if network is not None:
        why = f"every request failed: {network}"
    elif run.health_failures:
        why = "unhealthy: " + "; ".join(run.health_failures)
    else:
        why = "see the ERROR lines above"
    return logging.ERROR, f"{name}: {why} — exit status {status}"


def _startup_error(started: object) -> BaseException | None:
    """The exception a crawl task ended with (asyncio crawler processes), else None."""
    if isinstance(started, asyncio.Task) and started.done() and not started.cancelled():
        return started.exception()
    return None
