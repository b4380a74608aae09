"""What the stand-ins share: a request handler base, the lifecycle of a threading HTTP server on
loopback, run in a daemon thread, usable as a context manager, and injected fault rules."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, TypeVar

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


class FaultRules:
    """Faults injected as rules, in-process (:meth:`add`), taken per request: a rule with a
    ``marker`` matches only requests with a text containing it; ``times`` is how many matching
    requests it takes (-1: all). Subclasses set ``rule_class`` and call :meth:`_init_rules`."""

    rule_class: Callable[..., Any]

    def _init_rules(self) -> None:
        self.rules: list[Any] = []
        self.calls: list[Any] = []
        self.lock = threading.Lock()

    def add(self, kind: str, **kwargs: Any) -> Any:
        rule = self.rule_class(kind, **kwargs)
        with self.lock:
            self.rules.append(rule)
        return rule

    def _take(self, texts: list[str]) -> list[Any]:
        hit = []
        with self.lock:
            for r in self.rules:
                if r.times == 0 or (r.marker and not any(r.marker in t for t in texts)):
                    continue
                if r.times > 0:
                    r.times -= 1
                hit.append(r)
        return hit
