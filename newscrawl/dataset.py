"""The analysts' dataset: every published feed of every spider, as Parquet partitioned by site
and publication date, with a DuckDB database whose view ``articles`` reads it.

``make dataset`` (``python -m newscrawl.dataset``) builds and updates it:

- ``output/dataset/site=<site>/date=<YYYY-MM-DD>/<batch>_<n>.parquet`` (Hive-style; the date is
  the publication date in WIB), written by DuckDB's own Parquet writer;
- ``output/newscrawl.duckdb``: the view ``articles`` over the committed files, the table
  ``dataset_feeds`` (which feed went into which batch) and ``dataset_batches``. The view adds
  ``published_local``, the publication's wall-clock time in WIB as a ``TIMESTAMP`` without
  zone (its date is ``date``, its hour the WIB hour, whatever the session's TimeZone), and each
  row carries ``simhash``, a 64-bit SimHash of the body (:mod:`newscrawl.simhash`) to find the
  same story across sites. The file is written in DuckDB's storage version
  :data:`STORAGE_VERSION`, so that the DuckDB CLI analysts install (1.4 and later) opens it;
  a database an earlier build wrote in a newer version is rewritten once.
- ``output/search.sqlite3``: the full-text index of :mod:`newscrawl.search`, brought up to
  date with the dataset's feeds after each build.

Incremental and idempotent: a feed (a path under the output folder, published by its run:
``published = 1`` in its spider's state) is ingested once; a build with nothing new changes
nothing. Crash-safe: a batch's files are written under a staging folder, moved into place, and
only then committed in one DuckDB transaction with the new view; a build killed at any moment
leaves the view on the old files, and the next build first deletes the files of batches that
never committed. A partition with :data:`COMPACT_AT` files or more is rewritten as one file the
same way (staged, moved, committed with the view, and only then are the old files deleted).

A build that finds the database open in another process (an analyst's DuckDB session) stops
before it changes anything: :class:`DatasetBusy`, one ERROR line and exit status 75.

Never through a symbolic link: a build first refuses (:class:`~newscrawl.safepaths.LinkError`;
the command exits 2 with one ERROR line) when the dataset folder, anything in it, the database
or the lock file is a link; its own writes, renames and deletions then reach their folders
without following links (:mod:`newscrawl.safepaths`). The output folder itself may be a link.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import re
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newscrawl import safepaths, search
from newscrawl.safepaths import LinkError
from newscrawl.simhash import simhash

logger = logging.getLogger(__name__)

DATASET_DIR = "dataset"
DATABASE = "newscrawl.duckdb"
LOCK = "dataset.lock"
STAGING = ".staging"
#: The columns of the dataset, typed as the JSON Schema says (``newscrawl/schema``).
COLUMNS = {
    "url": "VARCHAR", "article_id": "VARCHAR", "site": "VARCHAR", "section": "VARCHAR",
    "category": "VARCHAR", "title": "VARCHAR", "lead": "VARCHAR", "authors": "VARCHAR[]",
    "editor": "VARCHAR", "published_at": "VARCHAR", "updated_at": "VARCHAR",
    "dateline": "VARCHAR", "body": "VARCHAR", "image_url": "VARCHAR",
    "image_caption": "VARCHAR", "tags": "VARCHAR[]", "is_premium": "BOOLEAN",
    "language": "VARCHAR", "word_count": "INTEGER", "crawled_at": "VARCHAR",
}  # fmt: skip
#: Columns read as text and stored as instants.
TIMES = ("published_at", "updated_at", "crawled_at")
#: Feeds read by one DuckDB statement.
BATCH_FEEDS = 500
#: The storage version the database is written in: DuckDB 1.4 (the long-term release) and
#: later read it, the ``duckdb`` CLI of PyPI's ``duckdb-cli`` included; the Python ``duckdb``
#: of requirements.txt would otherwise write its own newer one, which those cannot open.
STORAGE_VERSION = "v1.4.0"
#: Where a database in a newer storage version is copied before it replaces the old one.
MIGRATING = f"{DATABASE}.migrating"
#: A partition with this many files or more is compacted into one by the next build.
COMPACT_AT = 8
#: The WIB offset in microseconds: ``published_local`` is the instant plus 7 hours, as a
#: TIMESTAMP without zone. Plain arithmetic, so no time-zone data or session setting is needed
#: (Indonesia's WIB has been UTC+7 without daylight saving since 1964).
WIB_OFFSET_US = 7 * 3600 * 1_000_000
PUBLISHED_LOCAL = f"make_timestamp(epoch_us(published_at) + {WIB_OFFSET_US})"
#: The name of the SimHash function (Python, :func:`newscrawl.simhash.simhash`) in a build's
#: connection (never in the view: other clients do not have it).
SIMHASH_FUNCTION = "newscrawl_simhash"
#: The exit status of ``make dataset`` when the database is open in another process.
EXIT_BUSY = 75


class DatasetBusy(RuntimeError):
    """The database is open in another process (DuckDB locks its file): nothing was done."""


@dataclass(frozen=True)
class Built:
    """What a build did."""

    feeds: int
    articles: int
    batch: str | None
    removed_files: int
    #: Partitions rewritten as one file.
    compacted: int = 0
    #: Articles added to the search index.
    indexed: int = 0


def published_feeds(output: Path) -> Iterator[str]:
    """Every feed the spiders' states say was published (paths relative to ``output``), whose
    file is there."""
    for state in sorted(output.rglob("state.sqlite3")):
        if DATASET_DIR in state.relative_to(output).parts:
            continue
        try:
            connection = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
            try:
                rows = connection.execute("SELECT feed FROM feeds WHERE published = 1").fetchall()
            finally:
                connection.close()
        except sqlite3.Error as error:
            logger.warning("Skipped the state %s: %s", state, error)
            continue
        for (feed,) in rows:
            if (output / str(feed)).is_file():
                yield str(feed)


def written_paths(output: Path) -> list[Path]:
    """What a build writes under ``output`` (none of it may be a symbolic link)."""
    return [
        output / DATASET_DIR,
        *_database_files(output),
        output / LOCK,
        *search.index_paths(output),
    ]


def _database_files(output: Path) -> list[Path]:
    return [
        output / DATABASE,
        output / f"{DATABASE}.wal",
        output / MIGRATING,
        output / f"{MIGRATING}.wal",
    ]


def connect(output: Path) -> duckdb.DuckDBPyConnection:
    """The dataset's database (DuckDB opens it by path: it and its WAL are checked first),
    in :data:`STORAGE_VERSION` (rewritten so once when an earlier build wrote a newer one).
    :class:`DatasetBusy` when another process has it open."""
    safepaths.refuse_links(output, _database_files(output))
    path = output / DATABASE
    database = _open(path)
    if _newer_than_wanted(database):
        database = _rewrite_in_storage_version(database, output)
    database.create_function(SIMHASH_FUNCTION, simhash, ["VARCHAR"], "UBIGINT", side_effects=False)
    database.execute(
        "CREATE TABLE IF NOT EXISTS dataset_batches (batch VARCHAR PRIMARY KEY, "
        "committed_at TIMESTAMPTZ, files VARCHAR[], articles BIGINT)"
    )
    database.execute(
        "CREATE TABLE IF NOT EXISTS dataset_feeds (feed VARCHAR PRIMARY KEY, batch VARCHAR)"
    )
    return database


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    except duckdb.IOException as error:
        message = str(error)
        if "lock" not in message.lower():
            raise
        holder = re.search(r"\(PID (\d+)\)", message)
        who = f"process {holder.group(1)}" if holder else "another process"
        raise DatasetBusy(
            f"{path} is open in {who} (a DuckDB session or notebook?): close it, then run "
            "`make dataset` again"
        ) from None


def _version(text: str) -> tuple[int, ...]:
    """``"v1.4.0+"`` -> ``(1, 4, 0)``."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _newer_than_wanted(database: duckdb.DuckDBPyConnection) -> bool:
    rows = database.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() "
        "WHERE database_name = current_database()"
    ).fetchall()
    found = str(rows[0][0]) if rows and rows[0][0] else ""
    return bool(found) and _version(found) > _version(STORAGE_VERSION)


def _rewrite_in_storage_version(
    database: duckdb.DuckDBPyConnection, output: Path
) -> duckdb.DuckDBPyConnection:
    """Copy the database into a new file in :data:`STORAGE_VERSION` and put it in its place
    (a build killed meanwhile leaves the old one, and the next build starts again)."""
    path, copy = output / DATABASE, output / MIGRATING
    for stale in (copy, output / f"{MIGRATING}.wal"):
        safepaths.unlink(stale, output, missing_ok=True)
    name = str(database.execute("SELECT current_database()").fetchall()[0][0])
    database.execute(f"ATTACH '{_quoted(copy)}' AS migrated (STORAGE_VERSION '{STORAGE_VERSION}')")
    database.execute(f'COPY FROM DATABASE "{name}" TO migrated')
    database.execute("DETACH migrated")
    database.close()  # checkpointed: its WAL is gone, or stale
    safepaths.unlink(output / f"{DATABASE}.wal", output, missing_ok=True)
    safepaths.replace(copy, path, output)
    logger.warning(
        "Rewrote %s in DuckDB's storage version %s (the DuckDB CLI 1.4 and later open it)",
        path, STORAGE_VERSION,
    )  # fmt: skip
    return _open(path)


def _committed_files(database: duckdb.DuckDBPyConnection) -> list[str]:
    rows = database.execute("SELECT unnest(files) FROM dataset_batches ORDER BY 1").fetchall()
    return [str(row[0]) for row in rows]


def _remove_uncommitted(output: Path, database: duckdb.DuckDBPyConnection) -> int:
    """Delete what a build killed before its commit left: its staging folder, and files in
    the dataset no committed batch names. Never through a link: a linked dataset folder is
    refused (:class:`LinkError`), a linked folder inside is not entered."""
    root = output / DATASET_DIR
    safepaths.remove_tree(root / STAGING, output)
    committed = set(_committed_files(database))
    removed = 0
    top = safepaths.open_dir(root, output)
    try:
        for folder, _, names, folder_fd in os.fwalk(".", dir_fd=top):  # links not followed
            for name in names:
                relative = (root / folder / name).relative_to(output).as_posix()
                if name.endswith(".parquet") and relative not in committed:
                    os.unlink(name, dir_fd=folder_fd)
                    removed += 1
    finally:
        os.close(top)
    if removed:
        logger.warning("Removed %d file(s) of a dataset build that did not finish", removed)
    return removed


def _view(database: duckdb.DuckDBPyConnection, output: Path, files: list[str]) -> None:
    """The view ``articles`` over ``files`` (paths relative to ``output``): the item's fields,
    ``published_local`` after ``published_at``, ``simhash``, and the partitions' ``site`` and
    ``date`` (``date`` is ``published_local``'s date)."""
    if not files:
        columns = ", ".join(
            f"CAST(NULL AS {kind}) AS {name}" for name, kind in _view_columns().items()
        )
        database.execute(f"CREATE OR REPLACE VIEW articles AS SELECT {columns} WHERE false")
        return
    with_simhash = _having_column(database, output, files, "simhash")
    expressions = {name: name for name in _view_columns()}
    expressions["published_local"] = f"{PUBLISHED_LOCAL} AS published_local"
    if not with_simhash:  # files of an earlier version, until the next build rewrites them
        expressions["simhash"] = "CAST(NULL AS UBIGINT) AS simhash"
    database.execute(
        f"CREATE OR REPLACE VIEW articles AS SELECT {', '.join(expressions.values())} FROM "
        f"read_parquet([{_paths(output, files)}], hive_partitioning = true, "
        "hive_types = {'date': DATE}, union_by_name = true)"
    )


def _view_columns() -> dict[str, str]:
    """The view's columns and their types, in order."""
    columns: dict[str, str] = {}
    for name, kind in COLUMNS.items():
        columns[name] = "TIMESTAMPTZ" if name in TIMES else kind
        if name == "published_at":
            columns["published_local"] = "TIMESTAMP"
    columns["simhash"] = "UBIGINT"
    columns["date"] = "DATE"
    return columns


def _paths(output: Path, files: list[str]) -> str:
    """``files`` (relative to ``output``) as a list of SQL strings."""
    return ", ".join(f"'{_quoted(output / file)}'" for file in files)


def _having_column(
    database: duckdb.DuckDBPyConnection, output: Path, files: list[str], column: str
) -> set[str]:
    """Those of ``files`` whose Parquet schema has ``column``."""
    if not files:
        return set()
    rows = database.execute(
        f"SELECT DISTINCT file_name FROM parquet_schema([{_paths(output, files)}]) WHERE name = ?",
        [column],
    ).fetchall()
    having = {str(row[0]) for row in rows}
    return {file for file in files if str(output / file) in having}


def build(output: Path, *, compact_at: int = COMPACT_AT) -> Built:
    """Ingest the published feeds not in the dataset yet, compact the partitions that have
    ``compact_at`` files or more, and bring the search index up to date (see the module
    docstring); one build at a time (``dataset.lock``: a second one waits for the first).
    :class:`LinkError`, before anything is written, when a path it writes is a symbolic link;
    :class:`DatasetBusy`, before anything changes, when another process has the database
    open."""
    output = output.resolve()
    root = output / DATASET_DIR
    safepaths.refuse_links(output, written_paths(output))
    os.close(safepaths.open_dir(root, output, create=True))
    with dataset_lock(output):
        return _build(output, root, compact_at)


@contextmanager
def dataset_lock(output: Path, shared: bool = False) -> Iterator[None]:
    """``output/dataset.lock``: a build holds it alone; readers (the report) share it, so
    they read between builds. Opened without following a link."""
    with safepaths.open_nofollow(output / LOCK, "a+b", output) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def _build(output: Path, root: Path, compact_at: int) -> Built:
    database = connect(output)
    try:
        removed = _remove_uncommitted(output, database)
        _view(database, output, _committed_files(database))  # the old dataset, until the commit
        known = {
            str(row[0]) for row in database.execute("SELECT feed FROM dataset_feeds").fetchall()
        }
        new = [feed for feed in dict.fromkeys(published_feeds(output)) if feed not in known]
        feeds, articles, batch = _ingest(database, output, root, new) if new else (0, 0, None)
        compacted = _compact(database, output, root, compact_at)
        indexed = _index(database, output)
        return Built(feeds, articles, batch, removed, compacted, indexed)
    finally:
        database.close()


def _new_batch(prefix: str = "") -> str:
    return prefix + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _ingest(
    database: duckdb.DuckDBPyConnection, output: Path, root: Path, new: list[str]
) -> tuple[int, int, str | None]:
    """Write the feeds ``new`` as a batch and commit it with the view: (feeds, articles,
    batch) taken."""
    batch = _new_batch()
    staging = root / STAGING / batch
    os.close(safepaths.open_dir(staging, output, create=True))
    articles = 0
    taken: list[str] = []
    for start in range(0, len(new), BATCH_FEEDS):
        chunk = new[start : start + BATCH_FEEDS]
        try:
            articles += _write(database, output, chunk, staging, f"{batch}_{start}")
            taken += chunk
        except duckdb.Error:  # one bad feed must not stop the others: one by one
            for n, feed in enumerate(chunk):
                try:
                    articles += _write(database, output, [feed], staging, f"{batch}_{start}_{n}")
                    taken.append(feed)
                except duckdb.Error as error:
                    logger.error("Dataset: left out the feed %s (tried again next time): %s",
                                 feed, str(error).splitlines()[0])  # fmt: skip
        logger.info(
            "Dataset progress: %d/%d new feed(s) read, %d article(s)",
            start + len(chunk), len(new), articles,
        )  # fmt: skip
    if not taken:
        safepaths.remove_tree(root / STAGING, output)
        return 0, 0, None
    files = _move_into_place(staging, root, output)
    relative = [path.relative_to(output).as_posix() for path in files]
    database.execute("BEGIN TRANSACTION")
    database.execute(
        "INSERT INTO dataset_batches VALUES (?, now(), ?, ?)", [batch, relative, articles]
    )
    database.executemany("INSERT INTO dataset_feeds VALUES (?, ?)", [[f, batch] for f in taken])
    _view(database, output, _committed_files(database))
    database.execute("COMMIT")
    safepaths.remove_tree(root / STAGING, output)
    logger.info("Dataset: %d feed(s), %d article(s) added (batch %s)", len(taken), articles, batch)
    return len(taken), articles, batch


def _compact(database: duckdb.DuckDBPyConnection, output: Path, root: Path, compact_at: int) -> int:
    """Rewrite as one file each partition that has ``compact_at`` files or more, or a file
    without ``simhash`` (written by an earlier version); committed with the view in one
    transaction, the old files deleted only then. The number of partitions rewritten."""
    files = _committed_files(database)
    with_simhash = _having_column(database, output, files, "simhash")
    partitions: dict[str, list[str]] = {}
    for file in files:
        partitions.setdefault(file.rsplit("/", 1)[0], []).append(file)
    todo = {
        partition: names
        for partition, names in sorted(partitions.items())
        if len(names) >= compact_at or any(name not in with_simhash for name in names)
    }
    if not todo:
        return 0
    batch = _new_batch("compact-")
    staging = root / STAGING / batch
    kept = ", ".join(name for name in COLUMNS if name != "site")  # site and date: the folders
    for partition, names in todo.items():
        have = [name in with_simhash for name in names]
        fingerprint = (
            "simhash" if all(have)
            else f"{SIMHASH_FUNCTION}(body)" if not any(have)
            else f"coalesce(simhash, {SIMHASH_FUNCTION}(body))"
        )  # fmt: skip
        target = staging / Path(partition).relative_to(DATASET_DIR) / f"{batch}_0.parquet"
        os.close(safepaths.open_dir(target.parent, output, create=True))
        database.execute(
            f"COPY (SELECT {kept}, {fingerprint} AS simhash FROM read_parquet("
            f"[{_paths(output, names)}], hive_partitioning = false, union_by_name = true) "
            f"ORDER BY published_at, url) TO '{_quoted(target)}' (FORMAT parquet)"
        )
    moved = [
        path.relative_to(output).as_posix() for path in _move_into_place(staging, root, output)
    ]
    old = {name for names in todo.values() for name in names}
    database.execute("BEGIN TRANSACTION")
    for other, listed in database.execute("SELECT batch, files FROM dataset_batches").fetchall():
        if old.intersection(listed):
            database.execute(
                "UPDATE dataset_batches SET files = ? WHERE batch = ?",
                [[name for name in listed if name not in old], other],
            )
    database.execute("INSERT INTO dataset_batches VALUES (?, now(), ?, 0)", [batch, moved])
    _view(database, output, _committed_files(database))
    database.execute("COMMIT")
    for name in sorted(old):  # no committed batch names them now: a kill here, the next build
        safepaths.unlink(output / name, output, missing_ok=True)
    safepaths.remove_tree(root / STAGING, output)
    logger.info(
        "Dataset: compacted %d partition(s), %d file(s) into %d", len(todo), len(old), len(moved)
    )
    return len(todo)


def _index(database: duckdb.DuckDBPyConnection, output: Path) -> int:
    """Bring the search index up to date with the dataset's feeds (a failure is logged: the
    dataset is committed, and the next build indexes what is missing)."""
    feeds = [str(row[0]) for row in database.execute("SELECT feed FROM dataset_feeds").fetchall()]
    try:
        return search.update(output, feeds)
    except (sqlite3.Error, OSError) as error:
        if isinstance(error, LinkError):
            raise
        logger.error("Search index not updated (the next build tries again): %s", error)
        return 0


def _write(
    database: duckdb.DuckDBPyConnection, output: Path, feeds: list[str], staging: Path, name: str
) -> int:
    """Write the articles of ``feeds`` as Parquet partitions under ``staging``, each with the
    SimHash of its body."""
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS.items())
    typed = ", ".join(
        f"CAST({column} AS TIMESTAMPTZ) AS {column}" if column in TIMES else column
        for column in COLUMNS
    )
    source = (
        f"read_json([{_paths(output, feeds)}], format = 'newline_delimited', "
        f"columns = {{{columns}}})"
    )
    count = int(database.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0])
    query = (
        f"SELECT {typed}, {SIMHASH_FUNCTION}(body) AS simhash, "
        f"CAST(substr(published_at, 1, 10) AS DATE) AS date FROM {source}"
    )
    database.execute(
        f"COPY ({query}) TO '{_quoted(staging)}' (FORMAT parquet, PARTITION_BY (site, date), "
        f"FILENAME_PATTERN '{name}_{{i}}', OVERWRITE_OR_IGNORE)"
    )
    return count


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


def _move_into_place(staging: Path, root: Path, output: Path) -> list[Path]:
    """Each staged file renamed (atomically) to its partition of the dataset (its folders
    made and reached without following a link)."""
    moved = []
    delay = float(os.environ.get("NEWSCRAWL_DATASET_STEP_DELAY", "0") or 0)
    for path in sorted(staging.rglob("*.parquet")):
        target = root / path.relative_to(staging)
        os.close(safepaths.open_dir(target.parent, output, create=True))
        if delay:  # tests: room to kill a build between two files
            time.sleep(delay)
        safepaths.replace(path, target, output)
        moved.append(target)
    return moved


def output_from_command_line(description: str, argv: list[str] | None) -> Path | None:
    """The output folder of a command (``--output``, else the project's
    ``NEWSCRAWL_OUTPUT_DIR``) with logging set up; None, logged, when there is none."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", default=None, help="the output folder (default: the project's)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s"
    )
    if args.output is None:
        from scrapy.utils.project import get_project_settings

        from newscrawl.state import output_dir

        output = output_dir(get_project_settings())
    else:
        output = Path(args.output)
    if not output.is_dir():
        logger.error("No output folder %s", output)
        return None
    return output


def main(argv: list[str] | None = None) -> int:
    output = output_from_command_line("Build or update the analysts' dataset.", argv)
    if output is None:
        return 2
    try:
        built = build(output)
    except LinkError as error:
        logger.error("Not building the dataset: %s", error)
        return 2
    except DatasetBusy as error:
        logger.error("Not building the dataset: %s", error)
        return EXIT_BUSY
    logger.info(
        "Dataset %s: %d new feed(s), %d new article(s), %d partition(s) compacted, "
        "%d article(s) indexed; view `articles` in %s, search index in %s",
        output / DATASET_DIR, built.feeds, built.articles, built.compacted, built.indexed,
        output / DATABASE, output / search.INDEX,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
