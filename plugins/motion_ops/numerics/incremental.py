"""Incremental repair of neighbour lists after some rows changed (same top-k as a full run)."""
from __future__ import annotations

import numpy as np

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.selection import rank_in_row
from motion_ops.numerics.topk import NEAR_TIE, top_k_neighbours, top_k_of_rows


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
        top_k_of_rows(x, kk, max(1, min(block, len(changed))), changed, exclusions, c_idx, c_val, visit=collect)
        c_idx[~np.isfinite(c_val)] = -1  # masked (a hidden row lists nothing), as in a full run
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
            cand_row, cand_idx, cand_val, rank = rank_in_row(cand_row[ok], cand_idx[ok], cand_val[ok], len(cand_idx))
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
