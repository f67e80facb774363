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
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from newscrawl import distributed
from newscrawl.arguments import ArgumentError
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
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
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
            plan = spider_class.plan_for(dict(opts.spargs))
        except ArgumentError as error:
            logger.error("%s: %s", name, error)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        settings = self.crawler_process.settings
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
            return
        if not run.reported:  # the reactor was stopped before the spider closed
            try:
                RunReport(crawler).report_unclean(run)
            except Exception as error:
                logger.exception("%s: could not report the stopped run: %r", name, error)
            run.exit_status = EXIT_UNHEALTHY
            run.close()
        self.exitcode = run.exit_status


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


def _startup_error(started: object) -> BaseException | None:
    """The exception a crawl task ended with (asyncio crawler processes), else None."""
    if isinstance(started, asyncio.Task) and started.done() and not started.cancelled():
        return started.exception()
    return None
