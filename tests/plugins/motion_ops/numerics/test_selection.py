import numpy as np

from motion_ops.numerics.selection import rank_in_row, select_rows, select_rows_prefiltered


def test_top_k_per_row_breaks_ties_by_the_smaller_column():
    scores = np.array([[0.5, 0.9, 0.5, 0.5, 0.1], [0.2, 0.2, 0.2, 0.2, 0.2]], dtype=np.float32)
    idx, val = select_rows(scores, 3)
    assert idx.tolist() == [[1, 0, 2], [0, 1, 2]] and np.allclose(val[0], [0.9, 0.5, 0.5])
    mask = np.empty(scores.shape, dtype=bool)
    assert select_rows_prefiltered(scores, 3, 2, mask)[0].tolist() == idx.tolist()


def test_candidates_are_ranked_within_their_row_and_cut_to_k():
    rows = np.array([1, 0, 1, 0, 1])
    cols = np.array([4, 3, 2, 1, 0])
    vals = np.array([0.1, 0.7, 0.9, 0.7, 0.9], dtype=np.float32)
    r, c, v, rank = rank_in_row(rows, cols, vals, 2)
    assert r.tolist() == [0, 0, 1, 1] and c.tolist() == [1, 3, 0, 2] and rank.tolist() == [0, 1, 0, 1]
