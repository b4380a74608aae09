"""Retry what failed with half the batch size: counting, quarantine, release, the failure ratio."""
import pytest

from motion_ops.batched import FailureRatioExceeded
from motion_ops.run import RunContext
from motion_ops.summaries.plan import plan as plan_summaries
from motion_ops.summaries.retry import release, retry_failed
from motion_ops.summaries.summarize import summarize_batch
from tests.plugins.motion_ops.summaries.conftest import CTX, cascade


def test_a_failing_motion_is_counted_after_the_retry_quarantined_and_released(store, motions, chat):
    chat.add("unfaithful", marker="POISON")
    plan = [motions[:20], motions[20:]]
    results = [summarize_batch(store, cascade(chat), b, batch_index=i, ctx=CTX) for i, b in enumerate(plan)]
    poisoned = [mid for r in results for mid in r["failed_ids"]]
    assert len(poisoned) == 1
    for night in (1, 2):
        ctx = RunContext(dag_id="motion_summaries", run_id=f"night-{night}", task_id="retry_summaries")
        for _ in range(2 if night == 1 else 1):  # a cleared and re-run task counts the night once
            out = retry_failed(store, cascade(chat), plan=plan, results=results, batch_size=16,
                                         max_failure_ratio=0.5, quarantine_after=2, ctx=ctx)
            assert out["failed_ids"] == poisoned and out["batch_size"] == 8 and out["failed_by_class"] == {"invalid_output": 1}
            assert out["quarantined"] == (night == 2) and out["new_failures"] == (night == 1)
    assert plan_summaries(store, batch_size=100, max_batches=None, ids=poisoned)[0] == []  # quarantined
    assert [r["motion_id"] for r in release(store, poisoned)] == poisoned
    assert plan_summaries(store, batch_size=100, max_batches=None, ids=poisoned)[0] == [poisoned]



def test_too_many_first_failures_fail_the_run_and_motions_failing_again_do_not(store, motions, chat):
    chat.add("unfaithful")
    plan = [motions[:4]]
    with pytest.raises(FailureRatioExceeded, match="4 of 4 planned"):
        retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                               max_failure_ratio=0.5, quarantine_after=5, ctx=CTX)
    with pytest.raises(FailureRatioExceeded):  # clearing the task does not get it past the gate
        retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                               max_failure_ratio=0.5, quarantine_after=5, ctx=CTX)
    night2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="retry_summaries")
    out = retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                                 max_failure_ratio=0.5, quarantine_after=5, ctx=night2)
    assert out["new_failures"] == 0 and len(out["failed_ids"]) == 4  # known failures: this night is not red



def test_a_backend_outage_charges_no_motion_but_turns_the_run_red(store, motions, chat):
    chat.add("status", status=500)
    for run in ("run-1", "run-2", "run-3"):
        ctx = RunContext(dag_id="motion_summaries", run_id=run, task_id="retry_summaries")
        with pytest.raises(FailureRatioExceeded):
            retry_failed(store, cascade(chat, max_attempts=1), plan=[motions[:4]], results=[], batch_size=4,
                                   max_failure_ratio=0.5, quarantine_after=2, ctx=ctx)
    assert store.conn.execute("SELECT count(*) FROM summary_failures").fetchone()[0] == 0  # nobody quarantined
