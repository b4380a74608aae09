"""Claims on motions before a paid backend is called: two runs at once (a manual run beside the
scheduled one, two ``airflow dags test``) never pay for the same motion.

A claim is a ``work_claims`` row per (stage, motion), taken atomically (``INSERT ... ON CONFLICT
DO UPDATE ... WHERE`` the holder is this run or its claim expired) and committed at once, so it
holds nothing locked while the backend answers. The run that holds a claim stores its result
before it releases it, and the caller checks what is still to do after claiming: a motion done by
another run meanwhile is not paid for again. A killed run's claims expire after ``ttl`` (the
task's timeout), so they block nobody for longer; the same run may take its own claims again (a
cleared or retried task).
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from contextlib import contextmanager
from typing import Iterator

from motion_ops.store.db import Store

log = logging.getLogger(__name__)

#: how long a claim holds when the caller names no task timeout
DEFAULT_TTL = dt.timedelta(hours=1)


def owner(run_id: str | None) -> str:
    """Who claims: the run (its retried tasks take its claims again), or a one-off owner outside Airflow."""
    return run_id or f"local-{uuid.uuid4()}"


def claim(store: Store, stage: str, ids: list[str], *, holder: str, ttl: dt.timedelta = DEFAULT_TTL) -> list[str]:
    """Claim ``ids`` for ``stage``; returns those ``holder`` now holds (the rest another run holds)."""
    if not ids:
        return []
    got = {r["motion_id"] for r in store.fetch("claim_motions", {"stage": stage, "ids": list(ids), "run_id": holder,
                                                                 "ttl_seconds": ttl.total_seconds()})}
    return [i for i in ids if i in got]


def release(store: Store, stage: str, ids: list[str], *, holder: str) -> None:
    """Give up ``holder``'s claims on ``ids`` (those of other runs stay)."""
    if ids:
        store.execute("release_claims", {"stage": stage, "ids": list(ids), "run_id": holder})


@contextmanager
def claimed(store: Store, stage: str, ids: list[str], *, holder: str,
            ttl: dt.timedelta = DEFAULT_TTL) -> Iterator[list[str]]:
    """The ids of ``ids`` claimed for ``stage`` while the block runs; released after it, even when it
    raises (a release that cannot reach the store leaves the claims to expire)."""
    got = claim(store, stage, ids, holder=holder, ttl=ttl)
    if len(got) < len(ids):
        log.info("%s: %d of %d motions are claimed by another run and left to it", stage, len(ids) - len(got), len(ids))
    try:
        yield got
    finally:
        try:
            release(store, stage, got, holder=holder)
        except Exception as exc:  # the block's own error matters more; the claims expire after ttl
            log.warning("%s: could not release %d claims (%s); they expire after %s", stage, len(got),
                        type(exc).__name__, ttl)
