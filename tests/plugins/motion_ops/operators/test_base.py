"""What every operator does with its stage's outcome (``MotionOpsOperator.conclude``): the line kept
in run_metrics, ``summary`` pushed, the outlets' Asset event, then skip or fail (no retry), else the XCom."""
from collections import defaultdict
from types import SimpleNamespace

import pytest
from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.operators.base import MotionOpsOperator
from motion_ops.run import TaskResult


class FakeTi:
    dag_id, run_id, task_id, map_index, try_number = "motion_enrichment", "manual__1", "publish_similarity", -1, 2

    def __init__(self):
        self.pushed = {}

    def xcom_push(self, key, value):
        self.pushed[key] = value


def conclude(store, out, **operator):
    op = MotionOpsOperator(task_id="publish_similarity", **operator)
    context = {"ti": FakeTi(), "outlet_events": defaultdict(lambda: SimpleNamespace(extra=None))}
    try:
        return op.conclude(context, store, out), context
    except (AirflowSkipException, AirflowFailException) as exc:
        return exc, context


def metrics(store):
    return store.conn.execute("SELECT task_id, map_index, try_number, items, failures, summary FROM run_metrics").fetchall()


def test_an_outcome_is_kept_in_run_metrics_pushed_announced_and_returned(store):
    asset = Asset("motion_similarity")
    value, context = conclude(store, TaskResult(value={"version": 3}, line="version 3 published", items=7, failures=1,
                                                summary={"planned": 2}, event={"version": 3}), outlets=[asset])
    assert value == {"version": 3} and context["ti"].pushed == {"summary": {"planned": 2}}
    assert context["outlet_events"][asset].extra == {"version": 3}
    assert metrics(store) == [("publish_similarity", -1, 2, 7, 1, "version 3 published")]


def test_a_skip_or_a_failure_is_raised_after_its_line_is_kept_and_a_dry_run_keeps_none(store):
    skipped, context = conclude(store, TaskResult(line="stale version", skip="stale version"), outlets=[Asset("a")])
    assert isinstance(skipped, AirflowSkipException) and str(skipped) == "stale version"
    assert not context["outlet_events"]  # no event with a skip
    failed, _ = conclude(store, TaskResult(line="QA FAILED", fail="QA failed for version 3", summary={"x": 1}))
    assert isinstance(failed, AirflowFailException) and str(failed) == "QA failed for version 3"
    assert [m[-1] for m in metrics(store)] == ["QA FAILED"]  # the same task and try: the line of the last outcome
    value, _ = conclude(store, TaskResult(value=[], line="dry run: nothing read or written", write=False))
    assert value == [] and [m[-1] for m in metrics(store)] == ["QA FAILED"]
    with pytest.raises(AirflowFailException, match="nothing is embedded"):
        from motion_ops.store.approvals import refusal

        with MotionOpsOperator(task_id="embed_missing").failing_on():
            raise refusal("m has not been approved", nothing="embedded", step="approve_embeddings", chain="m")
