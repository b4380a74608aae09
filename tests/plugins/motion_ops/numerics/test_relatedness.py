import numpy as np
import pytest

from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.incremental import floors_of, incremental_update
from motion_ops.numerics.relatedness import (
    Features,
    PairTerms,
    Weights,
    agreement,
    centred_votes,
    components,
    fused_vectors,
    l2_normalise,
    reason,
    vote_scale,
    votes_notable,
)
from motion_ops.numerics.topk import top_k_neighbours


def features(n=120, d=12, seed=3):
    rng = np.random.default_rng(seed)
    votes = rng.choice([-1, 0, 1], size=(n, 9), p=[0.4, 0.2, 0.4]).astype(np.int8)
    votes[: n // 4] = 0  # motions without votes
    return Features(text=l2_normalise(rng.standard_normal((n, d)).astype(np.float32)), votes=votes,
                    dossier=rng.integers(-1, 8, n).astype(np.int32), debate=rng.integers(-1, 20, n).astype(np.int32),
                    submitters=[np.unique(rng.integers(0, 15, rng.integers(0, 4))) for _ in range(n)],
                    hidden=rng.random(n) < 0.1)


def reference_scores(f, w):
    """Every pair's fused score, written out term by term."""
    t = f.text @ f.text.T
    z = np.zeros(f.votes.shape)
    for i, row in enumerate(f.votes.astype(np.float64)):  # each vote centred over the parties that cast it
        cast = row[row != 0]
        if len(cast) >= 2 and len(set(cast)) == 2:  # a unanimous vote stays 0
            z[i, row != 0] = (cast - cast.mean()) / np.sqrt(1 - cast.mean() ** 2)
    net = (z @ z.T) / vote_scale(f.votes)  # agreement beyond chance
    s = np.zeros((len(f.submitters), 16))
    for i, ss in enumerate(f.submitters):
        if len(ss):
            s[i, ss] = 1 / np.sqrt(len(ss))
    same_d = (f.dossier[:, None] == f.dossier[None, :]) & (f.dossier[:, None] >= 0)
    same_a = (f.debate[:, None] == f.debate[None, :]) & (f.debate[:, None] >= 0)
    score = w.text * t + w.votes * net + w.submitters * (s @ s.T) + w.dossier * same_d + w.debate * same_a
    np.fill_diagonal(score, -np.inf)
    score[f.hidden, :] = -np.inf
    score[:, f.hidden] = -np.inf
    return score


@pytest.mark.parametrize("block", [7, 32, 500])
def test_the_ranked_score_is_the_weighted_sum_of_the_components_exactly(block):
    f, w = features(), Weights(text=0.6, votes=0.15, dossier=0.1, debate=0.1, submitters=0.05)
    terms = PairTerms(Exclusions(), f, w)
    idx, val = top_k_neighbours(fused_vectors(f, w), 6, block=block, exclusions=terms)
    ref = reference_scores(f, w)
    for i in range(len(idx)):
        order = np.lexsort((np.arange(len(ref)), -ref[i]))
        want = [j for j in order[:6] if np.isfinite(ref[i, j])]
        assert list(idx[i][idx[i] >= 0]) == want
        assert np.allclose(val[i][: len(want)], ref[i, want], atol=1e-5)
    assert (idx[f.hidden] == -1).all() and not np.isin(idx, np.flatnonzero(f.hidden)).any()


def test_incremental_repair_equals_a_full_run_with_pair_terms():
    f, w = features(), Weights()
    width, k = 10, 5
    x = fused_vectors(f, w)
    terms = PairTerms(Exclusions(), f, w)
    idx, val = top_k_neighbours(x, width, exclusions=terms)
    changed = np.array([3, 40, 77])
    f.dossier[changed] = [5, 5, -1]
    f.text[changed] = l2_normalise(np.random.default_rng(9).standard_normal((3, f.text.shape[1])).astype(np.float32))
    x2, terms2 = fused_vectors(f, w), PairTerms(Exclusions(), f, w)
    inc_idx, inc_val, _ = incremental_update(x2, idx, val, floors_of(val, len(x)), changed, width, k, exclusions=terms2)
    full_idx, full_val = top_k_neighbours(x2, width, exclusions=terms2)
    assert np.array_equal(inc_idx[:, :k], full_idx[:, :k]) and np.allclose(inc_val[:, :k], full_val[:, :k], atol=1e-6)


def test_components_count_agreement_only_over_parties_that_voted_on_both():
    votes = np.array([[1, 1, -1, 0, 1, 1, -1],     # party 3 absent
                      [1, -1, -1, 1, 0, 1, -1],    # party 4 absent
                      [0, 0, 0, 0, 0, 0, 0]], dtype=np.int8)  # no votes
    f = Features(text=np.eye(3, dtype=np.float32), votes=votes, dossier=np.array([1, 1, -1], np.int32),
                 debate=np.array([4, 5, -1], np.int32), submitters=[np.array([0, 1]), np.array([1]), np.array([], int)])
    c = components(f, np.array([[1, 2], [0, 2], [0, -1]]))
    assert (c["common"][0, 0], c["same"][0, 0]) == (5, 4)   # parties 0, 1, 2, 5, 6; only party 1 disagrees
    assert agreement(4, 5, min_common=5) == 0.8 and agreement(4, 5, min_common=6) is None
    assert (c["common"][0, 1], c["same"][0, 1]) == (0, 0)   # no votes: nothing common, no penalty
    assert c["same_dossier"][0, 0] and not c["same_dossier"][0, 1] and not c["same_debate"][0, 0]
    assert c["shared_submitters"][0, 0] == 1 and c["text"][0, 0] == 0.0
    assert c["common"][2, 1] == 0 and not c["same_dossier"][2, 1]  # no neighbour: zeros
    assert c["vote_correlation"][0, 1] == 0.0 and c["vote_correlation"][2, 1] == 0.0


def test_the_reason_mentions_votes_only_when_they_agree_notably_beyond_chance():
    line = reason({"same_dossier": True, "vote_same": 13, "vote_common": 15, "vote_correlation": 0.81,
                   "text_score": 0.712}, 5)
    assert line == "same dossier, voted alike beyond chance (13 of 15 parties the same), text 0.71"
    nl = reason({"vote_same": 13, "vote_common": 15, "vote_correlation": 0.7, "text_score": 0.7}, 5, "nl")
    assert nl == "stemden opvallend vaak hetzelfde (13 van 15 partijen), tekst 0,70"
    # 14 of 15 the same, but one of the votes was (nearly) unanimous: nothing beyond chance, not said
    assert reason({"vote_same": 14, "vote_common": 15, "vote_correlation": 0.12, "text_score": 0.5}, 5) == "text 0.50"
    assert reason({"vote_same": 3, "vote_common": 3, "vote_correlation": 0.9, "text_score": 0.5}, 5) == "text 0.50"
    assert reason({"vote_same": 15, "vote_common": 15, "text_score": 0.5}, 5) == "text 0.50"  # before the term
    assert votes_notable(0.7, 5, 5) and not votes_notable(0.69, 15, 5) and not votes_notable(None, 15, 5)


def _split(voor: int, parties: int = 15) -> np.ndarray:
    return np.array([1] * voor + [-1] * (parties - voor), dtype=np.int8)


def test_a_consensus_vote_contributes_exactly_nothing():
    votes = np.vstack([_split(15), _split(15), _split(0), _split(9), np.r_[_split(9)[:14], 0].astype(np.int8),
                       np.zeros(15, np.int8)])
    z = centred_votes(votes)
    assert (z[[0, 1, 2, 5]] == 0).all() and (z[3] != 0).all()
    f = Features(text=np.eye(6, dtype=np.float32), votes=votes, dossier=np.full(6, -1, np.int32),
                 debate=np.full(6, -1, np.int32), submitters=[np.array([], int)] * 6)
    w = Weights(text=0.0, votes=1.0, dossier=0.0, debate=0.0, submitters=0.0)
    x = fused_vectors(f, w)
    scores = x @ x.T
    assert (scores[[0, 1, 2]] == 0).all() and (scores[:, [0, 1, 2]] == 0).all()  # unanimous: 0 with anyone
    c = components(f, np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 4], [3, 0, 1], [0, 3, -1]]))
    assert (c["vote_correlation"][:3] == 0).all() and c["same"][0, 0] == 15  # 15 of 15 the same, worth nothing
    assert c["vote_correlation"][3, 2] > 0.9  # the same 9-6 split, one party absent: beyond chance
    assert c["vote_correlation"][3, 2] == pytest.approx(scores[3, 4], abs=1e-6)  # the stored term is the ranked one


def test_a_contested_pair_with_the_same_split_ranks_above_a_consensus_pair():
    # a, b: the same 8-7 split; c, d: both unanimous. c and d have the closer texts.
    votes = np.vstack([_split(8), _split(8), _split(15), _split(15)])
    s1, s2 = np.sqrt(1 - 0.85 ** 2), np.sqrt(1 - 0.9 ** 2)
    text = np.array([[1, 0, 0, 0], [0.85, s1, 0, 0], [0, 0, 1, 0], [0, 0, 0.9, s2]], dtype=np.float32)
    f = Features(text=text, votes=votes, dossier=np.full(4, -1, np.int32), debate=np.full(4, -1, np.int32),
                 submitters=[np.array([], int)] * 4)
    w = Weights()
    idx, val = top_k_neighbours(fused_vectors(f, w), 1, exclusions=PairTerms(Exclusions(), f, w))
    assert list(idx[:, 0]) == [1, 0, 3, 2]
    contested, consensus = val[0, 0], val[2, 0]
    assert contested > consensus
    assert contested == pytest.approx(w.text * 0.85 + w.votes * 1.0, abs=1e-5)  # the same split: correlation 1
    assert consensus == pytest.approx(w.text * 0.9, abs=1e-5)  # consensus adds nothing


def test_same_short_titles_are_excluded_only_when_their_texts_are_identical_whatever_the_fused_score():
    rng = np.random.default_rng(4)
    text = l2_normalise(rng.standard_normal((5, 8)).astype(np.float32))
    text[1] = text[0]  # "Motie" and "Motie", the same text: not each other's neighbour
    f = Features(text=text, votes=np.zeros((5, 0), np.int8), dossier=np.full(5, 1, np.int32),
                 debate=np.full(5, -1, np.int32), submitters=[np.array([], int)] * 5)
    w = Weights()  # the fused score of identical texts is 0.7 + 0.1 (dossier), never 0.999999
    ex = Exclusions.build(None, ["Motie", "Motie", "Motie", "Iets anders", "Nog iets"])
    idx, _ = top_k_neighbours(fused_vectors(f, w), 4, exclusions=PairTerms(ex, f, w))
    assert 1 not in idx[0] and 0 not in idx[1]
    assert 2 in idx[0] and 0 in idx[2]  # the same short title, another text: a neighbour
    assert ex.removed["trivial_short_title"] == 2


def test_the_vote_scale_is_the_versions_party_count():
    votes = np.array([[1, 0, 0, 0], [1, -1, 0, 0]], dtype=np.int8)
    assert vote_scale(votes) == 4.0 and vote_scale(np.zeros((3, 0), np.int8)) == 1.0


def test_a_reasons_text_score_that_rounds_to_zero_has_no_minus():
    assert reason({"text_score": -0.001}, 5, "nl") == "tekst 0,00"
    assert reason({"text_score": -0.004}, 5) == "text 0.00"
