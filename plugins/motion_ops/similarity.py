"""The ``compute_similarity`` stage: load the corpus, compute every motion's related motions
(in full, or incrementally from the current version), write them as a new, unpublished version.

Vectors are read and neighbour rows written with binary ``COPY`` (:mod:`motion_ops.store.pgcopy`);
a session advisory lock keeps two computations apart. Publishing is :mod:`motion_ops.publish`.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.fusion import fuse
from motion_ops.numerics.incremental import floors_of, incremental_update
from motion_ops.numerics.topk import top_k_neighbours
from motion_ops.store import pgcopy
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)

COMPUTE_LOCK = 7_300_002


class ComputationBusy(Exception):
    """Another similarity computation holds the lock."""


@dataclass
class Corpus:
    """Live motions with a vector for one model, ordered by id."""

    ids: list[str]
    vectors: np.ndarray
    content_hashes: list[str]
    titles: list[str | None]


def load_corpus(store: Store, model: str) -> Corpus:
    """All live motions with a current vector for ``model`` (of the model's dimension in the store)."""
    row = store.fetch_one("select_corpus_dims", {"model": model})
    if row is None:
        return Corpus([], np.zeros((0, 0), np.float32), [], [])
    dims = row["dims"]
    ids, vectors = pgcopy.parse_binary_vectors(
        pgcopy.copy_out(store, "copy_out_embeddings", {"model": model, "dims": dims}), dims)
    meta = store.fetch("select_live_motion_meta", {"model": model, "dims": dims})
    if [m["id"] for m in meta] != ids:
        raise RuntimeError("motions changed while loading vectors; run compute_similarity again")
    return Corpus(ids, vectors, [m["content_hash"] for m in meta], [m["title"] for m in meta])


@contextmanager
def corpus_snapshot(store: Store) -> Iterator[Any]:
    """One repeatable-read transaction for everything a computation reads; yields the moment from
    which later writes count as changed for the next incremental run (see ``select_corpus_as_of``)."""
    with store.transaction() as cur:
        cur.execute(sql("set_snapshot_read"))
        cur.execute(sql("select_corpus_as_of"))
        yield cur.fetchone()["as_of"]


def vote_matrix(store: Store, ids: list[str], *, seat_weighted: bool = False) -> tuple[np.ndarray, list[str]]:
    """Per motion a vector over a stable (sorted) party index: Voor +1, Tegen -1, else 0."""
    rows = store.fetch("select_live_votes")
    parties = sorted({r["party"] for r in rows})
    pidx = {p: j for j, p in enumerate(parties)}
    midx = {m: i for i, m in enumerate(ids)}
    mat = np.zeros((len(ids), len(parties)), dtype=np.float32)
    for r in rows:
        i = midx.get(r["motion_id"])
        if i is None:
            continue
        sign = 1.0 if r["vote"] == "Voor" else -1.0 if r["vote"] == "Tegen" else 0.0
        mat[i, pidx[r["party"]]] = sign * (max(r["seats"], 1) if seat_weighted else 1.0)
    return mat, parties


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
                threshold: float) -> tuple[str, str, int | None, list[str]]:
    """Full or incremental, and why. Incremental needs the current version to have the same model
    and parameters and at most ``threshold`` of the motions new, changed or deleted since."""
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
    deleted = before - now
    share = (len(changed) + len(deleted)) / max(len(now), 1)
    why = (f"{len(changed)} new or changed and {len(deleted)} deleted motions since version {prev['version']} "
           f"= {share:.1%} of {len(now)} (threshold {threshold:.1%})")
    if share > threshold:
        return "full", why, None, []
    return "incremental", why, prev["version"], sorted(changed)


def compute_version(store: Store, *, model: str, top_n: int, vote_weight: float, seat_weighted: bool = False,
                    block: int = 2048, run_id: str | None = None, incremental_threshold: float = 0.0,
                    spares: int | None = None) -> dict[str, Any]:
    """Compute and write a new, unpublished similarity version. Returns its summary.

    :param incremental_threshold: recompute incrementally from the current version when at most
        this share of motions is new, changed or deleted (0 = always full).
    :param spares: neighbours kept beyond ``top_n`` for incremental repairs (default ``top_n``).
    """
    spares = top_n if spares is None else spares
    with compute_lock(store):
        t0 = time.perf_counter()
        with corpus_snapshot(store) as as_of:  # vectors, texts and votes from one snapshot
            corpus = load_corpus(store, model)
            votes, parties = vote_matrix(store, corpus.ids, seat_weighted=seat_weighted) if vote_weight > 0 else (None, [])
        x = fuse(corpus.vectors, votes, vote_weight) if len(corpus.ids) else corpus.vectors
        t_load = time.perf_counter() - t0
        exclusions = Exclusions.build(corpus.content_hashes, corpus.titles)
        params = {"top_n": top_n, "vote_weight": vote_weight, "seat_weighted": seat_weighted, "parties": parties,
                  "spares": spares}
        mode, why, prev, changed = choose_mode(store, model=model, params=params, ids=corpus.ids,
                                               threshold=incremental_threshold) if incremental_threshold > 0 else (
            "full", "incremental_threshold is 0", None, [])
        log.info("compute_similarity: %s (%s)", mode, why)
        t1 = time.perf_counter()
        width = top_n + spares  # spares let the next incremental run repair lists without recomputing them
        if not len(corpus.ids):
            idx, scores = np.zeros((0, width), np.int32), np.zeros((0, width), np.float32)
            floors = np.zeros(0, np.float32)
        elif mode == "incremental":
            index = {m: i for i, m in enumerate(corpus.ids)}
            old_idx, old_val, old_floor = load_neighbours(store, prev, corpus.ids, width)
            idx, scores, floors = incremental_update(x, old_idx, old_val, old_floor,
                                                     np.array([index[m] for m in changed], dtype=np.int64),
                                                     width, top_n, block=block, exclusions=exclusions)
        else:
            idx, scores = top_k_neighbours(x, width, block=block, exclusions=exclusions)
            floors = floors_of(scores, len(corpus.ids))
        t_compute = time.perf_counter() - t1
        t2 = time.perf_counter()
        with store.transaction() as cur:
            cur.execute(sql("insert_similarity_version"), {"model": model, "mode": mode, "params": json.dumps(params),
                                                           "motion_count": len(corpus.ids), "run_id": run_id,
                                                           "corpus_as_of": as_of})
            version = cur.fetchone()["version"]
            with cur.copy(sql("copy_in_neighbours")) as cp:
                cp.write(pgcopy.neighbours_copy_payload(version, corpus.ids, idx[:, :top_n], scores[:, :top_n]))
            with cur.copy(sql("copy_in_spares")) as cp:
                cp.write(pgcopy.neighbours_copy_payload(version, corpus.ids, idx[:, top_n:], scores[:, top_n:], first_rank=top_n + 1))
            with cur.copy(sql("copy_in_floors")) as cp:
                cp.write(pgcopy.floors_copy_payload(version, corpus.ids, floors))
            duplicates = exclusions.duplicate_pairs()
            cur.executemany(sql("insert_duplicate"), [
                {"version": version, "motion_id": corpus.ids[a], "duplicate_id": corpus.ids[b]} for a, b in duplicates])
            stats = {"removed": exclusions.removed, "rows": int((idx[:, :top_n] >= 0).sum()), "mode_reason": why,
                     "seconds": {"load": round(t_load, 3), "compute": round(t_compute, 3)}}
            cur.execute(sql("finish_similarity_version"), {"version": version, "stats": json.dumps(stats)})
        t_write = time.perf_counter() - t2
    log.info("similarity version %d: %d motions, %d neighbour rows; removed %s; load %.2fs, compute %.2fs, write %.2fs",
             version, len(corpus.ids), stats["rows"], exclusions.removed, t_load, t_compute, t_write)
    return {"version": version, "mode": mode, "motions": len(corpus.ids), "rows": stats["rows"], "removed": exclusions.removed,
            "duplicates": len(duplicates)}
