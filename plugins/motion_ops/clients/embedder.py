"""The embedding client: a provider chain with rate limit, retries, recursive halving and validation.

:class:`Embedder` wraps a provider chain. Per request it applies the rate limit and the
:class:`~motion_ops.retry.RetryPolicy`; a batch that still fails is split in halves recursively,
so one bad item is isolated in about ``log2(batch)`` extra calls while the rest is embedded.
Errors that splitting cannot fix (provider unreachable, throttled for good, unauthorised, another
model) raise :class:`ProviderUnavailable` so Airflow's task retry takes over.

Every response is validated (count, dimension, finite values, a finite non-zero norm); an invalid
vector is a failed item and is never stored.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from motion_ops.clients.provider_config import DEFAULT_MAX_INPUT_CHARS
from motion_ops.clients.providers import EmbeddingError, EmbeddingProvider, ModelMismatch, ProviderConfig, make_providers
from motion_ops.clients.retry import RateLimiter, RetriesExhausted, RetryPolicy
from motion_ops.parsers.substance import model_key

log = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """A failure of the provider, not of the items: the task should fail and be retried."""


@dataclass
class ItemResult:
    vector: np.ndarray | None = None
    error: str | None = None


@dataclass
class Embedder:
    """Embeds texts through ``providers`` (the first, then fallbacks for the same model)."""

    providers: list[EmbeddingProvider]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(None))
    sleep: Callable[[float], None] = time.sleep
    expected_dims: int | None = None
    max_input_chars: int = DEFAULT_MAX_INPUT_CHARS
    max_inputs_per_request: int | None = None  # the endpoint's limit (connection extra)
    calls: int = 0
    _active: int = 0

    @classmethod
    def from_config(cls, config: ProviderConfig) -> "Embedder":
        """The chain, retry policy and rate limit a connection describes."""
        return cls(make_providers(config), policy=RetryPolicy(attempts=config.retry_attempts, backoff=config.retry_backoff),
                   limiter=RateLimiter(config.requests_per_minute), expected_dims=config.dimensions,
                   max_input_chars=config.max_input_chars, max_inputs_per_request=config.max_inputs_per_request)

    @property
    def model(self) -> str:
        """The key its vectors are stored under: the provider's model and the input recipe."""
        return model_key(self.providers[0].model)

    def _request(self, texts: list[str], queries: bool = False) -> list[Any]:
        """One batch through the chain: retries per endpoint, then the next endpoint."""
        last: Exception | None = None
        for offset in range(len(self.providers)):
            idx = (self._active + offset) % len(self.providers)
            provider = self.providers[idx]

            def attempt(provider: EmbeddingProvider = provider) -> list[Any]:
                self.limiter.acquire()
                self.calls += 1
                # a provider without embed_queries does not tell queries from documents (hashing, ollama)
                return getattr(provider, "embed_queries", provider.embed)(texts) if queries else provider.embed(texts)

            try:
                out = self.policy.call(attempt, what=f"embed {len(texts)} texts via {provider.endpoint}", sleep=self.sleep)
                if idx != self._active:
                    log.warning("switched to fallback endpoint %s", provider.endpoint)
                    self._active = idx
                return out
            except RetriesExhausted as exc:
                last = exc
                if exc.status is not None and exc.status not in (429, 503) and len(texts) > 1:
                    raise  # a 5xx that may be caused by one item: let halving find it
                log.warning("endpoint %s keeps failing (%s)", provider.endpoint, exc)
        assert last is not None
        raise last

    def _validate(self, vec: Any) -> ItemResult:
        if not isinstance(vec, (list, tuple)) or not vec:
            return ItemResult(error="empty or malformed vector")
        try:
            arr = np.asarray(vec, dtype=np.float32)
        except (TypeError, ValueError):
            return ItemResult(error="vector with non-numeric values")
        if arr.ndim != 1:
            return ItemResult(error="vector is not one-dimensional")
        if self.expected_dims is not None and arr.shape[0] != self.expected_dims:
            return ItemResult(error=f"dimension {arr.shape[0]}, expected {self.expected_dims}")
        if not np.all(np.isfinite(arr)):
            return ItemResult(error="vector has NaN or infinite values")
        with np.errstate(over="ignore"):
            norm = float(np.linalg.norm(arr))
        if not np.isfinite(norm):
            return ItemResult(error="vector values are too large (the float32 norm overflows)")
        if not norm > 0.0:
            return ItemResult(error="vector has zero norm")
        return ItemResult(vector=arr)

    def _validate_all(self, vecs: list[Any]) -> list[ItemResult]:
        """Validate a response at once when it is a proper matrix; item by item otherwise."""
        try:
            mat = np.asarray(vecs, dtype=np.float32)
        except (TypeError, ValueError):  # ragged or non-numeric: find the bad ones one by one
            return [self._validate(v) for v in vecs]
        if mat.ndim != 2 or mat.shape[1] == 0 or (self.expected_dims is not None and mat.shape[1] != self.expected_dims):
            return [self._validate(v) for v in vecs]
        with np.errstate(over="ignore"):
            norms = np.linalg.norm(mat, axis=1)
        good = np.isfinite(mat).all(axis=1) & np.isfinite(norms) & (norms > 0)
        return [ItemResult(vector=mat[i]) if good[i] else self._validate(vecs[i]) for i in range(len(vecs))]

    def embed(self, texts: Sequence[str], *, queries: bool = False) -> list[ItemResult]:
        """Embed all ``texts``; results align with the inputs, failures carry their error.

        :param queries: the texts are search queries (e5: ``query:``), not documents (``passage:``).

        :raises ProviderUnavailable: the provider cannot be used at all right now.
        """
        clipped = [t[: self.max_input_chars] for t in texts]
        results: list[ItemResult] = [ItemResult() for _ in texts]

        def run(lo: int, hi: int) -> None:
            batch = clipped[lo:hi]
            try:
                vecs = self._request(batch, queries)
            except ModelMismatch as exc:
                raise ProviderUnavailable(str(exc)) from exc
            except EmbeddingError as exc:
                if exc.fatal:
                    raise ProviderUnavailable(str(exc)) from exc
                return split(lo, hi, str(exc))
            except RetriesExhausted as exc:
                if exc.status is None or exc.status in (429, 503):
                    raise ProviderUnavailable(str(exc)) from exc
                return split(lo, hi, str(exc))
            if len(vecs) != len(batch):
                return split(lo, hi, f"provider returned {len(vecs)} vectors for {len(batch)} inputs")
            for i, res in enumerate(self._validate_all(vecs)):
                if res.vector is not None and self.expected_dims is None:
                    self.expected_dims = int(res.vector.shape[0])
                results[lo + i] = res

        def split(lo: int, hi: int, error: str) -> None:
            if hi - lo == 1:
                results[lo] = ItemResult(error=error)
                return
            mid = (lo + hi) // 2
            log.info("batch of %d failed (%s); splitting", hi - lo, error[:200])
            run(lo, mid)
            run(mid, hi)

        step = max(1, self.max_inputs_per_request or len(texts) or 1)
        for lo in range(0, len(texts), step):
            run(lo, min(lo + step, len(texts)))
        return results


def check_embedder(embedder: Embedder) -> tuple[bool, str]:
    """One tiny request: (ok, "model, dimension, latency") for the UI's Test button and the CLI."""
    t0 = time.perf_counter()
    try:
        result = embedder.embed(["De Kamer, gehoord de beraadslaging."])[0]
    except ProviderUnavailable as exc:
        return False, str(exc)
    if result.vector is None:
        return False, f"{embedder.providers[0].endpoint}: {result.error}"
    return True, (f"{embedder.providers[0].endpoint}: model {embedder.model}, dimension {result.vector.shape[0]}, "
                  f"{(time.perf_counter() - t0) * 1000:.0f} ms")
