"""The ``compute_similarity`` stage: load the corpus, compute every motion's related motions
(in full, or incrementally from the current version), write them as a new, unpublished version
with each neighbour's score components and each motion's earlier versions (:mod:`motion_ops.related`).
Neighbours scoring below ``min_score`` are not listed (kept as spares for the next incremental run).

Vectors are read and neighbour rows written with binary ``COPY`` (:mod:`motion_ops.store.pgcopy`);
a session advisory lock keeps two computations apart. Publishing is :mod:`motion_ops.publish`.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from motion_ops.chains import Version
from motion_ops.clients.providers import ProviderConfig, model_name
from motion_ops.numerics.incremental import floors_of, incremental_update
from motion_ops.numerics.relatedness import VOTE_TERM, Weights, components
from motion_ops.numerics.topk import top_k_neighbours
from motion_ops.parties import LINEAGE_VERSION, identity, votes_by_identity
from motion_ops.related import Corpus, prepare
from motion_ops.run import TaskResult
from motion_ops.store import pgcopy
from motion_ops.store.approvals import embedding_pending
from motion_ops.store.db import Store, sql
from motion_ops.switch import held

log = logging.getLogger(__name__)

COMPUTE_LOCK = 7_300_002


class ComputationBusy(Exception):
    """Another similarity computation holds the lock."""


def load_corpus(store: Store, model: str) -> Corpus:
    """All live motions with a current vector for ``model`` (of the model's dimension in the
    store), with their metadata and their votes per party identity."""
    row = store.fetch_one("select_corpus_dims", {"model": model})
    if row is None:
        return Corpus([], np.zeros((0, 0), np.float32), [], [])
    dims = row["dims"]
    ids, vectors = pgcopy.parse_binary_vectors(
        pgcopy.copy_out(store, "copy_out_embeddings", {"model": model, "dims": dims}), dims)
    meta = store.fetch("select_live_motion_meta", {"model": model, "dims": dims})
    if [m["id"] for m in meta] != ids:
        raise RuntimeError("motions changed while loading vectors; run compute_similarity again")
    rows: dict[str, list[tuple[str, str]]] = {}
    for r in store.fetch("select_live_votes"):
        rows.setdefault(r["motion_id"], []).append((identity(r["party"], r["afkorting"], r["naam"]), r["vote"]))
    versions = [Version(m["id"], started_on=m["started_on"], nummer=m["nummer"], dossier=m["dossier"],
                        kamerstuk=m["kamerstuk"], replaces_kamerstuk=m["replaces_kamerstuk"],
                        replaces_ids=list(m["replaces_ids"] or []), amended=m["amended"]) for m in meta]
    return Corpus(ids, vectors, [m["content_hash"] for m in meta], [m["title"] for m in meta], versions,
                  [m["debate_id"] for m in meta], [list(m["submitters"] or []) for m in meta],
                  {mid: votes_by_identity(v) for mid, v in rows.items()})


@contextmanager
def corpus_snapshot(store: Store) -> Iterator[Any]:
    """One repeatable-read transaction for everything a computation reads; yields the moment from
    which later writes count as changed for the next incremental run (see ``select_corpus_as_of``)."""
    with store.transaction() as cur:
        cur.execute(sql("set_snapshot_read"))
        cur.execute(sql("select_corpus_as_of"))
        yield cur.fetchone()["as_of"]


@contextmanager
def compute_lock(store: Store) -> Iterator[None]:
    """Hold the session advisory lock for one computation, or raise :class:`ComputationBusy`."""
    got = store.conn.execute("SELECT pg_try_advisory_lock(%s)", (COMPUTE_LOCK,)).fetchone()[0]
    store.conn.commit()
    if not got:
        raise ComputationBusy("another compute_similarity holds the lock; try again when it has finished")
    try:
        yield
    finally:
        store.conn.execute("SELECT pg_advisory_unlock(%s)", (COMPUTE_LOCK,))
        store.conn.commit()


def load_neighbours(store: Store, version: int, ids: list[str], k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A version's neighbour lists (top-n and spares, ``k`` wide) and floors as arrays over the
    current rows (``ids``, sorted); neighbours no longer present become -1; rows the version
    did not have get the floor +inf (nothing known)."""
    rows = pgcopy.parse_binary_neighbours(pgcopy.copy_out(store, "copy_out_neighbours", {"version": version}))
    idx = np.full((len(ids), k), -1, dtype=np.int32)
    val = np.full((len(ids), k), -np.inf, dtype=np.float32)
    mi, ni = pgcopy.rows_of(ids, rows["motion"]), pgcopy.rows_of(ids, rows["neighbour"])
    rk = rows["rank"].astype(np.int64) - 1
    ok = (mi >= 0) & (rk < k)
    idx[mi[ok], rk[ok]] = ni[ok]
    val[mi[ok], rk[ok]] = np.where(ni[ok] >= 0, rows["score"][ok].astype(np.float32), -np.inf)
    floor = np.full(len(ids), np.inf, dtype=np.float32)
    floors = store.fetch("select_floors", {"version": version})
    if floors:
        fi = pgcopy.rows_of(ids, pgcopy.uuid_keys([r["motion_id"] for r in floors]))
        fv = np.array([r["floor"] for r in floors], dtype=np.float32)
        floor[fi[fi >= 0]] = fv[fi >= 0]
    return idx, val, floor


def choose_mode(store: Store, *, model: str, params: dict[str, Any], ids: list[str],
                threshold: float, hidden: set[str] | None = None) -> tuple[str, str, int | None, list[str]]:
    """Full or incremental, and why. Incremental needs the current version to have the same model
    and parameters and at most ``threshold`` of the motions new, changed or deleted since; a
    motion that became, or stopped being, an earlier version of another counts as changed."""
    prev = store.fetch_one("select_current_version")
    if prev is None:
        return "full", "no published version to start from", None, []
    if prev["model"] != model or {k: prev["params"].get(k) for k in params} != params:
        return "full", f"version {prev['version']} has another model or parameters", None, []
    before = {r["id"] for r in store.fetch("select_version_motions", {"version": prev["version"]})}
    now = set(ids)
    since = prev.get("corpus_as_of") or prev["created_at"]  # versions before migration 006: their creation
    changed = {r["id"] for r in store.fetch("select_changed_since", {"model": model, "since": since})} & now
    changed |= now - before
    was_hidden = {r["id"] for r in store.fetch("select_hidden_versions", {"version": prev["version"]})}
    changed |= (was_hidden ^ (hidden or set())) & now
    deleted = before - now
    share = (len(changed) + len(deleted)) / max(len(now), 1)
    why = (f"{len(changed)} new or changed and {len(deleted)} deleted motions since version {prev['version']} "
           f"= {share:.1%} of {len(now)} (threshold {threshold:.1%})")
    if share > threshold:
        return "full", why, None, []
    return "incremental", why, prev["version"], sorted(changed)


def compute_version(store: Store, *, model: str, top_n: int, weights: Weights | None = None, min_score: float = 0.0,
                    block: int = 2048, run_id: str | None = None, incremental_threshold: float = 0.0,
                    spares: int | None = None) -> dict[str, Any]:
    """Compute and write a new, unpublished similarity version. Returns its summary.

    :param weights: of the score's components (:class:`~motion_ops.numerics.relatedness.Weights`).
    :param min_score: neighbours scoring below it are not listed (lists may be shorter than ``top_n``).
    :param incremental_threshold: recompute incrementally from the current version when at most
        this share of motions is new, changed or deleted (0 = always full).
    :param spares: neighbours kept beyond ``top_n`` for incremental repairs (default ``top_n``).
    """
    weights = weights or Weights()
    spares = top_n if spares is None else spares
    with compute_lock(store):
        t0 = time.perf_counter()
        with corpus_snapshot(store) as as_of:  # vectors, texts and votes from one snapshot
            corpus = load_corpus(store, model)
        prep = prepare(corpus, weights)
        t_load = time.perf_counter() - t0
        params = {"top_n": top_n, "spares": spares, "weights": weights.as_params(), "min_score": min_score,
                  "parties": prep.parties, "lineage": LINEAGE_VERSION, "vote_term": VOTE_TERM}
        mode, why, prev, changed = choose_mode(store, model=model, params=params, ids=corpus.ids,
                                               threshold=incremental_threshold, hidden=prep.chains.hidden) \
            if incremental_threshold > 0 else ("full", "incremental_threshold is 0", None, [])
        log.info("compute_similarity: %s (%s)", mode, why)
        t1 = time.perf_counter()
        width = top_n + spares  # spares let the next incremental run repair lists without recomputing them
        if not len(corpus.ids):
            idx, scores = np.zeros((0, width), np.int32), np.zeros((0, width), np.float32)
            floors = np.zeros(0, np.float32)
        elif mode == "incremental":
            index = {m: i for i, m in enumerate(corpus.ids)}
            old_idx, old_val, old_floor = load_neighbours(store, prev, corpus.ids, width)
            idx, scores, floors = incremental_update(prep.x, old_idx, old_val, old_floor,
                                                     np.array([index[m] for m in changed], dtype=np.int64),
                                                     width, top_n, block=block, exclusions=prep.terms)
        else:
            idx, scores = top_k_neighbours(prep.x, width, block=block, exclusions=prep.terms)
            floors = floors_of(scores, len(corpus.ids))
        t_compute = time.perf_counter() - t1
        t2 = time.perf_counter()
        top = idx[:, :top_n]
        shown = np.where(scores[:, :top_n].astype(np.float64) >= min_score, top, -1)  # below: a spare, not listed
        comp = components(prep.features, shown)
        t_components = time.perf_counter() - t2
        with store.transaction() as cur:
            cur.execute(sql("insert_similarity_version"), {"model": model, "mode": mode, "params": json.dumps(params),
                                                           "motion_count": len(corpus.ids), "run_id": run_id,
                                                           "corpus_as_of": as_of})
            version = cur.fetchone()["version"]
            with cur.copy(sql("copy_in_neighbours")) as cp:
                cp.write(pgcopy.neighbours_copy_payload(version, corpus.ids, shown, scores[:, :top_n], components=comp))
            with cur.copy(sql("copy_in_spares")) as cp:
                spare = np.hstack([np.where(shown < 0, top, -1), idx[:, top_n:]])  # ranks as computed
                cp.write(pgcopy.neighbours_copy_payload(version, corpus.ids, spare, scores))
            with cur.copy(sql("copy_in_floors")) as cp:
                cp.write(pgcopy.floors_copy_payload(version, corpus.ids, floors))
            duplicates = prep.terms.duplicate_pairs()
            cur.executemany(sql("insert_duplicate"), [
                {"version": version, "motion_id": corpus.ids[a], "duplicate_id": corpus.ids[b]} for a, b in duplicates])
            cur.executemany(sql("insert_earlier_version"), [
                {"version": version, "motion_id": mid, "position": pos, "earlier_id": earlier, "signal": signal}
                for mid, chain in prep.chains.earlier.items() for pos, (earlier, signal) in enumerate(chain, start=1)])
            rows = int((shown >= 0).sum())
            listed = ~prep.features.hidden if len(corpus.ids) else np.zeros(0, bool)  # earlier versions list nothing
            short = int((((shown >= 0).sum(axis=1) < min(top_n, max(len(corpus.ids) - 1, 0))) & listed).sum())
            stats = {"removed": prep.terms.removed, "rows": rows, "mode_reason": why, "short_lists": short,
                     "below_min_score": int(((top >= 0) & (shown < 0)).sum()),
                     "earlier_versions": len(prep.chains.hidden), "chain_links": len(prep.chains.edges),
                     "seconds": {"load": round(t_load, 3), "compute": round(t_compute, 3),
                                 "components": round(t_components, 3)}}
            cur.execute(sql("finish_similarity_version"), {"version": version, "stats": json.dumps(stats)})
        t_write = time.perf_counter() - t2
    log.info("similarity version %d: %d motions, %d neighbour rows (%d lists shorter than %d), %d earlier versions "
             "hidden; removed %s; load %.2fs, compute %.2fs, components and write %.2fs", version, len(corpus.ids),
             rows, short, top_n, len(prep.chains.hidden), prep.terms.removed, t_load, t_compute, t_write)
    return {"version": version, "mode": mode, "motions": len(corpus.ids), "rows": rows, "removed": prep.terms.removed,
            "duplicates": len(duplicates), "short_lists": short, "earlier_versions": len(prep.chains.hidden)}


def similarity_step(store: Store, config: ProviderConfig, *, params: Any, windowed: bool, manual: bool,
                    run_id: str | None) -> TaskResult:
    """The ``compute_similarity`` task: skip in a ``windowed`` run (a backfill or since/until run
    fills in a slice of history; similarity is a whole-corpus product that would fail QA coverage
    mid-backfill: the next full run computes and publishes) and when the vectors of ``model`` are
    not ready for readers (:func:`motion_ops.switch.held`), else a new unpublished version with the
    run's ``params`` (weights, ``top_n``, ``min_score``, ``incremental_threshold``) and the
    connection's model (``config``); ``manual``: a person triggered the run."""
    if windowed:
        return TaskResult(skip="windowed run: similarity is computed and published by the next full run")
    model = model_name(config)
    pending = embedding_pending(store, config, manual=manual)
    hold = held(store, model, min_coverage=params.qa_min_coverage, pending=pending)
    if hold:
        return hold
    weights = Weights(text=params.text_weight, votes=params.vote_weight, dossier=params.dossier_weight,
                      debate=params.debate_weight, submitters=params.submitter_weight,
                      min_common_parties=params.min_common_parties)
    out = compute_version(store, model=model, top_n=params.top_n, weights=weights, min_score=params.min_score,
                          run_id=run_id, incremental_threshold=params.incremental_threshold)
    return TaskResult(value=out, items=out["rows"], line=f"version {out['version']} computed ({out['mode']}): "
                   f"{out['motions']} motions, {out['rows']} related-motion rows with {model}; not published until QA passes")
