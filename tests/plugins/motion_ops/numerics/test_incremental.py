import numpy as np
import pytest

from motion_ops.numerics.incremental import floors_of, incremental_update
from motion_ops.numerics.relatedness import l2_normalise
from motion_ops.numerics.topk import top_k_neighbours


@pytest.mark.parametrize("seed", range(6))
def test_incremental_equals_full_over_rounds_of_random_inserts_changes_and_deletes(seed):
    rng = np.random.default_rng(seed)
    n, d, k = 400 if seed < 5 else 12, 12, 7
    width = 2 * k
    x = l2_normalise(rng.standard_normal((n, d)).astype(np.float32))
    idx, val = top_k_neighbours(x, width, block=64)
    floor = floors_of(val, n)
    for _ in range(4):  # successive nights: spares get used up, lists must stay exact
        deleted = rng.choice(len(x), 3, replace=False)
        keep = np.setdiff1d(np.arange(len(x)), deleted)
        new = x[keep].copy()
        changed_local = rng.choice(len(keep), 3, replace=False)
        new[changed_local] = l2_normalise(rng.standard_normal((3, d)).astype(np.float32))
        new = np.vstack([new, l2_normalise(rng.standard_normal((3, d)).astype(np.float32))])
        remap = np.full(len(x), -1)
        remap[keep] = np.arange(len(keep))
        prev_idx = np.full((len(new), width), -1, dtype=np.int32)
        prev_val = np.full((len(new), width), -np.inf, dtype=np.float32)
        prev_floor = np.full(len(new), np.inf, dtype=np.float32)
        prev_idx[: len(keep)] = np.where(idx[keep] >= 0, remap[np.where(idx[keep] >= 0, idx[keep], 0)], -1)
        prev_val[: len(keep)] = np.where(prev_idx[: len(keep)] >= 0, val[keep], -np.inf)
        prev_floor[: len(keep)] = floor[keep]
        changed = np.concatenate([changed_local, np.arange(len(keep), len(new))])
        idx, val, floor = incremental_update(new, prev_idx, prev_val, prev_floor, changed, width, k, block=50)
        full_idx, full_val = top_k_neighbours(new, k, block=64)
        assert np.array_equal(idx[:, :k], full_idx) and np.allclose(val[:, :k], full_val, atol=1e-6)
        x = new
