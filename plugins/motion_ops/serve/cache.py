"""A small thread-safe LRU of rendered responses with a time to live: a related-motions answer
is keyed by the version it comes from (a new version is a new key), and lives at most ``ttl``
seconds, so what it shows of the motions themselves (titles) is at most that old."""
from __future__ import annotations

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

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
