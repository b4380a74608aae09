"""What every task of ``motion_enrichment`` shares (the Airflow edge): the store's connection id,
the run's typed params, its date window and dry-run flag, where it runs, its one-line summary."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import MotionDbHook
from motion_ops.run import RunContext, RunParams, run_window

if TYPE_CHECKING:
    import datetime as dt

    from motion_ops.store.db import Store


class MotionOpsOperator(BaseOperator):
    """What every task of the DAG shares: the store's connection id, the run's params (typed),
    its date window, its dry-run flag and where it runs (for the audit trail)."""

    def __init__(self, *, motion_db_conn_id: str = MotionDbHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_db_conn_id = motion_db_conn_id

    def run_params(self, context: Any) -> RunParams:
        """The run's params; a conf key that is not a param gets a warning (it has no effect)."""
        try:
            params, unknown = RunParams.from_mapping(context["params"])
        except ValueError as exc:  # a person must fix the trigger's conf: no automatic retry
            raise AirflowFailException(f"invalid run params: {exc}") from exc
        if unknown:
            self.log.warning("ignored conf keys that are not params of this DAG: %s (misspelled?)", ", ".join(unknown))
        return params

    def window(self, context: Any, params: RunParams) -> "tuple[dt.date | None, dt.date | None]":
        run_type = getattr(context["dag_run"], "run_type", None)
        return run_window(params, run_type=getattr(run_type, "value", run_type),
                          interval_start=context.get("data_interval_start"), interval_end=context.get("data_interval_end"))

    @staticmethod
    def reports_dir(params: RunParams) -> Path:
        """The QA reports folder, usable (checked before anything is written to the store)."""
        from motion_ops.reports.qa import usable_reports_dir

        try:
            return usable_reports_dir(params.qa_reports_dir or Path(os.environ.get("AIRFLOW_HOME", ".")) / "qa_reports")
        except ValueError as exc:
            raise AirflowFailException(f"invalid run params: {exc}") from exc

    def skip_if_dry_run(self, params: RunParams) -> None:
        if params.dry_run:
            raise AirflowSkipException("dry_run: nothing is written")

    @staticmethod
    def run_context(context: Any) -> RunContext:
        ti = context["ti"]
        idx = getattr(ti, "map_index", -1)
        return RunContext(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
                          map_index=None if idx is None or idx < 0 else idx)

    def store(self) -> "Store":
        return MotionDbHook(self.motion_db_conn_id).get_conn()

    def finish(self, context: Any, store: "Store", summary: str, *, started: float, items: int = 0,
               failures: int = 0, write: bool = True) -> None:
        """Log the task's one-line summary and keep it with its numbers in ``run_metrics`` (not in a dry run)."""
        ti = context["ti"]
        self.log.info("%s: %s", self.task_id, summary)
        if not write:
            return
        store.execute("upsert_run_metric", {
            "dag_id": ti.dag_id, "run_id": ti.run_id, "task_id": ti.task_id,
            "map_index": getattr(ti, "map_index", -1) if getattr(ti, "map_index", -1) is not None else -1,
            "try_number": int(getattr(ti, "try_number", 1) or 1), "seconds": round(time.monotonic() - started, 3),
            "items": int(items), "failures": int(failures), "summary": summary[:1000]})
