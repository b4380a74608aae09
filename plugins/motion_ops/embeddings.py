"""The embedding stage: plan the batches, embed one batch (``embed_missing``), retry what failed
(``retry_failed``) with half the batch size, and keep failure counts and quarantine per motion."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from motion_ops.clients.embedder import Embedder, ItemResult
from motion_ops.clients.providers import DEFAULT_MAX_INPUT_CHARS
from motion_ops.numerics.tokens import token_estimate
from motion_ops.run import RunContext
from motion_ops.store import audit, claims
from motion_ops.parsers.substance import substance
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)

XCOM_ID_CAP = 200  # more failed ids than this go to failed_id_sets; XCom carries the ref


class FailureRatioExceeded(Exception):
    """Too many items failed for good: similarity must not be recomputed on partial data."""


class DimensionConflict(Exception):
    """The connection asks for another dimension than the model's vectors in the store have."""


def model_dims(store: Store, model: str) -> int | None:
    """The dimension of ``model`` in the store (fixed by its first stored vector), or None."""
    row = store.fetch_one("select_model_dims", {"model": model})
    return row["dims"] if row else None


def _expect_store_dims(store: Store, embedder: Embedder) -> None:
    """Hold the embedder to the model's dimension in the store, so nothing else is stored as valid."""
    stored = model_dims(store, embedder.model)
    if stored is None:
        return
    if embedder.expected_dims is not None and embedder.expected_dims != stored:
        raise DimensionConflict(
            f"the connection asks for dimension {embedder.expected_dims}, but model {embedder.model!r} has "
            f"{stored}-dimensional vectors in the store: vectors of another dimension are another model; give it "
            f"another name (connection extra 'model') or remove the 'dimensions' extra")
    embedder.expected_dims = stored


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


@dataclass(frozen=True)
class EmbeddingBudget:
    """A run's limits on what it sends to a paid provider (``None``: no limit); tokens are estimated
    from the characters sent (:func:`~motion_ops.numerics.tokens.token_estimate`), cost from the connection's price."""

    max_tokens: int | None = None
    max_cost: float | None = None
    price_per_1k: float = 0.0
    max_input_chars: int = DEFAULT_MAX_INPUT_CHARS


def estimated_tokens(store: Store, ids: list[str], max_input_chars: int) -> dict[str, int]:
    """{id: estimated input tokens} of the motions ``ids``."""
    rows = store.fetch("select_embedding_input_sizes", {"ids": ids, "max_chars": max_input_chars}) if ids else []
    return {r["id"]: token_estimate(r["chars"]) for r in rows}


def within_budget(store: Store, batches: list[list[str]], budget: EmbeddingBudget,
                  batch_size: int) -> tuple[list[list[str]], dict[str, Any]]:
    """The planned motions, in order, as far as the budget reaches (re-batched; the first one
    always, so one motion over the whole budget cannot block every run); what it leaves waits for
    the next run. Returns (batches, {estimated_tokens, estimated_cost, budget_left_out,
    budget_stop})."""
    ids = [i for b in batches for i in b]
    tokens = estimated_tokens(store, ids, budget.max_input_chars)
    kept, spent, stop = [], 0, None
    for mid in ids:
        t = tokens.get(mid, 0)
        cost = (spent + t) / 1000 * budget.price_per_1k
        if budget.max_tokens is not None and spent + t > budget.max_tokens:
            stop = f"max_tokens {budget.max_tokens:,} reached"
        elif budget.max_cost is not None and cost > budget.max_cost:
            stop = f"max_cost {budget.max_cost} reached"
        if stop and kept:
            break
        if stop:  # a motion larger than the whole budget: embedded alone, or it would block every run
            stop += " (the first motion alone is over it: embedded by itself)"
            kept.append(mid)
            spent += t
            break
        kept.append(mid)
        spent += t
    out = [kept[i:i + batch_size] for i in range(0, len(kept), batch_size)]
    info = {"estimated_tokens": spent, "estimated_cost": round(spent / 1000 * budget.price_per_1k, 6),
            "budget_left_out": len(ids) - len(kept), "budget_stop": stop}
    if stop:
        log.warning("budget: %s after %d of %d planned motions (~%d tokens); the rest waits for the next run",
                    stop, len(kept), len(ids), spent)
    return out, info


def _store_vectors(store: Store, model: str, rows: list[dict[str, Any]],
                   results: list[ItemResult]) -> tuple[int, dict[str, str]]:
    """Store the valid vectors of a group in one transaction, committed before this returns (so a
    vector reported as embedded survives a crash). The model's first stored vector fixes its
    dimension; a vector of another dimension is a failed item. Returns (stored, {id: error})."""
    ok = [(r, res) for r, res in zip(rows, results) if res.vector is not None]
    if not ok:
        return 0, {}
    with store.transaction() as cur:
        cur.execute(sql("insert_model_dims"), {"model": model, "dims": int(ok[0][1].vector.shape[0])})
        cur.execute(sql("select_model_dims"), {"model": model})  # a new statement: sees a concurrent first writer
        dims = cur.fetchone()["dims"]
        wrong = {r["id"]: f"dimension {res.vector.shape[0]}, but model {model} has dimension {dims} in the store"
                 for r, res in ok if res.vector.shape[0] != dims}
        ok = [(r, res) for r, res in ok if r["id"] not in wrong]
        if ok:
            cur.execute(sql("upsert_embeddings"), {
                "model": model, "motion_ids": [r["id"] for r, _ in ok],
                "content_hashes": [r["content_hash"] for r, _ in ok], "embeddings": [res.vector for _, res in ok]})
    return len(ok), wrong


def claim_stage(model: str) -> str:
    """What a run claims a motion for before it is sent to ``model`` (:mod:`motion_ops.store.claims`)."""
    return f"embeddings:{model}"


def embed_ids(store: Store, embedder: Embedder, ids: list[str], *, group_size: int, run_id: str | None = None,
              claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> tuple[int, dict[str, str]]:
    """Embed the ids still missing a vector, ``group_size`` texts at a time (the embedder splits a
    group into requests as the endpoint allows), each group stored in one transaction. The ids are
    claimed first for run ``run_id`` (for ``claim_ttl``, the task's timeout): a motion another run
    is embedding with the same model is left to it, neither sent twice nor counted as failed.

    :returns: (embedded count, {failed id: error}).
    """
    _expect_store_dims(store, embedder)
    embedded, failed = 0, {}
    with claims.claimed(store, claim_stage(embedder.model), ids, holder=claims.owner(run_id), ttl=claim_ttl) as mine:
        # read after claiming: what another run embedded before we claimed is not sent again
        rows = store.fetch("select_motion_texts", {"model": embedder.model, "ids": mine}) if mine else []
        for i in range(0, len(rows), group_size):
            group = rows[i:i + group_size]
            results = embedder.embed([substance(r["body_text"], r["title"], r["dossier_title"]) for r in group])
            stored, wrong = _store_vectors(store, embedder.model, group, results)
            embedded += stored
            failed.update({r["id"]: res.error or "failed" for r, res in zip(group, results) if res.vector is None})
            failed.update(wrong)
    return embedded, failed


def embed_batch(store: Store, embedder: Embedder, ids: list[str], *, batch_index: int, run_id: str | None = None,
                claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """One mapped ``embed_missing`` instance. Returns ``{"batch_index", "embedded", "failed_ids"|"failed_ref"}``."""
    embedded, failed = embed_ids(store, embedder, ids, group_size=max(1, len(ids)), run_id=run_id, claim_ttl=claim_ttl)
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
                 ctx: RunContext, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Retry, with half the batch size, every planned id still without a vector: the failed ids,
    the ids of failed instances, and any reported as embedded that is missing now; audit and
    count what still fails.

    :raises FailureRatioExceeded: when the share of live motions with text that failed for good is too high.
    :raises ProviderUnavailable: when the provider cannot be used (the task fails and is retried).
    """
    failed, lost_instances = collect_failed_ids(store, plan, results)
    batch_of = {mid: i for i, batch in enumerate(plan) for mid in batch}
    half = max(1, batch_size // 2)
    # the whole plan is re-checked: a cleared-and-rerun instance may have embedded some failed ids
    # meanwhile, and a vector reported as embedded may be gone (a store restored, a row deleted)
    planned_ids = sorted({mid for batch in plan for mid in batch})  # the failed ids are among them
    still = [r["id"] for r in store.fetch("select_missing_embeddings", {"model": embedder.model, "since": None,
                                                                         "until": None, "ids": planned_ids})] if planned_ids else []
    embedded, errors = embed_ids(store, embedder, still, group_size=half, run_id=ctx.run_id,
                                 claim_ttl=claim_ttl) if still else (0, {})
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


def batch_line(out: dict[str, Any], planned: int) -> str:
    """embed_missing's result as one line a person reads."""
    failed = out.get("failed_count", len(out.get("failed_ids", [])))
    return (f"batch {out['batch_index']}: embedded {out['embedded']} of {planned} motions in {out['requests']} "
            f"request(s), {failed} failed (retry_failed retries them)")


def retry_line(out: dict[str, Any], planned: int) -> str:
    """retry_failed's result as one line a person reads."""
    if not out["retried"]:
        return f"nothing to retry: all {planned} planned motions have a vector"
    return (f"retried {out['retried']} with batch size {out['batch_size']}: {out['recovered']} recovered, "
            f"{len(out['failed_ids'])} still failing (ratio {out['failure_ratio']:.3f}), {out['quarantined']} quarantined")
