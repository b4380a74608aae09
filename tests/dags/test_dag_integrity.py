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
    assert list(dagbag.dag_ids) == ["motion_enrichment"]


def test_dag_id_is_the_file_stem_with_tags_doc_and_one_active_run(dag):
    assert dag.fileloc.endswith("motion_enrichment.py")
    assert {"motions", "tweede-kamer"} <= set(dag.tags) and "sync_content" in dag.doc_md
    assert dag.max_active_runs == 1 and dag.catchup is False


def test_every_task_retries_with_exponential_backoff(dag):
    for t in dag.tasks:
        assert t.retries >= 2 and t.retry_exponential_backoff, t.task_id


def test_the_task_graph_is_exactly_the_nightly_chain(dag):
    order = ["sync_content", "embed_missing", "retry_failed", "compute_similarity", "qa_sample", "publish_similarity"]
    assert sorted(dag.task_ids) == sorted(order)
    for up, down in zip(order, order[1:]):
        assert dag.get_task(up).downstream_task_ids == {down}
    assert dag.get_task("retry_failed").trigger_rule == "all_done"
    assert [o.uri if hasattr(o, "uri") else o.name for o in dag.get_task("publish_similarity").outlets] == ["motion_similarity"]


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


def test_the_dag_file_imports_nothing_heavy_at_module_level():
    src = (ROOT / "dags" / "motion_enrichment.py").read_text()
    for heavy in ("import numpy", "import psycopg", "import requests", "pgvector"):
        assert heavy not in src
