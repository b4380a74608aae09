"""The pilot and the human approval of ``motion_summaries``: ``pilot_summaries`` runs a sample
through a chain nobody approved yet and writes its report; ``approve_pilot`` asks a person in
the Airflow UI (the standard provider's human-in-the-loop ApprovalOperator) and stores the
decision. Approve: the run goes on. Reject: the rest of the run is skipped, nothing is published.
No decision within the timeout: the run fails with a message saying so."""
from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk.exceptions import AirflowFailException

from motion_ops.hooks import MotionDbHook
from motion_ops.summary_operators import _SummaryOperator


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
        from motion_ops.llm.cascade import TerminalError
        from motion_ops.summaries import PROMPT_KEY

        p = self.run_params(context)
        if p.dry_run:
            return {"needed": False, "reason": "dry run"}
        cascade = self.cascade(p)
        ctx = self.run_context(context)
        with self.store() as store:
            required, why = pilot.needed(store, cascade, PROMPT_KEY)
            if not required:
                self.log.info("no pilot: %s", why)
                return {"needed": False, "reason": why}
            ids = [i for b in (self.plan or []) for i in b["ids"]]
            s = self.plan_summary or {}
            backlog = int(s.get("planned_motions", len(ids))) + int(s.get("left_for_next_run", 0))
            try:
                report = pilot.run(store, cascade, pilot.sample(store, ids, p.pilot_size), backlog=backlog,
                                   prompt_key=PROMPT_KEY)
            except TerminalError as exc:
                raise self.terminal(exc) from exc
            stem = "pilot-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in str(ctx.run_id))
            js, page = pilot.write(report, self.reports_dir(p), stem)
            import json

            store.execute("upsert_pilot_report", {"run_id": ctx.run_id, "chain": report["chain"], "prompt_key": PROMPT_KEY,
                                                  "report": json.dumps(report, default=str), "report_path": str(page)})
            line = pilot.estimate_line(report)
            self.finish(context, store, f"pilot: {line}; report {page}", items=report["sampled"],
                        failures=sum(report["failures_by_class"].values()))
        return {"needed": True, "reason": why, "chain": report["chain"], "prompt_key": PROMPT_KEY, "line": line,
                "estimate": report["estimate"], "pass_rate": report["pass_rate"], "report": str(page), "json": str(js)}


class PilotApprovalOperator(ApprovalOperator):
    """Waits for a person's decision on the pilot (Approve / Reject in the UI's Required Actions, or
    the REST API's hitlDetails); passes at once when no pilot was needed."""

    template_fields = ("subject", "body", "pilot")
    ui_color = "#ffe0b2"

    def __init__(self, *, pilot: Any, motion_db_conn_id: str = MotionDbHook.default_conn_name, **kwargs: Any):
        kwargs.setdefault("subject", "Approve the LLM chain for motion_summaries?")
        kwargs.setdefault("body", "The pilot's estimate is filled in when the run reaches this step.")
        super().__init__(ignore_downstream_trigger_rules=True, **kwargs)
        self.pilot, self.motion_db_conn_id = pilot, motion_db_conn_id

    def execute(self, context: Any) -> Any:
        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        if not pilot.get("needed"):
            self.log.info("no approval needed: %s", pilot.get("reason", "no pilot ran"))
            return {"approved": True, "pilot": False, "reason": pilot.get("reason")}
        self.subject = f"Approve {pilot['chain']} for motion_summaries?"
        e = pilot["estimate"]
        self.body = (f"**Pilot of {pilot['chain']}** (prompt {pilot['prompt_key']})\n\n{pilot['line']}\n\n"
                     f"- motions in the backlog: {e['motions']:,}\n- estimated tokens: {e['input_tokens']:,} in, "
                     f"{e['output_tokens']:,} out\n- **estimated cost: {e['cost']:.2f}**\n\n"
                     f"Report (each motion's text beside its output): `{pilot['report']}`\n\n"
                     "Approve: summarize the backlog with this chain (later runs skip the pilot while the chain "
                     "stays the same). Reject: nothing of this run is summarized or published.")
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        pilot = self.pilot if isinstance(self.pilot, dict) else {}
        if "error" in event:
            if event.get("error_type") == "timeout":
                raise AirflowFailException(
                    f"nobody decided on the pilot of {pilot.get('chain')} in time ({self.response_timeout}): nothing "
                    f"was summarized or published. The report stays at {pilot.get('report')}; approve the chain with "
                    "`python -m motion_ops approvals approve` or trigger the DAG again for a new decision")
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
        return super().execute_complete(context=context, event=event)
