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

import pendulum
from airflow.sdk import XComArg, dag

from motion_ops.operators.assets import MOTION_SUMMARIES, MOTION_TEXTS
from motion_ops.operators.enrichment import MigrateStoreOperator
from motion_ops.operators.params import dag_params
from motion_ops.operators.pilots import PilotApprovalOperator, PilotSummariesOperator
from motion_ops.operators.summaries import (
    PlanSummariesOperator,
    PublishSummariesOperator,
    QaSummariesOperator,
    RetrySummariesOperator,
    SummarizeOperator,
)
from motion_ops.params import SUMMARIES
from motion_ops.run import TIMEZONE, SummaryParams, approval_timeout, default_args
from motion_ops.run import task_timeout as timeout


@dag(
    schedule=[MOTION_TEXTS],
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["motions", "tweede-kamer", "llm", "summaries"],
    description="Plain-language summaries of the motions whose texts changed, through the LLM backend cascade",
    doc_md=__doc__,
    default_args=default_args(),
    params=dag_params(SUMMARIES),
)
def motion_summaries():
    migrate = MigrateStoreOperator(task_id="migrate_store", params_class=SummaryParams,
                                   execution_timeout=timeout("migrate_store", 30))
    plan = PlanSummariesOperator(task_id="plan_summaries", execution_timeout=timeout("plan_summaries", 15))
    pilot = PilotSummariesOperator(task_id="pilot_summaries", plan=plan.output, plan_summary=XComArg(plan, key="summary"),
                                   execution_timeout=timeout("pilot_summaries", 30))
    approve = PilotApprovalOperator(task_id="approve_pilot", pilot=pilot.output, execution_timeout=timeout("approve_pilot", 5),
                                    response_timeout=approval_timeout())
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
