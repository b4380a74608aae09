"""End to end: ``motion_alerts`` through ``dag.test()`` against the embedded Postgres (motions synced
from the stand-in feed, published night by night) and a real SMTP server on 127.0.0.1 (aiosmtpd)."""
import datetime as dt
import json
import logging
import os

import pytest

from motion_ops.alerts import subscriptions
from motion_ops.alerts.subscriptions import Follow
from tests.conftest import ROOT
from tests.plugins.motion_ops.alerts.conftest import Nights
from tests.plugins.motion_ops.test_sync import sync

MONDAY = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    before = os.environ.get("MOTION_OPS_RETRY_DELAY_SECONDS")
    os.environ["MOTION_OPS_RETRY_DELAY_SECONDS"] = "0"  # the task's retries, at once: the server stays down
    try:
        return DagBag(dag_folder=str(ROOT / "dags")).get_dag("motion_alerts")
    finally:
        if before is None:
            os.environ.pop("MOTION_OPS_RETRY_DELAY_SECONDS")
        else:
            os.environ["MOTION_OPS_RETRY_DELAY_SECONDS"] = before


@pytest.fixture
def nights(store, standin, clock):
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.embeddings import embed_ids, plan

    sync(store, standin.url, clock)
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan(store, model=embedder.model, batch_size=10_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=64)
    return Nights(store, embedder.model)


@pytest.fixture
def env(monkeypatch, pg_uri, smtp_server):
    host = pg_uri.split("host=", 1)[1]
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_DB", json.dumps({"conn_type": "postgres", "host": host, "login": "postgres",
                                                             "schema": "postgres"}))
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_server.connection())
    monkeypatch.setenv("MOTION_ALERTS_SECRET", "e2e-alerts-secret")
    monkeypatch.setenv("MOTION_API_SITE_URL", "http://lezers.test")  # the param site_url left empty
    return monkeypatch


def run(dag, when):
    return dag.test(logical_date=when, run_conf={"site_url": None, "max_items": 20, "dry_run": False})


def sent(dr):
    return {ti.task_id: ti.state for ti in dr.get_task_instances()}, [
        ti.xcom_pull(task_ids="send_digests") for ti in dr.get_task_instances() if ti.task_id == "send_digests"]


def test_two_nights_send_one_digest_per_confirmed_subscription_clearing_sends_nothing_twice_and_a_down_server_waits(
        dag, store, env, nights, smtp_server, caplog, capfd):
    nights.night(0)
    env.delenv("AIRFLOW_CONN_SMTP_DEFAULT")  # without subscriptions nothing needs the SMTP server
    assert run(dag, MONDAY - dt.timedelta(days=1)).state == "success"  # the baseline: what is published now
    follows = Follow.of("dossier", {"dossier": nights.dossier})
    for email, how_often, confirmed in (("a@example.org", "daily", True), ("w@example.org", "weekly", True),
                                        ("u@example.org", "daily", False)):
        sid, _ = subscriptions.subscribe(store, email, follows, how_often)
        if confirmed:
            subscriptions.confirm(store, sid)

    nights.night(1)
    capfd.readouterr()
    dr = run(dag, MONDAY)  # subscriptions, but no SMTP connection: a person must fix it, no retry
    out, err = capfd.readouterr()
    assert dr.state == "failed" and "send_digests: the SMTP connection 'smtp_default' cannot be used" in out + err
    assert "; no digest was sent" in out + err and smtp_server.messages == []
    env.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_server.connection())
    dr = run(dag, MONDAY)
    states, (result,) = sent(dr)
    assert dr.state == "success", states
    assert (result["arrived"], result["due"], result["sent"]) == (0, 2, 2)  # the failed try registered the 3 arrivals
    assert "@" not in json.dumps(result)  # XCom holds counts, no address
    assert (len(smtp_server.to("a@example.org")), len(smtp_server.to("w@example.org"))) == (1, 1)

    dr = run(dag, MONDAY)  # the same run's tasks cleared and run again
    assert dr.state == "success" and sent(dr)[1][0]["sent"] == 0 and len(smtp_server.messages) == 2

    nights.night(2)
    smtp_server.down()
    caplog.set_level(logging.INFO)
    dr = run(dag, MONDAY + dt.timedelta(days=1))
    states, _ = sent(dr)
    assert dr.state == "failed" and states["send_digests"] == "failed", states
    out, err = capfd.readouterr()  # the task's log
    assert f"send_digests: the SMTP server 127.0.0.1:{smtp_server.port} cannot be reached" in out + err
    assert "0 digests sent, 1 not yet; they go out when this task is retried or cleared, or on the next run" in out + err
    assert "a@example.org" not in out + err + caplog.text

    smtp_server.up()
    dr = run(dag, MONDAY + dt.timedelta(days=1, hours=2))  # the next run
    assert dr.state == "success" and sent(dr)[1][0]["sent"] == 1
    assert [len(smtp_server.to(a)) for a in ("a@example.org", "w@example.org", "u@example.org")] == [2, 1, 0]
    latest = smtp_server.to("a@example.org")[-1]
    assert nights.dossier in latest["Subject"] and latest["List-Unsubscribe"].startswith("<http://lezers.test/volgen/")
