"""What both stand-ins share: a request handler base, and the lifecycle of a threading HTTP
server on loopback, run in a daemon thread, usable as a context manager."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T", bound="BackgroundHTTPServer")


class StandinHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 without request logging (quiet test output)."""

    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes: with Nagle's algorithm a small body waits for the
    # client's delayed ACK, ~40 ms per response on loopback (measured on empty feed pages)
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    """A client that closes its kept-alive connection is no error worth a traceback."""

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver API
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class BackgroundHTTPServer:
    """Subclasses call :meth:`_serve` with their handler class in ``__init__``."""

    httpd: ThreadingHTTPServer
    thread_name = "http"

    def _serve(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _QuietServer((host, port), handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self: T) -> T:
        threading.Thread(target=self.httpd.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self: T) -> T:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
