"""What every operator of motion-ops shares (:class:`MotionOpsOperator`): the connection ids, the
run's typed params, its date window, the audit context, and :meth:`~MotionOpsOperator.conclude`,
which turns a stage's :class:`~motion_ops.run.TaskResult` into Airflow's terms (the one-line summary
kept in ``run_metrics``, XCom, the Asset event, skip or fail). Nothing heavy is imported until a task runs."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import EmbeddingsHook, MotionDbHook, MotionFeedHook
from motion_ops.run import RunContext, RunParams, TaskResult, run_window

if TYPE_CHECKING:
    import datetime as dt

    from motion_ops.store.db import Store


class MotionOpsOperator(BaseOperator):
    """What every task of the DAGs shares: the connection ids, the run's params (typed: the DAG's
    ``params_class``), its date window, where it runs (for the audit trail) and its one-line summary."""

    params_class: Any = RunParams  # the typed params of the DAG the operator runs in

    def __init__(self, *, motion_db_conn_id: str = MotionDbHook.default_conn_name,
                 motion_feed_conn_id: str = MotionFeedHook.default_conn_name,
                 motion_embeddings_conn_id: str = EmbeddingsHook.default_conn_name, params_class: Any = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_db_conn_id = motion_db_conn_id
        self.motion_feed_conn_id = motion_feed_conn_id
        self.motion_embeddings_conn_id = motion_embeddings_conn_id
        self.params_class = params_class or self.params_class
        self._started = time.monotonic()

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
    def max_map() -> int:
        """Airflow's own cap on the mapped instances of a task (``[core] max_map_length``)."""
        from airflow.sdk.configuration import conf

        return conf.getint("core", "max_map_length")

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

    @staticmethod
    def try_number(context: Any) -> int:
        return int(getattr(context["ti"], "try_number", 1) or 1)

    def store(self) -> "Store":
        return MotionDbHook(self.motion_db_conn_id).get_conn()

    def claim_ttl(self) -> Any:
        """How long this task's claims on motions hold (:mod:`motion_ops.store.claims`): its
        execution_timeout, after which Airflow has ended it anyway."""
        from motion_ops.store.claims import DEFAULT_TTL

        return self.execution_timeout or DEFAULT_TTL

    @contextmanager
    def failing_on(self, *errors: type[Exception]) -> Iterator[None]:
        """Stage errors a person must fix (configuration, approval, too many failures): the task
        fails at once instead of being retried, saying what the error says."""
        from motion_ops.store.approvals import NotApproved

        try:
            yield
        except (NotApproved, *errors) as exc:
            raise AirflowFailException(str(exc)) from exc

    def conclude(self, context: Any, store: "Store | None", out: TaskResult) -> Any:
        """Hand a stage's outcome to Airflow: its line logged and kept with its numbers in
        ``run_metrics`` (not in a dry run, nor without a ``store``), ``summary`` pushed as its own
        XCom, the outlets' Asset event, then skip or fail; else its XCom."""
        if out.line:
            self.log.info("%s: %s", self.task_id, out.line)
        if out.line and out.write and store is not None:
            store.execute("upsert_run_metric", out.metric(self.run_context(context), try_number=self.try_number(context),
                                                          seconds=time.monotonic() - self._started))
        if out.summary is not None:
            context["ti"].xcom_push(key="summary", value=out.summary)
        for asset in self.outlets if out.event is not None else ():
            context["outlet_events"][asset].extra = out.event
        if out.skip:
            raise AirflowSkipException(out.skip)
        if out.fail:
            raise AirflowFailException(out.fail)
        return out.xcom()
