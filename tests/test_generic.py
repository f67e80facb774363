"""The generic article page (issue "Any news site"), page by page: every article of the two
generated sites (``tests/fixtures/anysite/``, templates unlike our sites) and of the Bisnis.com
and Kompas.com references (their site modules not used) gives exactly the fields of the
generic contract; pages that are not articles give none. The ``news`` spider that crawls with
it is not built yet.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs
from newscrawl.loaders import GenericLoader
from newscrawl.pages.generic import (
    GenericArticlePage,
    article_id_of,
    brand_of,
    canonical_url,
    names_the_site_test,
    registered_domain,
    split_names,
)
from tests.support import FIXTURES, manifest

#: The fields of the generic contract (tests/fixtures/anysite/README.md).
FIELDS = ("url", "site", "title", "authors", "published_at", "dateline", "body", "tags",
          "image_url")  # fmt: skip
FOLDERS = ("anysite", "bisnis", "kompas")


@cache
def expected_by_url(folder: str) -> dict[str, dict[str, Any]]:
    """A fixture folder's expected items by URL (the anysite ones carry no ``article_id``)."""
    lines = (FIXTURES / folder / "expected.jsonl").read_text("utf-8").splitlines()
    return {item["url"]: item for item in map(json.loads, filter(str.strip, lines))}


ARTICLES = [(folder, url) for folder in FOLDERS for url in sorted(expected_by_url(folder))]


def page_at(folder: str, url: str) -> GenericArticlePage:
    entry = manifest(folder)[url]
    body = (FIXTURES / folder / "site" / entry["file"]).read_bytes()
    return GenericArticlePage(HtmlResponse(url, body=body, encoding="utf-8"))


def generic_item(folder: str, url: str) -> dict[str, Any]:
    """What generic mode exports for the article at ``url``: its whole-text view when the
    pager links one, then the shared promo rules (no site's own)."""
    page = page_at(folder, url)
    whole = page.whole_text_url()
    if whole is not None:
        page = page_at(folder, whole)
    item = page.to_item()
    if item.body:
        item.body = "\n\n".join(filter_paragraphs(item.body.split("\n\n"), SHARED_RULES).kept)
    return {name: getattr(item, name) for name in FIELDS}


@pytest.mark.parametrize(("folder", "url"), ARTICLES)
def test_generic_page_gives_the_contract_fields(folder: str, url: str) -> None:
    want = expected_by_url(folder)[url]
    got = generic_item(folder, url)
    for name in FIELDS:
        assert got[name] == want[name], f"{name} of {url}"


def test_anysite_promo_lines_never_reach_a_body() -> None:
    notes = json.loads((FIXTURES / "anysite" / "notes.json").read_text("utf-8"))
    for url in expected_by_url("anysite"):
        body = generic_item("anysite", url)["body"]
        for lines in notes["promo_lines"].values():
            assert not any(line in body for line in lines), url


def test_promo_lines_left_out_are_counted_as_learned() -> None:
    counted = 0
    for url in expected_by_url("anysite"):
        page = page_at("anysite", url)
        page.paragraphs  # noqa: B018 - reading the body is what finds them
        counted += len(page.notes())
        assert all(note == f"boilerplate/{page.domain}/learned" for note in page.notes())
    assert counted > 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.arusdaerah.id/",
        "https://ekonomi.arusdaerah.id/",
        "https://www.sorotrakyat.id/",
        "https://bisnis.sorotrakyat.id/",
    ],
)
def test_listing_pages_are_not_articles(url: str) -> None:
    assert not page_at("anysite", url).is_article()


def test_every_expected_page_is_an_article() -> None:
    assert all(page_at("anysite", url).is_article() for url in expected_by_url("anysite"))


# --- the helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://ekonomi.arusdaerah.id/n1/x", "arusdaerah.id"),
        ("https://www.kabarpasar.co.id/a", "kabarpasar.co.id"),
        ("https://money.kompas.com/read/1", "kompas.com"),
    ],
)
def test_registered_domain(url: str, domain: str) -> None:
    assert registered_domain(url) == domain
    assert brand_of(domain) == domain.split(".")[0]


def test_canonical_url_and_article_id() -> None:
    assert canonical_url("http://A.example/berita/123456/x/2?utm_source=y#z") == (
        "https://a.example/berita/123456/x"
    )
    assert article_id_of("https://a.example/20251120/judul-7660126") == "7660126"
    assert article_id_of("https://a.example/n6468796/judul") == "6468796"
    hashed = article_id_of("https://a.example/2025/11/20/judul-tanpa-id")
    assert hashed.startswith("u") and hashed == article_id_of(
        "https://a.example/2025/11/20/judul-tanpa-id?x=1"
    )


def test_split_names() -> None:
    assert split_names("Ani Lestari dan Budi") == ["Ani Lestari", "Budi"]
    assert split_names("Ani, Budi & Citra") == ["Ani", "Budi", "Citra"]


@pytest.mark.parametrize(
    ("opening", "city", "rest"),
    [
        ("JAKARTA, Kabarpasar.co.id - Harga naik.", "JAKARTA", "Harga naik."),
        ("Kabarpasar.co.id, MEDAN — Harga naik.", "MEDAN", "Harga naik."),
        ("Kabarpasar,co.id, MEDAN — Harga naik.", "MEDAN", "Harga naik."),
        ("Jakarta (ANTARA) - Harga naik.", "JAKARTA", "Harga naik."),
        ("Bandar Lampung (ANTARA) – Harga naik.", "BANDAR LAMPUNG", "Harga naik."),
        ("KABARPASAR.co.id - Harga naik.", None, "Harga naik."),
        ("Harga naik - kata analis.", None, "Harga naik - kata analis."),
    ],
)
def test_generic_datelines(opening: str, city: str | None, rest: str) -> None:
    loader = GenericLoader(brand="kabarpasar")
    loader.add_value("body", [opening, "Penutup. (ara/das)"])
    loader.add_value("dateline", [opening])
    item = loader.load_item()
    assert item.dateline == city
    assert item.body == f"{rest}\n\nPenutup."


def test_a_block_of_initials_alone_is_dropped() -> None:
    loader = GenericLoader(brand="kabarpasar")
    loader.add_value("body", ["Isi berita.", "(ara/das)"])
    assert loader.load_item().body == "Isi berita."


@pytest.mark.parametrize(
    ("line", "promo"),
    [
        ("Nyaman tanpa iklan. Langganan BisnisPro", True),
        ("Baca berita tanpa iklan. Gabung Bisnis.com+", True),
        ("Pelaku bisnis menilai langkah itu perlu diikuti dengan kepastian regulasi.", False),
        ("Bisnis.com mencoba menghubungi pihak perusahaan, tetapi belum ada jawaban.", False),
        ("Gabung kanal WhatsApp Warta.id sekarang", False),  # another site's name
    ],
)
def test_a_line_selling_the_site_itself(line: str, promo: bool) -> None:
    assert names_the_site_test("bisnis")(line) is promo


@pytest.mark.parametrize(
    ("link", "found"),
    [
        ('<a href="/read/1/judul?page=all">2</a>', True),
        ('<a href="/read/1/judul?single=1">x</a>', True),
        ('<a href="/read/1/judul#full">TAMPILKAN SEMUA</a>', True),
        ('<a href="/read/1/judul#full"><span>Baca selengkapnya</span></a>', True),
        ('<a href="/read/1/judul?page=2">2</a>', False),
        ('<a href="/read/1/lain?page=all">semua</a>', False),  # another article's
    ],
)
def test_the_pagers_whole_text_link(link: str, found: bool) -> None:
    url = "https://www.warta.id/read/1/judul"
    html = f"<html><body><article><p>Teks.</p><div>{link}</div></article></body></html>"
    page = GenericArticlePage(HtmlResponse(url, body=html.encode(), encoding="utf-8"))
    assert (page.whole_text_url() is not None) is found


def test_feeds_are_known_by_their_root_element() -> None:
    from newscrawl.spiders.news import is_feed

    assert not is_feed(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">')
    assert is_feed(b'<?xml version="1.0"?><urlset xmlns="x"><url><loc>u</loc></url></urlset>')
    assert is_feed(b"<rss><channel><item><link>u</link></item></channel></rss>")
    assert is_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>')
    assert not is_feed(b"<!DOCTYPE html><html><body><div class='feed'></div></body></html>")


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://a.id/read/1/judul?page=2", 2),
        ("https://a.id/read/1/judul?utm=x&p=3", 3),
        ("https://a.id/read/1/judul?halaman=12", 12),
        ("https://a.id/20251121/judul-7660715/2", 2),
        ("https://a.id/20251121/judul-7660715/2/", 2),
        ("https://a.id/read/1/judul-tahun-ini-2", None),  # a slug ending in a number
        ("https://a.id/read/1/judul?page=all", None),
        ("https://a.id/read/1/judul", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    from newscrawl.pages.generic import page_number

    assert page_number(url) == number


def test_other_pages_are_the_pagers_links_to_this_article() -> None:
    url = "https://www.warta.id/read/1/judul"
    pager = (
        '<a href="/read/1/judul?page=3">3</a><a href="/read/1/judul?page=2">2</a>'
        '<a href="/read/1/judul?page=2#top">berikutnya</a><a href="/read/2/lain?page=2">2</a>'
        '<a href="/read/1/judul">1</a>'
    )
    html = f"<html><body><article><p>Teks.</p><div>{pager}</div></article></body></html>"
    page = GenericArticlePage(HtmlResponse(url, body=html.encode(), encoding="utf-8"))
    assert page.other_pages() == [(2, f"{url}?page=2"), (3, f"{url}?page=3")]
    assert page.is_multipage()
