"""A blue/green model switch for the embeddings: while the connection's (new) model's vectors
are filled in over several nights, readers keep the published similarity of the old model; the
new model's version is computed (and, once QA passes, published) only when its vectors cover the
corpus. Switching back (the connection's old model again) works until the old vectors are pruned
(:func:`prune`)."""
from __future__ import annotations

from typing import Any

from motion_ops.run import TaskResult
from motion_ops.store.db import Store


def coverage(store: Store, model: str) -> dict[str, Any]:
    """``{"embedded", "with_text", "share"}``: the live motions with text that have a vector of ``model``."""
    cov = store.fetch_one("select_coverage", {"model": model})
    return {"embedded": cov["embedded"], "with_text": cov["with_text"],
            "share": cov["embedded"] / cov["with_text"] if cov["with_text"] else 1.0}


def progress(store: Store, model: str, *, min_coverage: float) -> dict[str, Any] | None:
    """The switch to ``model`` in progress, or None (no published version yet, the published one is
    of ``model``, or ``model`` covers at least ``min_coverage`` of the motions with text)."""
    current = store.fetch_one("select_current_version")
    if current is None or current["model"] == model:
        return None
    cov = coverage(store, model)
    share = cov["share"]
    if share >= min_coverage:
        return None
    return {"from_model": current["model"], "to_model": model, "version": current["version"], "embedded": cov["embedded"],
            "with_text": cov["with_text"], "share": share,
            "line": f"model switch: {share:.0%} embedded with {model} ({cov['embedded']:,} of {cov['with_text']:,}); "
                    f"readers keep version {current['version']} of {current['model']} until it covers the corpus"}


def held(store: Store, model: str, *, min_coverage: float, pending: str | None) -> TaskResult | None:
    """Why compute_similarity computes nothing tonight (a skip with its line), or None: the paid
    ``model`` waits for a decision (``pending``) and its vectors do not cover ``min_coverage`` of
    the motions with text (or there are none), or a switch to it is in progress (:func:`progress`:
    a green night, readers keep the old model's version, QA is not asked to fail it)."""
    if pending:
        cov = coverage(store, model)
        if cov["share"] < min_coverage or not cov["embedded"]:
            line = (f"nothing to compute: {cov['embedded']:,} of {cov['with_text']:,} motions have a vector of {model}, "
                    f"which waits for a decision; readers keep the published version")
            return TaskResult(line=line, skip=line)
    switching = progress(store, model, min_coverage=min_coverage)
    if switching:
        return TaskResult(line=switching["line"], items=switching["embedded"], skip=switching["line"])
    return None


def prune(store: Store, keep: str) -> dict[str, int]:
    """Delete the vectors of every model but ``keep``; refuses while the published version is of
    another model (readers' version and the way back would go)."""
    current = store.fetch_one("select_current_version")
    if current is not None and current["model"] != keep:
        raise ValueError(f"the published similarity version {current['version']} is of {current['model']}, not {keep}: "
                         f"finish the switch (or switch back) before pruning")
    with store.transaction() as cur:
        from motion_ops.store.db import sql

        cur.execute(sql("delete_other_model_embeddings"), {"keep": keep})
        return {r["model"]: r["n"] for r in cur.fetchall()}
