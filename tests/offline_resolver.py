"""A DNS resolver for crawls in tests that stands for a machine without network: every name
fails to resolve (``TWISTED_DNS_RESOLVER=tests.offline_resolver.NoNetworkResolver``), so a
crawl sees what it sees offline without asking any DNS server."""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError


class NoNetworkResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        return defer.fail(DNSLookupError(f"{name}: Temporary failure in name resolution"))
