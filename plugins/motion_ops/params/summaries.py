"""The params of ``motion_summaries``, in the order of its trigger form."""
from __future__ import annotations

from motion_ops.params.shared import (
                                      APPROVAL_TIMEOUT_HOURS,
                                      BATCH_SIZE,
                                      DRY_RUN,
                                      MAX_BATCHES,
                                      MAX_COST,
                                      MAX_FAILURE_RATIO,
                                      MAX_TOKENS,
                                      PILOT_SIZE,
                                      QA_REPORTS_DIR,
                                      QA_SAMPLE_SIZE,
                                      SINCE,
                                      UNTIL,
)
from motion_ops.params.spec import ParamSpec

LLM, BUDGET, QA, WINDOW = "LLM", "Budget", "QA", "Run window"

SUMMARIES: tuple[ParamSpec, ...] = (
    BATCH_SIZE.at(LLM, "Motions per summarize instance (retry_summaries uses half).", default=20, maximum=1000),
    MAX_BATCHES.at(LLM, "At most this many summarize instances (also capped by Airflow's "
                        "max_map_length); the rest waits for the next run."),
    ParamSpec("summary_max_failures", "int", 3, minimum=1, section=LLM, title="Failures allowed",
              description="Runs a motion may fail before it is quarantined "
                          "(release: python -m motion_ops release-quarantine --stage summaries)."),
    MAX_FAILURE_RATIO.at(LLM, "retry_summaries fails the run (nothing published) when this share of "
                              "the planned motions failed for the first time.", default=0.1),
    ParamSpec("extractive_fallback", "bool", False, section=LLM, title="Extractive when the chain fails",
              description="Give a motion the extractive summary (labelled as such) when every "
                          "backend failed, instead of trying again next run."),
    ParamSpec("max_items", "int", None, nullable=True, minimum=1, section=BUDGET, title="Most motions",
              description="This run attempts at most this many motions; the rest waits for the next run."),
    MAX_TOKENS.at(BUDGET, "This run stops starting motions once it used this many tokens (in + out, "
                          "refused answers included)."),
    MAX_COST.at(BUDGET, "This run stops starting motions once it spent this much (the backends' prices "
                        "per 1k tokens from their connection extras)."),
    APPROVAL_TIMEOUT_HOURS.at(BUDGET, "approve_pilot waits this long for a "
                                      "decision; then the run fails and nothing is summarized."),
    PILOT_SIZE.at(BUDGET, "Motions a chain nobody approved yet is piloted on (spread over text lengths) "
                          "before a person approves it in approve_pilot."),
    QA_SAMPLE_SIZE.at(QA, "Summaries qa_summaries checks again."),
    QA_REPORTS_DIR,
    DRY_RUN.at(WINDOW, "Plan only: no model calls, no writes; plan_summaries says what would run."),
    SINCE.at(WINDOW, "Only summarize motions dated on or after this day."),
    UNTIL.at(WINDOW, "... and before this day."),
)
