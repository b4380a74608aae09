import numpy as np
import pytest

from motion_ops.numerics.relatedness import l2_normalise
from motion_ops.numerics.topk import top_k_neighbours


def brute_force(x, k, excluded=()):
    """Reference: full sort of every row, score descending then index ascending."""
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    for a, b in excluded:
        s[a, b] = -np.inf
    idx = np.empty((len(x), k), dtype=np.int64)
    for i in range(len(x)):
        order = np.lexsort((np.arange(len(x)), -s[i]))
        idx[i] = order[:k]
    return idx, np.take_along_axis(s, idx, axis=1)


@pytest.mark.parametrize("n,d,k,block", [(300, 16, 10, 64), (257, 8, 5, 1000), (50, 4, 49, 7), (12, 3, 20, 5)])
def test_equals_brute_force_on_random_data_with_ties_and_duplicates(n, d, k, block):
    rng = np.random.default_rng(n)
    x = np.round(rng.standard_normal((n, d)), 1).astype(np.float32)  # coarse values: many exact ties
    x[5] = x[6] = x[7]  # exact duplicates
    x = l2_normalise(x)
    idx, val = top_k_neighbours(x, k, block=block)
    kk = min(k, n - 1)
    ref_idx, ref_val = brute_force(x, kk)
    assert np.array_equal(idx[:, :kk], ref_idx) and np.allclose(val[:, :kk], ref_val)
    assert np.all(idx[:, kk:] == -1)
    assert not np.any(idx == np.arange(n)[:, None])  # never its own neighbour


def test_only_the_requested_rows_are_computed():
    x = l2_normalise(np.random.default_rng(1).standard_normal((100, 8)).astype(np.float32))
    rows = np.array([3, 50, 99])
    idx, _ = top_k_neighbours(x, 4, rows=rows, block=2)
    assert np.array_equal(idx, top_k_neighbours(x, 4)[0][rows])
