"""The readers' app: the JSON API (``/api``), the explore pages (``/``) and the QA report pages
(``/qa``), one FastAPI app served standalone (``python -m motion_ops serve``) or inside Airflow's
api-server (the plugin mounts it at ``/motion-ops``).

Every request reads through a per-thread connection that has ``SET ROLE motion_reader`` (created by
migration 010): read-only except the on-demand cache and the e-mail subscriptions (migration 023). No error reaches a client with internals:
unknown ids are 404, invalid parameters (a NUL character in any) 422, bad cursors 400, too many
semantic searches 429, an unreachable store 503, anything else 500 with a plain message (the
details go to the log). Nothing in it changes process-wide settings: the standalone server's own
lifespan does (:mod:`motion_ops.serve.server`).
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import queue
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import psycopg
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from motion_ops.numerics.finite import env_number
from motion_ops.serve.docs import installed_assets
from motion_ops.serve.errors import (
    STORE_DOWN,
    TOO_SLOW,
    BadCursor,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unavailable,
    error_body,
)
from motion_ops.serve.query_embedding import QueryEmbedder
from motion_ops.serve.routes import API, HEALTHZ
from motion_ops.store.export_files import export_dir

log = logging.getLogger(__name__)

READER_ROLE = "motion_reader"


@dataclass
class Settings:
    """How the app reaches the store and the embedding provider. A setting not given is read from
    the environment (``MOTION_API_*``) when the settings are made: when the app is built, not at import.

    :param dsn: libpq URI of the store (or ``dsn_factory``: called once per worker thread).
    :param role: the role set on every connection (``None``: the login's own; only for tests).
    :param secret: signs the paging cursors; give every replica the same (env ``MOTION_API_SECRET``).
    :param embed: the query embedder of semantic search (None: text search only).
    :param threads: worker threads per process (standalone only: mounted in Airflow, the api-server's own).
    :param connections: store connections per process; ``statement_timeout_ms`` bounds every read.
    :param cache_size, cache_ttl: the related-motions answers kept (keyed by their version), and how long.
    :param version_ttl: how often the published version's number is read for the cached answers.
    :param swagger_assets: the folder of Swagger UI's files for ``/docs`` (None: no docs page).
    :param exports_dir: the folder of the open data exports it serves (``MOTION_OPS_EXPORTS_DIR``, else
        ``$AIRFLOW_HOME/exports``: where ``export_data`` writes them).
    :param write_token: the token staff send to change the curated motions (env ``MOTION_API_WRITE_TOKEN``,
        surrounding whitespace such as a secrets file's line break left out; None or blank: writes disabled). Never shown: not in the settings' repr, a log or an answer.
    :param mailer: builds the SMTP client that mails the digests' confirmations (None: no subscribing).
    :param alerts_secret: returns the key of the digests' signed links (:func:`motion_ops.alerts.tokens.secret`).
    :param site_url: the public address the confirmation links start with (env ``MOTION_API_SITE_URL``;
        None: the request's own).
    """

    dsn: str | None = field(default=None, repr=False)  # may hold a password
    dsn_factory: Callable[[], str] | None = None
    role: str | None = READER_ROLE
    secret: bytes = field(default_factory=lambda: cursor_secret(), repr=False)
    embed: QueryEmbedder | None = None
    threads: int = field(default_factory=lambda: int(os.environ.get("MOTION_API_THREADS", "4")))
    # store connections per process: as many as cores (at least 2). More queries at once than
    # cores only queue in PostgreSQL and lengthen the tail (bench/serve.py, 2 cores: p99 ratio
    # 2.2-2.9 with 2, 3.1-3.5 with 4 and 8)
    connections: int = field(default_factory=lambda: int(os.environ.get("MOTION_API_CONNECTIONS")
                                                          or max(2, os.cpu_count() or 2)))
    statement_timeout_ms: int = field(default_factory=lambda: int(os.environ.get("MOTION_API_STATEMENT_TIMEOUT_MS", "10000")))
    # related-motions answers kept; 0: none
    cache_size: int = field(default_factory=lambda: int(os.environ.get("MOTION_API_CACHE_SIZE", "10000")))
    cache_ttl: float = field(default_factory=lambda: env_number("MOTION_API_CACHE_TTL", 60))
    # how soon a new version shows
    version_ttl: float = field(default_factory=lambda: env_number("MOTION_API_VERSION_TTL", 1))
    swagger_assets: Path | None = field(default_factory=lambda: installed_assets())
    exports_dir: Path = field(default_factory=lambda: export_dir())
    write_token: str | None = field(default_factory=lambda: (os.environ.get("MOTION_API_WRITE_TOKEN") or "").strip() or None,
                                    repr=False)
    mailer: Callable[[], Any] | None = None
    alerts_secret: Callable[[], bytes] = field(default_factory=lambda: _alerts_secret)
    site_url: str | None = field(default_factory=lambda: os.environ.get("MOTION_API_SITE_URL") or None)


def _alerts_secret() -> bytes:
    from motion_ops.alerts.tokens import secret

    return secret()


def cursor_secret() -> bytes:
    """``MOTION_API_SECRET``; else one derived from Airflow's JWT secret (the same on every
    api-server worker and machine); else a random one for this process (cursors then work only
    against the process that issued them: one worker)."""
    given = os.environ.get("MOTION_API_SECRET") or ""
    if given:
        return given.encode()
    jwt = os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET") or ""
    if jwt:
        return hashlib.sha256(b"motion-ops cursors\0" + jwt.encode()).digest()
    import secrets

    return secrets.token_bytes(16)


class Stores:
    """A bounded pool of store connections, each with the reader role set, autocommit and a
    statement timeout; a broken one is replaced. At most ``settings.connections`` are open, however
    many threads serve requests (inside Airflow the api-server's thread pool is shared)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.idle: queue.LifoQueue = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(max(1, settings.connections))

    def _open(self) -> Any:
        from motion_ops.store.db import Store

        try:
            dsn = self.settings.dsn or (self.settings.dsn_factory() if self.settings.dsn_factory else None)
        except Exception as exc:  # noqa: BLE001 - no connection configured, or its lookup failed
            raise StoreUnavailable(f"the store's connection cannot be read: {type(exc).__name__}") from exc
        if not dsn:
            raise StoreUnavailable("no store configured")
        store = Store(dsn, application_name="motion_ops_api")
        try:
            if self.settings.role:
                store.conn.execute(f'SET ROLE "{self.settings.role}"')  # a fixed name, not input
            store.conn.execute(f"SET statement_timeout = {int(self.settings.statement_timeout_ms)}")
            store.conn.commit()
            store.conn.autocommit = True  # reads are single statements: one round trip each
        except Exception as exc:  # noqa: BLE001 - unreachable, or the role is missing
            store.close()
            raise StoreUnavailable(f"cannot open the store as {self.settings.role or 'its login'}: "
                                   f"{type(exc).__name__}") from exc
        return store

    @contextmanager
    def lease(self) -> Iterator[Any]:
        """A connection for one request (waits up to 10 s for a free one)."""
        if not self.slots.acquire(timeout=10):
            raise StoreUnavailable("all store connections are busy")
        store = None
        try:
            try:
                store = self.idle.get_nowait()
            except queue.Empty:
                store = None
            if store is None or store._conn is None or store._conn.closed or store._conn.broken:
                store = self._open()
            yield store
        finally:
            if store is not None and store._conn is not None and not store._conn.closed and not store._conn.broken:
                self.idle.put(store)
            self.slots.release()


def no_nul_bytes(request: Request) -> None:
    """One check of every query and path parameter: a NUL character, which no text column can hold, is a 422."""
    problems = [{"loc": (where, name), "msg": "contains a NUL character (\\0), which no field can hold",
                 "type": "value_error"}
                for where, params in (("path", request.path_params), ("query", request.query_params))
                for name, value in params.items() if isinstance(value, str) and "\x00" in value]
    if problems:
        raise RequestValidationError(problems)


def create_app(settings: Settings, *, root_path: str = "", lifespan: Any = None) -> FastAPI:
    """The app. ``lifespan``: the standalone server's (:func:`motion_ops.serve.server.tuned_process`);
    mounted in Airflow there is none, so nothing here changes the api-server's process."""
    from motion_ops.serve.alerts import alerts_router
    from motion_ops.serve.api import api_router
    from motion_ops.serve.curated import curated_router
    from motion_ops.serve.docs import docs_router
    from motion_ops.serve.exports import exports_router
    from motion_ops.serve.feeds import feeds_router
    from motion_ops.serve.headers import ResponsePolicy
    from motion_ops.serve.pages import pages_router
    from motion_ops.serve.party_api import party_api_router
    from motion_ops.serve.party_pages import party_pages_router
    from motion_ops.serve.reports import reports_router

    app = FastAPI(title="motion-ops: Dutch parliament motions", root_path=root_path, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # no CDN: the docs page only from installed assets
                  dependencies=[Depends(no_nul_bytes)],
                  description="Search the Tweede Kamer's motions and read each motion's related motions, "
                              "with why they are related. Data: Tweede Kamer open data (CC0).")
    stores = Stores(settings)
    app.state.stores, app.state.settings = stores, settings
    if settings.swagger_assets is not None:
        app.include_router(docs_router(settings.swagger_assets))

    api = api_router(stores, settings)
    app.include_router(api)
    app.include_router(party_api_router(stores))
    app.include_router(curated_router(stores, settings))
    app.add_middleware(api.fast_path)  # cached related-motions answers straight from the event loop
    app.add_middleware(ResponsePolicy)  # outermost: the fast path's answers get the headers too
    app.include_router(reports_router(stores))
    app.include_router(exports_router(settings))
    app.include_router(feeds_router(stores, settings))
    app.include_router(pages_router(stores, settings))
    app.include_router(party_pages_router(stores))
    app.include_router(alerts_router(stores, settings))

    def wants_html(request: Request) -> bool:
        path, mounted = request.url.path, request.scope.get("root_path", "")
        if mounted and path.startswith(mounted):  # inside Airflow: /motion-ops/api/...
            path = path[len(mounted):]
        return not path.startswith(API) and path != HEALTHZ

    def error(request: Request, status: int, message: str, exc: BaseException | None = None) -> Any:
        if wants_html(request):  # a page speaks Dutch; the API keeps its English message
            from motion_ops.serve.dutch import error_message
            from motion_ops.serve.pages import error_page

            return error_page(request, status, error_message(status, exc))
        return Response(error_body(status, message), status_code=status, media_type="application/json")

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Any:
        return error(request, 404, str(exc), exc)

    @app.exception_handler(BadCursor)
    def bad_cursor(request: Request, exc: BadCursor) -> Any:
        return error(request, 400, f"invalid cursor: {exc}", exc)

    @app.exception_handler(Unavailable)
    def unavailable(request: Request, exc: Unavailable) -> Any:
        return error(request, 409, str(exc), exc)

    @app.exception_handler(RateLimited)
    def rate_limited(request: Request, exc: RateLimited) -> Any:
        response = error(request, 429, str(exc), exc)
        response.headers["retry-after"] = str(max(1, math.ceil(exc.retry_after)))
        return response

    @app.exception_handler(StoreUnavailable)
    def store_down(request: Request, exc: StoreUnavailable) -> Any:
        log.warning("store unavailable: %s", exc)
        return error(request, 503, STORE_DOWN)

    @app.exception_handler(psycopg.errors.QueryCanceled)
    def too_slow(request: Request, exc: Exception) -> Any:
        log.warning("a read on %s took longer than its statement timeout", request.url.path)
        return error(request, 503, TOO_SLOW, StoreUnavailable(TOO_SLOW))

    @app.exception_handler(psycopg.OperationalError)
    def connection_lost(request: Request, exc: Exception) -> Any:
        log.warning("store connection failed on %s: %s", request.url.path, type(exc).__name__)
        return error(request, 503, STORE_DOWN)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Any:
        if wants_html(request):
            from motion_ops.serve.dutch import invalid_input
            from motion_ops.serve.pages import error_page

            return error_page(request, 422, invalid_input(list(exc.errors())))
        problems = [{"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg")}
                    for e in exc.errors()]
        return JSONResponse({"error": "invalid parameters", "status": 422, "problems": problems}, status_code=422)

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> Any:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return error(request, 500, "internal error (logged on the server)")

    return app
