"""End to end: ``motion_summaries`` through ``dag.test()`` against the embedded Postgres (motions
synced from the stand-in feed) and the stand-in chat server as the ``motion_llm`` backend."""
import json

import pytest

from devkit.standin.chat import ChatServer
from tests.conftest import ROOT
from tests.plugins.motion_ops.test_sync import sync


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags")).get_dag("motion_summaries")


@pytest.fixture
def chat():
    with ChatServer(model="e2e-chat", api_key="sk-e2e") as srv:
        yield srv


@pytest.fixture
def synced(store, standin, clock):
    sync(store, standin.url, clock)
    return sorted(r[0] for r in q(store, "SELECT id::text FROM motions WHERE NOT deleted AND body_text IS NOT NULL"))


def llm_connection(monkeypatch, chat, store=None, **extra):
    """``motion_llm`` on the stand-in chat server; with ``store``, its chain approved already (the
    pilot and the human approval are tested through a real Airflow in test_airflow_e2e.py)."""
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_LLM", json.dumps({
        "conn_type": "pydanticai", "host": chat.base_url, "password": "sk-e2e",
        "extra": {"model": "openai:e2e-chat", "max_attempts": 2, **extra}}))
    if store is not None:
        from motion_ops import pilot
        from motion_ops.summaries.plan import PROMPT_KEY

        pilot.record(store, chain="openai:e2e-chat", prompt_key=PROMPT_KEY, decision_=pilot.APPROVED, by="test")


@pytest.fixture
def env(monkeypatch, pg_uri):
    host = pg_uri.split("host=", 1)[1]
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_DB", json.dumps({"conn_type": "postgres", "host": host, "login": "postgres",
                                                             "schema": "postgres"}))
    monkeypatch.delenv("AIRFLOW_CONN_MOTION_LLM", raising=False)
    return monkeypatch


def run(dag, tmp_path, **conf):
    # approve_pilot is a human-in-the-loop task dag.test() cannot answer: marked done here (the
    # pilot's approval is tested through a real Airflow's REST API in test_airflow_e2e.py)
    return dag.test(mark_success_pattern="approve_pilot", run_conf={"batch_size": 8, "qa_reports_dir": str(tmp_path), "dry_run": False, "since": None,
                              "until": None, "max_failure_ratio": 0.1, "summary_max_failures": 2,
                              "extractive_fallback": False, "max_items": None, "max_tokens": None, "max_cost": None, "pilot_size": 5,
                              **conf})


def q(store, sql, *args):
    rows = store.conn.execute(sql, args).fetchall()
    store.conn.commit()
    return rows


def states(dr):
    return {(ti.task_id, ti.map_index): ti.state for ti in dr.get_task_instances()}


def test_every_motion_gets_a_published_summary_with_provenance_and_a_rerun_changes_nothing(dag, store, env, synced, chat,
                                                                                           tmp_path):
    llm_connection(env, chat, store)
    dr = run(dag, tmp_path)
    assert dr.state == "success", states(dr)
    rows = q(store, "SELECT motion_id::text, status, backend, model, chain, attempts, input_tokens, output_tokens, "
                    "latency_ms, prompt_version, schema_version, published_at IS NOT NULL FROM motion_summaries ORDER BY 1")
    assert [r[0] for r in rows] == synced
    assert {(r[1], r[2], r[3], r[4], r[9], r[10], r[11]) for r in rows} == {
        ("llm", "motion_llm", "e2e-chat", "openai:e2e-chat", "summary-v2", 1, True)}
    assert all(r[5] >= 1 and r[6] > 0 and r[7] > 0 and r[8] >= 0 for r in rows)
    assert q(store, "SELECT count(*) FROM motion_summary_current")[0][0] == len(synced)
    report = json.loads(next(tmp_path.glob("summaries-*.json")).read_text())
    assert report["passed"] and report["stored"] == len(synced)
    calls = len(chat.calls)
    again = run(dag, tmp_path)
    assert again.state == "success" and len(chat.calls) == calls  # nothing left to summarize: no model call


def test_a_motion_that_keeps_failing_is_audited_counted_quarantined_and_released_by_command(dag, store, env, synced, chat,
                                                                                           tmp_path):
    from motion_ops.cli import main

    llm_connection(env, chat, store)
    victim = synced[3]
    body = q(store, "SELECT body_text FROM motions WHERE id = %s", victim)[0][0]
    chat.add("unfaithful", marker=body.splitlines()[2][:40])
    for night in (1, 2):
        dr = run(dag, tmp_path)
        assert dr.state == "success", states(dr)  # 1 of 60: under max_failure_ratio
        failures = q(store, "SELECT failures, quarantined, error_class FROM summary_failures WHERE motion_id = %s", victim)
        assert failures == [(night, night == 2, "invalid_output")]
    assert q(store, "SELECT count(*) FROM motion_summaries WHERE motion_id = %s", victim)[0][0] == 0  # never stored
    assert q(store, "SELECT count(*) FROM audit_events WHERE action = 'summary_failed' AND target = %s", victim)[0][0] == 2
    calls = len(chat.calls)
    assert run(dag, tmp_path).state == "success" and len(chat.calls) == calls  # quarantined: not planned
    chat.rules.clear()
    assert main(["--dsn", store.dsn, "release-quarantine", "--stage", "summaries"]) == 0
    assert run(dag, tmp_path).state == "success"
    assert q(store, "SELECT status FROM motion_summary_current WHERE motion_id = %s", victim) == [("llm",)]


def test_a_terminal_error_stops_the_run_at_once_charges_no_motion_and_publishes_nothing(dag, store, env, synced, chat,
                                                                                        tmp_path):
    llm_connection(env, chat, store)
    chat.add("status", status=401)
    dr = run(dag, tmp_path)
    assert dr.state == "failed"
    s = states(dr)
    assert s[("summarize", 0)] == "failed" and s[("publish_summaries", -1)] != "success"
    assert q(store, "SELECT count(*) FROM summary_failures")[0][0] == 0
    assert q(store, "SELECT count(*) FROM motion_summaries")[0][0] == 0
    # one request per summarize instance and one by retry_summaries: no retry burnt on a refused key
    assert len(chat.calls) == len([k for k in s if k[0] == "summarize"]) + 1


def test_without_a_connection_the_extractive_summarizer_summarizes_and_says_so(dag, store, env, synced, tmp_path):
    dr = run(dag, tmp_path)
    assert dr.state == "success", states(dr)
    rows = q(store, "SELECT DISTINCT status, backend, model, chain FROM motion_summary_current")
    assert rows == [("extractive", "extractive", "extractive", "extractive")]


def test_a_dry_run_only_counts(dag, store, env, synced, chat, tmp_path):
    llm_connection(env, chat, store)
    dr = run(dag, tmp_path, dry_run=True)
    assert dr.state == "success", states(dr)
    assert chat.calls == [] and q(store, "SELECT count(*) FROM motion_summaries")[0][0] == 0
    assert q(store, "SELECT count(*) FROM run_metrics WHERE dag_id = 'motion_summaries'")[0][0] == 0


def test_a_changed_text_is_summarized_again_and_only_it(dag, store, env, synced, chat, tmp_path):
    llm_connection(env, chat, store)
    assert run(dag, tmp_path).state == "success"
    calls = len(chat.calls)
    store.conn.execute("UPDATE motions SET body_text = body_text || %s WHERE id = %s",
                       ("\nverzoekt de regering ook de dijken te versterken,", synced[0]))
    store.conn.commit()
    assert run(dag, tmp_path).state == "success"
    assert len(chat.calls) == calls + 1
    assert q(store, "SELECT count(*) FROM motion_summaries WHERE motion_id = %s", synced[0])[0][0] == 2
    current = q(store, "SELECT c.text_hash = m.embed_hash FROM motion_summary_current c JOIN motions m ON m.id = c.motion_id "
                       "WHERE c.motion_id = %s", synced[0])
    assert current == [(True,)]  # readers see the summary of the new text


def test_a_budget_stops_a_run_cleanly_and_the_next_run_continues_where_it_stopped(dag, store, env, synced, chat, tmp_path):
    from motion_ops.status import status_lines

    llm_connection(env, chat, store, price_input_per_1k=0.5, price_output_per_1k=1.5)
    dr = run(dag, tmp_path, max_items=20)
    assert dr.state == "success", states(dr)  # finished cleanly, QA passed, published what it did
    published = q(store, "SELECT count(*) FROM motion_summary_current")[0][0]
    assert published == 20 and len(chat.calls) == published  # the item budget is planned: exactly 20
    (attempted, cost), = q(store, "SELECT count(*), sum(cost) FROM summary_spend")
    assert attempted == published and cost > 0
    line = next(x for x in status_lines(store) if x.startswith("summaries:"))
    assert f"{published} of {len(synced)} done" in line and "cost" in line
    assert run(dag, tmp_path).state == "success"
    assert q(store, "SELECT count(*) FROM motion_summary_current")[0][0] == len(synced)
    assert len(chat.calls) == len(synced)  # nothing summarized twice


def test_a_cost_budget_stops_the_run_too(dag, store, env, synced, chat, tmp_path):
    llm_connection(env, chat, store, price_input_per_1k=1.0, price_output_per_1k=1.0)
    assert run(dag, tmp_path, max_cost=5.0).state == "success"
    (n, cost), = q(store, "SELECT count(*), sum(cost) FROM summary_spend")
    assert 0 < n < len(synced) and 5.0 <= cost < 5.0 + 3.0  # stopped at the first motion past the budget



def test_an_api_key_echoed_by_a_refusing_backend_reaches_no_task_log_and_no_chained_traceback(dag, store, env, synced, chat,
                                                                                           tmp_path, capfd, caplog,
                                                                                           monkeypatch):
    import traceback

    from motion_ops.operators.summaries import SummarizeOperator

    raised = []
    execute = SummarizeOperator.execute

    def spy(self, context):  # what the operator raises, as Airflow gets it
        try:
            return execute(self, context)
        except BaseException as exc:
            raised.append(exc)
            raise

    monkeypatch.setattr(SummarizeOperator, "execute", spy)
    llm_connection(env, chat, store)
    chat.add("echo_auth", status=401)  # "upstream refused the request with Bearer sk-e2e"
    with caplog.at_level("DEBUG"):
        dr = run(dag, tmp_path)
    assert dr.state == "failed" and raised
    printed = ["".join(traceback.format_exception(exc)) for exc in raised]
    assert all("refuses" in p for p in printed)  # the redacted reason is still there
    out, err = capfd.readouterr()
    for text in (*printed, out, err, caplog.text):
        assert "sk-e2e" not in text


def test_an_injected_and_an_inverted_summary_are_not_published_and_are_kept_for_review_with_the_reasons(
        dag, store, env, synced, chat, tmp_path):
    from tests.plugins.motion_ops.llm.test_faithfulness import INJECTED, INVERTED, MINIMUMLOON, OBEYED

    llm_connection(env, chat, store)
    injected, inverted = synced[0], synced[1]
    for mid, text in ((injected, INJECTED), (inverted, MINIMUMLOON)):
        store.conn.execute("UPDATE motions SET body_text = %s WHERE id = %s", (text, mid))
    store.conn.commit()
    chat.add("answer", marker="PartijX", fields=OBEYED)  # a model that obeys the text's instruction
    chat.add("answer", marker="minimumloon alsnog", fields=INVERTED)  # a model that inverts the request
    dr = run(dag, tmp_path, max_failure_ratio=0.5)
    assert dr.state == "success", states(dr)
    published = {r[0] for r in q(store, "SELECT motion_id::text FROM motion_summary_current")}
    assert injected not in published and inverted not in published and len(published) == len(synced) - 2
    kept = dict(q(store, "SELECT target, metadata FROM audit_events WHERE action = 'summary_rejected'"))
    assert kept[injected]["summary"]["summary_nl"] == OBEYED["summary_nl"]
    assert any("instructie" in r for r in kept[injected]["reasons"]) and any("PartijX" in r for r in kept[injected]["reasons"])
    assert any("richting" in r for r in kept[inverted]["reasons"])
