"""The analysts' dataset: every published feed of every spider, as Parquet partitioned by site
and publication date, with a DuckDB database whose view ``articles`` reads it.

``make dataset`` (``python -m newscrawl.dataset``) builds and updates it:

- ``output/dataset/site=<site>/date=<YYYY-MM-DD>/<batch>_<n>.parquet`` (Hive-style; the date is
  the publication date in WIB), written by DuckDB's own Parquet writer;
- ``output/newscrawl.duckdb``: the view ``articles`` over the committed files, the table
  ``dataset_feeds`` (which feed went into which batch) and ``dataset_batches``.

Incremental and idempotent: a feed (a path under the output folder, published by its run:
``published = 1`` in its spider's state) is ingested once; a build with nothing new changes
nothing. Crash-safe: a batch's files are written under a staging folder, moved into place, and
only then committed in one DuckDB transaction with the new view; a build killed at any moment
leaves the view on the old files, and the next build first deletes the files of batches that
never committed.

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

from newscrawl import safepaths
from newscrawl.safepaths import LinkError

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


@dataclass(frozen=True)
class Built:
    """What a build did."""

    feeds: int
    articles: int
    batch: str | None
    removed_files: int


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
        output / DATABASE,
        output / f"{DATABASE}.wal",
        output / LOCK,
    ]


def connect(output: Path) -> duckdb.DuckDBPyConnection:
    """The dataset's database (DuckDB opens it by path: it and its WAL are checked first)."""
    safepaths.refuse_links(output, [output / DATABASE, output / f"{DATABASE}.wal"])
    database = duckdb.connect(str(output / DATABASE))
    database.execute(
        "CREATE TABLE IF NOT EXISTS dataset_batches (batch VARCHAR PRIMARY KEY, "
        "committed_at TIMESTAMPTZ, files VARCHAR[], articles BIGINT)"
    )
    database.execute(
        "CREATE TABLE IF NOT EXISTS dataset_feeds (feed VARCHAR PRIMARY KEY, batch VARCHAR)"
    )
    return database


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
    """The view ``articles`` over ``files`` (paths relative to ``output``), with the
    partitions' ``site`` and ``date``."""
    if not files:
        columns = ", ".join(
            f"CAST(NULL AS {'TIMESTAMPTZ' if name in TIMES else kind}) AS {name}"
            for name, kind in COLUMNS.items()
        )
        database.execute(
            f"CREATE OR REPLACE VIEW articles AS SELECT {columns}, CAST(NULL AS DATE) AS date "
            "WHERE false"
        )
        return
    paths = ", ".join("'" + str(output / file).replace("'", "''") + "'" for file in files)
    database.execute(
        "CREATE OR REPLACE VIEW articles AS SELECT * FROM "
        f"read_parquet([{paths}], hive_partitioning = true, hive_types = {{'date': DATE}})"
    )


def build(output: Path) -> Built:
    """Ingest the published feeds not in the dataset yet (see the module docstring); one
    build at a time (``dataset.lock``: a second one waits for the first). :class:`LinkError`,
    before anything is written, when a path it writes is a symbolic link."""
    output = output.resolve()
    root = output / DATASET_DIR
    safepaths.refuse_links(output, written_paths(output))
    os.close(safepaths.open_dir(root, output, create=True))
    with dataset_lock(output):
        return _build(output, root)


@contextmanager
def dataset_lock(output: Path, shared: bool = False) -> Iterator[None]:
    """``output/dataset.lock``: a build holds it alone; readers (the report) share it, so
    they read between builds. Opened without following a link."""
    with safepaths.open_nofollow(output / LOCK, "a+b", output) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def _build(output: Path, root: Path) -> Built:
    database = connect(output)
    try:
        removed = _remove_uncommitted(output, database)
        _view(database, output, _committed_files(database))  # the old dataset, until the commit
        known = {
            str(row[0]) for row in database.execute("SELECT feed FROM dataset_feeds").fetchall()
        }
        new = [feed for feed in dict.fromkeys(published_feeds(output)) if feed not in known]
        if not new:
            return Built(0, 0, None, removed)
        batch = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
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
                        articles += _write(
                            database, output, [feed], staging, f"{batch}_{start}_{n}"
                        )
                        taken.append(feed)
                    except duckdb.Error as error:
                        logger.error("Dataset: left out the feed %s (tried again next time): %s",
                                     feed, str(error).splitlines()[0])  # fmt: skip
            logger.info(
                "Dataset progress: %d/%d new feed(s) read, %d article(s)",
                start + len(chunk), len(new), articles,
            )  # fmt: skip
        new = taken
        if not new:
            safepaths.remove_tree(root / STAGING, output)
            return Built(0, 0, None, removed)
        files = _move_into_place(staging, root, output)
        relative = [path.relative_to(output).as_posix() for path in files]
        database.execute("BEGIN TRANSACTION")
        database.execute(
            "INSERT INTO dataset_batches VALUES (?, now(), ?, ?)", [batch, relative, articles]
        )
        database.executemany("INSERT INTO dataset_feeds VALUES (?, ?)", [[f, batch] for f in new])
        _view(database, output, _committed_files(database))
        database.execute("COMMIT")
        safepaths.remove_tree(root / STAGING, output)
        logger.info(
            "Dataset: %d feed(s), %d article(s) added (batch %s)", len(new), articles, batch
        )
        return Built(len(new), articles, batch, removed)
    finally:
        database.close()


def _write(
    database: duckdb.DuckDBPyConnection, output: Path, feeds: list[str], staging: Path, name: str
) -> int:
    """Write the articles of ``feeds`` as Parquet partitions under ``staging``."""
    paths = ", ".join("'" + str(output / feed).replace("'", "''") + "'" for feed in feeds)
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS.items())
    typed = ", ".join(
        f"CAST({column} AS TIMESTAMPTZ) AS {column}" if column in TIMES else column
        for column in COLUMNS
    )
    query = (
        f"SELECT {typed}, CAST(substr(published_at, 1, 10) AS DATE) AS date FROM read_json("
        f"[{paths}], format = 'newline_delimited', columns = {{{columns}}})"
    )
    count = int(database.execute(f"SELECT count(*) FROM ({query})").fetchone()[0])  # type: ignore[index]
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
    logger.info(
        "Dataset %s: %d new feed(s), %d new article(s); view `articles` in %s",
        output / DATASET_DIR,
        built.feeds,
        built.articles,
        output / DATABASE,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
