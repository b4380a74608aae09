"""The standalone server's process (``python -m motion_ops serve``), never Airflow's api-server:
its process-wide tuning, and uvicorn with bounds against slow clients.

uvicorn (0.54) has no timeout for reading a request's headers: a client that opens a connection
and sends its headers a byte at a time (slowloris) keeps it open for as long as it likes.
:class:`HeaderDeadlineProtocol` closes a connection whose request headers are not complete
``MOTION_API_HEADER_TIMEOUT`` seconds (10) after it opened or after its previous response;
a request head beyond 64 KiB closes it too; ``limit_concurrency`` bounds the connections and
requests a worker takes on (beyond it: 503).
"""
from __future__ import annotations

import asyncio
import gc
import os
import sys
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from motion_ops.numerics.finite import env_number

HEADER_TIMEOUT = env_number("MOTION_API_HEADER_TIMEOUT", 10)
KEEP_ALIVE = int(os.environ.get("MOTION_API_KEEP_ALIVE", "5"))
LIMIT_CONCURRENCY = int(os.environ.get("MOTION_API_LIMIT_CONCURRENCY", "200"))  # per worker process
MAX_HEAD_BYTES = 64 * 1024


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        reading_head = self._deadline is not None
        super().data_received(data)
        if reading_head and self._deadline is not None:  # the headers are still not complete
            self._head_bytes = getattr(self, "_head_bytes", 0) + len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self._disarm()
                self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # the keep-alive timeout takes over until the next request begins

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def tune_process(threads: int) -> None:
    """Process-wide settings for a process that serves only this app (inside the event loop)."""
    import anyio.to_thread

    # requests run in worker threads, each with its own connection: a few threads keep the GIL
    # and the store's connection count in check (anyio's default is 40 per process)
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    # what startup built stays out of the cyclic collector, and collections are rarer: requests make
    # few reference cycles, and long collections show as tail latency
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    # the event loop (cached answers) and the worker threads (the rest) share the GIL: a thread
    # back from the store waits for it at most this long, not the default 5 ms
    sys.setswitchinterval(env_number("MOTION_API_SWITCH_INTERVAL", 0.0005))


def tuned_process(threads: int) -> Any:
    """The standalone app's lifespan: :func:`tune_process` at start-up."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        tune_process(threads)
        yield

    return lifespan


def run(target: str, *, host: str, port: int, workers: int = 1) -> None:
    """uvicorn serving the app factory ``target`` with the bounds above."""
    import uvicorn

    uvicorn.run(target, factory=True, host=host, port=port, workers=workers, log_level="info", access_log=False,
                http=HeaderDeadlineProtocol, timeout_keep_alive=KEEP_ALIVE, limit_concurrency=LIMIT_CONCURRENCY,
                h11_max_incomplete_event_size=MAX_HEAD_BYTES)  # (for h11, should someone choose it)
