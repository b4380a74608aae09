"""
### motion_enrichment

Nightly enrichment of the Tweede Kamer motions ("moties"):

1. **migrate_store**: apply the motion store's pending SQL migrations (a dry run only checks);
2. **sync_content**: read the SyncFeed from its checkpoints, assemble motions with their party
   votes, fetch missing body texts, and plan the embedding batches;
3. **pilot_embeddings** / **approve_embeddings**: a paid model nobody approved yet (not the
   hashing default or a local model) first embeds a sample (`pilot_size`) into a report with the
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
9. **announce_texts**: after the sync, update the Asset `motion_texts` when motion texts changed
   (it schedules `motion_summaries`); skipped when nothing changed.

Every task is safe to clear and re-run. A backfill run only fetches bodies for, and embeds,
motions dated in its data interval; `since`/`until` do the same for a manual run.
Connections: `motion_db`, `motion_feed`, `motion_embeddings`.
"""
from __future__ import annotations

import datetime as dt
import os

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, XComArg, dag

from motion_ops.operators.enrichment import (ComputeSimilarityOperator, EmbedMissingOperator, MigrateStoreOperator,
                                  PublishSimilarityOperator, QaSampleOperator, RetryFailedOperator,
                                  SyncContentOperator)
from motion_ops.operators.assets import MOTION_SIMILARITY, MOTION_TEXTS
from motion_ops.operators.pilots import PilotApprovalOperator, PilotEmbeddingsOperator
from motion_ops.numerics.finite import env_number
from motion_ops.run import MAX_APPROVAL_HOURS, TIMEZONE, approval_hours, number_param as number, task_timeout as timeout
from motion_ops.operators.summaries import AnnounceTextsOperator

_INT = ["integer", "null"]
_STR = ["string", "null"]
SYNC, EMBED, BUDGET, SIMILARITY, QA, WINDOW = "Sync", "Embedding", "Pilot and budget", "Similarity", "QA", "Run window"
APPROVAL_HOURS = approval_hours(env_number("MOTION_OPS_APPROVAL_TIMEOUT_HOURS", 24), "MOTION_OPS_APPROVAL_TIMEOUT_HOURS")



@dag(
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "embeddings"],
    description="Nightly: sync the Tweede Kamer motions, embed them, publish related motions after QA",
    doc_md=__doc__,
    default_args={
        "owner": "motion-ops",
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=int(os.environ.get("MOTION_OPS_RETRY_DELAY_SECONDS", "30"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    params={
        "max_pages": Param(None, type=_INT, minimum=1, section=SYNC, title="Feed pages per category",
                           description="At most this many feed pages per category in this run (empty: until caught up); "
                                       "the next run continues where this one stopped."),
        "max_body_workers": Param(10, type="integer", minimum=1, maximum=64, section=SYNC, title="Body fetch threads",
                                  description="Threads fetching motion body texts (the HTTP pool is sized to match)."),
        "body_max_failures": Param(5, type="integer", minimum=1, section=SYNC, title="Body fetch failures allowed",
                                   description="Runs a body may fail before it waits for a new document version."),
        "batch_size": Param(64, type="integer", minimum=1, maximum=2048, section=EMBED, title="Batch size",
                            description="Motions per embed_missing instance (retry_failed uses half)."),
        "max_batches": Param(None, type=_INT, minimum=1, section=EMBED, title="Most batches",
                             description="At most this many embed_missing instances (also capped by Airflow's "
                                         "max_map_length); the rest waits for the next run."),
        "embed_max_failures": Param(3, type="integer", minimum=1, section=EMBED, title="Embedding failures allowed",
                                    description="Runs a motion may fail to embed before it is quarantined."),
        "max_failure_ratio": Param(0.05, **number(minimum=0, maximum=1), section=EMBED, title="Most failures",
                                   description="retry_failed fails the run when this share of the motions with text "
                                               "failed to embed (QA checks the same share)."),
        "max_tokens": Param(None, type=_INT, minimum=1, section=BUDGET, title="Most tokens",
                            description="At most this many input tokens sent to the embedding provider in this run "
                                        "(estimated: 4 characters a token); the rest waits for the next run."),
        "max_cost": Param(None, **number(minimum=0, nullable=True), section=BUDGET, title="Most cost",
                          description="At most this cost in this run (the connection extra price_input_per_1k); "
                                      "the rest waits for the next run."),
        "pilot_size": Param(20, type="integer", minimum=1, maximum=500, section=BUDGET, title="Pilot sample",
                            description="Motions a paid model nobody approved yet is piloted on before a person "
                                        "approves it in approve_embeddings."),
        "approval_timeout_hours": Param(APPROVAL_HOURS, **number(exclusive_minimum=0, maximum=MAX_APPROVAL_HOURS), section=BUDGET,
                                        title="Hours to decide", description="approve_embeddings waits this long "
                                        "for a decision; then the run fails and nothing is embedded."),
        "top_n": Param(10, type="integer", minimum=1, maximum=100, section=SIMILARITY, title="Related motions",
                       description="Related motions kept per motion."),
        "text_weight": Param(0.7, **number(minimum=0, maximum=1), section=SIMILARITY, title="Text weight",
                             description="Weight of the text similarity (cosine of the embedded substance)."),
        "vote_weight": Param(0.1, **number(minimum=0, maximum=1), section=SIMILARITY, title="Vote weight",
                             description="Weight of the vote agreement beyond chance (the correlation of the two "
                                         "votes; a unanimous vote adds nothing; party identities over time; absent "
                                         "is missing, not disagreement)."),
        "dossier_weight": Param(0.0, **number(minimum=0, maximum=1), section=SIMILARITY, title="Dossier weight",
                                description="Added when both motions are in the same Kamerstuk dossier (0: a motion's "
                                            "siblings are shown apart, related motions come from anywhere)."),
        "debate_weight": Param(0.0, **number(minimum=0, maximum=1), section=SIMILARITY, title="Debate weight",
                               description="Added when both were voted on in the same debate (agendapunt)."),
        "submitter_weight": Param(0.05, **number(minimum=0, maximum=1), section=SIMILARITY,
                                  title="Submitter weight", description="Weight of the overlap of their submitters."),
        "min_common_parties": Param(5, type="integer", minimum=1, section=SIMILARITY, title="Fewest common parties",
                                    description="Vote agreement is shown only over at least this many parties that "
                                                "voted on both motions."),
        "min_score": Param(0.0, **number(minimum=-1, maximum=2), section=SIMILARITY, title="Minimum score",
                           description="Related motions scoring below this are not listed (lists may be shorter "
                                       "than the number of related motions)."),
        "incremental_threshold": Param(0.05, **number(minimum=0, maximum=1), section=SIMILARITY,
                                       title="Incremental threshold",
                                       description="Recompute only what can change when at most this share of motions "
                                                   "changed since the current version (0 = always in full)."),
        "keep_versions": Param(3, type="integer", minimum=1, section=SIMILARITY, title="Versions kept",
                               description="Similarity versions kept besides the current one."),
        "qa_sample_size": Param(50, type="integer", minimum=1, section=QA, title="Sample size",
                                description="Motions sampled by qa_sample."),
        "qa_enforce": Param(True, type="boolean", section=QA, title="QA blocks publishing",
                            description="A failing QA check keeps the new version from readers (off: publish anyway)."),
        "qa_min_coverage": Param(0.95, **number(minimum=0, maximum=1), section=QA, title="Minimum coverage",
                                 description="Share of live motions with text that must have a vector."),
        "qa_max_score_shift": Param(0.15, **number(minimum=0, maximum=2), section=QA, title="Largest score shift",
                                    description="Largest change of the median rank-1 score against the published version."),
        "qa_min_relevance": Param(0.10, **number(minimum=0, maximum=1), section=QA, title="Minimum relevance",
                                  description="Share of sampled neighbours in the same dossier or dossier title."),
        "qa_reports_dir": Param(None, type=_STR, section=QA, title="Reports folder",
                                description="Folder for the QA reports (empty: $AIRFLOW_HOME/qa_reports)."),
        "dry_run": Param(False, type="boolean", section=WINDOW, title="Dry run",
                         description="Plan only: no feed reads, no writes; sync_content's summary says what would run."),
        "since": Param(None, type=_STR, format="date", section=WINDOW, title="Since",
                       description="Only fetch bodies for and embed motions dated on or after this day."),
        "until": Param(None, type=_STR, format="date", section=WINDOW, title="Until",
                       description="... and before this day (similarity is then left to the next full run)."),
    },
)
def motion_enrichment():
    migrate = MigrateStoreOperator(task_id="migrate_store", execution_timeout=timeout("migrate_store", 30))
    sync = SyncContentOperator(task_id="sync_content", execution_timeout=timeout("sync_content", 180))
    pilot = PilotEmbeddingsOperator(task_id="pilot_embeddings", plan=sync.output, plan_summary=XComArg(sync, key="summary"),
                                    execution_timeout=timeout("pilot_embeddings", 30))
    approve = PilotApprovalOperator(task_id="approve_embeddings", pilot=pilot.output, fail_on_reject=True,
                                    execution_timeout=timeout("approve_embeddings", 5),
                                    response_timeout=dt.timedelta(hours=APPROVAL_HOURS))
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

    announce = AnnounceTextsOperator(task_id="announce_texts", summary=XComArg(sync, key="summary"), outlets=[MOTION_TEXTS],
                                     execution_timeout=timeout("announce_texts", 5))

    migrate >> sync >> pilot >> approve >> embed >> retry >> compute >> qa >> publish
    sync >> announce


motion_enrichment()
