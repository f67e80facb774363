"""Bad HTML never crashes: wrong charsets, BOMs, empty or all-promo bodies, arbitrary markup."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl import processors as p
from newscrawl.items import ArticleItem
from newscrawl.loaders import body_paragraphs, clean_paragraphs, parse_date
from newscrawl.middlewares import CharsetRepairMiddleware, repair_utf8
from newscrawl.pages.base import find_layout
from newscrawl.pipelines import BoilerplatePipeline
from newscrawl.sites import bisnis as pages
from newscrawl.sites import kompas
from tests.support import expected, response_for

URL = expected()["1931001"]["url"]
KOMPAS_URL = expected("kompas")["20251120165938330"]["url"]
ARTICLE = response_for(URL).body


def test_cp1252_bytes_in_a_page_claiming_utf8_are_repaired() -> None:
    body = ARTICLE.replace("“Kami optimistis".encode(), b"\x93Kami optimistis")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=UTF-8"})
    crawler = get_crawler()
    fixed = CharsetRepairMiddleware(crawler).process_response(response.request or None, response)  # type: ignore[arg-type]
    assert isinstance(fixed, HtmlResponse)
    page = find_layout(fixed, pages.SITE.article_layouts)
    assert page is not None
    assert "“Kami optimistis nilai tukar rupiah" in (page.to_item().body or "")
    assert "Rp968,14" in (page.to_item().lead or ""), "the rest stays UTF-8"
    assert crawler.stats is not None and crawler.stats.get_value("newscrawl/charset/repaired") == 1


def test_valid_utf8_is_left_alone() -> None:
    assert repair_utf8(ARTICLE) is None
    response = HtmlResponse(URL, body=ARTICLE, encoding="utf-8")
    assert (
        CharsetRepairMiddleware(get_crawler()).process_response(response.request, response)
        is response
    )  # type: ignore[arg-type]


def test_a_bom_and_a_missing_charset_still_read_utf8() -> None:
    without = ARTICLE.replace(b'<meta charset="utf-8">', b"")
    for body, headers in (
        (b"\xef\xbb\xbf" + ARTICLE, {"Content-Type": "text/html; charset=iso-8859-1"}),
        (without, {"Content-Type": "text/html"}),
    ):
        response = HtmlResponse(URL, body=body, headers=headers)
        page = find_layout(response, pages.SITE.article_layouts)
        assert page is not None
        assert page.to_item().title == expected()["1931001"]["title"]


def test_empty_and_truncated_documents_do_not_crash() -> None:
    for body in (b"", b"<html>", ARTICLE[: len(ARTICLE) // 3], ARTICLE[:200]):
        response = HtmlResponse(URL, body=body, encoding="utf-8")
        page = find_layout(response, pages.SITE.article_layouts) or pages.SITE.article_layouts[-1](
            response
        )
        page.to_item()
        page.has_body()


def test_a_body_of_only_promo_lines_leaves_no_body() -> None:
    promo = (
        "<p>Baca Juga: Lainnya</p><p>Nyaman tanpa iklan. Langganan BisnisPro</p>"
        "<p>Cek Berita dan Artikel yang lain di Google News dan WA Channel</p><p>----</p>"
    )
    start = ARTICLE.index(b'<article class="detailsContent')
    start = ARTICLE.index(b">", start) + 1
    end = ARTICLE.index(b"</article>")
    body = ARTICLE[:start] + promo.encode() + ARTICLE[end:]
    page = find_layout(HtmlResponse(URL, body=body, encoding="utf-8"), pages.SITE.article_layouts)
    assert page is not None
    item = BoilerplatePipeline(get_crawler()).process_item(page.to_item())
    assert item.body is None and item.word_count == 0


HTML_BITS = st.sampled_from(
    [
        "<p>", "</p>", "<div class='detailsContent'>", "<article class='detailsContent'>",
        "</article>", "<h1 class='detailsTitleCaption'>", "</h1>", "<li>", "<ul>", "<script>",
        "</script>", "<br>", "&nbsp;", "&amp;", "&#x0;", "Bisnis.com, JAKARTA — ", "<!--", "-->",
        "<div class='paywall'>", "<meta property='article:published_time' content='x'>",
        "<ul class='breadcrumb'><li>", "<figure class='detailsCoverImg'><img src='data:x'>",
        "<div class='detailsAttributeDates'>", "Jum'at, 31 Februari 2025 | 25:61", "\x00", "\ufeff",
        "\x01", "\x1b[31m", "\x1b]0;", "\x07", "\x9b", "\x7f", "Diperbarui 20/11/2025, 10:03",
        "<meta property='article:modified_time' content='0001-01-01T00:00:00Z'>",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HTML_BITS, st.text(max_size=20)), max_size=40))
def test_page_objects_never_raise_on_arbitrary_html(bits: list[str]) -> None:
    response = HtmlResponse(
        URL, body="".join(bits).encode("utf-8", "surrogatepass"), encoding="utf-8"
    )
    page = find_layout(response, pages.SITE.article_layouts) or pages.SITE.article_layouts[-1](
        response
    )
    item = page.to_item()
    BoilerplatePipeline(get_crawler()).process_item(item)
    assert_no_control_characters(item)
    pages.BisnisListPage(response).links()
    pages.BisnisListPage(response).total_pages()


KOMPAS_BITS = st.sampled_from(
    [
        "<div class='read__content'>", "</div>", "<p>", "</p>", "<h1 class='read__title'>",
        "</h1>", "<div class='read__credit'>", "<div class='credit-title'>",
        "<div class='credit-title-item'>", "<h6>", "</h6>", "Penulis", "Editor:",
        "<div class='credit-title-name'>", "<div class='credit-title-nameEditor'>", "<a>", "</a>",
        ",", "<div class='credit-author'>", "<div class='credit-author-position'>",
        "<div class='credit-author-name'>",
        "<div class='read__time'>", "Kompas.com, Diperbarui 31/02/2026, 10:03 WIB",
        "Kompas.com - 20/11/2025, 06:14 WIB", "JAKARTA, KOMPAS.com - ", "\x1b[31m", "\x01",
        "<script type='application/ld+json'>", "</script>", '{"dateModified": "2025-11-20T06:14"}',
        "<meta property='article:modified_time' content='9999-12-31T23:59:59'>",
    ]
)  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(KOMPAS_BITS, st.text(max_size=10)), max_size=40))
def test_kompas_page_objects_never_raise_on_arbitrary_html(bits: list[str]) -> None:
    response = HtmlResponse(
        KOMPAS_URL, body="".join(bits).encode("utf-8", "surrogatepass"), encoding="utf-8"
    )
    page = find_layout(response, kompas.SITE.article_layouts) or kompas.KompasArticlePage(response)
    item = BoilerplatePipeline(get_crawler()).process_item(page.to_item())
    assert_no_control_characters(item)
    assert page.notes() in ([], ["credits/unlabelled"])
    assert (
        item.updated_at is None or item.published_at is None or item.updated_at > item.published_at
    )


def assert_no_control_characters(item: ArticleItem) -> None:
    """No text field holds a control character (the body's paragraph breaks aside)."""
    texts = [item.title, item.lead, item.editor, item.dateline, item.image_caption, item.category]
    texts += [*item.authors, *item.tags, (item.body or "").replace("\n\n", " ")]
    for text in texts:
        assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text or ""), repr(text)


@given(st.text())
def test_processors_never_raise(text: str) -> None:
    p.clean_text(text)
    p.split_dateline(text, pages.DATELINE)
    p.parse_visible_date(text)
    p.parse_numeric_date(text)
    p.parse_iso_date(text)
    p.strip_suffix(text, pages.BYLINE_SUFFIX)
    p.labelled_value(text, "editor")
    p.strip_invisible(text)
    p.trim_name(text)
    p.iso_datetime(text)
    p.first_later([text], text)
    parse_date(text)
    body_paragraphs(clean_paragraphs([text, text]), pages.DATELINE)


def test_a_document_cut_off_before_its_end_is_not_complete() -> None:
    layouts = pages.SITE.article_layouts
    whole = find_layout(HtmlResponse(URL, body=ARTICLE, encoding="utf-8"), layouts)
    cut = find_layout(HtmlResponse(URL, body=ARTICLE[:-3000], encoding="utf-8"), layouts)
    assert whole is not None and whole.is_complete()
    assert cut is not None and not cut.is_complete()
