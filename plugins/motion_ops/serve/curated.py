"""The curated motions in the API: anyone reads them (``GET /api/curated``); staff pick one with a
note (``PUT /api/curated/{key}``, JSON ``{"note": "..."}``) or unpick it (``DELETE``) with the write
token as ``Authorization: Bearer <token>``. The token is a secret from the environment
(``MOTION_API_WRITE_TOKEN``): compared in constant time, never logged or echoed; a request without
the right one is 401; with no token configured writes are disabled (503)."""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from motion_ops.serve.api import json_response
from motion_ops.serve.errors import error_body
from motion_ops.serve.params import Key
from motion_ops.serve.routes import CURATED, CURATED_MOTION
from motion_ops.store import curated
from motion_ops.store.curated import MAX_NOTE

log = logging.getLogger(__name__)
WRITES_DISABLED = "writes are disabled: no write token is configured (MOTION_API_WRITE_TOKEN)"


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def authorised(configured: str | None, header: str | None) -> bool | None:
    """Whether ``header`` (the Authorization header) carries the ``configured`` token, compared in
    constant time (of equal-length digests); None when no token is configured (writes disabled)."""
    if not configured:
        return None
    scheme, _, given = (header or "").partition(" ")
    return hmac.compare_digest(_digest(configured), _digest(given.strip() if scheme.lower() == "bearer" else ""))


def _refused(status: int, message: str) -> Response:
    headers = {"cache-control": "no-store"} | ({"www-authenticate": 'Bearer realm="motion-ops"'} if status == 401 else {})
    return Response(error_body(status, message), status_code=status, media_type="application/json", headers=headers)


def curated_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter(tags=["curated motions"])

    def check(request: Request) -> Response | None:
        ok = authorised(settings.write_token, request.headers.get("authorization"))
        if ok is None:
            return _refused(503, WRITES_DISABLED)
        if not ok:
            log.info("curated write refused: no or a wrong write token from %s",
                     request.client.host if request.client else "?")
            return _refused(401, "a write needs the write token (Authorization: Bearer <token>)")
        return None

    @router.get(CURATED)
    def list_curated() -> Response:
        """The motions staff picked, the newest pick first, each with its note."""
        with stores.lease() as store:
            return json_response({"items": curated.entries(store)})

    @router.put(CURATED_MOTION)
    def put_curated(request: Request, key: str = Key,
                    note: str = Body(..., embed=True, min_length=1, max_length=MAX_NOTE)) -> Response:
        """Pick a motion with a short note (or change its note); needs the write token."""
        refused = check(request)
        if refused is not None:
            return refused
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

    @router.delete(CURATED_MOTION, status_code=204)
    def delete_curated(request: Request, key: str = Key) -> Response:
        """Unpick a motion; needs the write token. 404 when it was not picked."""
        refused = check(request)
        if refused is not None:
            return refused
        with stores.lease() as store:
            if not curated.remove(store, key):
                return _refused(404, f"motion {key!r} is not curated")
        return Response(status_code=204, headers={"cache-control": "no-store"})

    return router
