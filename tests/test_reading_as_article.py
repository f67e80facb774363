"""A page the user gave as an article is read as one when any text of its body is read, even
when neither its markup nor its text says it is an article (newscrawl/pages/reading.py
``as_article``, ``GenericArticlePage.has_given_body``): a few short lines are an article given,
and none found by the crawl, which asks prose enough to read (Readability's measure)."""

from __future__ import annotations

from newscrawl.pages.reading import read_generic

#: A short article in an ``<article>`` element, without JSON-LD or Open Graph: prose enough to
#: read by Readability's measure (its ``<article>``'s text), too little to read as an article
#: unasked (under ``READABLE_CHARS`` of body text).
PAGE = (
    b"<html><head><meta charset='utf-8'><title>Rates</title></head><body><article>"
    b"<h1>Rates held</h1><p>The central bank held its rates on Thursday.</p>"
    b"<p>The central bank held its benchmark rate on Thursday, as most of the economists polled "
    b"before the meeting had expected, and said that it would watch prices closely in the coming "
    b"months before it moved again, whatever the government asked of it.</p>"
    b"<p>Its governor told reporters that inflation had slowed for a third month but that food "
    b"prices were still rising faster than wages in most provinces, which the bank would not "
    b"ignore when it met again in June.</p>"
    b"</article></body></html>"
)
URL = "https://www.example.com/2024/05/02/rates-held"


def test_a_short_unmarked_page_is_no_article_unless_given_as_one() -> None:
    assert not read_generic(URL, PAGE, "utf-8", frozenset()).is_article()
    reading = read_generic(URL, PAGE, "utf-8", frozenset(), as_article=True)
    assert reading.is_article()
    item = reading.to_item()
    assert item.title == "Rates held"
    assert item.body is not None
    assert item.body.startswith("The central bank held its rates on Thursday.\n\nThe central")
    assert item.published_at == "2024-05-02"  # the day in its URL


def test_a_page_given_as_an_article_without_a_body_is_still_none() -> None:
    empty = b"<html><head><title>Search</title></head><body><h1>Search</h1></body></html>"
    assert not read_generic(URL, empty, "utf-8", frozenset(), as_article=True).is_article()


def test_a_few_short_lines_are_an_article_given_as_one_and_none_found() -> None:
    few = (
        b"<html><head><title>Rates</title></head><body><h1>Rates held</h1><div class='text'>"
        b"<p>The central bank held its rates on Thursday, as economists had expected.</p>"
        b"<p>It said it would watch prices closely before it moved again.</p></div></body></html>"
    )
    assert not read_generic(URL, few, "utf-8", frozenset()).is_article()
    reading = read_generic(URL, few, "utf-8", frozenset(), as_article=True)
    assert reading.is_article()
    item = reading.to_item()
    assert item.title == "Rates held"
    assert item.body == (
        "The central bank held its rates on Thursday, as economists had expected.\n\n"
        "It said it would watch prices closely before it moved again."
    )
    # the page object's own judgement is unchanged: it has no body by the prose rule, so a
    # JavaScript check of a few lines is still told from an article (spiders/common.py)
    assert not reading.has_body()


def test_a_page_of_one_sentence_given_as_an_article_is_none() -> None:
    """A soft "page not found", a consent wall of one sentence and its buttons, a script's
    "enable JavaScript" line in <noscript>: no article, given or not."""
    pages = [
        "<h1>Page not found</h1><p>Sorry, the page you are looking for could not be found on "
        "this site.</p>",
        "<div class='wrap'><h1>Before you continue</h1><p>We use cookies and data to deliver "
        "and maintain our services and measure audience engagement.</p><p>Accept all | Reject "
        "all</p></div>",
        "<h1>Daily</h1><div id='app'></div><noscript><p>Please enable JavaScript to read the "
        "news on this site, as it needs scripts.</p><p>Our pages are built in your browser by "
        "scripts, so without them there is nothing to show.</p></noscript>",
    ]
    for body in pages:
        html = f"<html><head><title>Site</title></head><body>{body}</body></html>".encode()
        assert not read_generic(URL, html, "utf-8", frozenset(), as_article=True).is_article()


def test_one_long_paragraph_under_a_headline_is_an_article_given_as_one() -> None:
    """dw.com: a video page whose text is the video's summary, one paragraph under the
    headline: an article given (a line of ``GIVEN_LONE_CHARS`` or more); not a shorter line,
    nor one without a headline above it."""
    from newscrawl.pages.generic import GIVEN_LONE_CHARS

    summary = (
        "Chaque année, 24 milliards de tonnes de terres fertiles disparaissent dans le monde, "
        "et en Guinée les éléphants qui cherchent de quoi manger ravagent les champs des "
        "villages, disent les chercheurs de l'institut."
    )
    assert len(summary) >= GIVEN_LONE_CHARS

    def page(headline: str, text: str) -> bytes:
        return (
            f"<html><head><title>Terres</title></head><body>{headline}"
            f"<div class='col3'><p class='intro'>{text}</p></div></body></html>"
        ).encode()

    headline = "<h1>La perte des terres fertiles en Guinée</h1>"
    reading = read_generic(URL, page(headline, summary), "utf-8", frozenset(), as_article=True)
    assert reading.is_article()
    assert reading.to_item().body == summary
    short = summary[: GIVEN_LONE_CHARS - 12].rsplit(" ", 1)[0] + "."
    for html in (page(headline, short), page("", summary)):
        assert not read_generic(URL, html, "utf-8", frozenset(), as_article=True).is_article()
    assert not read_generic(URL, page(headline, summary), "utf-8", frozenset()).is_article()


def test_a_consent_wall_or_a_page_of_more_lines_is_no_lone_paragraph_article() -> None:
    """The one-paragraph rule takes a page whose whole text is that paragraph, and never a
    consent wall's long sentence; a page whose two sentence-long lines come late is read."""
    consent = (
        "We use cookies and data to deliver and maintain our services, to track outages and "
        "protect against spam, fraud and abuse, and to measure audience engagement and site "
        "statistics to understand how our services are used and to improve their quality."
    )
    wall = (
        "<html><head><title>Site</title></head><body><h1>Before you continue</h1>"
        f"<div class='text'><p>{consent}</p></div></body></html>"
    ).encode()
    assert not read_generic(URL, wall, "utf-8", frozenset(), as_article=True).is_article()
    items = "".join(f"<p>Item {n}</p>" for n in range(9))
    late = (
        "<html><head><title>Rates</title></head><body><h1>Rates held</h1><div class='text'>"
        f"{items}<p>The central bank held its rates on Thursday, as economists had expected.</p>"
        "<p>It said it would watch prices closely before it moved again.</p></div></body></html>"
    ).encode()
    assert read_generic(URL, late, "utf-8", frozenset(), as_article=True).is_article()


def one_paragraph_post() -> bytes:
    """buzzap.jp's shape: a post of one paragraph (its lines between ``<br>``s) in a box that
    also holds a shop's box of links, which outweigh it; a header of one line."""
    post = (
        "The reduced tax rate was meant to ease the burden on households, but the ministry "
        "admitted on Friday that it helps the poorest the least.<br><br>Its own estimate "
        "found that the richest fifth of households saves twice as much as the poorest one, "
        "which the government had denied for months."
    )
    shop = "".join(
        f"<div><a href='/shop/item-{n}'>Recommended book number {n} on the tax</a></div>"
        for n in range(15)
    )
    html = (
        "<html><head><title>Tax</title></head><body><header class='entry-header'>"
        "<h1>The reduced rate helps the rich</h1><p>What the ministry said on Friday about "
        "the new tax rate.</p></header><div class='entry-content'><div class='frame'>"
        f"<p>{post}</p><div class='amazlet-box'>{shop}</div></div></div></body></html>"
    ).encode()
    return html


def test_a_one_paragraph_post_among_boxes_of_other_text_is_read_given_as_one() -> None:
    """The header's one line scores best and gives no body; given as an article, the page is
    read again for a paragraph alone that scores three times that: the post. Not given, it is
    no article."""
    html = one_paragraph_post()
    reading = read_generic(URL, html, "utf-8", frozenset(), as_article=True)
    assert reading.is_article()
    assert "the richest fifth of households" in reading.to_item().body
    assert not read_generic(URL, html, "utf-8", frozenset()).is_article()
