"""Our downloader middlewares, unit-tested without a crawl (as Scrapy tests its own)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import (
    HostBackoffMiddleware,
    ScopedRedirectMiddleware,
    SiteScopeMiddleware,
    SkipRequest,
    origin_url,
    retry_after_seconds,
)

ARTICLE = "https://market.bisnis.com/read/20250101/7/3000001/berita"


class SiteSpider(Spider):
    name = "site"
    allowed_domains = ["bisnis.com"]  # noqa: RUF012 - Scrapy's own attribute


def crawler_with_spider(settings: dict[str, Any] | None = None) -> Any:
    crawler = get_crawler(SiteSpider, settings_dict=settings or {})
    crawler.spider = SiteSpider()
    return crawler


def response(url: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return HtmlResponse(url, status=status, headers=headers or {}, body=b"<html></html>")


# -- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil-retry.example/read/1",
        "https://bisnis.com.example.net/read/20250101/7/1/x",
        "http://127.0.0.1/read/20250101/7/1/x",
        "ftp://market.bisnis.com/x",
    ],
)
@pytest.mark.parametrize("flags", [{}, {"dont_filter": True}, {"meta": {"allow_offsite": True}}])
def test_scope_refuses_every_offsite_request_whatever_its_flags(
    url: str, flags: dict[str, Any]
) -> None:
    middleware = SiteScopeMiddleware(crawler_with_spider())
    with pytest.raises(SkipRequest) as refused:
        middleware.process_request(Request(url, **flags))
    assert refused.value.reason == "offsite"


def test_scope_names_a_redirect_that_left_the_site() -> None:
    middleware = SiteScopeMiddleware(crawler_with_spider())
    request = Request("https://evil.example/", meta={"redirect_urls": [ARTICLE]})
    with pytest.raises(SkipRequest) as refused:
        middleware.process_request(request)
    assert refused.value.reason == "offsite_redirect"
    assert origin_url(request) == ARTICLE


def test_scope_lets_site_hosts_through() -> None:
    middleware = SiteScopeMiddleware(crawler_with_spider())
    for url in (ARTICLE, "https://www.bisnis.com/robots.txt", "http://bisnis.com/"):
        assert middleware.process_request(Request(url)) is None


def redirect(middleware: ScopedRedirectMiddleware, request: Request, location: str) -> Any:
    return middleware.process_response(request, response(request.url, 302, {"Location": location}))


def test_redirects_are_followed_on_the_site_only_and_never_round_a_loop() -> None:
    middleware = ScopedRedirectMiddleware.from_crawler(crawler_with_spider())
    start = Request(ARTICLE, dont_filter=True)
    with pytest.raises(SkipRequest) as refused:
        redirect(middleware, start, "https://evil-retry.example/x")
    assert refused.value.reason == "offsite_redirect"
    with pytest.raises(SkipRequest) as loop:
        redirect(middleware, start, ARTICLE)
    assert loop.value.reason == "redirect_loop"
    hop = redirect(middleware, start, "https://market.bisnis.com/other")
    assert isinstance(hop, Request) and hop.meta["redirect_urls"] == [ARTICLE]
    with pytest.raises(SkipRequest) as back:
        redirect(middleware, hop, ARTICLE)
    assert back.value.reason == "redirect_loop"
    # http -> https of the same page is a redirect, not a loop
    plain = Request(ARTICLE.replace("https:", "http:"))
    assert isinstance(redirect(middleware, plain, ARTICLE), Request)


# -- per-host back-off ----------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    now = datetime(2025, 11, 14, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(later.encode(), now=now.timestamp()) == pytest.approx(90)
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT", now=now.timestamp()) == 0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def backoff(**settings: Any) -> HostBackoffMiddleware:
    return HostBackoffMiddleware(crawler_with_spider(settings))


def answer(middleware: HostBackoffMiddleware, request: Request, response: Response) -> Response:
    """As the downloader does: the response_downloaded signal, then the middleware chain."""
    middleware.response_downloaded(response, request)
    return middleware.process_response(request, response)


def test_retry_after_holds_the_host() -> None:
    middleware = backoff()
    request = Request(ARTICLE)
    busy = response(ARTICLE, 503, {"Retry-After": "30"})
    assert answer(middleware, request, busy) is busy  # the retry middleware retries
    wait = middleware.not_before["market.bisnis.com"]
    assert 29 < wait - time.monotonic() <= 30
    assert "ekonomi.bisnis.com" not in middleware.not_before


def test_429s_without_the_header_double_the_wait_until_another_answer() -> None:
    middleware = backoff(NEWSCRAWL_BACKOFF_BASE=1)
    request = Request(ARTICLE)
    for run in (1, 2, 3):
        answer(middleware, request, response(ARTICLE, 429))
        assert middleware.pushbacks["market.bisnis.com"] == run
        assert middleware.not_before["market.bisnis.com"] - time.monotonic() > 2 ** (run - 1) - 1
    answer(middleware, request, response(ARTICLE, 200))
    assert "market.bisnis.com" not in middleware.pushbacks


def test_a_wait_over_the_bound_gives_the_host_up_for_the_run() -> None:
    middleware = backoff(NEWSCRAWL_MAX_RETRY_AFTER=60)
    with pytest.raises(SkipRequest) as refused:
        answer(middleware, Request(ARTICLE), response(ARTICLE, 429, {"Retry-After": "120"}))
    assert refused.value.reason == "rate_limited"
    with pytest.raises(SkipRequest):
        asyncio.run(middleware.process_request(Request(ARTICLE + "-2")))
    assert asyncio.run(middleware.process_request(Request("https://www.bisnis.com/x"))) is None


def test_timeouts_in_a_row_give_the_host_up() -> None:
    from scrapy.exceptions import DownloadTimeoutError

    middleware = backoff(NEWSCRAWL_HOST_MAX_TIMEOUTS=2)
    request = Request(ARTICLE)
    middleware.process_exception(request, DownloadTimeoutError("slow"))
    answer(middleware, request, response(ARTICLE, 200))  # an answer resets the run
    middleware.process_exception(request, DownloadTimeoutError("slow"))
    middleware.process_exception(request, ConnectionResetError("reset"))  # not a timeout
    assert "market.bisnis.com" not in middleware.given_up
    middleware.process_exception(request, DownloadTimeoutError("slow"))
    assert middleware.given_up["market.bisnis.com"] == "host_unreachable"


# -- what page objects notice is counted by the spider ------------------------------------------


def test_the_spider_counts_what_the_page_object_noticed() -> None:
    from newscrawl.pages.base import page_in_layout
    from newscrawl.sites import kompas
    from newscrawl.spiders.base import NewsSpider

    KompasSpider = NewsSpider.for_site(kompas.SITE)
    from tests.support import FIXTURES

    url = (
        "https://money.kompas.com/read/2025/11/20/082227227/"
        "rupiah-dan-penyaluran-kredit-jadi-sorotan-ini-kata-yusuf"
    )
    body = (FIXTURES / "kompas" / "variants" / "credit-unlabelled.html").read_bytes()
    crawler = get_crawler(KompasSpider)
    spider = KompasSpider(since="2025-11-20")
    spider._set_crawler(crawler)
    page = page_in_layout(
        HtmlResponse(url, body=body, encoding="utf-8"), kompas.SITE.article_layouts
    )
    items = list(spider.article_item(page.response, page))
    assert len(items) == 1
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/credits/unlabelled") == 1


def test_requests_under_way_together_count_as_one_episode() -> None:
    from scrapy.exceptions import DownloadTimeoutError

    middleware = backoff(NEWSCRAWL_HOST_MAX_TIMEOUTS=2)
    together = [
        Request(f"{ARTICLE}-{n}", meta={"newscrawl_sent_at": time.monotonic()}) for n in range(4)
    ]
    for request in together:  # four requests that hung together: one timeout in the run
        middleware.process_exception(request, DownloadTimeoutError("slow"))
    assert middleware.timeouts["market.bisnis.com"] == 1
    assert "market.bisnis.com" not in middleware.given_up
    later = Request(ARTICLE, meta={"newscrawl_sent_at": time.monotonic()})
    middleware.process_exception(later, DownloadTimeoutError("slow"))
    assert middleware.given_up["market.bisnis.com"] == "host_unreachable"


def test_scope_lets_a_data_uri_through_and_no_other_scheme() -> None:
    """A ``data:`` URI is answered in the process (the news spider's flush of held articles);
    it contacts no host."""
    middleware = SiteScopeMiddleware(crawler_with_spider())
    assert middleware.process_request(Request("data:,")) is None
    with pytest.raises(SkipRequest):
        middleware.process_request(Request("file:///etc/passwd"))
