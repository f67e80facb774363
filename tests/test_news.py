"""End to end: ``scrapy crawl news`` (any news site) in a subprocess through the replay proxy,
on the two generated sites of ``tests/fixtures/anysite/`` (templates unlike our sites) and on
the Bisnis.com reference with its site module unused."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newscrawl.pages.generic import article_id_of, registered_domain
from newscrawl.state import SQLiteState, state_key
from tests.replay import ReplayProxy
from tests.sitegen import SiteBuilder
from tests.support import (
    FIXTURES,
    CrawlResult,
    assert_refused,
    published_items,
    run_crawl,
    stat,
    validate,
)

FIELDS = ("url", "site", "title", "authors", "published_at", "dateline", "body", "tags",
          "image_url")  # fmt: skip
NOTES = json.loads((FIXTURES / "anysite" / "notes.json").read_text("utf-8"))
SITEMAPS = ",".join(NOTES["sitemaps"])


@cache
def expected_by_url(folder: str) -> dict[str, dict[str, Any]]:
    lines = (FIXTURES / folder / "expected.jsonl").read_text("utf-8").splitlines()
    return {item["url"]: item for item in map(json.loads, filter(str.strip, lines))}


def twin_of(url: str) -> str | None:
    for pair in NOTES["syndicated_urls"]:
        if url in pair:
            return next(other for other in pair if other != url)
    return None


def assert_contract_items(folder: str, items: list[dict[str, Any]], want: set[str]) -> None:
    """Each of ``want`` exported once (of a syndicated pair either URL), with exactly its
    expected contract fields, every item valid against the schema."""
    got: set[str] = set()
    for item in items:
        url = item["url"]
        expected = expected_by_url(folder).get(url)
        if expected is None:
            twin = twin_of(url)
            assert twin is not None, f"unexpected item {url}"
            expected = {**expected_by_url(folder)[twin], "url": url}
            url = twin
        assert url not in got, f"{url} exported twice"
        got.add(url)
        for name in FIELDS:
            assert item[name] == expected[name], f"{name} of {item['url']}"
        validate(item)
    assert got == want


def crawl(proxy: ReplayProxy, output: Path, feed: Path | None = None, **args: str) -> CrawlResult:
    return run_crawl(
        "news", {"browser": "never", **args}, output_dir=output, proxy_env=proxy.env(), feed=feed
    )


@pytest.fixture(scope="module")
def anysite_proxy() -> Any:
    with ReplayProxy(FIXTURES / "anysite", lifetime=900) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def two_runs(anysite_proxy: ReplayProxy, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Both sitemaps, then a second run on the same state."""
    output = tmp_path_factory.mktemp("news")
    anysite_proxy.reset()
    first = crawl(anysite_proxy, output, output / "first.jsonl", start_urls=SITEMAPS)
    first_hosts, first_urls = anysite_proxy.hosts(), anysite_proxy.urls()
    anysite_proxy.reset()
    second = crawl(anysite_proxy, output, output / "second.jsonl", start_urls=SITEMAPS)
    return first, first_hosts, first_urls, second, anysite_proxy.urls(), output


def test_sitemaps_give_exactly_the_expected_items(two_runs: Any) -> None:
    first = two_runs[0]
    assert first.returncode == 0, first.log[-3000:]
    assert_contract_items("anysite", first.items, set(expected_by_url("anysite")))


def test_the_crawl_stays_on_the_sites_and_counts_what_it_left(two_runs: Any) -> None:
    first, hosts, urls = two_runs[0], two_runs[1], two_runs[2]
    assert all(host.endswith((".arusdaerah.id", ".sorotrakyat.id")) for host in hosts), hosts
    assert stat(first.log, "newscrawl/skipped/not_found") == 2
    for fault in NOTES["faults"].values():
        assert any(
            fault["gone_404"] in line for line in first.log.splitlines() if "Skipped" in line
        )
    assert stat(first.log, "newscrawl/dedup/duplicate_content") == len(NOTES["syndicated_urls"])
    assert stat(first.log, "newscrawl/boilerplate/arusdaerah.id/learned") > 0
    assert stat(first.log, "newscrawl/boilerplate/sorotrakyat.id/learned") > 0
    assert len(urls) == len(set(urls)), "a page was fetched twice"


def test_promo_lines_never_reach_a_body(two_runs: Any) -> None:
    for item in two_runs[0].items:
        for lines in NOTES["promo_lines"].values():
            assert not any(line in item["body"] for line in lines), item["url"]


def test_the_run_lives_under_output_news_domain(two_runs: Any) -> None:
    output: Path = two_runs[5]
    folder = output / "news" / "arusdaerah.id+sorotrakyat.id"
    assert (folder / "state.sqlite3").is_file()
    [manifest] = list((folder / "runs").glob("*.json"))[:1]
    assert json.loads(manifest.read_text("utf-8"))["spider"] == "news/arusdaerah.id+sorotrakyat.id"
    assert len(published_items(output, "news/arusdaerah.id+sorotrakyat.id")) == len(
        expected_by_url("anysite")
    )


def test_second_run_exports_nothing_and_fetches_no_article(two_runs: Any) -> None:
    second, urls = two_runs[3], two_runs[4]
    assert second.returncode == 0, second.log[-3000:]
    assert second.items == []
    assert stat(second.log, "newscrawl/discovery/known") >= len(expected_by_url("anysite"))
    assert all(url.endswith((".xml", "robots.txt")) for url in urls), urls


def test_rss_feed_start(anysite_proxy: ReplayProxy, tmp_path: Path) -> None:
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, start_urls="https://www.arusdaerah.id/rss")
    assert result.returncode == 0, result.log[-3000:]
    entry = next(e for e in manifest_entries() if e["url"] == "https://www.arusdaerah.id/rss")
    feed = (FIXTURES / "anysite" / "site" / entry["file"]).read_text("utf-8")
    listed = {link.split("?")[0] for link in re.findall(r"<link>([^<]+)</link>", feed)}
    gone = {fault["gone_404"] for fault in NOTES["faults"].values()}
    articles = listed - gone - {"https://www.arusdaerah.id", "https://www.arusdaerah.id/"}
    assert articles, "the feed lists no article"
    want = {url if url in expected_by_url("anysite") else str(twin_of(url)) for url in articles}
    assert_contract_items("anysite", result.items, want)
    assert not any("utm_" in url for url in anysite_proxy.urls())


def manifest_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(
        (FIXTURES / "anysite" / "manifest.json").read_text("utf-8")
    )
    return entries


@pytest.mark.parametrize("section", sorted(NOTES["sections"]))
def test_a_section_page_gives_the_articles_it_lists(
    anysite_proxy: ReplayProxy, tmp_path: Path, section: str
) -> None:
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, start_urls=section)
    assert result.returncode == 0, result.log[-3000:]
    listed = set(NOTES["sections"][section])
    gone = {fault["gone_404"] for fault in NOTES["faults"].values()}
    want = {url if url in expected_by_url("anysite") else str(twin_of(url)) for url in listed}
    assert_contract_items("anysite", result.items, want - gone)


def test_an_article_url_start(anysite_proxy: ReplayProxy, tmp_path: Path) -> None:
    url = sorted(expected_by_url("anysite"))[0]
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, start_urls=url + "?utm_source=x#top")
    assert result.returncode == 0, result.log[-3000:]
    assert_contract_items("anysite", result.items, {url})


def test_since_and_until_keep_the_publication_days_asked_for(
    anysite_proxy: ReplayProxy, tmp_path: Path
) -> None:
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, start_urls=SITEMAPS, since="2025-11-21")
    assert result.returncode == 0, result.log[-3000:]
    days = {item["published_at"][:10] for item in result.items}
    assert days == {"2025-11-21"}
    assert stat(result.log, "newscrawl/discovery/outside_window") > 0


def test_bisnis_in_generic_mode(site_proxies: Callable[[str], ReplayProxy], tmp_path: Path) -> None:
    """The Bisnis.com reference, its site module unused: the sitemap's articles, with the
    fields of the generic contract equal to the site module's."""
    proxy = site_proxies("bisnis")
    result = crawl(proxy, tmp_path, start_urls="https://www.bisnis.com/sitemap-news.xml")
    assert result.returncode == 0, result.log[-3000:]
    notes = json.loads((FIXTURES / "bisnis" / "notes.json").read_text("utf-8"))
    twins = {a: b for a, b in notes["syndicated"]} | {b: a for a, b in notes["syndicated"]}
    by_id = {item["article_id"]: item for item in expected_by_url("bisnis").values()}
    got: set[str] = set()
    for item in result.items:
        article_id = item["article_id"]
        want = by_id.get(article_id)
        if want is None:  # the other copy of a syndicated pair: its own URL
            article_id = twins[article_id]
            want = {**by_id[article_id], "url": item["url"]}
        assert article_id not in got
        got.add(article_id)
        for name in FIELDS:
            assert item[name] == want[name], f"{name} of {item['article_id']}"
    # all but the seed (not in the sitemap) and the two pages behind the JavaScript check
    assert got == set(by_id) - set(notes["crawl"]["not_exported"])
    assert all(host.endswith(".bisnis.com") for host in proxy.hosts())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "start_urls= is required"),
        ({"start_urls": "ftp://example.com/x"}, "is not an http(s) URL"),
        ({"start_urls": SITEMAPS, "since": "2025-11-31"}, "since='2025-11-31' is not a date"),
        ({"start_urls": SITEMAPS, "channels": "all"}, "unknown argument channels"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    anysite_proxy: ReplayProxy, tmp_path: Path, args: dict[str, str], message: str
) -> None:
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, **args)
    assert_refused(result, anysite_proxy.urls(), tmp_path, message)


def test_a_home_page_start_never_leaves_the_site(
    anysite_proxy: ReplayProxy, tmp_path: Path
) -> None:
    """The home page plants links to a look-alike host and to 127.0.0.1, and shares to
    facebook.com and wa.me: none is contacted; what is exported is the site's articles."""
    anysite_proxy.reset()
    result = crawl(anysite_proxy, tmp_path, start_urls="https://www.arusdaerah.id/")
    assert result.returncode == 0, result.log[-3000:]
    assert all(host.endswith(".arusdaerah.id") for host in anysite_proxy.hosts())
    assert result.items and all(item["site"] == "arusdaerah.id" for item in result.items)
    for item in result.items:
        want = expected_by_url("anysite").get(item["url"]) or {
            **expected_by_url("anysite")[str(twin_of(item["url"]))],
            "url": item["url"],
        }
        assert {name: item[name] for name in FIELDS} == {name: want[name] for name in FIELDS}


def test_redirects_stay_on_the_site(tmp_path: Path) -> None:
    """A start URL redirecting off the site is skipped (``offsite_redirect``) without a
    request there; one redirecting to an article of the site gives that article."""
    builder = SiteBuilder(FIXTURES / "anysite", tmp_path / "site")
    article = next(url for url in sorted(expected_by_url("anysite")) if "arusdaerah.id/" in url)
    moved = "https://www.arusdaerah.id/lama/artikel-yang-dipindah-123"
    away = "https://www.arusdaerah.id/keluar/tautan-ke-luar-456"
    builder.put(moved, "", status=301, headers={"Location": article})
    builder.put(away, "", status=302, headers={"Location": "https://arusdaerah.id.evil.example/x"})
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", start_urls=f"{moved},{away}")
        hosts = proxy.hosts()
    assert result.returncode == 0, result.log[-3000:]
    assert_contract_items("anysite", result.items, {article})
    assert stat(result.log, "newscrawl/skipped/start_offsite_redirect") == 1
    assert not any("evil" in host for host in hosts), hosts


def test_a_redirect_to_another_sites_article_numbered_alike_is_remembered(tmp_path: Path) -> None:
    """An article URL of one site of the run that redirects to another site's article of the
    same number (a site renamed, its old URLs kept) is remembered under its own site and id
    (``duplicate``): the next run does not fetch it again."""
    builder = SiteBuilder(FIXTURES / "anysite", tmp_path / "site")
    article, other = [u for u in sorted(expected_by_url("anysite")) if "sorotrakyat.id/" in u][:2]
    number = article_id_of(article)
    moved = f"https://www.arusdaerah.id/berita/{number}/kabar-yang-pindah"
    builder.put(moved, "", status=301, headers={"Location": article})
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        first = crawl(proxy, tmp_path / "out", start_urls=f"{moved},{other}")
        proxy.reset()
        second = crawl(proxy, tmp_path / "out", start_urls=f"{moved},{other}")
        asked = proxy.urls()
    assert first.returncode == 0, first.log[-3000:]
    assert sorted(item["url"] for item in first.items) == sorted([article, other])
    folder = tmp_path / "out" / "news" / "arusdaerah.id+sorotrakyat.id"
    assert "Remembered 1 redirected article URL(s) under their own id" in first.log
    with sqlite3.connect(folder / "state.sqlite3") as db:
        failures = db.execute("SELECT article_id, reason FROM failures").fetchall()
        exported = db.execute("SELECT article_id FROM articles").fetchall()
    assert failures == [(f"arusdaerah.id/{number}", "duplicate")]
    assert (f"sorotrakyat.id/{number}",) in exported
    assert second.returncode == 0 and second.items == []
    assert moved not in asked and other not in asked, asked


def test_learned_promo_lines_are_listed_and_remembered(two_runs: Any) -> None:
    output: Path = two_runs[5]
    folder = output / "news" / "arusdaerah.id+sorotrakyat.id"
    manifests = sorted(folder.glob("runs/*.json"))
    learned = json.loads(manifests[0].read_text("utf-8"))["learned_boilerplate"]
    for site, lines in NOTES["promo_lines"].items():
        listed = {line.casefold() for line in learned[site]}
        assert listed & {line.casefold() for line in lines}, site
    state = SQLiteState(folder / "state.sqlite3")
    try:
        learned_lines = state.learned_lines("arusdaerah.id")
        assert "unduh aplikasi arusdaerah di play store dan app store, gratis!" in learned_lines
        assert not any(line.startswith("[gambas") for line in learned_lines)  # a named rule's
    finally:
        state.close()


def test_a_line_learned_in_an_earlier_run_is_left_out_later(tmp_path: Path) -> None:
    """A line first seen as page furniture (in the footer too) is remembered; a later run
    leaves it out of a body even where the page no longer shows it elsewhere. Without the
    earlier run's state the same page keeps it."""
    line = "Redaksi menerima koreksi pembaca setiap hari kerja."
    first, later = [u for u in sorted(expected_by_url("anysite")) if "arusdaerah.id/" in u][:2]
    builder = SiteBuilder(FIXTURES / "anysite", tmp_path / "site")
    builder.put(first, builder.body(first).replace("</p>", f"</p><p>{line}</p>", 1).replace(
        "</footer>", f"<p>{line}</p></footer>"
    ))  # fmt: skip
    builder.put(later, builder.body(later).replace("</p>", f"</p><p>{line}</p>", 1))
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        taught = crawl(proxy, tmp_path / "out", start_urls=first)
        remembered = crawl(proxy, tmp_path / "out", start_urls=later)
        fresh = crawl(proxy, tmp_path / "fresh", start_urls=later)
    assert taught.returncode == remembered.returncode == fresh.returncode == 0
    assert_contract_items("anysite", taught.items, {first})
    assert_contract_items("anysite", remembered.items, {later})
    assert [line in item["body"] for item in fresh.items] == [True]


def test_kompas_in_generic_mode(site_proxies: Callable[[str], ReplayProxy], tmp_path: Path) -> None:
    """The Kompas.com reference, its site module unused: the two days' index pages as
    section pages (one level) give every expected article, fields as the site module reads
    them, the 404 skipped, and no request off the site (its sidebars link elsewhere)."""
    proxy = site_proxies("kompas")
    days = ("2025-11-20", "2025-11-21")
    starts = ",".join(f"https://indeks.kompas.com/?site=all&date={day}&page=1" for day in days)
    result = crawl(proxy, tmp_path, start_urls=starts)
    assert result.returncode == 0, result.log[-3000:]
    want = expected_by_url("kompas")
    got = {item["url"]: item for item in result.items}
    assert set(got) == set(want) and len(got) == len(result.items)
    for url, item in got.items():
        for name in FIELDS:
            assert item[name] == want[url][name], f"{name} of {url}"
    assert stat(result.log, "newscrawl/skipped/not_found") == 1
    assert all(host.endswith(".kompas.com") for host in proxy.hosts())


def test_a_promo_line_recurring_across_articles_is_learned(tmp_path: Path) -> None:
    """A short promo-shaped line the page-local signals miss (it names no site and invites
    to no known channel, but is set in bold) is learned once it recurs in three articles of
    the site, and left out of every body: the site's first articles are held back until it
    has been learned (or the crawl is idle). It is remembered too."""
    line = "Dapatkan kabar pilihan redaksi setiap pagi."
    articles = [u for u in sorted(expected_by_url("anysite")) if "arusdaerah.id/" in u][:5]
    builder = SiteBuilder(FIXTURES / "anysite", tmp_path / "site")
    for url in articles:
        page = builder.body(url).replace("</p>", f"</p><p><strong>{line}</strong></p>", 1)
        builder.put(url, page)
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        settings = {"CONCURRENT_REQUESTS": "1"}  # one article after another
        result = run_crawl(
            "news",
            {"browser": "never", "start_urls": ",".join(articles)},
            output_dir=tmp_path / "out",
            proxy_env=proxy.env(),
            settings=settings,
        )
    assert result.returncode == 0, result.log[-3000:]
    # the first three taught it; held back until the crawl was idle, they lose it too
    assert [line in item["body"] for item in result.items] == [False] * 5
    assert stat(result.log, "newscrawl/boilerplate/learned_by_recurrence") == 1
    [folder] = list((tmp_path / "out" / "news").iterdir())
    state = SQLiteState(folder / "state.sqlite3")
    try:
        assert line.casefold() in state.learned_lines("arusdaerah.id")
    finally:
        state.close()


def without_whole_text_links(dst: Path, missing: str | None = None) -> list[str]:
    """A copy of the generated sites whose split articles have no link to their whole text
    (and no whole-text page), ``missing`` a page that is gone; the split articles' URLs."""
    shutil.copytree(FIXTURES / "anysite", dst)
    entries = manifest_entries()
    wholes = [e["url"] for e in entries if e["url"].endswith("?page=all")]
    for entry in entries:
        path = dst / "site" / entry["file"]
        if path.suffix == ".html":
            html = path.read_text("utf-8")
            path.write_text(re.sub(r'<a [^>]*\?page=all"[^>]*>[^<]*</a>', "", html), "utf-8")
    kept = [e for e in entries if e["url"] not in wholes and e["url"] != missing]
    (dst / "manifest.json").write_text(json.dumps(kept), "utf-8")
    return [url.removesuffix("?page=all") for url in wholes]


def test_a_split_article_without_a_whole_text_link_is_joined(tmp_path: Path) -> None:
    articles = without_whole_text_links(tmp_path / "site")
    assert len(articles) >= 4
    with ReplayProxy(tmp_path / "site", lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", start_urls=",".join(articles))
        fetched = proxy.urls()
    assert result.returncode == 0, result.log[-3000:]
    want = {url if url in expected_by_url("anysite") else str(twin_of(url)) for url in articles}
    assert_contract_items("anysite", result.items, want)
    assert stat(result.log, "newscrawl/discovery/split_joined") == len(articles)
    assert not any("page=all" in url for url in fetched)
    assert len(fetched) == len(set(fetched)), "a page was fetched twice"


def split_with_a_page_missing(tmp_path: Path) -> tuple[str, list[str]]:
    """The generated sites with split articles and no whole-text links, page 2 of one article
    (split as ``/2``) gone from them: that article, and all of them."""
    probe = without_whole_text_links(tmp_path / "probe")
    first = next(url for url in probe if url.endswith(tuple("0123456789")))  # pages as /2
    return first, without_whole_text_links(tmp_path / "site", missing=first + "/2")


def test_a_split_article_whose_page_is_gone_goes_out_without_it(tmp_path: Path) -> None:
    """A pager's dead link (404) does not cost the article: it is exported with the pages
    that exist, in order, counted and logged (it was skipped as incomplete, and skipped again
    on every run after)."""
    first, articles = split_with_a_page_missing(tmp_path)
    with ReplayProxy(tmp_path / "site", lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", start_urls=",".join(articles))
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == len(articles)
    [item] = [item for item in result.items if item["url"] == first]
    whole = expected_by_url("anysite")[first]["body"].split("\n\n")
    got = item["body"].split("\n\n")
    assert got[0] == whole[0] and len(got) < len(whole)
    assert [line for line in whole if line in got] == got, "pages out of order or foreign text"
    assert stat(result.log, "newscrawl/discovery/split_page_gone") == 1
    assert stat(result.log, "newscrawl/skipped/incomplete") == 0
    assert f"Page 2 of {first} is gone (HTTP 404 at {first}/2)" in result.log
    others = [item for item in result.items if item["url"] != first]
    want = {url if url in expected_by_url("anysite") else str(twin_of(url)) for url in articles}
    assert_contract_items("anysite", others, want - {first})


def test_a_split_article_whose_page_fails_is_skipped_as_incomplete(tmp_path: Path) -> None:
    """A page that fails on every try (HTTP 503) may come back: the article is skipped as
    ``incomplete``, not remembered, so the next run reads it again."""
    first, articles = split_with_a_page_missing(tmp_path)
    faults = {f"{first}/2": ["http_503"] * 3}  # RETRY_TIMES = 2: three tries
    with ReplayProxy(tmp_path / "site", lifetime=300, faults=faults) as proxy:
        result = crawl(proxy, tmp_path / "out", start_urls=",".join(articles))
    assert result.returncode == 0, result.log[-3000:]
    assert first not in {item["url"] for item in result.items}
    assert len(result.items) == len(articles) - 1
    assert stat(result.log, "newscrawl/skipped/incomplete") == 1
    assert stat(result.log, "newscrawl/discovery/split_page_gone") == 0
    folder = tmp_path / "out" / "news" / "arusdaerah.id+sorotrakyat.id"
    state = SQLiteState(folder / "state.sqlite3")
    key = state_key(article_id_of(first), registered_domain(first))
    assert state.keys_by_site and state.in_backoff(key) is None  # the next run reads it again
