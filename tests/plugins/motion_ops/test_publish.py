import threading

import psycopg
import pytest

from motion_ops.publish import StaleVersion, publish, reject
from motion_ops.similarity import compute_version
from tests.plugins.motion_ops.test_similarity import embed_all


def versions_left(store):
    return [r[0] for r in store.conn.execute("SELECT version FROM similarity_versions ORDER BY 1")]


def test_old_versions_are_pruned_beyond_the_kept_count_of_rollbacks(store, motions):
    model = embed_all(store)
    versions = []
    for i in range(5):  # lists that differ each time (an unchanged one is not published)
        v = compute_version(store, model=model, top_n=2 + i % 2)["version"]
        publish(store, v, keep_versions=2)
        versions.append(v)
    assert versions_left(store) == versions[-3:]  # the current one and two to roll back to
    assert store.conn.execute("SELECT count(DISTINCT version) FROM motion_neighbours").fetchone()[0] == 3


def test_keep_versions_1_keeps_one_version_to_roll_back_to(store, motions):
    model = embed_all(store)
    versions = [publish(store, compute_version(store, model=model, top_n=2 + i % 2)["version"],
                        keep_versions=1)["version"] for i in range(3)]
    assert versions_left(store) == versions[-2:]
    assert store.conn.execute("SELECT status FROM similarity_versions ORDER BY version").fetchall() == [
        ("retired",), ("published",)]


def test_pruning_never_deletes_another_runs_unpublished_version_or_another_models(store, motions):
    model = embed_all(store)
    other_model = embed_all(store, model="other-model")
    foreign = compute_version(store, model=other_model, top_n=2)["version"]
    publish(store, foreign)
    for i in range(3):
        publish(store, compute_version(store, model=model, top_n=2 + i % 2)["version"], keep_versions=1)
    waiting = compute_version(store, model=model, top_n=2)["version"]  # another run's, before QA
    rejected_old = compute_version(store, model=model, top_n=2)["version"]
    reject(store, rejected_old)
    newest = compute_version(store, model=model, top_n=4)["version"]
    publish(store, newest, keep_versions=1)
    left = versions_left(store)
    assert waiting in left and foreign in left  # neither is this lineage's retired past
    assert rejected_old not in left  # rejected and older than the current: it can never be shown


def test_an_older_version_is_never_published_over_a_newer_one(store, motions):
    model = embed_all(store)
    older = compute_version(store, model=model, top_n=2)["version"]
    newer = compute_version(store, model=model, top_n=3)["version"]
    publish(store, newer)
    with pytest.raises(StaleVersion, match=f"older than the current version {newer}"):
        publish(store, older)
    assert store.conn.execute("SELECT version FROM similarity_current").fetchone() == (newer,)
    assert publish(store, newer)["version"] == newer  # publishing the current one again is harmless


def test_a_reader_polling_during_publishes_never_sees_a_mix_or_nothing(store, motions, pg_uri):
    model = embed_all(store)
    publish(store, compute_version(store, model=model, top_n=5)["version"], keep_versions=10)
    seen, stop = [], threading.Event()

    def reader():
        with psycopg.connect(pg_uri, autocommit=True) as conn:
            while not stop.is_set():
                seen.append(conn.execute("SELECT count(*), count(DISTINCT version) FROM motion_related").fetchone())

    t = threading.Thread(target=reader)
    t.start()
    for i in range(40):
        publish(store, compute_version(store, model=model, top_n=7 if i % 2 == 0 else 5)["version"],
                keep_versions=2)
    stop.set()
    t.join()
    assert len(seen) > 20
    assert set(seen) <= {(200, 1), (280, 1)}


def test_an_unchanged_recomputation_is_not_published_and_readers_keep_the_current_version(store, motions):
    model = embed_all(store)
    first = publish(store, compute_version(store, model=model, top_n=3)["version"])
    again = compute_version(store, model=model, top_n=3)["version"]
    out = publish(store, again)
    assert (out["published"], out["version"], out["unchanged"]) == (False, first["version"], again)
    assert store.conn.execute("SELECT version FROM similarity_current").fetchone() == (first["version"],)
    assert store.conn.execute("SELECT status FROM similarity_versions WHERE version = %s", (again,)).fetchone() == ("unchanged",)
    assert publish(store, again)["published"] is False  # its QA cleared and re-run: still nothing new
    third = publish(store, compute_version(store, model=model, top_n=3)["version"])
    assert third["pruned"] == [again]  # only the newest unchanged one is kept

