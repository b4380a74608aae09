"""
### motion_summaries

Plain-language summaries of the motions, through the LLM backend cascade of the connection
`motion_llm` (without it: the embedded extractive summarizer, labelled as such):

1. **migrate_store**: apply the store's pending migrations (a dry run only checks);
2. **plan_summaries**: the motions whose current text has no summary for this prompt and schema
   version (quarantined ones left out), in batches; a dry run only counts;
3. **pilot_summaries** / **approve_pilot**: a chain nobody approved yet (not the extractive
   default) first summarizes a sample (`pilot_size`, spread over text lengths) into a report with
   the cost extrapolated to the backlog; a person approves or rejects it in the UI (Required
   actions). Approved chains skip both from then on (`python -m motion_ops approvals`);
4. **summarize**: one mapped instance per batch (pool `llm_provider`), each motion through the chain
   the router picks for it; a summary is stored only once valid and faithful;
5. **retry_summaries**: retry what failed with half the batch size; count, audit, quarantine; fail
   the run above `max_failure_ratio`;

   Both stop starting motions once the run's budget (`max_items`, `max_tokens`, `max_cost`) is
   reached: the run finishes cleanly and the rest waits for the next run;
6. **qa_summaries**: check a sample again; the report goes beside the QA reports;
7. **publish_summaries**: readers see the run's summaries, only if QA passed.

Scheduled on the Asset `motion_texts` (updated by `motion_enrichment` when motion texts changed)
and triggerable by hand. Every task is safe to clear and re-run: a summary is keyed on (motion,
text hash, prompt version, schema version), so a re-run summarizes only what is still missing.
Connections: `motion_db`, `motion_llm` (type `pydanticai`, with `fallback_conn_ids`).
"""
from __future__ import annotations

import datetime as dt
import os

import pendulum
from airflow.sdk import Param, XComArg, dag

from motion_ops.operators.assets import MOTION_SUMMARIES, MOTION_TEXTS
from motion_ops.operators.pilots import PilotApprovalOperator, PilotSummariesOperator
from motion_ops.numerics.finite import env_number
from motion_ops.run import MAX_APPROVAL_HOURS, TIMEZONE, approval_hours, number_param as number, task_timeout as timeout
from motion_ops.operators.summaries import (MigrateSummariesStoreOperator, PlanSummariesOperator, PublishSummariesOperator,
                                          QaSummariesOperator, RetrySummariesOperator, SummarizeOperator)

_INT = ["integer", "null"]
_STR = ["string", "null"]
LLM, BUDGET, QA, WINDOW = "LLM", "Budget", "QA", "Run window"
APPROVAL_HOURS = approval_hours(env_number("MOTION_OPS_APPROVAL_TIMEOUT_HOURS", 24), "MOTION_OPS_APPROVAL_TIMEOUT_HOURS")



@dag(
    schedule=[MOTION_TEXTS],
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "llm", "summaries"],
    description="Plain-language summaries of the motions whose texts changed, through the LLM backend cascade",
    doc_md=__doc__,
    default_args={
        "owner": "motion-ops",
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=int(os.environ.get("MOTION_OPS_RETRY_DELAY_SECONDS", "30"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    params={
        "batch_size": Param(20, type="integer", minimum=1, maximum=1000, section=LLM, title="Batch size",
                            description="Motions per summarize instance (retry_summaries uses half)."),
        "max_batches": Param(None, type=_INT, minimum=1, section=LLM, title="Most batches",
                             description="At most this many summarize instances (also capped by Airflow's "
                                         "max_map_length); the rest waits for the next run."),
        "summary_max_failures": Param(3, type="integer", minimum=1, section=LLM, title="Failures allowed",
                                      description="Runs a motion may fail before it is quarantined "
                                                  "(release: python -m motion_ops release-quarantine --stage summaries)."),
        "max_failure_ratio": Param(0.1, **number(minimum=0, maximum=1), section=LLM, title="Most failures",
                                   description="retry_summaries fails the run (nothing published) when this share of "
                                               "the planned motions failed for the first time."),
        "extractive_fallback": Param(False, type="boolean", section=LLM, title="Extractive when the chain fails",
                                     description="Give a motion the extractive summary (labelled as such) when every "
                                                 "backend failed, instead of trying again next run."),
        "max_items": Param(None, type=_INT, minimum=1, section=BUDGET, title="Most motions",
                           description="This run attempts at most this many motions; the rest waits for the next run."),
        "max_tokens": Param(None, type=_INT, minimum=1, section=BUDGET, title="Most tokens",
                            description="This run stops starting motions once it used this many tokens (in + out, "
                                        "refused answers included)."),
        "max_cost": Param(None, **number(minimum=0, nullable=True), section=BUDGET, title="Most cost",
                          description="This run stops starting motions once it spent this much (the backends' prices "
                                      "per 1k tokens from their connection extras)."),
        "approval_timeout_hours": Param(APPROVAL_HOURS, **number(exclusive_minimum=0, maximum=MAX_APPROVAL_HOURS), section=BUDGET,
                                        title="Hours to decide", description="approve_pilot waits this long for a "
                                        "decision; then the run fails and nothing is summarized."),
        "pilot_size": Param(20, type="integer", minimum=1, maximum=500, section=BUDGET, title="Pilot sample",
                            description="Motions a chain nobody approved yet is piloted on (spread over text lengths) "
                                        "before a person approves it in approve_pilot."),
        "qa_sample_size": Param(50, type="integer", minimum=1, section=QA, title="Sample size",
                                description="Summaries qa_summaries checks again."),
        "qa_reports_dir": Param(None, type=_STR, section=QA, title="Reports folder",
                                description="Folder for the QA reports (empty: $AIRFLOW_HOME/qa_reports)."),
        "dry_run": Param(False, type="boolean", section=WINDOW, title="Dry run",
                         description="Plan only: no model calls, no writes; plan_summaries says what would run."),
        "since": Param(None, type=_STR, format="date", section=WINDOW, title="Since",
                       description="Only summarize motions dated on or after this day."),
        "until": Param(None, type=_STR, format="date", section=WINDOW, title="Until",
                       description="... and before this day."),
    },
)
def motion_summaries():
    migrate = MigrateSummariesStoreOperator(task_id="migrate_store", execution_timeout=timeout("migrate_store", 30))
    plan = PlanSummariesOperator(task_id="plan_summaries", execution_timeout=timeout("plan_summaries", 15))
    pilot = PilotSummariesOperator(task_id="pilot_summaries", plan=plan.output, plan_summary=XComArg(plan, key="summary"),
                                   execution_timeout=timeout("pilot_summaries", 30))
    approve = PilotApprovalOperator(task_id="approve_pilot", pilot=pilot.output, execution_timeout=timeout("approve_pilot", 5),
                                    response_timeout=dt.timedelta(hours=APPROVAL_HOURS))
    summarize = SummarizeOperator.partial(
        task_id="summarize", pool="llm_provider", map_index_template="{{ batch_label }}",
        execution_timeout=timeout("summarize", 60),
    ).expand(batch=plan.output)
    retry = RetrySummariesOperator(task_id="retry_summaries", plan=plan.output, results=summarize.output,
                                   trigger_rule="all_done", execution_timeout=timeout("retry_summaries", 60))
    qa = QaSummariesOperator(task_id="qa_summaries", failure_ratio=retry.output["failure_ratio"],
                             execution_timeout=timeout("qa_summaries", 15))
    publish = PublishSummariesOperator(task_id="publish_summaries", outlets=[MOTION_SUMMARIES],
                                       execution_timeout=timeout("publish_summaries", 15))

    migrate >> plan >> pilot >> approve >> summarize >> retry >> qa >> publish


motion_summaries()
