"""What every answer of the readers' app carries, as one ASGI middleware: security headers, a cache
policy, and ``HEAD`` answered as ``GET`` without the body.

Frames: the app may be framed by its own origin only (``frame-ancestors 'self'``, ``SAMEORIGIN``):
mounted in Airflow, the UI shows the plugin's "Related motions" page in an iframe of Airflow's own
origin; no other site can frame it. The pages are server-rendered without scripts (inline ``<style>``
only), so their policy allows no script at all; the API docs page allows scripts from the app's own
origin (the Swagger UI assets it serves itself, see :mod:`motion_ops.serve.docs`).
"""
from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders

from motion_ops.serve.routes import HEALTHZ

PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
               "base-uri 'none'; frame-ancestors 'self'")
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; base-uri 'none'; frame-ancestors 'self'")
READ_CACHE = "public, max-age=30"  # anonymous reads of published data: the same for every reader
NO_CACHE_PATHS = (HEALTHZ,)  # monitoring wants the state of now


class ResponsePolicy:
    """ASGI middleware: adds the headers to every response (the fast path's too), ``no-store`` to
    errors and health checks, and runs ``HEAD`` as ``GET`` sending the headers only."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        path, mounted = scope["path"], scope.get("root_path", "")
        if mounted and path.startswith(mounted):
            path = path[len(mounted):]
        policy = DOCS_POLICY if path == "/docs" or path.startswith("/docs/") else PAGE_POLICY

        async def send_with_policy(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("x-frame-options", "SAMEORIGIN")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("content-security-policy", policy)
                if "cache-control" not in headers:
                    ok = message["status"] == 200 and path not in NO_CACHE_PATHS
                    headers["cache-control"] = READ_CACHE if ok else "no-store"
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_policy)
