"""Chromium through scrapy-playwright, only for pages behind a JavaScript check.

These tests need Debian's Chromium (``/usr/bin/chromium`` or ``$NEWSCRAWL_CHROMIUM``). Without
it they are skipped with a reason, except under ``CI=true``, where a missing browser fails them.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.browser import (
    CHROMIUM_ARGS,
    DEAD_END,
    PROFILE_PREFIX,
    chromium_available,
    chromium_path,
    env_proxies,
    new_profile,
    site_launch_options,
)
from tests.replay import ReplayProxy
from tests.sitegen import BISNIS, SiteBuilder, generate_site
from tests.support import CrawlResult, expected, manifest, notes, run_crawl

DAYS = {"since": "2025-11-20", "until": "2025-11-21"}
GATED = set(notes()["js_gate"])
BLOCKED = notes()["faults"]["blocked_403"]
GONE = notes()["faults"]["gone_404"]
SEED = notes()["seed_article"]
#: Short enough for tests: the real challenge never passes, so the browser waits this long.
FAST = {"NEWSCRAWL_BROWSER_WAIT_MS": "2000"}


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    if chromium_available(Settings()):
        return
    message = f"Chromium not found at {chromium_path(Settings())}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must install it (.ci/run does)")
    pytest.skip(f"{message}; install it with apt-get install -y --no-install-recommends chromium")


def browser_processes() -> list[str]:
    """Chromium processes started by Playwright (they use a profile directory of ours or a
    playwright one)."""
    done = subprocess.run(
        ["pgrep", "-af", f"{PROFILE_PREFIX}|playwright_chromiumdev_profile"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if "pgrep" not in line]


def off_site(hosts: set[str]) -> set[str]:
    return {host for host in hosts if host != "bisnis.com" and not host.endswith(".bisnis.com")}


def log_line(result: CrawlResult, text: str) -> str:
    return next(line for line in result.log.splitlines() if text in line)


def logged_at(result: CrawlResult, text: str) -> datetime:
    return datetime.strptime(log_line(result, text)[:19], "%Y-%m-%d %H:%M:%S")


def stat(result: CrawlResult, name: str) -> int:
    for line in result.log.splitlines():
        if line.strip().startswith(f"'{name}':"):
            return int(line.split(":", 1)[1].strip().rstrip(",}"))
    return 0


def without_crawled_at(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "crawled_at"}


def test_gated_articles_are_rendered_and_exported(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    before = browser_processes()
    result = run_crawl(
        "bisnis", DAYS, output_dir=tmp_path, proxy_env=bisnis_proxy.env(), settings=FAST
    )
    assert result.returncode == 0, result.log[-3000:]
    by_id = {item["article_id"]: item for item in result.items}
    want = set(expected()) - {SEED, BLOCKED, GONE}
    assert set(by_id) == want
    for article_id in want:
        assert without_crawled_at(by_id[article_id]) == expected()[article_id]
    # one render per gated page, and one (failed) try for the real Cloudflare challenge
    assert stat(result, "newscrawl/browser/renders") == len(GATED) + 1
    assert stat(result, "newscrawl/browser/passed") == len(GATED)
    assert stat(result, "newscrawl/browser/still_blocked") == 1
    assert stat(result, "newscrawl/skipped/blocked") == 1
    assert f"/{BLOCKED}/" in next(
        line for line in result.log.splitlines() if "Skipped" in line and "(blocked" in line
    )
    # the browser asked for nothing but the site (tunnels included), and no images
    assert bisnis_proxy.connects, "no CONNECT was logged"
    assert not off_site(bisnis_proxy.hosts()), bisnis_proxy.hosts()
    assert all(".bisnis.com/" in url for url in bisnis_proxy.urls())
    assert not any(url.endswith((".jpg", ".png", ".css")) for url in bisnis_proxy.urls())
    assert browser_processes() == before, "a Chromium process was left behind"
    profile = log_line(result, "Starting Chromium").rsplit("; profile ", 1)[1]
    assert profile.startswith(os.path.join(tempfile.gettempdir(), PROFILE_PREFIX))
    assert not Path(profile).exists(), "the browser's profile was left behind"
    manifest = next(tmp_path.glob("bisnis/runs/*.json")).read_text()
    assert '"renders": 3' in manifest


#: Off-site references of the kind news pages carry. Scripts and images are aborted by the page's
#: route; preconnect and DNS prefetch never reach it: the PAC's dead end stops those.
OFF_SITE_HEAD = (
    '<link rel="preconnect" href="https://www.google-analytics.com">'
    '<link rel="dns-prefetch" href="//fonts.googleapis.com">'
    '<link rel="prefetch" href="https://cdn.example.net/next.js">'
    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST"></script>'
    '<img src="https://securepubads.g.doubleclick.net/pixel.gif" alt="">'
)
#: How long the browser stays open with nothing to do while the crawl waits for a slow page.
IDLE_SECONDS = 10


def test_browser_contacts_only_the_site_while_open_and_idle(tmp_path: Path) -> None:
    """Every host the crawl asks the proxy for, by CONNECT or plain request, is on the site:
    Chromium's own calls included (sign-in and a component update come in its first seconds),
    over a crawl that keeps the browser open and idle for 10 s (an article answers 12 s late).
    The gate page also names hosts off the site, as news pages do."""
    builder = SiteBuilder(BISNIS, tmp_path / "site")
    gate = (builder.dst / "js_gate.html").read_text("utf-8")
    (builder.dst / "js_gate.html").write_text(gate.replace("</head>", OFF_SITE_HEAD + "</head>"))
    slow = next(
        entry["url"]
        for article_id, entry in sorted(expected().items())
        if article_id not in GATED | {SEED, BLOCKED, GONE}
    )
    builder.entries[slow]["delay"] = IDLE_SECONDS + 2
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        result = run_crawl(
            "bisnis", DAYS, output_dir=tmp_path / "out", proxy_env=proxy.env(), settings=FAST
        )
        hosts, connects = proxy.hosts(), list(proxy.connects)
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result, "newscrawl/browser/passed") == len(GATED)
    assert slow in {item["url"] for item in result.items}
    opened = logged_at(result, "Starting Chromium")
    idle = (logged_at(result, "Closing spider") - opened).total_seconds()
    assert idle >= IDLE_SECONDS, f"the browser was open for {idle} s only"
    assert any(host.endswith(".bisnis.com") for host in (c.split(":")[0] for c in connects))
    assert not off_site(hosts), f"hosts off the site were asked for: {sorted(off_site(hosts))}"


def run_pac(script: str, urls: list[str]) -> list[str]:
    """``FindProxyForURL`` of ``script`` for each URL, run by Playwright's own Node.js."""
    from playwright._impl._driver import compute_driver_executable

    node = compute_driver_executable()[0]
    program = (
        script
        + f"for (const url of {json.dumps(urls)}) console.log(FindProxyForURL(url,"
        + " new URL(url).hostname));"
    )
    done = subprocess.run(
        [node, "-e", program], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.splitlines()


def pac_of(options: dict[str, Any]) -> str:
    pac_arg = next(a for a in options["args"] if a.startswith("--proxy-pac-url="))
    return base64.b64decode(pac_arg.split("base64,", 1)[1]).decode("utf-8")


def test_pac_routes_the_site_to_the_proxy_and_everything_else_to_a_dead_end() -> None:
    env = {
        "https_proxy": "http://user:p%40ss@proxy.internal:3128",
        "http_proxy": "http://proxy.internal:8080",
        "no_proxy": "localhost, .direct.bisnis.com",
    }
    options = site_launch_options({"args": ["--x"]}, ["bisnis.com"], env)
    urls = [
        "https://www.bisnis.com/read/1",
        "http://market.bisnis.com/",
        "https://bisnis.com/",
        "https://a.direct.bisnis.com/",
        "https://accounts.google.com/ListAccounts",
        "http://update.googleapis.com/service/update2/json",
        "https://bisnis.com.example.net/",
        "https://notbisnis.com/",
        "https://203.0.113.7/",
        "http://localhost:8000/",
    ]
    blocked = f"PROXY {DEAD_END}"
    assert run_pac(pac_of(options), urls) == [
        "PROXY proxy.internal:3128",
        "PROXY proxy.internal:8080",
        "PROXY proxy.internal:3128",
        "DIRECT",
        *[blocked] * 6,
    ]
    rules = next(a for a in options["args"] if a.startswith("--host-resolver-rules="))
    assert rules == (
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE bisnis.com, EXCLUDE *.bisnis.com,"
        " EXCLUDE proxy.internal"
    )
    # Playwright answers the proxy's challenge; the PAC still decides where requests go
    assert options["proxy"] == {
        "server": "http://proxy.internal:3128",
        "username": "user",
        "password": "p@ss",
    }
    assert options["args"][0] == "--x"
    # without a proxy the site is reached directly, and nothing else at all
    direct = site_launch_options({}, ["bisnis.com"], {})
    assert run_pac(pac_of(direct), ["https://www.bisnis.com/", "https://www.google.com/"]) == [
        "DIRECT",
        blocked,
    ]
    assert "proxy" not in direct


@pytest.mark.parametrize(
    "env",
    [
        {"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2", "NO_PROXY": "x.bisnis.com"},
        {"https_proxy": "", "HTTPS_PROXY": "http://b:2", "http_proxy": "http://c:3"},
        {"HTTP_PROXY": "http://c:3", "no_proxy": "*"},
    ],
)
def test_proxy_variables_are_read_like_scrapy(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert env_proxies(os.environ) == urllib.request.getproxies_environment()


def test_each_crawl_gets_a_fresh_profile_without_dns_probes() -> None:
    first, second = new_profile(), new_profile()
    try:
        assert first != second and first.name.startswith(PROFILE_PREFIX)
        preferences = json.loads((first / "Default" / "Preferences").read_text("utf-8"))
        assert preferences == {"alternate_error_pages": {"enabled": False}}
    finally:
        shutil.rmtree(first)
        shutil.rmtree(second)


def test_no_second_disable_features_switch() -> None:
    """Chromium keeps the last --disable-features only: one of ours would drop Playwright's."""
    assert not any(
        arg.startswith(("--disable-features", "--enable-features")) for arg in CHROMIUM_ARGS
    )


def test_browser_never_counts_gated_pages_as_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**DAYS, "browser": "never"}, output_dir=tmp_path, proxy_env=bisnis_proxy.env()
    )
    assert result.returncode == 0
    assert stat(result, "newscrawl/skipped/blocked") == len(GATED) + 1
    assert stat(result, "newscrawl/browser/renders") == 0
    assert "Starting Chromium" not in result.log


def test_no_browser_for_a_crawl_that_never_needs_it(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis",
        {"start_urls": "https://market.bisnis.com/bursa-saham"},
        output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(),
    )
    assert result.returncode == 0 and len(result.items) == 1
    assert "Starting Chromium" not in result.log and "Launching browser" not in result.log


def test_missing_chromium_in_fallback_warns_once_and_counts_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", DAYS, output_dir=tmp_path, proxy_env=bisnis_proxy.env(),
        settings={"NEWSCRAWL_CHROMIUM_PATH": "/nonexistent/chromium"},
    )  # fmt: skip
    assert result.returncode == 0
    warnings = [line for line in result.log.splitlines() if "Chromium not found" in line]
    assert len(warnings) == 1 and "apt-get install" in warnings[0]
    assert stat(result, "newscrawl/skipped/blocked") == len(GATED) + 1


def test_browser_always_without_chromium_fails_at_start(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", {**DAYS, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings={"NEWSCRAWL_CHROMIUM_PATH": "/nonexistent/chromium"},
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and "Chromium not found at /nonexistent/chromium" in errors[0]
    assert bisnis_proxy.urls() == []


def test_cookies_earned_in_the_browser_are_reused(tmp_path: Path) -> None:
    site = generate_site(tmp_path / "site", 12, per_day=12, per_page=20)
    builder = SiteBuilder(site.root, tmp_path / "gated")
    gated = [url for url in site.articles.values() if "://market." in url or "://kabar24." in url]
    assert len(gated) >= 4
    for url in gated:
        builder.entries[url]["js_gate"] = True
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        result = run_crawl(
            "bisnis", {"since": str(site.days[0])}, output_dir=tmp_path / "out",
            proxy_env=proxy.env(), settings=FAST,
        )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert {item["article_id"] for item in result.items} == set(site.articles)
    hosts = {url.split("/")[2] for url in gated}
    assert stat(result, "newscrawl/browser/renders") == len(hosts), "one render per host"
    assert stat(result, "newscrawl/browser/cookies_reused") >= len(gated) - len(hosts)


def test_gated_reference_page_through_the_browser_only(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    url = next(u for u in (e["url"] for e in expected().values()) if f"/{sorted(GATED)[0]}/" in u)
    result = run_crawl(
        "bisnis", {"start_urls": url, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings=FAST,
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert [without_crawled_at(item) for item in result.items] == [expected()[sorted(GATED)[0]]]
    assert stat(result, "newscrawl/browser/reason/always") == 1


def test_site_builder_keeps_reference_pages(tmp_path: Path) -> None:
    builder = SiteBuilder(BISNIS, tmp_path / "copy")
    assert len(builder.entries) == len(list((BISNIS / "site").iterdir()))


def test_a_page_gone_in_the_browser_is_not_counted_blocked(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    gone = next(url for url, entry in manifest().items() if f"/{GONE}/" in url and "?" not in url)
    result = run_crawl(
        "bisnis", {"start_urls": gone, "browser": "always"}, output_dir=tmp_path,
        proxy_env=bisnis_proxy.env(), settings=FAST,
    )  # fmt: skip
    # Chromium shows the 404 page, which is neither a check nor an article
    assert stat(result, "newscrawl/skipped/no_body") == 1
    assert stat(result, "newscrawl/skipped/blocked") == 0


def test_a_rendered_page_that_redirects_off_site_reaches_no_other_host(tmp_path: Path) -> None:
    """Chromium follows redirects itself (Playwright's routes see only the first URL): a gated
    article whose real page, once the check is passed, redirects to another host must not
    reach it, nor must the plain requests released with the earned cookies."""
    builder = SiteBuilder(BISNIS, tmp_path / "site")
    moved = sorted(GATED)[0]
    url = expected()[moved]["url"]
    builder.put(url, "", status=302, js_gate=True, headers={"Location": "https://evil.example/x"})
    with ReplayProxy(builder.save(), lifetime=300) as proxy:
        result = run_crawl(
            "bisnis", DAYS, output_dir=tmp_path / "out", proxy_env=proxy.env(), settings=FAST
        )
        hosts = proxy.hosts()
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result, "newscrawl/browser/renders") >= 1
    assert moved not in {item["article_id"] for item in result.items}
    assert not off_site(hosts), f"hosts off the site were asked for: {sorted(off_site(hosts))}"
