"""A hostile network and hostile pages: retried, skipped with a reason, never a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.sites.bisnis import URLS
from tests.replay import ReplayProxy
from tests.sitegen import Generated, SiteBuilder, generate_site, index_url
from tests.support import CrawlResult, published_items, run_crawl

#: Every transport fault kind, each on two articles' first request.
FAULTS = ["hang", "reset", "truncate", "gzip", "cut_gzip", "cut_html", "http_500", "http_502"]
#: Faults that are transient: served on every try, the article is skipped with this reason and
#: fetched again by the next run.
TRANSIENT = {
    "cut_html": "truncated",
    "cut_gzip": "truncated",
    "truncate": "truncated",
    "reset": "truncated",
    "hang": "timeout",
    "http_503": "http_503",
}
#: Short timeouts so that a hang costs seconds, not minutes.
QUICK = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "2"}
HUGE = 40 * 1024 * 1024
PLANTED = [
    "https://bisnis.com.example.net/read/20250101/47/4000001/look-alike",
    "http://10.0.0.1/read/20250101/47/4000002/private",
    "http://192.168.1.10/read/20250101/47/4000003/private",
    "http://127.0.0.1:9/read/20250101/47/4000004/loopback",
    "http://[::1]/read/20250101/47/4000005/loopback",
    "http://localhost/read/20250101/47/4000006/local",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_site(tmp_path_factory.mktemp("faults") / "site", 30, per_day=30, per_page=10)


def crawl(
    root: Path, output: Path, site: Generated, **kwargs: Any
) -> tuple[CrawlResult, list[str]]:
    with ReplayProxy(root, lifetime=300, hang_seconds=10, **kwargs) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings=QUICK,
        )  # fmt: skip
        return result, proxy.urls()


def stat(result: CrawlResult, name: str) -> int:
    for line in result.log.splitlines():
        if line.strip().startswith(f"'{name}':"):
            return int(line.split(":", 1)[1].strip().rstrip(",}"))
    return 0


def without_crawled_at(items: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in items:
        yield item["article_id"], {k: v for k, v in item.items() if k != "crawled_at"}


@pytest.fixture(scope="module")
def clean(site: Generated, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    result, _ = crawl(site.root, tmp_path_factory.mktemp("clean"), site)
    assert result.returncode == 0, result.log[-3000:]
    return dict(without_crawled_at(result.items))


def test_every_transport_fault_is_retried_and_the_article_exported_once(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    urls = list(site.articles.values())
    faults = {urls[2 * n + k]: [kind] for n, kind in enumerate(FAULTS) for k in (0, 1)}
    result, requested = crawl(site.root, tmp_path, site, faults=faults)
    assert result.returncode == 0, result.log[-3000:]
    assert dict(without_crawled_at(result.items)) == clean
    for url in faults:
        assert requested.count(url) == 2, f"{url} should be fetched twice (fault, then page)"
    assert stat(result, "retry/count") == len(faults)
    assert stat(result, "newscrawl/dedup/unique") == len(site.articles)


def test_a_huge_page_is_skipped_and_the_crawl_goes_on(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "huge")
    huge_url = list(site.articles.values())[5]
    page = builder.body(huge_url)
    padding = "<!-- " + "x" * HUGE + " -->"
    builder.put(huge_url, page.replace("</body>", padding + "</body>"))
    result, _ = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    huge_id = URLS.article_id(huge_url)
    assert dict(without_crawled_at(result.items)) == {
        article_id: item for article_id, item in clean.items() if article_id != huge_id
    }
    assert stat(result, "newscrawl/skipped/too_large") == 1
    manifest = json.loads(next((tmp_path / "out").glob("bisnis/runs/*.json")).read_text())
    assert manifest["pages_skipped"] == {"too_large": 1}
    assert "memusage/max" in result.log


def test_planted_offsite_and_unsafe_links_are_never_requested(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "planted")
    first_index = index_url(site.days[0], 1)
    rows = "".join(
        f'<div class="artItem"><div class="artContent"><a href="{url}" class="artLink">'
        f'<h4 class="artTitle">Planted</h4></a></div></div>'
        for url in PLANTED
    )
    page = builder.body(first_index)
    builder.put(
        first_index,
        page.replace(
            '<div class="list-news indeks-new">', '<div class="list-news indeks-new">' + rows, 1
        ),
    )
    result, requested = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    assert dict(without_crawled_at(result.items)) == clean
    assert not set(requested) & set(PLANTED)
    assert all(".bisnis.com/" in url for url in requested)
    assert stat(result, "newscrawl/discovery/rejected") == len(PLANTED)


def test_a_corrupt_state_file_stops_the_run_with_its_name(site: Generated, tmp_path: Path) -> None:
    state = tmp_path / "bisnis" / "state.sqlite3"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"garbage " * 1000)
    result, requested = crawl(site.root, tmp_path, site)
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and str(state) in errors[0] and "move it aside" in errors[0]
    assert "Traceback" not in result.log
    assert requested == []


def test_an_unwritable_output_folder_stops_the_run(site: Generated, tmp_path: Path) -> None:
    with ReplayProxy(site.root, lifetime=60) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=Path("/proc/newscrawl-output"),
            proxy_env=proxy.env(), feed=tmp_path / "out.jsonl",
        )  # fmt: skip
        assert proxy.urls() == []
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and "/proc/newscrawl-output" in errors[0]
    assert "Traceback" not in result.log


def test_a_page_cut_off_at_the_source_is_retried_then_skipped_as_truncated(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    builder = SiteBuilder(site.root, tmp_path / "cut")
    cut_url = list(site.articles.values())[7]
    page = builder.body(cut_url)
    builder.put(cut_url, page[: len(page) // 2])  # a whole response, of half a document
    result, requested = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    cut_id = URLS.article_id(cut_url)
    assert dict(without_crawled_at(result.items)) == {
        article_id: item for article_id, item in clean.items() if article_id != cut_id
    }
    assert requested.count(cut_url) == 3  # the first try and RETRY_TIMES=2 retries
    assert stat(result, "retry/reason_count/truncated") == 2
    assert stat(result, "newscrawl/skipped/truncated") == 1


def test_transient_faults_on_every_try_are_skipped_then_fetched_by_the_next_run(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    urls = list(site.articles.values())
    faulty = {urls[3 + n]: kind for n, kind in enumerate(TRANSIENT)}
    faults = {url: [kind] * 3 for url, kind in faulty.items()}  # every one of the three tries
    output = tmp_path / "out"
    with ReplayProxy(site.root, lifetime=300, hang_seconds=10, faults=faults) as proxy:
        first = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings=QUICK, default_feed=True,
        )  # fmt: skip
        requested = proxy.urls()
    assert first.returncode == 0, first.log[-3000:]
    for url, kind in faulty.items():
        assert requested.count(url) == 3, f"{kind}: {url} should be tried three times"
    reasons: dict[str, int] = {}
    for kind in faulty.values():
        reasons[TRANSIENT[kind]] = reasons.get(TRANSIENT[kind], 0) + 1
    for reason, count in reasons.items():
        assert stat(first, f"newscrawl/skipped/{reason}") == count, reason
    faulty_ids = {URLS.article_id(url) for url in faulty}
    first_items = published_items(output)
    assert {item["article_id"] for item in first_items} == set(clean) - faulty_ids
    # the faults are gone: the next run fetches exactly the skipped articles, and exports them
    with ReplayProxy(site.root, lifetime=300) as proxy:
        second = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings=QUICK, default_feed=True,
        )  # fmt: skip
        refetched = {url for url in proxy.urls() if "/read/" in url}
    assert second.returncode == 0, second.log[-3000:]
    assert refetched == set(faulty)
    items = published_items(output)
    assert sorted(item["article_id"] for item in items) == sorted(clean)
    assert dict(without_crawled_at(items)) == clean


def test_a_cut_short_index_page_is_retried_and_paged_again_next_run(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    page2 = index_url(site.days[0], 2)
    # cut on the first try only: retried, nothing lost in the same run
    once, requested = crawl(site.root, tmp_path / "once", site, faults={page2: ["cut_html"]})
    assert once.returncode == 0, once.log[-3000:]
    assert dict(without_crawled_at(once.items)) == clean
    assert requested.count(page2) == 2
    assert stat(once, "retry/reason_count/truncated") == 1
    # cut on every try: skipped with its reason, its rows missing; the next run pages it again
    output = tmp_path / "every"
    with ReplayProxy(site.root, lifetime=300, faults={page2: ["cut_gzip"] * 3}) as proxy:
        first = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings=QUICK, default_feed=True,
        )  # fmt: skip
    assert first.returncode == 0, first.log[-3000:]
    assert stat(first, "newscrawl/skipped/index_truncated") == 1
    assert len(published_items(output)) == len(clean) - 10
    with ReplayProxy(site.root, lifetime=300) as proxy:
        second = run_crawl(
            "bisnis", {"since": str(site.days[0]), "browser": "never"}, output_dir=output,
            proxy_env=proxy.env(), settings=QUICK, default_feed=True,
        )  # fmt: skip
        assert proxy.count(page2) == 1
    assert second.returncode == 0, second.log[-3000:]
    items = published_items(output)
    assert len(items) == len(clean) and dict(without_crawled_at(items)) == clean


def test_a_whole_page_without_its_end_tag_is_exported_after_one_retry(
    site: Generated, clean: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """A whole page that ends without ``</html>`` (as some real sites' do) and that a retry
    returns byte for byte is read after one retry, not skipped as truncated; a page cut in
    half (test above) stops before its footer and is still skipped."""
    builder = SiteBuilder(site.root, tmp_path / "unended")
    url = list(site.articles.values())[4]
    page = builder.body(url)
    assert page.rstrip().endswith("</html>")
    builder.put(url, page.rstrip().removesuffix("</html>"))
    result, requested = crawl(builder.save(), tmp_path / "out", site)
    assert result.returncode == 0, result.log[-3000:]
    assert dict(without_crawled_at(result.items)) == clean
    assert requested.count(url) == 2  # the first try and one retry
    assert stat(result, "retry/reason_count/truncated") == 1
    assert stat(result, "newscrawl/fetch/whole_without_end") == 1
    assert stat(result, "newscrawl/skipped/truncated") == 0
