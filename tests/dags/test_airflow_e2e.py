"""A real local Airflow (api-server, scheduler, dag-processor, triggerer, LocalExecutor), driven
only through its REST API v2 with token auth: manual trigger with params, a 3-day backfill,
clearing one failed mapped instance, the scheduled run and max_active_runs. Marked
``airflow_e2e``; `make test` runs it. Everything it starts is stopped, also on failure."""
from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import requests

from devkit.standin.chat import ChatServer
from devkit.standin.corpus import Corpus
from devkit.standin.provider import ProviderServer
from tests.conftest import ROOT

pytestmark = pytest.mark.airflow_e2e
DAG = "motion_enrichment"
AMS = ZoneInfo("Europe/Amsterdam")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, url: str, password: str):
        self.url = url
        r = requests.post(f"{url}/auth/token", json={"username": "admin", "password": password}, timeout=30)
        r.raise_for_status()
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def __call__(self, method: str, path: str, **kw):
        r = self.s.request(method, f"{self.url}/api/v2{path}", timeout=30, **kw)
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.content else None

    def runs(self) -> list[dict]:
        return self("GET", f"/dags/{DAG}/dagRuns", params={"order_by": "run_after", "limit": 100})["dag_runs"]

    def run(self, run_id: str) -> dict:
        return self("GET", f"/dags/{DAG}/dagRuns/{run_id}")

    def tis(self, run_id: str) -> list[dict]:
        return self("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances", params={"limit": 500})["task_instances"]

    def xcom(self, run_id: str, task: str, key: str = "return_value", map_index: int = -1):
        return self("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances/{task}/xcomEntries/{key}",
                    params={"map_index": map_index, "deserialize": True})["value"]

    def wait(self, run_id: str, states=("success", "failed"), timeout: float = 240, watch=None) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if watch:
                watch()
            state = self.run(run_id)["state"]
            if state in states:
                return state
            time.sleep(2)
        raise AssertionError(f"run {run_id} did not reach {states} in {timeout}s")


@pytest.fixture(scope="module")
def airflow():
    from devkit.local_airflow import Deployment, start, stop

    run_dir = ROOT / ".run-e2e"
    provider = ProviderServer(model="e2e-model", dims=64).start()
    chat = ChatServer(model="e2e-chat").start()
    import shutil

    shutil.rmtree(run_dir / "home", ignore_errors=True)  # a fresh installation: new secrets, no connections
    dep = Deployment(home=run_dir / "home", run=run_dir, pgdata=ROOT / ".pgdata-e2e", port=free_port(),
                     feed_port=free_port(), metadata_db="airflow_e2e", store_db="motions_e2e",
                     env_overrides={"MOTION_OPS_RETRY_DELAY_SECONDS": "1"},
                     connections={"motion_embeddings": {"conn_type": "motion_embeddings", "host": provider.url, "extra": {
                         "provider": "openai", "model": "e2e-model", "retry_backoff": 0.05}},
                                  "motion_llm": {"conn_type": "pydanticai", "host": chat.base_url, "password": "sk-e2e",
                                                 "extra": {"model": "openai:e2e-chat"}}})
    try:
        import psycopg

        from devkit import pgembedded

        with psycopg.connect(pgembedded.ensure(dep.pgdata), autocommit=True) as conn:  # a clean slate
            for db in (dep.metadata_db, dep.store_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        start(dep)
        api = Api(dep.url, dep.password())
        store = psycopg.connect(pgembedded.ensure(dep.pgdata).replace("/postgres?", f"/{dep.store_db}?"), autocommit=True)
        approve(store, MODEL, "embeddings")  # the stand-in model's pilot: test_a_new_embedding_model_...
        yield dep, api, provider, store
        store.close()
    finally:
        stop(dep, quiet=True)
        provider.stop()
        chat.stop()
        from devkit import pgembedded

        pgembedded.stop(dep.pgdata)


def test_operating_the_dag_through_the_rest_api(airflow):
    dep, api, provider, store = airflow
    corpus = Corpus()
    deadline = time.time() + 60
    while not api("GET", "/dags")["dags"] and time.time() < deadline:
        time.sleep(2)  # the dag-processor's first parse

    # 4. unpause: the scheduled run for the latest data interval is created, and with
    #    max_active_runs=1 a manual run triggered meanwhile waits for it
    api("PATCH", f"/dags/{DAG}", json={"is_paused": False})
    deadline = time.time() + 60
    while not [r for r in api.runs() if r["run_type"] == "scheduled"] and time.time() < deadline:
        time.sleep(1)
    scheduled = [r for r in api.runs() if r["run_type"] == "scheduled"][0]
    now = dt.datetime.now(AMS)
    last_3am = now.replace(hour=3, minute=0, second=0, microsecond=0) - dt.timedelta(days=int(now.hour < 3))
    assert dt.datetime.fromisoformat(scheduled["data_interval_end"].replace("Z", "+00:00")) == last_3am
    assert dt.datetime.fromisoformat(scheduled["data_interval_start"].replace("Z", "+00:00")) == last_3am - dt.timedelta(days=1)
    days = Counter(corpus.motion_dates.values())
    since = min(days)
    until = since + dt.timedelta(days=200)
    manual = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {
        "batch_size": 16, "since": since.isoformat(), "until": until.isoformat()}})
    running_counts = []

    def watch():
        running_counts.append(sum(r["state"] == "running" for r in api.runs()))

    assert api.wait(scheduled["dag_run_id"], watch=watch) == "success"
    assert api.wait(manual["dag_run_id"], watch=watch) == "success"
    assert max(running_counts) == 1
    # 1. the params reached the tasks: the window in sync_content, half of batch_size 16 in retry_failed
    summary = api.xcom(manual["dag_run_id"], "sync_content", key="summary")
    assert summary["window"] == [since.isoformat(), until.isoformat()]
    assert api.xcom(manual["dag_run_id"], "retry_failed")["batch_size"] == 8

    # 2. a backfill over three past days: each run embeds only the motions of its own interval
    store.execute("DELETE FROM motion_embeddings")
    day = max(d for d in days if days.get(d + dt.timedelta(days=1)) and days.get(d + dt.timedelta(days=2)))
    start = dt.datetime.combine(day, dt.time(3), AMS)
    bf = api("POST", "/backfills", json={"dag_id": DAG, "from_date": start.isoformat(),
                                         "to_date": (start + dt.timedelta(days=2)).isoformat(),
                                         "max_active_runs": 1, "reprocess_behavior": "none", "dag_run_conf": {}})
    deadline = time.time() + 60
    while len([r for r in api.runs() if r["run_type"] == "backfill"]) < 3 and time.time() < deadline:
        time.sleep(2)
    backfill_runs = [r for r in api.runs() if r["run_type"] == "backfill"]
    assert len(backfill_runs) == 3, bf
    for r in backfill_runs:
        assert api.wait(r["dag_run_id"]) == "success"
        lo = dt.datetime.fromisoformat(r["data_interval_start"].replace("Z", "+00:00")).astimezone(AMS).date()
        assert api.xcom(r["dag_run_id"], "sync_content", key="summary")["window"] == [lo.isoformat(), (lo + dt.timedelta(days=1)).isoformat()]
        embedded = sum(api.xcom(r["dag_run_id"], "embed_missing", map_index=ti["map_index"])["embedded"]
                       for ti in api.tis(r["dag_run_id"]) if ti["task_id"] == "embed_missing" and ti["state"] == "success")
        with_text = store.execute("SELECT count(*) FROM motions WHERE started_on = %s AND body_text IS NOT NULL AND NOT deleted",
                                  (lo,)).fetchone()[0]
        assert embedded == with_text > 0
        states = {t["task_id"]: t["state"] for t in api.tis(r["dag_run_id"]) if t["task_id"] != "embed_missing"}
        assert states["compute_similarity"] == states["publish_similarity"] == "skipped"  # the next full run publishes
    dated = {d for (d,) in store.execute("SELECT DISTINCT m.started_on FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id")}
    assert dated == {day, day + dt.timedelta(days=1), day + dt.timedelta(days=2)}

    # 3. the provider fails for one batch: that instance fails (and the run); after the provider
    #    recovers, clearing just that instance and its downstream makes the run succeed
    ids = [str(i) for (i,) in store.execute(
        "SELECT m.id FROM motions m LEFT JOIN motion_embeddings e ON e.motion_id = m.id "
        "WHERE e.motion_id IS NULL AND m.body_text IS NOT NULL AND NOT m.deleted ORDER BY m.id")]
    victim = ids[40]  # batch 1 with batch_size 32
    text = store.execute("SELECT body_text FROM motions WHERE id = %s", (victim,)).fetchone()[0]
    provider.add("status", status=503, marker=text.splitlines()[3])
    failing = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {"batch_size": 32}})
    assert api.wait(failing["dag_run_id"]) == "failed"
    states = {(t["task_id"], t["map_index"]): t["state"] for t in api.tis(failing["dag_run_id"])}
    assert states[("embed_missing", 1)] == "failed"
    assert [k for k, v in states.items() if k[0] == "embed_missing" and v != "success"] == [("embed_missing", 1)]
    provider.rules.clear()
    api("POST", f"/dags/{DAG}/clearTaskInstances", json={
        "dry_run": False, "dag_run_id": failing["dag_run_id"], "task_ids": [["embed_missing", 1]],
        "include_downstream": True, "only_failed": False, "reset_dag_runs": True})
    assert api.wait(failing["dag_run_id"], states=("success", "failed")) == "success"
    n, distinct, with_text = store.execute(
        "SELECT count(*), count(DISTINCT motion_id), (SELECT count(*) FROM motions WHERE body_text IS NOT NULL AND NOT deleted) "
        "FROM motion_embeddings").fetchone()
    assert n == distinct == with_text


MODEL = "openai:e2e-model+substance-v1"  # the stand-in embedding model, as approvals name it


def approve(store, chain, prompt_key, decision="approved"):
    store.execute("INSERT INTO llm_approvals (chain, prompt_key, decision, decided_by) VALUES (%s, %s, %s, 'test') "
                  "ON CONFLICT (chain, prompt_key) DO UPDATE SET decision = EXCLUDED.decision", (chain, prompt_key, decision))


def approve_chain(store, decision="approved"):
    from motion_ops.summaries.plan import PROMPT_KEY

    approve(store, "openai:e2e-chat", PROMPT_KEY, decision)


def task_states(api, dag, run_id):
    return {(t["task_id"], t["map_index"]): t["state"] for t in api(
        "GET", f"/dags/{dag}/dagRuns/{run_id}/taskInstances", params={"limit": 500})["task_instances"]}


def wait_task(api, dag, run_id, task, states, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = task_states(api, dag, run_id).get((task, -1))
        if state in states:
            # as a person would, answer a few seconds later: Airflow 3.3.2 retries a paused task whose
            # response arrives before the scheduler has processed the pause (seen in CI), and the
            # retry asks again
            time.sleep(8)
            return state
        time.sleep(2)
    raise AssertionError(f"{task} of {run_id} not in {states}: {task_states(api, dag, run_id)}")


def wait_dag_run(api, dag, run_id, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = api("GET", f"/dags/{dag}/dagRuns/{run_id}")["state"]
        if state in ("success", "failed"):
            return state
        time.sleep(2)
    raise AssertionError(f"{run_id} did not finish: {task_states(api, dag, run_id)}")


def settle(api, dag, timeout=240):
    """Wait until no run of ``dag`` is queued or running (asset events of earlier tests)."""
    deadline = time.time() + timeout
    while any(r["state"] in ("queued", "running") for r in api("GET", f"/dags/{dag}/dagRuns")["dag_runs"]) \
            and time.time() < deadline:
        time.sleep(2)


def test_a_sync_that_fetches_texts_triggers_motion_summaries_through_the_asset(airflow):
    dep, api, provider, store = airflow
    approve_chain(store)  # the pilot and its approval: the next test
    api("PATCH", "/dags/motion_summaries", json={"is_paused": False})

    def summary_runs():
        return api("GET", "/dags/motion_summaries/dagRuns", params={"order_by": "run_after", "limit": 100})["dag_runs"]

    deadline = time.time() + 240  # runs queued by the earlier syncs' events finish first
    while any(r["state"] in ("queued", "running") for r in summary_runs()) and time.time() < deadline:
        time.sleep(2)
    before = {r["dag_run_id"] for r in summary_runs()}
    victims = [str(i) for (i,) in store.execute(
        "SELECT id FROM motions WHERE body_text IS NOT NULL AND NOT deleted ORDER BY id LIMIT 3")]
    store.execute("DELETE FROM motion_summaries WHERE motion_id = ANY(%s::uuid[])", (victims,))
    store.execute("UPDATE motions SET body_versie_id = NULL WHERE id = ANY(%s::uuid[])", (victims,))  # fetched again
    run = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {}})
    assert api.wait(run["dag_run_id"]) == "success"
    assert api.xcom(run["dag_run_id"], "announce_texts")["bodies_fetched"] == 3
    deadline = time.time() + 360  # the scheduler, then the summaries' tasks, on a busy 2-core machine
    while time.time() < deadline:
        new = [r for r in summary_runs() if r["dag_run_id"] not in before and r["run_type"] == "asset_triggered"]
        if new and new[-1]["state"] in ("success", "failed"):
            break
        time.sleep(2)
    assert new and new[-1]["state"] == "success", new
    rows = store.execute("SELECT motion_id::text, status, backend, model FROM motion_summary_current "
                         "WHERE motion_id = ANY(%s::uuid[]) ORDER BY 1", (victims,)).fetchall()
    assert rows == [(v, "llm", "motion_llm", "e2e-chat") for v in sorted(victims)]


def test_a_new_chain_waits_for_approval_of_its_pilot_and_a_rejected_one_publishes_nothing(airflow):
    dep, api, provider, store = airflow
    dag = "motion_summaries"

    def tis(run_id):
        return task_states(api, dag, run_id)

    def wait_state(run_id, task, states):
        return wait_task(api, dag, run_id, task, states)

    def wait_run(run_id):
        return wait_dag_run(api, dag, run_id)

    def backlog(n):
        ids = [str(i) for (i,) in store.execute("SELECT motion_id FROM motion_summaries ORDER BY motion_id LIMIT %s", (n,))]
        store.execute("DELETE FROM motion_summaries WHERE motion_id = ANY(%s::uuid[])", (ids,))
        return ids

    def published(ids):
        return store.execute("SELECT count(*) FROM motion_summary_current WHERE motion_id = ANY(%s::uuid[])",
                             (ids,)).fetchone()[0]

    settle(api, dag)
    approve_chain(store, "revoked")
    # 1. the pilot runs, the run waits in approve_pilot; approved through the REST API, it goes on
    first = backlog(6)
    run = api("POST", f"/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {"pilot_size": 3}})["dag_run_id"]
    assert wait_state(run, "approve_pilot", ("awaiting_input", "deferred")) in ("awaiting_input", "deferred")
    assert not any(k[0] == "summarize" and v == "success" for k, v in tis(run).items())  # nothing runs before the decision
    detail = api("GET", f"/dags/{dag}/dagRuns/{run}/taskInstances/approve_pilot/-1/hitlDetails")
    assert "openai:e2e-chat" in detail["subject"] and "estimated cost" in detail["body"] and "pilot-" in detail["body"]
    api("PATCH", f"/dags/{dag}/dagRuns/{run}/taskInstances/approve_pilot/-1/hitlDetails", json={"chosen_options": ["Approve"]})
    assert wait_run(run) == "success", tis(run)
    assert published(first) == 6
    decided = store.execute("SELECT decision, decided_by, report_path FROM llm_approvals WHERE chain = 'openai:e2e-chat'").fetchall()
    assert decided[0][0] == "approved" and decided[0][1] == "admin" and decided[0][2].endswith(".html")
    # 2. the next run skips the pilot: no waiting
    second = backlog(2)
    run = api("POST", f"/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {"pilot_size": 3}})["dag_run_id"]
    assert wait_run(run) == "success" and published(second) == 2
    assert api("GET", f"/dags/{dag}/dagRuns/{run}/taskInstances/pilot_summaries/xcomEntries/return_value",
               params={"deserialize": True})["value"]["needed"] is False
    # 3. revoked, piloted again and rejected: the run ends without summarizing or publishing anything
    approve_chain(store, "revoked")
    third = backlog(2)
    run = api("POST", f"/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {"pilot_size": 2}})["dag_run_id"]
    wait_state(run, "approve_pilot", ("awaiting_input", "deferred"))
    api("PATCH", f"/dags/{dag}/dagRuns/{run}/taskInstances/approve_pilot/-1/hitlDetails", json={"chosen_options": ["Reject"]})
    wait_run(run)
    states = tis(run)
    assert states[("approve_pilot", -1)] == "success" and states[("publish_summaries", -1)] == "skipped", states
    assert published(third) == 0 and store.execute("SELECT count(*) FROM motion_summaries WHERE motion_id = ANY(%s::uuid[])",
                                                    (third,)).fetchone()[0] == 0
    assert store.execute("SELECT decision FROM llm_approvals WHERE chain = 'openai:e2e-chat'").fetchone()[0] == "rejected"


def test_a_summaries_budget_stops_a_run_cleanly_and_the_next_run_continues_where_it_stopped(airflow):
    dep, api, provider, store = airflow
    dag = "motion_summaries"
    settle(api, dag)
    approve_chain(store)
    ids = [str(i) for (i,) in store.execute("SELECT motion_id FROM motion_summaries ORDER BY motion_id LIMIT 7")]
    store.execute("DELETE FROM motion_summaries WHERE motion_id = ANY(%s::uuid[])", (ids,))

    def waiting():  # motions with text and no published summary: ours, and any earlier tests left
        return store.execute("SELECT count(*) FROM motions m WHERE NOT m.deleted AND m.body_text IS NOT NULL AND NOT "
                             "EXISTS (SELECT 1 FROM motion_summary_current c WHERE c.motion_id = m.id)").fetchone()[0]

    left = waiting()
    assert left >= 7
    while left:
        run = api("POST", f"/dags/{dag}/dagRuns", json={"logical_date": None, "conf": {"max_items": 3, "batch_size": 2}})
        assert wait_dag_run(api, dag, run["dag_run_id"]) == "success", task_states(api, dag, run["dag_run_id"])
        assert waiting() == left - min(3, left)  # the budget reached: the rest waits for the next run
        left = waiting()
    assert store.execute("SELECT count(*) FROM motion_summary_current WHERE motion_id = ANY(%s::uuid[])",
                         (ids,)).fetchone()[0] == 7


def test_a_new_embedding_model_is_piloted_approved_through_the_api_and_an_unanswered_one_times_out(airflow):
    from motion_ops.embeddings import estimated_tokens
    from motion_ops.store.db import Store

    dep, api, provider, store = airflow
    settle(api, DAG)
    approve(store, MODEL, "embeddings", "revoked")
    missing = [str(i) for (i,) in store.execute("SELECT motion_id FROM motion_embeddings ORDER BY motion_id LIMIT 9")]
    store.execute("DELETE FROM motion_embeddings WHERE motion_id = ANY(%s::uuid[])", (missing,))

    def embedded():
        return store.execute("SELECT count(*) FROM motion_embeddings WHERE motion_id = ANY(%s::uuid[])",
                             (missing,)).fetchone()[0]

    # 1. nobody answers within approval_timeout_hours: the run fails, saying so; nothing is embedded
    calls = len(provider.calls)
    run = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {
        "pilot_size": 2, "approval_timeout_hours": 0.004}})["dag_run_id"]  # ~14 s
    assert wait_dag_run(api, DAG, run) == "failed"
    states = task_states(api, DAG, run)
    assert states[("approve_embeddings", -1)] == "failed" and states[("publish_similarity", -1)] != "success", states
    assert embedded() == 0 and len(provider.calls) - calls == 2  # the pilot's requests, nothing more
    log = api("GET", f"/dags/{DAG}/dagRuns/{run}/taskInstances/approve_embeddings/logs/1",
              headers={"Accept": "application/json"})
    assert "nobody decided on the pilot" in json.dumps(log) and "in time (0:00:14" in json.dumps(log)
    # 2. the pilot waits for a person; approved through the REST API, the run embeds within its token budget
    from devkit import pgembedded

    with Store(pgembedded.ensure(dep.pgdata).replace("/postgres?", f"/{dep.store_db}?")) as s:
        tokens = estimated_tokens(s, sorted(missing), 8000)
    budget = sum(tokens[m] for m in sorted(missing)[:5])
    run = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {
        "pilot_size": 2, "max_tokens": budget}})["dag_run_id"]
    wait_task(api, DAG, run, "approve_embeddings", ("awaiting_input", "deferred"))
    assert embedded() == 0  # nothing is embedded before the decision
    detail = api("GET", f"/dags/{DAG}/dagRuns/{run}/taskInstances/approve_embeddings/-1/hitlDetails")
    assert MODEL in detail["subject"] and "estimated cost" in detail["body"] and "motions in the backlog: 9\n" in detail["body"]
    api("PATCH", f"/dags/{DAG}/dagRuns/{run}/taskInstances/approve_embeddings/-1/hitlDetails",
        json={"chosen_options": ["Approve"]})
    assert wait_dag_run(api, DAG, run) == "success", task_states(api, DAG, run)
    assert embedded() == 5  # the budget: the other 4 wait for the next run
    summary = api.xcom(run, "sync_content", key="summary")
    assert summary["budget_stop"].startswith("max_tokens") and summary["left_for_next_run"] == 4
    assert store.execute("SELECT decision, decided_by FROM llm_approvals WHERE prompt_key = 'embeddings'").fetchone() \
        == ("approved", "admin")
    # 3. the next run skips the pilot and embeds the rest
    run = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {}})["dag_run_id"]
    assert wait_dag_run(api, DAG, run) == "success" and embedded() == 9
    assert api.xcom(run, "pilot_embeddings")["needed"] is False


def listening_addresses(dep) -> set[tuple[str, int]]:
    """The (address, port) of every listening TCP socket of the processes the deployment started."""
    import os
    from pathlib import Path

    groups = {int(p.read_text()) for p in dep.run.glob("*.pid")}
    inodes = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) not in groups:  # process group
                continue
            for fd in (stat.parent / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                continue
            addr, port = cols[1].split(":")
            raw = bytes.fromhex(addr)
            if len(raw) == 4:
                ip = ".".join(str(b) for b in raw[::-1])
            else:
                words = [raw[i:i + 4][::-1].hex() for i in range(0, 16, 4)]
                ip = ":".join(w[j:j + 4] for w in words for j in (0, 4))
            found.add((ip, int(port, 16)))
    return found


LOOPBACK = ("127.0.0.1", "0000:0000:0000:0000:0000:0000:0000:0001", "0000:0000:0000:0000:0000:ffff:7f00:0001")


def test_the_local_airflow_listens_on_loopback_only_with_secrets_of_its_own(airflow, tmp_path):
    from devkit.local_airflow import Deployment

    dep, api, provider, store = airflow
    addresses = listening_addresses(dep)
    assert (("127.0.0.1", dep.port) in addresses) and all(ip in LOOPBACK for ip, _ in addresses), addresses
    mine, other = dep.secrets(), Deployment(home=tmp_path / "another-install").secrets()
    assert mine["jwt_secret"] != other["jwt_secret"] and len(mine["jwt_secret"]) >= 40
    assert (dep.home / "secrets.json").stat().st_mode & 0o777 == 0o600
    tracked = subprocess.run(["git", "grep", "-l", mine["jwt_secret"]], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout == "" and "motion-ops-local-only-secret" not in (ROOT / "devkit" / "local_airflow.py").read_text()


def test_the_connections_are_listed_testable_through_their_hooks_and_survive_a_restart(airflow):
    from devkit.local_airflow import start, stop

    dep, api, provider, store = airflow
    details = api("GET", f"/dags/{DAG}/details")
    assert details["timezone"] == "Europe/Amsterdam" and details["description"]  # what the UI's details show
    listed = {c["connection_id"]: c["conn_type"] for c in api("GET", "/connections")["connections"]}
    assert listed == {"motion_db": "postgres", "motion_feed": "motion_feed", "motion_embeddings": "motion_embeddings",
                      "motion_llm": "pydanticai"}  # the common.ai provider's type: its form, its hook's Test
    results = {c: api("POST", "/connections/test", json={"connection_id": c, "conn_type": t}) for c, t in listed.items()}
    assert all(r["status"] for r in results.values()), results
    assert "Fractie entities" in results["motion_feed"]["message"]  # the project's hook answered
    assert "model e2e-model+substance-v1, dimension 64" in results["motion_embeddings"]["message"]
    wrong = api("POST", "/connections/test", json={"connection_id": "feed_elsewhere", "conn_type": "motion_feed",
                                                   "host": "http://127.0.0.1:9", "extra": '{"retry_attempts": 1}'})
    assert wrong["status"] is False and "ConnectionError" in wrong["message"] and "127.0.0.1:9" in wrong["message"]
    api("PATCH", "/connections/motion_feed", json={"connection_id": "motion_feed", "conn_type": "motion_feed",
                                                    "host": f"http://127.0.0.1:{dep.feed_port}", "extra": '{"timeout": 31}'})
    stop(dep, quiet=True)
    start(dep)
    again = Api(dep.url, dep.password())
    assert json.loads(again("GET", "/connections/motion_feed")["extra"]) == {"timeout": 31}  # the user's setting won


def test_qa_sample_links_its_report_and_a_cleared_try_keeps_the_earlier_one(airflow):
    dep, api, provider, store = airflow
    api = Api(dep.url, dep.password())
    runs = [r for r in api.runs() if r["state"] == "success" and any(
        t["task_id"] == "qa_sample" and t["state"] == "success" for t in api.tis(r["dag_run_id"]))]
    run_id = runs[-1]["dag_run_id"]  # the newest: its version is the current one, so publishing it again is fine
    links = api("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances/qa_sample/links")["extra_links"]
    first = links["QA report"]
    assert first.startswith("/motion-ops/qa/") and first.endswith("?try=1")
    page = requests.get(dep.url + first, timeout=30)
    assert page.status_code == 200 and "Similarity QA" in page.text and "rank-1 score (cosine)" in page.text
    api("POST", f"/dags/{DAG}/clearTaskInstances", json={"dry_run": False, "dag_run_id": run_id, "task_ids": ["qa_sample"],
                                                         "include_downstream": True, "only_failed": False, "reset_dag_runs": True})
    assert api.wait(run_id) == "success"
    second = api("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances/qa_sample/links")["extra_links"]["QA report"]
    assert second.endswith("?try=2")
    assert "(try 2)" in requests.get(dep.url + second, timeout=30).text
    assert "(try 1)" in requests.get(dep.url + first, timeout=30).text  # the earlier try's report is still there


def test_readers_reach_the_explore_page_and_the_api_inside_airflow_with_a_nav_link(airflow):
    dep, api, provider, store = airflow
    plugin = next(p for p in api("GET", "/plugins")["plugins"] if p["name"] == "motion_ops")
    view = next(v for v in plugin["external_views"] if v["name"] == "Related motions")
    assert view["href"] == "/motion-ops/" and view["destination"] == "nav"
    landing = requests.get(dep.url + "/motion-ops/", timeout=30)
    assert landing.status_code == 200 and "Zoeken in moties" in landing.text and 'href="/motion-ops/motie/' in landing.text
    found = requests.get(dep.url + "/motion-ops/api/motions", params={"q": "stikstof"}, timeout=30).json()
    assert found["items"]
    related = requests.get(dep.url + f"/motion-ops/api/motions/{found['items'][0]['id']}/related", timeout=30).json()
    assert related["version"] and related["items"] and related["items"][0]["reason"]


def test_a_20s_embedding_provider_and_20_anonymous_semantic_queries_leave_airflow_responsive(airflow):
    """The readers' app mounted in Airflow's api-server, the provider answering in 20 s: Airflow's own
    health check and a logged-in API call stay under 1 s, and the provider gets at most as many
    calls as the query rate limit allows (the rest are answered 429 without a call)."""
    from concurrent.futures import ThreadPoolExecutor

    from motion_ops.serve.query_embedding import QueryLimits

    dep, api, provider, store = airflow
    key = MODEL.split(":", 1)[1]
    current = store.execute("SELECT v.model FROM similarity_current c JOIN similarity_versions v USING (version)").fetchone()
    if current is None:  # run alone: a published version of the stand-in's model (no neighbours needed here)
        (version,) = store.execute("INSERT INTO similarity_versions (model, status, published_at) "
                                   "VALUES (%s, 'published', now()) RETURNING version", (key,)).fetchone()
        store.execute("UPDATE similarity_current SET version = %s", (version,))
    else:
        assert current[0] == key, current
    before = store.execute("SELECT decision FROM llm_approvals WHERE chain = %s AND prompt_key = 'embeddings'",
                           (MODEL,)).fetchone()
    approve(store, MODEL, "embeddings")  # a paid model answers queries only once approved
    provider.latency, calls = 20.0, len(provider.calls)
    url = dep.url + "/motion-ops/api/motions"
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(20) as pool:
            answers = [pool.submit(requests.get, url, params={"q": f"stikstof vraag {i}", "mode": "semantic"},
                                   timeout=60) for i in range(20)]
            time.sleep(0.5)  # the queries are in the api-server now, the first ones waiting for the provider
            timings = []
            for _ in range(5):
                t = time.monotonic()
                assert requests.get(dep.url + "/api/v2/monitor/health", timeout=30).status_code == 200
                timings.append(time.monotonic() - t)
                t = time.monotonic()
                api("GET", "/dags", params={"limit": 5})
                timings.append(time.monotonic() - t)
                time.sleep(0.3)
            statuses = Counter(f.result().status_code for f in answers)
        elapsed = time.monotonic() - started
    finally:
        provider.latency = 0.0
        if before and before[0] != "approved":
            approve(store, MODEL, "embeddings", before[0])
    made = len(provider.calls) - calls
    limits = QueryLimits()
    per_client = limits.per_client_per_minute
    allowed = int(max(1.0, per_client / 10) + per_client / 60 * elapsed)  # one client: 127.0.0.1, one api-server worker
    assert max(timings) < 1.0, timings
    assert 1 <= made <= allowed, (made, allowed, statuses)
    assert statuses[429] >= 20 - allowed and set(statuses) <= {409, 429}, statuses  # 409: the provider's deadline


def test_the_rest_trigger_refuses_nan_and_infinity_with_a_clear_4xx_and_creates_no_run(airflow):
    dep, api, provider, store = airflow
    deadline = time.time() + 60
    while len(api("GET", "/dags")["dags"]) < 2 and time.time() < deadline:
        time.sleep(2)  # the dag-processor's first parse
    for dag_id, key in (("motion_summaries", "max_cost"), ("motion_enrichment", "max_cost"),
                        ("motion_enrichment", "approval_timeout_hours"), ("motion_enrichment", "text_weight")):
        before = api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["total_entries"]
        for bad in ("NaN", "Infinity", "-Infinity"):  # what Python's JSON (and requests' json=) writes for them
            r = api.s.post(f"{dep.url}/api/v2/dags/{dag_id}/dagRuns", data=f'{{"logical_date": null, "conf": {{"{key}": {bad}}}}}',
                           headers={"Content-Type": "application/json"}, timeout=30)
            assert r.status_code in (400, 422), (dag_id, key, bad, r.status_code, r.text[:300])
            assert "database" not in r.text.lower() and key in r.text, r.text[:300]
        assert api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["total_entries"] == before
    # the trigger form still gets every param with its schema
    params = api("GET", "/dags/motion_summaries/details")["params"]
    assert params["max_cost"]["schema"]["type"] == ["number", "null"] and "not" in params["max_cost"]["schema"]
