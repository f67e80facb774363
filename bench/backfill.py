"""`make bench-backfill`: a year's backfill on one machine, and its resume after a kill.

1. Generates a Bisnis-like site of a year (default 365 days of 100 articles: 36,500 articles,
   5 index pages a day) and a small one (2,000 articles), served by the replay proxy.
2. Crawls each with `scrapy crawl bisnis -a since=... -a until=...` from a fresh state and
   prints wall time, CPU, peak RSS (the crawl's own VmHWM, read from /proc as it runs; its
   manifest records the same as peak_rss_mb) and pages/s: the year's against the small one's.
3. Kills a fresh year crawl (SIGKILL) once half the articles are in its feed, reruns the same
   command, and prints what the rerun cost: articles exported twice, exported articles fetched
   again, and the index pages fetched for days the killed run had completed.
4. Writes the small site's pages into a gzipped WARC (warcio) and prints records per second
   for reading the archive alone and for `scrapy crawl bisnis -a warc=...` (no network).

It prints figures; it is not a test. Usage: python bench/backfill.py [--days 365] [--per-day 100]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

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


def archive_speed(site: Generated, work: Path) -> dict[str, float]:
    """Records a second: reading a local WARC alone, and a crawl from it."""
    from newscrawl.archives import ArchiveCounts, read_captures
    from tests.warcs import write_warc

    entries = json.loads((site.root / "manifest.json").read_text())
    records = [
        (e["url"], (site.root / "site" / e["file"]).read_bytes(), int(e.get("status", 200)),
         str(e.get("content_type") or "text/html; charset=UTF-8"))
        for e in entries
    ]  # fmt: skip
    archive = write_warc(work / "site.warc.gz", records)
    counts = ArchiveCounts()
    started = time.perf_counter()
    for _ in read_captures(str(archive), counts):
        pass
    reading = time.perf_counter() - started
    output = work / "out-warc"
    line = [sys.executable, "-m", "scrapy", "crawl", "bisnis", "-a", f"warc={archive}",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            "-s", "LOG_LEVEL=WARNING"]  # fmt: skip
    code, wall, _, _ = run_measured(line, ROOT, dict(os.environ))
    if code != 0:
        raise SystemExit(f"the archive crawl failed ({code})")
    exported = len(feed_lines(output))
    return {
        "records": counts.read,
        "MB": archive.stat().st_size / 1e6,
        "reading alone, records/s": counts.read / reading,
        "crawl from the archive, records/s": counts.read / wall,
        "crawl wall s": wall,
        "articles exported": exported,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--no-resume", action="store_true", help="skip the kill-and-rerun part")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    results = {}
    with tempfile.TemporaryDirectory(prefix="newscrawl-backfill-") as tmp:
        work = Path(tmp)
        for name, n in (("small", args.small), ("year", args.days * args.per_day)):
            logger.warning("generating %s: %d articles", name, n)
            site = generate_site(work / name, n, per_day=args.per_day, per_page=PER_PAGE,
                                 first_day=date(2025, 1, 1))  # fmt: skip
            with ReplayProxy(site.root, lifetime=6 * 3600) as proxy:
                logger.warning("crawling %s", name)
                results[name] = crawl(site, proxy, work / f"out-{name}")
                if name == "small":
                    logger.warning("reading it from a WARC")
                    results["archive"] = archive_speed(site, work)
                if name == "year" and not args.no_resume:
                    logger.warning("killing at half and rerunning")
                    results["resume"] = kill_and_rerun(site, proxy, work / "out-resume")
    small, year = results["small"], results["year"]
    out = [
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}",
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
    out += ["", "the small site from a local gzipped WARC:"]
    out += [f"- {key}: {value:,.1f}" for key, value in results["archive"].items()]
    if "resume" in results:
        out += ["", "kill at half, then rerun:"]
        out += [f"- {key}: {value:,.0f}" for key, value in results["resume"].items()]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
