"""Test helpers: every site's fixtures (``tests/fixtures/<slug>/``), responses built from them,
crawl subprocesses and what their logs and feeds say.

The sites under test are the project's (``newscrawl/sites/``) and those only the tests know
(``tests/sites/``: the made-up ``warta``, which shows that a site is made of a site module and
a fixture folder alone)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.pages.base import ArticlePage, find_layout
from newscrawl.pipelines import BoilerplatePipeline
from newscrawl.sites import DEFAULT_SITE_MODULES, Site, registered
from tests import forkserver
from tests.forkserver import ForkedProcess, forkable
from tests.replay import ReplayProxy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BISNIS = FIXTURES / "bisnis"
SCHEMA = ROOT / "newscrawl" / "schema" / "article.schema.json"
#: Site modules only the tests know (the made-up third site).
TEST_SITE_MODULES = ("tests.sites",)


@cache
def project_sites() -> dict[str, Site]:
    """The sites the project registers (``NEWSCRAWL_SITE_MODULES`` by default)."""
    return registered(DEFAULT_SITE_MODULES)


@cache
def all_sites() -> dict[str, Site]:
    """Every site under test: the project's, then the tests' own."""
    return {**project_sites(), **registered(TEST_SITE_MODULES)}


def crawl_plan(site: str) -> dict[str, Any]:
    """What a crawl of the site's fixtures asks and gets (``notes.json`` "crawl"):
    ``arguments``; ``not_exported``, expected items the crawl leaves out; ``retried_once``,
    articles served a 503 once; ``split``, articles fetched whole (``?page=all``)."""
    plan: dict[str, Any] = {"not_exported": [], "retried_once": [], "split": []}
    plan.update(notes(site)["crawl"])
    return plan


@cache
def manifest(site: str = "bisnis") -> dict[str, dict[str, Any]]:
    entries = json.loads((FIXTURES / site / "manifest.json").read_text(encoding="utf-8"))
    return {entry["url"]: entry for entry in entries}


@cache
def expected(site: str = "bisnis") -> dict[str, dict[str, Any]]:
    lines = (FIXTURES / site / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    return {item["article_id"]: item for item in items}


@cache
def notes(site: str = "bisnis") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / site / "notes.json").read_text("utf-8"))
    return data


def response_for(url: str, site: str = "bisnis") -> HtmlResponse:
    """The fixture page of ``url`` as a Scrapy response (status and headers as served)."""
    entry = manifest(site)[url]
    body = (FIXTURES / site / "site" / entry["file"]).read_bytes()
    headers = {"Content-Type": entry["content_type"], **entry.get("headers", {})}
    return HtmlResponse(url=url, body=body, status=entry["status"], headers=headers)


def fixture_response(path: Path, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")


def final_page(url: str, site: str, layouts: Sequence[type[ArticlePage]]) -> ArticlePage:
    """The page object a crawl ends on for ``url``: the article, or its ``?page=all`` when
    it is split (``layouts`` are the site's ``Site.article_layouts``)."""
    page = find_layout(response_for(url, site), layouts)
    assert page is not None, f"no layout matches {url}"
    if page.is_multipage():
        page = find_layout(response_for(url + "?page=all", site), layouts)
        assert page is not None
    return page


def exported_item(page: ArticlePage) -> dict[str, Any]:
    """The item as the crawl exports it: page object, then the boilerplate pipeline."""
    modules = [*DEFAULT_SITE_MODULES, *TEST_SITE_MODULES]
    crawler = get_crawler(settings_dict={"NEWSCRAWL_SITE_MODULES": modules})
    item = BoilerplatePipeline(crawler).process_item(page.to_item())
    return dataclasses.asdict(item)


def syndicated_twin(site: str, article_id: str) -> str | None:
    """The other member of a syndicated pair (``notes.json`` "syndicated"), if any."""
    for pair in notes(site).get("syndicated", []):
        if article_id in pair:
            return next(other for other in pair if other != article_id)
    return None


def assert_items_match(site: str, items: list[dict[str, Any]], want_ids: set[str]) -> None:
    """Each item once, equal to its expected item (``crawled_at`` aside) and schema-valid; of
    a syndicated pair either member stands for the other (its own URL, id, section and
    category)."""
    by_id = {item["article_id"]: item for item in items}
    assert len(by_id) == len(items), "an article was exported twice"
    got = set(by_id)
    for article_id in list(got - set(expected(site))):
        twin = syndicated_twin(site, article_id)
        assert twin is not None, f"unexpected article {article_id}"
        want = dict(expected(site)[twin])
        item = by_id[article_id]
        for name in ("url", "article_id", "section", "category"):
            want[name] = item[name]
        assert without_crawled_at(item) == want
        got = (got - {article_id}) | {twin}
    assert got == want_ids
    for item in items:
        if item["article_id"] in expected(site):
            assert without_crawled_at(item) == expected(site)[item["article_id"]]
        validate(item)


def assert_expected_item(item: dict[str, Any], want: dict[str, Any]) -> None:
    """Field by field as ``expected.jsonl`` has it, and no other field but ``crawled_at``."""
    for name, value in want.items():
        assert item[name] == value, f"{want['article_id']}: field {name}"
    assert set(item) == set(want) | {"crawled_at"}


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text("utf-8"))
    return schema


def validate(item: dict[str, Any]) -> None:
    """Raise unless ``item`` is an article as the JSON Schema describes it."""
    jsonschema.validate(item, _schema())


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    log: str
    feed: Path


def run_crawl(
    spider: str,
    args: dict[str, str],
    *,
    output_dir: Path,
    proxy_env: dict[str, str],
    feed: Path | None = None,
    settings: dict[str, str] | None = None,
    default_feed: bool = False,
    timeout: float = 300,
    prefix: tuple[str, ...] = (),
) -> CrawlResult:
    """``scrapy crawl SPIDER -a ... -O FEED`` in a subprocess through the replay proxy.

    With ``default_feed`` no ``-O`` is given: the run writes its own feed under ``output_dir``.
    ``prefix`` goes before the command (``("faketime", "2025-11-14 16:05:00")``).
    """
    feed = feed or output_dir / "out.jsonl"
    command = crawl_command(spider, args, output_dir, None if default_feed else feed, settings)
    command = [*prefix, *command]
    env = {**os.environ, **proxy_env}
    returncode, log = run_command(command, env, timeout)
    items = []
    if feed.exists():
        items = [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line]
    return CrawlResult(returncode, items, log, feed)


def run_command(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    """``command`` run in the checkout (:func:`run_scrapy`): its exit status and its stderr."""
    done = run_scrapy(command, env, timeout)
    return done.returncode, done.stderr


def run_scrapy(
    command: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(command, cwd=ROOT, env=env, stdin=DEVNULL, capture_output=True,
    text=True, timeout=timeout)``; a ``python -m scrapy`` command is forked from the fork
    server (tests/forkserver.py) when it can be."""
    if not forkable(command, env):
        return subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = forkserver.server(ROOT).start(
            command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
        try:
            returncode = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(
            command,
            returncode,
            stdout.read().decode("utf-8", "replace"),
            stderr.read().decode("utf-8", "replace"),
        )


def crawl_command(
    spider: str,
    args: dict[str, str],
    output_dir: Path,
    feed: Path | None = None,
    settings: dict[str, str] | None = None,
) -> list[str]:
    """The ``scrapy crawl`` command line tests use (fast, quiet, no telnet/remote control)."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    if feed is not None:
        command += ["-O", str(feed)]
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    modules = {}
    if spider not in project_sites():  # a site only the tests know
        modules["NEWSCRAWL_SITE_MODULES"] = ",".join((*DEFAULT_SITE_MODULES, *TEST_SITE_MODULES))
    test_settings = {
        **modules,
        "NEWSCRAWL_OUTPUT_DIR": str(output_dir),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "TELNETCONSOLE_ENABLED": "False",
        "REMOTE_CONTROL_ENABLED": "False",
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    for name, value in test_settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def start_crawl(
    spider: str,
    args: dict[str, str],
    *,
    output_dir: Path,
    proxy_env: dict[str, str],
    log: Path,
    settings: dict[str, str] | None = None,
    feed: Path | None = None,
) -> subprocess.Popen[bytes] | ForkedProcess:
    """Start a crawl in the background (its default feed, else ``-O feed``); its log goes to
    ``log``."""
    command = crawl_command(spider, args, output_dir, feed, settings)
    env = {**os.environ, **proxy_env}
    with open(log, "ab") as handle:
        if forkable(command, env):
            return forkserver.server(ROOT).start(
                command, cwd=ROOT, env=env, stdout=handle, stderr=handle
            )
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=handle
        )


def without_crawled_at(item: dict[str, Any]) -> dict[str, Any]:
    """An exported item as ``expected.jsonl`` has it (``crawled_at`` is the crawl's own time)."""
    return {k: v for k, v in item.items() if k != "crawled_at"}


def stat(log: str, name: str) -> int:
    """A counter from the crawl's closing stats dump (0 when absent)."""
    for line in log.splitlines():
        line = line.strip()
        if line.startswith(f"'{name}':"):
            return int(line.split(":", 1)[1].strip().rstrip(","))
    return 0


def assert_refused(result: CrawlResult, requested: list[str], output: Path, message: str) -> None:
    """Bad arguments: exit 2 with one ERROR line naming the problem, before any request,
    and nothing written."""
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and message in errors[0]
    assert requested == []
    assert not result.feed.exists()
    assert list(output.iterdir()) == []


def crawl_twice(
    proxy: ReplayProxy, output: Path, crawl: Callable[[Path], CrawlResult]
) -> tuple[CrawlResult, list[str], CrawlResult, list[str]]:
    """A crawl, then a second run on the same state (``crawl`` takes the ``-O`` feed path),
    each with the URLs it requested."""
    proxy.reset()
    first = crawl(output / "first.jsonl")
    first_urls = proxy.urls()
    proxy.reset()
    second = crawl(output / "second.jsonl")
    return first, first_urls, second, proxy.urls()


def published_items(output_dir: Path, spider: str = "bisnis") -> list[dict[str, Any]]:
    """Every line of every complete feed under ``output_dir/spider`` (each must be JSON)."""
    items = []
    for feed in sorted((output_dir / spider).glob("*/*.jsonl")):
        for line in feed.read_text("utf-8").splitlines():
            items.append(json.loads(line))
    return items


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)
