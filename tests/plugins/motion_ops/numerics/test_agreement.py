"""Agreement beyond chance between parties (and a reader): the relatedness's centred votes."""
import numpy as np
import pytest

from motion_ops.numerics.agreement import agreement, with_reader
from motion_ops.numerics.relatedness import centred_votes

# motions x parties A, B, C, D: +1 voor, -1 tegen, 0 did not vote
VOTES = np.array([[1, 1, -1, -1],
                  [1, 1, 1, -1],
                  [-1, 1, -1, 1],
                  [1, -1, -1, -1]], dtype=np.int8)


def test_a_consensus_vote_adds_nothing_to_any_two_parties_agreement():
    before = agreement(VOTES)
    unanimous = np.vstack([VOTES, [[1, 1, 1, 1], [-1, -1, -1, -1], [1, 1, 0, 1]]])
    after = agreement(unanimous)
    np.testing.assert_allclose(after.correlation, before.correlation)
    np.testing.assert_array_equal(after.rests_on, before.rests_on)
    # the plain counts do see the unanimous votes: a raw share of "voted the same" would rise
    assert (after.common[0, 2] - before.common[0, 2], after.same[0, 2] - before.same[0, 2]) == (2, 2)


def test_the_matrix_is_the_correlation_of_the_relatedness_centred_votes_over_the_motions_both_voted_on():
    a = agreement(VOTES)
    z = centred_votes(VOTES).astype(np.float64)
    for p in range(4):
        for q in range(4):
            both = (VOTES[:, p] != 0) & (VOTES[:, q] != 0)
            zp, zq = z[both, p], z[both, q]
            expected = zp @ zq / np.sqrt((zp @ zp) * (zq @ zq))
            assert a.value(p, q) == pytest.approx(round(float(expected), 4), abs=1e-4)
    assert a.value(0, 0) == 1.0 and np.allclose(a.correlation, a.correlation.T)
    assert np.all(np.abs(a.correlation) <= 1.0)


def test_agreeing_with_a_lone_dissenter_counts_more_than_agreeing_with_a_large_majority():
    # A and B together against everyone once; C and D together with the majority once
    votes = np.array([[-1, -1, 1, 1, 1, 1, 1, 1],
                      [1, 1, 1, 1, 1, 1, -1, -1],
                      [1, -1, 1, -1, 1, -1, 1, -1]], dtype=np.int8)
    a = agreement(votes)
    assert a.value(0, 1) > a.value(2, 3)


def test_parties_that_always_voted_alike_or_opposite_score_one_and_minus_one_and_no_shared_vote_is_none():
    votes = np.array([[1, 1, -1, 0], [-1, -1, 1, 0], [1, 1, 1, 1]], dtype=np.int8)
    a = agreement(votes)
    assert a.value(0, 1) == 1.0 and a.value(0, 2) == -1.0
    assert a.value(0, 3) is None and a.rests_on[0, 3] == 0  # D only voted on a unanimous motion
    assert np.isnan(a.correlation[0, 3])


def test_a_reader_is_one_more_column_and_a_skipped_answer_is_no_vote():
    answers = np.array([1, 1, -1, 0], dtype=np.int8)
    a = with_reader(VOTES, answers)
    assert a.correlation.shape == (5, 5)
    np.testing.assert_allclose(a.correlation, agreement(np.hstack([VOTES, answers[:, None]])).correlation)
    assert a.common[0, 4] == 3 and a.same[0, 4] == 3  # A voted as the reader answered on all three
    with pytest.raises(ValueError, match="3 answers for 4 motions"):
        with_reader(VOTES, answers[:3])
