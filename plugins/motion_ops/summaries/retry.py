"""Retry the summaries: every planned motion still without a summary, with half the batch size;
count, audit and quarantine what still fails (:func:`motion_ops.batched.retry`), and release
quarantined motions by command."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from motion_ops.batched import Budget, retry
from motion_ops.llm.cascade import Cascade
from motion_ops.pilot import require_chain
from motion_ops.run import RunContext, TaskResult
from motion_ops.store import claims
from motion_ops.store.db import Store, sql
from motion_ops.summaries.plan import run_budget, spend
from motion_ops.summaries.summarize import SummaryWork


def retry_failed(store: Store, cascade: Cascade, *, plan: list[list[str]], results: list[dict[str, Any]],
                 batch_size: int, max_failure_ratio: float, quarantine_after: int, ctx: RunContext,
                 budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Retry every planned motion still without a summary (failed ones, and the whole batch of an
    instance that left no result), ``batch_size // 2`` at a time; count and audit what still fails.

    :raises FailureRatioExceeded: more than ``max_failure_ratio`` of the planned motions failed for
        the first time (a motion failing again, on its way to quarantine, does not count).
    """
    out = retry(store, SummaryWork(cascade, ctx, budget), plan=plan, results=results, batch_size=batch_size,
                max_failure_ratio=max_failure_ratio, quarantine_after=quarantine_after, ctx=ctx, claim_ttl=claim_ttl)
    return {"retried": out.retried,  # at most: the budget may have stopped the retry
            "recovered": out.recovered, "failed_ids": sorted(out.failed), "quarantined": out.quarantined,
            "failure_ratio": round(out.ratio, 4), "new_failures": out.new, "batch_size": out.batch_size,
            "planned": len(out.planned), "failed_by_class": dict(Counter(v[0] for v in out.failed.values())),
            "retry_tokens": out.tokens, "budget_reached": out.stopped, "spent": spend(store, ctx.run_id),
            "claimed_elsewhere": out.elsewhere}


def retry_step(store: Store, cascade: Cascade, *, plan: list[dict[str, Any]], results: list[Any] | None, params: Any,
               ctx: RunContext, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> TaskResult:
    """The ``retry_summaries`` task (:func:`retry_failed`) over ``plan`` and the instances' ``results``
    (failed instances pushed none); nothing planned: nothing is sent, nothing needs approving.

    :raises NotApproved: a chain nobody approved.
    :raises TerminalError: from the cascade.
    :raises FailureRatioExceeded: too many planned motions failed for the first time.
    """
    ids = [list(b["ids"]) for b in plan]
    if any(ids):
        require_chain(store, cascade)
    out = retry_failed(store, cascade, plan=ids, results=[r for r in (results or []) if isinstance(r, dict)],
                       batch_size=params.batch_size, max_failure_ratio=params.max_failure_ratio,
                       quarantine_after=params.summary_max_failures, ctx=ctx, budget=run_budget(params),
                       claim_ttl=claim_ttl)
    line = (f"retried {out['retried']} with batch size {out['batch_size']}: {out['recovered']} recovered, "
            f"{len(out['failed_ids'])} still failing {out['failed_by_class']} (ratio {out['failure_ratio']:.3f}), "
            f"{out['quarantined']} quarantined; run spent {out['spent']['tokens']} tokens, cost {out['spent']['cost']:.4f}"
            + (f"; {out['budget_reached']}" if out["budget_reached"] else "")
            + (f"; {out['claimed_elsewhere']} left to another run summarizing them at the same time"
               if out["claimed_elsewhere"] else ""))
    return TaskResult(value=out, line=line, items=out["recovered"], failures=len(out["failed_ids"]))


def release(store: Store, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Release quarantined motions (all, or ``ids``) so the next run tries them again."""
    with store.transaction() as cur:
        cur.execute(sql("release_summary_quarantine"), {"ids": ids})
        return cur.fetchall()
