"""The tables of newscrawl.urls named entry by entry (tracking parameters, alias hosts, AMP
marks, allowed schemes), every branch of its helpers, and the properties of canonical URLs
(idempotence, tracking never kept), so that a slip in a refactor fails a test."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl import urls
from newscrawl.urls import (
    ArticleUrls,
    alias_form,
    canonical_article_url,
    canonical_page_url,
    host_of,
    is_ip_host,
    on_domain,
    path_of,
    query_of,
    strip_tracking,
    subdomain_of,
    with_query,
)

# -- tracking parameters --------------------------------------------------------------------

TRACKING = ["utm_source", "utm_medium", "utm_campaign", "utm_", "fbclid", "gclid", "_ga", "_gac"]


def test_the_tracking_prefixes_are_these() -> None:
    assert urls._TRACKING_PREFIXES == ("utm_", "fbclid", "gclid", "_ga")


@pytest.mark.parametrize("name", TRACKING)
def test_each_tracking_parameter_is_dropped(name: str) -> None:
    assert strip_tracking(f"https://a.example/x?{name}=1&id=7") == "https://a.example/x?id=7"
    assert strip_tracking(f"https://a.example/x?id=7&{name}=1") == "https://a.example/x?id=7"
    assert strip_tracking(f"https://a.example/x?{name.upper()}=1") == "https://a.example/x"
    assert strip_tracking(f"https://a.example/x?{name}") == "https://a.example/x"


@pytest.mark.parametrize(
    "name", ["id", "page", "q", "gcl", "fbcl", "ga", "utm", "x_utm_a", "a_ga", " utm_source"]
)
def test_other_parameters_stay(name: str) -> None:
    url = f"https://a.example/x?{name}=utm_source&b=2"
    assert strip_tracking(url) == url


def test_strip_tracking_keeps_order_fragment_and_drops_empty_pairs() -> None:
    assert strip_tracking("https://a.example/x") == "https://a.example/x"
    assert strip_tracking("https://a.example/x#f") == "https://a.example/x#f"
    assert (
        strip_tracking("https://a.example/x?b=2&&utm_id=3&a=1=1#top")
        == "https://a.example/x?b=2&a=1=1#top"
    )
    # the value may name a tracker: only the name counts
    assert strip_tracking("https://a.example/x?ref=fbclid") == "https://a.example/x?ref=fbclid"


# -- hosts, schemes, domains ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Warta.Example:8443/x", "www.warta.example"),
        ("https://warta.example./x", "warta.example"),
        ("https://user:pw@warta.example/x", "warta.example"),
        ("/relative/path", ""),
        ("http://[bad", ""),
        ("http://[::1]:80/", "::1"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("host", "ip"),
    [
        ("127.0.0.1", True),
        ("[::1]", True),
        ("::1", True),
        ("10.0.0.256", False),
        ("warta.example", False),
        ("", False),
        ("[warta.example]", False),
    ],
)
def test_is_ip_host(host: str, ip: bool) -> None:
    assert is_ip_host(host) is ip


@pytest.mark.parametrize("scheme", ["http", "https", "HTTP", "HTTPS"])
def test_each_allowed_scheme_is_on_the_domain(scheme: str) -> None:
    assert on_domain(f"{scheme}://warta.example/x", "warta.example")
    assert on_domain(f"{scheme}://news.warta.example/x", "warta.example")


@pytest.mark.parametrize(
    "scheme", ["ftp", "file", "javascript", "data", "mailto", "ws", "httpx", "", "https+unix"]
)
def test_other_schemes_are_not(scheme: str) -> None:
    assert not on_domain(f"{scheme}://warta.example/x", "warta.example")


@pytest.mark.parametrize(
    ("url", "on"),
    [
        ("https://WARTA.example/x", True),
        ("https://warta.example./x", True),
        ("https://a.b.warta.example/x", True),
        ("https://notwarta.example/x", False),
        ("https://warta.example.evil.net/x", False),
        ("https://warta.example:8443/x", True),
        ("https://127.0.0.1/x", False),
        ("https://[::1]/x", False),
        ("https:///x", False),
        ("https://[bad/x", False),
        ("//warta.example/x", False),
    ],
)
def test_on_domain(url: str, on: bool) -> None:
    assert on_domain(url, "warta.example") is on


def test_an_ip_address_is_never_on_a_domain_even_its_own() -> None:
    assert not on_domain("http://127.0.0.1/x", "127.0.0.1")
    assert on_domain("http://warta.example/", "warta.example")


# -- canonical forms ------------------------------------------------------------------------


def test_canonical_page_url() -> None:
    assert (
        canonical_page_url("  http://www.warta.example/index?page=2&date=2025-11-20&utm_x=1#a ")
        == "https://www.warta.example/index?date=2025-11-20&page=2"
    )
    assert canonical_page_url("https://warta.example/a") == "https://warta.example/a"
    # another scheme is left as it is (only http becomes https)
    assert canonical_page_url("ftp://warta.example/a").startswith("ftp://")


PAGED = re.compile(r"(?P<keep>/read/\d+)(?:/(?P<page>\d+))?/?$")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://Warta.Example./read/1/2/?q=1#f", "https://warta.example/read/1"),
        ("  https://warta.example/read/1/  ", "https://warta.example/read/1"),
        ("https://warta.example", "https://warta.example/"),
        ("https://warta.example/", "https://warta.example/"),
        ("https://warta.example//", "https://warta.example/"),
        ("https://warta.example/read/1/3", "https://warta.example/read/1"),
        ("https://warta.example/other/9/", "https://warta.example/other/9"),
        ("https://warta.example/read/TAX/", "https://warta.example/read/TAX"),
        ("/read/1", "https:///read/1"),  # no host: none made up
    ],
)
def test_canonical_article_url(url: str, canonical: str) -> None:
    assert canonical_article_url(url, PAGED) == canonical


def test_canonical_article_url_without_a_page_suffix_keeps_the_path() -> None:
    assert canonical_article_url("https://warta.example/read/1/3/") == (
        "https://warta.example/read/1/3"
    )


# -- aliases --------------------------------------------------------------------------------


def test_the_alias_host_prefixes_are_these() -> None:
    assert urls._ALIAS_HOST_PREFIXES == ("www.", "m.", "amp.")


@pytest.mark.parametrize("prefix", ["www.", "m.", "amp.", "WWW.", "M.", "AMP."])
def test_each_alias_host_prefix_is_one_site(prefix: str) -> None:
    assert alias_form(f"https://{prefix}warta.example/a/b") == "warta.example/a/b"


def test_only_one_alias_prefix_goes() -> None:
    assert alias_form("https://www.m.warta.example/a") == "m.warta.example/a"
    assert alias_form("https://mm.warta.example/a") == "mm.warta.example/a"
    assert alias_form("https://wwww.warta.example/a") == "wwww.warta.example/a"
    assert alias_form("https://ampx.warta.example/a") == "ampx.warta.example/a"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/a/judul.amp", "/a/judul"),
        ("/a/judul.amp.html", "/a/judul.html"),
        ("/a/judul.AMP.htm", "/a/judul.htm"),
        ("/amp/a/judul", "/a/judul"),
        ("/a/AMP/judul/", "/a/judul"),
        ("/a/judul.amp/", "/a/judul"),
        ("/a/judul.ampx", "/a/judul.ampx"),
        ("/a/judul.amp.php", "/a/judul.amp.php"),
        ("/a/judul.amp.htmlx", "/a/judul.amp.htmlx"),
        ("/a.amp/judul", "/a.amp/judul"),
        ("/a/amplop", "/a/amplop"),
        ("/", "/"),
        ("", "/"),
    ],
)
def test_amp_marks(path: str, form: str) -> None:
    assert alias_form(f"https://warta.example{path}") == "warta.example" + form


def test_alias_form_drops_scheme_query_fragment_and_case_of_host() -> None:
    assert alias_form(" http://Warta.Example./a/?x=1#y ") == "warta.example/a"
    assert alias_form("") == ""
    assert alias_form("/a/b") == ""
    assert alias_form("http://[bad/a") == ""


# -- small helpers --------------------------------------------------------------------------


def test_with_query() -> None:
    assert with_query("https://w.example/a?x=1#f", page="all", b="2") == (
        "https://w.example/a?page=all&b=2"
    )
    assert with_query("https://w.example/a?x=1") == "https://w.example/a"


def test_path_and_query_of() -> None:
    assert path_of("https://w.example/a/b?c=d") == "/a/b"
    assert path_of("http://[bad/a") == ""
    assert query_of("https://w.example/?a=1&b=2&a=3") == {"a": "3", "b": "2"}
    assert list(query_of("https://w.example/?z=1&a=2")) == ["z", "a"]
    assert query_of("http://[bad/?a=1") == {}
    assert query_of("https://w.example/") == {}


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://market.warta.example/x", "market"),
        ("https://a.market.warta.example/x", "market"),
        ("https://WWW.warta.example/x", None),
        ("https://warta.example/x", None),
        ("https://notwarta.example/x", None),
        ("https://market.other.example/x", None),
        ("http://[bad/x", None),
    ],
)
def test_subdomain_of(url: str, label: str | None) -> None:
    assert subdomain_of(url, "warta.example") == label


# -- a site's article URLs ------------------------------------------------------------------

SITE = ArticleUrls(
    "warta.example",
    re.compile(r"/read/(?P<day>\d{8})/(?P<id>\d+)"),
    id_groups=("day", "id"),
    page_suffix=re.compile(r"(?P<keep>/read/\d{8}/\d+(?:/[^/]+)?)/(?P<page>\d+)/?$"),
)


def test_article_urls() -> None:
    url = "http://News.warta.example/read/20251120/77/judul/2?utm_source=x#c"
    assert SITE.is_article(url)
    assert not SITE.is_article("https://warta.example/topic/read/20251120/77")
    assert not SITE.is_article("https://evil.example/read/20251120/77")
    assert SITE.canonical(url) == "https://news.warta.example/read/20251120/77/judul"
    assert SITE.article_id(url) == "2025112077"
    assert SITE.article_id("https://warta.example/topic/1") is None
    assert SITE.section(url) == "news"
    assert SITE.page(url) == "2"
    assert SITE.page("https://warta.example/read/20251120/77/judul?page=ALL ") == "all"
    assert SITE.page("https://warta.example/read/20251120/77/judul?page=3") == "3"
    assert SITE.page("https://warta.example/read/20251120/77/judul?page=") is None
    assert SITE.page("https://warta.example/read/20251120/77/judul") is None
    assert SITE.whole_text(url) == ("https://news.warta.example/read/20251120/77/judul?page=all")
    plain = ArticleUrls("warta.example", re.compile(r"/(?P<id>\d+)"))
    assert plain.page("https://warta.example/12/3") is None
    assert plain.article_id("https://warta.example/12/3") == "12"
    assert plain.canonical("https://warta.example/12/3/") == "https://warta.example/12/3"


# -- properties -----------------------------------------------------------------------------

_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_segment = st.text(alphabet="abcdefghij-._~0123456789AMP", min_size=1, max_size=10)
_param = st.sampled_from(["id", "page", "q", "date", "ref", *TRACKING])
_value = st.text(alphabet="abcXYZ0123456789-._~", max_size=6)


@st.composite
def page_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    host = ".".join(draw(st.lists(_label, min_size=1, max_size=3))) + ".example"
    path = "/".join(draw(st.lists(_segment, max_size=4)))
    pairs = draw(st.lists(st.tuples(_param, _value), max_size=5))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "") + fragment


@given(page_urls())
def test_canonical_page_urls_are_idempotent_https_and_untracked(url: str) -> None:
    once = canonical_page_url(url)
    assert canonical_page_url(once) == once
    parts = urlsplit(once)
    assert parts.scheme == "https" and parts.fragment == ""
    names = [pair.split("=")[0].lower() for pair in parts.query.split("&") if pair]
    assert not [n for n in names if n.startswith(urls._TRACKING_PREFIXES)]
    assert names == sorted(names)


@given(page_urls())
def test_strip_tracking_is_idempotent_and_keeps_the_rest(url: str) -> None:
    once = strip_tracking(url)
    assert strip_tracking(once) == once
    kept = [
        p
        for p in urlsplit(url).query.split("&")
        if p and not p.lower().startswith(urls._TRACKING_PREFIXES)
    ]
    assert urlsplit(once).query == "&".join(kept)
    assert urlsplit(once).path == urlsplit(url).path


@given(page_urls())
def test_canonical_article_urls_are_idempotent_and_plain(url: str) -> None:
    once = canonical_article_url(url)
    assert canonical_article_url(once) == once
    parts = urlsplit(once)
    assert parts.scheme == "https" and not parts.query and not parts.fragment
    assert parts.path == "/" or not parts.path.endswith("/")
    assert alias_form(once) == alias_form(url)


@given(st.lists(_label, min_size=0, max_size=3), _label)
def test_every_subdomain_is_on_the_domain_and_no_lookalike_is(labels: list[str], x: str) -> None:
    host = ".".join([*labels, "warta.example"])
    assert on_domain(f"https://{host}/a", "warta.example")
    assert not on_domain(f"https://{x}warta.example/a", "warta.example")
    assert not on_domain(f"https://{host}.{x}/a", "warta.example")
    expected = labels[-1] if labels and labels[-1] != "www" else None
    assert subdomain_of(f"https://{host}/a", "warta.example") == expected
