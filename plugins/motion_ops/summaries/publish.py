"""Publish the summaries: earlier runs' unpublished summaries become this run's (its QA checks
them), and the run's summaries are made visible to readers in one transaction."""
from __future__ import annotations

from motion_ops.llm.prompt import PROMPT_VERSION
from motion_ops.llm.schema import SCHEMA_VERSION
from motion_ops.run import TaskResult
from motion_ops.store.db import Store, sql


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


def publish_step(store: Store, *, run_id: str) -> TaskResult:
    """The ``publish_summaries`` task: :func:`publish`; how many the XCom."""
    n = publish(store, run_id=run_id)
    return TaskResult(value=n, line=f"published {n} summaries of run {run_id}", items=n)
