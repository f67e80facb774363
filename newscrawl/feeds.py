"""Crash-safe feeds: every article in exactly one complete feed, whatever moment a run dies.

A run's feed ``F`` is ``<output>/<spider>/<YYYY-MM-DD>/<HHMMSS>.jsonl``. The protocol:

1. While the run goes, items are appended to ``F.part``. Only complete feeds match
   ``*.jsonl``; ``.part`` and ``.tmp`` files are work in progress.
2. When the run ends, ``F.part`` is flushed and fsynced and its complete lines are read back.
   Then the state commits, in **one transaction**, the feed's name, its article ids and the
   articles themselves (id, URL, content fingerprint). That commit is the point of no return.
3. ``F`` is made from ``F.part``: renamed when every line was committed, else rewritten with
   only the committed lines through ``F.tmp``; fsynced, put in place with an atomic rename,
   the directory fsynced; ``F.part`` removed; the feed marked published.

Every run starts (holding the run lock) by recovering what an interrupted run left:

* ``F.part`` whose feed **is committed**: the run died during step 3; step 3 is finished.
* ``F.part`` whose feed is **not committed**: the run died before step 2; its complete lines
  (an incomplete last line is dropped) not already in the state are committed and published
  as in steps 2-3, so what the dead run wrote is neither lost nor exported twice; articles it
  never wrote are simply fetched again.
* ``F.tmp``: a half-written copy from step 3, removed (step 3 is redone from ``F.part``).

Each recovery is logged with the feed and its line counts.

Nothing here writes, renames or removes through a symbolic link: files are opened with
``O_NOFOLLOW`` through folders reached from the output folder without following links
(:mod:`newscrawl.safepaths`; a link is refused with :class:`~newscrawl.safepaths.LinkError`).

The complete feeds are the record of what was exported: a state that does not know some of
them (missing, emptied, restored from an older copy) first learns them again from their lines
(:func:`adopt_feeds`), so that nothing is exported twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import weakref
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Protocol

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl import safepaths
from newscrawl.processors import content_fingerprint
from newscrawl.state import Exported, StateStore, output_dir, state_key

logger = logging.getLogger(__name__)

PART = ".part"
TMP = ".tmp"
#: Items withheld from publication (unhealthy markup) are kept for inspection in this file.
REJECTED = ".rejected"
#: Scrapy's names of the JSON-lines feed format (``-O x.jsonl``): one item a line.
JSON_LINES_FORMATS = ("jsonlines", "jsonl", "jl")
#: Beside a run's feed: the indexes it settled (see :class:`IndexCheckpoints`).
INDEXES = ".indexes"


@dataclass(frozen=True)
class Published:
    """A feed put in place: where, how many lines, their SHA-256, and how it got there."""

    path: Path
    lines: int
    sha256: str
    recovered: bool = False
    dropped_lines: int = 0

    def describe(self, root: Path) -> dict[str, Any]:
        return {
            "path": str(self.path.relative_to(root))
            if self.path.is_relative_to(root)
            else str(self.path),
            "lines": self.lines,
            "sha256": self.sha256,
            "recovered": self.recovered,
        }


class FeedWriter:
    """Appends items as JSON lines to ``<feed>.part``; the file is created on the first item.

    It remembers what it wrote (ids, URLs, content fingerprints, a running SHA-256), so that
    a run publishes its own feed without reading it back. With ``root`` (the output folder) no
    folder between it and the feed may be a symbolic link; the ``.part`` never is one.
    """

    def __init__(self, final: Path, root: Path | None = None) -> None:
        self.final = final
        self.root = root
        self.part = final.with_name(final.name + PART)
        self._file: IO[bytes] | None = None
        self.written = 0
        self.exported: list[Exported] = []
        #: The site of each line (``site``), in order: a run judged site by site withholds
        #: the lines of its unhealthy sites (:func:`publish_withholding`).
        self.sites: list[str] = []
        self._digest = hashlib.sha256()

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:  # open for the whole run
            self._file = safepaths.open_nofollow(self.part, "xb", self.root, make_parents=True)
        line = (json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()
        self._file.write(line)
        # in the OS's hands before the request is done with: a killed process (SIGKILL) loses
        # no line of a request it finished (distributed mode acknowledges it then)
        self._file.flush()
        self._digest.update(line)
        self.exported.append(exported_of(record))
        self.sites.append(str(record.get("site") or ""))
        self.written += 1

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def flush(self) -> None:
        """What was written so far goes to the disk (a killed process or a power cut loses
        none of it)."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def reopen(self) -> None:
        """Go on appending to the ``.part`` after a publish of it failed."""
        if self._file is None and self.part.exists():  # open for the rest of the run
            self._file = safepaths.open_nofollow(self.part, "ab", self.root)

    def close(self) -> Path | None:
        """Flush and fsync; the ``.part`` path, or None when nothing was written."""
        if self._file is None:
            return None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        _fsync_dir(self.part.parent)  # the .part's own entry must outlive a power cut too
        _fsync_dir(self.part.parent.parent)
        return self.part


def exported_of(record: dict[str, Any], by_site: bool = False) -> Exported:
    """What the state keeps of an exported record: its key (:func:`record_key`), URL and
    content fingerprint (the same story under another URL has the same; the dedup pipeline
    checks it before export)."""
    title, body = str(record.get("title") or ""), str(record.get("body") or "")
    return Exported(
        record_key(record, by_site), str(record.get("url") or ""), content_fingerprint(title, body)
    )


def record_key(record: dict[str, Any], by_site: bool) -> str:
    """The key the state keeps an exported record under: its ``article_id``, or with
    ``by_site`` (a state that keys by site: :attr:`StateStore.keys_by_site`) its ``site`` and
    ``article_id`` (:func:`~newscrawl.state.state_key`)."""
    return state_key(str(record["article_id"]), str(record.get("site") or "") if by_site else None)


def _keyed(writer: FeedWriter, state: StateStore) -> list[Exported]:
    """The articles ``writer`` wrote, keyed as ``state`` keeps them."""
    if not state.keys_by_site:
        return writer.exported
    return [
        Exported(state_key(article.article_id, site), article.url, article.fingerprint)
        for article, site in zip(writer.exported, writer.sites, strict=True)
    ]


def complete_lines(part: Path) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """The whole JSON lines of a ``.part`` file; an incomplete or broken line is skipped."""
    with open(part, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                logger.warning("%s: dropped an incomplete last line (%d bytes)", part, len(raw))
                break
            try:
                record = json.loads(raw)
            except ValueError:
                logger.warning("%s: dropped a line that is not JSON", part)
                continue
            if isinstance(record, dict) and record.get("article_id"):
                yield raw, record


@lru_cache(maxsize=64)
def feed_key(final: Path, root: Path) -> str:
    """How the state names a feed: its path relative to the output directory (once a feed:
    the dedup pipeline asks for the open feed's with every item)."""
    return final.relative_to(root).as_posix() if final.is_relative_to(root) else str(final)


def publish_written(writer: FeedWriter, state: StateStore, root: Path) -> Published | None:
    """Steps 2-3 for a run's own feed, from what its writer remembers (nothing is read back;
    the pipelines already kept duplicates out). None when nothing was written."""
    part = writer.close()
    if part is None:
        return None
    final = writer.final
    key = feed_key(final, root)
    committed = state.commit_feed(key, _keyed(writer, state))
    if len(committed) < writer.written:
        # distributed mode: another worker exported some of these articles meanwhile (this
        # worker's claim lapsed); the feed is rewritten with the committed lines only
        logger.warning(
            "%d of %d article(s) of %s were exported by another worker meanwhile: left out",
            writer.written - len(committed),
            writer.written,
            final,
        )
        return publish(part, state, root)
    safepaths.replace(part, final, root)
    _fsync_dir(final.parent)
    state.mark_published(key)
    return Published(final, writer.written, writer.sha256)


def publish_withholding(
    writer: FeedWriter, state: StateStore, root: Path, sites: Collection[str]
) -> tuple[Published | None, Path | None, int]:
    """Steps 2-3 for a run's own feed without the lines of ``sites`` (unhealthy sites of a
    run judged site by site): the other lines are committed (the point of no return: the
    withheld ones are not in it), the withheld ones copied to ``<feed>.rejected`` for
    inspection, then the feed is put in place with the committed lines only (:func:`publish`).
    A run killed after the commit leaves a ``.part`` the next run finishes with the committed
    lines alone; the withheld articles, never committed, are fetched again by a later run.
    The feed published (None when no line was kept), the ``.rejected`` file (None when no
    line was withheld) and how many lines were withheld."""
    part = writer.close()
    if part is None:
        return None, None, 0
    withheld = set(sites)
    final = writer.final
    kept = [
        article
        for article, site in zip(_keyed(writer, state), writer.sites, strict=True)
        if site not in withheld
    ]
    state.commit_feed(feed_key(final, root), kept)
    count = writer.written - len(kept)
    rejected = final.with_name(final.name + REJECTED) if count else None
    if rejected is not None:
        with safepaths.open_nofollow(rejected, "wb", root) as out:
            for raw, record in complete_lines(part):
                if str(record.get("site") or "") in withheld:
                    out.write(raw)
            out.flush()
            os.fsync(out.fileno())
    result = publish(part, state, root)
    return (result if result.lines else None), rejected, count


def split_json_lines(
    path: Path, rejected: Path, sites: Collection[str], root: Path | None
) -> tuple[int, int]:
    """A JSON-lines file without the lines of ``sites`` (``site``), which go to
    ``rejected``; rewritten through ``<path>.tmp`` and an atomic rename. How many lines were
    kept and withheld."""
    withheld = set(sites)
    tmp = path.with_name(path.name + TMP)
    kept = left = 0
    with (
        open(path, "rb") as lines,
        safepaths.open_nofollow(tmp, "wb", root) as out,
        safepaths.open_nofollow(rejected, "wb", root) as away,
    ):
        for raw in lines:
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            site = str(record.get("site") or "") if isinstance(record, dict) else ""
            if site in withheld:
                away.write(raw)
                left += 1
            else:
                out.write(raw)
                kept += 1
        for handle in (out, away):
            handle.flush()
            os.fsync(handle.fileno())
    safepaths.replace(tmp, path, root)
    if not left:
        safepaths.unlink(rejected, root)
    return kept, left


def publish(part: Path, state: StateStore, root: Path, *, recovered: bool = False) -> Published:
    """Steps 2-3 of the protocol for a ``.part`` file left behind (idempotent; see the module
    doc). The file is streamed, twice at most: memory stays flat however big it is."""
    final = part.with_name(part.name[: -len(PART)])
    key = feed_key(final, root)
    committed = state.committed_feed(key)
    if committed is None:
        chosen: list[Exported] = []
        seen_ids: set[str] = set()
        seen_prints: set[str] = set()
        for _, record in complete_lines(part):
            article = exported_of(record, state.keys_by_site)
            duplicate = (
                article.article_id in seen_ids
                or article.fingerprint in seen_prints
                or state.has_article(article.article_id)
                or state.has_fingerprint(article.fingerprint)
            )
            if not duplicate:
                chosen.append(article)
                seen_ids.add(article.article_id)
                seen_prints.add(article.fingerprint)
        committed = state.commit_feed(key, chosen)
    keep = set(committed)
    digest = hashlib.sha256()
    kept = dropped = 0
    tmp = final.with_name(final.name + TMP)
    with safepaths.open_nofollow(tmp, "wb", root) as out:
        for raw, record in complete_lines(part):
            article_id = record_key(record, state.keys_by_site)
            if article_id in keep:
                keep.discard(article_id)
                out.write(raw)
                digest.update(raw)
                kept += 1
            else:
                dropped += 1
        out.flush()
        os.fsync(out.fileno())
    if kept:
        safepaths.replace(tmp, final, root)
    else:
        safepaths.unlink(tmp, root)
    safepaths.unlink(part, root)
    _fsync_dir(final.parent)
    state.mark_published(key)
    return Published(final, kept, digest.hexdigest() if kept else "", recovered, dropped)


@dataclass(frozen=True)
class Adopted:
    """Complete feeds the state did not know, committed again from their lines."""

    feeds: int
    articles: int
    state_was_empty: bool

    def describe(self) -> dict[str, Any]:
        return {
            "feeds": self.feeds,
            "articles": self.articles,
            "state_was_empty": self.state_was_empty,
        }


def adopt_feeds(spider_dir: Path, state: StateStore, root: Path) -> Adopted | None:
    """Commit every complete feed under ``spider_dir`` that the state does not know (ids and
    content fingerprints, as the run that wrote it committed them); None when it knows all.

    A feed is in place only after its commit (see the module doc), so an unknown one means
    the state lost it: deleted, truncated, or restored from an older copy.
    """
    if not spider_dir.is_dir():
        return None
    known = state.committed_feeds()
    unknown = [
        feed
        for feed in sorted(spider_dir.glob("*/*.jsonl"))
        if feed.is_file() and feed_key(feed, root) not in known
    ]
    if not unknown:
        return None
    articles = 0
    for feed in unknown:
        exported = [exported_of(record, state.keys_by_site) for _, record in complete_lines(feed)]
        key = feed_key(feed, root)
        state.commit_feed(key, exported)
        state.mark_published(key)
        articles += len(exported)
    adopted = Adopted(len(unknown), articles, state_was_empty=not known)
    logger.warning(
        "The crawl state %s: rebuilt it from %d committed feed(s) under %s (%d articles), "
        "so that none of them is exported again",
        "was missing or empty" if adopted.state_was_empty else "did not know some feeds",
        adopted.feeds,
        spider_dir,
        adopted.articles,
    )
    return adopted


def recover(
    spider_dir: Path,
    state: StateStore,
    root: Path,
    owned: Callable[[Path], AbstractContextManager[bool]] | None = None,
) -> list[Published]:
    """Finish or salvage the feeds interrupted runs left under ``spider_dir``.

    ``owned`` (distributed mode, where several workers share the folder) tells, for a feed,
    whether this process may recover it: a context that holds the feed's worker's lock while
    the feed is recovered and yields False when a live worker still writes it.
    """
    if not spider_dir.is_dir():
        return []
    results = []
    # a stray .tmp first: recovering its .part writes it anew
    for part in sorted(spider_dir.glob(f"*/*.jsonl{TMP}")) + sorted(
        spider_dir.glob(f"*/*.jsonl{PART}")
    ):
        with owned(part) if owned is not None else nullcontext(True) as mine:
            if mine and part.exists():
                result = _recover_one(part, state, root)
                if result is not None:
                    results.append(result)
    settled = recover_checkpoints(spider_dir, state, root)
    if settled:
        logger.warning("Recovered %d index(es) that interrupted runs had settled", settled)
    return results


def _recover_one(part: Path, state: StateStore, root: Path) -> Published | None:
    """Remove a stray ``.tmp``; finish or salvage a ``.part``."""
    if part.name.endswith(TMP):
        logger.warning("Removed %s, a half-written copy of an interrupted run", part)
        safepaths.unlink(part, root)
        return None
    committed = state.committed_feed(feed_key(part.with_name(part.name[: -len(PART)]), root))
    result = publish(part, state, root, recovered=True)
    logger.warning(
        "Recovered %s of an interrupted run (%s): %d articles published, %d lines dropped "
        "(duplicates or incomplete)",
        part,
        "it had committed" if committed is not None else "it had not committed",
        result.lines,
        result.dropped_lines,
    )
    return result


class IndexCheckpoints:
    """The indexes a run settled (paged to their end, every article finished, nothing left
    over), one ``<key>\t<run start>`` line each beside the run's feed, written as each
    settles after the feed is flushed: a run killed later still has its articles in the
    ``.part`` and these lines beside it, and :func:`recover` tells the state both. Written
    without following a link (``root``: the output folder, see :class:`FeedWriter`)."""

    def __init__(self, final: Path, root: Path | None = None) -> None:
        self.path = final.with_name(final.name + INDEXES)
        self.root = root

    def write(self, key: str, at: datetime) -> None:
        """One line, appended and closed at once (a few hundred in a year's backfill)."""
        with safepaths.open_nofollow(
            self.path, "a", self.root, encoding="utf-8", make_parents=True
        ) as handle:
            handle.write(f"{key}\t{at.isoformat()}\n")

    def remove(self) -> None:
        safepaths.unlink(self.path, self.root, missing_ok=True)


def recover_checkpoints(spider_dir: Path, state: StateStore, root: Path | None = None) -> int:
    """Tell the state the indexes interrupted runs settled (after their feeds were
    recovered); the number of indexes."""
    found = 0
    for path in sorted(spider_dir.glob(f"*/*.jsonl{INDEXES}")):
        by_time: dict[datetime, list[str]] = {}
        text = path.read_text("utf-8")
        lines = text.split("\n")[:-1]  # whole lines only: the last one may be cut
        for line in lines:
            key, _, at = line.partition("\t")
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                continue
            if when.tzinfo is None:
                continue  # a time cut short
            by_time.setdefault(when, []).append(key)
        for when, keys in by_time.items():
            state.mark_indexes_complete(keys, at=when)
            found += len(keys)
        safepaths.unlink(path, root)
    return found


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DeliveryGate(Protocol):
    """What tells whether a user's ``-o``/``-O`` feed may be delivered: whether the crawl's own
    feed was published, whether its items were withheld, and the sites whose articles were.
    (The run is one: :meth:`newscrawl.run.Run.attach` sets itself as its crawl's gate.)"""

    published_ok: bool
    withheld: bool
    withheld_sites: list[str]


_GATES: weakref.WeakKeyDictionary[Crawler, DeliveryGate] = weakref.WeakKeyDictionary()


def set_delivery_gate(crawler: Crawler, gate: DeliveryGate) -> None:
    """``gate`` decides the delivery of ``crawler``'s ``-o``/``-O`` feeds (a crawl without one,
    a Scrapy tool's, delivers them as Scrapy does)."""
    _GATES[crawler] = gate


def delivery_gate(crawler: Crawler) -> DeliveryGate | None:
    """The gate :func:`set_delivery_gate` gave ``crawler`` (None: none)."""
    return _GATES.get(crawler)


class GuardedFileFeedStorage(FileFeedStorage):
    """Scrapy's local-file feed storage (``-o``/``-O``/FEEDS) with two guarantees of ours:

    * an overwriting feed (``-O``) is written to ``<path>.part`` and renamed into place when
      the run ends, so a killed run never leaves a torn file under the final name;
    * an ``-O`` feed is delivered only when the run's own feed was published (committed):
      when its items were withheld (markup drift, see :meth:`newscrawl.run.Run.withhold`) or
      its publish failed (disk full, state locked), the file goes to ``<path>.rejected``
      instead (an appending ``-o`` feed cannot be taken back: a warning says so);
    * when only some sites' items were withheld (``news``, health judged site by site), a
      JSON-lines ``-O`` feed is delivered without their lines (they go to
      ``<path>.rejected``); a feed in another format goes to ``<path>.rejected`` whole.

    The ``.part`` is opened without following a link; under the output folder no folder on
    the way may be one either (elsewhere the feed's folder is the operator's choice).
    """

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> GuardedFileFeedStorage:
        storage = cls(uri, feed_options=feed_options)
        storage.crawler = crawler
        storage.feed_format = str((feed_options or {}).get("format") or "")
        return storage

    feed_format = ""

    @property
    def _atomic(self) -> bool:
        return self.write_mode == "wb"

    def open(self, spider: Any) -> IO[bytes]:
        if not self._atomic:
            return super().open(spider)
        path = Path(self.path)
        return safepaths.open_nofollow(
            path.with_name(path.name + PART), "wb", self._root(), make_parents=True
        )

    def _root(self) -> Path | None:
        """The output folder (the feed's own folder is followed when it lies elsewhere)."""
        if self.crawler is None:
            return None
        return output_dir(self.crawler.settings)

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        path = Path(self.path)
        written = path.with_name(path.name + PART) if self._atomic else path
        gate = delivery_gate(self.crawler) if self.crawler is not None else None
        why = None
        if gate is not None and not gate.published_ok:
            why = (
                "its items were withheld"
                if gate.withheld
                else "this run's feed could not be published (it is recovered by the next run)"
            )
        withheld = sorted(gate.withheld_sites or ()) if gate is not None and why is None else []
        if withheld and self._atomic and self.feed_format not in JSON_LINES_FORMATS:
            why = (
                f"the articles of {', '.join(withheld)} were withheld (only a JSON-lines feed "
                "is delivered without them)"
            )
        if why is not None and self._atomic:
            safepaths.replace(written, path.with_name(path.name + REJECTED), self._root())
            logger.warning(
                "Did not deliver the feed %s: %s (kept as %s.rejected)", path, why, path.name
            )
        elif why is not None:
            logger.warning("This run's items were appended to %s, but %s (-o)", path, why)
        elif withheld and not self._atomic:
            logger.warning(
                "This run's items were appended to %s, but the articles of %s were withheld (-o)",
                path,
                ", ".join(withheld),
            )
        elif self._atomic:
            left = 0
            if withheld:
                rejected = path.with_name(path.name + REJECTED)
                _, left = split_json_lines(written, rejected, withheld, self._root())
            if left:
                logger.warning(
                    "Delivered the feed %s without the %d article(s) of %s, withheld (kept in "
                    "%s.rejected)",
                    path,
                    left,
                    ", ".join(withheld),
                    path.name,
                )
            safepaths.replace(written, path, self._root())
