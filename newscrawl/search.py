"""Full-text search over the dataset's articles, offline: ``newscrawl search "kata kunci"``
(``python -m newscrawl.search "kata kunci" [--limit N] [--site S] [--json]``).

The index is ``output/search.sqlite3``, an SQLite FTS5 table (SQLite ships with Python: nothing
to download) that ``make dataset`` keeps up to date:

- **What is indexed**: each article's title and body, from the feeds the dataset holds
  (``dataset_feeds``); the tokenizer is ``unicode61`` with ``remove_diacritics 2``, so case and
  accents do not matter ("Ekonomi" finds "ekonomi", "kafe" finds "café").
- **Incremental and idempotent**, as the dataset is: the table ``search_feeds`` lists the feeds
  indexed; a build indexes only the others, all in one transaction, so a build killed midway
  indexes them again next time and none twice. An article exported again (by URL) replaces its
  row: the old one is never returned.
- **Readers are never in the way**, nor see half an update: the index is in WAL mode, a search
  opens it read-only and sees the last committed update.
- **Ranking**: BM25, the title weighing :data:`TITLE_WEIGHT` times the body; best first, then
  the newest.

A query is words (all must match, in any order, in title or body), ``"a phrase"`` in double
quotes, ``word*`` for a prefix, and ``OR`` between two of those. Nothing else is syntax: other
punctuation separates words, as in the text.

Exit status: 0 when something matched, 1 when nothing did, 2 when there is no index yet (run
``make dataset``) or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from newscrawl import safepaths

logger = logging.getLogger(__name__)

INDEX = "search.sqlite3"
#: How much more a match in the title weighs than one in the body (BM25 column weights).
TITLE_WEIGHT = 5.0
DEFAULT_LIMIT = 20
#: Exit statuses.
EXIT_FOUND, EXIT_NONE, EXIT_USAGE = 0, 1, 2

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_feeds "
    "(feed TEXT PRIMARY KEY, articles INTEGER NOT NULL, indexed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS search_articles (id INTEGER PRIMARY KEY, url TEXT NOT NULL "
    "UNIQUE, site TEXT NOT NULL, published_at TEXT, title TEXT NOT NULL)",
    # contentless: the words are indexed, the text is not stored twice (the dataset has it)
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(title, body, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
)


@dataclass(frozen=True)
class Hit:
    """One matching article."""

    site: str
    published_at: str | None
    title: str
    url: str
    rank: float

    @property
    def date(self) -> str:
        """The publication's WIB date and time to the minute (the feeds' times are WIB)."""
        return (self.published_at or "")[:16].replace("T", " ")


def index_paths(output: Path) -> list[Path]:
    """The index's files (none may be a symbolic link: SQLite opens them by path)."""
    path = output / INDEX
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def update(output: Path, feeds: Iterable[str]) -> int:
    """Index the articles of those ``feeds`` (paths relative to ``output``) not indexed yet, in
    one transaction; the number of articles indexed. The caller holds the dataset's lock (one
    writer at a time); readers may search meanwhile."""
    safepaths.refuse_links(output, index_paths(output))
    connection = sqlite3.connect(output / INDEX, timeout=60, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        for statement in _SCHEMA:
            connection.execute(statement)
        done = {str(row[0]) for row in connection.execute("SELECT feed FROM search_feeds")}
        todo = [feed for feed in dict.fromkeys(feeds) if feed not in done]
        if not todo:
            return 0
        indexed = 0
        now = datetime.now(UTC).isoformat(timespec="seconds")
        connection.execute("BEGIN IMMEDIATE")
        try:
            for feed in todo:
                count = 0
                for item in _items(output / feed):
                    _add(connection, item)
                    count += 1
                connection.execute("INSERT INTO search_feeds VALUES (?, ?, ?)", (feed, count, now))
                indexed += count
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        logger.info("Search index: %d article(s) of %d feed(s) added", indexed, len(todo))
        return indexed
    finally:
        connection.close()


def _items(path: Path) -> Iterator[dict[str, object]]:
    """The items of a feed (a line that is not an item is passed over, logged)."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        logger.warning("Search index: cannot read the feed %s: %s", path, error)
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                logger.warning("Search index: %s line %d is not JSON; passed over", path, number)
                continue
            if isinstance(item, dict) and item.get("url") and item.get("title"):
                yield item


def _add(connection: sqlite3.Connection, item: dict[str, object]) -> None:
    url = str(item["url"])
    connection.execute("DELETE FROM search_articles WHERE url = ?", (url,))
    cursor = connection.execute(
        "INSERT INTO search_articles (url, site, published_at, title) VALUES (?, ?, ?, ?)",
        (url, str(item.get("site") or ""), item.get("published_at"), str(item["title"])),
    )
    connection.execute(
        "INSERT INTO search_text (rowid, title, body) VALUES (?, ?, ?)",
        (cursor.lastrowid, str(item["title"]), str(item.get("body") or "")),
    )


_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def to_match(query: str) -> str:
    """The FTS5 expression of a user's query: every word a quoted string (so no character of
    the text is FTS5 syntax), ``"..."`` phrases kept, a token of several words (``COVID-19``)
    a phrase, ``word*`` a prefix, ``OR`` kept between two terms; "" when the query has no
    word."""
    terms: list[str] = []
    for phrase, token in _TERM.findall(query):
        if token == "OR":
            if terms and terms[-1] != "OR":
                terms.append("OR")
            continue
        words = _WORD.findall(phrase if phrase else token)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'  # a token of several words is a phrase: COVID-19
        terms.append(term + "*" if not phrase and token.endswith("*") else term)
    while terms and terms[-1] == "OR":
        terms.pop()
    return " ".join(terms)


def search(
    output: Path, query: str, *, limit: int = DEFAULT_LIMIT, site: str | None = None
) -> list[Hit]:
    """The articles matching ``query``, best first (at most ``limit``), only of ``site`` when
    given (a domain, ``kompas.com``, or its first label, ``kompas``).
    :class:`FileNotFoundError` when there is no index yet."""
    path = output / INDEX
    if not path.is_file():
        raise FileNotFoundError(f"No search index {path}: run `make dataset` first")
    match = to_match(query)
    if not match:
        return []
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        where, arguments = "search_text MATCH ?", [match]
        if site:
            where += " AND (a.site = ? OR a.site LIKE ? ESCAPE '\\')"
            escaped = site.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            arguments += [site, f"{escaped}.%"]
        rows = connection.execute(
            "SELECT a.site, a.published_at, a.title, a.url, "
            f"bm25(search_text, {TITLE_WEIGHT}, 1.0) AS rank "
            "FROM search_text JOIN search_articles a ON a.id = search_text.rowid "
            f"WHERE {where} ORDER BY rank, a.published_at DESC LIMIT ?",
            [*arguments, limit],
        ).fetchall()
    finally:
        connection.close()
    return [Hit(str(s), p, str(t), str(u), float(r)) for s, p, t, u, r in rows]


def main(argv: list[str] | None = None) -> int:
    """``newscrawl search``: print the matching articles, best first, one a line (date and
    time in WIB, site, title, URL), or one JSON object a line with ``--json``."""
    parser = argparse.ArgumentParser(
        prog="newscrawl search",
        description="Full-text search of the dataset's articles (built by `make dataset`).",
    )
    parser.add_argument("query", help='words (all must match), "a phrase", prefix*, OR')
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="at most N (20)")
    parser.add_argument("--site", default=None, help="only this site (kompas.com or kompas)")
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument("--output", default=None, help="the output folder (default: the project's)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if args.limit < 1:
        parser.error("--limit must be 1 or more")
    output = _output(args.output)
    try:
        hits = search(output, args.query, limit=args.limit, site=args.site)
    except FileNotFoundError as error:
        logger.error("%s", error)
        return EXIT_USAGE
    except sqlite3.Error as error:
        logger.error("Cannot search %s: %s", output / INDEX, error)
        return EXIT_USAGE
    out = sys.stdout
    if args.json:
        for hit in hits:
            out.write(json.dumps(asdict(hit), ensure_ascii=False) + "\n")
    else:
        width = max((len(hit.site) for hit in hits), default=0)
        for hit in hits:
            out.write(f"{hit.date}  {hit.site:<{width}}  {hit.title}\n{'':18}{hit.url}\n")
    if not hits:
        logger.warning("No article matches %r", args.query)
        return EXIT_NONE
    return EXIT_FOUND


def _output(option: str | None) -> Path:
    if option is not None:
        return Path(option)
    from scrapy.utils.project import get_project_settings

    from newscrawl.state import output_dir

    return output_dir(get_project_settings())


if __name__ == "__main__":
    sys.exit(main())
