
import numpy as np
import psycopg
import pytest

from motion_ops.clients.hashing import HashingProvider
from motion_ops.publish import publish
from motion_ops.similarity import ComputationBusy, compute_lock, compute_version


def embed_all(store, model="hashing-lexical-v1-384"):
    h = HashingProvider(384)
    rows = store.conn.execute("SELECT id, body_text, embed_hash FROM motions WHERE NOT deleted").fetchall()
    with store.transaction() as cur:
        for mid, text, chash in rows:
            cur.execute("INSERT INTO motion_embeddings (motion_id, model, content_hash, dims, embedding) "
                        "VALUES (%s, %s, %s, 384, %s)", (mid, model, chash, np.array(h.embed([text])[0], dtype=np.float32)))
    return model


def test_a_version_is_written_unpublished_and_publishing_makes_it_current(store, motions):
    model = embed_all(store)
    v = compute_version(store, model=model, top_n=5)
    assert v["rows"] == 40 * 5
    assert store.conn.execute("SELECT count(*) FROM motion_related").fetchone()[0] == 0
    publish(store, v["version"])
    assert store.conn.execute("SELECT count(*), min(version), max(version) FROM motion_related").fetchone() == (200, v["version"], v["version"])


def test_deleted_motions_never_appear_in_a_new_version(store, motions):
    model = embed_all(store)
    store.conn.execute("UPDATE motions SET deleted = true WHERE id = %s", (motions[0],))
    store.conn.commit()
    v = compute_version(store, model=model, top_n=39)
    publish(store, v["version"])
    assert store.conn.execute("SELECT count(*) FROM motion_related WHERE motion_id = %s OR neighbour_id = %s",
                              (motions[0], motions[0])).fetchone()[0] == 0


def test_two_computations_cannot_run_at_once(store, motions, pg_uri):
    from motion_ops.store.db import Store

    other = Store(pg_uri)
    with compute_lock(other):
        with pytest.raises(ComputationBusy):
            compute_version(store, model="x", top_n=2)
    other.close()


def test_incremental_mode_is_chosen_below_the_threshold_and_equals_a_full_recompute(store, motions):
    model = embed_all(store)
    first = compute_version(store, model=model, top_n=5, incremental_threshold=0.1)
    assert first["mode"] == "full"
    publish(store, first["version"])
    # one motion's text and vector change, one motion is deleted: 2 of 40 = 5 %
    h = HashingProvider(384)
    store.conn.execute("UPDATE motion_embeddings SET embedding = %s, created_at = now() WHERE motion_id = %s",
                       (np.array(h.embed(["totaal ander onderwerp: dijken"])[0], dtype=np.float32), motions[3]))
    store.conn.execute("UPDATE motions SET deleted = true, updated_at = now() WHERE id = %s", (motions[10],))
    store.conn.commit()
    inc = compute_version(store, model=model, top_n=5, incremental_threshold=0.1)
    full = compute_version(store, model=model, top_n=5, incremental_threshold=0.0)
    assert (inc["mode"], full["mode"]) == ("incremental", "full")
    rows = "SELECT motion_id, rank, neighbour_id, score FROM motion_neighbours WHERE version = %s ORDER BY 1, 2"
    a, b = (store.conn.execute(rows, (v["version"],)).fetchall() for v in (inc, full))
    assert [r[:2] for r in a] == [r[:2] for r in b]
    # same neighbour at every rank, except where scores tie to float32 rounding (two full runs over
    # corpora of different sizes differ in the last bit too: the matrix products have other shapes)
    assert all(x[2] == y[2] or abs(x[3] - y[3]) < 1e-6 for x, y in zip(a, b))
    assert compute_version(store, model=model, top_n=6, incremental_threshold=0.1)["mode"] == "full"


def test_a_write_committed_while_a_version_is_computed_is_changed_for_the_next_incremental_run(store, motions, pg_uri):
    model = embed_all(store)
    publish(store, compute_version(store, model=model, top_n=5)["version"])
    h = HashingProvider(384)
    writer = psycopg.connect(pg_uri)  # an embed_missing batch that began before the computation read the corpus
    from pgvector.psycopg import register_vector
    register_vector(writer)
    writer.execute("UPDATE motion_embeddings SET embedding = %s, created_at = now() WHERE motion_id = %s",
                   (np.array(h.embed(["totaal ander onderwerp: dijken en rivieren"])[0], dtype=np.float32), motions[3]))
    during = compute_version(store, model=model, top_n=5, incremental_threshold=0.5)
    writer.commit()  # ... and committed while it computed: not in that version's corpus
    writer.close()
    publish(store, during["version"])
    after = compute_version(store, model=model, top_n=5, incremental_threshold=0.5)
    full = compute_version(store, model=model, top_n=5, incremental_threshold=0.0)
    assert after["mode"] == "incremental"
    rows = "SELECT motion_id, rank, neighbour_id FROM motion_neighbours WHERE version = %s ORDER BY 1, 2"
    assert store.conn.execute(rows, (after["version"],)).fetchall() == store.conn.execute(rows, (full["version"],)).fetchall()
