"""Assemble motions (with their party votes) from the raw SyncFeed entities in the store: which
motions to rebuild, reading their entities, writing the rows (:mod:`motion_ops.motion_row` builds
each row: what a motion is made of).

Only motions touched by entities that changed since the last assembly are rebuilt; a rebuilt
motion whose assembled content is unchanged is not written (so nothing downstream re-runs).
A bad value in one entity affects only that value: it is audited (``bad_field``) and the motion
is assembled without it. A
motion that cannot be assembled or written at all is audited (``motion_assembly_failed``), kept in
``assembly_failures`` and rebuilt on every later run until it succeeds; the others go on.
Simplification: a renamed Fractie (new abbreviation) does not trigger re-assembly of old motions
(the similarity stage maps parties to identities over time: :mod:`motion_ops.parties`).
"""
from __future__ import annotations

import logging
from typing import Any

from motion_ops.motion_row import Raw, assemble_motion
from motion_ops.run import RunContext
from motion_ops.store import audit
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)

WATERMARK = "assembly"  # stage_watermarks row: raw change_seq assembled up to


def _write(cur: Any, m: dict[str, Any], ctx: RunContext) -> tuple[int, int]:
    """Write one assembled motion (and its votes); returns (written, deleted)."""
    if "source_hash" not in m:  # gone, or no longer a motion: readers stop seeing it
        cur.execute(sql("mark_motion_deleted"), {"id": m["id"], "source_hash": "deleted"})
        return 0, cur.rowcount
    cur.execute(sql("upsert_motion"), m)
    if cur.fetchone() is None:
        return 0, 0  # unchanged
    cur.execute(sql("delete_motion_votes"), {"id": m["id"]})
    cur.executemany(sql("insert_motion_vote"), [{**v, "motion_id": m["id"]} for v in m["votes"]])
    for problem in m["problems"]:  # audited when the motion is written: once per change, not every night
        audit.record(cur, "bad_field", problem["entity"], {**problem, "motion": m["id"],
                                                           "effect": "assembled without this value"}, ctx)
    return 1, int(bool(m["deleted"]))


def _failed(cur: Any, zaak_id: str, exc: Exception, ctx: RunContext) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    cur.execute(sql("upsert_assembly_failure"), {"zaak_id": zaak_id, "error": error})
    audit.record(cur, "motion_assembly_failed", zaak_id, {"motion": zaak_id, "error": error,
                                                          "effect": "not written; rebuilt on the next run"}, ctx)


def assemble_changed(store: Store, *, ctx: RunContext = RunContext(), chunk: int = 500) -> dict[str, int]:
    """Rebuild the motions touched since the assembly watermark (and those that failed before);
    move the watermark at the end. Each motion is written in a savepoint of its own, so one that
    fails is audited and left for the next run while the others are stored.

    :returns: counts ``dirty`` (candidates), ``written`` (changed rows), ``deleted``, ``failed``.
    """
    row = store.fetch_one("select_watermark", {"stage": WATERMARK})
    since = row["change_seq"] if row else 0
    upto = store.fetch_one("select_max_change_seq")["upto"]
    dirty = sorted({str(r["zaak_id"]) for r in store.fetch("select_dirty_motions", {"since": since, "upto": upto})}
                   | {str(r["zaak_id"]) for r in store.fetch("select_assembly_failures")})
    parties = {r["id"]: r["afkorting"] or r["naam"] for r in store.fetch("select_fractie_abbreviations")}
    written = deleted = failed = 0
    for start in range(0, max(len(dirty), 1), chunk):
        ids = dirty[start:start + chunk]
        built, errors = _build(store, ids, parties) if ids else ([], {})
        last = start + chunk >= len(dirty)
        with store.transaction() as cur:
            for zaak_id, exc in errors.items():
                _failed(cur, zaak_id, exc, ctx)
            failed += len(errors)
            for m in built:
                try:
                    with cur.connection.transaction():  # a savepoint: a bad motion rolls back alone
                        w, d = _write(cur, m, ctx)
                        cur.execute(sql("delete_assembly_failure"), {"zaak_id": m["id"]})
                except Exception as exc:  # noqa: BLE001 - whatever the database rejects: isolate the motion
                    _failed(cur, m["id"], exc, ctx)
                    failed += 1
                    continue
                written, deleted = written + w, deleted + d
            if last:
                cur.execute(sql("upsert_watermark"), {"stage": WATERMARK, "change_seq": upto})
    log.info("assembly: %d candidate motions since change %d, %d written, %d deleted, %d failed",
             len(dirty), since, written, deleted, failed)
    return {"dirty": len(dirty), "written": written, "deleted": deleted, "failed": failed}


def _build(store: Store, ids: list[str], parties: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Exception]]:
    """The assembled motions of ``ids`` and, per Zaak that could not be assembled, the error."""
    def raws(rows: list[dict[str, Any]]) -> list[Raw]:
        return [Raw(r["id"], r["deleted"], r["data"]) for r in rows]

    def grouped(rows: list[dict[str, Any]]) -> dict[str, list[Raw]]:
        out: dict[str, list[Raw]] = {}
        for r in rows:
            out.setdefault(r["target_id"], []).append(Raw(r["id"], r["deleted"], r["data"]))
        return out

    zaken = raws(store.fetch("select_raw_by_ids", {"category": "Zaak", "ids": ids}))
    docs = grouped(store.fetch("select_raw_referring", {"category": "Document", "ids": ids}))
    actors = grouped(store.fetch("select_raw_referring", {"category": "ZaakActor", "ids": ids}))
    besluiten = grouped(store.fetch("select_raw_referring", {"category": "Besluit", "ids": ids}))
    besluit_ids = [b.id for bs in besluiten.values() for b in bs]
    stemmingen = grouped(store.fetch("select_raw_referring", {"category": "Stemming", "ids": besluit_ids}))
    doc_ids = [d.id for ds in docs.values() for d in ds]
    versies = grouped(store.fetch("select_raw_referring", {"category": "DocumentVersie", "ids": doc_ids}))
    dossier_ids = list({z.ref("kamerstukdossier") for z in zaken if z.ref("kamerstukdossier")})
    dossiers = {d.id: d for d in raws(store.fetch("select_raw_by_ids", {"category": "Kamerstukdossier", "ids": dossier_ids}))}
    out, errors = [], {}
    for z in zaken:
        try:
            out.append(assemble_motion(z, documents=docs.get(z.id, []), dossiers=dossiers, actors=actors.get(z.id, []),
                                       besluiten=besluiten.get(z.id, []), stemmingen=stemmingen, parties=parties,
                                       versies=versies))
        except Exception as exc:  # noqa: BLE001 - one motion's data must not stop the others
            errors[z.id] = exc
    return out, errors
