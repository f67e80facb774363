"""`make bench-distributed`: one worker against three on one shared frontier (Redis).

Generates a Bisnis-like site (default 600 articles over 6 days) whose every answer the replay
proxy delays 50 ms, starts a redis-server of its own on a loopback port, and crawls the site
with `scrapy crawl bisnis` in distributed mode: once with one worker, once with three started
together, each with the same settings (the benchmark's usual knobs, no delay) and the same
concurrency: 16 requests at a time (where one worker is bound by its CPU), then 4 (where it is
bound by the latency). Each round starts from an empty Redis and empty output folders. It prints
the wall time (first start to last exit), the CPU of all workers, the articles each worker
exported and the speed-up, and checks that every article was exported exactly once.

It prints figures; it is not a test. Usage: python bench/distributed.py [--articles 600]
[--latency 0.05] [--rounds 3] [--workers 3] [--concurrency 16,4]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import COMMON  # noqa: E402 - bench/bench.py, beside this file
from tests.redis_server import RedisServer  # noqa: E402
from tests.replay import ReplayProxy  # noqa: E402
from tests.sitegen import Generated, generate_site  # noqa: E402

logger = logging.getLogger("bench.distributed")


def command(site: Generated, output: Path, redis_url: str, knobs: dict[str, str]) -> list[str]:
    line = [sys.executable, "-m", "scrapy", "crawl", "bisnis", "-a", f"since={site.days[0]}",
            "-a", f"until={site.days[-1]}", "-a", "browser=never",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={output}", "-s", f"NEWSCRAWL_REDIS_URL={redis_url}",
            "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]  # fmt: skip
    for name, value in {**COMMON, **knobs}.items():
        line += ["-s", f"{name}={value}"]
    return line


def exported(outputs: list[Path]) -> Counter[str]:
    ids: Counter[str] = Counter()
    for output in outputs:
        for feed in output.glob("bisnis/*/*.jsonl"):
            ids.update(json.loads(line)["article_id"] for line in feed.read_text().splitlines())
    return ids


def one_round(
    site: Generated,
    proxy: ReplayProxy,
    server: RedisServer,
    workers: int,
    work: Path,
    knobs: dict[str, str],
) -> tuple[float, float, list[int], float]:
    """Wall seconds, CPU seconds of all workers, articles exported by each, CPU seconds of
    this process (the replay proxy answering, TLS included) meanwhile."""
    server.flush()
    proxy.reset()
    outputs = [work / f"worker{n}" for n in range(workers)]
    env = {**os.environ, **proxy.env()}
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            command(site, output, server.url, knobs),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for output in outputs
    ]
    cpu = 0.0
    for process in processes:
        assert process.stderr is not None
        err = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        if process.returncode != 0:
            raise SystemExit(f"a worker failed ({process.returncode}):\n{err.decode()[-3000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    proxy_cpu = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    counts = exported(outputs)
    if set(counts) != set(site.articles) or max(counts.values()) != 1:
        raise SystemExit(
            f"not every article exactly once: {len(counts)} ids, {counts.total()} lines"
        )
    per_worker = [sum(exported([output]).values()) for output in outputs]
    return wall, cpu, per_worker, proxy_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--concurrency",
        default="16,4",
        help="requests at a time per worker, one table each (CONCURRENT_REQUESTS, and as many "
        "per host)",
    )
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(
        f"{options.articles} articles, {options.latency * 1000:.0f} ms a response; "
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; medians of {options.rounds} rounds"
    )
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        work = Path(tmp)
        site = generate_site(work / "site", options.articles, latency=options.latency)
        with RedisServer(work / "redis") as server, ReplayProxy(site.root, lifetime=3600) as proxy:
            for concurrency in options.concurrency.split(","):
                value = concurrency.strip()
                knobs = {"CONCURRENT_REQUESTS": value, "CONCURRENT_REQUESTS_PER_DOMAIN": value}
                results: dict[int, list[tuple[float, float, list[int], float]]] = {}
                for round_number in range(options.rounds):
                    for workers in (1, options.workers):
                        folder = work / f"{value}-{round_number}-{workers}"
                        results.setdefault(workers, []).append(
                            one_round(site, proxy, server, workers, folder, knobs)
                        )
                print_table(options, value, results)


def print_table(
    options: argparse.Namespace,
    concurrency: str,
    results: dict[int, list[tuple[float, float, list[int], float]]],
) -> None:
    print()
    print(f"{concurrency} requests at a time per worker (CONCURRENT_REQUESTS, and per host):")
    print()
    print("| workers | wall s | CPU s (workers) | CPU s (proxy) | articles per worker | art./s |")
    print("|---:|---:|---:|---:|---|---:|")
    walls = {}
    for workers, rounds in results.items():
        wall = statistics.median(r[0] for r in rounds)
        cpu = statistics.median(r[1] for r in rounds)
        proxy_cpu = statistics.median(r[3] for r in rounds)
        walls[workers] = wall
        split = min(rounds, key=lambda r: abs(r[0] - wall))[2]
        shares = " / ".join(map(str, split))
        print(
            f"| {workers} | {wall:.2f} | {cpu:.2f} | {proxy_cpu:.2f} | {shares} "
            f"| {options.articles / wall:.0f} |"
        )
    print()
    print(f"speed-up of {options.workers} workers: {walls[1] / walls[options.workers]:.2f}x")


if __name__ == "__main__":
    main()
