"""Summarize one batch through the cascade: what is stored, what a terminal error leaves, the budget, claims."""
import pytest

from motion_ops.batched import Budget
from motion_ops.llm.cascade import Cascade, TerminalError
from motion_ops.run import RunContext
from motion_ops.summaries.plan import CLAIM_STAGE, spend
from motion_ops.summaries.plan import plan as plan_summaries
from motion_ops.summaries.publish import publish
from motion_ops.summaries.qa import qa
from motion_ops.summaries.retry import retry_failed
from motion_ops.summaries.summarize import summarize_batch, summarize_ids
from tests.plugins.motion_ops.summaries.conftest import CTX, cascade


def test_a_model_summary_replaces_an_extractive_one_and_is_published_again(store, motions, chat):
    summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)
    publish(store, run_id="run-1")
    assert plan_summaries(store, batch_size=10, max_batches=None, ids=motions[:3])[0] == []
    assert sorted(plan_summaries(store, batch_size=10, max_batches=None, ids=motions[:3], models=True)[0][0]) == motions[:3]
    ctx2 = RunContext(dag_id="motion_summaries", run_id="run-2", task_id="summarize")
    assert summarize_ids(store, cascade(chat), motions[:3], ctx=ctx2)["summarized"] == 3
    publish(store, run_id="run-2")
    rows = store.conn.execute("SELECT DISTINCT status, backend FROM motion_summary_current").fetchall()
    assert rows == [("llm", "motion_llm")]
    # and an extractive summary never replaces a model's
    assert summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)["summarized"] == 0



def test_a_terminal_error_stores_what_was_done_and_charges_nobody(store, motions, chat):
    c = cascade(chat)
    assert summarize_ids(store, c, motions[:3], ctx=CTX)["summarized"] == 3
    chat.add("status", status=401)
    with pytest.raises(TerminalError):
        summarize_ids(store, c, motions[:10], ctx=CTX)
    assert store.conn.execute("SELECT count(*) FROM summary_failures").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM motion_summaries").fetchone()[0] == 3
    assert len(chat.calls) == 4  # the three, then one refused request: no retry



def test_extractive_summaries_are_labelled_in_provenance(store, motions):
    out = summarize_ids(store, Cascade([]), motions[:3], ctx=CTX)
    assert out["by_status"] == {"extractive": 3}
    rows = store.conn.execute("SELECT DISTINCT status, backend, model, chain, attempts FROM motion_summaries").fetchall()
    assert rows == [("extractive", "extractive", "extractive", "extractive", 0)]
    assert qa(store, run_id="run-1", sample_size=3)["passed"]



def test_the_budget_stops_before_the_next_motion_and_the_rest_is_left(store, motions, chat):
    budget = Budget(max_items=5)
    out = summarize_ids(store, cascade(chat, price_input_per_1k=0.01), motions[:12], ctx=CTX, budget=budget)
    assert out["summarized"] == 5 and len(out["left"]) == 7 and "budget of 5 motions" in out["budget_reached"]
    spent = spend(store, "run-1")
    assert spent["attempted"] == 5 and spent["tokens"] > 0 and spent["cost"] > 0
    assert Budget(max_tokens=spent["tokens"]).reached(spent) and not Budget().reached(spent)
    assert Budget(max_cost=spent["cost"] * 2).reached(spent) is None



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
            results[run_id] = summarize_batch(own, cascade(chat), plan, batch_index=0, ctx=ctx)
            retry_failed(own, cascade(chat), plan=[plan], results=[results[run_id]], batch_size=20,
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

    assert claims.claim(store, CLAIM_STAGE, motions[:3], holder="run-dead", ttl=dt.timedelta(hours=1)) == motions[:3]
    other = RunContext(dag_id="motion_summaries", run_id="run-other", task_id="summarize")
    out = summarize_ids(store, cascade(chat), motions[:3], ctx=other)
    assert out["summarized"] == 0 and out["claimed_elsewhere"] == motions[:3] and chat.calls == []
    again = RunContext(dag_id="motion_summaries", run_id="run-dead", task_id="summarize")  # the same run, retried
    assert summarize_ids(store, cascade(chat), motions[:1], ctx=again)["summarized"] == 1
    store.conn.execute("UPDATE work_claims SET expires_at = now() - interval '1 second'")
    store.conn.commit()
    out = summarize_ids(store, cascade(chat), motions[:3], ctx=other)  # expired: another run takes them
    assert out["summarized"] == 2 and out["claimed_elsewhere"] == [] and len(chat.calls) == 3
