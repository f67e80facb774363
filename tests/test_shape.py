"""The shape of the code (issue 24): no import cycle among newscrawl's modules, no spider module
over 400 lines, and modes switched on by Scrapy add-ons (``ADDONS``), never by a spider: the
browser fallback for every crawl and tool, distributed mode for ``scrapy crawl`` with
``NEWSCRAWL_REDIS_URL`` only (Scrapy's tools never touch Redis)."""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from newscrawl.arguments import CrawlPlan
from newscrawl.sites import bisnis
from newscrawl.spiders.base import NewsSpider
from newscrawl.spiders.news import GenericNewsSpider
from tests.loopback import Listener
from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import ROOT, expected, run_scrapy

PACKAGE = ROOT / "newscrawl"
MAX_SPIDER_LINES = 400
#: Cycles through modules of other owners, each to be broken where it lives (the test fails
#: once one is gone, so that it is struck from here).
KNOWN_CYCLES: set[frozenset[str]] = set()
BisnisSpider = NewsSpider.for_site(bisnis.SITE)
FRONTIER = "newscrawl.frontier.Frontier"
SEEDING = "newscrawl.frontier.SeedOncePerTick"
RATE_GATE = "newscrawl.middlewares.SharedRateMiddleware"
BROWSER_MIDDLEWARE = "newscrawl.browser.BrowserFallbackMiddleware"
LAZY_HANDLER = "newscrawl.browser.BrowserDownloadHandler"


# --- imports ---------------------------------------------------------------------------------


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The package's modules ``name`` imports, anywhere in it (at the top, in a function, for
    types only): ``from newscrawl import x`` is module ``x``, a name from a module its module."""

    def module_of(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {module_of(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in known else module_of(base))
    return {module for module in found if module is not None and module != name}


def cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in graph:
                    continue
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_no_import_cycle_among_newscrawl_modules() -> None:
    found = set(cycles(import_graph()))
    new = [sorted(cycle) for cycle in found - KNOWN_CYCLES]
    assert not new, f"modules that import each other (directly or round a loop): {new}"
    gone = [sorted(cycle) for cycle in KNOWN_CYCLES - found]
    assert not gone, f"no longer a cycle: strike it from KNOWN_CYCLES: {gone}"


def test_the_cycle_check_finds_cycles(tmp_path: Path) -> None:
    """No formality: a package whose modules import each other in a loop, at the top or
    inside a function, for types only or through ``from package import module``."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def f():\n    from pkg import c\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .sub.d import D\n"
    )
    (package / "sub" / "d.py").write_text("from ..a import x\n")
    (package / "e.py").write_text("import pkg.a\n")
    found = cycles(import_graph(package))
    assert found == [frozenset({"pkg.a", "pkg.b", "pkg.c", "pkg.sub.d"})]
    (package / "sub" / "d.py").write_text("import os\n")
    assert cycles(import_graph(package)) == []


# --- spider modules ----------------------------------------------------------------------------


def test_no_spider_module_is_over_400_lines() -> None:
    """A spider plans requests and hands responses to page objects; the rest (the archive
    route, the learning of promo lines, the joining of split articles, the modes) lives in
    modules of its own."""
    sizes = {
        path.name: len(path.read_text("utf-8").splitlines())
        for path in sorted((PACKAGE / "spiders").glob("*.py"))
    }
    assert set(sizes) >= {"base.py", "news.py"}
    over = {name: lines for name, lines in sizes.items() if lines > MAX_SPIDER_LINES}
    assert not over, f"spider modules over {MAX_SPIDER_LINES} lines: {over}"


# --- modes and add-ons -------------------------------------------------------------------------


def crawler_settings(
    spider: type[NewsSpider] | type[GenericNewsSpider] = BisnisSpider,
    *,
    redis_url: str = "",
    crawl: bool = True,
    addons: bool = True,
) -> Settings:
    """The settings a crawler of the project ends with once its add-ons are loaded (as in
    ``Crawler.crawl``): ``crawl`` as ``scrapy crawl`` makes it (``NEWSCRAWL_RUN_ENABLED``),
    else as Scrapy's tools do."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.set("NEWSCRAWL_REDIS_URL", redis_url, priority="cmdline")
    if not addons:
        settings.set("ADDONS", {}, priority="cmdline")
    crawler = Crawler(spider, settings)
    if crawl:
        crawler.settings.set("NEWSCRAWL_RUN_ENABLED", True, priority="cmdline")
    crawler.addons.load_settings(crawler.settings)
    return crawler.settings


@pytest.mark.parametrize(
    ("redis_url", "crawl", "distributed"),
    [
        ("", True, False),
        ("redis://127.0.0.1:1/0", True, True),
        ("redis://127.0.0.1:1/0", False, False),  # scrapy shell, fetch, parse
    ],
    ids=["crawl-one-machine", "crawl-distributed", "tool-with-redis-url"],
)
def test_the_addons_switch_the_modes(
    redis_url: str, crawl: bool, distributed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = crawler_settings(redis_url=redis_url, crawl=crawl)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    if distributed:
        assert settings["SCHEDULER"] == FRONTIER and settings.getbool("SCHEDULER_PERSIST")
        assert settings.getdict("SPIDER_MIDDLEWARES").get(SEEDING) == 10
        assert middlewares.get(RATE_GATE) == 900
    else:
        assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
        assert SEEDING not in settings.getdict("SPIDER_MIDDLEWARES")
        assert RATE_GATE not in middlewares
    # the browser: every crawl and tool, started only when a page needs it
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"http": LAZY_HANDLER, "https": LAZY_HANDLER}
    assert middlewares.get(BROWSER_MIDDLEWARE) == 690
    assert settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"]
    assert settings["PLAYWRIGHT_MAX_CONTEXTS"] == 1


def test_without_the_addons_no_mode_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The add-ons are what switch the modes: without ``ADDONS`` a distributed crawl keeps
    Scrapy's scheduler, and no browser handler, middleware or setting is there."""
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = crawler_settings(redis_url="redis://127.0.0.1:1/0", addons=False)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert LAZY_HANDLER not in settings.getdict("DOWNLOAD_HANDLERS").values()
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert BROWSER_MIDDLEWARE not in middlewares and RATE_GATE not in middlewares
    assert not any(name.startswith("PLAYWRIGHT_") for name in settings.copy_to_dict())


def test_an_explicit_setting_wins_over_an_addon(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switching the shared rate gate off (the control of the politeness test) still works."""
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.set("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0", priority="cmdline")
    settings.set("DOWNLOADER_MIDDLEWARES", f'{{"{RATE_GATE}": null}}', priority="cmdline")
    crawler = Crawler(BisnisSpider, settings)
    crawler.settings.set("NEWSCRAWL_RUN_ENABLED", True, priority="cmdline")
    crawler.addons.load_settings(crawler.settings)
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")[RATE_GATE] is None
    assert crawler.settings["SCHEDULER"] == FRONTIER


RETRY = "scrapy.downloadermiddlewares.retry.RetryMiddleware"


@pytest.mark.parametrize(
    ("plan", "crawl", "retried"),
    [
        (CrawlPlan(archives=("a.warc.gz",)), True, False),
        (CrawlPlan(ccnews="2025-11"), True, False),
        (CrawlPlan(start_urls=("https://www.bisnis.com/",)), True, True),
        (None, True, True),
        (CrawlPlan(archives=("a.warc.gz",)), False, True),  # a tool: the add-on does nothing
    ],
    ids=["warc", "ccnews", "site", "no-plan", "tool"],
)
def test_an_archive_run_leaves_out_the_retry_middleware(
    plan: CrawlPlan | None, crawl: bool, retried: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl of web archives downloads nothing through Scrapy: no retry middleware (whose
    tunnel error would import Scrapy's HTTP client); every other crawl keeps it."""
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    crawler = Crawler(BisnisSpider, settings)
    crawler.settings.set("NEWSCRAWL_RUN_ENABLED", crawl, priority="cmdline")
    crawler.settings.set("NEWSCRAWL_RUN_PLAN", plan, priority="cmdline")
    crawler.addons.load_settings(crawler.settings)
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert (middlewares.get(RETRY, "base") is not None) is retried
    assert crawler.settings.getbool("RETRY_ENABLED")


def test_the_user_may_keep_the_retry_middleware_in_an_archive_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.set("DOWNLOADER_MIDDLEWARES", f'{{"{RETRY}": 550}}', priority="cmdline")
    crawler = Crawler(BisnisSpider, settings)
    crawler.settings.set("NEWSCRAWL_RUN_ENABLED", True, priority="cmdline")
    crawler.settings.set("NEWSCRAWL_RUN_PLAN", CrawlPlan(archives=("a",)), priority="cmdline")
    crawler.addons.load_settings(crawler.settings)
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")[RETRY] == 550


@pytest.mark.parametrize("spider", [BisnisSpider, GenericNewsSpider], ids=["bisnis", "news"])
def test_no_spider_configures_a_mode(spider: type[NewsSpider] | type[GenericNewsSpider]) -> None:
    settings = Settings()
    before = settings.copy_to_dict()
    spider.update_settings(settings)
    changed = {name for name, value in settings.copy_to_dict().items() if before.get(name) != value}
    assert changed <= {"CLOSESPIDER_TIMEOUT"}, changed  # the run deadline is the spider's


def test_scrapy_tools_never_touch_redis(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    """``scrapy shell`` and ``scrapy parse`` with ``NEWSCRAWL_REDIS_URL`` in the environment:
    Scrapy's scheduler, no seeding middleware, and not one connection to that "Redis" (a
    listener that records who comes)."""
    url = expected()["1931001"]["url"]
    probe = (
        "(type(crawler.engine.scheduler).__module__, "
        "sorted(crawler.settings.getdict('SPIDER_MIDDLEWARES')))"
    )
    with Listener("127.0.0.1", lifetime=200) as redis:
        env = {
            **os.environ,
            **bisnis_proxy.env(),
            **OFFLINE_ENV,
            "NEWSCRAWL_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
        }
        settings = ["-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path / 'output'}"]
        settings += ["-s", "TELNETCONSOLE_ENABLED=False"]
        done = [
            run_scrapy([sys.executable, "-m", "scrapy", *command, *settings], env, timeout=120)
            for command in (["shell", url, "-c", probe], ["parse", "--spider", "bisnis", url])
        ]
    shell, parse = done
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert shell.stdout.strip() == "('scrapy.core.scheduler', [])"
    assert parse.returncode == 0, parse.stderr[-3000:]
    assert "Scraped Items" in parse.stdout
    assert redis.peers == []
    assert not (tmp_path / "output").exists()
