"""Airflow operators of ``motion_summaries`` (plan -> summarize, mapped -> retry -> QA -> publish):
each takes its inputs as arguments written in the DAG and calls one function of
:mod:`motion_ops.summaries` (one module a step). Nothing heavy (pydantic-ai, psycopg) is imported until ``execute``."""
from __future__ import annotations

import json
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from motion_ops.hooks import LlmHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.operators.enrichment import MigrateStoreOperator
from motion_ops.run import SummaryParams


class _SummaryOperator(MotionOpsOperator):
    params_class = SummaryParams

    def __init__(self, *, motion_llm_conn_id: str = LlmHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_llm_conn_id = motion_llm_conn_id

    def cascade(self, params: SummaryParams) -> Any:
        from motion_ops.llm.backends import BadConfiguration

        try:
            return LlmHook(self.motion_llm_conn_id).get_conn(extractive_fallback=params.extractive_fallback,
                                                             semantic=self.semantic())
        except BadConfiguration as exc:  # a person must fix the connection: no automatic retry
            raise AirflowFailException(str(exc)) from exc

    def semantic(self) -> Any:
        """The faithfulness check's embedding support: the pipeline's provider when it costs nothing
        (see :meth:`motion_ops.llm.faithfulness.Semantic.of`), else the hashing provider."""
        from airflow.sdk.exceptions import AirflowNotFoundException

        from motion_ops.hooks import EmbeddingsHook
        from motion_ops.llm.faithfulness import Semantic

        try:
            config = EmbeddingsHook(self.motion_embeddings_conn_id).config()
        except AirflowNotFoundException:
            config = None
        return Semantic.of(config)

    @staticmethod
    def budget(params: SummaryParams) -> Any:
        from motion_ops.batched import Budget

        return Budget(params.max_items, params.max_tokens, params.max_cost)

    @staticmethod
    def require_approval(store: Any, cascade: Any) -> None:
        """No model call without a person's approval (after a pilot that timed out, was rejected, or
        an approval step marked done by hand)."""
        from motion_ops import pilot
        from motion_ops.llm.backends import chain_key
        from motion_ops.summaries.plan import PROMPT_KEY

        required, why = pilot.needed(store, pilot.SummaryChain(cascade, PROMPT_KEY))
        if required:
            raise AirflowFailException(
                f"{why}: nothing is summarized. A new run pilots it and asks in approve_pilot, or approve it with "
                f"`python -m motion_ops approvals approve --chain '{chain_key(cascade.backends)}'`")

    def terminal(self, exc: Exception) -> AirflowFailException:
        return AirflowFailException(f"the LLM backend refuses ({exc}); no motion was charged. Fix the connection "
                                    f"{self.motion_llm_conn_id!r} (key, quota, model), then clear this task")


class MigrateSummariesStoreOperator(MigrateStoreOperator):
    params_class = SummaryParams


class PlanSummariesOperator(_SummaryOperator):
    """The motions whose current text has no summary for this prompt and schema, in batches
    (``{"batch_index", "ids"}``) for ``summarize`` to map over; a dry run only counts."""

    ui_color = "#e8f1fb"

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.configuration import conf

        from motion_ops.llm.backends import chain_key
        from motion_ops.summaries.plan import PROMPT_KEY, plan
        from motion_ops.summaries.publish import adopt_unpublished

        p = self.run_params(context)
        since, until = self.window(context, p)
        backends = self.cascade(p).backends
        max_map = conf.getint("core", "max_map_length")
        with self.store() as store:
            batches, left = plan(store, batch_size=p.batch_size, max_batches=min(p.max_batches or max_map, max_map),
                                         since=since, until=until, models=bool(backends), max_items=p.max_items)
            adopted = 0 if p.dry_run else adopt_unpublished(store, run_id=str(self.run_context(context).run_id))
            planned = sum(map(len, batches))
            summary = {"prompt": PROMPT_KEY, "chain": chain_key(backends), "planned_batches": len(batches),
                       "planned_motions": planned, "left_for_next_run": left, "dry_run": p.dry_run}
            line = (f"{'dry run: would summarize' if p.dry_run else 'planned'} {planned} motions in {len(batches)} "
                    f"batch(es) through {summary['chain']} ({PROMPT_KEY}); {left} left for the next run"
                    + (f"; {adopted} unpublished summaries of earlier runs are checked and published with this run's"
                       if adopted else ""))
            self.finish(context, store, line, items=planned, write=not p.dry_run)
        context["ti"].xcom_push(key="summary", value=summary)
        return [] if p.dry_run else [{"batch_index": i, "ids": ids} for i, ids in enumerate(batches)]


class SummarizeOperator(_SummaryOperator):
    """Summarize one planned batch (mapped over ``batch``) through the cascade."""

    template_fields = ("batch",)

    def __init__(self, *, batch: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.llm.cascade import TerminalError
        from motion_ops.summaries.summarize import summarize_batch

        p = self.run_params(context)
        ids = list(self.batch["ids"])
        context["batch_label"] = f"batch {self.batch['batch_index']} ({len(ids)} motions)"
        cascade = self.cascade(p)
        with self.store() as store:
            self.require_approval(store, cascade)
            try:
                out = summarize_batch(store, cascade, ids, batch_index=int(self.batch["batch_index"]),
                                      ctx=self.run_context(context), budget=self.budget(p), claim_ttl=self.claim_ttl())
            except TerminalError as exc:
                raise self.terminal(exc) from exc
            self.finish(context, store, f"batch {out['batch_index']}: summarized {out['summarized']} of {len(ids)} "
                        f"({out['by_status']}), {len(out['failed_ids'])} failed (retried next); tokens in/out "
                        f"{out['tokens'][0]}/{out['tokens'][1]}" + (f"; {out['budget_reached']}: {out['left']} wait for the next run"
                                                             if out["budget_reached"] else "")
                        + (f"; {out['claimed_elsewhere']} left to another run summarizing them at the same time"
                           if out["claimed_elsewhere"] else ""),
                        items=out["summarized"], failures=len(out["failed_ids"]))
        return out


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
        from motion_ops.llm.cascade import TerminalError
        from motion_ops.summaries.retry import retry_failed

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        if self.plan is None:
            raise AirflowFailException("plan_summaries did not finish (no plan); nothing is published. Clear it.")
        plan = [list(b["ids"]) for b in self.plan]
        cascade = self.cascade(p)
        with self.store() as store:
            if any(plan):  # nothing planned: nothing is sent (and none needs approving)
                self.require_approval(store, cascade)
            try:
                out = retry_failed(store, cascade, plan=plan, results=[r for r in (self.results or []) if isinstance(r, dict)],
                                   batch_size=p.batch_size, max_failure_ratio=p.max_failure_ratio,
                                   quarantine_after=p.summary_max_failures, ctx=self.run_context(context),
                                   budget=self.budget(p), claim_ttl=self.claim_ttl())
            except TerminalError as exc:
                raise self.terminal(exc) from exc
            except FailureRatioExceeded as exc:
                raise AirflowFailException(str(exc)) from exc
            self.finish(context, store, f"retried {out['retried']} with batch size {out['batch_size']}: "
                        f"{out['recovered']} recovered, {len(out['failed_ids'])} still failing {out['failed_by_class']} "
                        f"(ratio {out['failure_ratio']:.3f}), {out['quarantined']} quarantined; run spent "
                        f"{out['spent']['tokens']} tokens, cost {out['spent']['cost']:.4f}"
                        + (f"; {out['budget_reached']}" if out["budget_reached"] else "")
                        + (f"; {out['claimed_elsewhere']} left to another run summarizing them at the same time"
                           if out["claimed_elsewhere"] else ""),
                        items=out["recovered"], failures=len(out["failed_ids"]))
        return out


class QaSummariesOperator(_SummaryOperator):
    """Check a sample of the run's summaries again (schema, faithfulness, provenance, plain
    language); the report goes beside the QA reports (``summaries-<run>.json``); a failing QA
    publishes nothing."""

    template_fields = ("failure_ratio",)

    def __init__(self, *, failure_ratio: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.failure_ratio = failure_ratio

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.reports.names import file_safe
        from motion_ops.summaries.qa import qa

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        folder = self.reports_dir(p)
        ctx = self.run_context(context)
        with self.store() as store:
            report = qa(store, run_id=str(ctx.run_id), sample_size=p.qa_sample_size)
            report["failure_ratio"] = float(self.failure_ratio or 0.0)
            path = folder / f"summaries-{file_safe(str(ctx.run_id))}.json"
            path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
            self.finish(context, store, f"QA {'passed' if report['passed'] else 'FAILED'} on {report['sampled']} of "
                        f"{report['stored']} summaries {report['by_status']}; report {path}", items=report["sampled"],
                        failures=len(report["failures"]))
        if not report["passed"]:
            raise AirflowFailException(f"summary QA failed ({report['checks']}); nothing is published; see {path}")
        return {"passed": True, "report": str(path), "stored": report["stored"]}


class PublishSummariesOperator(_SummaryOperator):
    """Make the run's summaries visible to readers (QA passed)."""

    ui_color = "#e3f4e1"

    def execute(self, context: Any) -> int:
        from motion_ops.summaries.publish import publish

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        ctx = self.run_context(context)
        with self.store() as store:
            n = publish(store, run_id=str(ctx.run_id))
            self.finish(context, store, f"published {n} summaries of run {ctx.run_id}", items=n)
        return n


class AnnounceTextsOperator(MotionOpsOperator):
    """In ``motion_enrichment``: updates the Asset ``motion_texts`` (its outlet) when the sync wrote
    motions or fetched body texts, so ``motion_summaries`` runs for them without waiting a night;
    skips (no Asset event) when nothing changed or the sync left no summary."""

    template_fields = ("summary",)
    ui_color = "#f6efe0"

    def __init__(self, *, summary: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.summary = summary

    def execute(self, context: Any) -> dict[str, int]:
        from airflow.sdk.exceptions import AirflowSkipException

        s = self.summary if isinstance(self.summary, dict) else {}
        changed = {"motions_written": int((s.get("assembly") or {}).get("written", 0) or 0),
                   "bodies_fetched": int((s.get("bodies") or {}).get("fetched", 0) or 0)}
        if s.get("dry_run") or not any(changed.values()):
            raise AirflowSkipException(f"no motion text changed ({changed}): motion_summaries is not triggered")
        for outlet in self.outlets:
            context["outlet_events"][outlet].extra = changed
        self.log.info("motion texts changed %s: the Asset event triggers motion_summaries", changed)
        return changed
