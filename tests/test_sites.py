"""The suite every site passes, Fundus-style: parametrised over every registered site and its
fixture folder ``tests/fixtures/<slug>/`` (pages, ``manifest.json``, ``expected.jsonl``,
``notes.json``). A new site needs no new test code here: a site module and a fixture folder.

- the fixtures are there and whole (a registered site without them fails);
- page objects: every expected article page gives exactly its expected item;
- end to end: a crawl of the reference days exports exactly the expected items, stays on the
  site, fetches each page once, and a second run exports and fetches no article;
- incremental: a crawl of the first day, then of both, exports each article exactly once;
- cron: a crawl killed mid-run (``kill -9``) and run again exports each article exactly once;
- bad arguments are refused before any request.
"""

from __future__ import annotations

import json
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.pages.base import find_layout
from newscrawl.sites import Site
from newscrawl.spiderloader import SiteSpiderLoader
from tests.replay import ReplayProxy
from tests.sitegen import SiteBuilder
from tests.support import (
    FIXTURES,
    CrawlResult,
    all_sites,
    assert_expected_item,
    assert_items_match,
    assert_refused,
    crawl_plan,
    expected,
    exported_item,
    final_page,
    manifest,
    project_sites,
    published_items,
    response_for,
    run_crawl,
    start_crawl,
    stat,
    validate,
    wait_until,
)

SITES = sorted(all_sites())
#: Every expected article of every site with fixtures (a site without is caught below).
ARTICLES = [
    (slug, article_id)
    for slug in SITES
    if (FIXTURES / slug / "expected.jsonl").is_file()
    for article_id in sorted(expected(slug))
]
#: What a site's fixture folder must hold.
FIXTURE_FILES = ("manifest.json", "expected.jsonl", "notes.json")


def site(slug: str) -> Site:
    return all_sites()[slug]


def want(slug: str) -> set[str]:
    """The articles a crawl of the site's reference days exports."""
    return set(expected(slug)) - set(crawl_plan(slug)["not_exported"])


def crawl(
    slug: str, proxy: ReplayProxy, output: Path, feed: Path | None = None, **args: str
) -> CrawlResult:
    """A crawl of the site's fixtures without the browser (``notes.json`` "crawl" arguments
    unless ``args`` are given)."""
    arguments = args or crawl_plan(slug)["arguments"]
    return run_crawl(
        slug, {"browser": "never", **arguments}, output_dir=output, proxy_env=proxy.env(), feed=feed
    )


def article_requests(slug: str, urls: list[str]) -> list[str]:
    return [url for url in urls if site(slug).urls.is_article(url)]


def assert_on_the_site(slug: str, proxy: ReplayProxy) -> None:
    """Every request and every CONNECT went to the site's own hosts."""
    domain = site(slug).domain
    for host in proxy.hosts():
        assert host == domain or host.endswith("." + domain), f"left the site for {host}"


# --- the fixtures ----------------------------------------------------------------------------


def test_every_site_scrapy_crawl_knows_is_under_test() -> None:
    """The project's settings (``NEWSCRAWL_SITE_MODULES``) give a spider to every site of
    ``newscrawl/sites/`` and to nothing else; the suite covers them and the made-up site."""
    settings = Settings()
    settings.setmodule("newscrawl.settings")
    spiders = set(SiteSpiderLoader.from_settings(settings).list()) - {"news"}  # any site
    assert spiders == set(project_sites()) == {"bisnis", "kompas"}
    assert set(SITES) == spiders | {"warta"}


@pytest.mark.parametrize("slug", SITES)
def test_site_has_its_fixture_folder(slug: str) -> None:
    folder = FIXTURES / slug
    missing = [name for name in FIXTURE_FILES if not (folder / name).is_file()]
    assert not missing, f"site {slug!r} has no {', '.join(missing)} under {folder}"
    assert expected(slug), f"{folder}/expected.jsonl lists no article"
    assert crawl_plan(slug)["arguments"], f"{folder}/notes.json names no crawl arguments"
    for entry in manifest(slug).values():
        assert (folder / "site" / entry["file"]).is_file(), f"{entry['file']} is missing"


def test_a_site_without_fixtures_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above is no formality: pointed at a folder with nothing, it fails."""
    monkeypatch.setattr(sys.modules[__name__], "FIXTURES", tmp_path)
    with pytest.raises(AssertionError, match=r"has no manifest\.json"):
        test_site_has_its_fixture_folder("warta")


@pytest.mark.parametrize("slug", SITES)
def test_expected_articles_are_served(slug: str) -> None:
    for article_id, item in expected(slug).items():
        assert item["url"] in manifest(slug), f"{article_id} is not in the manifest"
        assert site(slug).urls.article_id(item["url"]) == article_id


# --- page objects ----------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "article_id"), ARTICLES)
def test_article_page_gives_its_expected_item(slug: str, article_id: str) -> None:
    want_item = expected(slug)[article_id]
    page = final_page(want_item["url"], slug, site(slug).article_layouts)
    item = exported_item(page)
    assert_expected_item(item, want_item)
    validate(item)


@pytest.mark.parametrize("slug", SITES)
def test_a_layout_claims_every_article_page(slug: str) -> None:
    layouts = site(slug).article_layouts
    for item in expected(slug).values():
        assert find_layout(response_for(item["url"], slug), layouts) is not None, item["url"]


# --- end to end ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=SITES)
def two_runs(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    site_proxies: Callable[[str], ReplayProxy],
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A crawl of a site's reference days, then a second run on the same state: the result,
    URLs and hosts of each."""
    slug: str = request.param
    output = tmp_path_factory.mktemp(f"{slug}-two-runs")
    runs = []
    for name in ("first", "second"):
        proxy = site_proxies(slug)
        result = crawl(slug, proxy, output, output / f"{name}.jsonl")
        assert_on_the_site(slug, proxy)
        runs.append({"result": result, "urls": proxy.urls()})
    return slug, runs[0], runs[1]


def test_crawl_exports_exactly_the_expected_items(two_runs: Any) -> None:
    slug, first, _ = two_runs
    result = first["result"]
    assert result.returncode == 0, result.log[-3000:]
    assert_items_match(slug, result.items, want(slug))
    assert stat(result.log, "item_scraped_count") == len(want(slug))


def test_crawl_fetches_each_article_once_and_split_ones_whole(two_runs: Any) -> None:
    slug, first, _ = two_runs
    plan, urls = crawl_plan(slug), site(slug).urls
    pages = [u for u in article_requests(slug, first["urls"]) if urls.page(u) is None]
    counts = Counter(urls.article_id(u) for u in pages)
    assert {a for a, n in counts.items() if n > 1} == set(plan["retried_once"])
    assert all(counts[a] == 2 for a in plan["retried_once"]), "a 503 was not retried once"
    whole = {urls.article_id(u) for u in first["urls"] if urls.page(u) == "all"}
    assert whole == set(plan["split"])
    assert stat(first["result"].log, "newscrawl/discovery/multipage") == len(plan["split"])


def test_crawl_counts_layouts_and_promo_lines_under_its_own_site(two_runs: Any) -> None:
    slug, first, _ = two_runs
    log = first["result"].log
    layouts = {layout.layout for layout in site(slug).article_layouts}
    counted = sum(stat(log, f"newscrawl/layout/{name}") for name in layouts)
    assert counted >= len(want(slug))
    assert stat(log, "newscrawl/health/article_pages") >= len(want(slug))
    assert f"newscrawl/boilerplate/{site(slug).domain}/" in log, "no promo line counted"
    for other in SITES:
        if other != slug:
            assert f"newscrawl/boilerplate/{site(other).domain}/" not in log


def test_second_run_exports_nothing_and_fetches_no_article(two_runs: Any) -> None:
    slug, _, second = two_runs
    result = second["result"]
    assert result.returncode == 0, result.log[-3000:]
    assert result.items == []
    assert article_requests(slug, second["urls"]) == [], "an article page was fetched again"
    assert stat(result.log, "newscrawl/discovery/new") == 0
    assert stat(result.log, "newscrawl/discovery/known") > 0


@pytest.mark.parametrize("slug", SITES)
def test_incremental_runs_export_each_article_once(
    slug: str, site_proxies: Callable[[str], ReplayProxy], tmp_path: Path
) -> None:
    """The first day, then both days: the second run fetches only what the first did not
    export, and together they export exactly the expected items."""
    arguments = crawl_plan(slug)["arguments"]
    proxy = site_proxies(slug)
    first = crawl(slug, proxy, tmp_path, tmp_path / "first.jsonl", since=arguments["since"])
    assert first.returncode == 0, first.log[-3000:]
    assert first.items, "the first day exported nothing"
    done = {site(slug).urls.canonical(item["url"]) for item in first.items}
    proxy = site_proxies(slug)
    second = crawl(slug, proxy, tmp_path, tmp_path / "second.jsonl")
    assert second.returncode == 0, second.log[-3000:]
    fetched = {site(slug).urls.canonical(u) for u in article_requests(slug, proxy.urls())}
    assert not fetched & done, "an exported article was fetched again"
    assert_items_match(slug, first.items + second.items, want(slug))


# --- cron: killed mid-run --------------------------------------------------------------------


def slow_copy(slug: str, folder: Path, delay: float) -> Path:
    """The site's fixtures with every article page answered after ``delay`` seconds."""
    builder = SiteBuilder(FIXTURES / slug, folder)
    for url, entry in builder.entries.items():
        if site(slug).urls.is_article(url):
            entry["delay"] = delay
    return builder.save()


@pytest.mark.parametrize("slug", SITES)
def test_a_run_killed_mid_run_then_run_again_exports_each_article_once(
    slug: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    arguments = {"browser": "never", **crawl_plan(slug)["arguments"]}
    one_at_a_time = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    with ReplayProxy(slow_copy(slug, tmp_path / "site", 0.3), lifetime=300) as proxy:
        process = start_crawl(
            slug,
            arguments,
            output_dir=output,
            proxy_env=proxy.env(),
            log=tmp_path / "killed.log",
            settings=one_at_a_time,
        )
        parts = output / slug

        def written() -> bool:
            return any(p.read_bytes().count(b"\n") for p in parts.glob("*/*.jsonl.part"))

        try:
            wait_until(lambda: written() or process.poll() is not None)
            assert process.poll() is None, "the crawl ended before it could be killed"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        again = run_crawl(
            slug, arguments, output_dir=output, proxy_env=proxy.env(), default_feed=True
        )
    assert again.returncode == 0, again.log[-3000:]
    assert "Recovered" in again.log
    assert_items_match(slug, published_items(output, slug), want(slug))
    assert not list(parts.glob("*/*.part")) and not list(parts.glob("*/*.tmp"))
    manifests = [json.loads(p.read_text()) for p in parts.glob("runs/*.json")]
    assert len(manifests) == 1 and manifests[0]["recovered_feeds"][0]["lines"] >= 1


# --- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SITES)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"channels": "no-such-channel"}, "unknown channel no-such-channel"),
        ({"since": "2025-02-30"}, "since='2025-02-30' is not a date"),
        ({"start_urls": "https://elsewhere.example/read/1"}, "not a {kind} URL"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    slug: str,
    args: dict[str, str],
    message: str,
    site_proxies: Callable[[str], ReplayProxy],
    tmp_path: Path,
) -> None:
    proxy = site_proxies(slug)
    result = crawl(slug, proxy, tmp_path, **args)
    assert_refused(result, proxy.urls(), tmp_path, message.format(kind=site(slug).start_url_kind()))


# --- every site at once ----------------------------------------------------------------------


def test_all_sites_crawl_side_by_side(
    site_proxies: Callable[[str], ReplayProxy], tmp_path: Path
) -> None:
    """Every site's crawl at once, into one output folder: each has its own lock, state, feed
    and manifest, and exports exactly its site."""
    proxies = {slug: site_proxies(slug) for slug in SITES}
    runs = {
        slug: start_crawl(
            slug,
            {"browser": "never", **crawl_plan(slug)["arguments"]},
            output_dir=tmp_path,
            proxy_env=proxies[slug].env(),
            log=tmp_path / f"{slug}.log",
        )
        for slug in SITES
    }
    for slug, process in runs.items():
        status = process.wait(timeout=300)
        log = (tmp_path / f"{slug}.log").read_text("utf-8", errors="replace")
        assert status == 0, log[-3000:]
    for slug in SITES:
        assert_items_match(slug, published_items(tmp_path, slug), want(slug))
        assert (tmp_path / slug / "state.sqlite3").exists()
        [path] = list((tmp_path / slug / "runs").glob("*.json"))
        report = json.loads(path.read_text("utf-8"))
        assert report["spider"] == slug and report["health"]["ok"]
        drops = report["boilerplate_drops"]
        assert drops and all(key.startswith(f"{site(slug).domain}/") for key in drops)
        assert_on_the_site(slug, proxies[slug])
