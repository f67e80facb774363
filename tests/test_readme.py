"""The README's commands run as written on a fresh clone, and every local link of the README and
docs/*.md leads somewhere.

Each fenced ``sh`` command of README.md is run when that is cheap and harmless (``make``
targets as dry runs, ``newscrawl extract``, ``newscrawl.search`` on a small dataset, a couple
of crawls through the replay proxy with the output folder moved to a temporary one), and
checked otherwise: a known program of the virtualenv (never a bare ``scrapy`` or ``python``,
which are not on the PATH of a fresh clone), an existing spider, arguments the spider accepts
(newscrawl/arguments.py, the same check as ``scrapy crawl``'s), files that exist, no unquoted
``&`` or ``;`` (a URL with a query must be quoted). Every ``sql`` block runs in DuckDB and every
``python`` block in Python, against a small dataset built here from feeds (as a run leaves
them), and each SQL statement returns rows.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scrapy.settings import Settings

from newscrawl.commands.crawl import refused_options
from newscrawl.dataset import DATABASE, build
from newscrawl.spiderloader import SiteSpiderLoader
from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import ROOT, crawl_command, run_scrapy

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
#: The programs a README command may start: the virtualenv's (``make setup`` makes it, ``pip
#: install .`` adds ``newscrawl``), and make.
PROGRAMS = {
    "make",
    ".venv/bin/scrapy",
    ".venv/bin/python",
    ".venv/bin/pip",
    ".venv/bin/newscrawl",
    ".venv/bin/duckdb",
}
#: README crawls run through the replay proxy: those of the reference days (the fixtures).
REFERENCE_DAYS = ("2025-11-20", "2025-11-21")
#: How many of them are run (each takes seconds); the others are checked only.
CRAWLS_RUN = 2
#: The words of the small dataset's articles (so that the README's searches find some).
WORDS = "harga saham kata kunci pasar modal bursa rupiah"


def fenced(path: Path, language: str) -> list[str]:
    """The fenced blocks of ``language`` in ``path``, in order."""
    text = path.read_text("utf-8")
    return re.findall(rf"^```{language}[ \t]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def shell_lines(block: str) -> list[str]:
    """A shell block's commands, one a line (continuation lines joined)."""
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def words(line: str) -> list[str]:
    """The command's words, as the shell splits them, comments left out."""
    return shlex.split(line, comments=True)


def operators(line: str) -> list[str]:
    """Shell control operators outside quotes (``&``, ``;``, ``|``, ``>``...)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.commenters = "#"
    lexer.whitespace_split = True
    return [token for token in lexer if token and set(token) <= set("&;|<>()")]


def readme_commands() -> list[tuple[str, list[str]]]:
    commands = []
    for block in fenced(README, "sh"):
        for line in shell_lines(block):
            argv = words(line)
            if argv:
                commands.append((line, argv))
    return commands + inline_commands()


def inline_commands() -> list[tuple[str, list[str]]]:
    """The commands the README's prose shows in code spans (outside fenced blocks) to be run:
    a ``make`` target, or a program of the virtualenv with its arguments."""
    text = re.sub(r"^```.*?^```", "", README.read_text("utf-8"), flags=re.MULTILINE | re.DOTALL)
    commands = []
    for span in re.findall(r"`([^`\n]+)`", text):
        argv = words(span)
        if not argv:
            continue
        if argv[:1] == ["make"] or (argv[0].startswith(".venv/bin/") and len(argv) >= 3):
            commands.append((span, argv))
    return commands


def program(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """``VAR=value ... program args``: the environment assignments, and the command."""
    env = {}
    while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
        name, _, value = argv[0].partition("=")
        env[name] = value
        argv = argv[1:]
    return env, argv


@cache
def spider_loader() -> SiteSpiderLoader:
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    return SiteSpiderLoader.from_settings(settings)


def crawl_options(argv: list[str]) -> tuple[str, dict[str, str], list[str], list[str]]:
    """``SPIDER [-a N=V] [-O F] [-o F] [-s N=V]`` -> spider, arguments, feeds, settings."""
    spider, rest = argv[0], argv[1:]
    arguments: dict[str, str] = {}
    feeds: list[str] = []
    settings: list[str] = []
    while rest:
        option, value, rest = rest[0], rest[1] if len(rest) > 1 else "", rest[2:]
        if option == "-a":
            name, _, arg = value.partition("=")
            arguments[name] = arg
        elif option in ("-O", "-o"):
            feeds.append(value)
        elif option == "-s":
            settings.append(value)
        else:
            raise AssertionError(f"an option the test does not know: {option} {value}")
    return spider, arguments, feeds, settings


def check_crawl(argv: list[str]) -> None:
    """What ``scrapy crawl`` checks before its first request, and that the files exist."""
    spider, arguments, feeds, _ = crawl_options(argv)
    assert spider in spider_loader().list(), f"no spider {spider}"
    spider_class = spider_loader().load(spider)
    plan = spider_class.read_plan(arguments)  # ArgumentError: exit 2 for the user
    settings = Settings({"FEEDS": {feed: {} for feed in feeds}})
    assert refused_options(plan, settings) is None, refused_options(plan, settings)
    for feed in feeds:
        assert (ROOT / feed).parent.is_dir(), f"-O {feed}: no such folder"


def check_extract(argv: list[str]) -> list[str]:
    """``extract URL|FILE [--url URL]``: a URL is http(s), a FILE exists."""
    args = [arg for arg in argv if not arg.startswith("--")]
    source = args[0]
    if re.match(r"https?://", source):
        assert "--url" not in argv
    else:
        assert (ROOT / source).is_file(), f"extract {source}: no such file on a fresh clone"
    return argv


def is_reference_crawl(argv: list[str]) -> bool:
    if argv[:1] != ["crawl"] or len(argv) < 2 or argv[1] not in ("bisnis", "kompas"):
        return False
    _, arguments, feeds, _ = crawl_options(argv[1:])
    return arguments.get("since") in REFERENCE_DAYS and not feeds


# -- the small dataset ----------------------------------------------------------------------------


def article(n: int, site: str, published_at: str, body: str) -> dict[str, Any]:
    """An item as a feed line has it."""
    return {
        "url": f"https://www.{site}/read/{n}", "article_id": str(n), "site": site,
        "section": "ekonomi", "category": None, "title": f"Harga saham naik, berita {n}",
        "lead": None, "authors": ["Ani Rahma", "Budi"], "editor": None,
        "published_at": published_at, "updated_at": None, "dateline": "JAKARTA", "body": body,
        "image_url": None, "image_caption": None, "tags": ["saham"], "is_premium": False,
        "language": "id", "word_count": len(body.split()), "crawled_at": "2025-11-21T00:00:00Z",
    }  # fmt: skip


def write_feed(output: Path, spider: str, items: list[dict[str, Any]]) -> None:
    """A published feed under ``output/<spider>``, as a run leaves it (the feed, and its
    ``published`` row in the spider's state)."""
    feed = output / spider / "2025-11-21" / "100000.jsonl"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text("".join(json.dumps(item) + "\n" for item in items), "utf-8")
    state = sqlite3.connect(output / spider / "state.sqlite3")
    try:
        state.execute("CREATE TABLE IF NOT EXISTS feeds (feed TEXT PRIMARY KEY, published INT)")
        state.execute("INSERT INTO feeds VALUES (?, 1)", (feed.relative_to(output).as_posix(),))
        state.commit()
    finally:
        state.close()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sites, two WIB days, the same story on both sites: the dataset and search index
    ``make dataset`` builds from their feeds."""
    output = tmp_path_factory.mktemp("readme") / "output"
    story = f"Cerita yang sama di dua situs tentang {WORDS}. " * 12
    for site, first in (("bisnis.com", 1000), ("kompas.com", 2000)):
        items = [
            article(first + n, site, f"2025-11-{20 + n % 2}T{8 + n:02d}:15:00+07:00",
                    f"Isi berita {site} nomor {n} tentang {WORDS} hari ini. " * (5 + n))
            for n in range(6)
        ]  # fmt: skip
        items.append(article(first + 99, site, "2025-11-21T00:30:00+07:00", story))
        write_feed(output, site.split(".")[0], items)
    build(output)
    assert (output / DATABASE).is_file()
    return output


# -- the tests ------------------------------------------------------------------------------------


def test_the_readme_shows_commands_sql_and_python() -> None:
    assert readme_commands(), "no sh block"
    assert fenced(README, "sql") and fenced(README, "python")


@pytest.mark.parametrize(("line", "argv"), readme_commands(), ids=lambda v: str(v)[:60])
def test_each_readme_command_is_one_a_fresh_clone_can_run(line: str, argv: list[str]) -> None:
    assert not operators(line), f"unquoted shell operator in: {line}"
    _, command = program(argv)
    assert command, line
    assert command[0] in PROGRAMS, (
        f"{command[0]!r} is not on the PATH of a fresh clone (use .venv/bin/...): {line}"
    )
    if command[0] == "make":
        targets = [word for word in command[1:] if "=" not in word and not word.startswith("-")]
        assert targets, line
        done = subprocess.run(
            ["make", "-n", "-o", "setup", "-o", "setup-dev", *command[1:]],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    elif command[0] == ".venv/bin/pip":
        assert command[1] == "install", line
        for flag, value in itertools.pairwise(command):
            if flag in ("-c", "-r"):
                assert (ROOT / value).is_file(), f"{flag} {value}: no such file"
        assert (ROOT / "pyproject.toml").is_file() and command[-1] == "."
    else:
        if command[0] == ".venv/bin/python":
            assert command[1] == "-m" and command[2] in ("newscrawl", "newscrawl.search"), line
            sub = command[3:] if command[2] == "newscrawl" else ["search", *command[3:]]
        elif command[0] == ".venv/bin/newscrawl":
            sub = command[1:]
        elif command[0] == ".venv/bin/duckdb":
            assert command[-1].endswith(".duckdb"), line
            return
        else:  # .venv/bin/scrapy
            assert command[1] == "crawl", f"only crawls are shown: {line}"
            sub = command[1:]
        if sub[0] == "crawl":
            check_crawl(sub[1:])
        elif sub[0] == "extract":
            check_extract(sub[1:])
        else:
            assert sub[0] == "search" and len(sub) > 1, line


def run_newscrawl(
    argv: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscrawl", *argv], cwd=ROOT,
        env={**os.environ, **OFFLINE_ENV, **(env or {})},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def tool_commands() -> Iterator[list[str]]:
    """The README's ``newscrawl``/``python -m newscrawl[.search]`` commands, as subcommands."""
    for _, argv in readme_commands():
        _, command = program(argv)
        if command[:1] == [".venv/bin/newscrawl"]:
            yield command[1:]
        elif command[:3] == [".venv/bin/python", "-m", "newscrawl"]:
            yield command[3:]
        elif command[:3] == [".venv/bin/python", "-m", "newscrawl.search"]:
            yield ["search", *command[3:]]


def test_the_readme_searches_run_on_a_dataset(dataset: Path) -> None:
    searches = [argv for argv in tool_commands() if argv[0] == "search"]
    assert searches
    for argv in searches:
        done = run_newscrawl([*argv, "--output", str(dataset)])
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        assert done.stdout.strip(), argv


def test_the_readme_extracts_run(bisnis_proxy: ReplayProxy) -> None:
    """A saved page as it is; a URL through the replay proxy (its certificate trusted)."""
    extracts = [argv for argv in tool_commands() if argv[0] == "extract"]
    assert extracts
    env = {**bisnis_proxy.env(), "SSL_CERT_FILE": str(bisnis_proxy.ca_cert_path)}
    for argv in extracts:
        done = run_newscrawl(argv, env)
        assert done.returncode == 0, (argv, done.stderr[-2000:])
        item = json.loads(done.stdout)
        assert item["title"] and item["body"], argv


def test_a_couple_of_readme_crawls_run_as_written(
    site_proxies: Callable[[str], ReplayProxy], tmp_path: Path
) -> None:
    """Against the replayed site, the output folder moved to a temporary one."""
    crawls = []
    for _, argv in readme_commands():
        _, command = program(argv)
        sub = command[1:] if command[0] in (".venv/bin/scrapy", ".venv/bin/newscrawl") else []
        if is_reference_crawl(sub):
            crawls.append(sub[1:])
    assert crawls, "no crawl of the reference days in the README"
    by_spider = {argv[0]: argv for argv in crawls}  # one per spider first
    chosen = [*by_spider.values(), *(argv for argv in crawls if argv not in by_spider.values())]
    for number, argv in enumerate(chosen[:CRAWLS_RUN]):
        spider, arguments, _, settings = crawl_options(argv)
        output = tmp_path / str(number)
        command = [*crawl_command(spider, arguments, output), *settings]
        proxy = site_proxies(spider)
        done = run_scrapy(command, {**os.environ, **proxy.env(), **OFFLINE_ENV}, timeout=300)
        assert done.returncode == 0, (argv, done.stderr[-3000:])
        assert list(output.glob(f"{spider}/*/*.jsonl")), f"{argv}: no feed"


def statements(block: str) -> list[str]:
    return [part.strip() for part in re.split(r";\s*(?:\n|$)", block) if part.strip()]


def test_the_readme_sql_runs_and_returns_rows(dataset: Path) -> None:
    """In DuckDB's default session (UTC), as the CLI opens the database."""
    database = duckdb.connect(str(dataset / DATABASE), read_only=True)
    try:
        for block in fenced(README, "sql"):
            for statement in statements(block):
                rows = database.execute(statement).fetchall()
                assert rows, f"no rows: {statement}"
    finally:
        database.close()


def test_the_readme_python_runs(
    dataset: Path,
    bisnis_proxy: ReplayProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each block in a namespace of its own, as in a fresh interpreter; a crawl goes through
    the replay proxy, the dataset is the small one."""
    import newscrawl.settings

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(newscrawl.settings, "NEWSCRAWL_OUTPUT_DIR", str(dataset))
    for name, value in {**bisnis_proxy.env(), **OFFLINE_ENV}.items():
        monkeypatch.setenv(name, value)
    for number, block in enumerate(fenced(README, "python"), start=1):
        exec(compile(block, f"<README.md, python block {number}>", "exec"), {})
    assert capsys.readouterr().out.strip()


# -- links ----------------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text("utf-8"), flags=re.MULTILINE | re.DOTALL)
    return {slug(m) for m in re.findall(r"^#+\s+(.*)$", text, re.MULTILINE)}


def local_links(path: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text("utf-8"), flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_every_local_link_leads_somewhere(path: Path) -> None:
    broken = []
    for target in local_links(path):
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (
            anchor and linked.suffix == ".md" and anchor not in anchors(linked)
        ):
            broken.append(target)
    assert broken == [], f"{path.name}: broken links {broken}"


def security_section() -> str:
    text = README.read_text("utf-8")
    return text.split("\n## Security\n", 1)[1].split("\n## ", 1)[0]


#: How the README's security table writes the limits it names (a setting, then its value).
LIMITS = {
    "DOWNLOAD_TIMEOUT": (r"`DOWNLOAD_TIMEOUT` (\d+) s", 1),
    "RETRY_TIMES": (r"`RETRY_TIMES` (\d+)", 1),
    "NEWSCRAWL_RUN_DEADLINE": (r"`NEWSCRAWL_RUN_DEADLINE` (\d+) s", 1),
    "DOWNLOAD_MAXSIZE": (r"`DOWNLOAD_MAXSIZE` (\d+) MB", 1024 * 1024),
    "NEWSCRAWL_SITEMAP_DEPTH": (r"depth (\d+)", 1),
    "NEWSCRAWL_MAX_SITEMAPS": (r"(\d+) sitemaps a run", 1),
    "NEWSCRAWL_MAX_ARTICLE_PAGES": (r"(\d+) pages \|", 1),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_the_readme_security_limits_are_the_settings(name: str) -> None:
    """The limits the README's security section states are the ones a crawl applies."""
    pattern, unit = LIMITS[name]
    stated = re.search(pattern, security_section())
    assert stated, f"the README's security section states no {name}"
    settings = Settings()
    settings.setmodule("newscrawl.settings")
    assert int(stated.group(1)) * unit == settings.getint(name)


def test_the_readme_security_limits_of_archives_are_the_code_s() -> None:
    from newscrawl.archives import HEADER_LIMIT
    from newscrawl.safefetch import MAX_REDIRECTS

    section = security_section()
    assert f"{MAX_REDIRECTS} redirects" in section
    assert f"{HEADER_LIMIT // 1024} KB header lines" in section
