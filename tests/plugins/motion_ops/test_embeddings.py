import datetime as dt

import pytest

from devkit.standin.provider import ProviderServer
from motion_ops import batched, embeddings
from motion_ops.batched import Budget, FailureRatioExceeded
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig, make_providers
from motion_ops.clients.retry import RetryPolicy
from motion_ops.embeddings import embed_batch, estimated_tokens, retry_failed, within_budget
from motion_ops.embeddings import plan as plan_embeddings
from motion_ops.parsers.substance import model_key
from motion_ops.run import RunContext

KEY = model_key("m")  # the key vectors of model "m" are stored under (model and input recipe)

CTX = RunContext(dag_id="motion_enrichment", run_id="run-1", task_id="retry_failed")


@pytest.fixture
def server():
    with ProviderServer(model="m", dims=32) as srv:
        srv.add("status", status=500, marker="POISON")
        yield srv


def make(server, clock, model="m"):
    return Embedder(make_providers(ProviderConfig(kind="openai", base_url=server.url, model=model)),
                    policy=RetryPolicy(attempts=3), sleep=clock.sleep)


def count(store, sql, *args):
    return store.conn.execute(sql, args).fetchone()[0]


def test_plan_batches_respects_max_batches_and_reports_what_is_left(store, motions):
    batches, left = plan_embeddings(store, model=KEY, batch_size=16, max_batches=2)
    assert [len(b) for b in batches] == [16, 16] and left == 8
    assert sorted(sum(batches, [])) == motions[:32]


def test_plan_batches_only_takes_motions_in_the_window(store, motions):
    batches, _ = plan_embeddings(store, model=KEY, batch_size=100, max_batches=None,
                              since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 3))
    days = {r[0].day for r in store.conn.execute("SELECT started_on FROM motions WHERE id = ANY(%s::uuid[])", (batches[0],))}
    assert days == {1, 2}


def test_a_batch_embeds_every_good_item_and_reports_the_bad_one(store, motions, server, clock):
    out = embed_batch(store, make(server, clock), motions, batch_index=0)
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    assert out["embedded"] == 39 and out["failed_ids"] == [poison] and out["batch_index"] == 0
    assert count(store, "SELECT count(*) FROM motion_embeddings WHERE model = 'm+substance-v1'") == 39
    again = embed_batch(store, make(server, clock), motions, batch_index=0)  # clearing re-runs: converges
    assert again["embedded"] == 0 and again["failed_ids"] == [poison]
    assert count(store, "SELECT count(*) FROM motion_embeddings") == 39


def test_retry_failed_takes_failed_ids_and_lost_instances_and_audits_what_still_fails(store, motions, server, clock):
    plan = [motions[:20], motions[20:]]
    first = embed_batch(store, make(server, clock), plan[0], batch_index=0)
    # instance 1 "failed" in Airflow: it left no XCom, so its whole batch must be retried
    out = retry_failed(store, make(server, clock), plan=plan, results=[first], batch_size=20, max_failure_ratio=0.5,
                       quarantine_after=3, ctx=CTX)
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    assert out["failed_instances"] == [1] and out["batch_size"] == 10
    assert out["recovered"] == 20 and out["failed_ids"] == [poison] and out["failure_ratio"] == 0.025
    assert count(store, "SELECT count(*) FROM motion_embeddings") == 39
    (meta, run_id, task_id), = store.conn.execute(
        "SELECT metadata, run_id, task_id FROM audit_events WHERE action = 'embedding_failed'").fetchall()
    assert meta["motion"] == poison and meta["model"] == KEY and "HTTP 500" in meta["error"] and meta["attempts"] == 3
    assert (run_id, task_id) == ("run-1", "retry_failed") and meta["batch_index"] == 0
    assert server.calls[-1].inputs and all(len(c.inputs) <= 10 for c in server.calls[-6:])


def test_an_item_failing_in_n_runs_is_quarantined_until_its_text_changes(store, motions, server, clock):
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    for run in range(3):
        plan, _ = plan_embeddings(store, model=KEY, batch_size=40, max_batches=None)
        results = [embed_batch(store, make(server, clock), ids, batch_index=i) for i, ids in enumerate(plan)]
        out = retry_failed(store, make(server, clock), plan=plan, results=results, batch_size=40,
                           max_failure_ratio=1.0, quarantine_after=3, ctx=CTX)
    assert out["quarantined"] == 1
    assert plan_embeddings(store, model=KEY, batch_size=40, max_batches=None) == ([], 0)  # skipped now
    store.conn.execute("UPDATE motions SET body_text = 'schoon', content_hash = 'new' WHERE id = %s", (poison,))
    store.conn.commit()
    assert plan_embeddings(store, model=KEY, batch_size=40, max_batches=None)[0] == [[poison]]


def test_release_quarantine_makes_items_eligible_again(store, motions, server, clock):
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    retry_failed(store, make(server, clock), plan=[[poison]], results=[], batch_size=2, max_failure_ratio=1.0,
                 quarantine_after=1, ctx=CTX)
    assert plan_embeddings(store, model=KEY, batch_size=40, max_batches=None)[0] != [[poison]]
    assert [r["motion_id"] for r in store.fetch("release_quarantine", {"model": None, "ids": None})] == [poison]


def test_too_many_failures_fail_the_task_after_auditing(store, motions, server, clock):
    server.add("status", status=500, marker="Motie 1")  # Motie 1, 10..19
    plan = [motions]
    with pytest.raises(FailureRatioExceeded, match="max_failure_ratio"):
        retry_failed(store, make(server, clock), plan=plan, results=[], batch_size=40, max_failure_ratio=0.1,
                     quarantine_after=3, ctx=CTX)
    assert count(store, "SELECT count(*) FROM audit_events WHERE action = 'embedding_failed'") == 12


def test_changing_the_model_or_one_text_re_plans_only_what_changed(store, motions, server, clock):
    embed_batch(store, make(server, clock), motions, batch_index=0)
    assert plan_embeddings(store, model="other", batch_size=100, max_batches=None)[0][0] == motions
    store.conn.execute("UPDATE motions SET body_text = 'nieuw', content_hash = 'h2' WHERE id = %s", (motions[3],))
    store.conn.commit()
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    assert plan_embeddings(store, model=KEY, batch_size=100, max_batches=None)[0] == [sorted([motions[3], poison])]


def test_large_failed_id_lists_go_to_a_table_and_xcom_holds_the_ref(store, motions, server, clock, monkeypatch):
    monkeypatch.setattr(batched, "XCOM_ID_CAP", 2)
    server.add("status", status=400, marker="Motie")
    out = embed_batch(store, make(server, clock), motions[:5], batch_index=3)
    assert "failed_ids" not in out and out["failed_count"] == 5
    ids, lost = batched.collect_failed_ids(store, [[], [], [], motions[:5]], [out])
    assert ids == motions[:5] and lost == [0, 1, 2]


def test_a_vector_of_another_dimension_than_the_models_is_a_failed_item_and_never_stored(store, motions, server, clock):
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    motions = [m for m in motions if m != poison]
    first = embed_batch(store, make(server, clock), motions[:5], batch_index=0)  # 32 dimensions: fixes the model's
    assert first["embedded"] == 5
    with ProviderServer(model="m", dims=33) as wider:  # the same model name, answering 33 dimensions
        out = embed_batch(store, make(wider, clock), motions[5:10], batch_index=1)
    assert out["embedded"] == 0 and out["failed_ids"] == motions[5:10]
    assert count(store, "SELECT count(*) FROM motion_embeddings WHERE dims <> 32") == 0
    assert count(store, "SELECT dims FROM embedding_models WHERE model = 'm+substance-v1'") == 32
    # a vector of a wrong dimension already in the store (written before 006) is planned again and reported
    store.conn.execute("UPDATE motion_embeddings SET dims = 33 WHERE motion_id = %s", (motions[0],))
    store.conn.commit()
    assert motions[0] in plan_embeddings(store, model=KEY, batch_size=100, max_batches=None)[0][0]
    from motion_ops.status import status_lines
    assert any("dimension 32]: 4 current" in line and "1 of a wrong dimension" in line for line in status_lines(store))


def test_a_connection_asking_for_another_dimension_than_the_store_has_is_a_clear_error(store, motions, server, clock):
    embed_batch(store, make(server, clock), motions[:2], batch_index=0)
    embedder = make(server, clock)
    embedder.expected_dims = 16  # what the connection's 'dimensions' extra would say
    with pytest.raises(embeddings.DimensionConflict, match="another model"):
        embed_batch(store, embedder, motions[2:4], batch_index=1)


def test_answer_indexes_that_are_not_0_to_n_minus_1_fail_the_batch_and_halving_finds_what_works(store, motions, server, clock):
    server.add("restart_index", times=-1)  # a gateway chunking by 4: batches of 4 or fewer are fine
    out = embed_batch(store, make(server, clock), motions[:16], batch_index=0)
    assert out["embedded"] == 15 and len(out["failed_ids"]) == 1  # POISON is among the first 16
    import numpy as np

    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.parsers.substance import substance
    rows = store.conn.execute("SELECT m.body_text, m.title, m.dossier_title, e.embedding "
                              "FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id").fetchall()
    assert all(np.allclose(np.asarray(v.to_list() if hasattr(v, "to_list") else v),
                           HashingProvider(32).embed([substance(t, title, dt)])[0], atol=1e-6)
               for t, title, dt, v in rows)  # every vector is its own motion's (its recipe text)


def test_vectors_too_large_for_float32_are_rejected(store, motions, server, clock):
    server.add("huge", marker="Motie 3 ")
    out = embed_batch(store, make(server, clock), motions, batch_index=0)
    assert len(out["failed_ids"]) == 2 and out["embedded"] == 38  # Motie 3 and POISON (Motie 7)


def test_retry_re_checks_the_whole_plan_so_a_vector_lost_after_it_was_reported_is_embedded_again(store, motions, server, clock):
    plan = [motions[:20], motions[20:]]
    results = [embed_batch(store, make(server, clock), ids, batch_index=i) for i, ids in enumerate(plan)]
    lost = next(m for m in motions if m not in results[0]["failed_ids"] + results[1]["failed_ids"])
    store.conn.execute("DELETE FROM motion_embeddings WHERE motion_id = %s", (lost,))  # e.g. lost in a crash
    store.conn.commit()
    out = retry_failed(store, make(server, clock), plan=plan, results=results, batch_size=20, max_failure_ratio=0.5,
                       quarantine_after=3, ctx=CTX)
    assert out["recovered"] == 1 and out["retried"] == 2
    assert count(store, "SELECT count(*) FROM motion_embeddings WHERE motion_id = %s", lost) == 1


def test_an_api_key_echoed_by_the_server_never_reaches_the_store_the_audit_trail_or_the_log(store, motions, clock, caplog):
    key = "sk-test-0123456789abcdef"
    with ProviderServer(model="m", dims=32) as echoing:
        echoing.add("echo_auth", status=400, marker="POISON")
        embedder = Embedder(make_providers(ProviderConfig(kind="openai", base_url=echoing.url, model="m", api_key=key)),
                            policy=RetryPolicy(attempts=3), sleep=clock.sleep)
        out = embed_batch(store, embedder, motions, batch_index=0)
        retry = retry_failed(store, embedder, plan=[motions], results=[out], batch_size=40, max_failure_ratio=1.0,
                             quarantine_after=3, ctx=CTX)
        assert retry["failed_ids"] and echoing.calls[-1].authorized
    stored = store.conn.execute("SELECT string_agg(last_error, ' ') FROM embedding_failures").fetchone()[0]
    audit = store.conn.execute("SELECT string_agg(metadata::text, ' ') FROM audit_events").fetchone()[0]
    assert "request headers: Authorization: ***" in stored  # the server's words are kept, the key is not
    for text in (stored, audit, caplog.text, repr(out), repr(retry)):
        assert key not in text


def test_two_runs_embedding_the_same_plan_at_once_send_each_motion_once(store, pg_uri, motions, server, clock):
    import threading

    from motion_ops.store.db import Store

    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    good = [m for m in motions if m != poison]
    plan = [good[i:i + 5] for i in range(0, len(good), 5)]
    server.latency = 0.02  # the two runs overlap while the provider answers
    start, embedded = threading.Barrier(2), {}

    def run(run_id: str) -> None:
        with Store(pg_uri) as own:
            start.wait()
            embedded[run_id] = sum(embed_batch(own, make(server, clock), ids, batch_index=i, run_id=run_id)["embedded"]
                                   for i, ids in enumerate(plan))

    threads = [threading.Thread(target=run, args=(r,)) for r in ("run-A", "run-B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(embedded) == ["run-A", "run-B"] and sum(embedded.values()) == len(good)
    assert sum(len(c.inputs) for c in server.calls) == len(good)  # every motion sent once, by one of the runs
    assert count(store, "SELECT count(*) FROM motion_embeddings") == len(good)
    assert count(store, "SELECT count(*) FROM work_claims") == 0


def test_a_token_budget_plans_as_far_as_it_reaches_and_leaves_the_rest(store, motions):
    tokens = estimated_tokens(store, motions, 8000)
    store.conn.commit()
    assert set(tokens) == set(motions) and all(t > 0 for t in tokens.values())
    batches = [motions[i:i + 16] for i in range(0, 40, 16)]
    unlimited, info = within_budget(store, batches, Budget(), 16)
    assert unlimited == batches and info["budget_stop"] is None and info["estimated_tokens"] == sum(tokens.values())
    limit = sum(tokens[m] for m in motions[:11])
    kept, info = within_budget(store, batches, Budget(max_tokens=limit), 4)
    assert [i for b in kept for i in b] == motions[:11] and [len(b) for b in kept] == [4, 4, 3]
    assert info == {"estimated_tokens": limit, "estimated_cost": 0.0, "budget_left_out": 29,
                    "budget_stop": f"max_tokens {limit:,} reached"}
    price = 0.5  # per 1k tokens: what 5 motions cost
    cost = sum(tokens[m] for m in motions[:5]) / 1000 * price
    kept, info = within_budget(store, batches, Budget(max_cost=cost + 1e-9), 16, price_per_1k=price)
    assert [i for b in kept for i in b] == motions[:5] and info["budget_stop"].startswith("max_cost")



def test_a_motion_larger_than_the_whole_budget_is_embedded_alone_instead_of_blocking_every_run(store, motions):
    tokens = estimated_tokens(store, motions, 8000)
    store.conn.commit()
    kept, info = within_budget(store, [motions], Budget(max_tokens=tokens[motions[0]] - 1), 16)
    assert kept == [[motions[0]]] and info["budget_left_out"] == 39
    assert info["budget_stop"].endswith("(the first motion alone is over it: embedded by itself)")


def test_an_unapproved_paid_model_embeds_nothing_and_a_nightly_retry_says_it_waits_for_a_decision(store, motions, server,
                                                                                                 clock):
    from motion_ops.embeddings import embed_step, retry_step
    from motion_ops.params import ENRICHMENT, defaults
    from motion_ops.run import RunParams
    from motion_ops.store.approvals import NotApproved

    config = ProviderConfig(kind="openai", base_url=server.url, model="m")
    batch = {"batch_index": 0, "ids": motions[:4]}
    with pytest.raises(NotApproved, match="has not been approved: nothing is embedded. A new run pilots it and asks in "
                                          "approve_embeddings, or approve it with `python -m motion_ops approvals approve "
                                          "--chain 'openai:m\\+substance-v1' --prompt embeddings`"):
        embed_step(store, make(server, clock), config, batch, run_id="run-1")
    params = RunParams.from_mapping({**defaults(ENRICHMENT), "batch_size": 16})[0]
    nightly = retry_step(store, make(server, clock), config, plan=[batch], results=[None], params=params, manual=False,
                         ctx=CTX)
    assert nightly.xcom() == {"retried": 0, "recovered": 0, "failed_ids": [], "quarantined": 0, "failed_instances": [],
                              "failure_ratio": 0.0, "batch_size": 8, "failed_of_planned": "0/0",
                              "pending_approval": nightly.xcom()["pending_approval"]}
    assert nightly.line == f"nothing retried: {nightly.xcom()['pending_approval']}" and "approvals CLI" in nightly.line
    with pytest.raises(NotApproved):  # a run triggered by hand: approve_embeddings was marked done without approving
        retry_step(store, make(server, clock), config, plan=[batch], results=[None], params=params, manual=True, ctx=CTX)
    assert server.calls == [] and count(store, "SELECT count(*) FROM motion_embeddings") == 0


def test_the_embed_and_retry_steps_report_one_line_and_the_xcom_of_an_approved_model(store, motions, server, clock):
    from motion_ops import pilot
    from motion_ops.embeddings import embed_step, retry_step
    from motion_ops.params import ENRICHMENT, defaults
    from motion_ops.run import RunParams

    config = ProviderConfig(kind="openai", base_url=server.url, model="m")
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.APPROVED, by="ann")
    poison = store.conn.execute("SELECT id::text FROM motions WHERE body_text LIKE '%%POISON%%'").fetchone()[0]
    clean = [m for m in motions if m != poison]
    plan = [{"batch_index": 0, "ids": clean[:20]}, {"batch_index": 1, "ids": clean[20:] + [poison]}]
    first = embed_step(store, make(server, clock), config, plan[0], run_id="run-1")
    assert first.xcom()["embedded"] == 20 and first.items == 20 and first.failures == 0
    assert first.line == f"batch 0: embedded 20 of 20 motions in {first.xcom()['requests']} request(s), 0 failed " \
                         "(retry_failed retries them)"
    params = RunParams.from_mapping({**defaults(ENRICHMENT), "batch_size": 20, "max_failure_ratio": 0.5})[0]
    out = retry_step(store, make(server, clock), config, plan=plan, results=[first.xcom(), "no result"], params=params,
                     manual=False, ctx=CTX)
    assert out.xcom()["failed_instances"] == [1] and "pending_approval" not in out.xcom()
    assert out.line == "retried 20 with batch size 10: 19 recovered, 1 still failing (ratio 0.025), 0 quarantined"
    assert (out.items, out.failures) == (19, 1)


def test_a_retry_derives_what_to_send_once_and_checks_the_models_dimension_once_not_per_group(store, motions, server,
                                                                                             clock, monkeypatch):
    monkeypatch.setattr(batched, "XCOM_ID_CAP", 0)  # instance 0's failed ids travel as a ref to the store
    plan = [motions[:20], motions[20:]]
    results = [{"batch_index": 0, "embedded": 0, **batched.failed_for_xcom(store, motions[:20])}]
    asked = []
    fetch_one = store.fetch_one

    def counting(name, *args, **kwargs):
        asked.append(name)
        return fetch_one(name, *args, **kwargs)

    monkeypatch.setattr(store, "fetch_one", counting)
    out = retry_failed(store, make(server, clock), plan=plan, results=results, batch_size=8, max_failure_ratio=1.0,
                       quarantine_after=3, ctx=CTX)
    assert (out["retried"], out["recovered"], out["failed_instances"], out["batch_size"]) == (40, 39, [1], 4)  # 10 groups
    assert asked.count("select_model_dims") == 1  # once per retry, not once per group of 4
    assert asked.count("select_failed_id_set") == 0  # the whole plan is re-checked: the reported ids are not read
    assert store.conn.execute("SELECT count(*) FROM failed_id_sets").fetchone()[0] == 0  # nor kept: done with
    store.conn.commit()
