"""A block's text as shown (:func:`element_text`), and the same for many nested blocks at
once (:func:`element_texts`, which makes a block's text of the texts of blocks inside it)."""

from __future__ import annotations

import lxml.html
import pytest

from newscrawl.pages.base import element_text, element_texts
from newscrawl.pages.generic import SMALL_BLOCKS
from tests.realworld import load

NESTED = (
    "<html><body><div id='a'>Lead <span id='b'>in <b>bold</b></span> tail"
    "<div id='c'>Block<br>broken <script>var x = 1;</script><!-- note -->after</div>"
    "<ul><li id='d'>one</li><li>two <svg><text>icon</text></svg></li></ul>"
    "<time id='e'>2024</time>end</div></body></html>"
)


def test_element_text_shows_what_a_reader_sees() -> None:
    root = lxml.html.document_fromstring(NESTED)
    (c,) = root.xpath("//*[@id='c']")
    # <br> breaks the line, the script is unseen (white space is folded later)
    assert " ".join(element_text(c).split()) == "Block broken after"
    (b,) = root.xpath("//*[@id='b']")
    assert element_text(b) == "in bold"


@pytest.mark.parametrize("every", [True, False], ids=["all-nested", "some-nested"])
def test_texts_of_nested_blocks_are_each_one_element_text(every: bool) -> None:
    """Whether or not the blocks inside a block are among those asked for."""
    root = lxml.html.document_fromstring(NESTED)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    if not every:
        elements = elements[::2]
    texts = element_texts(elements)
    assert list(texts) == elements[::-1]  # the inner ones first
    assert texts == {element: element_text(element) for element in elements}


def test_the_short_blocks_of_real_pages_read_the_same_at_once() -> None:
    """Over 40 real pages' short blocks (where bylines, dates and footer lines are)."""
    pages = load(sets=["fundus"])[:40]
    checked = 0
    for page in pages:
        root = lxml.html.document_fromstring(page.html())
        blocks = SMALL_BLOCKS(root)
        assert element_texts(blocks) == {block: element_text(block) for block in blocks}
        checked += len(blocks)
    assert checked > 1000
