"""The ``publish_similarity`` stage: make a checked version the one readers see, or reject it.

A version is written unpublished; :func:`publish` flips ``similarity_current`` in one transaction,
so the ``motion_related`` view always shows exactly one complete version, then prunes old ones.
"""
from __future__ import annotations

import logging
from typing import Any

from motion_ops.run import TaskResult
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)


class StaleVersion(ValueError):
    """The version is older than the one readers see: publishing it would go back in time."""


def publish(store: Store, version: int, *, keep_versions: int = 3) -> dict[str, Any]:
    """Make ``version`` the one readers see, then prune (see ``prune_versions``), keeping
    ``keep_versions`` retired versions of its model as rollbacks.

    :raises StaleVersion: a newer version is current already (publishing the current one again is a no-op).
    :raises ValueError: the version does not exist or has a status that is never published.
    """
    row = store.fetch_one("select_version", {"version": version})
    if row is None:
        raise ValueError(f"similarity version {version} does not exist")
    if row["status"] not in ("computed", "published", "unchanged"):
        raise ValueError(f"similarity version {version} has status {row['status']!r} and cannot be published")
    with store.transaction() as cur:  # one transaction: readers see the old version or the new one
        unchanged = False
        cur.execute(sql("lock_current_version"))
        current = (cur.fetchone() or {}).get("version")
        if current is not None and current > version:
            raise StaleVersion(f"similarity version {version} is older than the current version {current}; "
                               f"it is not published (readers keep version {current})")
        if current is not None and current != version:
            cur.execute(sql("select_version_unchanged"), {"version": version, "other": current})
            if (cur.fetchone() or {}).get("unchanged"):  # nothing would change for readers: keep the current one
                cur.execute(sql("mark_version_unchanged"), {"version": version})
                log.info("similarity version %d equals the current version %d: not published", version, current)
                unchanged = True
        if not unchanged:
            for name in ("retire_published_versions", "mark_version_published", "set_current_version"):
                cur.execute(sql(name), {"version": version})
    pruned = [r["version"] for r in store.fetch("prune_versions", {"keep": keep_versions})]
    if unchanged:
        return {"version": current, "published": False, "unchanged": version, "model": row["model"], "pruned": pruned}
    log.info("published similarity version %d; pruned %s", version, pruned or "nothing")
    return {"version": version, "published": True, "model": row["model"], "pruned": pruned}


def reject(store: Store, version: int) -> None:
    """Mark a version that failed QA as rejected: it is never published."""
    store.execute("reject_version", {"version": version})


def outcome(store: Store, out: dict[str, Any], version: int) -> tuple[str, dict[str, Any]]:
    """publish_similarity's result as one line a person reads, and the Asset event's extra
    (version readers see, model, the QA verdict of the version the run computed)."""
    qa = store.fetch_one("select_qa_report_for_version", {"version": version})
    verdict = "no QA report" if qa is None else "passed" if qa["passed"] else "FAILED (published: qa_enforce off)"
    extra = {"version": out["version"], "model": out["model"], "qa": verdict, "published": out["published"]}
    if out["published"]:
        line = f"readers see version {out['version']} ({out['model']}, QA {verdict}); pruned {out['pruned'] or 'nothing'}"
    else:
        line = (f"nothing new for readers: version {out['unchanged']} equals the current version {out['version']}, "
                f"which stays (QA {verdict})")
    return line, extra


def publish_step(store: Store, version: int, *, keep_versions: int) -> TaskResult:
    """The ``publish_similarity`` task: :func:`publish`, its line, and the Asset event's extra; a
    stale version (an old run cleared: a newer one is what readers should see) is a skip."""
    try:
        out = publish(store, version, keep_versions=keep_versions)
    except StaleVersion as exc:
        return TaskResult(skip=str(exc))
    line, extra = outcome(store, out, version)
    return TaskResult(value=out, line=line, items=int(out["published"]), event=extra)
