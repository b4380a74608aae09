import logging

from motion_ops.run import RunContext
from motion_ops.store.audit import record


def test_an_event_is_stored_with_where_it_happened_and_logged(store, caplog):
    ctx = RunContext(dag_id="motion_enrichment", run_id="r1", task_id="embed_missing", map_index=2)
    with caplog.at_level(logging.WARNING), store.transaction() as cur:
        record(cur, "embedding_failed", "m1", {"error": "HTTP 500", "attempts": 3}, ctx)
    row = store.conn.execute("SELECT action, target, metadata, dag_id, run_id, task_id, map_index FROM audit_events").fetchone()
    assert row == ("embedding_failed", "m1", {"error": "HTTP 500", "attempts": 3}, "motion_enrichment", "r1", "embed_missing", 2)
    assert "audit embedding_failed m1" in caplog.text


def test_an_event_rolls_back_with_the_work_it_belongs_to(store):
    try:
        with store.transaction() as cur:
            record(cur, "body_fetch_failed", "m2", {}, RunContext())
            raise RuntimeError("the unit of work failed")
    except RuntimeError:
        pass
    assert store.conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0
