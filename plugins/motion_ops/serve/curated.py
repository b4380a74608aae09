"""The curated motions in the API: anyone reads them (``GET /api/curated``); staff pick one with a
note (``PUT /api/curated/{key}``, JSON ``{"note": "..."}``) or unpick it (``DELETE``) with the write
token as ``Authorization: Bearer <token>``. The token is a secret from the environment
(``MOTION_API_WRITE_TOKEN``): compared in constant time, never logged or echoed; a request without
the right one is 401; with no token configured, or one shorter than :data:`MIN_TOKEN` characters (it
could be guessed), writes are disabled (503, saying which)."""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from motion_ops.serve.api import json_response
from motion_ops.serve.bodies import limited
from motion_ops.serve.errors import error_body
from motion_ops.serve.params import Key
from motion_ops.serve.routes import CURATED, CURATED_MOTION
from motion_ops.store import curated
from motion_ops.store.curated import MAX_NOTE

log = logging.getLogger(__name__)
WRITES_DISABLED = "writes are disabled: no write token is configured (MOTION_API_WRITE_TOKEN)"
#: the shortest write token taken
MIN_TOKEN = 16
SHORT_TOKEN = (f"writes are disabled: the write token (MOTION_API_WRITE_TOKEN) has fewer than {MIN_TOKEN} characters; "
               "a short one could be guessed")
MAX_BODY = 8192  # bytes of a write's JSON body: a note of 280 characters, each escaped as a surrogate pair, fits


class Note(BaseModel):
    """A curated motion's note, as staff send it."""

    note: str = Field(min_length=1, max_length=MAX_NOTE, description="what readers should know (1 to 280 characters)")


async def _note(request: Request) -> str | Response:
    """The note of a write's body, read only after the token was checked and at most :data:`MAX_BODY`
    bytes of it (more: 413); a body that is not ``{"note": "..."}`` is a 422 like any invalid parameter."""
    body = await limited(request, MAX_BODY)
    if body is None:
        return _refused(413, f"the body has more than {MAX_BODY} bytes; at most {MAX_BODY}")
    try:
        return Note.model_validate_json(body).note
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def disabled(configured: str | None) -> str | None:
    """Why writes are disabled with the ``configured`` token (None: they are not)."""
    configured = (configured or "").strip()
    if not configured:
        return WRITES_DISABLED
    return SHORT_TOKEN if len(configured) < MIN_TOKEN else None


def authorised(configured: str | None, header: str | None) -> bool | None:
    """Whether ``header`` (the Authorization header) carries the ``configured`` token, compared in
    constant time (of equal-length digests); None when writes are disabled (:func:`disabled`)."""
    if disabled(configured):
        return None
    configured = (configured or "").strip()
    scheme, _, given = (header or "").partition(" ")
    return hmac.compare_digest(_digest(configured), _digest(given.strip() if scheme.lower() == "bearer" else ""))


def _refused(status: int, message: str) -> Response:
    headers = {"cache-control": "no-store"} | ({"www-authenticate": 'Bearer realm="motion-ops"'} if status == 401 else {})
    return Response(error_body(status, message), status_code=status, media_type="application/json", headers=headers)


def curated_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter(tags=["curated motions"])

    def check(request: Request) -> Response | None:
        why = disabled(settings.write_token)
        if why:
            return _refused(503, why)
        if not authorised(settings.write_token, request.headers.get("authorization")):
            log.info("curated write refused: no or a wrong write token from %s",
                     request.client.host if request.client else "?")
            return _refused(401, "a write needs the write token (Authorization: Bearer <token>)")
        return None

    @router.get(CURATED)
    def list_curated() -> Response:
        """The motions staff picked, the newest pick first, each with its note."""
        with stores.lease() as store:
            return json_response({"items": curated.entries(store)})

    def put(key: str, note: str) -> Response:
        with stores.lease() as store:
            try:
                row = curated.add(store, key, note)
            except LookupError:
                return _refused(404, f"no live motion {key!r}")
            except ValueError as exc:
                return _refused(422, str(exc))
        response = json_response(row)
        response.headers["cache-control"] = "no-store"
        return response

    def delete(key: str) -> Response:
        with stores.lease() as store:
            if not curated.remove(store, key):
                return _refused(404, f"motion {key!r} is not curated")
        return Response(status_code=204, headers={"cache-control": "no-store"})

    @router.put(CURATED_MOTION, openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": Note.model_json_schema()}}}})
    async def put_curated(request: Request, key: str = Key) -> Response:
        """Pick a motion with a short note, JSON ``{"note": "..."}`` (or change its note); needs the
        write token, checked before the body is read."""
        refused = check(request)
        if refused is not None:
            return refused
        note = await _note(request)
        if isinstance(note, Response):
            return note
        return await run_in_threadpool(put, key, note)  # the store's calls block: not on the event loop

    @router.delete(CURATED_MOTION, status_code=204)
    async def delete_curated(request: Request, key: str = Key) -> Response:
        """Unpick a motion; needs the write token. 404 when it was not picked."""
        refused = check(request)
        if refused is not None:
            return refused
        return await run_in_threadpool(delete, key)

    return router
