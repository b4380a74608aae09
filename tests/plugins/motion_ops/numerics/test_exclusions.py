import numpy as np

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.relatedness import l2_normalise
from motion_ops.numerics.topk import top_k_neighbours
from tests.plugins.motion_ops.numerics.test_topk import brute_force


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
