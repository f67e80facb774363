"""Run a ``python -m scrapy ...`` command line in this very process, watched:

    python tests/audited.py REPORT python -m scrapy crawl bisnis ...

writes to REPORT (JSON), at exit: every address the process asked to connect to (the
``socket.connect`` audit event, raised before any packet leaves), the files among
``NEWSCRAWL_TEST_WATCH`` (paths separated by ``os.pathsep``) it opened, and its peak resident
memory (``VmHWM`` of ``/proc/self/status``, kB). The hostile archive tests run crawls through
it: that a redirect target was never connected to is read here, not guessed from a log.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any


def peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    report, command = sys.argv[1], sys.argv[2:]
    if command[1:3] != ["-m", "scrapy"]:
        raise SystemExit(f"not a python -m scrapy command line: {command[:3]}")
    watched = {path for path in os.environ.get("NEWSCRAWL_TEST_WATCH", "").split(os.pathsep)}
    watched.discard("")
    connects: list[list[Any]] = []
    opened: list[str] = []

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect":
            address = args[1]
            connects.append(list(address) if isinstance(address, tuple) else [str(address)])
        elif event == "open" and watched and str(args[0]) in watched:
            opened.append(str(args[0]))

    def write() -> None:
        result = {"connects": connects, "opened": opened, "peak_rss_kb": peak_rss_kb()}
        Path(report).write_text(json.dumps(result, default=str))

    sys.addaudithook(hook)
    atexit.register(write)
    sys.argv = ["scrapy", *command[3:]]
    sys.path[0] = os.getcwd()  # as `python -m` has it: the project is importable
    runpy.run_module("scrapy", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
