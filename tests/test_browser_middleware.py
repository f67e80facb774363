"""The browser fallback middleware, unit-tested without a crawl or a browser (as Scrapy tests its
own middlewares): a stand-in engine answers the renders, so every decision is checked alone."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import NotSupported
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl.browser import (
    AFTER_RENDER_META,
    BROWSER_META,
    RENDER_META,
    WAIT_FOR_META,
    BrowserDownloadHandler,
    BrowserFallbackMiddleware,
)
from newscrawl.middlewares import SkipRequest

ARTICLE = "https://market.bisnis.com/read/20251120/7/1/berita"
OTHER = "https://market.bisnis.com/read/20251120/7/2/berita-lain"
CHECK = (
    b"<html><head><title>Memeriksa browser</title><script>document.cookie='bisnis_js=1';"
    b"location.reload()</script></head><body></body></html>"
)
PAGE = b"<html><body><article class='detailsContent'><p>Isi berita.</p></article></body></html>"


class Page:
    """What scrapy-playwright hands over with ``playwright_include_page``."""

    def __init__(self, content: bytes = PAGE) -> None:
        self.closed = False
        self._content = content
        self.context = self

    async def cookies(self) -> list[dict[str, Any]]:
        return [
            {"name": "bisnis_js", "value": "1", "domain": ".bisnis.com", "path": "/"},
            {"name": "tracker", "value": "x", "domain": ".example.com", "path": "/"},
        ]

    async def content(self) -> str:
        return self._content.decode("utf-8")

    async def close(self) -> None:
        self.closed = True


class Engine:
    """Downloads a render the way the downloader would: through the middleware's own
    ``process_response`` (or ``process_exception``), with a page object attached."""

    def __init__(self, middleware: BrowserFallbackMiddleware, body: bytes = PAGE) -> None:
        self.middleware = middleware
        self.body = body
        self.renders: list[Request] = []
        self.fail: BaseException | None = None
        self.pages: list[Page] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def download_async(self, request: Request) -> Response:
        self.renders.append(request)
        await self.gate.wait()
        page = Page(self.body)
        self.pages.append(page)
        request.meta["playwright_page"] = page
        if self.fail is not None:
            await self.middleware.process_exception(request, self.fail)
        response = HtmlResponse(request.url, status=403, body=self.body, request=request)
        return await self.middleware.process_response(request, response)  # type: ignore[return-value]


def middleware(**settings: Any) -> tuple[BrowserFallbackMiddleware, Engine]:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_CHROMIUM_PATH": "/bin/true", **settings})
    mw = BrowserFallbackMiddleware.from_crawler(crawler)
    engine = Engine(mw)
    crawler.engine = engine  # type: ignore[assignment]
    return mw, engine


def article(url: str = ARTICLE, mode: str | None = None) -> Request:
    meta: dict[str, Any] = {"kind": "article", WAIT_FOR_META: "article.detailsContent"}
    if mode is not None:
        meta[BROWSER_META] = mode
    return Request(url, meta=meta)


def check(request: Request) -> Response:
    return HtmlResponse(request.url, status=403, body=CHECK, request=request)


def stat(mw: BrowserFallbackMiddleware, name: str) -> Any:
    assert mw.crawler.stats is not None
    return mw.crawler.stats.get_value(f"newscrawl/browser/{name}")


def test_a_check_is_rendered_once_and_the_earned_cookies_go_to_plain_requests() -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        request = article()
        assert await mw.process_request(request) is None
        answer = await mw.process_response(request, check(request))
        assert isinstance(answer, HtmlResponse) and answer.body == PAGE
        [render] = engine.renders
        assert render.meta["playwright"] and render.meta[RENDER_META] == "js_check"
        assert render.meta["dont_retry"] and render.dont_filter
        assert engine.pages[0].closed and "playwright_page" not in answer.meta
        assert (stat(mw, "renders"), stat(mw, "reason/js_check"), stat(mw, "passed")) == (1, 1, 1)
        later = article(OTHER)
        assert await mw.process_request(later) is None
        assert later.cookies == [{"name": "bisnis_js", "value": "1", "path": "/"}]
        assert stat(mw, "cookies_reused") == 1
        assert mw.rendering == {}

    asyncio.run(scenario())


def test_requests_wait_while_their_host_renders_and_then_go_plainly() -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        engine.gate.clear()  # the render takes its time
        first, second, third = article(), article(OTHER), article(OTHER + "-3")
        rendering = asyncio.create_task(mw.process_response(first, check(first)))
        await asyncio.sleep(0)
        waiting_before = asyncio.create_task(mw.process_request(second))
        waiting_after = asyncio.create_task(mw.process_response(third, check(third)))
        await asyncio.sleep(0.01)
        assert not waiting_before.done() and not waiting_after.done()
        engine.gate.set()
        await rendering
        assert await waiting_before is None and second.cookies  # goes out with the cookies
        again = await waiting_after
        assert isinstance(again, Request) and again.meta[AFTER_RENDER_META] and again.dont_filter
        assert len(engine.renders) == 1 and stat(mw, "waiting") == 2
        # fetched again and still a check: rendered itself, not parked again
        await mw.process_response(again, check(again))
        assert len(engine.renders) == 2

    asyncio.run(scenario())


def test_a_render_that_does_not_pass_fails_as_blocked_and_the_waiters_keep_the_check() -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        engine.fail = TimeoutError("wait_for_selector: Timeout 15000ms exceeded")
        engine.body = CHECK  # the page still shows the check
        engine.gate.clear()
        first, other = article(), article(OTHER)
        rendering = asyncio.create_task(mw.process_response(first, check(first)))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(mw.process_response(other, check(other)))
        engine.gate.set()
        with pytest.raises(SkipRequest) as failed:
            await rendering
        assert failed.value.reason == "blocked"
        assert stat(mw, "still_blocked") == 1 and engine.pages[0].closed
        kept = await waiting
        assert isinstance(kept, Response) and kept.body == CHECK  # counted blocked by the spider

    asyncio.run(scenario())


def test_a_failed_render_of_a_page_that_is_no_check_is_no_body() -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        engine.fail = TimeoutError("wait_for_selector")
        engine.body = b"<html><body><h1>Halaman tidak ditemukan</h1></body></html>"
        request = article()
        with pytest.raises(SkipRequest) as failed:
            await mw.process_response(request, check(request))
        assert failed.value.reason == "no_body"

    asyncio.run(scenario())


@pytest.mark.parametrize("mode", ["never", None])
def test_requests_opt_out_or_never_opted_in_are_left_alone(mode: str | None) -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        request = article(mode="never") if mode else Request(ARTICLE)  # no WAIT_FOR: never
        answer = check(request)
        assert await mw.process_response(request, answer) is answer
        assert engine.renders == []

    asyncio.run(scenario())


def test_always_renders_before_any_plain_download() -> None:
    async def scenario() -> None:
        mw, engine = middleware()
        rendered = await mw.process_request(article(mode="always"))
        assert isinstance(rendered, HtmlResponse) and rendered.body == PAGE
        assert engine.renders[0].meta[RENDER_META] == "always"
        assert stat(mw, "reason/always") == 1
        # the rendered answer then passes the middleware as any response does
        assert await mw.process_response(article(mode="always"), rendered) is rendered

    asyncio.run(scenario())


def test_the_setting_is_the_default_mode() -> None:
    async def scenario() -> None:
        mw, engine = middleware(NEWSCRAWL_BROWSER="never")
        request = article()
        answer = check(request)
        assert await mw.process_response(request, answer) is answer
        assert engine.renders == []

    asyncio.run(scenario())


def test_without_chromium_a_check_stays_a_check_and_one_warning_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        mw, engine = middleware(NEWSCRAWL_CHROMIUM_PATH="/nonexistent/chromium")
        for url in (ARTICLE, OTHER):
            request = article(url)
            answer = check(request)
            assert await mw.process_response(request, answer) is answer
        assert engine.renders == []

    with caplog.at_level(logging.WARNING, logger="newscrawl.browser"):
        asyncio.run(scenario())
    warnings = [r for r in caplog.records if "Chromium not found" in r.getMessage()]
    assert len(warnings) == 1


# -- the download handler -------------------------------------------------------------------


HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


class _Closing:
    """A handler that records its close (and fails it, when asked)."""

    def __init__(self, fails: bool = False) -> None:
        self.fails, self.closed = fails, False

    async def close(self) -> None:
        self.closed = True
        if self.fails:
            raise RuntimeError("close failed")


def test_the_handler_closes_the_browser_even_when_the_plain_handler_fails_to() -> None:
    handler = BrowserDownloadHandler(get_crawler())
    plain, browser = _Closing(fails=True), _Closing()
    handler._plain, handler._browser = plain, browser
    with pytest.raises(RuntimeError, match="close failed"):
        asyncio.run(handler.close())
    assert plain.closed and browser.closed
    asyncio.run(BrowserDownloadHandler(get_crawler()).close())  # nothing made: nothing to do


def test_a_scheme_scrapy_has_no_handler_for_is_not_supported() -> None:
    """As Scrapy answers a scheme it has no handler for (``NotSupported``), not a KeyError."""
    crawler: Any = SimpleNamespace(settings=Settings({"DOWNLOAD_HANDLERS_BASE": {"https": HTTP11}}))
    handler = BrowserDownloadHandler(crawler)
    with pytest.raises(NotSupported, match="Unsupported URL scheme 'http'"):
        asyncio.run(handler.download_request(Request("http://example.com/")))
