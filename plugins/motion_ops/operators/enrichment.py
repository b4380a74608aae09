"""Airflow operators of ``motion_enrichment``: each takes its inputs as arguments written in the
DAG (XComArgs in ``template_fields``), builds its clients through the hooks, calls one stage
function of :mod:`motion_ops` and concludes with its outcome. Nothing heavy is imported until ``execute``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink
from airflow.sdk.exceptions import AirflowFailException

from motion_ops.hooks import EmbeddingsHook, MotionFeedHook
from motion_ops.operators.base import MotionOpsOperator


class MigrateStoreOperator(MotionOpsOperator):
    """Apply the store's pending SQL migrations (idempotent); a dry run only checks them."""

    ui_color = "#f0f0f0"

    def execute(self, context: Any) -> list[str]:
        from motion_ops.store.db import migrate_step

        p = self.run_params(context)  # the first task: bad params stop the run before anything is written
        if not p.dry_run and hasattr(p, "qa_reports_dir"):  # a DAG that writes reports: a usable folder first
            self.reports_dir(p)
        with self.store() as store:
            return self.conclude(context, store, migrate_step(store, dry_run=p.dry_run))


class SyncContentOperator(MotionOpsOperator):
    """Sync the feed, assemble motions, fetch bodies; return the embedding plan (a list of
    ``{"batch_index", "ids"}``) for ``embed_missing`` to map over; the summary goes to XCom ``summary``."""

    ui_color = "#e8f1fb"

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from motion_ops.content import sync_content

        p = self.run_params(context)
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        with self.store() as store:
            out = sync_content(store, lambda: MotionFeedHook(self.motion_feed_conn_id).get_conn(pool_size=p.max_body_workers),
                               p, model=hook.model(), config=hook.config(), window=self.window(context, p),
                               max_map=self.max_map(), ctx=self.run_context(context))
            return self.conclude(context, store, out)


class AnnounceTextsOperator(MotionOpsOperator):
    """Updates the Asset ``motion_texts`` (its outlet) when the sync wrote motions or fetched body
    texts, so ``motion_summaries`` runs for them without waiting a night; skips (no Asset event)
    when nothing changed or the sync left no summary."""

    template_fields = ("summary",)
    ui_color = "#f6efe0"

    def __init__(self, *, summary: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.summary = summary

    def execute(self, context: Any) -> dict[str, int]:
        from motion_ops.content import texts_changed

        return self.conclude(context, None, texts_changed(self.summary))


class EmbedMissingOperator(MotionOpsOperator):
    """Embed one planned batch (mapped over ``batch``) and upsert its vectors."""

    template_fields = ("batch",)

    def __init__(self, *, batch: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.batched import batch_label
        from motion_ops.embeddings import DimensionConflict, embed_step

        context["batch_label"] = batch_label(self.batch)
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        embedder = hook.get_conn()
        with self.store() as store, self.failing_on(DimensionConflict):  # configuration: retrying cannot help
            out = embed_step(store, embedder, hook.config(), self.batch, run_id=self.run_context(context).run_id,
                             claim_ttl=self.claim_ttl())
            return self.conclude(context, store, out)


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
        from motion_ops.embeddings import DimensionConflict, retry_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        if self.plan is None:  # all_done also runs after a failed sync: never go on to a similarity from it
            raise AirflowFailException("sync_content did not finish (no batch plan); nothing is computed or "
                                       "published. Fix what sync_content reported, then clear it")
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        embedder = hook.get_conn()
        with self.store() as store, self.failing_on(FailureRatioExceeded, DimensionConflict):  # a person must look
            out = retry_step(store, embedder, hook.config(), plan=list(self.plan), results=self.results, params=p,
                             manual=self.manual_run(context), ctx=self.run_context(context), claim_ttl=self.claim_ttl())
            return self.conclude(context, store, out)


class ComputeSimilarityOperator(MotionOpsOperator):
    """Compute a new, unpublished similarity version; pushes ``version`` (and the rest of the summary)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("multiple_outputs", True)
        super().__init__(**kwargs)

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.similarity import similarity_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        with self.store() as store:
            out = similarity_step(store, EmbeddingsHook(self.motion_embeddings_conn_id).config(), params=p,
                                  windowed=self.window(context, p) != (None, None), manual=self.manual_run(context),
                                  run_id=context["ti"].run_id)
            return self.conclude(context, store, out)


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
        from motion_ops.qa import qa_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        reports = self.reports_dir(p)
        with self.store() as store:
            out = qa_step(store, version=int(self.version), run_id=context["ti"].run_id, params=p, reports_dir=reports,
                          failure_ratio=float(self.failure_ratio or 0.0), try_number=self.try_number(context))
            return self.conclude(context, store, out)


class PublishSimilarityOperator(MotionOpsOperator):
    """Make ``version`` the one readers see (``motion_related``); keep ``keep_versions`` older ones.
    The outlet ``motion_similarity``'s event carries the version, the model and the QA verdict."""

    template_fields = ("version",)

    def __init__(self, *, version: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.version = version

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.publish import publish_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        with self.store() as store:
            return self.conclude(context, store, publish_step(store, int(self.version), keep_versions=p.keep_versions))
