"""The ``newscrawl`` command (also ``python -m newscrawl``), for an installed package as for a
checkout:

- ``newscrawl crawl SPIDER [options]`` is ``scrapy crawl SPIDER [options]``, run in this
  process by Scrapy's own command line: the same arguments, log, health checks, cron
  behaviour and exit statuses (README "Running a crawl");
- ``newscrawl extract URL|FILE [--url URL]`` prints the article item of one page as one JSON
  object (:func:`newscrawl.api.extract_url` / :func:`newscrawl.api.extract`); exit 1 with one
  line saying why when the page gives no article, 2 for bad input. It touches no state;
- ``newscrawl search QUERY [options]`` is ``python -m newscrawl.search`` (full-text search of
  the dataset, :mod:`newscrawl.search`).

Scrapy finds a project's settings module through ``SCRAPY_SETTINGS_MODULE``, else through a
``scrapy.cfg`` in the current folder or above it (the checkout has one). Outside the checkout
there is none, so when neither names a module the command names ``newscrawl.settings`` in
``SCRAPY_SETTINGS_MODULE`` (name your own module there, which may start with ``from
newscrawl.settings import *``, to change settings).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from newscrawl.project import (
    SETTINGS_ENV,
    SETTINGS_MODULE,
    use_project_settings,
)

EXIT_NO_ARTICLE = 1
EXIT_BAD_INPUT = 2

logger = logging.getLogger("newscrawl")


def parser() -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(
        prog="newscrawl",
        description="Crawl Indonesian news sites into clean JSON-lines feeds; read one article; "
        "search the dataset.",
        epilog="Python API and examples: docs/python.md. Settings module: "
        f"${SETTINGS_ENV}, else the closest scrapy.cfg's, else {SETTINGS_MODULE}.",
    )
    commands.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = commands.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser(
        "crawl",
        help="run a crawl: `scrapy crawl` with the same arguments, log and exit statuses "
        "(newscrawl crawl --help lists them)",
        add_help=False,
    )
    sub.add_parser(
        "search",
        help="full-text search of the dataset's articles (newscrawl search --help)",
        add_help=False,
    )
    extract = sub.add_parser(
        "extract",
        help="print the article item of one page as a JSON object",
        description="Print the article item of one page as one JSON object, read by the site "
        "module when the URL is an article of a known site, else by the generic reader. A URL "
        "is fetched (through $http_proxy/$https_proxy when set); a FILE is read (- for standard "
        "input). Touches no state. Exit 1 when the page gives no article, 2 for bad input.",
    )
    extract.add_argument("target", metavar="URL|FILE", help="an http(s) URL, or a saved page")
    extract.add_argument(
        "--url",
        help="the URL a FILE was found at (default: the page's canonical link or og:url)",
    )
    return commands


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newscrawl")
    except PackageNotFoundError:  # a checkout that is not installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "crawl":
        return crawl(args[1:])
    if args and args[0] == "search":
        return search(args[1:])
    options = parser().parse_args(args)
    if options.command == "extract":
        return extract(options.target, options.url)
    return EXIT_BAD_INPUT  # pragma: no cover - argparse knows every command


def crawl(args: list[str]) -> int:
    """``scrapy crawl ARGS`` in this process (Scrapy's command line exits with its status)."""
    use_project_settings()
    from scrapy.cmdline import execute

    execute(["scrapy", "crawl", *args])
    return 0  # pragma: no cover - execute() always exits


def search(args: list[str]) -> int:
    """``python -m newscrawl.search ARGS``, the output folder from the project's settings."""
    use_project_settings()
    from newscrawl.search import main as search_main

    return search_main(args)


def extract(target: str, url: str | None) -> int:
    """``newscrawl extract``: the item on standard output, or one line saying why not."""
    logging.basicConfig(level=logging.WARNING, format="newscrawl: %(levelname)s: %(message)s")
    from newscrawl.api import NotAnArticle, extract_url
    from newscrawl.api import extract as extract_page

    try:
        if "://" in target:
            if url is not None:
                raise ValueError("--url names the URL of a FILE; a URL is fetched from itself")
            item = extract_url(target)
        else:
            body = sys.stdin.buffer.read() if target == "-" else _read_file(target)
            item = extract_page(body, url or _page_url(body, target))
    except NotAnArticle as error:
        logger.error("%s", error)
        return EXIT_NO_ARTICLE
    except ValueError as error:
        logger.error("%s", error)
        return EXIT_BAD_INPUT
    sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def _read_file(name: str) -> bytes:
    path = Path(name)
    try:
        return path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {name}: {error.strerror or error}") from None


def _page_url(body: bytes, name: str) -> str:
    """The URL a saved page names for itself (canonical link, else og:url)."""
    from parsel import Selector

    selector = Selector(body=body, type="html")
    for found in (
        selector.xpath("//link[@rel='canonical']/@href").get(),
        selector.xpath("//meta[@property='og:url']/@content").get(),
    ):
        if found and found.strip().startswith(("http://", "https://")):
            return found.strip()
    raise ValueError(f"{name} names no URL of its own (canonical link, og:url): give --url URL")
