"""A motion's neighbours, as readers ask for them: its related motions in the published version (or
the version a cursor pins), each with its components and a one-line reason; neighbours computed on
demand for a motion the version does not list yet (text and dossier only, bounded in time, cached for
the version); and its siblings (the same dossier or debate), read apart from its related motions."""
from __future__ import annotations

from typing import Any

from motion_ops.numerics.relatedness import agreement, reason, votes_notable
from motion_ops.serve.errors import NotFound
from motion_ops.store.db import Store, sql

ON_DEMAND_TIMEOUT_MS = 2000
ON_DEMAND_SIZE = 50


def related_head(store: Store, key: str, version_number: int | None, *, limit: int = 0, min_score: float = -10.0,
                 after: int = 0) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(motion, version, where)`` for a related-motions request, in one query; with ``limit``,
    ``where["rows"]`` holds the first ``limit`` listed neighbours after rank ``after`` (as
    :func:`related` reads them) when the version lists the motion."""
    row = store.read_one("api_related_head", {"key": key, "version": version_number, "limit": limit,
                                              "min_score": min_score, "after": after})
    if row is None:
        raise NotFound(f"no motion {key!r}", nl=f"Er is geen motie met nummer of id {key}.")
    if row["version"] is None:
        raise NotFound("no published version" if version_number is None else f"no version {version_number}",
                       nl="Er is nog geen gepubliceerde versie." if version_number is None
                       else f"Versie {version_number} bestaat niet.")
    m = {k: row[k] for k in ("id", "nummer", "title", "started_on", "dossier", "dossier_title", "outcome")}
    v = {k: row[k] for k in ("version", "model", "params", "current")}
    where = {k: row[k] for k in ("computed", "represented_by")}
    if limit and row["rows"] is not None:
        where["rows"], where["rows_for"] = row["rows"], (limit, min_score, after)
    return m, v, where


def related(store: Store, m: dict[str, Any], v: dict[str, Any], *, limit: int, min_score: float,
            after: int, where: dict[str, Any] | None = None) -> dict[str, Any]:
    """Up to ``limit`` neighbours of motion ``m`` in version ``v`` after rank ``after`` (the rows
    :func:`related_head` read with it, when it read them for this page)."""
    min_common = int((v["params"].get("weights") or {}).get("min_common_parties") or 1)
    where = where or store.read_one("api_in_version", {"version": v["version"], "id": m["id"]})
    out: dict[str, Any] = {"on_demand": False, "represented_by": where["represented_by"]}
    if where["computed"]:
        if where.get("rows_for") == (limit + 1, min_score, after):
            rows = where["rows"]
        else:
            rows = store.read("api_related", {"version": v["version"], "id": m["id"], "min_score": min_score,
                                               "after": after, "limit": limit + 1})
        for r in rows:
            r["agreement"] = agreement(r["vote_same"], r["vote_common"], min_common)
            r["votes_notable"] = votes_notable(r.get("vote_correlation"), r["vote_common"], min_common)
            r["reason"] = reason(r, min_common)
    else:
        rows = [r for r in on_demand(store, m["id"], v) if r["rank"] > after and r["score"] >= min_score][:limit + 1]
        for r in rows:
            r["reason"] = reason(r, min_common) + " (computed on demand: text and dossier only)"
        out["on_demand"] = True
    out["items"], out["more"] = rows[:limit], len(rows) > limit
    return out


def siblings(store: Store, key: str, *, limit: int) -> dict[str, Any]:
    """The motion ``key`` and up to ``limit`` of its siblings (:func:`siblings_of`)."""
    if (m := store.read_one("api_motion", {"key": key})) is None:
        raise NotFound(f"no motion {key!r}", nl=f"Er is geen motie met nummer of id {key}.")
    return {"motion": m, **siblings_of(store, m["id"], limit=limit)}


def siblings_of(store: Store, motion_id: str, *, limit: int) -> dict[str, Any]:
    """Up to ``limit`` siblings of a motion the caller has read: the live motions of its dossier or
    its debate (``same_dossier``, ``same_debate``), the same debate first, then the newest, with
    their ``total``; earlier versions of a motion are left out (they are its earlier versions)."""
    rows = store.read("api_motion_siblings", {"id": motion_id, "limit": limit})
    total = int(rows[0]["total"]) if rows else 0
    return {"items": [{k: v for k, v in r.items() if k != "total"} for r in rows], "total": total}


def on_demand(store: Store, motion_id: str, v: dict[str, Any]) -> list[dict[str, Any]]:
    """Neighbours of a motion the version does not list: cached, else computed (bounded by
    :data:`ON_DEMAND_TIMEOUT_MS`) from the stored vectors and cached until the next version."""
    cached = store.read("api_on_demand_cached", {"version": v["version"], "id": motion_id})
    if cached:
        return cached
    weights = v["params"].get("weights") or {}
    with store.transaction() as cur:
        cur.execute(f"SET LOCAL statement_timeout = {int(ON_DEMAND_TIMEOUT_MS)}")
        cur.execute(sql("api_on_demand_compute"), {"id": motion_id, "model": v["model"], "version": v["version"],
                                                   "w_text": float(weights.get("text", 1.0)),
                                                   "w_dossier": float(weights.get("dossier", 0.0)),
                                                   "limit": ON_DEMAND_SIZE})
        found = cur.fetchall()
        if not found:
            return []
        cur.execute(sql("api_on_demand_prune"))
        cur.executemany(sql("api_on_demand_store"), [
            {"version": v["version"], "motion_id": motion_id, "rank": i, "neighbour_id": r["id"], "score": r["score"],
             "text_score": r["text_score"], "same_dossier": r["same_dossier"]} for i, r in enumerate(found, start=1)])
    return store.read("api_on_demand_cached", {"version": v["version"], "id": motion_id})
