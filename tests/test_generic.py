"""The generic article page (issue "Any news site"), page by page: every article of the two
generated sites (``tests/fixtures/anysite/``, templates unlike our sites) and of the Bisnis.com
and Kompas.com references (their site modules not used) gives exactly the fields of the
generic contract; pages that are not articles give none. The ``news`` spider that crawls with
it is not built yet.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from scrapy.http import HtmlResponse

from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs
from newscrawl.loaders import GenericLoader
from newscrawl.pages.generic import (
    SAID_ONCE_CHARS,
    SCREEN_READER_CLASSES,
    TAG_SEGMENTS,
    GenericArticlePage,
    _article_item,
    _div_lines,
    _screen_reader_only,
    _sentence_long,
    _shown_text,
    _within,
    _wrapper_of_divs,
    after_kicker,
    article_id_of,
    body_line,
    brand_of,
    canonical_url,
    fewest_words,
    json_ld_documents,
    logo_like,
    names_site,
    names_the_site_test,
    registered_domain,
    split_date_line,
    split_names,
    title_from_document,
    title_words,
    without_chrome,
    without_fragment,
    without_repeats,
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


def test_articles_named_only_by_their_query_stay_apart() -> None:
    """Where the path names no article (``storypage.php``, ``/``), the parameters that do are
    kept, sorted; tracking and page parameters are not; a path with an id keeps no query."""
    first = "http://hindi.example//storypage.php?autono=166607&utm_source=x"
    other = "https://hindi.example//storypage.php?autono=172475"
    assert canonical_url(first) == "https://hindi.example//storypage.php?autono=166607"
    assert article_id_of(first) != article_id_of(other)
    assert canonical_url("https://a.example/?page=2&p=123&ref=home") == "https://a.example/?p=123"
    assert canonical_url("https://a.example/read.php?s=1&id=5&cat=2") == (
        "https://a.example/read.php?id=5"
    )
    assert canonical_url("https://a.example/berita/123456/judul?id=9") == (
        "https://a.example/berita/123456/judul"
    )
    korean = (
        "https://www.a.example/news/articleView.html?idxno=128734&replyAll=&reply_sc_order_by=I"
    )
    assert canonical_url(korean) == "https://www.a.example/news/articleView.html?idxno=128734"
    naver = "https://n.example/main/read.naver?mode=LSD&mid=shm&sid1=101&oid=001&aid=0014123456"
    assert canonical_url(naver) == "https://n.example/main/read.naver?aid=0014123456&oid=001"
    for key in ("docid", "itemid", "art_no", "newsNo", "article_no", "doc_id", "item_id"):
        assert canonical_url(f"https://a.example/view.php?{key}=77&x=1") == (
            f"https://a.example/view.php?{key}=77"
        )
    # "near its end": the path's last 24 characters; a number just before them names nothing
    far = "/a1/" + "x" * 23
    assert canonical_url(f"https://a.example{far}?id=9") == f"https://a.example{far}?id=9"
    near = "/a1/" + "x" * 22
    assert canonical_url(f"https://a.example{near}?id=9") == f"https://a.example{near}"


def test_canonical_url_and_article_id() -> None:
    assert canonical_url("http://A.example/berita/123456/x/2?utm_source=y#z") == (
        "https://a.example/berita/123456/x"
    )
    assert article_id_of("https://a.example/20251120/judul-7660126") == "7660126"
    assert article_id_of("https://a.example/n6468796/judul") == "6468796"
    # a month's folder is no id (two sites' /news/201903/ pages were one article)
    month = article_id_of("https://www.sanwa.co.jp/news/201903/ma-irfp139bk/index.html")
    assert month.startswith("u")
    assert month != article_id_of("http://www.elecom.co.jp/news/201903/keyboard/index.html")
    assert article_id_of("https://a.example/article/200512") == "200512"  # an id at the end
    assert article_id_of("https://www.elecom.co.jp/news/201903/keyboard.html").startswith("u")
    hashed = article_id_of("https://a.example/2025/11/20/judul-tanpa-id")
    assert hashed.startswith("u") and hashed == article_id_of(
        "https://a.example/2025/11/20/judul-tanpa-id?x=1"
    )


#: Path segments as article URLs have them: slugs, ids, short numbers (pages, days,
#: months), empty ones (``//``) and odd characters.
_SEGMENTS = st.one_of(
    st.from_regex(r"[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9._~%-]{0,12}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-zA-Z0-9-]{1,8}(\.[a-zA-Z]{2,4}){1,2}(:[0-9]{2,4})?", fullmatch=True),
    st.lists(_SEGMENTS, max_size=6),
    st.sampled_from(["", "/", "//", "?page=2", "/?p=3", "#x", "/2#x"]),
)
def test_canonical_url_is_idempotent(
    scheme: str, host: str, segments: list[str], tail: str
) -> None:
    """Canonical twice is canonical once, numeric paths included (``/a/12/3``)."""
    url = f"{scheme}://{host}/" + "/".join(segments) + tail
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://a.example/a/12/3", "https://a.example/a"),
        ("https://a.example/a/12/3/", "https://a.example/a"),
        ("https://a.example/a/12//3", "https://a.example/a"),
        ("https://a.example/berita/123/2", "https://a.example/berita/123"),
        ("https://a.example/12/3", "https://a.example/"),
    ],
)
def test_trailing_page_numbers_go_all_at_once(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


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
        # a block holding a line break (a <br>): the dateline is cut all the same
        ("JAKARTA, Kabarpasar.co.id - Harga naik.\nLagi.", "JAKARTA", "Harga naik. Lagi."),
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


# --- the real web (issue 22): pages shaped like the real ones that defeated the first reader --

SENTENCES = [
    "The council approved the new budget on Tuesday after a long debate about the schools.",
    "Opposition members said the plan would leave the poorest districts without new teachers.",
    "The mayor replied that the city had no money left for another round of hiring this year.",
    "A final vote on the teachers' contracts is expected before the end of the month.",
    "Parents gathered outside the town hall, holding signs that asked for smaller classes.",
]


def real_page(
    body: str,
    head: str = "",
    lang: str = "en",
    url: str = "https://www.example.co.uk/news/2024/council-budget-123456",
) -> GenericArticlePage:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Council budget</title>{head}</head>'
        f"<body>{body}</body></html>"
    )
    return GenericArticlePage(HtmlResponse(url, body=html.encode(), encoding="utf-8"))


def article_head(**fields: Any) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Budget"}
    data.update(fields)
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def paragraphs(sentences: list[str]) -> str:
    return "".join(f"<p>{s}</p>" for s in sentences)


def marked_page(
    body: str, url: str = "https://www.example.co.uk/news/council-budget"
) -> GenericArticlePage:
    """:func:`real_page` of ``body`` at ``url``, marked an article by ``og:type`` alone (its
    dates and authors are the page's to show)."""
    return real_page(body, head='<meta property="og:type" content="article">', url=url)


def dated_page(body: str) -> GenericArticlePage:
    """:func:`real_page` of ``body``, its JSON-LD giving the article's date."""
    return real_page(body, head=article_head(datePublished="2024-05-02T20:53:56+01:00"))


def test_an_article_split_over_sibling_blocks_is_read_whole() -> None:
    """Each paragraph in its own wrapper (a React site): every paragraph, in order, not the
    largest block alone."""
    blocks = "".join(f'<div class="x1"><div><p>{s}</p></div></div>' for s in SENTENCES)
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='col'>{blocks}</div>"
        '<aside><ul><li><a href="/a">Trending story</a></li></ul></aside>',
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_a_blocks_hidden_text_figures_and_chrome_boxes_are_not_its_text() -> None:
    """A block of text read whole leaves out what a reader does not read in it: a hidden
    span, MathML's markup, a figure's caption, an embed's consent placeholder (chrome)."""
    inner = (
        f"{SENTENCES[1]} <span style='display:none'>Hidden words here</span>"
        "<figure><img src='a.jpg'><figcaption>Photo: imago/Marius Schwarz</figcaption></figure>"
        "<div class='c-oembed-placeholder cookie-consent'>Here you can see a podcast, if you "
        "agree to the cookies</div>"
    )
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='text'><p>{SENTENCES[0]}</p>"
        f"<div>{inner}</div><p>{SENTENCES[2]}</p></div>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES[:3])
    shown = (
        "<div><span aria-hidden='true'>The</span> area is <math><mi>x</mi></math> square "
        "metres, <span style='display:none'><math><mi>y</mi></math></span>as measured.</div>"
    )
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='text'><p>{SENTENCES[0]}</p>{shown}"
        f"<p>{SENTENCES[2]}</p></div>",
    )
    # text hidden from screen readers only, and math shown, are read
    assert page.to_item().body == "\n\n".join(
        [SENTENCES[0], "The area is x square metres, as measured.", SENTENCES[2]]
    )


def test_the_next_article_of_an_infinite_scroll_is_not_read() -> None:
    """A column holding this article and the next one under it: this article's paragraphs,
    not both, nor a second opinion reading both."""
    mine = [f"{s} This article goes on about the council." for s in SENTENCES[:3]]
    theirs = [
        f"Another story, part {n}: {SENTENCES[n % 5]} It is about other things." for n in range(9)
    ]
    page = dated_page(
        f"<main><article><h1>Council approves budget</h1>{paragraphs(mine)}</article>"
        f"<div class='next'><article><h2>Another story</h2>{paragraphs(theirs)}</article></div>"
        "</main>",
    )
    assert page.to_item().body == "\n\n".join(mine)


def test_a_wordpress_posts_category_and_tags_do_not_make_it_comments() -> None:
    """``category-comment`` (an opinion section's slug) and ``tag-privacy`` name the post's
    taxonomy, not comments: the post is read."""
    for classes in ("post-12 post type-post hentry category-comment", "post tag-cookies"):
        page = dated_page(
            f"<div id='primary'><div class='{classes}'><h1>Council approves budget</h1>"
            f"<div class='entry-content'>{paragraphs(SENTENCES)}</div></div></div>",
        )
        assert page.to_item().body == "\n\n".join(SENTENCES), classes


def test_the_lead_above_the_body_is_read() -> None:
    lead = "The city will hire fewer teachers next year, the council decided after a long night."
    page = dated_page(
        f'<article><header><h1>Council approves budget</h1><p class="standfirst">{lead}</p>'
        '<div class="byline">By Jane Doe</div></header>'
        f'<div class="article-body">{paragraphs(SENTENCES)}</div></article>',
    )
    assert page.to_item().body == "\n\n".join([lead, *SENTENCES])


def test_comments_and_a_cookie_notice_are_not_the_body() -> None:
    comments = "".join(
        f'<div class="comment"><p>{s} I could not agree more with this.</p></div>'
        for s in SENTENCES * 3
    )
    cookie = (
        '<div id="onetrust-consent-sdk"><p>We use cookies and similar technologies to give you '
        "a better experience, to personalise content and ads and to analyse our traffic, as "
        "described in our privacy notice, which you can read at any time.</p></div>"
    )
    page = dated_page(
        f"{cookie}<h1>Council approves budget</h1>"
        f"<div class='story'>{paragraphs(SENTENCES[:2])}</div>"
        f"<section id='comments'>{comments}</section>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES[:2])


def test_an_article_in_a_component_wrapper_named_cmp_is_read() -> None:
    """ "cmp" names a CMS's components (jagran.com wraps the whole article column in
    ``ls-cmp-wrap``) as well as consent boxes: an article whose headline and text are all
    inside one is read (a real Hindi article gave no item); a consent box so named still
    stays out of the body."""
    consent = (
        '<div class="cmp-banner"><p>We use cookies and similar technologies to give you a '
        "better experience, to personalise content and ads and to analyse our traffic.</p></div>"
    )
    page = dated_page(
        f"{consent}<div class='ls-cmp-wrap ls-1st'><h1>Council approves budget</h1>"
        f"<div class='articleBody'>{paragraphs(SENTENCES)}</div></div>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_a_sign_in_prompt_is_left_out_but_a_long_box_linking_to_subscribe_is_read() -> None:
    """A box linking to a login or subscription page with little text outside its links is
    a prompt, left out (also one listing its plans' links); a box of the article with much
    text (a product comparison whose "Buy now" links go to a subscription page) is read,
    however few of its characters count as good text."""
    prompt = '<div class="box"><a href="/login">Sign in</a> to read all our stories.</div>'
    rows = "".join(
        f"<tr><td>Plan {n} with {n * 10} GB of storage</td><td>{n * 3} EUR a month</td></tr>"
        for n in range(1, 13)
    ) + "".join(f'<td><a href="/subscribe/plan-{n}">Buy now</a></td>' for n in range(1, 13))
    table = (
        '<div class="frame"><a href="/subscribe/student">Are you a student? Save with Student'
        f" Edition</a><section><h2>Compare editions</h2><table>{rows}</table></section></div>"
    )
    text = [f"In part {n} of the report: {s}" for n, s in enumerate(SENTENCES * 4)]
    plans = "".join(
        f"<li><a href='/subscribe?plan={n}'>Plan {n}: all articles, the e-paper and the"
        f" archive for {n + 1} euro a month, cancel any time</a></li>"
        for n in range(5)
    )
    pitch = (
        "<div class='pitch'><p>The rest of this article is for our readers with an account."
        f" Go on reading with one of our plans.</p><ul>{plans}</ul></div>"
    )
    for box, kept in ((prompt, False), (table, True), (pitch, False)):
        page = dated_page(
            f"<h1>Council approves budget</h1><div class='story'>{paragraphs(text[:12])}"
            f"{box}{paragraphs(text[12:])}</div>",
        )
        body = page.to_item().body
        assert all(line in body for line in text)
        shown = ("Sign in", "Plan 12 with 120 GB", "rest of this article", "Plan 1:")
        assert any(text in body for text in shown) is kept, body


def test_an_article_in_sibling_sections_is_read_once() -> None:
    """The first of the article's sibling sections lies between the headline and the best
    one: it is read as part of the body, not as a lead above it as well."""
    related = "".join(
        f'<li><a href="/news/{n}">{SENTENCES[n % 5]} And more on that story.</a></li>'
        for n in range(12)
    )
    sections = (
        f'<section class="story-group">{paragraphs(SENTENCES[:2])}</section>'
        f'<div class="related"><ul>{related}</ul></div>'
        f'<section class="story-group">{paragraphs(SENTENCES[2:])}</section>'
    )
    page = dated_page(
        f"<article><h1>Council approves budget</h1>{sections}</article>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_a_hidden_paywall_copy_of_the_whole_text_is_not_read_again() -> None:
    """A paywall box (kept though hidden: it may hold the rest of the article) that repeats
    the article's paragraphs in one run adds nothing."""
    blob = "".join(SENTENCES)
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='story'>{paragraphs(SENTENCES)}"
        f'<div class="o-paywall" style="display:none">{blob}</div></div>',
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_a_paragraph_and_its_pull_quote_both_stay() -> None:
    quote = "Opposition members said the plan would leave the poorest districts without teachers"
    whole = f"Later, {quote}, and that they would vote against it again."
    body = paragraphs([SENTENCES[0], quote, SENTENCES[2], whole, SENTENCES[3]])
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='story'>{body}</div>",
    )
    assert page.to_item().body == "\n\n".join(
        [SENTENCES[0], quote, SENTENCES[2], whole, SENTENCES[3]]
    )


def test_a_sub_heading_a_table_of_contents_repeats_stays() -> None:
    toc = "<nav class='toc'><ul><li><span>What the mayor said</span></li></ul></nav>"
    body = f"{paragraphs(SENTENCES[:2])}<h2>What the mayor said</h2>{paragraphs(SENTENCES[2:])}"
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='contents'><span>What the mayor said</span>"
        f"</div><div class='story'>{body}</div>{toc}",
    )
    assert page.to_item().body == "\n\n".join(
        [*SENTENCES[:2], "What the mayor said", *SENTENCES[2:]]
    )


def test_a_paragraph_said_twice_stays() -> None:
    chorus = "Bottom line: B."
    body = paragraphs([SENTENCES[0], chorus, SENTENCES[1], chorus, SENTENCES[0], SENTENCES[2]])
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='story'>{body}</div>",
    )
    assert page.to_item().body == "\n\n".join(
        [SENTENCES[0], chorus, SENTENCES[1], chorus, SENTENCES[0], SENTENCES[2]]
    )


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "READ MORE: Council leader quits after row over schools",
        "Sign up to our free newsletter to get the latest news every morning.",
        "Share this article",
        "© 2024 Example Media Ltd. All rights reserved.",
        "Parents outside the town hall on Tuesday. Photo: Jane Doe/Reuters",
        "Reporting by Jane Doe; Editing by John Smith",
        "Anzeige",
        "Lesen Sie auch: Stadtrat beschließt den Haushalt",
        "Stand: 26.04.2024, 20:44 Uhr",
        "Von Oliver Kring",
    ],
)
def test_furniture_lines_are_left_out_of_the_body(line: str) -> None:
    body = paragraphs([*SENTENCES[:3], line, *SENTENCES[3:]])
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='story'>{body}</div>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_a_page_without_article_markup_that_reads_as_one_is_an_article() -> None:
    long = [s + " " + s for s in SENTENCES]
    page = real_page(f"<h1>Council approves budget</h1><div class='text'>{paragraphs(long)}</div>")
    assert page.is_article()
    landing = real_page(
        "<h1>Welcome to our product</h1><ul class='features'>"
        + "".join(f"<li>{s}</li>" for s in SENTENCES)
        + "</ul>"
    )
    assert not landing.is_article()


def test_a_landing_page_of_short_blurbs_has_no_body_unless_marked_as_an_article() -> None:
    """A page without article markup has a body only with prose enough to read
    (Readability's measure): a landing page's blurbs are none, even given as an article."""
    blurbs = "".join(
        f"<section><h2>Feature {n}</h2><p>{SENTENCES[n]}</p></section>" for n in range(5)
    )
    landing = real_page(f"<h1>Welcome to the new browser</h1><main>{blurbs}</main>")
    assert landing.paragraphs and not landing.has_body() and not landing.is_article()
    marked = dated_page(
        f"<h1>Welcome to the new browser</h1><main>{blurbs}</main>",
    )
    assert marked.has_body()
    prose = " ".join(SENTENCES)
    essay = real_page(f"<h1>Council approves budget</h1><div><p>{prose}</p><p>{prose}</p></div>")
    assert essay.has_body()


def test_an_unmarked_article_of_one_long_paragraph_is_one_but_a_feed_is_none() -> None:
    prose = " ".join(SENTENCES * 2)
    page = real_page(f"<h1>Council approves budget</h1><div class='post'><p>{prose}</p></div>")
    assert page.is_article()
    items = "".join(
        f"<item><title>Story {n}</title><description>{SENTENCES[n % 5]} {SENTENCES[(n + 1) % 5]}"
        f"</description><pubDate>Tue, 0{n + 1} May 2024 10:00:00 GMT</pubDate></item>"
        for n in range(6)
    )
    feed = f'<?xml version="1.0"?><rss><channel><title>News</title>{items}</channel></rss>'
    page = GenericArticlePage(
        HtmlResponse("https://www.example.co.uk/feed", body=feed.encode(), encoding="utf-8")
    )
    assert not page.is_article()


def test_ruby_readings_are_no_text() -> None:
    """Furigana (``<rt>``) print a word's reading above it: the text is the word alone."""
    sentence = (
        "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>"
        "をなくすための<ruby>法律<rt>ほうりつ</rt></ruby>ができて、親が子どもを教育するために、"
        "たたいたり蹴ったりする体罰を禁止することになりました。"
    )
    page = real_page(
        f"<h1>体罰を<ruby>禁止<rt>きんし</rt></ruby></h1><div class='story'>"
        f"<p>{sentence}</p><p>{sentence}この法律は4月から始まります。</p></div>",
        head=article_head(headline="体罰を禁止", datePublished="2020-06-24T11:30:00+09:00"),
        lang="ja",
        url="https://www3.nhk.or.jp/news/easy/k10011959621000/k10011959621000.html",
    )
    item = page.to_item()
    assert item.title == "体罰を禁止"
    assert item.body.startswith("子どもへの虐待をなくすための法律ができて、")
    # with <rp> parentheses the page means the reading inline, as HTML shows it without ruby
    named = "<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>"
    page = real_page(
        f"<h1>非常戒厳</h1><div class='story'><p>韓国の{named}大統領は３日夜、緊急談話を出し、"
        "野党が国政をまひさせているとして「非常戒厳」を宣言した。</p>"
        f"<p>{sentence}</p></div>",
        head=article_head(datePublished="2024-12-03T23:00:00+09:00"),
        lang="ja",
        url="https://www.yomiuri.co.jp/world/20241203-OYT1T50227/",
    )
    assert page.to_item().body.startswith("韓国の尹錫悦（ユンソンニョル）大統領は")


def test_an_article_in_a_page_wide_form_is_read() -> None:
    page = dated_page(
        f"<form id='aspnetForm'><h1>Council approves budget</h1><div class='text'>"
        f"{paragraphs(SENTENCES)}</div></form>",
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


@pytest.mark.parametrize(
    ("head", "shown", "published"),
    [
        # the page's own offset is kept (not the same wall clock at +07:00)
        (article_head(datePublished="2024-04-26T20:44:00+02:00"), "", "2024-04-26T20:44:00+02:00"),
        # a placeholder in JSON-LD gives way to the visible date, its printed zone kept
        (
            article_head(datePublished="0001-01-01T00:00:00Z"),
            '<div class="date">Published 11:11 PM EST Nov 19, 2019</div>',
            "2019-11-19T23:11:00-05:00",
        ),
        # <meta itemprop="datePublished"> is read
        ('<meta itemprop="datePublished" content="2024-08-22T12:00:00+02:00">', "",
         "2024-08-22T12:00:00+02:00"),
        # a meta named in another spelling of a known name (case, ":" for "_") is read
        ('<meta name="article:published:time" content="2024-10-23T15:48:15+00:00">',
         '<div class="date">October 23, 2024, 3:48: Uhr</div>', "2024-10-23T16:48:15+01:00"),
        ('<meta name="DC.Date.Issued" content="2024-04-22T06:00+02:00">', "",
         "2024-04-22T06:00:00+02:00"),
        # less common names of the publication meta (htmldate's list)
        ('<meta name="OriginalPublicationDate" content="2014-06-30T16:54:02+02:00">', "",
         "2014-06-30T16:54:02+02:00"),
        ('<meta property="rnews:datePublished" content="2010-02-22T11:53:04+02:00">', "",
         "2010-02-22T11:53:04+02:00"),
        # a shown line that is an ISO time keeps its offset (goose3's test page)
        ('<meta property="og:type" content="article">',
         '<div class="pubdate">2014-11-23T16:00:00+04:00</div>', "2014-11-23T16:00:00+04:00"),
        # JSON-LD's time written for people (engadget.com's)
        (article_head(datePublished="Tue, Sep 15 2020 10:01:41 EDT"), "",
         "2020-09-15T10:01:41-04:00"),
        # JSON-LD's time in seconds (or milliseconds) since 1970, in the site's zone
        (article_head(datePublished=1676551869000), "", "2023-02-16T12:51:09+00:00"),
        (article_head(datePublished=1676551869), "", "2023-02-16T12:51:09+00:00"),
        # a date without a time stays a date
        ('<meta property="article:published_time" content="2024-08-22">', "", "2024-08-22"),
        # a date alone gives way to the time of that day another source shows
        (
            '<meta property="article:published_time" content="2023-08-30">',
            '<time datetime="2023-08-30T16:45:00+01:00">30 August 2023, 4.45pm</time>',
            "2023-08-30T16:45:00+01:00",
        ),
        # a visible date without a zone is in the site's (.co.uk: London, summer time)
        ('<meta property="og:type" content="article">',
         '<div class="date">Published 25 April 2024, 14:07</div>', "2024-04-25T14:07:00+01:00"),
    ],
)  # fmt: skip
def test_publication_times_of_real_pages(head: str, shown: str, published: str) -> None:
    page = real_page(
        f"<h1>Council approves budget</h1>{shown}<div class='story'>{paragraphs(SENTENCES)}</div>",
        head=head,
    )
    assert page.to_item().published_at == published


def test_a_date_line_in_cjk_and_a_last_edited_line() -> None:
    """publickey1.jp: "2019年4月4日" under the headline is the date (a year glued to 年 is a
    year); "last edited on ..." (Wikipedia's) is an update, not the publication."""
    page = real_page(
        f"<h1>体罰を禁止</h1><div class='pubdate'>2019年4月4日</div>"
        f"<div class='story'>{paragraphs(SENTENCES)}</div>",
        head='<meta property="og:type" content="article">',
        lang="ja",
        url="https://www.publickey1.jp/blog/19/post_123456.html",
    )
    assert page.to_item().published_at == "2019-04-04"
    page = real_page(
        f"<h1>Council approves budget</h1><p class='date'>Published 25 April 2024, 14:07</p>"
        f"<div class='story'>{paragraphs(SENTENCES)}</div>"
        "<p>Last edited 28 April 2024, 20:33</p>",
        head='<meta property="og:type" content="article">',
    )
    item = page.to_item()
    assert (item.published_at, item.updated_at) == (
        "2024-04-25T14:07:00+01:00",
        "2024-04-28T20:33:00+01:00",
    )


def test_day_and_month_in_the_locales_order() -> None:
    page = real_page(
        f"<h1>Drusen fordern Teilhabe</h1><p class='meta'>Publiziert 05.01.2025, 15:23 Uhr</p>"
        f"<div class='story'>{paragraphs(SENTENCES)}</div>",
        head='<meta property="og:type" content="article">',
        lang="de",
        url="https://www.srf.ch/news/international/drusen-fordern-teilhabe",
    )
    assert page.to_item().published_at == "2025-01-05T15:23:00+01:00"


def test_a_live_blogs_entry_time_is_not_the_articles() -> None:
    updates = [
        {"@type": "BlogPosting", "headline": "Update", "datePublished": "2024-08-05T21:00:18+01:00"}
    ]
    head = article_head(
        **{"@type": "LiveBlogPosting", "datePublished": "2024-08-04T13:23:00Z",
           "liveBlogUpdate": updates}
    )  # fmt: skip
    page = real_page(
        f"<h1>UK riots live</h1><div class='story'>{paragraphs(SENTENCES)}</div>", head=head
    )
    assert page.to_item().published_at == "2024-08-04T14:23:00+01:00"


GERMAN = [
    "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen.",
    "Die Opposition kritisierte, dass in den ärmsten Vierteln keine Lehrer eingestellt werden.",
    "Der Bürgermeister sagte, für weitere Einstellungen sei in diesem Jahr kein Geld da.",
]


@pytest.mark.parametrize("lang", ["de", "id", ""])
def test_the_language_is_the_pages(lang: str) -> None:
    """A German page is German, whether it says so, says Indonesian (a template's default) or
    says nothing."""
    page = real_page(
        f"<h1>Stadtrat beschließt Haushalt</h1><div class='story'>{paragraphs(GERMAN)}</div>",
        head=article_head(datePublished="2024-05-02T20:53:56+02:00"),
        lang=lang,
    )
    assert page.to_item().language == "de"


def test_an_author_meta_and_author_link_outvote_the_author_meta_naming_the_publisher() -> None:
    """wired.com: ``meta[name=author]`` names the publisher, ``article:author`` and the
    byline's link to the author's page the writer: the two agree, so the writer it is. One
    source against one, or links that agree with the metadata, leave the metadata."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    bio = "<a href='/author/emma-ellis'>Emma Ellis</a> writes about the council and the city"
    link = f"<aside class='contributor'><p>{bio}.</p></aside>"  # after the text
    publisher = (
        '<meta property="og:type" content="article"><meta name="author" content="Conde Nast">'
    )
    writer = '<meta name="article:author" content="Emma Ellis">'
    page = real_page(f"<h1>Council approves budget</h1>{text}{link}", head=publisher + writer)
    assert page.to_item().authors == ["Emma Ellis"]
    alone = real_page(f"<h1>Council approves budget</h1>{text}{link}", head=publisher)
    assert alone.to_item().authors == ["Conde Nast"]
    unlinked = real_page(f"<h1>Council approves budget</h1>{text}", head=publisher + writer)
    assert unlinked.to_item().authors == ["Conde Nast"]
    agreed = publisher.replace("Conde Nast", "Ani Lee")
    both = link + link.replace("emma-ellis", "ani-lee").replace("Emma Ellis", "Ani Lee")
    page = real_page(f"<h1>Council approves budget</h1>{text}{both}", head=agreed + writer)
    assert page.to_item().authors == ["Ani Lee"]  # the links name the metadata's writer too
    other = writer.replace("Emma Ellis", "Bob Stone")  # the meta and the link disagree
    page = real_page(f"<h1>Council approves budget</h1>{text}{link}", head=publisher + other)
    assert page.to_item().authors == ["Conde Nast"]
    short = link.replace(">Emma Ellis<", ">Emma<")  # a link naming a first name only
    page = real_page(f"<h1>Council approves budget</h1>{text}{short}", head=publisher + writer)
    assert page.to_item().authors == ["Conde Nast"]


def test_links_that_say_they_name_the_author_name_the_authors() -> None:
    """theguardian.com: the byline is in an aside (which the reading passes over), two links
    ``rel=author`` to the writers' profiles (no ``/author/`` path) and nothing else names
    them: those links do. A ``rel=author`` link in the text names nobody."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    byline = (
        "<aside><address><a rel='author' href='/profile/jane-doe'>Jane Doe</a> and "
        "<a rel='nofollow author' href='/profile/ann-lee'>Ann Lee</a></address></aside>"
    )
    article = '<meta property="og:type" content="article">'
    page = real_page(f"<h1>Council approves budget</h1>{byline}{text}", head=article)
    assert page.to_item().authors == ["Jane Doe", "Ann Lee"]
    quoted = text.replace("the schools.", "the schools, <a rel='author' href='/p/x'>Bo Li</a>.")
    page = real_page(f"<h1>Council approves budget</h1>{quoted}", head=article)
    assert page.to_item().authors == []
    # nor one in the footer (an imprint, a social profile), a list (other articles' writers),
    # or not a full name
    for elsewhere in (
        "<footer><a rel='author' href='/impressum'>Impressum Redaktion Berlin</a></footer>",
        "<nav><a rel='author' href='https://plus.google.com/+News'>Example News</a></nav>",
        "<aside><ul><li><a rel='author' href='/profile/tom-hale'>Tom Hale</a>: "
        "<a href='/rents'>Why rents rise</a></li></ul></aside>",
        "<aside><address><a rel='author' href='/profile/jane'>Jane</a></address></aside>",
    ):
        page = real_page(f"<h1>Council approves budget</h1>{elsewhere}{text}", head=article)
        assert page.to_item().authors == [], elsewhere


def test_microdata_names_the_article_s_authors_where_no_byline_is_read() -> None:
    """ndtv.com: the byline sits in a ``<nav>`` (which bylines are never read from), marked
    up as the authors of the page's ``NewsArticle`` item: that microdata names them. A
    comment's or a review's ``itemprop=author`` names nobody of the article."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    person = (
        "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
        "<span itemprop='name'>Swati Bhasin</span></span>"
    )
    nav = f"<nav>Edited by <a href='/topic/swati-bhasin'>{person}</a> (with Agencies)</nav>"
    head = '<meta property="og:type" content="article">'
    for item in ("https://schema.org/NewsArticle", "http://schema.org/BlogPosting"):
        scoped = f"<div itemscope itemtype='{item}'><h1>Council approves budget</h1>{nav}{text}"
        page = real_page(scoped + "</div>", head=head)
        assert page.to_item().authors == ["Swati Bhasin"], item
    meta = "<meta itemprop='author' content='Ann Lee'>"
    page = real_page(
        f"<article itemscope itemtype='https://schema.org/Article'>{meta}"
        f"<h1>Council approves budget</h1>{text}</article>",
        head=head,
    )
    assert page.to_item().authors == ["Ann Lee"]
    for other in ("https://schema.org/Comment", "https://schema.org/Review", ""):
        scoped = f"<div itemscope itemtype='{other}'>{nav}</div>"
        page = real_page(f"<h1>Council approves budget</h1>{scoped}{text}", head=head)
        assert page.to_item().authors == [], other
    page = real_page(f"<h1>Council approves budget</h1>{nav}{text}", head=head)
    assert page.to_item().authors == [], "no item at all"
    # related articles' cards are article items too, but not the page's own
    card = (
        "<article itemscope itemtype='http://schema.org/BlogPosting'><h3><a href='/n/1'>Another "
        "story</a></h3><span itemprop='author' itemscope itemtype='http://schema.org/Person'>"
        "<span itemprop='name'>Mark Twain</span></span></article>"
    )
    page = real_page(
        f"<main><article><h1>Council approves budget</h1>{text}</article><aside>{card}</aside>"
        "</main>",
        head=head,
    )
    assert page.to_item().authors == []
    # nor is a publisher named as the author one; an author meta comes first
    publisher = (
        "<div itemprop='author' itemscope itemtype='https://schema.org/Organization'>"
        "<meta itemprop='name' content='Harbour Media Group'></div>"
    )
    scoped = (
        "<article itemscope itemtype='https://schema.org/NewsArticle'>"
        f"<h1>Council approves budget</h1>{{author}}{text}</article>"
    )
    page = real_page(scoped.format(author=publisher), head=head)
    assert page.to_item().authors == []
    # the item may be the body itself
    body_item = (
        f"<h1>Council approves budget</h1><div itemscope itemtype='https://schema.org/Article'>"
        f"{paragraphs(SENTENCES)}{meta}</div>"
    )
    assert real_page(body_item, head=head).to_item().authors == ["Ann Lee"]
    parsely = head + '<meta name="parsely-author" content="Jane Porter">'
    page = real_page(scoped.format(author=meta), head=parsely)
    assert page.to_item().authors == ["Jane Porter"]


def test_a_second_copy_of_the_text_in_another_box_is_left_out() -> None:
    """teenvogue.com: a slideshow's template holds its intro twice, in two boxes: the body
    has it once. Paragraphs said twice in one box stay (what the writer wrote), and so does a
    paragraph said again alone (a pull quote)."""
    intro = paragraphs(SENTENCES[:2])
    head = '<meta property="og:type" content="article">'
    twice = real_page(
        f"<h1>Council approves budget</h1><div class='text'><section class='intro'>{intro}"
        f"</section><p>{SENTENCES[4]}</p><div class='body'>{intro}</div></div>",
        head=head,
    )
    assert twice.to_item().body == "\n\n".join([*SENTENCES[:2], SENTENCES[4]])
    written = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{intro}<p>{SENTENCES[4]}</p>"
        f"{intro}</div>",
        head=head,
    )
    assert written.to_item().body == "\n\n".join([*SENTENCES[:2], SENTENCES[4], *SENTENCES[:2]])
    quoted = real_page(
        f"<h1>Council approves budget</h1><div class='text'><section>{intro}</section>"
        f"<p>{SENTENCES[4]}</p><blockquote><p>{SENTENCES[0]}</p></blockquote>"
        f"<p>{SENTENCES[3]}</p></div>",
        head=head,
    )
    body = quoted.to_item().body or ""
    assert body.count(SENTENCES[0]) == 2
    # one long line and a short one said again by another box: no copy of the text
    short = f"<p>{SENTENCES[0]}</p><p>Budget vote.</p>"
    page = real_page(
        f"<h1>Council approves budget</h1><div class='text'><section>{short}</section>"
        f"<p>{SENTENCES[4]}</p><div>{short}</div></div>",
        head=head,
    )
    assert (page.to_item().body or "").count(SENTENCES[0]) == 2
    # one paragraph said three times, each by its own box: said again, never a copy
    thrice = "".join(f"<div><p>{SENTENCES[0]}</p></div>" for _ in range(3))
    page = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{thrice}{paragraphs(SENTENCES[1:])}"
        "</div>",
        head=head,
    )
    assert (page.to_item().body or "").count(SENTENCES[0]) == 3


def letters(chars: int, seed: str) -> str:
    """A line of ``chars`` lower-case letters and spaces (as :func:`without_repeats` folds
    it: itself), different for each ``seed``."""
    words = (f"{seed}{n}".translate(str.maketrans("0123456789", "qwertyuiop")) for n in range(99))
    return " ".join(words)[:chars].strip().ljust(chars, "z")


def test_without_repeats_leaves_a_copy_of_the_text_and_lines_holding_two_earlier_ones() -> None:
    """The second copy of a run of two or more long lines (:data:`SAID_ONCE_CHARS`
    characters, as words) said by another box goes, and so does a line holding two earlier
    long lines (160 characters or more); a line said again alone, or in its own box, stays."""
    a, b, c, d = (letters(SAID_ONCE_CHARS, seed) for seed in "abcd")
    short = letters(SAID_ONCE_CHARS - 1, "e")
    one, two, run = etree.Element("div"), etree.Element("div"), etree.Element("p")
    lines = [c, short, a, b, c, d, a, b, d, "x"]
    boxes = [one, one, one, one, one, one, two, two, two, two]
    assert without_repeats(lines, boxes) == [0, 1, 2, 3, 4, 5, 8, 9]
    assert without_repeats(lines) == list(range(10))  # no boxes known: no copy found
    assert without_repeats(lines, boxes[:6]) == list(range(10))  # nor past the boxes known
    # a copy is told by its first line's box; a run of text (no box) is never told a copy
    assert without_repeats(lines, [*boxes[:6], run, None, *boxes[8:]]) == [0, 1, 2, 3, 4, 5, 8, 9]
    assert without_repeats(lines, [*boxes[:6], None, two, *boxes[8:]]) == list(range(10))
    assert without_repeats([a, b, c, a, b], [None, one, one, two, two]) == [0, 1, 2, 3, 4]
    assert without_repeats([a, b, a, b], [one, one, one, one]) == [0, 1, 2, 3]  # one box
    # a short line and a long one said again by another box: no copy of the text
    assert without_repeats([short, a, c, short, a], [one, one, one, two, two]) == [0, 1, 2, 3, 4]
    # a copy's short lines between its long ones (subheadings) go with it
    assert without_repeats([a, short, b, c, a, short, b], [one] * 4 + [two] * 3) == [0, 1, 2, 3]
    # the copy begins anywhere, not only where the text does
    assert without_repeats([d, a, b, c, a, b], [one] * 4 + [two] * 2) == [0, 1, 2, 3]
    # a line holding two earlier long lines (glued: 160 characters) goes, one holding one
    # stays; and the lines after either
    assert without_repeats([a, b, a + b, c, a + c[:79], d]) == [0, 1, 3, 4, 5]
    long = letters(SAID_ONCE_CHARS + 1, "f")
    overlapping = [long[:-1], long[1:], long]  # two lines of 80 inside one of 81: kept
    assert without_repeats(overlapping) == [0, 1, 2]


def test_within_and_article_item() -> None:
    page = etree.fromstring(
        "<div itemscope='' itemtype='https://schema.org/NewsArticle'><section><p><b>x</b></p>"
        "</section><div itemscope=''><span/></div></div>"
    )
    section, bold, span = page[0], page[0][0][0], page[1][0]
    assert _within(bold, {section}) and _within(section, {section})
    assert not _within(bold, set()) and not _within(section, {bold})
    assert _article_item(bold) is page and _article_item(span) is None
    assert _article_item(page) is None


def nbc_page(byline: str) -> GenericArticlePage:
    """today.com's and msnbc.com's template: one box holds the headline with its dek, then
    the date line and byline, then the text."""
    return real_page(
        "<div class='article'><section><header><div class='headline'>"
        "<h1>Council approves budget</h1><div class='dek'>The city will spend more on its "
        "schools next year, and less on its roads and its parks.</div></div></header>"
        "</section><div class='media-holder'></div><article><div class='grid'> </div>"
        "<section class='mb7'><div class='date-source'>"
        "<time>Dec. 22, 2016, 3:36 PM UTC</time><span> / Source: Reuters</span></div>"
        f"{byline}</section><div class='content'>{paragraphs(SENTENCES)}</div></article></div>",
        head='<meta property="og:type" content="article">',
    )


def test_the_headline_s_box_in_the_text_gives_its_dek_not_the_headline() -> None:
    """The headline and its dek in one box, inside what the text is read from: the dek
    opens the body, the headline does not; the date line and byline are no text."""
    item = nbc_page("<div class='article-inline-byline'>By <span>Ann Lee</span></div>").to_item()
    assert item.body is not None
    assert item.body.split("\n\n")[:2] == [
        "The city will spend more on its schools next year, and less on its roads and its parks.",
        SENTENCES[0],
    ]


def test_a_byline_in_the_date_line_opening_the_text_names_the_authors() -> None:
    """today.com: the byline sits in the date line opening the text (left out of it as
    furniture): it names the authors. The same line further in the text names nobody."""
    byline = "<div class='article-inline-byline'>By <span>Ann Lee</span></div>"
    assert nbc_page(byline).to_item().authors == ["Ann Lee"]
    line = "<section><time>Dec. 22, 2016</time> / <span class='author'>Ann Lee</span></section>"
    head = '<meta property="og:type" content="article">'
    first = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{line}{paragraphs(SENTENCES)}</div>",
        head=head,
    )
    assert first.to_item().authors == ["Ann Lee"]
    later = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{paragraphs(SENTENCES)}{line}"
        f"<p>{SENTENCES[0]}</p></div>",
        head=head,
    )
    assert later.to_item().authors == []
    # a labelled byline with more after it (hertha-blog.de), a name beside its date line
    # (lexpress.fr's "Par AFP publié le ..."): where the body opens, each is the byline's box
    for opening, name in (
        (
            "<div class='entry-meta'>By <span class='author'>Daniel Lee</span> | Published: "
            "23. Juli 2017 | Kommentare geschlossen</div>",
            "Daniel Lee",
        ),
        (
            "<div class='article-meta'><span class='author'>Jean Dupont</span> publié le "
            "26/12/2020 à 21:00</div>",
            "Jean Dupont",
        ),
    ):
        page = real_page(
            f"<h1>Council approves budget</h1><div class='text'>{opening}"
            f"{paragraphs(SENTENCES)}</div>",
            head=head,
        )
        assert page.to_item().authors == [name], opening
    # a photo's caption with its credit opening the body names no author of the text
    caption = (
        "<p class='bildunterschrift'>The mayor at the meeting on Monday. Foto: "
        "<span class='bildautor'>Max Mustermann</span></p>"
    )
    box = "<div class='author-box'>By <a class='author' href='/author/ann-lee'>Ann Lee</a></div>"
    page = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{caption}{paragraphs(SENTENCES)}"
        f"</div>{box}",
        head=head,
    )
    assert page.to_item().authors == ["Ann Lee"]
    # nor does a photo's credit whose author is marked so (class "photo-author")
    credit = (
        "<div class='image-credit'>Photo by <span class='photo-author'>Max Mustermann</span> / "
        "Reuters</div>"
    )
    page = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{credit}{paragraphs(SENTENCES)}"
        f"</div>{box}",
        head=head,
    )
    assert page.to_item().authors == ["Ann Lee"]
    # a table's rows of a date and names, in the text, are text
    rows = "".join(
        f"<tr><td>{day}.03.2024</td><td>Bayern München</td><td>Borussia Dortmund</td></tr>"
        for day in (12, 19)
    )
    table = f"<p>{SENTENCES[0]}</p><table>{rows}</table>{paragraphs(SENTENCES[1:])}"
    page = real_page(f"<h1>Council approves budget</h1><div class='text'>{table}</div>", head=head)
    assert "12.03.2024 | Bayern München | Borussia Dortmund" in (page.to_item().body or "")


def test_the_visible_byline_wins_over_a_json_ld_editor() -> None:
    """Media Indonesia's JSON-LD names the editor; its byline names the writer."""
    page = real_page(
        '<div class="post-header"><h1>Pesan Kepala Negara</h1>'
        '<div class="author-2">Naufal Zuhdi 20/1/2026 18:30</div></div>'
        f"<div class='article'>{paragraphs(SENTENCES)}</div>",
        head=article_head(
            datePublished="2026-01-20T18:33:13+07:00",
            author={"@type": "Person", "name": "Heryadi", "jobTitle": "Jurnalis"},
        ),
        lang="id",
        url="https://mediaindonesia.com/politik-dan-hukum/847123/pesan-kepala-negara",
    )
    assert page.to_item().authors == ["Naufal Zuhdi"]


@pytest.mark.parametrize(
    ("box", "in_text"),
    [
        # a box of lines: the byline is its first line (the joined text names Berlin)
        ('<div class="meta"><div>By Jane Roe</div><div>Senior Reporter, Berlin</div></div>',
         False),
        # the box in a box of its own, in the text's box
        ('<div class="meta"><div><div>By Jane Roe</div><div>Senior Reporter, Berlin</div></div>'
         "</div>", True),
        # one line, a name in an element of its own: the line's names
        ('<div class="meta">By <div>Jane Roe</div></div>', True),
        # a byline's element holding lines, the byline first (chicagotribune.com's: the joined
        # text named "Jane Roe Washington Post"), an empty line (a picture's) before it
        ('<div class="article_byline"><div class="avatar"><img src="a.jpg"></div>'
         "<div>By <span>Jane Roe</span></div>"
         '<div class="flex"><div>Washington Post</div><time>Dec 13, 2016 at 3:45 pm</time></div>'
         "</div>", False),
    ],
)  # fmt: skip
def test_a_byline_is_one_line_not_the_lines_of_its_box(box: str, in_text: bool) -> None:
    text = f"<div class='text'>{box if in_text else ''}{paragraphs(SENTENCES)}</div>"
    page = dated_page(f"<h1>Council approves budget</h1>{'' if in_text else box}{text}")
    assert page.to_item().authors == ["Jane Roe"]


def test_a_byline_box_of_a_name_a_line_names_them_all() -> None:
    """osw.waw.pl's authors, a name a line in a box of authors: two people, not one "Jane
    Roe John Doe"; a name above a job's title is one person."""
    box = (
        '<div class="field--name-field-autorzy"><div><a href="/ekspert/jane-roe">Jane Roe</a>'
        '</div><div><a href="/ekspert/john-doe">John Doe</a></div></div>'
    )
    page = dated_page(f"<h1>Council approves budget</h1>{box}{paragraphs(SENTENCES)}")
    assert page.to_item().authors == ["Jane Roe", "John Doe"]
    box = (  # the names opening the box: not a bureau's name after the job's title
        '<div class="author"><div>Jane Roe</div><div>Staff writer</div><div>Berlin Bureau</div>'
        "</div>"
    )
    page = dated_page(f"<h1>Council approves budget</h1>{box}{paragraphs(SENTENCES)}")
    assert page.to_item().authors == ["Jane Roe"]


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        ("<div><div>By A</div><div>Reporter</div></div>", ["By A", "Reporter"]),
        ("<div><div><div>By A</div><div>Reporter</div></div></div>", ["By A", "Reporter"]),
        ("<div><div><div>By A</div> <span>Reporter</span></div></div>", ["By A Reporter"]),
        ("<div>By <div>A</div></div>", ["By A"]),  # a line: text beside the div
        ("<div><a>A</a> <div>Games Editor</div></div>", ["A Games Editor"]),  # beside a link
        ("<div><div>By <span>A</span></div></div>", ["By A"]),
        # a div beside a link or text, or in a span, is no box's only box, whatever it holds
        (
            "<div><div><div>Reporter</div><div>Berlin</div></div> <a>By A</a></div>",
            ["ReporterBerlin By A"],
        ),
        ("<div>By <div><div>A</div><div>Reporter</div></div></div>", ["By AReporter"]),
        ("<div><span><div>A</div><div>Reporter</div></span></div>", ["AReporter"]),
        ("<div><div>By A</div> and <div>John B</div></div>", ["By A and John B"]),  # a tail
    ],
)
def test_div_lines(html: str, lines: list[str]) -> None:
    found = _div_lines(lxml.html.fragment_fromstring(html))
    assert [" ".join(line.text_content().split()) for line in found] == lines


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        # timesofindia.com: the Times News Network's code after the writer
        ('<div class="byline"><a href="/toireporter/author-Saibal-Dasgupta-13399.cms">Saibal '
         "Dasgupta</a> / TNN / <span>Updated: Oct 9, 2019, 11:05 IST</span></div>",
         ["Saibal Dasgupta"]),
        # an agency, a newspaper named beside the writer: no person
        ('<div class="firma">Por Ana Souza, Jornal Paulistano</div>', ["Ana Souza"]),
        ('<div class="byline">Agencia EFE</div>', []),
        # a news service alone as the author: nobody, not the writer of a story linked beside
        # it (lexpress.fr's)
        ('<meta name="author" content="AFP"><aside><a href="/auteur/sylvain-fort">Sylvain Fort'
         "</a></aside>", []),
    ],
)  # fmt: skip
def test_a_news_service_s_code_is_no_author(byline: str, authors: list[str]) -> None:
    page = real_page(
        f"<h1>Council approves budget</h1>{byline}<div class='text'>{paragraphs(SENTENCES)}</div>",
        head=article_head(datePublished="2024-05-02T20:53:56+01:00"),
    )
    assert page.to_item().authors == authors


@pytest.mark.parametrize(
    ("head", "shown", "authors"),
    [
        (article_head(author={"@type": "Person", "name": "Felix Schröder und Jörg Soldwisch"}),
         "", ["Felix Schröder", "Jörg Soldwisch"]),
        (article_head(author=[{"@type": "Person", "name": "Elena Oberholzer (obe)"},
                              {"@type": "Person", "name": "Oliver Maksan (oma)"}]),
         "", ["Elena Oberholzer", "Oliver Maksan"]),
        ('<meta name="author" content="d.kuckelkorn@boersen-zeitung.de">'
         '<meta property="og:type" content="article">',
         '<p class="byline">Von Dieter Kuckelkorn</p>', ["Dieter Kuckelkorn"]),
        ('<meta property="og:type" content="article">',
         '<p class="byline">Oleh Andi Pratama dan Ni Made Ayu Lestari</p>',
         ["Andi Pratama", "Ni Made Ayu Lestari"]),
        (article_head(author={"@type": "Organization", "name": "Example News"}),
         '<div class="byline">By Jane Doe and John Smith</div>', ["Jane Doe", "John Smith"]),
        # en.yna.co.kr: the search box's "Text Delete" button is no byline ("Text:" is one)
        ('<meta property="og:type" content="article">',
         '<button><span>Text Delete</span></button>', []),
        ('<meta property="og:type" content="article">',
         '<p>Text: Max Muster</p>', ["Max Muster"]),
        # chinadaily.com.cn: meta author and meta editor name the same editor
        ('<meta name="author" content="严玉洁"><meta name="editor" content="严玉洁">'
         '<meta property="og:type" content="article">', "", []),
        ('<meta name="author" content="Ani Lestari"><meta name="editor" content="Budi Santoso">'
         '<meta property="og:type" content="article">', "", ["Ani Lestari"]),
        # hessenschau.de: the site's name and its place are no people
        ('<meta name="author" content="example.co.uk, Frankfurt, Germany">'
         '<meta property="og:type" content="article">', "", []),
        # author pages are /author/<name>, not a company's /profil/x/page.html (rbb24.de)
        ('<meta property="og:type" content="article">',
         '<a href="/profil/internet/internet.html">Programmprojekte</a>', []),
        ('<meta property="og:type" content="article">',
         '<a href="/author/jane-doe/">Jane Doe</a>', ["Jane Doe"]),
        ('<meta property="og:type" content="article">', '<a href="/author/x/">Example</a>', []),
        # a byline in another story's <article> (a teaser) is not this one's (hessenschau.de)
        ('<meta property="og:type" content="article">',
         '<article><h2><a href="/x">Another story</a></h2><p class="byline">Von Stefan Kiske'
         '</p></article>', []),
        # a byline in an <article> of the body's is this one's
        ('<meta property="og:type" content="article">', "<div class='story'><article>"
         f"<p class='byline'>By Jane Doe</p>{paragraphs(SENTENCES[:3])}</article><article>"
         f"{paragraphs(SENTENCES[3:])}</article></div>", ["Jane Doe"]),
        # the other author metas, when the page shows no byline (bloomberg.com's Parse.ly
        # meta); a byline shown wins over them ("Gillman, Steve" in thepennyhoarder's)
        ('<meta property="og:type" content="article">'
         '<meta name="article:author" content="https://facebook.com/x">'
         '<meta name="parsely-author" content="Andrea Wong">', "", ["Andrea Wong"]),
        ('<meta property="og:type" content="article"><meta name="sailthru.author" '
         'content="Gillman, Steve">', '<p class="byline">By Steve Gillman</p>', ["Steve Gillman"]),
        # a meta naming the site's title is no author (yjc.ir); one naming a person and the
        # site names the person
        ('<meta property="og:type" content="article">'
         '<meta name="article:author" content="Agency | Latest News | Example">', "", []),
        ('<meta name="author" content="Jane Doe | Example">', "", ["Jane Doe"]),
        ('<meta name="author" content="example.co.uk, Jane Doe">', "", ["Jane Doe"]),
        # one author as "Last, First" in Sailthru's meta
        ('<meta property="og:type" content="article">'
         '<meta name="sailthru.author" content="Gillman, Steve">', "", ["Steve Gillman"]),
        # a box of the article's byline set as an <article> without a heading is the page's
        ('<meta property="og:type" content="article">',
         "<article class='meta'><p class='byline'>By Jane Doe</p></article>", ["Jane Doe"]),
        # a WordPress site's default account is no person (ilanganews.co.za)
        (article_head(author={"@id": "https://example.co.uk/author/admin/", "name": "Ilanga D"}),
         "", []),
        # WordPress's Twenty Twenty in German: a label for screen readers before the byline
        ('<meta property="og:type" content="article">',
         '<ul class="post-meta"><li class="post-author meta-wrapper"><span class="meta-icon">'
         '<span class="screen-reader-text">Beitragsautor</span><svg></svg></span><span '
         'class="meta-text">Von <a href="/author/katrin/">Katrin Sommerfeld</a></span></li></ul>',
         ["Katrin Sommerfeld"]),
        # a byline of author links, each marked, or beside a job's title: the byline's names
        ('<meta property="og:type" content="article">',
         '<p class="meta">By <a class="author-link" href="/a/jane">Jane Doe</a> and <a '
         'class="author-link" href="/a/john">John Smith</a></p>', ["Jane Doe", "John Smith"]),
        ('<meta property="og:type" content="article">',
         '<p class="meta">By Jane Doe, <span class="author-title">Senior Writer</span></p>',
         ["Jane Doe"]),
        # a byline in a box beside its date's and its share's divs: one line, not lines
        ('<meta property="og:type" content="article">',
         '<div class="info">By <a href="/a/jane">Jane Doe</a> and <a href="/a/john">John '
         'Smith</a><div class="date">5 March 2024</div><div class="share">Share</div></div>',
         ["Jane Doe", "John Smith"]),
        # a label in an element of its own, the names in theirs (nytimes.com's)
        ('<meta property="og:type" content="article">',
         '<p class="meta"><span class="byline-prefix">By</span> <span itemprop="name"><a '
         'href="/by/jane-doe">Jane Doe</a></span> and <span class="last-byline" '
         'itemprop="name"><a href="/by/john-smith">John Smith</a></span></p>',
         ["Jane Doe", "John Smith"]),
        # a byline's element beside the writer's place, in one box: the element's names
        ('<meta property="og:type" content="article">',
         '<div class="firma"><span class="autor">Por <a href="/autor/juan/">Juan Pérez García'
         '</a></span> <span class="lugar">Murcia</span></div>', ["Juan Pérez García"]),
        # Ghost's JSON-LD names a post's first author; its byline shows both (Casper's)
        (article_head(author={"@type": "Person", "name": "Katrin Sommerfeld"}),
         '<h4 class="author-name"><a href="/author/katrin/">Katrin Sommerfeld</a>, '
         '<a href="/author/jonas/">Jonas Albrecht</a></h4>',
         ["Katrin Sommerfeld", "Jonas Albrecht"]),
        # the byline adds its outlet or a job's title to the name the data gives: the data
        (article_head(author={"@type": "Person", "name": "Jane Doe"}),
         '<p class="byline">By Jane Doe, CNN Politics</p>', ["Jane Doe"]),
        (article_head(author={"@type": "Person", "name": "Jane Doe"}),
         '<p class="byline">By Jane Doe, Chief Political Correspondent</p>', ["Jane Doe"]),
        # the data names two, the byline one of them: the data
        (article_head(author=[{"@type": "Person", "name": "Katrin Sommerfeld"},
                              {"@type": "Person", "name": "Jonas Albrecht"}]),
         '<p class="byline">By Katrin Sommerfeld</p>', ["Katrin Sommerfeld", "Jonas Albrecht"]),
    ],
)  # fmt: skip
def test_authors_of_real_pages(head: str, shown: str, authors: list[str]) -> None:
    page = real_page(
        f"<h1>Council approves budget</h1>{shown}<div class='story'>{paragraphs(SENTENCES)}</div>",
        head=head,
    )
    assert page.to_item().authors == authors


def test_a_byline_of_names_alone_opening_the_body_names_its_authors() -> None:
    """lestimes.com: the byline is the body's first paragraph, bold names without a label,
    on a page whose metadata names nobody; it is the authors, not a line of the text. A page
    whose metadata names its author keeps such a line (medium.com: a bold subtitle)."""
    story = (
        "<div class='story'><p><strong>Mathatisi Sebusi/Mohalenyane Phakela</strong></p>"
        f"{paragraphs(SENTENCES)}</div>"
    )
    page = real_page(f"<h1>Council approves budget</h1>{story}",
                     head='<meta property="og:type" content="article">')  # fmt: skip
    item = page.to_item()
    assert item.authors == ["Mathatisi Sebusi", "Mohalenyane Phakela"]
    assert item.body == "\n\n".join(SENTENCES)
    page = real_page(
        f"<h1>Council approves budget</h1>{story}",
        head='<meta property="og:type" content="article"><meta name="author" content="Ani Lee">',
    )
    item = page.to_item()
    assert item.authors == ["Ani Lee"]
    assert item.body == "\n\n".join(["Mathatisi Sebusi/Mohalenyane Phakela", *SENTENCES])
    # nor is it when the page shows a byline: a bold line ("Key Points") of the text
    page = real_page(
        "<h1>Council approves budget</h1><p class='byline'>By Jane Doe</p>"
        + story.replace("Mathatisi Sebusi/Mohalenyane Phakela", "Key Points"),
        head='<meta property="og:type" content="article">',
    )
    item = page.to_item()
    assert item.authors == ["Jane Doe"]
    assert item.body == "\n\n".join(["Key Points", *SENTENCES])
    # not emphasised, or after the first lines of the body: a line of the text
    for story in (
        f"<div class='story'><p>Jane Doe</p>{paragraphs(SENTENCES)}</div>",
        f"<div class='story'>{paragraphs(SENTENCES)}<p><b>Jane Doe</b></p></div>",
    ):
        page = real_page(f"<h1>Council approves budget</h1>{story}",
                         head='<meta property="og:type" content="article">')  # fmt: skip
        assert page.to_item().authors == []


def test_an_inline_images_credit_is_no_text_of_its_paragraph() -> None:
    """msn.com: the lead paragraph opens with an image in a span and its credit in a span
    named as a caption; the credit is left out, and the lead is read (not taken whole for a
    credit line)."""
    lead = "The psychological reason why we love to watch sad movies is linked to endorphins."
    first = (
        "<p><span class='storyimage'><img src='/a.jpg'><span class='caption truncate'>"
        "<span class='attribution'>© Archive Photos/Getty Images</span></span></span> "
        f"<strong>{lead}</strong></p>"
    )
    page = dated_page(f"<h1>Council approves budget</h1><div class='story'>{first}"
                      f"{paragraphs(SENTENCES)}</div>")  # fmt: skip
    assert page.to_item().body == "\n\n".join([lead, *SENTENCES])
    # a link with an icon, or a span with an image and text of its own, is text
    line = (
        "Read the filing: <a class='media-link'><img src='/pdf.png'>the council's budget for "
        "2024</a> and <span class='inline-image'><img src='/i.png'>its annex</span> for details."
    )
    page = dated_page(f"<h1>Council approves budget</h1><div class='story'><p>{line}</p>"
                      f"{paragraphs(SENTENCES)}</div>")  # fmt: skip
    assert page.to_item().body.split("\n\n")[0] == (
        "Read the filing: the council's budget for 2024 and its annex for details."
    )


def test_another_storys_date_lines_are_not_this_ones() -> None:
    """dagbladet.no: the next story, set under this one, shows when it was updated; that is
    not this story's update (nor is a teaser's date this story's)."""
    story = f"<article><h1>Council approves budget</h1>{paragraphs(SENTENCES)}</article>"
    nxt = (
        "<article><h2><a href='/next'>Next story</a></h2>"
        "<p class='date'>Updated 25 April 2024, 18:00</p></article>"
    )
    head = '<meta property="article:published_time" content="2024-04-25T09:00:00+01:00">'
    assert real_page(story + nxt, head=head).to_item().updated_at is None
    mine = story.replace("</h1>", "</h1><p class='date'>Updated 25 April 2024, 18:00</p>")
    assert real_page(mine + nxt, head=head).to_item().updated_at == "2024-04-25T18:00:00+01:00"


def test_a_page_declaring_latin_1_but_sent_in_utf_8_is_read_as_utf_8() -> None:
    body = "<h1>Toller Tarif: jetzt für nur 5,99 Euro</h1>" + paragraphs(SENTENCES)
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        + article_head(datePublished="2024-04-29T10:00:00+02:00")
        + f"</head><body>{body}</body></html>"
    )
    response = HtmlResponse("https://winfuture.de/news/1.html", body=html.encode("utf-8"))
    assert GenericArticlePage(response).to_item().title == "Toller Tarif: jetzt für nur 5,99 Euro"


def test_a_page_whose_sources_give_no_date_has_the_day_htmldate_finds() -> None:
    """No metadata, no date line: htmldate's search of the page finds its day (a date in a
    long paragraph no date line is)."""
    note = (
        "<div class='note'><span>This story was filed on 2020-04-24 by our newsroom, which "
        "checks every story twice before it goes out to readers of the site.</span></div>"
    )
    page = marked_page(
        f"<h1>Council approves budget</h1><div class='story'>{paragraphs(SENTENCES)}</div>{note}",
        "https://www.example.com/news/council-approves-budget",
    )
    assert page.to_item().published_at == "2020-04-24"


def test_a_paragraph_listing_links_one_a_line_is_no_text() -> None:
    """prachatai.com: "<p><strong>Related</strong><br><a>...</a><br><a>...</a></p>" at the
    text's end is a box of links; a paragraph with two links in its sentence is text."""
    linked = (  # mostly its links' text, but one sentence
        "<p><a href='/a'>The council's finance committee and the city treasurer</a> met "
        "<a href='/b'>the regional auditors of the state to discuss the new budget</a>.</p>"
    )
    related = (
        "<p><strong>Related</strong><br><a href='/news/1'>Budget talks stall again</a><br>"
        "<a href='/news/2'>Council names new treasurer after long search</a></p>"
    )
    page = dated_page(
        f"<h1>Council approves budget</h1><div class='story'>{paragraphs(SENTENCES)}"
        f"{linked}{related}</div>"
    )
    body = page.to_item().body
    assert body.endswith("the state to discuss the new budget.")
    assert "Budget talks" not in body


def test_a_post_shown_in_a_script_template_is_read_from_its_noscript() -> None:
    """security.googleblog.com: the post in ``<script type="text/template">`` and again in
    the ``<noscript>`` beside it, the page showing only its tagline and the post's last
    line: the body is the post's, read from the ``<noscript>`` inside the post's element."""
    sentences = [
        *SENTENCES,
        *(f"Speaker {n} at the meeting asked about {SENTENCES[n]}" for n in range(3)),
    ]
    post = paragraphs(sentences)
    last = "Jane Doe reported from the town hall for the city desk of the paper."
    page = dated_page(
        "<header><p>The latest news and insights from our teams on the web</p></header>"
        "<h1>Council approves budget</h1>"
        f"<div class='post-body' itemprop='articleBody'><script type='text/template'>{post}"
        f"</script><noscript><span class='byline-author'>Posted by Jane Doe</span>{post}"
        f"</noscript><p>{last}</p></div>"
    )
    assert page.to_item().body == "\n\n".join([*sentences, last])


def test_a_hidden_copy_of_the_text_makes_no_line_furniture() -> None:
    """eldeber.com.bo: a hidden copy of the article (``display:none``) after it; its short
    paragraphs are no footer lines shown elsewhere on the page, so all stay. The same lines
    shown in a footer are left out."""
    short = ["Dificultades para recuperarlos", "Bustos was sure of it, he told the radio."]
    text = paragraphs([SENTENCES[0], short[0], SENTENCES[1], short[1], *SENTENCES[2:]])
    hidden = f"<div style='display:none' class='copy'>{text}</div>"
    page = dated_page(f"<h1>Council approves budget</h1><div class='story'>{text}</div>{hidden}")
    assert page.to_item().body == "\n\n".join([SENTENCES[0], short[0], SENTENCES[1],
                                               short[1], *SENTENCES[2:]])  # fmt: skip
    footer = f"<footer><p>{short[0]}</p></footer>"
    page = dated_page(f"<h1>Council approves budget</h1><div class='story'>{text}</div>{footer}")
    assert short[0] not in page.to_item().body


def test_the_lead_a_share_box_shows_again_is_no_furniture() -> None:
    """usatoday.com: the share box repeats the page's description, which is the article's
    first paragraph; that paragraph is the article's, not a line of the page's furniture.
    Another line the box shows stays furniture."""
    lead = "ANAHEIM, Calif. — Musicians often show off their rings, but rarely make music."
    other = "Reporting by the city desk of the paper."
    share = f"<div class='util-bar-share'><p>{lead}</p><p>{other}</p></div>"
    text = paragraphs([lead, *SENTENCES[:3], other, SENTENCES[3]])
    head = article_head(datePublished="2024-05-02T20:53:56+01:00")
    page = real_page(
        f"{share}<h1>Council approves budget</h1><div class='story'>{text}</div>",
        head=f'{head}<meta name="description" content="{lead}">',
    )
    assert page.to_item().body == "\n\n".join([lead, *SENTENCES[:3], SENTENCES[3]])
    # a description that is the site's slogan, in the footer and at the text's end: furniture
    slogan = "Example News is the leading source of local news for the valley."
    page = real_page(
        f"<h1>Council approves budget</h1><div class='story'>{paragraphs([*SENTENCES, slogan])}"
        f"</div><footer><p>{slogan}</p></footer>",
        head=f'{head}<meta name="description" content="{slogan}">',
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_text_running_between_line_breaks_beside_an_image_is_read() -> None:
    """tulsaworld.com: the article is one span of text runs between ``<br>`` beside an image
    and a lead heading; a wrapper of an image and more text than a caption is no image box.
    An image with its caption alone is left out."""
    runs = "<br><br>".join(SENTENCES[1:])
    page = dated_page(
        "<h1>Council approves budget</h1><div class='entry'><span class='text'>"
        f"<img src='/a.jpg'><span class='lead'><h2>{SENTENCES[0]}</h2></span>"
        f"<br><br>{runs}</span><span class='pic'><img src='/b.jpg'><p>The town hall, on Tuesday"
        " evening, seen from the square.</p></span></div>"
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


def test_links_to_other_articles_under_the_text_are_left_out() -> None:
    """dtb-tennis.de, yle.fi: paragraphs that are each one link to another article, after the
    text, are no text; such a paragraph within the text stays (a link to the report)."""
    middle = "<p><a href='/report.pdf'>The auditors' full report on the city budget</a></p>"
    tail = (
        "<p><a href='/news/1'>Kohlmann: “Next we win the cup”</a></p>"
        "<p><strong><a href='/news/2'>Juniors named for the season</a></strong></p>"
    )
    page = dated_page(
        "<h1>Council approves budget</h1><div class='story'>"
        f"{paragraphs(SENTENCES[:2])}{middle}{paragraphs(SENTENCES[2:])}{tail}</div>"
    )
    assert page.to_item().body == "\n\n".join(
        [*SENTENCES[:2], "The auditors' full report on the city budget", *SENTENCES[2:]]
    )


#: A body long enough that its element is the text's, whatever the header holds.
LONG_TEXT = [
    *SENTENCES,
    *(f"Speaker {n} at the meeting asked about {SENTENCES[n].lower()}" for n in range(5)),
]


def test_a_hidden_h1_is_no_headline_when_one_is_shown() -> None:
    """lastampa.it: a screen reader's h1 (hidden) before the shown one."""
    page = dated_page(
        "<h1 style='display:none'>La Stampa</h1><div class='top'><h1>Council approves "
        f"budget</h1></div><div class='story'>{paragraphs(SENTENCES)}</div>"
    )
    shown = page.headline_element
    assert shown is not None and shown.text == "Council approves budget"


def test_a_lead_repeating_a_line_of_the_text_is_read_where_the_text_has_it() -> None:
    """bisnis.com's look-alike: its lead box repeats a line of the text: read once, there."""
    page = dated_page(
        "<article><header class='entry__header'><h1>Council approves budget</h1>"
        f"<div class='detailsLead'><p>{SENTENCES[2]}</p></div></header>"
        f"<div class='entry__content'>{paragraphs(LONG_TEXT)}</div></article>"
    )
    assert page.paragraphs == LONG_TEXT


def test_the_headline_again_in_the_text_is_left_out() -> None:
    """nytimes.com: the headline set again at the top of the text (a print header)."""
    page = dated_page(
        "<h1>Council approves budget</h1><div class='story'><p>Council approves budget</p>"
        f"{paragraphs(SENTENCES)}</div>"
    )
    assert page.to_item().body == "\n\n".join(SENTENCES)


@pytest.mark.parametrize(
    ("shown", "published"),
    [
        ("Monday Apr 13, 2020 at 4:38 PM", "2020-04-13T16:38:07-08:00"),
        ("Apr 14, 2020 at 6:08 AM", "2020-04-14T06:08:07+05:30"),
        ("Apr 13, 2020 at 4:51 PM", "2020-04-14T00:38:07+00:00"),  # another time: not it
        ("Apr 13, 2020", "2020-04-14T00:38:07+00:00"),  # no time of day shown
        # the first time shown is UTC's own clock: so it stays, whatever a later line says
        ("Apr 14, 2020 at 12:38 AM | Apr 13, 2020 at 4:38 PM", "2020-04-14T00:38:07+00:00"),
    ],
)
def test_a_utc_time_is_given_in_the_offset_of_the_clock_the_page_shows(
    shown: str, published: str
) -> None:
    """registerguard.com: JSON-LD "20200414T00:38:07Z", the page showing "Apr 13, 2020 at
    4:38 PM": the instant in the offset of the wall clock shown (a whole number of half
    hours from UTC), so its day is the page's."""
    page = real_page(
        f"<h1>Council approves budget</h1><div class='date'>{shown}</div>"
        f"<div class='story'>{paragraphs(SENTENCES)}</div>",
        head=article_head(datePublished="20200414T00:38:07Z"),
        url="https://www.example.com/news/council-approves-budget",
    )
    assert page.to_item().published_at == published


def test_an_update_in_utc_is_shown_in_the_offset_found_for_the_publication() -> None:
    """The offset of the clock the page shows is found once, from its publication: its
    update, given in UTC too, is shown in it (not matched against a publication line)."""
    page = real_page(
        "<h1>Council approves budget</h1><div class='date'>Apr 13, 2020 at 4:38 PM</div>"
        f"<div class='story'>{paragraphs(SENTENCES)}</div>",
        head=article_head(datePublished="20200414T00:38:07Z", dateModified="20200414T04:00:00Z"),
        url="https://www.example.com/news/council-approves-budget",
    )
    item = page.to_item()
    assert item.published_at == "2020-04-13T16:38:07-08:00"
    assert item.updated_at == "2020-04-13T20:00:00-08:00"


def test_a_year_or_month_alone_is_no_day() -> None:
    """arabic.cnn.com: no date but "© 2013" in the footer, which htmldate's text search
    makes 2013-01-01: no date at all. A first of the month htmldate finds in the markup
    (a meta only htmldate reads) stays."""
    footer = "<div class='legal'>© 2013 Cable News Network. All Rights Reserved.</div>"
    story = f"<h1>Council approves budget</h1><div class='story'>{paragraphs(SENTENCES)}</div>"
    head = '<meta property="og:type" content="article">'
    page = real_page(story + footer, head=head, url="https://www.example.com/news/budget")
    assert page.to_item().published_at is None
    dated = real_page(
        story + footer,
        head=head + '<meta name="citation_publication_date" content="2013-08-01">',
        url="https://www.example.com/news/budget",
    )
    assert dated.to_item().published_at == "2013-08-01"


@pytest.mark.parametrize(
    ("title", "brand", "headline"),
    [
        ("Lorem ipsum dolor sit amet – My website", "example", "Lorem ipsum dolor sit amet"),
        ("Einschlag in Elmshorn: Es war ein Meteorit | NDR.de - Nachrichten - Schleswig-Holstein",
         "ndr", "Einschlag in Elmshorn: Es war ein Meteorit"),
        ("seelenradio » Nummer zwei: Leo", "seelenradio", "Nummer zwei: Leo"),
        ("Judy Lybke, ganz und gar nicht eigenartig - n-tv.de", "n-tv",
         "Judy Lybke, ganz und gar nicht eigenartig"),
        ("Kompas.com raih penghargaan baru tahun ini | Kompas.com", "kompas",
         "Kompas.com raih penghargaan baru tahun ini"),
        ("Gefällt mir – jovelblog", "jovelstefan", "Gefällt mir"),
        ("Bartleby the Scrivener Web Study", "x", "Bartleby the Scrivener Web Study"),
        ("Quanta Magazine", "quantamagazine", None),
        ("NDR.de | Kontakt", "ndr", "Kontakt"),
        ("Blog - Some longer page title here", "example", "Blog - Some longer page title here"),
        ("Eventvorschau - Bla", "ntv", "Eventvorschau - Bla"),  # no longer part: all of it
        ("   ", "example", None),
    ],
)  # fmt: skip
def test_the_headline_in_a_pages_title(title: str, brand: str, headline: str | None) -> None:
    """Without a marked headline, the ``<title>`` less the site's name: the parts before the
    site's name, or after it, else less a shorter last part (a site or section name)."""
    assert title_from_document(title, brand) == headline


def test_a_part_names_the_site_by_its_letters_from_a_words_start() -> None:
    assert names_site("ndr")("NDR.de")
    assert names_site("n-tv")("n-tv.de") and names_site("ntv")("n-tv.de")
    assert names_site("quantamagazine")("Quanta Magazine")
    assert not names_site("ntv")("Eventvorschau")  # not from a word's start
    assert not names_site("ab")("AB")  # too short a name to tell


def test_an_article_naming_no_headline_has_its_title_less_the_site() -> None:
    """A page without an h1 or a named headline: its ``<title>`` less the site's name. An
    article is not lost for a headline it does not mark; a page without any title has none
    (the validation drops it, and the site's health counts it: its markup changed)."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    page = real_page(text, head=article_head(headline=""))
    page.root.find(".//title").text = "Council approves the budget | Example News"
    assert page.to_item().title == "Council approves the budget"
    page = real_page(f"<h2>Budget approved</h2>{text}")
    page.root.find(".//title").text = ""
    assert page.to_item().title is None
    marked = real_page(f"<h1>Council approves budget</h1>{text}")
    assert marked.to_item().title == "Council approves budget"


def test_a_second_opinion_loses_the_lines_of_the_pages_chrome() -> None:
    """trafilatura's lines the page shows in its chrome (a date line, a paywall prompt)
    go, unless the reader's body has them too; all stay when they are most of the text
    (the chrome holds the article the reader missed)."""
    text = ["A first paragraph of the article, long enough.", "Another paragraph, as long."]
    chrome = {"12 May 2024 10:00", "Subscribe to read on"}
    lines = ["12 May 2024 10:00", *text, "Subscribe to read on"]
    assert without_chrome(lines, [], chrome) == text
    assert without_chrome(lines, text, chrome | {text[1]}) == text  # the reader's line stays
    assert without_chrome(lines, [], chrome | {text[1]}) == lines  # most of it: all stay


def test_the_chrome_lines_are_the_texts_of_the_pages_chrome() -> None:
    page = real_page(
        f"<nav><ul><li>Home</li><li>Politics</li></ul></nav><h1>Budget</h1>"
        f"<div class='text'>{paragraphs(SENTENCES)}</div><footer><p>© Example News</p></footer>"
    )
    assert {"Home", "Politics", "© Example News"} <= page.chrome_lines
    assert not page.chrome_lines & set(SENTENCES)


def test_an_article_whose_page_shows_no_text_has_the_text_of_its_data() -> None:
    """A page that builds its text with a script shows none in its HTML: a page marked as an
    article then has JSON-LD ``articleBody`` as its body (not when it shows a body)."""
    data = article_head(datePublished="2024-05-02T20:53:56+01:00", articleBody="\n".join(SENTENCES))
    empty = real_page("<h1>Council approves budget</h1><div id='app'></div>", head=data)
    assert empty.has_body() and empty.is_article()
    assert empty.to_item().body == "\n\n".join(SENTENCES)
    shown = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{paragraphs(SENTENCES[:3])}</div>",
        head=data,
    )
    assert shown.to_item().body == "\n\n".join(SENTENCES[:3])
    unmarked = real_page(
        "<h1>Council approves budget</h1><div id='app'></div>",
        head=data.replace('"NewsArticle"', '"WebPage"'),
    )
    assert not unmarked.has_body()


@pytest.mark.parametrize(
    ("h1", "logo"),
    [
        ('<h1><a href="/">Daily Example</a></h1>', True),
        ('<h1><a href="https://www.example.com">Daily Example</a></h1>', True),
        ('<h1 class="site-logo">Daily Example</h1>', True),
        ('<h1><span>Example</span><svg viewBox="0 0 9 9"></svg></h1>', True),
        ('<h1><a href="/news/budget-123">Council approves budget</a></h1>', False),
        ('<h1><a href="#top">Council approves budget</a></h1>', False),
        ("<h1>Council approves budget</h1>", False),
    ],
)
def test_a_heading_that_is_the_sites_logo(h1: str, logo: bool) -> None:
    assert logo_like(lxml.html.fragment_fromstring(h1)) is logo


def test_a_kicker_set_apart_in_the_h1_is_never_the_headline_alone() -> None:
    """An h1 of a kicker ending in a colon (often visually hidden) and a headline: the
    kicker alone is no headline, however like the named one it is (lto.de gave
    "Waffenlieferungen an Israel:"); the whole h1 is."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    head = article_head(headline="City budget vote: plan passes")
    h1 = (
        "<h1><span class='kicker'>City budget vote<span class='visually-hidden'>:</span></span>"
        " <span class='title'>Council approves spending for the year</span></h1>"
    )
    title = real_page(f"{h1}{text}", head=head).to_item().title
    assert title == "City budget vote: Council approves spending for the year"


def test_a_kicker_opening_the_h1_is_left_out_where_the_named_headline_does() -> None:
    """An h1 opening with a kicker in its own element, the headline after it (written
    without a space: tageblatt.lu gave "Nationale DemoDer 9. Juli naht: ..."): the part
    after the kicker is the title where it is the headline the page names; an h1 whose
    first element is part of its headline keeps it."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    head = article_head(headline="Council approves spending for the year")
    h1 = "<h1><span>Budget vote</span>Council approves spending for the year</h1>"
    assert real_page(f"{h1}{text}", head=head).to_item().title == (
        "Council approves spending for the year"
    )
    head = article_head(headline="Frozen sequel tops the box office")
    h1 = "<h1><em>Frozen</em> sequel tops the box office</h1>"
    assert real_page(f"{h1}{text}", head=head).to_item().title == (
        "Frozen sequel tops the box office"
    )
    # a first element of the headline, the named one reworded: the whole h1 stays
    for h1, named in (
        ("<h1><a href='/tag/ukraine'>Ukraine</a> war: Russia launches largest drone attack</h1>",
         "Russia launches largest drone attack on Kyiv"),
        ("<h1><a href='/topics/nhs'>NHS</a> waiting lists fall for third month in a row</h1>",
         "Waiting lists fall for third month running"),
    ):  # fmt: skip
        page = real_page(f"{h1}{text}", head=article_head(headline=named))
        assert page.to_item().title == " ".join(lxml.html.fromstring(h1).text_content().split())


@pytest.mark.parametrize(
    ("h1", "rest"),
    [
        ("<h1><span>Nationale Demo</span>Der 9. Juli naht</h1>", "Der 9. Juli naht"),
        ("<h1><span>Tunesien</span> <b>Große</b> Aufgaben</h1>", "Große Aufgaben"),
        ("<h1>Opening <span>words</span> of it</h1>", ""),  # text of its own first
        ("<h1>News <span>News</span> of the day</h1>", ""),
        ("<h1><img src='icon.png'>An icon first</h1>", ""),  # no kicker's text
        ("<h1><a href='/a'>All in its link</a></h1>", ""),
        ("<h1>No child at all</h1>", ""),
    ],
)
def test_the_text_after_a_kicker(h1: str, rest: str) -> None:
    assert after_kicker(lxml.html.fragment_fromstring(h1)) == rest


def test_an_h1_like_no_named_headline_nor_the_title_is_no_headline() -> None:
    """A site's logo or a section's name set as the page's h1 (short, or a logo): the
    headline the page names is the title; an h1 like the page's <title>, or a long one,
    stays the title."""
    text = f"<div class='text'>{paragraphs(SENTENCES)}</div>"
    head = article_head(headline="Council approves the budget after a long debate")
    logo = real_page(f"<h1>Daily Example</h1>{text}", head=head)
    assert logo.to_item().title == "Council approves the budget after a long debate"
    own = real_page(f"<h1>Budget passes, teachers wait</h1>{text}", head=head)
    own.root.find(".//title").text = "Budget passes, teachers wait | Daily Example"
    assert own.to_item().title == "Budget passes, teachers wait"
    unnamed = real_page(f"<h1>Budget passes, teachers wait</h1>{text}")
    assert unnamed.to_item().title == "Budget passes, teachers wait"
    # naming no headline: the <title>, when it says more than a short h1 that is a section's
    # name (a link's text on the page too) and does not hold it
    crumbs = (
        "<nav><a href='/health'>Health</a> › <a href='/allergies'>Allergies Health Center</a></nav>"
    )
    section = real_page(f"{crumbs}<h1>Allergies Health Center</h1>{text}")
    section.root.find(".//title").text = "Babies Who Eat Peanuts Early May Avoid Allergy"
    assert section.to_item().title == "Babies Who Eat Peanuts Early May Avoid Allergy"
    headline = real_page(f"<h1>Queen dies at 96</h1>{text}")
    headline.root.find(".//title").text = "UK news - latest headlines, stories and video"
    assert headline.to_item().title == "Queen dies at 96"  # a site-wide <title>: no section
    about = crumbs.replace("Allergies Health Center", "About This Site")
    same = real_page(f"{about}<h1>About This Site</h1>{text}")
    same.root.find(".//title").text = "Daring Fireball: Colophon"
    assert same.to_item().title == "About This Site"  # the <title> says no more
    held = real_page(f"<h1>Mozilla</h1>{text}")
    held.root.find(".//title").text = "Mozilla - Wikipedia, the free encyclopedia"
    assert held.to_item().title == "Mozilla"
    long = real_page(
        f"<h1>The council passes its budget, and the teachers wait</h1>{text}", head=head
    )
    assert long.to_item().title == "The council passes its budget, and the teachers wait"
    logo = real_page(f"<h1><a href='/'>The Daily Example of Anytown</a></h1>{text}", head=head)
    assert logo.to_item().title == "Council approves the budget after a long debate"


def test_a_json_ld_script_of_several_values_is_read_value_by_value() -> None:
    """Two objects written one after the other, or one with a stray character after it:
    each value up to where the next fails (json.loads refuses the whole script)."""
    assert json_ld_documents('{"a": 1}') == [{"a": 1}]
    assert json_ld_documents('{"a": 1}\n{"b": 2}') == [{"a": 1}, {"b": 2}]
    assert json_ld_documents('{"a": 1};') == [{"a": 1}]
    assert json_ld_documents('{"a": 1} }') == [{"a": 1}]
    assert json_ld_documents("not json") == []
    # nested past Python's recursion limit: no document, as processors.json_ld_values has it
    assert json_ld_documents("[" * 100_000 + "]" * 100_000) == []
    assert json_ld_documents('{"a": 1}' + "[" * 100_000 + "]" * 100_000) == [{"a": 1}]
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    nested = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{paragraphs(SENTENCES)}</div>",
        head=deep,
    )
    assert nested.to_item().title == "Council approves budget"  # it raised RecursionError
    page = real_page(
        f"<h1>Council approves budget</h1><div class='text'>{paragraphs(SENTENCES)}</div>",
        head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "datePublished": "2020-10-26T18:10:00+01:00"}\n{"@type": "Organization"}</script>',
    )
    assert page.to_item().published_at == "2020-10-26T18:10:00+01:00"


def test_a_pages_own_json_ld_webpage_dates_it_when_no_article_object_does() -> None:
    """A blog's JSON-LD graph describes the post as a ``WebPage`` with ``datePublished``:
    read when the page has no article object, and only the ``WebPage`` of this very page."""
    url = "https://www.example.co.uk/news/2024/council-budget-123456"

    def graph(page_url: str) -> str:
        data = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "@id": "https://www.example.co.uk/#website", "name": "Ex"},
            {"@type": "WebPage", "@id": page_url, "url": page_url,
             "datePublished": "2020-08-18T19:35:33+00:00", "name": "Budget"},
        ]}  # fmt: skip
        return f'<script type="application/ld+json">{json.dumps(data)}</script>'

    text = f"<h1>Council approves budget</h1><div class='text'>{paragraphs(SENTENCES)}</div>"
    text += "<ul class='feed'><li>2020.08.19. Another story</li></ul>"
    published = datetime.fromisoformat("2020-08-18T19:35:33+00:00")

    def instant(page: GenericArticlePage) -> datetime | None:
        value = page.to_item().published_at
        return datetime.fromisoformat(value) if value and "T" in value else None

    assert instant(real_page(text, head=graph(url))) == published
    assert instant(real_page(text, head=graph("https://www.example.co.uk/other"))) != published


# -- the real-web helpers' edges (make mutation generic) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "brand", "title"),
    [
        # a site part of SITE_NAME_WORDS words is the site's name
        ("Headline | Tageszeitung junge Welt Online", "jungewelt", "Headline"),
        ("NDR | A | B", "ndr", "A | B"),  # after the site's name
        ("NDR | A | NDR | B", "ndr", "B"),  # after its last mention
        ("NDR | a b c | zz | NDR", "ndr", "a b c"),  # between mentions: the longest part
        ("NDR | NDR.de", "ndr", None),  # only the site's name
        # no part names the site: the last part goes only when the others hold more words
        ("Short – X – a b c d e f g", "example", "Short – X – a b c d e f g"),
    ],
)
def test_the_headline_of_a_title_at_its_edges(text: str, brand: str, title: str | None) -> None:
    assert title_from_document(text, brand) == title


def test_title_words_count_each_cjk_character() -> None:
    assert title_words("東京 news") == 4  # two words, and each of the two characters


def test_a_body_line_read_elsewhere_is_no_furniture_unless_a_rule_names_it() -> None:
    assert body_line("Warga desa menunggu jembatan baru yang dijanjikan pemerintah.")
    assert not body_line("Foto: Reuters")  # furniture
    assert body_line("Baca juga: Harga emas naik")  # a shared rule's: the pipeline counts it


def test_without_chrome_keeps_half_of_the_text() -> None:
    """Exactly half of the text left: the chrome lines go."""
    assert without_chrome(["aa", "bb"], [], {"bb"}) == ["aa"]
    assert without_chrome(["a", "bb"], [], {"bb"}) == ["a", "bb"]  # less than half left


def test_without_fragment() -> None:
    assert without_fragment("https://a.example/news/Box/#top") == "https://a.example/news/Box"
    assert without_fragment("https://a.example/news/X/") == "https://a.example/news/X"


@pytest.mark.parametrize(
    ("h1", "logo"),
    [
        ('<h1><img src="/logo.png" alt="Daily Example"></h1>', True),
        ("<h1><picture><source srcset='/l.webp'></picture>Daily</h1>", True),
        ('<h1 id="site-logo">Daily Example</h1>', True),
        ('<h1><a href="?ref=home">Council approves budget</a></h1>', False),
        ('<h1><span href="/">Council approves budget</span></h1>', False),  # no link
    ],
)
def test_a_heading_that_is_the_sites_logo_more(h1: str, logo: bool) -> None:
    assert logo_like(lxml.html.fragment_fromstring(h1)) is logo


def test_a_sentence_long_line_has_the_words_and_characters_of_a_sentence() -> None:
    """What a page given as an article needs two of (has_given_body)."""
    assert _sentence_long("The council approved the new budget on Tuesday night.")
    assert not _sentence_long("Accept all | Reject all")
    assert _sentence_long("one two three four five six seven eighty")  # 40 chars, 8 words
    assert not _sentence_long("one two three four five six seven eight")  # 39 characters
    assert not _sentence_long("one two three four five six seventy-eighty")  # 7 words
    assert _sentence_long("小笠原諸島の警察は十日に次のように発表した")  # 21 CJK characters
    assert not _sentence_long("小笠原諸島の警察は発表した")  # 13


@pytest.mark.parametrize(
    ("title", "described"),
    [
        ("B&C Morning Show: American Hero Kelly Malloy", True),  # "american", "hero", ...
        ("Fair opens", False),  # a site's tagline as every page's description
    ],
)
def test_the_description_speaks_of_the_page_when_it_shares_a_word_with_its_title(
    title: str, described: bool
) -> None:
    """The description a block may open with to be the page's own text
    (:class:`~newscrawl.pages.maintext.TextMap`) is the page's when it shares a word of four
    letters or more with a title the page names; a site's tagline shares none."""
    description = (
        "Boomer and Craig welcomed an American hero to the studio"
        if described
        else "Your trusted source for local news, weather and sports since 1890"
    )
    html = (
        f"<html><head><title>{title}</title><meta property='og:title' content='{title}'>"
        f"<meta name='description' content='{description}'></head><body><p>x</p></body></html>"
    )
    page = GenericArticlePage(HtmlResponse("https://www.example.com/a/12345", body=html.encode()))
    assert page.own_description == (description.casefold() if described else "")


@pytest.mark.parametrize(
    ("metas", "authors"),
    [
        (
            {"twitter:label1": "Written by", "twitter:data1": "Dieter Kuckelkorn"},
            ["Dieter Kuckelkorn"],
        ),
        ({"twitter:label2": "Verfasst von", "twitter:data2": "Anna Sleegers"}, ["Anna Sleegers"]),
        ({"twitter:misc:Written by": "Dieter Kuckelkorn"}, ["Dieter Kuckelkorn"]),
        ({"twitter:label1": "Est. reading time", "twitter:data1": "3 Minuten"}, []),
    ],
)
def test_yoasts_written_by_names_the_writer_of_a_page_showing_none(
    metas: dict[str, str], authors: list[str]
) -> None:
    """Yoast SEO (WordPress) names the writer in its Twitter metas ("Written by" and the
    name): read when the page shows no byline and names no author otherwise
    (boersen-zeitung.de, whose ``meta[name=author]`` is an e-mail address); another label's
    data is no author."""
    tags = "".join(f"<meta name='{name}' content='{value}'>" for name, value in metas.items())
    html = (
        "<html><head><title>Steigende US-Zinsen setzen Dax zu</title>"
        f"<meta name='author' content='d.kuckelkorn@boersen-zeitung.de'>{tags}</head>"
        "<body><h1>Steigende US-Zinsen setzen Dax zu</h1><p>Der Dax gab am Mittwoch nach.</p>"
        "</body></html>"
    )
    url = "https://www.boersen-zeitung.de/kapitalmaerkte/steigende-us-zinsen-setzen-dax-zu"
    page = GenericArticlePage(HtmlResponse(url, body=html.encode()))
    assert page.authors() == authors


def test_fewest_words_are_those_holding_none_of_the_others() -> None:
    assert fewest_words(frozenset({"tag", "tags", "hashtag", "topic", "topics"})) == (
        "tag",
        "topic",
    )
    assert fewest_words(frozenset({"author", "writer"})) == ("author", "writer")


@pytest.mark.parametrize("segment", sorted(TAG_SEGMENTS))
def test_a_link_through_each_tag_segment_is_a_tag(segment: str) -> None:
    """The cheap look of :meth:`GenericArticlePage.links_to` (:func:`fewest_words`) passes
    over no segment, in any case."""
    page = dated_page(
        f"<article><h1>Council approves budget</h1>{paragraphs(SENTENCES)}</article>"
        f"<footer><a href='/{segment.upper()}/budget'>Budget</a></footer>",
    )
    assert page.tags() == ["Budget"]


def test_a_bem_element_of_junk_in_the_article_is_left_out() -> None:
    """A box named as a BEM element of the article's block (``article-content__newsletter``:
    nationalpost.com's) is what its element names, a newsletter's invitation, whatever the
    block's words: left out of the body; the block's own teaser (its lead) is read."""
    promo = "Get a dash of perspective along with the trending news of the day in a good format."
    lead = "The city will hire fewer teachers next year, the council decided after a long night."
    page = dated_page(
        "<article><h1>Council approves budget</h1>"
        f"<p class='article__teaser'>{lead}</p><div class='article-content'>"
        f"{paragraphs(SENTENCES[:2])}<div class='article-content__newsletter'><p>{promo}</p>"
        f"</div>{paragraphs(SENTENCES[2:])}</div></article>",
    )
    assert page.to_item().body == "\n\n".join([lead, *SENTENCES])


@pytest.mark.parametrize(
    ("html", "wrapper"),
    [
        ("<div><div>By A</div><div>Published today</div></div>", True),
        ("<div><div><div>By A</div><div>Published today</div></div></div>", True),  # its wrapper
        ("<div>Text <div>By A</div><div>Published today</div></div>", False),  # its own text
        ("<div><div>By A</div> and <div>B</div></div>", False),  # text between them
        ("<div><div>By A</div><p>Published today</p></div>", False),  # a paragraph
        ("<div><div>By A</div></div>", False),  # one div: one line anyway
        ("<section><div>By A</div><div>Published today</div></section>", False),
        ("<div><div>T</div><div>he council met</div></div>", False),  # a drop cap
        ("<div><div>Date of birth:</div><div>1 May 1950</div></div>", False),  # a label
        ("<div><div><b>Born:</b> </div><div>1 May 1950</div></div>", False),  # in pieces
        ("<div><div>By A</div><div> </div></div>", False),  # an empty div
    ],
)
def test_a_wrapper_of_divs_holds_divs_alone(html: str, wrapper: bool) -> None:
    assert _wrapper_of_divs(lxml.html.fragment_fromstring(html)) is wrapper


def test_divs_in_a_wrapper_are_lines_of_their_own() -> None:
    """A byline and a date line in one box above the text, each in its own div (qz.com's):
    each is a line, so both are furniture and the byline names the author; paragraphs written
    as divs in wrappers (royal-road's chapter) are each a line of the body."""
    header = (
        "<div class='x'><div class='y'><div>By <span>Yomi Kazeem</span></div>"
        "<div>Published <time datetime='2020-02-24'>February 24, 2020</time>"
        "<span>This article is more than 2 years old.</span></div></div></div>"
    )
    body = "".join(f"<div><div>{s}</div><div> </div></div>" for s in SENTENCES)
    page = dated_page(f"<article><h1>Council approves budget</h1>{header}{body}</article>")
    item = page.to_item()
    assert item.authors == ["Yomi Kazeem"]
    assert item.body == "\n\n".join(SENTENCES)


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("Published 14:14 | Updated 15:59", [("published", "14:14 | "), ("updated", "15:59")]),
        # corriere.it: the update in parentheses after the publication's day
        ("5 marzo 2024 (modifica il 6 marzo 2024 | 08:47)",
         [("published", "5 marzo 2024 ("), ("updated", "6 marzo 2024 | 08:47)")]),
        # the update first, its label followed by "em", "в" (Portuguese, Russian)
        ("Atualizado em 06/03/2024 às 08h05 Publicado em 05/03/2024",
         [("updated", "06/03/2024 às 08h05 "), ("published", "05/03/2024")]),
        ("Обновлено 06.03.2024 08:47 Опубликовано в 10:32 05.03.2024",
         [("updated", "06.03.2024 08:47 "), ("published", "10:32 05.03.2024")]),
        ("입력 2024.03.05 10:32 수정 2024.03.06 08:47",
         [("published", "2024.03.05 10:32 "), ("updated", "2024.03.06 08:47")]),
        ("发布时间：2024-03-05 10:32 更新时间：2024-03-06 08:47",
         [("published", "2024-03-05 10:32 "), ("updated", "2024-03-06 08:47")]),
        ("Aktualizacja: 06.03.2024 08:47", [("updated", "06.03.2024 08:47")]),
        ("Cập nhật 06/03/2024 08:47", [("updated", "06/03/2024 08:47")]),
        ("آخر تحديث 06/03/2024", [("updated", "06/03/2024")]),
        ("Оновлено 06.03.2024", [("updated", "06.03.2024")]),
        ("公開日 2024/03/05", [("published", "2024/03/05")]),
        ("نشر في 05/03/2024", [("published", "05/03/2024")]),
    ],
)  # fmt: skip
def test_split_date_line(line: str, parts: list[tuple[str, str]]) -> None:
    assert split_date_line(line) == parts


@pytest.mark.parametrize(
    ("html", "published"),
    [
        # WordPress's Twenty Twenty: the post's date as text, its comments' in <time>
        ('<article><header><h1>Council approves budget</h1><ul class="post-meta"><li '
         'class="post-date"><a href="/2024/03/05/budget/">March 5, 2024</a></li></ul></header>'
         f"<div class='entry-content'>{paragraphs(SENTENCES)}</div></article>"
         '<div class="comments-wrapper"><div class="comment"><article class="comment-body">'
         '<footer class="comment-meta"><time datetime="2024-03-06T11:14:09+01:00">March 6, '
         "2024 at 11:14 am</time></footer><p>Great piece.</p></article></div></div>",
         "2024-03-05"),
        # a comment's time outside a footer; a related story's teaser (an <article> of its own)
        ('<article><h1>Council approves budget</h1><p class="date">March 5, 2024</p>'
         f"<div class='entry-content'>{paragraphs(SENTENCES)}</div></article>"
         '<ol id="comments"><li><div class="meta"><time '
         'datetime="2024-03-06T11:14:09+01:00">6 March</time></div><p>Great piece.</p></li></ol>'
         '<section><article><h3><a href="/other">Strike called</a></h3><time '
         'datetime="2024-03-01">01/03/2024</time></article></section>',
         "2024-03-05"),
        # a box above the text holding the date and the comments' count (The Verge's)
        ('<article><h1>Council approves budget</h1><div class="duet--article--date-and-'
         'comments"><time datetime="2023-06-07T20:54:26+00:00">June 7, 2023</time> <a '
         'href="#comments">12 comments</a></div>'
         f"<div class='entry-content'>{paragraphs(SENTENCES)}</div></article>",
         "2023-06-07T21:54:26+01:00"),
        # the navigation's time (today's, in a bar under the headline)
        ('<article><h1>Council approves budget</h1><nav class="bar"><a href="/">Home</a> <time '
         'datetime="2024-12-14">Saturday</time></nav><p class="date">March 5, 2024</p>'
         f"<div class='entry-content'>{paragraphs(SENTENCES)}</div></article>",
         "2024-03-05"),
        # the article's own footer holds its date (WordPress's entry-footer, lemire.me's)
        ("<article><h1>Council approves budget</h1>"
         f"<div class='entry-content'>{paragraphs(SENTENCES)}</div><footer class='entry-footer'>"
         '<span class="posted-on"><time datetime="2019-08-02T15:57:41+00:00">August 2, 2019'
         "</time></span></footer></article><footer><p>© 2024 Example</p><time "
         'datetime="2024-12-14">Today</time></footer>',
         "2019-08-02T16:57:41+01:00"),  # in London's summer time: the site's zone
    ],
)  # fmt: skip
def test_a_comment_s_or_a_teaser_s_time_is_not_the_article_s(html: str, published: str) -> None:
    page = real_page(html, head=article_head())
    assert page.to_item().published_at == published


@pytest.mark.parametrize("name", sorted(SCREEN_READER_CLASSES))
def test_text_for_screen_readers_only_is_no_byline_s(name: str) -> None:
    element = lxml.html.fragment_fromstring(
        f'<span class="meta-text"><span class="x {name}">Post author</span> By Ann Lee</span>'
    )
    assert " ".join(_shown_text(element).split()) == "By Ann Lee"
    assert not _screen_reader_only(
        lxml.html.fragment_fromstring(f'<span class="{name}-x">a</span>')
    )


def test_a_date_line_opening_the_text_is_where_the_date_is_read() -> None:
    """A page without metadata, its date line and byline in boxes between the headline and
    the text (the lead's place): the lines are no body text, and they are the article's date
    and authors."""
    html = (
        "<html lang='es'><head><title>Luz verde</title></head><body><article>"
        "<h1>El Gobierno aprueba el plan</h1><h2 class='subtitulo'>El Consejo de Ministros da "
        "luz verde a una inversión de 420 millones para las redes de riego</h2><div "
        "class='firma'>Por Juan Pérez</div><div class='fecha'>Publicado el 5 de marzo de 2024 "
        "a las 10:32 h</div><div class='fecha'>Actualizado el 6 de marzo de 2024 a las 08:47 h"
        "</div><div class='cuerpo'>"
        + "".join(
            f"<p>El Consejo de Ministros ha aprobado este martes el plan número {n} de "
            "inversiones, que llegará a todas las comunidades autónomas este mismo año.</p>"
            for n in range(5)
        )
        + "</div></article></body></html>"
    )
    url = "https://www.example.es/noticias/gobierno-aprueba-plan"
    item = GenericArticlePage(HtmlResponse(url, body=html.encode(), encoding="utf-8")).to_item()
    assert item.published_at == "2024-03-05T10:32:00+01:00"
    assert item.updated_at == "2024-03-06T08:47:00+01:00"
    assert item.authors == ["Juan Pérez"]
    assert item.body.split("\n\n")[:2] == [
        "El Consejo de Ministros da luz verde a una inversión de 420 millones para las redes de "
        "riego",
        "El Consejo de Ministros ha aprobado este martes el plan número 0 de inversiones, que "
        "llegará a todas las comunidades autónomas este mismo año.",
    ]


def test_the_banner_s_date_is_today_s_not_the_article_s() -> None:
    """A paper's banner atop the page shows today's date: not the article's (its URL's is)."""
    html = (
        '<header class="site"><a class="logo" href="/">Diario</a><div class="today">Martes, 12 '
        "de marzo de 2024</div></header><article><h1>Council approves budget</h1>"
        f'<div class="text">{paragraphs(SENTENCES)}</div></article>'
    )
    url = "https://www.example.es/noticias/2024/03/05/council-budget"
    page = marked_page(html, url)
    assert page.to_item().published_at == "2024-03-05"
    page = real_page(  # an article's byline in a header above its headline
        '<article><header class="top"><p class="byline">By Jane Roe</p></header><h1>Council '
        f'approves budget</h1><div class="text">{paragraphs(SENTENCES)}</div></article>',
        head='<meta property="og:type" content="article">',
    )
    assert page.to_item().authors == ["Jane Roe"]
    for article in (  # the article's own header, above the headline or below it
        '<article><header><div class="date">Martes, 5 de marzo de 2024, 10:32</div><h1>Council '
        f'approves budget</h1></header><div class="text">{paragraphs(SENTENCES)}</div></article>',
        '<article><h1>Council approves budget</h1><header class="meta"><span>Martes, 5 de marzo '
        f'de 2024, 10:32</span></header><div class="text">{paragraphs(SENTENCES)}</div></article>',
    ):
        page = marked_page(article, "https://www.example.es/noticias/council-budget")
        assert page.to_item().published_at == "2024-03-05T10:32:00+01:00"


@pytest.mark.parametrize(
    ("line", "url", "published"),
    [
        # Arabic-Indic digits (the cheap look for a year asked for Western ones)
        ("الثلاثاء، ٠٥ مارس ٢٠٢٤ ٠٣:١٢ م", "https://www.example.com.eg/news/council-budget",
         "2024-03-05T15:12:00+02:00"),
        # a Thai date in the Buddhist era
        ("5 มี.ค. 2567 15:12 น.", "https://www.example.co.th/news/council-budget",
         "2024-03-05T15:12:00+07:00"),
    ],
)  # fmt: skip
def test_a_date_line_of_other_digits_or_eras_is_read(line: str, url: str, published: str) -> None:
    html = (
        f"<article><h1>Council approves budget</h1><div class='date'>{line}</div>"
        f"<div class='text'>{paragraphs(SENTENCES)}</div></article>"
    )
    assert marked_page(html, url).to_item().published_at == published


def test_other_furniture_opening_the_text_is_no_date_line() -> None:
    """A "READ MORE" line opening the text names another story's date: left out of the text,
    it is not where the article's date is read from."""
    html = (
        "<article><h1>Council approves budget</h1><h2 class='dek'>The vote came after a long "
        "debate about the schools and the teachers.</h2><p>READ MORE: Council delays vote (Feb "
        f"1, 2024)</p>{paragraphs(SENTENCES)}</article>"
    )
    page = marked_page(html, "https://www.example.co.uk/news/council-budget")
    assert page.to_item().published_at is None


def test_a_byline_after_the_excerpt_names_the_authors_the_data_leaves_out() -> None:
    """Ghost's Source theme: the post's excerpt, then the byline of both authors' links, in
    the header; Ghost's JSON-LD names the first author only."""
    html = (
        "<article><header class='gh-article-header'><h1>Council approves budget</h1><p "
        "class='gh-article-excerpt'>The vote came after a long debate about the schools and the "
        "teachers, and it was close.</p><div class='gh-meta-share'><div class='gh-article-meta'>"
        "<div class='gh-article-meta-wrapper'><h4 class='gh-article-author-name'><a href='/author"
        "/hannah/'>Hannah Okafor</a>, <a href='/author/theo/'>Theo Lind</a></h4><div "
        "class='gh-article-meta-content'><time datetime='2024-03-05'>05 Mar 2024</time></div>"
        "</div></div><a href='#/share' class='gh-button'>Share</a></div></header>"
        f"<section class='gh-content'>{paragraphs(SENTENCES)}</section></article>"
    )
    head = article_head(author={"@type": "Person", "name": "Hannah Okafor"})
    page = real_page(html, head=head, url="https://blog.example.org/council-budget/")
    assert page.to_item().authors == ["Hannah Okafor", "Theo Lind"]


def test_a_byline_in_the_page_footer_is_no_author() -> None:
    """The page's footer credits its makers ("By Jane Roe" under the site's links): no
    byline of the article."""
    html = (
        f"<article><h1>Council approves budget</h1>{paragraphs(SENTENCES)}</article>"
        "<footer><p><a href='/about'>About</a></p><p>By Jane Roe</p></footer>"
    )
    assert marked_page(html).to_item().authors == []
