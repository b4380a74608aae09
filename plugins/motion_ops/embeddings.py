"""The embedding stage: plan the batches, embed one batch (``embed_missing``), retry what failed
(``retry_failed``) with half the batch size, and keep failure counts and quarantine per motion;
its adapter (:class:`EmbeddingWork`) to the core of batched paid work, :mod:`motion_ops.batched`."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from motion_ops.batched import Budget, Processed, failed_for_xcom, halved, in_groups, plan_batches, process, retry
from motion_ops.clients.embedder import Embedder, ItemResult
from motion_ops.clients.provider_config import DEFAULT_MAX_INPUT_CHARS
from motion_ops.clients.providers import ProviderConfig
from motion_ops.numerics.tokens import token_estimate
from motion_ops.parsers.substance import substance
from motion_ops.run import RunContext, TaskResult
from motion_ops.store import audit, claims
from motion_ops.store.approvals import embedding_pending, require_embedding
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)

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


def backlog(store: Store, *, model: str, since: Any = None, until: Any = None,
            ids: list[str] | None = None) -> list[str]:
    """The motion ids that need a vector for ``model`` (none quarantined), in order; of ``ids`` if given."""
    return [r["id"] for r in store.fetch("select_missing_embeddings",
                                         {"model": model, "since": since, "until": until, "ids": ids})]


def plan(store: Store, *, model: str, batch_size: int, max_batches: int | None,
         since: Any = None, until: Any = None) -> tuple[list[list[str]], int]:
    """Batches of motion ids that need a vector for ``model``; returns (batches, ids left over)."""
    return plan_batches(backlog(store, model=model, since=since, until=until), batch_size=batch_size,
                        max_batches=max_batches)


def estimated_tokens(store: Store, ids: list[str], max_input_chars: int) -> dict[str, int]:
    """{id: estimated input tokens} of the motions ``ids``."""
    rows = store.fetch("select_embedding_input_sizes", {"ids": ids, "max_chars": max_input_chars}) if ids else []
    return {r["id"]: token_estimate(r["chars"]) for r in rows}


def within_budget(store: Store, batches: list[list[str]], budget: Budget, batch_size: int, *,
                  price_per_1k: float = 0.0, max_input_chars: int = DEFAULT_MAX_INPUT_CHARS
                  ) -> tuple[list[list[str]], dict[str, Any]]:
    """The planned motions, in order, as far as the budget's tokens and cost reach (tokens
    estimated from the characters sent, :func:`~motion_ops.numerics.tokens.token_estimate`, cost from the connection's
    ``price_per_1k``), re-batched (:meth:`Budget.cut`); what it leaves waits for the next run.
    Returns (batches, {estimated_tokens, estimated_cost, budget_left_out, budget_stop})."""
    ids = [i for b in batches for i in b]
    kept, info = budget.cut(ids, estimated_tokens(store, ids, max_input_chars), price_per_1k)
    return in_groups(kept, batch_size), info


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


class EmbeddingWork:
    """The embeddings' adapter to :mod:`motion_ops.batched`: a motion's text to a vector of the
    embedder's model; a failure is charged to the text (``embedding_failures``, quarantine)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.claim_stage = claim_stage(embedder.model)
        self.dims_checked = False

    def check_dims(self, store: Store) -> None:
        """Hold the embedder to the model's dimension in the store, once per batch (or retry).

        :raises DimensionConflict: the connection asks for another dimension.
        """
        if not self.dims_checked:
            _expect_store_dims(store, self.embedder)
            self.dims_checked = True

    def still_to_do(self, store: Store, ids: list[str]) -> list[str]:
        return backlog(store, model=self.embedder.model, ids=ids)

    def send(self, store: Store, ids: list[str], *, group_size: int) -> Processed:
        """Embed ``group_size`` texts at a time (the embedder splits a group into requests as the
        endpoint allows, and a failing request in halves), each group stored in one transaction."""
        self.check_dims(store)
        out = Processed()
        # read after claiming: what another run embedded before we claimed is not sent again
        rows = store.fetch("select_motion_texts", {"model": self.embedder.model, "ids": ids})
        for group in (rows[i:i + group_size] for i in range(0, len(rows), group_size)):
            results = self.embedder.embed([substance(r["body_text"], r["title"], r["dossier_title"]) for r in group])
            stored, wrong = _store_vectors(store, self.embedder.model, group, results)
            out.done += stored
            out.failed.update({r["id"]: res.error or "failed" for r, res in zip(group, results) if res.vector is None})
            out.failed.update(wrong)
        return out

    def text_hashes(self, store: Store, ids: list[str]) -> dict[str, str]:
        return {r["id"]: r["content_hash"] for r in store.fetch("select_motion_texts", {"model": self.embedder.model,
                                                                                          "ids": ids})}

    def charge(self, cur: Any, mid: str, failure: str, *, text_hash: str, quarantine_after: int, ctx: RunContext,
               batch_index: int | None) -> dict[str, Any]:
        cur.execute(sql("upsert_embedding_failure"), {"motion_id": mid, "model": self.embedder.model,
                                                      "content_hash": text_hash, "error": failure[:1000],
                                                      "quarantine_after": quarantine_after})
        state = cur.fetchone()
        audit.record(cur, "embedding_failed", mid, {
            "motion": mid, "model": self.embedder.model, "error": failure[:500], "attempts": self.embedder.policy.attempts,
            "failed_runs": state["failures"], "quarantined": state["quarantined"], "batch_index": batch_index}, ctx)
        return state

    def failure_share(self, store: Store, *, failed: int, new: int, planned: int) -> tuple[int, int]:
        # the share of the corpus (live motions with text) left without a vector by this run's failures:
        # one poisoned motion must not turn every night red, a provider failing half the batches must
        return failed, store.fetch_one("select_coverage", {"model": self.embedder.model})["with_text"]

    def too_many(self, failed: int, of: int, ratio: float, max_ratio: float) -> str:
        return (f"{failed} motions failed to embed, {ratio:.3f} of the {of} with text (> max_failure_ratio "
                f"{max_ratio}); see audit_events action 'embedding_failed'. Fix the provider, then clear this task.")


def embed_ids(store: Store, embedder: Embedder, ids: list[str], *, group_size: int, run_id: str | None = None,
              claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> tuple[int, dict[str, str]]:
    """Embed the ids still missing a vector, ``group_size`` texts at a time, each group stored in one
    transaction. The ids are claimed first for run ``run_id`` (for ``claim_ttl``, the task's
    timeout): a motion another run is embedding with the same model is left to it, neither sent
    twice nor counted as failed.

    :returns: (embedded count, {failed id: error}).
    """
    work = EmbeddingWork(embedder)
    work.check_dims(store)
    out = process(store, work, ids, run_id=run_id, group_size=group_size, claim_ttl=claim_ttl)
    return out.done, out.failed


def embed_batch(store: Store, embedder: Embedder, ids: list[str], *, batch_index: int, run_id: str | None = None,
                claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """One mapped ``embed_missing`` instance. Returns ``{"batch_index", "embedded", "failed_ids"|"failed_ref"}``."""
    embedded, failed = embed_ids(store, embedder, ids, group_size=max(1, len(ids)), run_id=run_id, claim_ttl=claim_ttl)
    out: dict[str, Any] = {"batch_index": batch_index, "embedded": embedded, "requests": embedder.calls,
                           **failed_for_xcom(store, sorted(failed))}
    log.info("batch %d: %d embedded, %d failed in %d requests", batch_index, embedded, len(failed), embedder.calls)
    return out


def retry_failed(store: Store, embedder: Embedder, *, plan: list[list[str]], results: list[dict[str, Any]],
                 batch_size: int, max_failure_ratio: float, quarantine_after: int,
                 ctx: RunContext, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Retry, with half the batch size, every planned id still without a vector: the failed ids,
    the ids of failed instances, and any reported as embedded that is missing now; audit and
    count what still fails (:func:`motion_ops.batched.retry`).

    :raises FailureRatioExceeded: when the share of live motions with text that failed for good is too high.
    :raises ProviderUnavailable: when the provider cannot be used (the task fails and is retried).
    """
    out = retry(store, EmbeddingWork(embedder), plan=plan, results=results, batch_size=batch_size,
                max_failure_ratio=max_failure_ratio, quarantine_after=quarantine_after, ctx=ctx, claim_ttl=claim_ttl)
    return RetryReport(retried=out.retried, recovered=out.recovered, failed_ids=sorted(out.failed),
                       quarantined=out.quarantined, failed_instances=out.lost_instances,
                       failure_ratio=round(out.ratio, 4), batch_size=out.batch_size,
                       failed_of_planned=f"{len(out.failed)}/{sum(len(b) for b in plan)}").xcom()


@dataclass(frozen=True)
class RetryReport:
    """What ``retry_failed`` pushes (each key its own XCom; ``pending_approval`` only when the paid
    model waits for a decision and nothing was retried)."""

    retried: int = 0
    recovered: int = 0
    failed_ids: list[str] = field(default_factory=list)
    quarantined: int = 0
    failed_instances: list[int] = field(default_factory=list)
    failure_ratio: float = 0.0
    batch_size: int = 1
    failed_of_planned: str = "0/0"
    pending_approval: str | None = None

    def xcom(self) -> dict[str, Any]:
        out = asdict(self)
        if self.pending_approval is None:
            del out["pending_approval"]
        return out


def embed_step(store: Store, embedder: Embedder, config: ProviderConfig, batch: dict[str, Any], *,
               run_id: str | None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> TaskResult:
    """The ``embed_missing`` task: one planned ``batch`` (``{"batch_index", "ids"}``) embedded, its
    result the XCom.

    :raises NotApproved: a paid model nobody approved.
    :raises DimensionConflict: the connection asks for another dimension than the store has.
    """
    require_embedding(store, config)
    ids = list(batch["ids"])
    out = embed_batch(store, embedder, ids, batch_index=int(batch["batch_index"]), run_id=run_id, claim_ttl=claim_ttl)
    return TaskResult(value=out, line=batch_line(out, len(ids)), items=out["embedded"],
                   failures=out.get("failed_count", len(out.get("failed_ids", []))))


def retry_step(store: Store, embedder: Embedder, config: ProviderConfig, *, plan: list[dict[str, Any]],
               results: list[Any] | None, params: Any, manual: bool, ctx: RunContext,
               claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> TaskResult:
    """The ``retry_failed`` task (:func:`retry_failed`) over ``plan`` and the instances' ``results``
    (failed instances pushed none). Nothing is sent when nothing was planned; in a run nobody
    triggered by hand a paid model that waits for a decision retries nothing and says why.

    :raises NotApproved: a paid model nobody approved, in a run triggered by hand.
    :raises FailureRatioExceeded: too many motions failed for good.
    :raises DimensionConflict: the connection asks for another dimension than the store has.
    """
    ids = [list(b["ids"]) for b in plan]
    if any(ids):  # nothing planned: nothing is sent (and none needs approving)
        pending = embedding_pending(store, config, manual=manual)
        if pending:  # a nightly run goes on without the paid step (approve_embeddings says why)
            return TaskResult(value=RetryReport(batch_size=halved(params.batch_size), pending_approval=pending).xcom(),
                           line=f"nothing retried: {pending}")
        require_embedding(store, config)
    out = retry_failed(store, embedder, plan=ids, results=[r for r in (results or []) if isinstance(r, dict)],
                       batch_size=params.batch_size, max_failure_ratio=params.max_failure_ratio,
                       quarantine_after=params.embed_max_failures, ctx=ctx, claim_ttl=claim_ttl)
    return TaskResult(value=out, line=retry_line(out, sum(map(len, ids))), items=out["recovered"],
                   failures=len(out["failed_ids"]))


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
