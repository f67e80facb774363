"""Distributed mode (``NEWSCRAWL_REDIS_URL``) end to end, against a real redis-server: workers
crawl one shared frontier through the replay proxy; one is killed, Redis is restarted, a tick
is joined; every article is exported exactly once, in whole JSON lines."""

from __future__ import annotations

import json
import pickle
import re
import signal
import socket
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.distributed import Keys
from newscrawl.frontier import ID_BYTES
from tests.redis_server import RedisServer
from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site, index_url
from tests.support import (
    assert_items_match,
    crawl_plan,
    expected,
    project_sites,
    published_items,
    run_crawl,
    start_crawl,
    stat,
    wait_until,
)
from tests.test_cron import drifted_site, part_lines

#: A short lease, so that a killed worker counts as dead within seconds.
LEASE = {"NEWSCRAWL_REDIS_LEASE_SECONDS": "3"}
#: Slow enough that a kill or a Redis restart lands mid-run.
SLOW = {"CONCURRENT_REQUESTS": "4", "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The module's redis-server, emptied (and running) for each test."""
    if redis_server.process is None or redis_server.process.poll() is not None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, ReplayProxy]]:
    """600 articles over 6 days (5 index pages a day), 20 ms per answer."""
    generated = generate_site(
        tmp_path_factory.mktemp("dist") / "site", 600, per_day=100, per_page=20, latency=0.02
    )
    with ReplayProxy(generated.root, lifetime=900) as proxy:
        yield generated, proxy


def window(generated: Generated) -> dict[str, str]:
    return {"since": str(generated.days[0]), "until": str(generated.days[-1]), "browser": "never"}


#: Every worker a test started: the ones still running when it ends are killed.
_STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test() -> Iterator[None]:
    """A test that fails leaves no worker behind to claim the next test's articles."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(30)


def start_worker(
    site: tuple[Generated, ReplayProxy],
    output: Path,
    log: Path,
    url: str,
    **settings: str,
) -> subprocess.Popen[bytes]:
    generated, proxy = site
    process = start_crawl(
        "bisnis",
        window(generated),
        output_dir=output,
        proxy_env=proxy.env(),
        log=log,
        settings={"NEWSCRAWL_REDIS_URL": url, **LEASE, **settings},
    )
    return track(process)


def track(process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """``process``, killed when the test ends if it still runs."""
    _STARTED.append(process)
    return process


def finish(processes: list[subprocess.Popen[bytes]], timeout: float = 240) -> list[int]:
    return [process.wait(timeout) for process in processes]


def feed_lines(outputs: list[Path], spider: str = "bisnis") -> list[dict[str, Any]]:
    """Every line of every complete feed of the outputs (each must be whole JSON)."""
    return [item for output in outputs for item in published_items(output, spider)]


def exported(outputs: list[Path]) -> Counter[str]:
    return Counter(str(item["article_id"]) for item in feed_lines(outputs))


def manifests(outputs: list[Path]) -> list[dict[str, Any]]:
    found = []
    for output in outputs:
        for path in sorted(output.glob("bisnis/runs/*.json")):
            found.append(json.loads(path.read_text("utf-8")))
    return found


def ticks(log: str) -> list[tuple[str, str]]:
    """(``seeds``/``joins``, tick id) of a worker's log."""
    return re.findall(r"Worker \S+ (seeds|joins) tick (\S+)", log)


def leftovers(server: RedisServer) -> list[str]:
    """Frontier keys a finished tick must not leave behind (a queue, requests in flight)."""
    client = server.client()
    keys = [key.decode() for key in client.keys("newscrawl:bisnis:*")]
    return [key for key in keys if key.endswith(":queue") or ":inflight:" in key]


# -- the tests -------------------------------------------------------------------------------


def test_three_workers_form_one_tick_and_export_each_article_once(
    site: tuple[Generated, ReplayProxy],
    redis_server: RedisServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    generated, proxy = site
    proxy.reset()
    # two processes on one machine (one output folder), one on another
    outputs = [tmp_path / "machine-a", tmp_path / "machine-a", tmp_path / "machine-b"]
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    pairs = zip(outputs, logs, strict=True)
    workers = [start_worker(site, out, log, redis_url) for out, log in pairs]
    assert finish(workers) == [0, 0, 0], [log.read_text()[-3000:] for log in logs]
    texts = [log.read_text("utf-8") for log in logs]

    # one tick, seeded by one worker; the others joined it and seeded nothing
    seen = [ticks(text) for text in texts]
    assert all(len(found) == 1 for found in seen), seen
    assert len({tick for found in seen for _, tick in found}) == 1
    assert sorted(kind for found in seen for kind, _ in found) == ["joins", "joins", "seeds"]
    for day in generated.days:
        assert proxy.count(index_url(day, 1)) == 1  # each day's index asked for once

    # every article once, in whole JSON lines; the work was shared
    machines = [tmp_path / "machine-a", tmp_path / "machine-b"]
    counts = exported(machines)
    assert set(counts) == set(generated.articles)
    assert max(counts.values()) == 1
    per_worker = [stat(text, "newscrawl/export/written") for text in texts]
    assert sum(per_worker) == 600 and sum(1 for n in per_worker if n) >= 2, per_worker

    # worker ids: in feed names and manifests, one per process, none shared
    runs = manifests(machines)
    assert len(runs) == 3
    worker_ids = {run["worker"] for run in runs}
    assert len(worker_ids) == 3
    assert len({run["tick"] for run in runs}) == 1
    assert sum(run["seeded_tick"] for run in runs) == 1
    for run in runs:
        assert run["exit_status"] == 0
        for feed in run["feeds"]:
            assert feed["path"].endswith(f"--{run['worker']}.jsonl")
    feeds = [path.name for out in machines for path in out.glob("bisnis/*/*.jsonl")]
    assert len(feeds) == len(set(feeds))
    assert leftovers(redis_server) == []

    # the next tick is a new one, seeded again: nothing new to export
    proxy.reset()
    again = run_crawl(
        "bisnis",
        window(generated),
        output_dir=tmp_path / "machine-b",
        proxy_env=proxy.env(),
        default_feed=True,
        settings={"NEWSCRAWL_REDIS_URL": redis_url, **LEASE},
    )
    assert again.returncode == 0, again.log[-3000:]
    (kind, tick), = ticks(again.log)  # fmt: skip
    assert kind == "seeds" and tick not in {t for found in seen for _, t in found}
    assert proxy.count(index_url(generated.days[0], 1)) == 1
    assert stat(again.log, "newscrawl/export/written") == 0
    assert stat(again.log, "newscrawl/discovery/known") == 600


def test_a_killed_worker_loses_nothing_and_doubles_nothing(
    site: tuple[Generated, ReplayProxy],
    redis_server: RedisServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    generated, proxy = site
    proxy.reset()
    machine_a, machine_b = tmp_path / "machine-a", tmp_path / "machine-b"
    victim = start_worker(site, machine_a, tmp_path / "victim.log", redis_url, **SLOW)
    others = [
        start_worker(site, machine_a, tmp_path / "other-a.log", redis_url, **SLOW),
        start_worker(site, machine_b, tmp_path / "other-b.log", redis_url, **SLOW),
    ]
    wait_until(lambda: _worker_part_lines(machine_a, victim.pid) >= 25, timeout=120)
    assert victim.poll() is None
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    victim_part = _worker_part(machine_a, victim.pid)
    victim_feed = victim_part.name
    written_by_victim = _part_ids(victim_part)
    assert len(written_by_victim) >= 25
    # restarted on the same machine: another process, so another worker id
    restarted = start_worker(site, machine_a, tmp_path / "restarted.log", redis_url, **SLOW)
    codes = finish([*others, restarted])
    logs = {
        name: (tmp_path / f"{name}.log").read_text("utf-8")
        for name in ("other-a", "other-b", "restarted")
    }
    assert codes == [0, 0, 0], {name: text[-3000:] for name, text in logs.items()}

    # the restarted worker recovered the dead worker's .part (the live one's was left alone)
    assert f"Recovered {machine_a}" in logs["restarted"] and victim_feed in logs["restarted"]
    assert not list(machine_a.glob("bisnis/*/*.part"))
    # the requests the dead worker had taken went back to the queue (no ack in scrapy-redis)
    requeued = sum(
        stat(text, "newscrawl/frontier/requeued_from_dead_workers") for text in logs.values()
    )
    assert requeued > 0

    counts = exported([machine_a, machine_b])
    assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1]
    assert written_by_victim <= set(counts)  # what it wrote before it died was published
    # no more tick needed: a line of a request it finished was in the OS's hands
    assert set(counts) == set(generated.articles)
    assert max(counts.values()) == 1
    assert leftovers(redis_server) == []


def test_a_killed_seeder_loses_nothing_of_its_plan(
    site: tuple[Generated, ReplayProxy],
    redis_server: RedisServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    """The seeder of a tick (the only one that knew the days still to plan) is SIGKILLed
    mid-tick and restarted: another worker goes on with the plan, which lives in Redis, and
    when every worker of the tick has exited each article is in the feeds exactly once,
    without another tick."""
    generated, proxy = site
    proxy.reset()
    machine_a, machine_b = tmp_path / "machine-a", tmp_path / "machine-b"
    # the seeder plans a day only once the queue is nearly empty: its plan takes the whole run
    paced = {**SLOW, "NEWSCRAWL_DAYS_AHEAD": "1", "NEWSCRAWL_BACKLOG": "10"}
    seeder = start_worker(site, machine_a, tmp_path / "seeder.log", redis_url, **paced)
    wait_until(lambda: "seeds tick" in (tmp_path / "seeder.log").read_text("utf-8"), 60)
    others = [
        start_worker(site, machine_a, tmp_path / "other-a.log", redis_url, **SLOW),
        start_worker(site, machine_b, tmp_path / "other-b.log", redis_url, **SLOW),
    ]
    wait_until(
        lambda: all(
            "joins tick" in (tmp_path / f"{name}.log").read_text("utf-8")
            for name in ("other-a", "other-b")
        ),
        60,
    )
    # killed once its first day is queued
    tick_key = Keys("bisnis").tick
    wait_until(lambda: int(redis_server.client().hget(tick_key, "planned") or 0) >= 1, 60)
    assert seeder.poll() is None
    seeder.send_signal(signal.SIGKILL)
    seeder.wait(30)
    log_seeder = (tmp_path / "seeder.log").read_text("utf-8")
    assert "Tick" not in log_seeder or "is seeded" not in log_seeder  # killed mid-plan
    restarted = start_worker(site, machine_a, tmp_path / "restarted.log", redis_url, **SLOW)
    codes = finish([*others, restarted])
    logs = {
        name: (tmp_path / f"{name}.log").read_text("utf-8")
        for name in ("other-a", "other-b", "restarted")
    }
    assert codes == [0, 0, 0], {name: text[-3000:] for name, text in logs.items()}
    # one tick, taken over by one of the workers
    (tick,) = {tick for _, tick in ticks(log_seeder)}
    assert all({t for _, t in ticks(text)} == {tick} for text in logs.values())
    assert sum(stat(text, "newscrawl/frontier/took_over_seeding") for text in logs.values()) >= 1
    assert any("Going on with the plan from day" in text for text in logs.values())
    counts = exported([machine_a, machine_b])
    assert set(counts) == set(generated.articles), sorted(set(generated.articles) - set(counts))
    assert max(counts.values()) == 1
    assert leftovers(redis_server) == []


def _worker_parts(output: Path, pid: int) -> list[Path]:
    """The ``.part`` files of the worker of process ``pid`` (ids end ``-<pid>``)."""
    return [
        p for p in output.glob("bisnis/*/*.jsonl.part") if p.name.endswith(f"-{pid}.jsonl.part")
    ]


def _worker_part(output: Path, pid: int) -> Path:
    (part,) = _worker_parts(output, pid)
    return part


def _worker_part_lines(output: Path, pid: int) -> int:
    return sum(part.read_bytes().count(b"\n") for part in _worker_parts(output, pid))


def _part_ids(part: Path) -> set[str]:
    """The article ids in the whole lines of a ``.part`` (read before anyone recovers it)."""
    raw = part.read_bytes()
    whole = raw[: raw.rfind(b"\n") + 1]
    return {str(json.loads(line)["article_id"]) for line in whole.splitlines()}


def test_redis_restarted_mid_crawl(
    site: tuple[Generated, ReplayProxy],
    redis_server: RedisServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    """Redis goes down (its append-only file written) and comes back: the workers wait and
    reconnect; nothing is lost or doubled."""
    generated, proxy = site
    proxy.reset()
    outputs = [tmp_path / "machine-a", tmp_path / "machine-b"]
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    settings = {**SLOW, "NEWSCRAWL_REDIS_LEASE_SECONDS": "15"}
    workers = [start_worker(site, outputs[n % 2], logs[n], redis_url, **settings) for n in range(3)]
    wait_until(lambda: sum(part_lines(out) for out in outputs) >= 120, timeout=120)
    assert all(worker.poll() is None for worker in workers)
    redis_server.restart(down_seconds=2.0)
    written_at_restart = sum(part_lines(out) for out in outputs)
    assert written_at_restart < 600
    assert finish(workers) == [0, 0, 0], [log.read_text()[-3000:] for log in logs]
    counts = exported(outputs)
    assert set(counts) == set(generated.articles)
    assert max(counts.values()) == 1
    assert leftovers(redis_server) == []


def test_worker_ids_are_unique_per_process(
    site: tuple[Generated, ReplayProxy], redis_url: str, tmp_path: Path
) -> None:
    generated, proxy = site
    proxy.reset()
    one_day = {"since": str(generated.days[0]), "until": str(generated.days[0]), "browser": "never"}
    named = {"NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_WORKER_ID": "alpha", **SLOW}
    # every day: long enough that the twin's start comes while it runs, even on a loaded machine
    first = track(start_crawl(
        "bisnis", window(generated), output_dir=tmp_path / "a", proxy_env=proxy.env(),
        log=tmp_path / "first.log", settings=named,
    ))  # fmt: skip
    wait_until(lambda: "seeds tick" in (tmp_path / "first.log").read_text(), timeout=60)
    # the same id while its holder runs: refused (75), nothing fetched, nothing written
    twin = run_crawl(
        "bisnis", one_day, output_dir=tmp_path / "b", proxy_env=proxy.env(),
        default_feed=True, settings=named,
    )  # fmt: skip
    assert first.wait(120) == 0
    assert twin.returncode == 75, twin.log[-2000:]
    assert "worker id alpha is held by" in twin.log
    assert not list((tmp_path / "b").glob("bisnis/*/*.jsonl*"))
    (feed,) = (tmp_path / "a").glob("bisnis/*/*.jsonl")
    assert feed.name.endswith("--alpha.jsonl")
    (run,) = manifests([tmp_path / "a"])
    assert run["worker"] == "alpha" and run["run_id"].endswith("--alpha")
    # an id that cannot name a file: refused before anything starts
    bad = run_crawl(
        "bisnis", one_day, output_dir=tmp_path / "c", proxy_env=proxy.env(), default_feed=True,
        settings={"NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_WORKER_ID": "a/b"},
    )  # fmt: skip
    assert bad.returncode == 2 and "NEWSCRAWL_WORKER_ID='a/b'" in bad.log


def busiest_second(times: list[float]) -> int:
    """The most requests in any one-second window."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def per_host_times(log: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for line in log.read_text("utf-8").splitlines():
        entry = json.loads(line)
        if entry["method"] != "CONNECT":
            host = entry["url"].split("/")[2]
            found.setdefault(host, []).append(entry["time"])
    return found


@pytest.mark.parametrize("shared", [True, False], ids=["shared-limit", "control-without-it"])
def test_the_rate_a_host_sees_does_not_grow_with_the_workers(
    shared: bool, redis_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Three workers, DOWNLOAD_DELAY=0.2: at most one request to a host every 0.2 s across
    all of them (a window of one second holds at most 5 planned, 7 with timing slack). The
    control, with the shared limit switched off, shows what three workers do without it."""
    generated = generate_site(tmp_path / "site", 100, per_day=100, per_page=25)
    settings = {
        "DOWNLOAD_DELAY": "0.2",
        "RANDOMIZE_DOWNLOAD_DELAY": "False",
        "CONCURRENT_REQUESTS": "8",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    }
    if not shared:
        settings["DOWNLOADER_MIDDLEWARES"] = json.dumps(
            {"newscrawl.middlewares.SharedRateMiddleware": None}
        )
    log = tmp_path / "requests.jsonl"
    with ReplayProxy(generated.root, lifetime=300, log_path=log) as proxy:
        site = (generated, proxy)
        workers = [
            start_worker(site, tmp_path / f"out{n}", tmp_path / f"w{n}.log", redis_url, **settings)
            for n in range(3)
        ]
        assert finish(workers) == [0, 0, 0]
    counts = exported([tmp_path / f"out{n}" for n in range(3)])
    assert set(counts) == set(generated.articles) and max(counts.values()) == 1
    busiest = {host: busiest_second(times) for host, times in per_host_times(log).items()}
    article_hosts = {url.split("/")[2] for url in generated.articles.values()}
    if shared:
        assert max(busiest.values()) <= 7, busiest
        waits = sum(
            stat((tmp_path / f"w{n}.log").read_text(), "newscrawl/politeness/waits")
            for n in range(3)
        )
        assert waits > 0
    else:
        assert max(busiest[host] for host in article_hosts) > 7, busiest


def test_an_unhealthy_tick_exits_3_on_the_workers_that_find_it(
    redis_url: str, tmp_path: Path
) -> None:
    """The markup drifted: each worker that read enough article pages finds it, exits 3 and
    withholds what it wrote."""
    with ReplayProxy(drifted_site(tmp_path), lifetime=120) as proxy:
        args = {"since": "2025-11-20", "browser": "never"}
        settings = {"NEWSCRAWL_REDIS_URL": redis_url, **LEASE, "CONCURRENT_REQUESTS": "2"}
        workers = [
            track(
                start_crawl(
                    "bisnis",
                    args,
                    output_dir=tmp_path / f"out{n}",
                    proxy_env=proxy.env(),
                    log=tmp_path / f"w{n}.log",
                    settings=settings,
                )
            )
            for n in range(2)
        ]
        codes = finish(workers)
    logs = [(tmp_path / f"w{n}.log").read_text("utf-8") for n in range(2)]
    assert 3 in codes
    for n, (code, log) in enumerate(zip(codes, logs, strict=True)):
        pages = stat(log, "newscrawl/health/article_pages")
        # a worker whose every request failed (it drew only a blocked page) is unhealthy too
        unreachable = re.search(r"Unhealthy run: all \d+ requests failed", log) is not None
        assert code == (3 if pages >= 3 or unreachable else 0), log[-3000:]
        assert ("Unhealthy run" in log) == (code == 3)
        if code == 3:  # what it read is withheld (a worker that read too few pages to tell
            assert exported([tmp_path / f"out{n}"]) == Counter()  # publishes its good ones)


def test_no_log_line_nor_manifest_shows_the_redis_password(tmp_path: Path) -> None:
    """The password of NEWSCRAWL_REDIS_URL, right or wrong, is never printed nor written to
    a manifest or feed."""
    secret = "s3cret-Pa55"
    generated = generate_site(tmp_path / "site", 10, per_day=10, per_page=10)
    with (
        RedisServer(tmp_path / "redis", password=secret) as server,
        ReplayProxy(generated.root, lifetime=120) as proxy,
    ):
        right = run_crawl(
            "bisnis", window(generated), output_dir=tmp_path / "out", proxy_env=proxy.env(),
            default_feed=True, settings={"NEWSCRAWL_REDIS_URL": server.url, **LEASE},
        )  # fmt: skip
        wrong_url = server.url.replace(secret, secret + "-wrong")
        wrong = run_crawl(
            "bisnis", window(generated), output_dir=tmp_path / "out2", proxy_env=proxy.env(),
            default_feed=True, settings={"NEWSCRAWL_REDIS_URL": wrong_url, **LEASE},
        )  # fmt: skip
    assert right.returncode == 0, right.log[-3000:]
    assert wrong.returncode == 2 and "cannot use the Redis state at redis://:***@" in wrong.log
    written = [p.read_text("utf-8") for p in tmp_path.glob("out*/**/*") if p.is_file()
               and p.suffix in (".json", ".jsonl", ".log", ".txt")]  # fmt: skip
    assert written
    for text in [right.log, wrong.log, *written]:
        assert secret not in text


class _Planted:
    """A pickle whose loading writes its marker file (what a writer to Redis could plant)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "code ran"))


def test_a_planted_pickle_never_runs_and_the_crawl_finishes(
    redis_server: RedisServer, redis_url: str, tmp_path: Path
) -> None:
    generated = generate_site(tmp_path / "site", 30, per_day=30, per_page=10)
    marker = tmp_path / "marker"
    planted = b"0" * 32 + pickle.dumps(_Planted(marker))
    redis_server.client().zadd(Keys("bisnis").queue, {planted: -1000})  # popped first
    with ReplayProxy(generated.root, lifetime=120) as proxy:
        worker = start_worker((generated, proxy), tmp_path / "out", tmp_path / "w.log", redis_url)
        assert finish([worker], timeout=120) == [0]
    log = (tmp_path / "w.log").read_text("utf-8")
    assert not marker.exists()
    assert stat(log, "newscrawl/frontier/undecodable") == 1
    assert log.count("not a request of ours") == 1
    counts = exported([tmp_path / "out"])
    assert set(counts) == set(generated.articles) and max(counts.values()) == 1
    assert leftovers(redis_server) == []  # the member did not stay queued


def test_distributed_mode_refuses_what_it_cannot_do(
    redis_url: str, tmp_path: Path, site: tuple[Generated, ReplayProxy]
) -> None:
    generated, proxy = site
    proxy.reset()
    # the generic spider keeps a split article's pages in one process
    news = run_crawl(
        "news", {"start_urls": "https://www.bisnis.com/"}, output_dir=tmp_path / "news",
        proxy_env=proxy.env(), default_feed=True, settings={"NEWSCRAWL_REDIS_URL": redis_url},
    )  # fmt: skip
    assert news.returncode == 2 and "does not run in distributed mode" in news.log
    # a Redis that cannot be reached: exit 2 naming it, before any request
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nobody = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    unreachable = run_crawl(
        "bisnis", window(generated), output_dir=tmp_path / "out", proxy_env=proxy.env(),
        default_feed=True, settings={"NEWSCRAWL_REDIS_URL": nobody},
    )  # fmt: skip
    assert unreachable.returncode == 2
    assert f"cannot use the Redis state at {nobody}" in unreachable.log
    assert proxy.urls() == []
    assert not list((tmp_path / "out").glob("bisnis/**/*.json*"))


def test_redis_gone_for_longer_than_the_wait_stops_the_worker_loudly(
    site: tuple[Generated, ReplayProxy],
    redis_server: RedisServer,
    redis_url: str,
    tmp_path: Path,
) -> None:
    """Redis stays away longer than NEWSCRAWL_REDIS_WAIT_SECONDS: the worker stops (exit 3,
    finish reason redis_unreachable) and keeps its .part; once Redis is back the next tick
    recovers it, and every article is exported exactly once."""
    generated, proxy = site
    proxy.reset()
    output = tmp_path / "machine-a"
    worker = start_worker(
        site, output, tmp_path / "w.log", redis_url, NEWSCRAWL_REDIS_WAIT_SECONDS="2", **SLOW
    )
    wait_until(lambda: part_lines(output) >= 30, timeout=120)
    redis_server.stop()
    try:
        assert worker.wait(60) == 3
    finally:
        redis_server.start()
    log = (tmp_path / "w.log").read_text("utf-8")
    assert "this worker stops" in log and "'finish_reason': 'redis_unreachable'" in log
    assert part_lines(output) >= 30  # left for recovery, not published
    (run,) = manifests([output])
    assert run["exit_status"] == 3 and run["left_for_recovery"]
    again = start_worker(site, output, tmp_path / "again.log", redis_url)
    assert finish([again]) == [0]
    assert "Recovered" in (tmp_path / "again.log").read_text("utf-8")
    counts = exported([output])
    assert set(counts) == set(generated.articles) and max(counts.values()) == 1


@pytest.mark.parametrize("slug", sorted(project_sites()))
def test_three_workers_export_exactly_the_reference_items(
    slug: str, redis_url: str, tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    """Each site's reference days crawled by three workers: exactly ``expected.jsonl``, each
    article once, field by field and schema-valid; nothing off the site."""
    proxy = site_proxies(slug)
    plan = crawl_plan(slug)
    outputs = [tmp_path / f"machine{n}" for n in range(3)]
    workers = [
        track(
            start_crawl(
                slug,
                {**plan["arguments"], "browser": "never"},
                output_dir=output,
                proxy_env=proxy.env(),
                log=tmp_path / f"w{n}.log",
                settings={"NEWSCRAWL_REDIS_URL": redis_url, **LEASE, "CONCURRENT_REQUESTS": "4"},
            )
        )
        for n, output in enumerate(outputs)
    ]
    assert finish(workers) == [0, 0, 0]
    items = feed_lines(outputs, slug)
    # of a syndicated pair, whichever worker came first exported its member
    assert_items_match(slug, items, set(expected(slug)) - set(plan["not_exported"]))
    domain = project_sites()[slug].domain
    assert all(host == domain or host.endswith("." + domain) for host in proxy.hosts())
    # (a worker whose start came after the tick was over seeds the next one: its index pages
    # are fetched again, not the articles the first tick's workers hold or committed)


@pytest.mark.parametrize("how", ["replaced_unended", "taking_over_the_seeding_fails"])
def test_a_worker_whose_tick_may_have_work_undone_exits_3(
    how: str, redis_server: RedisServer, redis_url: str, tmp_path: Path
) -> None:
    """A worker joins a tick another live worker (``ghost``) runs and waits for it. Then
    either the tick is replaced unended (every worker of it was taken for dead and a newcomer
    started the next one), or the ghost dies with its plan unqueued and taking the plan over
    fails (the plan stored in Redis is no list of days). Either way the worker cannot know
    that the plan was done: exit 3, finish reason ``tick_abandoned``, nothing fetched."""
    keys = Keys("bisnis")
    client = redis_server.client()
    client.set(keys.lease("ghost"), json.dumps({"nonce": "ghost"}), px=120_000)
    client.sadd(keys.workers, "ghost")
    tick: dict[str, str | int] = {"id": "t-ghost", "seeder": "ghost", "workers": 1}
    if how == "replaced_unended":  # seeded, and the ghost holds a request: the worker waits
        tick["seeding"] = 0
        client.hset(keys.inflight("ghost"), "0" * 2 * ID_BYTES, "0 " + "0" * 2 * ID_BYTES)
    else:  # the ghost still seeds: the worker waits
        tick.update(seeding=1, plan=json.dumps(["not-a-day"]))
    client.hset(keys.tick, mapping=tick)
    generated = generate_site(tmp_path / "site", 10, per_day=10, per_page=10)
    log = tmp_path / "w.log"
    with ReplayProxy(generated.root, lifetime=120) as proxy:
        worker = start_worker((generated, proxy), tmp_path / "out", log, redis_url)
        try:
            wait_until(lambda: "waits: tick t-ghost is" in log.read_text("utf-8"), timeout=60)
            if how == "replaced_unended":  # as JOIN starts a tick once no worker is alive
                client.hset(keys.tick, mapping={"id": "t-next", "seeder": "newcomer", "seeding": 1})
            else:
                client.delete(keys.lease("ghost"))
            code = worker.wait(60)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert proxy.urls() == []
    text = log.read_text("utf-8")
    assert code == 3, text[-3000:]
    assert [kind for kind, _ in ticks(text)] == ["joins"]
    if how == "replaced_unended":
        assert "Tick t-ghost was replaced before it ended" in text
    else:
        assert "takes over the seeding of tick t-ghost" in text
        assert "Could not go on with the seeding of tick t-ghost" in text
    assert "'finish_reason': 'tick_abandoned'" in text
    (run,) = manifests([tmp_path / "out"])
    assert run["finish_reason"] == "tick_abandoned" and run["exit_status"] == 3
    assert run["health"]["failures"] == [
        "the crawl did not finish normally (reason: tick_abandoned)"
    ]
