"""Request bodies read up to a limit: a write's JSON or a form the readers' pages post is small, so
no more than ``limit`` bytes of any body are read (a longer one is refused, 413), and none is kept in
memory or spooled to disk beyond that, however large a client makes it."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request


async def limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` bytes (then at most ``limit`` + one chunk was read)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def limited_form(request: Request, limit: int) -> Any | None:
    """The form of a post (url-encoded or multipart), or None when its body is longer than ``limit`` bytes."""
    body = await limited(request, limit)
    if body is None:
        return None

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form()
