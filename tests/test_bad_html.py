"""Bad HTML never crashes: wrong charsets, BOMs, empty or all-promo bodies, arbitrary markup."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl import processors as p
from newscrawl.loaders import body_paragraphs, clean_paragraphs, parse_date
from newscrawl.middlewares import CharsetRepairMiddleware, repair_utf8
from newscrawl.pages import bisnis as pages
from newscrawl.pipelines import BoilerplatePipeline
from tests.support import expected, response_for

URL = expected()["1931001"]["url"]
ARTICLE = response_for(URL).body


def test_cp1252_bytes_in_a_page_claiming_utf8_are_repaired() -> None:
    body = ARTICLE.replace("“Kami optimistis".encode(), b"\x93Kami optimistis")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=UTF-8"})
    crawler = get_crawler()
    fixed = CharsetRepairMiddleware(crawler).process_response(response.request or None, response)  # type: ignore[arg-type]
    assert isinstance(fixed, HtmlResponse)
    page = pages.article_page(fixed)
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
        page = pages.article_page(response)
        assert page is not None
        assert page.to_item().title == expected()["1931001"]["title"]


def test_empty_and_truncated_documents_do_not_crash() -> None:
    for body in (b"", b"<html>", ARTICLE[: len(ARTICLE) // 3], ARTICLE[:200]):
        response = HtmlResponse(URL, body=body, encoding="utf-8")
        page = pages.article_page(response) or pages.DEFAULT_LAYOUT(response)
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
    page = pages.article_page(HtmlResponse(URL, body=body, encoding="utf-8"))
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
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HTML_BITS, st.text(max_size=20)), max_size=40))
def test_page_objects_never_raise_on_arbitrary_html(bits: list[str]) -> None:
    response = HtmlResponse(
        URL, body="".join(bits).encode("utf-8", "surrogatepass"), encoding="utf-8"
    )
    page = pages.article_page(response) or pages.DEFAULT_LAYOUT(response)
    item = page.to_item()
    BoilerplatePipeline(get_crawler()).process_item(item)
    pages.BisnisListPage(response).links()
    pages.BisnisListPage(response).total_pages()


@given(st.text())
def test_processors_never_raise(text: str) -> None:
    p.clean_text(text)
    p.split_dateline(text)
    p.parse_visible_date(text)
    p.parse_numeric_date(text)
    p.parse_iso_date(text)
    p.strip_site_suffix(text)
    p.labelled_value(text, "editor")
    parse_date(text)
    body_paragraphs(clean_paragraphs([text, text]))


def test_a_document_cut_off_before_its_end_is_not_complete() -> None:
    whole = pages.article_page(HtmlResponse(URL, body=ARTICLE, encoding="utf-8"))
    cut = pages.article_page(HtmlResponse(URL, body=ARTICLE[:-3000], encoding="utf-8"))
    assert whole is not None and whole.is_complete()
    assert cut is not None and not cut.is_complete()
