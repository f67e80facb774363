"""Hostile sites and bad days, each reproduced through the replay proxy the way it was found.

Every crawl here checks the wire: :meth:`ReplayProxy.hosts` holds every host a client asked the
proxy for, CONNECTs included, so a request that escapes the site cannot hide.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals

from newscrawl.settings import EXTENSIONS
from newscrawl.sites.bisnis import URLS
from tests.replay import ReplayProxy
from tests.sitegen import Generated, SiteBuilder, generate_site, index_url
from tests.support import CrawlResult, published_items, run_crawl, stat

EVIL = "evil-retry.example"
QUICK = {"DOWNLOAD_TIMEOUT": "2"}
HTML = "text/html; charset=UTF-8"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_site(tmp_path_factory.mktemp("hostile") / "site", 30, per_day=30, per_page=10)


def crawl(
    root: Path,
    output: Path,
    site: Generated,
    settings: dict[str, str] | None = None,
    **proxy_options: Any,
) -> tuple[CrawlResult, ReplayProxy]:
    """One run of the site's day (own feed under ``output``), and the proxy that served it."""
    with ReplayProxy(root, lifetime=300, **proxy_options) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings={**QUICK, **(settings or {})}, default_feed=True,
        )  # fmt: skip
    return result, proxy


def site_hosts_only(proxy: ReplayProxy) -> None:
    hosts = proxy.hosts()
    assert hosts and all(h == "bisnis.com" or h.endswith(".bisnis.com") for h in hosts), hosts


def failures(output: Path) -> dict[str, str]:
    """The state's remembered failures: article id -> reason."""
    with sqlite3.connect(output / "bisnis" / "state.sqlite3") as db:
        return dict(db.execute("SELECT article_id, reason FROM failures").fetchall())


def exported_ids(output: Path) -> Counter[str]:
    return Counter(item["article_id"] for item in published_items(output))


def host_urls(site: Generated, host: str) -> list[str]:
    return [url for url in site.articles.values() if f"//{host}/" in url]


# -- 1. a retried request does not escape the site ---------------------------------------------


def test_a_retried_request_that_redirects_off_site_never_reaches_the_other_host(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    urls = list(site.articles.values())
    # 503 first; the retry (dont_filter) is redirected off the site, to an article-like URL
    evil_article = f"https://{EVIL}/read/20250101/47/6660001/evil"
    builder.put(urls[0], "", status=302, fail_first_with=[503], headers={"Location": evil_article})
    # ... and the same behind the browser's back: released and rendered requests are requests
    # a plain redirect, and a meta refresh, off the site
    builder.put(urls[1], "", status=301, headers={"Location": f"http://{EVIL}/"})
    refresh = f'<html><head><meta http-equiv="refresh" content="0;url=https://{EVIL}/x"></head>'
    builder.put(urls[2], refresh + "<body></body></html>")
    result, proxy = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    site_hosts_only(proxy)
    assert stat(result.log, "newscrawl/skipped/offsite_redirect") == 3
    assert stat(result.log, "retry/count") >= 1  # the 503 was retried
    assert proxy.count(urls[0]) == 2
    # counted under the URLs asked for; nothing remembered for an id the attacker named
    assert not {"6660001"} & set(failures(tmp_path / "out"))
    for url in urls[:3]:
        assert f"Skipped {url} (offsite_redirect" in result.log
    assert set(exported_ids(tmp_path / "out")) == set(site.articles) - {
        URLS.article_id(url) for url in urls[:3]
    }


def test_redirect_loops_are_skipped_with_a_reason(site: Generated, tmp_path: Path) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    urls = list(site.articles.values())
    builder.put(urls[3], "", status=302, headers={"Location": urls[3]})  # to itself
    other = urls[4].replace("/read/", "/read-again/")
    builder.put(urls[4], "", status=302, headers={"Location": other})
    builder.put(other, "", status=302, headers={"Location": urls[4]})  # A -> B -> A
    result, proxy = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result.log, "newscrawl/skipped/redirect_loop") == 2
    assert proxy.count(urls[3]) == 1 and proxy.count(urls[4]) == 1


# -- 2. robots.txt for every request ------------------------------------------------------------


def test_robots_txt_is_obeyed_by_every_request_even_while_it_is_fetched(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    for url in list(builder.entries):
        if url.endswith("/robots.txt"):
            builder.put(url, "User-agent: *\nDisallow: /read/\n", content_type="text/plain")
    root = builder.save()
    for run in range(2):  # the leak was deterministic: both runs
        result, proxy = crawl(root, tmp_path / f"out{run}", site)
        assert result.returncode == 0, result.log[-3000:]
        assert [url for url in proxy.urls() if "/read/" in url] == []
        assert stat(result.log, "newscrawl/skipped/robots") == len(site.articles)
        assert result.log.count("Forbidden by robots.txt") >= len(site.articles)
        site_hosts_only(proxy)


# -- 3. 429 and Retry-After ---------------------------------------------------------------------


def test_a_host_that_asks_to_wait_too_long_is_left_for_the_next_run(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    limited = host_urls(site, "market.bisnis.com")
    for url in limited:
        builder.put(
            url, builder.body(url), fail_first_with=[429] * 5, fail_headers={"Retry-After": "120"}
        )
    output = tmp_path / "out"
    started = time.monotonic()
    result, proxy = crawl(builder.save(), output, site)
    assert result.returncode == 0, result.log[-3000:]
    assert time.monotonic() - started < 60
    to_host = [url for url in proxy.urls() if "//market.bisnis.com/read/" in url]
    # the first answer stops the host; only requests already on the way when it came follow
    assert len(to_host) <= 8 < len(limited) * 3, to_host
    assert stat(result.log, "newscrawl/skipped/rate_limited") == len(limited)
    assert stat(result.log, "newscrawl/backoff/rate_limited") == 1
    limited_ids = {URLS.article_id(url) for url in limited}
    assert not limited_ids & set(exported_ids(output))
    assert not limited_ids & set(failures(output))  # not remembered: the next run fetches them
    # the host has calmed down: the next run gets exactly those articles
    calm, proxy = crawl(site.root, output, site)
    assert calm.returncode == 0, calm.log[-3000:]
    assert {url for url in proxy.urls() if "/read/" in url} == set(limited)
    counts = exported_ids(output)
    assert set(counts) == set(site.articles) and max(counts.values()) == 1


def request_times(log_path: Path, url: str) -> list[float]:
    lines = [json.loads(line) for line in log_path.read_text("utf-8").splitlines()]
    return [line["time"] for line in lines if line.get("url") == url]


class PushbackWitness:
    """An extension for the crawl under test (``HOSTILE_PUSHBACKS`` names its file): one JSON
    line per 429 or 503 the crawl receives, written when the downloader has the answer (Scrapy's
    ``response_downloaded``, where :class:`HostBackoffMiddleware` starts the host's wait; an
    extension connects before the downloader's middlewares, so its time is taken first), with
    the other requests to that host then under way: taken from its slot by the downloader, so
    already going out and not the back-off's to hold. Wall-clock time, as the proxy's log."""

    def __init__(self, crawler: Any, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> PushbackWitness:
        witness = cls(crawler, Path(crawler.settings["HOSTILE_PUSHBACKS"]))
        crawler.signals.connect(witness.downloaded, signal=signals.response_downloaded)
        return witness

    def downloaded(self, response: Any, request: Any, spider: Any = None) -> None:
        if response.status not in (429, 503):
            return
        seen = time.time()
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        under_way = [
            other.url for other in (slot.transferring if slot else ()) if other is not request
        ]
        line = {"time": seen, "url": request.url, "status": response.status, "under_way": under_way}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


#: Wall clocks of two processes (the proxy's log, the crawl's witness) compared: the margin.
CLOCKS = 0.001


def test_retry_after_is_honoured_before_the_retry(site: Generated, tmp_path: Path) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    urls = list(site.articles.values())
    builder.put(
        urls[5], builder.body(urls[5]), fail_first_with=[503], fail_headers={"Retry-After": "3"}
    )
    # one article of a host answers 429 with Retry-After: 2, while the host's other articles
    # wait in its download slot (one request at a time per host)
    pushy = host_urls(site, "finansial.bisnis.com")
    builder.put(
        pushy[0], builder.body(pushy[0]), fail_first_with=[429], fail_headers={"Retry-After": "2"}
    )
    log_path, pushbacks = tmp_path / "requests.jsonl", tmp_path / "pushbacks.jsonl"
    witness = {**EXTENSIONS, f"{__name__}.{PushbackWitness.__name__}": 0}
    result, _ = crawl(
        builder.save(), tmp_path / "out", site, log_path=log_path,
        settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "1", "EXTENSIONS": json.dumps(witness),
                  "HOSTILE_PUSHBACKS": str(pushbacks)},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    # "after the 429" is after the crawl received it: the proxy logs a request when it reads
    # it, and under load a request taken by the downloader before the answer came (Scrapy 2.19
    # sends what is queued for a slot together, even with CONCURRENT_REQUESTS_PER_DOMAIN=1,
    # its slot counting a request only once its download coroutine runs) may reach the proxy
    # well after the 429 was sent, even after the crawl received it (0.8 s seen at load 6)
    seen = {
        line["url"]: line for line in map(json.loads, pushbacks.read_text("utf-8").splitlines())
    }
    first, second = request_times(log_path, urls[5])
    assert second - first >= 2.9
    assert second - seen[urls[5]]["time"] >= 3 - CLOCKS, "the 503's retry came before its wait"
    pushed_back, under_way = seen[pushy[0]]["time"], set(seen[pushy[0]]["under_way"])
    assert seen[pushy[0]]["status"] == 429 and under_way <= set(pushy) - {pushy[0]}
    lines = [json.loads(line) for line in log_path.read_text("utf-8").splitlines()]
    to_host = [line for line in lines if "//finansial.bisnis.com/" in line.get("url", "")]
    after = [
        (line["time"] - pushed_back, line["url"]) for line in to_host if line["time"] > pushed_back
    ]
    assert after, "the host's other articles should come after the 429"
    # what the crawl sent to the host once it had the 429 waited the 2 s: all that reached
    # the proxy after the crawl received it but the requests then already under way
    assert all([line["url"] for line in to_host].count(url) == 1 for url in under_way)
    sent_after = [(wait, url) for wait, url in after if url not in under_way]
    too_soon = [(wait, url) for wait, url in sent_after if wait < 2 - CLOCKS]
    assert too_soon == [], (
        f"requests reached the host too soon after the 429: {after}"
        f" (under way when it came: {sorted(under_way)})"
    )
    [retried] = [wait for wait, url in after if url == pushy[0]]  # its retry, after the wait
    assert retried >= 2 - CLOCKS, "the 429's own retry came before its Retry-After"
    assert set(exported_ids(tmp_path / "out")) == set(site.articles)


# -- 4. an index page that redirects off the site -----------------------------------------------


def test_an_index_page_redirected_off_site_is_skipped_and_paged_again_next_run(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    page2 = index_url(site.days[0], 2)
    builder.put(page2, "", status=302, headers={"Location": f"https://{EVIL}/index"})
    output = tmp_path / "out"
    result, proxy = crawl(builder.save(), output, site)
    assert result.returncode == 0, result.log[-3000:]
    site_hosts_only(proxy)
    assert stat(result.log, "newscrawl/skipped/index_offsite_redirect") == 1
    assert f"Skipped {page2} (index_offsite_redirect" in result.log
    assert len(exported_ids(output)) == len(site.articles) - 10  # page 2's ten are missing
    # the index is not complete: the next run pages it again, and gets the rest
    again, proxy = crawl(site.root, output, site)
    assert again.returncode == 0, again.log[-3000:]
    assert proxy.count(page2) == 1
    counts = exported_ids(output)
    assert set(counts) == set(site.articles) and max(counts.values()) == 1


# -- 12. a run that cannot end, a host that never answers ---------------------------------------


def test_a_host_that_times_out_is_given_up(site: Generated, tmp_path: Path) -> None:
    hanging = host_urls(site, "kabar24.bisnis.com")
    faults = {url: ["hang"] * 3 for url in hanging}
    started = time.monotonic()
    result, proxy = crawl(
        site.root, tmp_path / "out", site,
        settings={"DOWNLOAD_TIMEOUT": "1", "NEWSCRAWL_HOST_MAX_TIMEOUTS": "2",
                  "CONCURRENT_REQUESTS_PER_DOMAIN": "1"},
        faults=faults, hang_seconds=5,
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    asked = [url for url in proxy.urls() if "//kabar24.bisnis.com/read/" in url]
    # two timeouts in a row (requests under way together time out as one): the first tries,
    # then their retries, then no more; without the guard every article is tried three times
    assert len(asked) <= len(hanging) * 2 < len(hanging) * 3, asked
    assert stat(result.log, "newscrawl/backoff/host_unreachable") == 1
    skipped = stat(result.log, "newscrawl/skipped/host_unreachable")
    assert skipped + stat(result.log, "newscrawl/skipped/timeout") == len(hanging)
    assert time.monotonic() - started < 45


def test_a_whole_run_deadline_ends_a_stuck_run(site: Generated, tmp_path: Path) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    slow = next(iter(site.articles.values()))
    builder.put(slow, builder.body(slow), delay=60)
    started = time.monotonic()
    result, _ = crawl(
        builder.save(), tmp_path / "out", site,
        settings={"CLOSESPIDER_TIMEOUT": "3", "DOWNLOAD_TIMEOUT": "5"},
    )  # fmt: skip
    # the deadline, then what is under way ends within DOWNLOAD_TIMEOUT; not the page's 60 s
    assert time.monotonic() - started < 25
    assert result.returncode == 3
    manifest = json.loads(next((tmp_path / "out").glob("bisnis/runs/*.json")).read_text())
    assert manifest["finish_reason"] == "closespider_timeout"
    assert manifest["exit_status"] == 3


def test_an_on_site_redirect_to_another_article_is_recorded_under_both_ids(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    moved = list(site.articles.values())[8]
    new_id = "3999999"
    target = moved.replace(URLS.article_id(moved) or "", new_id)
    builder.put(target, builder.body(moved).replace(moved, target))
    builder.put(moved, "", status=301, headers={"Location": target})
    root = builder.save()
    output = tmp_path / "out"
    first, _ = crawl(root, output, site)
    assert first.returncode == 0, first.log[-3000:]
    counts = exported_ids(output)
    assert counts[new_id] == 1 and URLS.article_id(moved) not in counts
    assert "Remembered 1 redirected article URL(s) under their own id" in first.log
    # the next run knows the old id too: it fetches neither, and exports nothing
    second, proxy = crawl(root, output, site)
    assert second.returncode == 0, second.log[-3000:]
    assert [url for url in proxy.urls() if "/read/" in url] == []
    assert exported_ids(output) == counts


def test_a_redirected_article_that_fails_is_counted_under_the_url_asked_for(
    site: Generated, tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "site")
    moved = list(site.articles.values())[9]
    target = moved.replace(URLS.article_id(moved) or "", "3999998")
    builder.put(target, "<html><head><title>x</title></head><body></body></html>")
    builder.put(moved, "", status=302, headers={"Location": target})
    output = tmp_path / "out"
    result, _ = crawl(builder.save(), output, site)
    assert result.returncode == 0, result.log[-3000:]
    assert f"Skipped {moved} (no_body" in result.log
    # its index keeps it: not complete, so the next run pages the day again
    with sqlite3.connect(output / "bisnis" / "state.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM indexes").fetchone()[0] == 0


def test_the_run_deadline_is_our_spiders_own_and_an_explicit_one_wins() -> None:
    from scrapy.settings import Settings

    from newscrawl.sites import bisnis
    from newscrawl.spiders.base import NewsSpider

    BisnisSpider = NewsSpider.for_site(bisnis.SITE)

    project = Settings({"NEWSCRAWL_RUN_DEADLINE": 3600}, priority="project")
    assert project.getfloat("CLOSESPIDER_TIMEOUT") == 0  # `scrapy shell` and friends: none
    BisnisSpider.update_settings(project)
    assert project.getfloat("CLOSESPIDER_TIMEOUT") == 3600
    explicit = Settings({"NEWSCRAWL_RUN_DEADLINE": 3600}, priority="project")
    explicit.set("CLOSESPIDER_TIMEOUT", 5, priority="cmdline")
    BisnisSpider.update_settings(explicit)
    assert explicit.getfloat("CLOSESPIDER_TIMEOUT") == 5
