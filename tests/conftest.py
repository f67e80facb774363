"""Shared fixtures: each site's fixture folder replayed behind a local forward proxy.

``site_proxy(slug)`` (from the session fixture ``site_proxies``) serves
``tests/fixtures/<slug>/`` for the whole session, with a fresh request log and fresh fault
sequences each time it is handed out; ``bisnis_proxy`` and ``kompas_proxy`` are the same for
the two reference sites' own tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.replay import ReplayProxy
from tests.support import FIXTURES


# -- Hypothesis and libcst ------------------------------------------------------------------
# mutmut (requirements-dev.txt) brings libcst into the venv, and with libcst importable
# Hypothesis's pytest plugin writes a patch for each failing example (get_patch_for, after
# the test's report is made). Its codemod trips over the `__provides__` that zope.interface
# (Twisted, imported with Scrapy) sets on `abc.ABC`: a failing Hypothesis test would end the
# session with an INTERNALERROR instead of its report. So no patch is written (the report
# names the failing example all the same); only a failing test pays for the import.
def _no_hypothesis_patch(*args: object, **kwargs: object) -> None:
    return None


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    if call.excinfo is None:
        return
    try:
        from hypothesis.extra import _patching
    except ImportError:  # no libcst: Hypothesis writes no patch
        return
    if hasattr(_patching, "get_patch_for"):
        _patching.get_patch_for = _no_hypothesis_patch  # type: ignore[assignment]


@pytest.fixture(scope="session")
def site_proxies() -> Iterator[Callable[[str], ReplayProxy]]:
    """A function giving the (reset) replay proxy of a site's fixtures, started once."""
    started: dict[str, ReplayProxy] = {}
    with ExitStack() as stack:

        def proxy_of(slug: str) -> ReplayProxy:
            if slug not in started:
                # the whole session (it stops by itself after this bound all the same)
                proxy = ReplayProxy(FIXTURES / slug, lifetime=3600)
                started[slug] = stack.enter_context(proxy)
            started[slug].reset()
            return started[slug]

        yield proxy_of


@pytest.fixture(scope="session")
def bisnis_proxy_session(site_proxies: Callable[[str], ReplayProxy]) -> ReplayProxy:
    return site_proxies("bisnis")


@pytest.fixture
def bisnis_proxy(site_proxies: Callable[[str], ReplayProxy]) -> ReplayProxy:
    return site_proxies("bisnis")


@pytest.fixture(scope="session")
def kompas_proxy_session(site_proxies: Callable[[str], ReplayProxy]) -> ReplayProxy:
    return site_proxies("kompas")


@pytest.fixture
def kompas_proxy(site_proxies: Callable[[str], ReplayProxy]) -> ReplayProxy:
    return site_proxies("kompas")


# -- the order files are handed to xdist's workers ------------------------------------------
#: The slowest test files (``pytest --durations=0``, summed by file), slowest first. With
#: ``--dist loadfile`` a worker takes a whole file at a time: a slow file taken last keeps one
#: worker busy while the others have nothing left. These go first; the other files follow, those
#: with more tests first (xdist's own order). A file missing here only runs later.
SLOW_FILES = (
    "tests/test_distributed.py",
    "tests/test_cron.py",
    "tests/test_news.py",
    "tests/test_news_publishing.py",
    "tests/test_archive_hostile.py",
    "tests/test_api.py",
    "tests/test_browser.py",
    "tests/test_archives.py",
    "tests/test_backfill.py",
    "tests/test_dataset.py",
    "tests/test_readme.py",
    "tests/test_bad_days.py",
    "tests/test_tools.py",
    "tests/test_sites.py",
)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # xdist: keep the order below
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def file_of(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    tests_in: dict[str, int] = {}
    for item in items:
        tests_in[file_of(item)] = tests_in.get(file_of(item), 0) + 1
    slow = {name: rank for rank, name in enumerate(SLOW_FILES)}
    items.sort(
        key=lambda item: (
            slow.get(file_of(item), len(slow)),
            -tests_in[file_of(item)],
            file_of(item),
        )
    )
