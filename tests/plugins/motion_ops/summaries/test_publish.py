"""Publish: from the plan to readers with nothing left, and readers keep what is published until its replacement is."""
from motion_ops.llm.cascade import Cascade
from motion_ops.run import RunContext
from motion_ops.summaries.plan import plan as plan_summaries
from motion_ops.summaries.publish import adopt_unpublished, publish
from motion_ops.summaries.qa import qa
from motion_ops.summaries.summarize import summarize_batch, summarize_ids
from tests.plugins.motion_ops.summaries.conftest import CTX, cascade


def test_plan_summarize_qa_publish_and_nothing_left(store, motions, chat):
    batches, left = plan_summaries(store, batch_size=16, max_batches=2)
    assert [len(b) for b in batches] == [16, 16] and left == 8
    out = summarize_batch(store, cascade(chat), batches[0], batch_index=0, ctx=CTX)
    assert out["summarized"] == 16 and out["failed_ids"] == [] and out["tokens"][0] > 0
    report = qa(store, run_id="run-1", sample_size=10)
    assert report["passed"] and report["sampled"] == 10 and report["stored"] == 16
    assert store.conn.execute("SELECT count(*) FROM motion_summary_current").fetchone()[0] == 0
    assert publish(store, run_id="run-1") == 16
    assert store.conn.execute("SELECT count(*) FROM motion_summary_current").fetchone()[0] == 16
    assert sum(map(len, plan_summaries(store, batch_size=100, max_batches=None)[0])) == 24



def _visible(store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT motion_id::text, status FROM motion_summary_current").fetchall())



def test_readers_keep_the_published_extractive_summary_until_its_replacement_is_published(store, motions, chat):
    summarize_ids(store, Cascade([]), motions[:5], ctx=CTX)
    publish(store, run_id="run-1")
    before = _visible(store)
    assert len(before) == 5 and set(before.values()) == {"extractive"}
    # a model run writes the replacements, then stops before publish (killed, QA failed, approval rejected)
    ctx2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="summarize")
    assert summarize_ids(store, cascade(chat), motions[:5], ctx=ctx2)["summarized"] == 5
    assert _visible(store) == before
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' In 1999.' "
                       "WHERE motion_id = %s AND status = 'llm'", (motions[0],))
    store.conn.commit()
    assert not qa(store, run_id="run-2", sample_size=5)["passed"]  # removes the bad replacement only
    assert _visible(store) == before
    # the next run neither pays again for the pending replacements nor loses them: it adopts and publishes them
    assert plan_summaries(store, batch_size=10, max_batches=None, ids=motions[:5], models=True)[0] == [[motions[0]]]
    assert adopt_unpublished(store, run_id="run-3") == 4
    assert qa(store, run_id="run-3", sample_size=10)["passed"]
    assert publish(store, run_id="run-3") == 4
    after = _visible(store)
    assert set(after) == set(before) and after[motions[0]] == "extractive"
    assert sorted(v for k, v in after.items() if k != motions[0]) == ["llm"] * 4
    # the replaced extractive rows are gone with the swap: one row per motion and key is left
    assert store.conn.execute("SELECT count(*) FROM motion_summaries").fetchone()[0] == 5
