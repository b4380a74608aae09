"""The pilots and the human approval: ``pilot_summaries`` and ``pilot_embeddings`` run
:func:`motion_ops.piloting.pilot_step` on what they pilot; the approval step after it asks a
person in the Airflow UI (the standard provider's human-in-the-loop ApprovalOperator) and stores
the decision. Reject: the rest of the run is skipped (with ``fail_on_reject``, the embeddings'
step, the step fails so the run shows it); no decision within ``approval_timeout_hours``: the run
fails, saying so; a run nobody waits at (pending) skips the paid step."""
from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import EmbeddingsHook, MotionDbHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.operators.summaries import _SummaryOperator


def _pilot(op: Any, context: Any, params: Any, subject: Any, connect: Any, *, verb: str, what: str,
           by_hand: bool = True) -> Any:
    """Run :func:`~motion_ops.piloting.pilot_step` for the pilot operator ``op`` (its ``plan`` and ``plan_summary``)."""
    from motion_ops.piloting import pilot_step

    with op.store() as store:
        out = pilot_step(store, subject, connect, verb=verb, what=what, plan=op.plan, plan_summary=op.plan_summary,
                         params=params, folder=lambda: op.reports_dir(params), ctx=op.run_context(context),
                         by_hand=by_hand, claim_ttl=op.claim_ttl())
        return op.conclude(context, store, out)


class PilotSummariesOperator(_SummaryOperator):
    """A stratified sample of the plan through the chain, when the chain (with this prompt) has
    not been approved and is not the extractive summarizer; its report beside the QA reports."""

    template_fields = ("plan", "plan_summary")
    ui_color = "#fff4d6"

    def __init__(self, *, plan: Any, plan_summary: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.plan, self.plan_summary = plan, plan_summary

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops import pilot
        from motion_ops.summaries.plan import PROMPT_KEY

        p = self.run_params(context)
        chain = pilot.SummaryChain(self.cascade(p), PROMPT_KEY)
        with self.refused():
            return _pilot(self, context, p, chain, lambda: chain, verb="summarize",
                          what="summarize the backlog with this chain")


class PilotEmbeddingsOperator(MotionOpsOperator):
    """A stratified sample of the embedding plan through the connection's model, when that model
    has not been approved and is not an embedded default; its report beside the QA reports. In a
    run nobody triggered by hand (the nightly one, a backfill) the decision is asked without
    waiting: stored as pending (``approvals list``, ``status``), ``approve_embeddings`` skips the
    paid step with the reason; a model piloted before and still pending, or rejected, is not
    piloted again in such a run."""

    template_fields = ("plan", "plan_summary")
    ui_color = "#fff4d6"

    def __init__(self, *, plan: Any, plan_summary: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.plan, self.plan_summary = plan, plan_summary

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops import pilot

        p = self.run_params(context)
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        config = hook.config()
        return _pilot(self, context, p, pilot.EmbeddingModel(config), lambda: pilot.EmbeddingModel(config, hook.get_conn()),
                      verb="embed", what="embed the backlog with this model", by_hand=self.manual_run(context))


class PilotApprovalOperator(ApprovalOperator):
    """Waits for a person's decision on the pilot (Approve / Reject in the UI's Required Actions, or
    the REST API's hitlDetails); passes at once when no pilot was needed."""

    template_fields = ("subject", "body", "pilot")
    ui_color = "#ffe0b2"

    def __init__(self, *, pilot: Any, motion_db_conn_id: str = MotionDbHook.default_conn_name,
                 fail_on_reject: bool = False, **kwargs: Any):
        kwargs.setdefault("subject", "Approve the pilot's chain or model?")
        kwargs.setdefault("body", "The pilot's estimate is filled in when the run reaches this step.")
        super().__init__(ignore_downstream_trigger_rules=True, **kwargs)
        self.pilot, self.motion_db_conn_id, self.fail_on_reject = pilot, motion_db_conn_id, fail_on_reject

    def execute(self, context: Any) -> Any:
        from motion_ops.piloting import approval_request, pending_skip

        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        if pilot.get("pending"):  # a run nobody waits at: no decision asked here, the paid step is skipped
            raise AirflowSkipException(pending_skip(pilot, context["ti"].dag_id))
        if not pilot.get("needed"):
            self.log.info("no approval needed: %s", pilot.get("reason", "no pilot ran"))
            return {"approved": True, "pilot": False, "reason": pilot.get("reason")}
        self._timeout_from_params(context)
        self.subject, self.body = approval_request(pilot, context["ti"].dag_id, self.response_timeout)
        return super().execute(context)

    def _timeout_from_params(self, context: Any) -> None:
        from motion_ops.piloting import response_timeout

        self.response_timeout = response_timeout(context.get("params")) or self.response_timeout

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        from motion_ops.piloting import decide, responder, timed_out

        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        self._timeout_from_params(context)  # a resumed task is built afresh from the DAG file
        if "error" in event:
            if event.get("error_type") == "timeout":
                raise AirflowFailException(timed_out(pilot, self.response_timeout))
            return super().execute_complete(context=context, event=event)
        approved, by = (event.get("chosen_options") or [None])[0] == self.APPROVE, responder(event)
        with MotionDbHook(self.motion_db_conn_id).get_conn() as store:
            rejected = decide(store, pilot, approved=approved, by=by, run_id=context["ti"].run_id)
        self.log.info("%s %s for %s", by, "approved" if approved else "rejected", pilot["chain"])
        if rejected and self.fail_on_reject:  # visible in the run's state, not a green run
            raise AirflowFailException(rejected)
        return super().execute_complete(context=context, event=event)
