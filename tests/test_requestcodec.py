"""Requests stored as data (distributed mode's queue): what round-trips, and what is refused."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request, Spider
from scrapy.http import FormRequest

from newscrawl.requestcodec import UndecodableRequest, dumps, is_plain, loads


class Planner(Spider):
    name = "planner"

    def parse_index(self, response: Any) -> None: ...

    def parse(self, response: Any, **kwargs: Any) -> None: ...

    def on_error(self, failure: Any) -> None: ...

    def closed(self, reason: str) -> None: ...

    not_a_method = "text"


SPIDER = Planner()


def request() -> Request:
    return Request(
        "https://www.bisnis.com/index?c=0&d=2026-11-20",
        callback=SPIDER.parse_index,
        errback=SPIDER.on_error,
        method="POST",
        headers={"Referer": "https://www.bisnis.com/", "X-Bytes": b"\xe9t\xe9"},
        body=b"a=1&b=\xff",
        cookies={"session": "1"},
        meta={"kind": "index", "depth": 2, "redirect_urls": ["https://bisnis.com/a"], "x": None},
        encoding="utf-8",
        priority=-6,
        dont_filter=True,
        flags=["day"],
        cb_kwargs={"page": 2},
    )


def test_a_request_round_trips_field_by_field() -> None:
    original = request()
    back = loads(dumps(original, SPIDER), SPIDER)
    for attribute in ("url", "method", "body", "cookies", "meta", "encoding", "priority",
                      "dont_filter", "flags", "cb_kwargs"):  # fmt: skip
        assert getattr(back, attribute) == getattr(original, attribute), attribute
    assert back.callback == SPIDER.parse_index and back.errback == SPIDER.on_error
    assert back.headers.getlist("X-Bytes") == [b"\xe9t\xe9"]
    assert back.headers.getlist("Referer") == [b"https://www.bisnis.com/"]


def test_a_stored_request_is_json_with_no_class() -> None:
    data = json.loads(dumps(request(), SPIDER))
    assert data["callback"] == "parse_index" and data["errback"] == "on_error"
    assert "_class" not in data


def test_a_pickle_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (marker.write_text, ("owned",))

    with pytest.raises(UndecodableRequest):
        loads(pickle.dumps(Payload()), SPIDER)
    assert not marker.exists()


def stored(**changes: Any) -> bytes:
    data = json.loads(dumps(request(), SPIDER))
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    "changes",
    [
        {"_class": "subprocess.Popen"},
        {"url": "file:///etc/passwd"},
        {"url": 7},
        {"method": "DELETE"},
        {"callback": "closed"},  # a spider method, not a callback
        {"callback": "__init__"},
        {"callback": "parse_missing"},
        {"callback": "not_a_method"},
        {"errback": "parse"},
        {"errback": "on_missing"},
        {"meta": {"kind": [[[[[[[["too deep"]]]]]]]]}},
        {"meta": "kind"},
        {"headers": {"A": "b"}},
        {"headers": {"A": [1]}},
        {"priority": "high"},
        {"priority": True},
        {"dont_filter": 1},
        {"flags": [1]},
        {"cookies": 5},
        {"body": 5},
        {"encoding": "no-such-codec"},
    ],
    ids=repr,
)
def test_a_member_that_is_not_one_of_our_requests_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(UndecodableRequest):
        loads(stored(**changes), SPIDER)


@pytest.mark.parametrize("member", [b"", b"\xff\xfe", b"[1, 2]", b"null", b"{", b"[" * 100_000])
def test_what_is_no_json_object_is_refused(member: bytes) -> None:
    with pytest.raises(UndecodableRequest):
        loads(member, SPIDER)


def test_an_error_names_no_content() -> None:
    with pytest.raises(UndecodableRequest) as raised:
        loads(stored(url="https://secret.example/" + "x" * 10, method="SECRET"), SPIDER)
    assert "SECRET" not in str(raised.value) and "secret.example" not in str(raised.value)


def test_requests_that_cannot_be_data_are_never_stored() -> None:
    with pytest.raises(ValueError, match="plain Requests"):
        dumps(FormRequest("https://www.bisnis.com/", formdata={"a": "1"}), SPIDER)
    with pytest.raises(ValueError, match="not plain data"):
        dumps(Request("https://www.bisnis.com/", meta={"page": object()}), SPIDER)


def test_plain_values() -> None:
    assert is_plain({"a": [1, 2.5, None, True, "x", {"b": []}]})
    assert is_plain((1, 2))
    assert not is_plain({1: "a"})
    assert not is_plain(b"bytes")
    assert not is_plain({"a": {1, 2}})
    nested: Any = "x"
    for _ in range(8):
        nested = [nested]
    assert is_plain(nested)
    assert not is_plain([nested])


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(meta=st.dictionaries(st.text(), plain, max_size=4), body=st.binary(max_size=50))
def test_plain_meta_and_any_body_round_trip(meta: dict[str, Any], body: bytes) -> None:
    original = Request("https://bisnis.com/read/1", meta=meta, body=body)
    back = loads(dumps(original, SPIDER), SPIDER)
    assert back.meta == original.meta and back.body == body
