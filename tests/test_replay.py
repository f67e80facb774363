"""Tests of the offline replay proxy (tests/replay.py)."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest

from tests.replay import OFFLINE_ENV, ReplayProxy, Served, url_key

FIXTURES = Path(__file__).parent / "fixtures" / "bisnis"
SITE = FIXTURES / "site"

ROBOTS = "https://www.bisnis.com/robots.txt"
INDEX = "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=1"
INDEX_FILE = "www.bisnis.com_index_categoryId_0_type_indeks_date_2025-11-20_page_1.html"
FLAKY_PATH = (
    "/read/20251121/90/1931052/proyeksi-penyaluran-kredit-kuartal-iv2025-analis-beberkan-risiko"
)
FLAKY = "https://finansial.bisnis.com" + FLAKY_PATH
GATED_PATH = (
    "/read/20251120/192/1931009/nusantara-sejahtera-bakal-menerbitkan-obligasi-berkelanjutan-"
    "pada-2026"
)
GATED = "https://market.bisnis.com" + GATED_PATH
GATED_FILE = "market.bisnis.com" + GATED_PATH.replace("/", "_") + ".html"
CHALLENGED = (
    "https://bandung.bisnis.com/read/20251120/549/1931005/indeks-harga-saham-gabungan-ihsg-"
    "meningkat-58887-kementerian-keuangan-siapkan-langkah-lanjutan"
)


@pytest.fixture
def proxy() -> Iterator[ReplayProxy]:
    with ReplayProxy(FIXTURES, lifetime=30) as running:
        yield running


def unverified_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def tunnel(proxy: ReplayProxy, host: str, port: int = 443) -> http.client.HTTPSConnection:
    conn = http.client.HTTPSConnection(
        "127.0.0.1", proxy.port, context=unverified_context(), timeout=5
    )
    conn.set_tunnel(host, port)
    return conn


def fetch(
    proxy: ReplayProxy, host: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = tunnel(proxy, host)
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def opener(proxy: ReplayProxy) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy.url, "https": proxy.url}),
        urllib.request.HTTPSHandler(context=unverified_context()),
    )


def test_https_page_through_connect_is_the_fixture(proxy: ReplayProxy) -> None:
    with opener(proxy).open(ROBOTS, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain"
        body = response.read()
    assert body == (SITE / "www.bisnis.com_robots.txt.txt").read_bytes()
    [record] = proxy.requests
    assert record.url == ROBOTS
    assert record.status == 200
    assert not record.unknown
    assert record.user_agent.startswith("Python-urllib")
    assert proxy.urls() == [ROBOTS]
    assert proxy.count(ROBOTS) == 1


def test_query_parameter_order_does_not_matter(proxy: ReplayProxy) -> None:
    shuffled = "/index?page=1&date=2025-11-20&type=indeks&categoryId=0"
    status, _, body = fetch(proxy, "www.bisnis.com", shuffled)
    assert status == 200
    assert body == (SITE / INDEX_FILE).read_bytes()
    assert proxy.urls() == ["https://www.bisnis.com" + shuffled]
    assert proxy.count(INDEX) == 1


def test_unknown_url_is_404_and_recorded_as_unknown(proxy: ReplayProxy) -> None:
    url = "https://www.bisnis.com/read/20990101/1/1/nothing-here"
    with pytest.raises(HTTPError) as caught:
        opener(proxy).open(url, timeout=5)
    error = caught.value
    try:
        assert error.code == 404
        assert b"404" in error.read()
    finally:
        error.close()
    assert proxy.requests == [Served("GET", url, 404, "", proxy.requests[0].user_agent, True)]
    assert proxy.urls(status=404) == [url]
    assert proxy.urls(status=200) == []


def test_fail_first_with_gives_503_then_the_page(proxy: ReplayProxy) -> None:
    first, _, _ = fetch(proxy, "finansial.bisnis.com", FLAKY_PATH)
    second, headers, body = fetch(proxy, "finansial.bisnis.com", FLAKY_PATH)
    third, _, _ = fetch(proxy, "finansial.bisnis.com", FLAKY_PATH)
    assert (first, second, third) == (503, 200, 200)
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    page = SITE / ("finansial.bisnis.com" + FLAKY_PATH.replace("/", "_") + ".html")
    assert body == page.read_bytes()
    assert [r.status for r in proxy.requests] == [503, 200, 200]
    proxy.reset()
    assert proxy.requests == []
    assert fetch(proxy, "finansial.bisnis.com", FLAKY_PATH)[0] == 503


def test_js_gate_needs_the_cookie(proxy: ReplayProxy) -> None:
    status, headers, body = fetch(proxy, "market.bisnis.com", GATED_PATH)
    assert status == 403
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    gate = (FIXTURES / "js_gate.html").read_text("utf-8")
    assert body.decode("utf-8") == gate.replace("{host}", "market.bisnis.com")
    assert b"{host}" not in body

    cookie = "theme=dark; bisnis_js=1"
    status, _, body = fetch(proxy, "market.bisnis.com", GATED_PATH, {"Cookie": cookie})
    assert status == 200
    assert body == (SITE / GATED_FILE).read_bytes()
    assert [(r.status, r.cookie) for r in proxy.requests] == [(403, ""), (200, cookie)]
    assert proxy.count(GATED) == 2


def test_cloudflare_challenge_keeps_its_headers(proxy: ReplayProxy) -> None:
    host, _, path = CHALLENGED.removeprefix("https://").partition("/")
    status, headers, body = fetch(proxy, host, "/" + path)
    assert status == 403
    assert headers["cf-mitigated"] == "challenge"
    assert headers["server"] == "cloudflare"
    assert int(headers["Content-Length"]) == len(body)


def test_keep_alive_serves_several_requests_over_one_tunnel(proxy: ReplayProxy) -> None:
    conn = tunnel(proxy, "www.bisnis.com")
    try:
        conn.request("GET", "/robots.txt")
        first = conn.getresponse()
        assert first.status == 200
        assert first.getheader("Connection") == "keep-alive"
        first.read()
        sock = conn.sock
        conn.request("POST", "/sitemap-news.xml", body=b"x" * 5000)  # body read and discarded
        second = conn.getresponse()
        assert second.status == 200
        assert second.read() == (SITE / "www.bisnis.com_sitemap-news.xml.xml").read_bytes()
        conn.request("HEAD", "/robots.txt")
        third = conn.getresponse()
        assert third.status == 200
        assert third.read() == b""
        assert int(third.headers["Content-Length"]) == len(
            (SITE / "www.bisnis.com_robots.txt.txt").read_bytes()
        )
        assert conn.sock is sock
    finally:
        conn.close()
    assert proxy.connections == 1
    assert [r.method for r in proxy.requests] == ["GET", "POST", "HEAD"]


def test_connection_close_is_honoured(proxy: ReplayProxy) -> None:
    request = (
        b"GET http://www.bisnis.com/robots.txt HTTP/1.1\r\n"
        b"Host: www.bisnis.com\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):  # ends when the proxy closes the connection
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close" in head
    assert body == (SITE / "www.bisnis.com_robots.txt.txt").read_bytes()


def test_plain_http_absolute_form_falls_back_to_the_https_entry(proxy: ReplayProxy) -> None:
    url = "http://www.bisnis.com/robots.txt"
    with opener(proxy).open(url, timeout=5) as response:
        assert response.status == 200
        body = response.read()
    assert body == (SITE / "www.bisnis.com_robots.txt.txt").read_bytes()
    assert proxy.urls() == [url]
    assert not proxy.requests[0].unknown


def test_connect_anywhere_is_accepted_but_only_fixtures_answer(proxy: ReplayProxy) -> None:
    conn = tunnel(proxy, "example.org", 8443)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.status == 404
        response.read()
    finally:
        conn.close()
    assert proxy.urls(status=404) == ["https://example.org:8443/"]


def test_verifying_client_can_trust_the_certificate(proxy: ReplayProxy) -> None:
    context = ssl.create_default_context(cafile=str(proxy.ca_cert_path))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=context, timeout=5)
    conn.set_tunnel("market.bisnis.com", 443)
    try:
        conn.request("GET", "/robots.txt")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    finally:
        conn.close()


def test_log_path_gets_one_json_line_per_request(tmp_path: Path) -> None:
    log_path = tmp_path / "requests.jsonl"
    with ReplayProxy(FIXTURES, lifetime=30, log_path=log_path) as proxy:
        fetch(proxy, "www.bisnis.com", "/robots.txt", {"User-Agent": "test-agent"})
        fetch(proxy, "www.bisnis.com", "/missing")
    lines = [json.loads(line) for line in log_path.read_text("utf-8").splitlines()]
    connects = [x["url"] for x in lines if x["method"] == "CONNECT"]
    answered = [x for x in lines if x["method"] != "CONNECT"]
    assert connects == ["www.bisnis.com:443", "www.bisnis.com:443"]
    assert [(x["url"], x["status"], x["unknown"]) for x in answered] == [
        (ROBOTS, 200, False),
        ("https://www.bisnis.com/missing", 404, True),
    ]
    assert answered[0]["user_agent"] == "test-agent"


def test_every_connect_is_logged_even_without_a_request(proxy: ReplayProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as conn:
        conn.sendall(b"CONNECT accounts.google.com:443 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 200")
    fetch(proxy, "www.bisnis.com", "/robots.txt")
    deadline = time.monotonic() + 5
    while len(proxy.connects) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proxy.connects == ["accounts.google.com:443", "www.bisnis.com:443"]
    assert proxy.hosts() == {"accounts.google.com", "www.bisnis.com"}


def test_stops_by_itself_after_its_lifetime() -> None:
    proxy = ReplayProxy(FIXTURES, lifetime=0.3).start()
    port, cert_dir = proxy.port, proxy.ca_cert_path.parent
    assert proxy.running
    assert proxy.wait(timeout=5)
    assert not proxy.running
    proxy.stop()
    proxy.stop()
    assert not cert_dir.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_stop_is_idempotent_and_start_is_once_only() -> None:
    proxy = ReplayProxy(FIXTURES)
    with pytest.raises(RuntimeError):
        _ = proxy.port
    proxy.stop()  # never started: nothing to do
    proxy.start()
    try:
        with pytest.raises(RuntimeError):
            proxy.start()
    finally:
        proxy.stop()
    proxy.stop()
    assert not proxy.running


def test_env_points_every_variable_at_the_proxy(proxy: ReplayProxy) -> None:
    url = f"http://127.0.0.1:{proxy.port}"
    assert proxy.url == url
    assert proxy.env() == {
        "http_proxy": url,
        "https_proxy": url,
        "HTTP_PROXY": url,
        "HTTPS_PROXY": url,
        "no_proxy": "",
        "NO_PROXY": "",
    }
    assert OFFLINE_ENV == {"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.bisnis.com:443/robots.txt", "https://www.bisnis.com/robots.txt"),
        ("http://WWW.Bisnis.com:80", "http://www.bisnis.com/"),
        ("https://x.bisnis.com/i?b=2&a=1", "https://x.bisnis.com/i?a=1&b=2"),
        ("https://x.bisnis.com/i?a=1#frag", "https://x.bisnis.com/i?a=1"),
    ],
)
def test_url_key_normalises_harmless_differences(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://www.bisnis.com/robots.txt", "https://www.bisnis.com/robots.txt"),
        ("https://www.bisnis.com:8443/", "https://www.bisnis.com/"),
        ("https://x.bisnis.com/Read", "https://x.bisnis.com/read"),
        ("https://x.bisnis.com/i?a=1", "https://x.bisnis.com/i?a=2"),
        ("https://x.bisnis.com/i/", "https://x.bisnis.com/i"),
    ],
)
def test_url_key_keeps_meaningful_differences(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


ROBOTS = "https://www.bisnis.com/robots.txt"


def raw_get(proxy: ReplayProxy, url: str, timeout: float = 5) -> bytes:
    """Everything the proxy sends for one plain-HTTP GET of ``url`` until it closes."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout) as conn:
        conn.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            chunks.append(b"<reset>")
        return b"".join(chunks)


def test_faults_are_served_first_then_the_page() -> None:
    url = ROBOTS.replace("https:", "http:")
    kinds = ["truncate", "gzip", "http_502", "reset"]
    with ReplayProxy(FIXTURES, lifetime=30, faults={ROBOTS: kinds}) as proxy:
        truncated = raw_get(proxy, url)
        head, _, body = truncated.partition(b"\r\n\r\n")
        length = int(
            next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")).split(
                b":"
            )[1]
        )
        assert length > len(body)
        gzip_answer = raw_get(proxy, url)
        assert b"Content-Encoding: gzip" in gzip_answer and b"Disallow" not in gzip_answer
        assert raw_get(proxy, url).startswith(b"HTTP/1.1 502")
        assert len(raw_get(proxy, url)) < len(truncated)
        assert b"Disallow: /ajax/" in raw_get(proxy, url)


def test_cut_faults_send_a_whole_answer_of_half_a_document() -> None:
    url = ROBOTS.replace("https:", "http:")
    page = (SITE / "www.bisnis.com_robots.txt.txt").read_bytes()
    with ReplayProxy(FIXTURES, lifetime=30, faults={ROBOTS: ["cut_gzip", "cut_html"]}) as proxy:
        bodies = []
        for _ in range(2):
            head, _, body = raw_get(proxy, url).partition(b"\r\n\r\n")
            assert f"Content-Length: {len(body)}".encode() in head
            bodies.append(body)
        cut_gzip, cut_html = bodies
        unpacked = zlib.decompressobj(wbits=31).decompress(cut_gzip)
        assert 0 < len(unpacked) < len(page) and page.startswith(unpacked)
        assert cut_html == page[: len(page) // 2]
        assert raw_get(proxy, url).endswith(page)


def test_hang_answers_nothing_until_the_client_gives_up() -> None:
    with ReplayProxy(FIXTURES, lifetime=30, faults={ROBOTS: ["hang"]}, hang_seconds=5) as proxy:
        with (
            pytest.raises(TimeoutError),
            socket.create_connection(("127.0.0.1", proxy.port), timeout=0.5) as conn,
        ):
            conn.sendall(b"GET http://www.bisnis.com/robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.recv(10)
        assert b"Disallow" in raw_get(proxy, "http://www.bisnis.com/robots.txt")


def test_unknown_fault_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        ReplayProxy(FIXTURES, faults={ROBOTS: ["explode"]})
