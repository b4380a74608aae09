"""Related motions that say why, through the real stages: the stand-in feed (with amended motions,
a party merge and a dossier only in the externeidentifier) -> sync -> embed -> compute_similarity."""
import numpy as np

from motion_ops.numerics.relatedness import Weights
from motion_ops.publish import publish
from motion_ops.similarity import compute_version


def q(store, sql, *args):
    return store.conn.execute(sql, args).fetchall()


def test_each_signal_links_an_amended_motion_to_its_original_which_is_never_listed(store, synced):
    corpus, model = synced
    v = compute_version(store, model=model, top_n=8)
    earlier = {(m, e): s for m, e, s in q(store, "SELECT motion_id::text, earlier_id::text, signal "
                                                 "FROM motion_earlier_versions WHERE version = %s", v["version"])}
    for signal in ("zaak", "tvv", "text"):
        amended, original = corpus.cases[f"amended_{signal}"], corpus.cases[f"original_{signal}"]
        assert earlier.get((amended, original)) == signal
        assert q(store, "SELECT count(*) FROM motion_neighbours WHERE version = %s AND neighbour_id = %s",
                 v["version"], original) == [(0,)]  # nobody lists an earlier version
        assert q(store, "SELECT count(*) FROM motion_neighbours WHERE version = %s AND motion_id = %s",
                 v["version"], amended) == [(8,)]  # the newest version represents the chain
    assert v["earlier_versions"] == 3


def test_a_dossier_only_in_the_externeidentifier_is_the_motions_dossier(store, synced):
    corpus, _ = synced
    mid = corpus.cases["dossier_only_in_identifier"]
    dossier, kamerstuk, publication_dossier = q(store, "SELECT dossier, kamerstuk, publication_dossier FROM motions "
                                                       "WHERE id = %s", mid)[0]
    assert dossier == corpus.cases["dossier_only_in_identifier_dossier"] == publication_dossier
    assert kamerstuk.startswith(dossier + "-")


def test_merged_parties_vote_as_one_identity_and_components_are_stored_as_recomputed(store, synced):
    corpus, model = synced
    before = corpus.cases["before_merge"][0]
    assert {p for (p,) in q(store, "SELECT party FROM motion_votes WHERE motion_id = %s", before)} >= {"GL", "PvdA"}
    v = compute_version(store, model=model, top_n=8, weights=Weights(min_common_parties=3))
    params = q(store, "SELECT params FROM similarity_versions WHERE version = %s", v["version"])[0][0]
    assert "GroenLinks-PvdA" in params["parties"] and "GL" not in params["parties"] and "PvdA" not in params["parties"]
    rows = q(store, "SELECT n.motion_id::text, n.neighbour_id::text, n.score, n.text_score, n.vote_same, n.vote_common, "
                    "n.same_dossier, m.dossier, nb.dossier FROM motion_neighbours n JOIN motions m ON m.id = n.motion_id "
                    "JOIN motions nb ON nb.id = n.neighbour_id WHERE n.version = %s", v["version"])
    assert rows and all(r[3] is not None and r[5] is not None for r in rows)
    assert all(r[6] == (r[7] is not None and r[7] == r[8]) for r in rows)  # same_dossier as the motions say
    assert all(0 <= r[4] <= r[5] <= len(params["parties"]) for r in rows)
    # the stored text component is the cosine of the two stored vectors
    vec = dict(q(store, "SELECT motion_id::text, embedding FROM motion_embeddings WHERE model = %s", model))
    for mid, nid, *_rest in rows[:50]:
        a, b = (np.asarray(vec[x].to_list(), dtype=np.float64) for x in (mid, nid))
        assert abs(_rest[1] - a @ b / np.linalg.norm(a) / np.linalg.norm(b)) < 1e-4
    # a pre-merge motion (GL and PvdA voting alike) and a newer one share the GroenLinks-PvdA column
    voted = {m for (m,) in q(store, "SELECT DISTINCT motion_id::text FROM motion_votes")}
    pre = [r for r in rows if r[0] == before and r[1] in voted]
    assert pre and all(r[5] >= 3 for r in pre)


def test_the_stored_components_explain_each_stored_score_and_a_unanimous_vote_adds_nothing(store, synced):
    corpus, model = synced
    w = Weights(text=0.7, votes=0.3, dossier=0.0, debate=0.0, submitters=0.0)
    store.conn.execute("UPDATE motion_votes SET vote = 'Voor' WHERE motion_id IN (SELECT DISTINCT motion_id "
                       "FROM motion_votes ORDER BY motion_id LIMIT 10)")  # ten unanimous votes
    store.conn.commit()
    v = compute_version(store, model=model, top_n=8, weights=w)
    rows = q(store, "SELECT n.motion_id::text, n.neighbour_id::text, n.score, n.text_score, n.vote_correlation, "
                    "n.vote_same, n.vote_common FROM motion_neighbours n WHERE n.version = %s", v["version"])
    assert rows and all(r[4] is not None and -1 - 1e-5 <= r[4] <= 1 + 1e-5 for r in rows)
    for _m, _n, score, text, corr, _same, _common in rows:
        assert abs(score - (w.text * text + w.votes * corr)) < 1e-4
    sides = dict(q(store, "SELECT motion_id::text, count(DISTINCT vote) FROM motion_votes WHERE vote IN ('Voor', 'Tegen') "
                          "GROUP BY 1"))
    unanimous = {m for m, n in sides.items() if n == 1}
    with_unanimous = [r for r in rows if r[0] in unanimous or r[1] in unanimous]
    contested = [r for r in rows if sides.get(r[0]) == 2 and sides.get(r[1]) == 2 and r[6] >= 5]
    assert with_unanimous and all(r[4] == 0 for r in with_unanimous)  # however many parties voted the same
    assert contested and any(r[4] != 0 for r in contested)


def test_a_minimum_score_shortens_lists_and_keeps_the_rest_as_spares(store, synced):
    _, model = synced
    full = compute_version(store, model=model, top_n=8)
    scores = [s for (s,) in q(store, "SELECT score FROM motion_neighbours WHERE version = %s AND rank = 8", full["version"])]
    cut = float(np.median(scores))
    short = compute_version(store, model=model, top_n=8, min_score=cut)
    assert short["short_lists"] > 0
    assert q(store, "SELECT count(*) FROM motion_neighbours WHERE version = %s AND score < %s", short["version"], cut) == [(0,)]
    kept = q(store, "SELECT count(*) FROM motion_neighbour_spares WHERE version = %s AND rank <= 8", short["version"])[0][0]
    assert kept > 0  # what is not listed stays a spare for the next incremental run


def test_incremental_equals_full_with_components_after_an_amended_motion_arrives(store, synced):
    corpus, model = synced
    amended = corpus.cases["amended_tvv"]
    store.conn.execute("UPDATE motions SET deleted = true, updated_at = now() WHERE id = %s", (amended,))
    store.conn.commit()
    first = compute_version(store, model=model, top_n=5, incremental_threshold=0.2)
    publish(store, first["version"])
    store.conn.execute("UPDATE motions SET deleted = false, updated_at = now() WHERE id = %s", (amended,))
    store.conn.commit()  # the amended motion comes back: its original becomes an earlier version
    inc = compute_version(store, model=model, top_n=5, incremental_threshold=0.2)
    full = compute_version(store, model=model, top_n=5)
    assert inc["mode"] == "incremental" and inc["earlier_versions"] == full["earlier_versions"] == 3
    rows = ("SELECT motion_id, rank, neighbour_id, text_score, vote_same, vote_common, shared_submitters, same_dossier, "
            "same_debate FROM motion_neighbours WHERE version = %s ORDER BY 1, 2")
    a, b = q(store, rows, inc["version"]), q(store, rows, full["version"])
    assert [r[:3] for r in a] == [r[:3] for r in b]
    assert all(x[4:] == y[4:] and abs(x[3] - y[3]) < 1e-6 for x, y in zip(a, b))
    original = corpus.cases["original_tvv"]
    assert q(store, "SELECT count(*) FROM motion_neighbours WHERE version = %s AND neighbour_id = %s",
             inc["version"], original) == [(0,)]
