"""The tests' fork server (tests/forkserver.py) starts a crawl as ``exec`` would: the same
feed, stats and exit status; the environment, working folder and signals of the command; and it
is used only where it can be the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forkserver
from tests.replay import ReplayProxy
from tests.support import (
    ROOT,
    crawl_command,
    run_crawl,
    stat,
    wait_until,
    without_crawled_at,
)

DAYS = {"since": "2025-11-20", "until": "2025-11-21", "browser": "never"}


def test_a_forked_crawl_exports_what_an_execd_one_does(
    bisnis_proxy: ReplayProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = run_crawl("bisnis", DAYS, output_dir=tmp_path / "f", proxy_env=bisnis_proxy.env())
    monkeypatch.setenv("NEWSCRAWL_TEST_FORKSERVER", "0")
    execd = run_crawl("bisnis", DAYS, output_dir=tmp_path / "e", proxy_env=bisnis_proxy.env())
    assert forked.returncode == execd.returncode == 0
    assert len(forked.items) == 32

    def exported(items: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted((without_crawled_at(i) for i in items), key=lambda i: str(i["article_id"]))

    assert exported(forked.items) == exported(execd.items)
    for name in ("item_scraped_count", "newscrawl/skipped/blocked", "newscrawl/skipped/not_found"):
        assert stat(forked.log, name) == stat(execd.log, name) > 0, name
    # the log is the crawl's own, from its first line to the closing one
    assert "Scrapy 2.19.0 started (bot: newscrawl)" in forked.log.splitlines()[0]
    assert "bisnis: 32 article(s) exported" in forked.log


def test_a_forked_crawl_gets_the_command_s_environment_and_folder(tmp_path: Path) -> None:
    """The child's environment is the command's, not the server's: a setting read from it
    (NEWSCRAWL_CONTACT_URL in the user agent), and TZ applied to its clock; its exit runs its
    atexit handlers, as Python's does."""
    command = [sys.executable, "-m", "scrapy", "settings", "--get", "USER_AGENT"]
    env = {**os.environ, "NEWSCRAWL_CONTACT_URL": "https://example.org/forked"}
    assert forkserver.forkable(command, env)
    with (tmp_path / "out").open("wb") as out, (tmp_path / "err").open("wb") as err:
        process = forkserver.server(ROOT).start(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        assert process.wait(60) == 0
    assert (tmp_path / "out").read_text().strip() == "newscrawl/0.1 (+https://example.org/forked)"
    check = "import os, time; print(os.getcwd(), time.strftime('%z'), os.environ['ONLY_HERE'])"
    # and it exits as Python does: its atexit handlers run (multiprocessing's among them)
    check += "; import atexit; atexit.register(print, 'exited')"
    # `python -m scrapy` runs Scrapy's __main__; a command of ours shows what the child sees
    command = [sys.executable, "-m", "scrapy", "runspider", str(tmp_path / "spider.py")]
    (tmp_path / "spider.py").write_text(
        f"import scrapy\n{check}\nclass S(scrapy.Spider):\n    name = 's'\n    start_urls = []\n",
        "utf-8",
    )
    # outside the checkout: no project (a SCRAPY_SETTINGS_MODULE another test left in this
    # process's environment would name a package that folder cannot import)
    outside = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env = {**outside, "TZ": "Asia/Jakarta", "ONLY_HERE": "yes"}
    with (tmp_path / "out").open("wb") as out, (tmp_path / "err").open("wb") as err:
        process = forkserver.server(ROOT).start(
            command, cwd=tmp_path, env=env, stdout=out, stderr=err
        )
        assert process.wait(60) == 0, (tmp_path / "err").read_text()
    assert (tmp_path / "out").read_text().split() == [str(tmp_path), "+0700", "yes", "exited"]


def test_a_forked_crawl_is_a_process_the_test_signals(
    bisnis_proxy: ReplayProxy, tmp_path: Path
) -> None:
    # the first index page hangs: the crawl is under way until it is signalled
    index = "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-11-20&page=1"
    slow = ReplayProxy(bisnis_proxy.fixture_dir, hang_seconds=30, faults={index: ["hang"] * 3})
    with slow:
        command = crawl_command("bisnis", DAYS, tmp_path, tmp_path / "out.jsonl")
        env = {**os.environ, **slow.env()}
        for signum, wanted in ((signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, None)):
            log = tmp_path / f"log-{signum}"
            asked = slow.count(index)
            with log.open("wb") as handle:
                process = forkserver.server(ROOT).start(
                    command, cwd=ROOT, env=env, stdout=handle, stderr=handle
                )
            os.kill(process.pid, 0)  # a real process, by its pid
            wait_until(lambda log=log: "Spider opened" in log.read_text(), timeout=60)
            # the hanging page asked for (a loaded machine opens the spider well before): a
            # graceful stop then waits for it, and only the second signal ends the crawl
            wait_until(lambda asked=asked: slow.count(index) > asked, timeout=60)
            assert process.poll() is None
            process.send_signal(signum)
            if wanted is None:  # a graceful stop waits for the hung page: signal again
                wait_until(lambda log=log: "gracefully" in log.read_text(), timeout=60)
                process.send_signal(signum)
            code = process.wait(60)
            if wanted is not None:
                assert code == wanted
            else:  # Scrapy's handlers run in the child, as in a crawl started by cron
                assert code == 3, log.read_text()[-2000:]
                assert "(reason: unclean_shutdown)" in log.read_text()
            with pytest.raises(ProcessLookupError):
                os.kill(process.pid, 0)


@pytest.mark.parametrize(
    ("command", "env", "forked"),
    [
        ([sys.executable, "-m", "scrapy", "crawl", "bisnis"], {}, True),
        (["faketime", "2025-11-14 16:05:00", sys.executable, "-m", "scrapy"], {}, False),
        ([sys.executable, "-m", "newscrawl", "crawl", "bisnis"], {}, False),
        (["/usr/bin/python3", "-m", "scrapy", "crawl", "bisnis"], {}, False),
        ([sys.executable, "-m", "scrapy"], {"PYTHONPATH": "/elsewhere"}, False),
        ([sys.executable, "-m", "scrapy"], {"LD_PRELOAD": "libfaketime.so.1"}, False),
        ([sys.executable, "-m", "scrapy"], {"NEWSCRAWL_OUTPUT_DIR": "/tmp/x"}, True),
    ],
)
def test_only_what_can_be_the_same_is_forked(
    command: list[str], env: dict[str, str], forked: bool
) -> None:
    assert forkserver.forkable(command, {**os.environ, **env}) is forked


def test_nothing_is_forked_when_the_server_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_TEST_FORKSERVER", "0")
    assert not forkserver.forkable([sys.executable, "-m", "scrapy"], dict(os.environ))


def test_the_server_preloads_no_code_of_ours_and_no_reactor() -> None:
    script = (
        "import sys; from tests import forkserver; forkserver._preload(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'newscrawl'), "
        "'twisted.internet.reactor' in sys.modules, 'scrapy.crawler' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[]", "False", "True"]
