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


def test_the_plan_step_adopts_earlier_summaries_and_a_dry_run_only_counts(store, motions, chat):
    from motion_ops.params import SUMMARIES, defaults
    from motion_ops.run import SummaryParams
    from motion_ops.summaries.plan import PROMPT_KEY, plan_step
    from motion_ops.summaries.publish import publish_step

    summarize_ids(store, Cascade([]), motions[:4], ctx=CTX)  # run-1's, never published
    params = SummaryParams.from_mapping({**defaults(SUMMARIES), "batch_size": 8, "max_batches": 5})[0]
    out = plan_step(store, Cascade([]), params=params, window=(None, None), max_map=3, run_id="run-2")
    assert [len(b["ids"]) for b in out.xcom()] == [8, 8, 8] and out.items == 24 and out.write
    assert out.summary == {"prompt": PROMPT_KEY, "chain": "extractive", "planned_batches": 3, "planned_motions": 24,
                           "left_for_next_run": 12, "dry_run": False}
    assert out.line == (f"planned 24 motions in 3 batch(es) through extractive ({PROMPT_KEY}); 12 left for the next run; "
                        "4 unpublished summaries of earlier runs are checked and published with this run's")
    dry = plan_step(store, Cascade([]), params=SummaryParams.from_mapping({**defaults(SUMMARIES), "dry_run": True})[0],
                    window=(None, None), max_map=1024, run_id="run-3")
    assert dry.xcom() == [] and not dry.write and dry.line.startswith("dry run: would summarize 36 motions")
    published = publish_step(store, run_id="run-2")
    assert published.xcom() == 4 and published.line == "published 4 summaries of run run-2" and published.items == 4
