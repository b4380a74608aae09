"""
### motion_enrichment

Nightly enrichment of the Tweede Kamer motions ("moties"):

1. **sync_content**: read the SyncFeed from its checkpoints, assemble motions with their party
   votes, fetch missing body texts, and plan the embedding batches;
2. **embed_missing**: one mapped instance per batch (pool `embedding_provider`);
3. **retry_failed**: retry every failed id (also of failed instances) with half the batch size,
   audit what still fails, fail the run above `max_failure_ratio`;
4. **compute_similarity**: a new, unpublished version of each motion's `top_n` related motions;
5. **qa_sample**: check a sample and write the QA report (JSON + HTML);
6. **publish_similarity**: make the version current for readers (`motion_related` view), only if QA passed.

Every task is safe to clear and re-run. A backfill run only fetches bodies for, and embeds,
motions dated in its data interval; `since`/`until` do the same for a manual run.
Connections: `motion_db`, `motion_feed`, `motion_embeddings`.
"""
from __future__ import annotations

import datetime as dt
import os

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag

from motion_ops.operators import (ComputeSimilarityOperator, EmbedMissingOperator, PublishSimilarityOperator,
                                  QaSampleOperator, RetryFailedOperator, SyncContentOperator)

_INT = ["integer", "null"]
_DATE = ["string", "null"]


@dag(
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="Europe/Amsterdam"),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "embeddings"],
    doc_md=__doc__,
    default_args={
        "owner": "motion-ops",
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=int(os.environ.get("MOTION_OPS_RETRY_DELAY_SECONDS", "30"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    params={
        "batch_size": Param(64, type="integer", minimum=1, maximum=2048, description="Motions per embed_missing instance."),
        "max_batches": Param(None, type=_INT, minimum=1, description="At most this many mapped instances (the rest waits for the next run)."),
        "top_n": Param(10, type="integer", minimum=1, maximum=100, description="Related motions kept per motion."),
        "vote_weight": Param(0.25, type="number", minimum=0, maximum=0.95, description="Share of the score from party votes (0 = text only)."),
        "seat_weighted": Param(False, type="boolean", description="Weight party votes by seats."),
        "incremental_threshold": Param(0.05, type="number", minimum=0, maximum=1, description="Recompute only what can change when at most this share of motions changed (0 = always full)."),
        "qa_sample_size": Param(50, type="integer", minimum=1, description="Motions sampled by qa_sample."),
        "qa_enforce": Param(True, type="boolean", description="A failing QA check blocks publishing."),
        "qa_min_coverage": Param(0.95, type="number", minimum=0, maximum=1),
        "qa_max_score_shift": Param(0.15, type="number", minimum=0, maximum=2),
        "qa_min_relevance": Param(0.10, type="number", minimum=0, maximum=1),
        "qa_reports_dir": Param(None, type=_DATE, description="Folder for QA reports (default: $AIRFLOW_HOME/qa_reports)."),
        "dry_run": Param(False, type="boolean", description="Plan only: no feed reads, no writes."),
        "since": Param(None, type=_DATE, format="date", description="Only fetch bodies/embed motions dated on or after this day."),
        "until": Param(None, type=_DATE, format="date", description="... and before this day."),
        "max_pages": Param(None, type=_INT, minimum=1, description="Feed pages per category per run (default: until caught up)."),
        "max_body_workers": Param(10, type="integer", minimum=1, maximum=64, description="Threads fetching body texts."),
        "body_max_failures": Param(5, type="integer", minimum=1, description="Runs a body may fail before it waits for a new document version."),
        "embed_max_failures": Param(3, type="integer", minimum=1, description="Runs a motion may fail to embed before it is quarantined."),
        "max_failure_ratio": Param(0.05, type="number", minimum=0, maximum=1, description="retry_failed fails the run when this share of the motions with text failed to embed."),
        "keep_versions": Param(3, type="integer", minimum=1, description="Similarity versions kept besides the current one."),
    },
)
def motion_enrichment():
    sync = SyncContentOperator(task_id="sync_content")
    embed = EmbedMissingOperator.partial(
        task_id="embed_missing", pool="embedding_provider", map_index_template="{{ batch_label }}",
    ).expand(batch=sync.output)
    retry = RetryFailedOperator(task_id="retry_failed", trigger_rule="all_done")
    compute = ComputeSimilarityOperator(task_id="compute_similarity")
    qa = QaSampleOperator(task_id="qa_sample")
    publish = PublishSimilarityOperator(task_id="publish_similarity", outlets=[Asset("motion_similarity")])

    sync >> embed >> retry >> compute >> qa >> publish


motion_enrichment()
