"""The readers' app: the JSON API (``/api``), the explore pages (``/``) and the QA report pages
(``/qa``), one FastAPI app served standalone (``python -m motion_ops serve``) or inside Airflow's
api-server (the plugin mounts it at ``/motion-ops``).

Every request reads through a per-thread connection that has ``SET ROLE motion_reader`` (created by
migration 010): read-only except the on-demand cache. No error reaches a client with internals:
unknown ids are 404, invalid parameters 422, bad cursors 400, an unreachable store 503, anything
else 500 with a plain message (the details go to the log).
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from motion_ops.serve.cursor import BadCursor
from motion_ops.serve.reads import NotFound, Unavailable

log = logging.getLogger(__name__)

READER_ROLE = "motion_reader"


@dataclass
class Settings:
    """How the app reaches the store and the embedding provider.

    :param dsn: libpq URI of the store (or ``dsn_factory``: called once per worker thread).
    :param role: the role set on every connection (``None``: the login's own; only for tests).
    :param secret: signs the paging cursors; give every replica the same (env ``MOTION_API_SECRET``).
    :param embed: ``text -> (model key, vector)`` for semantic search (None: text search only).
    :param threads: worker threads (each with its own connection) per process.
    :param cache_size, cache_ttl: the related-motions answers kept (keyed by their version), and how long.
    """

    dsn: str | None = None
    dsn_factory: Callable[[], str] | None = None
    role: str | None = READER_ROLE
    secret: bytes = field(default_factory=lambda: (os.environ.get("MOTION_API_SECRET") or secrets.token_hex(16)).encode())
    embed: Callable[[str], tuple[str, list[float]]] | None = None
    threads: int = int(os.environ.get("MOTION_API_THREADS", "8"))
    cache_size: int = int(os.environ.get("MOTION_API_CACHE_SIZE", "10000"))  # related-motions answers; 0: none
    cache_ttl: float = float(os.environ.get("MOTION_API_CACHE_TTL", "60"))


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or read."""


class Stores:
    """One store connection per worker thread, with the reader role set; reopened after a failure."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.local = threading.local()

    def get(self) -> Any:
        from motion_ops.store.db import Store

        store = getattr(self.local, "store", None)
        if store is None or store._conn is None or store._conn.closed or store._conn.broken:
            dsn = self.settings.dsn or (self.settings.dsn_factory() if self.settings.dsn_factory else None)
            if not dsn:
                raise StoreUnavailable("no store configured")
            store = Store(dsn, application_name="motion_ops_api")
            try:
                if self.settings.role:
                    store.conn.execute(f'SET ROLE "{self.settings.role}"')  # a fixed name, not input
                store.conn.commit()
                store.conn.autocommit = True  # reads are single statements: one round trip each
            except Exception as exc:  # noqa: BLE001 - unreachable, or the role is missing
                store.close()
                raise StoreUnavailable(f"cannot open the store as {self.settings.role or 'its login'}: "
                                       f"{type(exc).__name__}") from exc
            self.local.store = store
        return store


def create_app(settings: Settings, *, root_path: str = "") -> FastAPI:
    from motion_ops.serve.api import api_router
    from motion_ops.serve.pages import pages_router
    from motion_ops.serve.reports import reports_router

    app = FastAPI(title="motion-ops: Dutch parliament motions", root_path=root_path,
                  description="Search the Tweede Kamer's motions and read each motion's related motions, "
                              "with why they are related. Data: Tweede Kamer open data (CC0).")
    stores = Stores(settings)
    app.state.stores, app.state.settings = stores, settings

    @app.on_event("startup")
    def fewer_threads() -> None:
        # requests run in worker threads, each with its own connection: a few threads keep the GIL
        # and the store's connection count in check (anyio's default is 40 per process)
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    app.include_router(api_router(stores, settings))
    app.include_router(reports_router(stores))
    app.include_router(pages_router(stores, settings))

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith(f"{root_path}/api") and not request.url.path.startswith("/api") \
            and request.url.path not in ("/healthz", f"{root_path}/healthz")

    def error(request: Request, status: int, message: str) -> Any:
        if wants_html(request):
            from motion_ops.serve.pages import error_page

            return error_page(request, status, message)
        return JSONResponse({"error": message, "status": status}, status_code=status)

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Any:
        return error(request, 404, str(exc))

    @app.exception_handler(BadCursor)
    def bad_cursor(request: Request, exc: BadCursor) -> Any:
        return error(request, 400, f"invalid cursor: {exc}")

    @app.exception_handler(Unavailable)
    def unavailable(request: Request, exc: Unavailable) -> Any:
        return error(request, 409, str(exc))

    @app.exception_handler(StoreUnavailable)
    def store_down(request: Request, exc: StoreUnavailable) -> Any:
        log.warning("store unavailable: %s", exc)
        return error(request, 503, "the motion store cannot be read right now")

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Any:
        problems = [{"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg")}
                    for e in exc.errors()]
        if wants_html(request):
            return error(request, 422, "; ".join(f"{p['parameter']}: {p['problem']}" for p in problems))
        return JSONResponse({"error": "invalid parameters", "status": 422, "problems": problems}, status_code=422)

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> Any:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return error(request, 500, "internal error (logged on the server)")

    return app
