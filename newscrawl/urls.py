"""URL helpers shared by spiders and page objects: canonical forms and site membership."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that never change what a page shows (tracking noise).
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "_ga")
#: Host labels in front of a site's name that serve the same pages (``www.``, mobile, AMP).
_ALIAS_HOST_PREFIXES = ("www.", "m.", "amp.")
#: An AMP view's mark at the end of a slug (``judul.amp``, ``judul.amp.html``).
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)


def host_of(url: str) -> str:
    """The lower-cased host of ``url`` without port ("" when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def is_ip_host(host: str) -> bool:
    """True when ``host`` is an IP literal (never a news site's name)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def on_domain(url: str, domain: str) -> bool:
    """True when ``url`` is http(s) on ``domain`` or one of its subdomains.

    ``news.example.evil.net`` and IP addresses are not on ``news.example``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or is_ip_host(host):
        return False
    return host == domain or host.endswith("." + domain)


def strip_tracking(url: str) -> str:
    """Drop ``utm_*`` and similar tracking parameters, keep the others."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not pair.split("=", 1)[0].lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(parts._replace(query="&".join(kept)))


def canonical_page_url(url: str) -> str:
    """A listing page's canonical form: https, no tracking, no fragment, sorted query."""
    url = strip_tracking(url.strip())
    url = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(url)
    if parts.scheme == "http":
        parts = parts._replace(scheme="https")
    return urlunsplit(parts)


def canonical_article_url(url: str, page_suffix: re.Pattern[str] | None = None) -> str:
    """An article's canonical form: https, no query, no fragment, no page suffix.

    ``page_suffix`` matches a paged article path; its group ``keep`` is what stays.
    """
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if page_suffix is not None:
        path = page_suffix.sub(r"\g<keep>", path)
    path = path.rstrip("/") or "/"
    netloc = (parts.hostname or "").lower().rstrip(".")
    return urlunsplit(("https", netloc, path, "", ""))


def alias_form(url: str) -> str:
    """What two URLs of one article share when one is an alias of the other: the host
    without ``www.``/``m.``/``amp.``, the path without AMP marks (an ``/amp`` segment,
    ``.amp``) and trailing slash; no scheme, query or fragment ("" for no URL)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in _ALIAS_HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    segments = [s for s in parts.path.split("/") if s and s.lower() != "amp"]
    if segments:
        segments[-1] = _AMP_SUFFIX.sub("", segments[-1])
    return f"{host}/{'/'.join(segments)}" if host else ""


def with_query(url: str, **params: str) -> str:
    """``url`` with its query replaced by ``params`` (in the given order)."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return urlunsplit(urlsplit(url)._replace(query=query, fragment=""))


def path_of(url: str) -> str:
    """The path of ``url`` ("" when it cannot be parsed)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def query_of(url: str) -> dict[str, str]:
    """The query parameters of ``url`` in order (the last value of a repeated name)."""
    try:
        return dict(parse_qsl(urlsplit(url).query))
    except ValueError:
        return {}


def subdomain_of(url: str, domain: str) -> str | None:
    """The label right left of ``domain``: ``market`` for ``https://market.news.example/x``;
    None for ``www``, the bare domain or another site."""
    host = host_of(url)
    if not host.endswith("." + domain):
        return None
    label = host[: -len(domain) - 1].split(".")[-1]
    return None if label == "www" else label


@dataclass(frozen=True)
class ArticleUrls:
    """A site's article URL rules: which URLs are articles, their canonical form, id, section
    and page.

    ``path`` is matched at the start of the URL path; the article id is its ``id_groups``
    joined (an id; or a date and a number). A split article's other pages
    are ``?page=N`` / ``?page=all`` or, with ``page_suffix``, a path suffix (group ``keep`` is
    the path without it, group ``page`` the number).
    """

    domain: str
    path: re.Pattern[str]
    id_groups: tuple[str, ...] = ("id",)
    page_suffix: re.Pattern[str] | None = None

    def is_article(self, url: str) -> bool:
        """True for an article URL of the site (any section, any page)."""
        return on_domain(url, self.domain) and self.has_article_path(url)

    def has_article_path(self, url: str) -> bool:
        """True when ``url``'s path is an article's, on whatever host (:meth:`is_article`
        without the domain, for a caller that knows the host is the site's)."""
        return bool(self.path.match(path_of(url)))

    def canonical(self, url: str) -> str:
        """https, no query, no fragment, no page suffix."""
        return canonical_article_url(url, self.page_suffix)

    def article_id(self, url: str) -> str | None:
        match = self.path.match(path_of(url))
        return "".join(match.group(name) for name in self.id_groups) if match else None

    def section(self, url: str) -> str | None:
        return subdomain_of(url, self.domain)

    def page(self, url: str) -> str | None:
        """Which page of a split article ``url`` shows: ``"2"``, ``"all"``, or None (page 1
        as linked by the index)."""
        page = query_of(url).get("page", "").strip().lower()
        if page:
            return page
        match = self.page_suffix.match(path_of(url)) if self.page_suffix else None
        return match.group("page") if match else None

    def whole_text(self, url: str) -> str:
        """The URL of the whole text of a split article: ``?page=all``."""
        return with_query(self.canonical(url), page="all")


__all__ = [
    "ArticleUrls",
    "alias_form",
    "canonical_article_url",
    "canonical_page_url",
    "host_of",
    "is_ip_host",
    "on_domain",
    "path_of",
    "query_of",
    "strip_tracking",
    "subdomain_of",
    "with_query",
]
