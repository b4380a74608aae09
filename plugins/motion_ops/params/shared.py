"""The params both DAGs have, declared once: kind, bounds and title (each DAG adds its section and
description with :meth:`~motion_ops.params.spec.ParamSpec.at`, and a default or bound where its own differs)."""
from __future__ import annotations

from typing import Any

from motion_ops.params.spec import MAX_APPROVAL_HOURS, ParamSpec

BATCH_SIZE = ParamSpec("batch_size", "int", None, minimum=1, title="Batch size")  # default and maximum: each DAG's
MAX_BATCHES = ParamSpec("max_batches", "int", None, nullable=True, minimum=1, title="Most batches")
MAX_FAILURE_RATIO = ParamSpec("max_failure_ratio", "float", None, minimum=0, maximum=1, title="Most failures")  # default: each DAG's
MAX_TOKENS = ParamSpec("max_tokens", "int", None, nullable=True, minimum=1, title="Most tokens")
MAX_COST = ParamSpec("max_cost", "float", None, nullable=True, minimum=0, title="Most cost")
PILOT_SIZE = ParamSpec("pilot_size", "int", 20, minimum=1, maximum=500, title="Pilot sample")
APPROVAL_TIMEOUT_HOURS = ParamSpec("approval_timeout_hours", "float", 24, exclusive_minimum=0, maximum=MAX_APPROVAL_HOURS,
                                   env="MOTION_OPS_APPROVAL_TIMEOUT_HOURS", unit="hours", title="Hours to decide")
QA_SAMPLE_SIZE = ParamSpec("qa_sample_size", "int", 50, minimum=1, title="Sample size")
QA_REPORTS_DIR = ParamSpec("qa_reports_dir", "str", None, nullable=True, section="QA", title="Reports folder",
                           description="Folder for the QA reports (empty: $AIRFLOW_HOME/qa_reports).")
DRY_RUN = ParamSpec("dry_run", "bool", False, title="Dry run")
SINCE = ParamSpec("since", "date", None, nullable=True, title="Since")
UNTIL = ParamSpec("until", "date", None, nullable=True, title="Until")


def approval_hours(value: Any, what: str = "param 'approval_timeout_hours'") -> float:
    """Hours to wait for a pilot's approval: a finite number above 0 and at most :data:`MAX_APPROVAL_HOURS`.

    :raises ValueError: anything else.
    """
    return APPROVAL_TIMEOUT_HOURS.bounded(value, what)
