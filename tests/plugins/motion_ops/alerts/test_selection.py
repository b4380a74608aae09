"""What is new for a subscription, through the read API's search and the published version."""
from motion_ops.alerts.selection import new_motions
from motion_ops.alerts.send import query_vectors
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.hashing import HashingProvider
from tests.plugins.motion_ops.alerts.conftest import q


def vectors(model, published):
    embedder = Embedder([HashingProvider()])
    return query_vectors(lambda text: embedder.embed([text], queries=True)[0].vector.tolist(), model, published)


def test_a_search_by_meaning_gets_the_new_motions_among_its_first_results_and_by_words_without_the_model(store, nights):
    nights.night(0)
    new = nights.groups[0]
    nights.night(1)
    title = q(store, "SELECT title FROM motions WHERE id = %s", new[0])[0][0]
    spec = {"q": title, "mode": "semantic", "filters": {}}
    found = new_motions(store, "search", spec, new, limit=10, query_vector=vectors(nights.model, nights.model))
    assert found and found[0]["id"] == new[0] and {r["id"] for r in found} <= set(new)
    other_model = vectors("another-model", nights.model)  # the pipeline's model is not the published one
    assert other_model(title) is None
    by_words = new_motions(store, "search", spec, new, limit=10, query_vector=other_model)
    assert new[0] in {r["id"] for r in by_words} and {r["id"] for r in by_words} <= set(new)


def test_nothing_new_is_nothing_whatever_is_followed(store, nights):
    nights.night(0)
    for kind, spec in (("dossier", {"dossier": nights.dossier}), ("party", {"party": "VVD"}),
                       ("search", {"q": "motie", "mode": "text", "filters": {}})):
        assert new_motions(store, kind, spec, [], limit=10) == []


def test_moties_zoals_deze_by_mail_are_the_new_motions_among_those_its_feed_follows(store, nights):
    from motion_ops.serve import reads

    nights.night(0)
    new = nights.groups[0]
    nights.night(1)
    followed = new[0]  # a new motion of the dossier: its neighbour there is the motion to follow
    like = q(store, "SELECT id::text FROM motions WHERE NOT deleted AND coalesce(dossier, publication_dossier) = %s "
                    "AND id <> ALL(%s::uuid[]) ORDER BY id LIMIT 1", nights.dossier, new)[0][0]
    q(store, "DELETE FROM motion_neighbours")  # what it follows is meaning, not the published related lists
    by_feed = [r["id"] for r in reads.alike(store, like)]
    found = [r["id"] for r in new_motions(store, "like", {"motion": like}, new, limit=10)]
    assert found and followed in by_feed and found == [i for i in by_feed if i in set(new)]
    unembedded = q(store, "SELECT id::text FROM motions ORDER BY id LIMIT 1")[0][0]
    q(store, "DELETE FROM motion_embeddings WHERE motion_id = %s", unembedded)
    assert new_motions(store, "like", {"motion": unembedded}, new, limit=10) == []  # no vector yet: nothing, no error
