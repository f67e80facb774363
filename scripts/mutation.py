#!/usr/bin/env python
"""`make mutation`: mutation testing of the pure modules, each against its own unit tests.

For each module of :data:`TARGETS` this copies the working tree's ``newscrawl/`` and ``tests/``
into a scratch folder (``$TMPDIR/newscrawl-mutation/<module>``, nothing in the repository is
touched), writes mutmut's configuration there (``setup.cfg``: the one module to mutate, its
test files) and runs ``mutmut run`` (3.8.1). mutmut forks its workers from a process that has
imported the package already, so what runs at import (``rule()`` building ``SHARED_RULES``,
``site_suffix`` building a site's patterns) runs unmutated there and its mutants look alive.
So every mutant mutmut does not kill (and whose function any test, or the tests' import,
reaches) is tried again **with newscrawl imported afresh**: pytest on the module's tests in
mutmut's ``mutants/`` folder with ``MUTANT_UNDER_TEST`` set, in a child forked from a server
that imported only third-party modules (:data:`_SERVER`), so that the mutant is active from
the first import on. Only what survives that is a survivor.

mutmut leaves alone what it cannot mutate through its trampolines: module-level tables and
regexes, and decorated functions (``lru_cache``). ``scripts/hand_mutants.py`` (also run by
``make mutation``) covers those with mutants made by hand.

Scores: killed / all mutants of the module (the whole-module score), and killed / the mutants
that are not equivalent (equivalent mutants are listed with their reason in
docs/mutation.md, section "Equivalent mutants"; a survivor listed there is printed as such).

    .venv/bin/python scripts/mutation.py                 # every module
    .venv/bin/python scripts/mutation.py ledger urls     # some
    .venv/bin/python scripts/mutation.py --show newscrawl.ledger.x_failure_reason__mutmut_3
    .venv/bin/python scripts/mutation.py --try newscrawl.ledger.x_failure_reason__mutmut_3

``--show`` prints a mutant's diff; ``--try`` runs the module's tests against it in a fresh
process and shows pytest's output (both use the scratch folder of the last run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
DOC = ROOT / "docs" / "mutation.md"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "newscrawl-mutation"


def existing(tests: tuple[str, ...]) -> tuple[str, ...]:
    """The test files (or node ids) of ``tests`` that exist (a missing file would look like
    a failing test to pytest, that is like a killed mutant)."""
    return tuple(t for t in tests if (ROOT / t.partition("::")[0]).exists())


@dataclass(frozen=True)
class Target:
    """A module to mutate and the unit tests that must catch its mutants."""

    source: str
    declared_tests: tuple[str, ...]
    #: Only the mutants of these functions (``name`` or ``Class.method``) count; () for all.
    functions: tuple[str, ...] = ()

    @property
    def tests(self) -> tuple[str, ...]:
        return existing(self.declared_tests)

    @property
    def module(self) -> str:
        return self.source.removesuffix(".py").replace("/", ".")


#: The pure modules and their own unit tests (files or pytest node ids).
TARGETS: dict[str, Target] = {
    "paging": Target("newscrawl/paging.py", ("tests/test_paging.py",)),
    "urls": Target("newscrawl/urls.py", ("tests/test_urls.py", "tests/test_tables_urls.py")),
    "boilerplate": Target(
        "newscrawl/boilerplate.py",
        ("tests/test_boilerplate.py", "tests/test_tables_boilerplate.py"),
    ),
    "ledger": Target(
        "newscrawl/ledger.py", ("tests/test_ledger.py", "tests/test_tables_ledger.py")
    ),
    "archives": Target(
        "newscrawl/archives.py",
        (
            "tests/test_archives.py::test_ccnews_paths_url",
            "tests/test_archives.py::test_ccnews_archive_urls_from_a_gzipped_list",
            "tests/test_archives.py::test_a_cut_off_last_record_is_caught_by_its_length",
            "tests/test_tables_archives.py",
        ),
    ),
    "processors": Target(
        "newscrawl/processors.py",
        (
            "tests/test_processors.py",
            "tests/test_processors_kompas.py",
            "tests/test_tables_processors.py",
        ),
    ),
    # The generic page's pure helpers (its page object is tested through pages and crawls).
    "generic": Target(
        "newscrawl/pages/generic.py",
        ("tests/test_generic.py", "tests/test_tables_generic.py"),
        functions=(
            "registered_domain",
            "brand_of",
            "canonical_url",
            "canonical_refusal",
            "page_number",
            "article_id_of",
            "split_names",
            "_classes",
            "_chars",
            "_words",
            "block_text",
            "title_words",
            "names_site",
            "title_from_document",
            "logo_like",
            "json_ld_documents",
            "body_line",
            "without_fragment",
            "without_chrome",
            "_sentence_long",
            "without_repeats",
            "_copied_runs",
            "_within",
            "_article_item",
            "fewest_words",
            "_wrapper_of_divs",
            "_own_line",
            "_lines_of_divs",
            "_div_lines",
            "_shown_text",
            "_screen_reader_only",
            "_in_comments",
        ),
    ),
    # The main text's pure rules (its text map is tested through small pages in its tests).
    "maintext": Target(
        "newscrawl/pages/maintext.py",
        ("tests/test_maintext.py",),
        functions=(
            "name_words",
            "comments",
            "names_kind",
            "name_kind",
            "hidden",
            "hidden_from_view",
            "_paywalled_text",
            "_paywall",
            "_ancestors_below",
            "good_length",
            "byline_class",
            "kind_of_names",
            "_bem_junk",
        ),
    ),
}

#: pytest's options for every run: no cache in the scratch folder, and Hypothesis's profile
#: (:data:`PROFILE`).
PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "_mutation_profile")
#: A pytest plugin written beside the tests: Hypothesis draws the same examples every run (a
#: verdict is the next run's too) and has no deadline (a slow machine is no kill).
PROFILE = """from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("mutation")
"""


def write_profile(where: Path) -> None:
    (where / "_mutation_profile.py").write_text(PROFILE, "utf-8")


#: mutmut's statuses that count as killed (a timeout or a crash is a test that noticed).
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass
class Outcome:
    name: str
    total: int = 0
    killed: int = 0
    fresh_kills: list[str] = field(default_factory=list)
    survivors: dict[str, str] = field(default_factory=dict)  # mutant -> diff
    equivalent: dict[str, str] = field(default_factory=dict)  # mutant -> reason
    deselected: list[str] = field(default_factory=list)
    #: Survivors no test reaches (not even at import).
    unreached: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0

    @property
    def score_without_equivalent(self) -> float:
        counted = self.total - len(self.equivalent)
        return 100.0 * self.killed / counted if counted else 100.0


# -- the scratch folder ---------------------------------------------------------------------


def prepare(target: Target, work: Path) -> None:
    """A copy of the working tree's package and tests, with mutmut's configuration."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "newscrawl", work / "newscrawl", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "fixtures"))  # fmt: skip
    (work / "tests" / "fixtures").symlink_to(ROOT / "tests" / "fixtures")
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
    write_profile(work)


def write_config(target: Target, work: Path, deselect: list[str]) -> None:
    """mutmut's configuration for one module (``setup.cfg`` of the scratch folder)."""
    cli_args = [*PYTEST_ARGS]
    for node in deselect:
        cli_args += ["--deselect", node]
    lines = [
        "[mutmut]",
        "source_paths = newscrawl/",
        f"only_mutate = {target.source}",
        "pytest_add_cli_args =\n" + "".join(f"    {a}\n" for a in cli_args),
        "pytest_add_cli_args_test_selection =\n" + "".join(f"    {t}\n" for t in target.tests),
        "also_copy =\n    _mutation_profile.py\n",
        # the tests of one module take seconds: a mutant 10x slower is an endless loop
        "timeout_multiplier = 10.0",
        "timeout_constant = 5.0",
        # the scratch folder is no git checkout
        "use_git_change_detection = false",
    ]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n", "utf-8")


def pytest_env(mutant: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MUTANT_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("CI", None)  # unit tests only; nothing here needs Chromium or Redis
    if mutant is not None:
        env["MUTANT_UNDER_TEST"] = mutant
    return env


def failing_tests(target: Target, work: Path) -> list[str]:
    """The module's tests that fail on the unmutated copy (another change under way): they
    are deselected, and named in the report, since mutmut needs a clean run."""
    report = work / "clean.xml"
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", *PYTEST_ARGS, f"--junitxml={report}", *target.tests],
        cwd=work, env=pytest_env(), capture_output=True, timeout=900, check=False,
    )  # fmt: skip
    if not report.exists():
        return []
    failed = []
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            path = case.get("classname", "").replace(".", "/")
            name = case.get("name", "")
            failed.append(f"{path}.py::{name}")
    return failed


# -- mutmut ---------------------------------------------------------------------------------


def mutant_patterns(target: Target, work: Path) -> list[str]:
    """mutmut's names of the mutants of ``target.functions`` (all when there are none)."""
    source = (work / target.source).read_text("utf-8")
    patterns = []
    for function in target.functions:
        cls, _, name = function.rpartition(".")
        if not re.search(rf"^\s*def {re.escape(name)}\(", source, re.MULTILINE):
            print(f"    note: {target.source} has no function {function} any more")
            continue
        mangled = f"xǁ{cls}ǁ{name}" if cls else f"x_{name}"
        # matches the function (for its tests) and its mutants (``...__mutmut_3``)
        patterns.append(f"{target.module}.{mangled}*")
    return patterns


def run_mutmut(work: Path, children: int, patterns: list[str]) -> None:
    log = work / "mutmut.log"
    with log.open("wb") as out:
        done = subprocess.run(
            [MUTMUT, "run", "--max-children", str(children), *patterns],
            cwd=work, env=pytest_env(), stdout=out, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        tail = log.read_text("utf-8", "replace")[-2000:]
        raise RuntimeError(f"mutmut run failed (exit {done.returncode}), see {log}:\n{tail}")


def mutant_statuses(target: Target, work: Path) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    meta = json.loads((work / "mutants" / (target.source + ".meta")).read_text("utf-8"))
    statuses = {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}
    if target.functions:
        statuses = {n: s for n, s in statuses.items() if function_of(n) in target.functions}
    return statuses


def function_of(mutant: str) -> str:
    """``newscrawl.x.xǁLedgerǁskip__mutmut_3`` → ``Ledger.skip``; ``x_f__mutmut_1`` → ``f``."""
    mangled = mutant.rpartition(".")[2].rpartition("__mutmut_")[0]
    if mangled.startswith("xǁ"):
        _, cls, method = mangled.split("ǁ")
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


#: Third-party modules the recheck server imports once (never newscrawl's, nor the tests', nor
#: a pytest plugin such as Hypothesis: pytest could not rewrite its asserts, and warns).
PRELOAD = (
    "pytest", "scrapy", "scrapy.http", "scrapy.crawler",
    "scrapy.exceptions", "scrapy.utils.test", "twisted.python.failure", "parsel", "lxml.etree",
    "lxml.html", "w3lib.url", "itemloaders", "tldextract", "dateparser", "warcio.archiveiterator",
    "warcio.warcwriter", "brotli", "fastjsonschema",
)  # fmt: skip

#: A process that imports :data:`PRELOAD`, then forks one child a mutant (named on a line of
#: its standard input): the child sets ``MUTANT_UNDER_TEST`` and runs pytest, so newscrawl is
#: imported afresh with the mutant active, as in a new process, without paying again for
#: Scrapy's import. It answers ``<mutant> <exit status>`` (or ``timeout``) a line.
_SERVER = r"""
import os, signal, sys, time
for name in sys.argv[1].split(","):
    try:
        __import__(name)
    except Exception:
        pass
import pytest
assert not [m for m in sys.modules if m.startswith(("newscrawl", "tests"))]
timeout, args = float(sys.argv[2]), sys.argv[3:]
for line in sys.stdin:
    mutant = line.strip()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.environ["MUTANT_UNDER_TEST"] = mutant
        os._exit(int(pytest.main(args)))
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = str(os.waitstatus_to_exitcode(status))
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            code = "timeout"
            break
        time.sleep(0.02)
    print(mutant, code, flush=True)
"""


def fresh_process_kills(
    target: Target, work: Path, mutants: list[str], deselect: list[str], workers: int
) -> dict[str, bool]:
    """Whether the module's tests fail with each of ``mutants`` active from the first import
    of newscrawl on (see :data:`_SERVER`)."""
    args = ["-q", "-x", *PYTEST_ARGS, *target.tests]
    for node in deselect:
        args += ["--deselect", node]
    todo: Queue[str] = Queue()
    for _ in range(workers):  # each server first runs the tests unmutated: they must pass
        todo.put("none")
    for mutant in mutants:
        todo.put(mutant)
    verdicts: dict[str, bool] = {}

    def serve() -> None:
        server = subprocess.Popen(
            [PYTHON, "-c", _SERVER, ",".join(PRELOAD), "300", *args],
            cwd=work / "mutants", env=pytest_env(), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert server.stdin is not None and server.stdout is not None
        try:
            while True:
                try:
                    mutant = todo.get_nowait()
                except Empty:
                    return
                server.stdin.write(mutant + "\n")
                server.stdin.flush()
                name, _, code = server.stdout.readline().strip().partition(" ")
                if name != mutant:
                    raise RuntimeError(f"the recheck server stopped (at {mutant})")
                if mutant == "none" and code != "0":
                    raise RuntimeError(f"the tests fail unmutated in the recheck server ({code})")
                verdicts[mutant] = code not in ("0", "5")
        finally:
            server.stdin.close()
            server.wait(timeout=60)

    if not mutants:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(serve) for _ in range(workers)]:
            future.result()
    verdicts.pop("none", None)
    return verdicts


_IMPORT_HITS = """
import json, os, sys
os.environ["MUTANT_UNDER_TEST"] = "stats"
import pytest
pytest.main(["--collect-only", "-q", *sys.argv[2:]])
from mutmut.state import state
with open(sys.argv[1], "w") as out:
    json.dump(sorted(state()._stats), out)
"""


def import_time_functions(target: Target, work: Path, deselect: list[str]) -> set[str]:
    """The functions (``newscrawl.x.x_f``) that run while the module's tests are imported and
    collected, in a fresh process: their mutants may be killed there only."""
    found = work / "import_hits.json"
    args = [*PYTEST_ARGS, *target.tests]
    for node in deselect:
        args += ["--deselect", node]
    subprocess.run(
        [PYTHON, "-c", _IMPORT_HITS, str(found), *args],
        cwd=work / "mutants", env=pytest_env(), capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    hits: list[str] = json.loads(found.read_text("utf-8"))
    return set(hits)


_DIFF_SCRIPT = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path = sys.argv[1]
print(json.dumps({n: get_diff_for_mutant(n, path=path) for n in sys.argv[2:]}))
"""


def diffs(target: Target, work: Path, mutants: list[str]) -> dict[str, str]:
    if not mutants:
        return {}
    done = subprocess.run(
        [PYTHON, "-c", _DIFF_SCRIPT, target.source, *mutants],
        cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    found: dict[str, str] = json.loads(done.stdout)
    return found


def changed_lines(diff: str) -> tuple[str, str]:
    """The lines a mutant removes and adds (stripped, joined by " / ")."""
    lines = diff.splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


# -- equivalent mutants (docs/mutation.md) --------------------------------------------------


def equivalents() -> list[tuple[str, str, str, str, str]]:
    """The rows of docs/mutation.md's table of equivalent mutants: module, function, the line
    before, the line after, why (code in backticks, ``|`` written ``\\|``)."""
    if not DOC.exists():
        return []
    rows = []
    section = False
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("## "):
            section = line.strip() == "## Equivalent mutants"
            continue
        if not section or not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 5 or cells[0] in ("module", "") or set(cells[0]) <= set("-: "):
            continue
        module, function, before, after, why = (c.strip("`").strip() for c in cells)
        rows.append((module, function, before, after, why))
    return rows


def equivalent_reason(name: str, mutant: str, diff: str) -> str | None:
    before, after = changed_lines(diff)
    squeeze = " ".join
    for module, function, row_before, row_after, why in equivalents():
        if (
            module == name
            and function == function_of(mutant)
            and squeeze(row_before.split()) == squeeze(before.split())
            and squeeze(row_after.split()) == squeeze(after.split())
        ):
            return why
    return None


# -- one module -----------------------------------------------------------------------------


def measure(name: str, workdir: Path, children: int, recheck: bool) -> Outcome:
    target = TARGETS[name]
    work = workdir / name
    outcome = Outcome(name)
    start = time.monotonic()
    prepare(target, work)
    outcome.deselected = failing_tests(target, work)
    write_config(target, work, outcome.deselected)
    run_mutmut(work, children, mutant_patterns(target, work))
    statuses = mutant_statuses(target, work)
    outcome.total = len(statuses)
    alive = sorted(n for n, s in statuses.items() if s not in KILLED)
    outcome.killed = outcome.total - len(alive)
    if recheck and alive:
        # a mutant no test reaches ("no tests") can only be killed where its function runs
        # at import: recheck those, and every mutant that survived a test
        at_import = import_time_functions(target, work, outcome.deselected)
        again = [
            m for m in alive
            if statuses[m] != "no tests" or m.rpartition("__mutmut_")[0] in at_import
        ]  # fmt: skip
        outcome.unreached = len(alive) - len(again)
        verdicts = fresh_process_kills(target, work, again, outcome.deselected, children)
        outcome.fresh_kills = [m for m in again if verdicts[m]]
        alive = [m for m in alive if not verdicts.get(m)]
        outcome.killed += len(outcome.fresh_kills)
    for mutant, diff in diffs(target, work, alive).items():
        outcome.survivors[mutant] = diff
        why = equivalent_reason(name, mutant, diff)
        if why is not None:
            outcome.equivalent[mutant] = why
    outcome.seconds = time.monotonic() - start
    return outcome


def print_outcome(outcome: Outcome, verbose: bool) -> None:
    if outcome.error:
        print(f"{outcome.name}: ERROR {outcome.error}")
        return
    equivalent = len(outcome.equivalent)
    print(
        f"{outcome.name}: {outcome.score:.1f}% ({outcome.killed} of {outcome.total} killed, "
        f"{len(outcome.fresh_kills)} of them only in a fresh process; "
        f"{len(outcome.survivors)} survive ({outcome.unreached} reached by no test), "
        f"{equivalent} listed as equivalent: "
        f"{outcome.score_without_equivalent:.1f}% of the others) in {outcome.seconds:.0f} s"
    )
    for node in outcome.deselected:
        print(f"    deselected (fails on the unmutated tree): {node}")
    for mutant, diff in sorted(outcome.survivors.items()):
        before, after = changed_lines(diff)
        mark = "equivalent" if mutant in outcome.equivalent else "SURVIVES"
        print(f"    {mark} {mutant}")
        print(f"        - {before}\n        + {after}")
        if verbose and mutant in outcome.equivalent:
            print(f"        why: {outcome.equivalent[mutant]}")


def module_of_mutant(mutant: str) -> str:
    for name, target in TARGETS.items():
        if mutant.startswith(target.module + "."):
            return name
    raise SystemExit(f"no module of {sorted(TARGETS)} has a mutant named {mutant}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--children", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-recheck", action="store_true", help="trust mutmut's survivors")
    parser.add_argument("--min-score", type=float, default=90.0, help="exit 1 under this")
    parser.add_argument("--show", metavar="MUTANT", help="print a mutant's diff")
    parser.add_argument("--try", dest="try_", metavar="MUTANT", help="run its tests, fresh")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    if args.show or args.try_:
        mutant = args.show or args.try_
        name = module_of_mutant(mutant)
        target, work = TARGETS[name], args.workdir / name
        if not (work / "mutants").exists():
            raise SystemExit(f"no run of {name} in {work}: run `scripts/mutation.py {name}`")
        print(diffs(target, work, [mutant])[mutant])
        if args.try_:
            tests = [*target.tests]
            done = subprocess.run(
                [PYTHON, "-m", "pytest", "-q", "-x", *PYTEST_ARGS, *tests],
                cwd=work / "mutants", env=pytest_env(mutant), check=False,
            )  # fmt: skip
            print("killed" if done.returncode not in (0, 5) else "survives")
        return 0

    names = args.modules or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(TARGETS)}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
        check=False,
    ).stdout.strip()  # fmt: skip
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", *(TARGETS[n].source for n in names)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    print(f"mutation testing at {commit}" + (" (+ uncommitted changes)" if dirty else ""))
    outcomes = []
    for name in names:
        try:
            outcome = measure(name, args.workdir, args.children, not args.no_recheck)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
            outcome = Outcome(name, error=str(error))
        outcomes.append(outcome)
        print_outcome(outcome, args.verbose)
        sys.stdout.flush()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    o.name: {
                        "total": o.total, "killed": o.killed, "score": round(o.score, 1),
                        "fresh_kills": o.fresh_kills, "survivors": sorted(o.survivors),
                        "equivalent": o.equivalent, "deselected": o.deselected,
                    }
                    for o in outcomes
                },
                indent=1,
            ),
            "utf-8",
        )  # fmt: skip
    print()
    for o in outcomes:
        print(f"  {o.name:12} {'ERROR' if o.error else f'{o.score:5.1f}%'}")
    low = [o.name for o in outcomes if o.error or o.score < args.min_score]
    if low:
        print(f"under {args.min_score:.0f}%: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
