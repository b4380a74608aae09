import numpy as np
import pytest

from motion_ops.similarity import Exclusions, fuse, l2_normalise, top_k_neighbours


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


def test_fusion_score_is_the_weighted_sum_of_text_and_vote_cosines():
    rng = np.random.default_rng(2)
    t = l2_normalise(rng.standard_normal((3, 6)).astype(np.float32))
    v = np.array([[1, -1, 1, 0], [1, 1, -1, 0], [0, 0, 0, 0]], dtype=np.float32)
    w = 0.25
    f = fuse(t, v, w)
    assert np.allclose(np.linalg.norm(f, axis=1), 1.0, atol=1e-6)
    cos_v = (v[0] / np.linalg.norm(v[0])) @ (v[1] / np.linalg.norm(v[1]))
    assert f[0] @ f[1] == pytest.approx((1 - w) * (t[0] @ t[1]) + w * cos_v, abs=1e-6)
    assert f[0] @ f[2] == pytest.approx(np.sqrt(1 - w) * (t[0] @ t[2]), abs=1e-6)  # no votes: text only
    assert np.allclose(fuse(t, v, 0.0), t)


def test_duplicate_texts_are_excluded_and_recorded_not_related():
    x = l2_normalise(np.random.default_rng(3).standard_normal((20, 5)).astype(np.float32))
    x[4] = x[9]
    hashes = [str(i) for i in range(20)]
    hashes[4] = hashes[9] = "same"
    ex = Exclusions.build(hashes, None)
    idx, _ = top_k_neighbours(x, 3, exclusions=ex, block=6)
    ref, _ = brute_force(x, 3, excluded=[(4, 9), (9, 4)])
    assert np.array_equal(idx, ref) and 9 not in idx[4] and 4 not in idx[9]
    assert sorted(ex.duplicate_pairs()) == [(4, 9), (9, 4)] and ex.removed["duplicate_text"] == 2


def test_identical_vectors_with_the_same_short_title_are_not_a_relation_but_long_titles_are():
    x = l2_normalise(np.random.default_rng(4).standard_normal((10, 5)).astype(np.float32))
    x[1] = x[2]
    x[3] = x[4]
    titles = [f"motie {i} over iets heel anders" for i in range(10)]
    titles[1] = titles[2] = "Stikstof!"                        # short: filtered
    titles[3] = titles[4] = "Motie over stikstof en natuur"    # long: kept
    ex = Exclusions.build(None, titles)
    idx, _ = top_k_neighbours(x, 2, exclusions=ex)
    assert 2 not in idx[1] and idx[3][0] == 4 and ex.removed["trivial_short_title"] == 2


@pytest.mark.parametrize("seed", range(6))
def test_incremental_equals_full_over_rounds_of_random_inserts_changes_and_deletes(seed):
    from motion_ops.similarity import floors_of, incremental_update

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


@pytest.mark.parametrize("seed", range(8))
def test_all_rows_at_once_equal_row_by_row_with_exclusions_across_panels(seed):
    """The full computation (each pair once, bounds, mirrored candidates) against the row-by-row
    one, with duplicate and short-title exclusions spread over many panels."""
    rng = np.random.default_rng(100 + seed)
    n, d = int(rng.integers(20, 300)), int(rng.integers(3, 10))
    k, block = int(rng.integers(1, 20)), int(rng.integers(1, 70))
    x = np.round(rng.standard_normal((n, d)), 1).astype(np.float32)
    for a, b in rng.integers(0, n, (4, 2)):
        x[a] = x[b]  # identical vectors (score 1.0) far apart
    x = l2_normalise(x)
    hashes = [f"dup{v}" if v < n // 6 else f"own{i}" for i, v in enumerate(rng.integers(0, n, n))]
    titles = ["kort" if rng.random() < 0.2 else f"een lange titel nummer {i}" for i in range(n)]
    ex_all, ex_rows = Exclusions.build(hashes, titles), Exclusions.build(hashes, titles)
    idx, val = top_k_neighbours(x, k, block=block, exclusions=ex_all)
    ref_idx, ref_val = top_k_neighbours(x, k, block=block, rows=np.arange(n), exclusions=ex_rows)
    assert ex_all.removed == ex_rows.removed and ex_all.removed["duplicate_text"] > 0
    excluded = {(a, b) for a, b in ex_all.duplicate_pairs()}
    assert not any((i, int(j)) in excluded for i in range(n) for j in idx[i] if j >= 0)
    # same scores rank by rank; ids may differ only where float32 rounding reorders near-ties
    assert np.allclose(np.where(np.isfinite(val), val, 9), np.where(np.isfinite(ref_val), ref_val, 9), atol=1e-6)
    differ = (idx != ref_idx).any(axis=1)
    assert differ.mean() < 0.1
