"""Semantic search's query vectors, safe to offer anonymous readers.

Before any call to the provider: the configured model must be the published version's, and a paid
model (any provider but the embedded ones, as the pipeline's pilot decides) must have been approved
the way the pipeline's pilot approves it (the same record in ``llm_approvals``). Then a vector
cached for (model, normalised query) is used; else one provider call, if the rate limits allow it
(process-wide and per client; beyond them 429 with ``Retry-After``), one attempt within a short
deadline, without a store connection or a lock held meanwhile.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable

from motion_ops.clients.providers import ProviderConfig, model_name
from motion_ops.clients.redact import redact
from motion_ops.numerics.finite import env_number
from motion_ops.serve.errors import RateLimited, Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryLimits:
    """How much query embedding an app (one process) may cause; a limit not given is read from the
    environment (``MOTION_API_QUERY_*``) when the limits are made.

    :param deadline: seconds a query waits for its vector (one attempt, no fallback endpoint).
    :param per_minute: query embeddings per minute for the whole process; bursts of a tenth of it.
    :param per_client_per_minute: the same per client address.
    :param cache_size: query vectors kept, keyed by (model, normalised query).
    :param workers: provider calls at once.
    """

    deadline: float = field(default_factory=lambda: env_number("MOTION_API_QUERY_DEADLINE", 2.5))
    per_minute: float = field(default_factory=lambda: env_number("MOTION_API_QUERY_EMBEDS_PER_MINUTE", 60))
    per_client_per_minute: float = field(
        default_factory=lambda: env_number("MOTION_API_QUERY_EMBEDS_PER_CLIENT_PER_MINUTE", 20))
    cache_size: int = field(default_factory=lambda: int(os.environ.get("MOTION_API_QUERY_CACHE_SIZE", "2000")))
    workers: int = 4


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; :meth:`take` never waits. Thread-safe."""

    def __init__(self, per_minute: float, *, burst: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.rate = max(per_minute, 0.0) / 60.0
        self.burst = burst if burst is not None else max(1.0, per_minute / 10)
        self.clock, self.tokens, self.at = clock, self.burst, clock()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate if self.rate > 0 else 60.0


class QueryEmbedder:
    """Query vectors through the provider a connection describes (``config`` or a function that
    reads it, called on the first semantic query: loading the plugin never looks it up)."""

    def __init__(self, config: ProviderConfig | Callable[[], ProviderConfig], limits: QueryLimits | None = None, *,
                 clock: Callable[[], float] = time.monotonic):
        self.source, self.limits, self.clock = config, limits or QueryLimits(), clock
        self.bucket = TokenBucket(self.limits.per_minute, clock=clock)
        self.clients: OrderedDict[str, TokenBucket] = OrderedDict()
        self.vectors: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self.lock = threading.Lock()  # guards the fields above; never held during a provider call
        self._config: ProviderConfig | None = None
        self._embedder: Any = None
        self.pool = ThreadPoolExecutor(max_workers=max(1, self.limits.workers), thread_name_prefix="query-embed")

    def config(self) -> ProviderConfig:
        with self.lock:
            if self._config is None:
                try:
                    self._config = self.source() if callable(self.source) else self.source
                except Exception as exc:  # noqa: BLE001 - a connection that cannot be read: no semantic search
                    log.warning("semantic search unavailable: %s", type(exc).__name__)
                    raise Unavailable(f"the embedding provider cannot be used: {type(exc).__name__}") from None
            return self._config

    def model(self) -> str:
        """The key the provider's vectors are stored under (no provider call)."""
        try:
            return model_name(self.config())
        except ValueError as exc:
            raise Unavailable(f"the embedding provider cannot be used: {redact(str(exc))}") from None

    def check(self, store: Any, published_model: str | None) -> str:
        """The model, if queries may be embedded with it: the published version's, and approved if paid.

        :raises Unavailable: another model than the published one, or a paid model nobody approved.
        """
        model = self.model()
        if published_model != model:
            raise Unavailable(f"semantic search embeds with {model}, but the published version has "
                              f"{published_model or 'no model'}")
        config = self.config()
        if not config.embedded:  # a local model costs nothing and needs no approval
            from motion_ops.store.approvals import embedding_needed

            needed, why = embedding_needed(store, config)
            if needed:
                raise Unavailable(f"semantic search with a paid model needs its approval first: {why}")
        return model

    def vector(self, model: str, text: str, client: str | None = None) -> list[float]:
        """The query's vector: cached, else computed within the limits and the deadline.

        :raises RateLimited: over a rate limit (nothing was sent).
        :raises Unavailable: the provider failed or did not answer in time.
        """
        key = (model, " ".join(text.lower().split()))
        with self.lock:
            if key in self.vectors:
                self.vectors.move_to_end(key)
                return self.vectors[key]
        config = self.config()
        local = config.kind.lower() == "hashing"  # computed here in microseconds: nothing to limit
        if not local:
            self._admit(client)
        embedder = self._embedder_for(config)
        if local:
            vector = self._embed(embedder, text)
        else:
            future = self.pool.submit(self._embed, embedder, text)
            try:
                vector = future.result(timeout=self.limits.deadline)
            except FutureTimeout:
                future.cancel()
                raise Unavailable(f"the embedding provider did not answer within {self.limits.deadline:g} s") from None
        with self.lock:
            self.vectors[key] = vector
            while len(self.vectors) > self.limits.cache_size:
                self.vectors.popitem(last=False)
        return vector

    def _admit(self, client: str | None) -> None:
        with self.lock:
            bucket = self.clients.get(client or "")
            if bucket is None:
                bucket = self.clients[client or ""] = TokenBucket(self.limits.per_client_per_minute, clock=self.clock)
                while len(self.clients) > 10_000:
                    self.clients.popitem(last=False)
            self.clients.move_to_end(client or "")
        wait = bucket.take()
        if wait:
            raise RateLimited("too many semantic searches from this address; try again shortly", wait)
        wait = self.bucket.take()
        if wait:
            raise RateLimited("too many semantic searches right now; try again shortly (text search works)", wait)

    def _embedder_for(self, config: ProviderConfig) -> Any:
        with self.lock:
            if self._embedder is None:
                from motion_ops.clients.embedder import Embedder

                # one attempt, no fallback endpoint, the read bounded by the deadline: a reader waits seconds at most
                quick = dataclasses.replace(config, timeout=min(config.timeout, self.limits.deadline),
                                            retry_attempts=1, fallbacks=())
                try:
                    self._embedder = Embedder.from_config(quick)
                except Exception as exc:  # noqa: BLE001 - a provider that cannot be built: no semantic search
                    log.warning("semantic search unavailable: %s", redact(str(exc)))
                    raise Unavailable(f"the embedding provider cannot be used: {type(exc).__name__}") from None
            return self._embedder

    @staticmethod
    def _embed(embedder: Any, text: str) -> list[float]:
        try:
            (result,) = embedder.embed([text], queries=True)  # e5: "query: ", the motions are passages
        except Exception as exc:  # noqa: BLE001 - the provider is down or refuses: 409, not 500
            raise Unavailable(f"the query could not be embedded: {type(exc).__name__}") from None
        if result.vector is None:
            raise Unavailable(f"the query could not be embedded: {result.error}")
        return result.vector.tolist()


def query_vector(stores: Any, embedder: QueryEmbedder | None, q: str, client: str | None) -> tuple[str, list[float]]:
    """``(model, vector)`` of a semantic query: the model checked with a store connection, which is
    given back before the provider is called.

    :raises Unavailable: no provider, another model, an unapproved paid model, a failed call.
    :raises RateLimited: over a rate limit.
    """
    if embedder is None:
        raise Unavailable("semantic search needs an embedding provider")
    with stores.lease() as store:
        current = store.read_one("api_version", {"version": None})
        model = embedder.check(store, current["model"] if current else None)
    return model, embedder.vector(model, q, client)
