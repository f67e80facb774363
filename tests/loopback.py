"""Servers on loopback for the hostile archive tests: an HTTP server answering fixed routes
(archives, redirects, CC-NEWS lists) and a bare TCP listener that only records who came.
Each stops by itself after ``lifetime`` seconds, and on leaving its ``with`` block."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Route:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def redirect(location: str, status: int = 302) -> Route:
    return Route(status, (("Location", location),), b"")


@dataclass
class _Log:
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ArchiveServer:
    """``http://127.0.0.1:<port>/<path>`` answers ``routes[path]`` (404 otherwise) and logs
    the paths asked for."""

    def __init__(self, routes: dict[str, Route], lifetime: float = 120) -> None:
        self.routes = routes
        self.log = _Log()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                with server.log.lock:
                    server.log.paths.append(self.path)
                route = server.routes.get(self.path, Route(404, (), b"not here"))
                self.send_response(route.status)
                for name, value in route.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):  # it stopped reading
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.timer = threading.Timer(lifetime, self.stop)
        self.timer.daemon = True
        self.stopped = False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        with self.log.lock:
            return list(self.log.paths)

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.timer.cancel()
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self) -> Self:
        self.thread.start()
        self.timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Listener:
    """A TCP port on ``host`` that accepts connections, records where they came from and
    closes them: a target that must never be reached."""

    def __init__(self, host: str, lifetime: float = 120) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.host = host
        self.port = int(self.sock.getsockname()[1])
        self.peers: list[tuple[str, int]] = []
        self.lifetime = lifetime
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        rounds = int(self.lifetime / 0.2)
        for _ in range(rounds):
            if self.done.is_set():
                break
            try:
                connection, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            self.peers.append(peer)
            connection.close()
        self.sock.close()

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.done.set()
        self.thread.join(timeout=5)
