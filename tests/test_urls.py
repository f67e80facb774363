"""URL canonicalisation and site membership."""

from __future__ import annotations

import pytest

from newscrawl.sites import bisnis as pages
from newscrawl.sites import is_sitemap_url
from newscrawl.urls import canonical_page_url, host_of, is_ip_host, on_domain, strip_tracking

ARTICLE = "https://market.bisnis.com/read/20251120/7/1931035/lembaga-penjamin-simpanan"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?utm_source=desktop&utm_medium=search",
        ARTICLE + "#goog_rewarded",
        ARTICLE + "/2",
        ARTICLE + "/3/",
        ARTICLE + "?page=all",
        "http://market.bisnis.com/read/20251120/7/1931035/lembaga-penjamin-simpanan",
        "https://MARKET.bisnis.com:443/read/20251120/7/1931035/lembaga-penjamin-simpanan/",
    ],
)
def test_article_variants_share_one_canonical_url(variant: str) -> None:
    assert pages.URLS.canonical(variant) == ARTICLE


def test_article_without_slug_keeps_its_id() -> None:
    url = "https://market.bisnis.com/read/20251120/7/1931035"
    assert pages.URLS.canonical(url) == url
    assert pages.URLS.article_id(url) == "1931035"


@pytest.mark.parametrize(
    ("url", "is_article"),
    [
        (ARTICLE, True),
        ("https://premium.bisnis.com/read/20251120/658/1931013/x", True),
        ("https://bisnis.com.berita-terkini.example/read/20251120/9/1999999/promo", False),
        ("http://127.0.0.1:9/read/20251120/9/1999998/internal", False),
        ("https://market.bisnis.com/bursa-saham", False),
        ("javascript:void(0)", False),
        ("https://www.bisnis.com/topic/1/emiten", False),
    ],
)
def test_is_article_url(url: str, is_article: bool) -> None:
    assert pages.URLS.is_article(url) is is_article


def test_on_domain() -> None:
    assert on_domain("https://bisnis.com/", "bisnis.com")
    assert on_domain("https://a.b.bisnis.com/x", "bisnis.com")
    assert not on_domain("https://notbisnis.com/", "bisnis.com")
    assert not on_domain("https://bisnis.com.example.net/", "bisnis.com")
    assert not on_domain("ftp://www.bisnis.com/", "bisnis.com")
    assert not on_domain("http://[::1]/", "bisnis.com")
    assert not on_domain("http://[bad", "bisnis.com")


def test_hosts() -> None:
    assert host_of("https://WWW.Bisnis.com:443/x") == "www.bisnis.com"
    assert host_of("http://[bad") == ""
    assert is_ip_host("127.0.0.1") and is_ip_host("[::1]") and not is_ip_host("bisnis.com")


def test_section_and_kinds() -> None:
    assert pages.URLS.section(ARTICLE) == "market"
    assert pages.URLS.section("https://www.bisnis.com/index") is None
    assert pages.URLS.section("https://example.com/") is None
    assert pages.INDEX.is_index("https://www.bisnis.com/index?categoryId=0")
    assert is_sitemap_url("https://www.bisnis.com/sitemap-news.xml", "bisnis.com")
    assert not is_sitemap_url("https://example.com/sitemap.xml", "bisnis.com")


def test_page_urls() -> None:
    assert strip_tracking("https://a/x?utm_source=1&b=2&fbclid=3") == "https://a/x?b=2"
    assert strip_tracking("https://a/x") == "https://a/x"
    assert (
        canonical_page_url("http://www.bisnis.com/index?page=1&date=2025-11-20#top")
        == "https://www.bisnis.com/index?date=2025-11-20&page=1"
    )
