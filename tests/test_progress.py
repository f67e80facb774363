"""Progress of long runs: one INFO line every NEWSCRAWL_PROGRESS_INTERVAL seconds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newscrawl.progress import progress_line
from tests.replay import ReplayProxy
from tests.sitegen import Generated, generate_site
from tests.support import ROOT, published_items, run_crawl


def test_progress_line() -> None:
    assert progress_line(done=5, planned=20, pages=37, exported=480, elapsed=3600) == (
        "Progress: 5/20 day indexes done, 37 index pages, 480 articles exported (8.0/min), "
        "about 3.0 h left"
    )
    assert progress_line(done=0, planned=20, pages=1, exported=0, elapsed=2) == (
        "Progress: 0/20 day indexes done, 1 index pages, 0 articles exported (0.0/min)"
    )
    assert progress_line(done=20, planned=20, pages=40, exported=10, elapsed=60).endswith(
        "indexes done"
    )
    # the last line says the run is over, never a time left
    assert progress_line(
        done=1, planned=2, pages=3, exported=4, elapsed=30, finished="finished"
    ) == (
        "Progress: run over (finished) after 30 s, 1/2 day indexes complete (1 to page again "
        "next run), 3 index pages, 4 articles exported (8.0/min)"
    )
    assert progress_line(
        done=20, planned=20, pages=40, exported=10, elapsed=600, finished="shutdown"
    ) == (
        "Progress: run over (shutdown) after 10 min, 20/20 day indexes complete, 40 index pages, "
        "10 articles exported (1.0/min)"
    )
    assert progress_line(done=0, planned=0, pages=0, exported=3, elapsed=60) == (
        "Progress: 0 index pages, 3 articles exported (3.0/min)"
    )


@pytest.fixture(scope="module")
def backfill_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Generated, Any]]:
    """20 days of 6 articles, each article page a little slow (the run takes seconds)."""
    site = generate_site(
        tmp_path_factory.mktemp("backfill") / "site",
        120,
        per_day=6,
        per_page=3,
        first_day=date(2025, 1, 1),
        slow={n: 0.05 for n in range(120)},
    )
    with ReplayProxy(site.root, lifetime=600) as proxy:
        yield site, proxy


def test_a_20_day_backfill_shows_its_progress(backfill_site: Any, tmp_path: Path) -> None:
    site, proxy = backfill_site
    result = run_crawl(
        "bisnis",
        {"since": str(site.days[0]), "until": str(site.days[-1]), "backfill": "1",
         "browser": "never"},
        output_dir=tmp_path,
        proxy_env=proxy.env(),
        default_feed=True,
        settings={"NEWSCRAWL_PROGRESS_INTERVAL": "0.5", "CONCURRENT_REQUESTS": "2"},
    )  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    lines = [line for line in result.log.splitlines() if "Progress:" in line]
    assert len(lines) >= 3, "no progress shown while the run went on"
    assert all("[newscrawl.progress] INFO: Progress: " in line for line in lines)
    done = [int(m.group(1)) for line in lines if (m := re.search(r"(\d+)/20 day indexes", line))]
    assert done == sorted(done) and done[-1] == 20 and done[0] < 20
    assert any("left" in line for line in lines[:-1])
    assert "120 articles exported" in lines[-1]
    assert "run over (finished)" in lines[-1] and "left" not in lines[-1]
    items = published_items(tmp_path, "bisnis")  # every feed line is whole JSON
    assert len(items) == 120 and all(json.dumps(item) for item in items)


def test_progress_can_be_turned_off(backfill_site: Any, tmp_path: Path) -> None:
    site, proxy = backfill_site
    result = run_crawl(
        "bisnis",
        {"since": str(site.days[0]), "until": str(site.days[0]), "browser": "never"},
        output_dir=tmp_path,
        proxy_env=proxy.env(),
        settings={"NEWSCRAWL_PROGRESS_INTERVAL": "0"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert "INFO: Progress:" not in result.log


def test_on_a_terminal_a_bar_shows_and_log_lines_stay_whole(
    backfill_site: Any, tmp_path: Path
) -> None:
    """Under a pseudo-terminal the run draws a tqdm bar; every log line still comes out whole
    (between bar redraws), and the feed is untouched."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    from tests.support import crawl_command

    site, proxy = backfill_site
    command = crawl_command(
        "bisnis",
        {"since": str(site.days[0]), "until": str(site.days[9]), "backfill": "1",
         "browser": "never"},
        tmp_path, None, {"NEWSCRAWL_PROGRESS_INTERVAL": "0.5", "CONCURRENT_REQUESTS": "2"},
    )  # fmt: skip
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a 120-column one
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **proxy.env(), "COLUMNS": "120"},
        stdin=slave, stdout=slave, stderr=slave,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=120) == 0
    os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "day indexes:" in screen and "10/10" in screen, screen[-2000:]
    last_bar = screen[screen.rindex("run over (finished):") :].split("\n", 1)[0]
    assert "100%" in last_bar and "10/10" in last_bar, last_bar  # the bar ends full, and says so
    lines = re.split(r"\r*\n", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", screen))
    logged = [line.split("\r")[-1] for line in lines if re.search(r"\d\d:\d\d:\d\d \[", line)]
    assert any("Spider closed (finished)" in line for line in logged)
    for line in logged:  # whole lines: a timestamp, a logger, a level, then the message
        assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] [A-Z]+: ", line), line
    items = published_items(tmp_path, "bisnis")
    assert len(items) == 60
