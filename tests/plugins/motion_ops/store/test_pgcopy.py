import numpy as np

from motion_ops.store.pgcopy import parse_binary_vectors
from tests.plugins.motion_ops.test_similarity import embed_all


def test_binary_copy_load_equals_the_stored_vectors(store, motions):
    embed_all(store)
    buf = bytearray()
    with store.transaction() as cur, cur.copy("COPY (SELECT motion_id, embedding FROM motion_embeddings ORDER BY motion_id) "
                                               "TO STDOUT (FORMAT BINARY)") as cp:
        for chunk in cp:
            buf += chunk
    ids, vecs = parse_binary_vectors(bytes(buf), 384)
    assert ids == motions
    one = store.conn.execute("SELECT embedding FROM motion_embeddings WHERE motion_id = %s", (motions[5],)).fetchone()[0]
    assert np.allclose(vecs[5], one.to_numpy() if hasattr(one, "to_numpy") else one)
