#!/usr/bin/env python
"""Mutants made by hand, of what mutmut leaves alone: month tables, bounds, tracking
parameters, failure classes, regex anchors, separators (module-level tables and patterns,
``lru_cache`` functions), and a few slips a refactor makes in code. Each is applied to a
scratch copy of the working tree (``$TMPDIR/newscrawl-hand-mutants``; nothing in the
repository is touched), the module's fast unit tests run (the same files as
``scripts/mutation.py``), and the mutant is *caught* when they fail. Prints each mutant and
the caught rate; ``make mutation`` runs it after mutmut.

    .venv/bin/python scripts/hand_mutants.py                    # all, 2 at a time
    .venv/bin/python scripts/hand_mutants.py --only mei-june    # one (or a few) by id
    .venv/bin/python scripts/hand_mutants.py --list             # the mutants, not run
    .venv/bin/python scripts/hand_mutants.py --only mei-june --tests tests/test_x.py::test_y

A mutant whose text is no longer in its file (the source moved on) is reported as *stale*
and not counted: update it here.
"""

# ruff: noqa: E501 (the table of mutants quotes source lines whole)
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutation import PYTEST_ARGS, TARGETS, pytest_env, write_profile  # noqa: E402


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str  # a key of scripts/mutation.py's TARGETS
    before: str  # text found exactly once in the module
    after: str
    what: str

    @property
    def path(self) -> str:
        return TARGETS[self.module].source


def m(id: str, module: str, before: str, after: str, what: str) -> Mutant:
    return Mutant(id, module, before, after, what)


MUTANTS: list[Mutant] = [
    # -- processors: month tables ---------------------------------------------------------
    m("mei-june", "processors", '"mei": 5,', '"mei": 6,', '"20 Mei" lands in June'),
    m("no-agt", "processors", '"agt": 8, ', "", 'the abbreviation "agt" is unknown'),
    m("no-ags", "processors", '"ags": 8, ', "", 'the abbreviation "ags" is unknown'),
    m("no-agu", "processors", '"agu": 8, ', "", 'the abbreviation "agu" is unknown'),
    m("okt-nov", "processors", '"okt": 10,', '"okt": 11,', '"okt" lands in November'),
    m("no-nopember", "processors", '"nopember": 11,', "", 'the old spelling "nopember"'),
    m("no-pebruari", "processors", '"pebruari": 2, ', "", 'the old spelling "pebruari"'),
    m("no-sept", "processors", '"sept": 9,', "", 'the abbreviation "sept"'),
    m("may-june", "processors", '"may": 5,', '"may": 6,', "English May lands in June"),
    m("des-nov", "processors", '"des": 12,', '"des": 11,', '"des" lands in November'),
    m("no-january", "processors", '"january": 1,', "", "English January"),
    # -- processors: date patterns --------------------------------------------------------
    m("visible-no-pukul", "processors",
      r'(?:\s*[|,/-]?\s*(?:pukul\s*)?(?P<hour>', r'(?:\s*[|,/-]?\s*(?P<hour>',
      'the "pukul" before a visible time'),
    m("dmy-no-pukul", "processors",
      r'(?:\s*[,|–-]?\s*(?:pukul\s*)?(?P<hour>', r'(?:\s*[,|–-]?\s*(?P<hour>',
      'the "pukul" before a day-first time'),
    m("visible-no-dash", "processors", r"[|,/-]?", r"[|,/]?", "a dash between date and time"),
    m("visible-no-dot", "processors", r"(?P<month>[A-Za-z]+)\.?\s+", r"(?P<month>[A-Za-z]+)\s+",
      'a full stop after an abbreviated month ("Agt.")'),
    m("numeric-no-t", "processors", r"(?:[ T](?P<hour>", r"(?:[ ](?P<hour>",
      "the T between an ISO-ish date and time"),
    m("numeric-no-end-anchor", "processors", r'(?::(?P<second>\d{2}))?)?\s*$"', r'(?::(?P<second>\d{2}))?)?\s*"',
      "the $ anchor of the numeric date"),
    m("dmy-no-lookbehind", "processors", r'r"(?<!\d)(?P<day>', r'r"(?P<day>',
      "the (?<!\\d) before a day-first date"),
    m("wib-8", "processors", "timedelta(hours=7)", "timedelta(hours=8)", "WIB is UTC+8"),
    m("dateparser-utc", "processors", '"TIMEZONE": "Asia/Jakarta"', '"TIMEZONE": "UTC"',
      "dateparser's naive times in UTC"),
    m("dateparser-no-day", "processors", '"REQUIRE_PARTS": ["day", "month", "year"]',
      '"REQUIRE_PARTS": ["month", "year"]', "a date without a day"),
    # -- processors: text, bylines, fingerprints -------------------------------------------
    m("fingerprint-no-separator", "processors", '+ "\\n" +', "+", 'the "\\n" between title and body'),
    m("fingerprint-space", "processors", '+ "\\n" +', '+ " " +', 'a " " between title and body'),
    m("fingerprint-nfc", "processors", '"NFKC"', '"NFC"', "NFC: full-width letters differ"),
    m("suspect-no-soft-hyphen", "processors",
      r'_SUSPECT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad]")',
      r'_SUSPECT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u200c\u200d\u2060\ufeff]")',
      "a soft hyphen alone is not looked for"),
    m("invisible-c1-bound", "processors", r'|\x1b[@-_]?|[\x00-\x08\x0e-\x1f\x7f-\x84', r'|\x1b[@-_]?|[\x00-\x08\x0e-\x1f\x7f-\x83',
      "U+0084 stays"),
    m("entity-two-letters", "processors", r"[A-Za-z][A-Za-z0-9]{1,31}", r"[A-Za-z][A-Za-z0-9]{2,31}",
      '"&lt;" is not an entity'),
    m("suffix-no-comma", "processors", r'rf"\s*[-–—|,]\s*', r'rf"\s*[-–—|]\s*',
      'a comma before a byline\'s site name'),
    m("suffix-no-anchor", "processors", r'(?:{alternatives})\s*$"', r'(?:{alternatives})\s*"',
      "the $ anchor of a byline's site name"),
    m("label-no-space", "processors", r"(?P<label>[A-Za-z ]+?)", r"(?P<label>[A-Za-z]+?)",
      "a label of two words"),
    m("trim-no-semicolon", "processors", '.rstrip(",;")', '.rstrip(",")', 'a ";" after a name'),
    # -- urls -----------------------------------------------------------------------------
    m("no-gclid", "urls", '"fbclid", "gclid", "_ga"', '"fbclid", "_ga"', "gclid kept"),
    m("no-_ga", "urls", '"fbclid", "gclid", "_ga"', '"fbclid", "gclid"', "_ga kept"),
    m("no-fbclid", "urls", '"utm_", "fbclid",', '"utm_",', "fbclid kept"),
    m("no-http", "urls", 'not in ("http", "https")', 'not in ("https",)', "http is off the site"),
    m("no-m-alias", "urls", '("www.", "m.", "amp.")', '("www.", "amp.")', "m. is another site"),
    m("amp-no-anchor", "urls", r'r"\.amp(?=\.html?$|$)"', r'r"\.amp(?=\.html?|$)"',
      "the $ after .html of an AMP mark"),
    m("amp-case", "urls", r'(?=\.html?$|$)", re.IGNORECASE)', r'(?=\.html?$|$)")',
      "an AMP mark in capitals"),
    m("domain-no-dot", "urls", 'host.endswith("." + domain)\n', "host.endswith(domain)\n",
      "notbisnis.com is on bisnis.com"),
    # -- ledger ---------------------------------------------------------------------------
    m("no-too_large", "ledger", '"blocked", "too_large", "too_many_pages")',
      '"blocked", "too_many_pages")', "too_large not remembered"),
    m("no-too_many_pages", "ledger", '"too_large", "too_many_pages")', '"too_large")',
      "too_many_pages not remembered"),
    m("no-not_found-remembered", "ledger", 'REMEMBERED_FAILURES = ("not_found", ',
      "REMEMBERED_FAILURES = (", "not_found not remembered"),
    m("no-duplicate", "ledger", 'FINAL_FAILURES = ("not_found", "duplicate")',
      'FINAL_FAILURES = ("not_found",)', "a duplicate keeps its index open"),
    m("blocked-final", "ledger", 'FINAL_FAILURES = ("not_found", "duplicate")',
      'FINAL_FAILURES = ("not_found", "duplicate", "blocked")', "a block closes its index"),
    m("retried-truncated", "ledger", 'RETRIED_HERE = ("corrupt_body",)',
      'RETRIED_HERE = ("truncated",)', "the spider retries the wrong failure"),
    m("no-401", "ledger", "(401, 403)", "(403,)", "401 is no block"),
    m("no-410", "ledger", "GONE = frozenset({404, 410})", "GONE = frozenset({404})",
      "410 is no not_found"),
    # -- boilerplate ----------------------------------------------------------------------
    m("promo-words-31", "boilerplate", "MAX_PROMO_WORDS = 30", "MAX_PROMO_WORDS = 31",
      "MAX_PROMO_WORDS grows by one"),
    m("line-share", "boilerplate", "MAX_LINE_SHARE = 0.25", "MAX_LINE_SHARE = 0.3",
      "a line may be 30% of a body"),
    m("removed-share", "boilerplate", "MAX_REMOVED_SHARE = 1 / 3", "MAX_REMOVED_SHARE = 1 / 2",
      "half a body may go"),
    m("min-pages-2", "boilerplate", "MIN_PAGES = 3", "MIN_PAGES = 2", "two pages teach a line"),
    m("min-contexts-1", "boilerplate", "MIN_CONTEXTS = 2", "MIN_CONTEXTS = 1",
      "one listing teaches a line"),
    m("taught-5", "boilerplate", "MAX_TAUGHT_PER_PAGE = 4", "MAX_TAUGHT_PER_PAGE = 5",
      "a page teaches five lines"),
    m("line-words-60", "boilerplate", "MAX_LINE_WORDS = 50", "MAX_LINE_WORDS = 60",
      "longer lines are taught"),
    m("contexts-7", "boilerplate", "MAX_CONTEXTS = 8", "MAX_CONTEXTS = 7", "fewer places kept"),
    m("sketch-3", "boilerplate", "SKETCH_LINES = 4", "SKETCH_LINES = 3", "a smaller sketch"),
    m("no-yuk", "boilerplate", '"jangan lewatkan|yuk)', '"jangan lewatkan)',
      'an invitation opening "Yuk"'),
    m("invitation-no-boundary", "boilerplate", r'yuk)\b"', 'yuk)"', "invitation words in words"),
    m("wa-anywhere", "boilerplate", '_word("wa")', '"wa"', '"wa" inside words is a channel'),
    m("no-telegram", "boilerplate", '"telegram", ', "", "Telegram is no channel"),
    m("read-also-no-boundary", "boilerplate", r"(juga|pula)\b", r"(juga|pula)",
      '"Baca jugalah" is dropped'),
    m("rule-space", "boilerplate", '.replace(" ", r"\\s+")', '.replace(" ", " ")',
      "a rule's space is one space only"),
    m("no-disclaimer-rule", "boilerplate", '    rule("disclaimer", r"disclaimer ?:"),\n', "",
      "the disclaimer rule is gone"),
    m("empty-rules-match", "boilerplate", 're.compile(r"(?!)")', 're.compile(r"")',
      "no rules match every paragraph"),
    # -- archives -------------------------------------------------------------------------
    m("month-no-end-anchor", "archives", r'(0[1-9]|1[0-2])$")', r'(0[1-9]|1[0-2]))")',
      "the $ of a CC-NEWS month"),
    m("header-limit", "archives", "HEADER_LIMIT = 256 * 1024", "HEADER_LIMIT = 512 * 1024",
      "header lines may be twice as long"),
    m("gzip-magic", "archives", 'if paths_listing[:2] == b"\\x1f\\x8b":',
      'if paths_listing[:2] == b"\\x1f\\x8c":', "a gzipped list is read as text"),
    m("no-comment-skip", "archives", 'if path and not path.startswith("#")', "if path",
      "comment lines of a list are archives"),
    m("kinds-no-eof", "archives", '    EOFError: "it ends inside a gzip member",\n', "",
      "an archive cut inside a gzip member is not named"),
    m("sink-room", "archives", "return self.limit + 1 - self.size", "return self.limit - self.size",
      "one byte less is read than the limit"),
    # -- the generic page's helpers --------------------------------------------------------
    m("id-four-digits", "generic", r"[a-z]{0,2}-?([0-9]{5,})", r"[a-z]{0,2}-?([0-9]{4,})",
      "a 4-digit segment is an id"),
    m("date-digits-1900s", "generic", r'DATE_DIGITS = re.compile(r"^(?:19|20)\d{2}',
      r'DATE_DIGITS = re.compile(r"^(?:20)\d{2}',
      "a 1990s date is an id"),
    m("page-no-halaman", "generic", "(?:page|p|hal|halaman)=", "(?:page|p|hal)=",
      "?halaman=2 is no page"),
    m("page-suffix-3", "generic", r'PAGE_SUFFIX = re.compile(r"/\d{1,2}/?$")',
      r'PAGE_SUFFIX = re.compile(r"/\d{1,3}/?$")', "/123 is a page number"),
    m("page-query-two-digits", "generic", r"(?:page|p|hal|halaman)=(\d{1,3})",
      r"(?:page|p|hal|halaman)=(\d{1,2})", "?page=100 is no page"),
    m("site-test-words", "generic", "brand not in folded or len(line.split()) > MAX_PROMO_WORDS",
      "brand not in folded or len(line.split()) > MAX_PROMO_WORDS + 1",
      "a longer line sells the site"),
]  # fmt: skip


# -- running ---------------------------------------------------------------------------------


def make_copy(where: Path) -> None:
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "fixtures")
    shutil.copytree(ROOT / "newscrawl", where / "newscrawl", ignore=ignore)
    shutil.copytree(ROOT / "tests", where / "tests", ignore=ignore)
    (where / "tests" / "fixtures").symlink_to(ROOT / "tests" / "fixtures")
    shutil.copy2(ROOT / "pyproject.toml", where / "pyproject.toml")
    write_profile(where)


def args_for(module: str, args_tests: list[str] | None) -> list[str]:
    return list(args_tests or TARGETS[module].tests)


def run_one(mutant: Mutant, copy: Path, tests: list[str] | None) -> tuple[str, float]:
    """``caught``, ``missed`` or ``stale``, and the seconds the tests took."""
    path = copy / mutant.path
    original = path.read_text("utf-8")
    if original.count(mutant.before) != 1:
        return "stale", 0.0
    path.write_text(original.replace(mutant.before, mutant.after), "utf-8")
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", *PYTEST_ARGS,
             *args_for(mutant.module, tests)],
            cwd=copy, env=pytest_env(), capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        caught = done.returncode not in (0, 5)
    except subprocess.TimeoutExpired:
        caught = True
    finally:
        path.write_text(original, "utf-8")
    return ("caught" if caught else "missed"), time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="these mutants only")
    parser.add_argument("--module", nargs="+", help="the mutants of these modules only")
    parser.add_argument("--tests", nargs="+", help="run these tests instead of the module's")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newscrawl-hand-mutants"
    )
    parser.add_argument("--min-rate", type=float, default=90.0, help="exit 1 under this")
    args = parser.parse_args(argv)  # fmt: skip

    ids = [mutant.id for mutant in MUTANTS]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert not duplicated, f"mutant ids used twice: {duplicated}"
    chosen = [
        mutant
        for mutant in MUTANTS
        if (not args.only or mutant.id in args.only)
        and (not args.module or mutant.module in args.module)
    ]
    if args.only and len(chosen) != len(set(args.only)):
        parser.error(f"unknown id(s): {sorted(set(args.only) - set(ids))}")
    if args.list:
        for mutant in chosen:
            print(f"{mutant.id:26} {mutant.module:12} {mutant.what}")
        return 0

    copies: Queue[Path] = Queue()
    for n in range(max(1, min(args.workers, len(chosen)))):
        copy = args.workdir / f"copy{n}"
        make_copy(copy)
        copies.put(copy)

    def work(mutant: Mutant) -> tuple[str, float]:
        copy = copies.get()
        try:
            return run_one(mutant, copy, args.tests)
        finally:
            copies.put(copy)

    # the tests must pass unmutated, or what they catch means nothing
    modules = sorted({mutant.module for mutant in chosen})

    def clean(module: str) -> tuple[str, bool]:
        copy = copies.get()
        try:
            tests = args_for(module, args.tests)
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", *PYTEST_ARGS, *tests],
                cwd=copy, env=pytest_env(), capture_output=True, text=True, timeout=900,
                check=False,
            )  # fmt: skip
            if done.returncode != 0:
                print(f"  the tests of {module} fail unmutated: its mutants are not counted")
                print("    " + "\n    ".join(done.stdout.splitlines()[-5:]))
            return module, done.returncode == 0
        finally:
            copies.put(copy)

    with ThreadPoolExecutor(max_workers=copies.qsize()) as pool:
        passing = {module for module, ok in pool.map(clean, modules) if ok}
        runnable = [mutant for mutant in chosen if mutant.module in passing]
        outcomes = list(pool.map(work, runnable))
    chosen = runnable
    by: dict[str, list[Mutant]] = {"caught": [], "missed": [], "stale": []}
    for mutant, (outcome, seconds) in zip(chosen, outcomes, strict=True):
        by[outcome].append(mutant)
        print(f"  {outcome:7} {mutant.id:26} {mutant.module:12} {seconds:5.1f} s  {mutant.what}")
    counted = len(by["caught"]) + len(by["missed"])
    rate = 100.0 * len(by["caught"]) / counted if counted else 100.0
    print(
        f"hand-made mutants: {len(by['caught'])} of {counted} caught ({rate:.1f}%)"
        + (f"; {len(by['stale'])} stale (their text is gone: update them)" if by["stale"] else "")
    )
    for mutant in by["missed"]:
        print(f"  MISSED {mutant.id}: {mutant.what} ({mutant.path}: {mutant.before!r})")
    return 1 if rate < args.min_rate else 0


if __name__ == "__main__":
    sys.exit(main())
