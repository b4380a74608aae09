"""QA of a sample of the run's summaries before publish."""
from motion_ops.summaries.plan import plan as plan_summaries
from motion_ops.summaries.publish import adopt_unpublished, publish
from motion_ops.summaries.qa import qa
from motion_ops.summaries.summarize import summarize_ids
from tests.plugins.motion_ops.summaries.conftest import CTX, cascade


def test_a_failed_qa_removes_the_invalid_summary_and_the_next_run_adopts_and_publishes_the_rest(store, motions, chat):
    summarize_ids(store, cascade(chat), motions[:5], ctx=CTX)
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' In 1999.' WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    assert not qa(store, run_id="run-1", sample_size=5)["passed"]  # run-1 publishes nothing
    assert adopt_unpublished(store, run_id="run-2") == 4
    assert plan_summaries(store, batch_size=10, max_batches=None, ids=motions[:5])[0] == [[motions[0]]]
    assert qa(store, run_id="run-2", sample_size=10)["passed"]
    assert publish(store, run_id="run-2") == 4



def test_qa_fails_a_tampered_summary(store, motions, chat):
    summarize_ids(store, cascade(chat), motions[:5], ctx=CTX)
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' Kosten: 999 miljoen.' "
                       "WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    report = qa(store, run_id="run-1", sample_size=5)
    assert not report["passed"] and report["failures"][0]["check"] == "faithful" and "999" in report["failures"][0]["detail"]


def test_the_qa_step_writes_its_report_beside_the_qa_reports_and_a_failing_qa_fails_the_task(store, motions, chat, tmp_path):
    import json

    from motion_ops.summaries.qa import qa_step

    summarize_ids(store, cascade(chat), motions[:5], ctx=CTX)
    run_id = "manual__2025-06-01T10:15:30+00:00"
    store.conn.execute("UPDATE motion_summaries SET run_id = %s", (run_id,))
    store.conn.commit()
    passed = qa_step(store, run_id=run_id, sample_size=5, failure_ratio=0.02, folder=tmp_path)
    path = tmp_path / "summaries-manual__2025-06-01T10_15_30_00_00.json"
    assert passed.xcom() == {"passed": True, "report": str(path), "stored": 5} and passed.fail is None
    assert json.loads(path.read_text())["failure_ratio"] == 0.02 and (passed.items, passed.failures) == (5, 0)
    assert passed.line.startswith("QA passed on 5 of 5 summaries {") and passed.line.endswith(f"; report {path}")
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' Kosten: 999 miljoen.' "
                       "WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    failed = qa_step(store, run_id=run_id, sample_size=5, failure_ratio=0.0, folder=tmp_path)
    assert failed.line.startswith("QA FAILED on 5 of 5") and failed.failures == len(failed_report(path)["failures"]) > 0
    assert failed.fail.startswith("summary QA failed ({'schema_and_faithful': False") and failed.fail.endswith(f"see {path}")


def failed_report(path):
    import json

    return json.loads(path.read_text())
