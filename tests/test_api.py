"""newscrawl from Python (issue 23, "Install and use from Python"), in the checkout:
``newscrawl.crawl()`` again and again in one process through the replay proxy, with and without
the state; its errors; ``newscrawl.extract()`` and
``newscrawl extract`` (a site's page, a generic page, a URL fetched through the proxy, pages
that give no article, bad input); ``newscrawl.dataset()`` in WIB; the examples of
docs/python.md. The installed package (and a script without a main guard) is tested in
test_install.py.

The crawls run with a settings module of the user's own (``SCRAPY_SETTINGS_MODULE``, as
docs/python.md shows) whose output folder is a temporary one: the project's output/ is never
touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

import newscrawl
from newscrawl import api
from newscrawl.project import settings_module
from tests.replay import ReplayProxy
from tests.support import (
    FIXTURES,
    ROOT,
    assert_expected_item,
    assert_items_match,
    expected,
    final_page,
    manifest,
    notes,
    project_sites,
    validate,
)

SEED = notes()["seed_article"]
SEED_URL = expected()[SEED]["url"]
#: What generic pages are compared on (tests/fixtures/anysite/README.md).
GENERIC_FIELDS = ("url", "site", "title", "authors", "published_at", "dateline", "body", "tags",
                  "image_url")  # fmt: skip
#: A test's crawls: quick and quiet.
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "INFO"}


def anysite_expected() -> dict[str, dict[str, Any]]:
    lines = (FIXTURES / "anysite" / "expected.jsonl").read_text("utf-8").splitlines()
    return {item["url"]: item for item in map(json.loads, filter(str.strip, lines))}


def fixture_file(site: str, url: str) -> Path:
    return FIXTURES / site / "site" / manifest(site)[url]["file"]


#: An article of the generated sites that is on one page; one split over pages.
GENERIC_URL = next(url for url in sorted(anysite_expected()) if "7660126" in url)
SPLIT_URL = next(url for url in sorted(anysite_expected()) if "7660715" in url)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A settings module of the user's (``from newscrawl.settings import *``) naming its own
    output folder, in ``SCRAPY_SETTINGS_MODULE``; the output folder."""
    folder = tmp_path_factory.mktemp("project")
    output = folder / "output"
    (folder / "api_test_settings.py").write_text(
        f"from newscrawl.settings import *\nNEWSCRAWL_OUTPUT_DIR = {str(output)!r}\n", "utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCRAPY_SETTINGS_MODULE", "api_test_settings")
        patch.setenv("PYTHONPATH", str(folder))
        patch.syspath_prepend(str(folder))
        yield output


@pytest.fixture(scope="module")
def runs(
    project: Path, site_proxies: Callable[[str], ReplayProxy]
) -> dict[str, list[dict[str, Any]]]:
    """In this one process: a crawl without the state, two with it, one more without."""
    proxy = site_proxies("bisnis")
    got: dict[str, list[dict[str, Any]]] = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in proxy.env().items():
            patch.setenv(name, value)

        def crawl(state: bool) -> list[dict[str, Any]]:
            return list(
                newscrawl.crawl(
                    "bisnis", state=state, settings=FAST, start_urls=[SEED_URL], browser="never"
                )
            )

        got["first"] = crawl(False)
        got["touched_before_state"] = [{"exists": project.exists()}]
        got["state_first"] = crawl(True)
        got["state_second"] = crawl(True)
        got["after_state"] = crawl(False)
    return got


def test_crawl_twice_in_one_process_yields_the_items_both_times(runs: Any) -> None:
    """Without the state, before and after the runs with it (which remember the article)."""
    assert_items_match("bisnis", runs["first"], {SEED})
    assert_items_match("bisnis", runs["after_state"], {SEED})


def test_crawl_without_state_touches_no_output_folder(runs: Any) -> None:
    assert runs["touched_before_state"] == [{"exists": False}]


def test_crawl_with_state_is_a_cron_run_of_the_output_folder(runs: Any, project: Path) -> None:
    assert_items_match("bisnis", runs["state_first"], {SEED})
    assert runs["state_second"] == []  # exported by the first: remembered
    assert (project / "bisnis" / "state.sqlite3").exists()
    feeds = list((project / "bisnis").glob("*/*.jsonl"))
    assert [json.loads(feeds[0].read_text("utf-8"))["article_id"]] == [SEED]
    assert len(list((project / "bisnis" / "runs").glob("*.json"))) == 2


def test_a_failed_crawl_raises_with_its_status_and_error_line(project: Path) -> None:
    with pytest.raises(newscrawl.CrawlError) as failed:
        list(newscrawl.crawl("bisnis", since=date(2025, 11, 21), until="2025-11-20"))
    assert failed.value.status == 2
    assert len(failed.value.errors) == 1 and "since" in failed.value.errors[0]
    assert "exited with status 2" in str(failed.value)
    with pytest.raises(newscrawl.CrawlError, match=r"Spider not found|nope"):
        list(newscrawl.crawl("nope"))


def test_crawl_refuses_an_output_folder_without_state(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="state=True"):
        newscrawl.crawl("bisnis", output_dir=tmp_path)


def test_crawl_arguments_are_written_as_the_command_line_takes_them(tmp_path: Path) -> None:
    command = api.crawl_command(
        "bisnis",
        {"since": date(2025, 11, 20), "channels": [194, 43], "backfill": True},
        tmp_path / "f.jsonl",
        tmp_path / "out",
        {"LOG_LEVEL": "WARNING"},
    )
    assert command[1:] == [
        "-m", "newscrawl", "crawl", "bisnis", "-O", str(tmp_path / "f.jsonl"),
        "-a", "since=2025-11-20", "-a", "channels=194,43", "-a", "backfill=1",
        "-s", "LOG_LEVEL=WARNING", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path / 'out'}",
    ]  # fmt: skip


def test_the_settings_module_is_found_as_scrapy_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SCRAPY_SETTINGS_MODULE``, else the closest scrapy.cfg's, else newscrawl.settings."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.scrapy.cfg of the machine's
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    outside = tmp_path / "a" / "b"
    outside.mkdir(parents=True)
    monkeypatch.chdir(outside)
    assert settings_module({}) == "newscrawl.settings"
    (tmp_path / "a" / "scrapy.cfg").write_text("[settings]\ndefault = theirs.settings\n")
    assert settings_module({}) == "theirs.settings"
    assert settings_module({"SCRAPY_SETTINGS_MODULE": "mine"}) == "mine"


def test_crawl_environment_names_the_settings_module_only_when_none_is() -> None:
    assert api.crawl_environment({})["SCRAPY_SETTINGS_MODULE"] == "newscrawl.settings"
    env = api.crawl_environment({"SCRAPY_SETTINGS_MODULE": "mine.settings", "PYTHONPATH": "/x"})
    assert env["SCRAPY_SETTINGS_MODULE"] == "mine.settings"
    assert env["PYTHONPATH"].split(os.pathsep) == [str(ROOT), "/x"]  # this checkout first


# -- extract ------------------------------------------------------------------------------------


@pytest.mark.parametrize("article", sorted(expected()))
def test_extract_gives_the_expected_item_of_a_site_page(article: str) -> None:
    """Every reference article, from the page a crawl reads it on (its whole text when the
    site module finds it split)."""
    url = expected()[article]["url"]
    page = final_page(url, "bisnis", project_sites()["bisnis"].article_layouts)
    html = page.response.body
    item = newscrawl.extract(html, page.response.url)
    assert_expected_item(item, expected()[article])
    validate(item)


def test_extract_reads_an_unknown_site_with_the_generic_reader() -> None:
    html = fixture_file("anysite", GENERIC_URL).read_text("utf-8")
    item = newscrawl.extract(html, GENERIC_URL)
    want = anysite_expected()[GENERIC_URL]
    assert {name: item[name] for name in GENERIC_FIELDS} == {n: want[n] for n in GENERIC_FIELDS}
    validate(item)


def test_extract_keeps_a_generic_pages_own_offset() -> None:
    """As ``news`` exports it: a time in the page's own offset is no reason to refuse a
    generic page (a site module's times must be WIB)."""
    html = fixture_file("anysite", GENERIC_URL).read_text("utf-8")
    want = anysite_expected()[GENERIC_URL]["published_at"]
    shifted = html.replace(want, want.replace("+07:00", "+02:00"))
    assert shifted != html
    item = newscrawl.extract(shifted, GENERIC_URL)
    assert item["published_at"] is not None and item["published_at"].endswith("+02:00")


@pytest.mark.parametrize(
    ("site", "url", "why"),
    [
        ("bisnis", "https://market.bisnis.com/", "not an article URL of bisnis.com"),
        ("anysite", "https://www.arusdaerah.id/", "not an article page"),
    ],
)
def test_extract_of_a_page_with_no_article(site: str, url: str, why: str) -> None:
    with pytest.raises(newscrawl.NotAnArticle, match=why):
        newscrawl.extract(fixture_file(site, url).read_bytes(), url)


def test_extract_reads_a_short_page_at_an_article_url_as_the_crawl_reads_a_given_one() -> None:
    """No article markup and little prose: at a URL shaped like an article's, a body of two
    sentences is an article (as ``crawl news`` reads such a start URL); elsewhere it is not."""
    html = (
        "<html><head><title>Rates held</title></head><body><h1>Rates held</h1><div class='text'>"
        "<p>The central bank held its rates on Thursday, as economists had expected.</p>"
        "<p>It said it would watch prices closely before it moved again.</p></div></body></html>"
    )
    item = newscrawl.extract(html, "https://www.example.com/2024/05/02/rates-held-by-the-bank")
    assert item["title"] == "Rates held" and item["published_at"] == "2024-05-02"
    assert item["body"].startswith("The central bank held its rates on Thursday")
    with pytest.raises(newscrawl.NotAnArticle, match="not an article page"):
        newscrawl.extract(html, "https://www.example.com/ekonomi")


def test_extract_reads_a_one_paragraph_post_among_boxes_as_the_crawl_does() -> None:
    """As ``crawl news`` reads a start URL that gives no body: again, for a paragraph alone
    (tests/test_reading_as_article.py has the page's story)."""
    from tests.test_reading_as_article import one_paragraph_post

    item = newscrawl.extract(one_paragraph_post(), "https://www.example.com/2024/05/02/tax-rate")
    assert "the richest fifth of households" in item["body"]


def test_extract_names_a_missing_field() -> None:
    """A page the validation pipeline would drop: no publication time anywhere."""
    html = fixture_file("bisnis", SEED_URL).read_text("utf-8")
    for marker in ("article:published_time", "publishdate"):
        html = html.replace(marker, "x-gone")
    html = re.sub(r"\d{1,2} \w+ (19|20)\d\d", "", html)  # the visible date
    with pytest.raises(newscrawl.NotAnArticle, match="missing published_at"):
        newscrawl.extract(html, SEED_URL)


def test_extract_refuses_a_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="not an http"):
        newscrawl.extract("<html></html>", "file:///etc/passwd")


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m newscrawl ARGS`` from ``cwd`` (this checkout on the path)."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "newscrawl", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_extract_of_a_file(tmp_path: Path, project: Path) -> None:
    """Prints one JSON object; with no --url the page's canonical link names it; nothing is
    written (neither under the output folder nor the current one)."""
    url = expected()[SEED]["url"]
    before = tree(project)
    for extra in (["--url", url], []):
        done = cli("extract", str(fixture_file("bisnis", url)), *extra, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("\n") == 1
        assert_expected_item(json.loads(done.stdout), expected()[SEED])
    assert list(tmp_path.iterdir()) == []
    assert tree(project) == before


def tree(folder: Path) -> dict[str, float]:
    """Every file under ``folder`` with its modification time."""
    return (
        {str(path): path.stat().st_mtime for path in folder.rglob("*")} if folder.exists() else {}
    )


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["extract", "FIXTURE:https://www.arusdaerah.id/"], 1, "not an article page"),
        (["extract", "no-such-file.html", "--url", GENERIC_URL], 2, "cannot read no-such-file"),
        (["extract", "ftp://example.com/a"], 2, "not an http(s) URL"),
        (["extract", "PLAIN"], 2, "give --url URL"),
        (["extract", "https://www.arusdaerah.id/x", "--url", GENERIC_URL], 2, "--url names"),
    ],
)
def test_cli_extract_fails_with_one_line(
    tmp_path: Path, args: list[str], status: int, message: str
) -> None:
    plain = tmp_path / "plain.html"
    plain.write_text("<html><body><p>no URL here</p></body></html>", "utf-8")
    listing = "https://www.arusdaerah.id/"
    resolved = []
    for arg in args:
        if arg.startswith("FIXTURE:"):
            resolved += [str(fixture_file("anysite", listing)), "--url", listing]
        else:
            resolved.append(str(plain) if arg == "PLAIN" else arg)
    done = cli(*resolved, cwd=tmp_path)
    assert done.returncode == status, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


def test_cli_extract_of_a_url_through_the_proxy(
    tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    """Fetched through $https_proxy (the replay proxy, whose certificate is trusted), as the
    crawl asks for it: no tracking query; a 404 gives one line and exit 1."""
    proxy = site_proxies("bisnis")
    env = {**proxy.env(), "SSL_CERT_FILE": str(proxy.ca_cert_path)}
    done = cli("extract", SEED_URL + "?utm_source=x#top", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert_expected_item(json.loads(done.stdout), expected()[SEED])
    assert proxy.urls() == [SEED_URL]
    gone = next(url for url, entry in manifest("bisnis").items() if entry["status"] == 404)
    done = cli("extract", gone, cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "HTTP 404" in done.stderr


def test_extract_url_fetches_the_whole_text_of_a_split_article(
    monkeypatch: pytest.MonkeyPatch, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    proxy = site_proxies("anysite")
    for name, value in {**proxy.env(), "SSL_CERT_FILE": str(proxy.ca_cert_path)}.items():
        monkeypatch.setenv(name, value)
    item = newscrawl.extract_url(SPLIT_URL)
    want = anysite_expected()[SPLIT_URL]
    assert {name: item[name] for name in GENERIC_FIELDS} == {n: want[n] for n in GENERIC_FIELDS}
    assert proxy.urls() == [SPLIT_URL, SPLIT_URL + "?page=all"]


def test_extract_url_joins_a_split_article_without_whole_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_news import without_whole_text_links

    articles = without_whole_text_links(tmp_path / "site")
    url = next(u for u in articles if u in anysite_expected())
    with ReplayProxy(tmp_path / "site", lifetime=120) as proxy:
        for name, value in {**proxy.env(), "SSL_CERT_FILE": str(proxy.ca_cert_path)}.items():
            monkeypatch.setenv(name, value)
        item = newscrawl.extract_url(url)
        fetched = proxy.urls()
    want = anysite_expected()[url]
    assert {name: item[name] for name in GENERIC_FIELDS} == {n: want[n] for n in GENERIC_FIELDS}
    assert len(fetched) > 1 and not any("page=all" in u for u in fetched)


def test_extract_url_leaves_out_a_split_articles_page_that_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a crawl does (tests/test_news.py): page 2 answers 404, the article is the rest."""
    from tests.test_news import split_with_a_page_missing

    url, _ = split_with_a_page_missing(tmp_path)
    with ReplayProxy(tmp_path / "site", lifetime=120) as proxy:
        for name, value in {**proxy.env(), "SSL_CERT_FILE": str(proxy.ca_cert_path)}.items():
            monkeypatch.setenv(name, value)
        item = newscrawl.extract_url(url)
        fetched = proxy.urls()
    assert url + "/2" in fetched
    whole = anysite_expected()[url]["body"].split("\n\n")
    got = item["body"].split("\n\n")
    assert got[0] == whole[0] and len(got) < len(whole)
    assert [line for line in whole if line in got] == got


# -- dataset ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(runs: Any, project: Path) -> Path:
    """The dataset (and search index) of the output folder the crawls with the state wrote, as
    ``make dataset`` builds it."""
    from newscrawl.dataset import build

    build(project)
    return project


def test_dataset_is_read_only_and_in_wib(built: Path) -> None:
    with newscrawl.dataset() as db:
        assert db.execute("SELECT current_setting('TimeZone')").fetchone() == ("Asia/Jakarta",)
        [(count,)] = db.execute("SELECT count(*) FROM articles").fetchall()
        assert count == 1
        # a UTC instant late in the evening is the next day in WIB
        day = db.execute("SELECT (TIMESTAMPTZ '2025-11-20 17:30:00+00')::DATE").fetchone()
        assert day == (date(2025, 11, 21),)
        with pytest.raises(duckdb.Error, match="read-only"):
            db.execute("CREATE TABLE scratch (x INTEGER)")


def test_cli_search_is_newscrawl_search(built: Path, tmp_path: Path) -> None:
    done = cli("search", "Kim Jong-un", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["url"] for line in done.stdout.splitlines()] == [SEED_URL]


def test_dataset_without_a_database_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make dataset"):
        newscrawl.dataset(tmp_path)


def test_dataset_is_the_module_and_the_function() -> None:
    """``newscrawl.dataset`` stays the module ``make dataset`` runs, and is callable."""
    from newscrawl.dataset import build

    assert newscrawl.dataset.build is build
    assert callable(newscrawl.dataset)


def test_importing_newscrawl_stays_cheap() -> None:
    heavy = "('scrapy', 'duckdb', 'twisted', 'lxml')"
    code = f"import sys, newscrawl; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# -- docs/python.md -----------------------------------------------------------------------------


def test_the_examples_of_docs_python_md_run(
    tmp_path: Path, site_proxies: Callable[[str], ReplayProxy]
) -> None:
    """Every ```python block of docs/python.md, in order, as one script run from the checkout,
    through the replay proxy, with a settings module of the user's naming a temporary output
    folder; then ``make dataset`` (``python -m newscrawl.dataset``) and the blocks from the one
    that opens the dataset on (after ``import newscrawl``)."""
    text = (ROOT / "docs" / "python.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    opens = next(n for n, block in enumerate(blocks) if "newscrawl.dataset()" in block)
    (tmp_path / "docs_settings.py").write_text(
        "from newscrawl.settings import *\n"
        f"NEWSCRAWL_OUTPUT_DIR = {str(tmp_path / 'output')!r}\n"
        "AUTOTHROTTLE_ENABLED = False\nDOWNLOAD_DELAY = 0\n",
        "utf-8",
    )
    proxy = site_proxies("bisnis")
    env = {
        **os.environ,
        **proxy.env(),
        "SSL_CERT_FILE": str(proxy.ca_cert_path),
        "SCRAPY_SETTINGS_MODULE": "docs_settings",
        "PYTHONPATH": os.pathsep.join((str(ROOT), str(tmp_path))),
    }

    def run(*command: str) -> str:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    first = tmp_path / "first.py"
    first.write_text("\n".join(blocks[:opens]), "utf-8")
    printed = run(sys.executable, str(first))
    assert "Naik Kereta Api Pribadi, Kim Jong-un Temui Putin" in printed
    assert "since='2025-02-30' is not a date" in printed
    run(sys.executable, "-m", "newscrawl.dataset")
    then = tmp_path / "then.py"
    then.write_text("\n".join(["import newscrawl", *blocks[opens:]]), "utf-8")
    printed = run(sys.executable, str(then))
    assert "Asia/Jakarta" in printed and "bisnis.com" in printed
