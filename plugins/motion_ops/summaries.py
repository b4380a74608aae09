"""The summaries stage: plan the motions whose current text has no summary for this prompt and
schema, summarize one batch (``summarize``) through the cascade, retry what failed
(``retry_summaries``) with half the batch size, QA a sample, and publish the run's summaries.

A summary is stored only once it validated and passed the faithfulness check, one row per motion
in its own statement, keyed on (motion, text hash, prompt version, schema version): a crash
leaves no half-written summary, and a re-run summarizes only what is still missing. A model's
summary that replaces an extractive one is stored beside it, pending: readers keep the extractive
one until :func:`publish` swaps them in one transaction. A motion that
fails counts one failed run (quarantined after ``quarantine_after``, released by command); a
terminal backend error stops the task and charges no motion.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
import random
import re
import statistics
from typing import Any

from motion_ops.llm.backends import chain_key, route
from motion_ops.llm.cascade import Cascade, Outcome
from motion_ops.llm.faithfulness import problems
from motion_ops.llm.prompt import PROMPT_VERSION, MotionText
from motion_ops.llm.schema import SCHEMA_VERSION, MotionSummary
from motion_ops.run import RunContext
from motion_ops.store import audit, claims
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)

PROMPT_KEY = f"{PROMPT_VERSION}/schema-{SCHEMA_VERSION}"
#: failures that are the motion's own (its text, its answer): counted against it; the others
#: (rate limited, unavailable, unreachable) are the backend's and charge no motion
CHARGED = frozenset({"invalid_output", "too_long", "rejected", "timeout"})
#: what a run claims a motion for before a model is called (summarize, retry and the pilot alike)
CLAIM_STAGE = "summaries"


class FailureRatioExceeded(Exception):
    """Too many motions failed to be summarized: nothing of this run is published."""


@dataclass(frozen=True)
class Budget:
    """A run's limits (None: none): motions attempted, tokens (in + out) and cost, every attempt
    counted, refused answers too. Checked before each motion: parallel instances may pass a limit
    by at most one motion each."""

    max_items: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def reached(self, spent: dict[str, Any]) -> str | None:
        """Which limit ``spent`` (:func:`spend`) reached, as a phrase, or None."""
        for limit, used, what in ((self.max_items, spent["attempted"], "motions"), (self.max_tokens, spent["tokens"], "tokens"),
                                  (self.max_cost, spent["cost"], "cost")):
            if limit is not None and used >= limit:
                return f"budget of {limit:g} {what} reached ({used:g} spent)"
        return None


def spend(store: Store, run_id: str | None) -> dict[str, Any]:
    """What run ``run_id`` spent so far (motions attempted and summarized, tokens, cost)."""
    row = store.fetch_one("select_run_spend", {"run_id": run_id})
    return {"attempted": int(row["attempted"]), "summarized": int(row["summarized"]), "tokens": int(row["tokens"]),
            "cost": float(row["cost"])}


def plan_batches(store: Store, *, batch_size: int, max_batches: int | None, since: Any = None,
                 until: Any = None, ids: list[str] | None = None, models: bool = False,
                 max_items: int | None = None) -> tuple[list[list[str]], int]:
    """Batches of motion ids that need a summary (with ``models``, a model chain is configured: an
    extractive summary is then not enough), at most ``max_items`` of them (the item budget: the
    tokens and cost are only known as they are spent); returns (batches, ids left for the next run)."""
    found = [r["id"] for r in store.fetch("select_summary_backlog", {
        "prompt_version": PROMPT_VERSION, "schema_version": SCHEMA_VERSION, "prompt_key": PROMPT_KEY,
        "since": since, "until": until, "ids": ids, "replace_extractive": models})]
    planned = found[:max_items] if max_items is not None else found
    batches = [planned[i:i + batch_size] for i in range(0, len(planned), batch_size)]
    kept = batches[:max_batches] if max_batches else batches
    return kept, len(found) - sum(map(len, kept))


def _text(row: dict[str, Any]) -> MotionText:
    return MotionText(row["id"], row["nummer"], row["title"], row["body_text"], row["dossier"], row["dossier_title"])


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


def summarize_ids(store: Store, cascade: Cascade, ids: list[str], *, ctx: RunContext,
                  budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Summarize the ids still without a summary; each success is stored at once, with what every
    attempt cost; stops before a motion once the run's ``budget`` is reached (the rest waits).
    The ids are claimed first (:mod:`motion_ops.store.claims`, for ``claim_ttl``: the task's
    timeout): a motion another run is summarizing is left to it, not paid for twice.

    :returns: ``{"summarized", "failed": {id: [error class, error]}, "tokens": [in, out], "by_status",
        "budget_reached": phrase | None, "left": ids not attempted, "claimed_elsewhere": ids another run holds}``.
    :raises TerminalError: from the cascade (what is stored stays; no motion is charged).
    """
    with claims.claimed(store, CLAIM_STAGE, ids, holder=claims.owner(ctx.run_id), ttl=claim_ttl) as mine:
        # checked after claiming: what another run summarized before we claimed is not paid for again
        todo, _ = plan_batches(store, batch_size=max(1, len(mine)), max_batches=None, ids=mine,
                               models=bool(cascade.backends)) if mine else ([], 0)
        todo_ids = todo[0] if todo else []
        rows = store.fetch("select_summary_inputs", {"ids": todo_ids}) if todo_ids else []
        done, failed, tokens, by_status, reached, left = 0, {}, [0, 0], {}, None, []
        for n, row in enumerate(rows):
            if budget is not None and (reached := budget.reached(spend(store, ctx.run_id))):
                left = [r["id"] for r in rows[n:]]
                log.warning("%s: %d motions wait for the next run", reached, len(left))
                break
            m = _text(row)
            out = cascade.summarize(m)
            tokens[0] += out.input_tokens
            tokens[1] += out.output_tokens
            if out.rejected is not None:  # never published; kept for review with its reasons
                _keep_for_review(store, row, out, ctx)
            if out.ok:
                _store(store, row, out, chain_key(route(cascade.backends, m)), ctx)
                done += 1
                by_status[out.status] = by_status.get(out.status, 0) + 1
            else:
                failed[row["id"]] = [out.error_class or "failed", out.error or "failed"]
                with store.transaction() as cur:
                    _spent(cur, row, out, ctx)
    held = set(mine)
    return {"summarized": done, "failed": failed, "tokens": tokens, "by_status": by_status, "budget_reached": reached,
            "left": left, "claimed_elsewhere": [i for i in ids if i not in held]}


def summarize_batch(store: Store, cascade: Cascade, ids: list[str], *, batch_index: int, ctx: RunContext,
                    budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """One mapped ``summarize`` instance."""
    out = summarize_ids(store, cascade, ids, ctx=ctx, budget=budget, claim_ttl=claim_ttl)
    return {"batch_index": batch_index, "summarized": out["summarized"], "failed_ids": sorted(out["failed"]),
            "errors": {k: v[0] for k, v in out["failed"].items()}, "tokens": out["tokens"], "by_status": out["by_status"],
            "budget_reached": out["budget_reached"], "left": len(out["left"]),
            "claimed_elsewhere": len(out["claimed_elsewhere"])}


def retry_failed(store: Store, cascade: Cascade, *, plan: list[list[str]], results: list[dict[str, Any]],
                 batch_size: int, max_failure_ratio: float, quarantine_after: int, ctx: RunContext,
                 budget: Budget | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Retry every planned motion still without a summary (failed ones, and the whole batch of an
    instance that left no result), ``batch_size // 2`` at a time; count and audit what still fails.

    :raises FailureRatioExceeded: more than ``max_failure_ratio`` of the planned motions failed for
        the first time (a motion failing again, on its way to quarantine, does not count).
    """
    planned = sorted({mid for batch in plan for mid in batch})
    still, _ = plan_batches(store, batch_size=max(1, batch_size // 2), max_batches=None, ids=planned,
                            models=bool(cascade.backends)) if planned else ([], 0)
    recovered, errors, tokens, reached, elsewhere = 0, {}, [0, 0], None, 0
    for group in still:
        out = summarize_ids(store, cascade, group, ctx=ctx, budget=budget, claim_ttl=claim_ttl)
        recovered += out["summarized"]
        elsewhere += len(out["claimed_elsewhere"])
        errors.update(out["failed"])
        tokens = [tokens[0] + out["tokens"][0], tokens[1] + out["tokens"][1]]
        if out["budget_reached"]:  # what is not retried is not charged: the next run plans it again
            reached = out["budget_reached"]
            break
    hashes = {r["id"]: r["text_hash"] for r in store.fetch("select_summary_inputs", {"ids": list(errors)})} if errors else {}
    quarantined = new = 0
    with store.transaction() as cur:
        for mid, (cls, error) in sorted(errors.items()):
            state = {"failures": None, "quarantined": False, "first_failed_now": True}
            if cls in CHARGED:  # the motion's own failure: counted once per run, quarantined after N runs
                cur.execute(sql("upsert_summary_failure"), {"motion_id": mid, "prompt_key": PROMPT_KEY,
                                                            "text_hash": hashes.get(mid, ""), "error_class": cls,
                                                            "error": error[:1000], "quarantine_after": quarantine_after,
                                                            "run_id": ctx.run_id})
                state = cur.fetchone()
            quarantined += bool(state["quarantined"])
            new += bool(state["first_failed_now"])
            audit.record(cur, "summary_failed", mid, {"error_class": cls, "error": error[:500], "prompt": PROMPT_KEY,
                                                      "charged": cls in CHARGED, "failed_runs": state["failures"],
                                                      "quarantined": state["quarantined"]}, ctx)
    # the share of the planned motions failing in this run for the first time, or for the backend's
    # sake (rate limits, outages: charged to no motion): a broken backend turns the run red, a motion
    # that failed in earlier runs and fails again (on its way to quarantine) does not
    ratio = new / len(planned) if planned else 0.0
    retried = sum(len(g) for g in still)  # at most: the budget may have stopped the retry
    summary = {"retried": retried, "recovered": recovered, "failed_ids": sorted(errors), "quarantined": quarantined,
               "failure_ratio": round(ratio, 4), "new_failures": new, "batch_size": max(1, batch_size // 2), "planned": len(planned),
               "failed_by_class": _count(v[0] for v in errors.values()), "retry_tokens": tokens,
               "budget_reached": reached, "spent": spend(store, ctx.run_id), "claimed_elsewhere": elsewhere}
    if ratio > max_failure_ratio:
        raise FailureRatioExceeded(
            f"{new} of {len(planned)} planned motions could not be summarized ({ratio:.3f} > max_failure_ratio "
            f"{max_failure_ratio}); nothing of this run is published. See audit_events action 'summary_failed'.")
    return summary


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def words_per_sentence(text: str) -> float:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return sum(len(s.split()) for s in sentences) / max(1, len(sentences))


def qa(store: Store, *, run_id: str, sample_size: int, max_words_per_sentence: float = 25.0, seed: int = 0) -> dict[str, Any]:
    """Check a sample of the run's unpublished summaries again: schema, faithfulness, provenance,
    the extractive label, and plain language (the median words per sentence of the models'
    summaries, a B1 rule of thumb; extractive ones are the motion's own words)."""
    rows = store.fetch("select_run_summaries", {"run_id": run_id})
    sample = random.Random(seed).sample(rows, min(sample_size, len(rows)))
    failures: list[dict[str, Any]] = []
    lengths = []
    for r in sample:
        try:
            s = MotionSummary.model_validate({k: r[k] for k in ("summary_nl", "summary_en", "requests", "topics", "inferred")})
        except ValueError as exc:
            failures.append({"motion": r["motion_id"], "check": "schema", "detail": str(exc)[:300]})
            continue
        m = MotionText(r["motion_id"], r["nummer"], r["title"], r["body_text"], r["dossier"], r["dossier_title"])
        for p in problems(m, s):
            failures.append({"motion": r["motion_id"], "check": "faithful", "detail": p})
        if not r["backend"] or not r["model"] or (r["status"] == "extractive") != (r["backend"] == "extractive"):
            failures.append({"motion": r["motion_id"], "check": "provenance", "detail": f"{r['status']} by {r['backend']}"})
        if r["status"] != "extractive":  # the motion's own words are not a plain-language claim
            lengths.append(words_per_sentence(s.summary_nl))
    median_words = statistics.median(lengths) if lengths else 0.0
    checks = {"schema_and_faithful": not failures, "plain_language": median_words <= max_words_per_sentence}
    bad = sorted({f["motion"] for f in failures if f["check"] in ("schema", "faithful")})
    if bad:  # never published; removed, so the next run summarizes them again
        with store.transaction() as cur:
            for mid in bad:
                cur.execute(sql("delete_summary"), {"motion_id": mid, "run_id": run_id})
    return {"run_id": run_id, "stored": len(rows), "sampled": len(sample), "checks": checks,
            "passed": all(checks.values()), "median_words_per_sentence": round(median_words, 1),
            "failures": failures[:50], "by_status": _count(r["status"] for r in rows),
            "tokens": [sum(r["input_tokens"] for r in rows), sum(r["output_tokens"] for r in rows)]}


def adopt_unpublished(store: Store, *, run_id: str) -> int:
    """Make earlier runs' unpublished summaries of the current key this run's (its QA checks them,
    its publish releases them); returns how many."""
    return store.execute("adopt_unpublished_summaries", {"run_id": run_id, "prompt_version": PROMPT_VERSION,
                                                         "schema_version": SCHEMA_VERSION})


def publish(store: Store, *, run_id: str) -> int:
    """Make the run's summaries visible to readers, and drop the extractive ones they replace, in one
    transaction (readers see the old summary or the new one, never none); returns how many."""
    with store.transaction() as cur:
        cur.execute(sql("delete_replaced_summaries"), {"run_id": run_id})
        cur.execute(sql("publish_run_summaries"), {"run_id": run_id})
        return cur.rowcount


def release(store: Store, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Release quarantined motions (all, or ``ids``) so the next run tries them again."""
    with store.transaction() as cur:
        cur.execute(sql("release_summary_quarantine"), {"ids": ids})
        return cur.fetchall()
