"""Retry the summaries: every planned motion still without a summary, with half the batch size;
count, audit and quarantine what still fails (:func:`motion_ops.batched.retry`), and release
quarantined motions by command."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from motion_ops.batched import Budget, retry
from motion_ops.llm.cascade import Cascade
from motion_ops.run import RunContext
from motion_ops.store import claims
from motion_ops.store.db import Store, sql
from motion_ops.summaries.plan import spend
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


def release(store: Store, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Release quarantined motions (all, or ``ids``) so the next run tries them again."""
    with store.transaction() as cur:
        cur.execute(sql("release_summary_quarantine"), {"ids": ids})
        return cur.fetchall()
