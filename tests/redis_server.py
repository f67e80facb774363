"""A real redis-server for the distributed tests: Debian's, started on a free loopback port in
a temporary folder (append-only file on), stopped after. Never a mock.

Without ``redis-server`` on the PATH the tests that need it are skipped, except under
``CI=true``, where they fail (``make setup`` installs it when run as root; so does ``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest
import redis

REDIS_SERVER = "redis-server"


def require_redis_server() -> str:
    """The path of redis-server; a skip without it (a failure under ``CI=true``)."""
    path = shutil.which(REDIS_SERVER)
    if path is None:
        message = "redis-server is missing (make setup installs Debian's redis-server as root)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server on 127.0.0.1 with its data in ``folder`` (append-only file, fsynced every
    second: what the README recommends; a SIGTERM writes it whole)."""

    def __init__(self, folder: Path, password: str = "") -> None:
        self.binary = require_redis_server()
        self.folder = folder
        self.port = _free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=5, password=self.password or None
        )

    def start(self) -> Self:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            self.binary,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.folder),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--protected-mode", "yes",
            "--daemonize", "no",
            "--logfile", str(self.folder / "redis.log"),
            *(["--requirepass", self.password] if self.password else []),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client().ping():
                    return self
            except redis.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {self.log()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (Redis writes its append-only file and exits) and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop, stay down ``down_seconds``, start again on the same port and folder."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def flush(self) -> None:
        self.client().flushall()

    def log(self) -> str:
        path = self.folder / "redis.log"
        return path.read_text("utf-8", errors="replace") if path.exists() else ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
