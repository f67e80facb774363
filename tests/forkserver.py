"""A fork server for the tests' ``scrapy crawl`` subprocesses: ``python -m scrapy`` without
paying for Python's start and Scrapy's imports each time.

A crawl subprocess spends about a second importing Scrapy, Twisted, scrapy-playwright and redis
before it reads a page; the suite starts hundreds. :class:`ForkServer` is a process that has
imported those third-party libraries once (never ``newscrawl``, never a reactor, nothing that
reads the environment at import) and, asked over a Unix socket, forks a child that becomes
``python -m scrapy ARGS`` as :mod:`subprocess` would have started it: the command's working
directory, environment (``TZ`` applied), arguments, ``sys.path[0]``, and the caller's stdin,
stdout and stderr (passed as file descriptors). The child is a real process the test signals
and kills by its pid; :class:`ForkedProcess` has the part of :class:`subprocess.Popen` the
tests use (``pid``, ``poll``, ``wait``, ``send_signal``, ``terminate``, ``kill``,
``returncode``).

What cannot be the same is started the usual way (:func:`forkable`): a command that is not
``python -m scrapy``, a prefix (``faketime``), or an environment that differs from the
server's in what Python reads at start (``PYTHON*``) or a preloaded library could
(``LD_*``, ``FAKETIME*``). ``NEWSCRAWL_TEST_FORKSERVER=0`` turns the server off: every crawl is
``exec``'d (docs/testing.md). ``tests/test_forkserver.py`` holds it to the same feeds and
exit statuses as ``exec``.

The server is single-threaded (a fork copies only the thread that forks), serves the process
that started it, and ends when that process is gone.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import json
import os
import runpy
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

#: What the server imports once: the third-party libraries every crawl imports, but for those
#: that read the environment when imported (tldextract builds its extractor then: newscrawl
#: sets its environment first).
PRELOAD = (
    "scrapy.cmdline",
    "scrapy.crawler",
    "scrapy.core.downloader.handlers.http11",
    "scrapy.http",
    "scrapy.spiders",
    "scrapy_playwright.handler",
    "scrapy_playwright.page",
    "redis",
    "redis.asyncio",
    "twisted.internet.asyncioreactor",
    "lxml.html",
    "parsel",
    "itemloaders",
    "dateparser",
    "fastwarc.warc",
    "warcio.archiveiterator",
    "fastjsonschema",
    # what tldextract imports, without tldextract itself
    "requests",
    "requests_file",
    "filelock",
    # the reading worker's pool, the state's database, the distributed mode's components
    "multiprocessing.connection",
    "multiprocessing.queues",
    "concurrent.futures.process",
    "sqlite3",
    "scrapy_redis.scheduler",
    "scrapy_redis.dupefilter",
    # Scrapy's engine and what its default settings name (below)
    "scrapy.core.engine",
    "scrapy.core.scraper",
    "scrapy.pqueues",
    "scrapy.squeues",
    "scrapy.dupefilters",
    "scrapy.statscollectors",
    "scrapy.logformatter",
    "scrapy.loader",
    "scrapy.http.cookies",
)
#: Scrapy's default settings whose components every crawl loads: their modules are preloaded too.
DEFAULT_COMPONENTS = ("DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE", "EXTENSIONS_BASE")
#: Environment variables read when a Python process or a preloaded library starts: a command
#: whose value differs from the server's is started the usual way.
STARTUP_PREFIXES = ("PYTHON", "LD_", "FAKETIME")

_HEADER = struct.Struct("!I")
_STATUS = struct.Struct("!i")


def _preload() -> None:
    import importlib

    from scrapy.settings import default_settings

    components = {
        path.rpartition(".")[0]
        for setting in DEFAULT_COMPONENTS
        for path in getattr(default_settings, setting)
    }
    for name in (*PRELOAD, *sorted(components)):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _recv_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    fds = array.array("i")
    header, ancdata, _, _ = conn.recvmsg(_HEADER.size, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    (length,) = _HEADER.unpack(header)
    payload = b""
    while len(payload) < length:
        chunk = conn.recv(length - len(payload))
        if not chunk:
            raise ConnectionError("the request was cut short")
        payload += chunk
    return json.loads(payload), list(fds)


def _become(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked child: become ``python -m scrapy ARGS``; its exit status."""
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    tempfile.tempdir = None  # TMPDIR as the command's environment has it
    sys.path[0] = request["cwd"]
    sys.argv = ["scrapy", *request["args"]]
    try:
        runpy.run_module("scrapy", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:  # as an uncaught exception ends python -m
        import traceback

        traceback.print_exc()
        return 1
    return 0


def _exit_as_python_does() -> None:
    """In the forked child, once the command is over: what Python runs as it exits, which
    ``os._exit`` skips: threading's exit hooks (an executor's workers joined) and its other
    threads, then the ``atexit`` handlers (multiprocessing's finalizers: a process pool's
    semaphores released, whose tracker otherwise warns of them on stderr; logging's flush)."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()


def serve(path: str, parent: int) -> None:
    """Serve fork requests on the Unix socket ``path`` until process ``parent`` is gone."""
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    children: dict[int, socket.socket] = {}
    while os.getppid() == parent:
        ready, _, _ = select.select([listener], [], [], 0.02)
        if ready:
            conn, _ = listener.accept()
            try:
                request, fds = _recv_request(conn)
            except (OSError, ValueError):
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                for other in children.values():
                    other.close()
                code = 1
                try:
                    code = _become(request, fds)
                finally:
                    with contextlib.suppress(BaseException):  # never kept from os._exit
                        _exit_as_python_does()
                    with contextlib.suppress(Exception):
                        sys.stdout.flush()
                        sys.stderr.flush()
                    os._exit(code)
            for fd in fds:
                os.close(fd)
            with contextlib.suppress(OSError):
                conn.sendall(_STATUS.pack(pid))
            children[pid] = conn
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            conn = children.pop(pid)
            with contextlib.suppress(OSError):
                conn.sendall(_STATUS.pack(os.waitstatus_to_exitcode(status)))
            conn.close()


def forkable(command: Sequence[str], env: Mapping[str, str]) -> bool:
    """Whether ``command`` in ``env`` can be forked from the server (see the module's doc)."""
    if os.environ.get("NEWSCRAWL_TEST_FORKSERVER", "1") == "0":
        return False
    if list(command[:3]) != [sys.executable, "-m", "scrapy"]:
        return False
    names = {name for name in (*env, *os.environ) if name.startswith(STARTUP_PREFIXES)}
    return all(env.get(name) == os.environ.get(name) for name in names)


class ForkedProcess:
    """A child of the fork server, as much of :class:`subprocess.Popen` as the tests use."""

    def __init__(self, conn: socket.socket, pid: int, args: Sequence[str]) -> None:
        self._conn = conn
        self.pid = pid
        self.args = list(args)
        self.returncode: int | None = None

    def _read_status(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        ready, _, _ = select.select([self._conn], [], [], timeout)
        if not ready:
            return None
        data = b""
        while len(data) < _STATUS.size:
            chunk = self._conn.recv(_STATUS.size - len(data))
            if not chunk:  # the server is gone: the child's status is lost
                raise ChildProcessError(f"fork server gone before process {self.pid} ended")
            data += chunk
        (self.returncode,) = _STATUS.unpack(data)
        self._conn.close()
        return self.returncode

    def poll(self) -> int | None:
        return self._read_status(0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._read_status(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> ForkedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.returncode is None:
            self.wait()


class ForkServer:
    """The server of this test process, started on first use."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._folder = Path(tempfile.mkdtemp(prefix="newscrawl-forkserver-"))
        self._path = str(self._folder / "socket")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver", self._path, str(os.getpid())],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
        atexit.register(self.close)

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + 60
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"the fork server ended with {self._process.returncode}")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self._path)
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def start(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        stdout: IO[Any] | int,
        stderr: IO[Any] | int,
    ) -> ForkedProcess:
        """``subprocess.Popen(command, cwd=..., env=..., stdin=DEVNULL, stdout=..., stderr=...)``
        for a :func:`forkable` command."""
        payload = json.dumps({"args": list(command[3:]), "cwd": str(cwd), "env": dict(env)})
        data = payload.encode("utf-8")
        descriptors = [
            os.open(os.devnull, os.O_RDONLY),
            stdout if isinstance(stdout, int) else stdout.fileno(),
            stderr if isinstance(stderr, int) else stderr.fileno(),
        ]
        sock = self._connect()
        try:
            sock.sendmsg(
                [_HEADER.pack(len(data))],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", descriptors).tobytes())],
            )
            sock.sendall(data)
            answer = b""
            while len(answer) < _STATUS.size:
                chunk = sock.recv(_STATUS.size - len(answer))
                if not chunk:
                    raise RuntimeError("the fork server did not start the crawl")
                answer += chunk
        except BaseException:
            sock.close()
            raise
        finally:
            os.close(descriptors[0])
        (pid,) = _STATUS.unpack(answer)
        return ForkedProcess(sock, pid, command)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(10)
        with contextlib.suppress(OSError):
            os.unlink(self._path)
            self._folder.rmdir()


_server: ForkServer | None = None


def server(cwd: Path) -> ForkServer:
    """This test process's fork server (started on first use)."""
    global _server
    if _server is None:
        _server = ForkServer(cwd)
    return _server


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
