"""``scrapy crawl`` that refuses bad spider arguments before anything starts.

A bad argument prints one ``ERROR:`` line and exits with status 2; no request is made and
no file is written.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawl

from newscrawl.arguments import ArgumentError

EXIT_BAD_ARGUMENTS = 2

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_class = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spider_class = None
            check = getattr(spider_class, "check_arguments", None)
            if check is not None:
                try:
                    check(dict(opts.spargs))
                except ArgumentError as error:
                    logger.error("%s: %s", args[0], error)
                    self.exitcode = EXIT_BAD_ARGUMENTS
                    return
        super().run(args, opts)
