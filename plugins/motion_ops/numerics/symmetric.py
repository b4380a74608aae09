"""Exact top-k of every row of a symmetric score matrix ``x @ x.T``, each pair computed once.

Rows are cut into panels of ``block``. Panel 0 against every row gives, per row, the k-th best
score among ``block`` others: a lower bound ``lb`` on that row's k-th best overall. Then each
panel ``I`` is multiplied only with the columns from its own start on, in tiles of
``block x CHUNK_COLUMNS``; a tile entry ``s[i, j]`` is a candidate for row ``i`` when
``s >= lb[i]`` and, mirrored, for row ``j`` when ``s >= lb[j]`` (``j`` beyond panel ``I``).
Each panel's candidates are kept per row, cut to the row's top ``k`` whenever they pile up,
which raises ``lb``; a panel's rows are final once its own tiles are done. Every score that can
be in a row's top k passes its bound (ties included), so the result equals a full sort by
(score descending, index ascending). Extra memory: about ``2.25 x block x CHUNK_COLUMNS x 4`` bytes.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.selection import rank_in_row

log = logging.getLogger(__name__)

LIMIT = 4  # a panel's candidates are cut to each row's top k when they exceed LIMIT x k x block
CHUNK_COLUMNS = 8192  # columns per score tile (rounded to a multiple of the block)
LOWEST = -np.finfo(np.float32).max  # a bound below every real score, above the -inf of masked pairs

Candidates = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, columns, scores


class SymmetricTopK:
    """One computation: :meth:`run` fills ``out_idx`` / ``out_val`` (``n x k`` or wider)."""

    def __init__(self, x: np.ndarray, kk: int, block: int, exclusions: Exclusions | None,
                 out_idx: np.ndarray, out_val: np.ndarray):
        self.x, self.kk, self.block, self.exclusions = x, kk, block, exclusions
        self.out_idx, self.out_val = out_idx, out_val
        n = self.n = x.shape[0]
        self.panels = -(-n // block)
        self.cw = block * max(1, CHUNK_COLUMNS // block)  # tile width
        self.w0 = min(block, n)  # width of panel 0
        self.lb = np.full(n, LOWEST, dtype=np.float32)  # per row: a lower bound on its k-th best
        self.pools: list[list[Candidates]] = [[] for _ in range(self.panels)]
        self.sizes = [0] * self.panels
        self.limit = LIMIT * kk * block
        self.mask = np.empty(block * self.cw, dtype=bool)

    def run(self) -> None:
        x, n, block, cw, w0 = self.x, self.n, self.block, self.cw, self.w0
        log.info("top-%d over %d x %d: panels of %d rows in tiles of %d columns, ~%.0f MiB of score buffers",
                 self.kk, n, n, block, cw, 2.25 * block * cw * 4 / 2**20)
        buffers = [np.empty(block * cw, dtype=np.float32) for _ in range(2)]
        x0t = np.ascontiguousarray(x[:w0].T)
        xt = np.ascontiguousarray(x.T)
        steps = [(0, j0) for j0 in range(0, n, cw)] + [(i, c0) for i in range(1, self.panels)
                                                         for c0 in range(i * block, n, cw)]
        # the selection of tile t runs in a worker thread while the product of tile t+1 is computed
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topk") as pool:
            pending = None
            for step, (i, c0) in enumerate(steps):
                buf = buffers[step % 2]
                if i == 0:
                    s = buf[: (min(n, c0 + cw) - c0) * w0].reshape(-1, w0)
                    np.matmul(x[c0:c0 + cw], x0t, out=s)
                else:
                    rows = x[i * block:i * block + block]
                    s = buf[: len(rows) * (min(n, c0 + cw) - c0)].reshape(len(rows), -1)
                    np.matmul(rows, xt[:, c0:c0 + cw], out=s)
                if pending is not None:
                    pending.result()  # the other buffer is free again
                pending = pool.submit(self.first_panel, c0, s) if i == 0 else pool.submit(self.panel, i, c0, s)
            pending.result()

    def compact(self, p: int, final: bool = False) -> None:
        """Cut panel ``p``'s candidates to each row's top k (raising its bounds), or write them out."""
        parts = self.pools[p]
        if not parts:
            return
        r, c, v, rank = rank_in_row(np.concatenate([q[0] for q in parts]), np.concatenate([q[1] for q in parts]),
                                    np.concatenate([q[2] for q in parts]), self.kk)
        if final:
            self.out_idx[r, rank], self.out_val[r, rank] = c, v
            self.pools[p], self.sizes[p] = [], 0
            return
        full = rank == self.kk - 1  # the row's k-th best so far bounds its k-th best overall
        self.lb[r[full]] = np.maximum(self.lb[r[full]], v[full])
        self.pools[p], self.sizes[p] = [(r, c, v)], len(r)

    def add(self, p: int, r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        if len(r):
            self.pools[p].append((r.astype(np.int32), c.astype(np.int32), v))
            self.sizes[p] += len(r)
            if self.sizes[p] > self.limit:
                self.compact(p)

    def above(self, s: np.ndarray, bound: np.ndarray) -> Candidates:
        """The entries of ``s`` at or above ``bound`` (broadcast per row or per column)."""
        m = self.mask[: s.size].reshape(s.shape)
        np.greater_equal(s, bound, out=m)
        r, c = np.divmod(np.flatnonzero(m), s.shape[1])  # flatnonzero: far faster than nonzero on 2-D
        return r, c, s[r, c]

    def first_panel(self, j0: int, g: np.ndarray) -> None:
        """``g`` = rows j0.. against panel 0: bounds, candidates of rows j0.., of panel-0 rows."""
        kk, block, w0, lb = self.kk, self.block, self.w0, self.lb
        j1 = j0 + len(g)
        own = np.arange(j0, min(j1, w0))
        g[own - j0, own] = -np.inf
        if self.exclusions is not None:
            self.exclusions.apply_tile(g, j0, 0, (0, w0))
        step = max(1, min(4, w0 // (8 * kk)))  # the k-th of every 4th column: a cheap, looser bound
        sub = g[:, ::step]
        if sub.shape[1] >= kk:
            lb[j0:j1] = np.maximum(lb[j0:j1], np.partition(sub, sub.shape[1] - kk, axis=1)[:, sub.shape[1] - kk])
        r, c, v = self.above(g, lb[j0:j1, None])
        r += j0
        cuts = np.searchsorted(r, np.arange(j0 // block, -(-j1 // block) + 1) * block)
        for p, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]), start=j0 // block):
            self.add(p, r[a:b], c[a:b], v[a:b])
            self.compact(p)  # tightens the bound to the k-th of all the panel's columns
        off = max(w0 - j0, 0)  # rows of panel 0 against rows beyond it (their own block was just done)
        if off < len(g):
            r, c, v = self.above(g[off:], lb[None, :w0])
            self.add(0, c, r + j0 + off, v)
        if j1 == self.n:
            self.compact(0, final=True)

    def panel(self, i: int, c0: int, s: np.ndarray) -> None:
        """``s`` = panel ``i`` against columns ``c0..``: its own candidates and, mirrored, later rows'."""
        block, n, lb = self.block, self.n, self.lb
        r0, r1, c1 = i * block, i * block + len(s), c0 + s.shape[1]
        if c0 == r0:
            own = np.arange(r1 - r0)
            s[own, own] = -np.inf
        if self.exclusions is not None:
            self.exclusions.apply_tile(s, r0, c0, (r0, r1))
        r, c, v = self.above(s, lb[r0:r1, None])
        self.add(i, r + r0, c + c0, v)
        for p in range(max(i + 1, c0 // block), -(-c1 // block)):  # mirrored: candidates of later rows
            p0, p1 = p * block, min(n, (p + 1) * block)
            r, c, v = self.above(s[:, p0 - c0:p1 - c0], lb[None, p0:p1])
            self.add(p, c + p0, r + r0, v)
        if c1 == n:
            self.compact(i, final=True)
