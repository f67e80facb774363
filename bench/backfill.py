"""`make bench-backfill`: a year's backfill on one machine, and its resume after a kill.

1. Generates a Bisnis-like site of a year (default 365 days of 100 articles: 36,500 articles,
   5 index pages a day) and a small one (2,000 articles), served by the replay proxy.
2. Crawls each with `scrapy crawl bisnis -a since=... -a until=...` from a fresh state and
   prints wall time, CPU, peak RSS (the crawl's own VmHWM, read from /proc as it runs; its
   manifest records the same as peak_rss_mb) and pages/s: the year's against the small one's.
3. Kills a fresh year crawl (SIGKILL) once half the articles are in its feed, reruns the same
   command, and prints what the rerun cost: articles exported twice, exported articles fetched
   again, and the index pages fetched for days the killed run had completed.
4. First of all, the archive backfill: writes a generated site's 4,000 article pages and 8,000
   records of other hosts into one gzipped WARC, and prints records per second for reading it
   alone and for passing over the other hosts' records (FastWARC and warcio), then articles
   per second for `scrapy crawl bisnis -a warc=...` (no network): with FastWARC on both cores
   (the default, NEWSCRAWL_READ_WORKERS=auto: a reading worker), FastWARC on one, and warcio
   on one (as before); each 3 times, the median. `--archive-only` runs this part alone.

It prints figures; it is not a test. Usage: python bench/backfill.py [--days 365] [--per-day 100]
[--archive-only] [--articles 4000] [--others 8000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import COMMON, run_measured  # noqa: E402 - bench/bench.py, beside this file
from tests.replay import ReplayProxy  # noqa: E402
from tests.sitegen import Generated, generate_site  # noqa: E402

logger = logging.getLogger("bench.backfill")
PER_PAGE = 20


def command(site: Generated, output: Path) -> list[str]:
    line = [sys.executable, "-m", "scrapy", "crawl", "bisnis", "-a", f"since={site.days[0]}",
            "-a", f"until={site.days[-1]}", "-a", "browser=never",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}",
            "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]  # fmt: skip
    for name, value in COMMON.items():
        line += ["-s", f"{name}={value}"]
    return line


def feed_lines(output: Path) -> list[dict[str, object]]:
    lines = []
    for feed in sorted(output.glob("bisnis/*/*.jsonl*")):
        for raw in feed.read_bytes().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue  # a line cut by the kill
    return lines


def crawl(site: Generated, proxy: ReplayProxy, output: Path) -> dict[str, float]:
    proxy.clear()
    code, wall, cpu, rss = run_measured(command(site, output), ROOT, {**os.environ, **proxy.env()})
    if code != 0:
        raise SystemExit(f"the crawl failed ({code})")
    exported = len(feed_lines(output))
    if exported != len(site.articles):
        logger.error("exported %d of %d articles", exported, len(site.articles))
    pages = sum(1 for url in proxy.urls() if not url.endswith("robots.txt"))
    return {"wall": wall, "cpu": cpu, "rss": rss, "pages": pages, "exported": exported}


def kill_and_rerun(site: Generated, proxy: ReplayProxy, output: Path) -> dict[str, float]:
    proxy.clear()
    env = {**os.environ, **proxy.env()}
    process = subprocess.Popen(
        command(site, output), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    half = len(site.articles) // 2
    while process.poll() is None and len(feed_lines(output)) < half:
        time.sleep(1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    in_feed = {str(item["url"]) for item in feed_lines(output)}
    proxy.clear()
    done = subprocess.run(
        command(site, output), cwd=ROOT, env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the rerun failed ({done.returncode}): {done.stderr[-2000:]!r}")
    second = proxy.urls()
    ids = Counter(str(item["article_id"]) for item in feed_lines(output))
    by_day: dict[str, set[str]] = {}
    for url in site.articles.values():
        day = url.split("/read/")[1].split("/")[0]
        by_day.setdefault(f"{day[:4]}-{day[4:6]}-{day[6:]}", set()).add(url)
    complete = {day for day, urls in by_day.items() if urls <= in_feed}
    again = Counter(url.split("date=")[1].split("&")[0] for url in second if "/index?" in url)
    return {
        "articles in the feed at the kill": len(in_feed),
        "articles exported in all": len(ids),
        "articles exported twice": sum(1 for n in ids.values() if n > 1),
        "exported articles fetched again": sum(1 for url in second if url in in_feed),
        "days complete at the kill": len(complete),
        "index pages the rerun fetched for them": sum(again[day] for day in complete),
        "index pages the rerun fetched in all": sum(again.values()),
    }


def other_hosts(bodies: list[bytes], n: int) -> list[tuple[str, bytes]]:
    """``n`` records of other hosts (most of a CC-NEWS file): the site's pages, elsewhere."""
    return [(f"https://www.news{i % 97}.example/read/{i}/story", bodies[i % len(bodies)])
            for i in range(n)]  # fmt: skip


def warc_member(url: str, body: bytes, content_type: str = "text/html; charset=UTF-8") -> bytes:
    """One response record, gzipped on its own (as Common Crawl writes them)."""
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body  # fmt: skip
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nWARC-Date: 2025-11-20T00:00:00Z\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", compresslevel=6, mtime=0)


def write_archives(work: Path, articles: int, others: int) -> tuple[Path, Path, Path, int]:
    """Gzipped WARCs: a generated site's ``articles`` article pages and ``others`` records of
    other hosts, interleaved (one of ours, then two of theirs); the other hosts' records
    alone; and an empty one (what a crawl costs before its first record). The three, and
    the article count."""
    site = generate_site(work / "archive-site", articles, per_day=100, per_page=PER_PAGE,
                         first_day=date(2025, 1, 1))  # fmt: skip
    entries = json.loads((site.root / "manifest.json").read_text())
    urls = set(site.articles.values())
    ours = [warc_member(e["url"], (site.root / "site" / e["file"]).read_bytes())
            for e in entries if e["url"] in urls]  # fmt: skip
    bodies = [(site.root / "site" / e["file"]).read_bytes() for e in entries if e["url"] in urls]
    theirs = [warc_member(url, body) for url, body in other_hosts(bodies, others)]
    every = max(1, round(others / max(1, len(ours))))
    mixed, alone, empty = work / "mixed.warc.gz", work / "others.warc.gz", work / "empty.warc"
    with mixed.open("wb") as handle:
        for n, member in enumerate(ours):
            handle.write(member + b"".join(theirs[n * every : (n + 1) * every]))
        handle.write(b"".join(theirs[len(ours) * every :]))
    alone.write_bytes(b"".join(theirs))
    empty.write_bytes(b"")
    return mixed, alone, empty, len(ours)


def reading_rates(path: Path, wanted: Any, times: int) -> dict[str, float]:
    """Records a second through :func:`newscrawl.archives.read_captures` (the best of
    ``times``), with each WARC reader."""
    from newscrawl import archives

    rates = {}
    for reader in archives.READERS:
        best = float("inf")
        for _ in range(times):
            counts = archives.ArchiveCounts()
            started = time.perf_counter()
            for _ in archives.read_captures(str(path), counts, wanted, reader=reader):
                pass
            best = min(best, time.perf_counter() - started)
        rates[reader] = counts.read / best
    return rates


#: The archive crawls measured: (name, NEWSCRAWL_WARC_READER, NEWSCRAWL_READ_WORKERS).
ARCHIVE_CRAWLS = (
    ("fastwarc, both cores (auto: a reading worker)", "fastwarc", "auto"),
    ("fastwarc, one core", "fastwarc", "0"),
    ("warcio, one core (as before)", "warcio", "0"),
)


def archive_crawl(
    archive: Path, output: Path, reader: str, workers: str
) -> tuple[int, float, float]:
    """``scrapy crawl bisnis -a warc=ARCHIVE``: articles exported, wall and CPU seconds (the
    CPU of the children it waited for included)."""
    line = [sys.executable, "-m", "scrapy", "crawl", "bisnis", "-a", f"warc={archive}",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            "-s", f"NEWSCRAWL_READ_WORKERS={workers}", "-s", f"NEWSCRAWL_WARC_READER={reader}",
            "-s", "LOG_LEVEL=WARNING"]  # fmt: skip
    code, wall, cpu, _ = run_measured(line, ROOT, dict(os.environ))
    if code not in (0, 3):  # 3: the empty archive gives no article (an unhealthy run)
        raise SystemExit(f"the archive crawl failed ({code})")
    return len(feed_lines(output)), wall, cpu


def archive_speed(work: Path, articles: int, others: int, rounds: int) -> dict[str, float]:
    """Articles a second for ``scrapy crawl bisnis -a warc=...`` on a local gzipped WARC of
    ``articles`` article pages and ``others`` records of other hosts (each crawl of
    :data:`ARCHIVE_CRAWLS`, ``rounds`` times, the median); records a second for reading it
    alone, and for passing over the other hosts' records, with each reader."""
    from newscrawl.sites import registered

    mixed, theirs, empty, ours = write_archives(work, articles, others)
    is_article = registered()["bisnis"].urls.is_article
    results: dict[str, float] = {"records": ours + others, "MB": mixed.stat().st_size / 1e6}
    for reader, rate in reading_rates(mixed, lambda url, status: True, rounds).items():
        results[f"reading every record ({reader}), records/s"] = rate
    for reader, rate in reading_rates(theirs, lambda u, s: is_article(u), rounds).items():
        results[f"passing over other hosts' records ({reader}), records/s"] = rate
    walls: dict[str, list[float]] = {name: [] for name, _, _ in ARCHIVE_CRAWLS}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in ARCHIVE_CRAWLS}
    starts, start_cpus = [], []
    for n in range(rounds):
        _, wall, cpu = archive_crawl(empty, work / f"out-empty-{n}", "auto", "0")
        starts.append(wall)
        start_cpus.append(cpu)
        for name, reader, workers in ARCHIVE_CRAWLS:
            output = work / f"out-warc-{n}-{reader}-{workers}"
            exported, wall, cpu = archive_crawl(mixed, output, reader, workers)
            if exported != ours:
                logger.error("%s: exported %d of %d articles", name, exported, ours)
            walls[name].append(wall)
            cpus[name].append(cpu)
            logger.warning("round %d, %s: %.1f s, CPU %.1f s, load average %.1f", n + 1, name,
                           wall, cpu, os.getloadavg()[0])  # fmt: skip
    start, start_cpu = statistics.median(starts), statistics.median(start_cpus)
    results["a crawl of an empty archive (start and end), wall s"] = start
    results["a crawl of an empty archive (start and end), CPU s"] = start_cpu
    for name, seconds in walls.items():
        wall, cpu = statistics.median(seconds), statistics.median(cpus[name])
        results[f"{name}: wall s (median of {rounds}; rounds {seconds_list(seconds)})"] = wall
        results[f"{name}: articles/s"] = ours / wall
        results[f"{name}: articles/s after the start"] = ours / max(0.001, wall - start)
        results[f"{name}: CPU s (median)"] = cpu
        results[f"{name}: articles per CPU second after the start"] = ours / max(
            0.001, cpu - start_cpu
        )
    return results


def seconds_list(seconds: list[float]) -> str:
    return ", ".join(f"{s:.1f}" for s in seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--no-resume", action="store_true", help="skip the kill-and-rerun part")
    parser.add_argument("--archive-only", action="store_true", help="only the WARC backfill")
    parser.add_argument("--articles", type=int, default=4000, help="the WARC's article pages")
    parser.add_argument("--others", type=int, default=8000, help="its other hosts' records")
    parser.add_argument("--rounds", type=int, default=3, help="each archive crawl, times")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    results = {}
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="newscrawl-backfill-") as tmp:
        work = Path(tmp)
        logger.warning("writing the archives: %d articles, %d others", args.articles, args.others)
        results["archive"] = archive_speed(work, args.articles, args.others, args.rounds)
        for name, n in (("small", args.small), ("year", args.days * args.per_day)):
            if args.archive_only:
                break
            logger.warning("generating %s: %d articles", name, n)
            site = generate_site(work / name, n, per_day=args.per_day, per_page=PER_PAGE,
                                 first_day=date(2025, 1, 1))  # fmt: skip
            with ReplayProxy(site.root, lifetime=6 * 3600) as proxy:
                logger.warning("crawling %s", name)
                results[name] = crawl(site, proxy, work / f"out-{name}")
                if name == "year" and not args.no_resume:
                    logger.warning("killing at half and rerunning")
                    results["resume"] = kill_and_rerun(site, proxy, work / "out-resume")
    out = [
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}, load average {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end",
    ]
    if "year" in results:
        small, year = results["small"], results["year"]
        out += [
            "",
            "| crawl | articles | wall s | CPU s | peak RSS MB | pages/s |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, m in (("small", small), ("year", year)):
            out.append(
                f"| {name} | {m['exported']:,.0f} | {m['wall']:.1f} | {m['cpu']:.1f} | "
                f"{m['rss']:.0f} | {m['pages'] / m['wall']:.0f} |"
            )
        out += ["", f"peak RSS, year / small: {year['rss'] / small['rss']:.2f}"]
    out += ["", f"archive backfill ({args.articles:,} articles + {args.others:,} other hosts' "
            "records, one local gzipped WARC; target >= 800 articles/s, aim 1,000):"]  # fmt: skip
    out += [f"- {key}: {value:,.1f}" for key, value in results["archive"].items()]
    if "resume" in results:
        out += ["", "kill at half, then rerun:"]
        out += [f"- {key}: {value:,.0f}" for key, value in results["resume"].items()]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
