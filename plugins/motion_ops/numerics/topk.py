"""Exact top-k most similar rows of unit-length vectors (cosine similarity).

Rows are ordered by motion id, so ties (equal scores) are broken by the smaller index, i.e. by
id, and the result is deterministic: the same lists as a full sort of every row. Scores of the
same pair computed in matrix products of different shapes may differ in the last float32 bit;
that can only reorder scores tied to within about 1e-7 (``NEAR_TIE``).
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.selection import select_rows, select_rows_prefiltered
from motion_ops.numerics.symmetric import SymmetricTopK

log = logging.getLogger(__name__)

NEAR_TIE = 1e-6  # float32 products of different shapes may differ by about this much


def top_k_neighbours(x: np.ndarray, k: int, *, block: int = 2048, rows: np.ndarray | None = None,
                     exclusions: Exclusions | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each row of unit-length ``x`` (or each index in ``rows``), its ``k`` most similar other rows.

    All rows: :class:`~motion_ops.numerics.symmetric.SymmetricTopK` (each pair's score is computed
    once). Some rows: blocks of their full score rows (:func:`top_k_of_rows`).

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
        SymmetricTopK(x, kk, max(1, block), exclusions, out_idx, out_val).run()
    else:
        top_k_of_rows(x, kk, max(1, min(block, len(rows))), np.asarray(rows), exclusions, out_idx, out_val)
    masked = ~np.isfinite(out_val)
    out_idx[masked] = -1
    return out_idx, out_val


def top_k_of_rows(x: np.ndarray, kk: int, block: int, rows: np.ndarray, exclusions: Exclusions | None,
                  out_idx: np.ndarray, out_val: np.ndarray,
                  visit: Callable[[np.ndarray, np.ndarray], None] | None = None) -> None:
    """Top-k of some rows: their full score rows in blocks, each block's selection in a worker
    thread while the next block's matrix product runs (BLAS and numpy release the GIL).
    ``visit(r, s)``, if given, sees each block's scores (rows ``r`` x all columns, pair terms applied) first."""
    n = x.shape[0]
    block = max(1, min(block, 128 * -(-len(rows) // 512)))  # a few blocks at least, so selection overlaps
    log.info("top-%d of %d rows over %d: blocks of %d rows, ~%.0f MiB of score buffers", kk, len(rows), n, block,
             3 * block * n * 4 / 2**20)
    xt = x.T  # a transposed view: BLAS reads it as is
    buffers = [np.empty((block, n), dtype=np.float32) for _ in range(2)]
    mask = np.empty((block, n), dtype=bool)
    step = min(4, n // (8 * kk))  # ~k*step candidates per row: a cheap bound

    def select(start: int, r: np.ndarray, s: np.ndarray) -> None:
        s[np.arange(len(r)), r] = -np.inf  # never your own neighbour
        if exclusions is not None:
            if np.all(np.diff(r) == 1):
                exclusions.apply_tile(s, int(r[0]), 0, (0, n))
            else:
                for j, gi in enumerate(r):
                    exclusions.apply_tile(s[j:j + 1], int(gi), 0, (0, n))
        if visit is not None:
            visit(r, s)
        idx, val = select_rows_prefiltered(s, kk, step, mask) if step >= 2 else select_rows(s, kk)
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
