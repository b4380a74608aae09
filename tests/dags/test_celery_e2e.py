"""The CeleryExecutor for real, on one machine: Debian's redis-server as the broker, a PostgreSQL
metadata database, the api-server, scheduler, dag-processor, triggerer and two Celery workers as
separate processes, each with its own hostname and queue (``make airflow EXECUTOR=celery``).

A run triggered through the REST API spreads its mapped ``embed_missing`` instances over both
workers (the hostname on the task instances), with the store and XCom as the only shared state;
the store then equals that of a LocalExecutor run over the same feed. Skips, saying why, where
``redis-server`` is absent (``.ci/run`` installs it)."""
from __future__ import annotations

import shutil
import time

import pytest

from tests.conftest import ROOT
from tests.dags.test_airflow_e2e import DAG, Api, free_port

pytestmark = [pytest.mark.airflow_e2e,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed (Debian package "
                                 "redis-server; .ci/run installs it): the CeleryExecutor test needs it as its broker")]

PGDATA = {executor: ROOT / f".pgdata-executors-{executor}" for executor in ("celery", "local")}
SNAPSHOT = {
    "motions": "SELECT id::text, source_hash, content_hash, deleted FROM motions ORDER BY 1",
    "votes": "SELECT motion_id::text, party, vote, seats FROM motion_votes ORDER BY 1, 2",
    "vectors": "SELECT motion_id::text, model, content_hash, embedding::text FROM motion_embeddings ORDER BY 1, 2",
    "related": "SELECT motion_id::text, rank, neighbour_id::text, round(score::numeric, 5) FROM motion_related ORDER BY 1, 2",
    "earlier": "SELECT motion_id::text, position, earlier_id::text, signal FROM motion_versions_current ORDER BY 1, 2",
}


def run_once(executor: str) -> tuple[dict, list[dict]]:
    """Start a local Airflow with ``executor``, trigger one run through the REST API, wait for it;
    return the store's content and the run's task instances. Everything started is stopped."""
    import psycopg

    from devkit import pgembedded
    from devkit.local_airflow import Deployment, start, stop

    run_dir = ROOT / f".run-{executor}"
    shutil.rmtree(run_dir, ignore_errors=True)
    dep = Deployment(home=run_dir / "home", run=run_dir, pgdata=PGDATA[executor], port=free_port(),
                     feed_port=free_port(), metadata_db=f"airflow_{executor}", store_db=f"motions_{executor}",
                     executor=executor, redis_port=free_port())
    try:
        with psycopg.connect(pgembedded.ensure(dep.pgdata), autocommit=True) as conn:
            for db in (dep.metadata_db, dep.store_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        start(dep)
        api = Api(dep.url, dep.password())
        deadline = time.time() + 90
        while not api("GET", "/dags")["dags"] and time.time() < deadline:
            time.sleep(2)
        run = api("POST", f"/dags/{DAG}/dagRuns", json={"logical_date": None, "conf": {"batch_size": 16}})
        api("PATCH", f"/dags/{DAG}", json={"is_paused": False})
        assert api.wait(run["dag_run_id"], timeout=600) == "success"
        for other in api.runs():  # the scheduled catch-up run unpausing creates: let it finish too
            assert api.wait(other["dag_run_id"], timeout=600) == "success"
        # whichever of the two ran first embedded the corpus (the other found nothing missing)
        tis = max((api.tis(r["dag_run_id"]) for r in api.runs()),
                  key=lambda ts: sum(t["task_id"] == "embed_missing" for t in ts))
        uri = pgembedded.ensure(dep.pgdata).replace("/postgres?", f"/{dep.store_db}?")
        with psycopg.connect(uri) as conn:
            snapshot = {k: conn.execute(q).fetchall() for k, q in SNAPSHOT.items()}
        return snapshot, tis
    finally:
        stop(dep, quiet=True)


@pytest.fixture(scope="module", autouse=True)
def embedded_postgres():
    """An embedded Postgres per deployment (they start side by side, and the store's migrations
    create cluster-wide roles), started before either and stopped when the module is done."""
    from devkit import pgembedded

    for pgdata in PGDATA.values():
        pgembedded.ensure(pgdata)
    yield
    for pgdata in PGDATA.values():
        pgembedded.stop(pgdata)


def test_mapped_batches_spread_over_two_celery_workers_and_the_store_equals_a_local_executor_run():
    from concurrent.futures import ThreadPoolExecutor

    # the two deployments side by side (own ports, databases, homes and run folders): most of a
    # local Airflow's time is waiting (start-up, the scheduler's loop), so they overlap it
    with ThreadPoolExecutor(2) as pool:
        runs = {executor: pool.submit(run_once, executor) for executor in ("celery", "local")}
        (celery, tis), (local, local_tis) = runs["celery"].result(), runs["local"].result()
    batches = [t for t in tis if t["task_id"] == "embed_missing"]
    assert len(batches) >= 4 and all(t["state"] == "success" for t in batches)
    assert {t["hostname"] for t in batches} == {"worker-1", "worker-2"}  # both workers took batches
    assert {t["hostname"] for t in tis if t["task_id"] != "embed_missing"} <= {"worker-1", "worker-2"}
    assert all(t["state"] == "success" for t in local_tis if t["task_id"] == "embed_missing")
    for key in SNAPSHOT:
        assert celery[key] == local[key], key
    assert celery["related"] and celery["vectors"]
