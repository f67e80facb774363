"""Page objects on variations of the reference markup a site of the same template may show."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.pages.base import find_layout
from newscrawl.pipelines import ValidationPipeline
from newscrawl.sites import bisnis as pages
from newscrawl.sites import kompas
from tests.support import (
    FIXTURES,
    assert_expected_item,
    expected,
    exported_item,
    fixture_response,
    response_for,
    validate,
)

SITES = {"bisnis": pages, "kompas": kompas}

URL = expected()["1931001"]["url"]


def mutated(old: str, new: str, url: str = URL) -> HtmlResponse:
    """The reference page of ``url`` with ``old`` replaced by ``new`` (which must occur)."""
    original = response_for(url).text
    assert old in original, f"{old!r} not in the page"
    return HtmlResponse(url, body=original.replace(old, new, 1).encode(), encoding="utf-8")


def item_of(response: HtmlResponse) -> pages.ArticleItem:
    page = find_layout(response, pages.SITE.article_layouts)
    assert page is not None
    return page.to_item()


def test_caption_is_the_figcaption_not_the_alt() -> None:
    response = mutated(
        'alt="Ilustrasi layanan 5G di Yogyakarta. Bisnis/Agus Setiawan"', 'alt="Judul lain"'
    )
    assert (
        item_of(response).image_caption
        == "Ilustrasi layanan 5G di Yogyakarta. Bisnis/Agus Setiawan"
    )


def test_caption_keeps_inline_markup_text() -> None:
    response = mutated(
        '<figcaption class="detailsImgCaption">Ilustrasi layanan 5G',
        '<figcaption class="detailsImgCaption">Ilustrasi <em>layanan</em> 5G',
    )
    assert (
        item_of(response).image_caption
        == "Ilustrasi layanan 5G di Yogyakarta. Bisnis/Agus Setiawan"
    )


def test_caption_falls_back_to_alt() -> None:
    response = mutated(
        '<figcaption class="detailsImgCaption">Ilustrasi layanan 5G di Yogyakarta. '
        "Bisnis/Agus Setiawan</figcaption>",
        "",
    )
    assert (
        item_of(response).image_caption
        == "Ilustrasi layanan 5G di Yogyakarta. Bisnis/Agus Setiawan"
    )


def test_lazy_image_source() -> None:
    response = mutated(
        '<img src="https://images.bisnis.com/posts/2025/11/20/1931001/bank-indonesia-bakal-men.jpg"',
        '<img src="data:image/gif;base64,R0lGOD" data-src="/posts/x.jpg"',
    )
    assert item_of(response).image_url == "https://kabar24.bisnis.com/posts/x.jpg"


def test_lead_of_several_blocks_keeps_them_apart() -> None:
    response = mutated(
        '<div class="detailsLead"><p>Di sisi lain,',
        '<div class="detailsLead"><p>Kalimat satu.</p><p>Di sisi lain,',
    )
    assert item_of(response).lead == (
        "Kalimat satu. Di sisi lain, investor asing membukukan beli bersih Rp968,14 miliar "
        "sepanjang pekan ini."
    )


def test_premium_box_on_a_normal_article_does_not_make_it_premium() -> None:
    response = mutated('<section class="premiumBox">', '<section class="premiumBox paywall">')
    page = find_layout(response, pages.SITE.article_layouts)
    assert isinstance(page, pages.BisnisArticlePage)
    assert not isinstance(page, pages.BisnisPremiumPage)
    assert page.to_item().is_premium is False


def test_breadcrumb_last_item_as_plain_text() -> None:
    response = mutated(
        '<li class="breadcrumbItem"><a class="breadcrumbLink" href="https://kabar24.bisnis.com/hukum">Hukum</a></li>',
        '<li class="breadcrumbItem">Hukum Pidana</li>',
    )
    assert item_of(response).category == "Hukum Pidana"


def test_read_also_box_variant_is_not_body() -> None:
    response = mutated('<div class="baca-juga-box">', '<div class="baca-juga">')
    body = item_of(response).body or ""
    assert "Otoritas Jasa Keuangan Pangkas Target" not in body


def test_visible_date_when_metas_are_missing() -> None:
    response = mutated('<meta name="publishdate"', '<meta name="x-publishdate"')
    response = HtmlResponse(
        URL,
        body=response.text.replace('property="article:published_time"', 'property="x"').encode(),
        encoding="utf-8",
    )
    assert item_of(response).published_at == "2025-11-20T07:08:00+07:00"


def test_page_count_ignores_script_text() -> None:
    html = (
        b"<html><body><script>var s = 'dari 9 halaman';</script>"
        b"<p class='pagingLabel'>dari 3 halaman</p></body></html>"
    )
    response = HtmlResponse("https://www.bisnis.com/index", body=html, encoding="utf-8")
    assert pages.BisnisListPage(response).total_pages() == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://market.bisnis.com/read/20251120/7/1931035x/slug",
        "https://market.bisnis.com/read/2025112/7/1931035/slug",
    ],
)
def test_malformed_article_paths_are_not_articles(url: str) -> None:
    assert not pages.URLS.is_article(url)


def test_trailing_dot_host_is_canonical() -> None:
    url = "https://market.bisnis.com./read/20251120/7/1931035/slug"
    assert pages.URLS.canonical(url) == "https://market.bisnis.com/read/20251120/7/1931035/slug"
    assert pages.URLS.section(url) == "market"


KOMPAS_URL = expected("kompas")[sorted(expected("kompas"))[0]]["url"]


def kompas_item(old: str, new: str) -> pages.ArticleItem:
    from newscrawl.pipelines import BoilerplatePipeline

    original = response_for(KOMPAS_URL, "kompas").text
    assert old in original
    body = original.replace(old, new, 1).encode()
    response = HtmlResponse(KOMPAS_URL, body=body, encoding="utf-8")
    page = find_layout(response, kompas.SITE.article_layouts)
    assert page is not None
    return BoilerplatePipeline(get_crawler()).process_item(page.to_item())


def test_kompas_read_also_links_without_a_label_are_not_body() -> None:
    link = '<a class="inner-link-baca-juga" href="https://money.kompas.com/read/2025/11/20/1/x">'
    extra = f"<p>{link}Judul Lain Satu</a></p><ul><li>{link}Judul Lain Dua</a></li></ul>"
    item = kompas_item('<div class="read__content">', '<div class="read__content">' + extra)
    assert "Judul Lain" not in (item.body or "")
    assert item.dateline == expected("kompas")[sorted(expected("kompas"))[0]]["dateline"]


# --- fixture variants: mutated copies of reference pages (tests/fixtures/<site>/variants/) -----


def variants(site: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(
        (FIXTURES / site / "variants" / "variants.json").read_text("utf-8")
    )
    return entries


VARIANTS = [(site, variant) for site in ("bisnis", "kompas") for variant in variants(site)]


@pytest.mark.parametrize(
    ("site", "variant"), VARIANTS, ids=[f"{site}/{v['file']}" for site, v in VARIANTS]
)
def test_variant_page_gives_its_item(site: str, variant: dict[str, Any]) -> None:
    """The item of a variant is its reference article's item with the variant's changes,
    field by field; its notes are the variant's; a valid one matches the schema, and the
    validation pipeline drops an invalid one."""
    path = FIXTURES / site / "variants" / variant["file"]
    html = path.read_text("utf-8")
    assert all(change["to"] in html for change in variant["changes"]), "not the variant described"
    page = find_layout(fixture_response(path, variant["url"]), SITES[site].SITE.article_layouts)
    assert page is not None
    item = exported_item(page)
    assert_expected_item(item, {**expected(site)[variant["base"]], **variant["expected"]})
    assert page.notes() == variant.get("notes", [])
    if variant.get("valid", True):
        validate(item)
        return
    if item["published_at"] is not None:  # the schema allows null: news exports undated ones
        with pytest.raises(jsonschema.ValidationError):
            validate(item)
    with pytest.raises(DropItem):  # a site spider's item without a date is dropped
        ValidationPipeline(get_crawler()).process_item(page.to_item())


def test_every_variant_changes_its_reference_item_but_the_cleaning_ones() -> None:
    unchanged = {
        variant["file"]
        for site, variant in VARIANTS
        if all(expected(site)[variant["base"]][k] == v for k, v in variant["expected"].items())
    }
    assert unchanged == {"control-characters.html", "modified-time-unchanged.html"}


@pytest.mark.parametrize(
    ("dates", "metas", "published_at", "updated_at"),
    [
        # a visible update after the publication; the metas publish
        ("Kamis, 20 November 2025 | 07:08 WIB | Diperbarui: 20 November 2025 | 12:30 WIB", True,
         "2025-11-20T07:08:55+07:00", "2025-11-20T12:30:00+07:00"),
        # without the metas: the visible publication time, never the update time
        ("Kamis, 20 November 2025 | 07:08 WIB | Diperbarui: 20 November 2025 | 12:30 WIB", False,
         "2025-11-20T07:08:00+07:00", "2025-11-20T12:30:00+07:00"),
        ("Diperbarui 20 November 2025 | 12:30 WIB", False, None, "2025-11-20T12:30:00+07:00"),
    ],
)  # fmt: skip
def test_bisnis_visible_update_time(
    dates: str, metas: bool, published_at: str | None, updated_at: str | None
) -> None:
    response = mutated("Kamis, 20 November 2025 | 07:08", dates)
    if not metas:
        html = response.text.replace('name="publishdate"', 'name="x"')
        html = html.replace('property="article:published_time"', 'property="x"')
        response = HtmlResponse(URL, body=html.encode(), encoding="utf-8")
    item = item_of(response)
    assert (item.published_at, item.updated_at) == (published_at, updated_at)


def test_bisnis_reference_articles_are_not_updated() -> None:
    assert all(item["updated_at"] is None for item in expected().values())


@pytest.mark.parametrize(
    ("head", "charset", "src", "joined"),
    [
        ("", "utf-8", "/posts/x.jpg", "https://kabar24.bisnis.com/posts/x.jpg"),
        ("", "utf-8", "x y.jpg", None),  # made safe as Scrapy makes it
        (
            '<BASE href="https://cdn.example/img/">',
            "utf-8",
            "x.jpg",
            "https://cdn.example/img/x.jpg",
        ),
        (
            '<base href="https://cdn.example/img/">',
            "cp1252",
            "x.jpg",
            "https://cdn.example/img/x.jpg",
        ),
        ("", "cp1252", "../x.jpg", None),
    ],
)
def test_relative_image_sources_join_as_scrapy_joins_them(
    head: str, charset: str, src: str, joined: str | None
) -> None:
    """A relative link is joined with the page's ``<base href>`` when it has one, else its URL,
    as ``response.urljoin`` joins it (the page is not decoded for it when it is UTF-8 and has
    no ``<base``)."""
    original = response_for(URL).text.replace("<head>", "<head>" + head, 1)
    body = original.replace(
        '<img src="https://images.bisnis.com/posts/2025/11/20/1931001/bank-indonesia-bakal-men.jpg"',
        f'<img src="{src}"',
        1,
    ).encode(charset, errors="replace")
    response = HtmlResponse(
        URL, body=body, headers={"Content-Type": f"text/html; charset={charset}"}
    )
    expected_url = response.urljoin(src)
    assert joined is None or expected_url == joined
    assert item_of(response).image_url == expected_url


def test_a_base_past_the_first_4096_characters_is_not_read() -> None:
    """Scrapy reads ``<base>`` in a page's first 4,096 characters only: one further down
    (past them, or past the bytes they can be in) changes no link, as with Scrapy."""
    original = response_for(URL).text
    src = "https://images.bisnis.com/posts/2025/11/20/1931001/bank-indonesia-bakal-men.jpg"
    for at in (5000, 20000):
        assert len(original) > at
        body = (original[:at] + '<base href="https://cdn.example/img/">' + original[at:]).encode()
        body = body.replace(f'<img src="{src}"'.encode(), b'<img src="x.jpg"', 1)
        response = HtmlResponse(URL, body=body, encoding="utf-8")
        assert (
            item_of(response).image_url
            == response.urljoin("x.jpg")
            == URL.rsplit("/", 1)[0] + "/x.jpg"
        )
