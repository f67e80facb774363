"""The main text of any page (newscrawl/pages/maintext.py): which element holds the article,
on small pages shaped like the real ones that defeated the first reader (an article split over
sibling blocks, set in a page-wide form or an aside, wrapped by a paywall or by layout classes
named "sidebar", streamed by React into hidden segments; comments longer than the article)."""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from newscrawl.pages.maintext import (
    GOOD_CHARS,
    GOOD_CHARS_CJK,
    GOOD_WORDS,
    HARD,
    SOFT,
    TextMap,
    _paywalled_text,
    byline_class,
    comments,
    copies,
    described_opening,
    good_length,
    hidden,
    hidden_from_view,
    kind_of_names,
    name_kind,
    name_words,
    names_kind,
)

SENTENCE = "This is a sentence of the article that is long enough to count as its text."


def para(n: int) -> str:
    return f"<p>Paragraph {n} says: {SENTENCE}</p>"


def container_of(html: str) -> str | None:
    """The id of the element :class:`TextMap` picks as the article's (None for none)."""
    found = TextMap(lxml.html.document_fromstring(html)).container()
    return None if found is None else found.get("id")


def test_words_of_names_split_camel_case_and_separators() -> None:
    assert name_words("article-body shareBar") == {"article", "body", "share", "bar"}
    assert name_words("sidebar-grid__container") == {"sidebar", "grid", "container"}


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        ("comments-section", HARD),
        ("disqus_thread", HARD),
        ("related-links", SOFT),
        ("article-related", 0),  # "article" names the article itself
        ("share-bar", SOFT),
        ("paywall relative", SOFT),
        ("article-body", 0),
        ("text", 0),
        ("sidebar-grid__content article__content", 0),
        ("post-comments", HARD),  # a post's comments: "post" is no keep word for comments
        ("comment-box user-post-box", HARD),
        ("entry-comments", HARD),
        ("ShareAndComment -content-meta-info", 0),  # the article's content, with buttons
        ("article-comments", HARD),  # the article's comments
        ("comments-content", HARD),
        # WordPress's post wrapper: its categories and tags say nothing of it
        ("post-12 post type-post hentry category-comment", 0),
        ("post-12 type-post hentry tag-cookies tag-privacy", 0),
        ("post-text category-opinion-comment", 0),
        ("entry tag-privacy", 0),
        ("post comments-open", 0),  # a post that takes comments, not the comments
        # a BEM element is what its element's words name, not its block's (nationalpost.com,
        # n-tv.de, globalnews.ca)
        ("c-ad c-ad--bigbox l-article__ad", SOFT),
        ("article-content__newsletter", SOFT),
        ("article__body", 0),
        ("article__share__icon", SOFT),  # a nested element: its path after the block
        ("article__item__share", SOFT),
        ("article__content--related", 0),  # a modifier: the element is the content
        ("article-related", 0),  # no BEM element: "article" keeps it
        # a BEM element naming the block's own teaser or byline is its part (kicker.de's lead),
        # and so are a layout's or a medium's (the review's: the article's header, its lead,
        # its sections, a video's description)
        ("kick__article__teaser", 0),
        ("l-article__byline article-byline", 0),
        ("article__masthead", 0),
        ("story__video-description", 0),
        ("article__meta", 0),
        ("article__section article__section--after-ad", 0),  # a modifier is no element
        ("article__section--ad--wide", 0),  # nor are two
        ("article-body o-grid__item--with-sidebar", 0),
    ],
)
def test_names_make_chrome(names: str, kind: int) -> None:
    assert kind_of_names(names) == kind


def test_the_page_and_its_main_element_are_never_judged_by_name() -> None:
    root = lxml.html.document_fromstring('<html><body class="has-comments"><p>x</p></body></html>')
    assert name_kind(root.find("body")) == 0


def test_hidden_elements_but_react_segments() -> None:
    root = lxml.html.fragment_fromstring(
        '<div><p hidden>a</p><p style="display: none">b</p><div hidden id="S:1a">c</div>'
        '<p aria-hidden="true">d</p><p style="color: red">e</p></div>'
    )
    assert [hidden(child) for child in root] == [True, True, False, True, False]
    marked = '<p class="paywall" aria-hidden="true">d</p>'
    text = lxml.html.fragment_fromstring(f"<div>{marked}{marked}</div>")
    assert [hidden(p) for p in text] == [False, False]  # the article's text, for a script
    prompt = lxml.html.fragment_fromstring(f"<div><p>a</p>{marked}</div>")
    assert [hidden(p) for p in prompt] == [False, True]  # one of its kind: a prompt


def test_the_articles_paragraphs_named_for_a_paywall_are_its_text() -> None:
    """Paragraphs of the article carrying a paywall's class (a metering script's mark, the
    text shown) are read with the others, not demoted as a paywall's prompt; a paragraph
    alone of its kind is a prompt ("Subscribe now to keep reading")."""
    each = [f'<p class="paywall">Paragraph {n} says: {SENTENCE}</p>' for n in (8, 9)]
    marked = "".join(each)
    html = f'<html><body><div id="text">{para(1)}{marked}{para(2)}{para(3)}</div></body></html>'
    text_map = TextMap(lxml.html.document_fromstring(html))
    assert text_map.best is not None and text_map.best.get("id") == "text"
    assert not [e for e in text_map.chrome if e.get("class") == "paywall"]
    wrapped = "".join(f"<div>{p}</div>" for p in each)
    html = f'<html><body><div id="text">{para(1)}{wrapped}{para(2)}{para(3)}</div></body></html>'
    text_map = TextMap(lxml.html.document_fromstring(html))
    assert not [e for e in text_map.chrome if e.get("class") == "paywall"]  # each in a wrapper
    prompt = '<p class="paywall-prompt">Subscribe now to keep reading: one euro a month.</p>'
    html = f'<html><body><div id="text">{para(1)}{para(2)}{para(3)}{prompt}</div></body></html>'
    text_map = TextMap(lxml.html.document_fromstring(html))
    assert [e.get("class") for e in text_map.chrome] == ["paywall-prompt"]


def test_good_length_wants_a_sentence() -> None:
    assert good_length(len(SENTENCE), len(SENTENCE.split()), cjk=False)
    assert not good_length(44, 7, cjk=False)  # "Diperbarui Jumat 21 November 2025, 07:36 WIB"
    assert good_length(20, 1, cjk=True)


def test_copies_are_parts_of_longer_blocks_or_repeats() -> None:
    root = lxml.html.fragment_fromstring("<div><p>a</p><p>b</p><p>c</p><p>d</p></div>")
    a, b, c, d = list(root)
    texts = {a: "One two three. Four five six.", b: "Four five six.", c: "Seven.", d: "Seven."}
    assert copies(texts) == [b, d]


def test_an_article_split_over_sibling_blocks_is_held_by_their_parent() -> None:
    blocks = "".join(f'<div class="wrap"><div>{para(n)}</div></div>' for n in range(6))
    html = (
        f'<html><body><nav><a href="/">Home</a></nav><div id="article">{blocks}</div>'
        '<aside id="side"><ul><li><a href="/a">Another story</a></li></ul></aside></body></html>'
    )
    assert container_of(html) == "article"


def test_an_article_in_a_page_wide_form_or_an_aside() -> None:
    body = "".join(para(n) for n in range(5))
    form = f'<html><body><form id="aspnet"><div id="text">{body}</div></form></body></html>'
    aside = f'<html><body><aside id="main-aside"><div id="text">{body}</div></aside></body></html>'
    assert container_of(form) == "text"
    assert container_of(aside) == "text"


def test_comments_longer_than_the_article_are_not_it() -> None:
    comments = "".join(f'<div class="comment">{para(n)}</div>' for n in range(20))
    html = (
        f'<html><body><div id="text">{para(1)}{para(2)}</div>'
        f'<section id="comments">{comments}</section></body></html>'
    )
    assert container_of(html) == "text"


def test_an_article_under_layout_classes_named_sidebar() -> None:
    parts = "".join(
        f'<div class="sidebar-grid__container"><div id="part{n}">{para(n)}{para(n + 10)}</div>'
        "</div>"
        for n in range(4)
    )
    html = (
        f'<html><body><article><div class="sidebar-grid" id="grid">{parts}'
        '<aside class="sidebar"><p><a href="/x">Most read story of the day on the site</a></p>'
        "</aside></div></article></body></html>"
    )
    assert container_of(html) == "grid"


def test_a_paywall_wrapper_holding_the_teaser() -> None:
    html = (
        f'<html><body><div class="paywall" id="wall">{para(1)}{para(2)}{para(3)}'
        '<div class="paywallGate"><p>Subscribe to read the rest of this story today.</p>'
        '<a href="/login">Log in</a></div></div></body></html>'
    )
    assert container_of(html) == "wall"


def test_a_react_streamed_article() -> None:
    html = (
        '<html><body><div id="root"></div>'
        f'<div hidden id="S:1"><div id="text">{para(1)}{para(2)}{para(3)}</div></div>'
        "</body></html>"
    )
    assert container_of(html) == "text"


def test_a_summary_box_repeating_the_article_is_not_its_text() -> None:
    sentences = [
        f"Sentence number {n} of this article says something worth reading." for n in range(4)
    ]
    summary = "".join(f"<li>{s}</li>" for s in sentences[:3])
    body = "".join(f"<p>{s} {SENTENCE}</p>" for s in sentences)
    html = (
        f'<html><body><div id="top"><ul class="summary">{summary}</ul>'
        f'<div id="text">{body}</div><p><a href="/x">Home</a> <a href="/y">News</a></p></div>'
        "</body></html>"
    )
    assert container_of(html) == "text"


def test_no_text_no_container() -> None:
    assert container_of("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None


def test_a_menu_left_open_around_the_page_is_no_chrome() -> None:
    """A menu whose markup is left open (``<li><div>`` never closed) nests the rest of the
    page, its ``<main>`` too, in the ``nav`` as the parser reads it: a ``nav`` or ``footer``
    holding the page's ``<main>`` is no chrome. A menu of its own still is."""
    body = "".join(para(n) for n in range(4))
    left_open = (
        "<html><body><header><nav><ul><li><a href='/a'>Home</a><div class='sub'>"
        f"<ul><li><a href='/b'>News</a></li></ul><main><div id='text'>{body}</div></main>"
        "</body></html>"
    )
    assert container_of(left_open) == "text"
    closed = (
        "<html><body><nav><ul><li><a href='/a'>Home</a></li></ul>"
        f"<div id='menu-text'>{body}</div></nav><div id='text'>{para(9)}{para(8)}</div>"
        "</body></html>"
    )
    assert container_of(closed) == "text"


def test_a_list_with_a_linked_item_is_no_teaser_card() -> None:
    """A list in the article whose one item is a link (a question linking an older post) is
    the article's list, not a teaser card; a card (a headline link and its summary) still is."""
    items = (
        "<li>Will it end up in the crap list picture one day, as so much else?</li>"
        "<li><a href='/put'>Where am I going to put it</a>?</li><li>Is it in my budget?</li>"
    )
    card = f"<div id='card'><h3><a href='/other'>Another story</a></h3>{para(7)}</div>"
    html = f"<html><body><div id='text'>{para(1)}<ul id='list'>{items}</ul>{para(2)}</div>{card}"
    html += "</body></html>"
    root = lxml.html.document_fromstring(html)
    text_map = TextMap(root)
    chrome = {element.get("id") for element in text_map.chrome}
    assert "list" not in chrome and "card" in chrome
    assert text_map.container() is not None and text_map.container().get("id") == "text"


def test_a_short_post_opening_with_the_description_is_no_teaser_card() -> None:
    """cbslocal.com: a one-paragraph post above a link to its audio looks like a teaser card
    (a link line beside a little text) and lost to a sidebar of promo widgets. A block
    opening with the page's description (its first 12 words) is this page's text: it is no
    card, unless it sits inside what was found first (an article's own teaser box of
    itself). Without the description, the post is lost as before."""
    lead = (
        "Boomer and Craig were thrilled to welcome an American hero into the studio, as Kelly "
        "Malloy stopped by and was given the royal treatment she deserved after her service"
    )
    widgets = "".join(
        f"<div class='textwidget'><h4><a href='/w{n}'>Promo {n}</a></h4>"
        f"<p>Widget {n}: win tickets to the summer concert series and meet the band "
        "backstage, all week long!</p></div>"
        for n in range(4)
    )
    html = (
        f"<html><body><div id='post'><p>{lead}</p><p><a href='/audio'>LISTEN: the interview "
        f"(06/08)</a></p></div><div id='column'>{widgets}</div></body></html>"
    )
    root = lxml.html.document_fromstring(html)

    def container(described: str) -> str | None:
        found = TextMap(root, described=described).container()
        return None if found is None else found.get("id")

    assert container(lead[:70].casefold() + "...") == "post"
    assert container("") != "post"  # as before: a card, demoted
    # a teaser further down opening with the same words (a templated description) is a card
    opening = " ".join(lead.split()[:12])
    rest = "of the football team, who came by on Friday to talk about the season ahead"
    teaser = (
        f"<div id='upcoming'><h4><a href='/next'>Next show</a></h4><p>{opening} {rest}</p></div>"
    )
    root = lxml.html.document_fromstring(html.replace("</body>", f"{teaser}</body>"))
    text_map = TextMap(root, described=lead.casefold())
    assert text_map.container().get("id") == "post"  # type: ignore[union-attr]
    assert "upcoming" in {element.get("id") for element in text_map.chrome}
    assert container("other words than the post opens with, said right here") != "post"


def test_a_box_repeating_the_description_inside_the_article_is_still_a_card() -> None:
    """A teaser of the page's own story inside its article (a box repeating the description
    under a link to the story) is a card as before: only a block outside what was found
    first, or on a page found whole, is taken for the page's text."""
    lead = "The council approved the new budget on Monday after a long debate over the schools"
    box = f"<div id='box'><h3><a href='/this'>This story</a></h3><p>{lead}, in brief.</p></div>"
    body = "".join(para(n) for n in range(6))
    html = f"<html><body><div id='article'>{body}{box}{para(7)}</div></body></html>"
    text_map = TextMap(lxml.html.document_fromstring(html), described=lead.casefold())
    assert text_map.container().get("id") == "article"  # type: ignore[union-attr]
    assert "box" in {element.get("id") for element in text_map.chrome}


def test_the_opening_of_a_description_is_its_first_words_case_and_punctuation_aside() -> None:
    opening = "Boomer & Craig were thrilled, to welcome an American Hero into the Allstate Studio"
    assert described_opening(opening) == (
        "boomer", "craig", "were", "thrilled", "to", "welcome", "an", "american", "hero",
        "into", "the", "allstate",
    )  # fmt: skip
    assert described_opening("...  Too short, to tell: just nine words, said here") == ()
    assert described_opening("One two three", 3) == ("one", "two", "three")


def test_a_page_whose_text_is_all_in_noscript_is_read_from_it() -> None:
    """A page that shows its text to readers without scripts only (all of it in
    ``<noscript>``) is read from there; a page with text of its own never reads its
    ``<noscript>``."""
    body = "".join(para(n) for n in range(4))
    only = f"<html><body><div id='app'></div><noscript><div id='text'>{body}</div></noscript>"
    assert container_of(only + "</body></html>") == "text"
    own = f"<html><body><div id='main'>{body}</div><noscript><div id='text'>{body}{body}</div>"
    assert container_of(own + "</noscript></body></html>") == "main"


def test_a_page_showing_little_text_is_read_from_its_noscript_when_that_says_more() -> None:
    """security.googleblog.com: the post in a script template and again in ``<noscript>``,
    the page showing only its tagline: read from the ``<noscript>``. A ``<noscript>`` saying
    less than twice the shown text, or less than :data:`NOSCRIPT_BELOW` characters ("Please
    enable JavaScript ..."), leaves the page as shown."""
    body = "".join(para(n) for n in range(8))
    tagline = "<div id='tagline'><p>The latest news and insights from our teams on the web</p>"
    post = f"<div id='post'><script type='text/template'>{body}</script><noscript>{body}"
    html = f"<html><body>{tagline}</div>{post}</noscript></div></body></html>"
    text_map = TextMap(lxml.html.document_fromstring(html))
    found = text_map.container()
    assert text_map.noscript and found is not None
    assert "Paragraph 7 says" in found.text_content()
    enable = "<noscript><div id='note'><p>Please enable JavaScript to pass the antispam check.</p>"
    shown = f"<html><body>{tagline}</div>{enable}</div></noscript></body></html>"
    assert container_of(shown) == "tagline"
    shown_four = "".join(para(n) for n in range(4))  # under NOSCRIPT_BELOW characters
    more = "".join(para(n) for n in range(6))  # over it, but not twice the shown text
    page = f"<html><body><div id='main'>{shown_four}</div><noscript><div id='x'>{more}"
    assert container_of(page + "</div></noscript></body></html>") == "main"


def test_a_sign_in_form_is_never_the_text() -> None:
    """zdf.de: a registration dialog's form, its hints sentence-long, beside a page showing
    one paragraph (and its menus and footer, most of the page's words): the paragraph. A
    page-wide form holding the article and a sign-in box is read (ASP.NET), its headline
    inside it or not."""
    hints = "".join(
        f"<p>{SENTENCE} Your password must be {n} characters long.</p>" for n in range(6)
    )
    form = f"<form id='register'><input type='password' name='password'>{hints}</form>"
    dialog = f"<div class='b-dialog'>{form}</div>"
    menu = "<nav>" + "".join(f"<a href='/{n}'>Section number {n}</a>" for n in range(60))
    html = f"<html><body>{menu}</nav><div id='text'>{para(1)}</div>{dialog}</body></html>"
    assert container_of(html) == "text"
    body = "".join(para(n) for n in range(5))
    login = "<div class='box'><input type='password' name='pw'></div>"
    page_wide = f"<form id='aspnet'><h1>Title</h1>{login}<div id='article'>{body}</div></form>"
    assert container_of(f"<html><body>{page_wide}</body></html>") == "article"
    # ... even beside a menu of more words than it holds (its headline says what it is)
    assert container_of(f"<html><body>{menu}</nav>{page_wide}</body></html>") == "article"
    # ... or its headline in an h2, or before the form, or none: a form of much text
    for head, inside in (("", "<h2>Title</h2>"), ("<h1>Title</h1>", ""), ("", "")):
        form = f"<form id='aspnet'>{inside}{login}<div id='article'>{body}{body}{body}</div>"
        html = f"<html><body>{head}{form}</form></body></html>"
        assert container_of(html) == "article", (head, inside)


def test_a_headline_wrapper_named_as_comments_is_read_when_nothing_else_is() -> None:
    """ "cmp" names a consent box and a CMS's components alike (jagran.com wraps its article
    column in ``ls-cmp-wrap``): on a page with no text outside such a box, the box that
    holds the h1 is read as soft chrome; where the page has text elsewhere it stays chrome,
    and so does a box without the h1."""
    body = "".join(para(n) for n in range(4))
    wrapped = f"<div class='ls-cmp-wrap' id='wrap'><h1>The headline</h1><div id='text'>{body}"
    assert container_of(f"<html><body>{wrapped}</div></div></body></html>") == "text"
    elsewhere = f"<div id='main'>{body}</div>{wrapped}{body}</div></div>"
    assert container_of(f"<html><body>{elsewhere}</body></html>") == "main"
    no_headline = wrapped.replace("<h1>The headline</h1>", "")
    top = "<div class='top'><h1>Title</h1></div>"
    assert container_of(f"<html><body>{top}{no_headline}</div></div></body></html>") is None
    # a box other words name comments or a consent box stays chrome, h1 or not
    for names in ("id='comments'", "id='cmp-consent'", "class='cmp-wrap comments'"):
        box = f"<section {names}><h1>Comments</h1><div id='text'>{body}</div></section>"
        assert container_of(f"<html><body><div id='app'></div>{box}</body></html>") is None
    comments = f"<section id='comments'><h1>Comments</h1><div id='text'>{body}</div></section>"
    assert (
        container_of(f"<html><body><div id='main'>{para(9)}{para(8)}</div>{comments}</body></html>")
        == "main"
    )


def test_a_page_without_text_is_measured_again_only_for_a_cmp_box() -> None:
    """The second measurement is for a headline inside a box named "cmp": a page with no
    text and no such box keeps what its first measurement found (here: that it was read
    from its ``<noscript>``)."""
    head = "<div class='top'><h1>Title</h1></div><noscript><p>Enable JavaScript.</p></noscript>"
    text_map = TextMap(lxml.html.document_fromstring(f"<html><body>{head}</body></html>"))
    assert text_map.container() is None and text_map.noscript


def test_of_two_articles_in_one_column_the_one_with_the_headline() -> None:
    """An infinite scroll's next article set under this one, in the same column: the article
    holding the page's first h1 is the container, not the column holding both; alone, even
    when the two share a class."""
    first = f'<article id="this"><h1>The headline</h1>{para(1)}{para(2)}{para(3)}</article>'
    second = f'<div class="under"><article id="next">{para(4)}{para(5)}{para(6)}</article></div>'
    html = f'<html><body><main id="main">{first}{second}</main></body></html>'
    text_map = TextMap(lxml.html.document_fromstring(html))
    assert container_of(html) == "this" and text_map.several_articles
    headline_second = html.replace("<h1>The headline</h1>", "").replace(
        '<article id="next">', '<article id="next"><h1>The headline</h1>'
    )
    assert container_of(headline_second) == "next"
    siblings = (
        f'<html><body><main><article class="story" id="this"><h1>A</h1>{para(1)}{para(2)}'
        f'</article><article class="story" id="next"><h1>B</h1>{para(3)}{para(4)}</article>'
        "</main></body></html>"
    )
    narrowed = TextMap(lxml.html.document_fromstring(siblings))
    assert [c.get("id") for c in narrowed.containers()] == ["this"]


def test_articles_under_a_headline_of_their_own_are_one_page() -> None:
    """A live blog's entries or a digest's stories, set as ``<article>`` elements of any size
    under the page's h1 (outside them), an article nested in another, and entries without an
    h1 anywhere: the element holding them all."""
    entries = "".join(f'<article class="entry">{para(n)}{para(n + 1)}</article>' for n in range(4))
    live = f'<html><body><div id="blog"><h1>Live</h1>{entries}</div></body></html>'
    assert container_of(live) == "blog"
    assert not TextMap(lxml.html.document_fromstring(live)).several_articles
    assert container_of(live.replace("<h1>Live</h1>", "")) == "blog"
    nested = (
        f'<html><body><div id="page"><article id="outer"><h1>A</h1>{para(1)}{para(2)}'
        f"<article>{para(3)}{para(4)}</article></article>{para(5)}{para(6)}</div></body></html>"
    )
    assert container_of(nested) == "page"
    assert not TextMap(lxml.html.document_fromstring(nested)).several_articles


def test_a_sidebar_is_weighed_against_the_whole_column_not_one_article() -> None:
    """Whether the asides are read is judged before one article of several is taken: a
    sidebar of notes beside a column of two articles stays out of the body."""
    said = [
        "The council approved the new budget on Tuesday after a long debate about the schools.",
        "Opposition members said the plan would leave the poorest districts without teachers.",
        "The mayor replied that the city had no money left for another round of hiring.",
        "A final vote on the teachers' contracts is expected before the end of the month.",
        "Parents gathered outside the town hall, holding signs that asked for smaller classes.",
        "Teachers' unions warned that strikes could follow if the contracts were not signed.",
        "The budget also cuts funding for libraries and parks by about ten percent next year.",
        "Several councillors abstained, saying they had not been given time to read the plan.",
    ]
    paragraphs = ["".join(f"<p>{s}</p>" for s in part) for part in (said[:4], said[4:])]
    notes = "".join(f"<p>Aside note {n}: {said[n]}</p>" for n in range(5))
    html = (
        f'<html><body><main><article id="this"><h1>A</h1>{paragraphs[0]}</article>'
        f'<div class="next"><article><h2>B</h2>{paragraphs[1]}</article></div></main>'
        f'<aside class="rail">{notes}</aside></body></html>'
    )
    text_map = TextMap(lxml.html.document_fromstring(html))
    assert container_of(html) == "this" and text_map.several_articles
    assert [e.tag for e in text_map.chrome if e.tag == "aside"] == ["aside"]


def test_hidden_from_view_is_not_shown_at_all() -> None:
    root = lxml.html.fragment_fromstring(
        '<div><p hidden>a</p><p style="display: none">b</p><p aria-hidden="true">c</p>'
        '<p style="color: red">d</p><p>e</p><p hidden style="color: red">f</p></div>'
    )
    assert [hidden_from_view(child) for child in root] == [True, True, False, False, False, True]


def test_names_of_an_element_are_its_class_and_its_id() -> None:
    for html, kind in [
        ('<div class="comments">x</div>', HARD),
        ('<div id="comments">x</div>', HARD),
        ('<div class="share-bar">x</div>', SOFT),
        ('<div id="share-bar">x</div>', SOFT),
        ('<div class="box" id="comments">x</div>', HARD),
        ("<div>x</div>", 0),
        ('<article class="comments">x</article>', 0),
    ]:
        assert name_kind(lxml.html.fragment_fromstring(html)) == kind, html
    assert names_kind("div", None, "comments") == HARD
    assert names_kind("div", "comments", None) == HARD
    assert names_kind("div", None, None) == 0
    assert names_kind("section", "article-body", "related") == 0


def test_a_name_that_is_a_keep_word_itself_keeps_an_element_of_comments() -> None:
    assert not comments("HEntry comments-open")
    assert not comments("Post comments-open")
    assert comments("comments-open")


def test_a_name_opening_with_comment_is_of_comments_but_commentary() -> None:
    """taz.de's comments are ``sect_commentlinks``, WordPress's ``commentlist``; an opinion
    piece's region is ``sect_article commentary``."""
    assert comments("even sect sect_commentlinks style_commentlinks")
    assert comments("commentlist")
    assert not comments("odd sect sect_article news subjective commentary")
    assert not comments("commentaries")
    assert not comments("article-commentator commentator-bio")


def test_good_length_at_its_edges() -> None:
    assert good_length(GOOD_CHARS, GOOD_WORDS, cjk=False)
    assert not good_length(GOOD_CHARS - 1, GOOD_WORDS, cjk=False)
    assert not good_length(GOOD_CHARS, GOOD_WORDS - 1, cjk=False)
    assert good_length(GOOD_CHARS_CJK, 1, cjk=True)
    assert not good_length(GOOD_CHARS_CJK - 1, 1, cjk=True)


def test_paywalled_text_is_paragraphs_sharing_a_paywall_class() -> None:
    lone = lxml.etree.Element("p", {"class": "paywall"})
    assert not _paywalled_text(lone)  # no parent: nothing shares its class
    box = lxml.html.fragment_fromstring(
        '<div><p class="paywall">a</p><div class="paywall">Subscribe</div></div>'
    )
    assert not _paywalled_text(box[0])  # a box of the class is no paragraph of it
    two = lxml.html.fragment_fromstring(
        '<div><p class="paywall">a</p><p class="paywall">b</p></div>'
    )
    assert _paywalled_text(two[0]) and not _paywalled_text(two[0], within=box)
    plain = lxml.html.fragment_fromstring('<div><p class="text">a</p><p class="text">b</p></div>')
    assert not _paywalled_text(plain[0])  # no paywall's class
    boxes = lxml.html.fragment_fromstring(
        '<div><div class="paywall">a</div><p class="paywall">b</p></div>'
    )
    assert not _paywalled_text(boxes[0])  # no paragraph


def test_adobe_experience_managers_components_are_no_consent_boxes() -> None:
    """fortinet.com: the post's text is in "cmp cmp-text aem-GridColumn" blocks; "cmp" is
    Adobe Experience Manager's prefix there, not a consent management platform's box."""
    assert not comments("cmp cmp-text aem-GridColumn aem-GridColumn--default--12")
    assert not comments("cmp-title")
    assert comments("cmp-wrapper")
    assert comments("comments aem-GridColumn")  # other words of comments still count


def test_a_headings_anchor_made_of_its_words_says_nothing_of_it() -> None:
    """heise.de: "<h3 id='nav_nur_die_folie__1'>Nur die Folie bleibt zurück</h3>", an anchor
    of the table of contents, is a sub-heading of the text, not navigation; a heading
    whose id names navigation in other words is."""
    text = "".join(para(n) for n in range(4))
    heading = "<h3 id='nav_nur_die_folie__1'>Nur die Folie bleibt zurück</h3>"
    page = f"<div class='story'>{text}{heading}{text}</div>"
    tm = TextMap(lxml.html.document_fromstring(page))
    assert tm.root.find(".//h3") not in tm.chrome
    page = page.replace("nav_nur_die_folie__1", "nav_menu_top")
    tm = TextMap(lxml.html.document_fromstring(page))
    assert tm.root.find(".//h3") in tm.chrome


@pytest.mark.parametrize(
    ("classes", "byline"),
    [
        ("byline", True),
        ("article-author meta", True),
        ("penulis", True),
        ("autor-name", True),
        # a photo's credit, an author's picture: no byline
        ("photo-author", False),
        ("bildautor", False),
        ("image-credit-author", False),
        ("author-avatar", False),
        ("author-avatar author-name", True),  # one of the names is a byline's
        ("caption", False),
    ],
)
def test_byline_class_names_no_picture_s_credit(classes: str, byline: bool) -> None:
    assert byline_class(classes) is byline
