"""Bisnis.com's page objects where they differ from every site's (the expected items of every
article page are checked for every site in ``test_sites.py``): the premium template, the
challenge page, real-page fragments, index and landing rows, the sitemap."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newscrawl.pages.base import ArticlePage, find_layout, sitemap_links
from newscrawl.sites import bisnis as pages
from tests.support import (
    BISNIS,
    expected,
    exported_item,
    final_page,
    fixture_response,
    manifest,
    response_for,
)


def page_of(article_id: str) -> ArticlePage:
    """The page object the spider ends on: the article, or its ``?page=all`` when split."""
    return final_page(expected()[article_id]["url"], "bisnis", pages.SITE.article_layouts)


def exported(article_id: str) -> dict[str, Any]:
    """The item as the crawl exports it: page object, then the boilerplate pipeline."""
    return exported_item(page_of(article_id))


def test_origin_article_is_read() -> None:
    item = exported("915431")
    assert item["title"] == "Naik Kereta Api Pribadi, Kim Jong-un Temui Putin"
    assert item["published_at"] == "2019-04-24T09:36:12+07:00"
    assert "Cek Berita" not in item["body"] and "Nyaman tanpa iklan" not in item["body"]


def test_multipage_article_is_detected_and_whole_text_read() -> None:
    url = expected()["1931028"]["url"]
    first = find_layout(response_for(url), pages.SITE.article_layouts)
    assert first is not None and first.is_multipage()
    whole = find_layout(response_for(url + "?page=all"), pages.SITE.article_layouts)
    assert whole is not None and not whole.is_multipage()
    assert len(whole.paragraphs) > len(first.paragraphs)


def test_single_page_article_is_not_multipage() -> None:
    page = find_layout(response_for(expected()["1931001"]["url"]), pages.SITE.article_layouts)
    assert page is not None and not page.is_multipage()


def test_premium_template_is_chosen_for_paywall_pages() -> None:
    page = page_of("1931013")
    assert isinstance(page, pages.BisnisPremiumPage)
    assert page.to_item().is_premium is True


def test_challenge_page_has_no_article_layout_body() -> None:
    url = next(u for u, e in manifest().items() if e["status"] == 403)
    page = find_layout(response_for(url), pages.SITE.article_layouts)
    assert page is None or not page.has_body()


def test_real_article_fragment_fields() -> None:
    response = fixture_response(
        BISNIS / "real" / "article-2025-07-29.fragment.html",
        "https://kabar24.bisnis.com/read/20250729/15/1897000/dana-desa",
    )
    page = find_layout(response, pages.SITE.article_layouts)
    assert page is not None
    item = page.to_item()
    assert item.title == "Dana Desa Jadi Jaminan Kopdes Merah Putih, Mendes: Dibatasi 30%"
    assert item.authors == ["Ni Luh Anggela"]
    assert item.published_at == "2025-07-29T18:27:00+07:00"
    assert not page.has_body() and item.body is None


def test_real_index_fragment_rows_and_page_count() -> None:
    response = fixture_response(
        BISNIS / "real" / "index-2025-07-28.fragment.html",
        "https://www.bisnis.com/index?categoryId=43&type=indeks&date=2025-07-28&page=1",
    )
    listing = pages.BisnisListPage(response)
    assert listing.total_pages() == 17
    assert listing.links().articles == [
        "https://teknologi.bisnis.com/read/20250729/101/1897499/mitratel-mtel-tak-takut-demam-starlink-infrastruktur-saling-melengkapi",
        "https://market.bisnis.com/read/20250729/192/1897546/laba-semester-i2025-melonjak-saham-saraswanti-swid-jadi-top-gainers",
    ]


def test_index_rows_skip_widgets_offsite_and_loopback_links() -> None:
    url = "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=1"
    links = pages.BisnisListPage(response_for(url)).links()
    assert all(pages.URLS.is_article(u) and u.startswith("https://") for u in links.articles)
    assert all("utm_" not in u and "#" not in u for u in links.articles)
    assert not any("/read/2026" in u for u in links.articles), "sidebar widget followed"
    assert any("bisnis.com.berita-terkini.example" in u for u in links.rejected)
    assert any("127.0.0.1" in u for u in links.rejected)
    assert len(links.articles) == 10


def test_index_page_count_from_label_when_input_missing() -> None:
    html = b"<html><body><p class='pagingLabel'>dari 5 halaman</p></body></html>"
    from scrapy.http import HtmlResponse

    response = HtmlResponse("https://www.bisnis.com/index", body=html, encoding="utf-8")
    assert pages.BisnisListPage(response).total_pages() == 5


@pytest.mark.parametrize(
    "landing", sorted(json.loads((BISNIS / "notes.json").read_text())["landing"])
)
def test_landing_pages_list_their_articles(landing: str) -> None:
    want = json.loads((BISNIS / "notes.json").read_text())["landing"][landing]
    links = pages.BisnisListPage(response_for(landing)).links()
    assert sorted(pages.URLS.article_id(u) or "" for u in links.articles) == sorted(want)


def test_sitemap_lists_article_urls() -> None:
    body = (BISNIS / "site" / "www.bisnis.com_sitemap-news.xml.xml").read_bytes()
    links = sitemap_links(body, pages.URLS)
    assert len(links.articles) == 37 and not links.rejected
