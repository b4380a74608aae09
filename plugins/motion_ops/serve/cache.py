"""A small thread-safe LRU of rendered responses with a time to live: a related-motions answer
is keyed by the version it comes from (a new version is a new key), and lives at most ``ttl``
seconds, so what it shows of the motions themselves (titles) is at most that old."""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable

from motion_ops.serve.errors import STORE_DOWN, StoreUnavailable, error_body
from motion_ops.serve.routes import DEFAULT_MIN_SCORE, MAX_LIMIT, MIN_LIMIT, RELATED, RELATED_LIMIT, matcher

log = logging.getLogger(__name__)


class ResponseCache:
    def __init__(self, size: int = 10_000, ttl: float = 60.0):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < time.monotonic():
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[1]

    def peek(self, key: Hashable) -> Any | None:
        """As :meth:`get`, counting a miss as nothing (the fast path tries first, the app then gets)."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class RelatedFastPath:
    """ASGI middleware for the most frequent request, a plain ``GET .../api/motions/{key}/related[?limit=N]``
(the route's path, key and limits from :mod:`motion_ops.serve.routes`):
    an answer in the cache for the published version (known within its TTL) is answered from the
    event loop, without routing, validation or a worker thread; one that is not is rendered by
    ``render(key, limit)`` in a worker thread (the endpoint's own code, without FastAPI's routing
    and parameter handling). Everything else, and any request ``render`` declines or fails
    (``None``: unknown motions, errors), goes to the app, which answers it as always."""

    def __init__(self, app: Any, cache: ResponseCache, published: Any,
                 render: Callable[[str, int], bytes | None] | None = None):
        self.app, self.cache, self.published, self.render = app, cache, published, render

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self.cache.size:
            plain = self._plain(scope)
            body = self._cached(*plain) if plain else None
            if body is None and plain and self.render is not None:
                import anyio.to_thread

                body = await anyio.to_thread.run_sync(self._render, *plain)
            if body is _STORE_DOWN:  # answered as the app does, without reading the store a second time
                message = error_body(503, STORE_DOWN)
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(message)).encode())]})
                await send({"type": "http.response.body", "body": message})
                return
            if body is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _plain(self, scope: dict) -> tuple[str, int] | None:
        """``(key, limit)`` of a plain related-motions request, else None."""
        path, mounted = scope["path"], scope.get("root_path", "")
        if mounted and path.startswith(mounted):
            path = path[len(mounted):]
        m = _RELATED.fullmatch(path)
        query = _QUERY.fullmatch(scope.get("query_string", b"").decode("latin-1"))
        if not m or not query:
            return None
        limit = int(query.group(1)) if query.group(1) else RELATED_LIMIT
        return (m.group(1), limit) if MIN_LIMIT <= limit <= MAX_LIMIT else None

    def _cached(self, key: str, limit: int) -> bytes | None:
        version = self.published.peek()
        return None if version is None else self.cache.peek((version, key, limit, DEFAULT_MIN_SCORE, 0))

    def _render(self, key: str, limit: int) -> Any:
        import psycopg

        try:
            return self.render(key, limit)  # type: ignore[misc]
        except (StoreUnavailable, psycopg.OperationalError) as exc:  # incl. a statement timeout
            log.warning("store unavailable for %s: %s", key, type(exc).__name__)
            return _STORE_DOWN
        except Exception:  # noqa: BLE001 - unknown motions and the rest: the app answers them, with its error handling
            return None


_STORE_DOWN = object()
_RELATED = matcher(RELATED)
_QUERY = re.compile(rf"(?:limit=([0-9]{{1,{len(str(MAX_LIMIT))}}}))?")  # a plain limit, or nothing
