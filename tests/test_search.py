"""Full-text search (``newscrawl search``, ``python -m newscrawl.search``): an SQLite FTS5
index that ``make dataset`` keeps up to date, incrementally, with readers never in the way."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import search
from newscrawl.dataset import build
from newscrawl.search import INDEX, to_match, update
from tests.support import ROOT
from tests.test_dataset import article, write_feed

WHEN = "2025-11-20T10:00:00+07:00"


def run_search(output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.search", *args, "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """Two sites' articles, built into the dataset (and so into the index)."""
    output = tmp_path / "output"
    write_feed(output, [
        article(1, WHEN, title="Harga saham bank naik", body="Bursa ditutup menguat hari ini."),
        article(2, "2025-11-21T09:00:00+07:00", title="Cuaca cerah di Jakarta",
                body="Harga cabai dan saham tidak dibahas; hanya cuaca. Saham disebut sekali."),
        article(3, WHEN, title="Kafe baru dibuka", body="Sebuah café di Bandung ramai."),
        article(4, WHEN, title="COVID-19 mereda", body="Kasus COVID-19 turun di Jawa Barat."),
    ])  # fmt: skip
    kompas = article(
        5, WHEN, site="kompas.com", title="Saham bank melonjak",
        body="Harga saham bank besar naik tajam.",
    )  # fmt: skip
    write_feed(output, [kompas], spider="kompas")
    build(output)
    return output


def test_the_query_language_is_words_phrases_prefixes_and_or() -> None:
    assert to_match("kata kunci") == '"kata" "kunci"'
    assert to_match('"harga saham" bank') == '"harga saham" "bank"'
    assert to_match("ekon* OR pasar") == '"ekon"* OR "pasar"'
    # no character of the text is syntax: these broke FTS5 or changed the query
    assert to_match("COVID-19") == '"COVID 19"'
    assert to_match("title:saham") == '"title saham"'
    assert to_match('NEAR(a b) "unclosed') == '"NEAR a" "b" "unclosed"'
    assert to_match("OR saham OR") == '"saham"'
    assert to_match("--- !!!") == ""


def test_search_lists_matches_best_first_with_site_date_and_title(output: Path) -> None:
    done = run_search(output, "saham bank")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # both match in the title, the first in its body too; "saham" alone in a body is not enough
    assert [re.split(r"\s{2,}", line) for line in lines[::2]] == [
        ["2025-11-20 10:00", "kompas.com", "Saham bank melonjak"],
        ["2025-11-20 10:00", "contoh.id", "Harga saham bank naik"],
    ]
    assert [line.strip() for line in lines[1::2]] == [
        "https://www.kompas.com/read/5", "https://www.contoh.id/read/1",
    ]  # fmt: skip
    hits = search.search(output, "saham")
    assert [hit.title for hit in hits][-1] == "Cuaca cerah di Jakarta", "title over body"
    assert {hit.site for hit in hits} == {"contoh.id", "kompas.com"}


def test_title_weighs_more_than_body(output: Path) -> None:
    write_feed(output, [
        article(6, WHEN, title="Ekspor teh", body="Kopi disebut dua kali: kopi. " + "Lain. " * 9),
        article(7, WHEN, title="Harga kopi naik", body="Satu kalimat saja. " + "Lain. " * 9),
    ])  # fmt: skip
    build(output)
    assert [hit.title for hit in search.search(output, "kopi")] == ["Harga kopi naik", "Ekspor teh"]


def test_site_limit_json_diacritics_and_case(output: Path) -> None:
    done = run_search(output, "SAHAM", "--site", "kompas", "--json")
    assert done.returncode == 0, done.stderr
    [hit] = [json.loads(line) for line in done.stdout.splitlines()]
    assert hit["site"] == "kompas.com" and hit["title"] == "Saham bank melonjak"
    assert hit["published_at"] == WHEN
    assert len(search.search(output, "saham", limit=1)) == 1
    assert [hit.title for hit in search.search(output, "cafe")] == ["Kafe baru dibuka"]
    assert [hit.title for hit in search.search(output, "covid-19")] == ["COVID-19 mereda"]


def test_no_match_and_no_index(output: Path, tmp_path: Path) -> None:
    done = run_search(output, "gajah")
    assert (done.returncode, done.stdout) == (1, "")
    assert "No article matches" in done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_search(empty, "saham")
    assert done.returncode == 2 and "make dataset" in done.stderr
    assert "Traceback" not in done.stderr


def test_make_dataset_keeps_the_index_up_to_date_incrementally(output: Path) -> None:
    index = sqlite3.connect(output / INDEX)
    try:
        assert index.execute("SELECT count(*), sum(articles) FROM search_feeds").fetchall() == [
            (2, 5)
        ]
    finally:
        index.close()
    assert build(output).indexed == 0, "a build with nothing new indexes nothing"
    write_feed(output, [article(8, WHEN, title="Gajah lepas di kebun binatang")])
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.dataset", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 article(s) indexed" in done.stderr
    assert [hit.title for hit in search.search(output, "gajah")] == [
        "Gajah lepas di kebun binatang"
    ]
    index = sqlite3.connect(output / INDEX)
    try:
        assert index.execute(
            "SELECT count(*), count(DISTINCT url) FROM search_articles"
        ).fetchall() == [(6, 6)]
    finally:
        index.close()


def test_an_update_that_fails_midway_indexes_nothing_and_the_next_indexes_all_once(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = [write_feed(output, [article(10 + n, WHEN, title=f"Tambang {n}")]) for n in range(3)]
    calls = []

    def failing(connection: sqlite3.Connection, item: dict[str, object]) -> None:
        calls.append(item)
        if len(calls) == 2:
            raise OSError("disk full")
        original(connection, item)

    original = search._add
    monkeypatch.setattr(search, "_add", failing)
    with pytest.raises(OSError):
        update(output, feeds)
    monkeypatch.setattr(search, "_add", original)
    assert search.search(output, "tambang") == []
    assert update(output, feeds) == 3
    assert update(output, feeds) == 0
    assert sorted(hit.title for hit in search.search(output, "tambang")) == [
        "Tambang 0", "Tambang 1", "Tambang 2",
    ]  # fmt: skip


def test_a_reader_is_not_in_the_way_of_an_update_nor_sees_half_of_it(output: Path) -> None:
    reader = sqlite3.connect(f"{(output / INDEX).as_uri()}?mode=ro", uri=True)
    try:
        reader.execute("BEGIN")  # a long search: a read transaction held open
        count = "SELECT count(*) FROM search_articles"
        assert reader.execute(count).fetchall() == [(5,)]
        feed = write_feed(output, [article(20, WHEN, title="Banjir"), article(21, WHEN)])
        assert update(output, [feed]) == 2  # not "database is locked"
        assert reader.execute(count).fetchall() == [(5,)], "its snapshot"
        reader.execute("COMMIT")
        assert reader.execute(count).fetchall() == [(7,)]
    finally:
        reader.close()
    assert [hit.title for hit in search.search(output, "banjir")] == ["Banjir"]


def test_an_article_exported_again_replaces_its_row(output: Path) -> None:
    feed = write_feed(output, [article(1, WHEN, title="Harga saham bank turun")])
    assert update(output, [feed]) == 1
    titles = [hit.title for hit in search.search(output, "bank")]
    assert "Harga saham bank turun" in titles and "Harga saham bank naik" not in titles
    assert len(titles) == 2


def test_make_dataset_refuses_a_search_index_linked_elsewhere(tmp_path: Path) -> None:
    """SQLite opens the index by path: a link there is refused before anything is written."""
    output, outside = tmp_path / "output", tmp_path / "outside"
    write_feed(output, [article(1, WHEN)])
    outside.mkdir()
    (outside / "precious.txt").write_bytes(b"precious")
    (output / INDEX).symlink_to(outside / "precious.txt")
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.dataset", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"{output / INDEX} is a symbolic link" in done.stderr
    assert (outside / "precious.txt").read_bytes() == b"precious"
    assert not (output / "newscrawl.duckdb").exists(), "nothing written"
