"""`make bench`: newscrawl against the floor Scrapy itself sets, on one machine, in one run.

1. Generates a Bisnis-like site of N articles (default 2,000; 100 a day; ~100 KB article pages
   in the reference markup) and serves it through the replay proxy (tests/replay.py).
2. Times a bare Scrapy spider over the same pages (bench/floor_spider.py: index pages ->
   article pages -> title; same concurrency; throttling off) — the floor — and
   `scrapy crawl bisnis` over the same days (fresh state each round), and `scrapy crawl news`
   from the index pages as section pages; each of the two as it runs by default
   (NEWSCRAWL_READ_WORKERS=auto: `crawl news` reads in two worker processes, `crawl bisnis`
   in one from its 201st page) and in its own process (=0: the one-core figure).
   CPU seconds count the worker's too. Each crawl's ratio to the floor is printed round by
   round too (the floor of its own round), with the machine's load average: other processes
   on the machine take the worker's core.
3. Reports medians over the rounds: wall time and the ratio to the floor, CPU seconds, peak RSS,
   pages/s; and in-process extraction cost per article (page object + loader + pipelines on
   stored pages) next to `lxml.html.fromstring` alone and `trafilatura.extract`.
4. Repeats the crawls at a larger N (default 20,000) to show whether RSS and per-page cost stay
   flat.

Usage: python bench/bench.py [--articles 2000] [--large 20000] [--rounds 3] [--large-rounds 1]
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapy.http import HtmlResponse  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newscrawl.pages.base import find_layout  # noqa: E402
from newscrawl.pages.generic import GenericArticlePage  # noqa: E402
from newscrawl.pipelines import BoilerplatePipeline, ValidationPipeline  # noqa: E402
from newscrawl.sites.bisnis import SITE  # noqa: E402
from tests.replay import ReplayProxy  # noqa: E402
from tests.sitegen import Generated, generate_site, index_url  # noqa: E402

logger = logging.getLogger("bench")
#: The same knobs for both crawls: concurrency as the project's, no throttling, no delay.
PER_PAGE = 20
COMMON = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": "False",
    "REMOTE_CONTROL_ENABLED": "False",
}


@dataclass
class Measure:
    wall: float
    cpu: float
    rss_mb: float
    pages: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


def _hwm_mb(pid: int) -> float:
    """A process's own peak resident memory (``VmHWM``), MB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pss_mb(pid: int) -> float:
    """A process's proportional share of resident memory (``Pss``), MB: a forked worker's
    pages shared with its fork server count once between them; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    """The processes under ``pid``: the children of any of its threads, theirs, and so on (a
    crawl's reading workers are its fork server's children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _adopt_orphans() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux's
    ``PR_SET_CHILD_SUBREAPER``): what a crawl leaves running as it exits (its reading workers'
    fork server, their tracker) is then this process's to wait for, CPU time included."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap_orphans(timeout: float = 30.0) -> float:
    """Wait for the orphans a command left (:func:`_adopt_orphans`); their CPU seconds."""
    cpu = 0.0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.02)
            continue
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def run_measured(
    command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, float, float, float]:
    """Run a command; its exit status, wall seconds, CPU seconds (its descendants' included,
    those it left running as it exited too: :func:`_adopt_orphans`) and peak memory (MB): its
    own ``VmHWM`` plus its descendants' ``Pss`` (forked workers share pages with their fork
    server), read from ``/proc`` while it runs. Not ``wait4``'s ``ru_maxrss``: that one
    carries over this process's memory (it survives fork and exec), and this process holds
    the generated site."""
    adopted = _adopt_orphans()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0.0]
    done = threading.Event()  # never process.poll() here: it would reap what wait4 waits for

    def watch() -> None:
        descendants: list[int] = []
        for tick in itertools.count():
            if done.is_set():
                break
            if tick % 5 == 0:  # the tree read again every 0.25 s: each read scans /proc
                descendants = _descendants(process.pid)
            own = _hwm_mb(process.pid)
            peak[0] = max(peak[0], own + sum(_pss_mb(c) for c in descendants))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    watcher.join(timeout=1)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        logger.error("%s failed (%d):\n%s", command[:4], process.returncode, err.decode()[-3000:])
    cpu = usage.ru_utime + usage.ru_stime + (_reap_orphans() if adopted else 0.0)
    return process.returncode, wall, cpu, peak[0]


def crawl_floor(site: Generated, proxy: ReplayProxy, work: Path) -> Measure:
    command = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "floor_spider.py"),
               "-a", f"since={site.days[0]}", "-a", f"until={site.days[-1]}"]  # fmt: skip
    for name, value in COMMON.items():
        command += ["-s", f"{name}={value}"]
    return _measure(command, work, proxy)


def crawl_project(site: Generated, proxy: ReplayProxy, work: Path, workers: str) -> Measure:
    """`scrapy crawl bisnis` over the site's days; article pages read in ``workers`` worker
    processes (``0``: in the crawl's own)."""
    output = work / "output"
    command = [sys.executable, "-m", "scrapy", "crawl", "bisnis", "-a", f"since={site.days[0]}",
               "-a", f"until={site.days[-1]}", "-a", "browser=never",
               "-s", f"NEWSCRAWL_OUTPUT_DIR={output}",
               "-s", f"NEWSCRAWL_READ_WORKERS={workers}"]  # fmt: skip
    return _crawl_into(command, output, "bisnis/*/*.jsonl", site, proxy)


def crawl_news(site: Generated, proxy: ReplayProxy, work: Path, workers: str) -> Measure:
    """`scrapy crawl news` from the same index pages, read as section pages (one level): the
    generic spider and page on the same pages as the floor; pages read in ``workers`` worker
    processes (``0``: in the crawl's own)."""
    output = work / "output-news"
    pages = (len(site.articles) // len(site.days) + PER_PAGE - 1) // PER_PAGE
    starts = ",".join(index_url(day, page) for day in site.days for page in range(1, pages + 1))
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={starts}",
               "-a", "browser=never", "-s", f"NEWSCRAWL_OUTPUT_DIR={output}",
               "-s", f"NEWSCRAWL_READ_WORKERS={workers}"]  # fmt: skip
    return _crawl_into(command, output, "news/*/*/*.jsonl", site, proxy)


def _crawl_into(
    command: list[str], output: Path, feeds: str, site: Generated, proxy: ReplayProxy
) -> Measure:
    """One of our crawls, with the common knobs, from an empty ``output``; an ERROR when its
    feeds (``feeds`` under ``output``) do not hold every article of ``site``."""
    shutil.rmtree(output, ignore_errors=True)
    for name, value in COMMON.items():
        command += ["-s", f"{name}={value}"]
    measure = _measure(command, ROOT, proxy)
    lines = sum(len(feed.read_bytes().splitlines()) for feed in output.glob(feeds))
    if lines != len(site.articles):
        logger.error("%s exported %d of %d articles", command[4], lines, len(site.articles))
    return measure


def _measure(command: list[str], cwd: Path, proxy: ReplayProxy) -> Measure:
    proxy.clear()
    env = {**os.environ, **proxy.env()}
    code, wall, cpu, rss = run_measured(command, cwd, env)
    if code != 0:
        raise SystemExit(f"crawl failed: {' '.join(command[:5])}")
    pages = sum(1 for url in proxy.urls() if not url.endswith("robots.txt"))
    return Measure(wall, cpu, rss, pages)


def extraction_costs(site: Generated, sample: int = 300) -> dict[str, float]:
    """Milliseconds per article: our extraction, lxml parsing alone, trafilatura."""
    import lxml.html

    manifest = {
        e["url"]: e for e in __import__("json").loads((site.root / "manifest.json").read_text())
    }
    urls = list(site.articles.values())[:sample]
    pages = [(url, (site.root / "site" / manifest[url]["file"]).read_bytes()) for url in urls]
    crawler = get_crawler()
    boilerplate, validation = BoilerplatePipeline(crawler), ValidationPipeline(crawler)

    def ours(url: str, body: bytes) -> None:
        response = HtmlResponse(url, body=body, encoding="utf-8")
        page = find_layout(response, SITE.article_layouts)
        assert page is not None
        validation.process_item(boilerplate.process_item(page.to_item()))

    def lxml_only(url: str, body: bytes) -> None:
        lxml.html.fromstring(body)

    def generic(url: str, body: bytes) -> None:
        page = GenericArticlePage(HtmlResponse(url, body=body, encoding="utf-8"))
        assert page.is_article()
        validation.process_item(boilerplate.process_item(page.to_item()))

    results = {"newscrawl (page object + loader + pipelines)": _per_article(ours, pages),
               GENERIC: _per_article(generic, pages),
               "lxml.html.fromstring alone": _per_article(lxml_only, pages)}  # fmt: skip
    try:
        import trafilatura

        def traf(url: str, body: bytes) -> None:
            trafilatura.extract(body.decode("utf-8"), url=url)

        results["trafilatura.extract"] = _per_article(traf, pages[: max(50, sample // 3)])
    except ImportError:  # pragma: no cover - trafilatura is in requirements.txt
        logger.warning("trafilatura is not installed; skipped")
    return results


def _per_article(function: Callable[[str, bytes], None], pages: list[tuple[str, bytes]]) -> float:
    for url, body in pages[:10]:  # warm up
        function(url, body)
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for url, body in pages:
            function(url, body)
        rounds.append((time.perf_counter() - started) / len(pages) * 1000)
    return statistics.median(rounds)


#: The crawls timed, by their key, as the table names them.
#: The targets of issues 22 and 24, printed beside the figures: a crawl's wall time against the
#: floor's, and the generic page's cost in process.
TARGETS = {"bisnis": "≤ 1.10", "news": "≤ 1.3"}
GENERIC_TARGET_MS = 5.0
GENERIC = "newscrawl news (generic page, any site)"

CRAWLS = {
    "floor": "floor (bare Scrapy)",
    "bisnis": "`crawl bisnis` (default: a worker after 200 pages)",
    "bisnis0": "`crawl bisnis`, no worker (one core)",
    "news": "`crawl news` (default: two reading workers)",
    "news0": "`crawl news`, no worker (one core)",
}


def median_measure(measures: list[Measure]) -> Measure:
    return Measure(
        statistics.median(m.wall for m in measures),
        statistics.median(m.cpu for m in measures),
        statistics.median(m.rss_mb for m in measures),
        int(statistics.median(m.pages for m in measures)),
    )


def bench_size(n: int, rounds: int, work: Path) -> dict[str, Any]:
    logger.warning("generating a site of %d articles", n)
    site = generate_site(
        work / f"site-{n}", n, per_day=100, per_page=PER_PAGE, first_day=date(2024, 1, 1)
    )
    results: dict[str, list[Measure]] = {name: [] for name in CRAWLS}
    with ReplayProxy(site.root, lifetime=6 * 3600) as proxy:
        for round_ in range(rounds):
            logger.warning("N=%d round %d/%d", n, round_ + 1, rounds)
            results["floor"].append(crawl_floor(site, proxy, work))
            results["bisnis"].append(crawl_project(site, proxy, work, "auto"))
            results["bisnis0"].append(crawl_project(site, proxy, work, "0"))
            results["news"].append(crawl_news(site, proxy, work, "auto"))
            results["news0"].append(crawl_news(site, proxy, work, "0"))
    extraction = extraction_costs(site)
    shutil.rmtree(site.root, ignore_errors=True)
    floors = results["floor"]
    return {
        "n": n,
        "rounds": rounds,
        "extraction": extraction,
        **{name: median_measure(measures) for name, measures in results.items()},
        "ratios": {
            name: [m.wall / floor.wall for m, floor in zip(measures, floors, strict=True)]
            for name, measures in results.items()
        },
    }


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| N | crawl | wall s | × floor | target × floor | CPU s | peak RSS MB | × floor RSS "
        "| pages/s | CPU ms/page |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        floor = run["floor"]
        for key, name in CRAWLS.items():
            m = run[key]
            ratio = m.wall / floor.wall
            rss_ratio = m.rss_mb / floor.rss_mb
            lines.append(
                f"| {run['n']:,} | {name} | {m.wall:.1f} | {ratio:.2f} | "
                f"{TARGETS.get(key, '')} | {m.cpu:.1f} | "
                f"{m.rss_mb:.0f} | {rss_ratio:.2f} | {m.pages_per_s:.0f} | "
                f"{m.cpu / m.pages * 1000:.2f} |"
            )
    lines += ["", "| N | crawl | × floor, round by round |", "|---:|---|---|"]
    for run in runs:
        for key, name in list(CRAWLS.items())[1:]:
            each = ", ".join(f"{ratio:.2f}" for ratio in run["ratios"][key])
            lines.append(f"| {run['n']:,} | {name} | {each} |")
    lines += ["", "| N | extraction, in process | ms/article | target |", "|---:|---|---:|---|"]
    for run in runs:
        for name, ms in run["extraction"].items():
            target = f"≤ {GENERIC_TARGET_MS:g}" if name == GENERIC else ""
            lines.append(f"| {run['n']:,} | {name} | {ms:.2f} | {target} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000, help="0 to skip")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large-rounds", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    started_load = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        work = Path(tmp)
        runs.append(bench_size(args.articles, args.rounds, work))
        if args.large:
            runs.append(bench_size(args.large, args.large_rounds, work))
    load = os.getloadavg()[0]
    header = (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; medians of {args.rounds} rounds at N={args.articles:,}"
        + (f", {args.large_rounds} at N={args.large:,}" if args.large else "")
        + f"; load average {started_load:.2f} at the start, {load:.2f} at the end (other "
        "processes take the reading workers' core: compare on an idle machine)"
    )
    sys.stdout.write(header + "\n\n" + table(runs) + "\n")


if __name__ == "__main__":
    main()
