"""A page the user gave as an article is read as one when it has a body, even when neither
its markup nor its text says it is an article (newscrawl/pages/reading.py ``as_article``)."""

from __future__ import annotations

from newscrawl.pages.reading import read_generic

PAGE = (
    b"<html><head><title>Rates</title></head><body><h1>Rates held</h1><div class='text'>"
    b"<p>The central bank held its rates on Thursday, as most economists had expected.</p>"
    b"<p>It said it would watch prices closely in the coming months before it moved again.</p>"
    b"</div></body></html>"
)
URL = "https://www.example.com/2024/05/02/rates-held"


def test_a_short_unmarked_page_is_no_article_unless_given_as_one() -> None:
    assert not read_generic(URL, PAGE, "utf-8", frozenset()).is_article()
    reading = read_generic(URL, PAGE, "utf-8", frozenset(), as_article=True)
    assert reading.is_article()
    item = reading.to_item()
    assert item.title == "Rates held"
    assert item.body is not None and item.body.startswith("The central bank held its rates")
    assert item.published_at == "2024-05-02"  # the day in its URL


def test_a_page_given_as_an_article_without_a_body_is_still_none() -> None:
    empty = b"<html><head><title>Search</title></head><body><h1>Search</h1></body></html>"
    assert not read_generic(URL, empty, "utf-8", frozenset(), as_article=True).is_article()
