"""Airflow operators of the nightly DAG: each builds its clients through the hooks and calls
one function of :mod:`motion_ops`. Params come from the run (``context["params"]``)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.audit import RunContext
from motion_ops.hooks import EmbeddingsHook, MotionDbHook, MotionFeedHook

MAX_MAP_LENGTH_DEFAULT = 1024


def run_context(context: Any) -> RunContext:
    ti = context["ti"]
    idx = getattr(ti, "map_index", -1)
    return RunContext(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id, map_index=None if idx is None or idx < 0 else idx)


def run_window(context: Any) -> tuple[dt.date | None, dt.date | None]:
    """The date window of a run: ``since``/``until`` params, else a backfill run's data interval."""
    p = context["params"]
    if p.get("since") or p.get("until"):
        return (dt.date.fromisoformat(p["since"]) if p.get("since") else None,
                dt.date.fromisoformat(p["until"]) if p.get("until") else None)
    run_type = getattr(context["dag_run"], "run_type", None)
    if getattr(run_type, "value", run_type) == "backfill":
        tz = "Europe/Amsterdam"
        start, end = context["data_interval_start"], context["data_interval_end"]
        return start.in_timezone(tz).date(), end.in_timezone(tz).date()
    return None, None


def _skip_if_dry_run(context: Any) -> None:
    if context["params"].get("dry_run"):
        raise AirflowSkipException("dry_run: nothing is written")


class SyncContentOperator(BaseOperator):
    """Sync the feed, assemble motions, fetch bodies; return the embedding plan (a list of
    ``{"batch_index", "ids"}``) for ``embed_missing`` to map over; the summary goes to XCom ``summary``."""

    ui_color = "#e8f1fb"

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from motion_ops.embedding import plan_batches
        from motion_ops.sync import SyncParams, run_sync

        p = context["params"]
        since, until = run_window(context)
        model = EmbeddingsHook().model()
        with MotionDbHook().get_conn() as store:
            store.migrate()
            summary: dict[str, Any] = {"window": [str(since), str(until)], "model": model}
            if not p.get("dry_run"):
                client = MotionFeedHook().get_conn(pool_size=int(p["max_body_workers"]))
                try:
                    summary.update(run_sync(store, client, SyncParams(
                        max_pages=p.get("max_pages"), max_body_workers=int(p["max_body_workers"]),
                        body_max_failures=int(p["body_max_failures"]), since=since, until=until), run_context(context)))
                finally:
                    client.close()
            max_map = int(os.environ.get("AIRFLOW__CORE__MAX_MAP_LENGTH", MAX_MAP_LENGTH_DEFAULT))
            max_batches = min(int(p["max_batches"] or max_map), max_map)
            batches, left = plan_batches(store, model=model, batch_size=int(p["batch_size"]), max_batches=max_batches,
                                         since=since, until=until)
        plan = [] if p.get("dry_run") else [{"batch_index": i, "ids": ids} for i, ids in enumerate(batches)]
        summary.update({"planned_batches": len(batches), "planned_motions": sum(map(len, batches)), "left_for_next_run": left})
        context["ti"].xcom_push(key="summary", value=summary)
        self.log.info("sync_content: %s", {k: v for k, v in summary.items() if k != "categories"})
        return plan  # return_value: what embed_missing maps over


class EmbedMissingOperator(BaseOperator):
    """Embed one planned batch (mapped over ``batch``) and upsert its vectors."""

    template_fields = ("batch",)

    def __init__(self, *, batch: dict[str, Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.embedding import embed_batch

        ids = list(self.batch["ids"])
        context["batch_label"] = f"batch {self.batch['batch_index']} ({len(ids)} motions)"
        embedder = EmbeddingsHook().get_conn()
        with MotionDbHook().get_conn() as store:
            return embed_batch(store, embedder, ids, batch_index=int(self.batch["batch_index"]))


class RetryFailedOperator(BaseOperator):
    """Retry the failed ids of every ``embed_missing`` instance (failed instances included) with
    half the batch size; audit what still fails; fail above ``max_failure_ratio``."""

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.embedding import FailureRatioExceeded, retry_failed

        _skip_if_dry_run(context)
        p, ti = context["params"], context["ti"]
        plan = ti.xcom_pull(task_ids="sync_content")
        if plan is None:  # all_done also runs after a failed sync: never compute on a failed sync
            raise RuntimeError("sync_content did not finish (no batch plan); clear sync_content to re-run the night")
        # failed instances push nothing; a single value comes back bare, several as a list
        pulled = ti.xcom_pull(task_ids="embed_missing", map_indexes=list(range(len(plan)))) if plan else []
        pulled = [pulled] if isinstance(pulled, dict) else list(pulled or [])
        results = [r for r in pulled if isinstance(r, dict)]
        embedder = EmbeddingsHook().get_conn()
        with MotionDbHook().get_conn() as store:
            try:
                return retry_failed(store, embedder, plan=[b["ids"] for b in plan], results=results,
                                    batch_size=int(p["batch_size"]), max_failure_ratio=float(p["max_failure_ratio"]),
                                    quarantine_after=int(p["embed_max_failures"]), ctx=run_context(context))
            except FailureRatioExceeded as exc:  # not transient: no automatic retry, a person must look
                raise AirflowFailException(str(exc)) from exc


class ComputeSimilarityOperator(BaseOperator):
    """Compute a new, unpublished similarity version."""

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.versions import compute_version

        _skip_if_dry_run(context)
        if run_window(context) != (None, None):
            # a backfill / since-until run fills in a slice of history; similarity is a whole-corpus
            # product that would fail QA coverage mid-backfill: the next full run computes and publishes
            raise AirflowSkipException("windowed run: similarity is computed and published by the next full run")
        p = context["params"]
        model = EmbeddingsHook().model()
        with MotionDbHook().get_conn() as store:
            return compute_version(store, model=model, top_n=int(p["top_n"]), vote_weight=float(p["vote_weight"]),
                                   seat_weighted=bool(p["seat_weighted"]), run_id=context["ti"].run_id,
                                   incremental_threshold=float(p["incremental_threshold"]))


class QaSampleOperator(BaseOperator):
    """Check the new version; fail (so it is not published) unless ``qa_enforce`` is false."""

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.qa import Thresholds, run_qa

        _skip_if_dry_run(context)
        p, ti = context["params"], context["ti"]
        version = ti.xcom_pull(task_ids="compute_similarity")["version"]
        retry = ti.xcom_pull(task_ids="retry_failed") or {}
        reports = Path(p.get("qa_reports_dir") or Path(os.environ.get("AIRFLOW_HOME", ".")) / "qa_reports")
        thresholds = Thresholds(min_coverage=float(p["qa_min_coverage"]), max_failure_ratio=float(p["max_failure_ratio"]),
                                max_score_shift=float(p["qa_max_score_shift"]), min_relevance=float(p["qa_min_relevance"]))
        with MotionDbHook().get_conn() as store:
            report = run_qa(store, version=version, run_id=ti.run_id, sample_size=int(p["qa_sample_size"]),
                            failure_ratio=float(retry.get("failure_ratio", 0.0)), thresholds=thresholds, reports_dir=reports)
            if not report["passed"]:
                failed = [c["name"] for c in report["checks"] if not c["passed"]]
                if p["qa_enforce"]:
                    store.execute("reject_version", {"version": version})
                    raise AirflowFailException(f"QA failed for similarity version {version} ({', '.join(failed)}); it is not "
                                   f"published and readers keep the previous version. Report: {report['html']}")
                self.log.warning("QA failed (%s) but qa_enforce is false: version %d will be published", failed, version)
        return report


class PublishSimilarityOperator(BaseOperator):
    """Make the checked version the one readers see (``motion_related``)."""

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.versions import publish

        _skip_if_dry_run(context)
        version = context["ti"].xcom_pull(task_ids="compute_similarity")["version"]
        with MotionDbHook().get_conn() as store:
            return publish(store, version, keep_versions=int(context["params"]["keep_versions"]))
