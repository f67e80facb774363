"""Shared fixtures: the replayed reference sites behind a local forward proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.replay import ReplayProxy
from tests.support import FIXTURES


@pytest.fixture(scope="session")
def bisnis_proxy_session() -> Iterator[ReplayProxy]:
    with ReplayProxy(FIXTURES / "bisnis", lifetime=900) as proxy:
        yield proxy


@pytest.fixture
def bisnis_proxy(bisnis_proxy_session: ReplayProxy) -> ReplayProxy:
    """The replayed Bisnis.com, with a fresh request log and fresh fault sequences."""
    bisnis_proxy_session.reset()
    return bisnis_proxy_session
