"""The item's ``url`` as the schema (newscrawl/schema/article.schema.json) takes it: https, no
fragment, no query but the identity parameters of an article its path does not name
(``storypage.php?autono=166607``, ``/?p=3289``), which the generic page's canonical URL keeps.
Every URL ``canonical_url`` gives passes; a page parameter never does."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from newscrawl.pages.generic import IDENTITY_PARAM, canonical_url
from newscrawl.pipelines import schema_violation
from tests.support import ROOT

SCHEMA = json.loads((ROOT / "newscrawl" / "schema" / "article.schema.json").read_text("utf-8"))
URL = re.compile(SCHEMA["properties"]["url"]["pattern"])


def test_the_schema_names_the_generic_pages_identity_parameters() -> None:
    """One list: IDENTITY_PARAM's, each letter in either case (a JSON Schema pattern has no
    flags)."""
    key = re.sub(r"[a-z]", lambda m: f"[{m.group()}{m.group().upper()}]", IDENTITY_PARAM.pattern)
    value = "[^#?&=]+"
    assert URL.pattern == rf"^https://[^?#]+(?:\?{key}={value}(?:&{key}={value})*)?$"


KEYS = st.sampled_from(
    ["id", "ID", "p", "autono", "articleId", "news_id", "story", "page", "single", "utm_source",
     "fbclid", "q", "ref", "amp"]
)  # fmt: skip
SEGMENTS = st.lists(st.from_regex(r"[a-z0-9._-]{1,12}", fullmatch=True), max_size=4)


@given(
    SEGMENTS,
    st.lists(st.tuples(KEYS, st.from_regex(r"[a-zA-Z0-9 /&=?#%+-]{0,8}", fullmatch=True))),
)
def test_every_canonical_url_passes_the_schema(
    segments: list[str], query: list[tuple[str, str]]
) -> None:
    url = f"http://www.example.com/{'/'.join(segments)}?{urlencode(query)}#top"
    assert URL.match(canonical_url(url)), canonical_url(url)


def test_identity_parameters_pass_and_page_parameters_do_not() -> None:
    assert URL.match("https://hindi.business-standard.com//storypage.php?autono=166607")
    assert URL.match("https://wir-empfehlen.info/?p=3289")
    assert URL.match("https://www.example.com/read.php?ID=5&story=7")
    for refused in (
        "https://www.example.com/read/x?page=all",
        "https://www.example.com/read/x?utm_source=feed",
        "https://www.example.com/read.php?id=5#top",
        "https://www.example.com/read.php?id=",
        "https://www.example.com/read.php?",
        "http://www.example.com/read.php?id=5",
    ):
        assert not URL.match(refused), refused


def test_the_run_time_validation_takes_a_query_named_article() -> None:
    item = {
        "url": "https://www.example.com/baca.php?id=101", "article_id": "u03ae74cecffdec09",
        "site": "example.com", "section": None, "category": None, "title": "Judul",
        "lead": None, "authors": [], "editor": None, "published_at": None, "updated_at": None,
        "dateline": None, "body": "Isi berita.", "image_url": None, "image_caption": None,
        "tags": [], "is_premium": False, "language": "id", "word_count": 2,
        "crawled_at": "2025-11-20T01:00:00Z",
    }  # fmt: skip
    assert schema_violation(item) is None
    assert schema_violation({**item, "url": "https://www.example.com/baca.php?page=2"})
