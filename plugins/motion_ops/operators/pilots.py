"""The pilots and the human approval: ``pilot_summaries`` (``motion_summaries``) runs a sample
through an LLM chain nobody approved yet, ``pilot_embeddings`` (``motion_enrichment``) through a
new paid embedding model; each writes its report. The approval step after it asks a person in the
Airflow UI (the standard provider's human-in-the-loop ApprovalOperator) and stores the decision.
Approve: the run goes on. Reject: the rest of the run is skipped, nothing is published (with
``fail_on_reject``, the embeddings' step, the step fails so the run shows it). No decision within
``approval_timeout_hours``: the run fails with a message saying so. For the embedding model a run
nobody triggered by hand (the nightly one) does not wait: the decision is stored as pending and the
paid step is skipped, so the night goes on and the next one is not blocked."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.hooks import EmbeddingsHook, MotionDbHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.operators.summaries import _SummaryOperator
from motion_ops.reports.names import file_safe


def _stem(dag_id: str, run_id: str) -> str:
    return "pilot-" + file_safe(f"{dag_id}-{run_id}")


def _backlog(plan: Any, plan_summary: Any) -> tuple[list[str], int]:
    """The planned ids and how many more wait for later runs."""
    ids = [i for b in (plan or []) for i in b["ids"]]
    return ids, int((plan_summary or {}).get("left_for_next_run", 0))


def _keep(op: MotionOpsOperator, context: Any, store: Any, report: dict[str, Any], why: str, what: str,
          params: Any) -> dict[str, Any]:
    """Write the report beside the QA reports and in the store; what the approval step shows."""
    from motion_ops import pilot

    ctx = op.run_context(context)
    js, page = pilot.write(report, op.reports_dir(params), _stem(ctx.dag_id, ctx.run_id))
    store.execute("upsert_pilot_report", {"run_id": ctx.run_id, "chain": report["chain"], "prompt_key": report["prompt_key"],
                                          "report": json.dumps(report, default=str), "report_path": str(page)})
    line = pilot.estimate_line(report)
    op.finish(context, store, f"pilot: {line}; report {page}", items=report["sampled"],
              failures=sum(report["failures_by_class"].values()))
    return {"needed": True, "reason": why, "chain": report["chain"], "prompt_key": report["prompt_key"], "line": line,
            "estimate": report["estimate"], "pass_rate": report["pass_rate"], "report": str(page), "json": str(js),
            "what": what}


class _PilotOperator(MotionOpsOperator):
    """What both pilots do: nothing in a dry run, nothing for an approved chain or model or an
    empty plan (the one-line summary says why), else a sample of the plan through it and its
    report. Subclasses say what is piloted (:meth:`subject`), whether it needs one
    (:meth:`needed`) and how it is run (:meth:`pilot`)."""

    template_fields = ("plan", "plan_summary")
    ui_color = "#fff4d6"
    verb = ""  # what the backlog gets: "summarize", "embed"
    what = ""  # what approving does, as the approval step says it

    def __init__(self, *, plan: Any, plan_summary: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.plan, self.plan_summary = plan, plan_summary

    def execute(self, context: Any) -> dict[str, Any]:
        p = self.run_params(context)
        if p.dry_run:
            return {"needed": False, "reason": "dry run"}
        subject = self.subject(p)
        with self.store() as store:
            required, why = self.needed(store, subject)
            if not required:
                self.finish(context, store, f"no pilot: {why}")
                return {"needed": False, "reason": why}
            ids, left = _backlog(self.plan, self.plan_summary)
            if not ids:
                self.finish(context, store, f"no pilot: nothing to {self.verb} in this run ({why})")
                return {"needed": False, "reason": f"nothing to {self.verb} ({why})"}
            from motion_ops import pilot

            report = self.pilot(store, subject, pilot.sample(store, ids, p.pilot_size), ids, left,
                                self.run_context(context).run_id)
            return _keep(self, context, store, report, why, self.what, p)


class PilotSummariesOperator(_PilotOperator, _SummaryOperator):
    """A stratified sample of the plan through the chain, when the chain (with this prompt) has
    not been approved and is not the extractive summarizer; its report beside the QA reports."""

    verb, what = "summarize", "summarize the backlog with this chain"

    def subject(self, params: Any) -> Any:
        return self.cascade(params)

    def needed(self, store: Any, cascade: Any) -> tuple[bool, str]:
        from motion_ops import pilot
        from motion_ops.summaries.plan import PROMPT_KEY

        return pilot.needed(store, pilot.SummaryChain(cascade, PROMPT_KEY))

    def pilot(self, store: Any, cascade: Any, sample: list[str], ids: list[str], left: int,
              run_id: str | None) -> dict[str, Any]:
        from motion_ops import pilot
        from motion_ops.llm.cascade import TerminalError
        from motion_ops.summaries.plan import PROMPT_KEY

        try:
            return pilot.run(store, pilot.SummaryChain(cascade, PROMPT_KEY), sample, backlog_ids=ids, left_out=left,
                             run_id=run_id, claim_ttl=self.claim_ttl())
        except TerminalError as exc:
            raise self.terminal(exc) from exc


class PilotEmbeddingsOperator(_PilotOperator):
    """A stratified sample of the embedding plan through the connection's model, when that model
    has not been approved and is not an embedded default; its report beside the QA reports."""

    verb, what = "embed", "embed the backlog with this model"

    def subject(self, params: Any) -> Any:
        hook = EmbeddingsHook(self.motion_embeddings_conn_id)
        return hook, hook.config()

    def needed(self, store: Any, subject: Any) -> tuple[bool, str]:
        from motion_ops import pilot

        return pilot.needed(store, pilot.EmbeddingModel(subject[1]))

    def pilot(self, store: Any, subject: Any, sample: list[str], ids: list[str], left: int,
              run_id: str | None) -> dict[str, Any]:
        from motion_ops import pilot

        hook, config = subject
        return pilot.run(store, pilot.EmbeddingModel(config, hook.get_conn()), sample, backlog_ids=ids, left_out=left,
                         run_id=run_id, claim_ttl=self.claim_ttl())

    def execute(self, context: Any) -> dict[str, Any]:
        """In a run nobody triggered by hand (the nightly one, a backfill) the decision is asked
        without waiting: the pilot's decision is stored as pending (``approvals list``, ``status``)
        and ``approve_embeddings`` skips the paid step with the reason; a model piloted before and
        still pending, or rejected, is not piloted again in such a run."""
        from motion_ops import pilot as pilots
        from motion_ops.store.approvals import EMBEDDINGS_KEY
        from motion_ops.store.approvals import embedding_chain as chain

        if self.manual_run(context):
            return super().execute(context)
        p = self.run_params(context)
        ids, _ = _backlog(self.plan, self.plan_summary)
        if not p.dry_run and ids:
            subject = self.subject(p)
            name = chain(subject[1])
            with self.store() as store:
                required, why = self.needed(store, subject)
                earlier = pilots.decision(store, name, EMBEDDINGS_KEY)
                if required and earlier and earlier["decision"] in (pilots.PENDING, pilots.REJECTED):
                    line = (f"{why}: not piloted again in a run nobody triggered by hand "
                            f"(report {earlier.get('report_path') or 'see approvals list'})")
                    self.finish(context, store, f"no pilot: {line}")
                    return {"needed": True, "pending": True, "chain": name, "prompt_key": EMBEDDINGS_KEY, "reason": line}
        out = super().execute(context)
        if out.get("needed"):
            with self.store() as store:
                pilots.record(store, chain=out["chain"], prompt_key=out["prompt_key"], decision_=pilots.PENDING,
                              by=f"pilot of {context['ti'].run_id}", run_id=context["ti"].run_id,
                              report_path=out.get("report"))
            out["pending"] = True
            out["reason"] = f"{out['chain']} was piloted ({out['line']}; report {out['report']}) and waits for a decision"
        return out


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
        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        if pilot.get("pending"):  # a run nobody waits at: no decision asked here, the paid step is skipped
            raise AirflowSkipException(
                f"decision pending: {pilot.get('reason')}. The paid step is skipped in this run; the rest goes on. "
                f"Decide: trigger {context['ti'].dag_id} by hand and answer here (Browse > Required Actions), or "
                f"`python -m motion_ops approvals approve --chain '{pilot.get('chain')}' --prompt {pilot.get('prompt_key')}`")
        if not pilot.get("needed"):
            self.log.info("no approval needed: %s", pilot.get("reason", "no pilot ran"))
            return {"approved": True, "pilot": False, "reason": pilot.get("reason")}
        self._timeout_from_params(context)
        dag_id = context["ti"].dag_id
        self.subject = f"Approve {pilot['chain']} for {dag_id}?"
        e = pilot["estimate"]
        self.body = (f"**Pilot of {pilot['chain']}** ({pilot['prompt_key']})\n\n{pilot['line']}\n\n"
                     f"- motions in the backlog: {e['motions']:,}\n- estimated tokens: {e['input_tokens']:,} in, "
                     f"{e['output_tokens']:,} out\n- **estimated cost: {e['cost']:.2f}**\n\n"
                     f"Report (each motion's text beside its output): `{pilot['report']}`\n\n"
                     f"Approve: {pilot.get('what', 'go on')} (later runs skip the pilot while it stays the same). "
                     f"Reject: nothing of this run is processed or published. Decide within "
                     f"{self.response_timeout or 'no limit'}; after that the run fails.")
        return super().execute(context)

    def _timeout_from_params(self, context: Any) -> None:
        hours = (context.get("params") or {}).get("approval_timeout_hours")
        if hours:
            from motion_ops.params import approval_hours

            self.response_timeout = dt.timedelta(hours=approval_hours(hours))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        self._timeout_from_params(context)  # a resumed task is built afresh from the DAG file
        if "error" in event:
            if event.get("error_type") == "timeout":
                raise AirflowFailException(
                    f"nobody decided on the pilot of {pilot.get('chain')} in time ({self.response_timeout}): nothing "
                    f"was processed or published. The report stays at {pilot.get('report')}; approve it with "
                    f"`python -m motion_ops approvals approve --chain '{pilot.get('chain')}' --prompt "
                    f"{pilot.get('prompt_key')}` or trigger the DAG again for a new decision")
            return super().execute_complete(context=context, event=event)
        chosen = (event.get("chosen_options") or [None])[0]
        user = event.get("responded_by_user") or {}
        by = str(user.get("name") or user.get("id") or "unknown") if isinstance(user, dict) else str(user)
        from motion_ops import pilot as pilots

        with MotionDbHook(self.motion_db_conn_id).get_conn() as store:
            pilots.record(store, chain=pilot["chain"], prompt_key=pilot["prompt_key"],
                          decision_=pilots.APPROVED if chosen == self.APPROVE else pilots.REJECTED, by=by,
                          run_id=context["ti"].run_id, report_path=pilot.get("report"))
        self.log.info("%s %s for %s", by, "approved" if chosen == self.APPROVE else "rejected", pilot["chain"])
        if chosen != self.APPROVE and self.fail_on_reject:  # visible in the run's state, not a green run
            raise AirflowFailException(
                f"{by} rejected the pilot of {pilot['chain']}: nothing of this run was processed or published (the "
                f"decision is stored: `python -m motion_ops approvals list`; runs nobody triggers by hand do not pilot "
                f"it again). Report: {pilot.get('report')}")
        return super().execute_complete(context=context, event=event)
