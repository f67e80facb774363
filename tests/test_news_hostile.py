"""Hostile sites in generic mode (``scrapy crawl news``), each reproduced through the replay
proxy the way it was found (issue 21, items 3 and 4): a canonical URL naming another article
or another site, an endless chain of sitemap indexes, a sitemap index naming too many
sitemaps, a pager that never ends and a whole-text link that leads to another one.

The site pages come from the generated sites of ``tests/fixtures/anysite/`` (copied by
:class:`~tests.sitegen.SiteBuilder`, bodies rewritten); a crawl is one ``scrapy crawl news``
subprocess, its requests read from the proxy's log.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.pages.base import find_layout
from newscrawl.pages.generic import GenericArticlePage, article_id_of
from newscrawl.sites import bisnis, kompas
from tests.replay import ReplayProxy
from tests.sitegen import SiteBuilder
from tests.support import FIXTURES, CrawlResult, manifest, response_for, run_crawl, stat
from tests.test_news import NOTES, assert_contract_items, expected_by_url

ANYSITE = FIXTURES / "anysite"
XML = "application/xml; charset=UTF-8"
EVIL = "www.canonical-thief.example"


def crawl(
    root: Path, output: Path, settings: dict[str, str] | None = None, **args: str
) -> tuple[CrawlResult, list[str], set[str]]:
    """One ``crawl news`` of the site under ``root``: its result, the URLs it asked for and
    the hosts it contacted."""
    with ReplayProxy(root, lifetime=300) as proxy:
        result = run_crawl(
            "news",
            {"browser": "never", **args},
            output_dir=output,
            proxy_env=proxy.env(),
            settings=settings,
        )
        return result, proxy.urls(), proxy.hosts()


def plain_articles(domain: str) -> list[str]:
    """The site's articles read from one page: not split, not syndicated, not listed twice."""
    split = {url.removesuffix("?page=all") for url in manifest("anysite") if "?page=all" in url}
    others = {url for pair in NOTES["syndicated_urls"] for url in pair}
    others |= set(NOTES["duplicate_listing"]) | split
    return [
        url
        for url in sorted(expected_by_url("anysite"))
        if f".{domain}/" in url and url not in others
    ]


# -- 3. canonical poisoning ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def poisoned(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[CrawlResult, list[str], set[str], dict[str, str]]:
    """Articles whose canonical URL (``<link rel=canonical>``, ``og:url`` and every other
    mention of their own URL) names: another article of the same site (``thief`` names
    ``victim``), another site (``offsite``), or only ``og:url`` another article (``og``)."""
    tmp = tmp_path_factory.mktemp("canonical")
    builder = SiteBuilder(ANYSITE, tmp / "site")
    thief, victim, og_thief, og_victim = plain_articles("arusdaerah.id")[:4]
    offsite = plain_articles("sorotrakyat.id")[0]
    builder.put(thief, builder.body(thief).replace(thief, victim))
    elsewhere = f"https://{EVIL}/20251120/berita-curian-{article_id_of(offsite)}"
    builder.put(offsite, builder.body(offsite).replace(offsite, elsewhere))
    page = builder.body(og_thief)
    page = page.replace(f'<link rel="canonical" href="{og_thief}">', "")
    assert f'content="{og_thief}"' in page
    builder.put(og_thief, page.replace(f'content="{og_thief}"', f'content="{og_victim}"'))
    urls = {
        "thief": thief,
        "victim": victim,
        "offsite": offsite,
        "og": og_thief,
        "og_victim": og_victim,
    }
    start = ",".join([thief, victim, offsite, og_thief, og_victim])
    result, asked, hosts = crawl(builder.save(), tmp / "out", start_urls=start)
    return result, asked, hosts, urls


def test_a_canonical_naming_another_article_of_the_site_is_refused(poisoned: Any) -> None:
    """Both the page that names another article and that article are exported, each under
    its own URL and id; the refusal is counted."""
    result, _, _, urls = poisoned
    assert result.returncode == 0, result.log[-3000:]
    want = {urls[name] for name in ("thief", "victim", "og", "og_victim", "offsite")}
    assert_contract_items("anysite", result.items, want)
    for item in result.items:
        assert item["article_id"] == article_id_of(item["url"])
    assert stat(result.log, "newscrawl/generic/canonical_refused") == 2
    assert stat(result.log, "newscrawl/dedup/duplicate_id") == 0
    assert "already exported" not in result.log


def test_an_off_site_canonical_is_ignored_and_counted(poisoned: Any) -> None:
    result, _, hosts, urls = poisoned
    [item] = [item for item in result.items if item["url"] == urls["offsite"]]
    assert item["site"] == "sorotrakyat.id"
    assert item["article_id"] == article_id_of(urls["offsite"])
    assert not [i["url"] for i in result.items if EVIL in i["url"] or EVIL in i["site"]]
    assert stat(result.log, "newscrawl/generic/canonical_offsite") == 1
    assert EVIL not in hosts


@pytest.mark.parametrize(
    ("fetched", "named", "url"),
    [
        # the same article: confirmed
        (
            "https://a.id/berita/123456/judul",
            "https://a.id/berita/123456/judul-baru",
            "https://a.id/berita/123456/judul-baru",
        ),
        (
            "https://a.id/2025/judul-tanpa-id?utm_source=x",
            "http://a.id/2025/judul-tanpa-id/",
            "https://a.id/2025/judul-tanpa-id",
        ),
        (
            "https://a.id/2025/judul-tanpa-id",
            "https://www.a.id/2025/judul-tanpa-id",
            "https://www.a.id/2025/judul-tanpa-id",
        ),
        (
            "https://www.a.id/amp/2025/judul-tanpa-id",
            "https://www.a.id/2025/judul-tanpa-id",
            "https://www.a.id/2025/judul-tanpa-id",
        ),
        (
            "https://m.a.id/2025/judul-tanpa-id/amp",
            "https://www.a.id/2025/judul-tanpa-id",
            "https://www.a.id/2025/judul-tanpa-id",
        ),
        (
            "https://a.id/berita/123456/judul?page=2",
            "https://a.id/berita/123456/judul",
            "https://a.id/berita/123456/judul",
        ),
        # another article of the site, another site, no URL: the page's own
        (
            "https://a.id/berita/123456/judul",
            "https://a.id/berita/654321/lain",
            "https://a.id/berita/123456/judul",
        ),
        (
            "https://a.id/2025/judul-tanpa-id",
            "https://a.id/2025/judul-lain",
            "https://a.id/2025/judul-tanpa-id",
        ),
        (
            "https://a.id/berita/123456/judul",
            "https://a.id.evil.example/berita/123456/judul",
            "https://a.id/berita/123456/judul",
        ),
        (
            "https://a.id/berita/123456/judul",
            "javascript:alert(1)",
            "https://a.id/berita/123456/judul",
        ),
        ("https://a.id/berita/123456/judul", "http://[::1/x", "https://a.id/berita/123456/judul"),
    ],
)
def test_a_canonical_confirms_the_article_or_is_ignored(fetched: str, named: str, url: str) -> None:
    page_html = (
        f'<html><head><link rel="canonical" href="{html.escape(named)}">'
        '<meta property="og:type" content="article"></head>'
        "<body><h1>Judul</h1><article><p>Isi berita yang cukup panjang.</p></article>"
        "</body></html>"
    )
    page = GenericArticlePage(HtmlResponse(fetched, body=page_html.encode(), encoding="utf-8"))
    assert page.url() == url
    assert page.article_id() == article_id_of(url)
    assert page.site_name() == "a.id"


@pytest.mark.parametrize("site", ["bisnis", "kompas"])
def test_site_page_objects_take_the_article_from_the_url_fetched(site: str) -> None:
    """The site modules' page objects never read the canonical URL: a page naming another
    article (or another site) is still its own."""
    module = {"bisnis": bisnis, "kompas": kompas}[site]
    articles = [
        u
        for u, entry in manifest(site).items()
        if module.URLS.is_article(u) and "?" not in u and entry["status"] == 200
    ]
    url, other = articles[0], articles[1]
    for named in (other, f"https://{EVIL}/read/1/x"):
        response = response_for(url, site)
        assert f'rel="canonical" href="{url}"' in response.text
        body = response.text.replace(url, named)
        page = find_layout(response.replace(body=body.encode("utf-8")), module.SITE.article_layouts)
        assert page is not None
        item = page.to_item()
        assert item.url == module.URLS.canonical(url)
        assert item.article_id == module.URLS.article_id(url)
        assert item.site == module.SITE.domain


# -- 4. unbounded discovery ---------------------------------------------------------------------


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def chain_url(level: int) -> str:
    return f"https://www.arusdaerah.id/sitemap-index-{level}.xml"


@pytest.mark.parametrize("depth", [None, 1], ids=["default-3", "depth-1"])
def test_an_endless_chain_of_sitemap_indexes_is_read_to_the_depth_bound(
    depth: int | None, tmp_path: Path
) -> None:
    """200 sitemap indexes, each naming the next (and one article): read down to
    ``NEWSCRAWL_SITEMAP_DEPTH`` (3 by default; 1 here too: two levels of indexes) levels
    below the start URL, the rest refused and counted."""
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    articles = plain_articles("arusdaerah.id")
    for level in range(200):
        listed = f"https://www.arusdaerah.id/sitemap-articles-{level}.xml"
        builder.put(
            chain_url(level), sitemap_index([chain_url(level + 1), listed]), content_type=XML
        )
        builder.put(listed, urlset(articles[level : level + 1]), content_type=XML)
    settings = None if depth is None else {"NEWSCRAWL_SITEMAP_DEPTH": str(depth)}
    bound = 3 if depth is None else depth
    result, asked, _ = crawl(builder.save(), tmp_path / "out", settings, start_urls=chain_url(0))
    assert result.returncode == 0, result.log[-3000:]
    indexes = [url for url in asked if "/sitemap-index-" in url]
    assert sorted(indexes) == sorted(chain_url(level) for level in range(bound + 1)), indexes
    # the article sitemaps named down to the bound are read: those of the first levels
    assert_contract_items("anysite", result.items, set(articles[:bound]))
    assert stat(result.log, "newscrawl/discovery/sitemaps_too_deep") == 2
    assert f"NEWSCRAWL_SITEMAP_DEPTH={bound}" in result.log


def test_a_sitemap_index_naming_too_many_sitemaps_is_read_up_to_the_cap(tmp_path: Path) -> None:
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    parts = [f"https://www.arusdaerah.id/sitemap-part-{n}.xml" for n in range(60)]
    builder.put(chain_url(0), sitemap_index(parts), content_type=XML)
    for part in parts:
        builder.put(part, urlset([]), content_type=XML)
    result, asked, _ = crawl(
        builder.save(), tmp_path / "out", {"NEWSCRAWL_MAX_SITEMAPS": "20"}, start_urls=chain_url(0)
    )
    assert result.returncode == 0, result.log[-3000:]
    assert len([url for url in asked if "/sitemap-part-" in url]) == 20
    assert stat(result.log, "newscrawl/discovery/sitemaps_over_cap") == 40
    assert "NEWSCRAWL_MAX_SITEMAPS=20" in result.log


ARTICLE = """<!DOCTYPE html><html><head><title>{title}</title>
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-11-20T08:00:00+07:00">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "2025-11-20T08:00:00+07:00", "author": {{"@type": "Person", "name": "Ani"}}}}
</script></head><body><h1>{title}</h1>
<div class="isi"><p>JAKARTA, Arusdaerah.id - Halaman {number} berita tentang pasar yang naik.</p>
<p>Paragraf kedua halaman {number} menjelaskan apa yang terjadi di pasar pada hari itu.</p></div>
<div class="pager">{pager}</div>
</body></html>"""


def article_page(url: str, title: str, number: int, links: list[tuple[str, str]]) -> str:
    pager = "".join(
        f'<a href="{html.escape(href)}">{html.escape(text)}</a> ' for href, text in links
    )
    return ARTICLE.format(url=url, title=title, number=number, pager=pager)


@pytest.fixture(scope="module")
def endless_pages(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[CrawlResult, list[str], dict[str, str]]:
    """Split articles with no end: ``chain``, whose every page links the next (999 pages);
    ``listed``, whose first page lists 999 pages; ``whole``, whose whole-text link leads to
    another whole-text link, and so on (200 of them); and ``views``, whose two whole-text
    views (``?page=all``, ``?single=1``) link each other, as a real site may. The second
    run, with ``NEWSCRAWL_MAX_ARTICLE_PAGES=5``, also lists ``capped`` (20 pages, each
    linking the next)."""
    tmp = tmp_path_factory.mktemp("pager")
    builder = SiteBuilder(ANYSITE, tmp / "site")
    base = "https://www.arusdaerah.id/n7000{}/berita-halaman-tanpa-akhir-{}"
    urls = {
        name: base.format(n, name)
        for n, name in enumerate(("chain", "listed", "whole", "views", "short"), start=101)
    }
    chain = urls["chain"]
    builder.put(chain, article_page(chain, "Berita Rantai", 1, [(f"{chain}?page=2", "2")]))
    for number in range(2, 1000):
        links = [(f"{chain}?page={number + 1}", str(number + 1))] if number < 999 else []
        builder.put(f"{chain}?page={number}", article_page(chain, "Berita Rantai", number, links))
    listed = urls["listed"]
    pager = [(f"{listed}?page={n}", str(n)) for n in range(2, 1000)]
    builder.put(listed, article_page(listed, "Berita Daftar", 1, pager))
    for number in range(2, 1000):
        builder.put(f"{listed}?page={number}", article_page(listed, "Berita Daftar", number, []))
    whole = urls["whole"]
    builder.put(
        whole, article_page(whole, "Berita Utuh", 1, [(f"{whole}?view=1", "Tampilkan semua")])
    )
    for n in range(1, 200):
        link = [(f"{whole}?view={n + 1}", "Tampilkan semua")]
        builder.put(f"{whole}?view={n}", article_page(whole, "Berita Utuh", n, link))
    views = urls["views"]
    builder.put(
        views, article_page(views, "Berita Dua Tampilan", 1, [(f"{views}?page=all", "semua")])
    )
    builder.put(
        f"{views}?page=all",
        article_page(views, "Berita Dua Tampilan", 0, [(f"{views}?single=1", "Lihat semua")]),
    )
    builder.put(
        f"{views}?single=1",
        article_page(views, "Berita Dua Tampilan", 0, [(f"{views}?page=all", "Tampilkan semua")]),
    )
    short = urls["short"]  # three pages: joined as before
    builder.put(
        short,
        article_page(
            short, "Berita Pendek", 1, [(f"{short}?page=2", "2"), (f"{short}?page=3", "3")]
        ),
    )
    for number in (2, 3):
        builder.put(f"{short}?page={number}", article_page(short, "Berita Pendek", number, []))
    capped = "https://www.arusdaerah.id/n7000106/berita-halaman-di-bawah-batas-kecil"
    for number in range(1, 21):  # listed the second time only, read with a cap of 5
        link = [(f"{capped}?page={number + 1}", str(number + 1))] if number < 20 else []
        page_url = capped if number == 1 else f"{capped}?page={number}"
        builder.put(page_url, article_page(capped, "Berita Batas Kecil", number, link))
    listing = "https://www.arusdaerah.id/sitemap-pagers.xml"
    builder.put(listing, urlset(list(urls.values())), content_type=XML)
    listing_again = "https://www.arusdaerah.id/sitemap-pagers-again.xml"
    builder.put(listing_again, urlset([*urls.values(), capped]), content_type=XML)
    root = builder.save()
    result, asked, _ = crawl(root, tmp / "out", start_urls=listing)
    # the site listed again, with one more endless pager and NEWSCRAWL_MAX_ARTICLE_PAGES=5:
    # what was skipped as too_many_pages is remembered; the new pager stops at 5 pages
    again, asked_again, _ = crawl(
        root, tmp / "out", {"NEWSCRAWL_MAX_ARTICLE_PAGES": "5"}, start_urls=listing_again
    )
    return result, asked, {**urls, "capped": capped}, again, asked_again


def test_a_pager_that_never_ends_is_given_up_at_the_cap(endless_pages: Any) -> None:
    """A pager of 999 pages, one page leading to the next: at most
    ``NEWSCRAWL_MAX_ARTICLE_PAGES`` (50) pages asked for, the article skipped as
    ``too_many_pages``, never exported half-joined."""
    result, asked, urls, *_ = endless_pages
    assert result.returncode == 0, result.log[-3000:]
    pages = [url for url in asked if url.startswith(urls["chain"])]
    assert len(pages) <= 51, len(pages)
    assert len(pages) == len(set(pages))
    exported = {item["url"] for item in result.items}
    assert urls["chain"] not in exported
    assert f"Skipped {urls['chain']} (too_many_pages" in result.log


def test_a_pager_that_never_ends_is_given_up_at_a_lower_cap(endless_pages: Any) -> None:
    """With ``NEWSCRAWL_MAX_ARTICLE_PAGES=5`` a pager of 20 pages, one leading to the next, is
    read to its 5th page (which names a 6th): the article skipped as ``too_many_pages``."""
    *_, urls, again, asked_again = endless_pages
    capped = urls["capped"]
    assert again.returncode == 0, again.log[-3000:]
    pages = [url for url in asked_again if url.startswith(capped)]
    assert pages == [capped] + [f"{capped}?page={n}" for n in range(2, 6)]
    assert capped not in {item["url"] for item in again.items}
    assert f"Skipped {capped} (too_many_pages" in again.log
    assert "its pager names page 6, past NEWSCRAWL_MAX_ARTICLE_PAGES=5" in again.log
    assert stat(again.log, "newscrawl/skipped/too_many_pages") == 1


def test_an_article_with_too_many_pages_is_not_fetched_again_soon(endless_pages: Any) -> None:
    """``too_many_pages`` is remembered (``NEWSCRAWL_RETRY_AFTER_HOURS``, 24 h): the next run
    asks for none of those articles' pages again."""
    _, _, urls, again, asked_again = endless_pages
    assert again.returncode == 0, again.log[-3000:]
    for name in ("chain", "listed", "whole"):
        assert not [url for url in asked_again if url.startswith(urls[name])], name


def test_a_pager_listing_999_pages_is_given_up_at_once(endless_pages: Any) -> None:
    result, asked, urls, *_ = endless_pages
    assert [url for url in asked if url.startswith(urls["listed"])] == [urls["listed"]]
    assert urls["listed"] not in {item["url"] for item in result.items}
    assert f"Skipped {urls['listed']} (too_many_pages" in result.log


def test_a_whole_text_link_leading_to_another_is_not_followed(endless_pages: Any) -> None:
    result, asked, urls, *_ = endless_pages
    assert [url for url in asked if url.startswith(urls["whole"])] == [
        urls["whole"],
        f"{urls['whole']}?view=1",
    ]
    assert urls["whole"] not in {item["url"] for item in result.items}
    assert f"Skipped {urls['whole']} (too_many_pages" in result.log
    assert stat(result.log, "newscrawl/skipped/too_many_pages") == 3


def test_two_whole_text_views_linking_each_other_give_the_article(endless_pages: Any) -> None:
    result, asked, urls, *_ = endless_pages
    views = urls["views"]
    assert [url for url in asked if url.startswith(views)] == [views, f"{views}?page=all"]
    [item] = [item for item in result.items if item["url"] == views]
    assert "Halaman 0 berita" in item["body"]


def test_a_short_split_article_is_still_joined(endless_pages: Any) -> None:
    result, _, urls, *_ = endless_pages
    [item] = [item for item in result.items if item["url"] == urls["short"]]
    assert [f"Halaman {n} berita" in item["body"] for n in (1, 2, 3)] == [True] * 3
    assert len(result.items) == 2
    assert len(json.dumps(item)) < 5000


@pytest.mark.parametrize("cap", [None, 5], ids=["default-50", "cap-5"])
def test_extract_url_joins_at_most_the_cap_of_pages(
    cap: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``newscrawl.extract_url`` joins a split article as a crawl does, at most
    ``NEWSCRAWL_MAX_ARTICLE_PAGES`` pages (50 by default): a pager whose last page is the cap
    is joined whole; one that never ends is fetched up to the cap and refused
    (``NotAnArticle``), never joined half. Pages are served in-process (``_Reader.fetch``)."""
    import newscrawl
    from newscrawl import api

    bound = 50 if cap is None else cap
    settings = api.project_settings()
    if cap is not None:
        settings.set("NEWSCRAWL_MAX_ARTICLE_PAGES", cap)
    monkeypatch.setattr(api, "project_settings", lambda: settings)
    fetched: list[str] = []

    def pager(last: int) -> Any:
        def fetch(self: Any, url: str) -> HtmlResponse:
            fetched.append(url)
            first, _, number = url.partition("?page=")
            n = int(number or 1)
            links = [(f"{first}?page={n + 1}", str(n + 1))] if n < last else []
            page = article_page(first, "Berita Rantai", n, links)
            return HtmlResponse(url, body=page.encode("utf-8"), encoding="utf-8")

        return fetch

    whole = "https://www.arusdaerah.id/n7000201/berita-halaman-sampai-batas"
    monkeypatch.setattr(api._Reader, "fetch", pager(bound))
    item = newscrawl.extract_url(whole)
    assert item["url"] == whole and f"Halaman {bound} berita" in item["body"]
    assert fetched == [whole] + [f"{whole}?page={n}" for n in range(2, bound + 1)]

    fetched.clear()
    endless = "https://www.arusdaerah.id/n7000202/berita-halaman-tanpa-akhir"
    monkeypatch.setattr(api._Reader, "fetch", pager(999))
    detail = f"its pager names page {bound + 1}, past NEWSCRAWL_MAX_ARTICLE_PAGES={bound}"
    with pytest.raises(api.NotAnArticle, match=detail):
        newscrawl.extract_url(endless)
    assert fetched == [endless] + [f"{endless}?page={n}" for n in range(2, bound + 1)]
