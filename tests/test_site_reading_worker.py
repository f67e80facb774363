"""Site article pages read in the reading worker (:func:`newscrawl.pages.reading.read_site`,
``NEWSCRAWL_READ_WORKERS``): the site's page objects give in a worker what they give in the
crawl's process, and ``scrapy crawl <site>`` exports the same items, and counts the same
layouts, health and promo lines, with a worker and without one."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import re
import signal
from collections.abc import Callable
from dataclasses import replace
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem
from newscrawl.pages.base import ArticlePage, find_layout
from newscrawl.pages.reading import (
    PAYING_WORKERS,
    PageReaders,
    Reading,
    read_site,
    read_site_sent,
    readers_for,
)
from newscrawl.sites import Site
from newscrawl.spiders.base import NewsSpider
from newscrawl.spiders.common import UNENDED_DIGEST, BaseNewsSpider
from newscrawl.spiders.news import GenericNewsSpider
from tests.replay import ReplayProxy
from tests.support import (
    FIXTURES,
    all_sites,
    assert_items_match,
    crawl_plan,
    expected,
    fixture_response,
    manifest,
    response_for,
    run_crawl,
    stat,
)

SITES = sorted(all_sites())
#: The project's sites, crawled end to end with a worker and without.
CRAWLED = ("bisnis", "kompas")
CRAWLED_AT = re.compile(r'"crawled_at": ?"[^"]*",? ?')


def article_pages() -> list[tuple[str, str]]:
    """Every article page (status 200, HTML) of every site's fixtures, then its variants
    (``variants/<file>``: mutated copies of reference pages)."""
    pages = []
    for slug in SITES:
        site = all_sites()[slug]
        for url, entry in manifest(slug).items():
            served = entry.get("status", 200) == 200 and "html" in entry["content_type"]
            if served and site.urls.is_article(url):
                pages.append((slug, url))
        listed = FIXTURES / slug / "variants" / "variants.json"
        if listed.is_file():
            pages += [(slug, f"variants/{v['file']}") for v in json.loads(listed.read_text())]
    return pages


def page_response(slug: str, page: str) -> HtmlResponse:
    """The response of a fixture page: a URL the site serves, or ``variants/<file>`` (at the
    URL its entry names)."""
    if not page.startswith("variants/"):
        return response_for(page, slug)
    entries = json.loads((FIXTURES / slug / "variants" / "variants.json").read_text())
    url = next(v["url"] for v in entries if f"variants/{v['file']}" == page)
    return fixture_response(FIXTURES / slug / page, url)


def page_object(slug: str, page: str) -> ArticlePage:
    """The page object the site's spider reads the page with in its own process."""
    layouts = all_sites()[slug].article_layouts
    response = page_response(slug, page)
    return find_layout(response, layouts) or layouts[-1](response)


def timeless(item: ArticleItem) -> ArticleItem:
    return replace(item, crawled_at=None)


def in_worker(response: TextResponse, site: Site, follow_pager: bool, whole: bool) -> Reading:
    """What a worker sends back, its arguments and its answer pickled as a pool pickles them."""
    args = (type(response), response.url, response.body, response.encoding)
    sent = pickle.loads(pickle.dumps((*args, site.article_layouts, follow_pager, whole)))
    reading = read_site_sent(*sent)
    back: Reading = pickle.loads(pickle.dumps(reading))
    assert back == reading
    return back


@pytest.mark.parametrize(("slug", "page_name"), article_pages())
def test_a_site_reading_is_what_the_page_object_gives(slug: str, page_name: str) -> None:
    site = all_sites()[slug]
    response = page_response(slug, page_name)
    url = response.url
    layouts = site.article_layouts
    page = page_object(slug, page_name)
    follow_pager = site.urls.page(url) != "all"
    for reading in (
        read_site(response, layouts, follow_pager, whole=False),
        in_worker(response, site, follow_pager, whole=False),
    ):
        assert reading.layout == page.layout
        multipage = follow_pager and page.is_multipage()
        assert reading.is_multipage() is multipage
        if multipage:  # the spider asks for the whole text: nothing else is read
            assert reading.item is None
            continue
        assert reading.is_complete() is page.is_complete() is True
        assert reading.has_body() is page.has_body()
        assert timeless(reading.to_item()) == timeless(page.to_item())
        assert reading.notes() == page.notes()


def test_every_site_has_article_pages_under_test() -> None:
    """Pages of every site, pages of split articles whole, and pages that note something."""
    pages = article_pages()
    assert {slug for slug, _ in pages} == set(SITES)
    assert any(all_sites()[slug].urls.page(url) == "all" for slug, url in pages)
    noting = [(slug, name) for slug, name in pages if page_object(slug, name).notes()]
    assert noting


def cut_short(slug: str, article_id: str) -> HtmlResponse:
    """The article's page without its last 3 KB (no ``</html>``)."""
    response = response_for(expected(slug)[article_id]["url"], slug)
    return response.replace(body=response.body[:-3000])


@pytest.mark.parametrize("slug", CRAWLED)
def test_a_page_cut_short_gives_its_item_only_when_taken_as_whole(slug: str) -> None:
    site = all_sites()[slug]
    article_id = next(a for a in sorted(expected(slug)) if a not in crawl_plan(slug)["split"])
    response = cut_short(slug, article_id)
    for whole in (False, True):
        for reading in (
            read_site(response, site.article_layouts, True, whole),
            in_worker(response, site, True, whole),
        ):
            assert not reading.is_complete()
            if whole:
                assert reading.to_item().article_id == article_id
            else:
                with pytest.raises(ValueError, match="no item"):
                    reading.to_item()


def test_taken_as_whole_is_the_test_whole_without_end_counts() -> None:
    """The spider tells the reading whether a page without ``</html>`` is whole, by the test
    :meth:`~BaseNewsSpider.whole_without_end` counts (``fetch/whole_without_end``) after
    reading: a retry returned the same bytes, and the page ends like one."""
    ended = response_for(expected("bisnis")[next(iter(expected("bisnis")))]["url"], "bisnis")
    body = ended.body.replace(b"</html>", b"")
    assert b"</html" not in body.lower() and b"</body" in body[-2048:].lower()

    def retried(body: bytes, digest: str | None) -> HtmlResponse:
        meta = {} if digest is None else {UNENDED_DIGEST: digest}
        request = Request(ended.url, meta=meta)
        return HtmlResponse(ended.url, body=body, encoding="utf-8", request=request)

    assert BaseNewsSpider.taken_as_whole(retried(body, sha256(body).hexdigest()))
    assert not BaseNewsSpider.taken_as_whole(retried(body, None))
    assert not BaseNewsSpider.taken_as_whole(retried(body, sha256(b"other").hexdigest()))
    cut = body[: len(body) // 3]
    assert not BaseNewsSpider.taken_as_whole(retried(cut, sha256(cut).hexdigest()))


# -- the worker pool ------------------------------------------------------------------------


def read_all(
    readers: PageReaders, responses: list[tuple[Site, TextResponse]], first_pages: bool = False
) -> list[Reading]:
    """Each page read by ``readers`` as the spider asks (``first_pages``: each as the first
    page of its article, whose pager is followed)."""

    async def run() -> list[Reading]:
        try:
            return [
                await readers.read_site(
                    response,
                    site.article_layouts,
                    follow_pager=first_pages or site.urls.page(response.url) != "all",
                    whole=False,
                )
                for site, response in responses
            ]
        finally:
            readers.close()

    return asyncio.run(run())


def timeless_reading(reading: Reading) -> Reading:
    return replace(reading, item=timeless(reading.item)) if reading.item else reading


def some_responses() -> list[tuple[Site, TextResponse]]:
    return [(all_sites()[slug], page_response(slug, name)) for slug, name in article_pages()[::3]]


def counter() -> tuple[dict[str, int], Callable[[str], None]]:
    counts: dict[str, int] = {}

    def count(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    return counts, count


def test_a_worker_reads_site_pages_as_the_crawls_process_does() -> None:
    responses = some_responses()
    counts, count = counter()
    in_process = read_all(PageReaders(0, count), responses)
    assert counts == {}
    worker = read_all(PageReaders(1, count), responses)
    assert counts == {"reading/in_worker": len(responses)}
    assert list(map(timeless_reading, worker)) == list(map(timeless_reading, in_process))


def test_a_lost_worker_reads_the_rest_in_the_crawls_process() -> None:
    responses = some_responses()[:4]
    counts, count = counter()
    readers = PageReaders(1, count)

    async def run() -> list[Reading]:
        readings = []
        for number, (site, response) in enumerate(responses):
            if number == 1:  # the worker is killed (out of memory, say)
                pool: Any = readers._pool
                for pid in list(pool._processes):
                    os.kill(pid, signal.SIGKILL)
            layouts = site.article_layouts
            readings.append(await readers.read_site(response, layouts, True, whole=False))
        readers.close()
        return readings

    readings = asyncio.run(run())
    assert counts == {"reading/in_worker": 1, "reading/worker_lost": 1}
    assert readers.workers == 0
    want = read_all(PageReaders(0), responses, first_pages=True)
    assert list(map(timeless_reading, readings)) == list(map(timeless_reading, want))


# -- scrapy crawl <site>, with a worker and without -----------------------------------------


def feed_lines(feed: Path) -> list[str]:
    """The feed's lines as written, their ``crawled_at`` taken out."""
    lines = feed.read_text("utf-8").splitlines()
    assert all(CRAWLED_AT.search(line) for line in lines)
    return [CRAWLED_AT.sub("", line) for line in lines]


def newscrawl_stats(log: str) -> dict[str, str]:
    """The crawl's ``newscrawl/`` counters from its closing stats dump, but the reading's
    own (``newscrawl/reading/...``)."""
    found = {}
    for line in log.splitlines():
        line = line.strip()
        if line.startswith("'newscrawl/") and not line.startswith("'newscrawl/reading/"):
            name, _, value = line.partition(":")
            found[name.strip("'")] = value.strip().rstrip(",}")
    return found


@pytest.mark.parametrize("slug", CRAWLED)
def test_a_site_crawl_exports_the_same_with_a_worker_and_without(
    slug: str, site_proxies: Callable[[str], ReplayProxy], tmp_path: Path
) -> None:
    plan = crawl_plan(slug)
    results = {}
    for workers in ("0", "1"):
        proxy = site_proxies(slug)
        results[workers] = run_crawl(
            slug,
            {"browser": "never", **plan["arguments"]},
            output_dir=tmp_path / workers,
            proxy_env=proxy.env(),
            settings={"NEWSCRAWL_READ_WORKERS": workers},
        )
        assert results[workers].returncode == 0, results[workers].log[-3000:]
    alone, worker = results["0"], results["1"]
    want = set(expected(slug)) - set(plan["not_exported"])
    assert_items_match(slug, worker.items, want)
    # byte for byte but for crawled_at (in the order the pages came back)
    assert sorted(feed_lines(worker.feed)) == sorted(feed_lines(alone.feed))
    assert stat(alone.log, "newscrawl/reading/in_worker") == 0
    pages = stat(worker.log, "newscrawl/health/article_pages") + len(plan["split"])
    assert stat(worker.log, "newscrawl/reading/in_worker") >= pages > 0
    # what the ledger, the health checks, promo rules and layouts counted: the same
    assert newscrawl_stats(worker.log) == newscrawl_stats(alone.log)
    assert any(name.startswith("newscrawl/layout/") for name in newscrawl_stats(worker.log))


# -- NEWSCRAWL_READ_WORKERS=auto: a worker where it pays ----------------------------------


@pytest.mark.parametrize(
    ("value", "pays", "workers"),
    [
        ("auto", True, PAYING_WORKERS if (os.cpu_count() or 1) > 1 else 0),
        ("auto", False, 0),
        ("1", False, 1),
        ("3", True, 3),
        ("0", True, 0),
    ],
)
def test_auto_gives_workers_only_where_they_pay(value: str, pays: bool, workers: int) -> None:
    """``auto``: :data:`PAYING_WORKERS` (two) for the generic pages of ``crawl news``, none
    from the start for a site's spider; a number is obeyed."""
    assert PAYING_WORKERS == 2
    assert readers_for(Settings({"NEWSCRAWL_READ_WORKERS": value}), pays).workers == workers


def readers_of(spider_class: type[BaseNewsSpider], value: str, **args: str) -> int:
    crawler = get_crawler(spider_class, {"NEWSCRAWL_READ_WORKERS": value})
    spider = spider_class.from_crawler(crawler, **args)
    crawler.spider = spider
    return spider.readers.workers


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="auto gives no worker on one core")
def test_auto_reads_site_pages_in_the_crawls_process_and_news_pages_in_a_worker() -> None:
    """A site's page objects cost too little for a worker to pay in a short crawl
    (docs/benchmarks.md): with ``auto`` (the default) a site crawl starts reading in its own
    process, with one worker to come; a number is obeyed."""
    site_spider = NewsSpider.for_site(all_sites()["bisnis"])
    assert readers_of(site_spider, "auto") == 0
    assert later_of(site_spider, "auto") == (1, 200)
    assert readers_of(site_spider, "1") == 1 and later_of(site_spider, "1")[0] == 0
    assert later_of(site_spider, "0")[0] == 0
    assert readers_of(GenericNewsSpider, "auto", start_urls="https://www.bisnis.com/") == 2
    assert get_project_settings().get("NEWSCRAWL_READ_WORKERS") == "auto"
    assert get_project_settings().getint("NEWSCRAWL_READ_WORKER_AFTER") == 200


def later_of(spider_class: type[BaseNewsSpider], value: str) -> tuple[int, int]:
    crawler = get_crawler(spider_class, {"NEWSCRAWL_READ_WORKERS": value})
    spider = spider_class.from_crawler(crawler)
    crawler.spider = spider
    readers: Any = spider.readers
    return readers._later, readers._after


def test_a_later_worker_starts_after_so_many_pages_and_reads_the_same() -> None:
    responses = some_responses()[:5]
    counts, count = counter()
    readers = PageReaders(0, count, later=1, after=2)

    async def run() -> list[Reading]:
        readings = []
        for site, response in responses:
            layouts = site.article_layouts
            readings.append(await readers.read_site(response, layouts, True, whole=False))
        readers.close()
        return readings

    readings = asyncio.run(run())
    assert counts == {"reading/in_worker": 3}  # pages 3, 4 and 5
    want = read_all(PageReaders(0), responses, first_pages=True)
    assert list(map(timeless_reading, readings)) == list(map(timeless_reading, want))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="auto gives no worker on one core")
def test_a_site_crawl_with_auto_moves_to_a_worker_after_so_many_pages(
    site_proxies: Callable[[str], ReplayProxy], tmp_path: Path
) -> None:
    slug = "bisnis"
    plan = crawl_plan(slug)
    result = run_crawl(
        slug, {"browser": "never", **plan["arguments"]}, output_dir=tmp_path,
        proxy_env=site_proxies(slug).env(), settings={"NEWSCRAWL_READ_WORKER_AFTER": "5"},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(slug, result.items, set(expected(slug)) - set(plan["not_exported"]))
    # every page but the first five in the worker (split articles' pages are read too)
    pages = stat(result.log, "newscrawl/health/article_pages") + len(plan["split"])
    assert 0 < stat(result.log, "newscrawl/reading/in_worker") <= pages - 5
    assert "Reading the next article pages in 1 worker process(es) (5 read here)" in result.log
