"""
### motion_alerts

E-mail digests for the readers who subscribed (and confirmed) on the readers' site:

1. **migrate_store**: apply the store's pending migrations;
2. **send_digests**: register the motions the published version brought, then send every confirmed
   subscription whose daily or weekly digest is due what is new for it (a search, a dossier, a
   party, or "moties zoals deze"), through the SMTP connection `smtp_default`.

Scheduled on the Asset `motion_similarity` (updated when `motion_enrichment` publishes a version)
and triggerable by hand. Safe to clear and re-run: each subscription's progress (arrivals covered,
the day or week of its last digest) is recorded with its send, so a cleared or retried task never
sends a digest twice (a crash between the server's acceptance and the record re-sends that one
digest once). An unreachable SMTP server fails the task with how many went out; the rest go out on
the retry or the next run. Connections: `motion_db`, `smtp_default`; env `MOTION_ALERTS_SECRET`
(signs the links; the readers' app needs the same).
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag

from motion_ops.operators.alerts import SendDigestsOperator
from motion_ops.operators.assets import MOTION_SIMILARITY
from motion_ops.operators.enrichment import MigrateStoreOperator
from motion_ops.operators.params import dag_params
from motion_ops.params import ALERTS
from motion_ops.run import TIMEZONE, AlertParams, default_args
from motion_ops.run import task_timeout as timeout


@dag(
    schedule=[MOTION_SIMILARITY],
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "alerts"],
    description="E-mail digests of new motions for the confirmed subscriptions",
    doc_md=__doc__,
    default_args=default_args(),
    params=dag_params(ALERTS),
)
def motion_alerts():
    migrate = MigrateStoreOperator(task_id="migrate_store", params_class=AlertParams,
                                   execution_timeout=timeout("migrate_store", 30))
    send = SendDigestsOperator(task_id="send_digests", execution_timeout=timeout("send_digests", 60))

    migrate >> send


motion_alerts()
