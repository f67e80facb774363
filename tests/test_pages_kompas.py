"""Kompas.com's page objects where they differ from every site's (the expected items of every
article page are checked for every site in ``test_sites.py``): split articles, the credit
block, dates, photos, breadcrumbs, index pages and the site's URL rules."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.items import ArticleItem
from newscrawl.pages.base import ArticlePage, find_layout
from newscrawl.sites import kompas as pages
from tests.support import (
    expected,
    exported_item,
    final_page,
    manifest,
    notes,
    response_for,
)

SITE = "kompas"
ARTICLE_IDS = sorted(expected(SITE))
#: The two split articles of the reference site (a pager with "?page=2" and "?page=all").
SPLIT = {"20251120143747257", "20251121161930764"}
ARTICLE = (
    "https://money.kompas.com/read/2025/11/20/165938330/"
    "garuda-digital-bakal-menyiapkan-aturan-turunan-pada-2026"
)


def exported(article_id: str) -> dict[str, Any]:
    """The item as the crawl exports it: the page object the spider ends on (``?page=all``
    when split), then the boilerplate pipeline."""
    url = expected(SITE)[article_id]["url"]
    return exported_item(final_page(url, SITE, pages.SITE.article_layouts))


def synthetic(body: str, url: str = ARTICLE) -> ArticlePage:
    """A page object of a made-up page in the Kompas.com template."""
    html = f"<html><body><h1 class='read__title'>Judul</h1>{body}</body></html>"
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8")
    page = find_layout(response, pages.SITE.article_layouts)
    assert page is not None
    return page


def test_the_fault_articles_are_as_the_notes_say() -> None:
    assert notes(SITE)["faults"]["flaky_503_once"] in expected(SITE)
    assert notes(SITE)["faults"]["gone_404"] not in expected(SITE)


@pytest.mark.parametrize("article_id", sorted(SPLIT))
def test_split_article_is_detected_and_whole_text_read(article_id: str) -> None:
    url = expected(SITE)[article_id]["url"]
    for page_url in (url, url + "?page=2"):
        first = find_layout(response_for(page_url, SITE), pages.SITE.article_layouts)
        assert first is not None and first.is_multipage()
    first = find_layout(response_for(url, SITE), pages.SITE.article_layouts)
    whole = find_layout(response_for(url + "?page=all", SITE), pages.SITE.article_layouts)
    assert first is not None and whole is not None
    assert len(whole.paragraphs) > len(first.paragraphs)


@pytest.mark.parametrize("article_id", sorted(set(ARTICLE_IDS) - SPLIT))
def test_single_page_article_is_not_multipage(article_id: str) -> None:
    page = find_layout(
        response_for(expected(SITE)[article_id]["url"], SITE), pages.SITE.article_layouts
    )
    assert page is not None and not page.is_multipage()


def test_only_pager_links_to_this_article_make_it_split() -> None:
    body = "<div class='read__content'><p>Isi.</p></div>"
    other = "https://money.kompas.com/read/2025/11/21/101010101/lain?page=2"
    assert not synthetic(f"{body}<a href='{other}'>2</a>").is_multipage()
    assert not synthetic(
        f"{body}<a class='paging__link' href='{ARTICLE}?page=1'>1</a>"
    ).is_multipage()
    pager = f"<div class='paging__wrap'><a class='paging__link' href='{ARTICLE}?page=all'>Semua</a>"
    assert synthetic(body + pager + "</div>").is_multipage()


def test_not_found_page_has_no_body() -> None:
    url = next(u for u, e in manifest(SITE).items() if e["status"] == 404)
    page = find_layout(response_for(url, SITE), pages.SITE.article_layouts)
    assert page is None or not page.has_body()


def test_lead_is_always_null() -> None:
    assert all(exported(article_id)["lead"] is None for article_id in ARTICLE_IDS)
    assert synthetic("<div class='read__content'><p>Isi.</p></div>").lead() is None


def test_dateline_with_and_without_city() -> None:
    page = synthetic("<div class='read__content'><p><strong>BANDAR LAMPUNG, KOMPAS.com</strong>"
                     " – Isi berita.</p><p>Dua.</p></div>")  # fmt: skip
    item = page.to_item()
    assert item.dateline == "BANDAR LAMPUNG" and item.body == "Isi berita.\n\nDua."
    item = synthetic("<div class='read__content'><p>KOMPAS.com - Isi berita.</p></div>").to_item()
    assert item.dateline is None and item.body == "Isi berita."
    item = synthetic("<div class='read__content'><p>Jakarta tanpa dateline.</p></div>").to_item()
    assert item.dateline is None and item.body == "Jakarta tanpa dateline."


def test_ad_slot_in_the_body_is_not_body() -> None:
    item = exported("20251120165938330")
    assert "Gabung Kompas.com+" not in item["body"] and "Baca juga" not in item["body"]
    assert "WhatsApp" not in exported("20251120061422969")["body"]


def test_credit_block_names_writers_and_editor_by_label() -> None:
    credit = (
        "<div class='read__credit'><div class='credit-title'>"
        "<div class='credit-title-item'><h6>Editor:</h6>"
        "<div class='credit-title-nameEditor'>Nancy Junita</div></div>"
        "<div class='credit-title-item'><h6>Penulis</h6><div class='credit-title-name'>"
        "<a href='/tag/a'>Agus Setiawan</a>, <a href='/tag/b'>Rina Wulandari</a></div></div>"
        "</div></div>"
    )
    page = synthetic("<div class='read__content'><p>Isi.</p></div>" + credit)
    item = page.to_item()
    assert item.authors == ["Agus Setiawan", "Rina Wulandari"]
    assert item.editor == "Nancy Junita"


def test_credit_block_without_labels_names_writers_only() -> None:
    # the class says nothing of the role (the site writes writers in "nameEditor" too): without
    # a label every entry is a writer, and the page notes it for the stats
    credit = (
        "<div class='read__credit'><div class='credit-title-item'>"
        "<div class='credit-title-name'><a>Agus Setiawan</a></div>"
        "<div class='credit-title-nameEditor'>Nancy Junita</div></div></div>"
    )
    page = synthetic("<div class='read__content'><p>Isi.</p></div>" + credit)
    item = page.to_item()
    assert item.authors == ["Agus Setiawan", "Nancy Junita"] and item.editor is None
    assert page.notes() == ["credits/unlabelled"]


def credits_of(credit: str) -> tuple[list[str], str | None, list[str]]:
    page = synthetic("<div class='read__content'><p>Isi.</p></div>" + credit)
    item = page.to_item()
    return item.authors, item.editor, page.notes()


NAMES = (
    "<div class='credit-title-name'><div class='credit-title-nameEditor'>Melvina Tionardus,</div>"
    "<div class='credit-title-nameEditor'>Yunanto Wiji Utomo</div></div>"
)


@pytest.mark.parametrize(
    ("credit", "authors", "editor", "notes"),
    [
        # "Penulis" as a p: one writer per entry, the list's comma cut
        (f"<div class='credit'><div class='credit-title'><p>Penulis</p>{NAMES}</div></div>",
         ["Melvina Tionardus", "Yunanto Wiji Utomo"], None, []),
        # no label at all: writers, noted
        (f"<div class='credit'><div class='credit-title'>{NAMES}</div></div>",
         ["Melvina Tionardus", "Yunanto Wiji Utomo"], None, ["credits/unlabelled"]),
        # entries outside any credit block are read the same way
        (NAMES, ["Melvina Tionardus", "Yunanto Wiji Utomo"], None, ["credits/unlabelled"]),
        # labels with a colon, in any case; "Editor" makes the editor
        ("<div class='credit-title'><p>PENULIS:</p><div class='credit-title-nameEditor'>A,</div>"
         "<h6>Editor :</h6><div class='credit-title-nameEditor'>B;</div></div>", ["A"], "B", []),
        # another label ("Fotografer") is neither writer nor editor
        ("<div class='credit-title'><p>Penulis</p><div class='credit-title-name'>A</div>"
         "<p>Fotografer</p><div class='credit-title-name'>F</div></div>", ["A"], None, []),
        # an item's label stays in the item; the next item without one is unlabelled
        ("<div class='read__credit'><div class='credit-title-item'><h6>Editor</h6>"
         "<div class='credit-title-nameEditor'>E</div></div><div class='credit-title-item'>"
         "<div class='credit-title-name'>W</div></div></div>", ["W"], "E", ["credits/unlabelled"]),
        # an empty label keeps the one before; hidden text is no name
        ("<div class='credit-title'><p>Penulis</p><p> </p><div class='credit-title-name'>"
         "<script>x()</script>A</div></div>", ["A"], None, []),
        # a block without entries
        ("<div class='read__credit'><p>Penulis</p></div>", [], None, []),
    ],
)  # fmt: skip
def test_credit_block_variants(
    credit: str, authors: list[str], editor: str | None, notes: list[str]
) -> None:
    assert credits_of(credit) == (authors, editor, notes)


MODAL = (
    "<div id='creditModal' class='creditModal'>"
    "<a href='/p/1'><div class='credit-author'><div class='credit-author-name'>Melvina Tionardus"
    "</div><div class='credit-author-position'>Penulis</div></div></a>"
    "<a href='/p/2'><div class='credit-author'><div class='credit-author-name'>Yunanto Wiji Utomo"
    "</div><div class='credit-author-position'>Editor</div></div></a>"
    "<div class='credit-author'><div class='credit-author-name'>Tanpa Jabatan</div></div>"
    "<div class='credit-author'><!-- x --><div class='credit-author-position'>Editor</div></div>"
    "</div>"
)


def test_credit_popup_gives_the_roles_when_the_block_has_none() -> None:
    block = f"<div class='credit'><div class='credit-title'>{NAMES}<p>Tim Redaksi</p></div></div>"
    assert credits_of(block + MODAL) == (["Melvina Tionardus"], "Yunanto Wiji Utomo", [])


def test_credit_popup_is_ignored_when_the_block_is_labelled() -> None:
    block = f"<div class='credit'><div class='credit-title'><p>Penulis</p>{NAMES}</div></div>"
    assert credits_of(block + MODAL) == (["Melvina Tionardus", "Yunanto Wiji Utomo"], None, [])


def test_credit_block_without_editor_or_writer() -> None:
    assert exported("20251120155426662")["editor"] is None
    assert exported("20251120165938330")["authors"] == []
    item = synthetic("<div class='read__content'><p>Isi.</p></div>").to_item()
    assert item.authors == [] and item.editor is None


@pytest.mark.parametrize(
    ("head", "published_at"),
    [
        # JSON-LD (WIB) wins over the UTC meta
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2025-11-20T06:14:22+07:00"}</script>'
            '<meta property="article:published_time" content="2025-11-19T20:00:00+00:00">',
            "2025-11-20T06:14:22+07:00",
        ),
        # the meta alone is UTC, with or without its offset
        (
            '<meta property="article:published_time" content="2025-11-19T23:14:22+00:00">',
            "2025-11-20T06:14:22+07:00",
        ),
        (
            '<meta property="article:published_time" content="2025-11-19T23:14:22">',
            "2025-11-20T06:14:22+07:00",
        ),
        # JSON-LD in a @graph, the meta broken
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
            '{"@type": "NewsArticle", "datePublished": "2025-11-21T16:10:12+07:00"}]}</script>'
            '<meta property="article:published_time" content="kemarin">',
            "2025-11-21T16:10:12+07:00",
        ),
        # neither: the visible date, to the minute
        ("", "2025-11-20T06:14:00+07:00"),
    ],
)
def test_published_at_sources(head: str, published_at: str) -> None:
    assert dated(head).published_at == published_at


def dated(head: str, time: str = "Kompas.com - 20/11/2025, 06:14 WIB") -> ArticleItem:
    """The item of a made-up page with ``head`` and the visible date line(s) ``time``."""
    html = (
        f"<html><head>{head}</head><body><h1 class='read__title'>Judul</h1>{time}"
        "<div class='read__content'><p>Isi.</p></div></body></html>"
    )
    if "read__time" not in time:
        html = html.replace(time, f"<div class='read__time'>{time}</div>")
    response = HtmlResponse(ARTICLE, body=html.encode(), encoding="utf-8")
    page = find_layout(response, pages.SITE.article_layouts)
    assert page is not None
    return page.to_item()


LD = '<script type="application/ld+json">{{"@type": "NewsArticle", {}}}</script>'
PUBLISHED = '"datePublished": "2025-11-20T06:14:22+07:00"'
UPDATED_LINE = "<a href='https://www.kompas.com'>Kompas.com</a>, Diperbarui 21/11/2025, 10:03 WIB"


@pytest.mark.parametrize(
    ("head", "time", "published_at", "updated_at"),
    [
        # an edited article: "Diperbarui" in place of the publication time; JSON-LD publishes
        (LD.format(PUBLISHED), UPDATED_LINE, "2025-11-20T06:14:22+07:00",
         "2025-11-21T10:03:00+07:00"),
        # dateModified later: it comes first
        (LD.format(PUBLISHED + ', "dateModified": "2025-11-21T10:03:41+07:00"'), UPDATED_LINE,
         "2025-11-20T06:14:22+07:00", "2025-11-21T10:03:41+07:00"),
        # dateModified equal to datePublished says nothing: the UTC meta, in WIB, is later
        (LD.format(PUBLISHED + ', "dateModified": "2025-11-20T06:14:22+07:00"')
         + '<meta property="article:modified_time" content="2025-11-20T05:00:00">', UPDATED_LINE,
         "2025-11-20T06:14:22+07:00", "2025-11-20T12:00:00+07:00"),
        # not later than the publication (the same minute): no update
        (LD.format(PUBLISHED), "Kompas.com, Diperbarui 20/11/2025, 06:14 WIB",
         "2025-11-20T06:14:22+07:00", None),
        # no structured date: publication and update in one line, or in two
        ("", "Kompas.com - 20/11/2025, 06:14 WIB, Diperbarui: 20/11/2025, 09:30 WIB",
         "2025-11-20T06:14:00+07:00", "2025-11-20T09:30:00+07:00"),
        ("", "<div class='read__time'>Kompas.com - 17 November 2025, 06:14 WIB</div>"
             "<div class='read__time'>Diperbarui 20/11/2025, 09:30 WIB</div>",
         "2025-11-17T06:14:00+07:00", "2025-11-20T09:30:00+07:00"),
        # only the update time: never the publication time
        ("", UPDATED_LINE, None, "2025-11-21T10:03:00+07:00"),
        # an unreadable update time is none
        (LD.format(PUBLISHED), "Kompas.com, Diperbarui 31/02/2025, 10:03 WIB",
         "2025-11-20T06:14:22+07:00", None),
    ],
)  # fmt: skip
def test_updated_at_and_published_at_of_edited_articles(
    head: str, time: str, published_at: str | None, updated_at: str | None
) -> None:
    item = dated(head, time)
    assert (item.published_at, item.updated_at) == (published_at, updated_at)


def test_reference_articles_are_not_updated() -> None:
    # their JSON-LD dateModified equals datePublished
    assert all(exported(article_id)["updated_at"] is None for article_id in ARTICLE_IDS)


def test_article_without_photo_has_no_image() -> None:
    item = exported("20251121124410457")
    assert item["image_url"] is None and item["image_caption"] is None


def test_photo_caption_is_the_caption_block_only() -> None:
    photo = (
        "<div class='photo'><div class='photo__wrap'>"
        "<img data-src='/crops/a.jpg' src='data:image/gif;base64,R0' alt='Ilustrasi.'></div></div>"
    )
    item = synthetic(photo + "<div class='read__content'><p>Isi.</p></div>").to_item()
    assert item.image_url == "https://money.kompas.com/crops/a.jpg"
    assert item.image_caption is None
    caption = "<div class='photo__caption'>Foto: Kompas.com</div>"
    item = synthetic(photo + caption + "<div class='read__content'><p>Isi.</p></div>").to_item()
    assert item.image_caption == "Foto: Kompas.com"


def test_category_is_the_last_breadcrumb_label() -> None:
    crumbs = (
        "<div class='breadcrumb'><ul class='breadcrumb__wrap'>"
        "<li class='breadcrumb__item'><a><span>Home</span></a></li>"
        "<li class='breadcrumb__item'><a><span>Money</span></a></li></ul></div>"
    )
    page = synthetic(crumbs + "<div class='read__content'><p>Isi.</p></div>")
    assert page.to_item().category == "Money"
    home = crumbs.replace("<li class='breadcrumb__item'><a><span>Money</span></a></li>", "")
    assert synthetic(home + "<div class='read__content'><p>Isi.</p></div>").category() is None


# --- the index -----------------------------------------------------------------------------


INDEX = "https://indeks.kompas.com/?"


def index_url(channel: str, day: str, page: int) -> str:
    return f"{INDEX}site={channel}&date={day}&page={page}"


def test_index_page_rows() -> None:
    listing = pages.KompasIndexPage(response_for(index_url("all", "2025-11-20", 1), SITE))
    links = listing.links()
    assert len(links.articles) == 15 and not links.rejected
    assert all(pages.URLS.is_article(url) for url in links.articles)
    assert listing.total_pages() is None


def test_page_after_the_last_lists_no_article() -> None:
    last = [u for u in manifest(SITE) if u.startswith(INDEX) and u.endswith("page=2")]
    assert len(last) == 10
    for url in last:
        response = response_for(url, SITE)
        assert "Tidak ada artikel" in response.text
        links = pages.KompasIndexPage(response).links()
        assert links.articles == [] and links.rejected == [], url


def test_index_rows_ignore_other_links() -> None:
    html = (
        "<div class='articleList'><div class='articleItem'><a class='article-link' "
        f"href='{ARTICLE}?utm_source=x#top'>A</a></div>"
        "<div class='articleItem'><a class='article-link' "
        "href='https://kompas.com.example.net/read/2025/11/20/1/x'>B</a></div></div>"
        "<div class='most'><a class='most__link' href='https://money.kompas.com/read/2025/11/19/"
        "101010101/x'>C</a></div><a class='kcm-plus' href='https://plus.kompas.com/'>D</a>"
    )
    response = HtmlResponse(index_url("all", "2025-11-20", 1), body=html.encode(), encoding="utf-8")
    links = pages.KompasIndexPage(response).links()
    assert links.articles == [ARTICLE]
    assert links.rejected == ["https://kompas.com.example.net/read/2025/11/20/1/x"]


# --- URL rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?page=2",
        ARTICLE + "?page=all",
        ARTICLE + "/",
        ARTICLE + "?utm_source=x#top",
        ARTICLE.replace("https://money", "http://MONEY"),
    ],
)
def test_article_variants_share_one_canonical_url(variant: str) -> None:
    assert pages.URLS.canonical(variant) == ARTICLE
    assert pages.URLS.article_id(variant) == "20251120165938330"
    assert pages.URLS.section(variant) == "money"


@pytest.mark.parametrize(
    ("url", "is_article"),
    [
        (ARTICLE, True),
        ("https://tekno.kompas.com/read/2025/11/21/161930764", True),
        ("https://kompas.com.example.net/read/2025/11/20/165938330/x", False),
        ("https://money.kompas.com/read/20251120/165938330/x", False),
        ("https://money.kompas.com/", False),
        ("https://indeks.kompas.com/?site=all&date=2025-11-20", False),
        ("ftp://money.kompas.com/read/2025/11/20/165938330/x", False),
    ],
)
def test_is_article_url(url: str, is_article: bool) -> None:
    assert pages.URLS.is_article(url) is is_article


def test_article_id_joins_date_and_number() -> None:
    one = "https://money.kompas.com/read/2025/11/20/165938330/a"
    other_day = "https://money.kompas.com/read/2025/11/21/165938330/a"
    assert pages.URLS.article_id(one) == "20251120165938330"
    assert len(pages.URLS.article_id(one) or "") == 17
    assert pages.URLS.article_id(other_day) != pages.URLS.article_id(one)
    assert pages.URLS.article_id("https://money.kompas.com/") is None


def test_section_and_index_urls() -> None:
    assert pages.URLS.section("https://www.kompas.com/read/2025/11/20/1/x") is None
    assert pages.INDEX.is_index("https://indeks.kompas.com/?site=money&date=2025-11-20")
    assert not pages.INDEX.is_index("https://money.kompas.com/")
    assert pages.URLS.page(ARTICLE + "?page=all") == "all"
    assert pages.URLS.page(ARTICLE) is None
    assert pages.URLS.whole_text(ARTICLE + "?page=2#x") == ARTICLE + "?page=all"
