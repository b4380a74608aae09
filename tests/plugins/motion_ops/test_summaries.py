"""The summaries stage against the embedded Postgres: plan, summarize, retry with counting and
quarantine, QA, publish, release."""
import pytest

from devkit.standin.chat import ChatServer
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade, TerminalError
from motion_ops.run import RunContext
from motion_ops import summaries

CTX = RunContext(dag_id="motion_summaries", run_id="run-1", task_id="summarize")


@pytest.fixture
def chat():
    with ChatServer(model="m") as srv:
        yield srv


def cascade(chat, **kw):
    return Cascade([Backend("motion_llm", "openai", "m", chat.base_url, "k", **kw)], sleep=lambda s: None)


def test_plan_summarize_qa_publish_and_nothing_left(store, motions, chat):
    batches, left = summaries.plan_batches(store, batch_size=16, max_batches=2)
    assert [len(b) for b in batches] == [16, 16] and left == 8
    out = summaries.summarize_batch(store, cascade(chat), batches[0], batch_index=0, ctx=CTX)
    assert out["summarized"] == 16 and out["failed_ids"] == [] and out["tokens"][0] > 0
    report = summaries.qa(store, run_id="run-1", sample_size=10)
    assert report["passed"] and report["sampled"] == 10 and report["stored"] == 16
    assert store.conn.execute("SELECT count(*) FROM motion_summary_current").fetchone()[0] == 0
    assert summaries.publish(store, run_id="run-1") == 16
    assert store.conn.execute("SELECT count(*) FROM motion_summary_current").fetchone()[0] == 16
    assert sum(map(len, summaries.plan_batches(store, batch_size=100, max_batches=None)[0])) == 24


def test_a_failing_motion_is_counted_after_the_retry_quarantined_and_released(store, motions, chat):
    chat.add("unfaithful", marker="POISON")
    plan = [motions[:20], motions[20:]]
    results = [summaries.summarize_batch(store, cascade(chat), b, batch_index=i, ctx=CTX) for i, b in enumerate(plan)]
    poisoned = [mid for r in results for mid in r["failed_ids"]]
    assert len(poisoned) == 1
    for night in (1, 2):
        ctx = RunContext(dag_id="motion_summaries", run_id=f"night-{night}", task_id="retry_summaries")
        for _ in range(2 if night == 1 else 1):  # a cleared and re-run task counts the night once
            out = summaries.retry_failed(store, cascade(chat), plan=plan, results=results, batch_size=16,
                                         max_failure_ratio=0.5, quarantine_after=2, ctx=ctx)
            assert out["failed_ids"] == poisoned and out["batch_size"] == 8 and out["failed_by_class"] == {"invalid_output": 1}
            assert out["quarantined"] == (night == 2) and out["new_failures"] == (night == 1)
    assert summaries.plan_batches(store, batch_size=100, max_batches=None, ids=poisoned)[0] == []  # quarantined
    assert [r["motion_id"] for r in summaries.release(store, poisoned)] == poisoned
    assert summaries.plan_batches(store, batch_size=100, max_batches=None, ids=poisoned)[0] == [poisoned]


def test_too_many_first_failures_fail_the_run_and_motions_failing_again_do_not(store, motions, chat):
    chat.add("unfaithful")
    plan = [motions[:4]]
    with pytest.raises(summaries.FailureRatioExceeded, match="4 of 4 planned"):
        summaries.retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                               max_failure_ratio=0.5, quarantine_after=5, ctx=CTX)
    with pytest.raises(summaries.FailureRatioExceeded):  # clearing the task does not get it past the gate
        summaries.retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                               max_failure_ratio=0.5, quarantine_after=5, ctx=CTX)
    night2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="retry_summaries")
    out = summaries.retry_failed(store, cascade(chat), plan=plan, results=[], batch_size=4,
                                 max_failure_ratio=0.5, quarantine_after=5, ctx=night2)
    assert out["new_failures"] == 0 and len(out["failed_ids"]) == 4  # known failures: this night is not red


def test_a_backend_outage_charges_no_motion_but_turns_the_run_red(store, motions, chat):
    chat.add("status", status=500)
    for run in ("run-1", "run-2", "run-3"):
        ctx = RunContext(dag_id="motion_summaries", run_id=run, task_id="retry_summaries")
        with pytest.raises(summaries.FailureRatioExceeded):
            summaries.retry_failed(store, cascade(chat, max_attempts=1), plan=[motions[:4]], results=[], batch_size=4,
                                   max_failure_ratio=0.5, quarantine_after=2, ctx=ctx)
    assert store.conn.execute("SELECT count(*) FROM summary_failures").fetchone()[0] == 0  # nobody quarantined


def test_a_model_summary_replaces_an_extractive_one_and_is_published_again(store, motions, chat):
    summaries.summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)
    summaries.publish(store, run_id="run-1")
    assert summaries.plan_batches(store, batch_size=10, max_batches=None, ids=motions[:3])[0] == []
    assert sorted(summaries.plan_batches(store, batch_size=10, max_batches=None, ids=motions[:3], models=True)[0][0]) == motions[:3]
    ctx2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="summarize")
    assert summaries.summarize_ids(store, cascade(chat), motions[:3], ctx=ctx2)["summarized"] == 3
    summaries.publish(store, run_id="run-2")
    rows = store.conn.execute("SELECT DISTINCT status, backend FROM motion_summary_current").fetchall()
    assert rows == [("llm", "motion_llm")]
    # and an extractive summary never replaces a model's
    assert summaries.summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)["summarized"] == 0


def test_a_failed_qa_removes_the_invalid_summary_and_the_next_run_adopts_and_publishes_the_rest(store, motions, chat):
    summaries.summarize_ids(store, cascade(chat), motions[:5], ctx=CTX)
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' In 1999.' WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    assert not summaries.qa(store, run_id="run-1", sample_size=5)["passed"]  # run-1 publishes nothing
    assert summaries.adopt_unpublished(store, run_id="run-2") == 4
    assert summaries.plan_batches(store, batch_size=10, max_batches=None, ids=motions[:5])[0] == [[motions[0]]]
    assert summaries.qa(store, run_id="run-2", sample_size=10)["passed"]
    assert summaries.publish(store, run_id="run-2") == 4


def test_a_terminal_error_stores_what_was_done_and_charges_nobody(store, motions, chat):
    c = cascade(chat)
    assert summaries.summarize_ids(store, c, motions[:3], ctx=CTX)["summarized"] == 3
    chat.add("status", status=401)
    with pytest.raises(TerminalError):
        summaries.summarize_ids(store, c, motions[:10], ctx=CTX)
    assert store.conn.execute("SELECT count(*) FROM summary_failures").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM motion_summaries").fetchone()[0] == 3
    assert len(chat.calls) == 4  # the three, then one refused request: no retry


def test_qa_fails_a_tampered_summary(store, motions, chat):
    summaries.summarize_ids(store, cascade(chat), motions[:5], ctx=CTX)
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' Kosten: 999 miljoen.' "
                       "WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    report = summaries.qa(store, run_id="run-1", sample_size=5)
    assert not report["passed"] and report["failures"][0]["check"] == "faithful" and "999" in report["failures"][0]["detail"]


def test_extractive_summaries_are_labelled_in_provenance(store, motions):
    out = summaries.summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)
    assert out["by_status"] == {"extractive": 3}
    rows = store.conn.execute("SELECT DISTINCT status, backend, model, chain, attempts FROM motion_summaries").fetchall()
    assert rows == [("extractive", "extractive", "extractive", "extractive", 0)]
    assert summaries.qa(store, run_id="run-1", sample_size=3)["passed"]


def test_the_budget_stops_before_the_next_motion_and_the_rest_is_left(store, motions, chat):
    budget = summaries.Budget(max_items=5)
    out = summaries.summarize_ids(store, cascade(chat, price_input_per_1k=0.01), motions[:12], ctx=CTX, budget=budget)
    assert out["summarized"] == 5 and len(out["left"]) == 7 and "budget of 5 motions" in out["budget_reached"]
    spent = summaries.spend(store, "run-1")
    assert spent["attempted"] == 5 and spent["tokens"] > 0 and spent["cost"] > 0
    assert summaries.Budget(max_tokens=spent["tokens"]).reached(spent) and not summaries.Budget().reached(spent)
    assert summaries.Budget(max_cost=spent["cost"] * 2).reached(spent) is None


def _visible(store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT motion_id::text, status FROM motion_summary_current").fetchall())


def test_readers_keep_the_published_extractive_summary_until_its_replacement_is_published(store, motions, chat):
    summaries.summarize_ids(store, Cascade([]), motions[:5], ctx=CTX)
    summaries.publish(store, run_id="run-1")
    before = _visible(store)
    assert len(before) == 5 and set(before.values()) == {"extractive"}
    # a model run writes the replacements, then stops before publish (killed, QA failed, approval rejected)
    ctx2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="summarize")
    assert summaries.summarize_ids(store, cascade(chat), motions[:5], ctx=ctx2)["summarized"] == 5
    assert _visible(store) == before
    store.conn.execute("UPDATE motion_summaries SET summary_nl = summary_nl || ' In 1999.' "
                       "WHERE motion_id = %s AND status = 'llm'", (motions[0],))
    store.conn.commit()
    assert not summaries.qa(store, run_id="run-2", sample_size=5)["passed"]  # removes the bad replacement only
    assert _visible(store) == before
    # the next run neither pays again for the pending replacements nor loses them: it adopts and publishes them
    assert summaries.plan_batches(store, batch_size=10, max_batches=None, ids=motions[:5], models=True)[0] == [[motions[0]]]
    assert summaries.adopt_unpublished(store, run_id="run-3") == 4
    assert summaries.qa(store, run_id="run-3", sample_size=10)["passed"]
    assert summaries.publish(store, run_id="run-3") == 4
    after = _visible(store)
    assert set(after) == set(before) and after[motions[0]] == "extractive"
    assert sorted(v for k, v in after.items() if k != motions[0]) == ["llm"] * 4
    # the replaced extractive rows are gone with the swap: one row per motion and key is left
    assert store.conn.execute("SELECT count(*) FROM motion_summaries").fetchone()[0] == 5


def test_two_runs_summarizing_the_same_plan_at_once_pay_once_per_motion(store, pg_uri, motions, chat):
    import threading

    from motion_ops.store.db import Store

    chat.latency = 0.02  # the two runs overlap while the model answers
    plan = motions[:20]
    start, results = threading.Barrier(2), {}

    def run(run_id: str) -> None:
        with Store(pg_uri) as own:
            ctx = RunContext(dag_id="motion_summaries", run_id=run_id, task_id="summarize")
            start.wait()
            results[run_id] = summaries.summarize_batch(own, cascade(chat), plan, batch_index=0, ctx=ctx)
            summaries.retry_failed(own, cascade(chat), plan=[plan], results=[results[run_id]], batch_size=20,
                                   max_failure_ratio=0.5, quarantine_after=3, ctx=ctx)

    threads = [threading.Thread(target=run, args=(r,)) for r in ("run-A", "run-B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["run-A", "run-B"]
    assert len(chat.calls) == 20 and len({c.prompt for c in chat.calls}) == 20  # one call per motion
    assert sum(r["summarized"] for r in results.values()) == 20
    assert sum(r["claimed_elsewhere"] for r in results.values()) >= 20 - max(r["summarized"] for r in results.values())
    assert store.conn.execute("SELECT count(*) FROM summary_spend").fetchone()[0] == 20
    assert store.conn.execute("SELECT count(*) FROM work_claims").fetchone()[0] == 0  # every claim released


def test_a_killed_runs_claims_expire_and_its_own_retry_takes_them_again(store, motions, chat):
    import datetime as dt

    from motion_ops.store import claims

    assert claims.claim(store, summaries.CLAIM_STAGE, motions[:3], holder="run-dead", ttl=dt.timedelta(hours=1)) == motions[:3]
    other = RunContext(dag_id="motion_summaries", run_id="run-other", task_id="summarize")
    out = summaries.summarize_ids(store, cascade(chat), motions[:3], ctx=other)
    assert out["summarized"] == 0 and out["claimed_elsewhere"] == motions[:3] and chat.calls == []
    again = RunContext(dag_id="motion_summaries", run_id="run-dead", task_id="summarize")  # the same run, retried
    assert summaries.summarize_ids(store, cascade(chat), motions[:1], ctx=again)["summarized"] == 1
    store.conn.execute("UPDATE work_claims SET expires_at = now() - interval '1 second'")
    store.conn.commit()
    out = summaries.summarize_ids(store, cascade(chat), motions[:3], ctx=other)  # expired: another run takes them
    assert out["summarized"] == 2 and out["claimed_elsewhere"] == [] and len(chat.calls) == 3
