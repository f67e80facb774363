"""The crawl state in Redis, for distributed mode (:mod:`newscrawl.distributed`).

It holds what :class:`newscrawl.state.SQLiteState` holds (exported articles and their content
fingerprints, failures, committed feeds, complete indexes, learned promo lines, runs) under
``newscrawl:<run>:state:*``, and adds what several writers need: **claims**.

* Before a worker writes an article to its ``.part`` it claims the article's id and content
  fingerprint for its feed (:meth:`RedisState.claim`, one script): refused when either is
  exported, or claimed by the feed of another worker whose lease is alive.
* A feed is committed by one script (:meth:`RedisState.commit_feed`): each of its articles
  that is not exported yet and not claimed by another live worker's feed becomes exported,
  its claims go, and the feed is recorded with the ids it committed. The caller rewrites the
  feed without the lines that were refused (see :func:`newscrawl.feeds.publish_written`).
* A dead worker's claims lapse with its lease; its ``.part`` is recovered on its machine as
  on one machine, through the same commit.

So two workers never both export an article, whatever dies when.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self

import redis
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from newscrawl.distributed import PROCESS_NONCE, Keys, redis_url, text, worker_id
from newscrawl.redact import redact
from newscrawl.redisclient import client_of
from newscrawl.state import (
    Exported,
    StateError,
    _now,
    backoff_reason,
    check_writable,
    output_dir,
    retry_after_of,
)

#: A claim's holder is ``<worker>\t<nonce>\t<feed>``: it stands while that worker's lease is
#: held by the same process (the lease's value carries the process's nonce: a worker id taken
#: again by a new process does not keep the old process's claims alive).
_HOLDERS = """
local function holder_alive(holder, prefix)
  local worker, nonce = string.match(holder, '^([^\t]*)\t([^\t]*)\t')
  if not worker then return false end
  local lease = redis.call('GET', prefix .. ':lease:' .. worker)
  return lease and string.find(lease, nonce, 1, true) ~= nil
end
local function holder_feed(holder)
  return string.match(holder, '^[^\t]*\t[^\t]*\t(.*)$')
end
local function drop_claims_of(claimed, claims, claimprints, feed)
  for _, pair in ipairs(redis.call('SMEMBERS', claimed)) do
    local id, fp = string.match(pair, '^([^\t]*)\t(.*)$')
    local holder = redis.call('HGET', claims, id)
    if holder and holder_feed(holder) == feed then redis.call('HDEL', claims, id) end
    holder = redis.call('HGET', claimprints, fp)
    if holder and holder_feed(holder) == feed then redis.call('HDEL', claimprints, fp) end
  end
  redis.call('DEL', claimed)
end
"""

#: Claim an article id and its fingerprint for a feed; the reason it is refused, or nil.
CLAIM = (
    _HOLDERS
    + """
local articles, prints, claims, claimprints, claimed = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, fp, owner, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HEXISTS', articles, id) == 1 then return 'exported' end
if redis.call('HEXISTS', prints, fp) == 1 then return 'duplicate_content' end
local function held_by_other(holder)
  if not holder or holder == owner then return false end
  return holder_alive(holder, prefix)
end
if held_by_other(redis.call('HGET', claims, id)) then return 'claimed' end
if held_by_other(redis.call('HGET', claimprints, fp)) then return 'claimed_content' end
redis.call('HSET', claims, id, owner)
redis.call('HSET', claimprints, fp, owner)
redis.call('SADD', claimed, id .. '\t' .. fp)
return false
"""
)

#: Commit a feed: the ids it committed (JSON), the same answer when it was committed before.
#: Every claim the feed held goes, committed or not (an article claimed but never written).
COMMIT = (
    _HOLDERS
    + """
local articles, prints, claims, claimprints, feeds, failures, claimed =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local feed, prefix, now = ARGV[1], ARGV[2], ARGV[3]
local before = redis.call('HGET', feeds, feed)
if before then return before end
local function free(holder)
  if not holder or holder_feed(holder) == feed then return true end
  return not holder_alive(holder, prefix)
end
local committed = {}
for i = 4, #ARGV, 3 do
  local id, url, fp = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('HEXISTS', articles, id) == 0 and redis.call('HEXISTS', prints, fp) == 0
     and free(redis.call('HGET', claims, id)) and free(redis.call('HGET', claimprints, fp)) then
    redis.call('HSET', articles, id, cjson.encode({url, fp, feed, now}))
    redis.call('HSET', prints, fp, id)
    redis.call('HDEL', claims, id)
    redis.call('HDEL', claimprints, fp)
    redis.call('HDEL', failures, id)
    committed[#committed + 1] = id
  end
end
local ids = '[]'
if #committed > 0 then ids = cjson.encode(committed) end
redis.call('HSET', feeds, feed, ids)
drop_claims_of(claimed, claims, claimprints, feed)
return ids
"""
)

#: Before an article is fetched: {its failure record or false, 1 if a live worker claims it}.
FETCH_CHECK = (
    _HOLDERS
    + """
local holder = redis.call('HGET', KEYS[2], ARGV[1])
local alive = 0
if holder and holder_alive(holder, ARGV[2]) then alive = 1 end
return {redis.call('HGET', KEYS[1], ARGV[1]), alive}
"""
)

#: Why :meth:`RedisState.in_backoff` holds an article a live worker is writing.
CLAIMED = "claimed"

#: Give up a feed's claims (its items were withheld).
RELEASE = (
    _HOLDERS
    + """
drop_claims_of(KEYS[3], KEYS[1], KEYS[2], ARGV[1])
return 1
"""
)


class RedisState:
    """:class:`~newscrawl.state.StateStore` in Redis, shared by every worker of a run name.

    ``worker`` is the id of the process using it (claims are made in its name). Failure
    back-offs follow :class:`~newscrawl.state.SQLiteState`'s rules (``retry_after``).
    """

    def __init__(
        self,
        client: redis.Redis,
        run_name: str,
        worker: str,
        retry_after: dict[str, Any] | None = None,
        nonce: str = PROCESS_NONCE,
    ) -> None:
        self.client = client
        self.keys = Keys(run_name)
        self.worker = worker
        #: This process's mark, in its lease's value and its claims' holder.
        self.nonce = nonce
        self.retry_after = retry_after or {}
        self._claim = client.register_script(CLAIM)
        self._commit = client.register_script(COMMIT)
        self._release = client.register_script(RELEASE)
        self._fetch_check = client.register_script(FETCH_CHECK)

    def _key(self, name: str) -> str:
        return self.keys.state(name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, spider_name: str) -> Self:
        settings = crawler.settings
        return cls(client_of(crawler), spider_name, worker_id(settings), retry_after_of(settings))

    @classmethod
    def check(cls, settings: BaseSettings, spider_name: str) -> None:
        """Reach Redis at once (no waiting): :class:`StateError` naming the URL when it cannot
        be used; the output folder must be writable too."""
        url = redis_url(settings)
        if url is None:
            raise StateError("NEWSCRAWL_REDIS_URL is not set")
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
            client.ping()
            client.close()
        except (redis.RedisError, ValueError) as error:
            raise StateError(
                f"cannot use the Redis state at {redact(url)}: {redact(str(error))}. Start "
                "Redis or fix NEWSCRAWL_REDIS_URL (redis://HOST:PORT/DB)."
            ) from error
        folder = output_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        check_writable(folder)

    # -- articles -------------------------------------------------------------------------

    @property
    def keys_by_site(self) -> bool:
        """Distributed mode crawls one site: articles are kept under their id."""
        return False

    def has_article(self, article_id: str) -> bool:
        return bool(self.client.hexists(self._key("articles"), article_id))

    def has_fingerprint(self, fingerprint: str) -> bool:
        return bool(self.client.hexists(self._key("fingerprints"), fingerprint))

    def _claim_keys(self, feed: str) -> list[str]:
        return [self._key("claims"), self._key("claimprints"), self.keys.claimed(feed)]

    def _owner(self, feed: str) -> str:
        return f"{self.worker}\t{self.nonce}\t{feed}"

    def claim(self, article_id: str, fingerprint: str, feed: str) -> str | None:
        """Claim the article for ``feed`` before it is written to it: None when claimed, else
        why not (``exported``, ``duplicate_content``, ``claimed``, ``claimed_content``)."""
        keys = [self._key("articles"), self._key("fingerprints"), *self._claim_keys(feed)]
        answer = self._claim(
            keys=keys, args=[article_id, fingerprint, self._owner(feed), self.keys.prefix]
        )
        return None if answer is None else text(answer)

    def release_claims(self, feed: str) -> None:
        """The feed's items are withheld: its claims go (the articles are fetched again)."""
        self._release(keys=self._claim_keys(feed), args=[feed])

    # -- failures -------------------------------------------------------------------------

    def in_backoff(self, article_id: str) -> str | None:
        """Why the article is not to be fetched now: a recent failure (as on one machine), or
        ``claimed``: a live worker wrote it to its feed and has not committed it yet (a tick
        that starts just after another must not fetch what that one's workers still hold)."""
        raw, holder_alive = self._fetch_check(
            keys=[self._key("failures"), self._key("claims")],
            args=[article_id, self.keys.prefix],
        )
        if raw:
            record = json.loads(raw)
            reason = backoff_reason(self.retry_after, record["reason"], record["last_at"])
            if reason is not None:
                return reason
        return CLAIMED if holder_alive else None

    def record_failure(self, article_id: str, url: str, reason: str) -> None:
        key = self._key("failures")
        raw = self.client.hget(key, article_id)
        attempts = int(json.loads(raw)["attempts"]) + 1 if raw is not None else 1
        record = {"url": url, "reason": reason, "attempts": attempts, "last_at": _now().isoformat()}
        self.client.hset(key, article_id, json.dumps(record))

    # -- indexes --------------------------------------------------------------------------

    def index_complete(self, key: str) -> bool:
        return bool(self.client.hexists(self._key("indexes"), key))

    def index_completed_at(self, key: str) -> datetime | None:
        raw = self.client.hget(self._key("indexes"), key)
        return None if raw is None else datetime.fromisoformat(text(raw))

    def mark_indexes_complete(self, keys: Iterable[str], at: datetime | None = None) -> None:
        when = (at or _now()).isoformat()
        pipe = self.client.pipeline(transaction=True)
        for key in keys:
            pipe.hset(self._key("indexes"), key, when)
        pipe.execute()

    # -- feeds ----------------------------------------------------------------------------

    def committed_feed(self, feed: str) -> list[str] | None:
        raw = self.client.hget(self._key("feeds"), feed)
        return None if raw is None else _ids(raw)

    def committed_feeds(self) -> set[str]:
        return {text(name) for name in self.client.hkeys(self._key("feeds"))}

    def commit_feed(self, feed: str, articles: Iterable[Exported]) -> list[str]:
        """Commit ``feed`` (see the module doc): the ids it committed, in order."""
        args: list[str] = [feed, self.keys.prefix, _now().isoformat()]
        for article in articles:
            args += [article.article_id, article.url, article.fingerprint]
        keys = [
            self._key("articles"),
            self._key("fingerprints"),
            self._key("claims"),
            self._key("claimprints"),
            self._key("feeds"),
            self._key("failures"),
            self.keys.claimed(feed),
        ]
        return _ids(self._commit(keys=keys, args=args))

    def mark_published(self, feed: str) -> None:
        self.client.sadd(self._key("published"), feed)

    # -- learned promo lines --------------------------------------------------------------

    def learned_lines(self, site: str) -> frozenset[str]:
        lines = self.client.hkeys(self.keys.learned(site))
        return frozenset(text(line).casefold() for line in lines)

    def remember_learned(self, site: str, lines: dict[str, int]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for line, seen in lines.items():
            pipe.hincrby(self.keys.learned(site), line, seen)
        pipe.execute()

    # -- runs -----------------------------------------------------------------------------

    def record_run(self, run_id: str, started_at: str, summary: dict[str, Any]) -> None:
        record = {"started_at": started_at, "finished_at": _now().isoformat(), "summary": summary}
        self.client.hset(self._key("runs"), run_id, json.dumps(record, default=str))

    def close(self) -> None:
        """Nothing is kept back: every write went to Redis as it was made."""


def _ids(raw: bytes | str) -> list[str]:
    value = json.loads(raw)
    return [str(item) for item in value] if isinstance(value, list) else []
