"""What can go wrong answering a reader, each error with the status the readers' app answers it with
(:func:`motion_ops.serve.app.create_app` registers the handlers); one JSON body for every error,
whoever sends it (the app, or the fast path of :mod:`motion_ops.serve.cache`)."""
from __future__ import annotations

import json

#: The 503 of an unreachable store (or a statement that took too long to start): what every answer says.
STORE_DOWN = "the motion store cannot be read right now"
#: The 503 of a read that passed its statement timeout.
TOO_SLOW = "the answer took too long; try again later"


class NotFound(LookupError):
    """No such motion or version (404); ``nl``: what a page says about it, in Dutch."""

    def __init__(self, message: str, nl: str | None = None):
        super().__init__(message)
        self.nl = nl


class BadCursor(ValueError):
    """Not a cursor this server issued for this request (400)."""


class Unavailable(RuntimeError):
    """The read cannot be answered now: no published version, no matching model (409); ``nl``: what a
    page says about it, in Dutch."""

    def __init__(self, message: str, nl: str | None = None):
        super().__init__(message)
        self.nl = nl


class RateLimited(Unavailable):
    """Too many query embeddings right now: answered 429, the provider is not called."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or read (503)."""


def error_body(status: int, message: str) -> bytes:
    """The JSON body of an error answer (without the problems of a 422)."""
    return json.dumps({"error": message, "status": status}, separators=(",", ":"), ensure_ascii=False).encode()
