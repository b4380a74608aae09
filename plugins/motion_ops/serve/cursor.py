"""Opaque, signed paging cursors: what page 2 needs (offset or rank, the pinned version), bound
to the request it continues, so a tampered cursor or one of another query is rejected."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from motion_ops.serve.errors import BadCursor


def _fingerprint(scope: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(scope, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode(secret: bytes, scope: dict[str, Any], state: dict[str, Any]) -> str:
    """A cursor carrying ``state`` for the request described by ``scope`` (its path and filters)."""
    body = base64.urlsafe_b64encode(json.dumps({"s": state, "f": _fingerprint(scope)}, separators=(",", ":")).encode())
    mac = hmac.new(secret, body, hashlib.sha256).digest()[:16]
    return (body + b"." + base64.urlsafe_b64encode(mac)).decode().replace("=", "")


def decode(secret: bytes, scope: dict[str, Any], cursor: str) -> dict[str, Any]:
    """The state of a cursor issued by :func:`encode` for the same ``scope``.

    :raises BadCursor: malformed, tampered, or issued for another request.
    """
    try:
        body, mac = (p.encode() + b"=" * (-len(p) % 4) for p in cursor.split("."))
        if not hmac.compare_digest(base64.urlsafe_b64decode(mac), hmac.new(secret, body, hashlib.sha256).digest()[:16]):
            raise BadCursor("the cursor was not issued by this server")
        payload = json.loads(base64.urlsafe_b64decode(body))
    except BadCursor:
        raise
    except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not a cursor
        raise BadCursor("the cursor is malformed") from None
    if payload.get("f") != _fingerprint(scope):
        raise BadCursor("the cursor belongs to another request")
    return payload["s"]
