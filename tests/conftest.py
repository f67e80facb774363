"""Shared fixtures: the replayed reference sites behind a local forward proxy.

``<site>_proxy_session`` serves ``tests/fixtures/<site>/`` for the whole session;
``<site>_proxy`` is the same proxy with a fresh request log and fresh fault sequences.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.replay import ReplayProxy
from tests.support import FIXTURES


def serve(site: str) -> Iterator[ReplayProxy]:
    with ReplayProxy(FIXTURES / site, lifetime=900) as proxy:
        yield proxy


def fresh(proxy: ReplayProxy) -> ReplayProxy:
    proxy.reset()
    return proxy


@pytest.fixture(scope="session")
def bisnis_proxy_session() -> Iterator[ReplayProxy]:
    yield from serve("bisnis")


@pytest.fixture
def bisnis_proxy(bisnis_proxy_session: ReplayProxy) -> ReplayProxy:
    return fresh(bisnis_proxy_session)


@pytest.fixture(scope="session")
def kompas_proxy_session() -> Iterator[ReplayProxy]:
    yield from serve("kompas")


@pytest.fixture
def kompas_proxy(kompas_proxy_session: ReplayProxy) -> ReplayProxy:
    return fresh(kompas_proxy_session)
