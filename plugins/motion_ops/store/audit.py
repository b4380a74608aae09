"""The audit trail: one ``audit_events`` row per thing an operator may need to look at."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from motion_ops.run import RunContext
from motion_ops.store.db import sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)


def record(cur: "psycopg.Cursor", action: str, target: str, metadata: dict[str, Any], ctx: RunContext) -> None:
    """Insert one audit event inside the caller's transaction (and log it).

    :param action: what happened, e.g. ``embedding_failed``, ``body_fetch_failed``, ``feed_page_failed``.
    :param target: what it happened to (a motion id, ``category@skiptoken``).
    """
    cur.execute(sql("insert_audit_event"), {
        "action": action, "target": target, "metadata": json.dumps(metadata, default=str), **asdict(ctx)})
    log.warning("audit %s %s: %s", action, target, metadata)
