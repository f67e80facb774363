"""Downloader middlewares of our own (the browser's is in newscrawl/browser.py)."""

from __future__ import annotations

import codecs
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response, TextResponse

_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8"})


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as cp1252 (``\\x93`` → ``“``), one byte at a time."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("newscrawl-cp1252", _cp1252_fallback)


def repair_utf8(body: bytes) -> bytes | None:
    """``body`` re-encoded as clean UTF-8 when it is UTF-8 with stray cp1252 bytes, else None."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="newscrawl-cp1252").encode("utf-8")
    return None


class CharsetRepairMiddleware:
    """A page that says it is UTF-8 but holds cp1252 bytes (a common CMS accident) is read
    with those bytes as cp1252 instead of as replacement characters; counted as
    ``newscrawl/charset/repaired``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetRepairMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if not isinstance(response, HtmlResponse) or response.encoding.lower() not in _UTF8_NAMES:
            return response
        repaired = repair_utf8(response.body)
        if repaired is None:
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/charset/repaired")
        fixed: TextResponse = response.replace(body=repaired, encoding="utf-8")
        return fixed
