"""Requests as data: how distributed mode stores a request in Redis, and reads it back.

scrapy-redis stores requests with :mod:`pickle`, so whoever can write one member into the
queue runs code on every worker that pops it. Here a request is JSON made of plain values
(:meth:`scrapy.Request.to_dict`: its callback and errback by name, bytes as Latin-1 text), and
a member is read back only when every part of it is what a request of ours can hold: an
http(s) URL, a known method, plain meta, a callback named ``parse``/``parse_*`` and an errback
named ``on_*`` that the spider has. No class is ever loaded by name. Anything else raises
:class:`UndecodableRequest`, and the frontier drops the member (counted, logged once).
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrapy import Request, Spider

#: The methods our spiders send.
METHODS = frozenset({"GET", "HEAD", "POST"})
#: Callbacks and errbacks a stored request may name (spider methods only).
CALLBACK = re.compile(r"parse(_[a-z0-9_]+)?")
ERRBACK = re.compile(r"on_[a-z0-9_]+")
#: The most nesting plain meta may have.
MAX_DEPTH = 8

Plain = None | bool | int | float | str | list["Plain"] | dict[str, "Plain"]


class UndecodableRequest(ValueError):
    """A stored member that is not a request of ours (its content is never echoed)."""


def is_plain(value: Any, depth: int = 0) -> bool:
    """True for JSON's own values (str keys only), nested at most :data:`MAX_DEPTH` deep."""
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list | tuple):
        return all(is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v, depth + 1) for k, v in value.items())
    return False


def _latin1(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def dumps(request: Request, spider: Spider | None = None) -> bytes:
    """``request`` as JSON; a request that cannot be stored as data raises ``ValueError``
    (a subclass of Request, a callback that is no method of the spider, meta that is not
    plain): a programming error, never a member written."""
    if type(request) is not Request:
        raise ValueError(f"only plain Requests are stored, not {type(request).__name__}")
    data = request.to_dict(spider=spider)
    for part in ("meta", "cb_kwargs"):
        bad = [key for key, value in (data.get(part) or {}).items() if not is_plain(value)]
        if bad:
            raise ValueError(f"request {part} holds values that are not plain data: {bad}")
    data["headers"] = {
        _latin1(name): [_latin1(value) for value in values]
        for name, values in data["headers"].items()
    }
    data["body"] = _latin1(data["body"])
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def _field(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise UndecodableRequest(f"field {key!r} is not {getattr(kind, '__name__', kind)}")
    return value


def _method(spider: Spider, name: Any, pattern: re.Pattern[str]) -> Any:
    if name is None:
        return None
    if not isinstance(name, str) or not pattern.fullmatch(name):
        raise UndecodableRequest("callback or errback name not allowed")
    method = getattr(spider, name, None)
    if not callable(method):
        raise UndecodableRequest("callback or errback is no method of the spider")
    return method


def loads(member: bytes, spider: Spider) -> Request:
    """The request a stored member holds, or :class:`UndecodableRequest`."""
    try:
        data = json.loads(member.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UndecodableRequest("not JSON") from None
    if not isinstance(data, dict):
        raise UndecodableRequest("not a JSON object")
    if "_class" in data:
        raise UndecodableRequest("names a class")
    url = _field(data, "url", str, None)
    if not url.startswith(("http://", "https://")):
        raise UndecodableRequest("not an http(s) URL")
    method = _field(data, "method", str, "GET")
    if method not in METHODS:
        raise UndecodableRequest("method not allowed")
    headers = _field(data, "headers", dict, {})
    if not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in headers.items()
    ):
        raise UndecodableRequest("headers are not text")
    meta = _field(data, "meta", dict, {})
    cb_kwargs = _field(data, "cb_kwargs", dict, {})
    if not is_plain(meta) or not is_plain(cb_kwargs):
        raise UndecodableRequest("meta is not plain data")
    flags = _field(data, "flags", list, [])
    if not all(isinstance(flag, str) for flag in flags):
        raise UndecodableRequest("flags are not text")
    cookies = _field(data, "cookies", (dict, list), {})
    if not is_plain(cookies):
        raise UndecodableRequest("cookies are not plain data")
    try:
        return Request(
            url,
            callback=_method(spider, data.get("callback"), CALLBACK),
            errback=_method(spider, data.get("errback"), ERRBACK),
            method=method,
            headers={
                k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in headers.items()
            },
            body=_field(data, "body", str, "").encode("latin-1"),
            cookies=cookies,
            meta=meta,
            encoding=_field(data, "encoding", str, "utf-8"),
            priority=_field(data, "priority", int, 0),
            dont_filter=_field(data, "dont_filter", bool, False),
            flags=flags,
            cb_kwargs=cb_kwargs,
        )
    except UndecodableRequest:
        raise
    except (TypeError, ValueError, LookupError) as error:  # a URL or encoding Scrapy refuses
        raise UndecodableRequest(type(error).__name__) from None
