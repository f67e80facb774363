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
