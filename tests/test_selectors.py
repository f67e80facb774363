"""The element-table selector engine answers exactly what parsel (CSS via XPath) answers."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from parsel import Selector
from scrapy.http import HtmlResponse

from newscrawl.pages.base import ArticlePage, ListPage
from newscrawl.pages.selectors import ElementTable, parse_html
from newscrawl.sites import bisnis, kompas
from tests.support import FIXTURES

LAYOUTS: list[type[ArticlePage]] = [*bisnis.SITE.article_layouts, *kompas.SITE.article_layouts]
LISTS: list[type[ListPage]] = [bisnis.BisnisListPage, kompas.KompasIndexPage]
SELECTORS = sorted(
    {
        css
        for layout in LAYOUTS
        for css in (
            layout.body_css, layout.title_css, layout.lead_css, layout.author_css,
            layout.editor_css, layout.date_css, layout.tag_css, layout.image_css,
            layout.caption_css, layout.pager_css, *layout.breadcrumb_css,
        )
        if css
    }
    | {page.row_css for page in LISTS}
    | {"p", "div > p", "ul li a", "#total_page", "input#total_page", "a[href]", "meta[name=x]"}
)  # fmt: skip


def pages(site: str, limit: int = 40) -> list[HtmlResponse]:
    entries = json.loads((FIXTURES / site / "manifest.json").read_text("utf-8"))
    html = [e for e in entries if e["content_type"].startswith("text/html")][:limit]
    return [
        HtmlResponse(e["url"], body=(FIXTURES / site / "site" / e["file"]).read_bytes())
        for e in html
    ]


@pytest.mark.parametrize("site", ["bisnis", "kompas"])
def test_element_table_selects_like_parsel(site: str) -> None:
    for response in pages(site):
        root = parse_html(response)
        table = ElementTable(root)
        reference = Selector(root=root, type="html")
        for css in SELECTORS:
            want = [node.root for node in reference.css(css)]
            assert table.select(css) == want, f"{css!r} on {response.url}"


NOT_ELEMENTS = b"""<!DOCTYPE html><html><head><!-- head --><title>t</title></head><body>
<?php echo "a parsed processing instruction"; ?>
<div class="a" id="x"><!-- first --><p>satu</p><?xml-stylesheet href="s.css"?>
<!--[if IE]>ie<![endif]--><span>dua</span><!-- last --></div>
<ul class="a"><!-- only a comment --></ul><div class="b"><p>tiga <!-- inside --> <b>x</b></p></div>
</body></html>"""
STAR_SELECTORS = [
    "*", "div > *", "div.a > *", "#x > *", ".a > *", "ul > *", "body > *", "body > * > *",
    "div *", "body *", "div > *, ul > *", "p > *, div > p", "head > *", "html > * > * > *",
]  # fmt: skip


def test_star_selects_elements_only_like_parsel() -> None:
    """``*`` (``> *`` too) never selects comments or processing instructions (libxml2 parses
    ``<?...?>`` in HTML as a comment; real ones are added to the tree by hand)."""
    root = parse_html(HtmlResponse("https://x/", body=NOT_ELEMENTS, encoding="utf-8"))
    for element in list(root.iter("div", "ul", "p", "body")):
        element.insert(0, etree.ProcessingInstruction("php", "echo 1;"))
        element.append(etree.ProcessingInstruction("pi", "last"))
    kinds = {node.tag for node in root.iter() if not isinstance(node.tag, str)}
    assert kinds == {etree.Comment, etree.ProcessingInstruction}
    table = ElementTable(root)
    reference = Selector(root=root, type="html")
    for css in STAR_SELECTORS:
        want = [node.root for node in reference.css(css)]
        assert all(isinstance(node.tag, str) for node in want), css
        assert table.select(css) == want, css
    assert table.select("ul > *") == [], "a list holding only a comment has no child element"
    assert [node.text for node in table.select("div.a > *")] == ["satu", "dua"]


def test_parse_html_reads_utf8_bytes_and_other_encodings() -> None:
    html = "<html><body><p>Rupiah menguat — ‘naik’</p></body></html>"
    for encoding in ("utf-8", "cp1252", "utf-16"):
        response = HtmlResponse("https://x/", body=html.encode(encoding), encoding=encoding)
        assert parse_html(response).findtext(".//p") == "Rupiah menguat — ‘naik’"
    empty = HtmlResponse("https://x/", body=b"", encoding="utf-8")
    assert parse_html(empty) is not None
    nul = HtmlResponse("https://x/", body=b"<p>a\x00b</p>", encoding="utf-8")
    assert parse_html(nul).findtext(".//p") == "ab"
