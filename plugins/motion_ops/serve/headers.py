"""What every answer of the readers' app carries, as one ASGI middleware: security headers, a cache
policy, and ``HEAD`` answered as ``GET`` without the body; and the validators of the answers that
have them (feeds, exports): ``ETag`` / ``Last-Modified`` and 304 to a conditional request.

Frames: the app may be framed by its own origin only (``frame-ancestors 'self'``, ``SAMEORIGIN``):
mounted in Airflow, the UI shows the plugin's "Related motions" page in an iframe of Airflow's own
origin; no other site can frame it. The pages are server-rendered without scripts (inline ``<style>``
only), so their policy allows no script at all; the API docs page allows scripts from the app's own
origin (the Swagger UI assets it serves itself, see :mod:`motion_ops.serve.docs`).
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
from typing import Any, Mapping

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

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
                    ok = message["status"] in (200, 304) and path not in NO_CACHE_PATHS
                    headers["cache-control"] = READ_CACHE if ok else "no-store"
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_policy)


def etag(body: bytes) -> str:
    """A strong validator of a body: its SHA-256 (the same bytes, the same ETag, on every replica)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def validators(tag: str, last_modified: dt.datetime | None) -> dict[str, str]:
    """The ``ETag`` and ``Last-Modified`` headers of an answer (the time in UTC, to the second)."""
    headers = {"etag": tag}
    if last_modified is not None:
        headers["last-modified"] = email.utils.format_datetime(last_modified.astimezone(dt.timezone.utc), usegmt=True)
    return headers


def not_modified(request_headers: Mapping[str, str], tag: str, last_modified: dt.datetime | None) -> bool:
    """Whether a conditional GET may be answered 304: ``If-None-Match`` names ``tag`` (or ``*``; weak
    comparison), or, without one, ``If-Modified-Since`` is not before ``last_modified``."""
    match = request_headers.get("if-none-match")
    if match is not None:
        given = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in given or tag in given
    since = request_headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        moment = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # not an HTTP date: answer in full
    if moment.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= moment


def conditional(request_headers: Mapping[str, str], body: bytes, media_type: str,
                last_modified: dt.datetime | None = None) -> Response:
    """``body`` with its ``ETag`` and ``Last-Modified``, or 304 (no body) when the client has it already."""
    headers = validators(etag(body), last_modified)
    if not_modified(request_headers, headers["etag"], last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
