import threading

import psycopg

from motion_ops.publish import publish
from motion_ops.similarity import compute_version
from tests.plugins.motion_ops.test_similarity import embed_all


def test_old_versions_are_pruned_beyond_the_kept_count(store, motions):
    model = embed_all(store)
    versions = []
    for _ in range(5):
        v = compute_version(store, model=model, top_n=2, vote_weight=0.0)["version"]
        publish(store, v, keep_versions=2)
        versions.append(v)
    left = [r[0] for r in store.conn.execute("SELECT version FROM similarity_versions ORDER BY 1")]
    assert left == versions[-2:]
    assert store.conn.execute("SELECT count(DISTINCT version) FROM motion_neighbours").fetchone()[0] == 2


def test_a_reader_polling_during_publishes_never_sees_a_mix_or_nothing(store, motions, pg_uri):
    model = embed_all(store)
    a = compute_version(store, model=model, top_n=5, vote_weight=0.0)["version"]
    b = compute_version(store, model=model, top_n=7, vote_weight=0.0)["version"]
    publish(store, a, keep_versions=10)
    seen, stop = [], threading.Event()

    def reader():
        with psycopg.connect(pg_uri, autocommit=True) as conn:
            while not stop.is_set():
                seen.append(conn.execute("SELECT count(*), count(DISTINCT version), min(version) FROM motion_related").fetchone())

    t = threading.Thread(target=reader)
    t.start()
    for i in range(40):
        publish(store, b if i % 2 == 0 else a, keep_versions=10)
    stop.set()
    t.join()
    assert len(seen) > 20
    assert set(seen) <= {(200, 1, a), (280, 1, b)}
