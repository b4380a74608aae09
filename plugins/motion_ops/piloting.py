"""The pilot steps of both DAGs and their approval step's words: ``pilot_summaries`` pilots an LLM
chain nobody approved yet, ``pilot_embeddings`` a new paid embedding model (:mod:`motion_ops.pilot`
runs the sample and writes the report); the approval step after it asks a person, shows the
estimate and stores the decision. A run nobody triggered by hand does not wait for a decision on
an embedding model: the pilot's decision is stored as pending and the paid step is skipped."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from motion_ops import pilot
from motion_ops.reports.names import file_safe
from motion_ops.run import RunContext, TaskResult
from motion_ops.store import claims
from motion_ops.store.approvals import approve_command
from motion_ops.store.db import Store


def report_stem(dag_id: str | None, run_id: str | None) -> str:
    """The pilot report's file name without suffix (one per DAG run)."""
    return "pilot-" + file_safe(f"{dag_id}-{run_id}")


def backlog(plan: Any, plan_summary: Any) -> tuple[list[str], int]:
    """The planned ids and how many more wait for later runs."""
    ids = [i for b in (plan or []) for i in b["ids"]]
    return ids, int((plan_summary or {}).get("left_for_next_run", 0))


def pilot_step(store: Store, subject: pilot.Piloted, connect: Callable[[], pilot.Piloted], *, verb: str, what: str,
               plan: Any, plan_summary: Any, params: Any, folder: Callable[[], Path], ctx: RunContext,
               by_hand: bool = True, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> TaskResult:
    """A pilot task: nothing in a dry run, nothing for an approved (or free) ``subject`` or an empty
    plan (the line says why), else a sample of the plan (``pilot_size``) through ``connect()`` (the
    subject with its client) and its report written to the store and ``folder()`` (a retry of the run
    reuses the sample it kept: paid once; its estimate is for the backlog planned now); the XCom is what
    the approval step shows (``verb``: what the backlog gets, ``what``: what approving does).
    Unless ``by_hand``, the decision is not waited for: the pilot's decision is stored as pending,
    and a subject piloted before and still pending, or rejected, is not piloted again."""
    if params.dry_run:
        return TaskResult(value={"needed": False, "reason": "dry run"})
    required, why = pilot.needed(store, subject)
    ids, left = backlog(plan, plan_summary)
    earlier = pilot.decision(store, subject.chain, subject.prompt_key) if required and ids and not by_hand else None
    if earlier and earlier["decision"] in (pilot.PENDING, pilot.REJECTED):
        line = (f"{why}: not piloted again in a run nobody triggered by hand "
                f"(report {earlier.get('report_path') or 'see approvals list'})")
        return TaskResult(value={"needed": True, "pending": True, "chain": subject.chain, "prompt_key": subject.prompt_key,
                              "reason": line}, line=f"no pilot: {line}")
    if not required:
        return TaskResult(value={"needed": False, "reason": why}, line=f"no pilot: {why}")
    if not ids:
        return TaskResult(value={"needed": False, "reason": f"nothing to {verb} ({why})"},
                       line=f"no pilot: nothing to {verb} in this run ({why})")
    kept = store.fetch_one("select_pilot_report", {"run_id": ctx.run_id, "chain": subject.chain,
                                                    "prompt_key": subject.prompt_key})
    if kept:  # a retry (or a cleared task) of this run after its sample was paid for: not paid again
        report = kept["report"]  # its estimate for the backlog planned now (a cleared plan may differ)
        per_motion, estimate = subject.estimate(store, report["items"], ids, left)
        report = {**report, "per_motion": per_motion, "estimate": estimate, "backlog": len(ids) + left}
    else:
        report = pilot.run(store, connect(), pilot.sample(store, ids, params.pilot_size), backlog_ids=ids,
                           left_out=left, run_id=ctx.run_id, claim_ttl=claim_ttl)
    out = _keep(store, report, why, what, folder(), ctx)
    if kept:
        out = replace(out, line=f"{out.line} (this run's earlier try's sample: nothing sent again)")
    if by_hand:
        return out
    pilot.record(store, chain=report["chain"], prompt_key=report["prompt_key"], decision_=pilot.PENDING,
                 by=f"pilot of {ctx.run_id}", run_id=ctx.run_id, report_path=out.value["report"])
    return replace(out, value={**out.value, "pending": True, "reason": f"{report['chain']} was piloted "
                               f"({out.value['line']}; report {out.value['report']}) and waits for a decision"})


def _keep(store: Store, report: dict[str, Any], why: str, what: str, folder: Path, ctx: RunContext) -> TaskResult:
    """Keep the report in the store first (what a retry reuses), then beside the QA reports; the XCom is
    what the approval step shows."""
    stem = report_stem(ctx.dag_id, ctx.run_id)
    js, page = pilot.paths(folder, stem)
    store.execute("upsert_pilot_report", {"run_id": ctx.run_id, "chain": report["chain"], "prompt_key": report["prompt_key"],
                                          "report": json.dumps(report, default=str), "report_path": str(page)})
    pilot.write(report, folder, stem)
    line = pilot.estimate_line(report)
    return TaskResult(value={"needed": True, "reason": why, "chain": report["chain"], "prompt_key": report["prompt_key"],
                          "line": line, "estimate": report["estimate"], "pass_rate": report["pass_rate"],
                          "report": str(page), "json": str(js), "what": what},
                   line=f"pilot: {line}; report {page}", items=report["sampled"],
                   failures=sum(report["failures_by_class"].values()))


def cli_approve(p: dict[str, Any]) -> str:
    return f"`{approve_command(p.get('chain'), p.get('prompt_key'))}`"


def pending_skip(p: dict[str, Any], dag_id: str) -> str:
    """Why the approval step of a run nobody waits at skips the paid step, and how to decide."""
    return (f"decision pending: {p.get('reason')}. The paid step is skipped in this run; the rest goes on. Decide: "
            f"trigger {dag_id} by hand and answer here (Browse > Required Actions), or {cli_approve(p)}")


def approval_request(p: dict[str, Any], dag_id: str, timeout: Any) -> tuple[str, str]:
    """The approval step's subject and body (Markdown): the pilot's estimate and report."""
    e = p["estimate"]
    return f"Approve {p['chain']} for {dag_id}?", (
        f"**Pilot of {p['chain']}** ({p['prompt_key']})\n\n{p['line']}\n\n"
        f"- motions in the backlog: {e['motions']:,}\n- estimated tokens: {e['input_tokens']:,} in, "
        f"{e['output_tokens']:,} out\n- **estimated cost: {e['cost']:.2f}**\n\n"
        f"Report (each motion's text beside its output): `{p['report']}`\n\n"
        f"Approve: {p.get('what', 'go on')} (later runs skip the pilot while it stays the same). "
        f"Reject: nothing of this run is processed or published. Decide within "
        f"{timeout or 'no limit'}; after that the run fails.")


def response_timeout(params: Any) -> dt.timedelta | None:
    """How long the approval step waits: the run's ``approval_timeout_hours`` (None: its default)."""
    from motion_ops.params import approval_hours

    hours = (params or {}).get("approval_timeout_hours")
    return dt.timedelta(hours=approval_hours(hours)) if hours else None


def timed_out(p: dict[str, Any], timeout: Any) -> str:
    return (f"nobody decided on the pilot of {p.get('chain')} in time ({timeout}): nothing was processed or published. "
            f"The report stays at {p.get('report')}; approve it with {cli_approve(p)} or trigger the DAG again for a "
            f"new decision")


def responder(event: dict[str, Any]) -> str:
    """Who answered the approval step (its event's ``responded_by_user``)."""
    user = event.get("responded_by_user") or {}
    return str(user.get("name") or user.get("id") or "unknown") if isinstance(user, dict) else str(user)


def decide(store: Store, p: dict[str, Any], *, approved: bool, by: str, run_id: str | None) -> str | None:
    """Store a person's decision on the pilot ``p``; with a rejection, what the run says (the
    embeddings' step fails with it, so the run shows it)."""
    pilot.record(store, chain=p["chain"], prompt_key=p["prompt_key"], decision_=pilot.APPROVED if approved else pilot.REJECTED,
                 by=by, run_id=run_id, report_path=p.get("report"))
    return None if approved else (
        f"{by} rejected the pilot of {p['chain']}: nothing of this run was processed or published (the decision is "
        f"stored: `python -m motion_ops approvals list`; runs nobody triggers by hand do not pilot it again). "
        f"Report: {p.get('report')}")
