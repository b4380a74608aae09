import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.get_dag("motion_enrichment")


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == ["motion_alerts", "motion_enrichment", "motion_summaries"]


def test_dag_id_is_the_file_stem_with_tags_doc_and_one_active_run(dag):
    assert dag.fileloc.endswith("motion_enrichment.py")
    assert {"motions", "tweede-kamer"} <= set(dag.tags) and "sync_content" in dag.doc_md
    assert dag.max_active_runs == 1 and dag.catchup is False


def test_every_task_retries_with_exponential_backoff(dag):
    for t in dag.tasks:
        assert t.retries >= 2 and t.retry_exponential_backoff, t.task_id


def test_the_task_graph_is_the_nightly_chain_plus_the_data_each_task_takes(dag):
    order = ["migrate_store", "sync_content", "pilot_embeddings", "approve_embeddings", "embed_missing", "retry_failed",
             "compute_similarity", "qa_sample", "publish_similarity", "export_data"]
    assert sorted(dag.task_ids) == sorted(order + ["announce_texts"])
    data = {"sync_content": {"retry_failed", "announce_texts", "embed_missing"}, "retry_failed": {"qa_sample"},
            "compute_similarity": {"publish_similarity"}}
    for up, down in zip(order, order[1:]):
        assert dag.get_task(up).downstream_task_ids == {down} | data.get(up, set()), up
    assert dag.get_task("retry_failed").trigger_rule == "all_done"
    assert [o.uri if hasattr(o, "uri") else o.name for o in dag.get_task("publish_similarity").outlets] == ["motion_similarity"]
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    approve = dag.get_task("approve_embeddings")  # a paid model nobody approved: a person decides first
    assert isinstance(approve, ApprovalOperator) and approve.ignore_downstream_trigger_rules  # reject: nothing runs
    assert approve.response_timeout is not None and approve.pilot.operator.task_id == "pilot_embeddings"
    assert dag.get_task("export_data").downstream_task_ids == set()
    announce = dag.get_task("announce_texts")
    assert announce.downstream_task_ids == set() and [o.name for o in announce.outlets] == ["motion_texts"]


def test_embed_missing_is_mapped_in_the_provider_pool_with_a_readable_label(dag):
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    t = dag.get_task("embed_missing")
    assert isinstance(t, MappedOperator)
    assert t.pool == "embedding_provider" and "batch_label" in t.map_index_template


def test_params_have_defaults_that_validate_and_reject_bad_values(dag):
    params = dag.params
    assert params["batch_size"] == 64 and params["top_n"] == 10 and params["qa_sample_size"] == 50
    assert params["dry_run"] is False and params["max_batches"] is None
    assert params.validate()["top_n"] == 10
    get = params.get_param
    with pytest.raises(Exception, match="minimum"):
        get("batch_size").resolve(0)
    with pytest.raises(Exception):
        get("batch_size").resolve("many")
    with pytest.raises(Exception):
        get("since").resolve("not a date")
    assert get("since").resolve("2025-03-01") == "2025-03-01" and get("batch_size").resolve(16) == 16


def test_tasks_take_their_inputs_as_xcom_args_written_in_the_dag(dag):
    from airflow.sdk.definitions.xcom_arg import PlainXComArg

    def arg(task_id, name):
        value = getattr(dag.get_task(task_id), name)
        assert isinstance(value, PlainXComArg), (task_id, name, value)
        assert name in dag.get_task(task_id).template_fields
        return value.operator.task_id, value.key

    assert arg("retry_failed", "plan") == ("sync_content", "return_value")
    assert arg("retry_failed", "results") == ("embed_missing", "return_value")
    assert arg("qa_sample", "version") == ("compute_similarity", "version")
    assert arg("qa_sample", "failure_ratio") == ("retry_failed", "failure_ratio")
    assert arg("publish_similarity", "version") == ("compute_similarity", "version")
    assert arg("announce_texts", "summary") == ("sync_content", "summary")
    assert arg("pilot_embeddings", "plan") == ("sync_content", "return_value")
    assert arg("pilot_embeddings", "plan_summary") == ("sync_content", "summary")
    assert arg("approve_embeddings", "pilot") == ("pilot_embeddings", "return_value")
    assert dag.get_task("sync_content").motion_feed_conn_id == "motion_feed"
    assert {t.motion_db_conn_id for t in dag.tasks if t.task_id != "embed_missing"} == {"motion_db"}


def test_every_task_has_an_execution_timeout_and_the_dag_runs_in_amsterdam_time(dag):
    for t in dag.tasks:
        assert t.execution_timeout is not None and t.execution_timeout.total_seconds() >= 60, t.task_id
    assert dag.get_task("sync_content").execution_timeout > dag.get_task("qa_sample").execution_timeout
    assert str(dag.timezone.name if hasattr(dag.timezone, "name") else dag.timezone) == "Europe/Amsterdam"
    assert str(dag.timetable.timezone) == "Europe/Amsterdam" and dag.description


def test_every_param_has_a_title_a_description_and_a_section(dag):
    sections = set()
    for name, param in dag.params.items():
        p = dag.params.get_param(name)
        assert p.description and p.schema.get("title") and p.schema.get("section"), name
        sections.add(p.schema["section"])
    assert sections == {"Sync", "Embedding", "Pilot and budget", "Similarity", "QA", "Exports", "Run window"}


HEAVY = ("numpy", "psycopg", "requests", "pypdf", "msgspec", "pgvector", "pydantic_ai", "openai")


@pytest.mark.parametrize("dag_file", ["motion_enrichment", "motion_summaries"])
def test_parsing_the_dag_file_imports_nothing_heavy(dag_file):
    """In a fresh interpreter: what the DAG file adds to what importing Airflow's SDK loads."""
    code = f"""
import importlib.util, json, sys, time
import airflow.sdk
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, BaseOperator, BaseHook
before = set(sys.modules)
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location({dag_file!r}, {str(ROOT / "dags")!r} + "/" + {dag_file!r} + ".py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
added = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in {HEAVY!r})
print(json.dumps({{"seconds": time.perf_counter() - t0, "added": added, "airflow_itself": sorted(
    m for m in before if m in {HEAVY!r})}}))
"""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"DAG file parse time: {result['seconds']:.3f} s (after airflow.sdk); "
          f"heavy modules Airflow itself loads: {result['airflow_itself']}")
    assert result["added"] == []


@pytest.fixture(scope="module")
def summaries_dag(dagbag):
    return dagbag.get_dag("motion_summaries")


def test_motion_summaries_is_scheduled_on_the_texts_asset_and_chains_its_tasks(summaries_dag):
    from airflow.sdk.definitions.mappedoperator import MappedOperator
    from airflow.sdk.definitions.xcom_arg import PlainXComArg

    d = summaries_dag
    cond = d.timetable.asset_condition
    assert type(cond).__name__ == "AssetAll" and [a.name for a in cond.objects] == ["motion_texts"]
    order = ["migrate_store", "plan_summaries", "pilot_summaries", "approve_pilot", "summarize", "retry_summaries",
             "qa_summaries", "publish_summaries"]
    assert sorted(d.task_ids) == sorted(order)
    data = {"plan_summaries": {"retry_summaries", "summarize"}}
    for up, down in zip(order, order[1:]):
        assert d.get_task(up).downstream_task_ids == {down} | data.get(up, set()), up
    t = d.get_task("summarize")
    assert isinstance(t, MappedOperator) and t.pool == "llm_provider" and "batch_label" in t.map_index_template
    assert d.get_task("retry_summaries").trigger_rule == "all_done"
    for task_id, name, source in (("retry_summaries", "plan", ("plan_summaries", "return_value")),
                                  ("retry_summaries", "results", ("summarize", "return_value")),
                                  ("qa_summaries", "failure_ratio", ("retry_summaries", "failure_ratio"))):
        value = getattr(d.get_task(task_id), name)
        assert isinstance(value, PlainXComArg) and (value.operator.task_id, value.key) == source
    assert [o.name for o in d.get_task("publish_summaries").outlets] == ["motion_summaries"]
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    approve = d.get_task("approve_pilot")
    assert isinstance(approve, ApprovalOperator) and approve.ignore_downstream_trigger_rules  # reject: nothing runs
    assert approve.response_timeout is not None and getattr(approve.pilot, "operator").task_id == "pilot_summaries"
    for task in d.tasks:
        assert task.retries >= 2 and task.execution_timeout is not None, task.task_id


def test_motion_summaries_params_have_titles_sections_and_validate(summaries_dag):
    params = summaries_dag.params
    assert params["batch_size"] == 20 and params["extractive_fallback"] is False and params.validate()
    for name in params:
        p = params.get_param(name)
        assert p.description and p.schema.get("title") and p.schema.get("section"), name
    with pytest.raises(Exception):
        params.get_param("max_failure_ratio").resolve(2)


@pytest.mark.parametrize("dag_id", ["motion_enrichment", "motion_summaries"])
def test_every_number_param_refuses_nan_and_infinity_and_takes_its_default(dagbag, dag_id):
    from airflow.sdk import Param
    from airflow.sdk.exceptions import ParamValidationError

    params = dagbag.get_dag(dag_id).params
    numbers = [k for k in params if "number" in str(params.get_param(k).schema.get("type"))]
    assert {"max_failure_ratio", "max_cost", "approval_timeout_hours"} <= set(numbers)
    for key in numbers:
        p = params.get_param(key)
        assert Param(p.value, **p.schema).resolve() == p.value  # the default passes
        for bad in (float("nan"), float("inf"), float("-inf")):
            with pytest.raises(ParamValidationError):
                Param(bad, **p.schema).resolve()
    params.validate()


def test_no_dag_file_writes_a_param_or_default_args_by_hand():
    """Each param is declared once (motion_ops/params.py); the DAG files only name the declaration."""
    for path in sorted((ROOT / "dags").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "Param(" not in text and '"retries"' not in text and "APPROVAL_TIMEOUT_HOURS" not in text, path.name


@pytest.mark.parametrize("dag_id", ["motion_enrichment", "motion_summaries", "motion_alerts"])
def test_a_dags_params_are_its_declaration_in_order_with_their_schema(dag_id):
    from airflow.dag_processing.dagbag import DagBag

    from motion_ops.params import DAG_PARAMS

    params = DagBag(dag_folder=str(ROOT / "dags")).get_dag(dag_id).params  # untouched by the tests above
    specs = DAG_PARAMS[dag_id]
    assert list(params) == [s.name for s in specs]
    for s in specs:
        p = params.get_param(s.name)
        assert p.value == s.initial() and p.description == s.description, s.name
        assert p.schema == {**s.schema(), "section": s.section, "title": s.title}, s.name


def test_both_dags_share_their_retries_and_approval_wait(dagbag):
    enrichment, summaries = dagbag.get_dag("motion_enrichment"), dagbag.get_dag("motion_summaries")
    shared = {(t.owner, t.retries, t.retry_delay, bool(t.retry_exponential_backoff), t.max_retry_delay)
              for d in (enrichment, summaries, dagbag.get_dag("motion_alerts")) for t in d.tasks}
    assert len(shared) == 1 and next(iter(shared))[:2] == ("motion-ops", 2)
    waits = {enrichment.get_task("approve_embeddings").response_timeout, summaries.get_task("approve_pilot").response_timeout}
    assert waits == {dt.timedelta(hours=enrichment.params["approval_timeout_hours"])}


def test_motion_alerts_runs_on_the_published_similarity_and_sends_after_migrating(dagbag):
    d = dagbag.get_dag("motion_alerts")
    assert d.fileloc.endswith("motion_alerts.py") and d.max_active_runs == 1 and d.catchup is False
    assert "alerts" in d.tags and "send_digests" in d.doc_md and "smtp_default" in d.doc_md
    cond = d.timetable.asset_condition
    assert type(cond).__name__ == "AssetAll" and [a.name for a in cond.objects] == ["motion_similarity"]
    assert d.get_task("migrate_store").downstream_task_ids == {"send_digests"}
    send = d.get_task("send_digests")
    assert send.smtp_conn_id == "smtp_default" and send.execution_timeout is not None and send.retries >= 2
    assert d.params["max_items"] == 20 and d.params["dry_run"] is False and d.params.validate()
