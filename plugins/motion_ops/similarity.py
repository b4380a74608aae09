"""Exact top-N related motions by cosine similarity, optionally fused with party votes.

**Fusion.** Per motion a text vector ``t`` (unit length) and a party-vote vector ``v`` over a
stable party index (Voor +1, Tegen -1, otherwise 0; optionally times seats). The fused vector is
the L2-normalised concatenation ``[sqrt(1-w) * t, sqrt(w) * v/|v|]`` with ``w = vote_weight``.
For two motions that both have votes the score is ``(1-w) * cos(t_a, t_b) + w * cos(v_a, v_b)``:
``w`` is the share of the score that comes from voting behaviour (0 = text only; the default
0.25 = a quarter). A motion without votes has a zero vote part and is re-normalised to its text,
so its score against a voted motion is ``sqrt(1-w) * cos(t_a, t_b)`` and against another
unvoted motion plain ``cos(t_a, t_b)``.

**Exactness.** The score matrix is symmetric, so each pair's score is computed once: row panels
of ``block`` rows are multiplied with the columns from their own start on, in tiles of
``block x CHUNK_COLUMNS`` (extra memory about ``2.25 x block x CHUNK_COLUMNS x 4`` bytes, logged).
Per row a lower bound on its k-th best score (from the first panel, raised as candidates come
in) lets the selection keep only the entries at or above it, read both ways from each tile; the
kept candidates are sorted by score descending, ties by the smaller index. Rows are ordered by
motion id, so the tie-break is by id and the result is deterministic: the same lists as a full
sort of every row (``tests/plugins/motion_ops/test_similarity.py`` checks it against one).
Scores of the same pair computed in matrix products of different shapes may differ in the last
float32 bit; that can only reorder scores tied to within about 1e-7.

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
    _pair_cache: tuple | None = field(default=None, repr=False, compare=False)

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

    def _pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every excluded ordered pair ``(a, b, kind)`` (kind 0 = duplicate text, 1 = short title), sorted by ``a``."""
        if self._pair_cache is None:
            parts = [(np.repeat(g, len(g)), np.tile(g, len(g)), kind)
                     for kind, groups in ((0, self.duplicate_groups), (1, self.short_title_groups)) for g in groups]
            a = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
            b = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
            kind = np.concatenate([np.full(len(p[0]), p[2], np.int8) for p in parts]) if parts else np.zeros(0, np.int8)
            keep = a != b
            order = np.argsort(a[keep], kind="stable")
            self._pair_cache = (a[keep][order], b[keep][order], kind[keep][order])
        return self._pair_cache

    def apply_tile(self, tile: np.ndarray, r0: int, c0: int, both_outside: tuple[int, int]) -> None:
        """Mask excluded pairs in ``tile`` = scores[r0:r0+h, c0:c0+w]. An entry stands for both
        directions of its pair (counted twice) unless both ends lie in ``both_outside = (lo, hi)``,
        where the mirrored entry is in the computation too (counted once)."""
        a, b, kind = self._pairs()
        if not len(a):
            return
        h, w = tile.shape
        lo, hi = np.searchsorted(a, [r0, r0 + h])
        a, b, kind = a[lo:hi], b[lo:hi], kind[lo:hi]
        inside = (b >= c0) & (b < c0 + w)
        a, b, kind = a[inside], b[inside], kind[inside]
        if not len(a):
            return
        hit = (kind == 0) | (tile[a - r0, b - c0] >= TRIVIAL_SCORE)
        a, b, kind = a[hit], b[hit], kind[hit]
        tile[a - r0, b - c0] = -np.inf
        s_lo, s_hi = both_outside
        weight = np.where((a >= s_lo) & (a < s_hi) & (b >= s_lo) & (b < s_hi), 1, 2)
        self.removed["duplicate_text"] += int(weight[kind == 0].sum())
        self.removed["trivial_short_title"] += int(weight[kind == 1].sum())


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
    rows, cols, vals, rank = _rank_in_row(rows, cols, scores[rows, cols], k)
    idx = np.full((b, k), -1, dtype=np.int32)
    val = np.full((b, k), -np.inf, dtype=np.float32)
    idx[rows, rank] = cols
    val[rows, rank] = vals
    return idx, val


def top_k_neighbours(x: np.ndarray, k: int, *, block: int = 2048, rows: np.ndarray | None = None,
                     exclusions: Exclusions | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each row of unit-length ``x`` (or each index in ``rows``), its ``k`` most similar other rows.

    All rows: :func:`_top_k_all` (each pair's score is computed once). Some rows: blocks of their
    full score rows (:func:`_top_k_rows`).

    :returns: ``(indices, scores)``, each ``len(rows) x k``; a missing neighbour (fewer than
        ``k`` candidates, or masked) has index -1 and score -inf.
    """
    n = x.shape[0]
    kk = min(k, max(n - 1, 0))
    count = n if rows is None else len(rows)
    out_idx = np.full((count, k), -1, dtype=np.int32)
    out_val = np.full((count, k), -np.inf, dtype=np.float32)
    if kk == 0 or count == 0:
        return out_idx, out_val
    x = np.ascontiguousarray(x, dtype=np.float32)
    if rows is None:
        _top_k_all(x, kk, max(1, block), exclusions, out_idx, out_val)
    else:
        _top_k_rows(x, kk, max(1, min(block, len(rows))), np.asarray(rows), exclusions, out_idx, out_val)
    masked = ~np.isfinite(out_val)
    out_idx[masked] = -1
    return out_idx, out_val


def _top_k_rows(x: np.ndarray, kk: int, block: int, rows: np.ndarray, exclusions: Exclusions | None,
                out_idx: np.ndarray, out_val: np.ndarray, visit=None) -> None:
    """Top-k of some rows: their full score rows in blocks, each block's selection in a worker
    thread while the next block's matrix product runs (BLAS and numpy release the GIL).
    ``visit(r, s)``, if given, sees each block's raw scores first (rows ``r`` x all columns)."""
    from concurrent.futures import ThreadPoolExecutor

    n = x.shape[0]
    block = max(1, min(block, 128 * -(-len(rows) // 512)))  # a few blocks at least, so selection overlaps
    log.info("top-%d of %d rows over %d: blocks of %d rows, ~%.0f MiB of score buffers", kk, len(rows), n, block,
             3 * block * n * 4 / 2**20)
    xt = x.T  # a transposed view: BLAS reads it as is
    buffers = [np.empty((block, n), dtype=np.float32) for _ in range(2)]
    mask = np.empty((block, n), dtype=bool)
    step = min(4, n // (8 * kk))  # measured best: ~k*step candidates per row, a cheap bound

    def select(start: int, r: np.ndarray, s: np.ndarray) -> None:
        if visit is not None:
            visit(r, s)
        s[np.arange(len(r)), r] = -np.inf  # never your own neighbour
        if exclusions is not None:
            if np.all(np.diff(r) == 1):
                exclusions.apply_tile(s, int(r[0]), 0, (0, n))
            else:
                for j, gi in enumerate(r):
                    exclusions.apply_tile(s[j:j + 1], int(gi), 0, (0, n))
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


LIMIT = 4  # a panel's candidates are cut to each row's top k when they exceed LIMIT x k x block
CHUNK_COLUMNS = 8192  # columns per score tile in _top_k_all (rounded to a multiple of the block)
LOWEST = -np.finfo(np.float32).max  # a bound below every real score, above the -inf of masked pairs


def _order_key(rows: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """An int64 key that sorts by row ascending, then score descending (one integer sort is
    ~15x faster than a three-key lexsort)."""
    bits = (vals.astype(np.float32) + np.float32(0)).view(np.int32).astype(np.int64)  # + 0 turns -0.0 into 0.0
    ordered = np.where(bits < 0, bits ^ 0x7FFFFFFF, bits)  # increases with the float's value
    return (rows.astype(np.int64) << 32) | (0x7FFFFFFF - ordered)


def _rank_in_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int):
    """Candidates sorted by (row, score descending, column), cut to the first ``k`` of each row,
    with their rank within the row."""
    key = _order_key(rows, vals)
    order = np.argsort(key)
    key = key[order]
    tied = np.flatnonzero(key[1:] == key[:-1])
    if len(tied):  # equal (row, score): order those runs by column
        pos = np.unique(np.concatenate([tied, tied + 1]))
        order[pos] = order[pos][np.lexsort((cols[order[pos]], key[pos]))]
    rows, cols, vals = rows[order], cols[order], vals[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < k
    return rows[keep], cols[keep], vals[keep], rank[keep]


def _top_k_all(x: np.ndarray, kk: int, block: int, exclusions: Exclusions | None,
               out_idx: np.ndarray, out_val: np.ndarray) -> None:
    """Exact top-k of every row, computing each pair's score once (the score matrix is symmetric).

    Rows are cut into panels of ``block``. Panel 0 against every row gives, per row, the k-th best
    score among ``block`` others: a lower bound ``lb`` on that row's k-th best overall. Then each
    panel ``I`` is multiplied only with the columns from its own start on, in tiles of
    ``block x CHUNK_COLUMNS``; a tile entry ``s[i, j]`` is a candidate for row ``i`` when
    ``s >= lb[i]`` and, mirrored, for row ``j`` when ``s >= lb[j]`` (``j`` beyond panel ``I``).
    Each panel's candidates are kept per row, cut to the row's top ``k`` whenever they pile up,
    which raises ``lb``; a panel's rows are final once its own tiles are done. Every score that
    can be in a row's top k passes its bound (ties included), so the result equals a full sort by
    (score descending, index ascending): half the matrix products of a row-by-row computation,
    and a selection that only compares and gathers the few entries above a bound.
    """
    from concurrent.futures import ThreadPoolExecutor

    n = x.shape[0]
    panels = -(-n // block)
    cw = block * max(1, CHUNK_COLUMNS // block)
    w0 = min(block, n)
    log.info("top-%d over %d x %d: panels of %d rows in tiles of %d columns, ~%.0f MiB of score buffers",
             kk, n, n, block, cw, 2.25 * block * cw * 4 / 2**20)
    lb = np.full(n, LOWEST, dtype=np.float32)
    pools: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(panels)]
    sizes = [0] * panels
    limit = LIMIT * kk * block
    buffers = [np.empty(block * cw, dtype=np.float32) for _ in range(2)]
    mask = np.empty(block * cw, dtype=bool)

    def compact(p: int, final: bool = False) -> None:
        parts = pools[p]
        if not parts:
            return
        r, c, v, rank = _rank_in_row(np.concatenate([q[0] for q in parts]), np.concatenate([q[1] for q in parts]),
                                     np.concatenate([q[2] for q in parts]), kk)
        if final:
            out_idx[r, rank], out_val[r, rank] = c, v
            pools[p], sizes[p] = [], 0
            return
        full = rank == kk - 1  # the row's k-th best so far bounds its k-th best overall
        lb[r[full]] = np.maximum(lb[r[full]], v[full])
        pools[p], sizes[p] = [(r, c, v)], len(r)

    def add(p: int, r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        if len(r):
            pools[p].append((r.astype(np.int32), c.astype(np.int32), v))
            sizes[p] += len(r)
            if sizes[p] > limit:
                compact(p)

    def above(s: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = mask[: s.size].reshape(s.shape)
        np.greater_equal(s, bound, out=m)
        r, c = np.divmod(np.flatnonzero(m), s.shape[1])  # flatnonzero is ~10x faster than nonzero on 2-D
        return r, c, s[r, c]

    def first_panel(j0: int, g: np.ndarray) -> None:
        """``g`` = rows j0.. against panel 0: bounds, candidates of rows j0.., of panel-0 rows."""
        j1 = j0 + len(g)
        own = np.arange(j0, min(j1, w0))
        g[own - j0, own] = -np.inf
        if exclusions is not None:
            exclusions.apply_tile(g, j0, 0, (0, w0))
        step = max(1, min(4, w0 // (8 * kk)))  # the k-th of every 4th column: a cheap, looser bound
        sub = g[:, ::step]
        if sub.shape[1] >= kk:
            lb[j0:j1] = np.maximum(lb[j0:j1], np.partition(sub, sub.shape[1] - kk, axis=1)[:, sub.shape[1] - kk])
        r, c, v = above(g, lb[j0:j1, None])
        r += j0
        cuts = np.searchsorted(r, np.arange(j0 // block, -(-j1 // block) + 1) * block)
        for p, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]), start=j0 // block):
            add(p, r[a:b], c[a:b], v[a:b])
            compact(p)  # tightens the bound to the k-th of all the panel's columns
        off = max(w0 - j0, 0)  # rows of panel 0 against rows beyond it (their own block was just done)
        if off < len(g):
            r, c, v = above(g[off:], lb[None, :w0])
            add(0, c, r + j0 + off, v)
        if j1 == n:
            compact(0, final=True)

    def panel(i: int, c0: int, s: np.ndarray) -> None:
        r0, r1, c1 = i * block, i * block + len(s), c0 + s.shape[1]
        if c0 == r0:
            own = np.arange(r1 - r0)
            s[own, own] = -np.inf
        if exclusions is not None:
            exclusions.apply_tile(s, r0, c0, (r0, r1))
        r, c, v = above(s, lb[r0:r1, None])
        add(i, r + r0, c + c0, v)
        for p in range(max(i + 1, c0 // block), -(-c1 // block)):  # mirrored: candidates of later rows
            p0, p1 = p * block, min(n, (p + 1) * block)
            r, c, v = above(s[:, p0 - c0:p1 - c0], lb[None, p0:p1])
            add(p, c + p0, r + r0, v)
        if c1 == n:
            compact(i, final=True)

    x0t = np.ascontiguousarray(x[:w0].T)
    xt = np.ascontiguousarray(x.T)
    steps = [(0, j0) for j0 in range(0, n, cw)] + [(i, c0) for i in range(1, panels) for c0 in range(i * block, n, cw)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topk") as pool:
        pending = None
        for step, (i, c0) in enumerate(steps):
            buf = buffers[step % 2]
            if i == 0:
                s = buf[: (min(n, c0 + cw) - c0) * w0].reshape(-1, w0)
                np.matmul(x[c0:c0 + cw], x0t, out=s)
            else:
                r0 = i * block
                rows = x[r0:r0 + block]
                s = buf[: len(rows) * (min(n, c0 + cw) - c0)].reshape(len(rows), -1)
                np.matmul(rows, xt[:, c0:c0 + cw], out=s)
            if pending is not None:
                pending.result()  # the other buffer is free again
            pending = pool.submit(first_panel, c0, s) if i == 0 else pool.submit(panel, i, c0, s)
        pending.result()


def floors_of(val: np.ndarray, n: int) -> np.ndarray:
    """The floor of freshly computed lists of width ``w``: their last score when full (every
    motion scoring above it is in the list), -inf when the list holds every other motion."""
    w = val.shape[1]
    return val[:, w - 1].copy() if n - 1 > w else np.full(len(val), -np.inf, dtype=np.float32)


def incremental_update(x: np.ndarray, old_idx: np.ndarray, old_val: np.ndarray, old_floor: np.ndarray,
                       changed: np.ndarray, width: int, k: int, *, block: int = 2048,
                       exclusions: Exclusions | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Update previous neighbour lists after some rows changed, with the same top-``k`` as a full
    run (up to the order of scores tied within float32 rounding, where two full runs over corpora
    of different sizes differ too).

    Lists are ``width`` >= ``k`` long (top-k plus spares) with a per-row ``floor``: every motion
    scoring above a row's floor is in its list. ``x`` holds the current vectors; the caller
    remaps ids and turns references to deleted motions into -1; ``changed`` lists rows that are
    new or whose vector changed. The changed rows' scores against all rows are computed once and
    read both ways: as their own rows (their lists are recomputed in full) and, mirrored, as the
    scores every other row has with them. Recomputed in full as well: rows sharing an exclusion
    group with a changed one, rows left with fewer than ``k`` known neighbours, and rows where a
    gained score nearly ties one they hold. Every other row drops the changed motions it held,
    gains those now scoring above its floor, and keeps its spares.

    :returns: ``(idx, val, floor)`` of the new lists.
    """
    n = x.shape[0]
    x = np.ascontiguousarray(x, dtype=np.float32)
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
    kk = min(width, max(n - 1, 0))
    gains: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if len(changed) and kk:
        threshold = np.where(redo, np.inf, floor - NEAR_TIE).astype(np.float32)  # redo rows gain nothing here

        def collect(r: np.ndarray, s: np.ndarray) -> None:  # s: changed rows r x all rows
            c_local, j = np.divmod(np.flatnonzero(s > threshold[None, :]), n)
            gains.append((j, r[c_local], s[c_local, j]))

        c_idx = np.full((len(changed), width), -1, dtype=np.int32)
        c_val = np.full((len(changed), width), -np.inf, dtype=np.float32)
        _top_k_rows(x, kk, max(1, min(block, len(changed))), changed, exclusions, c_idx, c_val, visit=collect)
        idx[changed], val[changed] = c_idx, c_val
        floor[changed] = floors_of(c_val, n)
    if gains:
        g_row = np.concatenate([g[0] for g in gains])
        g_idx = np.concatenate([g[1] for g in gains])
        g_val = np.concatenate([g[2] for g in gains])
        # a product of another shape may differ from the full run's in the last bit: where a
        # gained score is that close to one the row holds (or to its floor), recompute the row
        tied = (np.abs(val[g_row] - g_val[:, None]) < NEAR_TIE).any(axis=1) | (np.abs(g_val - floor[g_row]) < NEAR_TIE)
        redo[g_row[tied]] = True
        keep_pair = ~redo[g_row]
        g_row, g_idx, g_val = g_row[keep_pair], g_idx[keep_pair], g_val[keep_pair]
        if len(g_row):
            affected = np.unique(g_row)
            pos = np.searchsorted(affected, g_row)
            cand_row = np.concatenate([np.repeat(np.arange(len(affected)), width), pos])
            cand_idx = np.concatenate([idx[affected].ravel(), g_idx])
            cand_val = np.concatenate([val[affected].ravel(), g_val])
            ok = cand_idx >= 0
            cand_row, cand_idx, cand_val, rank = _rank_in_row(cand_row[ok], cand_idx[ok], cand_val[ok], len(cand_idx))
            fits = rank < width
            new_idx = np.full((len(affected), width), -1, dtype=np.int32)
            new_val = np.full((len(affected), width), -np.inf, dtype=np.float32)
            new_idx[cand_row[fits], rank[fits]] = cand_idx[fits]
            new_val[cand_row[fits], rank[fits]] = cand_val[fits]
            # a dropped candidate raises the floor to its score: everything above it is still held
            cut = ~fits
            if cut.any():
                first = np.full(len(affected), -np.inf, dtype=np.float32)
                np.maximum.at(first, cand_row[cut], cand_val[cut])
                floor[affected] = np.maximum(floor[affected], first)
            idx[affected], val[affected] = new_idx, new_val
    # rows whose known list no longer covers the top-k (lost neighbours, too few spares)
    known = (val > floor[:, None]).sum(axis=1)
    complete = np.isneginf(floor)  # the list holds every other motion
    redo |= (known < min(k, max(n - 1, 0))) & ~complete
    # lists with holes (a changed or deleted neighbour, not refilled): compact to the front,
    # keeping the (score, id) order
    holes = np.nonzero(((idx[:, :-1] < 0) & (idx[:, 1:] >= 0)).any(axis=1) & ~redo)[0]
    if len(holes):
        h_idx, h_val = idx[holes], val[holes]
        order = np.lexsort((np.where(h_idx >= 0, h_idx, np.iinfo(np.int32).max), -h_val), axis=1)
        idx[holes], val[holes] = np.take_along_axis(h_idx, order, axis=1), np.take_along_axis(h_val, order, axis=1)
    full_rows = np.nonzero(redo & ~is_changed)[0]  # the changed rows are done
    if len(full_rows):
        fi, fv = top_k_neighbours(x, width, rows=full_rows, block=block, exclusions=exclusions)
        idx[full_rows], val[full_rows] = fi, fv
        floor[full_rows] = floors_of(fv, n)
    return idx, val, floor
