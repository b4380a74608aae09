"""The audit trail: one ``audit_events`` row per thing an operator may need to look at."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from motion_ops.store import sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunContext:
    """Where an event happened: the Airflow run and task (empty outside Airflow)."""

    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    map_index: int | None = None


def record(cur: psycopg.Cursor, action: str, target: str, metadata: dict[str, Any], ctx: RunContext) -> None:
    """Insert one audit event inside the caller's transaction."""
    cur.execute(sql("insert_audit_event"), {
        "action": action, "target": target, "metadata": json.dumps(metadata, default=str), **asdict(ctx)})
    log.warning("audit %s %s: %s", action, target, metadata)
