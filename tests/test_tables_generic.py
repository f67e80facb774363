"""The generic page's pure helpers (newscrawl.pages.generic, module level) and its tables,
named entry by entry: id and page forms, the canonical rule, name separators, so that a slip
in a refactor fails a test. The page object itself is tested through pages and crawls."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from newscrawl.pages import generic as g


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://ekonomi.arusdaerah.id/n1/x", "arusdaerah.id"),
        ("https://www.kabar.co.id/a", "kabar.co.id"),
        ("https://A.B.Kompas.com/read/1", "kompas.com"),
        ("https://warta.id:8443/x", "warta.id"),
        ("https://warta.blogspot.com/x", "warta.blogspot.com"),  # a private suffix
        ("http://[bad/x", ""),
        ("/relative", ""),
        ("https://localhost/x", "localhost"),
    ],
)
def test_registered_domain(url: str, domain: str) -> None:
    assert g.registered_domain(url) == domain


def test_brand_of() -> None:
    assert g.brand_of("Kabar.co.id") == "kabar"
    assert g.brand_of("warta") == "warta"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            " http://A.Example/berita/123456/x/2?utm_source=y#z ",
            "https://a.example/berita/123456/x",
        ),
        ("https://a.example/berita/x/12/", "https://a.example/berita/x"),
        ("https://a.example/berita/x/123", "https://a.example/berita/x/123"),
        ("https://a.example/berita/x/", "https://a.example/berita/x"),
        ("https://a.example/2", "https://a.example/"),
        ("https://a.example", "https://a.example/"),
        ("https://a.example//", "https://a.example/"),
        ("https://a.example/x2", "https://a.example/x2"),
        ("https://a.example/berita/TAX/", "https://a.example/berita/TAX"),
        ("/berita/x", "https:///berita/x"),  # no host: none made up
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert g.canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://a.id/x?page=2", 2),
        ("https://a.id/x?PAGE=2", 2),
        ("https://a.id/x?p=3", 3),
        ("https://a.id/x?hal=4", 4),
        ("https://a.id/x?halaman=12", 12),
        ("https://a.id/x?a=1&page=5&b=2", 5),
        ("https://a.id/x?page=100", 100),
        ("https://a.id/x?page=1000", None),
        ("https://a.id/x?mypage=2", None),
        ("https://a.id/x?page=2x", None),
        ("https://a.id/x/7", 7),
        ("https://a.id/x/07/", 7),
        ("https://a.id/x/123", None),
        ("https://a.id/x?page=2#/9", 2),
        ("https://a.id/x", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    assert g.page_number(url) == number


@pytest.mark.parametrize(
    ("url", "article_id"),
    [
        ("https://a.id/berita/1931005/judul", "1931005"),
        ("https://a.id/n6468796/judul", "6468796"),
        ("https://a.id/d-123456/judul", "123456"),
        ("https://a.id/ab123456.html", "123456"),
        ("https://a.id/ab123456.htm", "123456"),
        ("https://a.id/abc123456/judul", g.article_id_of("https://a.id/abc123456/judul")),
        ("https://a.id/1111111/judul/2222222", "2222222"),
        ("https://a.id/20251120/judul-7660126", "7660126"),
        ("https://a.id/20251120/judul-7660126.html", "7660126"),
        ("https://a.id/read/judul-20251120", None),  # a date is no id
        ("https://a.id/19991231/judul", None),
        ("https://a.id/20251320/judul", "20251320"),  # no month 13: a number
        ("https://a.id/1234/judul-5678", None),  # too short
        ("https://a.id/N6468796/Judul", "6468796"),
    ],
)
def test_article_id_of(url: str, article_id: str | None) -> None:
    found = g.article_id_of(url)
    if article_id is None:
        expected = "u" + hashlib.sha256(g.canonical_url(url).encode()).hexdigest()[:16]
        assert found == expected
    else:
        assert found == article_id


def test_a_hashed_id_is_the_canonical_urls() -> None:
    one = g.article_id_of("https://a.id/judul-tanpa-id/2?x=1#y")
    assert one == g.article_id_of("http://A.id/judul-tanpa-id/") and len(one) == 17
    assert g.article_id_of("https://a.id/") == g.article_id_of("https://a.id")


@pytest.mark.parametrize(
    ("digits", "date"),
    [
        ("19990101", True),
        ("20251231", True),
        ("20250229", True),
        ("18991231", False),
        ("21000101", False),
        ("20251301", False),
        ("20250001", False),
        ("20250132", False),
        ("20250100", False),
        ("2025010", False),
        ("202501011", False),
    ],
)
def test_date_digits(digits: str, date: bool) -> None:
    assert bool(g.DATE_DIGITS.match(digits)) is date


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ani Lestari dan Budi", ["Ani Lestari", "Budi"]),
        ("Ani, Budi & Citra", ["Ani", "Budi", "Citra"]),
        ("Ani and Budi", ["Ani", "Budi"]),
        ("Danu Andan", ["Danu Andan"]),
        ("Ani,, Budi", ["Ani", "Budi"]),
        (" , ", []),
        ("Ani\u00a0 Lestari", ["Ani Lestari"]),
    ],
)
def test_split_names(text: str, names: list[str]) -> None:
    assert g.split_names(text) == names


def test_canonical_refusal() -> None:
    own = "https://www.warta.id/read/1931005/judul"
    assert g.canonical_refusal(own, "http://warta.id/read/1931005/judul-baru?x=1") is None
    assert g.canonical_refusal(own, own) is None
    assert g.canonical_refusal(own, "https://m.warta.id/read/1931005/judul/2") is None
    assert g.canonical_refusal(own, "https://www.warta.id/amp/read/x/judul") == g.CANONICAL_REFUSED
    assert g.canonical_refusal(own, "https://www.warta.id/read/1999999/lain") == (
        g.CANONICAL_REFUSED
    )
    assert g.canonical_refusal(own, "https://evil.example/read/1931005/judul") == (
        g.CANONICAL_OFFSITE
    )
    assert g.canonical_refusal(own, "ftp://www.warta.id/read/1931005/judul") == (
        g.CANONICAL_REFUSED
    )
    assert g.canonical_refusal(own, "HTTPS://www.warta.id/read/1931005/x") is None
    assert g.canonical_refusal(own, "https:///read/1931005/judul") == g.CANONICAL_REFUSED
    assert g.canonical_refusal(own, "http://[bad/x") == g.CANONICAL_REFUSED
    plain = "https://warta.id/berita/judul-tanpa-id"
    assert g.canonical_refusal(plain, "https://www.warta.id/amp/berita/judul-tanpa-id.amp") is None
    assert g.canonical_refusal(plain, "https://warta.id/berita/lain") == g.CANONICAL_REFUSED
    assert (g.CANONICAL_OFFSITE, g.CANONICAL_REFUSED) == ("canonical_offsite", "canonical_refused")


def _element(html: str) -> etree._Element:
    return etree.fromstring(html, etree.HTMLParser()).find(".//body/*")


def test_element_measures() -> None:
    element = _element(
        "<html><body><div class='Isi  Berita'>Satu <b>dua</b>\n tiga<p>empat</p>lima"
        "<script>x = 1</script></div></body></html>"
    )
    assert g._classes(element) == "isi  berita"
    assert g._classes(_element("<html><body><div>x</div></body></html>")) == ""
    # itertext joins "tiga" to "empat" and reads the script: a cheap first look
    assert g._words(element) == 5
    assert g._chars(element) == len("Satuduatigaempatlimax=1")
    assert g.block_text(element) == "Satu dua tiga empat lima"


#: A slug or an id (a path of numbers alone, "/12/3", loses one page number a pass).
_segment = st.from_regex(r"[a-c][a-c0-9-]{0,11}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(_segment, max_size=4), st.sampled_from(["", "/", "/2", "?page=3", "#x"]))
def test_ids_and_canonical_urls_are_stable(segments: list[str], tail: str) -> None:
    url = "https://warta.id/" + "/".join(segments) + tail
    canonical = g.canonical_url(url)
    assert g.canonical_url(canonical) == canonical
    assert g.article_id_of(canonical) == g.article_id_of(url) or tail == "/2"
    assert g.canonical_refusal(canonical, url) is None


def test_a_line_selling_the_site_is_a_short_one() -> None:
    sells = g.names_the_site_test("bisnis")
    line = "Langganan BisnisPro"
    assert sells(line + " ya" * (g.MAX_PROMO_WORDS - 2))  # MAX_PROMO_WORDS words
    assert not sells(line + " ya" * (g.MAX_PROMO_WORDS - 1))
    assert not sells("Langganan Bisnis sekarang")  # the plain word
    assert not sells("BisnisPro hari ini")  # no channel
