"""A small thread-safe LRU of rendered responses with a time to live: a related-motions answer
is keyed by the version it comes from (a new version is a new key), and lives at most ``ttl``
seconds, so what it shows of the motions themselves (titles) is at most that old."""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Any, Hashable


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
    """ASGI middleware: a plain ``GET .../api/motions/{key}/related[?limit=N]`` whose answer is in
    the cache for the published version (known within its TTL) is answered from the event loop,
    without routing, validation or a worker thread; everything else goes to the app."""

    def __init__(self, app: Any, cache: ResponseCache, published: Any, default_min_score: float):
        self.app, self.cache, self.published, self.min_score = app, cache, published, default_min_score

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self.cache.size:
            body = self._cached(scope)
            if body is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _cached(self, scope: dict) -> bytes | None:
        path, mounted = scope["path"], scope.get("root_path", "")
        if mounted and path.startswith(mounted):
            path = path[len(mounted):]
        m = _RELATED.fullmatch(path)
        query = scope.get("query_string", b"").decode("latin-1")
        if not m or not _QUERY.fullmatch(query):
            return None
        limit = int(query[6:]) if query else 10
        version = self.published.peek()
        if version is None or not 1 <= limit <= 100:
            return None
        return self.cache.peek((version, m.group(1), limit, self.min_score, 0))


_RELATED = re.compile(r"/api/motions/([0-9A-Za-z-]{1,64})/related")
_QUERY = re.compile(r"(?:limit=[0-9]{1,3})?")
