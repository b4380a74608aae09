"""Airflow operators of ``motion_summaries`` (plan -> summarize, mapped -> retry -> QA -> publish):
each takes its inputs as arguments written in the DAG and calls one stage function of
:mod:`motion_ops.summaries` (one module a step). Nothing heavy (pydantic-ai, psycopg) is imported until ``execute``."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from airflow.sdk.exceptions import AirflowFailException

from motion_ops.hooks import EmbeddingsHook, LlmHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.run import SummaryParams


class _SummaryOperator(MotionOpsOperator):
    """What the summaries' tasks share: their params and the LLM cascade of ``motion_llm``."""

    params_class = SummaryParams

    def __init__(self, *, motion_llm_conn_id: str = LlmHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_llm_conn_id = motion_llm_conn_id

    def cascade(self, params: Any) -> Any:
        """The cascade of ``motion_llm``, its faithfulness check backed as :meth:`EmbeddingsHook.semantic` says."""
        from motion_ops.llm.backends import BadConfiguration

        semantic = EmbeddingsHook(self.motion_embeddings_conn_id).semantic()
        with self.failing_on(BadConfiguration):  # a person must fix the connection: no automatic retry
            return LlmHook(self.motion_llm_conn_id).get_conn(extractive_fallback=params.extractive_fallback,
                                                             semantic=semantic)

    @contextmanager
    def refused(self, *errors: type[Exception]) -> Iterator[None]:
        """A backend that refuses (key, quota, model) fails the task at once; so do ``errors``."""
        from motion_ops.llm.cascade import TerminalError

        try:
            with self.failing_on(*errors):
                yield
        except TerminalError as exc:
            raise AirflowFailException(f"the LLM backend refuses ({exc}); no motion was charged. Fix the connection "
                                       f"{self.motion_llm_conn_id!r} (key, quota, model), then clear this task") from exc


class PlanSummariesOperator(_SummaryOperator):
    """The motions whose current text has no summary for this prompt and schema, in batches
    (``{"batch_index", "ids"}``) for ``summarize`` to map over; a dry run only counts."""

    ui_color = "#e8f1fb"

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from motion_ops.summaries.plan import plan_step

        p = self.run_params(context)
        cascade = self.cascade(p)
        with self.store() as store:
            out = plan_step(store, cascade, params=p, window=self.window(context, p), max_map=self.max_map(),
                            run_id=str(self.run_context(context).run_id))
            return self.conclude(context, store, out)


class SummarizeOperator(_SummaryOperator):
    """Summarize one planned batch (mapped over ``batch``) through the cascade."""

    template_fields = ("batch",)

    def __init__(self, *, batch: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.batched import batch_label
        from motion_ops.summaries.plan import run_budget
        from motion_ops.summaries.summarize import summarize_step

        p = self.run_params(context)
        context["batch_label"] = batch_label(self.batch)
        cascade = self.cascade(p)
        with self.store() as store, self.refused():
            out = summarize_step(store, cascade, self.batch, ctx=self.run_context(context), budget=run_budget(p),
                                 claim_ttl=self.claim_ttl())
            return self.conclude(context, store, out)


class RetrySummariesOperator(_SummaryOperator):
    """Retry every planned motion still without a summary (also of failed instances: their ids come
    from ``plan``) with half the batch size; count, audit and quarantine what still fails; fail
    above ``max_failure_ratio``."""

    template_fields = ("plan", "results")

    def __init__(self, *, plan: Any, results: Any, **kwargs: Any):
        kwargs.setdefault("multiple_outputs", True)
        super().__init__(**kwargs)
        self.plan, self.results = plan, results

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.batched import FailureRatioExceeded
        from motion_ops.summaries.retry import retry_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        if self.plan is None:
            raise AirflowFailException("plan_summaries did not finish (no plan); nothing is published. Clear it.")
        cascade = self.cascade(p)
        with self.store() as store, self.refused(FailureRatioExceeded):
            out = retry_step(store, cascade, plan=list(self.plan), results=self.results, params=p,
                             ctx=self.run_context(context), claim_ttl=self.claim_ttl())
            return self.conclude(context, store, out)


class QaSummariesOperator(_SummaryOperator):
    """Check a sample of the run's summaries again (schema, faithfulness, provenance, plain
    language); the report goes beside the QA reports (``summaries-<run>.json``); a failing QA
    publishes nothing."""

    template_fields = ("failure_ratio",)

    def __init__(self, *, failure_ratio: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.failure_ratio = failure_ratio

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.summaries.qa import qa_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        folder = self.reports_dir(p)
        with self.store() as store:
            out = qa_step(store, run_id=str(self.run_context(context).run_id), sample_size=p.qa_sample_size,
                          failure_ratio=float(self.failure_ratio or 0.0), folder=folder)
            return self.conclude(context, store, out)


class PublishSummariesOperator(_SummaryOperator):
    """Make the run's summaries visible to readers (QA passed)."""

    ui_color = "#e3f4e1"

    def execute(self, context: Any) -> int:
        from motion_ops.summaries.publish import publish_step

        self.skip_if_dry_run(self.run_params(context))
        with self.store() as store:
            return self.conclude(context, store, publish_step(store, run_id=str(self.run_context(context).run_id)))
