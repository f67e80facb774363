"""The User-Agent names the operator's contact URL: ``newscrawl/0.1 (+<NEWSCRAWL_CONTACT_URL>)``,
however the contact URL is set (``-s``, the environment, a settings module of one's own), on
every request a crawl or a tool sends (robots.txt too). The replay proxy records each request's
User-Agent. And where an installed package puts its output folder."""

from __future__ import annotations

import os
import runpy
import shutil
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.extensions import user_agent
from tests.replay import OFFLINE_ENV, ReplayProxy
from tests.support import ROOT, run_crawl, run_scrapy

ARGS = {"since": "2025-11-20", "channels": "186", "browser": "never"}
CONTACT = "https://example.org/about-our-crawler"
AGENT = f"newscrawl/0.1 (+{CONTACT})"


def agents(proxy: ReplayProxy) -> set[str]:
    return {served.user_agent for served in proxy.requests}


def test_the_contact_url_setting_makes_the_user_agent(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    result = run_crawl(
        "bisnis", ARGS, output_dir=tmp_path, proxy_env=bisnis_proxy.env(),
        settings={"NEWSCRAWL_CONTACT_URL": CONTACT},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    assert "https://www.bisnis.com/robots.txt" in bisnis_proxy.urls()
    assert agents(bisnis_proxy) == {AGENT}


def test_the_contact_url_from_the_environment(bisnis_proxy: ReplayProxy, tmp_path: Path) -> None:
    env = {**bisnis_proxy.env(), "NEWSCRAWL_CONTACT_URL": CONTACT}
    result = run_crawl("bisnis", ARGS, output_dir=tmp_path, proxy_env=env)
    assert result.returncode == 0, result.log[-3000:]
    assert agents(bisnis_proxy) == {AGENT}


def test_scrapy_fetch_sends_it_too_and_a_user_agent_of_ones_own_is_kept(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    url = "https://www.bisnis.com/index?categoryId=186&type=indeks&date=2025-11-20&page=1"
    for settings, want in (
        (["-s", f"NEWSCRAWL_CONTACT_URL={CONTACT}"], AGENT),
        (["-s", f"NEWSCRAWL_CONTACT_URL={CONTACT}", "-s", "USER_AGENT=MyBot/1.0"], "MyBot/1.0"),
    ):
        bisnis_proxy.reset()
        done = run_scrapy(
            [sys.executable, "-m", "scrapy", "fetch", "--nolog", url, *settings,
             "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}"],
            {**os.environ, **bisnis_proxy.env(), **OFFLINE_ENV}, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert agents(bisnis_proxy) == {want}


def settings_of(**values: str) -> Settings:
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    for name, value in values.items():
        settings.set(name, value, priority="project")
    return settings


def test_user_agent_follows_the_contact_url_of_a_settings_module() -> None:
    """A module of one's own (``from newscrawl.settings import *``, then a contact URL):
    USER_AGENT was computed with the default one; it follows the module's."""
    assert user_agent(settings_of()) == "newscrawl/0.1 (+https://github.com/newscrawl/newscrawl)"
    assert user_agent(settings_of(NEWSCRAWL_CONTACT_URL=CONTACT)) == AGENT
    both = settings_of(NEWSCRAWL_CONTACT_URL=CONTACT, USER_AGENT="Other/2 (+https://x.test)")
    assert user_agent(both) == "Other/2 (+https://x.test)"
    assert user_agent(settings_of(NEWSCRAWL_CONTACT_URL="")) == "newscrawl/0.1"


@pytest.mark.parametrize("checkout", [True, False], ids=["checkout", "installed"])
def test_the_output_folder_of_a_checkout_and_of_an_installed_package(
    tmp_path: Path, checkout: bool
) -> None:
    """In a checkout (scrapy.cfg beside the package) the checkout's output/; installed (in
    site-packages, no scrapy.cfg) a relative "output", never a folder inside site-packages."""
    root = tmp_path / ("clone" if checkout else "site-packages")
    (root / "newscrawl").mkdir(parents=True)
    shutil.copy(ROOT / "newscrawl" / "settings.py", root / "newscrawl" / "settings.py")
    if checkout:
        (root / "scrapy.cfg").write_text("[settings]\ndefault = newscrawl.settings\n")
    values = runpy.run_path(str(root / "newscrawl" / "settings.py"))
    want = str(root.resolve() / "output") if checkout else "output"
    assert values["NEWSCRAWL_OUTPUT_DIR"] == want
