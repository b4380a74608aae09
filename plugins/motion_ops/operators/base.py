"""What every operator of motion-ops shares (:class:`MotionOpsOperator`): the connection ids, the
run's typed params, its date window, its dry-run flag, the audit context, the approval check and
the one-line summary kept in ``run_metrics``. Nothing heavy is imported until a task runs."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import EmbeddingsHook, MotionDbHook, MotionFeedHook
from motion_ops.run import RunContext, RunParams, run_window

if TYPE_CHECKING:
    import datetime as dt

    from motion_ops.store.db import Store


class MotionOpsOperator(BaseOperator):
    """What every task of the DAG shares: the connection ids, the run's params (typed), its date
    window, its dry-run flag, where it runs (for the audit trail) and its one-line summary."""

    def __init__(self, *, motion_db_conn_id: str = MotionDbHook.default_conn_name,
                 motion_feed_conn_id: str = MotionFeedHook.default_conn_name,
                 motion_embeddings_conn_id: str = EmbeddingsHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_db_conn_id = motion_db_conn_id
        self.motion_feed_conn_id = motion_feed_conn_id
        self.motion_embeddings_conn_id = motion_embeddings_conn_id
        self._started = time.monotonic()

    params_class: Any = RunParams  # the typed params of the DAG the operator runs in

    def pre_execute(self, context: Any) -> None:
        self._started = time.monotonic()  # the task's seconds in run_metrics

    def run_params(self, context: Any) -> Any:
        """The run's params; a conf key that is not a param gets a warning (it has no effect)."""
        try:
            params, unknown = self.params_class.from_mapping(context["params"])
        except ValueError as exc:  # a person must fix the trigger's conf: no automatic retry
            raise AirflowFailException(f"invalid run params: {exc}") from exc
        if unknown:
            self.log.warning("ignored conf keys that are not params of this DAG: %s (misspelled?)", ", ".join(unknown))
        return params

    @staticmethod
    def manual_run(context: Any) -> bool:
        """Whether a person triggered this run (someone may be there to answer an approval); the
        nightly (scheduled), backfill and asset-triggered runs are not."""
        run_type = getattr(context["dag_run"], "run_type", None)
        return str(getattr(run_type, "value", run_type)) == "manual"

    def window(self, context: Any, params: Any) -> "tuple[dt.date | None, dt.date | None]":
        run_type = getattr(context["dag_run"], "run_type", None)
        return run_window(params, run_type=getattr(run_type, "value", run_type),
                          interval_start=context.get("data_interval_start"), interval_end=context.get("data_interval_end"))

    @staticmethod
    def reports_dir(params: Any) -> Path:
        """The QA reports folder, usable (checked before anything is written to the store)."""
        from motion_ops.reports.qa import usable_reports_dir

        try:
            return usable_reports_dir(params.qa_reports_dir or Path(os.environ.get("AIRFLOW_HOME", ".")) / "qa_reports")
        except ValueError as exc:
            raise AirflowFailException(f"invalid run params: {exc}") from exc

    def skip_if_dry_run(self, params: Any) -> None:
        if params.dry_run:
            raise AirflowSkipException("dry_run: nothing is written")

    @staticmethod
    def run_context(context: Any) -> RunContext:
        return RunContext.of(context["ti"])

    def store(self) -> "Store":
        return MotionDbHook(self.motion_db_conn_id).get_conn()

    def claim_ttl(self) -> Any:
        """How long this task's claims on motions hold (:mod:`motion_ops.store.claims`): its
        execution_timeout, after which Airflow has ended it anyway."""
        from motion_ops.store.claims import DEFAULT_TTL

        return self.execution_timeout or DEFAULT_TTL

    @staticmethod
    def require_approval(store: "Store", config: Any) -> None:
        """No paid embedding call without a person's approval (after a pilot that timed out, was
        rejected, or an approval step marked done by hand)."""
        from motion_ops.store.approvals import EMBEDDINGS_KEY, embedding_chain, embedding_needed

        required, why = embedding_needed(store, config)
        if required:
            raise AirflowFailException(
                f"{why}: nothing is embedded. A new run pilots it and asks in approve_embeddings, or approve it with "
                f"`python -m motion_ops approvals approve --chain '{embedding_chain(config)}' --prompt {EMBEDDINGS_KEY}`")

    def pending_approval(self, context: Any, store: "Store", config: Any) -> str | None:
        """Why the paid model waits for a decision, in a run nobody triggered by hand (those do not
        wait for one: the night goes on without the paid step); None when approved or in a manual run."""
        from motion_ops.store.approvals import embedding_needed

        if self.manual_run(context):
            return None
        required, why = embedding_needed(store, config)
        return f"{why}; decide in a run triggered by hand (approve_embeddings) or with the approvals CLI" if required else None

    def finish(self, context: Any, store: "Store", summary: str, *, items: int = 0, failures: int = 0,
               write: bool = True) -> None:
        """Log the task's one-line summary and keep it with its numbers in ``run_metrics`` (not in a dry run)."""
        self.log.info("%s: %s", self.task_id, summary)
        if not write:
            return
        ctx = self.run_context(context)
        store.execute("upsert_run_metric", {
            "dag_id": ctx.dag_id, "run_id": ctx.run_id, "task_id": ctx.task_id,
            "map_index": -1 if ctx.map_index is None else ctx.map_index,
            "try_number": int(getattr(context["ti"], "try_number", 1) or 1),
            "seconds": round(time.monotonic() - self._started, 3), "items": int(items), "failures": int(failures),
            "summary": summary[:1000]})
