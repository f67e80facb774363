"""The Redis state's claims and commits, and the shared frontier's scripts, against a real
redis-server (no mock): each branch of who may export an article, and of a tick's end."""

from __future__ import annotations

import json
import logging
import pickle
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request, Spider

from newscrawl.distributed import Keys, worker_of_feed
from newscrawl.frontier import ID_BYTES, IDLE, JOIN, PLAN, QUEUED, LeasedQueue
from newscrawl.redisclient import connect, unusable
from newscrawl.redisstate import RedisState
from newscrawl.state import Exported
from tests.redis_server import RedisServer

RUN = "bisnis"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis-units")) as started:
        yield started


@pytest.fixture
def client(server: RedisServer) -> redis.Redis:
    server.flush()
    return server.client()


def alive(client: redis.Redis, worker: str, nonce: str = "") -> None:
    """A live lease of ``worker`` held by the process marked ``nonce`` (default: its own)."""
    value = json.dumps({"nonce": nonce or f"nonce-{worker}"})
    client.set(Keys(RUN).lease(worker), value, px=60_000)


def dead(client: redis.Redis, worker: str) -> None:
    client.delete(Keys(RUN).lease(worker))


def state_of(client: redis.Redis, worker: str, **kwargs: Any) -> RedisState:
    alive(client, worker)
    return RedisState(client, RUN, worker, nonce=f"nonce-{worker}", **kwargs)


def article(n: int) -> Exported:
    return Exported(f"id{n}", f"https://x.bisnis.com/read/{n}", f"fp{n}")


# -- claims and commits ------------------------------------------------------------------------


def test_a_claim_keeps_an_article_from_other_live_workers(client: redis.Redis) -> None:
    a, b = state_of(client, "a"), state_of(client, "b")
    assert a.claim("id1", "fp1", "bisnis/d/1--a.jsonl") is None
    assert a.claim("id1", "fp1", "bisnis/d/1--a.jsonl") is None  # again: still its own
    assert b.claim("id1", "fp1", "bisnis/d/1--b.jsonl") == "claimed"
    assert b.claim("id9", "fp1", "bisnis/d/1--b.jsonl") == "claimed_content"  # same story
    dead(client, "a")  # its lease lapsed: its claims with it
    assert b.claim("id1", "fp1", "bisnis/d/1--b.jsonl") is None


def test_a_commit_takes_only_what_is_free_and_is_idempotent(client: redis.Redis) -> None:
    a, b = state_of(client, "a"), state_of(client, "b")
    feed_a, feed_b = "bisnis/d/1--a.jsonl", "bisnis/d/1--b.jsonl"
    for n in (1, 2, 3):
        assert a.claim(f"id{n}", f"fp{n}", feed_a) is None
    assert b.claim("id4", "fp4", feed_b) is None
    # a's commit: its own three; id4 is b's (alive), id5 nobody's
    assert a.commit_feed(feed_a, [article(1), article(2), article(3), article(4), article(5)]) == [
        "id1", "id2", "id3", "id5",
    ]  # fmt: skip
    assert a.commit_feed(feed_a, [article(1)]) == ["id1", "id2", "id3", "id5"]  # a replay
    assert a.committed_feed(feed_a) == ["id1", "id2", "id3", "id5"]
    assert b.has_article("id1") and b.has_fingerprint("fp2") and not b.has_article("id4")
    assert b.claim("id1", "fp1", feed_b) == "exported"
    assert b.claim("id7", "fp3", feed_b) == "duplicate_content"
    assert b.commit_feed(feed_b, [article(4), article(1)]) == ["id4"]
    assert b.committed_feeds() == {feed_a, feed_b}


def test_a_dead_workers_feed_is_recovered_through_its_own_claims(client: redis.Redis) -> None:
    """A restarted worker commits the ``.part`` a dead one left: the dead one's claims on that
    feed do not stand in the way; what another worker exported meanwhile does."""
    dead_worker, restarted, other = (
        state_of(client, "w1"), state_of(client, "w2"), state_of(client, "w3")
    )  # fmt: skip
    feed = "bisnis/d/1--w1.jsonl"
    for n in (1, 2):
        assert dead_worker.claim(f"id{n}", f"fp{n}", feed) is None
    dead(client, "w1")
    assert other.claim("id2", "fp2", "bisnis/d/1--w3.jsonl") is None
    assert other.commit_feed("bisnis/d/1--w3.jsonl", [article(2)]) == ["id2"]
    assert restarted.commit_feed(feed, [article(1), article(2)]) == ["id1"]


def test_released_claims_free_the_articles(client: redis.Redis) -> None:
    a, b = state_of(client, "a"), state_of(client, "b")
    feed = "bisnis/d/1--a.jsonl"
    assert a.claim("id1", "fp1", feed) is None
    a.release_claims(feed)  # its items were withheld
    assert b.claim("id1", "fp1", "bisnis/d/1--b.jsonl") is None


def test_failures_indexes_learned_lines_and_runs(client: redis.Redis) -> None:
    state = state_of(client, "a", retry_after={"not_found": timedelta(hours=24)})
    state.record_failure("id1", "https://x/1", "not_found")
    state.record_failure("id2", "https://x/2", "timeout")
    assert state.in_backoff("id1") == "not_found"
    assert state.in_backoff("id2") is None  # retried on the next run
    assert state.in_backoff("id3") is None
    other = state_of(client, "b")
    assert other.claim("id3", "fp3", "f--b.jsonl") is None
    assert state.in_backoff("id3") == "claimed"  # being written by a live worker
    dead(client, "b")
    assert state.in_backoff("id3") is None
    assert state.commit_feed("f--a.jsonl", [Exported("id1", "https://x/1", "fp1")]) == ["id1"]
    assert state.in_backoff("id1") is None  # exported: its failure is gone
    at = datetime(2025, 1, 2, tzinfo=UTC)
    state.mark_indexes_complete(["2025-01-01/0"], at=at)
    assert state.index_complete("2025-01-01/0") and not state.index_complete("2025-01-02/0")
    assert state.index_completed_at("2025-01-01/0") == at
    state.remember_learned("bisnis.com", {"Baca Juga": 2})
    state.remember_learned("bisnis.com", {"Baca Juga": 1})
    assert state.learned_lines("bisnis.com") == frozenset({"baca juga"})
    assert client.hget(Keys(RUN).learned("bisnis.com"), "Baca Juga") == b"3"
    state.record_run("r1", at.isoformat(), {"items_exported": 1})
    assert client.hexists(Keys(RUN).state("runs"), "r1")


def test_worker_of_feed() -> None:
    assert worker_of_feed("101500--host-42.jsonl.part") == "host-42"
    assert worker_of_feed("101500_2--alpha.jsonl") == "alpha"
    assert worker_of_feed("101500--box.jsonl-7.jsonl.tmp") == "box.jsonl-7"
    assert worker_of_feed("101500.jsonl.part") is None


def test_a_hung_redis_costs_no_more_than_the_wait() -> None:
    """A server that takes connections and never answers: the command gives up once
    NEWSCRAWL_REDIS_WAIT_SECONDS passed (not after every try's socket timeout)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(50)
        client = connect(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", wait_seconds=2)
        started = time.monotonic()
        with pytest.raises(redis.RedisError):
            client.get("x")
        assert time.monotonic() - started < 4


# -- the frontier's scripts --------------------------------------------------------------------


class _Spider(Spider):
    name = RUN

    def parse(self, response: Any, **kwargs: Any) -> Any:
        return None


def queue_of(client: redis.Redis, worker: str) -> LeasedQueue:
    queue = LeasedQueue(client, _Spider(), Keys(RUN).queue)
    queue.inflight = Keys(RUN).inflight(worker)
    queue.workers, queue.worker = Keys(RUN).workers, worker
    return queue


def test_a_pop_leases_and_a_requeue_gives_back(client: redis.Redis) -> None:
    keys = Keys(RUN)
    queue = queue_of(client, "a")
    df = keys.dupefilter("t1")
    assert queue.push_new(Request("https://x/1", priority=0), "fp1", df)
    assert not queue.push_new(Request("https://x/1", priority=0), "fp1", df)  # seen this tick
    assert queue.push_new(Request("https://x/2", priority=5), "fp2", df)
    queue.push(Request("https://x/2", priority=5))  # no fingerprint: queued again
    assert len(queue) == 3
    lease, first = queue.pop_leased() or ("", None)
    assert first is not None and first.url == "https://x/2"  # the higher priority first
    assert len(lease) == 2 * ID_BYTES and client.hexists(queue.inflight, lease)
    lease2, _ = queue.pop_leased([lease]) or ("", None)  # acknowledges the first
    assert not client.hexists(queue.inflight, lease) and client.hexists(queue.inflight, lease2)
    assert queue.requeue(queue.inflight) == 1  # the unfinished one goes back, priority kept
    assert len(queue) == 2 and client.hlen(queue.inflight) == 0
    _, again = queue.pop_leased() or ("", None)
    assert again is not None and again.url == "https://x/2"


def test_a_member_that_is_no_request_is_dropped_once(
    client: redis.Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (marker.write_text, ("owned",))

    queue = queue_of(client, "a")
    planted = b"0" * (2 * ID_BYTES) + pickle.dumps(Payload())
    client.zadd(queue.key, {planted: -10, b"1" * (2 * ID_BYTES) + b"{}": -9})
    queue.push(Request("https://x/1"))
    with caplog.at_level(logging.WARNING, logger="newscrawl.frontier"):
        lease, request = queue.pop_leased() or ("", None)
    assert request is not None and request.url == "https://x/1"
    assert not marker.exists()
    assert len(queue) == 0 and client.hkeys(queue.inflight) == [lease.encode()]  # both gone
    dropped = [r for r in caplog.records if "not a request of ours" in r.getMessage()]
    assert len(dropped) == 2 and "owned" not in caplog.text
    assert queue.pop_leased([lease]) is None and client.hlen(queue.inflight) == 0


def idle(client: redis.Redis, tick: str, me: str, *acked: str) -> tuple[str, int]:
    keys = Keys(RUN)
    state, reaped = client.register_script(IDLE)(
        keys=[keys.tick, keys.workers, keys.queue], args=[tick, keys.prefix, me, *acked]
    )
    return state.decode(), int(reaped)


def join(client: redis.Redis, worker: str, new_id: str) -> tuple[str, str, int]:
    keys = Keys(RUN)
    tick, seeder, seeds, _ = client.register_script(JOIN)(
        keys=[keys.tick, keys.workers, keys.queue], args=[worker, new_id, "now", keys.prefix]
    )
    return tick.decode(), seeder.decode(), int(seeds)


def test_a_tick_is_seeded_once_and_ends_when_nothing_is_left(client: redis.Redis) -> None:
    keys = Keys(RUN)
    for worker in ("a", "b"):
        alive(client, worker)
    assert join(client, "a", "t1") == ("t1", "a", 1)
    assert join(client, "b", "t2") == ("t1", "a", 0)  # joins, seeds nothing
    assert idle(client, "t1", "b") == ("seeding", 0)
    client.hset(keys.tick, "seeding", 0)
    queue = queue_of(client, "a")
    queue.push(Request("https://x/1"))
    assert idle(client, "t1", "b") == ("work", 0)
    queue.pop_leased()  # a works on it
    assert idle(client, "t1", "b") == ("busy", 0)
    dead(client, "a")  # a dies with it: b puts it back, then works on it
    assert idle(client, "t1", "b") == ("work", 1)
    queue_b = queue_of(client, "b")
    lease, _ = queue_b.pop_leased() or ("", None)
    assert idle(client, "t1", "b", lease) == ("done", 0)
    assert not client.exists(keys.tick)
    assert idle(client, "t1", "b") == ("gone", 0)
    assert join(client, "b", "t3") == ("t3", "b", 1)  # the next tick


def test_an_idle_worker_requeues_what_it_took_and_never_saw(client: redis.Redis) -> None:
    """A pop whose reply was lost (Redis went away) leaves a lease the worker never knew:
    once the worker is idle it goes back to the queue."""
    alive(client, "a")
    assert join(client, "a", "t1")[2] == 1
    client.hset(Keys(RUN).tick, "seeding", 0)
    queue = queue_of(client, "a")
    queue.push(Request("https://x/1"))
    queue.pop_leased()  # the reply "lost": the worker acknowledges nothing
    assert idle(client, "t1", "a") == ("work", 1)
    assert len(queue) == 1


def test_the_plan_of_a_dead_seeder_is_taken_over_never_dropped(client: redis.Redis) -> None:
    """A tick ends only once its plan is queued: the seeder died while seeding, so an idle
    worker takes the plan over (and goes on where it stopped); the tick is not over before."""
    keys = Keys(RUN)
    for worker in "abc":
        alive(client, worker)
    assert join(client, "a", "t1")[2] == 1
    assert join(client, "b", "t2") == ("t1", "a", 0)
    plan = client.register_script(PLAN)
    queued = client.register_script(QUEUED)
    days = json.dumps(["2025-01-01", "2025-01-02", "2025-01-03"])
    stored, done = plan(keys=[keys.tick], args=["t1", days])
    assert (json.loads(stored), done) == (json.loads(days), 0)
    assert queued(keys=[keys.tick], args=["t1", 1]) == 1
    assert queued(keys=[keys.tick], args=["t0", 3]) == 0  # another tick's seeder: ignored
    assert idle(client, "t1", "b") == ("seeding", 0)  # a is alive and seeds
    dead(client, "a")  # died while seeding
    assert idle(client, "t1", "b") == ("seed", 0)  # b goes on with the plan
    assert client.hget(keys.tick, "seeder") == b"b"
    assert idle(client, "t1", "c") == ("seeding", 0)  # b is alive: c waits
    assert idle(client, "t1", "b") == ("seeding", 0)  # b itself waits for its own seeding
    # the taker's plan is the stored one, from the first day not queued
    other = json.dumps(["2030-01-01"])
    stored, done = plan(keys=[keys.tick], args=["t1", other])
    assert (json.loads(stored), done) == (json.loads(days), 1)
    assert queued(keys=[keys.tick], args=["t1", 0]) == 1  # never goes back
    assert int(client.hget(keys.tick, "planned") or 0) == 1
    client.hset(keys.tick, "seeding", 0)  # b queued the rest
    assert idle(client, "t1", "c") == ("done", 0)


def test_a_seeder_that_comes_back_goes_on_with_its_plan(client: redis.Redis) -> None:
    """A seeder killed and restarted under the same id (or a new worker, once the seeder's
    lease lapsed) joins the tick as its seeder: JOIN says 2 (take over)."""
    for worker in "ab":
        alive(client, worker)
    assert join(client, "a", "t1")[2] == 1
    assert join(client, "b", "t2")[2] == 0
    assert join(client, "a", "t3") == ("t1", "a", 2)  # the same id again, seeding undone
    dead(client, "a")
    alive(client, "c")
    assert join(client, "c", "t4") == ("t1", "c", 2)  # a is gone: c goes on
    alive(client, "d")
    assert join(client, "d", "t5") == ("t1", "c", 0)  # c is alive and seeds
    client.hset(Keys(RUN).tick, "seeding", 0)
    dead(client, "c")
    assert join(client, "e", "t6") == ("t1", "c", 0)  # seeded: nothing to take over


def test_a_tick_replaced_unended_is_abandoned_not_gone(client: redis.Redis) -> None:
    """A worker taken for dead (its lease lapsed) whose tick was replaced cannot know that
    its plan was done: 'abandoned' (it stops with exit 3), never 'gone'."""
    alive(client, "a")
    assert join(client, "a", "t1")[2] == 1
    dead(client, "a")
    alive(client, "b")
    assert join(client, "b", "t2") == ("t2", "b", 1)
    assert idle(client, "t1", "a") == ("abandoned", 0)
    client.hset(Keys(RUN).tick, "seeding", 0)
    assert idle(client, "t2", "b") == ("done", 0)
    assert idle(client, "t2", "a") == ("gone", 0)  # ended by b: its plan was done


def test_a_tick_whose_workers_are_all_gone_is_not_joined(client: redis.Redis) -> None:
    """Every worker of a tick died (or lost Redis): the next worker starts a new tick and
    seeds it, with the requests they held back in the queue."""
    alive(client, "a")
    assert join(client, "a", "t1") == ("t1", "a", 1)
    queue = queue_of(client, "a")
    queue.push(Request("https://x/1"))
    queue.pop_leased()
    dead(client, "a")
    alive(client, "b")
    assert join(client, "b", "t2") == ("t2", "b", 1)
    assert len(queue) == 1 and not client.exists(Keys(RUN).inflight("a"))


def test_claims_never_outlive_their_feed_nor_their_process(client: redis.Redis) -> None:
    """A claim of an article never written goes with its feed's commit; a worker id taken
    again by a new process (NEWSCRAWL_WORKER_ID after a kill) does not keep the dead
    process's claims alive."""
    a, b = state_of(client, "a"), state_of(client, "b")
    assert a.claim("id1", "fp1", "f1--a.jsonl") is None
    assert a.claim("id2", "fp2", "f1--a.jsonl") is None  # claimed, never written
    assert a.commit_feed("f1--a.jsonl", [article(1)]) == ["id1"]
    assert b.claim("id2", "fp2", "f1--b.jsonl") is None  # the commit let go of it
    assert b.claim("id3", "fp3", "f1--b.jsonl") is None
    alive(client, "b", nonce="a-new-process")  # b killed; its id taken by a new process
    assert a.claim("id3", "fp3", "f2--a.jsonl") is None


def test_a_redis_that_cannot_take_writes_counts_as_lost() -> None:
    assert unusable(redis.exceptions.ReadOnlyError("You can't write against a read only replica"))
    assert unusable(redis.exceptions.OutOfMemoryError("command not allowed when used memory"))
    assert unusable(redis.exceptions.ResponseError("MISCONF Redis is configured to save"))
    assert not unusable(redis.exceptions.ResponseError("WRONGTYPE Operation against a key"))


def test_an_old_claim_holder_is_no_live_claim(client: redis.Redis) -> None:
    """A holder without the process mark (written before it existed) never stands."""
    state = state_of(client, "a")
    client.hset(Keys(RUN).state("claims"), "id1", "b\tf1--b.jsonl")
    assert state.claim("id1", "fp1", "f1--a.jsonl") is None
