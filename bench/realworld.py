"""`make bench-realworld`: `scrapy crawl news` on real pages from real publishers, scored field
by field against what each page should give, beside trafilatura on the same HTML, in one run.

1. Loads the corpus (``tests/fixtures/realworld/``, see ``tests/realworld.py``): Fundus pages,
   Readability pages, htmldate's MediaCloud news pages and a sample of trafilatura's
   evaluation pages, each with its URL and expectations.
2. Serves every page at its URL through the replay proxy (``tests/replay.py``; gzipped, as a
   server would) and runs ``scrapy crawl news`` over each set's article URLs as a user would:
   one subprocess crawl per set (``-a urls_file=`` when the spider takes it, else
   ``-a start_urls=``, which cannot carry a URL with a comma: those pages are left out and
   counted). A page whose URL another page of the set already has (one article saved twice)
   goes into a second crawl. When a crawl over a set exits 2 with "File name too long" (its
   output folder joins every domain), the set is crawled again in parts whose domains fit,
   and that is said.
3. Reads what the runs published (their feeds under the output folder; items withheld as
   unhealthy, ``.rejected``, count as missing, and are reported apart) and scores each field
   per set; runs ``trafilatura.bare_extraction`` on the same HTML as the calibration.
4. Prints one table per set (newscrawl, newscrawl counting withheld items, trafilatura) and
   the timing (the crawls', trafilatura's, and the generic page's own cost an article on
   the fundus set: median and 95th percentile); ``--details FILE`` writes each page's
   scores (JSON lines) to find the worst.

Usage: python bench/realworld.py [--set fundus --set readability ...] [--limit N]
       [--details FILE] [--keep DIR] [--project CHECKOUT] [--in-process [--as-given]]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.pages.generic import registered_domain  # noqa: E402
from tests.realworld import (  # noqa: E402
    SETS,
    Page,
    _utf8,
    load,
    match_items,
    read_in_process,
    score,
    summary,
    write_replay_folder,
)
from tests.replay import OFFLINE_ENV, ReplayProxy, url_key  # noqa: E402

logger = logging.getLogger("bench.realworld")
#: Settings of every crawl: no throttling or delay (the pages are local), no Chromium, quiet.
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "TELNETCONSOLE_ENABLED": "False",
    "REMOTE_CONTROL_ENABLED": "False",
    "LOG_LEVEL": "INFO",
}
#: The longest joined domain list tried for one crawl's output folder once a whole set's was
#: refused as too long (a file name is at most 255 bytes).
FOLDER_NAME_BUDGET = 240
CRAWL_TIMEOUT = 900.0


@dataclass
class Crawl:
    """One ``scrapy crawl news`` subprocess and what it left."""

    label: str
    pages: list[Page]
    returncode: int = 0
    seconds: float = 0.0
    published: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    log: str = ""
    requests: int = 0
    unhealthy: list[str] = field(default_factory=list)
    #: Pages the crawl never got (no request for the page answered 200).
    unserved: list[Page] = field(default_factory=list)


def takes_urls_file(project: Path) -> bool:
    """Whether the project's ``scrapy crawl news`` takes ``-a urls_file=PATH`` (one URL a
    line)."""
    probe = "from newscrawl.spiders.news import GenericNewsSpider as S\n"
    probe += "print('urls_file' in S.argument_names)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True
    )
    return done.stdout.strip() == "True"


def describe(project: Path) -> str:
    """The project measured: its path, and its commit when it is a git checkout."""
    head = subprocess.run(
        ["git", "-C", str(project), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if head.returncode != 0 or Path(project, ".git").exists() is False:
        return str(project)
    dirty = subprocess.run(
        ["git", "-C", str(project), "status", "--porcelain", "--untracked-files=no", "newscrawl"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return f"{project} at {head.stdout.strip()}" + (" with uncommitted changes" if dirty else "")


def command(urls: Sequence[str], output: Path, urls_file: bool) -> list[str]:
    """The user's command line: the article URLs, no browser, this output folder."""
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "browser=never"]
    if urls_file:
        listing = output / "urls.txt"
        listing.write_text("".join(f"{url}\n" for url in urls), "utf-8")
        args += ["-a", f"urls_file={listing}"]
    else:
        args += ["-a", "start_urls=" + ",".join(urls)]
    for name, value in {**SETTINGS, "NEWSCRAWL_OUTPUT_DIR": str(output / "out")}.items():
        args += ["-s", f"{name}={value}"]
    return args


def feed_lines(folder: Path, pattern: str) -> list[dict[str, Any]]:
    items = []
    for path in sorted(folder.rglob(pattern)):
        if "runs" in path.relative_to(folder).parts:
            continue
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def run_crawl(label: str, pages: list[Page], work: Path, project: Path, urls_file: bool) -> Crawl:
    """Serve ``pages`` and crawl them in one subprocess."""
    folder = work / label
    folder.mkdir(parents=True)
    write_replay_folder(pages, folder / "replay")
    crawl = Crawl(label, pages)
    with ReplayProxy(folder / "replay", lifetime=CRAWL_TIMEOUT + 60) as proxy:
        started = time.monotonic()
        done = subprocess.run(
            command([page.url for page in pages], folder, urls_file),
            cwd=project,
            env={**os.environ, **proxy.env(), **OFFLINE_ENV},
            capture_output=True,
            text=True,
            timeout=CRAWL_TIMEOUT,
            check=False,
        )
        crawl.seconds = time.monotonic() - started
        crawl.requests = len(proxy.requests)
        served = {url_key(r.url) for r in proxy.requests if r.status == 200}
        entries = json.loads((folder / "replay" / "manifest.json").read_text("utf-8"))
        files = {url_key(entry["url"]): entry["file"] for entry in entries}
        got = {files[key] for key in served if key in files}
        crawl.unserved = [p for n, p in enumerate(pages) if f"{n:04d}.html.gz" not in got]
    crawl.returncode = done.returncode
    crawl.log = done.stderr
    (folder / "crawl.log").write_text(done.stderr, "utf-8")
    crawl.published = feed_lines(folder / "out", "*.jsonl")
    crawl.rejected = feed_lines(folder / "out", "*.jsonl.rejected")
    crawl.unhealthy = [
        line.split("Unhealthy run:", 1)[1].strip()
        for line in done.stderr.splitlines()
        if "Unhealthy run:" in line
    ]
    return crawl


def domain_parts(pages: Sequence[Page]) -> list[list[Page]]:
    """``pages`` in parts whose registered domains, joined by ``+``, fit a file name."""
    by_domain: dict[str, list[Page]] = {}
    for page in pages:
        by_domain.setdefault(registered_domain(page.url), []).append(page)
    parts: list[list[Page]] = [[]]
    length = 0
    for domain, group in by_domain.items():
        if parts[-1] and length + 1 + len(domain) > FOLDER_NAME_BUDGET:
            parts.append([])
            length = 0
        parts[-1].extend(group)
        length += len(domain) + (1 if length else 0)
    return parts


def crawl_set(
    name: str, pages: list[Page], work: Path, project: Path, urls_file: bool
) -> tuple[list[Crawl], list[str]]:
    """Crawl one set's pages: a second round for URLs saved twice; parts when the output
    folder's name is refused. Returns the crawls and notes for the reader."""
    rounds: list[list[Page]] = []
    for page in pages:
        key = url_key(page.url)
        for group in rounds:
            if all(url_key(other.url) != key for other in group):
                group.append(page)
                break
        else:
            rounds.append([page])
    crawls: list[Crawl] = []
    notes: list[str] = []
    for number, group in enumerate(rounds):
        label = f"{name}-{number}"
        crawl = run_crawl(label, group, work, project, urls_file)
        if crawl.returncode == 2 and "File name too long" in crawl.log:
            parts = domain_parts(group)
            notes.append(
                f"{name}: one crawl over its {len(group)} URLs exited 2 (File name too long: "
                f"the output folder joins every domain); crawled in {len(parts)} parts instead"
            )
            crawls.extend(
                run_crawl(f"{label}-{index}", part, work, project, urls_file)
                for index, part in enumerate(parts)
            )
        else:
            crawls.append(crawl)
    if len(rounds) > 1:
        notes.append(f"{name}: {len(rounds) - 1} more crawl(s) for pages saved twice at one URL")
    return crawls, notes


# -- trafilatura -------------------------------------------------------------------------------


def trafilatura_item(page: Page) -> dict[str, Any] | None:
    """What trafilatura 2 reads from the page (its defaults; comments out, tables in)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        page.html(),
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
    )
    if document is None:
        return None
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    authors = [name.strip() for name in (data.get("author") or "").split(";") if name.strip()]
    return {
        "url": page.url,
        "title": data.get("title"),
        "authors": authors,
        "published_at": data.get("date"),
        "body": data.get("text") or "",
        **({"language": data["language"]} if data.get("language") else {}),
    }


# -- the report ----------------------------------------------------------------------------


def percent(value: float | int | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def f1(value: float | int | None) -> str:
    return "–" if value is None else f"{value:.3f}"


COLUMNS = (
    ("pages", "pages", str),
    ("items %", "items", percent),
    ("title %", "title", percent),
    ("title soft %", "title_soft", percent),
    ("authors %", "authors", percent),
    ("date %", "date", percent),
    ("same day %", "date_day", percent),
    ("language %", "language", percent),
    ("body F1", "body_f1", f1),
    ("body F1 (items)", "body_f1_items", f1),
    ("snippet F1", "snippet_f1", f1),
    ("no item (non-articles) %", "no_item", percent),
)


def table(rows: Iterable[tuple[str, str, Mapping[str, Any]]]) -> str:
    head = "| set | reader | " + " | ".join(title for title, _, _ in COLUMNS) + " |"
    rule = "|---|---|" + "---:|" * len(COLUMNS)
    lines = [head, rule]
    for name, reader, figures in rows:
        cells = [show(figures.get(key)) for _, key, show in COLUMNS]
        lines.append(f"| {name} | {reader} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass
class Measured:
    """What newscrawl gave for a set's pages."""

    ours: dict[str, Mapping[str, Any]]
    withheld: dict[str, Mapping[str, Any]] | None
    timing: str
    notes: list[str]


def crawled(name: str, pages: list[Page], work: Path, project: Path, urls_file: bool) -> Measured:
    """``scrapy crawl news`` over the set's pages: published items, and those withheld."""
    asked = pages if urls_file else [p for p in pages if "," not in p.url]
    notes = []
    if len(asked) < len(pages):
        notes.append(
            f"{name}: {len(pages) - len(asked)} page(s) left out: their URL has a comma, which "
            "start_urls cannot carry (no urls_file yet); they count as missing"
        )
    crawls, crawl_notes = crawl_set(name, asked, work, project, urls_file)
    notes.extend(crawl_notes)
    ours: dict[str, Mapping[str, Any]] = {}
    withheld: dict[str, Mapping[str, Any]] = {}
    unmatched: list[Mapping[str, Any]] = []
    for crawl in crawls:  # an item is one of its own crawl's pages
        got, left = match_items(crawl.pages, crawl.published)
        ours.update(got)
        unmatched.extend(left)
        withheld.update(match_items(crawl.pages, crawl.published + crawl.rejected)[0])
    unhealthy = [crawl for crawl in crawls if crawl.unhealthy]
    if unhealthy:
        notes.append(
            f"{name}: {len(unhealthy)} of {len(crawls)} crawl(s) ended unhealthy, their items "
            f"withheld ({len(withheld) - len(ours)}), e.g. {unhealthy[0].unhealthy[0]!r}"
        )
    unserved = [page for crawl in crawls for page in crawl.unserved]
    if unserved:
        notes.append(
            f"{name}: {len(unserved)} page(s) never fetched (no request answered 200 at their "
            "URL: a start URL not asked for, or asked for in another form), e.g. "
            + ", ".join(page.url for page in unserved[:3])
        )
    failed = sorted({c.returncode for c in crawls if c.returncode not in (0, 3)})
    if failed:
        notes.append(f"{name}: crawl(s) exited {failed}: see --keep DIR for their logs")
    if unmatched:
        notes.append(
            f"{name}: {len(unmatched)} published item(s) match no page: "
            + ", ".join(str(item.get("url")) for item in unmatched[:3])
        )
    extra = sum(crawl.requests for crawl in crawls) - len(asked)
    seconds = sum(crawl.seconds for crawl in crawls)
    timing = (
        f"{name}: {len(crawls)} crawl(s) of {len(asked)} URLs in {seconds:.1f} s "
        f"({len(asked) / max(seconds, 1e-9):.1f} pages/s; {extra} requests besides the pages: "
        f"robots.txt and links followed), exits {sorted({c.returncode for c in crawls})}"
    )
    return Measured(ours, withheld, timing, notes)


def read_as_given(page: Page) -> dict[str, Any] | None:
    """The item of ``page`` read as the news spider reads a URL the user gave as an article
    (``read_generic(..., as_article=True)``: a page with an article's body is one, whatever
    its markup), then the shared promo rules; None when it gives none."""
    from dataclasses import asdict

    from scrapy.http import HtmlResponse

    from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs
    from newscrawl.pages.reading import read_generic

    # the encoding as the crawl gets it: the served charset, else the page's own <meta>
    headers = {"Content-Type": "text/html; charset=utf-8" if _utf8(page) else "text/html"}
    response = HtmlResponse(page.url, body=page.html(), headers=headers)
    reading = read_generic(page.url, response.body, response.encoding, frozenset(), as_article=True)
    if reading.item is None:
        return None
    item = asdict(reading.item)
    if item.get("body"):
        kept = filter_paragraphs(item["body"].split("\n\n"), SHARED_RULES).kept
        item["body"] = "\n\n".join(kept)
    return item


def in_process(name: str, pages: list[Page], as_given: bool = False) -> Measured:
    """The spider's reader on each page in this process (no crawl, no pipeline but the
    shared promo rules and the validation's required fields: an item without a title or a
    body is none, as the crawl drops it): quick feedback while working on the reader.
    ``as_given``: each page read as a URL the user gave as an article
    (:func:`read_as_given`)."""
    from newscrawl.items import REQUIRED_FIELDS

    started = time.monotonic()
    ours: dict[str, Mapping[str, Any]] = {}
    for page in pages:
        item = read_as_given(page) if as_given else read_in_process(page)
        required = (name for name in REQUIRED_FIELDS if name != "published_at")
        if item is not None and all(item.get(name) for name in required):
            ours[page.id] = item
    seconds = time.monotonic() - started
    timing = f"{name}: read in process, {1000 * seconds / max(len(pages), 1):.0f} ms a page"
    return Measured(ours, None, timing, [])


def page_timing(pages: Sequence[Page]) -> str:
    """What the generic page costs an article in this process: ``read_generic`` (parse, is
    it an article, its item: the spider's reading of a page, without the crawl) on each page
    of the set, once warmed up (lazy imports); its median and 95th percentile."""
    from newscrawl.pages.reading import read_generic

    bodies = [(page.url, page.html()) for page in pages]
    if not bodies:
        return "no pages"
    read_generic(*bodies[0], "utf-8", frozenset())  # warm-up: imports, caches
    costs = []
    for url, body in bodies:
        started = time.perf_counter()
        read_generic(url, body, "utf-8", frozenset())
        costs.append(1000 * (time.perf_counter() - started))
    costs.sort()
    median = costs[len(costs) // 2]
    p95 = costs[min(len(costs) - 1, math.ceil(0.95 * len(costs)) - 1)]
    return (
        f"the generic page (read_generic in process, {len(costs)} pages): "
        f"{median:.1f} ms an article median, {p95:.1f} ms p95, {max(costs):.0f} ms at most"
    )


def shown(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An item's fields as the details file shows them (the body as its length)."""
    if item is None:
        return None
    fields = ("url", "title", "authors", "published_at", "language")
    return {**{k: item.get(k) for k in fields}, "body_chars": len(item.get("body") or "")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set", action="append", choices=SETS, help="a set to run (repeat; default: all)"
    )
    parser.add_argument("--limit", type=int, default=0, help="at most N pages of each set")
    parser.add_argument("--details", type=Path, help="write each page's scores here (JSONL)")
    parser.add_argument("--keep", type=Path, help="keep the crawls' folders (logs, feeds) here")
    parser.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="the newscrawl checkout whose `scrapy crawl news` is measured (default: this "
        "one; e.g. a `git archive` of an older commit for a before/after)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="no crawl: the spider's page reader in this process (quick; no pipelines, no "
        "health check, so not what users receive)",
    )
    parser.add_argument(
        "--as-given",
        action="store_true",
        help="with --in-process: each page read as an article URL the user gave "
        "(read_generic's as_article: a page with an article's body is one, whatever its markup)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for name in ("replay", "trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)

    urls_file = False if args.in_process else takes_urls_file(args.project)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-realworld-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, Mapping[str, Any]]] = []
    details: list[dict[str, Any]] = []
    notes: list[str] = []
    timing: list[str] = []
    started = time.monotonic()
    ours_name = "newscrawl (in process)" if args.in_process else "newscrawl"
    if args.in_process and args.as_given:
        ours_name = "newscrawl (in process, as given)"
    try:
        for name in args.set or SETS:
            pages = load(sets=(name,))[: args.limit or None]
            if args.in_process:
                measured = in_process(name, pages, args.as_given)
            else:
                measured = crawled(name, pages, work, args.project, urls_file)
            notes.extend(measured.notes)
            traf_started = time.monotonic()
            theirs = {page.id: trafilatura_item(page) for page in pages}
            traf_ms = 1000 * (time.monotonic() - traf_started) / max(len(pages), 1)
            timing.append(f"{measured.timing}; trafilatura {traf_ms:.0f} ms a page")
            scored: dict[str, list[dict[str, Any]]] = {ours_name: [], "trafilatura": []}
            if measured.withheld is not None:
                scored["newscrawl + withheld"] = []
            for page in pages:
                mine = score(page, measured.ours.get(page.id))
                theirs_scores = score(page, theirs[page.id])
                scored[ours_name].append(mine)
                scored["trafilatura"].append(theirs_scores)
                row = {**mine, "got": shown(measured.ours.get(page.id))}
                if measured.withheld is not None:
                    held = measured.withheld.get(page.id)
                    scored["newscrawl + withheld"].append(score(page, held))
                    row["withheld"] = page.id not in measured.ours and held is not None
                row["trafilatura"] = {
                    k: v for k, v in theirs_scores.items() if k not in ("id", "set", "url")
                }
                details.append(row)
            if name == "fundus":
                timing.append(f"{name}: {page_timing(pages)}")
            for reader in (ours_name, "newscrawl + withheld", "trafilatura"):
                if reader in scored:
                    rows.append((f"{name} ({len(pages)})", reader, summary(scored[reader])))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    what = (
        "The news spider's page reader in process"
        if args.in_process
        else "`scrapy crawl news` on real pages, published items only (withheld ones counted apart)"
    )
    out = [
        f"{what}, beside trafilatura {trafilatura_version()} on the same HTML:",
        "",
        table(rows),
        "",
        *(f"- {line}" for line in timing),
        f"- whole run: {time.monotonic() - started:.0f} s; crawler: {describe(args.project)}",
        *(f"- note: {line}" for line in notes),
    ]
    sys.stdout.write("\n".join(out) + "\n")
    if args.details:
        args.details.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in details), "utf-8"
        )
    return 0


def trafilatura_version() -> str:
    from importlib.metadata import version

    return version("trafilatura")


if __name__ == "__main__":
    raise SystemExit(main())
