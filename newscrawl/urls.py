"""URL helpers shared by spiders and page objects: canonical forms and site membership."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that never change what a page shows (tracking noise).
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "_ga")


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

    ``bisnis.com.example.net`` and IP addresses are not on ``bisnis.com``.
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


def with_query(url: str, **params: str) -> str:
    """``url`` with its query replaced by ``params`` (in the given order)."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return urlunsplit(urlsplit(url)._replace(query=query, fragment=""))


__all__ = [
    "canonical_article_url",
    "canonical_page_url",
    "host_of",
    "is_ip_host",
    "on_domain",
    "strip_tracking",
    "with_query",
]
