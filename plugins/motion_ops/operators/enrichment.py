"""Airflow operators of ``motion_enrichment``: each takes its inputs as arguments written in the
DAG (XComArgs in ``template_fields``), builds its clients through the hooks and calls one
function of :mod:`motion_ops`. Nothing heavy is imported until ``execute``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import EmbeddingsHook, MotionFeedHook
from motion_ops.operators.base import MotionOpsOperator


class MigrateStoreOperator(MotionOpsOperator):
    """Apply the store's pending SQL migrations (idempotent); a dry run only reports them."""

    ui_color = "#f0f0f0"

    def execute(self, context: Any) -> list[str]:
        p = self.run_params(context)  # the first task: bad params stop the run before anything is written
        if not p.dry_run:
            self.reports_dir(p)
        with self.store() as store:
            pending = store.pending_migrations()
            if p.dry_run:
                if pending:
                    raise AirflowFailException(f"dry_run: the store needs migrations {', '.join(pending)}; run once "
                                               "without dry_run (or `python -m motion_ops migrate`) first")
                self.log.info("migrate_store: schema up to date (dry run: nothing applied)")
                return []
            applied = store.migrate()
            self.finish(context, store, f"applied migrations {', '.join(applied)}" if applied else
                        "schema up to date: no migration pending", items=len(applied))
        return applied


class SyncContentOperator(MotionOpsOperator):
    """Sync the feed, assemble motions, fetch bodies; return the embedding plan (a list of
    ``{"batch_index", "ids"}``) for ``embed_missing`` to map over; the summary goes to XCom ``summary``."""

    ui_color = "#e8f1fb"

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.configuration import conf

        from motion_ops.batched import Budget
        from motion_ops.bodies import BodyParams
        from motion_ops.embeddings import plan, within_budget
        from motion_ops.sync import FeedIncomplete, run_sync, summary_counts, summary_line

        p = self.run_params(context)
        since, until = self.window(context, p)
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        config, model = hook.config(), hook.model()
        summary: dict[str, Any] = {"window": [str(since), str(until)], "model": model}
        with self.store() as store:
            if not p.dry_run:
                client = MotionFeedHook(self.motion_feed_conn_id).get_conn(pool_size=p.max_body_workers)
                try:
                    summary.update(run_sync(store, client, max_pages=p.max_pages, ctx=self.run_context(context),
                                            bodies=BodyParams(workers=p.max_body_workers, max_failures=p.body_max_failures,
                                                              since=since, until=until)))
                finally:
                    client.close()
            max_map = conf.getint("core", "max_map_length")  # Airflow's own cap on mapped instances
            max_batches = min(p.max_batches or max_map, max_map)
            batches, left = plan(store, model=model, batch_size=p.batch_size, max_batches=max_batches,
                                         since=since, until=until)
            batches, spend = within_budget(store, batches, Budget(max_tokens=p.max_tokens, max_cost=p.max_cost),
                                           p.batch_size, price_per_1k=config.price_per_1k,
                                           max_input_chars=config.max_input_chars)
            plan = [] if p.dry_run else [{"batch_index": i, "ids": ids} for i, ids in enumerate(batches)]
            summary.update({"planned_batches": len(batches), "planned_motions": sum(map(len, batches)),
                            "left_for_next_run": left + spend["budget_left_out"], "dry_run": p.dry_run, **spend})
            entities, failures = summary_counts(summary)
            self.finish(context, store, summary_line(summary), items=entities, failures=failures, write=not p.dry_run)
        context["ti"].xcom_push(key="summary", value=summary)
        if summary.get("problem"):  # after everything else is stored: the run turns red, nothing is republished
            # every request was retried already; the next night (or a clear) tries again
            raise AirflowFailException(f"sync_content: {summary['problem']}") from FeedIncomplete(summary["problem"])
        return plan  # return_value: what embed_missing maps over


class EmbedMissingOperator(MotionOpsOperator):
    """Embed one planned batch (mapped over ``batch``) and upsert its vectors."""

    template_fields = ("batch",)

    def __init__(self, *, batch: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.embeddings import DimensionConflict, batch_line, embed_batch

        ids = list(self.batch["ids"])
        context["batch_label"] = f"batch {self.batch['batch_index']} ({len(ids)} motions)"
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        embedder = hook.get_conn()
        with self.store() as store:
            self.require_approval(store, hook.config())
            try:
                out = embed_batch(store, embedder, ids, batch_index=int(self.batch["batch_index"]),
                                  run_id=self.run_context(context).run_id, claim_ttl=self.claim_ttl())
            except DimensionConflict as exc:  # configuration: retrying cannot help
                raise AirflowFailException(str(exc)) from exc
            self.finish(context, store, batch_line(out, len(ids)), items=out["embedded"],
                        failures=out.get("failed_count", len(out.get("failed_ids", []))))
        return out


class RetryFailedOperator(MotionOpsOperator):
    """Retry the failed ids of every ``embed_missing`` instance (failed instances included: their
    ids come from ``plan``) with half the batch size; audit what still fails; fail above
    ``max_failure_ratio``. Pushes each summary key as its own XCom (e.g. ``failure_ratio``)."""

    template_fields = ("plan", "results")

    def __init__(self, *, plan: Any, results: Any, **kwargs: Any):
        kwargs.setdefault("multiple_outputs", True)
        super().__init__(**kwargs)
        self.plan = plan
        self.results = results

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.batched import FailureRatioExceeded
        from motion_ops.embeddings import DimensionConflict, retry_failed, retry_line

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        if self.plan is None:  # all_done also runs after a failed sync: never go on to a similarity from it
            raise AirflowFailException("sync_content did not finish (no batch plan); nothing is computed or "
                                       "published. Fix what sync_content reported, then clear it")
        from motion_ops.batched import halved

        plan = list(self.plan)
        results = [r for r in (self.results or []) if isinstance(r, dict)]  # failed instances pushed nothing
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        embedder = hook.get_conn()
        with self.store() as store:
            if any(b["ids"] for b in plan):  # nothing planned: nothing is sent (and none needs approving)
                pending = self.pending_approval(context, store, hook.config())
                if pending:  # a nightly run goes on without the paid step (approve_embeddings says why)
                    self.finish(context, store, f"nothing retried: {pending}")
                    return {"retried": 0, "recovered": 0, "failed_ids": [], "quarantined": 0, "failed_instances": [],
                            "failure_ratio": 0.0, "batch_size": halved(p.batch_size), "failed_of_planned": "0/0",
                            "pending_approval": pending}
                self.require_approval(store, hook.config())
            try:
                out = retry_failed(store, embedder, plan=[b["ids"] for b in plan], results=results,
                                   batch_size=p.batch_size, max_failure_ratio=p.max_failure_ratio,
                                   quarantine_after=p.embed_max_failures, ctx=self.run_context(context),
                                   claim_ttl=self.claim_ttl())
            except (FailureRatioExceeded, DimensionConflict) as exc:  # not transient: no retry, a person must look
                raise AirflowFailException(str(exc)) from exc
            self.finish(context, store, retry_line(out, sum(len(b["ids"]) for b in plan)), items=out["recovered"],
                        failures=len(out["failed_ids"]))
        return out


class ComputeSimilarityOperator(MotionOpsOperator):
    """Compute a new, unpublished similarity version; pushes ``version`` (and the rest of the summary)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("multiple_outputs", True)
        super().__init__(**kwargs)

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.numerics.relatedness import Weights
        from motion_ops.similarity import compute_version

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        if self.window(context, p) != (None, None):
            # a backfill / since-until run fills in a slice of history; similarity is a whole-corpus
            # product that would fail QA coverage mid-backfill: the next full run computes and publishes
            raise AirflowSkipException("windowed run: similarity is computed and published by the next full run")
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        model = hook.model()
        with self.store() as store:
            from motion_ops.switch import progress

            pending = self.pending_approval(context, store, hook.config())
            cov = store.fetch_one("select_coverage", {"model": model}) if pending else None
            if cov and (cov["embedded"] < p.qa_min_coverage * cov["with_text"] or not cov["embedded"]):
                line = (f"nothing to compute: {cov['embedded']:,} of {cov['with_text']:,} motions have a vector of {model}, "
                        f"which waits for a decision; readers keep the published version")
                self.finish(context, store, line)
                raise AirflowSkipException(line)

            switching = progress(store, model, min_coverage=p.qa_min_coverage)
            if switching:  # a green night: readers keep the old model's version, QA is not asked to fail it
                self.finish(context, store, switching["line"], items=switching["embedded"])
                raise AirflowSkipException(switching["line"])
            weights = Weights(text=p.text_weight, votes=p.vote_weight, dossier=p.dossier_weight, debate=p.debate_weight,
                              submitters=p.submitter_weight, min_common_parties=p.min_common_parties)
            out = compute_version(store, model=model, top_n=p.top_n, weights=weights, min_score=p.min_score,
                                  run_id=context["ti"].run_id, incremental_threshold=p.incremental_threshold)
            self.finish(context, store, f"version {out['version']} computed ({out['mode']}): {out['motions']} motions, "
                        f"{out['rows']} related-motion rows with {model}; not published until QA passes",
                        items=out["rows"])
        return out


class QaReportLink(BaseOperatorLink):
    """The task's QA report page (served from the store by the plugin at ``/motion-ops``), per try."""

    name = "QA report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return f"/motion-ops/qa/{quote(ti_key.run_id, safe='')}?try={ti_key.try_number}"


class QaSampleOperator(MotionOpsOperator):
    """Check ``version``; reject it and fail (so it is not published) unless ``qa_enforce`` is false."""

    template_fields = ("version", "failure_ratio")
    operator_extra_links = (QaReportLink(),)

    def __init__(self, *, version: Any, failure_ratio: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.version = version
        self.failure_ratio = failure_ratio

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.publish import reject
        from motion_ops.qa import Thresholds, run_qa

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        version, run_id = int(self.version), context["ti"].run_id
        reports = self.reports_dir(p)
        thresholds = Thresholds(min_coverage=p.qa_min_coverage, max_failure_ratio=p.max_failure_ratio,
                                max_score_shift=p.qa_max_score_shift, min_relevance=p.qa_min_relevance)
        with self.store() as store:
            report = run_qa(store, version=version, run_id=run_id, sample_size=p.qa_sample_size,
                            failure_ratio=float(self.failure_ratio or 0.0), thresholds=thresholds, reports_dir=reports,
                            try_number=int(getattr(context["ti"], "try_number", 1) or 1))
            failed = [c["name"] for c in report["checks"] if not c["passed"]]
            self.finish(context, store, f"QA {'PASSED' if report['passed'] else 'FAILED (' + ', '.join(failed) + ')'} for "
                        f"version {version}: {len(report['checks'])} checks; report: the task's 'QA report' link "
                        f"or {report['html']}", items=len(report["checks"]), failures=len(failed))
            if not report["passed"]:
                if p.qa_enforce:
                    reject(store, version)
                    raise AirflowFailException(f"QA failed for similarity version {version} ({', '.join(failed)}); it is "
                                               f"not published and readers keep the previous version. Report: {report['html']}")
                self.log.warning("QA failed (%s) but qa_enforce is false: version %d will be published", failed, version)
                report["published_despite"] = failed
        return report


class PublishSimilarityOperator(MotionOpsOperator):
    """Make ``version`` the one readers see (``motion_related``); keep ``keep_versions`` older ones."""

    template_fields = ("version",)

    def __init__(self, *, version: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.version = version

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.publish import StaleVersion, outcome, publish

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        with self.store() as store:
            try:
                out = publish(store, int(self.version), keep_versions=p.keep_versions)
            except StaleVersion as exc:  # e.g. an old run cleared: a newer version is what readers should see
                raise AirflowSkipException(str(exc)) from exc
            line, extra = outcome(store, out, int(self.version))
            for asset in self.outlets:  # motion_similarity: version, model and QA verdict travel with the event
                context["outlet_events"][asset].extra = extra
            self.finish(context, store, line, items=int(out["published"]))
        return out
