"""The real motions of devkit/data in a store, as the search benchmark and the search tests use them."""
import pytest


def test_real_motions_are_written_embedded_and_published_once_however_often_it_runs(store):
    from devkit import real_motions
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.parsers.substance import model_key
    from motion_ops.serve.errors import Unavailable

    motions = real_motions.read(every=64)
    assert len(motions) == 10 and len({m["dossier"] for m in motions}) > 3
    for _ in range(2):  # a second run changes nothing and embeds nothing again
        ids = real_motions.load(store, motions)
        model = real_motions.embed(store, HashingProvider(), ids)
    rows = store.conn.execute("SELECT m.id::text, m.title, m.body_text, m.dossier, count(e.*) FROM motions m "
                              "LEFT JOIN motion_embeddings e ON e.motion_id = m.id AND e.content_hash = m.embed_hash "
                              "GROUP BY m.id ORDER BY m.id").fetchall()
    assert [r[0] for r in rows] == sorted(ids) and all(r[4] == 1 for r in rows)
    by_id = {m["zaak_id"]: m for m in motions}
    assert all(r[1] == by_id[r[0]]["onderwerp"] and r[2] == by_id[r[0]]["text"] and r[3] == by_id[r[0]]["dossier"]
               for r in rows)
    assert model == model_key(HashingProvider().model)
    version = real_motions.publish_version(store, model, top_n=3)
    assert store.conn.execute("SELECT version, model FROM similarity_versions WHERE status = 'published'").fetchone() \
        == (version, model)
    embedder = real_motions.E5QueryEmbedder(real_motions.E5())
    with pytest.raises(Unavailable, match="published version has hashing"):
        embedder.check(store, model)  # queries of one model are never ranked against another's vectors
