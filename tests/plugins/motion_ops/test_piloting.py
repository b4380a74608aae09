"""The pilot steps of both DAGs without Airflow: who is piloted, the report kept, the nightly run
that does not wait for a decision, and what the approval step says and stores."""
import json

import pytest

from devkit.standin.provider import ProviderServer
from motion_ops import pilot
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig
from motion_ops.params import ENRICHMENT, defaults
from motion_ops.piloting import approval_request, decide, pending_skip, pilot_step, responder, timed_out
from motion_ops.run import RunContext, RunParams

CHAIN = "openai:m+substance-v1"


@pytest.fixture
def server():
    with ProviderServer(model="m", dims=32) as srv:
        yield srv


def step(store, server, motions, tmp_path, *, by_hand=True, run_id="r1", **changes):
    config = ProviderConfig(kind="openai", base_url=server.url, model="m", price_per_1k=0.02, retry_attempts=1)
    params = RunParams.from_mapping({**defaults(ENRICHMENT), "pilot_size": 3, **changes})[0]
    plan = [{"batch_index": 0, "ids": motions[:20]}, {"batch_index": 1, "ids": motions[20:]}]
    return pilot_step(store, pilot.EmbeddingModel(config), lambda: pilot.EmbeddingModel(config, Embedder.from_config(config)),
                      verb="embed", what="embed the backlog with this model", plan=plan,
                      plan_summary={"left_for_next_run": 10}, params=params, folder=lambda: tmp_path,
                      ctx=RunContext(dag_id="motion_enrichment", run_id=run_id, task_id="pilot_embeddings"),
                      by_hand=by_hand)


def test_a_run_triggered_by_hand_pilots_a_sample_and_keeps_the_report_for_the_approval_step(store, motions, server,
                                                                                            tmp_path):
    out = step(store, server, motions, tmp_path)
    p = out.xcom()
    assert (p["needed"], p["chain"], p["prompt_key"], p["what"]) == (True, CHAIN, "embeddings",
                                                                     "embed the backlog with this model")
    assert p["estimate"]["motions"] == 50 and len(server.calls) == 3 and "pending" not in p
    assert p["report"] == str(tmp_path / "pilot-motion_enrichment-r1.html") and json.loads(open(p["json"]).read())["sampled"] == 3
    assert out.line == f"pilot: {p['line']}; report {p['report']}" and out.items == 3 and out.failures == 0
    assert store.conn.execute("SELECT chain, report_path FROM pilot_reports").fetchall() == [(CHAIN, p["report"])]
    store.conn.commit()
    assert pilot.decision(store, CHAIN, "embeddings") is None  # a person decides in approve_embeddings


def test_a_retry_after_the_paid_sample_reuses_the_kept_report_and_pays_nothing_again(store, motions, server, tmp_path):
    first = tmp_path / "first"
    first.write_text("a file where the reports' folder should be")  # writing the report fails after the sample
    with pytest.raises(OSError):
        step(store, server, motions, first)
    calls = len(server.calls)
    assert calls == 3
    again = step(store, server, motions, tmp_path)  # the task's retry (or a cleared task) in the same run
    p = again.xcom()
    assert len(server.calls) == calls and again.line.endswith("(this run's earlier try's sample: nothing sent again)")
    assert p["estimate"]["motions"] == 50 and json.loads(open(p["json"]).read())["sampled"] == 3
    assert open(p["report"]).read().count("motions piloted") >= 1
    assert step(store, server, motions, tmp_path, run_id="r2").xcom()["needed"] and len(server.calls) == calls + 3


def test_a_retry_whose_plan_changed_reuses_the_sample_but_estimates_the_backlog_it_has_now(store, motions, server,
                                                                                          tmp_path):
    assert step(store, server, motions, tmp_path).xcom()["estimate"]["motions"] == 50
    calls = len(server.calls)
    again = step(store, server, motions[:30], tmp_path)  # the plan cleared with it: fewer motions planned now
    p = again.xcom()
    assert len(server.calls) == calls  # the sample is not paid again
    assert p["estimate"]["motions"] == 40 and "backlog of 40 motions" in p["line"]
    kept = store.conn.execute("SELECT report FROM pilot_reports WHERE run_id = 'r1'").fetchone()[0]
    store.conn.commit()
    assert kept["backlog"] == 40 and kept["estimate"] == p["estimate"] and json.loads(open(p["json"]).read())["backlog"] == 40


def test_nothing_is_piloted_in_a_dry_run_for_an_approved_model_or_an_empty_plan(store, motions, server, tmp_path):
    assert step(store, server, motions, tmp_path, dry_run=True).xcom() == {"needed": False, "reason": "dry run"}
    assert step(store, server, [], tmp_path).xcom() == {"needed": False,
                                                        "reason": f"nothing to embed ({CHAIN} has not been approved)"}
    pilot.record(store, chain=CHAIN, prompt_key="embeddings", decision_=pilot.APPROVED, by="ann")
    out = step(store, server, motions, tmp_path)
    assert not out.xcom()["needed"] and out.line.startswith(f"no pilot: {CHAIN} approved by ann")
    assert server.calls == []


def test_a_nightly_run_stores_the_decision_as_pending_and_does_not_pilot_it_again(store, motions, server, tmp_path):
    first = step(store, server, motions, tmp_path, by_hand=False).xcom()
    assert first["pending"] and first["reason"].startswith(f"{CHAIN} was piloted (") and "waits for a decision" in first["reason"]
    assert pilot.decision(store, CHAIN, "embeddings")["decision"] == pilot.PENDING
    calls = len(server.calls)
    again = step(store, server, motions, tmp_path, by_hand=False, run_id="r2")
    assert again.xcom() == {"needed": True, "pending": True, "chain": CHAIN, "prompt_key": "embeddings",
                            "reason": again.xcom()["reason"]}
    assert "not piloted again in a run nobody triggered by hand (report " in again.line and len(server.calls) == calls
    assert step(store, server, motions, tmp_path, run_id="r3").xcom()["needed"]  # by hand: piloted for a decision


def test_the_approval_step_shows_the_estimate_and_stores_the_decision_with_who_took_it(store):
    p = {"needed": True, "chain": CHAIN, "prompt_key": "embeddings", "line": "3 motions piloted",
         "estimate": {"motions": 1234, "input_tokens": 5000, "output_tokens": 0, "cost": 0.1}, "report": "/r/pilot.html",
         "what": "embed the backlog with this model"}
    subject, body = approval_request(p, "motion_enrichment", "1 day, 0:00:00")
    assert subject == f"Approve {CHAIN} for motion_enrichment?"
    assert "motions in the backlog: 1,234\n" in body and "**estimated cost: 0.10**" in body and "`/r/pilot.html`" in body
    assert "Decide within 1 day, 0:00:00" in body
    assert f"--chain '{CHAIN}' --prompt embeddings" in timed_out(p, "0:00:14") and "in time (0:00:14)" in timed_out(p, "0:00:14")
    assert pending_skip({**p, "reason": "waits"}, "motion_enrichment").startswith("decision pending: waits.")
    assert responder({"responded_by_user": {"id": "7", "name": "ann"}}) == "ann" and responder({}) == "unknown"
    assert decide(store, p, approved=True, by="ann", run_id="r1") is None
    assert decide(store, p, approved=False, by="bob", run_id="r2").startswith(f"bob rejected the pilot of {CHAIN}")
    assert (pilot.decision(store, CHAIN, "embeddings")["decision"], pilot.decision(store, CHAIN, "embeddings")["decided_by"]) \
        == (pilot.REJECTED, "bob")
