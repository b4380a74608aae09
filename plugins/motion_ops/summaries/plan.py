"""Plan the summaries: the motions whose current text has no summary for this prompt and schema,
in batches for ``summarize`` to map over (``plan_summaries``); a run's budget and what it spent so far."""
from __future__ import annotations

import datetime as dt
from typing import Any

from motion_ops.batched import Budget, batch_cap, mapped_plan, plan_batches
from motion_ops.llm.backends import chain_key
from motion_ops.llm.cascade import Cascade
from motion_ops.llm.prompt import PROMPT_VERSION, MotionText
from motion_ops.llm.schema import SCHEMA_VERSION
from motion_ops.run import TaskResult
from motion_ops.store.db import Store
from motion_ops.summaries.publish import adopt_unpublished

PROMPT_KEY = f"{PROMPT_VERSION}/schema-{SCHEMA_VERSION}"
#: what a run claims a motion for before a model is called (summarize, retry and the pilot alike)
CLAIM_STAGE = "summaries"


def backlog(store: Store, *, since: Any = None, until: Any = None, ids: list[str] | None = None,
            models: bool = False) -> list[str]:
    """The motion ids that need a summary (none quarantined), in order; of ``ids`` if given. With
    ``models``, a model chain is configured: an extractive summary is then not enough."""
    return [r["id"] for r in store.fetch("select_summary_backlog", {
        "prompt_version": PROMPT_VERSION, "schema_version": SCHEMA_VERSION, "prompt_key": PROMPT_KEY,
        "since": since, "until": until, "ids": ids, "replace_extractive": models})]


def plan(store: Store, *, batch_size: int, max_batches: int | None, since: Any = None, until: Any = None,
         ids: list[str] | None = None, models: bool = False, max_items: int | None = None) -> tuple[list[list[str]], int]:
    """Batches of motion ids that need a summary (:func:`backlog`), at most ``max_items`` of them (the
    item budget: the tokens and cost are only known as they are spent); returns (batches, ids left
    for the next run)."""
    return plan_batches(backlog(store, since=since, until=until, ids=ids, models=models), batch_size=batch_size,
                        max_batches=max_batches, max_items=max_items)


def motion_text(row: dict[str, Any]) -> MotionText:
    """What the cascade reads of a motion, from a ``select_summary_inputs`` row."""
    return MotionText(row["id"], row["nummer"], row["title"], row["body_text"], row["dossier"], row["dossier_title"])


def spend(store: Store, run_id: str | None) -> dict[str, Any]:
    """What run ``run_id`` spent so far (motions attempted and summarized, tokens, cost)."""
    row = store.fetch_one("select_run_spend", {"run_id": run_id})
    return {"attempted": int(row["attempted"]), "summarized": int(row["summarized"]), "tokens": int(row["tokens"]),
            "cost": float(row["cost"])}


def run_budget(params: Any) -> Budget:
    """A ``motion_summaries`` run's limits (``max_items``, ``max_tokens``, ``max_cost``)."""
    return Budget(params.max_items, params.max_tokens, params.max_cost)


def plan_step(store: Store, cascade: Cascade, *, params: Any, window: tuple[dt.date | None, dt.date | None],
              max_map: int, run_id: str) -> TaskResult:
    """The ``plan_summaries`` task: the batches (``[{"batch_index", "ids"}]``, none in a dry run,
    which only counts) within ``max_batches`` and ``max_map`` (Airflow's cap on mapped instances);
    earlier runs' unpublished summaries become this run's. ``summary`` says what was planned."""
    since, until = window
    batches, left = plan(store, batch_size=params.batch_size, max_batches=batch_cap(params.max_batches, max_map),
                         since=since, until=until, models=bool(cascade.backends), max_items=params.max_items)
    adopted = 0 if params.dry_run else adopt_unpublished(store, run_id=run_id)
    planned = sum(map(len, batches))
    summary = {"prompt": PROMPT_KEY, "chain": chain_key(cascade.backends), "planned_batches": len(batches),
               "planned_motions": planned, "left_for_next_run": left, "dry_run": params.dry_run}
    line = (f"{'dry run: would summarize' if params.dry_run else 'planned'} {planned} motions in {len(batches)} "
            f"batch(es) through {summary['chain']} ({PROMPT_KEY}); {left} left for the next run"
            + (f"; {adopted} unpublished summaries of earlier runs are checked and published with this run's"
               if adopted else ""))
    return TaskResult(value=mapped_plan(batches, dry_run=params.dry_run), line=line, items=planned,
                   write=not params.dry_run, summary=summary)
