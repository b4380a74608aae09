"""The ``sync_content`` task as one stage: the sync (:mod:`motion_ops.sync`), then the embedding
plan cut to the run's ``max_batches`` (and Airflow's ``max_map_length``), ``max_tokens`` and
``max_cost``; its summary and one line. And ``announce_texts``: whether the sync changed motion texts."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from motion_ops.batched import Budget, batch_cap, mapped_plan
from motion_ops.bodies import BodyParams
from motion_ops.clients.feed import FeedClient
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import plan, within_budget
from motion_ops.run import RunContext, TaskResult
from motion_ops.store.db import Store
from motion_ops.sync import run_sync


def sync_content(store: Store, connect: Callable[[], FeedClient], params: Any, *, model: str, config: ProviderConfig,
                 window: tuple[dt.date | None, dt.date | None], max_map: int, ctx: RunContext) -> TaskResult:
    """Sync the feed (not in a dry run: ``connect`` is not called), then plan the batches of motions
    without a vector of ``model`` within the run's limits and ``max_map`` (Airflow's cap on mapped
    instances). The outcome's value is the plan (``[{"batch_index", "ids"}]``, empty in a dry run),
    its ``summary`` what was read, written and planned; ``fail`` says what the feed did not give."""
    since, until = window
    summary: dict[str, Any] = {"window": [str(since), str(until)], "model": model}
    if not params.dry_run:
        client = connect()
        try:
            summary.update(run_sync(store, client, max_pages=params.max_pages, ctx=ctx,
                                    bodies=BodyParams(workers=params.max_body_workers,
                                                      max_failures=params.body_max_failures, since=since, until=until)))
        finally:
            client.close()
    batches, left = plan(store, model=model, batch_size=params.batch_size, since=since, until=until,
                         max_batches=batch_cap(params.max_batches, max_map))
    batches, spend = within_budget(store, batches, Budget(max_tokens=params.max_tokens, max_cost=params.max_cost),
                                   params.batch_size, price_per_1k=config.price_per_1k,
                                   max_input_chars=config.max_input_chars)
    summary.update({"planned_batches": len(batches), "planned_motions": sum(map(len, batches)),
                    "left_for_next_run": left + spend["budget_left_out"], "dry_run": params.dry_run, **spend})
    entities, failures = summary_counts(summary)
    return TaskResult(value=mapped_plan(batches, dry_run=params.dry_run), line=summary_line(summary), items=entities,
                      failures=failures, write=not params.dry_run, summary=summary,
                      fail=f"sync_content: {summary['problem']}" if summary.get("problem") else None)


def summary_line(s: dict[str, Any]) -> str:
    """sync_content's summary (with its plan) as one line a person reads."""
    if s.get("dry_run"):
        return (f"dry run: nothing read or written; a real run would embed {s['planned_motions']} motions in "
                f"{s['planned_batches']} batches with {s['model']}")
    cats, bodies, asm = s.get("categories", {}), s.get("bodies", {}), s.get("assembly", {})
    failed = [c for c, v in cats.items() if v["error"]]
    head = (f"read {sum(v['entities'] for v in cats.values())} entities in {sum(v['pages'] for v in cats.values())} pages "
            f"({sum(v['changed'] for v in cats.values())} changed)" + (f", FAILED categories: {', '.join(failed)}" if failed else ""))
    work = (f"assembled {asm.get('written', 0)} motions ({asm.get('failed', 0)} failed), fetched {bodies.get('fetched', 0)} "
            f"bodies ({bodies.get('failed', 0)} failed, {bodies.get('not_published', 0)} not published yet)")
    plan = (f"planned {s['planned_motions']} motions in {s['planned_batches']} batches for {s['model']}" if s["planned_motions"]
            else f"nothing to embed: every motion with text has a current {s['model']} vector")
    left = f"; {s['left_for_next_run']} left for the next run" if s.get("left_for_next_run") else ""
    if s.get("budget_stop"):
        left += f" ({s['budget_stop']}: ~{s['estimated_tokens']:,} tokens planned)"
    return f"{head}; {work}; {plan}{left}"


def summary_counts(s: dict[str, Any]) -> tuple[int, int]:
    """(entities read, failures: categories, bodies and motions that failed) of sync_content's summary."""
    cats = s.get("categories", {}).values()
    return (sum(c["entities"] for c in cats),
            sum(bool(c["error"]) for c in cats) + s.get("bodies", {}).get("failed", 0) + s.get("assembly", {}).get("failed", 0))


def texts_changed(summary: Any) -> TaskResult:
    """``announce_texts``: the Asset event (``{"motions_written", "bodies_fetched"}``) when the sync
    wrote motions or fetched body texts; skipped when nothing changed or the sync left no summary."""
    s = summary if isinstance(summary, dict) else {}
    changed = {"motions_written": int((s.get("assembly") or {}).get("written", 0) or 0),
               "bodies_fetched": int((s.get("bodies") or {}).get("fetched", 0) or 0)}
    if s.get("dry_run") or not any(changed.values()):
        return TaskResult(skip=f"no motion text changed ({changed}): motion_summaries is not triggered")
    return TaskResult(value=changed, event=changed,
                   line=f"motion texts changed {changed}: the Asset event triggers motion_summaries", write=False)
