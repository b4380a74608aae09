"""The embedding stage: plan batches, embed with retries and recursive halving, retry failures.

:class:`Embedder` wraps a provider chain. Per request it applies the rate limit and the
:class:`~motion_ops.retry.RetryPolicy`; a batch that still fails is split in halves recursively,
so one bad item is isolated in about ``log2(batch)`` extra calls while the rest is embedded.
Errors that splitting cannot fix (provider unreachable, throttled for good, unauthorised, another
model) raise :class:`ProviderUnavailable` so Airflow's task retry takes over.

Every response is validated (count, dimension, finite values, non-zero norm); an invalid vector
is a failed item and is never stored.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from motion_ops import audit
from motion_ops.providers import EmbeddingError, EmbeddingProvider, ModelMismatch
from motion_ops.retry import RateLimiter, RetriesExhausted, RetryPolicy
from motion_ops.store import Store, sql

log = logging.getLogger(__name__)

XCOM_ID_CAP = 200  # more failed ids than this go to failed_id_sets; XCom carries the ref


class ProviderUnavailable(Exception):
    """A failure of the provider, not of the items: the task should fail and be retried."""


class FailureRatioExceeded(Exception):
    """Too many items failed for good: similarity must not be recomputed on partial data."""


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
    max_input_chars: int = 8000
    max_request_inputs: int | None = None  # the endpoint's limit per request (connection extra batch_size)
    calls: int = 0
    _active: int = 0

    @property
    def model(self) -> str:
        return self.providers[0].model

    def _request(self, texts: list[str]) -> list[Any]:
        """One batch through the chain: retries per endpoint, then the next endpoint."""
        last: Exception | None = None
        for offset in range(len(self.providers)):
            idx = (self._active + offset) % len(self.providers)
            provider = self.providers[idx]

            def attempt(provider: EmbeddingProvider = provider) -> list[Any]:
                self.limiter.acquire()
                self.calls += 1
                return provider.embed(texts)

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
        if not float(np.linalg.norm(arr)) > 0.0:
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
        good = np.isfinite(mat).all(axis=1) & (np.linalg.norm(mat, axis=1) > 0)
        return [ItemResult(vector=mat[i]) if good[i] else self._validate(vecs[i]) for i in range(len(vecs))]

    def embed(self, texts: Sequence[str]) -> list[ItemResult]:
        """Embed all ``texts``; results align with the inputs, failures carry their error.

        :raises ProviderUnavailable: the provider cannot be used at all right now.
        """
        clipped = [t[: self.max_input_chars] for t in texts]
        results: list[ItemResult] = [ItemResult() for _ in texts]

        def run(lo: int, hi: int) -> None:
            batch = clipped[lo:hi]
            try:
                vecs = self._request(batch)
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

        step = max(1, self.max_request_inputs or len(texts) or 1)
        for lo in range(0, len(texts), step):
            run(lo, min(lo + step, len(texts)))
        return results


# -- planning and the two Airflow-facing steps --------------------------------------------------------
def plan_batches(store: Store, *, model: str, batch_size: int, max_batches: int | None,
                 since: Any = None, until: Any = None) -> tuple[list[list[str]], int]:
    """Batches of motion ids that need a vector for ``model``; returns (batches, ids left over)."""
    ids = [r["id"] for r in store.fetch("select_missing_embeddings",
                                        {"model": model, "since": since, "until": until, "ids": None})]
    batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]
    kept = batches[:max_batches] if max_batches else batches
    left = sum(len(b) for b in batches[len(kept):])
    if left:
        log.warning("planned %d batches; %d motions are left for the next run (max_batches=%s)", len(kept), left, max_batches)
    return kept, left


def _store_vectors(store: Store, model: str, rows: list[dict[str, Any]], results: list[ItemResult]) -> int:
    ok = [(r, res) for r, res in zip(rows, results) if res.vector is not None]
    if not ok:
        return 0
    with store.transaction() as cur:
        # a batch lost in a server crash is simply planned again: no need to wait for the WAL flush
        cur.execute(sql("set_async_commit"))
        cur.execute(sql("upsert_embeddings"), {
            "model": model, "motion_ids": [r["id"] for r, _ in ok],
            "content_hashes": [r["content_hash"] for r, _ in ok], "embeddings": [res.vector for _, res in ok]})
    return len(ok)


def embed_ids(store: Store, embedder: Embedder, ids: list[str], *, batch_size: int) -> tuple[int, dict[str, str]]:
    """Embed the ids still missing a vector, ``batch_size`` per request group; store each group
    in one transaction. Returns (embedded count, {failed id: error})."""
    rows = store.fetch("select_motion_texts", {"model": embedder.model, "ids": ids})
    embedded, failed = 0, {}
    for i in range(0, len(rows), batch_size):
        group = rows[i:i + batch_size]
        results = embedder.embed([r["body_text"] for r in group])
        embedded += _store_vectors(store, embedder.model, group, results)
        failed.update({r["id"]: res.error or "failed" for r, res in zip(group, results) if res.vector is None})
    return embedded, failed


def embed_batch(store: Store, embedder: Embedder, ids: list[str], *, batch_index: int) -> dict[str, Any]:
    """One mapped ``embed_missing`` instance. Returns ``{"batch_index", "embedded", "failed_ids"|"failed_ref"}``."""
    embedded, failed = embed_ids(store, embedder, ids, batch_size=max(1, len(ids)))
    out: dict[str, Any] = {"batch_index": batch_index, "embedded": embedded, "requests": embedder.calls}
    failed_ids = sorted(failed)
    if len(failed_ids) > XCOM_ID_CAP:
        ref = str(uuid.uuid4())
        store.execute("insert_failed_id_set", {"ref": ref, "ids": failed_ids})
        out["failed_ref"], out["failed_count"] = ref, len(failed_ids)
    else:
        out["failed_ids"] = failed_ids
    log.info("batch %d: %d embedded, %d failed in %d requests", batch_index, embedded, len(failed_ids), embedder.calls)
    return out


def collect_failed_ids(store: Store, plan: list[list[str]], results: list[dict[str, Any]]) -> tuple[list[str], list[int]]:
    """Failed ids from the successful instances' results, plus every id of a batch whose
    instance left no result (it failed). Returns (ids, indexes of failed instances)."""
    done = {r["batch_index"] for r in results if r}
    ids: set[str] = set()
    for r in results:
        if not r:
            continue
        ids.update(r.get("failed_ids") or [])
        if r.get("failed_ref"):
            row = store.fetch_one("select_failed_id_set", {"ref": r["failed_ref"]})
            ids.update(row["ids"] if row else [])
    missing_instances = [i for i in range(len(plan)) if i not in done]
    for i in missing_instances:
        ids.update(plan[i])
    return sorted(ids), missing_instances


def retry_failed(store: Store, embedder: Embedder, *, plan: list[list[str]], results: list[dict[str, Any]],
                 batch_size: int, max_failure_ratio: float, quarantine_after: int,
                 ctx: audit.RunContext) -> dict[str, Any]:
    """Retry every failed id with half the batch size; audit and count what still fails.

    :raises FailureRatioExceeded: when the share of live motions with text that failed for good is too high.
    :raises ProviderUnavailable: when the provider cannot be used (the task fails and is retried).
    """
    failed, lost_instances = collect_failed_ids(store, plan, results)
    batch_of = {mid: i for i, batch in enumerate(plan) for mid in batch}
    half = max(1, batch_size // 2)
    # re-check: a cleared-and-rerun instance may have embedded some of them meanwhile
    still = [r["id"] for r in store.fetch("select_missing_embeddings", {"model": embedder.model, "since": None,
                                                                         "until": None, "ids": failed or None})] if failed else []
    embedded, errors = embed_ids(store, embedder, still, batch_size=half) if still else (0, {})
    quarantined = 0
    if errors:
        hashes = {r["id"]: r["content_hash"] for r in store.fetch("select_motion_texts", {"model": embedder.model, "ids": list(errors)})}
        with store.transaction() as cur:
            for mid, error in sorted(errors.items()):
                cur.execute(sql("upsert_embedding_failure"), {"motion_id": mid, "model": embedder.model,
                                                              "content_hash": hashes.get(mid, ""), "error": error[:1000],
                                                              "quarantine_after": quarantine_after})
                state = cur.fetchone()
                quarantined += bool(state["quarantined"])
                audit.record(cur, "embedding_failed", mid, {
                    "motion": mid, "model": embedder.model, "error": error[:500], "attempts": embedder.policy.attempts,
                    "failed_runs": state["failures"], "quarantined": state["quarantined"],
                    "batch_index": batch_of.get(mid)}, ctx)
    # the share of the corpus (live motions with text) left without a vector by this run's failures:
    # one poisoned motion must not turn every night red, a provider failing half the batches must
    corpus = store.fetch_one("select_coverage", {"model": embedder.model})["with_text"]
    planned = sum(len(b) for b in plan)
    ratio = len(errors) / corpus if corpus else 0.0
    summary = {"retried": len(still), "recovered": embedded, "failed_ids": sorted(errors), "quarantined": quarantined,
               "failed_instances": lost_instances, "failure_ratio": round(ratio, 4), "batch_size": half,
               "failed_of_planned": f"{len(errors)}/{planned}"}
    log.info("retry_failed: %d retried with batch size %d, %d recovered, %d still failing (ratio %.3f), %d quarantined",
             len(still), half, embedded, len(errors), ratio, quarantined)
    if ratio > max_failure_ratio:
        raise FailureRatioExceeded(
            f"{len(errors)} motions failed to embed, {ratio:.3f} of the {corpus} with text (> max_failure_ratio "
            f"{max_failure_ratio}); see audit_events action 'embedding_failed'. Fix the provider, then clear this task.")
    return summary


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
