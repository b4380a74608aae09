"""Exact top-N related motions by cosine similarity, optionally fused with party votes.

**Fusion.** Per motion a text vector ``t`` (unit length) and a party-vote vector ``v`` over a
stable party index (Voor +1, Tegen -1, otherwise 0; optionally times seats). The fused vector is
the L2-normalised concatenation ``[sqrt(1-w) * t, sqrt(w) * v/|v|]`` with ``w = vote_weight``.
For two motions that both have votes the score is ``(1-w) * cos(t_a, t_b) + w * cos(v_a, v_b)``:
``w`` is the share of the score that comes from voting behaviour (0 = text only; the default
0.25 = a quarter). A motion without votes has a zero vote part and is re-normalised to its text,
so its score against a voted motion is ``sqrt(1-w) * cos(t_a, t_b)`` and against another
unvoted motion plain ``cos(t_a, t_b)``.

**Exactness.** Scores are full matrix products in row blocks (extra memory about
``block x N x 4`` bytes); per row the top ``k`` are selected with ``argpartition`` and ties at
the boundary are resolved by the smaller index. Rows are ordered by motion id, so the tie-break
is by id and the result is deterministic.

**Safety filter.** Masked before selection (so the lists stay exact): pairs of motions with the
same content hash (recorded as duplicates, not related), and pairs scoring >= 0.999999 whose
normalised titles are identical and shorter than 12 characters.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)

TRIVIAL_SCORE = 0.999999
NEAR_TIE = 1e-6  # float32 products of different shapes may differ by about this much
SHORT_TITLE = 12


def l2_normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def fuse(text: np.ndarray, votes: np.ndarray | None, vote_weight: float) -> np.ndarray:
    """The fused, unit-length vectors (see the module docstring)."""
    t = l2_normalise(np.asarray(text, dtype=np.float32))
    if votes is None or vote_weight <= 0 or votes.shape[1] == 0:
        return t
    if not 0 <= vote_weight < 1:
        raise ValueError(f"vote_weight must be in [0, 1), got {vote_weight}")
    v = l2_normalise(np.asarray(votes, dtype=np.float32))
    fused = np.hstack([np.sqrt(1 - vote_weight) * t, np.sqrt(vote_weight) * v]).astype(np.float32)
    return l2_normalise(fused)


def normalise_title(title: str | None) -> str:
    return re.sub(r"\W+", " ", (title or "").lower()).strip()


@dataclass
class Exclusions:
    """Pairs that must not become neighbours, as groups of row indices."""

    duplicate_groups: list[np.ndarray] = field(default_factory=list)   # same content hash
    short_title_groups: list[np.ndarray] = field(default_factory=list)  # same short normalised title
    removed: dict[str, int] = field(default_factory=lambda: {"duplicate_text": 0, "trivial_short_title": 0})

    @classmethod
    def build(cls, content_hashes: list[str] | None, titles: list[str | None] | None) -> "Exclusions":
        ex = cls()
        for values, target, keep in ((content_hashes, ex.duplicate_groups, lambda s: bool(s)),
                                     ([normalise_title(t) for t in titles] if titles else None,
                                      ex.short_title_groups, lambda s: 0 < len(s) < SHORT_TITLE)):
            if not values:
                continue
            groups: dict[str, list[int]] = {}
            for i, v in enumerate(values):
                if keep(v):
                    groups.setdefault(v, []).append(i)
            target.extend(np.array(g) for g in groups.values() if len(g) > 1)
        return ex

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for g in self.duplicate_groups for a in g for b in g if a != b]

    def apply(self, scores: np.ndarray, rows: np.ndarray) -> None:
        """Mask excluded pairs in a score block whose rows are the global indices ``rows``."""
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        for g in self.duplicate_groups:
            inside = g[(g >= lo) & (g < hi)]
            for r in inside:
                cols = g[g != r]
                self.removed["duplicate_text"] += len(cols)
                scores[r - lo, cols] = -np.inf
        for g in self.short_title_groups:
            inside = g[(g >= lo) & (g < hi)]
            for r in inside:
                cols = g[g != r]
                trivial = cols[scores[r - lo, cols] >= TRIVIAL_SCORE]
                self.removed["trivial_short_title"] += len(trivial)
                scores[r - lo, trivial] = -np.inf


def _select_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k per row of ``scores`` (descending, ties by smaller column index)."""
    b, n = scores.shape
    if k >= n:
        order = np.lexsort((np.broadcast_to(np.arange(n), (b, n)), -scores), axis=1)
        return order.astype(np.int32), np.take_along_axis(scores, order, axis=1)
    part = np.argpartition(scores, n - k, axis=1)[:, n - k:]
    vals = np.take_along_axis(scores, part, axis=1)
    kth = vals.min(axis=1)
    # rows where more columns tie with the k-th value than were taken need the id tie-break
    at_kth = (scores == kth[:, None]).sum(axis=1)
    taken_at_kth = (vals == kth[:, None]).sum(axis=1)
    for r in np.nonzero(at_kth > taken_at_kth)[0]:
        above = np.nonzero(scores[r] > kth[r])[0]
        ties = np.nonzero(scores[r] == kth[r])[0][: k - len(above)]
        part[r] = np.concatenate([above, ties])
        vals[r] = scores[r, part[r]]
    order = np.lexsort((part, -vals), axis=1)
    return np.take_along_axis(part, order, axis=1).astype(np.int32), np.take_along_axis(vals, order, axis=1)


def _select_rows_prefiltered(scores: np.ndarray, k: int, step: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top-k per row like :func:`_select_rows`, without a full partition of every row.

    The k-th largest score of a strided column subset is a lower bound on the row's k-th
    largest, so the columns scoring at least that bound contain the whole top-k (ties included):
    only those few candidates are sorted (by row, score descending, column ascending).
    ``mask`` is a reusable boolean buffer of at least ``scores.shape``.
    """
    b, n = scores.shape
    sub = scores[:, ::step]
    bound = np.partition(sub, sub.shape[1] - k, axis=1)[:, sub.shape[1] - k]
    m = mask[:b, :n]
    np.greater_equal(scores, bound[:, None], out=m)
    rows, cols = np.divmod(np.flatnonzero(m), n)  # flatnonzero is ~10x faster than nonzero on 2-D
    vals = scores[rows, cols]
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    pos = np.arange(len(rows)) - np.searchsorted(rows, rows)  # rank within its row
    keep = pos < k
    idx = np.full((b, k), -1, dtype=np.int32)
    val = np.full((b, k), -np.inf, dtype=np.float32)
    idx[rows[keep], pos[keep]] = cols[keep]
    val[rows[keep], pos[keep]] = vals[keep]
    return idx, val


def top_k_neighbours(x: np.ndarray, k: int, *, block: int = 1024, rows: np.ndarray | None = None,
                     exclusions: Exclusions | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each row of unit-length ``x`` (or each index in ``rows``), its ``k`` most similar other rows.

    Score blocks are computed into two reused buffers: while one block's top-k is selected in a
    worker thread, the next block's matrix product runs (BLAS and numpy release the GIL).

    :returns: ``(indices, scores)``, each ``len(rows) x k``; a missing neighbour (fewer than
        ``k`` candidates, or masked) has index -1 and score -inf.
    """
    from concurrent.futures import ThreadPoolExecutor

    n = x.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows)
    kk = min(k, max(n - 1, 0))
    out_idx = np.full((len(rows), k), -1, dtype=np.int32)
    out_val = np.full((len(rows), k), -np.inf, dtype=np.float32)
    if kk == 0 or len(rows) == 0:
        return out_idx, out_val
    block = max(1, min(block, len(rows)))
    log.info("top-%d over %d x %d: blocks of %d rows, ~%.0f MiB of score buffers", k, len(rows), n, block,
             3 * block * n * 4 / 2**20)
    xt = np.ascontiguousarray(x.T)
    buffers = [np.empty((block, n), dtype=np.float32) for _ in range(2)]
    mask = np.empty((block, n), dtype=bool)
    step = min(4, n // (8 * kk))  # measured best: ~k*step candidates per row, a cheap bound

    def select(start: int, r: np.ndarray, s: np.ndarray) -> None:
        s[np.arange(len(r)), r] = -np.inf  # never your own neighbour
        if exclusions is not None:
            if np.all(np.diff(r) == 1):  # exclusion groups are global indices over contiguous rows
                exclusions.apply(s, r)
            else:
                for j, gi in enumerate(r):
                    exclusions.apply(s[j:j + 1], np.array([gi]))
        idx, val = _select_rows_prefiltered(s, kk, step, mask) if step >= 2 else _select_rows(s, kk)
        out_idx[start:start + len(r), :kk] = idx
        out_val[start:start + len(r), :kk] = val

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topk") as pool:
        pending = None
        for i, start in enumerate(range(0, len(rows), block)):
            r = rows[start:start + block]
            s = buffers[i % 2][: len(r)]
            np.matmul(x[r], xt, out=s)
            if pending is not None:
                pending.result()  # the other buffer is free again
            pending = pool.submit(select, start, r, s)
        pending.result()
    masked = ~np.isfinite(out_val)
    out_idx[masked] = -1
    return out_idx, out_val


def floors_of(val: np.ndarray, n: int) -> np.ndarray:
    """The floor of freshly computed lists of width ``w``: their last score when full (every
    motion scoring above it is in the list), -inf when the list holds every other motion."""
    w = val.shape[1]
    return val[:, w - 1].copy() if n - 1 > w else np.full(len(val), -np.inf, dtype=np.float32)


def incremental_update(x: np.ndarray, old_idx: np.ndarray, old_val: np.ndarray, old_floor: np.ndarray,
                       changed: np.ndarray, width: int, k: int, *, block: int = 1024,
                       exclusions: Exclusions | None = None,
                       chunk: int = 8192) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Update previous neighbour lists after some rows changed, with the same top-``k`` as a full
    run (up to the order of scores tied within float32 rounding, where two full runs over corpora
    of different sizes differ too).

    Lists are ``width`` >= ``k`` long (top-k plus spares) with a per-row ``floor``: every motion
    scoring above a row's floor is in its list. ``x`` holds the current vectors; the caller
    remaps ids and turns references to deleted motions into -1; ``changed`` lists rows that are
    new or whose vector changed. Recomputed in full: changed rows, rows sharing an exclusion group
    with one, rows left with fewer than ``k`` known neighbours, and rows where a gained score
    nearly ties one they hold. Every other row drops the changed motions it held, gains those now
    scoring above its floor (compared with the changed rows alone), and keeps its spares.

    :returns: ``(idx, val, floor)`` of the new lists.
    """
    n = x.shape[0]
    changed = np.unique(np.asarray(changed, dtype=np.int64))
    is_changed = np.zeros(n, dtype=bool)
    is_changed[changed] = True
    idx, val, floor = old_idx.copy(), old_val.copy(), old_floor.astype(np.float32).copy()
    held = idx >= 0
    lost = held & is_changed[np.where(held, idx, 0)]
    idx[lost], val[lost] = -1, -np.inf
    redo = is_changed.copy()
    if exclusions is not None:
        for g in exclusions.duplicate_groups + exclusions.short_title_groups:
            if is_changed[g].any():
                redo[g] = True
    others = np.nonzero(~redo)[0]
    if len(changed) and len(others):
        xc_t = np.ascontiguousarray(x[changed].T)
        for start in range(0, len(others), chunk):
            rows = others[start:start + chunk]
            s = x[rows] @ xc_t                            # rows x changed: exact scores of the changed
            r_local, c_local = np.nonzero(s > floor[rows][:, None] - NEAR_TIE)
            if len(r_local) == 0:
                continue
            # a product of another shape may differ from the full run's in the last bit: where a
            # gained score is that close to one the row holds (or to its floor), recompute the row
            tied = (np.abs(val[rows[r_local]] - s[r_local, c_local][:, None]) < NEAR_TIE).any(axis=1) | (
                np.abs(s[r_local, c_local] - floor[rows[r_local]]) < NEAR_TIE)
            redo[rows[np.unique(r_local[tied])]] = True
            keep_pair = ~redo[rows[r_local]]
            r_local, c_local = r_local[keep_pair], c_local[keep_pair]
            if len(r_local) == 0:
                continue
            affected = np.unique(r_local)
            g_rows = rows[affected]
            pos = np.searchsorted(affected, r_local)
            cand_row = np.concatenate([np.repeat(np.arange(len(affected)), width), pos])
            cand_idx = np.concatenate([idx[g_rows].ravel(), changed[c_local]])
            cand_val = np.concatenate([val[g_rows].ravel(), s[r_local, c_local]])
            ok = cand_idx >= 0
            cand_row, cand_idx, cand_val = cand_row[ok], cand_idx[ok], cand_val[ok]
            order = np.lexsort((cand_idx, -cand_val, cand_row))
            cand_row, cand_idx, cand_val = cand_row[order], cand_idx[order], cand_val[order]
            rank = np.arange(len(cand_row)) - np.searchsorted(cand_row, cand_row)
            new_idx = np.full((len(affected), width), -1, dtype=np.int32)
            new_val = np.full((len(affected), width), -np.inf, dtype=np.float32)
            fits = rank < width
            new_idx[cand_row[fits], rank[fits]] = cand_idx[fits]
            new_val[cand_row[fits], rank[fits]] = cand_val[fits]
            # a dropped candidate raises the floor to its score: everything above it is still held
            cut = ~fits
            if cut.any():
                first_cut = np.maximum.reduceat(np.where(cut, cand_val, -np.inf), np.searchsorted(cand_row, np.arange(len(affected))))
                floor[g_rows] = np.maximum(floor[g_rows], first_cut)
            idx[g_rows], val[g_rows] = new_idx, new_val
    # rows whose known list no longer covers the top-k (lost neighbours, too few spares)
    known = (val > floor[:, None]).sum(axis=1)
    complete = np.isneginf(floor)  # the list holds every other motion
    redo |= (known < min(k, max(n - 1, 0))) & ~complete
    # compact each list to the front (lost entries left holes), keeping the (score, id) order
    order = np.lexsort((np.where(idx >= 0, idx, np.iinfo(np.int32).max), -val), axis=1)
    idx, val = np.take_along_axis(idx, order, axis=1), np.take_along_axis(val, order, axis=1)
    full_rows = np.nonzero(redo)[0]
    if len(full_rows):
        fi, fv = top_k_neighbours(x, width, rows=full_rows, block=block, exclusions=exclusions)
        idx[full_rows], val[full_rows] = fi, fv
        floor[full_rows] = floors_of(fv, n)
    return idx, val, floor
