"""A crawl with no network, or behind a proxy that is down: the log's last line says why
(``every request failed: no network? (DNS lookup failed x6) — exit status 3``), with no
traceback on the way, and ``make crawl`` ends with the crawl's own status besides make's 2.

No DNS server is asked: the resolver fails every name (tests/offline_resolver.py); the proxy
that is down is a closed port on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from tests.support import ROOT, crawl_command, run_crawl

ARGS = {"since": "2025-11-20", "channels": "194", "browser": "never"}
NO_PROXY = {"http_proxy": "", "https_proxy": "", "HTTP_PROXY": "", "HTTPS_PROXY": ""}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def down_proxy() -> dict[str, str]:
    url = f"http://127.0.0.1:{closed_port()}"
    return {"http_proxy": url, "https_proxy": url, "HTTP_PROXY": url, "HTTPS_PROXY": url}


def test_no_network_ends_with_the_line_that_says_so(tmp_path: Path) -> None:
    result = run_crawl(
        "bisnis", ARGS, output_dir=tmp_path, proxy_env=NO_PROXY,
        settings={"TWISTED_DNS_RESOLVER": "tests.offline_resolver.NoNetworkResolver"},
    )  # fmt: skip
    assert result.returncode == 3
    last = result.log.rstrip().splitlines()[-1]
    assert " ERROR: bisnis: every request failed: no network? (DNS lookup failed x" in last, last
    assert last.endswith(" — exit status 3")
    assert "Traceback" not in result.log
    assert "Unhealthy run: all " in result.log and "(DNS lookup failed x" in result.log


def test_a_proxy_that_is_down_ends_with_the_line_that_says_so(tmp_path: Path) -> None:
    result = run_crawl("bisnis", ARGS, output_dir=tmp_path, proxy_env=down_proxy())
    assert result.returncode == 3
    last = result.log.rstrip().splitlines()[-1]
    assert "every request failed: no network, or the proxy" in last, last
    assert "(connection refused x" in last and last.endswith(" — exit status 3")
    assert "Traceback" not in result.log


def outside_make() -> dict[str, str]:
    """The environment without what an enclosing make passes down (under `make test` the
    inner make would call itself make[1] and share the outer one's jobs)."""
    return {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}


def test_make_crawl_ends_with_the_crawls_own_status(tmp_path: Path) -> None:
    """make exits 2 for any failed recipe; the crawl's status is in its last lines."""
    settings = crawl_command("bisnis", {}, tmp_path)[5:]  # the tests' -s settings
    args = " ".join([*(f"-a {k}={v}" for k, v in ARGS.items()), *settings])
    done = subprocess.run(
        # -o setup: the venv is there; nothing is installed (no network)
        ["make", "--no-print-directory", "-o", "setup", "crawl", f"ARGS={args}"],
        cwd=ROOT, env={**outside_make(), **down_proxy()},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.rstrip().splitlines()
    assert "every request failed" in lines[-3] and lines[-3].endswith(" — exit status 3")
    assert lines[-2] == (
        "make crawl: the crawl exited with status 3 (make exits 2 for any failed crawl)"
    )
    assert lines[-1].startswith("make: *** ") and lines[-1].endswith("Error 3")
    assert "Traceback" not in done.stderr
