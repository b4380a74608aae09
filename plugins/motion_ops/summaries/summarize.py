"""Summarize: one planned batch through the cascade (``summarize``); each success stored at once
with what every attempt cost. :class:`SummaryWork` is the summaries' adapter to the core of
batched paid work, :mod:`motion_ops.batched` (claims, budget, retry, charging failures)."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from motion_ops.batched import Budget, Processed, process
from motion_ops.llm.backends import chain_key, route
from motion_ops.llm.cascade import Cascade, Outcome
from motion_ops.llm.prompt import PROMPT_VERSION
from motion_ops.llm.schema import SCHEMA_VERSION
from motion_ops.pilot import require_chain
from motion_ops.run import RunContext, TaskResult
from motion_ops.store import audit, claims
from motion_ops.store.db import Store, sql
from motion_ops.summaries.plan import CLAIM_STAGE, PROMPT_KEY, backlog, motion_text, spend

log = logging.getLogger(__name__)

#: failures that are the motion's own (its text, its answer): counted against it; the others
#: (rate limited, unavailable, unreachable) are the backend's and charge no motion
CHARGED = frozenset({"invalid_output", "too_long", "rejected", "timeout"})


def _spent(cur: Any, row: dict[str, Any], out: Outcome, ctx: RunContext) -> None:
    cur.execute(sql("insert_summary_spend"), {"run_id": ctx.run_id, "motion_id": row["id"], "backend": out.backend,
                                              "ok": out.ok, "requests": out.attempts, "input_tokens": out.input_tokens,
                                              "output_tokens": out.output_tokens, "cost": out.cost})


def _store(store: Store, row: dict[str, Any], out: Outcome, chain: str, ctx: RunContext) -> None:
    s = out.summary
    assert s is not None
    with store.transaction() as cur:
        _spent(cur, row, out, ctx)
        cur.execute(sql("insert_summary"), {
            "motion_id": row["id"], "text_hash": row["text_hash"], "prompt_version": PROMPT_VERSION,
            "schema_version": SCHEMA_VERSION, "status": out.status, "summary_nl": s.summary_nl,
            "summary_en": s.summary_en, "requests": json.dumps([r.model_dump() for r in s.requests], ensure_ascii=False),
            "topics": list(s.topics), "inferred": list(s.inferred), "backend": out.backend, "model": out.model,
            "chain": chain, "attempts": out.attempts, "input_tokens": out.input_tokens,
            "output_tokens": out.output_tokens, "latency_ms": out.latency_ms, "run_id": ctx.run_id})
        if out.substituted:  # the answer came from another model than the one asked for: said, not hidden
            audit.record(cur, "llm_model_substituted", row["id"], {"backend": out.backend, "answered_as": out.model}, ctx)


def _keep_for_review(store: Store, row: dict[str, Any], out: Outcome, ctx: RunContext) -> None:
    """The answer the faithfulness check refused, with why: an audit event ``summary_rejected``
    (``python -m motion_ops audit --action summary_rejected``); readers never see it."""
    assert out.rejected is not None
    with store.transaction() as cur:
        audit.record(cur, "summary_rejected", row["id"], {
            "reasons": out.reasons, "summary": out.rejected.model_dump(), "backend": out.backend, "model": out.model,
            "prompt": PROMPT_KEY, "text_hash": row["text_hash"], "fallback": out.status}, ctx)


class SummaryWork:
    """The summaries' adapter to :mod:`motion_ops.batched`: a motion's text through the cascade to a
    stored summary, within the run's ``budget`` (checked before each motion: parallel instances may
    pass a limit by at most one motion each); a failure of the motion's own (:data:`CHARGED`) is
    counted against its text, the backend's charge no motion."""

    claim_stage = CLAIM_STAGE

    def __init__(self, cascade: Cascade, ctx: RunContext, budget: Budget | None = None):
        self.cascade, self.ctx, self.budget = cascade, ctx, budget

    def still_to_do(self, store: Store, ids: list[str]) -> list[str]:
        return backlog(store, ids=ids, models=bool(self.cascade.backends))

    def send(self, store: Store, ids: list[str], *, group_size: int) -> Processed:
        """Summarize the claimed ids still without a summary, one motion at a time; stops before a
        motion once the budget is reached (the rest waits).

        :raises TerminalError: from the cascade (what is stored stays; no motion is charged).
        """
        # checked after claiming: what another run summarized before we claimed is not paid for again
        todo = self.still_to_do(store, ids)
        rows = store.fetch("select_summary_inputs", {"ids": todo}) if todo else []
        out = Processed()
        for n, row in enumerate(rows):
            if self.budget is not None and (reached := self.budget.reached(spend(store, self.ctx.run_id))):
                out.stopped, out.left = reached, [r["id"] for r in rows[n:]]
                log.warning("%s: %d motions wait for the next run", reached, len(out.left))
                break
            m = motion_text(row)
            result = self.cascade.summarize(m)
            out.tokens[0] += result.input_tokens
            out.tokens[1] += result.output_tokens
            if result.rejected is not None:  # never published; kept for review with its reasons
                _keep_for_review(store, row, result, self.ctx)
            if result.ok:
                _store(store, row, result, chain_key(route(self.cascade.backends, m)), self.ctx)
                out.done += 1
                out.by_status[result.status] = out.by_status.get(result.status, 0) + 1
            else:
                out.failed[row["id"]] = [result.error_class or "failed", result.error or "failed"]
                with store.transaction() as cur:
                    _spent(cur, row, result, self.ctx)
        return out

    def text_hashes(self, store: Store, ids: list[str]) -> dict[str, str]:
        return {r["id"]: r["text_hash"] for r in store.fetch("select_summary_inputs", {"ids": ids})}

    def charge(self, cur: Any, mid: str, failure: list[str], *, text_hash: str, quarantine_after: int,
               ctx: RunContext, batch_index: int | None) -> dict[str, Any]:
        cls, error = failure
        state = {"failures": None, "quarantined": False, "first_failed_now": True}
        if cls in CHARGED:  # the motion's own failure: counted once per run, quarantined after N runs
            cur.execute(sql("upsert_summary_failure"), {"motion_id": mid, "prompt_key": PROMPT_KEY, "text_hash": text_hash,
                                                        "error_class": cls, "error": error[:1000],
                                                        "quarantine_after": quarantine_after, "run_id": ctx.run_id})
            state = cur.fetchone()
        audit.record(cur, "summary_failed", mid, {"error_class": cls, "error": error[:500], "prompt": PROMPT_KEY,
                                                  "charged": cls in CHARGED, "failed_runs": state["failures"],
                                                  "quarantined": state["quarantined"]}, ctx)
        return state

    def failure_share(self, store: Store, *, failed: int, new: int, planned: int) -> tuple[int, int]:
        # the share of the planned motions failing in this run for the first time, or for the backend's
        # sake (rate limits, outages: charged to no motion): a broken backend turns the run red, a motion
        # that failed in earlier runs and fails again (on its way to quarantine) does not
        return new, planned

    def too_many(self, failed: int, of: int, ratio: float, max_ratio: float) -> str:
        return (f"{failed} of {of} planned motions could not be summarized ({ratio:.3f} > max_failure_ratio "
                f"{max_ratio}); nothing of this run is published. See audit_events action 'summary_failed'.")


def summarize_ids(store: Store, cascade: Cascade, ids: list[str], *, ctx: RunContext,
                  budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Summarize the ids still without a summary (:meth:`SummaryWork.send`). The ids are claimed
    first (:mod:`motion_ops.store.claims`, for ``claim_ttl``: the task's timeout): a motion another
    run is summarizing is left to it, not paid for twice.

    :returns: ``{"summarized", "failed": {id: [error class, error]}, "tokens": [in, out], "by_status",
        "budget_reached": phrase | None, "left": ids not attempted, "claimed_elsewhere": ids another run holds}``.
    :raises TerminalError: from the cascade (what is stored stays; no motion is charged).
    """
    out = process(store, SummaryWork(cascade, ctx, budget), ids, run_id=ctx.run_id, group_size=max(1, len(ids)),
                  claim_ttl=claim_ttl)
    return {"summarized": out.done, "failed": out.failed, "tokens": out.tokens, "by_status": out.by_status,
            "budget_reached": out.stopped, "left": out.left, "claimed_elsewhere": out.elsewhere}


def summarize_batch(store: Store, cascade: Cascade, ids: list[str], *, batch_index: int, ctx: RunContext,
                    budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """One mapped ``summarize`` instance."""
    out = summarize_ids(store, cascade, ids, ctx=ctx, budget=budget, claim_ttl=claim_ttl)
    return {"batch_index": batch_index, "summarized": out["summarized"], "failed_ids": sorted(out["failed"]),
            "errors": {k: v[0] for k, v in out["failed"].items()}, "tokens": out["tokens"], "by_status": out["by_status"],
            "budget_reached": out["budget_reached"], "left": len(out["left"]),
            "claimed_elsewhere": len(out["claimed_elsewhere"])}


def summarize_step(store: Store, cascade: Cascade, batch: dict[str, Any], *, ctx: RunContext, budget: Budget,
                   claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> TaskResult:
    """The ``summarize`` task: one planned ``batch`` (``{"batch_index", "ids"}``) through the cascade
    (:func:`summarize_batch`) once the chain is approved; its result the XCom.

    :raises NotApproved: a chain nobody approved.
    :raises TerminalError: from the cascade (what is stored stays; no motion is charged).
    """
    require_chain(store, cascade)
    ids = list(batch["ids"])
    out = summarize_batch(store, cascade, ids, batch_index=int(batch["batch_index"]), ctx=ctx, budget=budget,
                          claim_ttl=claim_ttl)
    line = (f"batch {out['batch_index']}: summarized {out['summarized']} of {len(ids)} ({out['by_status']}), "
            f"{len(out['failed_ids'])} failed (retried next); tokens in/out {out['tokens'][0]}/{out['tokens'][1]}"
            + (f"; {out['budget_reached']}: {out['left']} wait for the next run" if out["budget_reached"] else "")
            + (f"; {out['claimed_elsewhere']} left to another run summarizing them at the same time"
               if out["claimed_elsewhere"] else ""))
    return TaskResult(value=out, line=line, items=out["summarized"], failures=len(out["failed_ids"]))
